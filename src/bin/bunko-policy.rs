//! `bunko-policy`: check policy files, and show a branch's opening calendar from a policy alone.
//!
//! ```text
//! bunko-policy check FILE...
//! bunko-policy calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]
//! ```
//!
//! A FILE may be `preset:NAME` for an embedded reference policy. Exit status: 0 when every
//! policy is valid, 1 when one is not, 2 on a usage error or a file that cannot be read. Every
//! rule comes from the engine (`Policy::from_toml`, `OpeningCalendar`); this tool only prints.

use std::fmt::Write as _;
use std::process::ExitCode;

use bunko::Policy;
use bunko::catalog::{HOLIDAY_YEARS, OpeningCalendar, japanese_holidays};
use chrono::{Datelike, NaiveDate};

const USAGE: &str = "usage: bunko-policy check FILE...
       bunko-policy calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]
A FILE may be preset:NAME (one of fukushima, shizuoka, chiba, kanagawa, chikushino).";

/// Why the tool stops: an invalid policy (exit 1) or a usage or I/O error (exit 2).
enum Failure {
    Invalid,
    Usage(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.split_first() {
        Some((command, rest)) if command == "check" => check(rest),
        Some((command, rest)) if command == "calendar" => calendar(rest),
        _ => Err(Failure::Usage(USAGE.to_owned())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Invalid) => ExitCode::from(1),
        Err(Failure::Usage(message)) => {
            eprintln!("bunko-policy: {message}");
            ExitCode::from(2)
        }
    }
}

/// `check FILE...`: every problem of every file, or `FILE: ok`.
fn check(files: &[String]) -> Result<(), Failure> {
    if files.is_empty() {
        return Err(Failure::Usage(USAGE.to_owned()));
    }
    let (mut invalid, mut unreadable) = (0, 0);
    for file in files {
        match read_policy(file) {
            Ok(_) => println!("{file}: ok"),
            Err(Failure::Invalid) => invalid += 1,
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

/// Reads and validates one policy, printing its problems as `FILE:LINE: key.path: message`.
fn read_policy(file: &str) -> Result<Policy, Failure> {
    let text = match file.strip_prefix("preset:") {
        Some(name) => Policy::preset_toml(name).map(str::to_owned).map_err(|e| {
            let reasons: Vec<&str> = e.problems.iter().map(|p| p.reason.as_str()).collect();
            Failure::Usage(format!("{file}: {}", reasons.join("; ")))
        }),
        None => std::fs::read_to_string(file).map_err(|e| Failure::Usage(format!("{file}: cannot read: {e}"))),
    }?;
    Policy::from_toml(&text).map_err(|error| {
        for p in &error.problems {
            let line = p.line.map(|n| format!(":{n}")).unwrap_or_default();
            let key = if p.key.is_empty() { String::new() } else { format!(" {}:", p.key) };
            println!("{file}{line}:{key} {}", p.reason);
        }
        Failure::Invalid
    })
}

/// `calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]`.
fn calendar(args: &[String]) -> Result<(), Failure> {
    let usage = || Failure::Usage(USAGE.to_owned());
    let (file, options) = args.split_first().ok_or_else(usage)?;
    let (mut branch, mut month, mut svg) = (None, None, None);
    for pair in options.chunks(2) {
        match pair {
            [flag, value] if flag == "--branch" => branch = Some(value.as_str()),
            [flag, value] if flag == "--month" => month = Some(value.as_str()),
            [flag, value] if flag == "--svg" => svg = Some(value.as_str()),
            _ => return Err(usage()),
        }
    }
    let (branch, month) = branch.zip(month).ok_or_else(usage)?;
    let first = parse_month(month)
        .ok_or_else(|| Failure::Usage(format!("`{month}` is not a month like 2027-01 (years 1900-9999)")))?;
    let policy = read_policy(file)?;
    let cal = OpeningCalendar::from_policy(&policy, branch).ok_or_else(|| {
        let known: Vec<&str> = policy.branches.iter().map(|b| b.code.as_str()).collect();
        Failure::Usage(format!("{file}: no branch `{branch}`; branches are {}", known.join(", ")))
    })?;
    let name = policy.branch(branch).map_or(branch, |b| b.name.as_str());
    let title = format!("{branch} {name} {month}");
    let days = month_days(&cal, first);
    print!("{}", month_text(&title, &days));
    if let Some(out) = svg {
        std::fs::write(out, month_svg(&title, &days))
            .map_err(|e| Failure::Usage(format!("{out}: cannot write: {e}")))?;
    }
    Ok(())
}

/// The first day of a `YYYY-MM` month within the years bunko handles.
fn parse_month(text: &str) -> Option<NaiveDate> {
    let (year, month) = text.split_once('-')?;
    let digits = |t: &str, n: usize| t.len() == n && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(year, 4) || !digits(month, 2) {
        return None;
    }
    let year: i32 = year.parse().ok()?;
    NaiveDate::from_ymd_opt(year, month.parse().ok()?, 1).filter(|_| year >= 1900)
}

/// One day of the month as the engine's calendar sees it.
struct Day {
    date: NaiveDate,
    open: bool,
    holiday: Option<&'static str>,
}

fn month_days(cal: &OpeningCalendar, first: NaiveDate) -> Vec<Day> {
    let holidays = japanese_holidays(first.year());
    first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .map(|date| Day {
            date,
            open: cal.is_open(date),
            holiday: holidays.iter().find(|(d, _)| *d == date).map(|(_, name)| *name),
        })
        .collect()
}

/// Blank cells before the first day in a Monday-first week.
fn leading_blanks(days: &[Day]) -> usize {
    days.first().map_or(0, |d| d.date.weekday().num_days_from_monday() as usize)
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A text month view: Monday-first weeks, `×` on closed days, `祝` on national holidays, a
/// legend and the holidays by name.
fn month_text(title: &str, days: &[Day]) -> String {
    let mut out = format!("{title}\n");
    for w in WEEKDAYS {
        let _ = write!(out, " {w:<5}");
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    let mut cells = vec!["      ".to_owned(); leading_blanks(days)];
    cells.extend(days.iter().map(|d| {
        let closed = if d.open { " " } else { "×" };
        let holiday = if d.holiday.is_some() { "祝" } else { "  " };
        format!(" {:>2}{closed}{holiday}", d.date.day())
    }));
    for week in cells.chunks(7) {
        out.push_str(week.concat().trim_end());
        out.push('\n');
    }
    let open = days.iter().filter(|d| d.open).count();
    let _ = writeln!(out, "\n× closed   祝 national holiday   open {open} of {} days", days.len());
    for d in days {
        if let Some(name) = d.holiday {
            let state = if d.open { "open" } else { "closed" };
            let _ = writeln!(out, "{} {name} ({state})", d.date.format("%m-%d"));
        }
    }
    if days.first().is_some_and(|d| !HOLIDAY_YEARS.contains(&d.date.year())) {
        out.push_str("(national holidays are known only for 2000-2099)\n");
    }
    out
}

const CELL_W: usize = 110;
const CELL_H: usize = 80;
const TOP: usize = 60;

/// An SVG month grid: closed days shaded, holidays labelled with their name.
fn month_svg(title: &str, days: &[Day]) -> String {
    let blanks = leading_blanks(days);
    let rows = (blanks + days.len()).div_ceil(7);
    let (width, height) = (7 * CELL_W, TOP + rows * CELL_H);
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\">\n\
         <text x=\"8\" y=\"24\" font-size=\"18\">{}</text>\n",
        escape(title)
    );
    for (i, w) in WEEKDAYS.iter().enumerate() {
        let _ = writeln!(out, "<text x=\"{}\" y=\"52\" font-size=\"14\">{w}</text>", i * CELL_W + 8);
    }
    for (i, d) in days.iter().enumerate() {
        let (x, y) = (((blanks + i) % 7) * CELL_W, TOP + ((blanks + i) / 7) * CELL_H);
        let fill = if d.open { "#ffffff" } else { "#cccccc" };
        let _ = writeln!(
            out,
            "<rect x=\"{x}\" y=\"{y}\" width=\"{CELL_W}\" height=\"{CELL_H}\" fill=\"{fill}\" stroke=\"#888888\"/>\n\
             <text x=\"{}\" y=\"{}\" font-size=\"16\">{}</text>",
            x + 6,
            y + 20,
            d.date.day()
        );
        if let Some(name) = d.holiday {
            let _ = writeln!(
                out,
                "<text x=\"{}\" y=\"{}\" font-size=\"12\" fill=\"#c00000\">{}</text>",
                x + 6,
                y + 44,
                escape(name)
            );
        }
    }
    out.push_str("</svg>\n");
    out
}

/// Text safe inside an SVG element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
