//! Pure hold decisions: eligibility and limits, contact methods, delivery days, deadlines.

use std::collections::BTreeSet;

use chrono::{Datelike, Days, NaiveDate};

use super::model::{ChannelNeeds, ContactMethod, HoldStage, Policy, SerialIssues};
use super::refusal::{Reason, Refusal};
use std::collections::BTreeMap;

use super::rules::Rules;
use crate::catalog::{CopyStatus, OpeningCalendar, SEARCH_HORIZON_DAYS};

/// How a hold reached the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Channel {
    /// Placed by the patron online (provisional at chiba, R-H5).
    Web,
    /// Placed by staff at the counter or by phone.
    Counter,
}

/// A copy of the title, as far as holds care.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldableCopy {
    /// Material kind.
    pub material_kind: String,
    /// The copy's own not-for-loan flag is clear.
    pub loanable: bool,
    /// Where it is.
    pub status: CopyStatus,
    /// The day it became available.
    pub available_since: NaiveDate,
}

/// One of the patron's active holds, for counting limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActiveHold {
    /// Material kind it counts under.
    pub material_kind: String,
    /// How it was placed.
    pub channel: Channel,
}

/// What the patron knows about contacting them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ContactFacts {
    /// The flags the patron is registered with, by code; one the policy no longer declares
    /// satisfies no rule.
    pub flags: BTreeSet<String>,
    /// Has at least one confirmed e-mail address.
    pub has_email: bool,
    /// Has at least one phone number.
    pub has_phone: bool,
}

/// What is known when a patron (or staff) places a hold on a title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldFacts<'a> {
    /// Library-local today.
    pub today: NaiveDate,
    /// The rules in force for the patron's category at the pickup branch, per material kind of
    /// the title's copies.
    pub rules: &'a BTreeMap<String, Rules>,
    /// The same without a kind: what applies before a kind is known.
    pub base_rules: &'a Rules,
    /// How it is placed.
    pub channel: Channel,
    /// The title's copies.
    pub copies: &'a [HoldableCopy],
    /// The patron's active holds (cancelled and expired ones excluded).
    pub active_holds: &'a [ActiveHold],
    /// The title is the latest catalogued issue of a serial run.
    pub latest_issue: bool,
    /// The patron already has an active hold on this title.
    pub already_holding: bool,
    /// The patron has this title on loan.
    pub already_borrowing: bool,
    /// Reasons the account may not place holds (see [`super::account_refusals`]).
    pub account: Vec<Reason>,
    /// The contact method chosen.
    pub contact: ContactMethod,
    /// The patron's contact details.
    pub contact_facts: ContactFacts,
    /// The pickup branch chosen.
    pub pickup: &'a str,
    /// The pickup point within it, if any.
    pub pickup_point: Option<&'a str>,
}

/// Whether a copy can ever fill a hold under `rules` (those of its kind).
#[must_use]
pub fn copy_can_fill_holds(rules: &Rules, loanable: bool, status: CopyStatus) -> bool {
    rules.loanable() && rules.holdable() && loanable && !matches!(status, CopyStatus::Missing | CopyStatus::Withdrawn)
}

/// Decides a hold (R-H2, R-H3, R-H4, R-C3, R-A2, R-A6): the material kind it counts under, or
/// every reason it is refused.
///
/// # Errors
///
/// The [`Refusal`] lists every reason the rules refuse the hold.
pub fn hold_decision(policy: &Policy, f: &HoldFacts<'_>) -> Result<String, Refusal> {
    let (reasons, kind) = hold_outcome(policy, f);
    Refusal::check(reasons, kind)
}

