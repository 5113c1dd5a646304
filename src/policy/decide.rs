//! Pure decisions over plain facts: account standing, checkout, renewal, due dates.
//!
//! Nothing here touches the database or the clock: callers gather the facts (including
//! "today") and get back a decision, so every rule is testable on its own.

use chrono::{Days, Months, NaiveDate};

use super::model::{DueMove, Policy, RenewalBlock, Service};
use super::refusal::{Reason, Refusal};
use super::rules::{RenewalBase, Rules};
use crate::catalog::{CopyStatus, OpeningCalendar};

/// What is known about a patron's account, for [`account_refusals`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountFacts {
    /// Library-local today.
    pub today: NaiveDate,
    /// Blocked by staff.
    pub blocked: bool,
    /// Last valid day of the card.
    pub expires_on: NaiveDate,
    /// Last day the card was used.
    pub last_activity_on: NaiveDate,
    /// Number of the patron's loans past their due date.
    pub overdue_loans: u32,
    /// The account has a temporary password not yet changed.
    pub temporary_password: bool,
}

/// Why the patron may not log in (`service = None`) or use `service` online (R-A2, R-A6): the
/// reasons that bar logging in at all, then those of the service.
#[must_use]
pub fn account_refusals(policy: &Policy, facts: &AccountFacts, service: Option<Service>) -> Vec<Reason> {
    let mut reasons = login_refusals(policy, facts);
    if let Some(service) = service {
        reasons.extend(service_refusals(policy, facts, service));
    }
    reasons
}

/// Why the patron may not log in at all (R-A6): a block, a card unused for the policy's years,
/// overdue items where the policy says so.
fn login_refusals(policy: &Policy, facts: &AccountFacts) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if facts.blocked {
        reasons.push(Reason::PatronBlocked);
    }
    if let Some(years) = policy.accounts.unused_card_block_years {
        let limit = years
            .checked_mul(12)
            .and_then(|months| facts.last_activity_on.checked_add_months(Months::new(months)))
            .unwrap_or(NaiveDate::MAX);
        if facts.today > limit {
            reasons.push(Reason::CardUnused { last_used_on: facts.last_activity_on, years });
        }
    }
    if policy.accounts.overdue_blocks_login && facts.overdue_loans > 0 {
        reasons.push(Reason::HasOverdueLoans { count: facts.overdue_loans });
    }
    reasons
}

/// Why a patron who may log in may not use `service` (R-A2, R-A6): an expired card where
/// `accounts.expired_card_refuses` names it, a temporary password where
/// `passwords.temporary.refused_services` does.
#[must_use]
pub fn service_refusals(policy: &Policy, facts: &AccountFacts, service: Service) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if facts.today > facts.expires_on && policy.accounts.expired_card_refuses.contains(&service) {
        reasons.push(Reason::CardExpired { expired_on: facts.expires_on });
    }
    if facts.temporary_password && policy.passwords.temporary.refused_services.contains(&service) {
        reasons.push(Reason::TemporaryPassword);
    }
    reasons
}

/// What fixes a due date besides the loan's length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueContext<'a> {
    /// Library-local today: the day of the checkout or renewal.
    pub today: NaiveDate,
    /// The branch whose calendar and hard due dates apply.
    pub branch: &'a str,
    /// Last valid day of the patron's card.
    pub card_expires_on: NaiveDate,
    /// The branch's calendar.
    pub calendar: &'a OpeningCalendar,
}

