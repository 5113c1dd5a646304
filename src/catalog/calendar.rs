//! Opening calendar: which days a branch is open. Pure functions over loaded data.

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate};

use crate::policy::Weekday;

/// How far ahead the calendar looks for an open day before giving up (ten years).
pub const SEARCH_HORIZON_DAYS: u64 = 3660;

/// A date that departs from a branch's weekly pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalendarException {
    /// Closed on a normally open day (holiday, stocktaking, 特別整理期間).
    Closed,
    /// Open on a normally closed day (臨時開館).
    SpecialOpening,
}

/// A branch's opening pattern: closed weekdays plus dated exceptions.
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
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpeningCalendar {
    closed_weekdays: [bool; 7],
    exceptions: BTreeMap<NaiveDate, CalendarException>,
}

impl OpeningCalendar {
    /// A calendar closed on the given weekdays and open on all others.
    pub fn new(closed_weekdays: &[Weekday]) -> Self {
        let mut closed = [false; 7];
        for w in closed_weekdays {
            closed[usize::from(w.index())] = true;
        }
        Self { closed_weekdays: closed, exceptions: BTreeMap::new() }
    }

    /// Records an exception for `day`, replacing any earlier one.
    pub fn set_exception(&mut self, day: NaiveDate, exception: CalendarException) {
        self.exceptions.insert(day, exception);
    }

    /// The weekdays the branch is regularly closed.
    pub fn closed_weekdays(&self) -> Vec<Weekday> {
        Weekday::ALL.into_iter().filter(|w| self.closed_weekdays[usize::from(w.index())]).collect()
    }

    /// The dated exceptions, in date order.
    pub fn exceptions(&self) -> impl Iterator<Item = (NaiveDate, CalendarException)> + '_ {
        self.exceptions.iter().map(|(d, e)| (*d, *e))
    }

    /// Whether the branch is open on `day`.
    pub fn is_open(&self, day: NaiveDate) -> bool {
        match self.exceptions.get(&day) {
            Some(CalendarException::Closed) => false,
            Some(CalendarException::SpecialOpening) => true,
            None => !self.closed_weekdays[day.weekday().num_days_from_monday() as usize],
        }
    }

    /// The first open day on or after `day`; `None` if none within [`SEARCH_HORIZON_DAYS`].
    pub fn next_open_day(&self, day: NaiveDate) -> Option<NaiveDate> {
        (0..=SEARCH_HORIZON_DAYS).filter_map(|i| day.checked_add_days(Days::new(i))).find(|d| self.is_open(*d))
    }

    /// The `n`-th open day after `day`, not counting `day` itself; `n = 0` gives `day`.
    /// `None` if it lies beyond [`SEARCH_HORIZON_DAYS`].
    pub fn nth_open_day_after(&self, day: NaiveDate, n: u32) -> Option<NaiveDate> {
        let Some(skip) = n.checked_sub(1) else { return Some(day) };
        (1..=SEARCH_HORIZON_DAYS)
            .filter_map(|i| day.checked_add_days(Days::new(i)))
            .filter(|d| self.is_open(*d))
            .nth(usize::try_from(skip).ok()?)
    }
}
