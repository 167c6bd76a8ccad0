//! The Amanda differential on a few fixed cases against real Amanda 3.5.1
//! (Debian amanda-server; without it these fail with the probe's error).

use reelcheck_harness::amanda::case::Case;
use reelcheck_harness::amanda::defects::Side;
use reelcheck_harness::amanda::diff::{compare, run_case};

fn case(text: &str) -> Case {
    text.parse().expect("case parses")
}

#[test]
fn a_pattern_through_cat_into_a_buffer_agrees_but_for_the_known_gap() {
    let o = run_case(
        0,
        &case("pattern 70001 616263\nprocess 2f62696e2f636174\nbuffer\n"),
        60,
    )
    .expect("probe runs");
    assert_eq!(
        o.amanda.output.as_deref().map(<[u8]>::len),
        Some(70001),
        "Amanda delivered the pattern: {}",
        o.amanda.describe()
    );
    assert!(
        !o.disagreements
            .iter()
            .any(|d| d.aspect == "output" || d.aspect == "linkage"),
        "{:?}",
        o.disagreements
    );
    if !o.disagreements.is_empty() {
        assert_eq!(
            o.known.map(|k| k.side),
            Some(Side::Ours),
            "{:?}",
            o.disagreements
        );
    }
}

#[test]
fn amanda_hanging_on_xor_by_pull_static_is_the_known_defect() {
    let o = run_case(0, &case("random 32768 5\nxor 99\nfddest\n"), 5).expect("probe runs");
    assert_eq!(o.known.map(|k| k.id), Some("amanda-filter-pull-static-eof"));
}

#[test]
fn a_changed_byte_is_a_new_output_disagreement() {
    let o = run_case(0, &case("pattern 100 616263\nxor 90\nbuffer\n"), 60).expect("probe runs");
    let mut ours = o.ours.clone();
    if let Some(out) = ours.output.as_mut() {
        out[7] ^= 1;
    }
    let d = compare(&o.amanda, &ours);
    assert!(d.iter().any(|d| d.aspect == "output"), "{d:?}");
}
