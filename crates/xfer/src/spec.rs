//! One-line chain specs: `random:1GiB,seed=7 -> xor:0x5a -> process:cat -> null`.
//!
//! Grammar: elements separated by `->`; each is `NAME` or `NAME:ARGS`.
//! - `random:SIZE[,seed=N][,prng=splitmix64|simpleprng]`, `pattern:SIZE[,text=STR|hex=HEX]`,
//!   `memory:text=STR|hex=HEX`, `fd:PATH` or `fd:-` / `-` (stdin as the
//!   first element, stdout as the last);
//! - `xor:KEY` (`0x5a` or `90`), `crc`, `process:COMMAND ARGS...` (split on
//!   blanks; single or double quotes group words);
//! - `null`, `buffer`, `crc-check:crc=0x...,size=SIZE`.
//!
//! Sizes: a number (decimals allowed) with an optional unit: `B`; SI `kB`,
//! `MB`, `GB`, `TB` (powers of 1000); IEC `KiB`, `MiB`, `GiB`, `TiB` and the
//! short `K`, `M`, `G`, `T` (powers of 1024); the result must be whole bytes.

use std::fmt;

use crate::element::Element;
use crate::elements::{
    BufferDest, BufferHandle, CrcCheckDest, CrcFilter, FdDest, FdSource, MemorySource, NullDest,
    PatternSource, Prng, ProcessFilter, RandomSource, ReceivedHandle, XorFilter,
};

/// A spec that does not parse, pointing at the offending element.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("chain spec element {index} `{text}`: expected {expected}")]
pub struct SpecError {
    /// 0-based position of the element in the spec.
    pub index: usize,
    /// The element's text as written.
    pub text: String,
    /// What was expected there.
    pub expected: String,
}

/// One parsed element, before it becomes a runnable [`Element`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElementSpec {
    /// `random:SIZE[,seed=N]`.
    Random {
        /// Bytes to produce.
        size: u64,
        /// Seed (default 0).
        seed: u64,
    },
    /// `random:SIZE,seed=N,prng=simpleprng`: Amanda's own source-random stream.
    RandomSimplePrng {
        /// Bytes to produce.
        size: u64,
        /// Seed (Amanda's is 32 bits and never 0).
        seed: u32,
    },
    /// `pattern:SIZE[,text=..|hex=..]`.
    Pattern {
        /// Bytes to produce.
        size: u64,
        /// The pattern (empty = default).
        pattern: Vec<u8>,
    },
    /// `memory:text=..|hex=..`.
    Memory {
        /// The bytes.
        data: Vec<u8>,
    },
    /// `fd:PATH` as a source (`None` = stdin).
    FdSource {
        /// The file, or `None` for stdin.
        path: Option<String>,
    },
    /// `xor:KEY`.
    Xor {
        /// The key.
        key: u8,
    },
    /// `crc`.
    Crc,
    /// `process:COMMAND ARGS...`.
    Process {
        /// Program and arguments.
        argv: Vec<String>,
    },
    /// `null`.
    Null,
    /// `buffer`.
    Buffer,
    /// `fd:PATH` as a destination (`None` = stdout).
    FdDest {
        /// The file, or `None` for stdout.
        path: Option<String>,
    },
    /// `crc-check:crc=..,size=..`.
    CrcCheck {
        /// Expected CRC-32C.
        crc: u32,
        /// Expected size.
        size: u64,
    },
}

impl fmt::Display for ElementSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElementSpec::Random { size, seed } => write!(f, "random:{size},seed={seed}"),
            ElementSpec::RandomSimplePrng { size, seed } => {
                write!(f, "random:{size},seed={seed},prng=simpleprng")
            }
            ElementSpec::Pattern { size, pattern } if pattern.is_empty() => {
                write!(f, "pattern:{size}")
            }
            ElementSpec::Pattern { size, pattern } => {
                write!(f, "pattern:{size},hex={}", hex(pattern))
            }
            ElementSpec::Memory { data } => write!(f, "memory:hex={}", hex(data)),
            ElementSpec::FdSource { path: Some(p) } | ElementSpec::FdDest { path: Some(p) } => {
                write!(f, "fd:{p}")
            }
            ElementSpec::FdSource { path: None } | ElementSpec::FdDest { path: None } => {
                f.write_str("-")
            }
            ElementSpec::Xor { key } => write!(f, "xor:{key:#04x}"),
            ElementSpec::Crc => f.write_str("crc"),
            ElementSpec::Process { argv } => write!(f, "process:{}", argv.join(" ")),
            ElementSpec::Null => f.write_str("null"),
            ElementSpec::Buffer => f.write_str("buffer"),
            ElementSpec::CrcCheck { crc, size } => {
                write!(f, "crc-check:crc={crc:#010x},size={size}")
            }
        }
    }
}

