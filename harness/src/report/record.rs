//! One scenario's line in a report, with what the page needs to show why.

use serde::Serialize;

use crate::kinds::tape::picture::VolumePicture;

/// One scenario's line in a report.
///
/// The JSON formats carry every field but `trace` (named by `trace_hash`);
/// fields added after the first format are left out when empty.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
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
    /// The scenario's `about` sentence (empty when it did not load).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub about: String,
    /// The command that replays the scenario and prints its trace.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub replay: String,
    /// The fault plan as TOML (empty when the scenario plans no fault).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fault_plan: String,
    /// Golden trace against actual as a line diff (empty when they agree).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub golden_diff: String,
    /// The rendered trace (pages only; JSON names it by `trace_hash`).
    #[serde(skip)]
    pub trace: String,
    /// Tape scenarios: every volume as the run left it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<VolumePicture>,
}

impl Record {
    /// True for a pass.
    pub fn passed(&self) -> bool {
        self.verdict == "pass"
    }
}

/// How many records passed and how many did not.
pub(super) fn counts(records: &[Record]) -> (usize, usize) {
    let passed = records.iter().filter(|r| r.passed()).count();
    (passed, records.len() - passed)
}
