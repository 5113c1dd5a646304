//! What a rules matrix costs (#15): check-out with check-in, renewal and hold placement under the
//! chiba preset as it is, against the same preset with a 200-entry `[[rules]]` matrix, measured
//! interleaved in one process.
//!
//! Three libraries on three files with the same titles, copies and patrons: the preset, the
//! preset again (a control: its ratio to the first is what pairing alone leaves), and the
//! preset with the matrix. The matrix declares 12 patron categories and scopes its entries by
//! category, kind and branch at every rank; the borrower's category `c01` meets an entry at
//! each rank that names a category. Every entry sets the value the preset already gives, so the
//! libraries decide alike and only resolving the rules differs. Every round runs one operation
//! once on each library, in an order that rotates every round, and undoes it untimed (check-in;
//! cancel and purge), so every round meets the same state. Results: benches/README.md. Run with
//! `cargo bench --bench rules -- --warm-up-time 1 --measurement-time 5`.

use std::fmt::Write as _;
use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bunko::catalog::{NewCopy, NewTitle, TitleId};
use bunko::holds::HoldRequest;
use bunko::patrons::{NewPatron, PatronId};
use bunko::policy::{ContactMethod, RuleMatrix, Scope};
use bunko::{FixedClock, Library, Policy};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const BRANCHES: [&str; 3] = ["chuo", "seibu", "tobu"];
const KINDS: [&str; 3] = ["av", "book", "magazine"];
/// Entries in the matrix.
const RULES: usize = 200;
/// Declared categories: `general` and `c01`..`c11` give 207 distinct scopes, enough for 200.
const CATEGORIES: usize = 12;
/// The borrower's category in the matrix library.
const BORROWER_CATEGORY: &str = "c01";
/// Copies the check-out and renewal rounds take in turn.
const COPIES: usize = 500;
/// Titles the hold rounds take in turn, each with a copy on loan at every branch.
const HELD_TITLES: usize = 100;

/// The 200 `[[rules]]` entries as TOML: kind × branch and branch entries first, then per
/// category (the borrower's first) its category × kind × branch, category × kind, category ×
/// branch and category entries, until there are 200. Each sets what chiba already gives.
fn matrix_toml() -> String {
    let categories: Vec<String> =
        std::iter::once("general".to_owned()).chain((1..CATEGORIES).map(|i| format!("c{i:02}"))).collect();
    let mut entries: Vec<String> = Vec::new();
    let scoped = |category: Option<&str>, kind: Option<&str>, branch: Option<&str>| {
        let mut entry = String::from("\n[[rules]]\n");
        for (key, value) in [("category", category), ("kind", kind), ("branch", branch)] {
            if let Some(value) = value {
                let _ = writeln!(entry, "{key} = \"{value}\"");
            }
        }
        entry.push_str(match kind {
            Some("book") => "loanable = true\nholdable = true\nloan_days = 14\nrenewals = 1\nrenewal_days = 14\n",
            Some(_) => "loanable = false\nholdable = false\nrenewals = 1\nrenewal_days = 14\n",
            None => "renewals = 1\nrenewal_days = 14\nshelf_days = 7\nhold_limit = 5\n",
        });
        entry
    };
    for kind in KINDS {
        entries.extend(BRANCHES.iter().map(|b| scoped(None, Some(kind), Some(b))));
    }
    entries.extend(BRANCHES.iter().map(|b| scoped(None, None, Some(b))));
    let mut by_category: Vec<&String> = categories.iter().collect();
    by_category.sort_by_key(|c| c.as_str() != BORROWER_CATEGORY);
    for category in by_category {
        let c = Some(category.as_str());
        for kind in KINDS {
            entries.extend(BRANCHES.iter().map(|b| scoped(c, Some(kind), Some(b))));
            entries.push(scoped(c, Some(kind), None));
        }
        entries.extend(BRANCHES.iter().map(|b| scoped(c, None, Some(b))));
        entries.push(scoped(c, None, None));
    }
    assert!(entries.len() >= RULES, "{} scopes", entries.len());
    let declared: String = categories.iter().map(|c| format!("\n[categories.{c}]\nlabel = \"{c}\"\n")).collect();
    format!("{declared}{}", entries[..RULES].concat())
}

