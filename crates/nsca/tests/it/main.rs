//! Integration tests for reelcheck-nsca, one module per topic.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "integration tests drive the shells: temp files, sockets, threads, processes and clocks"
)]

/// send_nsca command line and exit codes.
mod cli;
/// Blocking client against in-test fake servers.
mod client;
/// nsca.cfg and send_nsca.cfg parsing tables.
mod config;
/// send_nsca standard input parsing (the S-matrix).
mod input;
/// Against the real Debian nsca / send_nsca 2.10.2 binaries.
mod interop;
/// Our server against the real nsca daemon on the same byte streams.
mod interop_daemon;
/// Real send_nsca against our server.
mod interop_send_nsca;
/// Round trips and robustness (proptest).
mod roundtrip;
/// Authorization rules and trial decryption.
mod server_authz;
/// Fake servers with faults.
mod server_fake;
/// `--inetd` on sockets and pipes.
mod server_inetd;
/// Syslog output and IV randomness.
mod server_log;
/// The server as a process: command line, privilege drop, pid file, signals.
mod server_process;
/// Arbitrary bytes never break the server (proptest).
mod server_props;
/// Server session rules (legacy 720, bad packets, candidates) and command-file output.
mod server_session;
/// SIGHUP reload, clean shutdown, pid file.
mod server_signals;
/// The tokio server against behaviour vectors V10–V18 (§8.2): fields, timeouts, IPv6.
mod server_vectors_fields;
/// The tokio server against behaviour vectors V1–V9 (§8.2): cipher state, legacy, bad packets.
mod server_vectors_framing;
/// The command-file writer: spool, FIFOs, full disk, checkresult files.
mod server_writer;
/// Test helpers: bounded event waits, the server kit, sans-IO helpers, real-peer runners.
mod support;
/// Byte vectors of the protocol reference (§8.1).
mod vectors;
