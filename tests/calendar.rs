//! The opening calendar: closed weekdays, closed dates, special openings, next open day.

use bunko::policy::Weekday;
use bunko::{FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn chiba() -> Library {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 1, 1, 0, 0).unwrap());
    Library::open_in_memory(Policy::preset("chiba").unwrap(), clock).unwrap()
}

#[test]
fn closed_weekdays_and_dates() {
    let mut lib = chiba();
    lib.set_closed_weekdays("chuo", &[Weekday::Mon]).unwrap();
    lib.close_on("chuo", date("2026-12-10"), "特別整理").unwrap();
    assert!(!lib.is_open("chuo", date("2026-12-07")).unwrap(), "a Monday");
    assert!(lib.is_open("chuo", date("2026-12-08")).unwrap());
    assert!(!lib.is_open("chuo", date("2026-12-10")).unwrap(), "closed date");
    assert!(lib.is_open("seibu", date("2026-12-07")).unwrap(), "other branches keep their own calendar");
}

#[test]
fn next_open_day_crosses_the_year_end() {
    let mut lib = chiba();
    lib.set_closed_weekdays("chuo", &[Weekday::Mon]).unwrap();
    for d in ["2026-12-28", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02", "2027-01-03"] {
        lib.close_on("chuo", date(d), "年末年始").unwrap();
    }
    // 2027-01-04 is a Monday, so the first open day is Tuesday the 5th.
    assert_eq!(lib.next_open_day("chuo", date("2026-12-27")).unwrap(), date("2026-12-27"));
    assert_eq!(lib.next_open_day("chuo", date("2026-12-28")).unwrap(), date("2027-01-05"));
    assert_eq!(lib.nth_open_day_after("chuo", date("2026-12-26"), 2).unwrap(), date("2027-01-05"));
    assert_eq!(lib.nth_open_day_after("chuo", date("2026-12-26"), 3).unwrap(), date("2027-01-06"));
}

#[test]
fn special_openings_override_closed_weekdays() {
    let mut lib = chiba();
    lib.set_closed_weekdays("tobu", &[Weekday::Mon, Weekday::Sun]).unwrap();
    lib.open_specially_on("tobu", date("2026-12-13"), "臨時開館").unwrap();
    assert!(lib.is_open("tobu", date("2026-12-13")).unwrap(), "a Sunday, opened specially");
    assert_eq!(lib.next_open_day("tobu", date("2026-12-13")).unwrap(), date("2026-12-13"));
    assert_eq!(lib.nth_open_day_after("tobu", date("2026-12-12"), 1).unwrap(), date("2026-12-13"));
    assert!(lib.clear_calendar_exception("tobu", date("2026-12-13")).unwrap());
    assert!(!lib.is_open("tobu", date("2026-12-13")).unwrap());
    assert!(!lib.clear_calendar_exception("tobu", date("2026-12-13")).unwrap());
}

#[test]
fn a_branch_that_never_opens_is_an_error_not_a_hang() {
    let mut lib = chiba();
    lib.set_closed_weekdays("chuo", &Weekday::ALL).unwrap();
    assert!(lib.next_open_day("chuo", date("2026-12-01")).is_err());
    lib.open_specially_on("chuo", date("2027-03-01"), "").unwrap();
    assert_eq!(lib.next_open_day("chuo", date("2026-12-01")).unwrap(), date("2027-03-01"));
}

#[test]
fn unknown_branch_is_not_found() {
    let mut lib = chiba();
    assert!(matches!(
        lib.close_on("narita", date("2026-12-01"), ""),
        Err(bunko::Error::NotFound { entity: bunko::Entity::Branch, .. })
    ));
}
