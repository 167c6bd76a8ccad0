//! Runs a script scenario: builds the device under test, performs each step,
//! records the device's events and the step's outcome, then reads every volume
//! back and checks `[expect]`.

use std::time::Duration;

use rand::Rng as _;

use reelcheck_tape::device::{AccessMode, DEFAULT_BLOCK_SIZE};

use crate::rng::Seed;
use crate::scenario::{Checks, Outcome, Scenario, ScenarioError};
use crate::trace::Trace;

use super::dut::{Dut, DutKind, Geometry, build};
use super::expect::check_expect;
use super::files::{read_file, write_file};
use super::observed::{Observed, Recorder};
use super::picture::{self, Sightings};
use super::schema::{DeviceType, Spec, Step, TIMESTAMP, WriteEnd};
use super::verify::verify;

/// Runs the script of `spec` on a device of `kind` and checks what happened.
///
/// # Errors
/// A device that cannot be built (a temporary directory that cannot be made, a
/// volume that does not load).
pub(super) fn run(
    scenario: &Scenario,
    spec: &Spec,
    kind: DutKind,
) -> Result<Outcome, ScenarioError> {
    let d = &spec.device;
    let geometry = Geometry {
        block_size: d.block_size.map_or(DEFAULT_BLOCK_SIZE, |b| b.0 as usize),
        leom: d.leom.unwrap_or(d.kind == DeviceType::Vfs),
        style: d.early_warning.unwrap_or_default(),
    };
    let mut dut = build(kind, d, &spec.volume, geometry)
        .map_err(|e| scenario.error_at("device", format!("cannot build the device: {e}")))?;
    let mut trace = Trace::new();
    let mut obs = Observed::default();
    let redact = dut.temp_dir().map(|p| p.display().to_string());
    let mut rec = Recorder {
        trace: &mut trace,
        at: Duration::ZERO,
        redact,
        pending: Vec::new(),
    };
    let mut seen = Sightings::default();
    let initial = dut.dev().take_events();
    seen.note(&initial, dut.volume_id());
    rec.events(initial, &mut obs);
    for (i, step) in spec.script.steps.iter().enumerate() {
        rec.at = Duration::from_millis(i as u64 + 1);
        run_step(&mut dut, step, i, scenario.header.seed, &mut rec, &mut obs);
        let events = dut.dev().take_events();
        seen.note(&events, dut.volume_id());
        rec.events(events, &mut obs);
        rec.flush();
    }
    let end = Duration::from_millis(spec.script.steps.len() as u64 + 1);
    rec.at = end;
    let state = dut.dev_ref().state().clone();
    rec.line(
        "script",
        format!(
            "end: mode={} status={} is_eom={}",
            state.access_mode, state.status, state.is_eom
        ),
    );
    let mut checks = Checks::default();
    let volumes = verify(&dut, geometry, &obs, &mut rec, &mut checks);
    rec.flush();
    check_expect(&spec.expect, &dut, &obs, &volumes, &state, &mut checks);
    let bytes: u64 = obs.writes.iter().map(|w| w.bytes).sum();
    let mut figures = vec![
        ("device".to_string(), format!("{:?}", d.kind).to_lowercase()),
        ("steps".to_string(), spec.script.steps.len().to_string()),
        ("files".to_string(), obs.written.len().to_string()),
        ("bytes".to_string(), bytes.to_string()),
    ];
    let mvu = d.max_volume_usage.map(|m| m.0);
    figures.extend(picture::figures(&picture::pictures(&dut, &obs, &seen, mvu)));
    Ok(Outcome {
        verdict: checks.verdict(),
        trace,
        figures,
    })
}

/// Notes a failed step in the trace and among the run's errors.
fn failed(rec: &mut Recorder<'_>, obs: &mut Observed, what: &str, e: String) {
    let e = rec.text(e);
    rec.line("script", format!("{what} -> error: {e}"));
    obs.errors.push(e);
}

/// Performs step `index` of the script.
fn run_step(
    dut: &mut Dut,
    step: &Step,
    index: usize,
    seed: Seed,
    rec: &mut Recorder<'_>,
    obs: &mut Observed,
) {
    match step {
        Step::ReadLabel => {
            // A misuse (a started device) is recorded as its error.
            let status = dut.dev().read_label();
            obs.label_reads
                .push(status.map_or_else(|e| e.to_string(), |s| s.to_string()));
        }
        Step::Start {
            mode,
            label,
            timestamp,
        } => start(dut, *mode, label.as_deref(), timestamp.as_deref(), rec, obs),
        Step::WriteFile { bytes, .. } => {
            let mut data = vec![0u8; usize::try_from(bytes.0).unwrap_or(0)];
            seed.stream(index as u64 + 1).fill_bytes(&mut data);
            write_step(dut, step, &data, rec, obs);
        }
        Step::Finish => {
            if let Err(e) = dut.dev().finish() {
                failed(rec, obs, "finish", e.to_string());
            }
        }
        Step::ReadFile { file, from_block } => read_step(dut, *file, *from_block, rec, obs),
        Step::Eject => {
            if let Err(e) = dut.dev().eject() {
                failed(rec, obs, "eject", e.to_string());
            }
        }
        Step::Reload => reload(dut, rec, obs),
        Step::Reset => {
            if let Some(d) = match dut {
                Dut::Sim(d) => Some(d),
                Dut::Library(l) => Some(l.drive_mut()),
                Dut::Vfs { .. } => None,
            } {
                d.reset();
                rec.line("script", "reset".into());
            }
        }
        Step::LoadNext | Step::LoadSlot { .. } | Step::LoadLabel { .. } | Step::Unload => {
            changer(dut, step, rec, obs);
        }
    }
}

