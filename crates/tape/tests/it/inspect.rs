//! `inspect` and `label`: notes for what real Amanda leaves behind, errors for what makes
//! a volume unreadable.

use std::path::Path;

use reelcheck_tape::device::{AccessMode, Device, Property};
use reelcheck_tape::header::{FileType, HeaderError};
use reelcheck_tape::inspect::{
    InspectError, LabelOutcome, Note, Problem, datestamp_from_unix, inspect, label, label_at,
};
use reelcheck_tape::vfs::VfsDevice;

use crate::vfs::split_header;

fn write_volume(dir: &Path, parts: &[usize]) {
    let mut dev = VfsDevice::new("vtape0", dir, vec![]);
    dev.start(AccessMode::Write, Some("VOL-1"), Some("20240101000000"))
        .expect("label");
    for (i, &len) in parts.iter().enumerate() {
        dev.start_file(&split_header("myhost", "/my/disk", i as u32 + 1))
            .expect("file");
        let data = vec![0x5a; len];
        for chunk in data.chunks(32_768) {
            dev.write_block(chunk).expect("write");
        }
        dev.finish_file().expect("close");
    }
    dev.finish().expect("finish");
}

#[test]
fn it_lists_the_label_and_every_file_with_its_header() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_volume(tmp.path(), &[65_536, 40_000]);
    let r = inspect(tmp.path()).expect("inspects");
    assert!(r.is_ok(), "{r}");
    let label = r.label.as_ref().expect("label");
    assert_eq!(
        (label.label.as_str(), label.datestamp.as_str()),
        ("VOL-1", "20240101000000")
    );
    assert_eq!(r.files.len(), 2);
    assert_eq!(r.files[0].data_bytes(), 65_536);
    assert_eq!(
        r.files[1].header.as_ref().map(|h| h.file_type()),
        Some(FileType::SplitFile)
    );
    // 40000 = 32768 + 7232: the last block is short. Volume: 3 headers + 65536 + 40000 = 203840.
    assert_eq!(
        r.notes,
        [Note::ShortFinalBlock {
            fileno: 2,
            bytes: 7232,
            block_size: 32_768
        }]
    );
    let text = r.to_string();
    let expected_tail = "\
file     1 SPLIT_FILE host myhost disk /my/disk lev 0 part 1/-1 data 65536 bytes
file     2 SPLIT_FILE host myhost disk /my/disk lev 0 part 2/-1 data 40000 bytes
note: file 2: short final block of 7232 bytes (block size 32768)
2 files, 203840 bytes, 1 notes, 0 errors";
    assert!(text.ends_with(expected_tail), "{text}");
    assert!(text.starts_with("volume "), "{text}");
    assert!(
        text.lines()
            .next()
            .expect("first line")
            .ends_with(": label VOL-1 date 20240101000000")
    );
}

#[test]
fn it_notes_header_only_files_and_gaps_but_reports_no_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_volume(tmp.path(), &[32_768, 0, 32_768, 32_768, 0]);
    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    dev.recycle_file(3).expect("recycle 3");
    dev.recycle_file(4).expect("recycle 4");
    let r = inspect(tmp.path()).expect("inspects");
    assert!(r.is_ok(), "{r}");
    assert_eq!(
        r.notes,
        [
            Note::HeaderOnly { fileno: 2 },
            Note::Gap {
                missing_from: 3,
                missing_to: 4
            },
            Note::HeaderOnly { fileno: 5 },
        ]
    );
}

#[test]
fn it_reports_truncated_unparseable_and_unlabelled_volumes_as_errors() {
    let tmp = tempfile::tempdir().expect("tempdir");
    write_volume(tmp.path(), &[32_768, 32_768, 32_768, 32_768]);
    let p = |n: u32| tmp.path().join(format!("{n:05}.myhost._my_disk.0"));
    // File 1: cut inside its header block (a file shorter than its header).
    std::fs::write(p(1), &std::fs::read(p(1)).expect("read")[..1000]).expect("cut");
    // File 2: a damaged level field.
    let mut f2 = std::fs::read(p(2)).expect("read");
    let at = f2.windows(5).position(|w| w == b"lev 0").expect("lev");
    f2[at + 4] = b'x';
    std::fs::write(p(2), f2).expect("damage");
    // File 3: the header text cut off inside a full-size block.
    let mut f3 = std::fs::read(p(3)).expect("read");
    f3[40..32_768].fill(0);
    std::fs::write(p(3), f3).expect("truncate text");
    let r = inspect(tmp.path()).expect("inspects");
    assert!(!r.is_ok());
    assert_eq!(r.problems.len(), 3, "{r}");
    assert_eq!(
        r.problems[0],
        Problem::ShorterThanHeader {
            fileno: 1,
            size: 1000
        }
    );
    assert!(matches!(
        &r.problems[1],
        Problem::Unparseable { fileno: 2, error: HeaderError::Field { field: "dumplevel", found, .. } } if found == "x"
    ));
    assert!(matches!(
        &r.problems[2],
        Problem::TruncatedHeader { fileno: 3, .. }
    ));
    assert!(
        r.to_string()
            .contains("error: file 2: unparseable header: header field 'dumplevel'"),
        "{r}"
    );

    std::fs::remove_file(tmp.path().join("00000.VOL-1")).expect("remove label");
    let r = inspect(tmp.path()).expect("inspects");
    assert!(r.problems.contains(&Problem::NoLabel { files: 4 }), "{r}");
}

