//! What a transfer chain in spec syntax must deliver, computed from what each
//! element is documented to do, never by running the crate.
//!
//! Sources: `random:SIZE[,seed=N]` is the [`splitmix`](super::splitmix) stream
//! (seed 0 by default); `pattern:SIZE[,text=STR|hex=HEX]` repeats its pattern
//! (`0123456789abcdef` by default); `memory:text=STR|hex=HEX` is its bytes.
//! Filters: `xor:KEY` xors every byte; `crc` passes bytes unchanged and reports
//! the [`crc32c`](super::crc32c) of what went through; `process:cat` is the
//! identity, `process:tr a-z A-Z` upper-cases ASCII letters, and the pair
//! `process:gzip -n` then `process:gzip -dc` is the identity, and
//! `process:sh -c 'exit N'` reads nothing and writes nothing. Destinations:
//! `null`, `buffer`, `fd:PATH`. Anything else is outside the model.

use std::fmt::Write as _;

use crate::size::ByteSize;

use super::crc32c::Crc32c;
use super::splitmix;

/// The largest source the oracle materialises.
pub const MAX_MODEL_BYTES: u64 = 256 << 20;

/// What a chain must deliver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expected {
    /// The bytes the source emits.
    pub source: Vec<u8>,
    /// The bytes the destination receives.
    pub output: Vec<u8>,
    /// For each `crc` filter, by element index: the CRC-32C and byte count of
    /// what passed through it.
    pub crcs: Vec<(usize, u32, u64)>,
}

/// The model of one element's effect on the bytes.
enum Filter {
    Xor(u8),
    Crc,
    Identity,
    Upper,
    /// A child that exits without writing: nothing passes.
    Nothing,
}

/// The oracle's expectation for the chain `elements` (spec syntax, source first).
///
/// # Errors
/// An element outside the model, named with its position.
pub fn expected(elements: &[String]) -> Result<Expected, String> {
    let (first, rest) = elements.split_first().ok_or("an empty chain")?;
    let (last, middle) = rest.split_last().ok_or("a chain needs a destination")?;
    let source = source_bytes(first)?;
    let mut filters = Vec::new();
    let mut i = 0;
    while i < middle.len() {
        let e = middle[i].trim();
        let f = match e {
            "crc" => Filter::Crc,
            "process:cat" => Filter::Identity,
            "process:tr a-z A-Z" => Filter::Upper,
            "process:gzip -n"
                if middle.get(i + 1).map(|s| s.trim()) == Some("process:gzip -dc") =>
            {
                i += 1;
                Filter::Identity
            }
            x if is_exit_only(x) => Filter::Nothing,
            x if x.starts_with("xor:") => Filter::Xor(
                parse_byte(&x[4..])
                    .ok_or_else(|| format!("element {}: `{x}` has no byte key", i + 1))?,
            ),
            x => return Err(format!("element {}: `{x}` is outside the model", i + 1)),
        };
        filters.push((i + 1, f));
        i += 1;
    }
    let last = last.trim();
    if !(last == "null" || last == "buffer" || last == "-" || last.starts_with("fd:")) {
        return Err(format!("destination `{last}` is outside the model"));
    }
    let mut data = source.clone();
    let mut crcs = Vec::new();
    for (index, f) in filters {
        match f {
            Filter::Xor(k) => data.iter_mut().for_each(|b| *b ^= k),
            Filter::Upper => data.iter_mut().for_each(|b| b.make_ascii_uppercase()),
            Filter::Identity => {}
            Filter::Nothing => data.clear(),
            Filter::Crc => {
                let mut c = Crc32c::default();
                c.update(&data);
                crcs.push((index, c.value(), data.len() as u64));
            }
        }
    }
    Ok(Expected {
        source,
        output: data,
        crcs,
    })
}

/// The bytes a source element emits.
///
/// # Errors
/// A source outside the model, or one larger than [`MAX_MODEL_BYTES`].
pub fn source_bytes(spec: &str) -> Result<Vec<u8>, String> {
    let spec = spec.trim();
    let (name, args) = spec.split_once(':').unwrap_or((spec, ""));
    let mut size = None;
    let mut seed = 0u64;
    let mut bytes: Option<Vec<u8>> = None;
    for (k, arg) in args.split(',').filter(|a| !a.is_empty()).enumerate() {
        match arg.split_once('=') {
            Some(("seed", v)) => {
                seed = parse_u64(v).ok_or_else(|| format!("`{spec}`: bad seed"))?
            }
            Some(("text", v)) => bytes = Some(v.as_bytes().to_vec()),
            Some(("hex", v)) => {
                bytes = Some(parse_hex(v).ok_or_else(|| format!("`{spec}`: bad hex"))?)
            }
            None if k == 0 => {
                let s: ByteSize = arg.parse().map_err(|e| format!("`{spec}`: {e}"))?;
                size = Some(s.0);
            }
            _ => return Err(format!("`{spec}`: argument `{arg}` is outside the model")),
        }
    }
    let sized = |size: Option<u64>| -> Result<usize, String> {
        let s = size.ok_or_else(|| format!("`{spec}` has no size"))?;
        if s > MAX_MODEL_BYTES {
            return Err(format!(
                "`{spec}`: {s} bytes is more than the oracle models"
            ));
        }
        usize::try_from(s).map_err(|_| format!("`{spec}`: too large"))
    };
    match name {
        "random" => Ok(splitmix::bytes(seed, sized(size)?)),
        "pattern" => {
            let n = sized(size)?;
            let p = bytes
                .filter(|b| !b.is_empty())
                .unwrap_or_else(|| b"0123456789abcdef".to_vec());
            Ok(p.iter().copied().cycle().take(n).collect())
        }
        "memory" => bytes.ok_or_else(|| format!("`{spec}` has no text= or hex=")),
        _ => Err(format!("source `{spec}` is outside the model")),
    }
}

