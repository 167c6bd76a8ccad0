//! The spool file: locked with `flock` so servers sharing it never lose or duplicate lines.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

/// Lines in the spool file left by an earlier run (0 when there is none).
pub(super) fn count_lines_in(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|&&c| c == b'\n').count())
        .unwrap_or(0)
}

/// Opens the spool file and takes an exclusive `flock` on it.
///
/// `None` when it does not exist and `create` is false. A process that waited for
/// the lock while the file was replaced (see [`replace_file`]) retries on the new one.
pub(super) fn lock_spool(path: &Path, create: bool) -> std::io::Result<Option<Flock<File>>> {
    use std::os::unix::fs::MetadataExt;
    for _ in 0..16 {
        let file = match OpenOptions::new()
            .read(true)
            .append(true)
            .create(create)
            .mode(0o600)
            .open(path)
        {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound && !create => return Ok(None),
            Err(e) => return Err(e),
        };
        let locked = Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, errno)| std::io::Error::from(errno))?;
        let same = match (locked.metadata(), std::fs::metadata(path)) {
            (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
            _ => false,
        };
        if same {
            return Ok(Some(locked));
        }
    }
    Err(std::io::Error::other("spool file keeps being replaced"))
}

/// Atomically replaces `path` with `bytes` (write to a sibling, then rename); the
/// caller holds the lock of the old file.
pub(super) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    {
        let mut f = OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_data()?;
    }
    std::fs::rename(&tmp, path)
}
