//! The transfer-graph fuzzer: random chains, sizes and faults, checked
//! against a model of what the chain must deliver.
//!
//! Fault model: short reads and writes (a cap on every chunk), an error in a
//! named element when a given byte reaches it, and a cancel from outside
//! once any element has received a given number of bytes. Each case has at
//! most one error or cancel, so a minimiser can drop it.
//!
//! Every expectation comes from [`crate::oracle`], never from running the
//! crate: the source's bytes and the chain's output from
//! [`oracle::chain`](crate::oracle::chain), the linkage from
//! [`oracle::linkage`](crate::oracle::linkage).
//!
//! Checks on every case:
//! - the linkage is structurally valid (neighbours agree, sources take NONE,
//!   the destination gives NONE), and it is the one the oracle's brute-force
//!   search chooses (same mechanisms, same glue, same cost, Amanda's tie rule);
//! - without an error or cancel, the status is done and the destination holds
//!   exactly the oracle's output (a `buffer` its bytes, a `null` their count);
//!   with one, whatever arrived is a prefix of it (a `null`: no more bytes);
//! - the message stream: exactly one DONE and it is last; done runs carry no
//!   ERROR or CANCEL; failed runs carry an ERROR from the faulty element and
//!   a CANCEL; cancelled runs carry a CANCEL;
//! - every thread joined, every fd closed, every child reaped;
//! - no hang: a generous watchdog turns one into a failure with the seed.

use std::time::Duration;

use rand::RngExt as _;
use serde::Serialize;

use reelcheck_xfer::link::Linkage;
use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Status, Xfer, XferConfig};
use reelcheck_xfer::{mech::Mech, spec};

use super::{CaseStats, Target};
use crate::fault::{FaultPlan, XferFault};
use crate::oracle;
use crate::rng::{Rng, Seed};
use crate::size::ByteSize;

/// Longest one fuzz transfer may take before it counts as a hang.
pub const WATCHDOG: Duration = Duration::from_secs(60);

/// The largest payload a case moves.
pub const MAX_SIZE: u64 = 4 << 20;

/// One fuzz case: a runnable chain in spec syntax plus its faults.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct XferCase {
    /// Elements in spec syntax, source first.
    pub elements: Vec<String>,
    /// Amanda table version the chain is linked with.
    pub tables: String,
    /// Glue/source buffer size.
    pub buffer_size: usize,
    /// The case's fault plan (short reads and writes, at most one cancel or error).
    pub faults: Vec<XferFault>,
}

impl XferCase {
    /// The chain as one spec line.
    pub fn chain(&self) -> String {
        self.elements.join(" -> ")
    }

    /// Whether the plan stops the transfer early (a cancel or an element error).
    fn stops_early(&self) -> bool {
        self.faults
            .iter()
            .any(|f| matches!(f, XferFault::CancelAfter { .. } | XferFault::ErrorAt { .. }))
    }

    /// The element the plan makes fail, if any.
    fn victim(&self) -> Option<&str> {
        self.faults.iter().find_map(|f| match f {
            XferFault::ErrorAt { element, .. } => Some(element.as_str()),
            _ => None,
        })
    }

    fn size(&self) -> u64 {
        self.elements
            .first()
            .and_then(|s| s.split([':', ',']).nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }

    fn with_size(&self, size: u64) -> XferCase {
        let mut c = self.clone();
        if let Some(first) = c.elements.first_mut() {
            *first = match first.split_once(',') {
                Some((head, rest)) => format!(
                    "{}:{size},{rest}",
                    head.split(':').next().unwrap_or("random")
                ),
                None => format!("{}:{size}", first.split(':').next().unwrap_or("pattern")),
            };
        }
        c
    }
}

/// The `xfer` fuzz target.
pub struct XferTarget;

const SIZES: [u64; 10] = [
    0, 1, 32_767, 32_768, 32_769, 65_535, 65_536, 65_537, 131_072, 1_048_576,
];

fn pick_size(rng: &mut Rng) -> u64 {
    match rng.random_range(0..10) {
        0..=3 => SIZES[rng.random_range(0..SIZES.len())],
        4..=7 => rng.random_range(0..8192),
        8 => rng.random_range(0..262_144),
        _ => rng.random_range(0..=MAX_SIZE),
    }
}

fn pick_filters(rng: &mut Rng) -> Vec<String> {
    let mut out = Vec::new();
    for _ in 0..rng.random_range(0..5) {
        match rng.random_range(0..10) {
            0..=3 => out.push(format!("xor:{:#04x}", rng.random_range(0..=255u8))),
            4 | 5 => out.push("crc".into()),
            6 => out.push("process:cat".into()),
            7 => out.push("process:tr a-z A-Z".into()),
            8 => {
                out.push("process:gzip -n".into());
                out.push("process:gzip -dc".into());
            }
            _ => out.push("xor:0x00".into()),
        }
    }
    out
}

impl Target for XferTarget {
    type Case = XferCase;

