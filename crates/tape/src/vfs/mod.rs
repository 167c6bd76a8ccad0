//! Amanda's vfs ("file:") device: one directory per volume, one file per
//! dump part, each file starting with a 32 KiB header.
//!
//! This is a shell: it does real file IO (and only file IO; it reads no clock).
//! The layout is in [`layout`], the filesystem and its injectable faults in
//! [`VfsFault`].
//!
//! Space rules, exactly as `vfs-device.c` in Amanda 3.5:
//! - `volume_bytes` counts the 32 KiB label, every 32 KiB file header and
//!   every data byte; APPEND and READ recompute it from the file sizes.
//! - LEOM (`check_at_leom(size)`, only when the `LEOM` and
//!   `MONITOR_FREE_SPACE` properties are on): when `volume_bytes + size +
//!   4 * block_size > MAX_VOLUME_USAGE`, or when the filesystem's free space
//!   minus `size` is at most `4 * block_size`. LEOM sets `is_eom` and the
//!   write **still proceeds**.
//! - PEOM (`check_at_peom(size)`, only `MAX_VOLUME_USAGE`): when
//!   `volume_bytes + size > MAX_VOLUME_USAGE` nothing is written, `is_eom` is
//!   set, and the write returns `Full` with LEOM on, `Failed` without;
//!   `start_file` fails with [`DeviceError::NoSpace`].
//! - `ENOSPC` from the filesystem: the file is truncated back to the end of
//!   the last whole block written, and the write returns `Space` with LEOM
//!   on, `Failed` without (`is_eom` is left alone, as in Amanda).
//!
//! [`Device::start_file`] needs a parseable Amanda header: the file name comes from its
//! host, disk and level, and a dump header is re-encoded with `bs=32k` ("the VFS header
//! is always 32k regardless of the block_size setting").
//! Injected faults that fire are traced as `fault` events.
//!
//! Differences from Amanda, all deliberate: the free-space check is redone
//! when Amanda's byte heuristics ask for it (within 128 blocks of the
//! estimate, or after 100 MiB) and on the first check, but never because 5
//! seconds passed; the `data/` choice is made at each `read_label`/`start`
//! from the current `USE_DATA`; a successful WRITE `start` clears an earlier
//! `DEVICE_ERROR`; failures OR their status flags in, as the [`Device`]
//! contract says.

pub mod layout;

mod fs;

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

pub use fs::VfsFault;

use crate::device::{
    AccessMode, Device, DeviceCore, DeviceError, DeviceEvent, DeviceState,
    EOM_EARLY_WARNING_ZONE_BLOCKS, EventKind, HEADER_BLOCK_SIZE, Misuse, Op, Properties, Property,
    PropertyName, ReadResult, SeekResult, StatusFlags, UseData, WriteResult,
};
use crate::header::{Header, HeaderError};
use fs::{Fs, WriteFail};
use layout::VolumeEntry;

/// Re-check the filesystem's free space when the estimate is within this many blocks
/// (`MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS`).
pub const MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS: u64 = 128;

/// Re-check the filesystem's free space after this many KiB written (`MONITOR_FREE_SPACE_EVERY_KB`).
pub const MONITOR_FREE_SPACE_EVERY_KB: u64 = 102_400;

/// The header block size as a `u64`, for volume accounting.
const HEADER_BYTES: u64 = HEADER_BLOCK_SIZE as u64;

/// The file open for writing or reading.
#[derive(Debug)]
struct OpenFile {
    file: File,
    path: PathBuf,
}

/// Free-space bookkeeping for the LEOM check (`checked_fs_free_*` in Amanda).
#[derive(Debug, Clone, Copy)]
struct FreeSpaceMonitor {
    /// Free bytes at the last check (`u64::MAX` before the first).
    checked_free: u64,
    /// Bytes written since the last check.
    used_since: u64,
    /// A check has been made.
    checked: bool,
}

/// Amanda's vfs device on one volume directory. See the module docs.
#[derive(Debug)]
pub struct VfsDevice {
    core: DeviceCore,
    node: PathBuf,
    dir: PathBuf,
    fs: Fs,
    volume_bytes: u64,
    monitor: FreeSpaceMonitor,
    open: Option<OpenFile>,
}

fn io_err(context: String, source: io::Error) -> DeviceError {
    DeviceError::Io {
        context,
        source: std::sync::Arc::new(source),
    }
}

impl VfsDevice {
    /// A vfs device named `name` (in events and errors) on directory `node`,
    /// with Amanda's default properties ([`Properties::vfs`]) and no faults.
    pub fn new(name: &str, node: impl Into<PathBuf>) -> VfsDevice {
        VfsDevice::with_faults(name, node, &[])
    }

