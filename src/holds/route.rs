//! Where a copy goes when it comes back, arrives, is pulled or is released: to the next hold
//! in its title's queue (ready here, in transit to the pickup branch, or dispatched on loan to
//! a partner), else home. Runs inside the caller's transaction.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use super::{Hold, HoldStatus};
use crate::catalog::{Copy, CopyStatus, OpeningCalendar, TitleId, calendar_in, check_date, no_open_day};
use crate::circulation::{CopyRoute, Loan, LoanStatus, start_loan};
use crate::error::{Entity, Error, Result};
use crate::notify::{About, NoticeFacts, NoticeId, NoticeKind, Recipient, enqueue};
use crate::patrons::{Patron, PatronId};
use crate::policy::{
    ChannelNeeds, CheckoutFacts, ContactMethod, DueContext, MailRecipients, Policy, Refusal, RuleMatrix, Rules, Scope,
    arrival_day, checkout_decision, copy_can_fill_holds, pickup_deadline,
};
use crate::store::{TargetedHold, Tx};

/// What every routing step needs to know.
pub(crate) struct Ctx<'a> {
    pub policy: &'a Policy,
    pub matrix: &'a RuleMatrix,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

/// What the fill decision reads of a hold: its title, pickup branch and patron.
pub(crate) struct Claim<'a> {
    pub title: TitleId,
    pub pickup: &'a str,
    pub patron: PatronId,
    /// The patron's category, for the rules in force.
    pub category: &'a str,
}

impl<'a> Claim<'a> {
    /// The claim of `hold`, whose patron is `who`.
    pub fn of(hold: &'a Hold, who: &'a Patron) -> Self {
        Claim { title: hold.title, pickup: &hold.pickup, patron: hold.patron, category: &who.category }
    }
}

