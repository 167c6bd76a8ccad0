//! Random Device API sequences on the simulated drive against a small reference model.
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
use reelcheck_tape::device::{
    AccessMode, Device, DeviceError, Property, ReadResult, SeekResult, StatusFlags, WriteResult,
};
use reelcheck_tape::sim::{EarlyWarningStyle, SimConfig, SimDrive, Volume, VolumeSpec};

/// Cases for a property test: `PROPTEST_CASES` when set, else `default`.
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

const TS: &str = "20240101000000";
const DEVICE_ERROR: u8 = 1;
const VOLUME_MISSING: u8 = 1 << 2;
const VOLUME_UNLABELED: u8 = 1 << 3;
const VOLUME_ERROR: u8 = 1 << 4;

/// One Device API call.
#[derive(Clone, Debug)]
pub enum Step {
    ReadLabel,
    Start(AccessMode),
    StartFile,
    Write { len: usize, fill: u8 },
    FinishFile,
    Finish,
    SeekFile(u32),
    SeekBlock(u64),
    Read,
    Eject,
    Reload,
    SetLeom(bool),
}

/// What the model says the last step returns.
#[derive(Clone, Debug, PartialEq)]
pub enum Expect {
    Misuse,
    Ok,
    Err,
    Status(u8),
    File(u32),
    Write(WriteResult),
    Seek(Option<u32>, bool),
    Block(Vec<u8>),
    Eof,
}

/// The reference model: a tape of files of padded blocks plus Amanda's device fields.
#[derive(Clone, Debug)]
pub struct Model {
    bs: usize,
    capacity: u64,
    ew_start: u64,
    bsd: bool,
    leom: bool,
    loaded: bool,
    /// `files[0]` is the label (`Some(label)`); data files hold padded blocks.
    label: Option<String>,
    files: Vec<Vec<Vec<u8>>>,
    closed: Vec<bool>,
    used: u64,
    armed: bool,
    signalled: bool,
    mode: AccessMode,
    in_file: bool,
    file: u32,
    block: u64,
    is_eom: bool,
    is_eof: bool,
    short: bool,
    status: u8,
    volume_label: Option<String>,
    expect: Expect,
}

impl Model {
    fn in_error(&self) -> bool {
        self.status == DEVICE_ERROR
    }

    /// One write attempt of one block at the end of the data.
    fn attempt(&mut self) -> bool {
        let bs = self.bs as u64;
        if !self.bsd && self.armed {
            self.armed = false;
            return false;
        }
        if self.used + bs > self.capacity {
            return false;
        }
        if self.used + bs > self.ew_start {
            if self.bsd {
                if !self.signalled {
                    self.signalled = true;
                    return false;
                }
            } else {
                self.armed = true;
            }
        }
        self.used += bs;
        true
    }

    /// Amanda's robust write: retry the first ENOSPC once when LEOM is on.
    fn robust(&mut self) -> bool {
        if self.attempt() {
            return true;
        }
        if !self.leom {
            return false;
        }
        self.is_eom = true;
        self.attempt()
    }

    fn misuse(mut self) -> Self {
        self.expect = Expect::Misuse;
        self
    }

