//! Fuzz campaigns: generate a case from each seed, check it, and on failure
//! shrink it to a minimal case written as a scenario file that
//! `reelcheck replay` reproduces.
//!
//! A [`Target`] knows how to turn a seed into a case, check a case, propose
//! smaller variants of a failing case, and write a case as a scenario. The
//! campaign runner is generic: seeds in, a [`CampaignReport`] out.

pub mod merge;
pub mod tape;
pub mod xfer;

use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};

use crate::fault::{Failure, FaultPlan};
use crate::rng::Seed;

/// What a passing case measured (summed over the campaign).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseStats {
    /// Transfers, device operations or sessions the case executed.
    pub executed: u64,
    /// Payload bytes moved.
    pub bytes: u64,
}

/// Something a campaign can fuzz.
pub trait Target: Sync {
    /// A generated case: everything needed to run it again.
    type Case: Clone + Debug + Serialize + Send;

    /// The name used on the command line (`xfer`, `tape`).
    fn name(&self) -> &'static str;
    /// The case derived from `seed` (deterministic).
    fn generate(&self, seed: Seed) -> Self::Case;
    /// Runs the case; `Err` describes the first broken property.
    ///
    /// # Errors
    /// A failed check, described in one or more lines.
    fn check(&self, case: &Self::Case) -> Result<CaseStats, String>;
    /// Smaller variants of `case`, most promising first (may be empty).
    fn shrink(&self, case: &Self::Case) -> Vec<Self::Case>;
    /// The faults `case` injects, as the plan printed with a failure.
    fn plan(&self, seed: Seed, case: &Self::Case) -> FaultPlan;
    /// The case as a scenario file that replays it, with `message` as the reason.
    fn to_scenario(&self, seed: Seed, case: &Self::Case, message: &str) -> String;
}

/// The most shrink steps a minimisation takes (each step re-runs candidates).
pub const MAX_SHRINK_STEPS: usize = 200;

/// Greedily shrinks a failing case: repeatedly takes the first smaller
/// variant that still fails, until none does or the step bound is reached.
pub fn minimise<T: Target>(target: &T, case: T::Case, message: String) -> (T::Case, String) {
    let (mut case, mut message) = (case, message);
    for _ in 0..MAX_SHRINK_STEPS {
        let next = target
            .shrink(&case)
            .into_iter()
            .find_map(|c| target.check(&c).err().map(|m| (c, m)));
        match next {
            Some((c, m)) => (case, message) = (c, m),
            None => break,
        }
    }
    (case, message)
}

/// One failing seed, minimised.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CaseFailure {
    /// The seed that failed.
    pub seed: String,
    /// The scenario file written for it.
    pub scenario: String,
    /// The minimised case itself (what [`merge`] deduplicates on).
    #[serde(default)]
    pub case: serde_json::Value,
    /// The minimised case's plan, why it fails and the command that replays it.
    #[serde(flatten)]
    pub failure: Failure,
}

/// The result of a campaign.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CampaignReport {
    /// Target name.
    pub target: String,
    /// Cases run.
    pub cases: u64,
    /// Sum of the passing cases' statistics.
    pub stats: CaseStats,
    /// Failures (the campaign stops at the first by default).
    pub failures: Vec<CaseFailure>,
    /// Wall-clock seconds (reports only).
    pub seconds: f64,
}

/// How a campaign runs.
#[derive(Clone, Debug)]
pub struct CampaignConfig {
    /// Where minimised failing scenarios are written.
    pub out_dir: PathBuf,
    /// Show a progress bar.
    pub progress: bool,
    /// Keep going after a failure.
    pub keep_going: bool,
    /// Worker threads.
    pub jobs: usize,
}

/// A seed's position and its case's result (the failing case and why).
type Outcome<C> = (usize, Result<CaseStats, (C, String)>);

/// Runs `target` on every seed with `config.jobs` worker threads.
///
/// Seeds are handed out in order; the report is the same whatever the
/// number of workers: failures are minimised and reported in seed order,
/// and without `keep_going` only the lowest failing seed is kept.
pub fn campaign<T: Target>(target: &T, seeds: &[Seed], config: &CampaignConfig) -> CampaignReport {
    let started = Instant::now();
    let bar = if config.progress {
        ProgressBar::new(seeds.len() as u64)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} cases {per_sec} eta {eta} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(format!("fuzz {}", target.name()));
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let results: Mutex<Vec<Outcome<T::Case>>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..config.jobs.max(1) {
            scope.spawn(|| {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&seed) = seeds.get(i) else { break };
                    let case = target.generate(seed);
                    let result = target.check(&case).map_err(|m| (case, m));
                    if result.is_err() {
                        bar.set_message(format!("seed {seed} failed"));
                        if !config.keep_going {
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                    results
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push((i, result));
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);
    let mut report = CampaignReport {
        target: target.name().to_string(),
        ..CampaignReport::default()
    };
    for (i, result) in results {
        report.cases += 1;
        match result {
            Ok(stats) => {
                report.stats.executed += stats.executed;
                report.stats.bytes += stats.bytes;
            }
            Err((case, message)) => {
                if !config.keep_going && !report.failures.is_empty() {
                    continue;
                }
                let (small, message) = minimise(target, case, message);
                let failure = write_failure(target, seeds[i], &small, &message, &config.out_dir);
                eprintln!("{}", failure.failure);
                report.failures.push(failure);
            }
        }
    }
    report.seconds = started.elapsed().as_secs_f64();
    report
}

fn write_failure<T: Target>(
    target: &T,
    seed: Seed,
    case: &T::Case,
    message: &str,
    dir: &Path,
) -> CaseFailure {
    let file = dir
        .join(target.name())
        .join(format!("fuzz-{}-{seed}.toml", target.name()));
    let text = target.to_scenario(seed, case, message);
    let written = std::fs::create_dir_all(file.parent().unwrap_or(dir))
        .and_then(|()| std::fs::write(&file, &text));
    let (scenario, replay) = match written {
        Ok(()) => (
            file.display().to_string(),
            format!("reelcheck replay {} --trace", file.display()),
        ),
        Err(e) => (
            format!("(not written: {e})"),
            format!("reelcheck fuzz {} --seed {seed} --cases 1", target.name()),
        ),
    };
    CaseFailure {
        seed: seed.to_string(),
        scenario,
        case: serde_json::to_value(case).unwrap_or(serde_json::Value::Null),
        failure: Failure {
            plan: target.plan(seed, case),
            message: message.to_string(),
            replay,
        },
    }
}
