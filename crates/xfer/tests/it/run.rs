//! Runtime tests: every element, every runnable glue pair, the lifecycle and
//! message protocol, cancellation at random points, errors, and leaks.
//!
//! Expected bytes come from independent models written here (splitmix64,
//! bitwise CRC32, xor) or from real programs (`cat`, `tr`, `gzip`).

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use rstest::rstest;

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    BufferDest, BufferHandle, CostOnly, CrcCheckDest, CrcFilter, FdDest, FdSource, MemorySource,
    NullDest, PatternSource, ProcessFilter, RandomSource, XorFilter,
};
use reelcheck_xfer::link::{LinkStep, Linkage};
use reelcheck_xfer::mech::{Mech, MechPair};
use reelcheck_xfer::msg::{Msg, MsgKind};
use reelcheck_xfer::tables::{self, AmandaElement, TableVersion};
use reelcheck_xfer::{Error, ErrorAt, Faults, Status, Summary, Xfer, XferConfig, run_chain};

/// Generous watchdog: only turns a hang into a failure.
const WATCHDOG: Duration = Duration::from_secs(60);
const V35: TableVersion = TableVersion::V3_5;

// ---------------------------------------------------------------- models

/// splitmix64 stream, little-endian words (independent of the crate's code).
fn model_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Bitwise CRC32 (IEEE 802.3, reflected, as zlib).
fn model_crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn xored(data: &[u8], key: u8) -> Vec<u8> {
    data.iter().map(|b| b ^ key).collect()
}

// ---------------------------------------------------------------- helpers

/// Checks the protocol every transfer must obey and that nothing leaked.
fn check_protocol(s: &Summary) {
    assert!(s.leaks.is_clean(), "leaked: {}", s.leaks);
    let dones = s
        .messages
        .iter()
        .filter(|m| m.kind == MsgKind::Done)
        .count();
    assert_eq!(dones, 1, "exactly one DONE: {}", render(&s.messages));
    assert_eq!(
        s.messages.last().map(|m| &m.kind),
        Some(&MsgKind::Done),
        "DONE is last"
    );
    let cancels = s
        .messages
        .iter()
        .filter(|m| m.kind == MsgKind::Cancel)
        .count();
    assert!(cancels <= 1, "at most one CANCEL: {}", render(&s.messages));
    if !s.errors.is_empty() {
        let first_err = s
            .messages
            .iter()
            .position(|m| matches!(m.kind, MsgKind::Error(_)));
        let cancel = s.messages.iter().position(|m| m.kind == MsgKind::Cancel);
        assert!(
            cancel.is_some() && first_err < cancel,
            "ERROR then CANCEL: {}",
            render(&s.messages)
        );
        assert_eq!(s.status, Status::Failed);
    }
}

fn render(msgs: &[Msg]) -> String {
    msgs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

fn finish(mut x: Xfer) -> Summary {
    x.start().expect("starts");
    let s = x
        .wait_timeout(WATCHDOG)
        .expect("finishes before the watchdog");
    check_protocol(&s);
    s
}

fn run_linked(chain: Vec<Box<dyn Element>>, config: XferConfig) -> Summary {
    finish(Xfer::linked(chain, V35, config).expect("links"))
}

fn run_default(chain: Vec<Box<dyn Element>>) -> Summary {
    run_linked(chain, XferConfig::default())
}

fn assert_done(s: &Summary) {
    assert_eq!(s.status, Status::Done, "{}", render(&s.messages));
}

fn write_file(dir: &Path, name: &str, data: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write input file");
    p
}

fn require(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()));
    assert!(found, "`{program}` not found: apt-get install {package}");
}

fn buffer() -> (Box<dyn Element>, BufferHandle) {
    let (b, h) = BufferDest::new();
    (Box::new(b), h)
}

fn pair(input: Mech, output: Mech) -> MechPair {
    MechPair::new(input, output, 0, 0, 0)
}

// ---------------------------------------------------------------- elements

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
            crc: model_crc32(&data),
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
        Box::new(CrcCheckDest::new(model_crc32(&data), 77_777)),
    ];
    assert_done(&run_default(chain));
}

#[test]
fn it_crc_check_dest_fails_on_mismatch_with_error_then_cancel() {
    let data = model_random(8, 1000);
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1000, 8)),
        Box::new(CrcCheckDest::new(model_crc32(&data) ^ 1, 1000)),
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