impl Ctx<'_> {
    /// Whether a copy of `kind` (its own not-for-loan flag clear when `loanable`) may fill
    /// `hold` today, under the rules of the hold's patron, that kind and the pickup branch: the
    /// kind may be lent and held, a latest issue lent, and where the pickup starts the loan at
    /// dispatch (R-H12), the patron may borrow it today (checkout limits, suspension, ...).
    pub fn may_fill(&self, tx: &Tx<'_>, hold: &Hold, kind: &str, loanable: bool) -> Result<bool> {
        self.may_fill_as(tx, hold, &patron_of(tx, hold)?, kind, loanable)
    }

    /// [`Ctx::may_fill`] with the hold's patron `who` already read.
    fn may_fill_as(&self, tx: &Tx<'_>, hold: &Hold, who: &Patron, kind: &str, loanable: bool) -> Result<bool> {
        self.may_fill_claim(tx, &Claim::of(hold, who), Some(who), kind, loanable)
    }

    /// [`Ctx::may_fill`] from a hold's [`Claim`]; the patron is read only where the pickup
    /// starts the loan at dispatch, unless given as `who`.
    pub fn may_fill_claim(
        &self,
        tx: &Tx<'_>,
        claim: &Claim<'_>,
        who: Option<&Patron>,
        kind: &str,
        loanable: bool,
    ) -> Result<bool> {
        let rules = self.matrix.resolve(&Scope::new(claim.category, kind, claim.pickup));
        if !copy_can_fill_holds(&rules, loanable, CopyStatus::OnShelf) {
            return Ok(false);
        }
        if rules.values.latest_issue_loanable == Some(false) && tx.is_latest_issue(claim.title)? {
            return Ok(false);
        }
        if !self.dispatches_to(claim.pickup) {
            return Ok(true);
        }
        let read;
        let who = match who {
            Some(who) => who,
            None => {
                read = tx
                    .patron_without_details(claim.patron)?
                    .ok_or_else(|| Error::not_found(Entity::Patron, claim.patron.get()))?;
                &read
            }
        };
        Ok(self.dispatch_checkout(tx, who, &rules, claim, kind, loanable)?.is_ok())
    }

    /// The pickup of `hold` starts the loan when the copy is dispatched (R-H12).
    fn dispatches(&self, hold: &Hold) -> bool {
        self.dispatches_to(&hold.pickup)
    }

    /// Pickup at `branch` starts the loan when the copy is dispatched (R-H12).
    pub fn dispatches_to(&self, branch: &str) -> bool {
        self.policy.branch(branch).is_some_and(|b| b.loan_starts_at_dispatch)
    }

    /// The checkout decision for lending a copy of `kind` to `who` at dispatch today.
    fn dispatch_checkout(
        &self,
        tx: &Tx<'_>,
        who: &Patron,
        rules: &Rules,
        claim: &Claim<'_>,
        kind: &str,
        loanable: bool,
    ) -> Result<std::result::Result<NaiveDate, Refusal>> {
        let calendar = calendar_in(tx, self.policy, claim.pickup, self.today)?;
        let (open_loans, open_loans_of_kind) = tx.open_loan_counts(who.id, kind)?;
        let facts = CheckoutFacts {
            rules,
            copy_loanable: loanable,
            material_kind: kind,
            latest_issue: tx.is_latest_issue(claim.title)?,
            copy_status: CopyStatus::OnShelf,
            held_for_another: false,
            patron_blocked: who.blocked,
            overdue_loans: tx.count_overdue_of(who.id, self.today)?,
            open_loans,
            open_loans_of_kind,
            suspended_until: who.suspended_until,
            at: DueContext {
                today: self.today,
                branch: claim.pickup,
                card_expires_on: who.expires_on,
                calendar: &calendar,
            },
        };
        Ok(checkout_decision(self.policy, &facts))
    }

    /// The rules in force for `hold`: its patron's category, its kind, its pickup branch.
    pub fn hold_rules(&self, tx: &Tx<'_>, hold: &Hold) -> Result<Rules> {
        Ok(self.hold_rules_as(hold, &patron_of(tx, hold)?))
    }

    /// [`Ctx::hold_rules`] with the hold's patron `who` already read.
    fn hold_rules_as(&self, hold: &Hold, who: &Patron) -> Rules {
        self.matrix.resolve(&Scope::new(&who.category, &hold.material_kind, &hold.pickup))
    }
}

/// The patron of `hold` as routing reads it: without phones and flags, which routing does not
/// use (a fallback notice reads the patron in full).
fn patron_of(tx: &Tx<'_>, hold: &Hold) -> Result<Patron> {
    tx.patron_without_details(hold.patron)?.ok_or_else(|| Error::not_found(Entity::Patron, hold.patron.get()))
}

/// The first waiting hold on `copy`'s title, in queue order, that the copy may fill
/// ([`Ctx::may_fill`]); a hold it may not fill keeps its place for another copy. A hold frozen
/// today is skipped and keeps its place (#17). With the hold's patron, read once for every
/// later step of the routing.
fn first_fillable_hold(tx: &Tx<'_>, ctx: &Ctx<'_>, copy: &Copy) -> Result<Option<(Hold, Patron)>> {
    let Some((first, who)) = tx.first_waiting_hold(copy.title, ctx.today)? else { return Ok(None) };
    if ctx.may_fill_as(tx, &first, &who, &copy.material_kind, copy.loanable)? {
        return Ok(Some((first, who)));
    }
    for hold in tx.waiting_holds(copy.title, ctx.today)?.into_iter().filter(|h| h.id != first.id) {
        let who = patron_of(tx, &hold)?;
        if ctx.may_fill_as(tx, &hold, &who, &copy.material_kind, copy.loanable)? {
            return Ok(Some((hold, who)));
        }
    }
    Ok(None)
}

