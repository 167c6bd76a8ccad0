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

    /// Steps weighted by the state so that sequences get far (files written, then read back),
    /// with a steady share of misuse and rare calls everywhere.
    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let bs = state.block_size();
        let files = state.file_count();
        let start = |mode| Just(Step::Start { mode });
        let write = (
            prop_oneof![6 => Just(bs), 1 => 1..bs, 1 => Just(0), 1 => Just(bs + 1)],
            any::<u8>(),
        )
            .prop_map(|(len, fill)| Step::Write { len, fill });
        let any_step = prop_oneof![
            Just(Step::ReadLabel),
            start(AccessMode::Write),
            start(AccessMode::Append),
            start(AccessMode::Read),
            start(AccessMode::Null),
            Just(Step::StartFile),
            Just(Step::FinishFile),
            Just(Step::Finish),
            (0u32..6).prop_map(|file| Step::SeekFile { file }),
            (0u64..6).prop_map(|block| Step::SeekBlock { block }),
            Just(Step::Read),
            Just(Step::Eject),
            Just(Step::Reload),
            Just(Step::Reset),
            any::<bool>().prop_map(|on| Step::SetLeom { on }),
            (0usize..=bs + 1, any::<u8>()).prop_map(|(len, fill)| Step::Write { len, fill }),
        ];
        match (state.mode(), state.in_file()) {
            (AccessMode::Null, _) => prop_oneof![
                2 => start(AccessMode::Write),
                2 => start(AccessMode::Append),
                4 => start(AccessMode::Read),
                3 => any_step,
            ]
            .boxed(),
            (AccessMode::Read, _) => prop_oneof![
                4 => (0..files + 2).prop_map(|file| Step::SeekFile { file }),
                12 => Just(Step::Read),
                1 => (0u64..6).prop_map(|block| Step::SeekBlock { block }),
                1 => Just(Step::Finish),
                1 => any_step,
            ]
            .boxed(),
            (_, false) => prop_oneof![
                6 => Just(Step::StartFile),
                2 => Just(Step::Finish),
                1 => any_step,
            ]
            .boxed(),
            (_, true) => prop_oneof![
                20 => write,
                2 => Just(Step::FinishFile),
                1 => Just(Step::Finish),
                1 => any_step,
            ]
            .boxed(),
        }
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

#[test]
fn it_runs_fuzz_cases_from_a_plain_random_source() {
    use reelcheck_tape::sim::reference::{choose_config, choose_step, run_step};
    // A fixed-seed xorshift stands in for the harness generator.
    let mut x: u64 = 0x5EED_5EED_5EED_5EED;
    let mut rand = move |n: u32| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x % u64::from(n.max(1))) as u32
    };
    for case in 0..200 {
        let config = choose_config(&mut rand);
        let mut d = config.drive();
        let mut m = Model::new(&config);
        for _ in 0..100 {
            let step = choose_step(&m, &mut rand);
            if let Err(e) = run_step(&mut d, &mut m, &step) {
                panic!("case {case} ({config:?}): {e}");
            }
        }
    }
}
