//! The wall clock, read only by the shells (the server's connections and the fake servers).
//!
//! The core takes `now` as an argument; this is where the shells get it.
#![allow(
    clippy::disallowed_methods,
    reason = "the shells' one wall-clock read: init packet timestamps and command-file times"
)]

/// Seconds since the epoch (0 if the clock is before it).
pub(crate) fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}
