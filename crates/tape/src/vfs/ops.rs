//! [`Device`] for [`VfsDevice`]: properties, the label, start, files and finish; the read
//! side is in `read`.

use std::io::{self};

use crate::device::{
    AccessMode, Device, DeviceError, DeviceEvent, DeviceState, EventKind, Misuse, Op, Properties,
    Property, PropertyName, ReadResult, SeekResult, StatusFlags, WriteResult,
    device_common_methods,
};
use crate::header::{HEADER_SIZE, Header, HeaderError};

use super::device::{VfsDevice, io_err};
use super::layout;

impl Device for VfsDevice {
    device_common_methods!(core);

    fn set_property(&mut self, value: Property) -> Result<(), DeviceError> {
        let name = value.name();
        let mode = self.core.state.access_mode;
        let phase = |ok: bool| -> Result<(), DeviceError> {
            if ok {
                Ok(())
            } else {
                Err(Misuse::PropertyPhase {
                    name: name.as_str(),
                    mode,
                }
                .into())
            }
        };
        let device_check = match name {
            // "add the ability to set LEOM to FALSE, for testing purposes": before start only.
            PropertyName::Leom => phase(mode == AccessMode::Null),
            // Not settable inside a file being written.
            PropertyName::MaxVolumeUsage | PropertyName::EnforceMaxVolumeUsage => {
                phase(!(mode.is_writable() && self.core.state.in_file))
            }
            PropertyName::Compression | PropertyName::Streaming => Err(DeviceError::BadProperty {
                name: name.as_str(),
                reason: "read-only on the vfs device".to_owned(),
            }),
            PropertyName::BlockSize | PropertyName::MonitorFreeSpace | PropertyName::UseData => {
                Ok(())
            }
        };
        self.core.set_property(value, device_check)
    }

    fn header_block_size(&self) -> usize {
        HEADER_SIZE
    }

    fn read_label(&mut self) -> Result<StatusFlags, DeviceError> {
        let checked = self.core.state.check_read_label();
        self.core.check(Op::ReadLabel, checked)?;
        self.resolve_dir();
        if let Err(e) = self.validate() {
            self.core.fail(Op::ReadLabel, e, StatusFlags::DEVICE_ERROR);
            return Ok(self.core.state.status);
        }
        self.core.state.volume_label = None;
        self.core.state.volume_time = None;
        if self.core.state.status.in_error() {
            return Ok(self.core.state.status);
        }
        let read = self.read_label_inner();
        self.open = None;
        self.core.record_label(read);
        self.update_volume_size();
        Ok(self.core.state.status)
    }

