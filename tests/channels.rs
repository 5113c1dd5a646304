//! Patron flags and contact channels are open sets named in the policy (#15 items 2 and 10):
//! 「視覚障害者 → 郵送」 and an SMS channel need a policy, not code.

mod common;

use std::collections::BTreeSet;

use bunko::catalog::TitleId;
use bunko::holds::{HoldRequest, HoldState};
use bunko::notify::{Notice, NoticeKind};
use bunko::patrons::{HoldDefaults, NewPatron, PatronId};
use bunko::policy::{Channel, ContactFacts, ContactMethod, Reason, contact_reasons};
use bunko::{Error, FixedClock, Library, Policy};
use chrono::{TimeZone, Utc};
use common::{World, day};

/// Shizuoka's policy (phone, mail, voice, none) where post is for patrons registered as
/// visually impaired, an SMS channel reaches a registered phone, an app's push needs nothing
/// bunko keeps, and a bounced mail falls back to SMS.
const SHIZUOKA_WITH_CHANNELS: &str = r#"
[flags.visually_impaired]
label = "視覚に障害のある方"

[contact.channels.sms]
label = "SMS(ショートメッセージ)"
needs = "phone"

[contact.channels.app_push]
label = "アプリ通知"
needs = "nothing"
"#;

fn policy() -> Policy {
    let text = Policy::preset_toml("shizuoka").unwrap();
    let methods = r#"methods = [{ method = "phone" }, { method = "mail" }, { method = "voice" }, { method = "none" }]"#;
    assert!(text.contains(methods), "fixture text not in shizuoka.toml");
    let open = r#"methods = [{ method = "phone" }, { method = "mail" }, { method = "voice" }, { method = "none" },
    { method = "post", requires = "visually_impaired" }, { method = "sms" }, { method = "app_push" }]
bounce_fallback = "sms""#;
    Policy::from_toml(&(text.replacen(methods, open, 1) + SHIZUOKA_WITH_CHANNELS)).unwrap()
}

fn method(code: &str) -> ContactMethod {
    code.parse().unwrap()
}

