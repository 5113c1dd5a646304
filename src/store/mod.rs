//! The store: the only module that knows SQL. Opens the database, applies pragmas and
//! migrations, runs each public operation in one transaction, and maps rows to domain types.
//!
//! It holds no policy and makes no decisions: callers pass in plain values and get plain values
//! back.

use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, Utc};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::error::{CryptoError, Entity, Error, Result, SqlResult, StorageError};

/// Stores an id newtype as its integer.
macro_rules! sql_id {
    ($($id:ident),+) => {$(
        impl rusqlite::ToSql for $id {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }
        impl rusqlite::types::FromSql for $id {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($id)
            }
        }
    )+};
}

/// Stores a fieldless enum as the text name given in `$names` (`[(Variant, "name"), ...]`).
macro_rules! sql_text_enum {
    ($ty:ty, $names:expr) => {
        impl rusqlite::ToSql for $ty {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                let name = $names.iter().find(|(v, _)| v == self).map_or("", |(_, n)| *n);
                Ok(rusqlite::types::ToSqlOutput::from(name))
            }
        }
        impl rusqlite::types::FromSql for $ty {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                let text = v.as_str()?;
                $names
                    .iter()
                    .find(|(_, n)| *n == text)
                    .map(|(v, _)| *v)
                    .ok_or(rusqlite::types::FromSqlError::InvalidType)
            }
        }
    };
}

mod accounts;
mod alerts;
mod catalog;
mod check;
mod circulation;
mod holds;
mod outbox;
mod patrons;
mod shelves;
mod staff;

pub(crate) use accounts::{StoredNotice, TokenPurpose};
pub(crate) use circulation::{LoanToReturn, NewLoan};
pub(crate) use holds::{NewHold, NewNotice, PullCandidate, PullHold, TargetedHold};
pub(crate) use staff::{CopyFlags, NewAudit};

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// How hard SQLite works to make a commit durable (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Synchronous {
    /// Durable against application crashes; a power loss may lose the last commits but never
    /// corrupts the database (WAL mode). The default.
    #[default]
    Normal,
    /// Durable against power loss too, at the cost of an fsync per commit.
    Full,
}

/// Options for opening a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Durability level.
    pub synchronous: Synchronous,
    /// How long a writer waits for another connection's lock before giving up.
    pub busy_timeout: Duration,
    /// The handle's page cache in KiB (`PRAGMA cache_size`); `None` keeps SQLite's default of
    /// about 2 MiB. Pages it does not hold are read from the operating system's file cache,
    /// so a larger one mostly saves system calls; see benches/README.md (holds) for what it
    /// changes.
    pub page_cache_kib: Option<u32>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { synchronous: Synchronous::Normal, busy_timeout: Duration::from_secs(5), page_cache_kib: None }
    }
}

/// Prepared statements kept per connection: more than the engine has distinct statements.
const STATEMENT_CACHE: usize = 256;

/// An open database.
pub(crate) struct Store {
    conn: Connection,
    keys: Keys,
    caches: Caches,
}

/// What a handle keeps between operations, each part valid while a stored counter says so.
#[derive(Default)]
pub(crate) struct Caches {
    calendars: std::sync::Mutex<catalog::KeptCalendars>,
}

impl Caches {
    /// Forgets everything kept: a write transaction that may have built from its own
    /// uncommitted changes rolled back.
    fn clear(&self) {
        self.calendars.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }
}

/// A transaction in progress; every query method lives on it.
pub(crate) struct Tx<'c> {
    conn: &'c Connection,
    keys: &'c Keys,
    caches: &'c Caches,
}

impl Store {
    /// Opens the database file at `path`, creating it if it does not exist. A non-empty file
    /// that is not a bunko database is refused before SQLite touches it.
    pub(crate) fn open(path: &Path, options: StoreOptions, now: DateTime<Utc>) -> Result<Store> {
        refuse_foreign_file(path)?;
        Self::prepare(Connection::open(path).db()?, options, now)
    }

    pub(crate) fn open_in_memory(options: StoreOptions, now: DateTime<Utc>) -> Result<Store> {
        Self::prepare(Connection::open_in_memory().db()?, options, now)
    }

