//! SIP2 checkout round-trips over loopback (#19 part 2): a Rust client sends `11` (checkout)
//! to `bunko::sip2::serve` on 127.0.0.1 and waits for the `12`; each checkout is undone
//! untimed by a `09` (check-in) on the same connection, so every round meets the same state.
//! The same checkout called directly on a `Library` handle is the baseline: the difference is
//! what the protocol, the socket and the server's thread cost. The patron proves their password
//! once per connection (`63` with `AD`), as a self-check machine does at the start of a
//! session; checkouts then carry no password (argon2 is not in the loop). Results:
//! benches/README.md. Run with `cargo bench --bench sip2 -- --warm-up-time 1 --measurement-time 5`.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bunko::catalog::{NewCopy, NewTitle};
use bunko::patrons::NewPatron;
use bunko::sip2::codec::{Command, Message, decode};
use bunko::sip2::{Sip2Config, serve};
use bunko::{FixedClock, Library, Policy};
use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};

const PASSWORD: &str = "hon2026x";
const CARD: &str = "10000001";
const BARCODE: &str = "B000001";

struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    frame: Vec<u8>,
}

impl Client {
    fn send(&mut self, m: &Message) -> Message {
        self.writer.write_all(&m.encode()).unwrap();
        self.frame.clear();
        self.reader.read_until(b'\r', &mut self.frame).unwrap();
        decode(&self.frame).unwrap().0
    }
}

const NOW: &str = "20261102    100000";

fn main_bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lib.sqlite");
    let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
    let clock = Arc::new(FixedClock::new(Utc.from_utc_datetime(&today.and_hms_opt(1, 0, 0).unwrap())));
    let policy = Policy::preset("chiba").unwrap();
    let mut lib = Library::open(&path, policy.clone(), clock.clone()).unwrap();
    let patron = lib.register_patron(NewPatron::new(CARD, "利用者", today + chrono::Days::new(1000))).unwrap();
    let temporary = lib.issue_temporary_password(patron).unwrap();
    lib.change_password(patron, &temporary, PASSWORD, PASSWORD).unwrap();
    let title = lib.add_title(NewTitle::new("本")).unwrap();
    lib.add_copy(NewCopy::new(BARCODE, title, "chuo", "book")).unwrap();
    lib.add_copy(NewCopy::new("B000002", title, "chuo", "book")).unwrap();

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Sip2Config::new("chiba").login("kiosk", "kiosk-pass", "chuo");
    let (server_path, server_clock) = (path.clone(), clock.clone());
    std::thread::spawn(move || {
        serve(listener, config, move || Library::open(&server_path, policy.clone(), server_clock.clone()))
    });
    let stream = TcpStream::connect(addr).unwrap();
    stream.set_nodelay(true).unwrap();
    let mut client = Client { writer: stream.try_clone().unwrap(), reader: BufReader::new(stream), frame: Vec::new() };
    let login = Message::new(Command::Login, "00").unwrap().with("CN", "kiosk").with("CO", "kiosk-pass");
    assert_eq!(client.send(&login).fixed(), "1");
    let verify = Message::new(Command::PatronInformation, format!("000{NOW}          "))
        .unwrap()
        .with("AO", "chiba")
        .with("AA", CARD)
        .with("AD", PASSWORD);
    assert_eq!(client.send(&verify).field("CQ"), Some("Y"));
    let checkout = Message::new(Command::Checkout, format!("NN{NOW}{}", " ".repeat(18)))
        .unwrap()
        .with("AO", "chiba")
        .with("AA", CARD)
        .with("AB", BARCODE)
        .with("AC", "");
    let checkin = Message::new(Command::Checkin, format!("N{NOW}{NOW}"))
        .unwrap()
        .with("AP", "chuo")
        .with("AO", "chiba")
        .with("AB", BARCODE);

    let mut group = c.benchmark_group("sip2");
    group.bench_function("checkout round-trip over loopback", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let r = client.send(&checkout);
                spent += start.elapsed();
                assert_eq!(r.fixed_at(0, 1), "1", "{r:?}");
                assert_eq!(client.send(&checkin).fixed_at(0, 1), "1");
            }
            spent
        });
    });
    group.bench_function("checkout called directly (baseline)", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                lib.checkout("B000002", patron, "chuo").unwrap();
                spent += start.elapsed();
                lib.check_in("B000002", "chuo").unwrap();
            }
            spent
        });
    });
    group.finish();
}

criterion_group!(benches, main_bench);
criterion_main!(benches);
