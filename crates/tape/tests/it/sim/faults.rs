//! Injected faults: each kind's effect (fixed tests), the plan format, and a property test
//! that every fault of a random plan fires exactly once, where it is placed, and nowhere else.

use proptest::prelude::*;
use reelcheck_tape::device::{
    AccessMode, Device, DeviceError, ReadResult, SeekResult, StatusFlags, WriteResult,
};
use reelcheck_tape::sim::{SimConfig, SimDrive, TapeFault, Volume, VolumeSpec};

use super::TS;

const BS: usize = 64;

/// Cases for a property test: `PROPTEST_CASES` when set, else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn small_config() -> SimConfig {
    SimConfig {
        block_size: BS,
        min_block_size: 1,
        ..SimConfig::default()
    }
}

fn drive(faults: Vec<TapeFault>) -> SimDrive {
    let mut d = SimDrive::new("tape0", small_config(), faults);
    d.load(Volume::blank(
        "VOL-1",
        VolumeSpec::with_early_warning(1 << 20, 0),
    ))
    .expect("load");
    d
}

fn block(file: u32, b: u64) -> Vec<u8> {
    (0..BS)
        .map(|i| (file as usize * 31 + b as usize * 7 + i) as u8)
        .collect()
}

fn write_file(d: &mut SimDrive, file: u32, blocks: u64) -> Vec<WriteResult> {
    assert_eq!(d.start_file(b"h").ok(), Some(file));
    (0..blocks)
        .map(|b| d.write_block(&block(file, b)).expect("no misuse"))
        .collect()
}

#[test]
fn it_fails_a_write_with_a_media_error_as_end_of_tape() {
    // Amanda maps EIO to "assuming end of tape": WRITE_FAILED, is_eom, VOLUME_ERROR.
    let fault = TapeFault::WriteError {
        volume: None,
        file: 1,
        block: 0,
    };
    let mut d = drive(vec![fault.clone()]);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    assert_eq!(write_file(&mut d, 1, 1), [WriteResult::Failed]);
    assert!(d.state().is_eom);
    assert_eq!(d.state().status, StatusFlags::VOLUME_ERROR);
    assert!(matches!(
        d.last_error(),
        Some(DeviceError::WriteError {
            file: 1,
            block: 0,
            ..
        })
    ));
    assert_eq!(d.faults().fired(), [fault]);
    assert!(d.faults().pending().is_empty());
    let trace: Vec<String> = d.take_events().iter().map(ToString::to_string).collect();
    assert!(trace.contains(&"tape0 fault write-error file=1 blk=0".to_string()));
}

#[test]
fn it_puts_the_device_in_error_after_a_short_write() {
    // "Short write on tape device" is RESULT_ERROR -> DEVICE_ERROR; device_in_error then
    // makes every later write fail without touching the tape.
    let mut d = drive(vec![TapeFault::ShortWrite {
        volume: None,
        file: 1,
        block: 1,
        written: 10,
    }]);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    assert_eq!(
        write_file(&mut d, 1, 3),
        [
            WriteResult::Success,
            WriteResult::Failed,
            WriteResult::Failed
        ]
    );
    assert!(d.state().status.in_error());
    assert!(!d.state().is_eom);
    let data_blocks = d.volume().and_then(|v| v.file(1)).map(|f| f.data_blocks());
    assert_eq!(data_blocks, Some(2), "the 10 accepted bytes are on tape");
}

#[test]
fn a_short_write_never_puts_bytes_past_the_capacity() {
    // mhvtl accepts no byte past its capacity: a short write at the end of the medium
    // takes at most the room left (before, 60 bytes landed on a volume with 10 left).
    let fault = TapeFault::ShortWrite {
        volume: None,
        file: 1,
        block: 1,
        written: 60,
    };
    let mut d = SimDrive::new("tape0", small_config(), vec![fault]);
    let label_and_header = {
        let mut probe = drive(vec![]);
        probe
            .start(AccessMode::Write, Some("V"), Some(TS))
            .expect("start");
        probe.start_file(b"h").expect("header");
        probe.volume().expect("volume").used()
    };
    let capacity = label_and_header + BS as u64 + 10;
    d.load(Volume::blank(
        "VOL-1",
        VolumeSpec::with_early_warning(capacity, 0),
    ))
    .expect("load");
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    assert_eq!(
        write_file(&mut d, 1, 2),
        [WriteResult::Success, WriteResult::Failed]
    );
    let used = d.volume().expect("volume").used();
    assert_eq!(
        used, capacity,
        "the short write took the 10 bytes left, no more"
    );
}

