//! Amanda's mechanism-pair cost tables, as data, for Amanda 3.3.9 and 3.5.
//!
//! Every element class of Amanda's transfer architecture declares, in a
//! static table, the (input, output) mechanism pairs it can work with and
//! what each costs: byte operations, buffer allocations per block (3.4+)
//! and threads. The glue element has its own, larger table. The linker
//! ([`crate::link`]) searches these tables; nothing here runs.
//!
//! The tables are transcribed in Amanda's order (order breaks ties in the
//! linker) from the `mech_pairs[]` arrays of the `3_3` and `3_5` branches
//! (`xfer-src/*.c`, `device-src/xfer-*.c`, `server-src/xfer-*.c`,
//! `xfer-src/element-glue.c`). The 3.3 tables have no `nalloc` column; it is
//! 0 there. [`describe`] prints one element's table.
//!
//! | element | 3.5 pairs `in -> out (ops, threads, nalloc)` | in 3.3 `(ops, threads)` |
//! |---|---|---|
//! | `Random`, `Pattern` | NONE→PULL (1,0,1); NONE→PULL_STATIC (1,0,0) | NONE→PULL (1,0) |
//! | `SourceFd`, `SourceFile` | NONE→READFD (0,0,0) | fd only, (0,0) |
//! | `SourceShmRing` | NONE→SHM_RING (0,0,0) | absent |
//! | `SourceDirectTcpListen` / `Connect` | NONE→DTCP_LISTEN / DTCP_CONNECT (1,0,0) | same |
//! | `SourceDevice` | NONE→PULL (0,1,0) | same |
//! | `SourceHolding` | NONE→PULL_STATIC (1,0,0); NONE→PULL (1,0,1); NONE→MEM_RING (1,1,0) | NONE→PULL (1,0) |
//! | `SourceRecovery` | NONE→PULL (1,0,0); with DirectTCP: NONE→DTCP_CONNECT (0,1,0); NONE→DTCP_LISTEN (0,1,0); NONE→PULL (2,0,0) | same |
//! | `FilterXor`, `FilterCrc` | PULL→PULL; PUSH→PUSH; PULL_STATIC→PULL_STATIC; PUSH_STATIC→PUSH_STATIC; all (1,0,0) | xor only: PULL→PULL, PUSH→PUSH (1,0) |
//! | `FilterProcess` | READFD→WRITEFD (1,0,0) | same |
//! | `DestNull`, `DestBuffer` | PUSH→NONE; PUSH_STATIC→NONE; (0,0,0) | PUSH→NONE (0,0) |
//! | `DestFd` | WRITEFD→NONE (0,0,0) | same |
//! | `DestApplication` | READFD→NONE (1,0,0) | absent |
//! | `DestDirectTcpListen` / `Connect` | DTCP_CONNECT / DTCP_LISTEN→NONE (0,0,0) | same |
//! | `DestDevice` | PUSH→NONE (0,0,0) | same |
//! | `DestTaperSplitter` | PUSH→NONE (2,1,0); MEM_RING→NONE (1,2,1); SHM_RING→NONE (1,1,0) | PUSH→NONE (1,1) |
//! | `DestTaperCacher` | PUSH→NONE; PUSH_STATIC→NONE; (1,1,0) | PUSH→NONE (1,1) |
//! | `DestTaperDirectTcp` | DTCP_LISTEN→NONE (0,0,0) | same |
//! | `DestHolding` | PUSH→NONE (2,1,0); MEM_RING→NONE (1,1,0); SHM_RING→NONE (1,1,0) | absent |
//!
//! The glue table has 30 pairs in 3.3 (every ordered pair of distinct
//! mechanisms among READFD, WRITEFD, PULL, PUSH, DTCP_LISTEN, DTCP_CONNECT)
//! and 63 in 3.5; see [`describe_glue`].

use std::fmt::{self, Write as _};
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::mech::{CostModel, Mech, MechPair};

/// Which Amanda release's cost tables to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TableVersion {
    /// Amanda 3.3.9: seven mechanisms, cost `(ops << 8) + threads`.
    #[serde(rename = "3.3")]
    V3_3,
    /// Amanda 3.5 (as shipped by Debian, 3.5.1): eleven mechanisms, cost
    /// `(ops << 16) + (nalloc << 8) + threads`.
    #[default]
    #[serde(rename = "3.5")]
    V3_5,
}

