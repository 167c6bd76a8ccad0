//! The error sub-enums of the crate, one per class of failure.
//!
//! Malformed packets ([`DecodeError`]), cipher methods that cannot be used ([`MethodError`]),
//! configuration files ([`ConfigError`]), send_nsca input ([`InputError`]), command lines
//! ([`UsageError`]), API misuse ([`ApiMisuse`]) and the blocking client ([`ClientError`]).
//! This module is a leaf: it names nothing else of the crate, so every module may use it.
//! The all-in-one [`crate::Error`] (which also carries authz and server errors) is assembled
//! in the crate root, where no core module imports it.
//! IO errors only come from the shells (the blocking client and the server).

use std::path::PathBuf;

/// A data or init packet that is not acceptable.
///
/// The order of the checks is the one of nsca 2.10: length, then version, then CRC.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The buffer is neither 4304 (v3) nor 720 (legacy) bytes long.
    #[error("wrong packet length: {actual} bytes (expected 4304 or 720)")]
    WrongLength {
        /// Number of bytes given.
        actual: usize,
    },
    /// The init packet is shorter than 132 bytes.
    #[error("init packet too short: {actual} bytes (expected 132)")]
    ShortInit {
        /// Number of bytes given.
        actual: usize,
    },
    /// The packet version field is not 3 (usually a wrong password or method).
    #[error("invalid packet version {found} (expected 3)")]
    BadVersion {
        /// The version found in the decrypted packet.
        found: i16,
    },
    /// The CRC-32 in the packet does not match the CRC computed over the packet.
    #[error("invalid CRC32: packet says {expected:#010x}, computed {actual:#010x}")]
    BadCrc {
        /// The CRC stored in the packet.
        expected: u32,
        /// The CRC computed over the packet with the CRC field zeroed.
        actual: u32,
    },
}

/// Why a cipher method number cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodUnavailable {
    /// The number is not a method NSCA knows (outside 0..=26).
    Unknown,
    /// nsca 2.10's config parser rejects this number (13 RC6, 17 MARS, 18 PANAMA, 21 IDEA).
    RejectedByConfigParser,
    /// No libmcrypt 2.5.8 build can open this algorithm in CFB mode (7, 12, 19, 22, 24, 25).
    NotInLibmcrypt,
    /// libmcrypt supports it but no implementation here reproduces its output byte for byte.
    NotImplemented,
}

impl std::fmt::Display for MethodUnavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Unknown => "unknown method number",
            Self::RejectedByConfigParser => "rejected by the nsca 2.10 config parser",
            Self::NotInLibmcrypt => "not supported by any libmcrypt build in CFB mode",
            Self::NotImplemented => {
                "not implemented (no byte-exact implementation of the libmcrypt algorithm)"
            }
        })
    }
}

/// A cipher method number that cannot be used, with the reason.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("encryption method {number} ({name}): {reason}")]
pub struct MethodError {
    /// The method number asked for.
    pub number: i64,
    /// The name nsca gives the method ("unknown" outside 0..=26).
    pub name: &'static str,
    /// Why it cannot be used.
    pub reason: MethodUnavailable,
}

