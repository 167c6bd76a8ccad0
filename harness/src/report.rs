//! Run reports: a table on the terminal, and files for machines and people —
//! one JSON document (`.json`), JSON lines (`.jsonl`), JUnit XML (`.xml`) or
//! a self-contained HTML page (`.html`), chosen by the file's extension.
//!
//! JSON-lines reports from several shards merge by concatenation.

use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

/// One scenario's line in a report.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Record {
    /// The scenario file.
    pub file: String,
    /// The scenario's name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Its seed, as `0x…`.
    pub seed: String,
    /// `pass`, `fail` or `error`.
    pub verdict: String,
    /// Why it failed (empty on a pass).
    pub reasons: Vec<String>,
    /// Key figures (`name`, `value`).
    pub figures: Vec<(String, String)>,
    /// SHA-256 of the rendered trace (empty on an error).
    pub trace_hash: String,
    /// Wall-clock milliseconds the run took (reports only; never in traces).
    pub millis: u64,
}

impl Record {
    /// True for a pass.
    pub fn passed(&self) -> bool {
        self.verdict == "pass"
    }
}

/// Output formats, by file extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One JSON document.
    Json,
    /// One JSON object per line.
    JsonLines,
    /// JUnit XML.
    Junit,
    /// A self-contained HTML page.
    Html,
}

/// An unsupported report extension.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The extension is not one of `.json`, `.jsonl`, `.xml`, `.html`.
    #[error("{0}: unknown report format; use a .json, .jsonl, .xml or .html file name")]
    UnknownFormat(String),
    /// Writing failed.
    #[error("{path}: cannot write report: {source}")]
    Write {
        /// The report file.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
}

impl Format {
    /// The format for a report file name.
    ///
    /// # Errors
    /// Unknown extensions.
    pub fn for_path(path: &Path) -> Result<Format, ReportError> {
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => Ok(Format::Json),
            Some("jsonl") => Ok(Format::JsonLines),
            Some("xml") => Ok(Format::Junit),
            Some("html" | "htm") => Ok(Format::Html),
            _ => Err(ReportError::UnknownFormat(path.display().to_string())),
        }
    }
}

/// Renders records in a format.
pub fn render(records: &[Record], format: Format) -> String {
    match format {
        Format::Json => json(records),
        Format::JsonLines => records.iter().map(|r| line(r) + "\n").collect(),
        Format::Junit => junit(records),
        Format::Html => html(records),
    }
}

/// Writes a report, choosing the format by extension.
///
/// # Errors
/// Unknown extensions and write failures.
pub fn write(path: &Path, records: &[Record]) -> Result<(), ReportError> {
    let text = render(records, Format::for_path(path)?);
    std::fs::write(path, text).map_err(|source| ReportError::Write {
        path: path.display().to_string(),
        source,
    })
}

