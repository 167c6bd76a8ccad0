//! The header's word scanner, as `parse_file_header` reads the first line
//! (`strtok_r`, `strquotedstr`), and the typed words it reads.

use super::error::HeaderError;
use super::rules::check_datestamp;

/// Splits off the next space-delimited word (runs of spaces collapse, as
/// with `strtok_r(..., " ")`).
pub(super) fn next_word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let s = rest.trim_start_matches(' ');
    if s.is_empty() {
        *rest = s;
        return None;
    }
    let end = s.find(' ').unwrap_or(s.len());
    let (w, r) = s.split_at(end);
    *rest = r;
    Some(w)
}

/// Splits off a possibly quoted word (`strquotedstr`): spaces inside double
/// quotes or after a backslash do not end it.
pub(super) fn next_quoted_word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let s = rest.trim_start_matches(' ');
    if s.is_empty() {
        *rest = s;
        return None;
    }
    let mut in_quote = false;
    let mut escaped = false;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if c == ' ' && !in_quote {
            end = i;
            break;
        }
    }
    if in_quote || escaped {
        // strquotedstr returns NULL when the quote never closes.
        *rest = "";
        return None;
    }
    let (w, r) = s.split_at(end);
    *rest = r;
    Some(w)
}

/// The next word, which must be `word` (reported as `field`).
pub(super) fn expect_word(
    rest: &mut &str,
    field: &'static str,
    word: &'static str,
) -> Result<(), HeaderError> {
    match next_word(rest) {
        Some(w) if w == word => Ok(()),
        Some(w) => Err(HeaderError::Field {
            field,
            expected: word,
            found: w.to_owned(),
        }),
        None => Err(HeaderError::Missing { field }),
    }
}

/// The next word, required (reported as `field` when missing).
pub(super) fn word(rest: &mut &str, field: &'static str) -> Result<String, HeaderError> {
    next_word(rest)
        .map(str::to_owned)
        .ok_or(HeaderError::Missing { field })
}

/// The next word as a datestamp.
pub(super) fn parse_datestamp(rest: &mut &str) -> Result<String, HeaderError> {
    let ds = word(rest, "datestamp")?;
    check_datestamp(&ds).map_err(|_| HeaderError::Field {
        field: "datestamp",
        expected: "X, 8 digits or 14 digits",
        found: ds.clone(),
    })?;
    Ok(ds)
}

/// A plain decimal number as Amanda writes it (`%d`).
pub(super) fn parse_int<T: std::str::FromStr>(
    text: &str,
    field: &'static str,
    expected: &'static str,
) -> Result<T, HeaderError> {
    // Amanda writes plain decimal (`%d`): no sign, no leading '+'.
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse::<T>().ok())
        .flatten()
        .ok_or_else(|| HeaderError::Field {
            field,
            expected,
            found: text.to_owned(),
        })
}

/// Nothing but spaces is left on the line after `field`.
pub(super) fn no_more_words(rest: &str, field: &'static str) -> Result<(), HeaderError> {
    let r = rest.trim_start_matches(' ');
    if r.is_empty() {
        Ok(())
    } else {
        Err(HeaderError::Field {
            field,
            expected: "end of line",
            found: r.to_owned(),
        })
    }
}
