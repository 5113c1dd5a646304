//! Opt-in due-date reminders and the bounce fallback (R-C6).

use chrono::Days;

use super::{PatronId, patron_in};
use crate::Library;
use crate::error::{Error, Result};
use crate::holds::route::{Ctx, fallback_address, pickup_name, write_notices};
use crate::library::Gate;
use crate::notify::{About, NoticeFacts, NoticeId, NoticeKind, Recipient, enqueue};
use crate::policy::{ChannelNeeds, ContactMethod, MailRecipients, Service};
use crate::store::{StoredNotice, Tx};

impl Library {
    /// Turns the patron's due-date reminder mails on or off (kanagawa, R-C6).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: the patron has no confirmed email address.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_due_reminders(&mut self, patron: PatronId, on: bool) -> Result<()> {
        if self.policy.contact.due_reminder_days_before.is_none() {
            return Err(Error::InvalidInput {
                field: "due_reminders",
                reason: "this library does not send them".into(),
            });
        }
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::EmailSettings };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            tx.set_wants_due_reminders(patron, on).map(drop)
        })
    }

    /// Writes a reminder notice for every open loan due within the policy's days whose patron
    /// opted in, to their hold address (or all addresses, per policy). Each loan is reminded once
    /// (again after a renewal). Returns how many loans were reminded. Run it daily.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn send_due_reminders(&mut self) -> Result<usize> {
        let Some(days) = self.policy.contact.due_reminder_days_before else { return Ok(0) };
        let (today, now, policy) = (self.today(), self.now(), &self.policy);
        let until = today.checked_add_days(Days::new(u64::from(days))).unwrap_or(today);
        self.store.write(|tx| {
            let due = tx.reminders_due(today, until)?;
            for r in &due {
                let who = patron_in(tx, r.patron)?;
                let mut addresses = tx.confirmed_emails(r.patron)?;
                if policy.contact.mail_recipients == MailRecipients::Chosen {
                    addresses.truncate(1);
                }
                let mut facts = NoticeFacts::new(&policy.library.name, &who.name, &r.title);
                facts.due_on = Some(r.due_on);
                for address in &addresses {
                    let to = Recipient { patron: r.patron, channel: ContactMethod::Mail, address: Some(address) };
                    enqueue(tx, NoticeKind::DueReminder, &facts, &to, About::Loan(r.loan), now)?;
                }
                tx.mark_reminded(r.loan, today)?;
            }
            Ok(due.len())
        })
    }

    /// The host reports that a mailed notice bounced. Where the policy names a fallback
    /// (chiba: phone, R-C6), the notice is queued again by that method to the patron's chosen
    /// phone, rendered afresh from the hold or loan it is about (a delivered notice keeps no
    /// text, R-R1); returns the new notice. Nothing is re-sent for a notice carrying a code,
    /// or once its hold has been collected or its loan returned. Once the fallback is queued
    /// the bounced notice is forgotten, so the same bounce reported twice queues one fallback
    /// (the second report finds no notice).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such notice, or its bounce was already reported and fell back.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn mark_bounced(&mut self, notice: NoticeId) -> Result<Option<NoticeId>> {
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        self.store.write(|tx| {
            let n = tx.stored_notice(notice)?.ok_or(Error::not_found(crate::Entity::Notice, notice.get()))?;
            fall_back_once(tx, &Ctx { policy, matrix: &self.matrix, today, now }, notice, &n)
        })
    }

    /// The host reports that the mailbox at `address` rejected a mailed notice (受信拒否). Where
    /// the policy's `rejection_disables_address` says so (chiba: 「受信拒否の状態ですと、Eメール
    /// お知らせサービスは無効になります」), that address of the notice's patron gets no more mail
    /// — not only this notice — until the patron removes it and registers it again; the
    /// patron's other addresses carry on. The notice itself falls back as in
    /// [`Library::mark_bounced`]. One transaction.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such notice, or its bounce was already reported and fell back.
    /// - `InvalidInput` (`address`): the policy disables rejected addresses and `address` is
    ///   not one of the notice's patron's.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn mark_rejected(&mut self, notice: NoticeId, address: &str) -> Result<Option<NoticeId>> {
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        self.store.write(|tx| {
            let n = tx.stored_notice(notice)?.ok_or(Error::not_found(crate::Entity::Notice, notice.get()))?;
            if policy.contact.rejection_disables_address
                && policy.contact.needs(&n.channel) == Some(ChannelNeeds::Email)
                && let Some(patron) = patron_of(tx, &n)?
                && !tx.reject_email(patron, address.trim(), today)?
            {
                return Err(Error::InvalidInput {
                    field: "address",
                    reason: "not an address of the notice's patron".into(),
                });
            }
            fall_back_once(tx, &Ctx { policy, matrix: &self.matrix, today, now }, notice, &n)
        })
    }
}

/// [`fall_back`], then forgets the bounced notice if a fallback was queued.
fn fall_back_once(tx: &Tx<'_>, ctx: &Ctx<'_>, id: NoticeId, n: &StoredNotice) -> Result<Option<NoticeId>> {
    let queued = fall_back(tx, ctx, n)?;
    if queued.is_some() {
        tx.delete_notice(id)?;
    }
    Ok(queued)
}

/// Queues a mailed notice (mail, or a channel that needs an address) again by the policy's
/// fallback method (R-C6), inside the caller's transaction; see [`Library::mark_bounced`].
fn fall_back(tx: &Tx<'_>, ctx: &Ctx<'_>, n: &StoredNotice) -> Result<Option<NoticeId>> {
    let Some(method) = ctx.policy.contact.fallback() else { return Ok(None) };
    if ctx.policy.contact.needs(&n.channel) != Some(ChannelNeeds::Email) || n.secret {
        return Ok(None);
    }
    if let Some(hold) = n.hold.map(|h| tx.hold(h)).transpose()?.flatten() {
        let to = fallback_address(ctx.policy, method, &patron_in(tx, hold.patron)?);
        let ids = write_notices(tx, ctx, &hold, n.kind, method, &[to], |f| {
            f.pickup_deadline = hold.pickup_deadline;
            f.arrives_on = hold.arrives_on;
            f.reason.clone_from(&hold.end_reason);
        })?;
        return Ok(ids.first().copied());
    }
    let Some(loan) = n.loan.map(|l| tx.open_loan(l)).transpose()?.flatten() else { return Ok(None) };
    let Some(patron) = loan.patron else { return Ok(None) };
    let who = patron_in(tx, patron)?;
    let mut facts = NoticeFacts::new(&ctx.policy.library.name, &who.name, &loan.title_text);
    facts.due_on = Some(loan.due_on);
    facts.pickup = pickup_name(ctx.policy, &loan.branch, None);
    let address = fallback_address(ctx.policy, method, &who);
    let to = Recipient { patron, channel: method.clone(), address: address.as_deref() };
    enqueue(tx, n.kind, &facts, &to, About::Loan(loan.id), ctx.now).map(Some)
}

/// Whose notice it was: named on an undelivered notice, else through its live hold or loan (a
/// delivered notice keeps no patron, R-R1).
fn patron_of(tx: &Tx<'_>, n: &StoredNotice) -> Result<Option<PatronId>> {
    if n.patron.is_some() {
        return Ok(n.patron);
    }
    if let Some(hold) = n.hold.map(|h| tx.hold(h)).transpose()?.flatten() {
        return Ok(Some(hold.patron));
    }
    Ok(n.loan.map(|l| tx.open_loan(l)).transpose()?.flatten().and_then(|loan| loan.patron))
}