    /// A vfs device whose filesystem injects `faults`.
    pub fn with_faults(name: &str, node: impl Into<PathBuf>, faults: &[VfsFault]) -> VfsDevice {
        let node = node.into();
        let props = Properties::vfs();
        let dir = layout::volume_dir(&node, props.use_data.unwrap_or(UseData::Exist));
        VfsDevice {
            core: DeviceCore::new(name, props, DeviceState::default()),
            node,
            dir,
            fs: Fs::new(faults),
            volume_bytes: 0,
            monitor: FreeSpaceMonitor {
                checked_free: u64::MAX,
                used_since: 0,
                checked: false,
            },
            open: None,
        }
    }

    /// The device node (the directory given at construction).
    pub fn node(&self) -> &Path {
        &self.node
    }

    /// The directory holding the volume files (`node/data/` or `node/`).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Bytes on the volume as Amanda counts them: label, headers and data.
    pub fn volume_bytes(&self) -> u64 {
        self.volume_bytes
    }

    /// The path of the file currently open, if any.
    pub fn current_path(&self) -> Option<&Path> {
        self.open.as_ref().map(|o| o.path.as_path())
    }

    // ---- helpers --------------------------------------------------------------------

    /// Traces the injected filesystem faults that just fired.
    fn trace_faults(&mut self) {
        for fault in self.fs.take_fired() {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
        }
    }

    fn resolve_dir(&mut self) {
        self.dir = layout::volume_dir(
            &self.node,
            self.core.props.use_data.unwrap_or(UseData::Exist),
        );
    }

