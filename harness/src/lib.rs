//! reelcheck's harness: fault plans, seeded randomness,
//! traces, the scenario engine and its runners, golden files, reports,
//! fuzz campaigns and the `reelcheck` CLI.
//!
//! The harness drives the real `reelcheck-nsca`, `reelcheck-xfer` and
//! `reelcheck-tape` code; fakes replace only the outside world. It never
//! reads the wall clock inside a simulated run and never uses ambient
//! randomness: everything random comes from [`rng::Seed`].

pub mod amanda;
pub mod engine;
pub mod fault;
pub mod fuzz;
pub mod golden;
pub mod kinds;
pub mod oracle;
pub mod report;
pub mod rng;
pub mod runner;
pub mod scenario;
pub mod shard;
pub mod size;
pub mod trace;
