//! The policy schema: every rule that differs between libraries, as plain serde data.
//!
//! Parameters that may differ per patron category, material kind or branch are written
//! library-wide in their sections, per kind under `[materials.<kind>]`, and overridden in
//! `[[rules]]` entries; [`super::rules`] resolves them most-specific-wins.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::rules::{RenewalBase, ScopedRule};

/// One library's complete configuration, loaded from a TOML file (see `policies/`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Who the library is and which clock it lives on.
    pub library: LibraryInfo,
    /// Service points: the library's own branches and partner pickup libraries (R-H4); at most
    /// 500.
    pub branches: Vec<Branch>,
    /// Inter-branch delivery runs (R-H6).
    #[serde(default)]
    pub delivery: Delivery,
    /// Opening rules every branch follows unless it has its own `calendar`; none by default.
    #[serde(default, skip_serializing_if = "CalendarRules::is_empty")]
    pub calendar: CalendarRules,
    /// Card-number format (R-A1).
    pub cards: CardRules,
    /// Password rules, temporary passwords and resets (R-A2, R-A4, R-A5).
    pub passwords: PasswordRules,
    /// Login, self-issue and account blocks (R-A3, R-A6, R-A7).
    pub accounts: AccountRules,
    /// E-mail addresses, phones and hold contact methods (R-C1–R-C6).
    pub contact: ContactRules,
    /// Facts staff register about a patron that a rule can require (`[flags.<code>]`: chiba's
    /// 聴覚に障害のある方 may choose post, R-C3); at most 50. None by default.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub flags: BTreeMap<String, FlagRule>,
    /// Material kinds (`book`, `av`, `magazine`, ...) and what may be done with each (R-H2); at
    /// most 100.
    pub materials: BTreeMap<String, MaterialRules>,
    /// Hold limits, approval, hold shelf and visibility (R-H1–R-H12).
    pub holds: HoldRules,
    /// Due dates and renewals (R-L1–R-L4).
    pub loans: LoanRules,
    /// Booklists (R-B1–R-B3).
    pub booklists: BooklistRules,
    /// Reading history and goals (R-R1, R-R2).
    pub reading: ReadingRules,
    /// New-arrival alerts (R-N1–R-N3).
    pub alerts: AlertRules,
    /// Patron categories (一般, 児童, 市外在住・在勤・在学, 団体, ...); at most 50. Without any,
    /// every patron is in the one category `general`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub categories: BTreeMap<String, PatronCategory>,
    /// Overrides of the scoped parameters per category, kind and branch (see
    /// [`super::rules`]); at most 5000, each scope at most once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<ScopedRule>,
}

/// A patron category (利用者区分).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatronCategory {
    /// Display label, e.g. `児童`; at most 100 characters.
    pub label: String,
    /// Years a new card of this category is valid (有効期限), 1 to 100; unset: staff give the
    /// date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_valid_years: Option<u32>,
    /// Youngest age, in whole years on the registration day, at most 150.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_age: Option<u32>,
    /// Oldest age, in whole years on the registration day, at most 150.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_age: Option<u32>,
}

/// Identity of the library.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LibraryInfo {
    /// Short machine name, e.g. `kanagawa`; at most 32 characters.
    pub code: String,
    /// Display name, e.g. `神奈川県立図書館`; at most 100 characters.
    pub name: String,
    /// Offset of the library's local time from UTC, `+09:00` for Japan. Calendar dates (due
    /// dates, deadlines) are taken in this offset.
    pub utc_offset: UtcOffset,
    /// Outside e-book services the My Library page links to (kanagawa: KinoDen, R-O3); bunko
    /// only carries the link. At most 20.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ebook_services: Vec<ExternalLink>,
}

/// A named link to an outside service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalLink {
    /// Display name, e.g. `電子書籍サービス(KinoDen)`; at most 100 characters.
    pub name: String,
    /// Where it lives; `https://` only, at most 2000 characters.
    pub url: String,
}

/// A fixed UTC offset written `+HH:MM` / `-HH:MM` (two ASCII digits each), at most 18 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UtcOffset {
    offset: chrono::FixedOffset,
}

impl UtcOffset {
    /// Builds an offset from minutes east of UTC; `None` outside ±18 hours.
    #[must_use]
    pub fn from_minutes(minutes: i32) -> Option<Self> {
        if minutes.unsigned_abs() > 18 * 60 {
            return None;
        }
        chrono::FixedOffset::east_opt(minutes * 60).map(|offset| Self { offset })
    }

    /// Minutes east of UTC.
    #[must_use]
    pub fn minutes(self) -> i32 {
        self.offset.local_minus_utc() / 60
    }

    /// The same offset as a chrono type.
    #[must_use]
    pub fn to_fixed(self) -> chrono::FixedOffset {
        self.offset
    }
}

