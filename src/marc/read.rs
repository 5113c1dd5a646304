//! Reading MARC21 records: ISO 2709 ("binary", UTF-8 only) and MARCXML, one record at a
//! time, so a file of any size is read in bounded memory. A malformed record is an error for
//! that record, naming its field; the reader moves on to the next one.

use std::io::BufRead;

use quick_xml::events::{BytesStart, Event};

use super::record::{FIELD_END, MAX_RECORD_BYTES, MarcField, MarcRecord, RECORD_END, SUBFIELD};
use super::{MarcFormat, RecordPosition};

/// What is wrong with one record: the field (a tag, `leader/09`, `record`, ...) and why.
#[derive(Debug)]
pub(crate) struct Bad {
    pub field: String,
    pub reason: String,
}

pub(crate) fn bad(field: impl Into<String>, reason: impl Into<String>) -> Bad {
    Bad { field: field.into(), reason: reason.into() }
}

/// One record read, or why it could not be.
pub(crate) type Read = (RecordPosition, Result<MarcRecord, Bad>);

/// Records from a byte stream in either format.
pub(crate) enum Records<R: BufRead> {
    Iso2709 { inner: R, offset: u64, index: usize, buf: Vec<u8>, pending: Option<(u64, Vec<u8>)> },
    Xml { reader: Box<quick_xml::Reader<R>>, index: usize, buf: Vec<u8>, done: bool },
}

impl<R: BufRead> Records<R> {
    pub(crate) fn new(inner: R, format: MarcFormat) -> Self {
        match format {
            MarcFormat::Iso2709 => Records::Iso2709 { inner, offset: 0, index: 0, buf: Vec::new(), pending: None },
            MarcFormat::MarcXml => {
                let mut reader = quick_xml::Reader::from_reader(inner);
                reader.config_mut().expand_empty_elements = true;
                Records::Xml { reader: Box::new(reader), index: 0, buf: Vec::new(), done: false }
            }
        }
    }

    /// The next record; `Ok(None)` at the end; `Err` only when the stream itself fails.
    pub(crate) fn next_record(&mut self) -> std::io::Result<Option<Read>> {
        match self {
            Records::Iso2709 { inner, offset, index, buf, pending } => next_iso2709(inner, offset, index, buf, pending),
            Records::Xml { reader, index, buf, done } => {
                if *done {
                    return Ok(None);
                }
                let out = next_xml(reader, index, buf);
                if let Ok(Some((_, Err(b)))) = &out {
                    // A syntax error: nothing after it can be trusted to be where it seems.
                    *done = b.field == "xml";
                }
                out
            }
        }
    }
}

fn next_iso2709<R: BufRead>(
    inner: &mut R,
    offset: &mut u64,
    index: &mut usize,
    buf: &mut Vec<u8>,
    pending: &mut Option<(u64, Vec<u8>)>,
) -> std::io::Result<Option<Read>> {
    if let Some((at, rec)) = pending.take() {
        let position = RecordPosition { index: *index, byte_offset: at };
        *index += 1;
        return Ok(Some((position, parse_iso2709(&rec))));
    }
    // Line breaks between records (some exporters write them) are not part of any record.
    loop {
        let head = inner.fill_buf()?;
        let n = head.iter().take_while(|b| matches!(b, b'\r' | b'\n')).count();
        if n == 0 {
            break;
        }
        inner.consume(n);
        *offset += n as u64;
    }
    let position = RecordPosition { index: *index, byte_offset: *offset };
    let mut total = 0;
    // Up to the next record terminator, keeping at most the last MAX_RECORD_BYTES + 1 bytes.
    loop {
        buf.clear();
        let n = std::io::Read::take(&mut *inner, MAX_RECORD_BYTES as u64 + 1).read_until(RECORD_END, buf)?;
        total += n;
        *offset += n as u64;
        if n == 0 || buf.last() == Some(&RECORD_END) {
            break;
        }
    }
    if total == 0 {
        return Ok(None);
    }
    *index += 1;
    if buf.last() != Some(&RECORD_END) {
        if buf.iter().all(u8::is_ascii_whitespace) && total == buf.len() {
            *index -= 1;
            return Ok(None);
        }
        let why = format!("truncated: the input ends {total} bytes into the record, before its terminator (0x1D)");
        return Ok(Some((position, Err(bad("record", why)))));
    }
    let len = buf.len();
    if total != len || digits(&buf[..5.min(len)]) != Some(len) {
        // A record cut short runs into the next one: find where that one starts (its length
        // reaches exactly to the terminator, its leader ends in 4500), and read it next.
        let next = (1..len.saturating_sub(24))
            .find(|&i| &buf[i + 20..i + 24] == b"4500" && digits(&buf[i..i + 5]) == Some(len - i));
        if let Some(i) = next {
            *pending = Some((*offset - (len - i) as u64, buf[i..].to_vec()));
            let why = format!("truncated or overlong: the next record starts {} bytes into it", total - (len - i));
            return Ok(Some((position, Err(bad("record", why)))));
        }
        if total > len {
            let why = format!("no record terminator within {MAX_RECORD_BYTES} bytes (the longest record)");
            return Ok(Some((position, Err(bad("record", why)))));
        }
    }
    Ok(Some((position, parse_iso2709(buf))))
}

