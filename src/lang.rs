//! The languages bunko writes messages in for people: Japanese for patrons, English for staff
//! tools and logs. `Display` implementations stay English (for logs); patron-facing text comes
//! from each type's `message(Lang)`.

/// A language for messages and notices.
///
/// # Examples
/// ```
/// use bunko::Lang;
/// use bunko::policy::Reason;
/// let reason = Reason::RenewalLimitReached { limit: 1 };
/// assert_eq!(reason.message(Lang::Ja), "延長は1回までです");
/// assert_eq!(reason.message(Lang::En), reason.to_string());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
#[non_exhaustive]
pub enum Lang {
    /// Japanese (日本語), the language of the libraries' patrons.
    #[default]
    Ja,
    /// English, the language of `Display` and logs.
    En,
}

impl Lang {
    /// The language's BCP 47 tag: `ja` or `en`.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Ja => "ja",
            Lang::En => "en",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.tag())
    }
}

/// A language tag bunko does not write messages in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("bunko writes messages in Japanese (ja) and English (en), not `{0}`")]
pub struct UnknownLang(pub String);

impl std::str::FromStr for Lang {
    type Err = UnknownLang;

    /// Reads a BCP 47 language tag by its primary subtag, in any case: `ja`, `ja-JP`, `EN`,
    /// `en-GB` — what a `?lang=` parameter or one entry of `Accept-Language` holds.
    ///
    /// ```
    /// use bunko::Lang;
    /// assert_eq!("ja-JP".parse::<Lang>(), Ok(Lang::Ja));
    /// assert_eq!("EN".parse::<Lang>(), Ok(Lang::En));
    /// assert!("fr".parse::<Lang>().is_err());
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let primary = s.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ja") {
            Ok(Lang::Ja)
        } else if primary.eq_ignore_ascii_case("en") {
            Ok(Lang::En)
        } else {
            Err(UnknownLang(s.to_owned()))
        }
    }
}