    fn start(
        &mut self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError> {
        let checked = self.core.state.check_start(mode, label, timestamp);
        self.core.check(Op::Start, checked)?;
        self.resolve_dir();
        if let Err(e) = self.validate() {
            return Err(self.core.fail(Op::Start, e, StatusFlags::DEVICE_ERROR));
        }
        self.core.state.in_file = false;
        match mode {
            AccessMode::Write => self.label_volume(label, timestamp)?,
            AccessMode::Read | AccessMode::Append => self.start_on_label(mode)?,
            AccessMode::Null => return Err(self.core.misuse(Op::Start, Misuse::StartNull)),
        }
        // Like Amanda's vfs_device_start, is_eom and is_eof are left alone: start_file and
        // seek_file reset them.
        self.open = None;
        self.core.started(mode);
        Ok(())
    }

    fn start_file(&mut self, header: &[u8]) -> Result<u32, DeviceError> {
        let checked = self.core.state.check_start_file(header.len(), HEADER_SIZE);
        self.core.check(Op::StartFile, checked)?;
        self.core.state.wrote_short_block = false;
        self.core.state.is_eom = false;
        self.core.refuse_in_error(Op::StartFile)?;
        let (parsed, block) = match header_block(header) {
            Ok(hb) => hb,
            Err(e) => {
                return Err(self
                    .core
                    .fail(Op::StartFile, e.into(), StatusFlags::DEVICE_ERROR));
            }
        };
        if self.check_at_leom(HEADER_SIZE as u64) {
            self.core.state.is_eom = true;
        }
        if self
            .space
            .check_at_peom(&self.core.props, HEADER_SIZE as u64)
        {
            self.core.state.is_eom = true;
            let e = self
                .core
                .no_space("more than MAX_VOLUME_USAGE bytes written".to_owned());
            return Err(self.core.fail(Op::StartFile, e, StatusFlags::DEVICE_ERROR));
        }
        let entries = match self.list() {
            Ok(l) => l,
            Err(e) => return Err(self.core.fail(Op::StartFile, e, StatusFlags::DEVICE_ERROR)),
        };
        let Some(last) = entries.last().map(|e| e.fileno) else {
            let e = io_err(
                "Error identifying VFS device contents!".to_owned(),
                io::Error::from(io::ErrorKind::NotFound),
            );
            return Err(self.core.fail(
                Op::StartFile,
                e,
                StatusFlags::DEVICE_ERROR | StatusFlags::VOLUME_ERROR,
            ));
        };
        let fileno = last + 1;
        self.core.state.file = fileno;
        let name = VfsDevice::new_file_name(fileno, &parsed);
        if let Err((e, flags)) = self.create_with_header(&name, &block) {
            self.open = None;
            return Err(self.core.fail(Op::StartFile, e, flags));
        }
        self.space.account_written(HEADER_SIZE as u64);
        self.core.state.block = 0;
        self.core.state.in_file = true;
        self.core.state.bytes_written = 0;
        let eom = self.core.state.is_eom;
        self.core.event(EventKind::StartFile { file: fileno, eom });
        Ok(fileno)
    }

    fn write_block(&mut self, data: &[u8]) -> Result<WriteResult, DeviceError> {
        let checked = self
            .core
            .state
            .check_write_block(data.len(), self.core.props.block_size);
        self.core.check(Op::WriteBlock, checked)?;
        let (file, block, len) = (self.core.state.file, self.core.state.block, data.len());
        let trace = |this: &mut VfsDevice, result: WriteResult, leom: bool| {
            this.core.event(EventKind::Write {
                file,
                block,
                len,
                result,
                leom,
            });
        };
        if let Err(e) = self.core.refuse_in_error(Op::WriteBlock) {
            self.core.set_last_error(e);
            trace(self, WriteResult::Failed, false);
            return Ok(WriteResult::Failed);
        }
        let size = len as u64;
        let leom = self.check_at_leom(size);
        if leom {
            self.core.state.is_eom = true;
        }
        if self.space.check_at_peom(&self.core.props, size) {
            self.core.state.is_eom = true;
            let result = if self.core.props.leom {
                WriteResult::Full
            } else {
                WriteResult::Failed
            };
            trace(self, result, leom);
            let e = self
                .core
                .no_space("more than MAX_VOLUME_USAGE bytes written".to_owned());
            self.core.fail(Op::WriteBlock, e, StatusFlags::VOLUME_ERROR);
            return Ok(result);
        }
        let Some(open) = self.open.take() else {
            // in_file without an open file cannot happen; report it as a failed write.
            let e = io_err(
                "no open file".to_owned(),
                io::Error::from(io::ErrorKind::NotFound),
            );
            self.core.fail(Op::WriteBlock, e, StatusFlags::DEVICE_ERROR);
            trace(self, WriteResult::Failed, leom);
            return Ok(WriteResult::Failed);
        };
        match self.write_data(open, data) {
            Ok(()) => {
                trace(self, WriteResult::Success, leom);
                Ok(WriteResult::Success)
            }
            Err((result, e)) => {
                trace(self, result, leom);
                self.core.fail(Op::WriteBlock, e, StatusFlags::VOLUME_ERROR);
                Ok(result)
            }
        }
    }

    fn finish_file(&mut self) -> Result<(), DeviceError> {
        let checked = self.core.state.check_finish_file();
        self.core.check(Op::FinishFile, checked)?;
        self.core.state.in_file = false;
        self.open = None;
        let (file, blocks) = (self.core.state.file, self.core.state.block);
        self.core.event(EventKind::FinishFile { file, blocks });
        self.core.refuse_in_error(Op::FinishFile)?;
        Ok(())
    }

    fn finish(&mut self) -> Result<(), DeviceError> {
        self.open = None;
        let was = self.core.state.access_mode;
        self.core.state.access_mode = AccessMode::Null;
        self.core.state.in_file = false;
        if was != AccessMode::Null {
            self.core.event(EventKind::Finish);
        }
        self.core.refuse_in_error(Op::Finish)?;
        Ok(())
    }
}

impl VfsDevice {
    /// WRITE: erases the volume and writes the label file `00000.<label>`.
    fn label_volume(
        &mut self,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError> {
        let (Some(label), Some(timestamp)) = (label, timestamp) else {
            return Err(self.core.misuse(Op::Start, Misuse::MissingLabel));
        };
        let header = Header::tape_start(timestamp, label);
        let block = match header.to_block() {
            Ok(b) => b,
            Err(e) => {
                return Err(self
                    .core
                    .fail(Op::Start, e.into(), StatusFlags::DEVICE_ERROR));
            }
        };
        if label.contains('/') || label.contains('\0') {
            let e = DeviceError::Header(HeaderError::Invalid {
                field: "label",
                value: label.to_owned(),
                reason: "a vfs label becomes a file name and must not contain '/'",
            });
            return Err(self.core.fail(Op::Start, e, StatusFlags::DEVICE_ERROR));
        }
        self.open = None;
        if let Err(e) = self.delete_volume_files() {
            return Err(self.core.fail(
                Op::Start,
                e,
                StatusFlags::DEVICE_ERROR | StatusFlags::VOLUME_ERROR,
            ));
        }
        if let Err((e, flags)) = self.create_with_header(&layout::label_file_name(label), &block) {
            self.open = None;
            return Err(self
                .core
                .fail(Op::Start, e, flags | StatusFlags::DEVICE_ERROR));
        }
        self.open = None;
        self.space.volume_bytes = HEADER_SIZE as u64;
        self.core.state.volume_label = Some(label.to_owned());
        self.core.state.volume_time = Some(timestamp.to_owned());
        self.core.state.status = StatusFlags::SUCCESS;
        self.core.state.file = 0;
        Ok(())
    }

    /// READ and APPEND: start on the label (read now unless `read_label` found it);
    /// APPEND then positions after the last file.
    fn start_on_label(&mut self, mode: AccessMode) -> Result<(), DeviceError> {
        if self.core.state.volume_label.is_none() && self.read_label()? != StatusFlags::SUCCESS {
            let e = match self.core.last_error() {
                Some(e) => (e).clone(),
                None => self.core.unlabeled("no label".to_owned()),
            };
            return Err(e);
        }
        if mode == AccessMode::Append {
            self.core.state.file = self
                .list()
                .ok()
                .and_then(|l| l.last().map(|e| e.fileno))
                .unwrap_or(0);
        }
        Ok(())
    }
}

/// The parsed header and the block vfs writes for it: a dump header is re-encoded with
/// `bs=32k` ("the VFS header is always 32k regardless of the block_size setting"),
/// any other header is written as given.
fn header_block(header: &[u8]) -> Result<(Header, Vec<u8>), HeaderError> {
    match Header::parse(header)? {
        Header::Dump(mut d) => {
            d.block_kib = std::num::NonZeroU32::new(32);
            let h = Header::Dump(d);
            let block = h.to_block()?;
            Ok((h, block))
        }
        other => Ok((other, header.to_vec())),
    }
}