/// The due date of a loan of `days` counted from `start`: capped by a hard due date and, where
/// the policy says so, by the card's expiry; a day the branch is closed moves to an open day —
/// the next one, or the previous one when the policy says so or the date was capped (never
/// before today). `None` when the branch has no open day within the calendar's horizon (or the
/// date would pass the calendar's end).
#[must_use]
pub fn due_date(policy: &Policy, start: NaiveDate, days: u32, at: &DueContext<'_>) -> Option<NaiveDate> {
    let loans = &policy.loans;
    let end = start.checked_add_days(Days::new(u64::from(days)))?;
    let hard = loans.hard_due_dates.iter().filter(|h| h.applies_to(at.today, at.branch)).map(|h| h.due);
    let expiry = (loans.due_capped_at_card_expiry && at.card_expires_on >= at.today).then_some(at.card_expires_on);
    // The latest day the loan may be due, when something caps it.
    let cap = hard.chain(expiry).min();
    let due = cap.map_or(end, |cap| end.min(cap));
    if !loans.due_skips_closed_days || at.calendar.is_open(due) {
        return Some(due);
    }
    let earlier = || at.calendar.previous_open_day(due, at.today);
    let later = if due < end || loans.closed_due_moves == DueMove::Previous {
        // Capped, or told to move back: the previous open day, never before today.
        match earlier() {
            Some(day) => return Some(day),
            None if due < end => return Some(due),
            None => at.calendar.next_open_day(due)?,
        }
    } else {
        at.calendar.next_open_day(due)?
    };
    match cap {
        // Moving on would pass the cap: back to an open day before it, or the cap itself.
        Some(cap) if later > cap => Some(earlier().unwrap_or(cap)),
        _ => Some(later),
    }
}

/// What is known when a copy is lent at the counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutFacts<'a> {
    /// The rules in force for this patron's category, the copy's kind and the lending branch.
    pub rules: &'a Rules,
    /// The copy's own not-for-loan flag is clear.
    pub copy_loanable: bool,
    /// The copy's material kind.
    pub material_kind: &'a str,
    /// The copy's title is the latest catalogued issue of a serial run.
    pub latest_issue: bool,
    /// Where the copy is.
    pub copy_status: CopyStatus,
    /// The copy is set aside for a hold of another patron.
    pub held_for_another: bool,
    /// Blocked by staff.
    pub patron_blocked: bool,
    /// Loans of the patron past their due date.
    pub overdue_loans: u32,
    /// The patron's open loans, in all.
    pub open_loans: u32,
    /// The patron's open loans of the copy's kind.
    pub open_loans_of_kind: u32,
    /// The last day of a suspension after a late return, if any.
    pub suspended_until: Option<NaiveDate>,
    /// Today, the branch, the card's expiry and the calendar.
    pub at: DueContext<'a>,
}

/// Decides a checkout: the due date, or every reason it is refused; [`Reason::NoOpenDay`] when
/// the branch's calendar gives no due date.
///
/// A copy on the shelf that someone merely holds (not yet set aside) may still be lent to a
/// walk-in patron (R-H5); a copy on the hold shelf for this same patron may be lent to them.
///
/// # Errors
///
/// The [`Refusal`] lists every reason the rules refuse the loan.
pub fn checkout_decision(policy: &Policy, f: &CheckoutFacts<'_>) -> Result<NaiveDate, Refusal> {
    let (reasons, due) = checkout_outcome(policy, f);
    Refusal::check(reasons, due)
}

