//! The store: the only module that knows SQL. Opens the database, applies pragmas and
//! migrations, runs each public operation in one transaction, and maps rows to domain types.
//!
//! It holds no policy and makes no decisions: callers pass in plain values and get plain values
//! back.

use std::path::Path;
use std::time::Duration;

use rusqlite::config::DbConfig;
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior};

use crate::error::{Entity, Error, Result};

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
mod patrons;
mod shelves;

pub(crate) use accounts::TokenPurpose;
pub(crate) use circulation::NewLoan;
pub(crate) use holds::{NewHold, NewNotice};

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
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self { synchronous: Synchronous::Normal, busy_timeout: Duration::from_secs(5) }
    }
}

/// Prepared statements kept per connection: more than the engine has distinct statements.
const STATEMENT_CACHE: usize = 256;

/// An open database.
pub(crate) struct Store {
    conn: Connection,
}

/// A transaction in progress; every query method lives on it.
pub(crate) struct Tx<'c> {
    conn: &'c Connection,
}

impl Store {
    pub(crate) fn open(path: &Path, options: StoreOptions) -> Result<Store> {
        Self::prepare(Connection::open(path)?, options)
    }

    pub(crate) fn open_in_memory(options: StoreOptions) -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, options)
    }

    fn prepare(mut conn: Connection, options: StoreOptions) -> Result<Store> {
        conn.busy_timeout(options.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let sync = match options.synchronous {
            Synchronous::Normal => "NORMAL",
            Synchronous::Full => "FULL",
        };
        conn.pragma_update(None, "synchronous", sync)?;
        // Query-planner stability: plans never depend on bound values. The bundled SQLite has
        // STAT4, and once `ANALYZE` (or `PRAGMA optimize`) has run, every statement whose plan
        // *might* depend on a parameter is recompiled at each new binding — the queue head
        // query was recompiled on every call, 40% of a batch assignment. Our statements are
        // written for one plan each.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
        migrate(&mut conn)?;
        Ok(Store { conn })
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE`): committed if `f` succeeds, rolled
    /// back entirely if it fails.
    pub(crate) fn write<T>(&mut self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(busy)?;
        let out = f(&Tx { conn: &tx })?;
        tx.commit().map_err(busy)?;
        Ok(out)
    }

    /// Runs `f` in a read transaction, so it sees one consistent snapshot.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&Tx<'_>) -> Result<T>) -> Result<T> {
        let tx = self.conn.unchecked_transaction()?;
        let out = f(&Tx { conn: &tx })?;
        tx.finish()?;
        Ok(out)
    }

    /// Writes a consistent copy of the database to `path` (`VACUUM INTO`): safe while other
    /// handles write, since it reads one snapshot. Refuses to overwrite an existing file.
    pub(crate) fn backup_to(&self, path: &Path) -> Result<()> {
        if path.exists() {
            return Err(Error::InvalidInput { field: "path", reason: format!("{} already exists", path.display()) });
        }
        let target = path.to_str().ok_or(Error::InvalidInput { field: "path", reason: "not valid UTF-8".into() })?;
        self.conn.execute("VACUUM INTO ?1", [target])?;
        Ok(())
    }

    /// The highest schema migration applied.
    pub(crate) fn schema_version(&self) -> Result<u32> {
        Ok(applied_version(&self.conn)?.unwrap_or(0))
    }
}

/// The highest schema version this build of bunko knows.
pub fn supported_schema_version() -> u32 {
    embedded::migrations::runner().get_migrations().iter().map(|m| m.version().max(0) as u32).max().unwrap_or(0)
}

fn applied_version(conn: &Connection) -> Result<Option<u32>> {
    let has_history: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'refinery_schema_history')",
        [],
        |r| r.get(0),
    )?;
    if !has_history {
        return Ok(None);
    }
    let v: Option<i64> = conn.query_row("SELECT MAX(version) FROM refinery_schema_history", [], |r| r.get(0))?;
    Ok(v.map(|v| v.max(0) as u32))
}

/// Refuses a database from a newer bunko, then applies pending migrations in one transaction.
fn migrate(conn: &mut Connection) -> Result<()> {
    let supported = supported_schema_version();
    if let Some(found) = applied_version(conn)?
        && found > supported
    {
        return Err(Error::SchemaTooNew { found, supported });
    }
    embedded::migrations::runner().set_grouped(true).run(conn).map_err(|e| Error::Migration(e.to_string()))?;
    Ok(())
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
        _ => Error::Storage(e),
    }
}

/// Turns a unique-constraint failure into [`Error::Conflict`]; other errors pass through.
fn conflict_on_unique(e: rusqlite::Error, entity: Entity, key: &str, reason: &str) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::ConstraintViolation) if e.to_string().contains("UNIQUE") => {
            Error::Conflict { entity, key: key.to_owned(), reason: reason.to_owned() }
        }
        _ => Error::Storage(e),
    }
}

/// `Ok(Some(row))`, `Ok(None)` when there is no row, or the error.
fn optional<T>(r: rusqlite::Result<T>) -> Result<Option<T>> {
    Ok(r.optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With STAT4 statistics present, SQLite recompiles a statement at every new binding of a
    /// parameter its plan might depend on, unless the planner is held stable (QPSG).
    #[test]
    fn statements_are_not_recompiled_per_binding_after_analyze() {
        let store = Store::open_in_memory(StoreOptions::default()).unwrap();
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
