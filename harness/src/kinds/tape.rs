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
//! [[fault]]                 # sim/library: a TapeFault; vfs: enospc-after / eio-on-write
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

use std::fmt;
use std::num::NonZeroU32;
use std::path::Path;
use std::time::Duration;

use rand::Rng as _;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use reelcheck_tape::device::{
    AccessMode, DEFAULT_BLOCK_SIZE, Device, DeviceEvent, EventKind, Property, ReadResult,
    SeekResult, WriteResult,
};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::library::Library;
use reelcheck_tape::sim::reference::{self, ModelConfig};
use reelcheck_tape::sim::{EarlyWarningStyle, SimConfig, SimDrive, TapeFault, Volume, VolumeSpec};
use reelcheck_tape::vfs::{VfsDevice, VfsFault};

use crate::rng::Seed;
use crate::scenario::{Checks, Kind, Outcome, Runner, Scenario, ScenarioError};
use crate::size::ByteSize;
use crate::trace::Trace;

/// The tape scenario runner.
pub struct TapeRunner;

/// The datestamp written in labels and headers unless a step gives one.
pub const TIMESTAMP: &str = "20240101000000";

/// The most blocks one `write-file` step writes (a bound on every loop).
pub const MAX_BLOCKS: u64 = 1 << 16;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
enum DeviceType {
    Sim,
    Library,
    Vfs,
    Model,
}

#[derive(Deserialize)]
struct Probe {
    device: ProbeDevice,
}

#[derive(Deserialize)]
struct ProbeDevice {
    #[serde(rename = "type")]
    kind: DeviceType,
}

#[derive(Deserialize)]
struct Spec<F> {
    device: DeviceSection,
    #[serde(default)]
    volume: Vec<VolumeSection>,
    #[serde(default = "Vec::new")]
    fault: Vec<F>,
    script: Script,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Script {
    steps: Vec<Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceSection {
    #[serde(rename = "type")]
    kind: DeviceType,
    block_size: Option<ByteSize>,
    leom: Option<bool>,
    early_warning: Option<EarlyWarningStyle>,
    max_volume_usage: Option<ByteSize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VolumeSection {
    barcode: String,
    capacity: ByteSize,
    early_warning: Option<ByteSize>,
}

/// A vfs filesystem fault as written in a scenario.
#[derive(Deserialize, Clone, Debug)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
enum VfsFaultSpec {
    /// The filesystem has room for this many more bytes (label and headers included).
    EnospcAfter { bytes: ByteSize },
    /// Write call `nth` (from 0, label and headers included) fails with EIO.
    EioOnWrite { nth: u64 },
}

impl VfsFaultSpec {
    fn fault(&self) -> VfsFault {
        match self {
            VfsFaultSpec::EnospcAfter { bytes } => VfsFault::EnospcAfter { bytes: bytes.0 },
            VfsFaultSpec::EioOnWrite { nth } => VfsFault::EioOnWrite { nth: *nth },
        }
    }
}

fn default_host() -> String {
    "myhost".into()
}

fn default_disk() -> String {
    "/my/disk".into()
}

/// One script operation.
#[derive(Deserialize, Clone, Debug)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
enum Step {
    ReadLabel,
    Start {
        mode: AccessMode,
        label: Option<String>,
        timestamp: Option<String>,
    },
    WriteFile {
        bytes: ByteSize,
        #[serde(default = "default_host")]
        host: String,
        #[serde(default = "default_disk")]
        disk: String,
        #[serde(default)]
        level: u32,
        part: Option<u32>,
        #[serde(default)]
        stop_at_leom: bool,
    },
    Finish,
    ReadFile {
        file: u32,
        #[serde(default)]
        from_block: u64,
    },
    Eject,
    Reload,
    Reset,
    LoadNext,
    LoadSlot {
        slot: usize,
    },
    LoadLabel {
        label: String,
    },
    Unload,
}

impl Step {
    fn library_only(&self) -> bool {
        matches!(
            self,
            Step::LoadNext | Step::LoadSlot { .. } | Step::LoadLabel { .. } | Step::Unload
        )
    }
}

/// How a `write-file` step ended.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum WriteEnd {
    /// Every byte written (or stopped at LEOM as asked).
    Complete,
    /// A write returned `FAILED`.
    Failed,
    /// A write returned `SPACE`.
    Space,
    /// A write returned `FULL`.
    Full,
    /// `start_file` failed: no file was opened.
    NoFile,
}

impl fmt::Display for WriteEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WriteEnd::Complete => "complete",
            WriteEnd::Failed => "FAILED",
            WriteEnd::Space => "SPACE",
            WriteEnd::Full => "FULL",
            WriteEnd::NoFile => "no-file",
        })
    }
}

