//! The mapping from MARC21 fields to bunko's titles and copies, as data.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::read::{Bad, bad};
use super::record::{MarcField, MarcRecord};
use crate::catalog::{NewTitle, SUPPORTED_YEARS, normalize_isbn};
use crate::error::{Error, Result};
use crate::policy::Policy;

/// Which MARC21 fields become which parts of a title and its copies. Field specs are written
/// `TAG$a$b`: the listed subfields of the field, in the field's order, joined by spaces, with
/// trailing ISBD punctuation (` /`, ` :`, ` ;`, `,`, ` =`, and `.` except after an initial)
/// removed.
///
/// Vernacular fields: when a field has a `$6` linking it to an `880` (e.g. `245 $6 880-01`
/// and `880 $6 245-01/$1`), both forms are read and the one in the original script becomes
/// the value: a form with kanji wins, else one with hiragana, else one with any kana or CJK
/// character, else the regular field. So a Japanese record yields its kanji title and author
/// whether the kanji are in 245 or in 880; the transcription (読み) is not stored, since a
/// title has no reading field.
///
/// The default reads a Koha export; [`MarcMapping::from_toml`] reads the same fields from
/// TOML, any omitted key keeping its default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct MarcMapping {
    /// The title proper; required in every record. Default `245$a$b`.
    pub title: String,
    /// Author fields, every occurrence read and joined by `; `. Default `100$a`, `110$a`, `700$a`.
    pub author: Vec<String>,
    /// Publisher: the first spec that gives a value. Default `264$b`, `260$b`.
    pub publisher: Vec<String>,
    /// Publication date: the first spec with a year (`2004`, `c2004`, `[2004]`, `2004.3` for
    /// March), else 008/07-10. A year outside 1900-9999 leaves the date empty. Default
    /// `264$c`, `260$c`.
    pub date: Vec<String>,
    /// ISBN, the first occurrence: the first word of it must be a valid ISBN-10 or ISBN-13,
    /// else the record is refused. Default `020$a`.
    pub isbn: String,
    /// Subject headings, every occurrence. Default `650$a`.
    pub subjects: Vec<String>,
    /// Classification: the first occurrence whose `$2` starts with one of
    /// `classification_schemes` (any, when that is empty). Default `084$a`.
    pub classification: String,
    /// Accepted `$2` source codes of the classification field, compared by prefix and
    /// ignoring case. Default `njb`, `ndc` (the NDL's and the NDC's codes).
    pub classification_schemes: Vec<String>,
    /// Material kind of the record's copies: the first rule that matches; each kind must be one
    /// of the policy's `[materials]`. Default: serials → `magazine`, projected, sound,
    /// graphic, computer, kit and 3-D material → `av`, everything else → `book`.
    pub kinds: Vec<KindRule>,
    /// Where the copies are; `None`: titles only.
    pub holdings: Option<HoldingsMapping>,
}

/// One rule from the leader and the 008 to a material kind. Each matcher is a set of
/// characters, one of which the position must hold; an empty set matches anything.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct KindRule {
    /// Leader/06, type of record (e.g. `at` for language material).
    pub record_type: String,
    /// Leader/07, bibliographic level (e.g. `s` for a serial).
    pub level: String,
    /// 008/23, form of item (e.g. `d` for large print).
    pub form: String,
    /// The policy's material kind.
    pub kind: String,
}

impl Default for KindRule {
    fn default() -> Self {
        Self { record_type: String::new(), level: String::new(), form: String::new(), kind: "book".into() }
    }
}

impl KindRule {
    /// A rule matching leader/06 against `record_type` and leader/07 against `level`.
    pub fn new(record_type: &str, level: &str, kind: &str) -> Self {
        Self { record_type: record_type.into(), level: level.into(), form: String::new(), kind: kind.into() }
    }

    fn matches(&self, leader: &[u8], f008: &[u8]) -> bool {
        let at = |set: &str, b: Option<&u8>| set.is_empty() || b.is_some_and(|b| set.as_bytes().contains(b));
        at(&self.record_type, leader.get(6)) && at(&self.level, leader.get(7)) && at(&self.form, f008.get(23))
    }
}

