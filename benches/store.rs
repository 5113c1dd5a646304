//! Store baseline: adding catalogue records in one transaction each.

use bunko::catalog::{NewCopy, NewTitle};
use bunko::{FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

fn add_title_and_copy(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap());
    let mut lib = Library::open(dir.path().join("bench.sqlite"), Policy::preset("chiba").unwrap(), clock).unwrap();
    let mut n = 0u64;
    c.bench_function("add_title_and_copy (file, WAL, synchronous=NORMAL)", |b| {
        b.iter(|| {
            n += 1;
            let t = lib.add_title(NewTitle::new(format!("書名 {n}"))).unwrap();
            lib.add_copy(NewCopy::new(format!("B{n}"), t, "chuo", "book")).unwrap();
        })
    });
}

criterion_group!(benches, add_title_and_copy);
criterion_main!(benches);
