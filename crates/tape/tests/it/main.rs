//! Integration tests for reelcheck-tape.

mod sim;
mod vfs;
