//! The outbox's drainer paths (#16 item 5) measured paired in one process: a batch claimed
//! with a lease (`claim_notices`, the exactly-one-drainer path) against the same batch read
//! with `pending_notices` (the at-least-once path of 0.1), each then marked delivered.
//!
//! Two libraries on two files hold the same notices (one "hold ready" mail per hold, written by
//! a batch pull). Every round drains one batch on each library, in an order that alternates,
//! so machine noise falls on both alike. Run with `cargo bench --bench outbox`.

use std::time::{Duration, Instant};

use bunko::catalog::{NewCopy, NewTitle};
use bunko::holds::HoldRequest;
use bunko::patrons::NewPatron;
use bunko::policy::ContactMethod;
use bunko::{FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

/// Notices per library.
const NOTICES: usize = 4_000;
/// Notices per drained batch.
const BATCH: u32 = 20;
const LEASE: Duration = Duration::from_secs(300);

/// A library on its own file with `NOTICES` undelivered "hold ready" mails.
fn library(dir: &std::path::Path, name: &str) -> Library {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let mut lib = Library::open(dir.join(name), Policy::preset("chiba").unwrap(), clock).unwrap();
    let expires = NaiveDate::from_ymd_opt(2029, 3, 31).unwrap();
    let mut barcodes = Vec::new();
    for i in 0..NOTICES {
        let p = lib.register_patron(NewPatron::new(format!("{}", 100_000 + i), "利用者", expires)).unwrap();
        lib.register_email_at_counter(p, &format!("patron{i}@example.jp"), None).unwrap();
        let t = lib.add_title(NewTitle::new(format!("書名 {i}"))).unwrap();
        let barcode = format!("P{i:06}");
        lib.add_copy(NewCopy::new(barcode.clone(), t, "chuo", "book")).unwrap();
        lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::Mail).at_counter()).unwrap();
        barcodes.push(barcode);
    }
    let refs: Vec<&str> = barcodes.iter().map(String::as_str).collect();
    lib.confirm_pulled_all(&refs, "chuo").unwrap();
    assert!(lib.pending_notices(1).unwrap().len() == 1, "the pull wrote notices");
    lib
}

/// Drains one batch: claimed with a lease, or read as pending; then marked delivered.
fn drain(lib: &mut Library, claimed: bool) -> usize {
    let batch = if claimed { lib.claim_notices(BATCH, LEASE).unwrap() } else { lib.pending_notices(BATCH).unwrap() };
    let ids: Vec<_> = batch.iter().map(|n| n.id).collect();
    lib.mark_delivered(&ids).unwrap()
}

fn outbox(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut pending = library(dir.path(), "pending.sqlite");
    let mut claimed = library(dir.path(), "claimed.sqlite");
    let rounds = NOTICES / BATCH as usize;
    let (mut ratios, mut totals) = (Vec::with_capacity(rounds), [0.0f64; 2]);
    for round in 0..rounds {
        let mut times = [0.0f64; 2];
        for k in [round % 2, (round + 1) % 2] {
            let (lib, is_claim) = if k == 0 { (&mut pending, false) } else { (&mut claimed, true) };
            let start = Instant::now();
            assert_eq!(drain(lib, is_claim), BATCH as usize);
            times[k] = start.elapsed().as_secs_f64();
        }
        ratios.push(times[1] / times[0]);
        totals[0] += times[0];
        totals[1] += times[1];
    }
    ratios.sort_by(f64::total_cmp);
    eprintln!(
        "paired over {rounds} batches of {BATCH}: claim+deliver / pending+deliver = {:.3} (median), \
         {:.3} in total; per notice: pending {:.1} µs, claimed {:.1} µs",
        ratios[rounds / 2],
        totals[1] / totals[0],
        totals[0] * 1e6 / NOTICES as f64,
        totals[1] * 1e6 / NOTICES as f64,
    );
    // Criterion's own view: an empty outbox, the steady state of a drainer that polls.
    let mut group = c.benchmark_group("outbox poll, nothing due");
    group.bench_function("pending_notices", |b| b.iter(|| pending.pending_notices(BATCH).unwrap()));
    group.bench_function("claim_notices", |b| b.iter(|| claimed.claim_notices(BATCH, LEASE).unwrap()));
    group.finish();
}

criterion_group!(benches, outbox);
criterion_main!(benches);
