//! SQL for passwords, sessions and failed logins.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{Tx, optional};
use crate::error::Result;
use crate::patrons::PatronId;

/// A stored session, found by its token hash.
pub(crate) struct StoredSession {
    pub patron: PatronId,
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

    /// Sets the password hash (temporary or not) and revokes every session of the patron.
    pub(crate) fn set_password(&self, patron: PatronId, hash: &str, temporary: bool) -> Result<()> {
        self.exec(
            "UPDATE patrons SET password_hash = ?2, password_is_temporary = ?3 WHERE id = ?1",
            params![patron, hash, temporary],
        )?;
        self.exec("DELETE FROM sessions WHERE patron_id = ?1", [patron])?;
        Ok(())
    }

    /// Replaces the hash only (rehash with new parameters); sessions stay.
    pub(crate) fn rehash_password(&self, patron: PatronId, hash: &str) -> Result<()> {
        self.exec("UPDATE patrons SET password_hash = ?2 WHERE id = ?1", params![patron, hash])?;
        Ok(())
    }

    pub(crate) fn login_failures_since(&self, card: &str, since: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT at FROM login_failures WHERE card_number = ?1 AND at > ?2 ORDER BY at")?;
        let rows = stmt.query_map(params![card, since], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub(crate) fn record_login_failure(&self, card: &str, at: DateTime<Utc>) -> Result<()> {
        self.exec("INSERT INTO login_failures (card_number, at) VALUES (?1, ?2)", params![card, at])?;
        Ok(())
    }

    /// Forgets failures for a card (after a success, or when staff issue a new password), and
    /// any older than `before` for every card.
    pub(crate) fn clear_login_failures(&self, card: &str, before: DateTime<Utc>) -> Result<()> {
        self.exec("DELETE FROM login_failures WHERE card_number = ?1 OR at <= ?2", params![card, before])?;
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
        )?;
        Ok(())
    }

    pub(crate) fn session(&self, token_hash: &str) -> Result<Option<StoredSession>> {
        optional(self.row(
            "SELECT patron_id, expires_at, is_restricted FROM sessions WHERE token_hash = ?1",
            [token_hash],
            |r| Ok(StoredSession { patron: r.get(0)?, expires_at: r.get(1)?, restricted: r.get(2)? }),
        ))
    }

    pub(crate) fn extend_session(&self, token_hash: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.exec("UPDATE sessions SET expires_at = ?2 WHERE token_hash = ?1", params![token_hash, expires_at])?;
        Ok(())
    }

    pub(crate) fn delete_session(&self, token_hash: &str) -> Result<bool> {
        Ok(self.exec("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])? > 0)
    }

    /// Removes sessions that expired before `now`.
    pub(crate) fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<()> {
        self.exec("DELETE FROM sessions WHERE expires_at <= ?1", [now])?;
        Ok(())
    }
}
