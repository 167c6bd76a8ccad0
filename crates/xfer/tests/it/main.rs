//! Integration tests for reelcheck-xfer.

// Tests are a shell: they read and write temp files, run real programs and
// drive transfers from their own threads.
#![allow(clippy::disallowed_methods)]

mod amanda_crc; // filter-crc against Amanda 3.5.1's Filter::Crc (CRC-32C), through its Perl API
mod amanda_random; // random prng=simpleprng against Amanda 3.5.1's Source::Random and Dest::Null verifier
mod link; // the linker: the linkages real Amanda chose, typed errors, a brute-force model
mod run_cancel; // cancellation: from outside, before start, by drop, on a silent pipe, at any point
mod run_elements; // each element's output against an independent model; zero-byte transfers
mod run_errors; // injected errors, unlinkable or absent elements, unsupported glue, bad linkages
mod run_glue; // every runnable glue pair, short reads and writes, fd→fd over pipes, any chunking
mod run_lifecycle; // message rendering, linkage and names, the 3.3 tables, Send types
mod run_process; // child processes with real programs: data, failures, stderr, early readers
mod shuttle_ring; // the PUSH→PULL ring under a schedule explorer (shuttle)
mod spec; // one-line chain specs: every element, sizes, errors, building and running one
mod support; // shared models, protocol check, runners and bounded waits (not tests)
mod tables; // every element and glue table against an independent transcription
