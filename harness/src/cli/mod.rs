//! The command line: argument types and dispatch to the library.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use reelcheck_harness::report;
use reelcheck_harness::runner::{self, Layout};
use reelcheck_harness::shard::Shard;

/// reelcheck: a conformance and simulation test-bed for NSCA and Amanda-style tape writing.
#[derive(Debug, Parser)]
#[command(name = "reelcheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Replay every scenario (default: scenarios/), compare golden traces, print a table.
    Run(RunArgs),
    /// Replay one scenario and print its verdict and (with --trace) its whole trace.
    Replay(ReplayArgs),
    /// Run a fuzz campaign; a failure is shrunk and written as a scenario to replay.
    Fuzz(fuzz::FuzzArgs),
    /// Transfers: link and run a chain from a one-line spec, describe elements.
    #[command(subcommand)]
    Xfer(xfer::XferCmd),
    /// NSCA: send_nsca-compatible client, nsca-compatible server, fault-injecting fake server.
    #[command(subcommand)]
    Nsca(nsca::NscaCmd),
    /// Tape volumes: inspect a vfs volume directory, label an empty one.
    #[command(subcommand)]
    Tape(tape::TapeCmd),
    /// Reports: merge the campaign reports of a sharded fuzz run.
    #[command(subcommand)]
    Report(merge::ReportCmd),
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Scenario files or directories.
    #[arg(default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Golden trace directory.
    #[arg(long, default_value = "golden")]
    golden: PathBuf,
    /// Write a report: .json, .jsonl, .xml (JUnit) or .html, by extension.
    #[arg(long, value_name = "FILE")]
    report: Vec<PathBuf>,
    /// Run only shard K of N (1 <= K <= N); shards split the sorted file list.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    shard: Shard,
}

#[derive(Debug, clap::Args)]
struct ReplayArgs {
    /// The scenario file.
    file: PathBuf,
    /// Golden trace directory.
    #[arg(long, default_value = "golden")]
    golden: PathBuf,
    /// Print the full event trace.
    #[arg(long)]
    trace: bool,
}

/// `println!` that ends the process quietly when stdout is a closed pipe
/// (`reelcheck ... | head`), instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::output::write_stdout(&format!($($arg)*))
    };
}

mod fuzz;
mod merge;
mod nsca;
mod output;
mod tape;
mod xfer;

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run(args),
        Command::Replay(args) => replay(args),
        Command::Fuzz(args) => fuzz::run(args),
        Command::Xfer(cmd) => xfer::run(cmd),
        Command::Nsca(cmd) => nsca::run(cmd),
        Command::Tape(cmd) => tape::run(cmd),
        Command::Report(cmd) => merge::run(cmd),
    }
}

fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    for path in &args.report {
        report::Format::for_path(path)?;
    }
    let files = runner::collect(&args.paths, args.shard).context("collecting scenario files")?;
    let layout = Layout {
        golden: args.golden,
    };
    let records = runner::replay_all(&files, &layout);
    outln!("{}", report::table(&records).trim_end());
    for path in &args.report {
        report::write(path, &records)?;
        eprintln!("report written to {}", path.display());
    }
    Ok(output::verdict_code(
        records.iter().all(report::Record::passed),
    ))
}

fn replay(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let layout = Layout {
        golden: args.golden,
    };
    let replayed = runner::replay(&args.file, &layout);
    let r = &replayed.record;
    if let Some(s) = &replayed.scenario {
        outln!(
            "scenario {}/{} seed={}: {}",
            s.header.kind,
            s.header.name,
            s.header.seed,
            s.header.about
        );
    }
    if args.trace
        && let Some(o) = &replayed.outcome
    {
        outln!("{}", o.trace.render().trim_end());
    }
    for (k, v) in &r.figures {
        outln!("{k} = {v}");
    }
    for reason in &r.reasons {
        outln!("FAIL: {reason}");
    }
    outln!(
        "verdict: {} (trace sha256 {})",
        r.verdict.to_uppercase(),
        if r.trace_hash.is_empty() {
            "-"
        } else {
            &r.trace_hash
        }
    );
    Ok(output::verdict_code(r.passed()))
}
