//! What the generating sources (`random`, `pattern`, `memory`) share: a
//! [`Fill`] state behind a mutex serves both pull entry points, and every
//! [`Generator`] is an [`Element`] through one implementation.

use std::sync::Mutex;

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// A source that generates its bytes from a [`Fill`] state; it is an
/// [`Element`] that can end early and serves PULL_BUFFER and
/// PULL_BUFFER_STATIC with the mechanism pairs of an Amanda source.
pub(crate) trait Generator: Send + Sync {
    /// The element's name (`random`, ...).
    const NAME: &'static str;
    /// The Amanda element whose mechanism pairs (and so costs) it takes.
    const AMANDA: AmandaElement;
    /// The state that produces the bytes.
    type State: Fill;
    /// The state, behind its lock.
    fn state(&self) -> &Mutex<Self::State>;
}

impl<G: Generator> Element for G {
    fn name(&self) -> &str {
        G::NAME
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(G::AMANDA, version)
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        pull_owned(cx, self.state())
    }

    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        pull_into(cx, self.state(), buf)
    }
}

/// A generating source's state: how much is left and how to fill a buffer.
pub(crate) trait Fill: Send {
    /// Bytes still to produce.
    fn remaining(&self) -> u64;
    /// Produces exactly `buf.len()` (<= remaining) next bytes.
    fn fill(&mut self, buf: &mut [u8]);
    /// The next `n` (<= remaining) bytes as a fresh buffer; a source that can copy them in
    /// one pass overrides this to skip zeroing the buffer first.
    fn fill_vec(&mut self, n: usize) -> Vec<u8> {
        let mut buf = vec![0u8; n];
        self.fill(&mut buf);
        buf
    }
}

fn next_len(cx: &Cx<'_>, remaining: u64, want: usize) -> usize {
    let want = cx.read_cap(want);
    usize::try_from(remaining).map_or(want, |r| r.min(want))
}

/// PULL_BUFFER for a generating source: `None` at the end or once cancelled.
fn pull_owned<F: Fill>(cx: &Cx<'_>, st: &Mutex<F>) -> Result<Option<Vec<u8>>, Error> {
    let mut st = lock(st);
    if cx.cancelled() {
        return Ok(None);
    }
    let n = next_len(cx, st.remaining(), cx.buffer_size());
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(st.fill_vec(n)))
}

/// PULL_BUFFER_STATIC for a generating source.
fn pull_into<F: Fill>(cx: &Cx<'_>, st: &Mutex<F>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
    let mut st = lock(st);
    if cx.cancelled() {
        return Ok(None);
    }
    let n = next_len(cx, st.remaining(), buf.len());
    if n == 0 {
        return Ok(None);
    }
    st.fill(&mut buf[..n]);
    Ok(Some(n))
}
