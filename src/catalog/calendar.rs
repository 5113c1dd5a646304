//! Opening calendar: which days a branch is open. Pure functions over loaded data.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use super::is_japanese_holiday;
use crate::policy::{CalendarRules, DateRange, HolidayRule, MonthDay, MonthlyClosure, Policy, Weekday, YearlyClosure};

/// How far ahead the calendar looks for an open day before giving up (ten years).
pub const SEARCH_HORIZON_DAYS: u64 = 3660;

/// A date that departs from a branch's weekly pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CalendarException {
    /// Closed on a normally open day (holiday, stocktaking, 特別整理期間).
    Closed,
    /// Open on a normally closed day (臨時開館).
    SpecialOpening,
}

/// Longest run of days that are not weekdays (Saturdays, Sundays, holidays) looked back over
/// to find a holiday whose closure moved (`open_then_next_weekday_closed`); the longest real
/// run, Golden Week 2019 with its weekend, is ten days.
const MOVED_CLOSURE_LOOKBACK_DAYS: u64 = 16;

/// A branch's opening pattern: closed weekdays, the policy's [`CalendarRules`], and dated
/// exceptions, in this order of precedence: a dated exception wins; then a dated, yearly or
/// monthly closure closes; then the holiday rule; then the weekly pattern.
///
/// # Examples
/// ```
/// use bunko::catalog::{CalendarException, OpeningCalendar};
/// use bunko::policy::Weekday;
/// use chrono::NaiveDate;
///
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let mut cal = OpeningCalendar::new(&[Weekday::Mon]);
/// cal.set_exception(d("2026-12-29"), CalendarException::Closed);
/// assert!(!cal.is_open(d("2026-12-28"))); // a Monday
/// assert!(!cal.is_open(d("2026-12-29"))); // year-end closure
/// assert_eq!(cal.next_open_day(d("2026-12-28")), Some(d("2026-12-30")));
/// ```
///
/// The same from policy rules: 「月曜休館、祝日の場合は翌平日」.
/// ```
/// use bunko::catalog::OpeningCalendar;
/// use bunko::policy::{CalendarRules, HolidayRule, Weekday};
/// use chrono::NaiveDate;
///
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let rules = CalendarRules {
///     closed_weekdays: vec![Weekday::Mon],
///     holidays: HolidayRule::OpenThenNextWeekdayClosed,
///     ..CalendarRules::default()
/// };
/// let cal = OpeningCalendar::with_rules(rules);
/// assert!(cal.is_open(d("2027-01-11"))); // 成人の日, a Monday
/// assert!(!cal.is_open(d("2027-01-12"))); // the closure moved to Tuesday
/// assert!(!cal.is_open(d("2027-01-18"))); // an ordinary Monday
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningCalendar {
    closed_weekdays: [bool; 7],
    rules: CalendarRules,
    exceptions: BTreeMap<NaiveDate, CalendarException>,
}

impl OpeningCalendar {
    /// A calendar closed on the given weekdays and open on all others.
    #[must_use]
    pub fn new(closed_weekdays: &[Weekday]) -> Self {
        let mut closed = [false; 7];
        for w in closed_weekdays {
            closed[usize::from(w.index())] = true;
        }
        Self { closed_weekdays: closed, rules: CalendarRules::default(), exceptions: BTreeMap::new() }
    }

    /// A calendar following the policy's `rules`, with no dated exceptions yet.
    #[must_use]
    pub fn with_rules(rules: CalendarRules) -> Self {
        let mut cal = Self::new(&[]);
        cal.close_weekdays(&rules.closed_weekdays);
        cal.rules = rules;
        cal
    }

    /// The calendar `branch` follows under `policy` alone (no database: no weekdays closed and
    /// no dated exceptions set through the API); `None` if the policy has no such branch.
    ///
    /// # Examples
    /// ```
    /// use bunko::Policy;
    /// use bunko::catalog::OpeningCalendar;
    /// use chrono::NaiveDate;
    ///
    /// let text = format!("{}\n[calendar]\nclosed_weekdays = [\"mon\"]\n", Policy::preset_toml("chiba").unwrap());
    /// let policy = Policy::from_toml(&text).unwrap();
    /// let cal = OpeningCalendar::from_policy(&policy, "chuo").unwrap();
    /// assert!(!cal.is_open("2027-01-18".parse::<NaiveDate>().unwrap())); // a Monday
    /// assert!(OpeningCalendar::from_policy(&policy, "nowhere").is_none());
    /// ```
    #[must_use]
    pub fn from_policy(policy: &Policy, branch: &str) -> Option<Self> {
        policy.branch(branch).map(|_| Self::with_rules(policy.calendar(branch).clone()))
    }

    /// Adds regular closures on `days`, keeping those already closed.
    pub fn close_weekdays(&mut self, days: &[Weekday]) {
        for w in days {
            self.closed_weekdays[usize::from(w.index())] = true;
        }
    }

    /// The policy rules it follows (their weekdays are also in [`Self::closed_weekdays`]).
    #[must_use]
    pub fn rules(&self) -> &CalendarRules {
        &self.rules
    }

    /// Records an exception for `day`, replacing any earlier one.
    pub fn set_exception(&mut self, day: NaiveDate, exception: CalendarException) {
        self.exceptions.insert(day, exception);
    }

    /// The weekdays the branch is regularly closed.
    #[must_use]
    pub fn closed_weekdays(&self) -> Vec<Weekday> {
        Weekday::ALL.into_iter().filter(|w| self.closed_weekdays[usize::from(w.index())]).collect()
    }

    /// The dated exceptions, in date order.
    pub fn exceptions(&self) -> impl Iterator<Item = (NaiveDate, CalendarException)> + '_ {
        self.exceptions.iter().map(|(d, e)| (*d, *e))
    }

    /// Whether the branch is open on `day`.
    #[must_use]
    pub fn is_open(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(CalendarException::Closed) => false,
            Some(CalendarException::SpecialOpening) => true,
            None => self.open_by_rules(day),
        }
    }

    /// Whether the rules alone, without dated exceptions, open the branch on `day`.
    fn open_by_rules(&self, day: NaiveDate) -> bool {
        if self.closed_by_date(day) {
            return false;
        }
        match self.rules.holidays {
            HolidayRule::Open => !self.closed_weekday(day),
            HolidayRule::Closed => !is_japanese_holiday(day) && !self.closed_weekday(day),
            HolidayRule::OpenThenNextWeekdayClosed => {
                is_japanese_holiday(day) || !(self.closed_weekday(day) || self.closure_moved_to(day))
            }
        }
    }

    fn closed_weekday(&self, day: NaiveDate) -> bool {
        self.closed_weekdays[day.weekday().num_days_from_monday() as usize]
    }

    /// A dated, yearly or monthly closure of the policy falls on `day`.
    fn closed_by_date(&self, day: NaiveDate) -> bool {
        let r = &self.rules;
        r.closed_ranges.iter().any(|range| in_range(range, day))
            || r.yearly_closed.iter().any(|yearly| in_yearly(yearly, day))
            || r.monthly_closed.iter().any(|monthly| in_monthly(monthly, day))
    }

    /// Whether a regular closure moved to `day` from a holiday the branch opened on: `day` is
    /// a weekday that is not a holiday, and such a holiday lies in the run of weekend days and
    /// holidays just before it.
    fn closure_moved_to(&self, day: NaiveDate) -> bool {
        if !is_plain_weekday(day) {
            return false;
        }
        (1..=MOVED_CLOSURE_LOOKBACK_DAYS)
            .map_while(|i| day.checked_sub_days(Days::new(i)))
            .take_while(|before| !is_plain_weekday(*before))
            .any(|before| is_japanese_holiday(before) && self.closed_weekday(before) && self.opens_on_holiday(before))
    }

    /// Whether the branch opens on `holiday`, a holiday on one of its closed weekdays.
    fn opens_on_holiday(&self, holiday: NaiveDate) -> bool {
        match self.exceptions.get(&holiday) {
            Some(CalendarException::Closed) => false,
            Some(CalendarException::SpecialOpening) => true,
            None => !self.closed_by_date(holiday),
        }
    }

    /// The first open day on or after `day`; `None` if none within [`SEARCH_HORIZON_DAYS`].
    #[must_use]
    pub fn next_open_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        (0..=SEARCH_HORIZON_DAYS).filter_map(|i| day.checked_add_days(Days::new(i))).find(|d| self.is_open(*d))
    }

    /// The last open day on or before `day` and not before `floor`; `None` if there is none.
    #[must_use]
    pub fn previous_open_day(&self, day: NaiveDate, floor: NaiveDate) -> Option<NaiveDate> {
        let span = u64::try_from((day - floor).num_days()).ok()?.min(SEARCH_HORIZON_DAYS);
        (0..=span).filter_map(|i| day.checked_sub_days(Days::new(i))).find(|d| self.is_open(*d))
    }

    /// The `n`-th open day after `day`, not counting `day` itself; `n = 0` gives `day`.
    /// `None` if it lies beyond [`SEARCH_HORIZON_DAYS`].
    #[must_use]
    pub fn nth_open_day_after(&self, day: NaiveDate, n: u32) -> Option<NaiveDate> {
        let Some(skip) = n.checked_sub(1) else { return Some(day) };
        (1..=SEARCH_HORIZON_DAYS)
            .filter_map(|i| day.checked_add_days(Days::new(i)))
            .filter(|d| self.is_open(*d))
            .nth(usize::try_from(skip).ok()?)
    }
}

