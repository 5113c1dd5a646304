//! The rules matrix: rule parameters given library-wide, then overridden per patron category,
//! material kind, branch and their combinations, resolved most-specific-wins.
//!
//! A parameter's value for a (category, kind, branch) comes from the first of these scopes that
//! sets it — a total order, most specific first (kind outranks category, category outranks
//! branch):
//!
//! | rank | scope | written as |
//! |---|---|---|
//! | 1 | kind + category + branch | `[[rules]]` with all three |
//! | 2 | kind + category | `[[rules]]` |
//! | 3 | kind + branch | `[[rules]]` |
//! | 4 | kind | `[materials.<kind>]`, `[holds.limits] <kind>`, `[loans.checkout_limits] <kind>`, or `[[rules]]` with only `kind` |
//! | 5 | category + branch | `[[rules]]` |
//! | 6 | category | `[[rules]]` |
//! | 7 | branch | `[[rules]]` |
//! | 8 | library | the parameter's own section (`[loans]`, `[loans.renewal]`, `[holds]`, …) |
//!
//! The two limits (`checkout_limit`, `hold_limit`) are counts: given with a `kind` they limit
//! that kind, without one they limit the total, so each is resolved twice — among the scopes
//! with a kind (ranks 1–4) for the kind's limit and among those without (ranks 5–8) for the
//! total.
//!
//! The branch is the one where the decision happens: the lending branch for a checkout and its
//! renewals, the pickup branch for a hold.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::model::Policy;

/// What a renewal's new period counts from (Koha `RenewalPeriodBase`, Evergreen
/// `renew_extends_due_date`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RenewalBase {
    /// The renewal day (all five seed libraries).
    #[default]
    Today,
    /// The current due date, so renewing early loses no days (common in Japan).
    DueDate,
}

impl fmt::Display for RenewalBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Today => "today",
            Self::DueDate => "due_date",
        })
    }
}

