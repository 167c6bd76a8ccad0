//! The tape fuzzer: random Device API call sequences on a simulated drive, checked step
//! by step against the reference model (`reelcheck_tape::sim::reference`).
//!
//! Each case is a random [`ModelConfig`] (block size, capacity, early-warning zone, BSD or
//! Linux early warning, LEOM on or off) and a sequence of [`Step`]s chosen by
//! [`reference::choose_step`] from the model's state, so runs label volumes, write files
//! into the early-warning zone and past the end, read them back, and misuse the API.
//! [`reference::run_step`] applies each step to the model and to the drive and compares the
//! result and the whole state: what was written reads back identically, LEOM is flagged
//! only in the early-warning zone, nothing refused is reported as written, and misuse
//! changes nothing.
//!
//! Shrinking deletes steps (halves, then smaller runs, then single steps); a failing case is
//! written as a `kind = "tape"` scenario with `type = "model"` that replays it.

use rand::RngExt as _;
use serde::Serialize;

use reelcheck_tape::device::{Device, DeviceEvent};
use reelcheck_tape::sim::reference::{self, Mismatch, Model, ModelConfig, Step};

use super::{CaseStats, Target};
use crate::fault::FaultPlan;
use crate::rng::Seed;

/// The most steps a generated case has.
pub const MAX_STEPS: u32 = 300;

/// One fuzz case: the drive and volume, and the calls to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TapeCase {
    /// The drive and volume.
    pub config: ModelConfig,
    /// The Device API calls, in order.
    pub steps: Vec<Step>,
}

/// The `tape` fuzz target.
pub struct TapeTarget;

/// True when the model and the drive both ignore `step` in this state
/// (`run_step` skips a `Reload` that is not meaningful).
fn skipped(model: &Model, step: &Step) -> bool {
    matches!(step, Step::Reload)
        && (model.loaded() || model.mode() != reelcheck_tape::device::AccessMode::Null)
}

/// Runs `steps` on a fresh drive and model, handing each step's drive events to
/// `events`; the first mismatch is returned with the step's index.
///
/// # Errors
/// The index of the first step where the drive and the model disagree, and how.
pub fn replay(
    config: &ModelConfig,
    steps: &[Step],
    mut events: impl FnMut(usize, Vec<DeviceEvent>),
) -> Result<(), (usize, Mismatch)> {
    let mut drive = config.drive();
    let mut model = Model::new(config);
    events(0, drive.take_events());
    for (i, step) in steps.iter().enumerate() {
        let result = reference::run_step(&mut drive, &mut model, step);
        events(i, drive.take_events());
        result.map_err(|m| (i, m))?;
    }
    Ok(())
}

impl Target for TapeTarget {
    type Case = TapeCase;

    fn name(&self) -> &'static str {
        "tape"
    }

    fn generate(&self, seed: Seed) -> TapeCase {
        let mut rng = seed.rng();
        let mut rand = |n: u32| rng.random_range(0..n.max(1));
        let config = reference::choose_config(&mut rand);
        let mut model = Model::new(&config);
        let count = 10 + rand(MAX_STEPS - 10);
        let mut steps = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let step = reference::choose_step(&model, &mut rand);
            if !skipped(&model, &step) {
                model.step(&step);
            }
            steps.push(step);
        }
        TapeCase { config, steps }
    }

    fn check(&self, case: &TapeCase) -> Result<CaseStats, String> {
        replay(&case.config, &case.steps, |_, _| {})
            .map_err(|(i, m)| format!("step {} of {}: {m}", i + 1, case.steps.len()))?;
        let bytes = case
            .steps
            .iter()
            .map(|s| match s {
                Step::Write { len, .. } => *len as u64,
                _ => 0,
            })
            .sum();
        Ok(CaseStats {
            executed: case.steps.len() as u64,
            bytes,
        })
    }

    fn shrink(&self, case: &TapeCase) -> Vec<TapeCase> {
        let n = case.steps.len();
        let mut out = Vec::new();
        let mut chunk = n / 2;
        while chunk >= 1 {
            let mut start = 0;
            while start + chunk <= n {
                let mut steps = case.steps.clone();
                steps.drain(start..start + chunk);
                out.push(TapeCase {
                    config: case.config,
                    steps,
                });
                start += chunk;
            }
            chunk /= 2;
        }
        out
    }

    fn plan(&self, seed: Seed, _case: &TapeCase) -> FaultPlan {
        // The reference model covers no faults yet: tape cases run fault-free.
        FaultPlan::none(seed)
    }

    fn to_scenario(&self, seed: Seed, case: &TapeCase, message: &str) -> String {
        let c = &case.config;
        let steps: Vec<String> = case
            .steps
            .iter()
            .map(|s| format!("  {},", step_toml(s)))
            .collect();
        let reason = message
            .lines()
            .next()
            .unwrap_or("")
            .replace(['"', '\\'], "'");
        format!(
            "# Minimised by `reelcheck fuzz tape` from seed {seed}.\n# Failure: {comment}\nname = \"fuzz-tape-{seed}\"\nabout = \"Fuzz failure: {reason}\"\nkind = \"tape\"\nseed = {}\n\n[device]\ntype = \"model\"\n\n[model]\nblock_size = {}\ncapacity = {}\nearly_warning = {}\nbsd = {}\nleom = {}\n\n[script]\nsteps = [\n{}\n]\n\n[expect]\nagrees = true\n",
            seed.0,
            c.block_size,
            c.capacity,
            c.early_warning,
            c.bsd,
            c.leom,
            steps.join("\n"),
            comment = message.replace('\n', "\n#   "),
        )
    }
}

