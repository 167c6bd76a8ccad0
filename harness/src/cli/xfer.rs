//! `reelcheck xfer run SPEC`: link and run a chain from a one-line spec,
//! printing the linkage, the message stream and the throughput;
//! `reelcheck xfer amanda-diff`: the live differential against Amanda 3.5.1.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context as _;
use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Status, Xfer, XferConfig};
use reelcheck_xfer::{spec, tables};

use reelcheck_harness::amanda::case::Case;
use reelcheck_harness::amanda::diff::{self, Outcome, Plan};
use reelcheck_harness::rng::Seed;
use reelcheck_harness::size::ByteSize;
use std::path::PathBuf;

/// `reelcheck xfer ...`.
#[derive(Debug, clap::Subcommand)]
pub enum XferCmd {
    /// Link and run a chain, e.g. 'random:1GiB,seed=7 -> xor:0x5a -> process:cat -> null'.
    ///
    /// Elements: random:SIZE[,seed=N][,prng=simpleprng], pattern:SIZE[,text=..|hex=..], memory:text=..|hex=..,
    /// fd:PATH or - (stdin first, stdout last), xor:KEY, crc, process:CMD ARGS..., null, buffer,
    /// crc-check:crc=..,size=.. . Messages and figures go to stderr when the chain writes to stdout.
    Run(RunArgs),
    /// Run chains through real Amanda 3.5.1 (Amanda::Xfer) and through us; compare.
    ///
    /// Covers every chain shape of random, pattern, fd, xor, crc, process, null and buffer
    /// up to --max-len elements, then --cases seeded ones. Compares mechanisms and glue
    /// positions, CRC messages, other messages, status and output bytes; exits 1 on any
    /// disagreement that is not a known Amanda defect, writing each as a replayable case.
    AmandaDiff(AmandaDiffArgs),
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

/// Arguments of `reelcheck xfer amanda-diff`.
#[derive(Debug, clap::Args)]
pub struct AmandaDiffArgs {
    /// Seed of every draw.
    #[arg(long, default_value = "0x11")]
    seed: Seed,
    /// Seeded cases after the shapes.
    #[arg(long, default_value_t = 100)]
    cases: usize,
    /// Longest chain (every shape up to this length is covered).
    #[arg(long, default_value_t = 6)]
    max_len: usize,
    /// Cover every shape only up to this length (default: --max-len); seeded cases still go to --max-len.
    #[arg(long)]
    shapes_len: Option<usize>,
    /// Seconds before a side counts as hung.
    #[arg(long, default_value_t = 20)]
    timeout: u64,
    /// Cases run in parallel.
    #[arg(long, default_value_t = 2)]
    jobs: usize,
    /// Where findings are written.
    #[arg(long, default_value = "amanda-diff-findings")]
    out: PathBuf,
    /// Replay one finding (a .case file) and print both sides in full.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
}

/// Runs an `xfer` subcommand.
pub fn run(cmd: XferCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        XferCmd::Run(args) => run_chain(args),
        XferCmd::AmandaDiff(args) => amanda_diff(&args),
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

fn amanda_diff(args: &AmandaDiffArgs) -> anyhow::Result<ExitCode> {
    if let Some(file) = &args.replay {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let case: Case = text.parse()?;
        let o = diff::run_case(0, &case, args.timeout)?;
        outln!(
            "{case}\n== Amanda 3.5.1\n{}\n== reelcheck-xfer\n{}",
            o.amanda.describe(),
            o.ours.describe()
        );
        for d in &o.disagreements {
            outln!("DISAGREE {}: {}", d.aspect, d.detail);
        }
        if let Some(k) = o.known {
            outln!(
                "known {} {}: {} (reproducer {})",
                k.side,
                k.id,
                k.title,
                k.reproducer
            );
        }
        return Ok(super::output::verdict_code(
            o.disagreements.is_empty() || o.known.is_some(),
        ));
    }
    let plan = Plan {
        seed: args.seed,
        max_len: args.max_len,
        shapes_len: args.shapes_len.unwrap_or(args.max_len).min(args.max_len),
        cases: args.cases,
        timeout: args.timeout,
        jobs: args.jobs,
        out: args.out.clone(),
    };
    let started = Instant::now();
    let progress = |o: &Outcome| {
        if !o.disagreements.is_empty() {
            let aspects: Vec<&str> = o.disagreements.iter().map(|d| d.aspect).collect();
            let known = o
                .known
                .map(|k| format!(" (known {} {})", k.side, k.id))
                .unwrap_or_default();
            eprintln!("case {}: {}{known}", o.index, aspects.join(", "));
        }
    };
    let outcomes = diff::run_plan(&plan, &progress)?;
    let mut new = 0;
    let mut known = 0;
    for o in outcomes.iter().filter(|o| !o.disagreements.is_empty()) {
        let path = diff::write_finding(&plan.out, plan.seed, o)?;
        if o.known.is_some() {
            known += 1;
        } else {
            new += 1;
            outln!("FINDING {}", path.display());
        }
    }
    outln!(
        "amanda-diff --seed {} --max-len {} --shapes-len {} --cases {}: {} cases, {} agreed, {} known (Amanda defects or reelcheck gaps), {} new disagreements, {:.1} s",
        plan.seed,
        plan.max_len,
        plan.shapes_len,
        plan.cases,
        outcomes.len(),
        outcomes.len() - new - known,
        known,
        new,
        started.elapsed().as_secs_f64()
    );
    Ok(super::output::verdict_code(new == 0))
}
