//! `Library::check()` finds what it claims to (#9): a database broken behind the engine's back
//! (raw SQL through a second connection) is reported invariant by invariant, and a sound one is
//! not. Without this, every "check() is empty" assertion elsewhere could pass vacuously.

mod common;

use bunko::alerts::{Field, SavedSearch};
use common::World;

#[test]
fn check_reports_each_broken_invariant_by_name() {
    let (mut w, db) = World::on_temp_file("fukushima", "2026-06-01");
    let path = db.path.clone();
    let patron = w.patron();
    let barcode = w.copy_at(&w.home(), "book");
    w.lib.checkout(&barcode, patron, &w.home()).unwrap();
    let search =
        SavedSearch { name: "猫の本".into(), terms: vec![(Field::Title, "猫".into())], ..SavedSearch::default() };
    let cap = w.lib.policy().alerts.max_searches;
    for _ in 0..cap {
        w.lib.save_search(patron, search.clone()).unwrap();
    }
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());

    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "PRAGMA foreign_keys = OFF;
         UPDATE copies SET status = 'in_transit', transit_to = NULL;
         DELETE FROM saved_search_terms WHERE search_id = (SELECT MIN(id) FROM saved_searches);
         INSERT INTO saved_searches (patron_id, name, created_at)
             SELECT patron_id, name, created_at FROM saved_searches LIMIT 1;",
    )
    .unwrap();
    let found: Vec<String> = w.lib.check().unwrap().into_iter().map(|v| v.invariant).collect();
    for expected in [
        "a copy on loan has exactly one open loan",
        "an in-transit copy has a destination",
        "a saved search has at least one term",
        "saved-search caps hold",
    ] {
        assert!(found.iter().any(|f| f == expected), "`{expected}` not reported; found {found:?}");
    }
}