impl TryFrom<String> for UtcOffset {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a UTC offset like `+09:00`");
        let (sign, rest) = match s.as_bytes().first() {
            Some(b'+') => (1, &s[1..]),
            Some(b'-') => (-1, &s[1..]),
            _ => return Err(bad()),
        };
        let (h, m) = rest.split_once(':').ok_or_else(bad)?;
        let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(h) || !two_digits(m) {
            return Err(bad());
        }
        let h: i32 = h.parse().map_err(|_| bad())?;
        let m: i32 = m.parse().map_err(|_| bad())?;
        if m >= 60 {
            return Err(bad());
        }
        UtcOffset::from_minutes(sign * (h * 60 + m)).ok_or_else(bad)
    }
}

impl From<UtcOffset> for String {
    fn from(o: UtcOffset) -> String {
        o.to_string()
    }
}

impl fmt::Display for UtcOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let minutes = self.minutes();
        let sign = if minutes < 0 { '-' } else { '+' };
        let m = minutes.abs();
        write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
    }
}

/// A service point: one of the library's branches, or a partner library that only receives
/// holds for pickup (fukushima's municipal libraries, R-H4, R-H12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Short code, unique within the policy, e.g. `central`; at most 32 characters.
    pub code: String,
    /// Display name, e.g. `中央図書館`; at most 100 characters.
    pub name: String,
    /// Whether patrons may choose it as a pickup location.
    #[serde(default = "yes")]
    pub pickup: bool,
    /// A partner (e.g. a municipal library): holds no copies of ours, only receives them.
    #[serde(default)]
    pub partner: bool,
    /// The loan starts when the copy is dispatched here, not when it is picked up (R-H12).
    #[serde(default)]
    pub loan_starts_at_dispatch: bool,
    /// Further places within this location where a hold may be collected (受取場所); at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pickup_points: Vec<PickupPoint>,
    /// Weekdays the delivery van calls here, replacing `[delivery] weekdays` for this branch.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery_weekdays: Option<Vec<Weekday>>,
    /// Days a copy travels to this branch at least, 1 to 30; it arrives on the first delivery
    /// day, open here, that many days after dispatch or later. Defaults to 1.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub transit_days: u32,
    /// This branch's own opening rules, replacing the library-wide `[calendar]` whole; without
    /// it the branch follows `[calendar]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<CalendarRules>,
    /// What sending a copy from this branch to another costs, by the other branch's code, 0 to
    /// 1000 (Koha's transport cost matrix): when a title has copies on the shelf at several
    /// branches, the pull list asks for the cheapest to reach a hold's pickup branch, the
    /// delivery calendar breaking ties (copy targeting, #17). A branch left out costs 0; without
    /// any, the delivery calendar alone decides.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub transit_costs: BTreeMap<String, u32>,
}

/// A named pickup place belonging to a branch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PickupPoint {
    /// Short code, unique within its branch; at most 32 characters.
    pub code: String,
    /// Display name; at most 100 characters.
    pub name: String,
}

/// Inter-branch delivery schedule (R-H6).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// Weekdays on which the delivery van runs; a copy sent to another branch arrives on the
    /// next of these days after it was dispatched.
    pub weekdays: Vec<Weekday>,
}

/// A day of the week as written in policy files: `mon` … `sun`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    /// All seven days, Monday first.
    pub const ALL: [Weekday; 7] = [Self::Mon, Self::Tue, Self::Wed, Self::Thu, Self::Fri, Self::Sat, Self::Sun];

    /// Days from Monday (0) to Sunday (6).
    #[must_use]
    pub fn index(self) -> u8 {
        self as u8
    }

    /// The inverse of [`Weekday::index`].
    #[must_use]
    pub fn from_index(i: u8) -> Option<Self> {
        Self::ALL.get(usize::from(i)).copied()
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(w: chrono::Weekday) -> Self {
        Self::ALL[w.num_days_from_monday() as usize]
    }
}

/// Opening rules written in the policy (休館日). Dated exceptions set through the API
/// (`close_on`, `open_specially_on`) win over every rule here; weekdays closed through the API
/// (`set_closed_weekdays`) are added to `closed_weekdays`.
///
/// ```toml
/// [calendar]
/// closed_weekdays = ["mon"]
/// holidays = "open_then_next_weekday_closed"   # 月曜休館、祝日の場合は翌平日
/// yearly_closed = [{ from = "12-29", to = "01-03" }]   # 年末年始
/// closed_ranges = [{ from = "2027-02-01", to = "2027-02-10" }]   # 特別整理期間
/// monthly_closed = [{ weekday = "thu", nth = 1, from_end = true }]   # 毎月最終木曜日
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarRules {
    /// Weekdays the branch is regularly closed (定期休館日).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_weekdays: Vec<Weekday>,
    /// What a Japanese national holiday does; defaults to `open`.
    #[serde(default, skip_serializing_if = "HolidayRule::is_open")]
    pub holidays: HolidayRule,
    /// Closures that come back every year, such as 年末年始; at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub yearly_closed: Vec<YearlyClosure>,
    /// Dated closures, such as a 特別整理期間; at most 100, each at most 366 days long.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub closed_ranges: Vec<DateRange>,
    /// Closures on a weekday of every month, such as 毎月最終木曜日; at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub monthly_closed: Vec<MonthlyClosure>,
}

