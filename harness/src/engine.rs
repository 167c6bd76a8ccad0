//! The scenario engine as the `reelcheck` binary runs it: the scenario model of
//! [`crate::scenario`] with every runner of [`crate::kinds`].
//!
//! The model knows no runner and the runners know no registry, so neither
//! imports the other's users: `engine → kinds → scenario`, `engine → scenario`.

use std::path::Path;

use crate::kinds::RUNNERS;
use crate::scenario::{Kind, Outcome, Runner, Scenario, ScenarioError, no_runner};

/// Every runner in this build, in report order.
pub fn runners() -> &'static [&'static dyn Runner] {
    RUNNERS
}

/// The runner for `kind`, if this build has one.
pub fn runner_for(kind: Kind) -> Option<&'static dyn Runner> {
    RUNNERS.iter().copied().find(|r| r.kind() == kind)
}

/// Reads and checks a scenario file with this build's runners.
///
/// # Errors
/// As [`Scenario::load`].
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    Scenario::load(path, RUNNERS)
}

/// Checks scenario text as if read from `path`, with this build's runners.
///
/// # Errors
/// As [`Scenario::parse`].
pub fn parse(path: &Path, text: String) -> Result<Scenario, ScenarioError> {
    Scenario::parse(path, text, RUNNERS)
}

/// Runs a loaded scenario with its kind's runner.
///
/// # Errors
/// As [`Runner::run`]; a kind with no runner in this build.
pub fn run(scenario: &Scenario) -> Result<Outcome, ScenarioError> {
    let kind = scenario.header.kind;
    let runner = runner_for(kind).ok_or_else(|| no_runner(&scenario.path, kind, RUNNERS))?;
    runner.run(scenario)
}
