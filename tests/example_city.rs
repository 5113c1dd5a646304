//! Scenario tests of `example-city`, the sixth preset: an illustration (no real library)
//! written only with the policy model 2 — patron categories, `[[rules]]`, branch calendars and a
//! delivery route — driven through the public API as the seed presets are.

mod common;

use bunko::catalog::{Issue, NewTitle};
use bunko::circulation::CopyRoute;
use bunko::holds::HoldRequest;
use bunko::patrons::{NewPatron, PatronId};
use bunko::policy::{ContactMethod, Reason};
use bunko::{Error, Library, Policy};
use common::{World, day};

/// Tuesday 2027-04-06, an ordinary open day at every branch.
const START: &str = "2027-04-06";

fn city(today: &str) -> World {
    World::new("example-city", today)
}

/// Registers a patron of `category` born on `birth` (when given).
fn patron_of(w: &mut World, category: &str, birth: Option<&str>) -> Result<PatronId, Error> {
    let card = w.card();
    let mut p = NewPatron::new(card, "利用者", day("2030-03-31"));
    p.category = category.to_owned();
    p.birth_date = birth.map(day);
    w.lib.register_patron(p)
}

fn refusal(e: Error) -> Vec<Reason> {
    match e {
        Error::Refused(r) => r.reasons,
        other => panic!("expected a refusal, got {other}"),
    }
}

fn invalid_field(e: Error) -> &'static str {
    match e {
        Error::InvalidInput { field, .. } => field,
        other => panic!("expected InvalidInput, got {other}"),
    }
}

/// Lends a new copy of `kind` at `branch`; returns its barcode and due date.
fn lend(w: &mut World, who: PatronId, kind: &str, branch: &str) -> Result<(String, chrono::NaiveDate), Error> {
    let barcode = w.copy_at(branch, kind);
    let loan = w.lib.checkout(&barcode, who, branch)?;
    Ok((barcode, loan.due_on))
}

#[test]
fn the_sixth_preset_validates_and_says_it_is_an_illustration() {
    let text = Policy::preset_toml("example-city").unwrap();
    assert!(text.lines().nth(1).unwrap().contains("AN ILLUSTRATION, NOT A REAL LIBRARY"));
    let p = Policy::preset("example-city").unwrap();
    assert_eq!(p.categories.len(), 4);
    assert!(p.rules.len() >= 8);
}

#[test]
fn categories_are_checked_at_registration_with_their_age_bounds() {
    let mut w = city(START);
    assert!(patron_of(&mut w, "child", Some("2015-05-01")).is_ok(), "11 years old");
    assert_eq!(invalid_field(patron_of(&mut w, "child", Some("2014-01-01")).unwrap_err()), "category", "13");
    assert_eq!(invalid_field(patron_of(&mut w, "child", None).unwrap_err()), "category", "no birth date");
    assert_eq!(invalid_field(patron_of(&mut w, "adult", None).unwrap_err()), "category", "undeclared");
    // Three years for a general card, one for a non-resident's.
    assert_eq!(w.lib.card_expiry_for("general"), Some(day("2030-04-05")));
    assert_eq!(w.lib.card_expiry_for("nonresident"), Some(day("2028-04-05")));
    // A child who grows up moves to general; back to child is refused at 13.
    let grown = patron_of(&mut w, "general", Some("2014-01-01")).unwrap();
    assert_eq!(invalid_field(w.lib.set_patron_category(grown, "child").unwrap_err()), "category");
    let kid = patron_of(&mut w, "child", Some("2016-01-01")).unwrap();
    w.lib.set_patron_category(kid, "general").unwrap();
    assert_eq!(w.lib.patron(kid).unwrap().category, "general");
}

#[test]
fn a_policy_missing_a_category_in_use_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    {
        let mut w = World::on_file("example-city", START, &path);
        patron_of(&mut w, "nonresident", None).unwrap();
    }
    let clock = bunko::FixedClock::new(chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2027, 4, 6, 1, 0, 0).unwrap());
    let mut other = Policy::preset("example-city").unwrap();
    other.categories.remove("nonresident");
    other.rules.retain(|r| r.category.as_deref() != Some("nonresident"));
    let err = Library::open(&path, other, clock).unwrap_err();
    let Error::Policy(e) = err else { panic!("expected a policy error, got {err}") };
    assert_eq!(e.problems[0].key, "categories");
    assert!(e.problems[0].reason.contains("nonresident"), "{}", e.problems[0].reason);
}

