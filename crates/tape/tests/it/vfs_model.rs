//! Random Device API sequences on the vfs device against a small model built from the
//! reference's rules (§5.2 preconditions, §5.5 vfs space rules), not from the device code.
//!
//! Model constants (§5.5): every file starts with a 32 KiB header; the label is one
//! header; `volume_bytes` counts label, headers and data; LEOM when
//! `volume_bytes + size + 4 * block_size > MAX_VOLUME_USAGE` or `free - size <= 4 *
//! block_size` (unsigned), and the write proceeds; PEOM when `volume_bytes + size >
//! MAX_VOLUME_USAGE`: nothing written, `is_eom`, `Full` with LEOM else `Failed`
//! (`start_file`: an error); ENOSPC: truncate to the last whole block, `Space` with LEOM
//! else `Failed`. The filesystem is the injected `ENOSPC after N bytes` hook.
//!
//! After every step the device must agree with the model on the result, `volume_bytes`,
//! `is_eom`, the open file and block, and on every file's size on disk; a read-back step
//! checks that every byte reported written reads back identically.

use proptest::prelude::*;
use proptest::test_runner::Config;
use proptest_state_machine::{ReferenceStateMachine, StateMachineTest, prop_state_machine};
use reelcheck_tape::device::{
    AccessMode, Device, DeviceError, Property, ReadResult, SeekResult, WriteResult,
};
use reelcheck_tape::vfs::{VfsDevice, VfsFault};

use crate::vfs::split_header;

/// §5.5: the header block and the early-warning zone.
const HEADER: u64 = 32_768;
const EARLY_WARNING_BLOCKS: u64 = 4;

/// Cases: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Debug, Clone)]
struct Cfg {
    block: u64,
    limit: Option<u64>,
    leom: bool,
    room: Option<u64>,
}

#[derive(Debug, Clone)]
struct MFile {
    fileno: u32,
    /// Size on disk, header included (below 32 KiB for a header cut by ENOSPC).
    size: u64,
    data: Vec<u8>,
}

/// What the device must return for the step just applied.
#[derive(Debug, Clone, PartialEq)]
enum Expect {
    Ok,
    Misuse,
    File(u32),
    NoSpace,
    InError,
    Write(WriteResult),
}

#[derive(Debug, Clone)]
struct Model {
    cfg: Cfg,
    mode: AccessMode,
    labelled: bool,
    files: Vec<MFile>,
    volume_bytes: u64,
    free: Option<u64>,
    in_file: bool,
    is_eom: bool,
    short: bool,
    block: u64,
    volume_error: bool,
    device_error: bool,
    expect: Expect,
}

#[derive(Debug, Clone)]
enum Step {
    Label,
    Append,
    StartFile,
    Write { len: u64, fill: u8 },
    FinishFile,
    Finish,
    ReadBack,
}

impl Model {
    fn in_error(&self) -> bool {
        self.device_error && !self.volume_error
    }

    fn at_leom(&self, size: u64) -> bool {
        let warning = EARLY_WARNING_BLOCKS * self.cfg.block;
        self.cfg.leom
            && (self
                .cfg
                .limit
                .is_some_and(|l| self.volume_bytes + size + warning > l)
                || self.free.is_some_and(|f| f.wrapping_sub(size) <= warning))
    }

    fn at_peom(&self, size: u64) -> bool {
        self.cfg.limit.is_some_and(|l| self.volume_bytes + size > l)
    }

