//! Semantic checks a TOML schema cannot express. Every problem is collected, with its key path.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};

use super::ChannelCode;
use super::model::*;
use super::rules::ScopedRule;
use crate::error::{PolicyProblem, Why, why};

/// Every semantic problem in `p`; empty when the policy is usable.
pub(super) fn problems(p: &Policy) -> Vec<PolicyProblem> {
    let mut c = Checker::default();
    library(&mut c, &p.library);
    branches(&mut c, p);
    calendars(&mut c, p);
    cards(&mut c, &p.cards);
    passwords(&mut c, &p.passwords);
    accounts(&mut c, &p.accounts);
    contact(&mut c, &p.contact);
    flags_and_channels(&mut c, p);
    materials(&mut c, p);
    holds(&mut c, p);
    loans(&mut c, p);
    booklists(&mut c, &p.booklists);
    reading(&mut c, &p.reading);
    alerts(&mut c, &p.alerts);
    arrival_kinds(&mut c, p);
    categories(&mut c, p);
    rules(&mut c, p);
    if c.problems.is_empty() {
        // Resolves every category × kind: only worth it, and only bounded, once the rest holds.
        loan_periods(&mut c, p);
    }
    let mut problems = c.problems;
    if problems.len() > PROBLEMS_MAX {
        let more = problems.len() - PROBLEMS_MAX;
        problems.truncate(PROBLEMS_MAX);
        problems.push(PolicyProblem::new(
            "",
            why!("{more} more problems not shown", "ほかに{more}件の誤りがあります(表示を省略)"),
        ));
    }
    problems
}

/// Longest code (library, branch, pickup point, material kind), in characters.
const CODE_MAX_CHARS: usize = 32;
/// Longest display name or label, in characters.
const NAME_MAX_CHARS: usize = 100;
/// Longest e-book service address, in characters.
const URL_MAX_CHARS: usize = 2000;
/// Longest password any policy may ask for, in characters.
const PASSWORD_MAX_CHARS: u32 = super::passwords::MAX_PASSWORD_CHARS;
/// The most days of suspension one day late can earn.
const SUSPENSION_MAX_DAYS: u32 = 30;
/// Most patron categories.
const CATEGORIES_MAX: usize = 50;
/// Most problems reported; a file with more is reported up to this many.
const PROBLEMS_MAX: usize = 1000;
/// Most `[[rules]]` entries.
const RULES_MAX: usize = 5000;
/// Longest rule note, in characters.
const NOTE_MAX_CHARS: usize = 500;
/// A week, in minutes: the longest lockout window or idle session.
const WEEK_MINUTES: u32 = 7 * 24 * 60;
/// A year and a day: the longest loan, renewal or hold-shelf period.
const PERIOD_MAX_DAYS: u32 = 366;
/// Ten years, in days: the longest look-back window (the calendar's search horizon).
const WINDOW_MAX_DAYS: u32 = 3660;

#[derive(Default)]
struct Checker {
    problems: Vec<PolicyProblem>,
}

impl Checker {
    fn fail(&mut self, key: impl Into<String>, reason: Why) {
        self.problems.push(PolicyProblem::new(key, reason));
    }

    fn require(&mut self, ok: bool, key: impl Into<String>, reason: Why) {
        if !ok {
            self.fail(key, reason);
        }
    }

    fn at_least(&mut self, key: &str, value: u32, min: u32) {
        self.require(
            value >= min,
            key,
            why!("must be at least {min}, found {value}", "{min}以上にしてください(現在 {value})"),
        );
    }

    fn at_most(&mut self, key: &str, value: u32, max: u32) {
        self.require(
            value <= max,
            key,
            why!("must be at most {max}, found {value}", "{max}以下にしてください(現在 {value})"),
        );
    }

    /// `min..=max`, reported like [`Checker::at_least`] or [`Checker::at_most`].
    fn within(&mut self, key: &str, value: u32, min: u32, max: u32) {
        self.at_least(key, value, min);
        self.at_most(key, value, max);
    }

    fn at_most_items(&mut self, key: &str, len: usize, max: usize) {
        self.require(
            len <= max,
            key,
            why!("lists {len} entries, at most {max} allowed", "{len}件あります。{max}件までです"),
        );
    }

    fn range(&mut self, key_min: &str, min: u32, key_max: &str, max: u32) {
        self.require(
            min <= max,
            key_min,
            why!("{min} is greater than {key_max} ({max})", "{min} が {key_max} ({max}) より大きくなっています"),
        );
    }

    fn no_duplicates<T: Ord + std::fmt::Debug>(&mut self, key: &str, items: impl IntoIterator<Item = T>) {
        let mut seen = BTreeSet::new();
        for item in items {
            if let Some(dup) = seen.replace(item) {
                self.fail(key, why!("{dup:?} is listed twice", "{dup:?} が二度書かれています"));
            }
        }
    }