    /// Amanda's `vfs_validate`: the volume directory must be a directory.
    fn validate(&self) -> Result<(), DeviceError> {
        match std::fs::metadata(&self.dir) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(io_err(
                format!("VFS Device path {} is not a directory", self.dir.display()),
                io::Error::from(io::ErrorKind::NotADirectory),
            )),
            Err(e) => Err(io_err(
                format!("Error checking directory {}", self.dir.display()),
                e,
            )),
        }
    }

    fn list(&self) -> Result<Vec<VolumeEntry>, DeviceError> {
        layout::list_files(&self.dir).map_err(|e| {
            io_err(
                format!(
                    "Couldn't open device {} (directory {}) for reading",
                    self.core.name(),
                    self.dir.display()
                ),
                e,
            )
        })
    }

    /// Amanda's `vfs_update_volume_size`: the sum of the numbered files' sizes.
    fn update_volume_size(&mut self) {
        self.volume_bytes = self.list().map_or(0, |l| l.iter().map(|e| e.size).sum());
    }

    fn block_size(&self) -> u64 {
        self.core.props.block_size as u64
    }

    /// The volume limit when it is enforced (`enforce_volume_limit && volume_limit`).
    fn volume_limit(&self) -> Option<u64> {
        self.core
            .props
            .max_volume_usage
            .filter(|&l| self.core.props.enforce_max_volume_usage && l > 0)
    }

    /// Amanda's `check_at_leom(size)`.
    fn check_at_leom(&mut self, size: u64) -> bool {
        if !self.core.props.leom || self.core.props.monitor_free_space != Some(true) {
            return false;
        }
        let block = self.block_size();
        let warning = EOM_EARLY_WARNING_ZONE_BLOCKS * block;
        if let Some(limit) = self.volume_limit()
            && self.volume_bytes + size + warning > limit
        {
            return true;
        }
        let m = self.monitor;
        let est_avail = m.checked_free.saturating_sub(m.used_since + size);
        let recheck = !m.checked
            || est_avail <= block * MONITOR_FREE_SPACE_CLOSELY_WITHIN_BLOCKS
            || m.used_since > MONITOR_FREE_SPACE_EVERY_KB * 1024;
        if !recheck {
            return false;
        }
        match self.fs.free_bytes(&self.dir) {
            Ok(free) => {
                self.monitor = FreeSpaceMonitor {
                    checked_free: free,
                    used_since: 0,
                    checked: true,
                };
                // Amanda computes this in unsigned arithmetic: when `size` exceeds the free
                // space the difference wraps and LEOM is *not* reported.
                free.wrapping_sub(size) <= warning
            }
            Err(_) => {
                // "Filesystem cannot provide free space; setting MONITOR_FREE_SPACE false".
                self.core.props.monitor_free_space = Some(false);
                false
            }
        }
    }

    /// Amanda's `check_at_peom(size)`: only `MAX_VOLUME_USAGE` counts.
    fn check_at_peom(&self, size: u64) -> bool {
        self.volume_limit()
            .is_some_and(|limit| self.volume_bytes + size > limit)
    }

    fn account_written(&mut self, n: u64) {
        self.volume_bytes += n;
        self.monitor.used_since += n;
    }

    /// Reads up to `buf.len()` bytes, stopping early only at end of file
    /// (`vfs_device_robust_read`).
    fn read_full(file: &mut File, buf: &mut [u8]) -> io::Result<usize> {
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
    fn delete_volume_files(&mut self) -> Result<(), DeviceError> {
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
    fn create_with_header(
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
        block.resize(HEADER_BLOCK_SIZE, 0);
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
        self.volume_bytes = self.volume_bytes.saturating_sub(entry.size);
        self.fs.released(entry.size);
        Ok(())
    }

    /// The file name for a new file numbered `fileno` with this header.
    fn new_file_name(fileno: u32, header: &Header) -> String {
        match header {
            Header::Dump(d) => layout::data_file_name(fileno, &d.host, &d.disk, d.level),
            Header::TapeStart(ts) => layout::data_file_name(fileno, &ts.label, "", 0),
            Header::TapeEnd { .. } | Header::Noop => layout::data_file_name(fileno, "", "", 0),
        }
    }
}

impl Device for VfsDevice {
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
        HEADER_BLOCK_SIZE
    }

    fn last_error(&self) -> Option<&DeviceError> {
        self.core.last_error()
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
            AccessMode::Write => {
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
                if let Err((e, flags)) =
                    self.create_with_header(&layout::label_file_name(label), &block)
                {
                    self.open = None;
                    return Err(self
                        .core
                        .fail(Op::Start, e, flags | StatusFlags::DEVICE_ERROR));
                }
                self.open = None;
                self.volume_bytes = HEADER_BYTES;
                self.core.state.volume_label = Some(label.to_owned());
                self.core.state.volume_time = Some(timestamp.to_owned());
                self.core.state.status = StatusFlags::SUCCESS;
                self.core.state.file = 0;
            }
            AccessMode::Read | AccessMode::Append => {
                if self.core.state.volume_label.is_none()
                    && self.read_label()? != StatusFlags::SUCCESS
                {
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
            }
            AccessMode::Null => return Err(self.core.misuse(Op::Start, Misuse::StartNull)),
        }
        // Like Amanda's vfs_device_start, is_eom and is_eof are left alone: start_file and
        // seek_file reset them.
        self.core.state.access_mode = mode;
        self.open = None;
        let label = self.core.state.volume_label.clone();
        self.core.event(EventKind::Start { mode, label });
        Ok(())
    }

    fn start_file(&mut self, header: &[u8]) -> Result<u32, DeviceError> {
        let checked = self
            .core
            .state
            .check_start_file(header.len(), HEADER_BLOCK_SIZE);
        self.core.check(Op::StartFile, checked)?;
        self.core.state.wrote_short_block = false;
        self.core.state.is_eom = false;
        self.core.refuse_in_error(Op::StartFile)?;
        let parsed = match Header::parse(header) {
            Ok(h) => h,
            Err(e) => {
                return Err(self
                    .core
                    .fail(Op::StartFile, e.into(), StatusFlags::DEVICE_ERROR));
            }
        };
        // "the VFS header is always 32k regardless of the block_size setting".
        let (parsed, block) = match parsed {
            Header::Dump(mut d) => {
                d.block_kib = std::num::NonZeroU32::new(32);
                let h = Header::Dump(d);
                match h.to_block() {
                    Ok(b) => (h, b),
                    Err(e) => {
                        let e = DeviceError::Header(e);
                        return Err(self.core.fail(Op::StartFile, e, StatusFlags::DEVICE_ERROR));
                    }
                }
            }
            other => (other, header.to_vec()),
        };
        if self.check_at_leom(HEADER_BYTES) {
            self.core.state.is_eom = true;
        }
        if self.check_at_peom(HEADER_BYTES) {
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
        self.account_written(HEADER_BYTES);
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
        if self.check_at_peom(size) {
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
        let Some(mut open) = self.open.take() else {
            // in_file without an open file cannot happen; report it as a failed write.
            let e = io_err(
                "no open file".to_owned(),
                io::Error::from(io::ErrorKind::NotFound),
            );
            self.core.fail(Op::WriteBlock, e, StatusFlags::DEVICE_ERROR);
            trace(self, WriteResult::Failed, leom);
            return Ok(WriteResult::Failed);
        };
        let result = self.fs.write_all(&mut open.file, data);
        self.trace_faults();
        let outcome = match result {
            Ok(()) => {
                self.account_written(size);
                self.core.state.block += 1;
                self.core.state.bytes_written += size;
                if len < self.core.props.block_size {
                    self.core.state.wrote_short_block = true;
                }
                self.open = Some(open);
                trace(self, WriteResult::Success, leom);
                return Ok(WriteResult::Success);
            }
            Err(WriteFail::NoSpace { written, source }) => {
                // Truncate back to the last whole block written.
                let keep = self.core.state.bytes_written + HEADER_BYTES;
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
                (wr, e)
            }
            Err(WriteFail::Io { source, .. }) => {
                let e = io_err(
                    format!(
                        "Error writing file {file} block {block} of {}",
                        open.path.display()
                    ),
                    source,
                );
                (WriteResult::Failed, e)
            }
        };
        self.open = Some(open);
        trace(self, outcome.0, leom);
        self.core
            .fail(Op::WriteBlock, outcome.1, StatusFlags::VOLUME_ERROR);
        Ok(outcome.0)
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

    fn seek_file(&mut self, requested: u32) -> Result<SeekResult, DeviceError> {
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
            if requested == 0 {
                let e = self.core.unlabeled("File 0 not found".to_owned());
                return Err(self
                    .core
                    .fail(Op::SeekFile, e, StatusFlags::VOLUME_UNLABELED));
            }
            if layout::find_file(&entries, requested - 1).is_some() {
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
            return Err(self.core.fail(Op::SeekFile, e, StatusFlags::SUCCESS));
        };
        let path = self.dir.join(&entry.name);
        let mut file = match File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                let e = io_err(format!("Couldn't open file {}", path.display()), e);
                return Err(self.core.fail(Op::SeekFile, e, StatusFlags::DEVICE_ERROR));
            }
        };
        let mut buf = vec![0u8; HEADER_BLOCK_SIZE];
        let got = match VfsDevice::read_full(&mut file, &mut buf) {
            Ok(0) => {
                let e = DeviceError::Header(HeaderError::Empty);
                return Err(self.core.fail(Op::SeekFile, e, StatusFlags::VOLUME_ERROR));
            }
            Ok(n) => n,
            Err(e) => {
                let e = io_err(
                    format!("Problem reading Amanda header of {}", path.display()),
                    e,
                );
                return Err(self.core.fail(Op::SeekFile, e, StatusFlags::VOLUME_ERROR));
            }
        };
        buf.truncate(got);
        let ftype = match Header::parse(&buf) {
            Ok(h) => h.file_type(),
            Err(e) => {
                return Err(self
                    .core
                    .fail(Op::SeekFile, e.into(), StatusFlags::VOLUME_ERROR));
            }
        };
        use crate::header::FileType;
        let ok = match ftype {
            FileType::File | FileType::ContFile | FileType::SplitFile => true,
            FileType::TapeStart => requested == 0,
            FileType::TapeEnd | FileType::Noop => false,
        };
        if !ok {
            let e = DeviceError::Header(HeaderError::Field {
                field: "type",
                expected: "FILE, CONT_FILE or SPLIT_FILE (TAPESTART for file 0)",
                found: ftype.as_str().to_owned(),
            });
            return Err(self.core.fail(Op::SeekFile, e, StatusFlags::VOLUME_ERROR));
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

    fn seek_block(&mut self, block: u64) -> Result<(), DeviceError> {
        let checked = self.core.state.check_seek_block();
        self.core.check(Op::SeekBlock, checked)?;
        self.core.refuse_in_error(Op::SeekBlock)?;
        let offset = block
            .checked_mul(self.block_size())
            .and_then(|o| o.checked_add(HEADER_BYTES));
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

    fn read_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError> {
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
            Ok(0) => {
                self.core.state.is_eof = true;
                self.core.state.in_file = false;
                self.core.event(EventKind::Read {
                    file: file_no,
                    block,
                    len: None,
                });
                Ok(ReadResult::Eof)
            }
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

    fn take_events(&mut self) -> Vec<DeviceEvent> {
        self.core.take_events()
    }
}

impl VfsDevice {
    fn read_label_inner(&mut self) -> Result<(String, String), (DeviceError, StatusFlags)> {
        let entries = self.list().map_err(|e| (e, StatusFlags::DEVICE_ERROR))?;
        let Some(entry) = layout::find_file(&entries, 0).cloned() else {
            return Err((
                self.core.unlabeled("File 0 not found".to_owned()),
                StatusFlags::VOLUME_UNLABELED,
            ));
        };
        let path = self.dir.join(&entry.name);
        let mut file = File::open(&path).map_err(|e| {
            (
                io_err(format!("Couldn't open file {}", path.display()), e),
                StatusFlags::DEVICE_ERROR,
            )
        })?;
        let mut buf = vec![0u8; HEADER_BLOCK_SIZE];
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
}