fn policy(with_matrix: bool) -> Policy {
    let text = Policy::preset_toml("chiba").expect("preset");
    let text = if with_matrix { format!("{text}{}", matrix_toml()) } else { text.to_owned() };
    let policy = Policy::from_toml(&text).expect("valid policy");
    assert_eq!(policy.rules.len(), if with_matrix { RULES } else { 0 });
    policy
}

/// One library: the borrower, the copies it borrows, the titles it holds.
struct Lib {
    lib: Library,
    borrower: PatronId,
    held: Vec<TitleId>,
}

impl Lib {
    fn new(path: &std::path::Path, with_matrix: bool, clock: Arc<FixedClock>) -> Lib {
        let mut lib = Library::open(path, policy(with_matrix), clock).expect("open");
        let expires = NaiveDate::from_ymd_opt(2029, 3, 31).unwrap();
        let mut borrower = NewPatron::new("100001", "利用者", expires);
        if with_matrix {
            borrower.category = BORROWER_CATEGORY.to_owned();
        }
        let borrower = lib.register_patron(borrower).unwrap();
        let other = lib.register_patron(NewPatron::new("100002", "他の利用者", expires)).unwrap();
        for i in 0..COPIES {
            let t = lib.add_title(NewTitle::new(format!("書名 {i}"))).unwrap();
            lib.add_copy(NewCopy::new(format!("C{i:05}"), t, "chuo", "book")).unwrap();
        }
        let mut held = Vec::new();
        for i in 0..HELD_TITLES {
            let t = lib.add_title(NewTitle::new(format!("予約書名 {i}"))).unwrap();
            for branch in BRANCHES {
                let barcode = format!("H{i:04}{branch}");
                lib.add_copy(NewCopy::new(barcode.clone(), t, branch, "book")).unwrap();
                lib.checkout(&barcode, other, branch).unwrap();
            }
            held.push(t);
        }
        Lib { lib, borrower, held }
    }
}

/// The operations measured.
#[derive(Clone, Copy)]
enum Op {
    /// Check-out and check-in of one copy, both timed.
    CheckoutCheckIn,
    /// A renewal the day after the check-out (check-out and check-in untimed).
    Renewal,
    /// A web hold on a title whose copies are all out (the cancel and purge untimed).
    HoldPlacement,
}

const OPS: [(Op, &str); 3] =
    [(Op::CheckoutCheckIn, "check-out + check-in"), (Op::Renewal, "renewal"), (Op::HoldPlacement, "hold placement")];

struct Bench {
    _dir: tempfile::TempDir,
    clock: Arc<FixedClock>,
    /// The preset as it is, the same again, and with the matrix.
    libs: [Lib; 3],
    round: usize,
}

fn day(n: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, n, 1, 0, 0).unwrap()
}

impl Bench {
    fn new() -> Bench {
        let dir = tempfile::tempdir().expect("temp dir");
        let clock = Arc::new(FixedClock::new(day(1)));
        let libs = [("preset", false), ("control", false), ("matrix", true)]
            .map(|(name, m)| Lib::new(&dir.path().join(format!("{name}.sqlite")), m, Arc::clone(&clock)));
        Bench { _dir: dir, clock, libs, round: 0 }
    }

    /// `op` once on each library in turn, each going first, second and third equally often;
    /// the time of each.
    fn round(&mut self, op: Op) -> [Duration; 3] {
        self.round += 1;
        let i = self.round;
        let mut times = [Duration::ZERO; 3];
        for k in (0..3).map(|j| (i + j) % 3) {
            times[k] = self.run(k, op, i);
        }
        times
    }

