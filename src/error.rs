//! Errors a caller can match on.

use std::fmt;

/// Everything that can go wrong in a bunko operation. A failed operation changes nothing,
/// with two deliberate exceptions: [`Error::LoginFailed`] and [`Error::LockedOut`] record the
/// failed attempt (that record is what the lockout counts), and
/// [`Error::BatchInterrupted`] reports the part of a chunked batch that was done.
///
/// Every call that reads or writes the database may also fail with [`Error::Busy`] (retry
/// later) and [`Error::Storage`] (log it, alert the operator); each operation's `# Errors`
/// section lists the other variants it returns, and when. README.md maps each to an HTTP status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The thing named does not exist.
    #[error("{entity} not found: {key}")]
    NotFound {
        /// What kind of thing was looked up.
        entity: Entity,
        /// The key it was looked up by.
        key: String,
    },
    /// An argument was malformed or out of range.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or field at fault, e.g. `card_number`.
        field: &'static str,
        /// What was wrong with it.
        reason: String,
    },
    /// The request clashes with what is stored (e.g. a duplicate barcode).
    #[error("{entity} conflict on {key}: {reason}")]
    Conflict {
        /// What kind of thing clashed.
        entity: Entity,
        /// The key that clashed.
        key: String,
        /// Why.
        reason: String,
    },
    /// The library's rules refuse the request; every applicable reason is listed (R-L4).
    #[error(transparent)]
    Refused(#[from] crate::policy::Refusal),
    /// The card number and password do not match. Deliberately the same for an unknown card
    /// and a wrong password, so callers cannot tell which (no user enumeration).
    #[error("the card number or password is incorrect")]
    LoginFailed,
    /// Too many failed logins for this card number recently; try again after `until`.
    #[error("too many failed attempts; try again after {until}")]
    LockedOut {
        /// When the oldest counted failure leaves the window.
        until: chrono::DateTime<chrono::Utc>,
    },
    /// The session token is unknown, revoked or expired: log in again.
    #[error("not logged in, or the session has expired")]
    NotAuthenticated,
    /// A new password breaks the policy's rules; every broken rule is listed (R-A4).
    #[error("the password does not meet the rules: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    PasswordRules(Vec<crate::policy::PasswordProblem>),
    /// The policy text is not a valid policy.
    #[error(transparent)]
    Policy(#[from] PolicyError),
    /// The database was written by a newer bunko; it is left untouched.
    #[error("database schema version {found} is newer than this bunko supports ({supported}); upgrade bunko")]
    SchemaTooNew {
        /// Highest migration applied to the database.
        found: u32,
        /// Highest migration this build knows.
        supported: u32,
    },
    /// The file is not a bunko database (another program's, or a half-written copy); it was
    /// left untouched.
    #[error("not a bunko database: {reason}")]
    NotBunkoDatabase {
        /// What was found instead.
        reason: String,
    },
    /// A backup could not be written or did not verify; no file was left at the target path.
    #[error("backup failed: {reason}")]
    Backup {
        /// What went wrong.
        reason: String,
    },
    /// Running schema migrations failed; the database is as it was.
    #[error("schema migration failed: {reason}")]
    Migration {
        /// Which migration or check failed, and how.
        reason: String,
        /// SQLite's error, when one caused the failure; also [`source()`](std::error::Error::source).
        #[source]
        source: Option<StorageError>,
    },
    /// Another connection held the database lock for longer than the busy timeout; nothing was
    /// changed, and the operation can be retried.
    #[error("the database is busy; try again")]
    Busy,
    /// Hashing or the operating system's random source failed.
    #[error("cryptography failed: {0}")]
    Crypto(#[source] CryptoError),
    /// A batch done in chunks of one transaction each
    /// ([`Library::confirm_pulled_all`](crate::Library::confirm_pulled_all)) stopped part way:
    /// the copies in `confirmed` were routed as shown and stay so; the rest are untouched.
    /// `cause` is what stopped it ([`Error::Busy`], a copy another handle moved, ...); after a
    /// `Busy`, the rest can be confirmed again as they are, otherwise drop the copy `cause`
    /// names first. [`Error::is_busy`] is `false` for this variant: ask `cause`.
    #[error("the batch stopped after {} copies: {cause}", confirmed.len())]
    BatchInterrupted {
        /// Each confirmed copy's barcode and where it goes, in list order.
        confirmed: Vec<(String, crate::circulation::CopyRoute)>,
        /// What stopped the batch.
        #[source]
        cause: Box<Error>,
    },
    /// SQLite reported an error other than a lock wait running out ([`Error::Busy`]);
    /// [`StorageError::kind`] says which kind (full disk, I/O, a damaged file, ...).
    #[error("storage error: {0}")]
    Storage(#[source] StorageError),
}

/// Turns SQLite's error into bunko's at the store's edge: crate-private, so no
/// `From<rusqlite::Error>` is part of the public API.
pub(crate) trait SqlResult<T> {
    /// The value, or the SQLite error as [`Error::Storage`].
    fn db(self) -> Result<T>;
}

impl<T> SqlResult<T> for std::result::Result<T, rusqlite::Error> {
    fn db(self) -> Result<T> {
        self.map_err(Error::sqlite)
    }
}

impl Error {
    /// SQLite's error as [`Error::Storage`].
    pub(crate) fn sqlite(e: rusqlite::Error) -> Error {
        Error::Storage(StorageError::from_sqlite(e))
    }

    /// `NotFound` for an entity looked up by numeric id.
    pub(crate) fn not_found(entity: Entity, id: i64) -> Error {
        Error::NotFound { entity, key: id.to_string() }
    }

    /// The database was locked past the busy timeout: `Busy`, or a storage error of that kind
    /// that reached the caller through `?`. Nothing changed; the call may be made again.
    #[must_use]
    pub fn is_busy(&self) -> bool {
        matches!(self, Error::Busy) || matches!(self, Error::Storage(e) if e.kind() == StorageErrorKind::Busy)
    }
}

/// An error SQLite reported, for [`Error::Storage`] and [`Error::Migration`].
///
/// Opaque, so bunko's storage engine is not part of its API: [`kind`](Self::kind) names the
/// cases a host acts on, [`code`](Self::code)/[`extended_code`](Self::extended_code) give
/// SQLite's result codes as numbers, and [`source()`](std::error::Error::source) is SQLite's
/// error itself, for logs.
#[derive(Debug)]
pub struct StorageError {
    inner: rusqlite::Error,
}

/// What kind of storage failure a [`StorageError`] is: the cases a host treats differently.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StorageErrorKind {
    /// The database file was locked by another connection (`SQLITE_BUSY`, `SQLITE_LOCKED`).
    Busy,
    /// The disk or the database is full (`SQLITE_FULL`).
    DiskFull,
    /// The operating system could not read or write the file (`SQLITE_IOERR`, `SQLITE_CANTOPEN`).
    Io,
    /// The file is damaged or not a database (`SQLITE_CORRUPT`, `SQLITE_NOTADB`).
    Corrupt,
    /// A constraint (unique, foreign key, check) failed (`SQLITE_CONSTRAINT`).
    Constraint,
    /// The file or the connection is read-only (`SQLITE_READONLY`, `SQLITE_PERM`).
    ReadOnly,
    /// Anything else: a bug in bunko or in SQLite's use of it; see the message.
    Other,
}

impl StorageError {
    /// Wraps SQLite's error; crate-private so the storage engine stays out of the API.
    pub(crate) fn from_sqlite(inner: rusqlite::Error) -> Self {
        Self { inner }
    }

    /// Which kind of failure this is.
    #[must_use]
    pub fn kind(&self) -> StorageErrorKind {
        use rusqlite::ErrorCode as C;
        match self.inner.sqlite_error_code() {
            Some(C::DatabaseBusy | C::DatabaseLocked) => StorageErrorKind::Busy,
            Some(C::DiskFull) => StorageErrorKind::DiskFull,
            Some(C::SystemIoFailure | C::CannotOpen) => StorageErrorKind::Io,
            Some(C::DatabaseCorrupt | C::NotADatabase) => StorageErrorKind::Corrupt,
            Some(C::ConstraintViolation) => StorageErrorKind::Constraint,
            Some(C::ReadOnly | C::PermissionDenied) => StorageErrorKind::ReadOnly,
            _ => StorageErrorKind::Other,
        }
    }

    /// SQLite's primary result code (e.g. 13 for `SQLITE_FULL`), or `None` when the error
    /// came from bunko's use of SQLite rather than from SQLite itself (e.g. a value of the
    /// wrong type in a column).
    #[must_use]
    pub fn code(&self) -> Option<i32> {
        self.extended_code().map(|c| c & 0xff)
    }

    /// SQLite's extended result code (e.g. 2067 for `SQLITE_CONSTRAINT_UNIQUE`), when SQLite
    /// reported one.
    #[must_use]
    pub fn extended_code(&self) -> Option<i32> {
        self.inner.sqlite_error().map(|e| e.extended_code)
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for StorageError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.inner)
    }
}

/// Password hashing or the operating system's random source failed, for [`Error::Crypto`].
/// Opaque; the library's own error is [`source()`](std::error::Error::source).
#[derive(Debug)]
pub struct CryptoError {
    inner: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl CryptoError {
    pub(crate) fn new(e: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self { inner: Box::new(e) }
    }
}

impl fmt::Display for CryptoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl std::error::Error for CryptoError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.inner)
    }
}

