//! A circulation workload for the replication check (`scripts/replication-check`, issue #18).
//!
//! It drives a library file through bunko's public API only, the way a library's service
//! would, and writes every operation the engine **acknowledged** (the call returned `Ok`) to a
//! side log, one line each, with the wall-clock time it returned:
//!
//! ```text
//! <unix ms> <worker> <op> <fields...>
//! ```
//!
//! Modes:
//!
//! - `init DB` — a new library file (chiba preset): 3 branches, 1,000 titles with 2 copies each,
//!   200 borrowers.
//! - `run DB --log LOG --worker N [--seconds S]` — checkouts, check-ins (which assign copies to
//!   waiting holds), counter holds, patron registrations and collections of held copies, and account changes (a flag
//!   recorded on a card), and now and then a new title, until killed or for `S` seconds. Several workers
//!   may run on one file at once (each has its own patrons for holds, so ids never clash).
//! - `scrub DB --log LOG [--every-ms MS] [--seconds S]` — the daily `Library::scrub` (deletions
//!   and WAL checkpoint + truncation), run over and over, each result logged.
//! - `verify DB --log LOG... [--killed-at MS] [--lag-ms MS] [--absent-after MS]` — opens a
//!   (restored) file with `Library::open`, runs `check()`, looks every acknowledged operation
//!   up through the API, and prints one line of figures. Exits non-zero when `check()` reports
//!   anything, when an operation acknowledged more than `--lag-ms` before `--killed-at` is
//!   missing, when an operation is missing while a later one is present (the restore is not a
//!   prefix of history), or when one acknowledged after `--absent-after` is present.
//! - `privacy-patron DB CARD` — registers a patron with no phone or address (so a test can
//!   renumber it before it has other rows) and prints its id.
//! - `privacy-lend DB CARD` / `privacy-return DB BARCODE` — lends a copy to that patron
//!   (prints the barcode) / returns it and runs the scrub.
//!
//! Time inside the library is a fixed instant (2026-06-01, 10:00 in Japan): due dates and hold
//! deadlines never move, so nothing expires during a run and every check is about replication.

use std::collections::{HashMap, HashSet};
use std::error::Error;
use std::fs::OpenOptions;
use std::io::{BufRead, BufReader, Write};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bunko::catalog::{CopyStatus, NewCopy, NewTitle, TitleId};
use bunko::circulation::CopyRoute;
use bunko::holds::{HoldId, HoldRequest, HoldStatus};
use bunko::patrons::{NewPatron, PatronId, Phone, PhoneKind};
use bunko::policy::ContactMethod;
use bunko::{Error as BunkoError, FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};

type Outcome<T = ()> = Result<T, Box<dyn Error>>;

const BRANCHES: [&str; 3] = ["chuo", "seibu", "tobu"];
const TITLES: usize = 1000;
const COPIES_PER_TITLE: usize = 2;
const BORROWERS: usize = 200;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("workload: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Outcome<ExitCode> {
    let (Some(mode), Some(db)) = (args.first(), args.get(1)) else {
        return Err("usage: workload init|run|scrub|verify|privacy-patron|privacy-lend|privacy-return DB [...]".into());
    };
    let flags = Flags::parse(&args[2..]);
    match mode.as_str() {
        "init" => init(db).map(|()| ExitCode::SUCCESS),
        "run" => work(db, &flags).map(|()| ExitCode::SUCCESS),
        "scrub" => scrub(db, &flags).map(|()| ExitCode::SUCCESS),
        "verify" => verify(db, &flags),
        "privacy-patron" => {
            let mut lib = open(db)?;
            let card = flags.positional.first().ok_or("privacy-patron DB CARD")?;
            let id = lib.register_patron(NewPatron::new(card.clone(), "記録 消子", date(2030, 1, 1)?))?;
            println!("{id}");
            Ok(ExitCode::SUCCESS)
        }
        "privacy-lend" => {
            let mut lib = open(db)?;
            let card = flags.positional.first().ok_or("privacy-lend DB CARD")?;
            let patron = lib.patron_by_card(card)?.id;
            for i in 0..TITLES * COPIES_PER_TITLE {
                let barcode = barcode(i);
                if let Ok(loan) = lib.checkout(&barcode, patron, BRANCHES[i % 3]) {
                    println!("{}", loan.barcode);
                    return Ok(ExitCode::SUCCESS);
                }
            }
            Err("no copy could be lent".into())
        }
        "privacy-return" => {
            let mut lib = open(db)?;
            let barcode = flags.positional.first().ok_or("privacy-return DB BARCODE")?;
            let done = lib.check_in(barcode, "chuo")?;
            let scrub = lib.scrub()?;
            println!(
                "returned loan {} of patron {}; scrub truncated the WAL: {}",
                done.loan, done.patron, scrub.wal_truncated
            );
            Ok(ExitCode::SUCCESS)
        }
        other => Err(format!("unknown mode {other}").into()),
    }
}

