//! The tape fuzzer: random Device API call sequences and fault plans on a simulated
//! drive, checked step by step against the reference model in [`crate::oracle::tape`].
//!
//! Each case is a random [`ModelConfig`] (block size, capacity, early-warning zone, BSD or
//! Linux early warning, LEOM on or off), a fault plan of `TapeFault`s (write and read
//! errors, short writes, offline, eject, unreadable label, silent corruption, early
//! warning and end of medium, placed on the first files' first blocks), and a sequence of
//! [`Step`]s chosen by [`choose_step`] from the model's state, so runs label volumes, write
//! files into the early-warning zone and past the end, read them back, and misuse the
//! API. [`run_step`](crate::oracle::tape::run_step) applies each step to the model and to the drive and compares the
//! answer, the device fields, the medium and the faults that fired.
//!
//! One case in [`VFS_EVERY`] also carries a [`VfsScript`]: files written on the real vfs
//! device in a temporary directory, with `VfsFault`s from the plan's `vfs` events (room
//! left on the filesystem, EIO on one write), checked call by call against the vfs model
//! of [`crate::oracle::tape::vfs`] (amanda.md §5.5: LEOM from MAX_VOLUME_USAGE and free
//! space, PEOM, ENOSPC).
//!
//! Shrinking removes fault events one at a time ([`FaultPlan::without`]), then deletes
//! steps (halves, then smaller runs, then single steps); a failing case is written as a
//! `kind = "tape"` scenario with `type = "model"` and its `[[faults.tape]]`, which replays it.

use rand::RngExt as _;
use serde::Serialize;

use super::{CaseStats, Target};
use crate::fault::{FaultPlan, VfsFaultEvent};
use crate::oracle::tape::choose::{choose_faults, choose_step};
use crate::oracle::tape::config::choose_config;
use crate::oracle::tape::vfs::VfsScript;
use crate::oracle::tape::vfs_run::{choose_vfs_faults, choose_vfs_script, run_vfs};
use crate::oracle::tape::{Model, ModelConfig, Step, replay};
use crate::rng::Seed;
use crate::size::ByteSize;

/// The most steps a generated case has.
pub const MAX_STEPS: u32 = 300;

/// One case in this many also drives the vfs device (it does real file IO).
pub const VFS_EVERY: u64 = 8;

/// One fuzz case: the drive and volume, the faults, and the calls to make.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TapeCase {
    /// The drive and volume.
    pub config: ModelConfig,
    /// The faults the drive injects (`tape` events only).
    pub plan: FaultPlan,
    /// The Device API calls, in order.
    pub steps: Vec<Step>,
    /// Files to write on a vfs device as well, with the plan's `vfs` faults.
    pub vfs: Option<VfsScript>,
}

/// The `tape` fuzz target.
pub struct TapeTarget;

impl Target for TapeTarget {
    type Case = TapeCase;