/// Which field holds the copies (one field per copy) and which subfields say what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HoldingsMapping {
    /// The field, one per copy. Default `952` (Koha).
    pub tag: String,
    /// The barcode subfield. Default `p`.
    pub barcode: char,
    /// The owning branch: the first of these subfields present. Default `a` (home branch),
    /// then `b` (holding branch).
    pub branch: Vec<char>,
    /// The item type subfield, looked up in `item_types`. Default `y`.
    pub item_type: Option<char>,
    /// Item type code → the policy's material kind; a type not listed keeps the record's kind.
    pub item_types: BTreeMap<String, String>,
    /// A subfield that, when present and not `0`, makes the copy not loanable (Koha's
    /// not-for-loan status). Default `7`.
    pub not_for_loan: Option<char>,
    /// Branch code in the records → the policy's branch code; a code not listed is used as
    /// it is. Every resulting code must be one of the policy's own branches.
    pub branch_codes: BTreeMap<String, String>,
}

impl Default for HoldingsMapping {
    fn default() -> Self {
        Self {
            tag: "952".into(),
            barcode: 'p',
            branch: vec!['a', 'b'],
            item_type: Some('y'),
            item_types: BTreeMap::new(),
            not_for_loan: Some('7'),
            branch_codes: BTreeMap::new(),
        }
    }
}

impl Default for MarcMapping {
    fn default() -> Self {
        let v = |s: &[&str]| s.iter().map(|s| (*s).to_owned()).collect();
        Self {
            title: "245$a$b".into(),
            author: v(&["100$a", "110$a", "700$a"]),
            publisher: v(&["264$b", "260$b"]),
            date: v(&["264$c", "260$c"]),
            isbn: "020$a".into(),
            subjects: v(&["650$a"]),
            classification: "084$a".into(),
            classification_schemes: v(&["njb", "ndc"]),
            kinds: vec![
                KindRule::new("", "s", "magazine"),
                KindRule::new("gijkmor", "", "av"),
                KindRule::new("", "", "book"),
            ],
            holdings: Some(HoldingsMapping::default()),
        }
    }
}

/// A parsed field spec: tag and subfield codes.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    tag: String,
    codes: Vec<char>,
}

fn spec(text: &str) -> Result<Spec> {
    let invalid = |why: &str| Error::InvalidInput { field: "mapping", reason: format!("`{text}`: {why}") };
    let mut parts = text.split('$');
    let tag = parts.next().unwrap_or_default();
    if tag.len() != 3 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(invalid("write a field as a three-character tag and subfields, e.g. 245$a$b"));
    }
    let codes: Vec<char> = parts
        .map(|p| {
            let mut c = p.chars();
            match (c.next(), c.next()) {
                (Some(code), None) => Ok(code),
                _ => Err(invalid("each subfield is one character after `$`")),
            }
        })
        .collect::<Result<_>>()?;
    if codes.is_empty() {
        return Err(invalid("name at least one subfield, e.g. 245$a"));
    }
    Ok(Spec { tag: tag.to_owned(), codes })
}

/// A mapping checked against a policy, its specs parsed.
pub(crate) struct Compiled<'m> {
    m: &'m MarcMapping,
    title: Spec,
    author: Vec<Spec>,
    publisher: Vec<Spec>,
    date: Vec<Spec>,
    isbn: Spec,
    subjects: Vec<Spec>,
    classification: Spec,
}

/// A record mapped: the title and its copies (their `title` set when stored).
pub(crate) struct Mapped {
    pub title: NewTitle,
    pub copies: Vec<MappedCopy>,
}

pub(crate) struct MappedCopy {
    pub barcode: String,
    pub branch: String,
    pub material_kind: String,
    pub loanable: bool,
}

impl MarcMapping {
    /// Reads a mapping from TOML; keys left out keep their defaults.
    ///
    /// # Examples
    /// ```
    /// let m = bunko::marc::MarcMapping::from_toml("title = \"245$a\"\n[holdings]\nbarcode = \"i\"").unwrap();
    /// assert_eq!(m.title, "245$a");
    /// assert_eq!(m.holdings.unwrap().barcode, 'i');
    /// ```
    ///
    /// # Errors
    ///
    /// `InvalidInput` (field `mapping`) for TOML that is malformed or has an unknown key.
    pub fn from_toml(text: &str) -> Result<Self> {
        toml::from_str(text).map_err(|e| Error::InvalidInput { field: "mapping", reason: e.to_string() })
    }

