//! The NSCA server: a drop-in replacement for the nsca 2.10 daemon (the tokio shell).
//!
//! `reelcheck nsca serve -c nsca.cfg [--authz FILE] [--inetd]` runs [`serve_main`].
//! It reads `nsca.cfg` with the same parser and the same fatal errors as 2.10, binds
//! `server_address`/`server_port` (dual-stack when no address is given), writes the
//! `pid_file`, drops privileges to `nsca_user`/`nsca_group`, and serves in the
//! foreground like `nsca -f` until SIGTERM, SIGINT or SIGQUIT; SIGHUP reloads the
//! configuration (and the authz file).
//! `--inetd` handles exactly one connection on standard input/output and exits.
//!
//! Structure: each connection is a task running [`crate::session::ServerSession`]
//! (the private `conn` module); accepted results go through a bounded channel to the single
//! [`writer`] task, the only code that touches the command file; everything that
//! happens is a typed [`events::ServerEvent`], logged by [`log`] with 2.10's texts
//! and optionally sent to an observer channel.
//!
//! Files: `args` (the command line), `options` ([`ServeOptions`], the default spool path),
//! `error` ([`ServerError`], exit codes), `settings` (nsca.cfg and the authz file
//! resolved), `startup` (logger, settings and writer, shared by both modes), `daemon`
//! ([`Server`]: bind, pid file, privileges), `run` ([`Server::run`], reload, clean stop),
//! `handle` ([`ServerHandle`]), `signals`, `accept` (accept loops), `conn` (one
//! connection), `inetd` ([`run_inetd`]), `listen` (sockets as nsca binds them),
//! `process` ([`serve_main`]), and the public [`events`], [`log`], [`pidfile`], [`privs`]
//! and [`writer`].
//! This file only declares and re-exports; every child imports the module that defines
//! what it uses, never this one.
//!
//! Deliberate differences from nsca 2.10 (all in the direction of not losing data
//! and not trusting the network):
//! * the IV comes from the operating system's CSPRNG (2.10 has 256 possible IVs);
//! * connections are served concurrently: a slow client never stalls the others
//!   (2.10 `--single` stalls the whole daemon for ~11 s on a partial packet);
//! * an idle connection is closed after the read timeout (10 s), as 2.10 does in
//!   `--daemon`/`--inetd` mode but not in `--single` mode;
//! * results are never dropped because the command file is unavailable: see
//!   [`writer`] for the spool and retry rules;
//! * rejected packets are logged with the client's address;
//! * `max_packet_age` is only enforced with `--enforce-max-packet-age` (2.10 never
//!   enforces it, see the protocol reference §3.5);
//! * a `decryption_method` that cannot be used is a start-up error, not a silent
//!   close of every connection;
//! * a configuration with errors on SIGHUP keeps the previous configuration running
//!   (2.10 exits);
//! * an optional authz file ([`crate::authz`]) restricts which clients may submit
//!   which results.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the server shell: sockets, tasks, signals, the wall clock and the command file"
)]

pub mod events;
pub mod log;
pub mod pidfile;
pub mod privs;
pub mod writer;

mod accept;
mod args;
mod conn;
mod daemon;
mod error;
mod handle;
mod inetd;
mod listen;
mod options;
mod process;
mod run;
mod settings;
mod signals;
mod startup;

pub use args::{ServeCommand, USAGE, parse_args};
pub use daemon::Server;
pub use error::{EXIT_CRITICAL, EXIT_USAGE, ServerError};
pub use handle::ServerHandle;
pub use inetd::run_inetd;
pub use options::{DEFAULT_READ_TIMEOUT, ServeOptions, default_spool_path};
pub use process::{serve, serve_main};
pub use settings::Settings;
pub use signals::spawn_signal_watcher;
pub use startup::WRITER_QUEUE;
