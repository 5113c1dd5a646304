//! proptest over the pure renewal decision (R-L2, R-L3, R-L4), for every preset.

use bunko::Policy;
use bunko::catalog::OpeningCalendar;
use bunko::policy::{DueContext, Reason, RenewalBlock, RenewalFacts, Weekday, renewal_decision};
use chrono::{Days, NaiveDate};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct Case {
    preset: &'static str,
    today: NaiveDate,
    due_offset: i64,
    renewals: u32,
    interlibrary: bool,
    holds: u32,
    other_overdue: u32,
    blocked: bool,
    closed: Vec<Weekday>,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::sample::select(bunko::policy::PRESET_NAMES.to_vec()),
        0u64..3000,
        -30i64..30,
        0u32..3,
        any::<bool>(),
        0u32..3,
        0u32..3,
        any::<bool>(),
        prop::sample::subsequence(Weekday::ALL.to_vec(), 0..=3),
    )
        .prop_map(|(preset, day, due_offset, renewals, interlibrary, holds, other_overdue, blocked, closed)| {
            Case {
                preset,
                today: NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + Days::new(day),
                due_offset,
                renewals,
                interlibrary,
                holds,
                other_overdue,
                blocked,
                closed,
            }
        })
}

fn decide(c: &Case) -> Result<NaiveDate, bunko::policy::Refusal> {
    let policy = Policy::preset(c.preset).unwrap();
    let calendar = OpeningCalendar::new(&c.closed);
    let branch = policy.branches[0].code.clone();
    let rules = policy.rules_for("general", "book", &branch);
    let card_expires_on = NaiveDate::from_ymd_opt(2099, 12, 31).unwrap();
    let facts = RenewalFacts {
        rules: &rules,
        due_on: c.today + chrono::Duration::days(c.due_offset),
        renewals: c.renewals,
        interlibrary: c.interlibrary,
        holds_by_others: c.holds,
        unfrozen_holds_by_others: c.holds,
        copies_for_holds: 0,
        other_overdue_loans: c.other_overdue,
        account: if c.blocked { vec![Reason::PatronBlocked] } else { vec![] },
        at: DueContext { today: c.today, branch: &branch, card_expires_on, calendar: &calendar },
    };
    renewal_decision(&policy, &facts)
}

proptest! {
    /// R-L3: never granted for an overdue loan, an interlibrary-loan copy or a held title.
    #[test]
    fn never_granted_when_a_listed_block_applies(c in case()) {
        let blocks = Policy::preset(c.preset).unwrap().loans.renewal.refused_when;
        if decide(&c).is_ok() {
            prop_assert!(!(blocks.contains(&RenewalBlock::Overdue) && c.due_offset < 0));
            prop_assert!(!(blocks.contains(&RenewalBlock::InterlibraryLoan) && c.interlibrary));
            prop_assert!(!(blocks.contains(&RenewalBlock::HeldByOthers) && c.holds > 0));
            prop_assert!(c.renewals < 1 && !c.blocked);
        }
    }

    /// R-L2: the new due date is never before today, and always later than the old one.
    #[test]
    fn a_granted_due_date_is_after_today_and_the_old_due_date(c in case()) {
        if let Ok(due) = decide(&c) {
            prop_assert!(due >= c.today);
            prop_assert!(due > c.today + chrono::Duration::days(c.due_offset));
        }
    }

    /// Removing a refusal condition never turns a grant into a refusal.
    #[test]
    fn granting_is_monotone(c in case(), which in 0usize..5) {
        let mut easier = c.clone();
        match which {
            0 => easier.interlibrary = false,
            1 => easier.holds = 0,
            2 => easier.other_overdue = 0,
            3 => easier.blocked = false,
            _ => easier.renewals = 0,
        }
        if let Ok(due) = decide(&c) {
            prop_assert_eq!(decide(&easier), Ok(due));
        }
    }

    /// R-L4: a refusal lists every reason: each condition present shows up.
    #[test]
    fn every_applicable_reason_is_listed(c in case()) {
        if let Err(refusal) = decide(&c) {
            prop_assert!(!refusal.reasons.is_empty());
            prop_assert_eq!(c.renewals >= 1, refusal.reasons.iter().any(|r| matches!(r, Reason::RenewalLimitReached { .. })));
            prop_assert_eq!(c.interlibrary, refusal.has(&Reason::InterlibraryLoan));
        }
    }
}

#[test]
fn all_reasons_at_once_r_l4() {
    // Overdue + held by others + ILL + already renewed, all together (fukushima).
    let c = Case {
        preset: "fukushima",
        today: NaiveDate::from_ymd_opt(2026, 6, 1).unwrap(),
        due_offset: -2,
        renewals: 1,
        interlibrary: true,
        holds: 2,
        other_overdue: 0,
        blocked: false,
        closed: vec![],
    };
    let due_on = NaiveDate::from_ymd_opt(2026, 5, 30).unwrap();
    let refusal = decide(&c).unwrap_err();
    assert_eq!(
        refusal.reasons,
        [
            Reason::Overdue { due_on },
            Reason::HeldByOthers { holds: 2 },
            Reason::InterlibraryLoan,
            Reason::RenewalLimitReached { limit: 1 },
        ]
    );
    insta::assert_snapshot!(refusal.to_string(), @"refused: the due date (2026-05-30) has passed; 2 other patron(s) are waiting for this title; items borrowed from another library cannot be renewed; already renewed 1 time(s), the most allowed");
}
