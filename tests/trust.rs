//! The trust issue (#13): what the engine promises to forget is gone from the raw database and
//! WAL bytes, every read-then-write guard holds under many handles, blocked accounts get no
//! session, codes are throttled and revoked, and files are never silently replaced or taken
//! over. Each test is named after the issue's item; each failed on the main before it.

mod common;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;

use bunko::holds::HoldRequest;
use bunko::notify::NoticeKind;
use bunko::patrons::{NewPatron, PatronId};
use bunko::policy::{ContactMethod, Reason};
use bunko::{Error, FixedClock, Library, Policy};
use chrono::{Duration, TimeZone, Utc};
use common::{World, day, dump};

/// A patron id no other value in the file will share: stored as a 6-byte integer wherever a
/// row refers to the patron, so its bytes can be searched for in the raw files.
const MARKED_PATRON: i64 = 0x7E3A_1C5D_2B19;

/// A title id and a copy id marked the same way.
const MARKED_TITLE: i64 = 0x6B2F_3E41_5A17;
const MARKED_COPY: i64 = 0x5D13_7C29_4E0B;

fn marked_bytes() -> [u8; 6] {
    bytes_of(MARKED_PATRON)
}

/// How a row stores `id` (a 6-byte big-endian integer, for ids from 2^39 to 2^47).
fn bytes_of(id: i64) -> [u8; 6] {
    let b = id.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

fn wal_of(db: &Path) -> PathBuf {
    PathBuf::from(format!("{}-wal", db.display()))
}

/// The database file and its WAL (if any), concatenated: what an attacker copying the
/// directory gets.
fn raw_files(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(wal_of(db)) {
        bytes.extend(wal);
    }
    bytes
}

/// The single-use code a notice body carries.
fn code_in(body: &str) -> Option<String> {
    body.lines().find_map(|l| l.strip_prefix("コード: ")).map(str::to_owned)
}

/// A new patron with a counter-issued temporary password: `(patron, card, password)`.
fn with_temporary_password(w: &mut World) -> (PatronId, String, String) {
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    (p, card, temporary)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    occurrences(haystack, needle) > 0
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Registers a patron with no phone and no address, then renumbers it to [`MARKED_PATRON`]
/// through a second connection, before it has any other row.
fn marked_patron(w: &mut World, db: &Path) -> PatronId {
    let card = w.card();
    let p = w.lib.register_patron(NewPatron::new(card.clone(), "記録 消子", day("2029-03-31"))).unwrap();
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("UPDATE patrons SET id = ?1 WHERE id = ?2", [MARKED_PATRON, p.get()]).unwrap();
    let p = w.lib.patron_by_card(&card).unwrap().id;
    assert_eq!(p.get(), MARKED_PATRON);
    p
}

/// Adds a title and a copy of it at chuo, renumbered to [`MARKED_TITLE`] and [`MARKED_COPY`]
/// through a second connection before any other row refers to them; returns the barcode.
fn marked_copy(w: &mut World, db: &Path) -> String {
    let t = w.title("返された本");
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("UPDATE titles SET id = ?1 WHERE id = ?2", [MARKED_TITLE, t.get()]).unwrap();
    let barcode = w.copy_of(bunko::catalog::TitleId::from(MARKED_TITLE), "chuo", "book");
    conn.execute("UPDATE copies SET id = ?1 WHERE barcode = ?2", rusqlite::params![MARKED_COPY, barcode]).unwrap();
    assert_eq!(w.copy_id(&barcode).get(), MARKED_COPY);
    barcode
}

/// The rows of every table (as [`dump`] shows them) that hold the marked copy's or title's id
/// together with one of `days`.
fn rows_linking_marked_copy_to(db: &Path, days: &[String]) -> Vec<String> {
    let ids = [MARKED_COPY.to_string(), MARKED_TITLE.to_string()];
    dump(db)
        .lines()
        .filter(|row| ids.iter().any(|id| row.contains(id.as_str())) && days.iter().any(|d| row.contains(d.as_str())))
        .map(str::to_owned)
        .collect()
}

/// Every prefix of a copied WAL that ends on a commit frame, applied to a copy of the database:
/// for each, how many loans name `patron`. This is how an attacker replays old commits.
fn borrowers_in_wal_prefixes(db: &Path, patron: i64) -> Vec<i64> {
    let wal = std::fs::read(wal_of(db)).unwrap_or_default();
    if wal.len() < 32 {
        return Vec::new();
    }
    let page_size = u32::from_be_bytes(wal[8..12].try_into().unwrap()) as usize;
    let frame = 24 + page_size;
    let mut found = Vec::new();
    let mut end = 32;
    while end + frame <= wal.len() {
        let commit = u32::from_be_bytes(wal[end + 4..end + 8].try_into().unwrap()) != 0;
        end += frame;
        if !commit {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("copy.sqlite");
        std::fs::copy(db, &copy).unwrap();
        std::fs::write(wal_of(&copy), &wal[..end]).unwrap();
        let conn = rusqlite::Connection::open(&copy).unwrap();
        let n: i64 = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM loans WHERE patron_id = ?1) + (SELECT COUNT(*) FROM holds WHERE patron_id = ?1)",
                [patron],
                |r| r.get(0),
            )
            .unwrap_or(0);
        found.push(n);
    }
    found
}

/// Patron ↔ title, four ways: a returned loan, reading history after opt-out, a collected
/// hold. Before the scrub an attacker replaying the WAL finds the borrower; after it, neither
/// the database nor the WAL holds a single byte of the patron's id.
#[test]
fn item_2_no_patron_title_link_survives_in_the_file_or_wal_after_the_scrub() {
    let (mut w, db) = World::on_temp_file("shizuoka", "2026-06-01");
    let p = marked_patron(&mut w, &db.path);
    w.lib.register_email_at_counter(p, "kiroku@example.jp", None).unwrap();
    // The patron's own rows (the card-number index, the address) hold its id legitimately.
    assert!(w.lib.scrub().unwrap().wal_truncated);
    let baseline = occurrences(&raw_files(&db.path), &marked_bytes());
    // A returned loan, with reading history opted in then out (R-R1).
    w.lib.opt_in_reading_history(p, true).unwrap();
    let c = w.copy_at("chuo", "book");
    w.lib.checkout(&c, p, "chuo").unwrap();
    w.lib.check_in(&c, "chuo").unwrap();
    w.lib.opt_out_reading_history(p).unwrap();
    // A hold collected, then its loan returned.
    let t = w.title("予約した本");
    let held = w.copy_of(t, "chuo", "book");
    let other = w.patron();
    w.lib.checkout(&held, other, "chuo").unwrap();
    w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::Mail)).unwrap();
    w.lib.check_in(&held, "chuo").unwrap();
    let ready: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| n.id).collect();
    assert!(!ready.is_empty(), "a ready notice, naming the title, to the patron's address");
    w.lib.mark_delivered(&ready).unwrap();
    w.lib.checkout(&held, p, "chuo").unwrap();
    w.lib.check_in(&held, "chuo").unwrap();

    let replayed = borrowers_in_wal_prefixes(&db.path, MARKED_PATRON);
    assert!(replayed.iter().any(|&n| n > 0), "the attack works before the scrub: {replayed:?}");

    let scrub = w.lib.scrub().unwrap();
    assert!(scrub.wal_truncated);
    assert!(borrowers_in_wal_prefixes(&db.path, MARKED_PATRON).iter().all(|&n| n == 0));
    drop(w);
    let raw = raw_files(&db.path);
    let left = occurrences(&raw, &marked_bytes());
    assert_eq!(left, baseline, "the patron's id is left in the files beyond its own row");
    assert!(!contains(&raw, "書名: 予約した本".as_bytes()), "the ready notice's text is left in the files");
}

