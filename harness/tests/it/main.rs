//! Integration tests for the harness: the scenario files themselves (verdicts,
//! golden traces, determinism), the engine's error reporting, reports,
//! sharding, and the `reelcheck` CLI end to end.

mod amanda_diff; // the live Amanda differential on fixed cases: agreement, a known defect, a planted byte
mod cli;
mod engine;
mod module_graph;
/// The HTML report rendered by headless Chromium: diffs, volume drawings, collapsed traces.
mod report_page;
mod scenarios;
mod tape_cli;
mod tape_kind;

use std::path::PathBuf;

/// The workspace root (the harness lives one level below it).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness has a parent")
        .to_path_buf()
}