/// Kinds of stored things, for [`Error::NotFound`] and [`Error::Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Entity {
    Branch,
    Title,
    Copy,
    Patron,
    Loan,
    Hold,
    Notice,
    Booklist,
    SavedSearch,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Entity::Branch => "branch",
            Entity::Title => "title",
            Entity::Copy => "copy",
            Entity::Patron => "patron",
            Entity::Loan => "loan",
            Entity::Hold => "hold",
            Entity::Notice => "notice",
            Entity::Booklist => "booklist",
            Entity::SavedSearch => "saved search",
        };
        f.write_str(s)
    }
}

/// A policy that failed to parse or validate, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PolicyError {
    /// The problems, in file order for parse errors and schema order for semantic ones.
    pub problems: Vec<PolicyProblem>,
}

impl PolicyError {
    pub(crate) fn single(key: impl Into<String>, reason: Why) -> Self {
        Self { problems: vec![PolicyProblem::new(key, reason)] }
    }

    pub(crate) fn in_file(mut self, file: &str) -> Self {
        for p in &mut self.problems {
            p.file = Some(file.to_owned());
        }
        self
    }
}

impl PolicyError {
    /// Every problem in `lang`, one a line after a heading (see [`PolicyProblem::message`]).
    pub fn message(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Ja => {
                let mut text = format!("ポリシーに誤りがあります({}件):", self.problems.len());
                for p in &self.problems {
                    text.push_str("\n  ");
                    text.push_str(&p.message(lang));
                }
                text
            }
            crate::Lang::En => self.to_string(),
        }
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(f, "invalid policy ({n} problem{}):", if n == 1 { "" } else { "s" })?;
        for p in &self.problems {
            write!(f, "\n  {p}")?;
        }
        Ok(())
    }
}