/// A late return leaves no row of the loan (R-R1): nothing holds the copy or the title together
/// with the loan's days, which a lateness or a suspension stored on the patron could be joined
/// with. After the scrub, neither the database nor the WAL holds a byte of the copy's or the
/// title's id beyond their own rows. Only the day's counts, and what the desk was told, remain.
#[test]
fn item_2_a_late_return_leaves_no_row_or_byte_of_the_loan() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let p = w.patron();
    let barcode = marked_copy(&mut w, &db.path);
    assert!(w.lib.scrub().unwrap().wal_truncated);
    let raw = raw_files(&db.path);
    let baseline = (occurrences(&raw, &bytes_of(MARKED_COPY)), occurrences(&raw, &bytes_of(MARKED_TITLE)));

    w.go_to("2026-06-03");
    let loan = w.lib.checkout(&barcode, p, "chuo").unwrap();
    let returned_on = loan.due_on + chrono::Days::new(3);
    w.go_to(&returned_on.to_string());
    let days = [loan.checked_out_on, loan.due_on, returned_on].map(|d| d.to_string());
    assert_eq!(rows_linking_marked_copy_to(&db.path, &days).len(), 1, "the open loan");
    let done = w.lib.check_in(&barcode, "chuo").unwrap();
    assert_eq!((done.loan, done.patron, done.days_overdue), (loan.id, p, 3), "the desk is told");

    assert_eq!(rows_linking_marked_copy_to(&db.path, &days), Vec::<String>::new());
    let counts = w.lib.daily_circulation(loan.checked_out_on, returned_on).unwrap();
    assert_eq!(
        counts.iter().map(|d| (d.day, d.checkouts, d.returns)).collect::<Vec<_>>(),
        [(loan.checked_out_on, 1, 0), (returned_on, 0, 1)]
    );
    let raw = raw_files(&db.path);
    let before_scrub = (occurrences(&raw, &bytes_of(MARKED_COPY)), occurrences(&raw, &bytes_of(MARKED_TITLE)));
    assert!(before_scrub.0 > baseline.0, "the WAL still holds the loan before the scrub");
    assert!(w.lib.scrub().unwrap().wal_truncated);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
    drop(w);
    let raw = raw_files(&db.path);
    let after = (occurrences(&raw, &bytes_of(MARKED_COPY)), occurrences(&raw, &bytes_of(MARKED_TITLE)));
    assert_eq!(after, baseline, "the returned loan's copy or title is left in the files");
}

