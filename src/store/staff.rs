//! SQL for staff operations: copy conditions and flags, un-assigning a hold, and the audit log
//! with its privacy strip (R-R1).

use chrono::{DateTime, Utc};
use rusqlite::{Row, params};

use super::{Tx, optional};
use crate::catalog::{CopyId, CopyStatus};
use crate::circulation::LoanId;
use crate::error::{Result, SqlResult};
use crate::holds::HoldId;
use crate::patrons::PatronId;
use crate::policy::Override;
use crate::staff::{AuditAction, AuditEntry, AuditId, CopyCondition};

sql_id!(AuditId);

const CONDITIONS: [(CopyCondition, &str); 3] =
    [(CopyCondition::Lost, "lost"), (CopyCondition::Damaged, "damaged"), (CopyCondition::Withdrawn, "withdrawn")];
sql_text_enum!(CopyCondition, CONDITIONS);

const ACTIONS: [(AuditAction, &str); 11] = [
    (AuditAction::Renewal, "renewal"),
    (AuditAction::OverrideCheckout, "override_checkout"),
    (AuditAction::OverrideRenewal, "override_renewal"),
    (AuditAction::OverrideHold, "override_hold"),
    (AuditAction::CopyEdited, "copy_edited"),
    (AuditAction::CopyLost, "copy_lost"),
    (AuditAction::CopyDamaged, "copy_damaged"),
    (AuditAction::CopyWithdrawn, "copy_withdrawn"),
    (AuditAction::CopyAvailable, "copy_available"),
    (AuditAction::HoldFrozen, "hold_frozen"),
    (AuditAction::HoldUnfrozen, "hold_unfrozen"),
];
sql_text_enum!(AuditAction, ACTIONS);

/// An audit row to write.
pub(crate) struct NewAudit<'a> {
    pub at: DateTime<Utc>,
    pub staff: &'a str,
    pub action: AuditAction,
    pub overridden: &'a [Override],
    pub note: &'a str,
    pub detail: &'a str,
    pub patron: Option<PatronId>,
    pub loan: Option<LoanId>,
    pub hold: Option<HoldId>,
    pub copy: Option<CopyId>,
}

/// New flags for a copy (all of them, the unchanged ones as they were).
pub(crate) struct CopyFlags<'a> {
    pub loanable: bool,
    pub interlibrary: bool,
    pub branch: &'a str,
    pub material_kind: &'a str,
}

fn audit_from_row(r: &Row<'_>) -> rusqlite::Result<AuditEntry> {
    let codes: String = r.get(4)?;
    Ok(AuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        staff: r.get(2)?,
        action: r.get(3)?,
        overridden: codes.split(',').filter_map(Override::from_code).collect(),
        note: r.get(5)?,
        detail: r.get(6)?,
        patron: r.get(7)?,
        loan: r.get(8)?,
        hold: r.get(9)?,
        copy: r.get(10)?,
    })
}

