//! The vfs device's state and its directory-side helpers: the volume directory, the
//! listing, the open file. The Device API is in `ops` and `read`, the space rules in
//! `space`, the volume file IO in `files`.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::device::{DeviceCore, DeviceError, DeviceState, EventKind, Properties, UseData};
use crate::header::Header;

use super::fs::{Fs, VfsFault};
use super::layout::{self, VolumeEntry};
use super::space::Space;

/// The file open for writing or reading.
#[derive(Debug)]
pub(super) struct OpenFile {
    pub(super) file: File,
    pub(super) path: PathBuf,
}

/// Amanda's vfs device on one volume directory. See the module docs.
#[derive(Debug)]
pub struct VfsDevice {
    pub(super) core: DeviceCore,
    pub(super) node: PathBuf,
    pub(super) dir: PathBuf,
    pub(super) fs: Fs,
    pub(super) space: Space,
    pub(super) open: Option<OpenFile>,
}

pub(super) fn io_err(context: String, source: io::Error) -> DeviceError {
    DeviceError::Io {
        context,
        source: std::sync::Arc::new(source),
    }
}

impl VfsDevice {
    /// A vfs device named `name` (in events and errors) on directory `node`, with
    /// Amanda's default properties ([`Properties::vfs`]) and a filesystem that injects
    /// `faults` (none: `vec![]`).
    pub fn new(
        name: impl Into<String>,
        node: impl Into<PathBuf>,
        faults: Vec<VfsFault>,
    ) -> VfsDevice {
        let node = node.into();
        let props = Properties::vfs();
        let dir = layout::volume_dir(&node, props.use_data.unwrap_or(UseData::Exist));
        VfsDevice {
            core: DeviceCore::new(name, props, DeviceState::default()),
            node,
            dir,
            fs: Fs::new(&faults),
            space: Space::new(),
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
        self.space.volume_bytes
    }

    /// The path of the file currently open, if any.
    pub fn current_path(&self) -> Option<&Path> {
        self.open.as_ref().map(|o| o.path.as_path())
    }

    /// Traces the injected filesystem faults that just fired.
    pub(super) fn trace_faults(&mut self) {
        for fault in self.fs.take_fired() {
            self.core.event(EventKind::Fault {
                what: fault.to_string(),
            });
        }
    }

    pub(super) fn resolve_dir(&mut self) {
        self.dir = layout::volume_dir(
            &self.node,
            self.core.props.use_data.unwrap_or(UseData::Exist),
        );
    }

    /// Amanda's `vfs_validate`: the volume directory must be a directory.
    pub(super) fn validate(&self) -> Result<(), DeviceError> {
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

    pub(super) fn list(&self) -> Result<Vec<VolumeEntry>, DeviceError> {
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
    pub(super) fn update_volume_size(&mut self) {
        self.space.volume_bytes = self.list().map_or(0, |l| l.iter().map(|e| e.size).sum());
    }

    pub(super) fn block_size(&self) -> u64 {
        self.core.props.block_size as u64
    }

    /// The file name for a new file numbered `fileno` with this header.
    pub(super) fn new_file_name(fileno: u32, header: &Header) -> String {
        match header {
            Header::Dump(d) => layout::data_file_name(fileno, &d.host, &d.disk, d.level),
            Header::TapeStart(ts) => layout::data_file_name(fileno, &ts.label, "", 0),
            Header::TapeEnd { .. } | Header::Noop => layout::data_file_name(fileno, "", "", 0),
        }
    }

    /// Amanda's `check_at_leom(size)` on this device's space, asking its filesystem.
    pub(super) fn check_at_leom(&mut self, size: u64) -> bool {
        let (fs, dir) = (&self.fs, &self.dir);
        self.space
            .check_at_leom(&mut self.core.props, size, || fs.free_bytes(dir))
    }
}
