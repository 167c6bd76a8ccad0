//! What a tape run left on each volume, as data for the report's picture:
//! the files and their blocks in bytes from the start of the medium, the
//! capacity (end of medium) and early-warning zone when the medium has them,
//! and marks where a fault fired, the device flagged LEOM or refused a write.
//!
//! The runner hands the pictures over as figures named [`FIGURE`] (one JSON
//! value per volume); [`take`] moves them out of a figure list again.

use std::path::Path;

use reelcheck_tape::device::{DeviceEvent, EventKind, WriteResult};
use reelcheck_tape::sim::Volume;
use serde::{Deserialize, Serialize};

use super::dut::Dut;
use super::observed::Observed;

/// The figure name under which a volume's picture travels.
pub const FIGURE: &str = "volume-picture";

/// One volume as the run left it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolumePicture {
    /// The barcode (`vfs` for a vfs volume).
    pub name: String,
    /// Bytes the medium holds: the end of medium (`None`: unbounded vfs volume).
    pub capacity: Option<u64>,
    /// First byte of the early-warning zone, when the medium has one.
    pub early_warning: Option<u64>,
    /// The files in medium order, the label file first.
    pub files: Vec<FileSpan>,
    /// Where something happened, in medium order of occurrence.
    pub marks: Vec<Mark>,
}

impl VolumePicture {
    /// Bytes recorded on the medium.
    pub fn used(&self) -> u64 {
        self.files.last().map_or(0, FileSpan::end)
    }

    /// Bytes the drawing spans: the capacity, or what was written when larger or unknown.
    pub fn length(&self) -> u64 {
        self.capacity.unwrap_or(0).max(self.used()).max(1)
    }
}

/// One file on the medium.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileSpan {
    /// The file number (0 = the label).
    pub file: u32,
    /// Its first byte on the medium.
    pub start: u64,
    /// Bytes of each block, the header block first.
    pub blocks: Vec<u64>,
    /// A filemark closes it.
    pub closed: bool,
}

impl FileSpan {
    /// One past its last byte.
    pub fn end(&self) -> u64 {
        self.start + self.blocks.iter().sum::<u64>()
    }
}

/// What a mark shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MarkKind {
    /// A planned fault fired.
    Fault,
    /// A write flagged the logical end of medium.
    Leom,
    /// A write was refused or failed.
    Refused,
}

/// A place on the medium where something happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mark {
    /// What happened there.
    pub kind: MarkKind,
    /// One line saying what, e.g. `write-error file=1 blk=0`.
    pub label: String,
    /// The byte of the medium it happened at.
    pub at: u64,
}

/// An event seen on a volume, placed at a data block of a file.
#[derive(Debug)]
struct Seen {
    volume: String,
    kind: MarkKind,
    label: String,
    file: Option<u32>,
    block: u64,
}

/// The marks a run's device events call for, gathered step by step.
///
/// A fault's place is in its one-line text (`file=1 blk=3`, sim/fault.rs); a
/// label fault sits at byte 0; a vfs fault names no block and takes the place
/// of the write or read it interrupted, the next data event.
#[derive(Debug, Default)]
pub(super) struct Sightings {
    seen: Vec<Seen>,
    /// Faults whose text names no block: they take the place of the next data event.
    unplaced: Vec<usize>,
}

impl Sightings {
    /// Notes the marks among `events`, which happened on volume `volume`.
    pub(super) fn note(&mut self, events: &[DeviceEvent], volume: Option<String>) {
        let volume = volume.unwrap_or_default();
        for e in events {
            match &e.kind {
                EventKind::Fault { what } => {
                    let (file, block) = place(what);
                    // A label fault fires on the label, at the start of the medium.
                    if file.is_none() && !what.starts_with("label-unreadable") {
                        self.unplaced.push(self.seen.len());
                    }
                    self.seen.push(Seen {
                        volume: volume.clone(),
                        kind: MarkKind::Fault,
                        label: what.clone(),
                        file,
                        block: block.unwrap_or(0),
                    });
                }
                EventKind::Write {
                    file,
                    block,
                    result,
                    leom,
                    ..
                } => {
                    self.place_pending(*file, *block);
                    let here = |s: &Seen| s.volume == volume && s.file == Some(*file);
                    if *result != WriteResult::Success {
                        // A fault that fired on this very block says it already.
                        let fault = self.seen.last().is_some_and(|s| {
                            here(s) && s.kind == MarkKind::Fault && s.block == *block
                        });
                        if !fault {
                            self.push(&volume, MarkKind::Refused, *file, *block, result);
                        }
                    } else if *leom
                        && !self
                            .seen
                            .iter()
                            .any(|s| here(s) && s.kind == MarkKind::Leom)
                    {
                        // The first LEOM of a file; the writes after it flag it again.
                        self.push(&volume, MarkKind::Leom, *file, *block + 1, &"LEOM");
                    }
                }
                EventKind::Read { file, block, .. } => self.place_pending(*file, *block),
                _ => {}
            }
        }
    }

