//! Copy targeting (#17, after Evergreen's hold targeter and Koha's transport cost matrix): the
//! pull list asks each hold for the copy that reaches its pickup branch soonest, and a copy
//! staff do not confirm in time is given up for another (R-H5, R-H6).

mod common;

use bunko::Policy;
use bunko::catalog::TitleId;
use bunko::circulation::CopyRoute;
use bunko::holds::{HoldId, HoldRequest, HoldState};
use bunko::policy::{ContactMethod, Weekday};
use common::{World, day};

/// chiba (vans on Tuesdays and Fridays), Monday 2026-06-01.
fn chiba(edit: impl FnOnce(&mut Policy)) -> World {
    let mut p = Policy::preset("chiba").unwrap();
    edit(&mut p);
    World::with_policy(p, "2026-06-01")
}

fn branch<'a>(p: &'a mut Policy, code: &str) -> &'a mut bunko::policy::Branch {
    p.branches.iter_mut().find(|b| b.code == code).unwrap()
}

fn hold(w: &mut World, title: TitleId, pickup: &str) -> HoldId {
    let p = w.patron();
    w.lib.place_hold(p, title, &HoldRequest::web(pickup, ContactMethod::Phone).at_counter()).unwrap()
}

/// Barcodes on each branch's pull list.
fn lists(w: &mut World) -> [Vec<String>; 3] {
    ["chuo", "seibu", "tobu"].map(|b| w.lib.pull_list(b).unwrap().into_iter().map(|i| i.barcode).collect())
}

#[test]
fn a_copy_at_the_pickup_branch_is_asked_for_first() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let at_chuo = w.copy_of(t, "chuo", "book");
    let at_seibu = w.copy_of(t, "seibu", "book");
    let h = hold(&mut w, t, "seibu");
    assert_eq!(lists(&mut w), [vec![], vec![at_seibu.clone()], vec![]]);
    let route = w.lib.confirm_pulled(&at_seibu, "seibu").unwrap();
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == h), "{route:?}");
    assert_eq!(w.lib.copy_by_barcode(&at_chuo).unwrap().status, bunko::catalog::CopyStatus::OnShelf);
    assert!(w.lib.check().unwrap().is_empty());
}

/// Copies elsewhere than the pickup branch: the one the delivery calendar brings soonest. The
/// van calls at seibu on Mondays (today), so its copy reaches tobu on Tuesday; chuo's leaves on
/// Tuesday and arrives on Friday. Without seibu's Monday van both arrive on Friday and the
/// older copy (chuo's) is asked for.
#[test]
fn among_other_branches_the_delivery_calendar_decides_r_h6() {
    for (seibu_van, expected) in [(None, "chuo"), (Some(vec![Weekday::Mon]), "seibu")] {
        let mut w = chiba(|p| branch(p, "seibu").delivery_weekdays = seibu_van.clone());
        let t = w.title("本");
        let at_chuo = w.copy_of(t, "chuo", "book");
        let at_seibu = w.copy_of(t, "seibu", "book");
        let h = hold(&mut w, t, "tobu");
        let [chuo, seibu, tobu] = lists(&mut w);
        assert!(tobu.is_empty());
        let (barcode, arrives) = if expected == "chuo" {
            assert_eq!((chuo, seibu), (vec![at_chuo.clone()], vec![]));
            (at_chuo, day("2026-06-05"))
        } else {
            assert_eq!((chuo, seibu), (vec![], vec![at_seibu.clone()]));
            (at_seibu, day("2026-06-02"))
        };
        let route = w.lib.confirm_pulled(&barcode, expected).unwrap();
        assert!(
            matches!(route, CopyRoute::InTransitForHold { hold, arrives_on, .. } if hold == h && arrives_on == arrives),
            "{route:?}"
        );
        assert!(w.lib.check().unwrap().is_empty());
    }
}

/// A branch-to-branch cost matrix (Koha's transport cost matrix) outranks the calendar.
#[test]
fn transit_costs_outrank_the_calendar() {
    let mut w = chiba(|p| {
        branch(p, "seibu").delivery_weekdays = Some(vec![Weekday::Mon]);
        branch(p, "seibu").transit_costs.insert("tobu".into(), 5);
        branch(p, "chuo").transit_costs.insert("tobu".into(), 1);
    });
    let t = w.title("本");
    let at_chuo = w.copy_of(t, "chuo", "book");
    w.copy_of(t, "seibu", "book");
    hold(&mut w, t, "tobu");
    assert_eq!(lists(&mut w), [vec![at_chuo], vec![], vec![]]);
}

