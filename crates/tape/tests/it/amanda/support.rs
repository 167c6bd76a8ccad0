//! Helpers for the real-Amanda tests: finding and running Amanda's programs and Perl
//! scripts, writing volumes with our vfs device and with Amanda's own taper, and reading
//! directory trees back.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use reelcheck_tape::device::{AccessMode, Device, Property, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::vfs::VfsDevice;

pub(super) const INSTALL: &str = "apt-get install amanda-server amanda-client amanda-common";

// ---- finding and running the real programs ---------------------------------------------

pub(super) fn find_program(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs: Vec<PathBuf> = std::env::split_paths(&path).collect();
    dirs.extend(["/usr/sbin", "/usr/local/sbin", "/sbin", "/usr/bin"].map(PathBuf::from));
    dirs.into_iter()
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not found (is Amanda installed?): {INSTALL}"))
}

/// The Amanda release these differentials were verified against (reference §9).
pub(super) const AMANDA_VERSION: &str = "3.5.1";

/// `PERL5LIB` for Amanda's Perl modules (not on @INC on Debian, reference §9), once
/// the installed Amanda is checked to be [`AMANDA_VERSION`]: a comparison against
/// another release would not say what it claims.
pub(super) fn amanda_perl_lib() -> PathBuf {
    static CHECKED: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CHECKED
        .get_or_init(|| {
            let lib = find_amanda_perl_lib();
            let out = Command::new(find_program("perl"))
                .args(["-e", "use Amanda::Constants; print $Amanda::Constants::VERSION"])
                .env("PERL5LIB", &lib)
                .output()
                .expect("run perl");
            let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
            assert_eq!(
                version, AMANDA_VERSION,
                "installed Amanda is {version:?}, these tests compare with Amanda {AMANDA_VERSION}: {INSTALL}"
            );
            lib
        })
        .clone()
}

fn find_amanda_perl_lib() -> PathBuf {
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

pub(super) fn check(out: Output, what: &str) -> Output {
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
pub(super) fn run_perl(work: &Path, script: &str, args: &[&str]) -> String {
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

pub(super) fn chmod_tree(path: &Path) {
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
pub(super) fn amrestore(tree: &Path, out_dir: &Path, args: &[&str]) -> (String, String) {
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
pub(super) fn dump_bytes(len: usize, seed: u64) -> Vec<u8> {
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
pub(super) struct PartDone {
    pub(super) partnum: u32,
    pub(super) fileno: u32,
    pub(super) size: u64,
    pub(super) ok: bool,
    pub(super) eom: bool,
    pub(super) eof: bool,
}

/// Writes `data` as a split dump the way Amanda's splitter
/// (`xfer-dest-taper-splitter.c` `device_thread_write_part`) does on vfs.
pub(super) fn split_dump(dev: &mut VfsDevice, data: &[u8], part_size: u64) -> Vec<PartDone> {
    split_dump_from(dev, data, part_size, 1)
}

/// [`split_dump`] numbering the parts from `first_part`. Per part: a header that fails
/// or hits LEOM is a successful 0-byte part (file number 0); then blocks of the device's
/// block size, the last one short, until the data ends (EOF), `part_size` is reached or a write reports LEOM;
/// `Full` ends the part successfully, `Failed` fails it. The part number advances after a
/// successful part with data; writing stops at EOM, EOF or a failure (no part cache).
pub(super) fn split_dump_from(
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

pub(super) fn our_volume(
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: Option<u64>,
) -> Vec<PartDone> {
    our_volume_leom(dir, label, data, part_size, limit, true)
}

pub(super) fn our_volume_leom(
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: Option<u64>,
    leom: bool,
) -> Vec<PartDone> {
    our_volume_block(dir, label, data, part_size, limit, leom, 32_768)
}

pub(super) fn our_volume_block(
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

pub(super) const AMANDA_SPLITTER: &str = r#"
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
pub(super) fn amanda_volume(
    work: &Path,
    dir: &Path,
    label: &str,
    data: &[u8],
    part_size: u64,
    limit: u64,
) -> Vec<PartDone> {
    amanda_volume_leom(work, dir, label, data, part_size, limit, true)
}

pub(super) fn amanda_volume_leom(
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
pub(super) fn amanda_volume_block(
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

pub(super) fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
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

pub(super) fn mkdir(parent: &Path, name: &str) -> PathBuf {
    let p = parent.join(name);
    std::fs::create_dir(&p).expect("mkdir");
    p
}

// ---- tests -------------------------------------------------------------------------------
