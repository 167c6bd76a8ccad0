//! Our vfs device against Amanda's own taper (the splitter driving `Amanda::Device`):
//! we read its volumes, write the same ones, name and split parts as it does, and
//! `inspect` reports what it leaves as notes.

use reelcheck_tape::device::{
    AccessMode, Device, ReadResult, SeekResult, StatusFlags, WriteResult,
};
use reelcheck_tape::header::{DumpHeader, FileType, Header};
use reelcheck_tape::vfs::VfsDevice;

use super::support::{
    AMANDA_SPLITTER, amanda_volume, amanda_volume_block, amanda_volume_leom, dump_bytes, mkdir,
    our_volume_block, our_volume_leom, run_perl, tree,
};

#[test]
fn it_reads_a_volume_amandas_own_taper_wrote() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "vol");
    let data = dump_bytes(1_000_000, 5);
    let parts = amanda_volume(tmp.path(), &vol, "VOL-A", &data, 262_144, 0);
    // Reference §9: parts 262144 x 3 + 213568, the last with eof.
    let sizes: Vec<u64> = parts.iter().map(|p| p.size).collect();
    assert_eq!(sizes, [262_144, 262_144, 262_144, 213_568]);

    let mut dev = VfsDevice::new("reader", &vol, vec![]);
    assert_eq!(dev.read_label().expect("no misuse"), StatusFlags::SUCCESS);
    assert_eq!(dev.state().volume_label.as_deref(), Some("VOL-A"));
    assert_eq!(dev.state().volume_time.as_deref(), Some("20240101000000"));
    dev.start(AccessMode::Read, None, None).expect("read");
    let mut read = Vec::new();
    let mut buf = vec![0u8; 32_768];
    for p in 1..=4u32 {
        let SeekResult::File { file, header } = dev.seek_file(p).expect("seek") else {
            panic!("file {p} missing");
        };
        assert_eq!(file, p);
        let h = Header::parse(&header).expect("Amanda's header parses");
        let d = h.as_dump().expect("dump header");
        assert_eq!(h.file_type(), FileType::SplitFile);
        assert_eq!(
            (d.host.as_str(), d.disk.as_str(), d.level),
            ("myhost", "/my/disk", 0)
        );
        assert_eq!(d.parts(), (i64::from(p), -1));
        // Our encoder produces Amanda's header block byte for byte.
        assert_eq!(h.to_block().expect("re-encodes"), header);
        for _ in 0..100 {
            match dev.read_block(&mut buf).expect("read") {
                ReadResult::Block(n) => read.extend_from_slice(&buf[..n]),
                ReadResult::Eof => break,
            }
        }
    }
    assert_eq!(
        dev.seek_file(5).expect("end"),
        SeekResult::TapeEnd { file: 5 }
    );
    assert!(read == data, "we read back exactly the dump Amanda wrote");
}

#[test]
fn it_writes_the_same_volume_as_amanda_for_the_same_dump() {
    // The verified configurations of reference §9: plain splitting; LEOM with no part
    // size (one part of 491520); LEOM cutting the second part to 196608; no LEOM, so
    // part 3 fails at MAX_VOLUME_USAGE and leaves a header-only file.
    let data = dump_bytes(1_000_000, 9);
    for (part_size, limit, leom, expect) in [
        (
            262_144u64,
            0u64,
            true,
            vec![
                (262_144u64, true),
                (262_144, true),
                (262_144, true),
                (213_568, true),
            ],
        ),
        (0, 655_360, true, vec![(491_520, true)]),
        (
            262_144,
            655_360,
            true,
            vec![(262_144, true), (196_608, true)],
        ),
        (
            262_144,
            655_360,
            false,
            vec![(262_144, true), (262_144, true), (0, false)],
        ),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let theirs = mkdir(tmp.path(), "amanda");
        let ours = mkdir(tmp.path(), "ours");
        let amanda_parts =
            amanda_volume_leom(tmp.path(), &theirs, "VOL-1", &data, part_size, limit, leom);
        let our_parts = our_volume_leom(
            &ours,
            "VOL-1",
            &data,
            part_size,
            (limit > 0).then_some(limit),
            leom,
        );
        let sizes: Vec<(u64, bool)> = amanda_parts.iter().map(|p| (p.size, p.ok)).collect();
        assert_eq!(
            sizes, expect,
            "Amanda, part_size={part_size} limit={limit} leom={leom}"
        );
        assert_eq!(
            our_parts, amanda_parts,
            "part_size={part_size} limit={limit}"
        );
        let (a, o) = (tree(&theirs), tree(&ours));
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&o), names(&a), "part_size={part_size} limit={limit}");
        for ((name, ab), (_, ob)) in a.iter().zip(&o) {
            assert!(
                ab == ob,
                "{name} differs (part_size={part_size} limit={limit})"
            );
        }
    }
}

