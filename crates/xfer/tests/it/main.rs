//! Integration tests for reelcheck-xfer.

mod link;
mod run;
