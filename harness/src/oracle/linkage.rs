//! Amanda's linker as the reference describes it (amanda.md §2 and §3), written
//! again from the text: the mechanism-pair tables transcribed from the
//! reference's own notation, the cost formula of each version, and a brute-force
//! search over every linkage.
//!
//! Amanda's `link_recurse` is a branch-and-bound search that keeps the first
//! linkage found at the lowest cost, exploring each element's pairs in table
//! order, trying "no glue" before each glue pair, glue pairs in table order.
//! [`best`] visits every complete linkage in that same order without pruning and
//! keeps the first cheapest one, so it must choose what Amanda chooses (and is
//! slow on purpose: it is an oracle, not a linker).

use std::fmt::Write as _;

/// Amanda's table versions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// 3.2 / 3.3: seven mechanisms, cost `(ops << 8) + nthreads`.
    V33,
    /// 3.4 / 3.5: eleven mechanisms, cost `(ops << 16) + (nalloc << 8) + nthreads`.
    V35,
}

impl Version {
    /// The version a scenario's `tables = "3.3" | "3.5"` names.
    pub fn parse(s: &str) -> Option<Version> {
        match s.trim() {
            "3.3" => Some(Version::V33),
            "3.5" => Some(Version::V35),
            _ => None,
        }
    }

    /// `PAIR_COST` of this version (§3.1).
    pub fn cost(self, p: &Pair) -> u32 {
        match self {
            Version::V33 => (p.ops << 8) + p.threads,
            Version::V35 => (p.ops << 16) + (p.nalloc << 8) + p.threads,
        }
    }
}

/// `MAX_COST`: Amanda's initial best cost; only cheaper linkages are accepted.
pub const MAX_COST: u32 = 0xff_ffff;

/// One mechanism pair: input and output mechanism names as Amanda prints them
/// (`PULL_BUFFER_STATIC`), and the pair's costs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Input mechanism.
    pub input: &'static str,
    /// Output mechanism.
    pub output: &'static str,
    /// Byte operations per byte.
    pub ops: u32,
    /// Threads.
    pub threads: u32,
    /// Allocations per block (3.5 only; 0 in 3.3).
    pub nalloc: u32,
}

/// The eleven mechanism names, and the reference's short forms of some.
const MECHS: [(&str, &str); 17] = [
    ("NONE", "NONE"),
    ("READFD", "READFD"),
    ("WRITEFD", "WRITEFD"),
    ("PULL_BUFFER", "PULL_BUFFER"),
    ("PULL", "PULL_BUFFER"),
    ("PULL_BUFFER_STATIC", "PULL_BUFFER_STATIC"),
    ("PULL_STATIC", "PULL_BUFFER_STATIC"),
    ("PUSH_BUFFER", "PUSH_BUFFER"),
    ("PUSH", "PUSH_BUFFER"),
    ("PUSH_BUFFER_STATIC", "PUSH_BUFFER_STATIC"),
    ("PUSH_STATIC", "PUSH_BUFFER_STATIC"),
    ("DIRECTTCP_LISTEN", "DIRECTTCP_LISTEN"),
    ("DTCP_LISTEN", "DIRECTTCP_LISTEN"),
    ("DIRECTTCP_CONNECT", "DIRECTTCP_CONNECT"),
    ("DTCP_CONNECT", "DIRECTTCP_CONNECT"),
    ("MEM_RING", "MEM_RING"),
    ("SHM_RING", "SHM_RING"),
];

fn mech(name: &str) -> &'static str {
    MECHS
        .iter()
        .find(|(short, _)| *short == name)
        .map(|(_, full)| *full)
        .unwrap_or_else(|| panic!("oracle table names an unknown mechanism {name:?}"))
}

