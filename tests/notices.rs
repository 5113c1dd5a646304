//! Structured notices (#16, item 3): a notice carries its kind and facts as data; rendering is
//! a pure function with Japanese and English templates, snapshot-tested for every kind; the
//! stored Japanese text is the Japanese rendering of the stored facts.

mod common;

use bunko::Lang;
use bunko::notify::{NoticeFacts, NoticeKind, render};
use common::World;

const KINDS: [NoticeKind; 12] = NoticeKind::ALL;

/// The facts bunko writes for `kind`, as the engine fills them.
fn facts_for(kind: NoticeKind) -> NoticeFacts {
    let day = |s: &str| s.parse().ok();
    let title = match kind {
        NoticeKind::EmailConfirmation
        | NoticeKind::EmailRegistered
        | NoticeKind::PasswordReset
        | NoticeKind::NewArrivals => "",
        _ => "銀河鉄道の夜",
    };
    let mut f = NoticeFacts::new("筑紫野市民図書館", "筑紫 花子", title);
    match kind {
        NoticeKind::HoldPlaced | NoticeKind::HoldCancelled | NoticeKind::HoldRequeued => f.pickup = "中央図書館".into(),
        NoticeKind::HoldReady => {
            f.pickup = "中央図書館".into();
            f.pickup_deadline = day("2026-05-08");
        }
        NoticeKind::HoldInTransit => {
            f.pickup = "東部図書館".into();
            f.arrives_on = day("2026-05-06");
        }
        NoticeKind::HoldDispatched => {
            f.pickup = "二日市公民館".into();
            f.due_on = day("2026-05-20");
        }
        NoticeKind::HoldExpired => {
            f.pickup = "中央図書館".into();
            f.reason = Some("取置期限切れ".into());
        }
        NoticeKind::EmailConfirmation | NoticeKind::PasswordReset => {
            f.code = Some("483920".into());
            f.code_expires_at = "2026-05-01T12:30:00Z".parse().ok();
        }
        NoticeKind::EmailRegistered => {}
        NoticeKind::DueReminder => f.due_on = day("2026-05-04"),
        NoticeKind::NewArrivals => {
            f.digest = vec![("宮沢賢治".into(), vec!["注文の多い料理店".into(), "春と修羅".into()])]
        }
        other => panic!("no facts written for {other:?}: add them here"),
    }
    f
}

#[test]
fn every_kind_renders_in_japanese_and_english() {
    let mut all = String::new();
    for kind in KINDS {
        let facts = facts_for(kind);
        for lang in [Lang::Ja, Lang::En] {
            let text = render(kind, &facts, lang);
            all += &format!("===== {kind:?} {lang:?}\n{}\n\n{}\n", text.subject, text.body);
        }
    }
    let mut lost_on_the_way = facts_for(NoticeKind::HoldRequeued);
    (lost_on_the_way.pickup, lost_on_the_way.loan_cancelled) = ("二日市公民館".into(), true);
    for lang in [Lang::Ja, Lang::En] {
        let text = render(NoticeKind::HoldRequeued, &lost_on_the_way, lang);
        all += &format!(
            "===== HoldRequeued, dispatched copy lost on the way, {lang:?}\n{}\n\n{}\n",
            text.subject, text.body
        );
    }
    let confirmation = render(NoticeKind::EmailConfirmation, &NoticeFacts::new("図書館", "花子", ""), Lang::En);
    all += &format!("===== EmailConfirmation without a code, En\n{}\n\n{}", confirmation.subject, confirmation.body);
    insta::assert_snapshot!(all);
}

/// chiba: a ready notice names its title, pickup and deadline as data, and its stored text is
/// the Japanese rendering of those facts.
#[test]
fn chiba_a_ready_notice_carries_its_facts() {
    let mut w = World::new("chiba", "2026-06-01");
    let notice = w.ready_mail_hold("chuo", "reader@example.jp", None);
    let facts = notice.facts.clone().expect("a notice written since V15 has facts");
    assert_eq!((facts.title.as_str(), facts.code.as_ref()), ("本", None));
    assert!(facts.pickup_deadline.is_some(), "{facts:?}");
    let ja = notice.render(Lang::Ja).unwrap();
    assert_eq!((ja.subject.as_str(), ja.body.as_str()), (notice.subject.as_str(), notice.body.as_str()));
    let en = notice.render(Lang::En).unwrap();
    assert!(en.body.contains("Pick up by: "), "{}", en.body);
}

/// kanagawa: a reset code is in the facts for the host to send, and out of every `Debug` form.
#[test]
fn kanagawa_a_reset_code_in_the_facts_stays_out_of_logs() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let notice = w.lib.pending_notices(10).unwrap().into_iter().find(|n| n.kind == NoticeKind::PasswordReset).unwrap();
    assert!(notice.secret);
    let code = notice.facts.as_ref().and_then(|f| f.code.clone()).expect("the code is in the facts");
    assert!(notice.render(Lang::En).unwrap().body.contains(&code));
    let logged = format!("{notice:?} {:?}", notice.facts);
    assert!(!logged.contains(&code), "{logged}");
}

/// Facts stored before `loan_cancelled` existed still read, as `false`; facts that do not set
/// it store nothing new, so their JSON is as it was.
#[test]
fn facts_stored_before_loan_cancelled_read_as_before() {
    let old = r#"{"library":"図書館","patron_name":"花子","title":"本","pickup":"中央","pickup_deadline":null,
        "arrives_on":null,"due_on":null,"reason":null,"code":null,"code_expires_at":null,"digest":[]}"#;
    let facts: NoticeFacts = serde_json::from_str(old).unwrap();
    assert!(!facts.loan_cancelled);
    assert!(!serde_json::to_string(&facts).unwrap().contains("loan_cancelled"));
    let mut lost = facts;
    lost.loan_cancelled = true;
    assert!(serde_json::to_string(&lost).unwrap().contains(r#""loan_cancelled":true"#));
}
