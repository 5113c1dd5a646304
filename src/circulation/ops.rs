//! Circulation operations on [`Library`].

use chrono::NaiveDate;

use super::{CheckIn, CopyRoute, DailyCirculation, HistoryEntry, Loan, LoanId, LoanStatus, LoanView};
use crate::Library;
use crate::catalog::{Copy, CopyId, CopyStatus, calendar_in, check_date};
use crate::error::{Entity, Error, Result};
use crate::holds::route::{Ctx, dispatch_hold, route_copy};
use crate::library::Gate;
use crate::patrons::{Patron, PatronId, account_facts, patron_in};
use crate::policy::{
    CheckoutFacts, DueContext, Override, Reason, Refusal, RenewalFacts, Scope, Service, account_refusals,
    apply_overrides, checkout_outcome, renewal_outcome, suspension_end,
};
use crate::store::{NewLoan, Tx};

/// Longest page of reading history returned at once.
pub const MAX_PAGE: u32 = 500;

impl Library {
    /// Lends the copy with `barcode` to `patron` at the counter of `branch`.
    ///
    /// The due date follows the policy's loan period for the copy's material kind, moved to the
    /// branch's next open day when it falls on a closed day (if the policy says so). Refused with
    /// every applicable reason: not for loan, already lent, set aside for another patron's hold,
    /// not on the shelf, blocked patron, expired card, overdue loans (if the policy blocks).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy, patron or branch.
    /// - `InvalidInput`: the branch is a partner library.
    /// - `Refused`: the rules say no; every reason is listed (R-L4).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn checkout(&mut self, barcode: &str, patron: PatronId, branch: &str) -> Result<Loan> {
        self.require_own_branch(branch)?;
        self.lend(barcode, patron, branch, LoanStatus::Active)
    }

    /// Starts a loan when the copy is dispatched to a partner pickup library whose policy entry
    /// says `loan_starts_at_dispatch` (fukushima's municipal libraries, R-H12). The due date
    /// counts from today; [`Library::confirm_pickup`] records collection. The patron's hold on
    /// the title, if any, is fulfilled — its patron told where to collect the copy and when it
    /// is due ([`NoticeKind::HoldDispatched`], as a routed dispatch tells them) — and kept with
    /// the loan until collection: should staff
    /// report the copy lost on the way before then ([`Library::mark_lost_on_the_way`]), it comes
    /// back as it was.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy, patron or branch.
    /// - `InvalidInput`: `pickup` is not a pickup branch.
    /// - `Refused`: the rules say no; every reason is listed (R-L4).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn dispatch_loan(&mut self, barcode: &str, patron: PatronId, pickup: &str) -> Result<Loan> {
        let b = self.require_branch(pickup)?;
        if !b.loan_starts_at_dispatch {
            return Err(Error::InvalidInput {
                field: "pickup",
                reason: format!("`{pickup}` does not start loans at dispatch; use checkout at pickup"),
            });
        }
        self.lend(barcode, patron, pickup, LoanStatus::InTransit)
    }

    fn lend(&mut self, barcode: &str, patron: PatronId, branch: &str, status: LoanStatus) -> Result<Loan> {
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today: self.today(), now: self.now() };
        self.store.write(|tx| lend_in(tx, &ctx, barcode, patron, branch, status, &[]).map(|(l, _)| l))
    }

    /// Records that the patron collected a dispatched loan at the partner library. Until then
    /// the loan counts as on its way ([`Library::is_on_its_way`]): staff who learn the copy never
    /// arrived mark it with [`Library::mark_lost_on_the_way`], which gives back the hold it was
    /// dispatched for. The hold kept for that is forgotten here (R-R1), and
    /// `mark_lost_on_the_way` is refused after.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such loan awaiting pickup.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn confirm_pickup(&mut self, loan: LoanId) -> Result<()> {
        let done = self.store.write(|tx| tx.activate_loan(loan))?;
        if done { Ok(()) } else { Err(Error::not_found(Entity::Loan, loan.get())) }
    }

    /// Checks in the copy with `barcode` at `branch`: ends its loan, tells the desk how late it
    /// was, and routes the copy: to the next hold, to the shelf here, or in transit to its home
    /// branch. The loan is deleted and only the day's anonymous return count remains (R-R1):
    /// nothing stored links the copy, the title or the lateness to the patron afterwards.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch.
    /// - `InvalidInput`: the branch is a partner library.
    /// - `Refused` (`NotOnLoan`): the copy is not on loan.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn check_in(&mut self, barcode: &str, branch: &str) -> Result<CheckIn> {
        self.require_own_branch(branch)?;
        let (today, now, policy, matrix) = (self.today(), self.now(), &self.policy, &self.matrix);
        self.store.write(|tx| {
            let (copy, loan) = tx
                .copy_to_return(barcode.trim())?
                .ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: barcode.to_owned() })?;
            let loan = loan.ok_or_else(|| Refusal::one(Reason::NotOnLoan))?;
            let patron = loan.patron;
            let days_overdue = u32::try_from((today - loan.due_on).num_days()).unwrap_or(0);
            // No `touch_patron` here: a return date joined with activity would name the
            // borrower (R-R1). Checkouts and renewals record activity.
            tx.return_loan(&loan, today)?;
            // Only a late return can suspend (`suspension_end` is `None` for 0 days late), so
            // only then are the borrower and their rules read.
            if days_overdue > 0 {
                let who = patron_in(tx, patron)?;
                let rules = matrix.resolve(&Scope::new(&who.category, &copy.material_kind, &loan.branch));
                if let Some(until) = suspension_end(&rules, today, days_overdue) {
                    tx.extend_suspension(patron, check_date("suspended_until", until)?)?;
                }
            }
            let ctx = Ctx { policy, matrix, today, now };
            let route = route_copy(tx, &ctx, &copy, CopyStatus::OnLoan, branch)?;
            Ok(CheckIn { loan: loan.id, patron, days_overdue, route })
        })
    }

    /// Records that an in-transit copy arrived at `branch`: it goes on the hold shelf for the
    /// hold it travels for, or to the next hold, or onto the shelf if this is its home.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch.
    /// - `InvalidInput`: the branch is a partner library.
    /// - `Refused` (`CopyUnavailable`): the copy's status does not allow it.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn receive_copy(&mut self, barcode: &str, branch: &str) -> Result<CopyRoute> {
        self.require_own_branch(branch)?;
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        self.store.write(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            if copy.status != CopyStatus::InTransit {
                return Err(Refusal::one(Reason::CopyUnavailable { status: copy.status }).into());
            }
            route_copy(tx, &Ctx { policy, matrix: &self.matrix, today, now }, &copy, CopyStatus::InTransit, branch)
        })
    }

    /// Whether a renewal of `loan` today would succeed, and the new due date, without changing
    /// anything (kanagawa shows it before the patron confirms, R-L3).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron or loan, or the loan is another patron's.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn preview_renewal(&self, patron: PatronId, loan: LoanId) -> Result<Result<NaiveDate, Refusal>> {
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today: self.today(), now: self.now() };
        self.store.read(|tx| {
            let who = patron_in(tx, patron)?;
            let loan = patrons_loan(tx, patron, loan)?;
            renewal_with(&ctx, tx, &who, &loan)
        })
    }

    /// Renews one of the patron's loans; refused with every reason that applies (R-L2–R-L4).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such loan, or it is another patron's.
    /// - `Refused`: the rules say no; every reason is listed.
    /// - `Conflict`: the loan changed meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn renew(&mut self, patron: PatronId, loan: LoanId) -> Result<NaiveDate> {
        let mut results = self.renew_all(patron, &[loan])?;
        match results.pop() {
            Some((_, Ok(due))) => Ok(due),
            Some((_, Err(refusal))) => Err(refusal.into()),
            None => Err(Error::not_found(Entity::Loan, loan.get())),
        }
    }

    /// Renews several loans at once, each with its own result; refusals do not undo the others.
    /// A loan that is not the patron's is reported as not found and nothing is renewed.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Conflict`: a loan changed meanwhile.
    /// - `InvalidInput`: a due date beyond the supported years.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn renew_all(
        &mut self,
        patron: PatronId,
        loans: &[LoanId],
    ) -> Result<Vec<(LoanId, Result<NaiveDate, Refusal>)>> {
        let today = self.today();
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today, now: self.now() };
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let mut results = Vec::with_capacity(loans.len());
            for &id in loans {
                let loan = patrons_loan(tx, patron, id)?;
                let decision = renewal_with(&ctx, tx, &who, &loan)?;
                if let Ok(due) = decision {
                    check_date("due_on", due)?;
                    if !tx.renew_loan(id, loan.renewals, due)? {
                        return Err(Error::Conflict {
                            entity: Entity::Loan,
                            key: id.get().to_string(),
                            reason: "the loan changed while renewing; try again".into(),
                        });
                    }
                    tx.touch_patron(patron, today)?;
                }
                results.push((id, decision));
            }
            Ok(results)
        })
    }

    /// The patron's open loans with due dates, days overdue and renewability (R-L1).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn patron_loans(&self, patron: PatronId) -> Result<Vec<LoanView>> {
        let today = self.today();
        let gate = Gate { policy: &self.policy, today, service: Service::LoanStatus };
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today, now: self.now() };
        self.store.read(|tx| {
            let who = gate.patron(tx, patron)?;
            tx.open_loans_of(patron)?
                .into_iter()
                .map(|loan| {
                    let renewal = renewal_with(&ctx, tx, &who, &loan)?;
                    Ok(LoanView { days_overdue: loan.days_overdue(today), renewal, loan })
                })
                .collect()
        })
    }

    /// When `copy` is due back, if it is lent: what a self-check machine's item information
    /// shows (SIP2 `17`). Never who has it.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copy_due_on(&self, copy: CopyId) -> Result<Option<NaiveDate>> {
        self.store.read(|tx| {
            tx.copy(copy)?.ok_or_else(|| Error::not_found(Entity::Copy, copy.get()))?;
            tx.due_on_of_copy(copy)
        })
    }

    /// Every overdue loan in the library, oldest due date first (the staff overdue list).
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn overdue_loans(&self) -> Result<Vec<Loan>> {
        let today = self.today();
        self.store.read(|tx| tx.overdue_loans(today))
    }

    /// Why the patron may not log in (`service = None`) or use `service` (R-A2, R-A6); empty
    /// when in good standing.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn patron_standing(&self, patron: PatronId, service: Option<Service>) -> Result<Vec<Reason>> {
        let today = self.today();
        self.store.read(|tx| {
            let who = patron_in(tx, patron)?;
            let facts = account_facts(tx, &who, today)?;
            Ok(account_refusals(&self.policy, &facts, service))
        })
    }

    /// Opts the patron in to reading history after they agreed to the terms (R-R1); only loans
    /// checked out from now on are recorded.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: `agreed_to_terms` is false.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn opt_in_reading_history(&mut self, patron: PatronId, agreed_to_terms: bool) -> Result<()> {
        if !self.policy.reading.history_offered {
            return Err(Error::InvalidInput {
                field: "reading_history",
                reason: "this library does not offer it".into(),
            });
        }
        if !agreed_to_terms {
            return Err(Error::InvalidInput { field: "agreed_to_terms", reason: "the terms must be agreed to".into() });
        }
        let today = self.today();
        let gate = Gate { policy: &self.policy, today, service: Service::ReadingHistory };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            if tx.reading_history_since(patron)?.is_none() {
                tx.set_reading_history(patron, Some(today))?;
            }
            Ok(())
        })
    }

    /// Opts the patron out of reading history and deletes it.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn opt_out_reading_history(&mut self, patron: PatronId) -> Result<()> {
        self.store.write(|tx| {
            patron_in(tx, patron)?;
            tx.set_reading_history(patron, None)
        })
    }

    /// The patron's own reading history, newest first, `limit` entries from `offset`. There is
    /// deliberately no staff call that lists a patron's past loans (R-R1).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn reading_history(&self, patron: PatronId, limit: u32, offset: u32) -> Result<Vec<HistoryEntry>> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::ReadingHistory };
        self.store.read(|tx| {
            gate.patron(tx, patron)?;
            tx.reading_history(patron, limit.min(MAX_PAGE), offset)
        })
    }

    /// Checkouts and returns per day, library-wide, from `from` to `to` inclusive.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a date outside the supported years.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn daily_circulation(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyCirculation>> {
        check_date("from", from)?;
        check_date("to", to)?;
        self.store.read(|tx| tx.daily_circulation(from, to))
    }

    fn require_own_branch(&self, code: &str) -> Result<()> {
        if self.require_branch(code)?.partner {
            return Err(Error::InvalidInput { field: "branch", reason: format!("`{code}` is a partner library") });
        }
        Ok(())
    }
}

