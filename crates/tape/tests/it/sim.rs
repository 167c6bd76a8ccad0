//! Simulated drive tests: fixed cases from the reference (amanda.md §5, testbed.md mhvtl),
//! the library, and (in `sim/`) the faults as a property test; the drive against a
//! reference model is in the harness (`oracle::tape`, `reelcheck fuzz tape`).
//!
//! Expected numbers are worked out by hand from the reference rules in each test's comment.

mod faults; // each TapeFault where it fires, and what the drive reports
mod library; // the simulated library: slots, the changer, its trace

use reelcheck_tape::device::{
    AccessMode, DEFAULT_BLOCK_SIZE, Device, DeviceError, Misuse, Properties, Property, ReadResult,
    SeekResult, StatusFlags, UseData, WriteResult,
};
use reelcheck_tape::sim::{
    EarlyWarningStyle, SimConfig, SimDrive, TapeFault, Volume, VolumeSpec, build_tapestart,
};

const BS: usize = DEFAULT_BLOCK_SIZE;
const TS: &str = "20240101000000";

/// A drive named `tape0` with its faults, holding a blank volume `VOL-1`.
fn drive_with(config: SimConfig, spec: VolumeSpec, faults: Vec<TapeFault>) -> SimDrive {
    let mut d = SimDrive::new("tape0", config, faults);
    d.load(Volume::blank("VOL-1", spec))
        .expect("load a blank volume");
    d
}

/// A volume of `blocks` blocks of 32 KiB whose last `ew` blocks are the early-warning zone.
fn spec_blocks(blocks: u64, ew: u64) -> VolumeSpec {
    VolumeSpec::with_early_warning(blocks * BS as u64, ew * BS as u64)
}

/// Writes full blocks (filled with the block number) until one is not `Success`;
/// returns each result with the `is_eom` flag after it.
fn write_until_failure(d: &mut SimDrive, max: u64) -> Vec<(WriteResult, bool)> {
    let mut out = Vec::new();
    for b in 0..max {
        let r = d.write_block(&[b as u8; BS]).expect("no misuse");
        out.push((r, d.state().is_eom));
        if r != WriteResult::Success {
            break;
        }
    }
    out
}

fn events(d: &mut SimDrive) -> Vec<String> {
    d.take_events().iter().map(ToString::to_string).collect()
}

fn start_write_file(d: &mut SimDrive) {
    d.start(AccessMode::Write, Some("VOL-1"), Some(TS))
        .expect("start write");
    assert_eq!(d.start_file(b"AMANDA: FILE x\n").expect("start_file"), 1);
}

#[test]
fn it_writes_the_tapestart_label_byte_exact_and_reads_it_back() {
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    assert_eq!(
        d.read_label().expect("no misuse"),
        StatusFlags::VOLUME_UNLABELED,
        "blank volume"
    );
    d.start(AccessMode::Write, Some("TESTCONF-001"), Some(TS))
        .expect("start write");
    d.finish().expect("finish");
    // §6, verified on Debian: TAPESTART line, form feed, NUL padding to the block.
    let mut expected = b"AMANDA: TAPESTART DATE 20240101000000 TAPE TESTCONF-001\n\x0c\n".to_vec();
    expected.resize(BS, 0);
    let label_block = d.volume().and_then(|v| v.file(0)).and_then(|f| f.header());
    assert_eq!(label_block, Some(&expected[..]));
    assert_eq!(build_tapestart("TESTCONF-001", TS, BS), Some(expected));
    assert_eq!(d.read_label().expect("no misuse"), StatusFlags::SUCCESS);
    assert_eq!(d.state().volume_label.as_deref(), Some("TESTCONF-001"));
    assert_eq!(d.state().volume_time.as_deref(), Some(TS));
}

