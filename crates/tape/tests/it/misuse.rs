//! The misuse rule on both devices: a broken precondition returns the typed `Misuse`
//! error and changes nothing, neither state, status nor last error.

use std::num::NonZeroU32;

use rstest::rstest;

use reelcheck_tape::device::{AccessMode, DEFAULT_BLOCK_SIZE, Device, DeviceError, Property};
use reelcheck_tape::header::{DumpHeader, HEADER_SIZE, Header};
use reelcheck_tape::sim::{SimConfig, SimDrive, Volume, VolumeSpec};
use reelcheck_tape::vfs::VfsDevice;

const BS: usize = DEFAULT_BLOCK_SIZE;
const TS: &str = "20240101000000";

/// The device under test.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Sim,
    Vfs,
}

/// Where the device is when the misuse happens.
#[derive(Debug, Clone, Copy)]
enum Phase {
    /// Not started, after a failed `read_label` (so status and last error are set).
    Null,
    /// Started in WRITE mode, no file open.
    Writing,
    /// A file open for writing.
    InFile,
    /// A file open whose last block was short.
    AfterShort,
    /// Started in READ mode, positioned in file 1.
    Reading,
}

/// A device with its temporary directory (vfs) kept alive.
struct Dut {
    dev: Box<dyn Device>,
    _dir: Option<tempfile::TempDir>,
}

fn header() -> Vec<u8> {
    let h = DumpHeader::split(
        TS,
        "host",
        "/disk",
        0,
        "/bin/tar",
        NonZeroU32::new(1).expect("part 1"),
        None,
    );
    Header::Dump(Box::new(h))
        .to_text()
        .expect("valid")
        .into_bytes()
}

fn device(kind: Kind) -> Dut {
    match kind {
        Kind::Sim => {
            let mut d = SimDrive::new("tape0", SimConfig::default(), vec![]);
            d.load(Volume::blank("VOL-1", VolumeSpec::new(1 << 30)))
                .expect("load a blank volume");
            Dut {
                dev: Box::new(d),
                _dir: None,
            }
        }
        Kind::Vfs => {
            let dir = tempfile::tempdir().expect("temp dir");
            let d = VfsDevice::new("vtape0", dir.path(), vec![]);
            Dut {
                dev: Box::new(d),
                _dir: Some(dir),
            }
        }
    }
}

/// Brings a fresh device to `phase`; the blank volume's `read_label` leaves a last error.
fn enter(d: &mut dyn Device, phase: Phase) {
    let status = d.read_label().expect("not started");
    assert!(!status.is_success(), "a blank volume has no label");
    assert!(d.last_error().is_some());
    let write = |d: &mut dyn Device| {
        d.start(AccessMode::Write, Some("VOL-1"), Some(TS))
            .expect("start write");
    };
    match phase {
        Phase::Null => {}
        Phase::Writing => write(d),
        Phase::InFile => {
            write(d);
            d.start_file(&header()).expect("start_file");
        }
        Phase::AfterShort => {
            write(d);
            d.start_file(&header()).expect("start_file");
            d.write_block(&[7; 100]).expect("short block");
        }
        Phase::Reading => {
            write(d);
            d.start_file(&header()).expect("start_file");
            d.write_block(&[7; BS]).expect("a block");
            d.finish().expect("finish");
            d.start(AccessMode::Read, None, None).expect("start read");
            d.seek_file(1).expect("file 1");
        }
    }
}

/// One call that breaks a precondition in its phase.
#[derive(Debug, Clone, Copy)]
enum Call {
    ReadLabel,
    StartNull,
    StartAgain,
    StartWithoutLabel,
    StartWithoutTimestamp,
    StartFile,
    HugeHeader,
    WriteBlock,
    EmptyBlock,
    HugeBlock,
    FinishFile,
    SeekFile(u32),
    SeekBlock,
    ReadBlock,
    SmallBuffer,
    Eject,
    BlockSize,
}

