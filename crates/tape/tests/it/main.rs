//! Integration tests for reelcheck-tape.

mod header;
mod sim;
mod vfs;
