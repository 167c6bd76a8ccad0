//! The volume's files: reading a whole block or a header, creating a file with its header,
//! writing a data block, deleting the volume files or one of them, and reading the label.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;

use crate::device::{AccessMode, DeviceError, Misuse, Op, StatusFlags, WriteResult};
use crate::header::{HEADER_SIZE, Header};

use super::device::{OpenFile, VfsDevice, io_err};
use super::fs::WriteFail;
use super::layout;

impl VfsDevice {
    /// Reads up to `buf.len()` bytes, stopping early only at end of file
    /// (`vfs_device_robust_read`).
    pub(super) fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
        let mut got = 0;
        while got < buf.len() {
            match file.read(&mut buf[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(got)
    }

    /// Deletes every volume file but the lock (`delete_vfs_files`).
    pub(super) fn delete_volume_files(&mut self) -> Result<(), DeviceError> {
        let entries = std::fs::read_dir(&self.dir)
            .map_err(|e| io_err(format!("Couldn't open directory {}", self.dir.display()), e))?;
        let mut names: Vec<String> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| {
                io_err(format!("Couldn't read directory {}", self.dir.display()), e)
            })?;
            if let Ok(name) = entry.file_name().into_string()
                && layout::is_volume_file(&name)
                && name != layout::VOLUME_LOCKFILE_NAME
            {
                names.push(name);
            }
        }
        names.sort();
        for name in names {
            let path = self.dir.join(&name);
            let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
            std::fs::remove_file(&path)
                .map_err(|e| io_err(format!("Error unlinking {}", path.display()), e))?;
            self.fs.released(size);
        }
        Ok(())
    }

