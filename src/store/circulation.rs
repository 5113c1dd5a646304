//! SQL for loans, copy movements and reading history.

use crate::error::SqlResult;
use chrono::NaiveDate;
use rusqlite::{Row, params};

use super::catalog::{C_COPY_COLUMNS, C_COPY_WIDTH, copy_from_row};
use super::{Tx, optional};
use crate::catalog::{Copy, CopyId, CopyStatus, TitleId};
use crate::circulation::{DailyCirculation, HistoryEntry, Loan, LoanId, LoanStatus};
use crate::error::Result;
use crate::patrons::PatronId;

sql_id!(LoanId);

/// A returned loan is deleted (R-R1), so "returned" is no stored status.
const LOAN_STATUSES: [(LoanStatus, &str); 2] = [(LoanStatus::InTransit, "in_transit"), (LoanStatus::Active, "active")];

sql_text_enum!(LoanStatus, LOAN_STATUSES);

const LOAN_SELECT: &str = "SELECT l.id, l.copy_id, c.barcode, l.title_id, t.title, l.patron_id, l.branch, l.status,
            l.checked_out_on, l.due_on, l.renewals, c.is_interlibrary, c.material_kind
     FROM loans l JOIN copies c ON c.id = l.copy_id JOIN titles t ON t.id = l.title_id";

fn loan_from_row(r: &Row<'_>) -> rusqlite::Result<Loan> {
    Ok(Loan {
        id: r.get(0)?,
        copy: r.get(1)?,
        barcode: r.get(2)?,
        title: r.get(3)?,
        title_text: r.get(4)?,
        patron: r.get(5)?,
        branch: r.get(6)?,
        status: r.get(7)?,
        checked_out_on: r.get(8)?,
        due_on: r.get(9)?,
        renewals: r.get(10)?,
        interlibrary: r.get(11)?,
        material_kind: r.get(12)?,
    })
}

/// An open loan about to be returned.
pub(crate) struct LoanToReturn {
    pub id: LoanId,
    pub patron: PatronId,
    pub branch: String,
    pub due_on: NaiveDate,
    /// The borrower keeps a reading history, so the loan may have an entry in it.
    pub in_reading_history: bool,
    /// Notices about the loan are in the outbox (a reminder, say), to be forgotten with it.
    pub has_notices: bool,
    /// Staff actions on the loan are audited, to be stripped of the loan (R-R1).
    pub has_audit: bool,
    /// The loan started when its copy was dispatched to a partner library's pickup (R-H12),
    /// and the patron has not collected the copy yet (`confirm_pickup`).
    pub dispatched: bool,
}

/// What returning a loan (`l`, its borrower `p`) reads of it; read with [`loan_to_return_at`].
/// Whether it has notices or audit rows is asked here, so a return without either (most)
/// issues no statement about them.
const RETURN_COLUMNS: &str = "l.id, l.patron_id, l.branch, l.due_on, p.reading_history_since IS NOT NULL,
     EXISTS (SELECT 1 FROM notices n WHERE n.loan_id = l.id), EXISTS (SELECT 1 FROM audit x WHERE x.loan_id = l.id),
     l.status = 'in_transit'";

/// The loan of [`RETURN_COLUMNS`] starting at column `o`, if there is one (a left join finds
/// none for a copy not lent).
fn loan_to_return_at(r: &Row<'_>, o: usize) -> rusqlite::Result<Option<LoanToReturn>> {
    let Some(id) = r.get(o)? else { return Ok(None) };
    Ok(Some(LoanToReturn {
        id,
        patron: r.get(o + 1)?,
        branch: r.get(o + 2)?,
        due_on: r.get(o + 3)?,
        in_reading_history: r.get(o + 4)?,
        has_notices: r.get(o + 5)?,
        has_audit: r.get(o + 6)?,
        dispatched: r.get(o + 7)?,
    }))
}

/// A loan to insert.
pub(crate) struct NewLoan<'a> {
    pub copy: CopyId,
    pub title: TitleId,
    pub patron: PatronId,
    pub branch: &'a str,
    pub status: LoanStatus,
    pub checked_out_on: NaiveDate,
    pub due_on: NaiveDate,
}

