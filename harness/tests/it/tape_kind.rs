//! The tape kind through the engine: errors located in the file, a wrong
//! expectation failing the verdict, and a fuzz case replayed as a scenario.

use std::path::Path;

use reelcheck_harness::engine;
use reelcheck_harness::fuzz::Target as _;
use reelcheck_harness::fuzz::tape::TapeTarget;
use reelcheck_harness::rng::Seed;
use reelcheck_harness::scenario::{Scenario, Verdict};

const HEAD: &str = "name = \"t\"\nabout = \"A test scenario.\"\nkind = \"tape\"\nseed = 1\n";

fn parse(body: &str) -> Result<Scenario, String> {
    engine::parse(Path::new("scenarios/tape/t.toml"), format!("{HEAD}{body}"))
        .map_err(|e| e.to_string())
}

const SIM: &str = "[device]\ntype = \"sim\"\n\n[[volume]]\nbarcode = \"VOL-1\"\ncapacity = \"64 MiB\"\n\n[script]\nsteps = [\n  { op = \"start\", mode = \"write\", label = \"L-1\" },\n  { op = \"write-file\", bytes = \"100 KiB\" },\n]\n";

#[test]
fn unknown_field_in_an_expected_write_is_reported_with_its_line() {
    let e = parse(&format!(
        "{SIM}\n[expect]\n[[expect.write]]\nfile = 1\nblok = 3\n"
    ))
    .unwrap_err();
    assert!(e.contains("t.toml:21:1:"), "{e}");
    assert!(e.contains("unknown field `blok`"), "{e}");
}

#[test]
fn unknown_step_and_bad_size_are_reported() {
    let e = parse(&format!(
        "{}\n[expect]\nstatus = \"SUCCESS\"\n",
        SIM.replace("write-file", "write-flie")
    ))
    .unwrap_err();
    assert!(e.contains("write-flie"), "{e}");
    let e = parse(&format!(
        "{}\n[expect]\nstatus = \"SUCCESS\"\n",
        SIM.replace("100 KiB", "3.5 MiBs")
    ))
    .unwrap_err();
    assert!(e.contains("unknown unit"), "{e}");
}

#[test]
fn a_sim_drive_needs_one_volume_and_changer_steps_need_a_library() {
    let no_volume = SIM.replace(
        "[[volume]]\nbarcode = \"VOL-1\"\ncapacity = \"64 MiB\"\n",
        "",
    );
    let e = parse(&format!("{no_volume}\n[expect]\nstatus = \"SUCCESS\"\n")).unwrap_err();
    assert!(e.contains("exactly one [[volume]]"), "{e}");
    let changer = SIM.replace("steps = [\n", "steps = [\n  { op = \"load-next\" },\n");
    let e = parse(&format!("{changer}\n[expect]\nstatus = \"SUCCESS\"\n")).unwrap_err();
    assert!(e.contains("needs a changer"), "{e}");
}

#[test]
fn a_wrong_expectation_fails_the_verdict() {
    let s = parse(&format!(
        "{SIM}\n[expect]\n[[expect.write]]\nfile = 1\nblocks = 3\nresult = \"complete\"\n"
    ))
    .unwrap();
    let out = engine::run(&s).unwrap();
    // 100 KiB is 3 full blocks and a short one: 4 blocks, not 3.
    let Verdict::Fail(reasons) = out.verdict else {
        panic!("a wrong block count passed");
    };
    assert_eq!(
        reasons,
        vec!["write 1: blocks written: expected 3, got 4".to_string()]
    );
}

#[test]
fn a_fuzz_case_written_as_a_scenario_replays_through_the_engine() {
    let case = TapeTarget.generate(Seed(5));
    let text = TapeTarget.to_scenario(Seed(5), &case, "example");
    let s = engine::parse(Path::new("scenarios/tape/fuzz-tape-0x5.toml"), text)
        .unwrap_or_else(|e| panic!("{e}"));
    let out = engine::run(&s).unwrap();
    assert!(out.verdict.passed(), "{:?}", out.verdict);
    let rendered = out.trace.render();
    assert!(
        rendered
            .trim_end()
            .ends_with("model agrees after every step"),
        "{rendered}"
    );
    assert_eq!(rendered, engine::run(&s).unwrap().trace.render());
}

#[test]
fn an_error_points_at_the_key_itself_not_at_its_name_in_a_comment_or_another_table() {
    // `block_size` appears in a comment (line 5) and in [model] (line 7) before the
    // [device] key that is wrong (line 10).
    let body = "# block_size: the device's, below\n[model]\nblock_size = 1\n\n[device]\ntype = \"sim\"\nblock_size = \"100 B\"\n\n[[volume]]\nbarcode = \"VOL-1\"\ncapacity = \"64 MiB\"\n\n[script]\nsteps = [{ op = \"start\", mode = \"write\", label = \"L-1\" }]\n\n[expect]\nstatus = \"SUCCESS\"\n";
    let e = parse(body).unwrap_err();
    assert!(e.contains("t.toml:11:1: block_size 100"), "{e}");
}

#[test]
fn a_changer_step_is_located_at_the_step_that_needs_the_changer() {
    let body = SIM.replace(
        "  { op = \"write-file\", bytes = \"100 KiB\" },\n",
        "  { op = \"write-file\", bytes = \"100 KiB\" },\n  { op = \"load-next\" },\n",
    );
    let e = parse(&format!("{body}\n[expect]\nstatus = \"SUCCESS\"\n")).unwrap_err();
    // HEAD is 4 lines; the steps start on line 14 of SIM's 12, so load-next is line 16.
    assert!(e.contains("t.toml:16:3:"), "{e}");
    assert!(e.contains("needs a changer"), "{e}");
}

#[test]
fn each_device_takes_only_its_own_kind_of_fault() {
    let vfs_fault_on_a_drive = format!(
        "{SIM}\n[[faults.vfs]]\nkind = \"eio-on-write\"\nnth = 0\n\n[expect]\nstatus = \"SUCCESS\"\n"
    );
    let e = parse(&vfs_fault_on_a_drive).unwrap_err();
    assert!(e.contains("t.toml:18:10:"), "{e}");
    assert!(
        e.contains("a tape scenario takes only [[faults.tape]], not [[faults.vfs]]"),
        "{e}"
    );
    let vfs = "[device]\ntype = \"vfs\"\n\n[script]\nsteps = [{ op = \"start\", mode = \"write\", label = \"L-1\" }]\n\n[[faults.tape]]\nkind = \"offline\"\nfile = 1\nblock = 0\n\n[expect]\nstatus = \"SUCCESS\"\n";
    let e = parse(vfs).unwrap_err();
    assert!(
        e.contains("takes only [[faults.vfs]], not [[faults.tape]]"),
        "{e}"
    );
    let old_form = SIM.replace(
        "[script]",
        "[[fault]]\nkind = \"offline\"\nfile = 1\nblock = 0\n\n[script]",
    );
    let e = parse(&format!("{old_form}\n[expect]\nstatus = \"SUCCESS\"\n")).unwrap_err();
    assert!(e.contains("unknown field `fault`"), "{e}");
}

#[test]
fn a_planned_tape_fault_reaches_the_drive() {
    let body = format!(
        "{SIM}\n[[faults.tape]]\nkind = \"write-error\"\nfile = 1\nblock = 0\n\n[expect]\n[[expect.write]]\nfile = 1\nbytes = 0\nresult = \"failed\"\nat_block = 0\n"
    );
    let s = parse(&body).unwrap();
    let out = engine::run(&s).unwrap();
    assert_eq!(out.verdict, Verdict::Pass, "{}", out.trace.render());
}
