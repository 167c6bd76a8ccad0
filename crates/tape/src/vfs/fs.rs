//! The vfs device's filesystem access, with injectable faults.
//!
//! Fault model: the filesystem under a vfs volume can run out of space
//! ([`VfsFault::EnospcAfter`]: it has room for N more bytes, then `write`
//! fails with `ENOSPC` after a partial write, exactly as a full disk does;
//! truncating or deleting files gives the space back, and the free space the
//! LEOM check asks for is the room left), or fail one write with `EIO`
//! ([`VfsFault::EioOnWrite`]).
//! Without faults every call goes to the real filesystem, whose own
//! `ENOSPC`/`EFBIG` are reported the same way.

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

use serde::{Deserialize, Serialize};

/// A filesystem fault for the vfs device; plain data, so a fault plan can
/// carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum VfsFault {
    /// The filesystem accepts `bytes` more bytes from this device, then
    /// writes fail with `ENOSPC`; its free space (for LEOM) is what is left.
    EnospcAfter {
        /// Bytes that still fit.
        bytes: u64,
    },
    /// Write call number `nth` (from 0, label and headers included) fails
    /// with `EIO` before writing anything.
    EioOnWrite {
        /// Index of the failing write call.
        nth: u64,
    },
}

impl std::fmt::Display for VfsFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VfsFault::EnospcAfter { bytes } => write!(f, "ENOSPC after {bytes} bytes"),
            VfsFault::EioOnWrite { nth } => write!(f, "EIO on write {nth}"),
        }
    }
}

/// Why a write did not complete.
#[derive(Debug)]
pub(crate) enum WriteFail {
    /// Out of space (`ENOSPC` or `EFBIG`) after `written` bytes of the call.
    NoSpace { written: u64, source: io::Error },
    /// Any other error (bytes already written stay).
    Io { source: io::Error },
}

/// The filesystem as the vfs device sees it.
#[derive(Debug, Clone)]
pub(crate) struct Fs {
    /// Room left when [`VfsFault::EnospcAfter`] is active.
    room: Option<u64>,
    /// Write calls that fail with `EIO`.
    eio_on: Vec<u64>,
    /// Write calls made so far.
    writes: u64,
    /// The configured ENOSPC fault, reported when it fires.
    enospc: Option<VfsFault>,
    /// Injected faults that fired since the last [`Fs::take_fired`].
    fired: Vec<VfsFault>,
}

fn is_no_space(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::FileTooLarge
    )
}

impl Fs {
    pub(crate) fn new(faults: &[VfsFault]) -> Fs {
        let mut room = None;
        let mut eio_on = Vec::new();
        for f in faults {
            match f {
                VfsFault::EnospcAfter { bytes } => {
                    room = Some(room.map_or(*bytes, |r: u64| r.min(*bytes)));
                }
                VfsFault::EioOnWrite { nth } => eio_on.push(*nth),
            }
        }
        Fs {
            room,
            eio_on,
            writes: 0,
            enospc: room.map(|bytes| VfsFault::EnospcAfter { bytes }),
            fired: Vec::new(),
        }
    }

    /// Writes all of `buf` (Amanda's `vfs_device_robust_write`).
    pub(crate) fn write_all(&mut self, file: &mut File, buf: &[u8]) -> Result<(), WriteFail> {
        let call = self.writes;
        self.writes += 1;
        if self.eio_on.contains(&call) {
            self.fired.push(VfsFault::EioOnWrite { nth: call });
            return Err(WriteFail::Io {
                source: io::Error::other("Input/output error (injected EIO)"),
            });
        }
        let (allowed, short) = match self.room {
            Some(room) if (buf.len() as u64) > room => (room as usize, true),
            _ => (buf.len(), false),
        };
        let mut done = 0usize;
        while done < allowed {
            match file.write(&buf[done..allowed]) {
                Ok(0) => {
                    self.consume(done as u64);
                    return Err(WriteFail::NoSpace {
                        written: done as u64,
                        source: io::Error::new(io::ErrorKind::WriteZero, "write returned 0"),
                    });
                }
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if is_no_space(&e) => {
                    self.consume(done as u64);
                    return Err(WriteFail::NoSpace {
                        written: done as u64,
                        source: e,
                    });
                }
                Err(e) => {
                    self.consume(done as u64);
                    return Err(WriteFail::Io { source: e });
                }
            }
        }
        self.consume(done as u64);
        if short {
            self.fired.extend(self.enospc.clone());
            return Err(WriteFail::NoSpace {
                written: done as u64,
                source: io::Error::new(
                    io::ErrorKind::StorageFull,
                    "No space left on device (injected ENOSPC)",
                ),
            });
        }
        Ok(())
    }

    fn consume(&mut self, n: u64) {
        if let Some(room) = &mut self.room {
            *room = room.saturating_sub(n);
        }
    }

    /// The injected faults that fired since the last call, oldest first.
    pub(crate) fn take_fired(&mut self) -> Vec<VfsFault> {
        std::mem::take(&mut self.fired)
    }

    /// Bytes were removed from the volume (truncate, unlink): the room grows.
    pub(crate) fn released(&mut self, n: u64) {
        if let Some(room) = &mut self.room {
            *room = room.saturating_add(n);
        }
    }

    /// Free bytes available to the volume directory (`statvfs` `f_bavail * f_frsize`,
    /// or the room left under [`VfsFault::EnospcAfter`]).
    pub(crate) fn free_bytes(&self, dir: &Path) -> io::Result<u64> {
        if let Some(room) = self.room {
            return Ok(room);
        }
        let st = nix::sys::statvfs::statvfs(dir).map_err(io::Error::from)?;
        Ok(st.blocks_available().saturating_mul(st.fragment_size()))
    }
}
