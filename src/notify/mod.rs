//! Notifications as rows of a transactional outbox: written in the same transaction as the
//! change they announce, drained and delivered by the host (`pending_notices` /
//! `mark_delivered`). The engine never sends anything itself.

mod render;

pub use render::{NoticeText, render};

use chrono::{DateTime, NaiveDate, Utc};

use crate::holds::HoldId;
use crate::patrons::PatronId;
use crate::policy::ContactMethod;

/// Identifies a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NoticeId(pub(crate) i64);

impl NoticeId {
    /// The stored integer id.
    pub fn get(self) -> i64 {
        self.0
    }
}

/// What a notice announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NoticeKind {
    /// A hold was placed (optional confirmation, fukushima, R-H11).
    HoldPlaced,
    /// A copy is on the hold shelf until the pickup deadline (R-H11).
    HoldReady,
    /// A copy was secured at another branch and is on its way (他館確保, R-H6).
    HoldInTransit,
    /// A copy was dispatched to a partner library and the loan started (R-H12).
    HoldDispatched,
    /// The pickup deadline passed and the hold was cancelled (R-H9).
    HoldExpired,
    /// Staff cancelled or rejected the hold.
    HoldCancelled,
}

/// The facts a notice is rendered from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeFacts {
    /// Library display name.
    pub library: String,
    /// Patron's name.
    pub patron_name: String,
    /// Title of the item.
    pub title: String,
    /// Pickup location display name.
    pub pickup: String,
    /// Pickup deadline, for ready notices.
    pub pickup_deadline: Option<NaiveDate>,
    /// Expected arrival, for in-transit notices.
    pub arrives_on: Option<NaiveDate>,
    /// Due date, for dispatch notices.
    pub due_on: Option<NaiveDate>,
    /// Why a hold ended, for cancellations.
    pub reason: Option<String>,
}

/// A notice in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// Its id, for `mark_delivered`.
    pub id: NoticeId,
    /// Who it is for.
    pub patron: Option<PatronId>,
    /// What it announces.
    pub kind: NoticeKind,
    /// How to deliver it.
    pub channel: ContactMethod,
    /// Where: an e-mail address or phone number; none for post (use the patron's address).
    pub address: Option<String>,
    /// The hold it is about, while that hold exists.
    pub hold: Option<HoldId>,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// When it was written.
    pub created_at: DateTime<Utc>,
}
