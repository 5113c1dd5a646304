//! The rules matrix of issue #15 is validated like every other key: each problem is named by
//! its key path, with the line it is written on; messages are snapshot-tested.

use bunko::Policy;

/// chiba's preset text with `from` replaced by `to` once.
fn chiba_with(from: &str, to: &str) -> String {
    let text = Policy::preset_toml("chiba").unwrap();
    assert!(text.contains(from), "fixture text `{from}` not in chiba.toml");
    text.replacen(from, to, 1)
}

/// chiba's preset text with `sections` appended.
fn chiba_plus(sections: &[String]) -> String {
    plus(Policy::preset_toml("chiba").unwrap(), sections)
}

/// `text` with `sections` appended, each after an empty line.
fn plus(text: &str, sections: &[String]) -> String {
    sections.iter().fold(text.to_owned(), |text, section| format!("{text}\n{section}"))
}

/// A TOML table headed `header` (`[name]` or `[[name]]`) with `lines`, one a line.
fn table(header: &str, lines: &[&str]) -> String {
    format!("{header}\n{}\n", lines.join("\n"))
}

/// A `[[rules]]` entry with `lines`.
fn rule(lines: &[&str]) -> String {
    table("[[rules]]", lines)
}

/// The error `text` is refused with, shown as a librarian sees it, after checking that it
/// names exactly `keys`, in order.
fn refused_at(text: &str, keys: &[&str]) -> String {
    let e = Policy::from_toml(text).expect_err("policy should be refused");
    let found: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(found, keys, "{e}");
    e.to_string()
}

#[test]
fn a_rules_matrix_written_right_is_accepted() {
    let text = chiba_plus(&[
        table("[categories.general]", &["label = \"一般\""]),
        table("[categories.child]", &["label = \"児童\"", "max_age = 12"]),
        rule(&["category = \"child\"", "kind = \"book\"", "loan_days = 21"]),
        rule(&["branch = \"tobu\"", "pickup_branches = [\"tobu\", \"chuo\"]"]),
        table("[[loans.hard_due_dates]]", &["from = 2027-01-10", "due = 2027-01-31"]),
    ]);
    let p = Policy::from_toml(&text).unwrap();
    assert_eq!(p.rules_for("child", "book", "chuo").values.loan_days, Some(21));
    assert_eq!(p.rules_for("general", "book", "chuo").values.loan_days, Some(14));
}

#[test]
fn a_rule_with_no_scope_is_refused() {
    let text = chiba_plus(&[rule(&["shelf_days = 10"])]);
    insta::assert_snapshot!(refused_at(&text, &["rules[0]"]));
}

#[test]
fn a_rule_for_an_undeclared_category_kind_or_branch_names_the_field() {
    let text = chiba_plus(&[
        rule(&["category = \"child\"", "shelf_days = 10"]),
        rule(&["kind = \"map\"", "loan_days = 7"]),
        rule(&["branch = \"nowhere\"", "shelf_days = 5"]),
    ]);
    insta::assert_snapshot!(refused_at(&text, &["rules[0].category", "rules[1].kind", "rules[2].branch"]));
}

#[test]
fn the_same_scope_twice_is_refused_at_the_second() {
    let text =
        chiba_plus(&[rule(&["branch = \"chuo\"", "shelf_days = 10"]), rule(&["branch = \"chuo\"", "renewals = 2"])]);
    insta::assert_snapshot!(refused_at(&text, &["rules[1]"]));
}

#[test]
fn a_kind_only_rule_may_not_repeat_the_kinds_own_loan_days() {
    let text = chiba_plus(&[rule(&["kind = \"book\"", "loan_days = 21"])]);
    insta::assert_snapshot!(refused_at(&text, &["rules[0].loan_days"]));
}

