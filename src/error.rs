//! Errors a caller can match on.

use std::fmt;

/// Everything that can go wrong in a bunko operation. A failed operation changes nothing.
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
    #[error("schema migration failed: {0}")]
    Migration(String),
    /// Another connection held the database lock for longer than the busy timeout; nothing was
    /// changed, and the operation can be retried.
    #[error("the database is busy; try again")]
    Busy,
    /// Hashing or the operating system's random source failed.
    #[error("cryptography failed: {0}")]
    Crypto(String),
    /// SQLite reported an error.
    #[error("storage error: {0}")]
    Storage(#[from] rusqlite::Error),
}

impl Error {
    /// `NotFound` for an entity looked up by numeric id.
    pub(crate) fn not_found(entity: Entity, id: i64) -> Error {
        Error::NotFound { entity, key: id.to_string() }
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
    pub(crate) fn single(key: impl Into<String>, reason: impl Into<String>) -> Self {
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
    /// Every problem in `lang`, one a line after a heading. The place (file, line, key) is
    /// written in `lang`; each problem's reason is English (see [`PolicyProblem::message`]).
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
    /// What is wrong.
    pub reason: String,
}

impl PolicyProblem {
    pub(crate) fn new(key: impl Into<String>, reason: impl Into<String>) -> Self {
        Self { file: None, key: key.into(), line: None, reason: reason.into() }
    }
}

impl PolicyProblem {
    /// The problem in `lang`: where it is (file, line, key) in that language, then the reason,
    /// which is English text for staff in both.
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
                text + &self.reason
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
