//! `reelcheck tape inspect` and `reelcheck tape label` on real volume directories.
//!
//! Expected bytes come from amanda.md §5.5 (the label file `00000.<LABEL>` is exactly
//! 32768 bytes) and §6 (`AMANDA: TAPESTART DATE %s TAPE %s\n\014\n`, NUL padded).

use std::path::Path;
use std::process::{Command, Output};

use reelcheck_tape::device::{AccessMode, Device, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::vfs::VfsDevice;

fn reelcheck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_reelcheck"))
        .args(args)
        .output()
        .expect("reelcheck runs")
}

fn path(p: &Path) -> &str {
    p.to_str().expect("temporary paths are UTF-8")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Writes a volume with our vfs device: label, a file of `sizes[0]` data bytes, ...
/// (0 bytes gives a header-only file, as a failed or empty trailing part leaves).
fn write_volume(dir: &Path, sizes: &[usize]) {
    let mut dev = VfsDevice::new("vfs0", dir, vec![]);
    dev.start(
        AccessMode::Write,
        Some("TESTCONF-001"),
        Some("20240101000000"),
    )
    .unwrap();
    for (i, &size) in sizes.iter().enumerate() {
        let part = std::num::NonZeroU32::new(i as u32 + 1).unwrap();
        let h = DumpHeader::split(
            "20240101000000",
            "myhost",
            "/my/disk",
            0,
            "/bin/tar",
            part,
            None,
        );
        let text = Header::Dump(Box::new(h)).to_text().unwrap();
        dev.start_file(text.as_bytes()).unwrap();
        let data = vec![0x5au8; size];
        for chunk in data.chunks(32768) {
            assert_eq!(dev.write_block(chunk).unwrap(), WriteResult::Success);
        }
        dev.finish_file().unwrap();
    }
    dev.finish().unwrap();
}

#[test]
fn it_labels_an_empty_volume_with_a_32_kib_tapestart_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = reelcheck(&["tape", "label", path(dir.path()), "TESTCONF-001"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("labelled TESTCONF-001"), "{out:?}");
    let bytes = std::fs::read(dir.path().join("00000.TESTCONF-001")).unwrap();
    assert_eq!(bytes.len(), 32768);
    let text_end = bytes.iter().position(|&b| b == 0).unwrap();
    let text = std::str::from_utf8(&bytes[..text_end]).unwrap();
    assert!(text.starts_with("AMANDA: TAPESTART DATE "), "{text:?}");
    assert!(text.ends_with(" TAPE TESTCONF-001\n\u{c}\n"), "{text:?}");
    assert!(bytes[text_end..].iter().all(|&b| b == 0));
}

#[test]
fn it_refuses_to_relabel_a_labelled_volume_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let d = path(dir.path());
    assert_eq!(
        reelcheck(&["tape", "label", d, "TESTCONF-001"])
            .status
            .code(),
        Some(0)
    );
    let out = reelcheck(&["tape", "label", d, "TESTCONF-002"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("already labelled \"TESTCONF-001\"") && err.contains("--force"),
        "{err}"
    );
    assert!(dir.path().join("00000.TESTCONF-001").exists());
    let out = reelcheck(&["tape", "label", d, "TESTCONF-002", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(stdout(&out).contains("relabelled TESTCONF-001 as TESTCONF-002"));
    assert!(!dir.path().join("00000.TESTCONF-001").exists());
    assert!(dir.path().join("00000.TESTCONF-002").exists());
}

#[test]
fn it_refuses_to_label_a_volume_with_files_but_no_label() {
    let dir = tempfile::tempdir().unwrap();
    write_volume(dir.path(), &[32768]);
    std::fs::remove_file(dir.path().join("00000.TESTCONF-001")).unwrap();
    let out = reelcheck(&["tape", "label", path(dir.path()), "TESTCONF-009"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn it_inspects_a_volume_our_vfs_device_wrote_with_notes_and_exit_zero() {
    let dir = tempfile::tempdir().unwrap();
    // Part 1: 100000 bytes (3 blocks and a short final block of 1696 bytes); part 2: header only.
    write_volume(dir.path(), &[100_000, 0]);
    let out = reelcheck(&["tape", "inspect", path(dir.path())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("label TESTCONF-001 date 20240101000000"),
        "{text}"
    );
    assert!(text.contains("SPLIT_FILE"), "{text}");
    assert!(text.contains("part 1/-1 data 100000 bytes"), "{text}");
    assert!(text.contains("part 2/-1 data 0 bytes"), "{text}");
    assert!(
        text.contains("note: file 1: short final block of 1696 bytes"),
        "{text}"
    );
    assert!(text.contains("note: file 2: header only"), "{text}");
    // 32768 label + (32768 + 100000) + 32768 header-only file.
    assert!(
        text.trim_end()
            .ends_with("2 files, 198304 bytes, 2 notes, 0 errors"),
        "{text}"
    );
}

#[test]
fn it_inspect_exits_one_on_a_file_shorter_than_its_header() {
    let dir = tempfile::tempdir().unwrap();
    write_volume(dir.path(), &[65536]);
    let file = dir.path().join("00001.myhost._my_disk.0");
    let f = std::fs::OpenOptions::new().write(true).open(&file).unwrap();
    f.set_len(1000).unwrap();
    let out = reelcheck(&["tape", "inspect", path(dir.path())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("error: file 1: 1000 bytes, shorter than its 32768-byte header"),
        "{text}"
    );
}

#[test]
fn it_inspect_exits_one_on_data_files_without_a_label() {
    let dir = tempfile::tempdir().unwrap();
    write_volume(dir.path(), &[32768, 32768]);
    std::fs::remove_file(dir.path().join("00000.TESTCONF-001")).unwrap();
    let out = reelcheck(&["tape", "inspect", path(dir.path())]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("error: no label file"), "{text}");
}

#[test]
fn it_fuzz_tape_runs_a_small_campaign_and_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("failures");
    let out = reelcheck(&[
        "fuzz",
        "tape",
        "--seed",
        "1",
        "--cases",
        "40",
        "--quiet",
        "--jobs",
        "1",
        "--out",
        path(&out_dir),
    ]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text.contains("fuzz tape: 40 cases"), "{text}");
    assert!(text.contains(" 0 failures"), "{text}");
    assert!(!out_dir.exists(), "no failing scenario is written");
}

#[test]
fn it_inspect_exits_two_when_the_directory_cannot_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-volume");
    let out = reelcheck(&["tape", "inspect", path(&missing)]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("listing volume"), "{err}");
}