/// Parses `IN->OUT a,b[,c]; ...` in the reference's notation (3.5: ops, threads,
/// nalloc; 3.3: ops, threads).
fn pairs(text: &str) -> Vec<Pair> {
    text.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (mechs, costs) = p.split_once(' ').expect("IN->OUT costs");
            let (i, o) = mechs.split_once("->").expect("IN->OUT");
            let n: Vec<u32> = costs
                .trim()
                .split(',')
                .map(|c| c.trim().parse().expect("a cost"))
                .collect();
            Pair {
                input: mech(i),
                output: mech(o),
                ops: n[0],
                threads: n[1],
                nalloc: n.get(2).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// §2, 3.5 column: `(name, pairs)`.
const ELEMENTS_35: &[(&str, &str)] = &[
    (
        "Random",
        "NONE->PULL_BUFFER 1,0,1; NONE->PULL_BUFFER_STATIC 1,0,0",
    ),
    (
        "Pattern",
        "NONE->PULL_BUFFER 1,0,1; NONE->PULL_BUFFER_STATIC 1,0,0",
    ),
    ("SourceFd", "NONE->READFD 0,0,0"),
    ("SourceFile", "NONE->READFD 0,0,0"),
    ("SourceShmRing", "NONE->SHM_RING 0,0,0"),
    ("SourceDirectTcpListen", "NONE->DIRECTTCP_LISTEN 1,0,0"),
    ("SourceDirectTcpConnect", "NONE->DIRECTTCP_CONNECT 1,0,0"),
    ("SourceDevice", "NONE->PULL_BUFFER 0,1,0"),
    (
        "SourceHolding",
        "NONE->PULL_BUFFER_STATIC 1,0,0; NONE->PULL_BUFFER 1,0,1; NONE->MEM_RING 1,1,0",
    ),
    ("SourceRecovery", "NONE->PULL_BUFFER 1,0,0"),
    (
        "FilterXor",
        "PULL->PULL 1,0,0; PUSH->PUSH 1,0,0; PULL_STATIC->PULL_STATIC 1,0,0; PUSH_STATIC->PUSH_STATIC 1,0,0",
    ),
    (
        "FilterCrc",
        "PULL->PULL 1,0,0; PUSH->PUSH 1,0,0; PULL_STATIC->PULL_STATIC 1,0,0; PUSH_STATIC->PUSH_STATIC 1,0,0",
    ),
    ("FilterProcess", "READFD->WRITEFD 1,0,0"),
    (
        "DestNull",
        "PUSH_BUFFER->NONE 0,0,0; PUSH_BUFFER_STATIC->NONE 0,0,0",
    ),
    (
        "DestBuffer",
        "PUSH_BUFFER->NONE 0,0,0; PUSH_BUFFER_STATIC->NONE 0,0,0",
    ),
    ("DestFd", "WRITEFD->NONE 0,0,0"),
    ("DestApplication", "READFD->NONE 1,0,0"),
    ("DestDirectTcpListen", "DIRECTTCP_CONNECT->NONE 0,0,0"),
    ("DestDirectTcpConnect", "DIRECTTCP_LISTEN->NONE 0,0,0"),
    ("DestDevice", "PUSH_BUFFER->NONE 0,0,0"),
    (
        "DestTaperSplitter",
        "PUSH_BUFFER->NONE 2,1,0; MEM_RING->NONE 1,2,1; SHM_RING->NONE 1,1,0",
    ),
    (
        "DestTaperCacher",
        "PUSH_BUFFER->NONE 1,1,0; PUSH_BUFFER_STATIC->NONE 1,1,0",
    ),
    ("DestTaperDirectTcp", "DIRECTTCP_LISTEN->NONE 0,0,0"),
    (
        "DestHolding",
        "PUSH_BUFFER->NONE 2,1,0; MEM_RING->NONE 1,1,0; SHM_RING->NONE 1,1,0",
    ),
];

/// §2, 3.3 column (ops, threads). Elements the column leaves blank (the
/// DirectTCP sources and destinations) are left out: the reference does not say.
const ELEMENTS_33: &[(&str, &str)] = &[
    ("Random", "NONE->PULL_BUFFER 1,0"),
    ("Pattern", "NONE->PULL_BUFFER 1,0"),
    ("SourceFd", "NONE->READFD 0,0"),
    ("SourceDevice", "NONE->PULL_BUFFER 0,1"),
    ("SourceHolding", "NONE->PULL_BUFFER 1,0"),
    ("SourceRecovery", "NONE->PULL_BUFFER 1,0"),
    ("FilterXor", "PULL->PULL 1,0; PUSH->PUSH 1,0"),
    ("FilterProcess", "READFD->WRITEFD 1,0"),
    ("DestNull", "PUSH->NONE 0,0"),
    ("DestBuffer", "PUSH->NONE 0,0"),
    ("DestFd", "WRITEFD->NONE 0,0"),
    ("DestDevice", "PUSH->NONE 0,0"),
    ("DestTaperSplitter", "PUSH->NONE 1,1"),
    ("DestTaperCacher", "PUSH->NONE 1,1"),
    ("DestTaperDirectTcp", "DIRECTTCP_LISTEN->NONE 0,0"),
];

/// §3.2, the 3.3.9 glue table, in source order.
const GLUE_33: &str = "READFD->WRITEFD 2,1; READFD->PUSH 1,1; READFD->PULL 1,0;
    READFD->DTCP_LISTEN 2,1; READFD->DTCP_CONNECT 2,1;
    WRITEFD->READFD 0,0; WRITEFD->PUSH 1,1; WRITEFD->PULL 1,0;
    WRITEFD->DTCP_LISTEN 2,1; WRITEFD->DTCP_CONNECT 2,1;
    PUSH->READFD 1,0; PUSH->WRITEFD 1,0; PUSH->PULL 0,0;
    PUSH->DTCP_LISTEN 1,0; PUSH->DTCP_CONNECT 1,0;
    PULL->READFD 1,1; PULL->WRITEFD 1,1; PULL->PUSH 0,1;
    PULL->DTCP_LISTEN 1,1; PULL->DTCP_CONNECT 1,1;
    DTCP_LISTEN->READFD 2,1; DTCP_LISTEN->WRITEFD 2,1; DTCP_LISTEN->PUSH 1,1; DTCP_LISTEN->PULL 1,0; DTCP_LISTEN->DTCP_CONNECT 2,1;
    DTCP_CONNECT->READFD 2,1; DTCP_CONNECT->WRITEFD 2,1; DTCP_CONNECT->PUSH 1,1; DTCP_CONNECT->PULL 1,0; DTCP_CONNECT->DTCP_LISTEN 2,1";

/// §3.2, the 3.5 glue table, in source order (ops, threads, nalloc).
const GLUE_35: &str = "READFD->WRITEFD 2,1,0; READFD->PUSH 1,1,1; READFD->PUSH_STATIC 1,1,0;
    READFD->PULL 1,0,1; READFD->PULL_STATIC 1,0,1; READFD->DTCP_LISTEN 2,1,0;
    READFD->DTCP_CONNECT 2,1,0; READFD->MEM_RING 1,1,0; READFD->SHM_RING 1,1,0;
    WRITEFD->READFD 0,0,0; WRITEFD->PUSH 1,1,1; WRITEFD->PUSH_STATIC 1,1,0;
    WRITEFD->PULL 1,0,1; WRITEFD->PULL_STATIC 1,0,1; WRITEFD->DTCP_LISTEN 2,1,0;
    WRITEFD->DTCP_CONNECT 2,1,0; WRITEFD->MEM_RING 1,1,0; WRITEFD->SHM_RING 1,1,0;
    PUSH->READFD 1,0,0; PUSH->WRITEFD 1,0,0; PUSH->PULL 0,0,0;
    PUSH->DTCP_LISTEN 1,0,0; PUSH->DTCP_CONNECT 1,0,0;
    PUSH_STATIC->READFD 1,0,0; PUSH_STATIC->WRITEFD 1,0,0; PUSH_STATIC->PULL_STATIC 0,0,0; PUSH_STATIC->DTCP_LISTEN 1,0,0; PUSH_STATIC->DTCP_CONNECT 1,0,0;
    PULL->READFD 1,1,0; PULL->WRITEFD 1,1,0; PULL->PUSH 0,1,0; PULL->DTCP_LISTEN 1,1,0; PULL->DTCP_CONNECT 1,1,0;
    PULL_STATIC->READFD 1,1,0; PULL_STATIC->WRITEFD 1,1,0; PULL_STATIC->PUSH_STATIC 0,1,0; PULL_STATIC->DTCP_CONNECT 1,1,0; PULL_STATIC->SHM_RING 1,1,0;
    DTCP_LISTEN->READFD 2,1,0; DTCP_LISTEN->WRITEFD 2,1,0; DTCP_LISTEN->PUSH 1,1,1; DTCP_LISTEN->PUSH_STATIC 1,1,0; DTCP_LISTEN->PULL 1,0,1; DTCP_LISTEN->PULL_STATIC 1,0,1; DTCP_LISTEN->DTCP_CONNECT 2,1,0; DTCP_LISTEN->MEM_RING 1,1,0; DTCP_LISTEN->SHM_RING 1,1,0;
    DTCP_CONNECT->READFD 2,1,0; DTCP_CONNECT->WRITEFD 2,1,0; DTCP_CONNECT->PUSH 1,1,1; DTCP_CONNECT->PUSH_STATIC 1,1,0; DTCP_CONNECT->PULL 1,0,1; DTCP_CONNECT->PULL_STATIC 1,0,1; DTCP_CONNECT->DTCP_LISTEN 2,1,0; DTCP_CONNECT->MEM_RING 1,1,0; DTCP_CONNECT->SHM_RING 1,1,0;
    MEM_RING->READFD 1,1,0; MEM_RING->WRITEFD 1,1,0;
    SHM_RING->READFD 1,1,0; SHM_RING->WRITEFD 1,1,0; SHM_RING->DTCP_LISTEN 1,1,0; SHM_RING->DTCP_CONNECT 1,1,0; SHM_RING->PUSH_STATIC 0,1,0";

/// The pairs of element `name` (Amanda's name, `DestNull`) in `version`, in
/// table order; `None` for an element the version does not have, or whose
/// table the reference leaves blank.
pub fn element_pairs(name: &str, version: Version) -> Option<Vec<Pair>> {
    let table = match version {
        Version::V33 => ELEMENTS_33,
        Version::V35 => ELEMENTS_35,
    };
    table
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, text)| pairs(text))
}

