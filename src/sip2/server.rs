//! A blocking SIP2 server on `std::net`: one thread per connection, each with its own
//! [`Library`] handle (a handle is `Send` but not `Sync`).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::config::Sip2Config;
use super::session::Session;
use crate::Library;

/// Serves SIP2 on `listener` until accepting fails: each connection gets a thread and a
/// library from `open`. Connections beyond [`Sip2Config::max_connections`] are closed at
/// once; a connection silent for [`Sip2Config::idle_timeout`] or sending a line longer than
/// [`Sip2Config::max_frame`] is closed. A library that fails to open closes its connection.
///
/// # Errors
///
/// The listener's accept error (the server stops).
pub fn serve<F>(listener: TcpListener, config: Sip2Config, open: F) -> io::Result<()>
where
    F: Fn() -> crate::Result<Library> + Send + Sync + 'static,
{
    let config = Arc::new(config);
    let open = Arc::new(open);
    let active = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, _) = listener.accept()?;
        if active.fetch_add(1, Ordering::SeqCst) >= config.max_connections {
            active.fetch_sub(1, Ordering::SeqCst);
            drop(stream);
            continue;
        }
        let (config, open, active) = (config.clone(), open.clone(), active.clone());
        std::thread::spawn(move || {
            // The count drops however the connection ends.
            struct Leave(Arc<AtomicUsize>);
            impl Drop for Leave {
                fn drop(&mut self) {
                    self.0.fetch_sub(1, Ordering::SeqCst);
                }
            }
            let _leave = Leave(active);
            if let Ok(mut lib) = open() {
                let _ = connection(stream, &config, &mut lib);
            }
        });
    }
}

/// Serves one connection until it closes, idles out, or the session closes it.
fn connection(stream: TcpStream, config: &Sip2Config, lib: &mut Library) -> io::Result<()> {
    stream.set_read_timeout(Some(config.idle_timeout))?;
    stream.set_write_timeout(Some(config.idle_timeout))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut session = Session::new(lib, config);
    let mut frame = Vec::with_capacity(256);
    loop {
        frame.clear();
        let limit = u64::try_from(config.max_frame).unwrap_or(u64::MAX) + 1;
        let n = (&mut reader).take(limit).read_until(b'\r', &mut frame)?;
        if n == 0 {
            return Ok(());
        }
        if frame.last() != Some(&b'\r') {
            // Too long, or the peer closed mid-frame.
            return Ok(());
        }
        // A line feed after the previous carriage return belongs to no frame.
        let start = frame.iter().position(|&b| b != b'\n').unwrap_or(frame.len());
        let reply = session.handle(&frame[start..]);
        if let Some(out) = &reply.frame {
            writer.write_all(out)?;
        }
        if reply.close {
            return Ok(());
        }
    }
}
