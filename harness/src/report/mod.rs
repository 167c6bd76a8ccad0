//! Run reports: a table on the terminal, and files for machines and people —
//! one JSON document (`.json`), JSON lines (`.jsonl`), JUnit XML (`.xml`) or
//! a self-contained HTML page (`.html`), chosen by the file's extension.
//!
//! JSON-lines reports from several shards merge by concatenation.
//!
//! The files: [`record`] (one scenario's line), [`table`] (the terminal),
//! [`json`], [`junit`] and [`html`] (the formats), [`diff`] (golden against
//! actual, line by line), [`svg`] (a tape volume drawn) and [`escape`].

pub mod diff;
mod escape;
mod html;
mod json;
mod junit;
mod record;
pub mod svg;
mod table;

use std::path::Path;

pub use escape::escape;
pub use record::Record;
pub use table::table;

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
        Format::Json => json::document(records),
        Format::JsonLines => json::lines(records),
        Format::Junit => junit::junit(records),
        Format::Html => html::html(records),
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
            ..Record::default()
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
    fn json_keeps_the_first_fields_and_adds_only_what_is_set() {
        let mut recs = sample();
        recs[1].about = "why".into();
        recs[1].golden_diff = "--- g\n+++ a\n".into();
        recs[1].trace = "+0ms a b".into();
        let lines = render(&recs, Format::JsonLines);
        let rows: Vec<serde_json::Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let first = [
            "file",
            "name",
            "kind",
            "seed",
            "verdict",
            "reasons",
            "figures",
            "trace_hash",
            "millis",
        ];
        let keys = |v: &serde_json::Value| -> Vec<String> {
            v.as_object().unwrap().keys().cloned().collect()
        };
        let mut want: Vec<String> = first.iter().map(|k| k.to_string()).collect();
        want.sort();
        assert_eq!(
            keys(&rows[0]),
            want,
            "nothing set: the first format exactly"
        );
        assert_eq!(rows[0]["figures"][0], serde_json::json!(["bytes", "10"]));
        assert_eq!(rows[1]["about"], "why");
        assert_eq!(rows[1]["golden_diff"], "--- g\n+++ a\n");
        assert!(
            rows[1].get("trace").is_none(),
            "the trace stays out of JSON"
        );
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
