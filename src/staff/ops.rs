//! Staff operations on [`Library`], each with its audit row in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};

use super::{AuditAction, AuditEntry, CopyCondition, CopyEdit, CopyMarked, StaffActor};
use crate::Library;
use crate::catalog::{Copy, CopyStatus, SUPPORTED_YEARS, check_date, clean_text};
use crate::circulation::{CopyRoute, Loan, LoanId, LoanStatus, copy_by_barcode, lend_in, renewal_overriding};
use crate::error::{Entity, Error, Result};
use crate::holds::route::{Ctx, notify, route_copy};
use crate::holds::{HoldId, HoldRequest, place_one, request_in};
use crate::notify::NoticeKind;
use crate::patrons::{PatronId, patron_in};
use crate::policy::{Override, Reason, Refusal, freeze_reasons, unused_overrides};
use crate::store::{CopyFlags, LoanToReturn, NewAudit, Tx};

/// Longest staff id accepted, in characters.
const MAX_STAFF_CHARS: usize = 64;

/// A validated actor: trimmed id and note.
struct Actor {
    staff: String,
    note: String,
}

impl StaffActor {
    fn validated(&self) -> Result<Actor> {
        let staff = clean_text("staff", &self.staff, true)?;
        if staff.chars().count() > MAX_STAFF_CHARS {
            return Err(Error::InvalidInput {
                field: "staff",
                reason: format!("at most {MAX_STAFF_CHARS} characters"),
            });
        }
        let note = clean_text("note", self.note.as_deref().unwrap_or(""), false)?;
        Ok(Actor { staff, note })
    }
}

impl Actor {
    /// An audit row by this actor at `at`, about nothing yet.
    fn audit<'a>(&'a self, at: DateTime<Utc>, action: AuditAction) -> NewAudit<'a> {
        NewAudit {
            at,
            staff: &self.staff,
            action,
            overridden: &[],
            note: &self.note,
            detail: "",
            patron: None,
            loan: None,
            hold: None,
            copy: None,
        }
    }
}