    fn code(&mut self, key: &str, code: &str) {
        let ok = !code.is_empty()
            && code.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_' || ch == '-');
        self.require(
            ok,
            key,
            why!(
                "`{code}` must be non-empty lowercase ASCII letters, digits, `_` or `-`",
                "`{code}` は空でない半角英小文字・数字・`_`・`-`で書いてください"
            ),
        );
        self.max_chars(key, code, CODE_MAX_CHARS);
    }

    fn name(&mut self, key: &str, name: &str) {
        self.require(!name.trim().is_empty(), key, why!("must not be empty", "空にはできません"));
        self.require(
            !name.chars().any(char::is_control),
            key,
            why!("must not contain control characters", "制御文字は使えません"),
        );
        self.max_chars(key, name, NAME_MAX_CHARS);
    }

    /// Two dates of the entry at `at`, each within the supported years and the first not after
    /// the second; returns the days from the first to the second.
    fn dated_span(&mut self, at: &str, (first, from): (&str, NaiveDate), (last, to): (&str, NaiveDate)) -> i64 {
        let years = crate::catalog::SUPPORTED_YEARS;
        for (end, day) in [(first, from), (last, to)] {
            self.require(
                years.contains(&day.year()),
                format!("{at}.{end}"),
                why!(
                    "{day} is outside the years {}-{}",
                    "{day} は {}年から{}年の範囲外です",
                    years.start(),
                    years.end()
                ),
            );
        }
        let days = (to - from).num_days();
        self.require(
            days >= 0,
            format!("{at}.{first}"),
            why!("{from} is after {at}.{last} ({to})", "{from} が {at}.{last} ({to}) より後になっています"),
        );
        days
    }

    fn max_chars(&mut self, key: &str, text: &str, max: usize) {
        let n = text.chars().count();
        self.require(
            n <= max,
            key,
            why!("{n} characters, at most {max} allowed", "{n}文字あります。{max}文字までです"),
        );
    }
}

fn library(c: &mut Checker, l: &LibraryInfo) {
    c.code("library.code", &l.code);
    c.name("library.name", &l.name);
    c.at_most_items("library.ebook_services", l.ebook_services.len(), 20);
    for (i, link) in l.ebook_services.iter().enumerate() {
        c.name(&format!("library.ebook_services[{i}].name"), &link.name);
        let ok = link.url.starts_with("https://") && link.url.len() > 8 && !link.url.chars().any(char::is_whitespace);
        c.require(
            ok,
            format!("library.ebook_services[{i}].url"),
            why!("`{}` must be an https:// address", "`{}` は https:// で始まるアドレスにしてください", link.url),
        );
        c.max_chars(&format!("library.ebook_services[{i}].url"), &link.url, URL_MAX_CHARS);
    }
}

fn branches(c: &mut Checker, p: &Policy) {
    if p.branches.is_empty() {
        c.fail("branches", why!("at least one branch is needed", "館を一つ以上定義してください"));
    }
    c.at_most_items("branches", p.branches.len(), 500);
    c.no_duplicates("branches", p.branches.iter().map(|b| b.code.as_str()));
    for (i, b) in p.branches.iter().enumerate() {
        let key = format!("branches[{i}]");
        c.code(&format!("{key}.code"), &b.code);
        c.name(&format!("{key}.name"), &b.name);
        c.require(
            !b.partner || b.pickup,
            format!("{key}.pickup"),
            why!(
                "a partner library exists only to receive holds, so it must be a pickup location",
                "提携館は予約資料の受取のためだけにあるので、受取場所にしてください"
            ),
        );
        c.require(
            b.pickup || !b.loan_starts_at_dispatch,
            format!("{key}.loan_starts_at_dispatch"),
            why!("only applies to a pickup location", "受取場所にだけ意味がある設定です"),
        );
        c.within(&format!("{key}.transit_days"), b.transit_days, 1, 30);
        if let Some(days) = &b.delivery_weekdays {
            c.no_duplicates(&format!("{key}.delivery_weekdays"), days.iter());
            c.require(
                !days.is_empty(),
                format!("{key}.delivery_weekdays"),
                why!("must name at least one weekday", "曜日を一つ以上指定してください"),
            );
        }
        for (to, cost) in &b.transit_costs {
            let at = format!("{key}.transit_costs.{to}");
            c.require(
                p.branches.iter().any(|o| o.code == *to && o.code != b.code),
                at.clone(),
                why!("names no other branch", "他の館の館コードではありません"),
            );
            c.at_most(&at, *cost, 1000);
        }
        c.at_most_items(&format!("{key}.transit_costs"), b.transit_costs.len(), 500);
        c.no_duplicates(&format!("{key}.pickup_points"), b.pickup_points.iter().map(|pp| pp.code.as_str()));
        c.at_most_items(&format!("{key}.pickup_points"), b.pickup_points.len(), 100);
        for (j, pp) in b.pickup_points.iter().enumerate() {
            c.code(&format!("{key}.pickup_points[{j}].code"), &pp.code);
            c.name(&format!("{key}.pickup_points[{j}].name"), &pp.name);
        }
    }
    if !p.branches.iter().any(|b| b.pickup) {
        c.fail(
            "branches",
            why!(
                "no branch is a pickup location, so no hold could ever be collected",
                "受取場所の館がないため、予約資料を受け取れません"
            ),
        );
    }
    if !p.branches.iter().any(|b| !b.partner) {
        c.fail(
            "branches",
            why!(
                "every branch is a partner; the library needs at least one branch of its own",
                "すべてが提携館です。図書館自身の館が一つ以上必要です"
            ),
        );
    }
    c.no_duplicates("delivery.weekdays", p.delivery.weekdays.iter());
    let every_branch_has_days = p.branches.iter().all(|b| b.delivery_weekdays.as_ref().is_some_and(|d| !d.is_empty()));
    if p.branches.len() > 1 && p.delivery.weekdays.is_empty() && !every_branch_has_days {
        c.fail("delivery.weekdays", why!("must name at least one weekday when there is more than one branch, or copies could never reach another branch", "館が複数あるときは搬送の曜日を一つ以上指定してください。資料がほかの館に届きません"));
    }
}