    fn prepare(mut conn: Connection, options: StoreOptions, now: DateTime<Utc>) -> Result<Store> {
        conn.busy_timeout(options.busy_timeout).db()?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // Before any pragma: a database from a newer bunko, or another program's database,
        // is refused untouched (switching to WAL rewrites header bytes 18 and 19). Reading a
        // WAL database recovers its WAL, and the last connection to close would checkpoint it
        // into the file and delete it: not while we may still refuse.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true).db()?;
        let found = check_schema(&conn)?;
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, false).db()?;
        set_wal(&conn, options.busy_timeout)?;
        conn.pragma_update(None, "foreign_keys", "ON").db()?;
        let sync = match options.synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync).db()?;
        if let Some(kib) = options.page_cache_kib {
            // Negative: a size in KiB rather than in pages.
            conn.pragma_update(None, "cache_size", -i64::from(kib)).db()?;
        }
        // Privacy (R-R1): deleted and overwritten rows are zeroed in the file, not left in free
        // space, and the WAL does not keep growing between checkpoints. `Library::scrub`
        // truncates the WAL itself.
        conn.pragma_update(None, "secure_delete", "ON").db()?;
        conn.pragma_update(None, "journal_size_limit", JOURNAL_SIZE_LIMIT).db()?;
        // Query-planner stability: plans never depend on bound values. The bundled SQLite has
        // STAT4, and once `ANALYZE` (or `PRAGMA optimize`) has run, every statement whose plan
        // *might* depend on a parameter is recompiled at each new binding — the queue head
        // query was recompiled on every call, 40% of a batch assignment. Our statements are
        // written for one plan each.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).db()?;
        migrate(&mut conn, now)?;
        let keys = load_keys(&conn)?;
        let store = Store { conn, keys, caches: Caches::default() };
        if found.is_some() {
            // An upgraded database may hold bytes an older bunko left in free space. Best
            // effort: where another handle is busy, or the rewrite fails (a full disk), the task
            // stays and the daily scrub finishes it; the open itself has succeeded.
            let _ = store.finish_upkeep(false);
        }
        Ok(store)
    }

    /// Runs the one-off tasks migrations left (`upkeep_tasks`): today only `vacuum`, which
    /// rewrites the whole file so that nothing deleted before `secure_delete` was on survives
    /// in free space. `wait`: wait for other handles up to the busy timeout (the daily scrub)
    /// or give up at once (at open). Returns whether none is left.
    pub(crate) fn finish_upkeep(&self, wait: bool) -> Result<bool> {
        let pending: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM upkeep_tasks WHERE task = 'vacuum')", [], |r| r.get(0))
            .db()?;
        if !pending {
            return Ok(true);
        }
        let done = self.without_waiting(!wait, || Ok(unless_busy(self.conn.execute_batch("VACUUM"))?.is_some()))?;
        if done {
            self.conn.execute("DELETE FROM upkeep_tasks WHERE task = 'vacuum'", []).map_err(busy)?;
            // Never waiting: a truncation that waits holds the write lock while it waits for
            // readers (the scrub tries again between other handles' transactions).
            self.truncate_wal(false)?;
        }
        Ok(done)
    }

    /// Runs `f` with the busy timeout at zero when `skip` (so a lock held elsewhere answers
    /// `Busy` at once), restoring it afterwards.
    fn without_waiting<T>(&self, skip: bool, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if !skip {
            return f();
        }
        let timeout: i64 = self.conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0)).db()?;
        self.conn.busy_timeout(Duration::ZERO).db()?;
        let out = f();
        self.conn.busy_timeout(Duration::from_millis(timeout.max(0) as u64)).db()?;
        out
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`): committed if `f` succeeds, rolled
    /// back entirely if it fails.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(busy)?;
        let out = f(&Tx { conn: &tx, keys: &self.keys, caches: &self.caches });
        match out.and_then(|out| tx.commit().map_err(busy).map(|()| out)) {
            Ok(out) => Ok(out),
            Err(e) => {
                self.caches.clear();
                Err(e)
            }
        }
    }

    /// Records the text of every statement the connection runs into `sink` (tests only).
    #[cfg(test)]
    pub(crate) fn trace_statements(&mut self, sink: std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
        use rusqlite::trace::{TraceEvent, TraceEventCodes};
        self.conn
            .trace_v2(
                TraceEventCodes::SQLITE_TRACE_STMT,
                Some(move |e: TraceEvent<'_>| {
                    if let TraceEvent::Stmt(_, sql) = e {
                        sink.lock().unwrap().push(sql.split_whitespace().collect::<Vec<_>>().join(" "));
                    }
                }),
            )
            .unwrap();
    }

    /// Runs `f` in a read transaction, so it sees one consistent snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction().db()?;
        let out = f(&Tx { conn: &tx, keys: &self.keys, caches: &self.caches })?;
        tx.finish().db()?;
        Ok(out)
    }

    /// Copies every committed frame of the WAL into the database file and truncates the WAL to
    /// zero bytes, so no earlier version of a page survives in it. `false` when another
    /// connection's reader or writer kept the checkpoint from finishing (try again later).
    /// `wait`: wait for them up to the busy timeout, or not at all.
    pub(crate) fn truncate_wal(&self, wait: bool) -> Result<bool> {
        self.without_waiting(!wait, || {
            let blocked =
                unless_busy(self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get::<_, i64>(0)))?;
            Ok(blocked == Some(0))
        })
    }

    /// [`Self::truncate_wal`] without waiting, tried up to `tries` times `pause` apart until it
    /// finishes. A TRUNCATE checkpoint that waits holds the write lock while it waits for
    /// readers, so under a long-lived reader (Litestream keeps one open) every writer would
    /// stall for the busy timeout; each try here holds the lock only while it copies frames.
    pub(crate) fn truncate_wal_between_writers(&self, tries: u32, pause: Duration) -> Result<bool> {
        for attempt in 0..tries {
            if attempt > 0 {
                std::thread::sleep(pause);
            }
            if self.truncate_wal(false)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Turns zeroing of deleted content off or on, for the privacy benchmark's baseline only.
    #[cfg(feature = "bench-internals")]
    pub(crate) fn set_secure_delete(&self, on: bool) -> Result<()> {
        self.conn.pragma_update(None, "secure_delete", if on { "ON" } else { "OFF" }).db()?;
        Ok(())
    }

    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`), safe while other
    /// handles write. The copy is written to a temporary file beside `path`, synced, verified
    /// (`quick_check`, schema version, tables) and only then linked into place, so a crash
    /// leaves either no file at `path` or a whole, verified one. Never overwrites.
    pub(crate) fn backup_to(&self, path: &Path) -> Result<BackupReport> {
        if path.exists() {
            return Err(Error::InvalidInput { field: "path", reason: format!("{} already exists", path.display()) });
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or(Error::InvalidInput { field: "path", reason: "must name a file, in valid UTF-8".into() })?;
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => std::path::PathBuf::from("."),
        };
        let mut salt = [0u8; 8];
        getrandom::fill(&mut salt).map_err(|e| Error::Crypto(CryptoError::new(e)))?;
        sweep_partials(&dir, name);
        let temp = dir.join(format!(".{name}.{:016x}.partial", u64::from_le_bytes(salt)));
        let result = self.write_verified_copy(&temp, path, &dir);
        if temp.exists() {
            let _ = std::fs::remove_file(&temp);
        }
        result
    }

    fn write_verified_copy(&self, temp: &Path, path: &Path, dir: &Path) -> Result<BackupReport> {
        let target = temp.to_str().ok_or(Error::InvalidInput { field: "path", reason: "not valid UTF-8".into() })?;
        self.conn.execute("VACUUM INTO ?1", [target]).db()?;
        std::fs::File::open(temp).and_then(|f| f.sync_all()).map_err(io_error)?;
        let report = verify_copy(temp, self.schema_version()?)?;
        // A hard link never replaces an existing file (rename would), so a file that appeared
        // at `path` meanwhile is kept and reported.
        std::fs::hard_link(temp, path).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                Error::InvalidInput { field: "path", reason: format!("{} already exists", path.display()) }
            }
            _ => io_error(e),
        })?;
        // The verified copy is in place: what follows is tidying, and may not turn a finished
        // backup into an error (`backup_to` sweeps a leftover temporary file next time).
        let _ = std::fs::remove_file(temp);
        let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        Ok(report)
    }

    /// The highest schema migration applied.
    pub(crate) fn schema_version(&self) -> Result<u32> {
        Ok(applied_version(&self.conn)?.unwrap_or(0))
    }
}

