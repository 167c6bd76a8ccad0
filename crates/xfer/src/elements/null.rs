//! `null`: discards everything (Amanda's dest-null), saying
//! "Is this thing on?" on its first push as Amanda's does.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// The text of dest-null's INFO message.
pub const NULL_INFO: &str = "Is this thing on?";

/// Discards data.
#[derive(Debug, Default)]
pub struct NullDest {
    said_hello: AtomicBool,
}

impl NullDest {
    /// A fresh destination.
    pub fn new() -> NullDest {
        NullDest::default()
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

    fn push_buffer(&self, cx: &Cx<'_>, _buf: Option<Vec<u8>>) -> Result<(), Error> {
        self.hello(cx);
        Ok(())
    }

    fn push_buffer_static(&self, cx: &Cx<'_>, _buf: Option<&[u8]>) -> Result<(), Error> {
        self.hello(cx);
        Ok(())
    }
}
