//! One Device API call of a model run, as scenario files and fuzz cases write it.

use serde::{Deserialize, Serialize};

use reelcheck_tape::device::AccessMode;

/// One Device API call of a model run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    /// `read_label`.
    ReadLabel,
    /// `start(mode, "VOL", 20240101000000)`.
    Start {
        /// The mode.
        mode: AccessMode,
    },
    /// `start_file` with a short header.
    StartFile,
    /// `write_block` of `len` bytes of `fill`.
    Write {
        /// Bytes (0 and more than the block size are misuse).
        len: usize,
        /// The byte written.
        fill: u8,
    },
    /// `finish_file`.
    FinishFile,
    /// `finish`.
    Finish,
    /// `seek_file(file)`.
    SeekFile {
        /// The file.
        file: u32,
    },
    /// `seek_block(block)`.
    SeekBlock {
        /// The block.
        block: u64,
    },
    /// `read_block` with a buffer of one block.
    Read,
    /// `eject`.
    Eject,
    /// Put the ejected volume back (only meaningful with an empty drive in NULL mode;
    /// otherwise both sides ignore it).
    Reload,
    /// `SimDrive::reset` (Amanda's `device_reset`).
    Reset,
    /// `set_property(LEOM)`.
    SetLeom {
        /// The new value.
        on: bool,
    },
}

impl Step {
    /// Payload bytes the step offers to the device.
    pub fn bytes(&self) -> u64 {
        match self {
            Step::Write { len, .. } => *len as u64,
            _ => 0,
        }
    }

    /// The step as a TOML inline table (`{ op = "write", len = 64, fill = 7 }`).
    pub fn to_toml(&self) -> String {
        let fields = match self {
            Step::Start { mode } => format!(", mode = \"{}\"", mode_name(*mode)),
            Step::Write { len, fill } => format!(", len = {len}, fill = {fill}"),
            Step::SeekFile { file } => format!(", file = {file}"),
            Step::SeekBlock { block } => format!(", block = {block}"),
            Step::SetLeom { on } => format!(", on = {on}"),
            _ => String::new(),
        };
        let op = match self {
            Step::ReadLabel => "read-label",
            Step::Start { .. } => "start",
            Step::StartFile => "start-file",
            Step::Write { .. } => "write",
            Step::FinishFile => "finish-file",
            Step::Finish => "finish",
            Step::SeekFile { .. } => "seek-file",
            Step::SeekBlock { .. } => "seek-block",
            Step::Read => "read",
            Step::Eject => "eject",
            Step::Reload => "reload",
            Step::Reset => "reset",
            Step::SetLeom { .. } => "set-leom",
        };
        format!("{{ op = \"{op}\"{fields} }}")
    }
}

/// The mode's name as scenario files spell it.
fn mode_name(mode: AccessMode) -> &'static str {
    match mode {
        AccessMode::Null => "null",
        AccessMode::Read => "read",
        AccessMode::Write => "write",
        AccessMode::Append => "append",
    }
}
