//! Staff operations with an audit trail (#17, feature 4): renewing on a patron's behalf,
//! overriding named refusal reasons, editing a copy's flags, marking a copy lost, damaged or
//! withdrawn (its hold back in the queue at its old place), and an audit log that forgets the
//! patron when the loan or hold ends (R-R1), down to the bytes of the file.

mod common;

use std::path::{Path, PathBuf};

use bunko::Error;
use bunko::catalog::{CopyStatus, NewCopy};
use bunko::circulation::CopyRoute;
use bunko::holds::{Hold, HoldRequest, HoldStatus};
use bunko::patrons::{NewPatron, PatronId};
use bunko::policy::{ContactMethod, Override, Reason};
use bunko::staff::{AuditAction, AuditEntry, CopyCondition, CopyEdit, StaffActor};
use chrono::{DateTime, Duration, Utc};
use common::{World, day};

fn kato() -> StaffActor {
    StaffActor::new("kato").with_note("patron phoned")
}

fn reasons(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

fn invalid(e: Error) -> &'static str {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected invalid input, got {other}"),
    }
}

/// Every audit entry so far.
fn log(w: &World) -> Vec<AuditEntry> {
    w.lib.audit_log(DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC).unwrap()
}

fn assert_healthy(w: &World) {
    let violations = w.lib.check().unwrap();
    assert!(violations.is_empty(), "{violations:#?}");
}

/// A title with one copy at `branch`, lent to a new patron: `(patron, loan, barcode)`.
fn lent(w: &mut World, branch: &str) -> (PatronId, bunko::circulation::LoanId, String) {
    let p = w.patron();
    let c = w.copy_at(branch, "book");
    let loan = w.lib.checkout(&c, p, branch).unwrap();
    (p, loan.id, c)
}

#[test]
fn chiba_staff_renew_on_the_patrons_behalf_by_the_same_rules_r_l2() {
    let mut w = World::new("chiba", "2026-06-01");
    let (p, loan, c) = lent(&mut w, "chuo");
    w.go_to("2026-06-10");
    let due = w.lib.renew_for_patron(&kato(), loan).unwrap();
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.due_on, due);
    // chiba renews once: the second time is refused as the patron's own renewal would be.
    let refused = w.lib.renew_for_patron(&kato(), loan).unwrap_err();
    assert_eq!(reasons(refused), [Reason::RenewalLimitReached { limit: 1 }]);
    let entries = log(&w);
    assert_eq!(entries.len(), 1, "a refused action writes nothing");
    let e = &entries[0];
    assert_eq!((e.action, e.staff.as_str(), e.note.as_str()), (AuditAction::Renewal, "kato", "patron phoned"));
    assert_eq!((e.patron, e.loan, e.copy), (Some(p), Some(loan), Some(w.copy_id(&c))));
    assert!(e.overridden.is_empty());
    assert_healthy(&w);
}

#[test]
fn chiba_an_override_names_exactly_the_reasons_it_overrides_r_l3() {
    let mut w = World::new("chiba", "2026-06-01");
    let (p, loan, c) = lent(&mut w, "chuo");
    let t = w.lib.copy_by_barcode(&c).unwrap().title;
    let other = w.patron();
    w.lib.place_hold(other, t, &HoldRequest::web("chuo", ContactMethod::None).at_counter()).unwrap();
    w.lib.renew(p, loan).unwrap_err();
    w.go_to("2026-06-10");
    // Held by another patron: naming nothing is invalid, naming the wrong reason too.
    assert_eq!(invalid(w.lib.override_renewal(&kato(), loan, &[]).unwrap_err()), "overrides");
    let wrong = w.lib.override_renewal(&kato(), loan, &[Override::Overdue]).unwrap_err();
    assert_eq!(reasons(wrong), [Reason::HeldByOthers { holds: 1 }], "the reason not named still refuses");
    let extra = w.lib.override_renewal(&kato(), loan, &[Override::HeldByOthers, Override::Overdue]).unwrap_err();
    assert_eq!(invalid(extra), "overrides", "overdue does not apply: staff must look again");
    let due = w.lib.override_renewal(&kato(), loan, &[Override::HeldByOthers]).unwrap();
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.due_on, due);
    // Renewed once now: both reasons apply, both must be named.
    w.go_to("2026-06-20");
    let once = w.lib.override_renewal(&kato(), loan, &[Override::HeldByOthers]).unwrap_err();
    assert_eq!(reasons(once), [Reason::RenewalLimitReached { limit: 1 }]);
    w.lib.override_renewal(&kato(), loan, &[Override::RenewalLimitReached, Override::HeldByOthers]).unwrap();
    let entries = log(&w);
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0].action, AuditAction::OverrideRenewal);
    assert_eq!(entries[0].overridden, [Override::HeldByOthers]);
    assert_eq!(entries[1].overridden, [Override::HeldByOthers, Override::RenewalLimitReached]);
    assert_healthy(&w);
}

#[test]
fn chiba_a_blocked_card_or_a_lent_copy_is_never_overridden() {
    let mut w = World::new("chiba", "2026-06-01");
    let (_, _, c) = lent(&mut w, "chuo");
    let p = w.patron();
    let on_loan = w.lib.override_checkout(&kato(), &c, p, "chuo", &[Override::CheckoutLimitReached]).unwrap_err();
    assert!(reasons(on_loan).contains(&Reason::CopyOnLoan));
    assert_eq!(Override::of(&Reason::PatronBlocked), None, "staff lift a block, they do not override it");
    assert_eq!(Override::of(&Reason::CopyHeldForAnotherPatron), None);
    assert!(log(&w).is_empty());
}

#[test]
fn chiba_staff_lend_a_not_for_loan_copy_by_overriding_it_and_the_return_strips_the_row_r_r1() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let t = w.title("郷土資料");
    let mut copy = NewCopy::new("REF1", t, "chuo", "book");
    copy.loanable = false;
    w.lib.add_copy(copy).unwrap();
    assert_eq!(reasons(w.lib.checkout("REF1", p, "chuo").unwrap_err()), [Reason::CopyNotLoanable]);
    let loan = w.lib.override_checkout(&kato(), "REF1", p, "chuo", &[Override::CopyNotLoanable]).unwrap();
    assert_eq!(loan.due_on, day("2026-06-15"), "the kind's loan period");
    let e = &log(&w)[0];
    assert_eq!((e.action, e.patron, e.loan), (AuditAction::OverrideCheckout, Some(p), Some(loan.id)));
    assert_eq!(e.overridden, [Override::CopyNotLoanable]);
    assert_healthy(&w);

    w.lib.check_in("REF1", "chuo").unwrap();
    let e = &log(&w)[0];
    assert_eq!((e.patron, e.loan, e.hold, e.copy), (None, None, None, None), "R-R1: nothing names the patron");
    assert_eq!(e.note, "", "the note may name the patron: it goes too");
    assert_eq!((e.action, e.staff.as_str()), (AuditAction::OverrideCheckout, "kato"));
    assert_eq!(e.overridden, [Override::CopyNotLoanable], "what was overridden stays");
    assert_healthy(&w);
}

