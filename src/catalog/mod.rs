//! Catalogue: bibliographic records (titles), physical copies, branches and their opening
//! calendars.
//!
//! Owns the rules for what a valid title or copy is; it asks `store` to persist them and
//! never writes SQL itself.

mod calendar;
mod holidays;
mod isbn;
mod ops;

pub use calendar::{CalendarException, OpeningCalendar, SEARCH_HORIZON_DAYS};
pub use holidays::{HOLIDAY_YEARS, is_japanese_holiday, japanese_holidays};
pub use isbn::{IsbnError, normalize_isbn};
pub(crate) use ops::{calendar_in, no_open_day};

use std::ops::RangeInclusive;

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};

crate::id::define_id! {
    /// Identifies a title (bibliographic record).
    TitleId, "title id"
}

crate::id::define_id! {
    /// Identifies a copy (physical item).
    CopyId, "copy id"
}

/// Longest title, author or publisher text accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 1000;

/// Years of the dates bunko accepts from callers and computes: the store writes dates as
/// `YYYY-MM-DD`, and nothing a library records predates 1900.
pub const SUPPORTED_YEARS: RangeInclusive<i32> = 1900..=9999;

/// A bibliographic record to add.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NewTitle {
    /// Title proper (書名).
    pub title: String,
    /// Author statement (著者名).
    pub author: String,
    /// Publisher (出版者).
    pub publisher: String,
    /// Subject headings (件名).
    pub subjects: Vec<String>,
    /// Classification, e.g. an NDC number such as `913.6`.
    pub category: String,
    /// Publication date, when known.
    pub published_on: Option<NaiveDate>,
    /// A serial (magazine, 逐次刊行物).
    pub serial: bool,
    /// ISBN-10 or ISBN-13, with or without hyphens and spaces, or empty; checked by its check
    /// digit and stored as ISBN-13 (an ISBN-10 gains the 978 prefix).
    pub isbn: String,
    /// For one issue of a serial: which run it belongs to and its date, so "the latest issue"
    /// (雑誌の最新号, chikushino R-H2) is a fact of the catalogue, not a flag.
    pub issue: Option<Issue>,
}

/// One issue of a serial (雑誌の号).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Issue {
    /// The run of issues it belongs to, e.g. the magazine's code or name; at most 200
    /// characters.
    pub of: String,
    /// The issue's date (発行日); a later date is a later issue.
    pub on: NaiveDate,
}

impl NewTitle {
    /// A record with just a title; fill the other fields as needed.
    pub fn new(title: impl Into<String>) -> Self {
        Self { title: title.into(), ..Self::default() }
    }

    /// Checks the fields and returns the record in stored form (trimmed, ISBN as ISBN-13).
    pub(crate) fn validated(mut self) -> Result<Self> {
        self.title = clean_text("title", &self.title, true)?;
        self.author = clean_text("author", &self.author, false)?;
        self.publisher = clean_text("publisher", &self.publisher, false)?;
        self.category = clean_text("category", &self.category, false)?;
        self.subjects = self.subjects.iter().map(|s| clean_text("subjects", s, true)).collect::<Result<Vec<_>>>()?;
        self.isbn = clean_isbn(&self.isbn)?;
        self.published_on = self.published_on.map(|d| check_date("published_on", d)).transpose()?;
        if let Some(issue) = &mut self.issue {
            issue.of = clean_text("issue.of", &issue.of, true)?;
            if issue.of.chars().count() > 200 {
                return Err(Error::InvalidInput { field: "issue.of", reason: "at most 200 characters".into() });
            }
            issue.on = check_date("issue.on", issue.on)?;
        }
        Ok(self)
    }
}

/// A stored bibliographic record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Title {
    /// Its id.
    pub id: TitleId,
    /// Title proper.
    pub title: String,
    /// Author statement.
    pub author: String,
    /// Publisher.
    pub publisher: String,
    /// Subject headings.
    pub subjects: Vec<String>,
    /// Classification.
    pub category: String,
    /// Publication date.
    pub published_on: Option<NaiveDate>,
    /// A serial.
    pub serial: bool,
    /// ISBN-13, 13 digits without hyphens, or empty.
    pub isbn: String,
    /// The serial issue it is, if any.
    pub issue: Option<Issue>,
}

