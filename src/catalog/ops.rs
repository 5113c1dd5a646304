//! Catalogue and calendar operations on [`Library`].

use std::sync::Arc;

use chrono::{Days, NaiveDate};

use super::{
    BranchInfo, CalendarException, Copy, CopyId, NewCopy, NewTitle, OpeningCalendar, SEARCH_HORIZON_DAYS, Title,
    TitleId, check_date, clean_barcode, clean_text,
};
use crate::Library;
use crate::error::{Entity, Error, Result};
use crate::policy::{Policy, Weekday};
use crate::store::Tx;

impl Library {
    /// Every branch and partner pickup library, by code.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn branches(&self) -> Result<Vec<BranchInfo>> {
        self.store.read(|tx| tx.branches())
    }

    /// Adds a bibliographic record.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a field is malformed (e.g. the ISBN, an over-long text).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn add_title(&mut self, title: NewTitle) -> Result<TitleId> {
        let title = title.validated()?;
        self.store.write(|tx| tx.insert_title(&title))
    }

    /// A bibliographic record by id.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such title.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn title(&self, id: TitleId) -> Result<Title> {
        self.store
            .read(|tx| tx.title(id))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Title, key: id.get().to_string() })
    }

    /// Adds a copy. The barcode must be new, the title must exist, the branch must be one of the
    /// library's own (not a partner) and the material kind one of the policy's.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such title or branch.
    /// - `InvalidInput`: a malformed field or an unknown category.
    /// - `Conflict`: the barcode is taken.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn add_copy(&mut self, copy: NewCopy) -> Result<CopyId> {
        let mut copy = copy;
        copy.barcode = clean_barcode(&copy.barcode)?;
        let branch = self.require_branch(&copy.branch)?;
        if branch.partner {
            return Err(Error::InvalidInput {
                field: "branch",
                reason: format!("`{}` is a partner library and holds no copies", copy.branch),
            });
        }
        if self.policy.material(&copy.material_kind).is_none() {
            let known: Vec<&str> = self.policy.materials.keys().map(String::as_str).collect();
            return Err(Error::InvalidInput {
                field: "material_kind",
                reason: format!("`{}` is not in the policy; known kinds: {}", copy.material_kind, known.join(", ")),
            });
        }
        let since = check_date("available_since", copy.available_since.unwrap_or_else(|| self.today()))?;
        self.store.write(|tx| {
            if tx.title(copy.title)?.is_none() {
                return Err(Error::NotFound { entity: Entity::Title, key: copy.title.get().to_string() });
            }
            tx.insert_copy(&copy, since)
        })
    }

    /// A copy by id.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such copy.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copy(&self, id: CopyId) -> Result<Copy> {
        self.store
            .read(|tx| tx.copy(id))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: id.get().to_string() })
    }

    /// A copy by barcode.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no copy has this barcode.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copy_by_barcode(&self, barcode: &str) -> Result<Copy> {
        self.store
            .read(|tx| tx.copy_by_barcode(barcode.trim()))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Copy, key: barcode.to_owned() })
    }

    /// Every copy of a title.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such title.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn copies_of(&self, title: TitleId) -> Result<Vec<Copy>> {
        self.title(title)?;
        self.store.read(|tx| tx.copies_of(title))
    }

    /// Sets the weekdays `branch` is regularly closed (e.g. Mondays), replacing the old set.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_closed_weekdays(&mut self, branch: &str, days: &[Weekday]) -> Result<()> {
        self.require_branch(branch)?;
        self.store.write(|tx| tx.set_closed_weekdays(branch, days))
    }

    /// Closes `branch` on `day` (holiday, stocktaking), whatever its weekly pattern says.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years, or a malformed note.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn close_on(&mut self, branch: &str, day: NaiveDate, note: &str) -> Result<()> {
        self.set_exception(branch, day, CalendarException::Closed, note)
    }

    /// Opens `branch` on `day` (臨時開館), whatever its weekly pattern says.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years, or a malformed note.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn open_specially_on(&mut self, branch: &str, day: NaiveDate, note: &str) -> Result<()> {
        self.set_exception(branch, day, CalendarException::SpecialOpening, note)
    }

    fn set_exception(&mut self, branch: &str, day: NaiveDate, exception: CalendarException, note: &str) -> Result<()> {
        self.require_branch(branch)?;
        check_date("day", day)?;
        let note = clean_text("note", note, false)?;
        self.store.write(|tx| tx.set_calendar_exception(branch, day, exception, &note))
    }

    /// Returns `day` to the weekly pattern; `false` if it had no exception.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn clear_calendar_exception(&mut self, branch: &str, day: NaiveDate) -> Result<bool> {
        self.require_branch(branch)?;
        check_date("day", day)?;
        self.store.write(|tx| tx.clear_calendar_exception(branch, day))
    }

    /// The branch's calendar from `from` to the search horizon (ten years on).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn opening_calendar(&self, branch: &str, from: NaiveDate) -> Result<OpeningCalendar> {
        self.require_branch(branch)?;
        check_date("day", from)?;
        self.store.read(|tx| calendar_in(tx, &self.policy, branch, from)).map(Arc::unwrap_or_clone)
    }

    /// Whether `branch` is open on `day`.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn is_open(&self, branch: &str, day: NaiveDate) -> Result<bool> {
        Ok(self.opening_calendar(branch, day)?.is_open(day))
    }

    /// The first day on or after `day` that `branch` is open.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years (or no open day before their end).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn next_open_day(&self, branch: &str, day: NaiveDate) -> Result<NaiveDate> {
        self.opening_calendar(branch, day)?.next_open_day(day).ok_or_else(|| no_open_day(branch, day))
    }

    /// The `n`-th day after `day` (not counting `day`) that `branch` is open.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such branch.
    /// - `InvalidInput`: a date outside the supported years (or no such open day before their end).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn nth_open_day_after(&self, branch: &str, day: NaiveDate, n: u32) -> Result<NaiveDate> {
        self.opening_calendar(branch, day)?.nth_open_day_after(day, n).ok_or_else(|| no_open_day(branch, day))
    }
}

