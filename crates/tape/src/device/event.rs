//! The device event trace: one line per operation, fault or changer action.

use std::fmt;

use super::error::Op;
use super::result::WriteResult;
use super::status::{AccessMode, StatusFlags};

/// What a device reports in its event trace (one line each, see [`DeviceEvent`]'s `Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// A volume was loaded; its label if it could be read cheaply.
    Load {
        /// Label of the loaded volume, if known.
        label: Option<String>,
    },
    /// The volume was ejected.
    Eject,
    /// `read_label` finished with these flags.
    ReadLabel {
        /// The label found.
        label: Option<String>,
        /// Resulting status.
        status: StatusFlags,
    },
    /// `start` succeeded.
    Start {
        /// Mode started in.
        mode: AccessMode,
        /// Volume label.
        label: Option<String>,
    },
    /// `start_file` opened `file`; `eom` when LEOM was reached while writing the header.
    StartFile {
        /// The new file number.
        file: u32,
        /// LEOM reached while writing the header.
        eom: bool,
    },
    /// One `write_block`: result, whether LEOM was flagged, bytes offered.
    Write {
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
        /// Bytes offered.
        len: usize,
        /// The result returned.
        result: WriteResult,
        /// LEOM was flagged by this write.
        leom: bool,
    },
    /// `finish_file` closed `file` after `blocks` data blocks.
    FinishFile {
        /// File number.
        file: u32,
        /// Data blocks in the file.
        blocks: u64,
    },
    /// `finish` returned the device to NULL mode.
    Finish,
    /// `seek_file` reached `file` (or the end of tape).
    SeekFile {
        /// File requested.
        requested: u32,
        /// File reached.
        file: u32,
        /// True when the result is the end of tape.
        tape_end: bool,
    },
    /// `seek_block` moved to `block`.
    SeekBlock {
        /// File number.
        file: u32,
        /// Block number.
        block: u64,
    },
    /// One `read_block`: `Some(len)` for data, `None` for end of file.
    Read {
        /// File number.
        file: u32,
        /// Block number within the file.
        block: u64,
        /// Bytes read, `None` at end of file.
        len: Option<usize>,
    },
    /// An operation failed (misuse or media error), with the error text.
    Error {
        /// The operation.
        op: Op,
        /// The error's `Display`.
        message: String,
    },
    /// A planned fault fired.
    Fault {
        /// The fault's one-line description.
        what: String,
    },
    /// A changer (library) action on this drive, e.g. `load slot=2`.
    Changer {
        /// The action's one-line description.
        action: String,
    },
}

/// One event of a device's trace: the device name and what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEvent {
    /// The device name (`tape0`, `vtape1`, ...).
    pub device: String,
    /// What happened.
    pub kind: EventKind,
}

impl fmt::Display for DeviceEvent {
    /// One stable line, e.g. `tape0 write file=1 blk=17 -> LEOM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.device;
        match &self.kind {
            EventKind::Load { label } => {
                write!(f, "{d} load label={}", label.as_deref().unwrap_or("-"))
            }
            EventKind::Eject => write!(f, "{d} eject"),
            EventKind::ReadLabel { label, status } => write!(
                f,
                "{d} read_label label={} -> {status}",
                label.as_deref().unwrap_or("-")
            ),
            EventKind::Start { mode, label } => write!(
                f,
                "{d} start mode={mode} label={}",
                label.as_deref().unwrap_or("-")
            ),
            EventKind::StartFile { file, eom } => {
                write!(f, "{d} start_file file={file}")?;
                if *eom {
                    f.write_str(" -> LEOM")?;
                }
                Ok(())
            }
            EventKind::Write {
                file,
                block,
                len,
                result,
                leom,
            } => {
                write!(f, "{d} write file={file} blk={block} len={len} -> ")?;
                match (result, leom) {
                    (WriteResult::Success, true) => f.write_str("LEOM"),
                    (r, true) => write!(f, "{r} LEOM"),
                    (r, false) => write!(f, "{r}"),
                }
            }
            EventKind::FinishFile { file, blocks } => {
                write!(f, "{d} finish_file file={file} blocks={blocks}")
            }
            EventKind::Finish => write!(f, "{d} finish"),
            EventKind::SeekFile {
                requested,
                file,
                tape_end,
            } => {
                write!(f, "{d} seek_file {requested} -> file={file}")?;
                if *tape_end {
                    f.write_str(" TAPEEND")?;
                }
                Ok(())
            }
            EventKind::SeekBlock { file, block } => {
                write!(f, "{d} seek_block file={file} blk={block}")
            }
            EventKind::Read { file, block, len } => match len {
                Some(n) => write!(f, "{d} read file={file} blk={block} -> {n}"),
                None => write!(f, "{d} read file={file} blk={block} -> EOF"),
            },
            EventKind::Error { op, message } => write!(f, "{d} {op} error: {message}"),
            EventKind::Fault { what } => write!(f, "{d} fault {what}"),
            EventKind::Changer { action } => write!(f, "{d} changer {action}"),
        }
    }
}
