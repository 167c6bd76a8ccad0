//! The optional `pid_file`, as nsca 2.10 handles it.
//!
//! At start-up an existing pid file naming a live process other than this one makes
//! the server refuse to start; a stale one is replaced.
//! The file is written before privileges are dropped (and handed to `nsca_user` /
//! `nsca_group`) and removed at shutdown.
//! Unlike 2.10 the file is truncated before writing, so a shorter pid never leaves
//! digits of an older, longer one behind.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::sys::signal::kill;
use nix::unistd::{Gid, Pid, Uid, fchown};

/// Why the pid file stops the start-up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PidFileError {
    /// Another live process holds the pid file (2.10's message).
    #[error("There's already an NSCA server running (PID {pid}).  Bailing out...")]
    AlreadyRunning {
        /// The pid file.
        path: PathBuf,
        /// The pid found in it.
        pid: i32,
    },
}

/// A written pid file; remove it with [`PidFile::remove`] at shutdown.
#[derive(Debug)]
pub struct PidFile {
    path: PathBuf,
    written: bool,
}

impl PidFile {
    /// Checks for a running server, then writes our pid (owned by `owner` when given).
    ///
    /// A pid file that cannot be written is not fatal (2.10 logs and goes on):
    /// the returned value then reports `written() == false` and the error text.
    pub fn create(
        path: &Path,
        owner: Option<(Uid, Gid)>,
    ) -> Result<(Self, Option<String>), PidFileError> {
        if let Ok(text) = fs::read_to_string(path) {
            let digits: String = text
                .trim_start()
                .chars()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            if let Ok(pid) = digits.parse::<i32>()
                && pid > 0
            {
                let me = i32::try_from(std::process::id()).unwrap_or(-1);
                if pid != me && kill(Pid::from_raw(pid), None).is_ok() {
                    return Err(PidFileError::AlreadyRunning {
                        path: path.to_owned(),
                        pid,
                    });
                }
            }
            let _ = fs::remove_file(path);
        }
        let written = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(path)
            .and_then(|mut f| {
                writeln!(f, "{}", std::process::id())?;
                if let Some((uid, gid)) = owner {
                    fchown(&f, Some(uid), Some(gid)).map_err(std::io::Error::from)?;
                }
                Ok(())
            });
        let error = written.as_ref().err().map(|e| {
            format!(
                "Cannot write to pidfile '{}' - check your privileges. ({e})",
                path.display()
            )
        });
        Ok((
            Self {
                path: path.to_owned(),
                written: written.is_ok(),
            },
            error,
        ))
    }

    /// Whether the file was written (and so will be removed).
    pub fn written(&self) -> bool {
        self.written
    }

    /// The pid file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the file if we wrote it; returns 2.10's message on failure.
    pub fn remove(self) -> Result<(), String> {
        if !self.written {
            return Ok(());
        }
        match fs::remove_file(&self.path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(format!(
                "Cannot remove pidfile '{}' - check your privileges. ({e})",
                self.path.display()
            )),
        }
    }
}
