//! Japanese national holidays 2000–2099 against a fixture made by the `jpholiday` Python
//! package (`scripts/gen_jp_holidays.py`; its version is on the fixture's first line). Dates
//! must match exactly, and names too, except that the fixture calls a substitute holiday
//! `<holiday> 振替休日` where bunko says `振替休日`.

use bunko::catalog::{HOLIDAY_YEARS, is_japanese_holiday, japanese_holidays};
use chrono::{Datelike, Days, NaiveDate};

const FIXTURE: &str = include_str!("data/jp_holidays_2000_2099.csv");

fn fixture() -> Vec<(NaiveDate, String)> {
    FIXTURE
        .lines()
        .filter(|l| !l.starts_with('#') && *l != "date,name")
        .map(|l| {
            let (day, name) = l.split_once(',').unwrap();
            (day.parse().unwrap(), name.to_owned())
        })
        .collect()
}

#[test]
fn every_holiday_2000_2099_matches_jpholiday() {
    let expected = fixture();
    assert!(expected.len() > 1700, "fixture has {} rows", expected.len());
    let ours: Vec<(NaiveDate, String)> =
        HOLIDAY_YEARS.flat_map(japanese_holidays).map(|(d, n)| (d, n.to_owned())).collect();
    let days = |v: &[(NaiveDate, String)]| v.iter().map(|(d, _)| *d).collect::<Vec<_>>();
    assert_eq!(days(&ours), days(&expected), "holiday dates differ");
    for ((day, ours), (_, theirs)) in ours.iter().zip(&expected) {
        let theirs = if theirs.ends_with(" 振替休日") { "振替休日" } else { theirs.as_str() };
        assert_eq!(ours, theirs, "name of {day}");
    }
}

#[test]
fn is_japanese_holiday_agrees_on_every_day_2000_2099() {
    let expected: std::collections::BTreeSet<NaiveDate> = fixture().into_iter().map(|(d, _)| d).collect();
    let mut day = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    while day.year() <= 2099 {
        assert_eq!(is_japanese_holiday(day), expected.contains(&day), "{day}");
        day = day.checked_add_days(Days::new(1)).unwrap();
    }
}

#[test]
fn outside_the_supported_years_nothing_is_guessed() {
    assert!(japanese_holidays(1999).is_empty());
    assert!(japanese_holidays(2100).is_empty());
    assert!(!is_japanese_holiday(NaiveDate::from_ymd_opt(2100, 1, 1).unwrap()));
    assert!(!is_japanese_holiday(NaiveDate::from_ymd_opt(1999, 1, 1).unwrap()));
}