/// The secret code of a reset or an address confirmation is in the files while the notice is
/// pending (the host must read it) and gone from the database and WAL once delivered (R-A5,
/// R-C2).
#[test]
fn item_8_a_delivered_code_is_not_recoverable_from_the_files() {
    // Kanagawa mails reset codes; this library also confirms new addresses by a mailed code,
    // as fukushima does (kanagawa's own entry mails nothing).
    let dir = tempfile::tempdir().unwrap();
    let mut policy = Policy::preset("kanagawa").unwrap();
    policy.contact.email_entry.code_required = true;
    policy.contact.email_entry.mail = bunko::policy::EmailEntryMail::Confirmation;
    let db = common::TempDb { path: dir.path().join("lib.sqlite"), _dir: dir };
    let mut w = World::on_file_with_policy(policy, "2026-06-01", &db.path);
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    w.lib.add_email(p, "second@example.jp", Some("second@example.jp"), Some("mobile")).unwrap();
    let codes: Vec<String> = w.lib.pending_notices(10).unwrap().iter().map(|n| code_in(&n.body).unwrap()).collect();
    assert_eq!(codes.len(), 2);
    let in_facts: Vec<String> =
        w.lib.pending_notices(10).unwrap().iter().filter_map(|n| n.facts.as_ref()?.code.clone()).collect();
    assert_eq!(in_facts, codes, "the facts carry the code too (V15), and go with the notice");
    let logged = format!("{:?}", w.lib.pending_notices(10).unwrap());
    assert!(codes.iter().all(|c| !logged.contains(c.as_str())), "a code in a host's debug log: {logged}");
    let before = raw_files(&db.path);
    assert!(codes.iter().all(|c| contains(&before, c.as_bytes())), "pending codes are in the files");

    let ids: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| n.id).collect();
    w.lib.mark_delivered(&ids).unwrap();
    let after = raw_files(&db.path);
    for code in &codes {
        assert!(!contains(&after, code.as_bytes()), "a delivered code is still in the files");
    }
    assert_eq!(w.lib.confirm_email(&codes[1]).unwrap(), p, "the codes still work: only hashes are kept");
}

/// Delivered notices keep no patron, address or title; notices about a hold or loan go with it;
/// a bounce is re-sent from the live hold (R-R1, R-C6).
#[test]
fn item_1_delivered_notices_name_no_patron_address_or_title() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let p = w.patron();
    w.lib.register_email_at_counter(p, "reader@example.jp", None).unwrap();
    let t = w.title("人に知られたくない本");
    let c = w.copy_of(t, "chuo", "book");
    w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::Mail).at_counter()).unwrap();
    w.lib.confirm_pulled(&c, "chuo").unwrap();
    let ready = w.lib.pending_notices(10).unwrap();
    assert_eq!(ready.len(), 1);
    let pending = dump(&db.path);
    let notices = pending.split("## notices\n").nth(1).unwrap().split("## ").next().unwrap();
    assert!(notices.contains("人に知られたくない本"), "the pending notice names the title");
    let facts = ready[0].facts.as_ref().expect("facts (V15)");
    assert_eq!(facts.title, "人に知られたくない本");
    let title_count = |notices: &str| notices.matches("人に知られたくない本").count();
    assert_eq!(title_count(notices), 2, "in the body and in the facts: {notices}");
    w.lib.mark_delivered(&[ready[0].id]).unwrap();
    let after = dump(&db.path);
    let notices = after.split("## notices\n").nth(1).unwrap().split("## ").next().unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let kept: i64 = conn.query_row("SELECT COUNT(*) FROM notices WHERE facts IS NOT NULL", [], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "the tombstone keeps no facts");
    drop(conn);
    assert!(!notices.contains("人に知られたくない本"), "{notices}");
    assert!(!notices.contains("reader@example.jp"), "{notices}");
    assert!(after.contains("## notice_counts\n"), "an anonymous count remains");
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());

    // A bounce after delivery is re-rendered from the live hold, to the chosen phone.
    let fallback = w.lib.mark_bounced(ready[0].id).unwrap().expect("a phone notice");
    let phone = w.lib.pending_notices(10).unwrap().into_iter().find(|n| n.id == fallback).unwrap();
    assert_eq!((phone.kind, phone.body.clone()), (NoticeKind::HoldReady, ready[0].body.clone()));
    // Collected: every notice about the hold goes, delivered or not.
    w.lib.checkout(&c, p, "chuo").unwrap();
    let collected = dump(&db.path);
    let notices = collected.split("## notices\n").nth(1).unwrap().split("## ").next().unwrap();
    assert!(notices.trim().is_empty(), "{notices}");
    assert!(w.lib.check().unwrap().is_empty());
}

