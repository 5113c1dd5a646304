//! Rendering notices to plain text. Pure: the same facts always give the same text.

use std::fmt::Write as _;

use super::{NoticeFacts, NoticeKind};

/// A rendered notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoticeText {
    /// Subject line.
    pub subject: String,
    /// Body.
    pub body: String,
}

/// Renders a notice in Japanese, the language of the libraries' patrons.
///
/// # Examples
/// ```
/// use bunko::notify::{NoticeFacts, NoticeKind, render};
/// let mut facts = NoticeFacts::new("筑紫野市民図書館", "筑紫 花子", "銀河鉄道の夜");
/// facts.pickup = "筑紫野市民図書館".into();
/// facts.pickup_deadline = "2026-05-08".parse().ok();
/// let text = render(NoticeKind::HoldReady, &facts);
/// assert!(text.body.contains("取置期限: 2026-05-08"));
/// ```
pub fn render(kind: NoticeKind, f: &NoticeFacts) -> NoticeText {
    let (subject, lead) = match kind {
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
        NoticeKind::EmailConfirmation if f.code.is_none() => (
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
    };
    let mut body = format!("{} 様\n\n{lead}\n\n", f.patron_name);
    let mut line = |label: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            let _ = writeln!(body, "{label}: {v}");
        }
    };
    line("書名", Some(f.title.clone()));
    line("受取館", Some(f.pickup.clone()));
    line("コード", f.code.clone());
    line("有効期限", f.code_expires_at.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string()));
    line("到着予定日", f.arrives_on.map(|d| d.to_string()));
    line("取置期限", f.pickup_deadline.map(|d| d.to_string()));
    line("返却期限", f.due_on.map(|d| d.to_string()));
    line("理由", f.reason.clone());
    for (search, titles) in &f.digest {
        let _ = writeln!(body, "■ {search}");
        for t in titles {
            let _ = writeln!(body, "・{t}");
        }
    }
    let _ = write!(body, "\n{}\n", f.library);
    NoticeText { subject: format!("[{}] {subject}", f.library), body }
}
