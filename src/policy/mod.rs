//! Policy: each library's rules as data, loaded from TOML and validated, plus the pure decision
//! functions over them.
//!
//! This module does no I/O beyond parsing a string it is given, and never reads the clock.

mod channels;
mod decide;
mod holds;
mod model;
mod overrides;
mod passwords;
mod presets;
mod refusal;
pub mod rules;
mod validate;
mod wait;

pub use channels::ChannelCode;
pub use decide::*;
pub use holds::*;
pub use model::*;
pub use overrides::{Override, apply_overrides, unused_overrides};
pub use passwords::{MAX_PASSWORD_CHARS, PasswordProblem, password_char_allowed, password_problems};
pub use presets::{PRESET_NAMES, SEED_PRESETS};
pub use refusal::{Reason, Refusal};
pub use rules::{RenewalBase, RuleMatrix, RuleValues, Rules, Scope, ScopedRule};
pub use wait::{CopyOutlook, copy_free_on, wait_estimate};

use crate::error::{PolicyError, PolicyProblem, why};

/// The one category of a policy that declares none, and the category of a [`crate::patrons::NewPatron::new`].
pub const DEFAULT_CATEGORY: &str = "general";

impl Policy {
    /// Parses and validates a policy from TOML text.
    ///
    /// Unknown keys are errors; every problem found is reported with its key path, and with
    /// its line where the key is written in `text`.
    ///
    /// # Examples
    /// ```
    /// let text = bunko::Policy::preset_toml("chiba").unwrap();
    /// let policy = bunko::Policy::from_toml(text).unwrap();
    /// assert_eq!(policy.holds.limits.total, Some(5));
    /// ```
    ///
    /// # Errors
    ///
    /// [`PolicyError`](crate::PolicyError) with every problem: TOML syntax, unknown keys, invalid values.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy = parse(text)?;
        policy.validate().map_err(|e| with_lines(text, e))?;
        Ok(policy)
    }

    /// Checks the policy's meaning (bounds, cross-references) as [`Policy::from_toml`] does;
    /// a `Policy` built or changed in code is checked the same way when a library opens it.
    ///
    /// # Errors
    ///
    /// [`PolicyError`](crate::PolicyError) with every rule the policy breaks.
    pub fn validate(&self) -> Result<(), PolicyError> {
        let problems = validate::problems(self);
        if problems.is_empty() { Ok(()) } else { Err(PolicyError { problems }) }
    }

    /// Serialises the policy back to TOML; `from_toml` of the result gives the same policy.
    ///
    /// # Errors
    ///
    /// [`PolicyError`](crate::PolicyError) if a value has no TOML form (not expected for a valid policy).
    pub fn to_toml(&self) -> Result<String, PolicyError> {
        toml::to_string(self).map_err(|e| PolicyError::single("", why!("{e}", "ポリシーをTOMLに書き出せません: {e}")))
    }

    /// One of the reference policies by short name (see [`PRESET_NAMES`]).
    ///
    /// # Examples
    /// ```
    /// let kanagawa = bunko::Policy::preset("kanagawa").unwrap();
    /// assert_eq!(kanagawa.holds.limits.per_kind["book"], 12);
    /// ```
    ///
    /// # Errors
    ///
    /// [`PolicyError`](crate::PolicyError) when no preset has this name.
    pub fn preset(name: &str) -> Result<Policy, PolicyError> {
        let text = Self::preset_toml(name)?;
        Self::from_toml(text).map_err(|e| e.in_file(&format!("policies/{name}.toml")))
    }

    /// The TOML text of a reference policy, for a library to copy and adapt.
    ///
    /// # Errors
    ///
    /// [`PolicyError`](crate::PolicyError) when no preset has this name.
    pub fn preset_toml(name: &str) -> Result<&'static str, PolicyError> {
        presets::text(name).ok_or_else(|| {
            PolicyError::single(
                "",
                why!(
                    "no preset named `{name}`; presets are {}",
                    "`{name}` という既定の設定はありません。あるのは {} です",
                    PRESET_NAMES.join(", ")
                ),
            )
        })
    }

    /// The branch (or partner pickup library) with this code.
    #[must_use]
    pub fn branch(&self, code: &str) -> Option<&Branch> {
        self.branches.iter().find(|b| b.code == code)
    }

    /// The opening rules `branch` follows: its own `calendar`, else the library-wide one.
    #[must_use]
    pub fn calendar(&self, branch: &str) -> &CalendarRules {
        self.branch(branch).and_then(|b| b.calendar.as_ref()).unwrap_or(&self.calendar)
    }

    /// Whether `code` is one of the policy's patron categories (`general` when it declares
    /// none): the categories `[[rules]]` may name.
    #[must_use]
    pub fn has_category(&self, code: &str) -> bool {
        self.category_codes().contains(&code)
    }

    /// The policy's patron categories in order: those it declares, or `general` alone when it
    /// declares none.
    #[must_use]
    pub fn category_codes(&self) -> Vec<&str> {
        if self.categories.is_empty() {
            vec![DEFAULT_CATEGORY]
        } else {
            self.categories.keys().map(String::as_str).collect()
        }
    }

    /// Whether a patron may be in category `code`: one the policy declares or, in a policy
    /// that declares none, any code (as before categories were declared; every category then
    /// gets the library-wide rules).
    #[must_use]
    pub fn admits_category(&self, code: &str) -> bool {
        self.categories.is_empty() || self.categories.contains_key(code)
    }

    /// The rules for a material kind.
    #[must_use]
    pub fn material(&self, kind: &str) -> Option<&MaterialRules> {
        self.materials.get(kind)
    }

    /// The line (from 1) where `text`, a policy file, writes the value at a key path such as
    /// `rules[3].loan_days` or `holds.limits.book`; `None` when it does not write it (a
    /// default) or `text` is not TOML.
    ///
    /// # Examples
    /// ```
    /// let text = bunko::Policy::preset_toml("chiba").unwrap();
    /// assert!(bunko::Policy::line_of_key(text, "holds.limits.total").is_some());
    /// assert_eq!(bunko::Policy::line_of_key(text, "loans.loan_days"), None);
    /// ```
    #[must_use]
    pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
        let doc = toml::de::DeTable::parse(text).ok()?;
        start_of(doc.get_ref(), key).map(|start| line_of(text, start))
    }
}