/// How a `read-file` step ended.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum ReadEnd {
    /// Every block read back as written, then end of file.
    Identical,
    /// A block read back different from what was written.
    Corrupt,
    /// A read failed.
    Error,
    /// End of file before all written blocks.
    Short,
    /// More blocks than were written.
    Long,
    /// `seek_file` did not reach the file.
    NoFile,
}

impl fmt::Display for ReadEnd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReadEnd::Identical => "identical",
            ReadEnd::Corrupt => "corrupt",
            ReadEnd::Error => "error",
            ReadEnd::Short => "short",
            ReadEnd::Long => "long",
            ReadEnd::NoFile => "no-file",
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default)]
    write: Vec<ExpectWrite>,
    #[serde(default)]
    read: Vec<ExpectRead>,
    label_reads: Option<Vec<String>>,
    loads: Option<Vec<usize>>,
    #[serde(default)]
    errors: Vec<String>,
    status: Option<String>,
    is_eom: Option<bool>,
    #[serde(default)]
    volume: Vec<ExpectVolume>,
    #[serde(default)]
    unfired_faults: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectWrite {
    file: Option<u32>,
    bytes: Option<ByteSize>,
    blocks: Option<u64>,
    leom: Option<bool>,
    leom_block: Option<u64>,
    result: Option<WriteEnd>,
    at_block: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectRead {
    file: u32,
    result: ReadEnd,
    block: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectVolume {
    barcode: Option<String>,
    label: Option<String>,
    files: Option<Vec<u32>>,
    /// vfs only: the data files' names, in file order.
    names: Option<Vec<String>>,
}

/// The device under test.
enum Dut {
    Sim(SimDrive),
    Library(Library),
    Vfs {
        dev: VfsDevice,
        dir: tempfile::TempDir,
    },
}

impl Dut {
    fn dev(&mut self) -> &mut dyn Device {
        match self {
            Dut::Sim(d) => d,
            Dut::Library(l) => l.drive_mut(),
            Dut::Vfs { dev, .. } => dev,
        }
    }

    fn dev_ref(&self) -> &dyn Device {
        match self {
            Dut::Sim(d) => d,
            Dut::Library(l) => l.drive(),
            Dut::Vfs { dev, .. } => dev,
        }
    }

    fn drive(&self) -> Option<&SimDrive> {
        match self {
            Dut::Sim(d) => Some(d),
            Dut::Library(l) => Some(l.drive()),
            Dut::Vfs { .. } => None,
        }
    }

    /// The barcode of the volume in the drive (or its mouth); `vfs` for a vfs volume.
    fn volume_id(&self) -> Option<String> {
        match self {
            Dut::Vfs { .. } => Some("vfs".into()),
            _ => self
                .drive()
                .and_then(|d| d.volume().or(d.ejected()))
                .map(|v| v.barcode().to_string()),
        }
    }

    fn temp_dir(&self) -> Option<&Path> {
        match self {
            Dut::Vfs { dir, .. } => Some(dir.path()),
            _ => None,
        }
    }
}

/// What a script wrote to one file, as the device reported it.
#[derive(Debug)]
struct WrittenFile {
    volume: String,
    file: u32,
    /// The blocks whose write returned success, as offered.
    blocks: Vec<Vec<u8>>,
    /// The file ended with a `FAILED` write: something more may be on the medium.
    failed: bool,
}

/// One `write-file` step's result.
#[derive(Debug)]
struct WriteOutcome {
    file: Option<u32>,
    blocks: u64,
    bytes: u64,
    leom_block: Option<u64>,
    leom_at_header: bool,
    end: WriteEnd,
    at_block: Option<u64>,
}

/// One `read-file` step's result.
#[derive(Debug)]
struct ReadOutcome {
    file: u32,
    result: ReadEnd,
    block: Option<u64>,
}

/// Everything a run observed, for the `[expect]` checks.
#[derive(Default)]
struct Observed {
    writes: Vec<WriteOutcome>,
    reads: Vec<ReadOutcome>,
    label_reads: Vec<String>,
    loads: Vec<usize>,
    errors: Vec<String>,
    written: Vec<WrittenFile>,
}

/// The drive configuration shared by the device under test and the reader.
#[derive(Clone, Copy)]
struct Geometry {
    block_size: usize,
    leom: bool,
    style: EarlyWarningStyle,
}

impl Geometry {
    fn sim_config(&self) -> SimConfig {
        SimConfig {
            block_size: self.block_size,
            min_block_size: self.block_size.min(DEFAULT_BLOCK_SIZE),
            leom: self.leom,
            early_warning: self.style,
            ..SimConfig::default()
        }
    }
}

impl Runner for TapeRunner {
    fn kind(&self) -> Kind {
        Kind::Tape
    }

    fn sections(&self) -> &'static [&'static str] {
        &["device", "volume", "fault", "script", "model"]
    }

    fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        let probe: Probe = scenario.spec()?;
        match probe.device.kind {
            DeviceType::Vfs => validate_spec(scenario, &scenario.spec::<Spec<VfsFaultSpec>>()?),
            DeviceType::Model => scenario.spec::<ModelSpec>().map(|_| ()),
            _ => validate_spec(scenario, &scenario.spec::<Spec<TapeFault>>()?),
        }
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome, ScenarioError> {
        let probe: Probe = scenario.spec()?;
        match probe.device.kind {
            DeviceType::Vfs => {
                let spec: Spec<VfsFaultSpec> = scenario.spec()?;
                validate_spec(scenario, &spec)?;
                let faults: Vec<VfsFault> = spec.fault.iter().map(VfsFaultSpec::fault).collect();
                run_spec(scenario, &spec, &[], &faults)
            }
            DeviceType::Model => run_model(&scenario.spec::<ModelSpec>()?),
            _ => {
                let spec: Spec<TapeFault> = scenario.spec()?;
                validate_spec(scenario, &spec)?;
                run_spec(scenario, &spec, &spec.fault, &[])
            }
        }
    }
}

/// `type = "model"`: a simulated drive checked against [`reference`] step by step
/// (what `reelcheck fuzz tape` writes for a failing case).
#[derive(Deserialize)]
struct ModelSpec {
    model: ModelConfig,
    script: ModelScript,
    expect: ModelExpect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelScript {
    steps: Vec<reference::Step>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelExpect {
    /// The drive agrees with the reference model after every step.
    agrees: bool,
}

fn run_model(spec: &ModelSpec) -> Result<Outcome, ScenarioError> {
    let mut trace = Trace::new();
    let mut checks = Checks::default();
    let result = crate::fuzz::tape::replay(&spec.model, &spec.script.steps, |i, events| {
        for e in events {
            let line = e.to_string();
            let prefix = format!("{} ", e.device);
            let text = line.strip_prefix(&prefix).unwrap_or(&line).to_string();
            trace.push(Duration::from_millis(i as u64 + 1), e.device.clone(), text);
        }
    });
    let end = Duration::from_millis(spec.script.steps.len() as u64 + 1);
    match &result {
        Ok(()) => trace.push(end, "model", "agrees after every step"),
        Err((i, m)) => trace.push(
            Duration::from_millis(*i as u64 + 1),
            "model",
            format!("mismatch: {m}"),
        ),
    }
    checks.eq(
        "drive agrees with the model",
        result.is_ok(),
        spec.expect.agrees,
    );
    if let Err((i, m)) = result {
        checks.that(!spec.expect.agrees, || format!("step {}: {m}", i + 1));
    }
    Ok(Outcome {
        verdict: checks.verdict(),
        trace,
        figures: vec![
            ("device".into(), "model".into()),
            ("steps".into(), spec.script.steps.len().to_string()),
        ],
    })
}

fn at(scenario: &Scenario, needle: &str, msg: String) -> ScenarioError {
    ScenarioError::at(
        &scenario.path,
        &scenario.text,
        scenario.text.find(needle).unwrap_or(0),
        msg,
    )
}

fn validate_spec<F: DeserializeOwned>(
    scenario: &Scenario,
    spec: &Spec<F>,
) -> Result<(), ScenarioError> {
    let d = &spec.device;
    let bs = d.block_size.map_or(DEFAULT_BLOCK_SIZE as u64, |b| b.0);
    if bs == 0 || bs > 16 << 20 {
        return Err(at(
            scenario,
            "block_size",
            format!("block_size {bs} must be between 1 byte and 16 MiB"),
        ));
    }
    match d.kind {
        DeviceType::Sim | DeviceType::Library => {
            if d.max_volume_usage.is_some() {
                return Err(at(
                    scenario,
                    "max_volume_usage",
                    "max_volume_usage is a vfs property; a simulated drive has a volume capacity"
                        .into(),
                ));
            }
            if d.kind == DeviceType::Sim && spec.volume.len() != 1 {
                return Err(at(
                    scenario,
                    "[device]",
                    format!(
                        "a sim device needs exactly one [[volume]] table, found {}",
                        spec.volume.len()
                    ),
                ));
            }
            if d.kind == DeviceType::Library && spec.volume.is_empty() {
                return Err(at(
                    scenario,
                    "[device]",
                    "a library needs at least one [[volume]] table (one per slot)".into(),
                ));
            }
            if bs < 512 {
                return Err(at(
                    scenario,
                    "block_size",
                    format!(
                        "block_size {bs}: a tape block must hold the Amanda header text (use at least 512 bytes)"
                    ),
                ));
            }
        }
        DeviceType::Model => {}
        DeviceType::Vfs => {
            if !spec.volume.is_empty() {
                return Err(at(
                    scenario,
                    "[[volume]]",
                    "a vfs device is one directory volume: remove the [[volume]] tables".into(),
                ));
            }
            if d.early_warning.is_some() {
                return Err(at(
                    scenario,
                    "early_warning",
                    "early_warning (linux | bsd) is a tape driver setting; vfs LEOM comes from max_volume_usage and free space".into(),
                ));
            }
        }
    }
    if d.kind != DeviceType::Library
        && let Some(step) = spec.script.steps.iter().find(|s| s.library_only())
    {
        return Err(at(
            scenario,
            "load",
            format!("step {step:?} needs a changer: use type = \"library\""),
        ));
    }
    if spec.script.steps.is_empty() {
        return Err(at(
            scenario,
            "steps",
            "`steps` is empty: the script must do something".into(),
        ));
    }
    Ok(())
}

fn build(
    spec_device: &DeviceSection,
    volumes: &[VolumeSection],
    tape_faults: &[TapeFault],
    vfs_faults: &[VfsFault],
    geometry: Geometry,
) -> Result<Dut, String> {
    let make_volume = |v: &VolumeSection| {
        let spec = match v.early_warning {
            Some(ew) => VolumeSpec::with_early_warning(v.capacity.0, ew.0),
            None => VolumeSpec::new(v.capacity.0),
        };
        Volume::blank(v.barcode.clone(), spec)
    };
    match spec_device.kind {
        DeviceType::Sim => {
            let mut d = SimDrive::new("tape0", geometry.sim_config(), tape_faults.to_vec());
            if let Some(v) = volumes.first() {
                d.load(make_volume(v)).map_err(|e| e.to_string())?;
            }
            Ok(Dut::Sim(d))
        }
        DeviceType::Library => {
            let d = SimDrive::new("tape0", geometry.sim_config(), tape_faults.to_vec());
            Ok(Dut::Library(Library::new(
                d,
                volumes.iter().map(make_volume).collect(),
            )))
        }
        DeviceType::Vfs => {
            let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
            let mut dev = VfsDevice::with_faults("vfs0", dir.path(), vfs_faults);
            dev.set_property(Property::BlockSize(geometry.block_size))
                .map_err(|e| e.to_string())?;
            dev.set_property(Property::Leom(geometry.leom))
                .map_err(|e| e.to_string())?;
            if let Some(mvu) = spec_device.max_volume_usage {
                dev.set_property(Property::MaxVolumeUsage(Some(mvu.0)))
                    .map_err(|e| e.to_string())?;
            }
            Ok(Dut::Vfs { dev, dir })
        }
        DeviceType::Model => Err("a model scenario has no script of its own".into()),
    }
}

/// Records the device's new events and the script's own lines in the trace.
struct Recorder<'a> {
    trace: &'a mut Trace,
    at: Duration,
    redact: Option<String>,
    /// Script lines of the current step, written after the device's events.
    pending: Vec<(String, String)>,
}

impl Recorder<'_> {
    fn text(&self, s: String) -> String {
        match &self.redact {
            Some(p) => s.replace(p.as_str(), "$VOL"),
            None => s,
        }
    }

    fn events(&mut self, events: Vec<DeviceEvent>, obs: &mut Observed) {
        for e in events {
            if let EventKind::Error { message, .. } = &e.kind {
                obs.errors.push(self.text(message.clone()));
            }
            let line = e.to_string();
            let prefix = format!("{} ", e.device);
            let text = line.strip_prefix(&prefix).unwrap_or(&line).to_string();
            let text = self.text(text);
            self.trace.push(self.at, e.device.clone(), text);
        }
    }

    fn line(&mut self, actor: &str, text: String) {
        let text = self.text(text);
        self.pending.push((actor.to_string(), text));
    }

    fn flush(&mut self) {
        for (actor, text) in std::mem::take(&mut self.pending) {
            self.trace.push(self.at, actor, text);
        }
    }
}

fn run_spec<F>(
    scenario: &Scenario,
    spec: &Spec<F>,
    tape_faults: &[TapeFault],
    vfs_faults: &[VfsFault],
) -> Result<Outcome, ScenarioError> {
    let d = &spec.device;
    let geometry = Geometry {
        block_size: d.block_size.map_or(DEFAULT_BLOCK_SIZE, |b| b.0 as usize),
        leom: d.leom.unwrap_or(d.kind == DeviceType::Vfs),
        style: d.early_warning.unwrap_or_default(),
    };
    let mut dut = build(d, &spec.volume, tape_faults, vfs_faults, geometry).map_err(|e| {
        at(
            scenario,
            "[device]",
            format!("cannot build the device: {e}"),
        )
    })?;
    let mut trace = Trace::new();
    let mut obs = Observed::default();
    let redact = dut.temp_dir().map(|p| p.display().to_string());
    let mut rec = Recorder {
        trace: &mut trace,
        at: Duration::ZERO,
        redact,
        pending: Vec::new(),
    };
    let initial = dut.dev().take_events();
    rec.events(initial, &mut obs);
    for (i, step) in spec.script.steps.iter().enumerate() {
        rec.at = Duration::from_millis(i as u64 + 1);
        run_step(&mut dut, step, i, scenario.header.seed, &mut rec, &mut obs);
        let events = dut.dev().take_events();
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
    let figures = vec![
        ("device".to_string(), format!("{:?}", d.kind).to_lowercase()),
        ("steps".to_string(), spec.script.steps.len().to_string()),
        ("files".to_string(), obs.written.len().to_string()),
        ("bytes".to_string(), bytes.to_string()),
    ];
    Ok(Outcome {
        verdict: checks.verdict(),
        trace,
        figures,
    })
}

fn run_step(
    dut: &mut Dut,
    step: &Step,
    index: usize,
    seed: Seed,
    rec: &mut Recorder<'_>,
    obs: &mut Observed,
) {
    let err = |rec: &mut Recorder<'_>, obs: &mut Observed, what: &str, e: String| {
        let e = rec.text(e);
        rec.line("script", format!("{what} -> error: {e}"));
        obs.errors.push(e);
    };
    match step {
        Step::ReadLabel => {
            let status = dut.dev().read_label();
            obs.label_reads.push(status.to_string());
        }
        Step::Start {
            mode,
            label,
            timestamp,
        } => {
            let ts = timestamp.as_deref().or(Some(TIMESTAMP));
            let result = dut.dev().start(*mode, label.as_deref(), ts);
            match result {
                Ok(()) => {
                    if *mode == AccessMode::Write
                        && let Some(vol) = dut.volume_id()
                    {
                        // A WRITE start erases the volume.
                        obs.written.retain(|w| w.volume != vol);
                    }
                }
                Err(e) => err(rec, obs, &format!("start {mode}"), e.to_string()),
            }
        }
        Step::WriteFile {
            bytes,
            host,
            disk,
            level,
            part,
            stop_at_leom,
        } => {
            let mut data = vec![0u8; usize::try_from(bytes.0).unwrap_or(0)];
            seed.stream(index as u64 + 1).fill_bytes(&mut data);
            let outcome = write_file(dut, &data, host, disk, *level, *part, *stop_at_leom, obs);
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
        Step::Finish => {
            if let Err(e) = dut.dev().finish() {
                err(rec, obs, "finish", e.to_string());
            }
        }
        Step::ReadFile { file, from_block } => {
            let outcome = read_file(dut, *file, *from_block, obs);
            let from = if *from_block > 0 {
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
        Step::Eject => {
            if let Err(e) = dut.dev().eject() {
                err(rec, obs, "eject", e.to_string());
            }
        }
        Step::Reload => {
            if let Dut::Sim(d) = dut {
                match d.take_volume() {
                    Some(v) => {
                        if let Err(e) = d.load(v) {
                            err(rec, obs, "reload", e.to_string());
                        }
                    }
                    None => err(rec, obs, "reload", "no volume to take out".into()),
                }
            }
        }
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
            let Dut::Library(lib) = dut else { return };
            let result = match step {
                Step::LoadNext => lib.load_next().map(Some),
                Step::LoadSlot { slot } => lib.load_slot(*slot).map(|()| Some(*slot)),
                Step::LoadLabel { label } => lib.load_label(label).map(Some),
                _ => lib.unload().map(|()| None),
            };
            let what = match step {
                Step::LoadNext => "load-next".to_string(),
                Step::LoadSlot { slot } => format!("load-slot {slot}"),
                Step::LoadLabel { label } => format!("load-label {label}"),
                _ => "unload".to_string(),
            };
            match result {
                Ok(Some(slot)) => {
                    obs.loads.push(slot);
                    rec.line("script", format!("{what} -> slot {slot}"));
                }
                Ok(None) => rec.line("script", format!("{what} -> ok")),
                Err(e) => err(rec, obs, &what, e.to_string()),
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn write_file(
    dut: &mut Dut,
    data: &[u8],
    host: &str,
    disk: &str,
    level: u32,
    part: Option<u32>,
    stop_at_leom: bool,
    obs: &mut Observed,
) -> WriteOutcome {
    let mut out = WriteOutcome {
        file: None,
        blocks: 0,
        bytes: 0,
        leom_block: None,
        leom_at_header: false,
        end: WriteEnd::Complete,
        at_block: None,
    };
    let header = match part.and_then(NonZeroU32::new) {
        Some(p) => DumpHeader::split(TIMESTAMP, host, disk, level, "/bin/tar", p, None),
        None => DumpHeader::file(TIMESTAMP, host, disk, level, "/bin/tar"),
    };
    let text = match Header::Dump(Box::new(header)).to_text() {
        Ok(t) => t,
        Err(e) => {
            obs.errors.push(format!("header: {e}"));
            out.end = WriteEnd::NoFile;
            return out;
        }
    };
    let volume = dut.volume_id().unwrap_or_default();
    let file = match dut.dev().start_file(text.as_bytes()) {
        Ok(f) => f,
        Err(e) => {
            obs.errors.push(e.to_string());
            out.end = WriteEnd::NoFile;
            return out;
        }
    };
    out.file = Some(file);
    // Writing file N on a tape erases it and everything after it.
    obs.written
        .retain(|w| !(w.volume == volume && w.file >= file));
    let eom_before = dut.dev_ref().state().is_eom;
    out.leom_at_header = eom_before;
    let mut written = WrittenFile {
        volume,
        file,
        blocks: Vec::new(),
        failed: false,
    };
    let bs = dut.dev_ref().properties().block_size.max(1);
    let mut leom_seen = eom_before;
    for (i, chunk) in data.chunks(bs).enumerate().take(MAX_BLOCKS as usize) {
        let block = i as u64;
        let result = dut.dev().write_block(chunk);
        let leom_now = dut.dev_ref().state().is_eom;
        match result {
            Ok(WriteResult::Success) => {
                written.blocks.push(chunk.to_vec());
                out.blocks += 1;
                out.bytes += chunk.len() as u64;
                if leom_now && !leom_seen {
                    out.leom_block = Some(block);
                }
                leom_seen = leom_now;
                if stop_at_leom && leom_now {
                    break;
                }
            }
            Ok(r) => {
                out.end = match r {
                    WriteResult::Failed => WriteEnd::Failed,
                    WriteResult::Space => WriteEnd::Space,
                    WriteResult::Full => WriteEnd::Full,
                    WriteResult::Success => WriteEnd::Complete,
                };
                written.failed = r == WriteResult::Failed;
                out.at_block = Some(block);
                if let Some(e) = dut.dev_ref().last_error() {
                    obs.errors.push(e.to_string());
                }
                break;
            }
            Err(e) => {
                obs.errors.push(e.to_string());
                out.end = WriteEnd::Failed;
                out.at_block = Some(block);
                written.failed = true;
                break;
            }
        }
    }
    if let Err(e) = dut.dev().finish_file() {
        obs.errors.push(e.to_string());
    }
    obs.written.push(written);
    out
}

/// What reading one file back found, compared with what was written.
fn compare_file(
    dev: &mut dyn Device,
    file: u32,
    from_block: u64,
    expected: Option<&WrittenFile>,
    pad_to: Option<usize>,
) -> (ReadEnd, Option<u64>, u64) {
    match dev.seek_file(file) {
        Ok(SeekResult::File { file: got, .. }) if got == file => {}
        _ => return (ReadEnd::NoFile, None, 0),
    }
    if from_block > 0 && dev.seek_block(from_block).is_err() {
        return (ReadEnd::Error, Some(from_block), from_block);
    }
    let bs = dev.properties().block_size.max(1);
    let mut buf = vec![0u8; bs];
    let want: Vec<u8> = match expected {
        Some(w) => w
            .blocks
            .iter()
            .flat_map(|b| {
                let mut b = b.clone();
                if let Some(p) = pad_to {
                    b.resize(p.max(b.len()), 0);
                }
                b
            })
            .collect(),
        None => Vec::new(),
    };
    // Reading starts at block `from_block`: every block before it is `bs` bytes (padded
    // on tape, full on vfs, since only the last block of a file may be short).
    let skip = usize::try_from(from_block)
        .unwrap_or(usize::MAX)
        .saturating_mul(bs)
        .min(want.len());
    let want = &want[skip..];
    let failed = expected.is_some_and(|w| w.failed);
    let mut got: Vec<u8> = Vec::new();
    let mut block = from_block;
    for _ in 0..MAX_BLOCKS {
        match dev.read_block(&mut buf) {
            Ok(ReadResult::Block(n)) => {
                let start = got.len();
                got.extend_from_slice(&buf[..n]);
                let end = got.len().min(want.len());
                if start < want.len() && got[start..end] != want[start..end] {
                    return (ReadEnd::Corrupt, Some(block), block);
                }
                if got.len() > want.len() && !failed {
                    return (ReadEnd::Long, Some(block), block + 1);
                }
                block += 1;
            }
            Ok(ReadResult::Eof) => {
                if got.len() < want.len() {
                    return (ReadEnd::Short, Some(block), block);
                }
                return (ReadEnd::Identical, None, block);
            }
            Err(_) => return (ReadEnd::Error, Some(block), block),
        }
    }
    (ReadEnd::Long, Some(block), block)
}

fn read_file(dut: &mut Dut, file: u32, from_block: u64, obs: &mut Observed) -> ReadOutcome {
    let volume = dut.volume_id().unwrap_or_default();
    let pad = match dut {
        Dut::Vfs { .. } => None,
        _ => Some(dut.dev_ref().properties().block_size),
    };
    let expected = obs
        .written
        .iter()
        .find(|w| w.volume == volume && w.file == file);
    let (result, block, _) = compare_file(dut.dev(), file, from_block, expected, pad);
    if result == ReadEnd::Error
        && let Some(e) = dut.dev_ref().last_error()
    {
        obs.errors.push(e.to_string());
    }
    ReadOutcome {
        file,
        result,
        block,
    }
}

/// One volume as the fault-free reader found it.
#[derive(Debug)]
struct VolumeFound {
    barcode: String,
    label: Option<String>,
    files: Vec<u32>,
    /// vfs only: the data files' names.
    names: Vec<String>,
}

/// Reads every volume back with a fresh, fault-free device and checks every file the
/// script wrote.
fn verify(
    dut: &Dut,
    geometry: Geometry,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
) -> Vec<VolumeFound> {
    let mut found = Vec::new();
    match dut {
        Dut::Vfs { dir, .. } => {
            let mut reader = VfsDevice::new("reader", dir.path());
            if let Err(e) = reader.set_property(Property::BlockSize(geometry.block_size)) {
                checks.that(false, || format!("reader: {e}"));
            }
            let (files, names): (Vec<u32>, Vec<String>) =
                reelcheck_tape::inspect::inspect(dir.path())
                    .map(|r| r.files.iter().map(|f| (f.fileno, f.name.clone())).unzip())
                    .unwrap_or_default();
            rec.line("verify", format!("vfs file names: {}", names.join(" ")));
            verify_one(
                &mut reader,
                "vfs",
                files,
                None,
                obs,
                rec,
                checks,
                &mut found,
            );
            if let Some(v) = found.last_mut() {
                v.names = names;
            }
        }
        Dut::Sim(d) => {
            if let Some(v) = d.volume().or(d.ejected()) {
                verify_sim(v.clone(), geometry, obs, rec, checks, &mut found);
            }
        }
        Dut::Library(l) => {
            for slot in 1..=l.slot_count() {
                if let Some(v) = l.volume(slot) {
                    verify_sim(v.clone(), geometry, obs, rec, checks, &mut found);
                }
            }
        }
    }
    for w in &obs.written {
        checks.that(found.iter().any(|v| v.barcode == w.volume), || {
            format!(
                "volume {} holding file {} was not found for read-back",
                w.volume, w.file
            )
        });
    }
    found
}

fn verify_sim(
    volume: Volume,
    geometry: Geometry,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
    found: &mut Vec<VolumeFound>,
) {
    let barcode = volume.barcode().to_string();
    let files: Vec<u32> = (1..volume.file_count()).collect();
    let mut reader = SimDrive::new("reader", geometry.sim_config(), Vec::new());
    if let Err(e) = reader.load(volume) {
        checks.that(false, || format!("reader cannot load {barcode}: {e}"));
        return;
    }
    verify_one(
        &mut reader,
        &barcode,
        files,
        Some(geometry.block_size),
        obs,
        rec,
        checks,
        found,
    );
}

#[allow(clippy::too_many_arguments)]
fn verify_one(
    reader: &mut dyn Device,
    barcode: &str,
    files: Vec<u32>,
    pad: Option<usize>,
    obs: &Observed,
    rec: &mut Recorder<'_>,
    checks: &mut Checks,
    found: &mut Vec<VolumeFound>,
) {
    let status = reader.read_label();
    let label = reader.state().volume_label.clone();
    rec.line(
        "verify",
        format!(
            "volume {barcode}: label={} files={files:?}",
            label.as_deref().unwrap_or("-")
        ),
    );
    let mine: Vec<&WrittenFile> = obs.written.iter().filter(|w| w.volume == barcode).collect();
    if !status.is_success() {
        checks.that(mine.is_empty(), || {
            format!("volume {barcode}: label unreadable ({status}) but files were written")
        });
        found.push(VolumeFound {
            barcode: barcode.to_string(),
            label,
            files,
            names: Vec::new(),
        });
        return;
    }
    if let Err(e) = reader.start(AccessMode::Read, None, None) {
        checks.that(false, || {
            format!("volume {barcode}: reader cannot start: {e}")
        });
        return;
    }
    for w in mine {
        let (result, block, blocks) = compare_file(reader, w.file, 0, Some(w), pad);
        let bytes: usize = w.blocks.iter().map(Vec::len).sum();
        match result {
            ReadEnd::Identical => {
                let extra = blocks.saturating_sub(w.blocks.len() as u64);
                let mut line = format!(
                    "file {}: {} blocks ({bytes} bytes) read back identical",
                    w.file,
                    w.blocks.len()
                );
                if extra > 0 {
                    line += &format!(", then {extra} more block(s) from the FAILED write");
                }
                rec.line("verify", line);
            }
            other => {
                let at = block.map_or(String::new(), |b| format!(" at blk={b}"));
                rec.line("verify", format!("file {}: {other}{at}", w.file));
                checks.that(false, || {
                    format!(
                        "read-back of volume {barcode} file {}: {other}{at} (what was reported written must read back identically)",
                        w.file
                    )
                });
            }
        }
    }
    if let Err(e) = reader.finish() {
        checks.that(false, || format!("volume {barcode}: reader finish: {e}"));
    }
    found.push(VolumeFound {
        barcode: barcode.to_string(),
        label,
        files,
        names: Vec::new(),
    });
}

fn check_expect(
    expect: &Expect,
    dut: &Dut,
    obs: &Observed,
    volumes: &[VolumeFound],
    state: &reelcheck_tape::device::DeviceState,
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

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::fuzz::Target as _;
    use crate::fuzz::tape::TapeTarget;
    use crate::rng::Seed;
    use crate::scenario::{self, Scenario};

    const HEAD: &str = "name = \"t\"\nabout = \"A test scenario.\"\nkind = \"tape\"\nseed = 1\n";

    fn parse(body: &str) -> Result<Scenario, String> {
        Scenario::parse(Path::new("scenarios/tape/t.toml"), format!("{HEAD}{body}"))
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
        let out = scenario::run(&s).unwrap();
        // 100 KiB is 3 full blocks and a short one: 4 blocks, not 3.
        let crate::scenario::Verdict::Fail(reasons) = out.verdict else {
            panic!("a wrong block count passed");
        };
        assert_eq!(
            reasons,
            vec!["write 1: blocks written: expected 3, got 4".to_string()]
        );
    }

    /// A drive holding file 1 with blocks of 0x01, 0x02, 0x03, started for reading.
    fn drive_with_three_blocks() -> super::SimDrive {
        use reelcheck_tape::device::{AccessMode, Device};
        let mut d = super::SimDrive::new("tape0", super::SimConfig::default(), Vec::new());
        d.load(super::Volume::blank(
            "VOL-1",
            super::VolumeSpec::new(64 << 20),
        ))
        .unwrap();
        d.start(AccessMode::Write, Some("L-1"), Some(super::TIMESTAMP))
            .unwrap();
        d.start_file(b"AMANDA: FILE 20240101000000 h /d lev 0 comp N program /bin/tar\n\x0c\n")
            .unwrap();
        for fill in 1..=3u8 {
            d.write_block(&[fill; 32768]).unwrap();
        }
        d.finish().unwrap();
        d.start(AccessMode::Read, None, None).unwrap();
        d
    }

    fn written(blocks: &[u8], failed: bool) -> super::WrittenFile {
        super::WrittenFile {
            volume: "VOL-1".into(),
            file: 1,
            blocks: blocks.iter().map(|&b| vec![b; 32768]).collect(),
            failed,
        }
    }

    #[test]
    fn read_back_finds_lost_changed_and_unreported_blocks() {
        use super::{ReadEnd, compare_file};
        let check = |w: super::WrittenFile| {
            let mut d = drive_with_three_blocks();
            let (end, block, _) = compare_file(&mut d, 1, 0, Some(&w), Some(32768));
            (end, block)
        };
        assert_eq!(
            check(written(&[1, 2, 3], false)),
            (ReadEnd::Identical, None)
        );
        // A block reported written but missing from the medium.
        assert_eq!(
            check(written(&[1, 2, 3, 4], false)),
            (ReadEnd::Short, Some(3))
        );
        // A block that changed.
        assert_eq!(
            check(written(&[1, 9, 3], false)),
            (ReadEnd::Corrupt, Some(1))
        );
        // A block on the medium that no write reported: only allowed after a FAILED write.
        assert_eq!(check(written(&[1, 2], false)), (ReadEnd::Long, Some(2)));
        assert_eq!(check(written(&[1, 2], true)), (ReadEnd::Identical, None));
        let mut d = drive_with_three_blocks();
        assert_eq!(compare_file(&mut d, 2, 0, None, None).0, ReadEnd::NoFile);
    }

    #[test]
    fn a_fuzz_case_written_as_a_scenario_replays_through_the_engine() {
        let case = TapeTarget.generate(Seed(5));
        let text = TapeTarget.to_scenario(Seed(5), &case, "example");
        let s = Scenario::parse(Path::new("scenarios/tape/fuzz-tape-0x5.toml"), text)
            .unwrap_or_else(|e| panic!("{e}"));
        let out = scenario::run(&s).unwrap();
        assert!(out.verdict.passed(), "{:?}", out.verdict);
        let rendered = out.trace.render();
        assert!(
            rendered
                .trim_end()
                .ends_with("model agrees after every step"),
            "{rendered}"
        );
        assert_eq!(rendered, scenario::run(&s).unwrap().trace.render());
    }
}