fn calendars(c: &mut Checker, p: &Policy) {
    calendar(c, "calendar", &p.calendar);
    for (i, b) in p.branches.iter().enumerate() {
        if let Some(rules) = &b.calendar {
            calendar(c, &format!("branches[{i}].calendar"), rules);
        }
    }
}

/// Most entries in each of a calendar's lists.
const CALENDAR_MAX_ITEMS: usize = 100;

fn calendar(c: &mut Checker, key: &str, r: &CalendarRules) {
    c.no_duplicates(&format!("{key}.closed_weekdays"), r.closed_weekdays.iter());
    for (list, len) in [
        ("yearly_closed", r.yearly_closed.len()),
        ("closed_ranges", r.closed_ranges.len()),
        ("monthly_closed", r.monthly_closed.len()),
    ] {
        c.at_most_items(&format!("{key}.{list}"), len, CALENDAR_MAX_ITEMS);
    }
    for (i, range) in r.closed_ranges.iter().enumerate() {
        let at = format!("{key}.closed_ranges[{i}]");
        let days = c.dated_span(&at, ("from", range.from), ("to", range.to));
        let max = i64::from(PERIOD_MAX_DAYS);
        c.require(
            days < max,
            format!("{at}.to"),
            why!("the range is {} days, at most {max} allowed", "期間が{}日あります。{max}日までです", days + 1),
        );
    }
    for (i, m) in r.monthly_closed.iter().enumerate() {
        c.within(&format!("{key}.monthly_closed[{i}].nth"), u32::from(m.nth), 1, 5);
    }
    c.no_duplicates(&format!("{key}.monthly_closed"), r.monthly_closed.iter());
}

fn cards(c: &mut Checker, r: &CardRules) {
    c.at_least("cards.min_length", r.min_length, 1);
    c.at_most("cards.max_length", r.max_length, 32);
    c.range("cards.min_length", r.min_length, "cards.max_length", r.max_length);
    for d in &r.allowed_first_digits {
        c.require(
            d.is_ascii_digit(),
            "cards.allowed_first_digits",
            why!("`{d}` is not a digit 0-9", "`{d}` は0から9の数字ではありません"),
        );
    }
    c.no_duplicates("cards.allowed_first_digits", r.allowed_first_digits.iter());
}

