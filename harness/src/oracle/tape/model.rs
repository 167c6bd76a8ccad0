//! The model's state (Amanda's public `Device` fields, the medium, the drive's
//! hardware state) and the calls that do not move data.
//!
//! Rules, by source:
//! - amanda.md §5.2: the preconditions of `device.c`'s public stubs; a broken one is
//!   misuse and changes nothing.
//! - amanda.md §5.3: `read_label` returns the status flags and sets `volume_label`;
//!   `seek_file(n)` to the last file + 1 returns a TAPEEND header, beyond that an error.
//! - amanda.md §5.6 and `device_reset`: `start` rewinds but leaves `is_eom`/`is_eof`
//!   alone; `device_in_error` (DEVICE_ERROR the only flag) refuses work until a reset or
//!   a new volume.
//! - The drive's fault model (`TapeFault`, sim/fault.rs): an offline drive fails every
//!   later call; an ejected volume leaves the drive empty; an unreadable label makes the
//!   next label read see an unlabeled volume.

use reelcheck_tape::device::AccessMode;
use reelcheck_tape::sim::TapeFault;

use super::config::{BARCODE, ModelConfig};
use super::faults::Faults;
use super::flags::{DEVICE_BUSY, DEVICE_ERROR, VOLUME_ERROR, VOLUME_MISSING, VOLUME_UNLABELED};
use super::medium::Medium;
use super::outcome::{ErrorKind, Outcome};
use super::step::Step;

/// The label `start(WRITE)` writes in model runs.
pub const LABEL: &str = "VOL";

/// The reference model of one simulated drive and its volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Model {
    /// The configuration it was built from.
    pub config: ModelConfig,
    /// Block size.
    pub bs: usize,
    /// The `LEOM` property.
    pub leom: bool,
    /// The volume's medium.
    pub medium: Medium,
    /// The volume is in the drive (else it was ejected).
    pub loaded: bool,
    /// The drive went offline.
    pub offline: bool,
    /// Fault bookkeeping.
    pub faults: Faults,
    /// `access_mode`.
    pub mode: AccessMode,
    /// `in_file`.
    pub in_file: bool,
    /// `file`.
    pub file: u32,
    /// `block`.
    pub block: u64,
    /// `is_eom`.
    pub is_eom: bool,
    /// `is_eof`.
    pub is_eof: bool,
    /// `wrote_short_block` (amanda.md §5.2).
    pub short: bool,
    /// `status` bits.
    pub status: u8,
    /// `volume_label`.
    pub volume_label: Option<String>,
    /// The reason for the last failure (the device's `last_error`).
    pub last_error: Option<ErrorKind>,
}

impl Model {
    /// A drive built from `config` with a blank volume loaded and `faults` pending.
    pub fn new(config: &ModelConfig, faults: Vec<TapeFault>) -> Model {
        Model {
            config: *config,
            bs: config.block_size,
            leom: config.leom,
            medium: Medium::blank(
                config.block_size,
                config.capacity,
                config.early_warning,
                config.bsd,
            ),
            loaded: true,
            offline: false,
            faults: Faults::new(faults),
            mode: AccessMode::Null,
            in_file: false,
            file: 0,
            block: 0,
            is_eom: false,
            is_eof: false,
            short: false,
            status: 0,
            volume_label: None,
            last_error: None,
        }
    }

    /// `device_in_error`: DEVICE_ERROR is the only status bit (amanda.md §5.3).
    pub fn in_error(&self) -> bool {
        self.status == DEVICE_ERROR
    }

    /// True when `step` means nothing in this state and both sides skip it (a `reload`
    /// with a volume in the drive, or outside NULL mode).
    pub fn skips(&self, step: &Step) -> bool {
        matches!(step, Step::Reload) && (self.loaded || self.mode != AccessMode::Null)
    }

