//! SIP2 for self-check machines (#19 part 2), driven by a client nobody here wrote (PyPI
//! `Sip2`, responses decoded strictly by PyPI `pysip2`), and by raw frames over TCP.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};
use std::sync::Arc;
use std::time::Duration;

use bunko::catalog::CopyStatus;
use bunko::holds::HoldRequest;
use bunko::patrons::PatronId;
use bunko::policy::{ContactMethod, Reason, Refusal};
use bunko::sip2::codec::{Command, Message, decode};
use bunko::sip2::{Sip2Config, serve};
use bunko::{FixedClock, Lang, Library, Policy};
use common::python::python_with;
use common::{TempDb, World};
use serde_json::Value;

const PASSWORD: &str = "hon2026x";

/// A chiba library in a file, a patron with a password, and a SIP2 server on 127.0.0.1.
struct Rig {
    w: World,
    _db: TempDb,
    addr: std::net::SocketAddr,
}

fn rig(tune: impl FnOnce(Sip2Config) -> Sip2Config) -> Rig {
    let (w, db) = World::on_temp_file("chiba", "2026-11-02");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = tune(Sip2Config::new("chiba").login("kiosk", "kiosk-pass", "chuo"));
    let (path, clock): (PathBuf, Arc<FixedClock>) = (db.path.clone(), w.clock.clone());
    std::thread::spawn(move || {
        serve(listener, config, move || Library::open(&path, Policy::preset("chiba").unwrap(), clock.clone()))
    });
    Rig { w, _db: db, addr }
}

/// A patron whose password is [`PASSWORD`]; returns the id and card number.
fn patron_with_password(w: &mut World) -> (PatronId, String) {
    let p = w.patron();
    let temporary = w.lib.issue_temporary_password(p).unwrap();
    w.lib.change_password(p, &temporary, PASSWORD, PASSWORD).unwrap();
    (p, w.lib.patron(p).unwrap().card_number.as_str().to_owned())
}

/// The local date as SIP2 writes a due date.
fn sip_date(day: chrono::NaiveDate) -> String {
    format!("{}    235959", day.format("%Y%m%d"))
}

