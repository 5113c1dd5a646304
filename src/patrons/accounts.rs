//! Passwords, temporary passwords, login sessions and lockout (R-A2, R-A4, R-A6), following
//! OWASP ASVS where the guides are silent.

use chrono::{DateTime, Duration, Utc};

use super::credentials::{
    card_hash, hash_password, needs_rehash, random_password, random_token, token_hash, verify_against_dummy,
    verify_password,
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
    /// The account has a temporary password (R-A2): the host should ask for a new one, and the
    /// services the policy's `passwords.temporary.refused_services` names refuse it meanwhile.
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
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Authenticated {
    /// The patron.
    pub patron: PatronId,
    /// A temporary password (R-A2): ask for a new one; the policy's refused services refuse it.
    pub must_change_password: bool,
}

impl Library {
    /// Staff issue a temporary password at the counter (仮パスワード, R-A2). The password is
    /// returned once; the host asks the patron for a new one at the next login, and the services
    /// the policy names refuse it meanwhile. Existing sessions and codes are revoked and the
    /// card's lockout is cleared.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `Crypto`: hashing or the random source failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn issue_temporary_password(&mut self, patron: PatronId) -> Result<String> {
        let rules = &self.policy.passwords.temporary;
        let password = random_password(rules.length, rules.charset)?;
        let hash = hash_password(&password)?;
        let (now, policy) = (self.now(), &self.policy);
        self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            tx.set_password(patron, &hash, true)?;
            let card = card_hash(tx.login_failures_key(), who.card_number.as_str());
            tx.clear_login_failures(&card, now - lockout_window(policy))
        })?;
        Ok(password)
    }

    /// Logs in with card number and password (R-A1).
    ///
    /// An unknown card and a wrong password give the same [`Error::LoginFailed`] after the same
    /// argon2 work. Each attempt is counted against the card *before* the password is checked,
    /// in the same transaction as the lockout check, so however many attempts run at once, at
    /// most the policy's number are verified per window; then the card is locked
    /// ([`Error::LockedOut`]), known or not. A correct password on a blocked account is refused
    /// with its reasons (R-A6).
    ///
    /// # Errors
    ///
    /// - `InvalidInput`: a malformed card number.
    /// - `LoginFailed`: wrong card number or password (the same for an unknown card).
    /// - `LockedOut`: too many recent failures for this card number.
    /// - `Refused`: the patron may not log in now (e.g. blocked).
    /// - `Crypto`: hashing failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn login(&mut self, card_number: &str, password: &str) -> Result<Session> {
        let card = CardNumber::parse(&self.policy.cards, card_number)?;
        let (now, policy) = (self.now(), &self.policy);
        let (attempt, stored) = self.store.write(|tx| {
            let attempt = reserve_attempt(tx, policy, card.as_str(), now)?;
            let stored = match tx.patron_by_card(&card)? {
                Some(p) => tx.password_of(p.id)?.map(|(hash, temporary)| (p.id, hash, temporary)),
                None => None,
            };
            Ok((attempt, stored))
        })?;
        let matched = match &stored {
            Some((_, hash, _)) => verify_password(password, hash),
            None => {
                verify_against_dummy(password);
                false
            }
        };
        let Some((patron, hash, temporary)) = stored.filter(|_| matched) else {
            return Err(Error::LoginFailed);
        };
        let rehash = if needs_rehash(&hash) { Some(hash_password(password)?) } else { None };
        let (today, policy) = (self.today(), &self.policy);
        commit_verified(&mut self.store, |tx| {
            // The password may have been reset while argon2 ran: the session is granted only
            // for the hash that was verified, and a rehash replaces only that hash.
            unchanged_since_verified(tx, patron, &hash).map_err(|_| Error::LoginFailed)?;
            attempt.succeeded(tx)?;
            if let Some(new_hash) = &rehash {
                tx.rehash_password(patron, &hash, new_hash)?;
            }
            // The guard reads the card's standing before this login counts as using it: a card
            // unused past the policy's years stays blocked (R-A6).
            let session = start_session(tx, policy, patron, temporary, now, today)?;
            tx.touch_patron(patron, today)?;
            Ok(session)
        })
    }

    /// Checks a session token and extends it by the policy's session length, never past its
    /// absolute lifetime. A session of a patron who may no longer log in (blocked, expired
    /// card, R-A6) is refused with the reasons.
    ///
    /// # Errors
    ///
    /// - `NotAuthenticated`: the token is unknown, logged out or expired.
    /// - `Refused`: the patron may no longer use the services (e.g. blocked).
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn authenticate(&mut self, token: &str) -> Result<Authenticated> {
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        let hash = token_hash(token);
        self.store.write(|tx| {
            let session = tx.session(&hash)?.filter(|s| s.expires_at > now).ok_or(Error::NotAuthenticated)?;
            let who = patron_in(tx, session.patron)?;
            Refusal::check(account_refusals(policy, &account_facts(tx, &who, today)?, None), ())?;
            let (idle, lifetime) = session_lengths(policy);
            tx.extend_session(&hash, crate::library::storable((now + idle).min(session.created_at + lifetime)))?;
            Ok(Authenticated { patron: session.patron, must_change_password: session.restricted })
        })
    }

    /// Ends a session; `false` if there was none.
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn logout(&mut self, token: &str) -> Result<bool> {
        let hash = token_hash(token);
        self.store.write(|tx| tx.delete_session(&hash))
    }

    /// Changes the patron's password (R-A4): needs the current one and the new one twice. Every
    /// broken rule is listed. A wrong current password counts toward the card's lockout like a
    /// failed login. All sessions and codes end; the new session is returned.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `LoginFailed`, `LockedOut`: `current` is wrong, or too many failures.
    /// - `PasswordRules`: `new` breaks the policy; `InvalidInput`: `confirm` differs.
    /// - `Crypto`: hashing failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn change_password(&mut self, patron: PatronId, current: &str, new: &str, confirm: &str) -> Result<Session> {
        check_new_password(&self.policy, new, confirm)?;
        let (attempt, verified) = self.check_current_password(patron, current)?;
        let hash = hash_password(new)?;
        let (now, today, policy) = (self.now(), self.today(), &self.policy);
        self.store.write(|tx| {
            unchanged_since_verified(tx, patron, &verified)?;
            attempt.succeeded(tx)?;
            tx.set_password(patron, &hash, false)?;
            start_session(tx, policy, patron, false, now, today)
        })
    }

    /// Deletes the patron's password (fukushima 「パスワード変更・削除」, R-A3), where the policy's
    /// `patron_may_delete` allows it: needs the current password, counted toward the lockout like
    /// a login. Every session and code ends in the same transaction; afterwards a login fails
    /// with [`Error::LoginFailed`] exactly as for an account that never had a password, until a
    /// new one is self-issued or issued at the counter.
    ///
    /// # Errors
    ///
    /// - `NotFound`: no such patron.
    /// - `LoginFailed`, `LockedOut`: `current` is wrong, or too many failures.
    /// - `InvalidInput`: the library does not let patrons delete their password.
    /// - `Crypto`: hashing failed.
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn delete_password(&mut self, patron: PatronId, current: &str) -> Result<()> {
        if !self.policy.passwords.patron_may_delete {
            return Err(Error::InvalidInput {
                field: "password",
                reason: "this library does not let patrons delete their password".into(),
            });
        }
        let (attempt, verified) = self.check_current_password(patron, current)?;
        self.store.write(|tx| {
            unchanged_since_verified(tx, patron, &verified)?;
            attempt.succeeded(tx)?;
            tx.delete_password(patron)
        })
    }

    /// Checks the patron's current password: the attempt is reserved against the card in one
    /// write transaction before argon2 runs (see `login`), and returned, with the hash that was
    /// verified, for the caller to clear once its change commits — after checking with
    /// `unchanged_since_verified` that no other path set a password meanwhile. A wrong
    /// password stays recorded as a failure.
    fn check_current_password(&mut self, patron: PatronId, current: &str) -> Result<(Attempt, String)> {
        let (now, policy) = (self.now(), &self.policy);
        let (attempt, stored) = self.store.write(|tx| {
            let who = patron_in(tx, patron)?;
            let attempt = reserve_attempt(tx, policy, who.card_number.as_str(), now)?;
            Ok((attempt, tx.password_of(patron)?))
        })?;
        let Some((verified, _)) = stored.filter(|(hash, _)| verify_password(current, hash)) else {
            return Err(Error::InvalidInput {
                field: "current_password",
                reason: "the current password is incorrect".into(),
            });
        };
        Ok((attempt, verified))
    }
}

