//! Booklist, history and goal operations on [`Library`].

use super::{
    Booklist, BooklistEntry, BooklistId, GoalId, GoalProgress, Granularity, ListTarget, ReadingGoal, goal_progress,
};
use crate::Library;
use crate::catalog::{TitleId, check_date, clean_text};
use crate::error::{Entity, Error, Result};
use crate::library::Gate;
use crate::patrons::{PatronId, patron_in};
use crate::policy::{BooklistRules, Reason, Refusal, Service};
use crate::store::Tx;

impl Library {
    /// The patron's booklists with their entry counts (R-B1).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn booklists(&self, patron: PatronId) -> Result<Vec<Booklist>> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.read(|tx| {
            gate.patron(tx, patron)?;
            tx.lists_of(patron)
        })
    }

    /// Creates a list (R-B1): refused past the policy's number of lists, names and memos are
    /// checked against its character caps, and names are unique per patron.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed name or memo.
    /// - `Refused`: lists not offered, the patron's limit reached, the name taken, or the patron may not use lists now.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn create_booklist(&mut self, patron: PatronId, name: &str, memo: &str) -> Result<BooklistId> {
        let rules = rules_of(&self.policy)?;
        let (name, memo) = (list_name(rules, name)?, limited("memo", memo, rules.list_memo_max_chars)?);
        let now = self.now();
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            new_list(tx, rules, patron, &name, &memo, now)
        })
    }

    /// Renames a list and replaces its memo (R-B2).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `InvalidInput`: a malformed name or memo.
    /// - `Refused`: the name is taken, or the patron may not use lists now.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn update_booklist(&mut self, patron: PatronId, list: BooklistId, name: &str, memo: &str) -> Result<()> {
        let rules = rules_of(&self.policy)?;
        let (name, memo) = (list_name(rules, name)?, limited("memo", memo, rules.list_memo_max_chars)?);
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            owned(tx, patron, list)?;
            let (old, _) = tx.list_name_and_memo(list)?;
            if old != name && tx.list_name_taken(patron, &name)? {
                return Err(Refusal::one(Reason::ListNameTaken).into());
            }
            tx.update_list(list, &name, &memo)
        })
    }

    /// Deletes a list and its entries; irreversible (R-B2).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn delete_booklist(&mut self, patron: PatronId, list: BooklistId) -> Result<()> {
        self.store.write(|tx| {
            owned(tx, patron, list)?;
            tx.delete_list(list)
        })
    }

    /// A list's entries in order.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn booklist_entries(&self, patron: PatronId, list: BooklistId) -> Result<Vec<BooklistEntry>> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.read(|tx| {
            gate.patron(tx, patron)?;
            owned(tx, patron, list)?;
            tx.entries_of(list)
        })
    }

    /// Adds a title from its record to a list, or to a new list made in the same call (R-B2).
    /// The same title twice in one list, or an entry past the cap, is refused and nothing changes.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list (or another patron's), or no such title.
    /// - `InvalidInput`: a malformed memo.
    /// - `Refused`: the list is full, or the patron may not use lists now.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn add_to_booklist(
        &mut self,
        patron: PatronId,
        target: ListTarget,
        title: TitleId,
        memo: &str,
    ) -> Result<BooklistId> {
        let rules = rules_of(&self.policy)?;
        let memo = limited("memo", memo, rules.entry_memo_max_chars)?;
        let target = match target {
            ListTarget::New(name) => ListTarget::New(list_name(rules, &name)?),
            existing => existing,
        };
        let (now, today) = (self.now(), self.today());
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            tx.title(title)?.ok_or(Error::not_found(Entity::Title, title.get()))?;
            let list = match &target {
                ListTarget::Existing(list) => owned(tx, patron, *list).map(|()| *list)?,
                ListTarget::New(name) => new_list(tx, rules, patron, name, "", now)?,
            };
            room_for(tx, rules, list, &[title])?;
            tx.insert_entry(list, title, &memo, today)?;
            Ok(list)
        })
    }

    /// Removes a title from a list; `false` if it was not there.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn remove_from_booklist(&mut self, patron: PatronId, list: BooklistId, title: TitleId) -> Result<bool> {
        self.store.write(|tx| {
            owned(tx, patron, list)?;
            tx.delete_entry(list, title)
        })
    }

    /// Replaces an entry's memo.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list (or another patron's), or the title is not on it.
    /// - `InvalidInput`: a malformed memo.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_entry_memo(&mut self, patron: PatronId, list: BooklistId, title: TitleId, memo: &str) -> Result<()> {
        let memo = limited("memo", memo, rules_of(&self.policy)?.entry_memo_max_chars)?;
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            owned(tx, patron, list)?;
            if tx.set_entry_memo(list, title, &memo)? {
                Ok(())
            } else {
                Err(Error::not_found(Entity::Title, title.get()))
            }
        })
    }

    /// Copies entries (with their memos) into another list (kanagawa, R-B2). Refused whole if
    /// any title is already there or the target would pass its cap.
    ///
    /// # Errors
    ///
    /// - `NotFound`: a list does not exist or is another patron's.
    /// - `Refused`: the target list would be over its limit.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copy_entries(
        &mut self,
        patron: PatronId,
        from: BooklistId,
        to: BooklistId,
        titles: &[TitleId],
    ) -> Result<()> {
        self.transfer(patron, from, to, titles, false)
    }

    /// Moves entries (with their memos) into another list (kanagawa, R-B2); all or nothing.
    ///
    /// # Errors
    ///
    /// - `NotFound`: a list does not exist or is another patron's.
    /// - `Refused`: the target list would be over its limit.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn move_entries(
        &mut self,
        patron: PatronId,
        from: BooklistId,
        to: BooklistId,
        titles: &[TitleId],
    ) -> Result<()> {
        self.transfer(patron, from, to, titles, true)
    }

    fn transfer(
        &mut self,
        patron: PatronId,
        from: BooklistId,
        to: BooklistId,
        titles: &[TitleId],
        remove: bool,
    ) -> Result<()> {
        let rules = rules_of(&self.policy)?;
        if !rules.copy_move {
            return Err(Refusal::one(Reason::NotOffered).into());
        }
        if from == to {
            return Err(Error::InvalidInput { field: "to", reason: "choose a different list".into() });
        }
        let today = self.today();
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            owned(tx, patron, from)?;
            owned(tx, patron, to)?;
            room_for(tx, rules, to, titles)?;
            for &title in titles {
                let (memo, _) = tx.entry_of(from, title)?.ok_or(Error::not_found(Entity::Title, title.get()))?;
                tx.insert_entry(to, title, &memo, today)?;
                if remove {
                    tx.delete_entry(from, title)?;
                }
            }
            Ok(())
        })
    }

    /// Puts a list's entries in the given order; every entry must be named once.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `InvalidInput`: `order` is not the list's titles, each once.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn reorder_booklist(&mut self, patron: PatronId, list: BooklistId, order: &[TitleId]) -> Result<()> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::Booklists };
        self.store.write(|tx| {
            gate.patron(tx, patron)?;
            owned(tx, patron, list)?;
            let mut current: Vec<TitleId> = tx.entries_of(list)?.into_iter().map(|e| e.title).collect();
            let mut wanted = order.to_vec();
            current.sort();
            wanted.sort();
            if current != wanted {
                return Err(Error::InvalidInput {
                    field: "order",
                    reason: "name every entry of the list exactly once".into(),
                });
            }
            for (i, &title) in order.iter().enumerate() {
                tx.set_entry_position(list, title, i as i64 + 1)?;
            }
            Ok(())
        })
    }

    /// The list as CSV (R-B3, fukushima): one row per entry, header first; with `bom` a UTF-8
    /// byte-order mark so Excel on Japanese Windows opens it correctly.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such list, or it is another patron's.
    /// - `Refused`: lists not offered, or the patron may not use them now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn export_booklist_csv(&self, patron: PatronId, list: BooklistId, bom: bool) -> Result<Vec<u8>> {
        if !rules_of(&self.policy)?.csv_export {
            return Err(Refusal::one(Reason::NotOffered).into());
        }
        let entries = self.booklist_entries(patron, list)?;
        super::booklist_csv(&entries, bom)
    }

    /// Deletes one entry of the patron's own reading history (R-R1).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn delete_history_entry(&mut self, patron: PatronId, entry: i64) -> Result<bool> {
        self.store.write(|tx| tx.delete_history_entry(patron, entry))
    }

    /// Deletes the patron's whole reading history but stays opted in; returns how many entries.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn clear_reading_history(&mut self, patron: PatronId) -> Result<u32> {
        self.store.write(|tx| tx.clear_history(patron))
    }

    /// Sets a reading goal (R-R2, chikushino): `target` books from `starts_on` to `ends_on`,
    /// a span of at most the policy's `reading.goal_max_days`.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed target or period.
    /// - `Refused` (`NotOffered`): the library offers no reading goals.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_reading_goal(
        &mut self,
        patron: PatronId,
        starts_on: chrono::NaiveDate,
        ends_on: chrono::NaiveDate,
        target: u32,
    ) -> Result<GoalId> {
        if !self.policy.reading.goals_offered {
            return Err(Refusal::one(Reason::NotOffered).into());
        }
        check_date("starts_on", starts_on)?;
        check_date("ends_on", ends_on)?;
        if starts_on > ends_on || target == 0 || target > 10_000 {
            return Err(Error::InvalidInput {
                field: "goal",
                reason: "the period must not end before it starts, and 1–10000 books".into(),
            });
        }
        let (span, max) = ((ends_on - starts_on).num_days() + 1, self.policy.reading.goal_max_days);
        if span > i64::from(max) {
            return Err(Error::InvalidInput {
                field: "ends_on",
                reason: format!("the goal spans {span} days, at most {max} allowed"),
            });
        }
        self.store.write(|tx| {
            patron_in(tx, patron)?;
            tx.insert_goal(patron, starts_on, ends_on, target)
        })
    }

    /// The patron's reading goals.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn reading_goals(&self, patron: PatronId) -> Result<Vec<ReadingGoal>> {
        self.store.read(|tx| tx.goals_of(patron))
    }

    /// Deletes a reading goal; `false` if there was none.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn delete_reading_goal(&mut self, patron: PatronId, goal: GoalId) -> Result<bool> {
        self.store.write(|tx| tx.delete_goal(patron, goal))
    }

    /// Progress toward a goal, per week or month, cumulative against the target line (R-R2).
    /// Books count from the reading history if the patron opted in, and from current loans.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such goal, or it is another patron's.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn reading_goal_progress(&self, patron: PatronId, goal: GoalId, by: Granularity) -> Result<GoalProgress> {
        self.store.read(|tx| {
            let g = tx
                .goals_of(patron)?
                .into_iter()
                .find(|g| g.id == goal)
                .ok_or(Error::not_found(Entity::Patron, goal.0))?;
            let days = tx.borrow_days(patron, g.starts_on, g.ends_on)?;
            Ok(goal_progress(&g, &days, by))
        })
    }
}