impl TableVersion {
    /// Both versions, oldest first.
    pub const ALL: [TableVersion; 2] = [TableVersion::V3_3, TableVersion::V3_5];

    /// The cost function this release's linker uses.
    pub const fn cost_model(self) -> CostModel {
        match self {
            TableVersion::V3_3 => CostModel::V3_3,
            TableVersion::V3_5 => CostModel::V3_5,
        }
    }

    /// `"3.3"` or `"3.5"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TableVersion::V3_3 => "3.3",
            TableVersion::V3_5 => "3.5",
        }
    }
}

impl fmt::Display for TableVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A table version string that is neither `3.3` nor `3.5`.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown Amanda table version {0:?} (expected 3.3 or 3.5)")]
pub struct UnknownTableVersion(pub String);

impl FromStr for TableVersion {
    type Err = UnknownTableVersion;

    /// Accepts `3.3`, `3.3.9`, `3.5`, `3.5.1` (any `3.3.x` / `3.5.x`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        if t == "3.3" || t.starts_with("3.3.") {
            Ok(TableVersion::V3_3)
        } else if t == "3.5" || t.starts_with("3.5.") {
            Ok(TableVersion::V3_5)
        } else {
            Err(UnknownTableVersion(s.to_owned()))
        }
    }
}

/// Every Amanda transfer element class whose cost table is known.
///
/// Most of these are cost-only descriptors here: they link but do not run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AmandaElement {
    /// `xfer-src/source-random.c`: seeded pseudo-random bytes.
    SourceRandom,
    /// `xfer-src/source-pattern.c`: a repeated byte pattern.
    SourcePattern,
    /// `xfer-src/source-fd.c`: reads an fd.
    SourceFd,
    /// `xfer-src/source-file.c` (3.5 only): reads a file.
    SourceFile,
    /// `xfer-src/source-shm-ring.c` (3.5 only): a shared-memory ring.
    SourceShmRing,
    /// `xfer-src/source-directtcp-listen.c`.
    SourceDirectTcpListen,
    /// `xfer-src/source-directtcp-connect.c`.
    SourceDirectTcpConnect,
    /// `device-src/xfer-source-device.c`: reads device blocks.
    SourceDevice,
    /// `server-src/xfer-source-holding.c`: reads holding-disk chunks.
    SourceHolding,
    /// `device-src/xfer-source-recovery.c`; its table depends on whether the
    /// device supports DirectTCP.
    SourceRecovery {
        /// `device_directtcp_supported(dev)`.
        directtcp: bool,
    },
    /// `xfer-src/filter-xor.c`: xors every byte with a key.
    FilterXor,
    /// `xfer-src/filter-crc.c` (3.5 only): computes a CRC-32C on the way through.
    FilterCrc,
    /// `xfer-src/filter-process.c`: pipes through a child process.
    FilterProcess,
    /// `xfer-src/dest-null.c`: discards (optionally verifies) bytes.
    DestNull,
    /// `xfer-src/dest-buffer.c`: collects bytes in memory.
    DestBuffer,
    /// `xfer-src/dest-fd.c`: writes an fd.
    DestFd,
    /// `xfer-src/dest-application.c` (3.5 only).
    DestApplication,
    /// `xfer-src/dest-directtcp-listen.c`.
    DestDirectTcpListen,
    /// `xfer-src/dest-directtcp-connect.c`.
    DestDirectTcpConnect,
    /// `device-src/xfer-dest-device.c`: writes device blocks, no splitting.
    DestDevice,
    /// `device-src/xfer-dest-taper-splitter.c`: splits onto volumes (LEOM).
    DestTaperSplitter,
    /// `device-src/xfer-dest-taper-cacher.c`: splits with a part cache.
    DestTaperCacher,
    /// `device-src/xfer-dest-taper-directtcp.c`.
    DestTaperDirectTcp,
    /// `server-src/xfer-dest-holding.c` (3.4+): writes holding-disk chunks.
    DestHolding,
}

/// The name [`crate::link::Linkage::render`] uses for an inserted glue element.
pub const GLUE_NAME: &str = "Glue";

