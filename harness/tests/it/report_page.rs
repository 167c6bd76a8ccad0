//! The HTML report as a browser renders it: `reelcheck run --report` on tape
//! scenarios (one failing against a golden trace changed on purpose), then the
//! page's DOM after its script ran, dumped by headless Chromium.
//!
//! Expected values come from the change made to the golden file here, the
//! reviewed golden traces (`verify volume ...: files=[...]`) and amanda.md §5.5
//! (a label and a header are one 32 KiB block each), never from the report code.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::workspace_root;

/// The tape scenario whose golden trace is changed, and the change.
const FAILING: &str = "sim-write-error-on-block-0";
const GOLDEN_LINE: &str = "+3ms tape0 finish";
const CHANGED_LINE: &str = "+3ms tape0 finish_all";

/// The scenarios on the page.
const SCENARIOS: &[&str] = &[
    "scenarios/tape/sim-write-error-on-block-0.toml",
    "scenarios/tape/sim-read-error-mid-file.toml",
    "scenarios/tape/vfs-max-volume-usage.toml",
    "scenarios/xfer/run-zero-bytes.toml",
];

/// The Chromium binary: Debian's `chromium`, installed by `ci/install-peers`.
fn chromium() -> PathBuf {
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        for name in ["chromium", "chromium-browser"] {
            let p = Path::new(dir).join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "chromium is not installed: the HTML report test needs it (Debian package `chromium`; run ci/install-peers)"
    );
}

/// A copy of the golden traces with the failing scenario's trace changed: one
/// line altered, the last line dropped.
fn golden_with_a_change(dir: &Path) -> (PathBuf, String) {
    let golden = dir.join("golden");
    let src = workspace_root().join("golden");
    for kind in ["tape", "xfer"] {
        std::fs::create_dir_all(golden.join(kind)).unwrap();
        for e in std::fs::read_dir(src.join(kind)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, golden.join(kind).join(p.file_name().unwrap())).unwrap();
        }
    }
    let file = golden.join("tape").join(format!("{FAILING}.snap"));
    let text = std::fs::read_to_string(&file).unwrap();
    let mut lines: Vec<&str> = text.trim_end().lines().collect();
    let last = lines.pop().unwrap().to_string();
    let at = lines
        .iter()
        .position(|l| *l == GOLDEN_LINE)
        .expect("golden line");
    lines[at] = CHANGED_LINE;
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    (golden, last)
}

/// The files (label included) the reviewed golden trace says the volume holds.
fn files_on_volume(name: &str) -> usize {
    let text =
        std::fs::read_to_string(workspace_root().join(format!("golden/tape/{name}.snap"))).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains(" verify volume "))
        .expect("a verify volume line");
    let list = &line[line.find("files=[").unwrap() + 7..line.rfind(']').unwrap()];
    1 + list.split(',').filter(|s| !s.trim().is_empty()).count()
}

/// The section of the page for scenario `name`.
fn section<'a>(dom: &'a str, name: &str) -> &'a str {
    let at = dom
        .find(&format!("data-name=\"{name}\""))
        .unwrap_or_else(|| panic!("no section for {name}"));
    let start = dom[..at].rfind("<section").unwrap();
    let end = dom[start..].find("</section>").unwrap() + start;
    &dom[start..end]
}

#[test]
fn the_rendered_page_shows_the_diff_the_volumes_and_a_collapsed_trace() {
    let chromium = chromium();
    let dir = tempfile::tempdir().unwrap();
    let (golden, dropped) = golden_with_a_change(dir.path());
    let (html, xml) = (dir.path().join("r.html"), dir.path().join("r.xml"));
    let out = Command::new(env!("CARGO_BIN_EXE_reelcheck"))
        .current_dir(workspace_root())
        .arg("run")
        .args(SCENARIOS)
        .arg("--golden")
        .arg(&golden)
        .arg("--report")
        .arg(&html)
        .arg("--report")
        .arg(&xml)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "one scenario fails: {out:?}");

    // `timeout` bounds the browser: a hung Chromium fails the test, it does not hang it.
    let profile = dir.path().join("profile");
    let shown = Command::new("timeout")
        .arg("60")
        .arg(&chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(shown.status.success(), "chromium failed: {shown:?}");
    let dom = String::from_utf8(shown.stdout).unwrap();

    assert!(
        dom.contains("<body data-ready=\"1\">"),
        "the page's script ran"
    );
    assert!(dom.contains("<span id=\"failure-count\">1 to look at</span>"));

    // The failing scenario: its diff is on the page, not folded away.
    let failing = section(&dom, FAILING);
    assert!(failing.contains("class=\"scenario fail\""), "{failing}");
    let diff = &failing[failing.find("<pre class=\"diff\">").expect("a diff")..];
    let diff = &diff[..diff.find("</pre>").unwrap()];
    assert!(!diff.contains("<details"));
    for line in [
        format!("<span class=\"del\">-{CHANGED_LINE}</span>"),
        format!("<span class=\"add\">+{GOLDEN_LINE}</span>"),
        format!("<span class=\"add\">+{dropped}</span>"),
    ] {
        assert!(
            diff.contains(&line),
            "{line} missing from the diff:\n{diff}"
        );
    }
    assert!(failing.contains(&format!(
        "reelcheck replay scenarios/tape/{FAILING}.toml --trace --golden {}",
        golden.display()
    )));
    assert!(failing.contains("kind = \"write-error\""), "the fault plan");

    // Every tape scenario draws its volume: one rect.file per file on it, and the
    // trace is collapsed.
    for name in [FAILING, "sim-read-error-mid-file", "vfs-max-volume-usage"] {
        let s = section(&dom, name);
        assert_eq!(s.matches("<svg class=\"volume\"").count(), 1, "{name}");
        assert_eq!(
            s.matches("<rect class=\"file ").count(),
            files_on_volume(name),
            "{name}: one rect per file"
        );
        assert!(s.contains("<details class=\"trace\"><summary>"), "{name}");
        assert!(!s.contains("<details class=\"trace\" open"), "{name}");
    }
    // To scale: 64 KiB written (label and file 1's header, 32 KiB each) of a
    // 64 MiB volume is magnified; there file 1 fills the right half of the
    // 960 px bar that starts at x = 20, and the write error marks byte 65536.
    let zoom = &failing[failing
        .find("class=\"zoom-medium\"")
        .expect("magnified bar")..];
    let file1 = &zoom[zoom.find("data-file=\"1\"").unwrap()..];
    let file1 = &file1[..file1.find('>').unwrap()];
    assert!(file1.contains("data-start=\"32768\""), "{file1}");
    assert!(file1.contains("x=\"500.00\""), "{file1}");
    assert!(file1.contains("width=\"480.00\""), "{file1}");
    assert!(failing.contains("<g class=\"mark fault\" data-at=\"65536\">"));
    // xfer scenarios have no volume.
    assert!(!section(&dom, "run-zero-bytes").contains("<svg"));

    // JUnit carries the diff in its failure message too.
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(
        junit.contains(&format!("-{CHANGED_LINE}&#10;+{GOLDEN_LINE}")),
        "{junit}"
    );
}