#[test]
fn chiba_a_hold_over_the_limit_placed_by_staff_and_its_row_stripped_when_it_ends_r_h3() {
    let mut w = World::new("chiba", "2026-06-01");
    let p = w.patron();
    let counter = HoldRequest::web("chuo", ContactMethod::None).at_counter();
    for i in 0..5 {
        let t = w.title(&format!("本{i}"));
        w.copy_of(t, "seibu", "book");
        w.lib.place_hold(p, t, &counter).unwrap();
    }
    let sixth = w.title("六冊目");
    w.copy_of(sixth, "seibu", "book");
    let refused = w.lib.place_hold(p, sixth, &counter).unwrap_err();
    assert_eq!(reasons(refused), [Reason::HoldLimitReached { kind: None, limit: 5 }]);
    let web = HoldRequest::web("chuo", ContactMethod::None);
    let hold = w.lib.override_hold(&kato(), p, sixth, &web, &[Override::HoldLimitReached]).unwrap();
    assert_eq!(w.lib.hold(hold).unwrap().status, HoldStatus::Waiting, "a counter hold needs no approval");
    let e = &log(&w)[0];
    assert_eq!((e.action, e.patron, e.hold), (AuditAction::OverrideHold, Some(p), Some(hold)));
    assert_healthy(&w); // over the limit by design: check() knows from the audit row

    w.lib.cancel_hold_as_staff(hold, "no longer needed").unwrap();
    let e = &log(&w)[0];
    assert_eq!((e.patron, e.hold), (None, None));
    assert_healthy(&w);
}

#[test]
fn chiba_editing_a_copys_flags_checks_the_policy_and_where_the_copy_is() {
    let mut w = World::new("chiba", "2026-06-01");
    let c = w.copy_at("chuo", "book");
    let to = |branch: &str| CopyEdit { branch: Some(branch.into()), ..CopyEdit::default() };
    let kind = CopyEdit { material_kind: Some("vinyl".into()), ..CopyEdit::default() };
    assert_eq!(invalid(w.lib.edit_copy(&kato(), &c, &kind).unwrap_err()), "material_kind");
    assert!(matches!(w.lib.edit_copy(&kato(), &c, &to("nowhere")).unwrap_err(), Error::NotFound { .. }));
    assert_eq!(invalid(w.lib.edit_copy(&kato(), &c, &CopyEdit::default()).unwrap_err()), "edit");

    let edit = CopyEdit { loanable: Some(false), interlibrary: Some(true), ..to("seibu") };
    let copy = w.lib.edit_copy(&kato(), &c, &edit).unwrap();
    assert_eq!((copy.loanable, copy.interlibrary, copy.branch.as_str()), (false, true, "seibu"));
    let e = &log(&w)[0];
    assert_eq!((e.action, e.copy, e.patron), (AuditAction::CopyEdited, Some(copy.id), None));
    assert_eq!(e.detail, "loanable: true -> false; interlibrary: false -> true; branch: chuo -> seibu");

    // A lent copy may change its flags but not its branch; a copy set aside for a hold neither.
    let (_, _, lent_copy) = lent(&mut w, "chuo");
    assert_eq!(reasons(w.lib.edit_copy(&kato(), &lent_copy, &to("tobu")).unwrap_err()), [Reason::CopyOnLoan]);
    let ill = CopyEdit { interlibrary: Some(true), ..CopyEdit::default() };
    w.lib.edit_copy(&kato(), &lent_copy, &ill).unwrap();
    let t = w.lib.copy_by_barcode(&lent_copy).unwrap().title;
    let p = w.patron();
    w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::None).at_counter()).unwrap();
    w.lib.check_in(&lent_copy, "chuo").unwrap();
    let held = w.lib.edit_copy(&kato(), &lent_copy, &ill).unwrap_err();
    assert_eq!(reasons(held), [Reason::CopyUnavailable { status: CopyStatus::OnHoldShelf }]);
    assert_healthy(&w);
}

/// Two holds on one title with two copies: the first hold's copy is ready on the hold shelf.
/// Returns `(first hold, second hold, ready copy, other copy)`.
fn ready_and_waiting(w: &mut World) -> (bunko::holds::HoldId, bunko::holds::HoldId, String, String) {
    let t = w.title("人気の本");
    let ready = w.copy_of(t, "chuo", "book");
    let other = w.copy_of(t, "seibu", "book");
    let (a, b) = (w.patron(), w.patron());
    let borrower = w.patron();
    w.lib.checkout(&other, borrower, "seibu").unwrap();
    let counter = HoldRequest::web("chuo", ContactMethod::None).at_counter();
    let first = w.lib.place_hold(a, t, &counter).unwrap();
    w.clock.advance(Duration::minutes(5));
    let second = w.lib.place_hold(b, t, &counter).unwrap();
    w.lib.confirm_pulled(&ready, "chuo").unwrap();
    assert_eq!(w.lib.hold(first).unwrap().status, HoldStatus::Ready);
    (first, second, ready, other)
}

#[test]
fn chiba_a_copy_lost_on_the_hold_shelf_sends_its_hold_back_to_its_old_place() {
    let mut w = World::new("chiba", "2026-06-01");
    let (first, second, ready, other) = ready_and_waiting(&mut w);
    let marked = w.lib.mark_copy(&kato(), &ready, CopyCondition::Lost).unwrap();
    assert_eq!((marked.requeued, marked.closed_loan), (Some(first), None));
    let h = w.lib.hold(first).unwrap();
    assert_eq!((h.status, h.copy, h.pickup_deadline), (HoldStatus::Waiting, None, None));
    assert_eq!(w.lib.copy_by_barcode(&ready).unwrap().status, CopyStatus::Missing);
    assert_eq!(w.lib.copy_condition(&ready).unwrap(), Some(CopyCondition::Lost));
    assert_healthy(&w);
    // Its old place: the other copy, returned, goes to it and not to the hold placed after it.
    match w.lib.check_in(&other, "seibu").unwrap().route {
        CopyRoute::InTransitForHold { hold, .. } => assert_eq!(hold, first),
        route => panic!("expected the first hold, got {route:?}"),
    }
    assert_eq!(w.lib.hold(second).unwrap().status, HoldStatus::Waiting);
    // Found again: back into circulation where it is, to the next hold in the queue.
    match w.lib.restore_copy(&kato(), &ready, "chuo").unwrap() {
        CopyRoute::HeldForPickup { hold, .. } => assert_eq!(hold, second),
        route => panic!("expected the second hold, got {route:?}"),
    }
    assert_eq!(w.lib.copy_condition(&ready).unwrap(), None);
    let actions: Vec<AuditAction> = log(&w).iter().map(|e| e.action).collect();
    assert_eq!(actions, [AuditAction::CopyLost, AuditAction::CopyAvailable]);
    assert!(log(&w).iter().all(|e| e.patron.is_none() && e.hold.is_none()), "copy actions name no patron");
    assert_healthy(&w);
}