impl AmandaElement {
    /// Every element, `SourceRecovery` with and without DirectTCP.
    pub const ALL: [AmandaElement; 25] = [
        AmandaElement::SourceRandom,
        AmandaElement::SourcePattern,
        AmandaElement::SourceFd,
        AmandaElement::SourceFile,
        AmandaElement::SourceShmRing,
        AmandaElement::SourceDirectTcpListen,
        AmandaElement::SourceDirectTcpConnect,
        AmandaElement::SourceDevice,
        AmandaElement::SourceHolding,
        AmandaElement::SourceRecovery { directtcp: false },
        AmandaElement::SourceRecovery { directtcp: true },
        AmandaElement::FilterXor,
        AmandaElement::FilterCrc,
        AmandaElement::FilterProcess,
        AmandaElement::DestNull,
        AmandaElement::DestBuffer,
        AmandaElement::DestFd,
        AmandaElement::DestApplication,
        AmandaElement::DestDirectTcpListen,
        AmandaElement::DestDirectTcpConnect,
        AmandaElement::DestDevice,
        AmandaElement::DestTaperSplitter,
        AmandaElement::DestTaperCacher,
        AmandaElement::DestTaperDirectTcp,
        AmandaElement::DestHolding,
    ];

    /// The name used in `Final linkage:` lines (`Random`, `DestNull`, ...).
    pub fn amanda_name(&self) -> &'static str {
        match self {
            AmandaElement::SourceRandom => "Random",
            AmandaElement::SourcePattern => "Pattern",
            AmandaElement::SourceFd => "SourceFd",
            AmandaElement::SourceFile => "SourceFile",
            AmandaElement::SourceShmRing => "SourceShmRing",
            AmandaElement::SourceDirectTcpListen => "SourceDirectTcpListen",
            AmandaElement::SourceDirectTcpConnect => "SourceDirectTcpConnect",
            AmandaElement::SourceDevice => "SourceDevice",
            AmandaElement::SourceHolding => "SourceHolding",
            AmandaElement::SourceRecovery { .. } => "SourceRecovery",
            AmandaElement::FilterXor => "FilterXor",
            AmandaElement::FilterCrc => "FilterCrc",
            AmandaElement::FilterProcess => "FilterProcess",
            AmandaElement::DestNull => "DestNull",
            AmandaElement::DestBuffer => "DestBuffer",
            AmandaElement::DestFd => "DestFd",
            AmandaElement::DestApplication => "DestApplication",
            AmandaElement::DestDirectTcpListen => "DestDirectTcpListen",
            AmandaElement::DestDirectTcpConnect => "DestDirectTcpConnect",
            AmandaElement::DestDevice => "DestDevice",
            AmandaElement::DestTaperSplitter => "DestTaperSplitter",
            AmandaElement::DestTaperCacher => "DestTaperCacher",
            AmandaElement::DestTaperDirectTcp => "DestTaperDirectTcp",
            AmandaElement::DestHolding => "DestHolding",
        }
    }

    /// Finds an element by [`AmandaElement::amanda_name`] (ASCII case-insensitive).
    ///
    /// `SourceRecovery` parses as the non-DirectTCP variant.
    pub fn from_amanda_name(name: &str) -> Option<AmandaElement> {
        let name = name.trim();
        AmandaElement::ALL
            .into_iter()
            .find(|e| e.amanda_name().eq_ignore_ascii_case(name))
    }

    /// The Amanda source file that declares the table (`xfer-src/dest-null.c`).
    pub fn amanda_source(&self) -> &'static str {
        match self {
            AmandaElement::SourceRandom => "xfer-src/source-random.c",
            AmandaElement::SourcePattern => "xfer-src/source-pattern.c",
            AmandaElement::SourceFd => "xfer-src/source-fd.c",
            AmandaElement::SourceFile => "xfer-src/source-file.c",
            AmandaElement::SourceShmRing => "xfer-src/source-shm-ring.c",
            AmandaElement::SourceDirectTcpListen => "xfer-src/source-directtcp-listen.c",
            AmandaElement::SourceDirectTcpConnect => "xfer-src/source-directtcp-connect.c",
            AmandaElement::SourceDevice => "device-src/xfer-source-device.c",
            AmandaElement::SourceHolding => "server-src/xfer-source-holding.c",
            AmandaElement::SourceRecovery { .. } => "device-src/xfer-source-recovery.c",
            AmandaElement::FilterXor => "xfer-src/filter-xor.c",
            AmandaElement::FilterCrc => "xfer-src/filter-crc.c",
            AmandaElement::FilterProcess => "xfer-src/filter-process.c",
            AmandaElement::DestNull => "xfer-src/dest-null.c",
            AmandaElement::DestBuffer => "xfer-src/dest-buffer.c",
            AmandaElement::DestFd => "xfer-src/dest-fd.c",
            AmandaElement::DestApplication => "xfer-src/dest-application.c",
            AmandaElement::DestDirectTcpListen => "xfer-src/dest-directtcp-listen.c",
            AmandaElement::DestDirectTcpConnect => "xfer-src/dest-directtcp-connect.c",
            AmandaElement::DestDevice => "device-src/xfer-dest-device.c",
            AmandaElement::DestTaperSplitter => "device-src/xfer-dest-taper-splitter.c",
            AmandaElement::DestTaperCacher => "device-src/xfer-dest-taper-cacher.c",
            AmandaElement::DestTaperDirectTcp => "device-src/xfer-dest-taper-directtcp.c",
            AmandaElement::DestHolding => "server-src/xfer-dest-holding.c",
        }
    }

    /// True if the element exists in release `v`.
    pub fn exists_in(&self, v: TableVersion) -> bool {
        element_pairs(*self, v).is_some()
    }
}

