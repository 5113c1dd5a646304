//! The SIP2 wire format, without I/O: a message is a two-digit command, its fixed-length
//! fields, then variable fields each `XXvalue|` under a two-letter identifier, then the error
//! detection trailer `AYn` (sequence number) `AZxxxx` (checksum) and a carriage return.
//!
//! The checksum is the two's complement of the low 16 bits of the byte sum of everything from
//! the first byte through `AZ`, as four upper-case hex digits; a frame is intact when its bytes
//! and the checksum's value sum to zero (mod 2¹⁶). Text is UTF-8 (screen messages are
//! Japanese); fixed fields are ASCII.
//!
//! ```
//! use bunko::sip2::codec::{Checksum, Command, Message, decode};
//!
//! // 93: login, with UID and password algorithms 0 (plain).
//! let login = Message::new(Command::Login, "00")?.with("CN", "kiosk").with("CO", "secret").with_sequence(Some(1));
//! let frame = login.encode();
//! assert_eq!(frame, b"9300CNkiosk|COsecret|AY1AZF70C\r");
//! let (parsed, checksum) = decode(&frame)?;
//! assert_eq!((parsed.field("CN"), checksum), (Some("kiosk"), Checksum::Verified));
//! # Ok::<(), bunko::sip2::codec::CodecError>(())
//! ```

use std::fmt;

/// Longest value of a variable field in bytes (SIP2 2.00 allows 255).
pub const MAX_FIELD: usize = 255;

/// The messages bunko knows, requests and responses, with their fixed-field lengths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Command {
    PatronStatus,
    PatronStatusResponse,
    Checkout,
    CheckoutResponse,
    Checkin,
    CheckinResponse,
    BlockPatron,
    ScStatus,
    AcsStatus,
    RequestScResend,
    RequestAcsResend,
    Login,
    LoginResponse,
    PatronInformation,
    PatronInformationResponse,
    EndPatronSession,
    EndSessionResponse,
    FeePaid,
    FeePaidResponse,
    ItemInformation,
    ItemInformationResponse,
    ItemStatusUpdate,
    ItemStatusUpdateResponse,
    PatronEnable,
    PatronEnableResponse,
    Hold,
    HoldResponse,
    Renew,
    RenewResponse,
    RenewAll,
    RenewAllResponse,
}

/// (command, code, length of the fixed fields), from the SIP2 2.00 specification.
const COMMANDS: &[(Command, &str, usize)] = &[
    (Command::PatronStatus, "23", 3 + 18),
    (Command::PatronStatusResponse, "24", 14 + 3 + 18),
    (Command::Checkout, "11", 1 + 1 + 18 + 18),
    (Command::CheckoutResponse, "12", 1 + 1 + 1 + 1 + 18),
    (Command::Checkin, "09", 1 + 18 + 18),
    (Command::CheckinResponse, "10", 1 + 1 + 1 + 1 + 18),
    (Command::BlockPatron, "01", 1 + 18),
    (Command::ScStatus, "99", 1 + 3 + 4),
    (Command::AcsStatus, "98", 6 + 3 + 3 + 18 + 4),
    (Command::RequestScResend, "96", 0),
    (Command::RequestAcsResend, "97", 0),
    (Command::Login, "93", 1 + 1),
    (Command::LoginResponse, "94", 1),
    (Command::PatronInformation, "63", 3 + 18 + 10),
    (Command::PatronInformationResponse, "64", 14 + 3 + 18 + 6 * 4),
    (Command::EndPatronSession, "35", 18),
    (Command::EndSessionResponse, "36", 1 + 18),
    (Command::FeePaid, "37", 18 + 2 + 2 + 3),
    (Command::FeePaidResponse, "38", 1 + 18),
    (Command::ItemInformation, "17", 18),
    (Command::ItemInformationResponse, "18", 2 + 2 + 2 + 18),
    (Command::ItemStatusUpdate, "19", 18),
    (Command::ItemStatusUpdateResponse, "20", 1 + 18),
    (Command::PatronEnable, "25", 18),
    (Command::PatronEnableResponse, "26", 14 + 3 + 18),
    (Command::Hold, "15", 1 + 18),
    (Command::HoldResponse, "16", 1 + 1 + 18),
    (Command::Renew, "29", 1 + 1 + 18 + 18),
    (Command::RenewResponse, "30", 1 + 1 + 1 + 1 + 18),
    (Command::RenewAll, "65", 18),
    (Command::RenewAllResponse, "66", 1 + 4 + 4 + 18),
];