/// A patron told their copy is ready hears that it is not when staff mark it lost, and the
/// hold is back in the queue; a ready notice still in the outbox is withdrawn instead, and
/// that patron, never told, gets nothing (#17: no silent requeue).
#[test]
fn chiba_a_patron_told_their_copy_was_ready_hears_it_was_lost() {
    use bunko::notify::NoticeKind;
    let mut w = World::new("chiba", "2026-06-01");
    let ready = w.ready_mail_hold("chuo", "ko@example.jp", None);
    assert_eq!(ready.kind, NoticeKind::HoldReady);
    let (told, copy) = {
        let h = w.lib.hold(ready.hold.unwrap()).unwrap();
        (h.id, w.lib.copy(h.copy.unwrap()).unwrap().barcode)
    };
    w.lib.mark_delivered(&[ready.id]).unwrap();
    w.lib.mark_copy(&kato(), &copy, CopyCondition::Lost).unwrap();
    let notices = w.lib.pending_notices(10).unwrap();
    let kinds: Vec<_> = notices.iter().map(|n| (n.kind, n.hold)).collect();
    assert_eq!(kinds, [(NoticeKind::HoldRequeued, Some(told))]);
    assert!(notices[0].body.contains("紛失・破損などのため貸し出せなくなりました"), "{}", notices[0].body);
    assert!(!notices[0].facts.as_ref().unwrap().loan_cancelled, "no loan began for a copy on the hold shelf");
    assert_eq!(w.lib.hold(told).unwrap().status, HoldStatus::Waiting);
    w.lib.mark_delivered(&[notices[0].id]).unwrap();

    let unsent = w.ready_mail_hold("chuo", "otsu@example.jp", None);
    let copy = w.lib.copy(w.lib.hold(unsent.hold.unwrap()).unwrap().copy.unwrap()).unwrap().barcode;
    w.lib.mark_copy(&kato(), &copy, CopyCondition::Damaged).unwrap();
    assert!(w.lib.pending_notices(10).unwrap().is_empty(), "the unsent ready notice went, and no other came");

    // Claimed by a drainer, perhaps sent, not yet marked: the patron may have heard "ready".
    let claimed = w.ready_mail_hold("chuo", "hei@example.jp", None);
    assert_eq!(w.lib.claim_notices(10, std::time::Duration::from_secs(60)).unwrap().len(), 1);
    let copy = w.lib.copy(w.lib.hold(claimed.hold.unwrap()).unwrap().copy.unwrap()).unwrap().barcode;
    w.lib.mark_copy(&kato(), &copy, CopyCondition::Withdrawn).unwrap();
    let kinds: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| (n.kind, n.hold)).collect();
    assert_eq!(kinds, [(NoticeKind::HoldRequeued, claimed.hold)]);
    assert_healthy(&w);
}

#[test]
fn chiba_a_requeued_hold_finds_the_next_copy_on_a_shelf_through_the_pull_list() {
    let mut w = World::new("chiba", "2026-06-01");
    let (first, _, ready, other) = ready_and_waiting(&mut w);
    w.lib.check_in(&other, "seibu").unwrap(); // the second hold takes it, in transit
    let spare = w.copy_of(w.lib.hold(first).unwrap().title, "tobu", "book");
    w.lib.mark_copy(&kato(), &ready, CopyCondition::Damaged).unwrap();
    let pull = w.lib.pull_list("tobu").unwrap();
    assert_eq!(pull.iter().map(|i| (i.hold, i.barcode.as_str())).collect::<Vec<_>>(), [(first, spare.as_str())]);
    w.lib.confirm_pulled(&spare, "tobu").unwrap();
    assert_eq!(w.lib.hold(first).unwrap().status, HoldStatus::InTransit);
    assert_healthy(&w);
}

#[test]
fn chiba_a_copy_lost_in_transit_for_a_hold_sends_the_hold_back_to_the_queue() {
    let mut w = World::new("chiba", "2026-06-01");
    let t = w.title("回送中の本");
    let c = w.copy_of(t, "seibu", "book");
    let p = w.patron();
    let hold = w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::None).at_counter()).unwrap();
    w.lib.confirm_pulled(&c, "seibu").unwrap();
    assert_eq!(w.lib.hold(hold).unwrap().status, HoldStatus::InTransit);
    assert_eq!(w.lib.mark_copy(&kato(), &c, CopyCondition::Lost).unwrap().requeued, Some(hold));
    assert_eq!(w.lib.hold(hold).unwrap().status, HoldStatus::Waiting);
    assert_eq!(w.lib.copy_by_barcode(&c).unwrap().status, CopyStatus::Missing);
    assert_healthy(&w);
}

#[test]
fn chiba_a_copy_lost_on_loan_closes_the_loan_as_a_return_r_r1() {
    let mut w = World::new("chiba", "2026-06-01");
    let (p, loan, c) = lent(&mut w, "chuo");
    w.go_to("2026-06-10");
    w.lib.renew_for_patron(&kato(), loan).unwrap();
    let damaged = w.lib.mark_copy(&kato(), &c, CopyCondition::Damaged).unwrap_err();
    assert_eq!(reasons(damaged), [Reason::CopyOnLoan], "check it in first");
    let marked = w.lib.mark_copy(&kato(), &c, CopyCondition::Lost).unwrap();
    assert_eq!(marked.closed_loan, Some((loan, p)), "the desk is told");
    assert!(w.lib.patron_loans(p).unwrap().is_empty());
    let day = w.today();
    let counts = w.lib.daily_circulation(day, day).unwrap();
    assert_eq!((counts[0].checkouts, counts[0].returns), (0, 1), "counted as the day's return");
    let entries = log(&w);
    assert_eq!(entries[0].patron, None, "the renewal's row is stripped with the loan");
    assert_eq!(
        (entries[1].action, entries[1].patron, entries[1].detail.as_str()),
        (AuditAction::CopyLost, None, "its loan was closed")
    );
    assert_eq!(entries[1].note, "", "the staff note may name the borrower: not kept beside the copy");
    assert_eq!(reasons(w.lib.check_in(&c, "chuo").unwrap_err()), [Reason::NotOnLoan]);
    assert_healthy(&w);
}

