//! The outbox with claims (#16, item 5): several drainers, each with its own `Library` on one
//! database file, share the outbox. Every notice is delivered; none is handed to two drainers
//! while its lease holds; a drainer that dies leaves its notices for another after the lease,
//! with the same idempotency key; failures back off and end held for staff; a delivered
//! notice keeps no key or claim, in its row or in the files.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use bunko::notify::{MAX_DELIVERY_ATTEMPTS, NoticeId, retry_delay};
use bunko::{Clock, Error, FixedClock, Library, Policy};
use common::{TempDb, World};

const LEASE: Duration = Duration::from_secs(10 * 60);

/// A chiba library in a file with `n` ready hold notices waiting to be mailed.
fn outbox_of(n: usize) -> (World, TempDb) {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    for i in 0..n {
        w.ready_mail_hold("chuo", &format!("reader{i}@example.jp"), None);
    }
    assert_eq!(w.lib.pending_notices(1000).unwrap().len(), n);
    (w, db)
}

fn open(path: &Path, clock: Arc<FixedClock>) -> Library {
    Library::open(path, Policy::preset("chiba").unwrap(), clock).unwrap()
}

/// Retries an operation the busy timeout gave up on (the host's call, see the README).
fn retrying<T>(mut op: impl FnMut() -> bunko::Result<T>) -> T {
    loop {
        match op() {
            Err(e) if e.is_busy() => thread::yield_now(),
            other => return other.unwrap(),
        }
    }
}

/// `drainers` threads drain the outbox in small batches until it is empty; returns, per notice,
/// the (drainer, key) of every claim, and how many `mark_delivered` reported.
fn drain_concurrently(
    path: &Path,
    clock: &Arc<FixedClock>,
    drainers: usize,
) -> (BTreeMap<NoticeId, Vec<(usize, String)>>, usize) {
    let start = Arc::new(Barrier::new(drainers));
    let workers: Vec<_> = (0..drainers)
        .map(|d| {
            let (path, clock, start) = (path.to_path_buf(), clock.clone(), start.clone());
            thread::spawn(move || {
                let mut lib = open(&path, clock);
                let (mut claims, mut marked) = (Vec::new(), 0);
                start.wait();
                loop {
                    let batch = retrying(|| lib.claim_notices(3 + d as u32, LEASE));
                    if batch.is_empty() {
                        return (claims, marked);
                    }
                    let ids: Vec<NoticeId> = batch.iter().map(|n| n.id).collect();
                    claims.extend(batch.into_iter().map(|n| (n.id, d, n.key)));
                    thread::sleep(Duration::from_millis(2)); // delivering
                    marked += retrying(|| lib.mark_delivered(&ids));
                }
            })
        })
        .collect();
    let mut by_notice: BTreeMap<NoticeId, Vec<(usize, String)>> = BTreeMap::new();
    let mut marked = 0;
    for worker in workers {
        let (claims, m) = worker.join().unwrap();
        marked += m;
        for (id, drainer, key) in claims {
            by_notice.entry(id).or_default().push((drainer, key));
        }
    }
    (by_notice, marked)
}

