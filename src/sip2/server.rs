//! A blocking SIP2 server on `std::net`: one thread per connection, each with its own
//! [`Library`] handle (a handle is `Send` but not `Sync`).

use std::io::{self, BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use super::config::Sip2Config;
use super::session::Session;
use crate::Library;

/// Serves SIP2 on `listener` until accepting fails: each connection gets a thread and a
/// library from `open`. Connections beyond [`Sip2Config::max_connections`] are closed at
/// once; a connection silent for [`Sip2Config::idle_timeout`], sending a line longer than
/// [`Sip2Config::max_frame`], taking longer than [`Sip2Config::frame_timeout`] over one
/// frame, or not logged in within [`Sip2Config::login_timeout`] is closed. A library that
/// fails to open closes its connection.
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

/// Serves one connection until it closes, idles out, or the session closes it. A connection
/// whose machine has not logged in within [`Sip2Config::login_timeout`] of connecting is
/// closed, so a peer without credentials cannot keep a connection by sending status requests.
fn connection(stream: TcpStream, config: &Sip2Config, lib: &mut Library) -> io::Result<()> {
    stream.set_write_timeout(Some(config.idle_timeout))?;
    stream.set_nodelay(true)?;
    let login_by = Instant::now().checked_add(config.login_timeout);
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut session = Session::new(lib, config);
    let mut frame = Vec::with_capacity(256);
    loop {
        let deadline = if session.logged_in() { None } else { login_by };
        if !read_frame(&mut reader, config, deadline, &mut frame)? {
            return Ok(());
        }
        let reply = session.handle(&frame);
        if let Some(out) = &reply.frame {
            writer.write_all(out)?;
        }
        if reply.close {
            return Ok(());
        }
    }
}

/// Reads one frame, up to and including its carriage return, into `frame`; a line feed after
/// the previous frame's carriage return is skipped, not counted as a frame's start. `false`
/// when the connection should close: the peer closed (at once or mid-frame), the frame grew
/// past [`Sip2Config::max_frame`] bytes before its carriage return, it was not complete within
/// [`Sip2Config::frame_timeout`] of its first byte (a peer sending a byte now and then cannot
/// hold a connection), or `by` passed. Silence between frames longer than
/// [`Sip2Config::idle_timeout`] ends in an `Err` (`WouldBlock` or `TimedOut`), as does a
/// deadline passing while the read waits.
fn read_frame(
    reader: &mut BufReader<TcpStream>,
    config: &Sip2Config,
    by: Option<Instant>,
    frame: &mut Vec<u8>,
) -> io::Result<bool> {
    frame.clear();
    // When the frame's first byte came (its own deadline counts from there).
    let mut started: Option<Instant> = None;
    loop {
        let frame_by = started.and_then(|at| at.checked_add(config.frame_timeout));
        let deadline = [by, frame_by].into_iter().flatten().min();
        let wait = deadline
            .map_or(config.idle_timeout, |at| at.saturating_duration_since(Instant::now()).min(config.idle_timeout));
        if wait.is_zero() {
            return Ok(false);
        }
        reader.get_ref().set_read_timeout(Some(wait))?;
        let mut buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(false);
        }
        if frame.is_empty() {
            let skipped = buf.iter().take_while(|&&b| b == b'\n').count();
            reader.consume(skipped);
            buf = reader.buffer();
            if buf.is_empty() {
                continue;
            }
        }
        started.get_or_insert_with(Instant::now);
        let end = buf.iter().position(|&b| b == b'\r');
        let take = end.map_or(buf.len(), |cr| cr + 1);
        frame.extend_from_slice(&buf[..take]);
        reader.consume(take);
        let complete = end.is_some();
        if frame.len() - usize::from(complete) > config.max_frame {
            return Ok(false);
        }
        if complete {
            return Ok(true);
        }
    }
}