    fn push(&mut self, volume: &str, kind: MarkKind, file: u32, block: u64, what: &dyn ToString) {
        let label = match kind {
            MarkKind::Refused => format!("write {} file={file} blk={block}", what.to_string()),
            _ => format!(
                "{} file={file} blk={}",
                what.to_string(),
                block.saturating_sub(1)
            ),
        };
        self.seen.push(Seen {
            volume: volume.to_string(),
            kind,
            label,
            file: Some(file),
            block,
        });
    }

    fn place_pending(&mut self, file: u32, block: u64) {
        for i in std::mem::take(&mut self.unplaced) {
            self.seen[i].file = Some(file);
            self.seen[i].block = block;
        }
    }
}

/// `file=` and `blk=` of a fault's one-line description.
fn place(what: &str) -> (Option<u32>, Option<u64>) {
    let word = |key: &str| {
        what.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .and_then(|v| v.parse::<u64>().ok())
    };
    let file = word("file=").and_then(|f| u32::try_from(f).ok());
    (file, word("blk="))
}

/// The byte where data block `block` of `file` begins (the end of the file when it
/// holds fewer blocks; the end of the medium's data when the file is not on it).
fn offset(files: &[FileSpan], file: Option<u32>, block: u64) -> u64 {
    let used = files.last().map_or(0, FileSpan::end);
    let Some(f) = file.and_then(|n| files.iter().find(|f| f.file == n)) else {
        return if file.is_some() { used } else { 0 };
    };
    let blocks = usize::try_from(block)
        .unwrap_or(usize::MAX)
        .saturating_add(1)
        .min(f.blocks.len());
    f.start + f.blocks[..blocks].iter().sum::<u64>()
}

/// The files of a simulated volume as recorded.
fn sim_files(v: &Volume) -> Vec<FileSpan> {
    let mut start = 0;
    let mut files = Vec::new();
    for n in 0..v.file_count() {
        let Some(f) = v.file(n) else { continue };
        let mut blocks: Vec<u64> = f.header().map(|h| h.len() as u64).into_iter().collect();
        blocks.extend((0..f.data_blocks()).filter_map(|b| f.data_block(b).map(|d| d.len() as u64)));
        let span = FileSpan {
            file: n,
            start,
            blocks,
            closed: f.is_closed(),
        };
        start = span.end();
        files.push(span);
    }
    files
}

/// The files of a vfs volume directory: the label file, then the data files, each
/// split into its header and the blocks the script reported writing to it.
fn vfs_files(dir: &Path, obs: &Observed) -> Vec<FileSpan> {
    let Ok(report) = reelcheck_tape::inspect::inspect(dir) else {
        return Vec::new();
    };
    let mut files = Vec::new();
    let mut start = 0;
    let size_of = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let label = report.label.as_ref().map(|l| (0, size_of(&l.file_name)));
    let data = report.files.iter().map(|f| (f.fileno, f.size));
    for (file, size) in label.into_iter().chain(data) {
        let written: Vec<u64> = obs
            .written
            .iter()
            .find(|w| w.volume == "vfs" && w.file == file)
            .map(|w| w.blocks.iter().map(|b| b.len() as u64).collect())
            .unwrap_or_default();
        let data_bytes: u64 = written.iter().sum();
        let mut blocks = vec![size.saturating_sub(data_bytes)];
        if data_bytes <= size {
            blocks.extend(written);
        } else {
            blocks = vec![size];
        }
        let span = FileSpan {
            file,
            start,
            blocks,
            closed: true,
        };
        start = span.end();
        files.push(span);
    }
    files
}

