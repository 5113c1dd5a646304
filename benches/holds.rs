//! Holds benchmarks (issue #5): check-in with assignment against a realistic database, queue
//! depth, a bare-rusqlite floor, and pull-list batch assignment. Results: benches/README.md.
//!
//! The generator writes rows with raw SQL into a database the engine created (100k copies,
//! 200k holds, Zipf-skewed over titles); each timed check-in is undone untimed through a second
//! connection, so every iteration sees the same queue.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bunko::{FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use rusqlite::{Connection, params};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

const TITLES: i64 = 50_000;
const COPIES_PER_TITLE: i64 = 2;
const PATRONS: i64 = 20_000;
const HOLDS: usize = 200_000;
const BRANCHES: [&str; 3] = ["chuo", "seibu", "tobu"];

/// Title ids with special queues: `DEEP` has 5,000 waiting holds, `SHALLOW` one, `TYPICAL` ten.
const DEEP: i64 = 1;
const SHALLOW: i64 = 2;
const TYPICAL: i64 = 3;

fn policy() -> Policy {
    let mut p = Policy::preset("chiba").expect("preset");
    p.holds.limits.total = Some(1000); // the generator gives popular patrons many holds
    p
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap()))
}

/// Creates the database with the engine, then fills it.
fn generate(path: &Path) {
    drop(Library::open(path, policy(), clock()).expect("open"));
    let mut conn = Connection::open(path).unwrap();
    let tx = conn.transaction().unwrap();
    {
        let mut title = tx.prepare("INSERT INTO titles (id, title, author) VALUES (?1, ?2, ?3)").unwrap();
        let mut copy = tx
            .prepare(
                "INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since)
                 VALUES (?1, ?2, ?3, ?4, 'book', 1, ?5, '2020-01-01')",
            )
            .unwrap();
        let mut loan = tx
            .prepare(
                "INSERT INTO loans (copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
                 VALUES (?1, ?2, ?3, ?4, 'active', '2026-05-25', '2026-06-08')",
            )
            .unwrap();
        let mut patron = tx
            .prepare(
                "INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on)
                 VALUES (?1, ?2, '利用者', '2020-01-01', '2030-01-01', '2026-01-01')",
            )
            .unwrap();
        for p in 1..=PATRONS {
            patron.execute(params![p, format!("{p:08}")]).unwrap();
        }
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for t in 1..=TITLES {
            title.execute(params![t, format!("書名 {t}"), format!("著者 {}", t % 997)]).unwrap();
            for c in 0..COPIES_PER_TITLE {
                let id = t * COPIES_PER_TITLE + c;
                let branch = BRANCHES[((t + c) % 3) as usize];
                // Popular titles (low ids) are out on loan; the long tail sits on the shelf.
                let on_loan = t <= 5_000;
                copy.execute(params![id, format!("B{id:08}"), t, branch, if on_loan { "on_loan" } else { "on_shelf" }])
                    .unwrap();
                if on_loan {
                    loan.execute(params![id, t, 1 + rng.below(PATRONS as u64) as i64, branch]).unwrap();
                }
            }
        }
        let mut hold = tx
            .prepare(
                "INSERT INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
                 VALUES (?1, ?2, 'book', 'counter', 'waiting', ?3, ?4, 'none')",
            )
            .unwrap();
        let mut taken = HashSet::new();
        let mut placed = 0usize;
        let mut add = |patron: i64, title: i64, n: usize, pickup: &str| {
            if taken.insert((patron, title)) {
                let at = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::seconds(n as i64);
                hold.execute(params![patron, title, at, pickup]).unwrap();
                true
            } else {
                false
            }
        };
        // Special queues are all picked up where their first copy lives, so (b) compares the
        // same route (ready on the hold shelf here) at different depths.
        for (title, depth) in [(DEEP, 5_000), (SHALLOW, 1), (TYPICAL, 10)] {
            let here = BRANCHES[(title % 3) as usize];
            for patron in 1..=depth {
                add(patron, title, placed, here);
                placed += 1;
            }
        }
        while placed < HOLDS {
            let title = TYPICAL + rng.zipf((TITLES - TYPICAL) as u64) as i64;
            let patron = 1 + rng.below(PATRONS as u64) as i64;
            if add(patron, title, placed, BRANCHES[(patron % 3) as usize]) {
                placed += 1;
            }
        }
    }
    tx.commit().unwrap();
    conn.execute_batch("ANALYZE").unwrap();
}

