//! Integration tests for reelcheck-xfer.

mod link;
mod tables;
mod run;
mod shuttle_ring;
mod spec;
