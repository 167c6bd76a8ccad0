//! Cancellation: from outside while data flows, before start, by dropping a
//! running transfer, while glue is blocked on a silent pipe, and at any point
//! of many chains (a property): always one DONE, no error, nothing leaked.

use std::path::Path;

use proptest::prelude::*;

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    BufferDest, CrcFilter, FdDest, FdSource, NullDest, ProcessFilter, RandomSource, XorFilter,
};
use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::{Faults, Status, Xfer, XferConfig};

use super::support::{
    V35, check_protocol, finish, model_random, recv_within, render, require, wait_done, within,
    write_file,
};

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
    let first = recv_within(x.messages(), "null's first message");
    assert_eq!(first.kind, MsgKind::Info("Is this thing on?".into()));
    let canceller = x.canceller();
    within("the cancelling thread", move || canceller.cancel());
    let s = wait_done(x, "the cancelled endless transfer");
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
    within("dropping the running transfer", move || drop(x));
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
#[test]
fn it_cancel_interrupts_a_glue_blocked_on_a_silent_pipe() {
    // The writer never writes nor closes: only cancel can end the read.
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(FdSource::from_fd(r)), Box::new(NullDest::new())];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    x.start().expect("start");
    x.cancel();
    let s = wait_done(x, "cancel to interrupt the blocked read");
    check_protocol(&s);
    assert_eq!(s.status, Status::Cancelled);
    drop(w);
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
        let s = wait_done(x, "a chain cancelled at a random point");
        check_protocol(&s);
        prop_assert!(s.errors.is_empty(), "cancel is not an error: {}", render(&s.messages));
        prop_assert!(s.status == Status::Cancelled || s.status == Status::Done);
        if s.status == Status::Done {
            prop_assert!(s.messages.iter().all(|m| m.kind != MsgKind::Cancel));
        }
    }
}
