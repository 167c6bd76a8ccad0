//! The scenario runners, one per kind.

pub mod tape;
pub mod xfer;

use crate::scenario::Runner;

/// Every runner in this build, in report order.
pub static RUNNERS: &[&dyn Runner] = &[&xfer::XferRunner, &tape::TapeRunner];