/// Decimal digits as a number; `None` unless every byte is a digit.
fn digits(b: &[u8]) -> Option<usize> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + usize::from(d - b'0')))
}

fn utf8<'a>(field: &str, bytes: &'a [u8]) -> Result<&'a str, Bad> {
    std::str::from_utf8(bytes)
        .map_err(|e| bad(field, format!("not valid UTF-8 at byte {} of the field", e.valid_up_to())))
}

/// One ISO 2709 record, terminator included.
pub(crate) fn parse_iso2709(rec: &[u8]) -> Result<MarcRecord, Bad> {
    let len = rec.len();
    if len < 26 {
        return Err(bad("record", format!("{len} bytes; a record has a 24-byte leader, a directory and terminators")));
    }
    let leader = &rec[..24];
    if !leader.is_ascii() {
        return Err(bad("leader", "not ASCII"));
    }
    match digits(&leader[..5]) {
        Some(n) if n == len => {}
        Some(n) => {
            return Err(bad(
                "leader/00-04",
                format!("the record length says {n} bytes, but the record ends after {len}"),
            ));
        }
        None => return Err(bad("leader/00-04", "the record length is not five digits")),
    }
    match leader[9] {
        b'a' => {}
        b' ' => {
            return Err(bad(
                "leader/09",
                "MARC-8 character coding (leader/09 blank) is not read; convert the file to UTF-8 first \
                 (e.g. yaz-marcdump -f MARC-8 -t UTF-8 -o marc -l 9=97)",
            ));
        }
        c => return Err(bad("leader/09", format!("unknown character coding `{}`; UTF-8 is `a`", c as char))),
    }
    let base = match digits(&leader[12..17]) {
        Some(b) if b > 24 && b < len && rec[b - 1] == FIELD_END => b,
        _ => return Err(bad("leader/12-16", "the base address of data does not point just past the directory")),
    };
    let directory = &rec[24..base - 1];
    if directory.len() % 12 != 0 {
        return Err(bad("directory", format!("{} bytes, not a multiple of 12", directory.len())));
    }
    let data_end = len - 1; // before the record terminator
    let mut fields = Vec::with_capacity(directory.len() / 12);
    for entry in directory.chunks_exact(12) {
        let tag = std::str::from_utf8(&entry[..3])
            .ok()
            .filter(|t| t.bytes().all(|b| b.is_ascii_alphanumeric()))
            .ok_or_else(|| bad("directory", "a tag that is not three letters or digits"))?;
        let (Some(flen), Some(start)) = (digits(&entry[3..7]), digits(&entry[7..12])) else {
            return Err(bad(tag, "its directory entry's length or start is not digits"));
        };
        let from = base + start;
        let to = from + flen;
        if flen == 0 || to > data_end {
            return Err(bad(
                tag,
                format!("the directory puts it at bytes {from}..{to}, but the data ends at {data_end}"),
            ));
        }
        let raw = &rec[from..to];
        if raw[flen - 1] != FIELD_END {
            return Err(bad(tag, "does not end with the field terminator (0x1E): wrong length or start"));
        }
        let raw = &raw[..flen - 1];
        if tag.starts_with("00") {
            fields.push(MarcField::control(tag, utf8(tag, raw)?));
            continue;
        }
        if raw.len() < 2 || !raw[..2].is_ascii() {
            return Err(bad(tag, "no indicators"));
        }
        let indicators = [raw[0] as char, raw[1] as char];
        let mut parts = raw[2..].split(|b| *b == SUBFIELD);
        if parts.next().is_some_and(|p| !p.is_empty()) {
            return Err(bad(tag, "text before the first subfield delimiter"));
        }
        let mut subfields = Vec::new();
        for p in parts.filter(|p| !p.is_empty()) {
            if !p[0].is_ascii_graphic() {
                return Err(bad(tag, "a subfield code that is not a letter or digit"));
            }
            subfields.push((p[0] as char, utf8(tag, &p[1..])?.to_owned()));
        }
        fields.push(MarcField { tag: tag.to_owned(), indicators, value: String::new(), subfields });
    }
    Ok(MarcRecord { leader: String::from_utf8_lossy(leader).into_owned(), fields })
}

/// Where the XML parser is inside a record.
enum Inside {
    Nothing,
    Leader,
    Control,
    Subfield(char),
}

