//! `bunko-policy`: check policy files, explain the rules in force for one patron category,
//! material kind and branch, compare two policies, and show a branch's opening calendar, all
//! from a policy alone.
//!
//! ```text
//! bunko-policy check FILE...
//! bunko-policy explain FILE --category C --kind K --branch B [--date YYYY-MM-DD]
//! bunko-policy diff A B
//! bunko-policy calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]
//! ```
//!
//! A FILE may be `preset:NAME` for an embedded reference policy. Exit status: 0 when every
//! policy is valid (for `diff`: when the two mean the same), 1 when one is not (for `diff`:
//! when they differ), 2 on a usage error or a file that cannot be read. Every rule comes from
//! the engine (`Policy::from_toml`, `RuleMatrix`, `OpeningCalendar`, `due_date`); this tool
//! only prints.

mod calendar;
mod diff;
mod explain;

use std::process::ExitCode;

use bunko::Policy;
use chrono::NaiveDate;

const USAGE: &str = "usage: bunko-policy check FILE...
       bunko-policy explain FILE --category C --kind K --branch B [--date YYYY-MM-DD]
       bunko-policy diff A B
       bunko-policy calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]
A FILE may be preset:NAME (one of fukushima, shizuoka, chiba, kanagawa, chikushino).";

/// Why the tool stops: an invalid policy (exit 1), two policies that differ (exit 1), or a
/// usage or I/O error (exit 2).
enum Failure {
    Invalid,
    Different,
    Usage(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) if command == "check" => check(rest),
        Some((command, rest)) if command == "explain" => explain::explain(rest),
        Some((command, rest)) if command == "diff" => diff::diff(rest),
        Some((command, rest)) if command == "calendar" => calendar::calendar(rest),
        _ => Err(usage()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid | Failure::Different) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            eprintln!("bunko-policy: {message}");
            ExitCode::from(2)
        }
    }
}

fn usage() -> Failure {
    Failure::Usage(USAGE.to_owned())
}

/// `check FILE...`: every problem of every file, or `FILE: ok`.
fn check(files: &[String]) -> Result<(), Failure> {
    if files.is_empty() {
        return Err(usage());
    }
    let (mut invalid, mut unreadable) = (0, 0);
    for file in files {
        match read_policy(file) {
            Ok(_) => println!("{file}: ok"),
            Err(Failure::Invalid | Failure::Different) => invalid += 1,
            Err(Failure::Usage(message)) => {
                eprintln!("bunko-policy: {message}");
                unreadable += 1;
            }
        }
    }
    match (invalid, unreadable) {
        (_, 1..) => Err(Failure::Usage(format!("{unreadable} of {} file(s) could not be read", files.len()))),
        (1.., _) => Err(Failure::Invalid),
        _ => Ok(()),
    }
}

/// A valid policy with the text it was read from, so that values can be traced to lines.
struct Loaded {
    /// The name it was given by: a path or `preset:NAME`.
    file: String,
    text: String,
    policy: Policy,
}

impl Loaded {
    /// Where the value at key path `key` is written, `FILE:LINE`, or `default` where the file
    /// leaves it unwritten.
    fn line_of(&self, key: &str) -> String {
        Policy::line_of_key(&self.text, key).map_or_else(|| "default".to_owned(), |n| format!("{}:{n}", self.file))
    }
}

/// Reads and validates one policy, printing its problems as `FILE:LINE: key.path: message`.
fn read_policy(file: &str) -> Result<Policy, Failure> {
    load(file).map(|loaded| loaded.policy)
}

/// [`read_policy`], keeping the text.
fn load(file: &str) -> Result<Loaded, Failure> {
    let text = match file.strip_prefix("preset:") {
        Some(name) => Policy::preset_toml(name).map(str::to_owned).map_err(|e| {
            let reasons: Vec<&str> = e.problems.iter().map(|p| p.reason.as_str()).collect();
            Failure::Usage(format!("{file}: {}", reasons.join("; ")))
        }),
        None => std::fs::read_to_string(file).map_err(|e| Failure::Usage(format!("{file}: cannot read: {e}"))),
    }?;
    match Policy::from_toml(&text) {
        Ok(policy) => Ok(Loaded { file: file.to_owned(), text, policy }),
        Err(error) => {
            for p in &error.problems {
                let line = p.line.map(|n| format!(":{n}")).unwrap_or_default();
                let key = if p.key.is_empty() { String::new() } else { format!(" {}:", p.key) };
                println!("{file}{line}:{key} {}", p.reason);
            }
            Err(Failure::Invalid)
        }
    }
}

/// The values of `--name value` pairs in `options`, in the order of `names`; a usage error on
/// any other flag, a flag without a value, or one given twice.
fn flags<'a, const N: usize>(options: &'a [String], names: [&str; N]) -> Result<[Option<&'a str>; N], Failure> {
    let mut values = [None; N];
    for pair in options.chunks(2) {
        let [flag, value] = pair else { return Err(usage()) };
        let slot = flag.strip_prefix("--").and_then(|name| names.iter().position(|n| *n == name));
        match slot.map(|i| &mut values[i]) {
            Some(slot @ None) => *slot = Some(value.as_str()),
            _ => return Err(usage()),
        }
    }
    Ok(values)
}

/// A usage error for a name the policy does not have, listing the ones it has.
fn unknown(file: &str, (what, plural): (&str, &str), name: &str, known: &[&str]) -> Failure {
    Failure::Usage(format!("{file}: no {what} `{name}`; {plural} are {}", known.join(", ")))
}

/// The branch codes of `policy`, for [`unknown`].
fn branch_codes(policy: &Policy) -> Vec<&str> {
    policy.branches.iter().map(|b| b.code.as_str()).collect()
}

/// A `YYYY-MM-DD` day within the years bunko handles (1900-9999).
fn parse_day(text: &str) -> Option<NaiveDate> {
    let parts: Vec<&str> = text.split('-').collect();
    let [year, month, day] = parts[..] else { return None };
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) || !digits(day, 2) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month.parse().ok()?, day.parse().ok()?).filter(|_| year >= 1900)
}