/// A kanagawa patron opted in to due reminders, with a loan reminded the day before it is due:
/// `(patron, barcode, due date)`.
fn reminded_loan(w: &mut World) -> (PatronId, String, chrono::NaiveDate) {
    let p = w.patron();
    w.lib.register_email_at_counter(p, "k@example.jp", Some("pc")).unwrap();
    w.lib.set_due_reminders(p, true).unwrap();
    let c = w.copy_at("honkan", "book");
    let due = w.lib.checkout(&c, p, "honkan").unwrap().due_on;
    w.go_to(&(due - chrono::Days::new(1)).to_string());
    assert_eq!(w.lib.send_due_reminders().unwrap(), 1);
    (p, c, due)
}

/// A due reminder is about its loan: forgotten when the loan is returned, sent or not.
#[test]
fn item_1_due_reminders_are_forgotten_with_the_returned_loan_r_c6() {
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-06-01");
    let (_, c, _) = reminded_loan(&mut w);
    let reminder = w.lib.pending_notices(10).unwrap().pop().unwrap();
    assert!(reminder.loan.is_some(), "a reminder names its loan");
    w.lib.check_in(&c, "honkan").unwrap();
    assert!(w.lib.pending_notices(10).unwrap().is_empty(), "a stale reminder is not sent");
    assert!(!dump(&db.path).contains("k@example.jp\n"), "nor kept");
}

/// Activity is not recorded on return, and is kept to the month: joining it with loan dates
/// names nobody (R-R1), while R-A6 still counts years.
#[test]
fn item_3_last_activity_cannot_be_joined_with_loan_dates() {
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-05-20");
    let (p, c, due) = reminded_loan(&mut w);
    w.go_to(&due.to_string());
    w.lib.check_in(&c, "honkan").unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let last: String =
        conn.query_row("SELECT last_activity_on FROM patrons WHERE id = ?1", [p.get()], |r| r.get(0)).unwrap();
    assert_eq!(last, "2026-05-31", "the month of the checkout, not the day, and not the return");
    // The returned loan left no row whose days could be joined with the patron's (registration
    // included: a new patron usually borrows the day they register), nor its reminder day, which
    // would single out opted-in patrons.
    let loans: i64 = conn.query_row("SELECT COUNT(*) FROM loans", [], |r| r.get(0)).unwrap();
    assert_eq!(loans, 0);
    let registered: String =
        conn.query_row("SELECT registered_on FROM patrons WHERE id = ?1", [p.get()], |r| r.get(0)).unwrap();
    assert_eq!(registered, "2026-05-01", "the month of registration");
}

/// What is typed into the card field is never stored: a keyed hash counts the failures.
#[test]
fn item_4_a_password_typed_as_a_card_number_is_not_stored() {
    let (mut w, db) = World::on_temp_file("chikushino", "2026-06-01");
    let typed = "07201994"; // a birthday-style password, valid as a chikushino card number
    for _ in 0..3 {
        assert!(matches!(w.lib.login(typed, "whatever"), Err(Error::LoginFailed)));
    }
    drop(w);
    assert!(!contains(&raw_files(&db.path), typed.as_bytes()), "the typed card is in the files");
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let n: i64 = conn.query_row("SELECT COUNT(*) FROM login_failures", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 3, "the failures are still counted");
}

/// Many handles guessing at once: at most `lockout_attempts` guesses are verified per window.
#[test]
fn item_5_lockout_holds_under_sixteen_concurrent_handles() {
    const HANDLES: usize = 16;
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let (_, card, _) = with_temporary_password(&mut w);
    let limit = w.lib.policy().accounts.lockout_attempts as usize;
    let barrier = Arc::new(Barrier::new(HANDLES));
    let guesses: Vec<_> = (0..HANDLES)
        .map(|i| {
            let (path, card, barrier, clock) = (db.path.clone(), card.clone(), barrier.clone(), w.clock.clone());
            thread::spawn(move || {
                let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock).unwrap();
                barrier.wait();
                lib.login(&card, &format!("guess{i:04}"))
            })
        })
        .collect();
    let results: Vec<_> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    let verified = results.iter().filter(|r| matches!(r, Err(Error::LoginFailed))).count();
    let locked = results.iter().filter(|r| matches!(r, Err(Error::LockedOut { .. }))).count();
    assert_eq!((verified, locked), (limit, HANDLES - limit), "{results:?}");
}

/// A wrong current password in `change_password` counts toward the lockout.
#[test]
fn item_5_wrong_current_passwords_count_toward_lockout() {
    let mut w = World::new("chiba", "2026-06-01");
    let (p, card, temporary) = with_temporary_password(&mut w);
    for _ in 0..w.lib.policy().accounts.lockout_attempts {
        let wrong = w.lib.change_password(p, "not-it", "Chiba2026", "Chiba2026");
        assert!(matches!(wrong, Err(Error::InvalidInput { field: "current_password", .. })));
    }
    assert!(matches!(w.lib.change_password(p, &temporary, "Chiba2026", "Chiba2026"), Err(Error::LockedOut { .. })));
    assert!(matches!(w.lib.login(&card, &temporary), Err(Error::LockedOut { .. })));
}

