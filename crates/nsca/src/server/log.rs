//! Logging with nsca 2.10's message texts.
//!
//! Messages go to syslog (a datagram to `/dev/log`, ident `nsca`, the facility of
//! `log_facility`) when that socket exists, otherwise to standard error, so that
//! admins' `grep`s keep working.
//! Where 2.10 logs a rejection without saying who sent it, the message gets the
//! client's address appended (`... (client 192.0.2.7 port 40312)`).
//! Messages 2.10 only writes with `debug=1` are only written with `debug=1` here.

use std::io::Write;
use std::net::SocketAddr;
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use super::events::{CloseReason, EventFn, RejectReason, ServerEvent};

/// Default syslog socket.
pub const DEV_LOG: &str = "/dev/log";

/// Syslog severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// LOG_ERR (3).
    Err = 3,
    /// LOG_WARNING (4).
    Warning = 4,
    /// LOG_NOTICE (5).
    Notice = 5,
    /// LOG_INFO (6).
    Info = 6,
    /// LOG_DEBUG (7).
    Debug = 7,
}

/// Where log messages go.
#[derive(Clone, Debug, Default)]
pub enum LogTarget {
    /// Syslog at [`DEV_LOG`] when that path exists, otherwise standard error.
    #[default]
    Auto,
    /// Syslog datagrams to this Unix socket.
    Syslog(PathBuf),
    /// Standard error, one message per line.
    Stderr,
    /// Kept in memory (for tests): `(level, message)` in order.
    Memory(Arc<Mutex<Vec<(Level, String)>>>),
    /// Discarded.
    Silent,
}

enum Out {
    Syslog {
        socket: Option<UnixDatagram>,
        path: PathBuf,
    },
    Stderr,
    Memory(Arc<Mutex<Vec<(Level, String)>>>),
    Silent,
}

/// The server's logger; cheap to share behind an `Arc`.
pub struct Logger {
    out: Mutex<Out>,
    facility: AtomicU8,
    debug: AtomicBool,
    pid: u32,
}

impl Logger {
    /// Opens the target (the syslog socket is connected lazily and re-opened on error).
    pub fn new(target: &LogTarget) -> Self {
        let out = match target {
            LogTarget::Auto if Path::new(DEV_LOG).exists() => Out::Syslog {
                socket: None,
                path: PathBuf::from(DEV_LOG),
            },
            LogTarget::Auto | LogTarget::Stderr => Out::Stderr,
            LogTarget::Syslog(path) => Out::Syslog {
                socket: None,
                path: path.clone(),
            },
            LogTarget::Memory(buf) => Out::Memory(Arc::clone(buf)),
            LogTarget::Silent => Out::Silent,
        };
        Self {
            out: Mutex::new(out),
            facility: AtomicU8::new(3),
            debug: AtomicBool::new(false),
            pid: std::process::id(),
        }
    }

    /// Sets the syslog facility number (`log_facility`, see [`crate::config::LogFacility::code`]).
    pub fn set_facility_code(&self, code: u8) {
        self.facility.store(code.min(23), Ordering::Relaxed);
    }

    /// Turns the `debug=1` messages on or off.
    pub fn set_debug(&self, debug: bool) {
        self.debug.store(debug, Ordering::Relaxed);
    }

    /// Whether `debug=1` messages are written.
    pub fn debug(&self) -> bool {
        self.debug.load(Ordering::Relaxed)
    }

    /// Writes one message.
    pub fn log(&self, level: Level, message: &str) {
        let message = message.trim_end_matches('\n');
        let Ok(mut out) = self.out.lock() else {
            return;
        };
        match &mut *out {
            Out::Syslog { socket, path } => {
                let pri = u16::from(self.facility.load(Ordering::Relaxed)) * 8 + level as u16;
                let datagram = format!("<{pri}>nsca[{}]: {message}", self.pid);
                // Two attempts: the socket may have been replaced (syslog restarted).
                for _ in 0..2 {
                    if socket.is_none() {
                        *socket = UnixDatagram::unbound().ok();
                    }
                    let sent = socket
                        .as_ref()
                        .is_some_and(|s| s.send_to(datagram.as_bytes(), &*path).is_ok());
                    if sent {
                        return;
                    }
                    *socket = None;
                }
                let _ = writeln!(std::io::stderr(), "nsca: {message}");
            }
            Out::Stderr => {
                let _ = writeln!(std::io::stderr(), "nsca: {message}");
            }
            Out::Memory(buf) => {
                if let Ok(mut buf) = buf.lock() {
                    buf.push((level, message.to_owned()));
                }
            }
            Out::Silent => {}
        }
    }

    /// Writes the messages nsca 2.10 writes for this event (if any).
    pub fn event(&self, event: &ServerEvent) {
        for (level, message) in render(event, self.debug()) {
            self.log(level, &message);
        }
    }
}

/// The event sink of a server: logs every event with `logger` and, with `observer`,
/// also sends it there.
pub fn event_sink(
    logger: Arc<Logger>,
    observer: Option<mpsc::UnboundedSender<ServerEvent>>,
) -> EventFn {
    Arc::new(move |event: ServerEvent| {
        logger.event(&event);
        if let Some(tx) = &observer {
            let _ = tx.send(event);
        }
    })
}