    fn step(&mut self, step: &Step) {
        let writable = matches!(self.mode, AccessMode::Write | AccessMode::Append);
        self.expect = Expect::Ok;
        match step {
            Step::Label => {
                for f in self.files.drain(..) {
                    if let Some(free) = &mut self.free {
                        *free += f.size;
                    }
                }
                if let Some(free) = &mut self.free {
                    // Room for the label is part of the configuration.
                    *free += if self.labelled { HEADER } else { 0 };
                    *free -= HEADER;
                }
                self.labelled = true;
                self.volume_bytes = HEADER;
                self.mode = AccessMode::Write;
                (self.volume_error, self.device_error) = (false, false);
            }
            Step::Append => {
                self.mode = AccessMode::Append;
            }
            Step::StartFile => {
                if !writable || self.in_file {
                    self.expect = Expect::Misuse;
                    return;
                }
                self.short = false;
                self.is_eom = false;
                if self.in_error() {
                    self.expect = Expect::InError;
                    return;
                }
                if self.at_leom(HEADER) {
                    self.is_eom = true;
                }
                if self.at_peom(HEADER) {
                    self.is_eom = true;
                    self.device_error = true;
                    self.expect = Expect::NoSpace;
                    return;
                }
                let fileno = self.files.iter().map(|f| f.fileno).max().unwrap_or(0) + 1;
                let room = self.free.unwrap_or(u64::MAX);
                if room < HEADER {
                    // The header is cut where the disk filled up; the file stays.
                    self.files.push(MFile {
                        fileno,
                        size: room,
                        data: Vec::new(),
                    });
                    self.free = Some(0);
                    self.volume_error = true;
                    self.expect = Expect::NoSpace;
                    return;
                }
                self.files.push(MFile {
                    fileno,
                    size: HEADER,
                    data: Vec::new(),
                });
                if let Some(f) = &mut self.free {
                    *f -= HEADER;
                }
                self.volume_bytes += HEADER;
                self.in_file = true;
                self.block = 0;
                self.expect = Expect::File(fileno);
            }
            Step::Write { len, fill } => {
                if !writable || !self.in_file || self.short || *len == 0 || *len > self.cfg.block {
                    self.expect = Expect::Misuse;
                    return;
                }
                if self.in_error() {
                    self.expect = Expect::Write(WriteResult::Failed);
                    return;
                }
                if self.at_leom(*len) {
                    self.is_eom = true;
                }
                if self.at_peom(*len) {
                    self.is_eom = true;
                    self.volume_error = true;
                    let r = if self.cfg.leom {
                        WriteResult::Full
                    } else {
                        WriteResult::Failed
                    };
                    self.expect = Expect::Write(r);
                    return;
                }
                if self.free.is_some_and(|f| f < *len) {
                    // Partial write, then truncated back: nothing changes on disk.
                    self.volume_error = true;
                    let r = if self.cfg.leom {
                        WriteResult::Space
                    } else {
                        WriteResult::Failed
                    };
                    self.expect = Expect::Write(r);
                    return;
                }
                let file = self.files.last_mut().expect("in a file");
                file.data
                    .extend((0..*len).map(|i| fill.wrapping_add(i as u8)));
                file.size += len;
                if let Some(f) = &mut self.free {
                    *f -= len;
                }
                self.volume_bytes += len;
                self.block += 1;
                self.short = *len < self.cfg.block;
                self.expect = Expect::Write(WriteResult::Success);
            }
            Step::FinishFile => {
                if !writable || !self.in_file {
                    self.expect = Expect::Misuse;
                    return;
                }
                self.in_file = false;
                if self.in_error() {
                    self.expect = Expect::InError;
                }
            }
            Step::Finish => {
                self.mode = AccessMode::Null;
                self.in_file = false;
                if self.in_error() {
                    self.expect = Expect::InError;
                }
            }
            Step::ReadBack => {}
        }
    }
}

struct VfsMachine;

impl ReferenceStateMachine for VfsMachine {
    type State = Model;
    type Transition = Step;

    fn init_state() -> BoxedStrategy<Model> {
        (
            prop_oneof![Just(4096u64), Just(32_768)],
            prop::option::of((0u64..6, 0u64..40, 0u64..4096)),
            any::<bool>(),
            prop::option::of((0u64..5, 0u64..60, 0u64..4096)),
        )
            .prop_map(|(block, limit, leom, room)| {
                let cfg = Cfg {
                    block,
                    limit: limit.map(|(h, b, r)| HEADER * (1 + h) + block * b + r),
                    leom,
                    // Room for the label plus some headers, blocks and odd bytes.
                    room: room.map(|(h, b, r)| HEADER * (1 + h) + block * b + r),
                };
                Model {
                    free: cfg.room,
                    cfg,
                    mode: AccessMode::Null,
                    labelled: false,
                    files: Vec::new(),
                    volume_bytes: 0,
                    in_file: false,
                    is_eom: false,
                    short: false,
                    block: 0,
                    volume_error: false,
                    device_error: false,
                    expect: Expect::Ok,
                }
            })
            .boxed()
    }

    fn transitions(state: &Model) -> BoxedStrategy<Step> {
        let bs = state.cfg.block;
        let write = (
            prop_oneof![8 => Just(bs), 1 => 1..bs, 1 => Just(bs + 1)],
            any::<u8>(),
        )
            .prop_map(|(len, fill)| Step::Write { len, fill });
        match (state.mode, state.in_file) {
            (AccessMode::Null, _) if !state.labelled => Just(Step::Label).boxed(),
            (AccessMode::Null, _) => prop_oneof![
                2 => Just(Step::Label),
                4 => Just(Step::Append),
                2 => Just(Step::ReadBack),
                1 => Just(Step::StartFile),
            ]
            .boxed(),
            (_, false) => prop_oneof![
                6 => Just(Step::StartFile),
                1 => Just(Step::Finish),
                1 => Just(Step::FinishFile),
                1 => write,
            ]
            .boxed(),
            (_, true) => prop_oneof![
                20 => write,
                3 => Just(Step::FinishFile),
                1 => Just(Step::Finish),
                1 => Just(Step::StartFile),
            ]
            .boxed(),
        }
    }

    fn preconditions(state: &Model, step: &Step) -> bool {
        match step {
            Step::Label => state.mode == AccessMode::Null,
            Step::Append => state.mode == AccessMode::Null && state.labelled,
            // A device in error refuses to read (Amanda's `device_in_error`).
            Step::ReadBack => state.mode == AccessMode::Null && state.labelled && !state.in_error(),
            _ => state.labelled,
        }
    }

