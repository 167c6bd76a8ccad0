//! vfs device: Amanda's on-disk layout and its exact LEOM / PEOM / ENOSPC rules
//! (reference §5.5). Expected numbers are computed from the reference's formulas here,
//! never taken from the device.

use std::num::NonZeroU32;
use std::path::Path;

use reelcheck_tape::device::{
    AccessMode, Device, DeviceError, Misuse, Property, ReadResult, SeekResult, StatusFlags,
    WriteResult,
};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::vfs::{VfsDevice, VfsFault};

/// Reference §5.5.
const BLOCK: u64 = 32_768;
const HEADER: u64 = 32_768;
const EARLY_WARNING_BLOCKS: u64 = 4;

/// Reference §6: the part header Amanda 3.5.1 writes on vfs.
const VERIFIED_SPLIT: &str = "AMANDA: SPLIT_FILE 20240101000000 myhost /my/disk  part 1/-1  lev 0 comp N program /bin/tar\nTo restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | \n\x0c\n";

pub(crate) fn split_header(host: &str, disk: &str, part: u32) -> Vec<u8> {
    let h = DumpHeader::split(
        "20240101000000",
        host,
        disk,
        0,
        "/bin/tar",
        NonZeroU32::new(part).expect("parts from 1"),
        None,
    );
    Header::Dump(Box::new(h))
        .to_text()
        .expect("valid")
        .into_bytes()
}

fn block(fill: u8, len: usize) -> Vec<u8> {
    (0..len).map(|i| fill ^ (i % 251) as u8).collect()
}

fn labelled(dir: &Path, faults: &[VfsFault], props: &[Property]) -> VfsDevice {
    let mut dev = VfsDevice::new("vtape0", dir, faults.to_vec());
    for p in props {
        dev.set_property(*p).expect("settable before start");
    }
    dev.start(
        AccessMode::Write,
        Some("TESTCONF-001"),
        Some("20240101000000"),
    )
    .expect("labels an empty directory");
    dev
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
        .collect();
    v.sort();
    v
}

#[test]
fn it_writes_amandas_directory_layout_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = labelled(tmp.path(), &[], &[]);
    let label = std::fs::read(tmp.path().join("00000.TESTCONF-001")).expect("label file");
    let mut expected = b"AMANDA: TAPESTART DATE 20240101000000 TAPE TESTCONF-001\n\x0c\n".to_vec();
    expected.resize(32_768, 0);
    assert_eq!(label, expected);

    assert_eq!(
        dev.start_file(&split_header("myhost", "/my/disk", 1))
            .expect("file"),
        1
    );
    let data: Vec<Vec<u8>> = vec![block(1, 32_768), block(2, 32_768), block(3, 1000)];
    for b in &data {
        assert_eq!(dev.write_block(b).expect("no misuse"), WriteResult::Success);
    }
    dev.finish_file().expect("closes");
    dev.finish().expect("finishes");

    assert_eq!(
        names(tmp.path()),
        ["00000.TESTCONF-001", "00001.myhost._my_disk.0"]
    );
    let file = std::fs::read(tmp.path().join("00001.myhost._my_disk.0")).expect("part file");
    assert_eq!(
        file.len(),
        32_768 * 3 + 1000,
        "header + data, short final block kept short"
    );
    let mut header = VERIFIED_SPLIT.as_bytes().to_vec();
    header.resize(32_768, 0);
    assert_eq!(&file[..32_768], &header[..]);
    assert_eq!(&file[32_768..], &data.concat()[..]);
}

#[test]
fn it_sanitises_slash_colon_and_backslash_in_file_names() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = labelled(tmp.path(), &[], &[]);
    dev.start_file(&split_header("my:host", "C:\\dir/sub", 1))
        .expect("file");
    dev.finish_file().expect("closes");
    assert!(names(tmp.path()).contains(&"00001.my_host.C__dir_sub.0".to_owned()));
}

#[test]
fn it_uses_the_data_subdirectory_when_it_exists() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(tmp.path().join("data")).expect("mkdir data");
    let mut dev = labelled(tmp.path(), &[], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    dev.finish_file().expect("closes");
    assert_eq!(
        names(&tmp.path().join("data")),
        ["00000.TESTCONF-001", "00001.h._d.0"]
    );
    assert_eq!(names(tmp.path()), ["data"]);
}

