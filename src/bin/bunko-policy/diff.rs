//! `diff A B`: what two policies decide differently. The rules matrix is compared per
//! (category, kind, branch) combination of either policy, as `RuleMatrix::resolve` gives it
//! (a name only one policy has gets there what any unnamed one would), each difference once
//! for the scopes it covers; every other setting is compared key path by key path.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt::Write as _;

use bunko::Policy;
use bunko::policy::rules::{COUNT_PARAMS, RULE_PARAMS, Source};
use bunko::policy::{RuleMatrix, Rules, Scope};

use crate::{Failure, load, usage};

/// `diff A B`: exit 0 when they mean the same, 1 when they differ.
pub(crate) fn diff(args: &[String]) -> Result<(), Failure> {
    let [a, b] = args else { return Err(usage()) };
    let (pa, pb) = (valid(a)?, valid(b)?);
    let mut out = String::new();
    let names = [names(&pa), names(&pb)];
    for (i, plural) in ["categories", "material kinds", "branches"].into_iter().enumerate() {
        out.push_str(&added_removed(plural, &names[0][i], &names[1][i]));
    }
    out.push_str(&rules_diff(&pa, &pb, &names));
    out.push_str(&settings_diff(&pa, &pb, &removed(&names))?);
    if out.is_empty() {
        println!("{a} and {b}: no differences");
        return Ok(());
    }
    print!("--- {a}\n+++ {b}\n{out}");
    Err(Failure::Different)
}

/// A policy that passes `check`; an invalid one (its problems printed) is a usage error here.
fn valid(file: &str) -> Result<Policy, Failure> {
    load(file).map(|loaded| loaded.policy).map_err(|failure| match failure {
        Failure::Usage(message) => Failure::Usage(message),
        _ => Failure::Usage(format!("{file} is not a valid policy; `bunko-policy check {file}` lists its problems")),
    })
}

/// The policy's categories (`general` when it declares none), material kinds and branches.
fn names(p: &Policy) -> [BTreeSet<String>; 3] {
    let categories = p.category_codes().into_iter().map(str::to_owned).collect();
    [categories, p.materials.keys().cloned().collect(), p.branches.iter().map(|b| b.code.clone()).collect()]
}

fn added_removed(plural: &str, a: &BTreeSet<String>, b: &BTreeSet<String>) -> String {
    let list = |names: Vec<&String>| names.into_iter().map(String::as_str).collect::<Vec<_>>().join(", ");
    let mut out = String::new();
    for (what, names) in [("added", b.difference(a).collect::<Vec<_>>()), ("removed", a.difference(b).collect())] {
        if !names.is_empty() {
            let _ = writeln!(out, "{plural} {what}: {}", list(names));
        }
    }
    out
}

/// One parameter as `RuleMatrix::resolve` gives it: a value, or a count's total.
#[derive(Clone, Copy)]
struct Param {
    name: &'static str,
    total: bool,
}

impl Param {
    /// Every parameter, the counts twice (the kind's limit, then the total).
    fn all() -> impl Iterator<Item = Param> {
        RULE_PARAMS.iter().flat_map(|&name| {
            let total = COUNT_PARAMS.contains(&name).then_some(Param { name, total: true });
            std::iter::once(Param { name, total: false }).chain(total)
        })
    }

    fn shown(self, rules: &Rules) -> Option<String> {
        if self.total { rules.totals.shown(self.name) } else { rules.values.shown(self.name) }
    }

    fn label(self) -> String {
        if self.total { format!("{} (total)", self.name) } else { self.name.to_owned() }
    }
}

/// A parameter's value in the first policy and in the second.
type Change = (Option<String>, Option<String>);

