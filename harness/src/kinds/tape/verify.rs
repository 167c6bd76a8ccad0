//! The read-back: after the script, every volume is read with a fresh,
//! fault-free device, and every file the script wrote must read back as the
//! device reported writing it.

use reelcheck_tape::device::{AccessMode, Device, Property, StatusFlags};
use reelcheck_tape::sim::{SimDrive, Volume};
use reelcheck_tape::vfs::VfsDevice;

use crate::scenario::Checks;

use super::dut::{Dut, Geometry};
use super::files::compare_file;
use super::observed::{Observed, Recorder, WrittenFile};
use super::schema::ReadEnd;

/// One volume as the fault-free reader found it.
#[derive(Debug)]
pub(super) struct VolumeFound {
    pub(super) barcode: String,
    pub(super) label: Option<String>,
    pub(super) files: Vec<u32>,
    /// vfs only: the data files' names.
    pub(super) names: Vec<String>,
}

/// Reads every volume back with a fresh, fault-free device and checks every file the
/// script wrote.
pub(super) fn verify(
    dut: &Dut,
    geometry: Geometry,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
) -> Vec<VolumeFound> {
    let mut found = Vec::new();
    match dut {
        Dut::Vfs { dir, .. } => {
            let mut reader = VfsDevice::new("reader", dir.path(), vec![]);
            if let Err(e) = reader.set_property(Property::BlockSize(geometry.block_size)) {
                checks.that(false, || format!("reader: {e}"));
            }
            let (files, names): (Vec<u32>, Vec<String>) =
                reelcheck_tape::inspect::inspect(dir.path())
                    .map(|r| r.files.iter().map(|f| (f.fileno, f.name.clone())).unzip())
                    .unwrap_or_default();
            rec.line("verify", format!("vfs file names: {}", names.join(" ")));
            verify_one(
                &mut reader,
                "vfs",
                files,
                None,
                obs,
                rec,
                checks,
                &mut found,
            );
            if let Some(v) = found.last_mut() {
                v.names = names;
            }
        }
        Dut::Sim(d) => {
            if let Some(v) = d.volume().or(d.ejected()) {
                verify_sim(v.clone(), geometry, obs, rec, checks, &mut found);
            }
        }
        Dut::Library(l) => {
            for slot in 1..=l.slot_count() {
                if let Some(v) = l.volume(slot) {
                    verify_sim(v.clone(), geometry, obs, rec, checks, &mut found);
                }
            }
        }
    }
    for w in &obs.written {
        checks.that(found.iter().any(|v| v.barcode == w.volume), || {
            format!(
                "volume {} holding file {} was not found for read-back",
                w.volume, w.file
            )
        });
    }
    found
}

/// Reads one simulated volume back in a fresh drive.
fn verify_sim(
    volume: Volume,
    geometry: Geometry,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
    found: &mut Vec<VolumeFound>,
) {
    let barcode = volume.barcode().to_string();
    let files: Vec<u32> = (1..volume.file_count()).collect();
    let mut reader = SimDrive::new("reader", geometry.sim_config(), Vec::new());
    if let Err(e) = reader.load(volume) {
        checks.that(false, || format!("reader cannot load {barcode}: {e}"));
        return;
    }
    verify_one(
        &mut reader,
        &barcode,
        files,
        Some(geometry.block_size),
        obs,
        rec,
        checks,
        found,
    );
}

/// Reads back every file the script wrote to one volume.
#[allow(clippy::too_many_arguments)]
fn verify_one(
    reader: &mut dyn Device,
    barcode: &str,
    files: Vec<u32>,
    pad: Option<usize>,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
    found: &mut Vec<VolumeFound>,
) {
    // A misuse (a started reader) counts as an unreadable label.
    let status = reader.read_label().unwrap_or(StatusFlags::DEVICE_BUSY);
    let label = reader.state().volume_label.clone();
    rec.line(
        "verify",
        format!(
            "volume {barcode}: label={} files={files:?}",
            label.as_deref().unwrap_or("-")
        ),
    );
    let mine: Vec<&WrittenFile> = obs.written.iter().filter(|w| w.volume == barcode).collect();
    if !status.is_success() {
        checks.that(mine.is_empty(), || {
            format!("volume {barcode}: label unreadable ({status}) but files were written")
        });
        found.push(VolumeFound {
            barcode: barcode.to_string(),
            label,
            files,
            names: Vec::new(),
        });
        return;
    }
    if let Err(e) = reader.start(AccessMode::Read, None, None) {
        checks.that(false, || {
            format!("volume {barcode}: reader cannot start: {e}")
        });
        return;
    }
    for w in mine {
        let (result, block, blocks) = compare_file(reader, w.file, 0, Some(w), pad);
        let bytes: usize = w.blocks.iter().map(Vec::len).sum();
        match result {
            ReadEnd::Identical => {
                let extra = blocks.saturating_sub(w.blocks.len() as u64);
                let mut line = format!(
                    "file {}: {} blocks ({bytes} bytes) read back identical",
                    w.file,
                    w.blocks.len()
                );
                if extra > 0 {
                    line += &format!(", then {extra} more block(s) from the FAILED write");
                }
                rec.line("verify", line);
            }
            other => {
                let at = block.map_or(String::new(), |b| format!(" at blk={b}"));
                rec.line("verify", format!("file {}: {other}{at}", w.file));
                checks.that(false, || {
                    format!(
                        "read-back of volume {barcode} file {}: {other}{at} (what was reported written must read back identically)",
                        w.file
                    )
                });
            }
        }
    }
    if let Err(e) = reader.finish() {
        checks.that(false, || format!("volume {barcode}: reader finish: {e}"));
    }
    found.push(VolumeFound {
        barcode: barcode.to_string(),
        label,
        files,
        names: Vec::new(),
    });
}
