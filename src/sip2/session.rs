//! One SIP2 connection's conversation: decode a frame, check the machine is logged in, map
//! the message to a [`Library`] operation, build the response. No I/O: the server (or a host
//! with its own transport) hands it frames and sends back what it returns.

use chrono::NaiveDate;

use super::codec::{Checksum, CodecError, Command, Message, decode};
use super::config::Sip2Config;
use crate::circulation::CopyRoute;
use crate::error::{Entity, Error};
use crate::patrons::PatronId;
use crate::policy::{Reason, Refusal, Service};
use crate::{Lang, Library};

/// Consecutive bad frames after which a connection is closed.
const MAX_BAD_FRAMES: u32 = 3;
/// Failed machine logins after which a connection is closed.
const MAX_FAILED_LOGINS: u32 = 3;

/// What to do after a frame: send a response, close the connection, or both (response first).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reply {
    /// The response frame to send, if any.
    pub frame: Option<Vec<u8>>,
    /// Close the connection (after sending `frame`).
    pub close: bool,
}

impl Reply {
    fn send(frame: Vec<u8>) -> Reply {
        Reply { frame: Some(frame), close: false }
    }

    fn close() -> Reply {
        Reply { frame: None, close: true }
    }
}

/// The state of one SIP2 connection: which machine logged in, which patron proved their
/// password, the last response (for `97`, request resend).
pub struct Session<'a> {
    lib: &'a mut Library,
    config: &'a Sip2Config,
    /// Index of the machine login in the configuration.
    machine: Option<usize>,
    failed_logins: u32,
    bad_frames: u32,
    /// The patron who gave a correct password in this session (until `35`, end session).
    verified: Option<PatronId>,
    last: Option<Vec<u8>>,
}

/// A patron named in a request.
struct Who {
    id: PatronId,
    name: String,
    /// The request carried a password and it was right.
    password_ok: Option<bool>,
}

