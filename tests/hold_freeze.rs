//! #17: freezing holds (Koha "suspend", Evergreen "frozen"), renewing despite holds when other
//! copies can fill them (Koha `AllowRenewalIfOtherItemsAvailable`), and the wait estimate in
//! `patron_holds`. Every scenario ends with `check()` clean.

mod common;

use bunko::catalog::TitleId;
use bunko::circulation::CopyRoute;
use bunko::holds::{HoldId, HoldRequest, HoldState, HoldStatus};
use bunko::patrons::PatronId;
use bunko::policy::{ContactMethod, Reason};
use bunko::staff::{AuditAction, StaffActor};
use bunko::{Error, Policy};
use chrono::Days;
use common::{World, day};

fn counter(pickup: &str) -> HoldRequest {
    HoldRequest::web(pickup, ContactMethod::None).at_counter()
}

/// The staff member at the counter.
fn desk() -> StaffActor {
    StaffActor::new("desk-1").with_note("patron phoned from abroad")
}

fn reasons(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

fn healthy(w: &World) {
    let violations = w.lib.check().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}

fn view(w: &World, p: PatronId, h: HoldId) -> bunko::holds::HoldView {
    w.lib.patron_holds(p).unwrap().into_iter().find(|v| v.hold.id == h).expect("the hold is listed")
}

/// A title with one copy at honkan, lent to a third patron; returns the title and the barcode.
fn lent_title(w: &mut World) -> (TitleId, String) {
    let t = w.title("凍結の本");
    let c = w.copy_of(t, "honkan", "book");
    let borrower = w.patron();
    w.lib.checkout(&c, borrower, "honkan").unwrap();
    (t, c)
}

#[test]
fn a_frozen_hold_keeps_its_place_while_the_copy_goes_to_the_next_hold_then_thaws_on_its_date() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let (t, c) = lent_title(&mut w);
    let (a, b) = (w.patron(), w.patron());
    let ha = w.lib.place_hold(a, t, &counter("honkan")).unwrap();
    let hb = w.lib.place_hold(b, t, &counter("honkan")).unwrap();
    let thaw = day("2026-06-20");
    w.lib.freeze_hold(a, ha, Some(thaw)).unwrap();
    let va = view(&w, a, ha);
    assert!(va.frozen && va.hold.frozen && va.hold.frozen_until == Some(thaw));
    assert_eq!((va.state, va.queue_position), (HoldState::Waiting, Some(1)), "it keeps its place");
    // The copy comes back: A is frozen, so B gets it.
    let back = w.lib.check_in(&c, "honkan").unwrap();
    assert!(matches!(back.route, CopyRoute::HeldForPickup { hold, .. } if hold == hb), "{:?}", back.route);
    assert_eq!(w.lib.hold(ha).unwrap().status, HoldStatus::Waiting);
    healthy(&w);
    // B borrows and returns it before the thaw date: A is still frozen, the copy is shelved.
    w.lib.checkout(&c, b, "honkan").unwrap();
    w.go_to("2026-06-19");
    assert_eq!(w.lib.check_in(&c, "honkan").unwrap().route, CopyRoute::Shelved);
    assert!(w.lib.pull_list("honkan").unwrap().is_empty(), "the pull list passes a frozen hold over");
    // On the thaw date it is active again without any job: the pull list asks for the copy.
    w.go_to("2026-06-20");
    assert!(!view(&w, a, ha).frozen);
    let pull = w.lib.pull_list("honkan").unwrap();
    assert_eq!(pull.iter().map(|p| p.hold).collect::<Vec<_>>(), [ha]);
    let route = w.lib.confirm_pulled(&c, "honkan").unwrap();
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == ha), "{route:?}");
    healthy(&w);
}

