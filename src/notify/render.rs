//! Rendering notices to plain text. Pure: the same facts always give the same text.

use std::fmt::Write as _;

use super::{NoticeFacts, NoticeKind};
use crate::Lang;

/// A rendered notice. Its `Debug` form hides the body when the facts carried a code.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct NoticeText {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
    /// The body carries a single-use code.
    secret: bool,
}

impl std::fmt::Debug for NoticeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body: &dyn std::fmt::Debug = if self.secret { &"<redacted: carries a code>" } else { &self.body };
        f.debug_struct("NoticeText").field("subject", &self.subject).field("body", body).finish()
    }
}

/// Renders a notice of `kind` from `facts` in `lang`. bunko stores the Japanese rendering,
/// the language of the libraries' patrons; a host may render the stored
/// [`facts`](super::Notice::facts) in English, or in its own words.
///
/// # Examples
/// ```
/// use bunko::Lang;
/// use bunko::notify::{NoticeFacts, NoticeKind, render};
/// let mut facts = NoticeFacts::new("筑紫野市民図書館", "筑紫 花子", "銀河鉄道の夜");
/// facts.pickup = "筑紫野市民図書館".into();
/// facts.pickup_deadline = "2026-05-08".parse().ok();
/// let text = render(NoticeKind::HoldReady, &facts, Lang::Ja);
/// assert!(text.body.contains("取置期限: 2026-05-08"));
/// let text = render(NoticeKind::HoldReady, &facts, Lang::En);
/// assert!(text.body.contains("Pick up by: 2026-05-08"));
/// ```
pub fn render(kind: NoticeKind, f: &NoticeFacts, lang: Lang) -> NoticeText {
    let words = match lang {
        Lang::Ja => &JA,
        Lang::En => &EN,
    };
    let (subject, lead) = (words.lead)(kind, f.code.is_some());
    let mut body = (words.greeting)(&f.patron_name);
    let _ = write!(body, "\n\n{lead}\n\n");
    if f.loan_cancelled {
        let _ = write!(body, "{}\n\n", words.loan_cancelled);
    }
    let mut line = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(body, "{label}: {v}");
        }
    };
    let [title, pickup, code, expires, arrives, deadline, due, reason] = words.labels;
    line(title, Some(f.title.clone()));
    line(pickup, Some(f.pickup.clone()));
    line(code, f.code.clone());
    line(expires, f.code_expires_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()));
    line(arrives, f.arrives_on.map(|d| d.to_string()));
    line(deadline, f.pickup_deadline.map(|d| d.to_string()));
    line(due, f.due_on.map(|d| d.to_string()));
    line(reason, f.reason.clone());
    for (search, titles) in &f.digest {
        let _ = writeln!(body, "■ {search}");
        for t in titles {
            let _ = writeln!(body, "・{t}");
        }
    }
    let _ = write!(body, "\n{}\n", f.library);
    NoticeText { subject: format!("[{}] {subject}", f.library), body, secret: f.code.is_some() }
}