/// `--name value` pairs (repeatable) and positional words.
#[derive(Default)]
struct Flags {
    named: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Flags {
    fn parse(args: &[String]) -> Flags {
        let mut flags = Flags::default();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            match a.strip_prefix("--") {
                Some(name) => flags.named.push((name.to_owned(), it.next().cloned().unwrap_or_default())),
                None => flags.positional.push(a.clone()),
            }
        }
        flags
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.named.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.named.iter().filter(|(n, _)| n == name).map(|(_, v)| v.as_str()).collect()
    }

    fn number(&self, name: &str) -> Outcome<Option<u64>> {
        self.get(name).map(|v| v.parse::<u64>().map_err(|e| format!("--{name} {v}: {e}").into())).transpose()
    }
}

fn date(y: i32, m: u32, d: u32) -> Outcome<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| "date".into())
}

fn open(db: &str) -> Outcome<Library> {
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).single().ok_or("clock")?);
    Ok(Library::open(db, Policy::preset("chiba")?, Arc::new(clock))?)
}

/// Runs `f` again while the database is busy (another process's scrub holds the write lock
/// while it waits for readers): for the setup steps a service would simply retry.
fn patiently<T>(mut f: impl FnMut() -> Result<T, BunkoError>) -> Outcome<T> {
    let start = Instant::now();
    loop {
        match f() {
            Err(BunkoError::Busy) if start.elapsed() < Duration::from_secs(60) => {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return Ok(other?),
        }
    }
}

fn open_patiently(db: &str) -> Outcome<Library> {
    let start = Instant::now();
    loop {
        match open(db) {
            Err(e)
                if start.elapsed() < Duration::from_secs(60)
                    && matches!(e.downcast_ref::<BunkoError>(), Some(BunkoError::Busy)) =>
            {
                std::thread::sleep(Duration::from_millis(50));
            }
            other => return other,
        }
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64)
}

fn barcode(i: usize) -> String {
    format!("W{i:05}")
}

/// A copy's home branch: where it is lent and returned, so it goes back on the shelf.
fn home(copy: usize) -> &'static str {
    BRANCHES[copy % 3]
}

fn borrower_card(i: usize) -> String {
    format!("7{i:07}")
}

fn with_phone(card: String, name: &str) -> Outcome<NewPatron> {
    let mut p = NewPatron::new(card, name, date(2030, 1, 1)?);
    p.phones = vec![Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-0000-0000") }];
    Ok(p)
}

fn init(db: &str) -> Outcome {
    let mut lib = open(db)?;
    for i in 0..BORROWERS {
        lib.register_patron(with_phone(borrower_card(i), "利用者")?)?;
    }
    for t in 0..TITLES {
        let title = lib.add_title(NewTitle::new(format!("蔵書 {t}")))?;
        for c in 0..COPIES_PER_TITLE {
            let i = t * COPIES_PER_TITLE + c;
            lib.add_copy(NewCopy::new(barcode(i), title, BRANCHES[i % 3], "book"))?;
        }
    }
    println!("initialised {db}: {TITLES} titles, {} copies, {BORROWERS} borrowers", TITLES * COPIES_PER_TITLE);
    Ok(())
}

/// A small linear congruential generator: the workload needs no crate for randomness.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// The side log: one `write` per acknowledged operation, appended, so two processes can share
/// a file and a SIGKILL loses nothing that was written.
struct AckLog {
    file: std::fs::File,
    worker: String,
}

impl AckLog {
    fn open(path: &str, worker: &str) -> Outcome<AckLog> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        Ok(AckLog { file, worker: worker.to_owned() })
    }

    fn ack(&mut self, op: &str) -> Outcome {
        let line = format!("{} {} {op}\n", now_ms(), self.worker);
        self.file.write_all(line.as_bytes())?;
        Ok(())
    }
}

