//! Refusals: every reason a request is turned down, as data a caller can match on (R-L4).

use std::fmt;

use chrono::NaiveDate;

use super::model::ContactMethod;
use crate::Lang;
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
    /// The copy is not on a loan begun when it was dispatched to a partner library's pickup
    /// (R-H12), or the patron has collected it. (A copy in transit between branches for a hold
    /// has no loan yet: staff mark it lost as any other copy.)
    NotOnItsWay,
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
    /// Other patrons are waiting for this title and the copies on the shelf that could fill
    /// their holds are fewer than they (`loans.renewal.allow_if_other_copies_available`, #17).
    HeldByOthersBeyondCopies {
        /// How many holds wait (frozen ones aside).
        holds: u32,
        /// Copies on the shelf that could fill them.
        copies: u32,
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
            Reason::NotOnItsWay => {
                write!(f, "this item is not on a loan begun at dispatch to a partner library, or was collected")
            }
            Reason::Overdue { due_on } => write!(f, "the due date ({due_on}) has passed"),
            Reason::AccountHasOverdue { count } => write!(f, "{count} other item(s) are overdue"),
            Reason::HeldByOthers { holds } => write!(f, "{holds} other patron(s) are waiting for this title"),
            Reason::HeldByOthersBeyondCopies { holds, copies } => write!(
                f,
                "{holds} other patron(s) are waiting for this title and only {copies} copy(ies) on the shelf can serve them"
            ),
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

impl Reason {
    /// The reason in `lang`: Japanese worded for a patron, or English (the same text as
    /// `Display`).
    ///
    /// # Examples
    /// ```
    /// use bunko::Lang;
    /// use bunko::policy::Reason;
    /// let due_on = "2026-05-04".parse().unwrap();
    /// assert_eq!(Reason::Overdue { due_on }.message(Lang::Ja), "貸出期限(2026-05-04)を過ぎています");
    /// assert_eq!(Reason::HeldByOthers { holds: 2 }.message(Lang::Ja), "他の方が予約しています(2件)");
    /// ```
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => self.japanese(),
            Lang::En => self.to_string(),
        }
    }

    fn japanese(&self) -> String {
        match self {
            Reason::PatronBlocked => "この利用者番号はご利用いただけません。図書館へお問い合わせください".into(),
            Reason::CardExpired { expired_on } => {
                format!("利用者カードの有効期限({expired_on})が切れています。更新の手続きをしてください")
            }
            Reason::CardUnused { last_used_on, years } => {
                format!("利用者カードが{years}年以上使われていません(最終利用日 {last_used_on})")
            }
            Reason::HasOverdueLoans { count } => format!("返却期限を過ぎた資料({count}点)を先に返却してください"),
            Reason::TemporaryPassword => "仮パスワードをご自分のパスワードに変更してください".into(),
            Reason::CopyNotLoanable => "この資料は貸出できません".into(),
            Reason::CopyOnLoan => "この資料は貸出中です".into(),
            Reason::CopyHeldForAnotherPatron => "この資料は他の方の予約のために確保されています".into(),
            Reason::CopyUnavailable { status } => format!("この資料は書架にありません({})", copy_status_ja(*status)),
            Reason::NotOnLoan => "この資料は貸出中ではありません".into(),
            Reason::NotOnItsWay => {
                "この資料は発送の日から貸出となる受取館への貸出中ではないか、すでに受け取られています".into()
            }
            Reason::Overdue { due_on } => format!("貸出期限({due_on})を過ぎています"),
            Reason::AccountHasOverdue { count } => format!("返却期限を過ぎた資料が他に{count}点あります"),
            Reason::HeldByOthers { holds } => format!("他の方が予約しています({holds}件)"),
            Reason::HeldByOthersBeyondCopies { holds, copies } => {
                format!("他の方が予約しています({holds}件)。書架にある他の資料({copies}点)では足りません")
            }
            Reason::InterlibraryLoan => "他の図書館から借りた資料は延長できません".into(),
            Reason::RenewalLimitReached { limit } => format!("延長は{limit}回までです"),
            Reason::TooEarlyToRenew { opens_on } => format!("延長は{opens_on}から受け付けます"),
            Reason::WouldNotExtend { due_on, new_due_on } => {
                format!("今日延長すると返却期限が{new_due_on}になり、現在の返却期限({due_on})より延びません")
            }
            Reason::NotHoldable => "この資料は予約できません".into(),
            Reason::HoldLimitReached { kind: Some(kind), limit } => format!("「{kind}」の予約は{limit}件までです"),
            Reason::HoldLimitReached { kind: None, limit } => format!("予約は{limit}件までです"),
            Reason::AlreadyHolding => "この資料はすでに予約しています".into(),
            Reason::AlreadyBorrowing => "この資料はすでに借りています".into(),
            Reason::AvailableOnShelf => "この資料は書架にあります。インターネット予約は貸出中の資料のみです".into(),
            Reason::ContactNotOffered { method } => format!("{}での連絡は行っていません", contact_ja(method)),
            Reason::ContactRestricted { method, requires } => {
                format!("{}での連絡は「{requires}」で登録の方のみです", contact_ja(method))
            }
            Reason::NoEmailAddress => "確認済みのメールアドレスを先に登録してください".into(),
            Reason::NoPhoneNumber => "電話番号を先に登録してください".into(),
            Reason::PickupNotAllowed { code } => format!("「{code}」は受取場所に指定できません"),
            Reason::HoldNotChangeable => "予約資料の準備を始めています。図書館へお問い合わせください".into(),
            Reason::InterlibraryHoldNotCancellable => {
                "相互貸借の予約はインターネットでは取り消せません。図書館へお問い合わせください".into()
            }
            Reason::NotOffered => "このサービスは行っていません".into(),
            Reason::ListLimitReached { limit } => format!("リストは{limit}件までです"),
            Reason::ListFull { limit } => format!("1つのリストに登録できるのは{limit}件までです"),
            Reason::AlreadyInList => "この資料はすでにリストにあります".into(),
            Reason::ListNameTaken => "同じ名前のリストがすでにあります".into(),
            Reason::NoOpenDay { after } => format!("{after}から10年以内に開館日がありません"),
            Reason::CheckoutLimitReached { kind: Some(kind), limit, count } => {
                format!("「{kind}」の貸出は{limit}点までです(現在{count}点)")
            }
            Reason::CheckoutLimitReached { kind: None, limit, count } => {
                format!("貸出は{limit}点までです(現在{count}点)")
            }
            Reason::Suspended { until } => format!("返却が遅れたため、{until}まで貸出を停止しています"),
            Reason::LatestIssueNotLoanable => "最新号は貸出できません".into(),
            Reason::NewTitleNotYetHoldable { from } => format!("この新刊は{from}から予約できます"),
        }
    }
}

