//! Circulation scenarios per library: checkout, check-in, renewal, overdue, privacy.

mod common;

use bunko::catalog::CopyStatus;
use bunko::circulation::{CopyRoute, LoanStatus};
use bunko::policy::{Reason, Weekday};
use bunko::{Entity, Error};
use common::{World, day, dump};

fn refusal(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

/// One new patron who just borrowed a new book at `branch`.
fn one_loan(w: &mut World, branch: &str) -> (bunko::patrons::PatronId, bunko::circulation::Loan) {
    let p = w.patron();
    let c = w.copy_at(branch, "book");
    let loan = w.lib.checkout(&c, p, branch).unwrap();
    (p, loan)
}

#[test]
fn fukushima_renewal_gives_15_days_including_the_renewal_day_r_l2() {
    let mut w = World::new("fukushima", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "pref");
    // The loan period is an assumption (not stated in the guide): 15 days counting the
    // checkout day, as the guide counts renewals.
    assert_eq!(loan.due_on, day("2026-05-15"), "15-day loan counting the checkout day");
    w.go_to("2026-05-10");
    // R-L2 fukushima: renewed on X, due X+14 (15 days counting X).
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-05-24"));
}

#[test]
fn shizuoka_renewal_gives_two_weeks_from_the_renewal_day_r_l2() {
    let mut w = World::new("shizuoka", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "gofuku");
    w.go_to("2026-05-13");
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-05-27"));
}

#[test]
fn kanagawa_renewal_is_one_loan_period_from_the_renewal_day_an_assumption() {
    // Kanagawa's guide states neither the length nor the base of a renewal; the preset assumes
    // the 21-day loan period again from the renewal day, so that a renewal on any day of the
    // loan extends it (「延長は、貸出期限内に1回のみできます」).
    let mut w = World::new("kanagawa", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "honkan");
    w.go_to("2026-05-03");
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-05-24"));
}

#[test]
fn a_second_renewal_is_refused_r_l2() {
    let mut w = World::new("shizuoka", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "gofuku");
    w.go_to("2026-05-10");
    w.lib.renew(p, loan.id).unwrap();
    w.go_to("2026-05-20");
    let reasons = refusal(w.lib.renew(p, loan.id).unwrap_err());
    assert_eq!(reasons, [Reason::RenewalLimitReached { limit: 1 }]);
}

#[test]
fn shizuoka_refuses_when_another_loan_is_overdue_r_l3() {
    let mut w = World::new("shizuoka", "2026-05-01");
    let p = w.patron();
    let first = w.copy_at("gofuku", "book");
    w.lib.checkout(&first, p, "gofuku").unwrap(); // due 05-15
    w.go_to("2026-05-10");
    let second = w.copy_at("gofuku", "book");
    let loan = w.lib.checkout(&second, p, "gofuku").unwrap(); // due 05-24
    w.go_to("2026-05-18");
    assert_eq!(refusal(w.lib.renew(p, loan.id).unwrap_err()), [Reason::AccountHasOverdue { count: 1 }]);
}

#[test]
fn kanagawa_refuses_after_the_due_date_r_l3() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "honkan");
    assert_eq!(loan.due_on, day("2026-05-22"));
    w.go_to("2026-05-23");
    // Kanagawa also blocks login while items are overdue (R-A6): both reasons come back.
    let reasons = refusal(w.lib.renew(p, loan.id).unwrap_err());
    assert!(reasons.contains(&Reason::Overdue { due_on: day("2026-05-22") }), "{reasons:?}");
    assert!(reasons.contains(&Reason::HasOverdueLoans { count: 1 }), "{reasons:?}");
}

#[test]
fn kanagawa_previews_the_new_due_date_without_renewing_r_l3() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "honkan");
    w.go_to("2026-05-20");
    assert_eq!(w.lib.preview_renewal(p, loan.id).unwrap(), Ok(day("2026-06-10")));
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.renewals, 0, "preview changed nothing");
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-06-10"));
}

