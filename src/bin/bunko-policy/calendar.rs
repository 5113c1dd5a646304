//! `calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]`: a branch's month from the
//! policy alone, as text or SVG.

use std::fmt::Write as _;

use bunko::catalog::{HOLIDAY_YEARS, OpeningCalendar, japanese_holidays};
use chrono::{Datelike, NaiveDate};

use crate::{Failure, branch_codes, flags, parse_day, read_policy, unknown, usage};

/// `calendar FILE --branch CODE --month YYYY-MM [--svg OUT.svg]`.
pub(crate) fn calendar(args: &[String]) -> Result<(), Failure> {
    let (file, options) = args.split_first().ok_or_else(usage)?;
    let [branch, month, svg] = flags(options, ["branch", "month", "svg"])?;
    let (branch, month) = branch.zip(month).ok_or_else(usage)?;
    let first = parse_day(&format!("{month}-01"))
        .ok_or_else(|| Failure::Usage(format!("`{month}` is not a month like 2027-01 (years 1900-9999)")))?;
    let policy = read_policy(file)?;
    let cal = OpeningCalendar::from_policy(&policy, branch)
        .ok_or_else(|| unknown(file, ("branch", "branches"), branch, &branch_codes(&policy)))?;
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