fn reasons(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

/// A patron with the given flags, and the usual mobile phone unless `phone` is false.
fn patron(w: &mut World, flags: &[&str], phone: bool) -> PatronId {
    let p = if phone {
        w.patron()
    } else {
        let card = w.card();
        w.lib.register_patron(NewPatron::new(card, "電話なし", day("2029-01-01"))).unwrap()
    };
    w.lib.set_patron_flags(p, &flags.iter().map(|f| f.to_string()).collect()).unwrap();
    p
}

fn title_on_loan(w: &mut World) -> TitleId {
    let t = w.title("貸出中の本");
    let c = w.copy_of(t, "chuo", "book");
    let borrower = w.patron();
    w.lib.checkout(&c, borrower, "chuo").unwrap();
    t
}

fn hold(w: &mut World, p: PatronId, contact: &str) -> Result<bunko::holds::HoldId, Error> {
    let t = title_on_loan(w);
    w.lib.place_hold(p, t, &HoldRequest::web("chuo", method(contact)))
}

#[test]
fn post_is_for_flagged_patrons_and_sms_needs_a_phone() {
    let mut w = World::with_policy(policy(), "2026-06-01");
    let plain = patron(&mut w, &[], true);
    let flagged = patron(&mut w, &["visually_impaired"], true);
    let flagged_phoneless = patron(&mut w, &["visually_impaired"], false);
    let phoneless = patron(&mut w, &[], false);
    let restricted = Reason::ContactRestricted { method: ContactMethod::Post, requires: "visually_impaired".into() };

    assert_eq!(reasons(hold(&mut w, plain, "post").unwrap_err()), std::slice::from_ref(&restricted));
    assert!(hold(&mut w, flagged, "post").is_ok());
    assert!(hold(&mut w, flagged_phoneless, "post").is_ok(), "a postcard needs no phone");
    assert_eq!(reasons(hold(&mut w, phoneless, "post").unwrap_err()), [restricted]);

    assert!(hold(&mut w, plain, "sms").is_ok());
    assert!(hold(&mut w, flagged, "sms").is_ok());
    assert_eq!(reasons(hold(&mut w, flagged_phoneless, "sms").unwrap_err()), [Reason::NoPhoneNumber]);
    assert_eq!(reasons(hold(&mut w, phoneless, "sms").unwrap_err()), [Reason::NoPhoneNumber]);

    assert!(hold(&mut w, phoneless, "app_push").is_ok(), "the host reaches the app by its own means");
    let line = method("line");
    assert_eq!(reasons(hold(&mut w, plain, "line").unwrap_err()), [Reason::ContactNotOffered { method: line }]);
}

#[test]
fn an_sms_ready_notice_lands_in_the_outbox_with_channel_sms() {
    let mut w = World::with_policy(policy(), "2026-06-01");
    let p = w.patron(); // chosen phone 090-0000-0000
    let q = w.patron();
    let (t, u) = (w.title("銀河鉄道の夜"), w.title("風の又三郎"));
    let (c, d) = (w.copy_of(t, "chuo", "book"), w.copy_of(u, "chuo", "book"));
    let sms = w.lib.place_hold(p, t, &HoldRequest::web("chuo", method("sms")).at_counter()).unwrap();
    let push = w.lib.place_hold(q, u, &HoldRequest::web("chuo", method("app_push")).at_counter()).unwrap();
    let h = w.lib.hold(sms).unwrap();
    assert_eq!((&h.contact, h.contact_phone.as_deref()), (&method("sms"), Some("090-0000-0000")), "R-C4");
    w.lib.confirm_pulled_all(&[&c, &d], "chuo").unwrap();

    let ready = |hold| {
        let notices = w.lib.pending_notices(10).unwrap();
        notices.into_iter().find(|n| n.hold == Some(hold) && n.kind == NoticeKind::HoldReady).unwrap()
    };
    let n: Notice = ready(sms);
    assert_eq!((n.channel.code(), n.address.as_deref(), n.patron), ("sms", Some("090-0000-0000"), Some(p)));
    assert!(n.subject.contains("予約資料のご用意ができました") && n.body.contains("銀河鉄道の夜"), "{n:?}");
    assert!(n.body.contains("取置期限: "), "rendered like every plain-text notice: {}", n.body);
    let n = ready(push);
    assert_eq!((n.channel.code(), n.address.as_deref()), ("app_push", None));
    assert!(n.body.contains("風の又三郎"));
    w.lib.mark_delivered(&[n.id]).unwrap();
    assert_eq!(w.lib.patron_holds(q).unwrap()[0].state, HoldState::Notified);
}

#[test]
fn a_bounced_mail_falls_back_to_the_sms_channel_r_c6() {
    let mut w = World::with_policy(policy(), "2026-06-01");
    let mail = w.ready_mail_hold("chuo", "bounce@example.jp", None); // chosen phone 090-0000-0000
    assert_eq!(mail.channel, ContactMethod::Mail);
    let fallback = w.lib.mark_bounced(mail.id).unwrap().expect("an SMS notice");
    let sms = w.lib.pending_notices(10).unwrap().into_iter().find(|n| n.id == fallback).unwrap();
    assert_eq!((sms.channel.code(), sms.address.as_deref()), ("sms", Some("090-0000-0000")));
    assert_eq!(sms.body, mail.body);
}

#[test]
fn a_declared_channel_is_a_default_contact_and_prefills_holds_r_c5() {
    let mut w = World::with_policy(policy(), "2026-06-01");
    let p = w.patron();
    let phoneless = patron(&mut w, &[], false);
    let defaults = HoldDefaults { contact: Some(method("sms")), ..HoldDefaults::default() };
    w.lib.set_hold_defaults(p, &defaults).unwrap();
    assert_eq!(w.lib.patron(p).unwrap().default_contact, Some(method("sms")));
    assert_eq!(w.lib.prefilled_hold_request(p).unwrap().contact, method("sms"));
    assert_eq!(reasons(w.lib.set_hold_defaults(phoneless, &defaults).unwrap_err()), [Reason::NoPhoneNumber]);
}

#[test]
fn a_flag_the_policy_does_not_declare_is_refused_naming_it() {
    let mut w = World::with_policy(policy(), "2026-06-01");
    let card = w.card();
    let mut np = NewPatron::new(card, "聴覚 太郎", day("2029-01-01"));
    np.flags = BTreeSet::from(["hearing_impaired".to_owned(), "visually_impaired".to_owned()]);
    let err = w.lib.register_patron(np).unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field: "flags", reason } if reason.contains("`hearing_impaired`")),
        "{err}"
    );
    let p = w.patron();
    let err = w.lib.set_patron_flags(p, &BTreeSet::from(["Visually Impaired".to_owned()])).unwrap_err();
    assert!(matches!(&err, Error::InvalidInput { field: "flags", reason } if reason.contains("Visually Impaired")));
    assert_eq!(w.lib.patron(p).unwrap().flags, BTreeSet::new(), "nothing changed");
    let flags = BTreeSet::from(["visually_impaired".to_owned()]);
    w.lib.set_patron_flags(p, &flags).unwrap();
    assert_eq!(w.lib.patron(p).unwrap().flags, flags);
    w.lib.set_patron_flags(p, &BTreeSet::new()).unwrap();
    assert_eq!(w.lib.patron(p).unwrap().flags, BTreeSet::new());
}

