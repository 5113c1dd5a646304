//! Open sets named in the policy: contact channels beside the six built-in methods
//! (`[contact.channels.<code>]`) and patron flags (`[flags.<code>]`), so that a library adding
//! SMS or 「視覚障害者 → 郵送」 changes its policy, not the code.

use std::fmt;
use std::str::FromStr;

use super::model::{ChannelNeeds, ChannelRule, ContactMethod, ContactRules, FlagRule, Policy};

/// Longest flag or channel code, in characters.
pub(super) const CODE_MAX_CHARS: usize = 32;

/// A flag or channel code: 1 to 32 lowercase ASCII letters, digits or `_` (the shape the
/// database checks too).
pub(super) fn is_code(code: &str) -> bool {
    (1..=CODE_MAX_CHARS).contains(&code.len())
        && code.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// The code of a contact channel beside the built-in methods (`sms`, `line`, `app_push`): 1 to
/// 32 lowercase ASCII letters, digits or `_`, and never a built-in method's name, so each
/// method has exactly one spelling. Valid by construction; whether the policy declares it is
/// the policy's to say ([`ContactRules::needs`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ChannelCode(String);

impl ChannelCode {
    /// `code` as a channel code; `None` if it has the wrong shape or names a built-in method.
    #[must_use]
    pub fn new(code: &str) -> Option<ChannelCode> {
        (is_code(code) && ContactMethod::built_in(code).is_none()).then(|| ChannelCode(code.to_owned()))
    }

    /// The code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ChannelCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl ContactMethod {
    /// The six built-in methods, in the order the guides list them.
    pub const BUILT_IN: [ContactMethod; 6] = [Self::None, Self::Mail, Self::Phone, Self::Voice, Self::Post, Self::Fax];

    /// The code it is written and stored as: `none`, `mail`, ... or the channel's code.
    #[must_use]
    pub fn code(&self) -> &str {
        match self {
            Self::None => "none",
            Self::Mail => "mail",
            Self::Phone => "phone",
            Self::Voice => "voice",
            Self::Post => "post",
            Self::Fax => "fax",
            Self::Channel(code) => code.as_str(),
        }
    }

    /// The built-in method written `code`, if any.
    pub(super) fn built_in(code: &str) -> Option<ContactMethod> {
        Self::BUILT_IN.into_iter().find(|m| m.code() == code)
    }
}

impl FromStr for ContactMethod {
    type Err = String;

    /// A built-in method by name, else a channel code; an error names what is wrong with it.
    fn from_str(code: &str) -> Result<Self, String> {
        Self::built_in(code).or_else(|| ChannelCode::new(code).map(Self::Channel)).ok_or_else(|| {
            format!(
                "`{code}` is not a contact method: a built-in one (none, mail, phone, voice, post, fax) or a \
                 channel code of 1 to {CODE_MAX_CHARS} lowercase ASCII letters, digits or `_`"
            )
        })
    }
}

impl TryFrom<String> for ContactMethod {
    type Error = String;

    fn try_from(code: String) -> Result<Self, String> {
        code.parse()
    }
}

impl From<ContactMethod> for String {
    fn from(method: ContactMethod) -> String {
        method.code().to_owned()
    }
}

impl fmt::Display for ContactMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl ContactRules {
    /// What `method` needs to reach the patron: `mail` a confirmed address; `phone`, `voice`
    /// and `fax` a phone; `post` and `none` nothing bunko keeps; a declared channel its
    /// `needs`. `None` for a channel the policy does not declare (dropped since a hold chose
    /// it): nothing is known about it.
    #[must_use]
    pub fn needs(&self, method: &ContactMethod) -> Option<ChannelNeeds> {
        match method {
            ContactMethod::Mail => Some(ChannelNeeds::Email),
            ContactMethod::Phone | ContactMethod::Voice | ContactMethod::Fax => Some(ChannelNeeds::Phone),
            ContactMethod::None | ContactMethod::Post => Some(ChannelNeeds::Nothing),
            ContactMethod::Channel(code) => self.channel(code.as_str()).map(|c| c.needs),
        }
    }

    /// The declared channel `code`.
    #[must_use]
    pub fn channel(&self, code: &str) -> Option<&ChannelRule> {
        self.channels.get(code)
    }

    /// Where a mailed notice that did not arrive goes instead (R-C6): the policy's
    /// `bounce_fallback`, unless it would need an address too.
    #[must_use]
    pub fn fallback(&self) -> Option<&ContactMethod> {
        self.bounce_fallback.as_ref().filter(|m| self.needs(m) != Some(ChannelNeeds::Email))
    }
}

impl Policy {
    /// The declared patron flag `code`.
    #[must_use]
    pub fn flag(&self, code: &str) -> Option<&FlagRule> {
        self.flags.get(code)
    }

    /// The first of `flags` the policy does not declare, if any.
    pub fn undeclared_flag<'a>(&self, flags: impl IntoIterator<Item = &'a String>) -> Option<&'a String> {
        flags.into_iter().find(|f| self.flag(f).is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_has_one_spelling() {
        for m in ContactMethod::BUILT_IN {
            assert_eq!(m.code().parse::<ContactMethod>(), Ok(m.clone()));
            assert_eq!(ChannelCode::new(m.code()), None, "{m}");
        }
        let sms: ContactMethod = "sms".parse().unwrap();
        assert_eq!(sms, ContactMethod::Channel(ChannelCode::new("sms").unwrap()));
        assert_eq!(String::from(sms), "sms");
        for bad in ["", "SMS", "app-push", "ＳＭＳ", &"x".repeat(33)] {
            assert!(bad.parse::<ContactMethod>().is_err(), "{bad:?}");
        }
        assert!("x".repeat(32).parse::<ContactMethod>().is_ok());
    }
}
