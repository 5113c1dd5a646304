//! Online backup while another handle writes, and restore by opening the copy (#9).

mod common;

use std::sync::Arc;
use std::thread;

use bunko::catalog::NewTitle;
use bunko::{Error, FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use common::World;

#[test]
fn a_backup_taken_during_writes_restores_a_consistent_library() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let path = db.path.clone();
    let p = w.patron();
    for _ in 0..20 {
        let c = w.copy_at("chuo", "book");
        w.lib.checkout(&c, p, "chuo").unwrap();
    }
    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap()));
    let writer = {
        let (path, clock) = (path.clone(), clock.clone());
        thread::spawn(move || {
            let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock).unwrap();
            for i in 0..200 {
                lib.add_title(NewTitle::new(format!("並行 {i}"))).unwrap();
            }
        })
    };
    let copy = path.with_file_name("backup.sqlite");
    w.lib.backup_to(&copy).unwrap();
    writer.join().unwrap();

    let restored = Library::open(&copy, Policy::preset("chiba").unwrap(), clock).unwrap();
    assert!(restored.check().unwrap().is_empty());
    assert_eq!(restored.patron_loans(p).unwrap().len(), 20, "every loan committed before the backup is there");
    assert!(matches!(w.lib.backup_to(&copy), Err(Error::InvalidInput { field: "path", .. })), "never overwrites");
}
