//! The runnable element library, plus cost-only descriptors.
//!
//! Sources: [`RandomSource`], [`PatternSource`], [`MemorySource`], [`FdSource`].
//! Filters: [`XorFilter`], [`CrcFilter`], [`ProcessFilter`].
//! Destinations: [`NullDest`], [`BufferDest`], [`FdDest`], [`CrcCheckDest`].
//! [`CostOnly`] stands for an Amanda element that links but does not run.
//! Every runnable Amanda element takes its mechanism pairs from
//! [`crate::tables::element_pairs`], so the linker sees Amanda's costs.

mod buffer;
mod cost_only;
mod crc;
mod crc_check;
mod fd;
mod memory;
mod null;
mod pattern;
mod process;
mod random;
mod xor;

pub use buffer::{BufferDest, BufferHandle};
pub use cost_only::CostOnly;
pub use crc::CrcFilter;
pub use crc_check::CrcCheckDest;
pub use fd::{FdDest, FdSource};
pub use memory::MemorySource;
pub use null::NullDest;
pub use pattern::PatternSource;
pub use process::ProcessFilter;
pub use random::{RandomSource, random_bytes};
pub use xor::XorFilter;

use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::element::Cx;
use crate::error::Error;

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