#[test]
fn a_hold_frozen_until_lifted_is_passed_over_on_expiry_and_comes_back_when_lifted() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let (t, c) = lent_title(&mut w);
    let (a, b) = (w.patron(), w.patron());
    let hb = w.lib.place_hold(b, t, &counter("honkan")).unwrap();
    let ha = w.lib.place_hold(a, t, &counter("honkan")).unwrap();
    // B's hold becomes ready; A freezes until lifted; B does not collect, so expiry routes the
    // copy on: past the frozen A, to the shelf.
    assert!(matches!(w.lib.check_in(&c, "honkan").unwrap().route, CopyRoute::HeldForPickup { hold, .. } if hold == hb));
    w.lib.freeze_hold(a, ha, None).unwrap();
    assert_eq!(view(&w, a, ha).estimated_available_on, None, "no estimate while frozen until lifted");
    w.advance_days(30);
    let sweep = w.lib.expire_holds().unwrap();
    assert_eq!(sweep.expired, [hb]);
    assert_eq!(sweep.routes, [(c.clone(), CopyRoute::Shelved)]);
    assert!(view(&w, a, ha).frozen, "still frozen: no date ends it");
    healthy(&w);
    w.lib.unfreeze_hold(a, ha).unwrap();
    let v = view(&w, a, ha);
    assert!(!v.frozen && !v.hold.frozen && v.hold.frozen_until.is_none());
    assert_eq!(v.estimated_available_on, Some(w.today()), "the copy on the shelf is for A today");
    let route = w.lib.confirm_pulled(&c, "honkan").unwrap();
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == ha), "{route:?}");
    healthy(&w);
}

#[test]
fn only_a_queued_hold_is_frozen_and_a_frozen_hold_counts_toward_the_limit_r_h8_r_h3() {
    let mut policy = Policy::preset("chiba").unwrap();
    policy.holds.limits.total = Some(1);
    policy.holds.limits.per_kind.clear();
    let mut w = World::with_policy(policy, "2026-06-01");
    let branch = w.home();
    let p = w.patron();
    let t = w.title("本");
    let c = w.copy_of(t, &branch, "book");
    let h = w.lib.place_hold(p, t, &counter(&branch)).unwrap();
    w.lib.freeze_hold(p, h, Some(day("2026-06-10"))).unwrap();
    // R-H3: the frozen hold still counts.
    let t2 = w.title("二冊目");
    w.copy_of(t2, &branch, "book");
    let refused = reasons(w.lib.place_hold(p, t2, &counter(&branch)).unwrap_err());
    assert!(refused.iter().any(|r| matches!(r, Reason::HoldLimitReached { .. })), "{refused:?}");
    // Not before tomorrow, not for another patron.
    let today = w.today();
    assert!(matches!(w.lib.freeze_hold(p, h, Some(today)), Err(Error::InvalidInput { field: "until", .. })));
    let other = w.patron();
    assert!(matches!(w.lib.freeze_hold(other, h, None), Err(Error::NotFound { .. })));
    // A hold with its copy set aside is no longer queued: refused as the view says (R-H8).
    w.lib.unfreeze_hold(p, h).unwrap();
    w.lib.confirm_pulled(&c, &branch).unwrap();
    let v = view(&w, p, h);
    assert_eq!(v.state, HoldState::Ready);
    assert_eq!(v.actions.freeze.clone().unwrap_err().reasons, [Reason::HoldNotChangeable]);
    assert_eq!(reasons(w.lib.freeze_hold(p, h, None).unwrap_err()), [Reason::HoldNotChangeable]);
    assert_eq!(reasons(w.lib.freeze_hold_as_staff(&desk(), h, None).unwrap_err()), [Reason::HoldNotChangeable]);
    healthy(&w);
}

