//! The terminal table: scenario, verdict, key figures; then a summary line.

use std::fmt::Write as _;

use super::record::{Record, counts};

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