/// What a verified backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BackupReport {
    /// The copy's schema version (the same as the source's).
    pub schema_version: u32,
    /// Rows per table in the copy, by table name.
    pub rows: Vec<(String, u64)>,
    /// The copy's size in bytes.
    pub bytes: u64,
}

/// Deletes what an interrupted backup to `name` left in `dir` (a whole copy of the library,
/// under a temporary name). Two backups to the same path at once are not supported: the second
/// would fail anyway, as the path exists.
fn sweep_partials(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(std::result::Result::ok) {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".partial") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Opens the fresh copy on its own connection and checks it is a whole bunko database.
fn verify_copy(temp: &Path, expected_version: u32) -> Result<BackupReport> {
    let conn = Connection::open_with_flags(temp, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).db()?;
    let quick: String = conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).db()?;
    let failed = |reason: String| Error::Backup { reason };
    if quick != "ok" {
        return Err(failed(format!("the copy failed quick_check: {quick}")));
    }
    let version = applied_version(&conn)?.unwrap_or(0);
    if version != expected_version {
        return Err(failed(format!("the copy has schema version {version}, the source {expected_version}")));
    }
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        .db()?;
    let tables: Vec<String> = stmt.query_map([], |r| r.get(0)).db()?.collect::<rusqlite::Result<_>>().db()?;
    let mut rows = Vec::with_capacity(tables.len());
    for table in tables {
        // Table names come from the copy's own schema, quoted as identifiers.
        let n: i64 = conn
            .query_row(&format!("SELECT COUNT(*) FROM \"{}\"", table.replace('"', "\"\"")), [], |r| r.get(0))
            .db()?;
        rows.push((table, n.max(0) as u64));
    }
    let bytes = std::fs::metadata(temp).map_err(io_error)?.len();
    Ok(BackupReport { schema_version: version, rows, bytes })
}

fn io_error(e: std::io::Error) -> Error {
    Error::Backup { reason: e.to_string() }
}

/// Refuses a file that exists, is not empty, and does not start with SQLite's header: opening
/// it would otherwise make an empty library of a half-written backup or a stranger's file.
fn refuse_foreign_file(path: &Path) -> Result<()> {
    use std::io::Read;
    let Ok(mut file) = std::fs::File::open(path) else { return Ok(()) };
    let mut header = [0u8; 16];
    let mut read = 0;
    while read < header.len() {
        match file.read(&mut header[read..]) {
            Ok(0) => break,
            Ok(n) => read += n,
            Err(e) => return Err(Error::NotBunkoDatabase { reason: e.to_string() }),
        }
    }
    if read == 0 || &header[..read] == SQLITE_HEADER.as_slice() {
        return Ok(());
    }
    let reason = if header[..read].iter().all(|&b| b == 0) {
        "its header is all zeros (an interrupted copy?)".to_owned()
    } else {
        "it is not an SQLite database".to_owned()
    };
    Err(Error::NotBunkoDatabase { reason })
}

