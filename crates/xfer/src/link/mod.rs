//! The linker: Amanda's exhaustive branch-and-bound search for the cheapest
//! way to connect a chain of elements (`xfer.c` `link_elements` /
//! `link_recurse`).
//!
//! Every element offers mechanism pairs (input, output, cost); the linker
//! picks one pair per element so that neighbours agree on a mechanism,
//! inserting at most one glue element between two neighbours where they do
//! not. The first element must take `NONE` in and the last must give `NONE`
//! out. The total cost is the sum of the chosen pairs' costs under a
//! [`CostModel`].
//!
//! The search is Amanda's depth-first enumeration, with Amanda's tie rule:
//! element pairs in table order, for each the no-glue branch before the glue
//! pairs in glue-table order, and a complete linkage replaces the best one
//! only if it is strictly cheaper. The result is therefore the first
//! linkage, in that enumeration order, among those of minimum cost (below
//! Amanda's `MAX_COST`).
//!
//! Beyond Amanda, two shortcuts that keep the result: a backward dynamic
//! programme over the tables gives, for every element and incoming
//! mechanism, the least cost of finishing the chain; the search skips any
//! branch that cannot finish strictly cheaper than the best so far, and it
//! starts with the best cost just above that known minimum instead of
//! `MAX_COST`. Both skip only linkages that Amanda discards or later replaces
//! by a strictly cheaper one, so the chosen linkage is the same, found
//! without backtracking. The work arrays live on the stack and the shared
//! glue tables' index is built once, so a call allocates only its result.
//! Where Amanda aborts the process on a chain it cannot link, [`link`]
//! returns a [`LinkError`] naming the first neighbours that cannot be joined.
//!
//! Like Amanda, the linker accepts a destination followed by a source in
//! the middle of a chain (they "agree" on `NONE`); see
//! [`Linkage::inner_none_boundaries`].

//!
//! Files: `linkage` (the result and its rendering), `error` ([`LinkError`]),
//! `search` (the search and its bounds); this file holds the entry points.

pub(crate) mod error;
mod linkage;
mod search;

pub use error::LinkError;
pub use linkage::{LinkStep, Linkage};

use crate::mech::{CostModel, MechPair};
use crate::tables::{self, AmandaElement, TableVersion};
use search::link_n;

/// The longest chain the linker accepts (Amanda has no limit, but warns that
/// its search is meant for chains of about six elements).
pub const MAX_CHAIN: usize = 64;

/// Links `chain` (each element's pairs, in chain order) using `glue`'s pairs.
///
/// The cost model is 3.3 when `glue` is Amanda 3.3's glue table
/// ([`tables::glue_pairs`]`(V3_3)`), 3.5 otherwise; use [`link_with`] to
/// choose it explicitly.
pub fn link(chain: &[&[MechPair]], glue: &[MechPair]) -> Result<Linkage, LinkError> {
    link_with(chain, glue, tables::cost_model_for_glue(glue))
}

/// Links the named Amanda elements with release `v`'s tables and cost model.
pub fn link_amanda(elements: &[AmandaElement], v: TableVersion) -> Result<Linkage, LinkError> {
    match elements.len() {
        0..=8 => link_amanda_n::<8>(elements, v),
        9..=MAX_CHAIN => link_amanda_n::<MAX_CHAIN>(elements, v),
        len => Err(LinkError::TooLong {
            len,
            max: MAX_CHAIN,
        }),
    }
}

/// [`link_amanda`] for chains of at most `N` elements, tables on the stack.
fn link_amanda_n<const N: usize>(
    elements: &[AmandaElement],
    v: TableVersion,
) -> Result<Linkage, LinkError> {
    let mut chain: [&[MechPair]; N] = [&[]; N];
    for (i, (slot, e)) in chain.iter_mut().zip(elements).enumerate() {
        *slot = tables::element_pairs(*e, v).ok_or(LinkError::AbsentElement {
            element: i,
            name: e.amanda_name(),
            version: v,
        })?;
    }
    link_with(
        &chain[..elements.len()],
        tables::glue_pairs(v),
        v.cost_model(),
    )
}

/// Links `chain` using `glue`'s pairs and the given cost model.
///
/// A pair list ends at its first `{NONE, NONE}` pair, as in Amanda's C tables.
pub fn link_with(
    chain: &[&[MechPair]],
    glue: &[MechPair],
    model: CostModel,
) -> Result<Linkage, LinkError> {
    let n = chain.len();
    if n < 2 {
        return Err(LinkError::TooShort);
    }
    if n > MAX_CHAIN {
        return Err(LinkError::TooLong {
            len: n,
            max: MAX_CHAIN,
        });
    }
    // Work arrays live on the stack, sized for the chain (one more row than
    // elements for the end of the chain).
    match n {
        0..=8 => link_n::<9>(chain, glue, model),
        9..=16 => link_n::<17>(chain, glue, model),
        _ => link_n::<{ MAX_CHAIN + 1 }>(chain, glue, model),
    }
}