#[test]
fn it_labels_an_empty_volume_and_refuses_a_labelled_one_without_force() {
    let tmp = tempfile::tempdir().expect("tempdir");
    assert_eq!(
        label_at(tmp.path(), "VOL-7", "20240101000000", false).expect("labels"),
        LabelOutcome::Labelled {
            label: "VOL-7".into()
        }
    );
    assert_eq!(inspect(tmp.path()).expect("inspects").notes, [Note::Empty]);
    let err = label_at(tmp.path(), "VOL-8", "20240101000000", false).expect_err("refuses");
    assert!(
        matches!(&err, InspectError::AlreadyLabelled { label, .. } if label == "VOL-7"),
        "{err}"
    );
    assert!(err.to_string().contains("--force"));
    let out = label(tmp.path(), "VOL-8", true).expect("relabels");
    assert_eq!(
        out,
        LabelOutcome::Relabelled {
            previous: Some("VOL-7".into()),
            label: "VOL-8".into()
        }
    );
    let r = inspect(tmp.path()).expect("inspects");
    assert_eq!(r.label.as_ref().map(|l| l.label.as_str()), Some("VOL-8"));
    assert_eq!(r.label.as_ref().map(|l| l.datestamp.len()), Some(14));

    let other = tempfile::tempdir().expect("tempdir");
    std::fs::write(other.path().join("00003.h._d.0"), b"x").expect("stray file");
    assert!(matches!(
        label_at(other.path(), "VOL-9", "X", false),
        Err(InspectError::NotEmpty { files: 1, .. })
    ));
    assert!(matches!(
        label_at(other.path(), "bad label", "X", true),
        Err(InspectError::Device { .. })
    ));
}

#[test]
fn it_formats_amanda_datestamps_from_unix_time() {
    assert_eq!(datestamp_from_unix(0), "19700101000000");
    assert_eq!(datestamp_from_unix(1_704_067_200), "20240101000000");
    assert_eq!(datestamp_from_unix(951_825_599), "20000229115959");
    assert_eq!(datestamp_from_unix(4_102_444_800), "21000101000000");
}

#[test]
fn it_inspects_a_volume_cut_at_max_volume_usage() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut dev = VfsDevice::new("vtape0", tmp.path(), vec![]);
    dev.set_property(Property::MaxVolumeUsage(Some(3 * 32_768)))
        .expect("limit");
    dev.set_property(Property::Leom(false)).expect("no LEOM");
    dev.start(AccessMode::Write, Some("VOL-1"), Some("X"))
        .expect("label");
    dev.start_file(&split_header("h", "/d", 1)).expect("file");
    dev.write_block(&[1u8; 32_768]).expect("fits");
    dev.write_block(&[1u8; 32_768])
        .expect("past the limit: Failed, nothing written");
    dev.finish_file().expect("close");
    let r = inspect(tmp.path()).expect("inspects");
    assert!(r.is_ok(), "{r}");
    assert_eq!(r.volume_bytes(), 3 * 32_768);
}

mod arbitrary {
    use proptest::prelude::*;
    use reelcheck_tape::inspect::inspect;

    fn file_name() -> impl Strategy<Value = String> {
        prop_oneof![
            (0u32..6, "[a-z._]{0,8}").prop_map(|(n, rest)| format!("{n:05}.{rest}")),
            "[0-9]{1,3}[.-][a-z]{0,3}",
            "[a-z]{1,5}",
        ]
    }

    fn contents() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..300),
            (
                prop::sample::select(vec![
                    "AMANDA: TAPESTART DATE X TAPE V\n\x0c\n",
                    "AMANDA: SPLIT_FILE X h /d  part 1/-1  lev 0 comp N program p\nTo restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | \n\x0c\n",
                    "AMANDA: FILE X h /d  lev 0 comp N program p\n",
                ]),
                0usize..40_000,
                any::<u8>(),
            )
                .prop_map(|(text, len, fill)| {
                    let mut v = text.as_bytes().to_vec();
                    v.resize(len.max(1), fill);
                    v
                }),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn prop_inspect_never_panics_on_arbitrary_volume_files(
            files in prop::collection::vec((file_name(), contents()), 0..6)
        ) {
            let tmp = tempfile::tempdir().expect("tempdir");
            for (name, bytes) in &files {
                std::fs::write(tmp.path().join(name), bytes).expect("write");
            }
            let report = inspect(tmp.path()).expect("a readable directory inspects");
            // Every numbered file is listed once, and the Display always renders.
            prop_assert!(report.files.iter().all(|f| f.fileno > 0));
            let _ = report.to_string();
        }
    }
}
