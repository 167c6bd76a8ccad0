//! A simulated tape drive: in memory, deterministic, with injectable faults.
//!
//! [`SimDrive`] implements [`Device`] with the semantics of Amanda's tape device over a
//! Linux `st` drive backed by mhvtl (references: amanda.md §5.6, testbed.md "mhvtl"):
//!
//! - Every block is written whole: a short last block is zero-padded to the block size.
//!   File headers and the TAPESTART label take one block each; filemarks take no space.
//! - End of medium, in three zones. A block that would end past the capacity is refused
//!   (ENOSPC, nothing written). A block ending inside the early-warning zone is written and
//!   the drive signals the early warning as [`EarlyWarningStyle`] says: Linux `st` returns
//!   ENOSPC (nothing written) on the next write, then alternates success and ENOSPC; BSD
//!   and Solaris return one empty write at the first write into the zone.
//! - Amanda's `robust_write`: the first ENOSPC of a write, when `LEOM` is on, sets
//!   `is_eom` and retries; a second ENOSPC, or any ENOSPC with `LEOM` off, is
//!   "No space left on device": the write returns [`WriteResult::Failed`] with `is_eom`.
//!   A tape drive never returns `Space` or `Full`.
//! - A media write error (EIO) is taken as end of tape (`Failed`, `is_eom`), as Amanda does;
//!   a short write is a device error (`Failed`, `DEVICE_ERROR`, then every write fails).
//! - Optional compression: with the `COMPRESSION` property on, a block takes
//!   `len * 100 / compression_percent` bytes of medium (rounded up).
//!
//! - `start` rewinds the drive but, like `tape_device_start`, leaves `is_eom` and `is_eof`
//!   alone; [`SimDrive::reset`] (Amanda's `device_reset`) or loading a volume clears them.
//!   A failed label or header write sets `DEVICE_ERROR`, and while it is the only status flag
//!   (`device_in_error`) the drive refuses to start, start files, seek or read, and fails
//!   every write, until it is reset or a volume is loaded.
//!
//! Faults ([`TapeFault`]) are data passed to [`SimDrive::new`]; each fires once where it is
//! placed and is recorded in [`SimDrive::faults`] and in the event trace.
//! There are no clocks and no threads: the same calls give the same trace.
//!
//! Simplifications, all deliberate: mhvtl's programmable early-warning zone is not modelled;
//! `seek_file(0)` in WRITE/APPEND mode returns the label block without moving;
//! `read_block` outside a file returns end of file; a failed read does not move the
//! position; faults are placed on data blocks (and label reads), not on header blocks.

mod fault;
mod label;
pub mod reference;
mod volume;

pub use fault::{FaultState, TapeFault};
pub use label::{build_tapestart, parse_tapestart};
pub use volume::{MHVTL_EARLY_WARNING, TapeFile, Volume, VolumeSpec};

use fault::Access;

use crate::header::HeaderError;

use crate::device::{
    AccessMode, DEFAULT_BLOCK_SIZE, Device, DeviceCore, DeviceError, DeviceEvent, DeviceState,
    EventKind, Misuse, Op, Properties, Property, ReadResult, SeekResult, StatusFlags, WriteResult,
};

/// Amanda's `LARGEST_BLOCK_ESTIMATE` (tape-device.c): the default maximum block size, 16 MiB.
pub const LARGEST_BLOCK_ESTIMATE: usize = 16 * 1024 * 1024;

/// How the drive signals the early warning (the OS tape driver's convention).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum EarlyWarningStyle {
    /// Linux `st`: the block that enters the zone is written; the next write returns
    /// ENOSPC with nothing written; later writes alternate success and ENOSPC.
    #[default]
    Linux,
    /// FreeBSD/Solaris: the first write into the zone returns 0 bytes (nothing written);
    /// later writes succeed until the physical end.
    Bsd,
}