impl<'a> Session<'a> {
    /// A new conversation on `lib` under `config`; nothing but `93` (login), `99` (SC status)
    /// and `97` (resend) is answered until a machine logs in.
    pub fn new(lib: &'a mut Library, config: &'a Sip2Config) -> Session<'a> {
        Session { lib, config, machine: None, failed_logins: 0, bad_frames: 0, verified: None, last: None }
    }

    /// Whether a machine has logged in.
    #[must_use]
    pub fn logged_in(&self) -> bool {
        self.machine.is_some()
    }

    /// Answers one frame (with or without its carriage return).
    ///
    /// A frame that does not decode, or lacks the checksum when the configuration requires
    /// it, is answered with `96` (request SC resend) once logged in; before a login, or after
    /// three bad frames in a row, the connection is closed. A request before the machine's
    /// login closes the connection, as do three failed logins. Nothing in the library changes
    /// for a refused frame.
    pub fn handle(&mut self, frame: &[u8]) -> Reply {
        let message = match decode(frame) {
            Ok((_, Checksum::Absent)) if self.config.require_checksum => Err(CodecError::BadTrailer),
            Ok((m, _)) => Ok(m),
            Err(e) => Err(e),
        };
        let message = match message {
            Ok(m) => m,
            Err(_) => return self.bad_frame(),
        };
        let seq = message.sequence();
        let response = match message.command() {
            Command::RequestAcsResend => {
                return match &self.last {
                    Some(last) => Reply::send(last.clone()),
                    None => self.bad_frame(),
                };
            }
            Command::Login => return self.login(&message),
            Command::ScStatus => self.acs_status(),
            _ if self.machine.is_none() => return Reply::close(),
            Command::PatronStatus => self.patron_status(&message),
            Command::PatronInformation => self.patron_information(&message),
            Command::Checkout => self.checkout(&message),
            Command::Checkin => self.checkin(&message),
            Command::Renew => self.renew(&message),
            Command::RenewAll => self.renew_all(&message),
            Command::ItemInformation => self.item_information(&message),
            Command::EndPatronSession => self.end_session(&message),
            // Not offered (see the supported-messages field of `98`), or a response sent to us.
            _ => return self.bad_frame(),
        };
        self.bad_frames = 0;
        let frame = response.with_sequence(seq).encode();
        self.last = Some(frame.clone());
        Reply::send(frame)
    }

    fn bad_frame(&mut self) -> Reply {
        self.bad_frames += 1;
        if self.machine.is_none() || self.bad_frames >= MAX_BAD_FRAMES {
            return Reply::close();
        }
        Reply::send(Message::new(Command::RequestScResend, "").expect("no fixed fields").encode())
    }

    fn login(&mut self, m: &Message) -> Reply {
        let user = m.field("CN").unwrap_or("");
        let password = m.field("CO").unwrap_or("");
        let found =
            self.config.logins.iter().position(|l| {
                same(l.user.as_bytes(), user.as_bytes()) & same(l.password.as_bytes(), password.as_bytes())
            });
        // Failures from every connection count (reconnecting buys no guesses); while logins
        // are shut, even the right password is refused.
        let at = self.lib.now();
        let ok = found.is_some() && !self.config.logins_shut(at);
        if ok {
            self.machine = found;
            self.failed_logins = 0;
        } else {
            self.failed_logins += 1;
            self.config.login_failed(at);
        }
        let frame = Message::new(Command::LoginResponse, if ok { "1" } else { "0" })
            .expect("one fixed byte")
            .with_sequence(m.sequence())
            .encode();
        self.last = Some(frame.clone());
        Reply { frame: Some(frame), close: self.failed_logins >= MAX_FAILED_LOGINS }
    }

    fn lang(&self) -> Lang {
        self.config.lang
    }

    fn branch(&self) -> &str {
        self.machine.map_or("", |i| self.config.logins[i].branch.as_str())
    }

    /// The transaction date, local time: `YYYYMMDD    HHMMSS`.
    fn now(&self) -> String {
        let offset = self.lib.policy().library.utc_offset.to_fixed();
        self.lib.now().with_timezone(&offset).format("%Y%m%d    %H%M%S").to_string()
    }

    fn acs_status(&self) -> Message {
        // online, checkin, checkout, renewal policy, status update, offline; timeout (tenths
        // of a second) and retries unknown; date; protocol.
        let fixed = format!("YYYYNN999999{}2.00", self.now());
        let mut m = Message::new(Command::AcsStatus, fixed)
            .expect("98 fixed fields")
            .with("AO", &self.config.institution)
            .with("AM", &self.config.library_name)
            // patron status, checkout, checkin, block patron, SC/ACS status, resend, login,
            // patron information, end session, fee paid, item information, item status update,
            // patron enable, hold, renew, renew all.
            .with("BX", "YYYNYYYYYNYNNNYY");
        if self.machine.is_some() {
            m.push("AN", self.branch());
        }
        m
    }

    /// Looks up the patron of `AA` and checks `AD` when given, through the account API (a
    /// login and logout: wrong passwords count toward the card's lockout, R-A1).
    fn who(&mut self, m: &Message) -> Result<Option<Who>, Error> {
        let card = m.field("AA").unwrap_or("");
        let patron = match self.lib.patron_by_card(card) {
            Ok(p) => p,
            Err(Error::NotFound { .. } | Error::InvalidInput { .. }) => return Ok(None),
            Err(e) => return Err(e),
        };
        let password_ok = match m.field("AD").filter(|p| !p.is_empty()) {
            None => None,
            Some(password) => Some(match self.lib.login(card, password) {
                Ok(session) => {
                    self.lib.logout(&session.token)?;
                    true
                }
                // The password was right; the account's refusals are reported separately.
                Err(Error::Refused(_)) => true,
                Err(Error::LoginFailed | Error::LockedOut { .. } | Error::InvalidInput { .. }) => false,
                Err(e) => return Err(e),
            }),
        };
        if password_ok == Some(true) {
            self.verified = Some(patron.id);
        }
        Ok(Some(Who { id: patron.id, name: patron.name, password_ok }))
    }

    /// The patron may act: a right password now, or none given and one proved earlier in this
    /// session (or none needed). A wrong password given now always refuses.
    fn authorized(&self, who: &Who) -> bool {
        match who.password_ok {
            Some(ok) => ok,
            None => !self.config.patron_password_required || self.verified == Some(who.id),
        }
    }

    /// The 14 patron-status flags and the reasons behind them.
    fn standing(&self, patron: PatronId) -> Result<(String, Vec<Reason>), Error> {
        let account = self.lib.patron_standing(patron, None)?;
        let renewals = self.lib.patron_standing(patron, Some(Service::Renewals))?;
        let holds = self.lib.patron_standing(patron, Some(Service::Holds))?;
        let overdue = account.iter().any(|r| matches!(r, Reason::HasOverdueLoans { .. }));
        let flag = |b: bool| if b { 'Y' } else { ' ' };
        let mut flags = String::with_capacity(14);
        flags.push(flag(!account.is_empty())); // charge privileges denied
        flags.push(flag(!renewals.is_empty())); // renewal privileges denied
        flags.push(' '); // recall privileges denied
        flags.push(flag(!holds.is_empty())); // hold privileges denied
        flags.push(' '); // card reported lost
        flags.push(' '); // too many items charged
        flags.push(flag(overdue)); // too many items overdue
        flags.push_str("       "); // renewals, claims, lost, fines, fees, recall overdue, billed
        let mut reasons = account;
        for r in renewals.into_iter().chain(holds) {
            if !reasons.contains(&r) {
                reasons.push(r);
            }
        }
        Ok((flags, reasons))
    }

    fn patron_status(&mut self, m: &Message) -> Message {
        let head = |flags: &str, lang: &str, now: &str| format!("{flags}{lang}{now}");
        let (lang, now) = (language(m.fixed_at(0, 3)), self.now());
        let card = m.field("AA").unwrap_or("").to_owned();
        let base = |flags: &str, name: &str| {
            Message::new(Command::PatronStatusResponse, head(flags, lang, &now))
                .expect("24 fixed fields")
                .with("AO", &self.config.institution)
                .with("AA", &card)
                .with("AE", name)
        };
        let result = (|| {
            let Some(who) = self.who(m)? else {
                return Ok(base(&"Y".repeat(14), "").with("BL", "N").with("AF", texts(self.lang()).unknown_patron));
            };
            let (flags, reasons) = self.standing(who.id)?;
            let mut r = base(&flags, &who.name).with("BL", "Y");
            if let Some(ok) = who.password_ok {
                r.push("CQ", yn(ok));
            }
            if who.password_ok == Some(false) {
                r.push("AF", texts(self.lang()).wrong_password);
            } else if !reasons.is_empty() {
                r.push("AF", &Refusal { reasons }.message(self.lang()));
            }
            Ok(r)
        })();
        result.unwrap_or_else(|e: Error| base(&"Y".repeat(14), "").with("AF", error_message(&e, self.lang())))
    }

    fn patron_information(&mut self, m: &Message) -> Message {
        let (lang, now) = (language(m.fixed_at(0, 3)), self.now());
        let summary = m.fixed_at(21, 10).to_owned();
        let wants = |i: usize| summary.as_bytes().get(i) == Some(&b'Y');
        let range =
            |id: &str, default: usize| m.field(id).and_then(|v| v.trim().parse::<usize>().ok()).unwrap_or(default);
        let (start, end) = (range("BP", 1).max(1), range("BQ", usize::MAX));
        let card = m.field("AA").unwrap_or("").to_owned();
        let response = |flags: &str, counts: [usize; 4], name: &str| {
            let [hold, overdue, charged, unavailable] = counts.map(|c| format!("{:04}", c.min(9999)));
            Message::new(
                Command::PatronInformationResponse,
                format!("{flags}{lang}{now}{hold}{overdue}{charged}00000000{unavailable}"),
            )
            .expect("64 fixed fields")
            .with("AO", &self.config.institution)
            .with("AA", &card)
            .with("AE", name)
        };
        let result = (|| {
            let Some(who) = self.who(m)? else {
                return Ok(response(&"Y".repeat(14), [0; 4], "")
                    .with("BL", "N")
                    .with("AF", texts(self.lang()).unknown_patron));
            };
            let (flags, reasons) = self.standing(who.id)?;
            if !self.authorized(&who) {
                let mut r = response(&flags, [0; 4], &who.name).with("BL", "Y");
                if let Some(ok) = who.password_ok {
                    r.push("CQ", yn(ok));
                }
                return Ok(r.with("AF", texts(self.lang()).wrong_password));
            }
            let loans = self.lib.patron_loans(who.id)?;
            let holds: Vec<_> = self.lib.patron_holds(who.id)?.into_iter().filter(|v| v.hold.is_active()).collect();
            let ready: Vec<&str> =
                holds.iter().filter(|v| v.hold.pickup_deadline.is_some()).map(|v| v.hold.title_text.as_str()).collect();
            let waiting: Vec<&str> =
                holds.iter().filter(|v| v.hold.pickup_deadline.is_none()).map(|v| v.hold.title_text.as_str()).collect();
            let overdue: Vec<&str> =
                loans.iter().filter(|l| l.days_overdue > 0).map(|l| l.loan.barcode.as_str()).collect();
            let charged: Vec<&str> = loans.iter().map(|l| l.loan.barcode.as_str()).collect();
            let mut r =
                response(&flags, [ready.len(), overdue.len(), charged.len(), waiting.len()], &who.name).with("BL", "Y");
            if let Some(ok) = who.password_ok {
                r.push("CQ", yn(ok));
            }
            for (i, id, items) in [(0, "AS", &ready), (1, "AT", &overdue), (2, "AU", &charged), (5, "CD", &waiting)] {
                if wants(i) {
                    for item in items.iter().skip(start - 1).take(end.saturating_sub(start - 1)) {
                        r.push(id, item);
                    }
                }
            }
            if !reasons.is_empty() {
                r.push("AF", &Refusal { reasons }.message(self.lang()));
            }
            Ok(r)
        })();
        result
            .unwrap_or_else(|e: Error| response(&"Y".repeat(14), [0; 4], "").with("AF", error_message(&e, self.lang())))
    }

    fn checkout(&mut self, m: &Message) -> Message {
        let barcode = m.field("AB").unwrap_or("").to_owned();
        let renewal_policy = m.fixed_at(0, 1) == "Y";
        let card = m.field("AA").unwrap_or("").to_owned();
        let (now, branch) = (self.now(), self.branch().to_owned());
        let institution = self.config.institution.clone();
        let response = |ok: bool, renewal: bool, title: &str, due: Option<NaiveDate>| {
            let fixed = format!("{}{}N{}{now}", u8::from(ok), yn(renewal), yn(ok));
            Self::item_response(&institution, Command::CheckoutResponse, fixed, &card, &barcode, title, due)
        };
        let t = texts(self.lang());
        let result = (|| {
            let Some(who) = self.who(m)? else {
                return Ok(response(false, false, "", None).with("AF", t.unknown_patron));
            };
            if !self.authorized(&who) {
                return Ok(response(false, false, "", None).with("AF", t.wrong_password));
            }
            match self.lib.checkout(&barcode, who.id, &branch) {
                Ok(loan) => Ok(response(true, false, &loan.title_text, Some(loan.due_on))
                    .with("AF", due_message(self.lang(), loan.due_on))),
                Err(Error::Refused(r)) if renewal_policy && r.has(&Reason::CopyOnLoan) => {
                    // Already lent: a renewal if it is this patron's (the SC's renewal policy).
                    let mine = self.lib.patron_loans(who.id)?.into_iter().find(|l| l.loan.barcode == barcode);
                    let Some(view) = mine else {
                        return Ok(response(false, false, "", None).with("AF", r.message(self.lang())));
                    };
                    Ok(match self.lib.renew(who.id, view.loan.id) {
                        Ok(due) => response(true, true, &view.loan.title_text, Some(due))
                            .with("AF", due_message(self.lang(), due)),
                        Err(e) => response(false, true, &view.loan.title_text, Some(view.loan.due_on))
                            .with("AF", error_message(&e, self.lang())),
                    })
                }
                Err(e) => Ok(response(false, false, "", None).with("AF", error_message(&e, self.lang()))),
            }
        })();
        result.unwrap_or_else(|e: Error| response(false, false, "", None).with("AF", error_message(&e, self.lang())))
    }

    fn checkin(&mut self, m: &Message) -> Message {
        let barcode = m.field("AB").unwrap_or("").to_owned();
        let (now, branch, lang) = (self.now(), self.branch().to_owned(), self.lang());
        let copy = self.lib.copy_by_barcode(&barcode).ok();
        let title = copy.as_ref().and_then(|c| self.lib.title(c.title).ok()).map(|t| t.title).unwrap_or_default();
        let home = copy.as_ref().map(|c| c.branch.clone()).unwrap_or_default();
        let response = |ok: bool, alert: bool| {
            Message::new(Command::CheckinResponse, format!("{}{}N{}{now}", u8::from(ok), yn(ok), yn(alert)))
                .expect("10 fixed fields")
                .with("AO", &self.config.institution)
                .with("AB", &barcode)
                .with("AQ", &home)
                .with("AJ", &title)
        };
        match self.lib.check_in(&barcode, &branch) {
            Ok(done) => {
                let mut text = route_message(self.lib, lang, &done.route);
                if done.days_overdue > 0 {
                    text = match lang {
                        Lang::Ja => format!("{}日遅れの返却です。{text}", done.days_overdue),
                        Lang::En => format!("Returned {} day(s) late. {text}", done.days_overdue),
                    };
                }
                // The patron is not named: the machine does not need them, and after a return
                // nothing should link them to the title (R-R1).
                response(true, !matches!(done.route, CopyRoute::Shelved))
                    .with("CL", sort_bin(&done.route))
                    .with("AF", text)
            }
            Err(e) => response(false, true).with("AF", error_message(&e, lang)),
        }
    }

    /// The patron's loan of the copy `AB`.
    fn loan_of(&self, patron: PatronId, barcode: &str) -> Result<Option<crate::circulation::Loan>, Error> {
        Ok(self.lib.patron_loans(patron)?.into_iter().map(|v| v.loan).find(|l| l.barcode == barcode))
    }

    /// A checkout (12) or renew (30) response: the same fixed-field shape and item fields.
    fn item_response(
        institution: &str,
        command: Command,
        fixed: String,
        card: &str,
        barcode: &str,
        title: &str,
        due: Option<NaiveDate>,
    ) -> Message {
        Message::new(command, fixed)
            .expect("fixed fields of a checkout or renew response")
            .with("AO", institution)
            .with("AA", card)
            .with("AB", barcode)
            .with("AJ", title)
            .with("AH", due.map(sip_date).unwrap_or_default())
    }

    fn renew(&mut self, m: &Message) -> Message {
        let barcode = m.field("AB").unwrap_or("").to_owned();
        let card = m.field("AA").unwrap_or("").to_owned();
        let (now, institution) = (self.now(), self.config.institution.clone());
        let response = |ok: bool, title: &str, due: Option<NaiveDate>| {
            let fixed = format!("{}{}N{}{now}", u8::from(ok), yn(ok), yn(ok));
            Self::item_response(&institution, Command::RenewResponse, fixed, &card, &barcode, title, due)
        };
        let t = texts(self.lang());
        let result = (|| {
            let Some(who) = self.who(m)? else { return Ok(response(false, "", None).with("AF", t.unknown_patron)) };
            if !self.authorized(&who) {
                return Ok(response(false, "", None).with("AF", t.wrong_password));
            }
            let Some(loan) = self.loan_of(who.id, &barcode)? else {
                return Ok(response(false, "", None).with("AF", t.not_your_loan));
            };
            Ok(match self.lib.renew(who.id, loan.id) {
                Ok(due) => response(true, &loan.title_text, Some(due)).with("AF", due_message(self.lang(), due)),
                Err(e) => {
                    response(false, &loan.title_text, Some(loan.due_on)).with("AF", error_message(&e, self.lang()))
                }
            })
        })();
        result.unwrap_or_else(|e: Error| response(false, "", None).with("AF", error_message(&e, self.lang())))
    }

    fn renew_all(&mut self, m: &Message) -> Message {
        let now = self.now();
        let lang = self.lang();
        let response = |ok: bool, renewed: &[String], unrenewed: &[String]| {
            let fixed = format!("{}{:04}{:04}{now}", u8::from(ok), renewed.len().min(9999), unrenewed.len().min(9999));
            let mut r = Message::new(Command::RenewAllResponse, fixed)
                .expect("66 fixed fields")
                .with("AO", &self.config.institution);
            for b in renewed {
                r.push("BM", b);
            }
            for b in unrenewed {
                r.push("BN", b);
            }
            r
        };
        let t = texts(lang);
        let result = (|| {
            let Some(who) = self.who(m)? else { return Ok(response(false, &[], &[]).with("AF", t.unknown_patron)) };
            if !self.authorized(&who) {
                return Ok(response(false, &[], &[]).with("AF", t.wrong_password));
            }
            let loans: Vec<_> = self.lib.patron_loans(who.id)?.into_iter().map(|v| v.loan).collect();
            let ids: Vec<_> = loans.iter().map(|l| l.id).collect();
            let results = self.lib.renew_all(who.id, &ids)?;
            let (mut renewed, mut unrenewed, mut lines) = (Vec::new(), Vec::new(), Vec::new());
            for (loan, (_, result)) in loans.iter().zip(results) {
                match result {
                    Ok(_) => renewed.push(loan.barcode.clone()),
                    Err(refusal) => {
                        unrenewed.push(loan.barcode.clone());
                        lines.push(format!("{}: {}", loan.title_text, refusal.message(lang)));
                    }
                }
            }
            let mut r = response(true, &renewed, &unrenewed).with(
                "AF",
                match lang {
                    Lang::Ja => format!("{}点を延長しました。", renewed.len()),
                    Lang::En => format!("Renewed {} item(s).", renewed.len()),
                },
            );
            for line in lines {
                r.push("AF", &line);
            }
            Ok(r)
        })();
        result.unwrap_or_else(|e: Error| response(false, &[], &[]).with("AF", error_message(&e, lang)))
    }

    fn item_information(&mut self, m: &Message) -> Message {
        use crate::catalog::CopyStatus;
        let barcode = m.field("AB").unwrap_or("").to_owned();
        let now = self.now();
        let lang = self.lang();
        let base = |status: &str, title: &str| {
            Message::new(Command::ItemInformationResponse, format!("{status}0001{now}"))
                .expect("18 fixed fields")
                .with("AB", &barcode)
                .with("AJ", title)
        };
        match self.lib.copy_by_barcode(&barcode) {
            Ok(copy) => {
                let title = self.lib.title(copy.title).map(|t| t.title).unwrap_or_default();
                let status = match copy.status {
                    CopyStatus::OnShelf => "03",
                    CopyStatus::OnLoan => "04",
                    CopyStatus::OnHoldShelf => "08",
                    CopyStatus::InTransit => "10",
                    CopyStatus::Missing => "13",
                    CopyStatus::Withdrawn => "01",
                };
                let mut r = base(status, &title).with("BG", &self.config.institution).with("AQ", &copy.branch);
                if let Ok(Some(due)) = self.lib.copy_due_on(copy.id) {
                    r.push("AH", &sip_date(due));
                }
                r.push("AF", &copy_status_message(lang, copy.status, copy.loanable));
                r
            }
            Err(e) => base("01", "").with("AF", error_message(&e, lang)),
        }
    }

    fn end_session(&mut self, m: &Message) -> Message {
        self.verified = None;
        Message::new(Command::EndSessionResponse, format!("Y{}", self.now()))
            .expect("36 fixed fields")
            .with("AO", &self.config.institution)
            .with("AA", m.field("AA").unwrap_or(""))
            .with("AF", texts(self.lang()).goodbye)
    }
}

