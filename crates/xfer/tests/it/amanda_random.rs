//! `random:...,prng=simpleprng` against Amanda 3.5.1's own
//! `Amanda::Xfer::Source::Random`: the same seed must give the same bytes,
//! and Amanda's `Dest::Null` verifier must accept ours.
//!
//! Needs Amanda's Perl modules (Debian amanda-server, `bash ci/install-peers`);
//! without them the test fails with an install hint.

use std::io::Write as _;
use std::process::{Command, Stdio};

use reelcheck_xfer::elements::{BufferDest, Prng, RandomSource};
use reelcheck_xfer::spec::{ElementSpec, parse};
use rstest::rstest;

use crate::support::{assert_done, run_default};

/// Where Debian installs Amanda's Perl modules (outside `@INC`).
const AMANDA_PERL: &str = "/usr/lib/x86_64-linux-gnu/amanda/perl";

/// Prints, in hex, the bytes of Source::Random(len, seed) -> Dest::Buffer, or,
/// with a third argument, feeds stdin through Source::Fd -> Dest::Null(seed)
/// and prints the final status and any error.
const PROBE: &str = r#"
use strict; use warnings;
use Amanda::Xfer qw(:constants); use Amanda::MainLoop;
my ($len, $seed, $verify) = (0 + $ARGV[0], 0 + $ARGV[1], $ARGV[2]);
my ($src, $dst) = $verify
    ? (Amanda::Xfer::Source::Fd->new(0), Amanda::Xfer::Dest::Null->new($seed))
    : (Amanda::Xfer::Source::Random->new($len, $seed), Amanda::Xfer::Dest::Buffer->new(0));
my $xfer = Amanda::Xfer->new([ $src, $dst ]);
$xfer->start(sub { my ($s, $msg, $x) = @_;
    print "ERROR $msg->{message}\n" if $msg->{type} == $XMSG_ERROR;
    if ($x->get_status() == $Amanda::Xfer::XFER_DONE) { $x->get_source()->remove(); Amanda::MainLoop::quit(); }
}, 0, 0);
Amanda::MainLoop::run();
print $verify ? "STATUS " . $xfer->get_status() . "\n" : "HEX " . unpack("H*", $dst->get() // '') . "\n";
"#;

fn amanda(args: &[String], stdin: &[u8]) -> String {
    // A generous bound: a transfer Amanda never finishes is a failure, not a hang.
    let mut child = Command::new("timeout")
        .env("PERL5LIB", AMANDA_PERL)
        .args(["120", "perl", "-e", PROBE])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("perl runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(stdin)
        .expect("feed");
    let out = child.wait_with_output().expect("perl ends");
    assert!(
        out.status.success(),
        "Amanda's Perl API did not run (install amanda-server: bash ci/install-peers): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn ours(len: u64, seed: u32) -> Vec<u8> {
    let (b, h) = BufferDest::new();
    let s = run_default(vec![
        Box::new(RandomSource::with_prng(
            len,
            u64::from(seed),
            Prng::SimplePrng,
        )),
        Box::new(b),
    ]);
    assert_done(&s);
    h.contents()
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

#[rstest]
#[case::one_byte(1, 42)]
#[case::a_short_block(10_239, 7)]
#[case::several_blocks(70_001, 0xdead_beef)]
fn it_produces_amandas_source_random_stream(#[case] len: u64, #[case] seed: u32) {
    let want = amanda(&[len.to_string(), seed.to_string()], b"");
    let want = want.trim().strip_prefix("HEX ").expect("a HEX line");
    assert_eq!(
        hex(&ours(len, seed)),
        want,
        "ours vs Amanda's Source::Random"
    );
}

#[test]
fn amandas_dest_null_verifies_our_stream() {
    let data = ours(50_000, 99);
    let ok = amanda(&["0".into(), "99".into(), "verify".into()], &data);
    assert_eq!(ok.trim(), "STATUS 6", "Dest::Null(99) accepts our stream");
    let mut bad = data;
    bad[40_000] ^= 1;
    let rejected = amanda(&["0".into(), "99".into(), "verify".into()], &bad);
    assert!(
        rejected.contains("ERROR verification of incoming bytestream failed"),
        "Dest::Null(99) rejects a flipped bit: {rejected}"
    );
}

#[test]
fn the_spec_names_the_generator() {
    let c = parse("random:10,seed=5,prng=simpleprng -> null").expect("parses");
    assert_eq!(
        c.elements[0],
        ElementSpec::RandomSimplePrng { size: 10, seed: 5 }
    );
    assert_eq!(c.to_string(), "random:10,seed=5,prng=simpleprng -> null");
    for bad in [
        "random:10,seed=0,prng=simpleprng -> null",
        "random:10,seed=4294967296,prng=simpleprng -> null",
        "random:10,prng=lcg -> null",
    ] {
        assert!(parse(bad).is_err(), "{bad} is refused");
    }
}