impl CalendarRules {
    /// No rule at all: the branch is open every day unless the API says otherwise.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// What a Japanese national holiday (国民の祝日, 振替休日, 国民の休日; see
/// [`crate::catalog::japanese_holidays`]) does to a branch. Holidays are known for 2000–2099
/// only; outside those years every rule acts as `open`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HolidayRule {
    /// A holiday is an ordinary day: the weekly pattern and the other rules apply.
    #[default]
    Open,
    /// Closed on every holiday (祝日休館).
    Closed,
    /// Open on every holiday, even one on a closed weekday; that closure moves to the next
    /// weekday (Monday to Friday) that is not a holiday (「月曜休館、祝日の場合は翌平日」).
    /// A holiday closed by another rule or by the API moves nothing.
    OpenThenNextWeekdayClosed,
}

impl HolidayRule {
    fn is_open(&self) -> bool {
        *self == Self::Open
    }
}

/// A closure that comes back every year, from `from` to `to` inclusive (`"12-29"` to
/// `"01-03"` crosses the year end); without `to`, the one day `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearlyClosure {
    /// First day, `"MM-DD"`.
    pub from: MonthDay,
    /// Last day, `"MM-DD"`; defaults to `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<MonthDay>,
}

/// A day of the year written `"MM-DD"` (two digits each); `"02-29"` counts in leap years only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MonthDay {
    month: u8,
    day: u8,
}

impl MonthDay {
    /// The day `day` of month `month`; `None` unless it exists in some year (`02-29` does).
    #[must_use]
    pub fn new(month: u8, day: u8) -> Option<Self> {
        let last = match month {
            2 => 29,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        (1..=last).contains(&day).then_some(Self { month, day })
    }

    /// The month, 1–12.
    #[must_use]
    pub fn month(self) -> u8 {
        self.month
    }

    /// The day of the month, 1–31.
    #[must_use]
    pub fn day(self) -> u8 {
        self.day
    }
}

impl TryFrom<String> for MonthDay {
    type Error = String;

    fn try_from(s: String) -> Result<Self, String> {
        let bad = || format!("`{s}` is not a day of the year like `12-29` (month 01-12, day 01-31)");
        let (m, d) = s.split_once('-').ok_or_else(bad)?;
        let two_digits = |t: &str| t.len() == 2 && t.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(m) || !two_digits(d) {
            return Err(bad());
        }
        MonthDay::new(m.parse().map_err(|_| bad())?, d.parse().map_err(|_| bad())?).ok_or_else(bad)
    }
}

impl From<MonthDay> for String {
    fn from(md: MonthDay) -> String {
        format!("{:02}-{:02}", md.month, md.day)
    }
}

/// Dated days from `from` to `to` inclusive, written as TOML dates (`2027-02-01`) or strings
/// (`"2027-02-01"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day.
    #[serde(deserialize_with = "date_or_text")]
    pub from: chrono::NaiveDate,
    /// Last day, not before `from` and at most 365 days after it.
    #[serde(deserialize_with = "date_or_text")]
    pub to: chrono::NaiveDate,
}

/// A date from a TOML local date or a `YYYY-MM-DD` string.
fn date_or_text<'de, D: serde::Deserializer<'de>>(de: D) -> Result<chrono::NaiveDate, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Text(String),
        Toml(toml::value::Datetime),
    }
    let text = match Written::deserialize(de)? {
        Written::Text(text) => text,
        Written::Toml(date) => date.to_string(),
    };
    text.parse().map_err(|_| serde::de::Error::custom(format!("`{text}` is not a date like 2027-02-01")))
}

/// The `nth` given weekday of every month, counted from the month's start, or from its end
/// with `from_end` (`nth = 1, from_end = true` is the last: 毎月最終木曜日).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonthlyClosure {
    /// The weekday.
    pub weekday: Weekday,
    /// Which one of the month, 1 to 5; a month without a fifth has none.
    pub nth: u8,
    /// Count from the month's end. Defaults to false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub from_end: bool,
}

/// Card-number format (利用者番号, R-A1). Card numbers are digits only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardRules {
    /// Fewest digits, at least 1.
    pub min_length: u32,
    /// Most digits, at most 32.
    pub max_length: u32,
    /// Digits a card number may start with; empty means any (chikushino: `["0"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowed_first_digits: Vec<char>,
}

/// Which characters a password may consist of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PasswordCharset {
    /// Half-width ASCII digits only.
    Digits,
    /// Half-width ASCII letters and digits (半角英数字).
    Alphanumeric,
    /// Half-width letters, digits and the policy's `symbols`.
    AlphanumericSymbols,
}

