//! How a decision serializes (serde feature): `{"allowed": true, ...}` when it went through,
//! `{"allowed": false, "reasons": [...]}` with every reason when refused, rather than serde's
//! `{"Ok": ...}` / `{"Err": ...}`, so a host's JSON reads the same for every decision.

use chrono::NaiveDate;
use serde::Serializer;
use serde::ser::SerializeStruct;

use crate::policy::Refusal;

/// An action allowed or refused: `{"allowed": true}` or `{"allowed": false, "reasons": [...]}`.
pub(crate) fn action<S: Serializer>(decision: &Result<(), Refusal>, serializer: S) -> Result<S::Ok, S::Error> {
    match decision {
        Ok(()) => {
            let mut s = serializer.serialize_struct("Decision", 1)?;
            s.serialize_field("allowed", &true)?;
            s.end()
        }
        Err(refusal) => refused(refusal, serializer),
    }
}

/// A renewal: `{"allowed": true, "due_on": "…"}` or `{"allowed": false, "reasons": [...]}`.
pub(crate) fn renewal<S: Serializer>(decision: &Result<NaiveDate, Refusal>, serializer: S) -> Result<S::Ok, S::Error> {
    match decision {
        Ok(due_on) => {
            let mut s = serializer.serialize_struct("Decision", 2)?;
            s.serialize_field("allowed", &true)?;
            s.serialize_field("due_on", due_on)?;
            s.end()
        }
        Err(refusal) => refused(refusal, serializer),
    }
}

fn refused<S: Serializer>(refusal: &Refusal, serializer: S) -> Result<S::Ok, S::Error> {
    let mut s = serializer.serialize_struct("Decision", 2)?;
    s.serialize_field("allowed", &false)?;
    s.serialize_field("reasons", &refusal.reasons)?;
    s.end()
}
