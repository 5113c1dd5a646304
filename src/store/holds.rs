//! SQL for the cart, holds, the queue, e-mail addresses and the notice outbox.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Row, params};

use super::catalog::{C_COPY_COLUMNS, copy_from_row};
use super::patrons::{PATRON_COLUMNS, patron_from_offset};
use super::{Tx, optional};
use crate::catalog::{Copy, CopyId, TitleId};
use crate::error::SqlResult;
use crate::holds::{CartItem, Hold, HoldId, HoldStatus};
use crate::notify::{NoticeId, NoticeKind};
use crate::patrons::{Patron, PatronId};
use crate::policy::{ActiveHold, Channel, ContactMethod};

sql_id!(HoldId, NoticeId);

const HOLD_STATUSES: [(HoldStatus, &str); 6] = [
    (HoldStatus::PendingApproval, "pending_approval"),
    (HoldStatus::Waiting, "waiting"),
    (HoldStatus::InTransit, "in_transit"),
    (HoldStatus::Ready, "ready"),
    (HoldStatus::Cancelled, "cancelled"),
    (HoldStatus::Expired, "expired"),
];
sql_text_enum!(HoldStatus, HOLD_STATUSES);

const CHANNELS: [(Channel, &str); 2] = [(Channel::Web, "web"), (Channel::Counter, "counter")];
sql_text_enum!(Channel, CHANNELS);

/// Stored as its code; the schema checks the code's shape, the policy which codes exist.
impl rusqlite::ToSql for ContactMethod {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        Ok(rusqlite::types::ToSqlOutput::from(self.code()))
    }
}

impl rusqlite::types::FromSql for ContactMethod {
    fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
        v.as_str()?.parse().map_err(|_| rusqlite::types::FromSqlError::InvalidType)
    }
}

const NOTICE_KINDS: [(NoticeKind, &str); 12] = [
    (NoticeKind::HoldPlaced, "hold_placed"),
    (NoticeKind::HoldReady, "hold_ready"),
    (NoticeKind::HoldInTransit, "hold_in_transit"),
    (NoticeKind::HoldDispatched, "hold_dispatched"),
    (NoticeKind::HoldExpired, "hold_expired"),
    (NoticeKind::HoldCancelled, "hold_cancelled"),
    (NoticeKind::HoldRequeued, "hold_requeued"),
    (NoticeKind::EmailConfirmation, "email_confirmation"),
    (NoticeKind::EmailRegistered, "email_registered"),
    (NoticeKind::PasswordReset, "password_reset"),
    (NoticeKind::DueReminder, "due_reminder"),
    (NoticeKind::NewArrivals, "new_arrivals"),
];
sql_text_enum!(NoticeKind, NOTICE_KINDS);

/// A hold's state, copy and dates come from its assignment row when it has one (V16): the hold
/// row of an assigned hold stays `waiting`, so assigning a copy never rewrites it.
const HOLD_COLUMNS: &str = "h.id, h.patron_id, h.title_id, t.title, h.material_kind, h.channel,
            IIF(a.state IN ('in_transit', 'ready'), a.state, h.status),
            h.priority, h.placed_at, h.pickup_branch, h.pickup_point, h.contact, h.contact_phone,
            h.is_interlibrary, IIF(a.state IN ('in_transit', 'ready'), a.copy_id, NULL), a.arrives_on, a.ready_on,
            a.pickup_deadline, h.notified_at IS NOT NULL, h.ended_on, h.end_reason, h.is_hidden, h.is_frozen,
            h.frozen_until";
/// The number of [`HOLD_COLUMNS`].
const HOLD_WIDTH: usize = 24;
const HOLD_FROM: &str = "FROM holds h JOIN titles t ON t.id = h.title_id LEFT JOIN assignments a ON a.hold_id = h.id";
/// Approved holds still waiting for a copy. The first condition is the queue index's own, so
/// SQLite uses it; the second picks the approved holds inside the index; the third skips holds
/// with a copy in transit or on the hold shelf (a targeted hold still waits). Queries that
/// assign add [`thawed_on`], skipping holds frozen today (V18).
const WAITING: &str = "h.status IN ('pending_approval', 'waiting') AND h.status = 'waiting' AND (a.state IS NULL OR a.state = 'targeted')";
/// A hold by its assigned copy (`?1`): the copy's index first, whatever the statistics say.
const BY_COPY_FROM: &str = "FROM assignments a INDEXED BY assignments_by_copy CROSS JOIN holds h ON h.id = a.hold_id
     JOIN titles t ON t.id = h.title_id";
/// `holds` row `h` has a copy in transit or on the hold shelf.
const ASSIGNED: &str = "EXISTS (SELECT 1 FROM assignments x WHERE x.hold_id = h.id AND x.state <> 'targeted')";

/// A hold not frozen on the day bound as parameter `?n` (#17): never frozen, or frozen until
/// that day or earlier (the freeze has ended). Assignment reads only such holds; positions
/// count frozen ones too, so a frozen hold keeps its place.
fn thawed_on(n: u8) -> String {
    format!("(h.is_frozen = 0 OR h.frozen_until <= ?{n})")
}

/// Waiting holds, not frozen on `?3`, of titles with a copy on the shelf at branch `?1` (or of
/// title `?2`), each with every on-shelf copy of its title, in queue order. The queue index
/// covers the hold's part (V22), so the holds table itself is not read.
fn pull_candidates_sql() -> String {
    let thawed = thawed_on(3);
    format!(
        "SELECT IIF(a.state = 'targeted', a.copy_id, NULL), c.id, c.barcode, c.branch, c.material_kind, c.is_loanable,
                h.id, h.title_id, t.title, h.patron_id, p.category, h.pickup_branch
         FROM holds h JOIN titles t ON t.id = h.title_id JOIN patrons p ON p.id = h.patron_id
         LEFT JOIN assignments a ON a.hold_id = h.id
         JOIN copies c ON c.title_id = h.title_id AND c.status = 'on_shelf'
         WHERE {WAITING} AND {thawed}
           AND h.title_id IN (SELECT title_id FROM copies WHERE ?2 IS NULL AND branch = ?1 AND status = 'on_shelf'
                              UNION ALL SELECT ?2 WHERE ?2 IS NOT NULL)
         ORDER BY h.title_id, h.priority, h.placed_at, h.id, c.id"
    )
}

