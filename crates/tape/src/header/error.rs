//! Why a header could not be parsed or written.

/// Why a header could not be parsed or written.
///
/// Every variant names the field (as Amanda's `dumpfile_t` calls it, or the
/// header line) and quotes the offending text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The block holds no header text at all (it starts with a NUL byte).
    #[error("empty header: the block starts with a NUL byte")]
    Empty,
    /// The first word is not `AMANDA:`.
    #[error("not an Amanda header: first word is {found:?}, expected \"AMANDA:\"")]
    Magic {
        /// The first word found.
        found: String,
    },
    /// The file type word is not one Amanda writes.
    #[error("unknown header type {found:?}")]
    UnknownType {
        /// The type word found.
        found: String,
    },
    /// A field is missing from the header.
    #[error("header field '{field}' is missing")]
    Missing {
        /// The missing field.
        field: &'static str,
    },
    /// A field holds text the parser cannot accept.
    #[error("header field '{field}': expected {expected}, found {found:?}")]
    Field {
        /// The field being parsed.
        field: &'static str,
        /// What the field should hold.
        expected: &'static str,
        /// The offending text.
        found: String,
    },
    /// The header text is not valid UTF-8.
    #[error("header text is not UTF-8 at byte {offset}")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The header text does not end with Amanda's `\n\f\n` terminator.
    #[error(
        "header text is truncated or unterminated: it ends with {tail:?}, expected \"\\n\\u{{c}}\\n\""
    )]
    Unterminated {
        /// The last few characters of the text.
        tail: String,
    },
    /// A value cannot be written because Amanda could not read it back.
    #[error("cannot write header field '{field}' = {value:?}: {reason}")]
    Invalid {
        /// The field holding the value.
        field: &'static str,
        /// The value.
        value: String,
        /// Why it cannot be written.
        reason: &'static str,
    },
    /// The encoded header does not fit in the block
    /// (Amanda: "Amanda file header won't fit in a single block!").
    #[error("header of {len} bytes does not fit in a {max}-byte block")]
    TooLarge {
        /// Length of the header text.
        len: usize,
        /// Size of the block.
        max: usize,
    },
}

/// A [`HeaderError::Invalid`] for `field` holding `value`.
pub(super) fn invalid(field: &'static str, value: &str, reason: &'static str) -> HeaderError {
    HeaderError::Invalid {
        field,
        value: value.to_owned(),
        reason,
    }
}