/// The renewal decision for `who`'s `loan` today: the one `renew`, `preview_renewal` and
/// `patron_loans` give.
fn renewal_with(ctx: &Ctx<'_>, tx: &Tx<'_>, who: &Patron, loan: &Loan) -> Result<Result<NaiveDate, Refusal>> {
    Ok(renewal_overriding(ctx, tx, who, loan, &[])?.map(|(due, _)| due))
}

/// The renewal decision for `loan` today with the reasons staff `overrides` overridden: the new
/// due date and the overrides used, or the reasons left (all of them without overrides).
pub(crate) fn renewal_overriding(
    ctx: &Ctx<'_>,
    tx: &Tx<'_>,
    who: &Patron,
    loan: &Loan,
    overrides: &[Override],
) -> Result<Result<(NaiveDate, Vec<Override>), Refusal>> {
    let (policy, matrix, today) = (ctx.policy, ctx.matrix, ctx.today);
    let account = account_facts(tx, who, today)?;
    let own_overdue = u32::from(loan.due_on < today);
    let calendar = calendar_in(tx, policy, &loan.branch, today)?;
    let rules = matrix.resolve(&Scope::new(&who.category, &loan.material_kind, &loan.branch));
    let holds_by_others = tx.waiting_holds_by_others(loan.title, who.id)?;
    let (mut unfrozen_holds_by_others, mut copies_for_holds) = (holds_by_others, 0);
    if holds_by_others > 0 && policy.loans.renewal.allow_if_other_copies_available {
        (unfrozen_holds_by_others, copies_for_holds) = copies_for_waiting_holds(ctx, tx, who, loan)?;
    }
    let facts = RenewalFacts {
        rules: &rules,
        due_on: loan.due_on,
        renewals: loan.renewals,
        interlibrary: loan.interlibrary,
        holds_by_others,
        unfrozen_holds_by_others,
        copies_for_holds,
        other_overdue_loans: account.overdue_loans - own_overdue,
        account: account_refusals(policy, &account, Some(Service::Renewals)),
        at: DueContext { today, branch: &loan.branch, card_expires_on: who.expires_on, calendar: &calendar },
    };
    let (reasons, due) = renewal_outcome(policy, &facts);
    // The engine's guard against a renewal that does not extend the loan is listed only when
    // no guide rule refuses; with those overridden it still holds, and is never overridable.
    let outcome = apply_overrides(reasons, due, overrides);
    if matches!(outcome, Ok((new_due_on, _)) if new_due_on <= loan.due_on) {
        return Ok(Refusal::check(
            vec![Reason::WouldNotExtend { due_on: loan.due_on, new_due_on: due }],
            (due, vec![]),
        ));
    }
    Ok(outcome)
}

