//! A reference model of the simulated drive, for property tests and `reelcheck fuzz tape`.
//!
//! The model is a few lines per call, written from the reference rather than from
//! [`super::SimDrive`]'s code:
//! - amanda.md §5.2 preconditions: misuse is an error and changes nothing;
//! - §5.6 tape writes: blocks zero-padded to the block size; the first ENOSPC of a write
//!   retried as LEOM (setting `is_eom`) when LEOM is on; a second one, or any with LEOM off,
//!   is WRITE_FAILED with `is_eom` and nothing written; a failed header or label write is a
//!   device error; `device_in_error` (DEVICE_ERROR alone) refuses further work;
//! - testbed.md mhvtl and the OS tape drivers: a block ending inside the early-warning zone
//!   is written and signalled (Linux `st`: ENOSPC on the next write, then alternating; BSD:
//!   one empty write on entering the zone); a block past the capacity is refused.
//!
//! Drive it with [`run_step`]: it applies one [`Step`] to the model and to the drive and
//! returns a [`Mismatch`] when the drive's result or state differs from the model's.
//! There are no faults here (they are checked by placement instead): the model is the
//! healthy drive.

use serde::{Deserialize, Serialize};

use crate::device::{
    AccessMode, Device, DeviceError, DeviceState, Property, ReadResult, SeekResult, StatusFlags,
    WriteResult,
};
use crate::sim::{EarlyWarningStyle, SimConfig, SimDrive, Volume, VolumeSpec};

const TS: &str = "20240101000000";
const DEVICE_ERROR: u8 = 1;
const VOLUME_MISSING: u8 = 1 << 2;
const VOLUME_UNLABELED: u8 = 1 << 3;
const VOLUME_ERROR: u8 = 1 << 4;

/// The drive and volume a model run uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Block size (at least 49 bytes, so that the TAPESTART label of `VOL` fits).
    pub block_size: usize,
    /// Volume capacity in bytes.
    pub capacity: u64,
    /// Early-warning zone in bytes (at most the capacity).
    pub early_warning: u64,
    /// BSD early-warning style instead of Linux `st`.
    pub bsd: bool,
    /// Initial `LEOM` property.
    pub leom: bool,
}

impl ModelConfig {
    /// A drive and blank volume `VOL-1` matching this configuration.
    pub fn drive(&self) -> SimDrive {
        let config = SimConfig {
            block_size: self.block_size,
            min_block_size: 1,
            leom: self.leom,
            early_warning: if self.bsd {
                EarlyWarningStyle::Bsd
            } else {
                EarlyWarningStyle::Linux
            },
            ..SimConfig::default()
        };
        let mut d = SimDrive::new("tape0", config, vec![]);
        let spec = VolumeSpec::with_early_warning(self.capacity, self.early_warning);
        // A new drive is empty, online and not started: the load cannot be refused.
        let _ = d.load(Volume::blank("VOL-1", spec));
        d
    }
}

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
    /// otherwise it does nothing).
    Reload,
    /// `SimDrive::reset` (Amanda's `device_reset`).
    Reset,
    /// `set_property(LEOM)`.
    SetLeom {
        /// The new value.
        on: bool,
    },
}

/// What the model says a step returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A misuse error (or `DEVICE_BUSY` from `read_label`) and no state change.
    Misuse,
    /// Success without a value.
    Ok,
    /// A non-misuse error.
    Err,
    /// `read_label`'s status bits.
    Status(u8),
    /// `start_file`'s file number.
    File(u32),
    /// `write_block`'s result.
    Write(WriteResult),
    /// `seek_file`: the file reached and whether it is the end of tape.
    Seek(u32, bool),
    /// `read_block` data.
    Block(Vec<u8>),
    /// `read_block` end of file.
    Eof,
}

/// A difference between the drive and the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{step:?}: {what}")]
pub struct Mismatch {
    /// The step after which it showed.
    pub step: Step,
    /// What differs, expected vs got.
    pub what: String,
}

