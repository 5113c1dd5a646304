//! Invalid policies fail with the key path and the reason; messages are snapshot-tested.

use bunko::Policy;

fn chiba_with(from: &str, to: &str) -> String {
    let text = Policy::preset_toml("chiba").unwrap();
    assert!(text.contains(from), "fixture text `{from}` not in chiba.toml");
    text.replacen(from, to, 1)
}

fn error_of(text: &str) -> String {
    Policy::from_toml(text).expect_err("policy should be refused").to_string()
}

#[test]
fn unknown_key_is_named_with_its_path_and_line() {
    insta::assert_snapshot!(error_of(&chiba_with("[holds]\n", "[holds]\nmax_holds = 5\n")));
}

#[test]
fn min_greater_than_max_is_refused() {
    insta::assert_snapshot!(error_of(&chiba_with(
        "min_length = 6\nmax_length = 10",
        "min_length = 12\nmax_length = 10"
    )));
}

#[test]
fn missing_pickup_branch_is_refused() {
    let text = chiba_with("[[branches]]\ncode = \"chuo\"\nname = \"中央図書館\"\n", "");
    let text = text.replace("name = \"西部図書館\"\n", "name = \"西部図書館\"\npickup = false\n");
    let text = text.replace("name = \"東部図書館\"\n", "name = \"東部図書館\"\npickup = false\n");
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn empty_delivery_days_with_several_branches_is_refused() {
    insta::assert_snapshot!(error_of(&chiba_with("weekdays = [\"tue\", \"fri\"]", "weekdays = []")));
}

#[test]
fn bad_card_format_spec_is_refused() {
    let text = Policy::preset_toml("chikushino")
        .unwrap()
        .replace("allowed_first_digits = [\"0\"]", "allowed_first_digits = [\"A\"]");
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn limit_for_an_unknown_or_unholdable_kind_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("total = 5", "total = 5\nav = 9\ncd = 2")));
}

#[test]
fn a_wrong_type_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("shelf_days = 7", "shelf_days = \"a week\"")));
}

#[test]
fn an_unknown_enum_value_names_the_key() {
    insta::assert_snapshot!(error_of(&chiba_with("bounce_fallback = \"phone\"", "bounce_fallback = \"pigeon\"")));
}

#[test]
fn syntax_errors_give_a_line() {
    insta::assert_snapshot!(error_of(&chiba_with("[holds]\n", "[holds\n")));
}

#[test]
fn every_problem_is_reported_at_once() {
    let text = chiba_with("shelf_days = 7", "shelf_days = 0")
        .replacen("email_cap = 1 ", "email_cap = 11 ", 1)
        .replacen("code = \"chiba\"", "code = \"Chiba Pref\"", 1);
    insta::assert_snapshot!(error_of(&text));
}

#[test]
fn a_policy_error_is_matchable_with_key_paths() {
    let e = Policy::from_toml(&chiba_with("total = 5", "total = 0")).unwrap_err();
    let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["holds.limits.total"]);
}