/// A loaned copy of `title` checked in at its own branch, so the head hold (whose pickup may be
/// here or elsewhere) gets it.
fn loaned_copy(conn: &Connection, title: i64) -> (i64, String, String, i64) {
    conn.query_row(
        "SELECT c.id, c.barcode, c.branch, l.patron_id FROM copies c JOIN loans l ON l.copy_id = c.id AND l.status = 'active'
         WHERE c.title_id = ?1 ORDER BY c.id LIMIT 1",
        [title],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
    )
    .unwrap()
}

/// A plain rusqlite connection set up as the engine sets up its own: WAL (from the file),
/// `synchronous = NORMAL`, and query-planner stability (see `Store`), without which STAT4
/// recompiles the queue query at every binding.
fn bare_connection(path: &Path) -> Connection {
    let conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true).unwrap();
    conn
}

/// Undoes a check-in with assignment: the loan is open again (check-in deleted it), the hold
/// waits again.
fn undo_check_in(conn: &Connection, copy: i64, patron: i64) {
    conn.execute_batch("BEGIN IMMEDIATE").unwrap();
    conn.execute(
        "UPDATE holds SET status = 'waiting', copy_id = NULL, ready_on = NULL, pickup_deadline = NULL, arrives_on = NULL
         WHERE copy_id = ?1",
        [copy],
    )
    .unwrap();
    // V16: the engine's assignment is a row of its own.
    conn.execute("DELETE FROM assignments WHERE copy_id = ?1", [copy]).unwrap();
    conn.execute("UPDATE copies SET status = 'on_loan', transit_to = NULL WHERE id = ?1", [copy]).unwrap();
    conn.execute(
        "INSERT INTO loans (copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
         SELECT id, title_id, ?2, branch, 'active', '2026-05-25', '2026-06-08' FROM copies WHERE id = ?1",
        params![copy, patron],
    )
    .unwrap();
    conn.execute("UPDATE circulation_days SET returns = returns - 1 WHERE day = '2026-06-01'", []).unwrap();
    conn.execute("DELETE FROM notices", []).unwrap();
    conn.execute_batch("COMMIT").unwrap();
}

fn time_engine_check_in(lib: &mut Library, conn: &Connection, title: i64, iters: u64) -> Duration {
    let (copy, barcode, branch, patron) = loaned_copy(conn, title);
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let done = lib.check_in(&barcode, &branch).expect("check-in");
        total += start.elapsed();
        assert!(!matches!(done.route, bunko::circulation::CopyRoute::Shelved), "the copy must go to a hold");
        undo_check_in(conn, copy, patron);
    }
    total
}