#[test]
fn a_seek_after_the_cartridge_left_the_drive_fails() {
    // tape-device.c seeks blocks with MTFSR, which fails with no cartridge: the seek
    // must not report success (before, seek_block after an eject fault returned Ok).
    let eject = TapeFault::Ejected {
        volume: None,
        file: 1,
        block: 0,
    };
    let mut d = drive(vec![]);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    write_file(&mut d, 1, 1);
    d.finish().expect("finish");
    let volume = d.take_volume().expect("volume");
    let mut d = SimDrive::new("tape0", small_config(), vec![eject]);
    d.load(volume).expect("load");
    d.start(AccessMode::Read, None, None).expect("start read");
    d.seek_file(1).expect("seek_file");
    let mut buf = vec![0; BS];
    assert!(
        d.read_block(&mut buf).is_err(),
        "the cartridge leaves on this read"
    );
    assert!(matches!(
        d.seek_block(0),
        Err(DeviceError::VolumeMissing { .. })
    ));
}

#[test]
fn it_fails_every_operation_once_the_drive_is_offline() {
    let mut d = drive(vec![TapeFault::Offline {
        volume: None,
        file: 1,
        block: 0,
    }]);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    assert_eq!(write_file(&mut d, 1, 1), [WriteResult::Failed]);
    assert!(d.is_offline());
    assert!(d.finish().is_err(), "no filemark on an offline drive");
    assert!(matches!(d.eject(), Err(DeviceError::Offline { .. })));
    assert!(
        d.read_label()
            .expect("no misuse")
            .contains(StatusFlags::DEVICE_ERROR)
    );
}

#[test]
fn it_reads_back_errors_corruption_and_unreadable_labels_where_placed() {
    let faults = vec![
        TapeFault::LabelUnreadable { volume: None },
        TapeFault::ReadError {
            volume: None,
            file: 1,
            block: 1,
        },
        TapeFault::CorruptRead {
            volume: Some("VOL-1".into()),
            file: 1,
            block: 2,
            offset: 5,
            mask: 0,
        },
    ];
    let mut d = drive(faults);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    write_file(&mut d, 1, 3);
    d.finish().expect("finish");
    assert_eq!(
        d.read_label().expect("no misuse"),
        StatusFlags::VOLUME_UNLABELED,
        "injected"
    );
    assert_eq!(
        d.read_label().expect("no misuse"),
        StatusFlags::SUCCESS,
        "the fault is spent"
    );
    d.start(AccessMode::Read, None, None).expect("start read");
    d.seek_file(1).expect("seek");
    let mut buf = vec![0; BS];
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
    let err = d.read_block(&mut buf).expect_err("media error");
    assert!(
        matches!(
            err,
            DeviceError::ReadError {
                file: 1,
                block: 1,
                ..
            }
        ),
        "{err}"
    );
    assert!(
        d.state()
            .status
            .contains(StatusFlags::VOLUME_ERROR | StatusFlags::DEVICE_ERROR)
    );
    assert_eq!(d.state().block, 1, "a failed read does not move");
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
    assert_eq!(buf, block(1, 1));
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
    let mut expected = block(1, 2);
    expected[5] ^= 0xff;
    assert_eq!(buf, expected, "silently corrupted");
}

#[test]
fn it_moves_the_early_warning_and_the_end_of_medium_where_placed() {
    // LEOM on: an injected early warning at block 2 is an ENOSPC taken as LEOM and retried.
    // An injected end of medium at block 4 leaves room for blocks 0..=3 only.
    let faults = vec![
        TapeFault::EarlyWarning {
            volume: None,
            file: 1,
            block: 2,
        },
        TapeFault::EndOfMedium {
            volume: None,
            file: 1,
            block: 4,
        },
    ];
    let config = SimConfig {
        leom: true,
        ..small_config()
    };
    let mut d = SimDrive::new("tape0", config, faults);
    d.load(Volume::blank(
        "VOL-1",
        VolumeSpec::with_early_warning(1 << 20, 0),
    ))
    .expect("load");
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    let mut eom = Vec::new();
    let results: Vec<WriteResult> = {
        assert_eq!(d.start_file(b"h").ok(), Some(1));
        (0..6)
            .map(|b| {
                let r = d.write_block(&block(1, b)).expect("no misuse");
                eom.push(d.state().is_eom);
                r
            })
            .collect()
    };
    assert_eq!(
        results,
        [
            WriteResult::Success,
            WriteResult::Success,
            WriteResult::Success,
            WriteResult::Success,
            WriteResult::Failed,
            WriteResult::Failed,
        ]
    );
    assert_eq!(eom, [false, false, true, true, true, true]);
}

