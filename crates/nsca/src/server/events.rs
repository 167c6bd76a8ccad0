//! Typed events of the server, with a stable one-line `Display`.
//!
//! Every event the server emits goes to the log (rendered with nsca 2.10's message
//! texts by [`super::log`]) and, when the caller asked for it, to an observer channel
//! so tests and the harness can wait on events instead of sleeping.
//! `Display` never shows addresses, wall-clock times or thread ids, so a sequence of
//! events can be compared with a golden trace; the fields still carry the peer
//! address for the log.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::authz::Decision;

/// Events go through this callback (logger and observer).
pub type EventFn = Arc<dyn Fn(ServerEvent) + Send + Sync>;

/// Why a connection's packet was rejected (the connection is then closed, as in 2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The decrypted version field is not 3 (wrong password or method, or garbage).
    BadVersion,
    /// The CRC-32 does not match.
    BadCrc,
    /// The packet is older (or newer) than `max_packet_age` (opt-in check).
    StaleTimestamp {
        /// Server time minus packet time, in seconds (negative: from the future).
        age: i64,
    },
    /// No credential of the authz file decrypts the first packet.
    NoCredential,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadVersion => "invalid packet type/version",
            Self::BadCrc => "invalid CRC32",
            Self::StaleTimestamp { .. } => "stale timestamp",
            Self::NoCredential => "no known credential decrypts the packet",
        })
    }
}

/// Why a connection ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CloseReason {
    /// The client closed the connection.
    Eof,
    /// No complete packet arrived within the read timeout.
    Timeout,
    /// A packet was rejected (see [`RejectReason`]).
    Rejected,
    /// Reading or writing the socket failed.
    IoError,
    /// The server is shutting down.
    Shutdown,
}

impl fmt::Display for CloseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Eof => "end of connection",
            Self::Timeout => "read timeout",
            Self::Rejected => "packet rejected",
            Self::IoError => "socket error",
            Self::Shutdown => "server shutdown",
        })
    }
}

/// Where the writer delivered results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sink {
    /// The Nagios command file (`command_file`).
    CommandFile,
    /// `alternate_dump_file` (the command file does not exist).
    AlternateDumpFile,
    /// Checkresult files in `check_result_path`.
    CheckResultDir,
    /// The spool file (the command file is unavailable; delivered later).
    Spool,
}

impl fmt::Display for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::CommandFile => "command file",
            Self::AlternateDumpFile => "alternate dump file",
            Self::CheckResultDir => "checkresult directory",
            Self::Spool => "spool",
        })
    }
}