impl fmt::Display for AmandaElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.amanda_name())
    }
}

/// The element's mechanism pairs in release `v`, in Amanda's table order;
/// `None` if the element does not exist in that release.
pub fn element_pairs(elt: AmandaElement, v: TableVersion) -> Option<&'static [MechPair]> {
    use AmandaElement as E;
    use TableVersion::{V3_3, V3_5};
    let pairs: &'static [MechPair] = match (elt, v) {
        (E::SourceRandom | E::SourcePattern, V3_5) => &v35::SOURCE_RANDOM,
        (E::SourceRandom | E::SourcePattern, V3_3) => &v33::SOURCE_RANDOM,
        (E::SourceFd, _) | (E::SourceFile, V3_5) => &SOURCE_FD,
        (E::SourceShmRing, V3_5) => &v35::SOURCE_SHM_RING,
        (E::SourceDirectTcpListen, _) => &SOURCE_DIRECTTCP_LISTEN,
        (E::SourceDirectTcpConnect, _) => &SOURCE_DIRECTTCP_CONNECT,
        (E::SourceDevice, _) => &SOURCE_DEVICE,
        (E::SourceHolding, V3_5) => &v35::SOURCE_HOLDING,
        (E::SourceHolding, V3_3) => &v33::SOURCE_HOLDING,
        (E::SourceRecovery { directtcp: false }, _) => &SOURCE_RECOVERY_BASIC,
        (E::SourceRecovery { directtcp: true }, _) => &SOURCE_RECOVERY_DIRECTTCP,
        (E::FilterXor, V3_5) | (E::FilterCrc, V3_5) => &v35::FILTER_XOR,
        (E::FilterXor, V3_3) => &v33::FILTER_XOR,
        (E::FilterProcess, _) => &FILTER_PROCESS,
        (E::DestNull | E::DestBuffer, V3_5) => &v35::DEST_NULL,
        (E::DestNull | E::DestBuffer, V3_3) => &v33::DEST_NULL,
        (E::DestFd, _) => &DEST_FD,
        (E::DestApplication, V3_5) => &v35::DEST_APPLICATION,
        (E::DestDirectTcpListen, _) => &DEST_DIRECTTCP_LISTEN,
        (E::DestDirectTcpConnect, _) => &DEST_DIRECTTCP_CONNECT,
        (E::DestDevice, _) => &DEST_DEVICE,
        (E::DestTaperSplitter, V3_5) => &v35::DEST_TAPER_SPLITTER,
        (E::DestTaperSplitter, V3_3) => &v33::DEST_TAPER_SPLITTER,
        (E::DestTaperCacher, V3_5) => &v35::DEST_TAPER_CACHER,
        (E::DestTaperCacher, V3_3) => &v33::DEST_TAPER_CACHER,
        (E::DestTaperDirectTcp, _) => &DEST_TAPER_DIRECTTCP,
        (E::DestHolding, V3_5) => &v35::DEST_HOLDING,
        (
            E::SourceFile | E::SourceShmRing | E::FilterCrc | E::DestApplication | E::DestHolding,
            V3_3,
        ) => return None,
    };
    Some(pairs)
}

