//! Hold operations on [`Library`].

use std::collections::BTreeMap;

use chrono::{Days, NaiveDate};

use super::route::{Calendars, Ctx, notify, route_copy, route_pulled, write_notices};
use super::target::Targeter;
use super::{
    CartItem, ExpirySweep, Hold, HoldChange, HoldId, HoldRequest, HoldStatus, HoldView, PullItem, Retargeting,
};
use crate::Library;
use crate::catalog::{CopyId, CopyStatus, TitleId, calendar_in, check_date};
use crate::circulation::CopyRoute;
use crate::error::{Entity, Error, Result};
use crate::library::Gate;
use crate::notify::{MAX_NOTICE_BATCH, Notice, NoticeId, NoticeKind};
use crate::patrons::{Patron, PatronId, account_facts, patron_in};
use crate::policy::{
    Channel, ChannelNeeds, ContactFacts, ContactMethod, CopyOutlook, HoldFacts, HoldableCopy, Override, Policy, Reason,
    Refusal, RenewalBlock, Rules, Scope, Service, ShelfDaysFrom, account_refusals, apply_overrides, cancel_reasons,
    change_reasons, contact_reasons, copy_can_fill_holds, copy_free_on, freeze_reasons, hold_actions, hold_outcome,
    pickup_deadline, pickup_reasons, scoped_pickup_reasons, wait_estimate,
};
use crate::store::{NewHold, Tx};