    fn run(&mut self, k: usize, op: Op, i: usize) -> Duration {
        let Lib { lib, borrower, held } = &mut self.libs[k];
        let barcode = format!("C{:05}", i % COPIES);
        match op {
            Op::CheckoutCheckIn => {
                let start = Instant::now();
                lib.checkout(&barcode, *borrower, "chuo").unwrap();
                lib.check_in(&barcode, "chuo").unwrap();
                start.elapsed()
            }
            Op::Renewal => {
                let loan = lib.checkout(&barcode, *borrower, "chuo").unwrap();
                self.clock.set(day(2));
                let start = Instant::now();
                lib.renew(*borrower, loan.id).unwrap();
                let took = start.elapsed();
                lib.check_in(&barcode, "chuo").unwrap();
                self.clock.set(day(1));
                took
            }
            Op::HoldPlacement => {
                let title = held[i % HELD_TITLES];
                let request = HoldRequest::web(BRANCHES[i % 3], ContactMethod::None);
                let start = Instant::now();
                let hold = lib.place_hold(*borrower, title, &request).unwrap();
                let took = start.elapsed();
                lib.cancel_hold(*borrower, hold).unwrap();
                // Cancelled holds stay listed for a week: purge this one, so none pile up.
                self.clock.set(day(20));
                assert_eq!(lib.purge_ended_holds().unwrap(), 1);
                self.clock.set(day(1));
                took
            }
        }
    }
}

/// Rounds of the paired measurement, per operation.
const PAIRED_ROUNDS: usize = 2_000;

/// Each library's time over the preset's, as the median of per-round ratios (each round's runs
/// back to back, so machine noise falls on all alike), and each library's median time.
fn paired(bench: &mut Bench, op: Op) -> ([f64; 3], [Duration; 3]) {
    let mut ratios: [Vec<f64>; 3] = Default::default();
    let mut times: [Vec<Duration>; 3] = Default::default();
    for _ in 0..PAIRED_ROUNDS {
        let t = bench.round(op);
        for k in 0..3 {
            ratios[k].push(t[k].as_secs_f64() / t[0].as_secs_f64());
            times[k].push(t[k]);
        }
    }
    let ratios = ratios.map(|mut r| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    });
    let medians = times.map(|mut t| {
        t.sort();
        t[t.len() / 2]
    });
    (ratios, medians)
}

fn rules_matrix(c: &mut Criterion) {
    let mut bench = Bench::new();
    for (op, name) in OPS {
        let ([_, control, matrix], [t_preset, t_control, t_matrix]) = paired(&mut bench, op);
        eprintln!(
            "{name}: paired over {PAIRED_ROUNDS} rounds, medians: preset {t_preset:.1?}, control {t_control:.1?}, \
             with matrix {t_matrix:.1?}; median of per-round ratios to the preset: control {control:.3}, \
             matrix {matrix:.3}"
        );
    }
    let mut group = c.benchmark_group("rules matrix");
    for (op, name) in OPS {
        for (k, variant) in
            ["chiba preset", "chiba preset again (control)", "chiba + 200 rules"].into_iter().enumerate()
        {
            group.bench_function(format!("{name}, {variant}"), |b| {
                b.iter_custom(|iters| (0..iters).map(|_| bench.round(op)[k]).sum());
            });
        }
    }
    group.finish();
}

/// Resolving alone, as every decision does once: eight scope lookups, with and without the
/// matrix.
fn resolve_alone(c: &mut Criterion) {
    let mut group = c.benchmark_group("resolve");
    for (with_matrix, category, variant) in
        [(false, "general", "chiba preset"), (true, BORROWER_CATEGORY, "chiba + 200 rules")]
    {
        let matrix = RuleMatrix::new(&policy(with_matrix));
        group.bench_function(variant, |b| {
            b.iter(|| matrix.resolve(&Scope::new(black_box(category), black_box("book"), black_box("chuo"))))
        });
    }
    group.finish();
}

criterion_group!(benches, rules_matrix, resolve_alone);
criterion_main!(benches);
