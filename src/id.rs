//! Id newtypes: one macro gives every stored thing's id the same conversions, so a host can
//! take an id from a URL (`POST /holds/42/cancel`), print it and send it as JSON.
//!
//! An id says which record, not whose: every patron-facing call checks that the record is the
//! patron's and answers another patron's id as not found, so exposing ids leaks nothing.

use std::fmt;
use std::num::{IntErrorKind, ParseIntError};

/// Defines an id newtype over the stored `i64` with `From<i64>`, `get`, `Display` and
/// `FromStr` (the decimal number) and, with the `serde` feature, serde as a plain number.
/// Its SQL mapping is `sql_id!` in `store`.
macro_rules! define_id {
    ($(#[doc = $doc:expr])+ $id:ident, $what:literal) => {
        $(#[doc = $doc])+
        ///
        /// Converts from and to its stored number (`From<i64>`, [`get`](Self::get)); displays
        /// and parses as that decimal number, and serializes as a plain number.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize), serde(transparent))]
        pub struct $id(pub(crate) i64);

        impl $id {
            /// The stored integer id.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        impl From<i64> for $id {
            fn from(id: i64) -> Self {
                $id(id)
            }
        }

        impl std::fmt::Display for $id {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl std::str::FromStr for $id {
            type Err = $crate::ParseIdError;

            /// Parses the decimal number `Display` writes: ASCII digits only (no sign, no
            /// spaces), as ids are positive.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                // `i64::from_str` would also take a sign; "-" gives the invalid-digit error.
                let digits = if s.bytes().all(|b| b.is_ascii_digit()) { s } else { "-" };
                digits.parse().map($id).map_err(|source| $crate::ParseIdError { id: $what, source })
            }
        }
    };
}
pub(crate) use define_id;

/// A text that is not an id: not a decimal number, or one out of range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseIdError {
    /// Which id was parsed, e.g. `hold id`.
    pub(crate) id: &'static str,
    /// Why the number did not parse.
    pub(crate) source: ParseIntError,
}

impl ParseIdError {
    /// Which id was being parsed, e.g. `"hold id"`.
    #[must_use]
    pub fn id(&self) -> &'static str {
        self.id
    }

    /// What was wrong: empty, not a decimal number, or out of range.
    #[must_use]
    pub fn kind(&self) -> &IntErrorKind {
        self.source.kind()
    }
}

impl fmt::Display for ParseIdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match self.source.kind() {
            IntErrorKind::Empty => "it is empty",
            IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "the number is out of range",
            _ => "it is not a decimal number",
        };
        write!(f, "invalid {}: {why}", self.id)
    }
}

impl std::error::Error for ParseIdError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}
