//! The store: migrations, constraints, conflicts that change nothing, card formats (R-A1).

use bunko::catalog::{CopyStatus, NewCopy, NewTitle};
use bunko::patrons::{NewPatron, Phone, PhoneKind};
use bunko::{Entity, Error, FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};

fn clock() -> FixedClock {
    FixedClock::new(Utc.with_ymd_and_hms(2026, 4, 1, 1, 0, 0).unwrap())
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn open(preset: &str) -> Library {
    Library::open_in_memory(Policy::preset(preset).unwrap(), clock()).unwrap()
}

#[test]
fn migrations_run_on_an_empty_file_and_again_as_a_no_op() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let title = {
        let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap();
        assert_eq!(lib.schema_version().unwrap(), bunko::supported_schema_version());
        lib.add_title(NewTitle::new("こころ")).unwrap()
    };
    let lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap();
    assert_eq!(lib.schema_version().unwrap(), bunko::supported_schema_version());
    assert_eq!(lib.title(title).unwrap().title, "こころ", "data survives reopening");
}

#[test]
fn a_database_from_a_newer_bunko_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    drop(Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap());
    let future = bunko::supported_schema_version() + 1;
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute(
            "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'future', '2030-01-01', '0')",
            [future],
        )
        .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { found, .. } if found == future), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "file unchanged");
}

#[test]
fn duplicate_barcode_is_a_conflict_and_changes_nothing() {
    let mut lib = open("chiba");
    let t = lib.add_title(NewTitle::new("坊っちゃん")).unwrap();
    let first = lib.add_copy(NewCopy::new("B-1", t, "chuo", "book")).unwrap();
    let err = lib.add_copy(NewCopy::new("B-1", t, "seibu", "book")).unwrap_err();
    assert!(matches!(err, Error::Conflict { entity: Entity::Copy, ref key, .. } if key == "B-1"), "{err}");
    let copies = lib.copies_of(t).unwrap();
    assert_eq!(copies.len(), 1);
    assert_eq!((copies[0].id, copies[0].branch.as_str(), copies[0].status), (first, "chuo", CopyStatus::OnShelf));
}

#[test]
fn a_copy_needs_a_known_title_branch_and_material_kind() {
    let mut lib = open("chiba");
    let t = lib.add_title(NewTitle::new("草枕")).unwrap();
    let missing = bunko::catalog::TitleId::from(999_i64);
    assert!(matches!(
        lib.add_copy(NewCopy::new("X1", missing, "chuo", "book")),
        Err(Error::NotFound { entity: Entity::Title, .. })
    ));
    assert!(matches!(
        lib.add_copy(NewCopy::new("X1", t, "narita", "book")),
        Err(Error::NotFound { entity: Entity::Branch, .. })
    ));
    assert!(matches!(
        lib.add_copy(NewCopy::new("X1", t, "chuo", "cd")),
        Err(Error::InvalidInput { field: "material_kind", .. })
    ));
    assert!(lib.copies_of(t).unwrap().is_empty());
}

#[test]
fn a_partner_library_holds_no_copies() {
    let mut lib = open("fukushima");
    let t = lib.add_title(NewTitle::new("会津の歴史")).unwrap();
    let err = lib.add_copy(NewCopy::new("F1", t, "muni-example", "book")).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "branch", .. }), "{err}");
}

