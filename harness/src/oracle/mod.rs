//! Oracles: what a correct run produces, computed without the code under test.
//!
//! Every expectation a check compares against comes from here, and everything
//! here is written from the published specification or the real programs
//! (`../shared/reference/amanda.md`, Vigna's splitmix64, RFC 3720's CRC-32C),
//! never by calling the component crates. Oracles may repeat logic that the
//! components also implement: that is the point, two independent writings
//! that must agree.
//!
//! - [`splitmix`]: the splitmix64 stream behind the `random` source.
//! - [`crc32c`]: CRC-32C (Castagnoli), the CRC Amanda's `crc32_add` computes.
//! - [`chain`]: the bytes a transfer chain in spec syntax must deliver.
//! - [`linkage`]: Amanda's mechanism tables, transcribed from the reference, and
//!   a brute-force search for the cheapest linkage with Amanda's tie rule.
//! - [`tape`]: a reference model of the simulated tape drive with its faults.

pub mod chain;
pub mod crc32c;
pub mod linkage;
pub mod splitmix;
pub mod tape;