    /// Checks the mapping against `policy`: field specs well formed, every material kind
    /// one of the policy's, every translated branch one of its own branches.
    pub(crate) fn compile(&self, policy: &Policy) -> Result<Compiled<'_>> {
        let specs = |v: &[String]| v.iter().map(|s| spec(s)).collect::<Result<Vec<_>>>();
        let kinds = self.kinds.iter().map(|r| &r.kind).chain(self.holdings.iter().flat_map(|h| h.item_types.values()));
        for kind in kinds {
            if policy.material(kind).is_none() {
                let known: Vec<&str> = policy.materials.keys().map(String::as_str).collect();
                return Err(Error::InvalidInput {
                    field: "mapping",
                    reason: format!("material kind `{kind}` is not in the policy; known kinds: {}", known.join(", ")),
                });
            }
        }
        if self.kinds.is_empty() {
            return Err(Error::InvalidInput { field: "mapping", reason: "`kinds` needs at least one rule".into() });
        }
        if let Some(h) = &self.holdings {
            spec(&format!("{}${}", h.tag, h.barcode))?;
            for code in h.branch_codes.values() {
                own_branch(policy, code).map_err(|b| Error::InvalidInput { field: "mapping", reason: b.reason })?;
            }
        }
        Ok(Compiled {
            m: self,
            title: spec(&self.title)?,
            author: specs(&self.author)?,
            publisher: specs(&self.publisher)?,
            date: specs(&self.date)?,
            isbn: spec(&self.isbn)?,
            subjects: specs(&self.subjects)?,
            classification: spec(&self.classification)?,
        })
    }
}

fn own_branch(policy: &Policy, code: &str) -> std::result::Result<(), Bad> {
    match policy.branch(code) {
        Some(b) if !b.partner => Ok(()),
        Some(_) => Err(bad("", format!("branch `{code}` is a partner library and holds no copies"))),
        None => Err(bad("", format!("branch `{code}` is not in the policy"))),
    }
}

/// How much a text looks like the original script of a Japanese record.
fn script_score(text: &str) -> u8 {
    let mut score = 0;
    for c in text.chars() {
        let s = match c as u32 {
            0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF => 3,
            0x3041..=0x309F => 2,
            0x30A0..=0x30FF | 0x3000..=0x303F | 0xFF00..=0xFFEF => 1,
            _ => 0,
        };
        score = score.max(s);
    }
    score
}

/// The subfields of `spec` in `field`, joined, trailing punctuation trimmed; `None` if empty.
fn text_of(field: &MarcField, spec: &Spec) -> Option<String> {
    let mut out = String::new();
    for (code, value) in &field.subfields {
        if spec.codes.contains(code) {
            let v = value.trim();
            if !v.is_empty() {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(v);
            }
        }
    }
    let mut trimmed = out.as_str();
    loop {
        let t = trimmed.trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '/' | ':' | ';' | ',' | '='));
        // A full stop ends the field (ISBD), unless it ends an initial ("Douglas A.").
        let initial = t.len() >= 2 && t.as_bytes()[t.len() - 2].is_ascii_uppercase();
        match t.strip_suffix('.') {
            Some(rest) if !initial => trimmed = rest,
            _ => {
                trimmed = t;
                break;
            }
        }
    }
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

/// The 880 linked to `field` by `$6`, if any.
fn linked_880<'r>(rec: &'r MarcRecord, field: &MarcField) -> Option<&'r MarcField> {
    let link = field.subfield('6')?;
    let occurrence = link.strip_prefix("880-")?.get(..2)?;
    if occurrence == "00" {
        return None;
    }
    let want = format!("{}-{occurrence}", field.tag);
    rec.fields_tagged("880").find(|f| f.subfield('6').is_some_and(|l| l.starts_with(&want)))
}

/// Every value of `spec` in `rec`, each in its original-script form.
fn values(rec: &MarcRecord, spec: &Spec) -> Vec<String> {
    rec.fields_tagged(&spec.tag)
        .filter_map(|f| {
            let regular = text_of(f, spec);
            let vernacular = linked_880(rec, f).and_then(|v| text_of(v, spec));
            match (regular, vernacular) {
                (Some(r), Some(v)) if script_score(&v) > script_score(&r) => Some(v),
                (Some(r), _) => Some(r),
                (None, v) => v,
            }
        })
        .collect()
}

fn first(rec: &MarcRecord, specs: &[Spec]) -> Option<String> {
    specs.iter().find_map(|s| values(rec, s).into_iter().next())
}

/// The first year in `text`, with the month when written `YYYY.M` (Japanese practice).
fn date_in(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let start = (0..b.len().saturating_sub(3))
        .find(|&i| b[i..i + 4].iter().all(u8::is_ascii_digit) && !b.get(i + 4).is_some_and(u8::is_ascii_digit))?;
    let year: i32 = text[start..start + 4].parse().ok()?;
    let rest = &text[start + 4..];
    let month = rest
        .strip_prefix('.')
        .map(|r| r.chars().take_while(char::is_ascii_digit).collect::<String>())
        .and_then(|m| m.parse::<u32>().ok())
        .filter(|m| (1..=12).contains(m))
        .unwrap_or(1);
    NaiveDate::from_ymd_opt(year, month, 1).filter(|d| SUPPORTED_YEARS.contains(&chrono::Datelike::year(d)))
}