    fn name(&self) -> &'static str {
        "tape"
    }

    fn generate(&self, seed: Seed) -> TapeCase {
        let mut rng = seed.rng();
        let mut rand = |n: u32| rng.random_range(0..n.max(1));
        let config = choose_config(&mut rand);
        let plan = FaultPlan {
            tape: choose_faults(&mut rand),
            ..FaultPlan::none(seed)
        };
        let mut model = Model::new(&config, plan.tape.clone());
        let count = 10 + rand(MAX_STEPS - 10);
        let mut steps = Vec::with_capacity(count as usize);
        for _ in 0..count {
            let step = choose_step(&model, &mut rand);
            if !model.skips(&step) {
                model.step(&step);
            }
            steps.push(step);
        }
        let mut case = TapeCase {
            config,
            plan,
            steps,
            vfs: None,
        };
        if seed.0.is_multiple_of(VFS_EVERY) {
            let script = choose_vfs_script(&mut rand);
            case.plan.vfs = choose_vfs_faults(script.block_size, &mut rand)
                .into_iter()
                .map(|f| match f {
                    reelcheck_tape::vfs::VfsFault::EnospcAfter { bytes } => {
                        VfsFaultEvent::EnospcAfter {
                            bytes: ByteSize(bytes),
                        }
                    }
                    reelcheck_tape::vfs::VfsFault::EioOnWrite { nth } => {
                        VfsFaultEvent::EioOnWrite { nth }
                    }
                })
                .collect();
            case.vfs = Some(script);
        }
        case
    }

    fn check(&self, case: &TapeCase) -> Result<CaseStats, String> {
        replay(&case.config, &case.plan.tape, &case.steps, |_, _| {})
            .map_err(|(i, m)| format!("step {} of {}: {m}", i + 1, case.steps.len()))?;
        let mut stats = CaseStats {
            executed: case.steps.len() as u64,
            bytes: case.steps.iter().map(Step::bytes).sum(),
        };
        if let Some(script) = &case.vfs {
            stats.executed +=
                run_vfs(script, &case.plan.vfs_faults()).map_err(|e| format!("vfs: {e}"))?;
            stats.bytes += script
                .files
                .iter()
                .flatten()
                .map(|&n| n as u64)
                .sum::<u64>();
        }
        Ok(stats)
    }

    fn shrink(&self, case: &TapeCase) -> Vec<TapeCase> {
        let mut out: Vec<TapeCase> = (0..case.plan.len())
            .map(|i| TapeCase {
                plan: case.plan.without(i),
                ..case.clone()
            })
            .collect();
        if let Some(script) = &case.vfs {
            // Without the vfs run, then with one file fewer.
            out.push(TapeCase {
                vfs: None,
                plan: FaultPlan {
                    vfs: Vec::new(),
                    ..case.plan.clone()
                },
                ..case.clone()
            });
            for i in 0..script.files.len() {
                let mut smaller = script.clone();
                smaller.files.remove(i);
                out.push(TapeCase {
                    vfs: Some(smaller),
                    ..case.clone()
                });
            }
        }
        let n = case.steps.len();
        let mut chunk = n / 2;
        while chunk >= 1 {
            let mut start = 0;
            while start + chunk <= n {
                let mut steps = case.steps.clone();
                steps.drain(start..start + chunk);
                out.push(TapeCase {
                    steps,
                    ..case.clone()
                });
                start += chunk;
            }
            chunk /= 2;
        }
        out
    }

    fn plan(&self, _seed: Seed, case: &TapeCase) -> FaultPlan {
        case.plan.clone()
    }

    fn to_scenario(&self, seed: Seed, case: &TapeCase, message: &str) -> String {
        let c = &case.config;
        let steps: Vec<String> = case
            .steps
            .iter()
            .map(|s| format!("  {},", s.to_toml()))
            .collect();
        let faults: String = case
            .plan
            .tape
            .iter()
            .map(|f| {
                let table = toml::to_string(f).unwrap_or_default();
                format!("[[faults.tape]]\n{table}\n")
            })
            .collect();
        let vfs_faults: String = case
            .plan
            .vfs
            .iter()
            .map(|f| {
                let table = toml::to_string(f).unwrap_or_default();
                format!("[[faults.vfs]]\n{table}\n")
            })
            .collect();
        let vfs = case
            .vfs
            .as_ref()
            .map(|v| {
                let table = toml::to_string(v).unwrap_or_default();
                format!("\n[script.vfs]\n{table}")
            })
            .unwrap_or_default();
        let reason = message
            .lines()
            .next()
            .unwrap_or("")
            .replace(['"', '\\'], "'");
        format!(
            "# Minimised by `reelcheck fuzz tape` from seed {seed}.\n# Failure: {comment}\nname = \"fuzz-tape-{seed}\"\nabout = \"Fuzz failure: {reason}\"\nkind = \"tape\"\nseed = {}\n\n[device]\ntype = \"model\"\n\n[model]\nblock_size = {}\ncapacity = {}\nearly_warning = {}\nbsd = {}\nleom = {}\n\n{faults}{vfs_faults}[script]\nsteps = [\n{}\n]\n{vfs}\n[expect]\nagrees = true\n",
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
    fn cases_draw_every_fault_kind() {
        let mut kinds = std::collections::BTreeSet::new();
        for s in 0..200 {
            for f in TapeTarget.generate(Seed(s)).plan.tape {
                kinds.insert(f.to_string().split(' ').next().unwrap_or("").to_string());
            }
        }
        assert_eq!(kinds.len(), 9, "{kinds:?}");
    }

    #[test]
    fn every_fault_kind_fires_in_some_case() {
        let mut fired = std::collections::BTreeSet::new();
        for s in 0..400 {
            let case = TapeTarget.generate(Seed(s));
            let mut model = Model::new(&case.config, case.plan.tape.clone());
            for step in &case.steps {
                if !model.skips(step) {
                    model.step(step);
                }
            }
            for f in model.faults.fired() {
                fired.insert(f.to_string().split(' ').next().unwrap_or("").to_string());
            }
        }
        assert_eq!(fired.len(), 9, "{fired:?}");
    }

    #[test]
    fn vfs_cases_run_on_the_vfs_device() {
        let case = TapeTarget.generate(Seed(VFS_EVERY));
        assert!(case.vfs.is_some());
        let stats = TapeTarget.check(&case).expect("the vfs device agrees");
        assert!(stats.executed > case.steps.len() as u64);
    }

    #[test]
    fn a_vfs_case_written_as_a_scenario_replays_both_runs() {
        let case = (1..50)
            .map(|s| TapeTarget.generate(Seed(s * VFS_EVERY)))
            .find(|c| !c.plan.vfs.is_empty() && !c.plan.tape.is_empty())
            .expect("a vfs case with faults of both kinds");
        let text = TapeTarget.to_scenario(Seed(8), &case, "example");
        let path = std::path::Path::new("scenarios/tape/fuzz-tape-0x8.toml");
        let scenario = crate::engine::parse(path, text).unwrap_or_else(|e| panic!("{e}"));
        let out = crate::engine::run(&scenario).unwrap_or_else(|e| panic!("{e}"));
        let trace = out.trace.render();
        assert!(trace.contains("vfs agrees after"), "{trace}");
        assert!(trace.contains("model agrees after every step"), "{trace}");
    }

    #[test]
    fn scenario_text_round_trips_steps_and_faults() {
        let case = (0..100)
            .map(|s| TapeTarget.generate(Seed(s)))
            .find(|c| c.plan.tape.len() >= 2)
            .expect("some case has two faults");
        let text = TapeTarget.to_scenario(Seed(7), &case, "why");
        #[derive(serde::Deserialize)]
        struct Back {
            script: Script,
            faults: Faults,
        }
        #[derive(serde::Deserialize)]
        struct Script {
            steps: Vec<Step>,
        }
        #[derive(serde::Deserialize)]
        struct Faults {
            tape: Vec<reelcheck_tape::sim::TapeFault>,
        }
        let back: Back = toml::from_str(&text).unwrap();
        assert_eq!(back.script.steps, case.steps);
        assert_eq!(back.faults.tape, case.plan.tape);
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
    fn minimising_a_failing_case_leaves_the_one_step_and_no_faults() {
        let case = (0..200)
            .map(|s| TapeTarget.generate(Seed(s)))
            .find(|c| c.steps.len() > 50 && c.steps.contains(&Step::Eject) && !c.plan.is_empty())
            .expect("some case ejects and has faults");
        let (small, message) = crate::fuzz::minimise(&FailsOnEject, case, "ejected".into());
        assert_eq!(small.steps, vec![Step::Eject]);
        assert!(small.plan.is_empty());
        assert_eq!(message, "ejected");
    }

    #[test]
    fn shrinking_removes_faults_or_steps() {
        let case = (0..100)
            .map(|s| TapeTarget.generate(Seed(s)))
            .find(|c| !c.plan.is_empty())
            .expect("some case has faults");
        for smaller in TapeTarget.shrink(&case) {
            let fewer_faults =
                smaller.plan.len() + 1 == case.plan.len() && smaller.steps == case.steps;
            let fewer_steps = smaller.steps.len() < case.steps.len() && smaller.plan == case.plan;
            let smaller_vfs = smaller.vfs != case.vfs && smaller.steps == case.steps;
            assert!(fewer_faults || fewer_steps || smaller_vfs);
            assert_eq!(smaller.config, case.config);
        }
    }
}