#[test]
fn max_freeze_days_bounds_a_patrons_freeze_but_not_staffs() {
    let mut policy = Policy::preset("kanagawa").unwrap();
    policy.holds.max_freeze_days = Some(30);
    let mut w = World::with_policy(policy, "2026-06-01");
    let (t, _) = lent_title(&mut w);
    let p = w.patron();
    let h = w.lib.place_hold(p, t, &counter("honkan")).unwrap();
    let limit = w.today().checked_add_days(Days::new(30)).unwrap();
    let too_far = limit.succ_opt().unwrap();
    assert!(matches!(w.lib.freeze_hold(p, h, None), Err(Error::InvalidInput { field: "until", .. })));
    assert!(matches!(w.lib.freeze_hold(p, h, Some(too_far)), Err(Error::InvalidInput { field: "until", .. })));
    assert!(!w.lib.hold(h).unwrap().frozen, "a refused freeze changes nothing");
    w.lib.freeze_hold(p, h, Some(limit)).unwrap();
    assert_eq!(w.lib.hold(h).unwrap().frozen_until, Some(limit));
    w.lib.freeze_hold_as_staff(&desk(), h, None).unwrap();
    let held = w.lib.hold(h).unwrap();
    assert!(held.frozen && held.frozen_until.is_none(), "staff may freeze until lifted");
    w.lib.unfreeze_hold_as_staff(&desk(), h).unwrap();
    assert!(!w.lib.hold(h).unwrap().frozen);
    healthy(&w);
}

#[test]
fn an_expired_card_may_not_freeze_or_lift_a_freeze_as_the_view_says_r_h8() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let (t, _) = lent_title(&mut w);
    let card = w.card();
    let expires = w.today().checked_add_days(Days::new(1)).unwrap();
    let p = w.lib.register_patron(bunko::patrons::NewPatron::new(card, "利用者", expires)).unwrap();
    let h = w.lib.place_hold(p, t, &counter("honkan")).unwrap();
    w.advance_days(2);
    let v = view(&w, p, h);
    let expired = Reason::CardExpired { expired_on: expires };
    assert_eq!(v.actions.freeze.clone().unwrap_err().reasons, std::slice::from_ref(&expired));
    assert_eq!(reasons(w.lib.freeze_hold(p, h, None).unwrap_err()), std::slice::from_ref(&expired));
    assert_eq!(reasons(w.lib.unfreeze_hold(p, h).unwrap_err()), [expired]);
    // Staff still may.
    w.lib.freeze_hold_as_staff(&desk(), h, None).unwrap();
    healthy(&w);
}

/// Two copies: one lent to the renewer, one on the shelf. kanagawa refuses renewals of held
/// titles (R-L3); with `allow_if_other_copies_available` the copy on the shelf serves one
/// waiting hold, not two; a frozen hold needs no copy now.
#[test]
fn a_loan_is_renewed_despite_holds_while_other_copies_on_the_shelf_cover_them_r_l3() {
    let mut policy = Policy::preset("kanagawa").unwrap();
    policy.loans.renewal.allow_if_other_copies_available = true;
    let mut w = World::with_policy(policy, "2026-06-01");
    let t = w.title("二部ある本");
    let lent = w.copy_of(t, "honkan", "book");
    w.copy_of(t, "honkan", "book");
    let renewer = w.patron();
    let loan = w.lib.checkout(&lent, renewer, "honkan").unwrap().id;
    let (y, z) = (w.patron(), w.patron());
    w.lib.place_hold(y, t, &counter("honkan")).unwrap();
    w.advance_days(3);
    let preview = w.lib.preview_renewal(renewer, loan).unwrap();
    assert!(preview.is_ok(), "one hold, one copy on the shelf: {preview:?}");
    let hz = w.lib.place_hold(z, t, &counter("honkan")).unwrap();
    let beyond = Reason::HeldByOthersBeyondCopies { holds: 2, copies: 1 };
    assert_eq!(w.lib.preview_renewal(renewer, loan).unwrap().unwrap_err().reasons, std::slice::from_ref(&beyond));
    let shown = w.lib.patron_loans(renewer).unwrap().pop().unwrap();
    assert_eq!(
        shown.renewal.unwrap_err().reasons,
        std::slice::from_ref(&beyond),
        "the loans view agrees with the preview"
    );
    assert_eq!(reasons(w.lib.renew(renewer, loan).unwrap_err()), [beyond]);
    // Z freezes: one waiting hold again, covered by the copy on the shelf.
    w.lib.freeze_hold(z, hz, Some(day("2026-07-01"))).unwrap();
    let preview = w.lib.preview_renewal(renewer, loan).unwrap();
    assert_eq!(w.lib.patron_loans(renewer).unwrap().pop().unwrap().renewal, preview);
    let due = w.lib.renew(renewer, loan).unwrap();
    assert_eq!(Ok(due), preview);
    healthy(&w);
}

