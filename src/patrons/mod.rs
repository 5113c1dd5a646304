//! Patrons: card numbers, registration records and phones.
//!
//! Owns what a valid card number and patron record are under a policy; persists through
//! `store` and never writes SQL itself.

mod accounts;
mod barcode;
mod contact;
mod credentials;
mod ops;
mod reminders;

pub(crate) use accounts::lockout_window;
pub use accounts::{Authenticated, Session};
pub use barcode::card_barcode_svg;
pub use contact::EmailAddress;
pub(crate) use ops::{account_facts, patron_in};

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;

use crate::catalog::{check_date, clean_text};
use crate::error::{Error, Result};
use crate::policy::{CardRules, ContactMethod};

crate::id::define_id! {
    /// Identifies a patron.
    PatronId, "patron id"
}

/// A card number (利用者番号) valid under a library's [`CardRules`] (R-A1).
///
/// Full-width digits (`０１２３`) are accepted and stored as half-width; surrounding spaces are
/// ignored.
///
/// # Examples
/// ```
/// use bunko::{patrons::CardNumber, Policy};
///
/// let chikushino = Policy::preset("chikushino").unwrap();
/// assert!(CardNumber::parse(&chikushino.cards, "01234567").is_ok());
/// assert!(CardNumber::parse(&chikushino.cards, "11234567").is_err()); // must start with 0
/// assert_eq!(CardNumber::parse(&chikushino.cards, "０１２３４５６７").unwrap().as_str(), "01234567");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(transparent))]
pub struct CardNumber(String);

impl CardNumber {
    /// Checks `input` against `rules` and returns the card number in stored form.
    ///
    /// # Errors
    ///
    /// - `InvalidInput` (`card_number`): the input does not fit the card rules.
    pub fn parse(rules: &CardRules, input: &str) -> Result<CardNumber> {
        let invalid = |reason: String| Error::InvalidInput { field: "card_number", reason };
        let digits: String = input.trim().chars().map(half_width_digit).collect();
        if let Some(c) = digits.chars().find(|c| !c.is_ascii_digit()) {
            return Err(invalid(format!("must be digits only, found `{c}`")));
        }
        let n = digits.len() as u32;
        if n < rules.min_length || n > rules.max_length {
            let expected = if rules.min_length == rules.max_length {
                format!("{} digits", rules.min_length)
            } else {
                format!("{} to {} digits", rules.min_length, rules.max_length)
            };
            return Err(invalid(format!("must be {expected}, found {n}")));
        }
        let first = digits.chars().next();
        if !rules.allowed_first_digits.is_empty() && !first.is_some_and(|f| rules.allowed_first_digits.contains(&f)) {
            let allowed: String = rules.allowed_first_digits.iter().collect();
            return Err(invalid(format!("must start with one of `{allowed}`")));
        }
        Ok(CardNumber(digits))
    }

    /// Wraps a value read back from the store, which only ever holds parsed card numbers.
    pub(crate) fn from_stored(digits: String) -> CardNumber {
        CardNumber(digits)
    }

    /// The digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CardNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn half_width_digit(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        _ => c,
    }
}

/// Kinds of phone number a patron registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[allow(missing_docs)]
pub enum PhoneKind {
    Home,
    Mobile,
    Work,
    Other,
}

/// A registered phone number.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Phone {
    /// What kind of number.
    pub kind: PhoneKind,
    /// The number as written, digits and hyphens (市外局番から).
    pub number: String,
    /// The number chosen for hold calls (R-C4); at most one per patron.
    pub chosen: bool,
}

impl Phone {
    /// A phone number; not the chosen one.
    pub fn new(kind: PhoneKind, number: impl Into<String>) -> Self {
        Self { kind, number: number.into(), chosen: false }
    }

    fn validated(mut self) -> Result<Self> {
        let n: String = self.number.trim().chars().map(half_width_digit).collect();
        let digits = n.chars().filter(char::is_ascii_digit).count();
        if !(n.chars().all(|c| c.is_ascii_digit() || c == '-') && (6..=15).contains(&digits)) {
            return Err(Error::InvalidInput {
                field: "phones",
                reason: format!("`{}` is not a phone number", self.number),
            });
        }
        self.number = n;
        Ok(self)
    }
}

/// A patron to register (at the counter, by staff).
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NewPatron {
    /// Card number, checked against the policy's format.
    pub card_number: String,
    /// Full name.
    pub name: String,
    /// Birth date, used by web self-issue (R-A3).
    pub birth_date: Option<NaiveDate>,
    /// Patron category (general, child, ...), for future per-category rules.
    pub category: String,
    /// Flags staff register (codes the policy declares under `[flags]`, e.g. chiba's
    /// `hearing_impaired`, which may choose post, R-C3).
    pub flags: BTreeSet<String>,
    /// The last day the card is valid (R-A6).
    pub expires_on: NaiveDate,
    /// Phone numbers registered at sign-up.
    pub phones: Vec<Phone>,
    /// Default pickup branch (R-C5).
    pub default_pickup: Option<String>,
}

