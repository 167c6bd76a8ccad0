//! What every device shares: its name, state, properties, event trace and last error,
//! and the one way each device records a failure, a misuse or a refusal while in error.
//!
//! The misuse rule lives here: [`DeviceCore::check`] and [`DeviceCore::misuse`] trace the
//! broken precondition and return [`DeviceError::Misuse`], and change nothing else:
//! neither the state, the status nor the last error (Amanda aborts there instead).

use super::error::{DeviceError, Misuse, Op};
use super::event::{DeviceEvent, EventKind};
use super::property::{Properties, Property};
use super::result::ReadResult;
use super::state::DeviceState;
use super::status::{AccessMode, StatusFlags};

/// The bookkeeping every [`Device`](super::Device) keeps, with the helpers that keep it
/// consistent. A device owns one and adds only its medium.
#[derive(Debug)]
pub struct DeviceCore {
    name: String,
    /// Amanda's public device fields.
    pub state: DeviceState,
    /// The current properties.
    pub props: Properties,
    events: Vec<DeviceEvent>,
    last_error: Option<DeviceError>,
}

impl DeviceCore {
    /// A core for device `name` with these properties and initial state.
    pub fn new(name: impl Into<String>, props: Properties, state: DeviceState) -> DeviceCore {
        DeviceCore {
            name: name.into(),
            state,
            props,
            events: Vec::new(),
            last_error: None,
        }
    }

    /// The device name used in errors and events.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The reason for the last failure, if any.
    pub fn last_error(&self) -> Option<&DeviceError> {
        self.last_error.as_ref()
    }

    /// Forgets the last failure (a load or Amanda's `device_reset`).
    pub fn clear_last_error(&mut self) {
        self.last_error = None;
    }

    /// Keeps `error` as the last failure without tracing it or touching the status.
    pub fn set_last_error(&mut self, error: DeviceError) {
        self.last_error = Some(error);
    }

    /// Appends one event to the trace.
    pub fn event(&mut self, kind: EventKind) {
        self.events.push(DeviceEvent {
            device: self.name.clone(),
            kind,
        });
    }

    /// Takes the events recorded since the last call (oldest first).
    pub fn take_events(&mut self) -> Vec<DeviceEvent> {
        std::mem::take(&mut self.events)
    }

    /// Traces `op` failing with `error`; nothing else changes.
    pub fn trace_error(&mut self, op: Op, error: &dyn std::fmt::Display) {
        self.event(EventKind::Error {
            op,
            message: error.to_string(),
        });
    }

    /// Records a failure: ORs `flags` into the status, traces it, keeps it as the last
    /// error, and returns a copy for the caller.
    pub fn fail(&mut self, op: Op, error: DeviceError, flags: StatusFlags) -> DeviceError {
        self.state.status.insert(flags);
        self.trace_error(op, &error);
        let copy = error.clone();
        self.last_error = Some(error);
        copy
    }

    /// A misuse of `op`: traced and returned; state, status and last error stay as they were.
    pub fn misuse(&mut self, op: Op, misuse: Misuse) -> DeviceError {
        self.trace_error(op, &misuse);
        DeviceError::Misuse(misuse)
    }

    /// Turns a precondition check of `op` into the device's answer: a broken one is a
    /// [`DeviceCore::misuse`].
    pub fn check(&mut self, op: Op, checked: Result<(), Misuse>) -> Result<(), DeviceError> {
        checked.map_err(|m| self.misuse(op, m))
    }

    /// Amanda's `device_in_error` guard: while `DEVICE_ERROR` is the only status flag,
    /// `op` is refused with [`DeviceError::InError`] (traced; nothing else changes).
    pub fn refuse_in_error(&mut self, op: Op) -> Result<(), DeviceError> {
        if !self.state.status.in_error() {
            return Ok(());
        }
        let e = DeviceError::InError {
            device: self.name.clone(),
            op,
        };
        self.trace_error(op, &e);
        Err(e)
    }

    /// [`DeviceError::NoSpace`] on this device.
    pub fn no_space(&self, context: impl Into<String>) -> DeviceError {
        DeviceError::NoSpace {
            device: self.name.clone(),
            context: context.into(),
        }
    }

