//! Circulation: checkout, check-in, renewal, overdue, dispatch loans and opt-in reading history.
//!
//! Each operation gathers facts from `store`, asks a pure decision in `policy`, and writes the
//! result in the same transaction. This module writes no SQL.

mod ops;

pub(crate) use ops::{copy_by_barcode, lend_in, renewal_overriding, start_loan};

use chrono::NaiveDate;

use crate::catalog::{CopyId, TitleId};
use crate::patrons::PatronId;
use crate::policy::Refusal;

crate::id::define_id! {
    /// Identifies a loan.
    LoanId, "loan id"
}

/// Where a loan is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum LoanStatus {
    /// Dispatched to a partner pickup library; the loan period already runs (R-H12).
    InTransit,
    /// With the patron (貸出中).
    Active,
    /// Returned (返却済). No loan has it: check-in deletes the loan (R-R1).
    #[deprecated(note = "check-in deletes the loan (R-R1), so no loan is ever returned")]
    Returned,
}

/// An open loan as the patron and staff see it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Loan {
    /// Its id.
    pub id: LoanId,
    /// The copy lent.
    pub copy: CopyId,
    /// The copy's barcode.
    pub barcode: String,
    /// The title lent.
    pub title: TitleId,
    /// The title's name.
    pub title_text: String,
    /// The borrower (always present: a returned loan is deleted).
    pub patron: Option<PatronId>,
    /// The branch that lent it (or the pickup library of a dispatch loan).
    pub branch: String,
    /// Status.
    pub status: LoanStatus,
    /// The day the loan started.
    pub checked_out_on: NaiveDate,
    /// The due date (返却期限).
    pub due_on: NaiveDate,
    /// Times renewed.
    pub renewals: u32,
    /// The copy was borrowed from another library (相互貸借).
    pub interlibrary: bool,
    /// The copy's material kind.
    pub material_kind: String,
}

impl Loan {
    /// Days past the due date on `today`; 0 when not overdue.
    #[must_use]
    pub fn days_overdue(&self, today: NaiveDate) -> u32 {
        u32::try_from((today - self.due_on).num_days()).unwrap_or(0)
    }
}

/// One line of a patron's "My Library" loans list (R-L1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct LoanView {
    /// The loan.
    pub loan: Loan,
    /// Days past due today; 0 when not overdue.
    pub days_overdue: u32,
    /// Whether a renewal today would succeed and the due date it would give, or why not (R-L4).
    /// As JSON: `{"allowed": true, "due_on": "2026-06-05"}` or `{"allowed": false, "reasons":
    /// [...]}`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::renewal"))]
    pub renewal: Result<NaiveDate, Refusal>,
}

/// What happened to a copy at check-in, on arrival, when pulled or when released.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "route", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum CopyRoute {
    /// Back on the shelf here.
    Shelved,
    /// Sent on to its home branch.
    InTransit {
        /// Destination branch.
        to: String,
    },
    /// Put on the hold shelf here for the next hold in the queue (R-H9).
    HeldForPickup {
        /// The hold it fills.
        hold: crate::holds::HoldId,
        /// Last day it waits (取置期限).
        deadline: NaiveDate,
    },
    /// Assigned to the next hold and sent to its pickup branch on the next delivery (R-H6).
    InTransitForHold {
        /// The hold it fills.
        hold: crate::holds::HoldId,
        /// Pickup branch.
        to: String,
        /// Expected arrival: the next delivery day.
        arrives_on: NaiveDate,
    },
    /// Dispatched to a partner pickup library; the loan started now (R-H12).
    DispatchedOnLoan {
        /// The loan that started.
        loan: LoanId,
        /// The partner library.
        to: String,
    },
}

/// The result of a check-in.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CheckIn {
    /// The loan that was closed (and deleted; its id is never given to another loan).
    pub loan: LoanId,
    /// The patron who had it, for the desk's screen; the loan itself is deleted (R-R1).
    pub patron: PatronId,
    /// Days it came back late; 0 when on time. Told to the desk, not stored.
    pub days_overdue: u32,
    /// Where the copy goes next.
    pub route: CopyRoute,
}

/// One entry of a patron's reading history (R-R1).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HistoryEntry {
    /// The entry's id, for deleting it.
    pub id: i64,
    /// The title borrowed.
    pub title: TitleId,
    /// Its name.
    pub title_text: String,
    /// Its author.
    pub author: String,
    /// The day it was borrowed.
    pub checked_out_on: NaiveDate,
    /// The day it came back, if it has.
    pub returned_on: Option<NaiveDate>,
}

/// Checkouts and returns on one day, library-wide: anonymous counts, kept per day at checkout
/// and check-in; nothing links them to a patron, a copy or a title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DailyCirculation {
    /// The day.
    pub day: NaiveDate,
    /// Loans started.
    pub checkouts: u32,
    /// Loans returned.
    pub returns: u32,
}