/// The first approved hold in a title's queue (`?1`) not frozen on `?2`, with its patron.
fn first_waiting_sql() -> String {
    let thawed = thawed_on(2);
    format!(
        "SELECT {HOLD_COLUMNS}, {PATRON_COLUMNS} {HOLD_FROM} JOIN patrons p ON p.id = h.patron_id
         WHERE h.title_id = ?1 AND {WAITING} AND {thawed}
         ORDER BY h.priority, h.placed_at, h.id LIMIT 1"
    )
}

fn hold_from_row(r: &Row<'_>) -> rusqlite::Result<Hold> {
    hold_from_offset(r, 0)
}

/// A hold to insert.
pub(crate) struct NewHold<'a> {
    pub patron: PatronId,
    pub title: TitleId,
    pub material_kind: &'a str,
    pub channel: Channel,
    pub status: HoldStatus,
    pub placed_at: DateTime<Utc>,
    pub pickup: &'a str,
    pub pickup_point: Option<&'a str>,
    pub contact: &'a ContactMethod,
    pub contact_phone: Option<&'a str>,
    pub interlibrary: bool,
}

/// A notice to insert.
pub(crate) struct NewNotice<'a> {
    pub patron: PatronId,
    pub kind: NoticeKind,
    pub channel: &'a ContactMethod,
    pub address: Option<&'a str>,
    pub hold: Option<HoldId>,
    pub loan: Option<crate::circulation::LoanId>,
    pub subject: &'a str,
    pub body: &'a str,
    /// The facts as JSON.
    pub facts: &'a str,
    pub secret: bool,
    pub created_at: DateTime<Utc>,
}

/// A waiting hold and an on-shelf copy of its title that could fill it: only what copy
/// targeting reads, so a pull list over thousands of holds decodes no full hold row.
pub(crate) struct PullCandidate {
    pub hold: PullHold,
    /// The copy the pull list asked for for this hold, if any.
    pub target: Option<CopyId>,
    pub copy: CopyId,
    pub barcode: String,
    pub branch: String,
    pub material_kind: String,
    pub loanable: bool,
}

/// The parts of a waiting hold copy targeting and the pull list need.
#[derive(Clone)]
pub(crate) struct PullHold {
    pub id: HoldId,
    pub title: TitleId,
    pub title_text: String,
    pub patron: PatronId,
    /// The patron's category, for the rules in force.
    pub category: String,
    pub pickup: String,
}

/// The hold a copy on the shelf was pulled for (its pull target), as confirming the pull reads
/// it: the fill decision's facts, without the full hold row.
pub(crate) struct TargetedHold {
    pub id: HoldId,
    pub title: TitleId,
    pub patron: PatronId,
    /// The patron's category, for the rules in force.
    pub category: String,
    pub pickup: String,
    pub material_kind: String,
    /// The hold asks for notices (its contact method is not `none`).
    pub notifies: bool,
}

/// A pull target staff have not confirmed.
pub(crate) struct StaleTarget {
    pub hold: HoldId,
    pub copy: CopyId,
}

/// One copy of a title as the wait estimate sees it (#17).
pub(crate) struct CopyWhereabouts {
    pub status: crate::catalog::CopyStatus,
    pub material_kind: String,
    pub loanable: bool,
    /// While on loan: its due date, renewals made, the borrower's category and the lending
    /// branch (an open loan only: nothing about returned loans is kept, R-R1).
    pub loan: Option<(NaiveDate, u32, String, String)>,
    /// While set aside for a hold in transit: the day it arrives.
    pub arrives_on: Option<NaiveDate>,
}

/// A ready hold past its deadline, with the copy it holds.
pub(crate) struct OverdueReady {
    pub hold: HoldId,
    pub copy: CopyId,
}