/// Password rules (R-A2, R-A4, R-A5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordRules {
    /// Fewest characters, 1 to 128.
    pub min_length: u32,
    /// Most characters, at most 128 when given; none means no upper bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Characters allowed at all.
    pub charset: PasswordCharset,
    /// The symbol characters allowed (and, with `require_symbol`, required).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub symbols: String,
    /// At least one ASCII letter.
    #[serde(default)]
    pub require_letter: bool,
    /// At least one ASCII digit.
    #[serde(default)]
    pub require_digit: bool,
    /// At least one of `symbols`.
    #[serde(default)]
    pub require_symbol: bool,
    /// Counter-issued temporary passwords (仮パスワード, R-A2).
    pub temporary: TemporaryPasswordRules,
    /// Ways a forgotten password can be replaced (R-A5).
    pub reset: ResetRules,
    /// Patrons may delete their own password online (fukushima 「パスワード変更・削除」, R-A3).
    /// Defaults to false.
    #[serde(default)]
    pub patron_may_delete: bool,
}

/// Temporary (counter-issued) passwords.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemporaryPasswordRules {
    /// Length of an issued temporary password, 4 to 64 (it is read out at the counter).
    pub length: u32,
    /// Characters it is drawn from.
    pub charset: PasswordCharset,
    /// Services refused until the patron sets a permanent password.
    pub refused_services: Vec<Service>,
}

/// Password reset (R-A5).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResetRules {
    /// Reset routes the library offers.
    pub methods: Vec<ResetMethod>,
    /// How long an e-mailed reset link stays valid, at most 1440 minutes (a day).
    pub token_minutes: u32,
    /// Reset codes a patron may have outstanding at once, 1 to 10; a new request revokes the
    /// oldest.
    #[serde(default = "one")]
    pub max_outstanding: u32,
    /// Reset codes mailed per card within an hour, 1 to 60; further requests are silently
    /// dropped (the answer never tells whether a code was sent).
    #[serde(default = "three")]
    pub requests_per_hour: u32,
}

/// A route to a new password after the old one is forgotten.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMethod {
    /// Staff issue a new temporary password at the counter.
    Counter,
    /// A single-use link mailed to a registered address (kanagawa).
    EmailLink,
    /// The web self-issue form: card number + birth date + phone (fukushima, shizuoka).
    SelfIssue,
}

/// A patron-facing service that a rule can switch off for some accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Service {
    Holds,
    Renewals,
    LoanStatus,
    Booklists,
    Alerts,
    ReadingHistory,
    EmailSettings,
}

/// Login, self-issue and account blocks (R-A3, R-A6, R-A7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountRules {
    /// Patrons may set a password on the web with card number, birth date and phone (R-A3).
    pub self_issue: bool,
    /// Self-issue needs the patron to agree to the terms first (fukushima, shizuoka:
    /// 「同意する」→「承諾」, R-A3); the day is kept. Defaults to false.
    #[serde(default)]
    pub self_issue_terms: bool,
    /// A card unused for this many years cannot log in (kanagawa 3, R-A6); 1 to 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_card_block_years: Option<u32>,
    /// A patron holding overdue items cannot log in (kanagawa, R-A6).
    pub overdue_blocks_login: bool,
    /// Services an expired card may not use (fukushima: holds, R-A6); an expired card can
    /// never self-issue a password.
    pub expired_card_refuses: Vec<Service>,
    /// Failed logins allowed within the window before the account is locked, 1 to 100.
    pub lockout_attempts: u32,
    /// The lockout window, in minutes, 1 to 10080 (a week).
    pub lockout_window_minutes: u32,
    /// How long a login session lasts without use, in minutes, 1 to 10080 (a week).
    pub session_minutes: u32,
    /// The longest a session lasts however much it is used, in hours (OWASP ASVS 3.3), 1 to 720
    /// (30 days).
    #[serde(default = "twelve")]
    pub session_max_hours: u32,
    /// Patrons may change their own name, address and phone online (false everywhere, R-A7).
    pub patron_edits_personal_details: bool,
}

/// How hold mail is addressed when a patron has several addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailRecipients {
    /// Every registered address (fukushima).
    All,
    /// The one address the patron chose for hold mail (kanagawa).
    Chosen,
}

/// A tag on an e-mail address (kanagawa: PC or mobile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum EmailTag {
    Pc,
    Mobile,
}