/// One problem in a policy: where (key path such as `holds.limits.av`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// File the policy came from, when known.
    pub file: Option<String>,
    /// Dotted key path; empty for the document as a whole.
    pub key: String,
    /// 1-based line in the TOML text, when known.
    pub line: Option<usize>,
    /// What is wrong, in English (the form [`Display`](fmt::Display) and logs use).
    pub reason: String,
    /// What is wrong, in Japanese; see [`PolicyProblem::message`].
    reason_ja: String,
}

/// A problem's reason in English and Japanese; built with `why!` where the problem is found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Why {
    pub(crate) en: String,
    pub(crate) ja: String,
}

/// A [`Why`] from an English and a Japanese format string sharing their arguments.
macro_rules! why {
    ($en:literal, $ja:literal $(, $arg:expr)* $(,)?) => {
        $crate::error::Why { en: format!($en $(, $arg)*), ja: format!($ja $(, $arg)*) }
    };
}
pub(crate) use why;

impl PolicyProblem {
    pub(crate) fn new(key: impl Into<String>, reason: Why) -> Self {
        Self { file: None, key: key.into(), line: None, reason: reason.en, reason_ja: reason.ja }
    }

    /// The problem in `lang`: where it is (file, line, key) in that language, then why. A
    /// librarian reads the Japanese form; the TOML parser's own detail (a field name it did not
    /// expect, say) stays as the parser wrote it.
    pub fn message(&self, lang: crate::Lang) -> String {
        match lang {
            crate::Lang::Ja => {
                let mut text = String::new();
                if let Some(file) = &self.file {
                    text.push_str(&format!("ファイル {file}: "));
                }
                if let Some(line) = self.line {
                    text.push_str(&format!("{line}行目: "));
                }
                if !self.key.is_empty() {
                    text.push_str(&format!("キー {}: ", self.key));
                }
                text + &self.reason_ja
            }
            crate::Lang::En => self.to_string(),
        }
    }
}

