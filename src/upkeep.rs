//! Daily upkeep that keeps the engine's promises to forget (R-R1, secrets): expired sessions,
//! spent codes, notices carrying expired codes and old failed-login records are deleted, and the WAL is truncated so that no
//! earlier version of a page — a returned loan, a delivered code — survives in it.

use chrono::Duration;

use crate::Library;
use crate::error::Result;
use crate::patrons::lockout_window;

/// How long spent reset codes are kept: the throttle counts requests per hour.
const CODE_THROTTLE_WINDOW: Duration = Duration::hours(1);

/// How often, and how far apart, the scrub tries to truncate the WAL (about half a second in
/// all): enough to find a gap between ordinary writers, bounded under a reader that never lets go.
const TRUNCATE_TRIES: u32 = 20;
const TRUNCATE_PAUSE: std::time::Duration = std::time::Duration::from_millis(25);

/// What one [`Library::scrub`] removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Scrub {
    /// Sessions past their idle timeout or absolute lifetime.
    pub sessions: usize,
    /// Single-use codes used or expired (kept an hour for the request throttle).
    pub codes: usize,
    /// Failed-login records older than the lockout window.
    pub login_failures: usize,
    /// Suspensions after a late return that have ended (their end date is forgotten).
    pub suspensions: usize,
    /// Undelivered notices whose single-use code has expired (held for staff, failing, or
    /// never drained): the dead code leaves the outbox instead of waiting in clear.
    pub expired_code_notices: usize,
    /// The WAL was checkpointed and truncated to zero bytes. `false` when other handles kept
    /// reading or writing through every try (about half a second): run the scrub again later.
    /// Under Litestream, which keeps a read transaction open, this is `false` by design and
    /// Litestream's own checkpoints bound the WAL (docs/operations.md).
    pub wal_truncated: bool,
}

impl Library {
    /// Deletes what is no longer needed and truncates the WAL. Run it daily (after the other
    /// daily sweeps), ideally when the library is quiet: the truncation needs a moment with no
    /// other reader. The truncation never waits for readers with the write lock held (other
    /// handles would stall behind it): it is tried between their transactions for about half
    /// a second, each try holding the lock only while it copies the WAL into the file, then
    /// given up. Deleted rows are zeroed in the database file as they are deleted
    /// (`secure_delete`); this removes the copies the WAL still holds.
    ///
    /// # Examples
    /// ```
    /// # use bunko::{FixedClock, Library, Policy};
    /// # let clock = FixedClock::new(chrono::Utc::now());
    /// let mut lib = Library::open_in_memory(Policy::preset("chiba")?, clock)?;
    /// let scrub = lib.scrub()?;
    /// assert_eq!(scrub.sessions, 0);
    /// # Ok::<(), bunko::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn scrub(&mut self) -> Result<Scrub> {
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        let lifetime = Duration::hours(i64::from(policy.accounts.session_max_hours));
        let window = lockout_window(policy);
        let mut scrub = self.store.write(|tx| {
            Ok(Scrub {
                sessions: tx.delete_expired_sessions(now, now - lifetime)?,
                codes: tx.delete_spent_tokens(now, now - CODE_THROTTLE_WINDOW)?,
                login_failures: tx.delete_old_login_failures(now - window)?,
                suspensions: tx.clear_ended_suspensions(today)?,
                expired_code_notices: tx.delete_expired_code_notices(now)?,
                wal_truncated: false,
            })
        })?;
        // The deletions are committed: a failed checkpoint is reported as not truncated (run
        // the scrub again), never as an error that would hide them.
        // The truncation never waits with the write lock held (other handles would stall
        // behind it): it is tried between their transactions instead.
        scrub.wal_truncated = matches!(self.store.finish_upkeep(true), Ok(true))
            && matches!(self.store.truncate_wal_between_writers(TRUNCATE_TRIES, TRUNCATE_PAUSE), Ok(true));
        Ok(scrub)
    }
}

#[cfg(feature = "bench-internals")]
impl Library {
    /// Benchmarks only (feature `bench-internals`): turns `secure_delete` off on this handle,
    /// to measure what privacy costs. Breaks the privacy promise; never in a library's build.
    #[doc(hidden)]
    pub fn bench_set_secure_delete(&mut self, on: bool) -> Result<()> {
        self.store.set_secure_delete(on)
    }
}