/// R-H2: every kind says itself whether it is holdable, so a rule without a kind never applies.
#[test]
fn a_category_only_holdable_never_applies_r_h2() {
    let text = chiba_plus(&[rule(&["category = \"general\"", "holdable = false"])]);
    insta::assert_snapshot!(refused_at(&text, &["rules[0].holdable"]));
}

/// R-L2 renewal periods, and suspensions, are bounded in rules as library-wide.
#[test]
fn out_of_bound_rule_values_name_their_keys_r_l2() {
    let text = chiba_with("[loans]\n", "[loans]\nsuspension_days_per_late_day = 31\n");
    let bounds = ["checkout_limit = 0", "renewal_days = 400", "suspension_days_per_late_day = 31"];
    let text = plus(&text, &[rule(&[&["branch = \"chuo\""], &bounds[..]].concat())]);
    let keys = [
        "loans.suspension_days_per_late_day",
        "rules[0].checkout_limit",
        "rules[0].renewal_days",
        "rules[0].suspension_days_per_late_day",
    ];
    insta::assert_snapshot!(refused_at(&text, &keys));
}

/// R-H4: holds are collected only at pickup locations, and at least one must remain.
#[test]
fn pickup_branches_must_be_pickup_locations_and_not_empty() {
    let text = chiba_with("name = \"東部図書館\"\n", "name = \"東部図書館\"\npickup = false\n");
    let text = plus(
        &text,
        &[
            rule(&["category = \"general\"", "pickup_branches = [\"tobu\"]"]),
            rule(&["branch = \"seibu\"", "pickup_branches = []"]),
        ],
    );
    insta::assert_snapshot!(refused_at(&text, &["rules[0].pickup_branches", "rules[1].pickup_branches"]));
}

#[test]
fn a_category_whose_min_age_is_above_its_max_age_is_refused() {
    let text = chiba_plus(&[
        table("[categories.general]", &["label = \"一般\""]),
        table("[categories.child]", &["label = \"児童\"", "min_age = 13", "max_age = 12"]),
    ]);
    insta::assert_snapshot!(refused_at(&text, &["categories.child.min_age"]));
}

#[test]
fn a_hard_due_date_before_its_from_is_refused() {
    let text = chiba_plus(&[table("[[loans.hard_due_dates]]", &["from = 2027-01-31", "due = 2027-01-10"])]);
    insta::assert_snapshot!(refused_at(&text, &["loans.hard_due_dates[0].from"]));
}

/// R-H6: a copy takes at least a day to reach another branch.
#[test]
fn zero_transit_days_is_refused_r_h6() {
    let text = chiba_with("name = \"西部図書館\"\n", "name = \"西部図書館\"\ntransit_days = 0\n");
    insta::assert_snapshot!(refused_at(&text, &["branches[1].transit_days"]));
}

#[test]
fn a_loanable_kind_with_no_loan_period_anywhere_is_refused() {
    let map = ["label = \"地図\"", "loanable = true", "holdable = false"];
    let text = chiba_plus(&[table("[materials.map]", &map)]);
    insta::assert_snapshot!(refused_at(&text, &["materials.map.loan_days"]));
    // A kind-only rule is the kind's own scope: its period is enough.
    let text = chiba_plus(&[table("[materials.map]", &map), rule(&["kind = \"map\"", "loan_days = 7"])]);
    assert_eq!(Policy::from_toml(&text).unwrap().rules_for("general", "map", "chuo").values.loan_days, Some(7));
    // A period for one category only leaves the others without one, and says which.
    let text = chiba_plus(&[
        table("[materials.map]", &map),
        table("[categories.general]", &["label = \"一般\""]),
        table("[categories.child]", &["label = \"児童\""]),
        rule(&["category = \"child\"", "kind = \"map\"", "loan_days = 7"]),
    ]);
    let e = Policy::from_toml(&text).unwrap_err();
    assert!(e.problems.iter().any(|p| p.key == "materials.map.loan_days" && p.reason.contains("for general:")), "{e}");
}
