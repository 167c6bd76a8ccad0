//! `kind = "tape"`: run a script of Device API operations on a simulated drive, a
//! simulated tape library or a vfs volume, with faults, and check what happened.
//!
//! ```toml
//! name = "sim-write-error-on-block-0"
//! about = "A media error on the first data block ends the file with nothing written."
//! kind = "tape"
//! seed = 1
//!
//! [device]
//! type = "sim"              # sim (one drive, one volume) | library (drive + changer) | vfs
//! block_size = "32 KiB"     # default 32 KiB
//! leom = true               # default: off for tape drives, on for vfs (Amanda's defaults)
//! early_warning = "linux"   # sim/library: linux | bsd
//! # max_volume_usage = "640 KiB"   # vfs only: Amanda's MAX_VOLUME_USAGE
//!
//! [[volume]]                # sim: exactly one; library: one per slot; vfs: none
//! barcode = "VOL-1"
//! capacity = "1 MiB"
//! early_warning = "256 KiB" # size of the early-warning zone (default: mhvtl's 2 MiB)
//!
//! [[faults.tape]]           # sim/library: a TapeFault (vfs: [[faults.vfs]], enospc-after / eio-on-write)
//! kind = "write-error"
//! file = 1
//! block = 0
//!
//! [script]
//! steps = [                 # the Device API calls, in order
//!   { op = "start", mode = "write", label = "TESTCONF-001" },
//!   { op = "write-file", bytes = "100 KiB" },   # header + blocks until done or refused
//!   { op = "finish" },
//!   { op = "read-file", file = 1 },             # read back through the device under test
//!   # { op = "read-file", file = 1, from_block = 2 },  # seek_file, then seek_block 2
//! ]
//!
//! [expect]
//! status = "VOLUME_ERROR"
//! [[expect.write]]          # one per write-file step, in order
//! file = 1
//! bytes = 0
//! result = "failed"         # complete | failed | space | full | no-file
//! at_block = 0
//! ```
//!
//! Operations: `read-label`, `start`, `write-file`, `finish`, `read-file`, `eject`,
//! `reload` (put the ejected volume back), `reset`, and for libraries `load-next`,
//! `load-slot`, `load-label`, `unload`.
//! A `write-file` writes a header (`SPLIT_FILE` with `part`, else `FILE`) and then blocks of
//! seeded random data until all bytes are written, a write is refused, or (with
//! `stop_at_leom`) the device flags LEOM; then `finish_file`.
//!
//! After the script, every volume is read back with a fresh, fault-free reader: each block
//! a write reported written must read back identically (tape blocks zero-padded to the
//! block size), and nothing more may follow it unless the file ended in a `FAILED` write
//! ("something may have been written"). A difference always fails the scenario.
//!
//! The trace is the device's own events (`take_events`) with the script step's index as
//! virtual time in milliseconds, plus one `script` line per step outcome and one `verify`
//! line per file read back. Temporary directories are shown as `$VOL`.

//!
//! The kind's files follow a run: [`schema`] (the tables above), [`validate`]
//! (settings that contradict each other), [`dut`] (the device under test built with
//! its own kind of faults), [`script`] (one step at a time), [`files`] (writing and
//! reading one file through the device), [`observed`] (what the run saw),
//! [`verify`] (the fault-free read-back), [`expect`] (the `[expect]` checks),
//! [`picture`] (each volume as data for the report's drawing) and
//! [`model`] (`type = "model"`, a drive checked against the reference model).

mod dut;
mod expect;
mod files;
mod model;
mod observed;
pub mod picture;
mod schema;
mod script;
mod validate;
mod verify;

use crate::scenario::{Kind, Outcome, Runner, Scenario, ScenarioError};

pub use files::MAX_BLOCKS;
pub use schema::TIMESTAMP;

use dut::DutKind;
use schema::{DeviceType, Probe, Spec};

/// The tape scenario runner.
pub struct TapeRunner;

impl Runner for TapeRunner {
    fn kind(&self) -> Kind {
        Kind::Tape
    }

    fn sections(&self) -> &'static [&'static str] {
        &["device", "volume", "script", "model"]
    }

    fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        let probe: Probe = scenario.spec()?;
        if probe.device.kind == DeviceType::Model {
            return model::validate(scenario);
        }
        let spec: Spec = scenario.spec()?;
        validate::spec(scenario, &spec)?;
        DutKind::from_plan(scenario, probe.device.kind).map(|_| ())
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome, ScenarioError> {
        let probe: Probe = scenario.spec()?;
        if probe.device.kind == DeviceType::Model {
            return model::run(scenario);
        }
        let spec: Spec = scenario.spec()?;
        validate::spec(scenario, &spec)?;
        let kind = DutKind::from_plan(scenario, probe.device.kind)?;
        script::run(scenario, &spec, kind)
    }
}
