//! What the SIP2 server needs besides the library: the machines' logins, limits, language.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use std::fmt;
use std::time::Duration;

use crate::Lang;

/// A self-check or sorting machine's SIP login (`93`: `CN` user, `CO` password) and the
/// branch it stands in: its checkouts and check-ins happen there. These are the machines'
/// accounts, from the host's configuration, not patrons.
#[derive(Clone, PartialEq, Eq)]
pub struct MachineLogin {
    /// The login user id (`CN`).
    pub user: String,
    /// The login password (`CO`).
    pub password: String,
    /// The branch code the machine stands in.
    pub branch: String,
}

impl fmt::Debug for MachineLogin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MachineLogin")
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("branch", &self.branch)
            .finish()
    }
}

/// The SIP2 server's configuration.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Sip2Config {
    /// The machines that may log in.
    pub logins: Vec<MachineLogin>,
    /// The institution id (`AO`) sent in responses.
    pub institution: String,
    /// The library's name (`AM` in `98`).
    pub library_name: String,
    /// The language of screen messages; Japanese by default.
    pub lang: Lang,
    /// Connections served at once; more are closed on accept. Default 16.
    pub max_connections: usize,
    /// A connection silent this long is closed. Default 5 minutes.
    pub idle_timeout: Duration,
    /// The longest time from a frame's first byte to its carriage return; a slower frame
    /// closes the connection, so a peer trickling bytes cannot hold it. Default 30 seconds.
    pub frame_timeout: Duration,
    /// How long a new connection has for its machine to log in (`93`); then it is closed,
    /// so a peer without credentials cannot keep one of the [`Self::max_connections`] by
    /// sending status requests (answered before login). Default 60 seconds.
    pub login_timeout: Duration,
    /// The longest frame in bytes; a longer line closes the connection. Default 4,096.
    pub max_frame: usize,
    /// Refuse frames without the `AZ` checksum (answered with `96`). Default true.
    pub require_checksum: bool,
    /// Checkout, renewal and the patron's item lists need the patron's password (`AD`), in
    /// the request or earlier in the session (until `35`). Default true.
    pub patron_password_required: bool,
    /// Failed machine logins (`93`) across every connection of this configuration: after
    /// [`MACHINE_LOGIN_FAILURES`] within [`MACHINE_LOGIN_WINDOW`], every machine login is
    /// refused until the window has passed, so reconnecting does not buy more guesses.
    pub(crate) login_failures: Arc<Mutex<Vec<DateTime<Utc>>>>,
}

/// Failed machine logins, over all connections, that shut machine logins for a while.
pub const MACHINE_LOGIN_FAILURES: usize = 10;

/// The window [`MACHINE_LOGIN_FAILURES`] are counted in, and how long logins stay shut.
pub const MACHINE_LOGIN_WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

impl Sip2Config {
    /// Whether machine logins are shut at `now` by recent failures.
    pub(crate) fn logins_shut(&self, now: DateTime<Utc>) -> bool {
        let mut failures = self.login_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        failures.retain(|at| now - *at < MACHINE_LOGIN_WINDOW);
        failures.len() >= MACHINE_LOGIN_FAILURES
    }

    /// Records a failed machine login at `now`.
    pub(crate) fn login_failed(&self, now: DateTime<Utc>) {
        let mut failures = self.login_failures.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if failures.len() < 4 * MACHINE_LOGIN_FAILURES {
            failures.push(now);
        }
    }
}

impl Sip2Config {
    /// A configuration for `institution` with no machine logins yet and the defaults above.
    pub fn new(institution: impl Into<String>) -> Sip2Config {
        let institution = institution.into();
        Sip2Config {
            logins: Vec::new(),
            library_name: institution.clone(),
            institution,
            lang: Lang::Ja,
            max_connections: 16,
            idle_timeout: Duration::from_secs(300),
            frame_timeout: Duration::from_secs(30),
            login_timeout: Duration::from_secs(60),
            max_frame: 4096,
            require_checksum: true,
            patron_password_required: true,
            login_failures: Arc::default(),
        }
    }

    /// Adds a machine login standing in `branch`.
    #[must_use]
    pub fn login(mut self, user: impl Into<String>, password: impl Into<String>, branch: impl Into<String>) -> Self {
        self.logins.push(MachineLogin { user: user.into(), password: password.into(), branch: branch.into() });
        self
    }
}
