//! `null`: discards everything (Amanda's dest-null), saying
//! "Is this thing on?" on its first push as Amanda's does.
//!
//! What it discards is still accounted: a [`ReceivedHandle`] reads the number
//! of bytes that arrived and their CRC-32C, so a check can tell what reached
//! the end of a chain without keeping it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// The text of dest-null's INFO message.
pub const NULL_INFO: &str = "Is this thing on?";

/// Discards data.
#[derive(Debug, Default)]
pub struct NullDest {
    said_hello: AtomicBool,
    received: Arc<Mutex<Received>>,
}

/// What reached a [`NullDest`]: a byte count and the CRC-32C of those bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Bytes that arrived.
    pub bytes: u64,
    /// CRC-32C of them (0 for none).
    pub crc32c: u32,
}

/// Shared read access to what a [`NullDest`] received.
#[derive(Clone, Debug)]
pub struct ReceivedHandle {
    received: Arc<Mutex<Received>>,
}

impl ReceivedHandle {
    /// What arrived so far.
    pub fn get(&self) -> Received {
        *lock(&self.received)
    }
}

impl NullDest {
    /// A fresh destination.
    pub fn new() -> NullDest {
        NullDest::default()
    }

    /// A handle on what this destination receives.
    pub fn received(&self) -> ReceivedHandle {
        ReceivedHandle {
            received: Arc::clone(&self.received),
        }
    }

    fn take(&self, buf: &[u8]) {
        let mut r = lock(&self.received);
        r.bytes += buf.len() as u64;
        r.crc32c = crc32c::crc32c_append(r.crc32c, buf);
    }

    fn hello(&self, cx: &Cx<'_>) {
        if !self.said_hello.swap(true, Ordering::SeqCst) {
            cx.info(NULL_INFO);
        }
    }
}

impl Element for NullDest {
    fn name(&self) -> &str {
        "null"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::DestNull, version)
    }

    fn push_buffer(&self, cx: &Cx<'_>, buf: Option<Vec<u8>>) -> Result<(), Error> {
        self.hello(cx);
        if let Some(b) = &buf {
            self.take(b);
        }
        Ok(())
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, buf: Option<&[u8]>) -> Result<(), Error> {
        self.hello(cx);
        if let Some(b) = buf {
            self.take(b);
        }
        Ok(())
    }
}
