//! Opening rules written in the policy: 「月曜休館、祝日の場合は翌平日」 with 年末年始, a
//! branch with its own rules, API exceptions that win, and validation with key paths.

mod common;

use bunko::Policy;
use bunko::policy::Weekday;
use common::{World, day};

/// The library-wide rules of the scenario: closed on Mondays, but a Monday holiday opens and
/// the next weekday that is not a holiday closes instead; closed from 12/29 to 1/3.
const MONDAY_AND_YEAR_END: &str = r#"
[calendar]
closed_weekdays = ["mon"]
holidays = "open_then_next_weekday_closed"   # 月曜休館、祝日の場合は翌平日
yearly_closed = [{ from = "12-29", to = "01-03" }]   # 年末年始
"#;

/// tobu follows its own rules instead: closed on holidays, on the last Thursday of each month
/// (毎月最終木曜日) and for a 特別整理期間.
const TOBU_OWN: &str = r#"[[branches]]
code = "tobu"
name = "東部図書館"

[branches.calendar]
holidays = "closed"
monthly_closed = [{ weekday = "thu", nth = 1, from_end = true }]
closed_ranges = [{ from = "2027-02-01", to = "2027-02-10" }]
"#;

fn chiba_text() -> String {
    let text = Policy::preset_toml("chiba").unwrap();
    let tobu = "[[branches]]\ncode = \"tobu\"\nname = \"東部図書館\"\n";
    assert!(text.contains(tobu));
    format!("{}{MONDAY_AND_YEAR_END}", text.replacen(tobu, TOBU_OWN, 1))
}

fn world() -> World {
    World::with_policy(Policy::from_toml(&chiba_text()).unwrap(), "2026-12-01")
}

#[test]
fn monday_closures_move_past_a_holiday_and_the_year_end_closes() {
    let w = world();
    let open = |d: &str| w.lib.is_open("chuo", day(d)).unwrap();
    assert!(!open("2026-12-07"), "an ordinary Monday");
    assert!(open("2026-12-08"));
    // 12/28 is a Monday, 12/29–1/3 the year-end closure, 1/4 a Monday again.
    assert_eq!(w.lib.next_open_day("chuo", day("2026-12-28")).unwrap(), day("2027-01-05"));
    // 成人の日 2027-01-11 is a Monday: open, and Tuesday closes instead.
    assert!(open("2027-01-11"));
    assert!(!open("2027-01-12"));
    assert_eq!(w.lib.next_open_day("chuo", day("2027-01-12")).unwrap(), day("2027-01-13"));
    // seibu has no rules of its own, so it follows the library's.
    assert!(!w.lib.is_open("seibu", day("2027-01-12")).unwrap());
}

#[test]
fn a_due_date_in_the_closures_moves_to_the_next_open_day() {
    let mut w = world();
    let patron = w.patron();
    let book = w.copy_at("chuo", "book");
    w.go_to("2026-12-15");
    // 14 days (chiba's book loan) from 12/15 is 12/29, inside 年末年始; 1/4 is a Monday.
    let loan = w.lib.checkout(&book, patron, "chuo").unwrap();
    assert_eq!(loan.due_on, day("2027-01-05"));
}

#[test]
fn api_exceptions_win_over_the_policy_rules() {
    let mut w = world();
    w.lib.open_specially_on("chuo", day("2027-01-02"), "臨時開館").unwrap();
    assert_eq!(w.lib.next_open_day("chuo", day("2026-12-28")).unwrap(), day("2027-01-02"));
    // Closing the holiday Monday through the API: nothing moves, so Tuesday opens.
    w.lib.close_on("chuo", day("2027-01-11"), "館内整理").unwrap();
    assert!(!w.lib.is_open("chuo", day("2027-01-11")).unwrap());
    assert!(w.lib.is_open("chuo", day("2027-01-12")).unwrap());
    // Weekdays closed through the API are added to the policy's.
    w.lib.set_closed_weekdays("chuo", &[Weekday::Wed]).unwrap();
    assert!(!w.lib.is_open("chuo", day("2027-01-18")).unwrap(), "Monday, from the policy");
    assert!(!w.lib.is_open("chuo", day("2027-01-20")).unwrap(), "Wednesday, from the API");
    assert!(w.lib.is_open("chuo", day("2027-01-19")).unwrap());
}

