//! ISBNs are checked by their check digit and stored as ISBN-13 (issue #16). Every check digit
//! below was computed by hand (ISBN-10: weights 10..2, modulus 11; ISBN-13: weights 1, 3,
//! modulus 10) and is also the one the publisher printed.

mod common;

use bunko::Error;
use bunko::catalog::{IsbnError, NewTitle, normalize_isbn};
use common::World;

/// (as typed, stored form): real books, each by its ISBN-10 and ISBN-13.
const GOOD: [(&str, &str); 10] = [
    ("4-10-109205-2", "9784101092058"),     // 新潮文庫, ISBN-10
    ("978-4-10-109205-8", "9784101092058"), // the same book, ISBN-13
    ("4-06-263420-1", "9784062634205"),     // 講談社文庫, ISBN-10
    ("978 4 06 263420 5", "9784062634205"), // spaces instead of hyphens
    ("4003107616", "9784003107614"),        // 岩波文庫, bare ISBN-10
    ("9784003107614", "9784003107614"),     // bare ISBN-13
    ("0-8044-2957-X", "9780804429573"),     // an ISBN-10 whose check digit is X
    ("0-8044-2957-x", "9780804429573"),     // lower-case x
    ("0-306-40615-2", "9780306406157"),
    ("979-10-90636-07-1", "9791090636071"), // a 979 ISBN-13 has no ISBN-10
];

/// As typed on a Japanese keyboard: full-width digits and hyphens, other dashes (#16 review).
#[test]
fn full_width_and_dashed_isbns_are_read_as_typed_in_japan() {
    for typed in [
        "９７８－４－０６－２６３４２０－５",
        "４‐０６‐２６３４２０‐１",
        "978−4−06−263420−5",
        "４ ０６ ２６３４２０ １",
    ] {
        assert_eq!(normalize_isbn(typed).as_deref(), Ok("9784062634205"), "{typed}");
    }
    assert_eq!(
        normalize_isbn("９７８－４－０６－２６３４２０－６"),
        Err(IsbnError::CheckDigit { expected: '5', found: '6' })
    );
}

#[test]
fn valid_isbn_10_and_13_are_stored_as_isbn_13() {
    for (typed, stored) in GOOD {
        assert_eq!(normalize_isbn(typed).as_deref(), Ok(stored), "{typed}");
    }
}

#[test]
fn every_single_wrong_digit_is_caught() {
    for (typed, _) in GOOD {
        let clean: Vec<char> = typed.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        for at in 0..clean.len() {
            for wrong in ('0'..='9').filter(|&d| d != clean[at]) {
                let mut changed = clean.clone();
                changed[at] = wrong;
                let text: String = changed.into_iter().collect();
                assert!(normalize_isbn(&text).is_err(), "{text} (from {typed})");
            }
        }
    }
}

#[test]
fn wrong_isbns_say_what_is_wrong() {
    let cases = [
        ("4-10-109205-4", IsbnError::CheckDigit { expected: '2', found: '4' }),
        ("978-4-10-109205-2", IsbnError::CheckDigit { expected: '8', found: '2' }),
        ("978-4-00-310761-6", IsbnError::CheckDigit { expected: '4', found: '6' }),
        ("0-306-40615-X", IsbnError::CheckDigit { expected: '2', found: 'X' }),
        ("97840031", IsbnError::Length(8)),
        ("978-4-10-109205-88", IsbnError::Length(14)),
        ("", IsbnError::Length(0)),
        ("4-1O-109205-2", IsbnError::NotADigit('O')),
        ("十-10-109205-2", IsbnError::NotADigit('十')),
        ("X-10-109205-2", IsbnError::MisplacedX),
        ("978-4-10-10920X-8", IsbnError::MisplacedX),
        ("491-0-12345-678-9", IsbnError::Prefix),
    ];
    for (typed, error) in cases {
        assert_eq!(normalize_isbn(typed), Err(error), "{typed}");
    }
}

#[test]
fn a_title_with_a_wrong_isbn_is_refused_naming_the_field_and_the_reason() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let err = w.lib.add_title(NewTitle { isbn: "4-10-109205-4".into(), ..NewTitle::new("こころ") }).unwrap_err();
    match err {
        Error::InvalidInput { field: "isbn", reason } => {
            assert_eq!(reason, "`4-10-109205-4`: the check digit is 4, but the other digits give 2")
        }
        other => panic!("expected InvalidInput on isbn, got {other}"),
    }
    let t = w.lib.add_title(NewTitle { isbn: " 4-10-109205-2 ".into(), ..NewTitle::new("こころ") }).unwrap();
    assert_eq!(w.lib.title(t).unwrap().isbn, "9784101092058");
    let none = w.lib.add_title(NewTitle::new("ISBN のない本")).unwrap();
    assert_eq!(w.lib.title(none).unwrap().isbn, "");
}
