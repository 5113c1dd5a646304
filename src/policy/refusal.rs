//! Refusals: every reason a request is turned down, as data a caller can match on (R-L4).

use std::fmt;

use chrono::NaiveDate;

use super::model::ContactMethod;
use crate::catalog::CopyStatus;

/// One reason a request is refused.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "reason", rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Reason {
    /// Staff have blocked the account.
    PatronBlocked,
    /// The card expired on this day (R-A6).
    CardExpired {
        /// Last valid day.
        expired_on: NaiveDate,
    },
    /// The card has not been used for the policy's number of years (kanagawa 3, R-A6).
    CardUnused {
        /// Last day it was used.
        last_used_on: NaiveDate,
        /// The policy's limit in years.
        years: u32,
    },
    /// The patron holds overdue items and the policy blocks on that (R-A6).
    HasOverdueLoans {
        /// How many loans are overdue.
        count: u32,
    },
    /// The account still has a counter-issued temporary password (R-A2).
    TemporaryPassword,
    /// The copy is not for loan (持出禁止), by itself or by its material kind (R-H2).
    CopyNotLoanable,
    /// The copy is already lent.
    CopyOnLoan,
    /// The copy is set aside for another patron's hold.
    CopyHeldForAnotherPatron,
    /// The copy is not on the shelf (in transit, missing, withdrawn).
    CopyUnavailable {
        /// Where it is.
        status: CopyStatus,
    },
    /// The copy is not on loan, so it cannot be checked in or renewed.
    NotOnLoan,
    /// This loan is past its due date (R-L3).
    Overdue {
        /// The due date that passed.
        due_on: NaiveDate,
    },
    /// Other loans of the patron are overdue (shizuoka, R-L3).
    AccountHasOverdue {
        /// How many.
        count: u32,
    },
    /// Other patrons are waiting for this title (R-L3).
    HeldByOthers {
        /// How many holds wait.
        holds: u32,
    },
    /// The copy was borrowed from another library (相互貸借, R-L3).
    InterlibraryLoan,
    /// The loan was already renewed as often as the policy allows (R-L2).
    RenewalLimitReached {
        /// The policy's limit.
        limit: u32,
    },
    /// Renewals open only this close to the due date (a policy's "not before N days" rule).
    TooEarlyToRenew {
        /// The first day a renewal is taken.
        opens_on: NaiveDate,
    },
    /// Renewing today would not move the due date later. No guide states this: it is the
    /// engine's own guard against a renewal that shortens or keeps the loan, given only when
    /// no other reason refuses.
    WouldNotExtend {
        /// The current due date.
        due_on: NaiveDate,
        /// What renewing today would give.
        new_due_on: NaiveDate,
    },
    /// The title has no copy that may be held (not for loan, reference, magazines at chiba, ...).
    NotHoldable,
    /// The patron already has as many active holds as allowed (R-H3).
    HoldLimitReached {
        /// The material kind limited, or `None` for the total.
        kind: Option<String>,
        /// The limit.
        limit: u32,
    },
    /// The patron already holds this title.
    AlreadyHolding,
    /// The patron already has this title on loan.
    AlreadyBorrowing,
    /// A copy is on the shelf: web holds are only for items on loan (chikushino, R-H2).
    AvailableOnShelf,
    /// The library does not offer this contact method (R-C3).
    ContactNotOffered {
        /// The method asked for.
        method: ContactMethod,
    },
    /// The contact method is only for patrons registered with a flag (chiba: post, R-C3).
    ContactRestricted {
        /// The method asked for.
        method: ContactMethod,
        /// The code of the flag the patron must be registered with (`[flags.<code>]`).
        requires: String,
    },
    /// Mail (or a channel that needs an address) needs a registered, confirmed e-mail address
    /// (R-C3).
    NoEmailAddress,
    /// Phone contact (phone, voice, fax, or a channel that needs a phone) needs a registered
    /// phone number.
    NoPhoneNumber,
    /// Not a pickup location of this library (R-H4).
    PickupNotAllowed {
        /// The branch or pickup point code asked for.
        code: String,
    },
    /// The hold can no longer be changed or cancelled by the patron (R-H8).
    HoldNotChangeable,
    /// Interlibrary-loan holds cannot be cancelled online (chikushino, R-H8).
    InterlibraryHoldNotCancellable,
    /// The library does not offer this service (booklists, copy/move, CSV, goals, ...).
    NotOffered,
    /// The patron already has as many lists as allowed (R-B1).
    ListLimitReached {
        /// The policy's cap.
        limit: u32,
    },
    /// The list would hold more entries than allowed (R-B1).
    ListFull {
        /// The policy's cap.
        limit: u32,
    },
    /// The title is already in the list.
    AlreadyInList,
    /// The patron already has a list with this name.
    ListNameTaken,
    /// The branch's calendar has no open day within ten years after this day, so no due date
    /// can be given (its calendar needs fixing).
    NoOpenDay {
        /// The day the search started from.
        after: NaiveDate,
    },
    /// The patron already has as many loans as allowed (「図書10冊・AV3点まで」).
    CheckoutLimitReached {
        /// The material kind limited, or `None` for the total.
        kind: Option<String>,
        /// The limit.
        limit: u32,
        /// Loans the patron has now that count toward it.
        count: u32,
    },
    /// The patron may not borrow until this day, inclusive, after returning late
    /// (延滞日数分の貸出停止).
    Suspended {
        /// The last day of the suspension.
        until: NaiveDate,
    },
    /// The latest issue of a serial is not lent (最新号は貸出不可).
    LatestIssueNotLoanable,
    /// The title is new and the patron's category may hold it only from this day
    /// (「新刊予約は市内在住者のみ」).
    NewTitleNotYetHoldable {
        /// The first day the hold is taken.
        from: NaiveDate,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::PatronBlocked => write!(f, "this card number cannot be used; please contact the library"),
            Reason::CardExpired { expired_on } => write!(f, "the card expired on {expired_on}; please renew it"),
            Reason::CardUnused { last_used_on, years } => {
                write!(f, "the card has not been used for over {years} years (last used {last_used_on})")
            }
            Reason::HasOverdueLoans { count } => write!(f, "{count} overdue item(s) must be returned first"),
            Reason::TemporaryPassword => write!(f, "change the temporary password to your own password first"),
            Reason::CopyNotLoanable => write!(f, "this item is not for loan"),
            Reason::CopyOnLoan => write!(f, "this item is already on loan"),
            Reason::CopyHeldForAnotherPatron => write!(f, "this item is set aside for another patron's hold"),
            Reason::CopyUnavailable { status } => write!(f, "this item is not on the shelf ({status:?})"),
            Reason::NotOnLoan => write!(f, "this item is not on loan"),
            Reason::Overdue { due_on } => write!(f, "the due date ({due_on}) has passed"),
            Reason::AccountHasOverdue { count } => write!(f, "{count} other item(s) are overdue"),
            Reason::HeldByOthers { holds } => write!(f, "{holds} other patron(s) are waiting for this title"),
            Reason::InterlibraryLoan => write!(f, "items borrowed from another library cannot be renewed"),
            Reason::RenewalLimitReached { limit } => write!(f, "already renewed {limit} time(s), the most allowed"),
            Reason::TooEarlyToRenew { opens_on } => write!(f, "renewals open on {opens_on}"),
            Reason::WouldNotExtend { due_on, new_due_on } => {
                write!(f, "renewing today would give {new_due_on}, not later than the current due date {due_on}")
            }
            Reason::NotHoldable => write!(f, "this title has no copy that can be held"),
            Reason::HoldLimitReached { kind: Some(kind), limit } => {
                write!(f, "the limit of {limit} `{kind}` holds is reached")
            }
            Reason::HoldLimitReached { kind: None, limit } => write!(f, "the limit of {limit} holds is reached"),
            Reason::AlreadyHolding => write!(f, "you already hold this title"),
            Reason::AlreadyBorrowing => write!(f, "you already have this title on loan"),
            Reason::AvailableOnShelf => write!(f, "a copy is on the shelf; web holds are for items on loan"),
            Reason::ContactNotOffered { method } => write!(f, "contact by `{method}` is not offered"),
            Reason::ContactRestricted { method, requires } => {
                write!(f, "contact by `{method}` is only for patrons registered as `{requires}`")
            }
            Reason::NoEmailAddress => write!(f, "a confirmed e-mail address must be registered first"),
            Reason::NoPhoneNumber => write!(f, "a phone number must be registered first"),
            Reason::PickupNotAllowed { code } => write!(f, "`{code}` is not a pickup location"),
            Reason::HoldNotChangeable => write!(f, "the hold is already being prepared; please contact the library"),
            Reason::InterlibraryHoldNotCancellable => {
                write!(f, "interlibrary-loan holds cannot be cancelled online; please contact the library")
            }
            Reason::NotOffered => write!(f, "this library does not offer this service"),
            Reason::ListLimitReached { limit } => write!(f, "you already have {limit} lists, the most allowed"),
            Reason::ListFull { limit } => write!(f, "a list holds at most {limit} entries"),
            Reason::AlreadyInList => write!(f, "this title is already in the list"),
            Reason::ListNameTaken => write!(f, "you already have a list with this name"),
            Reason::NoOpenDay { after } => write!(f, "the branch has no open day within ten years after {after}"),
            Reason::CheckoutLimitReached { kind: Some(kind), limit, count } => {
                write!(f, "{count} `{kind}` items on loan; the limit is {limit}")
            }
            Reason::CheckoutLimitReached { kind: None, limit, count } => {
                write!(f, "{count} items on loan; the limit is {limit}")
            }
            Reason::Suspended { until } => write!(f, "borrowing is suspended until {until} after a late return"),
            Reason::LatestIssueNotLoanable => write!(f, "the latest issue is not for loan"),
            Reason::NewTitleNotYetHoldable { from } => write!(f, "this new title can be held from {from}"),
        }
    }
}

/// A refused request with every reason that applies, in a stable order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Refusal {
    /// The reasons, never empty.
    pub reasons: Vec<Reason>,
}

impl Refusal {
    /// `Ok(value)` when `reasons` is empty, else a refusal carrying them all.
    ///
    /// # Errors
    ///
    /// A [`Refusal`] with `reasons`, when there are any.
    pub fn check<T>(reasons: Vec<Reason>, value: T) -> Result<T, Refusal> {
        if reasons.is_empty() { Ok(value) } else { Err(Refusal { reasons }) }
    }

    /// A refusal with a single reason.
    #[must_use]
    pub fn one(reason: Reason) -> Refusal {
        Refusal { reasons: vec![reason] }
    }

    /// Whether `reason` is among the reasons.
    #[must_use]
    pub fn has(&self, reason: &Reason) -> bool {
        self.reasons.contains(reason)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "refused: ")?;
        for (i, r) in self.reasons.iter().enumerate() {
            if i > 0 {
                write!(f, "; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}
