//! iCalendar (RFC 5545) feeds for patrons: an all-day event per due date and per pickup
//! deadline, with a reminder the day before, so a phone's calendar shows them.
//!
//! Rendering is a pure function of plain data ([`Event`]); [`Library::loans_ics`] and
//! [`Library::holds_ics`] gather the events. Each event's UID is derived from the loan or
//! hold id and the library's code, so importing the feed again updates the events instead of
//! duplicating them; a renewal raises the loan's `SEQUENCE`, and so does a pickup deadline
//! counted again later, so clients take the new date.

use std::fmt::Write as _;

use chrono::{DateTime, Days, NaiveDate, Utc};

use crate::error::Result;
use crate::holds::HoldStatus;
use crate::patrons::PatronId;
use crate::{Lang, Library};

/// One all-day event of a feed.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Event {
    /// Globally unique and stable: `loan-12@chiba.bunko`.
    uid: String,
    /// Raised when the event's date changes (a loan's renewals), so clients update.
    sequence: u32,
    /// The day (the library's local date).
    date: NaiveDate,
    summary: String,
    description: String,
    location: Option<String>,
    /// The reminder's text, shown at 09:00 the day before.
    alarm: String,
}

impl Library {
    /// The patron's open loans as an iCalendar feed (RFC 5545): one all-day event on each due
    /// date (返却期限), in the library's local calendar, with a reminder at 09:00 the day before.
    /// Texts are in `lang`. UIDs are stable per loan, and a renewal raises the event's
    /// `SEQUENCE`, so re-importing updates rather than duplicates.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn loans_ics(&self, patron: PatronId, lang: Lang) -> Result<String> {
        let events = self
            .patron_loans(patron)?
            .into_iter()
            .map(|view| {
                let loan = view.loan;
                let branch = self.branch_name(&loan.branch);
                let title = &loan.title_text;
                let (summary, description, alarm) = match lang {
                    Lang::Ja => (
                        format!("返却期限: {title}"),
                        format!("{branch}で借りた「{title}」の返却期限です。"),
                        format!("明日が返却期限です: {title}"),
                    ),
                    Lang::En => (
                        format!("Due: {title}"),
                        format!("\"{title}\", borrowed at {branch}, is due."),
                        format!("Due tomorrow: {title}"),
                    ),
                };
                Event {
                    uid: format!("loan-{}@{}.bunko", loan.id, self.policy.library.code),
                    sequence: loan.renewals,
                    date: loan.due_on,
                    summary,
                    description,
                    location: Some(branch),
                    alarm,
                }
            })
            .collect::<Vec<_>>();
        Ok(render(&self.calendar_name(lang, "loans"), &events, self.now()))
    }

    /// The patron's holds waiting on the hold shelf as an iCalendar feed: one all-day event on
    /// each pickup deadline (取置期限) at the pickup branch, with a reminder at 09:00 the day
    /// before. UIDs are stable per hold.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn holds_ics(&self, patron: PatronId, lang: Lang) -> Result<String> {
        let events = self
            .patron_holds(patron)?
            .into_iter()
            .filter(|view| view.hold.status == HoldStatus::Ready)
            .filter_map(|view| {
                let hold = view.hold;
                let deadline = hold.pickup_deadline?;
                let branch = self.branch_name(&hold.pickup);
                let title = &hold.title_text;
                let (summary, description, alarm) = match lang {
                    Lang::Ja => (
                        format!("取置期限: {title}"),
                        format!("予約した「{title}」を{branch}で取り置いています。この日までに受け取ってください。"),
                        format!("明日が取置期限です: {title}"),
                    ),
                    Lang::En => (
                        format!("Pick up by: {title}"),
                        format!("\"{title}\" is waiting for you at {branch}; collect it by this day."),
                        format!("Last day to pick up tomorrow: {title}"),
                    ),
                };
                // The deadline only ever moves later (counted again from the ready notice's
                // delivery, `shelf_days_from = "notice"`): its distance from the day the hold
                // became ready rises with it, so clients take the new date.
                let sequence = hold.ready_on.map_or(0, |on| (deadline - on).num_days().clamp(0, 10_000) as u32);
                Some(Event {
                    uid: format!("hold-{}@{}.bunko", hold.id, self.policy.library.code),
                    sequence,
                    date: deadline,
                    summary,
                    description,
                    location: Some(branch),
                    alarm,
                })
            })
            .collect::<Vec<_>>();
        Ok(render(&self.calendar_name(lang, "holds"), &events, self.now()))
    }

    fn branch_name(&self, code: &str) -> String {
        self.policy.branch(code).map_or_else(|| code.to_owned(), |b| b.name.clone())
    }

    fn calendar_name(&self, lang: Lang, feed: &str) -> String {
        let library = &self.policy.library.name;
        match (lang, feed) {
            (Lang::Ja, "loans") => format!("{library} 返却期限"),
            (Lang::Ja, _) => format!("{library} 取置期限"),
            (Lang::En, "loans") => format!("{library}: due dates"),
            (Lang::En, _) => format!("{library}: pickup deadlines"),
        }
    }
}

