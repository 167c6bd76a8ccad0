//! Runtime tests: elements, glue pairs, lifecycle, messages, cancellation, leaks.

use std::time::Duration;

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::*;
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::xfer::{Status, Summary, Xfer, XferConfig};

/// Generous watchdog: turns a hang into a failure, never waited on otherwise.
const WATCHDOG: Duration = Duration::from_secs(60);

fn run(chain: Vec<Box<dyn Element>>, v: TableVersion, config: XferConfig) -> Summary {
    let mut x = Xfer::linked(chain, v, config).expect("links");
    x.start().expect("starts");
    let s = x.wait_timeout(WATCHDOG).expect("finishes before the watchdog");
    assert!(s.leaks.is_clean(), "leaks: {}", s.leaks);
    assert_eq!(s.messages.iter().filter(|m| m.kind == reelcheck_xfer::msg::MsgKind::Done).count(), 1);
    s
}

#[test]
fn it_runs_random_to_buffer() {
    let (b, h) = BufferDest::new();
    let s = run(vec![Box::new(RandomSource::new(100_000, 7)), Box::new(b)], TableVersion::V3_5, XferConfig::default());
    assert_eq!(s.status, Status::Done, "{:?}", s.messages);
    assert_eq!(h.contents(), random_bytes(7, 100_000));
    for m in &s.messages { eprintln!("{m}"); }
}

#[test]
fn it_runs_random_through_cat() {
    let (b, h) = BufferDest::new();
    let s = run(vec![Box::new(RandomSource::new(1_000_000, 7)), Box::new(ProcessFilter::new(["cat"])), Box::new(b)], TableVersion::V3_5, XferConfig::default());
    assert_eq!(s.status, Status::Done, "{:?}", s.messages);
    assert_eq!(h.contents(), random_bytes(7, 1_000_000));
    for m in &s.messages { eprintln!("{m}"); }
    eprintln!("{}", s.leaks);
}
