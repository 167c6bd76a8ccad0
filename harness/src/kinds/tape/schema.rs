//! The tables of a tape scenario, as serde reads them: `[device]`, `[[volume]]`,
//! `[script]` and `[expect]`, each with `deny_unknown_fields` so a mistyped key is
//! reported at its line.

use std::fmt;

use serde::Deserialize;

use reelcheck_tape::device::AccessMode;
use reelcheck_tape::sim::EarlyWarningStyle;

use crate::size::ByteSize;

/// The datestamp written in labels and headers unless a step gives one.
pub const TIMESTAMP: &str = "20240101000000";

/// Which device the script drives.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub(super) enum DeviceType {
    Sim,
    Library,
    Vfs,
    Model,
}

/// Just the device type, to choose how to read the rest.
#[derive(Deserialize)]
pub(super) struct Probe {
    pub(super) device: ProbeDevice,
}

#[derive(Deserialize)]
pub(super) struct ProbeDevice {
    #[serde(rename = "type")]
    pub(super) kind: DeviceType,
}

/// A script scenario's tables (faults come from the scenario's plan).
#[derive(Deserialize)]
pub(super) struct Spec {
    pub(super) device: DeviceSection,
    #[serde(default)]
    pub(super) volume: Vec<VolumeSection>,
    pub(super) script: Script,
    pub(super) expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Script {
    pub(super) steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DeviceSection {
    #[serde(rename = "type")]
    pub(super) kind: DeviceType,
    pub(super) block_size: Option<ByteSize>,
    pub(super) leom: Option<bool>,
    pub(super) early_warning: Option<EarlyWarningStyle>,
    pub(super) max_volume_usage: Option<ByteSize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct VolumeSection {
    pub(super) barcode: String,
    pub(super) capacity: ByteSize,
    pub(super) early_warning: Option<ByteSize>,
}

pub(super) fn default_host() -> String {
    "myhost".into()
}

pub(super) fn default_disk() -> String {
    "/my/disk".into()
}

/// One script operation.
#[derive(Deserialize, Clone, Debug)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub(super) enum Step {
    ReadLabel,
    Start {
        mode: AccessMode,
        label: Option<String>,
        timestamp: Option<String>,
    },
    WriteFile {
        bytes: ByteSize,
        #[serde(default = "default_host")]
        host: String,
        #[serde(default = "default_disk")]
        disk: String,
        #[serde(default)]
        level: u32,
        part: Option<u32>,
        #[serde(default)]
        stop_at_leom: bool,
    },
    Finish,
    ReadFile {
        file: u32,
        #[serde(default)]
        from_block: u64,
    },
    Eject,
    Reload,
    Reset,
    LoadNext,
    LoadSlot {
        slot: usize,
    },
    LoadLabel {
        label: String,
    },
    Unload,
}

impl Step {
    pub(super) fn library_only(&self) -> bool {
        matches!(
            self,
            Step::LoadNext | Step::LoadSlot { .. } | Step::LoadLabel { .. } | Step::Unload
        )
    }
}

/// How a `write-file` step ended.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(super) enum WriteEnd {
    /// Every byte written (or stopped at LEOM as asked).
    Complete,
    /// A write returned `FAILED`.
    Failed,
    /// A write returned `SPACE`.
    Space,
    /// A write returned `FULL`.
    Full,
    /// `start_file` failed: no file was opened.
    NoFile,
}

impl fmt::Display for WriteEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteEnd::Complete => "complete",
            WriteEnd::Failed => "FAILED",
            WriteEnd::Space => "SPACE",
            WriteEnd::Full => "FULL",
            WriteEnd::NoFile => "no-file",
        })
    }
}

/// How a `read-file` step ended.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
pub(super) enum ReadEnd {
    /// Every block read back as written, then end of file.
    Identical,
    /// A block read back different from what was written.
    Corrupt,
    /// A read failed.
    Error,
    /// End of file before all written blocks.
    Short,
    /// More blocks than were written.
    Long,
    /// `seek_file` did not reach the file.
    NoFile,
}

impl fmt::Display for ReadEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadEnd::Identical => "identical",
            ReadEnd::Corrupt => "corrupt",
            ReadEnd::Error => "error",
            ReadEnd::Short => "short",
            ReadEnd::Long => "long",
            ReadEnd::NoFile => "no-file",
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Expect {
    #[serde(default)]
    pub(super) write: Vec<ExpectWrite>,
    #[serde(default)]
    pub(super) read: Vec<ExpectRead>,
    pub(super) label_reads: Option<Vec<String>>,
    pub(super) loads: Option<Vec<usize>>,
    #[serde(default)]
    pub(super) errors: Vec<String>,
    pub(super) status: Option<String>,
    pub(super) is_eom: Option<bool>,
    #[serde(default)]
    pub(super) volume: Vec<ExpectVolume>,
    #[serde(default)]
    pub(super) unfired_faults: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectWrite {
    pub(super) file: Option<u32>,
    pub(super) bytes: Option<ByteSize>,
    pub(super) blocks: Option<u64>,
    pub(super) leom: Option<bool>,
    pub(super) leom_block: Option<u64>,
    pub(super) result: Option<WriteEnd>,
    pub(super) at_block: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectRead {
    pub(super) file: u32,
    pub(super) result: ReadEnd,
    pub(super) block: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExpectVolume {
    pub(super) barcode: Option<String>,
    pub(super) label: Option<String>,
    pub(super) files: Option<Vec<u32>>,
    /// vfs only: the data files' names, in file order.
    pub(super) names: Option<Vec<String>>,
}
