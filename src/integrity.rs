//! The engine's own consistency check (an fsck): every invariant of ARCHITECTURE.md, checked
//! over the whole database.

use std::collections::BTreeMap;
use std::fmt;

use crate::Library;
use crate::error::Result;
use crate::policy::Rules;

/// One broken invariant.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Violation {
    /// The invariant, as ARCHITECTURE.md states it.
    pub invariant: String,
    /// Which rows break it.
    pub detail: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.invariant, self.detail)
    }
}

impl Library {
    /// Checks every invariant over the whole database; empty when healthy. Read-only, and safe
    /// to run while other handles write (it sees one snapshot).
    ///
    /// # Examples
    /// ```
    /// # use bunko::{FixedClock, Library, Policy};
    /// # let clock = FixedClock::new(chrono::Utc::now());
    /// let lib = Library::open_in_memory(Policy::preset("chiba")?, clock)?;
    /// assert!(lib.check()?.is_empty());
    /// # Ok::<(), bunko::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// - `Busy`, `Storage`: as for every database call, see [`Error`](crate::Error).
    pub fn check(&self) -> Result<Vec<Violation>> {
        let with_counter = self.policy.holds.counter_holds_count;
        let now = self.now();
        let (found, counts, lists, searches, codes) = self.store.read(|tx| {
            Ok((
                tx.violations()?,
                tx.active_hold_counts(with_counter)?,
                tx.booklist_sizes()?,
                tx.saved_search_counts()?,
                tx.outstanding_reset_codes(now)?,
            ))
        })?;
        let mut out: Vec<Violation> =
            found.into_iter().map(|(invariant, detail)| Violation { invariant, detail }).collect();
        out.extend(self.hold_limit_violations(&counts));
        out.extend(self.booklist_violations(&lists));
        let policy = &self.policy;
        // R-N1, and the reset throttle (R-A5).
        out.extend(over_cap(&searches, policy.alerts.max_searches, "saved-search caps hold", "saved searches"));
        out.extend(over_cap(
            &codes,
            policy.passwords.reset.max_outstanding,
            "no patron has more outstanding reset codes than allowed",
            "usable reset codes",
        ));
        Ok(out)
    }

    /// Patrons holding more than the policy allows (R-H3): placing never lets this happen, so
    /// any hit means a bug, a policy lowered under existing holds, or a patron moved to a
    /// category with lower limits. A limit is the largest the patron's category gets at any
    /// pickup location (limits resolved per pickup branch may differ).
    fn hold_limit_violations(&self, counts: &[(i64, String, String, u32)]) -> Vec<Violation> {
        // Per (category, kind): the largest limit at any pickup location, `None` for none.
        let mut memo: BTreeMap<(String, String), (Option<u32>, Option<u32>)> = BTreeMap::new();
        let mut loosest = |category: &str, kind: &str| {
            *memo.entry((category.to_owned(), kind.to_owned())).or_insert_with(|| {
                let pickups = self.policy.branches.iter().filter(|b| b.pickup);
                let rules: Vec<Rules> = pickups.map(|b| self.rules(category, kind, &b.code)).collect();
                let max = |pick: fn(&Rules) -> Option<u32>| {
                    rules.iter().map(pick).collect::<Option<Vec<u32>>>().and_then(|l| l.into_iter().max())
                };
                (max(|r| r.values.hold_limit), max(|r| r.totals.hold_limit))
            })
        };
        let mut totals: BTreeMap<(i64, &str), u32> = BTreeMap::new();
        let mut out = Vec::new();
        for (patron, category, kind, n) in counts {
            *totals.entry((*patron, category.as_str())).or_default() += n;
            if let Some(limit) = loosest(category, kind).0
                && *n > limit
            {
                out.push(limit_violation(*patron, &format!("{n} `{kind}` holds, limit {limit}")));
            }
        }
        for ((patron, category), n) in totals {
            let kind = self.policy.materials.keys().next().map_or("", String::as_str);
            if let Some(limit) = loosest(category, kind).1
                && n > limit
            {
                out.push(limit_violation(patron, &format!("{n} holds, limit {limit}")));
            }
        }
        out
    }

    /// Patrons with more lists, or lists with more entries, than the policy allows (R-B1).
    fn booklist_violations(&self, sizes: &[(i64, u32, u32)]) -> Vec<Violation> {
        let rules = &self.policy.booklists;
        sizes
            .iter()
            .filter(|(_, lists, largest)| *lists > rules.max_lists || *largest > rules.max_entries)
            .map(|(patron, lists, largest)| Violation {
                invariant: "booklist caps hold".into(),
                detail: format!(
                    "patron {patron}: {lists} lists (cap {}), largest {largest} entries (cap {})",
                    rules.max_lists, rules.max_entries
                ),
            })
            .collect()
    }
}

/// One violation per patron whose count of `what` passes `cap`.
fn over_cap(counts: &[(i64, u32)], cap: u32, invariant: &str, what: &str) -> Vec<Violation> {
    counts
        .iter()
        .filter(|(_, n)| *n > cap)
        .map(|(patron, n)| Violation {
            invariant: invariant.into(),
            detail: format!("patron {patron}: {n} {what} (cap {cap})"),
        })
        .collect()
}

fn limit_violation(patron: i64, what: &str) -> Violation {
    Violation {
        invariant: "no patron holds more than the policy's limits".into(),
        detail: format!("patron {patron}: {what}"),
    }
}