/// How the library tells a patron that a hold is ready (R-C3): one of six built-in methods, or a
/// channel the policy declares under `[contact.channels.<code>]` (SMS, LINE, app push, ...).
/// Written in policies and stored as its code (`"mail"`, `"sms"`); parse one with
/// [`str::parse`].
///
/// # Examples
/// ```
/// use bunko::policy::ContactMethod;
/// assert_eq!("mail".parse::<ContactMethod>(), Ok(ContactMethod::Mail));
/// let sms: ContactMethod = "sms".parse().unwrap();
/// assert!(matches!(&sms, ContactMethod::Channel(code) if code.as_str() == "sms"));
/// assert!("SMS!".parse::<ContactMethod>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ContactMethod {
    /// No contact (連絡不要); the patron checks the website.
    None,
    /// E-mail to a registered, confirmed address.
    Mail,
    /// A call from staff.
    Phone,
    /// An automated voice call (音声案内, shizuoka).
    Voice,
    /// A postcard (郵送).
    Post,
    /// Fax.
    Fax,
    /// A channel declared under `[contact.channels]`; the host delivers its notices.
    Channel(super::ChannelCode),
}

/// A patron flag the policy declares (`[flags.<code>]`), whose code a rule names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagRule {
    /// Display label, e.g. `聴覚に障害のある方`; at most 100 characters.
    pub label: String,
}

/// A contact channel beside the built-in methods (`[contact.channels.<code>]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChannelRule {
    /// Display label, e.g. `SMS(ショートメッセージ)`; at most 100 characters.
    pub label: String,
    /// What the patron must have registered for the channel to reach them.
    pub needs: ChannelNeeds,
}

/// What patron data a contact channel needs to reach the patron.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChannelNeeds {
    /// A confirmed, usable e-mail address, as `mail` does; notices go to the addresses mail would.
    Email,
    /// A registered phone, as `phone`, `voice` and `fax` do; the hold fixes the number (R-C4).
    Phone,
    /// Nothing bunko keeps: the host reaches the patron by its own means (an app's push
    /// registration, the postal address), as `post` does.
    Nothing,
}

/// One contact method the library offers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactMethodRule {
    /// The method.
    pub method: ContactMethod,
    /// Only patrons registered with this flag, declared under `[flags]`, may choose it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

/// E-mail, phones and contact methods (R-C1–R-C6).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactRules {
    /// Most e-mail addresses per patron (fukushima 3, kanagawa 2), at most 10.
    pub email_cap: u32,
    /// Tags each address must carry; empty means addresses are untagged.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub email_tags: Vec<EmailTag>,
    /// Which addresses receive notices.
    pub mail_recipients: MailRecipients,
    /// Most phone numbers per patron (home, mobile, ...), at most 10; one is chosen for holds
    /// (R-C4).
    pub phone_cap: u32,
    /// Hold contact methods offered (R-C3): built-in ones and declared channels. `mail` always
    /// needs a confirmed address.
    pub methods: Vec<ContactMethodRule>,
    /// Channels beside the built-in methods, by code (`[contact.channels.sms]`), each with the
    /// patron data it needs; at most 20. A channel declared but not listed in `methods` is
    /// offered to no one, yet holds that chose it still reach the patron.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<String, ChannelRule>,
    /// Web holds need a registered address even if another method is chosen (fukushima).
    pub web_holds_require_email: bool,
    /// Where a bounced mail notice falls back to (chiba: phone, R-C6): an offered method that
    /// needs no e-mail address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bounce_fallback: Option<ContactMethod>,
    /// Opt-in due-date reminders this many days before the due date (kanagawa, R-C6), 1 to 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_reminder_days_before: Option<u32>,
    /// How a patron registers an address online (R-C2); defaults to typed twice, with a mailed
    /// code to redeem.
    #[serde(default)]
    pub email_entry: EmailEntryRules,
    /// Patrons may keep a default pickup branch that prefills holds (R-C5).
    pub default_pickup: bool,
    /// Patrons set their default pickup, default contact method and chosen phone online (R-C5:
    /// shizuoka 「予約連絡方法変更」, kanagawa 利用者情報変更). Defaults to false.
    #[serde(default)]
    pub patron_sets_hold_defaults: bool,
    /// A mailbox reported as rejecting the library's mail (受信拒否) gets no more mail until the
    /// patron registers it again (chiba: 「Eメールお知らせサービスは無効」). Defaults to false.
    #[serde(default)]
    pub rejection_disables_address: bool,
}

/// Registering an e-mail address online (R-C2): fukushima and chiba ask for it twice and send
/// a confirmation mail; shizuoka asks once and shows a confirmation screen; chikushino sends a
/// completion mail. No guide says a mailed code must be redeemed: that is each library's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmailEntryRules {
    /// The address is typed twice (確認用メールアドレス). Defaults to true.
    #[serde(default = "yes")]
    pub typed_twice: bool,
    /// The mail sent to a newly registered address. Defaults to `confirmation`.
    #[serde(default)]
    pub mail: EmailEntryMail,
    /// The confirmation mail carries a code the patron must redeem before the address gets any
    /// mail; needs `mail = "confirmation"`. Without it the address is usable at once. Defaults
    /// to true.
    #[serde(default = "yes")]
    pub code_required: bool,
}

