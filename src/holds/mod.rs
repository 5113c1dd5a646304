//! Holds: the cart, placing with eligibility and limits, the ordered queue per title, copy
//! assignment on check-in and arrival, transit, the hold shelf, expiry, change and cancel.
//!
//! Decisions are pure functions in `policy`; this module gathers facts, writes through `store`
//! and enqueues notices in the same transaction. It writes no SQL.

mod ops;
mod target;
pub use ops::{PULL_CHUNK_BUDGET, PULL_CHUNK_COPIES, PULL_CHUNK_PAUSE};
pub(crate) use ops::{contact_facts, place_one, request_in};
pub(crate) mod route;

use chrono::{DateTime, NaiveDate, Utc};

use crate::catalog::{CopyId, TitleId};
use crate::patrons::PatronId;
use crate::policy::{Channel, ContactMethod, HoldActions, HoldStage};

crate::id::define_id! {
    /// Identifies a hold.
    HoldId, "hold id"
}

/// A hold's stored status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum HoldStatus {
    /// 仮予約: a web hold waiting for staff approval (chiba, R-H5).
    PendingApproval,
    /// 予約中: in the queue.
    Waiting,
    /// 他館確保 / 回送中: a copy is assigned and on its way to the pickup branch.
    InTransit,
    /// 利用可能 / 取置中: on the hold shelf until the pickup deadline.
    Ready,
    /// 取消: cancelled by the patron or staff.
    Cancelled,
    /// 期限切れ: not collected by the pickup deadline (R-H9).
    Expired,
}

/// What the patron sees (R-H7). A copy being assigned is 予約割当済 at chikushino: any of
/// `InTransit`, `Ready` or `Notified`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum HoldState {
    /// 仮予約 / 承認待ち.
    PendingApproval,
    /// 予約中.
    Waiting,
    /// 他館確保: secured at another branch, in transit.
    InTransit,
    /// 利用可能 / 貸出可能: on the hold shelf.
    Ready,
    /// 連絡済み: on the hold shelf and the patron was told.
    Notified,
    /// 取消.
    Cancelled,
    /// 期限切れ.
    Expired,
}

/// A stored hold.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Hold {
    /// Its id.
    pub id: HoldId,
    /// Who placed it.
    pub patron: PatronId,
    /// The title held.
    pub title: TitleId,
    /// The title's name.
    pub title_text: String,
    /// Material kind it counts under for limits.
    pub material_kind: String,
    /// How it was placed.
    pub channel: Channel,
    /// Status.
    pub status: HoldStatus,
    /// Queue priority; lower goes first, then placing time, then id.
    pub priority: i64,
    /// When it was placed.
    pub placed_at: DateTime<Utc>,
    /// Pickup branch code.
    pub pickup: String,
    /// Pickup point within the branch.
    pub pickup_point: Option<String>,
    /// Contact method for the ready notice.
    pub contact: ContactMethod,
    /// The phone number fixed when the hold was placed (R-C4).
    pub contact_phone: Option<String>,
    /// An interlibrary-loan hold (相貸).
    pub interlibrary: bool,
    /// The copy assigned, while in transit or ready.
    pub copy: Option<CopyId>,
    /// Expected arrival at the pickup branch, while in transit.
    pub arrives_on: Option<NaiveDate>,
    /// The day it became ready.
    pub ready_on: Option<NaiveDate>,
    /// Last day on the hold shelf (取置期限).
    pub pickup_deadline: Option<NaiveDate>,
    /// The ready notice was delivered.
    pub notified: bool,
    /// The day it was cancelled or expired.
    pub ended_on: Option<NaiveDate>,
    /// Why it ended.
    pub end_reason: Option<String>,
    /// Hidden by the patron.
    pub hidden: bool,
    /// Frozen (予約の一時停止; Koha "suspended") by the patron or staff: it keeps its place in the queue and counts
    /// toward limits, but no copy is assigned to it while the freeze lasts (#17). See
    /// [`Hold::is_frozen_on`].
    pub frozen: bool,
    /// With `frozen`, the day the hold is active again (the thaw date); `None`: frozen until
    /// lifted.
    pub frozen_until: Option<NaiveDate>,
}

impl Hold {
    /// The state a patron sees.
    #[must_use]
    pub fn state(&self) -> HoldState {
        match self.status {
            HoldStatus::PendingApproval => HoldState::PendingApproval,
            HoldStatus::Waiting => HoldState::Waiting,
            HoldStatus::InTransit => HoldState::InTransit,
            HoldStatus::Ready if self.notified => HoldState::Notified,
            HoldStatus::Ready => HoldState::Ready,
            HoldStatus::Cancelled => HoldState::Cancelled,
            HoldStatus::Expired => HoldState::Expired,
        }
    }

    /// The stage a policy rule can name; `None` once it ended.
    #[must_use]
    pub fn stage(&self) -> Option<HoldStage> {
        match self.state() {
            HoldState::PendingApproval => Some(HoldStage::PendingApproval),
            HoldState::Waiting => Some(HoldStage::Waiting),
            HoldState::InTransit => Some(HoldStage::InTransit),
            HoldState::Ready => Some(HoldStage::Ready),
            HoldState::Notified => Some(HoldStage::Notified),
            HoldState::Cancelled | HoldState::Expired => None,
        }
    }