/// The feed as RFC 5545 text: CRLF line ends, lines folded at 75 octets.
fn render(name: &str, events: &[Event], now: DateTime<Utc>) -> String {
    let stamp = now.format("%Y%m%dT%H%M%SZ").to_string();
    let mut out = String::new();
    let mut line = |text: &str| fold_into(&mut out, text);
    line("BEGIN:VCALENDAR");
    line("VERSION:2.0");
    line(&format!("PRODID:-//bunko//bunko {}//EN", env!("CARGO_PKG_VERSION")));
    line("CALSCALE:GREGORIAN");
    line("METHOD:PUBLISH");
    line(&format!("X-WR-CALNAME:{}", escape(name)));
    for e in events {
        let next = e.date.checked_add_days(Days::new(1)).unwrap_or(e.date);
        line("BEGIN:VEVENT");
        line(&format!("UID:{}", escape(&e.uid)));
        line(&format!("SEQUENCE:{}", e.sequence));
        line(&format!("DTSTAMP:{stamp}"));
        line(&format!("DTSTART;VALUE=DATE:{}", e.date.format("%Y%m%d")));
        line(&format!("DTEND;VALUE=DATE:{}", next.format("%Y%m%d")));
        line(&format!("SUMMARY:{}", escape(&e.summary)));
        line(&format!("DESCRIPTION:{}", escape(&e.description)));
        if let Some(location) = &e.location {
            line(&format!("LOCATION:{}", escape(location)));
        }
        line("TRANSP:TRANSPARENT");
        line("BEGIN:VALARM");
        line("ACTION:DISPLAY");
        // The start of an all-day event is local midnight: 15 hours before is 09:00 the day before.
        line("TRIGGER;RELATED=START:-PT15H");
        line(&format!("DESCRIPTION:{}", escape(&e.alarm)));
        line("END:VALARM");
        line("END:VEVENT");
    }
    line("END:VCALENDAR");
    out
}

/// A TEXT value escaped per RFC 5545 § 3.3.11; control characters are dropped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Appends `text` as one content line, folded so no line exceeds 75 octets (§ 3.1), never
/// inside a UTF-8 character; each line ends in CRLF.
fn fold_into(out: &mut String, text: &str) {
    let mut width = 0;
    for ch in text.chars() {
        let len = ch.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(ch);
        width += len;
    }
    let _ = write!(out, "\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(summary: &str) -> Event {
        Event {
            uid: "loan-1@x.bunko".into(),
            sequence: 2,
            date: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
            summary: summary.into(),
            description: "a, b; c\\d\ne".into(),
            location: None,
            alarm: "tomorrow".into(),
        }
    }

    #[test]
    fn lines_are_folded_at_75_octets_between_characters() {
        let long = "返却期限".repeat(30);
        let text = render("x", &[event(&long)], DateTime::UNIX_EPOCH);
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{} octets: {line}", line.len());
        }
        let unfolded = text.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{long}\r\n")));
    }

    #[test]
    fn text_values_are_escaped_and_the_event_ends_the_next_day() {
        let text = render("x", &[event("s")], DateTime::UNIX_EPOCH);
        assert!(text.contains("DESCRIPTION:a\\, b\\; c\\\\d\\ne\r\n"), "{text}");
        assert!(text.contains("DTSTART;VALUE=DATE:20261231\r\nDTEND;VALUE=DATE:20270101\r\n"));
        assert!(text.contains("SEQUENCE:2\r\n"));
        assert!(text.ends_with("END:VCALENDAR\r\n"));
    }
}