#[test]
fn chiba_damaged_copies_come_back_and_withdrawn_ones_do_not() {
    let mut w = World::new("chiba", "2026-06-01");
    let c = w.copy_at("chuo", "book");
    w.lib.mark_copy(&kato(), &c, CopyCondition::Damaged).unwrap();
    assert_eq!(w.lib.copy_by_barcode(&c).unwrap().status, CopyStatus::Withdrawn);
    let p = w.patron();
    let refused = w.lib.checkout(&c, p, "chuo").unwrap_err();
    assert_eq!(reasons(refused), [Reason::CopyUnavailable { status: CopyStatus::Withdrawn }]);
    let again = w.lib.mark_copy(&kato(), &c, CopyCondition::Damaged).unwrap_err();
    assert_eq!(reasons(again), [Reason::CopyUnavailable { status: CopyStatus::Withdrawn }]);
    assert_eq!(w.lib.restore_copy(&kato(), &c, "seibu").unwrap(), CopyRoute::InTransit { to: "chuo".into() });
    w.lib.receive_copy(&c, "chuo").unwrap();
    w.lib.mark_copy(&kato(), &c, CopyCondition::Withdrawn).unwrap();
    let final_ = w.lib.restore_copy(&kato(), &c, "chuo").unwrap_err();
    assert_eq!(reasons(final_), [Reason::CopyUnavailable { status: CopyStatus::Withdrawn }]);
    assert!(w.lib.mark_copy(&kato(), &c, CopyCondition::Lost).is_err(), "withdrawn for good");
    assert_healthy(&w);
}

#[test]
fn a_staff_id_is_required_and_the_log_reads_by_time() {
    let mut w = World::new("chiba", "2026-06-01");
    let c = w.copy_at("chuo", "book");
    let nobody = StaffActor::new("  ");
    assert_eq!(invalid(w.lib.mark_copy(&nobody, &c, CopyCondition::Lost).unwrap_err()), "staff");
    let too_long = StaffActor::new("x".repeat(65));
    assert_eq!(invalid(w.lib.mark_copy(&too_long, &c, CopyCondition::Lost).unwrap_err()), "staff");
    let before = w.lib.now();
    w.lib.mark_copy(&kato(), &c, CopyCondition::Lost).unwrap();
    w.advance_days(1);
    w.lib.restore_copy(&kato(), &c, "chuo").unwrap();
    let first_day = w.lib.audit_log(before, before + Duration::hours(1)).unwrap();
    assert_eq!(first_day.iter().map(|e| e.action).collect::<Vec<_>>(), [AuditAction::CopyLost]);
    assert_eq!(log(&w).len(), 2);
    assert_eq!(invalid(w.lib.audit_log(before, before - Duration::hours(1)).unwrap_err()), "to");
}

#[cfg(feature = "serde")]
#[test]
fn an_audit_entry_serializes_with_its_reason_codes() {
    let mut w = World::new("chiba", "2026-06-01");
    let (p, loan, _) = lent(&mut w, "chuo");
    w.go_to("2026-06-10");
    w.lib.override_renewal(&kato(), loan, &[Override::RenewalLimitReached]).unwrap_err();
    w.lib.renew(p, loan).unwrap();
    w.go_to("2026-06-11"); // a renewal the same day would not extend the loan
    w.lib.override_renewal(&kato(), loan, &[Override::RenewalLimitReached]).unwrap();
    let json = serde_json::to_value(&log(&w)[0]).unwrap();
    assert_eq!(json["action"], "override_renewal");
    assert_eq!(json["overridden"], serde_json::json!(["renewal_limit_reached"]));
    assert_eq!(json["patron"], p.get());
}

/// An audit row left naming an ended hold (broken behind the engine's back: ending a hold
/// strips it) does not keep the daily purge from deleting the hold, which V23's references
/// would otherwise refuse: the purge strips it first, and `check()` is clean after (R-R1).
#[test]
fn the_purge_strips_an_audit_row_an_ended_hold_kept_r_r1() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let p = w.patron();
    let t = w.title("本");
    w.copy_of(t, "seibu", "book");
    let hold = w.lib.place_hold(p, t, &HoldRequest::web("chuo", ContactMethod::None).at_counter()).unwrap();
    w.lib.freeze_hold_as_staff(&kato(), hold, None).unwrap();
    w.lib.cancel_hold(p, hold).unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE audit SET patron_id = ?1, hold_id = ?2, note = 'n'", [p.get(), hold.get()]).unwrap();
    assert!(!w.lib.check().unwrap().is_empty(), "the row is reported");
    w.advance_days(400);
    assert_eq!(w.lib.purge_ended_holds().unwrap(), 1);
    assert!(log(&w).iter().all(|e| e.patron.is_none() && e.hold.is_none() && e.note.is_empty()));
    assert_healthy(&w);
}

/// `check()` finds an audit row that outlives its loan (broken behind the engine's back), so
/// the "check() is empty" assertions above cannot pass vacuously.
#[test]
fn check_reports_an_audit_row_that_outlives_its_loan_r_r1() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let (_, loan, c) = lent(&mut w, "chuo");
    w.go_to("2026-06-10");
    w.lib.renew_for_patron(&kato(), loan).unwrap();
    let copy = w.copy_id(&c);
    assert_healthy(&w);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute_batch("PRAGMA foreign_keys = OFF; DELETE FROM loans;").unwrap();
    conn.execute(
        "INSERT INTO audit (at, staff, action, copy_id, note) VALUES ('2026-06-10 01:00:00+00:00', 'x', 'renewal', ?1, 'n')",
        [copy.get()],
    )
    .unwrap();
    let found: Vec<String> = w.lib.check().unwrap().into_iter().map(|v| v.invariant).collect();
    for expected in [
        "an audit row names a patron only while its loan or hold is live (R-R1)",
        "an audit row about a loan or hold keeps no link once it has ended (R-R1)",
    ] {
        assert!(found.iter().any(|f| f == expected), "`{expected}` not reported; found {found:?}");
    }
    let n = found.iter().filter(|f| f.starts_with("an audit row about")).count();
    assert_eq!(n, 2, "the dangling loan link and the renewal row keeping its copy and note");
}

// --- R-R1 at the byte level, as tests/trust.rs does it ---------------------------------

/// A patron id no other value in the file will share (a 6-byte integer in every row).
const MARKED_PATRON: i64 = 0x6A1C_5E3B_2D47;