impl Library {
    /// Staff renew a patron's loan on their behalf, at the counter or on the phone: the same
    /// decision as [`Library::renew`] (R-L2–R-L4), and an audit row.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such open loan.
    /// - `InvalidInput`: a malformed staff id or note.
    /// - `Refused`: the rules say no; every reason is listed (override with
    ///   [`Library::override_renewal`]).
    /// - `Conflict`: the loan changed meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn renew_for_patron(&mut self, by: &StaffActor, loan: LoanId) -> Result<NaiveDate> {
        self.staff_renewal(by, loan, &[])
    }

    /// Staff renew a loan overriding a refusal. `overrides` names exactly the reasons
    /// overridden: the renewal is refused if a reason is not named (or may not be overridden,
    /// see [`Override`]), and a named reason that does not apply is invalid input. The audit row
    /// records the reasons, the staff member and the note.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such open loan.
    /// - `InvalidInput`: no override named, one that does not apply, or a malformed staff id or
    ///   note.
    /// - `Refused`: with the reasons that are not overridden.
    /// - `Conflict`: the loan changed meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn override_renewal(&mut self, by: &StaffActor, loan: LoanId, overrides: &[Override]) -> Result<NaiveDate> {
        require_overrides(overrides)?;
        self.staff_renewal(by, loan, overrides)
    }

    fn staff_renewal(&mut self, by: &StaffActor, loan: LoanId, overrides: &[Override]) -> Result<NaiveDate> {
        let actor = by.validated()?;
        let (today, now, policy, matrix) = (self.today(), self.now(), &self.policy, &self.matrix);
        self.store.write(|tx| {
            let l = tx.open_loan(loan)?.ok_or_else(|| Error::not_found(Entity::Loan, loan.get()))?;
            let patron = l.patron.ok_or_else(|| Error::not_found(Entity::Loan, loan.get()))?;
            let who = patron_in(tx, patron)?;
            let ctx = Ctx { policy, matrix, today, now };
            let (due, used) = renewal_overriding(&ctx, tx, &who, &l, overrides)??;
            require_all_used(overrides, &used)?;
            check_date("due_on", due)?;
            if !tx.renew_loan(loan, l.renewals, due)? {
                return Err(Error::Conflict {
                    entity: Entity::Loan,
                    key: loan.get().to_string(),
                    reason: "the loan changed while renewing; try again".into(),
                });
            }
            tx.touch_patron(patron, today)?;
            let action = if used.is_empty() { AuditAction::Renewal } else { AuditAction::OverrideRenewal };
            tx.insert_audit(&NewAudit {
                overridden: &used,
                patron: Some(patron),
                loan: Some(loan),
                copy: Some(l.copy),
                ..actor.audit(now, action)
            })?;
            Ok(due)
        })
    }

    /// Staff lend a copy at the counter of `branch` overriding a refusal; `overrides` names
    /// exactly the reasons overridden, as for [`Library::override_renewal`]. A not-for-loan
    /// copy of a kind the policy never lends is due the same day.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy, patron or branch.
    /// - `InvalidInput`: no override named, one that does not apply, a partner branch, or a
    ///   malformed staff id or note.
    /// - `Refused`: with the reasons that are not overridden.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn override_checkout(
        &mut self,
        by: &StaffActor,
        barcode: &str,
        patron: PatronId,
        branch: &str,
        overrides: &[Override],
    ) -> Result<Loan> {
        require_overrides(overrides)?;
        let actor = by.validated()?;
        if self.require_branch(branch)?.partner {
            return Err(Error::InvalidInput { field: "branch", reason: format!("`{branch}` is a partner library") });
        }
        let (today, now) = (self.today(), self.now());
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today, now };
        self.store.write(|tx| {
            let (loan, used) = lend_in(tx, &ctx, barcode, patron, branch, LoanStatus::Active, overrides)?;
            require_all_used(overrides, &used)?;
            tx.insert_audit(&NewAudit {
                overridden: &used,
                patron: Some(patron),
                loan: Some(loan.id),
                copy: Some(loan.copy),
                ..actor.audit(now, AuditAction::OverrideCheckout)
            })?;
            Ok(loan)
        })
    }

    /// Staff place a hold at the counter overriding a refusal (the request counts as a counter
    /// hold); `overrides` names exactly the reasons overridden, as for
    /// [`Library::override_renewal`].
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron, title or pickup branch.
    /// - `InvalidInput`: no override named, one that does not apply, a malformed request, or a
    ///   malformed staff id or note.
    /// - `Refused`: with the reasons that are not overridden.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn override_hold(
        &mut self,
        by: &StaffActor,
        patron: PatronId,
        title: crate::catalog::TitleId,
        request: &HoldRequest,
        overrides: &[Override],
    ) -> Result<HoldId> {
        require_overrides(overrides)?;
        let actor = by.validated()?;
        let request = request.clone().at_counter();
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let ctx = Ctx { policy, matrix: &self.matrix, today, now };
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let (pickup, emails) = request_in(tx, policy, &who, &request)?;
            let (hold, used) = place_one(tx, &ctx, &who, title, &pickup, &request, &emails, overrides)??;
            require_all_used(overrides, &used)?;
            tx.insert_audit(&NewAudit {
                overridden: &used,
                patron: Some(patron),
                hold: Some(hold),
                ..actor.audit(now, AuditAction::OverrideHold)
            })?;
            Ok(hold)
        })
    }

    /// Staff freeze a queued hold until `until` (the day it is active again), or until lifted
    /// (#17), and an audit row naming the hold and its patron while the hold lives. Staff are
    /// not bound by `holds.max_freeze_days` nor by the patron's account.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: `until` not after today or beyond the supported years, or a
    ///   malformed staff id or note.
    /// - `NotFound`: no such hold.
    /// - `Refused` (`HoldNotChangeable`): the hold is not queued (a copy is assigned, or it ended).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn freeze_hold_as_staff(&mut self, by: &StaffActor, hold: HoldId, until: Option<NaiveDate>) -> Result<()> {
        self.check_freeze_end(until, false)?;
        self.staff_freeze(by, hold, true, until)
    }

    /// Staff lift the freeze on a queued hold (#17), with an audit row; a hold not frozen is
    /// left as it is (the row is still written: staff acted).
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a malformed staff id or note.
    /// - `NotFound`: no such hold.
    /// - `Refused` (`HoldNotChangeable`): the hold is not queued.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn unfreeze_hold_as_staff(&mut self, by: &StaffActor, hold: HoldId) -> Result<()> {
        self.staff_freeze(by, hold, false, None)
    }

    /// The staff side of `freeze_as_patron`: the same change, without the patron's account
    /// check, with its audit row.
    fn staff_freeze(&mut self, by: &StaffActor, hold: HoldId, frozen: bool, until: Option<NaiveDate>) -> Result<()> {
        let actor = by.validated()?;
        let now = self.now();
        let (action, detail) = match (frozen, until) {
            (false, _) => (AuditAction::HoldUnfrozen, String::new()),
            (true, None) => (AuditAction::HoldFrozen, "until lifted".to_owned()),
            (true, Some(day)) => (AuditAction::HoldFrozen, format!("until {day}")),
        };
        self.store.write(|tx| {
            let h = tx.hold(hold)?.ok_or_else(|| Error::not_found(Entity::Hold, hold.get()))?;
            Refusal::check(freeze_reasons(h.stage(), &[]), ())?;
            if !tx.set_hold_frozen(hold, frozen, until)? {
                return Err(Error::Refused(Refusal::one(Reason::HoldNotChangeable)));
            }
            let entry =
                NewAudit { detail: &detail, patron: Some(h.patron), hold: Some(hold), ..actor.audit(now, action) };
            tx.insert_audit(&entry)
        })
    }

    /// Staff change a copy's flags: loanable, interlibrary, owning branch, material kind. The
    /// kind must be one of the policy's and the branch one of the library's own. A copy set
    /// aside for a hold (in transit for it, or on the hold shelf) is not edited, and a copy
    /// moves branch only while it is on the shelf, lost or out of circulation (not lent, not
    /// travelling): check it in or receive it first.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch.
    /// - `InvalidInput`: an unknown kind, a partner branch, no change, or a malformed staff id
    ///   or note.
    /// - `Refused` (`CopyUnavailable`, `CopyOnLoan`): the copy may not be edited so now.
    /// - `Conflict`: the copy moved meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn edit_copy(&mut self, by: &StaffActor, barcode: &str, edit: &CopyEdit) -> Result<Copy> {
        let actor = by.validated()?;
        if let Some(branch) = &edit.branch
            && self.require_branch(branch)?.partner
        {
            return Err(Error::InvalidInput { field: "branch", reason: format!("`{branch}` is a partner library") });
        }
        if let Some(kind) = &edit.material_kind
            && self.policy.material(kind).is_none()
        {
            return Err(Error::InvalidInput {
                field: "material_kind",
                reason: format!("`{kind}` is not in the policy"),
            });
        }
        let now = self.now();
        self.store.write(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            if tx.hold_of_copy(copy.id)?.is_some() {
                return Err(Refusal::one(Reason::CopyUnavailable { status: copy.status }).into());
            }
            let branch = edit.branch.as_deref().unwrap_or(&copy.branch);
            if branch != copy.branch {
                match copy.status {
                    CopyStatus::OnShelf | CopyStatus::Missing | CopyStatus::Withdrawn => {}
                    CopyStatus::OnLoan => return Err(Refusal::one(Reason::CopyOnLoan).into()),
                    status => return Err(Refusal::one(Reason::CopyUnavailable { status }).into()),
                }
            }
            let flags = CopyFlags {
                loanable: edit.loanable.unwrap_or(copy.loanable),
                interlibrary: edit.interlibrary.unwrap_or(copy.interlibrary),
                branch,
                material_kind: edit.material_kind.as_deref().unwrap_or(&copy.material_kind),
            };
            let detail = changes(&copy, &flags);
            if detail.is_empty() {
                return Err(Error::InvalidInput { field: "edit", reason: "it changes nothing".into() });
            }
            if !tx.set_copy_flags(copy.id, copy.status, &flags)? {
                return Err(moved(&copy));
            }
            tx.insert_audit(&NewAudit {
                detail: &detail,
                copy: Some(copy.id),
                ..actor.audit(now, AuditAction::CopyEdited)
            })?;
            tx.copy(copy.id)?.ok_or_else(|| Error::not_found(Entity::Copy, copy.id.get()))
        })
    }

    /// Staff mark a copy lost, damaged or withdrawn. Its hold, if it was set aside for one (in
    /// transit or on the hold shelf), goes back to the queue at its old place; the next copy on
    /// a shelf then appears for it on the pull list, and a copy checked in goes to it in queue
    /// order. A patron already told the copy was ready or on its way gets a
    /// [`NoticeKind::HoldRequeued`] notice; a ready notice not yet delivered is withdrawn. A
    /// copy lent may only be marked lost, which closes the loan as a return does (deleted,
    /// counted on the day's returns, R-R1): the borrower lost it, and the request it met, if
    /// any, stays met. A copy dispatched on loan to a partner library's pickup that never
    /// reached the patron is [`Library::mark_lost_on_the_way`] instead (ask
    /// [`Library::is_on_its_way`] to offer it): marked lost here, the request kept for it is
    /// gone for good. A copy in transit between branches for a hold (no loan yet) is marked
    /// here. A damaged or withdrawn copy on loan is checked in first. A withdrawn copy stays
    /// withdrawn.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `InvalidInput`: a malformed staff id or note.
    /// - `Refused` (`CopyOnLoan`, `CopyUnavailable`): the copy is lent, withdrawn, or already in
    ///   that condition.
    /// - `Conflict`: the copy moved meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn mark_copy(&mut self, by: &StaffActor, barcode: &str, condition: CopyCondition) -> Result<CopyMarked> {
        self.mark(by, barcode, condition, false)
    }

    /// Staff mark lost a copy that was dispatched on loan to a partner library's pickup (the
    /// loan started at dispatch, R-H12) and never reached the patron: the partner library
    /// reports it did not arrive. The copy is marked lost, and the hold it was dispatched for
    /// comes back as it was — same id, place in the
    /// queue, pickup branch and point, contact and phone ([`CopyMarked::requeued`]) — unless
    /// no hold was kept (a loan dispatched without one, or before V25). A patron who may know
    /// of the loan (a notice about it delivered or claimed by a drainer, or the loan renewed)
    /// gets a [`NoticeKind::HoldRequeued`] notice saying the loan is cancelled
    /// ([`NoticeFacts::loan_cancelled`](crate::notify::NoticeFacts::loan_cancelled)); without a
    /// kept hold nobody is told. The loan is cancelled ([`CopyMarked::loan_cancelled`]: the
    /// loss is the library's, not the borrower's): closed as a return is, and gone from the
    /// patron's reading history. The audit row says the copy was lost on the way, and not
    /// whose request came back (R-R1). A copy in transit between branches for a hold has no
    /// loan: [`Library::mark_copy`] it.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `InvalidInput`: a malformed staff id or note.
    /// - `Refused`: `NotOnItsWay` when the copy is not on a loan begun at dispatch, or the
    ///   patron collected it ([`Library::confirm_pickup`]); with `CopyUnavailable` too when it
    ///   is already lost or withdrawn.
    /// - `Conflict`: the copy moved meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn mark_lost_on_the_way(&mut self, by: &StaffActor, barcode: &str) -> Result<CopyMarked> {
        self.mark(by, barcode, CopyCondition::Lost, true)
    }

    /// [`Library::mark_copy`], or with `on_the_way` [`Library::mark_lost_on_the_way`].
    fn mark(
        &mut self,
        by: &StaffActor,
        barcode: &str,
        condition: CopyCondition,
        on_the_way: bool,
    ) -> Result<CopyMarked> {
        let actor = by.validated()?;
        let (today, now) = (self.today(), self.now());
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today, now };
        self.store.write(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            let current = tx.copy_condition(copy.id)?;
            let mut reasons = Vec::new();
            if matches!(current, Some(CopyCondition::Withdrawn)) || current == Some(condition) {
                reasons.push(Reason::CopyUnavailable { status: copy.status });
            }
            let loan = if copy.status == CopyStatus::OnLoan { tx.loan_to_return(copy.id)? } else { None };
            if on_the_way && !loan.as_ref().is_some_and(|l| l.dispatched) {
                reasons.push(Reason::NotOnItsWay);
            }
            Refusal::check(reasons, ())?;
            let mut marked = CopyMarked { closed_loan: None, requeued: None, loan_cancelled: false };
            match (copy.status, loan) {
                (_, Some(loan)) if on_the_way => lose_on_the_way(tx, &ctx, &loan, &mut marked)?,
                (CopyStatus::OnLoan, _) if condition != CopyCondition::Lost => {
                    return Err(Refusal::one(Reason::CopyOnLoan).into());
                }
                // (A copy lent without a loan row, which `check()` reports, is simply marked.)
                (CopyStatus::OnLoan, loan) => {
                    if let Some(loan) = loan {
                        tx.return_loan(&loan, today)?;
                        marked.closed_loan = Some((loan.id, loan.patron));
                    }
                }
                (CopyStatus::InTransit | CopyStatus::OnHoldShelf, _) => {
                    if let Some(hold) = tx.hold_of_copy(copy.id)? {
                        // A patron told the copy is ready or coming is told it is not; one
                        // never told (the notice was still in the outbox, and goes) is not.
                        let told = tx.assignment_announced(hold.id)?;
                        tx.unassign_hold(hold.id)?;
                        if told {
                            notify(tx, &ctx, &hold, NoticeKind::HoldRequeued, |_| {})?;
                        }
                        marked.requeued = Some(hold.id);
                    }
                }
                (CopyStatus::OnShelf | CopyStatus::Missing | CopyStatus::Withdrawn, _) => {}
            }
            let (to, action) = match condition {
                CopyCondition::Lost => (CopyStatus::Missing, AuditAction::CopyLost),
                CopyCondition::Damaged => (CopyStatus::Withdrawn, AuditAction::CopyDamaged),
                CopyCondition::Withdrawn => (CopyStatus::Withdrawn, AuditAction::CopyWithdrawn),
            };
            if !tx.set_copy_condition(copy.id, copy.status, to, Some(condition))? {
                return Err(moved(&copy));
            }
            // Whether the loan was cancelled, never whose request came back: this row keeps the
            // copy, and must not link it to a patron (R-R1).
            let detail = match (marked.closed_loan, marked.loan_cancelled) {
                (Some(_), true) => "lost on the way to a partner library's pickup; its loan was cancelled",
                (Some(_), false) => "its loan was closed",
                (None, _) => "",
            };
            let mut entry = NewAudit { detail, copy: Some(copy.id), ..actor.audit(now, action) };
            if marked.closed_loan.is_some() {
                // The loan is returned in this transaction (R-R1): staff may have written the
                // borrower's name in the note, and this row keeps the copy, so it keeps no note.
                entry.note = "";
            }
            tx.insert_audit(&entry)?;
            Ok(marked)
        })
    }

    /// Staff put a lost or damaged copy back into circulation where it is now, at `branch`: it
    /// goes to the first waiting hold it can fill, else onto the shelf here or in transit home,
    /// as a returned copy does. A withdrawn copy does not come back.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch.
    /// - `InvalidInput`: a partner branch, or a malformed staff id or note.
    /// - `Refused` (`CopyUnavailable`): the copy is not lost or damaged.
    /// - `Conflict`: the copy moved meanwhile.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn restore_copy(&mut self, by: &StaffActor, barcode: &str, branch: &str) -> Result<CopyRoute> {
        let actor = by.validated()?;
        if self.require_branch(branch)?.partner {
            return Err(Error::InvalidInput { field: "branch", reason: format!("`{branch}` is a partner library") });
        }
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let ctx = Ctx { policy, matrix: &self.matrix, today, now };
        self.store.write(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            let condition = tx.copy_condition(copy.id)?;
            let back = matches!(
                (copy.status, condition),
                (CopyStatus::Missing, None | Some(CopyCondition::Lost))
                    | (CopyStatus::Withdrawn, Some(CopyCondition::Damaged))
            );
            if !back || !tx.set_copy_condition(copy.id, copy.status, copy.status, None)? {
                return Err(Refusal::one(Reason::CopyUnavailable { status: copy.status }).into());
            }
            let route = route_copy(tx, &ctx, &copy, copy.status, branch)?;
            let detail = format!("at {branch}");
            tx.insert_audit(&NewAudit {
                detail: &detail,
                copy: Some(copy.id),
                ..actor.audit(now, AuditAction::CopyAvailable)
            })?;
            Ok(route)
        })
    }

    /// Whether the copy is on a loan begun when it was dispatched to a partner library's pickup
    /// (R-H12) and not yet collected: the copy [`Library::mark_lost_on_the_way`] accepts, for a
    /// staff screen to offer it beside [`Library::mark_copy`].
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn is_on_its_way(&self, barcode: &str) -> Result<bool> {
        self.store.read(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            Ok(tx.loan_to_return(copy.id)?.is_some_and(|l| l.dispatched))
        })
    }

    /// The condition staff set on a copy ([`Library::mark_copy`]); `None` when it circulates
    /// as its status says.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copy_condition(&self, barcode: &str) -> Result<Option<CopyCondition>> {
        self.store.read(|tx| {
            let copy = copy_by_barcode(tx, barcode)?;
            tx.copy_condition(copy.id)
        })
    }

    /// The audit log from `from` (inclusive) to `to` (exclusive), oldest first. An entry about a
    /// returned loan or an ended hold names no patron, loan, hold or copy and has no note
    /// (R-R1).
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: `to` is before `from`.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn audit_log(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<AuditEntry>> {
        if to < from {
            return Err(Error::InvalidInput { field: "to", reason: "before `from`".into() });
        }
        // Instants are stored as text, which sorts by time only within the supported years.
        let (first, last) = (supported_instant(*SUPPORTED_YEARS.start(), 1, 1), supported_instant(10_000, 1, 1));
        self.store.read(|tx| tx.audit_log(from.clamp(first, last), to.clamp(first, last)))
    }
}