fn every_notice_goes_out_exactly_once(drainers: usize) {
    let (w, db) = outbox_of(200);
    let expected: BTreeMap<NoticeId, String> =
        w.lib.pending_notices(1000).unwrap().into_iter().map(|n| (n.id, n.key)).collect();
    let (claims, marked) = drain_concurrently(&db.path, &w.clock, drainers);
    assert_eq!(claims.keys().copied().collect::<BTreeSet<_>>(), expected.keys().copied().collect());
    for (id, got) in &claims {
        assert_eq!(got.len(), 1, "notice {id:?} was handed out {} times while its lease held: {got:?}", got.len());
        assert_eq!(got[0].1, expected[id], "the key changed between the peek and the claim");
    }
    let busy: BTreeSet<usize> = claims.values().map(|c| c[0].0).collect();
    assert_eq!(marked, 200, "every notice marked delivered exactly once");
    assert!(busy.len() > 1, "only drainer {busy:?} got any notice: the test did not run concurrently");
    assert!(w.lib.pending_notices(1000).unwrap().is_empty());
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

#[test]
fn two_drainers_deliver_every_notice_exactly_once() {
    every_notice_goes_out_exactly_once(2);
}

#[test]
fn four_drainers_deliver_every_notice_exactly_once() {
    every_notice_goes_out_exactly_once(4);
}

/// Four drainers, each abandoning about one batch in eight as if it had crashed, while the clock
/// moves a minute whenever a drainer finds nothing to claim. Every notice is delivered; a
/// notice claimed again was claimed no earlier than its previous lease's end, and always with
/// the same key.
#[test]
fn under_crashes_and_a_moving_clock_no_lease_is_cut_short() {
    let (w, db) = outbox_of(200);
    let lease = chrono::Duration::seconds(LEASE.as_secs() as i64);
    let start = Arc::new(Barrier::new(4));
    let workers: Vec<_> = (0..4u64)
        .map(|d| {
            let (path, clock, start) = (db.path.clone(), w.clock.clone(), start.clone());
            thread::spawn(move || {
                let mut lib = open(&path, clock.clone());
                let mut rng = common::Lcg(d * 7919 + 3);
                let mut claims = Vec::new();
                start.wait();
                loop {
                    let before = clock.now();
                    let batch = retrying(|| lib.claim_notices(4, LEASE));
                    let after = clock.now();
                    if batch.is_empty() {
                        if retrying(|| lib.pending_notices(1)).is_empty() {
                            return claims;
                        }
                        clock.advance(chrono::Duration::minutes(1));
                        thread::sleep(Duration::from_millis(1));
                        continue;
                    }
                    let ids: Vec<NoticeId> = batch.iter().map(|n| n.id).collect();
                    claims.extend(batch.into_iter().map(|n| (n.id, before, after, n.key)));
                    if rng.below(8) != 0 {
                        retrying(|| lib.mark_delivered(&ids));
                    }
                }
            })
        })
        .collect();
    let mut by_notice: BTreeMap<NoticeId, Vec<_>> = BTreeMap::new();
    for worker in workers {
        for (id, before, after, key) in worker.join().unwrap() {
            by_notice.entry(id).or_default().push((before, after, key));
        }
    }
    assert_eq!(by_notice.len(), 200);
    let mut reclaimed = 0;
    for (id, claims) in &mut by_notice {
        claims.sort();
        for pair in claims.windows(2) {
            let ((first, _, key), (_, second, again)) = (&pair[0], &pair[1]);
            assert!(*second >= *first + lease, "notice {id:?} claimed again before its lease ended: {pair:?}");
            assert_eq!(key, again, "notice {id:?} changed its key");
            reclaimed += 1;
        }
    }
    assert!(reclaimed > 0, "no drainer abandoned a batch: the test proved nothing about leases");
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

#[test]
fn keys_are_random_per_notice_and_the_peek_claims_nothing() {
    let (mut w, _db) = outbox_of(3);
    let peeked = w.lib.pending_notices(10).unwrap();
    let keys: BTreeSet<&str> = peeked.iter().map(|n| n.key.as_str()).collect();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| k.len() == 32 && k.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())));
    assert!(peeked.iter().all(|n| n.attempts == 0));
    let claimed = w.lib.claim_notices(10, LEASE).unwrap();
    assert_eq!(
        claimed.iter().map(|n| (n.id, n.key.clone())).collect::<Vec<_>>(),
        peeked.iter().map(|n| (n.id, n.key.clone())).collect::<Vec<_>>()
    );
    assert!(claimed.iter().all(|n| n.attempts == 1));
    // The peek still lists claimed notices; claims do not hand them out again.
    assert_eq!(w.lib.pending_notices(10).unwrap().len(), 3);
    assert!(w.lib.claim_notices(10, LEASE).unwrap().is_empty());
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

#[test]
fn a_lease_must_be_from_a_second_to_a_day() {
    let (mut w, _db) = outbox_of(1);
    for lease in [Duration::ZERO, Duration::from_millis(999), bunko::notify::MAX_LEASE + Duration::from_secs(1)] {
        assert!(matches!(w.lib.claim_notices(10, lease), Err(Error::InvalidInput { field: "lease", .. })), "{lease:?}");
    }
    assert_eq!(w.lib.claim_notices(10, bunko::notify::MAX_LEASE).unwrap().len(), 1);
}

