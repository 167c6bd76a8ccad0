//! The programs on a dump header's first line, encoded and parsed side by side: the backup
//! program (`program P`), the encryption suffix (`crypt S`) and the programs recorded as
//! run on the server or the client (`server_custom_compress P`, `client_encrypt P`, ...).

use std::fmt::Write as _;

use super::dump::{DumpHeader, OnSide};
use super::error::{HeaderError, invalid};
use super::rules::check_token;
use super::words::{next_word, word};

/// The program as written: a trailing `.exe` dropped, as Amanda does.
pub(super) fn program_name(d: &DumpHeader) -> Result<&str, HeaderError> {
    let program = match d.program.len().checked_sub(4) {
        Some(cut)
            if d.program.is_char_boundary(cut) && d.program[cut..].eq_ignore_ascii_case(".exe") =>
        {
            &d.program[..cut]
        }
        _ => &d.program[..],
    };
    check_token("program", program)?;
    Ok(program)
}

/// Writes ` crypt S` and the server/client programs after the program.
pub(super) fn encode_after_program(d: &DumpHeader, out: &mut String) -> Result<(), HeaderError> {
    if let Some(e) = &d.encryption {
        check_token("encrypt_suffix", e)?;
        if e.starts_with('N') {
            // parse_file_header compares with strncmp(suffix, "N", 1).
            return Err(invalid(
                "encrypt_suffix",
                e,
                "Amanda reads a crypt suffix starting with N as not encrypted; use None",
            ));
        }
        let _ = write!(out, " crypt {e}");
    }
    for (name, side) in [
        ("custom_compress", &d.custom_compress),
        ("encrypt", &d.encrypt),
        ("decrypt_option", &d.decrypt_option),
    ] {
        if let Some(side) = side {
            check_token(name, side.value())?;
            let where_ = if matches!(side, OnSide::Server(_)) {
                "server"
            } else {
                "client"
            };
            let _ = write!(out, " {where_}_{name} {}", side.value());
        }
    }
    Ok(())
}

/// Reads the optional `program P` and what follows it to the end of the first line.
pub(super) fn parse(d: &mut DumpHeader, rest: &mut &str) -> Result<(), HeaderError> {
    // "program" is optional in old headers.
    if let Some(w) = next_word(rest) {
        if w != "program" {
            return Err(HeaderError::Field {
                field: "program",
                expected: "program",
                found: w.to_owned(),
            });
        }
        d.program = word(rest, "program")?;
    }
    let mut tok = next_word(rest);
    if tok == Some("crypt") {
        let e = word(rest, "encrypt_suffix")?;
        // "crypt N" means not encrypted; Amanda compares only the first byte.
        d.encryption = (!e.starts_with('N')).then_some(e);
        tok = next_word(rest);
    }
    for (field, slot) in [
        ("custom_compress", &mut d.custom_compress),
        ("encrypt", &mut d.encrypt),
        ("decrypt_option", &mut d.decrypt_option),
    ] {
        let side = tok.and_then(|t| {
            if t.strip_prefix("server_") == Some(field) {
                Some(OnSide::Server as fn(String) -> OnSide)
            } else if t.strip_prefix("client_") == Some(field) {
                Some(OnSide::Client as fn(String) -> OnSide)
            } else {
                None
            }
        });
        if let Some(side) = side {
            *slot = Some(side(word(rest, field)?));
            tok = next_word(rest);
        }
    }
    if let Some(t) = tok {
        return Err(HeaderError::Field {
            field: "first line",
            expected: "crypt, *_custom_compress, *_encrypt or *_decrypt_option",
            found: t.to_owned(),
        });
    }
    Ok(())
}