/// [`hold_decision`] as its reasons and the kind the hold counts under when they are
/// overridden (staff, [`super::apply_overrides`]); empty when no copy could fill it.
pub(crate) fn hold_outcome(policy: &Policy, f: &HoldFacts<'_>) -> (Vec<Reason>, String) {
    let mut reasons = f.account.clone();
    let fills =
        |c: &&HoldableCopy| f.rules.get(&c.material_kind).is_some_and(|r| copy_can_fill_holds(r, c.loanable, c.status));
    let holdable: Vec<&HoldableCopy> = f.copies.iter().filter(fills).collect();
    let kind = holdable.first().map(|c| c.material_kind.clone());
    let rules = kind.as_ref().and_then(|k| f.rules.get(k)).unwrap_or(f.base_rules);
    if kind.is_none() {
        reasons.push(Reason::NotHoldable);
    }
    if f.latest_issue && rules.values.latest_issue_loanable == Some(false) {
        // It could never be lent, so a hold would only wait on the shelf until it expired.
        reasons.push(Reason::LatestIssueNotLoanable);
    }
    let first_added = holdable.iter().map(|c| c.available_since).min();
    if let Some(delay) = rules.values.new_title_hold_delay_days.filter(|d| *d > 0)
        && let Some(from) = first_added.and_then(|d| d.checked_add_days(Days::new(u64::from(delay))))
        && f.today < from
    {
        reasons.push(Reason::NewTitleNotYetHoldable { from });
    }
    // chikushino 「貸出中の資料・雑誌の最新号」: items on loan, and the latest issue of a
    // magazine whether or not it is on the shelf.
    let latest_exempt = f.latest_issue && policy.holds.serial_issues == SerialIssues::Latest;
    if f.channel == Channel::Web
        && policy.holds.web_holds_only_when_none_on_shelf
        && !latest_exempt
        && holdable.iter().any(|c| c.status == CopyStatus::OnShelf)
    {
        reasons.push(Reason::AvailableOnShelf);
    }
    if f.already_holding {
        reasons.push(Reason::AlreadyHolding);
    }
    if f.already_borrowing {
        reasons.push(Reason::AlreadyBorrowing);
    }
    reasons.extend(limit_reasons(policy, rules, f.active_holds, kind.as_deref()));
    reasons.extend(pickup_reasons(policy, f.pickup, f.pickup_point));
    reasons.extend(scoped_pickup_reasons(policy, rules, f.pickup));
    reasons.extend(contact_reasons(policy, f.channel, &f.contact, &f.contact_facts));
    (reasons, kind.unwrap_or_default())
}

/// Hold-limit reasons for one more hold of `kind` (R-H3) under `rules` (those of the patron's
/// category, the kind and the pickup branch); cancelled holds are never passed in.
#[must_use]
pub fn limit_reasons(policy: &Policy, rules: &Rules, active: &[ActiveHold], kind: Option<&str>) -> Vec<Reason> {
    let counted: Vec<&ActiveHold> =
        active.iter().filter(|h| policy.holds.counter_holds_count || h.channel == Channel::Web).collect();
    let mut reasons = Vec::new();
    if let Some(total) = rules.totals.hold_limit
        && counted.len() >= total as usize
    {
        reasons.push(Reason::HoldLimitReached { kind: None, limit: total });
    }
    if let Some(kind) = kind
        && let Some(limit) = rules.values.hold_limit
        && counted.iter().filter(|h| h.material_kind == kind).count() >= limit as usize
    {
        reasons.push(Reason::HoldLimitReached { kind: Some(kind.to_owned()), limit });
    }
    reasons
}

/// Why the patron may not cancel a hold online (R-H8): its stage is not one the policy lets
/// patrons cancel in (`None` for an ended hold), or it is an interlibrary-loan hold where the
/// policy forbids that.
#[must_use]
pub fn cancel_reasons(policy: &Policy, stage: Option<HoldStage>, interlibrary: bool) -> Vec<Reason> {
    let mut reasons = Vec::new();
    if !stage.is_some_and(|s| policy.holds.patron_cancellable.contains(&s)) {
        reasons.push(Reason::HoldNotChangeable);
    }
    if interlibrary && !policy.holds.patron_may_cancel_ill {
        reasons.push(Reason::InterlibraryHoldNotCancellable);
    }
    reasons
}

/// Why the patron may not change a hold's pickup location or contact method now (R-H8): the
/// reasons `account` gives for the holds service (an expired card, a temporary password, from
/// [`service_refusals`](super::service_refusals)), then a stage past the queue (`None` for an
/// ended hold). What the change asks for (the new branch, the new method) adds its own reasons
/// in the operation.
#[must_use]
pub fn change_reasons(stage: Option<HoldStage>, account: &[Reason]) -> Vec<Reason> {
    let mut reasons = account.to_vec();
    if !matches!(stage, Some(HoldStage::PendingApproval | HoldStage::Waiting)) {
        reasons.push(Reason::HoldNotChangeable);
    }
    reasons
}