#[test]
fn it_process_cat_passes_data_through() {
    require("cat", "coreutils");
    let (b, h) = buffer();
    let s = run_default(vec![
        Box::new(RandomSource::new(1_000_000, 7)),
        Box::new(ProcessFilter::new(["cat"])),
        b,
    ]);
    assert_done(&s);
    assert_eq!(h.contents(), model_random(7, 1_000_000));
    assert_eq!(s.leaks.children_spawned, 1);
}

#[test]
fn it_process_tr_uppercases() {
    require("tr", "coreutils");
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(PatternSource::new(100_000, b"hello, world\n")),
        Box::new(ProcessFilter::new(["tr", "a-z", "A-Z"])),
        b,
    ];
    assert_done(&run_default(chain));
    let expected: Vec<u8> = b"HELLO, WORLD\n"
        .iter()
        .copied()
        .cycle()
        .take(100_000)
        .collect();
    assert_eq!(h.contents(), expected);
}

#[test]
fn it_gzip_round_trip_through_two_processes_restores_the_data() {
    require("gzip", "gzip");
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(700_000, 21)),
        Box::new(ProcessFilter::new(["gzip", "-n"])),
        Box::new(ProcessFilter::new(["gzip", "-dc"])),
        b,
    ];
    let s = run_default(chain);
    assert_done(&s);
    assert_eq!(h.contents(), model_random(21, 700_000));
    assert_eq!(s.leaks.children_reaped, 2);
}

#[test]
fn it_gzip_output_matches_the_real_gzip() {
    require("gzip", "gzip");
    let dir = tempfile::tempdir().expect("tempdir");
    let data: Vec<u8> = b"reelcheck "
        .iter()
        .copied()
        .cycle()
        .take(200_000)
        .collect();
    let src = write_file(dir.path(), "in", &data);
    let out = dir.path().join("out.gz");
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(FdSource::open(&src)),
        Box::new(ProcessFilter::new(["gzip", "-n"])),
        Box::new(FdDest::create(&out)),
    ];
    assert_done(&run_default(chain));
    let real = std::process::Command::new("gzip")
        .arg("-nc")
        .arg(&src)
        .output()
        .expect("run gzip");
    assert_eq!(std::fs::read(&out).expect("read"), real.stdout);
}

// ---------------------------------------------------------------- errors

#[rstest]
#[case::false_exits_1(&["false"], "exited with status 1")]
#[case::sh_exit_3(&["sh", "-c", "exit 3"], "exited with status 3")]
#[case::missing_program(&["/nonexistent/reelcheck-no-such-program"], "spawning")]
fn case_process_failure_becomes_error_then_cancel(#[case] argv: &[&str], #[case] expected: &str) {
    require("sh", "dash");
    let (b, _h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(3 << 20, 1)),
        Box::new(ProcessFilter::new(argv.iter().copied())),
        b,
    ];
    let s = run_default(chain);
    assert_eq!(s.status, Status::Failed, "{}", render(&s.messages));
    assert_eq!(s.errors.len(), 1, "one error only: {}", render(&s.messages));
    assert_eq!(s.errors[0].elt.name, "process");
    assert!(
        s.errors[0].message.contains(expected),
        "{}",
        s.errors[0].message
    );
}

#[test]
fn it_process_stderr_is_quoted_in_the_error() {
    require("sh", "dash");
    let (b, _h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(MemorySource::new(b"x".to_vec())),
        Box::new(ProcessFilter::new(["sh", "-c", "echo broken >&2; exit 4"])),
        b,
    ];
    let s = run_default(chain);
    assert_eq!(s.errors.len(), 1);
    assert!(
        s.errors[0]
            .message
            .ends_with("exited with status 4: broken"),
        "{}",
        s.errors[0].message
    );
}

#[rstest]
#[case::in_xor("xor", 0)]
#[case::in_xor_late("xor", 100_000)]
#[case::in_glue("glue", 40_000)]
#[case::in_process("process", 1)]
#[case::in_dest("buffer[5]", 65_536)]
fn case_injected_error_cancels_the_transfer(#[case] element: &str, #[case] byte: u64) {
    let (b, _h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1 << 20, 3)),
        Box::new(XorFilter::new(1)),
        Box::new(ProcessFilter::new(["cat"])),
        b,
    ];
    let faults = Faults {
        error_at: Some(ErrorAt {
            element: element.into(),
            byte,
        }),
        ..Faults::default()
    };
    let s = run_linked(
        chain,
        XferConfig {
            faults,
            ..XferConfig::default()
        },
    );
    assert_eq!(s.status, Status::Failed, "{}", render(&s.messages));
    assert_eq!(s.errors.len(), 1, "{}", render(&s.messages));
    assert_eq!(
        s.errors[0].message,
        format!("injected error at byte {byte}")
    );
    let name = element.split('[').next().unwrap_or(element);
    assert_eq!(s.errors[0].elt.name, name);
}