/// Routes `copy`, physically at `here` with status `from`.
pub(crate) fn route_copy(tx: &Tx<'_>, ctx: &Ctx<'_>, copy: &Copy, from: CopyStatus, here: &str) -> Result<CopyRoute> {
    if from == CopyStatus::InTransit
        && let Some(hold) = tx.hold_of_copy(copy.id)?
        && hold.status == HoldStatus::InTransit
    {
        if hold.pickup == here {
            return shelve_for(tx, ctx, &hold, &patron_of(tx, &hold)?, copy, from);
        }
        let arrives_on = hold.arrives_on.unwrap_or(ctx.today);
        return Ok(CopyRoute::InTransitForHold { hold: hold.id, to: hold.pickup, arrives_on });
    }
    // A pulled copy goes to the hold the pull list asked for it (copy targeting), if it still
    // may fill it and is not frozen today; else to the first hold it may fill.
    if from == CopyStatus::OnShelf
        && let Some(hold) = tx.targeted_hold_of(copy.id)?
        && !hold.is_frozen_on(ctx.today)
    {
        let who = patron_of(tx, &hold)?;
        if ctx.may_fill_as(tx, &hold, &who, &copy.material_kind, copy.loanable)? {
            return assign(tx, ctx, &hold, &who, copy, from, here);
        }
    }
    if let Some((hold, who)) = first_fillable_hold(tx, ctx, copy)? {
        return assign(tx, ctx, &hold, &who, copy, from, here);
    }
    if copy.branch == here {
        move_copy(tx, copy, from, CopyStatus::OnShelf, None)?;
        Ok(CopyRoute::Shelved)
    } else {
        move_copy(tx, copy, from, CopyStatus::InTransit, Some(&copy.branch))?;
        Ok(CopyRoute::InTransit { to: copy.branch.clone() })
    }
}

/// Ends `hold` (of patron `who`) with its copy dispatched on `loan` to a partner library's
/// pickup (R-H12), routed or by hand: the patron is told where to collect it and when it is
/// due, that notice goes with the loan, and the hold is kept with the loan until collection.
pub(crate) fn dispatch_hold(tx: &Tx<'_>, ctx: &Ctx<'_>, hold: &Hold, who: &Patron, loan: &Loan) -> Result<()> {
    let point = if loan.branch == hold.pickup { hold.pickup_point.as_deref() } else { None };
    let at = pickup_name(ctx.policy, &loan.branch, point);
    notify_as(tx, ctx, hold, who, NoticeKind::HoldDispatched, |f| (f.pickup, f.due_on) = (at, Some(loan.due_on)))?;
    tx.hand_notices_to_loan(hold.id, loan.id)?;
    tx.keep_dispatched_hold(hold.id, loan.id)?;
    tx.delete_hold(hold.id)?;
    Ok(())
}

/// Fills `hold` (of patron `who`) with `copy`, physically at `here` with status `from`.
fn assign(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    who: &Patron,
    copy: &Copy,
    from: CopyStatus,
    here: &str,
) -> Result<CopyRoute> {
    if ctx.dispatches(hold) {
        let rules = ctx.matrix.resolve(&Scope::new(&who.category, &copy.material_kind, &hold.pickup));
        let due_on =
            ctx.dispatch_checkout(tx, who, &rules, &Claim::of(hold, who), &copy.material_kind, copy.loanable)??;
        let loan = start_loan(tx, copy, from, hold.patron, &hold.pickup, LoanStatus::InTransit, ctx.today, due_on)?;
        dispatch_hold(tx, ctx, hold, who, &loan)?;
        return Ok(CopyRoute::DispatchedOnLoan { loan: loan.id, to: hold.pickup.clone() });
    }
    if hold.pickup == here {
        return shelve_for(tx, ctx, hold, who, copy, from);
    }
    let calendar = calendar_in(tx, ctx.policy, &hold.pickup, ctx.today)?;
    let arrives_on = arrival_at(ctx, here, &hold.pickup, &calendar)?;
    if !tx.assign_in_transit(hold.id, copy.id, arrives_on, from == CopyStatus::OnShelf)? {
        return Err(moved(Entity::Hold, hold.id.get().to_string()));
    }
    move_copy(tx, copy, from, CopyStatus::InTransit, Some(&hold.pickup))?;
    notify_as(tx, ctx, hold, who, NoticeKind::HoldInTransit, |f| f.arrives_on = Some(arrives_on))?;
    Ok(CopyRoute::InTransitForHold { hold: hold.id, to: hold.pickup.clone(), arrives_on })
}