/// One thing that happened in the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ServerEvent {
    /// The server listens on this address.
    Listening {
        /// The bound address.
        addr: SocketAddr,
    },
    /// A client connected.
    ConnectionOpened {
        /// The client's address (`None` for inetd on a pipe).
        peer: Option<SocketAddr>,
    },
    /// The init packet (IV and timestamp) could not be sent.
    InitFailed {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Why.
        error: String,
    },
    /// A result was decoded, validated and handed to the writer.
    ResultAccepted {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Host name (raw bytes up to the first NUL).
        host: Vec<u8>,
        /// Service description (empty for a host check).
        service: Vec<u8>,
        /// Return code as sent.
        return_code: i16,
        /// Plugin output (raw, before escaping).
        output: Vec<u8>,
    },
    /// A result was denied by the authz rules and not written.
    ResultDenied {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Host name.
        host: Vec<u8>,
        /// Service description (empty for a host check).
        service: Vec<u8>,
        /// The rule that decided.
        decision: Decision,
    },
    /// `strict_mode_spoofing`: the host name does not resolve to the client's address;
    /// the result is dropped, the connection stays open (2.10 behaviour).
    StrictModeDropped {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Host name claimed by the result.
        host: Vec<u8>,
    },
    /// A packet was rejected; the connection is closed.
    PacketRejected {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Why.
        reason: RejectReason,
        /// Host name, when the packet decoded far enough to have one.
        host: Option<Vec<u8>>,
    },
    /// A connection ended.
    ConnectionClosed {
        /// The client's address.
        peer: Option<SocketAddr>,
        /// Why.
        reason: CloseReason,
        /// Results accepted on this connection.
        results: u64,
        /// Bytes of an incomplete packet that were discarded.
        discarded: usize,
    },
    /// The writer delivered results.
    ResultsWritten {
        /// Where.
        sink: Sink,
        /// How many results.
        count: usize,
    },
    /// The command file cannot be written; results are kept and retried.
    CommandFileUnavailable {
        /// The command file.
        path: PathBuf,
        /// The OS error.
        error: String,
    },
    /// Results were written to the spool file while the command file is unavailable.
    Spooled {
        /// The spool file.
        path: PathBuf,
        /// Results spooled in this batch.
        count: usize,
    },
    /// The spool file could not be written either; results stay in memory.
    SpoolFailed {
        /// The spool file.
        path: PathBuf,
        /// The OS error.
        error: String,
    },
    /// A result could be neither written nor spooled (command file and spool both
    /// failing at shutdown): its line goes to the log, the only place left.
    Undelivered {
        /// The command-file line, without its `\n`.
        line: Vec<u8>,
    },
    /// Spooled results were delivered to the command file.
    SpoolDrained {
        /// How many results.
        count: usize,
    },
    /// A checkresult file could not be created; the result goes to the command file.
    CheckResultFileFailed {
        /// The directory.
        dir: PathBuf,
        /// The OS error.
        error: String,
    },
    /// A reload (SIGHUP) was requested.
    ReloadRequested,
    /// The configuration was reloaded.
    Reloaded,
    /// The new configuration has errors; the old one stays in force.
    ReloadFailed {
        /// The error.
        error: String,
    },
    /// A shutdown (SIGTERM, SIGINT) was requested.
    ShutdownRequested {
        /// Signal name ("TERM", "INT") or "request".
        signal: &'static str,
    },
    /// Every accepted result has been written; the server stopped.
    Shutdown,
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

impl fmt::Display for ServerEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Listening { .. } => f.write_str("listening"),
            Self::ConnectionOpened { .. } => f.write_str("connection opened"),
            Self::InitFailed { .. } => f.write_str("init packet not sent"),
            Self::ResultAccepted {
                host,
                service,
                return_code,
                ..
            } => {
                if service.is_empty() {
                    write!(f, "result accepted host={} rc={return_code}", lossy(host))
                } else {
                    write!(
                        f,
                        "result accepted host={} service={} rc={return_code}",
                        lossy(host),
                        lossy(service)
                    )
                }
            }
            Self::ResultDenied {
                host,
                service,
                decision,
                ..
            } => write!(
                f,
                "result denied host={} service={} {decision}",
                lossy(host),
                lossy(service)
            ),
            Self::StrictModeDropped { host, .. } => {
                write!(f, "result dropped by strict mode host={}", lossy(host))
            }
            Self::PacketRejected { reason, .. } => write!(f, "packet rejected: {reason}"),
            Self::ConnectionClosed {
                reason,
                results,
                discarded,
                ..
            } => write!(
                f,
                "connection closed: {reason} results={results} discarded={discarded}"
            ),
            Self::ResultsWritten { sink, count } => {
                write!(f, "{count} result(s) written to {sink}")
            }
            Self::CommandFileUnavailable { .. } => f.write_str("command file unavailable"),
            Self::Spooled { count, .. } => write!(f, "{count} result(s) spooled"),
            Self::SpoolFailed { .. } => f.write_str("spool file unavailable"),
            Self::SpoolDrained { count } => write!(f, "{count} spooled result(s) delivered"),
            Self::Undelivered { .. } => f.write_str("result undelivered (logged)"),
            Self::CheckResultFileFailed { .. } => f.write_str("checkresult file not created"),
            Self::ReloadRequested => f.write_str("reload requested"),
            Self::Reloaded => f.write_str("configuration reloaded"),
            Self::ReloadFailed { .. } => f.write_str("reload failed"),
            Self::ShutdownRequested { signal } => write!(f, "shutdown requested ({signal})"),
            Self::Shutdown => f.write_str("shutdown"),
        }
    }
}