/// What the patron may do with one of their holds now (R-H8), each action allowed or refused
/// with every reason: the answer [`hold_actions`] gives, from the functions the operations ask.
/// As JSON each action is `{"allowed": true}` or `{"allowed": false, "reasons": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct HoldActions {
    /// Cancel it online ([`cancel_reasons`]). Never refused for the account: a patron may
    /// always give a hold back.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::action"))]
    pub cancel: Result<(), Refusal>,
    /// Move it to another pickup branch or point ([`change_reasons`]); the branch asked for may
    /// still be refused (R-H4).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::action"))]
    pub change_pickup: Result<(), Refusal>,
    /// Choose another contact method for the ready notice ([`change_reasons`]); the method asked
    /// for may still be refused (R-C3).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::action"))]
    pub change_contact: Result<(), Refusal>,
    /// Freeze it (suspend it while away, keeping its place), or change the day a freeze ends
    /// ([`freeze_reasons`], #17); the end date asked for may still be refused
    /// (`holds.max_freeze_days`).
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::action"))]
    pub freeze: Result<(), Refusal>,
    /// Lift a freeze ([`freeze_reasons`]); lifting a hold that is not frozen does nothing.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::serde_forms::action"))]
    pub unfreeze: Result<(), Refusal>,
}

/// Why the patron may not freeze a hold, or lift its freeze, now (#17, R-H8): what refuses a
/// change ([`change_reasons`]: the account, a stage past the queue). Only a queued hold, to
/// which no copy is assigned, may be frozen.
#[must_use]
pub fn freeze_reasons(stage: Option<HoldStage>, account: &[Reason]) -> Vec<Reason> {
    change_reasons(stage, account)
}

/// What the patron may do with a hold in `stage` (`None` once ended), an interlibrary-loan
/// hold or not, given the reasons `account` gives for the holds service (R-H8). The
/// operations (`cancel_hold`, `cancel_holds`, `change_hold`, `freeze_hold`, `unfreeze_hold`)
/// refuse exactly when this does,
/// with the same reasons, unless what a change asks for is itself refused.
///
/// # Examples
/// ```
/// use bunko::Policy;
/// use bunko::policy::{HoldStage, Reason, hold_actions};
///
/// // 「タイトルの頭に(相貸)が記載されている資料は取消できません」
/// let chikushino = Policy::preset("chikushino")?;
/// let actions = hold_actions(&chikushino, Some(HoldStage::Waiting), true, &[]);
/// assert_eq!(actions.cancel.unwrap_err().reasons, [Reason::InterlibraryHoldNotCancellable]);
/// assert!(actions.change_pickup.is_ok());
/// # Ok::<(), bunko::Error>(())
/// ```
#[must_use]
pub fn hold_actions(policy: &Policy, stage: Option<HoldStage>, interlibrary: bool, account: &[Reason]) -> HoldActions {
    let change = Refusal::check(change_reasons(stage, account), ());
    let freeze = Refusal::check(freeze_reasons(stage, account), ());
    HoldActions {
        cancel: Refusal::check(cancel_reasons(policy, stage, interlibrary), ()),
        change_pickup: change.clone(),
        change_contact: change,
        freeze: freeze.clone(),
        unfreeze: freeze,
    }
}

/// Pickup-location reasons (R-H4).
#[must_use]
pub fn pickup_reasons(policy: &Policy, pickup: &str, point: Option<&str>) -> Vec<Reason> {
    match policy.branch(pickup) {
        Some(b) if b.pickup => match point {
            Some(p) if !b.pickup_points.iter().any(|pp| pp.code == p) => {
                vec![Reason::PickupNotAllowed { code: p.to_owned() }]
            }
            _ => vec![],
        },
        _ => vec![Reason::PickupNotAllowed { code: pickup.to_owned() }],
    }
}

/// Why `pickup`, a pickup location, is not one `rules` let this patron use (`pickup_branches`,
/// e.g. groups collect only at the central library).
#[must_use]
pub fn scoped_pickup_reasons(policy: &Policy, rules: &Rules, pickup: &str) -> Vec<Reason> {
    match &rules.values.pickup_branches {
        Some(allowed) if !allowed.iter().any(|b| b == pickup) && policy.branch(pickup).is_some_and(|b| b.pickup) => {
            vec![Reason::PickupNotAllowed { code: pickup.to_owned() }]
        }
        _ => vec![],
    }
}