/// The first instant of `y-m-d`, or (past the supported years) the last one of 9999.
fn supported_instant(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or_else(last_supported_instant, |t| t.and_utc())
        .min(last_supported_instant())
}

fn last_supported_instant() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_nano_opt(23, 59, 59, 999_999_999))
        .map_or(DateTime::<Utc>::MAX_UTC, |t| t.and_utc())
}

/// A copy dispatched on loan to a partner library's pickup never reached the patron: the hold
/// it was dispatched for comes back as it was, at its old place in the queue
/// (`marked.requeued`), and a patron who may know of the loan is told it is cancelled
/// ([`NoticeKind::HoldRequeued`]); then the loan is cancelled: closed as a return is (R-R1),
/// and gone from the patron's reading history, since they never had the copy.
fn lose_on_the_way(tx: &Tx<'_>, ctx: &Ctx<'_>, loan: &LoanToReturn, marked: &mut CopyMarked) -> Result<()> {
    if let Some((hold, told)) = tx.restore_dispatched_hold(loan.id)? {
        if told {
            let back = tx.hold(hold)?.ok_or_else(|| Error::not_found(Entity::Hold, hold.get()))?;
            notify(tx, ctx, &back, NoticeKind::HoldRequeued, |f| f.loan_cancelled = true)?;
        }
        marked.requeued = Some(hold);
    }
    tx.cancel_loan(loan, ctx.today)?;
    (marked.closed_loan, marked.loan_cancelled) = (Some((loan.id, loan.patron)), true);
    Ok(())
}

