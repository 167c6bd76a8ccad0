//! A live differential against Amanda 3.5.1's own linker and runtime.
//!
//! [`case`] describes a chain of the elements both sides have and draws
//! them (every shape, then seeded cases); [`probe`] runs one through
//! `Amanda::Xfer` with the Perl probe `harness/amanda/xfer-probe.pl`;
//! [`ours`] runs it through reelcheck-xfer; both report an
//! [`observed::Observed`]; [`diff`] compares them and writes findings;
//! [`defects`] lists the disagreements where Amanda is the one wrong.

pub mod case;
pub mod defects;
pub mod diff;
pub mod observed;
pub mod ours;
pub mod probe;
