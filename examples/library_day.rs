//! 図書館の一日 — a day (and the weeks after it) at the library, told through bunko's API.
//!
//! Run with `cargo run --example library_day` (the `example-city` preset, the one with patron
//! categories and a rules matrix), or `-- kanagawa` for another preset. It opens a library in
//! memory, registers patrons, lends, renews, takes holds through the cart, returns a copy that
//! travels to the first hold's branch, prints the notices a host would send, lets a hold expire
//! so the copy goes to the next patron, sends a new-arrival digest, and writes the patron's card
//! barcode (and a reading-goal chart, where the library offers goals) to a temporary directory.
//! Any error is printed as its message, and the example exits non-zero.

use std::error::Error;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use bunko::alerts::{Field, SavedSearch};
use bunko::catalog::{NewCopy, NewTitle, TitleId};
use bunko::circulation::{CopyRoute, LoanId};
use bunko::holds::{HoldId, HoldRequest};
use bunko::patrons::{NewPatron, PatronId, Phone, PhoneKind, card_barcode_svg};
use bunko::policy::{ContactMethod, EmailTag};
use bunko::shelves::{Granularity, goal_chart_svg};
use bunko::{FixedClock, Library, Policy};
use chrono::{Datelike, Days, NaiveDate, TimeZone, Utc};

type Outcome<T = ()> = Result<T, Box<dyn Error>>;