/// What `flags` change on `copy`, in words; empty when nothing.
fn changes(copy: &Copy, flags: &CopyFlags<'_>) -> String {
    let mut out = Vec::new();
    if flags.loanable != copy.loanable {
        out.push(format!("loanable: {} -> {}", copy.loanable, flags.loanable));
    }
    if flags.interlibrary != copy.interlibrary {
        out.push(format!("interlibrary: {} -> {}", copy.interlibrary, flags.interlibrary));
    }
    if flags.branch != copy.branch {
        out.push(format!("branch: {} -> {}", copy.branch, flags.branch));
    }
    if flags.material_kind != copy.material_kind {
        out.push(format!("material_kind: {} -> {}", copy.material_kind, flags.material_kind));
    }
    out.join("; ")
}

fn require_overrides(overrides: &[Override]) -> Result<()> {
    if overrides.is_empty() {
        return Err(Error::InvalidInput { field: "overrides", reason: "name the reasons overridden".into() });
    }
    Ok(())
}

/// An override names exactly what it overrides: one that matched no reason is refused.
fn require_all_used(named: &[Override], used: &[Override]) -> Result<()> {
    let unused = unused_overrides(named, used);
    if unused.is_empty() {
        return Ok(());
    }
    let codes: Vec<&str> = unused.iter().map(|o| o.code()).collect();
    Err(Error::InvalidInput { field: "overrides", reason: format!("these reasons do not apply: {}", codes.join(", ")) })
}

fn moved(copy: &Copy) -> Error {
    Error::Conflict {
        entity: Entity::Copy,
        key: copy.barcode.clone(),
        reason: "it changed meanwhile; try again".into(),
    }
}