/// Blocking ends every session, and no path hands a blocked patron a new one (R-A6).
#[test]
fn item_6_a_blocked_patron_gets_no_session_by_any_path_r_a6() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let (p, card, temporary) = with_temporary_password(&mut w);
    let session = w.lib.login(&card, &temporary).unwrap();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let code = reset_code(&w.lib).unwrap();

    w.lib.set_patron_blocked(p, true).unwrap();
    assert!(matches!(w.lib.authenticate(&session.token), Err(Error::NotAuthenticated)));
    let blocked = |e: Error| matches!(e, Error::Refused(ref r) if r.reasons.contains(&Reason::PatronBlocked));
    assert!(blocked(w.lib.redeem_password_reset(&code, "kanagawa#2026", "kanagawa#2026").unwrap_err()));
    assert!(blocked(w.lib.change_password(p, &temporary, "kanagawa#2026", "kanagawa#2026").unwrap_err()));
    assert!(blocked(w.lib.login(&card, &temporary).unwrap_err()));

    // Self-issue (fukushima) is refused the same way.
    let mut f = World::new("fukushima", "2026-06-01");
    let card = f.card();
    let mut np = NewPatron::new(card.clone(), "福島 花子", day("2027-03-31"));
    np.birth_date = Some(day("1980-04-02"));
    np.phones = vec![bunko::patrons::Phone::new(bunko::patrons::PhoneKind::Home, "024-535-3218")];
    let q = f.lib.register_patron(np).unwrap();
    f.lib.set_patron_blocked(q, true).unwrap();
    let err = f.lib.self_issue_password(&card, day("1980-04-02"), "024-535-3218", "Fukushima1", "Fukushima1", true);
    assert!(blocked(err.unwrap_err()));
}

/// The code in the newest pending password-reset notice.
fn reset_code(lib: &Library) -> Option<String> {
    let notices = lib.pending_notices(100).unwrap();
    code_in(&notices.into_iter().rev().find(|n| n.kind == NoticeKind::PasswordReset)?.body)
}

/// Setting a password by any path revokes outstanding codes; requests are throttled per card;
/// a new code revokes the older one; `check()` sees a patron with too many (R-A5).
#[test]
fn item_7_reset_codes_are_revoked_and_throttled_r_a5() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();

    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let first = reset_code(&w.lib).unwrap();
    w.lib.issue_temporary_password(p).unwrap();
    assert!(w.lib.redeem_password_reset(&first, "kanagawa#2026", "kanagawa#2026").is_err(), "revoked");

    w.clock.advance(Duration::hours(2));
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let second = reset_code(&w.lib).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let third = reset_code(&w.lib).unwrap();
    assert!(w.lib.redeem_password_reset(&second, "kanagawa#2026", "kanagawa#2026").is_err(), "one outstanding");
    let sent = w.lib.pending_notices(100).unwrap().len();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    assert_eq!(w.lib.pending_notices(100).unwrap().len(), sent + 1, "three per hour");
    assert!(w.lib.check().unwrap().is_empty());
    let latest = reset_code(&w.lib).unwrap();
    assert_ne!(latest, third);
    assert!(w.lib.redeem_password_reset(&latest, "kanagawa#2026", "kanagawa#2026").is_ok());
}

/// A session used every few minutes still ends at its absolute lifetime (ASVS 3.3).
#[test]
fn item_7_sessions_have_an_absolute_lifetime() {
    let mut w = World::new("chiba", "2026-06-01");
    let (_, card, temporary) = with_temporary_password(&mut w);
    let session = w.lib.login(&card, &temporary).unwrap();
    let hours = i64::from(w.lib.policy().accounts.session_max_hours);
    for _ in 0..(hours * 3 - 1) {
        w.clock.advance(Duration::minutes(20));
        w.lib.authenticate(&session.token).unwrap();
    }
    w.clock.advance(Duration::minutes(20));
    assert!(matches!(w.lib.authenticate(&session.token), Err(Error::NotAuthenticated)));
}

