//! Fault plans: every fault a run injects, as data derived from a seed.
//!
//! A plan is a list of discrete events ("tape0 write error at file 1 block
//! 118", "cancel after 40 000 bytes"), never rates, so a minimiser can delete
//! events one by one and a failing case is fully described by `seed + plan`.
//! It is the one path every fault takes: scenario files and fuzz cases build
//! a [`FaultPlan`], and the harness turns it into each component's own hooks,
//! passed in through constructors ([`FaultPlan::xfer_faults`] for
//! `reelcheck_xfer::Faults`, [`FaultPlan::tape`] for the simulated drive's
//! `TapeFault`s, [`FaultPlan::vfs_faults`] for the vfs device's `VfsFault`s,
//! [`FaultPlan::nsca`] for the fake NSCA server's faults).
//! No fault is global, so a plan printed with a failure replays it.

use std::fmt;

use serde::{Deserialize, Serialize};

use reelcheck_nsca::fake::Fault as NscaFault;
use reelcheck_tape::sim::TapeFault;
use reelcheck_tape::vfs::VfsFault;
use reelcheck_xfer::{ErrorAt, Faults};

use crate::rng::Seed;
use crate::size::ByteSize;

/// One fault of a transfer: each is one of `reelcheck_xfer::Faults`' hooks.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum XferFault {
    /// Every fd read and static pull asks for at most `max` bytes (short reads).
    ShortReads {
        /// Largest chunk (at least 1 byte).
        max: ByteSize,
    },
    /// Every fd write and push delivers at most `max` bytes at once (short writes).
    ShortWrites {
        /// Largest chunk (at least 1 byte).
        max: ByteSize,
    },
    /// The transfer is cancelled, as from outside, once any element has received `bytes`.
    CancelAfter {
        /// Bytes received before the cancel.
        bytes: ByteSize,
    },
    /// The named element fails when byte `byte` (0-based) reaches it.
    ErrorAt {
        /// Element name (`xor`: every element so named) or `name[index]`.
        element: String,
        /// 0-based offset of the byte whose arrival triggers the error.
        byte: ByteSize,
    },
}

impl fmt::Display for XferFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ShortReads { max } => write!(f, "short reads of at most {} bytes", max.0),
            Self::ShortWrites { max } => write!(f, "short writes of at most {} bytes", max.0),
            Self::CancelAfter { bytes } => write!(f, "cancel after {} bytes", bytes.0),
            Self::ErrorAt { element, byte } => write!(f, "{element} fails at byte {}", byte.0),
        }
    }
}

/// A plan that cannot be turned into a component's hooks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FaultError {
    /// Two faults of a kind the component takes only once (`cancel-after` twice, say).
    #[error(
        "the fault plan has two `{kind}` transfer faults ({first} and {second}); a transfer takes one"
    )]
    Twice {
        /// The fault kind.
        kind: &'static str,
        /// The first one.
        first: String,
        /// The second one.
        second: String,
    },
    /// A short read or write of zero bytes, which would never finish.
    #[error("`{0}` needs a chunk of at least 1 byte")]
    ZeroChunk(&'static str),
}

/// A vfs filesystem fault as a plan event: each is one of
/// `reelcheck_tape::vfs::VfsFault`'s, with sizes written as in scenario files.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum VfsFaultEvent {
    /// The filesystem has room for this many more bytes (label and headers included).
    EnospcAfter {
        /// Bytes that still fit.
        bytes: ByteSize,
    },
    /// Write call `nth` (from 0, label and headers included) fails with EIO.
    EioOnWrite {
        /// Index of the failing write call.
        nth: u64,
    },
}

impl VfsFaultEvent {
    /// The vfs device's own fault.
    pub fn fault(&self) -> VfsFault {
        match self {
            VfsFaultEvent::EnospcAfter { bytes } => VfsFault::EnospcAfter { bytes: bytes.0 },
            VfsFaultEvent::EioOnWrite { nth } => VfsFault::EioOnWrite { nth: *nth },
        }
    }
}

/// The components a plan holds faults for, as named in `[[faults.<component>]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Component {
    /// Transfer chains (`[[faults.xfer]]`).
    Xfer,
    /// The simulated tape drive (`[[faults.tape]]`).
    Tape,
    /// The vfs device (`[[faults.vfs]]`).
    Vfs,
    /// The fake NSCA server (`[[faults.nsca]]`).
    Nsca,
}

impl Component {
    /// Every component, in plan order.
    pub const ALL: [Component; 4] = [
        Component::Xfer,
        Component::Tape,
        Component::Vfs,
        Component::Nsca,
    ];

    /// The name used in `[[faults.<name>]]`.
    pub fn name(self) -> &'static str {
        match self {
            Component::Xfer => "xfer",
            Component::Tape => "tape",
            Component::Vfs => "vfs",
            Component::Nsca => "nsca",
        }
    }
}

