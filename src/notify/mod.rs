//! Notifications as rows of a transactional outbox: written in the same transaction as the
//! change they announce, drained and delivered by the host. The engine never sends anything
//! itself.
//!
//! # Draining the outbox
//!
//! Any number of drainers (threads or processes, each with its own [`Library`](crate::Library))
//! may run at once:
//!
//! 1. [`Library::claim_notices`](crate::Library::claim_notices)`(limit, lease)` hands out
//!    notices no other drainer holds, each leased to this drainer for `lease`;
//! 2. deliver each by its [`channel`](Notice::channel), passing [`Notice::key`] to the mail
//!    system as its idempotency key (for example a `Message-ID` or an API's idempotency
//!    header);
//! 3. report [`mark_delivered`](crate::Library::mark_delivered) for those sent and
//!    [`mark_failed`](crate::Library::mark_failed) for those that were not.
//!
//! **The guarantee is at-least-once delivery with a stable key.** While a lease holds, no other
//! drainer is handed the notice. A notice is forgotten only when it is marked delivered, so a
//! drainer that crashes between sending and marking causes a resend once its lease expires,
//! with the same [`key`](Notice::key): a mail system that deduplicates on the key delivers it
//! once. Choose a lease longer than a delivery takes; a notice still being sent when its lease
//! expires may be handed to another drainer too (again with the same key). The first
//! `mark_delivered` wins; later marks of the same notice are ignored.
//!
//! A failed attempt is retried after a back-off that doubles with each attempt
//! ([`retry_delay`]); after [`MAX_DELIVERY_ATTEMPTS`] attempts the notice is *held*: it stays
//! in the outbox, visible to [`pending_notices`](crate::Library::pending_notices) with
//! [`Notice::is_held`], and no drainer gets it until staff put it back
//! ([`retry_notices`](crate::Library::retry_notices)) or mark it delivered some other way.
//! A crash counts as an attempt too, so a notice that keeps crashing its drainer is held as
//! well.

mod outbox;
mod render;

pub use outbox::{MAX_DELIVERY_ATTEMPTS, MAX_LEASE, MAX_NOTICE_BATCH, retry_delay};
pub use render::{NoticeText, render};

use chrono::{DateTime, NaiveDate, Utc};

use crate::Lang;
use crate::circulation::LoanId;
use crate::holds::HoldId;
use crate::patrons::PatronId;
use crate::policy::ContactMethod;

crate::id::define_id! {
    /// Identifies a notice.
    NoticeId, "notice id"
}

/// What a notice announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum NoticeKind {
    /// A hold was placed (optional confirmation, fukushima, R-H11).
    HoldPlaced,
    /// A copy is on the hold shelf until the pickup deadline (R-H11).
    HoldReady,
    /// A copy was secured at another branch and is on its way (他館確保, R-H6).
    HoldInTransit,
    /// A copy was dispatched to a partner library and the loan started (R-H12).
    HoldDispatched,
    /// The pickup deadline passed and the hold was cancelled (R-H9).
    HoldExpired,
    /// Staff cancelled or rejected the hold.
    HoldCancelled,
    /// The copy the patron was told is ready or on its way was marked lost, damaged or
    /// withdrawn: the hold is back in the queue at its place (#17).
    HoldRequeued,
    /// Confirm a new e-mail address (R-C2): with the enclosed code where the policy requires one
    /// (secret until delivered), else only telling the patron it was registered.
    EmailConfirmation,
    /// A new e-mail address is registered (completion mail, chikushino, R-C2).
    EmailRegistered,
    /// Set a new password with the enclosed single-use code (R-A5). Secret until delivered.
    PasswordReset,
    /// A loan is due soon (opt-in, R-C6).
    DueReminder,
    /// New arrivals matching the patron's saved searches (R-N3).
    NewArrivals,
}

impl NoticeKind {
    /// Every kind, in declaration order: for a host that keeps a template or a setting per kind.
    /// The enum is `non_exhaustive`, so a later bunko may add kinds (and lists them here).
    pub const ALL: [NoticeKind; 12] = [
        NoticeKind::HoldPlaced,
        NoticeKind::HoldReady,
        NoticeKind::HoldInTransit,
        NoticeKind::HoldDispatched,
        NoticeKind::HoldExpired,
        NoticeKind::HoldCancelled,
        NoticeKind::HoldRequeued,
        NoticeKind::EmailConfirmation,
        NoticeKind::EmailRegistered,
        NoticeKind::PasswordReset,
        NoticeKind::DueReminder,
        NoticeKind::NewArrivals,
    ];
}

