//! `reelcheck report merge`: one summary from the reports of a sharded campaign.

use std::path::PathBuf;
use std::process::ExitCode;

use reelcheck_harness::fuzz::merge;

/// `reelcheck report ...`.
#[derive(Debug, clap::Subcommand)]
pub enum ReportCmd {
    /// Merge campaign reports (`fuzz --report shard-K.jsonl`, one per shard) into one
    /// summary: cases summed, failures deduplicated by minimised case, every replay command.
    Merge {
        /// Report files (JSON or JSON lines).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Also write the merged summary as JSON.
        #[arg(long, value_name = "FILE")]
        json: Option<PathBuf>,
    },
}

/// Runs a `report` subcommand: exit 0 when no shard failed, 1 when one did.
pub fn run(cmd: ReportCmd) -> anyhow::Result<ExitCode> {
    let ReportCmd::Merge { files, json } = cmd;
    let reports = merge::read(&files)?;
    let shown: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let merged = merge::merge(&reports, &shown.join(", "))?;
    outln!("{}", merged.render().trim_end());
    if let Some(path) = json {
        std::fs::write(&path, serde_json::to_string_pretty(&merged)? + "\n")?;
    }
    Ok(super::output::verdict_code(merged.failures.is_empty()))
}