/// How a simulated drive is built (serde: every field optional, defaults as [`Default`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Initial `BLOCK_SIZE` (Amanda's tape default: 32 KiB).
    pub block_size: usize,
    /// `MIN_BLOCK_SIZE` (Amanda's tape default: 32 KiB; tests may lower it).
    pub min_block_size: usize,
    /// `MAX_BLOCK_SIZE` (Amanda's tape default: [`LARGEST_BLOCK_ESTIMATE`]).
    pub max_block_size: usize,
    /// Initial `LEOM` property (Amanda's tape default: off).
    pub leom: bool,
    /// How the early warning is signalled.
    pub early_warning: EarlyWarningStyle,
    /// Compression ratio in percent used while `COMPRESSION` is on (200 = 2:1);
    /// 0 is taken as 100.
    pub compression_percent: u32,
}

impl Default for SimConfig {
    /// Amanda's tape-device defaults: 32 KiB blocks, LEOM off, Linux `st`, no compression.
    fn default() -> Self {
        SimConfig {
            block_size: DEFAULT_BLOCK_SIZE,
            min_block_size: DEFAULT_BLOCK_SIZE,
            max_block_size: LARGEST_BLOCK_ESTIMATE,
            leom: false,
            early_warning: EarlyWarningStyle::Linux,
            compression_percent: 100,
        }
    }
}

impl SimConfig {
    /// Tape defaults with LEOM detection on.
    pub fn with_leom() -> SimConfig {
        SimConfig {
            leom: true,
            ..SimConfig::default()
        }
    }
}

/// A volume the drive refused to load, handed back with the reason.
#[derive(Debug, thiserror::Error)]
#[error("{error}")]
pub struct LoadError {
    /// Why the volume was refused.
    pub error: DeviceError,
    /// The volume, unchanged.
    pub volume: Box<Volume>,
}

/// The outcome of one physical write attempt.
enum Attempt {
    Written,
    NoSpace,
    Eio,
    Short(usize),
    Offline,
    Missing,
}

/// The outcome of Amanda's `tape_device_robust_write`.
enum IoResult {
    Success,
    NoSpace,
    Eio,
    Error(DeviceError),
}

/// What a robust write is writing (decides how the data is recorded).
#[derive(Clone, Copy)]
enum Record {
    Label,
    Header,
    Data { file: u32, block: u64 },
}

/// A simulated tape drive; see the module docs for its semantics.
#[derive(Debug)]
pub struct SimDrive {
    core: DeviceCore,
    compression_percent: u32,
    style: EarlyWarningStyle,
    volume: Option<Volume>,
    ejected: Option<Volume>,
    offline: bool,
    /// Linux `st`: the next write returns ENOSPC.
    ew_armed: bool,
    /// BSD: the early warning was already signalled since the last rewind.
    ew_signalled: bool,
    faults: FaultState,
}

impl SimDrive {
    /// An empty drive named `name` (used in events and errors) with its faults.
    pub fn new(name: impl Into<String>, config: SimConfig, faults: Vec<TapeFault>) -> SimDrive {
        let mut props = Properties::tape(config.max_block_size);
        props.min_block_size = config.min_block_size;
        props.block_size = config.block_size;
        props.leom = config.leom;
        let state = DeviceState {
            status: StatusFlags::VOLUME_MISSING,
            ..DeviceState::default()
        };
        SimDrive {
            core: DeviceCore::new(name, props, state),
            compression_percent: if config.compression_percent == 0 {
                100
            } else {
                config.compression_percent
            },
            style: config.early_warning,
            volume: None,
            ejected: None,
            offline: false,
            ew_armed: false,
            ew_signalled: false,
            faults: FaultState::new(faults),
        }
    }