fn main() -> ExitCode {
    let preset = std::env::args().nth(1).unwrap_or_else(|| "example-city".to_owned());
    match run(&preset) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("エラー error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The library, its clock, and the people of the story.
struct Day {
    lib: Library,
    clock: Arc<FixedClock>,
    next_card: u32,
    next_barcode: u32,
}

fn run(preset: &str) -> Outcome {
    let policy = Policy::preset(preset)?;
    let start = date(2027, 4, 6)?;
    let clock = Arc::new(FixedClock::new(Utc.from_utc_datetime(&start.and_hms_opt(1, 0, 0).ok_or("time")?)));
    let lib = Library::open_in_memory(policy, clock.clone())?;
    let mut d = Day { lib, clock, next_card: 0, next_barcode: 0 };
    let p = d.lib.policy().clone();

    // 開館 — opening.
    println!("■ {} ({}) の一日 — a day at the library", p.library.name, p.library.code);
    let pickups: Vec<_> = p.branches.iter().filter(|b| b.pickup && !b.partner).collect();
    let Some(main_branch) = pickups.first() else { return Err("the policy has no branch of its own".into()) };
    let main = main_branch.code.clone();
    let far = pickups.get(1).map_or(main.clone(), |b| b.code.clone());
    let names: Vec<_> = pickups.iter().map(|b| format!("{} ({})", b.name, b.code)).collect();
    println!("  館 branches: {}", names.join(", "));
    println!("{} 開館 — the doors open at {}", jp(start), branch_name(&d, &main));

    // 蔵書 — the catalogue.
    let kinds = &p.materials;
    let av = if kinds.contains_key("av") { "av" } else { "book" };
    let ginga = d.title("銀河鉄道の夜", "宮沢賢治", date(1934, 1, 1)?)?;
    let kokoro = d.title("こころ", "夏目漱石", date(1914, 9, 20)?)?;
    let aomushi = d.title("はらぺこあおむし", "エリック・カール", date(1976, 5, 1)?)?;
    let totoro = d.title("となりのトトロ", "宮崎駿", date(1988, 4, 16)?)?;
    let ginga_copy = d.copy(ginga, &main, "book")?;
    let kokoro_copy = d.copy(kokoro, &main, "book")?;
    let aomushi_copy = d.copy(aomushi, &main, "book")?;
    let totoro_copy = d.copy(totoro, &main, av)?;
    println!(
        "  蔵書 catalogued: 『銀河鉄道の夜』『こころ』『はらぺこあおむし』『となりのトトロ』({av}), one copy each"
    );

    // 利用者登録 — two categories of patron.
    let categories: Vec<String> =
        if p.categories.is_empty() { vec!["general".to_owned()] } else { p.categories.keys().cloned().collect() };
    let adult_cat = pick(&categories, "general");
    let child_cat = pick(&categories, "child");
    let hanako = d.patron("図書 花子", &adult_cat, "hanako@example.jp")?;
    let taro = d.patron("図書 太郎", &child_cat, "hogosha@example.jp")?;
    let jiro = d.patron("本田 次郎", &adult_cat, "jiro@example.jp")?;
    if child_cat == adult_cat {
        println!("  {} has one patron category: everyone is `{adult_cat}`", p.library.name);
    }
    for who in [hanako, taro, jiro] {
        let r = d.lib.patron(who)?;
        let label = p.categories.get(&r.category).map_or(r.category.clone(), |c| c.label.clone());
        println!(
            "  登録 registered {} — {label}, card {}, valid until {}",
            r.name,
            r.card_number.as_str(),
            r.expires_on
        );
    }

    // 新着お知らせ — 花子 saves a search; the daily digest sweep runs (nothing new yet).
    match d.lib.save_search(
        hanako,
        SavedSearch {
            name: "宮沢賢治の新刊".into(),
            terms: vec![(Field::Author, "宮沢賢治".into())],
            ..SavedSearch::default()
        },
    ) {
        Ok(_) => println!("  花子 saves a search 「宮沢賢治の新刊」 (author 宮沢賢治) for new-arrival mail"),
        Err(e) => println!("  花子 cannot save a search: {e}"),
    }
    d.lib.send_new_arrival_alerts()?;

    // 貸出 — checkouts.
    let due = d.lib.checkout(&ginga_copy, hanako, &main)?.due_on;
    println!("  貸出 花子 borrows 『銀河鉄道の夜』 — due {}", jp(due));
    let due = d.lib.checkout(&kokoro_copy, hanako, &main)?.due_on;
    println!("  貸出 花子 borrows 『こころ』 — due {}", jp(due));
    let due = d.lib.checkout(&aomushi_copy, taro, &main)?.due_on;
    let period = if child_cat == adult_cat { "" } else { " (his category's loan period)" };
    println!("  貸出 太郎 ({child_cat}) borrows 『はらぺこあおむし』 — due {}{period}", jp(due));
    match d.lib.checkout(&totoro_copy, taro, &main) {
        Ok(loan) => println!("  貸出 太郎 borrows 『となりのトトロ』 ({av}) — due {}", jp(loan.due_on)),
        Err(e) => println!("  貸出 太郎 may not borrow 『となりのトトロ』: {e}"),
    }

    // A week later: a renewal, and holds through the cart.
    d.go_to(start + Days::new(7))?;
    println!("{} 一週間後 — a week later", jp(d.lib.today()));
    let loan = loan_of(&d, hanako, ginga)?;
    match d.lib.renew(hanako, loan) {
        Ok(due) => println!("  延長 花子 renews 『銀河鉄道の夜』 — now due {}", jp(due)),
        Err(e) => println!("  延長 花子 cannot renew 『銀河鉄道の夜』: {e}"),
    }
    let contact_taro = contact_for(&p, false);
    let contact_jiro = contact_for(&p, true);
    let taro_hold = d.hold_via_cart(taro, ginga, &far, &contact_taro)?;
    let jiro_hold = d.hold_via_cart(jiro, ginga, &main, &contact_jiro)?;
    for (who, name) in [(taro, "太郎"), (jiro, "次郎")] {
        for h in d.lib.patron_holds(who)? {
            let place = h.queue_position.map_or("—".to_owned(), |n| n.to_string());
            println!(
                "  予約 {name}: 『{}』 pickup {}, by {}, queue position {place}",
                h.hold.title_text,
                branch_name(&d, &h.hold.pickup),
                h.hold.contact
            );
        }
    }

    // Past the due date: the renewal is refused, every reason listed.
    let due = d.lib.patron_loans(hanako)?.iter().find(|l| l.loan.id == loan).map(|l| l.loan.due_on);
    let late = due.ok_or("花子's loan is gone")? + Days::new(2);
    d.go_to(late)?;
    println!("{} 返却期限の2日後 — two days after the due date", jp(late));
    match d.lib.renew(hanako, loan) {
        Ok(due) => println!("  延長 花子 renews again — due {}", jp(due)),
        Err(bunko::Error::Refused(refusal)) => {
            println!("  延長不可 花子's second renewal is refused, for every reason that applies:");
            for reason in &refusal.reasons {
                println!("    - {reason}");
            }
        }
        Err(e) => return Err(e.into()),
    }

    // 返却 — the return routes the copy to the first hold, across branches.
    let back = d.lib.check_in(&ginga_copy, &main)?;
    println!("  返却 花子 returns 『銀河鉄道の夜』 at {}, {} day(s) late", branch_name(&d, &main), back.days_overdue);
    if let Some(until) = d.lib.patron(hanako)?.suspended_until {
        println!("    貸出停止 花子 may not borrow until {} (one day per day late)", jp(until));
    }
    let mut route = back.route;
    describe(&d, &route, &[(taro_hold, "太郎"), (jiro_hold, "次郎")]);
    send_notices(&mut d)?;
    if let Some(ready) = d.arrive(&route)? {
        describe(&d, &ready, &[(taro_hold, "太郎"), (jiro_hold, "次郎")]);
        send_notices(&mut d)?;
        route = ready;
    }

    // 取置期限切れ — 太郎 does not come; the daily sweep gives the copy to 次郎.
    if let CopyRoute::HeldForPickup { deadline, .. } = route {
        d.go_to(deadline + Days::new(1))?;
        println!("{} 取置期限の翌日 — the day after the pickup deadline", jp(d.lib.today()));
        let sweep = d.lib.expire_holds()?;
        println!("  期限切れ the expiry sweep ends {} hold(s)", sweep.expired.len());
        for (_, next) in sweep.routes {
            describe(&d, &next, &[(taro_hold, "太郎"), (jiro_hold, "次郎")]);
            send_notices(&mut d)?;
            if let Some(ready) = d.arrive(&next)? {
                describe(&d, &ready, &[(taro_hold, "太郎"), (jiro_hold, "次郎")]);
                send_notices(&mut d)?;
            }
        }
    }

    // 新着案内 — new arrivals, and the daily digest sweep until a send day comes.
    let today = d.lib.today();
    let poems = d.title("宮沢賢治全詩集", "宮沢賢治", today - Days::new(20))?;
    let new = d.copy(poems, &main, "book")?;
    println!("  新着 catalogued 『宮沢賢治全詩集』 (published {}), copy {new}", jp(today - Days::new(20)));
    match d.next_digest()? {
        Some(day) => {
            println!("{} 新着案内 — on the send day, the daily sweep writes 花子's digest", jp(day));
            send_notices(&mut d)?;
        }
        None => println!("  新着案内 {} sends no new-arrival mail", p.library.name),
    }

    // The card's barcode, and a reading-goal chart where the library offers goals.
    let dir = std::env::temp_dir().join(format!("bunko-library-day-{}", p.library.code));
    std::fs::create_dir_all(&dir)?;
    let card = d.lib.patron(hanako)?.card_number;
    let card_svg = dir.join(format!("card-{}.svg", card.as_str()));
    std::fs::write(&card_svg, card_barcode_svg(&card))?;
    println!("  利用者カード 花子's card barcode (Codabar): {}", card_svg.display());
    if p.reading.goals_offered {
        let chart = d.goal_chart(hanako, start, dir)?;
        println!("  読書目標 花子's reading-goal chart: {}", chart.display());
    } else {
        println!("  読書目標 {} offers no reading goals (reading.goals_offered = false): no chart", p.library.name);
    }

    let problems = d.lib.check()?;
    println!("閉館 — closing: the consistency check finds {} problem(s)", problems.len());
    Ok(())
}

impl Day {
    /// Moves the clock on to `day`, running the new-arrival sweep every day on the way, as a
    /// host's daily job would (the other daily jobs are called where the story needs them).
    fn go_to(&mut self, day: NaiveDate) -> Outcome {
        while self.lib.today() < day {
            self.next_day()?;
            self.lib.send_new_arrival_alerts()?;
        }
        Ok(())
    }

    fn next_day(&mut self) -> Outcome {
        let next = self.lib.today() + Days::new(1);
        self.clock.set(Utc.from_utc_datetime(&next.and_hms_opt(1, 0, 0).ok_or("time")?));
        Ok(())
    }

    /// Runs the daily new-arrival sweep day by day until it writes a digest (at most 35 days);
    /// returns that day.
    fn next_digest(&mut self) -> Outcome<Option<NaiveDate>> {
        for _ in 0..35 {
            if !self.lib.send_new_arrival_alerts()?.patrons.is_empty() {
                return Ok(Some(self.lib.today()));
            }
            self.next_day()?;
        }
        Ok(None)
    }

    fn title(&mut self, title: &str, author: &str, published: NaiveDate) -> Outcome<TitleId> {
        let record = NewTitle {
            author: author.into(),
            published_on: Some(published),
            category: "913.6".into(),
            ..NewTitle::new(title)
        };
        Ok(self.lib.add_title(record)?)
    }

    fn copy(&mut self, title: TitleId, branch: &str, kind: &str) -> Outcome<String> {
        self.next_barcode += 1;
        let barcode = format!("C{:06}", self.next_barcode);
        self.lib.add_copy(NewCopy::new(barcode.clone(), title, branch, kind))?;
        Ok(barcode)
    }

    /// Registers a patron of `category` with a card number the policy accepts, a mobile phone
    /// chosen for hold calls, and an e-mail address confirmed at the counter.
    fn patron(&mut self, name: &str, category: &str, email: &str) -> Outcome<PatronId> {
        let p = self.lib.policy().clone();
        self.next_card += 1;
        let len = p.cards.min_length.max(p.cards.max_length.min(8)) as usize;
        let first = p.cards.allowed_first_digits.first().copied().unwrap_or('1');
        let card = format!("{first}{:0width$}", self.next_card, width = len.saturating_sub(1));
        let today = self.lib.today();
        let expires = self.lib.card_expiry_for(category).unwrap_or(today + Days::new(3 * 365));
        let mut patron = NewPatron::new(card, name, expires);
        patron.category = category.to_owned();
        patron.birth_date = Some(birth_date(&p, category, today)?);
        patron.phones = vec![Phone { chosen: true, ..Phone::new(PhoneKind::Mobile, "090-1234-5678") }];
        let id = self.lib.register_patron(patron)?;
        let tag = p.contact.email_tags.first().map(|t| if *t == EmailTag::Pc { "pc" } else { "mobile" });
        self.lib.register_email_at_counter(id, email, tag)?;
        Ok(id)
    }

    /// Puts `title` in the patron's cart and confirms it (or places the hold directly where the
    /// library has no cart); approves it where web holds need staff approval.
    fn hold_via_cart(
        &mut self,
        who: PatronId,
        title: TitleId,
        pickup: &str,
        contact: &ContactMethod,
    ) -> Outcome<HoldId> {
        let p = self.lib.policy().clone();
        let mut request = HoldRequest::web(pickup, contact.clone());
        let hold = if p.holds.cart {
            self.lib.add_to_cart(who, title)?;
            let results = self.lib.confirm_cart(who, &request)?;
            let (_, result) = results.into_iter().next().ok_or("the cart was empty")?;
            result?
        } else {
            if !p.holds.reserve_now {
                request = request.at_counter();
            }
            self.lib.place_hold(who, title, &request)?
        };
        if p.holds.web_holds_need_approval && self.lib.hold(hold)?.status == bunko::holds::HoldStatus::PendingApproval {
            self.lib.approve_hold(hold)?;
        }
        Ok(hold)
    }

    /// A copy in transit for a hold arrives on its day and is received at the pickup branch;
    /// `None` for a copy that was not in transit.
    fn arrive(&mut self, route: &CopyRoute) -> Outcome<Option<CopyRoute>> {
        let CopyRoute::InTransitForHold { hold, to, arrives_on } = route else { return Ok(None) };
        self.go_to(*arrives_on)?;
        let copy = self.lib.hold(*hold)?.copy.ok_or("the hold has no copy")?;
        let barcode = self.lib.copy(copy)?.barcode;
        println!("{} 到着 — the van brings the copy to {}", jp(*arrives_on), branch_name(self, to));
        Ok(Some(self.lib.receive_copy(&barcode, to)?))
    }

    fn goal_chart(&mut self, who: PatronId, start: NaiveDate, dir: PathBuf) -> Outcome<PathBuf> {
        let end = date(start.year(), 12, 31)?;
        let goal = self.lib.set_reading_goal(who, date(start.year(), 1, 1)?, end, 24)?;
        let progress = self.lib.reading_goal_progress(who, goal, Granularity::Month)?;
        println!("  読書目標 goal: 24 books in {}; {} so far", start.year(), progress.total);
        let path = dir.join("reading-goal.svg");
        std::fs::write(&path, goal_chart_svg(&progress))?;
        Ok(path)
    }
}

/// Drains the outbox as a host would: claim a batch (leased to this drainer), deliver each
/// notice by its channel with its idempotency key, then mark it sent.
fn send_notices(d: &mut Day) -> Outcome {
    let notices = d.lib.claim_notices(100, std::time::Duration::from_secs(300))?;
    let mut sent = Vec::new();
    for n in &notices {
        let to = n.address.as_deref().unwrap_or("(the patron's registered address)");
        println!("  ✉ 通知 notice by {} to {to} (key {}…): {}", n.channel, &n.key[..8], n.subject);
        for line in n.body.lines().filter(|l| !l.trim().is_empty()) {
            println!("      {line}");
        }
        sent.push(n.id);
    }
    d.lib.mark_delivered(&sent)?;
    Ok(())
}

/// Says in words where a copy went.
fn describe(d: &Day, route: &CopyRoute, holds: &[(HoldId, &str)]) {
    let who = |h: &HoldId| holds.iter().find(|(id, _)| id == h).map_or("a patron", |(_, n)| n);
    match route {
        CopyRoute::Shelved => println!("    → 書架へ back on the shelf"),
        CopyRoute::InTransit { to } => println!("    → 返送 on its way home to {}", branch_name(d, to)),
        CopyRoute::HeldForPickup { hold, deadline } => {
            println!("    → 取置 on the hold shelf for {} until {}", who(hold), jp(*deadline));
        }
        CopyRoute::InTransitForHold { hold, to, arrives_on } => println!(
            "    → 搬送中 in transit for {}'s hold to {}, arriving {}",
            who(hold),
            branch_name(d, to),
            jp(*arrives_on)
        ),
        CopyRoute::DispatchedOnLoan { to, .. } => println!("    → 発送 dispatched on loan to {}", branch_name(d, to)),
        // `CopyRoute` is `#[non_exhaustive]`: a later bunko may route a copy in a new way.
        other => println!("    → {other:?}"),
    }
}

/// The patron's open loan of `title`.
fn loan_of(d: &Day, who: PatronId, title: TitleId) -> Outcome<LoanId> {
    let loans = d.lib.patron_loans(who)?;
    Ok(loans.iter().find(|l| l.loan.title == title).ok_or("no such loan")?.loan.id)
}

/// How the library is to tell a patron a hold is ready: mail where offered (and `mail` is
/// preferred), else a channel or the phone, else the first method open to everyone.
fn contact_for(p: &Policy, prefer_mail: bool) -> ContactMethod {
    let open: Vec<_> = p.contact.methods.iter().filter(|m| m.requires.is_none()).map(|m| m.method.clone()).collect();
    let phone_like = open.iter().find(|m| matches!(m, ContactMethod::Channel(_) | ContactMethod::Phone));
    let mail = open.iter().find(|m| **m == ContactMethod::Mail);
    let choice = if prefer_mail { mail.or(phone_like) } else { phone_like.or(mail) };
    choice.or(open.first()).cloned().unwrap_or(ContactMethod::None)
}

/// `wanted` if the policy declares it, else the first category.
fn pick(categories: &[String], wanted: &str) -> String {
    categories.iter().find(|c| *c == wanted).or(categories.first()).cloned().unwrap_or_else(|| wanted.to_owned())
}

/// A birth date inside the category's age bounds: 8 for a capped category, else 35.
fn birth_date(p: &Policy, category: &str, today: NaiveDate) -> Outcome<NaiveDate> {
    let bounds = p.categories.get(category);
    let (min, max) = bounds.map_or((None, None), |c| (c.min_age, c.max_age));
    let age = match max {
        Some(max) => max.min(8).max(min.unwrap_or(0)),
        None => min.unwrap_or(0).max(35),
    };
    let year = today.year() - i32::try_from(age)? - 1;
    date(year, 6, 1)
}

fn branch_name(d: &Day, code: &str) -> String {
    d.lib.policy().branches.iter().find(|b| b.code == code).map_or(code.to_owned(), |b| b.name.clone())
}

fn date(y: i32, m: u32, d: u32) -> Outcome<NaiveDate> {
    Ok(NaiveDate::from_ymd_opt(y, m, d).ok_or("no such date")?)
}

/// `2027年4月6日(火)`.
fn jp(d: NaiveDate) -> String {
    const DAYS: [&str; 7] = ["月", "火", "水", "木", "金", "土", "日"];
    format!("{}年{}月{}日({})", d.year(), d.month(), d.day(), DAYS[d.weekday().num_days_from_monday() as usize])
}