impl Library {
    /// Adds a title to the patron's cart (予約カート); this is not a hold (R-H1). Refused with
    /// [`Reason::NotOffered`] where the policy has no cart (chiba).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron or title.
    /// - `Refused`: the policy offers no cart, or the patron may not use holds now.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn add_to_cart(&mut self, patron: PatronId, title: TitleId) -> Result<()> {
        self.require_cart()?;
        let now = self.now();
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Holds };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            tx.title(title)?.ok_or_else(|| Error::not_found(Entity::Title, title.get()))?;
            tx.add_cart_item(patron, title, now)
        })
    }

    /// Removes a title from the cart; `false` if it was not there.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn remove_from_cart(&mut self, patron: PatronId, title: TitleId) -> Result<bool> {
        self.store.write(|tx| tx.remove_cart_item(patron, title))
    }

    /// The patron's cart, oldest first.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn cart(&self, patron: PatronId) -> Result<Vec<CartItem>> {
        self.store.read(|tx| tx.cart_items(patron))
    }

    /// Confirms the cart in one go with one pickup location and contact method (R-H1): each
    /// title gets its own result, placed or refused with every reason; a refusal does not undo
    /// the others. Placed titles leave the cart, refused ones stay.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Refused`: the policy offers no cart. (A patron who may not use holds now gets each
    ///   title refused in the returned list, with the account's reasons.)
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn confirm_cart(
        &mut self,
        patron: PatronId,
        request: &HoldRequest,
    ) -> Result<Vec<(TitleId, std::result::Result<HoldId, Refusal>)>> {
        self.require_cart()?;
        let titles: Vec<TitleId> = self.cart(patron)?.into_iter().map(|c| c.title).collect();
        self.place_holds(patron, &titles, request, true)
    }

    fn require_cart(&self) -> Result<()> {
        if self.policy.holds.cart { Ok(()) } else { Err(Refusal::one(Reason::NotOffered).into()) }
    }

    /// Places one hold now ("reserve now", or staff at the counter). A web request needs the
    /// policy's `reserve_now`; otherwise web holds go through the cart.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron, title or pickup branch.
    /// - `InvalidInput`: a malformed request (e.g. a contact the patron does not have).
    /// - `Refused`: the rules say no; every reason is listed (R-L4).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn place_hold(&mut self, patron: PatronId, title: TitleId, request: &HoldRequest) -> Result<HoldId> {
        if request.channel == Channel::Web && !self.policy.holds.reserve_now {
            return Err(Error::InvalidInput {
                field: "channel",
                reason: "this library takes web holds through the cart".into(),
            });
        }
        let mut results = self.place_holds(patron, &[title], request, false)?;
        match results.pop() {
            Some((_, Ok(id))) => Ok(id),
            Some((_, Err(refusal))) => Err(refusal.into()),
            None => Err(Error::not_found(Entity::Title, title.get())),
        }
    }

    fn place_holds(
        &mut self,
        patron: PatronId,
        titles: &[TitleId],
        request: &HoldRequest,
        from_cart: bool,
    ) -> Result<Vec<(TitleId, std::result::Result<HoldId, Refusal>)>> {
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let ctx = Ctx { policy, matrix: &self.matrix, today, now };
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let (pickup, emails) = request_in(tx, policy, &who, request)?;
            let mut results = Vec::with_capacity(titles.len());
            for &title in titles {
                let decision = place_one(tx, &ctx, &who, title, &pickup, request, &emails, &[])?.map(|(id, _)| id);
                if decision.is_ok() && from_cart {
                    tx.remove_cart_item(patron, title)?;
                }
                results.push((title, decision));
            }
            Ok(results)
        })
    }

    /// Staff approve a provisional web hold (chiba, R-H5); it keeps its place in the queue.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold.
    /// - `Refused` (`HoldNotChangeable`): the hold is not awaiting approval.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn approve_hold(&mut self, hold: HoldId) -> Result<()> {
        let done = self.store.write(|tx| tx.approve_hold(hold))?;
        if done { Ok(()) } else { Err(not_changeable()) }
    }

    /// Staff reject a provisional web hold; the patron is told why.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold.
    /// - `InvalidInput`: a malformed reason.
    /// - `Refused` (`HoldNotChangeable`): the hold is not awaiting approval.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn reject_hold(&mut self, hold: HoldId, reason: &str) -> Result<()> {
        self.end_hold_as_staff(hold, reason, &[HoldStatus::PendingApproval])
    }

    /// Staff cancel any active hold; a copy set aside for it goes to the next hold or home.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold.
    /// - `InvalidInput`: a malformed reason.
    /// - `Refused` (`HoldNotChangeable`): the hold has ended.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn cancel_hold_as_staff(&mut self, hold: HoldId, reason: &str) -> Result<()> {
        self.end_hold_as_staff(
            hold,
            reason,
            &[HoldStatus::PendingApproval, HoldStatus::Waiting, HoldStatus::InTransit, HoldStatus::Ready],
        )
    }

    fn end_hold_as_staff(&mut self, hold: HoldId, reason: &str, allowed: &[HoldStatus]) -> Result<()> {
        let reason = crate::catalog::clean_text("reason", reason, true)?;
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        self.store.write(|tx| {
            let h = tx.hold(hold)?.ok_or_else(|| Error::not_found(Entity::Hold, hold.get()))?;
            if !allowed.contains(&h.status) {
                return Err(not_changeable());
            }
            let ctx = Ctx { policy, matrix: &self.matrix, today, now };
            end_and_release(tx, &ctx, &h, HoldStatus::Cancelled, &reason)?;
            notify(tx, &ctx, &h, NoticeKind::HoldCancelled, |f| f.reason = Some(reason.clone()))
        })
    }

    /// The patron cancels their own hold: only in a stage the policy's `patron_cancellable`
    /// names, and not an interlibrary-loan hold where the policy forbids it (R-H8). A copy set
    /// aside for it goes to the next hold or home.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold, or it is another patron's.
    /// - `Refused`: the hold can no longer be cancelled by the patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn cancel_hold(&mut self, patron: PatronId, hold: HoldId) -> Result<()> {
        match self.cancel_holds(patron, &[hold])?.pop() {
            Some((_, result)) => Ok(result?),
            None => Err(Error::not_found(Entity::Hold, hold.get())),
        }
    }

    /// Cancels several of the patron's holds at once (chikushino's checkboxes), each with its
    /// own result; a refusal does not undo the others. A hold that is not the patron's is
    /// reported as not found and nothing is cancelled.
    ///
    /// # Errors
    ///
    /// - `NotFound`: a hold does not exist or is another patron's (nothing is cancelled).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn cancel_holds(
        &mut self,
        patron: PatronId,
        holds: &[HoldId],
    ) -> Result<Vec<(HoldId, std::result::Result<(), Refusal>)>> {
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        self.store.write(|tx| {
            let ctx = Ctx { policy, matrix: &self.matrix, today, now };
            let mut results = Vec::with_capacity(holds.len());
            for &id in holds {
                let h = patrons_hold(tx, patron, id)?;
                // The decision `patron_holds` shows as `HoldActions::cancel`.
                let result = Refusal::check(cancel_reasons(policy, h.stage(), h.interlibrary), ());
                if result.is_ok() {
                    end_and_release(tx, &ctx, &h, HoldStatus::Cancelled, "cancelled by the patron")?;
                }
                results.push((id, result));
            }
            Ok(results)
        })
    }

    /// The patron changes pickup location or contact method of a queued hold (R-H8). The phone
    /// number fixed when the hold was placed stays, whatever else changes: it cannot be changed
    /// online (R-C4, shizuoka). A hold placed without one (mail, none) fixes the patron's chosen
    /// number when it first changes to a phone-type method.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold (or another patron's), or an unknown pickup branch.
    /// - `InvalidInput`: a malformed change.
    /// - `Refused`: the hold cannot be changed so now; every reason is listed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn change_hold(&mut self, patron: PatronId, hold: HoldId, change: &HoldChange) -> Result<()> {
        let (policy, matrix) = (&self.policy, &self.matrix);
        let gate = Gate { policy, today: self.today(), service: Service::Holds };
        self.store.write(|tx| {
            let h = patrons_hold(tx, patron, hold)?;
            let (who, account) = gate.refusals(tx, patron)?;
            let (pickup, point) = change.pickup.clone().unwrap_or((h.pickup.clone(), h.pickup_point.clone()));
            let contact = change.contact.clone().unwrap_or_else(|| h.contact.clone());
            // The decision `patron_holds` shows as `HoldActions::change_pickup` and
            // `change_contact`, then what this change asks for.
            let mut reasons = change_reasons(h.stage(), &account);
            reasons.extend(pickup_reasons(policy, &pickup, point.as_deref()));
            // The rules of the new pickup branch: it may not take this kind, or this patron there.
            let rules = matrix.resolve(&Scope::new(&who.category, &h.material_kind, &pickup));
            if !rules.holdable() {
                reasons.push(Reason::NotHoldable);
            }
            reasons.extend(scoped_pickup_reasons(policy, &rules, &pickup));
            reasons.extend(contact_reasons(policy, h.channel, &contact, &contact_facts(tx, &who)?));
            Refusal::check(reasons, ())?;
            let phone = h.contact_phone.clone().or_else(|| fixed_phone(policy, &who, &contact));
            if tx.change_hold(hold, &pickup, point.as_deref(), &contact, phone.as_deref())? {
                Ok(())
            } else {
                Err(not_changeable())
            }
        })
    }

    /// The patron freezes (suspends) a queued hold while away (#17; Koha "suspend", Evergreen
    /// "frozen"): it keeps its place in the queue and counts toward the limits, but no copy is
    /// assigned to it — check-in, the pull list and expiry pass it over — until `until`, the
    /// day it is active again, or until lifted ([`Library::unfreeze_hold`]) when `until` is
    /// `None`. Freezing a frozen hold again sets its new end. Refused as
    /// [`HoldActions::freeze`](crate::policy::HoldActions) says (R-H8: only a queued hold, no
    /// copy assigned; the account may use holds). Where the policy sets
    /// `holds.max_freeze_days`, `until` is required and at most that many days ahead.
    ///
    /// # Errors
    ///
    /// - `InvalidInput` (`until`): not after today, beyond the supported years, missing or too
    ///   far ahead under `holds.max_freeze_days`.
    /// - `NotFound`: no such hold, or it is another patron's.
    /// - `Refused`: the hold cannot be frozen now; every reason is listed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn freeze_hold(&mut self, patron: PatronId, hold: HoldId, until: Option<NaiveDate>) -> Result<()> {
        self.check_freeze_end(until, true)?;
        self.freeze_as_patron(patron, hold, true, until)
    }

    /// The patron lifts the freeze on a queued hold: it is assigned a copy again in its place
    /// (#17). Lifting a hold that is not frozen changes nothing. Refused as
    /// [`HoldActions::unfreeze`](crate::policy::HoldActions) says (R-H8).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold, or it is another patron's.
    /// - `Refused`: the hold cannot be changed now; every reason is listed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn unfreeze_hold(&mut self, patron: PatronId, hold: HoldId) -> Result<()> {
        self.freeze_as_patron(patron, hold, false, None)
    }

    /// A freeze's end asked for: after today, within the supported years, and for a patron
    /// within `holds.max_freeze_days`.
    pub(crate) fn check_freeze_end(&self, until: Option<NaiveDate>, patron: bool) -> Result<()> {
        let today = self.today();
        let invalid = |reason: String| Error::InvalidInput { field: "until", reason };
        if let Some(until) = until {
            check_date("until", until)?;
            if until <= today {
                return Err(invalid(format!("a freeze ends after today ({today})")));
            }
        }
        let Some(days) = self.policy.holds.max_freeze_days.filter(|_| patron) else { return Ok(()) };
        let latest = today.checked_add_days(Days::new(u64::from(days))).unwrap_or(NaiveDate::MAX);
        match until {
            None => Err(invalid(format!("this library freezes a hold for at most {days} days: give the day it ends"))),
            Some(until) if until > latest => {
                Err(invalid(format!("this library freezes a hold for at most {days} days, until {latest}")))
            }
            Some(_) => Ok(()),
        }
    }

    fn freeze_as_patron(
        &mut self,
        patron: PatronId,
        hold: HoldId,
        frozen: bool,
        until: Option<NaiveDate>,
    ) -> Result<()> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Holds };
        self.store.write(|tx| {
            let h = patrons_hold(tx, patron, hold)?;
            let (_, account) = gate.refusals(tx, patron)?;
            // The decision `patron_holds` shows as `HoldActions::freeze` and `unfreeze`.
            Refusal::check(freeze_reasons(h.stage(), &account), ())?;
            if tx.set_hold_frozen(hold, frozen, until)? { Ok(()) } else { Err(not_changeable()) }
        })
    }

    /// Hides an ended hold from the patron's list before its visibility runs out (R-H10).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold, or it is another patron's.
    /// - `Refused` (`HoldNotChangeable`): the hold has not ended.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn hide_hold(&mut self, patron: PatronId, hold: HoldId) -> Result<()> {
        self.store.write(|tx| {
            patrons_hold(tx, patron, hold)?;
            if tx.hide_hold(hold)? { Ok(()) } else { Err(not_changeable()) }
        })
    }

    /// The patron's holds with state, queue position, pickup and deadline; ended holds stay for
    /// the policy's `cancelled_visible_days` unless hidden (R-H7, R-H10). A queued hold also
    /// shows whether it is frozen today and the day a copy is expected for it
    /// ([`HoldView::estimated_available_on`], the model of [`wait_estimate`]; #17).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron. (A patron who may not use holds now still sees them; the
    ///   reasons are in each hold's [`actions`](HoldView::actions).)
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn patron_holds(&self, patron: PatronId) -> Result<Vec<HoldView>> {
        let since = self.today().checked_sub_days(Days::new(u64::from(self.policy.holds.cancelled_visible_days)));
        let (policy, gate) =
            (&self.policy, Gate { policy: &self.policy, today: self.today(), service: Service::Holds });
        let ctx = Ctx { policy, matrix: &self.matrix, today: self.today(), now: self.now() };
        self.store.read(|tx| {
            let (who, account) = gate.refusals(tx, patron)?;
            tx.holds_of(patron, since.unwrap_or(NaiveDate::MIN))?
                .into_iter()
                .map(|hold| {
                    let queued = matches!(hold.status, HoldStatus::PendingApproval | HoldStatus::Waiting);
                    let queue_position = if queued { Some(tx.queue_position(&hold)?) } else { None };
                    let estimated_available_on = if queued { estimate_wait(tx, &ctx, &who, &hold)? } else { None };
                    let actions = hold_actions(policy, hold.stage(), hold.interlibrary, &account);
                    let frozen = hold.is_frozen_on(ctx.today);
                    Ok(HoldView { state: hold.state(), queue_position, frozen, estimated_available_on, actions, hold })
                })
                .collect()
        })
    }

    /// A hold by id (staff view).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such hold.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn hold(&self, hold: HoldId) -> Result<Hold> {
        self.store.read(|tx| tx.hold(hold))?.ok_or_else(|| Error::not_found(Entity::Hold, hold.get()))
    }

    /// Copies on the shelf at `branch` that waiting holds ask for: staff pull them and confirm
    /// with [`Library::confirm_pulled`]. A walk-in may still borrow them first (R-H5). Each
    /// hold asks for the copy that reaches its pickup branch soonest among its title's copies
    /// on the shelf anywhere (copy targeting: same branch first, then the policy's
    /// `transit_costs`, then the delivery calendar; never one at a branch closed today), so a
    /// branch's list holds only the copies no other branch serves better. The list records what
    /// it asked for (a pull target, kept until the copy is confirmed or borrowed, the hold ends,
    /// or [`Library::retarget_pulls`] gives up on it), in short write transactions; a listed
    /// copy confirmed goes to the hold it was listed for.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error). The
    ///   targets are written in chunks, so a failure after the first may leave some recorded:
    ///   harmless (a target only says which copy a hold asks for; the next list or
    ///   [`Library::retarget_pulls`] revisits it), and calling `pull_list` again is the retry.
    pub fn pull_list(&mut self, branch: &str) -> Result<Vec<PullItem>> {
        self.require_branch(branch)?;
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today: self.today(), now: self.now() };
        let targets = self.store.read(|tx| {
            let rows = tx.pull_candidates(branch, None, ctx.today)?;
            let mut targets = Targeter::new(&ctx).targets(tx, rows)?;
            targets.retain(|t| t.branch == branch);
            Ok(targets)
        })?;
        // In hold order, so each chunk writes neighbouring rows of the assignments table.
        let mut fresh: Vec<(HoldId, CopyId)> =
            targets.iter().filter(|t| !t.standing).map(|t| (t.hold.id, t.copy)).collect();
        fresh.sort_unstable();
        let now = ctx.now;
        let (mut done, mut refused) = (0, Vec::new());
        while done < fresh.len() {
            done += self.store.write(|tx| {
                let started = std::time::Instant::now();
                let mut n = 0;
                for &(hold, copy) in &fresh[done..] {
                    if n >= PULL_CHUNK_COPIES || (n > 0 && started.elapsed() >= PULL_CHUNK_BUDGET) {
                        break;
                    }
                    // Not recorded: the hold was frozen, filled or cancelled, or the copy left
                    // the shelf, since the list was worked out. It is not listed.
                    if !tx.set_target(hold, copy, now, ctx.today)? {
                        refused.push(hold);
                    }
                    n += 1;
                }
                Ok(n)
            })?;
            between_chunks(done < fresh.len());
        }
        Ok(targets
            .into_iter()
            .filter(|t| !refused.contains(&t.hold.id))
            .map(|t| PullItem {
                hold: t.hold.id,
                title_text: t.hold.title_text,
                barcode: t.barcode,
                pickup: t.hold.pickup,
            })
            .collect())
    }

    /// Releases pull targets staff did not confirm within the policy's `pull_retarget_hours`
    /// (Evergreen re-targets after 24 hours): the copy was likely not on the shelf. Each such
    /// hold asks for the best other copy of its title on the shelf, if there is one (it shows
    /// on that branch's pull list), else for none until the next pull list. Does nothing
    /// without `pull_retarget_hours`. Run it periodically (daily at least); one short
    /// transaction per hold.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn retarget_pulls(&mut self) -> Result<Retargeting> {
        let mut report = Retargeting::default();
        let Some(hours) = self.policy.holds.pull_retarget_hours else { return Ok(report) };
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let cutoff = now - chrono::Duration::hours(i64::from(hours));
        let stale = self.store.read(|tx| tx.stale_targets(cutoff))?;
        for item in stale {
            let outcome = self.store.write(|tx| {
                let ctx = Ctx { policy, matrix: &self.matrix, today, now };
                let Some(hold) = tx.targeted_hold_of(item.copy)? else { return Ok(None) };
                if hold.id != item.hold {
                    return Ok(None);
                }
                tx.release_assignment(item.copy)?;
                let mut rows = tx.pull_candidates("", Some(hold.title), today)?;
                rows.retain(|r| r.copy != item.copy);
                let target = Targeter::new(&ctx).targets(tx, rows)?.into_iter().find(|t| t.hold.id == hold.id);
                match target {
                    Some(t) if tx.set_target(hold.id, t.copy, now, today)? => Ok(Some((
                        hold.id,
                        Some(PullItem {
                            hold: hold.id,
                            title_text: t.hold.title_text,
                            barcode: t.barcode,
                            pickup: t.hold.pickup,
                        }),
                        t.branch,
                    ))),
                    _ => Ok(Some((hold.id, None, String::new()))),
                }
            })?;
            match outcome {
                Some((_, Some(item), branch)) => report.retargeted.push((branch, item)),
                Some((hold, None, _)) => report.released.push(hold),
                None => {}
            }
        }
        Ok(report)
    }

    /// Staff pulled `barcode` from the shelf at `branch`: it goes to the first waiting hold on
    /// its title (ready here, or in transit), or back to the shelf if none waits any more.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch.
    /// - `Refused` (`CopyUnavailable`): the copy's status does not allow it.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn confirm_pulled(&mut self, barcode: &str, branch: &str) -> Result<CopyRoute> {
        Ok(self.confirm_pulled_all(&[barcode], branch)?.pop().map(|(_, r)| r).unwrap_or(CopyRoute::Shelved))
    }

    /// [`Library::confirm_pulled`] for a whole pull list. Every barcode is checked first (a
    /// bad one confirms nothing); then the copies are routed in list order, in chunks of at
    /// most [`PULL_CHUNK_COPIES`] copies or [`PULL_CHUNK_BUDGET`] of work, one write
    /// transaction each, with [`PULL_CHUNK_PAUSE`] between them, so a long list never holds the
    /// write lock long enough for a counter terminal to notice. Each chunk is complete on its own: a crash between chunks leaves
    /// the copies before it confirmed and the rest on the shelf, consistent either way, and
    /// confirming the rest again finishes the list. The result is what confirming the copies
    /// one by one in list order gives.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy or branch (nothing is confirmed).
    /// - `Refused` (`CopyUnavailable`): a copy's status does not allow it, or it is listed
    ///   twice (nothing is confirmed).
    /// - `Conflict`: another handle moved a copy of the first chunk meanwhile (nothing is
    ///   confirmed).
    /// - `InvalidInput`: a hold's pickup branch has no open day to count its deadline from
    ///   (nothing is confirmed).
    /// - `BatchInterrupted`: a later chunk failed (any of the errors here): the error lists the
    ///   copies earlier chunks confirmed and where each goes; they stay confirmed, the rest are
    ///   untouched. Its own [`Error::is_busy`] is `false`: look at `cause`.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error), when the
    ///   first chunk fails (nothing is confirmed).
    pub fn confirm_pulled_all(&mut self, barcodes: &[&str], branch: &str) -> Result<Vec<(String, CopyRoute)>> {
        self.require_branch(branch)?;
        self.store.read(|tx| {
            let mut seen = std::collections::HashSet::with_capacity(barcodes.len());
            for &barcode in barcodes {
                pullable_copy(tx, barcode, branch)?;
                if !seen.insert(barcode.trim()) {
                    return Err(Refusal::one(Reason::CopyUnavailable { status: CopyStatus::OnShelf }).into());
                }
            }
            Ok(())
        })?;
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let mut routes = Vec::with_capacity(barcodes.len());
        while routes.len() < barcodes.len() {
            let rest = &barcodes[routes.len()..];
            let chunk = self.store.write(|tx| {
                let started = std::time::Instant::now();
                let ctx = Ctx { policy, matrix: &self.matrix, today, now };
                let mut calendars = Calendars::default();
                let mut chunk = Vec::new();
                for &barcode in rest {
                    if chunk.len() >= PULL_CHUNK_COPIES || (!chunk.is_empty() && started.elapsed() >= PULL_CHUNK_BUDGET)
                    {
                        break;
                    }
                    let (copy, target) = tx
                        .pulled_copy(barcode.trim(), today)?
                        .ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: barcode.to_owned() })?;
                    pullable(&copy, branch)?;
                    chunk.push((copy.barcode.clone(), route_pulled(tx, &ctx, &copy, target, branch, &mut calendars)?));
                }
                Ok(chunk)
            });
            match chunk {
                Ok(chunk) => routes.extend(chunk),
                Err(cause) if routes.is_empty() => return Err(cause),
                Err(cause) => return Err(Error::BatchInterrupted { confirmed: routes, cause: Box::new(cause) }),
            }
            between_chunks(routes.len() < barcodes.len());
        }
        Ok(routes)
    }

    /// Expires ready holds whose pickup deadline has passed (R-H9): each is cancelled with its
    /// reason, the patron is told, and its copy goes to the next hold or home. One transaction
    /// per copy; running it twice does nothing the second time. Where the deadline counts from
    /// the notice (`shelf_days_from = "notice"`), a hold whose ready notice is still in the
    /// outbox is kept until it goes out.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn expire_holds(&mut self) -> Result<ExpirySweep> {
        let (today, now) = (self.today(), self.now());
        // Where the deadline counts from the notice (chikushino 「連絡後1週間」), a hold whose
        // ready notice has not gone out yet is not released.
        let wait_for_notice = self.policy.holds.shelf_days_from == ShelfDaysFrom::Notice;
        let due = self.store.read(|tx| tx.overdue_ready_holds(today, wait_for_notice))?;
        let mut sweep = ExpirySweep::default();
        for item in due {
            let policy = &self.policy;
            let outcome = self.store.write(|tx| {
                let Some(h) = tx.hold(item.hold)? else { return Ok(None) };
                if h.status != HoldStatus::Ready || h.copy != Some(item.copy) || h.pickup_deadline >= Some(today) {
                    return Ok(None);
                }
                let ctx = Ctx { policy, matrix: &self.matrix, today, now };
                let route = end_and_release(tx, &ctx, &h, HoldStatus::Expired, "the pickup deadline passed")?;
                notify(tx, &ctx, &h, NoticeKind::HoldExpired, |f| f.pickup_deadline = h.pickup_deadline)?;
                Ok(route)
            })?;
            if let Some(route) = outcome {
                sweep.expired.push(item.hold);
                sweep.routes.push(route);
            }
        }
        Ok(sweep)
    }

    /// Deletes cancelled and expired holds older than the policy's visibility (R-H10); returns
    /// how many. Run it daily.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn purge_ended_holds(&mut self) -> Result<u32> {
        let days = u64::from(self.policy.holds.cancelled_visible_days);
        let cutoff = self.today().checked_sub_days(Days::new(days)).unwrap_or(NaiveDate::MIN);
        self.store.write(|tx| tx.purge_ended_holds(cutoff))
    }

    /// Notices not yet delivered, oldest first, at most `limit` (capped at
    /// [`MAX_NOTICE_BATCH`]): a read-only peek for staff screens and tests. It claims nothing,
    /// so it lists notices other drainers hold, and two hosts draining with it send every
    /// notice twice; drain with [`Library::claim_notices`] instead (see
    /// [`notify`](crate::notify#draining-the-outbox)). Held notices ([`Notice::is_held`]) are
    /// listed too.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn pending_notices(&self, limit: u32) -> Result<Vec<Notice>> {
        self.store.read(|tx| tx.pending_notices(limit.min(MAX_NOTICE_BATCH)))
    }

    /// Marks notices delivered by the host, claimed or not (see
    /// [`notify`](crate::notify#draining-the-outbox)); a delivered ready notice makes its hold
    /// "notified" (連絡済み), and where the policy counts shelf days from the notice (`shelf_days_from =
    /// "notice"`, chikushino 「連絡後1週間」) its pickup deadline is counted again from today by
    /// the pickup branch's calendar, in the same transaction (R-H9). What a notice said is
    /// forgotten at delivery (R-R1): only an anonymous count per day, kind and channel remains
    /// (and, for a live hold or loan, a tombstone without patron, address, text, key or
    /// claim). Unknown or already delivered ids are ignored, so of two drainers that sent the
    /// same notice the first mark wins; returns how many were marked. After a notice carrying
    /// a code, the WAL is checkpointed and truncated at once if no other handle is reading (it
    /// never waits for one), so the code does not linger in the files until the next scrub.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn mark_delivered(&mut self, notices: &[NoticeId]) -> Result<usize> {
        let ctx = Ctx { policy: &self.policy, matrix: &self.matrix, today: self.today(), now: self.now() };
        let (marked, secret) = self.store.write(|tx| {
            let (mut marked, mut secret) = (0, false);
            for &id in notices {
                let delivered = tx.mark_delivered(id, ctx.now, ctx.today)?;
                marked += usize::from(delivered.marked);
                secret |= delivered.secret;
                if let Some(hold) = delivered.notified {
                    count_deadline_from_notice(tx, &ctx, hold)?;
                }
            }
            Ok((marked, secret))
        })?;
        if secret {
            // Best effort, without waiting for other handles: the daily scrub catches up. The
            // notices are already marked; a failed checkpoint must not report them unmarked.
            let _ = self.store.truncate_wal(false);
        }
        Ok(marked)
    }
}

