//! Checkresult files (`check_result_path`): one `cXXXXXX` file and its `.ok` per result.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Creates `dir/cXXXXXX` (mode 0600, exclusive) with `content`, then `dir/cXXXXXX.ok`.
pub fn write_checkresult(dir: &Path, content: &[u8]) -> std::io::Result<PathBuf> {
    const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut last = std::io::Error::new(ErrorKind::AlreadyExists, "no free name");
    for _ in 0..100 {
        let mut random = [0u8; 6];
        getrandom::fill(&mut random).map_err(|e| std::io::Error::other(e.to_string()))?;
        let name: String = random
            .iter()
            .map(|b| char::from(ALNUM[usize::from(*b) % ALNUM.len()]))
            .collect();
        let path = dir.join(format!("c{name}"));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
        {
            Ok(mut f) => {
                f.write_all(content)?;
                f.sync_data()?;
                let mut ok = path.as_os_str().to_owned();
                ok.push(".ok");
                OpenOptions::new()
                    .write(true)
                    .create(true)
                    .truncate(true)
                    .mode(0o600)
                    .open(PathBuf::from(ok))?;
                return Ok(path);
            }
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}