/// Lends the copy with `barcode` to `patron` at `branch` inside the caller's transaction, with
/// the reasons staff `overrides` overridden (none for a patron's own checkout): the loan and
/// the overrides used.
pub(crate) fn lend_in(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    barcode: &str,
    patron: PatronId,
    branch: &str,
    status: LoanStatus,
    overrides: &[Override],
) -> Result<(Loan, Vec<Override>)> {
    let (policy, matrix, today) = (ctx.policy, ctx.matrix, ctx.today);
    let calendar = calendar_in(tx, policy, branch, today)?;
    let copy = copy_by_barcode(tx, barcode)?;
    let who = patron_in(tx, patron)?;
    let rules = matrix.resolve(&Scope::new(&who.category, &copy.material_kind, branch));
    let (open_loans, open_loans_of_kind) = tx.open_loan_counts(patron, &copy.material_kind)?;
    let facts = CheckoutFacts {
        rules: &rules,
        copy_loanable: copy.loanable,
        material_kind: &copy.material_kind,
        latest_issue: tx.is_latest_issue(copy.title)?,
        copy_status: copy.status,
        held_for_another: tx.copy_set_aside_for_other(copy.id, patron)?,
        patron_blocked: who.blocked,
        overdue_loans: tx.count_overdue_of(patron, today)?,
        open_loans,
        open_loans_of_kind,
        suspended_until: who.suspended_until,
        at: DueContext { today, branch, card_expires_on: who.expires_on, calendar: &calendar },
    };
    let (reasons, due_on) = checkout_outcome(policy, &facts);
    let (due_on, used) = apply_overrides(reasons, due_on, overrides)?;
    // A walk-in checkout fulfils the borrower's own hold on the title, if any (R-H5).
    let fulfilled = match tx.hold_of_copy_for(copy.id, patron)? {
        Some(hold) => Some(hold),
        None => tx.queued_hold_of(patron, copy.title)?,
    };
    let loan = start_loan(tx, &copy, copy.status, patron, branch, status, today, due_on)?;
    if let Some(hold) = fulfilled {
        if status == LoanStatus::InTransit {
            // Dispatched to a partner library's pickup (R-H12), as a routed dispatch is.
            let h = tx.hold(hold)?.ok_or_else(|| Error::not_found(Entity::Hold, hold.get()))?;
            dispatch_hold(tx, ctx, &h, &who, &loan)?;
        } else {
            tx.delete_hold(hold)?;
        }
    }
    Ok((loan, used))
}