#[test]
fn a_self_check_session_driven_by_the_pypi_sip2_client() {
    let Some(python) = python_with(&["Sip2==1.1", "pysip2==0.1.0"]) else { return };
    let mut rig = rig(|c| c);
    let (p, card) = patron_with_password(&mut rig.w);
    let barcode = rig.w.copy_at("chuo", "book");
    let logs = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/sip2_peer.py");
    let port = rig.addr.port().to_string();
    let mut peer = Process::new(&python)
        .arg(&script)
        .args(["127.0.0.1", &port, "kiosk", "kiosk-pass", &card, PASSWORD, &barcode])
        .arg(logs.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(peer.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    if line.trim() != "checked-out" {
        let mut err = String::new();
        peer.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        panic!("the peer failed before the renewal: {line}\n{err}");
    }
    // Lent through SIP: the engine has the loan, due by the chiba loan period.
    let loans = rig.w.lib.patron_loans(p).unwrap();
    assert_eq!(loans.len(), 1);
    let first_due = loans[0].loan.due_on;
    // A week later the patron renews at the machine.
    rig.w.advance_days(7);
    let expected_due = rig.w.lib.preview_renewal(p, loans[0].loan.id).unwrap().expect("renewable");
    assert!(expected_due > first_due);
    peer.stdin.take().unwrap().write_all(b"go\n").unwrap();
    let mut rest = String::new();
    out.read_to_string(&mut rest).unwrap();
    let status = peer.wait().unwrap();
    let mut err = String::new();
    peer.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "peer failed: {err}");
    let json = rest.lines().find(|l| l.starts_with('[')).unwrap_or_else(|| panic!("no JSON in {rest:?}: {err}"));
    let steps: Vec<Value> = serde_json::from_str(json).unwrap();
    let step = |name: &str| -> &Value {
        &steps.iter().find(|s| s["step"] == name).unwrap_or_else(|| panic!("{name} in {steps:?}"))["response"]
    };

    assert_eq!(step("login")["ok"], "1");
    let acs = step("sc_status");
    assert_eq!(acs["online_status"], "Y");
    assert_eq!(acs["supported_messages"], "YYYNYYYYYNYNNNYY");
    let status = step("patron_status");
    assert_eq!(status["personal_name"], "利用者");
    assert_eq!(status["valid_patron"], "Y");
    assert_eq!(status["valid_patron_password"], "Y");
    assert_eq!(status["patron_status"], " ".repeat(14), "in good standing: no privilege denied");
    let checkout = step("checkout");
    assert_eq!((&checkout["ok"], &checkout["desensitize"]), (&"1".into(), &"Y".into()));
    assert_eq!(checkout["title_identifier"], "本");
    assert_eq!(checkout["due_date"], sip_date(first_due).as_str());
    assert_eq!(checkout["screen_message"][0], format!("返却期限は{}です。", first_due.format("%Y年%-m月%-d日")));
    let renew = step("renew");
    assert_eq!(renew["ok"], "1");
    assert_eq!(renew["due_date"], sip_date(expected_due).as_str());
    let info = step("patron_information");
    assert_eq!(info["charged_items_count"], "0001");
    assert_eq!(info["charged_items"], serde_json::json!([barcode]));
    let item = step("item_information");
    assert_eq!(item["circulation_status"], "04", "charged");
    assert_eq!(item["due_date"], sip_date(expected_due).as_str(), "a lent copy shows when it is due");
    assert!(item["patron_identifier"].is_null(), "and never who has it");
    let checkin = step("checkin");
    assert_eq!(checkin["ok"], "1");
    assert_eq!(checkin["sort_bin"], "shelf");
    assert_eq!(checkin["screen_message"][0], "書架に戻します。");
    assert_eq!(checkin["permanent_location"], "chuo");
    assert!(checkin["patron_identifier"].is_null(), "the return names no patron (R-R1)");
    assert_eq!(step("end_session")["end_session"], "Y");
    // Every response carried the request's sequence number and a checksum pysip2 verified.
    assert!(steps.iter().all(|s| s["response"]["_checksum"].is_string() && s["response"]["_sequence"].is_number()));

    // The engine's state afterwards: returned, on the shelf, nothing open, consistent.
    assert!(rig.w.lib.patron_loans(p).unwrap().is_empty());
    assert_eq!(rig.w.lib.copy_by_barcode(&barcode).unwrap().status, CopyStatus::OnShelf);
    assert!(rig.w.lib.check().unwrap().is_empty());
}

/// A raw SIP2 client: frames with sequence numbers and checksums.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    seq: u8,
}

impl Client {
    fn connect(addr: std::net::SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Client { writer: stream.try_clone().unwrap(), reader: BufReader::new(stream), seq: 0 }
    }

    /// Sends raw bytes and reads one frame; `None` when the server closed the connection.
    fn raw(&mut self, bytes: &[u8]) -> Option<Message> {
        if self.writer.write_all(bytes).is_err() {
            return None;
        }
        let mut frame = Vec::new();
        match self.reader.read_until(b'\r', &mut frame) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(decode(&frame).expect("the server's frames decode").0),
        }
    }

    fn send(&mut self, m: Message) -> Message {
        self.seq = (self.seq + 1) % 10;
        let r = self.raw(&m.with_sequence(Some(self.seq)).encode()).expect("a response");
        assert_eq!(r.sequence(), Some(self.seq));
        r
    }

    fn login(addr: std::net::SocketAddr) -> Client {
        let mut c = Client::connect(addr);
        let r = c.send(Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "kiosk-pass"));
        assert_eq!(r.fixed(), "1");
        c
    }
}

const NOW: &str = "20261102    100000";

fn checkout(card: &str, barcode: &str, password: Option<&str>) -> Message {
    let m = Message::new(Command::Checkout, format!("NN{NOW}{}", " ".repeat(18)))
        .unwrap()
        .with("AO", "chiba")
        .with("AA", card)
        .with("AB", barcode)
        .with("AC", "");
    match password {
        Some(p) => m.with("AD", p),
        None => m,
    }
}