#[test]
fn it_flags_leom_on_the_15th_write_and_still_writes_it() {
    // Reference §5.5 verified case: block 32 KiB, MAX_VOLUME_USAGE 655 360, no part size:
    // LEOM fires on the 15th write (524288 + 32768 + 131072 > 655360) and the write proceeds.
    let tmp = tempfile::tempdir().expect("tempdir");
    let limit = 655_360u64;
    let mut dev = labelled(tmp.path(), &[], &[Property::MaxVolumeUsage(Some(limit))]);
    dev.start_file(&split_header("myhost", "/my/disk", 1))
        .expect("file");
    assert!(!dev.state().is_eom);
    let mut first_leom = None;
    for n in 1..=15u64 {
        assert_eq!(
            dev.write_block(&block(n as u8, 32_768)).expect("ok"),
            WriteResult::Success
        );
        let model_leom =
            HEADER + HEADER + (n - 1) * BLOCK + BLOCK + EARLY_WARNING_BLOCKS * BLOCK > limit;
        assert_eq!(dev.state().is_eom, model_leom, "write {n}");
        if dev.state().is_eom && first_leom.is_none() {
            first_leom = Some(n);
        }
    }
    assert_eq!(first_leom, Some(15));
    dev.finish_file().expect("closes");
    // The splitter stops the part at LEOM: one part of 15 blocks = 491 520 bytes.
    let part = std::fs::metadata(tmp.path().join("00001.myhost._my_disk.0"))
        .expect("part")
        .len();
    assert_eq!(part - HEADER, 491_520);
    assert_eq!(dev.volume_bytes(), 32_768 + 32_768 + 491_520);
}

#[test]
fn it_returns_full_past_max_volume_usage_with_leom_and_failed_without() {
    for leom in [true, false] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let limit = 655_360u64;
        let mut dev = labelled(
            tmp.path(),
            &[],
            &[Property::MaxVolumeUsage(Some(limit)), Property::Leom(leom)],
        );
        dev.start_file(&split_header("h", "/d", 1)).expect("file");
        let mut n = 0u64;
        loop {
            n += 1;
            assert!(n < 100, "bounded");
            let before = dev.volume_bytes();
            let r = dev.write_block(&block(7, 32_768)).expect("no misuse");
            let model_peom = before + BLOCK > limit;
            if model_peom {
                let expected = if leom {
                    WriteResult::Full
                } else {
                    WriteResult::Failed
                };
                assert_eq!(r, expected, "leom={leom}");
                assert!(dev.state().is_eom);
                assert_eq!(dev.volume_bytes(), before, "nothing written");
                assert!(matches!(
                    dev.last_error(),
                    Some(DeviceError::NoSpace { .. })
                ));
                assert!(dev.state().status.contains(StatusFlags::VOLUME_ERROR));
                break;
            }
            assert_eq!(r, WriteResult::Success);
            // Without LEOM the early warning never shows.
            if !leom {
                assert!(!dev.state().is_eom);
            }
        }
        assert_eq!(
            n, 19,
            "18 blocks fill 655360 exactly: label + header + 18 x 32 KiB"
        );
        let size = std::fs::metadata(tmp.path().join("00001.h._d.0"))
            .expect("file")
            .len();
        assert_eq!(size, HEADER + 18 * BLOCK);
    }
}

#[test]
fn it_fails_start_file_past_max_volume_usage_and_flags_leom_on_a_header() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Room for the label, one header and 3 blocks: the second header is past the limit.
    let limit = HEADER + HEADER + 3 * BLOCK;
    let mut dev = labelled(tmp.path(), &[], &[Property::MaxVolumeUsage(Some(limit))]);
    dev.start_file(&split_header("h", "/d", 1))
        .expect("first file");
    // LEOM on the header: label + header + 4 blocks > limit.
    assert!(dev.state().is_eom, "LEOM while writing the header");
    for _ in 0..3 {
        assert_eq!(
            dev.write_block(&block(1, 32_768)).expect("ok"),
            WriteResult::Success
        );
    }
    dev.finish_file().expect("closes");
    let err = dev
        .start_file(&split_header("h", "/d", 2))
        .expect_err("past the limit");
    assert!(matches!(err, DeviceError::NoSpace { .. }), "{err}");
    assert!(dev.state().is_eom);
    assert!(!dev.state().in_file);
    assert_eq!(names(tmp.path()), ["00000.TESTCONF-001", "00001.h._d.0"]);
}