impl Command {
    /// Every command, in the specification's order.
    pub const ALL: [Command; 31] = {
        let mut all = [Command::PatronStatus; 31];
        let mut i = 0;
        while i < COMMANDS.len() {
            all[i] = COMMANDS[i].0;
            i += 1;
        }
        all
    };

    fn entry(self) -> (Command, &'static str, usize) {
        *COMMANDS.iter().find(|(c, _, _)| *c == self).expect("every command is in the table")
    }

    /// The two-digit code on the wire (`"11"` for a checkout).
    #[must_use]
    pub fn code(self) -> &'static str {
        self.entry().1
    }

    /// The total length of the fixed fields in bytes.
    #[must_use]
    pub fn fixed_len(self) -> usize {
        self.entry().2
    }

    /// The command with this two-digit code.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Command> {
        COMMANDS.iter().find(|(_, c, _)| *c == code).map(|(c, _, _)| *c)
    }

    /// `96` and `97` carry only a checksum, never a sequence number.
    fn is_resend(self) -> bool {
        matches!(self, Command::RequestScResend | Command::RequestAcsResend)
    }
}

/// A message: command, fixed fields (one ASCII string of exactly [`Command::fixed_len`]
/// bytes), variable fields in order (identifiers may repeat), sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    command: Command,
    fixed: String,
    fields: Vec<([u8; 2], String)>,
    sequence: Option<u8>,
}

/// Why a frame or a message was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CodecError {
    /// Fewer than two bytes: no command.
    Empty,
    /// A two-digit code bunko does not know.
    UnknownCommand(String),
    /// Fewer fixed-field bytes than the command needs, or not ASCII.
    FixedFields {
        /// The command.
        command: Command,
        /// Bytes it needs.
        expected: usize,
    },
    /// The checksum does not match the bytes.
    BadChecksum,
    /// A trailer that is not `AYn` / `AZxxxx`.
    BadTrailer,
    /// A variable field without a two-letter identifier, too long, or with a control
    /// character or a `|` in its value.
    BadField {
        /// Byte offset in the frame.
        at: usize,
    },
    /// The bytes are not UTF-8.
    NotUtf8,
}

impl fmt::Display for CodecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CodecError::Empty => write!(f, "empty frame"),
            CodecError::UnknownCommand(c) => write!(f, "unknown command {c:?}"),
            CodecError::FixedFields { command, expected } => {
                write!(f, "command {} needs {expected} ASCII bytes of fixed fields", command.code())
            }
            CodecError::BadChecksum => write!(f, "checksum does not match"),
            CodecError::BadTrailer => write!(f, "malformed AY/AZ trailer"),
            CodecError::BadField { at } => write!(f, "malformed variable field at byte {at}"),
            CodecError::NotUtf8 => write!(f, "not UTF-8"),
        }
    }
}

impl std::error::Error for CodecError {}

/// Whether a decoded frame carried a checksum (it was verified if so).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checksum {
    /// `AZ` was present and correct.
    Verified,
    /// No `AZ`: error detection was off at the sender.
    Absent,
}

/// The checksum of `bytes` (everything from the command through `AZ`): four upper-case hex
/// digits of the two's complement of the low 16 bits of the byte sum.
#[must_use]
pub fn checksum(bytes: &[u8]) -> String {
    let sum = bytes.iter().fold(0u16, |s, &b| s.wrapping_add(u16::from(b)));
    format!("{:04X}", sum.wrapping_neg())
}

fn valid_value(value: &str) -> bool {
    value.len() <= MAX_FIELD && !value.bytes().any(|b| b == b'|' || b < 0x20 || b == 0x7f)
}

fn valid_id(id: [u8; 2]) -> bool {
    id.iter().all(u8::is_ascii_uppercase)
}

impl Message {
    /// A message with its fixed fields, as one string (e.g. `"Y"` + `"N"` + a date).
    ///
    /// # Errors
    ///
    /// [`CodecError::FixedFields`] when `fixed` is not ASCII of the command's fixed length, or
    /// holds a control character.
    pub fn new(command: Command, fixed: impl Into<String>) -> Result<Message, CodecError> {
        let fixed = fixed.into();
        if fixed.len() != command.fixed_len() || !fixed.bytes().all(|b| (0x20..0x7f).contains(&b)) {
            return Err(CodecError::FixedFields { command, expected: command.fixed_len() });
        }
        Ok(Message { command, fixed, fields: Vec::new(), sequence: None })
    }

