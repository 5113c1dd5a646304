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
pub enum Lang {
    /// Japanese (日本語), the language of the libraries' patrons.
    #[default]
    Ja,
    /// English, the language of `Display` and logs.
    En,
}
