//! Merging campaign reports: the JSON-lines reports of a sharded campaign
//! (`reelcheck fuzz ... --shard K/N --report shard-K.jsonl`, one Kubernetes pod
//! each) become one summary, with failures deduplicated by minimised case.
//!
//! Two seeds whose failures minimise to the same case are one bug: the merged
//! report lists it once, with every seed that found it and every replay command.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{CampaignReport, CaseStats};
use crate::fault::FaultPlan;

/// A report file, or a line of one, that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// The file could not be read.
    #[error("{path}: cannot read report: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A line is not a campaign report.
    #[error("{path}:{line}: not a campaign report: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What the JSON parser said.
        source: serde_json::Error,
    },
    /// Nothing to merge.
    #[error("no campaign report in {0}")]
    Empty(String),
}

/// One distinct failure over every shard.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MergedFailure {
    /// The fuzz target.
    pub target: String,
    /// The minimised case.
    pub case: serde_json::Value,
    /// Why it fails (from its first seed).
    pub message: String,
    /// Its plan (from its first seed).
    pub plan: FaultPlan,
    /// Every seed whose failure minimised to this case, in report order.
    pub seeds: Vec<String>,
    /// Every replay command, one per seed.
    pub replays: Vec<String>,
}

/// The merged summary of several campaign reports.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Merged {
    /// How many reports were merged.
    pub reports: usize,
    /// The targets they ran, in first-seen order.
    pub targets: Vec<String>,
    /// Cases run, over every report.
    pub cases: u64,
    /// Passing cases' statistics, summed.
    pub stats: CaseStats,
    /// Failing seeds, before deduplication.
    pub failing_seeds: usize,
    /// Distinct failures.
    pub failures: Vec<MergedFailure>,
}

/// Reads every report in `paths` (JSON, or JSON lines with one report per line).
///
/// # Errors
/// Unreadable files and lines that are not reports, by file and line.
pub fn read(paths: &[PathBuf]) -> Result<Vec<CampaignReport>, MergeError> {
    let mut out = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(path).map_err(|source| MergeError::Read {
            path: path.clone(),
            source,
        })?;
        out.extend(parse(path, &text)?);
    }
    Ok(out)
}

/// The reports in `text`: one JSON document, or one per non-empty line.
///
/// # Errors
/// A line (or document) that is not a campaign report.
pub fn parse(path: &Path, text: &str) -> Result<Vec<CampaignReport>, MergeError> {
    if let Ok(one) = serde_json::from_str::<CampaignReport>(text) {
        return Ok(vec![one]);
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            serde_json::from_str(l).map_err(|source| MergeError::Parse {
                path: path.to_path_buf(),
                line: i + 1,
                source,
            })
        })
        .collect()
}

/// Merges `reports` into one summary.
///
/// # Errors
/// No report at all (an empty merge would pass by accident).
pub fn merge(reports: &[CampaignReport], from: &str) -> Result<Merged, MergeError> {
    if reports.is_empty() {
        return Err(MergeError::Empty(from.to_string()));
    }
    let mut m = Merged {
        reports: reports.len(),
        ..Merged::default()
    };
    for r in reports {
        if !m.targets.contains(&r.target) {
            m.targets.push(r.target.clone());
        }
        m.cases += r.cases;
        m.stats.executed += r.stats.executed;
        m.stats.bytes += r.stats.bytes;
        for f in &r.failures {
            m.failing_seeds += 1;
            let same = m
                .failures
                .iter_mut()
                .find(|d| d.target == r.target && d.case == f.case && !f.case.is_null());
            match same {
                Some(d) => {
                    d.seeds.push(f.seed.clone());
                    d.replays.push(f.failure.replay.clone());
                }
                None => m.failures.push(MergedFailure {
                    target: r.target.clone(),
                    case: f.case.clone(),
                    message: f.failure.message.clone(),
                    plan: f.failure.plan.clone(),
                    seeds: vec![f.seed.clone()],
                    replays: vec![f.failure.replay.clone()],
                }),
            }
        }
    }
    Ok(m)
}

impl Merged {
    /// The summary as `reelcheck report merge` prints it.
    pub fn render(&self) -> String {
        let mut out = format!(
            "merged {} reports ({}): {} cases, {} executions, {} bytes, {} failing seeds, {} distinct failures\n",
            self.reports,
            self.targets.join(", "),
            self.cases,
            self.stats.executed,
            self.stats.bytes,
            self.failing_seeds,
            self.failures.len()
        );
        for (i, f) in self.failures.iter().enumerate() {
            let first = f.message.lines().next().unwrap_or("");
            out += &format!(
                "failure {} ({}, seeds {}): {first}\n",
                i + 1,
                f.target,
                f.seeds.join(" ")
            );
            for r in &f.replays {
                out += &format!("  replay: {r}\n");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{merge, parse};

    fn report(target: &str, cases: u64, failures: &[(&str, &str)]) -> String {
        let failures: Vec<String> = failures
            .iter()
            .map(|(seed, case)| {
                format!(
                    r#"{{"seed":"{seed}","scenario":"f/{seed}.toml","case":{case},"plan":{{"seed":1}},"message":"broke","replay":"reelcheck replay f/{seed}.toml --trace"}}"#
                )
            })
            .collect();
        format!(
            r#"{{"target":"{target}","cases":{cases},"stats":{{"executed":{cases},"bytes":10}},"failures":[{}],"seconds":1.0}}"#,
            failures.join(",")
        )
    }

    #[test]
    fn shards_are_summed_and_failures_of_one_minimised_case_are_one() {
        let text = [
            report("xfer", 5, &[("0x1", r#"{"size":0}"#)]),
            report(
                "xfer",
                7,
                &[("0x8", r#"{"size":0}"#), ("0x9", r#"{"size":1}"#)],
            ),
        ]
        .join("\n");
        let reports = parse(Path::new("all.jsonl"), &text).unwrap();
        let m = merge(&reports, "all.jsonl").unwrap();
        assert_eq!((m.reports, m.cases, m.stats.bytes), (2, 12, 20));
        assert_eq!((m.failing_seeds, m.failures.len()), (3, 2));
        assert_eq!(m.failures[0].seeds, ["0x1", "0x8"]);
        assert_eq!(m.failures[0].replays.len(), 2);
        let text = m.render();
        assert!(
            text.starts_with("merged 2 reports (xfer): 12 cases"),
            "{text}"
        );
        assert!(
            text.contains("  replay: reelcheck replay f/0x8.toml --trace"),
            "{text}"
        );
    }

    #[test]
    fn a_bad_line_is_named_and_nothing_to_merge_is_an_error() {
        let text = format!("{}\nnot json\n", report("tape", 1, &[]));
        let e = parse(Path::new("s.jsonl"), &text).unwrap_err().to_string();
        assert!(e.starts_with("s.jsonl:2: not a campaign report"), "{e}");
        assert!(merge(&[], "nothing").is_err());
    }
}