fn checkin(barcode: &str) -> Message {
    Message::new(Command::Checkin, format!("N{NOW}{NOW}"))
        .unwrap()
        .with("AP", "chuo")
        .with("AO", "chiba")
        .with("AB", barcode)
}

#[test]
fn check_in_shows_the_hold_routing_as_screen_message_and_sort_bin() {
    let mut rig = rig(|c| c);
    let (p, card) = patron_with_password(&mut rig.w);
    let waiting = rig.w.patron();
    let title = rig.w.title("予約の多い本");
    let barcode = rig.w.copy_of(title, "chuo", "book");
    let mut c = Client::login(rig.addr);
    assert_eq!(c.send(checkout(&card, &barcode, Some(PASSWORD))).fixed_at(0, 1), "1");
    let request = HoldRequest::web("chuo", ContactMethod::None).at_counter();
    let hold = rig.w.lib.place_hold(waiting, title, &request).unwrap();

    let r = c.send(checkin(&barcode));
    assert_eq!(r.fixed_at(0, 1), "1");
    assert_eq!(r.fixed_at(3, 1), "Y", "alert: the copy does not go back to the shelf");
    assert_eq!(r.field("CL"), Some("hold"));
    let deadline = rig.w.lib.hold(hold).unwrap().pickup_deadline.expect("on the hold shelf");
    assert_eq!(r.field("AF").unwrap(), format!("予約資料です。予約棚へ(取置期限 {})。", deadline.format("%-m月%-d日")));
    assert!(rig.w.lib.patron_loans(p).unwrap().is_empty());
    assert_eq!(rig.w.lib.copy_by_barcode(&barcode).unwrap().status, CopyStatus::OnHoldShelf);
    assert!(rig.w.lib.check().unwrap().is_empty());

    // The copy is set aside: another patron's checkout is refused with the reason in Japanese.
    let r = c.send(checkout(&card, &barcode, None));
    assert_eq!(r.fixed_at(0, 1), "0");
    let text = r.field("AF").unwrap();
    assert!(text.starts_with("お手続きできません: "), "{text}");
    assert!(text.contains(&Reason::CopyHeldForAnotherPatron.message(Lang::Ja)), "{text}");
}

#[test]
fn checkout_needs_the_patrons_password_and_refusals_read_in_japanese() {
    let mut rig = rig(|c| c);
    let (p, card) = patron_with_password(&mut rig.w);
    let barcode = rig.w.copy_at("chuo", "book");
    let mut c = Client::login(rig.addr);
    let r = c.send(checkout(&card, &barcode, Some("wrong-pw1")));
    assert_eq!((r.fixed_at(0, 1), r.field("AF")), ("0", Some("パスワードが違います。")));
    let r = c.send(checkout(&card, &barcode, None));
    assert_eq!(r.fixed_at(0, 1), "0", "no password in this session yet");
    assert!(rig.w.lib.patron_loans(p).unwrap().is_empty());

    // Blocked by staff: the password is right, the refusal names the reason.
    rig.w.lib.set_patron_blocked(p, true).unwrap();
    let r = c.send(checkout(&card, &barcode, Some(PASSWORD)));
    assert_eq!(r.fixed_at(0, 1), "0");
    assert!(r.field("AF").unwrap().contains(&Reason::PatronBlocked.message(Lang::Ja)), "{r:?}");
    let status = c.send(
        Message::new(Command::PatronStatus, format!("000{NOW}"))
            .unwrap()
            .with("AO", "chiba")
            .with("AA", &card)
            .with("AD", PASSWORD),
    );
    assert_eq!(status.fixed_at(0, 1), "Y", "charge privileges denied");
    assert_eq!(status.field("CQ"), Some("Y"));
    assert!(rig.w.lib.patron_loans(p).unwrap().is_empty());

    // An unknown card.
    let r = c.send(checkout("19999999", &barcode, Some(PASSWORD)));
    assert_eq!(r.field("AF"), Some("利用者カードを確認できません。カウンターにお越しください。"));
    assert_eq!(rig.w.lib.copy_by_barcode(&barcode).unwrap().status, CopyStatus::OnShelf);
}

