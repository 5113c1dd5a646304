//! proptest: any valid policy round-trips TOML -> struct -> TOML -> struct unchanged.

use bunko::Policy;
use bunko::policy::{
    CalendarRules, ContactMethod, ContactMethodRule, DateRange, DueMove, HardDueDate, HolidayRule, MonthDay,
    MonthlyClosure, PatronCategory, PickupPoint, RenewalBase, RenewalBlock, ScopedRule, Weekday, YearlyClosure,
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

fn renewal_base() -> impl Strategy<Value = RenewalBase> {
    prop::sample::select(vec![RenewalBase::Today, RenewalBase::DueDate])
}

prop_compose! {
    /// A `general` and a `child` category, and one `[[rules]]` entry of each shape a preset
    /// admits whatever its kinds say: category + kind, branch, category, kind only (with
    /// parameters no kind section sets).
    fn categories_and_rules(branch: String)(
        card_years in prop::option::of(1u32..=100),
        ages in (0u32..=10, 0u32..=10),
        child_book in (1u32..=366, 1u32..=1000, renewal_base(), any::<bool>(), any::<bool>()),
        at_branch in (1u32..=366, 0u32..=3660, display_name()),
        general in (1u32..=1000, 0u32..=100, 1u32..=366, 0u32..=366, 0u32..=30),
        magazine in (0u32..=100, 1u32..=366),
    ) -> (Vec<(String, PatronCategory)>, Vec<ScopedRule>) {
        let general_category = PatronCategory { label: "一般".into(), card_valid_years: card_years, min_age: None, max_age: None };
        let child = PatronCategory { label: "児童".into(), card_valid_years: None, min_age: Some(ages.0), max_age: Some(ages.0 + ages.1) };
        let rules = vec![
            ScopedRule {
                category: Some("child".into()),
                kind: Some("book".into()),
                loan_days: Some(child_book.0),
                checkout_limit: Some(child_book.1),
                renewal_base: Some(child_book.2),
                latest_issue_loanable: Some(child_book.3),
                loanable: Some(true),
                holdable: Some(child_book.4),
                ..ScopedRule::default()
            },
            ScopedRule {
                branch: Some(branch.clone()),
                shelf_days: Some(at_branch.0),
                pickup_branches: Some(vec![branch.clone()]),
                new_title_hold_delay_days: Some(at_branch.1),
                note: Some(at_branch.2),
                ..ScopedRule::default()
            },
            ScopedRule {
                category: Some("general".into()),
                hold_limit: Some(general.0),
                renewals: Some(general.1),
                renewal_days: Some(general.2),
                renewal_opens_days_before_due: Some(general.3),
                suspension_days_per_late_day: Some(general.4),
                ..ScopedRule::default()
            },
            ScopedRule {
                kind: Some("magazine".into()),
                renewals: Some(magazine.0),
                shelf_days: Some(magazine.1),
                ..ScopedRule::default()
            },
        ];
        (vec![("general".into(), general_category), ("child".into(), child)], rules)
    }
}

prop_compose! {
    /// A valid policy with every key issue #15 added set: categories, rules, loan days, due
    /// dates moved back, capped and hard, suspensions, checkout limits, renewal base, the
    /// new-title delay, and a branch's delivery days and transit (R-H6).
    fn policy_with_new_keys()(p in valid_policy())(
        matrix in categories_and_rules(p.branches[0].code.clone()),
        loan_days in prop::option::of(1u32..=366),
        moves in prop::sample::select(vec![DueMove::Next, DueMove::Previous]),
        flags in (any::<bool>(), any::<bool>()),
        suspension in prop::option::of(0u32..=30),
        checkout in (prop::option::of(20u32..=1000), 1u32..=20),
        hard in prop::collection::vec((0u64..36_000, 0u64..=366, any::<bool>()), 0..3),
        base in renewal_base(),
        delay in prop::option::of(0u32..=3660),
        delivery in prop::option::of(subsequence(Weekday::ALL.to_vec(), 1..=7)),
        transit in 1u32..=30,
        p in Just(p),
    ) -> Policy {
        let mut p = p;
        let (categories, rules) = matrix;
        p.categories = categories.into_iter().collect();
        p.rules = rules;
        p.loans.loan_days = loan_days.or(p.loans.loan_days);
        p.loans.closed_due_moves = moves;
        (p.loans.latest_issue_loanable, p.loans.due_capped_at_card_expiry) = flags;
        p.loans.suspension_days_per_late_day = suspension;
        p.loans.checkout_limits.total = checkout.0;
        p.loans.checkout_limits.per_kind.insert("book".into(), checkout.1);
        let start = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
        let branch = p.branches[0].code.clone();
        p.loans.hard_due_dates = hard
            .into_iter()
            .map(|(at, len, here)| HardDueDate {
                from: start + Days::new(at),
                due: start + Days::new(at + len),
                branches: if here { vec![branch.clone()] } else { vec![] },
            })
            .collect();
        p.loans.renewal.base = base;
        p.holds.new_title_hold_delay_days = delay;
        p.branches[0].delivery_weekdays = delivery;
        p.branches[0].transit_days = transit;
        p
    }
}

proptest! {
    #[test]
    fn valid_policies_with_the_rules_matrix_round_trip_through_toml(p in policy_with_new_keys()) {
        prop_assert!(p.validate().is_ok(), "{}", p.validate().unwrap_err());
        let text = p.to_toml().unwrap();
        let back = Policy::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_toml().unwrap(), text);
    }

    #[test]
    fn valid_policies_round_trip_through_toml(p in valid_policy()) {
        let text = p.to_toml().unwrap();
        let back = Policy::from_toml(&text).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(&back, &p);
        prop_assert_eq!(back.to_toml().unwrap(), text);
    }
}

/// Each preset, not only those a run happens to draw, takes the rules matrix and round-trips.
#[test]
fn every_preset_with_categories_and_rules_validates_and_round_trips() {
    use proptest::strategy::ValueTree;
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for name in bunko::policy::PRESET_NAMES {
        let mut p = Policy::preset(name).unwrap();
        let (categories, rules) =
            categories_and_rules(p.branches[0].code.clone()).new_tree(&mut runner).unwrap().current();
        p.categories = categories.into_iter().collect();
        p.rules = rules;
        p.validate().unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = p.to_toml().unwrap();
        assert!(text.contains("[[rules]]") && text.contains("[categories.child]"), "{name}:\n{text}");
        assert_eq!(Policy::from_toml(&text).unwrap(), p, "{name}");
    }
}
