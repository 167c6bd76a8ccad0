//! The read side of the vfs device: seeking a file (and checking its header), seeking a
//! block, reading blocks.

use std::io::{self, Seek, SeekFrom};

use crate::device::{DeviceError, EventKind, Misuse, Op, ReadResult, SeekResult, StatusFlags};
use crate::header::{FileType, HEADER_SIZE, Header, HeaderError};

use super::device::{OpenFile, VfsDevice, io_err};
use super::layout::{self, VolumeEntry};

impl VfsDevice {
    /// [`Device::seek_file`](crate::device::Device::seek_file): opens the file and checks its header.
    pub(super) fn seek_to_file(&mut self, requested: u32) -> Result<SeekResult, DeviceError> {
        let checked = self.core.state.check_seek_file(requested);
        self.core.check(Op::SeekFile, checked)?;
        self.core.refuse_in_error(Op::SeekFile)?;
        self.core.state.is_eof = false;
        self.core.state.block = 0;
        self.core.state.in_file = false;
        self.core.state.bytes_read = 0;
        self.open = None;
        let entries = match self.list() {
            Ok(l) => l,
            Err(e) => return Err(self.core.fail(Op::SeekFile, e, StatusFlags::DEVICE_ERROR)),
        };
        let found = if requested > 0 {
            entries.iter().find(|e| e.fileno >= requested).cloned()
        } else {
            layout::find_file(&entries, 0).cloned()
        };
        let Some(entry) = found else {
            return self.seek_past_files(&entries, requested);
        };
        let (file, path, buf) = match self.read_header_file(&entry.name) {
            Ok(read) => read,
            Err((e, flags)) => return Err(self.core.fail(Op::SeekFile, e, flags)),
        };
        if let Err(e) = check_seekable(&buf, requested) {
            return Err(self
                .core
                .fail(Op::SeekFile, e.into(), StatusFlags::VOLUME_ERROR));
        }
        self.core.state.file = entry.fileno;
        self.core.state.in_file = entry.fileno > 0;
        self.open = Some(OpenFile { file, path });
        self.core.event(EventKind::SeekFile {
            requested,
            file: entry.fileno,
            tape_end: false,
        });
        Ok(SeekResult::File {
            file: entry.fileno,
            header: buf,
        })
    }

    /// `seek_file(requested)` found no file at or after `requested`: file 0 missing is
    /// an unlabeled volume, one past the last file is the end of tape, beyond it an error.
    fn seek_past_files(
        &mut self,
        entries: &[VolumeEntry],
        requested: u32,
    ) -> Result<SeekResult, DeviceError> {
        if requested == 0 {
            let e = self.core.unlabeled("File 0 not found".to_owned());
            return Err(self
                .core
                .fail(Op::SeekFile, e, StatusFlags::VOLUME_UNLABELED));
        }
        if layout::find_file(entries, requested - 1).is_some() {
            self.core.state.file = requested;
            self.core.event(EventKind::SeekFile {
                requested,
                file: requested,
                tape_end: true,
            });
            return Ok(SeekResult::TapeEnd { file: requested });
        }
        // "Attempt to read past tape-end file" (status stays SUCCESS in Amanda).
        let e = self.core.no_such_file(requested);
        Err(self.core.fail(Op::SeekFile, e, StatusFlags::SUCCESS))
    }

    /// [`Device::seek_block`](crate::device::Device::seek_block).
    pub(super) fn seek_to_block(&mut self, block: u64) -> Result<(), DeviceError> {
        let checked = self.core.state.check_seek_block();
        self.core.check(Op::SeekBlock, checked)?;
        self.core.refuse_in_error(Op::SeekBlock)?;
        let offset = block
            .checked_mul(self.block_size())
            .and_then(|o| o.checked_add(HEADER_SIZE as u64));
        let file_no = self.core.state.file;
        let res = match (self.open.as_mut(), offset) {
            (Some(open), Some(off)) => open.file.seek(SeekFrom::Start(off)).map(|_| ()),
            (None, _) => Err(io::Error::from(io::ErrorKind::NotFound)),
            (_, None) => Err(io::Error::from(io::ErrorKind::InvalidInput)),
        };
        self.core.state.block = block;
        if let Err(e) = res {
            let e = io_err(format!("Error seeking within file {file_no}"), e);
            return Err(self.core.fail(Op::SeekBlock, e, StatusFlags::DEVICE_ERROR));
        }
        self.core.state.is_eof = false;
        self.core.event(EventKind::SeekBlock {
            file: file_no,
            block,
        });
        Ok(())
    }

    /// [`Device::read_block`](crate::device::Device::read_block): the next block of the open file.
    pub(super) fn read_next_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError> {
        let checked = self.core.state.check_read_block();
        self.core.check(Op::ReadBlock, checked)?;
        self.core.refuse_in_error(Op::ReadBlock)?;
        let (file_no, block) = (self.core.state.file, self.core.state.block);
        let bs = self.core.props.block_size;
        if buf.len() < bs {
            return Err(self.core.misuse(
                Op::ReadBlock,
                Misuse::BufferTooSmall {
                    len: buf.len(),
                    needed: bs,
                },
            ));
        }
        let got = match (self.core.state.in_file, self.open.as_mut()) {
            (true, Some(open)) => VfsDevice::read_full(&mut open.file, &mut buf[..bs]),
            _ => Ok(0),
        };
        match got {
            Ok(0) => Ok(self.core.end_of_file()),
            Ok(n) => {
                self.core.state.bytes_read += n as u64;
                self.core.state.block += 1;
                self.core.event(EventKind::Read {
                    file: file_no,
                    block,
                    len: Some(n),
                });
                Ok(ReadResult::Block(n))
            }
            Err(e) => {
                let e = io_err(
                    format!("Error reading from data file {file_no} block {block}"),
                    e,
                );
                Err(self.core.fail(Op::ReadBlock, e, StatusFlags::DEVICE_ERROR))
            }
        }
    }
}

/// A header `seek_file(requested)` may stop at: a dump file's, or the label for file 0.
fn check_seekable(block: &[u8], requested: u32) -> Result<(), HeaderError> {
    let ftype = Header::parse(block)?.file_type();
    let ok = match ftype {
        FileType::File | FileType::ContFile | FileType::SplitFile => true,
        FileType::TapeStart => requested == 0,
        FileType::TapeEnd | FileType::Noop => false,
    };
    if ok {
        Ok(())
    } else {
        Err(HeaderError::Field {
            field: "type",
            expected: "FILE, CONT_FILE or SPLIT_FILE (TAPESTART for file 0)",
            found: ftype.as_str().to_owned(),
        })
    }
}
