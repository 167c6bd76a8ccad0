//! Runs one step on the drive under test and on the model, and compares the answers and
//! everything observable afterwards: the device fields, the hardware state, the medium
//! (files, blocks, filemarks, bytes used) and which faults fired.

use reelcheck_tape::device::{Device, DeviceEvent, Property, ReadResult, SeekResult, WriteResult};
use reelcheck_tape::sim::{SimDrive, TapeFault, Volume};

use super::config::ModelConfig;
use super::flags::{DEVICE_BUSY, TIMESTAMP};
use super::model::{LABEL, Model};
use super::outcome::{ErrorKind, Outcome};
use super::step::Step;

/// A difference between the drive and the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step:?}: {what}")]
pub struct Mismatch {
    /// The step after which it showed.
    pub step: Step,
    /// What differs, model (want) against drive (got).
    pub what: String,
}

/// Runs `step` on the drive and returns its answer in the model's terms.
pub fn apply(d: &mut SimDrive, step: &Step) -> Outcome {
    let mut buf = vec![0u8; d.properties().block_size];
    let result = match *step {
        Step::ReadLabel => d.read_label().map(|s| Outcome::Status(s.bits())),
        Step::Start { mode } => d
            .start(mode, Some(LABEL), Some(TIMESTAMP))
            .map(|()| Outcome::Ok),
        Step::StartFile => d.start_file(b"AMANDA: FILE").map(Outcome::File),
        Step::Write { len, fill } => d.write_block(&vec![fill; len]).map(|r| {
            let why = (r != WriteResult::Success)
                .then(|| d.last_error().map(ErrorKind::of))
                .flatten();
            Outcome::Write(r, why)
        }),
        Step::FinishFile => d.finish_file().map(|()| Outcome::Ok),
        Step::Finish => d.finish().map(|()| Outcome::Ok),
        Step::SeekFile { file } => d.seek_file(file).map(|r| match r {
            SeekResult::File { file, .. } => Outcome::Seek(file, false),
            SeekResult::TapeEnd { file } => Outcome::Seek(file, true),
        }),
        Step::SeekBlock { block } => d.seek_block(block).map(|()| Outcome::Ok),
        Step::Read => d.read_block(&mut buf).map(|r| match r {
            ReadResult::Block(n) => Outcome::Block(buf[..n].to_vec()),
            ReadResult::Eof => Outcome::Eof,
        }),
        Step::Eject => d.eject().map(|()| Outcome::Ok),
        Step::Reload => match d.take_volume() {
            Some(v) => d.load(v).map(|()| Outcome::Ok).map_err(|e| e.error),
            None => Ok(Outcome::Ok),
        },
        Step::Reset => {
            d.reset();
            Ok(Outcome::Ok)
        }
        Step::SetLeom { on } => d.set_property(Property::Leom(on)).map(|()| Outcome::Ok),
    };
    result.unwrap_or_else(|e| Outcome::Error(ErrorKind::of(&e)))
}

/// True when the drive's answer is what the model wants. `read_label` in a started
/// device may also be refused as misuse (the Device trait's documented form of
/// device.c's DEVICE_BUSY answer).
fn agrees(step: &Step, want: &Outcome, got: &Outcome) -> bool {
    want == got
        || (matches!(step, Step::ReadLabel)
            && *want == Outcome::Status(DEVICE_BUSY)
            && *got == Outcome::Error(ErrorKind::Misuse))
}

/// How two answers differ, in one line (blocks by their first differing byte).
fn differ(want: &Outcome, got: &Outcome) -> String {
    if let (Outcome::Block(w), Outcome::Block(g)) = (want, got) {
        let at = w.iter().zip(g).position(|(a, b)| a != b);
        return match at {
            Some(i) => format!(
                "block byte {i}: want {:#04x}, got {:#04x} ({} bytes)",
                w[i],
                g[i],
                w.len()
            ),
            None => format!("block length: want {}, got {}", w.len(), g.len()),
        };
    }
    format!("want {want:?}, got {got:?}")
}

/// Applies `step` to the model and to the drive and compares them.
///
/// # Errors
/// The first difference found.
pub fn run_step(d: &mut SimDrive, m: &mut Model, step: &Step) -> Result<(), Mismatch> {
    if m.skips(step) {
        return Ok(());
    }
    let want = m.step(step);
    let got = apply(d, step);
    let mismatch = |what: String| Mismatch {
        step: step.clone(),
        what,
    };
    if !agrees(step, &want, &got) {
        return Err(mismatch(differ(&want, &got)));
    }
    check_state(d, m).map_err(mismatch)
}