/// Declares the scoped parameters once: the `[[rules]]` entry, the resolved [`Rules`] and the
/// name list all come from this table.
macro_rules! rule_params {
    ($( $(#[$doc:meta])* $name:ident : $ty:ty ),* $(,)?) => {
        /// One `[[rules]]` entry: a scope (any of `category`, `kind`, `branch`; at least one)
        /// and the parameters it sets there. Library-wide values are written in their own
        /// sections, not here.
        ///
        /// ```toml
        /// [[rules]]
        /// category = "child"
        /// kind = "book"
        /// loan_days = 21
        /// checkout_limit = 10
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct ScopedRule {
            /// The patron category it applies to (a key of `[categories]`); none: every one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub category: Option<String>,
            /// The material kind it applies to (a key of `[materials]`); none: every one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub kind: Option<String>,
            /// The branch it applies to (a `branches` code); none: every one.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub branch: Option<String>,
            /// A note for the people who read the file (where the rule comes from); at most
            /// 500 characters. It changes nothing.
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub note: Option<String>,
            $( $(#[$doc])* #[serde(default, skip_serializing_if = "Option::is_none")] pub $name: Option<$ty>, )*
        }

        /// Every scoped parameter's name, in declaration order.
        pub const RULE_PARAMS: &[&str] = &[$(stringify!($name)),*];

        /// The rule parameters in force for one (category, kind, branch), resolved from the
        /// matrix. `None` means the parameter is set nowhere (no limit, no delay, ...).
        #[derive(Debug, Clone, PartialEq, Eq, Default)]
        pub struct RuleValues {
            $( $(#[$doc])* pub $name: Option<$ty>, )*
        }

        impl ScopedRule {
            /// The parameters this entry sets, as a `RuleValues`.
            pub fn values(&self) -> RuleValues {
                RuleValues { $( $name: self.$name.clone(), )* }
            }
        }

        impl RuleValues {
            /// Fills each parameter still unset from `other`; returns the names it filled.
            fn fill_from(&mut self, other: &RuleValues, mut filled: impl FnMut(&'static str)) {
                $( if self.$name.is_none() && other.$name.is_some() {
                    self.$name = other.$name.clone();
                    filled(stringify!($name));
                } )*
            }

            /// The parameter named `name`, shown as in a policy file; `None` when unset.
            pub fn shown(&self, name: &str) -> Option<String> {
                match name {
                    $( stringify!($name) => self.$name.as_ref().map(|v| Show::show(v)), )*
                    _ => None,
                }
            }

            /// Clears the parameter named `name`.
            fn clear(&mut self, name: &str) {
                match name {
                    $( stringify!($name) => self.$name = None, )*
                    _ => {}
                }
            }
        }
    };
}

rule_params! {
    /// Copies may be lent.
    loanable: bool,
    /// Titles may be held (R-H2).
    holdable: bool,
    /// Loan period in days, the checkout day being day 0; 1 to 366.
    loan_days: u32,
    /// The latest issue of a serial may be lent (最新号は貸出不可 when false).
    latest_issue_loanable: bool,
    /// Most open loans: of the kind when the scope has one, else in all; 1 to 1000.
    checkout_limit: u32,
    /// Most active holds: of the kind when the scope has one, else in all (R-H3); 1 to 1000.
    hold_limit: u32,
    /// Times one loan may be renewed (R-L2), at most 100.
    renewals: u32,
    /// Length of a renewed period in days (R-L2), 1 to 366.
    renewal_days: u32,
    /// What the renewed period counts from.
    renewal_base: RenewalBase,
    /// Renewals open only this many days before the due date (Koha `norenewalbefore`), at most
    /// 366.
    renewal_opens_days_before_due: u32,
    /// Days a ready hold waits on the hold shelf (R-H9), 1 to 366.
    shelf_days: u32,
    /// The only branches at which holds may be collected (a subset of the pickup locations);
    /// unset: every pickup location. At most 500.
    pickup_branches: Vec<String>,
    /// A title whose first copy was added fewer than this many days ago may not be held
    /// (「新刊予約は市内在住者のみ」, Evergreen `age_hold_protect_rule`), at most 3660.
    new_title_hold_delay_days: u32,
    /// Days without borrowing per day a loan was returned late (延滞日数分の貸出停止); 0 or
    /// unset: none. At most 30.
    suspension_days_per_late_day: u32,
}

/// The parameters that are counts: resolved separately for a kind and for the total.
pub const COUNT_PARAMS: &[&str] = &["checkout_limit", "hold_limit"];

/// A value shown as it is written in a policy file.
trait Show {
    fn show(&self) -> String;
}

impl Show for bool {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for u32 {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for RenewalBase {
    fn show(&self) -> String {
        format!("\"{self}\"")
    }
}

impl Show for Vec<String> {
    fn show(&self) -> String {
        let quoted: Vec<String> = self.iter().map(|s| format!("\"{s}\"")).collect();
        format!("[{}]", quoted.join(", "))
    }
}

/// Who, what and where a decision is about; a rule's scope matches when each field it gives is
/// equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Scope {
    /// The patron's category.
    pub category: Option<String>,
    /// The material kind.
    pub kind: Option<String>,
    /// The branch where the decision happens.
    pub branch: Option<String>,
}

impl Scope {
    /// A scope for a patron `category`, material `kind` and `branch`.
    #[must_use]
    pub fn new(category: &str, kind: &str, branch: &str) -> Self {
        Self { category: Some(category.to_owned()), kind: Some(kind.to_owned()), branch: Some(branch.to_owned()) }
    }

    /// The rank of this scope in the resolution order, 1 (most specific) to 8 (library).
    #[must_use]
    pub fn rank(&self) -> u8 {
        8 - (u8::from(self.kind.is_some()) * 4
            + u8::from(self.category.is_some()) * 2
            + u8::from(self.branch.is_some()))
    }

    /// Whether a rule written for this scope applies to `target`.
    #[must_use]
    pub fn covers(&self, target: &Scope) -> bool {
        let fits = |rule: &Option<String>, at: &Option<String>| rule.is_none() || rule == at;
        fits(&self.category, &target.category) && fits(&self.kind, &target.kind) && fits(&self.branch, &target.branch)
    }

    /// The scopes a rule can have and still cover this one, most specific first (the
    /// resolution order).
    fn generalisations(&self) -> impl Iterator<Item = Scope> + '_ {
        (0u8..8).rev().filter_map(move |bits| {
            let keep = |bit: u8, v: &Option<String>| if bits & bit != 0 { v.clone().map(Some) } else { Some(None) };
            Some(Scope {
                kind: keep(4, &self.kind)?,
                category: keep(2, &self.category)?,
                branch: keep(1, &self.branch)?,
            })
        })
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = [("category", &self.category), ("kind", &self.kind), ("branch", &self.branch)]
            .into_iter()
            .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} = \"{v}\"")))
            .collect();
        if parts.is_empty() { f.write_str("library") } else { f.write_str(&parts.join(", ")) }
    }
}

/// Where a resolved value was written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Source {
    /// The `i`th `[[rules]]` entry (`rules[i]`).
    Rule(usize),
    /// A kind's own section: `materials.<kind>.loan_days`, `holds.limits.<kind>`, ...
    Kind(String),
    /// The library-wide section (`loans.renewal.days`, `holds.shelf_days`, ...).
    Library,
}

impl Source {
    /// The key path of parameter `param` at this source, e.g. `rules[3].loan_days` or
    /// `materials.av.loan_days`.
    #[must_use]
    pub fn key(&self, param: &str) -> String {
        match self {
            Self::Rule(i) => format!("rules[{i}].{param}"),
            Self::Kind(kind) => kind_key(kind, param),
            Self::Library => library_key(param).to_owned(),
        }
    }
}

/// Where a kind's own section writes `param`.
fn kind_key(kind: &str, param: &str) -> String {
    match param {
        "hold_limit" => format!("holds.limits.{kind}"),
        "checkout_limit" => format!("loans.checkout_limits.{kind}"),
        _ => format!("materials.{kind}.{param}"),
    }
}

/// Where the library-wide value of `param` is written.
#[must_use]
pub fn library_key(param: &str) -> &'static str {
    match param {
        "loan_days" => "loans.loan_days",
        "latest_issue_loanable" => "loans.latest_issue_loanable",
        "checkout_limit" => "loans.checkout_limits.total",
        "hold_limit" => "holds.limits.total",
        "renewals" => "loans.renewal.max_renewals",
        "renewal_days" => "loans.renewal.days",
        "renewal_base" => "loans.renewal.base",
        "renewal_opens_days_before_due" => "loans.renewal.opens_days_before_due",
        "shelf_days" => "holds.shelf_days",
        "new_title_hold_delay_days" => "holds.new_title_hold_delay_days",
        "suspension_days_per_late_day" => "loans.suspension_days_per_late_day",
        // loanable, holdable, pickup_branches: no library-wide value (kinds or branches say).
        _ => "",
    }
}

/// The library-wide values, from their sections.
fn library_values(p: &Policy) -> RuleValues {
    let r = &p.loans.renewal;
    RuleValues {
        loan_days: p.loans.loan_days,
        latest_issue_loanable: Some(p.loans.latest_issue_loanable),
        checkout_limit: p.loans.checkout_limits.total,
        hold_limit: p.holds.limits.total,
        renewals: Some(r.max_renewals),
        renewal_days: Some(r.days),
        renewal_base: Some(r.base),
        renewal_opens_days_before_due: r.opens_days_before_due,
        shelf_days: Some(p.holds.shelf_days),
        new_title_hold_delay_days: p.holds.new_title_hold_delay_days,
        suspension_days_per_late_day: p.loans.suspension_days_per_late_day,
        ..RuleValues::default()
    }
}

/// A kind's own values, from `[materials.<kind>]` and the per-kind limits.
pub(super) fn kind_values_of(p: &Policy, kind: &str) -> RuleValues {
    let m = p.materials.get(kind);
    RuleValues {
        loanable: m.map(|m| m.loanable),
        holdable: m.map(|m| m.holdable),
        loan_days: m.and_then(|m| m.loan_days),
        checkout_limit: p.loans.checkout_limits.per_kind.get(kind).copied(),
        hold_limit: p.holds.limits.per_kind.get(kind).copied(),
        ..RuleValues::default()
    }
}

/// One source of values at one scope.
#[derive(Debug, Clone)]
struct Entry {
    values: RuleValues,
    source: Source,
}

/// The policy's rules indexed by scope, so that resolving one decision costs eight lookups
/// however many rules the policy has. Build it once per policy.
#[derive(Debug, Clone)]
pub struct RuleMatrix {
    by_scope: HashMap<Scope, Vec<Entry>>,
}

/// The parameters in force for one scope, each with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    /// The values; for the count parameters, the kind's limit.
    pub values: RuleValues,
    /// The totals of the count parameters (`checkout_limit`, `hold_limit`).
    pub totals: RuleValues,
}

