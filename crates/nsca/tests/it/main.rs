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
/// Server test kit (temp dirs, clients, event waits).
mod server_support;
/// The tokio server against the behaviour vectors V1–V18 (§8.2).
mod server_vectors;
/// The command-file writer: spool, FIFOs, full disk, checkresult files.
mod server_writer;
/// Authorization rules and trial decryption.
mod server_authz;
/// SIGHUP reload, clean shutdown, pid file.
mod server_signals;
/// `--inetd` on sockets and pipes.
mod server_inetd;
/// Fake servers with faults.
mod server_fake;
/// Arbitrary bytes never break the server (proptest).
mod server_props;
/// Running the real nsca / send_nsca next to ours (helpers).
mod interop_support;
/// Real send_nsca against our server.
mod interop_send_nsca;
/// Our server against the real nsca daemon on the same byte streams.
mod interop_daemon;
/// The server as a process: command line, privilege drop, pid file, signals.
mod server_process;
/// Syslog output and IV randomness.
mod server_log;