/// At most this many copies are confirmed in one write transaction of
/// [`Library::confirm_pulled_all`].
pub const PULL_CHUNK_COPIES: usize = 1024;
/// A chunk of [`Library::confirm_pulled_all`] stops taking copies once it has worked this long,
/// so it holds the write lock well under 100 ms.
pub const PULL_CHUNK_BUDGET: std::time::Duration = std::time::Duration::from_millis(40);

/// Between two chunks of a batch the write lock is left free this long, so a writer waiting
/// on it (a counter terminal's checkout) gets in before the next chunk takes it again.
pub const PULL_CHUNK_PAUSE: std::time::Duration = std::time::Duration::from_millis(2);

fn between_chunks(more: bool) {
    if more {
        std::thread::sleep(PULL_CHUNK_PAUSE);
    }
}

/// The copy `barcode`, on the shelf at `branch`: what staff may confirm as pulled.
fn pullable_copy(tx: &Tx<'_>, barcode: &str, branch: &str) -> Result<crate::catalog::Copy> {
    let copy = tx
        .copy_by_barcode(barcode.trim())?
        .ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: barcode.to_owned() })?;
    pullable(&copy, branch)?;
    Ok(copy)
}

/// Refuses a copy that is not on the shelf at `branch`.
fn pullable(copy: &crate::catalog::Copy, branch: &str) -> Result<()> {
    if copy.status != CopyStatus::OnShelf || copy.branch != branch {
        return Err(Refusal::one(Reason::CopyUnavailable { status: copy.status }).into());
    }
    Ok(())
}