    /// Adds a variable field. A value the wire cannot carry is made safe: `|` and control
    /// characters become spaces, and it is cut to [`MAX_FIELD`] bytes at a character boundary.
    ///
    /// # Panics
    ///
    /// If `id` is not two upper-case ASCII letters (a programming error).
    #[must_use]
    pub fn with(mut self, id: &str, value: impl AsRef<str>) -> Message {
        self.push(id, value.as_ref());
        self
    }

    /// Adds a variable field in place; see [`Message::with`].
    ///
    /// # Panics
    ///
    /// If `id` is not two upper-case ASCII letters (a programming error).
    pub fn push(&mut self, id: &str, value: &str) {
        let id: [u8; 2] = id.as_bytes().try_into().expect("a two-letter field identifier");
        assert!(
            valid_id(id) && id != *b"AY" && id != *b"AZ",
            "field identifiers are two upper-case letters, not AY/AZ"
        );
        let mut clean: String = value.chars().map(|c| if c == '|' || c.is_control() { ' ' } else { c }).collect();
        if clean.len() > MAX_FIELD {
            let mut end = MAX_FIELD;
            while !clean.is_char_boundary(end) {
                end -= 1;
            }
            clean.truncate(end);
        }
        self.fields.push((id, clean));
    }

    /// Sets the sequence number (`AY`, 0–9); ignored for `96`/`97`.
    #[must_use]
    pub fn with_sequence(mut self, sequence: Option<u8>) -> Message {
        self.sequence = if self.command.is_resend() { None } else { sequence.map(|s| s % 10) };
        self
    }

    /// The command.
    #[must_use]
    pub fn command(&self) -> Command {
        self.command
    }

    /// The fixed fields as one string.
    #[must_use]
    pub fn fixed(&self) -> &str {
        &self.fixed
    }

    /// `len` bytes of the fixed fields from `at`; empty if out of range.
    #[must_use]
    pub fn fixed_at(&self, at: usize, len: usize) -> &str {
        self.fixed.get(at..at + len).unwrap_or("")
    }

    /// The first value of the field `id`.
    #[must_use]
    pub fn field(&self, id: &str) -> Option<&str> {
        self.fields.iter().find(|(k, _)| k == id.as_bytes()).map(|(_, v)| v.as_str())
    }

    /// Every value of the field `id`, in order (for repeatable fields such as `AF`).
    pub fn fields_named<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.fields.iter().filter(move |(k, _)| k == id.as_bytes()).map(|(_, v)| v.as_str())
    }

    /// Every variable field, in order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(k, v)| (std::str::from_utf8(k).unwrap_or("??"), v.as_str()))
    }

    /// The sequence number, if any.
    #[must_use]
    pub fn sequence(&self) -> Option<u8> {
        self.sequence
    }

    /// The frame: message, `AYn` if a sequence number is set, `AZxxxx`, and the carriage
    /// return.
    #[must_use]
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 + self.fixed.len());
        out.extend_from_slice(self.command.code().as_bytes());
        out.extend_from_slice(self.fixed.as_bytes());
        for (id, value) in &self.fields {
            out.extend_from_slice(id);
            out.extend_from_slice(value.as_bytes());
            out.push(b'|');
        }
        if let Some(seq) = self.sequence {
            out.extend_from_slice(b"AY");
            out.push(b'0' + seq);
        }
        out.extend_from_slice(b"AZ");
        let sum = checksum(&out);
        out.extend_from_slice(sum.as_bytes());
        out.push(b'\r');
        out
    }
}

