//! `Amanda::Header` re-encodes the headers we generate to the same bytes.

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use reelcheck_tape::header::Header;

use super::support::run_perl;

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
