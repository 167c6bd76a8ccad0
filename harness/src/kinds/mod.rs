//! The scenario runners, one per kind.

use crate::scenario::Runner;

/// Every runner in this build, in report order.
pub static RUNNERS: &[&dyn Runner] = &[];
