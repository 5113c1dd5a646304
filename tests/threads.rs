//! The threading model, as a host runs it: eight worker threads, each with its own `Library`
//! (it is `Send`, not `Sync`) and its own `FixedClock`, on one database file, serve 500
//! requests each — checkouts, check-ins, renewals, holds placed and cancelled, page views and
//! two logins (argon2 makes more too slow for a debug build) — and retry `Busy` with backoff,
//! as the README's recipe does. The busy timeout is cut to 20 ms so that `Busy` really happens
//! and the retry path runs (a few hundred retries a run). About 10 s in debug on two loaded
//! cores.
//!
//! Afterwards nothing is lost: every loan, renewal, hold and session a thread saw committed is
//! in the database, the daily counts (`daily_circulation`) are the sums of what the threads
//! did, and `check()` finds nothing. Each thread lends its own copies to its own patrons, so its
//! own bookkeeping says exactly what the database must show; the hold titles are shared, so
//! queues grow from several threads at once.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use bunko::circulation::LoanId;
use bunko::holds::{HoldId, HoldRequest, HoldState};
use bunko::patrons::PatronId;
use bunko::policy::ContactMethod;
use bunko::{Error, FixedClock, Library, Policy, StoreOptions};
use chrono::{NaiveDate, TimeZone, Utc};
use common::{Lcg, World, day};

const THREADS: usize = 8;
const REQUESTS: usize = 500;
const PATRONS_PER_THREAD: usize = 4;
const COPIES_PER_THREAD: usize = 24;
/// Loans each thread's patrons already have when the threads start (renewable on their day).
const LOANS_BEFORE: usize = 8;
const HOLD_TITLES: usize = 6;
/// Logins per thread: argon2 makes each cost about 0.1–0.25 s of a core in a debug build on a
/// loaded machine, so a few per thread, not one in forty requests.
const LOGINS_PER_THREAD: usize = 2;
const PRESET: &str = "shizuoka";
/// The setup's day; the threads run a week later.
const SETUP_DAY: &str = "2026-06-02";
const THREAD_DAY: &str = "2026-06-09";

/// A compile-time check that `Library` is `Send` and not `Sync`: if it were `Sync`, the call
/// below would be ambiguous and this file would not compile.
trait AmbiguousIfSync<A> {
    fn check() {}
}
impl<T: ?Sized> AmbiguousIfSync<()> for T {}
impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}

fn send_not_sync() {
    fn send<T: Send>() {}
    send::<Library>();
    <Library as AmbiguousIfSync<_>>::check();
}

/// The README's retry recipe: on `Busy` wait and try again, the wait doubling from 1 ms to at
/// most 100 ms, with jitter so that handles do not retry in step; give up after 40 tries.
fn retry<T>(rng: &mut Lcg, busy: &mut u32, mut op: impl FnMut() -> Result<T, Error>) -> Result<T, Error> {
    let mut wait_ms = 1u64;
    for _ in 0..40 {
        match op() {
            Err(e) if e.is_busy() => {
                *busy += 1;
                let jitter = rng.below(wait_ms as usize + 1) as u64;
                thread::sleep(Duration::from_millis(wait_ms + jitter));
                wait_ms = (wait_ms * 2).min(100);
            }
            other => return other,
        }
    }
    op()
}

fn clock_on(date: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.from_utc_datetime(&day(date).and_hms_opt(1, 0, 0).unwrap())))
}

/// A loan as a thread knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Lent {
    loan: LoanId,
    patron: PatronId,
    renewals: u32,
}

/// What one thread owns when it starts: its patrons, its copies (some already lent), and the
/// card and password it logs in with.
#[derive(Clone)]
struct Share {
    patrons: Vec<PatronId>,
    shelf: Vec<String>,
    lent: BTreeMap<String, Lent>,
    /// Card number and (temporary) password.
    login: (String, String),
}

/// What a thread saw committed.
#[derive(Default)]
struct Done {
    checkouts: u32,
    returns: u32,
    renewals: u32,
    refused: u32,
    busy: u32,
    /// Its copies on loan now, by barcode.
    lent: BTreeMap<String, Lent>,
    /// Its patrons' active holds.
    holds: Vec<(PatronId, HoldId)>,
    placed: u32,
    cancelled: u32,
    sessions: Vec<String>,
}

struct Setup {
    shares: Vec<Share>,
    hold_titles: Vec<bunko::catalog::TitleId>,
    branch: String,
    checkouts: u32,
}

