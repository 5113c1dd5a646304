//! SQL for branches, the opening calendar, titles and copies.

use std::sync::Arc;

use crate::error::SqlResult;
use chrono::NaiveDate;
use rusqlite::{Row, params};

use super::{Tx, conflict_on_unique, optional};
use crate::catalog::{
    BranchInfo, CalendarException, Copy, CopyId, CopyStatus, Issue, NewCopy, NewTitle, OpeningCalendar, Title, TitleId,
};
use crate::error::{Entity, Result};
use crate::policy::Weekday;

sql_id!(TitleId, CopyId);

const COPY_STATUSES: [(CopyStatus, &str); 6] = [
    (CopyStatus::OnShelf, "on_shelf"),
    (CopyStatus::OnLoan, "on_loan"),
    (CopyStatus::InTransit, "in_transit"),
    (CopyStatus::OnHoldShelf, "on_hold_shelf"),
    (CopyStatus::Missing, "missing"),
    (CopyStatus::Withdrawn, "withdrawn"),
];

sql_text_enum!(CopyStatus, COPY_STATUSES);

const COPY_COLUMNS: &str =
    "id, barcode, title_id, branch, material_kind, is_loanable, is_interlibrary, status, available_since";
/// [`COPY_COLUMNS`] of the copies row `c`, for joins; read with [`copy_from_row`].
/// The number of [`C_COPY_COLUMNS`].
pub(super) const C_COPY_WIDTH: usize = 9;
pub(super) const C_COPY_COLUMNS: &str = "c.id, c.barcode, c.title_id, c.branch, c.material_kind, c.is_loanable, c.is_interlibrary, c.status, c.available_since";

pub(super) fn copy_from_row(r: &Row<'_>) -> rusqlite::Result<Copy> {
    Ok(Copy {
        id: r.get(0)?,
        barcode: r.get(1)?,
        title: r.get(2)?,
        branch: r.get(3)?,
        material_kind: r.get(4)?,
        loanable: r.get(5)?,
        interlibrary: r.get(6)?,
        status: r.get(7)?,
        available_since: r.get(8)?,
    })
}

/// Calendars kept per handle at most (branches × days asked about); more clears them all.
const CALENDARS_KEPT: usize = 64;

/// Opening calendars this handle has built, keyed by branch and the day they were built from,
/// valid while `changes` is the stored counter of calendar changes.
#[derive(Default)]
pub(crate) struct KeptCalendars {
    changes: Option<i64>,
    calendars: Vec<(String, NaiveDate, Arc<OpeningCalendar>)>,
}

impl KeptCalendars {
    /// Forgets every kept calendar (a write transaction rolled back: what it built may never
    /// have been committed).
    pub(crate) fn clear(&mut self) {
        self.changes = None;
        self.calendars.clear();
    }
}

