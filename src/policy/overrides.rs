//! Staff overrides: which refusal reasons staff may override, by name, and the pure rule that
//! applies them to a decision's reasons.

use super::refusal::{Reason, Refusal};

/// A refusal reason staff may override, named without its details (the reason's own code).
///
/// The reasons that are not here are never overridable: the copy is lent, travelling, set aside
/// for another patron's hold or not on the shelf (the physical world says no); the patron is
/// blocked (lift the block instead); the patron already holds or borrows the title; the branch
/// has no open day; a renewal would not extend the loan; contact, pickup and change reasons
/// (fix the request instead); and the title has no copy that could fill a hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Override {
    /// [`Reason::CardExpired`].
    CardExpired,
    /// [`Reason::CardUnused`].
    CardUnused,
    /// [`Reason::HasOverdueLoans`].
    HasOverdueLoans,
    /// [`Reason::TemporaryPassword`].
    TemporaryPassword,
    /// [`Reason::CopyNotLoanable`]: lends a not-for-loan copy (a kind the policy never lends
    /// is due the same day).
    CopyNotLoanable,
    /// [`Reason::Overdue`].
    Overdue,
    /// [`Reason::AccountHasOverdue`].
    AccountHasOverdue,
    /// [`Reason::HeldByOthers`].
    HeldByOthers,
    /// [`Reason::InterlibraryLoan`].
    InterlibraryLoan,
    /// [`Reason::RenewalLimitReached`].
    RenewalLimitReached,
    /// [`Reason::TooEarlyToRenew`].
    TooEarlyToRenew,
    /// [`Reason::HoldLimitReached`] (the total or a kind's).
    HoldLimitReached,
    /// [`Reason::AvailableOnShelf`].
    AvailableOnShelf,
    /// [`Reason::CheckoutLimitReached`] (the total or a kind's).
    CheckoutLimitReached,
    /// [`Reason::Suspended`].
    Suspended,
    /// [`Reason::LatestIssueNotLoanable`].
    LatestIssueNotLoanable,
    /// [`Reason::NewTitleNotYetHoldable`].
    NewTitleNotYetHoldable,
}

const CODES: [(Override, &str); 17] = [
    (Override::CardExpired, "card_expired"),
    (Override::CardUnused, "card_unused"),
    (Override::HasOverdueLoans, "has_overdue_loans"),
    (Override::TemporaryPassword, "temporary_password"),
    (Override::CopyNotLoanable, "copy_not_loanable"),
    (Override::Overdue, "overdue"),
    (Override::AccountHasOverdue, "account_has_overdue"),
    (Override::HeldByOthers, "held_by_others"),
    (Override::InterlibraryLoan, "interlibrary_loan"),
    (Override::RenewalLimitReached, "renewal_limit_reached"),
    (Override::TooEarlyToRenew, "too_early_to_renew"),
    (Override::HoldLimitReached, "hold_limit_reached"),
    (Override::AvailableOnShelf, "available_on_shelf"),
    (Override::CheckoutLimitReached, "checkout_limit_reached"),
    (Override::Suspended, "suspended"),
    (Override::LatestIssueNotLoanable, "latest_issue_not_loanable"),
    (Override::NewTitleNotYetHoldable, "new_title_not_yet_holdable"),
];

