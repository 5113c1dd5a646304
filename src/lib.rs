//! bunko (文庫): an embedded library-circulation engine.
//!
//! A library's web service, kiosk or staff tool links bunko in. It keeps its state in an
//! embedded SQLite database, and every rule that differs between libraries is configuration
//! data: a [`Policy`], loaded from TOML. The five reference policies (`fukushima`, `shizuoka`,
//! `chiba`, `kanagawa`, `chikushino`) ship embedded.
//!
//! # A tour
//! ```
//! use bunko::{FixedClock, Library, Policy};
//! use bunko::catalog::{NewCopy, NewTitle};
//! use bunko::patrons::NewPatron;
//! use chrono::{NaiveDate, TimeZone, Utc};
//!
//! // A policy is data; a preset is a policy a real library uses.
//! let policy = Policy::preset("kanagawa")?;
//! assert_eq!(policy.cards.min_length, 6);
//!
//! // Time is injected, so a test can stand still or jump ahead.
//! let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 0).unwrap());
//! let mut lib = Library::open_in_memory(policy, clock)?;
//!
//! let title = lib.add_title(NewTitle::new("吾輩は猫である"))?;
//! lib.add_copy(NewCopy::new("K0001", title, "honkan", "book"))?;
//! let expires = NaiveDate::from_ymd_opt(2029, 3, 31).unwrap();
//! let patron = lib.register_patron(NewPatron::new("123456", "神奈川 花子", expires))?;
//! assert_eq!(lib.patron(patron)?.card_number.as_str(), "123456");
//!
//! // Card numbers follow the library's format: kanagawa's are 6 digits.
//! assert!(lib.register_patron(NewPatron::new("1234567", "x", expires)).is_err());
//! # Ok::<(), bunko::Error>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod alerts;
pub mod catalog;
pub mod circulation;
pub mod clock;
pub mod error;
pub mod holds;
mod id;
pub mod integrity;
mod library;
pub mod notify;
pub mod patrons;
pub mod policy;
pub mod shelves;
mod store;
pub mod upkeep;

pub use clock::{Clock, FixedClock, SystemClock};
pub use error::{Entity, Error, PolicyError, PolicyProblem, Result};
pub use id::ParseIdError;
pub use library::Library;
pub use policy::Policy;
pub use store::{BackupReport, StoreOptions, Synchronous, supported_schema_version};
