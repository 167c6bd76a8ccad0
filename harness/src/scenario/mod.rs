//! The scenario engine: TOML files under `scenarios/<kind>/`, dispatched by
//! `kind` to a [`Runner`], each producing a verdict, key figures and a trace.
//!
//! Every scenario file has `name`, `about` (one sentence), `kind`, `seed`,
//! kind-specific tables and an `[expect]` table. The engine checks the
//! top-level keys itself (so an unknown key is reported with its line and the
//! list of keys the kind accepts); runners deserialize their own tables with
//! `deny_unknown_fields`, so nested mistakes are located too, and place their
//! own errors with [`Scenario::error_at`].
//!
//! This module knows no runner: [`Scenario::parse`] is given the registry, and
//! [`crate::engine`] holds the one the `reelcheck` binary uses.

mod error;
mod span;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::DeserializeOwned;

pub use error::{ScenarioError, line_col};

use crate::fault::{Component, FaultPlan};
use crate::rng::Seed;
use crate::trace::Trace;

/// The component a scenario exercises.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, serde::Serialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// NSCA client/server sessions.
    Nsca,
    /// Transfer chains: linkage and runs.
    Xfer,
    /// Device operations on simulated drives and vfs volumes.
    Tape,
    /// The taper writing dumps in parts across volumes.
    Taper,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 4] = [Kind::Nsca, Kind::Xfer, Kind::Tape, Kind::Taper];

    /// The lower-case name used in files and directories.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Nsca => "nsca",
            Kind::Xfer => "xfer",
            Kind::Tape => "tape",
            Kind::Taper => "taper",
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The keys every scenario may have (`faults` is optional).
pub const COMMON_KEYS: &[&str] = &["name", "about", "kind", "seed", "faults", "expect"];

/// The common header of a scenario file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Stable identifier; also the golden file's name.
    pub name: String,
    /// One sentence saying what the scenario shows.
    pub about: String,
    /// Which runner replays it.
    pub kind: Kind,
    /// The seed of every random choice in the run.
    pub seed: Seed,
}

#[derive(Deserialize)]
struct RawHeader {
    name: String,
    about: String,
    kind: Kind,
    seed: u64,
    expect: toml::Table,
}

/// A parsed scenario file: its header plus the text runners deserialize.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Where it was read from.
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    /// The common header.
    pub header: Header,
}