fn hex(data: &[u8]) -> String {
    data.iter().map(|b| format!("{b:02x}")).collect()
}

impl ElementSpec {
    /// Builds the runnable element; a `buffer` also yields its handle.
    pub fn build(&self) -> (Box<dyn Element>, Option<BufferHandle>) {
        let e: Box<dyn Element> = match self {
            ElementSpec::Random { size, seed } => Box::new(RandomSource::new(*size, *seed)),
            ElementSpec::RandomSimplePrng { size, seed } => Box::new(RandomSource::with_prng(
                *size,
                u64::from(*seed),
                Prng::SimplePrng,
            )),
            ElementSpec::Pattern { size, pattern } => Box::new(PatternSource::new(*size, pattern)),
            ElementSpec::Memory { data } => Box::new(MemorySource::new(data.clone())),
            ElementSpec::FdSource { path: Some(p) } => Box::new(FdSource::open(p)),
            ElementSpec::FdSource { path: None } => Box::new(FdSource::stdin()),
            ElementSpec::Xor { key } => Box::new(XorFilter::new(*key)),
            ElementSpec::Crc => Box::new(CrcFilter::new()),
            ElementSpec::Process { argv } => Box::new(ProcessFilter::new(argv.clone())),
            ElementSpec::Null => Box::new(NullDest::new()),
            ElementSpec::Buffer => {
                let (b, h) = BufferDest::new();
                return (Box::new(b), Some(h));
            }
            ElementSpec::FdDest { path: Some(p) } => Box::new(FdDest::create(p)),
            ElementSpec::FdDest { path: None } => Box::new(FdDest::stdout()),
            ElementSpec::CrcCheck { crc, size } => Box::new(CrcCheckDest::new(*crc, *size)),
        };
        (e, None)
    }
}

/// A parsed chain spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainSpec {
    /// The elements, source first.
    pub elements: Vec<ElementSpec>,
}

impl fmt::Display for ChainSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.elements.iter().map(ToString::to_string).collect();
        f.write_str(&parts.join(" -> "))
    }
}

/// A built chain: the elements plus the handle of its `buffer` or `null` destination.
pub struct BuiltChain {
    /// The elements, ready for [`crate::transfer::Xfer::linked`].
    pub elements: Vec<Box<dyn Element>>,
    /// The handle of the `buffer` destination, if the chain ends in one.
    pub buffer: Option<BufferHandle>,
    /// What the `null` destination received, if the chain ends in one.
    pub null: Option<ReceivedHandle>,
}

impl ChainSpec {
    /// Builds runnable elements.
    pub fn build(&self) -> BuiltChain {
        let (mut buffer, mut null) = (None, None);
        let elements = self
            .elements
            .iter()
            .map(|s| {
                if *s == ElementSpec::Null {
                    let d = NullDest::new();
                    null = Some(d.received());
                    return Box::new(d) as Box<dyn Element>;
                }
                let (e, h) = s.build();
                if h.is_some() {
                    buffer = h;
                }
                e
            })
            .collect();
        BuiltChain {
            elements,
            buffer,
            null,
        }
    }
}