/// The faults one run injects, per component, in the order they were planned.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan {
    /// The seed the plan (and the rest of the run) derives from.
    #[serde(default)]
    pub seed: u64,
    /// Transfer faults (`[[xfer]]` tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub xfer: Vec<XferFault>,
    /// Simulated tape drive faults (`[[tape]]` tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tape: Vec<TapeFault>,
    /// vfs device faults (`[[vfs]]` tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vfs: Vec<VfsFaultEvent>,
    /// Fake NSCA server faults (`[[nsca]]` tables).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub nsca: Vec<NscaFault>,
}

impl FaultPlan {
    /// A plan with no faults for `seed`.
    pub fn none(seed: Seed) -> Self {
        FaultPlan {
            seed: seed.0,
            ..FaultPlan::default()
        }
    }

    /// The plan's seed.
    pub fn seed(&self) -> Seed {
        Seed(self.seed)
    }

    /// How many fault events the plan holds, over every component.
    pub fn len(&self) -> usize {
        self.xfer.len() + self.tape.len() + self.vfs.len() + self.nsca.len()
    }

    /// How many fault events the plan holds for `component`.
    pub fn count(&self, component: Component) -> usize {
        match component {
            Component::Xfer => self.xfer.len(),
            Component::Tape => self.tape.len(),
            Component::Vfs => self.vfs.len(),
            Component::Nsca => self.nsca.len(),
        }
    }

    /// The first component, in plan order, with faults but not among `allowed`:
    /// what a run that has only `allowed` components must refuse.
    pub fn stray(&self, allowed: &[Component]) -> Option<Component> {
        Component::ALL
            .into_iter()
            .find(|c| self.count(*c) > 0 && !allowed.contains(c))
    }

    /// The vfs faults as the hooks the vfs device takes in its constructor.
    pub fn vfs_faults(&self) -> Vec<VfsFault> {
        self.vfs.iter().map(VfsFaultEvent::fault).collect()
    }

    /// Whether the run is fault-free.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The plan without event `index`, counted over xfer, tape, vfs then nsca
    /// faults (one minimisation step); an index past the end changes nothing.
    pub fn without(&self, index: usize) -> Self {
        /// Removes event `i` of `events`, or counts them off `i`.
        fn take<T>(events: &mut Vec<T>, i: &mut usize) -> bool {
            if *i < events.len() {
                events.remove(*i);
                return true;
            }
            *i -= events.len();
            false
        }
        let mut plan = self.clone();
        let mut i = index;
        let _removed = take(&mut plan.xfer, &mut i)
            || take(&mut plan.tape, &mut i)
            || take(&mut plan.vfs, &mut i)
            || take(&mut plan.nsca, &mut i);
        plan
    }

    /// The transfer faults as the hooks `reelcheck_xfer` takes in its config.
    ///
    /// # Errors
    /// Two faults of one kind (a transfer has one hook of each), or a zero chunk.
    pub fn xfer_faults(&self) -> Result<Faults, FaultError> {
        fn once<T>(
            slot: &mut Option<(T, String)>,
            kind: &'static str,
            value: T,
            shown: String,
        ) -> Result<(), FaultError> {
            if let Some((_, first)) = slot {
                return Err(FaultError::Twice {
                    kind,
                    first: first.clone(),
                    second: shown,
                });
            }
            *slot = Some((value, shown));
            Ok(())
        }
        let chunk = |size: ByteSize| usize::try_from(size.0).unwrap_or(usize::MAX);
        let (mut reads, mut writes, mut cancel, mut error) = (None, None, None, None);
        for fault in &self.xfer {
            let shown = fault.to_string();
            match fault {
                XferFault::ShortReads { max: ByteSize(0) } => {
                    return Err(FaultError::ZeroChunk("short-reads"));
                }
                XferFault::ShortWrites { max: ByteSize(0) } => {
                    return Err(FaultError::ZeroChunk("short-writes"));
                }
                XferFault::ShortReads { max } => {
                    once(&mut reads, "short-reads", chunk(*max), shown)?
                }
                XferFault::ShortWrites { max } => {
                    once(&mut writes, "short-writes", chunk(*max), shown)?
                }
                XferFault::CancelAfter { bytes } => {
                    once(&mut cancel, "cancel-after", bytes.0, shown)?
                }
                XferFault::ErrorAt { element, byte } => once(
                    &mut error,
                    "error-at",
                    ErrorAt {
                        element: element.clone(),
                        byte: byte.0,
                    },
                    shown,
                )?,
            }
        }
        Ok(Faults {
            max_read: reads.map(|(v, _)| v),
            max_write: writes.map(|(v, _)| v),
            cancel_after: cancel.map(|(v, _)| v),
            error_at: error.map(|(v, _)| v),
        })
    }

    /// The plan as TOML (`seed = …` then `[[xfer]]`, `[[tape]]`, … tables).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# plan not serialisable: {e}\n"))
    }

    /// The plan as one JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
    }

    /// Reads a plan written by [`FaultPlan::to_toml`].
    ///
    /// # Errors
    /// Malformed TOML or unknown fault kinds.
    pub fn from_toml(text: &str) -> Result<Self, toml::de::Error> {
        toml::from_str(text)
    }
}