/// The floor: the minimal statements of a check-in with assignment, in one transaction.
fn time_bare_check_in(bare: &mut Connection, conn: &Connection, title: i64, iters: u64) -> Duration {
    let (copy, _, _, patron) = loaned_copy(conn, title);
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let tx = bare.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
        tx.prepare_cached("DELETE FROM loans WHERE copy_id = ?1").unwrap().execute([copy]).unwrap();
        tx.prepare_cached(
            "INSERT INTO circulation_days (day, returns) VALUES ('2026-06-01', 1)
             ON CONFLICT (day) DO UPDATE SET returns = returns + 1",
        )
        .unwrap()
        .execute([])
        .unwrap();
        tx.prepare_cached("UPDATE copies SET status = 'on_hold_shelf' WHERE id = ?1").unwrap().execute([copy]).unwrap();
        let hold: i64 = tx
            .prepare_cached(
                "SELECT id FROM holds WHERE title_id = ?1 AND status IN ('pending_approval', 'waiting') AND status = 'waiting'
                 ORDER BY priority, placed_at, id LIMIT 1",
            )
            .unwrap()
            .query_row([title], |r| r.get(0))
            .unwrap();
        tx.prepare_cached(
            "UPDATE holds SET status = 'ready', copy_id = ?2, ready_on = '2026-06-01', pickup_deadline = '2026-06-08'
             WHERE id = ?1 AND status = 'waiting'",
        )
        .unwrap()
        .execute(params![hold, copy])
        .unwrap();
        tx.prepare_cached(
            "INSERT INTO notices (patron_id, kind, channel, hold_id, subject, body, created_at)
             VALUES (?1, 'hold_ready', 'phone', ?2, 's', 'b', '2026-06-01')",
        )
        .unwrap()
        .execute(params![patron, hold])
        .unwrap();
        tx.commit().unwrap();
        total += start.elapsed();
        undo_check_in(conn, copy, patron);
    }
    total
}

fn check_in_benches(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("holds.sqlite");
    generate(&path);
    let mut lib = Library::open(&path, policy(), clock()).unwrap();
    let conn = Connection::open(&path).unwrap();
    let mut bare = bare_connection(&path);

    let mut group = c.benchmark_group("check_in");
    group.measurement_time(Duration::from_secs(6));
    group.bench_function("a: engine, typical queue (file, WAL, NORMAL)", |b| {
        b.iter_custom(|n| time_engine_check_in(&mut lib, &conn, TYPICAL, n))
    });
    group.bench_function("c: bare rusqlite floor, typical queue", |b| {
        b.iter_custom(|n| time_bare_check_in(&mut bare, &conn, TYPICAL, n))
    });
    group.bench_function("b: engine, 1-deep queue", |b| {
        b.iter_custom(|n| time_engine_check_in(&mut lib, &conn, SHALLOW, n))
    });
    group.bench_function("b: engine, 5000-deep queue", |b| {
        b.iter_custom(|n| time_engine_check_in(&mut lib, &conn, DEEP, n))
    });
    group.finish();
}