    fn step(mut self, step: &Step) -> Self {
        let writable = matches!(self.mode, AccessMode::Write | AccessMode::Append);
        match *step {
            Step::ReadLabel => {
                if self.mode != AccessMode::Null {
                    return self.misuse();
                }
                if !self.in_error() {
                    self.status = if !self.loaded {
                        VOLUME_MISSING
                    } else if self.label.is_none() {
                        VOLUME_UNLABELED
                    } else {
                        0
                    };
                    self.volume_label = if self.status == 0 {
                        self.label.clone()
                    } else {
                        None
                    };
                }
                self.expect = Expect::Status(self.status);
            }
            Step::Start(mode) => {
                if self.mode != AccessMode::Null || mode == AccessMode::Null {
                    return self.misuse();
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return self;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return self;
                }
                self.is_eom = false;
                self.is_eof = false;
                self.armed = false;
                self.signalled = false;
                if mode == AccessMode::Write {
                    self.label = None;
                    self.files.clear();
                    self.closed.clear();
                    self.used = 0;
                    if !self.robust() {
                        self.is_eom = true;
                        self.status |= DEVICE_ERROR;
                        return self;
                    }
                    self.label = Some("VOL".into());
                    self.files.push(Vec::new());
                    self.closed.push(true);
                    self.file = 0;
                } else {
                    if self.label.is_none() {
                        self.volume_label = None;
                        self.status |= VOLUME_UNLABELED;
                        return self;
                    }
                    self.file = if mode == AccessMode::Append {
                        if let Some(c) = self.closed.last_mut() {
                            *c = true;
                        }
                        self.files.len() as u32 - 1
                    } else {
                        0
                    };
                }
                self.volume_label = self.label.clone();
                self.mode = mode;
                self.in_file = false;
                self.block = 0;
                self.short = false;
                self.status = 0;
                self.expect = Expect::Ok;
            }
            Step::StartFile => {
                if !writable || self.in_file {
                    return self.misuse();
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return self;
                }
                let n = self.file as usize + 1;
                self.files.truncate(n);
                self.closed.truncate(n);
                self.used = self.recount();
                if !self.loaded {
                    self.status |= DEVICE_ERROR;
                    return self;
                }
                if !self.robust() {
                    self.is_eom = true;
                    self.status |= DEVICE_ERROR;
                    return self;
                }
                self.files.push(Vec::new());
                self.closed.push(false);
                self.file += 1;
                self.block = 0;
                self.in_file = true;
                self.short = false;
                self.expect = Expect::File(self.file);
            }
            Step::Write { len, fill } => {
                if !writable || !self.in_file || self.short || len == 0 || len > self.bs {
                    return self.misuse();
                }
                if len < self.bs {
                    self.short = true;
                }
                self.expect = Expect::Write(WriteResult::Failed);
                if self.in_error() {
                    return self;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return self;
                }
                if !self.robust() {
                    self.is_eom = true;
                    self.status |= VOLUME_ERROR;
                    return self;
                }
                let mut data = vec![fill; len];
                data.resize(self.bs, 0);
                if let Some(f) = self.files.last_mut() {
                    f.push(data);
                }
                self.block += 1;
                self.expect = Expect::Write(WriteResult::Success);
            }
            Step::FinishFile => {
                if !writable || !self.in_file {
                    return self.misuse();
                }
                self.finish_file();
            }
            Step::Finish => {
                self.expect = Expect::Ok;
                if self.mode == AccessMode::Null {
                    return self;
                }
                if writable && self.in_file {
                    self.finish_file();
                }
                self.mode = AccessMode::Null;
                self.in_file = false;
            }
            Step::SeekFile(n) => {
                if self.mode == AccessMode::Null || (n != 0 && self.mode != AccessMode::Read) {
                    return self.misuse();
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return self;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return self;
                }
                let count = self.files.len() as u32;
                if self.mode != AccessMode::Read {
                    self.expect = Expect::Seek(Some(0), false);
                    return self;
                }
                self.is_eof = false;
                self.block = 0;
                self.in_file = false;
                if n < count {
                    self.file = n;
                    self.in_file = true;
                    self.expect = Expect::Seek(Some(n), false);
                } else if n == count {
                    self.file = n;
                    self.expect = Expect::Seek(Some(n), true);
                } else {
                    self.status |= VOLUME_ERROR | DEVICE_ERROR;
                }
            }
            Step::SeekBlock(b) => {
                if self.mode != AccessMode::Read || !self.in_file {
                    return self.misuse();
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return self;
                }
                self.block = b;
                self.is_eof = false;
                self.expect = Expect::Ok;
            }
            Step::Read => {
                if self.mode != AccessMode::Read {
                    return self.misuse();
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return self;
                }
                if !self.in_file {
                    self.is_eof = true;
                    self.expect = Expect::Eof;
                    return self;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return self;
                }
                let data = self
                    .files
                    .get(self.file as usize)
                    .and_then(|f| f.get(self.block as usize))
                    .cloned();
                match data {
                    Some(d) => {
                        self.block += 1;
                        self.expect = Expect::Block(d);
                    }
                    None => {
                        self.is_eof = true;
                        self.in_file = false;
                        self.expect = Expect::Eof;
                    }
                }
            }
            Step::Eject => {
                if self.mode != AccessMode::Null {
                    return self.misuse();
                }
                if self.loaded {
                    self.loaded = false;
                    self.volume_label = None;
                    self.status |= VOLUME_MISSING;
                }
                self.expect = Expect::Ok;
            }
            Step::Reload => {
                // Only generated for an empty drive in NULL mode (see preconditions).
                self.loaded = true;
                self.armed = false;
                self.signalled = false;
                self.in_file = false;
                self.file = 0;
                self.block = 0;
                self.is_eom = false;
                self.is_eof = false;
                self.short = false;
                self.status = 0;
                self.volume_label = None;
                self.expect = Expect::Ok;
            }
            Step::SetLeom(on) => {
                self.leom = on;
                self.expect = Expect::Ok;
            }
        }
        self
    }