/// A half-written file (all zeros) or another program's database is refused untouched; a
/// backup goes through a temporary file, verifies, and never leaves a partial file at the
/// target.
#[test]
fn item_14_backups_are_verified_and_foreign_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = dir.path().join("zeros.sqlite");
    std::fs::write(&zeros, vec![0u8; 8192]).unwrap();
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let err = Library::open(&zeros, Policy::preset("chiba").unwrap(), clock).unwrap_err();
    assert!(matches!(err, Error::NotBunkoDatabase { .. }), "{err}");
    assert_eq!(std::fs::read(&zeros).unwrap(), vec![0u8; 8192], "left untouched");

    let foreign = dir.path().join("foreign.sqlite");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE accounts (id INTEGER);").unwrap();
    let before = std::fs::read(&foreign).unwrap();
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let err = Library::open(&foreign, Policy::preset("chiba").unwrap(), clock).unwrap_err();
    assert!(matches!(err, Error::NotBunkoDatabase { .. }), "{err}");
    assert_eq!(std::fs::read(&foreign).unwrap(), before);

    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let p = w.patron();
    let c = w.copy_at("chuo", "book");
    w.lib.checkout(&c, p, "chuo").unwrap();
    let target = db.path.with_file_name("backup.sqlite");
    // A partial file left by a backup killed earlier does not get in the way.
    std::fs::write(db.path.with_file_name(".backup.sqlite.0000000000000000.partial"), [0u8; 100]).unwrap();
    let report = w.lib.backup_to(&target).unwrap();
    assert_eq!(report.schema_version, bunko::supported_schema_version());
    let rows = |t: &str| report.rows.iter().find(|(n, _)| n == t).map(|(_, n)| *n);
    assert_eq!((rows("patrons"), rows("loans"), rows("copies")), (Some(1), Some(1), Some(1)));
    assert_eq!(report.bytes, std::fs::metadata(&target).unwrap().len());
    let leftovers: Vec<_> = std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "the earlier partial is swept, the new one renamed: {leftovers:?}");
    let restored = Library::open(&target, Policy::preset("chiba").unwrap(), w.clock.clone()).unwrap();
    assert_eq!(restored.patron_loans(p).unwrap().len(), 1);
}

/// Eight handles opening one new file at once, fifty times: every open succeeds.
#[test]
fn item_15_concurrent_first_opens_all_succeed() {
    const HANDLES: usize = 8;
    for round in 0..50 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("new.sqlite");
        let barrier = Arc::new(Barrier::new(HANDLES));
        let opens: Vec<_> = (0..HANDLES)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                thread::spawn(move || {
                    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
                    barrier.wait();
                    Library::open(&path, Policy::preset("kanagawa").unwrap(), clock).map(|lib| lib.schema_version())
                })
            })
            .collect();
        for open in opens {
            let version = open.join().unwrap().unwrap_or_else(|e| panic!("round {round}: {e}")).unwrap();
            assert_eq!(version, bunko::supported_schema_version());
        }
    }
}

/// A database from a newer bunko is refused before any pragma touches it: not even the
/// journal-mode bytes of its header change.
#[test]
fn item_16_a_newer_database_is_refused_byte_for_byte_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    let clock = || FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    drop(Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'future', '2030-01-01', '0')",
        [bunko::supported_schema_version() + 1],
    )
    .unwrap();
    conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();
    assert_eq!((before[18], before[19]), (1, 1), "a rollback-journal database");
    let err = Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { .. }), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    assert!(!wal_of(&path).exists());
}

/// A clock outside the supported years is refused at open; a clock that runs away afterwards
/// is pinned to the last supported day: no panic, no unreadable date written.
#[test]
fn item_11_a_clock_outside_the_supported_years_is_refused_not_a_panic() {
    let clock = FixedClock::new(chrono::DateTime::<Utc>::MAX_UTC);
    let err = Library::open_in_memory(Policy::preset("chiba").unwrap(), clock).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "clock", .. }), "{err}");
    let clock = FixedClock::new(Utc.with_ymd_and_hms(1850, 1, 1, 0, 0, 0).unwrap());
    let err = Library::open_in_memory(Policy::preset("chiba").unwrap(), clock).unwrap_err();
    assert!(matches!(err, Error::InvalidInput { field: "clock", .. }), "{err}");

    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    w.clock.set(chrono::DateTime::<Utc>::MAX_UTC);
    assert_eq!(w.lib.today(), day("9999-12-30"));
    let c = w.copy_at("chuo", "book");
    let result = w.lib.checkout(&c, p, "chuo");
    assert!(!matches!(result, Err(Error::Storage(_))), "{result:?}");
    assert!(w.lib.check().unwrap().is_empty());
}

/// A login whose argon2 check was running while staff reset the password must not undo the
/// reset: no session for the old password, and no rehash writing the old hash back (review of
/// item 5/7). Holds in every interleaving; the slow old-parameter hash makes the race likely.
#[test]
fn item_7_a_login_racing_a_password_reset_does_not_undo_it() {
    use argon2::password_hash::PasswordHasher;
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    // A hash with older, slower parameters: login verifies it, then rehashes.
    let params = argon2::Params::new(64 * 1024, 6, 1, None).unwrap();
    let old = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let phc = old.hash_password_with_salt(b"Leaked2020", b"0123456789abcdef").unwrap().to_string();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE patrons SET password_hash = ?1 WHERE id = ?2", rusqlite::params![phc, p.get()]).unwrap();
    drop(conn);

    let (path, clock, stolen) = (db.path.clone(), w.clock.clone(), card.clone());
    let attacker = thread::spawn(move || {
        let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock).unwrap();
        lib.login(&stolen, "Leaked2020")
    });
    thread::sleep(std::time::Duration::from_millis(60));
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    if let Ok(session) = attacker.join().unwrap() {
        assert!(w.lib.authenticate(&session.token).is_err(), "the old password's session outlived the reset");
    }
    assert!(matches!(w.lib.login(&card, "Leaked2020"), Err(Error::LoginFailed)), "the old hash came back");
    assert!(w.lib.login(&card, &temporary).is_ok());
}