/// Every parameter that resolves differently for some combination of the categories, kinds and
/// branches of either policy: one line per change of value, with the scopes whose combinations
/// it covers.
fn rules_diff(a: &Policy, b: &Policy, names: &[[BTreeSet<String>; 3]; 2]) -> String {
    let union = |i: usize| names[0][i].union(&names[1][i]).cloned().collect::<Vec<_>>();
    let (categories, kinds, branches) = (union(0), union(1), union(2));
    let mut combos = Vec::new();
    for category in &categories {
        for kind in &kinds {
            combos.extend(branches.iter().map(|branch| Scope::new(category, kind, branch)));
        }
    }
    let (ma, mb) = (RuleMatrix::new(a), RuleMatrix::new(b));
    let resolved: Vec<(Rules, Rules)> = combos.iter().map(|s| (ma.resolve(s), mb.resolve(s))).collect();
    let mut out = String::new();
    for param in Param::all() {
        // Each change of value, with the combinations it happens in.
        let mut changes: Vec<(Change, Vec<bool>)> = Vec::new();
        for (i, (ra, rb)) in resolved.iter().enumerate() {
            let change = (param.shown(ra), param.shown(rb));
            if change.0 == change.1 {
                continue;
            }
            let at = match changes.iter().position(|(c, _)| *c == change) {
                Some(at) => at,
                None => {
                    changes.push((change, vec![false; combos.len()]));
                    changes.len() - 1
                }
            };
            changes[at].1[i] = true;
        }
        for ((from, to), hit) in changes {
            let shown = |v: Option<String>| v.unwrap_or_else(|| "not set".to_owned());
            let _ = write!(out, "  {}: {} → {}", param.label(), shown(from), shown(to));
            match cover(&combos, &hit)[..] {
                [ref only] if *only == Scope::default() => out.push_str(" (all combinations)\n"),
                [ref only] => {
                    let _ = writeln!(out, " where {only}");
                }
                ref scopes => {
                    out.push_str(" where\n");
                    for scope in scopes {
                        let _ = writeln!(out, "      {scope}");
                    }
                }
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    let count =
        |v: &Vec<String>, one: &str, many: &str| format!("{} {}", v.len(), if v.len() == 1 { one } else { many });
    format!(
        "\nrules, over {} combinations ({} × {} × {}):\n{out}",
        combos.len(),
        count(&categories, "category", "categories"),
        count(&kinds, "kind", "kinds"),
        count(&branches, "branch", "branches"),
    )
}

/// Scopes whose combinations together are exactly those `hit` marks: the most general scope
/// that covers no combination outside `hit` first, then more specific ones for what is left.
fn cover(combos: &[Scope], hit: &[bool]) -> Vec<Scope> {
    let mut candidates: Vec<Scope> =
        combos.iter().zip(hit).filter(|(_, h)| **h).flat_map(|(combo, _)| generalisations(combo)).collect();
    let fixed = |s: &Scope| [&s.category, &s.kind, &s.branch].iter().filter(|v| v.is_some()).count();
    candidates
        .sort_by_key(|s| (fixed(s), std::cmp::Reverse(s.rank()), s.category.clone(), s.kind.clone(), s.branch.clone()));
    candidates.dedup();
    let mut left = hit.to_vec();
    let mut chosen = Vec::new();
    for scope in candidates {
        let covered: Vec<usize> = (0..combos.len()).filter(|&i| scope.covers(&combos[i])).collect();
        if covered.iter().all(|&i| hit[i]) && covered.iter().any(|&i| left[i]) {
            covered.iter().for_each(|&i| left[i] = false);
            chosen.push(scope);
        }
    }
    chosen
}

/// The eight scopes that cover `combo`: each of its fields kept or left out.
fn generalisations(combo: &Scope) -> impl Iterator<Item = Scope> + '_ {
    (0u8..8).map(move |bits| {
        let keep = |bit: u8, v: &Option<String>| if bits & bit != 0 { v.clone() } else { None };
        Scope { category: keep(1, &combo.category), kind: keep(2, &combo.kind), branch: keep(4, &combo.branch) }
    })
}

/// One segment of a key path: a table key, an array index, or the `code` of a table in an
/// array of them (branches, pickup points), so that reordering them changes nothing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Segment {
    Key(String),
    Index(usize),
    Code(String),
}

/// Every setting outside the rules matrix that differs, key path by key path, as the engine
/// reads it (`Policy::to_toml`, so an unwritten default equals the same value written). What
/// lies under a removed category, kind or branch is left out: it is listed as removed.
fn settings_diff(a: &Policy, b: &Policy, removed: &[Vec<Segment>]) -> Result<String, Failure> {
    let (fa, fb) = (settings(a)?, settings(b)?);
    let matrix = matrix_keys(a, b);
    let mut out = String::new();
    for path in fa.keys().chain(fb.keys()).collect::<BTreeSet<_>>() {
        let key = key_path(path);
        let (va, vb) = (fa.get(path), fb.get(path));
        if va == vb
            || matrix.contains(&key)
            || path.first() == Some(&Segment::Key("rules".to_owned()))
            || removed.iter().any(|gone| path.starts_with(gone))
        {
            continue;
        }
        let shown = |v: Option<&String>| v.map_or("not set", String::as_str).to_owned();
        let _ = writeln!(out, "  {key}: {} → {}", shown(va), shown(vb));
    }
    Ok(if out.is_empty() { out } else { format!("\nother settings:\n{out}") })
}

/// The key paths of the categories, kinds and branches only the first policy has.
fn removed(names: &[[BTreeSet<String>; 3]; 2]) -> Vec<Vec<Segment>> {
    let sections = [("categories", false), ("materials", false), ("branches", true)];
    let mut paths = Vec::new();
    for (i, (section, by_code)) in sections.into_iter().enumerate() {
        for name in names[0][i].difference(&names[1][i]) {
            let element = if by_code { Segment::Code(name.clone()) } else { Segment::Key(name.clone()) };
            paths.push(vec![Segment::Key(section.to_owned()), element]);
        }
    }
    paths
}

/// The key paths of every value the rules matrix reads (compared per combination instead).
fn matrix_keys(a: &Policy, b: &Policy) -> HashSet<String> {
    let kinds: BTreeSet<&String> = a.materials.keys().chain(b.materials.keys()).collect();
    let sources: Vec<Source> =
        std::iter::once(Source::Library).chain(kinds.into_iter().map(|k| Source::Kind(k.clone()))).collect();
    sources.iter().flat_map(|s| RULE_PARAMS.iter().map(move |p| s.key(p))).collect()
}

/// The policy's every leaf value by key path, shown as TOML.
fn settings(p: &Policy) -> Result<BTreeMap<Vec<Segment>, String>, Failure> {
    let text = p.to_toml().map_err(|e| Failure::Usage(format!("cannot serialise a policy: {e}")))?;
    let table: toml::Table = text.parse().map_err(|e| Failure::Usage(format!("cannot read back a policy: {e}")))?;
    let mut leaves = BTreeMap::new();
    flatten(&toml::Value::Table(table), &mut Vec::new(), &mut leaves);
    Ok(leaves)
}

fn flatten(value: &toml::Value, path: &mut Vec<Segment>, leaves: &mut BTreeMap<Vec<Segment>, String>) {
    let children: Vec<(Segment, &toml::Value)> = match value {
        // Under `[code = "..."]` the code itself says nothing more.
        toml::Value::Table(table) => table
            .iter()
            .filter(|(k, _)| !(*k == "code" && matches!(path.last(), Some(Segment::Code(_)))))
            .map(|(k, v)| (Segment::Key(k.clone()), v))
            .collect(),
        toml::Value::Array(items) if !items.is_empty() && items.iter().all(toml::Value::is_table) => {
            let code = |v: &toml::Value| v.get("code").and_then(toml::Value::as_str).map(str::to_owned);
            let codes: Option<BTreeSet<String>> = items.iter().map(code).collect();
            match codes {
                Some(codes) if codes.len() == items.len() => {
                    items.iter().filter_map(|v| Some((Segment::Code(code(v)?), v))).collect()
                }
                _ => items.iter().enumerate().map(|(i, v)| (Segment::Index(i), v)).collect(),
            }
        }
        leaf => {
            leaves.insert(path.clone(), leaf.to_string());
            return;
        }
    };
    for (segment, child) in children {
        path.push(segment);
        flatten(child, path, leaves);
        path.pop();
    }
}

/// `contact.methods[1].method` or `branches[code = "chuo"].name` from its segments.
fn key_path(path: &[Segment]) -> String {
    let mut key = String::new();
    for segment in path {
        match segment {
            Segment::Key(k) if key.is_empty() => key.push_str(k),
            Segment::Key(k) => {
                let _ = write!(key, ".{k}");
            }
            Segment::Index(i) => {
                let _ = write!(key, "[{i}]");
            }
            Segment::Code(code) => {
                let _ = write!(key, "[code = \"{code}\"]");
            }
        }
    }
    key
}