/// The reference model: a tape of files of padded blocks plus Amanda's device fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    config: ModelConfig,
    bs: usize,
    capacity: u64,
    ew_start: u64,
    bsd: bool,
    leom: bool,
    loaded: bool,
    label: Option<String>,
    /// `files[0]` is the label file; data files hold padded blocks.
    files: Vec<Vec<Vec<u8>>>,
    closed: Vec<bool>,
    used: u64,
    armed: bool,
    signalled: bool,
    mode: AccessMode,
    in_file: bool,
    file: u32,
    block: u64,
    is_eom: bool,
    /// `is_eom` was set since the last start (for the zone check).
    eom_here: bool,
    is_eof: bool,
    short: bool,
    status: u8,
    volume_label: Option<String>,
    expect: Expect,
}

impl Model {
    /// A model of [`ModelConfig::drive`].
    pub fn new(c: &ModelConfig) -> Model {
        let capacity = c.capacity;
        Model {
            config: *c,
            bs: c.block_size,
            capacity,
            ew_start: capacity - c.early_warning.min(capacity),
            bsd: c.bsd,
            leom: c.leom,
            loaded: true,
            label: None,
            files: Vec::new(),
            closed: Vec::new(),
            used: 0,
            armed: false,
            signalled: false,
            mode: AccessMode::Null,
            in_file: false,
            file: 0,
            block: 0,
            is_eom: false,
            eom_here: false,
            is_eof: false,
            short: false,
            status: 0,
            volume_label: None,
            expect: Expect::Ok,
        }
    }

    /// The configuration the model was made from.
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The block size.
    pub fn block_size(&self) -> usize {
        self.bs
    }

    /// True while the volume is in the drive (false after an eject).
    pub fn loaded(&self) -> bool {
        self.loaded
    }

    /// The access mode.
    pub fn mode(&self) -> AccessMode {
        self.mode
    }

    /// True while a file is open.
    pub fn in_file(&self) -> bool {
        self.in_file
    }

    /// Files on the volume, the label included.
    pub fn file_count(&self) -> u32 {
        self.files.len() as u32
    }

    /// What the last step returns.
    pub fn expected(&self) -> &Expect {
        &self.expect
    }

    fn in_error(&self) -> bool {
        self.status == DEVICE_ERROR
    }

    /// One write attempt of one block at the end of the data.
    fn attempt(&mut self) -> bool {
        let bs = self.bs as u64;
        if !self.bsd && self.armed {
            self.armed = false;
            return false;
        }
        if self.used + bs > self.capacity {
            return false;
        }
        if self.used + bs > self.ew_start {
            if self.bsd {
                if !self.signalled {
                    self.signalled = true;
                    return false;
                }
            } else {
                self.armed = true;
            }
        }
        self.used += bs;
        true
    }

    /// Amanda's robust write: retry the first ENOSPC once when LEOM is on.
    fn robust(&mut self) -> bool {
        if self.attempt() {
            return true;
        }
        if !self.leom {
            return false;
        }
        self.is_eom = true;
        self.eom_here = true;
        self.attempt()
    }

    fn misuse(&mut self) {
        self.expect = Expect::Misuse;
    }