fn passwords(c: &mut Checker, r: &PasswordRules) {
    c.within("passwords.min_length", r.min_length, 1, PASSWORD_MAX_CHARS);
    if let Some(max) = r.max_length {
        c.at_most("passwords.max_length", max, PASSWORD_MAX_CHARS);
        c.range("passwords.min_length", r.min_length, "passwords.max_length", max);
    }
    let symbols_allowed = r.charset == PasswordCharset::AlphanumericSymbols;
    c.require(
        symbols_allowed || !r.require_symbol,
        "passwords.require_symbol",
        why!(
            "requires a symbol, but passwords.charset allows none; use `alphanumeric_symbols`",
            "記号を必須にしていますが、passwords.charset が記号を許していません。`alphanumeric_symbols` にしてください"
        ),
    );
    c.require(
        symbols_allowed || !r.require_letter || r.charset != PasswordCharset::Digits,
        "passwords.require_letter",
        why!(
            "requires a letter, but passwords.charset is `digits`",
            "英字を必須にしていますが、passwords.charset が `digits` です"
        ),
    );
    if symbols_allowed {
        c.require(
            !r.symbols.is_empty(),
            "passwords.symbols",
            why!(
                "must list the allowed symbols for `alphanumeric_symbols`",
                "`alphanumeric_symbols` では使える記号を列挙してください"
            ),
        );
    }
    for ch in r.symbols.chars() {
        c.require(
            ch.is_ascii_punctuation(),
            "passwords.symbols",
            why!("`{ch}` is not a half-width ASCII symbol", "`{ch}` は半角のASCII記号ではありません"),
        );
    }
    c.no_duplicates("passwords.symbols", r.symbols.chars());
    c.within("passwords.temporary.length", r.temporary.length, 4, 64);
    c.require(
        r.temporary.charset != PasswordCharset::AlphanumericSymbols,
        "passwords.temporary.charset",
        why!(
            "temporary passwords are read out at the counter: use `digits` or `alphanumeric`",
            "仮パスワードはカウンターで読み上げるので、`digits` か `alphanumeric` にしてください"
        ),
    );
    c.no_duplicates("passwords.temporary.refused_services", r.temporary.refused_services.iter());
    c.require(
        !r.reset.methods.is_empty(),
        "passwords.reset.methods",
        why!(
            "must offer at least one way to replace a forgotten password (e.g. `counter`)",
            "パスワードを忘れたときの再設定方法を一つ以上用意してください(例: `counter`)"
        ),
    );
    c.no_duplicates("passwords.reset.methods", r.reset.methods.iter().map(|m| format!("{m:?}")));
    if r.reset.methods.contains(&ResetMethod::EmailLink) {
        c.at_least("passwords.reset.token_minutes", r.reset.token_minutes, 1);
    }
    c.at_most("passwords.reset.token_minutes", r.reset.token_minutes, 24 * 60);
    c.within("passwords.reset.max_outstanding", r.reset.max_outstanding, 1, 10);
    c.within("passwords.reset.requests_per_hour", r.reset.requests_per_hour, 1, 60);
}

fn accounts(c: &mut Checker, r: &AccountRules) {
    c.within("accounts.lockout_attempts", r.lockout_attempts, 1, 100);
    c.within("accounts.lockout_window_minutes", r.lockout_window_minutes, 1, WEEK_MINUTES);
    c.within("accounts.session_minutes", r.session_minutes, 1, WEEK_MINUTES);
    c.within("accounts.session_max_hours", r.session_max_hours, 1, 30 * 24);
    if let Some(years) = r.unused_card_block_years {
        c.within("accounts.unused_card_block_years", years, 1, 100);
    }
    c.no_duplicates("accounts.expired_card_refuses", r.expired_card_refuses.iter());
}

fn contact(c: &mut Checker, r: &ContactRules) {
    c.at_most("contact.email_cap", r.email_cap, 10);
    c.at_most("contact.phone_cap", r.phone_cap, 10);
    c.no_duplicates("contact.email_tags", r.email_tags.iter().map(|t| format!("{t:?}")));
    c.require(
        !r.methods.is_empty(),
        "contact.methods",
        why!(
            "must offer at least one contact method (`none` is one)",
            "連絡方法を一つ以上用意してください(`none` も一つの方法です)"
        ),
    );
    c.no_duplicates("contact.methods", r.methods.iter().map(|m| m.method.code()));
    let offers = |m: &ContactMethod| r.methods.iter().any(|rule| rule.method == *m);
    let needs_email = |m: &ContactMethod| r.needs(m) == Some(ChannelNeeds::Email);
    if r.methods.iter().any(|rule| needs_email(&rule.method)) || r.web_holds_require_email {
        c.at_least("contact.email_cap", r.email_cap, 1);
    }
    if let Some(fallback) = &r.bounce_fallback {
        c.require(
            offers(fallback) && !needs_email(fallback),
            "contact.bounce_fallback",
            why!(
                "`{fallback}` must be a method in contact.methods that needs no e-mail address",
                "`{fallback}` は contact.methods にある、メールアドレスのいらない方法にしてください"
            ),
        );
    }
    if let Some(days) = r.due_reminder_days_before {
        c.within("contact.due_reminder_days_before", days, 1, 30);
    }
    let entry = &r.email_entry;
    c.require(
        !entry.code_required || entry.mail == EmailEntryMail::Confirmation,
        "contact.email_entry.code_required",
        why!(
            "a code can only be redeemed from a confirmation mail (`mail = \"confirmation\"`)",
            "確認コードは確認メール(`mail = \"confirmation\"`)でしか受け取れません"
        ),
    );
}

