//! Real Amanda (Debian 3.5.1) as the oracle, both ways (reference §9, §10.4):
//! `amrestore` lists and restores volumes we write; volumes Amanda's own taper writes
//! (a Perl script driving `Amanda::Device` and the splitter) are read by our vfs device;
//! the same dump written by both gives identical directories; `Amanda::Header` re-encodes
//! our headers to the same bytes.
//!
//! These tests run the real programs. Without them they fail and say what to install.
//! The Perl scripts skip `Amanda::Debug::dbopen`, so they leave no debug logs in
//! /var/log/amanda and need no write access there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reelcheck_tape::device::{
    AccessMode, Device, Property, ReadResult, SeekResult, StatusFlags, WriteResult,
};
use reelcheck_tape::header::{DumpHeader, FileType, Header};
use reelcheck_tape::vfs::VfsDevice;

const INSTALL: &str = "apt-get install amanda-server amanda-client amanda-common";

// ---- finding and running the real programs ---------------------------------------------

fn find_program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found (is Amanda installed?): {INSTALL}"))
}

/// `PERL5LIB` for Amanda's Perl modules (not on @INC on Debian, reference §9).
fn amanda_perl_lib() -> PathBuf {
    let lib = Path::new("/usr/lib");
    let candidates = std::fs::read_dir(lib)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path().join("amanda/perl"))
                .chain([lib.join("amanda/perl")])
                .filter(|p| p.join("Amanda/Device.pm").is_file())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    candidates
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("Amanda's Perl modules (Amanda/Device.pm) not found: {INSTALL}"))
}

