//! How the server was asked to run: [`ServeOptions`] and the default spool path.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::log::LogTarget;

/// nsca's socket timeout: 10 seconds per packet read.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Where undelivered results wait when `--spool` is not given:
/// `/var/tmp/reelcheck-nsca-<port>.spool`.
pub fn default_spool_path(port: u16) -> PathBuf {
    PathBuf::from(format!("/var/tmp/reelcheck-nsca-{port}.spool"))
}

/// How `reelcheck nsca serve` was asked to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// `-c FILE`: the nsca.cfg to read (made absolute, as nsca does).
    pub config: PathBuf,
    /// `--authz FILE`: authorization rules (see [`crate::authz`]).
    pub authz: Option<PathBuf>,
    /// `--inetd`: handle one connection on standard input/output, then exit.
    pub inetd: bool,
    /// `--spool FILE`: where undelivered results wait (default: [`default_spool_path`]).
    pub spool: Option<PathBuf>,
    /// `--enforce-max-packet-age`: drop packets older than `max_packet_age`.
    pub enforce_max_packet_age: bool,
    /// Where log messages go.
    pub log: LogTarget,
    /// Addresses to bind instead of `server_address`/`server_port` (tests: port 0).
    pub listen: Option<Vec<SocketAddr>>,
    /// Per-packet read timeout and idle timeout.
    pub read_timeout: Duration,
    /// Time zone offset used for the `# Time:` line of checkresult files.
    pub utc_offset_secs: i64,
}

impl ServeOptions {
    /// Options for `-c config` with every other setting at its default.
    pub fn new(config: impl Into<PathBuf>) -> Self {
        Self {
            config: config.into(),
            authz: None,
            inetd: false,
            spool: None,
            enforce_max_packet_age: false,
            log: LogTarget::Auto,
            listen: None,
            read_timeout: DEFAULT_READ_TIMEOUT,
            utc_offset_secs: 0,
        }
    }

    /// The spool file for a server on `port`: `--spool`, or [`default_spool_path`].
    pub fn spool_path(&self, port: u16) -> PathBuf {
        self.spool
            .clone()
            .unwrap_or_else(|| default_spool_path(port))
    }
}