    /// Records an error: its flags are ORed into the status (`device_set_error`, §5.3).
    pub fn fail(&mut self, kind: ErrorKind) -> Outcome {
        self.status |= kind.flags();
        // A refusal because the device is in error keeps the error that put it there.
        if kind != ErrorKind::InError {
            self.last_error = Some(kind);
        }
        Outcome::Error(kind)
    }

    /// Why the hardware cannot be reached, if it cannot: offline, then no volume.
    pub fn unreachable(&self) -> Option<ErrorKind> {
        if self.offline {
            Some(ErrorKind::Offline)
        } else if !self.loaded {
            Some(ErrorKind::VolumeMissing)
        } else {
            None
        }
    }

    /// Why the device refuses a call that needs the hardware: `device_in_error` first
    /// (tape-device.c checks it at the top of each method), then offline, then no volume.
    pub fn refusal(&self) -> Option<ErrorKind> {
        if self.in_error() {
            Some(ErrorKind::InError)
        } else {
            self.unreachable()
        }
    }

    /// Applies one step and returns what the device must answer.
    pub fn step(&mut self, step: &Step) -> Outcome {
        match *step {
            Step::ReadLabel => self.read_label(),
            Step::Start { mode } => self.start(mode),
            Step::StartFile => self.start_file(),
            Step::Write { len, fill } => self.write_block(len, fill),
            Step::FinishFile => self.finish_file(),
            Step::Finish => self.finish(),
            Step::SeekFile { file } => self.seek_file(file),
            Step::SeekBlock { block } => self.seek_block(block),
            Step::Read => self.read_block(),
            Step::Eject => self.eject(),
            Step::Reload => self.reload(),
            Step::Reset => self.reset(),
            Step::SetLeom { on } => {
                // tape-device.c: LEOM is settable "for testing purposes" (§5.4).
                self.leom = on;
                Outcome::Ok
            }
        }
    }

    /// The label as the next label read sees it (`None`: unlabeled); an unreadable-label
    /// fault fires here.
    fn label_read(&mut self) -> Option<String> {
        if self.faults.take_label(BARCODE).is_some() {
            return None;
        }
        self.medium.label.then(|| LABEL.to_string())
    }

    /// `read_label`: only in NULL mode (device.c answers DEVICE_BUSY otherwise, changing
    /// nothing); sets `volume_label` and the status it returns (§5.3).
    fn read_label(&mut self) -> Outcome {
        if self.mode != AccessMode::Null {
            return Outcome::Status(DEVICE_BUSY);
        }
        if self.in_error() {
            // `device_in_error`: the device answers with its error until it is reset.
            return Outcome::Status(self.status);
        }
        self.volume_label = None;
        self.status = match self.unreachable() {
            Some(kind) => kind.flags(),
            None => match self.label_read() {
                Some(label) => {
                    self.volume_label = Some(label);
                    0
                }
                None => VOLUME_UNLABELED,
            },
        };
        Outcome::Status(self.status)
    }

