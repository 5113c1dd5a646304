//! Shared scaffolding for scenario tests: a library under a preset with a clock that moves.
#![allow(dead_code)]

pub mod python;

use std::sync::Arc;

use bunko::catalog::{CopyId, NewCopy, NewTitle, TitleId};
use bunko::holds::HoldRequest;
use bunko::notify::Notice;
use bunko::patrons::{NewPatron, PatronId, Phone, PhoneKind};
use bunko::policy::ContactMethod;
use bunko::{FixedClock, Library, Policy};
use chrono::{Days, NaiveDate, TimeZone, Utc};

pub fn day(s: &str) -> NaiveDate {
    s.parse().expect("a YYYY-MM-DD date")
}

/// A temporary directory holding one database file, removed when dropped.
pub struct TempDb {
    pub _dir: tempfile::TempDir,
    /// The database file.
    pub path: std::path::PathBuf,
}

pub struct World {
    pub lib: Library,
    pub clock: Arc<FixedClock>,
    next_card: u32,
    next_barcode: u32,
}

impl World {
    /// A library under `preset` whose local date is `today` (10:00 in Japan).
    pub fn new(preset: &str, today: &str) -> World {
        Self::with_policy(Policy::preset(preset).expect("preset"), today)
    }

    pub fn with_policy(policy: Policy, today: &str) -> World {
        let clock = Arc::new(FixedClock::new(Utc.from_utc_datetime(&day(today).and_hms_opt(1, 0, 0).unwrap())));
        let lib = Library::open_in_memory(policy, clock.clone()).expect("open");
        World { lib, clock, next_card: 0, next_barcode: 0 }
    }

    /// A library in a fresh temporary database file, which lives as long as the returned
    /// [`TempDb`].
    pub fn on_temp_file(preset: &str, today: &str) -> (World, TempDb) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("lib.sqlite");
        (World::on_file(preset, today, &path), TempDb { _dir: dir, path })
    }

    /// A library in a database file (for tests that inspect or compare the file).
    pub fn on_file(preset: &str, today: &str, path: &std::path::Path) -> World {
        Self::on_file_with_policy(Policy::preset(preset).expect("preset"), today, path)
    }

    /// A library under `policy` in a database file.
    pub fn on_file_with_policy(policy: Policy, today: &str, path: &std::path::Path) -> World {
        let clock = Arc::new(FixedClock::new(Utc.from_utc_datetime(&day(today).and_hms_opt(1, 0, 0).unwrap())));
        let lib = Library::open(path, policy, clock.clone()).expect("open");
        World { lib, clock, next_card: 0, next_barcode: 0 }
    }

    pub fn today(&self) -> NaiveDate {
        self.lib.today()
    }

    pub fn advance_days(&mut self, n: u64) {
        self.clock.advance(chrono::Duration::days(n as i64));
    }

    pub fn go_to(&mut self, date: &str) {
        self.clock.set(Utc.from_utc_datetime(&day(date).and_hms_opt(1, 0, 0).unwrap()));
    }

    /// The first of the library's own branches.
    pub fn home(&self) -> String {
        self.lib.policy().branches.iter().find(|b| !b.partner).expect("a branch").code.clone()
    }

    /// A card number valid under the policy, different each call.
    pub fn card(&mut self) -> String {
        self.next_card += 1;
        let rules = &self.lib.policy().cards;
        let len = rules.min_length.max(rules.max_length.min(8)) as usize;
        let first = rules.allowed_first_digits.first().copied().unwrap_or('1');
        format!("{first}{:0width$}", self.next_card, width = len - 1)
    }

    pub fn patron(&mut self) -> PatronId {
        let card = self.card();
        let expires = self.today().checked_add_days(Days::new(3 * 365)).unwrap();
        let mut patron = NewPatron::new(card, "利用者", expires);
        patron.phones = vec![Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-0000-0000") }];
        self.lib.register_patron(patron).expect("register")
    }

    pub fn title(&mut self, name: &str) -> TitleId {
        self.lib.add_title(NewTitle::new(name)).expect("title")
    }

    /// A loanable copy of a new title at `branch` of `kind`; returns its barcode.
    pub fn copy_at(&mut self, branch: &str, kind: &str) -> String {
        let t = self.title("本");
        self.copy_of(t, branch, kind)
    }

    pub fn copy_of(&mut self, title: TitleId, branch: &str, kind: &str) -> String {
        self.next_barcode += 1;
        let barcode = format!("C{:06}", self.next_barcode);
        self.lib.add_copy(NewCopy::new(barcode.clone(), title, branch, kind)).expect("copy");
        barcode
    }

    /// A new patron (chosen phone 090-0000-0000) with `address` registered at the counter,
    /// whose counter hold by mail on a new title at `branch` is ready: the ready mail notice.
    pub fn ready_mail_hold(&mut self, branch: &str, address: &str, tag: Option<&str>) -> Notice {
        let p = self.patron();
        self.lib.register_email_at_counter(p, address, tag).unwrap();
        let t = self.title("本");
        let c = self.copy_of(t, branch, "book");
        self.lib.place_hold(p, t, &HoldRequest::web(branch, ContactMethod::Mail).at_counter()).unwrap();
        self.lib.confirm_pulled(&c, branch).unwrap();
        self.lib.pending_notices(10).unwrap().pop().unwrap()
    }

    pub fn copy_id(&self, barcode: &str) -> CopyId {
        self.lib.copy_by_barcode(barcode).expect("copy").id
    }
}