/// Titles to hold, each with its one copy lent to a patron who keeps it (so holds wait, and
/// the threads' counts of active holds stay exact); each thread's patrons and copies, some
/// lent a week before the threads run; and a patron per thread
/// with a password to log in as.
fn set_up(path: &Path) -> Setup {
    let mut w = World::on_file(PRESET, SETUP_DAY, path);
    let branch = w.home();
    let keeper = w.patron();
    let mut checkouts = 0;
    let mut hold_titles = Vec::new();
    for i in 0..HOLD_TITLES {
        let t = w.title(&format!("人気の本{i}"));
        let copy = w.copy_of(t, &branch, "book");
        w.lib.checkout(&copy, keeper, &branch).unwrap();
        checkouts += 1;
        hold_titles.push(t);
    }
    let mut shares = Vec::new();
    for _ in 0..THREADS {
        let patrons: Vec<PatronId> = (0..PATRONS_PER_THREAD).map(|_| w.patron()).collect();
        let mut shelf: Vec<String> = (0..COPIES_PER_THREAD).map(|_| w.copy_at(&branch, "book")).collect();
        let mut lent = BTreeMap::new();
        for (i, barcode) in shelf.drain(..LOANS_BEFORE).enumerate() {
            let patron = patrons[i % PATRONS_PER_THREAD];
            let loan = w.lib.checkout(&barcode, patron, &branch).unwrap();
            checkouts += 1;
            lent.insert(barcode, Lent { loan: loan.id, patron, renewals: 0 });
        }
        // A patron of its own to log in as: concurrent logins on one card count against its
        // lockout while argon2 runs (ARCHITECTURE.md), as they should.
        let login_card = w.card();
        let new = bunko::patrons::NewPatron::new(login_card.clone(), "ログイン", day("2029-01-01"));
        let login = w.lib.register_patron(new).unwrap();
        let password = w.lib.issue_temporary_password(login).unwrap();
        shares.push(Share { patrons, shelf, lent, login: (login_card, password) });
    }
    Setup { shares, hold_titles, branch, checkouts }
}

/// One worker thread: its own `Library` on the shared file, `REQUESTS` requests.
fn work(path: &Path, seed: u64, share: Share, hold_titles: &[bunko::catalog::TitleId], branch: &str) -> Done {
    let mut rng = Lcg(seed * 7919 + 17);
    let mut done = Done { lent: share.lent, ..Done::default() };
    let mut shelf = share.shelf;
    let options = StoreOptions { busy_timeout: Duration::from_millis(20), ..StoreOptions::default() };
    let policy = Policy::preset(PRESET).unwrap();
    let clock = clock_on(THREAD_DAY);
    let mut lib = retry(&mut rng, &mut done.busy, || Library::open_with(path, policy.clone(), clock.clone(), options))
        .expect("open");
    for _ in 0..REQUESTS {
        let patron = share.patrons[rng.below(PATRONS_PER_THREAD)];
        let pick = rng.below(40);
        match pick {
            0..=11 if !shelf.is_empty() => {
                let barcode = shelf.swap_remove(rng.below(shelf.len()));
                match retry(&mut rng, &mut done.busy, || lib.checkout(&barcode, patron, branch)) {
                    Ok(loan) => {
                        done.checkouts += 1;
                        done.lent.insert(barcode, Lent { loan: loan.id, patron, renewals: 0 });
                    }
                    Err(Error::Refused(_)) => {
                        done.refused += 1;
                        shelf.push(barcode);
                    }
                    Err(e) => panic!("checkout: {e}"),
                }
            }
            12..=21 if !done.lent.is_empty() => {
                let barcode = done.lent.keys().nth(rng.below(done.lent.len())).unwrap().clone();
                let back = retry(&mut rng, &mut done.busy, || lib.check_in(&barcode, branch)).expect("check-in");
                let lent = done.lent.remove(&barcode).unwrap();
                assert_eq!((back.loan, back.patron), (lent.loan, lent.patron), "the loan this thread made");
                done.returns += 1;
                shelf.push(barcode);
            }
            22..=26 if !done.lent.is_empty() => {
                let barcode = done.lent.keys().nth(rng.below(done.lent.len())).unwrap().clone();
                let Lent { loan, patron, .. } = done.lent[&barcode];
                match retry(&mut rng, &mut done.busy, || lib.renew(patron, loan)) {
                    Ok(_) => {
                        done.renewals += 1;
                        done.lent.get_mut(&barcode).unwrap().renewals += 1;
                    }
                    // Renewed once already, or lent today (the renewal would not extend it).
                    Err(Error::Refused(_)) => done.refused += 1,
                    Err(e) => panic!("renewal: {e}"),
                }
            }
            27..=32 => {
                let title = hold_titles[rng.below(HOLD_TITLES)];
                let request = HoldRequest::web(branch, ContactMethod::Phone).at_counter();
                match retry(&mut rng, &mut done.busy, || lib.place_hold(patron, title, &request)) {
                    Ok(hold) => {
                        done.placed += 1;
                        done.holds.push((patron, hold));
                    }
                    // Already holding the title.
                    Err(Error::Refused(_)) => done.refused += 1,
                    Err(e) => panic!("hold: {e}"),
                }
            }
            33..=35 if !done.holds.is_empty() => {
                let (patron, hold) = done.holds.swap_remove(rng.below(done.holds.len()));
                retry(&mut rng, &mut done.busy, || lib.cancel_hold(patron, hold)).expect("cancel a waiting hold");
                done.cancelled += 1;
            }
            36 if done.sessions.len() < LOGINS_PER_THREAD => {
                let session =
                    retry(&mut rng, &mut done.busy, || lib.login(&share.login.0, &share.login.1)).expect("login");
                done.sessions.push(session.token);
            }
            _ => {
                // A page view: the patron's loans and holds.
                retry(&mut rng, &mut done.busy, || lib.patron_loans(patron)).expect("loans page");
                retry(&mut rng, &mut done.busy, || lib.patron_holds(patron)).expect("holds page");
            }
        }
    }
    done
}

