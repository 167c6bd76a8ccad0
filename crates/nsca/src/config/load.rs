//! The `load` functions: read a config file from disk and ask the OS what nsca 2.10 asks
//! (effective uid, whether the check result directory is writable), then call the pure
//! parsers.
#![allow(
    clippy::disallowed_methods,
    reason = "the config module's IO shell: reads the file and probes the directory"
)]

use std::path::Path;

use super::{NscaConfig, ParseEnv, SendNscaConfig};
use crate::error::ConfigError;

impl NscaConfig {
    /// Reads and parses `path`, asking the OS what 2.10 asks (euid, check result directory).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let bytes = read(path)?;
        let env = ParseEnv {
            euid_is_root: euid_is_root(),
            dir_writable: &probe_dir_writable,
        };
        Self::parse(path, &bytes, &env)
    }
}

impl SendNscaConfig {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let bytes = read(path)?;
        Self::parse(path, &bytes)
    }
}

/// The file's bytes, or 2.10's error for a file that cannot be opened.
fn read(path: &Path) -> Result<Vec<u8>, ConfigError> {
    std::fs::read(path).map_err(|e| ConfigError::Open {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Whether the process runs with effective uid 0.
fn euid_is_root() -> bool {
    // The owner of /proc/self is the effective uid of this process.
    std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap_or(false)
}

/// nsca 2.10's test: create `<dir>/nsca.test.<pid>` and remove it again.
fn probe_dir_writable(dir: &Path) -> bool {
    let probe = dir.join(format!("nsca.test.{}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(&probe)
    {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            true
        }
        Err(_) => false,
    }
}