/// The facts a notice is rendered from, kept with the notice ([`Notice::facts`]) so a host can
/// render it in its own words ([`render`] gives bunko's Japanese and English).
///
/// Its `Debug` form hides the code, and so does its serde form (`"code": null`): a host that
/// must hand the code on reads the field, or serializes the whole notice with
/// [`Notice::serialize_in_clear`].
#[derive(Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct NoticeFacts {
    /// Library display name.
    pub library: String,
    /// Patron's name.
    pub patron_name: String,
    /// Title of the item.
    pub title: String,
    /// Pickup location display name.
    pub pickup: String,
    /// Pickup deadline, for ready notices.
    pub pickup_deadline: Option<NaiveDate>,
    /// Expected arrival, for in-transit notices.
    pub arrives_on: Option<NaiveDate>,
    /// Due date, for dispatch notices.
    pub due_on: Option<NaiveDate>,
    /// Why a hold ended, for cancellations.
    pub reason: Option<String>,
    /// A single-use code for confirmations and resets.
    #[serde(serialize_with = "redacted")]
    pub code: Option<String>,
    /// Until when the code works.
    pub code_expires_at: Option<DateTime<Utc>>,
    /// For digests: per saved search, the matching titles.
    pub digest: Vec<(String, Vec<String>)>,
    /// For a hold back in the queue: the copy was lost on its way to a partner library's
    /// pickup, and the loan that began when it was dispatched (R-H12) is cancelled.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub loan_cancelled: bool,
}

impl NoticeFacts {
    /// Facts for a notice about `title` (may be empty) to `patron_name` from `library`.
    pub fn new(library: impl Into<String>, patron_name: impl Into<String>, title: impl Into<String>) -> Self {
        Self {
            library: library.into(),
            patron_name: patron_name.into(),
            title: title.into(),
            pickup: String::new(),
            pickup_deadline: None,
            arrives_on: None,
            due_on: None,
            reason: None,
            code: None,
            code_expires_at: None,
            digest: Vec::new(),
            loan_cancelled: false,
        }
    }
}

/// A notice in the outbox. Its `Debug` form hides the body of a notice carrying a code, and the
/// code in its facts; so does its serde form: a [`secret`](Notice::secret) notice serializes
/// with `"body": null` and the facts' `code` as `null`. A host that must hand them on (to a
/// mail service, say) asks for them explicitly with [`Notice::serialize_in_clear`].
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notice {
    /// Its id, for `mark_delivered`.
    pub id: NoticeId,
    /// Who it is for.
    pub patron: Option<PatronId>,
    /// What it announces.
    pub kind: NoticeKind,
    /// How to deliver it: a built-in method, or the code of a channel the policy declares
    /// (`sms`, `line`, ...) for the host to route.
    pub channel: ContactMethod,
    /// Where: an e-mail address or phone number, as the channel needs; none for post (use the
    /// patron's address) or a channel that needs nothing bunko keeps.
    pub address: Option<String>,
    /// The hold it is about, while that hold exists.
    pub hold: Option<HoldId>,
    /// The loan it is about (due reminders, dispatched holds), while that loan is open.
    pub loan: Option<LoanId>,
    /// Subject line, rendered in Japanese when the notice was written.
    pub subject: String,
    /// Plain-text body, rendered in Japanese when the notice was written.
    pub body: String,
    /// What the notice says, as data: render it with [`Notice::render`] in another language or
    /// in the host's own words. `None` for a notice written before schema V15 (its text is
    /// all there is).
    pub facts: Option<NoticeFacts>,
    /// The body carries a single-use code (a reset or an address confirmation): keep it out of
    /// logs; it is deleted once delivered and never re-sent.
    pub secret: bool,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// The idempotency key for the mail system: 32 lowercase hex digits, random per notice
    /// (never derived from the patron, the address or the text), the same however often the
    /// notice is claimed, and forgotten once it is delivered.
    pub key: String,
    /// How many times a drainer has been handed it ([`Library::claim_notices`](crate::Library::claim_notices)).
    pub attempts: u32,
}

