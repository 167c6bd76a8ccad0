//! Replaying scenario files: the engine behind `reelcheck run` and `replay`.
//!
//! Each scenario is loaded, run by its kind's runner, checked against its
//! `[expect]` table and compared with its golden trace; the result is a
//! report [`Record`]. A scenario that cannot even be loaded is an `error`
//! record naming the file and line, never a panic.

use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::engine;
use crate::golden::{self, GoldenVerdict};
use crate::kinds::tape::picture;
use crate::report::Record;
use crate::report::diff;
use crate::scenario::{self, Outcome, Scenario, Verdict};
use crate::shard::Shard;

/// Where scenarios and golden files live.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Root of the golden files (`golden/`).
    pub golden: PathBuf,
}

/// Everything known about one replayed scenario.
#[derive(Debug)]
pub struct Replayed {
    /// The loaded scenario, when it loaded.
    pub scenario: Option<Scenario>,
    /// The runner's outcome, when it ran.
    pub outcome: Option<Outcome>,
    /// How the trace compares with its golden file.
    pub golden: Option<GoldenVerdict>,
    /// The report line.
    pub record: Record,
}

/// Loads, runs and checks one scenario file.
pub fn replay(path: &Path, layout: &Layout) -> Replayed {
    let started = Instant::now();
    let file = path.display().to_string();
    let mut record = Record {
        file: file.clone(),
        name: path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
        kind: String::new(),
        seed: String::new(),
        verdict: "error".into(),
        reasons: Vec::new(),
        figures: Vec::new(),
        trace_hash: String::new(),
        millis: 0,
        replay: replay_command(path, layout),
        ..Record::default()
    };
    let scenario = match engine::load(path) {
        Ok(s) => s,
        Err(e) => {
            record.reasons.push(e.to_string());
            return Replayed {
                scenario: None,
                outcome: None,
                golden: None,
                record,
            };
        }
    };
    record.name = scenario.header.name.clone();
    record.kind = scenario.header.kind.to_string();
    record.seed = scenario.header.seed.to_string();
    record.about = scenario.header.about.clone();
    record.fault_plan = match scenario.plan() {
        Ok(plan) if !plan.is_empty() => plan.to_toml(),
        _ => String::new(),
    };
    let mut outcome = match engine::run(&scenario) {
        Ok(o) => o,
        Err(e) => {
            record.reasons.push(e.to_string());
            record.millis = started.elapsed().as_millis() as u64;
            return Replayed {
                scenario: Some(scenario),
                outcome: None,
                golden: None,
                record,
            };
        }
    };
    let rendered = outcome.trace.render();
    record.trace_hash = outcome.trace.hash();
    record.volumes = picture::take(&mut outcome.figures);
    record.figures = outcome.figures.clone();
    if let Verdict::Fail(reasons) = &outcome.verdict {
        record.reasons.extend(reasons.iter().cloned());
    }
    let golden = match golden::compare(
        &layout.golden,
        scenario.header.kind,
        &scenario.header.name,
        &rendered,
    ) {
        Ok(g) => g,
        Err(e) => {
            record.reasons.push(format!("golden file unreadable: {e}"));
            GoldenVerdict::Missing
        }
    };
    let golden_path = golden::path(&layout.golden, scenario.header.kind, &scenario.header.name);
    match &golden {
        GoldenVerdict::Match => {}
        GoldenVerdict::Missing => record.reasons.push(format!(
            "no golden trace at {}: create it with `cargo test -p reelcheck-harness` and review with `cargo insta review`",
            golden_path.display()
        )),
        GoldenVerdict::Differs { line, expected, actual } => {
            record.reasons.push(format!(
                "trace differs from {} at line {line}: expected {expected:?}, got {actual:?}",
                golden_path.display()
            ));
            record.golden_diff = golden_diff(&golden_path, &rendered);
        }
    }
    record.trace = rendered;
    record.verdict = if record.reasons.is_empty() {
        "pass"
    } else {
        "fail"
    }
    .into();
    record.millis = started.elapsed().as_millis() as u64;
    Replayed {
        scenario: Some(scenario),
        outcome: Some(outcome),
        golden: Some(golden),
        record,
    }
}

