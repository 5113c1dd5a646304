//! SQL for draining the notice outbox: the read-only peek, claims with a lease, failures with
//! a back-off, and staff putting held notices back. Marking delivered is in `holds.rs`, beside
//! the hold it may notify.

use crate::error::SqlResult;
use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::Tx;
use crate::notify::{Notice, NoticeFacts, NoticeId};

/// The columns [`notice_from_row`] reads, in its order. The key is the row's random bytes in
/// lowercase hex: never anything of the patron's.
const NOTICE_COLUMNS: &str = "id, patron_id, kind, channel, address, hold_id, loan_id, subject, body, created_at, \
                              is_secret, lower(hex(delivery_key)), attempts, facts";

fn notice_from_row(r: &Row<'_>) -> rusqlite::Result<Notice> {
    Ok(Notice {
        id: r.get(0)?,
        patron: r.get(1)?,
        kind: r.get(2)?,
        channel: r.get(3)?,
        address: r.get(4)?,
        hold: r.get(5)?,
        loan: r.get(6)?,
        subject: r.get(7)?,
        body: r.get(8)?,
        created_at: r.get(9)?,
        secret: r.get(10)?,
        key: r.get(11)?,
        attempts: r.get(12)?,
        facts: facts_from(r, 13)?,
    })
}

/// The facts stored as JSON in column `i`; `None` for a notice written before V15.
fn facts_from(r: &Row<'_>, i: usize) -> rusqlite::Result<Option<NoticeFacts>> {
    let Some(json) = r.get::<_, Option<String>>(i)? else { return Ok(None) };
    serde_json::from_str(&json)
        .map(Some)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

impl Tx<'_> {
    /// Undelivered notices, oldest first, claimed or not: changes nothing.
    pub(crate) fn pending_notices(&self, limit: u32) -> Result<Vec<Notice>, crate::Error> {
        let sql = format!("SELECT {NOTICE_COLUMNS} FROM notices WHERE delivered_at IS NULL ORDER BY id LIMIT ?1");
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map([limit], notice_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Claims up to `limit` undelivered notices, oldest first, that no lease or back-off holds
    /// at `now` and that have had fewer than `max_attempts` attempts: each counts one more
    /// attempt and is held until `until`. The caller's transaction must be `BEGIN IMMEDIATE`,
    /// so two drainers never claim the same notice.
    pub(crate) fn claim_notices(
        &self,
        limit: u32,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
        max_attempts: u32,
    ) -> Result<Vec<Notice>, crate::Error> {
        let sql = format!(
            "UPDATE notices SET attempts = attempts + 1, not_before = ?2
             WHERE id IN (SELECT id FROM notices
                          WHERE delivered_at IS NULL AND attempts < ?3 AND (not_before IS NULL OR not_before <= ?1)
                          ORDER BY id LIMIT ?4)
             RETURNING {NOTICE_COLUMNS}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map(params![now, until, max_attempts, limit], notice_from_row).db()?;
        let mut claimed: Vec<Notice> = rows.collect::<rusqlite::Result<_>>().db()?;
        claimed.sort_by_key(|n| n.id);
        Ok(claimed)
    }

    /// The attempts so far of an undelivered notice that was claimed at least once; `None`
    /// otherwise (unknown, delivered, never claimed).
    pub(crate) fn claimed_attempts(&self, id: NoticeId) -> Result<Option<u32>, crate::Error> {
        super::optional(self.row(
            "SELECT attempts FROM notices WHERE id = ?1 AND delivered_at IS NULL AND attempts > 0",
            [id],
            |r| r.get(0),
        ))
    }

    /// Deletes undelivered notices whose single-use code expired before `now` (held, failing or
    /// never drained): a dead code is no use to the patron and must not stay in clear.
    pub(crate) fn delete_expired_code_notices(&self, now: DateTime<Utc>) -> Result<usize, crate::Error> {
        self.exec(
            "DELETE FROM notices WHERE is_secret = 1 AND delivered_at IS NULL
               AND julianday(json_extract(facts, '$.code_expires_at')) < julianday(?1)",
            [now],
        )
        .db()
    }

    /// Forgets a bounced notice once its fallback is queued, so a repeated report of the same
    /// bounce queues nothing more.
    pub(crate) fn delete_notice(&self, id: NoticeId) -> Result<(), crate::Error> {
        self.exec("DELETE FROM notices WHERE id = ?1", [id]).db()?;
        Ok(())
    }

    /// Releases a claimed notice after a failed attempt: no drainer gets it before `retry_at`
    /// (`None`: it is held for staff, and only its attempt count keeps it from drainers).
    pub(crate) fn release_failed_notice(
        &self,
        id: NoticeId,
        retry_at: Option<DateTime<Utc>>,
    ) -> Result<(), crate::Error> {
        self.exec(
            "UPDATE notices SET not_before = ?2 WHERE id = ?1 AND delivered_at IS NULL AND attempts > 0",
            params![id, retry_at],
        )
        .db()?;
        Ok(())
    }

    /// Puts a held notice (`max_attempts` attempts or more) back for drainers, with no attempts
    /// counted; true if it was held.
    pub(crate) fn retry_held_notice(&self, id: NoticeId, max_attempts: u32) -> Result<bool, crate::Error> {
        Ok(self.exec(
            "UPDATE notices SET attempts = 0, not_before = NULL WHERE id = ?1 AND delivered_at IS NULL AND attempts >= ?2",
            params![id, max_attempts],
        ).db()? == 1)
    }
}