/// The glue element's mechanism pairs in release `v`, in Amanda's table order.
pub fn glue_pairs(v: TableVersion) -> &'static [MechPair] {
    match v {
        TableVersion::V3_3 => &v33::GLUE,
        TableVersion::V3_5 => &v35::GLUE,
    }
}

/// The cost model to use with a glue table: 3.3 for Amanda 3.3's glue
/// table (recognised by content), 3.5 for anything else.
pub fn cost_model_for_glue(glue: &[MechPair]) -> CostModel {
    if std::ptr::eq(glue, &v33::GLUE[..]) || glue == &v33::GLUE[..] {
        CostModel::V3_3
    } else {
        CostModel::V3_5
    }
}

/// A human-readable listing of an element's pairs and costs in release `v`
/// (no `nalloc` column for 3.3, whose tables have none).
///
/// ```text
/// Random (xfer-src/source-random.c), Amanda 3.5:
///   NONE -> PULL_BUFFER                      ops 1 nalloc 1 threads 0  cost 0x10100
///   NONE -> PULL_BUFFER_STATIC               ops 1 nalloc 0 threads 0  cost 0x10000
/// ```
pub fn describe(elt: AmandaElement, v: TableVersion) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{} ({}), Amanda {}:",
        elt.amanda_name(),
        elt.amanda_source(),
        v
    );
    match element_pairs(elt, v) {
        None => {
            let _ = write!(out, " absent");
        }
        Some(pairs) => {
            for pair in pairs {
                out.push('\n');
                describe_pair(&mut out, pair, v.cost_model());
            }
        }
    }
    out
}

/// A human-readable listing of the glue table of release `v`.
pub fn describe_glue(v: TableVersion) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "{} (xfer-src/element-glue.c), Amanda {}:",
        GLUE_NAME, v
    );
    for pair in glue_pairs(v) {
        out.push('\n');
        describe_pair(&mut out, pair, v.cost_model());
    }
    out
}

fn describe_pair(out: &mut String, pair: &MechPair, model: CostModel) {
    let mechs = format!("{} -> {}", pair.input, pair.output);
    let _ = write!(out, "  {:<40} ops {}", mechs, pair.ops_per_byte);
    // 3.3 tables have no allocation column.
    if model == CostModel::V3_5 {
        let _ = write!(out, " nalloc {}", pair.nalloc);
    }
    let _ = write!(
        out,
        " threads {}  cost {:#x}",
        pair.nthreads,
        pair.cost(model)
    );
}

// Short names keep the tables below readable and close to Amanda's source.
const NONE: Mech = Mech::None;
const READFD: Mech = Mech::ReadFd;
const WRITEFD: Mech = Mech::WriteFd;
const PULL: Mech = Mech::PullBuffer;
const PULL_S: Mech = Mech::PullBufferStatic;
const PUSH: Mech = Mech::PushBuffer;
const PUSH_S: Mech = Mech::PushBufferStatic;
const DTCP_L: Mech = Mech::DirectTcpListen;
const DTCP_C: Mech = Mech::DirectTcpConnect;
const MEM: Mech = Mech::MemRing;
const SHM: Mech = Mech::ShmRing;

/// A table row in Amanda's column order: `{ in, out, NROPS, NTHREADS, NALLOC }`.
const fn p(input: Mech, output: Mech, ops: u8, threads: u8, nalloc: u8) -> MechPair {
    MechPair::new(input, output, ops, threads, nalloc)
}

