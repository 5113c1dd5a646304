//! MARC21 import throughput (#19 part 1): 100,000 generated records (Japanese titles with 880
//! readings, author, publisher, date, ISBN, NDC, one or two Koha 952 copies each) imported in
//! one `import_marc` call into a fresh file database (WAL, synchronous = NORMAL). Target:
//! ≤ 10 s, i.e. ≥ 10,000 records/s.

#[path = "support/rng.rs"]
mod rng;

use std::time::Duration;

use bunko::marc::{MarcField, MarcFormat, MarcMapping, MarcRecord};
use bunko::{FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rng::Rng;

const RECORDS: usize = 100_000;
const BRANCHES: [&str; 3] = ["chuo", "seibu", "tobu"];

/// An ISBN-13 with a valid check digit.
fn isbn(n: u64) -> String {
    let body = format!("9784{:08}", n % 100_000_000);
    let sum: u32 = body.bytes().enumerate().map(|(i, b)| u32::from(b - b'0') * if i % 2 == 0 { 1 } else { 3 }).sum();
    format!("{body}{}", (10 - sum % 10) % 10)
}

fn records(format: MarcFormat) -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = Vec::new();
    if format == MarcFormat::MarcXml {
        out.extend_from_slice(
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><collection xmlns=\"http://www.loc.gov/MARC21/slim\">",
        );
    }
    let mut barcode = 0;
    for n in 0..RECORDS {
        let mut fields = vec![
            MarcField::control("001", format!("bench-{n}")),
            MarcField::control("008", format!("260401s{}    ja            000 1 jpn d", 1950 + n % 75)),
            MarcField::data("020", [' ', ' '], &[('a', &isbn(n as u64))]),
            MarcField::data(
                "084",
                [' ', ' '],
                &[('a', &format!("{}.{}", 100 + rng.below(800), rng.below(10))), ('2', "njb/09")],
            ),
            MarcField::data("100", ['1', ' '], &[('6', "880-02"), ('a', &format!("著者, {}郎,", rng.below(5000)))]),
            MarcField::data(
                "245",
                ['1', '0'],
                &[('6', "880-01"), ('a', &format!("図書館の本 第{n}巻 /")), ('c', "著者 著.")],
            ),
            MarcField::data(
                "264",
                [' ', '1'],
                &[('a', "東京 :"), ('b', "出版社,"), ('c', &format!("{}.{}.", 1950 + n % 75, 1 + n % 12))],
            ),
            MarcField::data("650", [' ', '7'], &[('a', "日本文学")]),
            MarcField::data(
                "880",
                ['1', '0'],
                &[('6', "245-01/$1"), ('a', &format!("トショカン ノ ホン ダイ{n}カン"))],
            ),
            MarcField::data("880", ['1', ' '], &[('6', "100-02/$1"), ('a', "チョシャ")]),
        ];
        for _ in 0..1 + rng.below(2) {
            barcode += 1;
            let branch = BRANCHES[rng.below(3) as usize];
            fields.push(MarcField::data(
                "952",
                [' ', ' '],
                &[('a', branch), ('p', &format!("M{barcode:07}")), ('y', "BK")],
            ));
        }
        let rec = MarcRecord { leader: "00000nam a2200000 i 4500".into(), fields };
        match format {
            MarcFormat::Iso2709 => out.extend_from_slice(&rec.to_iso2709().unwrap()),
            _ => out.extend_from_slice(rec.to_marcxml().as_bytes()),
        }
    }
    if format == MarcFormat::MarcXml {
        out.extend_from_slice(b"</collection>");
    }
    out
}

fn import(c: &mut Criterion) {
    let mut group = c.benchmark_group("marc_import_100k");
    group.sample_size(10).measurement_time(Duration::from_secs(60)).throughput(Throughput::Elements(RECORDS as u64));
    for format in [MarcFormat::Iso2709, MarcFormat::MarcXml] {
        let input = records(format);
        group.bench_function(format!("{format:?} ({} MB)", input.len() / 1_000_000), |b| {
            b.iter_batched(
                || {
                    let dir = tempfile::tempdir().unwrap();
                    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap());
                    let lib = Library::open(dir.path().join("bench.sqlite"), Policy::preset("chiba").unwrap(), clock)
                        .unwrap();
                    (dir, lib)
                },
                |(dir, mut lib)| {
                    let report = lib.import_marc(&input[..], format, &MarcMapping::default(), |_| {}).unwrap();
                    assert_eq!((report.titles, report.skipped.len()), (RECORDS, 0));
                    (dir, lib)
                },
                BatchSize::PerIteration,
            );
        });
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
