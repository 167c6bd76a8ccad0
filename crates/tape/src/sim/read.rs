//! The read side of the drive: seeking files and blocks, and reading blocks with the read
//! faults (errors, corruption, going offline, ejection) placed on them.

use crate::device::{
    AccessMode, DeviceError, EventKind, Misuse, Op, ReadResult, SeekResult, StatusFlags,
};

use super::drive::SimDrive;
use super::fault::{Access, TapeFault};
use super::volume::Volume;

impl SimDrive {
    /// [`Device::seek_file`](crate::device::Device::seek_file): in WRITE/APPEND mode `seek_file(0)` returns the label block
    /// and moves nothing.
    pub(super) fn seek_to_file(&mut self, file: u32) -> Result<SeekResult, DeviceError> {
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

    /// [`Device::seek_block`](crate::device::Device::seek_block).
    pub(super) fn seek_to_block(&mut self, block: u64) -> Result<(), DeviceError> {
        let checked = self.core.state.check_seek_block();
        self.core.check(Op::SeekBlock, checked)?;
        self.core.refuse_in_error(Op::SeekBlock)?;
        // tape-device.c seeks with MTFSR: with no cartridge, or a drive gone offline,
        // the ioctl fails and so does the seek.
        if let Err(e) = self.ready() {
            let flags = e.status_flags();
            return Err(self.core.fail(Op::SeekBlock, e, flags));
        }
        self.core.state.block = block;
        self.core.state.is_eof = false;
        let file = self.core.state.file;
        self.core.event(EventKind::SeekBlock { file, block });
        Ok(())
    }

    /// [`Device::read_block`](crate::device::Device::read_block): the next block, with the read faults placed on it.
    pub(super) fn read_next_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError> {
        let checked = self.core.state.check_read_block();
        self.core.check(Op::ReadBlock, checked)?;
        self.core.refuse_in_error(Op::ReadBlock)?;
        let (file, block) = (self.core.state.file, self.core.state.block);
        if !self.core.state.in_file {
            return Ok(self.core.end_of_file());
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
            return Ok(self.core.end_of_file());
        };
        if buf.len() < len {
            let m = Misuse::BufferTooSmall {
                len: buf.len(),
                needed: len,
            };
            return Err(self.core.misuse(Op::ReadBlock, m));
        }
        let barcode = self.barcode();
        let corrupt = self.fire_read_fault(&barcode, file, block, len)?;
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

    /// Fires the read fault placed on `file`/`block` of volume `barcode`, if any: a read
    /// error, going offline or an ejection fail the read; a corruption is returned as the
    /// byte offset and XOR mask to apply to the block of `len` bytes.
    fn fire_read_fault(
        &mut self,
        barcode: &str,
        file: u32,
        block: u64,
        len: usize,
    ) -> Result<Option<(usize, u8)>, DeviceError> {
        if let Some(fault) = self.faults.take_at(Access::Read, barcode, file, block) {
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
                    return Ok(Some((
                        offset % len.max(1),
                        if mask == 0 { 0xff } else { mask },
                    )));
                }
                _ => {}
            }
        }
        Ok(None)
    }
}