/// One language's words for notices.
struct Words {
    /// Subject and opening sentence of a kind; the flag says whether the facts carry a code.
    lead: fn(NoticeKind, bool) -> (&'static str, &'static str),
    /// The salutation to a patron.
    greeting: fn(&str) -> String,
    /// Labels of title, pickup, code, code expiry, arrival, pickup deadline, due date, reason.
    labels: [&'static str; 8],
    /// The sentence saying a dispatched copy's loan is cancelled (`loan_cancelled`).
    loan_cancelled: &'static str,
}

const JA: Words = Words {
    lead: lead_ja,
    greeting: |name| format!("{name} 様"),
    labels: ["書名", "受取館", "コード", "有効期限", "到着予定日", "取置期限", "返却期限", "理由"],
    loan_cancelled: "発送した資料は受取館に届かなかったため、発送の日からの貸出は取り消しました。",
};

const EN: Words = Words {
    lead: lead_en,
    greeting: |name| format!("Dear {name},"),
    labels: ["Title", "Pickup", "Code", "Valid until", "Expected", "Pick up by", "Due", "Reason"],
    loan_cancelled: "The copy sent to your pickup library did not arrive, so the loan that began when it was sent is cancelled.",
};

fn lead_ja(kind: NoticeKind, has_code: bool) -> (&'static str, &'static str) {
    match kind {
        NoticeKind::HoldPlaced => ("予約を受け付けました", "次の資料の予約を受け付けました。"),
        NoticeKind::HoldReady => ("予約資料のご用意ができました", "ご予約の資料のご用意ができました。"),
        NoticeKind::HoldInTransit => ("予約資料を確保しました", "ご予約の資料を確保し、受取館へ回送しています。"),
        NoticeKind::HoldDispatched => {
            ("予約資料を発送しました", "ご予約の資料を受取館へ発送しました。発送の日から貸出となります。")
        }
        NoticeKind::HoldExpired => {
            ("予約を取り消しました(取置期限切れ)", "取置期限を過ぎたため、次の予約を取り消しました。")
        }
        NoticeKind::HoldCancelled => ("予約を取り消しました", "次の予約を取り消しました。"),
        NoticeKind::HoldRequeued => (
            "予約資料をご用意できなくなりました",
            "ご用意した資料が紛失・破損などのため貸し出せなくなりました。ご予約は順番を保ったまま、次の資料をお待ちいただきます。",
        ),
        NoticeKind::EmailConfirmation if !has_code => (
            "メールアドレスの確認",
            "このメールアドレスを登録しました。お心当たりのない場合は図書館へお知らせください。",
        ),
        NoticeKind::EmailRegistered => ("メール登録完了のお知らせ", "このメールアドレスの登録が完了しました。"),
        NoticeKind::EmailConfirmation => {
            ("メールアドレスの確認", "このメールアドレスを登録するには、次の確認コードを入力してください。")
        }
        NoticeKind::PasswordReset => {
            ("パスワードの再設定", "パスワードを再設定するには、次のコードを入力してください。")
        }
        NoticeKind::DueReminder => ("返却期限が近づいています", "次の資料の返却期限が近づいています。"),
        NoticeKind::NewArrivals => ("新着図書のお知らせ", "ご登録の検索条件に合う新着図書があります。"),
    }
}

fn lead_en(kind: NoticeKind, has_code: bool) -> (&'static str, &'static str) {
    match kind {
        NoticeKind::HoldPlaced => ("Your hold is placed", "We have placed your hold on this item."),
        NoticeKind::HoldReady => ("Your hold is ready", "The item you reserved is ready for you to pick up."),
        NoticeKind::HoldInTransit => (
            "Your hold is on its way",
            "We have set aside the item you reserved and are sending it to your pickup library.",
        ),
        NoticeKind::HoldDispatched => (
            "Your hold is dispatched",
            "We have sent the item you reserved to your pickup library. The loan starts on the day it was sent.",
        ),
        NoticeKind::HoldExpired => {
            ("Your hold is cancelled (not picked up)", "The pickup deadline has passed, so we cancelled this hold.")
        }
        NoticeKind::HoldCancelled => ("Your hold is cancelled", "We have cancelled this hold."),
        NoticeKind::HoldRequeued => (
            "Your hold is waiting again",
            "The item set aside for you was lost, damaged or withdrawn and cannot be lent. Your hold keeps its place in the \
             queue; we will tell you when another copy is ready.",
        ),
        NoticeKind::EmailConfirmation if !has_code => (
            "Confirm your e-mail address",
            "This e-mail address was registered. If you did not ask for this, please tell the library.",
        ),
        NoticeKind::EmailRegistered => ("Your e-mail address is registered", "This e-mail address is now registered."),
        NoticeKind::EmailConfirmation => {
            ("Confirm your e-mail address", "To register this e-mail address, enter this confirmation code.")
        }
        NoticeKind::PasswordReset => ("Reset your password", "To set a new password, enter this code."),
        NoticeKind::DueReminder => ("Your loan is due soon", "This item is due back soon."),
        NoticeKind::NewArrivals => ("New arrivals", "New items match your saved searches."),
    }
}