// Tables identical in 3.3 and 3.5 (nalloc 0 in both).
static SOURCE_FD: [MechPair; 1] = [p(NONE, READFD, 0, 0, 0)];
static SOURCE_DIRECTTCP_LISTEN: [MechPair; 1] = [p(NONE, DTCP_L, 1, 0, 0)];
static SOURCE_DIRECTTCP_CONNECT: [MechPair; 1] = [p(NONE, DTCP_C, 1, 0, 0)];
static SOURCE_DEVICE: [MechPair; 1] = [p(NONE, PULL, 0, 1, 0)];
static SOURCE_RECOVERY_BASIC: [MechPair; 1] = [p(NONE, PULL, 1, 0, 0)];
/// "devices which support DirectTCP are usually not very efficient at
/// delivering data via device_read_block, so this counts an extra byte
/// operation in the cost metrics".
static SOURCE_RECOVERY_DIRECTTCP: [MechPair; 3] = [
    p(NONE, DTCP_C, 0, 1, 0),
    p(NONE, DTCP_L, 0, 1, 0),
    p(NONE, PULL, 2, 0, 0),
];
static FILTER_PROCESS: [MechPair; 1] = [p(READFD, WRITEFD, 1, 0, 0)];
static DEST_FD: [MechPair; 1] = [p(WRITEFD, NONE, 0, 0, 0)];
static DEST_DIRECTTCP_LISTEN: [MechPair; 1] = [p(DTCP_C, NONE, 0, 0, 0)];
static DEST_DIRECTTCP_CONNECT: [MechPair; 1] = [p(DTCP_L, NONE, 0, 0, 0)];
static DEST_DEVICE: [MechPair; 1] = [p(PUSH, NONE, 0, 0, 0)];
static DEST_TAPER_DIRECTTCP: [MechPair; 1] = [p(DTCP_L, NONE, 0, 0, 0)];

/// Amanda 3.3.9 (`refs/heads/3_3`).
mod v33 {
    use super::*;

    pub(super) static SOURCE_RANDOM: [MechPair; 1] = [p(NONE, PULL, 1, 0, 0)];
    pub(super) static SOURCE_HOLDING: [MechPair; 1] = [p(NONE, PULL, 1, 0, 0)];
    pub(super) static FILTER_XOR: [MechPair; 2] = [p(PULL, PULL, 1, 0, 0), p(PUSH, PUSH, 1, 0, 0)];
    pub(super) static DEST_NULL: [MechPair; 1] = [p(PUSH, NONE, 0, 0, 0)];
    pub(super) static DEST_TAPER_SPLITTER: [MechPair; 1] = [p(PUSH, NONE, 1, 1, 0)];
    pub(super) static DEST_TAPER_CACHER: [MechPair; 1] = [p(PUSH, NONE, 1, 1, 0)];

    /// `xfer-src/element-glue.c` lines 1290–1324: every ordered pair of
    /// distinct mechanisms among the six non-NONE ones.
    pub(super) static GLUE: [MechPair; 30] = [
        p(READFD, WRITEFD, 2, 1, 0), // splice or copy
        p(READFD, PUSH, 1, 1, 0),    // read and call
        p(READFD, PULL, 1, 0, 0),    // read on demand
        p(READFD, DTCP_L, 2, 1, 0),  // splice or copy
        p(READFD, DTCP_C, 2, 1, 0),  // splice or copy
        //
        p(WRITEFD, READFD, 0, 0, 0), // pipe
        p(WRITEFD, PUSH, 1, 1, 0),   // pipe + read and call
        p(WRITEFD, PULL, 1, 0, 0),   // pipe + read on demand
        p(WRITEFD, DTCP_L, 2, 1, 0), // pipe + splice or copy
        p(WRITEFD, DTCP_C, 2, 1, 0), // splice or copy + pipe
        //
        p(PUSH, READFD, 1, 0, 0),  // write on demand + pipe
        p(PUSH, WRITEFD, 1, 0, 0), // write on demand
        p(PUSH, PULL, 0, 0, 0),    // async queue
        p(PUSH, DTCP_L, 1, 0, 0),  // write on demand
        p(PUSH, DTCP_C, 1, 0, 0),  // write on demand
        //
        p(PULL, READFD, 1, 1, 0),  // call and write + pipe
        p(PULL, WRITEFD, 1, 1, 0), // call and write
        p(PULL, PUSH, 0, 1, 0),    // call and call
        p(PULL, DTCP_L, 1, 1, 0),  // call and write
        p(PULL, DTCP_C, 1, 1, 0),  // call and write
        //
        p(DTCP_L, READFD, 2, 1, 0),  // splice or copy + pipe
        p(DTCP_L, WRITEFD, 2, 1, 0), // splice or copy
        p(DTCP_L, PUSH, 1, 1, 0),    // read and call
        p(DTCP_L, PULL, 1, 0, 0),    // read on demand
        p(DTCP_L, DTCP_C, 2, 1, 0),  // splice or copy
        //
        p(DTCP_C, READFD, 2, 1, 0),  // splice or copy + pipe
        p(DTCP_C, WRITEFD, 2, 1, 0), // splice or copy + pipe
        p(DTCP_C, PUSH, 1, 1, 0),    // read and call
        p(DTCP_C, PULL, 1, 0, 0),    // read on demand
        p(DTCP_C, DTCP_L, 2, 1, 0),  // splice or copy
    ];
}