#[test]
fn loan_periods_come_from_the_most_specific_rule() {
    let mut w = city(START);
    let adult = patron_of(&mut w, "general", None).unwrap();
    let child = patron_of(&mut w, "child", Some("2016-01-01")).unwrap();
    let group = patron_of(&mut w, "group", None).unwrap();
    // Library-wide 14 days; children's books 21 (category rule); AV one week for everyone,
    // children too (the kind's own value outranks a category-only rule).
    assert_eq!(lend(&mut w, adult, "book", "central").unwrap().1, day("2027-04-20"));
    assert_eq!(lend(&mut w, child, "book", "central").unwrap().1, day("2027-04-27"));
    assert_eq!(lend(&mut w, child, "av", "central").unwrap().1, day("2027-04-13"));
    // Groups: 30 days for books, and for AV by a kind + category rule. 30 days is Thursday
    // 5/6: Monday 5/3 is a holiday, so central opens and closes the next plain weekday instead
    // (5/4 and 5/5 are holidays too), and the due date moves to Friday.
    assert_eq!(lend(&mut w, group, "book", "central").unwrap().1, day("2027-05-07"));
    assert_eq!(lend(&mut w, group, "av", "central").unwrap().1, day("2027-05-07"));
}

#[test]
fn checkout_limits_name_the_limit_and_the_count() {
    let mut w = city(START);
    let adult = patron_of(&mut w, "general", None).unwrap();
    for _ in 0..10 {
        lend(&mut w, adult, "book", "central").unwrap();
    }
    let book = Reason::CheckoutLimitReached { kind: Some("book".into()), limit: 10, count: 10 };
    assert_eq!(refusal(lend(&mut w, adult, "book", "central").unwrap_err()), [book]);
    for _ in 0..3 {
        lend(&mut w, adult, "av", "central").unwrap();
    }
    let total = Reason::CheckoutLimitReached { kind: None, limit: 13, count: 13 };
    let av = Reason::CheckoutLimitReached { kind: Some("av".into()), limit: 3, count: 3 };
    assert_eq!(refusal(lend(&mut w, adult, "av", "central").unwrap_err()), [total, av]);
    // A child may borrow 15 books; a non-resident 5 items in all.
    let child = patron_of(&mut w, "child", Some("2016-01-01")).unwrap();
    for _ in 0..15 {
        lend(&mut w, child, "book", "north").unwrap_or_else(|e| panic!("{e}"));
    }
    let child_book = Reason::CheckoutLimitReached { kind: Some("book".into()), limit: 15, count: 15 };
    assert_eq!(refusal(lend(&mut w, child, "book", "north").unwrap_err()), [child_book]);
    let visitor = patron_of(&mut w, "nonresident", None).unwrap();
    for _ in 0..5 {
        lend(&mut w, visitor, "book", "east").unwrap();
    }
    let five = Reason::CheckoutLimitReached { kind: None, limit: 5, count: 5 };
    assert_eq!(refusal(lend(&mut w, visitor, "magazine", "east").unwrap_err()), [five]);
}

#[test]
fn the_latest_magazine_issue_is_not_lent_but_back_issues_are() {
    let mut w = city(START);
    let adult = patron_of(&mut w, "general", None).unwrap();
    let issue = |on: &str| NewTitle {
        serial: true,
        issue: Some(Issue { of: "月刊としょかん".into(), on: day(on) }),
        ..NewTitle::new("月刊としょかん")
    };
    let march = w.lib.add_title(issue("2027-03-01")).unwrap();
    let april = w.lib.add_title(issue("2027-04-01")).unwrap();
    let back = w.copy_of(march, "central", "magazine");
    let latest = w.copy_of(april, "central", "magazine");
    assert_eq!(refusal(w.lib.checkout(&latest, adult, "central").unwrap_err()), [Reason::LatestIssueNotLoanable]);
    assert_eq!(w.lib.checkout(&back, adult, "central").unwrap().due_on, day("2027-04-20"));
}

