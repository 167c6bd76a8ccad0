//! [`ServerError`]: everything that stops the server from starting or reloading, and the
//! exit codes nsca uses for them.

use std::path::PathBuf;

use super::pidfile::PidFileError;
use super::privs::PrivilegeError;
use crate::authz::AuthzError;
use crate::error::{ConfigError, MethodError};

/// Exit code for configuration and start-up errors (nsca's STATE_CRITICAL).
pub const EXIT_CRITICAL: i32 = 2;

/// Exit code for usage errors, `-h`, `-V` and `-l` (as nsca).
pub const EXIT_USAGE: i32 = 3;

/// Everything that can stop the server from starting (or reloading).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// nsca.cfg has an error (2.10's message).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The configured decryption method cannot be used.
    #[error("{path}: {error}", path = path.display())]
    Method {
        /// The config file.
        path: PathBuf,
        /// Why the method cannot be used.
        error: MethodError,
    },
    /// The authz file has an error.
    #[error(transparent)]
    Authz(#[from] AuthzError),
    /// A listening socket could not be set up (2.10's message).
    #[error("Network server bind failure ({}: {source}) on {addr}", source.raw_os_error().unwrap_or(0))]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The pid file names a running server.
    #[error(transparent)]
    PidFile(#[from] PidFileError),
    /// Privileges could not be dropped.
    #[error(transparent)]
    Privileges(#[from] PrivilegeError),
    /// Another IO failure (runtime, standard input).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ServerError {
    /// The process exit code for this error (usage 3, everything else 2).
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            _ => EXIT_CRITICAL,
        }
    }

    /// An [`ServerError::Io`] maker for `what` (for `map_err`).
    pub(crate) fn io(what: &str) -> impl FnOnce(std::io::Error) -> Self {
        let what = what.to_owned();
        move |source| Self::Io { what, source }
    }
}