/// Parses one frame (the trailing carriage return, and a line feed after it, are optional).
///
/// A frame with `AZ` must have a correct checksum; one without is returned as
/// [`Checksum::Absent`], for the caller to accept or not.
///
/// # Errors
///
/// Every [`CodecError`]: an unknown command, missing fixed fields, a bad checksum or
/// trailer, a malformed variable field, bytes that are not UTF-8.
pub fn decode(frame: &[u8]) -> Result<(Message, Checksum), CodecError> {
    let mut frame = frame;
    while let [rest @ .., b'\r' | b'\n'] = frame {
        frame = rest;
    }
    if frame.len() < 2 {
        return Err(CodecError::Empty);
    }
    // Trailer: ...AYnAZxxxx or ...AZxxxx.
    let (body, checked) = match frame.len().checked_sub(6).map(|at| (at, &frame[at..])) {
        Some((at, [b'A', b'Z', hex @ ..])) if hex.iter().all(u8::is_ascii_hexdigit) => {
            let value = u16::from_str_radix(std::str::from_utf8(hex).map_err(|_| CodecError::BadTrailer)?, 16)
                .map_err(|_| CodecError::BadTrailer)?;
            let sum = frame[..at + 2].iter().fold(value, |s, &b| s.wrapping_add(u16::from(b)));
            if sum != 0 {
                return Err(CodecError::BadChecksum);
            }
            (&frame[..at], Checksum::Verified)
        }
        _ => (frame, Checksum::Absent),
    };
    if body.len() < 2 {
        return Err(CodecError::Empty);
    }
    let code = std::str::from_utf8(&body[..2]).map_err(|_| CodecError::UnknownCommand(hex(&body[..2])))?;
    let command = Command::from_code(code).ok_or_else(|| CodecError::UnknownCommand(code.to_owned()))?;
    // `AYn` after the fixed fields is the sequence number (never inside them).
    let (body, sequence) = match body {
        [rest @ .., b'A', b'Y', d] if d.is_ascii_digit() && rest.len() >= 2 + command.fixed_len() => {
            (rest, Some(d - b'0'))
        }
        _ => (body, None),
    };
    let rest = &body[2..];
    let n = command.fixed_len();
    let fixed = rest.get(..n).filter(|f| f.iter().all(|b| (0x20..0x7f).contains(b)));
    let Some(fixed) = fixed else {
        return Err(CodecError::FixedFields { command, expected: n });
    };
    let fixed = String::from_utf8(fixed.to_vec()).map_err(|_| CodecError::NotUtf8)?;
    let mut message = Message { command, fixed, fields: Vec::new(), sequence: None };
    let mut at = 2 + n;
    let mut rest = &rest[n..];
    while !rest.is_empty() {
        let Some(&[a, b]) = rest.get(..2).map(|s| <&[u8; 2]>::try_from(s).expect("two bytes")) else {
            return Err(CodecError::BadField { at });
        };
        if !valid_id([a, b]) {
            return Err(CodecError::BadField { at });
        }
        if [a, b] == *b"AY" || [a, b] == *b"AZ" {
            // A trailer left over: damaged, misplaced or not four hex digits.
            return Err(CodecError::BadTrailer);
        }
        // The last field's `|` is often left out before the trailer.
        let end = rest[2..].iter().position(|&c| c == b'|').map_or(rest.len(), |p| p + 2);
        let value = std::str::from_utf8(&rest[2..end]).map_err(|_| CodecError::NotUtf8)?;
        if !valid_value(value) {
            return Err(CodecError::BadField { at });
        }
        message.fields.push(([a, b], value.to_owned()));
        let used = (end + 1).min(rest.len());
        at += used;
        rest = &rest[used..];
    }
    Ok((message.with_sequence(sequence), checked))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_checksum() {
        // From the Sip2 client's comments, confirmed by its author against a server.
        let msg = "09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZ";
        assert_eq!(checksum(msg.as_bytes()), "EB80");
        let frame = format!("{msg}EB80\r");
        let (m, c) = decode(frame.as_bytes()).unwrap();
        assert_eq!(c, Checksum::Verified);
        assert_eq!(m.command(), Command::Checkin);
        assert_eq!(m.field("AB"), Some("830$28170815"));
        assert_eq!(m.field("AC"), Some(""));
        assert_eq!(m.sequence(), Some(2));
        assert_eq!(m.encode(), frame.as_bytes());
    }

    #[test]
    fn damage_is_refused() {
        let frame = Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with_sequence(Some(1)).encode();
        let mut bad = frame.clone();
        bad[5] ^= 1;
        assert_eq!(decode(&bad), Err(CodecError::BadChecksum));
        assert!(matches!(decode(b"11NN2026"), Err(CodecError::FixedFields { .. })));
        assert!(matches!(decode(b"XX"), Err(CodecError::UnknownCommand(_))));
        assert!(matches!(decode(b"930"), Err(CodecError::FixedFields { .. })));
        assert_eq!(decode(b"9300CNa|AZ12"), Err(CodecError::BadTrailer));
    }
}