    fn name(&self) -> &'static str {
        "xfer"
    }

    fn generate(&self, seed: Seed) -> XferCase {
        let mut rng = seed.rng();
        let size = pick_size(&mut rng);
        let source = if rng.random_bool(0.7) {
            format!("random:{size},seed={}", rng.random_range(0..1000u32))
        } else {
            format!("pattern:{size}")
        };
        let mut elements = vec![source];
        elements.extend(pick_filters(&mut rng));
        elements.push(if rng.random_bool(0.8) {
            "buffer".into()
        } else {
            "null".into()
        });
        let chunk = |rng: &mut Rng| [1usize, 7, 512, 4096, 32_767][rng.random_range(0..5)];
        let mut case = XferCase {
            elements,
            tables: if rng.random_bool(0.25) {
                "3.3".into()
            } else {
                "3.5".into()
            },
            buffer_size: [32_768usize, 4096, 65_536, 1000][rng.random_range(0..4)],
            faults: Vec::new(),
        };
        if rng.random_bool(0.2) {
            let max = ByteSize(chunk(&mut rng) as u64);
            case.faults.push(XferFault::ShortReads { max });
        }
        if rng.random_bool(0.2) {
            let max = ByteSize(chunk(&mut rng) as u64);
            case.faults.push(XferFault::ShortWrites { max });
        }
        if !case.faults.is_empty() {
            // Byte-sized chunks over megabytes only measure syscall overhead.
            case = case.with_size(size.min(200_000));
        }
        match rng.random_range(0..10) {
            0 => {
                let bytes = ByteSize(rng.random_range(0..=case.size().max(1)));
                case.faults.push(XferFault::CancelAfter { bytes });
            }
            1 => {
                let victims: Vec<String> = case
                    .elements
                    .iter()
                    .map(|e| e.split(':').next().unwrap_or("").to_string())
                    .collect();
                let victim = victims[rng.random_range(1..victims.len())].clone();
                let byte = ByteSize(rng.random_range(0..=case.size().max(1)));
                case.faults.push(XferFault::ErrorAt {
                    element: victim,
                    byte,
                });
            }
            _ => {}
        }
        case
    }

    fn check(&self, case: &XferCase) -> Result<CaseStats, String> {
        check_case(case)
    }

    fn shrink(&self, case: &XferCase) -> Vec<XferCase> {
        let mut out = Vec::new();
        let plan = self.plan(Seed(0), case);
        for i in 0..plan.len() {
            out.push(XferCase {
                faults: plan.without(i).xfer,
                ..case.clone()
            });
        }
        let last = case.elements.len().saturating_sub(1);
        for i in 1..last {
            let mut c = case.clone();
            match case.elements[i].as_str() {
                // The gzip pair is one unit: either half alone is outside the model.
                "process:gzip -dc" => continue,
                "process:gzip -n"
                    if case
                        .elements
                        .get(i + 1)
                        .is_some_and(|e| e == "process:gzip -dc") =>
                {
                    c.elements.drain(i..i + 2);
                }
                _ => {
                    c.elements.remove(i);
                }
            }
            out.push(c);
        }
        let size = case.size();
        for smaller in [0, 1, size / 2, size.saturating_sub(1)] {
            if smaller < size {
                out.push(case.with_size(smaller));
            }
        }
        if case.buffer_size != 32_768 {
            out.push(XferCase {
                buffer_size: 32_768,
                ..case.clone()
            });
        }
        out
    }