/// Compares without stopping at the first difference (machine passwords).
fn same(a: &[u8], b: &[u8]) -> bool {
    let mut diff = u8::from(a.len() != b.len());
    for (x, y) in a.iter().zip(b) {
        diff |= x ^ y;
    }
    diff == 0
}

fn yn(b: bool) -> &'static str {
    if b { "Y" } else { "N" }
}

/// The request's language code if it is three digits, else `000` (unknown).
fn language(code: &str) -> &str {
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit()) { code } else { "000" }
}

/// A due date as SIP2 writes dates: `YYYYMMDD    235959` (local, the end of the day).
fn sip_date(day: NaiveDate) -> String {
    format!("{}    235959", day.format("%Y%m%d"))
}

fn due_message(lang: Lang, due: NaiveDate) -> String {
    match lang {
        Lang::Ja => format!("返却期限は{}です。", due.format("%Y年%-m月%-d日")),
        Lang::En => format!("Due back on {due}."),
    }
}

/// The sort bin of a check-in's route: `shelf`, `hold` (the hold shelf here),
/// `transit:<branch>` (home), `hold-transit:<branch>` (a hold's pickup branch),
/// `dispatch:<branch>` (a partner library, the loan already started).
#[must_use]
pub fn sort_bin(route: &CopyRoute) -> String {
    match route {
        CopyRoute::Shelved => "shelf".into(),
        CopyRoute::HeldForPickup { .. } => "hold".into(),
        CopyRoute::InTransit { to } => format!("transit:{to}"),
        CopyRoute::InTransitForHold { to, .. } => format!("hold-transit:{to}"),
        CopyRoute::DispatchedOnLoan { to, .. } => format!("dispatch:{to}"),
    }
}

