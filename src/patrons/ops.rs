//! Patron registration and look-up on [`Library`].

use std::collections::BTreeSet;

use super::contact::same_phone;
use super::{CardNumber, HoldDefaults, NewPatron, Patron, PatronId};
use crate::Library;
use crate::catalog::check_date;
use chrono::NaiveDate;

use crate::error::{Entity, Error, Result};
use crate::holds::{HoldRequest, contact_facts};
use crate::policy::{AccountFacts, Channel, ContactMethod, Policy, Refusal, contact_reasons, pickup_reasons};
use crate::store::Tx;

impl Library {
    /// Registers a patron (a staff operation at the counter). The card number must match the
    /// policy's format (R-A1) and be new; the default pickup branch must be a pickup location;
    /// every flag must be one the policy declares.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such home branch.
    /// - `InvalidInput`: a malformed field, an unknown category or flag.
    /// - `Conflict`: the card number is taken.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn register_patron(&mut self, patron: NewPatron) -> Result<PatronId> {
        let (card, patron) = patron.validated(&self.policy.cards, self.policy.contact.phone_cap)?;
        self.require_flags(&patron.flags)?;
        if let Some(code) = &patron.default_pickup
            && !self.require_branch(code)?.pickup
        {
            return Err(Error::InvalidInput {
                field: "default_pickup",
                reason: format!("`{code}` is not a pickup location"),
            });
        }
        let today = self.today();
        category_problem(&self.policy, &patron.category, patron.birth_date, today)
            .map_or(Ok(()), |reason| Err(Error::InvalidInput { field: "category", reason }))?;
        check_date("expires_on", patron.expires_on)?;
        if patron.expires_on < today {
            return Err(Error::InvalidInput {
                field: "expires_on",
                reason: format!("{} is before today ({today})", patron.expires_on),
            });
        }
        self.store.write(|tx| tx.insert_patron(&card, &patron, today))
    }

    /// Moves a patron to another category (a staff operation: a child who grows up, a
    /// resident who moves away). The category must be one of the policy's, and the patron's
    /// age, when known, within its bounds today.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a category the policy does not declare.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_patron_category(&mut self, patron: PatronId, category: &str) -> Result<()> {
        let today = self.today();
        let policy = &self.policy;
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            if let Some(reason) = category_problem(policy, category, who.birth_date, today) {
                return Err(Error::InvalidInput { field: "category", reason });
            }
            tx.set_patron_category(patron, category)
        })
    }

    /// Ends a patron's suspension after a late return at once (a staff decision, e.g. a return
    /// that was late through no fault of the patron's).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn lift_suspension(&mut self, patron: PatronId) -> Result<()> {
        let found = self.store.write(|tx| tx.lift_suspension(patron))?;
        if found { Ok(()) } else { Err(Error::not_found(Entity::Patron, patron.get())) }
    }

    /// The last valid day of a card of `category` issued today: its `card_valid_years` later,
    /// less a day. `None` when the category gives no period (staff choose the date) or is not
    /// the policy's.
    pub fn card_expiry_for(&self, category: &str) -> Option<NaiveDate> {
        let years = self.policy.categories.get(category)?.card_valid_years?;
        let today = self.today();
        today.checked_add_months(chrono::Months::new(years * 12))?.pred_opt()
    }

    /// A patron by id.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn patron(&self, id: PatronId) -> Result<Patron> {
        self.store
            .read(|tx| tx.patron(id))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Patron, key: id.get().to_string() })
    }

    /// A patron by card number (checked against the policy's format first).
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a malformed card number.
    /// - `NotFound`: no patron has this card number.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn patron_by_card(&self, card_number: &str) -> Result<Patron> {
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        self.store
            .read(|tx| tx.patron_by_card(&card))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Patron, key: card.to_string() })
    }

    /// The patron sets online their default pickup, default hold contact method and the phone to
    /// call (R-C5: shizuoka 「予約連絡方法変更」, kanagawa 利用者情報変更), where the policy's
    /// `patron_sets_hold_defaults` allows it. The pickup must be a pickup location (and the
    /// policy must keep default pickups at all); the contact method must be offered to this
    /// patron and reachable (R-C3, checked as for a hold placed at the counter: the web-only
    /// address requirement is checked when a web hold is placed); the phone must be one of the
    /// patron's registered numbers — the numbers themselves change only at the counter (R-A7).
    /// Every refused pickup or contact reason is listed (an unknown phone is refused on its
    /// own); nothing changes unless all are valid. Holds already placed keep their phone (R-C4).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a contact the patron does not have, or a malformed value.
    /// - `Refused`: the defaults break the hold rules; every reason is listed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_hold_defaults(&mut self, patron: PatronId, defaults: &HoldDefaults) -> Result<()> {
        let contact = &self.policy.contact;
        if !contact.patron_sets_hold_defaults {
            return Err(Error::InvalidInput {
                field: "hold_defaults",
                reason: "this library changes hold defaults at the counter".into(),
            });
        }
        if defaults.pickup.is_some() && !contact.default_pickup {
            return Err(Error::InvalidInput { field: "pickup", reason: "this library keeps no default pickup".into() });
        }
        let policy = &self.policy;
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let position = match &defaults.phone {
                Some(phone) => Some(who.phones.iter().position(|p| same_phone(&p.number, phone)).ok_or_else(|| {
                    Error::InvalidInput { field: "phone", reason: "not one of the patron's registered numbers".into() }
                })?),
                None => None,
            };
            let mut reasons = Vec::new();
            if let Some(pickup) = &defaults.pickup {
                reasons.extend(pickup_reasons(policy, pickup, None));
            }
            if let Some(method) = &defaults.contact {
                reasons.extend(contact_reasons(policy, Channel::Counter, method, &contact_facts(tx, &who)?));
            }
            Refusal::check(reasons, ())?;
            tx.set_hold_defaults(patron, defaults.pickup.as_deref(), defaults.contact.as_ref())?;
            if let Some(position) = position {
                tx.choose_phone(patron, position)?;
            }
            Ok(())
        })
    }

    /// A web hold request prefilled from the patron's defaults (R-C5): their default pickup
    /// (where the policy's `contact.default_pickup` keeps one) and contact method; without a
    /// default contact method, the first the policy lists.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn prefilled_hold_request(&self, patron: PatronId) -> Result<HoldRequest> {
        let who = self.patron(patron)?;
        let first_offered = self.policy.contact.methods.first().map_or(ContactMethod::None, |m| m.method.clone());
        let mut request = HoldRequest::web("", who.default_contact.unwrap_or(first_offered));
        // Only where the policy keeps a default pickup (as placing a hold does).
        request.pickup = who.default_pickup.filter(|_| self.policy.contact.default_pickup);
        Ok(request)
    }

    /// Replaces the flags registered for a patron (a staff operation: chiba registers
    /// 聴覚に障害のある方 at the counter, R-C3). Every flag must be one the policy declares;
    /// holds already placed keep their contact method.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a flag the policy does not declare.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_patron_flags(&mut self, id: PatronId, flags: &BTreeSet<String>) -> Result<()> {
        self.require_flags(flags)?;
        self.store.write(|tx| {
            patron_in(tx, id)?;
            tx.set_patron_flags(id, flags)
        })
    }

    /// Refuses a flag the policy does not declare, naming it.
    fn require_flags(&self, flags: &BTreeSet<String>) -> Result<()> {
        match self.policy.undeclared_flag(flags) {
            None => Ok(()),
            Some(flag) => Err(Error::InvalidInput {
                field: "flags",
                reason: format!("`{flag}` is not a flag the policy declares under [flags]"),
            }),
        }
    }

    /// Blocks or unblocks a patron (a staff operation). Blocking ends every session of the
    /// patron in the same transaction (R-A6).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn set_patron_blocked(&mut self, id: PatronId, blocked: bool) -> Result<()> {
        let found = self.store.write(|tx| {
            if blocked {
                tx.delete_sessions_of(id)?;
            }
            tx.set_patron_blocked(id, blocked)
        })?;
        if found { Ok(()) } else { Err(Error::NotFound { entity: Entity::Patron, key: id.get().to_string() }) }
    }
}

