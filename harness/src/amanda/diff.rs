//! The differential: runs every case through Amanda and through us,
//! compares mechanisms and glue positions, CRC messages, the other
//! messages, the status and the output bytes, and turns every disagreement
//! into a replayable finding (known Amanda defects aside).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::case::{Case, Kind, draw, draw_shape, shapes};
use super::defects::{KnownDefect, known_defect};
use super::observed::{Disagreement, Ended, Observed};
use super::{ours, probe};
use crate::rng::Seed;

/// Compares Amanda's observation with ours.
pub fn compare(amanda: &Observed, ours: &Observed) -> Vec<Disagreement> {
    let mut out = Vec::new();
    let mut add = |aspect, detail: String| out.push(Disagreement { aspect, detail });
    if amanda.ended != Ended::Finished {
        add("amanda-ended", format!("Amanda: {:?}", amanda.ended));
    }
    if ours.ended != Ended::Finished {
        add("ours-ended", format!("ours: {:?}", ours.ended));
    }
    if amanda.linkage.is_some() && amanda.linkage != ours.linkage {
        add(
            "linkage",
            format!(
                "Amanda: {}\n  ours: {}",
                amanda.linkage_line, ours.linkage_line
            ),
        );
    }
    if amanda.ended != Ended::Finished || ours.ended != Ended::Finished {
        return out;
    }
    let crcs = |o: &Observed| {
        let mut v: Vec<(usize, u32, u64)> = o
            .messages
            .iter()
            .filter_map(|m| m.crc.map(|(c, s)| (m.at, c, s)))
            .collect();
        v.sort_unstable();
        v
    };
    let (ca, co) = (crcs(amanda), crcs(ours));
    if ca != co {
        add(
            "crc",
            format!("Amanda: {}\n  ours: {}", show_crcs(&ca), show_crcs(&co)),
        );
    }
    let others = |o: &Observed| {
        let mut v: Vec<(usize, String)> = o
            .messages
            .iter()
            .filter(|m| matches!(m.kind.as_str(), "INFO" | "ERROR" | "CANCEL"))
            .map(|m| (m.at, m.kind.clone()))
            .collect();
        v.sort_unstable();
        let dones = o.messages.iter().filter(|m| m.kind == "DONE").count();
        (v, dones)
    };
    let (oa, oo) = (others(amanda), others(ours));
    if oa != oo {
        add("messages", format!("Amanda: {oa:?}\n  ours: {oo:?}"));
    }
    if amanda.status != ours.status {
        add(
            "status",
            format!("Amanda: {}, ours: {}", amanda.status, ours.status),
        );
    }
    if let (Some(a), Some(o)) = (&amanda.output, &ours.output)
        && a != o
    {
        let at = a.iter().zip(o).position(|(x, y)| x != y);
        add(
            "output",
            format!(
                "Amanda: {} bytes, ours: {} bytes, first difference at {:?}",
                a.len(),
                o.len(),
                at.or(Some(a.len().min(o.len())))
            ),
        );
    }
    out
}

fn show_crcs(v: &[(usize, u32, u64)]) -> String {
    let parts: Vec<String> = v
        .iter()
        .map(|(at, c, s)| format!("[{at}] {c:08x}/{s}"))
        .collect();
    parts.join(", ")
}

/// How a campaign runs.
#[derive(Clone, Debug)]
pub struct Plan {
    /// Seed of every draw.
    pub seed: Seed,
    /// Every shape up to this length first.
    pub shapes_len: usize,
    /// Then this many seeded cases of length up to `max_len`.
    pub cases: usize,
    /// Longest drawn case.
    pub max_len: usize,
    /// Seconds before either side counts as hung.
    pub timeout: u64,
    /// Parallel cases.
    pub jobs: usize,
    /// Where findings are written.
    pub out: PathBuf,
}

/// One case with its result.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Case number in the campaign.
    pub index: usize,
    /// The case.
    pub case: Case,
    /// Disagreements (empty = agreed).
    pub disagreements: Vec<Disagreement>,
    /// The known Amanda defect that explains them, if any.
    pub known: Option<&'static KnownDefect>,
    /// What Amanda did.
    pub amanda: Observed,
    /// What we did.
    pub ours: Observed,
}

/// The cases of a plan: every shape (parameters from `seed` and the shape's
/// number), then `cases` seeded shapes.
pub fn cases(plan: &Plan) -> Vec<Case> {
    let mut out: Vec<Case> = shapes(plan.shapes_len)
        .iter()
        .enumerate()
        .map(|(i, s)| draw(s, Seed(plan.seed.0.wrapping_add(i as u64))))
        .collect();
    let mut rng = plan.seed.stream(1);
    for i in 0..plan.cases {
        let shape: Vec<Kind> = draw_shape(&mut rng, plan.max_len);
        out.push(draw(&shape, Seed(plan.seed.0 ^ (0xa5a5_0000 + i as u64))));
    }
    out
}

/// Runs one case on both sides in a fresh temporary directory.
pub fn run_case(index: usize, case: &Case, timeout: u64) -> Result<Outcome, probe::ProbeError> {
    let dir = tempfile::tempdir()?;
    let amanda = probe::run(case, dir.path(), timeout)?;
    let ours = ours::run(case, dir.path(), timeout);
    let disagreements = compare(&amanda, &ours);
    let known = if disagreements.is_empty() {
        None
    } else {
        known_defect(case, &amanda, &ours, &disagreements)
    };
    Ok(Outcome {
        index,
        case: case.clone(),
        disagreements,
        known,
        amanda,
        ours,
    })
}

/// Runs every case of `plan`, `jobs` at a time; `progress` sees each outcome.
pub fn run_plan(
    plan: &Plan,
    progress: &(dyn Fn(&Outcome) + Sync),
) -> Result<Vec<Outcome>, probe::ProbeError> {
    let all = cases(plan);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Result<Outcome, probe::ProbeError>>> = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..plan.jobs.max(1) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(case) = all.get(i) else { break };
                    let r = run_case(i, case, plan.timeout);
                    if let Ok(o) = &r {
                        progress(o);
                    }
                    results.lock().unwrap_or_else(|p| p.into_inner()).push(r);
                }
            });
        }
    });
    let mut done: Vec<Outcome> = results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .collect::<Result<_, _>>()?;
    done.sort_by_key(|o| o.index);
    Ok(done)
}

/// Writes `o` as `finding-NNNN.case` (replayable) and `finding-NNNN.txt` into `dir`.
pub fn write_finding(dir: &Path, seed: Seed, o: &Outcome) -> std::io::Result<PathBuf> {
    std::fs::create_dir_all(dir)?;
    let base = dir.join(format!("finding-{:04}", o.index));
    let mut head = format!("# amanda-diff --seed {seed}, case {}\n", o.index);
    for d in &o.disagreements {
        let _ = writeln!(head, "# {}: {}", d.aspect, d.detail.replace('\n', "\n#   "));
    }
    if let Some(k) = o.known {
        let _ = writeln!(
            head,
            "# known {} {}: {} ({})",
            k.side, k.id, k.title, k.reproducer
        );
    }
    let case_path = base.with_extension("case");
    std::fs::write(&case_path, format!("{head}{}", o.case))?;
    let report = format!(
        "{head}\n== Amanda 3.5.1\n{}\n== reelcheck-xfer\n{}\nreplay: reelcheck xfer amanda-diff --replay {}\n",
        o.amanda.describe(),
        o.ours.describe(),
        case_path.display()
    );
    std::fs::write(base.with_extension("txt"), report)?;
    Ok(case_path)
}