impl Default for EmailEntryRules {
    fn default() -> Self {
        Self { typed_twice: true, mail: EmailEntryMail::default(), code_required: true }
    }
}

/// The mail sent to a newly registered address (R-C2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailEntryMail {
    /// A confirmation mail (確認メール), with a code when `code_required`.
    #[default]
    Confirmation,
    /// A completion mail once the address is registered (メール登録完了のお知らせ, chikushino).
    Completion,
    /// No mail: the patron checks the address on a confirmation screen (shizuoka).
    None,
}

/// Rules for one material kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MaterialRules {
    /// Display label, e.g. `図書` or `視聴覚資料`; at most 100 characters.
    pub label: String,
    /// Copies of this kind may be lent (an individual copy can still be not-for-loan).
    pub loanable: bool,
    /// Titles of this kind may be held (R-H2).
    pub holdable: bool,
    /// Loan period in days, the checkout day being day 0, 1 to 366; unset: `loans.loan_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_days: Option<u32>,
}

/// Limits on holds or loans: an optional `total` plus per-material-kind limits, written flat as
/// `[holds.limits] total = 11, book = 10, av = 1` (R-H3). Each limit is 1 to 1000.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(try_from = "BTreeMap<String, u32>", into = "BTreeMap<String, u32>")]
pub struct Limits {
    /// Most in all.
    pub total: Option<u32>,
    /// Most per material kind.
    pub per_kind: BTreeMap<String, u32>,
}

/// The hold limits' former name.
pub type HoldLimits = Limits;

impl Limits {
    /// No limit at all.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.total.is_none() && self.per_kind.is_empty()
    }

    const TOTAL: &'static str = "total";
}

impl TryFrom<BTreeMap<String, u32>> for Limits {
    type Error = String;

    fn try_from(mut map: BTreeMap<String, u32>) -> Result<Self, String> {
        let total = map.remove(Self::TOTAL);
        Ok(Self { total, per_kind: map })
    }
}

impl From<Limits> for BTreeMap<String, u32> {
    fn from(l: Limits) -> Self {
        let mut map = l.per_kind;
        if let Some(t) = l.total {
            map.insert(Limits::TOTAL.to_owned(), t);
        }
        map
    }
}

/// Holds (R-H1–R-H12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRules {
    /// Limits on active holds; cancelled and expired holds never count.
    pub limits: HoldLimits,
    /// Holds placed at the counter count toward the limits too (chikushino says so explicitly).
    pub counter_holds_count: bool,
    /// Web holds are provisional (仮予約) until staff approve them (chiba, R-H5).
    pub web_holds_need_approval: bool,
    /// Web holds only on titles with no copy on the shelf (chikushino: 貸出中の資料).
    pub web_holds_only_when_none_on_shelf: bool,
    /// Web holds can go through a cart (予約カート / 予約かご) confirmed at once (R-H1); chiba has
    /// none (one title per request form). At least one of `cart` and `reserve_now` is on.
    #[serde(default = "yes")]
    pub cart: bool,
    /// Single-title "reserve now" on the web (shizuoka beside its cart; chiba, which has no cart,
    /// R-H1).
    pub reserve_now: bool,
    /// A hold-placed confirmation mail may be requested (fukushima, R-H11).
    pub placed_confirmation: bool,
    /// A title whose first copy was added fewer than this many days ago may not be held
    /// (Evergreen `age_hold_protect_rule`), at most 3660; usually set per category in
    /// `[[rules]]` as `new_title_hold_delay_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_title_hold_delay_days: Option<u32>,
    /// Days a ready hold waits on the hold shelf (取置期限, R-H9), counted from the day it is
    /// ready or from its notice as `shelf_days_from` says, 1 to 366.
    pub shelf_days: u32,
    /// Count only open days of the pickup branch toward `shelf_days`.
    pub shelf_days_skip_closed: bool,
    /// The day `shelf_days` count from (R-H9): the day the copy is ready, or the day the host
    /// marks the ready notice delivered (chikushino 「連絡後1週間」). Defaults to `ready`.
    #[serde(default)]
    pub shelf_days_from: ShelfDaysFrom,
    /// Days cancelled and expired holds stay visible to the patron (R-H10), at most 3660.
    pub cancelled_visible_days: u32,
    /// Patrons may cancel interlibrary-loan holds online (chikushino: no, R-H8).
    pub patron_may_cancel_ill: bool,
    /// Stages in which a patron may cancel a hold online (R-H8): queued ones everywhere;
    /// fukushima also in transit and ready until the ready notice went out.
    #[serde(default = "queued_stages")]
    pub patron_cancellable: Vec<HoldStage>,
    /// How a serial's issues meet `web_holds_only_when_none_on_shelf` (chikushino: 「貸出中の
    /// 資料・雑誌の最新号」 — items on loan, and the latest magazine issue, R-H2). An issue is a
    /// title with [`crate::catalog::Issue`] data; a later one makes it a back issue.
    #[serde(default)]
    pub serial_issues: SerialIssues,
    /// Hours after which a copy the pull list asked for and staff have not confirmed is
    /// released and another copy is targeted (Evergreen re-targets after 24), 1 to 720; see
    /// [`crate::Library::retarget_pulls`]. Unset: a pull target stands until the copy is
    /// confirmed, borrowed or the hold ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_retarget_hours: Option<u32>,
    /// The longest a patron may freeze (suspend) a queued hold, in days from today, 1 to 3660
    /// (#17; Koha `MaxSuspensionDays`-like). Unset: any length, and "until lifted" is allowed;
    /// set: a patron's freeze needs an end date no later than this. Staff are not bound by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_freeze_days: Option<u32>,
}