#[test]
fn it_truncates_to_the_last_whole_block_on_enospc_and_returns_space_with_leom() {
    for leom in [true, false] {
        let tmp = tempfile::tempdir().expect("tempdir");
        // Room for label + header + 3 blocks + 1000 bytes, then ENOSPC.
        let room = HEADER + HEADER + 3 * BLOCK + 1000;
        let mut dev = labelled(
            tmp.path(),
            &[VfsFault::EnospcAfter { bytes: room }],
            &[Property::Leom(leom)],
        );
        dev.start_file(&split_header("h", "/d", 1)).expect("file");
        for _ in 0..3 {
            assert_eq!(
                dev.write_block(&block(1, 32_768)).expect("ok"),
                WriteResult::Success
            );
        }
        let r = dev.write_block(&block(2, 32_768)).expect("no misuse");
        assert_eq!(
            r,
            if leom {
                WriteResult::Space
            } else {
                WriteResult::Failed
            },
            "leom={leom}"
        );
        assert!(matches!(
            dev.last_error(),
            Some(DeviceError::NoSpace { .. })
        ));
        let size = std::fs::metadata(tmp.path().join("00001.h._d.0"))
            .expect("file")
            .len();
        assert_eq!(size, HEADER + 3 * BLOCK, "partial block truncated away");
        assert_eq!(dev.state().block, 3);
    }
}

#[test]
fn it_flags_leom_from_filesystem_free_space() {
    // LEOM from free space (reference §5.5): at LEOM when free - size <= 4 * block_size.
    let tmp = tempfile::tempdir().expect("tempdir");
    let room = HEADER + HEADER + 10 * BLOCK;
    let mut dev = labelled(tmp.path(), &[VfsFault::EnospcAfter { bytes: room }], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    let mut free = room - 2 * HEADER;
    for n in 1..=10u64 {
        let model_leom = free - BLOCK <= EARLY_WARNING_BLOCKS * BLOCK;
        assert_eq!(
            dev.write_block(&block(1, 32_768)).expect("ok"),
            WriteResult::Success
        );
        assert_eq!(dev.state().is_eom, model_leom, "write {n}");
        free -= BLOCK;
    }
    assert_eq!(
        dev.write_block(&block(1, 32_768)).expect("ok"),
        WriteResult::Space
    );
}

#[test]
fn it_reports_an_injected_eio_as_a_failed_write() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Write 0 is the label, 1 the header, 2 the first block.
    let mut dev = labelled(tmp.path(), &[VfsFault::EioOnWrite { nth: 3 }], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    assert_eq!(
        dev.write_block(&block(1, 32_768)).expect("ok"),
        WriteResult::Success
    );
    assert_eq!(
        dev.write_block(&block(1, 32_768)).expect("ok"),
        WriteResult::Failed
    );
    assert!(matches!(dev.last_error(), Some(DeviceError::Io { .. })));
}

#[test]
fn it_never_reuses_a_recycled_file_number_below_the_highest() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = labelled(tmp.path(), &[], &[]);
    for p in 1..=3 {
        dev.start_file(&split_header("h", "/d", p)).expect("file");
        dev.write_block(&block(p as u8, 100)).expect("ok");
        dev.finish_file().expect("closes");
    }
    dev.finish().expect("finish");
    dev.recycle_file(2).expect("recycles file 2");
    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    dev.start(AccessMode::Append, None, None).expect("appends");
    assert_eq!(
        dev.volume_bytes(),
        HEADER + 2 * (HEADER + 100),
        "recomputed from file sizes"
    );
    assert_eq!(
        dev.start_file(&split_header("h", "/d", 4)).expect("file"),
        4
    );
    dev.finish_file().expect("closes");
    dev.finish().expect("finish");
    // Amanda's rule is 1 + the highest file present: recycling the last file frees its number.
    dev.recycle_file(4).expect("recycles file 4");
    dev.start(AccessMode::Append, None, None).expect("appends");
    assert_eq!(
        dev.start_file(&split_header("h", "/d", 5)).expect("file"),
        4
    );
}