/// Contact-method reasons (R-C3): offered, allowed for this patron (a required flag the policy
/// declares), and reachable by what the method needs (an address, a phone).
#[must_use]
pub fn contact_reasons(policy: &Policy, channel: Channel, method: &ContactMethod, c: &ContactFacts) -> Vec<Reason> {
    let mut reasons = Vec::new();
    match policy.contact.methods.iter().find(|m| m.method == *method) {
        None => reasons.push(Reason::ContactNotOffered { method: method.clone() }),
        Some(rule) => {
            if let Some(flag) = &rule.requires
                && !(c.flags.contains(flag) && policy.flag(flag).is_some())
            {
                reasons.push(Reason::ContactRestricted { method: method.clone(), requires: flag.clone() });
            }
        }
    }
    let needs = policy.contact.needs(method);
    let needs_mail =
        needs == Some(ChannelNeeds::Email) || (channel == Channel::Web && policy.contact.web_holds_require_email);
    if needs_mail && !c.has_email {
        reasons.push(Reason::NoEmailAddress);
    }
    if needs == Some(ChannelNeeds::Phone) && !c.has_phone {
        reasons.push(Reason::NoPhoneNumber);
    }
    reasons
}

/// The day a copy sent today from branch `from` arrives at branch `to` (R-H6): it leaves on
/// the first day, today or later, the van calls at `from`; it arrives on the first day at least
/// `to`'s `transit_days` after that which is one of `to`'s delivery days and open in `calendar`,
/// `to`'s. A branch's delivery days are its own `delivery_weekdays`, else `[delivery]
/// weekdays`, any day when neither names one. `None` when there is none within the horizon.
#[must_use]
pub fn arrival_day(
    policy: &Policy,
    from: &str,
    to: &str,
    today: NaiveDate,
    calendar: &OpeningCalendar,
) -> Option<NaiveDate> {
    let van_days = |code: &str| {
        let own = policy.branch(code).and_then(|b| b.delivery_weekdays.as_ref());
        let days = own.unwrap_or(&policy.delivery.weekdays);
        move |d: &NaiveDate| days.is_empty() || days.contains(&d.weekday().into())
    };
    let days_from =
        |start: NaiveDate| (0..=SEARCH_HORIZON_DAYS).filter_map(move |i| start.checked_add_days(Days::new(i)));
    let leaves = days_from(today).take(7).find(van_days(from))?;
    let transit = policy.branch(to).map_or(1, |b| b.transit_days);
    let earliest = leaves.checked_add_days(Days::new(u64::from(transit)))?;
    let calls = van_days(to);
    days_from(earliest).find(|d| calls(d) && calendar.is_open(*d))
}

/// How well a copy on the shelf at one branch serves a hold picked up at another, if sent
/// today (copy targeting, #17, after Evergreen's hold targeter and Koha's transport cost
/// matrix). Ordered best first: a copy at the pickup branch itself, then the cheapest by the
/// sending branch's `transit_costs`, then the earliest arrival by the delivery calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub struct CopyReach {
    /// The copy is elsewhere than the pickup branch and must travel.
    pub travels: bool,
    /// The sending branch's `transit_costs` entry for the pickup branch; 0 when it names none.
    pub cost: u32,
    /// The day it would be at the pickup branch ([`arrival_day`]); today when it is there.
    pub arrives_on: NaiveDate,
}

/// How a copy on the shelf at `from`, sent today, reaches a hold picked up at `to`, whose
/// opening calendar is `to_calendar`; `None` when it could not arrive within the horizon.
#[must_use]
pub fn copy_reach(
    policy: &Policy,
    from: &str,
    to: &str,
    today: NaiveDate,
    to_calendar: &OpeningCalendar,
) -> Option<CopyReach> {
    if from == to {
        return Some(CopyReach { travels: false, cost: 0, arrives_on: today });
    }
    let cost = policy.branch(from).and_then(|b| b.transit_costs.get(to)).copied().unwrap_or(0);
    let arrives_on = arrival_day(policy, from, to, today, to_calendar)?;
    Some(CopyReach { travels: true, cost, arrives_on })
}

/// The last day a hold that became ready on `ready_on` waits on the hold shelf (取置期限, R-H9):
/// the policy's shelf days after the notice, counting only open days when it says so. `None`
/// when the pickup branch has no open day after `ready_on` within the calendar's horizon (so
/// the hold could never be collected) or the date would pass the calendar's end.
#[must_use]
pub fn pickup_deadline(
    policy: &Policy,
    rules: &Rules,
    ready_on: NaiveDate,
    calendar: &OpeningCalendar,
) -> Option<NaiveDate> {
    let days = rules.values.shelf_days.unwrap_or(policy.holds.shelf_days);
    if policy.holds.shelf_days_skip_closed {
        calendar.nth_open_day_after(ready_on, days)
    } else {
        calendar.nth_open_day_after(ready_on, 1)?;
        ready_on.checked_add_days(Days::new(u64::from(days)))
    }
}
