//! reelcheck-nsca: a wire-compatible implementation of classic NSCA (Nagios passive checks, 2.10).
//!
//! The crate is made of a sans-IO core and thin IO shells; `clippy.toml` enforces the line
//! (no clock, thread, process, ambient randomness, file or socket in the core), and only
//! the shells carry an `#![allow]` for it, each with its reason.
//!
//! The core never opens a socket or a file, reads a clock or draws ambient randomness: it is
//! fed bytes, `now` and an RNG, and answers with bytes, results and typed errors:
//! * [`codec`] — packets and the init packet;
//! * [`cipher`] — the 2.10 encryption methods and their stream state;
//! * [`session`] — the client and server side of one connection;
//! * [`cmdfile`] — command-file lines and checkresult files, formatted;
//! * [`config`] — `nsca.cfg` and `send_nsca.cfg` parsing ([`config::NscaConfig::parse`],
//!   [`config::SendNscaConfig::parse`]);
//! * [`authz`] — authorization rules: parsing ([`authz::Authz::parse`]) and decisions;
//! * [`input`] — send_nsca's standard-input format;
//! * [`error`] — the core's error types (a leaf: it imports nothing of the crate);
//! * `cstr` — C string and number conversions as 2.10 does them.
//!
//! The shells do the IO around that core:
//! * [`server`] — the tokio nsca daemon (sockets, tasks, signals, the command-file writer);
//! * [`client`] — a blocking send_nsca client (TCP socket, deadline clock);
//! * [`cli`] — the send_nsca command line and process (standard streams, the alarm thread,
//!   OS-seeded filler);
//! * [`fake`] — fake NSCA servers with faults, for testing clients (sockets, tasks, a thread);
//! * `clock` — the one wall-clock read of the shells;
//! * the `load` functions, [`config::NscaConfig::load`], [`config::SendNscaConfig::load`] and
//!   [`authz::Authz::load`] — read the file (and probe the OS as 2.10 does), then call `parse`.
//!
//! Key types: [`codec::CheckResult`], [`codec::InitPacket`], [`cipher::Method`],
//! [`cipher::CipherState`], [`session::ClientSession`], [`session::ServerSession`],
//! [`config::NscaConfig`], [`config::SendNscaConfig`], [`Error`].
//! The protocol facts it implements are in the project's NSCA protocol reference.

pub mod authz;
pub mod cipher;
pub mod cli;
pub mod client;
mod clock;
pub mod cmdfile;
pub mod codec;
pub mod config;
mod cstr;
pub mod error;
pub mod fake;
pub mod input;
pub mod server;
pub mod session;

/// Every error the crate reports.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A packet could not be decoded.
    #[error(transparent)]
    Decode(#[from] error::DecodeError),
    /// A cipher method cannot be used.
    #[error(transparent)]
    Method(#[from] error::MethodError),
    /// A configuration file is invalid (the message is the one nsca 2.10 prints).
    #[error(transparent)]
    Config(#[from] error::ConfigError),
    /// send_nsca standard input could not be parsed.
    #[error(transparent)]
    Input(#[from] error::InputError),
    /// The send_nsca command line is invalid.
    #[error(transparent)]
    Usage(#[from] error::UsageError),
    /// The API was called in a state that does not allow the call.
    #[error(transparent)]
    Api(#[from] error::ApiMisuse),
    /// The blocking client failed.
    #[error(transparent)]
    Client(#[from] error::ClientError),
    /// An authz file is invalid.
    #[error(transparent)]
    Authz(#[from] authz::AuthzError),
    /// The server could not start or reload (it carries its own config, authz, bind,
    /// pid-file and privilege errors).
    #[error(transparent)]
    Server(#[from] server::ServerError),
}

/// Short alias for results of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::{Error, Result};
    use crate::authz::{Authz, Credential};
    use crate::server::ServerError;

    fn parse_authz(text: &[u8]) -> Result<Authz> {
        let default = Credential::new(1, b"pw".to_vec());
        Ok(Authz::parse(
            std::path::Path::new("authz.rules"),
            text,
            &default,
        )?)
    }

    #[test]
    fn authz_and_server_errors_convert_into_the_crate_error_with_their_message() {
        let err = parse_authz(b"allow from=10.0.0.0/8\nmaybe host=*\n").expect_err("bad action");
        assert!(matches!(err, Error::Authz(_)), "{err:?}");
        assert_eq!(
            err.to_string(),
            "authz file 'authz.rules' line 2: unknown action 'maybe' (expected allow or deny)"
        );
        let server = Error::from(ServerError::Usage("no config file".into()));
        assert!(matches!(server, Error::Server(_)));
        assert_eq!(server.to_string(), "no config file");
    }
}
