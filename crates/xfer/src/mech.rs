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
    /// Number of mechanisms (Amanda's `XFER_MECH_MAX`).
    pub const COUNT: usize = 11;

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

    /// Amanda's numeric value (declaration order, `NONE` = 0).
    pub const fn index(self) -> usize {
        self as usize
    }

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

/// How a mechanism pair's cost is computed (Amanda's `PAIR_COST` macro).
///
/// Costs are summed over every chosen element pair and glue pair; the
/// linker keeps the cheapest sum.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum CostModel {
    /// Amanda 3.2/3.3: `(ops_per_byte << 8) + nthreads` ("OPS_PER_BYTE is the
    /// most important metric, followed by NTHREADS").
    V3_3,
    /// Amanda 3.4/3.5: `(ops_per_byte << 16) + (nalloc << 8) + nthreads`,
    /// lexicographic (ops, allocations, threads).
    #[default]
    V3_5,
}

impl CostModel {
    /// Amanda's `MAX_COST`: the linker's initial bound; a linkage must cost less.
    pub const MAX_COST: u32 = 0x00ff_ffff;

    /// The cost of one pair under this model.
    pub const fn pair_cost(self, pair: &MechPair) -> u32 {
        let ops = pair.ops_per_byte as u32;
        let nalloc = pair.nalloc as u32;
        let nthreads = pair.nthreads as u32;
        match self {
            CostModel::V3_3 => (ops << 8) + nthreads,
            CostModel::V3_5 => (ops << 16) + (nalloc << 8) + nthreads,
        }
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
    pub const fn new(
        input: Mech,
        output: Mech,
        ops_per_byte: u8,
        nthreads: u8,
        nalloc: u8,
    ) -> Self {
        MechPair {
            input,
            output,
            ops_per_byte,
            nalloc,
            nthreads,
        }
    }

    /// This pair's cost under `model` (Amanda's `PAIR_COST`).
    pub const fn cost(&self, model: CostModel) -> u32 {
        model.pair_cost(self)
    }

    /// True for Amanda's table terminator `{NONE, NONE}`, which ends a pair list.
    pub const fn is_terminator(&self) -> bool {
        matches!(self.input, Mech::None) && matches!(self.output, Mech::None)
    }
}

impl fmt::Display for MechPair {
    /// `PULL_BUFFER -> PUSH_BUFFER (ops 0, nalloc 0, threads 1)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} -> {} (ops {}, nalloc {}, threads {})",
            self.input, self.output, self.ops_per_byte, self.nalloc, self.nthreads
        )
    }
}