    /// Puts `volume` in the drive (only when the drive is empty, not started and online).
    /// A load is a fresh start: status, label and end-of-medium flags are cleared.
    pub fn load(&mut self, volume: Volume) -> Result<(), LoadError> {
        let refused = if self.core.state.access_mode != AccessMode::Null {
            Some(DeviceError::from(Misuse::WrongMode {
                op: Op::Load,
                mode: self.core.state.access_mode,
            }))
        } else if self.offline {
            Some(self.offline_error())
        } else if self.volume.is_some() || self.ejected.is_some() {
            Some(DeviceError::from(Misuse::WrongMode {
                op: Op::Load,
                mode: self.core.state.access_mode,
            }))
        } else {
            None
        };
        if let Some(error) = refused {
            self.core.event(EventKind::Error {
                op: Op::Load,
                message: error.to_string(),
            });
            return Err(LoadError {
                error,
                volume: Box::new(volume),
            });
        }
        let label = volume.amanda_label().map(|(l, _)| l);
        self.volume = Some(volume);
        self.core.state = DeviceState::default();
        self.ew_armed = false;
        self.ew_signalled = false;
        self.core.clear_last_error();
        self.core.event(EventKind::Load { label });
        Ok(())
    }

    /// Takes the volume out of the drive: the ejected one, or the loaded one when the
    /// drive is not started. `None` when the drive is empty or started.
    pub fn take_volume(&mut self) -> Option<Volume> {
        if let Some(v) = self.ejected.take() {
            return Some(v);
        }
        if self.core.state.access_mode != AccessMode::Null {
            return None;
        }
        let v = self.volume.take()?;
        self.forget_volume();
        Some(v)
    }

    /// Amanda's `device_reset`: status back to `SUCCESS` (`VOLUME_MISSING` in an empty
    /// drive), `is_eom` cleared, last error forgotten. Nothing else changes.
    pub fn reset(&mut self) {
        self.core.state.status = if self.volume.is_some() {
            StatusFlags::SUCCESS
        } else {
            StatusFlags::VOLUME_MISSING
        };
        self.core.state.is_eom = false;
        self.core.clear_last_error();
    }

    /// The loaded volume.
    pub fn volume(&self) -> Option<&Volume> {
        self.volume.as_ref()
    }

    /// The volume waiting in the drive's mouth after an eject.
    pub fn ejected(&self) -> Option<&Volume> {
        self.ejected.as_ref()
    }

    /// True once an `Offline` fault fired.
    pub fn is_offline(&self) -> bool {
        self.offline
    }

    /// The faults, pending and fired.
    pub fn faults(&self) -> &FaultState {
        &self.faults
    }

    /// Records a changer action in this drive's trace.
    pub fn record_changer(&mut self, action: String) {
        self.core.event(EventKind::Changer { action });
    }

    fn offline_error(&self) -> DeviceError {
        DeviceError::Offline {
            device: self.core.name().to_owned(),
        }
    }

    fn missing_error(&self) -> DeviceError {
        DeviceError::VolumeMissing {
            device: self.core.name().to_owned(),
        }
    }

    fn forget_volume(&mut self) {
        self.core.state.volume_label = None;
        self.core.state.volume_time = None;
        self.core.state.status.insert(StatusFlags::VOLUME_MISSING);
    }

    /// `Err` when the drive cannot do anything: offline or no volume.
    fn ready(&self) -> Result<(), DeviceError> {
        if self.offline {
            return Err(self.offline_error());
        }
        if self.volume.is_none() {
            return Err(self.missing_error());
        }
        Ok(())
    }

    fn cost(&self, len: usize) -> u64 {
        let len = len as u64;
        if self.core.props.compression {
            (len * 100).div_ceil(u64::from(self.compression_percent))
        } else {
            len
        }
    }

    fn barcode(&self) -> String {
        self.volume
            .as_ref()
            .map(|v| v.barcode().to_string())
            .unwrap_or_default()
    }

