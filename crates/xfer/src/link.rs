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

use std::fmt::{self, Write as _};
use std::sync::OnceLock;

use crate::mech::{CostModel, Mech, MechPair};
use crate::tables::{self, AmandaElement, GLUE_NAME, TableVersion};

/// The longest chain the linker accepts (Amanda has no limit, but warns that
/// its search is meant for chains of about six elements).
pub const MAX_CHAIN: usize = 64;

/// What the linker chose for one user element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkStep {
    /// Index of the element in the chain given to [`link`].
    pub element: usize,
    /// The element's chosen mechanism pair.
    pub pair: MechPair,
    /// Glue inserted right AFTER this element, with its pair, if any.
    pub glue: Option<MechPair>,
}

/// The cheapest linkage of a chain: one step per user element, in order.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Linkage {
    /// One step per element of the chain, in chain order.
    pub steps: Vec<LinkStep>,
    /// Total cost: the sum of every chosen element and glue pair's cost.
    pub cost: u32,
}

/// Why a chain cannot be linked.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Fewer than two elements (Amanda's `xfer_new` asserts `n >= 2`).
    #[error("a transfer needs at least 2 elements")]
    TooShort,
    /// More elements than [`MAX_CHAIN`].
    #[error("a transfer of {len} elements is longer than the linker's limit of {max}")]
    TooLong {
        /// Number of elements given.
        len: usize,
        /// [`MAX_CHAIN`].
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
        /// [`CostModel::MAX_COST`].
        limit: u32,
    },
    /// [`link_amanda`] was given an element that its release does not have.
    #[error("transfer element {element} ({name}) does not exist in Amanda {version}")]
    AbsentElement {
        /// Index of the element.
        element: usize,
        /// Its [`AmandaElement::amanda_name`].
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

/// [`link_with`] for chains of fewer than `N` elements.
fn link_n<const N: usize>(
    chain: &[&[MechPair]],
    glue: &[MechPair],
    model: CostModel,
) -> Result<Linkage, LinkError> {
    let n = chain.len();
    debug_assert!(n < N);
    let glue = table(glue);
    // Every element's usable pairs, scanned for the terminator once.
    let mut tables: [&[MechPair]; N] = [&[]; N];
    for (slot, pairs) in tables.iter_mut().zip(chain) {
        *slot = table(pairs);
    }
    let chain = &tables[..n];

    // Amanda's prechecks look at the first pair only (an empty C table has
    // just the `{NONE, NONE}` terminator, which passes both).
    let first = chain[0].first().map_or(Mech::None, |p| p.input);
    if first != Mech::None {
        return Err(LinkError::NotASource { element: 0 });
    }
    let last = chain[n - 1].first().map_or(Mech::None, |p| p.output);
    if last != Mech::None {
        return Err(LinkError::NotADestination { element: n - 1 });
    }
    if let Some(element) = chain.iter().position(|pairs| pairs.is_empty()) {
        return Err(LinkError::NoPairs { element });
    }

    let owned_index;
    let glue_index = match GlueIndex::cached(glue) {
        Some(index) => index,
        None => {
            owned_index = GlueIndex::new(glue);
            &owned_index
        }
    };
    let mut reach = [0u16; N];
    reachable(chain, glue_index, &mut reach[..=n]);
    if reach[n] & bit(Mech::None) == 0 {
        return Err(diagnose(chain, glue));
    }
    let mut rest = [[INF; Mech::COUNT]; N];
    rest_costs(chain, &reach[..=n], glue_index, model, &mut rest[..=n]);
    let cheapest = rest[0][Mech::None.index()];
    debug_assert_ne!(cheapest, INF, "reachable chains can be linked");
    if cheapest >= CostModel::MAX_COST {
        return Err(LinkError::CostLimit {
            cheapest,
            limit: CostModel::MAX_COST,
        });
    }

    // Amanda starts from `MAX_COST`. Starting just above the known cheapest
    // cost skips only linkages that Amanda would later replace by a strictly
    // cheaper one, so the first linkage of least cost is still the one kept.
    let mut search = Search {
        chain,
        glue_index,
        slot: model_slot(model),
        rest: &rest[..=n],
        model,
        cur: [Choice::default(); N],
        best: [Choice::default(); N],
        best_cost: cheapest + 1,
    };
    search.recurse(0, Mech::None, 0);
    debug_assert_eq!(search.best_cost, cheapest, "the bound is exact");

    let steps = search.best[..n]
        .iter()
        .enumerate()
        .map(|(element, choice)| LinkStep {
            element,
            pair: chain[element][choice.pair as usize],
            glue: (choice.glue != NO_GLUE).then(|| glue[choice.glue as usize]),
        })
        .collect();
    Ok(Linkage {
        steps,
        cost: search.best_cost,
    })
}

impl Linkage {
    /// Amanda's `Final linkage:` rendering, with `names[i]` for element `i`
    /// and `Glue` for inserted glue:
    /// `Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull`.
    ///
    /// A missing name prints as `#i`.
    pub fn render(&self, names: &[&str]) -> String {
        let mut out = String::new();
        for (k, step) in self.steps.iter().enumerate() {
            if k == 0 {
                let _ = write!(
                    out,
                    "{}",
                    Name {
                        names,
                        index: step.element
                    }
                );
            } else {
                let _ = write!(
                    out,
                    " -({})-> {}",
                    step.pair.input,
                    Name {
                        names,
                        index: step.element
                    }
                );
            }
            if let Some(glue) = step.glue {
                let _ = write!(out, " -({})-> {}", glue.input, GLUE_NAME);
            }
        }
        out
    }

    /// Number of glue elements inserted.
    pub fn glue_count(&self) -> usize {
        self.steps.iter().filter(|s| s.glue.is_some()).count()
    }

    /// The mechanisms on every boundary of the linked chain (glue included),
    /// from the first element's output to the last element's input.
    pub fn mechs(&self) -> Vec<Mech> {
        let mut out = Vec::with_capacity(2 * self.steps.len());
        for (k, step) in self.steps.iter().enumerate() {
            if k > 0 {
                out.push(step.pair.input);
            }
            if let Some(glue) = step.glue {
                out.push(glue.input);
            }
        }
        out
    }

    /// Indexes of elements, other than the last, whose chosen output is `NONE`
    /// (a destination followed by a source: two streams Amanda links as one).
    pub fn inner_none_boundaries(&self) -> Vec<usize> {
        let last = self.steps.len().saturating_sub(1);
        self.steps
            .iter()
            .filter(|s| s.element < last && s.glue.is_none() && s.pair.output == Mech::None)
            .map(|s| s.element)
            .collect()
    }
}

impl fmt::Display for Linkage {
    /// The [`Linkage::render`] line with `#i` names, then the cost in hex.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (cost {:#x})", self.render(&[]), self.cost)
    }
}