#[test]
fn it_reads_back_blocks_and_seeks_like_amanda() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = labelled(tmp.path(), &[], &[]);
    let payloads = [vec![block(1, 32_768), block(2, 5)], vec![block(3, 32_768)]];
    for (i, blocks) in payloads.iter().enumerate() {
        dev.start_file(&split_header("h", "/d", i as u32 + 1))
            .expect("file");
        for b in blocks {
            dev.write_block(b).expect("ok");
        }
        dev.finish_file().expect("closes");
    }
    dev.finish().expect("finish");
    dev.recycle_file(1).expect("gap at 1");

    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    assert_eq!(dev.read_label().expect("no misuse"), StatusFlags::SUCCESS);
    assert_eq!(dev.state().volume_label.as_deref(), Some("TESTCONF-001"));
    assert_eq!(dev.state().volume_time.as_deref(), Some("20240101000000"));
    dev.start(AccessMode::Read, None, None).expect("read");
    // seek_file(1) lands on the next existing file, 2.
    match dev.seek_file(1).expect("seeks") {
        SeekResult::File { file, header } => {
            assert_eq!(file, 2);
            let h = Header::parse(&header).expect("parses");
            assert_eq!(h.as_dump().expect("dump").parts(), (2, -1));
        }
        other => panic!("expected a file, got {other:?}"),
    }
    let mut buf = vec![0u8; 32_768];
    assert_eq!(
        dev.read_block(&mut buf).expect("reads"),
        ReadResult::Block(32_768)
    );
    assert_eq!(buf, payloads[1][0]);
    assert_eq!(dev.read_block(&mut buf).expect("eof"), ReadResult::Eof);
    assert!(dev.state().is_eof);
    assert_eq!(
        dev.read_block(&mut buf).expect("still eof"),
        ReadResult::Eof
    );
    assert_eq!(
        dev.seek_file(3).expect("tape end"),
        SeekResult::TapeEnd { file: 3 }
    );
    assert!(matches!(
        dev.seek_file(4),
        Err(DeviceError::NoSuchFile { file: 4, .. })
    ));
    let mut small = vec![0u8; 10];
    dev.seek_file(2).expect("again");
    assert!(matches!(
        dev.read_block(&mut small),
        Err(DeviceError::Misuse(Misuse::BufferTooSmall {
            len: 10,
            needed: 32_768
        }))
    ));
    dev.seek_block(0).expect("seek block");
    assert_eq!(
        dev.read_block(&mut buf).expect("reads"),
        ReadResult::Block(32_768)
    );
}

#[test]
fn it_reads_a_short_final_block_short() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = labelled(tmp.path(), &[], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    dev.write_block(&block(1, 32_768)).expect("ok");
    dev.write_block(&block(2, 77)).expect("ok");
    // Only the last block may be short.
    assert!(matches!(
        dev.write_block(&block(3, 10)),
        Err(DeviceError::Misuse(Misuse::AfterShortBlock { .. }))
    ));
    dev.finish_file().expect("closes");
    dev.finish().expect("finish");
    dev.start(AccessMode::Read, None, None).expect("read");
    dev.seek_file(1).expect("file 1");
    let mut buf = vec![0u8; 32_768];
    assert_eq!(
        dev.read_block(&mut buf).expect("1"),
        ReadResult::Block(32_768)
    );
    assert_eq!(dev.read_block(&mut buf).expect("2"), ReadResult::Block(77));
    assert_eq!(&buf[..77], &block(2, 77)[..]);
}

#[test]
fn it_reports_an_empty_directory_as_unlabeled() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    assert_eq!(
        dev.read_label().expect("no misuse"),
        StatusFlags::VOLUME_UNLABELED
    );
    assert!(dev.start(AccessMode::Read, None, None).is_err());
    assert_eq!(dev.state().access_mode, AccessMode::Null);
}