/// A configuration file error; `Display` is the message nsca/send_nsca 2.10 prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be opened (send_nsca prints this with a final period).
    #[error("Could not open config file '{}' for reading", path.display())]
    Open {
        /// The path as given.
        path: PathBuf,
        /// The OS error text.
        reason: String,
    },
    /// A line has no variable name.
    #[error("No variable name specified in config file '{}' - Line {line}", path.display())]
    NoName {
        /// The file.
        path: PathBuf,
        /// 1-based line number (as fgets counts).
        line: usize,
    },
    /// A line has no value after `=`.
    #[error("No variable value specified in config file '{}' - Line {line}", path.display())]
    NoValue {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// A name that matches no option.
    #[error("Unknown option specified in config file '{}' - Line {line}", path.display())]
    UnknownOption {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// `server_port` below 1024 without root, or negative.
    #[error("Invalid port number specified in config file '{}' - Line {line}", path.display())]
    InvalidPort {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// `decryption_method` (nsca.cfg) not accepted by the 2.10 parser.
    #[error("Invalid decryption method ({method}) in config file '{}' - Line {line}", path.display())]
    InvalidDecryptionMethod {
        /// The number as atoi read it.
        method: i32,
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// `encryption_method` (send_nsca.cfg) not accepted by the 2.10 parser.
    #[error("Invalid encryption method ({method}) in config file '{}' - Line {line}", path.display())]
    InvalidEncryptionMethod {
        /// The number as atoi read it.
        method: i32,
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// `max_packet_age` above 900.
    #[error("Max packet age cannot be greater than 15 minutes (900 seconds).")]
    MaxPacketAge {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// A value longer than its buffer (password, command file, dump file, check result path).
    #[error("{what} is too long in config file '{}' - Line {line}", path.display())]
    TooLong {
        /// "Password", "Command file name", "Alternate dump file name" or "Check result path".
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
    /// `check_result_path` names a directory that is not writable.
    #[error("check_result_path config variable found, but directory not writeable.")]
    CheckResultPathNotWritable {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
    },
}

/// send_nsca standard input that stops the run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    /// One record (result set) is longer than 5120 bytes.
    #[error("Error: Input set is longer than max allowed.")]
    SetTooLong {
        /// 1-based index of the record in the input.
        record: usize,
    },
}

/// An invalid send_nsca command line (exit code 3).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsageError {
    /// An option that takes a value is the last argument.
    #[error("option {option} needs a value")]
    MissingValue {
        /// The option.
        option: String,
    },
    /// `-to` is not a positive number.
    #[error("invalid timeout {value:?}: must be a positive number of seconds")]
    BadTimeout {
        /// The argument.
        value: String,
    },
    /// `-d`/`-ds` numeric value out of range.
    #[error("invalid delimiter {value:?}")]
    BadDelimiter {
        /// The argument.
        value: String,
    },
    /// An argument that is not an option (only the first argument may be a bare host).
    #[error("unexpected argument {arg:?}")]
    Unexpected {
        /// The argument.
        arg: String,
    },
}

/// A call that the current state does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiMisuse {
    /// A client tried to encode a result before the init packet was complete.
    #[error("init packet not yet received")]
    NotReady,
}

/// The blocking client could not deliver the results.
///
/// `Display` is the first line send_nsca prints on standard error; [`ClientError::messages`]
/// gives every line.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The host name did not resolve.
    #[error("Host name lookup failed: '{host}'")]
    Lookup {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
    },
    /// The connection was refused or failed.
    #[error("{reason}")]
    Connect {
        /// The host as given.
        host: String,
        /// The port.
        port: u16,
        /// send_nsca's text for the errno ("Connection refused by host", ...).
        reason: &'static str,
    },
    /// The run did not finish within the `-to` timeout.
    #[error("Error: Timeout after {seconds} seconds")]
    Timeout {
        /// The timeout in seconds.
        seconds: u32,
    },
    /// The server closed the connection before sending 132 bytes.
    #[error("Error: Server closed connection before init packet was received")]
    ClosedBeforeInit {
        /// Bytes of the init packet that did arrive.
        received: usize,
    },
    /// The configured method cannot be used.
    #[error("Error: Failed to initialize encryption libraries for method {}", .0.number)]
    Method(MethodError),
    /// Sending a packet failed.
    #[error("Error: Could not send data to host")]
    Send {
        /// 1-based number of the packet that failed.
        packet: usize,
        /// The OS error.
        source: std::io::Error,
    },
    /// Reading standard input failed.
    #[error("Error: could not read standard input: {source}")]
    Stdin {
        /// The OS error.
        source: std::io::Error,
    },
    /// A record of standard input is too long (send_nsca exits 255).
    #[error(transparent)]
    Input(InputError),
}

impl ClientError {
    /// Every line send_nsca 2.10 prints for this error, in order, without newlines.
    pub fn messages(&self) -> Vec<String> {
        match self {
            Self::Lookup { host, port } => vec![
                format!("Host name lookup failed: '{host}'"),
                format!("Error: Could not connect to host {host} on port {port}"),
            ],
            Self::Connect { host, port, reason } => vec![
                (*reason).to_string(),
                format!("Error: Could not connect to host {host} on port {port}"),
            ],
            Self::ClosedBeforeInit { .. } => vec![
                self.to_string(),
                "Error: Could not read init packet from server".to_string(),
            ],
            other => vec![other.to_string()],
        }
    }

    /// The exit code send_nsca 2.10 uses for this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Send { .. } => 3,
            Self::Input(_) => 255,
            _ => 2,
        }
    }
}
