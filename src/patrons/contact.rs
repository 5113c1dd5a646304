//! Web self-issue (R-A3), mailed password reset (R-A5), e-mail addresses with confirmation
//! (R-C1, R-C2) and the staff-only change of personal details (R-A7).

use chrono::{Duration, NaiveDate};

use super::accounts::{Session, check_new_password, reserve_attempt, start_session};
use super::credentials::{hash_password, random_token, token_hash};
use super::{CardNumber, Patron, PatronId, Phone, patron_in};
use crate::Library;
use crate::catalog::clean_text;
use crate::error::{Error, Result};
use crate::library::Gate;
use crate::notify::{About, NoticeFacts, NoticeKind, Recipient, enqueue};
use crate::policy::{ContactMethod, EmailEntryMail, ResetMethod, Service};
use crate::store::TokenPurpose;

/// How long an e-mail confirmation code stays valid.
const CONFIRMATION_HOURS: i64 = 24;

/// A registered e-mail address.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct EmailAddress {
    /// The address.
    pub address: String,
    /// Its tag (kanagawa: `pc` or `mobile`).
    pub tag: Option<String>,
    /// Confirmed through the code mailed to it (R-C2); only confirmed addresses get mail.
    pub confirmed: bool,
    /// The address chosen for hold mail.
    pub receives_holds: bool,
    /// The mailbox was reported as rejecting the library's mail (受信拒否) where the policy turns
    /// the mail service off for it (chiba): it gets no mail until registered again.
    pub rejects_mail: bool,
}