/// Puts `copy` on the hold shelf for `hold` at its pickup branch (R-H9, R-H11).
fn shelve_for(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    who: &Patron,
    copy: &Copy,
    from: CopyStatus,
) -> Result<CopyRoute> {
    let calendar = calendar_in(tx, ctx.policy, &hold.pickup, ctx.today)?;
    let deadline = deadline_at(ctx, &ctx.hold_rules_as(hold, who), &hold.pickup, &calendar)?;
    // An arriving copy has its in-transit row; a pulled one likely its target row.
    let expected = matches!(from, CopyStatus::InTransit | CopyStatus::OnShelf);
    if !tx.make_ready(hold.id, copy.id, ctx.today, deadline, expected)? {
        return Err(moved(Entity::Hold, hold.id.get().to_string()));
    }
    move_copy(tx, copy, from, CopyStatus::OnHoldShelf, None)?;
    notify_as(tx, ctx, hold, who, NoticeKind::HoldReady, |f| f.pickup_deadline = Some(deadline))?;
    Ok(CopyRoute::HeldForPickup { hold: hold.id, deadline })
}

/// The pickup deadline of a hold made ready today at `pickup` under `rules` (R-H9).
fn deadline_at(ctx: &Ctx<'_>, rules: &Rules, pickup: &str, calendar: &OpeningCalendar) -> Result<NaiveDate> {
    let deadline =
        pickup_deadline(ctx.policy, rules, ctx.today, calendar).ok_or_else(|| no_open_day(pickup, ctx.today))?;
    check_date("pickup_deadline", deadline)
}

/// The day a copy sent today from `here` reaches `pickup`.
fn arrival_at(ctx: &Ctx<'_>, here: &str, pickup: &str, calendar: &OpeningCalendar) -> Result<NaiveDate> {
    let arrives_on =
        arrival_day(ctx.policy, here, pickup, ctx.today, calendar).ok_or_else(|| no_open_day(pickup, ctx.today))?;
    check_date("arrives_on", arrives_on)
}

/// Branch calendars read once per batch transaction (confirming a pull list reads each pickup
/// branch's calendar once, not once per copy). Valid only inside one transaction.
#[derive(Default)]
pub(crate) struct Calendars(HashMap<String, Arc<OpeningCalendar>>);

impl Calendars {
    fn of(&mut self, tx: &Tx<'_>, ctx: &Ctx<'_>, branch: &str) -> Result<Arc<OpeningCalendar>> {
        if let Some(calendar) = self.0.get(branch) {
            return Ok(Arc::clone(calendar));
        }
        let calendar = calendar_in(tx, ctx.policy, branch, ctx.today)?;
        self.0.insert(branch.to_owned(), Arc::clone(&calendar));
        Ok(calendar)
    }
}

