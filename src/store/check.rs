//! SQL for the engine's own consistency check: each query lists the rows breaking one
//! invariant of ARCHITECTURE.md.

use super::Tx;
use crate::error::Result;
use crate::error::SqlResult;

/// (invariant, query returning one text column describing each offending row).
const CHECKS: &[(&str, &str)] = &[
    (
        "a copy on loan has exactly one open loan",
        "SELECT 'copy ' || c.barcode || ' has ' || (SELECT COUNT(*) FROM loans l WHERE l.copy_id = c.id) || ' open loans'
         FROM copies c
         WHERE (c.status = 'on_loan') <> ((SELECT COUNT(*) FROM loans l WHERE l.copy_id = c.id) = 1)",
    ),
    (
        "a kept dispatched hold belongs to a loan not yet collected, and its id to no live hold",
        "SELECT 'loan ' || d.loan_id || ' is ' || IFNULL(l.status, 'gone') || ' and keeps hold ' || d.hold_id
                || IIF(h.id IS NULL, '', ', which exists')
         FROM dispatched_holds d LEFT JOIN loans l ON l.id = d.loan_id LEFT JOIN holds h ON h.id = d.hold_id
         WHERE l.status IS NOT 'in_transit' OR h.id IS NOT NULL",
    ),
    (
        "a ready hold's copy is on the hold shelf",
        "SELECT 'hold ' || a.hold_id || ': copy ' || c.barcode || ' is ' || c.status
         FROM assignments a JOIN copies c ON c.id = a.copy_id WHERE a.state = 'ready' AND c.status <> 'on_hold_shelf'",
    ),
    (
        "an in-transit hold's copy travels to its pickup branch",
        "SELECT 'hold ' || h.id || ': copy ' || c.barcode || ' is ' || c.status || ' to ' || IFNULL(c.transit_to, '-')
         FROM assignments a JOIN holds h ON h.id = a.hold_id JOIN copies c ON c.id = a.copy_id
         WHERE a.state = 'in_transit' AND (c.status <> 'in_transit' OR c.transit_to IS NOT h.pickup_branch)",
    ),
    (
        "a copy on the hold shelf belongs to exactly one ready hold",
        "SELECT 'copy ' || c.barcode || ' is on the hold shelf for no ready hold'
         FROM copies c WHERE c.status = 'on_hold_shelf'
           AND NOT EXISTS (SELECT 1 FROM assignments a WHERE a.copy_id = c.id AND a.state = 'ready')",
    ),
    (
        "an assignment belongs to a waiting hold",
        "SELECT 'hold ' || a.hold_id || ' is ' || IFNULL(h.status, 'gone') || ' but has an assignment (' || a.state || ')'
         FROM assignments a LEFT JOIN holds h ON h.id = a.hold_id WHERE h.status IS NOT 'waiting'",
    ),
    (
        "a hold row keeps no copy: assignments do",
        "SELECT 'hold ' || id || ' is stored as ' || status || IIF(copy_id IS NULL, '', ' with a copy')
         FROM holds WHERE status IN ('in_transit', 'ready') OR copy_id IS NOT NULL OR arrives_on IS NOT NULL
           OR ready_on IS NOT NULL OR pickup_deadline IS NOT NULL",
    ),
    (
        "a targeted copy is on the shelf",
        "SELECT 'copy ' || c.barcode || ' is targeted for hold ' || a.hold_id || ' but is ' || c.status
         FROM assignments a JOIN copies c ON c.id = a.copy_id WHERE a.state = 'targeted' AND c.status <> 'on_shelf'",
    ),
    (
        "a frozen hold is never assigned a copy",
        "SELECT 'hold ' || h.id || ' is ' || a.state || ' while frozen' || IFNULL(' until ' || h.frozen_until, '')
         FROM assignments a JOIN holds h ON h.id = a.hold_id
         WHERE a.state IN ('in_transit', 'ready') AND h.is_frozen = 1
           AND (h.frozen_until IS NULL OR h.frozen_until > IFNULL(a.ready_on, a.arrives_on))",
    ),
    (
        "an in-transit copy has a destination",
        "SELECT 'copy ' || barcode || ' is in transit to nowhere' FROM copies WHERE status = 'in_transit' AND transit_to IS NULL",
    ),
    (
        "no loan row is returned",
        "SELECT 'loan ' || id || ' is stored as ' || status || IIF(patron_id IS NULL, ' without a patron', '')
         FROM loans WHERE status NOT IN ('in_transit', 'active') OR patron_id IS NULL",
    ),
    (
        "the daily counts account for every open loan",
        "SELECT 'counted ' || c.checkouts || ' checkouts and ' || c.returns || ' returns, but ' || l.open || ' loans are open'
         FROM (SELECT IFNULL(SUM(checkouts), 0) AS checkouts, IFNULL(SUM(returns), 0) AS returns FROM circulation_days) c,
              (SELECT COUNT(*) AS open FROM loans) l
         WHERE c.checkouts - c.returns <> l.open",
    ),
    (
        "reading history exists only for opted-in patrons",
        "SELECT 'patron ' || p.id || ' has ' || COUNT(*) || ' history entries without opting in'
         FROM reading_history r JOIN patrons p ON p.id = r.patron_id
         WHERE p.reading_history_since IS NULL GROUP BY p.id",
    ),
    (
        "reading history records only loans after the opt-in",
        "SELECT 'history entry ' || r.id || ' predates the opt-in' FROM reading_history r JOIN patrons p ON p.id = r.patron_id
         WHERE r.checked_out_on < p.reading_history_since",
    ),
    (
        "no delivered notice names a patron, an address or a title",
        "SELECT 'notice ' || id || ' (' || kind || ') was delivered but keeps '
                || IIF(patron_id IS NOT NULL, 'its patron', IIF(address IS NOT NULL, 'its address', 'its text'))
         FROM notices WHERE delivered_at IS NOT NULL
           AND (patron_id IS NOT NULL OR address IS NOT NULL OR subject <> '' OR body <> '' OR facts IS NOT NULL)",
    ),
    (
        "no delivered notice keeps its delivery key or a claim",
        "SELECT 'notice ' || id || ' (' || kind || ') was delivered but keeps '
                || IIF(delivery_key IS NOT NULL, 'its delivery key', 'its claim')
         FROM notices WHERE delivered_at IS NOT NULL
           AND (delivery_key IS NOT NULL OR attempts <> 0 OR not_before IS NOT NULL)",
    ),
    (
        "every undelivered notice has a delivery key",
        "SELECT 'notice ' || id || ' (' || kind || ') has no delivery key' FROM notices
         WHERE delivered_at IS NULL AND delivery_key IS NULL",
    ),
    (
        "no notice outlives the hold or loan it is about",
        "SELECT 'notice ' || n.id || ' (' || n.kind || ') is about loan ' || n.loan_id || ', which was returned'
         FROM notices n WHERE n.loan_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.id = n.loan_id)
         UNION ALL
         SELECT 'notice ' || id || ' (' || kind || ') is about a hold or loan that no longer exists' FROM notices
         WHERE hold_id IS NULL AND loan_id IS NULL AND kind IN
               ('hold_placed', 'hold_ready', 'hold_in_transit', 'hold_dispatched', 'hold_expired', 'hold_cancelled',
                'hold_requeued', 'due_reminder')",
    ),
    (
        "an audit row names a patron only while its loan or hold is live (R-R1)",
        "SELECT 'audit ' || a.id || ' (' || a.action || ') names patron ' || a.patron_id || ' without a live loan or hold of theirs'
         FROM audit a WHERE a.patron_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.id = a.loan_id AND l.patron_id = a.patron_id)
           AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.id = a.hold_id AND h.patron_id = a.patron_id
                           AND h.status IN ('pending_approval', 'waiting', 'in_transit', 'ready'))",
    ),
    (
        "an audit row about a loan or hold keeps no link once it has ended (R-R1)",
        "SELECT 'audit ' || a.id || ' (' || a.action || ') '
                || COALESCE('still points at loan ' || a.loan_id, 'still points at hold ' || a.hold_id,
                            'keeps its copy or note without a loan or hold')
         FROM audit a
         WHERE (a.loan_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM loans l WHERE l.id = a.loan_id))
            OR (a.hold_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.id = a.hold_id
                           AND h.status IN ('pending_approval', 'waiting', 'in_transit', 'ready')))
            OR (a.action IN ('renewal', 'override_checkout', 'override_renewal', 'override_hold', 'hold_frozen',
                             'hold_unfrozen')
                AND a.loan_id IS NULL AND a.hold_id IS NULL AND (a.copy_id IS NOT NULL OR a.note <> ''))",
    ),
    (
        "a saved search has at least one term",
        "SELECT 'saved search ' || s.id || ' of patron ' || s.patron_id || ' has no terms' FROM saved_searches s
         WHERE NOT EXISTS (SELECT 1 FROM saved_search_terms t WHERE t.search_id = s.id)",
    ),
];

