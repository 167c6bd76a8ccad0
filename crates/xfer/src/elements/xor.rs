//! `xor`: xors every byte with a one-byte key (Amanda's filter-xor).

use std::sync::Mutex;

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// Xors every byte with `key`; works in all four buffer mechanisms.
#[derive(Debug)]
pub struct XorFilter {
    key: u8,
    scratch: Mutex<Vec<u8>>,
}

impl XorFilter {
    /// A filter with `key`.
    pub fn new(key: u8) -> XorFilter {
        XorFilter {
            key,
            scratch: Mutex::new(Vec::new()),
        }
    }

    /// The key.
    pub fn key(&self) -> u8 {
        self.key
    }

    fn apply(&self, buf: &mut [u8]) {
        for b in buf {
            *b ^= self.key;
        }
    }
}

impl Element for XorFilter {
    fn name(&self) -> &str {
        "xor"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::FilterXor, version)
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        Ok(cx.pull().map(|mut b| {
            self.apply(&mut b);
            b
        }))
    }

    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        Ok(cx.pull_static(buf).inspect(|&n| self.apply(&mut buf[..n])))
    }

    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        cx.push(buf.map(|mut b| {
            self.apply(&mut b);
            b
        }));
        Ok(())
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        match buf {
            None => cx.push_static(None),
            Some(data) => {
                let mut scratch = lock(&self.scratch);
                scratch.clear();
                scratch.extend_from_slice(data);
                self.apply(&mut scratch);
                cx.push_static(Some(&scratch));
            }
        }
        Ok(())
    }
}