/// Cost that marks "cannot be finished".
const INF: u32 = u32::MAX;
/// `Choice::glue` value for "no glue" (Amanda's `glue_idx = -1`).
const NO_GLUE: u32 = u32::MAX;

/// The usable part of a pair list: up to the first `{NONE, NONE}` terminator.
fn table(pairs: &[MechPair]) -> &[MechPair] {
    match pairs.iter().position(MechPair::is_terminator) {
        Some(end) => &pairs[..end],
        None => pairs,
    }
}

/// One element's choice: its pair index and glue index (or [`NO_GLUE`]).
#[derive(Clone, Copy, Debug, Default)]
struct Choice {
    pair: u32,
    glue: u32,
}

/// One glue pair as the search uses it.
#[derive(Clone, Copy, Debug)]
struct GlueEntry {
    /// Index in the glue table.
    index: u32,
    output: Mech,
    /// Cost under [`CostModel::V3_3`] and [`CostModel::V3_5`].
    cost: [u32; 2],
}

/// The glue table grouped by input mechanism, each group in table order.
struct GlueIndex {
    /// `entries[start[m]..start[m + 1]]` are the pairs with input `m`.
    start: [usize; Mech::COUNT + 1],
    entries: Vec<GlueEntry>,
    /// `out_mask[m]`: every output glue can turn `m` into.
    out_mask: [u16; Mech::COUNT],
}