impl Tx<'_> {
    /// `(invariant, detail)` for every row that breaks an invariant, plus SQLite's own checks.
    pub(crate) fn violations(&self) -> Result<Vec<(String, String)>> {
        let mut out = Vec::new();
        let quick: String = self.conn.query_row("PRAGMA quick_check", [], |r| r.get(0)).db()?;
        if quick != "ok" {
            out.push(("SQLite quick_check".to_owned(), quick));
        }
        let mut stmt = self.conn.prepare("PRAGMA foreign_key_check").db()?;
        let fk = stmt
            .query_map([], |r| {
                Ok(format!(
                    "{} row {:?} -> {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<i64>>(1)?,
                    r.get::<_, String>(2)?
                ))
            })
            .db()?;
        for row in fk {
            out.push(("no orphan rows (foreign keys)".to_owned(), row.db()?));
        }
        for (rule, sql) in CHECKS {
            let mut stmt = self.conn.prepare(sql).db()?;
            for detail in stmt.query_map([], |r| r.get::<_, String>(0)).db()? {
                out.push(((*rule).to_owned(), detail.db()?));
            }
        }
        Ok(out)
    }

    /// Active holds per patron and material kind, `(patron, kind, count)`; counter holds only
    /// when `with_counter`; not the holds staff placed overriding the hold limit (they are
    /// over it by design, and the audit log says who and why), nor those given back after
    /// their dispatched copy was lost (V25: checked against the limits when first placed).
    pub(crate) fn active_hold_counts(&self, with_counter: bool) -> Result<Vec<(i64, String, String, u32)>> {
        let mut stmt = self.conn.prepare(
            "SELECT h.patron_id, p.category, h.material_kind, COUNT(*) FROM holds h JOIN patrons p ON p.id = h.patron_id
             WHERE h.status IN ('pending_approval', 'waiting', 'in_transit', 'ready') AND (h.channel = 'web' OR ?1)
               AND h.is_given_back = 0
               AND NOT EXISTS (SELECT 1 FROM audit a WHERE a.hold_id = h.id AND a.action = 'override_hold'
                               AND ',' || a.overridden || ',' LIKE '%,hold_limit_reached,%')
             GROUP BY h.patron_id, h.material_kind",
        ).db()?;
        let rows = stmt.query_map([with_counter], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// `(patron, usable reset codes)` for every patron with one at `now`.
    pub(crate) fn outstanding_reset_codes(&self, now: chrono::DateTime<chrono::Utc>) -> Result<Vec<(i64, u32)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT patron_id, COUNT(*) FROM account_tokens
             WHERE purpose = 'password_reset' AND used_at IS NULL AND expires_at > ?1 GROUP BY patron_id",
            )
            .db()?;
        let rows = stmt.query_map([now], |r| Ok((r.get(0)?, r.get(1)?))).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// `(patron, saved searches)` for every patron with saved searches.
    pub(crate) fn saved_search_counts(&self) -> Result<Vec<(i64, u32)>> {
        let mut stmt = self.conn.prepare("SELECT patron_id, COUNT(*) FROM saved_searches GROUP BY patron_id").db()?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// `(patron, lists, largest list)` for every patron with lists.
    pub(crate) fn booklist_sizes(&self) -> Result<Vec<(i64, u32, u32)>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT b.patron_id, COUNT(*), MAX((SELECT COUNT(*) FROM booklist_entries e WHERE e.list_id = b.id))
             FROM booklists b GROUP BY b.patron_id",
            )
            .db()?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }
}