#[test]
fn it_unlinkable_chain_is_a_typed_link_error() {
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(NullDest::new()), Box::new(RandomSource::new(1, 1))];
    assert!(matches!(run_chain(chain, V35), Err(Error::Link(_))));
}

#[test]
fn it_crc_filter_does_not_exist_in_the_3_3_tables() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1, 1)),
        Box::new(CrcFilter::new()),
        Box::new(NullDest::new()),
    ];
    assert!(matches!(
        run_chain(chain, TableVersion::V3_3),
        Err(Error::NoPairs { index: 1, .. })
    ));
}

#[test]
fn it_runs_with_the_3_3_tables_too() {
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(99_999, 2)),
        Box::new(XorFilter::new(7)),
        b,
    ];
    let mut x = Xfer::linked(chain, TableVersion::V3_3, XferConfig::default()).expect("links");
    assert!(
        x.mechs()
            .iter()
            .all(|(i, o)| !matches!(i, Mech::PullBufferStatic)
                && !matches!(o, Mech::PushBufferStatic))
    );
    x.start().expect("start");
    let s = x.wait_timeout(WATCHDOG).expect("finishes");
    check_protocol(&s);
    assert_eq!(h.contents(), xored(&model_random(2, 99_999), 7));
}

#[test]
fn it_directtcp_glue_is_not_supported_at_start() {
    let linkage = Linkage {
        steps: vec![
            LinkStep {
                element: 0,
                pair: pair(Mech::None, Mech::PullBuffer),
                glue: Some(pair(Mech::PullBuffer, Mech::DirectTcpConnect)),
            },
            LinkStep {
                element: 1,
                pair: pair(Mech::DirectTcpConnect, Mech::None),
                glue: None,
            },
        ],
        cost: 0,
    };
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let mut x = Xfer::new(chain, &linkage, XferConfig::default()).expect("builds");
    assert!(matches!(x.start(), Err(Error::NotSupported { .. })));
}

#[test]
fn it_cost_only_elements_link_but_do_not_start() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1, 1)),
        Box::new(CostOnly::new(AmandaElement::DestTaperSplitter)),
    ];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    assert!(
        x.render_linkage().contains("SHM_RING"),
        "{}",
        x.render_linkage()
    );
    assert!(matches!(x.start(), Err(Error::NotSupported { .. })));
}

#[test]
fn it_setup_failure_reports_error_cancel_done() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(FdSource::open("/nonexistent/reelcheck/input")),
        Box::new(NullDest::new()),
    ];
    let s = finish(Xfer::linked(chain, V35, XferConfig::default()).expect("links"));
    let kinds: Vec<&str> = s.messages.iter().map(|m| m.kind.type_name()).collect();
    assert_eq!(
        kinds,
        ["ERROR", "CANCEL", "DONE"],
        "{}",
        render(&s.messages)
    );
    assert!(s.errors[0].message.contains("/nonexistent/reelcheck/input"));
}

// ---------------------------------------------------------------- glue pairs