impl Notice {
    /// The notice rendered from its facts in `lang`; `None` for a notice written before schema
    /// V15, which has only its Japanese [`subject`](Notice::subject) and [`body`](Notice::body).
    pub fn render(&self, lang: Lang) -> Option<NoticeText> {
        self.facts.as_ref().map(|facts| render(self.kind, facts, lang))
    }

    /// This drainer's claim on the notice, for [`Library::mark_failed`](crate::Library::mark_failed):
    /// its id and the attempt it was handed out as, so a failure reported after the lease ran
    /// out and another drainer claimed it cannot release that drainer's claim.
    #[must_use]
    pub fn claim(&self) -> NoticeClaim {
        NoticeClaim { id: self.id, attempt: self.attempts }
    }

    /// Held for staff: it used up [`MAX_DELIVERY_ATTEMPTS`], and no drainer gets it until
    /// [`Library::retry_notices`](crate::Library::retry_notices) puts it back.
    pub fn is_held(&self) -> bool {
        self.attempts >= MAX_DELIVERY_ATTEMPTS
    }
}

/// One drainer's claim on a notice ([`Notice::claim`]): the notice and the attempt it was
/// handed out as by [`Library::claim_notices`](crate::Library::claim_notices).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct NoticeClaim {
    /// The notice.
    pub id: NoticeId,
    /// Its attempt number when it was claimed ([`Notice::attempts`]).
    pub attempt: u32,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let body: &dyn std::fmt::Debug = if self.secret { &"<redacted: carries a code>" } else { &self.body };
        f.debug_struct("Notice")
            .field("id", &self.id)
            .field("patron", &self.patron)
            .field("kind", &self.kind)
            .field("channel", &self.channel)
            .field("address", &self.address)
            .field("hold", &self.hold)
            .field("loan", &self.loan)
            .field("subject", &self.subject)
            .field("body", body)
            .field("facts", &self.facts)
            .field("secret", &self.secret)
            .field("created_at", &self.created_at)
            .field("key", &self.key)
            .field("attempts", &self.attempts)
            .finish()
    }
}

#[cfg(feature = "serde")]
impl Notice {
    /// Serializes the notice with its body in clear, even when it carries a code: for the host
    /// that hands it to its own delivery, e.g. with `#[serde(serialize_with =
    /// "Notice::serialize_in_clear")]`. Plain `Serialize` writes a secret notice's body as `null`.
    ///
    /// # Errors
    /// Whatever the serializer reports.
    pub fn serialize_in_clear<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_fields(serializer, true)
    }

    fn serialize_fields<S: serde::Serializer>(&self, serializer: S, in_clear: bool) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let body = (in_clear || !self.secret).then_some(&self.body);
        let facts = self.facts.as_ref().map(|f| FactsAs { facts: f, in_clear });
        let mut s = serializer.serialize_struct("Notice", 14)?;
        s.serialize_field("id", &self.id)?;
        s.serialize_field("patron", &self.patron)?;
        s.serialize_field("kind", &self.kind)?;
        s.serialize_field("channel", &self.channel)?;
        s.serialize_field("address", &self.address)?;
        s.serialize_field("hold", &self.hold)?;
        s.serialize_field("loan", &self.loan)?;
        s.serialize_field("subject", &self.subject)?;
        s.serialize_field("body", &body)?;
        s.serialize_field("facts", &facts)?;
        s.serialize_field("secret", &self.secret)?;
        s.serialize_field("created_at", &self.created_at)?;
        s.serialize_field("key", &self.key)?;
        s.serialize_field("attempts", &self.attempts)?;
        s.end()
    }
}

/// Writes a code as `null`: `NoticeFacts`' own serde form never carries it.
fn redacted<S: serde::Serializer>(_: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_none()
}

/// Facts serialized with their code (the stored form, and [`Notice::serialize_in_clear`]) or
/// without it (their own serde form).
struct FactsAs<'a> {
    facts: &'a NoticeFacts,
    in_clear: bool,
}