/// Amanda 3.5 (`refs/heads/3_5`; Debian ships 3.5.1 with the same tables).
mod v35 {
    use super::*;

    /// Also source-pattern.
    pub(super) static SOURCE_RANDOM: [MechPair; 2] =
        [p(NONE, PULL, 1, 0, 1), p(NONE, PULL_S, 1, 0, 0)];
    pub(super) static SOURCE_SHM_RING: [MechPair; 1] = [p(NONE, SHM, 0, 0, 0)];
    pub(super) static SOURCE_HOLDING: [MechPair; 3] = [
        p(NONE, PULL_S, 1, 0, 0),
        p(NONE, PULL, 1, 0, 1),
        p(NONE, MEM, 1, 1, 0),
    ];
    /// Also filter-crc.
    pub(super) static FILTER_XOR: [MechPair; 4] = [
        p(PULL, PULL, 1, 0, 0),
        p(PUSH, PUSH, 1, 0, 0),
        p(PULL_S, PULL_S, 1, 0, 0),
        p(PUSH_S, PUSH_S, 1, 0, 0),
    ];
    /// Also dest-buffer.
    pub(super) static DEST_NULL: [MechPair; 2] = [p(PUSH, NONE, 0, 0, 0), p(PUSH_S, NONE, 0, 0, 0)];
    pub(super) static DEST_APPLICATION: [MechPair; 1] = [p(READFD, NONE, 1, 0, 0)];
    pub(super) static DEST_TAPER_SPLITTER: [MechPair; 3] = [
        p(PUSH, NONE, 2, 1, 0),
        p(MEM, NONE, 1, 2, 1),
        p(SHM, NONE, 1, 1, 0),
    ];
    pub(super) static DEST_TAPER_CACHER: [MechPair; 2] =
        [p(PUSH, NONE, 1, 1, 0), p(PUSH_S, NONE, 1, 1, 0)];
    pub(super) static DEST_HOLDING: [MechPair; 3] = [
        p(PUSH, NONE, 2, 1, 0),
        p(MEM, NONE, 1, 1, 0),
        p(SHM, NONE, 1, 1, 0),
    ];