fn materials(c: &mut Checker, p: &Policy) {
    if p.materials.is_empty() {
        c.fail("materials", why!("at least one material kind is needed", "資料種別を一つ以上定義してください"));
    }
    c.at_most_items("materials", p.materials.len(), 100);
    for (kind, m) in &p.materials {
        let key = format!("materials.{kind}");
        c.code(&key, kind);
        c.name(&format!("{key}.label"), &m.label);
        if let Some(days) = m.loan_days {
            c.within(&format!("{key}.loan_days"), days, u32::from(m.loanable), PERIOD_MAX_DAYS);
        }
        c.require(
            m.loanable || !m.holdable,
            format!("{key}.holdable"),
            why!("only loanable material can be held (R-H2)", "貸出できる資料だけが予約できます(R-H2)"),
        );
    }
}

/// A `total` and per-kind limits under `key`: each 1 to 1000, each kind defined and able to
/// do what is limited (`able` says whether it is), none above the total.
fn limits(
    c: &mut Checker,
    p: &Policy,
    key: &str,
    l: &Limits,
    able: impl Fn(&MaterialRules) -> bool,
    (what, what_ja): (&str, &str),
) {
    if let Some(total) = l.total {
        c.within(&format!("{key}.total"), total, 1, 1000);
    }
    for (kind, &limit) in &l.per_kind {
        let at = format!("{key}.{kind}");
        match p.materials.get(kind) {
            None => c.fail(
                &at,
                why!(
                    "no material kind `{kind}` is defined under [materials]",
                    "資料種別 `{kind}` が [materials] にありません"
                ),
            ),
            Some(m) => c.require(
                able(m),
                &at,
                why!(
                    "`{kind}` is not {what}, so a limit for it means nothing",
                    "`{kind}` は{what_ja}ではないので、上限には意味がありません"
                ),
            ),
        }
        c.within(&at, limit, 1, 1000);
        if let Some(total) = l.total {
            c.require(
                limit <= total,
                &at,
                why!(
                    "{limit} is greater than {key}.total ({total}) and could never be reached",
                    "{limit} は {key}.total ({total}) より大きく、届くことがありません"
                ),
            );
        }
    }
}

fn holds(c: &mut Checker, p: &Policy) {
    let h = &p.holds;
    limits(c, p, "holds.limits", &h.limits, |m| m.holdable, ("holdable", "予約できる資料"));
    if let Some(hours) = h.pull_retarget_hours {
        c.within("holds.pull_retarget_hours", hours, 1, 720);
    }
    if let Some(days) = h.new_title_hold_delay_days {
        c.at_most("holds.new_title_hold_delay_days", days, WINDOW_MAX_DAYS);
    }
    c.require(
        h.cart || h.reserve_now,
        "holds.cart",
        why!("web holds need the cart or holds.reserve_now", "ウェブ予約には予約カートか holds.reserve_now が必要です"),
    );
    c.no_duplicates("holds.patron_cancellable", h.patron_cancellable.iter());
    c.within("holds.shelf_days", h.shelf_days, 1, PERIOD_MAX_DAYS);
    c.at_most("holds.cancelled_visible_days", h.cancelled_visible_days, WINDOW_MAX_DAYS);
    if let Some(days) = h.max_freeze_days {
        c.within("holds.max_freeze_days", days, 1, WINDOW_MAX_DAYS);
    }
}

fn loans(c: &mut Checker, p: &Policy) {
    let l = &p.loans;
    if let Some(days) = l.loan_days {
        c.within("loans.loan_days", days, 1, PERIOD_MAX_DAYS);
    }
    if let Some(days) = l.suspension_days_per_late_day {
        c.at_most("loans.suspension_days_per_late_day", days, SUSPENSION_MAX_DAYS);
    }
    limits(c, p, "loans.checkout_limits", &l.checkout_limits, |m| m.loanable, ("loanable", "貸出できる資料"));
    c.at_most_items("loans.hard_due_dates", l.hard_due_dates.len(), 100);
    for (i, h) in l.hard_due_dates.iter().enumerate() {
        let at = format!("loans.hard_due_dates[{i}]");
        let days = c.dated_span(&at, ("from", h.from), ("due", h.due));
        let max = i64::from(PERIOD_MAX_DAYS);
        c.require(
            days <= max,
            format!("{at}.due"),
            why!("{days} days after from, at most {max} allowed", "from から{days}日後です。{max}日までです"),
        );
        branch_list(c, p, &format!("{at}.branches"), &h.branches, false);
    }
    let r = &l.renewal;
    c.at_most("loans.renewal.max_renewals", r.max_renewals, 100);
    if r.max_renewals > 0 {
        c.at_least("loans.renewal.days", r.days, 1);
    }
    c.at_most("loans.renewal.days", r.days, PERIOD_MAX_DAYS);
    c.no_duplicates("loans.renewal.refused_when", r.refused_when.iter());
    if let Some(days) = r.opens_days_before_due {
        c.at_most("loans.renewal.opens_days_before_due", days, PERIOD_MAX_DAYS);
    }
}