/// A library file at schema `version` with branch chuo and what `sql` wrote, as an older bunko
/// left it: WAL, without `secure_delete`, checkpointed. The file lives as long as the directory.
fn older_library(version: u32, sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let conn = common::database_at_version(&path, version);
    conn.execute_batch("INSERT INTO branches VALUES ('chuo', '中央図書館', 1, 0);").unwrap();
    conn.execute_batch(sql).unwrap();
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
    (dir, path)
}

/// An upgraded library was written without secure_delete: the upgrade rewrites the file once,
/// so a borrower, a code or a typed card an older bunko left in free space does not survive.
#[test]
fn item_2_an_upgrade_leaves_nothing_an_older_bunko_left_in_free_space() {
    // What a V7 bunko did, without secure_delete: lend, return, deliver a code, forget a failed
    // login.
    let (_dir, path) = older_library(
        7,
        &format!(
            "INSERT INTO titles (id, title) VALUES (1, 'ひみつの本');
             INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since)
                 VALUES (1, 'C000001', 1, 'chuo', 'book', 1, 'on_shelf', '2026-01-01');
             INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on)
                 VALUES ({MARKED_PATRON}, '10000001', '記録 消子', '2026-01-01', '2029-03-31', '2026-05-01');
             INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
                 VALUES (1, 1, 1, {MARKED_PATRON}, 'chuo', 'active', '2026-05-01', '2026-05-15');
             INSERT INTO notices (patron_id, kind, channel, address, subject, body, is_secret, created_at)
                 VALUES ({MARKED_PATRON}, 'password_reset', 'mail', 'k@example.jp', 's',
                         'パスワードの再設定を受け付けました。次のコードを入力してください。' || char(10) || 'コード: ZZCODE4711ZZ'
                         || char(10) || 'お心当たりのない場合はこのメールを破棄してください。静岡市立図書館', 1,
                         '2026-05-01T00:00:00Z');
             INSERT INTO login_failures (card_number, at) VALUES ('TYPED-AS-CARD', '2026-05-01T00:00:00Z');
             UPDATE loans SET status = 'returned', returned_on = '2026-05-10', returned_at = 'chuo', patron_id = NULL;
             UPDATE notices SET delivered_at = '2026-05-01T00:01:00Z', body = '(redacted after delivery)';
             DELETE FROM login_failures;"
        ),
    );
    let before = raw_files(&path);
    assert!(contains(&before, b"ZZCODE4711ZZ") && contains(&before, b"TYPED-AS-CARD"), "the old leftovers");
    assert!(occurrences(&before, &marked_bytes()) > 1, "the old borrower");
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let lib = Library::open(&path, Policy::preset("shizuoka").unwrap(), clock).unwrap();
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
    drop(lib);
    let after = raw_files(&path);
    assert!(!contains(&after, b"ZZCODE4711ZZ"), "a delivered code survived the upgrade");
    assert!(!contains(&after, b"TYPED-AS-CARD"), "a typed card survived the upgrade");
    // The patron's own card-number index entry is the one legitimate copy of its id.
    assert!(occurrences(&after, &marked_bytes()) <= 1, "the returned loan's borrower survived the upgrade");
}