#[test]
fn it_reads_fault_plans_as_tagged_data() {
    let json = r#"[{"kind":"write-error","file":1,"block":0},
                   {"kind":"label-unreadable","volume":"VOL-2"},
                   {"kind":"short-write","file":2,"block":5,"written":100}]"#;
    let faults: Vec<TapeFault> = serde_json::from_str(json).expect("parse");
    assert_eq!(
        faults,
        [
            TapeFault::WriteError {
                volume: None,
                file: 1,
                block: 0
            },
            TapeFault::LabelUnreadable {
                volume: Some("VOL-2".into())
            },
            TapeFault::ShortWrite {
                volume: None,
                file: 2,
                block: 5,
                written: 100
            },
        ]
    );
    let text: Vec<String> = faults.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "write-error file=1 blk=0",
            "label-unreadable volume=VOL-2",
            "short-write file=2 blk=5 written=100",
        ]
    );
    let back: Vec<TapeFault> =
        serde_json::from_str(&serde_json::to_string(&faults).expect("json")).expect("parse");
    assert_eq!(back, faults);
    assert!(serde_json::from_str::<TapeFault>(r#"{"kind":"write-error","file":1}"#).is_err());
}

/// Whether a drive access reaches a fault's place.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Access {
    Write,
    Read,
}

/// The fault the reference rules say fires on `access` at `(file, block)`: the first pending
/// one placed there whose kind fires on that access.
fn expected_fault(
    pending: &mut Vec<TapeFault>,
    access: Access,
    file: u32,
    block: u64,
) -> Option<TapeFault> {
    let i = pending.iter().position(|f| {
        let kind_ok = match f {
            TapeFault::WriteError { .. }
            | TapeFault::ShortWrite { .. }
            | TapeFault::EarlyWarning { .. }
            | TapeFault::EndOfMedium { .. } => access == Access::Write,
            TapeFault::ReadError { .. } | TapeFault::CorruptRead { .. } => access == Access::Read,
            TapeFault::Offline { .. } | TapeFault::Ejected { .. } => true,
            TapeFault::LabelUnreadable { .. } => false,
        };
        kind_ok && f.place() == Some((file, block)) && f.volume().is_none_or(|v| v == "VOL-1")
    })?;
    Some(pending.remove(i))
}

fn fault_strategy() -> impl Strategy<Value = TapeFault> {
    let vol = prop_oneof![3 => Just(None), 1 => Just(Some("VOL-1".to_string())), 1 => Just(Some("VOL-9".to_string()))];
    (vol, 0u8..9, 1u32..4, 0u64..5, 1usize..BS, any::<u8>()).prop_map(
        |(volume, kind, file, block, n, mask)| match kind {
            0 => TapeFault::WriteError {
                volume,
                file,
                block,
            },
            1 => TapeFault::ReadError {
                volume,
                file,
                block,
            },
            2 => TapeFault::ShortWrite {
                volume,
                file,
                block,
                written: n,
            },
            3 => TapeFault::Offline {
                volume,
                file,
                block,
            },
            4 => TapeFault::Ejected {
                volume,
                file,
                block,
            },
            5 => TapeFault::LabelUnreadable { volume },
            6 => TapeFault::CorruptRead {
                volume,
                file,
                block,
                offset: n,
                mask,
            },
            7 => TapeFault::EarlyWarning {
                volume,
                file,
                block,
            },
            _ => TapeFault::EndOfMedium {
                volume,
                file,
                block,
            },
        },
    )
}

/// Checks one drive access: exactly the expected fault (or none) fired during it.
struct Tracker {
    pending: Vec<TapeFault>,
    fired: usize,
}

impl Tracker {
    /// The fault that fired during the access, after checking it is the expected one.
    fn check(
        &mut self,
        d: &SimDrive,
        access: Access,
        file: u32,
        block: u64,
    ) -> Result<Option<TapeFault>, TestCaseError> {
        let expected = expected_fault(&mut self.pending, access, file, block);
        let fired = &d.faults().fired()[self.fired..];
        prop_assert_eq!(
            fired,
            expected.as_slice(),
            "{:?} at file {} block {}",
            access,
            file,
            block
        );
        self.fired = d.faults().fired().len();
        Ok(expected)
    }

    fn check_label(&mut self, d: &SimDrive) -> Result<(), TestCaseError> {
        let i = self.pending.iter().position(|f| {
            matches!(f, TapeFault::LabelUnreadable { .. })
                && f.volume().is_none_or(|v| v == "VOL-1")
        });
        let expected: Vec<TapeFault> = i.map(|i| self.pending.remove(i)).into_iter().collect();
        prop_assert_eq!(
            &d.faults().fired()[self.fired..],
            expected.as_slice(),
            "label read"
        );
        self.fired = d.faults().fired().len();
        Ok(())
    }
}