fn booklists(c: &mut Checker, b: &BooklistRules) {
    c.at_most("booklists.max_lists", b.max_lists, 1000);
    c.at_most("booklists.max_entries", b.max_entries, 10_000);
    c.at_most("booklists.name_max_chars", b.name_max_chars, 1000);
    c.at_most("booklists.list_memo_max_chars", b.list_memo_max_chars, 10_000);
    c.at_most("booklists.entry_memo_max_chars", b.entry_memo_max_chars, 10_000);
    if !b.offered {
        return;
    }
    c.at_least("booklists.max_lists", b.max_lists, 1);
    c.at_least("booklists.max_entries", b.max_entries, 1);
    c.at_least("booklists.name_max_chars", b.name_max_chars, 1);
}

fn reading(c: &mut Checker, r: &ReadingRules) {
    c.at_most("reading.goal_max_days", r.goal_max_days, WINDOW_MAX_DAYS);
    if r.goals_offered {
        c.at_least("reading.goal_max_days", r.goal_max_days, 1);
    }
}

fn arrival_kinds(c: &mut Checker, p: &Policy) {
    let kinds = &p.alerts.new_arrival.material_kinds;
    let key = "alerts.new_arrival.material_kinds";
    c.at_most_items(key, kinds.len(), 100);
    c.no_duplicates(key, kinds.iter());
    for kind in kinds {
        c.require(
            p.materials.contains_key(kind),
            key,
            why!(
                "no material kind `{kind}` is defined under [materials]",
                "資料種別 `{kind}` が [materials] にありません"
            ),
        );
    }
}

fn alerts(c: &mut Checker, a: &AlertRules) {
    let n = &a.new_arrival;
    c.at_most("alerts.max_searches", a.max_searches, 1000);
    c.at_most("alerts.term_max_chars", a.term_max_chars, 1000);
    c.at_most("alerts.max_terms", a.max_terms, 100);
    c.at_most("alerts.new_arrival.published_within_days", n.published_within_days, WINDOW_MAX_DAYS);
    c.at_most("alerts.new_arrival.available_within_days", n.available_within_days, WINDOW_MAX_DAYS);
    if !a.offered {
        return;
    }
    c.at_least("alerts.max_searches", a.max_searches, 1);
    c.at_least("alerts.term_max_chars", a.term_max_chars, 1);
    c.at_least("alerts.max_terms", a.max_terms, 1);
    c.at_least("alerts.new_arrival.published_within_days", n.published_within_days, 1);
    c.at_least("alerts.new_arrival.available_within_days", n.available_within_days, 1);
    let weeks = &a.schedule.weeks_of_month;
    c.require(
        !weeks.is_empty(),
        "alerts.schedule.weeks_of_month",
        why!("must name at least one week (1-5)", "週を一つ以上指定してください(1から5)"),
    );
    for w in weeks {
        c.require(
            (1..=5).contains(w),
            "alerts.schedule.weeks_of_month",
            why!("{w} is not a week of the month (1-5)", "{w} は月の週(1から5)ではありません"),
        );
    }
    c.no_duplicates("alerts.schedule.weeks_of_month", weeks.iter());
}

/// A list of branch codes at `key`: each a branch of the policy (a pickup location when
/// `pickup`), none twice, at most 500.
fn branch_list(c: &mut Checker, p: &Policy, key: &str, codes: &[String], pickup: bool) {
    if codes.len() > 500 {
        return c.at_most_items(key, codes.len(), 500);
    }
    c.no_duplicates(key, codes.iter());
    for code in codes {
        match p.branch(code) {
            None => c.fail(
                key,
                why!("no branch `{code}` is defined under [[branches]]", "館 `{code}` が [[branches]] にありません"),
            ),
            Some(b) => c.require(
                !pickup || b.pickup,
                key,
                why!("`{code}` is not a pickup location", "`{code}` は受取場所ではありません"),
            ),
        }
    }
}

fn categories(c: &mut Checker, p: &Policy) {
    c.at_most_items("categories", p.categories.len(), CATEGORIES_MAX);
    for (code, cat) in &p.categories {
        let key = format!("categories.{code}");
        c.code(&key, code);
        c.name(&format!("{key}.label"), &cat.label);
        if let Some(years) = cat.card_valid_years {
            c.within(&format!("{key}.card_valid_years"), years, 1, 100);
        }
        for (name, age) in [("min_age", cat.min_age), ("max_age", cat.max_age)] {
            if let Some(age) = age {
                c.at_most(&format!("{key}.{name}"), age, 150);
            }
        }
        if let (Some(min), Some(max)) = (cat.min_age, cat.max_age) {
            c.range(&format!("{key}.min_age"), min, &format!("{key}.max_age"), max);
        }
    }
}

