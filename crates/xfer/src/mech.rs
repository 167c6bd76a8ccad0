//! Transfer mechanisms and the cost-annotated mechanism pairs elements declare.
//!
//! A mechanism says how two neighbouring elements hand bytes to each other
//! (Amanda 3.5 `xfer_mech`, in declaration order).

use std::fmt;

/// How bytes cross the boundary between two neighbouring elements.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mech {
    /// No neighbour: the input of a source, the output of a destination.
    None,
    /// Downstream `read()`s from the upstream element's output fd.
    ReadFd,
    /// Upstream `write()`s to the downstream element's input fd.
    WriteFd,
    /// Downstream pulls owned buffers from upstream; `None` is EOF.
    PullBuffer,
    /// Downstream pulls into its own buffer; `None` is EOF.
    PullBufferStatic,
    /// Upstream pushes owned buffers downstream; `None` is EOF.
    PushBuffer,
    /// Upstream pushes a borrowed buffer downstream; `None` is EOF.
    PushBufferStatic,
    /// Downstream listens; upstream connects and sends (link-only here).
    DirectTcpListen,
    /// Upstream listens; downstream connects and receives (link-only here).
    DirectTcpConnect,
    /// A memory ring between threads of one process.
    MemRing,
    /// A shared-memory ring between processes (link-only here).
    ShmRing,
}

impl Mech {
    /// Every mechanism, in Amanda's declaration order.
    pub const ALL: [Mech; 11] = [
        Mech::None,
        Mech::ReadFd,
        Mech::WriteFd,
        Mech::PullBuffer,
        Mech::PullBufferStatic,
        Mech::PushBuffer,
        Mech::PushBufferStatic,
        Mech::DirectTcpListen,
        Mech::DirectTcpConnect,
        Mech::MemRing,
        Mech::ShmRing,
    ];

    /// Amanda's name for the mechanism, as `xfer_mech_name` prints it.
    pub fn amanda_name(self) -> &'static str {
        match self {
            Mech::None => "NONE",
            Mech::ReadFd => "READFD",
            Mech::WriteFd => "WRITEFD",
            Mech::PullBuffer => "PULL_BUFFER",
            Mech::PullBufferStatic => "PULL_BUFFER_STATIC",
            Mech::PushBuffer => "PUSH_BUFFER",
            Mech::PushBufferStatic => "PUSH_BUFFER_STATIC",
            Mech::DirectTcpListen => "DIRECTTCP_LISTEN",
            Mech::DirectTcpConnect => "DIRECTTCP_CONNECT",
            Mech::MemRing => "MEM_RING",
            Mech::ShmRing => "SHM_RING",
        }
    }

    /// Parses Amanda's name (`PULL_BUFFER`, case-insensitive, `XFER_MECH_` prefix allowed).
    pub fn from_amanda_name(name: &str) -> Option<Mech> {
        let upper = name.trim().to_ascii_uppercase();
        let bare = upper.strip_prefix("XFER_MECH_").unwrap_or(&upper);
        Mech::ALL.into_iter().find(|m| m.amanda_name() == bare)
    }
}

impl fmt::Display for Mech {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.amanda_name())
    }
}

/// One way an element (or glue) can work: input mechanism, output mechanism
/// and what it costs (Amanda's `xfer_element_mech_pair_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MechPair {
    /// Mechanism on the upstream side.
    pub input: Mech,
    /// Mechanism on the downstream side.
    pub output: Mech,
    /// Times each byte is touched (copied, transformed).
    pub ops_per_byte: u8,
    /// Buffer allocations per block (3.4+; 0 in the 3.3 tables).
    pub nalloc: u8,
    /// Threads the element needs in this mode.
    pub nthreads: u8,
}

impl MechPair {
    /// Builds a pair; argument order follows Amanda's tables (ops, threads, nalloc).
    pub const fn new(input: Mech, output: Mech, ops_per_byte: u8, nthreads: u8, nalloc: u8) -> Self {
        MechPair { input, output, ops_per_byte, nalloc, nthreads }
    }
}
