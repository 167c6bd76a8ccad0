//! `memory`: serves bytes held in memory (costed as Amanda's source-pattern).

use std::sync::{Arc, Mutex};

use super::generate::{Fill, Generator};
use crate::tables::AmandaElement;

/// A source of the given bytes.
#[derive(Debug)]
pub struct MemorySource {
    st: Mutex<Cursor>,
}

/// `memory`'s state: the bytes and how many were served.
#[derive(Debug)]
pub(crate) struct Cursor {
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

impl Generator for MemorySource {
    const NAME: &'static str = "memory";
    const AMANDA: AmandaElement = AmandaElement::SourcePattern;
    type State = Cursor;

    fn state(&self) -> &Mutex<Cursor> {
        &self.st
    }
}
