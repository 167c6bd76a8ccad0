//! [`Device`] for [`SimDrive`]: the label, start, files and finish; the read side is in
//! `read`, the write path in `write`.

use crate::device::{
    AccessMode, Device, DeviceError, DeviceEvent, DeviceState, EventKind, Misuse, Op, Properties,
    Property, ReadResult, SeekResult, StatusFlags, WriteResult, device_common_methods,
};
use crate::header::HeaderError;

use super::drive::SimDrive;
use super::label;
use super::volume::Volume;
use super::write::Record;

impl Device for SimDrive {
    device_common_methods!(core);

    fn set_property(&mut self, value: Property) -> Result<(), DeviceError> {
        self.core.set_property(value, Ok(()))
    }

    fn header_block_size(&self) -> usize {
        self.core.props.block_size
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
        let label_block = self.label_block(mode, label, timestamp)?;
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
        match (mode, label_block) {
            (AccessMode::Read | AccessMode::Append, _) => self.start_on_label(mode)?,
            (AccessMode::Write, Some(block)) => self.write_label(block, label, timestamp)?,
            _ => {}
        }
        self.core.state.in_file = false;
        self.core.state.block = 0;
        self.core.state.wrote_short_block = false;
        self.core.state.status = StatusFlags::SUCCESS;
        self.core.started(mode);
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
        let written = self.write_header_block(block, Record::Header, || {
            format!("writing the header of file {file}")
        });
        if let Err(e) = written {
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
        self.write_data_block(data)
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
}

impl SimDrive {
    /// The TAPESTART block a WRITE start writes (`None` in other modes). A label or
    /// timestamp no header can carry is refused and changes nothing.
    fn label_block(
        &mut self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<Option<Vec<u8>>, DeviceError> {
        let (AccessMode::Write, Some(l), Some(t)) = (mode, label, timestamp) else {
            return Ok(None);
        };
        match label::tapestart_block(l, t, self.core.props.block_size) {
            Ok(b) => Ok(Some(b)),
            Err(HeaderError::TooLarge { len, max }) => {
                let m = Misuse::HeaderTooLarge { len, max };
                Err(self.core.misuse(Op::Start, m))
            }
            Err(e) => {
                self.core.event(EventKind::Error {
                    op: Op::Start,
                    message: e.to_string(),
                });
                Err(DeviceError::Header(e))
            }
        }
    }

    /// READ and APPEND start on the volume's label; APPEND then positions after the
    /// last file.
    fn start_on_label(&mut self, mode: AccessMode) -> Result<(), DeviceError> {
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
        Ok(())
    }

    /// WRITE erases the volume and writes the label `block`; a failed label write is a
    /// device error.
    fn write_label(
        &mut self,
        block: Vec<u8>,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError> {
        if let Some(v) = self.volume.as_mut() {
            v.truncate_files(0);
        }
        let written = self.write_header_block(block, Record::Label, || {
            "writing the tapestart header".to_string()
        });
        if let Err(e) = written {
            return Err(self.core.fail(Op::Start, e, StatusFlags::DEVICE_ERROR));
        }
        self.core.state.volume_label = label.map(str::to_string);
        self.core.state.volume_time = timestamp.map(str::to_string);
        self.core.state.file = 0;
        Ok(())
    }
}