fn rules_of(policy: &crate::Policy) -> Result<&BooklistRules> {
    let rules = &policy.booklists;
    if rules.offered { Ok(rules) } else { Err(Refusal::one(Reason::NotOffered).into()) }
}

/// Makes a list inside the caller's transaction, within the cap and with a unique name.
fn new_list(
    tx: &Tx<'_>,
    rules: &BooklistRules,
    patron: PatronId,
    name: &str,
    memo: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<BooklistId> {
    let mut reasons = Vec::new();
    if tx.count_lists(patron)? >= rules.max_lists {
        reasons.push(Reason::ListLimitReached { limit: rules.max_lists });
    }
    if tx.list_name_taken(patron, name)? {
        reasons.push(Reason::ListNameTaken);
    }
    Refusal::check(reasons, ())?;
    tx.insert_list(patron, name, memo, now)
}

/// Refuses unless `titles` all fit into `list`: none already there, cap not passed.
fn room_for(tx: &Tx<'_>, rules: &BooklistRules, list: BooklistId, titles: &[TitleId]) -> Result<()> {
    let mut reasons = Vec::new();
    let mut distinct = titles.to_vec();
    distinct.sort();
    distinct.dedup();
    if distinct.len() != titles.len() {
        reasons.push(Reason::AlreadyInList);
    } else {
        for &t in titles {
            if tx.entry_of(list, t)?.is_some() {
                reasons.push(Reason::AlreadyInList);
                break;
            }
        }
    }
    if tx.count_entries(list)? as usize + titles.len() > rules.max_entries as usize {
        reasons.push(Reason::ListFull { limit: rules.max_entries });
    }
    Ok(Refusal::check(reasons, ())?)
}

fn owned(tx: &Tx<'_>, patron: PatronId, list: BooklistId) -> Result<()> {
    if tx.owns_list(patron, list)? {
        Ok(())
    } else {
        Err(Error::NotFound { entity: Entity::Booklist, key: list.get().to_string() })
    }
}

fn list_name(rules: &BooklistRules, name: &str) -> Result<String> {
    let name = clean_text("name", name, true)?;
    limited("name", &name, rules.name_max_chars)
}

/// Trims `value` and checks it against a cap counted in characters (Japanese text).
fn limited(field: &'static str, value: &str, max: u32) -> Result<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n > max as usize {
        return Err(Error::InvalidInput { field, reason: format!("{n} characters, at most {max} allowed") });
    }
    if let Some(c) = v.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
        return Err(Error::InvalidInput {
            field,
            reason: format!("contains the control character U+{:04X}", c as u32),
        });
    }
    Ok(v.to_owned())
}