/// The state hostile frames must not change.
fn unchanged(w: &World, p: PatronId, barcode: &str) {
    assert!(w.lib.patron_loans(p).unwrap().is_empty());
    assert_eq!(w.lib.copy_by_barcode(barcode).unwrap().status, CopyStatus::OnShelf);
    assert!(w.lib.check().unwrap().is_empty());
}

#[test]
fn hostile_frames_get_a_resend_request_or_a_closed_connection_and_change_nothing() {
    let mut rig = rig(|c| c);
    let (p, card) = patron_with_password(&mut rig.w);
    let barcode = rig.w.copy_at("chuo", "book");

    // Before a login: any request but 93/99 closes the connection.
    let mut c = Client::connect(rig.addr);
    assert!(c.raw(&checkout(&card, &barcode, Some(PASSWORD)).encode()).is_none());
    // Binary garbage before a login: closed.
    let mut c = Client::connect(rig.addr);
    assert!(c.raw(&[0xff, 0x00, 0x16, 0x03, 0x01, 0x02, 0x00, b'\r']).is_none());

    let mut c = Client::login(rig.addr);
    // No checksum: the same checkout without AZ is answered with 96 (request resend).
    let mut plain = checkout(&card, &barcode, Some(PASSWORD)).encode();
    plain.truncate(plain.len() - 7);
    plain.push(b'\r');
    assert_eq!(c.raw(&plain).unwrap().command(), Command::RequestScResend);
    // A wrong checksum.
    let mut bad = checkout(&card, &barcode, Some(PASSWORD)).encode();
    let n = bad.len();
    bad[n - 2] = if bad[n - 2] == b'0' { b'1' } else { b'0' };
    assert_eq!(c.raw(&bad).unwrap().command(), Command::RequestScResend);
    // A good frame resets the count; then an unknown message.
    assert_eq!(c.send(checkin(&barcode)).fixed_at(0, 1), "0", "not on loan");
    let unknown = {
        let mut f = b"XY0000AOchiba|AZ".to_vec();
        f.extend_from_slice(bunko::sip2::codec::checksum(&f).as_bytes());
        f.push(b'\r');
        f
    };
    assert_eq!(c.raw(&unknown).unwrap().command(), Command::RequestScResend);
    // Binary garbage.
    assert_eq!(c.raw(b"\x00\x01\xfe\xff garbage \x80\r").unwrap().command(), Command::RequestScResend);
    // A third bad frame in a row closes the connection.
    assert!(c.raw(b"11\r").is_none());
    unchanged(&rig.w, p, &barcode);

    // A 1 MB line: closed without an answer.
    let mut c = Client::login(rig.addr);
    let mut huge = vec![b'A'; 1 << 20];
    huge.push(b'\r');
    assert!(c.raw(&huge).is_none());
    unchanged(&rig.w, p, &barcode);

    // The server still serves; the patron was not locked out by any of it.
    let mut c = Client::login(rig.addr);
    assert_eq!(c.send(checkout(&card, &barcode, Some(PASSWORD))).fixed_at(0, 1), "1");
    assert_eq!(rig.w.lib.patron_loans(p).unwrap().len(), 1);
}

#[test]
fn machine_login_is_required_and_connections_are_bounded_and_time_out() {
    let rig = rig(|mut c| {
        c.max_connections = 1;
        c.idle_timeout = Duration::from_millis(300);
        c
    });
    // Wrong machine password: refused, and the third failure closes the connection.
    let mut c = Client::connect(rig.addr);
    for _ in 0..2 {
        let r = c.send(Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "guess"));
        assert_eq!(r.fixed(), "0");
    }
    let r = c.raw(&Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "guess").encode());
    assert_eq!(r.map(|m| m.fixed().to_owned()), Some("0".into()));
    assert!(
        c.raw(&Message::new(Command::ScStatus, "00802.00").unwrap().encode()).is_none(),
        "closed after three failures"
    );
    drop(c);
    std::thread::sleep(Duration::from_millis(100));

    // One connection at a time: a second is closed while the first is open.
    let mut first = Client::login(rig.addr);
    let mut second = Client::connect(rig.addr);
    assert!(second.raw(&Message::new(Command::ScStatus, "00802.00").unwrap().encode()).is_none());
    // Idle past the timeout: the server closes the first one.
    std::thread::sleep(Duration::from_millis(600));
    assert!(first.raw(&Message::new(Command::ScStatus, "00802.00").unwrap().encode()).is_none());
    std::thread::sleep(Duration::from_millis(100));
    Client::login(rig.addr);
}

