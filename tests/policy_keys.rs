//! Every policy key does something (#14 "settings that do nothing"): each field of the policy
//! model is read outside the model and its validation, or is on the short list of keys that
//! only tell the host what to show. And the services a temporary password refuses are refused.

mod common;

use std::path::Path;

use bunko::Error;
use bunko::alerts::{Field, SavedSearch};
use bunko::holds::HoldRequest;
use bunko::patrons::NewPatron;
use bunko::policy::{ContactMethod, Reason};
use common::{World, day};

/// Keys no decision reads, each with why that is right. Keep it short.
///
/// The check is by name (`.key` somewhere in `src` outside the model, its validation and the
/// presets), so a key sharing its name with another type's field can pass unread: keys like that
/// get a behavioural test here or in the scenario files (`default_pickup` below).
const DISPLAY_ONLY: [(&str, &str); 4] = [
    // The engine offers `preview_renewal` to every library; the key tells the host to show the
    // new due date before calling `renew` (kanagawa 「延長後返却日をご確認ください」).
    ("preview_before_confirm", "display: show preview_renewal before renew"),
    // R-O3: e-books are an outside service; the engine only carries the links for the host.
    ("ebook_services", "display: links on the My Library page"),
    ("url", "display: an e-book service's address"),
    // Display names and labels.
    ("label", "display: a material kind's, patron flag's or contact channel's name"),
];

fn rust_files(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The `pub name:` fields of the policy model's types.
fn model_fields(model: &str) -> Vec<String> {
    model
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("pub "))
        .filter_map(|rest| rest.split_once(':'))
        .map(|(name, _)| name.trim())
        .filter(|name| name.chars().all(|c| c.is_ascii_lowercase() || c == '_') && !name.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_policy_key_is_read_by_the_engine_or_is_display_only() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let model = files.iter().find(|(p, _)| p.ends_with("policy/model.rs")).map(|(_, t)| t.clone()).unwrap();
    // Readers: everything but the schema itself, its validation and the embedded presets.
    let readers: Vec<&str> = files
        .iter()
        .filter(|(p, _)| !["policy/model.rs", "policy/validate.rs", "policy/presets.rs"].iter().any(|s| p.ends_with(s)))
        .map(|(_, t)| t.as_str())
        .collect();
    let fields = model_fields(&model);
    assert!(fields.len() > 60, "the model parser found only {} fields", fields.len());
    let unread: Vec<&String> = fields
        .iter()
        .filter(|f| !DISPLAY_ONLY.iter().any(|(k, _)| k == f))
        .filter(|f| {
            let access = format!(".{f}");
            !readers.iter().any(|t| {
                t.match_indices(&access).any(|(i, _)| {
                    let next = t[i + access.len()..].chars().next();
                    !next.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            })
        })
        .collect();
    assert!(unread.is_empty(), "policy keys no code reads (wire them, or justify them in DISPLAY_ONLY): {unread:?}");
    for (key, _) in DISPLAY_ONLY {
        assert!(fields.iter().any(|f| f == key), "`{key}` is allow-listed but no longer a policy key");
    }
}

#[test]
fn fukushima_a_temporary_password_refuses_every_net_service_r_a2() {
    // 「ネットサービスをご利用になるにはパスワードの書き換えが必要」: with a counter-issued
    // temporary password, holds, renewals, loan status, booklists, alerts and reading history are
    // all refused until the patron sets their own password; e-mail settings too (kanagawa's
    // test in tests/accounts.rs).
    let mut w = World::new("fukushima", "2026-06-01");
    let p = w.patron();
    let c = w.copy_at("pref", "book");
    let loan = w.lib.checkout(&c, p, "pref").unwrap();
    w.lib.issue_temporary_password(p).unwrap();
    let temporary = |e: Error| matches!(e, Error::Refused(ref r) if r.has(&Reason::TemporaryPassword));
    assert!(temporary(w.lib.patron_loans(p).unwrap_err()), "loan status");
    assert!(temporary(w.lib.renew(p, loan.id).unwrap_err()), "renewals");
    assert!(temporary(w.lib.create_booklist(p, "読みたい本", "").unwrap_err()), "booklists");
    assert!(temporary(w.lib.booklists(p).unwrap_err()), "booklists");
    let search =
        SavedSearch { name: "猫".into(), terms: vec![(Field::Title, "猫".into())], ..SavedSearch::default() };
    assert!(temporary(w.lib.save_search(p, search).unwrap_err()), "alerts");
    assert!(temporary(w.lib.saved_searches(p).unwrap_err()), "alerts");
    let title = w.lib.copy_by_barcode(&c).unwrap().title;
    assert!(temporary(w.lib.add_to_cart(p, title).unwrap_err()), "holds, from the cart on");
}

#[test]
fn chikushino_a_temporary_password_refuses_reading_history_where_the_policy_says_so_assumption() {
    // No guide ties reading history to the temporary password; this policy is made up to show
    // the `reading_history` entry is read.
    let mut policy = bunko::Policy::preset("chikushino").unwrap();
    policy.passwords.temporary.refused_services = vec![bunko::policy::Service::ReadingHistory];
    let mut w = World::with_policy(policy, "2026-06-01");
    let p = w.patron();
    w.lib.issue_temporary_password(p).unwrap();
    let refused = |e: Error| matches!(e, Error::Refused(ref r) if r.has(&Reason::TemporaryPassword));
    assert!(refused(w.lib.opt_in_reading_history(p, true).unwrap_err()));
    assert!(refused(w.lib.reading_history(p, 10, 0).unwrap_err()));
    assert!(w.lib.booklists(p).is_ok(), "booklists are not named, so not refused");
}

#[test]
fn a_default_pickup_prefills_holds_only_where_the_policy_offers_it_r_c5() {
    // shizuoka sets a 受取希望館 online (「受取希望館の変更」; kanagawa likewise 「よく利用する窓口を
    // 予約受取館に設定しておくと」) — chiba's guide has no default
    // pickup (its preset's `default_pickup = false` is an assumption), so a stored one is not used.
    for (preset, branch, used) in [("shizuoka", "chuo", true), ("chiba", "tobu", false)] {
        let mut w = World::new(preset, "2026-06-01");
        let card = w.card();
        let mut np = NewPatron::new(card, "x", day("2029-01-01"));
        np.default_pickup = Some(branch.into());
        let p = w.lib.register_patron(np).unwrap();
        let t = w.title("本");
        let c = w.copy_of(t, &w.home(), "book");
        let borrower = w.patron();
        w.lib.checkout(&c, borrower, &w.home()).unwrap();
        let request = HoldRequest { pickup: None, ..HoldRequest::web("ignored", ContactMethod::None).at_counter() };
        match w.lib.place_hold(p, t, &request) {
            Ok(hold) => assert!(used && w.lib.hold(hold).unwrap().pickup == branch, "{preset}"),
            Err(e) => assert!(!used && matches!(e, Error::InvalidInput { field: "pickup", .. }), "{preset}: {e}"),
        }
    }
}
