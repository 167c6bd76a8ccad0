//! `crc`: passes data through unchanged and reports its CRC32 and size in a
//! CRC message at EOF (Amanda 3.5's filter-crc).

use std::sync::Mutex;

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// A pass-through filter computing CRC32 (IEEE) and byte count.
#[derive(Debug, Default)]
pub struct CrcFilter {
    st: Mutex<Crc>,
}

#[derive(Debug, Default)]
struct Crc {
    hasher: crc32fast::Hasher,
    size: u64,
    reported: bool,
}

impl CrcFilter {
    /// A fresh filter.
    pub fn new() -> CrcFilter {
        CrcFilter::default()
    }

    fn see(&self, data: &[u8]) {
        let mut st = lock(&self.st);
        st.hasher.update(data);
        st.size += data.len() as u64;
    }

    fn eof(&self, cx: &Cx<'_>) {
        let mut st = lock(&self.st);
        if !st.reported {
            st.reported = true;
            cx.crc(st.hasher.clone().finalize(), st.size);
        }
    }
}

impl Element for CrcFilter {
    fn name(&self) -> &str {
        "crc"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::FilterCrc, version)
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn pull_buffer(&self, cx: &Cx<'_>) -> Result<Option<Vec<u8>>, Error> {
        let b = cx.pull();
        match &b {
            Some(d) => self.see(d),
            None => self.eof(cx),
        }
        Ok(b)
    }

    fn pull_buffer_static(&self, cx: &Cx<'_>, buf: &mut [u8]) -> Result<Option<usize>, Error> {
        let n = cx.pull_static(buf);
        match n {
            Some(n) => self.see(&buf[..n]),
            None => self.eof(cx),
        }
        Ok(n)
    }

    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        match &buf {
            Some(d) => self.see(d),
            None => self.eof(cx),
        }
        cx.push(buf);
        Ok(())
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        match buf {
            Some(d) => self.see(d),
            None => self.eof(cx),
        }
        cx.push_static(buf);
        Ok(())
    }
}
