//! Staff operations with an audit trail (#17): renewing on a patron's behalf, overriding a
//! refusal by naming the reasons overridden, editing a copy's flags, and marking a copy lost,
//! damaged or withdrawn (and available again).
//!
//! Every operation writes one [`AuditEntry`] in its own transaction. Privacy (R-R1): an entry
//! names the patron, loan, hold and copy only while the loan or hold is live; the transaction
//! that returns the loan or ends the hold strips it to when, who, what and which reasons were
//! overridden. This module writes no SQL.

mod ops;

use chrono::{DateTime, Utc};

use crate::catalog::CopyId;
use crate::circulation::LoanId;
use crate::holds::HoldId;
use crate::patrons::PatronId;
use crate::policy::Override;

crate::id::define_id! {
    /// Identifies an audit entry.
    AuditId, "audit entry id"
}

/// Who acts, and why: the staff member's id (as the host knows its staff; 1 to 64 characters)
/// and an optional note (at most 1,000 characters), both stored in the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct StaffActor {
    /// The staff member's id.
    pub staff: String,
    /// Why, in the staff member's words. Stripped from the log with the patron (R-R1).
    pub note: Option<String>,
}

impl StaffActor {
    /// Staff member `staff`, without a note.
    pub fn new(staff: impl Into<String>) -> Self {
        Self { staff: staff.into(), note: None }
    }

    /// With a note.
    #[must_use]
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// A copy's condition as staff set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum CopyCondition {
    /// 紛失: cannot be found (status [`Missing`](crate::catalog::CopyStatus::Missing)). Marking a
    /// copy on loan lost closes the loan.
    Lost,
    /// 破損: out of circulation until repaired (status
    /// [`Withdrawn`](crate::catalog::CopyStatus::Withdrawn)).
    Damaged,
    /// 除籍: removed from the collection for good (status
    /// [`Withdrawn`](crate::catalog::CopyStatus::Withdrawn)).
    Withdrawn,
}

/// Changes to a copy's flags; `None` leaves a flag as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CopyEdit {
    /// May be lent (false for 持出禁止).
    pub loanable: Option<bool>,
    /// Borrowed from another library (相互貸借).
    pub interlibrary: Option<bool>,
    /// The owning branch: one of the library's own, not a partner.
    pub branch: Option<String>,
    /// The material kind: one of the policy's `[materials]`.
    pub material_kind: Option<String>,
}

/// What marking a copy did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CopyMarked {
    /// The loan closed because the copy was lost while lent, and its borrower, for the desk:
    /// the loan is deleted as a return is (R-R1), and nothing stored names the borrower.
    pub closed_loan: Option<(LoanId, PatronId)>,
    /// The closed loan was cancelled, not lost by its borrower: the copy never reached them
    /// ([`Library::mark_lost_on_the_way`](crate::Library::mark_lost_on_the_way)). A host that
    /// bills borrowers for lost copies bills nobody for this one.
    pub loan_cancelled: bool,
    /// The hold the copy was assigned to (in transit, or ready on the hold shelf): it is back in
    /// the queue at its old place, and the next copy on a shelf appears for it on the pull list.
    /// For a copy staff report lost on its way to a partner library's pickup
    /// ([`Library::mark_lost_on_the_way`](crate::Library::mark_lost_on_the_way); its loan
    /// started at dispatch, R-H12), the hold it was dispatched for, back as it was: same id,
    /// place in the queue, pickup and contact.
    pub requeued: Option<HoldId>,
}

/// What a staff member did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum AuditAction {
    /// Renewed a loan on the patron's behalf.
    Renewal,
    /// Lent a copy overriding a refusal.
    OverrideCheckout,
    /// Renewed a loan overriding a refusal.
    OverrideRenewal,
    /// Placed a hold overriding a refusal.
    OverrideHold,
    /// Edited a copy's flags.
    CopyEdited,
    /// Marked a copy lost.
    CopyLost,
    /// Marked a copy damaged.
    CopyDamaged,
    /// Withdrew a copy.
    CopyWithdrawn,
    /// Put a lost or damaged copy back into circulation.
    CopyAvailable,
    /// Froze a queued hold (the detail says until when).
    HoldFrozen,
    /// Lifted a hold's freeze.
    HoldUnfrozen,
}

/// One row of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct AuditEntry {
    /// Its id, in the order written.
    pub id: AuditId,
    /// When.
    pub at: DateTime<Utc>,
    /// The staff member.
    pub staff: String,
    /// What they did.
    pub action: AuditAction,
    /// The reasons overridden, if any.
    pub overridden: Vec<Override>,
    /// Staff's note; empty once stripped.
    pub note: String,
    /// What a copy action changed, or until when a hold was frozen, in words; never a patron,
    /// so it stays when the row is stripped.
    pub detail: String,
    /// The patron, while the loan or hold is live.
    pub patron: Option<PatronId>,
    /// The loan, while it is open.
    pub loan: Option<LoanId>,
    /// The hold, while it is active.
    pub hold: Option<HoldId>,
    /// The copy: kept for copy actions; for a loan's or a hold's, only while it is live.
    pub copy: Option<CopyId>,
}
