//! The JSON a host's web service sends (serde feature, on by default): one snapshot per major
//! type, read as a host would, and a secret notice that stays secret.
#![cfg(feature = "serde")]

mod common;

use bunko::Error;
use bunko::holds::HoldRequest;
use bunko::notify::{Notice, NoticeKind};
use bunko::policy::ContactMethod;
use bunko::shelves::ListTarget;
use common::World;
use serde_json::Value;

fn json(value: &impl serde::Serialize) -> String {
    serde_json::to_string_pretty(value).expect("serializes")
}

/// A notice's idempotency key is random: the snapshot shows where it is, not its value.
fn with_key_hidden(notice: &Notice) -> String {
    assert_eq!(notice.key.len(), 32, "a 32-digit key");
    json(notice).replace(&notice.key, "<32 random hex digits>")
}

/// kanagawa: a patron's loan of a title another patron now waits for.
fn loan_with_a_hold_behind_it() -> (World, bunko::patrons::PatronId, bunko::patrons::PatronId, String) {
    let mut w = World::new("kanagawa", "2026-05-01");
    let (p, q) = (w.patron(), w.patron());
    let t = w.title("こころ");
    let copy = w.copy_of(t, "honkan", "book");
    w.lib.checkout(&copy, p, "honkan").unwrap();
    w.lib.place_hold(q, t, &HoldRequest::web("honkan", ContactMethod::None).at_counter()).unwrap();
    (w, p, q, copy)
}

#[test]
fn a_loan_view_whose_renewal_is_refused_with_every_reason() {
    let (mut w, p, _, _) = loan_with_a_hold_behind_it();
    w.go_to("2026-05-23");
    let loans = w.lib.patron_loans(p).unwrap();
    insta::assert_snapshot!("loan_view", json(&loans[0]));
}

#[test]
fn a_renewable_loan_says_the_due_date_a_renewal_gives() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let copy = w.copy_at("honkan", "book");
    w.lib.checkout(&copy, p, "honkan").unwrap();
    w.go_to("2026-05-15");
    let loans = w.lib.patron_loans(p).unwrap();
    let renewal = serde_json::to_value(&loans[0]).unwrap()["renewal"].clone();
    assert_eq!(renewal["allowed"], Value::Bool(true), "{renewal}");
    assert!(renewal["due_on"].is_string() && renewal.get("reasons").is_none(), "{renewal}");
}

#[test]
fn a_refusal_is_a_list_of_reasons_tagged_by_reason() {
    let (mut w, p, _, _) = loan_with_a_hold_behind_it();
    w.go_to("2026-05-23");
    let loan = w.lib.patron_loans(p).unwrap()[0].loan.id;
    let Err(Error::Refused(refusal)) = w.lib.renew(p, loan) else { panic!("refused") };
    assert!(refusal.reasons.len() >= 2, "{refusal:?}");
    insta::assert_snapshot!("refusal", json(&refusal));
}

#[test]
fn a_hold_view_with_its_queue_position_and_actions() {
    let (w, _, q, _) = loan_with_a_hold_behind_it();
    let holds = w.lib.patron_holds(q).unwrap();
    insta::assert_snapshot!("hold_view", json(&holds[0]));
}

#[test]
fn a_check_in_with_the_route_to_the_waiting_hold() {
    let (mut w, _, _, copy) = loan_with_a_hold_behind_it();
    w.go_to("2026-05-10");
    let done = w.lib.check_in(&copy, "honkan").unwrap();
    insta::assert_snapshot!("check_in", json(&done));
}

#[test]
fn a_patron_has_no_password_or_session_in_it() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let text = json(&w.lib.patron(p).unwrap());
    for secret in ["argon2", "hash", "token", "session"] {
        assert!(!text.contains(secret), "{secret}: {text}");
    }
    insta::assert_snapshot!("patron", text);
}

#[test]
fn a_booklist_and_its_entries() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let t = w.title("銀河鉄道の夜");
    let list = w.lib.add_to_booklist(p, ListTarget::New("夏に読む".into()), t, "再読").unwrap();
    let lists = w.lib.booklists(p).unwrap();
    let entries = w.lib.booklist_entries(p, list).unwrap();
    insta::assert_snapshot!("booklist", format!("{}\n{}", json(&lists[0]), json(&entries)));
}

