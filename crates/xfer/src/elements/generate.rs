//! What the generating sources (`random`, `pattern`, `memory`) share: a
//! [`Fill`] state behind a mutex serves both pull entry points.

use std::sync::Mutex;

use crate::element::Cx;
use crate::error::Error;
use crate::sync::lock;

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
pub(crate) fn pull_owned<F: Fill>(cx: &Cx<'_>, st: &Mutex<F>) -> Result<Option<Vec<u8>>, Error> {
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
pub(crate) fn pull_into<F: Fill>(
    cx: &Cx<'_>,
    st: &Mutex<F>,
    buf: &mut [u8],
) -> Result<Option<usize>, Error> {
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