#[test]
fn it_pads_a_short_last_block_with_zeros() {
    // §5.6: short blocks are zero-padded to block_size ("tape devices only write whole blocks").
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    start_write_file(&mut d);
    assert_eq!(d.write_block(&[7; BS]).ok(), Some(WriteResult::Success));
    assert_eq!(d.write_block(&[9; 100]).ok(), Some(WriteResult::Success));
    assert!(d.state().wrote_short_block);
    d.finish_file().expect("finish_file");
    d.finish().expect("finish");

    d.start(AccessMode::Read, None, None).expect("start read");
    let header = d.seek_file(1).expect("seek 1");
    let SeekResult::File { file: 1, header } = header else {
        panic!("expected file 1, got {header:?}");
    };
    assert_eq!(header.len(), BS, "the header takes one whole block");
    assert!(header.starts_with(b"AMANDA: FILE x\n\0"));
    let mut buf = vec![0xAA; BS];
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
    assert_eq!(buf, vec![7; BS]);
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
    assert_eq!(&buf[..100], &[9; 100][..]);
    assert!(buf[100..].iter().all(|&b| b == 0), "padding is zeros");
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Eof));
    assert!(d.state().is_eof && !d.state().in_file);
    // "It is never an error to call read_block after an EOF".
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Eof));
}