fn line(r: &Record) -> String {
    serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

fn counts(records: &[Record]) -> (usize, usize) {
    let passed = records.iter().filter(|r| r.passed()).count();
    (passed, records.len() - passed)
}

fn json(records: &[Record]) -> String {
    let (passed, failed) = counts(records);
    let doc = serde_json::json!({
        "tool": "reelcheck",
        "summary": { "total": records.len(), "passed": passed, "failed": failed },
        "scenarios": records,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Escapes text for XML and HTML content and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

fn junit(records: &[Record]) -> String {
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
            let first = r.reasons.first().map(String::as_str).unwrap_or(&r.verdict);
            let _ = writeln!(
                out,
                ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                escape(first),
                escape(&r.verdict),
                escape(&format!("seed={}\n{}", r.seed, r.reasons.join("\n")))
            );
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn html(records: &[Record]) -> String {
    let (passed, failed) = counts(records);
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>reelcheck report</title>\n<style>\
body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}\
td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left;vertical-align:top}\
.pass{background:#e6f4ea}.fail,.error{background:#fce8e6}code{font-size:90%}\
</style></head><body>\n<h1>reelcheck report</h1>\n",
    );
    let _ = writeln!(
        out,
        "<p>{} scenarios: {passed} passed, {failed} failed.</p>",
        records.len()
    );
    out.push_str("<table><tr><th>scenario</th><th>kind</th><th>verdict</th><th>figures</th><th>details</th></tr>\n");
    for r in records {
        let figures: Vec<String> = r
            .figures
            .iter()
            .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
            .collect();
        let _ = writeln!(
            out,
            "<tr class=\"{v}\"><td><code>{}</code></td><td>{}</td><td>{v}</td><td>{}</td><td>seed {}<br>{}</td></tr>",
            escape(&r.name),
            escape(&r.kind),
            figures.join("<br>"),
            escape(&r.seed),
            r.reasons
                .iter()
                .map(|x| escape(x))
                .collect::<Vec<_>>()
                .join("<br>"),
            v = escape(&r.verdict),
        );
    }
    out.push_str("</table>\n</body></html>\n");
    out
}

/// The terminal table: scenario, verdict, key figures; then a summary line.
pub fn table(records: &[Record]) -> String {
    let width = records
        .iter()
        .map(|r| r.kind.len() + r.name.len() + 1)
        .max()
        .unwrap_or(8)
        .max(8);
    let mut out = String::new();
    let _ = writeln!(out, "{:<width$}  {:<7} key figures", "scenario", "verdict");
    for r in records {
        let figures: Vec<String> = r.figures.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            out,
            "{:<width$}  {:<7} {}",
            format!("{}/{}", r.kind, r.name),
            r.verdict.to_uppercase(),
            figures.join(" ")
        );
        for reason in &r.reasons {
            let _ = writeln!(out, "{:<width$}    - {reason}", "");
        }
    }
    let (passed, failed) = counts(records);
    let _ = writeln!(out, "{passed} passed, {failed} failed");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        let rec = |name: &str, verdict: &str, reasons: Vec<String>| Record {
            file: format!("scenarios/xfer/{name}.toml"),
            name: name.into(),
            kind: "xfer".into(),
            seed: "0x7".into(),
            verdict: verdict.into(),
            reasons,
            figures: vec![("bytes".into(), "10".into())],
            trace_hash: "ab".into(),
            millis: 3,
        };
        vec![
            rec("ok", "pass", vec![]),
            rec(
                "bad<&>",
                "fail",
                vec!["bytes: expected 1, got \"2\"".into()],
            ),
        ]
    }

    #[test]
    fn json_and_jsonl_parse_back() {
        let recs = sample();
        let doc: serde_json::Value = serde_json::from_str(&render(&recs, Format::Json)).unwrap();
        assert_eq!(doc["summary"]["failed"], 1);
        assert_eq!(doc["scenarios"][1]["name"], "bad<&>");
        let lines = render(&recs, Format::JsonLines);
        let parsed: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[0]["verdict"], "pass");
    }

    #[test]
    fn junit_and_html_escape_and_count() {
        let recs = sample();
        let xml = render(&recs, Format::Junit);
        assert!(xml.contains("tests=\"2\" failures=\"1\""));
        assert!(xml.contains("name=\"bad&lt;&amp;&gt;\""));
        assert!(!xml.contains("bad<&>"));
        assert_eq!(xml.matches("<testcase ").count(), 2);
        assert_eq!(xml.matches("<failure ").count(), 1);
        let html = render(&recs, Format::Html);
        assert!(html.contains("2 scenarios: 1 passed, 1 failed"));
        assert!(!html.contains("bad<&>"));
    }

    #[test]
    fn format_follows_extension() {
        assert_eq!(
            Format::for_path(Path::new("r.jsonl")).unwrap(),
            Format::JsonLines
        );
        assert!(Format::for_path(Path::new("r.txt")).is_err());
    }
}