/// Elements (with their pairs) that deliver `mech` to what follows.
fn prefix(mech: Mech, data: &[u8], dir: &Path) -> (Vec<Box<dyn Element>>, Vec<LinkStep>) {
    let mem = || Box::new(MemorySource::new(data.to_vec())) as Box<dyn Element>;
    let step = |element, input, output, glue: Option<MechPair>| LinkStep {
        element,
        pair: pair(input, output),
        glue,
    };
    match mech {
        Mech::PullBuffer => (
            vec![mem()],
            vec![step(0, Mech::None, Mech::PullBuffer, None)],
        ),
        Mech::PullBufferStatic => (
            vec![mem()],
            vec![step(0, Mech::None, Mech::PullBufferStatic, None)],
        ),
        Mech::ReadFd => {
            let p = write_file(dir, "input", data);
            (
                vec![Box::new(FdSource::open(p))],
                vec![step(0, Mech::None, Mech::ReadFd, None)],
            )
        }
        Mech::WriteFd => {
            let p = write_file(dir, "input", data);
            (
                vec![
                    Box::new(FdSource::open(p)),
                    Box::new(ProcessFilter::new(["cat"])),
                ],
                vec![
                    step(0, Mech::None, Mech::ReadFd, None),
                    step(1, Mech::ReadFd, Mech::WriteFd, None),
                ],
            )
        }
        Mech::PushBuffer => (
            vec![mem(), Box::new(CrcFilter::new())],
            vec![
                step(
                    0,
                    Mech::None,
                    Mech::PullBuffer,
                    Some(pair(Mech::PullBuffer, Mech::PushBuffer)),
                ),
                step(1, Mech::PushBuffer, Mech::PushBuffer, None),
            ],
        ),
        Mech::PushBufferStatic => (
            vec![mem(), Box::new(CrcFilter::new())],
            vec![
                step(
                    0,
                    Mech::None,
                    Mech::PullBufferStatic,
                    Some(pair(Mech::PullBufferStatic, Mech::PushBufferStatic)),
                ),
                step(1, Mech::PushBufferStatic, Mech::PushBufferStatic, None),
            ],
        ),
        other => unreachable!("no runnable source of {other}"),
    }
}

/// Where the output lands.
enum Sink {
    Buffer(BufferHandle),
    File(std::path::PathBuf),
}

impl Sink {
    fn read(&self) -> Vec<u8> {
        match self {
            Sink::Buffer(h) => h.contents(),
            Sink::File(p) => std::fs::read(p).expect("read output"),
        }
    }
}

/// Elements (with their pairs) that consume `mech`, numbered from `first`.
fn suffix(mech: Mech, first: usize, dir: &Path) -> (Vec<Box<dyn Element>>, Vec<LinkStep>, Sink) {
    let step = |element, input, output, glue: Option<MechPair>| LinkStep {
        element,
        pair: pair(input, output),
        glue,
    };
    let out = dir.join("output");
    match mech {
        Mech::PushBuffer | Mech::PushBufferStatic => {
            let (b, h) = buffer();
            (
                vec![b],
                vec![step(first, mech, Mech::None, None)],
                Sink::Buffer(h),
            )
        }
        Mech::PullBuffer => {
            let (b, h) = buffer();
            (
                vec![Box::new(CrcFilter::new()), b],
                vec![
                    step(
                        first,
                        Mech::PullBuffer,
                        Mech::PullBuffer,
                        Some(pair(Mech::PullBuffer, Mech::PushBuffer)),
                    ),
                    step(first + 1, Mech::PushBuffer, Mech::None, None),
                ],
                Sink::Buffer(h),
            )
        }
        Mech::PullBufferStatic => {
            let (b, h) = buffer();
            (
                vec![Box::new(CrcFilter::new()), b],
                vec![
                    step(
                        first,
                        Mech::PullBufferStatic,
                        Mech::PullBufferStatic,
                        Some(pair(Mech::PullBufferStatic, Mech::PushBufferStatic)),
                    ),
                    step(first + 1, Mech::PushBufferStatic, Mech::None, None),
                ],
                Sink::Buffer(h),
            )
        }
        Mech::WriteFd => (
            vec![Box::new(FdDest::create(&out))],
            vec![step(first, Mech::WriteFd, Mech::None, None)],
            Sink::File(out),
        ),
        Mech::ReadFd => (
            vec![
                Box::new(ProcessFilter::new(["cat"])),
                Box::new(FdDest::create(&out)),
            ],
            vec![
                step(first, Mech::ReadFd, Mech::WriteFd, None),
                step(first + 1, Mech::WriteFd, Mech::None, None),
            ],
            Sink::File(out),
        ),
        other => unreachable!("no runnable destination of {other}"),
    }
}

/// Builds `source… -(input)-> glue -(output)-> …dest` with the glue under test.
fn glue_chain(
    input: Mech,
    output: Mech,
    data: &[u8],
    dir: &Path,
    config: XferConfig,
) -> (Xfer, Sink) {
    let (mut elems, mut steps) = prefix(input, data, dir);
    if let Some(last) = steps.last_mut() {
        last.glue = Some(pair(input, output));
    }
    let (more, more_steps, sink) = suffix(output, elems.len(), dir);
    elems.extend(more);
    steps.extend(more_steps);
    let x = Xfer::new(elems, &Linkage { steps, cost: 0 }, config).expect("linkage fits");
    (x, sink)
}