/// Switches to WAL. On a new file opened by several handles at once the switch can meet
/// another handle's switch, which SQLite answers with `SQLITE_BUSY` at once (no busy handler):
/// retry within the busy timeout.
fn set_wal(conn: &Connection, timeout: Duration) -> Result<()> {
    let start = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL").map_err(busy) {
            Err(Error::Busy) if start.elapsed() < timeout => std::thread::sleep(Duration::from_millis(2)),
            other => return other,
        }
    }
}

/// The first 16 bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Largest WAL kept on disk after a checkpoint, in bytes (`PRAGMA journal_size_limit`).
const JOURNAL_SIZE_LIMIT: i64 = 4 * 1024 * 1024;

/// Refuses a database from a newer bunko or from another program, reading only; the version
/// found (`None` for a new, empty file).
fn check_schema(conn: &Connection) -> Result<Option<u32>> {
    if let Some(found) = applied_version(conn)? {
        let supported = supported_schema_version();
        return if found > supported { Err(Error::SchemaTooNew { found, supported }) } else { Ok(Some(found)) };
    }
    let tables: i64 =
        conn.query_row("SELECT COUNT(*) FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'", [], |r| r.get(0)).db()?;
    if tables > 0 {
        return Err(Error::NotBunkoDatabase {
            reason: format!("it holds {tables} tables but no bunko schema history"),
        });
    }
    Ok(None)
}

/// The highest schema version this build of bunko knows.
#[must_use]
pub fn supported_schema_version() -> u32 {
    embedded::migrations::runner().get_migrations().iter().map(|m| m.version().max(0) as u32).max().unwrap_or(0)
}

fn applied_version(conn: &Connection) -> Result<Option<u32>> {
    let has_history: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'refinery_schema_history')",
            [],
            |r| r.get(0),
        )
        .db()?;
    if !has_history {
        return Ok(None);
    }
    let v: Option<i64> = conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0)).db()?;
    Ok(v.map(|v| v.max(0) as u32))
}

/// Applies pending migrations in one `BEGIN IMMEDIATE` transaction: the version is read again
/// under the write lock, so handles opening a new file at once migrate it exactly once. The
/// history table is refinery's, so refinery's own runner agrees with it.
///
/// Foreign keys are off while migrations run, as SQLite's procedure for rebuilding a table
/// asks (dropping a parent table must not cascade to its children), and every reference is
/// checked (`PRAGMA foreign_key_check`) before the transaction commits: a migration that
/// leaves a dangling one fails and changes nothing. The pragma is a no-op inside a
/// transaction, so it is switched around it.
fn migrate(conn: &mut Connection, now: DateTime<Utc>) -> Result<()> {
    conn.pragma_update(None, "foreign_keys", "OFF").db()?;
    let migrated = migrate_without_foreign_keys(conn, now);
    conn.pragma_update(None, "foreign_keys", "ON").db()?;
    migrated
}

fn migrate_without_foreign_keys(conn: &mut Connection, now: DateTime<Utc>) -> Result<()> {
    let supported = supported_schema_version();
    let failed = |e: rusqlite::Error| match busy(e) {
        Error::Storage(e) => Error::Migration { reason: e.to_string(), source: Some(e) },
        other => other,
    };
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(busy)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS refinery_schema_history(
             version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));",
    )
    .map_err(failed)?;
    let found = applied_version(&tx)?.unwrap_or(0);
    if found > supported {
        return Err(Error::SchemaTooNew { found, supported });
    }
    let applied_on = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let runner = embedded::migrations::runner();
    // Every embedded migration not in the history, not only those above the highest applied:
    // a database a development build opened between two migrations landing out of number
    // order (V17–V19 before V16, in session 5) gets the one it missed.
    let applied: std::collections::HashSet<i64> = {
        let mut stmt = tx.prepare("SELECT version FROM refinery_schema_history").map_err(failed)?;
        stmt.query_map([], |r| r.get(0)).map_err(failed)?.collect::<rusqlite::Result<_>>().map_err(failed)?
    };
    let mut pending: Vec<_> =
        runner.get_migrations().iter().filter(|m| !applied.contains(&i64::from(m.version()))).collect();
    pending.sort_by_key(|m| m.version());
    for m in pending {
        tx.execute_batch(m.sql().unwrap_or_default()).map_err(|e| Error::Migration {
            reason: format!("V{}__{}: {e}", m.version(), m.name()),
            source: Some(StorageError::from_sqlite(e)),
        })?;
        tx.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, ?2, ?3, ?4)",
            rusqlite::params![m.version(), m.name(), applied_on, m.checksum().to_string()],
        )
        .map_err(failed)?;
    }
    let dangling: Option<(String, Option<i64>, String)> = tx
        .query_row("PRAGMA foreign_key_check", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()
        .map_err(failed)?;
    if let Some((table, row, parent)) = dangling {
        let row = row.map_or_else(|| "a row".to_owned(), |id| format!("row {id}"));
        let reason = format!("{row} of {table} refers to a missing {parent} row");
        return Err(Error::Migration { reason, source: None });
    }
    tx.commit().map_err(busy)?;
    Ok(())
}

/// Keys the engine generated for this database (migration V8), held in memory per handle.
pub(crate) struct Keys {
    /// Keys the hash of a typed card number in the failed-login log.
    pub login_failures: [u8; 32],
}

