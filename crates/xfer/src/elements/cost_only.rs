//! Cost-only descriptors: Amanda elements that link (their tables are data)
//! but do not run here (source-holding, dest-taper-splitter, ...).

use crate::element::Element;
use crate::error::Error;
use crate::mech::MechPair;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// An Amanda element that only takes part in linking.
#[derive(Debug)]
pub struct CostOnly {
    elt: AmandaElement,
}

impl CostOnly {
    /// A descriptor of `elt`.
    pub fn new(elt: AmandaElement) -> CostOnly {
        CostOnly { elt }
    }
}

impl Element for CostOnly {
    fn name(&self) -> &str {
        self.elt.amanda_name()
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(self.elt, version)
    }

    fn check_runnable(&self) -> Result<(), Error> {
        Err(Error::NotSupported {
            what: format!("element {} (cost-only)", self.elt.amanda_name()),
        })
    }
}