/// Every volume of the device under test as the run left it, with its marks.
pub(super) fn pictures(
    dut: &Dut,
    obs: &Observed,
    seen: &Sightings,
    max_volume_usage: Option<u64>,
) -> Vec<VolumePicture> {
    let sim = |v: &Volume| VolumePicture {
        name: v.barcode().to_string(),
        capacity: Some(v.spec().capacity),
        early_warning: Some(v.spec().early_warning_start()),
        files: sim_files(v),
        marks: Vec::new(),
    };
    let mut out: Vec<VolumePicture> = match dut {
        Dut::Sim(d) => d.volume().or(d.ejected()).map(sim).into_iter().collect(),
        Dut::Library(l) => (1..=l.slot_count())
            .filter_map(|s| l.volume(s))
            .map(sim)
            .collect(),
        Dut::Vfs { dir, .. } => vec![VolumePicture {
            name: "vfs".into(),
            capacity: max_volume_usage,
            early_warning: None,
            files: vfs_files(dir.path(), obs),
            marks: Vec::new(),
        }],
    };
    for pic in &mut out {
        pic.marks = seen
            .seen
            .iter()
            .filter(|s| s.volume == pic.name)
            .map(|s| Mark {
                kind: s.kind,
                label: s.label.clone(),
                at: offset(&pic.files, s.file, s.block),
            })
            .collect();
    }
    out
}

/// The pictures as figures named [`FIGURE`].
pub(super) fn figures(pictures: &[VolumePicture]) -> Vec<(String, String)> {
    pictures
        .iter()
        .filter_map(|p| serde_json::to_string(p).ok())
        .map(|json| (FIGURE.to_string(), json))
        .collect()
}

/// Moves the volume pictures out of a run's figures.
pub fn take(figures: &mut Vec<(String, String)>) -> Vec<VolumePicture> {
    let mut pictures = Vec::new();
    figures.retain(|(name, value)| {
        if name != FIGURE {
            return true;
        }
        if let Ok(p) = serde_json::from_str(value) {
            pictures.push(p);
        }
        false
    });
    pictures
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(file: u32, start: u64, blocks: &[u64]) -> FileSpan {
        FileSpan {
            file,
            start,
            blocks: blocks.to_vec(),
            closed: true,
        }
    }

    #[test]
    fn a_block_is_placed_after_the_header_and_the_blocks_before_it() {
        let files = vec![span(0, 0, &[100]), span(1, 100, &[10, 20, 30])];
        assert_eq!(offset(&files, Some(1), 0), 110);
        assert_eq!(offset(&files, Some(1), 1), 130);
        assert_eq!(
            offset(&files, Some(1), 2),
            160,
            "just past the last block: the file's end"
        );
        assert_eq!(
            offset(&files, Some(1), 9),
            160,
            "past the end: the file's end"
        );
        assert_eq!(
            offset(&files, Some(7), 0),
            160,
            "no such file: the data's end"
        );
        assert_eq!(offset(&files, None, 0), 0, "no place: the start");
    }

    #[test]
    fn a_fault_takes_its_place_from_its_text_or_the_next_data_event() {
        assert_eq!(place("write-error file=1 blk=3"), (Some(1), Some(3)));
        assert_eq!(place("enospc-after bytes=10"), (None, None));
    }

    #[test]
    fn a_label_fault_stays_at_the_start_and_a_vfs_fault_takes_the_next_write() {
        use reelcheck_tape::device::{DeviceEvent, EventKind};
        let ev = |kind| DeviceEvent {
            device: "d".into(),
            kind,
        };
        let fault = |what: &str| ev(EventKind::Fault { what: what.into() });
        let write = ev(EventKind::Write {
            file: 2,
            block: 5,
            len: 10,
            result: WriteResult::Space,
            leom: false,
        });
        let mut seen = Sightings::default();
        let events = [
            fault("label-unreadable volume=V"),
            fault("ENOSPC after 10 bytes"),
            write,
        ];
        seen.note(&events, Some("V".into()));
        let places: Vec<(Option<u32>, u64)> = seen.seen.iter().map(|s| (s.file, s.block)).collect();
        assert_eq!(
            places,
            vec![(None, 0), (Some(2), 5)],
            "no second mark for the refused write"
        );
    }

    #[test]
    fn pictures_travel_as_figures_and_come_back_out() {
        let pic = VolumePicture {
            name: "VOL-1".into(),
            capacity: Some(1000),
            early_warning: Some(900),
            files: vec![span(0, 0, &[100])],
            marks: vec![],
        };
        let mut figs = vec![("files".to_string(), "1".to_string())];
        figs.extend(figures(std::slice::from_ref(&pic)));
        assert_eq!(take(&mut figs), vec![pic]);
        assert_eq!(figs, vec![("files".to_string(), "1".to_string())]);
    }
}