/// Where a copy is in its circulation life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CopyStatus {
    /// On the open shelf, available (書架).
    OnShelf,
    /// Lent to a patron (貸出中).
    OnLoan,
    /// Travelling between branches (回送中).
    InTransit,
    /// Waiting on the hold shelf for a patron (取置中).
    OnHoldShelf,
    /// Cannot be found (不明).
    Missing,
    /// Removed from the collection (除籍).
    Withdrawn,
}

/// A copy to add to the collection.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NewCopy {
    /// Item barcode (資料番号), unique across the library.
    pub barcode: String,
    /// The title it is a copy of.
    pub title: TitleId,
    /// Code of the owning branch.
    pub branch: String,
    /// Material kind, a key of the policy's `[materials]`.
    pub material_kind: String,
    /// This copy may be lent (false for 持出禁止: reference, local collection, ...).
    pub loanable: bool,
    /// Borrowed from another library (相互貸借).
    pub interlibrary: bool,
    /// The day it became available; defaults to today.
    pub available_since: Option<NaiveDate>,
}

impl NewCopy {
    /// A loanable copy of `title` at `branch`, of material kind `material_kind`.
    pub fn new(
        barcode: impl Into<String>,
        title: TitleId,
        branch: impl Into<String>,
        material_kind: impl Into<String>,
    ) -> Self {
        Self {
            barcode: barcode.into(),
            title,
            branch: branch.into(),
            material_kind: material_kind.into(),
            loanable: true,
            interlibrary: false,
            available_since: None,
        }
    }
}

/// A stored copy.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Copy {
    /// Its id.
    pub id: CopyId,
    /// Item barcode.
    pub barcode: String,
    /// The title it is a copy of.
    pub title: TitleId,
    /// Owning branch code.
    pub branch: String,
    /// Material kind.
    pub material_kind: String,
    /// May be lent.
    pub loanable: bool,
    /// Borrowed from another library.
    pub interlibrary: bool,
    /// Circulation status.
    pub status: CopyStatus,
    /// The day it became available.
    pub available_since: NaiveDate,
}

/// A service point as stored: one of the policy's branches.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BranchInfo {
    /// Code.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Patrons may pick up holds here.
    pub pickup: bool,
    /// A partner library that only receives holds.
    pub partner: bool,
}

/// Trims `value` and checks it is non-empty (when required), not too long and free of control
/// characters.
pub(crate) fn clean_text(field: &'static str, value: &str, required: bool) -> Result<String> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(Error::InvalidInput { field, reason: "must not be empty".into() });
    }
    let chars = v.chars().count();
    if chars > MAX_TEXT_CHARS {
        return Err(Error::InvalidInput {
            field,
            reason: format!("{chars} characters, at most {MAX_TEXT_CHARS} allowed"),
        });
    }
    if let Some(c) = v.chars().find(|c| c.is_control()) {
        return Err(Error::InvalidInput {
            field,
            reason: format!("contains the control character U+{:04X}", c as u32),
        });
    }
    Ok(v.to_owned())
}

/// An item barcode in stored form: trimmed, non-empty, at most 64 characters, no spaces or
/// control characters.
pub(crate) fn clean_barcode(barcode: &str) -> Result<String> {
    let barcode = clean_text("barcode", barcode, true)?;
    if barcode.chars().any(char::is_whitespace) || barcode.len() > 64 {
        return Err(Error::InvalidInput {
            field: "barcode",
            reason: "must be at most 64 characters without spaces".into(),
        });
    }
    Ok(barcode)
}

/// `day` if its year is within [`SUPPORTED_YEARS`], else `InvalidInput` naming `field`: every
/// date a caller passes in (or the clock gives, or a policy period yields) goes through here,
/// so an out-of-range date is a typed error and never a storage failure.
pub(crate) fn check_date(field: &'static str, day: NaiveDate) -> Result<NaiveDate> {
    if SUPPORTED_YEARS.contains(&day.year()) {
        Ok(day)
    } else {
        Err(Error::InvalidInput {
            field,
            reason: format!(
                "{day} is outside the supported years {}-{}",
                SUPPORTED_YEARS.start(),
                SUPPORTED_YEARS.end()
            ),
        })
    }
}

/// The stored form of an optional ISBN: empty stays empty, anything else must be a valid
/// ISBN-10 or ISBN-13 and is stored as ISBN-13 ([`normalize_isbn`]).
fn clean_isbn(isbn: &str) -> Result<String> {
    let isbn = isbn.trim();
    if isbn.is_empty() {
        return Ok(String::new());
    }
    normalize_isbn(isbn).map_err(|e| Error::InvalidInput { field: "isbn", reason: format!("`{isbn}`: {e}") })
}
