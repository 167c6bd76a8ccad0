//! filter-crc against Amanda 3.5.1's own `Amanda::Xfer::Filter::Crc`: the same
//! pattern through both must report the same CRC (CRC-32C) and size.
//!
//! Needs Amanda's Perl modules (Debian amanda-server, `bash ci/install-peers`);
//! without them the test fails with an install hint.

use std::process::Command;

use reelcheck_xfer::elements::{CrcFilter, NullDest, PatternSource};
use reelcheck_xfer::msg::MsgKind;
use rstest::rstest;

use crate::support::{assert_done, run_default};

/// Where Debian installs Amanda's Perl modules (outside `@INC`).
const AMANDA_PERL: &str = "/usr/lib/x86_64-linux-gnu/amanda/perl";

const PROBE: &str = r#"
use strict; use warnings;
use Amanda::Xfer qw(:constants); use Amanda::MainLoop; use Amanda::Constants;
print "VERSION $Amanda::Constants::VERSION\n";
my ($len, $pat) = (0 + $ARGV[0], $ARGV[1]);
my $xfer = Amanda::Xfer->new([ Amanda::Xfer::Source::Pattern->new($len, $pat),
    Amanda::Xfer::Filter::Crc->new(), Amanda::Xfer::Dest::Null->new(0) ]);
$xfer->start(sub { my ($src, $msg, $x) = @_;
    print "CRC $msg->{crc} $msg->{size}\n" if $msg->{type} == $XMSG_CRC;
    if ($x->get_status() == $Amanda::Xfer::XFER_DONE) { $x->get_source()->remove(); Amanda::MainLoop::quit(); }
}, 0, 0);
Amanda::MainLoop::run();
"#;

/// Amanda's CRC message for `len` bytes of `pattern` through Filter::Crc.
fn amanda_crc(len: u64, pattern: &str) -> (u32, u64) {
    // A generous bound: a transfer Amanda never finishes is a failure, not a hang.
    let out = Command::new("timeout")
        .env("PERL5LIB", AMANDA_PERL)
        .args(["120", "perl", "-e", PROBE, &len.to_string(), pattern])
        .output()
        .expect("perl runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("CRC "),
        "Amanda's Filter::Crc did not run (install amanda-server: bash ci/install-peers): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("CRC "))
        .unwrap_or_default();
    let mut words = line.split_whitespace().skip(1);
    let crc = u32::from_str_radix(words.next().unwrap_or_default(), 16).expect("hex CRC");
    let size = words.next().unwrap_or_default().parse().expect("size");
    (crc, size)
}

#[rstest]
#[case::check_value(9, "123456789")]
#[case::one_byte(1, "x")]
#[case::two_bytes_repeated(100_000, "ab")]
#[case::more_than_two_glue_buffers(70_000, "0123456789abcdef")]
fn it_reports_the_crc_amanda_reports(#[case] len: u64, #[case] pattern: &str) {
    let want = amanda_crc(len, pattern);
    let s = run_default(vec![
        Box::new(PatternSource::new(len, pattern.as_bytes())),
        Box::new(CrcFilter::new()),
        Box::new(NullDest::new()),
    ]);
    assert_done(&s);
    let got: Vec<(u32, u64)> = s
        .messages
        .iter()
        .filter_map(|m| match m.kind {
            MsgKind::Crc { crc, size } => Some((crc, size)),
            _ => None,
        })
        .collect();
    assert_eq!(got, vec![want], "ours vs Amanda 3.5.1's Filter::Crc");
}