/// Every glue pair of the 3.5 table this runtime runs, in table order.
const RUNNABLE_GLUE: [(Mech, Mech); 22] = [
    (Mech::ReadFd, Mech::WriteFd),
    (Mech::ReadFd, Mech::PushBuffer),
    (Mech::ReadFd, Mech::PushBufferStatic),
    (Mech::ReadFd, Mech::PullBuffer),
    (Mech::ReadFd, Mech::PullBufferStatic),
    (Mech::WriteFd, Mech::ReadFd),
    (Mech::WriteFd, Mech::PushBuffer),
    (Mech::WriteFd, Mech::PushBufferStatic),
    (Mech::WriteFd, Mech::PullBuffer),
    (Mech::WriteFd, Mech::PullBufferStatic),
    (Mech::PushBuffer, Mech::ReadFd),
    (Mech::PushBuffer, Mech::WriteFd),
    (Mech::PushBuffer, Mech::PullBuffer),
    (Mech::PushBufferStatic, Mech::ReadFd),
    (Mech::PushBufferStatic, Mech::WriteFd),
    (Mech::PushBufferStatic, Mech::PullBufferStatic),
    (Mech::PullBuffer, Mech::ReadFd),
    (Mech::PullBuffer, Mech::WriteFd),
    (Mech::PullBuffer, Mech::PushBuffer),
    (Mech::PullBufferStatic, Mech::ReadFd),
    (Mech::PullBufferStatic, Mech::WriteFd),
    (Mech::PullBufferStatic, Mech::PushBufferStatic),
];

#[test]
fn it_runnable_glue_list_is_the_3_5_table_minus_rings_and_directtcp() {
    let unrunnable = |m: Mech| {
        matches!(
            m,
            Mech::DirectTcpListen | Mech::DirectTcpConnect | Mech::MemRing | Mech::ShmRing
        )
    };
    let from_table: Vec<(Mech, Mech)> = tables::glue_pairs(V35)
        .iter()
        .filter(|p| !unrunnable(p.input) && !unrunnable(p.output))
        .map(|p| (p.input, p.output))
        .collect();
    assert_eq!(from_table, RUNNABLE_GLUE.to_vec());
}

#[rstest]
#[case::readfd_writefd(Mech::ReadFd, Mech::WriteFd)]
#[case::readfd_push(Mech::ReadFd, Mech::PushBuffer)]
#[case::readfd_push_static(Mech::ReadFd, Mech::PushBufferStatic)]
#[case::readfd_pull(Mech::ReadFd, Mech::PullBuffer)]
#[case::readfd_pull_static(Mech::ReadFd, Mech::PullBufferStatic)]
#[case::writefd_readfd(Mech::WriteFd, Mech::ReadFd)]
#[case::writefd_push(Mech::WriteFd, Mech::PushBuffer)]
#[case::writefd_push_static(Mech::WriteFd, Mech::PushBufferStatic)]
#[case::writefd_pull(Mech::WriteFd, Mech::PullBuffer)]
#[case::writefd_pull_static(Mech::WriteFd, Mech::PullBufferStatic)]
#[case::push_readfd(Mech::PushBuffer, Mech::ReadFd)]
#[case::push_writefd(Mech::PushBuffer, Mech::WriteFd)]
#[case::push_pull(Mech::PushBuffer, Mech::PullBuffer)]
#[case::push_static_readfd(Mech::PushBufferStatic, Mech::ReadFd)]
#[case::push_static_writefd(Mech::PushBufferStatic, Mech::WriteFd)]
#[case::push_static_pull_static(Mech::PushBufferStatic, Mech::PullBufferStatic)]
#[case::pull_readfd(Mech::PullBuffer, Mech::ReadFd)]
#[case::pull_writefd(Mech::PullBuffer, Mech::WriteFd)]
#[case::pull_push(Mech::PullBuffer, Mech::PushBuffer)]
#[case::pull_static_readfd(Mech::PullBufferStatic, Mech::ReadFd)]
#[case::pull_static_writefd(Mech::PullBufferStatic, Mech::WriteFd)]
#[case::pull_static_push_static(Mech::PullBufferStatic, Mech::PushBufferStatic)]
fn case_glue_pair_moves_bytes_unchanged(
    #[case] input: Mech,
    #[case] output: Mech,
    #[values(0, 1, 32_767, 32_768, 32_769, 65_536, 250_001)] size: usize,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = model_random(size as u64, size);
    let (x, sink) = glue_chain(input, output, &data, dir.path(), XferConfig::default());
    assert!(
        x.mechs().contains(&(input, output)),
        "glue {input}->{output} is in the chain"
    );
    let s = finish(x);
    assert_done(&s);
    assert_eq!(sink.read(), data, "glue {input}->{output}, {size} bytes");
}