/// How a serial's issues meet the on-shelf rule for web holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SerialIssues {
    /// Every issue like any title.
    #[default]
    All,
    /// The latest catalogued issue of each run may be held even with a copy on the shelf;
    /// back issues like any title.
    Latest,
}

/// Where a hold is, as a rule can name it (R-H7, R-H8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldStage {
    /// 仮予約: waiting for staff approval.
    PendingApproval,
    /// 予約中: in the queue.
    Waiting,
    /// 他館確保 / 回送中: a copy is on its way to the pickup branch.
    InTransit,
    /// 利用可能: on the hold shelf, the patron not yet told.
    Ready,
    /// 連絡済み: on the hold shelf and the ready notice went out.
    Notified,
}

/// The day a ready hold's pickup deadline counts from (R-H9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ShelfDaysFrom {
    /// The day the copy is put on the hold shelf.
    #[default]
    Ready,
    /// The day the ready notice is delivered (連絡後); until then, and for a hold with no
    /// notice, the deadline counts from the ready day.
    Notice,
}

/// Why a renewal may be refused (R-L3); each one listed in the policy is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalBlock {
    /// This loan is past its due date (kanagawa: renew only within the loan period).
    Overdue,
    /// The patron has any overdue loan (shizuoka).
    AccountHasOverdue,
    /// Another patron holds the title.
    HeldByOthers,
    /// The copy was borrowed from another library (相互貸借).
    InterlibraryLoan,
}

/// Renewal rules (R-L2, R-L3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RenewalRules {
    /// How many times one loan may be renewed (1 everywhere), at most 100.
    pub max_renewals: u32,
    /// Length of the renewed period in days, counted from the renewal day; at most 366.
    pub days: u32,
    /// The renewal day itself is day 1 of `days` (fukushima: 15 days including the day).
    pub counts_renewal_day: bool,
    /// Conditions that refuse a renewal.
    pub refused_when: Vec<RenewalBlock>,
    /// Show the new due date for confirmation before renewing (kanagawa).
    pub preview_before_confirm: bool,
    /// A renewal is refused until this many days before the due date (a "not before N days"
    /// rule), at most 366. None of the five guides has one: 「貸出期限内に1回のみできます」 allows
    /// any day of the loan period, so none sets it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_days_before_due: Option<u32>,
    /// What the renewed period counts from: `today` (every seed library) or the current
    /// `due_date`. Defaults to `today`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub base: RenewalBase,
    /// With `held_by_others` in `refused_when`: a loan whose title others hold may still be
    /// renewed when the title's copies on the shelf that could fill those holds are at least as
    /// many as the holds waiting (frozen ones aside) — Koha's
    /// `AllowRenewalIfOtherItemsAvailable` (#17). Library-wide. Defaults to false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub allow_if_other_copies_available: bool,
}

/// Loans (R-L1–R-L4).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoanRules {
    /// Loan period in days for kinds whose `[materials.<kind>]` gives none, 1 to 366.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub loan_days: Option<u32>,
    /// A due date on a closed day moves to an open day of the branch.
    pub due_skips_closed_days: bool,
    /// Which way a due date on a closed day moves: to the `next` open day (every seed library)
    /// or the `previous` one (FOLIO, Enju). Defaults to `next`.
    #[serde(default, skip_serializing_if = "is_default")]
    pub closed_due_moves: DueMove,
    /// A patron with an overdue loan may not borrow more (until all overdue items are back).
    pub overdue_blocks_checkout: bool,
    /// The latest issue of a serial may be lent; defaults to true.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub latest_issue_loanable: bool,
    /// Days without borrowing per day a loan was returned late (延滞日数分の貸出停止), at most
    /// 30; unset: no suspension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension_days_per_late_day: Option<u32>,
    /// Loans (and renewals) may not run past the card's last valid day (Koha
    /// `ReturnBeforeExpiry`). Defaults to false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub due_capped_at_card_expiry: bool,
    /// Most open loans in all and per kind (「図書10冊・AV3点まで」); none by default.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub checkout_limits: Limits,
    /// Latest due dates before a long closure (特別整理期間; Evergreen `hard_due_date`); at
    /// most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hard_due_dates: Vec<HardDueDate>,
    /// Renewals.
    pub renewal: RenewalRules,
}

