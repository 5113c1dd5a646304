//! #16 item 6: no third-party type in the error API. `Error::Storage` carries bunko's own
//! opaque `StorageError`, with SQLite's result code as numbers and a small kind, and SQLite's
//! error as `source()`; the chain is walkable without naming rusqlite.

use std::error::Error as _;

use bunko::{Error, FixedClock, Library, Policy, StorageError, StorageErrorKind};
use chrono::{TimeZone, Utc};

/// Compile-level: a `StorageError`'s cause is reachable through `std::error::Error` alone.
fn _source_of(e: &StorageError) -> Option<&(dyn std::error::Error + 'static)> {
    std::error::Error::source(e)
}

/// Compile-level: a host matches `Storage` and reads the code without naming rusqlite.
fn _code_of(e: &Error) -> Option<(StorageErrorKind, Option<i32>)> {
    match e {
        Error::Storage(s) => Some((s.kind(), s.code())),
        Error::Migration { source: Some(s), .. } => Some((s.kind(), s.extended_code())),
        _ => None,
    }
}

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 9, 0, 0).unwrap())
}

#[test]
fn item_6_a_database_in_a_missing_directory_is_a_storage_error_with_code_and_source() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        Library::open(dir.path().join("no-such-dir").join("lib.sqlite"), Policy::preset("chiba").unwrap(), clock())
            .unwrap_err();
    let Error::Storage(storage) = &err else { panic!("expected Storage, got {err:?}") };
    assert_eq!(storage.kind(), StorageErrorKind::Io, "{storage}");
    assert_eq!(storage.code(), Some(14), "SQLITE_CANTOPEN: {storage}");
    assert_eq!(storage.extended_code().map(|c| c & 0xff), storage.code());

    // Error -> StorageError -> SQLite's own error, each with a message.
    let first = err.source().expect("Error::Storage has a source");
    assert_eq!(first.to_string(), storage.to_string());
    let sqlite = first.source().expect("StorageError has SQLite's error as source");
    assert!(!sqlite.to_string().is_empty());
    assert!(err.to_string().starts_with("storage error: "), "{err}");
}

#[test]
fn item_6_errors_are_send_sync_and_static() {
    fn assert_bounds<T: std::error::Error + Send + Sync + 'static>() {}
    assert_bounds::<Error>();
    assert_bounds::<StorageError>();
    assert_bounds::<bunko::CryptoError>();
}
