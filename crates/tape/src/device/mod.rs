//! The Device API: Amanda's calling order as a state machine every device shares.
//!
//! Calling order (Amanda `Device.pod`):
//! - read: [`Device::read_label`] (optional) → [`Device::start`]`(Read)` →
//!   [`Device::seek_file`] → [`Device::read_block`]* → [`Device::finish`];
//! - write/append: [`Device::read_label`] (optional) →
//!   [`Device::start`]`(Write | Append, label, timestamp)` →
//!   { [`Device::start_file`] → [`Device::write_block`]* → [`Device::finish_file`] }* →
//!   [`Device::finish`].
//!
//! The preconditions Amanda asserts in `device.c` are checked by [`DeviceState`]'s
//! `check_*` methods; breaking one returns [`DeviceError::Misuse`] and leaves the device
//! exactly as it was: state, status and last error (Amanda aborts the process instead).
//! [`DeviceCore`] holds what every device keeps and applies that rule once.
//!
//! Headers cross this API as opaque bytes: [`Device::start_file`] takes the serialized
//! header (at most [`Device::header_block_size`] bytes; the device pads it with NULs) and
//! [`Device::seek_file`] returns the stored header block.
//! Turning those bytes into typed headers is [`crate::header`]'s job, so devices never
//! depend on the codec and the codec never depends on a device.
//!
//! Error model: misuse and hard failures are `Err(DeviceError)`.
//! [`Device::write_block`] reports media outcomes the way Amanda does, as a [`WriteResult`]
//! (`Failed`, `Space`, `Full`), and keeps the typed reason in [`Device::last_error`];
//! every failure also ORs its [`StatusFlags`] into [`DeviceState::status`].

mod core;
mod error;
mod event;
mod property;
mod result;
mod state;
mod status;

pub use self::core::DeviceCore;
pub(crate) use self::core::device_common_methods;
pub use error::{DeviceError, Misuse, Op};
pub use event::{DeviceEvent, EventKind};
pub use property::{
    Concurrency, DEFAULT_BLOCK_SIZE, MediumAccess, Properties, Property, PropertyName, Streaming,
    UseData,
};
pub use result::{ReadResult, SeekResult, WriteResult};
pub use state::DeviceState;
pub use status::{AccessMode, StatusFlags};

/// Amanda's Device API. See the module docs for the calling order and error model.
pub trait Device {
    /// The device name used in errors and events (`tape0`, `vtape1`).
    fn name(&self) -> &str;

    /// The current state (Amanda's public `Device` fields).
    fn state(&self) -> &DeviceState;

    /// The current properties.
    fn properties(&self) -> &Properties;

    /// Sets one property; see [`Properties::apply`] for the generic checks.
    fn set_property(&mut self, value: Property) -> Result<(), DeviceError>;

    /// Size of the header block every file starts with (32 KiB for vfs; the block size
    /// for tape).
    fn header_block_size(&self) -> usize;

    /// The reason for the last failure (including a `Failed`/`Space`/`Full` write), if any.
    fn last_error(&self) -> Option<&DeviceError>;

    /// Reads the volume label (only in NULL mode); sets `volume_label`, `volume_time`
    /// and `status`, and returns the status (`SUCCESS` when a label was read).
    /// `Err` is misuse only (called in a started device).
    fn read_label(&mut self) -> Result<StatusFlags, DeviceError>;

    /// Starts the device in `mode`. WRITE labels the volume with `label` and `timestamp`
    /// (erasing it); APPEND positions after the last file; READ reads the label.
    fn start(
        &mut self,
        mode: AccessMode,
        label: Option<&str>,
        timestamp: Option<&str>,
    ) -> Result<(), DeviceError>;

    /// Opens the next file and writes its header (`header` is padded with NULs to
    /// [`Device::header_block_size`]). Returns the new file number.
    /// Hitting LEOM while writing the header still opens the file and sets `is_eom`;
    /// a full volume returns [`DeviceError::NoSpace`] with `is_eom` set.
    fn start_file(&mut self, header: &[u8]) -> Result<u32, DeviceError>;

    /// Writes one block (`0 < data.len() <= block_size`; only the last block of a file may
    /// be short). Media outcomes are in the `Ok` value; `Err` is misuse only.
    fn write_block(&mut self, data: &[u8]) -> Result<WriteResult, DeviceError>;

    /// Closes the current file (writes the filemark).
    fn finish_file(&mut self) -> Result<(), DeviceError>;

    /// Ends the session: closes any open file and returns to NULL mode.
    /// In NULL mode it does nothing and succeeds.
    fn finish(&mut self) -> Result<(), DeviceError>;

    /// Positions at the start of the data of file `file` (or the next existing file);
    /// see [`SeekResult`]. Beyond last file + 1 is [`DeviceError::NoSuchFile`].
    fn seek_file(&mut self, file: u32) -> Result<SeekResult, DeviceError>;

    /// Positions at data block `block` of the current file (READ mode).
    fn seek_block(&mut self, block: u64) -> Result<(), DeviceError>;

    /// Reads the next block of the current file into `buf`.
    /// A buffer shorter than the block is [`Misuse::BufferTooSmall`] naming the size needed.
    fn read_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError>;

    /// Ejects the volume (only in NULL mode, outside a file). Devices without an eject
    /// succeed and do nothing, as in Amanda.
    fn eject(&mut self) -> Result<(), DeviceError> {
        self.state().check_eject()?;
        Ok(())
    }

    /// Takes the events recorded since the last call (oldest first). Devices that keep
    /// no trace return nothing.
    fn take_events(&mut self) -> Vec<DeviceEvent> {
        Vec::new()
    }
}