#[test]
fn fukushima_renewal_the_day_after_checkout_extends_the_loan_r_l2() {
    // #14 item 4: 「手続きをいただいた日から15日間(手続日を含む)」. With the loan counted the same
    // way (an assumption), a renewal the next day moves the due date one day later.
    let mut w = World::new("fukushima", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "pref");
    assert_eq!(loan.due_on, day("2026-05-15"));
    w.go_to("2026-05-02");
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-05-16"));
}

#[test]
fn fukushima_second_renewal_the_same_day_is_refused_only_as_already_renewed_r_l3_r_l4() {
    // #14 item 7: 「すでに1回延長した資料」 is the guide's reason; the engine's own "would not
    // extend" guard is not added on top of it.
    let mut w = World::new("fukushima", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "pref");
    w.go_to("2026-05-10");
    w.lib.renew(p, loan.id).unwrap();
    assert_eq!(refusal(w.lib.renew(p, loan.id).unwrap_err()), [Reason::RenewalLimitReached { limit: 1 }]);
}

#[test]
fn a_not_before_rule_refuses_early_renewals_an_assumption_no_guide_has_r_l3() {
    // #14 item 7: 「延長は、貸出期限内に1回のみできます」 — no guide refuses early renewals, so no
    // preset sets `opens_days_before_due`; this policy is made up to show the rule works.
    let mut policy = bunko::Policy::preset("kanagawa").unwrap();
    policy.loans.renewal.opens_days_before_due = Some(7);
    let mut w = World::with_policy(policy, "2026-05-01");
    let (p, loan) = one_loan(&mut w, "honkan"); // due 05-22
    w.go_to("2026-05-14");
    assert_eq!(
        refusal(w.lib.renew(p, loan.id).unwrap_err()),
        [Reason::TooEarlyToRenew { opens_on: day("2026-05-15") }]
    );
    w.go_to("2026-05-15");
    assert_eq!(w.lib.renew(p, loan.id).unwrap(), day("2026-06-05"));
}

#[test]
fn renewing_too_early_would_not_extend_and_is_refused_an_engine_guard_not_a_guide_rule() {
    // Kanagawa's 21-day loan and renewal are both assumptions; a renewal on the checkout day
    // itself would not move the due date, and the engine refuses it (no guide says so).
    let mut w = World::new("kanagawa", "2026-05-01");
    let (p, loan) = one_loan(&mut w, "honkan"); // 21 days: due 05-22
    let reasons = refusal(w.lib.renew(p, loan.id).unwrap_err());
    assert_eq!(reasons, [Reason::WouldNotExtend { due_on: day("2026-05-22"), new_due_on: day("2026-05-22") }]);
}

#[test]
fn renew_all_gives_each_loan_its_own_result_r_l4() {
    let mut w = World::new("shizuoka", "2026-05-01");
    let p = w.patron();
    let a = w.copy_at("gofuku", "book");
    let b = w.copy_at("gofuku", "book");
    let la = w.lib.checkout(&a, p, "gofuku").unwrap();
    let lb = w.lib.checkout(&b, p, "gofuku").unwrap();
    w.go_to("2026-05-10");
    w.lib.renew(p, la.id).unwrap();
    w.go_to("2026-05-12");
    let results = w.lib.renew_all(p, &[la.id, lb.id]).unwrap();
    assert!(results[0].1.is_err(), "already renewed");
    assert_eq!(results[1].1, Ok(day("2026-05-26")));
    let views = w.lib.patron_loans(p).unwrap();
    let renewed = views.iter().find(|v| v.loan.id == lb.id).unwrap();
    assert_eq!((renewed.loan.due_on, renewed.loan.renewals), (day("2026-05-26"), 1));
}

#[test]
fn another_patrons_loan_is_not_found_and_nothing_is_renewed() {
    let mut w = World::new("shizuoka", "2026-05-01");
    let (p, q) = (w.patron(), w.patron());
    let a = w.copy_at("gofuku", "book");
    let b = w.copy_at("gofuku", "book");
    let mine = w.lib.checkout(&a, p, "gofuku").unwrap();
    let theirs = w.lib.checkout(&b, q, "gofuku").unwrap();
    w.go_to("2026-05-10");
    let err = w.lib.renew_all(p, &[mine.id, theirs.id]).unwrap_err();
    assert!(matches!(err, Error::NotFound { entity: Entity::Loan, .. }), "{err}");
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.renewals, 0, "the whole call rolled back");
}