/// Compares the device fields, the hardware state, the fired faults and the medium.
fn check_state(d: &SimDrive, m: &Model) -> Result<(), String> {
    let s = d.state();
    let fields = [
        (
            "mode",
            format!("{:?}", m.mode),
            format!("{:?}", s.access_mode),
        ),
        ("in_file", m.in_file.to_string(), s.in_file.to_string()),
        ("file", m.file.to_string(), s.file.to_string()),
        ("block", m.block.to_string(), s.block.to_string()),
        ("is_eom", m.is_eom.to_string(), s.is_eom.to_string()),
        ("is_eof", m.is_eof.to_string(), s.is_eof.to_string()),
        (
            "wrote_short_block",
            m.short.to_string(),
            s.wrote_short_block.to_string(),
        ),
        ("status", m.status.to_string(), s.status.bits().to_string()),
        (
            "volume_label",
            format!("{:?}", m.volume_label),
            format!("{:?}", s.volume_label),
        ),
        ("offline", m.offline.to_string(), d.is_offline().to_string()),
        (
            "volume in the drive",
            m.loaded.to_string(),
            d.volume().is_some().to_string(),
        ),
        (
            "fired faults",
            format!("{:?}", m.faults.fired()),
            format!("{:?}", d.faults().fired()),
        ),
    ];
    for (name, want, got) in fields {
        if want != got {
            return Err(format!("{name}: model {want}, drive {got}"));
        }
    }
    let vol = d
        .volume()
        .or(d.ejected())
        .ok_or("the volume left the drive and the library")?;
    check_medium(vol, m)
}

/// The medium holds exactly what the model wrote, never more than fits.
fn check_medium(vol: &Volume, m: &Model) -> Result<(), String> {
    let medium = &m.medium;
    // Nothing is written past the capacity (mhvtl refuses it), short writes included.
    let past_end = vol.used() > m.config.capacity;
    if vol.used() != medium.used() || past_end {
        return Err(format!(
            "medium used: model {}, drive {}",
            medium.used(),
            vol.used()
        ));
    }
    let label = vol.amanda_label().map(|(label, _)| label);
    let want_label = medium.label.then(|| LABEL.to_string());
    if label != want_label {
        return Err(format!(
            "label on the medium: model {want_label:?}, drive {label:?}"
        ));
    }
    let files = medium.files.len() as u32 + u32::from(medium.label);
    if vol.file_count() != files {
        return Err(format!(
            "files on the medium (label included): model {files}, drive {}",
            vol.file_count()
        ));
    }
    for (i, f) in medium.files.iter().enumerate() {
        let n = i as u32 + 1;
        let got = vol.file(n).ok_or(format!("file {n} missing"))?;
        if got.data_blocks() != f.blocks.len() as u64 {
            return Err(format!(
                "file {n} blocks: model {}, drive {}",
                f.blocks.len(),
                got.data_blocks()
            ));
        }
        if let Some(b) =
            (0..f.blocks.len()).find(|&b| got.data_block(b as u64) != Some(&f.blocks[b][..]))
        {
            return Err(format!("file {n} block {b} differs"));
        }
        if got.is_closed() != f.closed {
            return Err(format!(
                "filemark after file {n}: model {}, drive {}",
                f.closed,
                got.is_closed()
            ));
        }
    }
    Ok(())
}

/// Runs `steps` on a fresh drive and model with `faults` pending on both, handing each
/// step's drive events to `events`; the first mismatch is returned with the step's index.
///
/// # Errors
/// The index of the first step where the drive and the model disagree, and how.
pub fn replay(
    config: &ModelConfig,
    faults: &[TapeFault],
    steps: &[Step],
    mut events: impl FnMut(usize, Vec<DeviceEvent>),
) -> Result<(), (usize, Mismatch)> {
    let mut drive = config.drive(faults.to_vec());
    let mut model = Model::new(config, faults.to_vec());
    events(0, drive.take_events());
    for (i, step) in steps.iter().enumerate() {
        let result = run_step(&mut drive, &mut model, step);
        events(i, drive.take_events());
        result.map_err(|m| (i, m))?;
    }
    Ok(())
}
