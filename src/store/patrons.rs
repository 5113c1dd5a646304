//! SQL for patrons and their phones.

use crate::error::SqlResult;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use rusqlite::{Row, params};

use super::{Tx, conflict_on_unique, optional};
use crate::error::{Entity, Result};
use crate::patrons::{CardNumber, NewPatron, Patron, PatronId, Phone, PhoneKind};

sql_id!(PatronId);

const PHONE_KINDS: [(PhoneKind, &str); 4] =
    [(PhoneKind::Home, "home"), (PhoneKind::Mobile, "mobile"), (PhoneKind::Work, "work"), (PhoneKind::Other, "other")];

sql_text_enum!(PhoneKind, PHONE_KINDS);

/// A patron row's columns, of table alias `p`; read with [`patron_from_offset`].
pub(super) const PATRON_COLUMNS: &str = "p.id, p.card_number, p.name, p.birth_date, p.category, p.is_blocked,
     p.registered_on, p.expires_on, p.last_activity_on, p.default_pickup, p.password_is_temporary, p.default_contact,
     p.self_issue_terms_agreed_on, p.suspended_until";

fn patron_from_row(r: &Row<'_>) -> rusqlite::Result<Patron> {
    patron_from_offset(r, 0)
}

/// A patron without phones and flags from [`PATRON_COLUMNS`] starting at column `o`.
pub(super) fn patron_from_offset(r: &Row<'_>, o: usize) -> rusqlite::Result<Patron> {
    Ok(Patron {
        id: r.get(o)?,
        card_number: CardNumber::from_stored(r.get(o + 1)?),
        name: r.get(o + 2)?,
        birth_date: r.get(o + 3)?,
        category: r.get(o + 4)?,
        blocked: r.get(o + 5)?,
        flags: BTreeSet::new(),
        registered_on: r.get(o + 6)?,
        expires_on: r.get(o + 7)?,
        last_activity_on: r.get(o + 8)?,
        phones: Vec::new(),
        default_pickup: r.get(o + 9)?,
        temporary_password: r.get(o + 10)?,
        default_contact: r.get(o + 11)?,
        self_issue_terms_agreed_on: r.get(o + 12)?,
        suspended_until: r.get(o + 13)?,
    })
}

