//! [`Linkage`]: what the linker chose, one [`LinkStep`] per user element,
//! and Amanda's `Final linkage:` rendering of it.

use std::fmt::{self, Write as _};

use crate::mech::{Mech, MechPair};
use crate::tables::GLUE_NAME;

/// What the linker chose for one user element.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LinkStep {
    /// Index of the element in the chain given to [`link`](crate::link::link).
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