fn parse(text: &str) -> Result<Policy, PolicyError> {
    let de = toml::Deserializer::parse(text).map_err(|e| syntax_error(text, &e))?;
    serde_path_to_error::deserialize(de).map_err(|e| {
        let key = e.path().to_string();
        let inner = e.into_inner();
        let mut problem = PolicyProblem::new(
            if key == "." { String::new() } else { key },
            why!("{}", "設定の書き方の誤り: {}", inner.message()),
        );
        problem.line = inner.span().map(|s| line_of(text, s.start));
        PolicyError { problems: vec![problem] }
    })
}

fn syntax_error(text: &str, e: &toml::de::Error) -> PolicyError {
    let mut problem = PolicyProblem::new("", why!("TOML syntax: {}", "TOMLの書き方の誤り: {}", e.message()));
    problem.line = e.span().map(|s| line_of(text, s.start));
    PolicyError { problems: vec![problem] }
}

/// Gives each problem without a line the line of the value its key path names, when `text`
/// writes that value (a default left unwritten has none).
fn with_lines(text: &str, mut error: PolicyError) -> PolicyError {
    let Ok(doc) = toml::de::DeTable::parse(text) else { return error };
    for problem in error.problems.iter_mut().filter(|p| p.line.is_none()) {
        problem.line = start_of(doc.get_ref(), &problem.key).map(|start| line_of(text, start));
    }
    error
}

/// Where the value at a key path such as `branches[1].pickup_points[0].code` starts.
fn start_of(table: &toml::de::DeTable<'_>, key: &str) -> Option<usize> {
    let mut parts = key.split('.');
    let mut value = step(table, parts.next()?)?;
    for part in parts {
        value = step(value.get_ref().as_table()?, part)?;
    }
    Some(value.span().start)
}

/// One key path segment, `name` or `name[i]...`, looked up in `table`.
fn step<'a, 'i>(table: &'a toml::de::DeTable<'i>, part: &str) -> Option<&'a toml::Spanned<toml::de::DeValue<'i>>> {
    let mut pieces = part.split('[');
    let mut value = table.get(pieces.next()?)?;
    for index in pieces {
        let i: usize = index.strip_suffix(']')?.parse().ok()?;
        value = value.get_ref().as_array()?.get(i)?;
    }
    Some(value)
}

fn line_of(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |before| before.matches('\n').count()) + 1
}