    fn plan(&self, seed: Seed, case: &XferCase) -> FaultPlan {
        FaultPlan {
            xfer: case.faults.clone(),
            ..FaultPlan::none(seed)
        }
    }

    fn to_scenario(&self, seed: Seed, case: &XferCase, message: &str) -> String {
        let faults = faults_toml(&case.faults);
        let reason = message.lines().next().unwrap_or("").replace('"', "'");
        format!(
            "# Minimised by `reelcheck fuzz xfer` from seed {seed}.\n# Failure: {message_comment}\nname = \"fuzz-xfer-{seed}\"\nabout = \"Fuzz failure: {reason}\"\nkind = \"xfer\"\nseed = {}\n\n[xfer]\nchain = {:?}\ntables = {:?}\nbuffer_size = {}\n\n{faults}[expect]\nresult = \"done\"\nmodel = true\n",
            seed.0,
            case.chain(),
            case.tables,
            case.buffer_size,
            message_comment = message.replace('\n', "\n#   "),
        )
    }
}

/// The `[[faults.xfer]]` tables of a scenario file, one per fault.
fn faults_toml(faults: &[XferFault]) -> String {
    #[derive(Serialize)]
    struct Tables<'a> {
        faults: Section<'a>,
    }
    #[derive(Serialize)]
    struct Section<'a> {
        xfer: &'a [XferFault],
    }
    if faults.is_empty() {
        return String::new();
    }
    toml::to_string(&Tables {
        faults: Section { xfer: faults },
    })
    .map(|t| t + "\n")
    .unwrap_or_else(|e| format!("# faults not serialisable: {e}\n"))
}

/// Runs a chain and returns its summary and the `buffer` contents, if any.
fn run(
    chain: &str,
    version: TableVersion,
    config: XferConfig,
) -> Result<(reelcheck_xfer::Summary, Option<Vec<u8>>, Linkage), String> {
    let parsed = spec::parse(chain).map_err(|e| format!("spec rejected: {e}"))?;
    let built = parsed.build();
    let mut x = Xfer::linked(built.elements, version, config)
        .map_err(|e| format!("cannot link or build: {e}"))?;
    check_linkage(&x)?;
    let linkage = x.linkage().clone();
    x.start().map_err(|e| format!("cannot start: {e}"))?;
    let summary = x
        .wait_timeout(WATCHDOG)
        .map_err(|e| format!("hang: no DONE within {WATCHDOG:?}: {e}"))?;
    Ok((summary, built.buffer.map(|b| b.contents()), linkage))
}

/// Neighbours agree on their mechanisms, the source takes NONE and the
/// destination gives NONE.
fn check_linkage(x: &Xfer) -> Result<(), String> {
    let mechs = x.mechs();
    let mut prev = Mech::None;
    for (i, (input, output)) in mechs.iter().enumerate() {
        if *input != prev {
            return Err(format!(
                "linkage broken at element {i}: takes {input} but receives {prev}"
            ));
        }
        prev = *output;
    }
    if prev != Mech::None {
        return Err(format!("linkage ends in {prev}, not NONE"));
    }
    Ok(())
}

/// The crate's linkage is the one the oracle's brute-force search chooses for
/// the same Amanda elements: same mechanisms and glue (compared as Amanda's
/// `Final linkage:` line) and same cost.
fn check_against_oracle(linkage: &Linkage, names: &[&str], tables: &str) -> Result<(), String> {
    let version = oracle::linkage::Version::parse(tables)
        .ok_or_else(|| format!("tables {tables:?} unknown to the oracle"))?;
    let want = oracle::linkage::best(names, version)
        .map_err(|e| format!("the oracle cannot link {names:?}: {e}"))?;
    let (got, wanted) = (linkage.render(names), want.render(names));
    if got != wanted || linkage.cost != want.cost {
        return Err(format!(
            "linkage is not the cheapest by Amanda's rule: got {got} (cost {:#x}), the oracle chooses {wanted} (cost {:#x})",
            linkage.cost, want.cost
        ));
    }
    Ok(())
}