fn bytes_of(id: i64) -> [u8; 6] {
    let b = id.to_be_bytes();
    [b[2], b[3], b[4], b[5], b[6], b[7]]
}

fn raw_files(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(PathBuf::from(format!("{}-wal", db.display()))) {
        bytes.extend(wal);
    }
    bytes
}

fn occurrences(haystack: &[u8], needle: &[u8]) -> usize {
    haystack.windows(needle.len()).filter(|w| *w == needle).count()
}

/// Staff renew on the patron's behalf and override a refusal, with notes naming the patron;
/// after the return and the scrub, neither the database nor the WAL holds a byte of the
/// patron's id beyond its own rows, nor the notes.
#[test]
fn after_return_and_scrub_no_audit_byte_links_the_patron_r_r1() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-06-01");
    let card = w.card();
    let p = w.lib.register_patron(NewPatron::new(card.clone(), "監査 対象子", day("2029-03-31"))).unwrap();
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE patrons SET id = ?1 WHERE id = ?2", [MARKED_PATRON, p.get()]).unwrap();
    drop(conn);
    let p = w.lib.patron_by_card(&card).unwrap().id;
    assert_eq!(p.get(), MARKED_PATRON);
    assert!(w.lib.scrub().unwrap().wal_truncated);
    let baseline = occurrences(&raw_files(&db.path), &bytes_of(MARKED_PATRON));

    let note = "監査メモ-田中様の延長";
    let by = StaffActor::new("kato").with_note(note);
    let c = w.copy_at("chuo", "book");
    let loan = w.lib.checkout(&c, p, "chuo").unwrap();
    w.go_to("2026-06-10");
    w.lib.renew_for_patron(&by, loan.id).unwrap();
    w.go_to("2026-06-20");
    w.lib.override_renewal(&by, loan.id, &[Override::RenewalLimitReached]).unwrap();
    let raw = raw_files(&db.path);
    assert!(occurrences(&raw, note.as_bytes()) > 0, "the note is in the files while the loan is live");
    w.lib.check_in(&c, "chuo").unwrap();
    assert_healthy(&w);

    assert!(w.lib.scrub().unwrap().wal_truncated);
    drop(w);
    let raw = raw_files(&db.path);
    assert_eq!(occurrences(&raw, &bytes_of(MARKED_PATRON)), baseline, "the patron's id is left in the files");
    assert_eq!(occurrences(&raw, note.as_bytes()), 0, "the note is left in the files");
}

/// An override never lets a renewal through that would not extend the loan: the engine's
/// guard is not a reason staff can name (#17 review; kanagawa's renewal on the checkout day).
#[test]
fn an_override_cannot_renew_a_loan_without_extending_it() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let t = w.title("本");
    let barcode = w.copy_of(t, "honkan", "book");
    let loan = w.lib.checkout(&barcode, p, "honkan").unwrap();
    let other = w.patron();
    w.lib.place_hold(other, t, &HoldRequest::web("honkan", ContactMethod::None).at_counter()).unwrap();
    let err = w.lib.override_renewal(&kato(), loan.id, &[Override::HeldByOthers]).unwrap_err();
    assert_eq!(reasons(err), [Reason::WouldNotExtend { due_on: loan.due_on, new_due_on: loan.due_on }]);
    let renewals: Vec<u32> = w.lib.patron_loans(p).unwrap().iter().map(|v| v.loan.renewals).collect();
    assert_eq!(renewals, [0], "no renewal used");
    assert!(w.lib.audit_log(chrono::DateTime::UNIX_EPOCH, w.lib.now() + chrono::Duration::days(1)).unwrap().is_empty());
}

/// Where other copies may serve waiting holds, a renewal refused because they cannot is
/// overridden like any held renewal (#17 review).
#[test]
fn held_beyond_the_other_copies_is_overridden_as_held_by_others() {
    assert_eq!(Override::of(&Reason::HeldByOthersBeyondCopies { holds: 2, copies: 1 }), Some(Override::HeldByOthers));
}

/// fukushima: the copy of a hold picked up at a municipal library goes out on loan at
/// dispatch (R-H12). A copy on loan, `t`'s only one, whose check-in at `pref` sends it to
/// `p`'s hold at `muni-example` (its community-centre pickup point), mailed to both of `p`'s
/// addresses; `q` waits behind `p`. Returns the patrons, the title, the copy and `p`'s hold as
/// it was before the dispatch.
fn dispatched_to_a_partner(w: &mut World) -> (PatronId, PatronId, bunko::catalog::TitleId, String, Hold) {
    let (p, q, borrower) = (w.patron(), w.patron(), w.patron());
    w.lib.register_email_at_counter(p, "p@example.jp", None).unwrap();
    w.lib.register_email_at_counter(p, "p2@example.jp", None).unwrap();
    w.lib.register_email_at_counter(q, "q@example.jp", None).unwrap();
    let t = w.title("県立の本");
    let copy = w.copy_of(t, "pref", "book");
    w.lib.checkout(&copy, borrower, "pref").unwrap();
    let mut request = HoldRequest::web("muni-example", ContactMethod::Mail).at_counter();
    request.pickup_point = Some("community-center".into());
    let hold = w.lib.place_hold(p, t, &request).unwrap();
    let hold = w.lib.hold(hold).unwrap();
    w.lib.place_hold(q, t, &HoldRequest::web("pref", ContactMethod::Mail).at_counter()).unwrap();
    let done = w.lib.check_in(&copy, "pref").unwrap();
    assert!(matches!(done.route, CopyRoute::DispatchedOnLoan { .. }), "{:?}", done.route);
    assert!(w.lib.patron_holds(p).unwrap().is_empty(), "the loan replaced the hold");
    (p, q, t, copy, hold)
}

