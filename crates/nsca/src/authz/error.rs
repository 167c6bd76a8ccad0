//! Errors of authz files: the file and line, and what is wrong.

use std::path::PathBuf;

/// An authz file could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authz file '{}' line {line}: {kind}", path.display())]
pub struct AuthzError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub kind: AuthzErrorKind,
}

/// What is wrong with an authz line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthzErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Read(String),
    /// The first word is neither `allow` nor `deny`.
    #[error("unknown action '{0}' (expected allow or deny)")]
    BadAction(String),
    /// A field is not `key=value`.
    #[error("field '{0}' is not key=value")]
    BadField(String),
    /// A key other than from, method, password, host, service.
    #[error("unknown key '{0}' (expected from, method, password, host or service)")]
    UnknownKey(String),
    /// A key given twice on one line.
    #[error("key '{0}' given twice")]
    DuplicateKey(String),
    /// An address or CIDR range that does not parse.
    #[error("bad address or network '{0}'")]
    BadAddress(String),
    /// A method that is not a number 0..=26.
    #[error("bad method '{0}' (expected a number 0..=26)")]
    BadMethod(String),
    /// A glob that does not compile.
    #[error("bad glob '{0}': {1}")]
    BadGlob(String, String),
    /// A quote opened and never closed.
    #[error("unterminated double quote")]
    UnterminatedQuote,
    /// A backslash escape other than `\"`, `\\` or `\xNN` inside quotes.
    #[error("bad escape (expected \\\", \\\\ or \\xNN)")]
    BadEscape,
}
