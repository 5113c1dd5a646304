//! Pure decisions over plain facts: account standing, checkout, renewal, due dates.
//!
//! Nothing here touches the database or the clock: callers gather the facts (including
//! "today") and get back a decision, so every rule is testable on its own.

use chrono::{Days, Months, NaiveDate};

use super::model::{Policy, RenewalBlock, Service};
use super::refusal::{Reason, Refusal};
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

/// The due date of a loan of `loan_days` starting on `start`: moved to the branch's next open
/// day when it falls on a closed day and the policy says so. `None` when the branch has no open
/// day within the calendar's horizon of it (or the date would pass the calendar's end).
pub fn due_date(policy: &Policy, start: NaiveDate, loan_days: u32, calendar: &OpeningCalendar) -> Option<NaiveDate> {
    let due = start.checked_add_days(Days::new(u64::from(loan_days)))?;
    if policy.loans.due_skips_closed_days { calendar.next_open_day(due) } else { Some(due) }
}

/// What is known when a copy is lent at the counter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutFacts<'a> {
    /// Library-local today.
    pub today: NaiveDate,
    /// The copy's own not-for-loan flag is clear.
    pub copy_loanable: bool,
    /// The copy's material kind.
    pub material_kind: &'a str,
    /// Where the copy is.
    pub copy_status: CopyStatus,
    /// The copy is set aside for a hold of another patron.
    pub held_for_another: bool,
    /// Blocked by staff.
    pub patron_blocked: bool,
    /// Last valid day of the card.
    pub card_expires_on: NaiveDate,
    /// Loans of the patron past their due date.
    pub overdue_loans: u32,
    /// The calendar of the branch lending the copy.
    pub calendar: &'a OpeningCalendar,
}

/// Decides a checkout: the due date, or every reason it is refused; [`Reason::NoOpenDay`] when
/// the branch's calendar gives no due date.
///
/// A copy on the shelf that someone merely holds (not yet set aside) may still be lent to a
/// walk-in patron (R-H5); a copy on the hold shelf for this same patron may be lent to them.
pub fn checkout_decision(policy: &Policy, f: &CheckoutFacts<'_>) -> Result<NaiveDate, Refusal> {
    let mut reasons = Vec::new();
    let kind = policy.material(f.material_kind);
    if !f.copy_loanable || !kind.is_some_and(|k| k.loanable) {
        reasons.push(Reason::CopyNotLoanable);
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
    if f.today > f.card_expires_on {
        reasons.push(Reason::CardExpired { expired_on: f.card_expires_on });
    }
    if policy.loans.overdue_blocks_checkout && f.overdue_loans > 0 {
        reasons.push(Reason::HasOverdueLoans { count: f.overdue_loans });
    }
    let loan_days = kind.map_or(0, |k| k.loan_days);
    let due = due_date(policy, f.today, loan_days, f.calendar);
    if due.is_none() {
        reasons.push(Reason::NoOpenDay { after: f.today });
    }
    Refusal::check(reasons, due.unwrap_or(f.today))
}

/// What is known when a patron asks to renew one loan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenewalFacts<'a> {
    /// Library-local today.
    pub today: NaiveDate,
    /// The loan's current due date.
    pub due_on: NaiveDate,
    /// Times it was renewed already.
    pub renewals: u32,
    /// The copy was borrowed from another library.
    pub interlibrary: bool,
    /// Waiting holds on the title by other patrons.
    pub holds_by_others: u32,
    /// The patron's other loans past their due date.
    pub other_overdue_loans: u32,
    /// Reasons the account may not use renewals at all (see [`account_refusals`]).
    pub account: Vec<Reason>,
    /// The calendar of the branch the loan belongs to.
    pub calendar: &'a OpeningCalendar,
}

/// Decides a renewal (R-L2, R-L3): the new due date, counted from today, or every reason it is
/// refused (R-L4), [`Reason::NoOpenDay`] among them when the branch's calendar gives no date.
///
/// # Examples
/// ```
/// use bunko::catalog::OpeningCalendar;
/// use bunko::policy::{RenewalFacts, renewal_decision};
/// use chrono::NaiveDate;
///
/// let fukushima = bunko::Policy::preset("fukushima").unwrap();
/// let d = |s: &str| s.parse::<NaiveDate>().unwrap();
/// let calendar = OpeningCalendar::default();
/// let facts = RenewalFacts {
///     today: d("2026-05-10"), due_on: d("2026-05-12"), renewals: 0, interlibrary: false,
///     holds_by_others: 0, other_overdue_loans: 0, account: vec![], calendar: &calendar,
/// };
/// // 15 days including the renewal day: May 10 + 14.
/// assert_eq!(renewal_decision(&fukushima, &facts), Ok(d("2026-05-24")));
/// ```
pub fn renewal_decision(policy: &Policy, f: &RenewalFacts<'_>) -> Result<NaiveDate, Refusal> {
    let rules = &policy.loans.renewal;
    let blocks = |b: RenewalBlock| rules.refused_when.contains(&b);
    let mut reasons = f.account.clone();
    if blocks(RenewalBlock::Overdue) && f.today > f.due_on {
        reasons.push(Reason::Overdue { due_on: f.due_on });
    }
    if blocks(RenewalBlock::AccountHasOverdue) && f.other_overdue_loans > 0 {
        reasons.push(Reason::AccountHasOverdue { count: f.other_overdue_loans });
    }
    if blocks(RenewalBlock::HeldByOthers) && f.holds_by_others > 0 {
        reasons.push(Reason::HeldByOthers { holds: f.holds_by_others });
    }
    if blocks(RenewalBlock::InterlibraryLoan) && f.interlibrary {
        reasons.push(Reason::InterlibraryLoan);
    }
    if f.renewals >= rules.max_renewals {
        reasons.push(Reason::RenewalLimitReached { limit: rules.max_renewals });
    }
    if let Some(days) = rules.opens_days_before_due {
        let opens_on = f.due_on.checked_sub_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MIN);
        if f.today < opens_on {
            reasons.push(Reason::TooEarlyToRenew { opens_on });
        }
    }
    let new_due_on = renewed_due_date(policy, f.today, f.calendar);
    match new_due_on {
        None => reasons.push(Reason::NoOpenDay { after: f.today }),
        // The engine's own guard, not a guide rule: only when nothing the guide says refuses.
        Some(new_due_on) if new_due_on <= f.due_on && reasons.is_empty() => {
            reasons.push(Reason::WouldNotExtend { due_on: f.due_on, new_due_on })
        }
        Some(_) => {}
    }
    Refusal::check(reasons, new_due_on.unwrap_or(f.due_on))
}

/// The due date a renewal on `today` gives: `days` counted from today (including today when
/// the policy counts the renewal day), moved past closed days when the policy says so; `None`
/// as for [`due_date`].
pub fn renewed_due_date(policy: &Policy, today: NaiveDate, calendar: &OpeningCalendar) -> Option<NaiveDate> {
    let r = &policy.loans.renewal;
    let days = r.days.saturating_sub(u32::from(r.counts_renewal_day));
    due_date(policy, today, days, calendar)
}
