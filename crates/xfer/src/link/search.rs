//! The search itself: the reachability pass, the backward dynamic programme
//! of least finishing costs, Amanda's depth-first branch and bound with its
//! tie rule, and the diagnosis of a chain that cannot be linked.

use std::sync::OnceLock;

use crate::link::error::LinkError;
use crate::link::linkage::{LinkStep, Linkage};
use crate::mech::{CostModel, Mech, MechPair};
use crate::tables::{self, TableVersion};

/// [`link_with`](crate::link::link_with) for chains of fewer than `N` elements.
pub(super) fn link_n<const N: usize>(
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
