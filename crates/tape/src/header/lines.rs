//! The optional lines between a dump header's first line and its restore hint, encoded
//! and parsed side by side: `CONT_FILENAME=`, `APPLICATION=`, `PARTIAL=YES`, `ORIGSIZE=`,
//! the three `*-CRC=` lines, and the `DLE=` here-document (in [`super::dle`]).

use std::fmt::Write as _;
use std::num::{NonZeroU32, NonZeroU64};

use super::dle;
use super::dump::{Crc, DumpHeader};
use super::error::{HeaderError, invalid};
use super::rules::check_nonempty_line;
use super::words::parse_int;

/// Writes the optional lines of `d` (the DLE included) in Amanda's order.
pub(super) fn encode(d: &DumpHeader, max_size: usize, out: &mut String) -> Result<(), HeaderError> {
    if let Some(v) = &d.cont_filename {
        check_nonempty_line("cont_filename", v)?;
        let _ = writeln!(out, "CONT_FILENAME={v}");
    }
    if let Some(v) = &d.application {
        check_nonempty_line("application", v)?;
        let _ = writeln!(out, "APPLICATION={v}");
    }
    if d.partial {
        out.push_str("PARTIAL=YES\n");
    }
    if let Some(v) = d.orig_size {
        if v.get() > i64::MAX as u64 {
            return Err(invalid(
                "orig_size",
                &v.to_string(),
                "above Amanda's off_t range",
            ));
        }
        let _ = writeln!(out, "ORIGSIZE={v}");
    }
    for (key, crc) in [
        ("NATIVE-CRC", d.native_crc),
        ("CLIENT-CRC", d.client_crc),
        ("SERVER-CRC", d.server_crc),
    ] {
        if let Some(c) = crc {
            encode_crc(key, c, out)?;
        }
    }
    if let Some(text) = &d.dle {
        dle::encode(text, max_size, out)?;
    }
    Ok(())
}

/// `KEY=%08x:%lld`.
fn encode_crc(key: &str, c: Crc, out: &mut String) -> Result<(), HeaderError> {
    if c.size > i64::MAX as u64 {
        return Err(invalid(
            "crc size",
            &c.size.to_string(),
            "above Amanda's long long range",
        ));
    }
    let _ = writeln!(out, "{key}={:08x}:{}", c.crc, c.size);
    Ok(())
}

/// Reads the optional lines (`middle`: the lines between the first line and the
/// restore hint) into `d`.
pub(super) fn parse(d: &mut DumpHeader, middle: &[&str]) -> Result<(), HeaderError> {
    let dup = |field: &'static str, line: &str| HeaderError::Field {
        field,
        expected: "one line of this kind",
        found: line.to_owned(),
    };
    let mut i = 0;
    while i < middle.len() {
        let line = middle[i];
        i += 1;
        if let Some(v) = line.strip_prefix("CONT_FILENAME=") {
            if d.cont_filename.replace(v.to_owned()).is_some() {
                return Err(dup("cont_filename", line));
            }
        } else if let Some(v) = line.strip_prefix("APPLICATION=") {
            if d.application.replace(v.to_owned()).is_some() {
                return Err(dup("application", line));
            }
        } else if let Some(v) = line.strip_prefix("PARTIAL=") {
            d.partial = v.eq_ignore_ascii_case("yes");
        } else if let Some(v) = line.strip_prefix("ORIGSIZE=") {
            let size: u64 = parse_int(v, "orig_size", "a size")?;
            d.orig_size = NonZeroU64::new(size);
        } else if let Some(v) = line.strip_prefix("NATIVE-CRC=") {
            d.native_crc = parse_crc(v, "native_crc")?;
        } else if let Some(v) = line.strip_prefix("CLIENT-CRC=") {
            d.client_crc = parse_crc(v, "client_crc")?;
        } else if let Some(v) = line.strip_prefix("SERVER-CRC=") {
            d.server_crc = parse_crc(v, "server_crc")?;
        } else if let Some(v) = line.strip_prefix("DLE=") {
            let (text, next) = dle::parse(v, middle, i)?;
            d.dle = Some(text);
            i = next;
        } else {
            return Err(HeaderError::Field {
                field: "header line",
                expected: "CONT_FILENAME=, APPLICATION=, PARTIAL=, ORIGSIZE=, *-CRC=, DLE= or the restore hint",
                found: line.to_owned(),
            });
        }
    }
    Ok(())
}

/// `CRC:SIZE` (hex:decimal); a zero CRC is no CRC, as Amanda omits it.
fn parse_crc(v: &str, field: &'static str) -> Result<Option<Crc>, HeaderError> {
    let bad = || HeaderError::Field {
        field,
        expected: "CRC:SIZE (hex:decimal)",
        found: v.to_owned(),
    };
    let (c, s) = v.split_once(':').ok_or_else(bad)?;
    if c.is_empty() || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let crc = u32::from_str_radix(c, 16).map_err(|_| bad())?;
    let size: u64 = parse_int(s, field, "CRC:SIZE (hex:decimal)")?;
    Ok(NonZeroU32::new(crc).map(|crc| Crc { crc, size }))
}