impl serde::Serialize for FactsAs<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !self.in_clear {
            return self.facts.serialize(serializer);
        }
        let mut value = serde_json::to_value(self.facts).map_err(serde::ser::Error::custom)?;
        value["code"] = serde_json::Value::from(self.facts.code.clone());
        value.serialize(serializer)
    }
}

/// Like `Debug`, hides the body of a notice carrying a code (`"body": null`).
#[cfg(feature = "serde")]
impl serde::Serialize for Notice {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.serialize_fields(serializer, false)
    }
}

impl std::fmt::Debug for NoticeFacts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let code: &dyn std::fmt::Debug = if self.code.is_some() { &"<redacted>" } else { &None::<String> };
        f.debug_struct("NoticeFacts")
            .field("library", &self.library)
            .field("patron_name", &self.patron_name)
            .field("title", &self.title)
            .field("pickup", &self.pickup)
            .field("pickup_deadline", &self.pickup_deadline)
            .field("arrives_on", &self.arrives_on)
            .field("due_on", &self.due_on)
            .field("reason", &self.reason)
            .field("code", code)
            .field("code_expires_at", &self.code_expires_at)
            .field("digest", &self.digest)
            .field("loan_cancelled", &self.loan_cancelled)
            .finish()
    }
}

/// Where one notice goes.
pub(crate) struct Recipient<'a> {
    pub patron: PatronId,
    pub channel: ContactMethod,
    pub address: Option<&'a str>,
}

/// What a notice is about: it is forgotten with that hold or loan (R-R1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum About {
    /// Nothing that ends (codes, digests): forgotten at delivery.
    Nothing,
    /// A hold: forgotten when the hold ends or is collected.
    Hold(HoldId),
    /// A loan: forgotten when the loan is returned.
    Loan(LoanId),
}

/// Renders `kind` from `facts` in Japanese and writes it, with the facts, to the outbox in the
/// caller's transaction. Notices carrying a code are marked secret: they are deleted once
/// delivered, never re-sent.
pub(crate) fn enqueue(
    tx: &crate::store::Tx<'_>,
    kind: NoticeKind,
    facts: &NoticeFacts,
    to: &Recipient<'_>,
    about: About,
    now: DateTime<Utc>,
) -> crate::Result<NoticeId> {
    let text = render(kind, facts, Lang::Ja);
    // Without a code the stored form is the facts' own (`"code": null`): no detour through a
    // `serde_json::Value`, which every hold notice would otherwise pay for nothing.
    let stored = match facts.code {
        None => serde_json::to_string(facts),
        Some(_) => serde_json::to_string(&FactsAs { facts, in_clear: true }),
    };
    let facts = stored.map_err(|e| crate::Error::InvalidInput { field: "notice facts", reason: e.to_string() })?;
    let (hold, loan) = match about {
        About::Nothing => (None, None),
        About::Hold(h) => (Some(h), None),
        About::Loan(l) => (None, Some(l)),
    };
    tx.insert_notice(&crate::store::NewNotice {
        patron: to.patron,
        kind,
        channel: &to.channel,
        address: to.address,
        hold,
        loan,
        subject: &text.subject,
        body: &text.body,
        facts: &facts,
        secret: matches!(kind, NoticeKind::EmailConfirmation | NoticeKind::PasswordReset),
        created_at: now,
    })
}

#[cfg(test)]
mod kind_tests {
    use super::NoticeKind;

    /// `ALL` lists every kind once, in declaration order: the match below is exhaustive, so a
    /// new kind does not compile here until it is given its place.
    #[test]
    fn all_lists_every_kind_once_in_order() {
        let place = |kind: NoticeKind| match kind {
            NoticeKind::HoldPlaced => 0,
            NoticeKind::HoldReady => 1,
            NoticeKind::HoldInTransit => 2,
            NoticeKind::HoldDispatched => 3,
            NoticeKind::HoldExpired => 4,
            NoticeKind::HoldCancelled => 5,
            NoticeKind::HoldRequeued => 6,
            NoticeKind::EmailConfirmation => 7,
            NoticeKind::EmailRegistered => 8,
            NoticeKind::PasswordReset => 9,
            NoticeKind::DueReminder => 10,
            NoticeKind::NewArrivals => 11,
        };
        for (i, kind) in NoticeKind::ALL.into_iter().enumerate() {
            assert_eq!(place(kind), i, "{kind:?}");
        }
    }
}