#[test]
fn a_branch_with_its_own_rules_replaces_the_library_wide_ones() {
    let mut w = world();
    let open = |w: &World, d: &str| w.lib.is_open("tobu", day(d)).unwrap();
    assert!(open(&w, "2026-12-28"), "a Monday: the library's Monday closure is not tobu's");
    assert!(open(&w, "2026-12-30"), "no year-end closure of its own");
    assert!(!open(&w, "2027-01-01"), "元日, a holiday");
    assert!(!open(&w, "2027-01-28"), "the last Thursday of January");
    assert!(open(&w, "2027-01-21"));
    assert!(!open(&w, "2027-02-01") && !open(&w, "2027-02-10"), "特別整理期間");
    assert!(!open(&w, "2027-02-11"), "建国記念の日");
    assert_eq!(w.lib.next_open_day("tobu", day("2027-02-01")).unwrap(), day("2027-02-12"));
    w.lib.open_specially_on("tobu", day("2027-02-05"), "臨時開館").unwrap();
    assert_eq!(w.lib.next_open_day("tobu", day("2027-02-01")).unwrap(), day("2027-02-05"));
}

#[test]
fn presets_without_calendar_rules_keep_their_calendars() {
    for name in bunko::policy::SEED_PRESETS {
        let p = Policy::preset(name).unwrap();
        assert!(p.calendar.is_empty(), "{name}");
        assert!(p.branches.iter().all(|b| b.calendar.is_none()), "{name}");
    }
}

fn error_of(extra: &str) -> String {
    let text = format!("{}{extra}", Policy::preset_toml("chiba").unwrap());
    Policy::from_toml(&text).expect_err("policy should be refused").to_string()
}

#[test]
fn bad_calendar_rules_are_named_with_their_key_paths() {
    let e = error_of("[calendar]\nmonthly_closed = [{ weekday = \"thu\", nth = 6 }]\n");
    assert!(e.contains("calendar.monthly_closed[0].nth") && e.contains("at most 5"), "{e}");
    let e = error_of("[calendar]\nclosed_ranges = [{ from = \"2027-02-10\", to = \"2027-02-01\" }]\n");
    assert!(e.contains("calendar.closed_ranges[0].from"), "{e}");
    let e = error_of("[calendar]\nclosed_ranges = [{ from = \"2027-01-01\", to = \"2028-01-02\" }]\n");
    assert!(e.contains("calendar.closed_ranges[0].to") && e.contains("367 days"), "{e}");
    let e = error_of("[calendar]\nyearly_closed = [{ from = \"02-30\" }]\n");
    assert!(e.contains("calendar.yearly_closed") && e.contains("02-30"), "{e}");
    let e = error_of("[calendar]\nclosed_weekdays = [\"mon\", \"mon\"]\n");
    assert!(e.contains("calendar.closed_weekdays"), "{e}");
    let e = error_of("[calendar]\nholiday = \"closed\"\n");
    assert!(e.contains("holiday"), "unknown keys are refused: {e}");
}

#[test]
fn ranges_take_toml_dates_or_strings() {
    let with = |range: &str| {
        let text = format!("{}[calendar]\nclosed_ranges = [{range}]\n", Policy::preset_toml("chiba").unwrap());
        Policy::from_toml(&text).map(|p| p.calendar.closed_ranges)
    };
    let bare = with("{ from = 2027-02-01, to = 2027-02-10 }").unwrap();
    assert_eq!(bare, with(r#"{ from = "2027-02-01", to = "2027-02-10" }"#).unwrap());
    assert_eq!(bare[0].to, day("2027-02-10"));
    let e = with("{ from = 2027-02-01T10:00:00, to = 2027-02-10 }").unwrap_err().to_string();
    assert!(e.contains("calendar.closed_ranges[0].from"), "{e}");
}
