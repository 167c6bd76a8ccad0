//! How a simulated drive is built: block sizes, LEOM, the early-warning style, compression.

use crate::device::DEFAULT_BLOCK_SIZE;

/// Amanda's `LARGEST_BLOCK_ESTIMATE` (tape-device.c): the default maximum block size, 16 MiB.
pub const LARGEST_BLOCK_ESTIMATE: usize = 16 * 1024 * 1024;

/// How the drive signals the early warning (the OS tape driver's convention).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum EarlyWarningStyle {
    /// Linux `st`: the block that enters the zone is written; the next write returns
    /// ENOSPC with nothing written; later writes alternate success and ENOSPC.
    #[default]
    Linux,
    /// FreeBSD/Solaris: the first write into the zone returns 0 bytes (nothing written);
    /// later writes succeed until the physical end.
    Bsd,
}

/// How a simulated drive is built (serde: every field optional, defaults as [`Default`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SimConfig {
    /// Initial `BLOCK_SIZE` (Amanda's tape default: 32 KiB).
    pub block_size: usize,
    /// `MIN_BLOCK_SIZE` (Amanda's tape default: 32 KiB; tests may lower it).
    pub min_block_size: usize,
    /// `MAX_BLOCK_SIZE` (Amanda's tape default: [`LARGEST_BLOCK_ESTIMATE`]).
    pub max_block_size: usize,
    /// Initial `LEOM` property (Amanda's tape default: off).
    pub leom: bool,
    /// How the early warning is signalled.
    pub early_warning: EarlyWarningStyle,
    /// Compression ratio in percent used while `COMPRESSION` is on (200 = 2:1);
    /// 0 is taken as 100.
    pub compression_percent: u32,
}

impl Default for SimConfig {
    /// Amanda's tape-device defaults: 32 KiB blocks, LEOM off, Linux `st`, no compression.
    fn default() -> Self {
        SimConfig {
            block_size: DEFAULT_BLOCK_SIZE,
            min_block_size: DEFAULT_BLOCK_SIZE,
            max_block_size: LARGEST_BLOCK_ESTIMATE,
            leom: false,
            early_warning: EarlyWarningStyle::Linux,
            compression_percent: 100,
        }
    }
}

impl SimConfig {
    /// Tape defaults with LEOM detection on.
    pub fn with_leom() -> SimConfig {
        SimConfig {
            leom: true,
            ..SimConfig::default()
        }
    }
}
