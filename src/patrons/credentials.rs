//! Secrets: argon2id password hashes (PHC strings that carry their parameters), opaque session
//! tokens stored only as BLAKE2b hashes, and random temporary passwords.

use std::fmt::Write as _;
use std::sync::OnceLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, PasswordHash, Version};
use blake2::{Blake2b256, Digest};

use crate::error::{Error, Result};
use crate::policy::{PasswordCharset, password_char_allowed};

/// argon2id with OWASP's minimum recommendation: 19 MiB, 2 passes, 1 lane. Stored hashes carry
/// their parameters, so raising these later rehashes each password at its next login.
const MEMORY_KIB: u32 = 19 * 1024;
const PASSES: u32 = 2;
const LANES: u32 = 1;

fn hasher() -> Result<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).map_err(crypto)?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

fn crypto(e: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Crypto(crate::error::CryptoError::new(e))
}

/// An argon2id PHC string for `password`, with a fresh random salt.
pub(crate) fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(crypto)?;
    Ok(hasher()?.hash_password_with_salt(password.as_bytes(), &salt).map_err(crypto)?.to_string())
}

/// Whether `password` matches `phc`. A malformed stored hash never matches.
pub(crate) fn verify_password(password: &str, phc: &str) -> bool {
    hasher().is_ok_and(|h| h.verify_password(password.as_bytes(), phc).is_ok())
}

/// Verifies against a fixed hash, so a login for an unknown card costs the same as a real one.
pub(crate) fn verify_against_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash_password("not a real password").ok()) {
        let _ = verify_password(password, phc);
    }
}

/// Whether `phc` was made with other parameters than today's (then rehash after a login).
pub(crate) fn needs_rehash(phc: &str) -> bool {
    let Ok(current) = hasher() else { return false };
    match PasswordHash::new(phc) {
        Ok(h) => {
            // The costs only: the parameters read back from a hash also carry its output
            // length, which the hasher's own never set, so a whole-struct comparison always
            // differed and every login rehashed.
            let c = current.params();
            let same_costs = Params::try_from(&h)
                .is_ok_and(|p| (p.m_cost(), p.t_cost(), p.p_cost()) == (c.m_cost(), c.t_cost(), c.p_cost()));
            h.algorithm != Algorithm::Argon2id.ident() || !same_costs
        }
        Err(_) => true,
    }
}

/// A fresh opaque token: 32 random bytes, hex-encoded. Returned to the host once.
pub(crate) fn random_token() -> Result<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(crypto)?;
    Ok(hex(&bytes))
}

/// What the store keeps of a token: its BLAKE2b-256 hash, hex-encoded.
pub(crate) fn token_hash(token: &str) -> String {
    hex(&Blake2b256::digest(token.as_bytes()))
}

/// What the failed-login log keeps of a typed card number: a BLAKE2b MAC under the database's
/// own key, so the log never holds what was typed (a password typed into the card field).
pub(crate) fn card_hash(key: &[u8; 32], card: &str) -> String {
    use blake2::digest::{KeyInit, Mac};
    type Blake2bMac256 = blake2::Blake2bMac<blake2::digest::consts::U32>;
    match <Blake2bMac256 as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(card.as_bytes());
            hex(&mac.finalize().into_bytes())
        }
        // A 32-byte key is always accepted; fall back to a keyed prefix hash all the same.
        Err(_) => hex(&Blake2b256::new().chain_update(key).chain_update(card.as_bytes()).finalize()),
    }
}

/// A random password of `length` characters from `charset` (temporary passwords, R-A2).
pub(crate) fn random_password(length: u32, charset: PasswordCharset) -> Result<String> {
    let alphabet: Vec<char> =
        (b'0'..=b'z').map(char::from).filter(|&c| password_char_allowed(charset, "", c)).collect();
    let mut out = String::with_capacity(length as usize);
    let mut byte = [0u8; 1];
    while out.chars().count() < length as usize {
        getrandom::fill(&mut byte).map_err(crypto)?;
        // Rejection sampling keeps every character equally likely.
        let limit = 256 - 256 % alphabet.len();
        if usize::from(byte[0]) < limit {
            out.push(alphabet[usize::from(byte[0]) % alphabet.len()]);
        }
    }
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hash made with today's parameters is kept at login; only an older one is redone.
    #[test]
    fn a_current_hash_needs_no_rehash() {
        let phc = hash_password("Secret123").unwrap();
        assert!(!needs_rehash(&phc), "{phc}");
        let weaker = phc.replacen("m=", "m=1", 1);
        assert!(needs_rehash(&weaker), "{weaker}");
    }
}