/// A peer that trickles a frame a byte at a time, each byte well within the idle timeout, is
/// closed once the frame has taken longer than the frame timeout: a few such peers cannot
/// hold every connection (slowloris). The connection slot is free again afterwards.
#[test]
fn a_frame_trickled_byte_by_byte_is_cut_off_at_the_frame_timeout() {
    let rig = rig(|mut c| {
        c.max_connections = 1;
        c.idle_timeout = Duration::from_secs(10);
        c.frame_timeout = Duration::from_millis(400);
        c
    });
    let mut slow = Client::connect(rig.addr);
    let frame = Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "kiosk-pass").encode();
    let mut closed_after = None;
    for (i, byte) in frame[..frame.len() - 1].iter().enumerate() {
        std::thread::sleep(Duration::from_millis(100));
        if slow.writer.write_all(&[*byte]).is_err() {
            closed_after = Some(i);
            break;
        }
    }
    // The server stopped reading: the last byte, if the writes still went through, gets no
    // answer but the closed connection.
    assert!(slow.raw(b"\r").is_none(), "a trickled frame is never answered");
    assert!(closed_after.is_none_or(|i| i >= 3), "not closed before the frame timeout: {closed_after:?}");
    std::thread::sleep(Duration::from_millis(100));
    // The slot is free: a prompt machine logs in.
    Client::login(rig.addr);
}

/// Machines that end frames with CR LF: the line feed is no frame's first byte, so a kiosk
/// idle between patrons waits for the idle timeout, not the frame timeout. `max_frame` counts
/// the bytes before the carriage return: exactly that many are read, one more closes.
#[test]
fn cr_lf_frames_idle_like_cr_frames_and_the_frame_limit_is_exact() {
    let rig = rig(|mut c| {
        c.idle_timeout = Duration::from_secs(10);
        c.frame_timeout = Duration::from_millis(300);
        c.max_frame = 64;
        c
    });
    let mut c = Client::connect(rig.addr);
    let login = Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "kiosk-pass");
    let crlf = |m: Message| [m.encode(), b"\n".to_vec()].concat();
    assert_eq!(c.raw(&crlf(login)).map(|m| m.fixed().to_owned()), Some("1".into()));
    std::thread::sleep(Duration::from_millis(700));
    let status = c.raw(&crlf(Message::new(Command::ScStatus, "00802.00").unwrap()));
    assert_eq!(status.map(|m| m.command()), Some(Command::AcsStatus), "still served after an idle pause");

    let garbage = |n: usize| [vec![b'x'; n], b"\r".to_vec()].concat();
    assert_eq!(c.raw(&garbage(64)).map(|m| m.command()), Some(Command::RequestScResend), "64 bytes are read");
    assert!(c.raw(&garbage(65)).is_none(), "65 bytes close the connection");
}

/// A peer without credentials may ask for the status (`99`, answered before login) but cannot
/// keep the connection past the login timeout by doing so; a logged-in machine can.
#[test]
fn a_connection_that_never_logs_in_is_closed_at_the_login_timeout() {
    let rig = rig(|mut c| {
        c.idle_timeout = Duration::from_secs(10);
        c.login_timeout = Duration::from_millis(400);
        c
    });
    let status = || Message::new(Command::ScStatus, "00802.00").unwrap().encode();
    let mut anonymous = Client::connect(rig.addr);
    let mut machine = Client::login(rig.addr);
    assert!(anonymous.raw(&status()).is_some(), "status is answered before login");
    std::thread::sleep(Duration::from_millis(700));
    assert!(anonymous.raw(&status()).is_none(), "closed: no login within the login timeout");
    assert!(machine.raw(&status()).is_some(), "a logged-in machine is kept");
}