#[test]
fn it_refuses_misuse_without_changing_state() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    let before = dev.state().clone();
    assert!(matches!(dev.write_block(&[1]), Err(DeviceError::Misuse(_))));
    assert!(matches!(dev.finish_file(), Err(DeviceError::Misuse(_))));
    assert!(matches!(
        dev.start_file(&split_header("h", "/d", 1)),
        Err(DeviceError::Misuse(_))
    ));
    assert_eq!(dev.state(), &before);
    assert!(names(tmp.path()).is_empty(), "nothing written");
    let mut dev = labelled(tmp.path(), &[], &[]);
    assert!(matches!(
        dev.set_property(Property::Leom(false)),
        Err(DeviceError::Misuse(_))
    ));
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    assert!(matches!(
        dev.set_property(Property::MaxVolumeUsage(Some(1))),
        Err(DeviceError::Misuse(_))
    ));
    assert!(matches!(
        dev.write_block(&vec![0u8; 32_769]),
        Err(DeviceError::Misuse(Misuse::BlockTooLarge { .. }))
    ));
}

#[test]
fn it_relabels_by_erasing_every_volume_file_but_the_lock() {
    let tmp = tempfile::tempdir().expect("tempdir");
    std::fs::write(tmp.path().join("00000-lock"), b"").expect("lock");
    std::fs::write(tmp.path().join("notes.txt"), b"keep").expect("other file");
    let mut dev = labelled(tmp.path(), &[], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    dev.finish_file().expect("closes");
    dev.finish().expect("finish");
    dev.start(
        AccessMode::Write,
        Some("TESTCONF-002"),
        Some("20240102000000"),
    )
    .expect("relabel");
    assert_eq!(
        names(tmp.path()),
        ["00000-lock", "00000.TESTCONF-002", "notes.txt"]
    );
    assert_eq!(
        dev.start_file(&split_header("h", "/d", 1)).expect("file"),
        1,
        "numbers restart at 1"
    );
}

#[test]
fn it_traces_leom_full_and_injected_faults_as_event_lines() {
    let tmp = tempfile::tempdir().expect("tempdir");
    // Limit: label + header + 5 blocks; LEOM from the 2nd write (65536 + 32768 * 2 + 131072 > 229376).
    let limit = HEADER + HEADER + 5 * BLOCK;
    let mut dev = labelled(tmp.path(), &[], &[Property::MaxVolumeUsage(Some(limit))]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    for _ in 0..6 {
        dev.write_block(&block(1, 32_768)).expect("no misuse");
    }
    dev.finish_file().expect("close");
    dev.finish().expect("finish");
    let lines: Vec<String> = dev.take_events().iter().map(ToString::to_string).collect();
    assert_eq!(
        lines,
        [
            "vtape0 start mode=WRITE label=TESTCONF-001",
            "vtape0 start_file file=1",
            "vtape0 write file=1 blk=0 len=32768 -> OK",
            "vtape0 write file=1 blk=1 len=32768 -> LEOM",
            "vtape0 write file=1 blk=2 len=32768 -> LEOM",
            "vtape0 write file=1 blk=3 len=32768 -> LEOM",
            "vtape0 write file=1 blk=4 len=32768 -> LEOM",
            "vtape0 write file=1 blk=5 len=32768 -> FULL LEOM",
            "vtape0 write_block error: vtape0: No space left on device: more than MAX_VOLUME_USAGE bytes written",
            "vtape0 finish_file file=1 blocks=5",
            "vtape0 finish",
        ]
    );

    let tmp = tempfile::tempdir().expect("tempdir");
    let room = HEADER + HEADER + 100;
    let mut dev = labelled(tmp.path(), &[VfsFault::EnospcAfter { bytes: room }], &[]);
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    assert_eq!(
        dev.write_block(&block(1, 32_768)).expect("ok"),
        WriteResult::Space
    );
    let lines: Vec<String> = dev.take_events().iter().map(ToString::to_string).collect();
    assert!(
        lines.contains(&"vtape0 fault ENOSPC after 65636 bytes".to_owned()),
        "{lines:#?}"
    );
    // LEOM from free space at the header (32868 - 32768 <= 4 blocks); the write itself
    // asks for more than is free, which Amanda's unsigned check does not flag.
    assert!(
        lines.contains(&"vtape0 start_file file=1 -> LEOM".to_owned()),
        "{lines:#?}"
    );
    assert!(
        lines.contains(&"vtape0 write file=1 blk=0 len=32768 -> SPACE".to_owned()),
        "{lines:#?}"
    );
}
