//! Reverse search: the saved *queries* are indexed, and each new record is scanned once.
//!
//! Every distinct normalised term of every query goes into one Aho–Corasick automaton. A record's
//! fields are normalised and scanned once each; a query matches when each of its terms was found
//! in a field that term may match. Changing the queries rebuilds the automaton, which is cheap
//! next to matching (see `benches/alerts.rs`).

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

/// The index of a set of queries, keyed by the caller's ids.
#[derive(Debug, Clone)]
pub struct Matcher<K> {
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern: the `(query index, field)` uses of that term.
    uses: Vec<Vec<(usize, Field)>>,
    /// Per query: its key, its number of distinct (field, term) conditions, its category.
    queries: Vec<(K, usize, Option<String>)>,
}

impl<K: Clone> Matcher<K> {
    /// Indexes `queries`. Terms that normalise to nothing are dropped; a query left with no
    /// terms never matches.
    pub fn new(queries: impl IntoIterator<Item = (K, Query)>) -> Self {
        let mut terms: HashMap<String, usize> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut uses: Vec<Vec<(usize, Field)>> = Vec::new();
        let mut indexed = Vec::new();
        for (qi, (key, q)) in queries.into_iter().enumerate() {
            let mut conditions: Vec<(Field, usize)> = Vec::new();
            for (field, term) in &q.terms {
                let t = normalize(term);
                if t.is_empty() {
                    continue;
                }
                let id = *terms.entry(t.clone()).or_insert_with(|| {
                    patterns.push(t);
                    uses.push(Vec::new());
                    patterns.len() - 1
                });
                if !conditions.contains(&(*field, id)) {
                    conditions.push((*field, id));
                    uses[id].push((qi, *field));
                }
            }
            let category = q.category.as_deref().map(normalize).filter(|c| !c.is_empty());
            indexed.push((key, conditions.len(), category));
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok()
        };
        Matcher { automaton, uses, queries: indexed }
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
        let Some(ac) = &self.automaton else { return Vec::new() };
        let category = normalize(&record.category);
        // Per query: which (field, pattern) conditions have been met.
        let mut met: HashMap<usize, Vec<(Field, usize)>> = HashMap::new();
        for field in RECORD_FIELDS {
            let text = normalize(record.field(field));
            let mut seen_here = Vec::new();
            for m in ac.find_overlapping_iter(&text) {
                let pattern = m.pattern().as_usize();
                if seen_here.contains(&pattern) {
                    continue;
                }
                seen_here.push(pattern);
                for &(qi, wanted) in &self.uses[pattern] {
                    if wanted == field || wanted == Field::Keyword {
                        let conditions = met.entry(qi).or_default();
                        if !conditions.contains(&(wanted, pattern)) {
                            conditions.push((wanted, pattern));
                        }
                    }
                }
            }
        }
        let mut hits: Vec<usize> = met
            .into_iter()
            .filter(|(qi, conditions)| {
                let (_, needed, cat) = &self.queries[*qi];
                *needed > 0
                    && conditions.len() == *needed
                    && cat.as_ref().is_none_or(|c| category.starts_with(c.as_str()))
            })
            .map(|(qi, _)| qi)
            .collect();
        hits.sort_unstable();
        hits.into_iter().map(|qi| self.queries[qi].0.clone()).collect()
    }
}