#[rstest]
#[case::readfd_writefd(Mech::ReadFd, Mech::WriteFd)]
#[case::writefd_push(Mech::WriteFd, Mech::PushBuffer)]
#[case::readfd_pull_static(Mech::ReadFd, Mech::PullBufferStatic)]
#[case::push_writefd(Mech::PushBuffer, Mech::WriteFd)]
#[case::push_static_pull_static(Mech::PushBufferStatic, Mech::PullBufferStatic)]
#[case::pull_static_readfd(Mech::PullBufferStatic, Mech::ReadFd)]
#[case::pull_push(Mech::PullBuffer, Mech::PushBuffer)]
fn case_glue_pair_survives_short_reads_and_writes(#[case] input: Mech, #[case] output: Mech) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = model_random(99, 100_000);
    let faults = Faults {
        max_read: Some(777),
        max_write: Some(313),
        ..Faults::default()
    };
    let (x, sink) = glue_chain(
        input,
        output,
        &data,
        dir.path(),
        XferConfig {
            faults,
            ..XferConfig::default()
        },
    );
    assert_done(&finish(x));
    assert_eq!(sink.read(), data);
}

// ---------------------------------------------------------------- cancellation

#[test]
fn it_external_cancel_stops_an_endless_transfer() {
    require("cat", "coreutils");
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(u64::MAX, 1)),
        Box::new(ProcessFilter::new(["cat"])),
        Box::new(XorFilter::new(3)),
        Box::new(NullDest::new()),
    ];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    x.start().expect("start");
    // Wait for data to flow (null's hello), then cancel from another thread.
    let first = x
        .messages()
        .recv_timeout(WATCHDOG)
        .expect("a first message");
    assert_eq!(first.kind, MsgKind::Info("Is this thing on?".into()));
    let canceller = x.canceller();
    std::thread::spawn(move || canceller.cancel())
        .join()
        .expect("cancel thread");
    let s = x.wait_timeout(WATCHDOG).expect("cancel ends the transfer");
    check_protocol(&s);
    assert_eq!(s.status, Status::Cancelled, "{}", render(&s.messages));
    assert_eq!(
        s.messages
            .iter()
            .filter(|m| m.kind == MsgKind::Cancel)
            .count(),
        1
    );
}

#[test]
fn it_cancel_before_start_still_ends_with_one_done() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(u64::MAX, 1)),
        Box::new(NullDest::new()),
    ];
    let x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    x.cancel();
    let s = finish(x);
    assert_eq!(s.status, Status::Cancelled);
}

#[test]
fn it_dropping_a_running_transfer_cancels_and_joins_it() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(u64::MAX, 1)),
        Box::new(NullDest::new()),
    ];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    x.start().expect("start");
    drop(x);
}

