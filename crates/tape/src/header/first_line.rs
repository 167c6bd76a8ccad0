//! A dump header's first line, encoded and parsed side by side:
//! `AMANDA: <type> <datestamp> <host> <disk> [part N/M] lev L comp C program P ...`.
//! The part is in [`super::part`], the programs in [`super::programs`].

use std::fmt::Write as _;

use super::dump::DumpHeader;
use super::error::{HeaderError, invalid};
use super::file_type::FileType;
use super::quote::{quote_string, unquote_string};
use super::rules::{check_datestamp, check_len, check_token};
use super::words::{expect_word, next_quoted_word, parse_datestamp, parse_int, word};
use super::{part, programs};

/// The first line of `d`, `\n` included.
pub(super) fn encode(d: &DumpHeader) -> Result<String, HeaderError> {
    let split = part::encode(d.kind)?;
    check_identity(d)?;
    let program = programs::program_name(d)?;
    if let Some(c) = &d.compression {
        check_token("comp_suffix", c)?;
        if c == "N" {
            return Err(invalid(
                "comp_suffix",
                c,
                "\"N\" means uncompressed; use None",
            ));
        }
    }
    let mut out = String::with_capacity(512);
    let _ = write!(
        out,
        "AMANDA: {} {} {} {} {} lev {} comp {} program {}",
        d.file_type(),
        d.datestamp,
        d.host,
        quote_string(&d.disk),
        split,
        d.level,
        d.compression.as_deref().unwrap_or("N"),
        program
    );
    programs::encode_after_program(d, &mut out)?;
    out.push('\n');
    Ok(out)
}

/// Host, datestamp, disk and level as Amanda can read them back.
fn check_identity(d: &DumpHeader) -> Result<(), HeaderError> {
    check_token("name", &d.host)?;
    check_datestamp(&d.datestamp)?;
    check_len("disk", &d.disk)?;
    if d.disk.contains('\0') {
        return Err(invalid("disk", &d.disk, "must not contain NUL"));
    }
    if d.disk.ends_with('\\') {
        // The quoted disk would end in `\\"`, which parse_file_header's first-line
        // scanner takes for an escaped quote: the rest of the header would be misread.
        return Err(invalid("disk", &d.disk, "must not end with a backslash"));
    }
    if d.level > i32::MAX as u32 {
        return Err(invalid(
            "dumplevel",
            &d.level.to_string(),
            "above Amanda's int range",
        ));
    }
    Ok(())
}

/// The dump header a first line names; `rest` is the line after `AMANDA: <type>`.
/// Only the first line's fields are set; `block_kib` is `None` until the restore hint.
pub(super) fn parse(ftype: FileType, mut rest: &str) -> Result<DumpHeader, HeaderError> {
    let datestamp = parse_datestamp(&mut rest)?;
    let host = word(&mut rest, "name")?;
    let qdisk = next_quoted_word(&mut rest).ok_or(HeaderError::Missing { field: "disk" })?;
    let disk = unquote_string(qdisk);
    let kind = part::parse(ftype, &mut rest)?;
    expect_word(&mut rest, "lev", "lev")?;
    let lev = word(&mut rest, "dumplevel")?;
    let level: u32 = parse_int(&lev, "dumplevel", "a dump level")?;
    expect_word(&mut rest, "comp", "comp")?;
    let comp = word(&mut rest, "comp_suffix")?;
    let mut d = DumpHeader {
        kind,
        compression: (comp != "N").then_some(comp),
        block_kib: None,
        ..DumpHeader::file(&datestamp, &host, &disk, level, "")
    };
    programs::parse(&mut d, &mut rest)?;
    Ok(d)
}