#[test]
fn loans_view_shows_due_dates_overdue_days_and_why_not_renewable_r_l1() {
    // R-L1: loans with due dates, overdue ones flagged (days overdue), and why not renewable (R-L4).
    let mut w = World::new("fukushima", "2026-05-01");
    let p = w.patron();
    let c = w.copy_at("pref", "book");
    w.lib.checkout(&c, p, "pref").unwrap(); // due 05-15
    w.go_to("2026-05-19");
    let views = w.lib.patron_loans(p).unwrap();
    assert_eq!(views.len(), 1);
    assert_eq!(views[0].days_overdue, 4);
    assert!(views[0].renewal.as_ref().unwrap_err().has(&Reason::Overdue { due_on: day("2026-05-15") }));
    let overdue = w.lib.overdue_loans().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].patron, Some(p));
}

#[test]
fn due_dates_skip_closed_days() {
    let mut w = World::new("chiba", "2026-05-01"); // a Friday; 14 days gives Friday 05-15
    w.lib.set_closed_weekdays("chuo", &[Weekday::Fri]).unwrap();
    let p = w.patron();
    let c = w.copy_at("chuo", "book");
    assert_eq!(w.lib.checkout(&c, p, "chuo").unwrap().due_on, day("2026-05-16"));
}

#[test]
fn checkout_refusals_list_every_reason() {
    let mut w = World::new("chiba", "2026-05-01");
    let p = w.patron();
    let t = w.title("参考図書");
    let mut reference = bunko::catalog::NewCopy::new("REF1", t, "chuo", "book");
    reference.loanable = false;
    w.lib.add_copy(reference).unwrap();
    w.lib.set_patron_blocked(p, true).unwrap();
    let reasons = refusal(w.lib.checkout("REF1", p, "chuo").unwrap_err());
    assert_eq!(reasons, [Reason::CopyNotLoanable, Reason::PatronBlocked]);
    // R-H2 chiba: AV is not for loan at all.
    w.lib.set_patron_blocked(p, false).unwrap();
    let av = w.copy_at("chuo", "av");
    assert_eq!(refusal(w.lib.checkout(&av, p, "chuo").unwrap_err()), [Reason::CopyNotLoanable]);
}

#[test]
fn an_expired_card_cannot_borrow_r_a6() {
    let mut w = World::new("fukushima", "2026-05-01");
    let card = w.card();
    let p = w.lib.register_patron(bunko::patrons::NewPatron::new(card, "期限切れ", day("2026-05-31"))).unwrap();
    let c = w.copy_at("pref", "book");
    w.go_to("2026-06-01");
    assert_eq!(
        refusal(w.lib.checkout(&c, p, "pref").unwrap_err()),
        [Reason::CardExpired { expired_on: day("2026-05-31") }]
    );
}

#[test]
fn standing_reports_unused_cards_and_overdue_blocks_for_kanagawa_r_a6() {
    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    assert!(w.lib.patron_standing(p, None).unwrap().is_empty());
    // Activity is kept to the month (R-R1: it must not be joinable with a loan's dates), as
    // the month's last day: the block comes at most a month late, never early.
    w.go_to("2029-05-31");
    assert!(w.lib.patron_standing(p, None).unwrap().is_empty());
    w.go_to("2029-06-01");
    assert_eq!(
        w.lib.patron_standing(p, None).unwrap(),
        [Reason::CardUnused { last_used_on: day("2026-05-31"), years: 3 }]
    );

    let mut w = World::new("kanagawa", "2026-05-01");
    let p = w.patron();
    let c = w.copy_at("honkan", "book");
    w.lib.checkout(&c, p, "honkan").unwrap();
    w.go_to("2026-06-01");
    assert_eq!(w.lib.patron_standing(p, None).unwrap(), [Reason::HasOverdueLoans { count: 1 }]);
}