impl HardDueDate {
    /// Whether it caps a loan made or renewed on `day` at `branch`: `day` from `from` to `due`,
    /// at one of its branches (any, when it names none).
    #[must_use]
    pub fn applies_to(&self, day: chrono::NaiveDate, branch: &str) -> bool {
        (self.from..=self.due).contains(&day) && (self.branches.is_empty() || self.branches.iter().any(|b| b == branch))
    }
}

/// Which way a due date that falls on a closed day moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DueMove {
    /// To the next open day.
    #[default]
    Next,
    /// To the previous open day (never before the checkout day; then the next one).
    Previous,
}

/// A latest due date: a loan made or renewed from `from` to `due` is due on `due` at the
/// latest (moved to an earlier open day if the branch is closed then).
///
/// ```toml
/// [[loans.hard_due_dates]]
/// from = 2027-01-10
/// due = 2027-01-31   # 2月は特別整理期間
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HardDueDate {
    /// First day of lending it applies to.
    #[serde(deserialize_with = "date_or_text")]
    pub from: chrono::NaiveDate,
    /// The latest due date; at most 366 days after `from`.
    #[serde(deserialize_with = "date_or_text")]
    pub due: chrono::NaiveDate,
    /// The branches it applies to (codes); empty means every branch. At most 500.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<String>,
}

/// Booklists (R-B1–R-B3). Lengths are in characters, not bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BooklistRules {
    /// Patrons may keep booklists at all.
    pub offered: bool,
    /// Most lists per patron, at most 1000.
    pub max_lists: u32,
    /// Most entries per list, at most 10000.
    pub max_entries: u32,
    /// Longest list name, at most 1000.
    pub name_max_chars: u32,
    /// Longest list memo, at most 10000.
    pub list_memo_max_chars: u32,
    /// Longest entry memo, at most 10000.
    pub entry_memo_max_chars: u32,
    /// Lists can be downloaded as CSV (fukushima).
    pub csv_export: bool,
    /// Entries can be copied or moved between lists (kanagawa).
    pub copy_move: bool,
}

/// Reading history and goals (R-R1, R-R2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingRules {
    /// Patrons may opt in to a reading history (after agreeing to terms).
    pub history_offered: bool,
    /// Patrons may set reading goals (chikushino).
    pub goals_offered: bool,
    /// Longest reading goal, in days from its first to its last day inclusive, 1 to 3660; a
    /// longer one is refused, since its progress and chart grow with the span.
    #[serde(default = "goal_max_days")]
    pub goal_max_days: u32,
}

/// New-arrival alerts (R-N1–R-N3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertRules {
    /// Patrons may save alert conditions.
    pub offered: bool,
    /// Most saved conditions per patron, at most 1000.
    pub max_searches: u32,
    /// Longest single search term, in characters, at most 1000.
    pub term_max_chars: u32,
    /// Most terms in one saved search, 1 to 100; each is matched against every new arrival.
    #[serde(default = "ten")]
    pub max_terms: u32,
    /// What counts as a new arrival (R-N2).
    pub new_arrival: NewArrivalRules,
    /// When digests are sent (R-N3).
    pub schedule: SendSchedule,
}

/// The definition of a new arrival (R-N2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewArrivalRules {
    /// Published within this many days (fukushima: one year), at most 3660.
    pub published_within_days: u32,
    /// First copy available within this many days (fukushima: two weeks), at most 3660.
    pub available_within_days: u32,
    /// Serials (magazines, 逐次刊行物) are never new arrivals.
    pub exclude_serials: bool,
    /// Material kinds that can be new arrivals (fukushima's 新着**図書**: `["book"]`); empty
    /// means every kind. Each must be a kind under `[materials]`; at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub material_kinds: Vec<String>,
}

/// A monthly schedule: the given weekday in the given weeks of the month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendSchedule {
    /// The weekday digests go out.
    pub weekday: Weekday,
    /// Which occurrences of that weekday in the month (1–5); fukushima `[2, 4]`.
    pub weeks_of_month: Vec<u8>,
}

fn queued_stages() -> Vec<HoldStage> {
    vec![HoldStage::PendingApproval, HoldStage::Waiting]
}

fn is_false(b: &bool) -> bool {
    !*b
}

fn is_true(b: &bool) -> bool {
    *b
}

fn is_one(n: &u32) -> bool {
    *n == 1
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn yes() -> bool {
    true
}

fn one() -> u32 {
    1
}

fn three() -> u32 {
    3
}

fn ten() -> u32 {
    10
}

fn twelve() -> u32 {
    12
}

fn goal_max_days() -> u32 {
    366
}
