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

/// The trust invariants (#13): delivered notices keep nothing, notices die with their loan, a
/// returned loan leaves no row but its count, and reset codes stay under the cap — each broken
/// behind the engine's back and reported by name.
#[test]
fn check_reports_broken_privacy_and_code_invariants() {
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-06-01");
    let patron = w.patron();
    let card = w.lib.patron(patron).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(patron, "k@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "k@example.jp").unwrap();
    let barcode = w.copy_at("honkan", "book");
    let loan = w.lib.checkout(&barcode, patron, "honkan").unwrap().id;
    w.lib.check_in(&barcode, "honkan").unwrap();
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());

    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA foreign_keys = OFF;
         PRAGMA ignore_check_constraints = ON;
         UPDATE notices SET delivered_at = '2026-06-01T02:00:00Z';
         INSERT INTO notices (patron_id, kind, channel, subject, body, loan_id, created_at)
             VALUES ({p}, 'due_reminder', 'mail', '返却期限のお知らせ', '本', {loan}, '2026-06-01T02:00:00Z');
         INSERT INTO loans (copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
             SELECT id, title_id, {p}, branch, 'returned', '2026-06-01', '2026-06-15' FROM copies;
         INSERT INTO account_tokens (token_hash, patron_id, purpose, created_at, expires_at)
             SELECT printf('%064d', n), {p}, 'password_reset', '2026-06-01T01:00:00Z', '2099-01-01T00:00:00Z'
             FROM (SELECT 1 AS n UNION ALL SELECT 2);",
        p = patron.get(),
        loan = loan.get(),
    ))
    .unwrap();
    let found: Vec<String> = w.lib.check().unwrap().into_iter().map(|v| v.invariant).collect();
    for expected in [
        "no delivered notice names a patron, an address or a title",
        "no delivered notice keeps its delivery key or a claim",
        "every undelivered notice has a delivery key",
        "no notice outlives the hold or loan it is about",
        "no loan row is returned",
        "the daily counts account for every open loan",
        "no patron has more outstanding reset codes than allowed",
    ] {
        assert!(found.iter().any(|f| f == expected), "`{expected}` not reported; found {found:?}");
    }
}
