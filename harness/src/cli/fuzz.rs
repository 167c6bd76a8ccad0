//! `reelcheck fuzz`: campaigns over seed ranges, sharded, with reports.

use std::path::PathBuf;
use std::process::ExitCode;

use reelcheck_harness::fuzz::{self, CampaignConfig, CampaignReport, Target};
use reelcheck_harness::rng::{Seed, SeedRange};
use reelcheck_harness::shard::Shard;

/// What to fuzz.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum FuzzKind {
    /// Random transfer chains, sizes and faults against the output model.
    Xfer,
    /// Random Device API call sequences on a simulated drive against the reference model.
    Tape,
}

/// Arguments of `reelcheck fuzz`.
#[derive(Debug, clap::Args)]
pub struct FuzzArgs {
    /// The target.
    kind: FuzzKind,
    /// First seed (decimal or 0x hex). Without it, `REELCHECK_SEED`, else 1; an explicit
    /// --seed always wins over the variable.
    #[arg(long)]
    seed: Option<Seed>,
    /// Number of cases, starting at the first seed (seeds wrap past 0xffffffffffffffff to 0).
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    cases: u64,
    /// An explicit seed range A..B (B excluded) instead of --seed/--cases.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["seed", "cases"])]
    seeds: Option<SeedRange>,
    /// Run only shard K of N of the seeds.
    #[arg(long, value_name = "K/N", default_value = "1/1")]
    shard: Shard,
    /// Directory for minimised failing scenarios.
    #[arg(long, default_value = "fuzz-failures")]
    out: PathBuf,
    /// Keep going after the first failure.
    #[arg(long)]
    keep_going: bool,
    /// Worker threads (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
    /// Hide the progress bar.
    #[arg(long)]
    quiet: bool,
    /// Write the campaign report (.json, or .jsonl to merge shards by concatenation).
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
}

/// Runs a campaign and prints its summary.
pub fn run(args: FuzzArgs) -> anyhow::Result<ExitCode> {
    let range = match (args.seeds, args.seed) {
        (Some(r), _) => r,
        (None, Some(seed)) => SeedRange::from_start(seed, args.cases),
        (None, None) => SeedRange::from_start(Seed::from_env_or(Seed(1))?, args.cases),
    };
    let seeds = args.shard.select(range.iter());
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let config = CampaignConfig {
        out_dir: args.out,
        progress: !args.quiet,
        keep_going: args.keep_going,
        jobs,
    };
    let report = match args.kind {
        FuzzKind::Xfer => campaign(&fuzz::xfer::XferTarget, &seeds, &config),
        FuzzKind::Tape => campaign(&fuzz::tape::TapeTarget, &seeds, &config),
    };
    let last = Seed(range.start.wrapping_add(range.count - 1));
    outln!(
        "fuzz {}: {} cases of seeds {} to {last}, {} executions, {} bytes, {} failures in {:.1} s ({:.0} cases/s){}",
        report.target,
        report.cases,
        Seed(range.start),
        report.stats.executed,
        report.stats.bytes,
        report.failures.len(),
        report.seconds,
        report.cases as f64 / report.seconds.max(1e-9),
        if args.shard == Shard::ALL {
            String::new()
        } else {
            format!(" [shard {}]", args.shard)
        },
    );
    if let Some(path) = &args.report {
        let text = if path.extension().is_some_and(|e| e == "jsonl") {
            serde_json::to_string(&report)? + "\n"
        } else {
            serde_json::to_string_pretty(&report)? + "\n"
        };
        std::fs::write(path, text)?;
    }
    Ok(super::output::verdict_code(report.failures.is_empty()))
}

fn campaign<T: Target>(target: &T, seeds: &[Seed], config: &CampaignConfig) -> CampaignReport {
    fuzz::campaign(target, seeds, config)
}