/// Busy and refusals are a library's normal day (a copy already out, a hold limit reached):
/// not acknowledged, not logged. Anything else stops the worker.
fn tolerated(e: &BunkoError) -> bool {
    matches!(
        e,
        BunkoError::Busy
            | BunkoError::Refused(_)
            | BunkoError::NotFound { .. }
            | BunkoError::Conflict { .. }
            | BunkoError::InvalidInput { .. }
    )
}

fn work(db: &str, flags: &Flags) -> Outcome {
    let worker = flags.get("worker").unwrap_or("1").to_owned();
    let mut log = AckLog::open(flags.get("log").ok_or("run needs --log")?, &worker)?;
    let seconds = flags.number("seconds")?;
    let w: u64 = worker.parse().unwrap_or(1);
    let mut rng = Lcg(now_ms() ^ (w.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
    let mut lib = open_patiently(db)?;
    let mut borrowers: Vec<PatronId> = Vec::new();
    for i in 0..BORROWERS {
        borrowers.push(patiently(|| lib.patron_by_card(&borrower_card(i)))?.id);
    }
    let mut titles: Vec<TitleId> = Vec::new();
    for t in 0..TITLES {
        titles.push(patiently(|| lib.copy_by_barcode(&barcode(t * COPIES_PER_TITLE)))?.title);
    }
    // This worker's own patrons: they place holds, collect them, and have their account
    // changed (so ids never clash with another worker's).
    let mut holders: Vec<PatronId> = Vec::new();
    let mut unflagged: Vec<PatronId> = Vec::new();
    // Holds this worker's check-ins filled, waiting to be collected.
    let mut assigned: Vec<HoldId> = Vec::new();
    // The copies this worker lent and has not returned yet.
    let mut lent: Vec<usize> = Vec::new();
    let start = Instant::now();
    let mut seq = 0u64;
    let mut ops = 0u64;
    while seconds.is_none_or(|s| start.elapsed() < Duration::from_secs(s)) {
        seq += 1;
        let copy = rng.below(TITLES * COPIES_PER_TITLE);
        let branch = BRANCHES[rng.below(3)];
        let result: Result<Option<String>, BunkoError> = match rng.below(20) {
            0..=5 => {
                let patron = borrowers[rng.below(BORROWERS)];
                lib.checkout(&barcode(copy), patron, home(copy)).map(|loan| {
                    lent.push(copy);
                    Some(format!("loan {} {} {}", loan.id, patron, loan.barcode))
                })
            }
            6..=10 if lent.is_empty() => Ok(None),
            6..=10 => {
                // Returned at its home branch: back on the shelf, or to the next hold.
                let copy = lent.swap_remove(rng.below(lent.len()));
                lib.check_in(&barcode(copy), home(copy)).map(|done| {
                    let hold = match done.route {
                        CopyRoute::HeldForPickup { hold, .. } | CopyRoute::InTransitForHold { hold, .. } => {
                            assigned.push(hold);
                            format!(" hold {hold}")
                        }
                        _ => String::new(),
                    };
                    Some(format!("return {} {} {}{hold}", done.loan, done.patron, barcode(copy)))
                })
            }
            11 if !holders.is_empty() => {
                let patron = holders[rng.below(holders.len())];
                let title = titles[rng.below(titles.len())];
                let request = HoldRequest::web(branch, ContactMethod::Phone).at_counter();
                lib.place_hold(patron, title, &request).map(|id| Some(format!("hold {id}")))
            }
            12..=14 if !assigned.is_empty() => {
                // A patron collects a copy this worker's check-in assigned to their hold:
                // received at the pickup branch if it was on its way, then lent (the hold is
                // fulfilled and forgotten, R-R1).
                let hold = assigned.swap_remove(rng.below(assigned.len()));
                collect(&mut lib, hold).map(|done| {
                    done.map(|(patron, loan, copy)| {
                        lent.push(copy);
                        format!("loan {loan} {patron} {} collect {hold}", barcode(copy))
                    })
                })
            }
            15..=16 if !unflagged.is_empty() => {
                // An account change: staff record a flag on the patron's card (once, so a lost
                // change cannot look present).
                let patron = unflagged.swap_remove(rng.below(unflagged.len()));
                let flags = std::collections::BTreeSet::from(["hearing_impaired".to_owned()]);
                lib.set_patron_flags(patron, &flags).map(|()| Some(format!("flagged {patron} hearing_impaired")))
            }
            17 => {
                let title = lib.add_title(NewTitle::new(format!("新着 {worker}-{seq}")));
                title.and_then(|t| {
                    lib.add_copy(NewCopy::new(format!("N{worker}-{seq}"), t, branch, "book"))?;
                    Ok(Some(format!("title {t}")))
                })
            }
            11..=19 => {
                let card = format!("8{w}{seq:06}");
                let patron = with_phone(card.clone(), "新規 利用者")?;
                lib.register_patron(patron).map(|id| {
                    holders.push(id);
                    unflagged.push(id);
                    Some(format!("patron {card} {id}"))
                })
            }
            _ => Ok(None),
        };
        match result {
            Ok(Some(op)) => {
                log.ack(&op)?;
                ops += 1;
            }
            Ok(None) => {}
            Err(e) if tolerated(&e) => {
                if std::env::var_os("WORKLOAD_DEBUG").is_some() {
                    eprintln!("refused: {e}");
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!("worker {worker}: {ops} operations acknowledged in {secs:.1} s ({:.0} ops/s)", ops as f64 / secs);
    Ok(())
}

/// Lends the copy a hold was filled with to the hold's patron: `(patron, loan, copy)`, or
/// nothing when the copy is not one of the seeded ones.
fn collect(lib: &mut Library, hold: HoldId) -> Result<Option<(PatronId, i64, usize)>, BunkoError> {
    let hold = lib.hold(hold)?;
    let Some(copy) = hold.copy else { return Ok(None) };
    let copy = lib.copy(copy)?;
    let Some(index) = copy.barcode.strip_prefix('W').and_then(|n| n.parse::<usize>().ok()) else { return Ok(None) };
    if hold.status == HoldStatus::InTransit {
        lib.receive_copy(&copy.barcode, &hold.pickup)?;
    }
    let loan = lib.checkout(&copy.barcode, hold.patron, &hold.pickup)?;
    Ok(Some((hold.patron, loan.id.get(), index)))
}

fn scrub(db: &str, flags: &Flags) -> Outcome {
    let mut log = AckLog::open(flags.get("log").ok_or("scrub needs --log")?, "scrub")?;
    let every = Duration::from_millis(flags.number("every-ms")?.unwrap_or(3_000));
    let seconds = flags.number("seconds")?;
    let mut lib = open_patiently(db)?;
    let start = Instant::now();
    while seconds.is_none_or(|s| start.elapsed() < Duration::from_secs(s)) {
        match lib.scrub() {
            Ok(s) => log.ack(&format!("scrub truncated={}", s.wal_truncated))?,
            Err(BunkoError::Busy) => log.ack("scrub busy")?,
            Err(e) => return Err(e.into()),
        }
        std::thread::sleep(every);
    }
    Ok(())
}

/// One acknowledged operation from a side log.
struct Acked {
    at: u64,
    worker: String,
    words: Vec<String>,
}

fn read_logs(paths: &[&str]) -> Outcome<Vec<Acked>> {
    let mut out = Vec::new();
    for path in paths {
        for line in BufReader::new(std::fs::File::open(path)?).lines() {
            let line = line?;
            let mut words = line.split_whitespace().map(str::to_owned);
            // A line cut short by the kill has no newline; `lines` still yields it, so check
            // that it has every field its operation needs.
            let (Some(at), Some(worker)) = (words.next(), words.next()) else { continue };
            let Ok(at) = at.parse() else { continue };
            let words: Vec<String> = words.collect();
            let needed = match words.first().map(String::as_str) {
                Some("loan" | "return") => 4,
                Some("patron" | "flagged") => 3,
                Some("hold" | "title") => 2,
                _ => usize::MAX,
            };
            if words.len() >= needed {
                out.push(Acked { at, worker, words });
            }
        }
    }
    out.sort_by_key(|a| a.at);
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    Present,
    Absent,
    /// The restored state cannot tell (a returned loan leaves no trace, by design: R-R1).
    Unknown,
}

fn verify(db: &str, flags: &Flags) -> Outcome<ExitCode> {
    let logs = flags.all("log");
    let acked = read_logs(&logs)?;
    let killed_at = flags.number("killed-at")?;
    let lag = flags.number("lag-ms")?.unwrap_or(5_000);
    let absent_after = flags.number("absent-after")?;
    // How far apart two processes' acknowledgements may be from their commit order.
    let skew = flags.number("skew-ms")?.unwrap_or(500);
    // A killed writer may have committed one last operation it had no time to log: a check-in
    // that ended a logged loan, or a collection that deleted a logged hold (R-R1), which then
    // read as missing; up to this many such operations are allowed (one per killed writer
    // process).
    let tolerate = flags.number("tolerate")?.unwrap_or(0) as usize;
    let opened = Instant::now();
    let lib = open(db)?;
    let violations = lib.check()?;
    let open_check_ms = opened.elapsed().as_millis();

    // Which loans a later check-in in the logs ended, and each patron's last block or unblock.
    let mut returned: HashSet<String> = HashSet::new();
    let mut collected: HashSet<String> = HashSet::new();
    let mut last_on_copy: HashMap<String, usize> = HashMap::new();
    for (i, a) in acked.iter().enumerate() {
        match a.words[0].as_str() {
            "return" => _ = returned.insert(a.words[1].clone()),
            "loan" if a.words.get(4).map(String::as_str) == Some("collect") => {
                if let Some(h) = a.words.get(5) {
                    collected.insert(h.clone());
                }
            }
            _ => {}
        }
        if matches!(a.words[0].as_str(), "loan" | "return") {
            last_on_copy.insert(a.words[3].clone(), i);
        }
    }
    let mut open_loans: HashMap<i64, HashSet<i64>> = HashMap::new();
    let mut loans_of = |patron: i64| -> Outcome<HashSet<i64>> {
        if let Some(l) = open_loans.get(&patron) {
            return Ok(l.clone());
        }
        // A patron the restore lacks (registered in the lost tail) has no loans in it.
        let l: HashSet<i64> = match lib.patron_loans(PatronId::from(patron)) {
            Ok(loans) => loans.iter().map(|v| v.loan.id.get()).collect(),
            Err(BunkoError::NotFound { .. }) => HashSet::new(),
            Err(e) => return Err(e.into()),
        };
        open_loans.insert(patron, l.clone());
        Ok(l)
    };
    let num = |s: &str| -> Outcome<i64> { Ok(s.parse::<i64>()?) };
    let hold_status = |id: i64| -> Outcome<Option<HoldStatus>> {
        match lib.hold(HoldId::from(id)) {
            Ok(h) => Ok(Some(h.status)),
            Err(BunkoError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    };

    // Holds a killed writer may have collected without logging it: the logged check-in that
    // filled the hold shows (its loan is closed), the hold is gone, no collection of it is
    // logged, and its copy is on loan with nothing logged on the copy after that check-in.
    // Only these may read as missing for want of a log line; any other missing hold fails.
    let mut collected_unlogged: HashSet<&str> = HashSet::new();
    for (i, a) in acked.iter().enumerate() {
        let w = &a.words;
        if let ("return", Some("hold"), Some(hold)) = (w[0].as_str(), w.get(4).map(String::as_str), w.get(5)) {
            let candidate = !collected.contains(hold)
                && last_on_copy.get(&w[3]) == Some(&i)
                && !loans_of(num(&w[2])?)?.contains(&num(&w[1])?)
                && hold_status(num(hold)?)?.is_none()
                && lib.copy_by_barcode(&w[3]).is_ok_and(|c| c.status == CopyStatus::OnLoan);
            if candidate {
                collected_unlogged.insert(hold.as_str());
            }
        }
    }

    let mut seen = Vec::with_capacity(acked.len());
    // For each entry read as missing because its hold was collected unlogged: the hold's id.
    let mut gone_hold: Vec<Option<&str>> = Vec::with_capacity(acked.len());
    for (i, a) in acked.iter().enumerate() {
        let w = &a.words;
        let hold = match w[0].as_str() {
            "hold" => w.get(1),
            "return" => w.get(5),
            _ => None,
        };
        gone_hold.push(hold.map(String::as_str).filter(|h| collected_unlogged.contains(h)));
        let s = match w[0].as_str() {
            "patron" => present(lib.patron_by_card(&w[1]).is_ok()),
            "title" => present(lib.title(TitleId::from(num(&w[1])?)).is_ok()),
            "hold" => match hold_status(num(&w[1])?)? {
                Some(_) => Seen::Present,
                // Collected later: a collected hold is forgotten (R-R1).
                None if collected.contains(&w[1]) => Seen::Unknown,
                None => Seen::Absent,
            },
            "loan" => {
                if loans_of(num(&w[2])?)?.contains(&num(&w[1])?) {
                    Seen::Present
                } else if returned.contains(&w[1]) || last_on_copy.get(&w[3]) != Some(&i) {
                    // Returned, or the copy was lent again later: this loan has ended.
                    Seen::Unknown
                } else {
                    Seen::Absent
                }
            }
            "return" => {
                let still_open = loans_of(num(&w[2])?)?.contains(&num(&w[1])?);
                match (still_open, w.get(4).map(String::as_str), w.get(5)) {
                    (true, ..) => Seen::Absent,
                    (false, Some("hold"), Some(hold)) => match hold_status(num(hold)?)? {
                        Some(HoldStatus::Ready | HoldStatus::InTransit) => Seen::Present,
                        None if collected.contains(hold) => Seen::Unknown,
                        _ => Seen::Absent,
                    },
                    _ => Seen::Unknown,
                }
            }
            "flagged" => match lib.patron(PatronId::from(num(&w[1])?)) {
                Ok(patron) => present(patron.flags.contains(&w[2])),
                Err(BunkoError::NotFound { .. }) => Seen::Absent,
                Err(e) => return Err(e.into()),
            },
            _ => Seen::Unknown,
        };
        seen.push(s);
    }

    let count = |s: Seen| seen.iter().filter(|&&x| x == s).count();
    let last_present = acked.iter().zip(&seen).filter(|(_, s)| **s == Seen::Present).map(|(a, _)| a.at).max();
    let restored = last_present.map_or(0, |t| acked.iter().filter(|a| a.at <= t).count());
    let mut failures: Vec<String> = violations.iter().map(|v| format!("check(): {v}")).collect();
    let describe = |a: &Acked| format!("{} (worker {}, acknowledged at {})", a.words.join(" "), a.worker, a.at);
    let mut tolerated_left = tolerate;
    // Holds whose unlogged collection has been allowed for: one collection explains both the
    // hold's placement and the check-in that filled it.
    let mut allowed: HashSet<&str> = HashSet::new();
    for ((a, s), gone) in acked.iter().zip(&seen).zip(&gone_hold) {
        let overwritable = a.words[0] == "loan" || gone.is_some();
        if *s == Seen::Absent && overwritable && last_present.is_some_and(|t| a.at + skew < t) {
            if gone.is_some_and(|h| allowed.contains(h)) {
                continue;
            }
            if tolerated_left > 0 {
                tolerated_left -= 1;
                allowed.extend(*gone);
                continue;
            }
        }
        if *s == Seen::Absent && last_present.is_some_and(|t| a.at + skew < t) {
            failures.push(format!("missing while a later operation is present: {}", describe(a)));
        }
        if *s == Seen::Absent && killed_at.is_some_and(|k| a.at + lag < k) {
            failures.push(format!("missing, acknowledged more than {lag} ms before the kill: {}", describe(a)));
        }
        if *s == Seen::Present && absent_after.is_some_and(|t| a.at > t) {
            failures.push(format!("present, but acknowledged after the restore point: {}", describe(a)));
        }
    }
    // The loss window: from the oldest acknowledged operation after the last one the restore
    // shows (not shown present, so perhaps lost: an upper bound) to the kill.
    let oldest_lost = match last_present {
        Some(t) => acked.iter().map(|a| a.at).find(|&at| at > t),
        None => acked.first().map(|a| a.at),
    };
    let lost_after_last = last_present.map_or(acked.len(), |t| acked.iter().filter(|a| a.at > t).count());
    let window = match (killed_at, oldest_lost) {
        (Some(k), Some(t)) => k.saturating_sub(t).to_string(),
        (Some(_), None) => "0".to_owned(),
        _ => "-".to_owned(),
    };
    let lag_to_last = match (killed_at, last_present) {
        (Some(k), Some(t)) => k.saturating_sub(t).to_string(),
        _ => "-".to_owned(),
    };
    println!(
        "acknowledged={} restored={} not_restored={} checked_present={} checked_absent={} unknown={} \
         tolerated={} loss_window_ms={window} last_restored_before_kill_ms={lag_to_last} check_violations={} failures={} \
         open_check_ms={open_check_ms}",
        acked.len(),
        restored,
        lost_after_last,
        count(Seen::Present),
        count(Seen::Absent),
        count(Seen::Unknown),
        tolerate - tolerated_left,
        violations.len(),
        failures.len()
    );
    let shown = if std::env::var_os("WORKLOAD_DEBUG").is_some() { usize::MAX } else { 20 };
    for f in failures.iter().take(shown) {
        eprintln!("  {f}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn present(yes: bool) -> Seen {
    if yes { Seen::Present } else { Seen::Absent }
}
