//! SQL for booklists and reading goals.

use crate::error::SqlResult;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{Row, params};

use super::{Tx, optional};
use crate::catalog::TitleId;
use crate::error::Result;
use crate::patrons::PatronId;
use crate::shelves::{Booklist, BooklistEntry, BooklistId, GoalId, ReadingGoal};

sql_id!(BooklistId, GoalId);

fn entry_from_row(r: &Row<'_>) -> rusqlite::Result<BooklistEntry> {
    Ok(BooklistEntry {
        title: r.get(0)?,
        title_text: r.get(1)?,
        author: r.get(2)?,
        publisher: r.get(3)?,
        published_on: r.get(4)?,
        isbn: r.get(5)?,
        memo: r.get(6)?,
        added_on: r.get(7)?,
    })
}

impl Tx<'_> {
    pub(crate) fn count_lists(&self, patron: PatronId) -> Result<u32> {
        self.row("SELECT COUNT(*) FROM booklists WHERE patron_id = ?1", [patron], |r| r.get(0)).db()
    }

    pub(crate) fn list_name_taken(&self, patron: PatronId, name: &str) -> Result<bool> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM booklists WHERE patron_id = ?1 AND name = ?2)",
            params![patron, name],
            |r| r.get(0),
        )
        .db()
    }

    pub(crate) fn insert_list(
        &self,
        patron: PatronId,
        name: &str,
        memo: &str,
        at: DateTime<Utc>,
    ) -> Result<BooklistId> {
        self.exec(
            "INSERT INTO booklists (patron_id, name, memo, created_at) VALUES (?1, ?2, ?3, ?4)",
            params![patron, name, memo, at],
        )
        .db()?;
        Ok(BooklistId(self.last_id()))
    }

    /// The patron's lists with entry counts, oldest first.
    pub(crate) fn lists_of(&self, patron: PatronId) -> Result<Vec<Booklist>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT b.id, b.name, b.memo, b.created_at, (SELECT COUNT(*) FROM booklist_entries e WHERE e.list_id = b.id)
             FROM booklists b WHERE b.patron_id = ?1 ORDER BY b.id",
        ).db()?;
        let rows = stmt
            .query_map([patron], |r| {
                Ok(Booklist {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    memo: r.get(2)?,
                    created_at: r.get(3)?,
                    entries: r.get(4)?,
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// Whether `list` is the patron's.
    pub(crate) fn owns_list(&self, patron: PatronId, list: BooklistId) -> Result<bool> {
        self.row(
            "SELECT EXISTS (SELECT 1 FROM booklists WHERE id = ?1 AND patron_id = ?2)",
            params![list, patron],
            |r| r.get(0),
        )
        .db()
    }

    pub(crate) fn update_list(&self, list: BooklistId, name: &str, memo: &str) -> Result<()> {
        self.exec("UPDATE booklists SET name = ?2, memo = ?3 WHERE id = ?1", params![list, name, memo]).db()?;
        Ok(())
    }

    pub(crate) fn list_name_and_memo(&self, list: BooklistId) -> Result<(String, String)> {
        self.row("SELECT name, memo FROM booklists WHERE id = ?1", [list], |r| Ok((r.get(0)?, r.get(1)?))).db()
    }

    pub(crate) fn delete_list(&self, list: BooklistId) -> Result<()> {
        self.exec("DELETE FROM booklists WHERE id = ?1", [list]).db()?;
        Ok(())
    }

    pub(crate) fn count_entries(&self, list: BooklistId) -> Result<u32> {
        self.row("SELECT COUNT(*) FROM booklist_entries WHERE list_id = ?1", [list], |r| r.get(0)).db()
    }

    /// The entry's memo and added day, if the title is in the list.
    pub(crate) fn entry_of(&self, list: BooklistId, title: TitleId) -> Result<Option<(String, NaiveDate)>> {
        optional(self.row(
            "SELECT memo, added_on FROM booklist_entries WHERE list_id = ?1 AND title_id = ?2",
            params![list, title],
            |r| Ok((r.get(0)?, r.get(1)?)),
        ))
    }

    /// Appends an entry at the end of the list.
    pub(crate) fn insert_entry(&self, list: BooklistId, title: TitleId, memo: &str, on: NaiveDate) -> Result<()> {
        self.exec(
            "INSERT INTO booklist_entries (list_id, title_id, position, memo, added_on)
             VALUES (?1, ?2, (SELECT IFNULL(MAX(position), 0) + 1 FROM booklist_entries WHERE list_id = ?1), ?3, ?4)",
            params![list, title, memo, on],
        )
        .db()?;
        Ok(())
    }

    pub(crate) fn delete_entry(&self, list: BooklistId, title: TitleId) -> Result<bool> {
        Ok(self.exec("DELETE FROM booklist_entries WHERE list_id = ?1 AND title_id = ?2", params![list, title]).db()?
            > 0)
    }

    pub(crate) fn set_entry_memo(&self, list: BooklistId, title: TitleId, memo: &str) -> Result<bool> {
        Ok(self
            .exec(
                "UPDATE booklist_entries SET memo = ?3 WHERE list_id = ?1 AND title_id = ?2",
                params![list, title, memo],
            )
            .db()?
            > 0)
    }

    pub(crate) fn set_entry_position(&self, list: BooklistId, title: TitleId, position: i64) -> Result<()> {
        self.exec(
            "UPDATE booklist_entries SET position = ?3 WHERE list_id = ?1 AND title_id = ?2",
            params![list, title, position],
        )
        .db()?;
        Ok(())
    }

    /// A list's entries in order, with their bibliographic data.
    pub(crate) fn entries_of(&self, list: BooklistId) -> Result<Vec<BooklistEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.title_id, t.title, t.author, t.publisher, t.published_on, t.isbn, e.memo, e.added_on
             FROM booklist_entries e JOIN titles t ON t.id = e.title_id WHERE e.list_id = ?1 ORDER BY e.position, e.title_id",
        ).db()?;
        let rows = stmt.query_map([list], entry_from_row).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn insert_goal(
        &self,
        patron: PatronId,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        target: u32,
    ) -> Result<GoalId> {
        self.exec(
            "INSERT INTO reading_goals (patron_id, starts_on, ends_on, target) VALUES (?1, ?2, ?3, ?4)",
            params![patron, starts_on, ends_on, target],
        )
        .db()?;
        Ok(GoalId(self.last_id()))
    }

    pub(crate) fn goals_of(&self, patron: PatronId) -> Result<Vec<ReadingGoal>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, starts_on, ends_on, target FROM reading_goals WHERE patron_id = ?1 ORDER BY starts_on, id",
            )
            .db()?;
        let rows = stmt
            .query_map([patron], |r| {
                Ok(ReadingGoal { id: r.get(0)?, starts_on: r.get(1)?, ends_on: r.get(2)?, target: r.get(3)? })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn delete_goal(&self, patron: PatronId, goal: GoalId) -> Result<bool> {
        Ok(self.exec("DELETE FROM reading_goals WHERE id = ?1 AND patron_id = ?2", params![goal, patron]).db()? > 0)
    }

    /// Days on which the patron borrowed something between `from` and `to`: from the reading
    /// history (opted in) plus open loans not in it. A returned loan without history is gone
    /// (deleted at check-in, R-R1), so it cannot count.
    pub(crate) fn borrow_days(&self, patron: PatronId, from: NaiveDate, to: NaiveDate) -> Result<Vec<NaiveDate>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT checked_out_on FROM reading_history WHERE patron_id = ?1 AND checked_out_on BETWEEN ?2 AND ?3
             UNION ALL
             SELECT l.checked_out_on FROM loans l WHERE l.patron_id = ?1
               AND l.checked_out_on BETWEEN ?2 AND ?3
               AND NOT EXISTS (SELECT 1 FROM reading_history h WHERE h.loan_id = l.id)
             ORDER BY 1",
            )
            .db()?;
        let rows = stmt.query_map(params![patron, from, to], |r| r.get(0)).db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    pub(crate) fn delete_history_entry(&self, patron: PatronId, id: i64) -> Result<bool> {
        Ok(self.exec("DELETE FROM reading_history WHERE id = ?1 AND patron_id = ?2", params![id, patron]).db()? > 0)
    }

    pub(crate) fn clear_history(&self, patron: PatronId) -> Result<u32> {
        Ok(self.exec("DELETE FROM reading_history WHERE patron_id = ?1", [patron]).db()? as u32)
    }
}
