//! Amanda-style transfer architecture.
//!
//! A transfer is a chain of elements; neighbours hand bytes over through a
//! [`mech::Mech`]anism. The linker picks, for every element, one of its
//! declared mechanism pairs and inserts glue where neighbours disagree, at the
//! least total cost. Only glue elements (and fd/process elements) own threads,
//! pipes and child processes; everything else is plain data and calls.

pub mod cancel;
pub mod element;
pub mod elements;
pub mod error;
pub mod glue;
pub mod link;
pub mod mech;
pub mod msg;
pub mod spec;
mod sync;
pub mod tables;
pub mod transfer;

pub use error::Error;
pub use transfer::{
    Canceller, ElementError, ErrorAt, Faults, Status, Summary, Xfer, XferConfig, link_chain,
    run_chain,
};
