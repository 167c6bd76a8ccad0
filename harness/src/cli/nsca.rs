//! `reelcheck nsca send|serve|fake-server`: the NSCA programs under one roof.
//!
//! `send` and `serve` take exactly the command lines of send_nsca 2.10 and
//! nsca 2.10 (hand-parsed by `reelcheck-nsca`, since `-to` and `-ds` are not
//! clap-shaped), so every argument after the subcommand is passed through.
//! `fake-server` takes its faults as a fault plan (`--plan FILE`, the form a
//! failure prints) and as `--fault` shorthands, which join the plan.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};

use reelcheck_nsca::fake::{self, Fault};

use reelcheck_harness::fault::{Component, FaultPlan};
use reelcheck_harness::rng::Seed;

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
        /// A fault plan file (TOML, as a failure prints it); its `[[nsca]]` faults come
        /// first, then each `--fault`. A plan with faults for another component is refused.
        #[arg(long)]
        plan: Option<PathBuf>,
        /// The seed every connection's IV and timestamp are drawn from (default: the
        /// plan's seed, else 0); it must agree with a plan file's seed.
        #[arg(long)]
        seed: Option<Seed>,
    },
}

/// The fake server's fault plan: `plan`'s events, then each `--fault`.
fn fake_plan(plan: Option<&Path>, faults: Vec<Fault>) -> anyhow::Result<FaultPlan> {
    let mut p = match plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read fault plan {}", path.display()))?;
            FaultPlan::from_toml(&text)
                .with_context(|| format!("{}: not a fault plan", path.display()))?
        }
        None => FaultPlan::default(),
    };
    if let Some(c) = p.stray(&[Component::Nsca]) {
        bail!(
            "{}: a fake NSCA server takes only [[nsca]] faults, not [[{}]]",
            plan.map_or_else(String::new, |p| p.display().to_string()),
            c.name()
        );
    }
    p.nsca.extend(faults);
    Ok(p)
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
        NscaCmd::FakeServer {
            listen,
            fault,
            plan,
            seed,
        } => {
            let mut p = fake_plan(plan.as_deref(), fault)?;
            if let Some(seed) = seed {
                if plan.is_some() && p.seed != seed.0 {
                    bail!(
                        "--seed {seed} disagrees with the plan's seed {}: give one",
                        p.seed()
                    );
                }
                p.seed = seed.0;
            }
            fake::fake_server_main(listen, p.seed, p.nsca)
        }
    };
    Ok(ExitCode::from(u8::try_from(code).unwrap_or(2)))
}