/// The `[[rules]]` matrix: every entry scoped to declared things, each scope once, every value
/// bounded like its library-wide twin, and no value that could never apply.
fn rules(c: &mut Checker, p: &Policy) {
    use super::rules::{COUNT_PARAMS, RULE_PARAMS};
    if p.rules.len() > RULES_MAX {
        return c.at_most_items("rules", p.rules.len(), RULES_MAX);
    }
    let mut scopes = std::collections::HashMap::new();
    for (i, r) in p.rules.iter().enumerate() {
        let key = format!("rules[{i}]");
        rule_scope(c, p, &key, r);
        let scope = (r.category.as_deref(), r.kind.as_deref(), r.branch.as_deref());
        if let Some(first) = scopes.insert(scope, i) {
            c.fail(
                &key,
                why!(
                    "has the same scope as rules[{first}]; write one entry per scope",
                    "rules[{first}] と同じ範囲です。範囲ごとに一つにまとめてください"
                ),
            );
        }
        rule_values(c, p, &key, r);
        let values = r.values();
        let set: Vec<&str> = RULE_PARAMS.iter().copied().filter(|n| values.shown(n).is_some()).collect();
        c.require(!set.is_empty(), &key, why!("sets no parameter", "設定項目が一つもありません"));
        for name in set {
            let at = format!("{key}.{name}");
            match &r.kind {
                // A kind-only entry and the kind's own section are one scope.
                Some(kind) if r.category.is_none() && r.branch.is_none() => {
                    let own = super::rules::kind_values_of(p, kind);
                    if own.shown(name).is_some() {
                        c.fail(
                            &at,
                            why!(
                                "is also given for `{kind}` in its own section; give it in one place",
                                "`{kind}` の節にも同じ項目があります。一か所にしてください"
                            ),
                        );
                    }
                }
                Some(_) => {}
                // Without a kind, a value every kind sets for itself is never used.
                None if !COUNT_PARAMS.contains(&name)
                    && !p.materials.is_empty()
                    && p.materials.keys().all(|k| super::rules::kind_values_of(p, k).shown(name).is_some()) =>
                {
                    c.fail(
                        &at,
                        why!(
                            "never applies: every material kind sets its own {name}, which is more specific; \
                             add `kind`, or move the kinds' value to the library-wide section",
                            "適用されることがありません: どの資料種別も {name} を自分で決めていて、そちらが優先されます。\
                             `kind` を加えるか、種別の値を図書館全体の節に移してください"
                        ),
                    );
                }
                None => {}
            }
        }
    }
}

fn rule_scope(c: &mut Checker, p: &Policy, key: &str, r: &ScopedRule) {
    c.require(
        r.category.is_some() || r.kind.is_some() || r.branch.is_some(),
        key,
        why!(
            "names no category, kind or branch; write library-wide values in their own sections",
            "利用者区分・資料種別・館のどれも指定していません。図書館全体の値はそれぞれの節に書いてください"
        ),
    );
    if let Some(cat) = &r.category {
        c.require(
            p.has_category(cat),
            format!("{key}.category"),
            why!(
                "no category `{cat}` is declared under [categories]",
                "利用者区分 `{cat}` が [categories] にありません"
            ),
        );
    }
    if let Some(kind) = &r.kind {
        c.require(
            p.materials.contains_key(kind),
            format!("{key}.kind"),
            why!(
                "no material kind `{kind}` is defined under [materials]",
                "資料種別 `{kind}` が [materials] にありません"
            ),
        );
    }
    if let Some(branch) = &r.branch {
        c.require(
            p.branch(branch).is_some(),
            format!("{key}.branch"),
            why!("no branch `{branch}` is defined under [[branches]]", "館 `{branch}` が [[branches]] にありません"),
        );
    }
    if let Some(note) = &r.note {
        c.max_chars(&format!("{key}.note"), note, NOTE_MAX_CHARS);
    }
}