#[test]
fn fukushima_expired_card_refuses_holds_but_not_login_r_a6() {
    let mut w = World::new("fukushima", "2026-05-01");
    let card = w.card();
    let p = w.lib.register_patron(bunko::patrons::NewPatron::new(card, "x", day("2026-05-31"))).unwrap();
    w.go_to("2026-06-01");
    assert!(w.lib.patron_standing(p, None).unwrap().is_empty());
    assert_eq!(
        w.lib.patron_standing(p, Some(bunko::policy::Service::Holds)).unwrap(),
        [Reason::CardExpired { expired_on: day("2026-05-31") }]
    );
}

#[test]
fn check_in_closes_the_loan_and_records_lateness() {
    let mut w = World::new("chiba", "2026-05-01");
    let p = w.patron();
    let c = w.copy_at("chuo", "book");
    let loan = w.lib.checkout(&c, p, "chuo").unwrap();
    w.go_to("2026-05-18");
    let done = w.lib.check_in(&c, "chuo").unwrap();
    assert_eq!((done.loan, done.patron, done.days_overdue, done.route), (loan.id, p, 3, CopyRoute::Shelved));
    assert_eq!(w.lib.copy_by_barcode(&c).unwrap().status, CopyStatus::OnShelf);
    assert!(w.lib.patron_loans(p).unwrap().is_empty());
    let stats = w.lib.daily_circulation(day("2026-05-01"), day("2026-05-31")).unwrap();
    assert_eq!(
        stats.iter().map(|d| (d.day, d.checkouts, d.returns)).collect::<Vec<_>>(),
        [(day("2026-05-01"), 1, 0), (day("2026-05-18"), 0, 1)]
    );
}

#[test]
fn a_copy_returned_elsewhere_travels_home_r_h6() {
    let mut w = World::new("chiba", "2026-05-01");
    let p = w.patron();
    let c = w.copy_at("tobu", "book");
    w.lib.checkout(&c, p, "tobu").unwrap();
    let done = w.lib.check_in(&c, "seibu").unwrap();
    assert_eq!(done.route, CopyRoute::InTransit { to: "tobu".into() });
    assert_eq!(w.lib.copy_by_barcode(&c).unwrap().status, CopyStatus::InTransit);
    let p2 = w.patron();
    assert_eq!(
        refusal(w.lib.checkout(&c, p2, "seibu").unwrap_err()),
        [Reason::CopyUnavailable { status: CopyStatus::InTransit }]
    );
    assert_eq!(w.lib.receive_copy(&c, "tobu").unwrap(), CopyRoute::Shelved);
    assert_eq!(w.lib.copy_by_barcode(&c).unwrap().status, CopyStatus::OnShelf);
}

#[test]
fn fukushima_municipal_pickup_starts_the_loan_at_dispatch_r_h12() {
    let mut w = World::new("fukushima", "2026-05-01");
    let p = w.patron();
    let c = w.copy_at("pref", "book");
    let loan = w.lib.dispatch_loan(&c, p, "muni-example").unwrap();
    assert_eq!(
        (loan.status, loan.checked_out_on, loan.due_on),
        (LoanStatus::InTransit, day("2026-05-01"), day("2026-05-15"))
    );
    assert_eq!(w.lib.patron_loans(p).unwrap().len(), 1, "counted among the loans from dispatch");
    w.go_to("2026-05-04");
    w.lib.confirm_pickup(loan.id).unwrap();
    assert_eq!(w.lib.patron_loans(p).unwrap()[0].loan.status, LoanStatus::Active);
    // Only a pickup location that starts loans at dispatch may do this.
    let c2 = w.copy_at("pref", "book");
    assert!(matches!(w.lib.dispatch_loan(&c2, p, "pref"), Err(Error::InvalidInput { field: "pickup", .. })));
}

