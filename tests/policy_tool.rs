//! The `bunko-policy` command, run as a built binary: `check` over the presets and broken
//! files, `calendar` as text and SVG, and usage errors.

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

#[test]
fn usage_errors_and_unreadable_files_exit_2() {
    let dir = chiba_closed_on_mondays();
    let cases: [&[&str]; 9] = [
        &[],
        &["lint", "policy.toml"],
        &["check"],
        &["check", "missing.toml"],
        &["check", "preset:nara"],
        &["calendar", "policy.toml", "--branch", "chuo"],
        &["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-13"],
        &["calendar", "policy.toml", "--branch", "chuo", "--month", "2027-01", "--svg"],
        &["calendar", "missing.toml", "--branch", "chuo", "--month", "2027-01"],
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