impl Scenario {
    /// Reads and checks a scenario file.
    ///
    /// # Errors
    /// Unreadable files, TOML syntax errors, missing or mistyped common keys,
    /// unknown top-level keys for the kind, and kinds without a runner.
    pub fn load(path: &Path, runners: &[&dyn Runner]) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(path, text, runners)
    }

    /// Checks scenario text as if read from `path`, with the runner of its kind
    /// among `runners`.
    ///
    /// # Errors
    /// As [`Scenario::load`], except reading.
    pub fn parse(
        path: &Path,
        text: String,
        runners: &[&dyn Runner],
    ) -> Result<Scenario, ScenarioError> {
        let table = toml::de::DeTable::parse(&text)
            .map_err(|e| ScenarioError::from_toml(path, &text, &e))?;
        let raw: RawHeader = toml::from_str(&text).map_err(|e| {
            let msg = e.message();
            if msg.contains("missing field `expect`") {
                ScenarioError::at(
                    path,
                    &text,
                    text.len(),
                    "missing [expect] table: every scenario states what it expects",
                )
            } else {
                ScenarioError::from_toml(path, &text, &e)
            }
        })?;
        let runner = runners.iter().find(|r| r.kind() == raw.kind);
        let runner = runner.ok_or_else(|| no_runner(path, raw.kind, runners))?;
        if let Some(dir) = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|d| d.to_str())
            && Kind::ALL.iter().any(|k| k.name() == dir)
            && dir != raw.kind.name()
        {
            return Err(ScenarioError::Misplaced {
                path: path.to_path_buf(),
                kind: raw.kind.to_string(),
            });
        }
        let allowed: Vec<&str> = COMMON_KEYS
            .iter()
            .chain(runner.sections())
            .copied()
            .collect();
        let mut keys: Vec<_> = table.get_ref().keys().collect();
        keys.sort_by_key(|k| k.span().start);
        if let Some(bad) = keys
            .into_iter()
            .find(|k| !allowed.contains(&k.get_ref().as_ref()))
        {
            return Err(ScenarioError::at(
                path,
                &text,
                bad.span().start,
                format!(
                    "unknown field `{}`, expected one of {}",
                    bad.get_ref(),
                    quoted(&allowed)
                ),
            ));
        }
        let stem = path.file_stem().and_then(|s| s.to_str());
        let named_after_file = stem.is_none_or(|s| s == raw.name);
        let about_ok = !raw.about.trim().is_empty() && !raw.about.contains('\n');
        let expect_empty = raw.expect.is_empty();
        let header = Header {
            name: raw.name,
            about: raw.about,
            kind: raw.kind,
            seed: Seed(raw.seed),
        };
        let scenario = Scenario {
            path: path.to_path_buf(),
            text,
            header,
        };
        if !named_after_file {
            return Err(scenario.error_at(
                "name",
                format!(
                    "`name` {:?} differs from the file name {:?}: a scenario is named after its file \
                     (its golden trace is golden/<kind>/<name>.snap)",
                    scenario.header.name,
                    path.file_name().map_or(String::new(), |f| f.to_string_lossy().into_owned()),
                ),
            ));
        }
        if !about_ok {
            return Err(scenario.error_at("about", "`about` must be one non-empty sentence"));
        }
        if expect_empty {
            return Err(
                scenario.error_at("expect", "[expect] is empty: say what the run must show")
            );
        }
        runner.validate(&scenario)?;
        Ok(scenario)
    }

    /// Deserializes the runner's view of the file (its own tables).
    ///
    /// # Errors
    /// Type errors and unknown nested fields, located in the file.
    pub fn spec<T: DeserializeOwned>(&self) -> Result<T, ScenarioError> {
        toml::from_str(&self.text).map_err(|e| ScenarioError::from_toml(&self.path, &self.text, &e))
    }

    /// The scenario's fault plan: its `[[faults.xfer]]`, `[[faults.tape]]`,
    /// `[[faults.vfs]]` and `[[faults.nsca]]` tables, under its `seed`.
    /// A scenario without `faults` runs fault-free.
    ///
    /// # Errors
    /// Unknown components or fault kinds, mistyped fields, and a `seed` inside
    /// `[faults]` (the scenario's own `seed` is the plan's).
    pub fn plan(&self) -> Result<FaultPlan, ScenarioError> {
        #[derive(Deserialize)]
        struct WithFaults {
            #[serde(default)]
            faults: Option<FaultPlan>,
        }
        let with: WithFaults = self.spec()?;
        let Some(mut plan) = with.faults else {
            return Ok(FaultPlan::none(self.header.seed));
        };
        if plan.seed != 0 {
            return Err(self.error_at(
                "faults.seed",
                "`seed` belongs at the top of the file: the plan takes the scenario's seed",
            ));
        }
        plan.seed = self.header.seed.0;
        Ok(plan)
    }

    /// The scenario's fault plan, when it holds faults only for `allowed` components.
    ///
    /// # Errors
    /// As [`Scenario::plan`]; faults for another component, located at their tables.
    pub fn plan_for(&self, allowed: &[Component]) -> Result<FaultPlan, ScenarioError> {
        let plan = self.plan()?;
        if let Some(c) = plan.stray(allowed) {
            let takes: Vec<String> = allowed
                .iter()
                .map(|a| format!("[[faults.{}]]", a.name()))
                .collect();
            let takes = if takes.is_empty() {
                "no faults".to_string()
            } else {
                format!("only {}", takes.join(" and "))
            };
            return Err(self.error_at(
                &format!("faults.{}", c.name()),
                format!(
                    "{} scenario takes {takes}, not [[faults.{}]]",
                    self.article_kind(),
                    c.name()
                ),
            ));
        }
        Ok(plan)
    }

    /// "an xfer", "a tape": the scenario's kind with its article, for messages.
    fn article_kind(&self) -> String {
        let name = self.header.kind.name();
        let article = if name.starts_with(['a', 'e', 'i', 'o', 'u', 'x']) {
            "an"
        } else {
            "a"
        };
        format!("{article} {name}")
    }

    /// The byte offset of the key the dotted `path` names (`device.block_size`,
    /// `script.steps.3`), from the TOML parser's spans, so a key of the same name in
    /// another table or in a comment is never taken for it. A path that does not
    /// exist gives its deepest existing part, else the start of the file.
    pub fn offset_of(&self, path: &str) -> usize {
        span::offset_of(&self.text, path).unwrap_or(0)
    }

    /// An error located at the key `path` names (see [`Scenario::offset_of`]).
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(&self.path, &self.text, self.offset_of(path), message)
    }
}

