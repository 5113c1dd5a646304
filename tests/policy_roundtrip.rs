//! proptest: any valid policy round-trips TOML -> struct -> TOML -> struct unchanged.

use bunko::Policy;
use bunko::policy::{
    CalendarRules, ContactMethod, ContactMethodRule, DateRange, HolidayRule, MonthDay, MonthlyClosure, PickupPoint,
    RenewalBlock, Weekday, YearlyClosure,
};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::subsequence;

fn weekday() -> impl Strategy<Value = Weekday> {
    prop::sample::select(Weekday::ALL.to_vec())
}

/// Names with the characters librarians really type: kana, kanji, quotes, emoji.
fn display_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 図書館中央西部東部あいうアイウ\"'#=\\[\\]😀]{1,20}".prop_filter("not blank", |s| !s.trim().is_empty())
}

prop_compose! {
    fn calendar()(
        closed in subsequence(Weekday::ALL.to_vec(), 0..=3),
        holidays in prop::sample::select(vec![HolidayRule::Open, HolidayRule::Closed, HolidayRule::OpenThenNextWeekdayClosed]),
        yearly in prop::collection::vec((1u8..=12, 1u8..=28, prop::option::of((1u8..=12, 1u8..=28))), 0..3),
        ranges in prop::collection::vec((0u64..40_000, 0u64..366), 0..3),
        monthly in prop::collection::vec((weekday(), 1u8..=5, any::<bool>()), 0..3),
    ) -> CalendarRules {
        let md = |(m, d)| MonthDay::new(m, d).unwrap();
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let mut monthly: Vec<MonthlyClosure> =
            monthly.into_iter().map(|(weekday, nth, from_end)| MonthlyClosure { weekday, nth, from_end }).collect();
        monthly.sort();
        monthly.dedup();
        CalendarRules {
            closed_weekdays: closed,
            holidays,
            yearly_closed: yearly.into_iter().map(|(m, d, to)| YearlyClosure { from: md((m, d)), to: to.map(md) }).collect(),
            closed_ranges: ranges
                .into_iter()
                .map(|(at, len)| DateRange { from: start + Days::new(at), to: start + Days::new(at + len) })
                .collect(),
            monthly_closed: monthly,
        }
    }
}

prop_compose! {
    fn valid_policy()(
        preset in prop::sample::select(bunko::policy::PRESET_NAMES.to_vec()),
        name in display_name(),
        offset in -12 * 60..=14 * 60i32,
        delivery in subsequence(Weekday::ALL.to_vec(), 1..=7),
        card_min in 1u32..=10, card_extra in 0u32..=10,
        pw_min in 1u32..=12, pw_extra in prop::option::of(0u32..=20),
        total in prop::option::of(12u32..=50),
        book in 1u32..=12,
        shelf_days in 1u32..=30,
        visible in 0u32..=60,
        renewals in 0u32..=3, renewal_days in 1u32..=30, counts_day in any::<bool>(),
        blocks in subsequence(vec![RenewalBlock::Overdue, RenewalBlock::AccountHasOverdue, RenewalBlock::HeldByOthers, RenewalBlock::InterlibraryLoan], 0..=4),
        methods in subsequence(vec![ContactMethod::None, ContactMethod::Mail, ContactMethod::Phone, ContactMethod::Voice, ContactMethod::Post, ContactMethod::Fax], 1..=6),
        weeks in subsequence(vec![1u8, 2, 3, 4, 5], 1..=5),
        send_day in weekday(),
        point_name in prop::option::of(display_name()),
        lists in 1u32..=500,
        library_calendar in calendar(),
        branch_calendar in prop::option::of(calendar()),
    ) -> Policy {
        let mut p = Policy::preset(preset).unwrap();
        p.library.name = name;
        p.library.utc_offset = bunko::policy::UtcOffset::from_minutes(offset).unwrap();
        p.delivery.weekdays = delivery;
        p.cards.min_length = card_min;
        p.cards.max_length = card_min + card_extra;
        p.passwords.min_length = pw_min;
        p.passwords.max_length = pw_extra.map(|e| pw_min + e);
        p.holds.limits.total = total;
        if p.materials["book"].holdable {
            p.holds.limits.per_kind.insert("book".into(), book);
        }
        p.holds.shelf_days = shelf_days;
        p.holds.cancelled_visible_days = visible;
        p.loans.renewal.max_renewals = renewals;
        p.loans.renewal.days = renewal_days;
        p.loans.renewal.counts_renewal_day = counts_day;
        p.loans.renewal.refused_when = blocks;
        p.contact.methods = methods.into_iter().map(|method| ContactMethodRule { method, requires: None }).collect();
        p.contact.email_cap = p.contact.email_cap.max(1);
        p.contact.bounce_fallback = None;
        p.alerts.schedule.weeks_of_month = weeks;
        p.alerts.schedule.weekday = send_day;
        if let Some(name) = point_name {
            p.branches[0].pickup_points = vec![PickupPoint { code: "point-1".into(), name }];
        }
        p.booklists.max_lists = lists;
        p.calendar = library_calendar;
        p.branches[0].calendar = branch_calendar;
        p
    }
}

proptest! {
    #[test]
    fn valid_policies_round_trip_through_toml(p in valid_policy()) {
        let text = p.to_toml().unwrap();
        let back = Policy::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_toml().unwrap(), text);
    }
}