/// A library that stops declaring a flag still opens its database; the stored flag stays with
/// the patron, and no decision counts it.
#[test]
fn a_flag_no_longer_declared_is_kept_but_satisfies_nothing() {
    let (mut w, db) = World::on_temp_file("shizuoka", "2026-06-01");
    drop(w);
    w = World::on_file_with_policy(policy(), "2026-06-01", &db.path);
    let p = patron(&mut w, &["visually_impaired"], true);
    drop(w);
    let w = World::on_file("shizuoka", "2026-06-01", &db.path);
    assert_eq!(w.lib.patron(p).unwrap().flags, BTreeSet::from(["visually_impaired".to_owned()]));
    // A policy built in code, never validated, whose post names the flag it no longer declares.
    let mut undeclared = policy();
    undeclared.flags.clear();
    let facts = ContactFacts { flags: w.lib.patron(p).unwrap().flags, has_email: false, has_phone: true };
    assert_eq!(
        contact_reasons(&undeclared, Channel::Counter, &ContactMethod::Post, &facts),
        [Reason::ContactRestricted { method: ContactMethod::Post, requires: "visually_impaired".into() }]
    );
    assert_eq!(contact_reasons(&policy(), Channel::Counter, &ContactMethod::Post, &facts), []);
}

#[test]
fn flags_and_channels_round_trip_through_toml() {
    let p = policy();
    assert_eq!(Policy::from_toml(&p.to_toml().unwrap()).unwrap(), p);
}