impl GlueIndex {
    fn new(glue: &[MechPair]) -> GlueIndex {
        let mut start = [0usize; Mech::COUNT + 1];
        let mut out_mask = [0u16; Mech::COUNT];
        for g in glue {
            start[g.input.index() + 1] += 1;
            out_mask[g.input.index()] |= bit(g.output);
        }
        for m in 0..Mech::COUNT {
            start[m + 1] += start[m];
        }
        let mut fill = start;
        let blank = GlueEntry {
            index: 0,
            output: Mech::None,
            cost: [0; 2],
        };
        let mut entries = vec![blank; glue.len()];
        for (i, g) in glue.iter().enumerate() {
            let slot = &mut fill[g.input.index()];
            entries[*slot] = GlueEntry {
                index: i as u32,
                output: g.output,
                cost: [g.cost(CostModel::V3_3), g.cost(CostModel::V3_5)],
            };
            *slot += 1;
        }
        GlueIndex {
            start,
            entries,
            out_mask,
        }
    }

    /// The index of one of Amanda's own glue tables, built once.
    fn cached(glue: &[MechPair]) -> Option<&'static GlueIndex> {
        static CACHE: [OnceLock<GlueIndex>; 2] = [OnceLock::new(), OnceLock::new()];
        let (slot, v) = TableVersion::ALL
            .iter()
            .enumerate()
            .find(|(_, v)| std::ptr::eq(glue, tables::glue_pairs(**v)))?;
        Some(CACHE[slot].get_or_init(|| GlueIndex::new(tables::glue_pairs(*v))))
    }

    /// The glue pairs taking `input`, in table order.
    fn by_input(&self, input: Mech) -> &[GlueEntry] {
        &self.entries[self.start[input.index()]..self.start[input.index() + 1]]
    }
}

/// Which [`GlueEntry::cost`] slot a model uses.
fn model_slot(model: CostModel) -> usize {
    match model {
        CostModel::V3_3 => 0,
        CostModel::V3_5 => 1,
    }
}

/// `rest[idx][m]`: the least cost of linking elements `idx..` when element
/// `idx` receives mechanism `m` ([`INF`] if impossible), for every `m` in
/// `reach[idx]`; `rest` has one row per element plus one for the end of the
/// chain, all [`INF`] on entry.
fn rest_costs(
    chain: &[&[MechPair]],
    reach: &[u16],
    glue_index: &GlueIndex,
    model: CostModel,
    rest: &mut [[u32; Mech::COUNT]],
) {
    let n = chain.len();
    let slot = model_slot(model);
    rest[n][Mech::None.index()] = 0;
    for idx in (0..n).rev() {
        let next = rest[idx + 1];
        let here = &mut rest[idx];
        for pair in chain[idx] {
            if reach[idx] & bit(pair.input) == 0 {
                continue;
            }
            let mut tail = next[pair.output.index()];
            for g in glue_index.by_input(pair.output) {
                tail = tail.min(next[g.output.index()].saturating_add(g.cost[slot]));
            }
            let total = tail.saturating_add(pair.cost(model));
            let cell = &mut here[pair.input.index()];
            *cell = (*cell).min(total);
        }
    }
}

/// `reach[idx]`: the mechanisms element `idx` can receive given everything
/// upstream (`reach[n]`: what the chain can end on).
fn reachable(chain: &[&[MechPair]], glue_index: &GlueIndex, reach: &mut [u16]) {
    reach[0] = bit(Mech::None);
    for (idx, pairs) in chain.iter().enumerate() {
        let mut out = 0u16;
        for pair in pairs.iter() {
            if reach[idx] & bit(pair.input) != 0 {
                out |= bit(pair.output) | glue_index.out_mask[pair.output.index()];
            }
        }
        reach[idx + 1] = out;
    }
}

