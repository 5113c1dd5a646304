//! The SIP2 codec's properties (#19 part 2): build∘parse is the identity, every corrupted
//! checksum is refused, and no byte string makes a session panic or change the library.

mod common;

use bunko::sip2::codec::{Checksum, CodecError, Command, Message, checksum, decode};
use bunko::sip2::{Session, Sip2Config};
use common::World;
use proptest::prelude::*;

fn message() -> impl Strategy<Value = Message> {
    let command = proptest::sample::select(Command::ALL.to_vec());
    command.prop_flat_map(|command| {
        let fixed =
            proptest::collection::vec(0x20u8..0x7f, command.fixed_len()).prop_map(|b| String::from_utf8(b).unwrap());
        let id = "[A-Z]{2}".prop_filter("not the trailer", |id| id != "AY" && id != "AZ");
        let value = "[^|\\p{Cc}]{0,40}";
        let fields = proptest::collection::vec((id, value), 0..8);
        (fixed, fields, proptest::option::of(0u8..10)).prop_map(move |(fixed, fields, seq)| {
            let mut m = Message::new(command, fixed).unwrap();
            for (id, value) in &fields {
                m.push(id, value);
            }
            m.with_sequence(seq)
        })
    })
}

proptest! {
    #[test]
    fn build_then_parse_is_the_identity(m in message()) {
        let frame = m.encode();
        let (parsed, check) = decode(&frame).unwrap();
        prop_assert_eq!(check, Checksum::Verified);
        let expected = if matches!(m.command(), Command::RequestScResend | Command::RequestAcsResend) {
            m.clone().with_sequence(None)
        } else {
            m.clone()
        };
        prop_assert_eq!(&parsed, &expected);
        prop_assert_eq!(parsed.encode(), frame);
    }

    #[test]
    fn every_corrupted_checksum_is_refused(m in message(), wrong in 0u16..=u16::MAX) {
        let frame = m.encode();
        let n = frame.len();
        let right = u16::from_str_radix(std::str::from_utf8(&frame[n - 5..n - 1]).unwrap(), 16).unwrap();
        prop_assume!(wrong != right);
        let mut bad = frame[..n - 5].to_vec();
        bad.extend_from_slice(format!("{wrong:04X}\r").as_bytes());
        prop_assert_eq!(decode(&bad), Err(CodecError::BadChecksum));
    }

    #[test]
    fn a_changed_byte_never_passes_the_checksum_with_other_content(m in message(), at in any::<prop::sample::Index>(), flip in 1u8..=255) {
        let mut frame = m.encode();
        let n = frame.len() - 1; // not the carriage return
        let i = at.index(n);
        frame[i] ^= flip;
        // Refused, or not checked (which a server requiring checksums refuses), or, for a
        // checksum letter changed only in case (hex digits read either way), the same message.
        if let Ok((parsed, Checksum::Verified)) = decode(&frame) {
            prop_assert!(i >= n - 4 && frame[i].eq_ignore_ascii_case(&(frame[i] ^ flip)), "byte {} changed", i);
            prop_assert_eq!(parsed, m);
        }
    }
}

#[test]
fn the_checksum_sums_to_zero() {
    let body = b"9300CNkiosk|COpw|AY1AZ";
    let sum = checksum(body);
    let total = body.iter().map(|&b| u32::from(b)).sum::<u32>() + u32::from_str_radix(&sum, 16).unwrap();
    assert_eq!(total % 65536, 0);
}

#[test]
fn random_bytes_never_panic_a_session_nor_change_the_library() {
    let mut w = World::new("chiba", "2026-11-02");
    let p = w.patron();
    let barcode = w.copy_at("chuo", "book");
    let login = Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "pw").encode();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(512));
    // Random bytes, and frames that decode but carry random fields.
    let input = prop_oneof![proptest::collection::vec(any::<u8>(), 0..300), message().prop_map(|m| m.encode()),];
    let lib = std::cell::RefCell::new(&mut w.lib);
    runner
        .run(&input, |bytes| {
            let mut lib = lib.borrow_mut();
            // A fresh configuration each case: random login frames must not add up to the
            // server-wide machine-login throttle.
            let config = Sip2Config::new("chiba").login("kiosk", "pw", "chuo");
            let mut session = Session::new(&mut lib, &config);
            assert_eq!(session.handle(&login).frame.map(|f| f[2]), Some(b'1'));
            let reply = session.handle(&bytes);
            if let Some(frame) = reply.frame {
                prop_assert!(decode(&frame).is_ok(), "every answer is a valid frame");
            }
            Ok(())
        })
        .unwrap();
    // The generated frames name no real card or barcode, so nothing may have changed.
    assert!(w.lib.patron_loans(p).unwrap().is_empty());
    assert_eq!(w.lib.copy_by_barcode(&barcode).unwrap().status, bunko::catalog::CopyStatus::OnShelf);
    assert!(w.lib.check().unwrap().is_empty());
}

/// Failed machine logins count across connections: reconnecting buys no more guesses. After
/// `MACHINE_LOGIN_FAILURES` within the window even the right password is refused, until the
/// window has passed (#19 review).
#[test]
fn machine_login_failures_count_across_connections() {
    let mut w = World::new("chiba", "2026-11-02");
    let config = Sip2Config::new("chiba").login("kiosk", "pw", "chuo");
    let frame =
        |password: &str| Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", password).encode();
    let accepted = |lib: &mut bunko::Library, password: &str| {
        let mut session = Session::new(lib, &config);
        session.handle(&frame(password)).frame.map(|f| f[2]) == Some(b'1')
    };
    for _ in 0..bunko::sip2::MACHINE_LOGIN_FAILURES {
        assert!(!accepted(&mut w.lib, "guess"), "a new connection for every guess");
    }
    assert!(!accepted(&mut w.lib, "pw"), "shut: the right password waits out the window");
    w.clock.advance(bunko::sip2::MACHINE_LOGIN_WINDOW + chrono::TimeDelta::seconds(1));
    assert!(accepted(&mut w.lib, "pw"), "open again after the window");
}