/// A copy's whereabouts as a patron reads them.
fn copy_status_ja(status: CopyStatus) -> &'static str {
    match status {
        CopyStatus::OnShelf => "書架",
        CopyStatus::OnLoan => "貸出中",
        CopyStatus::InTransit => "回送中",
        CopyStatus::OnHoldShelf => "取置中",
        CopyStatus::Missing => "所在不明",
        CopyStatus::Withdrawn => "除籍",
    }
}

/// A contact method as a patron reads it; a declared channel by its code.
fn contact_ja(method: &ContactMethod) -> String {
    match method {
        ContactMethod::None => "連絡不要".into(),
        ContactMethod::Mail => "メール".into(),
        ContactMethod::Phone => "電話".into(),
        ContactMethod::Voice => "音声案内".into(),
        ContactMethod::Post => "郵送".into(),
        ContactMethod::Fax => "FAX".into(),
        ContactMethod::Channel(code) => format!("「{code}」"),
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

    /// Every reason in `lang`: in Japanese one sentence per reason, in English the same text
    /// as `Display`.
    ///
    /// # Examples
    /// ```
    /// use bunko::Lang;
    /// use bunko::policy::{Reason, Refusal};
    /// let refusal = Refusal { reasons: vec![Reason::HeldByOthers { holds: 2 }, Reason::RenewalLimitReached { limit: 1 }] };
    /// assert_eq!(refusal.message(Lang::Ja), "お手続きできません: 他の方が予約しています(2件)。延長は1回までです。");
    /// ```
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => {
                let reasons: String = self.reasons.iter().map(|r| r.message(Lang::Ja) + "。").collect();
                format!("お手続きできません: {reasons}")
            }
            Lang::En => self.to_string(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// One sample of every variant. `variant_index` matches exhaustively (inside the crate
    /// `#[non_exhaustive]` does not apply), so a new variant fails to compile here until it
    /// has a sample, and the test below fails until the sample is listed.
    fn samples() -> Vec<Reason> {
        let sms = ContactMethod::Channel(super::super::ChannelCode::new("sms").unwrap());
        vec![
            Reason::PatronBlocked,
            Reason::CardExpired { expired_on: day("2026-03-31") },
            Reason::CardUnused { last_used_on: day("2023-04-01"), years: 3 },
            Reason::HasOverdueLoans { count: 2 },
            Reason::TemporaryPassword,
            Reason::CopyNotLoanable,
            Reason::CopyOnLoan,
            Reason::CopyHeldForAnotherPatron,
            Reason::CopyUnavailable { status: CopyStatus::InTransit },
            Reason::NotOnLoan,
            Reason::Overdue { due_on: day("2026-05-04") },
            Reason::AccountHasOverdue { count: 1 },
            Reason::HeldByOthers { holds: 2 },
            Reason::InterlibraryLoan,
            Reason::RenewalLimitReached { limit: 1 },
            Reason::TooEarlyToRenew { opens_on: day("2026-05-01") },
            Reason::WouldNotExtend { due_on: day("2026-05-04"), new_due_on: day("2026-05-04") },
            Reason::NotHoldable,
            Reason::HoldLimitReached { kind: Some("av".into()), limit: 3 },
            Reason::AlreadyHolding,
            Reason::AlreadyBorrowing,
            Reason::AvailableOnShelf,
            Reason::ContactNotOffered { method: ContactMethod::Fax },
            Reason::ContactRestricted { method: sms, requires: "deaf".into() },
            Reason::NoEmailAddress,
            Reason::NoPhoneNumber,
            Reason::PickupNotAllowed { code: "bm".into() },
            Reason::HoldNotChangeable,
            Reason::InterlibraryHoldNotCancellable,
            Reason::NotOffered,
            Reason::ListLimitReached { limit: 10 },
            Reason::ListFull { limit: 100 },
            Reason::AlreadyInList,
            Reason::ListNameTaken,
            Reason::NoOpenDay { after: day("2026-05-04") },
            Reason::CheckoutLimitReached { kind: None, limit: 10, count: 10 },
            Reason::Suspended { until: day("2026-05-10") },
            Reason::LatestIssueNotLoanable,
            Reason::NewTitleNotYetHoldable { from: day("2026-06-01") },
            Reason::HeldByOthersBeyondCopies { holds: 3, copies: 1 },
            Reason::NotOnItsWay,
        ]
    }

    fn variant_index(r: &Reason) -> usize {
        match r {
            Reason::PatronBlocked => 0,
            Reason::CardExpired { .. } => 1,
            Reason::CardUnused { .. } => 2,
            Reason::HasOverdueLoans { .. } => 3,
            Reason::TemporaryPassword => 4,
            Reason::CopyNotLoanable => 5,
            Reason::CopyOnLoan => 6,
            Reason::CopyHeldForAnotherPatron => 7,
            Reason::CopyUnavailable { .. } => 8,
            Reason::NotOnLoan => 9,
            Reason::Overdue { .. } => 10,
            Reason::AccountHasOverdue { .. } => 11,
            Reason::HeldByOthers { .. } => 12,
            Reason::InterlibraryLoan => 13,
            Reason::RenewalLimitReached { .. } => 14,
            Reason::TooEarlyToRenew { .. } => 15,
            Reason::WouldNotExtend { .. } => 16,
            Reason::NotHoldable => 17,
            Reason::HoldLimitReached { .. } => 18,
            Reason::AlreadyHolding => 19,
            Reason::AlreadyBorrowing => 20,
            Reason::AvailableOnShelf => 21,
            Reason::ContactNotOffered { .. } => 22,
            Reason::ContactRestricted { .. } => 23,
            Reason::NoEmailAddress => 24,
            Reason::NoPhoneNumber => 25,
            Reason::PickupNotAllowed { .. } => 26,
            Reason::HoldNotChangeable => 27,
            Reason::InterlibraryHoldNotCancellable => 28,
            Reason::NotOffered => 29,
            Reason::ListLimitReached { .. } => 30,
            Reason::ListFull { .. } => 31,
            Reason::AlreadyInList => 32,
            Reason::ListNameTaken => 33,
            Reason::NoOpenDay { .. } => 34,
            Reason::CheckoutLimitReached { .. } => 35,
            Reason::Suspended { .. } => 36,
            Reason::LatestIssueNotLoanable => 37,
            Reason::NewTitleNotYetHoldable { .. } => 38,
            Reason::HeldByOthersBeyondCopies { .. } => 39,
            Reason::NotOnItsWay => 40,
        }
    }

    const VARIANTS: usize = 41;

    #[test]
    fn every_reason_has_a_japanese_message_unlike_the_english_one() {
        let samples = samples();
        let mut seen = [false; VARIANTS];
        for r in &samples {
            seen[variant_index(r)] = true;
            let (ja, en) = (r.message(Lang::Ja), r.message(Lang::En));
            assert!(!ja.is_empty(), "{r:?}");
            assert_ne!(ja, en, "{r:?}");
            assert!(!ja.is_ascii(), "{r:?} has no Japanese: {ja}");
            assert_eq!(en, r.to_string(), "English is the Display text");
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|&i| !seen[i]).collect();
        assert!(missing.is_empty(), "variants without a sample: {missing:?}");
    }

    #[test]
    fn the_patrons_wording() {
        assert_eq!(
            Reason::Overdue { due_on: day("2026-05-04") }.message(Lang::Ja),
            "貸出期限(2026-05-04)を過ぎています"
        );
        assert_eq!(Reason::HeldByOthers { holds: 2 }.message(Lang::Ja), "他の方が予約しています(2件)");
        assert_eq!(Reason::RenewalLimitReached { limit: 1 }.message(Lang::Ja), "延長は1回までです");
    }

    #[test]
    fn a_refusal_with_several_reasons_in_both_languages() {
        let refusal = Refusal {
            reasons: vec![
                Reason::Overdue { due_on: day("2026-05-04") },
                Reason::HeldByOthers { holds: 2 },
                Reason::RenewalLimitReached { limit: 1 },
                Reason::CheckoutLimitReached { kind: Some("av".into()), limit: 3, count: 3 },
            ],
        };
        insta::assert_snapshot!(format!("ja: {}\nen: {}", refusal.message(Lang::Ja), refusal.message(Lang::En)));
    }
}