/// A failing case as it is always reported: seed, plan, what went wrong and
/// the one command that replays it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Failure {
    /// The plan that failed (already minimised when a minimiser ran).
    pub plan: FaultPlan,
    /// What went wrong.
    pub message: String,
    /// The command that reproduces it.
    pub replay: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "FAILED seed={}: {}", self.plan.seed(), self.message)?;
        if self.plan.is_empty() {
            writeln!(f, "fault plan: none")?;
        } else {
            writeln!(f, "fault plan:")?;
            for line in self
                .plan
                .to_toml()
                .lines()
                .filter(|l| !l.starts_with("seed"))
            {
                writeln!(f, "  {line}")?;
            }
        }
        write!(f, "replay with: {}", self.replay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> FaultPlan {
        FaultPlan {
            seed: 7,
            xfer: vec![
                XferFault::ShortReads { max: ByteSize(100) },
                XferFault::CancelAfter {
                    bytes: ByteSize(40_000),
                },
            ],
            tape: vec![TapeFault::WriteError {
                volume: None,
                file: 1,
                block: 118,
            }],
            vfs: vec![VfsFaultEvent::EnospcAfter { bytes: ByteSize(5) }],
            nsca: vec![NscaFault::ShortInit { bytes: 50 }],
        }
    }

    #[test]
    fn plans_round_trip_through_toml_and_json() {
        let plan = plan();
        let text = plan.to_toml();
        for table in ["[[xfer]]", "[[tape]]", "[[vfs]]", "[[nsca]]"] {
            assert!(text.contains(table), "{table} missing in:\n{text}");
        }
        assert_eq!(FaultPlan::from_toml(&text).unwrap(), plan);
        let back: FaultPlan = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(back, plan);
        assert!(FaultPlan::from_toml("seed = 1\n[[tape]]\nkind = \"meteor\"\n").is_err());
        assert!(FaultPlan::from_toml("seed = 1\n[[disk]]\nkind = \"full\"\n").is_err());
    }

    #[test]
    fn removing_each_event_in_turn_visits_every_component_once() {
        let plan = plan();
        assert_eq!(plan.len(), 5);
        let smaller: Vec<FaultPlan> = (0..plan.len()).map(|i| plan.without(i)).collect();
        assert_eq!(
            smaller[0].xfer,
            vec![XferFault::CancelAfter {
                bytes: ByteSize(40_000)
            }]
        );
        assert_eq!(
            smaller[1].xfer,
            vec![XferFault::ShortReads { max: ByteSize(100) }]
        );
        assert!(smaller[2].tape.is_empty() && smaller[2].xfer.len() == 2);
        assert!(smaller[3].vfs.is_empty() && smaller[3].tape.len() == 1);
        assert!(smaller[4].nsca.is_empty() && smaller[4].vfs.len() == 1);
        assert!(smaller.iter().all(|p| p.len() == 4));
        assert_eq!(plan.without(5), plan);
    }

    #[test]
    fn transfer_faults_become_the_hooks_of_one_transfer() {
        let faults = plan().xfer_faults().unwrap();
        assert_eq!(faults.max_read, Some(100));
        assert_eq!(faults.max_write, None);
        assert_eq!(faults.cancel_after, Some(40_000));
        assert_eq!(faults.error_at, None);

        let mut twice = plan();
        twice
            .xfer
            .push(XferFault::CancelAfter { bytes: ByteSize(1) });
        let err = twice.xfer_faults().unwrap_err().to_string();
        assert!(
            err.contains("two `cancel-after`") && err.contains("cancel after 1 bytes"),
            "{err}"
        );

        let zero = FaultPlan {
            xfer: vec![XferFault::ShortWrites { max: ByteSize(0) }],
            ..FaultPlan::default()
        };
        assert_eq!(
            zero.xfer_faults(),
            Err(FaultError::ZeroChunk("short-writes"))
        );
    }

    #[test]
    fn failures_print_seed_plan_and_replay_command() {
        let failure = Failure {
            plan: FaultPlan {
                seed: 0x2a,
                tape: vec![TapeFault::WriteError {
                    volume: None,
                    file: 1,
                    block: 3,
                }],
                ..FaultPlan::default()
            },
            message: "bytes lost".into(),
            replay: "reelcheck replay x.toml".into(),
        };
        let text = failure.to_string();
        assert!(text.starts_with("FAILED seed=0x2a: bytes lost"), "{text}");
        assert!(
            text.contains("[[tape]]") && text.contains("block = 3"),
            "{text}"
        );
        assert!(
            text.ends_with("replay with: reelcheck replay x.toml"),
            "{text}"
        );
        let clean = Failure {
            plan: FaultPlan::none(Seed(1)),
            ..failure
        };
        assert!(clean.to_string().contains("fault plan: none"));
    }
}
