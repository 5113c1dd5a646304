//! Alerts benchmarks (issue #8): the reverse-search matcher against a naive loop and against
//! per-query SQLite FTS5 (trigram) search, and the cost of building the index.
//! Results: benches/README.md.

use bunko::alerts::{Field, Matcher, Query, Record, normalize};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::time::{Duration, Instant};

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// Common words of Japanese and Latin titles, authors and publishers (the head of the Zipf
/// curve); the long tail is made of generated kana and Latin words, see `vocabulary`.
const COMMON: [&str; 48] = [
    "猫",
    "本",
    "図書館",
    "東京",
    "物語",
    "歴史",
    "日本",
    "の",
    "と",
    "入門",
    "料理",
    "旅",
    "宇宙",
    "科学",
    "子ども",
    "世界",
    "ドストエフスキー",
    "村上春樹",
    "夏目漱石",
    "宮沢賢治",
    "ハリー",
    "ポッター",
    "ミステリー",
    "ファンタジー",
    "データベース",
    "プログラミング",
    "Rust",
    "SQLite",
    "Python",
    "history",
    "cats",
    "library",
    "guide",
    "world",
    "science",
    "travel",
    "岩波書店",
    "新潮社",
    "講談社",
    "オライリー",
    "Springer",
    "福島",
    "静岡",
    "千葉",
    "神奈川",
    "筑紫野",
    "新版",
    "完全",
];

/// Size of the vocabulary: realistic saved searches name authors, series and topics from a
/// large vocabulary, so matches are sparse.
const VOCABULARY: usize = 20_000;

fn vocabulary() -> Vec<String> {
    const KANA: [&str; 20] = [
        "か", "き", "く", "さ", "し", "た", "な", "は", "ま", "や", "ら", "わ", "ン", "ト", "リ", "ア", "ス", "ミ",
        "ロ", "ケ",
    ];
    const LATIN: [&str; 10] = ["ka", "ri", "to", "mo", "an", "el", "or", "un", "is", "ve"];
    let mut words: Vec<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
    let mut i = 0usize;
    while words.len() < VOCABULARY {
        let w = if i % 3 == 0 {
            format!("{}{}{}", LATIN[i % 10], LATIN[(i / 10) % 10], LATIN[(i / 100) % 10]) + &(i / 1000).to_string()
        } else {
            format!("{}{}{}{}", KANA[i % 20], KANA[(i / 20) % 20], KANA[(i / 400) % 20], KANA[(i / 8000) % 20])
        };
        words.push(w);
        i += 1;
    }
    words.sort();
    words.dedup();
    words
}

/// Words of the vocabulary, Zipf-like.
trait Words {
    fn zipf_word<'v>(&mut self, vocab: &'v [String]) -> &'v str;
    fn words(&mut self, vocab: &[String], n: usize) -> String;
}

impl Words for Rng {
    fn zipf_word<'v>(&mut self, vocab: &'v [String]) -> &'v str {
        &vocab[self.zipf(vocab.len() as u64) as usize - 1]
    }
    fn words(&mut self, vocab: &[String], n: usize) -> String {
        (0..n).map(|_| self.zipf_word(vocab)).collect::<Vec<_>>().join(" ")
    }
}

/// `n` saved searches of one or two terms drawn Zipf-like from `vocab`.
fn queries(n: usize, rng: &mut Rng, vocab: &[String]) -> Vec<(usize, Query)> {
    let fields = [Field::Title, Field::Author, Field::Keyword, Field::Title, Field::Publisher];
    (0..n)
        .map(|i| {
            let n = 1 + (rng.next() % 2) as usize;
            let terms = (0..n).map(|_| (fields[(rng.next() % 5) as usize], rng.zipf_word(vocab).to_owned())).collect();
            (i, Query { terms, category: None })
        })
        .collect()
}

fn records(n: usize, rng: &mut Rng, vocab: &[String]) -> Vec<Record> {
    (0..n)
        .map(|_| {
            let n = 3 + (rng.next() % 4) as usize;
            Record {
                title: rng.words(vocab, n),
                author: rng.words(vocab, 1),
                publisher: rng.words(vocab, 1),
                subjects: rng.words(vocab, 2),
                category: "913".into(),
            }
        })
        .collect()
}

/// Every query against every record with `str::contains` on normalised text (queries are
/// normalised once, up front, as a fair baseline would).
fn naive(queries: &[Vec<(Field, String)>], records: &[Record]) -> usize {
    let mut hits = 0;
    for r in records {
        let fields = [
            (Field::Title, normalize(&r.title)),
            (Field::Author, normalize(&r.author)),
            (Field::Publisher, normalize(&r.publisher)),
            (Field::Subject, normalize(&r.subjects)),
        ];
        for terms in queries {
            let ok = terms.iter().all(|(f, t)| {
                fields.iter().any(|(g, text)| (*f == Field::Keyword || g == f) && text.contains(t.as_str()))
            });
            hits += usize::from(ok && !terms.is_empty());
        }
    }
    hits
}