/// A drainer claims and dies before marking anything: nobody gets its notices while the lease
/// holds; then another drainer does, with the keys the dead one had (the mail system drops the
/// copies it already accepted).
#[test]
fn a_crashed_drainers_notices_come_back_after_the_lease_with_the_same_key() {
    let (w, db) = outbox_of(5);
    let mut crashed = open(&db.path, w.clock.clone());
    let lost: Vec<(NoticeId, String)> =
        crashed.claim_notices(5, LEASE).unwrap().into_iter().map(|n| (n.id, n.key)).collect();
    assert_eq!(lost.len(), 5);
    drop(crashed);

    let mut survivor = open(&db.path, w.clock.clone());
    assert!(survivor.claim_notices(10, LEASE).unwrap().is_empty());
    w.clock.advance(chrono::Duration::seconds(LEASE.as_secs() as i64 - 1));
    assert!(survivor.claim_notices(10, LEASE).unwrap().is_empty(), "handed out a second before the lease ends");
    w.clock.advance(chrono::Duration::seconds(1));
    let again = survivor.claim_notices(10, LEASE).unwrap();
    assert_eq!(again.iter().map(|n| (n.id, n.key.clone())).collect::<Vec<_>>(), lost);
    assert!(again.iter().all(|n| n.attempts == 2));
    let ids: Vec<NoticeId> = again.iter().map(|n| n.id).collect();
    assert_eq!(survivor.mark_delivered(&ids).unwrap(), 5);
    assert_eq!(survivor.mark_delivered(&ids).unwrap(), 0, "a second mark of a sent notice is ignored");
    assert!(survivor.check().unwrap().is_empty(), "{:?}", survivor.check());
}

/// Each failure waits out `retry_delay` of its attempts (5, 10, 20 ... 320 minutes); the eighth
/// failure holds the notice for staff, who put it back with its key.
#[test]
fn failures_back_off_then_the_notice_is_held_for_staff() {
    let (mut w, _db) = outbox_of(1);
    let first = w.lib.claim_notices(1, LEASE).unwrap().pop().unwrap();
    let id = first.id;
    assert_eq!(w.lib.pending_notices(1).unwrap()[0].attempts, 1, "the peek shows the attempt");
    let mut claim = first.claim();
    for attempts in 1..MAX_DELIVERY_ATTEMPTS {
        assert_eq!(w.lib.mark_failed(&[claim]).unwrap(), 1);
        let wait = retry_delay(attempts).unwrap();
        assert_eq!(wait, Duration::from_secs(5 * 60 * (1 << (attempts - 1))));
        w.clock.advance(chrono::Duration::seconds(wait.as_secs() as i64 - 1));
        assert!(
            w.lib.claim_notices(1, LEASE).unwrap().is_empty(),
            "retried before the back-off after attempt {attempts}"
        );
        w.clock.advance(chrono::Duration::seconds(1));
        let retried = w.lib.claim_notices(1, LEASE).unwrap().pop().expect("retried after the back-off");
        assert_eq!((retried.id, retried.attempts, retried.key.as_str()), (id, attempts + 1, first.key.as_str()));
        claim = retried.claim();
    }
    // The eighth attempt fails: held, however long one waits.
    assert_eq!(w.lib.mark_failed(&[claim]).unwrap(), 1);
    w.advance_days(30);
    assert!(w.lib.claim_notices(1, LEASE).unwrap().is_empty());
    let held = w.lib.pending_notices(1).unwrap().pop().unwrap();
    assert!(held.is_held() && held.attempts == MAX_DELIVERY_ATTEMPTS);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());

    assert_eq!(w.lib.retry_notices(&[id]).unwrap(), 1);
    assert_eq!(w.lib.retry_notices(&[id]).unwrap(), 0, "no longer held");
    let back = w.lib.claim_notices(1, LEASE).unwrap().pop().unwrap();
    assert_eq!((back.id, back.attempts, &back.key), (id, 1, &first.key));
    assert_eq!(w.lib.mark_delivered(&[id]).unwrap(), 1);
    assert_eq!(w.lib.mark_failed(&[back.claim()]).unwrap(), 0, "a delivered notice records no failure");
}

/// A drainer whose lease ran out reports its failure late, after a second drainer claimed the
/// notice: the late report is ignored, so no third drainer gets the notice while the second
/// one's lease holds (found by the #16 review).
#[test]
fn a_late_failure_does_not_release_another_drainers_claim() {
    let (mut w, _db) = outbox_of(1);
    let late = w.lib.claim_notices(1, Duration::from_secs(60)).unwrap().pop().unwrap();
    w.clock.advance(chrono::Duration::seconds(61));
    let current = w.lib.claim_notices(1, Duration::from_secs(3600)).unwrap().pop().expect("the lease ran out");
    assert_eq!(current.id, late.id);
    assert_eq!(w.lib.mark_failed(&[late.claim()]).unwrap(), 0, "a stale claim records nothing");
    w.clock.advance(chrono::Duration::minutes(30));
    assert!(w.lib.claim_notices(1, LEASE).unwrap().is_empty(), "the second drainer's lease still holds");
    assert_eq!(w.lib.mark_failed(&[current.claim()]).unwrap(), 1, "the current claim is honoured");
}