#[test]
fn bad_input_is_a_typed_error_and_changes_nothing() {
    let (mut w, db) = World::on_temp_file("chiba", "2026-05-01");
    let path = db.path.clone();
    let p = w.patron();
    let q = w.patron();
    let lent = w.copy_at("chuo", "book");
    let shelved = w.copy_at("chuo", "book");
    w.lib.checkout(&lent, p, "chuo").unwrap();
    let before = dump(&path);

    let unknown = w.lib.checkout("NOPE", q, "chuo").unwrap_err();
    assert!(matches!(unknown, Error::NotFound { entity: Entity::Copy, .. }), "{unknown}");
    assert_eq!(refusal(w.lib.checkout(&lent, q, "chuo").unwrap_err()), [Reason::CopyOnLoan]);
    assert_eq!(refusal(w.lib.check_in(&shelved, "chuo").unwrap_err()), [Reason::NotOnLoan]);
    assert!(matches!(w.lib.check_in(&lent, "narita"), Err(Error::NotFound { entity: Entity::Branch, .. })));
    assert!(matches!(
        w.lib.checkout(&shelved, bunko::patrons::PatronId::from(999_i64), "chuo"),
        Err(Error::NotFound { entity: Entity::Patron, .. })
    ));
    assert_eq!(dump(&path), before, "no failed call changed the database");
}

#[test]
fn after_check_in_without_opt_in_nothing_links_patron_and_title_r_r1() {
    let (mut w, db) = World::on_temp_file("shizuoka", "2026-05-01");
    let path = db.path.clone();
    let p = w.patron();
    let t = w.title("ひみつの本");
    let c = w.copy_of(t, "gofuku", "book");
    w.lib.checkout(&c, p, "gofuku").unwrap();
    w.lib.check_in(&c, "gofuku").unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let linked: i64 = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM loans WHERE patron_id = ?1)
                  + (SELECT COUNT(*) FROM reading_history WHERE patron_id = ?1)",
            [p.get()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(linked, 0);
    let kept: i64 = conn.query_row("SELECT COUNT(*) FROM loans WHERE title_id = ?1", [t.get()], |r| r.get(0)).unwrap();
    assert_eq!(kept, 0, "the returned loan is deleted");
    let counted = w.lib.daily_circulation(w.today(), w.today()).unwrap();
    assert_eq!(counted.iter().map(|d| (d.checkouts, d.returns)).collect::<Vec<_>>(), [(1, 1)], "only counts stay");
}

#[test]
fn reading_history_records_only_loans_after_opt_in_r_r1() {
    let mut w = World::new("chikushino", "2026-05-01");
    let p = w.patron();
    let before = w.copy_at("main", "book");
    w.lib.checkout(&before, p, "main").unwrap();
    assert!(matches!(
        w.lib.opt_in_reading_history(p, false),
        Err(Error::InvalidInput { field: "agreed_to_terms", .. })
    ));
    w.lib.opt_in_reading_history(p, true).unwrap();
    w.go_to("2026-05-02");
    let t = w.title("読んだ本");
    let after = w.copy_of(t, "main", "book");
    w.lib.checkout(&after, p, "main").unwrap();
    w.go_to("2026-05-09");
    w.lib.check_in(&after, "main").unwrap();
    w.lib.check_in(&before, "main").unwrap();
    let history = w.lib.reading_history(p, 50, 0).unwrap();
    assert_eq!(history.len(), 1, "the loan from before opting in is not recorded");
    assert_eq!(
        (history[0].title, history[0].checked_out_on, history[0].returned_on),
        (t, day("2026-05-02"), Some(day("2026-05-09")))
    );
    w.lib.opt_out_reading_history(p).unwrap();
    assert!(w.lib.reading_history(p, 50, 0).unwrap().is_empty(), "opting out deletes it");
}

#[test]
fn reading_history_is_refused_where_not_offered_r_r1() {
    let mut w = World::new("chiba", "2026-05-01");
    let p = w.patron();
    assert!(matches!(w.lib.opt_in_reading_history(p, true), Err(Error::InvalidInput { field: "reading_history", .. })));
}
