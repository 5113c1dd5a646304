//! SQL for saved searches, new arrivals and the alert send log.

use crate::error::SqlResult;
use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::params;

use super::{Tx, optional};
use crate::alerts::{Field, NewArrival, SavedSearch, SearchId};
use crate::error::Result;
use crate::patrons::PatronId;

sql_id!(SearchId);

const FIELDS: [(Field, &str); 5] = [
    (Field::Title, "title"),
    (Field::Author, "author"),
    (Field::Publisher, "publisher"),
    (Field::Subject, "subject"),
    (Field::Keyword, "keyword"),
];
sql_text_enum!(Field, FIELDS);

impl Tx<'_> {
    pub(crate) fn count_searches(&self, patron: PatronId) -> Result<u32> {
        self.row("SELECT COUNT(*) FROM saved_searches WHERE patron_id = ?1", [patron], |r| r.get(0)).db()
    }

    pub(crate) fn insert_search(&self, patron: PatronId, s: &SavedSearch, at: DateTime<Utc>) -> Result<SearchId> {
        self.exec(
            "INSERT INTO saved_searches (patron_id, name, material_kind, category, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![patron, s.name, s.material_kind, s.category, at],
        ).db()?;
        let id = SearchId(self.last_id());
        self.write_terms(id, s)?;
        Ok(id)
    }

    /// Replaces a search's name, filters and terms; false if it is not the patron's.
    pub(crate) fn update_search(&self, patron: PatronId, id: SearchId, s: &SavedSearch) -> Result<bool> {
        let n = self.exec(
            "UPDATE saved_searches SET name = ?3, material_kind = ?4, category = ?5 WHERE id = ?1 AND patron_id = ?2",
            params![id, patron, s.name, s.material_kind, s.category],
        ).db()?;
        if n == 1 {
            self.exec("DELETE FROM saved_search_terms WHERE search_id = ?1", [id]).db()?;
            self.write_terms(id, s)?;
        }
        Ok(n == 1)
    }

    fn write_terms(&self, id: SearchId, s: &SavedSearch) -> Result<()> {
        for (i, (field, term)) in s.terms.iter().enumerate() {
            self.exec(
                "INSERT INTO saved_search_terms (search_id, position, field, term) VALUES (?1, ?2, ?3, ?4)",
                params![id, i as i64, field, term],
            )
            .db()?;
        }
        Ok(())
    }

    pub(crate) fn delete_search(&self, patron: PatronId, id: SearchId) -> Result<bool> {
        Ok(self.exec("DELETE FROM saved_searches WHERE id = ?1 AND patron_id = ?2", params![id, patron]).db()? == 1)
    }

    /// Saved searches with their terms: one patron's, or everyone's (`None`), by id.
    pub(crate) fn searches(&self, patron: Option<PatronId>) -> Result<Vec<(SearchId, PatronId, SavedSearch)>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, patron_id, name, material_kind, category FROM saved_searches
             WHERE ?1 IS NULL OR patron_id = ?1 ORDER BY id",
            )
            .db()?;
        let heads = stmt
            .query_map([patron], |r| {
                Ok((
                    r.get::<_, SearchId>(0)?,
                    r.get::<_, PatronId>(1)?,
                    SavedSearch { name: r.get(2)?, terms: Vec::new(), material_kind: r.get(3)?, category: r.get(4)? },
                ))
            })
            .db()?
            .collect::<rusqlite::Result<Vec<_>>>()
            .db()?;
        let mut terms = self.conn.prepare_cached(
            "SELECT t.search_id, t.field, t.term FROM saved_search_terms t JOIN saved_searches s ON s.id = t.search_id
             WHERE ?1 IS NULL OR s.patron_id = ?1 ORDER BY t.search_id, t.position",
        ).db()?;
        let mut all = heads;
        for row in terms
            .query_map([patron], |r| Ok((r.get::<_, SearchId>(0)?, r.get::<_, Field>(1)?, r.get::<_, String>(2)?)))
            .db()?
        {
            let (id, field, term) = row.db()?;
            if let Ok(i) = all.binary_search_by_key(&id, |(sid, _, _)| *sid) {
                all[i].2.terms.push((field, term));
            }
        }
        Ok(all)
    }

    /// Titles published on or after `published_since` whose first copy became available between
    /// `available_from` and `available_until` (inclusive); serials only if `with_serials`.
    pub(crate) fn new_arrivals(
        &self,
        published_since: NaiveDate,
        available_from: NaiveDate,
        available_until: NaiveDate,
        with_serials: bool,
    ) -> Result<Vec<NewArrival>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT t.id, t.title, t.author, t.publisher, t.category, t.published_on,
                    IFNULL((SELECT group_concat(subject, ' ') FROM title_subjects s WHERE s.title_id = t.id), ''),
                    MIN(c.available_since), MIN(c.material_kind)
             FROM titles t JOIN copies c ON c.title_id = t.id
             WHERE t.published_on >= ?1 AND (?4 OR t.is_serial = 0)
             GROUP BY t.id
             HAVING MIN(c.available_since) BETWEEN ?2 AND ?3
             ORDER BY t.category, t.id",
            )
            .db()?;
        let rows = stmt
            .query_map(params![published_since, available_from, available_until, with_serials], |r| {
                Ok(NewArrival {
                    title: r.get(0)?,
                    title_text: r.get(1)?,
                    author: r.get(2)?,
                    publisher: r.get(3)?,
                    category: r.get(4)?,
                    published_on: r.get(5)?,
                    subjects: r.get(6)?,
                    available_since: r.get(7)?,
                    material_kind: r.get(8)?,
                })
            })
            .db()?;
        rows.collect::<rusqlite::Result<_>>().db()
    }

    /// The latest send day already handled.
    pub(crate) fn last_alert_run(&self) -> Result<Option<NaiveDate>> {
        self.row("SELECT MAX(send_day) FROM alert_runs", [], |r| r.get(0)).db()
    }

    pub(crate) fn alert_run_done(&self, day: NaiveDate) -> Result<bool> {
        Ok(optional(self.row("SELECT 1 FROM alert_runs WHERE send_day = ?1", [day], |r| r.get::<_, i64>(0)))?.is_some())
    }

    pub(crate) fn record_alert_run(&self, day: NaiveDate, at: DateTime<Utc>, patrons: u32) -> Result<()> {
        self.exec("INSERT INTO alert_runs (send_day, ran_at, patrons) VALUES (?1, ?2, ?3)", params![day, at, patrons])
            .db()?;
        Ok(())
    }
}
