//! The scenario engine itself: located parse errors, golden mismatches,
//! report files, and sharding.

use std::path::{Path, PathBuf};

use reelcheck_harness::engine;
use reelcheck_harness::golden::{self, GoldenVerdict};
use reelcheck_harness::report::{self, Format};
use reelcheck_harness::runner::{self, Layout};
use reelcheck_harness::scenario::{Kind, ScenarioError};
use reelcheck_harness::shard::Shard;
use rstest::rstest;

use crate::workspace_root;

const GOOD: &str = r#"name = "tiny"
about = "A tiny chain for engine tests"
kind = "xfer"
seed = 3

[xfer]
chain = "random:10KiB,seed=3 -> null"

[expect]
result = "done"
bytes = "10 KiB"
"#;

fn write_scenario(dir: &Path, kind: &str, name: &str, text: &str) -> PathBuf {
    let d = dir.join("scenarios").join(kind);
    std::fs::create_dir_all(&d).unwrap();
    let p = d.join(format!("{name}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

fn load_err(text: &str) -> (ScenarioError, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(dir.path(), "xfer", "tiny", text);
    (engine::load(&p).expect_err("must be rejected"), p)
}

#[rstest]
#[case::case_unknown_top_level_field(GOOD.replace("seed = 3", "seed = 3\nsede = 4"), 5, "unknown field `sede`, expected one of `name`, `about`, `kind`, `seed`, `faults`, `expect`, `xfer`")]
#[case::case_unknown_nested_field(GOOD.replace("chain =", "chian = \"x\"\nchain ="), 7, "unknown field `chian`")]
#[case::case_unknown_size_unit(GOOD.replace("bytes = \"10 KiB\"", "bytes = \"3.5 MiBs\""), 11, "unknown unit \"MiBs\"")]
#[case::case_fractional_bytes(GOOD.replace("bytes = \"10 KiB\"", "bytes = \"1.5 B\""), 11, "not a whole number of bytes")]
#[case::case_missing_expect(GOOD.split("[expect]").next().unwrap().to_string(), 9, "missing [expect] table")]
#[case::case_wrong_type(GOOD.replace("seed = 3", "seed = \"three\""), 4, "invalid type")]
#[case::case_toml_syntax(GOOD.replace("kind = \"xfer\"", "kind = xfer"), 3, "")]
#[case::case_tape_fault_in_an_xfer_scenario(GOOD.replace("[expect]", "[[faults.tape]]\nkind = \"offline\"\nfile = 1\nblock = 0\n\n[expect]"), 9, "takes only [[faults.xfer]], not [[faults.tape]]")]
#[case::case_two_cancels_in_one_plan(GOOD.replace("[expect]", "[[faults.xfer]]\nkind = \"cancel-after\"\nbytes = 5\n[[faults.xfer]]\nkind = \"cancel-after\"\nbytes = 9\n\n[expect]"), 9, "two `cancel-after` transfer faults")]
#[case::case_seed_inside_the_plan(GOOD.replace("[expect]", "[faults]\nseed = 5\n\n[expect]"), 10, "`seed` belongs at the top of the file")]
#[case::case_unknown_fault_kind(GOOD.replace("[expect]", "[[faults.xfer]]\nkind = \"meteor\"\n\n[expect]"), 10, "unknown variant `meteor`")]
#[case::case_unknown_kind(GOOD.replace("kind = \"xfer\"", "kind = \"tapes\""), 3, "unknown variant `tapes`")]
fn it_rejects_bad_scenarios_naming_file_line_and_what_was_expected(
    #[case] text: String,
    #[case] line: usize,
    #[case] needle: &str,
) {
    let (err, path) = load_err(&text);
    let shown = err.to_string();
    let reported_line = match &err {
        ScenarioError::Invalid { line, .. } => *line,
        other => panic!("expected a located error, got {other}"),
    };
    if matches!(err, ScenarioError::Invalid { .. }) && !text.contains("[expect]") {
        // A missing table has no line of its own; the error points at the end of the file.
        assert!(reported_line >= line, "{shown}");
    } else {
        assert_eq!(reported_line, line, "{shown}");
    }
    assert!(
        shown.starts_with(&format!("{}:{line}", path.display())) || !text.contains("[expect]"),
        "{shown}"
    );
    assert!(
        shown.contains(needle),
        "{shown:?} should mention {needle:?}"
    );
}

#[test]
fn it_rejects_a_scenario_filed_under_another_kind() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(dir.path(), "tape", "tiny", GOOD);
    let err = engine::load(&p).unwrap_err();
    assert!(matches!(err, ScenarioError::Misplaced { .. }), "{err}");
}

#[test]
fn it_rejects_a_scenario_whose_name_is_not_its_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(dir.path(), "xfer", "tiny-copy", GOOD);
    let err = engine::load(&p).unwrap_err().to_string();
    assert!(
        err.contains(
            "tiny-copy.toml:1:1: `name` \"tiny\" differs from the file name \"tiny-copy.toml\""
        ),
        "{err}"
    );
}

#[test]
fn it_refuses_to_collect_nothing_or_two_scenarios_of_one_name() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("scenarios")).unwrap();
    let err = runner::collect(&[dir.path().join("scenarios")], Shard::ALL).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no scenario file (*.toml) under "),
        "{err}"
    );
    write_scenario(dir.path(), "xfer", "tiny", GOOD);
    let other = dir.path().join("scenarios/more/xfer");
    write_scenario(&other, "xfer", "tiny", GOOD);
    let err = runner::collect(&[dir.path().join("scenarios")], Shard::ALL).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("two scenarios are named \"tiny\": "),
        "{err}"
    );
}