#[test]
fn titles_round_trip_with_subjects_and_a_normalised_isbn() {
    let mut lib = open("fukushima");
    let new = NewTitle {
        title: " 銀河鉄道の夜 ".into(),
        author: "宮沢賢治".into(),
        publisher: "岩波書店".into(),
        subjects: vec!["童話".into(), "日本文学".into()],
        category: "913.6".into(),
        published_on: Some(date("2026-01-15")),
        serial: false,
        isbn: "978-4-00-310761-4".into(),
        issue: None,
    };
    let id = lib.add_title(new).unwrap();
    let t = lib.title(id).unwrap();
    assert_eq!(t.title, "銀河鉄道の夜");
    assert_eq!(t.subjects, ["童話", "日本文学"]);
    assert_eq!(t.isbn, "9784003107614");
    // The same book by its ISBN-10 is stored the same way.
    let ten = lib.add_title(NewTitle { isbn: " 4 00 310761 6 ".into(), ..NewTitle::new("銀河鉄道の夜") }).unwrap();
    assert_eq!(lib.title(ten).unwrap().isbn, "9784003107614");
    assert!(matches!(
        lib.add_title(NewTitle { isbn: "97840031".into(), ..NewTitle::new("x") }),
        Err(Error::InvalidInput { field: "isbn", .. })
    ));
    assert!(matches!(lib.add_title(NewTitle::new("  ")), Err(Error::InvalidInput { field: "title", .. })));
    let issue = bunko::catalog::Issue { of: " 月刊ちくしの ".into(), on: date("2026-06-01") };
    let id = lib.add_title(NewTitle { serial: true, issue: Some(issue), ..NewTitle::new("6月号") }).unwrap();
    let stored = lib.title(id).unwrap().issue.unwrap();
    assert_eq!((stored.of.as_str(), stored.on), ("月刊ちくしの", date("2026-06-01")));
}

#[test]
fn card_numbers_follow_the_library_format_r_a1() {
    let expires = date("2029-03-31");
    // R-A1 kanagawa: 6 digits.
    let mut kanagawa = open("kanagawa");
    assert!(kanagawa.register_patron(NewPatron::new("123456", "神奈川 太郎", expires)).is_ok());
    for bad in ["12345", "1234567", "12345a", ""] {
        let err = kanagawa.register_patron(NewPatron::new(bad, "x", expires)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "card_number", .. }), "{bad}: {err}");
    }
    // R-A1 chikushino: 8 digits starting with 0; full-width digits are accepted.
    let mut chikushino = open("chikushino");
    let id = chikushino.register_patron(NewPatron::new("０１２３４５６７", "筑紫 花子", expires)).unwrap();
    assert_eq!(chikushino.patron(id).unwrap().card_number.as_str(), "01234567");
    for bad in ["11234567", "0123456", "012345678"] {
        let err = chikushino.register_patron(NewPatron::new(bad, "x", expires)).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field: "card_number", .. }), "{bad}: {err}");
    }
    assert_eq!(chikushino.patron_by_card("01234567").unwrap().id, id);
}

#[test]
fn duplicate_card_number_is_a_conflict() {
    let mut lib = open("kanagawa");
    let expires = date("2029-03-31");
    lib.register_patron(NewPatron::new("123456", "一人目", expires)).unwrap();
    let err = lib.register_patron(NewPatron::new("123456", "二人目", expires)).unwrap_err();
    assert!(matches!(err, Error::Conflict { entity: Entity::Patron, .. }), "{err}");
    assert_eq!(lib.patron_by_card("123456").unwrap().name, "一人目");
}

#[test]
fn patrons_keep_phones_in_order_with_one_chosen_r_c4() {
    let mut lib = open("shizuoka");
    let mut p = NewPatron::new("1000200030", "静岡 一郎", date("2029-03-31"));
    p.phones = vec![
        Phone::new(PhoneKind::Home, "054-123-4567"),
        Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-1234-5678") },
    ];
    p.default_pickup = Some("chuo".into());
    let id = lib.register_patron(p.clone()).unwrap();
    let stored = lib.patron(id).unwrap();
    assert_eq!(stored.phones, p.phones);
    assert_eq!(stored.default_pickup.as_deref(), Some("chuo"));
    assert_eq!(stored.registered_on, date("2026-04-01"));

    let mut too_many = NewPatron::new("1000200031", "x", date("2029-03-31"));
    too_many.phones = vec![Phone::new(PhoneKind::Home, "054-000-0001"); 3];
    assert!(matches!(lib.register_patron(too_many), Err(Error::InvalidInput { field: "phones", .. })));
}

#[test]
fn branches_follow_the_policy() {
    let lib = open("chiba");
    let codes: Vec<String> = lib.branches().unwrap().into_iter().map(|b| b.code).collect();
    assert_eq!(codes, ["chuo", "seibu", "tobu"]);
}

