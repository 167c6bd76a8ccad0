//! `reelcheck xfer run SPEC`: link and run a chain from a one-line spec,
//! printing the linkage, the message stream and the throughput.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Status, Xfer, XferConfig};
use reelcheck_xfer::{spec, tables};

use reelcheck_harness::size::ByteSize;

/// `reelcheck xfer ...`.
#[derive(Debug, clap::Subcommand)]
pub enum XferCmd {
    /// Link and run a chain, e.g. 'random:1GiB,seed=7 -> xor:0x5a -> process:cat -> null'.
    ///
    /// Elements: random:SIZE[,seed=N], pattern:SIZE[,text=..|hex=..], memory:text=..|hex=..,
    /// fd:PATH or - (stdin first, stdout last), xor:KEY, crc, process:CMD ARGS..., null, buffer,
    /// crc-check:crc=..,size=.. . Messages and figures go to stderr when the chain writes to stdout.
    Run(RunArgs),
    /// Print an Amanda element's mechanism pairs (or the glue table) for a table version.
    Describe {
        /// Amanda element name (Random, DestTaperSplitter, ...) or `glue`.
        element: String,
        /// Table version.
        #[arg(long, default_value = "3.5")]
        tables: TableVersion,
    },
}

/// Arguments of `reelcheck xfer run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The chain spec.
    #[arg(allow_hyphen_values = true)]
    spec: String,
    /// Amanda cost tables to link with.
    #[arg(long, default_value = "3.5")]
    tables: TableVersion,
    /// Buffer size of glue and sources.
    #[arg(long, default_value = "32 KiB")]
    buffer_size: ByteSize,
    /// Print only the summary line.
    #[arg(long)]
    quiet: bool,
}

/// Runs an `xfer` subcommand.
pub fn run(cmd: XferCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        XferCmd::Run(args) => run_chain(args),
        XferCmd::Describe { element, tables: v } => {
            if element.eq_ignore_ascii_case("glue") {
                outln!("{}", tables::describe_glue(v).trim_end());
            } else {
                let e = tables::AmandaElement::from_amanda_name(&element)
                    .with_context(|| format!("unknown Amanda element `{element}`"))?;
                outln!("{}", tables::describe(e, v).trim_end());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn run_chain(args: RunArgs) -> anyhow::Result<ExitCode> {
    let parsed = spec::parse(&args.spec)?;
    let to_stdout =
        args.spec.trim_end().ends_with("-> -") || args.spec.trim_end().ends_with("fd:-");
    let say = |line: String| {
        if to_stdout {
            eprintln!("{line}");
        } else {
            outln!("{line}");
        }
    };
    let built = parsed.build();
    let config = XferConfig {
        buffer_size: args.buffer_size.0 as usize,
        ..XferConfig::default()
    };
    let mut x = Xfer::linked(built.elements, args.tables, config)?;
    if !args.quiet {
        say(format!(
            "Final linkage: {} (cost {:#x}, tables {})",
            x.render_linkage(),
            x.linkage().cost,
            args.tables
        ));
    }
    let started = Instant::now();
    x.start()?;
    let summary = x.wait();
    let secs = started.elapsed().as_secs_f64();
    if !args.quiet {
        for m in &summary.messages {
            if !matches!(m.kind, MsgKind::Done) {
                say(m.to_string());
            }
        }
    }
    let mib = summary.bytes as f64 / (1 << 20) as f64;
    say(format!(
        "{}: {} bytes in {secs:.3} s ({:.1} MiB/s); {}",
        summary.status,
        summary.bytes,
        mib / secs.max(1e-9),
        summary.leaks
    ));
    if let Some(b) = built.buffer {
        say(format!("buffer holds {} bytes", b.len()));
    }
    Ok(super::output::verdict_code(summary.status == Status::Done))
}
