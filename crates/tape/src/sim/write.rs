//! The write path: one physical attempt through the early-warning zones (Linux `st` and
//! BSD styles, write faults), Amanda's `tape_device_robust_write` with its LEOM retry, and
//! what a data block's outcome means for the state.

use crate::device::{DeviceError, EventKind, Op, StatusFlags, WriteResult};

use super::config::EarlyWarningStyle;
use super::drive::SimDrive;
use super::fault::{Access, TapeFault};

/// The outcome of one physical write attempt.
pub(super) enum Attempt {
    Written,
    NoSpace,
    Eio,
    Short(usize),
    Offline,
    Missing,
}

/// The outcome of Amanda's `tape_device_robust_write`.
pub(super) enum IoResult {
    Success,
    NoSpace,
    Eio,
    Error(DeviceError),
}

/// What a robust write is writing (decides how the data is recorded).
#[derive(Clone, Copy)]
pub(super) enum Record {
    Label,
    Header,
    Data { file: u32, block: u64 },
}

impl SimDrive {
    /// One physical write of `len` bytes (the drive plus the OS driver's early warning).
    /// Faults are looked up on the first attempt of a write only (`retry` false).
    pub(super) fn attempt(&mut self, len: usize, record: Record, retry: bool) -> Attempt {
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
                    // At most the room left: no byte goes past the capacity, and with no
                    // room the write meets the end of the medium like any other.
                    let room = self
                        .volume
                        .as_ref()
                        .map_or(0, |v| v.spec().capacity.saturating_sub(v.used()));
                    let n = written
                        .clamp(1, len.saturating_sub(1).max(1))
                        .min(usize::try_from(room).unwrap_or(usize::MAX));
                    if n == 0 {
                        return Attempt::NoSpace;
                    }
                    return Attempt::Short(n);
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
    pub(super) fn robust_write(&mut self, data: Vec<u8>, record: Record) -> (IoResult, bool) {
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

    /// Writes a label or header block; running out of medium (ENOSPC or EIO) sets
    /// `is_eom` and is [`DeviceError::NoSpace`] with `context`.
    pub(super) fn write_header_block(
        &mut self,
        block: Vec<u8>,
        record: Record,
        context: impl FnOnce() -> String,
    ) -> Result<(), DeviceError> {
        match self.robust_write(block, record).0 {
            IoResult::Success => Ok(()),
            IoResult::NoSpace | IoResult::Eio => {
                self.core.state.is_eom = true;
                Err(self.core.no_space(context()))
            }
            IoResult::Error(e) => Err(e),
        }
    }

    /// [`Device::write_block`](crate::device::Device::write_block): one data block through [`SimDrive::robust_write`], and what
    /// its outcome means for the state (Amanda's `tape_device_write_block`).
    pub(super) fn write_data_block(&mut self, data: &[u8]) -> Result<WriteResult, DeviceError> {
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
}
