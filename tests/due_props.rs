//! proptest over the pure date decisions of issue #15: due dates (hard due dates, the card-expiry
//! cap, closed days moved either way), suspensions after a late return, the day a delivery
//! arrives (R-H6) and the hold-shelf deadline (R-H9). Each is a function of the policy, the
//! resolved rules and plain facts, so each is checked against the rule it states.

use bunko::Policy;
use bunko::catalog::{CalendarException, CopyStatus, OpeningCalendar, SEARCH_HORIZON_DAYS};
use bunko::policy::{
    CalendarRules, CheckoutFacts, DueContext, DueMove, HardDueDate, HolidayRule, Reason, RuleValues, Rules, Weekday,
    arrival_day, checkout_decision, due_date, pickup_deadline, suspension_end,
};
use chrono::{Datelike, Days, NaiveDate};
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

fn day(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn plus(d: NaiveDate, days: i64) -> NaiveDate {
    d + chrono::Duration::days(days)
}

/// Every day from `from` to `to`, both included.
fn days_between(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

/// A branch calendar: closed weekdays (all seven sometimes), a holiday rule, and dated
/// closures and special openings near `today`.
#[derive(Debug, Clone)]
struct CalendarCase {
    closed: Vec<Weekday>,
    holidays: HolidayRule,
    /// Days after today, and whether that day is closed (else specially opened).
    exceptions: Vec<(u64, bool)>,
}

fn calendar_case() -> impl Strategy<Value = CalendarCase> {
    let holidays = select(vec![HolidayRule::Open, HolidayRule::Closed, HolidayRule::OpenThenNextWeekdayClosed]);
    (subsequence(Weekday::ALL.to_vec(), 0..=7), holidays, prop::collection::vec((0u64..120, any::<bool>()), 0..12))
        .prop_map(|(closed, holidays, exceptions)| CalendarCase { closed, holidays, exceptions })
}

impl CalendarCase {
    fn build(&self, today: NaiveDate) -> OpeningCalendar {
        let rules =
            CalendarRules { closed_weekdays: self.closed.clone(), holidays: self.holidays, ..Default::default() };
        let mut cal = OpeningCalendar::with_rules(rules);
        for (after, closed) in &self.exceptions {
            let exception = if *closed { CalendarException::Closed } else { CalendarException::SpecialOpening };
            cal.set_exception(today + Days::new(*after), exception);
        }
        cal
    }
}

fn today() -> impl Strategy<Value = NaiveDate> {
    (0u64..3000).prop_map(|n| day("2024-01-01") + Days::new(n))
}

// ---------------------------------------------------------------------------------------------
// Due dates.

const BRANCH: &str = "main";

/// A loan of `days` counted from `start` (today, or a later due date a renewal counts from).
#[derive(Debug, Clone)]
struct DueCase {
    today: NaiveDate,
    start: NaiveDate,
    days: u32,
    card_expires_on: NaiveDate,
    skips: bool,
    moves: DueMove,
    capped: bool,
    hard: Vec<HardDueDate>,
    calendar: CalendarCase,
}

fn hard_due_date(today: NaiveDate) -> impl Strategy<Value = HardDueDate> {
    let branches = select(vec![vec![], vec![BRANCH.to_owned()], vec!["elsewhere".to_owned()]]);
    (-40i64..=5, 0i64..=60, branches).prop_map(move |(from, len, branches)| HardDueDate {
        from: plus(today, from),
        due: plus(today, from + len),
        branches,
    })
}

fn due_case() -> impl Strategy<Value = DueCase> {
    today().prop_flat_map(|today| {
        (
            (0i64..30, 0u32..=60, -20i64..90),
            (any::<bool>(), select(vec![DueMove::Next, DueMove::Previous]), any::<bool>()),
            prop::collection::vec(hard_due_date(today), 0..3),
            calendar_case(),
        )
            .prop_map(move |((start, days, expires), (skips, moves, capped), hard, calendar)| DueCase {
                today,
                start: plus(today, start),
                days,
                card_expires_on: plus(today, expires),
                skips,
                moves,
                capped,
                hard,
                calendar,
            })
    })
}

impl DueCase {
    fn policy(&self) -> Policy {
        let mut p = Policy::preset("kanagawa").unwrap();
        p.loans.due_skips_closed_days = self.skips;
        p.loans.closed_due_moves = self.moves;
        p.loans.due_capped_at_card_expiry = self.capped;
        p.loans.hard_due_dates = self.hard.clone();
        p
    }

    /// The due date under test.
    fn due(&self, calendar: &OpeningCalendar) -> Option<NaiveDate> {
        let at = DueContext { today: self.today, branch: BRANCH, card_expires_on: self.card_expires_on, calendar };
        due_date(&self.policy(), self.start, self.days, &at)
    }

    /// The loan period's last day, before any cap or move.
    fn period_end(&self) -> NaiveDate {
        self.start + Days::new(u64::from(self.days))
    }

    /// The hard due dates in force: lent today, at this branch.
    fn hard_in_force(&self) -> Vec<NaiveDate> {
        let here = |h: &&HardDueDate| h.branches.is_empty() || h.branches.iter().any(|b| b == BRANCH);
        self.hard.iter().filter(|h| h.from <= self.today && self.today <= h.due).filter(here).map(|h| h.due).collect()
    }

    /// The card's last day, where the policy caps loans at it and it has not passed.
    fn expiry_cap(&self) -> Option<NaiveDate> {
        (self.capped && self.card_expires_on >= self.today).then_some(self.card_expires_on)
    }

    /// The earliest cap of all.
    fn cap(&self) -> Option<NaiveDate> {
        self.hard_in_force().into_iter().chain(self.expiry_cap()).min()
    }
}

fn open_between(cal: &OpeningCalendar, from: NaiveDate, to: NaiveDate) -> bool {
    days_between(from, to).any(|d| cal.is_open(d))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// A hard due date in force (特別整理期間) is never passed, nor, with
    /// `due_capped_at_card_expiry`, the last day of a card still valid, however the date moves.
    #[test]
    fn a_due_date_never_passes_a_hard_due_date_or_the_card_expiry(c in due_case()) {
        let cal = c.calendar.build(c.today);
        if let (Some(due), Some(cap)) = (c.due(&cal), c.cap()) {
            prop_assert!(due <= cap, "due {} after the cap {} (hard due dates {:?})", due, cap, c.hard_in_force());
        }
    }

    /// Where the loan period would run past a hard due date in force or the card's expiry, the
    /// earliest of them caps it.
    #[test]
    fn a_cap_before_the_period_ends_is_never_passed(c in due_case()) {
        let cal = c.calendar.build(c.today);
        if let (Some(due), Some(cap)) = (c.due(&cal), c.cap().filter(|cap| *cap < c.period_end())) {
            prop_assert!(due <= cap, "due {} after the cap {}", due, cap);
        }
    }

    /// `closed_due_moves = "previous"` never lengthens the loan, unless no day from today to
    /// the period's end is open.
    #[test]
    fn moving_to_the_previous_open_day_never_lengthens_the_loan(c in due_case()) {
        let c = DueCase { moves: DueMove::Previous, ..c };
        let cal = c.calendar.build(c.today);
        if let Some(due) = c.due(&cal).filter(|due| *due > c.period_end()) {
            prop_assert!(!open_between(&cal, c.today, c.period_end()), "due {}: an earlier open day exists", due);
        }
    }

    /// Skipping closed days, the due date is an open day whenever one can be had: the only
    /// closed due date is a cap with no open day from today to it (it must not pass the cap),
    /// and there is none at all only when no day is open within the horizon.
    #[test]
    fn a_skipped_due_date_is_an_open_day_when_there_is_one(c in due_case()) {
        let c = DueCase { skips: true, ..c };
        let cal = c.calendar.build(c.today);
        match c.due(&cal) {
            Some(due) if !cal.is_open(due) => {
                prop_assert_eq!(Some(due), c.cap(), "a closed due date that is not the cap");
                prop_assert!(!open_between(&cal, c.today, due), "{} is closed but an open day comes before it", due);
            }
            Some(_) => {}
            None => {
                let horizon = c.period_end() + Days::new(SEARCH_HORIZON_DAYS);
                prop_assert!(c.cap().is_none_or(|cap| cap >= c.period_end()), "a capped loan always has a due date");
                prop_assert!(!open_between(&cal, c.period_end(), horizon), "no due date, yet an open day exists");
            }
        }
    }

    /// Without skipping, the due date is the period's end or the earliest cap, open or not.
    #[test]
    fn without_skipping_the_due_date_is_the_period_or_the_cap(c in due_case()) {
        let c = DueCase { skips: false, ..c };
        let cal = c.calendar.build(c.today);
        let expected = c.cap().into_iter().chain([c.period_end()]).min();
        prop_assert_eq!(c.due(&cal), expected);
    }

    /// A due date is never before the day of the loan.
    #[test]
    fn a_due_date_is_never_before_today(c in due_case()) {
        let cal = c.calendar.build(c.today);
        if let Some(due) = c.due(&cal) {
            prop_assert!(due >= c.today);
        }
    }
}

/// kanagawa lending on Friday 2027-01-29 for 2 days, with a hard due date of Sunday the 31st:
/// the period ends on the 31st, a closed Sunday, and the due date moves to Monday, February 1st.
#[test]
fn a_period_ending_on_a_closed_hard_due_date_moves_back_not_past_it() {
    let c = DueCase {
        today: day("2027-01-29"),
        start: day("2027-01-29"),
        days: 2,
        card_expires_on: day("2030-03-31"),
        skips: true,
        moves: DueMove::Next,
        capped: false,
        hard: vec![HardDueDate { from: day("2027-01-10"), due: day("2027-01-31"), branches: vec![] }],
        calendar: CalendarCase { closed: vec![Weekday::Sun], holidays: HolidayRule::Open, exceptions: vec![] },
    };
    let cal = c.calendar.build(c.today);
    assert_eq!(c.due(&cal), Some(day("2027-01-30")));
}

/// The same with the card's expiry: a card valid to Sunday 2027-01-31 and a loan ending then.
#[test]
fn a_period_ending_on_a_closed_expiry_day_moves_back_not_past_it() {
    let c = DueCase {
        today: day("2027-01-29"),
        start: day("2027-01-29"),
        days: 2,
        card_expires_on: day("2027-01-31"),
        skips: true,
        moves: DueMove::Next,
        capped: true,
        hard: vec![],
        calendar: CalendarCase { closed: vec![Weekday::Sun], holidays: HolidayRule::Open, exceptions: vec![] },
    };
    let cal = c.calendar.build(c.today);
    assert_eq!(c.due(&cal), Some(day("2027-01-30")));
}

// ---------------------------------------------------------------------------------------------
// Suspensions after a late return (延滞日数分の貸出停止).

fn rules_with_suspension(per_day: Option<u32>) -> Rules {
    let kanagawa = Policy::preset("kanagawa").unwrap();
    let mut rules = kanagawa.rules_for("general", "book", "honkan");
    rules.values = RuleValues { suspension_days_per_late_day: per_day, ..rules.values };
    rules
}

/// A checkout of a book on the shelf by a patron with nothing against them but `suspended_until`.
fn checkout_on(today: NaiveDate, rules: &Rules, suspended_until: Option<NaiveDate>) -> Result<NaiveDate, Vec<Reason>> {
    let kanagawa = Policy::preset("kanagawa").unwrap();
    let calendar = OpeningCalendar::default();
    let facts = CheckoutFacts {
        rules,
        copy_loanable: true,
        material_kind: "book",
        latest_issue: false,
        copy_status: CopyStatus::OnShelf,
        held_for_another: false,
        patron_blocked: false,
        overdue_loans: 0,
        open_loans: 0,
        open_loans_of_kind: 0,
        suspended_until,
        at: DueContext { today, branch: "honkan", card_expires_on: day("2099-12-31"), calendar: &calendar },
    };
    checkout_decision(&kanagawa, &facts).map_err(|r| r.reasons)
}

proptest! {
    /// A return `late` days late suspends borrowing for `per_day × late` days, the return day the
    /// first; none when either is 0 (or the policy sets none).
    #[test]
    fn a_suspension_lasts_per_day_times_days_late_from_the_return_day(
        per_day in prop::option::of(0u32..=30), late in 0u32..=400, returned_on in today(),
    ) {
        let end = suspension_end(&rules_with_suspension(per_day), returned_on, late);
        let days = per_day.unwrap_or(0) * late;
        if days == 0 {
            prop_assert_eq!(end, None);
        } else {
            let end = end.expect("a suspension");
            prop_assert_eq!(days_between(returned_on, end).count(), days as usize);
        }
    }

    /// The checkout decision refuses on each day of that suspension and on none after it.
    #[test]
    fn a_checkout_is_refused_exactly_during_the_suspension(
        per_day in 1u32..=3, late in 1u32..=5, returned_on in today(), after in 0u64..20,
    ) {
        let rules = rules_with_suspension(Some(per_day));
        let until = suspension_end(&rules, returned_on, late);
        let on = returned_on + Days::new(after);
        let refused = checkout_on(on, &rules, until).err().unwrap_or_default();
        let suspended = after < u64::from(per_day * late);
        prop_assert_eq!(refused, if suspended { vec![Reason::Suspended { until: until.unwrap() }] } else { vec![] });
    }
}

#[test]
fn three_days_late_at_one_day_each_suspends_the_return_day_and_the_next_two() {
    let rules = rules_with_suspension(Some(1));
    assert_eq!(suspension_end(&rules, day("2026-06-10"), 3), Some(day("2026-06-12")));
    assert_eq!(suspension_end(&rules, day("2026-06-10"), 0), None);
    assert_eq!(suspension_end(&rules_with_suspension(Some(0)), day("2026-06-10"), 3), None);
    assert_eq!(suspension_end(&rules_with_suspension(None), day("2026-06-10"), 3), None);
}

// ---------------------------------------------------------------------------------------------
// Delivery between branches (R-H6) and the hold shelf (R-H9).

/// chiba's three branches with random delivery days and transit times.
#[derive(Debug, Clone)]
struct DeliveryCase {
    today: NaiveDate,
    library_days: Vec<Weekday>,
    branch_days: Vec<Option<Vec<Weekday>>>,
    transit: Vec<u32>,
    to: usize,
    calendar: CalendarCase,
}

fn delivery_case() -> impl Strategy<Value = DeliveryCase> {
    let days = || subsequence(Weekday::ALL.to_vec(), 1..=7);
    (
        today(),
        subsequence(Weekday::ALL.to_vec(), 0..=7),
        prop::collection::vec(prop::option::of(days()), 3),
        prop::collection::vec(1u32..=30, 3),
        0usize..3,
        calendar_case(),
    )
        .prop_map(|(today, library_days, mut branch_days, transit, to, calendar)| {
            // With several branches, each needs delivery days of its own or the library's.
            if library_days.is_empty() {
                for days in &mut branch_days {
                    days.get_or_insert_with(|| vec![Weekday::Tue, Weekday::Fri]);
                }
            }
            DeliveryCase { today, library_days, branch_days, transit, to, calendar }
        })
}

impl DeliveryCase {
    fn policy(&self) -> Policy {
        let mut p = Policy::preset("chiba").unwrap();
        p.delivery.weekdays = self.library_days.clone();
        for (i, b) in p.branches.iter_mut().enumerate() {
            b.delivery_weekdays = self.branch_days[i].clone();
            b.transit_days = self.transit[i];
        }
        p
    }

    /// Whether the van calls at the target branch on `d`: its own days, else the library's,
    /// any day when neither names one.
    fn delivers_on(&self, d: NaiveDate) -> bool {
        self.calls_at(self.to, d)
    }

    /// Whether the van calls at branch `i` on `d`.
    fn calls_at(&self, i: usize, d: NaiveDate) -> bool {
        let days = self.branch_days[i].as_ref().unwrap_or(&self.library_days);
        days.is_empty() || days.contains(&Weekday::from(d.weekday()))
    }

    /// The branch the copy leaves from: the next one after the target.
    fn from(&self) -> usize {
        (self.to + 1) % self.branch_days.len()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// R-H6: a copy sent today leaves on the first day the van calls at its branch, and arrives
    /// on the first day, at least the target's transit days later, on which the van calls there
    /// and the target is open; none when no such day comes within the horizon.
    #[test]
    fn a_delivery_arrives_on_the_first_open_delivery_day_after_the_transit_r_h6(c in delivery_case()) {
        let p = c.policy();
        let branch = &p.branches[c.to];
        prop_assert!(p.validate().is_ok(), "{}", p.validate().unwrap_err());
        let cal = c.calendar.build(c.today);
        let leaves = (0..7).map(|i| c.today + Days::new(i)).find(|d| c.calls_at(c.from(), *d)).unwrap();
        let earliest = leaves + Days::new(u64::from(branch.transit_days));
        let fits = |d: NaiveDate| c.delivers_on(d) && cal.is_open(d);
        match arrival_day(&p, &p.branches[c.from()].code, &branch.code, c.today, &cal) {
            Some(arrives) => {
                prop_assert!(arrives >= earliest, "{} before the transit ends on {}", arrives, earliest);
                prop_assert!(c.delivers_on(arrives), "{} ({}) is not a delivery day", arrives, arrives.weekday());
                prop_assert!(cal.is_open(arrives), "{} is closed", arrives);
                prop_assert!(!days_between(earliest, arrives.pred_opt().unwrap()).any(fits), "an earlier day fits");
            }
            None => {
                let horizon = earliest + Days::new(SEARCH_HORIZON_DAYS);
                prop_assert!(!days_between(earliest, horizon).any(fits), "no arrival, yet a day fits");
            }
        }
    }

    /// R-H9: a ready hold waits `shelf_days` (the resolved rule's, else the library's) after the
    /// day it is ready: counting only open days where the policy says so, else calendar days
    /// while the branch opens at all.
    #[test]
    fn a_pickup_deadline_counts_the_shelf_days_r_h9(
        ready_on in today(), library in 1u32..=30, scoped in prop::option::of(1u32..=30),
        skip_closed in any::<bool>(), calendar in calendar_case(),
    ) {
        let mut p = Policy::preset("chikushino").unwrap();
        p.holds.shelf_days = library;
        p.holds.shelf_days_skip_closed = skip_closed;
        let mut rules = p.rules_for("general", "book", "main");
        rules.values.shelf_days = scoped;
        let days = scoped.unwrap_or(library) as usize;
        let cal = calendar.build(ready_on);
        let horizon = ready_on + Days::new(SEARCH_HORIZON_DAYS);
        let open_after = |to: NaiveDate| days_between(ready_on.succ_opt().unwrap(), to).filter(|d| cal.is_open(*d)).count();
        match (pickup_deadline(&p, &rules, ready_on, &cal), skip_closed) {
            (Some(deadline), true) => {
                prop_assert!(cal.is_open(deadline), "{} is closed", deadline);
                prop_assert_eq!(open_after(deadline), days);
            }
            (Some(deadline), false) => {
                prop_assert_eq!(deadline, ready_on + Days::new(days as u64));
                prop_assert!(open_after(horizon) > 0);
            }
            (None, true) => prop_assert!(open_after(horizon) < days),
            (None, false) => prop_assert_eq!(open_after(horizon), 0),
        }
    }
}
