//! [`LinkError`]: why a chain cannot be linked, with Amanda's wording and a
//! rendering that names the elements.

use std::fmt;

use crate::mech::Mech;
use crate::tables::TableVersion;

/// Why a chain cannot be linked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Fewer than two elements (Amanda's `xfer_new` asserts `n >= 2`).
    #[error("a transfer needs at least 2 elements")]
    TooShort,
    /// More elements than [`MAX_CHAIN`](crate::link::MAX_CHAIN).
    #[error("a transfer of {len} elements is longer than the linker's limit of {max}")]
    TooLong {
        /// Number of elements given.
        len: usize,
        /// [`MAX_CHAIN`](crate::link::MAX_CHAIN).
        max: usize,
    },
    /// The first element's first pair does not take `NONE` in.
    #[error("transfer element {element} is not a transfer source")]
    NotASource {
        /// Index of the element (always 0).
        element: usize,
    },
    /// The last element's first pair does not give `NONE` out.
    #[error("last transfer element ({element}) is not a transfer destination")]
    NotADestination {
        /// Index of the last element.
        element: usize,
    },
    /// An element declares no mechanism pairs at all.
    #[error("transfer element {element} declares no mechanism pairs")]
    NoPairs {
        /// Index of the element.
        element: usize,
    },
    /// Nothing the upstream element can deliver (given its own upstream) is
    /// accepted by the downstream element, directly or through one glue pair.
    #[error(
        "elements {upstream} and {downstream} cannot be linked: element {upstream} offers {}, \
         element {downstream} accepts {}, and neither a common mechanism nor a glue pair joins them",
        MechList(offered),
        MechList(accepted)
    )]
    Unlinkable {
        /// Index of the upstream neighbour.
        upstream: usize,
        /// Index of the downstream neighbour (`upstream + 1`).
        downstream: usize,
        /// Output mechanisms the upstream element can deliver in this chain.
        offered: Vec<Mech>,
        /// Input mechanisms of all the downstream element's pairs.
        accepted: Vec<Mech>,
    },
    /// The last element can be reached, but not in a mode that outputs `NONE`.
    #[error(
        "last transfer element ({element}) cannot end the transfer: it offers {}, not NONE",
        MechList(offered)
    )]
    Unterminated {
        /// Index of the last element.
        element: usize,
        /// Output mechanisms it can deliver in this chain.
        offered: Vec<Mech>,
    },
    /// Every linkage costs at least Amanda's `MAX_COST`, so Amanda finds none.
    #[error("the cheapest linkage costs {cheapest:#x}, not below the limit {limit:#x}")]
    CostLimit {
        /// Cost of the cheapest linkage.
        cheapest: u32,
        /// [`CostModel::MAX_COST`](crate::mech::CostModel::MAX_COST).
        limit: u32,
    },
    /// [`link_amanda`](crate::link::link_amanda) was given an element that its release does not have.
    #[error("transfer element {element} ({name}) does not exist in Amanda {version}")]
    AbsentElement {
        /// Index of the element.
        element: usize,
        /// Its [`AmandaElement::amanda_name`](crate::tables::AmandaElement::amanda_name).
        name: &'static str,
        /// The release asked for.
        version: TableVersion,
    },
}

impl LinkError {
    /// The message with element indexes replaced by `names` (`DestFd (#2)`).
    pub fn render(&self, names: &[&str]) -> String {
        let n = |i: usize| ElementName { names, index: i };
        match self {
            LinkError::NotASource { element } => {
                format!("transfer element {} is not a transfer source", n(*element))
            }
            LinkError::NotADestination { element } => {
                format!(
                    "last transfer element {} is not a transfer destination",
                    n(*element)
                )
            }
            LinkError::NoPairs { element } => {
                format!(
                    "transfer element {} declares no mechanism pairs",
                    n(*element)
                )
            }
            LinkError::Unlinkable {
                upstream,
                downstream,
                offered,
                accepted,
            } => format!(
                "{} and {} cannot be linked: {} offers {}, {} accepts {}, and neither a common \
                 mechanism nor a glue pair joins them",
                n(*upstream),
                n(*downstream),
                n(*upstream),
                MechList(offered),
                n(*downstream),
                MechList(accepted)
            ),
            LinkError::Unterminated { element, offered } => format!(
                "last transfer element {} cannot end the transfer: it offers {}, not NONE",
                n(*element),
                MechList(offered)
            ),
            LinkError::AbsentElement {
                element,
                name,
                version,
            } => {
                format!("transfer element #{element} ({name}) does not exist in Amanda {version}")
            }
            LinkError::TooShort | LinkError::TooLong { .. } | LinkError::CostLimit { .. } => {
                self.to_string()
            }
        }
    }
}

/// Formats mechanisms as `[PULL_BUFFER, PUSH_BUFFER]`.
struct MechList<'a>(&'a [Mech]);

impl fmt::Display for MechList<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, m) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(m.amanda_name())?;
        }
        f.write_str("]")
    }
}

/// An element's name for [`LinkError::render`]: `DestFd (#2)`, or `#2`.
struct ElementName<'a> {
    names: &'a [&'a str],
    index: usize,
}

impl fmt::Display for ElementName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.names.get(self.index) {
            Some(name) => write!(f, "{name} (#{})", self.index),
            None => write!(f, "#{}", self.index),
        }
    }
}
