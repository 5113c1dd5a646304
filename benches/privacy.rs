//! What forgetting costs (#13): a check-in with `secure_delete` and the daily scrub against the
//! same check-in without either, measured interleaved in one process.
//!
//! Three libraries on three files, each with the same loans. Every iteration of every variant
//! checks in one copy on each library in turn (only the variant's own check-in is timed) and
//! lends the copies out again untimed, so all three see the same state and the same moment of
//! machine noise. Run with `cargo bench --features bench-internals --bench privacy`.

use std::time::{Duration, Instant};

use bunko::catalog::{NewCopy, NewTitle};
use bunko::patrons::{NewPatron, PatronId};
use bunko::{FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const LOANS: usize = 2_000;
/// Check-ins per simulated day: the daily scrub is charged once per this many.
const CHECK_INS_PER_DAY: usize = 1_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Variant {
    /// secure_delete off, never scrubbed: what check-in cost before #13.
    Plain,
    /// secure_delete on, scrubbed once per simulated day (the design chosen).
    Private,
    /// secure_delete on, WAL truncated after every check-in (the design not chosen).
    ScrubEach,
}

const VARIANTS: [Variant; 3] = [Variant::Plain, Variant::Private, Variant::ScrubEach];

struct Bench {
    _dir: tempfile::TempDir,
    libs: Vec<(Variant, Library, usize)>,
    patrons: Vec<PatronId>,
    next: usize,
}

impl Bench {
    fn new() -> Bench {
        let dir = tempfile::tempdir().expect("temp dir");
        let libs = VARIANTS
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
                let path = dir.path().join(format!("lib{i}.sqlite"));
                let mut lib = Library::open(path, Policy::preset("chiba").unwrap(), clock).unwrap();
                lib.bench_set_secure_delete(v != Variant::Plain).unwrap();
                (v, lib, 0)
            })
            .collect::<Vec<_>>();
        let mut bench = Bench { _dir: dir, libs, patrons: Vec::new(), next: 0 };
        let expires = NaiveDate::from_ymd_opt(2029, 3, 31).unwrap();
        for (_, lib, _) in &mut bench.libs {
            let mut patrons = Vec::new();
            for i in 0..LOANS {
                let p = lib.register_patron(NewPatron::new(format!("{}", 100_000 + i), "利用者", expires)).unwrap();
                let t = lib.add_title(NewTitle::new(format!("書名 {i}"))).unwrap();
                lib.add_copy(NewCopy::new(format!("P{i:06}"), t, "chuo", "book")).unwrap();
                lib.checkout(&format!("P{i:06}"), p, "chuo").unwrap();
                patrons.push(p);
            }
            bench.patrons = patrons;
        }
        bench
    }

    /// One check-in on every library, each timed, in an order that rotates every round; the copy
    /// is lent again untimed.
    fn round(&mut self) -> [Duration; 3] {
        let i = self.next % LOANS;
        self.next += 1;
        let barcode = format!("P{i:06}");
        let mut times = [Duration::ZERO; 3];
        // Each variant goes first, second and third equally often: what runs before a
        // check-in (another file's truncation, say) must not be charged to one variant.
        let first = self.next % 3;
        for k in (0..3).map(|j| (first + j) % 3) {
            let (variant, lib, done) = &mut self.libs[k];
            let start = Instant::now();
            lib.check_in(&barcode, "chuo").unwrap();
            *done += 1;
            match variant {
                Variant::Plain => {}
                Variant::Private if *done % CHECK_INS_PER_DAY == 0 => {
                    lib.scrub().unwrap();
                }
                Variant::Private => {}
                Variant::ScrubEach => {
                    lib.scrub().unwrap();
                }
            }
            times[k] = start.elapsed();
            lib.checkout(&barcode, self.patrons[i], "chuo").unwrap();
        }
        times
    }
}

/// Rounds of the paired measurement: every round times one check-in on each library.
const PAIRED_ROUNDS: usize = 4_000;

/// Ratios to the plain check-in from per-round pairs (each round's three check-ins run back to
/// back, so machine noise falls on all three alike): the median of per-round ratios (a typical
/// check-in) and the ratio of total times (the daily scrub included, as it is charged).
fn paired_ratios(bench: &mut Bench) -> ([f64; 3], [f64; 3]) {
    let mut ratios: [Vec<f64>; 3] = Default::default();
    let mut totals = [0.0f64; 3];
    for _ in 0..PAIRED_ROUNDS {
        let t = bench.round();
        for k in 0..3 {
            ratios[k].push(t[k].as_secs_f64() / t[0].as_secs_f64());
            totals[k] += t[k].as_secs_f64();
        }
    }
    let medians = ratios.map(|mut r| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    });
    (medians, totals.map(|t| t / totals[0]))
}

fn check_in_privacy(c: &mut Criterion) {
    let mut bench = Bench::new();
    let ([_, private, each], [_, private_total, each_total]) = paired_ratios(&mut bench);
    eprintln!(
        "paired over {PAIRED_ROUNDS} rounds, ratio to plain: private {private:.3} per check-in \
         (median), {private_total:.3} in total with the scrub; scrub after every check-in \
         {each:.3} (median), {each_total:.3} in total"
    );
    let mut group = c.benchmark_group("check-in privacy cost");
    group.sample_size(30).measurement_time(Duration::from_secs(8));
    for (k, name) in
        ["plain (no secure_delete, no scrub)", "private (secure_delete + daily scrub)", "scrub after every check-in"]
            .iter()
            .enumerate()
    {
        group.bench_function(*name, |b| {
            b.iter_custom(|iters| (0..iters).map(|_| bench.round()[k]).sum());
        });
    }
    group.finish();
}

criterion_group!(benches, check_in_privacy);
criterion_main!(benches);
