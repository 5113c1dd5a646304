//! Password rules (R-A4): a pure check that lists every rule a password breaks.

use std::fmt;

use super::model::{PasswordCharset, PasswordRules};
use crate::Lang;

/// One password rule broken.
///
/// `Display` and `Debug` (what logs see) never show a character of the password;
/// [`PasswordProblem::message`] (what the patron who typed it sees) names the character.
#[derive(Clone, PartialEq, Eq, Hash)]
pub enum PasswordProblem {
    /// Fewer characters than the policy's minimum.
    TooShort {
        /// The minimum.
        min: u32,
    },
    /// More characters than the policy's maximum.
    TooLong {
        /// The maximum.
        max: u32,
    },
    /// A character the policy does not allow (full-width, kana, a symbol not in the list, ...).
    CharacterNotAllowed {
        /// The first such character.
        found: char,
    },
    /// At least one ASCII letter is required.
    NeedsLetter,
    /// At least one ASCII digit is required.
    NeedsDigit,
    /// At least one of the policy's symbols is required.
    NeedsSymbol {
        /// The allowed symbols.
        symbols: String,
    },
}

impl fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordProblem::TooShort { min } => write!(f, "use at least {min} characters"),
            PasswordProblem::TooLong { max } => write!(f, "use at most {max} characters"),
            PasswordProblem::CharacterNotAllowed { .. } => write!(f, "a character that is not allowed was used"),
            PasswordProblem::NeedsLetter => write!(f, "include a letter"),
            PasswordProblem::NeedsDigit => write!(f, "include a digit"),
            PasswordProblem::NeedsSymbol { symbols } => write!(f, "include one of {symbols}"),
        }
    }
}

impl fmt::Debug for PasswordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PasswordProblem::TooShort { min } => f.debug_struct("TooShort").field("min", min).finish(),
            PasswordProblem::TooLong { max } => f.debug_struct("TooLong").field("max", max).finish(),
            PasswordProblem::CharacterNotAllowed { .. } => {
                f.debug_struct("CharacterNotAllowed").field("found", &"<redacted>").finish()
            }
            PasswordProblem::NeedsLetter => f.write_str("NeedsLetter"),
            PasswordProblem::NeedsDigit => f.write_str("NeedsDigit"),
            PasswordProblem::NeedsSymbol { symbols } => {
                f.debug_struct("NeedsSymbol").field("symbols", symbols).finish()
            }
        }
    }
}

impl PasswordProblem {
    /// The rule in `lang`, for the patron who typed the password: Japanese, or English (as
    /// `Display`, but naming the character that is not allowed).
    ///
    /// # Examples
    /// ```
    /// use bunko::Lang;
    /// use bunko::policy::PasswordProblem;
    /// assert_eq!(PasswordProblem::TooShort { min: 10 }.message(Lang::Ja), "10文字以上にしてください");
    /// ```
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::Ja => self.japanese(),
            Lang::En => match self {
                PasswordProblem::CharacterNotAllowed { found } => format!("`{found}` cannot be used"),
                other => other.to_string(),
            },
        }
    }

    fn japanese(&self) -> String {
        match self {
            PasswordProblem::TooShort { min } => format!("{min}文字以上にしてください"),
            PasswordProblem::TooLong { max } => format!("{max}文字以内にしてください"),
            PasswordProblem::CharacterNotAllowed { found } => format!("「{found}」は使えません"),
            PasswordProblem::NeedsLetter => "英字を1文字以上含めてください".into(),
            PasswordProblem::NeedsDigit => "数字を1文字以上含めてください".into(),
            PasswordProblem::NeedsSymbol { symbols } => format!("記号({symbols})を1文字以上含めてください"),
        }
    }
}

/// Whether `c` may appear in a password drawn from `charset` with `symbols`.
#[must_use]
pub fn password_char_allowed(charset: PasswordCharset, symbols: &str, c: char) -> bool {
    match charset {
        PasswordCharset::Digits => c.is_ascii_digit(),
        PasswordCharset::Alphanumeric => c.is_ascii_alphanumeric(),
        PasswordCharset::AlphanumericSymbols => c.is_ascii_alphanumeric() || symbols.contains(c),
    }
}

