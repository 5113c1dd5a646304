//! Hostile input (#9): SQL metacharacters, NUL bytes, overlong strings, emoji and combining
//! marks, broken policy files. Typed errors or exact storage; never a panic; never a change on
//! error.

mod common;

use bunko::catalog::{NewCopy, NewTitle};
use bunko::patrons::NewPatron;
use bunko::shelves::ListTarget;
use bunko::{Error, Policy};
use common::{World, day, dump};
use proptest::prelude::*;

const INJECTION: &str = "'); DROP TABLE holds;--";

#[test]
fn a_list_name_with_sql_in_it_round_trips() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let list = w.lib.create_booklist(p, INJECTION, "\" OR 1=1 --").unwrap();
    let stored = &w.lib.booklists(p).unwrap()[0];
    assert_eq!((stored.id, stored.name.as_str(), stored.memo.as_str()), (list, INJECTION, "\" OR 1=1 --"));
    assert!(w.lib.check().unwrap().is_empty(), "the holds table is still there");
    assert!(w.lib.patron_holds(p).unwrap().is_empty());
}

#[test]
fn emoji_and_combining_marks_are_stored_exactly() {
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let title = "📚 Café déjà vu ガ\u{3099} 𠮷野家"; // precomposed, combining, astral-plane kanji
    let t = w.lib.add_title(NewTitle { author: "Zoë 👩‍🔬".into(), ..NewTitle::new(title) }).unwrap();
    assert_eq!(w.lib.title(t).unwrap().title, title);
    let memo = "🙂".repeat(1000); // 1000 characters, 4000 bytes: within the cap
    let list = w.lib.add_to_booklist(p, ListTarget::New("絵文字🎌".into()), t, &memo).unwrap();
    assert_eq!(w.lib.booklist_entries(p, list).unwrap()[0].memo, memo);
    let csv = w.lib.export_booklist_csv(p, list, true).unwrap();
    let mut reader = csv::Reader::from_reader(&csv[3..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!((&row[0], &row[1]), (title, "Zoë 👩‍🔬"));
}

#[test]
fn nul_bytes_overlong_and_malformed_input_are_typed_errors_that_change_nothing() {
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-06-01");
    let path = db.path.clone();
    let p = w.patron();
    let t = w.title("本");
    let list = w.lib.create_booklist(p, "棚", "").unwrap();
    let before = dump(&path);

    let field = invalid_field;
    assert_eq!(field(w.lib.add_title(NewTitle::new("a\0b")).unwrap_err()), "title");
    assert_eq!(field(w.lib.add_title(NewTitle::new("長".repeat(1001))).unwrap_err()), "title");
    assert_eq!(field(w.lib.create_booklist(p, "x\0", "").unwrap_err()), "name");
    assert_eq!(field(w.lib.add_to_booklist(p, ListTarget::Existing(list), t, &"長".repeat(1001)).unwrap_err()), "memo");
    for card in [INJECTION, "12345\0", "１２３４５６７", "😀😀😀😀😀😀", ""] {
        assert_eq!(
            field(w.lib.register_patron(NewPatron::new(card, "x", day("2029-01-01"))).unwrap_err()),
            "card_number",
            "{card:?}"
        );
        assert!(matches!(w.lib.login(card, "x"), Err(Error::InvalidInput { field: "card_number", .. })));
    }
    assert_eq!(field(w.lib.add_copy(NewCopy::new("BAR CODE", t, "honkan", "book")).unwrap_err()), "barcode");
    assert_eq!(field(w.lib.add_copy(NewCopy::new(INJECTION, t, "honkan", INJECTION)).unwrap_err()), "barcode");
    assert!(matches!(w.lib.copy_by_barcode(INJECTION), Err(Error::NotFound { .. })));
    assert!(matches!(w.lib.check_in(INJECTION, "honkan"), Err(Error::NotFound { .. })));
    assert_eq!(dump(&path), before, "no refused call changed the database");
}

#[test]
fn broken_policy_files_are_errors_not_panics() {
    let good = Policy::preset_toml("chiba").unwrap();
    let cases = [
        String::new(),
        "\0\0\0".to_owned(),
        "[library".to_owned(),
        good.replace("total = 5", "total = -5"),
        good.replace("total = 5", "total = 99999999999999999999"),
        good.replace("shelf_days = 7", "shelf_days = 7.5"),
        good.replace("utc_offset = \"+09:00\"", "utc_offset = \"+99:99\""),
        good.replace("name = \"中央図書館\"", "name = \"\0\""),
        format!("{good}\n{good}"),
        good.chars().take(good.len() / 2).collect(),
    ];
    for (i, text) in cases.iter().enumerate() {
        let err = Policy::from_toml(text).expect_err(&format!("case {i} must be refused"));
        assert!(!err.problems.is_empty(), "case {i}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any string as a title, list name, memo, card number or barcode: stored exactly or refused
    /// with a typed error, and the database stays consistent.
    #[test]
    fn arbitrary_strings_never_panic_or_corrupt(s in "\\PC{0,40}|[\\x00-\\x1f'\";-]{0,10}") {
        let mut w = World::new("kanagawa", "2026-06-01");
        let p = w.patron();
        if let Ok(t) = w.lib.add_title(NewTitle::new(s.clone())) {
            prop_assert_eq!(w.lib.title(t).unwrap().title, s.trim());
            let _ = w.lib.add_to_booklist(p, ListTarget::New(s.clone()), t, &s);
            let _ = w.lib.add_copy(NewCopy::new(s.clone(), t, "honkan", "book"));
        }
        let _ = w.lib.register_patron(NewPatron::new(s.clone(), s.clone(), day("2029-01-01")));
        let _ = w.lib.login(&s, &s);
        let _ = w.lib.check_in(&s, "honkan");
        let _ = Policy::from_toml(&s);
        prop_assert!(w.lib.check().unwrap().is_empty());
    }
}

/// A `Policy` built in code, not from a file: validation names what is wrong, and the pure
/// decisions never panic on its numbers even unvalidated (trust item 10).
#[test]
fn hostile_policy_in_code_item_10() {
    use bunko::catalog::OpeningCalendar;
    use bunko::policy::{
        AccountFacts, DueContext, DueMove, Service, Weekday, account_refusals, arrival_day, due_date, pickup_deadline,
        renewed_due_date,
    };
    use chrono::NaiveDate;

    let keys = |p: &Policy| -> Vec<String> {
        p.validate().err().map(|e| e.problems.into_iter().map(|p| p.key).collect()).unwrap_or_default()
    };
    let mut zero = Policy::preset("kanagawa").unwrap();
    zero.accounts.lockout_attempts = 0;
    assert_eq!(keys(&zero), ["accounts.lockout_attempts"]);

    let mut p = Policy::preset("kanagawa").unwrap();
    p.accounts.unused_card_block_years = Some(u32::MAX);
    p.holds.shelf_days = u32::MAX;
    p.loans.renewal.days = u32::MAX;
    p.materials.get_mut("book").unwrap().loan_days = Some(u32::MAX);
    let named = keys(&p);
    for key in
        ["accounts.unused_card_block_years", "holds.shelf_days", "loans.renewal.days", "materials.book.loan_days"]
    {
        assert!(named.iter().any(|k| k == key), "{key} not named in {named:?}");
    }
    let open = OpeningCalendar::default();
    let closed_mondays = OpeningCalendar::new(&[Weekday::Mon]);
    for today in [NaiveDate::MIN, day("2026-06-01"), NaiveDate::MAX] {
        let facts = AccountFacts {
            today,
            blocked: false,
            expires_on: NaiveDate::MIN,
            last_activity_on: NaiveDate::MIN,
            overdue_loans: u32::MAX,
            temporary_password: true,
        };
        let _ = account_refusals(&p, &facts, Some(Service::Holds));
        let rules = p.rules_for("general", "book", "main");
        for skip_closed in [false, true] {
            p.holds.shelf_days_skip_closed = skip_closed;
            p.loans.due_skips_closed_days = skip_closed;
            for moves in [DueMove::Next, DueMove::Previous] {
                p.loans.closed_due_moves = moves;
                for cal in [&open, &closed_mondays] {
                    let _ = arrival_day(&p, "main", "main", today, cal);
                    for card_expires_on in [NaiveDate::MIN, today, NaiveDate::MAX] {
                        let at = DueContext { today, branch: "main", card_expires_on, calendar: cal };
                        let _ = due_date(&p, today, u32::MAX, &at);
                        let _ = renewed_due_date(&p, &rules, today, &at);
                    }
                    let _ = pickup_deadline(&p, &rules, today, cal);
                    let _ = cal.nth_open_day_after(today, u32::MAX);
                    let _ = cal.previous_open_day(today, NaiveDate::MIN);
                }
            }
        }
    }
}

fn invalid_field(e: Error) -> &'static str {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other}"),
    }
}

/// Dates outside 1900–9999 from a caller are `InvalidInput` naming the argument, never a
/// storage CHECK failure, and change nothing (trust item 11).
#[test]
fn hostile_dates_out_of_range_item_11() {
    use chrono::NaiveDate;
    let (mut w, db) = World::on_temp_file("chikushino", "2026-06-01");
    let p = w.patron();
    let t = w.title("本");
    let before = dump(&db.path);
    let far = day("9999-12-31").succ_opt().unwrap(); // year 10000
    let long_ago = day("1899-12-31");
    for bad in [far, long_ago, NaiveDate::MIN, NaiveDate::MAX] {
        let mut patron = NewPatron::new(w.card(), "利用者", day("2029-01-01"));
        patron.birth_date = Some(bad);
        assert_eq!(invalid_field(w.lib.register_patron(patron).unwrap_err()), "birth_date", "{bad}");
        let title = NewTitle { published_on: Some(bad), ..NewTitle::new("題") };
        assert_eq!(invalid_field(w.lib.add_title(title).unwrap_err()), "published_on", "{bad}");
        let copy = NewCopy { available_since: Some(bad), ..NewCopy::new("B-1", t, "main", "book") };
        assert_eq!(invalid_field(w.lib.add_copy(copy).unwrap_err()), "available_since", "{bad}");
        assert_eq!(invalid_field(w.lib.close_on("main", bad, "").unwrap_err()), "day", "{bad}");
        assert_eq!(invalid_field(w.lib.open_specially_on("main", bad, "").unwrap_err()), "day", "{bad}");
        assert_eq!(invalid_field(w.lib.clear_calendar_exception("main", bad).unwrap_err()), "day", "{bad}");
        assert_eq!(invalid_field(w.lib.next_open_day("main", bad).unwrap_err()), "day", "{bad}");
        assert_eq!(invalid_field(w.lib.daily_circulation(bad, w.today()).unwrap_err()), "from", "{bad}");
        assert_eq!(invalid_field(w.lib.set_reading_goal(p, bad, far, 10).unwrap_err()), "starts_on", "{bad}");
        assert_eq!(invalid_field(w.lib.set_reading_goal(p, w.today(), bad, 10).unwrap_err()), "ends_on", "{bad}");
    }
    for bad in [far, NaiveDate::MAX] {
        let patron = NewPatron::new(w.card(), "利用者", bad);
        assert_eq!(invalid_field(w.lib.register_patron(patron).unwrap_err()), "expires_on", "{bad}");
    }
    assert_eq!(dump(&db.path), before, "no refused call changed the database");
}

/// A branch whose calendar has no open day within the horizon refuses lending and routing
/// instead of a due date on a closed day or a pickup deadline of today (trust item 11).
#[test]
fn hostile_never_open_branch_refuses_item_11() {
    use bunko::holds::HoldRequest;
    use bunko::policy::{ContactMethod, Reason, Weekday};
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-06-01");
    let (lender, holder) = (w.patron(), w.patron());
    let on_loan = w.copy_at("honkan", "book");
    let title = w.lib.copy_by_barcode(&on_loan).unwrap().title;
    w.lib.checkout(&on_loan, lender, "honkan").unwrap();
    let pickup_here = HoldRequest::web("honkan", ContactMethod::None).at_counter();
    w.lib.place_hold(holder, title, &pickup_here).unwrap();
    let on_shelf = w.copy_at("honkan", "book");
    w.lib.set_closed_weekdays("honkan", &Weekday::ALL).unwrap();
    let before = dump(&db.path);

    match w.lib.checkout(&on_shelf, lender, "honkan").unwrap_err() {
        Error::Refused(r) => assert_eq!(r.reasons, [Reason::NoOpenDay { after: w.today() }]),
        other => panic!("expected a refusal, got {other}"),
    }
    let renewal = w.lib.patron_loans(lender).unwrap()[0].renewal.clone();
    assert!(renewal.unwrap_err().has(&Reason::NoOpenDay { after: w.today() }));
    assert_eq!(invalid_field(w.lib.check_in(&on_loan, "honkan").unwrap_err()), "calendar");
    assert_eq!(dump(&db.path), before, "no refused call changed the database");
}
