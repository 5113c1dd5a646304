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
use super::normalize::normalize_into;

/// Which part of a record a term must appear in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
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

/// The record fields a condition accepts, as a bit set over `RECORD_FIELDS`.
fn field_mask(f: Field) -> u8 {
    match f {
        Field::Title => 0b0001,
        Field::Author => 0b0010,
        Field::Publisher => 0b0100,
        Field::Subject => 0b1000,
        Field::Keyword => 0b1111,
    }
}

/// A search condition: every term must match (AND), each in its field; optional filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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

/// A query as stored under its anchor pattern: met when the anchor occurs in a field of `mask`
/// and every one of its other conditions (`rest[rest_start..][..rest_len]`) is met.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    query: u32,
    rest_start: u32,
    rest_len: u32,
    mask: u8,
    /// Whether the query has a category filter (looked up in `Matcher::categories`).
    filtered: bool,
}

/// The index of a set of queries, keyed by the caller's ids.
///
/// The layout is flat so that matching walks contiguous memory: the candidates anchored on
/// pattern `p` are `candidates[starts[p]..starts[p + 1]]`, in query order.
#[derive(Debug, Clone)]
pub struct Matcher<K> {
    automaton: Option<AhoCorasick>,
    starts: Vec<u32>,
    candidates: Vec<Candidate>,
    /// The non-anchor conditions of every query: `(pattern, field mask)`.
    rest: Vec<(u32, u8)>,
    /// Normalised category prefixes, for the queries that have one.
    categories: HashMap<u32, String>,
    keys: Vec<K>,
}

/// Reusable per-batch working memory of [`Matcher::matches_all`].
struct Scratch {
    /// For each pattern, the record fields it was found in (zero when not found).
    fields: Vec<u8>,
    /// The patterns found in the current record.
    found: Vec<u32>,
    hits: Vec<u32>,
    text: String,
}

impl<K: Clone> Matcher<K> {
    /// Indexes `queries`. Terms that normalise to nothing are dropped; a query left with no
    /// terms never matches.
    ///
    /// # Panics
    /// With more than `u32::MAX` queries or terms.
    pub fn new(queries: impl IntoIterator<Item = (K, Query)>) -> Self {
        let mut terms: HashMap<String, u32> = HashMap::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut users: Vec<u32> = Vec::new();
        let mut conditions: Vec<Vec<(u32, u8)>> = Vec::new();
        let mut categories = HashMap::new();
        let mut keys = Vec::new();
        for (key, q) in queries {
            let qi = u32::try_from(keys.len()).expect("at most u32::MAX queries");
            let mut own: Vec<(u32, u8)> = Vec::new();
            for (field, term) in &q.terms {
                let t = normalize(term);
                if t.is_empty() {
                    continue;
                }
                let id = *terms.entry(t.clone()).or_insert_with(|| {
                    patterns.push(t);
                    users.push(0);
                    u32::try_from(patterns.len() - 1).expect("at most u32::MAX terms")
                });
                let condition = (id, field_mask(*field));
                if !own.contains(&condition) {
                    own.push(condition);
                    users[id as usize] += 1;
                }
            }
            if let Some(c) = q.category.as_deref().map(normalize).filter(|c| !c.is_empty()) {
                categories.insert(qi, c);
            }
            conditions.push(own);
            keys.push(key);
        }
        // Anchor each query on its most selective condition; group the candidates by anchor.
        let mut by_anchor: Vec<Vec<Candidate>> = vec![Vec::new(); patterns.len()];
        let mut rest = Vec::new();
        for (qi, own) in conditions.into_iter().enumerate() {
            let Some(a) = (0..own.len()).min_by_key(|&i| users[own[i].0 as usize]) else { continue };
            let rest_start = u32::try_from(rest.len()).expect("at most u32::MAX conditions");
            rest.extend(own.iter().enumerate().filter(|(i, _)| *i != a).map(|(_, c)| *c));
            by_anchor[own[a].0 as usize].push(Candidate {
                query: qi as u32,
                rest_start,
                rest_len: (own.len() - 1) as u32,
                mask: own[a].1,
                filtered: categories.contains_key(&(qi as u32)),
            });
        }
        let mut starts = Vec::with_capacity(patterns.len() + 1);
        let mut candidates = Vec::with_capacity(keys.len());
        for group in by_anchor {
            starts.push(candidates.len() as u32);
            candidates.extend(group);
        }
        starts.push(candidates.len() as u32);
        let automaton = if patterns.is_empty() {
            None
        } else {
            AhoCorasick::builder().match_kind(MatchKind::Standard).build(&patterns).ok()
        };
        Matcher { automaton, starts, candidates, rest, categories, keys }
    }

    /// Number of indexed queries.
    #[must_use]
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether no query is indexed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The keys of every query `record` matches, each once. They come grouped by the term that
    /// anchored them, not sorted: sorting costs more than the matching itself for a caller that
    /// groups the matches anyway (as the digest sweep does).
    #[must_use]
    pub fn matches(&self, record: &Record) -> Vec<K> {
        let mut out = Vec::new();
        self.match_into(record, &mut self.scratch(), &mut out);
        out
    }

    /// [`Matcher::matches`] for many records.
    ///
    /// # Resource usage
    /// One byte per distinct term for the whole batch, plus each record's normalised fields and
    /// the terms found in them; nothing proportional to the number of queries.
    #[must_use]
    pub fn matches_all(&self, records: &[Record]) -> Vec<Vec<K>> {
        let mut scratch = self.scratch();
        records
            .iter()
            .map(|r| {
                let mut out = Vec::new();
                self.match_into(r, &mut scratch, &mut out);
                out
            })
            .collect()
    }

    fn scratch(&self) -> Scratch {
        let patterns = self.starts.len().saturating_sub(1);
        Scratch { fields: vec![0; patterns], found: Vec::new(), hits: Vec::new(), text: String::new() }
    }

    fn match_into(&self, record: &Record, s: &mut Scratch, out: &mut Vec<K>) {
        let Some(ac) = &self.automaton else { return };
        for (bit, field) in RECORD_FIELDS.iter().enumerate() {
            normalize_into(record.field(*field), &mut s.text);
            for m in ac.find_overlapping_iter(&s.text) {
                let p = m.pattern().as_usize();
                if s.fields[p] == 0 {
                    s.found.push(p as u32);
                }
                s.fields[p] |= 1 << bit;
            }
        }
        let mut category: Option<String> = None;
        for &p in &s.found {
            let (p, fields) = (p as usize, s.fields[p as usize]);
            for c in &self.candidates[self.starts[p] as usize..self.starts[p + 1] as usize] {
                if fields & c.mask == 0 {
                    continue;
                }
                let rest = &self.rest[c.rest_start as usize..][..c.rest_len as usize];
                if !rest.iter().all(|&(q, mask)| s.fields[q as usize] & mask != 0) {
                    continue;
                }
                if c.filtered {
                    let category = category.get_or_insert_with(|| normalize(&record.category));
                    if !self.categories.get(&c.query).is_some_and(|prefix| category.starts_with(prefix.as_str())) {
                        continue;
                    }
                }
                s.hits.push(c.query);
            }
        }
        out.extend(s.hits.iter().map(|&q| self.keys[q as usize].clone()));
        for &p in &s.found {
            s.fields[p as usize] = 0;
        }
        s.found.clear();
        s.hits.clear();
    }
}
