//! One differential case: a chain of the elements both Amanda 3.5.1 and
//! reelcheck-xfer have, with its parameters; every chain shape up to a
//! length, seeded draws, and the text form a finding is replayed from.
//!
//! Text form, one element a line (source first), `#` comments:
//! `random SIZE SEED` (simpleprng), `pattern SIZE HEX`, `fdsrc SIZE SEED`
//! (a file of SIZE seeded bytes), `xor KEY`, `crc`, `process HEXWORD...`,
//! `null SEED` (0 = no verification), `buffer`, `fddest`; and optionally
//! `config buffer_size=N` (our runtime's buffer size).

use std::fmt::{self, Write as _};

use rand::RngExt as _;
use rand::seq::IndexedRandom as _;

use crate::rng::{Rng, Seed};

/// Element kinds, in shape order: sources, filters, destinations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `Source::Random` / `random:..,prng=simpleprng`.
    Random,
    /// `Source::Pattern` / `pattern`.
    Pattern,
    /// `Source::Fd` / `fd:PATH`.
    FdSrc,
    /// `Filter::Xor` / `xor`.
    Xor,
    /// `Filter::Crc` / `crc`.
    Crc,
    /// `Filter::Process` / `process`.
    Process,
    /// `Dest::Null` / `null`.
    Null,
    /// `Dest::Buffer` / `buffer`.
    Buffer,
    /// `Dest::Fd` / `fd:PATH`.
    FdDest,
}

/// Source kinds.
pub const SOURCES: [Kind; 3] = [Kind::Random, Kind::Pattern, Kind::FdSrc];
/// Filter kinds.
pub const FILTERS: [Kind; 3] = [Kind::Xor, Kind::Crc, Kind::Process];
/// Destination kinds.
pub const DESTS: [Kind; 3] = [Kind::Null, Kind::Buffer, Kind::FdDest];

/// The commands process filters run (absolute: Amanda's filter-process
/// `execve`s its argv[0] without a PATH search).
pub const COMMANDS: [&[&str]; 3] = [
    &["/bin/cat"],
    &["/usr/bin/tr", "a-z", "A-Z"],
    &["/bin/sh", "-c", "gzip -n | gzip -dc"],
];

/// One element with its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elem {
    /// simpleprng bytes.
    Random {
        /// Bytes.
        size: u64,
        /// Seed, never 0.
        seed: u32,
    },
    /// A repeated pattern.
    Pattern {
        /// Bytes.
        size: u64,
        /// The pattern, never empty.
        pattern: Vec<u8>,
    },
    /// A file of seeded bytes, read through an fd.
    FdSrc {
        /// Bytes.
        size: u64,
        /// Seed of the content.
        seed: u64,
    },
    /// XOR with a key.
    Xor {
        /// The key.
        key: u8,
    },
    /// CRC filter.
    Crc,
    /// A child process.
    Process {
        /// Program and arguments.
        argv: Vec<String>,
    },
    /// Discard (and, with a seed, verify the simpleprng stream).
    Null {
        /// Verification seed (0 = none).
        seed: u32,
    },
    /// Collect in memory.
    Buffer,
    /// Write to a file through an fd.
    FdDest,
}

impl Elem {
    /// The element's kind.
    pub fn kind(&self) -> Kind {
        match self {
            Elem::Random { .. } => Kind::Random,
            Elem::Pattern { .. } => Kind::Pattern,
            Elem::FdSrc { .. } => Kind::FdSrc,
            Elem::Xor { .. } => Kind::Xor,
            Elem::Crc => Kind::Crc,
            Elem::Process { .. } => Kind::Process,
            Elem::Null { .. } => Kind::Null,
            Elem::Buffer => Kind::Buffer,
            Elem::FdDest => Kind::FdDest,
        }
    }
}

/// A whole case: the chain and our runtime's buffer size.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Case {
    /// The chain, source first.
    pub elems: Vec<Elem>,
    /// Our glue and source buffer size (Amanda's is fixed; output must not depend on it).
    pub buffer_size: usize,
}

/// Every shape (sequence of kinds) of length 2..=`max_len`: one source,
/// filters, one destination.
pub fn shapes(max_len: usize) -> Vec<Vec<Kind>> {
    let mut out = Vec::new();
    for len in 2..=max_len.max(2) {
        let mut middles: Vec<Vec<Kind>> = vec![Vec::new()];
        for _ in 0..len - 2 {
            middles = middles
                .into_iter()
                .flat_map(|m| {
                    FILTERS.iter().map(move |f| {
                        let mut m = m.clone();
                        m.push(*f);
                        m
                    })
                })
                .collect();
        }
        for s in SOURCES {
            for m in &middles {
                for d in DESTS {
                    let mut shape = vec![s];
                    shape.extend_from_slice(m);
                    shape.push(d);
                    out.push(shape);
                }
            }
        }
    }
    out
}

