//! Integration tests for reelcheck-tape.

mod amanda;
mod header;
mod sim;
mod vfs;
