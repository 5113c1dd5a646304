//! ISBN (国際標準図書番号) checking: a title's ISBN is stored as ISBN-13, so one book has one
//! stored form whichever way it was typed.

use std::fmt;
use unicode_normalization::UnicodeNormalization;

/// What is wrong with a text given as an ISBN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IsbnError {
    /// Not 10 or 13 characters once hyphens and spaces are removed; holds the count.
    Length(usize),
    /// A character that is not a digit (nor the X of an ISBN-10's check digit).
    NotADigit(char),
    /// An X anywhere but as the check digit of an ISBN-10.
    MisplacedX,
    /// An ISBN-13 that starts with neither 978 nor 979.
    Prefix,
    /// The check digit does not match the other digits.
    CheckDigit {
        /// The check digit the other digits give.
        expected: char,
        /// The check digit written.
        found: char,
    },
}

impl fmt::Display for IsbnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsbnError::Length(n) => write!(f, "{n} characters without hyphens and spaces; an ISBN has 10 or 13 digits"),
            IsbnError::NotADigit(c) => write!(f, "`{c}` is not a digit"),
            IsbnError::MisplacedX => f.write_str("X is allowed only as the last character of an ISBN-10"),
            IsbnError::Prefix => f.write_str("an ISBN-13 starts with 978 or 979"),
            IsbnError::CheckDigit { expected, found } => {
                write!(f, "the check digit is {found}, but the other digits give {expected}")
            }
        }
    }
}

impl std::error::Error for IsbnError {}

/// Checks an ISBN-10 or ISBN-13 by its check digit and returns it as the 13 digits of its
/// ISBN-13 (an ISBN-10 gains the 978 prefix and a new check digit). Full-width characters
/// are read as their ASCII forms (NFKC), hyphens (and dashes) and spaces are ignored, and an
/// ISBN-10's check digit may be `X` or `x`.
///
/// # Examples
/// ```
/// use bunko::catalog::{IsbnError, normalize_isbn};
///
/// assert_eq!(normalize_isbn("4-06-263420-1"), Ok("9784062634205".to_string()));
/// assert_eq!(normalize_isbn("978-4-06-263420-5"), Ok("9784062634205".to_string()));
/// assert_eq!(normalize_isbn("９７８－４－０６－２６３４２０－５"), Ok("9784062634205".to_string()));
/// assert_eq!(normalize_isbn("4-06-263420-2"), Err(IsbnError::CheckDigit { expected: '1', found: '2' }));
/// ```
///
/// # Errors
///
/// An [`IsbnError`] saying what is wrong: length, a non-digit, a misplaced `X`, the prefix, or the check digit.
pub fn normalize_isbn(isbn: &str) -> Result<String, IsbnError> {
    // NFKC first: full-width digits, hyphens and spaces (９７８－４…) as typed in Japan.
    let chars: Vec<char> =
        isbn.nfkc().filter(|c| !matches!(c, '-' | ' ' | '\u{2010}'..='\u{2015}' | '\u{2212}')).collect();
    let n = chars.len();
    if n != 10 && n != 13 {
        return Err(IsbnError::Length(n));
    }
    let mut digits = Vec::with_capacity(n);
    for (i, c) in chars.iter().enumerate() {
        match c.to_digit(10) {
            Some(d) => digits.push(d),
            None if c.eq_ignore_ascii_case(&'x') && i == 9 && n == 10 => digits.push(10),
            None if c.eq_ignore_ascii_case(&'x') => return Err(IsbnError::MisplacedX),
            None => return Err(IsbnError::NotADigit(*c)),
        }
    }
    let (body, written) = digits.split_at(n - 1);
    let body: Vec<u32> = if n == 10 {
        check(isbn10_check_digit(body), written[0])?;
        [9, 7, 8].into_iter().chain(body.iter().copied()).collect()
    } else if body.starts_with(&[9, 7, 8]) || body.starts_with(&[9, 7, 9]) {
        check(isbn13_check_digit(body), written[0])?;
        body.to_vec()
    } else {
        return Err(IsbnError::Prefix);
    };
    let check = isbn13_check_digit(&body);
    Ok(body.iter().chain([check].iter()).map(|&d| digit_char(d)).collect())
}

/// The ISBN-10 check digit of the first nine digits (weights 10 down to 2, modulus 11; 10 is X).
fn isbn10_check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip((2..=10).rev()).map(|(d, w)| d * w).sum();
    (11 - sum % 11) % 11
}

/// The ISBN-13 check digit of the first twelve digits (weights 1 and 3, modulus 10).
fn isbn13_check_digit(body: &[u32]) -> u32 {
    let sum: u32 = body.iter().zip([1, 3].into_iter().cycle()).map(|(d, w)| d * w).sum();
    (10 - sum % 10) % 10
}

fn check(expected: u32, found: u32) -> Result<(), IsbnError> {
    if expected == found {
        Ok(())
    } else {
        Err(IsbnError::CheckDigit { expected: digit_char(expected), found: digit_char(found) })
    }
}

/// `0`–`9`, or `X` for 10.
fn digit_char(d: u32) -> char {
    char::from_digit(d, 10).unwrap_or('X')
}
