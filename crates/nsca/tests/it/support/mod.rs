//! Test helpers shared by the test modules.
//!
//! * [`events`] — bounded waits on a server's events ([`events::Events::wait_for`]);
//! * [`server`] — a server in a temp dir, tokio clients that speak NSCA, packet helpers;
//! * [`session`] — sans-IO helpers: reference IV, hex, client bytes, server session events;
//! * [`interop`] — running the real nsca / send_nsca 2.10 next to ours.

pub mod events;
pub mod interop;
pub mod server;
pub mod session;
