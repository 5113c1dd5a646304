//! The [`Library`] handle: one open database under one policy and one clock.

use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalog::BranchInfo;
use crate::clock::Clock;
use crate::error::{Entity, Error, PolicyError, Result, why};
use crate::policy::{Policy, RuleMatrix, Rules, Scope};
use crate::store::{BackupReport, Store, StoreOptions};

/// A library's engine: its policy, its clock and its database.
///
/// Every public write runs in one transaction (`BEGIN IMMEDIATE`): it either happens whole or
/// leaves the database exactly as it was. The exceptions are said where they are: calls that
/// check a secret commit the attempt before argon2 runs (ARCHITECTURE.md), and the daily sweeps
/// take one transaction per item.
///
/// # Threads and processes
///
/// A `Library` owns one SQLite connection: it is `Send` but not `Sync`. Give each worker
/// thread its own handle, opened at start-up (a `thread_local!`, or a small pool of handles
/// checked out per request); it may move between threads, but one handle behind a `Mutex`
/// makes every request wait for every other, reads included. In async code, call it from a
/// blocking task. Several handles, in one process or several, may open the same file, all
/// under the same policy: reads run side by side (WAL) and SQLite takes writers one at a time.
/// Correctness across handles is kept in SQL (unique indexes, conditional updates), so no
/// copy is lent or assigned twice whatever the interleaving.
///
/// A write that finds another handle writing waits up to the busy timeout
/// ([`StoreOptions::busy_timeout`](crate::StoreOptions), 5 s by default), then fails with
/// [`Error::Busy`], having changed nothing. Whether to retry is the host's call: the same call
/// may simply be made again. A recipe, with backoff and jitter so that handles do not retry in
/// step (`tests/threads.rs` runs 8 threads × 500 requests so, losing nothing):
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use bunko::{Error, Result};
///
/// /// Runs `op` again while the database is busy: up to 4 more tries, waiting 50 ms, 100 ms,
/// /// 200 ms, 400 ms, each plus up to as much again at random. Then `Busy` goes to the caller
/// /// (for a web service: 503 with `Retry-After`).
/// fn with_retry<T>(mut op: impl FnMut() -> Result<T>) -> Result<T> {
///     let mut wait = Duration::from_millis(50);
///     for _ in 0..4 {
///         match op() {
///             Err(e) if e.is_busy() => {
///                 let nanos = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).unwrap_or_default().subsec_nanos();
///                 std::thread::sleep(wait + wait.mul_f64(f64::from(nanos % 1000) / 1000.0));
///                 wait *= 2;
///             }
///             other => return other,
///         }
///     }
///     op()
/// }
///
/// # use bunko::{FixedClock, Library, Policy};
/// # let clock = FixedClock::new(chrono::DateTime::UNIX_EPOCH + chrono::Days::new(20_000));
/// # let mut lib = Library::open_in_memory(Policy::preset("chiba")?, clock)?;
/// let title = with_retry(|| lib.add_title(bunko::catalog::NewTitle::new("銀河鉄道の夜")))?;
/// # let _ = title;
/// # Ok::<(), bunko::Error>(())
/// ```
///
/// With the default timeout, `Busy` means another handle held the lock for seconds: retry a
/// few times at most. A host that keeps a shorter timeout, as a latency budget, retries more.
///
/// # Examples
/// ```
/// use bunko::{FixedClock, Library, Policy, catalog::{NewCopy, NewTitle}};
/// use chrono::{TimeZone, Utc};
///
/// let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 0).unwrap());
/// let mut lib = Library::open_in_memory(Policy::preset("chiba")?, clock)?;
/// let title = lib.add_title(NewTitle::new("銀河鉄道の夜"))?;
/// let copy = lib.add_copy(NewCopy::new("C0001", title, "chuo", "book"))?;
/// assert_eq!(lib.copy(copy)?.barcode, "C0001");
/// # Ok::<(), bunko::Error>(())
/// ```
pub struct Library {
    pub(crate) store: Store,
    pub(crate) policy: Policy,
    /// The policy's rules indexed by scope, built once at open.
    pub(crate) matrix: RuleMatrix,
    clock: Box<dyn Clock>,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library").field("library", &self.policy.library.code).finish_non_exhaustive()
    }
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

