//! The `DLE=` line of a dump header (the disk list entry as XML), encoded and parsed side
//! by side: a `<<DELIM` here-document, or a one-line value when read.

use std::fmt::Write as _;

use super::error::{HeaderError, invalid};
use super::quote::quote_heredoc;

/// Space `build_header` leaves for the rest of a header when a DLE is added
/// (the DLE is written only if it is shorter than `max_size - 2048`).
const DLE_RESERVE: usize = 2048;

/// Writes `DLE=<<ENDDLE ... ENDDLE` for a header of at most `max_size` bytes.
pub(super) fn encode(dle: &str, max_size: usize, out: &mut String) -> Result<(), HeaderError> {
    if dle.contains(['\0', '\u{c}']) {
        return Err(invalid("dle_str", dle, "must not contain NUL or form feed"));
    }
    if dle.split('\n').any(str::is_empty) {
        return Err(invalid(
            "dle_str",
            dle,
            "empty lines are lost by Amanda's parser",
        ));
    }
    if dle.len() >= max_size.saturating_sub(DLE_RESERVE) {
        return Err(invalid(
            "dle_str",
            "<long DLE>",
            "too long: Amanda would drop it",
        ));
    }
    let _ = writeln!(out, "DLE={}", quote_heredoc(dle, "ENDDLE"));
    Ok(())
}

/// The DLE whose `DLE=` line holds `value`; a here-document's lines start at
/// `lines[start]`. Returns the text and the index of the line after it.
pub(super) fn parse(
    value: &str,
    lines: &[&str],
    start: usize,
) -> Result<(String, usize), HeaderError> {
    let Some(key) = value.strip_prefix("<<") else {
        return Ok((value.to_owned(), start));
    };
    let end = lines[start..]
        .iter()
        .position(|l| *l == key)
        .map(|p| start + p)
        .ok_or_else(|| HeaderError::Field {
            field: "dle_str",
            expected: "a here-document ended by its delimiter",
            found: key.to_owned(),
        })?;
    Ok((lines[start..end].join("\n"), end + 1))
}