/// (d) Pull list for a branch and batch assignment of every listed copy (#17): the engine
/// against two set-based floors, interleaved round by round in one process (engine, in-place
/// floor, assignment-table floor, each followed by an untimed reset), plus the longest time a
/// second connection could not take the write lock while the engine worked.
fn pull_list_bench(_c: &mut Criterion) {
    // Not a criterion benchmark (it interleaves its own rounds): honour a name filter by hand.
    let filters: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    if !filters.is_empty() && !filters.iter().any(|f| "pull_list/d".contains(f.as_str())) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pull.sqlite");
    generate(&path);
    let conn = Connection::open(&path).unwrap();
    // Put 2,000 holds at the head of queues of on-shelf titles at `tobu`.
    let titles: Vec<i64> = conn
        .prepare("SELECT DISTINCT title_id FROM copies WHERE branch = 'tobu' AND status = 'on_shelf' ORDER BY title_id LIMIT 2000")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (i, t) in titles.iter().enumerate() {
        conn.execute(
            "INSERT OR IGNORE INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
             VALUES (?1, ?2, 'book', 'counter', 'waiting', '2025-01-01 00:00:00+00:00', 'tobu', 'none')",
            params![1 + (i as i64 % PATRONS), t],
        )
        .unwrap();
    }
    let mut lib = Library::open(&path, policy(), clock()).unwrap();
    let mut bare = bare_connection(&path);
    let engine = |lib: &mut Library| {
        let items = lib.pull_list("tobu").unwrap();
        let barcodes: Vec<&str> = items.iter().map(|i| i.barcode.as_str()).collect();
        lib.confirm_pulled_all(&barcodes, "tobu").unwrap();
        items.len()
    };
    // Warm up each once (page cache, statement caches).
    let listed = engine(&mut lib);
    reset_batch(&conn);
    let in_place = bare_batch_assignment(&mut bare);
    reset_batch(&conn);
    let table = bare_batch_assignment_v16(&mut bare);
    reset_batch(&conn);
    let rounds: usize = std::env::var("BUNKO_BATCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(7);
    let (mut e, mut f_old, mut f_new) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..rounds {
        e.push(timed(&conn, || assert_eq!(engine(&mut lib), listed)));
        f_old.push(timed(&conn, || assert_eq!(bare_batch_assignment(&mut bare), in_place)));
        f_new.push(timed(&conn, || assert_eq!(bare_batch_assignment_v16(&mut bare), table)));
    }
    let rate = |n: usize, d: Duration| n as f64 / d.as_secs_f64();
    let (e, f_old, f_new) = (median(e), median(f_old), median(f_new));
    let (re, ro, rn) = (rate(listed, e), rate(in_place, f_old), rate(table, f_new));
    println!("pull_list/d: {rounds} interleaved rounds, medians");
    println!("  engine: pull list + confirm, {listed} holds: {e:?}, {:.1}k holds/s", re / 1e3);
    println!("  floor (i), in place (holds and copies updated): {in_place} holds: {f_old:?}, {:.1}k holds/s", ro / 1e3);
    println!(
        "  floor (ii), assignment table (targets, assignments, copies): {table} holds: {f_new:?}, {:.1}k holds/s",
        rn / 1e3
    );
    println!("  engine / in-place floor = {:.2}x the rate (target >= 4)", re / ro);
    println!("  engine / own-layout floor = {:.2}x the time per hold (target <= 1.3)", rn / re);
    // Where the engine's time goes, once: the pull list (a read, then its targets written in
    // chunks) and the confirmation.
    let start = Instant::now();
    let items = lib.pull_list("tobu").unwrap();
    let list = start.elapsed();
    let barcodes: Vec<&str> = items.iter().map(|i| i.barcode.as_str()).collect();
    let start = Instant::now();
    lib.confirm_pulled_all(&barcodes, "tobu").unwrap();
    println!("  engine, one run: pull list {list:?}, confirm {:?}", start.elapsed());
    reset_batch(&conn);
    // Lock time: a prober connection spins on BEGIN IMMEDIATE while the engine runs; the
    // longest span it was refused is the longest a counter terminal would wait.
    let mut blocked = Vec::new();
    let mut slices = Duration::ZERO;
    for _ in 0..3 {
        blocked.push(longest_lock_wait(&path, || {
            engine(&mut lib);
        }));
        reset_batch(&conn);
        // Upper bound per chunk: confirm slices of one chunk's size, each call timed whole.
        let items = lib.pull_list("tobu").unwrap();
        for chunk in items.chunks(bunko::holds::PULL_CHUNK_COPIES) {
            let barcodes: Vec<&str> = chunk.iter().map(|i| i.barcode.as_str()).collect();
            let start = Instant::now();
            lib.confirm_pulled_all(&barcodes, "tobu").unwrap();
            slices = slices.max(start.elapsed());
        }
        reset_batch(&conn);
    }
    println!(
        "  longest write-lock wait seen by a second connection during the engine batch: {:?} (max of 3 runs; target <= 100 ms)",
        blocked.iter().max().unwrap()
    );
    println!(
        "  longest confirm_pulled_all call of one chunk ({} copies), the lock time's upper bound: {slices:?}",
        bunko::holds::PULL_CHUNK_COPIES
    );
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Times `work` once, then undoes every assignment untimed.
fn timed(conn: &Connection, work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    let took = start.elapsed();
    reset_batch(conn);
    took
}

/// Undoes every assignment and target, of either layout: copies back on the shelf, holds
/// waiting, no notices.
fn reset_batch(conn: &Connection) {
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         UPDATE copies SET status = 'on_shelf', transit_to = NULL
           WHERE id IN (SELECT copy_id FROM holds WHERE copy_id IS NOT NULL
                        UNION ALL SELECT copy_id FROM assignments WHERE state <> 'targeted');
         UPDATE holds SET status = 'waiting', copy_id = NULL, ready_on = NULL, pickup_deadline = NULL, arrives_on = NULL
           WHERE copy_id IS NOT NULL;
         DELETE FROM assignments;
         DELETE FROM notices;
         COMMIT;",
    )
    .unwrap();
}

/// The longest span a second connection spinning on `BEGIN IMMEDIATE` (no busy wait) was
/// refused the write lock while `work` ran.
fn longest_lock_wait(path: &Path, work: impl FnOnce()) -> Duration {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let prober = {
        let (stop, path) = (stop.clone(), path.to_owned());
        std::thread::spawn(move || {
            let conn = Connection::open(&path).unwrap();
            conn.busy_timeout(Duration::ZERO).unwrap();
            let mut longest = Duration::ZERO;
            let mut refused_since: Option<Instant> = None;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                match conn.execute_batch("BEGIN IMMEDIATE; ROLLBACK;") {
                    Ok(()) => {
                        if let Some(since) = refused_since.take() {
                            longest = longest.max(since.elapsed());
                        }
                    }
                    Err(_) => {
                        refused_since.get_or_insert_with(Instant::now);
                    }
                }
                std::thread::yield_now();
            }
            longest
        })
    };
    work();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    prober.join().unwrap()
}

