//! New-arrival alerts (R-N1–R-N3): Japanese-aware text normalisation for matching saved
//! searches against new arrivals.
//!
//! The matcher never touches the database; this module writes no SQL.

mod matcher;
mod normalize;
mod ops;
mod schedule;

pub use matcher::{Field, Matcher, Query, Record};
pub use normalize::normalize;
pub use schedule::{is_send_day, latest_send_day};

use chrono::NaiveDate;

use crate::catalog::TitleId;
use crate::patrons::PatronId;

crate::id::define_id! {
    /// Identifies a saved search.
    SearchId, "saved search id"
}

/// A saved search condition (R-N1): named, terms ANDed, optional filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SavedSearch {
    /// The patron's name for it.
    pub name: String,
    /// `(field, term)` pairs; every one must match.
    pub terms: Vec<(Field, String)>,
    /// Only this material kind.
    pub material_kind: Option<String>,
    /// Only this category prefix (NDC class).
    pub category: Option<String>,
}

/// A new arrival (R-N2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct NewArrival {
    /// The title.
    pub title: TitleId,
    /// Its name.
    pub title_text: String,
    /// Author.
    pub author: String,
    /// Publisher.
    pub publisher: String,
    /// Category (NDC).
    pub category: String,
    /// Publication date.
    pub published_on: Option<NaiveDate>,
    /// Subject headings, space-separated.
    pub subjects: String,
    /// The day its first copy became available.
    pub available_since: NaiveDate,
    /// Material kind of its copies.
    pub material_kind: String,
}

/// What a digest sweep did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct AlertSweep {
    /// The send day handled, if any was due.
    pub send_day: Option<NaiveDate>,
    /// New arrivals considered.
    pub arrivals: usize,
    /// Patrons who got a digest.
    pub patrons: Vec<PatronId>,
}