/// The command that replays `path` with `layout` and prints its trace.
fn replay_command(path: &Path, layout: &Layout) -> String {
    let mut command = format!(
        "reelcheck replay {} --trace",
        shell_word(&path.display().to_string())
    );
    if layout.golden != Path::new("golden") {
        command += &format!(
            " --golden {}",
            shell_word(&layout.golden.display().to_string())
        );
    }
    command
}

/// `word` as a POSIX shell reads it back: bare when it is plain, else single-quoted.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./+=:,@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// The golden file at `golden_path` against `rendered`, line by line, as
/// [`golden::compare`] sees them (trailing white space aside).
fn golden_diff(golden_path: &Path, rendered: &str) -> String {
    let Ok(text) = std::fs::read_to_string(golden_path) else {
        return String::new();
    };
    let lines = |t: &str| -> Vec<String> {
        t.trim_end()
            .lines()
            .map(|l| l.trim_end().to_string())
            .collect()
    };
    let (want, got) = (lines(golden::snapshot_body(&text)), lines(rendered));
    let want: Vec<&str> = want.iter().map(String::as_str).collect();
    let got: Vec<&str> = got.iter().map(String::as_str).collect();
    diff::unified(&want, &got, &golden_path.display().to_string(), "this run")
}

/// Why the scenario files to replay could not be collected.
#[derive(Debug, thiserror::Error)]
pub enum CollectError {
    /// A path given does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    /// A directory could not be listed.
    #[error("cannot list scenario files: {0}")]
    List(#[from] std::io::Error),
    /// Nothing to replay: a run of no scenario would pass by accident.
    #[error("no scenario file (*.toml) under {0}")]
    Empty(String),
    /// Two files share a name, so they would share one golden trace.
    #[error(
        "two scenarios are named {name:?}: {first} and {second} (a name is unique: it names the golden trace)"
    )]
    DuplicateName {
        /// The name both carry (their file stem).
        name: String,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
}

/// Every scenario file under `paths` (files or directories), sorted, then
/// this shard's share of them.
///
/// # Errors
/// Paths that do not exist or cannot be listed, no scenario file at all, and
/// two files of one name (a scenario's name is its file's stem).
pub fn collect(paths: &[PathBuf], shard: Shard) -> Result<Vec<PathBuf>, CollectError> {
    let mut files = Vec::new();
    for p in paths {
        if !p.exists() {
            return Err(CollectError::NotFound(p.clone()));
        }
        files.extend(scenario::discover(p)?);
    }
    files.sort();
    files.dedup();
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(CollectError::Empty(shown.join(", ")));
    }
    let mut by_name: Vec<(&std::ffi::OsStr, &PathBuf)> = files
        .iter()
        .filter_map(|f| f.file_stem().map(|s| (s, f)))
        .collect();
    by_name.sort();
    if let Some(pair) = by_name.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(CollectError::DuplicateName {
            name: pair[0].0.to_string_lossy().into_owned(),
            first: pair[0].1.display().to_string(),
            second: pair[1].1.display().to_string(),
        });
    }
    Ok(shard.select(files))
}

/// Replays every file, in order.
pub fn replay_all(files: &[PathBuf], layout: &Layout) -> Vec<Record> {
    files.iter().map(|f| replay(f, layout).record).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_replay_command_names_the_file_and_a_golden_dir_other_than_the_default() {
        let default = Layout {
            golden: PathBuf::from("golden"),
        };
        let other = Layout {
            golden: PathBuf::from("/tmp/my golden"),
        };
        let file = Path::new("scenarios/tape/a.toml");
        assert_eq!(
            replay_command(file, &default),
            "reelcheck replay scenarios/tape/a.toml --trace"
        );
        assert_eq!(
            replay_command(Path::new("it's.toml"), &other),
            "reelcheck replay 'it'\\''s.toml' --trace --golden '/tmp/my golden'"
        );
    }
}