    fn finish_file(&mut self) {
        self.in_file = false;
        self.expect = Expect::Err;
        if self.in_error() {
            return;
        }
        if !self.loaded {
            self.is_eom = true;
            self.status |= DEVICE_ERROR | VOLUME_ERROR;
            return;
        }
        if let Some(c) = self.closed.last_mut() {
            *c = true;
        }
        self.expect = Expect::Ok;
    }

    /// Medium used by the files kept: one block for the label, one per header and data block.
    fn recount(&self) -> u64 {
        let blocks: u64 = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| if i == 0 { 1 } else { 1 + f.len() as u64 })
            .sum();
        blocks * self.bs as u64
    }
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
                let ew = (ew_blocks * bs as u64 + extra % 5).min(capacity);
                Model {
                    bs,
                    capacity,
                    ew_start: capacity - ew,
                    bsd,
                    leom,
                    loaded: true,
                    label: None,
                    files: Vec::new(),
                    closed: Vec::new(),
                    used: 0,
                    armed: false,
                    signalled: false,
                    mode: AccessMode::Null,
                    in_file: false,
                    file: 0,
                    block: 0,
                    is_eom: false,
                    is_eof: false,
                    short: false,
                    status: 0,
                    volume_label: None,
                    expect: Expect::Ok,
                }
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let bs = state.bs;
        let modes = prop_oneof![
            Just(AccessMode::Write),
            Just(AccessMode::Append),
            Just(AccessMode::Read),
            Just(AccessMode::Null),
        ];
        let len = prop_oneof![4 => Just(bs), 1 => 0..=bs + 1];
        prop_oneof![
            1 => Just(Step::ReadLabel),
            3 => modes.prop_map(Step::Start),
            4 => Just(Step::StartFile),
            20 => (len, any::<u8>()).prop_map(|(len, fill)| Step::Write { len, fill }),
            3 => Just(Step::FinishFile),
            3 => Just(Step::Finish),
            3 => (0u32..6).prop_map(Step::SeekFile),
            1 => (0u64..6).prop_map(Step::SeekBlock),
            8 => Just(Step::Read),
            1 => Just(Step::Eject),
            1 => Just(Step::Reload),
            1 => any::<bool>().prop_map(Step::SetLeom),
        ]
        .boxed()
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        match step {
            Step::Reload => !state.loaded && state.mode == AccessMode::Null,
            _ => true,
        }
    }

    fn apply(state: Model, step: &Step) -> Model {
        state.step(step)
    }
}

pub struct DriveTest;

fn status_bits(s: StatusFlags) -> u8 {
    s.bits()
}

impl StateMachineTest for DriveTest {
    type SystemUnderTest = SimDrive;
    type Reference = DriveModel;

    fn init_test(m: &Model) -> SimDrive {
        let config = SimConfig {
            block_size: m.bs,
            min_block_size: 1,
            leom: m.leom,
            early_warning: if m.bsd {
                EarlyWarningStyle::Bsd
            } else {
                EarlyWarningStyle::Linux
            },
            ..SimConfig::default()
        };
        let mut d = SimDrive::new("tape0", config, vec![]);
        let spec = VolumeSpec::with_early_warning(m.capacity, m.capacity - m.ew_start);
        d.load(Volume::blank("VOL-1", spec)).expect("load");
        d
    }