/// A copy lost on its way to the municipal library never reached the patron: the loan closes
/// as a return does, and the hold it was dispatched for comes back as it was (same id, first in
/// the queue again, same pickup point and contact); having been told of the dispatch (here at
/// one of their two addresses), the patron is told of the requeue at each (R-H12, #17). The
/// audit row of the loss does not say whose request came back (R-R1).
#[test]
fn fukushima_a_copy_lost_on_its_way_to_a_municipal_pickup_gives_the_hold_back_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, q, t, copy, hold) = dispatched_to_a_partner(&mut w);
    let dispatched: Vec<_> = w.lib.pending_notices(10).unwrap();
    assert_eq!(dispatched.len(), 2, "one per address: {dispatched:?}");
    w.lib.mark_delivered(&[dispatched[1].id]).unwrap();
    w.go_to("2026-06-02");
    let marked = w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    let Some((_, borrower)) = marked.closed_loan else { panic!("{marked:?}") };
    assert_eq!((borrower, marked.requeued), (p, Some(hold.id)));
    assert!(w.lib.patron_loans(p).unwrap().is_empty());
    let views = w.lib.patron_holds(p).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!((&views[0].hold, views[0].hold.title), (&hold, t), "the hold as it was before the dispatch");
    assert_eq!(hold.pickup_point.as_deref(), Some("community-center"));
    assert_eq!(views[0].queue_position, Some(1), "back at its old place");
    assert_eq!(w.lib.patron_holds(q).unwrap()[0].queue_position, Some(2));
    let told: Vec<_> = w.lib.pending_notices(10).unwrap();
    assert!(told.iter().all(|n| n.kind == bunko::notify::NoticeKind::HoldRequeued), "{told:?}");
    // Told the loan began at dispatch, the patron is told it is cancelled.
    let facts = told[0].facts.clone().unwrap();
    assert!(facts.loan_cancelled, "{facts:?}");
    assert!(told[0].body.contains("発送の日からの貸出は取り消しました"), "{}", told[0].body);
    let mut to: Vec<_> = told.iter().map(|n| n.address.clone().unwrap_or_default()).collect();
    to.sort();
    assert_eq!(to, ["p2@example.jp", "p@example.jp"]);
    let lost = log(&w).into_iter().find(|e| e.action == AuditAction::CopyLost).unwrap();
    assert_eq!(
        (lost.detail.as_str(), lost.patron, lost.hold),
        ("lost on the way to a partner library's pickup; its loan was cancelled", None, None)
    );
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// A dispatch notice still in the outbox never reached the patron: it goes with the loan, and
/// the hold comes back without a requeue notice.
#[test]
fn fukushima_a_copy_lost_before_the_patron_heard_of_it_gives_the_hold_back_quietly_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, _, _, copy, hold) = dispatched_to_a_partner(&mut w);
    let marked = w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    assert_eq!(marked.requeued, Some(hold.id));
    assert!(w.lib.pending_notices(10).unwrap().is_empty(), "{:?}", w.lib.pending_notices(10));
    assert_eq!(w.lib.patron_holds(p).unwrap().len(), 1);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// Once the patron has collected the copy (`confirm_pickup`), it was not lost on the way: the
/// statement is refused and nothing changes; marked lost, the loss is theirs, as with any loan,
/// and no hold comes back. A loan dispatched without a hold gives nothing back either.
#[test]
fn fukushima_a_collected_or_holdless_dispatch_gives_nothing_back_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, _, _, copy, _) = dispatched_to_a_partner(&mut w);
    let loan = w.lib.patron_loans(p).unwrap()[0].loan.id;
    w.lib.confirm_pickup(loan).unwrap();
    assert_eq!(reasons(w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap_err()), [Reason::NotOnItsWay]);
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.id, loan, "the loan is still open");
    assert_eq!((w.lib.copy_condition(&copy).unwrap(), log(&w).len()), (None, 0), "nothing written");
    let marked = w.lib.mark_copy(&kato(), &copy, CopyCondition::Lost).unwrap();
    assert_eq!((marked.closed_loan.map(|(_, b)| b), marked.requeued), (Some(p), None));
    assert!(w.lib.patron_holds(p).unwrap().is_empty());

    let r = w.patron();
    let t = w.title("直接送る本");
    let direct = w.copy_of(t, "pref", "book");
    w.lib.dispatch_loan(&direct, r, "muni-example").unwrap();
    let marked = w.lib.mark_lost_on_the_way(&kato(), &direct).unwrap();
    assert_eq!((marked.closed_loan.map(|(_, b)| b), marked.requeued), (Some(r), None));
    assert!(w.lib.patron_holds(r).unwrap().is_empty());
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// A patron who holds the title again already (the API refuses it while they borrow it, so
/// here it is written behind the engine's back) keeps that hold: nothing comes back, and the
/// marking does not fail on the one-active-hold-per-title index.
#[test]
fn fukushima_a_requeue_never_duplicates_an_active_hold_r_h12() {
    let (mut w, db) = World::on_temp_file("fukushima", "2026-06-01");
    let (p, _, t, copy, _) = dispatched_to_a_partner(&mut w);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute(
        "INSERT INTO holds (patron_id, title_id, material_kind, channel, status, placed_at, pickup_branch, contact)
         VALUES (?1, ?2, 'book', 'counter', 'waiting', '2026-06-01 01:00:00+00:00', 'pref', 'mail')",
        [p.get(), t.get()],
    )
    .unwrap();
    let marked = w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    assert_eq!(marked.requeued, None);
    assert_eq!(w.lib.patron_holds(p).unwrap().len(), 1);
}

/// `check()` finds a dispatched hold kept past its loan's collection (written behind the
/// engine's back: `confirm_pickup` deletes it), and one whose id a live hold has.
#[test]
fn check_reports_a_dispatched_hold_kept_too_long_r_r1() {
    let (mut w, db) = World::on_temp_file("fukushima", "2026-06-01");
    let (_, _, _, _, hold) = dispatched_to_a_partner(&mut w);
    assert_healthy(&w);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    conn.execute("UPDATE loans SET status = 'active' WHERE status = 'in_transit'", []).unwrap();
    let found: Vec<String> = w.lib.check().unwrap().into_iter().map(|v| v.detail).collect();
    assert!(found.iter().any(|d| d.ends_with(&format!("is active and keeps hold {}", hold.id.get()))), "{found:?}");
}

/// A patron with a mail address, and a copy on the hold shelf at the prefectural library for
/// their hold there (as it was before the check-in set it aside); its ready notice is pending.
fn ready_here_for_a_patron(w: &mut World) -> (PatronId, String, Hold) {
    let (p, borrower) = (w.patron(), w.patron());
    w.lib.register_email_at_counter(p, "p@example.jp", None).unwrap();
    let t = w.title("手で送る本");
    let copy = w.copy_of(t, "pref", "book");
    w.lib.checkout(&copy, borrower, "pref").unwrap();
    let hold = w.lib.place_hold(p, t, &HoldRequest::web("pref", ContactMethod::Mail).at_counter()).unwrap();
    let hold = w.lib.hold(hold).unwrap();
    w.lib.check_in(&copy, "pref").unwrap();
    (p, copy, hold)
}

/// Staff dispatching a held copy by hand (`dispatch_loan`) keep the hold as the check-in's
/// routing does: lost on the way, it comes back with its own pickup, not the loan's branch.
#[test]
fn fukushima_a_hold_dispatched_by_hand_comes_back_too_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, copy, hold) = ready_here_for_a_patron(&mut w);
    w.lib.dispatch_loan(&copy, p, "muni-example").unwrap();
    assert!(w.lib.patron_holds(p).unwrap().is_empty(), "the loan fulfils the hold");
    let marked = w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    assert_eq!(marked.requeued, Some(hold.id));
    assert_eq!(w.lib.patron_holds(p).unwrap()[0].hold, hold);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// Staff say the copy never arrived, and they are believed even when the loan was renewed (the
