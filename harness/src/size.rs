//! Byte sizes as people write them: `4096`, `"64 KiB"`, `"3.5 MiB"`, `"10 MB"`.
//!
//! IEC units are powers of 1024, SI units powers of 1000. A size must come
//! out as a whole number of bytes; anything else is an error that says what
//! was wrong and which units exist.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A size in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ByteSize(pub u64);

/// The units accepted, with their multipliers.
pub const UNITS: &[(&str, u64)] = &[
    ("B", 1),
    ("KiB", 1 << 10),
    ("MiB", 1 << 20),
    ("GiB", 1 << 30),
    ("TiB", 1 << 40),
    ("kB", 1_000),
    ("KB", 1_000),
    ("MB", 1_000_000),
    ("GB", 1_000_000_000),
    ("TB", 1_000_000_000_000),
];

/// Why a size could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    /// The number part is missing or malformed.
    #[error("invalid size {text:?}: {why}")]
    Number {
        /// The whole text.
        text: String,
        /// What was wrong with the number.
        why: String,
    },
    /// The unit is not one of [`UNITS`].
    #[error(
        "invalid size {text:?}: unknown unit {unit:?} (expected one of B, KiB, MiB, GiB, TiB, kB, KB, MB, GB, TB)"
    )]
    Unit {
        /// The whole text.
        text: String,
        /// The unit as written.
        unit: String,
    },
    /// The value is not a whole number of bytes (`"1.5 B"`, `"0.1 KiB"`).
    #[error("invalid size {text:?}: {bytes} is not a whole number of bytes")]
    Fractional {
        /// The whole text.
        text: String,
        /// The exact value in bytes, as a fraction.
        bytes: String,
    },
    /// Larger than 2^64 - 1 bytes.
    #[error("invalid size {text:?}: too large")]
    Overflow {
        /// The whole text.
        text: String,
    },
}

impl FromStr for ByteSize {
    type Err = SizeError;

    fn from_str(s: &str) -> Result<Self, SizeError> {
        let text = s.trim();
        let split = text
            .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '_'))
            .unwrap_or(text.len());
        let (num, unit) = (text[..split].replace('_', ""), text[split..].trim());
        let number_err = |why: &str| SizeError::Number {
            text: s.to_string(),
            why: why.to_string(),
        };
        if num.is_empty() {
            return Err(number_err(
                "expected a number such as 4096, \"64 KiB\" or \"3.5 MiB\"",
            ));
        }
        let mult = if unit.is_empty() {
            1
        } else {
            UNITS
                .iter()
                .find(|(u, _)| *u == unit)
                .map(|(_, m)| *m)
                .ok_or_else(|| SizeError::Unit {
                    text: s.to_string(),
                    unit: unit.to_string(),
                })?
        };
        let (int, frac) = match num.split_once('.') {
            Some((i, f)) => (i, f),
            None => (num.as_str(), ""),
        };
        if int.is_empty() && frac.is_empty() || frac.contains('.') {
            return Err(number_err("malformed number"));
        }
        // Exact arithmetic: value = (int * 10^k + frac) * mult / 10^k.
        let digits = format!("{int}{frac}");
        let scale = 10u128
            .checked_pow(frac.len() as u32)
            .ok_or_else(|| number_err("too many decimals"))?;
        let mantissa: u128 = digits.parse().map_err(|_| SizeError::Overflow {
            text: s.to_string(),
        })?;
        let scaled = mantissa
            .checked_mul(mult as u128)
            .ok_or_else(|| SizeError::Overflow {
                text: s.to_string(),
            })?;
        if scaled % scale != 0 {
            return Err(SizeError::Fractional {
                text: s.to_string(),
                bytes: format!("{}/{}", scaled, scale),
            });
        }
        u64::try_from(scaled / scale)
            .map(ByteSize)
            .map_err(|_| SizeError::Overflow {
                text: s.to_string(),
            })
    }
}

impl fmt::Display for ByteSize {
    /// The largest IEC unit that divides the size exactly (`3.5 MiB` stays `3584 KiB`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (unit, mult) in [
            ("TiB", 1u64 << 40),
            ("GiB", 1 << 30),
            ("MiB", 1 << 20),
            ("KiB", 1 << 10),
        ] {
            if self.0 >= mult && self.0.is_multiple_of(mult) {
                return write!(f, "{} {unit}", self.0 / mult);
            }
        }
        write!(f, "{} B", self.0)
    }
}

impl Serialize for ByteSize {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.0 < 1024 || !self.0.is_multiple_of(1024) {
            s.serialize_u64(self.0)
        } else {
            s.serialize_str(&self.to_string())
        }
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = ByteSize;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a size: a whole number of bytes, or a string such as \"64 KiB\", \"3.5 MiB\", \"10 MB\"")
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<ByteSize, E> {
                Ok(ByteSize(v))
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<ByteSize, E> {
                u64::try_from(v)
                    .map(ByteSize)
                    .map_err(|_| E::custom(format!("invalid size {v}: negative")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<ByteSize, E> {
                Err(E::custom(format!(
                    "invalid size {v}: write fractional sizes with a unit, as a string (\"3.5 MiB\")"
                )))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ByteSize, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iec_si_and_plain_sizes_parse_exactly() {
        let cases = [
            ("4096", 4096),
            ("64 KiB", 65_536),
            ("3.5 MiB", 3_670_016),
            ("10 MB", 10_000_000),
            ("1GiB", 1 << 30),
            ("0", 0),
            ("1.5 kB", 1_500),
        ];
        for (text, bytes) in cases {
            assert_eq!(text.parse::<ByteSize>(), Ok(ByteSize(bytes)), "{text}");
        }
    }

    #[test]
    fn bad_sizes_say_what_is_wrong() {
        let unit = "3.5 MiBs".parse::<ByteSize>().unwrap_err().to_string();
        assert!(
            unit.contains("unknown unit \"MiBs\"") && unit.contains("KiB"),
            "{unit}"
        );
        let frac = "1.5 B".parse::<ByteSize>().unwrap_err().to_string();
        assert!(frac.contains("not a whole number of bytes"), "{frac}");
        assert!(matches!(
            "MiB".parse::<ByteSize>(),
            Err(SizeError::Number { .. })
        ));
        assert!(matches!(
            "99999999999 TiB".parse::<ByteSize>(),
            Err(SizeError::Overflow { .. })
        ));
    }

    #[test]
    fn display_uses_the_largest_exact_iec_unit() {
        assert_eq!(ByteSize(3_670_016).to_string(), "3584 KiB");
        assert_eq!(ByteSize(1 << 20).to_string(), "1 MiB");
        assert_eq!(ByteSize(1000).to_string(), "1000 B");
    }
}