#[test]
fn it_rejects_misuse_and_leaves_the_state_unchanged() {
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    let mut buf = vec![0; BS];
    let misuse = |r: Result<(), DeviceError>| match r {
        Err(DeviceError::Misuse(m)) => m,
        other => panic!("expected misuse, got {other:?}"),
    };

    // Before start: no writing, reading, finishing a file, or seeking.
    let before = d.state().clone();
    assert!(matches!(
        misuse(d.write_block(&[0; BS]).map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert!(matches!(
        misuse(d.start_file(b"h").map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert!(matches!(misuse(d.finish_file()), Misuse::WrongMode { .. }));
    assert!(matches!(
        misuse(d.read_block(&mut buf).map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert!(matches!(
        misuse(d.seek_file(1).map(drop)),
        Misuse::WrongMode { .. }
    ));
    // §5.2: mode != ACCESS_NULL; WRITE needs a label (and here a timestamp: no clocks).
    assert_eq!(
        misuse(d.start(AccessMode::Null, None, None)),
        Misuse::StartNull
    );
    assert_eq!(
        misuse(d.start(AccessMode::Write, None, Some(TS))),
        Misuse::MissingLabel
    );
    assert_eq!(
        misuse(d.start(AccessMode::Write, Some("V"), None)),
        Misuse::MissingTimestamp
    );
    assert_eq!(d.state(), &before);

    d.start(AccessMode::Write, Some("VOL-1"), Some(TS))
        .expect("start");
    let started = d.state().clone();
    // Write outside a file, finish_file outside a file (Amanda aborts), seek_file(1) in write mode.
    assert!(matches!(
        misuse(d.write_block(&[0; BS]).map(drop)),
        Misuse::NotInFile { .. }
    ));
    assert!(matches!(misuse(d.finish_file()), Misuse::NotInFile { .. }));
    assert!(matches!(
        misuse(d.seek_file(1).map(drop)),
        Misuse::SeekOutsideRead { file: 1, .. }
    ));
    assert!(matches!(
        misuse(d.start(AccessMode::Write, Some("X"), Some(TS))),
        Misuse::AlreadyStarted { .. }
    ));
    assert!(matches!(
        misuse(d.read_label().map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert!(matches!(misuse(d.eject()), Misuse::WrongMode { .. }));
    assert_eq!(d.state(), &started);

    d.start_file(b"hdr").expect("start_file");
    let in_file = d.state().clone();
    // start_file inside a file; empty block; block larger than the block size; read in write mode.
    assert!(matches!(
        misuse(d.start_file(b"hdr").map(drop)),
        Misuse::InFile { file: 1, .. }
    ));
    assert!(matches!(
        misuse(d.write_block(&[]).map(drop)),
        Misuse::EmptyBlock { .. }
    ));
    assert!(matches!(
        misuse(d.write_block(&vec![0; BS + 1]).map(drop)),
        Misuse::BlockTooLarge { size, block_size: BS, .. } if size == BS + 1
    ));
    assert!(matches!(
        misuse(d.read_block(&mut buf).map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert_eq!(d.state(), &in_file);

    // Only the last block of a file may be short.
    assert_eq!(d.write_block(&[1; 10]).ok(), Some(WriteResult::Success));
    let after_short = d.state().clone();
    assert!(matches!(
        misuse(d.write_block(&[1; BS]).map(drop)),
        Misuse::AfterShortBlock { file: 1, block: 1 }
    ));
    assert_eq!(d.state(), &after_short);
    // A header larger than the header block.
    d.finish_file().expect("finish_file");
    assert!(matches!(
        misuse(d.start_file(&vec![b'x'; BS + 1]).map(drop)),
        Misuse::HeaderTooLarge { .. }
    ));
    // A header that fills the header block exactly fits.
    assert!(
        d.start_file(&vec![b'x'; BS]).is_ok(),
        "a header of exactly one block"
    );
    d.finish_file().expect("finish_file");
    d.finish().expect("finish");

    // READ mode: seek_block needs a file; a too small buffer is refused with the size needed.
    d.start(AccessMode::Read, None, None).expect("start read");
    assert!(matches!(misuse(d.seek_block(0)), Misuse::NotInFile { .. }));
    d.seek_file(1).expect("seek");
    let positioned = d.state().clone();
    let mut small = vec![0; 10];
    assert_eq!(
        misuse(d.read_block(&mut small).map(drop)),
        Misuse::BufferTooSmall {
            len: 10,
            needed: BS
        }
    );
    assert!(matches!(
        misuse(d.write_block(&[0; BS]).map(drop)),
        Misuse::WrongMode { .. }
    ));
    assert_eq!(d.state(), &positioned);
}

#[test]
fn it_flags_leom_on_the_write_after_the_one_entering_the_early_warning_zone_linux() {
    // Volume: 20 blocks, early-warning zone = last 4 blocks (zone starts after block 16).
    // Label = block 1, header = block 2, data block k ends at 3 + k blocks.
    // Block k = 14 ends at 17 > 16: written, st arms ENOSPC for the next write.
    // k = 15: ENOSPC -> Amanda (LEOM on) sets is_eom and retries -> written (and re-armed).
    // k = 16, 17: the same (ENOSPC, retry succeeds). k = 18 would end at 21 > 20: ENOSPC,
    // retry ENOSPC again -> "No space left on device", WRITE_FAILED, nothing written.
    let mut d = drive_with(SimConfig::with_leom(), spec_blocks(20, 4), vec![]);
    start_write_file(&mut d);
    let results = write_until_failure(&mut d, 100);
    let mut expected = vec![(WriteResult::Success, false); 15];
    expected.extend([(WriteResult::Success, true); 3]);
    expected.push((WriteResult::Failed, true));
    assert_eq!(results, expected);
    assert_eq!(d.state().block, 18, "18 data blocks written");
    assert!(d.state().status.contains(StatusFlags::VOLUME_ERROR));
    assert!(matches!(d.last_error(), Some(DeviceError::NoSpace { .. })));
    let trace = events(&mut d);
    assert!(trace.contains(&"tape0 write file=1 blk=14 len=32768 -> OK".to_string()));
    assert!(trace.contains(&"tape0 write file=1 blk=15 len=32768 -> LEOM".to_string()));
    assert!(trace.contains(&"tape0 write file=1 blk=18 len=32768 -> FAILED LEOM".to_string()));
    d.finish().expect("finish");
    assert_eq!(
        d.volume().and_then(|v| v.file(1)).map(|f| f.data_blocks()),
        Some(18),
        "the failed write left nothing on tape"
    );
}

#[test]
fn it_fails_at_the_early_warning_when_leom_is_off() {
    // Same volume with LEOM off (Amanda's tape default): the first ENOSPC (k = 15) is
    // "No space left on device": WRITE_FAILED with is_eom, block 15 not written.
    let mut d = drive_with(SimConfig::default(), spec_blocks(20, 4), vec![]);
    start_write_file(&mut d);
    let results = write_until_failure(&mut d, 100);
    let mut expected = vec![(WriteResult::Success, false); 15];
    expected.push((WriteResult::Failed, true));
    assert_eq!(results, expected);
    assert_eq!(d.state().block, 15);
}

#[test]
fn it_flags_leom_on_the_first_write_into_the_zone_bsd() {
    // BSD/Solaris: the first write into the zone (k = 14) returns 0 bytes: LEOM, retried and
    // written; k = 15..=17 written; k = 18 does not fit: ENOSPC twice -> FAILED.
    let config = SimConfig {
        early_warning: EarlyWarningStyle::Bsd,
        ..SimConfig::with_leom()
    };
    let mut d = drive_with(config, spec_blocks(20, 4), vec![]);
    start_write_file(&mut d);
    let results = write_until_failure(&mut d, 100);
    let mut expected = vec![(WriteResult::Success, false); 14];
    expected.extend([(WriteResult::Success, true); 4]);
    expected.push((WriteResult::Failed, true));
    assert_eq!(results, expected);
}

#[test]
fn it_reports_leom_in_a_file_header_and_fails_a_header_past_the_end() {
    // 4-block volume, zone = last 2 blocks (starts after block 2). LEOM on, Linux.
    // Label ends at 1; file 1 header ends at 2; block 0 ends at 3 > 2: written, armed.
    // finish_file; file 2 header: ENOSPC -> LEOM retry -> written (ends at 4), armed:
    // start_file succeeds with is_eom ("LEOM hits in file 2 header").
    // finish_file; file 3 header: ENOSPC, retry ENOSPC (5 > 4) -> start_file fails, is_eom,
    // DEVICE_ERROR: the device is then in error and refuses further files.
    let mut d = drive_with(SimConfig::with_leom(), spec_blocks(4, 2), vec![]);
    start_write_file(&mut d);
    assert_eq!(d.write_block(&[1; BS]).ok(), Some(WriteResult::Success));
    assert!(!d.state().is_eom);
    d.finish_file().expect("finish_file");
    assert_eq!(d.start_file(b"h2").ok(), Some(2));
    assert!(d.state().is_eom);
    d.finish_file().expect("finish_file");
    let err = d.start_file(b"h3").expect_err("no room for a header");
    assert!(matches!(err, DeviceError::NoSpace { .. }), "{err}");
    assert!(d.state().is_eom && !d.state().in_file);
    assert!(d.state().status.in_error());
    assert!(matches!(
        d.start_file(b"h3"),
        Err(DeviceError::InError { .. })
    ));
    assert_eq!(
        events(&mut d)
            .iter()
            .filter(|l| l.contains("start_file"))
            .cloned()
            .collect::<Vec<_>>(),
        [
            "tape0 start_file file=1",
            "tape0 start_file file=2 -> LEOM",
            "tape0 start_file error: tape0: No space left on device: writing the header of file 3",
            "tape0 start_file error: tape0: device in error, refusing start_file",
        ]
    );
}

#[test]
fn it_holds_more_blocks_with_compression_on() {
    // 10 blocks of medium, no early-warning zone. Without compression: label + header + 8.
    // With COMPRESSION on at 200 %, a block takes half a block: 20 half-blocks, i.e.
    // label + header + 18 data blocks.
    for (compress, data_blocks) in [(false, 8), (true, 18)] {
        let config = SimConfig {
            compression_percent: 200,
            ..SimConfig::default()
        };
        let mut d = drive_with(config, spec_blocks(10, 0), vec![]);
        d.set_property(Property::Compression(compress))
            .expect("set compression");
        start_write_file(&mut d);
        let results = write_until_failure(&mut d, 100);
        assert_eq!(results.len(), data_blocks + 1, "compression {compress}");
        assert_eq!(d.state().block, data_blocks as u64);
    }
}

#[test]
fn it_seeks_to_files_and_reports_tapeend_one_past_the_last() {
    // §5.3: seek_file(last + 1) returns F_TAPEEND with file == last + 1; beyond is an error.
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    d.start(AccessMode::Write, Some("VOL-1"), Some(TS))
        .expect("start");
    for f in 1..=2u8 {
        d.start_file(&[b'H', f]).expect("start_file");
        d.write_block(&[f; BS]).expect("write");
        d.finish_file().expect("finish_file");
    }
    d.finish().expect("finish");
    d.start(AccessMode::Read, None, None).expect("start read");
    let mut buf = vec![0; BS];
    for f in [2u8, 1] {
        match d.seek_file(u32::from(f)).expect("seek") {
            SeekResult::File { file, header } => {
                assert_eq!(file, u32::from(f));
                assert_eq!(&header[..2], &[b'H', f]);
            }
            other => panic!("expected a file, got {other:?}"),
        }
        assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Block(BS)));
        assert_eq!(buf, vec![f; BS]);
    }
    d.seek_file(1).expect("seek");
    d.seek_block(1).expect("seek_block");
    assert_eq!(d.read_block(&mut buf).ok(), Some(ReadResult::Eof));
    assert_eq!(d.seek_file(3).ok(), Some(SeekResult::TapeEnd { file: 3 }));
    assert_eq!(d.state().file, 3);
    assert!(matches!(
        d.seek_file(4),
        Err(DeviceError::NoSuchFile { file: 4, .. })
    ));
}

#[test]
fn it_appends_files_after_the_existing_ones() {
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    start_write_file(&mut d);
    d.write_block(&[1; BS]).expect("write");
    d.finish().expect("finish closes the open file");
    d.start(AccessMode::Append, None, None).expect("append");
    assert_eq!(d.state().volume_label.as_deref(), Some("VOL-1"));
    assert_eq!(d.state().file, 1);
    assert_eq!(d.start_file(b"second").ok(), Some(2));
    d.write_block(&[2; 5]).expect("write");
    d.finish().expect("finish");
    let vol = d.volume().expect("loaded");
    assert_eq!(vol.file_count(), 3);
    assert!(
        vol.file(1)
            .is_some_and(|f| f.is_closed() && f.data() == vec![1; BS])
    );
    let mut second = vec![2; 5];
    second.resize(BS, 0);
    assert!(
        vol.file(2)
            .is_some_and(|f| f.is_closed() && f.data() == second)
    );
}

#[test]
fn it_refuses_to_read_or_append_an_unlabeled_volume() {
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    for mode in [AccessMode::Read, AccessMode::Append] {
        let err = d.start(mode, None, None).expect_err("blank volume");
        assert!(matches!(err, DeviceError::Unlabeled { .. }), "{err}");
        assert_eq!(d.state().access_mode, AccessMode::Null);
        assert!(d.state().status.contains(StatusFlags::VOLUME_UNLABELED));
    }
}

#[test]
fn it_reports_volume_missing_in_an_empty_drive() {
    let mut d = SimDrive::new("tape0", SimConfig::default(), vec![]);
    assert_eq!(
        d.read_label().expect("no misuse"),
        StatusFlags::VOLUME_MISSING
    );
    assert!(matches!(
        d.start(AccessMode::Write, Some("V"), Some(TS)),
        Err(DeviceError::VolumeMissing { .. })
    ));
}

#[test]
fn it_has_amanda_default_properties() {
    // §5.6 tape defaults and §5.5 vfs values verified on Debian 3.5.1.
    let d = SimDrive::new("tape0", SimConfig::default(), vec![]);
    let p = d.properties();
    assert_eq!(
        (p.block_size, p.min_block_size, p.max_block_size, p.leom),
        (32768, 32768, 16 * 1024 * 1024, false)
    );
    assert_eq!(d.header_block_size(), 32768);
    let v = Properties::vfs();
    assert_eq!(
        (v.block_size, v.min_block_size, v.max_block_size),
        (32768, 1, 2147483647)
    );
    assert!(v.leom && v.appendable && v.partial_deletion && v.full_deletion);
    assert!(v.enforce_max_volume_usage && v.max_volume_usage.is_none() && !v.compression);
    assert_eq!(
        (v.monitor_free_space, v.use_data),
        (Some(true), Some(UseData::Exist))
    );
}

#[test]
fn it_sets_properties_within_their_rules() {
    let mut d = drive_with(SimConfig::default(), VolumeSpec::new(1 << 30), vec![]);
    assert!(matches!(
        d.set_property(Property::BlockSize(1024)),
        Err(DeviceError::BadProperty {
            name: "BLOCK_SIZE",
            ..
        })
    ));
    assert!(matches!(
        d.set_property(Property::MonitorFreeSpace(false)),
        Err(DeviceError::UnsupportedProperty {
            name: "MONITOR_FREE_SPACE"
        })
    ));
    d.set_property(Property::BlockSize(65536))
        .expect("block size before start");
    d.set_property(Property::Leom(true)).expect("leom");
    assert_eq!(d.header_block_size(), 65536);
    d.start(AccessMode::Write, Some("V"), Some(TS))
        .expect("start");
    assert!(matches!(
        d.set_property(Property::BlockSize(32768)),
        Err(DeviceError::Misuse(Misuse::PropertyPhase { .. }))
    ));
    assert!(d.properties().leom);
    assert_eq!(d.properties().block_size, 65536);
}

#[test]
fn it_renders_a_stable_event_trace() {
    let mut d = drive_with(SimConfig::with_leom(), spec_blocks(6, 2), vec![]);
    start_write_file(&mut d);
    write_until_failure(&mut d, 10);
    d.finish().expect("finish");
    d.eject().expect("eject");
    // Label 1, header 2; block 0 ends at 3, block 1 ends at 4, block 2 ends at 5 > 4: written,
    // armed; block 3: ENOSPC + retry -> written at 6 (LEOM); block 4: ENOSPC, 7 > 6 -> FAILED.
    assert_eq!(
        events(&mut d),
        [
            "tape0 load label=-",
            "tape0 start mode=WRITE label=VOL-1",
            "tape0 start_file file=1",
            "tape0 write file=1 blk=0 len=32768 -> OK",
            "tape0 write file=1 blk=1 len=32768 -> OK",
            "tape0 write file=1 blk=2 len=32768 -> OK",
            "tape0 write file=1 blk=3 len=32768 -> LEOM",
            "tape0 write file=1 blk=4 len=32768 -> FAILED LEOM",
            "tape0 write_block error: tape0: No space left on device: writing file 1 block 4",
            "tape0 finish_file file=1 blocks=4",
            "tape0 finish",
            "tape0 eject",
        ]
    );
}

#[test]
fn it_drives_a_simulated_drive_through_a_boxed_device_on_another_thread() {
    // The taper owns its device behind `dyn Device` on a device thread.
    let mut d: Box<dyn Device + Send> = Box::new(drive_with(
        SimConfig::default(),
        VolumeSpec::new(1 << 30),
        vec![],
    ));
    let handle = std::thread::spawn(move || {
        d.start(AccessMode::Write, Some("VOL-1"), Some(TS))
            .expect("start");
        let file = d.start_file(b"h").expect("start_file");
        let r = d.write_block(&[3; BS]).expect("write");
        d.finish().expect("finish");
        (file, r, d.take_events().len())
    });
    let (file, result, events) = handle.join().expect("device thread");
    assert_eq!((file, result), (1, WriteResult::Success));
    assert_eq!(
        events, 6,
        "load, start, start_file, write, finish_file, finish"
    );
}