impl Compiled<'_> {
    /// The title and copies `rec` describes, or what is wrong with it.
    pub(crate) fn map(&self, rec: &MarcRecord, policy: &Policy) -> std::result::Result<Mapped, Bad> {
        let leader = rec.leader.as_bytes();
        let f008 = rec.fields_tagged("008").next().map_or(&[][..], |f| f.value.as_bytes());
        let title =
            values(rec, &self.title).into_iter().next().ok_or_else(|| bad(&self.m.title, "the record has no title"))?;
        let mut t = NewTitle::new(title);
        t.author = self.author.iter().flat_map(|s| values(rec, s)).collect::<Vec<_>>().join("; ");
        t.publisher = first(rec, &self.publisher).unwrap_or_default();
        t.published_on = self
            .date
            .iter()
            .flat_map(|s| values(rec, s))
            .find_map(|d| date_in(&d))
            .or_else(|| f008.get(7..11).and_then(|y| date_in(std::str::from_utf8(y).ok()?)));
        if let Some(isbn) = values(rec, &self.isbn).into_iter().next() {
            let word = isbn.split_whitespace().next().unwrap_or_default();
            t.isbn = normalize_isbn(word).map_err(|e| bad(&self.m.isbn, format!("`{isbn}`: {e}")))?;
        }
        t.subjects = self.subjects.iter().flat_map(|s| values(rec, s)).collect();
        t.subjects.dedup();
        t.category = rec
            .fields_tagged(&self.classification.tag)
            .filter(|f| {
                let schemes = &self.m.classification_schemes;
                schemes.is_empty()
                    || f.subfield('2').is_some_and(|src| {
                        let src = src.trim().to_ascii_lowercase();
                        schemes.iter().any(|s| src.starts_with(&s.to_ascii_lowercase()))
                    })
            })
            .find_map(|f| text_of(f, &self.classification))
            .unwrap_or_default();
        t.serial = leader.get(7) == Some(&b's');
        let t = t.validated().map_err(|e| match e {
            Error::InvalidInput { field, reason } => bad(self.spec_of(field), reason),
            other => bad("record", other.to_string()),
        })?;
        let kind = self
            .m
            .kinds
            .iter()
            .find(|r| r.matches(leader, f008))
            .map(|r| r.kind.clone())
            .ok_or_else(|| bad("leader/06-07", "no `kinds` rule matches the record"))?;
        let copies = match &self.m.holdings {
            Some(h) => rec.fields_tagged(&h.tag).map(|f| copy_of(f, h, &kind, policy)).collect::<Result<_, _>>()?,
            None => Vec::new(),
        };
        Ok(Mapped { title: t, copies })
    }

    fn spec_of(&self, field: &str) -> String {
        match field {
            "title" => self.m.title.clone(),
            "author" => self.m.author.join(", "),
            "publisher" => self.m.publisher.join(", "),
            "subjects" => self.m.subjects.join(", "),
            "category" => self.m.classification.clone(),
            "isbn" => self.m.isbn.clone(),
            "published_on" => self.m.date.join(", "),
            other => other.to_owned(),
        }
    }
}

fn copy_of(f: &MarcField, h: &HoldingsMapping, kind: &str, policy: &Policy) -> std::result::Result<MappedCopy, Bad> {
    let at = |c: char| format!("{}${c}", h.tag);
    let barcode = f.subfield(h.barcode).map(str::trim).unwrap_or_default();
    let barcode = crate::catalog::clean_barcode(barcode).map_err(|e| bad(at(h.barcode), e.to_string()))?;
    let code =
        h.branch.iter().find_map(|c| f.subfield(*c).map(str::trim).filter(|v| !v.is_empty())).ok_or_else(|| {
            bad(at(h.branch.first().copied().unwrap_or('a')), format!("copy {barcode} has no branch"))
        })?;
    let branch = h.branch_codes.get(code).map_or(code, String::as_str).to_owned();
    own_branch(policy, &branch).map_err(|b| bad(at(h.branch.first().copied().unwrap_or('a')), b.reason))?;
    let material_kind = h
        .item_type
        .and_then(|c| f.subfield(c))
        .and_then(|t| h.item_types.get(t.trim()))
        .map_or(kind, String::as_str)
        .to_owned();
    let loanable = !h.not_for_loan.and_then(|c| f.subfield(c)).is_some_and(|v| !v.trim().is_empty() && v.trim() != "0");
    Ok(MappedCopy { barcode, branch, material_kind, loanable })
}