    /// `start(mode, "VOL", ts)` (§5.1, §5.2).
    fn start(&mut self, mode: AccessMode) -> Outcome {
        if mode == AccessMode::Null || self.mode != AccessMode::Null {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if let Some(kind) = self.refusal() {
            return self.fail(kind);
        }
        if mode == AccessMode::Write {
            // WRITE rewinds and writes the TAPESTART label block, erasing the volume.
            self.medium.erase();
            if !self.robust_write() {
                // tape-device.c: a failed label write is a device error, `is_eom` set on
                // RESULT_NO_SPACE (§5.6).
                self.is_eom = true;
                self.status |= DEVICE_ERROR;
                self.last_error = Some(ErrorKind::NoSpace);
                return Outcome::Error(ErrorKind::NoSpace);
            }
            self.medium.label = true;
            self.volume_label = Some(LABEL.to_string());
        } else {
            self.medium.rewind();
            match self.label_read() {
                Some(label) => self.volume_label = Some(label),
                None => {
                    self.volume_label = None;
                    return self.fail(ErrorKind::Unlabeled);
                }
            }
        }
        self.status = 0;
        self.mode = mode;
        self.in_file = false;
        // `wrote_short_block` is about the open file (§5.2); a new session has none.
        self.short = false;
        self.block = 0;
        self.file = if mode == AccessMode::Append {
            // Appending goes to the end of data; a file left without its filemark (the
            // session that wrote it died) gets one there, so the next file starts after a
            // filemark as every tape file does.
            if let Some(f) = self.medium.files.last_mut() {
                f.closed = true;
            }
            self.medium.files.len() as u32
        } else {
            0
        };
        Outcome::Ok
    }

    /// `finish_file`: writable mode and in a file (§5.2); writes the filemark.
    fn finish_file(&mut self) -> Outcome {
        if !self.mode.is_writable() || !self.in_file {
            return Outcome::Error(ErrorKind::Misuse);
        }
        // A refused filemark still ends the file (no filemark follows it). Writing the
        // filemark to an offline or empty drive is a failed filemark write: tape-device.c's
        // "Error writing filemark" is DEVICE_ERROR | VOLUME_ERROR, and §5.6 has finish_file
        // set `is_eom` when its filemark cannot be written.
        if let Some(kind) = self.refusal() {
            self.in_file = false;
            if kind != ErrorKind::InError {
                self.is_eom = true;
                self.status |= DEVICE_ERROR | VOLUME_ERROR;
            }
            return self.fail(kind);
        }
        self.close_file();
        Outcome::Ok
    }

    /// Writes the filemark of the open file (filemarks take no space).
    fn close_file(&mut self) {
        if let Some(f) = self.medium.files.last_mut() {
            f.closed = true;
        }
        self.in_file = false;
    }

    /// `finish`: closes an open file and returns to NULL (§5.1); in NULL it does nothing.
    fn finish(&mut self) -> Outcome {
        if self.mode == AccessMode::Null {
            return Outcome::Ok;
        }
        // tape-device.c `finish`: "Polish off this file, if relevant" through
        // `finish_file`, whose error `finish` returns; the session ends either way (the
        // Device trait: `finish` returns to NULL mode).
        let mut outcome = Outcome::Ok;
        if self.mode.is_writable() && self.in_file {
            outcome = self.finish_file();
        }
        self.in_file = false;
        self.mode = AccessMode::Null;
        outcome
    }

    /// `eject`: NULL mode and not in a file (§5.2); the volume leaves the drive.
    fn eject(&mut self) -> Outcome {
        if self.mode != AccessMode::Null || self.in_file {
            return Outcome::Error(ErrorKind::Misuse);
        }
        if self.offline {
            return self.fail(ErrorKind::Offline);
        }
        // The drive is now empty (ejecting an empty drive is not an error: device.c's
        // `device_eject` succeeds when there is nothing to do, §5.2): VOLUME_MISSING (§5.3).
        self.volume_gone();
        self.status |= VOLUME_MISSING;
        Outcome::Ok
    }

    /// The volume left the drive; its details go with it (device.c
    /// `device_clear_volume_details`).
    pub fn volume_gone(&mut self) {
        self.loaded = false;
        self.volume_label = None;
    }

    /// Puts the ejected volume back: a newly loaded volume starts with clean flags.
    fn reload(&mut self) -> Outcome {
        if self.offline {
            return Outcome::Ok;
        }
        // A loaded volume is at the beginning of the tape (mhvtl: BOM, sense 00/04).
        self.loaded = true;
        self.file = 0;
        self.block = 0;
        self.short = false;
        self.last_error = None;
        self.clear_flags();
        Outcome::Ok
    }

    /// `device_reset`: clears `is_eom` and the error status; an empty drive still has
    /// no volume. `is_eof` is about the read position, which a reset does not move.
    fn reset(&mut self) -> Outcome {
        self.is_eom = false;
        self.status = 0;
        self.last_error = None;
        if !self.loaded {
            self.status = VOLUME_MISSING;
        }
        Outcome::Ok
    }

    fn clear_flags(&mut self) {
        self.is_eom = false;
        self.is_eof = false;
        self.status = 0;
    }
}