#[test]
fn renew_all_and_patron_information_list_what_the_patron_has() {
    let mut rig = rig(|c| c);
    let (p, card) = patron_with_password(&mut rig.w);
    let other = rig.w.patron();
    let wanted = rig.w.title("待たれている本");
    let held = rig.w.copy_of(wanted, "chuo", "book");
    let free = rig.w.copy_at("chuo", "book");
    let mut c = Client::login(rig.addr);
    assert_eq!(c.send(checkout(&card, &held, Some(PASSWORD))).fixed_at(0, 1), "1");
    assert_eq!(c.send(checkout(&card, &free, None)).fixed_at(0, 1), "1");
    let request = HoldRequest::web("chuo", ContactMethod::None).at_counter();
    rig.w.lib.place_hold(other, wanted, &request).unwrap();
    // The patron's own holds: one ready on the shelf, one waiting behind a loan.
    let ready = rig.w.title("取置中の本");
    rig.w.copy_of(ready, "chuo", "book");
    rig.w.lib.place_hold(p, ready, &request).unwrap();
    let lent = rig.w.title("順番待ちの本");
    let lent_copy = rig.w.copy_of(lent, "chuo", "book");
    rig.w.lib.checkout(&lent_copy, other, "chuo").unwrap();
    rig.w.lib.place_hold(p, lent, &request).unwrap();
    for item in rig.w.lib.pull_list("chuo").unwrap() {
        rig.w.lib.confirm_pulled(&item.barcode, "chuo").unwrap();
    }
    rig.w.advance_days(7);
    let before: Vec<_> =
        rig.w.lib.patron_loans(p).unwrap().into_iter().map(|v| (v.loan.barcode, v.loan.due_on)).collect();

    let renew_all = Message::new(Command::RenewAll, NOW).unwrap().with("AO", "chiba").with("AA", &card);
    let r = c.send(renew_all);
    assert_eq!(r.fixed_at(0, 9), "100010001", "ok, one renewed, one not");
    assert_eq!(r.fields_named("BM").collect::<Vec<_>>(), [free.as_str()]);
    assert_eq!(r.fields_named("BN").collect::<Vec<_>>(), [held.as_str()]);
    let screens: Vec<_> = r.fields_named("AF").collect();
    assert_eq!(screens[0], "1点を延長しました。");
    assert_eq!(
        screens[1],
        format!("待たれている本: {}", Refusal::one(Reason::HeldByOthers { holds: 1 }).message(Lang::Ja))
    );
    for (barcode, due) in rig.w.lib.patron_loans(p).unwrap().into_iter().map(|v| (v.loan.barcode, v.loan.due_on)) {
        let old = before.iter().find(|(b, _)| *b == barcode).unwrap().1;
        assert_eq!(due > old, barcode == free, "{barcode}: only the free copy was renewed");
    }

    let info = |summary: &str| {
        Message::new(Command::PatronInformation, format!("000{NOW}{summary:<10}"))
            .unwrap()
            .with("AO", "chiba")
            .with("AA", &card)
    };
    let r = c.send(info("Y    Y"));
    assert_eq!(r.fixed_at(35, 24), "000100000002000000000001", "1 ready hold, 0 overdue, 2 loans, 1 waiting");
    assert_eq!(r.fields_named("AS").collect::<Vec<_>>(), ["取置中の本"]);
    assert_eq!(r.fields_named("CD").collect::<Vec<_>>(), ["順番待ちの本"]);
    assert_eq!(r.fields_named("AU").count(), 0, "only the lists asked for");
    let r = c.send(info("  Y").with("BP", "2").with("BQ", "2"));
    assert_eq!(r.fields_named("AU").count(), 1, "items 2 to 2");
    // Another session, no password: counts and lists are not shown.
    let mut stranger = Client::login(rig.addr);
    let r = stranger.send(info("  Y"));
    assert_eq!(r.fixed_at(35, 24), "0".repeat(24));
    assert_eq!(r.field("AF"), Some("パスワードが違います。"));
}