/// Parses a one-line chain spec.
pub fn parse(spec: &str) -> Result<ChainSpec, SpecError> {
    let parts: Vec<&str> = spec.split("->").map(str::trim).collect();
    let last = parts.len() - 1;
    let mut elements = Vec::with_capacity(parts.len());
    for (index, text) in parts.iter().enumerate() {
        let err = |expected: &str| SpecError {
            index,
            text: (*text).to_string(),
            expected: expected.to_string(),
        };
        let position = if index == 0 {
            Position::First
        } else if index == last {
            Position::Last
        } else {
            Position::Middle
        };
        elements.push(parse_element(text, position).map_err(|e| err(&e))?);
    }
    if elements.len() < 2 {
        return Err(SpecError {
            index: 0,
            text: spec.trim().to_string(),
            expected: "at least a source and a destination separated by `->`".into(),
        });
    }
    Ok(ChainSpec { elements })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Position {
    First,
    Middle,
    Last,
}

const SOURCES: &str = "a source (random:SIZE, pattern:SIZE, memory:text=.., fd:PATH or -)";
const FILTERS: &str = "a filter (xor:KEY, crc, process:COMMAND)";
const DESTS: &str = "a destination (null, buffer, fd:PATH or -, crc-check:crc=..,size=..)";

fn parse_element(text: &str, pos: Position) -> Result<ElementSpec, String> {
    let (name, args) = match text.split_once(':') {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (text.trim(), None),
    };
    let wrong_place = |what: &str| match pos {
        Position::First => format!("{SOURCES}, not {what}"),
        Position::Middle => format!("{FILTERS}, not {what}"),
        Position::Last => format!("{DESTS}, not {what}"),
    };
    let no_args = |spec: ElementSpec| match args {
        None => Ok(spec),
        Some(_) => Err(format!("`{name}` without arguments")),
    };
    match (name, pos) {
        ("random", Position::First) => {
            let kv = KeyVals::parse(args.unwrap_or(""))?;
            let size = kv.size_positional("random:SIZE[,seed=N][,prng=..]")?;
            let seed = match kv.get("seed") {
                Some(s) => parse_u64(s).ok_or("seed=N with N an unsigned integer")?,
                None => 0,
            };
            kv.only(&["seed", "prng"])?;
            match kv.get("prng") {
                None | Some("splitmix64") => Ok(ElementSpec::Random { size, seed }),
                Some("simpleprng") => match u32::try_from(seed) {
                    Ok(seed) if seed != 0 => Ok(ElementSpec::RandomSimplePrng { size, seed }),
                    _ => Err("prng=simpleprng with seed=N, 0 < N < 2^32 (as Amanda)".into()),
                },
                Some(_) => Err("prng=splitmix64 or prng=simpleprng".into()),
            }
        }
        ("pattern", Position::First) => {
            let kv = KeyVals::parse(args.unwrap_or(""))?;
            let size = kv.size_positional("pattern:SIZE[,text=STR|hex=HEX]")?;
            let pattern = kv.bytes()?.unwrap_or_default();
            kv.only(&["text", "hex"])?;
            Ok(ElementSpec::Pattern { size, pattern })
        }
        ("memory", Position::First) => {
            let kv = KeyVals::parse(args.unwrap_or(""))?;
            if kv.positional.is_some() {
                return Err("memory:text=STR or memory:hex=HEX".into());
            }
            let data = kv.bytes()?.ok_or("memory:text=STR or memory:hex=HEX")?;
            kv.only(&["text", "hex"])?;
            Ok(ElementSpec::Memory { data })
        }
        ("-", Position::First) if args.is_none() => Ok(ElementSpec::FdSource { path: None }),
        ("-", Position::Last) if args.is_none() => Ok(ElementSpec::FdDest { path: None }),
        ("fd", Position::First | Position::Last) => {
            let path = match args {
                Some("-") => None,
                Some(p) if !p.is_empty() => Some(p.to_string()),
                _ => return Err("fd:PATH or fd:-".into()),
            };
            Ok(if pos == Position::First {
                ElementSpec::FdSource { path }
            } else {
                ElementSpec::FdDest { path }
            })
        }
        ("xor", Position::Middle) => {
            let key = args.and_then(parse_u64).and_then(|k| u8::try_from(k).ok());
            key.map(|key| ElementSpec::Xor { key })
                .ok_or_else(|| "xor:KEY with KEY a byte (0x5a or 90)".into())
        }
        ("crc", Position::Middle) => no_args(ElementSpec::Crc),
        ("process", Position::Middle) => {
            let argv = split_words(args.unwrap_or(""))?;
            if argv.is_empty() {
                return Err("process:COMMAND [ARGS...]".into());
            }
            Ok(ElementSpec::Process { argv })
        }
        ("null", Position::Last) => no_args(ElementSpec::Null),
        ("buffer", Position::Last) => no_args(ElementSpec::Buffer),
        ("crc-check", Position::Last) => {
            let usage = "crc-check:crc=0xHHHHHHHH,size=SIZE";
            let kv = KeyVals::parse(args.unwrap_or(""))?;
            let crc = kv
                .get("crc")
                .and_then(parse_u64)
                .and_then(|c| u32::try_from(c).ok())
                .ok_or(usage)?;
            let size = kv.get("size").map(parse_size).transpose()?.ok_or(usage)?;
            kv.only(&["crc", "size"])?;
            if kv.positional.is_some() {
                return Err(usage.into());
            }
            Ok(ElementSpec::CrcCheck { crc, size })
        }
        ("random" | "pattern" | "memory" | "-" | "fd", _) => Err(wrong_place("a source")),
        ("xor" | "crc" | "process", _) => Err(wrong_place("a filter")),
        ("null" | "buffer" | "crc-check", _) => Err(wrong_place("a destination")),
        _ => Err(wrong_place(&format!("unknown element `{name}`"))),
    }
}

/// `POSITIONAL,key=value,...` arguments.
struct KeyVals<'a> {
    positional: Option<&'a str>,
    pairs: Vec<(&'a str, &'a str)>,
}