/// The floor of (d) on this schema: the whole pull list matched and assigned by three set-based
/// statements in one transaction (k-th on-shelf copy of a title to its k-th waiting hold; ready
/// here, else in transit), with no notices, no policy and no per-copy checks. Returns the
/// number of holds assigned.
fn bare_batch_assignment(bare: &mut Connection) -> usize {
    let tx = bare.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    tx.execute_batch("CREATE TEMP TABLE IF NOT EXISTS pairs (copy_id INTEGER PRIMARY KEY, hold_id INTEGER, pickup TEXT); DELETE FROM pairs;").unwrap();
    let n = tx
        .prepare_cached(
            "INSERT INTO pairs
             WITH c AS (SELECT id, title_id, row_number() OVER (PARTITION BY title_id ORDER BY id) AS k
                        FROM copies WHERE branch = 'tobu' AND status = 'on_shelf'
                        AND title_id IN (SELECT title_id FROM holds WHERE status IN ('pending_approval', 'waiting') AND status = 'waiting')),
                  h AS (SELECT id, title_id, pickup_branch,
                               row_number() OVER (PARTITION BY title_id ORDER BY priority, placed_at, id) AS k
                        FROM holds WHERE status IN ('pending_approval', 'waiting') AND status = 'waiting'
                        AND title_id IN (SELECT title_id FROM c))
             SELECT c.id, h.id, h.pickup_branch FROM c JOIN h ON h.title_id = c.title_id AND h.k = c.k",
        )
        .unwrap()
        .execute([])
        .unwrap();
    let here = "p.pickup = 'tobu'";
    tx.execute(
        &format!(
            "UPDATE holds SET status = IIF({here}, 'ready', 'in_transit'), copy_id = p.copy_id,
                ready_on = IIF({here}, '2026-06-01', NULL), pickup_deadline = IIF({here}, '2026-06-08', NULL),
                arrives_on = IIF({here}, NULL, '2026-06-03')
             FROM pairs p WHERE holds.id = p.hold_id AND holds.status = 'waiting'"
        ),
        [],
    )
    .unwrap();
    tx.execute(
        &format!(
            "UPDATE copies SET status = IIF({here}, 'on_hold_shelf', 'in_transit'), transit_to = IIF({here}, NULL, p.pickup)
             FROM pairs p WHERE copies.id = p.copy_id AND copies.status = 'on_shelf'"
        ),
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    n
}

/// The floor of (d) on the V16 layout, doing the engine's writes set-based: the same matching
/// as [`bare_batch_assignment`], then one transaction inserting a pull target per pair (what
/// the pull list records), then one turning each target into its assignment (ready here, else
/// in transit) and moving the copies. Hold rows are not touched. Returns the number of holds.
fn bare_batch_assignment_v16(bare: &mut Connection) -> usize {
    let tx = bare.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    // The queue of each title, assigned holds skipped, numbered in a table of its own (a
    // correlated NOT EXISTS inside one statement makes SQLite join the two sides by scanning).
    tx.execute_batch(
        "CREATE TEMP TABLE IF NOT EXISTS pulled (title_id INTEGER, k INTEGER, copy_id INTEGER, PRIMARY KEY (title_id, k));
         CREATE TEMP TABLE IF NOT EXISTS queued (title_id INTEGER, k INTEGER, hold_id INTEGER, pickup TEXT,
                                                 PRIMARY KEY (title_id, k));
         CREATE TEMP TABLE IF NOT EXISTS pairs16 (hold_id INTEGER PRIMARY KEY, copy_id INTEGER UNIQUE, pickup TEXT);
         DELETE FROM pulled; DELETE FROM queued; DELETE FROM pairs16;",
    )
    .unwrap();
    tx.prepare_cached(
        "INSERT INTO pulled
         SELECT title_id, row_number() OVER (PARTITION BY title_id ORDER BY id), id
         FROM copies WHERE branch = 'tobu' AND status = 'on_shelf'
           AND title_id IN (SELECT title_id FROM holds WHERE status IN ('pending_approval', 'waiting') AND status = 'waiting')",
    )
    .unwrap()
    .execute([])
    .unwrap();
    tx.prepare_cached(
        "INSERT INTO queued
         SELECT title_id, row_number() OVER (PARTITION BY title_id ORDER BY priority, placed_at, id), id, pickup_branch
         FROM holds WHERE status IN ('pending_approval', 'waiting') AND status = 'waiting'
           AND title_id IN (SELECT DISTINCT title_id FROM pulled)
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.hold_id = holds.id AND a.state <> 'targeted')",
    )
    .unwrap()
    .execute([])
    .unwrap();
    let n = tx
        .prepare_cached(
            "INSERT INTO pairs16 SELECT q.hold_id, p.copy_id, q.pickup FROM pulled p JOIN queued q USING (title_id, k)",
        )
        .unwrap()
        .execute([])
        .unwrap();
    tx.execute(
        "INSERT OR IGNORE INTO assignments (hold_id, copy_id, state, targeted_at)
         SELECT hold_id, copy_id, 'targeted', '2026-06-01T01:00:00Z' FROM pairs16 ORDER BY hold_id",
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    let tx = bare.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).unwrap();
    let here = "p.pickup = 'tobu'";
    tx.execute(
        &format!(
            "UPDATE assignments SET state = IIF({here}, 'ready', 'in_transit'), targeted_at = NULL,
                ready_on = IIF({here}, '2026-06-01', NULL), pickup_deadline = IIF({here}, '2026-06-08', NULL),
                arrives_on = IIF({here}, NULL, '2026-06-03')
             FROM pairs16 p WHERE assignments.hold_id = p.hold_id AND assignments.state = 'targeted'"
        ),
        [],
    )
    .unwrap();
    tx.execute(
        &format!(
            "UPDATE copies SET status = IIF({here}, 'on_hold_shelf', 'in_transit'), transit_to = IIF({here}, NULL, p.pickup)
             FROM pairs16 p WHERE copies.id = p.copy_id AND copies.status = 'on_shelf'"
        ),
        [],
    )
    .unwrap();
    tx.commit().unwrap();
    n
}

criterion_group!(benches, check_in_benches, pull_list_bench);
criterion_main!(benches);