impl NewPatron {
    /// A general patron with no phones, whose card is valid until `expires_on`.
    pub fn new(card_number: impl Into<String>, name: impl Into<String>, expires_on: NaiveDate) -> Self {
        Self {
            card_number: card_number.into(),
            name: name.into(),
            birth_date: None,
            category: crate::policy::DEFAULT_CATEGORY.into(),
            flags: BTreeSet::new(),
            expires_on,
            phones: Vec::new(),
            default_pickup: None,
        }
    }

    pub(crate) fn validated(self, cards: &CardRules, phone_cap: u32) -> Result<(CardNumber, Self)> {
        let card = CardNumber::parse(cards, &self.card_number)?;
        Ok((card, self.validated_details(phone_cap)?))
    }

    /// Checks everything but the card number.
    pub(crate) fn validated_details(mut self, phone_cap: u32) -> Result<Self> {
        self.name = clean_text("name", &self.name, true)?;
        self.birth_date = self.birth_date.map(|d| check_date("birth_date", d)).transpose()?;
        self.category = clean_text("category", &self.category, true)?;
        if self.phones.len() > phone_cap as usize {
            return Err(Error::InvalidInput {
                field: "phones",
                reason: format!("{} numbers, at most {phone_cap} allowed", self.phones.len()),
            });
        }
        if self.phones.iter().filter(|p| p.chosen).count() > 1 {
            return Err(Error::InvalidInput {
                field: "phones",
                reason: "only one number can be the chosen one".into(),
            });
        }
        self.phones = self.phones.into_iter().map(Phone::validated).collect::<Result<_>>()?;
        Ok(self)
    }
}

/// A stored patron record.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Patron {
    /// Its id.
    pub id: PatronId,
    /// Card number.
    pub card_number: CardNumber,
    /// Full name.
    pub name: String,
    /// Birth date.
    pub birth_date: Option<NaiveDate>,
    /// Category.
    pub category: String,
    /// Blocked by staff.
    pub blocked: bool,
    /// The flags registered, by code. A flag the policy no longer declares stays stored but
    /// satisfies no rule.
    pub flags: BTreeSet<String>,
    /// The month of registration, as its first day (kept to the month so it cannot be joined
    /// with a returned loan's dates, R-R1).
    pub registered_on: NaiveDate,
    /// Last day the card is valid.
    pub expires_on: NaiveDate,
    /// The month the card was last used for a checkout, renewal or login, as that month's last
    /// day (kept to the month, R-R1; R-A6 counts years from it).
    pub last_activity_on: NaiveDate,
    /// Phones, in registration order.
    pub phones: Vec<Phone>,
    /// Default pickup branch.
    pub default_pickup: Option<String>,
    /// Default hold contact method, set by the patron (R-C5).
    pub default_contact: Option<ContactMethod>,
    /// The account has a counter-issued temporary password not yet changed (R-A2).
    pub temporary_password: bool,
    /// The day the patron agreed to the web self-issue terms (「同意する」→「承諾」, R-A3).
    pub self_issue_terms_agreed_on: Option<NaiveDate>,
    /// The last day of a suspension after a late return (延滞日数分の貸出停止), if one was
    /// ever given; it has passed when before today.
    pub suspended_until: Option<NaiveDate>,
}

/// What a patron sets online to prefill their holds (R-C5: shizuoka 「予約連絡方法変更」,
/// kanagawa 利用者情報変更). `None` leaves a setting as it is.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct HoldDefaults {
    /// Default pickup branch: a pickup location of the policy.
    pub pickup: Option<String>,
    /// Default contact method: one the policy offers this patron, and reachable (R-C3).
    pub contact: Option<ContactMethod>,
    /// The phone to call: one of the patron's registered numbers, compared by digits. New holds
    /// fix it; holds already placed keep theirs (R-C4).
    pub phone: Option<String>,
}

impl Patron {
    /// The card has expired by `today`.
    #[must_use]
    pub fn card_expired(&self, today: NaiveDate) -> bool {
        today > self.expires_on
    }

    /// The number to call: the chosen one, else the first registered (R-C4).
    #[must_use]
    pub fn contact_phone(&self) -> Option<&str> {
        self.phones.iter().find(|p| p.chosen).or(self.phones.first()).map(|p| p.number.as_str())
    }
}
