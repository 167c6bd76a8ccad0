//! Every file under `scenarios/`: it must pass its `[expect]` table, match its
//! golden trace (insta, `golden/<kind>/<name>.snap`) and give the same trace
//! hash when replayed twice with the same seed.

use std::path::PathBuf;

use reelcheck_harness::engine;
use reelcheck_harness::golden;
use reelcheck_harness::scenario::{self, Kind, Verdict};
use rstest::rstest;

use crate::workspace_root;

#[rstest]
fn it_replays_scenario_with_expected_verdict_golden_trace_and_determinism(
    #[files("../scenarios/**/*.toml")] path: PathBuf,
) {
    let scenario = engine::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let first = engine::run(&scenario).unwrap_or_else(|e| panic!("{e}"));
    if let Verdict::Fail(reasons) = &first.verdict {
        panic!(
            "{} (seed={}) failed:\n  {}\nreplay with: reelcheck replay {} --trace",
            path.display(),
            scenario.header.seed,
            reasons.join("\n  "),
            path.display()
        );
    }
    let second = engine::run(&scenario).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        first.trace.render(),
        second.trace.render(),
        "{}: the same seed gave two different traces",
        path.display()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(
        workspace_root()
            .join("golden")
            .join(scenario.header.kind.name()),
    );
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_description(format!(
        "{}: {}",
        scenario.header.name, scenario.header.about
    ));
    settings.bind(|| insta::assert_snapshot!(scenario.header.name.clone(), first.trace.render()));
}

#[test]
fn it_has_no_orphaned_golden_files() {
    let root = workspace_root();
    let mut known = Vec::new();
    for path in scenario::discover(&root.join("scenarios")).unwrap() {
        let s = engine::load(&path).unwrap_or_else(|e| panic!("{e}"));
        known.push((s.header.kind, s.header.name));
    }
    let orphans = golden::orphans(&root.join("golden"), &known).unwrap();
    assert!(
        orphans.is_empty(),
        "golden files without a scenario (delete or rename them): {orphans:#?}"
    );
}

#[test]
fn it_has_unique_scenario_names_matching_file_names() {
    let root = workspace_root();
    let mut seen: Vec<(Kind, String)> = Vec::new();
    for path in scenario::discover(&root.join("scenarios")).unwrap() {
        let s = engine::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            s.header.name,
            stem,
            "{}: `name` must equal the file name",
            path.display()
        );
        let key = (s.header.kind, s.header.name);
        assert!(!seen.contains(&key), "duplicate scenario {key:?}");
        seen.push(key);
    }
    assert!(
        seen.iter().filter(|(k, _)| *k == Kind::Xfer).count() >= 10,
        "at least 10 xfer scenarios"
    );
}