/// Monday to Friday and not a holiday (平日).
fn is_plain_weekday(day: NaiveDate) -> bool {
    day.weekday().num_days_from_monday() < 5 && !is_japanese_holiday(day)
}

fn in_range(range: &DateRange, day: NaiveDate) -> bool {
    (range.from..=range.to).contains(&day)
}

fn in_yearly(yearly: &YearlyClosure, day: NaiveDate) -> bool {
    let (from, to) = (yearly.from, yearly.to.unwrap_or(yearly.from));
    let Some(md) =
        u8::try_from(day.month()).ok().zip(u8::try_from(day.day()).ok()).and_then(|(m, d)| MonthDay::new(m, d))
    else {
        return false;
    };
    if from <= to { (from..=to).contains(&md) } else { md >= from || md <= to }
}

fn in_monthly(monthly: &MonthlyClosure, day: NaiveDate) -> bool {
    if Weekday::from(day.weekday()) != monthly.weekday {
        return false;
    }
    let nth = if monthly.from_end {
        let last = last_day_of_month(day);
        (last - day.day()) / 7 + 1
    } else {
        (day.day() - 1) / 7 + 1
    };
    nth == u32::from(monthly.nth)
}

fn last_day_of_month(day: NaiveDate) -> u32 {
    (28..=31).rev().find(|d| day.with_day(*d).is_some()).unwrap_or(28)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn every_day_2000_2099() -> impl Iterator<Item = NaiveDate> {
        d("2000-01-01").iter_days().take_while(|day| day.year() <= 2099)
    }

    fn rules(holidays: HolidayRule) -> CalendarRules {
        CalendarRules { closed_weekdays: vec![Weekday::Mon], holidays, ..CalendarRules::default() }
    }

    fn first_plain_weekday_after(day: NaiveDate) -> NaiveDate {
        day.iter_days().skip(1).find(|d| is_plain_weekday(*d)).unwrap()
    }

    #[test]
    fn closed_on_holidays_means_exactly_holidays_and_the_weekly_closures() {
        let cal = OpeningCalendar::with_rules(rules(HolidayRule::Closed));
        for day in every_day_2000_2099() {
            let expected_closed = is_japanese_holiday(day) || day.weekday() == chrono::Weekday::Mon;
            assert_eq!(cal.is_open(day), !expected_closed, "{day}");
        }
    }

    #[test]
    fn open_holidays_keep_the_weekly_pattern() {
        let cal = OpeningCalendar::with_rules(rules(HolidayRule::Open));
        for day in every_day_2000_2099() {
            assert_eq!(cal.is_open(day), day.weekday() != chrono::Weekday::Mon, "{day}");
        }
    }

    #[test]
    fn a_monday_holiday_opens_and_closes_the_next_weekday_that_is_no_holiday() {
        let cal = OpeningCalendar::with_rules(rules(HolidayRule::OpenThenNextWeekdayClosed));
        let moved: std::collections::BTreeSet<NaiveDate> = every_day_2000_2099()
            .filter(|day| day.weekday() == chrono::Weekday::Mon && is_japanese_holiday(*day))
            .map(first_plain_weekday_after)
            .collect();
        for day in every_day_2000_2099() {
            let expected_closed =
                !is_japanese_holiday(day) && day.weekday() == chrono::Weekday::Mon || moved.contains(&day);
            assert_eq!(cal.is_open(day), !expected_closed, "{day}");
        }
        // Golden Week 2019: Monday 4/29 through Monday 5/6 are holidays; both Mondays move to 5/7.
        assert!(cal.is_open(d("2019-04-29")) && cal.is_open(d("2019-05-06")));
        assert!(!cal.is_open(d("2019-05-07")));
        assert!(cal.is_open(d("2019-05-08")));
    }

    #[test]
    fn a_holiday_closed_by_another_rule_moves_nothing() {
        let mut r = rules(HolidayRule::OpenThenNextWeekdayClosed);
        r.yearly_closed = vec![YearlyClosure { from: MonthDay::new(12, 29).unwrap(), to: MonthDay::new(1, 3) }];
        let mut cal = OpeningCalendar::with_rules(r);
        // 2029-01-01 is a Monday and 元日, inside the year-end closure: Tuesday 1/2 is closed by
        // that closure, and Thursday 1/4 opens as usual.
        assert!(!cal.is_open(d("2029-01-01")));
        assert!(cal.is_open(d("2029-01-04")));
        // 成人の日 2029-01-08 closed by the API: Tuesday 1/9 stays open.
        assert!(!cal.is_open(d("2029-01-09")));
        cal.set_exception(d("2029-01-08"), CalendarException::Closed);
        assert!(cal.is_open(d("2029-01-09")));
    }

    #[test]
    fn yearly_closures_cross_the_year_end() {
        let yearly = YearlyClosure { from: MonthDay::new(12, 29).unwrap(), to: MonthDay::new(1, 3) };
        let cal =
            OpeningCalendar::with_rules(CalendarRules { yearly_closed: vec![yearly], ..CalendarRules::default() });
        for year in 2000..=2099 {
            let on = |m, day| NaiveDate::from_ymd_opt(year, m, day).unwrap();
            assert!(cal.is_open(on(12, 28)) && cal.is_open(on(1, 4)), "{year}");
            for day in [on(12, 29), on(12, 31), on(1, 1), on(1, 3)] {
                assert!(!cal.is_open(day), "{day}");
            }
        }
        let leap = YearlyClosure { from: MonthDay::new(2, 29).unwrap(), to: None };
        let cal = OpeningCalendar::with_rules(CalendarRules { yearly_closed: vec![leap], ..CalendarRules::default() });
        assert!(!cal.is_open(d("2028-02-29")));
        assert!(cal.is_open(d("2027-02-28")) && cal.is_open(d("2027-03-01")));
    }

    #[test]
    fn dated_ranges_close_every_day_in_them_and_exceptions_win() {
        let range = DateRange { from: d("2027-02-01"), to: d("2027-02-10") };
        let mut cal =
            OpeningCalendar::with_rules(CalendarRules { closed_ranges: vec![range], ..CalendarRules::default() });
        assert!(cal.is_open(d("2027-01-31")) && cal.is_open(d("2027-02-11")));
        assert!((1..=10).all(|n| !cal.is_open(d("2027-02-01") + Days::new(n - 1))));
        cal.set_exception(d("2027-02-05"), CalendarException::SpecialOpening);
        assert!(cal.is_open(d("2027-02-05")));
        assert_eq!(cal.next_open_day(d("2027-02-01")), Some(d("2027-02-05")));
    }

    proptest! {
        #[test]
        fn monthly_closures_match_a_naive_count(offset in 0u64..36_500, weekday in 0u8..7, nth in 1u8..=5, from_end: bool) {
            let day = d("2000-01-01") + Days::new(offset);
            let weekday = Weekday::from_index(weekday).unwrap();
            let monthly = MonthlyClosure { weekday, nth, from_end };
            let cal = OpeningCalendar::with_rules(CalendarRules { monthly_closed: vec![monthly], ..CalendarRules::default() });
            // Count the same weekdays of the month up to (or from) `day`, one day at a time.
            let same_month_same_weekday = |d: &NaiveDate| d.month() == day.month() && d.weekday() == day.weekday();
            let count = if from_end {
                day.iter_days().take(40).filter(same_month_same_weekday).count()
            } else {
                day.iter_days().rev().take(40).filter(same_month_same_weekday).count()
            };
            let expected_closed = Weekday::from(day.weekday()) == weekday && count == usize::from(nth);
            prop_assert_eq!(cal.is_open(day), !expected_closed);
        }

        #[test]
        fn dated_exceptions_win_over_every_rule(offset in 0u64..36_500, open: bool) {
            let day = d("2000-01-01") + Days::new(offset);
            let all = CalendarRules {
                closed_weekdays: Weekday::ALL.to_vec(),
                holidays: HolidayRule::OpenThenNextWeekdayClosed,
                ..CalendarRules::default()
            };
            let mut cal = OpeningCalendar::with_rules(all);
            let exception = if open { CalendarException::SpecialOpening } else { CalendarException::Closed };
            cal.set_exception(day, exception);
            prop_assert_eq!(cal.is_open(day), open);
        }
    }
}