/// A V10 library kept its returned loans (copy, title and days; the patron cleared). The
/// upgrade turns them into the same daily counts and deletes them, and the file is rewritten,
/// so neither their rows nor their bytes survive. The open loan carries on with its reading
/// history and its reminder, and no loan id is given again.
#[test]
fn item_2_an_upgrade_turns_returned_loans_into_counts_and_leaves_no_byte_of_them() {
    let (dir, path) = older_library(
        10,
        &format!(
            "INSERT INTO titles (id, title) VALUES ({MARKED_TITLE}, '返された本'), (2, '借りている本');
             INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since)
                 VALUES ({MARKED_COPY}, 'C000001', {MARKED_TITLE}, 'chuo', 'book', 1, 'on_shelf', '2026-01-01'),
                        (2, 'C000002', 2, 'chuo', 'book', 1, 'on_loan', '2026-01-01');
             INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on,
                                  reading_history_since, wants_due_reminders)
                 VALUES (1, '10000001', '記録 残子', '2026-01-01', '2029-03-31', '2026-05-31', '2026-01-01', 1);
             INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on,
                                returned_on, returned_at, days_overdue)
                 VALUES (1, {MARKED_COPY}, {MARKED_TITLE}, NULL, 'chuo', 'returned', '2026-04-01', '2026-04-15',
                         '2026-04-18', 'chuo', 3),
                        (3, {MARKED_COPY}, {MARKED_TITLE}, NULL, 'chuo', 'returned', '2026-05-01', '2026-05-15',
                         '2026-05-10', 'chuo', 0);
             INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on, reminded_on)
                 VALUES (2, 2, 2, 1, 'chuo', 'active', '2026-05-10', '2026-05-24', '2026-05-23');
             INSERT INTO reading_history (patron_id, title_id, loan_id, checked_out_on) VALUES (1, 2, 2, '2026-05-10');
             INSERT INTO notices (patron_id, kind, channel, address, subject, body, loan_id, created_at)
                 VALUES (1, 'due_reminder', 'mail', 'z@example.jp', '返却期限のお知らせ', '借りている本', 2,
                         '2026-05-23T00:00:00Z');"
        ),
    );
    let before = raw_files(&path);
    let copy_indexes = |lib: &Path| -> usize {
        let conn = rusqlite::Connection::open(lib).unwrap();
        conn.query_row("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'copies'", [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as usize
    };
    assert!(occurrences(&before, &bytes_of(MARKED_COPY)) > copy_indexes(&path), "the returned loans' rows");
    // The migration (in one transaction, as the engine runs it) leaves the rewrite to the engine.
    let migrated = dir.path().join("migrated.sqlite");
    std::fs::copy(&path, &migrated).unwrap();
    let conn = rusqlite::Connection::open(&migrated).unwrap();
    let v11 = include_str!("../migrations/V11__returned_loan_counts.sql");
    conn.execute_batch(&format!("BEGIN IMMEDIATE; {v11} COMMIT;")).unwrap();
    let task: String = conn.query_row("SELECT task FROM upkeep_tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(task, "vacuum");
    drop(conn);

    let clock = Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap()));
    let open = || Library::open(&path, Policy::preset("shizuoka").unwrap(), clock.clone()).unwrap();
    let lib = open();
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
    let counts = lib.daily_circulation(day("2026-04-01"), day("2026-05-31")).unwrap();
    assert_eq!(
        counts.iter().map(|d| (d.day.to_string(), d.checkouts, d.returns)).collect::<Vec<_>>(),
        [("2026-04-01", 1, 0), ("2026-04-18", 0, 1), ("2026-05-01", 1, 0), ("2026-05-10", 1, 1)].map(|(d, c, r)| (
            d.to_owned(),
            c,
            r
        )),
        "the numbers the returned loans gave"
    );
    drop(lib);
    let after = raw_files(&path);
    assert!(occurrences(&after, &bytes_of(MARKED_COPY)) <= copy_indexes(&path), "a returned loan survived the upgrade");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let pending: i64 = conn.query_row("SELECT COUNT(*) FROM upkeep_tasks", [], |r| r.get(0)).unwrap();
    assert_eq!(pending, 0, "the file was rewritten at open");
    drop(conn);

    let mut lib = open();
    let p = PatronId::from(1);
    let reminder = lib.pending_notices(10).unwrap().pop().unwrap();
    assert_eq!(reminder.loan.map(|l| l.get()), Some(2), "the open loan's reminder");
    let done = lib.check_in("C000002", "chuo").unwrap();
    assert_eq!((done.loan.get(), done.patron, done.days_overdue), (2, p, 8));
    assert!(lib.pending_notices(10).unwrap().is_empty(), "its reminder went with it");
    assert_eq!(lib.reading_history(p, 10, 0).unwrap()[0].returned_on, Some(day("2026-06-01")));
    let again = lib.checkout("C000002", p, "chuo").unwrap();
    assert_eq!(again.id.get(), 4, "ids of the deleted loans are not given again");
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
}

/// A newer bunko's database in WAL mode, its last commits still in the `-wal` (a crashed
/// server, a copied directory): refusing it neither checkpoints nor deletes the WAL.
#[test]
fn item_16_a_newer_wal_database_is_refused_with_its_wal_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("future.sqlite");
    let clock = || FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    drop(Library::open(&path, Policy::preset("chiba").unwrap(), clock()).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
    conn.execute(
        "INSERT INTO refinery_schema_history (version, name, applied_on, checksum) VALUES (?1, 'future', '2030-01-01', '0')",
        [bunko::supported_schema_version() + 1],
    )
    .unwrap();
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("future.sqlite");
    std::fs::copy(&path, &copy).unwrap();
    std::fs::copy(wal_of(&path), wal_of(&copy)).unwrap();
    drop(conn);
    let (db_before, wal_before) = (std::fs::read(&copy).unwrap(), std::fs::read(wal_of(&copy)).unwrap());
    assert!(!wal_before.is_empty());
    let err = Library::open(&copy, Policy::preset("chiba").unwrap(), clock()).unwrap_err();
    assert!(matches!(err, Error::SchemaTooNew { .. }), "{err}");
    assert!(std::fs::read(&copy).unwrap() == db_before, "the .sqlite file was written");
    assert!(std::fs::read(wal_of(&copy)).ok() == Some(wal_before), "the -wal was consumed");
}