impl Override {
    /// The override that names `reason`, or `None` when staff may not override it.
    ///
    /// # Examples
    /// ```
    /// use bunko::policy::{Override, Reason};
    /// assert_eq!(Override::of(&Reason::HeldByOthers { holds: 2 }), Some(Override::HeldByOthers));
    /// assert_eq!(Override::of(&Reason::PatronBlocked), None);
    /// ```
    #[must_use]
    pub fn of(reason: &Reason) -> Option<Override> {
        Some(match reason {
            Reason::CardExpired { .. } => Override::CardExpired,
            Reason::CardUnused { .. } => Override::CardUnused,
            Reason::HasOverdueLoans { .. } => Override::HasOverdueLoans,
            Reason::TemporaryPassword => Override::TemporaryPassword,
            Reason::CopyNotLoanable => Override::CopyNotLoanable,
            Reason::Overdue { .. } => Override::Overdue,
            Reason::AccountHasOverdue { .. } => Override::AccountHasOverdue,
            // Held by more than the other copies can serve (allow_if_other_copies_available):
            // the same override as held by others.
            Reason::HeldByOthers { .. } | Reason::HeldByOthersBeyondCopies { .. } => Override::HeldByOthers,
            Reason::InterlibraryLoan => Override::InterlibraryLoan,
            Reason::RenewalLimitReached { .. } => Override::RenewalLimitReached,
            Reason::TooEarlyToRenew { .. } => Override::TooEarlyToRenew,
            Reason::HoldLimitReached { .. } => Override::HoldLimitReached,
            Reason::AvailableOnShelf => Override::AvailableOnShelf,
            Reason::CheckoutLimitReached { .. } => Override::CheckoutLimitReached,
            Reason::Suspended { .. } => Override::Suspended,
            Reason::LatestIssueNotLoanable => Override::LatestIssueNotLoanable,
            Reason::NewTitleNotYetHoldable { .. } => Override::NewTitleNotYetHoldable,
            _ => return None,
        })
    }

    /// Its code: the reason's own `snake_case` name, as the audit log stores it.
    #[must_use]
    pub fn code(self) -> &'static str {
        CODES.iter().find(|(o, _)| *o == self).map_or("", |(_, c)| c)
    }

    /// The override with `code`, if any.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Override> {
        CODES.iter().find(|(_, c)| *c == code).map(|(o, _)| *o)
    }
}

/// Applies the overrides staff `named` to a decision's `reasons` (with the `value` the decision
/// gives when they are overridden): `Ok` with the value and the overrides used, in order, when
/// every reason is named; otherwise the refusal lists the reasons left. A named override that
/// matches no reason is the caller's to refuse (see [`unused_overrides`]).
///
/// # Errors
///
/// A [`Refusal`] with every reason that is not named (never overridable ones included).
pub fn apply_overrides<T>(reasons: Vec<Reason>, value: T, named: &[Override]) -> Result<(T, Vec<Override>), Refusal> {
    let (covered, left): (Vec<Reason>, Vec<Reason>) =
        reasons.into_iter().partition(|r| Override::of(r).is_some_and(|o| named.contains(&o)));
    Refusal::check(left, ())?;
    let mut used: Vec<Override> = covered.iter().filter_map(Override::of).collect();
    used.sort_unstable();
    used.dedup();
    Ok((value, used))
}

/// The overrides in `named` that `used` does not contain: staff named a reason that does not
/// apply, so they must look again (an override names exactly what it overrides).
#[must_use]
pub fn unused_overrides(named: &[Override], used: &[Override]) -> Vec<Override> {
    let mut unused: Vec<Override> = named.iter().copied().filter(|o| !used.contains(o)).collect();
    unused.sort_unstable();
    unused.dedup();
    unused
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_is_the_reasons_serde_tag() {
        for (o, code) in CODES {
            assert_eq!(Override::from_code(code), Some(o));
            assert_eq!(o.code(), code);
        }
    }

    #[test]
    fn a_reason_not_named_or_not_overridable_still_refuses() {
        let reasons = vec![Reason::HeldByOthers { holds: 1 }, Reason::RenewalLimitReached { limit: 1 }];
        let left = apply_overrides(reasons.clone(), 7, &[Override::HeldByOthers]).unwrap_err();
        assert_eq!(left.reasons, vec![Reason::RenewalLimitReached { limit: 1 }]);
        let all = [Override::RenewalLimitReached, Override::HeldByOthers];
        assert_eq!(
            apply_overrides(reasons, 7, &all),
            Ok((7, vec![Override::HeldByOthers, Override::RenewalLimitReached]))
        );
        let blocked = apply_overrides(vec![Reason::PatronBlocked], 7, &all).unwrap_err();
        assert_eq!(blocked.reasons, vec![Reason::PatronBlocked]);
        assert_eq!(unused_overrides(&all, &[Override::HeldByOthers]), vec![Override::RenewalLimitReached]);
    }
}