/// Runs one case and checks every property in the module doc.
///
/// # Errors
/// The first broken property.
pub fn check_case(case: &XferCase) -> Result<CaseStats, String> {
    let version: TableVersion = case.tables.parse().map_err(|e| format!("{e}"))?;
    let last = case.elements.len() - 1;
    let expected = oracle::chain::expected(&case.elements)?.output;
    if version == TableVersion::V3_3 && case.elements.iter().any(|e| e == "crc") {
        // filter-crc first appeared in Amanda 3.5: the chain must be refused with a typed error.
        return match run(&case.chain(), version, XferConfig::default()) {
            Err(e) if e.contains("(crc) does not exist in the Amanda 3.3 tables") => {
                Ok(CaseStats {
                    executed: 1,
                    bytes: 0,
                })
            }
            Err(e) => Err(format!("expected the 3.3 linker to refuse crc, got: {e}")),
            Ok(_) => Err("the 3.3 linker accepted filter-crc, which 3.3 does not have".into()),
        };
    }
    let names = oracle::chain::amanda_names(&case.elements)?;
    let config = XferConfig {
        buffer_size: case.buffer_size,
        faults: XferTarget
            .plan(Seed(0), case)
            .xfer_faults()
            .map_err(|e| format!("unusable fault plan: {e}"))?,
        ..XferConfig::default()
    };
    let (summary, output, linkage) = run(&case.chain(), version, config)?;
    check_against_oracle(&linkage, &names, &case.tables)?;
    let faulty = case.stops_early();
    let count = |k: fn(&MsgKind) -> bool| summary.messages.iter().filter(|m| k(&m.kind)).count();
    if count(|k| *k == MsgKind::Done) != 1
        || summary.messages.last().map(|m| &m.kind) != Some(&MsgKind::Done)
    {
        return Err(format!(
            "message stream must end in exactly one DONE: {:?}",
            summary.messages
        ));
    }
    if !summary.leaks.is_clean() {
        return Err(format!("leaked resources: {}", summary.leaks));
    }
    let errors = count(|k| matches!(k, MsgKind::Error(_)));
    let cancels = count(|k| *k == MsgKind::Cancel);
    match summary.status {
        Status::Done if errors + cancels > 0 => {
            return Err(format!(
                "done, yet {errors} ERROR and {cancels} CANCEL messages"
            ));
        }
        Status::Done => {}
        _ if !faulty => {
            return Err(format!(
                "status {} without any injected fault: {:?}",
                summary.status, summary.errors
            ));
        }
        Status::Failed => {
            let victim = case
                .victim()
                .ok_or("failed although only a cancel was injected")?;
            if !summary.errors.iter().any(|e| e.elt.name == *victim) {
                return Err(format!(
                    "failed, but no error from the faulty element {victim}: {:?}",
                    summary.errors
                ));
            }
            if cancels == 0 {
                return Err("an ERROR was not followed by a CANCEL".into());
            }
        }
        Status::Cancelled if cancels == 0 => {
            return Err("cancelled without a CANCEL message".into());
        }
        Status::Cancelled => {}
    }
    let complete = summary.status == Status::Done;
    if case.elements[last] == "null" {
        let want = expected.len() as u64;
        if (complete && summary.bytes != want) || summary.bytes > want {
            return Err(format!(
                "null received {} bytes, the oracle expects {want}{}",
                summary.bytes,
                if complete { "" } else { " at most" }
            ));
        }
    }
    if case.elements[last] == "buffer" {
        let got = output.ok_or("buffer destination produced no handle")?;
        if complete && got != expected {
            return Err(format!(
                "output differs from the oracle's: {} bytes, expected {}{}",
                got.len(),
                expected.len(),
                oracle::chain::first_difference(&got, &expected)
            ));
        }
        if !complete && !expected.starts_with(&got) {
            return Err(format!(
                "partial output is not a prefix of the oracle's output{}",
                oracle::chain::first_difference(&got, &expected)
            ));
        }
    }
    Ok(CaseStats {
        executed: 2,
        bytes: case.size(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic_and_sizes_are_rewritten_exactly() {
        assert_eq!(XferTarget.generate(Seed(9)), XferTarget.generate(Seed(9)));
        let c = XferCase {
            elements: vec!["random:100,seed=3".into(), "null".into()],
            tables: "3.5".into(),
            buffer_size: 32768,
            faults: Vec::new(),
        };
        assert_eq!(c.size(), 100);
        assert_eq!(c.with_size(7).elements[0], "random:7,seed=3");
    }
}