#[test]
fn without_the_option_any_hold_by_others_refuses_a_renewal_as_before_r_l3() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let t = w.title("二部ある本");
    let lent = w.copy_of(t, "honkan", "book");
    w.copy_of(t, "honkan", "book");
    let renewer = w.patron();
    let loan = w.lib.checkout(&lent, renewer, "honkan").unwrap().id;
    let y = w.patron();
    w.lib.place_hold(y, t, &counter("honkan")).unwrap();
    w.advance_days(3);
    assert_eq!(reasons(w.lib.renew(renewer, loan).unwrap_err()), [Reason::HeldByOthers { holds: 1 }]);
}

/// The wait estimate (#17) on a hand-computed queue: one copy lent on June 1 (kanagawa: 21 days,
/// due June 22 unless closed), renewals refused while others wait, so each hold keeps the copy
/// 21 days: A on the due date, B 21 days later, C 42 days later; A freezing until lifted moves
/// B and C up one turn, and the estimate appears again when A lifts it.
#[test]
fn patron_holds_shows_the_queue_position_and_a_hand_computed_wait_estimate() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let t = w.title("人気の本");
    let c = w.copy_of(t, "honkan", "book");
    let borrower = w.patron();
    let due_on = w.lib.checkout(&c, borrower, "honkan").unwrap().due_on;
    let (a, b, cc) = (w.patron(), w.patron(), w.patron());
    let ha = w.lib.place_hold(a, t, &counter("honkan")).unwrap();
    let hb = w.lib.place_hold(b, t, &counter("honkan")).unwrap();
    let hc = w.lib.place_hold(cc, t, &counter("honkan")).unwrap();
    let plus = |n: u64| due_on.checked_add_days(Days::new(n)).unwrap();
    let shown = |w: &World| {
        [(a, ha), (b, hb), (cc, hc)].map(|(p, h)| {
            let v = view(w, p, h);
            (v.queue_position, v.estimated_available_on)
        })
    };
    assert_eq!(shown(&w), [(Some(1), Some(due_on)), (Some(2), Some(plus(21))), (Some(3), Some(plus(42)))]);
    w.lib.freeze_hold(a, ha, None).unwrap();
    assert_eq!(shown(&w), [(Some(1), None), (Some(2), Some(due_on)), (Some(3), Some(plus(21)))]);
    // A freeze with a date: A thaws on June 30, after the copy went to B on the due date, so A
    // gets it when B is done.
    w.lib.freeze_hold(a, ha, Some(day("2026-06-30"))).unwrap();
    assert_eq!(shown(&w), [(Some(1), Some(plus(21))), (Some(2), Some(due_on)), (Some(3), Some(plus(42)))]);
    healthy(&w);
}

/// `check()` reports a hold assigned a copy while frozen (written behind the engine's back), so
/// the "clean" assertions above cannot pass vacuously.
#[test]
fn check_reports_a_frozen_hold_holding_a_copy() {
    let (mut w, db) = World::on_temp_file("kanagawa", "2026-06-01");
    let p = w.patron();
    let t = w.title("本");
    let c = w.copy_of(t, "honkan", "book");
    let h = w.lib.place_hold(p, t, &counter("honkan")).unwrap();
    w.lib.confirm_pulled(&c, "honkan").unwrap();
    assert_eq!(w.lib.hold(h).unwrap().status, HoldStatus::Ready);
    healthy(&w);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE holds SET is_frozen = 1, frozen_until = '2026-07-01' WHERE id = ?1", [h.get()]).unwrap();
    let found: Vec<String> = w.lib.check().unwrap().into_iter().map(|v| v.invariant).collect();
    assert_eq!(found, ["a frozen hold is never assigned a copy"]);
    // Frozen until a day before it became ready is a freeze that had ended: sound.
    conn.execute("UPDATE holds SET frozen_until = '2026-06-01' WHERE id = ?1", [h.get()]).unwrap();
    healthy(&w);
}