/// patron may renew before collecting) or is overdue (the loss was noticed late): the hold comes
/// back. bunko infers nothing from the loan.
#[test]
fn fukushima_a_renewed_or_overdue_dispatch_lost_on_the_way_still_gives_the_hold_back_r_h12() {
    for renewed in [true, false] {
        let mut w = World::new("fukushima", "2026-06-01");
        let held = dispatched_to_a_partner(&mut w);
        let (p, copy) = (held.0, held.3.clone());
        let loan = w.lib.patron_loans(p).unwrap()[0].loan.clone();
        if renewed {
            w.go_to("2026-06-10");
            w.lib.override_renewal(&kato(), loan.id, &[Override::HeldByOthers]).unwrap();
        } else {
            let overdue = loan.due_on + chrono::Days::new(1);
            w.go_to(&overdue.to_string());
        }
        let (_, _, _, _, hold) = held;
        let marked = w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
        assert_eq!(
            (marked.closed_loan.map(|(_, b)| b), marked.requeued),
            (Some(p), Some(hold.id)),
            "renewed: {renewed}"
        );
        assert_eq!(w.lib.patron_holds(p).unwrap()[0].hold, hold);
        // The dispatch notice was never sent; a renewal shows the patron knew of the loan, so
        // they hear it is cancelled (at each of their addresses). Overdue and never told, they
        // hear nothing.
        let kinds: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| n.kind).collect();
        let told = if renewed { vec![bunko::notify::NoticeKind::HoldRequeued; 2] } else { vec![] };
        assert_eq!(kinds, told, "renewed: {renewed}");
        assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
    }
}

/// A hold given back may leave the patron above the hold limit (they placed others while the
/// copy travelled): it met the limit when placed, so `check()` does not count it (R-H3).
#[test]
fn fukushima_a_hold_given_back_above_the_limit_is_healthy_r_h3() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, _, _, copy, _) = dispatched_to_a_partner(&mut w);
    for i in 0..10 {
        let t = w.title(&format!("ほかの本 {i}"));
        let c = w.copy_of(t, "pref", "book");
        let borrower = w.patron();
        w.lib.checkout(&c, borrower, "pref").unwrap();
        w.lib.place_hold(p, t, &HoldRequest::web("pref", ContactMethod::Mail).at_counter()).unwrap();
    }
    w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    assert_eq!(w.lib.patron_holds(p).unwrap().len(), 11);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// A dispatched copy that the patron lost (staff mark it lost, not lost on the way): the loan
/// closes as a return does, the kept hold goes with it (R-R1), the request stays met, and the
/// patron is told nothing.
#[test]
fn fukushima_a_dispatched_copy_the_patron_lost_gives_nothing_back_r_h12() {
    let (mut w, db) = World::on_temp_file("fukushima", "2026-06-01");
    let (p, _, _, copy, _) = dispatched_to_a_partner(&mut w);
    let ids: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| n.id).collect();
    w.lib.mark_delivered(&ids).unwrap();
    let marked = w.lib.mark_copy(&kato(), &copy, CopyCondition::Lost).unwrap();
    assert_eq!((marked.closed_loan.map(|(_, b)| b), marked.requeued), (Some(p), None));
    assert!(w.lib.patron_holds(p).unwrap().is_empty());
    assert!(w.lib.pending_notices(10).unwrap().is_empty(), "{:?}", w.lib.pending_notices(10));
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    assert_eq!(conn.query_row("SELECT COUNT(*) FROM dispatched_holds", [], |r| r.get::<_, i64>(0)).unwrap(), 0);
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}

/// Only a copy on a dispatched loan can be lost on the way (`is_on_its_way` says which): one
/// on the shelf or on an ordinary loan is refused, one withdrawn with every reason, and
/// nothing is written.
#[test]
fn fukushima_only_a_dispatched_copy_is_lost_on_the_way_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let t = w.title("館内の本");
    let (shelf, lent, gone) =
        (w.copy_of(t, "pref", "book"), w.copy_of(t, "pref", "book"), w.copy_of(t, "pref", "book"));
    let borrower = w.patron();
    w.lib.checkout(&lent, borrower, "pref").unwrap();
    w.lib.mark_copy(&kato(), &gone, CopyCondition::Withdrawn).unwrap();
    let before = log(&w).len();
    for barcode in [&shelf, &lent] {
        assert!(!w.lib.is_on_its_way(barcode).unwrap());
        assert_eq!(reasons(w.lib.mark_lost_on_the_way(&kato(), barcode).unwrap_err()), [Reason::NotOnItsWay]);
        assert_eq!(w.lib.copy_condition(barcode).unwrap(), None);
    }
    let every = reasons(w.lib.mark_lost_on_the_way(&kato(), &gone).unwrap_err());
    assert_eq!(every, [Reason::CopyUnavailable { status: CopyStatus::Withdrawn }, Reason::NotOnItsWay]);
    assert_eq!(w.lib.patron_loans(borrower).unwrap().len(), 1);
    assert_eq!(log(&w).len(), before, "no audit row for a refused statement");
    assert!(matches!(w.lib.mark_lost_on_the_way(&kato(), "NO-SUCH"), Err(Error::NotFound { .. })));
    assert!(matches!(w.lib.is_on_its_way("NO-SUCH"), Err(Error::NotFound { .. })));
}

/// A copy travelling between branches for a hold has no loan: "lost on the way" is refused
/// (the message says which loans it is for), and `mark_copy` sends the hold back to the queue.
#[test]
fn chiba_a_copy_lost_in_transit_for_a_hold_is_not_lost_on_the_way_r_h12() {
    let mut w = World::new("chiba", "2026-06-01");
    let (_, second, _, other) = ready_and_waiting(&mut w);
    let route = w.lib.check_in(&other, "seibu").unwrap().route;
    assert!(matches!(route, CopyRoute::InTransitForHold { hold, .. } if hold == second), "{route:?}");
    assert!(!w.lib.is_on_its_way(&other).unwrap());
    let refused = w.lib.mark_lost_on_the_way(&kato(), &other).unwrap_err();
    assert!(refused.to_string().contains("loan begun at dispatch"), "{refused}");
    let marked = w.lib.mark_copy(&kato(), &other, CopyCondition::Lost).unwrap();
    assert_eq!((marked.requeued, marked.loan_cancelled), (Some(second), false));
}

