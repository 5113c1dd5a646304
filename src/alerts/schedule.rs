//! The send schedule (R-N3): a weekday in given weeks of the month, computed from the calendar.

use chrono::{Datelike, Days, NaiveDate};

use crate::policy::{SendSchedule, Weekday};

/// Whether `day` is a send day: the schedule's weekday, in one of its weeks of the month
/// (the 2nd Tuesday is the Tuesday falling on the 8th–14th).
///
/// # Examples
/// ```
/// use bunko::alerts::is_send_day;
/// let fukushima = bunko::Policy::preset("fukushima").unwrap();
/// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
/// assert!(is_send_day(&fukushima.alerts.schedule, d("2026-12-08")));  // 2nd Tuesday
/// assert!(!is_send_day(&fukushima.alerts.schedule, d("2026-12-01"))); // 1st Tuesday
/// ```
#[must_use]
pub fn is_send_day(schedule: &SendSchedule, day: NaiveDate) -> bool {
    let week = ((day.day() - 1) / 7 + 1) as u8;
    Weekday::from(day.weekday()) == schedule.weekday && schedule.weeks_of_month.contains(&week)
}

/// The latest send day on or before `today`, looking back at most two months.
#[must_use]
pub fn latest_send_day(schedule: &SendSchedule, today: NaiveDate) -> Option<NaiveDate> {
    (0..=62u64).filter_map(|i| today.checked_sub_days(Days::new(i))).find(|d| is_send_day(schedule, *d))
}