impl Tx<'_> {
    /// Whether the patron may have been told of the hold's assignment: a ready or in-transit
    /// notice delivered (kept as a tombstone while the hold lives) or claimed by a drainer
    /// (perhaps sent already, not yet marked delivered).
    pub(crate) fn assignment_announced(&self, hold: HoldId) -> Result<bool> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM notices WHERE hold_id = ?1 AND kind IN ('hold_ready', 'hold_in_transit')
                                AND (delivered_at IS NOT NULL OR attempts > 0))",
            [hold],
            |r| r.get(0),
        )
        .db()
    }

    /// Sends an assigned hold (in transit, or ready on the hold shelf) back to the queue: it
    /// waits again at its old place, since its priority and `placed_at` never changed, and its
    /// copy link, arrival, pickup deadline and "notified" go; notices about the copy it had are
    /// stale and deleted. False if it was not assigned (a pull target is no assignment: it is
    /// left alone). Since V16 the link is the hold's assignment row, which
    /// [`Tx::release_assignment`] deletes; the hold row itself stayed `waiting` throughout.
    pub(crate) fn unassign_hold(&self, hold: HoldId) -> Result<bool> {
        let copy: Option<CopyId> = optional(self.row(
            "SELECT copy_id FROM assignments WHERE hold_id = ?1 AND state IN ('in_transit', 'ready')",
            [hold],
            |r| r.get(0),
        ))?;
        match copy {
            Some(copy) => Ok(self.release_assignment(copy)? == Some(hold)),
            None => Ok(false),
        }
    }

    /// The condition staff set on a copy, if any.
    pub(crate) fn copy_condition(&self, copy: CopyId) -> Result<Option<CopyCondition>> {
        optional(self.row("SELECT condition FROM copies WHERE id = ?1", [copy], |r| r.get(0))).map(Option::flatten)
    }

    /// Moves a copy from `from` to `to` with `condition` (the schema ties a condition to its
    /// status); false when the copy was not in `from`. A copy leaving the shelf loses its pull
    /// target.
    pub(crate) fn set_copy_condition(
        &self,
        copy: CopyId,
        from: CopyStatus,
        to: CopyStatus,
        condition: Option<CopyCondition>,
    ) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE copies SET status = ?3, transit_to = NULL, condition = ?4 WHERE id = ?1 AND status = ?2",
                params![copy, from, to, condition],
            )
            .db()?;
        if n == 1 && from == CopyStatus::OnShelf && to != CopyStatus::OnShelf {
            self.drop_target_of_copy(copy)?;
        }
        Ok(n == 1)
    }

    /// Replaces a copy's flags if it is still in `status`; false if it moved meanwhile.
    pub(crate) fn set_copy_flags(&self, copy: CopyId, status: CopyStatus, f: &CopyFlags<'_>) -> Result<bool> {
        let n = self
            .exec(
                "UPDATE copies SET is_loanable = ?3, is_interlibrary = ?4, branch = ?5, material_kind = ?6
                 WHERE id = ?1 AND status = ?2",
                params![copy, status, f.loanable, f.interlibrary, f.branch, f.material_kind],
            )
            .db()?;
        if n == 1 && status == CopyStatus::OnShelf {
            // Another branch, kind or loan rule may suit another hold: the pull list targets
            // the copy afresh.
            self.drop_target_of_copy(copy)?;
        }
        Ok(n == 1)
    }

    /// Writes one audit row.
    pub(crate) fn insert_audit(&self, a: &NewAudit<'_>) -> Result<()> {
        let codes: Vec<&str> = a.overridden.iter().map(|o| o.code()).collect();
        self.exec(
            "INSERT INTO audit (at, staff, action, overridden, note, detail, patron_id, loan_id, hold_id, copy_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            params![a.at, a.staff, a.action, codes.join(","), a.note, a.detail, a.patron, a.loan, a.hold, a.copy],
        )
        .db()?;
        Ok(())
    }

    /// Strips the audit rows about a loan being returned (R-R1): no patron, loan, copy or note
    /// is left, only when, who, what and the reasons overridden. Runs in the transaction that
    /// deletes the loan, before it, when the loan has audit rows (the loan's read asks; an
    /// UPDATE that finds none still costs a temporary table, see [`Tx::any_row`]).
    pub(crate) fn forget_audit_of_loan(&self, loan: LoanId) -> Result<()> {
        self.exec(
            "UPDATE audit SET patron_id = NULL, loan_id = NULL, copy_id = NULL, note = '' WHERE loan_id = ?1",
            [loan],
        )
        .db()?;
        Ok(())
    }

    /// Strips the audit rows about a hold that ends (cancelled, expired, collected) as
    /// [`Tx::forget_audit_of_loan`] does.
    pub(crate) fn forget_audit_of_hold(&self, hold: HoldId) -> Result<()> {
        if self.any_row("SELECT EXISTS (SELECT 1 FROM audit WHERE hold_id = ?1)", hold.get())? {
            self.exec(
                "UPDATE audit SET patron_id = NULL, hold_id = NULL, copy_id = NULL, note = '' WHERE hold_id = ?1",
                [hold],
            )
            .db()?;
        }
        Ok(())
    }

    /// Whether `sql` (a `SELECT EXISTS` on `?1`) finds a row. Most loans and holds have no
    /// audit row, and an UPDATE that changes the column it finds rows by runs in two passes
    /// through a temporary table even when nothing matches: one index probe first is cheaper.
    fn any_row(&self, sql: &str, id: i64) -> Result<bool> {
        self.row(sql, [id], |r| r.get(0)).db()
    }

    /// The audit rows written from `from` (inclusive) to `to` (exclusive), oldest first.
    pub(crate) fn audit_log(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, staff, action, overridden, note, detail, patron_id, loan_id, hold_id, copy_id
                 FROM audit WHERE at >= ?1 AND at < ?2 ORDER BY at, id",
            )
            .db()?;
        let rows = stmt.query_map(params![from, to], audit_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }
}
