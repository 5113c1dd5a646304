//! SQL for passwords, sessions and failed logins.

use crate::error::SqlResult;
use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Tx, optional};
use crate::error::Result;
use crate::patrons::PatronId;

/// A stored session, found by its token hash.
pub(crate) struct StoredSession {
    pub patron: PatronId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub restricted: bool,
}

impl Tx<'_> {
    /// The patron's password hash and whether it is temporary.
    pub(crate) fn password_of(&self, patron: PatronId) -> Result<Option<(String, bool)>> {
        optional(self.row(
            "SELECT password_hash, password_is_temporary FROM patrons WHERE id = ?1 AND password_hash IS NOT NULL",
            [patron],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
    }

    /// Sets the password hash (temporary or not) and revokes every session and every
    /// outstanding single-use code of the patron.
    pub(crate) fn set_password(&self, patron: PatronId, hash: &str, temporary: bool) -> Result<()> {
        self.replace_password(patron, Some(hash), temporary)
    }

    /// Deletes the password (fukushima 「パスワード変更・削除」, R-A3): the account has none, like one
    /// never given a password; sessions and codes are revoked as by [`Tx::set_password`].
    pub(crate) fn delete_password(&self, patron: PatronId) -> Result<()> {
        self.replace_password(patron, None, false)
    }

    fn replace_password(&self, patron: PatronId, hash: Option<&str>, temporary: bool) -> Result<()> {
        self.exec(
            "UPDATE patrons SET password_hash = ?2, password_is_temporary = ?3 WHERE id = ?1",
            params![patron, hash, temporary],
        )
        .db()?;
        self.delete_sessions_of(patron)?;
        self.exec("DELETE FROM account_tokens WHERE patron_id = ?1 AND used_at IS NULL", [patron]).db()?;
        Ok(())
    }

    /// Ends every session of the patron.
    pub(crate) fn delete_sessions_of(&self, patron: PatronId) -> Result<()> {
        self.exec("DELETE FROM sessions WHERE patron_id = ?1", [patron]).db()?;
        Ok(())
    }

    /// The key for hashing typed card numbers in the failed-login log.
    pub(crate) fn login_failures_key(&self) -> &[u8; 32] {
        &self.keys.login_failures
    }

    /// Replaces the hash `old` by `new` (rehash with new parameters), only if `old` is still
    /// the stored one; sessions stay.
    pub(crate) fn rehash_password(&self, patron: PatronId, old: &str, new: &str) -> Result<()> {
        self.exec(
            "UPDATE patrons SET password_hash = ?3 WHERE id = ?1 AND password_hash = ?2",
            params![patron, old, new],
        )
        .db()?;
        Ok(())
    }

    /// Failed (or reserved) attempts on a card since `since`, oldest first; `card_hash` is the
    /// keyed hash of the typed card number.
    pub(crate) fn login_failures_since(&self, card_hash: &str, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT at FROM login_failures WHERE card_hash = ?1 AND at > ?2 ORDER BY at")
            .db()?;
        let rows = stmt.query_map(params![card_hash, since], |r| r.get(0)).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Records an attempt on a card as failed; it stays failed unless the attempt succeeds.
    pub(crate) fn record_login_failure(&self, card_hash: &str, at: DateTime<Utc>) -> Result<()> {
        self.exec("INSERT INTO login_failures (card_hash, at) VALUES (?1, ?2)", params![card_hash, at]).db()?;
        Ok(())
    }

    /// Forgets failures for a card (after a success, or when staff issue a new password), and
    /// any older than `before` for every card.
    pub(crate) fn clear_login_failures(&self, card_hash: &str, before: DateTime<Utc>) -> Result<()> {
        self.exec("DELETE FROM login_failures WHERE card_hash = ?1 OR at <= ?2", params![card_hash, before]).db()?;
        Ok(())
    }

    pub(crate) fn insert_session(
        &self,
        token_hash: &str,
        patron: PatronId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
        restricted: bool,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO sessions (token_hash, patron_id, created_at, expires_at, is_restricted) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![token_hash, patron, now, expires_at, restricted],
        ).db()?;
        Ok(())
    }

    pub(crate) fn session(&self, token_hash: &str) -> Result<Option<StoredSession>> {
        optional(self.row(
            "SELECT patron_id, created_at, expires_at, is_restricted FROM sessions WHERE token_hash = ?1",
            [token_hash],
            |r| {
                Ok(StoredSession {
                    patron: r.get(0)?,
                    created_at: r.get(1)?,
                    expires_at: r.get(2)?,
                    restricted: r.get(3)?,
                })
            },
        ))
    }

    pub(crate) fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.exec("UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1", params![token_hash, expires_at]).db()?;
        Ok(())
    }

    pub(crate) fn delete_session(&self, token_hash: &str) -> Result<bool> {
        Ok(self.exec("DELETE FROM sessions WHERE token_hash = ?1", [token_hash]).db()? > 0)
    }

    /// Removes sessions that expired by `now` or were started at or before `started_before`
    /// (the absolute lifetime); returns how many.
    pub(crate) fn delete_expired_sessions(&self, now: DateTime<Utc>, started_before: DateTime<Utc>) -> Result<usize> {
        self.exec("DELETE FROM sessions WHERE expires_at <= ?1 OR created_at <= ?2", params![now, started_before]).db()
    }

    /// Removes used or expired single-use codes issued at or before `issued_before` (kept
    /// until then to throttle requests); returns how many.
    pub(crate) fn delete_spent_tokens(&self, now: DateTime<Utc>, issued_before: DateTime<Utc>) -> Result<usize> {
        self.exec(
            "DELETE FROM account_tokens WHERE (used_at IS NOT NULL OR expires_at <= ?1)
               AND (created_at IS NULL OR created_at <= ?2)",
            params![now, issued_before],
        )
        .db()
    }

    /// Removes failed-login records at or before `before`; returns how many.
    pub(crate) fn delete_old_login_failures(&self, before: DateTime<Utc>) -> Result<usize> {
        self.exec("DELETE FROM login_failures WHERE at <= ?1", [before]).db()
    }

    /// Reset codes issued to the patron since `since`, used or not.
    pub(crate) fn reset_codes_issued_since(&self, patron: PatronId, since: DateTime<Utc>) -> Result<u32> {
        self.row(
            "SELECT COUNT(*) FROM account_tokens WHERE patron_id = ?1 AND purpose = 'password_reset' AND created_at > ?2",
            params![patron, since],
            |r| r.get(0),
        ).db()
    }

    /// Revokes the patron's oldest usable reset codes so that at most `keep` remain.
    pub(crate) fn revoke_reset_codes_beyond(&self, patron: PatronId, keep: u32, now: DateTime<Utc>) -> Result<()> {
        self.exec(
            "UPDATE account_tokens SET used_at = ?3
             WHERE token_hash IN (
                 SELECT token_hash FROM account_tokens
                 WHERE patron_id = ?1 AND purpose = 'password_reset' AND used_at IS NULL AND expires_at > ?3
                 ORDER BY created_at DESC, token_hash LIMIT -1 OFFSET ?2)",
            params![patron, keep, now],
        )
        .db()?;
        Ok(())
    }
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenPurpose {
    PasswordReset,
    EmailConfirmation,
}

impl TokenPurpose {
    fn name(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password_reset",
            TokenPurpose::EmailConfirmation => "email_confirmation",
        }
    }
}