/// The error for a `kind` none of `runners` replays, listing the kinds they do.
pub fn no_runner(path: &Path, kind: Kind, runners: &[&dyn Runner]) -> ScenarioError {
    ScenarioError::NoRunner {
        path: path.to_path_buf(),
        kind: kind.to_string(),
        known: runners
            .iter()
            .map(|r| r.kind().name())
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn quoted(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Pass or fail, with every reason for a failure.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Verdict {
    /// Every expectation held.
    Pass,
    /// At least one expectation failed; one line per failure.
    Fail(Vec<String>),
}

impl Verdict {
    /// True for [`Verdict::Pass`].
    pub fn passed(&self) -> bool {
        matches!(self, Verdict::Pass)
    }
}

/// What running one scenario produced.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Whether the `[expect]` table held.
    pub verdict: Verdict,
    /// The run's events, for the golden file.
    pub trace: Trace,
    /// Key figures for the report table (`bytes`, `parts`, `linkage cost`).
    pub figures: Vec<(String, String)>,
}

/// Collects expectation failures while a runner checks `[expect]`.
#[derive(Debug, Default)]
pub struct Checks {
    failures: Vec<String>,
}

impl Checks {
    /// Records a failure unless `actual == expected`.
    pub fn eq<T: PartialEq + fmt::Debug>(&mut self, what: &str, actual: T, expected: T) {
        if actual != expected {
            self.failures
                .push(format!("{what}: expected {expected:?}, got {actual:?}"));
        }
    }

    /// Records `message` as a failure unless `ok`.
    pub fn that(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.failures.push(message());
        }
    }

    /// The verdict over everything checked.
    pub fn verdict(self) -> Verdict {
        if self.failures.is_empty() {
            Verdict::Pass
        } else {
            Verdict::Fail(self.failures)
        }
    }
}

/// Replays scenarios of one kind.
pub trait Runner: Sync {
    /// The kind this runner replays.
    fn kind(&self) -> Kind;
    /// Top-level keys this kind accepts besides [`COMMON_KEYS`].
    fn sections(&self) -> &'static [&'static str];
    /// Checks the kind-specific tables without running anything.
    ///
    /// # Errors
    /// Unknown or mistyped fields, bad sizes, contradictory settings.
    fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError>;
    /// Runs the scenario and checks its `[expect]` table.
    ///
    /// # Errors
    /// A scenario whose kind-specific tables are invalid.
    fn run(&self, scenario: &Scenario) -> Result<Outcome, ScenarioError>;
}

/// Every `*.toml` under `root` (recursively), sorted by path.
///
/// # Errors
/// Directories that cannot be listed.
pub fn discover(root: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    if root.is_file() {
        out.push(root.to_path_buf());
        return Ok(out);
    }
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}