impl Tx<'_> {
    pub(crate) fn add_cart_item(
        &self,
        patron: PatronId,
        title: TitleId,
        at: DateTime<Utc>,
    ) -> Result<(), crate::Error> {
        self.exec(
            "INSERT INTO cart_items (patron_id, title_id, added_at) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            params![patron, title, at],
        )
        .db()?;
        Ok(())
    }

    pub(crate) fn remove_cart_item(&self, patron: PatronId, title: TitleId) -> Result<bool, crate::Error> {
        Ok(self.exec("DELETE FROM cart_items WHERE patron_id = ?1 AND title_id = ?2", params![patron, title]).db()? > 0)
    }

    pub(crate) fn cart_items(&self, patron: PatronId) -> Result<Vec<CartItem>, crate::Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.title_id, t.title, t.author, c.added_at FROM cart_items c JOIN titles t ON t.id = c.title_id
             WHERE c.patron_id = ?1 ORDER BY c.added_at, c.title_id",
            )
            .db()?;
        let rows = stmt
            .query_map([patron], |r| {
                Ok(CartItem { title: r.get(0)?, title_text: r.get(1)?, author: r.get(2)?, added_at: r.get(3)? })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Registers an already confirmed e-mail address (staff, at the counter).
    pub(crate) fn insert_confirmed_email(
        &self,
        patron: PatronId,
        address: &str,
        tag: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<(), crate::Error> {
        self.exec(
                "INSERT INTO patron_emails (patron_id, address, tag, confirmed_at, receives_holds)
                 VALUES (?1, ?2, ?3, ?4, NOT EXISTS (SELECT 1 FROM patron_emails WHERE patron_id = ?1 AND receives_holds = 1))",
                params![patron, address, tag, at],
            )
            .map_err(|e| super::conflict_on_unique(e, crate::Entity::Patron, address, "this address is already registered"))?;
        Ok(())
    }

    pub(crate) fn count_emails(&self, patron: PatronId) -> Result<u32, crate::Error> {
        self.row("SELECT COUNT(*) FROM patron_emails WHERE patron_id = ?1", [patron], |r| r.get(0)).db()
    }

    /// Confirmed addresses that do not reject mail, the one chosen for hold mail first.
    pub(crate) fn confirmed_emails(&self, patron: PatronId) -> Result<Vec<String>, crate::Error> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT address FROM patron_emails WHERE patron_id = ?1 AND confirmed_at IS NOT NULL AND rejected_on IS NULL
             ORDER BY receives_holds DESC, id",
        ).db()?;
        let rows = stmt.query_map([patron], |r| r.get(0)).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn insert_hold(&self, h: &NewHold<'_>) -> Result<HoldId, crate::Error> {
        self.exec(
            "INSERT INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch,
                                pickup_point, contact, contact_phone, is_interlibrary)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            params![
                h.patron,
                h.title,
                h.material_kind,
                h.channel,
                h.status,
                h.placed_at,
                h.pickup,
                h.pickup_point,
                h.contact,
                h.contact_phone,
                h.interlibrary
            ],
        )
        .db()?;
        Ok(HoldId(self.last_id()))
    }

    pub(crate) fn hold(&self, id: HoldId) -> Result<Option<Hold>, crate::Error> {
        let sql = format!("SELECT {HOLD_COLUMNS} {HOLD_FROM} WHERE h.id = ?1");
        optional(self.row(&sql, [id], hold_from_row))
    }

    /// The hold a copy is assigned to (in transit or on the hold shelf).
    pub(crate) fn hold_of_copy(&self, copy: CopyId) -> Result<Option<Hold>, crate::Error> {
        let sql = format!("SELECT {HOLD_COLUMNS} {BY_COPY_FROM} WHERE a.copy_id = ?1 AND a.state <> 'targeted'");
        optional(self.row(&sql, [copy], hold_from_row))
    }

    /// The patron's holds: all active ones, and ended ones that ended on or after `ended_since`
    /// and are not hidden; in placing order.
    pub(crate) fn holds_of(&self, patron: PatronId, ended_since: NaiveDate) -> Result<Vec<Hold>, crate::Error> {
        let sql = format!(
            "SELECT {HOLD_COLUMNS} {HOLD_FROM} WHERE h.patron_id = ?1 AND (h.ended_on IS NULL OR (h.ended_on >= ?2 AND h.is_hidden = 0))
             ORDER BY h.placed_at, h.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map(params![patron, ended_since], hold_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// The patron's active holds, for limits.
    pub(crate) fn active_holds(&self, patron: PatronId) -> Result<Vec<ActiveHold>, crate::Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                // Active: not ended. Two values, not the four active ones: SQLite evaluates a
                // constant list of more than two through a temporary b-tree on every run.
                "SELECT material_kind, channel FROM holds
             WHERE patron_id = ?1 AND status NOT IN ('cancelled', 'expired')",
            )
            .db()?;
        let rows =
            stmt.query_map([patron], |r| Ok(ActiveHold { material_kind: r.get(0)?, channel: r.get(1)? })).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn has_active_hold(&self, patron: PatronId, title: TitleId) -> Result<bool, crate::Error> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM holds WHERE patron_id = ?1 AND title_id = ?2
                            AND status IN ('pending_approval', 'waiting', 'in_transit', 'ready'))",
            params![patron, title],
            |r| r.get(0),
        )
        .db()
    }

    pub(crate) fn has_open_loan_of_title(&self, patron: PatronId, title: TitleId) -> Result<bool, crate::Error> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM loans WHERE patron_id = ?1 AND title_id = ?2)",
            params![patron, title],
            |r| r.get(0),
        )
        .db()
    }

    /// 1-based place of a queued hold among the title's queued holds (approved or not).
    pub(crate) fn queue_position(&self, hold: &Hold) -> Result<u32, crate::Error> {
        self.row(
            &format!(
                "SELECT 1 + COUNT(*) FROM holds h
                 WHERE h.title_id = ?1 AND h.status IN ('pending_approval', 'waiting')
                   AND (h.priority, h.placed_at, h.id) < (?2, ?3, ?4) AND NOT {ASSIGNED}"
            ),
            params![hold.title, hold.priority, hold.placed_at, hold.id],
            |r| r.get(0),
        )
        .db()
    }

    /// The first approved hold in the title's queue not frozen `today`, with its patron
    /// (without phones and flags), in one statement: what routing a returned copy reads first.
    pub(crate) fn first_waiting_hold(
        &self,
        title: TitleId,
        today: NaiveDate,
    ) -> Result<Option<(Hold, Patron)>, crate::Error> {
        optional(self.row(&first_waiting_sql(), params![title, today], |r| {
            Ok((hold_from_row(r)?, patron_from_offset(r, HOLD_WIDTH)?))
        }))
    }

    /// Every waiting hold on `title` not frozen `today`, in queue order.
    pub(crate) fn waiting_holds(&self, title: TitleId, today: NaiveDate) -> Result<Vec<Hold>, crate::Error> {
        let thawed = thawed_on(2);
        let sql = format!(
            "SELECT {HOLD_COLUMNS} {HOLD_FROM} WHERE h.title_id = ?1 AND {WAITING} AND {thawed}
             ORDER BY h.priority, h.placed_at, h.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map(params![title, today], hold_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Every queued hold on `title` (provisional, frozen or not, targeted or not; not one with
    /// a copy in transit or on the hold shelf), in queue order: the queue a wait estimate
    /// simulates.
    pub(crate) fn queued_holds(&self, title: TitleId) -> Result<Vec<Hold>, crate::Error> {
        let sql = format!(
            "SELECT {HOLD_COLUMNS} {HOLD_FROM} WHERE h.title_id = ?1 AND h.status IN ('pending_approval', 'waiting')
               AND (a.state IS NULL OR a.state = 'targeted')
             ORDER BY h.priority, h.placed_at, h.id"
        );
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt.query_map([title], hold_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Every copy of `title` with what the wait estimate needs: its open loan, if any, and the
    /// arrival of a hold it travels for.
    pub(crate) fn copy_whereabouts(&self, title: TitleId) -> Result<Vec<CopyWhereabouts>, crate::Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT c.status, c.material_kind, c.is_loanable, l.due_on, l.renewals, p.category, l.branch,
                        (SELECT a.arrives_on FROM assignments a INDEXED BY assignments_by_copy
                         WHERE a.copy_id = c.id AND a.state = 'in_transit')
                 FROM copies c LEFT JOIN loans l ON l.copy_id = c.id LEFT JOIN patrons p ON p.id = l.patron_id
                 WHERE c.title_id = ?1 ORDER BY c.id",
            )
            .db()?;
        let rows = stmt
            .query_map([title], |r| {
                let due_on: Option<NaiveDate> = r.get(3)?;
                let loan = match due_on {
                    Some(due_on) => Some((due_on, r.get(4)?, r.get(5)?, r.get(6)?)),
                    None => None,
                };
                Ok(CopyWhereabouts {
                    status: r.get(0)?,
                    material_kind: r.get(1)?,
                    loanable: r.get(2)?,
                    loan,
                    arrives_on: r.get(7)?,
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Freezes a queued hold until `until` (`None`: until lifted), or lifts the freeze
    /// (`frozen = false`); false if the hold is no longer queued (or has a copy in transit or
    /// on the hold shelf). Freezing drops the hold's pull target, if any: a frozen hold takes
    /// no copy, and the pull list asks for another hold.
    pub(crate) fn set_hold_frozen(
        &self,
        hold: HoldId,
        frozen: bool,
        until: Option<NaiveDate>,
    ) -> Result<bool, crate::Error> {
        let n = self
            .exec(
                &format!(
                    "UPDATE holds AS h SET is_frozen = ?2, frozen_until = ?3
                     WHERE h.id = ?1 AND h.status IN ('pending_approval', 'waiting') AND NOT {ASSIGNED}"
                ),
                params![hold, frozen, until.filter(|_| frozen)],
            )
            .db()?;
        if n == 1 && frozen {
            self.exec("DELETE FROM assignments WHERE hold_id = ?1 AND state = 'targeted'", [hold]).db()?;
        }
        Ok(n == 1)
    }

    /// Assigns a waiting hold a copy in transit to the pickup branch: one assignment row, the
    /// hold row untouched; false if the hold is no longer waiting. A target of the hold or of
    /// the copy lapses. The unique index refuses a copy already assigned elsewhere.
    /// `pulled`: the copy comes off the shelf, so the hold likely has it as its pull target.
    pub(crate) fn assign_in_transit(
        &self,
        hold: HoldId,
        copy: CopyId,
        arrives_on: NaiveDate,
        pulled: bool,
    ) -> Result<bool, crate::Error> {
        self.write_assignment(
            (hold, copy),
            "UPDATE assignments SET state = 'in_transit', arrives_on = ?3, targeted_at = NULL
             WHERE hold_id = ?1 AND copy_id = ?2 AND state = 'targeted'",
            "INTO assignments (hold_id, copy_id, state, arrives_on)
             SELECT ?1, ?2, 'in_transit', ?3 FROM holds h WHERE h.id = ?1 AND h.status = 'waiting'",
            params![hold, copy, arrives_on],
            pulled,
        )
    }

    /// Puts a hold on the hold shelf with `copy`, from waiting or in transit with that copy.
    /// `expected`: the hold likely has an assignment row with this copy already (it arrives
    /// in transit, or was its pull target).
    pub(crate) fn make_ready(
        &self,
        hold: HoldId,
        copy: CopyId,
        ready_on: NaiveDate,
        deadline: NaiveDate,
        expected: bool,
    ) -> Result<bool, crate::Error> {
        self.write_assignment(
            (hold, copy),
            "UPDATE assignments SET state = 'ready', ready_on = ?3, pickup_deadline = ?4, arrives_on = NULL,
                                    targeted_at = NULL
             WHERE hold_id = ?1 AND copy_id = ?2 AND state IN ('in_transit', 'targeted')",
            "INTO assignments (hold_id, copy_id, state, ready_on, pickup_deadline)
             SELECT ?1, ?2, 'ready', ?3, ?4 FROM holds h WHERE h.id = ?1 AND h.status = 'waiting'",
            params![hold, copy, ready_on, deadline],
            expected,
        )
    }

    /// Writes hold `?1`'s assignment of copy `?2`: `update` moves a row it already has with
    /// that copy; `insert` (after `INSERT`/`INSERT OR IGNORE`) adds one. Where no row is
    /// `expected`, an insert that meets no other row is tried first: a returned copy for a
    /// hold without a target is one statement. Otherwise the update, else both earlier pull
    /// targets dropped and the insert (the unique index refuses a copy assigned elsewhere).
    fn write_assignment(
        &self,
        (hold, copy): (HoldId, CopyId),
        update: &str,
        insert: &str,
        params: &[&dyn rusqlite::ToSql],
        expected: bool,
    ) -> Result<bool, crate::Error> {
        if !expected && self.exec(&format!("INSERT OR IGNORE {insert}"), params).db()? == 1 {
            return Ok(true);
        }
        if self.exec(update, params).db()? == 1 {
            return Ok(true);
        }
        self.drop_targets(hold, copy)?;
        let n = self
            .exec(&format!("INSERT {insert} AND NOT EXISTS (SELECT 1 FROM assignments x WHERE x.hold_id = ?1)"), params)
            .db()?;
        Ok(n == 1)
    }

    /// Forgets the pull targets of `hold` and of `copy`: the copy is being assigned for real.
    fn drop_targets(&self, hold: HoldId, copy: CopyId) -> Result<(), crate::Error> {
        self.exec("DELETE FROM assignments WHERE hold_id = ?1 AND state = 'targeted'", [hold]).db()?;
        self.drop_target_of_copy(copy)
    }

    /// Forgets the pull target of `copy`, if any (it left the shelf, or changed).
    pub(crate) fn drop_target_of_copy(&self, copy: CopyId) -> Result<(), crate::Error> {
        self.exec(
            "DELETE FROM assignments INDEXED BY assignments_by_copy WHERE copy_id = ?1 AND state = 'targeted'",
            [copy],
        )
        .db()?;
        Ok(())
    }

    /// Releases `copy`'s assignment (in transit, on the hold shelf, or a pull target): the
    /// assignment row is deleted and its hold waits again at its old place in the queue (its
    /// priority and placing time never changed), no longer notified; the notices that said a
    /// copy was coming or waiting are forgotten. Returns the hold, if the copy had one. The
    /// caller moves the copy itself (lost, damaged, back to the shelf...).
    pub(crate) fn release_assignment(&self, copy: CopyId) -> Result<Option<HoldId>, crate::Error> {
        let hold: Option<HoldId> = optional(self.row(
            "DELETE FROM assignments INDEXED BY assignments_by_copy WHERE copy_id = ?1 RETURNING hold_id",
            [copy],
            |r| r.get(0),
        ))?;
        if let Some(hold) = hold {
            self.exec("UPDATE holds SET notified_at = NULL WHERE id = ?1 AND notified_at IS NOT NULL", [hold]).db()?;
            self.exec("DELETE FROM notices WHERE hold_id = ?1 AND kind IN ('hold_ready', 'hold_in_transit')", [hold])
                .db()?;
        }
        Ok(hold)
    }

    /// Ends an active hold as cancelled or expired, releasing its copy and stripping its audit
    /// rows (R-R1); false if already ended.
    pub(crate) fn end_hold(
        &self,
        hold: HoldId,
        status: HoldStatus,
        on: NaiveDate,
        reason: &str,
    ) -> Result<bool, crate::Error> {
        let n = self
            .exec(
                "UPDATE holds SET status = ?2, ended_on = ?3, end_reason = ?4, copy_id = NULL, arrives_on = NULL
             WHERE id = ?1 AND status NOT IN ('cancelled', 'expired')",
                params![hold, status, on, reason],
            )
            .db()?;
        if n == 1 {
            self.exec("DELETE FROM assignments WHERE hold_id = ?1", [hold]).db()?;
            self.forget_notices_of_hold(hold)?;
            self.forget_audit_of_hold(hold)?;
        }
        Ok(n == 1)
    }

    /// Removes a hold that was collected: the loan carries on, and nothing keeps the link —
    /// not the hold, not its notices, not its audit rows (R-R1).
    pub(crate) fn delete_hold(&self, hold: HoldId) -> Result<(), crate::Error> {
        self.forget_notices_of_hold(hold)?;
        self.exec("DELETE FROM assignments WHERE hold_id = ?1", [hold]).db()?;
        self.forget_audit_of_hold(hold)?;
        self.exec("DELETE FROM holds WHERE id = ?1", [hold]).db()?;
        Ok(())
    }

    /// Deletes every notice about `hold`, sent or not: once the hold has ended they are stale,
    /// and they name the patron with the title (R-R1).
    fn forget_notices_of_hold(&self, hold: HoldId) -> Result<(), crate::Error> {
        self.exec("DELETE FROM notices WHERE hold_id = ?1", [hold]).db()?;
        Ok(())
    }

    /// Keeps `hold`, about to be deleted because its copy is dispatched on `loan` (R-H12), with
    /// that loan until the patron collects it (V25): a copy lost on the way gives it back. Its
    /// approval and freeze are kept too, and whether its patron was told a copy was set aside
    /// for it (V26).
    pub(crate) fn keep_dispatched_hold(
        &self,
        hold: HoldId,
        loan: crate::circulation::LoanId,
    ) -> Result<(), crate::Error> {
        self.exec(
            "INSERT INTO dispatched_holds (loan_id, hold_id, pickup_branch, material_kind, channel, priority, placed_at,
                                           pickup_point, contact, contact_phone, is_interlibrary, status, is_frozen,
                                           frozen_until, was_announced)
             SELECT ?2, h.id, h.pickup_branch, h.material_kind, h.channel, h.priority, h.placed_at, h.pickup_point,
                    h.contact, h.contact_phone, h.is_interlibrary,
                    IIF(h.status = 'pending_approval', 'pending_approval', 'waiting'), h.is_frozen, h.frozen_until, ?3
             FROM holds h WHERE h.id = ?1",
            params![hold, loan, self.assignment_announced(hold)?],
        )
        .db()?;
        Ok(())
    }

    /// Gives back the hold kept with dispatched `loan` ([`Tx::keep_dispatched_hold`]) as it was
    /// before the dispatch — queued at its old place, provisional or frozen if it was (V26) —
    /// and marked given back; and whether its patron may know of the loan or the copy (a notice
    /// about the loan — the dispatch, a reminder — delivered or claimed by a drainer, the loan
    /// renewed, or a ready or in-transit notice of the hold heard before a hand dispatch).
    /// `None` (nothing written) when none was kept (a loan collected, or dispatched before V25)
    /// or the patron holds the title again.
    pub(crate) fn restore_dispatched_hold(
        &self,
        loan: crate::circulation::LoanId,
    ) -> Result<Option<(HoldId, bool)>, crate::Error> {
        let restored: Option<HoldId> = optional(self.row(
            "INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, priority, placed_at,
                                pickup_branch, pickup_point, contact, contact_phone, is_interlibrary, is_given_back,
                                is_frozen, frozen_until)
             SELECT d.hold_id, l.patron_id, l.title_id, d.material_kind, d.channel, d.status, d.priority, d.placed_at,
                    d.pickup_branch, d.pickup_point, d.contact, d.contact_phone, d.is_interlibrary, 1, d.is_frozen,
                    d.frozen_until
             FROM dispatched_holds d JOIN loans l ON l.id = d.loan_id
             WHERE d.loan_id = ?1 AND l.status = 'in_transit'
               AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.patron_id = l.patron_id AND h.title_id = l.title_id
                               AND h.status IN ('pending_approval', 'waiting', 'in_transit', 'ready'))
             RETURNING id",
            [loan],
            |r| r.get(0),
        ))?;
        let Some(hold) = restored else { return Ok(None) };
        let told = self
            .row(
                "SELECT EXISTS (SELECT 1 FROM notices WHERE loan_id = ?1 AND (delivered_at IS NOT NULL OR attempts > 0))
                        OR EXISTS (SELECT 1 FROM loans WHERE id = ?1 AND renewals > 0)
                        OR EXISTS (SELECT 1 FROM dispatched_holds WHERE loan_id = ?1 AND was_announced = 1)",
                [loan],
                |r| r.get(0),
            )
            .db()?;
        Ok(Some((hold, told)))
    }

    /// The notice of a hold that became a loan at dispatch (R-H12) is about that loan now, and
    /// is forgotten when the loan is returned.
    pub(crate) fn hand_notices_to_loan(
        &self,
        hold: HoldId,
        loan: crate::circulation::LoanId,
    ) -> Result<(), crate::Error> {
        self.exec(
            "UPDATE notices SET hold_id = NULL, loan_id = ?2 WHERE hold_id = ?1 AND kind = 'hold_dispatched'",
            params![hold, loan],
        )
        .db()?;
        Ok(())
    }

    pub(crate) fn approve_hold(&self, hold: HoldId) -> Result<bool, crate::Error> {
        Ok(self
            .exec("UPDATE holds SET status = 'waiting' WHERE id = ?1 AND status = 'pending_approval'", [hold])
            .db()?
            == 1)
    }

    /// Changes pickup and contact of a queued hold; false if it is no longer queued.
    pub(crate) fn change_hold(
        &self,
        hold: HoldId,
        pickup: &str,
        point: Option<&str>,
        contact: &ContactMethod,
        phone: Option<&str>,
    ) -> Result<bool, crate::Error> {
        let n = self
            .exec(
                &format!(
                    "UPDATE holds AS h SET pickup_branch = ?2, pickup_point = ?3, contact = ?4, contact_phone = ?5
                     WHERE h.id = ?1 AND h.status IN ('pending_approval', 'waiting') AND NOT {ASSIGNED}"
                ),
                params![hold, pickup, point, contact, phone],
            )
            .db()?;
        if n == 1 {
            // A new pickup branch may want another copy: the pull list targets it again.
            self.exec("DELETE FROM assignments WHERE hold_id = ?1 AND state = 'targeted'", [hold]).db()?;
        }
        Ok(n == 1)
    }

    pub(crate) fn hide_hold(&self, hold: HoldId) -> Result<bool, crate::Error> {
        Ok(self.exec("UPDATE holds SET is_hidden = 1 WHERE id = ?1 AND ended_on IS NOT NULL", [hold]).db()? == 1)
    }

    /// Ready holds whose deadline is before `today`.
    /// Ready holds past their deadline on `today`; with `wait_for_notice`, not those whose ready
    /// notice is still waiting in the outbox (the deadline counts from the notice, R-H9).
    pub(crate) fn overdue_ready_holds(
        &self,
        today: NaiveDate,
        wait_for_notice: bool,
    ) -> Result<Vec<OverdueReady>, crate::Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT a.hold_id, a.copy_id FROM assignments a WHERE a.state = 'ready' AND a.pickup_deadline < ?1
               AND NOT (?2 AND EXISTS (SELECT 1 FROM notices n
                                       WHERE n.hold_id = a.hold_id AND n.kind = 'hold_ready' AND n.delivered_at IS NULL))
             ORDER BY a.pickup_deadline, a.hold_id",
            )
            .db()?;
        let rows = stmt
            .query_map(params![today, wait_for_notice], |r| Ok(OverdueReady { hold: r.get(0)?, copy: r.get(1)? }))
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Moves a ready hold's pickup deadline (R-H9: counted from the notice); false if the hold
    /// is no longer ready.
    pub(crate) fn set_pickup_deadline(&self, hold: HoldId, deadline: NaiveDate) -> Result<bool, crate::Error> {
        let n = self
            .exec(
                "UPDATE assignments SET pickup_deadline = ?2 WHERE hold_id = ?1 AND state = 'ready'",
                params![hold, deadline],
            )
            .db()?;
        Ok(n == 1)
    }

    /// Deletes ended holds that ended before `cutoff`; returns how many.
    pub(crate) fn purge_ended_holds(&self, cutoff: NaiveDate) -> Result<u32, crate::Error> {
        self.exec(
            "DELETE FROM notices WHERE hold_id IN (SELECT id FROM holds WHERE ended_on IS NOT NULL AND ended_on < ?1)",
            [cutoff],
        )
        .db()?;
        self.exec(
            "DELETE FROM assignments WHERE hold_id IN (SELECT id FROM holds WHERE ended_on IS NOT NULL AND ended_on < ?1)",
            [cutoff],
        )
        .db()?;
        // Ending a hold strips its audit rows; should one have been missed, strip it here, or
        // it would keep the hold from being deleted (V23: no ON DELETE action) day after day.
        self.exec(
            "UPDATE audit SET patron_id = NULL, hold_id = NULL, copy_id = NULL, note = ''
             WHERE hold_id IN (SELECT id FROM holds WHERE ended_on IS NOT NULL AND ended_on < ?1)",
            [cutoff],
        )
        .db()?;
        Ok(self.exec("DELETE FROM holds WHERE ended_on IS NOT NULL AND ended_on < ?1", [cutoff]).db()? as u32)
    }

    /// Approved holds not frozen `today` waiting on titles with a copy on the shelf at `branch`
    /// (or only on `title`, when given), each paired with every copy of the title on the shelf
    /// anywhere, in title, queue order, then copy id: the raw material of the pull list and of
    /// targeting.
    pub(crate) fn pull_candidates(
        &self,
        branch: &str,
        title: Option<TitleId>,
        today: NaiveDate,
    ) -> Result<Vec<PullCandidate>, crate::Error> {
        let sql = pull_candidates_sql();
        let mut stmt = self.conn.prepare_cached(&sql).db()?;
        let rows = stmt
            .query_map(params![branch, title, today], |r| {
                Ok(PullCandidate {
                    target: r.get(0)?,
                    copy: r.get(1)?,
                    barcode: r.get(2)?,
                    branch: r.get(3)?,
                    material_kind: r.get(4)?,
                    loanable: r.get(5)?,
                    hold: PullHold {
                        id: r.get(6)?,
                        title: r.get(7)?,
                        title_text: r.get(8)?,
                        patron: r.get(9)?,
                        category: r.get(10)?,
                        pickup: r.get(11)?,
                    },
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// The copy `barcode` and, if it is on the shelf with a pull target whose hold still
    /// waits and is not frozen on `today`, that hold: what confirming a pull reads, in one
    /// statement.
    pub(crate) fn pulled_copy(
        &self,
        barcode: &str,
        today: NaiveDate,
    ) -> Result<Option<(Copy, Option<TargetedHold>)>, crate::Error> {
        let sql = format!(
            "SELECT {C_COPY_COLUMNS}, h.id, h.title_id, h.patron_id, p.category, h.pickup_branch, h.material_kind,
                    h.contact <> 'none'
             FROM copies c
             LEFT JOIN assignments a INDEXED BY assignments_by_copy ON a.copy_id = c.id AND a.state = 'targeted'
                                                                     AND c.status = 'on_shelf'
             LEFT JOIN holds h ON h.id = a.hold_id AND h.status = 'waiting' AND {}
             LEFT JOIN patrons p ON p.id = h.patron_id
             WHERE c.barcode = ?1",
            thawed_on(2)
        );
        optional(self.row(&sql, params![barcode, today], |r| {
            let copy = copy_from_row(r)?;
            let hold = match r.get::<_, Option<HoldId>>(9)? {
                Some(id) => Some(TargetedHold {
                    id,
                    title: r.get(10)?,
                    patron: r.get(11)?,
                    category: r.get(12)?,
                    pickup: r.get(13)?,
                    material_kind: r.get(14)?,
                    notifies: r.get(15)?,
                }),
                None => None,
            };
            Ok((copy, hold))
        }))
    }

    /// Records that the pull list asked for `copy` for `hold` at `at`, replacing an earlier
    /// target of either: false (and nothing written) if the hold no longer waits, the copy left
    /// the shelf, or either is assigned.
    pub(crate) fn set_target(
        &self,
        hold: HoldId,
        copy: CopyId,
        at: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<bool, crate::Error> {
        // A hold frozen since the pull list was worked out (in an earlier read) gets no target.
        let sql = format!(
            "INSERT OR IGNORE INTO assignments (hold_id, copy_id, state, targeted_at)
             SELECT ?1, ?2, 'targeted', ?3 FROM holds h, copies c
             WHERE h.id = ?1 AND h.status = 'waiting' AND {} AND c.id = ?2 AND c.status = 'on_shelf'",
            thawed_on(4)
        );
        // Mostly neither has a target yet: one statement. Else drop both earlier targets (an
        // assignment of either stays, and refuses the target) and try again.
        if self.exec(&sql, params![hold, copy, at, today]).db()? == 1 {
            return Ok(true);
        }
        self.drop_targets(hold, copy)?;
        let n = self.exec(&sql, params![hold, copy, at, today]).db()?;
        Ok(n == 1)
    }

    /// The waiting hold the pull list asked `copy` for, if any.
    pub(crate) fn targeted_hold_of(&self, copy: CopyId) -> Result<Option<Hold>, crate::Error> {
        let sql = format!("SELECT {HOLD_COLUMNS} {BY_COPY_FROM} WHERE a.copy_id = ?1 AND a.state = 'targeted'");
        optional(self.row(&sql, [copy], hold_from_row))
    }

    /// Pull targets set before `cutoff`, oldest first.
    pub(crate) fn stale_targets(&self, cutoff: DateTime<Utc>) -> Result<Vec<StaleTarget>, crate::Error> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT hold_id, copy_id FROM assignments WHERE state = 'targeted' AND targeted_at < ?1
                 ORDER BY targeted_at, hold_id",
            )
            .db()?;
        let rows = stmt.query_map([cutoff], |r| Ok(StaleTarget { hold: r.get(0)?, copy: r.get(1)? })).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Waiting holds on `title` by patrons other than `patron`.
    pub(crate) fn waiting_holds_by_others(&self, title: TitleId, patron: PatronId) -> Result<u32, crate::Error> {
        self.row(
            &format!(
                "SELECT COUNT(*) FROM holds h WHERE h.title_id = ?1 AND h.patron_id <> ?2
                 AND h.status IN ('pending_approval', 'waiting') AND NOT {ASSIGNED}"
            ),
            params![title, patron],
            |r| r.get(0),
        )
        .db()
    }

    /// Whether `copy` is assigned to a hold of someone other than `patron`.
    pub(crate) fn copy_set_aside_for_other(&self, copy: CopyId, patron: PatronId) -> Result<bool, crate::Error> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM assignments a INDEXED BY assignments_by_copy CROSS JOIN holds h ON h.id = a.hold_id
                            WHERE a.copy_id = ?1 AND a.state <> 'targeted' AND h.patron_id <> ?2)",
            params![copy, patron],
            |r| r.get(0),
        )
        .db()
    }

    /// The patron's hold that had `copy` assigned, if any: it is fulfilled by this checkout.
    pub(crate) fn hold_of_copy_for(&self, copy: CopyId, patron: PatronId) -> Result<Option<HoldId>, crate::Error> {
        optional(self.row(
            "SELECT h.id FROM assignments a INDEXED BY assignments_by_copy CROSS JOIN holds h ON h.id = a.hold_id
                 WHERE a.copy_id = ?1 AND a.state <> 'targeted' AND h.patron_id = ?2",
            params![copy, patron],
            |r| r.get(0),
        ))
    }

    /// The patron's queued hold on `title`, if any (a walk-in checkout fulfils it).
    pub(crate) fn queued_hold_of(&self, patron: PatronId, title: TitleId) -> Result<Option<HoldId>, crate::Error> {
        optional(self.row(
            &format!(
                "SELECT h.id FROM holds h WHERE h.patron_id = ?1 AND h.title_id = ?2
                 AND h.status IN ('pending_approval', 'waiting') AND NOT {ASSIGNED}"
            ),
            params![patron, title],
            |r| r.get(0),
        ))
    }

    pub(crate) fn insert_notice(&self, n: &NewNotice<'_>) -> Result<NoticeId, crate::Error> {
        self.exec(
            "INSERT INTO notices (patron_id, kind, channel, address, hold_id, loan_id, subject, body, is_secret, created_at,
                                  delivery_key, facts)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, randomblob(16), ?11)",
            params![n.patron, n.kind, n.channel, n.address, n.hold, n.loan, n.subject, n.body, n.secret, n.created_at, n.facts],
        ).db()?;
        Ok(NoticeId(self.last_id()))
    }

    /// Marks a notice delivered and forgets what it said (R-R1): a delivered ready notice
    /// makes its hold "notified" (連絡済み), the delivery is counted anonymously for `day`, and
    /// the row keeps no patron, address, subject, body, facts, delivery key or claim. A notice about a
    /// live hold or loan stays as an anonymous tombstone (kind, channel, hold or loan) so a
    /// bounce can be re-sent from the live record; any other is deleted.
    pub(crate) fn mark_delivered(
        &self,
        id: NoticeId,
        at: DateTime<Utc>,
        day: NaiveDate,
    ) -> Result<Delivered, crate::Error> {
        let secret =
            optional(self.row("SELECT is_secret FROM notices WHERE id = ?1 AND delivered_at IS NULL", [id], |r| {
                r.get::<_, bool>(0)
            }))?
            .unwrap_or(false);
        let notified = optional(self.row(
            "UPDATE holds SET notified_at = ?2
             WHERE notified_at IS NULL
               AND id = (SELECT hold_id FROM notices WHERE id = ?1 AND kind = 'hold_ready' AND delivered_at IS NULL)
               AND EXISTS (SELECT 1 FROM assignments a WHERE a.hold_id = holds.id AND a.state = 'ready')
             RETURNING id",
            params![id, at],
            |r| r.get(0),
        ))?;
        let n = self
            .exec(
                "INSERT INTO notice_counts (day, kind, channel, delivered)
             SELECT ?2, kind, channel, 1 FROM notices WHERE id = ?1 AND delivered_at IS NULL
             ON CONFLICT (day, kind, channel) DO UPDATE SET delivered = delivered + 1",
                params![id, day],
            )
            .db()?;
        self.exec(
            "DELETE FROM notices WHERE id = ?1 AND delivered_at IS NULL
               AND (is_secret = 1 OR (hold_id IS NULL AND loan_id IS NULL))",
            [id],
        )
        .db()?;
        self.exec(
            "UPDATE notices SET delivered_at = ?2, patron_id = NULL, address = NULL, subject = '', body = '', facts = NULL,
                                delivery_key = NULL, attempts = 0, not_before = NULL
             WHERE id = ?1 AND delivered_at IS NULL",
            params![id, at],
        ).db()?;
        Ok(Delivered { marked: n == 1, secret, notified })
    }
}

/// What marking one notice delivered did.
pub(crate) struct Delivered {
    /// It was pending and is now delivered.
    pub marked: bool,
    /// It carried a code.
    pub secret: bool,
    /// It was the first delivered ready notice of this hold, which is now "notified".
    pub notified: Option<HoldId>,
}

fn hold_from_offset(r: &Row<'_>, o: usize) -> rusqlite::Result<Hold> {
    Ok(Hold {
        id: r.get(o)?,
        patron: r.get(o + 1)?,
        title: r.get(o + 2)?,
        title_text: r.get(o + 3)?,
        material_kind: r.get(o + 4)?,
        channel: r.get(o + 5)?,
        status: r.get(o + 6)?,
        priority: r.get(o + 7)?,
        placed_at: r.get(o + 8)?,
        pickup: r.get(o + 9)?,
        pickup_point: r.get(o + 10)?,
        contact: r.get(o + 11)?,
        contact_phone: r.get(o + 12)?,
        interlibrary: r.get(o + 13)?,
        copy: r.get(o + 14)?,
        arrives_on: r.get(o + 15)?,
        ready_on: r.get(o + 16)?,
        pickup_deadline: r.get(o + 17)?,
        notified: r.get(o + 18)?,
        ended_on: r.get(o + 19)?,
        end_reason: r.get(o + 20)?,
        hidden: r.get(o + 21)?,
        frozen: r.get(o + 22)?,
        frozen_until: r.get(o + 23)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreOptions};

    fn plan(sql: &str) -> String {
        let store = Store::open_in_memory(StoreOptions::default(), Utc::now()).unwrap();
        let mut stmt = store.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let mut rows = stmt.raw_query();
        let mut steps = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            steps.push(row.get::<_, String>(3).unwrap());
        }
        steps.join("; ")
    }

    /// `HOLD_WIDTH` counts `HOLD_COLUMNS`, so a patron read after them starts where it should.
    #[test]
    fn hold_width_counts_the_hold_columns() {
        let store = Store::open_in_memory(StoreOptions::default(), Utc::now()).unwrap();
        let stmt = store.conn.prepare(&format!("SELECT {HOLD_COLUMNS} {HOLD_FROM}")).unwrap();
        assert_eq!(stmt.column_count(), HOLD_WIDTH);
    }

    /// A pull list reads each hold's queue position, freeze, patron and pickup from the queue
    /// index alone (V22): the holds table is not visited (benches/README.md, (d)).
    #[test]
    fn the_pull_list_reads_holds_from_the_covering_queue_index() {
        let plan = plan(&pull_candidates_sql());
        assert!(plan.contains("SEARCH h USING COVERING INDEX holds_queue (title_id=?)"), "{plan}");
    }

    /// The queue head is found inside the queue index, in queue order: no scan, no sort, so a
    /// 5,000-deep queue costs what a 1-deep one does (benches/holds.rs, (b)).
    #[test]
    fn the_queue_head_comes_from_the_queue_index_without_a_sort() {
        let plan = plan(&first_waiting_sql());
        assert!(plan.contains("SEARCH h USING INDEX holds_queue (title_id=?)"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "{plan}");
    }
}