/// `start`: a WRITE start erases what the script wrote to the volume before.
fn start(
    dut: &mut Dut,
    mode: AccessMode,
    label: Option<&str>,
    timestamp: Option<&str>,
    rec: &mut Recorder<'_>,
    obs: &mut Observed,
) {
    let ts = timestamp.or(Some(TIMESTAMP));
    match dut.dev().start(mode, label, ts) {
        Ok(()) => {
            if mode == AccessMode::Write
                && let Some(vol) = dut.volume_id()
            {
                obs.written.retain(|w| w.volume != vol);
            }
        }
        Err(e) => failed(rec, obs, &format!("start {mode}"), e.to_string()),
    }
}

/// `write-file`: writes `data` as one file and says how it ended.
fn write_step(dut: &mut Dut, step: &Step, data: &[u8], rec: &mut Recorder<'_>, obs: &mut Observed) {
    let Step::WriteFile {
        host,
        disk,
        level,
        part,
        stop_at_leom,
        ..
    } = step
    else {
        return;
    };
    let outcome = write_file(dut, data, host, disk, *level, *part, *stop_at_leom, obs);
    let mut line = match outcome.file {
        Some(f) => format!(
            "write-file {host}:{disk} -> file {f}: {} blocks, {} bytes written",
            outcome.blocks, outcome.bytes
        ),
        None => format!("write-file {host}:{disk} -> no file"),
    };
    if outcome.leom_at_header {
        line += ", LEOM at the header";
    }
    if let Some(b) = outcome.leom_block {
        line += &format!(", LEOM at blk={b}");
    }
    match (outcome.end, outcome.at_block) {
        (WriteEnd::Complete, _) => line += ", complete",
        (end, Some(b)) => line += &format!(", ended {end} at blk={b}"),
        (end, None) => line += &format!(", ended {end}"),
    }
    rec.line("script", line);
    obs.writes.push(outcome);
}

/// `read-file`: reads one file back through the device under test.
fn read_step(
    dut: &mut Dut,
    file: u32,
    from_block: u64,
    rec: &mut Recorder<'_>,
    obs: &mut Observed,
) {
    let outcome = read_file(dut, file, from_block, obs);
    let from = if from_block > 0 {
        format!(" from blk={from_block}")
    } else {
        String::new()
    };
    let mut line = format!("read-file {file}{from} -> {}", outcome.result);
    if let Some(b) = outcome.block {
        line += &format!(" at blk={b}");
    }
    rec.line("script", line);
    obs.reads.push(outcome);
}

/// `reload`: puts the ejected volume back into a single drive.
fn reload(dut: &mut Dut, rec: &mut Recorder<'_>, obs: &mut Observed) {
    if let Dut::Sim(d) = dut {
        match d.take_volume() {
            Some(v) => {
                if let Err(e) = d.load(v) {
                    failed(rec, obs, "reload", e.to_string());
                }
            }
            None => failed(rec, obs, "reload", "no volume to take out".into()),
        }
    }
}

/// The changer steps: `load-next`, `load-slot`, `load-label`, `unload`.
fn changer(dut: &mut Dut, step: &Step, rec: &mut Recorder<'_>, obs: &mut Observed) {
    let Dut::Library(lib) = dut else { return };
    let (what, result) = match step {
        Step::LoadNext => ("load-next".to_string(), lib.load_next().map(Some)),
        Step::LoadSlot { slot } => (
            format!("load-slot {slot}"),
            lib.load_slot(*slot).map(|()| Some(*slot)),
        ),
        Step::LoadLabel { label } => (
            format!("load-label {label}"),
            lib.load_label(label).map(Some),
        ),
        _ => ("unload".to_string(), lib.unload().map(|()| None)),
    };
    match result {
        Ok(Some(slot)) => {
            obs.loads.push(slot);
            rec.line("script", format!("{what} -> slot {slot}"));
        }
        Ok(None) => rec.line("script", format!("{what} -> ok")),
        Err(e) => failed(rec, obs, &what, e.to_string()),
    }
}