/// Chains for random cancellation, each needing different glue.
fn cancel_chain(kind: u8, size: u64, dir: &Path) -> Vec<Box<dyn Element>> {
    let src = Box::new(RandomSource::new(size, size)) as Box<dyn Element>;
    match kind % 6 {
        0 => vec![src, Box::new(NullDest::new())],
        1 => vec![
            src,
            Box::new(XorFilter::new(9)),
            Box::new(CrcFilter::new()),
            Box::new(BufferDest::new().0),
        ],
        2 => vec![
            src,
            Box::new(ProcessFilter::new(["cat"])),
            Box::new(NullDest::new()),
        ],
        3 => vec![
            src,
            Box::new(ProcessFilter::new(["cat"])),
            Box::new(ProcessFilter::new(["tr", "a-z", "A-Z"])),
            Box::new(FdDest::create(dir.join("out"))),
        ],
        4 => vec![
            src,
            Box::new(ProcessFilter::new(["gzip", "-n"])),
            Box::new(CrcFilter::new()),
            Box::new(NullDest::new()),
        ],
        _ => {
            let p = write_file(dir, "in", &model_random(size, size as usize));
            vec![
                Box::new(FdSource::open(p)),
                Box::new(XorFilter::new(1)),
                Box::new(FdDest::create(dir.join("out"))),
            ]
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prop_cancel_at_any_point_ends_with_one_done_and_no_leaks(
        kind in 0u8..6,
        size in prop_oneof![0u64..100, 32_760u64..32_780, 0u64..600_000],
        cut in 0u64..700_000,
        external in any::<bool>(),
        short in prop::option::of(1usize..5000),
    ) {
        let dir = tempfile::tempdir().expect("tempdir");
        let faults = Faults {
            cancel_after: (!external).then_some(cut),
            max_read: short,
            ..Faults::default()
        };
        let config = XferConfig { faults, ..XferConfig::default() };
        let mut x = Xfer::linked(cancel_chain(kind, size, dir.path()), V35, config).expect("links");
        x.start().expect("start");
        if external {
            x.cancel();
        }
        let s = x.wait_timeout(WATCHDOG).expect("no hang");
        check_protocol(&s);
        prop_assert!(s.errors.is_empty(), "cancel is not an error: {}", render(&s.messages));
        prop_assert!(s.status == Status::Cancelled || s.status == Status::Done);
        if s.status == Status::Done {
            prop_assert!(s.messages.iter().all(|m| m.kind != MsgKind::Cancel));
        }
    }

    #[test]
    fn prop_output_is_the_same_for_every_chunking(
        size in prop_oneof![0usize..70_000, 32_700usize..32_800],
        max_read in prop::option::of(1usize..40_000),
        max_write in prop::option::of(1usize..40_000),
        buffer_size in prop_oneof![Just(32_768usize), 1usize..70_000],
    ) {
        let (b, h) = buffer();
        let chain: Vec<Box<dyn Element>> = vec![
            Box::new(RandomSource::new(size as u64, 77)),
            Box::new(XorFilter::new(0x42)),
            Box::new(ProcessFilter::new(["cat"])),
            b,
        ];
        let faults = Faults { max_read, max_write, ..Faults::default() };
        let s = run_linked(chain, XferConfig { buffer_size, faults, ..XferConfig::default() });
        prop_assert_eq!(s.status, Status::Done);
        prop_assert_eq!(h.contents(), xored(&model_random(77, size), 0x42));
    }
}

// ---------------------------------------------------------------- zero bytes

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

// ---------------------------------------------------------------- messages

#[test]
fn it_messages_render_on_one_stable_line() {
    use reelcheck_xfer::msg::EltRef;
    let m = |name: &str, index, kind| Msg {
        elt: EltRef {
            index,
            name: name.into(),
        },
        kind,
    };
    assert_eq!(
        m(
            "crc",
            1,
            MsgKind::Crc {
                crc: 0x1c29_1ca3,
                size: 9
            }
        )
        .to_string(),
        "crc[1] CRC crc=0x1c291ca3 size=9"
    );
    assert_eq!(
        m("process", 2, MsgKind::Error("a\nb".into())).to_string(),
        "process[2] ERROR a / b"
    );
    assert_eq!(
        m("random", 0, MsgKind::Cancel).to_string(),
        "random[0] CANCEL"
    );
    assert_eq!(m("null", 3, MsgKind::Done).to_string(), "null[3] DONE");
    assert_eq!(
        m("null", 3, MsgKind::Info("hi".into())).to_string(),
        "null[3] INFO hi"
    );
}

#[test]
fn it_renders_amandas_linkage_for_random_to_null() {
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    assert_eq!(x.names(), ["random", "glue", "null"]);
    assert_eq!(
        x.mechs(),
        [
            (Mech::None, Mech::PullBufferStatic),
            (Mech::PullBufferStatic, Mech::PushBufferStatic),
            (Mech::PushBufferStatic, Mech::None)
        ]
    );
}

// ---------------------------------------------------------------- fd plumbing

/// A pipe whose write end a helper thread fills with `data`, then closes.
fn feeding_pipe(data: Vec<u8>) -> (std::os::fd::OwnedFd, std::thread::JoinHandle<()>) {
    use std::io::Write;
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let t = std::thread::spawn(move || {
        let mut f = std::fs::File::from(w);
        // The reader may stop early when a test cancels; that is not an error here.
        let _ = f.write_all(&data);
    });
    (r, t)
}

/// A pipe whose read end a helper thread drains into a vector.
fn draining_pipe() -> (std::os::fd::OwnedFd, std::thread::JoinHandle<Vec<u8>>) {
    use std::io::Read;
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let t = std::thread::spawn(move || {
        let mut out = Vec::new();
        std::fs::File::from(r)
            .read_to_end(&mut out)
            .expect("read pipe");
        out
    });
    (w, t)
}

#[rstest]
#[case::pipe_to_pipe(true, true)]
#[case::file_to_pipe(false, true)]
#[case::pipe_to_file(true, false)]
fn case_fd_to_fd_glue_copies_pipes_and_files(#[case] from_pipe: bool, #[case] to_pipe: bool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = model_random(31, 3 << 20);
    let (src, feeder): (Box<dyn Element>, _) = if from_pipe {
        let (r, t) = feeding_pipe(data.clone());
        (Box::new(FdSource::from_fd(r)), Some(t))
    } else {
        (
            Box::new(FdSource::open(write_file(dir.path(), "in", &data))),
            None,
        )
    };
    let out = dir.path().join("out");
    let (dst, drainer): (Box<dyn Element>, _) = if to_pipe {
        let (w, t) = draining_pipe();
        (Box::new(FdDest::from_fd(w)), Some(t))
    } else {
        (Box::new(FdDest::create(&out)), None)
    };
    let x = Xfer::linked(vec![src, dst], V35, XferConfig::default()).expect("links");
    assert!(x.mechs().contains(&(Mech::ReadFd, Mech::WriteFd)));
    let s = finish(x);
    assert_done(&s);
    assert_eq!(s.bytes, data.len() as u64);
    if let Some(t) = feeder {
        t.join().expect("feeder");
    }
    let got = match drainer {
        Some(t) => t.join().expect("drainer"),
        None => std::fs::read(&out).expect("read output"),
    };
    assert_eq!(got, data);
}

#[test]
fn it_cancel_interrupts_a_glue_blocked_on_a_silent_pipe() {
    // The writer never writes nor closes: only cancel can end the read.
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(FdSource::from_fd(r)), Box::new(NullDest::new())];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    x.start().expect("start");
    x.cancel();
    let s = x
        .wait_timeout(WATCHDOG)
        .expect("cancel interrupts the blocked read");
    check_protocol(&s);
    assert_eq!(s.status, Status::Cancelled);
    drop(w);
}

#[test]
fn it_process_that_stops_reading_early_ends_the_transfer_normally() {
    // `head` exits 0 after 1000 bytes; the broken pipe behind it is an orderly
    // end (process elements ignore broken pipes), not an error.
    require("head", "coreutils");
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(5 << 20, 6)),
        Box::new(ProcessFilter::new(["head", "-c", "1000"])),
        b,
    ];
    let s = run_default(chain);
    assert_done(&s);
    assert_eq!(h.contents(), model_random(6, 1000));
}

