//! New-arrival alerts (R-N1–R-N3, R-O2), fukushima's rules.

mod common;

use bunko::alerts::{Field, SavedSearch, is_send_day};
use bunko::catalog::{NewCopy, NewTitle};
use bunko::notify::NoticeKind;
use bunko::policy::Reason;
use bunko::{Error, Policy};
use common::{World, day};

fn search(name: &str, terms: &[(Field, &str)]) -> SavedSearch {
    SavedSearch {
        name: name.into(),
        terms: terms.iter().map(|(f, t)| (*f, (*t).to_owned())).collect(),
        ..SavedSearch::default()
    }
}

/// A book at `pref`, published on `published`, first available on `available`.
fn arrival(w: &mut World, title: &str, author: &str, published: &str, available: &str, serial: bool) {
    let t = w
        .lib
        .add_title(NewTitle {
            author: author.into(),
            published_on: Some(day(published)),
            serial,
            category: "913".into(),
            ..NewTitle::new(title)
        })
        .unwrap();
    let mut c = NewCopy::new(format!("N{:05}", t.get()), t, "pref", "book");
    c.available_since = Some(day(available));
    w.lib.add_copy(c).unwrap();
}

#[test]
fn fukushima_sends_on_the_2nd_and_4th_tuesday_even_in_a_five_tuesday_month_r_n3() {
    let schedule = Policy::preset("fukushima").unwrap().alerts.schedule;
    // December 2026 has five Tuesdays: 1, 8, 15, 22, 29.
    let sends: Vec<u32> = (1..=31).filter(|d| is_send_day(&schedule, day(&format!("2026-12-{d:02}")))).collect();
    assert_eq!(sends, [8, 22]);
}

#[test]
fn saved_searches_are_validated_and_capped_r_n1() {
    // R-N1: named conditions, changeable; the cap is not in the guide (preset default 10).
    let mut w = World::new("fukushima", "2026-12-01");
    let p = w.patron();
    let err = w.lib.save_search(p, search("空", &[])).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "terms", .. }), "{err}");
    let err = w.lib.save_search(p, search("空白", &[(Field::Title, "　 ")])).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "terms", .. }), "{err}");
    let err = w.lib.save_search(p, search("長い", &[(Field::Keyword, &"字".repeat(101))])).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "terms", .. }), "{err}");
    for i in 0..10 {
        w.lib.save_search(p, search(&format!("条件{i}"), &[(Field::Keyword, "猫")])).unwrap();
    }
    let err = w.lib.save_search(p, search("十一", &[(Field::Keyword, "猫")])).unwrap_err();
    assert!(matches!(err, Error::Refused(ref r) if r.reasons == [Reason::ListLimitReached { limit: 10 }]), "{err}");
    let (id, _) = w.lib.saved_searches(p).unwrap()[0].clone();
    w.lib.update_search(p, id, search("犬に変更", &[(Field::Title, "犬")])).unwrap();
    assert_eq!(w.lib.saved_searches(p).unwrap()[0].1.name, "犬に変更");
    assert!(w.lib.delete_search(p, id).unwrap());
}

#[test]
fn fukushima_what_is_new_and_the_digest_sweep_r_n2_r_n3() {
    // R-N2 what is new, R-N3 digests on schedule, R-O2 new arrivals by category.
    let mut w = World::new("fukushima", "2026-12-08"); // the 2nd Tuesday
    let (fan, other) = (w.patron(), w.patron());
    w.lib.register_email_at_counter(fan, "fan@example.jp", None).unwrap();
    w.lib.register_email_at_counter(other, "other@example.jp", None).unwrap();
    w.lib.save_search(fan, search("ドストエフスキー", &[(Field::Author, "ﾄﾞｽﾄｴﾌｽｷｰ")])).unwrap();
    w.lib.save_search(other, search("宇宙", &[(Field::Keyword, "宇宙")])).unwrap();

    arrival(&mut w, "罪と罰 新訳", "ドストエフスキー", "2026-10-01", "2026-12-01", false);
    arrival(&mut w, "白痴 旧版", "ドストエフスキー", "2025-11-01", "2026-12-01", false); // published 13 months ago
    arrival(&mut w, "月刊ドストエフスキー", "ドストエフスキー", "2026-11-01", "2026-12-01", true); // a serial
    arrival(&mut w, "悪霊", "ドストエフスキー", "2026-10-01", "2026-11-23", false); // 15 days old
    arrival(&mut w, "カラマーゾフの兄弟", "ドストエフスキー", "2026-10-01", "2026-11-24", false); // 14 days: new

    let new: Vec<String> = w.lib.new_arrivals().unwrap().into_iter().map(|a| a.title_text).collect();
    assert_eq!(new, ["罪と罰 新訳", "カラマーゾフの兄弟"]);
    assert_eq!(w.lib.new_arrivals_by_category().unwrap()["9"].len(), 2, "by NDC class for the My Library page (R-O2)");

    let sweep = w.lib.send_new_arrival_alerts().unwrap();
    assert_eq!(
        (sweep.send_day, sweep.patrons.as_slice()),
        (Some(day("2026-12-08")), &[fan][..]),
        "no notice without matches"
    );
    let notices = w.lib.pending_notices(10).unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].kind, notices[0].address.as_deref()), (NoticeKind::NewArrivals, Some("fan@example.jp")));
    insta::assert_snapshot!(notices[0].subject.clone() + "\n" + &notices[0].body);

    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().send_day, None, "the same day twice sends once");
    w.go_to("2026-12-10");
    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().send_day, None, "not a send day; the 8th is done");
    assert_eq!(w.lib.pending_notices(10).unwrap().len(), 1);
}