/// Every migration up to V10, as the files were when those versions shipped (append-only).
const OLD_MIGRATIONS: [(u32, &str); 10] = [
    (1, include_str!("../../migrations/V1__foundation.sql")),
    (2, include_str!("../../migrations/V2__circulation.sql")),
    (3, include_str!("../../migrations/V3__holds.sql")),
    (4, include_str!("../../migrations/V4__accounts.sql")),
    (5, include_str!("../../migrations/V5__shelves.sql")),
    (6, include_str!("../../migrations/V6__alerts.sql")),
    (7, include_str!("../../migrations/V7__leaner_hold_indexes.sql")),
    (8, include_str!("../../migrations/V8__privacy.sql")),
    (9, include_str!("../../migrations/V9__fidelity_holds.sql")),
    (10, include_str!("../../migrations/V10__fidelity_patrons.sql")),
];

/// Three branches, two titles, a copy on the hold shelf (1) and one on loan (2): the catalogue
/// the upgrade tests write into an old database before its patrons, loans and holds.
pub const OLD_CATALOGUE: &str = "
    INSERT INTO branches VALUES ('chuo', '中央図書館', 1, 0), ('seibu', '西部図書館', 1, 0), ('tobu', '東部図書館', 1, 0);
    INSERT INTO titles (id, title) VALUES (1, '銀河鉄道の夜'), (2, '風の又三郎');
    INSERT INTO copies (id, barcode, title_id, branch, material_kind, is_loanable, status, available_since)
        VALUES (1, 'C000001', 1, 'chuo', 'book', 1, 'on_hold_shelf', '2026-01-01'),
               (2, 'C000002', 2, 'chuo', 'book', 1, 'on_loan', '2026-01-01');";

/// A database file at `path` as an older bunko left it: WAL mode, migrations V1 to `version`
/// applied and recorded in refinery's history table. The connection is open for the test to
/// write what that bunko would have written.
pub fn database_at_version(path: &std::path::Path, version: u32) -> rusqlite::Connection {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE refinery_schema_history(
             version INT4 PRIMARY KEY, name VARCHAR(255), applied_on VARCHAR(255), checksum VARCHAR(255));",
    )
    .unwrap();
    assert!(OLD_MIGRATIONS.iter().any(|(v, _)| *v == version), "no V{version} to stop at");
    for (v, sql) in OLD_MIGRATIONS.into_iter().filter(|(v, _)| *v <= version) {
        conn.execute_batch(sql).unwrap();
        conn.execute("INSERT INTO refinery_schema_history VALUES (?1, 'v', '2026-01-01', '0')", [v]).unwrap();
    }
    conn
}

/// Every row of every table, as text: two equal dumps mean an unchanged database.
pub fn dump(path: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(path).expect("open for dump");
    let mut tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    tables.retain(|t| !t.starts_with("sqlite_"));
    let mut out = String::new();
    for t in tables {
        let mut stmt = conn.prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1")).unwrap();
        let n = stmt.column_count();
        let rows = stmt
            .query_map([], |r| {
                (0..n).map(|i| r.get_ref(i).map(show)).collect::<Result<Vec<_>, _>>().map(|v| v.join("|"))
            })
            .unwrap();
        out.push_str(&format!("## {t}\n"));
        for row in rows {
            out.push_str(&row.unwrap());
            out.push('\n');
        }
    }
    out
}

/// A stored value as readable text (text as text, so tests can search the dump for strings).
fn show(v: rusqlite::types::ValueRef<'_>) -> String {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Null => "NULL".into(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Blob(b) => b.iter().map(|x| format!("{x:02x}")).collect(),
    }
}

/// A tiny deterministic generator, so randomised workloads are reproducible.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn below(&mut self, n: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}