/// A crash on the last allowed attempt holds the notice too: a notice that kills its drainer
/// every time does not loop forever.
#[test]
fn a_notice_that_keeps_crashing_its_drainer_is_held() {
    let (mut w, _db) = outbox_of(1);
    for _ in 0..MAX_DELIVERY_ATTEMPTS {
        assert_eq!(w.lib.claim_notices(1, LEASE).unwrap().len(), 1);
        w.clock.advance(chrono::Duration::seconds(LEASE.as_secs() as i64));
    }
    assert!(w.lib.claim_notices(1, LEASE).unwrap().is_empty());
    assert!(w.lib.pending_notices(1).unwrap()[0].is_held());
}

fn raw_files(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    bytes.extend(std::fs::read(format!("{}-wal", db.display())).unwrap_or_default());
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn key_bytes(key: &str) -> Vec<u8> {
    (0..key.len()).step_by(2).map(|i| u8::from_str_radix(&key[i..i + 2], 16).unwrap()).collect()
}

/// After delivery the tombstone keeps no key, attempt count or lease, and once the daily scrub
/// has run the key's bytes are in neither the database nor the WAL: nothing the mail system
/// logged against the patron's address can be joined to the row or the day's counts (R-R1).
#[test]
fn a_delivered_notice_keeps_no_key_or_claim_in_its_row_or_the_files() {
    let (mut w, db) = outbox_of(1);
    let notice = w.lib.claim_notices(1, LEASE).unwrap().pop().unwrap();
    let key = key_bytes(&notice.key);
    assert!(contains(&raw_files(&db.path), &key), "the pending key is stored");
    w.lib.mark_delivered(&[notice.id]).unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let tombstone: (Option<Vec<u8>>, i64, Option<String>) = conn
        .query_row("SELECT delivery_key, attempts, not_before FROM notices WHERE id = ?1", [notice.id.get()], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(tombstone, (None, 0, None), "a tombstone of a live hold keeps no claim");
    drop(conn);
    assert!(w.lib.scrub().unwrap().wal_truncated);
    assert!(!contains(&raw_files(&db.path), &key), "the delivered notice's key is still in the files");
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// A claimed reset code is gone from the files as soon as it is marked delivered, as with the
/// peek: the claim's own page writes are truncated with the WAL.
#[test]
fn a_claimed_code_is_not_recoverable_from_the_files_once_delivered() {
    let dir = tempfile::tempdir().unwrap();
    let db = TempDb { path: dir.path().join("lib.sqlite"), _dir: dir };
    let mut w = World::on_file("kanagawa", "2026-06-01", &db.path);
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let notice = w.lib.claim_notices(10, LEASE).unwrap().pop().unwrap();
    assert!(notice.secret);
    let code = notice.body.lines().find_map(|l| l.strip_prefix("コード: ")).expect("a code").to_owned();
    assert!(contains(&raw_files(&db.path), code.as_bytes()));
    assert_eq!(w.lib.mark_delivered(&[notice.id]).unwrap(), 1);
    assert!(!contains(&raw_files(&db.path), code.as_bytes()), "a delivered code is still in the files");
}

/// A reset notice nobody drains keeps its code in clear only until the code expires: the daily
/// scrub then deletes it, so a dead code is never re-sent or left in the file (#16 review).
#[test]
fn the_scrub_deletes_undelivered_notices_whose_code_expired() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let is_reset = |n: &bunko::notify::Notice| n.kind == bunko::notify::NoticeKind::PasswordReset;
    let expires =
        w.lib.pending_notices(10).unwrap().into_iter().find(is_reset).unwrap().facts.unwrap().code_expires_at.unwrap();

    assert_eq!(w.lib.scrub().unwrap().expired_code_notices, 0, "a live code stays");
    assert!(w.lib.pending_notices(10).unwrap().iter().any(is_reset));
    w.clock.set(expires + chrono::Duration::seconds(1));
    assert_eq!(w.lib.scrub().unwrap().expired_code_notices, 1);
    assert!(!w.lib.pending_notices(10).unwrap().iter().any(is_reset), "the dead code left the outbox");
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}
