//! Fault plans: every fault a run injects, as data derived from a seed.
//!
//! A plan is a list of discrete events ("tape0 EOM at block 118", "cancel
//! after 40 000 bytes"), never rates, so a minimiser can delete events one by
//! one and a failing case is fully described by `seed + plan`. Each component
//! defines its own fault type `F` (serde); the harness only stores, prints
//! and shrinks lists of them.

use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::rng::Seed;

/// The faults one run injects, in the order they were planned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultPlan<F> {
    /// The seed the plan (and the rest of the run) derives from.
    pub seed: u64,
    /// The fault events; empty means a fault-free run.
    #[serde(default = "Vec::new", rename = "fault")]
    pub faults: Vec<F>,
}

impl<F> FaultPlan<F> {
    /// A plan with no faults for `seed`.
    pub fn none(seed: Seed) -> Self {
        FaultPlan {
            seed: seed.0,
            faults: Vec::new(),
        }
    }

    /// The plan's seed.
    pub fn seed(&self) -> Seed {
        Seed(self.seed)
    }
}

impl<F: Clone> FaultPlan<F> {
    /// The plan without event `index` (one minimisation step).
    pub fn without(&self, index: usize) -> Self {
        let mut faults = self.faults.clone();
        if index < faults.len() {
            faults.remove(index);
        }
        FaultPlan {
            seed: self.seed,
            faults,
        }
    }
}

impl<F: Serialize> FaultPlan<F> {
    /// The plan as TOML (`seed = …` then `[[fault]]` tables).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).unwrap_or_else(|e| format!("# plan not serialisable: {e}\n"))
    }

    /// The plan as one JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|e| format!("{{\"error\":{:?}}}", e.to_string()))
    }
}

impl<F: DeserializeOwned> FaultPlan<F> {
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
#[derive(Clone, Debug)]
pub struct Failure<F> {
    /// The plan that failed (already minimised when a minimiser ran).
    pub plan: FaultPlan<F>,
    /// What went wrong.
    pub message: String,
    /// The command that reproduces it.
    pub replay: String,
}

impl<F: Serialize> fmt::Display for Failure<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "FAILED seed={}: {}", self.plan.seed(), self.message)?;
        writeln!(f, "fault plan:")?;
        for line in self.plan.to_toml().lines() {
            writeln!(f, "  {line}")?;
        }
        write!(f, "replay with: {}", self.replay)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    #[serde(tag = "at", rename_all = "kebab-case", deny_unknown_fields)]
    enum Demo {
        Block { n: u64 },
        Cancel { after: u64 },
    }

    #[test]
    fn plans_round_trip_through_toml_and_json() {
        let plan = FaultPlan {
            seed: 7,
            faults: vec![Demo::Block { n: 118 }, Demo::Cancel { after: 40_000 }],
        };
        let text = plan.to_toml();
        assert!(text.contains("[[fault]]"), "{text}");
        assert_eq!(FaultPlan::<Demo>::from_toml(&text).unwrap(), plan);
        let back: FaultPlan<Demo> = serde_json::from_str(&plan.to_json()).unwrap();
        assert_eq!(back, plan);
        assert_eq!(plan.without(0).faults, vec![Demo::Cancel { after: 40_000 }]);
        assert!(FaultPlan::<Demo>::from_toml("seed = 1\n[[fault]]\nat = \"meteor\"\n").is_err());
    }

    #[test]
    fn failures_print_seed_plan_and_replay_command() {
        let failure = Failure {
            plan: FaultPlan {
                seed: 0x2a,
                faults: vec![Demo::Block { n: 3 }],
            },
            message: "bytes lost".into(),
            replay: "reelcheck replay x.toml".into(),
        };
        let text = failure.to_string();
        assert!(text.starts_with("FAILED seed=0x2a: bytes lost"), "{text}");
        assert!(
            text.contains("n = 3") && text.ends_with("replay with: reelcheck replay x.toml"),
            "{text}"
        );
    }
}