    /// One physical write of `len` bytes (the drive plus the OS driver's early warning).
    /// Faults are looked up on the first attempt of a write only (`retry` false).
    fn attempt(&mut self, len: usize, record: Record, retry: bool) -> Attempt {
        if self.offline {
            return Attempt::Offline;
        }
        let Some(barcode) = self.volume.as_ref().map(|v| v.barcode().to_string()) else {
            return Attempt::Missing;
        };
        if let Record::Data { file, block } = record
            && !retry
            && let Some(fault) = self.faults.take_at(Access::Write, &barcode, file, block)
        {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
            match fault {
                TapeFault::WriteError { .. } => return Attempt::Eio,
                TapeFault::ShortWrite { written, .. } => {
                    return Attempt::Short(written.clamp(1, len.saturating_sub(1).max(1)));
                }
                TapeFault::Offline { .. } => {
                    self.offline = true;
                    return Attempt::Offline;
                }
                TapeFault::Ejected { .. } => {
                    self.eject_now();
                    return Attempt::Missing;
                }
                TapeFault::EarlyWarning { .. } => return Attempt::NoSpace,
                TapeFault::EndOfMedium { .. } => {
                    if let Some(v) = self.volume.as_mut() {
                        v.end_medium_here();
                    }
                }
                TapeFault::ReadError { .. }
                | TapeFault::CorruptRead { .. }
                | TapeFault::LabelUnreadable { .. } => {}
            }
        }
        let cost = self.cost(len);
        let Some(v) = self.volume.as_ref() else {
            return Attempt::Missing;
        };
        let (used, spec) = (v.used(), v.spec());
        if self.style == EarlyWarningStyle::Linux && self.ew_armed {
            self.ew_armed = false;
            return Attempt::NoSpace;
        }
        if used + cost > spec.capacity {
            return Attempt::NoSpace;
        }
        if used + cost > spec.early_warning_start() {
            match self.style {
                EarlyWarningStyle::Linux => self.ew_armed = true,
                EarlyWarningStyle::Bsd if !self.ew_signalled => {
                    self.ew_signalled = true;
                    return Attempt::NoSpace;
                }
                EarlyWarningStyle::Bsd => {}
            }
        }
        Attempt::Written
    }

    /// Amanda's `tape_device_robust_write`, recording the data when it is written.
    /// Returns the result and whether the LEOM early warning was taken and retried.
    fn robust_write(&mut self, data: Vec<u8>, record: Record) -> (IoResult, bool) {
        let mut retried = false;
        // At most two attempts: the first ENOSPC is retried once when LEOM is on.
        for _ in 0..2 {
            match self.attempt(data.len(), record, retried) {
                Attempt::Written => {
                    let cost = self.cost(data.len());
                    if let Some(v) = self.volume.as_mut() {
                        match record {
                            Record::Label | Record::Header => v.push_file(data, cost),
                            Record::Data { .. } => v.push_block(data, cost),
                        }
                        if let Record::Label = record {
                            v.close_last();
                        }
                    }
                    return (IoResult::Success, retried);
                }
                Attempt::NoSpace if !retried && self.core.props.leom => {
                    retried = true;
                    self.core.state.is_eom = true;
                }
                Attempt::NoSpace => return (IoResult::NoSpace, retried),
                Attempt::Eio => return (IoResult::Eio, retried),
                Attempt::Short(n) => {
                    let cost = self.cost(n);
                    if let Some(v) = self.volume.as_mut() {
                        v.push_block(data[..n.min(data.len())].to_vec(), cost);
                    }
                    let (file, block) = match record {
                        Record::Data { file, block } => (file, block),
                        _ => (self.core.state.file, 0),
                    };
                    let e = DeviceError::ShortWrite {
                        device: self.core.name().to_owned(),
                        file,
                        block,
                        tried: data.len(),
                        wrote: n,
                    };
                    return (IoResult::Error(e), retried);
                }
                Attempt::Offline => return (IoResult::Error(self.offline_error()), retried),
                Attempt::Missing => return (IoResult::Error(self.missing_error()), retried),
            }
        }
        (IoResult::NoSpace, retried)
    }

    fn eject_now(&mut self) {
        if let Some(v) = self.volume.take() {
            self.ejected = Some(v);
        }
        self.forget_volume();
    }