/// A chiba database that `setup` fills, opened again with branch `tobu` dropped from the
/// policy: the error, and the directory holding the file (at `lib.sqlite`) for a reopen.
fn open_without_tobu(setup: impl FnOnce(&mut Library)) -> (Error, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    setup(&mut Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap());
    let mut policy = Policy::preset("chiba").unwrap();
    policy.branches.retain(|b| b.code != "tobu");
    (Library::open(&path, policy, clock()).unwrap_err(), dir)
}

#[test]
fn a_policy_that_drops_a_branch_with_copies_is_refused_at_open() {
    let (err, dir) = open_without_tobu(|lib| {
        let t = lib.add_title(NewTitle::new("x")).unwrap();
        lib.add_copy(NewCopy::new("T1", t, "tobu", "book")).unwrap();
    });
    assert!(err.to_string().contains("branch `tobu`"), "{err}");
    // The refused open changed nothing: the full policy still opens with the copy in place.
    let lib = Library::open(dir.path().join("lib.sqlite"), Policy::preset("chiba").unwrap(), clock()).unwrap();
    assert_eq!(lib.copy_by_barcode("T1").unwrap().branch, "tobu");
}

/// A branch used only as a pickup (a hold waits to be collected there) cannot leave the
/// policy either: the open is refused with a policy error naming the key and what still
/// refers to the branch, not the database's foreign-key failure, and changes nothing.
#[test]
fn a_policy_that_drops_a_pickup_branch_with_holds_is_refused_naming_them() {
    use bunko::holds::HoldRequest;
    use bunko::policy::ContactMethod;
    let (err, dir) = open_without_tobu(|lib| {
        let t = lib.add_title(NewTitle::new("x")).unwrap();
        lib.add_copy(NewCopy::new("T1", t, "chuo", "book")).unwrap();
        let expires = date("2030-01-01");
        let borrower = lib.register_patron(NewPatron::new("10000001", "甲", expires)).unwrap();
        let holder = lib.register_patron(NewPatron::new("10000002", "乙", expires)).unwrap();
        lib.checkout("T1", borrower, "chuo").unwrap();
        lib.place_hold(holder, t, &HoldRequest::web("tobu", ContactMethod::None).at_counter()).unwrap();
    });
    let Error::Policy(e) = err else { panic!("expected a policy error, got {err}") };
    assert_eq!(e.problems[0].key, "branches");
    assert!(e.problems[0].reason.contains("branch `tobu`") && e.problems[0].reason.contains("1 holds"), "{e}");
    let ja = e.problems[0].message(bunko::Lang::Ja);
    assert!(ja.contains("予約(終了分も消去まで)1件"), "{ja}");
    let lib = Library::open(dir.path().join("lib.sqlite"), Policy::preset("chiba").unwrap(), clock()).unwrap();
    assert_eq!(lib.branches().unwrap().len(), 3, "nothing changed");
}

#[test]
fn today_is_the_library_local_date() {
    // 2026-03-31 20:00 UTC is already 2026-04-01 in Japan (+09:00).
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 3, 31, 20, 0, 0).unwrap());
    let lib = Library::open_in_memory(Policy::preset("chiba").unwrap(), clock).unwrap();
    assert_eq!(lib.today(), date("2026-04-01"));
}

mod embedded {
    refinery::embed_migrations!("migrations");
}