/// [`checkout_decision`] as its reasons and the due date the loan gets when they are
/// overridden (staff, [`super::apply_overrides`]).
pub(crate) fn checkout_outcome(policy: &Policy, f: &CheckoutFacts<'_>) -> (Vec<Reason>, NaiveDate) {
    let mut reasons = Vec::new();
    let today = f.at.today;
    if !f.copy_loanable || !f.rules.loanable() {
        reasons.push(Reason::CopyNotLoanable);
    }
    if f.latest_issue && f.rules.values.latest_issue_loanable == Some(false) {
        reasons.push(Reason::LatestIssueNotLoanable);
    }
    match f.copy_status {
        CopyStatus::OnShelf => {}
        CopyStatus::OnHoldShelf if !f.held_for_another => {}
        CopyStatus::OnHoldShelf => reasons.push(Reason::CopyHeldForAnotherPatron),
        CopyStatus::OnLoan => reasons.push(Reason::CopyOnLoan),
        status => reasons.push(Reason::CopyUnavailable { status }),
    }
    if f.patron_blocked {
        reasons.push(Reason::PatronBlocked);
    }
    if today > f.at.card_expires_on {
        reasons.push(Reason::CardExpired { expired_on: f.at.card_expires_on });
    }
    if policy.loans.overdue_blocks_checkout && f.overdue_loans > 0 {
        reasons.push(Reason::HasOverdueLoans { count: f.overdue_loans });
    }
    if let Some(until) = f.suspended_until.filter(|until| today <= *until) {
        reasons.push(Reason::Suspended { until });
    }
    if let Some(limit) = f.rules.totals.checkout_limit.filter(|l| f.open_loans >= *l) {
        reasons.push(Reason::CheckoutLimitReached { kind: None, limit, count: f.open_loans });
    }
    if let Some(limit) = f.rules.values.checkout_limit.filter(|l| f.open_loans_of_kind >= *l) {
        let kind = Some(f.material_kind.to_owned());
        reasons.push(Reason::CheckoutLimitReached { kind, limit, count: f.open_loans_of_kind });
    }
    let due = due_date(policy, today, f.rules.values.loan_days.unwrap_or(0), &f.at);
    if due.is_none() {
        reasons.push(Reason::NoOpenDay { after: today });
    }
    (reasons, due.unwrap_or(today))
}

/// The last day of the suspension a return `days_late` days after the due date earns under
/// `rules` (延滞日数分の貸出停止): `days_per_late_day` days for each day late, the return day
/// the first of them. `None` when there is none.
#[must_use]
pub fn suspension_end(rules: &Rules, returned_on: NaiveDate, days_late: u32) -> Option<NaiveDate> {
    let per_day = rules.values.suspension_days_per_late_day.unwrap_or(0);
    let days = per_day.checked_mul(days_late).filter(|d| *d > 0)?;
    returned_on.checked_add_days(Days::new(u64::from(days - 1)))
}

/// What is known when a patron asks to renew one loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalFacts<'a> {
    /// The rules in force for this patron's category, the copy's kind and the lending branch.
    pub rules: &'a Rules,
    /// The loan's current due date.
    pub due_on: NaiveDate,
    /// Times it was renewed already.
    pub renewals: u32,
    /// The copy was borrowed from another library.
    pub interlibrary: bool,
    /// Waiting holds on the title by other patrons.
    pub holds_by_others: u32,
    /// Of those, the holds not frozen today (#17).
    pub unfrozen_holds_by_others: u32,
    /// Copies of the title on the shelf that could fill those holds (loanable, holdable by
    /// their patrons), for `loans.renewal.allow_if_other_copies_available`.
    pub copies_for_holds: u32,
    /// The patron's other loans past their due date.
    pub other_overdue_loans: u32,
    /// Reasons the account may not use renewals at all (see [`account_refusals`]).
    pub account: Vec<Reason>,
    /// Today, the lending branch, the card's expiry and the branch's calendar.
    pub at: DueContext<'a>,
}

/// Decides a renewal (R-L2, R-L3): the new due date, or every reason it is refused (R-L4),
/// [`Reason::NoOpenDay`] among them when the branch's calendar gives no date. Where
/// `loans.renewal.allow_if_other_copies_available` is on, holds by others refuse only when the
/// copies on the shelf that could fill them are fewer than the unfrozen ones
/// ([`Reason::HeldByOthersBeyondCopies`]).
///
/// # Examples
/// ```
/// use bunko::catalog::OpeningCalendar;
/// use bunko::policy::{DueContext, RenewalFacts, renewal_decision};
/// use chrono::NaiveDate;
///
/// let fukushima = bunko::Policy::preset("fukushima").unwrap();
/// let rules = fukushima.rules_for("general", "book", "main");
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let calendar = OpeningCalendar::default();
/// let at = DueContext { today: d("2026-05-10"), branch: "main", card_expires_on: d("2030-03-31"), calendar: &calendar };
/// let facts = RenewalFacts {
///     rules: &rules, due_on: d("2026-05-12"), renewals: 0, interlibrary: false,
///     holds_by_others: 0, unfrozen_holds_by_others: 0, copies_for_holds: 0,
///     other_overdue_loans: 0, account: vec![], at,
/// };
/// // 15 days including the renewal day: May 10 + 14.
/// assert_eq!(renewal_decision(&fukushima, &facts), Ok(d("2026-05-24")));
/// ```
///
/// # Errors
///
/// The [`Refusal`] lists every reason the rules refuse the renewal.
pub fn renewal_decision(policy: &Policy, f: &RenewalFacts<'_>) -> Result<NaiveDate, Refusal> {
    let (reasons, due) = renewal_outcome(policy, f);
    Refusal::check(reasons, due)
}