    fn read_label_inner(&mut self) -> Result<(String, String), DeviceError> {
        self.ready()?;
        let barcode = self.barcode();
        if let Some(fault) = self.faults.take_label(&barcode) {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
            return Err(self.core.unlabeled("label block unreadable".to_string()));
        }
        let block = self
            .volume
            .as_ref()
            .and_then(|v| v.file(0))
            .and_then(|f| f.header());
        let parsed = match block {
            None => Err("blank volume".to_string()),
            Some(b) => parse_tapestart(b),
        };
        parsed.map_err(|reason| self.core.unlabeled(reason))
    }

    fn pad(&self, data: &[u8]) -> Vec<u8> {
        let mut block = data.to_vec();
        block.resize(self.core.props.block_size.max(data.len()), 0);
        block
    }
}

impl Device for SimDrive {
    fn name(&self) -> &str {
        self.core.name()
    }

    fn state(&self) -> &DeviceState {
        &self.core.state
    }

    fn properties(&self) -> &Properties {
        &self.core.props
    }

    fn set_property(&mut self, value: Property) -> Result<(), DeviceError> {
        self.core.set_property(value, Ok(()))
    }

    fn header_block_size(&self) -> usize {
        self.core.props.block_size
    }

    fn last_error(&self) -> Option<&DeviceError> {
        self.core.last_error()
    }

    fn read_label(&mut self) -> Result<StatusFlags, DeviceError> {
        let checked = self.core.state.check_read_label();
        self.core.check(Op::ReadLabel, checked)?;
        if self.core.state.status.in_error() {
            return Ok(self.core.state.status);
        }
        let read = self.read_label_inner().map_err(|e| {
            let flags = e.status_flags();
            (e, flags)
        });
        Ok(self.core.record_label(read))
    }