/// The glue pairs of `version`, in table order.
pub fn glue_pairs(version: Version) -> Vec<Pair> {
    pairs(match version {
        Version::V33 => GLUE_33,
        Version::V35 => GLUE_35,
    })
}

/// One chosen element pair, and the glue pair after it, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The element's pair.
    pub pair: Pair,
    /// The glue inserted after the element.
    pub glue: Option<Pair>,
}

/// The linkage Amanda chooses for a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linkage {
    /// One choice per element.
    pub choices: Vec<Choice>,
    /// The sum of every chosen pair's cost.
    pub cost: u32,
    /// How many complete linkages the search visited.
    pub candidates: u64,
}

impl Linkage {
    /// Amanda's `Final linkage:` form for `names` (one per element), e.g.
    /// `Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull`.
    pub fn render(&self, names: &[&str]) -> String {
        let mut out = String::new();
        for (i, c) in self.choices.iter().enumerate() {
            let name = names.get(i).copied().unwrap_or("?");
            if i == 0 {
                out.push_str(name);
            } else {
                let _ = write!(out, " -({})-> {name}", c.pair.input);
            }
            if let Some(g) = &c.glue {
                let _ = write!(out, " -({})-> Glue", g.input);
            }
        }
        out
    }
}

/// Why the oracle gives no linkage.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoLinkage {
    /// An element the version's table does not have (or the reference leaves blank).
    #[error("{0} has no table in the reference for this version")]
    Unknown(String),
    /// Element 0's first pair does not take NONE (Amanda: `is not a transfer source`).
    #[error("element 0 is not a transfer source")]
    NotASource,
    /// The last element's first pair does not give NONE.
    #[error("the last element is not a transfer destination")]
    NotADestination,
    /// No linkage cheaper than `MAX_COST` (Amanda: `cannot be linked`).
    #[error("the chain cannot be linked")]
    Unlinkable,
}

