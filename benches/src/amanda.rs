//! Real Amanda 3.5 as a same-run baseline: a small Perl script driving
//! `Amanda::Xfer` (Debian's `amanda-server`), written to a temp file at bench
//! time, that runs one chain and prints the transfer's own elapsed time
//! (`elapsed <seconds>`, measured around `start` .. DONE, so Perl's start-up
//! is not counted).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

/// Where Debian installs Amanda's Perl modules (not on `@INC`).
pub const AMANDA_PERL5LIB: &str = "/usr/lib/x86_64-linux-gnu/amanda/perl";

/// The chains compared with Amanda, as (Amanda script name, reelcheck spec body after the source).
pub const CHAINS: [(&str, &str); 3] = [
    ("null", "null"),
    ("xor", "xor:0x5a -> xor:0x5a -> null"),
    ("cat", "process:/bin/cat -> null"),
];

const SCRIPT: &str = r#"use strict; use warnings;
use Time::HiRes qw(time);
use Amanda::Xfer qw(:constants);
use Amanda::MainLoop;
my ($chain, $size, $seed) = @ARGV;
$size += 0; $seed += 0;
my @elts = (Amanda::Xfer::Source::Random->new($size, $seed));
if ($chain eq "xor") {
    push @elts, Amanda::Xfer::Filter::Xor->new(0x5a), Amanda::Xfer::Filter::Xor->new(0x5a);
} elsif ($chain eq "cat") {
    push @elts, Amanda::Xfer::Filter::Process->new(["/bin/cat"], 0, 0, 0, 0);
} elsif ($chain ne "null") {
    die "unknown chain $chain";
}
push @elts, Amanda::Xfer::Dest::Null->new(0);
my $xfer = Amanda::Xfer->new(\@elts);
my $failed = 0;
my $t0 = time;
$xfer->start(sub {
    my ($src, $msg, $x) = @_;
    $failed = 1 if $msg->{type} == $XMSG_ERROR;
    Amanda::MainLoop::quit() if $x->get_status() == $Amanda::Xfer::XFER_DONE;
}, 0, 0);
Amanda::MainLoop::run();
my $t1 = time;
die "transfer failed" if $failed;
printf "elapsed %.9f\n", $t1 - $t0;
"#;

/// A Perl script on disk that runs Amanda transfers; removed on drop.
#[derive(Debug)]
pub struct AmandaRunner {
    _dir: tempfile::TempDir,
    script: PathBuf,
}

impl AmandaRunner {
    /// Writes the script to a temp dir; fails with an install hint when
    /// Amanda's Perl modules are missing.
    pub fn new() -> Result<AmandaRunner, String> {
        if !Path::new(AMANDA_PERL5LIB).join("Amanda/Xfer.pm").exists() {
            return Err(format!(
                "Amanda::Xfer not found under {AMANDA_PERL5LIB}: apt-get install amanda-server amanda-common"
            ));
        }
        let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
        let script = dir.path().join("amanda-xfer.pl");
        std::fs::write(&script, SCRIPT)
            .map_err(|e| format!("writing {}: {e}", script.display()))?;
        Ok(AmandaRunner { _dir: dir, script })
    }

    /// Runs `Random(size, seed) -> <chain> -> Null` in Amanda and returns the transfer's time.
    pub fn run(&self, chain: &str, size: u64, seed: u64) -> Result<Duration, String> {
        let out = Command::new("perl")
            .env("PERL5LIB", AMANDA_PERL5LIB)
            .arg(&self.script)
            .arg(chain)
            .arg(size.to_string())
            .arg(seed.to_string())
            .output()
            .map_err(|e| format!("running perl: {e}"))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            return Err(format!(
                "amanda {chain}: {} {}{}",
                out.status,
                stdout,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let secs: f64 = stdout
            .lines()
            .find_map(|l| l.strip_prefix("elapsed "))
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("amanda {chain}: no elapsed line in {stdout:?}"))?;
        Ok(Duration::from_secs_f64(secs))
    }
}