fn load_keys(conn: &Connection) -> Result<Keys> {
    let key: Vec<u8> =
        conn.query_row("SELECT key FROM engine_keys WHERE purpose = 'login_failures'", [], |r| r.get(0)).db()?;
    let login_failures = key
        .try_into()
        .map_err(|_| Error::Migration { reason: "engine key has the wrong length".into(), source: None })?;
    Ok(Keys { login_failures })
}

impl Tx<'_> {
    fn last_id(&self) -> i64 {
        self.conn.last_insert_rowid()
    }

    /// Runs a statement through the prepared-statement cache: hot paths run the same few
    /// dozen statements over and over, and compiling SQL costs more than running it.
    fn exec(&self, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<usize> {
        self.conn.prepare_cached(sql)?.execute(params)
    }

    /// One row, through the prepared-statement cache.
    fn row<T>(
        &self,
        sql: &str,
        params: impl rusqlite::Params,
        f: impl FnOnce(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        self.conn.prepare_cached(sql)?.query_row(params, f)
    }
}

/// SQLite's lock wait (the busy timeout) ran out: a typed, retryable error.
fn busy(e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::Busy,
        _ => Error::sqlite(e),
    }
}

/// `Ok(None)` where another handle held the lock past the wait: a task to try again later.
fn unless_busy<T>(r: rusqlite::Result<T>) -> Result<Option<T>> {
    match r.map_err(busy) {
        Ok(v) => Ok(Some(v)),
        Err(Error::Busy) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Turns a unique-constraint failure into [`Error::Conflict`]; other errors pass through.
fn conflict_on_unique(e: rusqlite::Error, entity: Entity, key: &str, reason: &str) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) if e.to_string().contains("UNIQUE") => {
            Error::Conflict { entity, key: key.to_owned(), reason: reason.to_owned() }
        }
        _ => Error::sqlite(e),
    }
}