#[test]
fn a_password_reset_notice_serializes_without_its_code() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let p = w.patron();
    let card = w.lib.patron(p).unwrap().card_number.to_string();
    w.lib.register_email_at_counter(p, "hanako@example.jp", Some("pc")).unwrap();
    w.lib.request_password_reset(&card, "hanako@example.jp").unwrap();
    let notices = w.lib.pending_notices(10).unwrap();
    let notice = notices.iter().find(|n| n.kind == NoticeKind::PasswordReset).expect("a reset notice");
    let code = notice.body.lines().find_map(|l| l.strip_prefix("コード: ")).expect("a code line");
    assert!(notice.secret);

    let text = with_key_hidden(notice);
    assert!(!text.contains(code), "the code is not in the JSON: {text}");
    insta::assert_snapshot!("secret_notice", text);

    // Only when the host asks for the body in clear is the code in it.
    let mut clear = Vec::new();
    notice.serialize_in_clear(&mut serde_json::Serializer::new(&mut clear)).unwrap();
    let clear: Value = serde_json::from_slice(&clear).unwrap();
    assert!(clear["body"].as_str().is_some_and(|b| b.contains(code)), "{clear}");
    assert_eq!(clear["facts"]["code"], code, "in clear, the facts carry the code too");

    // The facts on their own serialize without the code as well, though the field holds it
    // (read back from the store), and their rendering's Debug form hides it (#16 review).
    let facts = notice.facts.as_ref().expect("facts");
    assert_eq!(facts.code.as_deref(), Some(code));
    let facts_json = serde_json::to_string(facts).unwrap();
    assert!(!facts_json.contains(code) && facts_json.contains("\"code\":null"), "{facts_json}");
    let rendered = notice.render(bunko::Lang::En).expect("rendered");
    assert!(rendered.body.contains(code));
    assert!(!format!("{rendered:?}").contains(code));
}

#[test]
fn inputs_read_from_json() {
    let request: HoldRequest = serde_json::from_str(
        r#"{"pickup": "honkan", "pickup_point": null, "contact": "phone", "channel": "web",
            "confirmation_to": null, "interlibrary": false}"#,
    )
    .unwrap();
    assert_eq!(request, HoldRequest::web("honkan", ContactMethod::Phone));
    let back: HoldRequest = serde_json::from_str(&json(&request)).unwrap();
    assert_eq!(back, request);
}

/// A patron's JSON cannot make its hold a counter or interlibrary hold: those are staff
/// decisions, and a counter hold skips the approval and reserve-now rules (#16 review).
#[test]
fn a_hold_request_from_json_is_always_the_patrons_web_request() {
    let request: HoldRequest = serde_json::from_str(
        r#"{"pickup": "honkan", "pickup_point": null, "contact": "phone", "channel": "counter",
            "confirmation_to": null, "interlibrary": true}"#,
    )
    .unwrap();
    assert_eq!(request, HoldRequest::web("honkan", ContactMethod::Phone));
    let minimal: HoldRequest =
        serde_json::from_str(r#"{"pickup": null, "pickup_point": null, "contact": "none", "confirmation_to": null}"#)
            .unwrap();
    assert_eq!(minimal.channel, bunko::policy::Channel::Web);
    assert!(!minimal.interlibrary);
}

/// A host reads the patron's language from a `?lang=` parameter or JSON (#16 review).
#[test]
fn a_language_reads_from_a_tag_and_json() {
    assert_eq!(serde_json::to_string(&bunko::Lang::Ja).unwrap(), "\"ja\"");
    assert_eq!(serde_json::from_str::<bunko::Lang>("\"en\"").unwrap(), bunko::Lang::En);
    assert_eq!("ja-JP".parse::<bunko::Lang>(), Ok(bunko::Lang::Ja));
    let err = "fr".parse::<bunko::Lang>().unwrap_err();
    assert_eq!(err.to_string(), "bunko writes messages in Japanese (ja) and English (en), not `fr`");
}
