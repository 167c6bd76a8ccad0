//! Fake NSCA servers with injected faults, for testing clients (send_nsca, ours).
//!
//! # Fault model
//!
//! A fake server accepts connections on a loopback address and plays the server's
//! side of the protocol: it sends a 132-byte init packet (IV and timestamp drawn
//! from the fake's seed, [`init`], never from the OS or the clock)
//! and then only reads.
//! It never writes a command file; instead it *records* every connection (the init
//! bytes it actually sent and every byte it received) so a test can decrypt and
//! check what the client sent ([`Recording::decode`]).
//! Faults are data ([`Fault`], serde-serialisable) passed to [`FakeServer::bind`]
//! and applied to every connection, at three stages:
//!
//! * **init stage** — [`Fault::NoInit`] (never send the init packet, hold the
//!   connection until the client gives up), [`Fault::DelayInit`],
//!   [`Fault::ShortInit`] (send only the first bytes, then close),
//!   [`Fault::CloseImmediately`];
//! * **init content** — [`Fault::ZeroIv`], [`Fault::FixedIv`] (XOR then reduces to
//!   the password), [`Fault::FixedTimestamp`] (clients must echo it);
//! * **data stage** — [`Fault::CloseAfterBytes`] (close in the middle of a packet),
//!   [`Fault::CloseBetweenPackets`] (close after whole packets),
//!   [`Fault::ResetAfterBytes`] (TCP reset instead of an orderly close),
//!   [`Fault::SlowReads`] (read a few bytes at a time, so the client meets TCP
//!   back-pressure).
//!
//! When several faults of one stage are given, the first one wins.
//! Delays use tokio time, so tests with a paused clock run them instantly.
//! The fake has no cipher of its own: faults act on bytes, and decoding is done
//! afterwards on the recording.
//!
//! Files: [`fault`] (the fault list and its `--fault` syntax), [`init`] (the seeded
//! init packet), [`recording`] (what a
//! connection saw), [`server`] (the tokio fake), [`thread`] (the fake on its own thread, for
//! blocking callers) and `fake_server_main` (the `reelcheck nsca fake-server` process).
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the fake servers are shells: loopback sockets, tasks and a thread"
)]

pub mod fault;
pub mod init;
mod process;
pub mod recording;
pub mod server;
pub mod thread;

pub use fault::{Fault, FaultParseError};
pub use process::fake_server_main;
pub use recording::{Recording, RecordingEnd};
pub use server::FakeServer;
pub use thread::FakeServerThread;
