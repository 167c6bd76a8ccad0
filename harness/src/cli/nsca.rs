//! `reelcheck nsca send|serve|fake-server`: the NSCA programs under one roof.
//!
//! `send` and `serve` take exactly the command lines of send_nsca 2.10 and
//! nsca 2.10 (hand-parsed by `reelcheck-nsca`, since `-to` and `-ds` are not
//! clap-shaped), so every argument after the subcommand is passed through.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::process::ExitCode;

use reelcheck_nsca::fake::{self, Fault};

/// `reelcheck nsca ...`.
#[derive(Debug, clap::Subcommand)]
pub enum NscaCmd {
    /// send_nsca 2.10: read check results from stdin and send them (`send --help` is send_nsca's `-h`).
    #[command(disable_help_flag = true)]
    Send {
        /// send_nsca's arguments, e.g. `-H 127.0.0.1 -p 5667 -c /etc/send_nsca.cfg -to 10`.
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// nsca 2.10 in the foreground: `serve -c nsca.cfg [--authz FILE] [--inetd]`.
    #[command(disable_help_flag = true)]
    Serve {
        /// nsca's arguments (`-c FILE`, `--inetd`, `--authz FILE`, `-h`).
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// A fake NSCA server that injects faults into every connection (for testing clients).
    FakeServer {
        /// Address to listen on (loopback).
        #[arg(long, default_value = "127.0.0.1:5667")]
        listen: SocketAddr,
        /// A fault: no-init, delay-init:MS, short-init:N, close-immediately, zero-iv, fixed-iv:BYTE,
        /// fixed-timestamp:T, close-after-bytes:N, close-between-packets:N, reset-after-bytes:N,
        /// slow-reads:CHUNK:MS. Repeat for several.
        #[arg(long)]
        fault: Vec<Fault>,
    },
}

/// Runs an `nsca` subcommand and returns the program's own exit code.
pub fn run(cmd: NscaCmd) -> anyhow::Result<ExitCode> {
    let code = match cmd {
        NscaCmd::Send { args } => {
            let mut argv = vec![OsString::from("send_nsca")];
            argv.extend(args);
            reelcheck_nsca::cli::send_nsca_main(
                argv,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout().lock(),
                &mut std::io::stderr().lock(),
            )
        }
        NscaCmd::Serve { args } => reelcheck_nsca::server::serve_main(&args),
        NscaCmd::FakeServer { listen, fault } => fake::fake_server_main(listen, fault),
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(2)))
}