/// The loan of a copy lost on the way is cancelled, not lost by the borrower: `CopyMarked`
/// says so (a billing host bills nobody), the audit row says "lost on the way" without naming
/// anyone, and the title leaves the patron's reading history, since they never had it.
#[test]
fn fukushima_a_loan_lost_on_the_way_is_cancelled_not_lost_by_the_patron_r_h12_r_r1() {
    let mut policy = bunko::Policy::preset("fukushima").unwrap();
    policy.reading.history_offered = true;
    let mut w = World::with_policy(policy, "2026-06-01");
    let (p, _, _, copy, _) = dispatched_to_a_partner(&mut w);
    w.lib.opt_in_reading_history(p, true).unwrap();
    // The history starts at opting in: dispatch another copy to have an entry.
    let t = w.title("届かない本");
    let lost = w.copy_of(t, "pref", "book");
    w.lib.dispatch_loan(&lost, p, "muni-example").unwrap();
    assert_eq!(w.lib.reading_history(p, 10, 0).unwrap().len(), 1);
    assert!(w.lib.is_on_its_way(&lost).unwrap());
    let marked = w.lib.mark_lost_on_the_way(&kato(), &lost).unwrap();
    assert!(marked.loan_cancelled && marked.closed_loan.is_some(), "{marked:?}");
    assert!(w.lib.reading_history(p, 10, 0).unwrap().is_empty(), "never had it, never read it");
    let entry = log(&w).into_iter().find(|e| e.action == AuditAction::CopyLost).unwrap();
    assert_eq!(entry.detail, "lost on the way to a partner library's pickup; its loan was cancelled");
    assert_eq!((entry.patron, entry.loan, entry.hold, entry.note.as_str()), (None, None, None, ""));
    // A copy the borrower collected and lost is theirs.
    let loan = w.lib.patron_loans(p).unwrap().into_iter().find(|v| v.loan.barcode == copy).unwrap().loan.id;
    w.lib.confirm_pickup(loan).unwrap();
    assert!(!w.lib.is_on_its_way(&copy).unwrap());
    let marked = w.lib.mark_copy(&kato(), &copy, CopyCondition::Lost).unwrap();
    assert!(!marked.loan_cancelled && marked.closed_loan.is_some(), "{marked:?}");
    assert_healthy(&w);
}

/// A hold staff fulfilled by dispatching a copy by hand comes back as it was in full when the
/// copy is lost on the way: frozen until its day (V26), or still awaiting approval.
#[test]
fn fukushima_a_frozen_or_provisional_hold_dispatched_by_hand_comes_back_so_r_h12() {
    let mut policy = bunko::Policy::preset("fukushima").unwrap();
    policy.holds.web_holds_need_approval = true;
    policy.holds.reserve_now = true;
    let mut w = World::with_policy(policy, "2026-06-01");
    for frozen in [true, false] {
        let (p, borrower) = (w.patron(), w.patron());
        w.lib.register_email_at_counter(p, &format!("p{frozen}@example.jp"), None).unwrap();
        let t = w.title(if frozen { "凍結の本" } else { "承認待ちの本" });
        let copy = w.copy_of(t, "pref", "book");
        w.lib.checkout(&copy, borrower, "pref").unwrap();
        let request = HoldRequest::web("pref", ContactMethod::Mail);
        let hold = w.lib.place_hold(p, t, &if frozen { request.at_counter() } else { request }).unwrap();
        if frozen {
            w.lib.freeze_hold_as_staff(&kato(), hold, Some(day("2026-09-01"))).unwrap();
        }
        let before = w.lib.hold(hold).unwrap();
        assert_eq!(before.status == HoldStatus::PendingApproval, !frozen);
        w.lib.check_in(&copy, "pref").unwrap(); // neither is set aside
        w.lib.dispatch_loan(&copy, p, "muni-example").unwrap();
        assert!(w.lib.patron_holds(p).unwrap().is_empty(), "the loan fulfilled the hold");
        assert_eq!(w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap().requeued, Some(hold));
        let after = w.lib.hold(hold).unwrap();
        assert_eq!((after.status, after.is_frozen_on(day("2026-08-31"))), (before.status, frozen), "frozen: {frozen}");
        assert_eq!(after, before, "as it was");
        assert_healthy(&w);
    }
}

/// Told their copy was ready here, then staff dispatch it by hand: the patron is told, as by a
/// routed dispatch, where to collect it and when it is due. Lost on the way before that notice
/// went, they still hear (they knew of the copy) that the loan is cancelled and the hold waits
/// again.
#[test]
fn fukushima_a_patron_told_ready_then_dispatched_by_hand_hears_of_the_loss_r_h12() {
    let mut w = World::new("fukushima", "2026-06-01");
    let (p, copy, _) = ready_here_for_a_patron(&mut w);
    let ready: Vec<_> = w.lib.pending_notices(10).unwrap().iter().map(|n| n.id).collect();
    w.lib.mark_delivered(&ready).unwrap();
    let loan = w.lib.dispatch_loan(&copy, p, "muni-example").unwrap();
    let sent = w.lib.pending_notices(10).unwrap();
    assert_eq!(sent.iter().map(|n| n.kind).collect::<Vec<_>>(), [bunko::notify::NoticeKind::HoldDispatched]);
    let facts = sent[0].facts.clone().unwrap();
    assert_eq!((facts.pickup.as_str(), facts.due_on), ("市町村図書館(例)", Some(loan.due_on)), "where it went");
    w.lib.mark_lost_on_the_way(&kato(), &copy).unwrap();
    let told = w.lib.pending_notices(10).unwrap();
    assert_eq!(told.iter().map(|n| n.kind).collect::<Vec<_>>(), [bunko::notify::NoticeKind::HoldRequeued]);
    assert!(told[0].facts.as_ref().unwrap().loan_cancelled);
    assert_healthy(&w);
}

/// A dispatched copy checked in (it came back uncollected) ends the request as a return does:
/// the kept hold goes with the loan (R-R1), and nothing comes back later.
#[test]
fn fukushima_a_dispatched_copy_checked_in_forgets_its_hold_r_r1() {
    let (mut w, db) = World::on_temp_file("fukushima", "2026-06-01");
    let (p, _, _, copy, _) = dispatched_to_a_partner(&mut w);
    let conn = rusqlite::Connection::open(&db.path).unwrap();
    let kept = || conn.query_row("SELECT COUNT(*) FROM dispatched_holds", [], |r| r.get::<_, i64>(0)).unwrap();
    assert_eq!(kept(), 1);
    w.lib.check_in(&copy, "pref").unwrap();
    assert_eq!(kept(), 0);
    assert!(w.lib.patron_holds(p).unwrap().is_empty());
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check());
}
