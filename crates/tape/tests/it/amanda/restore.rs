//! `amrestore` lists and restores the volumes our vfs device writes.

use reelcheck_tape::device::{AccessMode, Device, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::vfs::VfsDevice;

use super::support::{PartDone, amrestore, check, dump_bytes, find_program, mkdir, our_volume};

#[test]
fn it_amrestore_lists_and_restores_split_parts_we_wrote_byte_for_byte() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "vol");
    let out = mkdir(tmp.path(), "out");
    let data = dump_bytes(1_000_000, 7);
    let parts = our_volume(&vol, "VOL-1", &data, 262_144, None);
    assert_eq!(parts.len(), 4);

    // Listing: a host that matches nothing makes amrestore skip (and name) every file.
    let (_, listing) = amrestore(
        tmp.path(),
        &out,
        &[
            "-l",
            "VOL-1",
            &format!("file:{}", vol.display()),
            "nosuchhost",
        ],
    );
    assert!(
        listing.contains("Restoring from tape VOL-1 starting with file 1."),
        "{listing}"
    );
    for p in 1..=4 {
        // Line format from reference §10.4.
        let line = format!(
            "amrestore: {p}: skipping split dumpfile: date 20240101000000 host myhost disk /my/disk part {p}/UNKNOWN lev 0 comp N program /bin/tar"
        );
        assert!(listing.contains(&line), "missing {line:?} in:\n{listing}");
    }
    assert_eq!(
        std::fs::read_dir(&out).expect("out").count(),
        0,
        "nothing restored"
    );

    let (_, log) = amrestore(
        tmp.path(),
        &out,
        &["-l", "VOL-1", &format!("file:{}", vol.display())],
    );
    let mut restored = Vec::new();
    for p in 1..=4u32 {
        assert!(
            log.contains(&format!("amrestore: {p}: restoring split dumpfile")),
            "{log}"
        );
        let name = format!("myhost._my_disk.20240101000000.0.{p:07}");
        let bytes = std::fs::read(out.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}\n{log}"));
        assert_eq!(bytes.len() as u64, parts[p as usize - 1].size, "{name}");
        restored.extend(bytes);
    }
    assert!(restored == data, "amrestore's parts reassemble to the dump");
}

#[test]
fn it_amrestore_restores_the_part_we_cut_at_leom() {
    // Reference §5.5/§9: MAX_VOLUME_USAGE 655360, no part size: one part of 491 520 bytes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "vol");
    let out = mkdir(tmp.path(), "out");
    let data = dump_bytes(1_048_576, 11);
    let parts = our_volume(&vol, "VOL-1", &data, 0, Some(655_360));
    assert_eq!(
        parts,
        [PartDone {
            partnum: 1,
            fileno: 1,
            size: 491_520,
            ok: true,
            eom: true,
            eof: false
        }]
    );
    let (_, log) = amrestore(tmp.path(), &out, &[&format!("file:{}", vol.display())]);
    let bytes = std::fs::read(out.join("myhost._my_disk.20240101000000.0.0000001")).expect(&log);
    assert!(
        bytes == data[..491_520],
        "restored part equals the first 491520 bytes"
    );
}

#[test]
fn it_amrestore_restores_a_whole_file_dump_with_a_quoted_disk_name() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "vol");
    let out = mkdir(tmp.path(), "out");
    let data = dump_bytes(100_000, 3);
    // The dump is gzip-compressed ("comp .gz"): amrestore must uncompress it.
    let gzip = std::process::Command::new(find_program("gzip"))
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run gzip");
    let compressed = {
        let mut child = gzip;
        let mut stdin = child.stdin.take().expect("stdin");
        let feed = data.clone();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &feed));
        let out = check(child.wait_with_output().expect("gzip output"), "gzip");
        writer.join().expect("writer thread").expect("feed gzip");
        out.stdout
    };
    let mut dev = VfsDevice::new("vtape0", &vol, vec![]);
    dev.start(AccessMode::Write, Some("VOL-Q"), Some("20240101"))
        .expect("label");
    let mut h = DumpHeader::file("20240101", "client.example", "/srv/my data", 1, "/bin/tar");
    h.compression = Some(".gz".to_owned());
    h.set_restore_commands(None, Some("/bin/gzip -dc |"), Some("/bin/tar -xpGf - ..."))
        .expect("valid");
    let text = Header::Dump(Box::new(h)).to_text().expect("valid");
    assert!(
        text.contains(" \"/srv/my data\"  lev 1 comp .gz "),
        "{text}"
    );
    dev.start_file(text.as_bytes()).expect("start_file");
    for chunk in compressed.chunks(32_768) {
        assert_eq!(dev.write_block(chunk).expect("ok"), WriteResult::Success);
    }
    dev.finish_file().expect("finish_file");
    dev.finish().expect("finish");
    let (_, log) = amrestore(tmp.path(), &out, &[&format!("file:{}", vol.display())]);
    assert!(
        log.contains("amrestore: 1: restoring FILE: date 20240101 host client.example disk \"/srv/my data\" lev 1 comp .gz program /bin/tar"),
        "{log}"
    );
    let files: Vec<_> = std::fs::read_dir(&out)
        .expect("out")
        .map(|e| e.expect("entry").path())
        .collect();
    assert_eq!(files.len(), 1, "{log}");
    // amrestore read "comp .gz" from our header and ran gzip -dc on the data.
    assert!(std::fs::read(&files[0]).expect("restored") == data);
}