impl fmt::Display for PolicyProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(file) = &self.file {
            write!(f, "{file}: ")?;
        }
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        if self.key.is_empty() { write!(f, "{}", self.reason) } else { write!(f, "{}: {}", self.key, self.reason) }
    }
}

/// Shorthand for results of bunko operations.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use rusqlite::ffi;

    use super::*;

    fn sqlite(extended: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(ffi::Error::new(extended), None)
    }

    #[test]
    fn storage_errors_say_their_kind_and_codes() {
        let cases = [
            (ffi::SQLITE_BUSY, StorageErrorKind::Busy),
            (ffi::SQLITE_FULL, StorageErrorKind::DiskFull),
            (ffi::SQLITE_IOERR_WRITE, StorageErrorKind::Io),
            (ffi::SQLITE_CORRUPT, StorageErrorKind::Corrupt),
            (ffi::SQLITE_CONSTRAINT_UNIQUE, StorageErrorKind::Constraint),
            (ffi::SQLITE_READONLY, StorageErrorKind::ReadOnly),
            (ffi::SQLITE_MISMATCH, StorageErrorKind::Other),
        ];
        for (code, kind) in cases {
            let e = StorageError::from_sqlite(sqlite(code));
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.extended_code(), Some(code));
            assert_eq!(e.code(), Some(code & 0xff));
        }
        let not_sqlite = StorageError::from_sqlite(rusqlite::Error::QueryReturnedNoRows);
        assert_eq!((not_sqlite.kind(), not_sqlite.code()), (StorageErrorKind::Other, None));
    }

    #[test]
    fn migration_and_crypto_keep_their_causes_as_source() {
        let err = Error::Migration {
            reason: "V3__x: disk full".into(),
            source: Some(StorageError::from_sqlite(sqlite(ffi::SQLITE_FULL))),
        };
        let cause = err.source().and_then(|s| s.downcast_ref::<StorageError>()).unwrap();
        assert_eq!(cause.kind(), StorageErrorKind::DiskFull);
        assert!(cause.source().is_some());

        let err = Error::Crypto(CryptoError::new(std::io::Error::other("no entropy")));
        let cause = err.source().unwrap();
        assert_eq!(cause.source().unwrap().to_string(), "no entropy");
        assert_eq!(err.to_string(), "cryptography failed: no entropy");
    }
}