    /// Whether the hold is frozen on `day`: frozen, and `day` is before its thaw date (or it has
    /// none). A freeze whose date has come is over without any job running.
    #[must_use]
    pub fn is_frozen_on(&self, day: NaiveDate) -> bool {
        self.frozen && self.frozen_until.is_none_or(|until| day < until)
    }

    /// Whether it is still in play (not cancelled or expired).
    #[must_use]
    pub fn is_active(&self) -> bool {
        !matches!(self.status, HoldStatus::Cancelled | HoldStatus::Expired)
    }
}

/// One line of the patron's holds list (R-O2).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct HoldView {
    /// The hold.
    pub hold: Hold,
    /// What the patron sees.
    pub state: HoldState,
    /// Place in the queue ("you are 3rd"), while queued.
    pub queue_position: Option<u32>,
    /// Frozen today ([`Hold::is_frozen_on`]): no copy is assigned to it until the freeze ends.
    pub frozen: bool,
    /// While queued, the day a copy is expected to be free for it, by the model of
    /// [`wait_estimate`](crate::policy::wait_estimate) (the copies' due dates, the renewal rules,
    /// the holds ahead and their freezes); `None` when no copy can fill it or it is frozen until
    /// lifted. An estimate, not a promise: transit and time on the hold shelf are not counted.
    pub estimated_available_on: Option<NaiveDate>,
    /// What the patron may do with it now, or why not (R-H8): the decision `cancel_hold` and
    /// `change_hold` make.
    pub actions: HoldActions,
}

/// A title in a patron's cart.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct CartItem {
    /// The title.
    pub title: TitleId,
    /// Its name.
    pub title_text: String,
    /// Its author.
    pub author: String,
    /// When it was added.
    pub added_at: DateTime<Utc>,
}

/// How and where a hold is to be collected.
///
/// Read from JSON it is always the patron's own web request: `channel` and `interlibrary` are
/// staff decisions, so deserializing ignores them (a patron cannot send `"channel":
/// "counter"` past the approval rule); a staff tool sets them in code ([`HoldRequest::at_counter`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HoldRequest {
    /// Pickup branch code; `None` uses the patron's default pickup branch (R-C5).
    pub pickup: Option<String>,
    /// Pickup point within the branch (fukushima's municipal libraries, R-H4).
    pub pickup_point: Option<String>,
    /// Contact method for the ready notice (R-C3).
    pub contact: ContactMethod,
    /// Web (by the patron) or counter (by staff); not read from JSON (always web there).
    #[cfg_attr(feature = "serde", serde(skip_deserializing, default = "web_channel"))]
    pub channel: Channel,
    /// Send a hold-placed confirmation to this registered address (fukushima, R-H11).
    pub confirmation_to: Option<String>,
    /// An interlibrary-loan hold placed by staff (相貸); needs no copy of our own. Not read
    /// from JSON (always `false` there).
    #[cfg_attr(feature = "serde", serde(skip_deserializing))]
    pub interlibrary: bool,
}

#[cfg(feature = "serde")]
fn web_channel() -> Channel {
    Channel::Web
}

impl HoldRequest {
    /// A web hold collected at `pickup`, contact by `contact`.
    pub fn web(pickup: impl Into<String>, contact: ContactMethod) -> Self {
        Self {
            pickup: Some(pickup.into()),
            pickup_point: None,
            contact,
            channel: Channel::Web,
            confirmation_to: None,
            interlibrary: false,
        }
    }

    /// The same request, placed at the counter.
    #[must_use]
    pub fn at_counter(mut self) -> Self {
        self.channel = Channel::Counter;
        self
    }
}

/// A change to a queued hold (R-H8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HoldChange {
    /// New pickup branch and point.
    pub pickup: Option<(String, Option<String>)>,
    /// New contact method.
    pub contact: Option<ContactMethod>,
}

/// An entry of a branch's pull list: a copy on the shelf to set aside for a hold (R-H5).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct PullItem {
    /// The hold it would fill.
    pub hold: HoldId,
    /// The title.
    pub title_text: String,
    /// The copy to pull.
    pub barcode: String,
    /// Where the hold is to be collected.
    pub pickup: String,
}

/// What [`Library::retarget_pulls`](crate::Library::retarget_pulls) did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Retargeting {
    /// Holds now asking for another copy: the branch whose pull list shows it, and the entry.
    pub retargeted: Vec<(String, PullItem)>,
    /// Holds whose unconfirmed copy was released with no other copy to ask for; the next pull
    /// list targets them afresh.
    pub released: Vec<HoldId>,
}

/// What an expiry sweep did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ExpirySweep {
    /// Holds expired, in deadline order.
    pub expired: Vec<HoldId>,
    /// Where each released copy went, by barcode.
    pub routes: Vec<(String, crate::circulation::CopyRoute)>,
}
