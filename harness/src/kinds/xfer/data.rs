//! The data verdict of an xfer scenario: what reached the destination against
//! what the oracle says the chain must deliver ([`crate::oracle::chain`]).
//!
//! A finished run must deliver exactly the oracle's bytes (a `buffer` its
//! contents, a `null` their count and CRC-32C), and every `crc` filter must
//! report the oracle's CRC of what passed through it. A cancelled or failed run
//! must deliver a prefix of them: its length varies with the threads, so the
//! trace records only the expectation and that the prefix held.

use std::time::Duration;

use reelcheck_xfer::elements::Received;
use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::{Status, Summary};

use crate::oracle::chain::{self, first_difference};
use crate::oracle::crc32c::crc32c;
use crate::scenario::Checks;
use crate::trace::Trace;

/// What reached the end of a chain.
pub(super) enum Arrived {
    /// A `buffer` destination's bytes.
    Bytes(Vec<u8>),
    /// A `null` destination's count and CRC-32C.
    Counted(Received),
}

impl Arrived {
    fn summary(&self) -> Received {
        match self {
            Arrived::Bytes(b) => Received {
                bytes: b.len() as u64,
                crc32c: crc32c(b),
            },
            Arrived::Counted(r) => *r,
        }
    }
}

/// Checks what arrived at the end of `chain` (spec syntax) against the oracle,
/// and records both checksums in the trace.
pub(super) fn verdict(
    chain: &str,
    arrived: Option<Arrived>,
    summary: &Summary,
    trace: &mut Trace,
    checks: &mut Checks,
) {
    let elements: Vec<String> = chain.split("->").map(|e| e.trim().to_string()).collect();
    let expected = match chain::expected(&elements) {
        Ok(e) => e,
        Err(e) => {
            checks.that(false, || {
                format!(
                    "data: no independent expectation for this chain ({e}); extend oracle::chain"
                )
            });
            return;
        }
    };
    let Some(arrived) = arrived else {
        checks.that(false, || {
            "data: the destination keeps no record of what arrived (use null or buffer)".into()
        });
        return;
    };
    let want = &expected.output;
    let want_crc = crc32c(want);
    let got = arrived.summary();
    let done = summary.status == Status::Done;
    if done {
        trace.push(
            Duration::ZERO,
            "data",
            format!(
                "expected {} bytes crc32c={want_crc:#010x}, arrived {} bytes crc32c={:#010x}",
                want.len(),
                got.bytes,
                got.crc32c
            ),
        );
        let same = got.bytes == want.len() as u64 && got.crc32c == want_crc;
        checks.that(same, || {
            let diff = match &arrived {
                Arrived::Bytes(b) => first_difference(b, want),
                Arrived::Counted(_) => String::new(),
            };
            format!(
                "data: arrived {} bytes crc32c={:#010x}, the oracle expects {} bytes crc32c={want_crc:#010x}{diff}",
                got.bytes,
                got.crc32c,
                want.len()
            )
        });
        check_crc_messages(&expected.crcs, summary, checks);
    } else {
        trace.push(
            Duration::ZERO,
            "data",
            format!(
                "expected {} bytes crc32c={want_crc:#010x}; arrived a prefix of them (its length varies)",
                want.len()
            ),
        );
        let n = usize::try_from(got.bytes).unwrap_or(usize::MAX);
        let prefix = want.get(..n).map(crc32c);
        checks.that(prefix == Some(got.crc32c), || {
            format!(
                "data: the {} bytes that arrived (crc32c={:#010x}) are not a prefix of the oracle's {} bytes",
                got.bytes,
                got.crc32c,
                want.len()
            )
        });
    }
}

/// Every `crc` filter reports the oracle's CRC-32C and size of what passed it,
/// in chain order (the messages' indexes count glue too, the oracle's do not).
fn check_crc_messages(want: &[(usize, u32, u64)], summary: &Summary, checks: &mut Checks) {
    let mut got: Vec<(usize, u32, u64)> = summary
        .messages
        .iter()
        .filter(|m| m.elt.name == "crc")
        .filter_map(|m| match m.kind {
            MsgKind::Crc { crc, size } => Some((m.elt.index, crc, size)),
            _ => None,
        })
        .collect();
    got.sort_by_key(|(index, ..)| *index);
    let got: Vec<(u32, u64)> = got.into_iter().map(|(_, c, s)| (c, s)).collect();
    let want: Vec<(u32, u64)> = want.iter().map(|&(_, c, s)| (c, s)).collect();
    checks.that(got == want, || {
        format!(
            "data: the crc filters reported {got:x?}, the oracle expects {want:x?} (crc32c, size)"
        )
    });
}