/// Routes `copy`, pulled by staff from the shelf at `here` and read with its pull target by
/// [`Tx::pulled_copy`]: to the target's hold when it may still take it and its pickup does not
/// start a loan, in two statements (the assignment and the copy) plus the notice's reads and
/// write when the hold asks for one; otherwise as [`route_copy`] routes it. The result is the
/// same either way.
pub(crate) fn route_pulled(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    copy: &Copy,
    target: Option<TargetedHold>,
    here: &str,
    calendars: &mut Calendars,
) -> Result<CopyRoute> {
    let Some(t) = target else { return route_copy(tx, ctx, copy, CopyStatus::OnShelf, here) };
    let claim = Claim { title: t.title, pickup: &t.pickup, patron: t.patron, category: &t.category };
    if ctx.dispatches_to(&t.pickup) || !ctx.may_fill_claim(tx, &claim, None, &copy.material_kind, copy.loanable)? {
        return route_copy(tx, ctx, copy, CopyStatus::OnShelf, here);
    }
    let calendar = calendars.of(tx, ctx, &t.pickup)?;
    let (route, kind, facts): (_, _, fn(&mut NoticeFacts, &CopyRoute)) = if t.pickup == here {
        let rules = ctx.matrix.resolve(&Scope::new(&t.category, &t.material_kind, &t.pickup));
        let deadline = deadline_at(ctx, &rules, &t.pickup, &calendar)?;
        if !tx.make_ready(t.id, copy.id, ctx.today, deadline, true)? {
            return Err(moved(Entity::Hold, t.id.get().to_string()));
        }
        if !tx.move_pulled_copy(copy.id, CopyStatus::OnHoldShelf, None)? {
            return Err(moved(Entity::Copy, copy.barcode.clone()));
        }
        let route = CopyRoute::HeldForPickup { hold: t.id, deadline };
        (route, NoticeKind::HoldReady, |f, r| {
            if let CopyRoute::HeldForPickup { deadline, .. } = r {
                f.pickup_deadline = Some(*deadline);
            }
        })
    } else {
        let arrives_on = arrival_at(ctx, here, &t.pickup, &calendar)?;
        if !tx.assign_in_transit(t.id, copy.id, arrives_on, true)? {
            return Err(moved(Entity::Hold, t.id.get().to_string()));
        }
        if !tx.move_pulled_copy(copy.id, CopyStatus::InTransit, Some(&t.pickup))? {
            return Err(moved(Entity::Copy, copy.barcode.clone()));
        }
        let route = CopyRoute::InTransitForHold { hold: t.id, to: t.pickup.clone(), arrives_on };
        (route, NoticeKind::HoldInTransit, |f, r| {
            if let CopyRoute::InTransitForHold { arrives_on, .. } = r {
                f.arrives_on = Some(*arrives_on);
            }
        })
    };
    if t.notifies {
        let hold = tx.hold(t.id)?.ok_or_else(|| moved(Entity::Hold, t.id.get().to_string()))?;
        notify(tx, ctx, &hold, kind, |f| facts(f, &route))?;
    }
    Ok(route)
}

fn move_copy(tx: &Tx<'_>, copy: &Copy, from: CopyStatus, to: CopyStatus, transit_to: Option<&str>) -> Result<()> {
    let unchanged =
        from == to && (to != CopyStatus::InTransit || tx.transit_destination(copy.id)?.as_deref() == transit_to);
    if unchanged || tx.move_copy(copy.id, from, to, transit_to)? {
        Ok(())
    } else {
        Err(moved(Entity::Copy, copy.barcode.clone()))
    }
}

fn moved(entity: Entity, key: String) -> Error {
    Error::Conflict { entity, key, reason: "it changed while being routed; try again".into() }
}

/// Writes `kind` about `hold` to the outbox, by the hold's contact method (R-H11), as far as
/// the method needs: one notice per address for a method that needs an address (mail: every
/// address or the chosen one, per policy), one to the fixed phone for one that needs a phone
/// (phone, voice, fax), one without an address for one that needs nothing bunko keeps (post,
/// an app) or for a channel the policy no longer declares (the host sees its code), none for
/// `none`. A hold whose patron has no usable address left (removed, or rejecting mail) goes by
/// the policy's `bounce_fallback` instead (chiba 「Eメールが不着で戻ってきた場合は、電話等他の
/// 方法でご連絡いたします」), else nowhere.
pub(crate) fn notify(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    kind: NoticeKind,
    extra: impl FnOnce(&mut NoticeFacts),
) -> Result<()> {
    if hold.contact == ContactMethod::None {
        return Ok(());
    }
    notify_as(tx, ctx, hold, &patron_of(tx, hold)?, kind, extra)
}

