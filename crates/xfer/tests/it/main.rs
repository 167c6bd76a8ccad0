//! Integration tests for reelcheck-xfer.

mod link;
mod run;
mod shuttle_ring;
mod spec;
mod tables;