impl Tx<'_> {
    /// Inserts a validated patron registered `today`; a duplicate card number is a conflict.
    /// The registration day is kept to the month (its first day): a new patron usually borrows
    /// on the day they register, and a returned loan must not be joinable to them (R-R1).
    pub(crate) fn insert_patron(&self, card: &CardNumber, p: &NewPatron, today: NaiveDate) -> Result<PatronId> {
        self.exec(
            "INSERT INTO patrons (card_number, name, birth_date, category,
                                      registered_on, expires_on, last_activity_on, default_pickup)
                 VALUES (?1, ?2, ?3, ?4, date(?5, 'start of month'), ?6,
                         date(?5, 'start of month', '+1 month', '-1 day'), ?7)",
            params![card.as_str(), p.name, p.birth_date, p.category, today, p.expires_on, p.default_pickup],
        )
        .map_err(|e| conflict_on_unique(e, Entity::Patron, card.as_str(), "this card number is already registered"))?;
        let id = PatronId(self.last_id());
        let mut stmt = self
            .conn
            .prepare_cached(
                "INSERT INTO patron_phones (patron_id, position, kind, number, is_chosen) VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .db()?;
        for (i, ph) in p.phones.iter().enumerate() {
            stmt.execute(params![id, i as i64, ph.kind, ph.number, ph.chosen]).db()?;
        }
        self.set_patron_flags(id, &p.flags)?;
        Ok(id)
    }

    /// Replaces the patron's flags with `flags`.
    pub(crate) fn set_patron_flags(&self, patron: PatronId, flags: &BTreeSet<String>) -> Result<()> {
        self.exec("DELETE FROM patron_flags WHERE patron_id = ?1", [patron]).db()?;
        let mut stmt = self.conn.prepare_cached("INSERT INTO patron_flags (patron_id, flag) VALUES (?1, ?2)").db()?;
        for flag in flags {
            stmt.execute(params![patron, flag]).db()?;
        }
        Ok(())
    }

    /// A patron by id, with phones.
    pub(crate) fn patron(&self, id: PatronId) -> Result<Option<Patron>> {
        let sql = format!("SELECT {PATRON_COLUMNS} FROM patrons p WHERE p.id = ?1");
        self.with_details(optional(self.row(&sql, [id], patron_from_row))?)
    }

    /// A patron by id without phones and flags (both left empty), in one statement: for
    /// routing a copy, which reads neither (a fallback notice reads the patron in full).
    pub(crate) fn patron_without_details(&self, id: PatronId) -> Result<Option<Patron>> {
        let sql = format!("SELECT {PATRON_COLUMNS} FROM patrons p WHERE p.id = ?1");
        optional(self.row(&sql, [id], patron_from_row))
    }

    /// A patron by card number, with phones.
    pub(crate) fn patron_by_card(&self, card: &CardNumber) -> Result<Option<Patron>> {
        let sql = format!("SELECT {PATRON_COLUMNS} FROM patrons p WHERE p.card_number = ?1");
        self.with_details(optional(self.row(&sql, [card.as_str()], patron_from_row))?)
    }

    /// Adds the patron's phones and flags.
    fn with_details(&self, patron: Option<Patron>) -> Result<Option<Patron>> {
        let Some(mut p) = patron else { return Ok(None) };
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, number, is_chosen FROM patron_phones WHERE patron_id = ?1 ORDER BY position")
            .db()?;
        p.phones = stmt
            .query_map([p.id], |r| Ok(Phone { kind: r.get(0)?, number: r.get(1)?, chosen: r.get(2)? }))
            .db()?
            .collect::<rusqlite::Result<_>>()
            .db()?;
        let mut stmt = self.conn.prepare_cached("SELECT flag FROM patron_flags WHERE patron_id = ?1").db()?;
        p.flags = stmt.query_map([p.id], |r| r.get(0)).db()?.collect::<rusqlite::Result<_>>().db()?;
        Ok(Some(p))
    }

    /// Sets the patron's default pickup and contact method (R-C5); `None` keeps the current one.
    pub(crate) fn set_hold_defaults(
        &self,
        patron: PatronId,
        pickup: Option<&str>,
        contact: Option<&crate::policy::ContactMethod>,
    ) -> Result<()> {
        self.exec(
            "UPDATE patrons SET default_pickup = COALESCE(?2, default_pickup), default_contact = COALESCE(?3, default_contact)
             WHERE id = ?1",
            params![patron, pickup, contact],
        ).db()?;
        Ok(())
    }

    /// Makes the phone at `position` the patron's chosen one (R-C4, R-C5).
    pub(crate) fn choose_phone(&self, patron: PatronId, position: usize) -> Result<()> {
        // Clear first: the unique "one chosen phone" index is checked row by row.
        self.exec("UPDATE patron_phones SET is_chosen = 0 WHERE patron_id = ?1", [patron]).db()?;
        self.exec(
            "UPDATE patron_phones SET is_chosen = 1 WHERE patron_id = ?1 AND position = ?2",
            params![patron, position as i64],
        )
        .db()?;
        Ok(())
    }

    /// Records the day the patron agreed to the web self-issue terms (R-A3).
    pub(crate) fn set_self_issue_terms_agreed(&self, patron: PatronId, on: NaiveDate) -> Result<()> {
        self.exec("UPDATE patrons SET self_issue_terms_agreed_on = ?2 WHERE id = ?1", params![patron, on]).db()?;
        Ok(())
    }

    /// The categories patrons in the database belong to.
    pub(crate) fn patron_categories(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT DISTINCT category FROM patrons ORDER BY category").db()?;
        stmt.query_map([], |r| r.get(0)).db()?.collect::<rusqlite::Result<_>>().db()
    }

    /// Moves the patron to `category`.
    pub(crate) fn set_patron_category(&self, patron: PatronId, category: &str) -> Result<()> {
        self.exec("UPDATE patrons SET category = ?2 WHERE id = ?1", params![patron, category]).db()?;
        Ok(())
    }

    /// Extends the patron's suspension to `until` unless it already runs as long.
    pub(crate) fn extend_suspension(&self, patron: PatronId, until: NaiveDate) -> Result<()> {
        self.exec(
            "UPDATE patrons SET suspended_until = ?2 WHERE id = ?1 AND (suspended_until IS NULL OR suspended_until < ?2)",
            params![patron, until],
        ).db()?;
        Ok(())
    }

    /// Forgets suspensions that ended before `today`; returns how many.
    pub(crate) fn clear_ended_suspensions(&self, today: NaiveDate) -> Result<usize> {
        self.exec("UPDATE patrons SET suspended_until = NULL WHERE suspended_until < ?1", [today]).db()
    }

    /// Ends the patron's suspension now; returns whether the patron exists.
    pub(crate) fn lift_suspension(&self, patron: PatronId) -> Result<bool> {
        Ok(self.exec("UPDATE patrons SET suspended_until = NULL WHERE id = ?1", [patron]).db()? > 0)
    }

    /// Sets or clears the staff block on a patron; returns whether the patron exists.
    pub(crate) fn set_patron_blocked(&self, id: PatronId, blocked: bool) -> Result<bool> {
        Ok(self.exec("UPDATE patrons SET is_blocked = ?2 WHERE id = ?1", params![id, blocked]).db()? > 0)
    }
}