    fn apply(mut state: Model, step: &Step) -> Model {
        state.step(step);
        state
    }
}

struct Sut {
    _tmp: tempfile::TempDir,
    dev: VfsDevice,
    part: u32,
}

struct VfsTest;

fn outcome<T>(r: Result<T, DeviceError>, ok: impl FnOnce(T) -> Expect) -> Expect {
    match r {
        Ok(v) => ok(v),
        Err(DeviceError::Misuse(_)) => Expect::Misuse,
        Err(DeviceError::NoSpace { .. }) => Expect::NoSpace,
        Err(DeviceError::InError { .. }) => Expect::InError,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

fn read_back(sut: &mut Sut, m: &Model) {
    let dev = &mut sut.dev;
    dev.start(AccessMode::Read, None, None).expect("start read");
    let mut buf = vec![0u8; m.cfg.block as usize];
    for f in m.files.iter().filter(|f| f.size >= HEADER) {
        match dev.seek_file(f.fileno).expect("seek") {
            SeekResult::File { file, .. } => assert_eq!(file, f.fileno),
            other => panic!("file {} missing: {other:?}", f.fileno),
        }
        let mut got = Vec::new();
        for _ in 0..10_000 {
            match dev.read_block(&mut buf).expect("read") {
                ReadResult::Block(n) => got.extend_from_slice(&buf[..n]),
                ReadResult::Eof => break,
            }
        }
        assert!(
            got == f.data,
            "file {}: {} bytes read, {} written",
            f.fileno,
            got.len(),
            f.data.len()
        );
    }
    dev.finish().expect("finish read");
}

impl StateMachineTest for VfsTest {
    type SystemUnderTest = Sut;
    type Reference = VfsMachine;

    fn init_test(m: &Model) -> Sut {
        let tmp = tempfile::tempdir().expect("tempdir");
        let faults: Vec<VfsFault> = m
            .cfg
            .room
            .map(|bytes| VfsFault::EnospcAfter { bytes })
            .into_iter()
            .collect();
        let mut dev = VfsDevice::new("vtape0", tmp.path(), faults);
        dev.set_property(Property::BlockSize(m.cfg.block as usize))
            .expect("block size");
        dev.set_property(Property::MaxVolumeUsage(m.cfg.limit))
            .expect("limit");
        dev.set_property(Property::Leom(m.cfg.leom)).expect("leom");
        Sut {
            _tmp: tmp,
            dev,
            part: 0,
        }
    }

    fn apply(mut sut: Sut, m: &Model, step: Step) -> Sut {
        let got = match &step {
            Step::Label => outcome(
                sut.dev
                    .start(AccessMode::Write, Some("VOL-1"), Some("20240101")),
                |()| Expect::Ok,
            ),
            Step::Append => outcome(sut.dev.start(AccessMode::Append, None, None), |()| {
                Expect::Ok
            }),
            Step::StartFile => {
                sut.part += 1;
                outcome(
                    sut.dev.start_file(&split_header("h", "/d", sut.part)),
                    Expect::File,
                )
            }
            Step::Write { len, fill } => {
                let data: Vec<u8> = (0..*len).map(|i| fill.wrapping_add(i as u8)).collect();
                outcome(sut.dev.write_block(&data), Expect::Write)
            }
            Step::FinishFile => outcome(sut.dev.finish_file(), |()| Expect::Ok),
            Step::Finish => outcome(sut.dev.finish(), |()| Expect::Ok),
            Step::ReadBack => {
                read_back(&mut sut, m);
                Expect::Ok
            }
        };
        assert_eq!(got, m.expect, "result of {step:?}");
        let st = sut.dev.state();
        assert_eq!(
            sut.dev.volume_bytes(),
            m.volume_bytes,
            "volume_bytes after {step:?}"
        );
        assert_eq!(st.is_eom, m.is_eom, "is_eom after {step:?}");
        assert_eq!(st.in_file, m.in_file, "in_file after {step:?}");
        assert_eq!(st.access_mode, m.mode, "mode after {step:?}");
        if m.in_file {
            assert_eq!(st.block, m.block, "block after {step:?}");
        }
        // Every file on disk, with its size.
        let mut on_disk: Vec<(u32, u64)> = reelcheck_tape::vfs::layout::list_files(sut.dev.dir())
            .expect("list")
            .into_iter()
            .filter(|e| e.fileno > 0)
            .map(|e| (e.fileno, e.size))
            .collect();
        on_disk.sort_unstable();
        let model: Vec<(u32, u64)> = m.files.iter().map(|f| (f.fileno, f.size)).collect();
        assert_eq!(on_disk, model, "files after {step:?}");
        sut
    }
}

prop_state_machine! {
    #![proptest_config(Config {
        cases: cases(1000),
        failure_persistence: None,
        ..Config::default()
    })]

    #[test]
    fn prop_vfs_matches_the_space_rules_model(sequential 1..60 => VfsTest);
}