impl<'a> KeyVals<'a> {
    fn parse(args: &'a str) -> Result<KeyVals<'a>, String> {
        let mut kv = KeyVals {
            positional: None,
            pairs: Vec::new(),
        };
        for (i, part) in args.split(',').map(str::trim).enumerate() {
            if part.is_empty() && args.trim().is_empty() {
                continue;
            }
            match part.split_once('=') {
                Some((k, v)) => kv.pairs.push((k.trim(), v.trim())),
                None if i == 0 => kv.positional = Some(part),
                None => return Err(format!("key=value, not `{part}`")),
            }
        }
        Ok(kv)
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.pairs.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn only(&self, keys: &[&str]) -> Result<(), String> {
        match self.pairs.iter().find(|(k, _)| !keys.contains(k)) {
            Some((k, _)) => Err(format!("one of the keys {}, not `{k}`", keys.join(", "))),
            None => Ok(()),
        }
    }

    fn size_positional(&self, usage: &str) -> Result<u64, String> {
        match self.positional {
            Some(s) => parse_size(s),
            None => Err(usage.to_string()),
        }
    }

    fn bytes(&self) -> Result<Option<Vec<u8>>, String> {
        match (self.get("text"), self.get("hex")) {
            (Some(_), Some(_)) => Err("text= or hex=, not both".into()),
            (Some(t), None) => Ok(Some(t.as_bytes().to_vec())),
            (None, Some(h)) => parse_hex(h)
                .map(Some)
                .ok_or_else(|| "hex=HEX with an even number of hex digits".into()),
            (None, None) => Ok(None),
        }
    }
}

fn parse_u64(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

/// Parses a size such as `64KiB`, `3.5 MiB`, `10MB`, `123`.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = (&s[..split], s[split..].trim());
    let expected = || format!("a size like 64KiB, 3.5 MiB or 10MB, not `{s}`");
    let mult: u64 = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000u64.pow(2),
        "gb" => 1000u64.pow(3),
        "tb" => 1000u64.pow(4),
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        _ => return Err(expected()),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    if int.is_empty() && frac.is_empty() || frac.contains('.') || frac.len() > 18 {
        return Err(expected());
    }
    let int: u128 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| expected())?
    };
    let frac_val: u128 = if frac.is_empty() {
        0
    } else {
        frac.parse().map_err(|_| expected())?
    };
    let scale = 10u128.pow(frac.len() as u32);
    let total = (int * scale + frac_val) * u128::from(mult);
    if !total.is_multiple_of(scale) {
        return Err(format!("a whole number of bytes, not `{s}`"));
    }
    u64::try_from(total / scale).map_err(|_| format!("a size below 16 EiB, not `{s}`"))
}

/// Splits a command line on blanks; quotes group words.
fn split_words(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, c) if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("a command with balanced quotes".into());
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}
