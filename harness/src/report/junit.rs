//! JUnit XML: one test case per scenario; a failure's message is its first
//! reason and the golden diff, its body the seed, every reason, the golden
//! diff and the replay command.

use std::fmt::Write as _;

use super::escape::escape;
use super::record::{Record, counts};

/// The records as a JUnit XML document.
pub(super) fn junit(records: &[Record]) -> String {
    let (_, failed) = counts(records);
    let total_ms: u64 = records.iter().map(|r| r.millis).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"reelcheck\" tests=\"{}\" failures=\"{failed}\" time=\"{:.3}\">",
        records.len(),
        total_ms as f64 / 1000.0
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"scenarios\" tests=\"{}\" failures=\"{failed}\">",
        records.len()
    );
    for r in records {
        let _ = write!(
            out,
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" time=\"{:.3}\"",
            escape(&r.kind),
            escape(&r.name),
            escape(&r.file),
            r.millis as f64 / 1000.0
        );
        if r.passed() {
            out.push_str("/>\n");
        } else {
            let mut message = r.reasons.first().unwrap_or(&r.verdict).clone();
            if !r.golden_diff.is_empty() {
                message = format!("{message}\n{}", r.golden_diff.trim_end());
            }
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                attribute(&message),
                escape(&r.verdict),
                escape(&failure_body(r))
            );
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Text for an attribute: escaped, its line breaks kept as character references
/// (a parser turns a literal line break in an attribute into a space).
fn attribute(text: &str) -> String {
    escape(text).replace('\n', "&#10;")
}

/// What a failure says in full.
fn failure_body(r: &Record) -> String {
    let mut body = format!("seed={}\n{}", r.seed, r.reasons.join("\n"));
    if !r.golden_diff.is_empty() {
        body.push_str("\n\ngolden trace against actual:\n");
        body.push_str(&r.golden_diff);
    }
    if !r.replay.is_empty() {
        let _ = write!(body, "\nreplay: {}", r.replay);
    }
    body
}
