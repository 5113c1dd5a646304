//! `explain FILE --category C --kind K --branch B [--date YYYY-MM-DD]`: the rules in force for
//! one patron category, material kind and branch, each value with the line it is written on and
//! the values it overrides; with a date, what that day means at the branch.

use std::fmt::Write as _;

use bunko::catalog::{OpeningCalendar, japanese_holidays};
use bunko::policy::rules::{Resolution, Source};
use bunko::policy::{CalendarRules, DueContext, HolidayRule, RuleMatrix, Rules, Scope, due_date};
use chrono::NaiveDate;

use crate::{Failure, Loaded, branch_codes, flags, load, parse_day, unknown, usage};

/// `explain FILE --category C --kind K --branch B [--date YYYY-MM-DD]`.
pub(crate) fn explain(args: &[String]) -> Result<(), Failure> {
    let (file, options) = args.split_first().ok_or_else(usage)?;
    let [category, kind, branch, date] = flags(options, ["category", "kind", "branch", "date"])?;
    let (Some(category), Some(kind), Some(branch)) = (category, kind, branch) else { return Err(usage()) };
    let day = date
        .map(|d| {
            parse_day(d).ok_or_else(|| Failure::Usage(format!("`{d}` is not a day like 2027-01-31 (years 1900-9999)")))
        })
        .transpose()?;
    let loaded = load(file)?;
    known_names(&loaded, category, kind, branch)?;
    let scope = Scope::new(category, kind, branch);
    let matrix = RuleMatrix::new(&loaded.policy);
    let name = loaded.policy.branch(branch).map_or("", |b| b.name.as_str());
    let mut out = format!("{file}: category \"{category}\", kind \"{kind}\", branch \"{branch}\" ({name})\n\n");
    out.push_str(&table(&loaded, &matrix.explain(&scope)));
    if let Some(day) = day {
        out.push('\n');
        out.push_str(&day_text(&loaded, branch, day, &matrix.resolve(&scope)));
    }
    print!("{out}");
    Ok(())
}

/// A usage error unless the policy has the category, the kind and the branch.
fn known_names(loaded: &Loaded, category: &str, kind: &str, branch: &str) -> Result<(), Failure> {
    let p = &loaded.policy;
    if !p.has_category(category) {
        return Err(unknown(&loaded.file, ("category", "categories"), category, &p.category_codes()));
    }
    if p.material(kind).is_none() {
        let kinds: Vec<&str> = p.materials.keys().map(String::as_str).collect();
        return Err(unknown(&loaded.file, ("material kind", "material kinds"), kind, &kinds));
    }
    if p.branch(branch).is_none() {
        return Err(unknown(&loaded.file, ("branch", "branches"), branch, &branch_codes(p)));
    }
    Ok(())
}

/// One row per parameter: its value, where it is written and its key; below it, one row per
/// value it overrides.
fn table(loaded: &Loaded, resolutions: &[Resolution]) -> String {
    let mut rows = vec![vec!["parameter".to_owned(), "value".to_owned(), "written at".to_owned(), "key".to_owned()]];
    for r in resolutions {
        let param = r.param.split(' ').next().unwrap_or_default();
        let Some(((source, scope, value), overridden)) = r.candidates.split_first() else {
            rows.push(vec![r.param.clone(), "—".to_owned(), format!("not set{}", unset_meaning(param))]);
            continue;
        };
        let row = |label: String, source: &Source, scope: &Scope, value: &String| {
            let key = source.key(param);
            let at = loaded.line_of(&key);
            let key = if matches!(source, Source::Rule(_)) { format!("{key}  ({scope})") } else { key };
            vec![label, value.clone(), at, key]
        };
        rows.push(row(r.param.clone(), source, scope, value));
        rows.extend(
            overridden.iter().map(|(source, scope, value)| row("  overrides".to_owned(), source, scope, value)),
        );
    }
    aligned(&rows)
}

/// What a parameter set nowhere means, after `not set`.
fn unset_meaning(param: &str) -> &'static str {
    match param {
        "checkout_limit" | "hold_limit" => ": no limit",
        "loanable" | "holdable" => ": no",
        "renewal_opens_days_before_due" => ": renewals open on any day of the loan",
        "pickup_branches" => ": every pickup location",
        "new_title_hold_delay_days" => ": new titles may be held at once",
        "suspension_days_per_late_day" => ": no suspension for late returns",
        _ => "",
    }
}

