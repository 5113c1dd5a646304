//! A MARC21 record in memory, and its ISO 2709 and MARCXML forms for writing.

use std::fmt::Write as _;

/// ISO 2709 record terminator.
pub(crate) const RECORD_END: u8 = 0x1D;
/// ISO 2709 field terminator.
pub(crate) const FIELD_END: u8 = 0x1E;
/// ISO 2709 subfield delimiter.
pub(crate) const SUBFIELD: u8 = 0x1F;
/// Longest ISO 2709 record: its length is five digits.
pub const MAX_RECORD_BYTES: usize = 99_999;

/// One MARC21 record: the 24-character leader and its fields in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MarcRecord {
    /// The leader, 24 characters (lengths at 0-4 and 12-16 are recomputed when written).
    pub leader: String,
    /// Control fields (00X) and data fields, in record order.
    pub fields: Vec<MarcField>,
}

/// One field: a control field (`001`-`009`, text only) or a data field (indicators and
/// subfields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarcField {
    /// Three-character tag, e.g. `245`.
    pub tag: String,
    /// The two indicators (spaces for a control field).
    pub indicators: [char; 2],
    /// A control field's text; empty for a data field.
    pub value: String,
    /// A data field's subfields: code and text, in order.
    pub subfields: Vec<(char, String)>,
}

impl MarcField {
    /// A control field (`001`-`009`).
    pub fn control(tag: &str, value: impl Into<String>) -> Self {
        Self { tag: tag.to_owned(), indicators: [' ', ' '], value: value.into(), subfields: Vec::new() }
    }

    /// A data field with its indicators and subfields.
    pub fn data(tag: &str, indicators: [char; 2], subfields: &[(char, &str)]) -> Self {
        Self {
            tag: tag.to_owned(),
            indicators,
            value: String::new(),
            subfields: subfields.iter().map(|(c, v)| (*c, (*v).to_owned())).collect(),
        }
    }

    /// Whether the tag is a control field's (`00X`).
    #[must_use]
    pub fn is_control(&self) -> bool {
        self.tag.starts_with("00")
    }

    /// The first subfield `code`'s text.
    #[must_use]
    pub fn subfield(&self, code: char) -> Option<&str> {
        self.subfields.iter().find(|(c, _)| *c == code).map(|(_, v)| v.as_str())
    }
}

impl MarcRecord {
    /// The fields with tag `tag`, in order.
    pub fn fields_tagged<'a>(&'a self, tag: &'a str) -> impl Iterator<Item = &'a MarcField> + 'a {
        self.fields.iter().filter(move |f| f.tag == tag)
    }

    /// The record in ISO 2709 (MARC21 "binary"), UTF-8, leader/09 set to `a`.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when the record does not fit the format: a tag that is not three
    /// characters, a field over 9,999 bytes or the record over 99,999 bytes.
    pub fn to_iso2709(&self) -> crate::Result<Vec<u8>> {
        let invalid = |reason: String| crate::Error::InvalidInput { field: "marc record", reason };
        let mut directory = Vec::with_capacity(12 * self.fields.len() + 1);
        let mut data = Vec::new();
        for f in &self.fields {
            if f.tag.len() != 3 || !f.tag.is_ascii() {
                return Err(invalid(format!("tag `{}` is not three ASCII characters", f.tag)));
            }
            let start = data.len();
            if f.is_control() {
                data.extend_from_slice(f.value.as_bytes());
            } else {
                for i in f.indicators {
                    let mut b = [0; 4];
                    data.extend_from_slice(i.encode_utf8(&mut b).as_bytes());
                }
                for (code, value) in &f.subfields {
                    data.push(SUBFIELD);
                    let mut b = [0; 4];
                    data.extend_from_slice(code.encode_utf8(&mut b).as_bytes());
                    data.extend_from_slice(value.as_bytes());
                }
            }
            data.push(FIELD_END);
            let len = data.len() - start;
            if len > 9999 || start > 99_999 {
                return Err(invalid(format!("field {} is {len} bytes, at most 9,999 fit", f.tag)));
            }
            directory.extend_from_slice(format!("{}{len:04}{start:05}", f.tag).as_bytes());
        }
        directory.push(FIELD_END);
        let base = 24 + directory.len();
        let total = base + data.len() + 1;
        if total > MAX_RECORD_BYTES {
            return Err(invalid(format!("{total} bytes, at most {MAX_RECORD_BYTES} fit")));
        }
        let mut leader: Vec<u8> = self.leader.bytes().chain(std::iter::repeat(b' ')).take(24).collect();
        if !leader.is_ascii() {
            return Err(invalid("the leader is not ASCII".into()));
        }
        leader[..5].copy_from_slice(format!("{total:05}").as_bytes());
        leader[9] = b'a';
        leader[10..12].copy_from_slice(b"22");
        leader[12..17].copy_from_slice(format!("{base:05}").as_bytes());
        leader[20..24].copy_from_slice(b"4500");
        let mut out = leader;
        out.extend_from_slice(&directory);
        out.extend_from_slice(&data);
        out.push(RECORD_END);
        Ok(out)
    }

    /// The record as a MARCXML `<record>` element (no XML declaration, no collection).
    #[must_use]
    pub fn to_marcxml(&self) -> String {
        let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
        let mut out = String::from("<record xmlns=\"http://www.loc.gov/MARC21/slim\">");
        let _ = write!(out, "<leader>{}</leader>", esc(&self.leader));
        for f in &self.fields {
            if f.is_control() {
                let _ = write!(out, "<controlfield tag=\"{}\">{}</controlfield>", esc(&f.tag), esc(&f.value));
            } else {
                let [i1, i2] = f.indicators;
                let _ = write!(
                    out,
                    "<datafield tag=\"{}\" ind1=\"{}\" ind2=\"{}\">",
                    esc(&f.tag),
                    esc(&i1.to_string()),
                    esc(&i2.to_string())
                );
                for (code, value) in &f.subfields {
                    let _ = write!(out, "<subfield code=\"{}\">{}</subfield>", esc(&code.to_string()), esc(value));
                }
                out.push_str("</datafield>");
            }
        }
        out.push_str("</record>");
        out
    }
}