    fn apply(mut d: SimDrive, m: &Model, step: Step) -> SimDrive {
        let before = d.state().clone();
        let mut buf = vec![0u8; m.bs];
        let got: Result<Expect, DeviceError> = match step {
            Step::ReadLabel => Ok(Expect::Status(status_bits(d.read_label()))),
            Step::Start(mode) => d.start(mode, Some("VOL"), Some(TS)).map(|()| Expect::Ok),
            Step::StartFile => d.start_file(b"AMANDA: FILE").map(Expect::File),
            Step::Write { len, fill } => d.write_block(&vec![fill; len]).map(Expect::Write),
            Step::FinishFile => d.finish_file().map(|()| Expect::Ok),
            Step::Finish => d.finish().map(|()| Expect::Ok),
            Step::SeekFile(n) => d.seek_file(n).map(|r| match r {
                SeekResult::File { file, .. } => Expect::Seek(Some(file), false),
                SeekResult::TapeEnd { file } => Expect::Seek(Some(file), true),
            }),
            Step::SeekBlock(b) => d.seek_block(b).map(|()| Expect::Ok),
            Step::Read => d.read_block(&mut buf).map(|r| match r {
                ReadResult::Block(n) => Expect::Block(buf[..n].to_vec()),
                ReadResult::Eof => Expect::Eof,
            }),
            Step::Eject => d.eject().map(|()| Expect::Ok),
            Step::Reload => {
                let v = d.take_volume().expect("an ejected volume");
                d.load(v).map(|()| Expect::Ok).map_err(|e| e.error)
            }
            Step::SetLeom(on) => d.set_property(Property::Leom(on)).map(|()| Expect::Ok),
        };
        match (&m.expect, got) {
            (Expect::Misuse, Ok(Expect::Status(s))) => {
                // read_label cannot return an error: misuse is DEVICE_BUSY.
                assert_eq!(s, status_bits(StatusFlags::DEVICE_BUSY));
                assert_eq!(d.state(), &before, "misuse changed the state");
            }
            (Expect::Misuse, Err(e)) => {
                assert!(e.is_misuse(), "expected misuse, got {e}");
                assert_eq!(d.state(), &before, "misuse changed the state");
            }
            (Expect::Err, Err(e)) => assert!(!e.is_misuse(), "unexpected misuse: {e}"),
            (want, Ok(got)) => assert_eq!(&got, want),
            (want, Err(e)) => panic!("expected {want:?}, got error {e}"),
        }
        d
    }

    fn check_invariants(d: &SimDrive, m: &Model) {
        let s = d.state();
        assert_eq!(s.access_mode, m.mode, "mode");
        assert_eq!(s.in_file, m.in_file, "in_file");
        assert_eq!(s.file, m.file, "file");
        assert_eq!(s.block, m.block, "block");
        assert_eq!(s.is_eom, m.is_eom, "is_eom");
        assert_eq!(s.is_eof, m.is_eof, "is_eof");
        assert_eq!(s.wrote_short_block, m.short, "wrote_short_block");
        assert_eq!(status_bits(s.status), m.status, "status");
        assert_eq!(s.volume_label, m.volume_label, "volume_label");
        // The medium holds exactly the blocks reported written, never more than fits.
        let vol = d
            .volume()
            .or(d.ejected())
            .expect("the volume is in the drive");
        assert!(vol.used() <= m.capacity);
        assert_eq!(vol.used(), m.used, "medium used");
        assert_eq!(vol.file_count() as usize, m.files.len(), "files");
        for (i, f) in m.files.iter().enumerate().skip(1) {
            let got = vol.file(i as u32).expect("file");
            assert_eq!(got.data_blocks() as usize, f.len(), "blocks of file {i}");
            assert_eq!(got.data(), f.concat(), "data of file {i}");
            assert_eq!(got.is_closed(), m.closed[i], "filemark of file {i}");
        }
        // End of medium is only ever flagged once the next block would end in the zone.
        if s.is_eom && s.access_mode != AccessMode::Null {
            assert!(m.used + m.bs as u64 > m.ew_start, "EOM outside the zone");
        }
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
