//! Each element's output against an independent model (splitmix64, bitwise
//! CRC32, xor, the pattern repeated): sources, filters and destinations run
//! in process, and transfers of zero bytes.

use rstest::rstest;

use reelcheck_xfer::Status;
use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    CrcCheckDest, CrcFilter, FdDest, FdSource, MemorySource, NullDest, PatternSource,
    ProcessFilter, RandomSource, XorFilter,
};
use reelcheck_xfer::msg::MsgKind;

use super::support::{
    assert_done, buffer, model_crc32c, model_random, render, run_default, write_file, xored,
};

#[test]
fn it_random_source_produces_the_splitmix_stream() {
    let (b, h) = buffer();
    let s = run_default(vec![Box::new(RandomSource::new(100_003, 7)), b]);
    assert_done(&s);
    assert_eq!(h.contents(), model_random(7, 100_003));
    assert_eq!(s.bytes, 100_003);
}

#[test]
fn it_random_source_is_reproducible_and_seed_dependent() {
    let (b1, h1) = buffer();
    let (b2, h2) = buffer();
    run_default(vec![Box::new(RandomSource::new(5000, 1)), b1]);
    run_default(vec![Box::new(RandomSource::new(5000, 2)), b2]);
    assert_ne!(h1.contents(), h2.contents());
    assert_eq!(h1.contents(), model_random(1, 5000));
}

#[test]
fn it_pattern_source_repeats_its_pattern() {
    let (b, h) = buffer();
    assert_done(&run_default(vec![
        Box::new(PatternSource::new(70_000, b"abc")),
        b,
    ]));
    let expected: Vec<u8> = b"abc".iter().copied().cycle().take(70_000).collect();
    assert_eq!(h.contents(), expected);
}

#[test]
fn it_memory_source_serves_its_bytes() {
    let data = model_random(3, 40_000);
    let (b, h) = buffer();
    assert_done(&run_default(vec![
        Box::new(MemorySource::new(data.clone())),
        b,
    ]));
    assert_eq!(h.contents(), data);
}

#[test]
fn it_fd_source_and_fd_dest_copy_a_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = model_random(11, 300_000);
    let src = write_file(dir.path(), "in", &data);
    let dst = dir.path().join("out");
    let s = run_default(vec![
        Box::new(FdSource::open(&src)),
        Box::new(FdDest::create(&dst)),
    ]);
    assert_done(&s);
    assert_eq!(std::fs::read(&dst).expect("read output"), data);
}

#[test]
fn it_xor_filter_xors_every_byte() {
    let (b, h) = buffer();
    assert_done(&run_default(vec![
        Box::new(RandomSource::new(50_000, 5)),
        Box::new(XorFilter::new(0x5a)),
        b,
    ]));
    assert_eq!(h.contents(), xored(&model_random(5, 50_000), 0x5a));
}

#[test]
fn it_two_xor_filters_cancel_out() {
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(80_000, 9)),
        Box::new(XorFilter::new(0x5a)),
        Box::new(XorFilter::new(0x5a)),
        b,
    ];
    assert_done(&run_default(chain));
    assert_eq!(h.contents(), model_random(9, 80_000));
}

#[test]
fn it_crc_filter_reports_crc_and_size_of_the_data() {
    let (b, h) = buffer();
    let s = run_default(vec![
        Box::new(RandomSource::new(123_457, 4)),
        Box::new(CrcFilter::new()),
        b,
    ]);
    assert_done(&s);
    let data = model_random(4, 123_457);
    assert_eq!(h.contents(), data, "crc passes data through unchanged");
    let crcs: Vec<_> = s
        .messages
        .iter()
        .filter(|m| matches!(m.kind, MsgKind::Crc { .. }))
        .collect();
    assert_eq!(crcs.len(), 1);
    assert_eq!(
        crcs[0].kind,
        MsgKind::Crc {
            crc: model_crc32c(&data),
            size: 123_457
        }
    );
    assert_eq!(crcs[0].elt.name, "crc");
}

#[test]
fn it_null_dest_says_hello_once_and_discards() {
    let s = run_default(vec![
        Box::new(RandomSource::new(1 << 20, 42)),
        Box::new(NullDest::new()),
    ]);
    assert_done(&s);
    let lines: Vec<String> = s.messages.iter().map(ToString::to_string).collect();
    // Amanda 3.5.1's Random -> Null delivers INFO "Is this thing on?" then DONE (CRC aside).
    assert_eq!(
        lines,
        vec![
            "null[2] INFO Is this thing on?".to_string(),
            "null[2] DONE".to_string()
        ]
    );
    assert_eq!(s.bytes, 1 << 20);
}

#[test]
fn it_crc_check_dest_accepts_matching_data() {
    let data = model_random(8, 77_777);
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(77_777, 8)),
        Box::new(CrcCheckDest::new(model_crc32c(&data), 77_777)),
    ];
    assert_done(&run_default(chain));
}

#[test]
fn it_crc_check_dest_fails_on_mismatch_with_error_then_cancel() {
    let data = model_random(8, 1000);
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1000, 8)),
        Box::new(CrcCheckDest::new(model_crc32c(&data) ^ 1, 1000)),
    ];
    let s = run_default(chain);
    assert_eq!(s.status, Status::Failed);
    assert_eq!(s.errors.len(), 1, "{}", render(&s.messages));
    assert_eq!(s.errors[0].elt.name, "crc-check");
    assert!(
        s.errors[0].message.contains("crc mismatch"),
        "{}",
        s.errors[0].message
    );
    let kinds: Vec<&str> = s.messages.iter().map(|m| m.kind.type_name()).collect();
    assert_eq!(kinds, ["ERROR", "CANCEL", "DONE"]);
}

#[rstest]
#[case::random_null(0)]
#[case::random_cat_buffer(1)]
#[case::fd_fd(2)]
#[case::xor_crc_buffer(3)]
fn case_zero_byte_transfer_finishes_cleanly(#[case] kind: u8) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = match kind {
        0 => vec![Box::new(RandomSource::new(0, 1)), Box::new(NullDest::new())],
        1 => vec![
            Box::new(RandomSource::new(0, 1)),
            Box::new(ProcessFilter::new(["cat"])),
            b,
        ],
        2 => {
            let p = write_file(dir.path(), "empty", b"");
            vec![
                Box::new(FdSource::open(p)),
                Box::new(FdDest::create(dir.path().join("out"))),
            ]
        }
        _ => vec![
            Box::new(MemorySource::new(Vec::new())),
            Box::new(XorFilter::new(1)),
            Box::new(CrcFilter::new()),
            b,
        ],
    };
    let s = run_default(chain);
    assert_done(&s);
    assert!(h.is_empty());
    assert_eq!(s.bytes, 0);
    if kind == 3 {
        assert!(
            s.messages
                .iter()
                .any(|m| m.kind == MsgKind::Crc { crc: 0, size: 0 })
        );
    }
}

#[test]
fn null_accounts_for_what_it_discards() {
    let null = NullDest::new();
    let received = null.received();
    let s = run_default(vec![
        Box::new(RandomSource::new(200_001, 9)),
        Box::new(XorFilter::new(0x5a)),
        Box::new(null),
    ]);
    assert_done(&s);
    let want = xored(&model_random(9, 200_001), 0x5a);
    let got = received.get();
    assert_eq!(got.bytes, 200_001);
    assert_eq!(got.crc32c, model_crc32c(&want));
}