/// The longest password any policy accepts, in characters (also the bound on
/// `passwords.max_length`): a policy without a maximum still gets this one, so argon2 never
/// hashes an unbounded input.
pub const MAX_PASSWORD_CHARS: u32 = 128;

/// Every rule of `rules` that `password` breaks; empty when it is acceptable. Length counts
/// characters. Letters are case-sensitive: nothing here folds case.
///
/// # Examples
/// ```
/// use bunko::policy::{PasswordProblem, password_problems};
/// let kanagawa = bunko::Policy::preset("kanagawa").unwrap();
/// let problems = password_problems(&kanagawa.passwords, "abc");
/// assert!(problems.contains(&PasswordProblem::TooShort { min: 10 }));
/// assert!(problems.contains(&PasswordProblem::NeedsDigit));
/// assert!(password_problems(&kanagawa.passwords, "library#2026").is_empty());
/// ```
#[must_use]
pub fn password_problems(rules: &PasswordRules, password: &str) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let n = password.chars().count() as u32;
    if n < rules.min_length {
        problems.push(PasswordProblem::TooShort { min: rules.min_length });
    }
    let max = rules.max_length.map_or(MAX_PASSWORD_CHARS, |m| m.min(MAX_PASSWORD_CHARS));
    if n > max {
        problems.push(PasswordProblem::TooLong { max });
    }
    if let Some(found) = password.chars().find(|&c| !password_char_allowed(rules.charset, &rules.symbols, c)) {
        problems.push(PasswordProblem::CharacterNotAllowed { found });
    }
    if rules.require_letter && !password.chars().any(|c| c.is_ascii_alphabetic()) {
        problems.push(PasswordProblem::NeedsLetter);
    }
    if rules.require_digit && !password.chars().any(|c| c.is_ascii_digit()) {
        problems.push(PasswordProblem::NeedsDigit);
    }
    if rules.require_symbol && !password.chars().any(|c| rules.symbols.contains(c)) {
        problems.push(PasswordProblem::NeedsSymbol { symbols: rules.symbols.clone() });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Exhaustive, so a new problem fails to compile here until it has a sample.
    fn sample(i: usize) -> Option<PasswordProblem> {
        let p = match i {
            0 => PasswordProblem::TooShort { min: 10 },
            1 => PasswordProblem::TooLong { max: 64 },
            2 => PasswordProblem::CharacterNotAllowed { found: 'あ' },
            3 => PasswordProblem::NeedsLetter,
            4 => PasswordProblem::NeedsDigit,
            5 => PasswordProblem::NeedsSymbol { symbols: "#$%".into() },
            _ => return None,
        };
        match &p {
            PasswordProblem::TooShort { .. }
            | PasswordProblem::TooLong { .. }
            | PasswordProblem::CharacterNotAllowed { .. }
            | PasswordProblem::NeedsLetter
            | PasswordProblem::NeedsDigit
            | PasswordProblem::NeedsSymbol { .. } => Some(p),
        }
    }

    #[test]
    fn every_password_problem_has_a_japanese_message() {
        let all: Vec<PasswordProblem> = (0..).map_while(sample).collect();
        assert_eq!(all.len(), 6);
        for p in &all {
            let (ja, en) = (p.message(Lang::Ja), p.message(Lang::En));
            assert!(!ja.is_empty() && !ja.is_ascii() && ja != en, "{p:?}: {ja}");
            // Logs (Display, Debug) never see a character of the password; the patron does.
            let logged = format!("{p} {p:?}");
            assert!(!logged.contains('あ'), "{logged}");
            if matches!(p, PasswordProblem::CharacterNotAllowed { .. }) {
                assert!(ja.contains('あ') && en.contains('あ'), "{ja} / {en}");
            } else {
                assert_eq!(en, p.to_string());
            }
        }
    }
}