/// V18 adds the freeze by `ALTER TABLE` on a database with holds in every stage: none is
/// frozen after the upgrade, the queue and the estimate read them, and they can be frozen.
#[test]
fn an_upgrade_keeps_every_hold_unfrozen_and_freezable() {
    use bunko::{FixedClock, Library};
    use chrono::{TimeZone, Utc};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    {
        let conn = common::database_at_version(&path, 10);
        conn.execute_batch(common::OLD_CATALOGUE).unwrap();
        conn.execute_batch(
            "INSERT INTO patrons (id, card_number, name, registered_on, expires_on, last_activity_on)
                 VALUES (1, '1000001', '宮沢 賢治', '2026-01-01', '2029-03-31', '2026-05-31'),
                        (2, '1000002', '千葉 花子', '2026-01-01', '2029-03-31', '2026-05-31');
             INSERT INTO loans (id, copy_id, title_id, patron_id, branch, status, checked_out_on, due_on)
                 VALUES (1, 2, 2, 2, 'chuo', 'active', '2026-05-20', '2026-06-03');
             INSERT INTO holds (id, patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch,
                                contact, copy_id, ready_on, pickup_deadline)
                 VALUES (40, 1, 1, 'book', 'counter', 'ready', '2026-05-01T00:00:00Z', 'chuo', 'none', 1,
                         '2026-05-30', '2026-06-06'),
                        (41, 1, 2, 'book', 'counter', 'waiting', '2026-05-02T00:00:00Z', 'chuo', 'none', NULL,
                         NULL, NULL);
             PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
    }
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 6, 1, 1, 0, 0).unwrap());
    let mut lib = Library::open(&path, Policy::preset("chiba").unwrap(), clock).unwrap();
    assert!(lib.check().unwrap().is_empty(), "{:?}", lib.check());
    let p = PatronId::from(1);
    let views = lib.patron_holds(p).unwrap();
    assert!(views.iter().all(|v| !v.frozen && !v.hold.frozen && v.hold.frozen_until.is_none()));
    let waiting = views.iter().find(|v| v.hold.id == HoldId::from(41)).unwrap();
    assert_eq!(waiting.estimated_available_on, Some(day("2026-06-03")), "the lent copy's due date");
    assert_eq!(views.iter().find(|v| v.hold.id == HoldId::from(40)).unwrap().estimated_available_on, None);
    lib.freeze_hold(p, HoldId::from(41), Some(day("2026-06-10"))).unwrap();
    assert_eq!(reasons(lib.freeze_hold(p, HoldId::from(40), None).unwrap_err()), [Reason::HoldNotChangeable]);
    assert!(lib.check().unwrap().is_empty());
}

/// The pure decision (#17): with the option, holds refuse only when the copies on the shelf for
/// them are fewer than the unfrozen ones; without it, any hold refuses (R-L3).
#[test]
fn the_renewal_decision_weighs_unfrozen_holds_against_copies_on_the_shelf() {
    use bunko::catalog::OpeningCalendar;
    use bunko::policy::{DueContext, RenewalFacts, renewal_decision};
    let mut policy = Policy::preset("kanagawa").unwrap();
    let rules = policy.rules_for("general", "book", "honkan");
    let calendar = OpeningCalendar::default();
    let at = DueContext {
        today: day("2026-06-10"),
        branch: "honkan",
        card_expires_on: day("2030-03-31"),
        calendar: &calendar,
    };
    let decide = |policy: &Policy, holds: u32, unfrozen: u32, copies: u32| {
        let facts = RenewalFacts {
            rules: &rules,
            due_on: day("2026-06-22"),
            renewals: 0,
            interlibrary: false,
            holds_by_others: holds,
            unfrozen_holds_by_others: unfrozen,
            copies_for_holds: copies,
            other_overdue_loans: 0,
            account: vec![],
            at,
        };
        renewal_decision(policy, &facts).map_err(|r| r.reasons)
    };
    assert_eq!(decide(&policy, 2, 1, 1).unwrap_err(), [Reason::HeldByOthers { holds: 2 }], "option off");
    policy.loans.renewal.allow_if_other_copies_available = true;
    assert!(decide(&policy, 2, 1, 1).is_ok(), "one unfrozen hold, one copy");
    assert!(decide(&policy, 2, 0, 0).is_ok(), "frozen holds need no copy now");
    assert_eq!(decide(&policy, 3, 2, 1).unwrap_err(), [Reason::HeldByOthersBeyondCopies { holds: 2, copies: 1 }]);
    assert!(decide(&policy, 0, 0, 0).is_ok());
}

