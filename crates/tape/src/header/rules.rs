//! What Amanda can read back: the header and field sizes, and the value checks every
//! encoder (and the datestamp parser) applies.

use super::error::{HeaderError, invalid};

/// Size of an Amanda header block on vfs and tape volumes (`DISK_BLOCK_BYTES`): 32 KiB.
pub const HEADER_SIZE: usize = 32 * 1024;

/// Longest string Amanda keeps in a header field (`STRMAX` 256, NUL included).
pub const FIELD_MAX: usize = 255;

/// A datestamp Amanda writes: `X`, 8 or 14 digits.
pub(super) fn check_datestamp(ds: &str) -> Result<(), HeaderError> {
    let digits = ds.bytes().all(|b| b.is_ascii_digit());
    if ds == "X" || (digits && (ds.len() == 8 || ds.len() == 14)) {
        Ok(())
    } else {
        Err(invalid("datestamp", ds, "must be X, 8 digits or 14 digits"))
    }
}

/// A single word of the first line: non-empty, no whitespace or control
/// characters, no longer than Amanda's field buffer.
pub(super) fn check_token(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.is_empty() {
        return Err(invalid(field, v, "must not be empty"));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            field,
            v,
            "must not contain whitespace or control characters",
        ));
    }
    if v.contains('"') {
        // parse_file_header toggles "in quotes" on every '"' of the first line.
        return Err(invalid(
            field,
            v,
            "must not contain '\"' (Amanda reads it as a quote)",
        ));
    }
    check_len(field, v)
}

/// No longer than Amanda's field buffer.
pub(super) fn check_len(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.len() > FIELD_MAX {
        return Err(invalid(field, v, "longer than Amanda's 255-byte field"));
    }
    Ok(())
}

/// A value on its own header line: no newline, NUL or form feed.
pub(super) fn check_line(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.contains(['\n', '\0', '\u{c}']) {
        return Err(invalid(
            field,
            v,
            "must not contain a newline, NUL or form feed",
        ));
    }
    Ok(())
}

/// A value on its own header line that Amanda keeps: not empty, one line, short enough.
pub(super) fn check_nonempty_line(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.is_empty() {
        return Err(invalid(
            field,
            v,
            "must not be empty (Amanda omits empty lines)",
        ));
    }
    check_line(field, v)?;
    check_len(field, v)
}