fn next_xml<R: BufRead>(
    reader: &mut quick_xml::Reader<R>,
    index: &mut usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Read>> {
    let mut record: Option<(RecordPosition, Result<MarcRecord, Bad>)> = None;
    let mut inside = Inside::Nothing;
    let mut text = String::new();
    loop {
        buf.clear();
        let before = reader.buffer_position();
        let event = match reader.read_event_into(buf) {
            Ok(e) => e,
            Err(quick_xml::Error::Io(e)) => return Err(std::io::Error::new(e.kind(), e.to_string())),
            Err(e) => {
                let position = RecordPosition { index: *index, byte_offset: reader.error_position() };
                *index += 1;
                let why = format!("malformed XML ({e}); nothing after it was read");
                return Ok(Some((position, Err(bad("xml", why)))));
            }
        };
        match event {
            Event::Eof => {
                return Ok(
                    record.map(|(p, _)| (p, Err(bad("record", "the input ends inside the record (no </record>)"))))
                );
            }
            Event::Start(e) => {
                let name = e.local_name();
                match name.as_ref() {
                    b"record" => {
                        let position = RecordPosition { index: *index, byte_offset: before };
                        *index += 1;
                        record = Some((position, Ok(MarcRecord::default())));
                    }
                    _ => {
                        let Some((_, Ok(rec))) = &mut record else { continue };
                        text.clear();
                        inside = match start_element(rec, name.as_ref(), &e) {
                            Ok(i) => i,
                            Err(b) => {
                                fail(&mut record, b);
                                Inside::Nothing
                            }
                        };
                    }
                }
            }
            Event::Text(t) if !matches!(inside, Inside::Nothing) => match t.decode() {
                Ok(s) => text.push_str(&s),
                Err(e) => fail(&mut record, bad("xml", format!("text that is not UTF-8: {e}"))),
            },
            Event::CData(t) if !matches!(inside, Inside::Nothing) => match t.decode() {
                Ok(s) => text.push_str(&s),
                Err(e) => fail(&mut record, bad("xml", format!("text that is not UTF-8: {e}"))),
            },
            Event::GeneralRef(r) => {
                if matches!(inside, Inside::Nothing) {
                    continue;
                }
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r.decode().unwrap_or_default();
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(s) => text.push_str(s),
                        None => fail(&mut record, bad("xml", format!("unknown entity `&{name};`"))),
                    }
                }
            }
            Event::End(e) => {
                let name = e.local_name();
                if name.as_ref() == b"record" {
                    if let Some((p, r)) = record.take() {
                        return Ok(Some((p, r.and_then(check_xml_record))));
                    }
                    continue;
                }
                let Some((_, Ok(rec))) = &mut record else { continue };
                match std::mem::replace(&mut inside, Inside::Nothing) {
                    Inside::Leader => rec.leader = std::mem::take(&mut text),
                    Inside::Control => {
                        if let Some(f) = rec.fields.last_mut() {
                            f.value = std::mem::take(&mut text);
                        }
                    }
                    Inside::Subfield(code) => {
                        if let Some(f) = rec.fields.last_mut() {
                            f.subfields.push((code, std::mem::take(&mut text)));
                        }
                    }
                    Inside::Nothing => {}
                }
            }
            _ => {}
        }
    }
}

/// Marks the open record (if any) as bad, keeping its first problem.
fn fail(record: &mut Option<Read>, b: Bad) {
    if let Some((_, r @ Ok(_))) = record {
        *r = Err(b);
    }
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok())
        .map(|v| v.into_owned())
}

fn start_element(rec: &mut MarcRecord, name: &[u8], e: &BytesStart<'_>) -> Result<Inside, Bad> {
    Ok(match name {
        b"leader" => Inside::Leader,
        b"controlfield" | b"datafield" => {
            let tag = attr(e, "tag").unwrap_or_default();
            if tag.len() != 3 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
                return Err(bad("xml", format!("a field's tag `{tag}` is not three letters or digits")));
            }
            if name == b"controlfield" {
                rec.fields.push(MarcField::control(&tag, ""));
                Inside::Control
            } else {
                let ind = |n| attr(e, n).and_then(|v| v.chars().next()).unwrap_or(' ');
                rec.fields.push(MarcField::data(&tag, [ind("ind1"), ind("ind2")], &[]));
                Inside::Nothing
            }
        }
        b"subfield" => {
            let code = attr(e, "code").and_then(|v| v.chars().next());
            match (code, rec.fields.last()) {
                (Some(c), Some(f)) if !f.is_control() => Inside::Subfield(c),
                _ => return Err(bad("xml", "a subfield without a code or outside a data field")),
            }
        }
        _ => Inside::Nothing,
    })
}

fn check_xml_record(rec: MarcRecord) -> Result<MarcRecord, Bad> {
    if rec.leader.chars().count() != 24 {
        return Err(bad("leader", format!("{} characters; a leader has 24", rec.leader.chars().count())));
    }
    Ok(rec)
}