/// The patron `id`, read in an open transaction.
pub(crate) fn patron_in(tx: &Tx<'_>, id: PatronId) -> Result<Patron> {
    tx.patron(id)?.ok_or_else(|| Error::not_found(Entity::Patron, id.get()))
}

/// What account-standing decisions need to know about `who` today (R-A2, R-A6).
pub(crate) fn account_facts(tx: &Tx<'_>, who: &Patron, today: NaiveDate) -> Result<AccountFacts> {
    Ok(AccountFacts {
        today,
        blocked: who.blocked,
        expires_on: who.expires_on,
        last_activity_on: who.last_activity_on,
        overdue_loans: tx.count_overdue_of(who.id, today)?,
        temporary_password: who.temporary_password,
    })
}

/// Why `category` cannot be given to a patron born on `birth_date` today: not one of the
/// policy's, or the age outside its bounds (a category with bounds needs the birth date).
fn category_problem(
    policy: &Policy,
    category: &str,
    birth_date: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<String> {
    if !policy.admits_category(category) {
        let known: Vec<&str> = policy.categories.keys().map(String::as_str).collect();
        return Some(format!("`{category}` is not a category of this library ({})", known.join(", ")));
    }
    let rules = policy.categories.get(category)?;
    if rules.min_age.is_none() && rules.max_age.is_none() {
        return None;
    }
    let Some(born) = birth_date else {
        return Some(format!("`{category}` has age bounds, so the birth date is needed"));
    };
    let age = today.years_since(born).unwrap_or(0);
    if rules.min_age.is_some_and(|min| age < min) || rules.max_age.is_some_and(|max| age > max) {
        return Some(format!("age {age} is outside the bounds of `{category}`"));
    }
    None
}