impl Rules {
    /// Copies may be lent (unknown kinds may not).
    #[must_use]
    pub fn loanable(&self) -> bool {
        self.values.loanable == Some(true)
    }

    /// Titles may be held (unknown kinds may not).
    #[must_use]
    pub fn holdable(&self) -> bool {
        self.values.holdable == Some(true)
    }
}

/// One parameter's resolution for `bunko-policy explain`: the value in force, where it was
/// written, and the values it overrides, most specific first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// The parameter name, with `(total)` for a count parameter's total.
    pub param: String,
    /// Every value written for a scope that covers the target, the one in force first: its
    /// source, scope and value as written.
    pub candidates: Vec<(Source, Scope, String)>,
}

impl RuleMatrix {
    /// Indexes `policy`'s rules, its kinds' sections and its library-wide values.
    #[must_use]
    pub fn new(policy: &Policy) -> Self {
        let mut by_scope: HashMap<Scope, Vec<Entry>> = HashMap::new();
        for (i, rule) in policy.rules.iter().enumerate() {
            let scope = Scope { category: rule.category.clone(), kind: rule.kind.clone(), branch: rule.branch.clone() };
            by_scope.entry(scope).or_default().push(Entry { values: rule.values(), source: Source::Rule(i) });
        }
        let kinds = policy.materials.keys().chain(policy.holds.limits.per_kind.keys());
        for kind in kinds.chain(policy.loans.checkout_limits.per_kind.keys()) {
            let scope = Scope { kind: Some(kind.clone()), ..Scope::default() };
            let entries = by_scope.entry(scope).or_default();
            if !entries.iter().any(|e| e.source == Source::Kind(kind.clone())) {
                entries.push(Entry { values: kind_values_of(policy, kind), source: Source::Kind(kind.clone()) });
            }
        }
        by_scope
            .entry(Scope::default())
            .or_default()
            .push(Entry { values: library_values(policy), source: Source::Library });
        Self { by_scope }
    }

