//! A library day: load a preset, build a small library, and print what it looks like.
//!
//! Run with `cargo run --example library_day` (or `-- kanagawa` for another preset).

use bunko::catalog::{NewCopy, NewTitle};
use bunko::patrons::{NewPatron, Phone, PhoneKind};
use bunko::policy::Weekday;
use bunko::{FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "chiba".to_owned());
    let policy = Policy::preset(&name)?;
    let clock = FixedClock::new(Utc.with_ymd_and_hms(2026, 12, 25, 0, 30, 0).single().ok_or("bad start time")?);
    let mut lib = Library::open_in_memory(policy, clock)?;
    let p = lib.policy().clone();
    let today = lib.today();

    println!("{} ({}) — {}", p.library.name, p.library.code, today);
    let limits = &p.holds.limits;
    println!(
        "  holds: total {}, per kind {:?}; {} days on the hold shelf",
        limits.total.map_or("unlimited".to_owned(), |t| t.to_string()),
        limits.per_kind,
        p.holds.shelf_days
    );
    println!(
        "  renewals: {} × {} days{}",
        p.loans.renewal.max_renewals,
        p.loans.renewal.days,
        if p.loans.renewal.counts_renewal_day { " (renewal day included)" } else { "" }
    );

    let home = p.branches.iter().find(|b| !b.partner).ok_or("policy has no branch")?.code.clone();
    lib.set_closed_weekdays(&home, &[Weekday::Mon])?;
    let year_end = NaiveDate::from_ymd_opt(2026, 12, 29).ok_or("bad date")?;
    for day in year_end.iter_days().take(6) {
        lib.close_on(&home, day, "年末年始")?;
    }

    let books = [("吾輩は猫である", "夏目漱石"), ("銀河鉄道の夜", "宮沢賢治"), ("羅生門", "芥川龍之介")];
    for (i, (title, author)) in books.iter().enumerate() {
        let t = lib.add_title(NewTitle { author: (*author).into(), ..NewTitle::new(*title) })?;
        lib.add_copy(NewCopy::new(format!("B{:05}", i + 1), t, home.clone(), "book"))?;
        println!("  catalogued 『{title}』 {author}: {} copy at {home}", lib.copies_of(t)?.len());
    }

    let card = "0".repeat(p.cards.min_length as usize);
    let mut patron = NewPatron::new(card, "図書 花子", today + chrono::Days::new(3 * 365));
    patron.phones = vec![Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-1234-5678") }];
    let id = lib.register_patron(patron)?;
    let who = lib.patron(id)?;
    println!("  registered {} (card {}), card valid until {}", who.name, who.card_number, who.expires_on);

    let next = lib.next_open_day(&home, NaiveDate::from_ymd_opt(2026, 12, 28).ok_or("bad date")?)?;
    println!("  {home} is closed Mondays and 12/29–1/3; first open day from 12/28: {next}");
    Ok(())
}