    /// Opens `name` for writing (O_CREAT|O_EXCL, mode 0666) and writes `header`
    /// padded to 32 KiB.
    pub(super) fn create_with_header(
        &mut self,
        name: &str,
        header: &[u8],
    ) -> Result<(), (DeviceError, StatusFlags)> {
        let path = self.dir.join(name);
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                (
                    io_err(format!("Can't create file {}", path.display()), e),
                    StatusFlags::DEVICE_ERROR,
                )
            })?;
        let mut block = header.to_vec();
        block.resize(HEADER_SIZE, 0);
        let mut open = OpenFile { file, path };
        let result = self.fs.write_all(&mut open.file, &block);
        self.trace_faults();
        match result {
            Ok(()) => {
                self.open = Some(open);
                Ok(())
            }
            Err(WriteFail::NoSpace { source, .. }) => Err((
                self.core.no_space(format!(
                    "writing the header of {}: {source}",
                    open.path.display()
                )),
                StatusFlags::VOLUME_ERROR,
            )),
            Err(WriteFail::Io { source, .. }) => Err((
                io_err(
                    format!("Error writing the header of {}", open.path.display()),
                    source,
                ),
                StatusFlags::VOLUME_ERROR,
            )),
        }
    }

    /// Deletes file `fileno` from the volume (Amanda's `recycle_file`); later files keep
    /// their numbers, so the volume has a gap. Not allowed while a file is open or in
    /// READ mode.
    pub fn recycle_file(&mut self, fileno: u32) -> Result<(), DeviceError> {
        if self.core.state.in_file {
            return Err(self.core.misuse(
                Op::FinishFile,
                Misuse::InFile {
                    op: Op::FinishFile,
                    file: self.core.state.file,
                },
            ));
        }
        if self.core.state.access_mode == AccessMode::Read {
            return Err(self.core.misuse(
                Op::FinishFile,
                Misuse::WrongMode {
                    op: Op::FinishFile,
                    mode: AccessMode::Read,
                },
            ));
        }
        let entries = self.list()?;
        let Some(entry) = layout::find_file(&entries, fileno).cloned() else {
            let e = self.core.no_such_file(fileno);
            return Err(self.core.fail(Op::FinishFile, e, StatusFlags::VOLUME_ERROR));
        };
        let path = self.dir.join(&entry.name);
        if let Err(e) = std::fs::remove_file(&path) {
            let e = io_err(format!("Unlink of {} failed", path.display()), e);
            return Err(self.core.fail(Op::FinishFile, e, StatusFlags::VOLUME_ERROR));
        }
        self.space.volume_bytes = self.space.volume_bytes.saturating_sub(entry.size);
        self.fs.released(entry.size);
        Ok(())
    }

    pub(super) fn read_label_inner(
        &mut self,
    ) -> Result<(String, String), (DeviceError, StatusFlags)> {
        let entries = self.list().map_err(|e| (e, StatusFlags::DEVICE_ERROR))?;
        let Some(entry) = layout::find_file(&entries, 0).cloned() else {
            return Err((
                self.core.unlabeled("File 0 not found".to_owned()),
                StatusFlags::VOLUME_UNLABELED,
            ));
        };
        let (_, _, buf) = self.read_header_file(&entry.name)?;
        match Header::parse(&buf) {
            Ok(Header::TapeStart(ts)) => Ok((ts.label, ts.datestamp)),
            Ok(other) => Err((
                self.core.unlabeled(format!(
                    "Got a bad volume label: a {} header",
                    other.file_type()
                )),
                StatusFlags::VOLUME_ERROR,
            )),
            Err(e) => Err((DeviceError::Header(e), StatusFlags::VOLUME_ERROR)),
        }
    }

    /// Opens volume file `name` and reads its header block (shorter when the file is):
    /// the file positioned after the header, its path, and the header bytes.
    /// Failing to open is a device error; failing to read, a volume error.
    pub(super) fn read_header_file(
        &self,
        name: &str,
    ) -> Result<(File, PathBuf, Vec<u8>), (DeviceError, StatusFlags)> {
        let path = self.dir.join(name);
        let mut file = File::open(&path).map_err(|e| {
            (
                io_err(format!("Couldn't open file {}", path.display()), e),
                StatusFlags::DEVICE_ERROR,
            )
        })?;
        let mut buf = vec![0u8; HEADER_SIZE];
        let got = VfsDevice::read_full(&mut file, &mut buf).map_err(|e| {
            (
                io_err(
                    format!("Problem reading Amanda header of {}", path.display()),
                    e,
                ),
                StatusFlags::VOLUME_ERROR,
            )
        })?;
        buf.truncate(got);
        Ok((file, path, buf))
    }

    /// Writes one data block to the open file `open` (kept open afterwards): counted when
    /// written; on ENOSPC the file is cut back to its last whole block (`Space` with LEOM,
    /// `Failed` without). A failure comes with the result to return.
    pub(super) fn write_data(
        &mut self,
        mut open: OpenFile,
        data: &[u8],
    ) -> Result<(), (WriteResult, DeviceError)> {
        let (file, block) = (self.core.state.file, self.core.state.block);
        let result = self.fs.write_all(&mut open.file, data);
        self.trace_faults();
        let failed = match result {
            Ok(()) => {
                let size = data.len() as u64;
                self.space.account_written(size);
                self.core.state.block += 1;
                self.core.state.bytes_written += size;
                if data.len() < self.core.props.block_size {
                    self.core.state.wrote_short_block = true;
                }
                None
            }
            Err(WriteFail::NoSpace { written, source }) => {
                // Truncate back to the last whole block written.
                let keep = self.core.state.bytes_written + HEADER_SIZE as u64;
                let mut wr = if self.core.props.leom {
                    WriteResult::Space
                } else {
                    WriteResult::Failed
                };
                if open.file.set_len(keep).is_err()
                    || open.file.seek(SeekFrom::Start(keep)).is_err()
                {
                    wr = WriteResult::Failed;
                } else {
                    self.fs.released(written);
                }
                let e = self
                    .core
                    .no_space(format!("file {file} block {block}: {source}"));
                Some((wr, e))
            }
            Err(WriteFail::Io { source, .. }) => {
                let e = io_err(
                    format!(
                        "Error writing file {file} block {block} of {}",
                        open.path.display()
                    ),
                    source,
                );
                Some((WriteResult::Failed, e))
            }
        };
        self.open = Some(open);
        failed.map_or(Ok(()), Err)
    }
}