fn check(out: Output, what: &str) -> Output {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Runs a Perl script (written to `work`) with Amanda's modules on `PERL5LIB`.
fn run_perl(work: &Path, script: &str, args: &[&str]) -> String {
    let perl = find_program("perl");
    let file = work.join("script.pl");
    std::fs::write(&file, script).expect("write the Perl script");
    let out = Command::new(perl)
        .arg(&file)
        .args(args)
        .env("PERL5LIB", amanda_perl_lib())
        .output()
        .expect("run perl");
    String::from_utf8_lossy(&check(out, "perl script").stdout).into_owned()
}

fn chmod_tree(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::symlink_metadata(path).expect("stat");
    if meta.file_type().is_symlink() {
        return;
    }
    let mode = if meta.is_dir() { 0o777 } else { 0o666 };
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
    if meta.is_dir() {
        for e in std::fs::read_dir(path).expect("readdir") {
            chmod_tree(&e.expect("entry").path());
        }
    }
}

/// Runs `amrestore ARGS` in `out_dir` (reference §10.4): as the `backup` user when we are
/// root (amrestore refuses root), after making the trees readable and writable.
/// Returns (stdout, stderr).
fn amrestore(tree: &Path, out_dir: &Path, args: &[&str]) -> (String, String) {
    let amrestore = find_program("amrestore");
    chmod_tree(tree);
    let out = if nix::unistd::geteuid().is_root() {
        let runuser = find_program("runuser");
        Command::new(runuser)
            .args(["-u", "backup", "--"])
            .arg(&amrestore)
            .args(args)
            .current_dir(out_dir)
            .output()
            .expect("run amrestore as backup")
    } else {
        Command::new(&amrestore)
            .args(args)
            .current_dir(out_dir)
            .output()
            .expect("run amrestore")
    };
    let out = check(out, "amrestore");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

// ---- test data and a small splitter on our device ------------------------------------

/// Deterministic bytes (xorshift64*), so every run writes the same dump.
pub(crate) fn dump_bytes(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        out.extend_from_slice(&x.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// One part written by [`split_dump`], as Amanda's XMSG_PART_DONE reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PartDone {
    pub partnum: u32,
    pub fileno: u32,
    pub size: u64,
    pub ok: bool,
    pub eom: bool,
    pub eof: bool,
}

/// Writes `data` as a split dump the way Amanda's splitter
/// (`xfer-dest-taper-splitter.c` `device_thread_write_part`) does on vfs.
pub(crate) fn split_dump(dev: &mut VfsDevice, data: &[u8], part_size: u64) -> Vec<PartDone> {
    split_dump_from(dev, data, part_size, 1)
}

/// [`split_dump`] numbering the parts from `first_part`. Per part: a header that fails
/// or hits LEOM is a successful 0-byte part (file number 0); then blocks of the device's
/// block size, the last one short, until the data ends (EOF), `part_size` is reached or a write reports LEOM;
/// `Full` ends the part successfully, `Failed` fails it. The part number advances after a
/// successful part with data; writing stops at EOM, EOF or a failure (no part cache).
pub(crate) fn split_dump_from(
    dev: &mut VfsDevice,
    data: &[u8],
    part_size: u64,
    first_part: u32,
) -> Vec<PartDone> {
    let mut parts = Vec::new();
    let mut offset = 0usize;
    let mut partnum = first_part;
    for _ in 0..10_000 {
        let header = DumpHeader::split(
            "20240101000000",
            "myhost",
            "/my/disk",
            0,
            "/bin/tar",
            std::num::NonZeroU32::new(partnum).expect("from 1"),
            None,
        );
        let text = Header::Dump(Box::new(header))
            .to_text()
            .expect("valid header");
        let started = dev.start_file(text.as_bytes());
        let (mut fileno, mut size, mut ok, mut eof) = (0, 0u64, true, false);
        if let Ok(f) = started
            && !dev.state().is_eom
        {
            fileno = f;
            loop {
                if offset == data.len() {
                    eof = true;
                    break;
                }
                let end = (offset + dev.properties().block_size).min(data.len());
                match dev.write_block(&data[offset..end]).expect("no misuse") {
                    WriteResult::Success => {}
                    WriteResult::Failed => {
                        ok = false;
                        break;
                    }
                    WriteResult::Full | WriteResult::Space => break,
                }
                size += (end - offset) as u64;
                offset = end;
                if (part_size > 0 && size >= part_size) || dev.state().is_eom {
                    break;
                }
            }
        }
        if dev.state().in_file {
            dev.finish_file().expect("finish_file");
        }
        let eom = dev.state().is_eom;
        parts.push(PartDone {
            partnum,
            fileno,
            size,
            ok,
            eom,
            eof,
        });
        if ok && size > 0 {
            partnum += 1;
        }
        if eom || eof || !ok {
            break;
        }
    }
    parts
}

fn our_volume(
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: Option<u64>,
) -> Vec<PartDone> {
    our_volume_leom(dir, label, data, part_size, limit, true)
}

fn our_volume_leom(
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: Option<u64>,
    leom: bool,
) -> Vec<PartDone> {
    our_volume_block(dir, label, data, part_size, limit, leom, 32_768)
}

fn our_volume_block(
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: Option<u64>,
    leom: bool,
    block: usize,
) -> Vec<PartDone> {
    let mut dev = VfsDevice::new("vtape0", dir, vec![]);
    dev.set_property(Property::BlockSize(block))
        .expect("settable");
    dev.set_property(Property::MaxVolumeUsage(limit))
        .expect("settable");
    dev.set_property(Property::Leom(leom)).expect("settable");
    dev.start(AccessMode::Write, Some(label), Some("20240101000000"))
        .expect("label");
    let parts = split_dump(&mut dev, data, part_size);
    // After a header hit MAX_VOLUME_USAGE the device is in error and finish reports it,
    // as Amanda's does (the taper ignores it too).
    let finished = dev.finish();
    assert!(
        finished.is_ok() || dev.state().status.in_error(),
        "{finished:?}"
    );
    assert_eq!(dev.state().access_mode, AccessMode::Null);
    parts
}

// ---- Amanda's taper, driven from Perl (reference §9 recipe 3) ------------------------

const AMANDA_SPLITTER: &str = r#"
use strict; use warnings;
use Amanda::Config qw(:init);
use Amanda::Device qw(:constants);
use Amanda::Header;
use Amanda::Xfer qw(:constants);
use Amanda::XferServer;
use Amanda::MainLoop;
config_init($CONFIG_INIT_CLIENT, undef);
my ($dir, $label, $datafile, $part_size, $mvu, $leom, $mode, $first_part, $host, $disk, $bs) = @ARGV;
$part_size += 0; $mvu += 0; $leom += 0;
$mode //= "write"; $first_part = ($first_part // 1) + 0;
$host //= "myhost"; $disk //= "/my/disk"; $bs = ($bs // 32768) + 0;
my $dev = Amanda::Device->new("file:$dir");
die "new: " . $dev->error_or_status() if $dev->status != $DEVICE_STATUS_SUCCESS;
# (property_set returns undef here even when it succeeds: check the effect instead.)
$dev->property_set("BLOCK_SIZE", $bs);
die "block size not set: " . $dev->block_size if $dev->block_size != $bs;
$dev->property_set("MAX_VOLUME_USAGE", $mvu) if $mvu > 0;
$dev->property_set("LEOM", $leom);
if ($mode eq "append") {
    $dev->start($ACCESS_APPEND, undef, undef) or die "start: " . $dev->error_or_status();
} else {
    $dev->start($ACCESS_WRITE, $label, "20240101000000") or die "start: " . $dev->error_or_status();
}
my $hdr = Amanda::Header->new();
$hdr->{type} = $Amanda::Header::F_SPLIT_DUMPFILE;
$hdr->{datestamp} = "20240101000000";
$hdr->{dumplevel} = 0;
$hdr->{compressed} = 0;
$hdr->{name} = $host;
$hdr->{disk} = $disk;
$hdr->{program} = "/bin/tar";
$hdr->{partnum} = $first_part;
$hdr->{totalparts} = -1;
open(my $fh, "<", $datafile) or die "open: $!";
my $src = Amanda::Xfer::Source::Fd->new(fileno($fh));
my $xdt = Amanda::Xfer::Dest::Taper::Splitter->new($dev, 1024 * 1024, $part_size, 0);
my $xfer = Amanda::Xfer->new([$src, $xdt]);
$xfer->start(sub {
    my ($s, $msg, $x) = @_;
    if ($msg->{type} == $XMSG_PART_DONE) {
        print "PART $msg->{partnum} $msg->{fileno} $msg->{size} $msg->{successful} $msg->{eom} $msg->{eof}\n";
        if ($msg->{eom} || $msg->{eof}) { $x->cancel() unless $msg->{eof}; }
        else {
            $hdr->{partnum}++ if $msg->{successful} && $msg->{size} > 0;
            $xdt->start_part(!$msg->{successful}, $hdr);
        }
    } elsif ($msg->{type} == $XMSG_ERROR) {
        print "ERROR $msg->{message}\n";
    }
    Amanda::MainLoop::quit() if $x->get_status() == $XFER_DONE;
}, 0, 0);
$xdt->start_part(0, $hdr);
Amanda::MainLoop::run();
$dev->finish();
print "DONE\n";
"#;

/// Writes `data` onto a fresh vfs volume in `dir` with Amanda's own splitter; returns the
/// PART_DONE messages.
fn amanda_volume(
    work: &Path,
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: u64,
) -> Vec<PartDone> {
    amanda_volume_leom(work, dir, label, data, part_size, limit, true)
}

fn amanda_volume_leom(
    work: &Path,
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: u64,
    leom: bool,
) -> Vec<PartDone> {
    amanda_volume_block(work, dir, label, data, part_size, limit, leom, 32_768)
}

#[allow(clippy::too_many_arguments)]
fn amanda_volume_block(
    work: &Path,
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: u64,
    leom: bool,
    block: usize,
) -> Vec<PartDone> {
    let datafile = work.join("dump.bin");
    std::fs::write(&datafile, data).expect("write dump data");
    let out = run_perl(
        work,
        AMANDA_SPLITTER,
        &[
            &dir.to_string_lossy(),
            label,
            &datafile.to_string_lossy(),
            &part_size.to_string(),
            &limit.to_string(),
            if leom { "1" } else { "0" },
            "write",
            "1",
            "myhost",
            "/my/disk",
            &block.to_string(),
        ],
    );
    assert!(
        out.contains("DONE"),
        "Amanda's splitter did not finish:\n{out}"
    );
    assert!(!out.contains("ERROR"), "Amanda's splitter failed:\n{out}");
    out.lines()
        .filter_map(|l| l.strip_prefix("PART "))
        .map(|l| {
            let f: Vec<u64> = l.split(' ').map(|v| v.parse().expect("number")).collect();
            PartDone {
                partnum: f[0] as u32,
                fileno: f[1] as u32,
                size: f[2],
                ok: f[3] == 1,
                eom: f[4] == 1,
                eof: f[5] == 1,
            }
        })
        .collect()
}

fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .expect("readdir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().into_string().expect("utf-8 name"),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    v.sort();
    v
}

fn mkdir(parent: &Path, name: &str) -> PathBuf {
    let p = parent.join(name);
    std::fs::create_dir(&p).expect("mkdir");
    p
}

// ---- tests -------------------------------------------------------------------------------

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

const HEADER_ORACLE: &str = r#"
use strict; use warnings;
use Amanda::Header;
my ($in, $out) = @ARGV;
open(my $fh, "<:raw", $in) or die "open: $!";
open(my $oh, ">:raw", $out) or die "open: $!";
local $/ = undef;
my $all = <$fh>;
my $pos = 0;
while ($pos < length($all)) {
    my $nl = index($all, "\n", $pos);
    my $len = substr($all, $pos, $nl - $pos) + 0;
    my $text = substr($all, $nl + 1, $len);
    $pos = $nl + 1 + $len;
    my $h = Amanda::Header->from_string($text);
    # parse_file_header ignores bs=; put it back as the vfs device does.
    $h->{blocksize} = $1 * 1024 if $text =~ /\tdd if=<tape> bs=(\d+)k /;
    my $again = $h->to_string(32768, 32768);
    $again =~ s/\0+$//;
    for my $s ($again, $h->summary(), $h->{type}, $h->{name}, $h->{disk}, $h->{dumplevel},
               $h->{partnum}, $h->{totalparts}) {
        print $oh length($s), "\n", $s;
    }
}
"#;

#[test]
fn it_agrees_with_amanda_header_on_generated_headers() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut runner = TestRunner::deterministic();
    let strategy = crate::header::header();
    let headers: Vec<Header> = (0..1000)
        .map(|_| strategy.new_tree(&mut runner).expect("generates").current())
        .filter(|h| {
            // Amanda maps the pre-2.2 suffix "C" to ".Z" when it parses a header.
            h.as_dump()
                .is_none_or(|d| d.compression.as_deref() != Some("C"))
        })
        .collect();
    let mut input = Vec::new();
    for h in &headers {
        let text = h.to_text().expect("valid");
        input.extend_from_slice(format!("{}\n", text.len()).as_bytes());
        input.extend_from_slice(text.as_bytes());
    }
    let (inp, outp) = (tmp.path().join("in"), tmp.path().join("out"));
    std::fs::write(&inp, &input).expect("write input");
    run_perl(
        tmp.path(),
        HEADER_ORACLE,
        &[&inp.to_string_lossy(), &outp.to_string_lossy()],
    );
    let output = std::fs::read(&outp).expect("oracle output");
    let mut rest = &output[..];
    let mut next = || -> String {
        let nl = rest.iter().position(|&b| b == b'\n').expect("length line");
        let len: usize = std::str::from_utf8(&rest[..nl])
            .expect("utf-8")
            .parse()
            .expect("length");
        let s = String::from_utf8(rest[nl + 1..nl + 1 + len].to_vec()).expect("utf-8 record");
        rest = &rest[nl + 1 + len..];
        s
    };
    for h in &headers {
        let (again, summary) = (next(), next());
        let f: Vec<String> = (0..6).map(|_| next()).collect();
        let ours = h.to_text().expect("valid");
        assert_eq!(again, ours, "Amanda re-encodes our header differently");
        assert_eq!(
            summary,
            h.summary(),
            "summarize_header differs for {ours:?}"
        );
        assert_eq!(f[0], h.file_type().amanda_code().to_string(), "{ours:?}");
        if let Some(d) = h.as_dump() {
            assert_eq!((&f[1], &f[2]), (&d.host, &d.disk), "{ours:?}");
            assert_eq!(f[3], d.level.to_string());
            let (p, t) = d.parts();
            assert_eq!((&f[4], &f[5]), (&p.to_string(), &t.to_string()), "{ours:?}");
        }
    }
    assert!(rest.is_empty());
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

const AMANDA_CHANGER: &str = r#"
use strict; use warnings;
use Amanda::Config qw(:init :getconf);
use Amanda::Storage;
use Amanda::MainLoop;
use Amanda::Device qw(:constants);
config_init($CONFIG_INIT_USE_CWD, undef);
my ($lvl, @errs) = config_errors();
die "config: @errs" if $lvl >= $CFGERR_ERRORS;
my $storage = Amanda::Storage->new();
die "storage: $storage" if $storage->isa("Amanda::Changer::Error");
my $chg = $storage->{'chg'};
$chg->inventory(inventory_cb => sub {
    my ($err, $inv) = @_;
    die "inventory: $err" if $err;
    for my $s (@$inv) {
        print "INV $s->{slot} ", ($s->{label} // '-'), " ", ($s->{current} ? 1 : 0), "\n";
    }
    $chg->load(label => "VOL-2", res_cb => sub {
        my ($err, $res) = @_;
        die "load: $err" if $err;
        my $dev = $res->{device};
        print "LOADED $res->{this_slot} ", ($dev->volume_label // '-'), "\n";
        $dev->start($ACCESS_READ, undef, undef) or die "start: " . $dev->error_or_status();
        my $hdr = $dev->seek_file(1) or die "seek: " . $dev->error_or_status();
        print "FILE1 ", $hdr->summary(), "\n";
        $dev->finish();
        $res->release(finished_cb => sub {
            $chg->load(relative_slot => "next", set_current => 1, res_cb => sub {
                my ($err, $res) = @_;
                die "load next: $err" if $err;
                print "NEXT $res->{this_slot}\n";
                $res->release(finished_cb => sub { $storage->quit(); Amanda::MainLoop::quit(); });
            });
        });
    });
});
Amanda::MainLoop::run();
"#;

#[test]
fn it_amanda_changer_uses_a_vtape_library_we_built() {
    use reelcheck_tape::vfs::vtape::VtapeLibrary;
    let tmp = tempfile::tempdir().expect("tempdir");
    let lib = VtapeLibrary::create(tmp.path().join("lib"), 3).expect("library");
    for n in 1..=3 {
        lib.label_volume(n, &format!("VOL-{n}"), "20240101000000")
            .expect("label");
    }
    let data = dump_bytes(400_000, 17);
    let mut dev = lib.device(2).expect("slot 2");
    dev.start(AccessMode::Write, Some("VOL-2"), Some("20240101000000"))
        .expect("label");
    let parts = split_dump(&mut dev, &data, 262_144);
    dev.finish().expect("finish");
    assert_eq!(parts.len(), 2);
    lib.set_current(1).expect("current 1");

    let conf = mkdir(tmp.path(), "conf");
    let c = conf.display();
    std::fs::write(
        conf.join("amanda.conf"),
        format!(
            "org \"reelcheck\"\ninfofile \"{c}/curinfo\"\nlogdir \"{c}\"\nindexdir \"{c}/index\"\n\
             tapelist \"{c}/tapelist\"\ntpchanger \"chg-disk:{}\"\nlabelstr \"^VOL-.*$\"\n\
             tapetype \"TEST\"\ndefine tapetype TEST {{\n    length 100 mbytes\n}}\n",
            lib.root().display()
        ),
    )
    .expect("amanda.conf");
    std::fs::write(conf.join("tapelist"), "").expect("tapelist");
    let run = || {
        let perl = find_program("perl");
        let script = conf.join("changer.pl");
        std::fs::write(&script, AMANDA_CHANGER).expect("script");
        let out = Command::new(perl)
            .arg(&script)
            .current_dir(&conf)
            .env("PERL5LIB", amanda_perl_lib())
            .output()
            .expect("perl");
        String::from_utf8_lossy(&check(out, "Amanda changer script").stdout).into_owned()
    };
    let out = run();
    // Amanda sees our slots, labels and current slot.
    for line in [
        "INV 1 VOL-1 1",
        "INV 2 VOL-2 0",
        "INV 3 VOL-3 0",
        "LOADED 2 VOL-2",
    ] {
        assert!(
            out.lines().any(|l| l == line),
            "missing {line:?} in:\n{out}"
        );
    }
    assert!(
        out.contains("FILE1 split dumpfile: date 20240101000000 host myhost disk /my/disk part 1/UNKNOWN lev 0 comp N program /bin/tar"),
        "{out}"
    );
    assert!(out.lines().any(|l| l == "NEXT 2"), "{out}");
    // Amanda moved the current slot; we see it, and "file:<root>" reads it via `data`.
    assert_eq!(lib.current().expect("current"), Some(2));
    let restored = mkdir(tmp.path(), "out");
    let (_, log) = amrestore(
        tmp.path(),
        &restored,
        &[&format!("file:{}", lib.root().display())],
    );
    assert!(
        log.contains("Restoring from tape VOL-2 starting with file 1."),
        "{log}"
    );
    let mut all =
        std::fs::read(restored.join("myhost._my_disk.20240101000000.0.0000001")).expect(&log);
    all.extend(
        std::fs::read(restored.join("myhost._my_disk.20240101000000.0.0000002")).expect(&log),
    );
    assert!(
        all == data,
        "amrestore through the data link restores the dump"
    );

    // We move the current slot; Amanda follows.
    lib.set_current(3).expect("current 3");
    let out = run();
    assert!(out.lines().any(|l| l == "INV 3 VOL-3 1"), "{out}");
    assert!(out.lines().any(|l| l == "INV 1 VOL-1 0"), "{out}");
}

#[test]
fn it_shares_one_volume_with_amanda_by_appending_in_turn() {
    // We write parts 1-2, Amanda appends parts 3-4, we append part 5: both sides number
    // files as 1 + the highest present and count the volume from the file sizes.
    let tmp = tempfile::tempdir().expect("tempdir");
    let vol = mkdir(tmp.path(), "vol");
    let out = mkdir(tmp.path(), "out");
    let data = dump_bytes(5 * 100_000, 19);
    let chunk = |i: usize| &data[i * 100_000..(i + 1) * 100_000];
    let mut dev = VfsDevice::new("vtape0", &vol, vec![]);
    dev.start(AccessMode::Write, Some("VOL-S"), Some("20240101000000"))
        .expect("label");
    for p in 0..2 {
        let parts = split_dump_from(&mut dev, chunk(p), 0, p as u32 + 1);
        assert_eq!(parts.len(), 1);
    }
    dev.finish().expect("finish");

    let datafile = tmp.path().join("amanda-part.bin");
    for (p, part) in [(2usize, "3"), (3, "4")] {
        std::fs::write(&datafile, chunk(p)).expect("data");
        let out = run_perl(
            tmp.path(),
            AMANDA_SPLITTER,
            &[
                &vol.to_string_lossy(),
                "VOL-S",
                &datafile.to_string_lossy(),
                "0",
                "0",
                "1",
                "append",
                part,
            ],
        );
        assert!(out.contains("DONE") && !out.contains("ERROR"), "{out}");
    }
    let mut dev = VfsDevice::new("vtape0", &vol, vec![]);
    dev.start(AccessMode::Append, None, None).expect("append");
    assert_eq!(
        dev.volume_bytes(),
        32_768 * 5 + 400_000,
        "counted from the file sizes"
    );
    let h = DumpHeader::split(
        "20240101000000",
        "myhost",
        "/my/disk",
        0,
        "/bin/tar",
        std::num::NonZeroU32::new(5).expect("5"),
        None,
    );
    let text = Header::Dump(Box::new(h)).to_text().expect("header");
    assert_eq!(dev.start_file(text.as_bytes()).expect("file"), 5);
    for c in chunk(4).chunks(32_768) {
        assert_eq!(dev.write_block(c).expect("write"), WriteResult::Success);
    }
    dev.finish_file().expect("close");
    dev.finish().expect("finish");

    let (_, log) = amrestore(tmp.path(), &out, &[&format!("file:{}", vol.display())]);
    let mut all = Vec::new();
    for p in 1..=5 {
        let name = format!("myhost._my_disk.20240101000000.0.{p:07}");
        all.extend(std::fs::read(out.join(&name)).unwrap_or_else(|e| panic!("{name}: {e}\n{log}")));
    }
    assert!(
        all == data,
        "five parts from two writers restore to the dump"
    );
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
