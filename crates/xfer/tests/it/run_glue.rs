//! Glue pairs: every runnable pair of the 3.5 table moves bytes unchanged
//! at sizes around the buffer size, with and without short reads and
//! writes, fd→fd glue over pipes and files, and the output of a chain for
//! every chunking of reads, writes and buffers.

use std::path::Path;

use proptest::prelude::*;
use rstest::rstest;

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    BufferHandle, CrcFilter, FdDest, FdSource, MemorySource, ProcessFilter, RandomSource, XorFilter,
};
use reelcheck_xfer::link::{LinkStep, Linkage};
use reelcheck_xfer::mech::{Mech, MechPair};
use reelcheck_xfer::tables;
use reelcheck_xfer::{Faults, Status, Xfer, XferConfig};

use super::support::{
    V35, assert_done, buffer, draining_pipe, feeding_pipe, finish, model_random, pair, run_linked,
    write_file, xored,
};

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
        t.wait();
    }
    let got = match drainer {
        Some(t) => t.wait(),
        None => std::fs::read(&out).expect("read output"),
    };
    assert_eq!(got, data);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

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