/// The holds by others on `loan`'s title not frozen today, and the title's copies on the shelf
/// that could fill at least one of them ([`Ctx::may_fill`]): the facts of
/// `loans.renewal.allow_if_other_copies_available` (#17).
fn copies_for_waiting_holds(ctx: &Ctx<'_>, tx: &Tx<'_>, who: &Patron, loan: &Loan) -> Result<(u32, u32)> {
    let holds: Vec<_> =
        tx.queued_holds(loan.title)?.into_iter().filter(|h| h.patron != who.id && !h.is_frozen_on(ctx.today)).collect();
    let mut copies = 0u32;
    for copy in tx.copies_of(loan.title)?.into_iter().filter(|c| c.status == CopyStatus::OnShelf) {
        for hold in &holds {
            if ctx.may_fill(tx, hold, &copy.material_kind, copy.loanable)? {
                copies += 1;
                break;
            }
        }
    }
    Ok((u32::try_from(holds.len()).unwrap_or(u32::MAX), copies))
}

/// Starts a loan of `copy` (now in status `from`) to `patron` at `branch`: moves the copy to
/// on-loan, inserts the loan with its due date, records reading history if opted in.
#[allow(clippy::too_many_arguments)]
pub(crate) fn start_loan(
    tx: &Tx<'_>,
    copy: &Copy,
    from: CopyStatus,
    patron: PatronId,
    branch: &str,
    status: LoanStatus,
    today: NaiveDate,
    due_on: NaiveDate,
) -> Result<Loan> {
    let due_on = check_date("due_on", due_on)?;
    if !tx.move_copy(copy.id, from, CopyStatus::OnLoan, None)? {
        return Err(Refusal::one(Reason::CopyOnLoan).into());
    }
    let loan = tx.insert_loan(&NewLoan {
        copy: copy.id,
        title: copy.title,
        patron,
        branch,
        status,
        checked_out_on: today,
        due_on,
    })?;
    if tx.reading_history_since(patron)?.is_some() {
        tx.record_history(patron, copy.title, loan, today)?;
    }
    tx.touch_patron(patron, today)?;
    tx.open_loan(loan)?.ok_or_else(|| Error::not_found(Entity::Loan, loan.get()))
}

