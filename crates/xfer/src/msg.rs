//! Transfer messages (Amanda's XMSG), as the user receives them.
//!
//! Every message names the element it comes from by name and index in the
//! linked chain (glue included); [`Msg`]'s `Display` is one stable line with
//! no addresses, thread ids or times, e.g. `crc[1] CRC crc=0x1c291ca3 size=1048576`.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An element of a linked transfer: its name and index (glue included).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EltRef {
    /// Position in the linked chain, from 0 (the source).
    pub index: usize,
    /// The element's name (`random`, `glue`, `process`, ...).
    pub name: String,
}

impl fmt::Display for EltRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.name, self.index)
    }
}

/// What a message says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MsgKind {
    /// Informational text (`XMSG_INFO`).
    Info(String),
    /// An element failed; a `Cancel` follows (`XMSG_ERROR`).
    Error(String),
    /// The transfer is being cancelled; data may still drain (`XMSG_CANCEL`).
    Cancel,
    /// CRC-32C and byte count of the data seen by an element (`XMSG_CRC`).
    Crc {
        /// CRC-32C (Castagnoli), as Amanda's `crc32_add` computes it.
        crc: u32,
        /// Number of bytes covered.
        size: u64,
    },
    /// Every element has finished; always the last message, exactly once (`XMSG_DONE`).
    Done,
}

impl MsgKind {
    /// Amanda's type name without the `XMSG_` prefix.
    pub fn type_name(&self) -> &'static str {
        match self {
            MsgKind::Info(_) => "INFO",
            MsgKind::Error(_) => "ERROR",
            MsgKind::Cancel => "CANCEL",
            MsgKind::Crc { .. } => "CRC",
            MsgKind::Done => "DONE",
        }
    }
}

/// One message of a transfer's stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Msg {
    /// The element the message is attributed to.
    pub elt: EltRef,
    /// The content.
    pub kind: MsgKind,
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.elt, self.kind.type_name())?;
        match &self.kind {
            MsgKind::Info(text) | MsgKind::Error(text) => write!(f, " {}", one_line(text)),
            MsgKind::Crc { crc, size } => write!(f, " crc={crc:#010x} size={size}"),
            MsgKind::Cancel | MsgKind::Done => Ok(()),
        }
    }
}

/// Collapses line breaks so a message always renders on one line.
fn one_line(text: &str) -> String {
    text.split(['\n', '\r'])
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}
