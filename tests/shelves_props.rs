//! proptest (R-B1, R-B2): random sequences of booklist operations never exceed a cap, and a
//! move never loses or duplicates an entry (the total count is kept).

mod common;

use bunko::Policy;
use bunko::catalog::TitleId;
use bunko::shelves::{BooklistId, ListTarget};
use common::World;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Create,
    Add { list: usize, title: usize },
    AddToNew { title: usize },
    Remove { list: usize, title: usize },
    Copy { from: usize, to: usize, n: usize },
    Move { from: usize, to: usize, n: usize },
    Delete { list: usize },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        1 => Just(Op::Create),
        5 => (0..5usize, 0..12usize).prop_map(|(list, title)| Op::Add { list, title }),
        1 => (0..12usize).prop_map(|title| Op::AddToNew { title }),
        2 => (0..5usize, 0..12usize).prop_map(|(list, title)| Op::Remove { list, title }),
        2 => (0..5usize, 0..5usize, 1..6usize).prop_map(|(from, to, n)| Op::Copy { from, to, n }),
        3 => (0..5usize, 0..5usize, 1..6usize).prop_map(|(from, to, n)| Op::Move { from, to, n }),
        1 => (0..5usize).prop_map(|list| Op::Delete { list }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn caps_hold_and_moves_lose_nothing(ops in prop::collection::vec(op(), 1..50)) {
        let mut policy = Policy::preset("kanagawa").unwrap();
        policy.booklists.max_lists = 4;
        policy.booklists.max_entries = 5;
        let mut w = World::with_policy(policy, "2026-06-01");
        let p = w.patron();
        let titles: Vec<TitleId> = (0..12).map(|i| w.title(&format!("本{i}"))).collect();
        let lists = |w: &World| -> Vec<BooklistId> { w.lib.booklists(p).unwrap().into_iter().map(|l| l.id).collect() };
        let total = |w: &World| -> u32 { w.lib.booklists(p).unwrap().iter().map(|l| l.entries).sum() };
        let mut n = 0;
        for op in &ops {
            let ids = lists(&w);
            let pick = |i: usize| ids.get(i % ids.len().max(1)).copied();
            match *op {
                Op::Create => { n += 1; let _ = w.lib.create_booklist(p, &format!("L{n}"), ""); }
                Op::Add { list, title } => if let Some(l) = pick(list) {
                    let _ = w.lib.add_to_booklist(p, ListTarget::Existing(l), titles[title], "");
                },
                Op::AddToNew { title } => { n += 1; let _ = w.lib.add_to_booklist(p, ListTarget::New(format!("L{n}")), titles[title], ""); }
                Op::Remove { list, title } => if let Some(l) = pick(list) { let _ = w.lib.remove_from_booklist(p, l, titles[title]); },
                Op::Copy { from, to, n: k } | Op::Move { from, to, n: k } => if let (Some(f), Some(t)) = (pick(from), pick(to)) {
                    let moving: Vec<TitleId> = w.lib.booklist_entries(p, f).unwrap().into_iter().take(k).map(|e| e.title).collect();
                    let before = total(&w);
                    let is_move = matches!(op, Op::Move { .. });
                    let ok = if is_move { w.lib.move_entries(p, f, t, &moving).is_ok() } else { w.lib.copy_entries(p, f, t, &moving).is_ok() };
                    let expected = if ok && !is_move { before + moving.len() as u32 } else { before };
                    prop_assert_eq!(total(&w), expected, "{:?} ok={}", op, ok);
                },
                Op::Delete { list } => if let Some(l) = pick(list) { let _ = w.lib.delete_booklist(p, l); },
            }
            let now = w.lib.booklists(p).unwrap();
            prop_assert!(now.len() <= 4, "list cap");
            prop_assert!(now.iter().all(|l| l.entries <= 5), "entry cap: {:?}", now);
            let violations = w.lib.check().unwrap();
            prop_assert!(violations.is_empty(), "{:?}", violations);
        }
    }
}
