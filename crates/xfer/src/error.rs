//! The runtime's error type: everything that can go wrong building or
//! running a transfer. A leaf: it names only the linker's error and the
//! table versions, never the runtime, the elements or the spec parser (a
//! malformed one-line spec is the parser's own [`crate::spec::SpecError`]).

use crate::link::error::LinkError;
use crate::tables::TableVersion;

/// Everything that can go wrong building or running a transfer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The chain cannot be linked.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// An element has no mechanism pairs in the chosen table version.
    #[error("element {index} ({name}) does not exist in the Amanda {version} tables")]
    NoPairs {
        /// Index of the element in the user chain.
        index: usize,
        /// Its name.
        name: String,
        /// The table version asked for.
        version: TableVersion,
    },
    /// The linkage given to [`Xfer::new`](crate::transfer::Xfer::new) does not fit the chain.
    #[error("linkage does not fit the chain: {0}")]
    BadLinkage(String),
    /// The runtime cannot run this mechanism pair or element (DirectTCP, SHM ring, cost-only).
    #[error("not supported by this runtime: {what}")]
    NotSupported {
        /// What was asked for, e.g. `glue PULL_BUFFER_STATIC->SHM_RING`.
        what: String,
    },
    /// An element was called through an entry point it does not implement.
    #[error("{op} is not supported by this element")]
    Unsupported {
        /// The entry point (`pull_buffer`, ...).
        op: &'static str,
    },
    /// An operating-system call failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (`reading fd 7`, `spawning gzip -n`).
        context: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A child process ended unsuccessfully.
    #[error("child `{command}` {status}")]
    Child {
        /// The command line.
        command: String,
        /// How it ended (`exited with status 3`, `killed by SIGKILL`).
        status: String,
    },
    /// The data's CRC32 or size differs from what a crc-checker expected.
    #[error(
        "crc mismatch: expected crc={expected_crc:#010x} size={expected_size}, \
         got crc={crc:#010x} size={size}"
    )]
    CrcMismatch {
        /// Expected CRC32.
        expected_crc: u32,
        /// Expected size in bytes.
        expected_size: u64,
        /// CRC32 of the data received.
        crc: u32,
        /// Bytes received.
        size: u64,
    },
    /// A fault hook fired (data: [`Faults::error_at`](crate::transfer::Faults::error_at)).
    #[error("injected error at byte {byte}")]
    Injected {
        /// The byte offset the hook named.
        byte: u64,
    },
    /// A destination buffer would exceed its limit.
    #[error("buffer limit of {limit} bytes exceeded")]
    BufferFull {
        /// The limit.
        limit: usize,
    },
    /// The API was used out of order (start twice, spawn after start, ...).
    #[error("api misuse: {0}")]
    Misuse(String),
    /// A transfer did not finish within the watchdog's time.
    #[error("transfer did not finish within {secs} s (threads left running)")]
    Timeout {
        /// The watchdog's limit in seconds.
        secs: u64,
    },
}

impl Error {
    /// An [`Error::Io`] from a nix errno.
    pub fn errno(context: impl Into<String>, errno: nix::Error) -> Error {
        Error::Io {
            context: context.into(),
            source: std::io::Error::from(errno),
        }
    }
}