#[test]
fn it_rejects_a_linkage_that_does_not_fit_the_chain() {
    let steps = vec![
        LinkStep {
            element: 0,
            pair: pair(Mech::None, Mech::PullBuffer),
            glue: None,
        },
        LinkStep {
            element: 1,
            pair: pair(Mech::PushBuffer, Mech::None),
            glue: None,
        },
    ];
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let err =
        Xfer::new(chain, &Linkage { steps, cost: 0 }, XferConfig::default()).expect_err("mismatch");
    assert!(matches!(err, Error::BadLinkage(_)), "{err}");
}

#[test]
fn it_child_killed_by_sigpipe_behind_an_early_reader_is_not_an_error() {
    require("head", "coreutils");
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(20 << 20, 12)),
        Box::new(ProcessFilter::new(["cat"])),
        Box::new(ProcessFilter::new(["head", "-c", "5000"])),
        b,
    ];
    let s = run_default(chain);
    assert_done(&s);
    assert_eq!(h.contents(), model_random(12, 5000));
    assert_eq!(s.leaks.children_reaped, 2);
}

#[test]
fn it_transfers_and_summaries_can_move_between_threads() {
    fn send<T: Send>() {}
    send::<Xfer>();
    send::<Summary>();
    send::<reelcheck_xfer::Canceller>();
}