impl Library {
    /// Web self-issue (R-A3, fukushima and shizuoka): where the policy's `self_issue_terms` says
    /// so, the patron first agrees to the terms (「同意する」→「承諾」), and the day is kept with the
    /// account; then card number, birth date and the phone number registered at sign-up prove
    /// the patron, who sets a password and is logged in. Refused for an expired card. A
    /// mismatch is the same [`Error::LoginFailed`] as a bad login and counts toward the lockout;
    /// not agreeing is refused before anything is counted.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a malformed card number or birth date, or terms not agreed.
    /// - `LoginFailed`: the details do not match a patron who may self-issue.
    /// - `PasswordRules`: the password breaks the policy.
    /// - `Crypto`: hashing failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn self_issue_password(
        &mut self,
        card_number: &str,
        birth_date: NaiveDate,
        phone: &str,
        new: &str,
        confirm: &str,
        agreed_to_terms: bool,
    ) -> Result<Session> {
        let accounts = &self.policy.accounts;
        if !accounts.self_issue {
            return Err(Error::InvalidInput {
                field: "self_issue",
                reason: "this library issues passwords at the counter".into(),
            });
        }
        if accounts.self_issue_terms && !agreed_to_terms {
            return Err(Error::InvalidInput { field: "agreed_to_terms", reason: "the terms must be agreed to".into() });
        }
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        let birth_date = crate::catalog::check_date("birth_date", birth_date)?;
        check_new_password(&self.policy, new, confirm)?;
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        // The attempt counts toward the lockout before anything is compared (see `login`).
        let (attempt, found) = self.store.write(|tx| {
            let attempt = reserve_attempt(tx, policy, card.as_str(), now)?;
            let found = tx.patron_by_card(&card)?.filter(|p| {
                p.birth_date == Some(birth_date)
                    && !p.card_expired(today)
                    && p.phones.iter().any(|ph| same_phone(&ph.number, phone))
            });
            Ok((attempt, found))
        })?;
        // Hash either way, so a mismatch costs what a match does.
        let hash = hash_password(new)?;
        let Some(patron) = found else {
            return Err(Error::LoginFailed);
        };
        self.store.write(|tx| {
            attempt.succeeded(tx)?;
            if policy.accounts.self_issue_terms {
                tx.set_self_issue_terms_agreed(patron.id, today)?;
            }
            tx.set_password(patron.id, &hash, false)?;
            // Standing first, then the use of the card (see `login`).
            let session = start_session(tx, policy, patron.id, false, now, today)?;
            tx.touch_patron(patron.id, today)?;
            Ok(session)
        })
    }

    /// Asks for a password-reset code by mail (R-A5, kanagawa): if `address` is a confirmed
    /// address of the card's patron, a single-use code valid for the policy's minutes is mailed
    /// there. Answers `Ok(())` either way, so it reveals nothing about cards or addresses.
    ///
    /// Throttled per card by the policy: past `requests_per_hour` codes in the last hour nothing
    /// is sent, and a new code revokes the oldest beyond `max_outstanding`.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a malformed card number or address.
    /// - `Crypto`: the random source failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn request_password_reset(&mut self, card_number: &str, address: &str) -> Result<()> {
        if !self.policy.passwords.reset.methods.contains(&ResetMethod::EmailLink) {
            return Err(Error::InvalidInput {
                field: "reset",
                reason: "this library resets passwords at the counter only".into(),
            });
        }
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        let token = random_token()?;
        let (now, policy) = (self.now(), &self.policy);
        let expires_at =
            crate::library::storable(now + Duration::minutes(i64::from(policy.passwords.reset.token_minutes)));
        self.store.write(|tx| {
            let Some(patron) = tx.patron_by_card(&card)? else { return Ok(()) };
            let reset = &policy.passwords.reset;
            if !tx.has_confirmed_email(patron.id, address.trim())?
                || tx.reset_codes_issued_since(patron.id, now - Duration::hours(1))? >= reset.requests_per_hour
            {
                return Ok(());
            }
            tx.revoke_reset_codes_beyond(patron.id, reset.max_outstanding.saturating_sub(1), now)?;
            tx.insert_token(&token_hash(&token), patron.id, TokenPurpose::PasswordReset, None, now, expires_at)?;
            let mut facts = NoticeFacts::new(&policy.library.name, &patron.name, "");
            facts.code = Some(token.clone());
            facts.code_expires_at = Some(expires_at);
            let to = Recipient { patron: patron.id, channel: ContactMethod::Mail, address: Some(address.trim()) };
            enqueue(tx, NoticeKind::PasswordReset, &facts, &to, About::Nothing, now)?;
            Ok(())
        })
    }

    /// Sets a new password with a mailed reset code (R-A5): once, before it expires. Logs in.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: the code is unknown, used or expired, or `confirm` differs.
    /// - `PasswordRules`: the password breaks the policy.
    /// - `Crypto`: hashing failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn redeem_password_reset(&mut self, code: &str, new: &str, confirm: &str) -> Result<Session> {
        check_new_password(&self.policy, new, confirm)?;
        let hash = hash_password(new)?;
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        self.store.write(|tx| {
            let (patron, _) =
                tx.take_token(&token_hash(code.trim()), TokenPurpose::PasswordReset, now)?.ok_or(invalid_code())?;
            tx.set_password(patron, &hash, false)?;
            start_session(tx, policy, patron, false, now, today)
        })
    }

    /// The patron's e-mail addresses, confirmed or waiting for confirmation.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn email_addresses(&self, patron: PatronId) -> Result<Vec<EmailAddress>> {
        self.store.read(|tx| {
            patron_in(tx, patron)?;
            tx.email_addresses(patron)
        })
    }

    /// Registers an address the patron typed (R-C2), as the policy's `email_entry` says:
    /// typed twice (`confirmation` must then be given and equal) or once (`confirmation` is
    /// then checked only if given); then either a confirmation mail with a code, the address
    /// getting mail only once the code is redeemed ([`Library::confirm_email`]), or — without a
    /// code — usable at once, with a confirmation mail, a completion mail (chikushino) or none
    /// (shizuoka: the host shows a confirmation screen before calling this). The address counts
    /// toward the policy's cap at once. One transaction.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed address or tag, or too many addresses.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Crypto`: the random source failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn add_email(
        &mut self,
        patron: PatronId,
        address: &str,
        confirmation: Option<&str>,
        tag: Option<&str>,
    ) -> Result<()> {
        let entry = &self.policy.contact.email_entry;
        match confirmation {
            None if entry.typed_twice => {
                return Err(Error::InvalidInput { field: "confirmation", reason: "type the address twice".into() });
            }
            Some(c) if c.trim() != address.trim() => {
                return Err(Error::InvalidInput { field: "confirmation", reason: "the two addresses differ".into() });
            }
            _ => {}
        }
        let address = check_email(address)?;
        let tag = self.check_email_tag(tag)?;
        let token = random_token()?;
        let (now, policy) = (self.now(), &self.policy);
        let gate = Gate { policy, today: self.today(), service: Service::EmailSettings };
        self.store.write(|tx| {
            let who = gate.patron(tx, patron)?;
            let cap = policy.contact.email_cap;
            if tx.count_emails(patron)? >= cap {
                return Err(Error::InvalidInput {
                    field: "address",
                    reason: format!("at most {cap} addresses per patron"),
                });
            }
            let mut facts = NoticeFacts::new(&policy.library.name, &who.name, "");
            let kind = if entry.code_required {
                let id = tx.insert_pending_email(patron, &address, tag.as_deref())?;
                let expires_at = crate::library::storable(now + Duration::hours(CONFIRMATION_HOURS));
                tx.insert_token(
                    &token_hash(&token),
                    patron,
                    TokenPurpose::EmailConfirmation,
                    Some(id),
                    now,
                    expires_at,
                )?;
                facts.code = Some(token.clone());
                facts.code_expires_at = Some(expires_at);
                NoticeKind::EmailConfirmation
            } else {
                tx.insert_confirmed_email(patron, &address, tag.as_deref(), now)?;
                match entry.mail {
                    EmailEntryMail::Confirmation => NoticeKind::EmailConfirmation,
                    EmailEntryMail::Completion => NoticeKind::EmailRegistered,
                    EmailEntryMail::None => return Ok(()),
                }
            };
            let to = Recipient { patron, channel: ContactMethod::Mail, address: Some(&address) };
            enqueue(tx, kind, &facts, &to, About::Nothing, now)?;
            Ok(())
        })
    }

    /// Confirms an address with the code mailed to it; returns whose address it was.
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: the code is unknown, used or expired.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn confirm_email(&mut self, code: &str) -> Result<PatronId> {
        let now = self.now();
        self.store.write(|tx| {
            let (patron, email) =
                tx.take_token(&token_hash(code.trim()), TokenPurpose::EmailConfirmation, now)?.ok_or(invalid_code())?;
            if let Some(email) = email {
                tx.confirm_email(email, now)?;
            }
            Ok(patron)
        })
    }

    /// Removes an address; `false` if the patron had no such address.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn remove_email(&mut self, patron: PatronId, address: &str) -> Result<bool> {
        self.store.write(|tx| tx.delete_email(patron, address.trim()))
    }

    /// Chooses the confirmed address that receives hold mail (kanagawa, R-C1). Refused where
    /// the patron may not use the e-mail settings (a temporary password, R-A2).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: not one of the patron's confirmed addresses.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn choose_hold_email(&mut self, patron: PatronId, address: &str) -> Result<()> {
        let gate = Gate { policy: &self.policy, today: self.today(), service: Service::EmailSettings };
        let chosen = self.store.write(|tx| {
            gate.patron(tx, patron)?;
            tx.choose_hold_email(patron, address.trim())
        })?;
        if chosen {
            Ok(())
        } else {
            Err(Error::InvalidInput { field: "address", reason: "not a confirmed address of this patron".into() })
        }
    }

    /// The patron changes their own name, birth date and phones online, where the policy's
    /// `accounts.patron_edits_personal_details` allows it. Shizuoka and chikushino say they
    /// cannot (R-A7: 「住所、電話番号、氏名については、マイライブラリからの変更ができません」,
    /// 「住所や電話番号の変更は窓口でお願いします」) and no preset allows it. Checked as the
    /// staff change.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed field, or one the patron may not change.
    /// - `Refused`: the patron may not use this service now (R-A2, R-A6).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn update_own_personal_details(
        &mut self,
        patron: PatronId,
        name: &str,
        birth_date: Option<NaiveDate>,
        phones: Vec<Phone>,
    ) -> Result<()> {
        if !self.policy.accounts.patron_edits_personal_details {
            return Err(Error::InvalidInput {
                field: "personal_details",
                reason: "this library changes name, address and phone at the counter only".into(),
            });
        }
        self.update_personal_details_as_staff(patron, name, birth_date, phones)
    }

    /// Staff change a patron's name, birth date and phones (R-A7). The call replaces all three:
    /// `None` clears the birth date (which web self-issue needs) and an empty list the phones.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed name, birth date or phone, or too many phones.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn update_personal_details_as_staff(
        &mut self,
        patron: PatronId,
        name: &str,
        birth_date: Option<NaiveDate>,
        phones: Vec<Phone>,
    ) -> Result<()> {
        let name = clean_text("name", name, true)?;
        let phone_cap = self.policy.contact.phone_cap;
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let checked = super::NewPatron {
                name,
                birth_date,
                phones,
                ..super::NewPatron::new(who.card_number.as_str(), "x", who.expires_on)
            };
            let checked = checked.validated_details(phone_cap)?;
            let updated = Patron { name: checked.name, birth_date: checked.birth_date, phones: checked.phones, ..who };
            tx.update_personal(&updated)
        })
    }

    /// Registers an e-mail address for the patron at the counter, where staff confirm it in
    /// person (R-C1). `tag` is required where the policy tags addresses (kanagawa: PC or mobile).
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `InvalidInput`: a malformed address or tag, or too many addresses.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn register_email_at_counter(&mut self, patron: PatronId, address: &str, tag: Option<&str>) -> Result<()> {
        let address = check_email(address)?;
        let tag = self.check_email_tag(tag)?;
        let (cap, now) = (self.policy.contact.email_cap, self.now());
        self.store.write(|tx| {
            patron_in(tx, patron)?;
            if tx.count_emails(patron)? >= cap {
                return Err(Error::InvalidInput {
                    field: "address",
                    reason: format!("at most {cap} addresses per patron"),
                });
            }
            tx.insert_confirmed_email(patron, &address, tag.as_deref(), now)
        })
    }

    fn check_email_tag(&self, tag: Option<&str>) -> Result<Option<String>> {
        let tags = &self.policy.contact.email_tags;
        match tag {
            None if tags.is_empty() => Ok(None),
            Some(t) if tags.iter().any(|known| format!("{known:?}").eq_ignore_ascii_case(t)) => {
                Ok(Some(t.to_ascii_lowercase()))
            }
            _ => Err(Error::InvalidInput { field: "tag", reason: format!("must be one of {tags:?}") }),
        }
    }
}

/// A syntactically plausible address: one `@`, a dotted domain, printable ASCII, ≤ 254 bytes.
fn check_email(address: &str) -> Result<String> {
    let a = address.trim();
    let bad = || Error::InvalidInput { field: "address", reason: format!("`{address}` is not an e-mail address") };
    let (local, domain) = a.split_once('@').ok_or_else(bad)?;
    let ok = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && a.len() <= 254
        && a.chars().all(|c| c.is_ascii_graphic());
    if ok { Ok(a.to_owned()) } else { Err(bad()) }
}

fn invalid_code() -> Error {
    Error::InvalidInput { field: "code", reason: "the code is unknown, already used or expired".into() }
}

/// Phone numbers compare by digits only, so `024-535-3218` matches `0245353218`.
pub(super) fn same_phone(a: &str, b: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let (a, b) = (digits(a), digits(b));
    !a.is_empty() && a == b
}