/// One step as a TOML inline table (`{ op = "write", len = 64, fill = 7 }`).
pub fn step_toml(step: &Step) -> String {
    let fields = match step {
        Step::Start { mode } => {
            let mode = match mode {
                reelcheck_tape::device::AccessMode::Null => "null",
                reelcheck_tape::device::AccessMode::Read => "read",
                reelcheck_tape::device::AccessMode::Write => "write",
                reelcheck_tape::device::AccessMode::Append => "append",
            };
            format!(", mode = \"{mode}\"")
        }
        Step::Write { len, fill } => format!(", len = {len}, fill = {fill}"),
        Step::SeekFile { file } => format!(", file = {file}"),
        Step::SeekBlock { block } => format!(", block = {block}"),
        Step::SetLeom { on } => format!(", on = {on}"),
        _ => String::new(),
    };
    let op = match step {
        Step::ReadLabel => "read-label",
        Step::Start { .. } => "start",
        Step::StartFile => "start-file",
        Step::Write { .. } => "write",
        Step::FinishFile => "finish-file",
        Step::Finish => "finish",
        Step::SeekFile { .. } => "seek-file",
        Step::SeekBlock { .. } => "seek-block",
        Step::Read => "read",
        Step::Eject => "eject",
        Step::Reload => "reload",
        Step::Reset => "reset",
        Step::SetLeom { .. } => "set-leom",
    };
    format!("{{ op = \"{op}\"{fields} }}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_cases_pass() {
        for s in 0..50 {
            let case = TapeTarget.generate(Seed(s));
            assert_eq!(case, TapeTarget.generate(Seed(s)));
            if let Err(e) = TapeTarget.check(&case) {
                panic!("seed {s}: {e}");
            }
        }
    }

    #[test]
    fn scenario_text_round_trips_every_step() {
        let case = TapeTarget.generate(Seed(7));
        let text = TapeTarget.to_scenario(Seed(7), &case, "why");
        #[derive(serde::Deserialize)]
        struct Back {
            script: Script,
        }
        #[derive(serde::Deserialize)]
        struct Script {
            steps: Vec<Step>,
        }
        let back: Back = toml::from_str(&text).unwrap();
        assert_eq!(back.script.steps, case.steps);
    }

    /// The tape target, except that any case with an eject "fails".
    struct FailsOnEject;

    impl Target for FailsOnEject {
        type Case = TapeCase;
        fn name(&self) -> &'static str {
            "tape"
        }
        fn generate(&self, seed: Seed) -> TapeCase {
            TapeTarget.generate(seed)
        }
        fn check(&self, case: &TapeCase) -> Result<CaseStats, String> {
            if case.steps.iter().any(|s| matches!(s, Step::Eject)) {
                return Err("ejected".into());
            }
            TapeTarget.check(case)
        }
        fn shrink(&self, case: &TapeCase) -> Vec<TapeCase> {
            TapeTarget.shrink(case)
        }
        fn plan(&self, seed: Seed, case: &TapeCase) -> FaultPlan {
            TapeTarget.plan(seed, case)
        }
        fn to_scenario(&self, seed: Seed, case: &TapeCase, message: &str) -> String {
            TapeTarget.to_scenario(seed, case, message)
        }
    }

    #[test]
    fn minimising_a_failing_case_leaves_the_one_step_that_fails() {
        let case = (0..100)
            .map(|s| TapeTarget.generate(Seed(s)))
            .find(|c| c.steps.len() > 50 && c.steps.contains(&Step::Eject))
            .expect("some case ejects");
        let (small, message) = crate::fuzz::minimise(&FailsOnEject, case, "ejected".into());
        assert_eq!(small.steps, vec![Step::Eject]);
        assert_eq!(message, "ejected");
    }

    #[test]
    fn shrinking_deletes_steps_only() {
        let case = TapeTarget.generate(Seed(3));
        for smaller in TapeTarget.shrink(&case) {
            assert!(smaller.steps.len() < case.steps.len());
            assert_eq!(smaller.config, case.config);
        }
    }
}