/// The Amanda element each spec element stands for, by position: `random`
/// (`Random`), `pattern` and `memory` (`Pattern`, as `memory` is documented to
/// be costed), `fd` (`SourceFd` / `DestFd`), `xor`, `crc`, `process`
/// (`FilterXor`, `FilterCrc`, `FilterProcess`), `null`, `buffer`.
///
/// # Errors
/// An element with no Amanda counterpart, named with its position.
pub fn amanda_names(elements: &[String]) -> Result<Vec<&'static str>, String> {
    let last = elements.len().saturating_sub(1);
    elements
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let name = e.trim().split(':').next().unwrap_or("");
            let amanda = match (i == 0, i == last, name) {
                (true, _, "random") => "Random",
                (true, _, "pattern" | "memory") => "Pattern",
                (true, _, "fd" | "-") => "SourceFd",
                (_, true, "fd" | "-") => "DestFd",
                (_, true, "null") => "DestNull",
                (_, true, "buffer") => "DestBuffer",
                (false, false, "xor") => "FilterXor",
                (false, false, "crc") => "FilterCrc",
                (false, false, "process") => "FilterProcess",
                _ => return Err(format!("element {i}: `{e}` has no Amanda counterpart")),
            };
            Ok(amanda)
        })
        .collect()
}

/// `process:sh -c 'exit N'`: a child that only exits.
fn is_exit_only(element: &str) -> bool {
    element
        .strip_prefix("process:sh -c 'exit ")
        .and_then(|rest| rest.strip_suffix('\''))
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn parse_u64(s: &str) -> Option<u64> {
    match s.strip_prefix("0x") {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => s.parse().ok(),
    }
}

fn parse_byte(s: &str) -> Option<u8> {
    parse_u64(s.trim()).and_then(|v| u8::try_from(v).ok())
}

fn parse_hex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// `" (first difference at byte N: 0xAA vs 0xBB)"`, or a length note, or nothing.
pub fn first_difference(got: &[u8], want: &[u8]) -> String {
    let mut out = String::new();
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(i) => {
            let _ = write!(
                out,
                " (first difference at byte {i}: {:#04x} vs {:#04x})",
                got[i], want[i]
            );
        }
        None if got.len() != want.len() => {
            let _ = write!(out, " ({} bytes vs {})", got.len(), want.len());
        }
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{expected, source_bytes};

    fn chain(e: &[&str]) -> Vec<String> {
        e.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn sources_are_modelled_from_their_documented_streams() {
        assert_eq!(source_bytes("pattern:5").unwrap(), b"01234");
        assert_eq!(source_bytes("pattern:5,text=ab").unwrap(), b"ababa");
        assert_eq!(
            source_bytes("pattern:3,hex=0aff").unwrap(),
            [0x0a, 0xff, 0x0a]
        );
        assert_eq!(source_bytes("memory:text=hi").unwrap(), b"hi");
        assert_eq!(source_bytes("random:1KiB,seed=7").unwrap().len(), 1024);
        assert!(source_bytes("random:9,bogus=1").is_err());
        assert!(source_bytes("fd:/dev/zero").is_err());
    }

    #[test]
    fn filters_transform_and_crc_reports_what_passed() {
        let e = expected(&chain(&[
            "pattern:9,text=123456789",
            "crc",
            "xor:0x01",
            "process:gzip -n",
            "process:gzip -dc",
            "crc",
            "buffer",
        ]))
        .unwrap();
        assert_eq!(e.crcs[0], (1, 0xE306_9283, 9));
        assert_eq!(e.output, b"032547698");
        assert_eq!((e.crcs[1].0, e.crcs[1].2), (5, 9));
        assert!(expected(&chain(&["memory:text=a", "process:rev", "buffer"])).is_err());
        let exits = expected(&chain(&["memory:text=a", "process:sh -c 'exit 3'", "null"])).unwrap();
        assert!(exits.output.is_empty());
        assert!(expected(&chain(&["memory:text=a", "process:gzip -n", "buffer"])).is_err());
    }
}