/// `(host, port)` as nsca prints it, with an IPv4-mapped prefix removed.
fn peer_text(peer: &Option<SocketAddr>) -> String {
    match peer {
        Some(addr) => format!("{} port {}", addr.ip().to_canonical(), addr.port()),
        None => "unknown client".to_owned(),
    }
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The log lines for one event: nsca 2.10's texts, plus the client where 2.10 omits it.
pub fn render(event: &ServerEvent, debug: bool) -> Vec<(Level, String)> {
    let mut out = Vec::new();
    match event {
        ServerEvent::Listening { addr } => {
            if debug {
                out.push((
                    Level::Debug,
                    format!("Listening for connections on port {}", addr.port()),
                ));
            }
        }
        ServerEvent::ConnectionOpened { peer } => {
            if debug {
                out.push((Level::Debug, format!("Connection from {}", peer_text(peer))));
                out.push((Level::Info, "Handling the connection...".to_owned()));
            }
        }
        ServerEvent::InitFailed { peer, error } => out.push((
            Level::Err,
            format!(
                "Could not send init packet to client ({}): {error}",
                peer_text(peer)
            ),
        )),
        ServerEvent::ResultAccepted {
            host,
            service,
            return_code,
            output,
            ..
        } => {
            if debug {
                let text = if service.is_empty() {
                    format!(
                        "HOST CHECK -> Host Name: '{}', Return Code: '{return_code}', Output: '{}'",
                        lossy(host),
                        lossy(output)
                    )
                } else {
                    format!(
                        "SERVICE CHECK -> Host Name: '{}', Service Description: '{}', Return Code: '{return_code}', Output: '{}'",
                        lossy(host),
                        lossy(service),
                        lossy(output)
                    )
                };
                out.push((Level::Notice, text));
            }
        }
        ServerEvent::ResultDenied {
            peer,
            host,
            service,
            decision,
        } => out.push((
            Level::Warning,
            format!(
                "Authorization - dropped check for host '{}' service '{}' from {} ({decision})",
                lossy(host),
                lossy(service),
                peer_text(peer)
            ),
        )),
        ServerEvent::StrictModeDropped { peer, host } => out.push((
            Level::Warning,
            format!(
                "Strict mode - dropped check for {} due to non-matching host name. (client {})",
                lossy(host),
                peer_text(peer)
            ),
        )),
        ServerEvent::PacketRejected { peer, reason, host } => {
            let who = peer_text(peer);
            let text = match reason {
                RejectReason::BadVersion => format!(
                    "Received invalid packet type/version from client - possibly due to client using wrong password or crypto algorithm? (client {who})"
                ),
                RejectReason::BadCrc => format!(
                    "Dropping packet with invalid CRC32 - possibly due to client using wrong password or crypto algorithm? (client {who})"
                ),
                RejectReason::StaleTimestamp { age } => format!(
                    "Dropping packet with stale timestamp for {} - packet was {age} seconds old. (client {who})",
                    lossy(host.as_deref().unwrap_or_default())
                ),
                RejectReason::NoCredential => format!(
                    "Received invalid packet type/version from client - no password or crypto algorithm of the authz file decrypts it (client {who})"
                ),
            };
            out.push((Level::Err, text));
        }
        ServerEvent::ConnectionClosed { reason, .. } => {
            if debug && matches!(reason, CloseReason::Eof | CloseReason::Timeout) {
                out.push((Level::Err, "End of connection...".to_owned()));
            }
        }
        ServerEvent::ResultsWritten { .. } => {}
        ServerEvent::CommandFileUnavailable { path, error } => out.push((
            Level::Err,
            format!(
                "Could not open command file '{}' for writing ({error}) - check results are kept and retried, none is dropped",
                path.display()
            ),
        )),
        ServerEvent::Spooled { path, count } => out.push((
            Level::Err,
            format!(
                "Spooled {count} check result(s) to '{}' - the command file is unavailable; they will be delivered when it can be written again",
                path.display()
            ),
        )),
        ServerEvent::SpoolFailed { path, error } => out.push((
            Level::Err,
            format!(
                "Cannot write spool file '{}' ({error}) - check results are held in memory until the command file can be written",
                path.display()
            ),
        )),
        ServerEvent::Undelivered { line } => out.push((
            Level::Err,
            format!(
                "Could not write or spool this check result, logging it instead: {}",
                lossy(line)
            ),
        )),
        ServerEvent::SpoolDrained { count } => out.push((
            Level::Notice,
            format!("Delivered {count} spooled check result(s) to the command file"),
        )),
        ServerEvent::CheckResultFileFailed { dir, error } => out.push((
            Level::Err,
            format!(
                "Unable to open and write checkresult file '{}/cXXXXXX', failing back to PIPE ({error})",
                dir.display()
            ),
        )),
        ServerEvent::ReloadRequested => {
            out.push((Level::Notice, "Caught SIGHUP - restarting...".to_owned()))
        }
        ServerEvent::Reloaded => {}
        ServerEvent::ReloadFailed { error } => out.push((
            Level::Err,
            format!("{error} - keeping the previous configuration"),
        )),
        ServerEvent::ShutdownRequested { signal } => out.push((
            Level::Notice,
            format!("Caught SIG{signal} - shutting down..."),
        )),
        ServerEvent::Shutdown => out.push((Level::Notice, "Daemon shutdown".to_owned())),
    }
    out
}
