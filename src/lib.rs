// The crate's documentation is its README, so the README's tour is compiled and run as a
// doctest: one source of truth for how a host starts.
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![warn(clippy::missing_errors_doc)]

pub mod alerts;
pub mod catalog;
pub mod circulation;
pub mod clock;
pub mod error;
pub mod holds;
mod ical;
mod id;
pub mod integrity;
mod lang;
mod library;
pub mod marc;
pub mod notify;
pub mod patrons;
pub mod policy;
#[cfg(feature = "serde")]
mod serde_forms;
pub mod shelves;
pub mod sip2;
pub mod staff;
mod store;
pub mod upkeep;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{CryptoError, Entity, Error, PolicyError, PolicyProblem, Result, StorageError, StorageErrorKind};
pub use id::ParseIdError;
pub use lang::{Lang, UnknownLang};
pub use library::Library;
pub use policy::Policy;
pub use store::{BackupReport, StoreOptions, Synchronous, supported_schema_version};