#[test]
fn a_transit_cost_must_name_another_branch_and_stay_bounded() {
    let mut p = Policy::preset("chiba").unwrap();
    branch(&mut p, "chuo").transit_costs.insert("nowhere".into(), 1);
    branch(&mut p, "seibu").transit_costs.insert("seibu".into(), 1);
    branch(&mut p, "tobu").transit_costs.insert("chuo".into(), 1001);
    let err = p.validate().unwrap_err().to_string();
    for key in ["transit_costs.nowhere", "transit_costs.seibu", "transit_costs.chuo"] {
        assert!(err.contains(key), "{key} not reported: {err}");
    }
    let mut p = Policy::preset("chiba").unwrap();
    p.holds.pull_retarget_hours = Some(0);
    assert!(p.validate().unwrap_err().to_string().contains("holds.pull_retarget_hours"));
}

/// Nobody pulls at a branch closed today: its copy is not asked for, even for a hold picked up
/// there; another branch's copy is sent instead.
#[test]
fn a_branch_closed_today_is_skipped() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let at_seibu = w.copy_of(t, "seibu", "book");
    let at_chuo = w.copy_of(t, "chuo", "book");
    hold(&mut w, t, "seibu");
    w.lib.close_on("seibu", day("2026-06-01"), "館内整理日").unwrap();
    assert_eq!(lists(&mut w), [vec![at_chuo.clone()], vec![], vec![]]);
    // Open again the next day: chuo's copy was asked for and may already be in a tray, so the
    // target stands; a hold placed now gets the copy at its pickup branch.
    w.advance_days(1);
    assert_eq!(lists(&mut w), [vec![at_chuo], vec![], vec![]]);
    hold(&mut w, t, "seibu");
    assert_eq!(lists(&mut w)[1], [at_seibu]);
}

/// Each hold in queue order takes its best copy, and a confirmed copy goes to the hold it was
/// listed for, not the queue's head: the head (picked up at seibu) gets seibu's copy, the second
/// hold (at chuo) chuo's.
#[test]
fn a_listed_copy_goes_to_the_hold_it_was_listed_for() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let at_chuo = w.copy_of(t, "chuo", "book");
    let at_seibu = w.copy_of(t, "seibu", "book");
    let first = hold(&mut w, t, "seibu");
    let second = hold(&mut w, t, "chuo");
    let chuo = w.lib.pull_list("chuo").unwrap();
    assert_eq!((chuo.len(), chuo[0].hold, chuo[0].barcode.as_str()), (1, second, at_chuo.as_str()));
    let route = w.lib.confirm_pulled(&at_chuo, "chuo").unwrap();
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == second), "{route:?}");
    assert_eq!(w.lib.hold(first).unwrap().state(), HoldState::Waiting);
    let seibu = w.lib.pull_list("seibu").unwrap();
    assert_eq!((seibu.len(), seibu[0].hold, seibu[0].barcode.as_str()), (1, first, at_seibu.as_str()));
    assert!(w.lib.check().unwrap().is_empty());
}

/// A copy borrowed by a walk-in (R-H5) is no longer asked for; the hold asks for another.
#[test]
fn a_walk_in_borrowing_a_listed_copy_lets_the_hold_ask_for_another() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let at_chuo = w.copy_of(t, "chuo", "book");
    let at_seibu = w.copy_of(t, "seibu", "book");
    let h = hold(&mut w, t, "chuo");
    assert_eq!(lists(&mut w)[0], std::slice::from_ref(&at_chuo));
    let walk_in = w.patron();
    w.lib.checkout(&at_chuo, walk_in, "chuo").unwrap();
    assert!(w.lib.check().unwrap().is_empty());
    let seibu = w.lib.pull_list("seibu").unwrap();
    assert_eq!((seibu[0].hold, seibu[0].barcode.as_str()), (h, at_seibu.as_str()));
}

