//! `fd`: a source reading an fd, a destination writing one (Amanda's
//! source-fd and dest-fd). Both are passive: they only hand their fd to the
//! neighbour (READFD / WRITEFD); glue or a child process does the IO.
//!
//! Shell: opening the named file at setup is this element's IO.
#![allow(clippy::disallowed_methods)] // Shell: opens the file an fd element names.

use std::fs::{File, OpenOptions};
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::Mutex;

use crate::cancel::TrackedFd;
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::{Mech, MechPair};
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// Where an fd element's fd comes from.
#[derive(Debug)]
enum Origin {
    Path(PathBuf),
    Std,
    Fd(Mutex<Option<OwnedFd>>),
}

impl Origin {
    fn open(&self, write: bool) -> Result<OwnedFd, Error> {
        match self {
            Origin::Path(p) => {
                let f = if write {
                    OpenOptions::new()
                        .write(true)
                        .create(true)
                        .truncate(true)
                        .open(p)
                } else {
                    File::open(p)
                };
                f.map(OwnedFd::from).map_err(|e| Error::Io {
                    context: format!("opening {}", p.display()),
                    source: e,
                })
            }
            Origin::Std => {
                let r = if write {
                    std::io::stdout().as_fd_dup()
                } else {
                    std::io::stdin().as_fd_dup()
                };
                r.map_err(|e| Error::Io {
                    context: if write { "dup stdout" } else { "dup stdin" }.into(),
                    source: e,
                })
            }
            Origin::Fd(fd) => lock(fd)
                .take()
                .ok_or_else(|| Error::Misuse("fd element set up twice".into())),
        }
    }
}

trait DupFd {
    fn as_fd_dup(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> DupFd for T {
    fn as_fd_dup(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

/// A source whose output fd downstream reads (READFD).
#[derive(Debug)]
pub struct FdSource {
    origin: Origin,
    fd: Mutex<Option<TrackedFd>>,
}

impl FdSource {
    /// Reads the file at `path` (opened at setup).
    pub fn open(path: impl Into<PathBuf>) -> FdSource {
        FdSource {
            origin: Origin::Path(path.into()),
            fd: Mutex::new(None),
        }
    }

    /// Reads standard input (a duplicate of fd 0).
    pub fn stdin() -> FdSource {
        FdSource {
            origin: Origin::Std,
            fd: Mutex::new(None),
        }
    }

    /// Reads `fd`.
    pub fn from_fd(fd: OwnedFd) -> FdSource {
        FdSource {
            origin: Origin::Fd(Mutex::new(Some(fd))),
            fd: Mutex::new(None),
        }
    }
}

impl Element for FdSource {
    fn name(&self) -> &str {
        "fd"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::SourceFd, version)
    }

    fn setup(&self, cx: &Cx<'_>, _input: Mech, _output: Mech) -> Result<(), Error> {
        let fd = self.origin.open(false)?;
        *lock(&self.fd) = Some(cx.registry().track(fd));
        Ok(())
    }

    fn take_output_fd(&self) -> Option<TrackedFd> {
        lock(&self.fd).take()
    }
}

/// A destination whose input fd upstream writes (WRITEFD).
#[derive(Debug)]
pub struct FdDest {
    origin: Origin,
    fd: Mutex<Option<TrackedFd>>,
}

impl FdDest {
    /// Writes the file at `path` (created or truncated at setup).
    pub fn create(path: impl Into<PathBuf>) -> FdDest {
        FdDest {
            origin: Origin::Path(path.into()),
            fd: Mutex::new(None),
        }
    }

    /// Writes standard output (a duplicate of fd 1).
    pub fn stdout() -> FdDest {
        FdDest {
            origin: Origin::Std,
            fd: Mutex::new(None),
        }
    }

    /// Writes `fd`.
    pub fn from_fd(fd: OwnedFd) -> FdDest {
        FdDest {
            origin: Origin::Fd(Mutex::new(Some(fd))),
            fd: Mutex::new(None),
        }
    }
}

impl Element for FdDest {
    fn name(&self) -> &str {
        "fd"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::DestFd, version)
    }

    fn setup(&self, cx: &Cx<'_>, _input: Mech, _output: Mech) -> Result<(), Error> {
        let fd = self.origin.open(true)?;
        *lock(&self.fd) = Some(cx.registry().track(fd));
        Ok(())
    }

    fn take_input_fd(&self) -> Option<TrackedFd> {
        lock(&self.fd).take()
    }
}
