//! Errors from reading a scenario file: always file, line and column, never a panic.

use std::path::{Path, PathBuf};

/// A scenario file that could not be read, parsed or run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file could not be read at all.
    #[error("{path}: cannot read scenario file: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// The file is not a valid scenario; `line`/`col` are 1-based.
    #[error("{path}:{line}:{col}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Line of the offending text (1-based).
        line: usize,
        /// Column of the offending text (1-based).
        col: usize,
        /// What was wrong and what was expected.
        message: String,
    },
    /// The scenario's `kind` has no runner in this build.
    #[error("{path}: kind {kind:?} has no runner in this build (known kinds: {known})")]
    NoRunner {
        /// The file.
        path: PathBuf,
        /// The kind asked for.
        kind: String,
        /// The kinds that do have runners.
        known: String,
    },
    /// The file's directory does not match its kind (`scenarios/<kind>/...`).
    #[error("{path}: a {kind} scenario must live under scenarios/{kind}/")]
    Misplaced {
        /// The file.
        path: PathBuf,
        /// Its declared kind.
        kind: String,
    },
}

/// 1-based line and column of byte offset `at` in `text`.
pub fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

impl ScenarioError {
    /// An `Invalid` error located at byte offset `at`.
    pub fn at(path: &Path, text: &str, at: usize, message: impl Into<String>) -> Self {
        let (line, col) = line_col(text, at);
        ScenarioError::Invalid {
            path: path.to_path_buf(),
            line,
            col,
            message: message.into(),
        }
    }

    /// Converts a TOML/serde error, keeping its location.
    pub fn from_toml(path: &Path, text: &str, err: &toml::de::Error) -> Self {
        let at = err.span().map_or(0, |s| s.start);
        Self::at(path, text, at, err.message().trim_end().to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let text = "a = 1\nbb = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 4));
    }
}