impl Tx<'_> {
    /// Inserts or updates a branch from the policy.
    pub(crate) fn upsert_branch(&self, b: &BranchInfo) -> Result<()> {
        self.exec(
            "INSERT INTO branches (code, name, is_pickup, is_partner) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name, is_pickup = excluded.is_pickup,
                                              is_partner = excluded.is_partner",
            params![b.code, b.name, b.pickup, b.partner],
        )
        .db()?;
        Ok(())
    }

    /// Every stored branch, by code.
    pub(crate) fn branches(&self) -> Result<Vec<BranchInfo>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT code, name, is_pickup, is_partner FROM branches ORDER BY code").db()?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BranchInfo { code: r.get(0)?, name: r.get(1)?, pickup: r.get(2)?, partner: r.get(3)? })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Removes a branch that nothing refers to (a patron's default pickup there is cleared);
    /// else removes nothing and returns what still refers to it: copies (belonging there or
    /// travelling there), open loans made there, holds picked up there (ended ones too, until
    /// purged), holds kept with a dispatched loan, counted in that order.
    pub(crate) fn delete_branch_if_unused(&self, code: &str) -> Result<[i64; 4]> {
        let counts: [i64; 4] = self
            .row(
                "SELECT (SELECT COUNT(*) FROM copies WHERE branch = ?1 OR transit_to = ?1),
                        (SELECT COUNT(*) FROM loans WHERE branch = ?1),
                        (SELECT COUNT(*) FROM holds WHERE pickup_branch = ?1),
                        (SELECT COUNT(*) FROM dispatched_holds WHERE pickup_branch = ?1)",
                [code],
                |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
            )
            .db()?;
        if counts == [0; 4] {
            self.exec("UPDATE patrons SET default_pickup = NULL WHERE default_pickup = ?1", [code]).db()?;
            self.exec("DELETE FROM branches WHERE code = ?1", [code]).db()?;
        }
        Ok(counts)
    }

    /// Replaces a branch's closed weekdays.
    pub(crate) fn set_closed_weekdays(&self, branch: &str, days: &[Weekday]) -> Result<()> {
        self.exec("DELETE FROM branch_closed_weekdays WHERE branch = ?1", [branch]).db()?;
        let mut stmt = self
            .conn
            .prepare_cached("INSERT OR IGNORE INTO branch_closed_weekdays (branch, weekday) VALUES (?1, ?2)")
            .db()?;
        for d in days {
            stmt.execute(params![branch, d.index()]).db()?;
        }
        Ok(())
    }

    /// Records (or replaces) a dated exception.
    pub(crate) fn set_calendar_exception(
        &self,
        branch: &str,
        day: NaiveDate,
        exception: CalendarException,
        note: &str,
    ) -> Result<()> {
        self.exec(
            "INSERT INTO calendar_exceptions (branch, day, is_open, note) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (branch, day) DO UPDATE SET is_open = excluded.is_open, note = excluded.note",
            params![branch, day, exception == CalendarException::SpecialOpening, note],
        )
        .db()?;
        Ok(())
    }

    /// Removes a dated exception; returns whether there was one.
    pub(crate) fn clear_calendar_exception(&self, branch: &str, day: NaiveDate) -> Result<bool> {
        Ok(self.exec("DELETE FROM calendar_exceptions WHERE branch = ?1 AND day = ?2", params![branch, day]).db()? > 0)
    }

    /// The calendar `key` names, from this handle's cache if no calendar changed since it was
    /// built (the counter V17's triggers move, read in this transaction), else built by
    /// `build` (from this transaction) and kept.
    pub(crate) fn cached_calendar(
        &self,
        key: (&str, NaiveDate),
        build: impl FnOnce() -> Result<OpeningCalendar>,
    ) -> Result<Arc<OpeningCalendar>> {
        let changes: i64 = self.row("SELECT n FROM calendar_changes WHERE id = 1", [], |r| r.get(0)).db()?;
        let cache = &self.caches.calendars;
        {
            let mut kept = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if kept.changes != Some(changes) {
                kept.changes = Some(changes);
                kept.calendars.clear();
            }
            if let Some((_, _, cal)) = kept.calendars.iter().find(|(b, d, _)| b == key.0 && *d == key.1) {
                return Ok(Arc::clone(cal));
            }
        }
        let cal = Arc::new(build()?);
        let mut kept = cache.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if kept.changes == Some(changes) {
            if kept.calendars.len() >= CALENDARS_KEPT {
                kept.calendars.clear();
            }
            kept.calendars.push((key.0.to_owned(), key.1, Arc::clone(&cal)));
        }
        Ok(cal)
    }

    /// A branch's calendar with the exceptions dated `from` to `until`, inclusive.
    pub(crate) fn opening_calendar(&self, branch: &str, from: NaiveDate, until: NaiveDate) -> Result<OpeningCalendar> {
        let mut stmt = self.conn.prepare_cached("SELECT weekday FROM branch_closed_weekdays WHERE branch = ?1").db()?;
        let closed = stmt
            .query_map([branch], |r| r.get::<_, u8>(0))
            .db()?
            .filter_map(|w| w.map(Weekday::from_index).transpose())
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        let mut cal = OpeningCalendar::new(&closed);
        let mut stmt = self
            .conn
            .prepare_cached("SELECT day, is_open FROM calendar_exceptions WHERE branch = ?1 AND day BETWEEN ?2 AND ?3")
            .db()?;
        let rows = stmt
            .query_map(params![branch, from, until], |r| Ok((r.get::<_, NaiveDate>(0)?, r.get::<_, bool>(1)?)))
            .db()?;
        for row in rows {
            let (day, open) = row.db()?;
            cal.set_exception(day, if open { CalendarException::SpecialOpening } else { CalendarException::Closed });
        }
        Ok(cal)
    }

    /// Inserts a validated title.
    pub(crate) fn insert_title(&self, t: &NewTitle) -> Result<TitleId> {
        self.exec(
            "INSERT INTO titles (title, author, publisher, category, published_on, is_serial, isbn, issue_of, issue_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            params![
                t.title,
                t.author,
                t.publisher,
                t.category,
                t.published_on,
                t.serial,
                t.isbn,
                t.issue.as_ref().map(|i| &i.of),
                t.issue.as_ref().map(|i| i.on)
            ],
        )
        .db()?;
        let id = TitleId(self.last_id());
        let mut stmt = self
            .conn
            .prepare_cached("INSERT INTO title_subjects (title_id, position, subject) VALUES (?1, ?2, ?3)")
            .db()?;
        for (i, s) in t.subjects.iter().enumerate() {
            stmt.execute(params![id, i as i64, s]).db()?;
        }
        Ok(id)
    }

    /// Whether the title is the latest catalogued issue of its serial run (false for a title
    /// that is no issue).
    pub(crate) fn is_latest_issue(&self, id: TitleId) -> Result<bool> {
        self.row(
            "SELECT t.issue_of IS NOT NULL AND NOT EXISTS (SELECT 1 FROM titles later
                                         WHERE later.issue_of = t.issue_of AND later.issue_on > t.issue_on)
             FROM titles t WHERE t.id = ?1",
            [id],
            |r| r.get(0),
        )
        .db()
    }

    /// A title by id.
    pub(crate) fn title(&self, id: TitleId) -> Result<Option<Title>> {
        let row = optional(self.row(
            "SELECT title, author, publisher, category, published_on, is_serial, isbn, issue_of, issue_on
             FROM titles WHERE id = ?1",
            [id],
            |r| {
                Ok(Title {
                    id,
                    title: r.get(0)?,
                    author: r.get(1)?,
                    publisher: r.get(2)?,
                    subjects: Vec::new(),
                    category: r.get(3)?,
                    published_on: r.get(4)?,
                    serial: r.get(5)?,
                    isbn: r.get(6)?,
                    issue: match (r.get::<_, Option<String>>(7)?, r.get(8)?) {
                        (Some(of), Some(on)) => Some(Issue { of, on }),
                        _ => None,
                    },
                })
            },
        ))?;
        let Some(mut title) = row else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT subject FROM title_subjects WHERE title_id = ?1 ORDER BY position")
            .db()?;
        title.subjects = stmt.query_map([id], |r| r.get(0)).db()?.collect::<rusqlite::Result<_>>().db()?;
        Ok(Some(title))
    }

    /// Inserts a validated copy; a duplicate barcode is a conflict.
    pub(crate) fn insert_copy(&self, c: &NewCopy, available_since: NaiveDate) -> Result<CopyId> {
        self.exec(
                "INSERT INTO copies (barcode, title_id, branch, material_kind, is_loanable, is_interlibrary, available_since)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![c.barcode, c.title, c.branch, c.material_kind, c.loanable, c.interlibrary, available_since],
            )
            .map_err(|e| conflict_on_unique(e, Entity::Copy, &c.barcode, "a copy with this barcode already exists"))?;
        Ok(CopyId(self.last_id()))
    }

    /// Inserts a validated title and its validated copies (their `title` is set here) as one
    /// unit inside the open transaction: if any of them fails (a taken barcode is a
    /// `Conflict`), none of them stays and the transaction goes on. The number of copies.
    pub(crate) fn insert_title_with_copies(
        &self,
        t: &NewTitle,
        copies: &mut [NewCopy],
        available_since: NaiveDate,
    ) -> Result<(TitleId, usize)> {
        self.conn.execute_batch("SAVEPOINT title_with_copies").db()?;
        let inserted = (|| {
            let id = self.insert_title(t)?;
            for c in copies.iter_mut() {
                c.title = id;
                self.insert_copy(c, available_since)?;
            }
            Ok((id, copies.len()))
        })();
        if inserted.is_ok() {
            self.conn.execute_batch("RELEASE title_with_copies").db()?;
        } else {
            self.conn.execute_batch("ROLLBACK TO title_with_copies; RELEASE title_with_copies").db()?;
        }
        inserted
    }

    /// A copy by id.
    pub(crate) fn copy(&self, id: CopyId) -> Result<Option<Copy>> {
        let sql = format!("SELECT {COPY_COLUMNS} FROM copies WHERE id = ?1");
        optional(self.row(&sql, [id], copy_from_row))
    }

    /// A copy by barcode.
    pub(crate) fn copy_by_barcode(&self, barcode: &str) -> Result<Option<Copy>> {
        let sql = format!("SELECT {COPY_COLUMNS} FROM copies WHERE barcode = ?1");
        optional(self.row(&sql, [barcode], copy_from_row))
    }

    /// Every copy of a title, by id.
    pub(crate) fn copies_of(&self, title: TitleId) -> Result<Vec<Copy>> {
        let sql = format!("SELECT {COPY_COLUMNS} FROM copies WHERE title_id = ?1 ORDER BY id");
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map([title], copy_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }
}