pub(crate) fn copy_by_barcode(tx: &Tx<'_>, barcode: &str) -> Result<Copy> {
    tx.copy_by_barcode(barcode.trim())?.ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: barcode.to_owned() })
}

/// The patron's open loan `id`; another patron's loan is "not found", revealing nothing.
fn patrons_loan(tx: &Tx<'_>, patron: PatronId, id: LoanId) -> Result<Loan> {
    tx.open_loan(id)?.filter(|l| l.patron == Some(patron)).ok_or_else(|| Error::not_found(Entity::Loan, id.get()))
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use chrono::{TimeZone, Utc};

    use crate::catalog::{NewCopy, NewTitle};
    use crate::holds::HoldRequest;
    use crate::patrons::NewPatron;
    use crate::policy::ContactMethod;
    use crate::{FixedClock, Library, Policy};

    /// Every statement a check-in that fills a hold by mail issues: borrower A returns the copy,
    /// B's hold (contact: mail, one confirmed address) becomes ready with its notice.
    fn check_in_statements() -> Vec<String> {
        let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
        let mut lib = Library::open_in_memory(Policy::preset("chiba").unwrap(), clock).unwrap();
        let expires = "2029-01-01".parse().unwrap();
        let a = lib.register_patron(NewPatron::new("10000001", "甲", expires)).unwrap();
        let b = lib.register_patron(NewPatron::new("10000002", "乙", expires)).unwrap();
        lib.register_email_at_counter(b, "otsu@example.jp", None).unwrap();
        let t = lib.add_title(NewTitle::new("本")).unwrap();
        lib.add_copy(NewCopy::new("C1", t, "chuo", "book")).unwrap();
        lib.checkout("C1", a, "chuo").unwrap();
        lib.place_hold(b, t, &HoldRequest::web("chuo", ContactMethod::Mail).at_counter()).unwrap();
        let sink = Arc::new(Mutex::new(Vec::new()));
        lib.store.trace_statements(sink.clone());
        let done = lib.check_in("C1", "chuo").unwrap();
        assert!(matches!(done.route, super::CopyRoute::HeldForPickup { .. }), "{:?}", done.route);
        let notices = lib.pending_notices(10).unwrap();
        assert!(notices.iter().any(|n| n.kind == crate::notify::NoticeKind::HoldReady), "{notices:?}");
        sink.lock().unwrap().clone()
    }

    /// #17: a check-in filling a hold reads each row once and skips what cannot apply: the
    /// copy comes with its loan, the borrower's reading-history flag and whether the loan has
    /// notices or audit rows (here none, so neither is deleted nor stripped, R-R1) in one
    /// read; the calendar comes from the handle's cache (one read of the change counter); the
    /// queue head comes with its patron, without phones and flags; the borrower is not read
    /// for an on-time return, reading history is not touched for a borrower without one, and
    /// the hold (without a pull target) gets its ready assignment row in one `INSERT OR
    /// IGNORE`. Nine statements in all (session 2: twenty-four; session 6: fourteen; session
    /// 7: thirteen); since V23 the loan's DELETE runs no foreign-key action on the audit log.
    #[test]
    fn a_check_in_filling_a_hold_issues_no_avoidable_statement() {
        let all = check_in_statements();
        let begin = all.iter().position(|s| s == "BEGIN IMMEDIATE").unwrap();
        let end = all.iter().position(|s| s == "COMMIT").unwrap();
        let within = &all[begin + 1..end];
        let count = |needle: &str| within.iter().filter(|s| s.contains(needle)).count();
        assert_eq!(count("FROM patrons p WHERE"), 0, "the hold's patron comes with the hold: {within:#?}");
        assert_eq!(count("JOIN patrons p ON p.id = h.patron_id"), 1, "{within:#?}");
        assert_eq!(count("FROM copies c LEFT JOIN loans l"), 1, "{within:#?}");
        assert_eq!(count("FROM loans l"), 0, "the loan comes with the copy: {within:#?}");
        assert_eq!(count("DELETE FROM notices"), 0, "the loan has no notices: {within:#?}");
        assert_eq!(count("patron_phones") + count("patron_flags"), 0, "{within:#?}");
        assert_eq!(count("branch_closed_weekdays") + count("calendar_exceptions"), 0, "{within:#?}");
        assert_eq!(count("calendar_changes"), 1, "{within:#?}");
        assert_eq!(count("reading_history") - count("reading_history_since IS NOT NULL"), 0, "{within:#?}");
        assert_eq!(count("INSERT INTO notices"), 1, "{within:#?}");
        assert_eq!(count("UPDATE audit"), 0, "no audit row to strip: {within:#?}");
        assert_eq!(count("UPDATE holds"), 0, "{within:#?}");
        assert_eq!(
            count("assignments SET") + count("DELETE FROM assignments") + count("INTO assignments"),
            1,
            "{within:#?}"
        );
        assert_eq!(within.len(), 9, "{within:#?}");
    }
}