/// Writes 3 files of 4 blocks (continuing after failures while the drive works), then reads
/// everything back, tracking every access. Returns the event trace.
fn run_plan(faults: Vec<TapeFault>) -> Result<Vec<String>, TestCaseError> {
    let mut d = None;
    run_plan_on(faults, &mut d)?;
    let mut d = d.expect("a drive");
    Ok(d.take_events().iter().map(ToString::to_string).collect())
}

fn run_plan_on(faults: Vec<TapeFault>, out: &mut Option<SimDrive>) -> Result<(), TestCaseError> {
    let config = SimConfig {
        leom: true,
        ..small_config()
    };
    let d = out.insert(SimDrive::new("tape0", config, faults.clone()));
    d.load(Volume::blank(
        "VOL-1",
        VolumeSpec::with_early_warning(1 << 20, 0),
    ))
    .expect("load");
    let mut t = Tracker {
        pending: faults,
        fired: 0,
    };
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    let mut written: Vec<Vec<Vec<u8>>> = vec![Vec::new()];
    'files: for file in 1..=3u32 {
        if d.start_file(b"h").is_err() {
            break;
        }
        written.push(Vec::new());
        for b in 0..4u64 {
            let r = d.write_block(&block(file, b)).expect("no misuse");
            let fired = t.check(d, Access::Write, file, b)?;
            if let Some(TapeFault::ShortWrite { written: n, .. }) = fired {
                written[file as usize].push(block(file, b)[..n].to_vec());
            }
            if r != WriteResult::Success {
                if d.is_offline() || d.volume().is_none() || d.state().status.in_error() {
                    break 'files;
                }
                break;
            }
            written[file as usize].push(block(file, b));
        }
        if d.finish_file().is_err() {
            break;
        }
    }
    let _ = d.finish();
    if d.is_offline() || d.volume().is_none() {
        // The session ended with the fault; nothing later could fire.
        prop_assert_eq!(d.faults().pending(), t.pending.as_slice());
        return Ok(());
    }
    if d.state().status.in_error() {
        // A device in error needs a fresh load (Amanda: a new Device object).
        let v = d.take_volume().expect("volume");
        d.load(v).expect("reload");
    }
    // Read back: each label fault fails one start, which is then retried.
    let mut started = false;
    for _ in 0..8 {
        let r = d.start(AccessMode::Read, None, None);
        t.check_label(d)?;
        if r.is_ok() {
            started = true;
            break;
        }
    }
    prop_assert!(started, "start(Read) kept failing");
    let mut buf = vec![0; BS];
    for file in 1..written.len() as u32 {
        match d.seek_file(file) {
            Ok(SeekResult::File { .. }) => {}
            other => prop_assert!(false, "seek_file({}) gave {:?}", file, other),
        }
        // Bounded: 4 blocks plus at most one failed read per fault.
        for _ in 0..12 {
            let b = d.state().block;
            match d.read_block(&mut buf) {
                Ok(ReadResult::Eof) => break,
                Ok(ReadResult::Block(n)) => {
                    let fired = t.check(d, Access::Read, file, b)?;
                    let want = written[file as usize].get(b as usize);
                    prop_assert!(
                        want.is_some(),
                        "file {} block {} was never written",
                        file,
                        b
                    );
                    let want = want.map(Vec::as_slice).unwrap_or_default();
                    if matches!(fired, Some(TapeFault::CorruptRead { .. })) {
                        let diff = buf[..n].iter().zip(want).filter(|(a, b)| a != b).count();
                        prop_assert_eq!(diff, 1, "one corrupted byte");
                    } else {
                        prop_assert_eq!(&buf[..n], want, "file {} block {}", file, b);
                    }
                }
                Err(_) => {
                    t.check(d, Access::Read, file, b)?;
                    if d.is_offline() || d.volume().is_none() {
                        prop_assert_eq!(d.faults().pending(), t.pending.as_slice());
                        return Ok(());
                    }
                }
            }
        }
    }
    // Faults never reached are still pending, and only they.
    prop_assert_eq!(d.faults().pending(), t.pending.as_slice());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(1000),
        ..ProptestConfig::default()
    })]

    #[test]
    fn prop_every_fault_fires_exactly_where_placed(
        faults in prop::collection::vec(fault_strategy(), 0..6)
    ) {
        run_plan(faults)?;
    }

    #[test]
    fn prop_the_same_plan_gives_the_same_trace(
        faults in prop::collection::vec(fault_strategy(), 0..6)
    ) {
        let first = run_plan(faults.clone())?;
        prop_assert_eq!(first, run_plan(faults)?);
    }
}
