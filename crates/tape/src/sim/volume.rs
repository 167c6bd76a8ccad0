//! A simulated tape medium: files of blocks, a capacity and an early-warning zone.
//!
//! The capacity model follows mhvtl (testbed reference): a block may be written while it
//! ends at or before the capacity; a block ending inside the last `early_warning` bytes
//! makes the drive signal the early warning; filemarks take no space.

use std::fmt;

/// mhvtl's `EARLY_WARNING_SZ`: the early-warning zone is the last 2 MiB of a partition.
pub const MHVTL_EARLY_WARNING: u64 = 2 * 1024 * 1024;

/// The size of a simulated volume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VolumeSpec {
    /// Bytes the medium holds (after compression accounting, see [`super::SimConfig`]).
    pub capacity: u64,
    /// Size of the early-warning zone at the end of the medium, in bytes.
    pub early_warning: u64,
}

impl VolumeSpec {
    /// A volume of `capacity` bytes with mhvtl's 2 MiB early-warning zone (or the whole
    /// volume when it is smaller).
    pub fn new(capacity: u64) -> VolumeSpec {
        VolumeSpec {
            capacity,
            early_warning: MHVTL_EARLY_WARNING.min(capacity),
        }
    }

    /// A volume of `capacity` bytes with an early-warning zone of `early_warning` bytes.
    pub fn with_early_warning(capacity: u64, early_warning: u64) -> VolumeSpec {
        VolumeSpec {
            capacity,
            early_warning: early_warning.min(capacity),
        }
    }

    /// First byte position inside the early-warning zone.
    pub fn early_warning_start(&self) -> u64 {
        self.capacity - self.early_warning.min(self.capacity)
    }
}

/// One block as recorded on the medium.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Block {
    data: Vec<u8>,
    cost: u64,
}

/// One tape file: its blocks (the first is the header block) and whether a filemark
/// closed it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TapeFile {
    blocks: Vec<Block>,
    closed: bool,
}

impl TapeFile {
    /// The header block (for file 0, the label block), if one was written.
    pub fn header(&self) -> Option<&[u8]> {
        self.blocks.first().map(|b| b.data.as_slice())
    }

    /// Number of data blocks (blocks after the header).
    pub fn data_blocks(&self) -> u64 {
        self.blocks.len().saturating_sub(1) as u64
    }

    /// Data block `n` (from 0) as recorded.
    pub fn data_block(&self, n: u64) -> Option<&[u8]> {
        let i = usize::try_from(n).ok()?.checked_add(1)?;
        self.blocks.get(i).map(|b| b.data.as_slice())
    }

    /// All data bytes of the file, concatenated as recorded.
    pub fn data(&self) -> Vec<u8> {
        self.blocks
            .iter()
            .skip(1)
            .flat_map(|b| b.data.iter().copied())
            .collect()
    }

    /// True when a filemark ends the file.
    pub fn is_closed(&self) -> bool {
        self.closed
    }
}

/// A simulated tape cartridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    barcode: String,
    spec: VolumeSpec,
    files: Vec<TapeFile>,
    used: u64,
}

impl Volume {
    /// A blank volume (no label) with the given barcode and size.
    pub fn blank(barcode: impl Into<String>, spec: VolumeSpec) -> Volume {
        Volume {
            barcode: barcode.into(),
            spec,
            files: Vec::new(),
            used: 0,
        }
    }

    /// The barcode (the changer's name for the cartridge; not the Amanda label).
    pub fn barcode(&self) -> &str {
        &self.barcode
    }

    /// The size.
    pub fn spec(&self) -> VolumeSpec {
        self.spec
    }

    /// Bytes of medium used so far.
    pub fn used(&self) -> u64 {
        self.used
    }

    /// Number of files recorded, the label file included.
    pub fn file_count(&self) -> u32 {
        u32::try_from(self.files.len()).unwrap_or(u32::MAX)
    }

    /// File `n` (0 = the label file).
    pub fn file(&self, n: u32) -> Option<&TapeFile> {
        self.files.get(usize::try_from(n).ok()?)
    }

    /// The Amanda label and timestamp in file 0, when it holds a TAPESTART header.
    pub fn amanda_label(&self) -> Option<(String, String)> {
        let block = self.file(0)?.header()?;
        super::label::parse_tapestart(block).ok()
    }

    /// Erases everything from file `n` on (writing at a position erases what follows).
    pub(crate) fn truncate_files(&mut self, n: u32) {
        self.files
            .truncate(usize::try_from(n).unwrap_or(usize::MAX));
        self.used = self
            .files
            .iter()
            .flat_map(|f| f.blocks.iter())
            .map(|b| b.cost)
            .sum();
    }

    /// Starts a new file with its header block.
    pub(crate) fn push_file(&mut self, header: Vec<u8>, cost: u64) {
        self.used += cost;
        self.files.push(TapeFile {
            blocks: vec![Block { data: header, cost }],
            closed: false,
        });
    }

    /// Appends a block to the last file.
    pub(crate) fn push_block(&mut self, data: Vec<u8>, cost: u64) {
        if let Some(f) = self.files.last_mut() {
            self.used += cost;
            f.blocks.push(Block { data, cost });
        }
    }

    /// Writes a filemark after the last file.
    pub(crate) fn close_last(&mut self) {
        if let Some(f) = self.files.last_mut() {
            f.closed = true;
        }
    }

    /// Shrinks the capacity to the bytes used (an injected physical end of medium).
    pub(crate) fn end_medium_here(&mut self) {
        self.spec.capacity = self.used;
        self.spec.early_warning = self.spec.early_warning.min(self.used);
    }
}

impl fmt::Display for Volume {
    /// `BARCODE files=N used=U/C`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} files={} used={}/{}",
            self.barcode,
            self.files.len(),
            self.used,
            self.spec.capacity
        )
    }
}