#[test]
fn a_late_return_suspends_borrowing_for_as_many_days() {
    let mut w = city(START);
    let adult = patron_of(&mut w, "general", None).unwrap();
    let (barcode, due) = lend(&mut w, adult, "book", "central").unwrap();
    assert_eq!(due, day("2027-04-20"));
    w.go_to("2027-04-23");
    let back = w.lib.check_in(&barcode, "central").unwrap();
    assert_eq!(back.days_overdue, 3);
    // Three days late: no borrowing on 4/23, 4/24 and 4/25.
    assert_eq!(w.lib.patron(adult).unwrap().suspended_until, Some(day("2027-04-25")));
    w.go_to("2027-04-25");
    let refused = refusal(lend(&mut w, adult, "book", "central").unwrap_err());
    assert_eq!(refused, [Reason::Suspended { until: day("2027-04-25") }]);
    w.go_to("2027-04-26");
    let (first, _) = lend(&mut w, adult, "book", "central").unwrap();
    // Once it has ended, the daily scrub forgets the date; staff may also lift one early.
    assert_eq!(w.lib.scrub().unwrap().suspensions, 1);
    assert_eq!(w.lib.patron(adult).unwrap().suspended_until, None);
    let (again, _) = lend(&mut w, adult, "book", "central").unwrap();
    w.go_to("2027-05-20");
    w.lib.check_in(&again, "central").unwrap();
    w.lib.check_in(&first, "central").unwrap();
    assert!(w.lib.patron(adult).unwrap().suspended_until.is_some());
    w.lib.lift_suspension(adult).unwrap();
    assert!(lend(&mut w, adult, "book", "central").is_ok());
    // An on-time return suspends nothing.
    let other = patron_of(&mut w, "general", None).unwrap();
    let (on_time, _) = lend(&mut w, other, "book", "central").unwrap();
    w.lib.check_in(&on_time, "central").unwrap();
    assert_eq!(w.lib.patron(other).unwrap().suspended_until, None);
}

#[test]
fn renewals_count_from_the_due_date_and_groups_get_none_r_l2() {
    let mut w = city(START);
    let adult = patron_of(&mut w, "general", None).unwrap();
    let (_, due) = lend(&mut w, adult, "book", "central").unwrap();
    let loan = w.lib.patron_loans(adult).unwrap()[0].loan.id;
    w.go_to("2027-04-10");
    // Two weeks from the due date (4/20), not from today: 5/4, a holiday central opens on.
    assert_eq!(due, day("2027-04-20"));
    assert_eq!(w.lib.renew(adult, loan).unwrap(), day("2027-05-04"));
    let group = patron_of(&mut w, "group", None).unwrap();
    lend(&mut w, group, "book", "central").unwrap();
    let group_loan = w.lib.patron_loans(group).unwrap()[0].loan.id;
    let refused = refusal(w.lib.renew(group, group_loan).unwrap_err());
    assert_eq!(refused, [Reason::RenewalLimitReached { limit: 0 }]);
}

#[test]
fn a_hard_due_date_caps_loans_at_the_relocating_branch() {
    let mut w = city("2027-03-10");
    let adult = patron_of(&mut w, "general", None).unwrap();
    // Fourteen days would be 3/24; east lends only until 3/20 before its move.
    assert_eq!(lend(&mut w, adult, "book", "east").unwrap().1, day("2027-03-20"));
    // Central is not moving: the usual two weeks.
    assert_eq!(lend(&mut w, adult, "book", "central").unwrap().1, day("2027-03-24"));
}

#[test]
fn non_residents_wait_30_days_for_new_titles_and_hold_three_r_h3() {
    let mut w = city(START);
    let visitor = patron_of(&mut w, "nonresident", None).unwrap();
    let resident = patron_of(&mut w, "general", None).unwrap();
    let new = w.title("新刊");
    w.copy_of(new, "central", "book");
    let web = HoldRequest::web("central", ContactMethod::None);
    let refused = refusal(w.lib.place_hold(visitor, new, &web).unwrap_err());
    assert_eq!(refused, [Reason::NewTitleNotYetHoldable { from: day("2027-05-06") }]);
    w.lib.place_hold(resident, new, &web).unwrap();
    w.go_to("2027-05-06");
    w.lib.place_hold(visitor, new, &web).unwrap();
    // Three titles added today are new until 6/5; the limit is checked after that.
    let old: Vec<_> = (0..3)
        .map(|i| {
            let t = w.title(&format!("旧刊{i}"));
            w.copy_of(t, "central", "book");
            t
        })
        .collect();
    w.go_to("2027-06-10");
    w.lib.place_hold(visitor, old[0], &web).unwrap();
    w.lib.place_hold(visitor, old[1], &web).unwrap();
    let refused = refusal(w.lib.place_hold(visitor, old[2], &web).unwrap_err());
    assert_eq!(refused, [Reason::HoldLimitReached { kind: None, limit: 3 }]);
}