/// The cheapest linkage of the chain `names` (Amanda element names) in
/// `version`, found by visiting every complete linkage in Amanda's order.
///
/// # Errors
/// See [`NoLinkage`].
pub fn best(names: &[&str], version: Version) -> Result<Linkage, NoLinkage> {
    let tables: Vec<Vec<Pair>> = names
        .iter()
        .map(|n| element_pairs(n, version).ok_or_else(|| NoLinkage::Unknown((*n).to_string())))
        .collect::<Result<_, _>>()?;
    if tables.first().and_then(|t| t.first()).map(|p| p.input) != Some("NONE") {
        return Err(NoLinkage::NotASource);
    }
    if tables.last().and_then(|t| t.first()).map(|p| p.output) != Some("NONE") {
        return Err(NoLinkage::NotADestination);
    }
    let mut search = Search {
        version,
        tables: &tables,
        glue: glue_pairs(version),
        current: Vec::new(),
        best: None,
        candidates: 0,
    };
    search.visit(0, "NONE", 0);
    let candidates = search.candidates;
    match search.best {
        Some((choices, cost)) if cost < MAX_COST => Ok(Linkage {
            choices,
            cost,
            candidates,
        }),
        _ => Err(NoLinkage::Unlinkable),
    }
}

struct Search<'a> {
    version: Version,
    tables: &'a [Vec<Pair>],
    glue: Vec<Pair>,
    current: Vec<Choice>,
    best: Option<(Vec<Choice>, u32)>,
    candidates: u64,
}

