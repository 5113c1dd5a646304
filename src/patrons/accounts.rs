//! Passwords, temporary passwords, login sessions and lockout (R-A2, R-A4, R-A6), following
//! OWASP ASVS where the guides are silent.

use chrono::{DateTime, Duration, Utc};

use super::credentials::{
    hash_password, needs_rehash, random_password, random_token, token_hash, verify_against_dummy, verify_password,
};
use super::{CardNumber, PatronId, account_facts, patron_in};
use crate::Library;
use crate::error::{Error, Result};
use crate::policy::{Refusal, account_refusals, password_problems};

/// A login session. The token is shown once: the host keeps it (e.g. in a cookie) and the engine
/// keeps only its hash.
#[derive(Clone, PartialEq, Eq)]
pub struct Session {
    /// The opaque token to present on later calls.
    pub token: String,
    /// Who is logged in.
    pub patron: PatronId,
    /// When the session ends unless used again.
    pub expires_at: DateTime<Utc>,
    /// The account has a temporary password: the only thing it may do is change it (R-A2).
    pub must_change_password: bool,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("token", &"<redacted>")
            .field("patron", &self.patron)
            .field("expires_at", &self.expires_at)
            .field("must_change_password", &self.must_change_password)
            .finish()
    }
}

/// Who a valid session belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Authenticated {
    /// The patron.
    pub patron: PatronId,
    /// Only a password change is allowed (temporary password, R-A2).
    pub must_change_password: bool,
}

impl Library {
    /// Staff issue a temporary password at the counter (仮パスワード, R-A2). The password is
    /// returned once; the account can then only log in to change it, and the services the policy
    /// names refuse it. Existing sessions are revoked and the card's lockout is cleared.
    pub fn issue_temporary_password(&mut self, patron: PatronId) -> Result<String> {
        let rules = &self.policy.passwords.temporary;
        let password = random_password(rules.length, rules.charset)?;
        let hash = hash_password(&password)?;
        let now = self.now();
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            tx.set_password(patron, &hash, true)?;
            tx.clear_login_failures(who.card_number.as_str(), now - Duration::days(1))
        })?;
        Ok(password)
    }

    /// Logs in with card number and password (R-A1).
    ///
    /// An unknown card and a wrong password give the same [`Error::LoginFailed`] after the same
    /// argon2 work. After the policy's number of failures within its window the card is locked
    /// ([`Error::LockedOut`]), known or not. A correct password on a blocked account is refused
    /// with its reasons (R-A6).
    pub fn login(&mut self, card_number: &str, password: &str) -> Result<Session> {
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        let now = self.now();
        let policy = &self.policy;
        let (window, stored) = self.store.read(|tx| {
            let window = check_lockout(tx, policy, &card, now)?;
            let stored = match tx.patron_by_card(&card)? {
                Some(p) => tx.password_of(p.id)?.map(|(hash, temporary)| (p.id, hash, temporary)),
                None => None,
            };
            Ok((window, stored))
        })?;
        let matched = match &stored {
            Some((_, hash, _)) => verify_password(password, hash),
            None => {
                verify_against_dummy(password);
                false
            }
        };
        let Some((patron, hash, temporary)) = stored.filter(|_| matched) else {
            self.store.write(|tx| tx.record_login_failure(card.as_str(), now))?;
            return Err(Error::LoginFailed);
        };
        let rehash = if needs_rehash(&hash) { Some(hash_password(password)?) } else { None };
        let (today, policy) = (self.today(), &self.policy);
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            Refusal::check(account_refusals(policy, &account_facts(tx, &who, today)?, None), ())?;
            tx.clear_login_failures(card.as_str(), now - window)?;
            if let Some(new_hash) = &rehash {
                tx.rehash_password(patron, new_hash)?;
            }
            tx.touch_patron(patron, today)?;
            start_session(tx, policy, patron, temporary, now)
        })
    }

    /// Checks a session token and extends it by the policy's session length.
    pub fn authenticate(&mut self, token: &str) -> Result<Authenticated> {
        let now = self.now();
        let length = Duration::minutes(i64::from(self.policy.accounts.session_minutes));
        let hash = token_hash(token);
        self.store.write(|tx| {
            let session = tx.session(&hash)?.filter(|s| s.expires_at > now).ok_or(Error::NotAuthenticated)?;
            tx.extend_session(&hash, now + length)?;
            Ok(Authenticated { patron: session.patron, must_change_password: session.restricted })
        })
    }

    /// Ends a session; `false` if there was none.
    pub fn logout(&mut self, token: &str) -> Result<bool> {
        let hash = token_hash(token);
        self.store.write(|tx| tx.delete_session(&hash))
    }

    /// Changes the patron's password (R-A4): needs the current one and the new one twice. Every
    /// broken rule is listed. All sessions end; the new session is returned.
    pub fn change_password(&mut self, patron: PatronId, current: &str, new: &str, confirm: &str) -> Result<Session> {
        check_new_password(&self.policy, new, confirm)?;
        let stored = self.store.read(|tx| {
            patron_in(tx, patron)?;
            tx.password_of(patron)
        })?;
        if !stored.is_some_and(|(hash, _)| verify_password(current, &hash)) {
            return Err(Error::InvalidInput {
                field: "current_password",
                reason: "the current password is incorrect".into(),
            });
        }
        let hash = hash_password(new)?;
        let (now, policy) = (self.now(), &self.policy);
        self.store.write(|tx| {
            tx.set_password(patron, &hash, false)?;
            start_session(tx, policy, patron, false, now)
        })
    }
}

/// Checks a new password typed twice against the policy (R-A4).
pub(super) fn check_new_password(policy: &crate::Policy, new: &str, confirm: &str) -> Result<()> {
    if new != confirm {
        return Err(Error::InvalidInput { field: "confirmation", reason: "the two new passwords differ".into() });
    }
    let problems = password_problems(&policy.passwords, new);
    if problems.is_empty() { Ok(()) } else { Err(Error::PasswordRules(problems)) }
}

/// Opens a session for `patron` in the caller's transaction; expired sessions are swept.
pub(super) fn start_session(
    tx: &crate::store::Tx<'_>,
    policy: &crate::Policy,
    patron: PatronId,
    restricted: bool,
    now: DateTime<Utc>,
) -> Result<Session> {
    let token = random_token()?;
    let expires_at = now + Duration::minutes(i64::from(policy.accounts.session_minutes));
    tx.delete_expired_sessions(now)?;
    tx.insert_session(&token_hash(&token), patron, now, expires_at, restricted)?;
    Ok(Session { token, patron, expires_at, must_change_password: restricted })
}

/// Refuses the attempt if the card is locked; else the failures window.
pub(super) fn check_lockout(
    tx: &crate::store::Tx<'_>,
    policy: &crate::Policy,
    card: &CardNumber,
    now: DateTime<Utc>,
) -> Result<Duration> {
    let accounts = &policy.accounts;
    let window = Duration::minutes(i64::from(accounts.lockout_window_minutes));
    let failures = tx.login_failures_since(card.as_str(), now - window)?;
    if failures.len() >= accounts.lockout_attempts as usize {
        let oldest = failures[failures.len() - accounts.lockout_attempts as usize];
        return Err(Error::LockedOut { until: oldest + window });
    }
    Ok(window)
}