/// [`renewal_decision`] as its reasons and the new due date the renewal gives when they are
/// overridden (staff, [`super::apply_overrides`]).
pub(crate) fn renewal_outcome(policy: &Policy, f: &RenewalFacts<'_>) -> (Vec<Reason>, NaiveDate) {
    let rules = &policy.loans.renewal;
    let today = f.at.today;
    let blocks = |b: RenewalBlock| rules.refused_when.contains(&b);
    let mut reasons = f.account.clone();
    if blocks(RenewalBlock::Overdue) && today > f.due_on {
        reasons.push(Reason::Overdue { due_on: f.due_on });
    }
    if blocks(RenewalBlock::AccountHasOverdue) && f.other_overdue_loans > 0 {
        reasons.push(Reason::AccountHasOverdue { count: f.other_overdue_loans });
    }
    if blocks(RenewalBlock::HeldByOthers) && f.holds_by_others > 0 {
        if !rules.allow_if_other_copies_available {
            reasons.push(Reason::HeldByOthers { holds: f.holds_by_others });
        } else if f.copies_for_holds < f.unfrozen_holds_by_others {
            // Koha's AllowRenewalIfOtherItemsAvailable: other copies on the shelf serve the
            // waiting holds; frozen holds need none now.
            let (holds, copies) = (f.unfrozen_holds_by_others, f.copies_for_holds);
            reasons.push(Reason::HeldByOthersBeyondCopies { holds, copies });
        }
    }
    if blocks(RenewalBlock::InterlibraryLoan) && f.interlibrary {
        reasons.push(Reason::InterlibraryLoan);
    }
    let limit = f.rules.values.renewals.unwrap_or(0);
    if f.renewals >= limit {
        reasons.push(Reason::RenewalLimitReached { limit });
    }
    if let Some(days) = f.rules.values.renewal_opens_days_before_due {
        let opens_on = f.due_on.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN);
        if today < opens_on {
            reasons.push(Reason::TooEarlyToRenew { opens_on });
        }
    }
    let new_due_on = renewed_due_date(policy, f.rules, f.due_on, &f.at);
    match new_due_on {
        None => reasons.push(Reason::NoOpenDay { after: today }),
        // The engine's own guard, not a guide rule: only when nothing the guide says refuses.
        Some(new_due_on) if new_due_on <= f.due_on && reasons.is_empty() => {
            reasons.push(Reason::WouldNotExtend { due_on: f.due_on, new_due_on })
        }
        Some(_) => {}
    }
    (reasons, new_due_on.unwrap_or(f.due_on))
}

/// The due date a renewal gives a loan due on `due_on`: `renewal_days` counted from today
/// (including today when the policy counts the renewal day) or, with `renewal_base =
/// "due_date"`, from the due date (today if that has passed), then capped and moved as
/// [`due_date`] does; `None` as for [`due_date`].
#[must_use]
pub fn renewed_due_date(policy: &Policy, rules: &Rules, due_on: NaiveDate, at: &DueContext<'_>) -> Option<NaiveDate> {
    let days = rules.values.renewal_days.unwrap_or(0);
    let (start, days) = match rules.values.renewal_base.unwrap_or_default() {
        RenewalBase::Today => (at.today, days.saturating_sub(u32::from(policy.loans.renewal.counts_renewal_day))),
        RenewalBase::DueDate => (due_on.max(at.today), days),
    };
    due_date(policy, start, days, at)
}
