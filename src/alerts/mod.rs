//! New-arrival alerts (R-N1–R-N3): Japanese-aware text normalisation for matching saved
//! searches against new arrivals.
//!
//! The matcher never touches the database; this module writes no SQL.

mod matcher;
mod normalize;

pub use matcher::{Field, Matcher, Query, Record};
pub use normalize::normalize;