#[test]
fn it_detects_a_golden_mismatch_and_a_missing_golden_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(dir.path(), "xfer", "tiny", GOOD);
    let layout = Layout {
        golden: dir.path().join("golden"),
    };
    let missing = runner::replay(&p, &layout);
    assert_eq!(missing.golden, Some(GoldenVerdict::Missing));
    assert_eq!(missing.record.verdict, "fail");
    let rendered = missing.outcome.as_ref().unwrap().trace.render();
    let golden_file = golden::path(&layout.golden, Kind::Xfer, "tiny");
    std::fs::create_dir_all(golden_file.parent().unwrap()).unwrap();
    std::fs::write(&golden_file, format!("---\nsource: test\n---\n{rendered}")).unwrap();
    let matching = runner::replay(&p, &layout);
    assert_eq!(matching.golden, Some(GoldenVerdict::Match));
    assert_eq!(
        matching.record.verdict, "pass",
        "{:?}",
        matching.record.reasons
    );
    std::fs::write(
        &golden_file,
        format!(
            "---\nsource: test\n---\n{}",
            rendered.replace("DONE", "DONE?")
        ),
    )
    .unwrap();
    let differs = runner::replay(&p, &layout);
    assert!(
        matches!(differs.golden, Some(GoldenVerdict::Differs { .. })),
        "{:?}",
        differs.golden
    );
    assert_eq!(differs.record.verdict, "fail");
    assert!(
        differs
            .record
            .reasons
            .iter()
            .any(|r| r.contains("trace differs")),
        "{:?}",
        differs.record.reasons
    );
}

#[test]
fn it_fails_a_scenario_whose_expectation_does_not_hold() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(
        dir.path(),
        "xfer",
        "tiny",
        &GOOD.replace("bytes = \"10 KiB\"", "bytes = \"11 KiB\""),
    );
    let r = runner::replay(
        &p,
        &Layout {
            golden: dir.path().join("golden"),
        },
    )
    .record;
    assert_eq!(r.verdict, "fail");
    assert!(
        r.reasons
            .iter()
            .any(|x| x.starts_with("bytes: expected 11264, got 10240")),
        "{:?}",
        r.reasons
    );
}

#[test]
fn it_writes_valid_reports_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let p = write_scenario(dir.path(), "xfer", "tiny", GOOD);
    let bad = write_scenario(dir.path(), "xfer", "broken", "name = 1\n");
    let records = runner::replay_all(
        &[p, bad],
        &Layout {
            golden: dir.path().join("golden"),
        },
    );
    for ext in ["json", "jsonl", "xml", "html"] {
        let out = dir.path().join(format!("r.{ext}"));
        report::write(&out, &records).unwrap();
        let text = std::fs::read_to_string(&out).unwrap();
        match Format::for_path(&out).unwrap() {
            Format::Json => {
                let v: serde_json::Value = serde_json::from_str(&text).unwrap();
                assert_eq!(v["summary"]["total"], 2);
            }
            Format::JsonLines => {
                let parsed: Vec<serde_json::Value> = text
                    .lines()
                    .map(|l| serde_json::from_str(l).unwrap())
                    .collect();
                assert_eq!(parsed.len(), 2);
            }
            Format::Junit => {
                assert!(text.starts_with("<?xml"));
                assert_eq!(text.matches("<testcase ").count(), 2);
                assert_eq!(
                    text.matches("<testsuites").count(),
                    text.matches("</testsuites>").count()
                );
            }
            Format::Html => assert!(text.contains("<table>") && text.ends_with("</html>\n")),
        }
    }
    assert_eq!(records[1].verdict, "error");
    assert!(
        records[1].reasons[0].contains("broken.toml:1:"),
        "{:?}",
        records[1].reasons
    );
}

#[test]
fn it_shards_the_real_scenarios_so_each_runs_exactly_once() {
    let all = runner::collect(&[workspace_root().join("scenarios")], Shard::ALL).unwrap();
    assert!(!all.is_empty());
    for n in 1..=5u64 {
        let mut union: Vec<PathBuf> = (1..=n)
            .flat_map(|k| {
                runner::collect(&[workspace_root().join("scenarios")], Shard { k, n }).unwrap()
            })
            .collect();
        union.sort();
        assert_eq!(union, all, "shards of {n}");
    }
}
