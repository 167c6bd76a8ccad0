//! The one source of randomness in the harness: seeded, deterministic, portable.
//!
//! Every fuzzer, fault plan and fake peer draws from a [`Seed`]-derived
//! ChaCha stream, so a seed printed with a failure reproduces the run on any
//! machine. The thread RNG is never used.

use std::fmt;
use std::str::FromStr;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The environment variable that overrides a default seed.
pub const SEED_ENV: &str = "REELCHECK_SEED";

/// The deterministic generator the harness uses everywhere.
pub type Rng = ChaCha8Rng;

/// A 64-bit seed, printed and parsed as `0x…` hex (decimal is accepted too).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Seed(pub u64);

impl Seed {
    /// A generator for this seed.
    pub fn rng(self) -> Rng {
        Rng::seed_from_u64(self.0)
    }

    /// A generator for an independent stream of this seed (e.g. one per actor),
    /// so adding draws in one actor does not shift another's.
    pub fn stream(self, stream: u64) -> Rng {
        let mut rng = self.rng();
        rng.set_stream(stream);
        rng
    }

    /// The seed from `REELCHECK_SEED` when set and valid, else `default`.
    ///
    /// # Errors
    /// A set but unparseable variable is an error, never silently ignored.
    pub fn from_env_or(default: Seed) -> Result<Seed, ParseSeedError> {
        match std::env::var(SEED_ENV) {
            Ok(text) => text.parse(),
            Err(_) => Ok(default),
        }
    }
}

impl fmt::Display for Seed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// A seed that is neither `0x…` hex nor a decimal `u64`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid seed {text:?}: expected a u64 in decimal or 0x-prefixed hex")]
pub struct ParseSeedError {
    /// The text that was given.
    pub text: String,
}

impl FromStr for Seed {
    type Err = ParseSeedError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().replace('_', "");
        let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            Some(hex) => u64::from_str_radix(hex, 16),
            None => t.parse::<u64>(),
        };
        parsed.map(Seed).map_err(|_| ParseSeedError {
            text: s.to_string(),
        })
    }
}

/// A run of consecutive seeds: `--seeds A..B` (B excluded), or `--seed S --cases N`.
/// Seeds wrap past `u64::MAX` to 0, so every start can run any number of cases.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedRange {
    /// First seed.
    pub start: u64,
    /// Number of seeds.
    pub count: u64,
}

impl SeedRange {
    /// `count` seeds from `start`.
    pub fn from_start(start: Seed, count: u64) -> Self {
        SeedRange {
            start: start.0,
            count,
        }
    }

    /// The seeds in order.
    pub fn iter(self) -> impl Iterator<Item = Seed> {
        (0..self.count).map(move |i| Seed(self.start.wrapping_add(i)))
    }

    /// Number of seeds.
    pub fn len(self) -> u64 {
        self.count
    }

    /// True when the range holds no seed.
    pub fn is_empty(self) -> bool {
        self.count == 0
    }
}

/// A `--seeds A..B` that is not a usable range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SeedRangeError {
    /// Not two seeds joined by `..`.
    #[error("invalid seed range {text:?}: expected A..B with seeds in decimal or 0x hex")]
    Syntax {
        /// The text that was given.
        text: String,
    },
    /// The end comes before the start, or equals it (nothing would run).
    #[error("seed range {text:?} holds no seed: B must be greater than A (B is excluded)")]
    Empty {
        /// The text that was given.
        text: String,
    },
}

impl FromStr for SeedRange {
    type Err = SeedRangeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let syntax = || SeedRangeError::Syntax {
            text: s.to_string(),
        };
        let (a, b) = s.split_once("..").ok_or_else(syntax)?;
        let start: Seed = a.parse().map_err(|_| syntax())?;
        let end: Seed = b.parse().map_err(|_| syntax())?;
        if end.0 <= start.0 {
            return Err(SeedRangeError::Empty {
                text: s.to_string(),
            });
        }
        Ok(SeedRange::from_start(start, end.0 - start.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt as _;

    #[test]
    fn same_seed_same_stream_and_streams_differ() {
        let a: Vec<u32> = (0..4).map(|_| Seed(7).rng().random()).collect();
        let b: Vec<u32> = (0..4).map(|_| Seed(7).rng().random()).collect();
        assert_eq!(a, b);
        let s1: u64 = Seed(7).stream(1).random();
        let s2: u64 = Seed(7).stream(2).random();
        assert_ne!(s1, s2);
    }

    #[test]
    fn seeds_parse_hex_and_decimal_and_reject_junk() {
        assert_eq!("0x2a".parse::<Seed>().unwrap(), Seed(42));
        assert_eq!("42".parse::<Seed>().unwrap(), Seed(42));
        assert!("forty-two".parse::<Seed>().is_err());
        assert_eq!(Seed(42).to_string(), "0x2a");
        let r: SeedRange = "10..13".parse().unwrap();
        assert_eq!(
            r.iter().collect::<Vec<_>>(),
            vec![Seed(10), Seed(11), Seed(12)]
        );
        assert!(matches!(
            "10..5".parse::<SeedRange>(),
            Err(SeedRangeError::Empty { .. })
        ));
        assert!(matches!(
            "5..5".parse::<SeedRange>(),
            Err(SeedRangeError::Empty { .. })
        ));
        assert!(matches!(
            "5-9".parse::<SeedRange>(),
            Err(SeedRangeError::Syntax { .. })
        ));
    }

    #[test]
    fn a_range_from_the_last_seed_wraps_to_zero() {
        let r = SeedRange::from_start(Seed(u64::MAX), 3);
        assert_eq!(
            r.iter().collect::<Vec<_>>(),
            vec![Seed(u64::MAX), Seed(0), Seed(1)]
        );
    }
}