    fn start(
        &mut self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError> {
        let checked = self.core.state.check_start(mode, label, timestamp);
        self.core.check(Op::Start, checked)?;
        let label_block = match (mode, label, timestamp) {
            (AccessMode::Write, Some(l), Some(t)) => {
                match label::tapestart_block(l, t, self.core.props.block_size) {
                    Ok(b) => Some(b),
                    Err(HeaderError::TooLarge { len, max }) => {
                        let m = Misuse::HeaderTooLarge { len, max };
                        return Err(self.core.misuse(Op::Start, m));
                    }
                    Err(e) => {
                        // A label or timestamp no header can carry: refused, nothing changed.
                        self.core.event(EventKind::Error {
                            op: Op::Start,
                            message: e.to_string(),
                        });
                        return Err(DeviceError::Header(e));
                    }
                }
            }
            _ => None,
        };
        self.core.refuse_in_error(Op::Start)?;
        if let Err(e) = self.ready() {
            let flags = e.status_flags();
            return Err(self.core.fail(Op::Start, e, flags));
        }
        // A start rewinds: the drive's early-warning state begins afresh. Amanda's
        // `is_eom`/`is_eof` are left alone (tape_device_start does not touch them; only
        // `device_reset`, i.e. [`SimDrive::reset`] or a new load, clears `is_eom`).
        self.ew_armed = false;
        self.ew_signalled = false;
        match mode {
            AccessMode::Read | AccessMode::Append => {
                let (l, t) = match self.read_label_inner() {
                    Ok(lt) => lt,
                    Err(e) => {
                        self.core.state.volume_label = None;
                        self.core.state.volume_time = None;
                        let flags = e.status_flags();
                        return Err(self.core.fail(Op::Start, e, flags));
                    }
                };
                self.core.state.volume_label = Some(l);
                self.core.state.volume_time = Some(t);
                if mode == AccessMode::Append {
                    let count = self.volume.as_ref().map_or(1, Volume::file_count);
                    if let Some(v) = self.volume.as_mut() {
                        v.close_last();
                    }
                    self.core.state.file = count.saturating_sub(1);
                } else {
                    self.core.state.file = 0;
                }
            }
            AccessMode::Write => {
                if let Some(v) = self.volume.as_mut() {
                    v.truncate_files(0);
                }
                let block = label_block.unwrap_or_default();
                let (result, _) = self.robust_write(block, Record::Label);
                let error = match result {
                    IoResult::Success => None,
                    IoResult::NoSpace | IoResult::Eio => {
                        self.core.state.is_eom = true;
                        Some(
                            self.core
                                .no_space("writing the tapestart header".to_string()),
                        )
                    }
                    IoResult::Error(e) => Some(e),
                };
                if let Some(e) = error {
                    return Err(self.core.fail(Op::Start, e, StatusFlags::DEVICE_ERROR));
                }
                self.core.state.volume_label = label.map(str::to_string);
                self.core.state.volume_time = timestamp.map(str::to_string);
                self.core.state.file = 0;
            }
            AccessMode::Null => {}
        }
        self.core.state.access_mode = mode;
        self.core.state.in_file = false;
        self.core.state.block = 0;
        self.core.state.wrote_short_block = false;
        self.core.state.status = StatusFlags::SUCCESS;
        let label = self.core.state.volume_label.clone();
        self.core.event(EventKind::Start { mode, label });
        Ok(())
    }

    fn start_file(&mut self, header: &[u8]) -> Result<u32, DeviceError> {
        let checked = self
            .core
            .state
            .check_start_file(header.len(), self.core.props.block_size);
        self.core.check(Op::StartFile, checked)?;
        self.core.refuse_in_error(Op::StartFile)?;
        let file = self.core.state.file + 1;
        if let Some(v) = self.volume.as_mut() {
            // Writing at a position erases whatever followed it.
            v.truncate_files(file);
        }
        let block = self.pad(header);
        let (result, _) = self.robust_write(block, Record::Header);
        let error = match result {
            IoResult::Success => None,
            IoResult::NoSpace | IoResult::Eio => {
                self.core.state.is_eom = true;
                Some(
                    self.core
                        .no_space(format!("writing the header of file {file}")),
                )
            }
            IoResult::Error(e) => Some(e),
        };
        if let Some(e) = error {
            // Amanda marks a failed header write as a device error.
            return Err(self.core.fail(Op::StartFile, e, StatusFlags::DEVICE_ERROR));
        }
        self.core.state.file = file;
        self.core.state.block = 0;
        self.core.state.in_file = true;
        self.core.state.bytes_written = 0;
        self.core.state.wrote_short_block = false;
        let eom = self.core.state.is_eom;
        self.core.event(EventKind::StartFile { file, eom });
        Ok(file)
    }

    fn write_block(&mut self, data: &[u8]) -> Result<WriteResult, DeviceError> {
        let block_size = self.core.props.block_size;
        let checked = self.core.state.check_write_block(data.len(), block_size);
        self.core.check(Op::WriteBlock, checked)?;
        if data.len() < block_size {
            self.core.state.wrote_short_block = true;
        }
        let (file, block) = (self.core.state.file, self.core.state.block);
        let trace = |result, leom| EventKind::Write {
            file,
            block,
            len: data.len(),
            result,
            leom,
        };
        if self.core.state.status.in_error() {
            self.core.event(trace(WriteResult::Failed, false));
            return Ok(WriteResult::Failed);
        }
        let padded = self.pad(data);
        let (result, leom) = self.robust_write(padded, Record::Data { file, block });
        let outcome = match result {
            IoResult::Success => {
                self.core.state.block += 1;
                self.core.state.bytes_written += block_size as u64;
                WriteResult::Success
            }
            IoResult::NoSpace => {
                self.core.state.is_eom = true;
                let e = self
                    .core
                    .no_space(format!("writing file {file} block {block}"));
                self.core.event(trace(WriteResult::Failed, leom));
                self.core.fail(Op::WriteBlock, e, StatusFlags::VOLUME_ERROR);
                return Ok(WriteResult::Failed);
            }
            IoResult::Eio => {
                // Amanda: "Got EIO on <dev>, assuming end of tape".
                self.core.state.is_eom = true;
                let e = DeviceError::WriteError {
                    device: self.core.name().to_owned(),
                    file,
                    block,
                };
                self.core.event(trace(WriteResult::Failed, leom));
                self.core.fail(Op::WriteBlock, e, StatusFlags::VOLUME_ERROR);
                return Ok(WriteResult::Failed);
            }
            IoResult::Error(e) => {
                let flags = if matches!(e, DeviceError::VolumeMissing { .. }) {
                    StatusFlags::VOLUME_MISSING
                } else {
                    StatusFlags::DEVICE_ERROR
                };
                self.core.event(trace(WriteResult::Failed, leom));
                self.core.fail(Op::WriteBlock, e, flags);
                return Ok(WriteResult::Failed);
            }
        };
        self.core.event(trace(outcome, leom));
        Ok(outcome)
    }

    fn finish_file(&mut self) -> Result<(), DeviceError> {
        let checked = self.core.state.check_finish_file();
        self.core.check(Op::FinishFile, checked)?;
        self.core.state.in_file = false;
        self.core.refuse_in_error(Op::FinishFile)?;
        if let Err(e) = self.ready() {
            // Amanda: "can't tell if this was EOM or not, so assume it is".
            self.core.state.is_eom = true;
            return Err(self.core.fail(
                Op::FinishFile,
                e,
                StatusFlags::DEVICE_ERROR | StatusFlags::VOLUME_ERROR,
            ));
        }
        if let Some(v) = self.volume.as_mut() {
            v.close_last();
        }
        let (file, blocks) = (self.core.state.file, self.core.state.block);
        self.core.event(EventKind::FinishFile { file, blocks });
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeviceError> {
        if self.core.state.access_mode == AccessMode::Null {
            return Ok(());
        }
        let mut result = Ok(());
        if self.core.state.access_mode.is_writable() && self.core.state.in_file {
            result = self.finish_file();
        }
        self.core.state.access_mode = AccessMode::Null;
        self.core.state.in_file = false;
        self.core.event(EventKind::Finish);
        result
    }

    /// In WRITE/APPEND mode, `seek_file(0)` returns the label block and moves nothing.
    fn seek_file(&mut self, file: u32) -> Result<SeekResult, DeviceError> {
        let checked = self.core.state.check_seek_file(file);
        self.core.check(Op::SeekFile, checked)?;
        self.core.refuse_in_error(Op::SeekFile)?;
        if let Err(e) = self.ready() {
            let flags = e.status_flags();
            return Err(self.core.fail(Op::SeekFile, e, flags));
        }
        let count = self.volume.as_ref().map_or(0, Volume::file_count);
        let header = self
            .volume
            .as_ref()
            .and_then(|v| v.file(file))
            .map(|f| f.header().unwrap_or_default().to_vec());
        if self.core.state.access_mode != AccessMode::Read {
            return match header {
                Some(header) => Ok(SeekResult::File { file, header }),
                None => {
                    let e = self.core.no_such_file(file);
                    Err(self
                        .core
                        .fail(Op::SeekFile, e, StatusFlags::VOLUME_UNLABELED))
                }
            };
        }
        self.core.state.is_eof = false;
        self.core.state.block = 0;
        self.core.state.in_file = false;
        self.core.state.bytes_read = 0;
        match header {
            Some(header) => {
                self.core.state.file = file;
                self.core.state.in_file = true;
                self.core.event(EventKind::SeekFile {
                    requested: file,
                    file,
                    tape_end: false,
                });
                Ok(SeekResult::File { file, header })
            }
            None if file == count => {
                self.core.state.file = file;
                self.core.event(EventKind::SeekFile {
                    requested: file,
                    file,
                    tape_end: true,
                });
                Ok(SeekResult::TapeEnd { file })
            }
            None => {
                let e = self.core.no_such_file(file);
                Err(self.core.fail(
                    Op::SeekFile,
                    e,
                    StatusFlags::VOLUME_ERROR | StatusFlags::DEVICE_ERROR,
                ))
            }
        }
    }

    fn seek_block(&mut self, block: u64) -> Result<(), DeviceError> {
        let checked = self.core.state.check_seek_block();
        self.core.check(Op::SeekBlock, checked)?;
        self.core.refuse_in_error(Op::SeekBlock)?;
        self.core.state.block = block;
        self.core.state.is_eof = false;
        let file = self.core.state.file;
        self.core.event(EventKind::SeekBlock { file, block });
        Ok(())
    }

    fn read_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError> {
        let checked = self.core.state.check_read_block();
        self.core.check(Op::ReadBlock, checked)?;
        self.core.refuse_in_error(Op::ReadBlock)?;
        let (file, block) = (self.core.state.file, self.core.state.block);
        if !self.core.state.in_file {
            self.core.state.is_eof = true;
            self.core.event(EventKind::Read {
                file,
                block,
                len: None,
            });
            return Ok(ReadResult::Eof);
        }
        if let Err(e) = self.ready() {
            let flags = e.status_flags();
            return Err(self.core.fail(Op::ReadBlock, e, flags));
        }
        let len = self
            .volume
            .as_ref()
            .and_then(|v| v.file(file))
            .and_then(|f| f.data_block(block))
            .map(<[u8]>::len);
        let Some(len) = len else {
            self.core.state.is_eof = true;
            self.core.state.in_file = false;
            self.core.event(EventKind::Read {
                file,
                block,
                len: None,
            });
            return Ok(ReadResult::Eof);
        };
        if buf.len() < len {
            let m = Misuse::BufferTooSmall {
                len: buf.len(),
                needed: len,
            };
            return Err(self.core.misuse(Op::ReadBlock, m));
        }
        let barcode = self.barcode();
        let mut corrupt = None;
        if let Some(fault) = self.faults.take_at(Access::Read, &barcode, file, block) {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
            match fault {
                TapeFault::ReadError { .. } => {
                    let e = DeviceError::ReadError {
                        device: self.core.name().to_owned(),
                        file,
                        block,
                    };
                    return Err(self.core.fail(
                        Op::ReadBlock,
                        e,
                        StatusFlags::VOLUME_ERROR | StatusFlags::DEVICE_ERROR,
                    ));
                }
                TapeFault::Offline { .. } => {
                    self.offline = true;
                    let e = self.offline_error();
                    return Err(self.core.fail(Op::ReadBlock, e, StatusFlags::DEVICE_ERROR));
                }
                TapeFault::Ejected { .. } => {
                    self.eject_now();
                    let e = self.missing_error();
                    return Err(self
                        .core
                        .fail(Op::ReadBlock, e, StatusFlags::VOLUME_MISSING));
                }
                TapeFault::CorruptRead { offset, mask, .. } => {
                    corrupt = Some((offset % len.max(1), if mask == 0 { 0xff } else { mask }));
                }
                _ => {}
            }
        }
        if let Some(data) = self
            .volume
            .as_ref()
            .and_then(|v| v.file(file))
            .and_then(|f| f.data_block(block))
        {
            buf[..len].copy_from_slice(data);
        }
        if let Some((at, mask)) = corrupt
            && let Some(b) = buf.get_mut(at)
        {
            *b ^= mask;
        }
        self.core.state.block += 1;
        self.core.state.bytes_read += len as u64;
        self.core.event(EventKind::Read {
            file,
            block,
            len: Some(len),
        });
        Ok(ReadResult::Block(len))
    }

    fn eject(&mut self) -> Result<(), DeviceError> {
        let checked = self.core.state.check_eject();
        self.core.check(Op::Eject, checked)?;
        if self.offline {
            let e = self.offline_error();
            return Err(self.core.fail(Op::Eject, e, StatusFlags::DEVICE_ERROR));
        }
        if self.volume.is_some() {
            self.eject_now();
            self.core.event(EventKind::Eject);
        }
        Ok(())
    }

    fn take_events(&mut self) -> Vec<DeviceEvent> {
        self.core.take_events()
    }
}