/// A library upgraded from schema V10 keeps its hearing-impaired patron's registration (now
/// the flag `hearing_impaired`), its holds with their contact methods, the notices about them,
/// and never reuses the id of a hold collected before the upgrade.
#[test]
fn an_upgrade_from_v10_keeps_the_flag_the_holds_and_their_notices() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    {
        let conn = common::database_at_version(&path, 10);
        conn.execute_batch(common::OLD_CATALOGUE).unwrap();
        conn.execute_batch(
            "INSERT INTO patrons (id, card_number, name, is_hearing_impaired, registered_on, expires_on,
                                  last_activity_on, default_contact)
                 VALUES (1, '1000001', '聴覚 太郎', 1, '2026-01-01', '2029-03-31', '2026-05-31', 'post'),
                        (2, '1000002', '千葉 花子', 0, '2026-01-01', '2029-03-31', '2026-05-31', NULL);
             INSERT INTO patron_phones VALUES (2, 0, 'mobile', '090-1111-2222', 1);
             INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
                 VALUES (1, 2, 2, 2, 'chuo', 'active', '2026-05-20', '2026-06-03');
             INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch,
                                contact, contact_phone, copy_id, ready_on, pickup_deadline)
                 VALUES (40, 1, 1, 'book', 'counter', 'ready', '2026-05-01T00:00:00Z', 'chuo', 'post', NULL, 1,
                         '2026-05-30', '2026-06-06'),
                        (41, 1, 2, 'book', 'web', 'waiting', '2026-05-02T00:00:00Z', 'chuo', 'post', NULL, NULL,
                         NULL, NULL),
                        (42, 2, 1, 'book', 'counter', 'waiting', '2026-05-03T00:00:00Z', 'chuo', 'fax',
                         '090-1111-2222', NULL, NULL, NULL);
             INSERT INTO notices (patron_id, kind, channel, hold_id, subject, body, created_at)
                 VALUES (1, 'hold_ready', 'post', 40, '予約資料のご用意ができました', '銀河鉄道の夜', '2026-05-30T01:00:00Z');
             -- A hold collected before the upgrade: its id is spent.
             INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch,
                                contact)
                 VALUES (57, 2, 2, 'book', 'counter', 'waiting', '2026-04-01T00:00:00Z', 'chuo', 'phone');
             DELETE FROM holds WHERE id = 57;
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock).unwrap();
    assert_eq!(lib.schema_version().unwrap(), bunko::supported_schema_version());
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
    let (deaf, other) = (PatronId::from(1), PatronId::from(2));
    let registered = lib.patron(deaf).unwrap();
    assert_eq!(registered.flags, BTreeSet::from(["hearing_impaired".to_owned()]));
    assert_eq!(registered.default_contact, Some(ContactMethod::Post));
    assert_eq!(lib.patron(other).unwrap().flags, BTreeSet::new());

    let mut holds: Vec<_> = [deaf, other].into_iter().flat_map(|p| lib.patron_holds(p).unwrap()).collect();
    holds.sort_by_key(|v| v.hold.id);
    let kept: Vec<(i64, &str, Option<&str>, HoldState)> = holds
        .iter()
        .map(|v| (v.hold.id.get(), v.hold.contact.code(), v.hold.contact_phone.as_deref(), v.state))
        .collect();
    assert_eq!(
        kept,
        [
            (40, "post", None, HoldState::Ready),
            (41, "post", None, HoldState::Waiting),
            (42, "fax", Some("090-1111-2222"), HoldState::Waiting)
        ]
    );
    let holds: Vec<_> = holds.into_iter().map(|v| v.hold).collect();
    assert_eq!(holds[0].pickup_deadline, Some(day("2026-06-06")));
    let notices = lib.pending_notices(10).unwrap();
    assert_eq!(notices.len(), 1);
    assert_eq!((notices[0].hold, notices[0].channel.code()), (Some(holds[0].id), "post"));

    // The flag still decides: post is the registered patron's, not the other's.
    let t = lib.add_title(bunko::catalog::NewTitle::new("よだかの星")).unwrap();
    lib.add_copy(bunko::catalog::NewCopy::new("C000003", t, "chuo", "book")).unwrap();
    let post = HoldRequest::web("chuo", ContactMethod::Post).at_counter();
    let placed = lib.place_hold(deaf, t, &post).unwrap();
    assert!(placed.get() > 57, "hold ids are never reused: {}", placed.get());
    assert_eq!(
        reasons(lib.place_hold(other, t, &post).unwrap_err()),
        [Reason::ContactRestricted { method: ContactMethod::Post, requires: "hearing_impaired".into() }]
    );
    // The unique partial indexes still hold: one active hold per patron and title.
    assert_eq!(reasons(lib.place_hold(deaf, t, &post).unwrap_err()), [Reason::AlreadyHolding]);
    // Collecting the ready hold still works through the rebuilt tables.
    lib.checkout("C000001", deaf, "chuo").unwrap();
    assert!(lib.pending_notices(10).unwrap().is_empty(), "the ready notice went with its hold");
    assert!(lib.check().unwrap().is_empty());
}
