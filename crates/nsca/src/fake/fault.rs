//! The faults a fake server injects, as data, and their `--fault NAME:ARGS` syntax.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One injectable misbehaviour of a fake server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "fault", rename_all = "kebab-case")]
pub enum Fault {
    /// Never send the init packet; keep the connection open until the client closes.
    NoInit,
    /// Send the init packet only after this many milliseconds.
    DelayInit {
        /// Delay in milliseconds.
        millis: u64,
    },
    /// Send only the first `bytes` bytes of the init packet, then close.
    ShortInit {
        /// Bytes of the init packet sent (less than 132).
        bytes: usize,
    },
    /// Close the connection without sending anything.
    CloseImmediately,
    /// Send an all-zero IV.
    ZeroIv,
    /// Send this IV byte repeated 128 times.
    FixedIv {
        /// The IV byte.
        byte: u8,
    },
    /// Send this timestamp instead of the clock.
    FixedTimestamp {
        /// Seconds since the epoch (32 bits, as on the wire).
        timestamp: u32,
    },
    /// Close after receiving this many data bytes (counted after the init packet).
    CloseAfterBytes {
        /// Bytes received before closing.
        bytes: usize,
    },
    /// Close after receiving this many whole 4304-byte packets.
    CloseBetweenPackets {
        /// Packets received before closing.
        packets: usize,
    },
    /// Reset the connection (RST) after receiving this many data bytes.
    ResetAfterBytes {
        /// Bytes received before the reset.
        bytes: usize,
    },
    /// Read at most `chunk` bytes every `interval_millis` milliseconds.
    SlowReads {
        /// Bytes per read.
        chunk: usize,
        /// Pause between reads, in milliseconds.
        interval_millis: u64,
    },
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoInit => f.write_str("no-init"),
            Self::DelayInit { millis } => write!(f, "delay-init:{millis}"),
            Self::ShortInit { bytes } => write!(f, "short-init:{bytes}"),
            Self::CloseImmediately => f.write_str("close-immediately"),
            Self::ZeroIv => f.write_str("zero-iv"),
            Self::FixedIv { byte } => write!(f, "fixed-iv:{byte}"),
            Self::FixedTimestamp { timestamp } => write!(f, "fixed-timestamp:{timestamp}"),
            Self::CloseAfterBytes { bytes } => write!(f, "close-after-bytes:{bytes}"),
            Self::CloseBetweenPackets { packets } => write!(f, "close-between-packets:{packets}"),
            Self::ResetAfterBytes { bytes } => write!(f, "reset-after-bytes:{bytes}"),
            Self::SlowReads {
                chunk,
                interval_millis,
            } => write!(f, "slow-reads:{chunk}:{interval_millis}"),
        }
    }
}

/// A `--fault` argument that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "bad fault '{0}' (expected no-init, delay-init:MS, short-init:N, close-immediately, zero-iv, fixed-iv:BYTE, fixed-timestamp:T, close-after-bytes:N, close-between-packets:N, reset-after-bytes:N or slow-reads:CHUNK:MS)"
)]
pub struct FaultParseError(pub String);

impl FromStr for Fault {
    type Err = FaultParseError;

    /// Parses the `Display` form, e.g. `short-init:50` or `slow-reads:10:100`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || FaultParseError(s.to_owned());
        let mut parts = s.split(':');
        let name = parts.next().unwrap_or_default();
        let args: Vec<&str> = parts.collect();
        let num = |i: usize| -> Result<u64, FaultParseError> {
            args.get(i)
                .and_then(|a| a.parse::<u64>().ok())
                .ok_or_else(bad)
        };
        let size = |i: usize| num(i).and_then(|n| usize::try_from(n).map_err(|_| bad()));
        let want = |n: usize| if args.len() == n { Ok(()) } else { Err(bad()) };
        let fault = match name {
            "no-init" => want(0).map(|()| Self::NoInit)?,
            "delay-init" => want(1).and_then(|()| Ok(Self::DelayInit { millis: num(0)? }))?,
            "short-init" => want(1).and_then(|()| Ok(Self::ShortInit { bytes: size(0)? }))?,
            "close-immediately" => want(0).map(|()| Self::CloseImmediately)?,
            "zero-iv" => want(0).map(|()| Self::ZeroIv)?,
            "fixed-iv" => want(1).and_then(|()| {
                Ok(Self::FixedIv {
                    byte: u8::try_from(num(0)?).map_err(|_| bad())?,
                })
            })?,
            "fixed-timestamp" => want(1).and_then(|()| {
                Ok(Self::FixedTimestamp {
                    timestamp: u32::try_from(num(0)?).map_err(|_| bad())?,
                })
            })?,
            "close-after-bytes" => {
                want(1).and_then(|()| Ok(Self::CloseAfterBytes { bytes: size(0)? }))?
            }
            "close-between-packets" => {
                want(1).and_then(|()| Ok(Self::CloseBetweenPackets { packets: size(0)? }))?
            }
            "reset-after-bytes" => {
                want(1).and_then(|()| Ok(Self::ResetAfterBytes { bytes: size(0)? }))?
            }
            "slow-reads" => want(2).and_then(|()| {
                Ok(Self::SlowReads {
                    chunk: size(0)?.max(1),
                    interval_millis: num(1)?,
                })
            })?,
            _ => return Err(bad()),
        };
        Ok(fault)
    }
}