impl Tx<'_> {
    /// Moves a copy from `from` to `to` (with a transit destination for `InTransit`); returns
    /// false when the copy was not in `from` (someone else moved it first).
    pub(crate) fn move_copy(
        &self,
        copy: CopyId,
        from: CopyStatus,
        to: CopyStatus,
        transit_to: Option<&str>,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE copies SET status = ?3, transit_to = ?4 WHERE id = ?1 AND status = ?2",
                params![copy, from, to, transit_to],
            )
            .db()?;
        if n == 1 && from == CopyStatus::OnShelf {
            // A copy leaving the shelf is no longer there to pull: its target (if any) lapses.
            self.drop_target_of_copy(copy)?;
        }
        Ok(n == 1)
    }

    /// Moves a copy pulled from the shelf to `to` once its pull target has become its
    /// assignment (so no target is left to drop); false if it was no longer on the shelf.
    pub(crate) fn move_pulled_copy(&self, copy: CopyId, to: CopyStatus, transit_to: Option<&str>) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE copies SET status = ?2, transit_to = ?3 WHERE id = ?1 AND status = 'on_shelf'",
                params![copy, to, transit_to],
            )
            .db()?;
        Ok(n == 1)
    }

    /// Where an in-transit copy is going.
    pub(crate) fn transit_destination(&self, copy: CopyId) -> Result<Option<String>> {
        self.row("SELECT transit_to FROM copies WHERE id = ?1", [copy], |r| r.get(0)).db()
    }

    /// Inserts a loan and counts the checkout on its day. The unique index refuses a second
    /// open loan of one copy.
    pub(crate) fn insert_loan(&self, l: &NewLoan<'_>) -> Result<LoanId> {
        self.exec(
            "INSERT INTO loans (copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![l.copy, l.title, l.patron, l.branch, l.status, l.checked_out_on, l.due_on],
        )
        .db()?;
        let id = LoanId(self.last_id());
        self.count_circulation(l.checked_out_on, 1, 0)?;
        Ok(id)
    }

    /// A loan that is not yet returned, by id.
    pub(crate) fn open_loan(&self, id: LoanId) -> Result<Option<Loan>> {
        let sql = format!("{LOAN_SELECT} WHERE l.id = ?1");
        optional(self.row(&sql, [id], loan_from_row))
    }

    /// The open loan of a copy, if it is lent: what returning it needs, from the loan row
    /// and its borrower's row alone (the caller has the copy already).
    pub(crate) fn loan_to_return(&self, copy: CopyId) -> Result<Option<LoanToReturn>> {
        let sql =
            format!("SELECT {RETURN_COLUMNS} FROM loans l JOIN patrons p ON p.id = l.patron_id WHERE l.copy_id = ?1");
        Ok(optional(self.row(&sql, [copy], |r| loan_to_return_at(r, 0)))?.flatten())
    }

    /// The copy `barcode` and its open loan, if it is lent, in one statement: what a check-in
    /// reads first.
    pub(crate) fn copy_to_return(&self, barcode: &str) -> Result<Option<(Copy, Option<LoanToReturn>)>> {
        let sql = format!(
            "SELECT {C_COPY_COLUMNS}, {RETURN_COLUMNS}
             FROM copies c LEFT JOIN loans l ON l.copy_id = c.id LEFT JOIN patrons p ON p.id = l.patron_id
             WHERE c.barcode = ?1"
        );
        optional(self.row(&sql, [barcode], |r| Ok((copy_from_row(r)?, loan_to_return_at(r, C_COPY_WIDTH)?))))
    }

    /// When the open loan of `copy` is due, if it is lent.
    pub(crate) fn due_on_of_copy(&self, copy: CopyId) -> Result<Option<NaiveDate>> {
        optional(self.row("SELECT due_on FROM loans WHERE copy_id = ?1", [copy], |r| r.get(0)))
    }

    /// A patron's open loans, by due date.
    pub(crate) fn open_loans_of(&self, patron: PatronId) -> Result<Vec<Loan>> {
        let sql = format!("{LOAN_SELECT} WHERE l.patron_id = ?1 ORDER BY l.due_on, l.id");
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map([patron], loan_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Every open loan due before `today`, by due date (the staff overdue list).
    pub(crate) fn overdue_loans(&self, today: NaiveDate) -> Result<Vec<Loan>> {
        let sql = format!("{LOAN_SELECT} WHERE l.due_on < ?1 ORDER BY l.due_on, l.id");
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map([today], loan_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// The patron's open loans in all and of material kind `kind`.
    pub(crate) fn open_loan_counts(&self, patron: PatronId, kind: &str) -> Result<(u32, u32)> {
        self.row(
            "SELECT COUNT(*), COALESCE(SUM(c.material_kind = ?2), 0)
             FROM loans l JOIN copies c ON c.id = l.copy_id WHERE l.patron_id = ?1",
            params![patron, kind],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .db()
    }

    /// How many of a patron's open loans are due before `today`.
    pub(crate) fn count_overdue_of(&self, patron: PatronId, today: NaiveDate) -> Result<u32> {
        self.row("SELECT COUNT(*) FROM loans WHERE patron_id = ?1 AND due_on < ?2", params![patron, today], |r| {
            r.get(0)
        })
        .db()
    }

    /// Renews a loan if it still has `renewals` renewals; false if it changed meanwhile.
    pub(crate) fn renew_loan(&self, id: LoanId, renewals: u32, due_on: NaiveDate) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE loans SET due_on = ?3, renewals = renewals + 1, reminded_on = NULL
             WHERE id = ?1 AND renewals = ?2",
                params![id, renewals, due_on],
            )
            .db()?;
        Ok(n == 1)
    }

    /// Marks a dispatched loan as collected.
    pub(crate) fn activate_loan(&self, id: LoanId) -> Result<bool> {
        if self.exec("UPDATE loans SET status = 'active' WHERE id = ?1 AND status = 'in_transit'", [id]).db()? == 0 {
            return Ok(false);
        }
        // The request is fulfilled: nothing keeps it any more (R-R1).
        self.exec("DELETE FROM dispatched_holds WHERE loan_id = ?1", [id]).db()?;
        Ok(true)
    }

    /// Ends a loan: deletes it and counts the return on `on`, so nothing of it is left but
    /// that count (privacy, R-R1). Its reading-history entry (opted in) keeps the return day
    /// and loses the link; every notice about it goes: a reminder not yet sent is stale, a
    /// delivered one's tombstone has no more use; its audit rows lose the patron, the loan and
    /// the copy. False if the loan was not open.
    /// `in_reading_history`: the borrower keeps a reading history; a patron who does not has
    /// no entries (opting out deletes them), so there is nothing to update.
    pub(crate) fn return_loan(&self, loan: &LoanToReturn, on: NaiveDate) -> Result<bool> {
        let id = loan.id;
        if loan.in_reading_history {
            self.exec(
                "UPDATE reading_history SET returned_on = ?2, loan_id = NULL WHERE loan_id = ?1",
                params![id, on],
            )
            .db()?;
        }
        if loan.has_notices {
            self.exec("DELETE FROM notices WHERE loan_id = ?1", [id]).db()?;
        }
        if loan.has_audit {
            self.forget_audit_of_loan(id)?;
        }
        if loan.dispatched {
            // The hold kept until collection (V25) goes with the loan (R-R1).
            self.exec("DELETE FROM dispatched_holds WHERE loan_id = ?1", [id]).db()?;
        }
        if self.exec("DELETE FROM loans WHERE id = ?1", [id]).db()? == 0 {
            return Ok(false);
        }
        self.count_circulation(on, 0, 1)?;
        Ok(true)
    }

    /// Ends a loan the patron never had (its copy lost on the way to a partner library's
    /// pickup): as [`Tx::return_loan`], but its reading-history entry goes too.
    pub(crate) fn cancel_loan(&self, loan: &LoanToReturn, on: NaiveDate) -> Result<bool> {
        if loan.in_reading_history {
            self.exec("DELETE FROM reading_history WHERE loan_id = ?1", [loan.id]).db()?;
        }
        self.return_loan(loan, on)
    }

    /// Adds checkouts and returns to the anonymous counts of `day`.
    fn count_circulation(&self, day: NaiveDate, checkouts: u32, returns: u32) -> Result<()> {
        self.exec(
            "INSERT INTO circulation_days (day, checkouts, returns) VALUES (?1, ?2, ?3)
             ON CONFLICT (day) DO UPDATE SET checkouts = checkouts + excluded.checkouts, returns = returns + excluded.returns",
            params![day, checkouts, returns],
        ).db()?;
        Ok(())
    }

    /// Records that the card was used on `day`.
    pub(crate) fn touch_patron(&self, id: PatronId, day: NaiveDate) -> Result<()> {
        // Kept to the month — the last day of the month of `day` — so that activity cannot be
        // joined with a loan's dates to name its borrower (R-R1); R-A6 counts in years.
        // A row already at that month is not written again (most checkouts and renewals).
        self.exec(
            "UPDATE patrons SET last_activity_on = date(?2, 'start of month', '+1 month', '-1 day')
             WHERE id = ?1 AND last_activity_on < date(?2, 'start of month', '+1 month', '-1 day')",
            params![id, day],
        )
        .db()?;
        Ok(())
    }

    /// The day the patron opted in to reading history, if they did.
    pub(crate) fn reading_history_since(&self, patron: PatronId) -> Result<Option<NaiveDate>> {
        self.row("SELECT reading_history_since FROM patrons WHERE id = ?1", [patron], |r| r.get(0)).db()
    }

    /// Opts in (`Some(day)`) or out (`None`); opting out deletes the history.
    pub(crate) fn set_reading_history(&self, patron: PatronId, since: Option<NaiveDate>) -> Result<()> {
        self.exec("UPDATE patrons SET reading_history_since = ?2 WHERE id = ?1", params![patron, since]).db()?;
        if since.is_none() {
            self.exec("DELETE FROM reading_history WHERE patron_id = ?1", [patron]).db()?;
        }
        Ok(())
    }

    /// Records a loan in the patron's reading history.
    pub(crate) fn record_history(&self, patron: PatronId, title: TitleId, loan: LoanId, on: NaiveDate) -> Result<()> {
        self.exec(
            "INSERT INTO reading_history (patron_id, title_id, loan_id, checked_out_on) VALUES (?1, ?2, ?3, ?4)",
            params![patron, title, loan, on],
        )
        .db()?;
        Ok(())
    }

    /// A patron's reading history, newest first.
    pub(crate) fn reading_history(&self, patron: PatronId, limit: u32, offset: u32) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT h.id, h.title_id, t.title, t.author, h.checked_out_on, h.returned_on
             FROM reading_history h JOIN titles t ON t.id = h.title_id
             WHERE h.patron_id = ?1 ORDER BY h.checked_out_on DESC, h.id DESC LIMIT ?2 OFFSET ?3",
            )
            .db()?;
        let rows = stmt
            .query_map(params![patron, limit, offset], |r| {
                Ok(HistoryEntry {
                    id: r.get(0)?,
                    title: r.get(1)?,
                    title_text: r.get(2)?,
                    author: r.get(3)?,
                    checked_out_on: r.get(4)?,
                    returned_on: r.get(5)?,
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Checkouts and returns per day between `from` and `to`, inclusive, from the anonymous
    /// counts; days without either are absent.
    pub(crate) fn daily_circulation(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DailyCirculation>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT day, checkouts, returns FROM circulation_days WHERE day BETWEEN ?1 AND ?2 ORDER BY day",
            )
            .db()?;
        let rows = stmt
            .query_map(params![from, to], |r| {
                Ok(DailyCirculation { day: r.get(0)?, checkouts: r.get(1)?, returns: r.get(2)? })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }
}