impl Library {
    /// Opens (creating if needed) the database file at `path`, migrating it to the current
    /// schema, with default [`StoreOptions`].
    ///
    /// # Errors
    ///
    /// - `Policy`: the policy is invalid, or does not fit the database.
    /// - `InvalidInput`: the clock is outside the supported years.
    /// - `SchemaTooNew`, `NotBunkoDatabase`, `Migration`: the file is newer, foreign or cannot be migrated; it is left untouched.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn open(path: impl AsRef<Path>, policy: Policy, clock: impl Clock + 'static) -> Result<Library> {
        Self::open_with(path, policy, clock, StoreOptions::default())
    }

    /// Like [`Library::open`], with explicit store options (e.g. `synchronous = FULL`).
    ///
    /// # Errors
    ///
    /// As [`Library::open`].
    pub fn open_with(
        path: impl AsRef<Path>,
        policy: Policy,
        clock: impl Clock + 'static,
        options: StoreOptions,
    ) -> Result<Library> {
        let now = opening_instant(&policy, &clock)?;
        Self::start(Store::open(path.as_ref(), options, now)?, policy, Box::new(clock))
    }

    /// Opens a fresh in-memory database: for tests, examples and "what if" runs.
    ///
    /// # Errors
    ///
    /// - `Policy`, `InvalidInput`, `Storage`: as [`Library::open`].
    pub fn open_in_memory(policy: Policy, clock: impl Clock + 'static) -> Result<Library> {
        let now = opening_instant(&policy, &clock)?;
        Self::start(Store::open_in_memory(StoreOptions::default(), now)?, policy, Box::new(clock))
    }

    fn start(store: Store, policy: Policy, clock: Box<dyn Clock>) -> Result<Library> {
        let matrix = RuleMatrix::new(&policy);
        let mut lib = Library { store, policy, matrix, clock };
        lib.sync_branches()?;
        Ok(lib)
    }

    /// Makes the stored branches match the policy's: adds and updates them, and removes those
    /// the policy dropped, unless copies, loans or holds still refer to them (then the open is
    /// refused, naming what). Also
    /// refuses a policy missing a category that patrons in the database belong to: every
    /// decision about them would have no rules.
    fn sync_branches(&mut self) -> Result<()> {
        let policy = &self.policy;
        let wanted: Vec<BranchInfo> = self
            .policy
            .branches
            .iter()
            .map(|b| BranchInfo { code: b.code.clone(), name: b.name.clone(), pickup: b.pickup, partner: b.partner })
            .collect();
        self.store.write(|tx| {
            let unknown: Vec<String> =
                tx.patron_categories()?.into_iter().filter(|c| !policy.admits_category(c)).collect();
            if !unknown.is_empty() {
                let listed = unknown.join(", ");
                let reason = why!(
                    "patrons in the database belong to categories the policy does not declare: {listed}; \
                     declare each under [categories] (or move the patrons first)",
                    "データベースに、ポリシーが宣言していない利用者区分の利用者がいます: {listed}。\
                     それぞれを [categories] に宣言してください(または先に利用者の区分を変えてください)"
                );
                return Err(PolicyError::single("categories", reason).into());
            }
            for b in &wanted {
                tx.upsert_branch(b)?;
            }
            for stored in tx.branches()? {
                if wanted.iter().any(|b| b.code == stored.code) {
                    continue;
                }
                let used = tx.delete_branch_if_unused(&stored.code)?;
                if used != [0; 4] {
                    let words = [
                        ("copies", "資料", "点"),
                        ("open loans", "貸出", "件"),
                        ("holds (ended ones until purged)", "予約(終了分も消去まで)", "件"),
                        ("holds kept with a dispatched loan", "発送中の貸出に付いた予約", "件"),
                    ];
                    let list = |ja: bool| {
                        let items = used.iter().zip(words).filter(|(n, _)| **n > 0);
                        let items = items
                            .map(|(n, (en, jw, unit))| if ja { format!("{jw}{n}{unit}") } else { format!("{n} {en}") });
                        items.collect::<Vec<_>>().join(if ja { "、" } else { ", " })
                    };
                    let (listed, listed_ja) = (list(false), list(true));
                    return Err(PolicyError::single(
                        "branches",
                        why!(
                            "branch `{}` is missing from the policy but the database still refers to it: {listed}; \
                             keep it in the policy until they have moved or ended",
                            "館 `{}` がポリシーにありませんが、データベースがまだこの館を参照しています: {listed_ja}。\
                             それらが移るか終わるまで、ポリシーに残してください",
                            stored.code
                        ),
                    )
                    .into());
                }
            }
            Ok(())
        })
    }

    /// The rules in force for a patron of `category`, material `kind` and `branch`.
    pub fn rules(&self, category: &str, kind: &str, branch: &str) -> Rules {
        self.matrix.resolve(&Scope::new(category, kind, branch))
    }

    /// The policy this library runs under.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The current instant, from the injected clock, kept within the supported years
    /// (1900–9999): a clock that runs past them later is pinned to the edge (checked at open).
    pub fn now(&self) -> DateTime<Utc> {
        let now = self.clock.now();
        now.clamp(earliest(), latest())
    }

    /// Today's date in the library's local calendar (the policy's UTC offset).
    pub fn today(&self) -> NaiveDate {
        local_date(self.now(), &self.policy)
    }

    /// Writes a consistent copy of the whole database to a new file at `path`, while other
    /// handles keep working. Open the copy with [`Library::open`] to restore.
    ///
    /// The copy is written beside `path` under a temporary name, synced, verified
    /// (`quick_check`, schema version, every table readable) and only then linked into place:
    /// a crash or a failed check leaves no file at `path`. An existing file is never
    /// overwritten. A process killed mid-backup may leave a `.NAME.<hex>.partial` file beside
    /// `path`; it is never opened by bunko and can be deleted.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: `path` exists already or names no file.
    /// - `Backup`: the copy could not be written or did not verify; nothing is left at `path`.
    /// - `Crypto`: the random source for the temporary name failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn backup_to(&self, path: impl AsRef<Path>) -> Result<BackupReport> {
        self.store.backup_to(path.as_ref())
    }

    /// The highest schema migration applied to the database.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn schema_version(&self) -> Result<u32> {
        self.store.schema_version()
    }

    /// Checks that `code` names one of the policy's branches and returns it.
    pub(crate) fn require_branch(&self, code: &str) -> Result<&crate::policy::Branch> {
        self.policy.branch(code).ok_or_else(|| Error::NotFound { entity: Entity::Branch, key: code.to_owned() })
    }
}