fn branch_name(lib: &Library, code: &str) -> String {
    lib.policy().branches.iter().find(|b| b.code == code).map_or_else(|| code.to_owned(), |b| b.name.clone())
}

/// Where a returned copy goes, for the machine's screen.
fn route_message(lib: &Library, lang: Lang, route: &CopyRoute) -> String {
    let date = |d: &NaiveDate| match lang {
        Lang::Ja => d.format("%-m月%-d日").to_string(),
        Lang::En => d.to_string(),
    };
    match (lang, route) {
        (Lang::Ja, CopyRoute::Shelved) => "書架に戻します。".into(),
        (Lang::En, CopyRoute::Shelved) => "Back to the shelf.".into(),
        (Lang::Ja, CopyRoute::HeldForPickup { deadline, .. }) => {
            format!("予約資料です。予約棚へ(取置期限 {})。", date(deadline))
        }
        (Lang::En, CopyRoute::HeldForPickup { deadline, .. }) => {
            format!("On hold: to the hold shelf (until {}).", date(deadline))
        }
        (Lang::Ja, CopyRoute::InTransit { to }) => format!("{}へ回送します。", branch_name(lib, to)),
        (Lang::En, CopyRoute::InTransit { to }) => format!("Send to {}.", branch_name(lib, to)),
        (Lang::Ja, CopyRoute::InTransitForHold { to, arrives_on, .. }) => {
            format!("予約資料です。{}へ回送します(到着予定 {})。", branch_name(lib, to), date(arrives_on))
        }
        (Lang::En, CopyRoute::InTransitForHold { to, arrives_on, .. }) => {
            format!("On hold: send to {} (arrives {}).", branch_name(lib, to), date(arrives_on))
        }
        (Lang::Ja, CopyRoute::DispatchedOnLoan { to, .. }) => {
            format!("予約資料です。{}へ発送します(貸出開始)。", branch_name(lib, to))
        }
        (Lang::En, CopyRoute::DispatchedOnLoan { to, .. }) => {
            format!("On hold: dispatch to {} (loan started).", branch_name(lib, to))
        }
    }
}

