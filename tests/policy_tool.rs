//! The `bunko-policy` command, run as a built binary: `check` over the presets and broken
//! files, `explain` and `diff` over presets and a rules matrix, `calendar` as text and SVG, and
//! usage errors.

use std::path::Path;
use std::process::{Command, Output};

use bunko::Policy;
use bunko::policy::PRESET_NAMES;

/// 「月曜休館、祝日の場合は翌平日」 with 年末年始, added to chiba's policy.
const MONDAY_AND_YEAR_END: &str = r#"
[calendar]
closed_weekdays = ["mon"]
holidays = "open_then_next_weekday_closed"
yearly_closed = [{ from = "12-29", to = "01-03" }]
"#;

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bunko-policy")).current_dir(dir).args(args).output().unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// A temporary directory holding `files` (name, text).
fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

fn chiba_with(from: &str, to: &str) -> String {
    let text = Policy::preset_toml("chiba").unwrap();
    assert!(text.contains(from), "{from}");
    text.replacen(from, to, 1)
}

#[test]
fn every_preset_passes_check_by_name() {
    let names: Vec<String> = PRESET_NAMES.iter().map(|n| format!("preset:{n}")).collect();
    let args: Vec<&str> = std::iter::once("check").chain(names.iter().map(String::as_str)).collect();
    let out = run(Path::new("."), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected: String = names.iter().map(|n| format!("{n}: ok\n")).collect();
    assert_eq!(stdout(&out), expected);
}

#[test]
fn every_file_in_policies_passes_check() {
    let files: Vec<String> = PRESET_NAMES.iter().map(|n| format!("policies/{n}.toml")).collect();
    let args: Vec<&str> = std::iter::once("check").chain(files.iter().map(String::as_str)).collect();
    let out = run(Path::new(env!("CARGO_MANIFEST_DIR")), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let expected: String = files.iter().map(|f| format!("{f}: ok\n")).collect();
    assert_eq!(stdout(&out), expected);
}

#[test]
fn broken_files_exit_1_and_list_every_problem_with_its_line() {
    let unknown_key = chiba_with("[holds]\n", "[holds]\nmax_holds = 5\n");
    let past_bounds = chiba_with("shelf_days = 7", "shelf_days = 0").replacen("email_cap = 1 ", "email_cap = 11 ", 1);
    let bad_offset = chiba_with("utc_offset = \"+09:00\"", "utc_offset = \"+9\"");
    let dir = dir_with(&[
        ("unknown_key.toml", &unknown_key),
        ("past_bounds.toml", &past_bounds),
        ("bad_offset.toml", &bad_offset),
    ]);
    let out = run(dir.path(), &["check", "unknown_key.toml", "past_bounds.toml", "bad_offset.toml", "preset:kanagawa"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

fn chiba_closed_on_mondays() -> tempfile::TempDir {
    let text = format!("{}{MONDAY_AND_YEAR_END}", Policy::preset_toml("chiba").unwrap());
    dir_with(&[("policy.toml", &text)])
}

#[test]
fn calendar_shows_monday_closures_moved_past_seijin_no_hi_and_the_year_end() {
    let dir = chiba_closed_on_mondays();
    let out = run(dir.path(), &["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-01"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    insta::assert_snapshot!(stdout(&out));
}

#[test]
fn calendar_svg_is_a_month_grid_naming_the_holidays() {
    let dir = chiba_closed_on_mondays();
    let args = ["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-01", "--svg", "jan.svg"];
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let svg = std::fs::read_to_string(dir.path().join("jan.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("成人の日") && svg.contains("元日"));
    // One shaded cell per closed day: 1/1–1/3, the Mondays 1/4, 1/18, 1/25 and Tuesday 1/12.
    assert_eq!(svg.matches("fill=\"#cccccc\"").count(), 7);
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
}

#[test]
fn an_unknown_branch_exits_2_naming_the_known_ones() {
    let dir = chiba_closed_on_mondays();
    let out = run(dir.path(), &["calendar", "policy.toml", "--branch", "kita", "--month", "2027-01"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("branches are chuo, seibu, tobu"), "{}", stderr(&out));
}

/// kanagawa with a `child` category and `[[rules]]` at ranks 1, 2, 3, 5, 6 and 7 for
/// (child, book, kawasaki), over the preset's own kind and library-wide values.
const CHILD_RULES: &str = r#"
[categories.general]
label = "一般"

[categories.child]
label = "児童"
max_age = 12

[[rules]]
category = "child"
kind = "book"
branch = "kawasaki"
loan_days = 28
note = "夏休み特別貸出"

[[rules]]
category = "child"
kind = "book"
loan_days = 21
hold_limit = 6

[[rules]]
kind = "book"
branch = "kawasaki"
loan_days = 14

[[rules]]
category = "child"
branch = "kawasaki"
shelf_days = 14

[[rules]]
category = "child"
renewals = 2
hold_limit = 8

[[rules]]
branch = "kawasaki"
shelf_days = 10
hold_limit = 15
"#;

/// kanagawa as `plain.toml` and with [`CHILD_RULES`] as `rules.toml`.
fn kanagawa_and_child_rules() -> tempfile::TempDir {
    let kanagawa = Policy::preset_toml("kanagawa").unwrap();
    dir_with(&[("plain.toml", kanagawa), ("rules.toml", &format!("{kanagawa}{CHILD_RULES}"))])
}

/// The standard output of a run that must exit with `code`.
fn output(dir: &Path, args: &[&str], code: i32) -> String {
    let out = run(dir, args);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {}", stderr(&out));
    stdout(&out)
}

/// `explain FILE --category C --kind K --branch B`.
fn explain<'a>(file: &'a str, [category, kind, branch]: [&'a str; 3]) -> Vec<&'a str> {
    vec!["explain", file, "--category", category, "--kind", kind, "--branch", branch]
}

#[test]
fn explain_kanagawa_general_book_at_honkan_traces_each_value_to_its_line() {
    let args = explain("preset:kanagawa", ["general", "book", "honkan"]);
    insta::assert_snapshot!(output(Path::new("."), &args, 0));
}

#[test]
fn explain_chiba_on_new_years_day_says_chuo_is_open_and_when_a_loan_falls_due() {
    let args = [explain("preset:chiba", ["general", "book", "chuo"]), vec!["--date", "2027-01-01"]].concat();
    insta::assert_snapshot!(output(Path::new("."), &args, 0));
}

#[test]
fn explain_a_child_borrowing_a_book_at_kawasaki_lists_every_rule_overridden() {
    let dir = kanagawa_and_child_rules();
    insta::assert_snapshot!(output(dir.path(), &explain("rules.toml", ["child", "book", "kawasaki"]), 0));
}

#[test]
fn explain_a_general_patron_at_honkan_is_untouched_by_the_child_and_kawasaki_rules() {
    let dir = kanagawa_and_child_rules();
    let with_rules = output(dir.path(), &explain("rules.toml", ["general", "book", "honkan"]), 0);
    let without = output(dir.path(), &explain("plain.toml", ["general", "book", "honkan"]), 0);
    assert_eq!(with_rules.replace("rules.toml", "plain.toml"), without);
}

#[test]
fn explain_with_dates_names_the_closures_and_the_hard_due_date_in_force() {
    let hard_due = "\n[[loans.hard_due_dates]]\nfrom = 2027-01-04\ndue = 2027-01-20\nbranches = [\"chuo\"]\n";
    let text = format!("{}{MONDAY_AND_YEAR_END}{hard_due}", Policy::preset_toml("chiba").unwrap());
    let dir = dir_with(&[("policy.toml", &text)]);
    let mut days = String::new();
    // 元日 in the year-end closure; 成人の日, a Monday, open; its closure moved to Tuesday; an
    // ordinary Monday; an ordinary Tuesday; the same Tuesday at a branch the due date spares.
    for (day, branch) in [
        ("2027-01-01", "chuo"),
        ("2027-01-11", "chuo"),
        ("2027-01-12", "chuo"),
        ("2027-01-18", "chuo"),
        ("2027-01-05", "chuo"),
        ("2027-01-05", "seibu"),
    ] {
        let args = [explain("policy.toml", ["general", "book", branch]), vec!["--date", day]].concat();
        let text = output(dir.path(), &args, 0);
        days.push_str(&text[text.find("\n2027-").unwrap() + 1..]);
    }
    insta::assert_snapshot!(days);
}

#[test]
fn explain_of_a_broken_file_exits_1_with_its_problems_and_unknown_names_exit_2_naming_the_known_ones() {
    let dir = dir_with(&[("broken.toml", &chiba_with("shelf_days = 7", "shelf_days = 0"))]);
    let problems = output(dir.path(), &explain("broken.toml", ["general", "book", "chuo"]), 1);
    assert!(problems.starts_with("broken.toml:") && problems.contains("holds.shelf_days"), "{problems}");
    let out = run(dir.path(), &["diff", "preset:chiba", "broken.toml"]);
    assert_eq!(out.status.code(), Some(2), "diff cannot compare an invalid policy");
    assert!(stderr(&out).contains("broken.toml is not a valid policy"), "{}", stderr(&out));
    let cases = [
        (["general", "book", "kita"], "no branch `kita`; branches are chuo, seibu, tobu"),
        (["child", "book", "chuo"], "no category `child`; categories are general"),
        (["general", "dvd", "chuo"], "no material kind `dvd`; material kinds are av, book, magazine"),
    ];
    for (names, message) in cases {
        let out = run(Path::new("."), &explain("preset:chiba", names));
        assert_eq!(out.status.code(), Some(2), "{names:?}");
        assert!(stderr(&out).contains(message), "{}", stderr(&out));
    }
}

#[test]
fn diff_of_a_preset_with_itself_exits_0_saying_so() {
    let dir = kanagawa_and_child_rules();
    let same = output(dir.path(), &["diff", "preset:kanagawa", "plain.toml"], 0);
    assert_eq!(same, "preset:kanagawa and plain.toml: no differences\n");
}

#[test]
fn diff_of_two_presets_groups_each_change_by_the_scopes_it_covers() {
    insta::assert_snapshot!(output(Path::new("."), &["diff", "preset:chiba", "preset:shizuoka"], 1));
}

#[test]
fn diff_after_one_rule_is_added_shows_only_the_combinations_it_changes() {
    let rule = "\n[[rules]]\nkind = \"av\"\nbranch = \"kawasaki\"\nloan_days = 14\n";
    let dir = dir_with(&[("av.toml", &format!("{}{rule}", Policy::preset_toml("kanagawa").unwrap()))]);
    insta::assert_snapshot!(output(dir.path(), &["diff", "preset:kanagawa", "av.toml"], 1));
}

#[test]
fn diff_of_a_rules_matrix_names_the_scopes_of_each_change() {
    let dir = kanagawa_and_child_rules();
    insta::assert_snapshot!(output(dir.path(), &["diff", "plain.toml", "rules.toml"], 1));
}

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let dir = chiba_closed_on_mondays();
    let cases: [&[&str]; 17] = [
        &[],
        &["lint", "policy.toml"],
        &["check"],
        &["check", "missing.toml"],
        &["check", "preset:nara"],
        &["calendar", "policy.toml", "--branch", "chuo"],
        &["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-13"],
        &["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-01", "--svg"],
        &["calendar", "missing.toml", "--branch", "chuo", "--month", "2027-01"],
        &["calendar", "policy.toml", "--branch", "chuo", "--branch", "seibu", "--month", "2027-01"],
        &["explain", "policy.toml", "--category", "general", "--kind", "book"],
        &[
            "explain",
            "policy.toml",
            "--category",
            "general",
            "--kind",
            "book",
            "--branch",
            "chuo",
            "--date",
            "2027-1-1",
        ],
        &["explain", "policy.toml", "--category", "general", "--kind", "book", "--branch", "chuo", "--day", "x"],
        &["explain", "missing.toml", "--category", "general", "--kind", "book", "--branch", "chuo"],
        &["diff", "policy.toml"],
        &["diff", "policy.toml", "missing.toml"],
        &["diff", "policy.toml", "preset:chiba", "preset:kanagawa"],
    ];
    for args in cases {
        let out = run(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
    let out = run(dir.path(), &["check", "policy.toml", "missing.toml"]);
    assert_eq!(stdout(&out), "policy.toml: ok\n");
    assert!(stderr(&out).contains("missing.toml: cannot read"), "{}", stderr(&out));
}
