//! Amanda's changer on a vtape library we built, and one volume shared with Amanda by
//! appending in turn.

use std::process::Command;

use reelcheck_tape::device::{AccessMode, Device, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::vfs::VfsDevice;

use super::support::{
    AMANDA_SPLITTER, amanda_perl_lib, amrestore, check, dump_bytes, find_program, mkdir, run_perl,
    split_dump, split_dump_from,
};

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
