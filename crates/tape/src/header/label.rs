//! The volume's own headers, encoded and parsed side by side: the label
//! (`AMANDA: TAPESTART DATE <ds> TAPE <label>`), `TAPEEND DATE <ds>` and `NOOP`.

use super::error::HeaderError;
use super::rules::{check_datestamp, check_token};
use super::words::{expect_word, no_more_words, parse_datestamp, word};

/// The volume label header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeStart {
    /// The datestamp the volume was labelled with (`X`, 8 or 14 digits).
    pub datestamp: String,
    /// The volume label.
    pub label: String,
}

/// The whole `TAPESTART` header text.
pub(super) fn encode_tape_start(ts: &TapeStart) -> Result<String, HeaderError> {
    check_datestamp(&ts.datestamp)?;
    check_token("label", &ts.label)?;
    Ok(format!(
        "AMANDA: TAPESTART DATE {} TAPE {}\n\u{c}\n",
        ts.datestamp, ts.label
    ))
}

/// The label from the rest of a `TAPESTART` first line.
pub(super) fn parse_tape_start(mut rest: &str) -> Result<TapeStart, HeaderError> {
    expect_word(&mut rest, "DATE", "DATE")?;
    let datestamp = parse_datestamp(&mut rest)?;
    expect_word(&mut rest, "TAPE", "TAPE")?;
    let label = word(&mut rest, "label")?;
    no_more_words(rest, "label")?;
    Ok(TapeStart { datestamp, label })
}

/// The whole `TAPEEND` header text.
pub(super) fn encode_tape_end(datestamp: &str) -> Result<String, HeaderError> {
    check_datestamp(datestamp)?;
    Ok(format!("AMANDA: TAPEEND DATE {datestamp}\n\u{c}\n"))
}

/// The datestamp from the rest of a `TAPEEND` first line.
pub(super) fn parse_tape_end(mut rest: &str) -> Result<String, HeaderError> {
    expect_word(&mut rest, "DATE", "DATE")?;
    let datestamp = parse_datestamp(&mut rest)?;
    no_more_words(rest, "datestamp")?;
    Ok(datestamp)
}

/// The whole `NOOP` header text.
pub(super) const NOOP_TEXT: &str = "AMANDA: NOOP\n\u{c}\n";

/// Checks the rest of a `NOOP` first line.
pub(super) fn parse_noop(rest: &str) -> Result<(), HeaderError> {
    no_more_words(rest, "type")
}