/// Rows as columns, each cell but a row's last padded to its column's widest such cell (in
/// characters).
fn aligned(rows: &[Vec<String>]) -> String {
    let mut widths = Vec::new();
    for row in rows {
        widths.resize(widths.len().max(row.len()), 0);
        for (w, cell) in widths.iter_mut().zip(&row[..row.len().saturating_sub(1)]) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (cell, w) in row.iter().zip(&widths) {
            let _ = write!(line, "{cell:<w$}  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What `day` means at `branch`: open or closed and the calendar rules that say so, the hard
/// due dates in force, and when a loan of the kind made that day falls due.
fn day_text(loaded: &Loaded, branch: &str, day: NaiveDate, rules: &Rules) -> String {
    let p = &loaded.policy;
    let Some(cal) = OpeningCalendar::from_policy(p, branch) else { return String::new() };
    let open = cal.is_open(day);
    let mut out = format!("{day} ({}) at {branch}: {}\n", day.format("%a"), if open { "open" } else { "closed" });
    let reasons = closure_reasons(loaded, branch, day, open);
    for reason in &reasons {
        let _ = writeln!(out, "  {reason}");
    }
    let mut hard = p.loans.hard_due_dates.iter().enumerate().filter(|(_, h)| h.applies_to(day, branch)).peekable();
    if hard.peek().is_none() {
        out.push_str("  no hard due date is in force\n");
    }
    for (i, h) in hard {
        let key = format!("loans.hard_due_dates[{i}]");
        let at = loaded.line_of(&key);
        let _ = writeln!(out, "  hard due date: loans made {} to {} are due by {} ({key}, {at})", h.from, h.due, h.due);
    }
    if rules.loanable() {
        let days = rules.values.loan_days.unwrap_or(0);
        let at = DueContext { today: day, branch, card_expires_on: NaiveDate::MAX, calendar: &cal };
        let cap = if p.loans.due_capped_at_card_expiry { ", or the card's expiry if sooner" } else { "" };
        match due_date(p, day, days, &at) {
            Some(due) => {
                let _ = writeln!(out, "  a loan made that day is due {due} ({}){cap}", due.format("%a"));
            }
            None => out.push_str("  a loan made that day has no open day to fall due on\n"),
        }
    }
    out
}

/// The calendar rules that bear on `day` at `branch`, each with its key and line: the national
/// holiday and the holiday rule, a regular closed weekday, the dated closures that fall on it,
/// and a closure moved there from a holiday. Each is asked of the engine's calendar alone.
fn closure_reasons(loaded: &Loaded, branch: &str, day: NaiveDate, open: bool) -> Vec<String> {
    let p = &loaded.policy;
    let rules = p.calendar(branch);
    let at = match p.branches.iter().position(|b| b.code == branch && b.calendar.is_some()) {
        Some(i) => format!("branches[{i}].calendar"),
        None => "calendar".to_owned(),
    };
    let written = |key: &str| format!("{at}.{key}, {}", loaded.line_of(&format!("{at}.{key}")));
    let mut reasons = Vec::new();
    let holiday = japanese_holidays(chrono::Datelike::year(&day)).into_iter().find(|(d, _)| *d == day);
    if let Some((_, name)) = holiday {
        let rule = toml::Value::try_from(rules.holidays).map(|v| v.to_string()).unwrap_or_default();
        reasons.push(format!("{name}: a national holiday; holidays = {rule} ({})", written("holidays")));
    }
    let weekly_closed = !OpeningCalendar::new(&rules.closed_weekdays).is_open(day);
    if weekly_closed {
        reasons.push(format!("{}: a regular closing day ({})", day.format("%A"), written("closed_weekdays")));
    }
    let dated = dated_closures(rules, day);
    for key in &dated {
        reasons.push(format!("a closure falls on this day ({})", written(key)));
    }
    let holiday_closed = holiday.is_some() && rules.holidays == HolidayRule::Closed;
    if !open && dated.is_empty() && !holiday_closed && !weekly_closed {
        reasons.push(format!(
            "a regular closure moved here from a national holiday the branch opened on ({})",
            written("holidays")
        ));
    }
    reasons
}

/// The key paths, relative to the calendar, of the dated, yearly and monthly closures that
/// close `day`, each tested alone.
fn dated_closures(rules: &CalendarRules, day: NaiveDate) -> Vec<String> {
    let only = CalendarRules::default;
    let mut keys = Vec::new();
    let mut test = |key: String, alone: CalendarRules| {
        if !OpeningCalendar::with_rules(alone).is_open(day) {
            keys.push(key);
        }
    };
    for (i, range) in rules.closed_ranges.iter().enumerate() {
        test(format!("closed_ranges[{i}]"), CalendarRules { closed_ranges: vec![*range], ..only() });
    }
    for (i, yearly) in rules.yearly_closed.iter().enumerate() {
        test(format!("yearly_closed[{i}]"), CalendarRules { yearly_closed: vec![*yearly], ..only() });
    }
    for (i, monthly) in rules.monthly_closed.iter().enumerate() {
        test(format!("monthly_closed[{i}]"), CalendarRules { monthly_closed: vec![*monthly], ..only() });
    }
    keys
}
