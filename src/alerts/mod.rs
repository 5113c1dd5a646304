//! New-arrival alerts (R-N1–R-N3): Japanese-aware text normalisation for matching saved
//! searches against new arrivals.
//!
//! The matcher never touches the database; this module writes no SQL.

mod normalize;

pub use normalize::normalize;
