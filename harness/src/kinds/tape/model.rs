//! `type = "model"`: a simulated drive checked step by step against the reference model
//! in [`crate::oracle::tape`] (what `reelcheck fuzz tape` writes for a failing case).
//! The scenario's `[[faults.tape]]` are pending on both the drive and the model; an
//! optional `[script.vfs]` script runs on a vfs device against the vfs model, with the
//! scenario's `[[faults.vfs]]`.

use std::time::Duration;

use serde::Deserialize;

use crate::fault::Component;
use crate::oracle::tape::vfs::VfsScript;
use crate::oracle::tape::vfs_run::run_vfs;
use crate::oracle::tape::{ModelConfig, Step};

use crate::scenario::{Checks, Outcome, Scenario, ScenarioError};
use crate::trace::Trace;

use super::observed::event_text;

/// A model scenario's tables.
#[derive(Deserialize)]
struct ModelSpec {
    model: ModelConfig,
    script: ModelScript,
    expect: ModelExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelScript {
    steps: Vec<Step>,
    /// Files to write on a vfs device too (`[script.vfs]`).
    #[serde(default)]
    vfs: Option<VfsScript>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelExpect {
    /// The drive agrees with the reference model after every step (and the vfs device
    /// with the vfs model).
    agrees: bool,
}

/// Checks a model scenario's tables; a model takes `[[faults.tape]]` and `[[faults.vfs]]`.
pub(super) fn validate(scenario: &Scenario) -> Result<(), ScenarioError> {
    scenario.spec::<ModelSpec>()?;
    scenario.plan_for(&[Component::Tape, Component::Vfs])?;
    Ok(())
}

/// Replays the model scenario's steps on a drive and on the reference model.
pub(super) fn run(scenario: &Scenario) -> Result<Outcome, ScenarioError> {
    validate(scenario)?;
    let spec: ModelSpec = scenario.spec()?;
    let plan = scenario.plan_for(&[Component::Tape, Component::Vfs])?;
    let mut trace = Trace::new();
    let mut checks = Checks::default();
    let result =
        crate::oracle::tape::replay(&spec.model, &plan.tape, &spec.script.steps, |i, events| {
            for e in events {
                let at = Duration::from_millis(i as u64 + 1);
                trace.push(at, e.device.clone(), event_text(&e));
            }
        });
    let end = Duration::from_millis(spec.script.steps.len() as u64 + 1);
    match &result {
        Ok(()) => trace.push(end, "model", "agrees after every step"),
        Err((i, m)) => trace.push(
            Duration::from_millis(*i as u64 + 1),
            "model",
            format!("mismatch: {m}"),
        ),
    }
    let mut reasons: Vec<String> = result
        .err()
        .map(|(i, m)| format!("step {}: {m}", i + 1))
        .into_iter()
        .collect();
    if let Some(script) = &spec.script.vfs {
        match run_vfs(script, &plan.vfs_faults()) {
            Ok(calls) => trace.push(end, "vfs", format!("agrees after {calls} calls")),
            Err(e) => {
                trace.push(end, "vfs", format!("mismatch: {e}"));
                reasons.push(format!("vfs: {e}"));
            }
        }
    }
    checks.eq(
        "drive agrees with the model",
        reasons.is_empty(),
        spec.expect.agrees,
    );
    for reason in reasons {
        checks.that(!spec.expect.agrees, || reason.clone());
    }
    Ok(Outcome {
        verdict: checks.verdict(),
        trace,
        figures: vec![
            ("device".into(), "model".into()),
            ("steps".into(), spec.script.steps.len().to_string()),
            ("faults".into(), plan.tape.len().to_string()),
        ],
    })
}
