//! Amanda-style transfer architecture.
//!
//! A transfer is a chain of elements; neighbours hand bytes over through a
//! [`mech::Mech`]anism. The linker picks, for every element, one of its
//! declared mechanism pairs and inserts glue where neighbours disagree, at the
//! least total cost. Key types: [`Xfer`] (build, start, cancel, wait),
//! [`element::Element`] and its view of the run, [`element::Cx`];
//! [`link::Linkage`]; [`Summary`]; [`Error`].
//!
//! The core reads no clock, opens no file or socket and draws no ambient
//! randomness: the element trait, the data-only elements, the linker and
//! its tables, messages, specs and errors are plain data and calls, which
//! `clippy.toml` enforces. Threads, pipes and child processes live only in
//! the shells: the chain runtime (`transfer::chain` spawns the elements'
//! worker threads, `transfer::dispatch` the dispatcher), glue (which moves
//! data in those threads through [`cancel`]'s tracked fds) and the
//! [`elements`] `fd` (opens files) and `process` (spawns children).
//!
//! Modules, from the leaves up: [`mech`], [`tables`], [`msg`], [`cancel`]
//! and [`error`]; [`link`] (the linker); [`element`] (the trait, [`element::Cx`]
//! and the linked chain); [`elements`] (the library) and [`glue`]; [`spec`]
//! (one-line chain specs); [`transfer`] (configuration and faults, the
//! runtime, the dispatcher, the lifecycle, the summary). Files never import
//! in a circle (the harness's `module_graph` test checks it).

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
