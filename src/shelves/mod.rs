//! Booklists (マイブックリスト / マイ本棚 / My本棚, R-B1–R-B3), the patron's reading history view
//! and reading goals (R-R1, R-R2).
//!
//! Caps come from the policy and are counted in characters; a call that would exceed one is
//! refused whole. This module writes no SQL.

mod csv_export;
mod goals;
mod ops;

pub use csv_export::booklist_csv;
pub use goals::{GoalProgress, GoalStep, Granularity, goal_chart_svg, goal_progress};

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalog::TitleId;

crate::id::define_id! {
    /// Identifies a booklist.
    BooklistId, "booklist id"
}

crate::id::define_id! {
    /// Identifies a reading goal.
    GoalId, "goal id"
}

/// A booklist with its number of entries.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Booklist {
    /// Its id.
    pub id: BooklistId,
    /// Its name.
    pub name: String,
    /// The list memo.
    pub memo: String,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// How many entries it holds.
    pub entries: u32,
}

/// An entry of a booklist, with what the CSV export shows.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct BooklistEntry {
    /// The title.
    pub title: TitleId,
    /// Title proper.
    pub title_text: String,
    /// Author.
    pub author: String,
    /// Publisher.
    pub publisher: String,
    /// Publication date.
    pub published_on: Option<NaiveDate>,
    /// ISBN.
    pub isbn: String,
    /// The entry memo.
    pub memo: String,
    /// The day it was added.
    pub added_on: NaiveDate,
}

/// Where [`crate::Library::add_to_booklist`] puts a title: an existing list, or a new one made
/// in the same call (R-B2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum ListTarget {
    /// An existing list.
    Existing(BooklistId),
    /// A new list with this name.
    New(String),
}

/// A reading goal (R-R2): `target` books between `starts_on` and `ends_on`, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ReadingGoal {
    /// Its id.
    pub id: GoalId,
    /// First day.
    pub starts_on: NaiveDate,
    /// Last day.
    pub ends_on: NaiveDate,
    /// Number of books.
    pub target: u32,
}