/// `Ok(Some(row))`, `Ok(None)` when there is no row, or the error.
fn optional<T>(r: rusqlite::Result<T>) -> Result<Option<T>> {
    r.optional().db()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Everything about `table` but its CHECK constraints: columns, its foreign keys and those
    /// pointing at it (but from `patron_flags`, which V12 adds, and `assignments`, V16's), indexes (with their columns and conditions), triggers, views and the
    /// AUTOINCREMENT counter. Whitespace in SQL text is folded.
    fn shape(conn: &Connection, table: &str) -> Vec<String> {
        let queries = [
            "SELECT cid, name, type, \"notnull\", dflt_value, pk, hidden FROM pragma_table_xinfo(?1)",
            "SELECT id, seq, \"table\", \"from\", \"to\", on_update, on_delete, \"match\"
             FROM pragma_foreign_key_list(?1)",
            "SELECT m.name, f.\"from\", f.\"to\", f.on_update, f.on_delete
             FROM sqlite_schema m, pragma_foreign_key_list(m.name) f
             WHERE m.type = 'table' AND f.\"table\" = ?1 AND m.name NOT IN ('patron_flags', 'assignments') ORDER BY 1, 2",
            "SELECT l.\"unique\", l.origin, l.partial, IFNULL(m.sql, ''),
                    (SELECT group_concat(name, ',') FROM pragma_index_info(l.name))
             FROM pragma_index_list(?1) l LEFT JOIN sqlite_schema m ON m.name = l.name ORDER BY 4, 5",
            "SELECT type, name, sql FROM sqlite_schema WHERE type IN ('trigger', 'view') AND tbl_name = ?1",
            "SELECT seq FROM sqlite_sequence WHERE name = ?1",
            "SELECT wr, strict FROM pragma_table_list(?1)",
        ];
        queries.iter().flat_map(|sql| texts(conn, sql, &[table])).collect()
    }

    /// Each row `sql` gives, as one line of text with whitespace folded.
    fn texts(conn: &Connection, sql: &str, params: &[&str]) -> Vec<String> {
        let mut stmt = conn.prepare(sql).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |r| {
                (0..n)
                    .map(|i| r.get::<_, rusqlite::types::Value>(i).map(|v| format!("{v:?}")))
                    .collect::<Result<Vec<_>, _>>()
            })
            .unwrap();
        rows.map(|row| row.unwrap().join("|").split_whitespace().collect::<Vec<_>>().join(" ")).collect()
    }

    /// A database with the migrations numbered below `version` applied, as an older bunko left it.
    fn migrated_before(version: i32) -> Connection {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE refinery_schema_history(
                 version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));",
        )
        .unwrap();
        let runner = embedded::migrations::runner();
        let mut earlier: Vec<_> = runner.get_migrations().iter().filter(|m| m.version() < version).collect();
        earlier.sort_by_key(|m| m.version());
        for m in earlier {
            conn.execute_batch(m.sql().unwrap()).unwrap();
            conn.execute("INSERT INTO refinery_schema_history (version) VALUES (?1)", [m.version()]).unwrap();
        }
        conn
    }

    /// A database that has later migrations but lacks an earlier one (V16 landed after V17–V19
    /// were applied by a development build) gets the missing one on open, and works.
    #[test]
    fn a_migration_missing_below_the_highest_applied_is_applied() {
        let mut conn = migrated_before(16);
        let runner = embedded::migrations::runner();
        // V17–V19, the ones such a build had (V24 rebuilds V16's table, so it never ran before it).
        let mut later: Vec<_> = runner.get_migrations().iter().filter(|m| (17..=19).contains(&m.version())).collect();
        later.sort_by_key(|m| m.version());
        for m in later {
            conn.execute_batch(m.sql().unwrap()).unwrap();
            conn.execute("INSERT INTO refinery_schema_history (version) VALUES (?1)", [m.version()]).unwrap();
        }
        let tables = "SELECT name FROM sqlite_schema WHERE name = 'assignments'";
        assert!(texts(&conn, tables, &[]).is_empty());
        migrate(&mut conn, Utc::now()).unwrap();
        assert_eq!(texts(&conn, tables, &[]), ["Text(\"assignments\")"]);
        let versions = texts(&conn, "SELECT version FROM refinery_schema_history WHERE version = 16", &[]);
        assert_eq!(versions, ["Integer(16)"]);
    }

    /// Migrations run with foreign keys off, so a reference they leave dangling is caught
    /// before the commit: the migration fails and the database is as it was.
    #[test]
    fn a_migration_leaving_a_dangling_reference_fails_and_changes_nothing() {
        let mut conn = migrated_before(12);
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute_batch(
            "INSERT INTO branches VALUES ('chuo', '中央図書館', 1, 0);
             INSERT INTO titles (id, title) VALUES (1, '本');
             INSERT INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
                 VALUES (404, 1, 'book', 'web', 'waiting', '2026-05-01T00:00:00Z', 'chuo', 'mail');",
        )
        .unwrap();
        let schema = "SELECT version FROM refinery_schema_history UNION ALL SELECT sql FROM sqlite_schema";
        let before = texts(&conn, schema, &[]);
        let err = migrate(&mut conn, Utc::now()).unwrap_err();
        assert!(
            matches!(&err, Error::Migration { reason: m, .. } if m.contains("holds refers to a missing patrons row")),
            "{err}"
        );
        assert_eq!(texts(&conn, schema, &[]), before);
        let on: bool = conn.query_row("PRAGMA foreign_keys", [], |r| r.get(0)).unwrap();
        assert!(on, "foreign keys are on again after a failed migration");
    }

    /// A branch, a title, patron 3 and their waiting hold 5 on it, for the upgrade tests.
    const SEED_HOLD: &str = "INSERT INTO branches VALUES ('chuo', '中央図書館', 1, 0);
         INSERT INTO titles (id, title) VALUES (1, '本');
         INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on, default_contact)
             VALUES (3, '10000001', '太郎', '2026-01-01', '2029-03-31', '2026-05-31', 'post');
         INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
             VALUES (5, 3, 1, 'book', 'web', 'waiting', '2026-05-01T00:00:00Z', 'chuo', 'post');";

    /// V24 rebuilds `copies` and `assignments` with their status CHECKs written without a
    /// constant list: everything else about them, their rows and the references into them are
    /// as before; the CHECKs refuse what they refused; and a status change no longer builds
    /// a temporary table (`OpenEphemeral`) for the list.
    #[test]
    fn v24_rebuilds_copies_and_assignments_keeping_everything_but_their_checks() {
        let mut conn = migrated_before(24);
        conn.execute_batch(SEED_HOLD).unwrap();
        conn.execute_batch(
            "INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since,
                                 transit_to, condition)
                 VALUES (7, 'C7', 1, 'chuo', 'book', 1, 'on_hold_shelf', '2026-01-01', NULL, NULL),
                        (8, 'C8', 1, 'chuo', 'book', 0, 'missing', '2026-01-01', NULL, 'lost'),
                        (9, 'C9', 1, 'chuo', 'book', 1, 'in_transit', '2026-01-01', 'chuo', NULL);
             INSERT INTO assignments (hold_id, copy_id, state, ready_on, pickup_deadline)
                 VALUES (5, 7, 'ready', '2026-05-02', '2026-05-09');",
        )
        .unwrap();
        let tables = ["copies", "assignments"];
        let before: Vec<Vec<String>> = tables.iter().map(|t| shape(&conn, t)).collect();
        let rows = |conn: &Connection| tables.map(|t| texts(conn, &format!("SELECT * FROM {t}"), &[]));
        let rows_before = rows(&conn);
        migrate(&mut conn, Utc::now()).unwrap();
        for (table, before) in tables.iter().zip(before) {
            assert_eq!(shape(&conn, table), before, "{table}");
        }
        assert_eq!(rows(&conn), rows_before);
        // Everything the old CHECKs accepted is accepted, and what they refused is refused.
        for accepted in [
            "UPDATE copies SET status = 'on_shelf' WHERE id = 7",
            "UPDATE copies SET status = 'on_loan' WHERE id = 7",
            "UPDATE copies SET status = 'on_hold_shelf' WHERE id = 7",
            "UPDATE copies SET status = 'withdrawn', condition = 'damaged' WHERE id = 7",
            "UPDATE copies SET condition = 'withdrawn' WHERE id = 7",
            "UPDATE copies SET condition = NULL, status = 'missing' WHERE id = 7",
            "UPDATE copies SET status = 'in_transit', transit_to = 'chuo' WHERE id = 7",
            "UPDATE assignments SET state = 'targeted', targeted_at = 'x' WHERE hold_id = 5",
            "UPDATE assignments SET state = 'in_transit', arrives_on = '2026-05-03' WHERE hold_id = 5",
            "UPDATE assignments SET state = 'ready' WHERE hold_id = 5",
        ] {
            assert_eq!(conn.execute(accepted, []).ok(), Some(1), "{accepted}");
        }
        conn.execute_batch(
            "UPDATE copies SET status = 'on_hold_shelf', transit_to = NULL, condition = NULL WHERE id = 7;
             UPDATE assignments SET targeted_at = NULL, arrives_on = NULL WHERE hold_id = 5;",
        )
        .unwrap();
        for refused in [
            "UPDATE copies SET status = 'lent' WHERE id = 7",
            "UPDATE copies SET condition = 'damaged' WHERE id = 8",
            "UPDATE copies SET transit_to = 'chuo' WHERE id = 7",
            "UPDATE assignments SET state = 'waiting' WHERE hold_id = 5",
            "UPDATE assignments SET state = 'in_transit' WHERE hold_id = 5",
        ] {
            assert!(conn.execute(refused, []).is_err(), "{refused}");
        }
        let opcodes = |sql: &str| -> Vec<String> {
            let mut stmt = conn.prepare(&format!("EXPLAIN {sql}")).unwrap();
            stmt.query_map([], |r| r.get(1)).unwrap().map(Result::unwrap).collect()
        };
        for sql in [
            "UPDATE copies SET status = 'on_shelf', transit_to = NULL WHERE id = 7",
            "INSERT INTO assignments (hold_id, copy_id, state, targeted_at) VALUES (6, 9, 'targeted', 'x')",
        ] {
            assert!(!opcodes(sql).iter().any(|op| op.contains("OpenEphemeral")), "{sql}: {:?}", opcodes(sql));
        }
    }

    /// V23 rebuilds the audit table for two more actions: its rows, ids, id counter, indexes
    /// and references are as V19 left them (but `loan_id` and `hold_id` lose their unused
    /// `ON DELETE SET NULL`), and the new actions are accepted.
    #[test]
    fn v23_rebuilds_the_audit_keeping_rows_ids_and_counter() {
        let mut conn = migrated_before(23);
        conn.execute_batch(SEED_HOLD).unwrap();
        conn.execute_batch(
            "INSERT INTO audit (id, at, staff, action, overridden, note, patron_id, hold_id)
                 VALUES (7, '2026-05-01T00:00:00Z', 'desk', 'override_hold', 'hold_limit_reached', 'n', 3, 5),
                        (12, '2026-05-02T00:00:00Z', 'desk', 'copy_edited', '', '', NULL, NULL);
             DELETE FROM audit WHERE id = 12;",
        )
        .unwrap();
        let (shape_before, rows_before) = (shape(&conn, "audit"), texts(&conn, "SELECT * FROM audit", &[]));
        migrate(&mut conn, Utc::now()).unwrap();
        let no_action = |shape: Vec<String>| -> Vec<String> {
            let unlinked = |line: String| match line.contains("Text(\"loan_id\")") || line.contains("Text(\"hold_id\")")
            {
                true => line.replace("Text(\"SET NULL\")|", "Text(\"NO ACTION\")|"),
                false => line,
            };
            shape.into_iter().map(unlinked).collect()
        };
        let after = shape(&conn, "audit");
        assert_eq!(after.iter().filter(|l| l.contains("SET NULL")).count(), 1, "only the patron's: {after:#?}");
        assert_eq!(after, no_action(shape_before));
        assert_eq!(texts(&conn, "SELECT * FROM audit", &[]), rows_before);
        assert_eq!(texts(&conn, "SELECT seq FROM sqlite_sequence WHERE name = 'audit'", &[]), ["Integer(12)"]);
        conn.execute(
            "INSERT INTO audit (at, staff, action, detail, patron_id, hold_id)
             VALUES ('2026-05-03T00:00:00Z', 'desk', 'hold_frozen', 'until lifted', 3, 5)",
            [],
        )
        .unwrap();
        assert_eq!(conn.last_insert_rowid(), 13, "ids are never reused");
    }

    /// V12 rebuilds three tables to loosen the CHECKs that listed the six contact methods
    /// (SQLite cannot change a CHECK in place): everything else about them — and the rows, the
    /// references into them and the id counters — is as the earlier migrations left it. A
    /// later-numbered migration merged before it that changes these tables fails here.
    #[test]
    fn v12_rebuilds_tables_keeping_everything_but_their_checks() {
        let mut conn = migrated_before(12);
        conn.execute_batch(
            "INSERT INTO branches VALUES ('chuo', '中央図書館', 1, 0);
             INSERT INTO titles (id, title) VALUES (1, '本');
             INSERT INTO patrons (id, card_number, name, is_hearing_impaired, registered_on, expires_on,
                                  last_activity_on, default_contact)
                 VALUES (3, '10000001', '聴覚 太郎', 1, '2026-01-01', '2029-03-31', '2026-05-31', 'post');
             INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch,
                                contact, ended_on)
                 VALUES (5, 3, 1, 'book', 'web', 'waiting', '2026-05-01T00:00:00Z', 'chuo', 'post', NULL),
                        (9, 3, 1, 'book', 'web', 'cancelled', '2026-05-01T00:00:00Z', 'chuo', 'post', '2026-05-02');
             INSERT INTO notices (id, patron_id, kind, channel, hold_id, subject, body, created_at)
                 VALUES (4, 3, 'hold_placed', 'post', 5, 's', 'b', '2026-05-01T00:00:00Z'),
                        (8, 3, 'hold_placed', 'post', 9, 's', 'b', '2026-05-01T00:00:00Z');
             DELETE FROM notices WHERE id = 8;
             DELETE FROM holds WHERE id = 9;",
        )
        .unwrap();
        let tables = ["patrons", "holds", "notices"];
        let before: Vec<Vec<String>> = tables.iter().map(|t| shape(&conn, t)).collect();
        // The notices' columns as V12 left them (V14 adds the delivery key and the claim).
        let v12_notices = "id, patron_id, kind, channel, address, hold_id, subject, body, is_secret, created_at, \
                           delivered_at, loan_id";
        // The holds' columns as V12 left them (V18 adds the freeze).
        let v12_holds = "id, patron_id, title_id, material_kind, channel, status, priority, placed_at, pickup_branch, \
                         pickup_point, contact, contact_phone, is_interlibrary, copy_id, arrives_on, ready_on, \
                         pickup_deadline, notified_at, ended_on, end_reason, is_hidden";
        let rows = |conn: &Connection| {
            [("patrons", "*"), ("holds", v12_holds), ("notices", v12_notices)]
                .map(|(t, columns)| texts(conn, &format!("SELECT {columns} FROM {t} ORDER BY id"), &[]))
        };
        let rows_before = rows(&conn);
        migrate(&mut conn, Utc::now()).unwrap();
        // Columns later migrations add (V13: the suspension's end; V14: the outbox's claims; V15: a
        // notice's facts; V18: a hold's freeze; V25: a dispatched hold given back), and
        // references into these tables from later tables (V19: the audit log), are not V12's doing.
        let later = [
            "suspended_until",
            "delivery_key",
            "attempts",
            "not_before",
            "facts",
            "is_frozen",
            "frozen_until",
            "is_given_back",
            "audit",
        ]
        .map(|c| format!("Text(\"{c}\")"));
        // V22 widens the queue index into a covering one.
        let redefined = |line: &String| line.contains("CREATE INDEX holds_queue");
        for (table, mut before) in tables.iter().zip(before) {
            let mut after = shape(&conn, table);
            after.retain(|line| !later.iter().any(|column| line.contains(column)) && !redefined(line));
            before.retain(|line| !redefined(line));
            assert_eq!(after, before, "{table}");
        }
        let [patrons, holds, notices] = rows(&conn);
        let [patrons_before, holds_before, notices_before] = rows_before;
        assert_eq!((holds, notices), (holds_before, notices_before));
        // The flag moved: the old column reads 0, nothing else about the patron changed.
        let moved = patrons_before[0].replacen("|Integer(1)|", "|Integer(0)|", 1);
        assert_eq!(patrons, [format!("{moved}|Null")], "the flag moved; V13's suspension column is empty");
        assert_eq!(
            texts(&conn, "SELECT patron_id, flag FROM patron_flags", &[]),
            ["Integer(3)|Text(\"hearing_impaired\")"]
        );
        let counter = "SELECT name, seq FROM sqlite_sequence WHERE name IN ('holds', 'notices') ORDER BY name";
        assert_eq!(texts(&conn, counter, &[]), ["Text(\"holds\")|Integer(9)", "Text(\"notices\")|Integer(8)"]);
        let contact = "UPDATE holds SET contact = ?1 WHERE id = 5";
        assert!(conn.execute(contact, ["sms"]).is_ok(), "a channel's code is accepted");
        assert!(conn.execute(contact, ["SMS"]).is_err(), "its shape is still checked");
    }

    /// With STAT4 statistics present, SQLite recompiles a statement at every new binding of a
    /// parameter its plan might depend on, unless the planner is held stable (QPSG).
    #[test]
    fn statements_are_not_recompiled_per_binding_after_analyze() {
        let store = Store::open_in_memory(StoreOptions::default(), Utc::now()).unwrap();
        store
            .conn
            .execute_batch(
                "CREATE TEMP TABLE q (id INTEGER PRIMARY KEY, title_id INT, status TEXT, placed_at INT);
                 CREATE INDEX temp.q_waiting ON q(title_id, placed_at) WHERE status = 'waiting';
                 WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
                 INSERT INTO q (title_id, status, placed_at) SELECT i % 97, IIF(i % 3 = 0, 'ready', 'waiting'), i FROM n;
                 ANALYZE temp;",
            )
            .unwrap();
        let mut stmt = store
            .conn
            .prepare("SELECT id FROM q WHERE title_id = ?1 AND status = 'waiting' ORDER BY placed_at LIMIT 1")
            .unwrap();
        for title in 0..50 {
            stmt.query_row([title], |r| r.get::<_, i64>(0)).unwrap();
        }
        assert_eq!(stmt.get_status(rusqlite::StatementStatus::RePrepare), 0);
    }
}
