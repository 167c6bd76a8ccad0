//! Golden traces: insta snapshot files at `golden/<kind>/<name>.snap`.
//!
//! `cargo test` asserts them with insta (and `cargo insta review` accepts
//! changes); `reelcheck run` reads the same files itself, because insta's
//! assertions only work inside tests. The body of a snapshot is everything
//! after its second `---` line.

use std::path::{Path, PathBuf};

use crate::scenario::Kind;

/// How a trace compares with its golden file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum GoldenVerdict {
    /// Identical (modulo trailing white space).
    Match,
    /// No golden file yet: review one with `cargo insta review`.
    Missing,
    /// Different; the first differing line (1-based) and both versions of it.
    Differs {
        /// First line that differs.
        line: usize,
        /// The golden file's line (empty past its end).
        expected: String,
        /// The trace's line (empty past its end).
        actual: String,
    },
}

/// Where the golden file of scenario `name` of `kind` lives under `root`.
pub fn path(root: &Path, kind: Kind, name: &str) -> PathBuf {
    root.join(kind.name()).join(format!("{name}.snap"))
}

/// The body of an insta snapshot file (after the metadata block).
pub fn snapshot_body(file_text: &str) -> &str {
    let text = file_text.strip_prefix('\u{feff}').unwrap_or(file_text);
    if let Some(rest) = text.strip_prefix("---\n")
        && let Some(end) = rest.find("\n---\n")
    {
        return &rest[end + 5..];
    }
    text
}

fn normalise(text: &str) -> Vec<&str> {
    let t = text.trim_end();
    if t.is_empty() {
        Vec::new()
    } else {
        t.lines().map(str::trim_end).collect()
    }
}

/// Compares a rendered trace with the golden file under `root`.
///
/// # Errors
/// A golden file that exists but cannot be read.
pub fn compare(
    root: &Path,
    kind: Kind,
    name: &str,
    rendered: &str,
) -> std::io::Result<GoldenVerdict> {
    let file = path(root, kind, name);
    let text = match std::fs::read_to_string(&file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(GoldenVerdict::Missing),
        Err(e) => return Err(e),
    };
    let (want, got) = (normalise(snapshot_body(&text)), normalise(rendered));
    for i in 0..want.len().max(got.len()) {
        let (w, g) = (want.get(i).copied(), got.get(i).copied());
        if w != g {
            return Ok(GoldenVerdict::Differs {
                line: i + 1,
                expected: w.unwrap_or("").to_string(),
                actual: g.unwrap_or("").to_string(),
            });
        }
    }
    Ok(GoldenVerdict::Match)
}

/// Golden files under `root` whose `(kind, name)` is not in `known`.
///
/// # Errors
/// Directories that cannot be listed.
pub fn orphans(root: &Path, known: &[(Kind, String)]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for kind in Kind::ALL {
        let dir = root.join(kind.name());
        if !dir.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&dir)? {
            let p = entry?.path();
            let Some(stem) = p
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".snap"))
            else {
                continue;
            };
            if !known.iter().any(|(k, n)| *k == kind && n == stem) {
                out.push(p);
            }
        }
    }
    for entry in std::fs::read_dir(root)? {
        let p = entry?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let kind_dir = p.is_dir() && Kind::ALL.iter().any(|k| k.name() == name);
        if !kind_dir && !name.starts_with('.') {
            out.push(p);
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_skips_insta_metadata() {
        let file = "---\nsource: x.rs\nexpression: trace\n---\n+0ms a b\n";
        assert_eq!(snapshot_body(file), "+0ms a b\n");
        assert_eq!(snapshot_body("no header\n"), "no header\n");
    }

    #[test]
    fn compare_reports_missing_match_and_first_difference() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            compare(root, Kind::Xfer, "s", "x\n").unwrap(),
            GoldenVerdict::Missing
        );
        std::fs::create_dir_all(root.join("xfer")).unwrap();
        std::fs::write(
            path(root, Kind::Xfer, "s"),
            "---\nsource: t\n---\nline1\nline2\n",
        )
        .unwrap();
        assert_eq!(
            compare(root, Kind::Xfer, "s", "line1\nline2\n\n").unwrap(),
            GoldenVerdict::Match
        );
        assert_eq!(
            compare(root, Kind::Xfer, "s", "line1\nLINE2\n").unwrap(),
            GoldenVerdict::Differs {
                line: 2,
                expected: "line2".into(),
                actual: "LINE2".into()
            }
        );
        assert_eq!(
            compare(root, Kind::Xfer, "s", "line1\n").unwrap(),
            GoldenVerdict::Differs {
                line: 2,
                expected: "line2".into(),
                actual: String::new()
            }
        );
        let orphans = orphans(root, &[]).unwrap();
        assert_eq!(orphans, vec![path(root, Kind::Xfer, "s")]);
        assert!(
            super::orphans(root, &[(Kind::Xfer, "s".into())])
                .unwrap()
                .is_empty()
        );
    }
}