/// The UTC instant at `y-m-d h:mi:s`, or `fallback` (the arguments here are all valid dates).
fn utc(y: i32, m: u32, d: u32, (h, mi, s): (u32, u32, u32), fallback: DateTime<Utc>) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(y, m, d).and_then(|d| d.and_hms_opt(h, mi, s)).map_or(fallback, |t| t.and_utc())
}

/// The first instant the engine supports: dates before 1900 are refused as input.
fn earliest() -> DateTime<Utc> {
    utc(1900, 1, 2, (0, 0, 0), DateTime::<Utc>::MIN_UTC)
}

/// The last instant the engine supports, a day short of 10000 so that every local date (any
/// UTC offset) and every stored date stays within year 9999.
fn latest() -> DateTime<Utc> {
    utc(9999, 12, 30, (0, 0, 0), DateTime::<Utc>::MAX_UTC)
}

/// `t`, or the last instant a stored date may hold (the store sorts instants as text, and a
/// year past 9999 would sort before every other): for expiries computed from a pinned clock.
pub(crate) fn storable(t: DateTime<Utc>) -> DateTime<Utc> {
    t.min(utc(9999, 12, 31, (23, 59, 59), t))
}

/// `now` as a date in the library's local calendar; never panics.
fn local_date(now: DateTime<Utc>, policy: &Policy) -> NaiveDate {
    let offset = chrono::Duration::seconds(i64::from(policy.library.utc_offset.to_fixed().local_minus_utc()));
    now.naive_utc().checked_add_signed(offset).unwrap_or(now.naive_utc()).date()
}

/// Validates the policy (a `Policy` built in code is checked like a TOML one) and the clock,
/// before anything touches the database.
fn opening_instant(policy: &Policy, clock: &impl Clock) -> Result<DateTime<Utc>> {
    policy.validate()?;
    let now = clock.now();
    if now < earliest() || now > latest() {
        return Err(Error::InvalidInput {
            field: "clock",
            reason: format!("{now} is outside the supported years 1900–9999"),
        });
    }
    Ok(now)
}

/// A patron-facing service as one call uses it: the policy, today and which service, so the
/// call can ask whether the patron may use it (R-A2, R-A6) inside its own transaction.
#[derive(Clone, Copy)]
pub(crate) struct Gate<'a> {
    pub(crate) policy: &'a Policy,
    pub(crate) today: NaiveDate,
    pub(crate) service: crate::policy::Service,
}

impl Gate<'_> {
    /// The patron, or a refusal with every reason they may not use this service today: a
    /// temporary password where `passwords.temporary.refused_services` names it, an expired
    /// card where `accounts.expired_card_refuses` does. Reasons that bar logging in at all
    /// (a block, an unused card, overdue items at kanagawa) are enforced where a session
    /// starts and is checked, not here: staff at the counter still see a blocked patron's
    /// loans and lists.
    pub(crate) fn patron(
        self,
        tx: &crate::store::Tx<'_>,
        patron: crate::patrons::PatronId,
    ) -> Result<crate::patrons::Patron> {
        let (who, reasons) = self.refusals(tx, patron)?;
        Ok(crate::policy::Refusal::check(reasons, who)?)
    }

    /// The patron and every reason they may not use this service today (empty if they may),
    /// for a call that reports them with reasons of its own (`change_hold`) or shows them
    /// (`patron_holds`).
    pub(crate) fn refusals(
        self,
        tx: &crate::store::Tx<'_>,
        patron: crate::patrons::PatronId,
    ) -> Result<(crate::patrons::Patron, Vec<crate::policy::Reason>)> {
        let who = crate::patrons::patron_in(tx, patron)?;
        let facts = crate::patrons::account_facts(tx, &who, self.today)?;
        let reasons = crate::policy::service_refusals(self.policy, &facts, self.service);
        Ok((who, reasons))
    }
}