/// A database the previous release left (every migration but the newest), with a patron
/// waiting for a loaned copy and a notice in the outbox, is upgraded on open and keeps working.
#[test]
fn an_older_database_is_upgraded_on_open_keeping_its_data() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    let latest = bunko::supported_schema_version();
    {
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        let previous = refinery::Target::Version((latest - 1).try_into().unwrap());
        embedded::migrations::runner().set_target(previous).run(&mut conn).unwrap();
        conn.execute_batch(
            "INSERT INTO branches (code, name, is_pickup, is_partner) VALUES ('chuo', '中央図書館', 1, 0);
             INSERT INTO titles (id, title, author) VALUES (1, '古い本', '著者');
             INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since)
                 VALUES (1, 'B0001', 1, 'chuo', 'book', 1, 'on_loan', '2020-01-01');
             INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on) VALUES
                 (1, '00000001', '借りた人', '2020-01-01', '2030-01-01', '2026-01-01'),
                 (2, '00000002', '待つ人', '2020-01-01', '2030-01-01', '2026-01-01');
             INSERT INTO loans (copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
                 VALUES (1, 1, 1, 'chuo', 'active', '2026-03-20', '2026-04-03');
             INSERT INTO circulation_days (day, checkouts) VALUES ('2026-03-20', 1);
             INSERT INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
                 VALUES (2, 1, 'book', 'counter', 'waiting', '2026-03-21 00:00:00+00:00', 'chuo', 'none');
             INSERT INTO notices (patron_id, kind, channel, hold_id, subject, body, created_at, delivery_key)
                 VALUES (2, 'hold_placed', 'phone', 1, '予約', '古い本', '2026-03-21 00:00:00+00:00',
                         randomblob(16));",
        )
        .unwrap();
    }
    let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap();
    assert_eq!(lib.schema_version().unwrap(), latest);
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
    // V15: the waiting notice has no facts, only its stored text; drainers claim it as before.
    let claimed = lib.claim_notices(10, std::time::Duration::from_secs(60)).unwrap();
    assert_eq!((claimed.len(), claimed[0].key.len(), claimed[0].attempts), (1, 32, 1));
    assert_eq!((claimed[0].facts.as_ref(), claimed[0].body.as_str()), (None, "古い本"));
    assert_eq!(claimed[0].render(bunko::Lang::En), None);
    let waiting = lib.patron_holds(2.into()).unwrap();
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0].queue_position, Some(1));
    let returned = lib.check_in("B0001", "chuo").unwrap();
    assert!(
        matches!(returned.route, bunko::circulation::CopyRoute::HeldForPickup { hold, .. } if hold == waiting[0].hold.id),
        "{:?}",
        returned.route
    );
    assert!(lib.check().unwrap().is_empty());
}

/// The daily scrub under a reader that never lets go (Litestream keeps a read transaction
/// open, #18): it gives up on truncating the WAL instead of holding the write lock while it
/// waits, so a writer with a short busy timeout is never refused meanwhile. Before, its
/// TRUNCATE checkpoint held the lock for the whole busy timeout (5 s) and stalled every writer.
#[test]
fn the_scrub_never_stalls_writers_behind_a_long_reader() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Barrier};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let mut scrubber = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap();
    let options = bunko::StoreOptions { busy_timeout: std::time::Duration::from_secs(1), ..Default::default() };
    let mut writer = Library::open_with(&path, Policy::preset("chiba").unwrap(), clock(), options).unwrap();
    writer.add_title(NewTitle::new("坊っちゃん")).unwrap();
    let reader = rusqlite::Connection::open(&path).unwrap();
    reader.execute_batch("BEGIN").unwrap();
    let _: i64 = reader.query_row("SELECT count(*) FROM titles", [], |r| r.get(0)).unwrap();
    writer.add_title(NewTitle::new("草枕")).unwrap();

    let (start, done) = (Arc::new(Barrier::new(2)), Arc::new(AtomicBool::new(false)));
    let scrub = std::thread::spawn({
        let (start, done) = (start.clone(), done.clone());
        move || {
            start.wait();
            let scrub = scrubber.scrub();
            done.store(true, Ordering::SeqCst);
            (scrub, scrubber)
        }
    });
    start.wait();
    let mut written = 0;
    while !done.load(Ordering::SeqCst) {
        writer.add_title(NewTitle::new("三四郎")).expect("a writer is never kept waiting by the scrub");
        written += 1;
    }
    let (scrub, mut scrubber) = scrub.join().unwrap();
    assert!(!scrub.unwrap().wal_truncated, "the reader keeps the WAL");
    assert!(written > 1, "the writer ran while the scrub tried ({written} writes)");

    reader.execute_batch("COMMIT").unwrap();
    assert!(scrubber.scrub().unwrap().wal_truncated, "with the reader gone the WAL is truncated");
    assert_eq!(std::fs::metadata(dir.path().join("lib.sqlite-wal")).unwrap().len(), 0);
}