/// The depth-first search of Amanda's `link_recurse`, for chains shorter than `N`.
struct Search<'a, const N: usize> {
    chain: &'a [&'a [MechPair]],
    glue_index: &'a GlueIndex,
    /// [`model_slot`] of `model`.
    slot: usize,
    /// See [`rest_costs`].
    rest: &'a [[u32; Mech::COUNT]],
    model: CostModel,
    cur: [Choice; N],
    best: [Choice; N],
    best_cost: u32,
}

impl<const N: usize> Search<'_, N> {
    /// Links elements `idx..` when element `idx` receives `input` and the
    /// elements before it cost `cost`.
    fn recurse(&mut self, idx: usize, input: Mech, cost: u32) {
        // Amanda: "if we've overrun the previous best cost already, then bail out".
        if cost >= self.best_cost {
            return;
        }
        if idx == self.chain.len() {
            // Amanda: ending on anything but NONE is not a valid transfer.
            if input != Mech::None {
                return;
            }
            let n = self.chain.len();
            self.best[..n].copy_from_slice(&self.cur[..n]);
            self.best_cost = cost;
            return;
        }
        let pairs = self.chain[idx];
        for (pi, pair) in pairs.iter().enumerate() {
            if pair.input != input {
                continue;
            }
            let with_pair = cost.saturating_add(pair.cost(self.model));
            // No glue first.
            self.cur[idx] = Choice {
                pair: pi as u32,
                glue: NO_GLUE,
            };
            if self.can_finish(idx + 1, pair.output, with_pair) {
                self.recurse(idx + 1, pair.output, with_pair);
            }
            // Then every glue pair taking this output, in table order.
            for g in self.glue_index.by_input(pair.output) {
                let with_glue = with_pair.saturating_add(g.cost[self.slot]);
                self.cur[idx] = Choice {
                    pair: pi as u32,
                    glue: g.index,
                };
                if self.can_finish(idx + 1, g.output, with_glue) {
                    self.recurse(idx + 1, g.output, with_glue);
                }
            }
        }
    }

    /// False if no linkage of elements `idx..` receiving `input` can make the
    /// total strictly cheaper than the best so far: then Amanda's search would
    /// find nothing to keep in that subtree, and it is skipped.
    fn can_finish(&self, idx: usize, input: Mech, cost: u32) -> bool {
        cost.saturating_add(self.rest[idx][input.index()]) < self.best_cost
    }
}

/// Finds the first neighbours that cannot be joined, walking the chain with
/// the set of mechanisms each element can be reached with.
fn diagnose(chain: &[&[MechPair]], glue: &[MechPair]) -> LinkError {
    let mut incoming: u16 = bit(Mech::None);
    let mut offered: u16 = 0;
    for (idx, pairs) in chain.iter().enumerate() {
        let pairs = table(pairs);
        let usable = pairs.iter().filter(|p| incoming & bit(p.input) != 0);
        let direct = usable.fold(0u16, |acc, p| acc | bit(p.output));
        if direct == 0 {
            if idx == 0 {
                return LinkError::NotASource { element: 0 };
            }
            return LinkError::Unlinkable {
                upstream: idx - 1,
                downstream: idx,
                offered: mech_list(offered),
                accepted: mech_list(pairs.iter().fold(0, |acc, p| acc | bit(p.input))),
            };
        }
        let glued = glue
            .iter()
            .filter(|g| direct & bit(g.input) != 0)
            .fold(0u16, |acc, g| acc | bit(g.output));
        offered = direct;
        incoming = direct | glued;
    }
    LinkError::Unterminated {
        element: chain.len() - 1,
        offered: mech_list(offered),
    }
}

fn bit(m: Mech) -> u16 {
    1 << m.index()
}

fn mech_list(mask: u16) -> Vec<Mech> {
    Mech::ALL
        .into_iter()
        .filter(|m| mask & bit(*m) != 0)
        .collect()
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

/// An element's name for [`Linkage::render`]: `names[i]`, or `#i`.
struct Name<'a> {
    names: &'a [&'a str],
    index: usize,
}

impl fmt::Display for Name<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.names.get(self.index) {
            Some(name) => f.write_str(name),
            None => write!(f, "#{}", self.index),
        }
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