/// A branch's calendar from `from` to the search horizon, read in an open transaction: the
/// policy's rules for the branch, the weekdays closed through the API added to the policy's,
/// and the dated exceptions from the database, which win over every rule. Exceptions from a
/// few weeks before `from` are read too, since a holiday's closure can move past `from`.
///
/// Kept per handle (the policy is fixed per handle) and built again only when a calendar
/// changed, through any handle: see `Tx::cached_calendar`.
pub(crate) fn calendar_in(tx: &Tx<'_>, policy: &Policy, branch: &str, from: NaiveDate) -> Result<Arc<OpeningCalendar>> {
    tx.cached_calendar((branch, from), || {
        let until = from.checked_add_days(Days::new(SEARCH_HORIZON_DAYS)).unwrap_or(NaiveDate::MAX);
        let since = from.checked_sub_days(Days::new(LOOKBACK_DAYS)).unwrap_or(from);
        let stored = tx.opening_calendar(branch, since, until)?;
        let mut cal = OpeningCalendar::with_rules(policy.calendar(branch).clone());
        cal.close_weekdays(&stored.closed_weekdays());
        for (day, exception) in stored.exceptions() {
            cal.set_exception(day, exception);
        }
        Ok(cal)
    })
}

/// How far before `from` [`calendar_in`] reads dated exceptions.
const LOOKBACK_DAYS: u64 = 31;

/// The error for a branch whose calendar has no (such) open day within the search horizon:
/// lending, routing and calendar queries refuse rather than give a date on a closed day.
pub(crate) fn no_open_day(branch: &str, day: NaiveDate) -> Error {
    Error::InvalidInput {
        field: "calendar",
        reason: format!("branch `{branch}` has no such open day within ten years of {day}"),
    }
}
