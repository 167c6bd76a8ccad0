//! Process elements with real programs (`cat`, `tr`, `gzip`, `head`, `sh`):
//! data through children, failures as ERROR then CANCEL with the child's
//! stderr quoted, and readers that stop early (broken pipes, SIGPIPE).

use rstest::rstest;

use reelcheck_xfer::Status;
use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    FdDest, FdSource, MemorySource, PatternSource, ProcessFilter, RandomSource,
};

use super::support::{
    assert_done, buffer, model_random, render, require, run_default, within, write_file,
};

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
    let real = within("the real gzip", move || {
        std::process::Command::new("gzip")
            .arg("-nc")
            .arg(&src)
            .output()
            .expect("run gzip")
    });
    assert_eq!(std::fs::read(&out).expect("read"), real.stdout);
}

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