    /// `xfer-src/element-glue.c` lines 2393–2468 (two pairs commented out
    /// there, PULL_STATIC->DTCP_LISTEN and PULL_STATIC->MEM_RING, and two
    /// marked TODO, MEM_RING->DTCP_*, are absent here too).
    pub(super) static GLUE: [MechPair; 63] = [
        p(READFD, WRITEFD, 2, 1, 0), // splice or copy
        p(READFD, PUSH, 1, 1, 1),    // read and call
        p(READFD, PUSH_S, 1, 1, 0),  // read and call
        p(READFD, PULL, 1, 0, 1),    // read on demand
        p(READFD, PULL_S, 1, 0, 1),  // read on demand
        p(READFD, DTCP_L, 2, 1, 0),  // splice or copy
        p(READFD, DTCP_C, 2, 1, 0),  // splice or copy
        p(READFD, MEM, 1, 1, 0),     // read and add to mem ring
        p(READFD, SHM, 1, 1, 0),     // read and add to shm ring
        //
        p(WRITEFD, READFD, 0, 0, 0), // pipe
        p(WRITEFD, PUSH, 1, 1, 1),   // pipe + read and call
        p(WRITEFD, PUSH_S, 1, 1, 0), // pipe + read and call
        p(WRITEFD, PULL, 1, 0, 1),   // pipe + read on demand
        p(WRITEFD, PULL_S, 1, 0, 1), // pipe + read on demand
        p(WRITEFD, DTCP_L, 2, 1, 0), // pipe + splice or copy
        p(WRITEFD, DTCP_C, 2, 1, 0), // splice or copy + pipe
        p(WRITEFD, MEM, 1, 1, 0),    // pipe + read and add to mem ring
        p(WRITEFD, SHM, 1, 1, 0),    // pipe + read and add to shm ring
        //
        p(PUSH, READFD, 1, 0, 0),  // write on demand + pipe
        p(PUSH, WRITEFD, 1, 0, 0), // write on demand
        p(PUSH, PULL, 0, 0, 0),    // async queue
        p(PUSH, DTCP_L, 1, 0, 0),  // write on demand
        p(PUSH, DTCP_C, 1, 0, 0),  // write on demand
        //
        p(PUSH_S, READFD, 1, 0, 0),  // write on demand + pipe
        p(PUSH_S, WRITEFD, 1, 0, 0), // write on demand
        p(PUSH_S, PULL_S, 0, 0, 0),  // async queue
        p(PUSH_S, DTCP_L, 1, 0, 0),  // write on demand
        p(PUSH_S, DTCP_C, 1, 0, 0),  // write on demand
        //
        p(PULL, READFD, 1, 1, 0),  // call and write + pipe
        p(PULL, WRITEFD, 1, 1, 0), // call and write
        p(PULL, PUSH, 0, 1, 0),    // call and call
        p(PULL, DTCP_L, 1, 1, 0),  // call and write
        p(PULL, DTCP_C, 1, 1, 0),  // call and write
        //
        p(PULL_S, READFD, 1, 1, 0),  // call and write + pipe
        p(PULL_S, WRITEFD, 1, 1, 0), // call and write
        p(PULL_S, PUSH_S, 0, 1, 0),  // call and call
        p(PULL_S, DTCP_C, 1, 1, 0),  // call and write
        p(PULL_S, SHM, 1, 1, 0),     // pull and add to shm ring
        //
        p(DTCP_L, READFD, 2, 1, 0),  // splice or copy + pipe
        p(DTCP_L, WRITEFD, 2, 1, 0), // splice or copy
        p(DTCP_L, PUSH, 1, 1, 1),    // read and call
        p(DTCP_L, PUSH_S, 1, 1, 0),  // read and call
        p(DTCP_L, PULL, 1, 0, 1),    // read on demand
        p(DTCP_L, PULL_S, 1, 0, 1),  // read on demand
        p(DTCP_L, DTCP_C, 2, 1, 0),  // splice or copy
        p(DTCP_L, MEM, 1, 1, 0),     // read and add to mem ring
        p(DTCP_L, SHM, 1, 1, 0),     // read and add to shm ring
        //
        p(DTCP_C, READFD, 2, 1, 0),  // splice or copy + pipe
        p(DTCP_C, WRITEFD, 2, 1, 0), // splice or copy + pipe
        p(DTCP_C, PUSH, 1, 1, 1),    // read and call
        p(DTCP_C, PUSH_S, 1, 1, 0),  // read and call
        p(DTCP_C, PULL, 1, 0, 1),    // read on demand
        p(DTCP_C, PULL_S, 1, 0, 1),  // read on demand
        p(DTCP_C, DTCP_L, 2, 1, 0),  // splice or copy
        p(DTCP_C, MEM, 1, 1, 0),     // read and add to mem ring
        p(DTCP_C, SHM, 1, 1, 0),     // read and add to shm ring
        //
        p(MEM, READFD, 1, 1, 0),
        p(MEM, WRITEFD, 1, 1, 0),
        //
        p(SHM, READFD, 1, 1, 0),
        p(SHM, WRITEFD, 1, 1, 0),
        p(SHM, DTCP_L, 1, 1, 0),
        p(SHM, DTCP_C, 1, 1, 0),
        p(SHM, PUSH_S, 0, 1, 0),
    ];
}
