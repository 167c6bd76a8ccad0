//! The JSON formats: one document, or one object per line (shards merge by
//! concatenating the lines).

use super::record::{Record, counts};

/// One record as one line of JSON.
fn line(r: &Record) -> String {
    serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
}

/// One JSON object per line.
pub(super) fn lines(records: &[Record]) -> String {
    records.iter().map(|r| line(r) + "\n").collect()
}

/// One JSON document: a summary and every record.
pub(super) fn document(records: &[Record]) -> String {
    let (passed, failed) = counts(records);
    let doc = serde_json::json!({
        "tool": "reelcheck",
        "summary": { "total": records.len(), "passed": passed, "failed": failed },
        "scenarios": records,
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}
