//! `memory`: serves bytes held in memory (costed as Amanda's source-pattern).

use std::sync::{Arc, Mutex};

use super::generate::{Fill, pull_into, pull_owned};
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// A source of the given bytes.
#[derive(Debug)]
pub struct MemorySource {
    st: Mutex<Cursor>,
}

#[derive(Debug)]
struct Cursor {
    data: Arc<[u8]>,
    at: usize,
}

impl Fill for Cursor {
    fn remaining(&self) -> u64 {
        (self.data.len() - self.at) as u64
    }

    fn fill(&mut self, buf: &mut [u8]) {
        buf.copy_from_slice(&self.data[self.at..self.at + buf.len()]);
        self.at += buf.len();
    }

    fn fill_vec(&mut self, n: usize) -> Vec<u8> {
        let buf = self.data[self.at..self.at + n].to_vec();
        self.at += n;
        buf
    }
}

impl MemorySource {
    /// A source that produces `data`.
    pub fn new(data: impl Into<Arc<[u8]>>) -> MemorySource {
        MemorySource {
            st: Mutex::new(Cursor {
                data: data.into(),
                at: 0,
            }),
        }
    }
}

impl Element for MemorySource {
    fn name(&self) -> &str {
        "memory"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::SourcePattern, version)
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        pull_owned(cx, &self.st)
    }

    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        pull_into(cx, &self.st, buf)
    }
}