impl Search<'_> {
    fn visit(&mut self, idx: usize, incoming: &'static str, cost: u32) {
        if idx == self.tables.len() {
            if incoming == "NONE" {
                self.candidates += 1;
                if self.best.as_ref().is_none_or(|(_, b)| cost < *b) {
                    self.best = Some((self.current.clone(), cost));
                }
            }
            return;
        }
        for pair in self.tables[idx].clone() {
            if pair.input != incoming {
                continue;
            }
            let with_pair = cost + self.version.cost(&pair);
            self.current.push(Choice {
                pair: pair.clone(),
                glue: None,
            });
            self.visit(idx + 1, pair.output, with_pair);
            self.current.pop();
            for g in self.glue.clone() {
                if g.input != pair.output {
                    continue;
                }
                self.current.push(Choice {
                    pair: pair.clone(),
                    glue: Some(g.clone()),
                });
                self.visit(idx + 1, g.output, with_pair + self.version.cost(&g));
                self.current.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{NoLinkage, Version, best, glue_pairs};

    fn linkage(names: &[&str], v: Version) -> String {
        best(names, v).map_or_else(|e| e.to_string(), |l| l.render(names))
    }

    #[test]
    fn it_chooses_the_linkages_debian_amanda_3_5_1_logged() {
        // amanda.md §2, "Linkages actually chosen by Debian 3.5.1".
        let v = Version::V35;
        assert_eq!(
            linkage(&["Random", "DestNull"], v),
            "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull"
        );
        assert_eq!(best(&["Random", "DestNull"], v).unwrap().cost, 0x10001);
        assert_eq!(
            linkage(&["Random", "DestTaperSplitter"], v),
            "Random -(PULL_BUFFER_STATIC)-> Glue -(SHM_RING)-> DestTaperSplitter"
        );
        assert_eq!(
            linkage(&["Random", "DestTaperCacher"], v),
            "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestTaperCacher"
        );
        assert_eq!(
            linkage(&["Random", "DestDevice"], v),
            "Random -(PULL_BUFFER)-> Glue -(PUSH_BUFFER)-> DestDevice"
        );
        assert_eq!(
            linkage(&["SourceDevice", "DestFd"], v),
            "SourceDevice -(PULL_BUFFER)-> Glue -(WRITEFD)-> DestFd"
        );
    }

    #[test]
    fn the_glue_tables_have_the_reference_counts_and_refusals_are_typed() {
        // §3.2: the 3.3 table is every ordered pair of six mechanisms.
        assert_eq!(glue_pairs(Version::V33).len(), 30);
        assert_eq!(
            best(&["DestNull", "Random"], Version::V35),
            Err(NoLinkage::NotASource)
        );
        assert_eq!(
            best(&["Random", "FilterXor"], Version::V35),
            Err(NoLinkage::NotADestination)
        );
        assert_eq!(
            best(&["Random", "FilterCrc", "DestNull"], Version::V33),
            Err(NoLinkage::Unknown("FilterCrc".into()))
        );
        // A source in the middle takes NONE, which nothing gives but a destination.
        assert_eq!(
            best(&["Random", "Random", "DestNull"], Version::V35),
            Err(NoLinkage::Unlinkable)
        );
    }
}