    /// [`DeviceError::NoSuchFile`] on this device.
    pub fn no_such_file(&self, file: u32) -> DeviceError {
        DeviceError::NoSuchFile {
            device: self.name.clone(),
            file,
        }
    }

    /// [`DeviceError::Unlabeled`] on this device.
    pub fn unlabeled(&self, reason: impl Into<String>) -> DeviceError {
        DeviceError::Unlabeled {
            device: self.name.clone(),
            reason: reason.into(),
        }
    }

    /// Sets one property with [`Properties::apply`]'s checks after the device's own;
    /// a refusal is traced and changes nothing.
    pub fn set_property(
        &mut self,
        value: Property,
        device_check: Result<(), DeviceError>,
    ) -> Result<(), DeviceError> {
        let applied = device_check.and_then(|()| self.props.apply(value, &self.state));
        applied.inspect_err(|e| self.trace_error(Op::SetProperty, e))
    }

    /// Records what `read_label` found: the label and time with `SUCCESS`, or no label,
    /// the failure's flags as the status, and the failure as the last error.
    /// Returns the new status.
    pub fn record_label(
        &mut self,
        read: Result<(String, String), (DeviceError, StatusFlags)>,
    ) -> StatusFlags {
        match read {
            Ok((label, time)) => {
                self.state.volume_label = Some(label.clone());
                self.state.volume_time = Some(time);
                self.state.status = StatusFlags::SUCCESS;
                self.event(EventKind::ReadLabel {
                    label: Some(label),
                    status: StatusFlags::SUCCESS,
                });
            }
            Err((error, flags)) => {
                self.state.volume_label = None;
                self.state.volume_time = None;
                self.state.status = flags;
                self.event(EventKind::ReadLabel {
                    label: None,
                    status: flags,
                });
                self.fail(Op::ReadLabel, error, flags);
            }
        }
        self.state.status
    }

    /// A successful `start`: the device is in `mode`, traced with the volume label.
    pub fn started(&mut self, mode: AccessMode) {
        self.state.access_mode = mode;
        let label = self.state.volume_label.clone();
        self.event(EventKind::Start { mode, label });
    }

    /// The end of the current file while reading: `is_eof` set, `in_file` cleared, traced
    /// as a read of the current block that found no data.
    pub fn end_of_file(&mut self) -> ReadResult {
        self.state.is_eof = true;
        self.state.in_file = false;
        let (file, block) = (self.state.file, self.state.block);
        self.event(EventKind::Read {
            file,
            block,
            len: None,
        });
        ReadResult::Eof
    }
}

/// The [`Device`](super::Device) methods every device writes the same way: those that only
/// read or drain its [`DeviceCore`] (in field `$core`: `name`, `state`, `properties`,
/// `last_error`, `take_events`), and the read side handed to the device's own
/// `seek_to_file`, `seek_to_block` and `read_next_block`. Used inside `impl Device for ...`,
/// in a file that imports `DeviceState`, `Properties`, `DeviceError`, `DeviceEvent`,
/// `SeekResult` and `ReadResult`.
macro_rules! device_common_methods {
    ($core:ident) => {
        fn name(&self) -> &str {
            self.$core.name()
        }

        fn state(&self) -> &DeviceState {
            &self.$core.state
        }

        fn properties(&self) -> &Properties {
            &self.$core.props
        }

        fn last_error(&self) -> Option<&DeviceError> {
            self.$core.last_error()
        }

        fn take_events(&mut self) -> Vec<DeviceEvent> {
            self.$core.take_events()
        }

        fn seek_file(&mut self, file: u32) -> Result<SeekResult, DeviceError> {
            self.seek_to_file(file)
        }

        fn seek_block(&mut self, block: u64) -> Result<(), DeviceError> {
            self.seek_to_block(block)
        }

        fn read_block(&mut self, buf: &mut [u8]) -> Result<ReadResult, DeviceError> {
            self.read_next_block(buf)
        }
    };
}
pub(crate) use device_common_methods;
