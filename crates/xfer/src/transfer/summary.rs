//! What a finished transfer reports: its [`Status`], element errors, the
//! messages delivered and the leak counters ([`Summary`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cancel::LeakCounts;
use crate::msg::{EltRef, Msg, MsgKind};

/// How a transfer ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Status {
    /// Ran to the end without cancellation.
    Done,
    /// Cancelled without any element error.
    Cancelled,
    /// At least one element reported an error.
    Failed,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Status::Done => "done",
            Status::Cancelled => "cancelled",
            Status::Failed => "failed",
        })
    }
}

/// An error an element reported during the transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElementError {
    /// The element.
    pub elt: EltRef,
    /// The error text.
    pub message: String,
}

/// The result of a finished transfer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// How it ended.
    pub status: Status,
    /// Bytes delivered into the destination where the runtime moved them
    /// (pull/push calls and glue IO); 0 when a child writes straight into a destination fd.
    pub bytes: u64,
    /// Element errors, in delivery order.
    pub errors: Vec<ElementError>,
    /// Every message delivered, in order (the last is DONE).
    pub messages: Vec<Msg>,
    /// Resource counters after everything was released.
    pub leaks: LeakCounts,
    /// Names of the linked elements (glue included).
    pub elements: Vec<String>,
}

impl Summary {
    /// The summary of a transfer whose dispatcher delivered `messages`
    /// (`cancelled` if it processed a cancel), which moved `bytes` into its
    /// destination and left `leaks` behind. Any ERROR message makes it
    /// [`Status::Failed`]; a cancel without one, [`Status::Cancelled`].
    pub(crate) fn new(
        messages: Vec<Msg>,
        cancelled: bool,
        bytes: u64,
        leaks: LeakCounts,
        elements: Vec<String>,
    ) -> Summary {
        let errors: Vec<ElementError> = messages
            .iter()
            .filter_map(|m| match &m.kind {
                MsgKind::Error(text) => Some(ElementError {
                    elt: m.elt.clone(),
                    message: text.clone(),
                }),
                _ => None,
            })
            .collect();
        let status = if !errors.is_empty() {
            Status::Failed
        } else if cancelled {
            Status::Cancelled
        } else {
            Status::Done
        };
        Summary {
            status,
            bytes,
            errors,
            messages,
            leaks,
            elements,
        }
    }
}
