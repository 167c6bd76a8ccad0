//! `pattern`: a byte pattern repeated to a size (Amanda's source-pattern).

use std::sync::Mutex;

use super::generate::{Fill, pull_into, pull_owned};
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// The default pattern when none is given.
pub const DEFAULT_PATTERN: &[u8] = b"0123456789abcdef";

/// `size` bytes of `pattern` repeated.
#[derive(Debug)]
pub struct PatternSource {
    st: Mutex<Pattern>,
}

#[derive(Debug)]
struct Pattern {
    pattern: Vec<u8>,
    at: usize,
    left: u64,
}

impl Fill for Pattern {
    fn remaining(&self) -> u64 {
        self.left
    }

    fn fill(&mut self, buf: &mut [u8]) {
        self.left -= buf.len() as u64;
        for b in buf {
            *b = self.pattern[self.at];
            self.at = (self.at + 1) % self.pattern.len();
        }
    }
}

impl PatternSource {
    /// `size` bytes of `pattern` repeated (an empty pattern means [`DEFAULT_PATTERN`]).
    pub fn new(size: u64, pattern: &[u8]) -> PatternSource {
        let pattern = if pattern.is_empty() {
            DEFAULT_PATTERN.to_vec()
        } else {
            pattern.to_vec()
        };
        PatternSource {
            st: Mutex::new(Pattern {
                pattern,
                at: 0,
                left: size,
            }),
        }
    }
}

impl Element for PatternSource {
    fn name(&self) -> &str {
        "pattern"
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