/// Per-query full-text search over the arrivals with SQLite FTS5's trigram tokenizer (which
/// cannot find one- or two-character terms, a reason the engine indexes queries instead).
fn fts5(queries: &[(usize, Query)], records: &[Record]) -> usize {
    let conn = rusqlite::Connection::open_in_memory().unwrap();
    conn.execute_batch(
        "CREATE VIRTUAL TABLE arrivals USING fts5(title, author, publisher, subject, tokenize = 'trigram')",
    )
    .unwrap();
    let mut insert = conn.prepare("INSERT INTO arrivals VALUES (?1, ?2, ?3, ?4)").unwrap();
    for r in records {
        insert
            .execute([normalize(&r.title), normalize(&r.author), normalize(&r.publisher), normalize(&r.subjects)])
            .unwrap();
    }
    let mut hits = 0;
    for (_, q) in queries {
        let expr: Vec<String> = q
            .terms
            .iter()
            .map(|(f, t)| {
                let t = normalize(t).replace('"', "\"\"");
                match f {
                    Field::Title => format!("title : \"{t}\""),
                    Field::Author => format!("author : \"{t}\""),
                    Field::Publisher => format!("publisher : \"{t}\""),
                    Field::Subject => format!("subject : \"{t}\""),
                    Field::Keyword => format!("\"{t}\""),
                }
            })
            .collect();
        let mut stmt = conn.prepare_cached("SELECT COUNT(*) FROM arrivals WHERE arrivals MATCH ?1").unwrap();
        hits += stmt.query_row([expr.join(" AND ")], |r| r.get::<_, i64>(0)).unwrap_or(0) as usize;
    }
    hits
}

fn matching(c: &mut Criterion) {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let vocab = vocabulary();
    // Records draw from the whole vocabulary; realistic searches name authors, series and
    // topics, so their terms come from the long tail (the common head words excluded). The
    // head-inclusive case is kept as a stress test: each arrival then matches ~1,900 searches.
    let tail: Vec<String> = vocab.iter().filter(|w| !COMMON.contains(&w.as_str())).cloned().collect();
    let (big_q, big_r) = (queries(100_000, &mut rng, &tail), records(10_000, &mut rng, &vocab));
    let (small_q, small_r) = (queries(10_000, &mut rng, &tail), records(1_000, &mut rng, &vocab));
    let stress_q = queries(100_000, &mut rng, &vocab);

    let mut group = c.benchmark_group("alerts");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(8));
    let big = Matcher::new(big_q.iter().cloned());
    group.throughput(Throughput::Elements(big_r.len() as u64));
    group.bench_function("a: matcher, 100k searches x 10k arrivals", |b| {
        b.iter(|| big.matches_all(&big_r).iter().map(Vec::len).sum::<usize>())
    });
    let stress = Matcher::new(stress_q.iter().cloned());
    group.bench_function("a': stress, head words as search terms, 100k x 10k", |b| {
        b.iter(|| stress.matches_all(&big_r).iter().map(Vec::len).sum::<usize>())
    });
    let small = Matcher::new(small_q.iter().cloned());
    group.throughput(Throughput::Elements(small_r.len() as u64));
    group.bench_function("b: matcher, 10k x 1k", |b| {
        b.iter(|| small.matches_all(&small_r).iter().map(Vec::len).sum::<usize>())
    });
    let normalised: Vec<Vec<(Field, String)>> =
        small_q.iter().map(|(_, q)| q.terms.iter().map(|(f, t)| (*f, normalize(t))).collect()).collect();
    group.bench_function("b: naive loop, 10k x 1k", |b| b.iter(|| naive(&normalised, &small_r)));
    group.bench_function("b: FTS5 trigram per query, 10k x 1k", |b| b.iter(|| fts5(&small_q, &small_r)));
    group.bench_function("c: build the index of 100k searches", |b| {
        b.iter(|| Matcher::new(big_q.iter().cloned()).len())
    });
    group.finish();

    // (c) memory: heap bytes held by the index once built, and the peak while building it.
    let total: usize = big.matches_all(&big_r).iter().map(Vec::len).sum();
    let stressed: usize = stress.matches_all(&big_r).iter().map(Vec::len).sum();
    eprintln!("a: {total} matches of 100k searches against 10k arrivals ({stressed} in the stress case)");
    let (before, start) = (heap::live(), Instant::now());
    heap::reset_peak();
    let index = Matcher::new(big_q.iter().cloned());
    let built = start.elapsed();
    eprintln!(
        "c: index of {} searches built in {built:?}; holds {:.1} MiB of heap, peak {:.1} MiB while building",
        index.len(),
        (heap::live() - before) as f64 / 1048576.0,
        (heap::peak() - before) as f64 / 1048576.0,
    );
}

/// A global allocator that counts live and peak heap bytes, for the memory figure of (c).
mod heap {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

    static LIVE: AtomicUsize = AtomicUsize::new(0);
    static PEAK: AtomicUsize = AtomicUsize::new(0);

    struct Counting;

    #[global_allocator]
    static ALLOCATOR: Counting = Counting;

    // SAFETY: every call is forwarded unchanged to the system allocator; only counters are added.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            grow(layout.size());
            // SAFETY: same contract as ours.
            unsafe { System.alloc(layout) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            LIVE.fetch_sub(layout.size(), Relaxed);
            // SAFETY: same contract as ours.
            unsafe { System.dealloc(ptr, layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            LIVE.fetch_sub(layout.size(), Relaxed);
            grow(new_size);
            // SAFETY: same contract as ours.
            unsafe { System.realloc(ptr, layout, new_size) }
        }
    }

    fn grow(bytes: usize) {
        let live = LIVE.fetch_add(bytes, Relaxed) + bytes;
        PEAK.fetch_max(live, Relaxed);
    }

    /// Heap bytes allocated and not yet freed.
    pub fn live() -> usize {
        LIVE.load(Relaxed)
    }

    /// The most `live` has been since the last `reset_peak`.
    pub fn peak() -> usize {
        PEAK.load(Relaxed)
    }

    /// Starts a new peak measurement from the current live size.
    pub fn reset_peak() {
        PEAK.store(live(), Relaxed);
    }
}

criterion_group!(benches, matching);
criterion_main!(benches);
