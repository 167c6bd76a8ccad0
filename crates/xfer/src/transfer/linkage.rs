//! Linking user elements with Amanda's tables, and checking that a given
//! [`Linkage`] fits a chain before a transfer runs it.

use crate::element::Element;
use crate::error::Error;
use crate::link::{self, Linkage};
use crate::mech::Mech;
use crate::tables::{self, TableVersion};

/// Links user elements with `version`'s cost tables.
pub fn link_chain(chain: &[Box<dyn Element>], version: TableVersion) -> Result<Linkage, Error> {
    let mut pairs = Vec::with_capacity(chain.len());
    for (index, e) in chain.iter().enumerate() {
        let p = e.mech_pairs(version).ok_or_else(|| Error::NoPairs {
            index,
            name: e.name().to_string(),
            version,
        })?;
        pairs.push(p);
    }
    Ok(link::link(&pairs, tables::glue_pairs(version))?)
}

/// Checks that `linkage` fits `chain`: one step per element, in order, each
/// pair taking what its upstream (or the glue before it) gives, NONE at both ends.
pub(crate) fn check_linkage(chain: &[Box<dyn Element>], linkage: &Linkage) -> Result<(), Error> {
    if chain.len() < 2 {
        return Err(Error::BadLinkage(format!(
            "a transfer needs at least 2 elements, got {}",
            chain.len()
        )));
    }
    if linkage.steps.len() != chain.len() {
        return Err(Error::BadLinkage(format!(
            "{} steps for {} elements",
            linkage.steps.len(),
            chain.len()
        )));
    }
    let mut prev = Mech::None;
    for (i, step) in linkage.steps.iter().enumerate() {
        if step.element != i {
            return Err(Error::BadLinkage(format!(
                "step {i} names element {}",
                step.element
            )));
        }
        let last = i + 1 == linkage.steps.len();
        if (i > 0 && step.pair.input == Mech::None) || (!last && step.pair.output == Mech::None) {
            return Err(Error::BadLinkage(format!(
                "element {i} ({}) is a source or destination inside the chain",
                chain[i].name()
            )));
        }
        if step.pair.input != prev {
            return Err(Error::BadLinkage(format!(
                "element {i} ({}) takes {} but receives {prev}",
                chain[i].name(),
                step.pair.input
            )));
        }
        prev = step.pair.output;
        if let Some(g) = step.glue {
            if g.input != prev {
                return Err(Error::BadLinkage(format!(
                    "glue after element {i} takes {} but receives {prev}",
                    g.input
                )));
            }
            prev = g.output;
        }
    }
    if prev != Mech::None {
        return Err(Error::BadLinkage(format!(
            "the last element outputs {prev}, not NONE"
        )));
    }
    Ok(())
}
