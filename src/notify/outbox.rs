//! Claims on the outbox, so several drainers can share it: leases, failures with a back-off,
//! and notices held for staff. The guarantee is in the module docs of [`notify`](super).

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Notice, NoticeClaim, NoticeId};
use crate::Library;
use crate::error::{Error, Result};
use crate::library::storable;

/// Most notices returned by one [`Library::pending_notices`] or [`Library::claim_notices`] call.
pub const MAX_NOTICE_BATCH: u32 = 1000;

/// Attempts after which a notice is held for staff: 8 (about ten and a half hours of back-off
/// at [`retry_delay`]'s schedule, plus the leases).
pub const MAX_DELIVERY_ATTEMPTS: u32 = 8;

/// The longest lease [`Library::claim_notices`] grants: a day.
pub const MAX_LEASE: Duration = Duration::from_secs(24 * 60 * 60);

/// The shortest lease: a second.
const MIN_LEASE: Duration = Duration::from_secs(1);

/// The back-off after a first failed attempt; it doubles with each further attempt.
const FIRST_RETRY: Duration = Duration::from_secs(5 * 60);

/// How long a notice waits after a failed attempt, given how many attempts it has had (the
/// failed one included): 5 minutes after the first, then doubling — 10, 20, 40, 80, 160 and
/// 320 minutes after the seventh. `None` from the [`MAX_DELIVERY_ATTEMPTS`]th on: the notice
/// is held for staff.
///
/// ```
/// use std::time::Duration;
/// use bunko::notify::retry_delay;
/// assert_eq!(retry_delay(1), Some(Duration::from_secs(5 * 60)));
/// assert_eq!(retry_delay(7), Some(Duration::from_secs(320 * 60)));
/// assert_eq!(retry_delay(8), None);
/// ```
pub fn retry_delay(attempts: u32) -> Option<Duration> {
    if attempts >= MAX_DELIVERY_ATTEMPTS {
        return None;
    }
    Some(FIRST_RETRY * 2u32.pow(attempts.saturating_sub(1)))
}

impl Library {
    /// Hands this drainer up to `limit` undelivered notices (capped at [`MAX_NOTICE_BATCH`]),
    /// oldest first, that no other drainer holds: none is leased to another drainer, waiting
    /// out a failure's back-off, or held for staff. Each counts one more attempt and is leased
    /// to this drainer for `lease`, during which no other call hands it out again. One
    /// `BEGIN IMMEDIATE` transaction, so drainers on any number of handles never share a
    /// notice while its lease holds.
    ///
    /// Deliver each with its [`Notice::key`] as the mail system's idempotency key, then call
    /// [`Library::mark_delivered`] or [`Library::mark_failed`]. A notice neither marked comes
    /// back, with the same key, once the lease expires: delivery is at-least-once (see
    /// [`notify`](crate::notify#draining-the-outbox)). `pending_notices` only peeks.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] (`lease`) for a lease under a second or over [`MAX_LEASE`];
    /// [`Error::Busy`] when another handle holds the write lock past the busy timeout.
    pub fn claim_notices(&mut self, limit: u32, lease: Duration) -> Result<Vec<Notice>> {
        if !(MIN_LEASE..=MAX_LEASE).contains(&lease) {
            return Err(Error::InvalidInput { field: "lease", reason: "must be from one second to one day".into() });
        }
        let now = self.now();
        let until = later(now, lease);
        self.store.write(|tx| tx.claim_notices(limit.min(MAX_NOTICE_BATCH), now, until, MAX_DELIVERY_ATTEMPTS))
    }

    /// The host could not deliver these notices this time (the mail server was down, a
    /// timeout): each is released from its claim and handed out again after
    /// [`retry_delay`] of its attempts — or, after [`MAX_DELIVERY_ATTEMPTS`], held for staff.
    /// A notice that can never be delivered as addressed (a bounce) is reported with
    /// [`Library::mark_bounced`] instead. Each failure is reported with the drainer's
    /// [`Notice::claim`]: a claim that is no longer the notice's latest (its lease ran out and
    /// another drainer claimed it since) is ignored, so a late report never releases another
    /// drainer's lease. Unknown, delivered and never-claimed notices are ignored too; returns
    /// how many failures were recorded. One transaction.
    ///
    /// # Errors
    /// [`Error::Busy`] when another handle holds the write lock past the busy timeout.
    pub fn mark_failed(&mut self, claims: &[NoticeClaim]) -> Result<usize> {
        let now = self.now();
        self.store.write(|tx| {
            let mut failed = 0;
            for claim in claims {
                if tx.claimed_attempts(claim.id)? == Some(claim.attempt) {
                    tx.release_failed_notice(claim.id, retry_delay(claim.attempt).map(|d| later(now, d)))?;
                    failed += 1;
                }
            }
            Ok(failed)
        })
    }

    /// Staff put held notices ([`Notice::is_held`]) back in the outbox, with no attempts
    /// counted, once the cause is fixed; the next [`Library::claim_notices`] hands them out
    /// with the key they had. Ids of notices not held are ignored; returns how many were put
    /// back. One transaction.
    ///
    /// # Errors
    /// [`Error::Busy`] when another handle holds the write lock past the busy timeout.
    pub fn retry_notices(&mut self, notices: &[NoticeId]) -> Result<usize> {
        self.store.write(|tx| {
            let mut put_back = 0;
            for &id in notices {
                put_back += usize::from(tx.retry_held_notice(id, MAX_DELIVERY_ATTEMPTS)?);
            }
            Ok(put_back)
        })
    }
}

/// `now + wait`, as an instant the store can hold.
fn later(now: DateTime<Utc>, wait: Duration) -> DateTime<Utc> {
    let wait = TimeDelta::from_std(wait).unwrap_or(TimeDelta::MAX);
    storable(now.checked_add_signed(wait).unwrap_or(DateTime::<Utc>::MAX_UTC))
}
