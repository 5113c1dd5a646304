//! iCalendar feeds (#19 part 3) read by an implementation nobody here wrote: PyPI `icalendar`.

mod common;

use bunko::Lang;
use bunko::holds::HoldRequest;
use bunko::policy::ContactMethod;
use common::World;
use common::python::{python_with, run_peer};

/// Parses `ics` with the Python peer: (calendar name, events as JSON values).
fn parse(ics: &str) -> Option<(String, Vec<serde_json::Value>)> {
    let python = python_with(&["icalendar==6.*"])?;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, ics).unwrap();
    let out: serde_json::Value =
        serde_json::from_str(&run_peer(&python, "ical_peer.py", &[file.to_str().unwrap()])).unwrap();
    Some((out["name"].as_str().unwrap().to_owned(), out["events"].as_array().unwrap().clone()))
}

#[test]
fn due_dates_read_back_through_icalendar_with_stable_uids_and_a_reminder() {
    let mut w = World::new("chiba", "2026-11-02");
    let p = w.patron();
    let first = w.copy_at("chuo", "book");
    let second = w.copy_at("chuo", "book");
    let a = w.lib.checkout(&first, p, "chuo").unwrap();
    let b = w.lib.checkout(&second, p, "chuo").unwrap();
    let before = w.lib.loans_ics(p, Lang::Ja).unwrap();
    w.advance_days(3);
    let renewed = w.lib.renew(p, b.id).unwrap();
    let after = w.lib.loans_ics(p, Lang::Ja).unwrap();

    let Some((name, events)) = parse(&after) else { return };
    assert!(name.contains("返却期限"), "{name}");
    assert_eq!(events.len(), 2);
    for (loan, due, sequence) in [(&a, a.due_on, 0), (&b, renewed, 1)] {
        let uid = format!("loan-{}@chiba.bunko", loan.id);
        let event = events.iter().find(|e| e["uid"] == uid.as_str()).unwrap_or_else(|| panic!("{uid} in {events:?}"));
        assert_eq!(event["start"], due.to_string().as_str(), "an all-day event on the due date");
        assert_eq!(event["end"], due.succ_opt().unwrap().to_string().as_str());
        assert_eq!(event["sequence"], sequence, "a renewal raises SEQUENCE so clients update");
        assert_eq!(event["summary"], "返却期限: 本");
        assert_eq!(event["alarm"], "-1 day, 9:00:00", "09:00 the day before");
    }
    // Re-importing updates: the same UIDs before and after the renewal.
    let (_, earlier) = parse(&before).unwrap();
    let uids = |es: &[serde_json::Value]| es.iter().map(|e| e["uid"].to_string()).collect::<Vec<_>>();
    assert_eq!(uids(&earlier), uids(&events));
}

#[test]
fn pickup_deadlines_of_ready_holds_only() {
    let mut w = World::new("chiba", "2026-11-02");
    let p = w.patron();
    let ready = w.title("取り置き中の本");
    let copy = w.copy_of(ready, "chuo", "book");
    let waiting = w.title("貸出中の本");
    let lent = w.copy_of(waiting, "chuo", "book");
    let other = w.patron();
    w.lib.checkout(&lent, other, "chuo").unwrap();
    let request = HoldRequest::web("chuo", ContactMethod::None).at_counter();
    let held = w.lib.place_hold(p, ready, &request).unwrap();
    w.lib.place_hold(p, waiting, &request).unwrap();
    w.lib.confirm_pulled(&copy, "chuo").unwrap();
    let hold = w.lib.hold(held).unwrap();
    let deadline = hold.pickup_deadline.expect("ready");
    let shelf_days = (deadline - hold.ready_on.expect("ready")).num_days();

    let ics = w.lib.holds_ics(p, Lang::En).unwrap();
    let Some((name, events)) = parse(&ics) else { return };
    assert!(name.contains("pickup deadlines"), "{name}");
    assert_eq!(events.len(), 1, "only the hold on the shelf has a deadline: {events:?}");
    assert_eq!(events[0]["uid"], format!("hold-{held}@chiba.bunko").as_str());
    assert_eq!(events[0]["start"], deadline.to_string().as_str());
    assert_eq!(events[0]["summary"], "Pick up by: 取り置き中の本");
    assert_eq!(events[0]["sequence"], shelf_days, "a deadline counted again later raises it");
    assert!(!events[0]["location"].as_str().unwrap().is_empty());
}

#[test]
fn an_unknown_patron_is_not_found_and_an_empty_feed_is_valid() {
    let mut w = World::new("chiba", "2026-11-02");
    let p = w.patron();
    assert!(matches!(
        w.lib.loans_ics(bunko::patrons::PatronId::from(999_999), Lang::Ja),
        Err(bunko::Error::NotFound { .. })
    ));
    let ics = w.lib.loans_ics(p, Lang::Ja).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    let Some((_, events)) = parse(&ics) else { return };
    assert!(events.is_empty());
}
