//! Same-run ratios: throughput samples per bench id, medians, and one line
//! per comparison, printed and appended to `<target>/criterion/reelcheck-ratios.txt`.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// Throughput samples (units per second) collected by bench id.
#[derive(Debug, Default)]
pub struct Tally {
    samples: Mutex<BTreeMap<String, Vec<f64>>>,
}

impl Tally {
    /// An empty tally.
    pub fn new() -> Tally {
        Tally::default()
    }

    /// Records that `units` (bytes, packets) took `elapsed` under `id`.
    pub fn record(&self, id: &str, units: f64, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if secs <= 0.0 {
            return;
        }
        let mut map = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(id.to_string()).or_default().push(units / secs);
    }

    /// Median throughput recorded under `id`.
    pub fn median(&self, id: &str) -> Option<f64> {
        let map = self.samples.lock().unwrap_or_else(PoisonError::into_inner);
        let mut v = map.get(id)?.clone();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }

    /// Best throughput recorded under any of `ids` (medians compared).
    pub fn best_of(&self, ids: &[&str]) -> Option<(String, f64)> {
        ids.iter()
            .filter_map(|id| self.median(id).map(|m| (id.to_string(), m)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    }
}

/// Where ratio lines are appended (next to criterion's own output).
pub fn ratios_file() -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("CARGO_TARGET_DIR") {
        return Some(
            PathBuf::from(dir)
                .join("criterion")
                .join("reelcheck-ratios.txt"),
        );
    }
    // <target>/release/deps/<bench>-<hash>
    let exe = std::env::current_exe().ok()?;
    Some(
        exe.ancestors()
            .nth(3)?
            .join("criterion")
            .join("reelcheck-ratios.txt"),
    )
}

/// Prints `line` and appends it to [`ratios_file`].
pub fn emit(line: &str) {
    println!("{line}");
    if let Some(path) = ratios_file() {
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Ok(mut f) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            let _ = writeln!(f, "{line}");
        }
    }
}

/// Formats a throughput with its unit (`1.52 GiB/s`, `61234 packets/s`).
pub fn rate(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Bytes => {
            let mib = value / (1024.0 * 1024.0);
            if mib >= 1024.0 {
                format!("{:.2} GiB/s", mib / 1024.0)
            } else {
                format!("{mib:.1} MiB/s")
            }
        }
        Unit::Packets => format!("{value:.0} packets/s"),
    }
}

/// What a throughput counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Bytes per second.
    Bytes,
    /// Packets (results) per second.
    Packets,
}

/// Emits `ratio <what>: ours=<rate> baseline(<name>)=<rate> ratio=<x>` (or a
/// line saying which side is missing).
pub fn ratio(
    what: &str,
    ours: Option<f64>,
    baseline_name: &str,
    baseline: Option<f64>,
    unit: Unit,
) {
    match (ours, baseline) {
        (Some(o), Some(b)) if b > 0.0 => emit(&format!(
            "ratio {what}: ours={} {baseline_name}={} ratio={:.2}x",
            rate(o, unit),
            rate(b, unit),
            o / b
        )),
        // Both sides filtered out (a criterion filter): nothing to say.
        (None, None) => {}
        _ => emit(&format!(
            "ratio {what}: not measured (ours={ours:?}, {baseline_name}={baseline:?})"
        )),
    }
}