#[test]
fn groups_collect_holds_only_at_central_r_h4() {
    let mut w = city(START);
    let group = patron_of(&mut w, "group", None).unwrap();
    let t = w.title("団体用");
    w.copy_of(t, "east", "book");
    let at = |b: &str| HoldRequest::web(b, ContactMethod::None);
    let refused = refusal(w.lib.place_hold(group, t, &at("north")).unwrap_err());
    assert_eq!(refused, [Reason::PickupNotAllowed { code: "north".into() }]);
    let hold = w.lib.place_hold(group, t, &at("central")).unwrap();
    // Nor can the hold be moved there afterwards (R-H8).
    let change = bunko::holds::HoldChange { pickup: Some(("north".into(), None)), contact: None };
    let refused = refusal(w.lib.change_hold(group, hold, &change).unwrap_err());
    assert_eq!(refused, [Reason::PickupNotAllowed { code: "north".into() }]);
}

/// The copy of a title lent to someone at central comes back on `returned` with a hold waiting
/// at `pickup`: where does it go, and when does it arrive?
fn route_on_return(pickup: &str, returned: &str) -> (World, CopyRoute, String) {
    let mut w = city(START);
    let borrower = patron_of(&mut w, "general", None).unwrap();
    let waiting = patron_of(&mut w, "general", None).unwrap();
    let t = w.title("予約本");
    let barcode = w.copy_of(t, "central", "book");
    w.lib.checkout(&barcode, borrower, "central").unwrap();
    w.lib.place_hold(waiting, t, &HoldRequest::web(pickup, ContactMethod::None)).unwrap();
    w.go_to(returned);
    let route = w.lib.check_in(&barcode, "central").unwrap().route;
    (w, route, barcode)
}

fn arrives_on(route: &CopyRoute) -> chrono::NaiveDate {
    match route {
        CopyRoute::InTransitForHold { arrives_on, .. } => *arrives_on,
        other => panic!("expected a transit, got {other:?}"),
    }
}

#[test]
fn each_branch_has_its_own_delivery_days_and_transit_time_r_h6() {
    // North: vans on Wednesday and Friday, one day on the road.
    assert_eq!(arrives_on(&route_on_return("north", "2027-04-06").1), day("2027-04-07"));
    assert_eq!(arrives_on(&route_on_return("north", "2027-04-08").1), day("2027-04-09"));
    assert_eq!(arrives_on(&route_on_return("north", "2027-04-09").1), day("2027-04-14"));
    // East: two days on the road, vans Tuesday, Thursday and Saturday. From Monday 4/26 the
    // first is Thursday 4/29 — 昭和の日 and the last Thursday of April, when east is closed —
    // so Saturday 5/1.
    assert_eq!(arrives_on(&route_on_return("east", "2027-04-26").1), day("2027-05-01"));
    // And the van must first call where the copy is: returned at north on Saturday 4/10, it
    // leaves on Wednesday 4/14 and reaches central on Thursday 4/15.
    let mut w = city(START);
    let (borrower, waiting) = (w.patron(), w.patron());
    let t = w.title("北の本");
    let barcode = w.copy_of(t, "north", "book");
    w.lib.checkout(&barcode, borrower, "north").unwrap();
    w.lib.place_hold(waiting, t, &HoldRequest::web("central", ContactMethod::None)).unwrap();
    w.go_to("2027-04-10");
    assert_eq!(arrives_on(&w.lib.check_in(&barcode, "north").unwrap().route), day("2027-04-15"));
}

#[test]
fn north_keeps_holds_ten_open_days_central_seven_r_h9() {
    let (mut w, route, barcode) = route_on_return("north", "2027-04-06");
    w.go_to(&arrives_on(&route).to_string());
    let ready = w.lib.receive_copy(&barcode, "north").unwrap();
    // Open days after Wednesday 4/7 (north closes Monday and Tuesday): the tenth is 4/21.
    assert!(matches!(ready, CopyRoute::HeldForPickup { deadline, .. } if deadline == day("2027-04-21")), "{ready:?}");
    let (_, central, _) = route_on_return("central", "2027-04-06");
    // Seven open days after Tuesday 4/6 at central (closed Mondays): 4/14.
    assert!(
        matches!(central, CopyRoute::HeldForPickup { deadline, .. } if deadline == day("2027-04-14")),
        "{central:?}"
    );
}

