//! Integration tests for reelcheck-xfer.

// Tests are a shell: they read and write temp files, run real programs and
// drive transfers from their own threads.
#![allow(clippy::disallowed_methods)]

mod link;
mod run;
mod shuttle_ring;
mod spec;
mod tables;
