//! Settings of a script scenario that serde accepts but that contradict each
//! other or the device type, each reported at the key it is about.

use reelcheck_tape::device::DEFAULT_BLOCK_SIZE;

use crate::scenario::{Scenario, ScenarioError};

use super::schema::{DeviceType, Spec};

/// Checks a script scenario's settings against each other and its device type.
pub(super) fn spec(scenario: &Scenario, spec: &Spec) -> Result<(), ScenarioError> {
    let d = &spec.device;
    let bs = d.block_size.map_or(DEFAULT_BLOCK_SIZE as u64, |b| b.0);
    if bs == 0 || bs > 16 << 20 {
        return Err(scenario.error_at(
            "device.block_size",
            format!("block_size {bs} must be between 1 byte and 16 MiB"),
        ));
    }
    match d.kind {
        DeviceType::Sim | DeviceType::Library => {
            if d.max_volume_usage.is_some() {
                return Err(scenario.error_at(
                    "device.max_volume_usage",
                    "max_volume_usage is a vfs property; a simulated drive has a volume capacity",
                ));
            }
            if d.kind == DeviceType::Sim && spec.volume.len() != 1 {
                return Err(scenario.error_at(
                    "device",
                    format!(
                        "a sim device needs exactly one [[volume]] table, found {}",
                        spec.volume.len()
                    ),
                ));
            }
            if d.kind == DeviceType::Library && spec.volume.is_empty() {
                return Err(scenario.error_at(
                    "device",
                    "a library needs at least one [[volume]] table (one per slot)",
                ));
            }
            if bs < 512 {
                return Err(scenario.error_at(
                    "device.block_size",
                    format!(
                        "block_size {bs}: a tape block must hold the Amanda header text (use at least 512 bytes)"
                    ),
                ));
            }
        }
        DeviceType::Model => {}
        DeviceType::Vfs => {
            if !spec.volume.is_empty() {
                return Err(scenario.error_at(
                    "volume",
                    "a vfs device is one directory volume: remove the [[volume]] tables",
                ));
            }
            if d.early_warning.is_some() {
                return Err(scenario.error_at(
                    "device.early_warning",
                    "early_warning (linux | bsd) is a tape driver setting; vfs LEOM comes from max_volume_usage and free space"
                ));
            }
        }
    }
    if d.kind != DeviceType::Library
        && let Some((i, step)) =
            (spec.script.steps.iter().enumerate()).find(|(_, s)| s.library_only())
    {
        return Err(scenario.error_at(
            &format!("script.steps.{i}"),
            format!("step {step:?} needs a changer: use type = \"library\""),
        ));
    }
    if spec.script.steps.is_empty() {
        return Err(scenario.error_at(
            "script.steps",
            "`steps` is empty: the script must do something",
        ));
    }
    Ok(())
}