/// [`notify`] with the hold's patron `who` already read.
fn notify_as(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    who: &Patron,
    kind: NoticeKind,
    extra: impl FnOnce(&mut NoticeFacts),
) -> Result<()> {
    let contact = &ctx.policy.contact;
    if hold.contact == ContactMethod::None {
        return Ok(());
    }
    let addresses: Vec<Option<String>> = match contact.needs(&hold.contact) {
        Some(ChannelNeeds::Email) => {
            let mut all = tx.confirmed_emails(hold.patron)?;
            if contact.mail_recipients == MailRecipients::Chosen {
                all.truncate(1);
            }
            if all.is_empty()
                && let Some(method) = contact.fallback()
            {
                let full = tx.patron(who.id)?.ok_or_else(|| Error::not_found(Entity::Patron, who.id.get()))?;
                let to = fallback_address(ctx.policy, method, &full);
                return write_notices_as(tx, ctx, hold, who, kind, method, &[to], extra).map(drop);
            }
            all.into_iter().map(Some).collect()
        }
        Some(ChannelNeeds::Phone) => vec![hold.contact_phone.clone()],
        Some(ChannelNeeds::Nothing) | None => vec![None],
    };
    write_notices_as(tx, ctx, hold, who, kind, &hold.contact, &addresses, extra).map(drop)
}

/// Where a notice sent by the fallback method `method` goes: the patron's chosen phone for a
/// method that needs one, else no address (R-C6).
pub(crate) fn fallback_address(policy: &Policy, method: &ContactMethod, who: &Patron) -> Option<String> {
    let phone = policy.contact.needs(method) == Some(ChannelNeeds::Phone);
    who.contact_phone().filter(|_| phone).map(str::to_owned)
}

/// Writes one notice of `kind` about `hold` per address, by `channel`.
pub(crate) fn write_notices(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    kind: NoticeKind,
    channel: &ContactMethod,
    addresses: &[Option<String>],
    extra: impl FnOnce(&mut NoticeFacts),
) -> Result<Vec<NoticeId>> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    write_notices_as(tx, ctx, hold, &patron_of(tx, hold)?, kind, channel, addresses, extra)
}

/// [`write_notices`] with the hold's patron `who` already read.
#[allow(clippy::too_many_arguments)]
fn write_notices_as(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    hold: &Hold,
    who: &Patron,
    kind: NoticeKind,
    channel: &ContactMethod,
    addresses: &[Option<String>],
    extra: impl FnOnce(&mut NoticeFacts),
) -> Result<Vec<NoticeId>> {
    if addresses.is_empty() {
        return Ok(Vec::new());
    }
    let mut facts = NoticeFacts::new(&ctx.policy.library.name, who.name.clone(), &hold.title_text);
    facts.pickup = pickup_name(ctx.policy, &hold.pickup, hold.pickup_point.as_deref());
    extra(&mut facts);
    addresses
        .iter()
        .map(|address| {
            let to = Recipient { patron: hold.patron, channel: channel.clone(), address: address.as_deref() };
            enqueue(tx, kind, &facts, &to, About::Hold(hold.id), ctx.now)
        })
        .collect()
}

/// "Branch name" or "Branch name / pickup point name".
pub(crate) fn pickup_name(policy: &Policy, branch: &str, point: Option<&str>) -> String {
    let Some(b) = policy.branch(branch) else { return branch.to_owned() };
    match point.and_then(|p| b.pickup_points.iter().find(|pp| pp.code == p)) {
        Some(pp) => format!("{} / {}", b.name, pp.name),
        None => b.name.clone(),
    }
}
