//! reelcheck-benches: shared helpers for the criterion and instruction-count benches.
//!
//! Every throughput bench in `benches/` measures its baseline in the same run
//! (a raw pipe copy, a memcpy, a raw file write, real Amanda, the C nsca daemon)
//! and prints the ratio, so a slow or busy machine moves both sides together.
//! This crate holds what the bench files share: the ratio [`report`], raw
//! [`pipe`] copies, bench-only transfer [`elements`] that isolate one glue pair,
//! the real-[`amanda`] runner and the NSCA [`load`] generator with its servers.
//! It is never linked into the product.

pub mod amanda;
pub mod elements;
pub mod load;
pub mod pipe;
pub mod report;
