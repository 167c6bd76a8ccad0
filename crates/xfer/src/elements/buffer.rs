//! `buffer`: collects everything in memory (Amanda's dest-buffer); a
//! [`BufferHandle`] reads the result after (or during) the transfer.

use std::sync::{Arc, Mutex};

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// Collects data in memory, optionally up to a limit.
#[derive(Debug)]
pub struct BufferDest {
    data: Arc<Mutex<Vec<u8>>>,
    limit: Option<usize>,
}

/// Shared read access to a [`BufferDest`]'s bytes.
#[derive(Clone, Debug)]
pub struct BufferHandle {
    data: Arc<Mutex<Vec<u8>>>,
}

impl BufferHandle {
    /// A copy of the bytes collected so far.
    pub fn contents(&self) -> Vec<u8> {
        lock(&self.data).clone()
    }

    /// Number of bytes collected so far.
    pub fn len(&self) -> usize {
        lock(&self.data).len()
    }

    /// Whether nothing was collected.
    pub fn is_empty(&self) -> bool {
        lock(&self.data).is_empty()
    }
}

impl BufferDest {
    /// An unlimited buffer and its handle.
    pub fn new() -> (BufferDest, BufferHandle) {
        BufferDest::with_limit(None)
    }

    /// A buffer that fails the transfer beyond `limit` bytes.
    pub fn with_limit(limit: Option<usize>) -> (BufferDest, BufferHandle) {
        let data = Arc::new(Mutex::new(Vec::new()));
        (
            BufferDest {
                data: Arc::clone(&data),
                limit,
            },
            BufferHandle { data },
        )
    }

    fn add(&self, bytes: &[u8]) -> Result<(), Error> {
        let mut d = lock(&self.data);
        if let Some(limit) = self.limit
            && d.len() + bytes.len() > limit
        {
            return Err(Error::BufferFull { limit });
        }
        d.extend_from_slice(bytes);
        Ok(())
    }
}

impl Element for BufferDest {
    fn name(&self) -> &str {
        "buffer"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::DestBuffer, version)
    }

    fn push_buffer(&self, _cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        match buf {
            Some(b) => self.add(&b),
            None => Ok(()),
        }
    }

    fn push_buffer_static(&self, _cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        match buf {
            Some(b) => self.add(b),
            None => Ok(()),
        }
    }
}
