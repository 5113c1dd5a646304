//! MARC21 catalogue import: bibliographic records in ISO 2709 (UTF-8) or MARCXML become
//! titles and copies, through a [`MarcMapping`] that is data.
//!
//! The reader is bunko's own (ISO 2709 is a leader, a directory and delimited fields) with
//! MARCXML read by `quick-xml`: it streams one record at a time, reports every malformed
//! record with its position and field, and never panics on hostile input. See
//! ARCHITECTURE.md for why not `marctk` or `marc`.

mod mapping;
mod ops;
mod read;
mod record;

pub use mapping::{HoldingsMapping, KindRule, MarcMapping};
pub use record::{MAX_RECORD_BYTES, MarcField, MarcRecord};

/// Records imported per write transaction.
pub const IMPORT_BATCH: usize = 1000;

/// How the records are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum MarcFormat {
    /// ISO 2709 ("MARC binary", `.mrc`), UTF-8 records only (leader/09 `a`).
    Iso2709,
    /// MARCXML (`<collection>` of `<record>`s, namespace prefixes allowed).
    MarcXml,
}

/// Where a record is in the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RecordPosition {
    /// The record's number in the input, from 0.
    pub index: usize,
    /// The byte offset where it starts.
    pub byte_offset: u64,
}

/// A record that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct RecordError {
    /// Where it is.
    pub position: RecordPosition,
    /// The field at fault: a mapping spec (`245$a$b`, `952$p`), a tag, `leader/09`,
    /// `directory`, `record` or `xml`.
    pub field: String,
    /// What is wrong.
    pub reason: String,
}

impl std::fmt::Display for RecordError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "record {} (byte {}), {}: {}",
            self.position.index, self.position.byte_offset, self.field, self.reason
        )
    }
}

/// How far an import has got; reported after every committed batch and once at the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ImportProgress {
    /// Records read so far, imported or not.
    pub records: usize,
    /// Titles committed so far.
    pub titles: usize,
    /// Copies committed so far.
    pub copies: usize,
    /// Records skipped so far.
    pub skipped: usize,
    /// The input is read to its end and everything is committed.
    pub done: bool,
}

/// What an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct ImportReport {
    /// Titles added.
    pub titles: usize,
    /// Copies added.
    pub copies: usize,
    /// Records not imported (nothing of them is stored), in input order.
    pub skipped: Vec<RecordError>,
}