/// Sizes drawn. 0 is drawn only for fd sources: to Amanda's random and
/// pattern sources a length of 0 means "unlimited" (source-random.c:205
/// `limited_length = (length != 0)`, source-pattern.c:232), to ours "empty".
const SIZES: [u64; 9] = [0, 1, 100, 10_239, 10_240, 10_241, 32_768, 70_001, 200_000];
const PATTERNS: [&[u8]; 4] = [b"abc", b"0123456789abcdef", b"x", b"Hello, Amanda!"];
const BUFFER_SIZES: [usize; 3] = [4096, 32 * 1024, 64 * 1024];

/// A random shape of length 2..=`max_len`.
pub fn draw_shape(rng: &mut Rng, max_len: usize) -> Vec<Kind> {
    let len = rng.random_range(2..=max_len.max(2));
    let mut shape = vec![*SOURCES.choose(rng).unwrap_or(&Kind::Random)];
    for _ in 0..len - 2 {
        shape.push(*FILTERS.choose(rng).unwrap_or(&Kind::Crc));
    }
    shape.push(*DESTS.choose(rng).unwrap_or(&Kind::Null));
    shape
}

/// Draws the parameters of `shape` from `seed`.
pub fn draw(shape: &[Kind], seed: Seed) -> Case {
    let mut rng = seed.rng();
    let size = *SIZES.choose(&mut rng).unwrap_or(&70_001);
    let src_seed: u32 = rng.random_range(1..=u32::MAX);
    let mut elems: Vec<Elem> = shape
        .iter()
        .map(|k| match k {
            Kind::Random => Elem::Random {
                size: size.max(1),
                seed: src_seed,
            },
            Kind::Pattern => Elem::Pattern {
                size: size.max(1),
                pattern: PATTERNS.choose(&mut rng).unwrap_or(&PATTERNS[0]).to_vec(),
            },
            Kind::FdSrc => Elem::FdSrc {
                size,
                seed: rng.random(),
            },
            Kind::Xor => Elem::Xor { key: rng.random() },
            Kind::Crc => Elem::Crc,
            Kind::Process => Elem::Process {
                argv: COMMANDS
                    .choose(&mut rng)
                    .unwrap_or(&COMMANDS[0])
                    .iter()
                    .map(|w| (*w).to_string())
                    .collect(),
            },
            Kind::Null => Elem::Null { seed: 0 },
            Kind::Buffer => Elem::Buffer,
            Kind::FdDest => Elem::FdDest,
        })
        .collect();
    // Amanda's Dest::Null verifies the simpleprng stream when it arrives unchanged.
    if let (Some(Elem::Random { seed, .. }), Some(Elem::Null { .. })) =
        (elems.first(), elems.last())
    {
        let seed = *seed;
        if preserves_bytes(&elems)
            && let Some(last) = elems.last_mut()
        {
            *last = Elem::Null { seed };
        }
    }
    Case {
        elems,
        buffer_size: *BUFFER_SIZES.choose(&mut rng).unwrap_or(&32_768),
    }
}

/// True when the filters leave every byte as it was: crc, cat and the gzip
/// round trip, and xors whose keys cancel out; never `tr`.
pub fn preserves_bytes(elems: &[Elem]) -> bool {
    let mut key = 0u8;
    for e in elems {
        match e {
            Elem::Xor { key: k } => key ^= k,
            Elem::Process { argv } if argv.first().is_some_and(|p| p.ends_with("tr")) => {
                return false;
            }
            _ => {}
        }
    }
    key == 0
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

impl fmt::Display for Case {
    /// The text form (see the module documentation).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "config buffer_size={}", self.buffer_size)?;
        for e in &self.elems {
            let mut line = String::new();
            let _ = match e {
                Elem::Random { size, seed } => write!(line, "random {size} {seed}"),
                Elem::Pattern { size, pattern } => write!(line, "pattern {size} {}", hex(pattern)),
                Elem::FdSrc { size, seed } => write!(line, "fdsrc {size} {seed}"),
                Elem::Xor { key } => write!(line, "xor {key}"),
                Elem::Crc => write!(line, "crc"),
                Elem::Process { argv } => {
                    let words: Vec<String> = argv.iter().map(|w| hex(w.as_bytes())).collect();
                    write!(line, "process {}", words.join(" "))
                }
                Elem::Null { seed } => write!(line, "null {seed}"),
                Elem::Buffer => write!(line, "buffer"),
                Elem::FdDest => write!(line, "fddest"),
            };
            writeln!(f, "{line}")?;
        }
        Ok(())
    }
}