    /// The rules in force for `target` (most specific wins, see the module docs).
    #[must_use]
    pub fn resolve(&self, target: &Scope) -> Rules {
        let mut values = RuleValues::default();
        let mut totals = RuleValues::default();
        for scope in target.generalisations() {
            let Some(entries) = self.by_scope.get(&scope) else { continue };
            for e in entries {
                if scope.kind.is_some() {
                    values.fill_from(&e.values, |_| {});
                } else {
                    totals.fill_from(&e.values, |_| {});
                }
            }
        }
        // Below the kind's scopes the count parameters are totals, not the kind's limit.
        let mut rest = totals.clone();
        for count in COUNT_PARAMS {
            rest.clear(count);
        }
        values.fill_from(&rest, |_| {});
        Rules { values, totals: only_counts(totals) }
    }

    /// Every parameter's resolution for `target`, with the values it overrides.
    #[must_use]
    pub fn explain(&self, target: &Scope) -> Vec<Resolution> {
        let mut out = Vec::new();
        for &param in RULE_PARAMS {
            let counts = COUNT_PARAMS.contains(&param);
            let mut kinded = Vec::new();
            let mut kindless = Vec::new();
            for scope in target.generalisations() {
                for e in self.by_scope.get(&scope).into_iter().flatten() {
                    if let Some(v) = e.values.shown(param) {
                        let list = if counts && scope.kind.is_none() { &mut kindless } else { &mut kinded };
                        list.push((e.source.clone(), scope.clone(), v));
                    }
                }
            }
            if counts {
                out.push(Resolution { param: param.to_owned(), candidates: kinded });
                out.push(Resolution { param: format!("{param} (total)"), candidates: kindless });
            } else {
                kinded.extend(kindless);
                out.push(Resolution { param: param.to_owned(), candidates: kinded });
            }
        }
        out
    }
}

fn only_counts(all: RuleValues) -> RuleValues {
    RuleValues { checkout_limit: all.checkout_limit, hold_limit: all.hold_limit, ..RuleValues::default() }
}

impl Policy {
    /// The rules in force for a patron of `category` and material `kind` at `branch`; builds a
    /// [`RuleMatrix`] each call, so a caller deciding often keeps one instead.
    ///
    /// # Examples
    /// ```
    /// let kanagawa = bunko::Policy::preset("kanagawa").unwrap();
    /// let rules = kanagawa.rules_for("general", "book", "main");
    /// assert_eq!(rules.totals.hold_limit, None);
    /// assert_eq!(rules.values.hold_limit, Some(12));
    /// ```
    #[must_use]
    pub fn rules_for(&self, category: &str, kind: &str, branch: &str) -> Rules {
        RuleMatrix::new(self).resolve(&Scope::new(category, kind, branch))
    }
}
