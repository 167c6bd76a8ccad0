//! Integration tests for reelcheck-tape.

mod amanda;
mod header;
mod inspect;
mod misuse;
mod sim;
mod vfs;
mod vfs_model;
mod vtape;
