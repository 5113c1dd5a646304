//! SIP2 (3M Standard Interchange Protocol 2.00) for self-check and sorting machines.
//!
//! Three layers: [`codec`] parses and builds frames (fixed fields, variable fields, `AY`/`AZ`)
//! without I/O; [`Session`] maps one connection's messages to [`Library`](crate::Library)
//! operations (93/94 login, 99/98 status, 23/24 patron status, 63/64 patron information,
//! 11/12 checkout, 09/10 check-in, 29/30 renew, 65/66 renew all, 17/18 item information,
//! 35/36 end session); [`serve`] is a blocking TCP server with a thread per connection.
//! Screen messages (`AF`) are in the configured language, Japanese by default: a refusal
//! shows every reason (R-L4).

pub mod codec;
mod config;
mod server;
mod session;

pub use config::{MACHINE_LOGIN_FAILURES, MACHINE_LOGIN_WINDOW, MachineLogin, Sip2Config};
pub use server::serve;
pub use session::{Reply, Session, sort_bin};
