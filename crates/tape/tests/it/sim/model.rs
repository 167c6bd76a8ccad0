//! Random Device API sequences on the simulated drive against the reference model
//! (`reelcheck_tape::sim::reference`, shared with `reelcheck fuzz tape`).
//!
//! The model's rules come from the reference, not from the drive's code:
//! - §5.2 preconditions (misuse is an error and changes nothing);
//! - §5.6 tape writes: blocks zero-padded, the first ENOSPC of a write retried as LEOM when
//!   LEOM is on, a second one (or any with LEOM off) WRITE_FAILED with `is_eom`, nothing
//!   written; a failed header write is a device error;
//! - testbed.md mhvtl + Linux `st` / BSD drivers: a block ending inside the early-warning zone
//!   is written and signalled (Linux: ENOSPC on the next write, alternating; BSD: one empty
//!   write on entering the zone), a block past the capacity is refused.
//!
//! It checks: what was written reads back identically, LEOM is flagged exactly where those
//! rules say, nothing written after EOM is reported as written, and misuse leaves the state
//! unchanged.

use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use reelcheck_tape::device::{AccessMode, Device};
use reelcheck_tape::sim::SimDrive;
use reelcheck_tape::sim::reference::{Model, ModelConfig, Step, apply_to_drive, check_step};

/// Cases for a property test: `PROPTEST_CASES` when set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

pub struct DriveModel;

impl ReferenceStateMachine for DriveModel {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        (
            // The TAPESTART label (49 bytes here) must fit in one block.
            prop_oneof![Just(64usize), Just(96), Just(128)],
            2u64..40,
            0u64..64,
            0u64..20,
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(bs, blocks, extra, ew_blocks, bsd, leom)| {
                let capacity = blocks * bs as u64 + extra % bs as u64;
                let early_warning = (ew_blocks * bs as u64 + extra % 5).min(capacity);
                Model::new(&ModelConfig {
                    block_size: bs,
                    capacity,
                    early_warning,
                    bsd,
                    leom,
                })
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let bs = state.block_size();
        let modes = prop_oneof![
            Just(AccessMode::Write),
            Just(AccessMode::Append),
            Just(AccessMode::Read),
            Just(AccessMode::Null),
        ];
        let len = prop_oneof![4 => Just(bs), 1 => 0..=bs + 1];
        prop_oneof![
            1 => Just(Step::ReadLabel),
            3 => modes.prop_map(|mode| Step::Start { mode }),
            4 => Just(Step::StartFile),
            20 => (len, any::<u8>()).prop_map(|(len, fill)| Step::Write { len, fill }),
            3 => Just(Step::FinishFile),
            3 => Just(Step::Finish),
            3 => (0u32..6).prop_map(|file| Step::SeekFile { file }),
            1 => (0u64..6).prop_map(|block| Step::SeekBlock { block }),
            8 => Just(Step::Read),
            1 => Just(Step::Eject),
            1 => Just(Step::Reload),
            1 => any::<bool>().prop_map(|on| Step::SetLeom { on }),
        ]
        .boxed()
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        match step {
            Step::Reload => !state.loaded() && state.mode() == AccessMode::Null,
            _ => true,
        }
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.step(step);
        state
    }
}

pub struct DriveTest;

impl StateMachineTest for DriveTest {
    type SystemUnderTest = SimDrive;
    type Reference = DriveModel;

    fn init_test(m: &Model) -> SimDrive {
        m.config().drive()
    }

    fn apply(mut d: SimDrive, m: &Model, step: Step) -> SimDrive {
        let before = d.state().clone();
        let got = apply_to_drive(&mut d, &step);
        if let Err(e) = check_step(&d, m, &step, &before, got) {
            panic!("{e}");
        }
        d
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(2000),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn prop_drive_matches_the_reference_model(sequential 1..80 => DriveTest);
}

#[test]
fn it_reads_model_steps_as_tagged_data() {
    let steps: Vec<Step> = serde_json::from_str(
        r#"[{"op":"start","mode":"write"},{"op":"start-file"},{"op":"write","len":64,"fill":7}]"#,
    )
    .expect("parse");
    assert_eq!(
        steps,
        [
            Step::Start {
                mode: AccessMode::Write
            },
            Step::StartFile,
            Step::Write { len: 64, fill: 7 },
        ]
    );
}