/// Refuses with a conflict unless the patron's stored hash is still `verified`: a password set
/// by another path while argon2 ran must not be undone, nor its session revocation.
fn unchanged_since_verified(tx: &crate::store::Tx<'_>, patron: PatronId, verified: &str) -> Result<()> {
    match tx.password_of(patron)? {
        Some((hash, _)) if hash == verified => Ok(()),
        _ => Err(Error::Conflict {
            entity: crate::Entity::Patron,
            key: patron.get().to_string(),
            reason: "the password changed meanwhile; try again".into(),
        }),
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

/// The idle timeout and the absolute lifetime of a session.
fn session_lengths(policy: &crate::Policy) -> (Duration, Duration) {
    let a = &policy.accounts;
    (Duration::minutes(i64::from(a.session_minutes)), Duration::hours(i64::from(a.session_max_hours)))
}

/// The one way a session starts, in the caller's transaction: refused for a patron who may not
/// log in (R-A6); expired sessions are swept.
pub(super) fn start_session(
    tx: &crate::store::Tx<'_>,
    policy: &crate::Policy,
    patron: PatronId,
    restricted: bool,
    now: DateTime<Utc>,
    today: chrono::NaiveDate,
) -> Result<Session> {
    let who = patron_in(tx, patron)?;
    Refusal::check(account_refusals(policy, &account_facts(tx, &who, today)?, None), ())?;
    let (idle, lifetime) = session_lengths(policy);
    let token = random_token()?;
    let expires_at = crate::library::storable((now + idle).min(now + lifetime));
    tx.delete_expired_sessions(now, now - lifetime)?;
    tx.insert_session(&token_hash(&token), patron, now, expires_at, restricted)?;
    Ok(Session { token, patron, expires_at, must_change_password: restricted })
}

/// An attempt counted against a card before its secret is checked.
pub(super) struct Attempt {
    card_hash: String,
    since: DateTime<Utc>,
}

impl Attempt {
    /// The secret was right: the card's failures (this attempt included) are forgotten.
    pub(super) fn succeeded(&self, tx: &crate::store::Tx<'_>) -> Result<()> {
        tx.clear_login_failures(&self.card_hash, self.since)
    }
}

/// Times the success of a verified password is committed before `Busy` is given up to.
const VERIFIED_COMMIT_TRIES: usize = 3;

/// Commits what follows a password found right. The attempt is already recorded as a failure,
/// so giving up at the first `Busy` would count a right password against the lockout (a host
/// retrying would lock the card under load); the commit is tried again, each try waiting the
/// busy timeout, before the `Busy` is returned.
fn commit_verified<T>(store: &mut crate::store::Store, f: impl Fn(&crate::store::Tx<'_>) -> Result<T>) -> Result<T> {
    for _ in 1..VERIFIED_COMMIT_TRIES {
        match store.write(&f) {
            Err(e) if e.is_busy() => continue,
            other => return other,
        }
    }
    store.write(&f)
}

/// In the caller's write transaction: refuses the attempt if the card is locked, else records
/// it as a failure until it succeeds. Because the check and the record are one `BEGIN
/// IMMEDIATE` transaction, concurrent attempts cannot all pass the check.
pub(super) fn reserve_attempt(
    tx: &crate::store::Tx<'_>,
    policy: &crate::Policy,
    card: &str,
    now: DateTime<Utc>,
) -> Result<Attempt> {
    let accounts = &policy.accounts;
    let window = lockout_window(policy);
    let card_hash = card_hash(tx.login_failures_key(), card);
    let failures = tx.login_failures_since(&card_hash, now - window)?;
    let allowed = usize::try_from(accounts.lockout_attempts).unwrap_or(usize::MAX);
    if let Some(oldest) = failures.len().checked_sub(allowed).and_then(|i| failures.get(i)) {
        return Err(Error::LockedOut { until: *oldest + window });
    }
    tx.record_login_failure(&card_hash, now)?;
    Ok(Attempt { card_hash, since: now - window })
}

/// How far back failed attempts count.
pub(crate) fn lockout_window(policy: &crate::Policy) -> Duration {
    Duration::minutes(i64::from(policy.accounts.lockout_window_minutes))
}