#[test]
fn post_is_for_registered_visually_impaired_patrons_and_sms_reaches_the_phone_r_c3() {
    let mut w = city(START);
    let t = w.title("点字の本");
    w.copy_of(t, "central", "book");
    let plain = w.patron();
    let post = HoldRequest::web("central", ContactMethod::Post);
    let refused = refusal(w.lib.place_hold(plain, t, &post).unwrap_err());
    assert_eq!(
        refused,
        [Reason::ContactRestricted { method: ContactMethod::Post, requires: "visually_impaired".into() }]
    );
    let flagged = w.patron();
    w.lib.set_patron_flags(flagged, &["visually_impaired".to_owned()].into()).unwrap();
    w.lib.place_hold(flagged, t, &post).unwrap();
    let sms: ContactMethod = "sms".parse().unwrap();
    let other = w.title("別の本");
    w.copy_of(other, "central", "book");
    w.lib.place_hold(plain, other, &HoldRequest::web("central", sms)).unwrap();
}

#[test]
fn a_policy_without_categories_keeps_free_form_categories() {
    // Before categories were declared any code was accepted; such a policy still accepts it,
    // and every category gets the library-wide rules.
    let mut w = World::new("kanagawa", START);
    let child = patron_of(&mut w, "child", None).unwrap();
    assert_eq!(w.lib.patron(child).unwrap().category, "child");
    assert_eq!(w.lib.rules("child", "book", "main"), w.lib.rules("general", "book", "main"));
}

/// A returned copy goes to the first hold in the queue that it may fill under that hold's own
/// rules; a hold it may not fill keeps its place for another copy (R-H5, R-H7).
#[test]
fn a_copy_skips_holds_whose_rules_it_does_not_meet_r_h7() {
    let mut p = Policy::preset("example-city").unwrap();
    p.rules.push(bunko::policy::ScopedRule {
        category: Some("child".into()),
        kind: Some("av".into()),
        holdable: Some(false),
        ..Default::default()
    });
    let mut w = World::with_policy(p, START);
    let lender = patron_of(&mut w, "general", None).unwrap();
    let child = patron_of(&mut w, "child", Some("2016-01-01")).unwrap();
    let adult = patron_of(&mut w, "general", None).unwrap();
    let t = w.title("絵本とDVD");
    let book = w.copy_of(t, "central", "book");
    let dvd = w.copy_of(t, "central", "av");
    w.lib.checkout(&book, lender, "central").unwrap();
    w.lib.checkout(&dvd, lender, "central").unwrap();
    let at_central = HoldRequest::web("central", ContactMethod::None);
    let child_hold = w.lib.place_hold(child, t, &at_central).unwrap();
    let adult_hold = w.lib.place_hold(adult, t, &at_central).unwrap();
    // The DVD may not fill the child's hold: it goes to the adult behind.
    let route = w.lib.check_in(&dvd, "central").unwrap().route;
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == adult_hold), "{route:?}");
    let route = w.lib.check_in(&book, "central").unwrap().route;
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == child_hold), "{route:?}");
}

/// A partner pickup that starts the loan at dispatch lends nothing the checkout rules refuse:
/// a suspended patron's hold waits, and the copy goes home (R-H12).
#[test]
fn a_dispatch_loan_obeys_the_checkout_rules_r_h12() {
    let mut p = Policy::preset("fukushima").unwrap();
    p.loans.suspension_days_per_late_day = Some(1);
    p.contact.methods.push(bunko::policy::ContactMethodRule { method: ContactMethod::None, requires: None });
    let mut w = World::with_policy(p, START);
    let reader = w.patron();
    let other = w.patron();
    let late = w.copy_at("pref", "book");
    let due = w.lib.checkout(&late, reader, "pref").unwrap().due_on;
    let t = w.title("取り寄せ");
    let copy = w.copy_of(t, "pref", "book");
    w.lib.checkout(&copy, other, "pref").unwrap();
    let at_partner = HoldRequest::web("muni-example", ContactMethod::None).at_counter();
    let hold = w.lib.place_hold(reader, t, &at_partner).unwrap();
    w.go_to(&(due + chrono::Days::new(2)).to_string());
    w.lib.check_in(&late, "pref").unwrap();
    assert!(w.lib.patron(reader).unwrap().suspended_until.is_some());
    let route = w.lib.check_in(&copy, "pref").unwrap().route;
    assert_eq!(route, CopyRoute::Shelved);
    assert_eq!(w.lib.hold(hold).unwrap().status, bunko::holds::HoldStatus::Waiting);
}