    /// Applies one step to the model (the expectation is then [`Model::expected`]).
    pub fn step(&mut self, step: &Step) {
        let writable = matches!(self.mode, AccessMode::Write | AccessMode::Append);
        match *step {
            Step::ReadLabel => {
                if self.mode != AccessMode::Null {
                    {
                        self.misuse();
                        return;
                    }
                }
                if !self.in_error() {
                    self.status = if !self.loaded {
                        VOLUME_MISSING
                    } else if self.label.is_none() {
                        VOLUME_UNLABELED
                    } else {
                        0
                    };
                    self.volume_label = if self.status == 0 {
                        self.label.clone()
                    } else {
                        None
                    };
                }
                self.expect = Expect::Status(self.status);
            }
            Step::Start { mode } => {
                if self.mode != AccessMode::Null || mode == AccessMode::Null {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return;
                }
                // §5.6 / device.c: start leaves is_eom and is_eof alone (only
                // device_reset clears is_eom); the drive rewinds.
                self.armed = false;
                self.signalled = false;
                self.eom_here = false;
                if mode == AccessMode::Write {
                    self.label = None;
                    self.files.clear();
                    self.closed.clear();
                    self.used = 0;
                    if !self.robust() {
                        self.is_eom = true;
                        self.eom_here = true;
                        self.status |= DEVICE_ERROR;
                        return;
                    }
                    self.label = Some("VOL".into());
                    self.files.push(Vec::new());
                    self.closed.push(true);
                    self.file = 0;
                } else {
                    if self.label.is_none() {
                        self.volume_label = None;
                        self.status |= VOLUME_UNLABELED;
                        return;
                    }
                    self.file = if mode == AccessMode::Append {
                        if let Some(c) = self.closed.last_mut() {
                            *c = true;
                        }
                        self.files.len() as u32 - 1
                    } else {
                        0
                    };
                }
                self.volume_label = self.label.clone();
                self.mode = mode;
                self.in_file = false;
                self.block = 0;
                self.short = false;
                self.status = 0;
                self.expect = Expect::Ok;
            }
            Step::StartFile => {
                if !writable || self.in_file {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return;
                }
                let n = self.file as usize + 1;
                self.files.truncate(n);
                self.closed.truncate(n);
                self.used = self.recount();
                if !self.loaded {
                    self.status |= DEVICE_ERROR;
                    return;
                }
                if !self.robust() {
                    self.is_eom = true;
                    self.eom_here = true;
                    self.status |= DEVICE_ERROR;
                    return;
                }
                self.files.push(Vec::new());
                self.closed.push(false);
                self.file += 1;
                self.block = 0;
                self.in_file = true;
                self.short = false;
                self.expect = Expect::File(self.file);
            }
            Step::Write { len, fill } => {
                if !writable || !self.in_file || self.short || len == 0 || len > self.bs {
                    {
                        self.misuse();
                        return;
                    }
                }
                if len < self.bs {
                    self.short = true;
                }
                self.expect = Expect::Write(WriteResult::Failed);
                if self.in_error() {
                    return;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return;
                }
                if !self.robust() {
                    self.is_eom = true;
                    self.eom_here = true;
                    self.status |= VOLUME_ERROR;
                    return;
                }
                let mut data = vec![fill; len];
                data.resize(self.bs, 0);
                if let Some(f) = self.files.last_mut() {
                    f.push(data);
                }
                self.block += 1;
                self.expect = Expect::Write(WriteResult::Success);
            }
            Step::FinishFile => {
                if !writable || !self.in_file {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.finish_file();
            }
            Step::Finish => {
                self.expect = Expect::Ok;
                if self.mode == AccessMode::Null {
                    return;
                }
                if writable && self.in_file {
                    self.finish_file();
                }
                self.mode = AccessMode::Null;
                self.in_file = false;
            }
            Step::SeekFile { file: n } => {
                if self.mode == AccessMode::Null || (n != 0 && self.mode != AccessMode::Read) {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return;
                }
                let count = self.files.len() as u32;
                if self.mode != AccessMode::Read {
                    self.expect = Expect::Seek(0, false);
                    return;
                }
                self.is_eof = false;
                self.block = 0;
                self.in_file = false;
                if n < count {
                    self.file = n;
                    self.in_file = true;
                    self.expect = Expect::Seek(n, false);
                } else if n == count {
                    self.file = n;
                    self.expect = Expect::Seek(n, true);
                } else {
                    self.status |= VOLUME_ERROR | DEVICE_ERROR;
                }
            }
            Step::SeekBlock { block: b } => {
                if self.mode != AccessMode::Read || !self.in_file {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return;
                }
                self.block = b;
                self.is_eof = false;
                self.expect = Expect::Ok;
            }
            Step::Read => {
                if self.mode != AccessMode::Read {
                    {
                        self.misuse();
                        return;
                    }
                }
                self.expect = Expect::Err;
                if self.in_error() {
                    return;
                }
                if !self.in_file {
                    self.is_eof = true;
                    self.expect = Expect::Eof;
                    return;
                }
                if !self.loaded {
                    self.status |= VOLUME_MISSING;
                    return;
                }
                let data = self
                    .files
                    .get(self.file as usize)
                    .and_then(|f| f.get(self.block as usize))
                    .cloned();
                match data {
                    Some(d) => {
                        self.block += 1;
                        self.expect = Expect::Block(d);
                    }
                    None => {
                        self.is_eof = true;
                        self.in_file = false;
                        self.expect = Expect::Eof;
                    }
                }
            }
            Step::Eject => {
                if self.mode != AccessMode::Null {
                    {
                        self.misuse();
                        return;
                    }
                }
                if self.loaded {
                    self.loaded = false;
                    self.volume_label = None;
                    self.status |= VOLUME_MISSING;
                }
                self.expect = Expect::Ok;
            }
            Step::Reload => {
                self.expect = Expect::Ok;
                if self.loaded || self.mode != AccessMode::Null {
                    return;
                }
                self.loaded = true;
                self.armed = false;
                self.signalled = false;
                self.in_file = false;
                self.file = 0;
                self.block = 0;
                self.is_eom = false;
                self.is_eof = false;
                self.short = false;
                self.status = 0;
                self.volume_label = None;
                self.expect = Expect::Ok;
            }
            Step::Reset => {
                self.status = if self.loaded { 0 } else { VOLUME_MISSING };
                self.is_eom = false;
                self.expect = Expect::Ok;
            }
            Step::SetLeom { on } => {
                self.leom = on;
                self.expect = Expect::Ok;
            }
        }
    }

    fn finish_file(&mut self) {
        self.in_file = false;
        self.expect = Expect::Err;
        if self.in_error() {
            return;
        }
        if !self.loaded {
            self.is_eom = true;
            self.eom_here = true;
            self.status |= DEVICE_ERROR | VOLUME_ERROR;
            return;
        }
        if let Some(c) = self.closed.last_mut() {
            *c = true;
        }
        self.expect = Expect::Ok;
    }

    /// Medium used by the files kept: one block for the label, one per header and data block.
    fn recount(&self) -> u64 {
        let blocks: u64 = self
            .files
            .iter()
            .enumerate()
            .map(|(i, f)| if i == 0 { 1 } else { 1 + f.len() as u64 })
            .sum();
        blocks * self.bs as u64
    }
}

/// Runs `step` on the drive and returns what it gave, in the model's terms.
pub fn apply_to_drive(d: &mut SimDrive, step: &Step) -> Result<Expect, DeviceError> {
    let mut buf = vec![0u8; d.properties().block_size];
    match *step {
        Step::ReadLabel => d.read_label().map(|s| Expect::Status(s.bits())),
        Step::Start { mode } => d.start(mode, Some("VOL"), Some(TS)).map(|()| Expect::Ok),
        Step::StartFile => d.start_file(b"AMANDA: FILE").map(Expect::File),
        Step::Write { len, fill } => d.write_block(&vec![fill; len]).map(Expect::Write),
        Step::FinishFile => d.finish_file().map(|()| Expect::Ok),
        Step::Finish => d.finish().map(|()| Expect::Ok),
        Step::SeekFile { file } => d.seek_file(file).map(|r| match r {
            SeekResult::File { file, .. } => Expect::Seek(file, false),
            SeekResult::TapeEnd { file } => Expect::Seek(file, true),
        }),
        Step::SeekBlock { block } => d.seek_block(block).map(|()| Expect::Ok),
        Step::Read => d.read_block(&mut buf).map(|r| match r {
            ReadResult::Block(n) => Expect::Block(buf[..n].to_vec()),
            ReadResult::Eof => Expect::Eof,
        }),
        Step::Eject => d.eject().map(|()| Expect::Ok),
        Step::Reload => {
            if d.volume().is_some() || d.state().access_mode != AccessMode::Null {
                return Ok(Expect::Ok);
            }
            match d.take_volume() {
                Some(v) => d.load(v).map(|()| Expect::Ok).map_err(|e| e.error),
                None => Ok(Expect::Ok),
            }
        }
        Step::Reset => {
            d.reset();
            Ok(Expect::Ok)
        }
        Step::SetLeom { on } => d.set_property(Property::Leom(on)).map(|()| Expect::Ok),
    }
}

fn mismatch(step: &Step, what: String) -> Mismatch {
    Mismatch {
        step: step.clone(),
        what,
    }
}

/// Checks the drive's answer to `step` (`got`, with the state `before` it) against the
/// model, which must already have taken the step, then checks the whole state.
pub fn check_step(
    d: &SimDrive,
    m: &Model,
    step: &Step,
    before: &DeviceState,
    got: Result<Expect, DeviceError>,
) -> Result<(), Mismatch> {
    match (&m.expect, got) {
        (Expect::Misuse, Ok(Expect::Status(s))) if matches!(step, Step::ReadLabel) => {
            if s != StatusFlags::DEVICE_BUSY.bits() {
                return Err(mismatch(
                    step,
                    format!("misuse: status {s:#x}, want DEVICE_BUSY"),
                ));
            }
            if d.state() != before {
                return Err(mismatch(step, "misuse changed the state".into()));
            }
        }
        (Expect::Misuse, Err(e)) => {
            if !e.is_misuse() {
                return Err(mismatch(step, format!("want misuse, got {e}")));
            }
            if d.state() != before {
                return Err(mismatch(step, "misuse changed the state".into()));
            }
        }
        (Expect::Err, Err(e)) if !e.is_misuse() => {}
        (want, Ok(got)) if &got == want => {}
        (want, got) => return Err(mismatch(step, format!("want {want:?}, got {got:?}"))),
    }
    check_state(d, m).map_err(|what| mismatch(step, what))
}

/// Applies `step` to the model and to the drive and compares them.
pub fn run_step(d: &mut SimDrive, m: &mut Model, step: &Step) -> Result<(), Mismatch> {
    if matches!(step, Step::Reload) && (m.loaded || m.mode != AccessMode::Null) {
        // Not meaningful here: both sides ignore it.
        return Ok(());
    }
    let before = d.state().clone();
    m.step(step);
    let got = apply_to_drive(d, step);
    check_step(d, m, step, &before, got)
}

fn check_state(d: &SimDrive, m: &Model) -> Result<(), String> {
    let s = d.state();
    let fields = [
        (
            "mode",
            format!("{:?}", s.access_mode),
            format!("{:?}", m.mode),
        ),
        ("in_file", s.in_file.to_string(), m.in_file.to_string()),
        ("file", s.file.to_string(), m.file.to_string()),
        ("block", s.block.to_string(), m.block.to_string()),
        ("is_eom", s.is_eom.to_string(), m.is_eom.to_string()),
        ("is_eof", s.is_eof.to_string(), m.is_eof.to_string()),
        (
            "wrote_short_block",
            s.wrote_short_block.to_string(),
            m.short.to_string(),
        ),
        ("status", s.status.bits().to_string(), m.status.to_string()),
        (
            "volume_label",
            format!("{:?}", s.volume_label),
            format!("{:?}", m.volume_label),
        ),
    ];
    for (name, got, want) in fields {
        if got != want {
            return Err(format!("{name}: drive {got}, model {want}"));
        }
    }
    // The medium holds exactly the blocks reported written, never more than fits.
    let vol = d
        .volume()
        .or(d.ejected())
        .ok_or("the volume left the drive")?;
    if vol.used() > m.capacity || vol.used() != m.used {
        return Err(format!(
            "medium used: drive {}, model {}",
            vol.used(),
            m.used
        ));
    }
    if vol.file_count() as usize != m.files.len() {
        return Err(format!(
            "files: drive {}, model {}",
            vol.file_count(),
            m.files.len()
        ));
    }
    for (i, f) in m.files.iter().enumerate().skip(1) {
        let got = vol.file(i as u32).ok_or(format!("file {i} missing"))?;
        if got.data_blocks() as usize != f.len() || got.data() != f.concat() {
            return Err(format!("data of file {i} differs"));
        }
        if got.is_closed() != m.closed[i] {
            return Err(format!("filemark of file {i}: drive {}", got.is_closed()));
        }
    }
    // End of medium is only ever flagged once the next block would end in the zone.
    if m.eom_here && s.access_mode != AccessMode::Null && m.used + m.bs as u64 <= m.ew_start {
        return Err("EOM flagged outside the early-warning zone".into());
    }
    Ok(())
}

/// A random [`ModelConfig`] for a fuzz case; `rand(n)` must return a number in `0..n`
/// (the caller's seeded generator).
pub fn choose_config(rand: &mut dyn FnMut(u32) -> u32) -> ModelConfig {
    let block_size = [64usize, 96, 128][rand(3) as usize % 3];
    let bs = block_size as u64;
    let capacity = (2 + u64::from(rand(38))) * bs + u64::from(rand(block_size as u32));
    let early_warning = (u64::from(rand(20)) * bs + u64::from(rand(5))).min(capacity);
    ModelConfig {
        block_size,
        capacity,
        early_warning,
        bsd: rand(2) == 1,
        leom: rand(2) == 1,
    }
}

/// A random next step for `model`, weighted by its state so that runs write files and read
/// them back, with a steady share of misuse; `rand(n)` must return a number in `0..n`.
pub fn choose_step(model: &Model, rand: &mut dyn FnMut(u32) -> u32) -> Step {
    let bs = model.block_size();
    let any = |rand: &mut dyn FnMut(u32) -> u32| -> Step {
        let modes = [
            AccessMode::Write,
            AccessMode::Append,
            AccessMode::Read,
            AccessMode::Null,
        ];
        match rand(16) {
            0 => Step::ReadLabel,
            1..=4 => Step::Start {
                mode: modes[rand(4) as usize % 4],
            },
            5 => Step::StartFile,
            6 => Step::FinishFile,
            7 => Step::Finish,
            8 => Step::SeekFile { file: rand(6) },
            9 => Step::SeekBlock {
                block: u64::from(rand(6)),
            },
            10 => Step::Read,
            11 => Step::Eject,
            12 => Step::Reload,
            13 => Step::Reset,
            14 => Step::SetLeom { on: rand(2) == 1 },
            _ => Step::Write {
                len: rand(bs as u32 + 2) as usize,
                fill: rand(256) as u8,
            },
        }
    };
    let roll = rand(100);
    match (model.mode(), model.in_file()) {
        (AccessMode::Null, _) => match roll {
            0..=18 => Step::Start {
                mode: AccessMode::Write,
            },
            19..=36 => Step::Start {
                mode: AccessMode::Append,
            },
            37..=72 => Step::Start {
                mode: AccessMode::Read,
            },
            _ => any(rand),
        },
        (AccessMode::Read, _) => match roll {
            0..=21 => Step::SeekFile {
                file: rand(model.file_count() + 2),
            },
            22..=87 => Step::Read,
            88..=92 => Step::SeekBlock {
                block: u64::from(rand(6)),
            },
            93..=96 => Step::Finish,
            _ => any(rand),
        },
        (_, false) => match roll {
            0..=65 => Step::StartFile,
            66..=87 => Step::Finish,
            _ => any(rand),
        },
        (_, true) => match roll {
            0..=62 => Step::Write {
                len: bs,
                fill: rand(256) as u8,
            },
            63..=79 => Step::Write {
                len: rand(bs as u32 + 2) as usize,
                fill: rand(256) as u8,
            },
            80..=88 => Step::FinishFile,
            89..=93 => Step::Finish,
            _ => any(rand),
        },
    }
}