/// The wait estimate (#17) on the V16 layout (an assigned hold's row stays `waiting`, its
/// assignment says ready): a hold whose copy is on the hold shelf is not in the queue any
/// more, so the next hold is first and gets that copy once its holder has had it for the
/// turnaround (kanagawa: 21 days from today), not a turn later.
#[test]
fn a_ready_hold_ahead_is_not_counted_in_the_queue_of_the_wait_estimate() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let t = w.title("取置の本");
    let c = w.copy_of(t, "honkan", "book");
    let (a, b) = (w.patron(), w.patron());
    let ha = w.lib.place_hold(a, t, &counter("honkan")).unwrap();
    w.lib.confirm_pulled(&c, "honkan").unwrap();
    assert_eq!(w.lib.hold(ha).unwrap().status, HoldStatus::Ready);
    let hb = w.lib.place_hold(b, t, &counter("honkan")).unwrap();
    let v = view(&w, b, hb);
    assert_eq!((v.queue_position, v.estimated_available_on), (Some(1), Some(day("2026-06-22"))));
    healthy(&w);
}

/// A staff freeze and its lifting each write an audit row, in the same transaction, naming
/// the hold, its patron and until when while the hold lives; when the hold ends the rows keep
/// only when, who and what (R-R1). A refused or malformed staff freeze writes nothing.
#[test]
fn staff_freezes_are_audited_and_forgotten_with_the_hold_r_r1() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let (t, _) = lent_title(&mut w);
    let p = w.patron();
    let h = w.lib.place_hold(p, t, &counter("honkan")).unwrap();
    let until = day("2026-06-20");
    let audit =
        |w: &World| w.lib.audit_log(chrono::DateTime::UNIX_EPOCH, w.lib.now() + chrono::Duration::days(1)).unwrap();
    assert!(matches!(
        w.lib.freeze_hold_as_staff(&StaffActor::new(" "), h, Some(until)),
        Err(Error::InvalidInput { field: "staff", .. })
    ));
    assert!(!w.lib.hold(h).unwrap().frozen && audit(&w).is_empty(), "a malformed actor changes nothing");

    w.lib.freeze_hold_as_staff(&desk(), h, Some(until)).unwrap();
    w.lib.unfreeze_hold_as_staff(&desk(), h).unwrap();
    let rows = audit(&w);
    let seen: Vec<_> = rows.iter().map(|r| (r.action, r.staff.as_str(), r.detail.as_str(), r.patron, r.hold)).collect();
    assert_eq!(
        seen,
        [
            (AuditAction::HoldFrozen, "desk-1", "until 2026-06-20", Some(p), Some(h)),
            (AuditAction::HoldUnfrozen, "desk-1", "", Some(p), Some(h)),
        ]
    );
    assert_eq!(rows[0].note, "patron phoned from abroad");

    w.lib.cancel_hold(p, h).unwrap();
    let stripped = audit(&w);
    assert_eq!(stripped.len(), 2);
    assert!(
        stripped.iter().all(|r| r.patron.is_none() && r.hold.is_none() && r.note.is_empty()),
        "after the hold ends nothing links the patron: {stripped:#?}"
    );
    healthy(&w);
}
