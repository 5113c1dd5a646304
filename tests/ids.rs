//! Ids as a web host uses them: built from a number in a URL, printed, parsed and sent as JSON.
//! An id names a record, not whose it is: another patron's id is not found (issue #16).

mod common;

use std::fmt::{Debug, Display};
use std::num::IntErrorKind;
use std::str::FromStr;

use bunko::alerts::SearchId;
use bunko::catalog::{CopyId, TitleId};
use bunko::circulation::LoanId;
use bunko::holds::{HoldId, HoldRequest};
use bunko::notify::NoticeId;
use bunko::patrons::PatronId;
use bunko::policy::ContactMethod;
use bunko::shelves::{BooklistId, GoalId};
use bunko::{Entity, Error, ParseIdError};
use common::World;

/// The last path segment of a URL such as `/holds/42/cancel`'s `42`, as a host's router gives it.
fn segment(path: &str, at: usize) -> &str {
    path.split('/').nth(at).unwrap()
}

#[test]
fn kanagawa_a_hold_id_from_a_url_cancels_only_its_own_patrons_hold() {
    let mut w = World::new("kanagawa", "2026-06-01");
    let t = w.title("貸出中の本");
    let c = w.copy_of(t, "honkan", "book");
    let borrower = w.patron();
    w.lib.checkout(&c, borrower, "honkan").unwrap();
    let owner = w.patron();
    let stranger = w.patron();
    let hold = w.lib.place_hold(owner, t, &HoldRequest::web("honkan", ContactMethod::None).at_counter()).unwrap();

    // The host renders the id into a URL, and later reads it back from the request.
    let path = format!("/holds/{hold}/cancel");
    let from_url: HoldId = segment(&path, 2).parse().unwrap();
    assert_eq!(from_url, hold);
    assert_eq!(HoldId::from(hold.get()), hold);

    // Another patron's session posting that URL finds nothing to cancel, and nothing changes.
    let err = w.lib.cancel_hold(stranger, from_url).unwrap_err();
    assert!(matches!(&err, Error::NotFound { entity: Entity::Hold, key } if *key == hold.to_string()), "{err}");
    assert_eq!(w.lib.patron_holds(owner).unwrap().len(), 1);
    assert!(w.lib.patron_holds(stranger).unwrap().is_empty());

    // The owner's own request does cancel it.
    w.lib.cancel_hold(owner, from_url).unwrap();
    assert!(w.lib.cancel_hold(owner, HoldId::from(hold.get() + 1000)).is_err());
}

/// Runs `$body` once for every public id type, named `$id` inside it.
macro_rules! for_each_id {
    ($id:ident => $body:block) => {
        for_each_id!(@each $id $body; PatronId, TitleId, CopyId, LoanId, HoldId, NoticeId, BooklistId, SearchId, GoalId)
    };
    (@each $id:ident $body:block; $($ty:ident),+) => {
        $({ type $id = $ty; $body })+
    };
}

/// `Display` writes the number, `FromStr` reads it back, `From<i64>` builds the same id.
fn round_trips<Id>(n: i64)
where
    Id: From<i64> + Display + FromStr<Err = ParseIdError> + PartialEq + Debug + Copy,
{
    let id = Id::from(n);
    assert_eq!(id.to_string(), n.to_string());
    assert_eq!(id.to_string().parse::<Id>().unwrap(), id);
}

#[test]
fn every_id_prints_and_parses_as_its_number() {
    for n in [0, 1, 42, i64::MAX] {
        for_each_id!(Id => {
            round_trips::<Id>(n);
            assert_eq!(Id::from(n).get(), n);
        });
    }
}

#[test]
fn a_text_that_is_not_a_number_is_a_typed_parse_error_naming_the_id() {
    let cases = [
        ("", IntErrorKind::Empty, "invalid hold id: it is empty"),
        ("4x", IntErrorKind::InvalidDigit, "invalid hold id: it is not a decimal number"),
        (" 42", IntErrorKind::InvalidDigit, "invalid hold id: it is not a decimal number"),
        ("4.2", IntErrorKind::InvalidDigit, "invalid hold id: it is not a decimal number"),
        // Ids are positive: a sign is refused, though `i64` would take it (#16 review).
        ("-7", IntErrorKind::InvalidDigit, "invalid hold id: it is not a decimal number"),
        ("+7", IntErrorKind::InvalidDigit, "invalid hold id: it is not a decimal number"),
        ("99999999999999999999", IntErrorKind::PosOverflow, "invalid hold id: the number is out of range"),
    ];
    for (text, kind, message) in cases {
        let err = text.parse::<HoldId>().unwrap_err();
        assert_eq!((err.id(), err.kind(), err.to_string().as_str()), ("hold id", &kind, message), "{text:?}");
        assert!(std::error::Error::source(&err).is_some());
    }
    assert_eq!("x".parse::<SearchId>().unwrap_err().id(), "saved search id");
}

#[cfg(feature = "serde")]
#[test]
fn every_id_is_a_plain_json_number() {
    fn json<Id>(n: i64)
    where
        Id: From<i64> + serde::Serialize + serde::de::DeserializeOwned + PartialEq + Debug,
    {
        let id = Id::from(n);
        let text = serde_json::to_string(&id).unwrap();
        assert_eq!(text, n.to_string());
        assert_eq!(serde_json::from_str::<Id>(&text).unwrap(), id);
        assert!(serde_json::from_str::<Id>(&format!("\"{n}\"")).is_err(), "a string is not an id");
    }
    for n in [0, 42, i64::MAX] {
        for_each_id!(Id => { json::<Id>(n) });
    }
    let hold = HoldId::from(42);
    assert_eq!(serde_json::to_string(&serde_json::json!({ "hold": hold })).unwrap(), r#"{"hold":42}"#);
}