fn copy_status_message(lang: Lang, status: crate::catalog::CopyStatus, loanable: bool) -> String {
    use crate::catalog::CopyStatus as S;
    let ja = match status {
        S::OnShelf if loanable => "貸出できます。",
        S::OnShelf => "館内でご利用ください(貸出できません)。",
        S::OnLoan => "貸出中です。",
        S::InTransit => "回送中です。",
        S::OnHoldShelf => "予約の取置中です。",
        S::Missing => "所在不明です。",
        S::Withdrawn => "除籍された資料です。",
    };
    match lang {
        Lang::Ja => ja.into(),
        Lang::En => format!("{status:?}{}", if loanable { "" } else { " (not for loan)" }),
    }
}

struct Texts {
    unknown_patron: &'static str,
    wrong_password: &'static str,
    not_your_loan: &'static str,
    goodbye: &'static str,
}

fn texts(lang: Lang) -> Texts {
    match lang {
        Lang::Ja => Texts {
            unknown_patron: "利用者カードを確認できません。カウンターにお越しください。",
            wrong_password: "パスワードが違います。",
            not_your_loan: "この資料はお借りになっていません。",
            goodbye: "ご利用ありがとうございました。",
        },
        Lang::En => Texts {
            unknown_patron: "This card cannot be found; please ask at the counter.",
            wrong_password: "The password is wrong.",
            not_your_loan: "You do not have this item on loan.",
            goodbye: "Thank you.",
        },
    }
}

/// A screen message for an error: every refusal reason in `lang` (via
/// [`Reason::message`]), what was not found, or a request to ask the staff.
fn error_message(e: &Error, lang: Lang) -> String {
    match (lang, e) {
        (_, Error::Refused(r)) => r.message(lang),
        (Lang::Ja, Error::NotFound { entity: Entity::Copy, .. }) => "資料が見つかりません。".into(),
        (Lang::En, Error::NotFound { entity: Entity::Copy, .. }) => "This item cannot be found.".into(),
        (_, Error::NotFound { entity: Entity::Patron, .. }) => texts(lang).unknown_patron.into(),
        (Lang::Ja, _) => "お手続きできませんでした。係員にお声がけください。".into(),
        (Lang::En, _) => "This could not be done; please ask the staff.".into(),
    }
}
