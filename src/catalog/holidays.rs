//! Japanese national holidays (国民の祝日 and the other 休日 of the holiday law), computed.
//!
//! Covers [`HOLIDAY_YEARS`] (2000–2099): the fixed-date days, the Happy Monday days, the
//! vernal and autumnal equinoxes by the standard approximation (valid 1980–2099), 振替休日
//! (from 2007 the nearest following day that is not a 祝日; before, the Monday), 国民の休日 (a
//! day between two 祝日), and the special years: 2019's enthronement days and the 2020/2021
//! Olympic moves. Outside those years nothing is returned: later equinox days and law changes
//! cannot be known, and a guess would close (or open) a branch on the wrong day.

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::sync::OnceLock;

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// The years [`japanese_holidays`] knows.
pub const HOLIDAY_YEARS: RangeInclusive<i32> = 2000..=2099;

/// The name of a substitute holiday.
const SUBSTITUTE: &str = "振替休日";
/// The name of a day between two 祝日.
const BETWEEN: &str = "国民の休日";

/// Every national holiday of `year`, in date order, with its name (`春分の日`, `振替休日`, …);
/// empty outside [`HOLIDAY_YEARS`].
///
/// # Examples
/// ```
/// use bunko::catalog::japanese_holidays;
/// use chrono::NaiveDate;
///
/// let days = japanese_holidays(2019);
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// assert!(days.contains(&(d("2019-05-01"), "天皇の即位の日")));
/// assert!(days.contains(&(d("2019-04-30"), "国民の休日")));
/// assert!(japanese_holidays(2100).is_empty());
/// ```
#[must_use]
pub fn japanese_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    if !HOLIDAY_YEARS.contains(&year) {
        return Vec::new();
    }
    let mut days = national_days(year);
    let named: Vec<NaiveDate> = days.keys().copied().collect();
    for &day in &named {
        if day.weekday() != Weekday::Sun {
            continue;
        }
        if let Some(sub) = substitute_for(year, day, &days) {
            days.entry(sub).or_insert(SUBSTITUTE);
        }
    }
    for &day in &named {
        let Some(between) = day.checked_add_days(Days::new(1)) else { continue };
        let after = between.checked_add_days(Days::new(1));
        let sunday_excluded = year < 2007 && between.weekday() == Weekday::Sun;
        if after.is_some_and(|a| named.contains(&a)) && !days.contains_key(&between) && !sunday_excluded {
            days.insert(between, BETWEEN);
        }
    }
    days.into_iter().collect()
}

/// Whether `day` is a national holiday; always false outside [`HOLIDAY_YEARS`].
pub fn is_japanese_holiday(day: NaiveDate) -> bool {
    static ALL: OnceLock<Vec<NaiveDate>> = OnceLock::new();
    let all = ALL.get_or_init(|| HOLIDAY_YEARS.flat_map(japanese_holidays).map(|(d, _)| d).collect());
    all.binary_search(&day).is_ok()
}

/// The 振替休日 owed for a 祝日 on a Sunday: from 2007 the nearest following day that is not a
/// 祝日; before, the Monday if it is not one.
fn substitute_for(year: i32, sunday: NaiveDate, named: &BTreeMap<NaiveDate, &'static str>) -> Option<NaiveDate> {
    let mut day = sunday.checked_add_days(Days::new(1))?;
    if year < 2007 {
        return (!named.contains_key(&day)).then_some(day);
    }
    while named.contains_key(&day) {
        day = day.checked_add_days(Days::new(1))?;
    }
    Some(day)
}

/// The 国民の祝日 of `year` (the days the law names), before substitutes and days between.
fn national_days(year: i32) -> BTreeMap<NaiveDate, &'static str> {
    let mut days = BTreeMap::new();
    let mut add = |day: Option<NaiveDate>, name: &'static str| {
        if let Some(day) = day {
            days.insert(day, name);
        }
    };
    let on = |month: u32, day: u32| NaiveDate::from_ymd_opt(year, month, day);
    let monday = |month: u32, n: u8| NaiveDate::from_weekday_of_month_opt(year, month, Weekday::Mon, n);
    add(on(1, 1), "元日");
    add(monday(1, 2), "成人の日");
    add(on(2, 11), "建国記念の日");
    if year >= 2020 {
        add(on(2, 23), "天皇誕生日");
    }
    add(on(3, equinox_day(year, 20_843_100)), "春分の日");
    add(on(4, 29), if year >= 2007 { "昭和の日" } else { "みどりの日" });
    add(on(5, 3), "憲法記念日");
    if year >= 2007 {
        add(on(5, 4), "みどりの日");
    }
    add(on(5, 5), "こどもの日");
    let sea = match year {
        ..=2002 => on(7, 20),
        2020 => on(7, 23),
        2021 => on(7, 22),
        _ => monday(7, 3),
    };
    add(sea, "海の日");
    let mountain = match year {
        ..=2015 => None,
        2020 => on(8, 10),
        2021 => on(8, 8),
        _ => on(8, 11),
    };
    add(mountain, "山の日");
    add(if year <= 2002 { on(9, 15) } else { monday(9, 3) }, "敬老の日");
    add(on(9, equinox_day(year, 23_248_800)), "秋分の日");
    match year {
        ..=2019 => add(monday(10, 2), "体育の日"),
        2020 => add(on(7, 24), "スポーツの日"),
        2021 => add(on(7, 23), "スポーツの日"),
        _ => add(monday(10, 2), "スポーツの日"),
    }
    add(on(11, 3), "文化の日");
    add(on(11, 23), "勤労感謝の日");
    if year <= 2018 {
        add(on(12, 23), "天皇誕生日");
    }
    if year == 2019 {
        add(on(5, 1), "天皇の即位の日");
        add(on(10, 22), "即位礼正殿の儀");
    }
    days
}

/// The day of the month of an equinox by the standard approximation for 1980–2099:
/// `floor(base + 0.242194 (Y − 1980) − floor((Y − 1980) / 4))`, with `base` in millionths
/// (20.8431 for March, 23.2488 for September), in integers so no rounding can creep in.
fn equinox_day(year: i32, base_millionths: i64) -> u32 {
    let y = i64::from(year - 1980);
    let day = (base_millionths + 242_194 * y) / 1_000_000 - y / 4;
    u32::try_from(day).unwrap_or(0)
}