#[test]
fn eight_threads_500_requests_each_lose_nothing() {
    send_not_sync();
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let setup = set_up(&path);

    let workers: Vec<_> = setup
        .shares
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, share)| {
            let (path, titles, branch) = (path.clone(), setup.hold_titles.clone(), setup.branch.clone());
            thread::spawn(move || work(&path, i as u64, share, &titles, &branch))
        })
        .collect();
    let done: Vec<Done> = workers.into_iter().map(|w| w.join().expect("worker")).collect();

    let mut lib = Library::open(&path, Policy::preset(PRESET).unwrap(), clock_on(THREAD_DAY)).unwrap();
    let sum = |f: fn(&Done) -> u32| done.iter().map(f).sum::<u32>();
    let days = lib.daily_circulation(day(SETUP_DAY), day(THREAD_DAY)).unwrap();
    let day_sum = |f: fn(&bunko::circulation::DailyCirculation) -> u32| days.iter().map(f).sum::<u32>();
    assert_eq!(day_sum(|d| d.checkouts), setup.checkouts + sum(|d| d.checkouts), "every checkout counted");
    assert_eq!(day_sum(|d| d.returns), sum(|d| d.returns), "every return counted");
    let on_day = |date: NaiveDate| days.iter().find(|d| d.day == date).map_or(0, |d| d.checkouts);
    assert_eq!(on_day(day(THREAD_DAY)), sum(|d| d.checkouts), "the threads' checkouts on their day");

    for (share, done) in setup.shares.iter().zip(&done) {
        for &patron in &share.patrons {
            let mut stored: Vec<(LoanId, u32)> =
                lib.patron_loans(patron).unwrap().into_iter().map(|v| (v.loan.id, v.loan.renewals)).collect();
            let mut expected: Vec<(LoanId, u32)> =
                done.lent.values().filter(|l| l.patron == patron).map(|l| (l.loan, l.renewals)).collect();
            stored.sort();
            expected.sort();
            assert_eq!(stored, expected, "patron {}: open loans and their renewals", patron.get());

            let mut holds: Vec<HoldId> = lib
                .patron_holds(patron)
                .unwrap()
                .into_iter()
                .filter(|v| v.state == HoldState::Waiting)
                .map(|v| v.hold.id)
                .collect();
            let mut expected: Vec<HoldId> = done.holds.iter().filter(|(p, _)| *p == patron).map(|(_, h)| *h).collect();
            holds.sort();
            expected.sort();
            assert_eq!(holds, expected, "patron {}: active holds", patron.get());
        }
        for token in &done.sessions {
            lib.authenticate(token).expect("every session a login gave is stored");
        }
    }
    let violations = lib.check().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");

    let requests = THREADS * REQUESTS;
    let (checkouts, returns, renewals) = (sum(|d| d.checkouts), sum(|d| d.returns), sum(|d| d.renewals));
    let (placed, cancelled, logins) =
        (sum(|d| d.placed), sum(|d| d.cancelled), done.iter().map(|d| d.sessions.len()).sum::<usize>());
    eprintln!(
        "{requests} requests in {:.1?}: {checkouts} checkouts, {returns} returns, {renewals} renewals, \
         {placed} holds placed, {cancelled} cancelled, {logins} logins, {} refused, {} Busy retried",
        started.elapsed(),
        sum(|d| d.refused),
        sum(|d| d.busy),
    );
    assert!(
        checkouts > 500
            && returns > 500
            && renewals > 0
            && placed > 50
            && cancelled > 50
            && logins == THREADS * LOGINS_PER_THREAD
    );
}