/// Decides and, if granted, places one hold inside the caller's transaction, with the reasons
/// staff `overrides` overridden (none for a patron's own hold): the hold and the overrides used.
#[allow(clippy::too_many_arguments)]
pub(crate) fn place_one(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    who: &Patron,
    title: TitleId,
    pickup: &str,
    request: &HoldRequest,
    emails: &[String],
    overrides: &[Override],
) -> Result<std::result::Result<(HoldId, Vec<Override>), Refusal>> {
    let policy = ctx.policy;
    tx.title(title)?.ok_or_else(|| Error::not_found(Entity::Title, title.get()))?;
    let copies: Vec<HoldableCopy> = tx
        .copies_of(title)?
        .into_iter()
        .map(|c| HoldableCopy {
            material_kind: c.material_kind,
            loanable: c.loanable,
            status: c.status,
            available_since: c.available_since,
        })
        .collect();
    let scope = |kind: Option<&String>| Scope {
        category: Some(who.category.clone()),
        kind: kind.cloned(),
        branch: Some(pickup.to_owned()),
    };
    let kinds: std::collections::BTreeSet<&String> = copies.iter().map(|c| &c.material_kind).collect();
    let rules: BTreeMap<String, Rules> =
        kinds.into_iter().map(|kind| (kind.clone(), ctx.matrix.resolve(&scope(Some(kind))))).collect();
    let base_rules = ctx.matrix.resolve(&scope(None));
    let active = tx.active_holds(who.id)?;
    let account = account_facts(tx, who, ctx.today)?;
    let facts = HoldFacts {
        today: ctx.today,
        rules: &rules,
        base_rules: &base_rules,
        channel: request.channel,
        copies: &copies,
        active_holds: &active,
        latest_issue: tx.is_latest_issue(title)?,
        already_holding: tx.has_active_hold(who.id, title)?,
        already_borrowing: tx.has_open_loan_of_title(who.id, title)?,
        account: account_refusals(policy, &account, Some(Service::Holds)),
        contact: request.contact.clone(),
        contact_facts: contact_facts(tx, who)?,
        pickup,
        pickup_point: request.pickup_point.as_deref(),
    };
    let (mut reasons, mut kind) = hold_outcome(policy, &facts);
    if request.interlibrary && request.channel == Channel::Counter && reasons.contains(&Reason::NotHoldable) {
        // An interlibrary hold needs no copy of our own; every other reason still applies.
        reasons.retain(|r| *r != Reason::NotHoldable);
        "book".clone_into(&mut kind);
    }
    let (kind, used) = match apply_overrides(reasons, kind, overrides) {
        Ok(granted) => granted,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let provisional = request.channel == Channel::Web && policy.holds.web_holds_need_approval;
    let phone = fixed_phone(policy, who, &request.contact);
    let id = tx.insert_hold(&NewHold {
        patron: who.id,
        title,
        material_kind: &kind,
        channel: request.channel,
        status: if provisional { HoldStatus::PendingApproval } else { HoldStatus::Waiting },
        placed_at: ctx.now,
        pickup,
        pickup_point: request.pickup_point.as_deref(),
        contact: &request.contact,
        contact_phone: phone.as_deref(),
        interlibrary: request.interlibrary,
    })?;
    if let Some(to) = request.confirmation_to.as_ref().filter(|to| emails.contains(to)) {
        let hold = tx.hold(id)?.ok_or_else(|| Error::not_found(Entity::Hold, id.get()))?;
        write_notices(tx, ctx, &hold, NoticeKind::HoldPlaced, &ContactMethod::Mail, &[Some(to.clone())], |_| {})?;
    }
    Ok(Ok((id, used)))
}

/// The wait estimate of `who`'s queued `hold` (#17): the copies that could fill it under its
/// rules, when each is next free, and the queue with its freezes, given to
/// [`wait_estimate`].
fn estimate_wait(tx: &Tx<'_>, ctx: &Ctx<'_>, who: &Patron, hold: &Hold) -> Result<Option<NaiveDate>> {
    let (policy, today) = (ctx.policy, ctx.today);
    let scope = |category: &str, kind: &str, branch: &str| ctx.matrix.resolve(&Scope::new(category, kind, branch));
    let own = scope(&who.category, &hold.material_kind, &hold.pickup);
    let turnaround = own.values.loan_days.unwrap_or(1).max(1);
    // Borrowers renew while others wait only where the policy does not refuse it.
    let renew_despite_holds = !policy.loans.renewal.refused_when.contains(&RenewalBlock::HeldByOthers);
    let mut free_on = Vec::new();
    for c in tx.copy_whereabouts(hold.title)? {
        let rules = scope(&who.category, &c.material_kind, &hold.pickup);
        if !copy_can_fill_holds(&rules, c.loanable, c.status) {
            continue;
        }
        let outlook = match (c.status, c.arrives_on, c.loan) {
            (CopyStatus::OnHoldShelf, _, _) => CopyOutlook::SetAside { from: today },
            (CopyStatus::InTransit, Some(from), _) => CopyOutlook::SetAside { from },
            (_, _, Some((due_on, renewals, category, branch))) => {
                let theirs = scope(&category, &c.material_kind, &branch);
                let left = theirs.values.renewals.unwrap_or(0).saturating_sub(renewals);
                let renewals_left = if renew_despite_holds { left } else { 0 };
                CopyOutlook::OnLoan { due_on, renewals_left, renewal_days: theirs.values.renewal_days.unwrap_or(0) }
            }
            _ => CopyOutlook::Free,
        };
        free_on.push(copy_free_on(today, outlook, turnaround));
    }
    let queue = tx.queued_holds(hold.title)?;
    let Some(position) = queue.iter().position(|h| h.id == hold.id) else { return Ok(None) };
    let active_from: Vec<Option<NaiveDate>> =
        queue.iter().map(|h| if h.is_frozen_on(today) { h.frozen_until } else { Some(today) }).collect();
    Ok(wait_estimate(&free_on, &active_from, position, turnaround))
}

/// Counts a just-notified hold's pickup deadline from `delivered_on`, the day its ready notice
/// was delivered, where the policy says so (R-H9). The deadline never moves earlier; a branch
/// with no open day ahead keeps the deadline counted from the ready day.
fn count_deadline_from_notice(tx: &Tx<'_>, ctx: &Ctx<'_>, hold: HoldId) -> Result<()> {
    let (policy, delivered_on) = (ctx.policy, ctx.today);
    if policy.holds.shelf_days_from != ShelfDaysFrom::Notice {
        return Ok(());
    }
    let Some(h) = tx.hold(hold)? else { return Ok(()) };
    let calendar = calendar_in(tx, policy, &h.pickup, delivered_on)?;
    let rules = ctx.hold_rules(tx, &h)?;
    let Some(deadline) = pickup_deadline(policy, &rules, delivered_on, &calendar) else { return Ok(()) };
    let deadline = check_date("pickup_deadline", deadline)?;
    if h.pickup_deadline.is_none_or(|old| deadline > old) {
        tx.set_pickup_deadline(hold, deadline)?;
    }
    Ok(())
}

/// Ends an active hold and sends any copy set aside for it onward.
fn end_and_release(
    tx: &Tx<'_>,
    ctx: &Ctx<'_>,
    h: &Hold,
    status: HoldStatus,
    reason: &str,
) -> Result<Option<(String, CopyRoute)>> {
    if !tx.end_hold(h.id, status, ctx.today, reason)? {
        return Err(not_changeable());
    }
    let Some(copy_id) = h.copy else { return Ok(None) };
    let copy = tx.copy(copy_id)?.ok_or_else(|| Error::not_found(Entity::Copy, copy_id.get()))?;
    if h.status == HoldStatus::Ready {
        // On the hold shelf at the pickup branch: route it from there.
        let route = route_copy(tx, ctx, &copy, CopyStatus::OnHoldShelf, &h.pickup)?;
        return Ok(Some((copy.barcode, route)));
    }
    // Still travelling: it is routed again when it arrives (receive_copy).
    Ok(None)
}

/// What contact-method decisions need to know about `who` (R-C3).
pub(crate) fn contact_facts(tx: &Tx<'_>, who: &Patron) -> Result<ContactFacts> {
    Ok(ContactFacts {
        flags: who.flags.clone(),
        has_email: !tx.confirmed_emails(who.id)?.is_empty(),
        has_phone: !who.phones.is_empty(),
    })
}

/// The phone number a contact that needs a phone (phone, voice, fax, or such a declared
/// channel) fixes on the hold (R-C4).
fn fixed_phone(policy: &Policy, who: &Patron, contact: &ContactMethod) -> Option<String> {
    if policy.contact.needs(contact) != Some(ChannelNeeds::Phone) {
        return None;
    }
    who.contact_phone().map(str::to_owned)
}

/// The patron's hold `id`; another patron's hold is "not found", revealing nothing.
fn patrons_hold(tx: &Tx<'_>, patron: PatronId, id: HoldId) -> Result<Hold> {
    tx.hold(id)?.filter(|h| h.patron == patron).ok_or_else(|| Error::not_found(Entity::Hold, id.get()))
}

fn not_changeable() -> Error {
    Error::Refused(Refusal::one(Reason::HoldNotChangeable))
}

/// A hold request's pickup branch and the patron's confirmed addresses, inside the caller's
/// transaction: the patron's default pickup prefills the request only where the policy offers
/// one (R-C5), and a placing confirmation goes only to a registered address (R-H11).
pub(crate) fn request_in(
    tx: &Tx<'_>,
    policy: &Policy,
    who: &Patron,
    request: &HoldRequest,
) -> Result<(String, Vec<String>)> {
    let default = who.default_pickup.clone().filter(|_| policy.contact.default_pickup);
    let pickup = request.pickup.clone().or(default).ok_or(Error::InvalidInput {
        field: "pickup",
        reason: "no pickup branch given and the patron has no default".into(),
    })?;
    let emails = tx.confirmed_emails(who.id)?;
    if request.confirmation_to.as_ref().is_some_and(|to| !policy.holds.placed_confirmation || !emails.contains(to)) {
        return Err(Error::InvalidInput {
            field: "confirmation_to",
            reason: "confirmations go only to a registered address, where the library offers them".into(),
        });
    }
    Ok((pickup, emails))
}