impl Call {
    fn run(self, d: &mut dyn Device) -> Result<(), DeviceError> {
        let mut buf = vec![0; BS];
        match self {
            Call::ReadLabel => d.read_label().map(drop),
            Call::StartNull => d.start(AccessMode::Null, None, None),
            Call::StartAgain => d.start(AccessMode::Write, Some("X"), Some(TS)),
            Call::StartWithoutLabel => d.start(AccessMode::Write, None, Some(TS)),
            Call::StartWithoutTimestamp => d.start(AccessMode::Write, Some("X"), None),
            Call::StartFile => d.start_file(&header()).map(drop),
            Call::HugeHeader => d.start_file(&vec![b'A'; HEADER_SIZE + 1]).map(drop),
            Call::WriteBlock => d.write_block(&[1; BS]).map(drop),
            Call::EmptyBlock => d.write_block(&[]).map(drop),
            Call::HugeBlock => d.write_block(&vec![1; BS + 1]).map(drop),
            Call::FinishFile => d.finish_file(),
            Call::SeekFile(n) => d.seek_file(n).map(drop),
            Call::SeekBlock => d.seek_block(0),
            Call::ReadBlock => d.read_block(&mut buf).map(drop),
            Call::SmallBuffer => d.read_block(&mut buf[..10]).map(drop),
            Call::Eject => d.eject(),
            Call::BlockSize => d.set_property(Property::BlockSize(BS)),
        }
    }
}

#[rstest]
#[case::read_label_when_started(Phase::Writing, Call::ReadLabel)]
#[case::start_in_null_mode(Phase::Null, Call::StartNull)]
#[case::start_twice(Phase::Writing, Call::StartAgain)]
#[case::start_write_without_label(Phase::Null, Call::StartWithoutLabel)]
#[case::start_write_without_timestamp(Phase::Null, Call::StartWithoutTimestamp)]
#[case::start_file_not_started(Phase::Null, Call::StartFile)]
#[case::start_file_in_a_file(Phase::InFile, Call::StartFile)]
#[case::start_file_header_too_large(Phase::Writing, Call::HugeHeader)]
#[case::write_block_not_started(Phase::Null, Call::WriteBlock)]
#[case::write_block_outside_a_file(Phase::Writing, Call::WriteBlock)]
#[case::write_block_empty(Phase::InFile, Call::EmptyBlock)]
#[case::write_block_too_large(Phase::InFile, Call::HugeBlock)]
#[case::write_block_after_a_short_block(Phase::AfterShort, Call::WriteBlock)]
#[case::finish_file_outside_a_file(Phase::Writing, Call::FinishFile)]
#[case::finish_file_in_read_mode(Phase::Reading, Call::FinishFile)]
#[case::seek_file_not_started(Phase::Null, Call::SeekFile(0))]
#[case::seek_file_beyond_0_when_writing(Phase::Writing, Call::SeekFile(1))]
#[case::seek_block_when_writing(Phase::InFile, Call::SeekBlock)]
#[case::read_block_when_writing(Phase::InFile, Call::ReadBlock)]
#[case::read_block_buffer_too_small(Phase::Reading, Call::SmallBuffer)]
#[case::eject_when_started(Phase::Writing, Call::Eject)]
#[case::block_size_when_started(Phase::Writing, Call::BlockSize)]
fn misuse_returns_misuse_and_changes_nothing(
    #[case] phase: Phase,
    #[case] call: Call,
    #[values(Kind::Sim, Kind::Vfs)] kind: Kind,
) {
    let mut dut = device(kind);
    let d = dut.dev.as_mut();
    enter(d, phase);
    let state = d.state().clone();
    let last_error = d.last_error().map(ToString::to_string);
    match call.run(d) {
        Err(DeviceError::Misuse(_)) => {}
        other => panic!("{kind:?} {call:?} in {phase:?}: expected misuse, got {other:?}"),
    }
    assert_eq!(
        d.state(),
        &state,
        "{kind:?} {call:?}: state or status changed"
    );
    assert_eq!(
        d.last_error().map(ToString::to_string),
        last_error,
        "{kind:?} {call:?}: last error changed"
    );
}
