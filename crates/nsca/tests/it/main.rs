//! Integration tests for reelcheck-nsca, one module per topic.

/// Byte vectors of the protocol reference (§8.1).
mod vectors;
/// Round trips and robustness (proptest).
mod roundtrip;
/// Server session rules (legacy 720, bad packets, candidates) and command-file output.
mod server_session;
/// nsca.cfg and send_nsca.cfg parsing tables.
mod config;
/// send_nsca standard input parsing (the S-matrix).
mod input;
/// send_nsca command line and exit codes.
mod cli;
/// Blocking client against in-test fake servers.
mod client;
/// Against the real Debian nsca / send_nsca 2.10.2 binaries.
mod interop;
/// Shared helpers.
mod util;