/// Evergreen re-targets a hold whose copy was not captured in 24 hours: with
/// `pull_retarget_hours`, an unconfirmed copy is given up and the hold asks for another; with no
/// other copy it is released and the next list asks for the same copy again. Without the option
/// nothing is released.
#[test]
fn an_unconfirmed_pull_is_retargeted_after_the_policy_hours() {
    let mut w = chiba(|p| p.holds.pull_retarget_hours = Some(24));
    let t = w.title("本");
    let at_chuo = w.copy_of(t, "chuo", "book");
    let at_seibu = w.copy_of(t, "seibu", "book");
    let h = hold(&mut w, t, "chuo");
    let lone_title = w.title("一冊だけ");
    let lone = w.copy_of(lone_title, "tobu", "book");
    let lone_hold = hold(&mut w, lone_title, "tobu");
    assert_eq!(lists(&mut w), [vec![at_chuo.clone()], vec![], vec![lone.clone()]]);
    w.clock.advance(chrono::Duration::hours(23));
    let early = w.lib.retarget_pulls().unwrap();
    assert!(early.retargeted.is_empty() && early.released.is_empty(), "{early:?}");
    w.clock.advance(chrono::Duration::hours(2));
    let done = w.lib.retarget_pulls().unwrap();
    assert_eq!(done.retargeted.len(), 1);
    let (branch, item) = &done.retargeted[0];
    assert_eq!((branch.as_str(), item.hold, item.barcode.as_str()), ("seibu", h, at_seibu.as_str()));
    assert_eq!(done.released, [lone_hold]);
    assert!(w.lib.check().unwrap().is_empty());
    // The hold now asks seibu; chuo's copy is free. The lone copy is asked for again.
    assert_eq!(lists(&mut w), [vec![], vec![at_seibu.clone()], vec![lone]]);
    let route = w.lib.confirm_pulled(&at_seibu, "seibu").unwrap();
    assert!(matches!(route, CopyRoute::InTransitForHold { hold, .. } if hold == h), "{route:?}");
    assert!(w.lib.check().unwrap().is_empty());

    let mut off = chiba(|_| {});
    let t = off.title("本");
    off.copy_of(t, "chuo", "book");
    off.copy_of(t, "seibu", "book");
    hold(&mut off, t, "chuo");
    off.lib.pull_list("chuo").unwrap();
    off.clock.advance(chrono::Duration::days(30));
    let none = off.lib.retarget_pulls().unwrap();
    assert!(none.retargeted.is_empty() && none.released.is_empty());
}

/// A hold frozen after the pull list asked a copy for it (#17, freeze with targeting) gives
/// the target up: the copy staff pull from the list printed before goes to the next hold,
/// never to the frozen one (R-H5 order among holds not frozen); the integrity check stays clean.
#[test]
fn freezing_a_targeted_hold_gives_its_copy_to_the_next_hold() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let copy = w.copy_of(t, "chuo", "book");
    let (a, b) = (w.patron(), w.patron());
    let request = HoldRequest::web("chuo", ContactMethod::Phone).at_counter();
    let first = w.lib.place_hold(a, t, &request).unwrap();
    let second = w.lib.place_hold(b, t, &request).unwrap();
    let listed = w.lib.pull_list("chuo").unwrap();
    assert_eq!(listed.iter().map(|i| i.hold).collect::<Vec<_>>(), vec![first]);
    w.lib.freeze_hold(a, first, Some(day("2026-06-20"))).unwrap();
    assert!(w.lib.check().unwrap().is_empty());
    // Staff pull the copy from the list printed before the freeze.
    let route = w.lib.confirm_pulled(&copy, "chuo").unwrap();
    assert!(matches!(route, CopyRoute::HeldForPickup { hold, .. } if hold == second), "{route:?}");
    assert_eq!(w.lib.hold(first).unwrap().status, bunko::holds::HoldStatus::Waiting);
    assert!(w.lib.check().unwrap().is_empty());
}

/// Staff marking a targeted copy lost (#17, staff) ends its pull target with it: the copy is
/// off the shelf, so no target may point at it, and the hold is listed again for no copy.
#[test]
fn a_targeted_copy_marked_lost_is_no_longer_asked_for() {
    let mut w = chiba(|_| {});
    let t = w.title("本");
    let copy = w.copy_of(t, "chuo", "book");
    let h = hold(&mut w, t, "chuo");
    assert_eq!(w.lib.pull_list("chuo").unwrap().iter().map(|i| i.hold).collect::<Vec<_>>(), vec![h]);
    let actor = bunko::staff::StaffActor::new("staff1");
    let marked = w.lib.mark_copy(&actor, &copy, bunko::staff::CopyCondition::Lost).unwrap();
    assert_eq!(marked.requeued, None, "a pull target is not an assignment");
    assert!(w.lib.check().unwrap().is_empty(), "{:?}", w.lib.check().unwrap());
    assert!(w.lib.pull_list("chuo").unwrap().is_empty());
    assert_eq!(w.lib.hold(h).unwrap().status, bunko::holds::HoldStatus::Waiting);
}
