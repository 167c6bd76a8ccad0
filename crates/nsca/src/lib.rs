//! reelcheck-nsca: a wire-compatible implementation of classic NSCA (Nagios passive checks, 2.10).
//!
//! The crate is made of a sans-IO core and thin IO shells.
//! The core ([`codec`], [`cipher`], [`session`], [`cmdfile`], [`config`], [`input`], [`cli`])
//! never opens a socket, reads a clock or draws ambient randomness: it is fed bytes, `now` and
//! an RNG, and answers with bytes, results and typed errors.
//! The shells are [`client`] (a blocking send_nsca) and, built on the same API, the server.
//!
//! Key types: [`codec::CheckResult`], [`codec::InitPacket`], [`cipher::Method`],
//! [`cipher::CipherState`], [`session::ClientSession`], [`session::ServerSession`],
//! [`config::NscaConfig`], [`config::SendNscaConfig`], [`Error`].
//! The protocol facts it implements are in the project's NSCA protocol reference.

pub mod authz;
pub mod cipher;
pub mod cli;
pub mod client;
pub mod cmdfile;
pub mod codec;
pub mod config;
mod cstr;
pub mod error;
pub mod input;
pub mod server;
pub mod session;

pub use error::{Error, Result};
