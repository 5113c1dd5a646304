//! A SIP2 server for self-check and sorting machines over a library database.
//!
//! ```text
//! BUNKO_SIP2_LOGINS='kiosk1:secret@chuo' \
//!   cargo run --example sip2_server -- --db library.sqlite --preset chiba --listen 127.0.0.1:6001
//! ```
//!
//! Machine logins (the `CN`/`CO` of message 93, not patrons) come from `--login
//! USER:PASSWORD@BRANCH` (repeatable) or the `BUNKO_SIP2_LOGINS` environment variable
//! (comma-separated, same form; prefer it: arguments show in `ps`). `--institution` sets the
//! `AO` institution id (default: the policy's library code). Each connection opens its own
//! handle on the database file.

use std::error::Error;
use std::net::TcpListener;
use std::process::ExitCode;

use bunko::sip2::{Sip2Config, serve};
use bunko::{Library, Policy, SystemClock};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sip2_server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (mut db, mut preset, mut listen, mut institution) =
        (None, "chiba".to_owned(), "127.0.0.1:6001".to_owned(), None);
    let mut logins: Vec<String> = std::env::var("BUNKO_SIP2_LOGINS")
        .map(|v| v.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--db" => db = Some(value()?),
            "--preset" => preset = value()?,
            "--listen" => listen = value()?,
            "--institution" => institution = Some(value()?),
            "--login" => logins.push(value()?),
            other => return Err(format!("unknown argument {other}; see the example's header").into()),
        }
    }
    let db = db.ok_or("--db FILE is required")?;
    let policy = Policy::preset(&preset)?;
    // Open once here: migrations run and the policy is checked before any machine connects.
    drop(Library::open(&db, policy.clone(), SystemClock)?);
    let mut config = Sip2Config::new(institution.unwrap_or_else(|| policy.library.code.clone()));
    config.library_name = policy.library.name.clone();
    for login in &logins {
        let (user, rest) = login.split_once(':').ok_or("a login is USER:PASSWORD@BRANCH")?;
        let (password, branch) = rest.rsplit_once('@').ok_or("a login is USER:PASSWORD@BRANCH")?;
        if !policy.branches.iter().any(|b| b.code == branch && !b.partner) {
            return Err(format!("login {user}: `{branch}` is not one of the library's branches").into());
        }
        config = config.login(user, password, branch);
    }
    if config.logins.is_empty() {
        return Err("no machine logins: give --login USER:PASSWORD@BRANCH or BUNKO_SIP2_LOGINS".into());
    }
    let listener = TcpListener::bind(&listen)?;
    eprintln!(
        "SIP2 on {} for {} ({} machine login(s))",
        listener.local_addr()?,
        config.institution,
        config.logins.len()
    );
    serve(listener, config, move || Library::open(&db, policy.clone(), SystemClock))?;
    Ok(())
}