impl Tx<'_> {
    pub(crate) fn insert_token(
        &self,
        token_hash: &str,
        patron: PatronId,
        purpose: TokenPurpose,
        email: Option<i64>,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO account_tokens (token_hash, patron_id, purpose, email_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![token_hash, patron, purpose.name(), email, now, expires_at],
        )
        .db()?;
        Ok(())
    }

    /// Uses a token once: `(patron, email id)` if it exists for `purpose`, is unused and
    /// unexpired at `now`; it can never be used again.
    pub(crate) fn take_token(
        &self,
        token_hash: &str,
        purpose: TokenPurpose,
        now: DateTime<Utc>,
    ) -> Result<Option<(PatronId, Option<i64>)>> {
        optional(self.row(
            "UPDATE account_tokens SET used_at = ?3
             WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL AND expires_at > ?3
             RETURNING patron_id, email_id",
            params![token_hash, purpose.name(), now],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
    }

    /// The patron's addresses, in registration order.
    pub(crate) fn email_addresses(&self, patron: PatronId) -> Result<Vec<crate::patrons::EmailAddress>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT address, tag, confirmed_at IS NOT NULL, receives_holds, rejected_on IS NOT NULL FROM patron_emails
             WHERE patron_id = ?1 ORDER BY id",
        ).db()?;
        let rows = stmt
            .query_map([patron], |r| {
                Ok(crate::patrons::EmailAddress {
                    address: r.get(0)?,
                    tag: r.get(1)?,
                    confirmed: r.get(2)?,
                    receives_holds: r.get(3)?,
                    rejects_mail: r.get(4)?,
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Whether `address` is one of the patron's confirmed addresses that does not reject mail.
    pub(crate) fn has_confirmed_email(&self, patron: PatronId, address: &str) -> Result<bool> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM patron_emails WHERE patron_id = ?1 AND address = ?2 AND confirmed_at IS NOT NULL
                            AND rejected_on IS NULL)",
            params![patron, address],
            |r| r.get(0),
        ).db()
    }

    /// Adds an unconfirmed address; a duplicate for the patron is a conflict.
    pub(crate) fn insert_pending_email(&self, patron: PatronId, address: &str, tag: Option<&str>) -> Result<i64> {
        self.exec(
            "INSERT INTO patron_emails (patron_id, address, tag) VALUES (?1, ?2, ?3)",
            params![patron, address, tag],
        )
        .map_err(|e| {
            super::conflict_on_unique(e, crate::Entity::Patron, address, "this address is already registered")
        })?;
        Ok(self.last_id())
    }

    /// Confirms an address; the first confirmed one receives hold mail.
    pub(crate) fn confirm_email(&self, email: i64, now: DateTime<Utc>) -> Result<()> {
        self.exec(
            "UPDATE patron_emails SET confirmed_at = ?2,
                    receives_holds = NOT EXISTS (SELECT 1 FROM patron_emails o WHERE o.patron_id = patron_emails.patron_id AND o.receives_holds = 1)
             WHERE id = ?1 AND confirmed_at IS NULL",
            params![email, now],
        ).db()?;
        Ok(())
    }

    /// Removes an address; the next confirmed one takes over hold mail.
    pub(crate) fn delete_email(&self, patron: PatronId, address: &str) -> Result<bool> {
        let n = self
            .exec("DELETE FROM patron_emails WHERE patron_id = ?1 AND address = ?2", params![patron, address])
            .db()?;
        self.exec(
            "UPDATE patron_emails SET receives_holds = 1
             WHERE id = (SELECT id FROM patron_emails WHERE patron_id = ?1 AND confirmed_at IS NOT NULL ORDER BY id LIMIT 1)
               AND NOT EXISTS (SELECT 1 FROM patron_emails WHERE patron_id = ?1 AND receives_holds = 1)",
            [patron],
        ).db()?;
        Ok(n > 0)
    }

    /// Marks the patron's `address` as rejecting the library's mail from `day` (chiba): it is
    /// no longer a usable address; false if the patron has no such address.
    pub(crate) fn reject_email(&self, patron: PatronId, address: &str, day: chrono::NaiveDate) -> Result<bool> {
        Ok(self.exec(
            "UPDATE patron_emails SET rejected_on = COALESCE(rejected_on, ?3) WHERE patron_id = ?1 AND address = ?2",
            params![patron, address, day],
        ).db()? == 1)
    }

    /// Makes `address` (confirmed) the one that receives hold mail (kanagawa, R-C1).
    pub(crate) fn choose_hold_email(&self, patron: PatronId, address: &str) -> Result<bool> {
        if !self.has_confirmed_email(patron, address)? {
            return Ok(false);
        }
        // Clear first: the unique "one hold address" index is checked row by row.
        self.exec("UPDATE patron_emails SET receives_holds = 0 WHERE patron_id = ?1", [patron]).db()?;
        self.exec(
            "UPDATE patron_emails SET receives_holds = 1 WHERE patron_id = ?1 AND address = ?2",
            params![patron, address],
        )
        .db()?;
        Ok(true)
    }

    /// Staff change of name, birth date and phones (R-A7).
    pub(crate) fn update_personal(&self, p: &crate::patrons::Patron) -> Result<()> {
        self.exec("UPDATE patrons SET name = ?2, birth_date = ?3 WHERE id = ?1", params![p.id, p.name, p.birth_date])
            .db()?;
        self.exec("DELETE FROM patron_phones WHERE patron_id = ?1", [p.id]).db()?;
        for (i, ph) in p.phones.iter().enumerate() {
            self.exec(
                "INSERT INTO patron_phones (patron_id, position, kind, number, is_chosen) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.id, i as i64, ph.kind, ph.number, ph.chosen],
            )
            .db()?;
        }
        Ok(())
    }
}

/// What a stored notice is, without its text (a delivered one has none).
pub(crate) struct StoredNotice {
    /// Named until delivered (R-R1).
    pub patron: Option<PatronId>,
    pub kind: crate::notify::NoticeKind,
    pub channel: crate::policy::ContactMethod,
    pub hold: Option<crate::holds::HoldId>,
    pub loan: Option<crate::circulation::LoanId>,
    pub secret: bool,
}

/// An open loan due soon whose patron wants a reminder.
pub(crate) struct ReminderDue {
    pub loan: crate::circulation::LoanId,
    pub patron: PatronId,
    pub title: String,
    pub due_on: chrono::NaiveDate,
}

impl Tx<'_> {
    pub(crate) fn set_wants_due_reminders(&self, patron: PatronId, on: bool) -> Result<bool> {
        Ok(self.exec("UPDATE patrons SET wants_due_reminders = ?2 WHERE id = ?1", params![patron, on]).db()? == 1)
    }

    /// Open loans due between `from` and `until` not yet reminded, of patrons who opted in.
    pub(crate) fn reminders_due(&self, from: chrono::NaiveDate, until: chrono::NaiveDate) -> Result<Vec<ReminderDue>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT l.id, l.patron_id, t.title, l.due_on FROM loans l
             JOIN patrons p ON p.id = l.patron_id JOIN titles t ON t.id = l.title_id
             WHERE l.reminded_on IS NULL AND p.wants_due_reminders = 1
               AND l.due_on BETWEEN ?1 AND ?2
             ORDER BY l.id",
            )
            .db()?;
        let rows = stmt
            .query_map(params![from, until], |r| {
                Ok(ReminderDue { loan: r.get(0)?, patron: r.get(1)?, title: r.get(2)?, due_on: r.get(3)? })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn mark_reminded(&self, loan: crate::circulation::LoanId, on: chrono::NaiveDate) -> Result<()> {
        self.exec("UPDATE loans SET reminded_on = ?2 WHERE id = ?1", params![loan, on]).db()?;
        Ok(())
    }

    /// A notice by id, for re-sending it another way.
    pub(crate) fn stored_notice(&self, id: crate::notify::NoticeId) -> Result<Option<StoredNotice>> {
        optional(self.row(
            "SELECT kind, channel, hold_id, loan_id, is_secret, patron_id FROM notices WHERE id = ?1",
            [id],
            |r| {
                Ok(StoredNotice {
                    kind: r.get(0)?,
                    channel: r.get(1)?,
                    hold: r.get(2)?,
                    loan: r.get(3)?,
                    secret: r.get(4)?,
                    patron: r.get(5)?,
                })
            },
        ))
    }
}
