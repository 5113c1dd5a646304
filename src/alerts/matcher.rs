//! Reverse search: the saved *queries* are indexed, and each new record is scanned once.
//!
//! Every distinct normalised term of every query goes into one Aho–Corasick automaton. A record's
//! fields are normalised and scanned once each. Each query is *anchored* on its most selective
//! term (the one the fewest queries share): only when that term is found is the query checked,
//! and then every one of its conditions must be met in a field it may match. Changing the
//! queries rebuilds the index, which is cheap next to matching (see `benches/alerts.rs`).

use std::collections::HashMap;

use aho_corasick::{AhoCorasick, MatchKind};

use super::normalize;

/// Which part of a record a term must appear in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Field {
    /// The title.
    Title,
    /// The author.
    Author,
    /// The publisher.
    Publisher,
    /// A subject heading.
    Subject,
    /// Any of the above (a free keyword).
    Keyword,
}

const RECORD_FIELDS: [Field; 4] = [Field::Title, Field::Author, Field::Publisher, Field::Subject];

/// The bit of a record field in a found-pattern bit set (the index in `RECORD_FIELDS`).
fn field_bit(f: Field) -> usize {
    match f {
        Field::Title => 0,
        Field::Author => 1,
        Field::Publisher => 2,
        Field::Subject | Field::Keyword => 3,
    }
}

/// A search condition: every term must match (AND), each in its field; optional filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Query {
    /// `(field, term)` pairs, as typed.
    pub terms: Vec<(Field, String)>,
    /// Only records of this category prefix (NDC class, e.g. `9` or `913`).
    pub category: Option<String>,
}

/// A record as the matcher sees it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Record {
    /// Title.
    pub title: String,
    /// Author.
    pub author: String,
    /// Publisher.
    pub publisher: String,
    /// Subject headings, joined.
    pub subjects: String,
    /// Category (NDC).
    pub category: String,
}

impl Record {
    fn field(&self, f: Field) -> &str {
        match f {
            Field::Title => &self.title,
            Field::Author => &self.author,
            Field::Publisher => &self.publisher,
            Field::Subject | Field::Keyword => &self.subjects,
        }
    }
}

/// One query as indexed: the caller's key, its distinct `(field, pattern)` conditions, and its
/// normalised category prefix.
#[derive(Debug, Clone)]
struct Indexed<K> {
    key: K,
    conditions: Vec<(Field, usize)>,
    category: Option<String>,
}

/// The index of a set of queries, keyed by the caller's ids.
#[derive(Debug, Clone)]
pub struct Matcher<K> {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern: the queries anchored on it.
    anchored: Vec<Vec<usize>>,
    /// The indexed queries, in the order given.
    queries: Vec<Indexed<K>>,
}

impl<K: Clone> Matcher<K> {
    /// Indexes `queries`. Terms that normalise to nothing are dropped; a query left with no
    /// terms never matches.
    pub fn new(queries: impl IntoIterator<Item = (K, Query)>) -> Self {
        let mut terms: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut users: Vec<usize> = Vec::new();
        let mut indexed = Vec::new();
        for (key, q) in queries {
            let mut conditions: Vec<(Field, usize)> = Vec::new();
            for (field, term) in &q.terms {
                let t = normalize(term);
                if t.is_empty() {
                    continue;
                }
                let id = *terms.entry(t.clone()).or_insert_with(|| {
                    patterns.push(t);
                    users.push(0);
                    patterns.len() - 1
                });
                if !conditions.contains(&(*field, id)) {
                    conditions.push((*field, id));
                    users[id] += 1;
                }
            }
            let category = q.category.as_deref().map(normalize).filter(|c| !c.is_empty());
            indexed.push(Indexed { key, conditions, category });
        }
        let mut anchored = vec![Vec::new(); patterns.len()];
        for (qi, q) in indexed.iter().enumerate() {
            if let Some(&(_, anchor)) = q.conditions.iter().min_by_key(|(_, p)| users[*p]) {
                anchored[anchor].push(qi);
            }
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok()
        };
        Matcher { automaton, anchored, queries: indexed }
    }

    /// Number of indexed queries.
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    /// Whether no query is indexed.
    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// The keys of every query `record` matches, in index order.
    pub fn matches(&self, record: &Record) -> Vec<K> {
        self.match_one(record)
    }

    /// [`Matcher::matches`] for many records.
    ///
    /// # Resource usage
    /// Per record: its normalised fields and the list of terms found in them; no allocation
    /// proportional to the number of queries.
    pub fn matches_all(&self, records: &[Record]) -> Vec<Vec<K>> {
        records.iter().map(|r| self.match_one(r)).collect()
    }

    fn match_one(&self, record: &Record) -> Vec<K> {
        let Some(ac) = &self.automaton else { return Vec::new() };
        // Which fields each found pattern occurs in, as a bit set (one bit per record field).
        let mut found: Vec<(usize, u8)> = Vec::new();
        for (bit, field) in RECORD_FIELDS.iter().enumerate() {
            let text = normalize(record.field(*field));
            for m in ac.find_overlapping_iter(&text) {
                let pattern = m.pattern().as_usize();
                match found.iter_mut().find(|(p, _)| *p == pattern) {
                    Some((_, fields)) => *fields |= 1 << bit,
                    None => found.push((pattern, 1 << bit)),
                }
            }
        }
        let fields_of = |p: usize| found.iter().find(|(q, _)| *q == p).map_or(0, |(_, f)| *f);
        let category = normalize(&record.category);
        let mut hits: Vec<usize> = Vec::new();
        for &(pattern, _) in &found {
            for &qi in &self.anchored[pattern] {
                let q = &self.queries[qi];
                let all_met = q.conditions.iter().all(|&(wanted, p)| {
                    let fields = fields_of(p);
                    match wanted {
                        Field::Keyword => fields != 0,
                        f => fields & (1 << field_bit(f)) != 0,
                    }
                });
                if all_met && q.category.as_ref().is_none_or(|c| category.starts_with(c.as_str())) {
                    hits.push(qi);
                }
            }
        }
        hits.sort_unstable();
        hits.into_iter().map(|qi| self.queries[qi].key.clone()).collect()
    }
}
