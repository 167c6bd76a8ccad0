//! `crc-check`: a destination that checks the CRC32 and size of what it
//! receives against expected values and fails the transfer on a mismatch.

use std::sync::Mutex;

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// Verifies CRC32 (IEEE) and size at EOF (costed as dest-null).
#[derive(Debug)]
pub struct CrcCheckDest {
    expected_crc: u32,
    expected_size: u64,
    st: Mutex<(crc32fast::Hasher, u64)>,
}

impl CrcCheckDest {
    /// Expects data with this CRC32 and size.
    pub fn new(expected_crc: u32, expected_size: u64) -> CrcCheckDest {
        CrcCheckDest {
            expected_crc,
            expected_size,
            st: Mutex::new((crc32fast::Hasher::new(), 0)),
        }
    }

    /// Expects exactly `data`.
    pub fn expecting(data: &[u8]) -> CrcCheckDest {
        CrcCheckDest::new(crc32fast::hash(data), data.len() as u64)
    }

    fn take(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        let mut st = lock(&self.st);
        match buf {
            Some(b) => {
                st.0.update(b);
                st.1 += b.len() as u64;
                Ok(())
            }
            // A cancelled transfer ends early by design: nothing to verify.
            None if cx.cancel_requested() => Ok(()),
            None => {
                let (crc, size) = (st.0.clone().finalize(), st.1);
                if crc == self.expected_crc && size == self.expected_size {
                    Ok(())
                } else {
                    Err(Error::CrcMismatch {
                        expected_crc: self.expected_crc,
                        expected_size: self.expected_size,
                        crc,
                        size,
                    })
                }
            }
        }
    }
}

impl Element for CrcCheckDest {
    fn name(&self) -> &str {
        "crc-check"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::DestNull, version)
    }

    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        self.take(cx, buf.as_deref())
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        self.take(cx, buf)
    }
}
