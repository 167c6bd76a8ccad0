//! The `[expect]` checks of a script scenario, against what the run observed.

use reelcheck_tape::device::DeviceState;

use crate::scenario::Checks;

use super::dut::Dut;
use super::observed::Observed;
use super::schema::Expect;
use super::verify::VolumeFound;

/// Checks every expectation `expect` states.
pub(super) fn check_expect(
    expect: &Expect,
    dut: &Dut,
    obs: &Observed,
    volumes: &[VolumeFound],
    state: &DeviceState,
    checks: &mut Checks,
) {
    if !expect.write.is_empty() {
        checks.eq("write-file steps", obs.writes.len(), expect.write.len());
    }
    for (i, (want, got)) in expect.write.iter().zip(&obs.writes).enumerate() {
        let n = i + 1;
        if let Some(f) = want.file {
            checks.eq(&format!("write {n}: file"), got.file, Some(f));
        }
        if let Some(b) = want.bytes {
            checks.eq(&format!("write {n}: bytes written"), got.bytes, b.0);
        }
        if let Some(b) = want.blocks {
            checks.eq(&format!("write {n}: blocks written"), got.blocks, b);
        }
        if let Some(b) = want.leom_block {
            checks.eq(&format!("write {n}: LEOM block"), got.leom_block, Some(b));
        }
        if let Some(l) = want.leom {
            let seen = got.leom_block.is_some() || got.leom_at_header;
            checks.eq(&format!("write {n}: LEOM flagged"), seen, l);
        }
        if let Some(r) = want.result {
            checks.eq(&format!("write {n}: result"), got.end, r);
        }
        if let Some(b) = want.at_block {
            checks.eq(&format!("write {n}: ended at block"), got.at_block, Some(b));
        }
    }
    if !expect.read.is_empty() {
        checks.eq("read-file steps", obs.reads.len(), expect.read.len());
    }
    for (i, (want, got)) in expect.read.iter().zip(&obs.reads).enumerate() {
        let n = i + 1;
        checks.eq(&format!("read {n}: file"), got.file, want.file);
        checks.eq(&format!("read {n}: result"), got.result, want.result);
        if let Some(b) = want.block {
            checks.eq(&format!("read {n}: block"), got.block, Some(b));
        }
    }
    if let Some(want) = &expect.label_reads {
        checks.eq("read-label statuses", &obs.label_reads, want);
    }
    if let Some(want) = &expect.loads {
        checks.eq("slots loaded", &obs.loads, want);
    }
    for want in &expect.errors {
        checks.that(obs.errors.iter().any(|e| e.contains(want.as_str())), || {
            format!("errors: none contains {want:?} (errors: {:?})", obs.errors)
        });
    }
    if let Some(want) = &expect.status {
        checks.eq("final status", state.status.to_string(), want.clone());
    }
    if let Some(want) = expect.is_eom {
        checks.eq("final is_eom", state.is_eom, want);
    }
    if !expect.volume.is_empty() {
        checks.eq("volumes", volumes.len(), expect.volume.len());
    }
    for (i, (want, got)) in expect.volume.iter().zip(volumes).enumerate() {
        let n = i + 1;
        if let Some(b) = &want.barcode {
            checks.eq(&format!("volume {n}: barcode"), &got.barcode, b);
        }
        if let Some(l) = &want.label {
            let label = got.label.clone().unwrap_or_else(|| "-".into());
            checks.eq(&format!("volume {n}: label"), &label, l);
        }
        if let Some(f) = &want.files {
            checks.eq(&format!("volume {n}: files"), &got.files, f);
        }
        if let Some(names) = &want.names {
            checks.eq(&format!("volume {n}: file names"), &got.names, names);
        }
    }
    if let Some(d) = dut.drive() {
        let pending = d.faults().pending();
        checks.that(pending.len() == expect.unfired_faults, || {
            format!(
                "faults that never fired: {} (expected {}): {}",
                pending.len(),
                expect.unfired_faults,
                pending
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
    }
}