#[test]
fn a_missed_send_day_is_caught_up_once_with_only_newer_arrivals_r_n3() {
    let mut w = World::new("fukushima", "2026-12-08");
    let fan = w.patron();
    w.lib.register_email_at_counter(fan, "fan@example.jp", None).unwrap();
    w.lib.save_search(fan, search("猫", &[(Field::Title, "猫")])).unwrap();
    arrival(&mut w, "吾輩は猫である 新装版", "夏目漱石", "2026-10-01", "2026-12-02", false);
    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().patrons, [fan]);
    arrival(&mut w, "猫の事務所", "宮沢賢治", "2026-11-01", "2026-12-20", false);
    // The 22nd (4th Tuesday) is missed; the sweep runs on the 24th and catches up once.
    w.go_to("2026-12-24");
    let caught_up = w.lib.send_new_arrival_alerts().unwrap();
    assert_eq!(
        (caught_up.send_day, caught_up.arrivals),
        (Some(day("2026-12-22")), 1),
        "only what came since the last send"
    );
    w.go_to("2026-12-25");
    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().send_day, None, "not repeatedly");
    let bodies: Vec<String> = w.lib.pending_notices(10).unwrap().into_iter().map(|n| n.body).collect();
    assert_eq!(bodies.len(), 2);
    assert!(bodies[1].contains("猫の事務所") && !bodies[1].contains("吾輩は猫である"));
}

#[test]
fn libraries_without_alerts_refuse_saved_searches() {
    let mut w = World::new("chiba", "2026-12-08");
    let p = w.patron();
    let err = w.lib.save_search(p, search("x", &[(Field::Title, "x")])).unwrap_err();
    assert!(matches!(err, Error::Refused(ref r) if r.reasons == [Reason::NotOffered]));
    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().send_day, None);
}

#[test]
fn hostile_patron_work_bounded_item_12_saved_search_terms() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let words: Vec<String> = (0..20_000).map(|i| format!("語{i}")).collect();
    let terms = |n: usize| -> Vec<(Field, &str)> { words[..n].iter().map(|t| (Field::Keyword, t.as_str())).collect() };
    for n in [20_000, 11] {
        match w.lib.save_search(p, search("多すぎる", &terms(n))).unwrap_err() {
            Error::InvalidInput { field, reason } => {
                assert_eq!(field, "terms");
                assert!(reason.contains("at most 10"), "{reason}");
            }
            other => panic!("expected InvalidInput, got {other}"),
        }
    }
    assert!(w.lib.saved_searches(p).unwrap().is_empty(), "nothing was saved");
    let id = w.lib.save_search(p, search("十語", &terms(10))).unwrap();
    let err = w.lib.update_search(p, id, search("十一語", &terms(11))).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "terms", .. }), "{err}");
}

#[test]
fn fukushima_new_arrivals_are_books_only_r_n2() {
    // #14 item 8: 「新着図書のお知らせ」 — new arrivals are 図書 (books), not AV.
    let mut w = World::new("fukushima", "2026-12-08");
    arrival(&mut w, "宇宙の本", "著者", "2026-10-01", "2026-12-01", false);
    let t = w.lib.add_title(NewTitle { published_on: Some(day("2026-10-01")), ..NewTitle::new("宇宙のDVD") }).unwrap();
    let mut c = NewCopy::new("AV00001", t, "pref", "av");
    c.available_since = Some(day("2026-12-01"));
    w.lib.add_copy(c).unwrap();
    let new: Vec<String> = w.lib.new_arrivals().unwrap().into_iter().map(|a| a.title_text).collect();
    assert_eq!(new, ["宇宙の本"]);
}

#[test]
fn a_saved_search_with_hiragana_iteration_marks_finds_katakana_ones_r_n1() {
    // #14 item 9: ヽ and ヾ fold to ゝ and ゞ, so 「こゝろ」 finds the title 「コヽロ」 (and
    // 「みすゞ」 finds 「ミスヾ」).
    let mut w = World::new("fukushima", "2026-12-08");
    let fan = w.patron();
    w.lib.register_email_at_counter(fan, "fan@example.jp", None).unwrap();
    w.lib.save_search(fan, search("こゝろ", &[(Field::Title, "こゝろ")])).unwrap();
    w.lib.save_search(fan, search("みすゞ", &[(Field::Title, "みすゞ")])).unwrap();
    arrival(&mut w, "コヽロ", "夏目漱石", "2026-10-01", "2026-12-01", false);
    arrival(&mut w, "ミスヾ詩集", "金子みすゞ", "2026-10-01", "2026-12-01", false);
    assert_eq!(w.lib.send_new_arrival_alerts().unwrap().patrons, [fan]);
    let body = w.lib.pending_notices(10).unwrap().remove(0).body;
    assert!(body.contains("コヽロ") && body.contains("ミスヾ詩集"), "{body}");
}
