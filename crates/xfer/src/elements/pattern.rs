//! `pattern`: a byte pattern repeated to a size (Amanda's source-pattern).

use std::sync::Mutex;

use super::generate::{Fill, Generator};
use crate::tables::AmandaElement;

/// The default pattern when none is given.
pub const DEFAULT_PATTERN: &[u8] = b"0123456789abcdef";

/// `size` bytes of `pattern` repeated.
#[derive(Debug)]
pub struct PatternSource {
    st: Mutex<Pattern>,
}

/// `pattern`'s state: the pattern, the next byte of it and the bytes left.
#[derive(Debug)]
pub(crate) struct Pattern {
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
    /// `size` bytes of `pattern` repeated (an empty pattern means `DEFAULT_PATTERN`, `0123456789abcdef`).
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

impl Generator for PatternSource {
    const NAME: &'static str = "pattern";
    const AMANDA: AmandaElement = AmandaElement::SourcePattern;
    type State = Pattern;

    fn state(&self) -> &Mutex<Pattern> {
        &self.st
    }
}