#[test]
fn it_inspects_what_amandas_taper_leaves_as_notes_not_errors() {
    use reelcheck_tape::inspect::{Note, inspect};
    // No LEOM: part 3 fails at MAX_VOLUME_USAGE and leaves a header-only file (§9, §10.3).
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "failed-part");
    let data = dump_bytes(1_048_576, 13);
    let parts = amanda_volume_leom(tmp.path(), &vol, "VOL-1", &data, 262_144, 655_360, false);
    assert_eq!(
        parts.last().map(|p| (p.fileno, p.ok, p.eom)),
        Some((3, false, true))
    );
    let r = inspect(&vol).expect("inspects");
    assert!(r.is_ok(), "{r}");
    assert_eq!(r.files.len(), 3);
    assert_eq!(r.notes, [Note::HeaderOnly { fileno: 3 }], "{r}");
    assert_eq!(
        r.files[2]
            .header
            .as_ref()
            .and_then(|h| h.as_dump())
            .map(|d| d.parts()),
        Some((3, -1))
    );

    // A dump of exactly 4 parts: the splitter adds an empty fifth part (§10.3).
    let vol = mkdir(tmp.path(), "empty-trailing-part");
    let parts = amanda_volume(tmp.path(), &vol, "VOL-2", &data, 262_144, 0);
    assert_eq!(parts.len(), 5);
    let r = inspect(&vol).expect("inspects");
    assert!(r.is_ok(), "{r}");
    assert_eq!(r.notes, [Note::HeaderOnly { fileno: 5 }], "{r}");
    assert_eq!(r.volume_bytes(), 32_768 * 6 + 1_048_576);
}

#[test]
fn it_names_and_quotes_awkward_hosts_and_disks_as_amanda_does() {
    // sanitise_filename turns '/', ':' and '\\' into '_'; quote_string quotes the disk in
    // the header. Same dump, same host and disk: both volumes must be identical.
    let data = dump_bytes(70_000, 23);
    for (host, disk) in [
        ("my:host", "C:\\dir/sub"),
        ("client", "/with space/x"),
        ("h", "/d\u{e9}j\u{e0}"),
    ] {
        let tmp = tempfile::tempdir().expect("tempdir");
        let theirs = mkdir(tmp.path(), "amanda");
        let ours = mkdir(tmp.path(), "ours");
        let datafile = tmp.path().join("dump.bin");
        std::fs::write(&datafile, &data).expect("data");
        let out = run_perl(
            tmp.path(),
            AMANDA_SPLITTER,
            &[
                &theirs.to_string_lossy(),
                "VOL-1",
                &datafile.to_string_lossy(),
                "0",
                "0",
                "1",
                "write",
                "1",
                host,
                disk,
            ],
        );
        assert!(out.contains("DONE") && !out.contains("ERROR"), "{out}");
        let mut dev = VfsDevice::new("vtape0", &ours, vec![]);
        dev.start(AccessMode::Write, Some("VOL-1"), Some("20240101000000"))
            .expect("label");
        let h = DumpHeader::split(
            "20240101000000",
            host,
            disk,
            0,
            "/bin/tar",
            std::num::NonZeroU32::new(1).expect("1"),
            None,
        );
        let text = Header::Dump(Box::new(h)).to_text().expect("header");
        dev.start_file(text.as_bytes()).expect("file");
        for c in data.chunks(32_768) {
            assert_eq!(dev.write_block(c).expect("write"), WriteResult::Success);
        }
        dev.finish_file().expect("close");
        dev.finish().expect("finish");
        let (a, o) = (tree(&theirs), tree(&ours));
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&o), names(&a), "host={host:?} disk={disk:?}");
        for ((name, ab), (_, ob)) in a.iter().zip(&o) {
            assert!(ab == ob, "{name} differs (host={host:?} disk={disk:?})");
        }
    }
}

#[test]
fn it_splits_like_amandas_taper_for_random_sizes_limits_and_part_sizes() {
    // Deterministic configurations (xorshift, fixed seed): dump length (some exact
    // multiples of the part size, for the empty trailing part), part size, MAX_VOLUME_USAGE
    // (some below two headers, for a header that hits PEOM), LEOM on or off.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    for case in 0..13 {
        let part_size = if next(3) == 0 {
            0
        } else {
            32_768 * (1 + next(12))
        };
        let limit = if next(4) == 0 {
            0
        } else {
            32_769 + next(1_500_000)
        };
        let leom = next(2) == 0;
        let len = match next(4) {
            0 => (part_size.max(32_768) * next(5)) as usize,
            _ => next(1_200_000) as usize,
        };
        let block = [32_768usize, 65_536, 16_384][next(3) as usize];
        // Case 12 is fixed: exactly four parts, so the splitter adds an empty fifth.
        let (part_size, limit, leom, len, block) = if case == 12 {
            (262_144, 0, true, 1_048_576, 32_768)
        } else {
            (part_size, limit, leom, len, block)
        };
        let what = format!(
            "case {case}: len={len} part_size={part_size} limit={limit} leom={leom} block={block}"
        );
        let data = dump_bytes(len, case);
        let tmp = tempfile::tempdir().expect("tempdir");
        let theirs = mkdir(tmp.path(), "amanda");
        let ours = mkdir(tmp.path(), "ours");
        let amanda_parts = amanda_volume_block(
            tmp.path(),
            &theirs,
            "VOL-1",
            &data,
            part_size,
            limit,
            leom,
            block,
        );
        let our_parts = our_volume_block(
            &ours,
            "VOL-1",
            &data,
            part_size,
            (limit > 0).then_some(limit),
            leom,
            block,
        );
        assert_eq!(our_parts, amanda_parts, "{what}");
        let (a, o) = (tree(&theirs), tree(&ours));
        let names = |t: &[(String, Vec<u8>)]| t.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&o), names(&a), "{what}");
        for ((name, ab), (_, ob)) in a.iter().zip(&o) {
            assert!(ab == ob, "{name} differs ({what})");
        }
    }
}