/// A case text that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("case line {line}: {what}")]
pub struct CaseParseError {
    /// 1-based line number.
    pub line: usize,
    /// What was wrong.
    pub what: String,
}

impl std::str::FromStr for Case {
    type Err = CaseParseError;

    fn from_str(text: &str) -> Result<Case, CaseParseError> {
        let mut case = Case {
            elems: Vec::new(),
            buffer_size: 32 * 1024,
        };
        for (i, raw) in text.lines().enumerate() {
            let err = |what: &str| CaseParseError {
                line: i + 1,
                what: what.to_string(),
            };
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let words: Vec<&str> = line.split_whitespace().collect();
            let num = |k: usize| -> Result<u64, CaseParseError> {
                words
                    .get(k)
                    .and_then(|w| w.parse().ok())
                    .ok_or_else(|| err("a number"))
            };
            let elem = match words[0] {
                "config" => {
                    let n = words
                        .get(1)
                        .and_then(|w| w.strip_prefix("buffer_size="))
                        .and_then(|n| n.parse().ok())
                        .ok_or_else(|| err("config buffer_size=N"))?;
                    case.buffer_size = n;
                    continue;
                }
                "random" => Elem::Random {
                    size: num(1)?,
                    seed: u32::try_from(num(2)?).map_err(|_| err("a 32-bit seed"))?,
                },
                "pattern" => Elem::Pattern {
                    size: num(1)?,
                    pattern: words
                        .get(2)
                        .and_then(|h| unhex(h))
                        .ok_or_else(|| err("a hex pattern"))?,
                },
                "fdsrc" => Elem::FdSrc {
                    size: num(1)?,
                    seed: num(2)?,
                },
                "xor" => Elem::Xor {
                    key: u8::try_from(num(1)?).map_err(|_| err("a byte key"))?,
                },
                "crc" => Elem::Crc,
                "process" => Elem::Process {
                    argv: words[1..]
                        .iter()
                        .map(|h| unhex(h).and_then(|b| String::from_utf8(b).ok()))
                        .collect::<Option<Vec<String>>>()
                        .ok_or_else(|| err("hex-encoded words"))?,
                },
                "null" => Elem::Null {
                    seed: u32::try_from(num(1)?).map_err(|_| err("a 32-bit seed"))?,
                },
                "buffer" => Elem::Buffer,
                "fddest" => Elem::FdDest,
                other => return Err(err(&format!("unknown element `{other}`"))),
            };
            case.elems.push(elem);
        }
        if case.elems.len() < 2 {
            return Err(CaseParseError {
                line: 0,
                what: "at least a source and a destination".into(),
            });
        }
        Ok(case)
    }
}

/// The content of an `fdsrc` file: `size` bytes from `seed`.
pub fn fd_content(size: u64, seed: u64) -> Vec<u8> {
    let mut rng = Seed(seed).rng();
    (0..size).map(|_| rng.random::<u8>()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_count_every_sequence() {
        // 3 sources x 3 destinations x (1 + 3 + 9) filter sequences.
        assert_eq!(shapes(4).len(), 9 * 13);
        assert_eq!(shapes(6).len(), 9 * 121);
        assert_eq!(shapes(2).len(), 9);
    }

    #[test]
    fn a_case_survives_its_text_form() {
        for (k, shape) in shapes(5).iter().enumerate() {
            let case = draw(shape, Seed(k as u64));
            let back: Case = case.to_string().parse().expect("parses");
            assert_eq!(back, case);
        }
    }

    #[test]
    fn null_verifies_only_an_unchanged_stream() {
        let keep = [Elem::Xor { key: 3 }, Elem::Crc, Elem::Xor { key: 3 }];
        assert!(preserves_bytes(&keep));
        assert!(!preserves_bytes(&[Elem::Xor { key: 3 }]));
        let tr = Elem::Process {
            argv: COMMANDS[1].iter().map(|w| (*w).to_string()).collect(),
        };
        assert!(!preserves_bytes(&[tr]));
    }
}