/// Each value of a `[[rules]]` entry within the bounds of its library-wide twin.
fn rule_values(c: &mut Checker, p: &Policy, key: &str, r: &ScopedRule) {
    let bounded = [
        ("loan_days", r.loan_days, 1, PERIOD_MAX_DAYS),
        ("checkout_limit", r.checkout_limit, 1, 1000),
        ("hold_limit", r.hold_limit, 1, 1000),
        ("renewals", r.renewals, 0, 100),
        ("renewal_days", r.renewal_days, 1, PERIOD_MAX_DAYS),
        ("renewal_opens_days_before_due", r.renewal_opens_days_before_due, 0, PERIOD_MAX_DAYS),
        ("shelf_days", r.shelf_days, 1, PERIOD_MAX_DAYS),
        ("new_title_hold_delay_days", r.new_title_hold_delay_days, 0, WINDOW_MAX_DAYS),
        ("suspension_days_per_late_day", r.suspension_days_per_late_day, 0, SUSPENSION_MAX_DAYS),
    ];
    for (name, value, min, max) in bounded {
        if let Some(v) = value {
            c.within(&format!("{key}.{name}"), v, min, max);
        }
    }
    if r.holdable == Some(true) && r.loanable == Some(false) {
        c.fail(
            format!("{key}.holdable"),
            why!("only loanable material can be held (R-H2)", "貸出できる資料だけが予約できます(R-H2)"),
        );
    }
    if let Some(branches) = &r.pickup_branches {
        let at = format!("{key}.pickup_branches");
        c.require(
            !branches.is_empty(),
            &at,
            why!(
                "must name at least one pickup location, or no hold could be placed",
                "受取場所を一つ以上指定してください。予約ができなくなります"
            ),
        );
        branch_list(c, p, &at, branches, true);
    }
}
/// Most patron flags a policy declares.
const FLAGS_MAX: usize = 50;
/// Most contact channels a policy declares beside the six built-in methods.
const CHANNELS_MAX: usize = 20;

/// Declared flags and channels, and the contact methods that name them.
fn flags_and_channels(c: &mut Checker, p: &Policy) {
    let code_shape = |code: &str| {
        why!(
            "`{code}` must be 1 to {CODE_MAX_CHARS} lowercase ASCII letters, digits or `_`",
            "`{code}` は1から{CODE_MAX_CHARS}文字の半角英小文字・数字・`_`で書いてください"
        )
    };
    c.at_most_items("flags", p.flags.len(), FLAGS_MAX);
    for (code, flag) in &p.flags {
        c.require(super::channels::is_code(code), format!("flags.{code}"), code_shape(code));
        c.name(&format!("flags.{code}.label"), &flag.label);
    }
    let r = &p.contact;
    c.at_most_items("contact.channels", r.channels.len(), CHANNELS_MAX);
    for (code, channel) in &r.channels {
        let key = format!("contact.channels.{code}");
        match ChannelCode::new(code) {
            Some(_) => {}
            None if super::channels::is_code(code) => c.fail(
                &key,
                why!(
                    "`{code}` is a built-in method; declare only other channels",
                    "`{code}` は組み込みの連絡方法です。それ以外の連絡手段だけを宣言してください"
                ),
            ),
            None => c.fail(&key, code_shape(code)),
        }
        c.name(&format!("{key}.label"), &channel.label);
    }
    for (i, rule) in r.methods.iter().enumerate() {
        if let ContactMethod::Channel(code) = &rule.method {
            c.require(
                r.channel(code.as_str()).is_some(),
                format!("contact.methods[{i}].method"),
                why!(
                    "`{code}` is neither a built-in method nor a channel declared under [contact.channels]",
                    "`{code}` は組み込みの連絡方法でも [contact.channels] で宣言された手段でもありません"
                ),
            );
        }
        if let Some(flag) = &rule.requires {
            c.require(
                p.flag(flag).is_some(),
                format!("contact.methods[{i}].requires"),
                why!("no flag `{flag}` is declared under [flags]", "フラグ `{flag}` が [flags] にありません"),
            );
        }
    }
}

/// For every category and kind, whatever the branch: where the resolved rules lend, a loan
/// period of at least a day (from the kind's section, a rule or `loans.loan_days`), and where
/// they renew, a renewal period of at least a day.
fn loan_periods(c: &mut Checker, p: &Policy) {
    let matrix = super::rules::RuleMatrix::new(p);
    let categories = p.category_codes();
    for kind in p.materials.keys() {
        let (mut no_loan, mut no_renewal) = (Vec::new(), Vec::new());
        for category in &categories {
            let scope =
                super::rules::Scope { category: Some((*category).to_owned()), kind: Some(kind.clone()), branch: None };
            let v = matrix.resolve(&scope).values;
            if v.loanable == Some(true) && v.loan_days.unwrap_or(0) == 0 {
                no_loan.push(*category);
            }
            if v.loanable == Some(true) && v.renewals.unwrap_or(0) > 0 && v.renewal_days.unwrap_or(0) == 0 {
                no_renewal.push(*category);
            }
        }
        if !no_loan.is_empty() {
            c.fail(
                format!("materials.{kind}.loan_days"),
                why!(
                    "no loan period for {}: give one here, in a rule or in loans.loan_days",
                    "{} の貸出期間がありません。ここか、ルールか、loans.loan_days で指定してください",
                    no_loan.join(", ")
                ),
            );
        }
        if !no_renewal.is_empty() {
            c.fail(
                "loans.renewal.days",
                why!(
                    "`{kind}` is renewed for {} but no renewal period is given (renewal_days)",
                    "`{kind}` は {} に延長できますが、延長期間(renewal_days)がありません",
                    no_renewal.join(", ")
                ),
            );
        }
    }
}
