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
mod generate;
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
pub use null::{NullDest, Received, ReceivedHandle};
pub use pattern::PatternSource;
pub use process::ProcessFilter;
pub use random::{Prng, RandomSource, prng_bytes, random_bytes};
pub use xor::XorFilter;
