//! Patron registration and look-up on [`Library`].

use super::{CardNumber, NewPatron, Patron, PatronId};
use crate::Library;
use crate::catalog::check_date;
use chrono::NaiveDate;

use crate::error::{Entity, Error, Result};
use crate::policy::AccountFacts;
use crate::store::Tx;

impl Library {
    /// Registers a patron (a staff operation at the counter). The card number must match the
    /// policy's format (R-A1) and be new; the default pickup branch must be a pickup location.
    pub fn register_patron(&mut self, patron: NewPatron) -> Result<PatronId> {
        let (card, patron) = patron.validated(&self.policy.cards, self.policy.contact.phone_cap)?;
        if let Some(code) = &patron.default_pickup
            && !self.require_branch(code)?.pickup
        {
            return Err(Error::InvalidInput {
                field: "default_pickup",
                reason: format!("`{code}` is not a pickup location"),
            });
        }
        let today = self.today();
        check_date("expires_on", patron.expires_on)?;
        if patron.expires_on < today {
            return Err(Error::InvalidInput {
                field: "expires_on",
                reason: format!("{} is before today ({today})", patron.expires_on),
            });
        }
        self.store.write(|tx| tx.insert_patron(&card, &patron, today))
    }

    /// A patron by id.
    pub fn patron(&self, id: PatronId) -> Result<Patron> {
        self.store
            .read(|tx| tx.patron(id))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Patron, key: id.get().to_string() })
    }

    /// A patron by card number (checked against the policy's format first).
    pub fn patron_by_card(&self, card_number: &str) -> Result<Patron> {
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        self.store
            .read(|tx| tx.patron_by_card(&card))?
            .ok_or_else(|| Error::NotFound { entity: Entity::Patron, key: card.to_string() })
    }

    /// Blocks or unblocks a patron (a staff operation). Blocking ends every session of the
    /// patron in the same transaction (R-A6).
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
