//! `kind = "xfer"`: link a chain (and usually run it) and check linkage,
//! result, byte counts and the message stream.
//!
//! ```toml
//! [xfer]
//! chain = "random:100KiB -> xor:0x5a -> null"  # runnable chain (spec syntax)
//! # elements = ["Holding", "XorFilter", "DestFd"]  # or: Amanda elements, link only
//! tables = "3.5"                               # or "3.3"
//!
//! [[faults.xfer]]                              # optional: the fault plan
//! kind = "cancel-after"                        # short-reads, short-writes,
//! bytes = "40 KiB"                             # cancel-after, error-at
//!
//! [expect]
//! linkage = "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull"
//! result = "done"            # done | cancelled | failed | unlinkable | bad-spec
//! bytes = "100 KiB"
//! ```
//!
//! The trace is the linkage, then the message stream, then the data verdict
//! ([`data`]): what arrived against what the oracle says the chain delivers,
//! both with their CRC-32C. Messages from different elements are sorted by
//! element index (threads leave their interleaving undefined); each element's
//! own messages keep their order, and DONE is always last.

mod data;

use std::time::Duration;

use serde::Deserialize;

use reelcheck_xfer::link;
use reelcheck_xfer::msg::{Msg, MsgKind};
use reelcheck_xfer::spec;
use reelcheck_xfer::tables::{AmandaElement, TableVersion};
use reelcheck_xfer::{Status, Summary, Xfer, XferConfig, link_chain};

use crate::fault::{Component, FaultPlan};
use crate::fuzz;
use crate::scenario::{Checks, Kind, Outcome, Runner, Scenario, ScenarioError};
use crate::size::ByteSize;
use crate::trace::Trace;

use data::Arrived;

/// The xfer scenario runner.
pub struct XferRunner;

/// Longest a scenario's transfer may run before it counts as a hang.
pub const WATCHDOG: Duration = Duration::from_secs(120);

#[derive(Deserialize)]
struct Spec {
    xfer: Section,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Section {
    chain: Option<String>,
    elements: Option<Vec<String>>,
    #[serde(default = "default_tables")]
    tables: String,
    buffer_size: Option<ByteSize>,
}

fn default_tables() -> String {
    "3.5".into()
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "kebab-case")]
enum Expected {
    Done,
    Cancelled,
    Failed,
    Unlinkable,
    BadSpec,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    result: Expected,
    linkage: Option<String>,
    cost: Option<u32>,
    glue: Option<usize>,
    bytes: Option<ByteSize>,
    error: Option<String>,
    #[serde(default)]
    crc_equal: bool,
    /// Also run the fuzzer's model check (output, messages, leaks) on the chain.
    #[serde(default)]
    model: bool,
}

impl Runner for XferRunner {
    fn kind(&self) -> Kind {
        Kind::Xfer
    }

    fn sections(&self) -> &'static [&'static str] {
        &["xfer"]
    }

    fn validate(&self, scenario: &Scenario) -> Result<(), ScenarioError> {
        let spec: Spec = scenario.spec()?;
        version(scenario, &spec)?;
        config(scenario, &spec.xfer)?;
        if spec.xfer.chain.is_some() == spec.xfer.elements.is_some() {
            return Err(scenario.error_at(
                "xfer",
                "[xfer] needs exactly one of `chain` (run) or `elements` (link only)",
            ));
        }
        Ok(())
    }

    fn run(&self, scenario: &Scenario) -> Result<Outcome, ScenarioError> {
        let spec: Spec = scenario.spec()?;
        let version = version(scenario, &spec)?;
        let mut trace = Trace::new();
        let mut checks = Checks::default();
        let mut figures = vec![("tables".to_string(), version.to_string())];
        match (&spec.xfer.chain, &spec.xfer.elements) {
            (Some(chain), None) => {
                let config = config(scenario, &spec.xfer)?;
                if spec.expect.model {
                    let case = model_case(chain, &spec.xfer, &config, scenario.plan()?);
                    if let Err(e) = fuzz::xfer::check_case(&case) {
                        checks.that(false, || format!("model check: {e}"));
                    }
                }
                run_chain(
                    chain,
                    version,
                    config,
                    &spec.expect,
                    &mut trace,
                    &mut checks,
                    &mut figures,
                );
            }
            (None, Some(names)) => {
                let mut elements = Vec::new();
                for (i, n) in names.iter().enumerate() {
                    let e = AmandaElement::from_amanda_name(n).ok_or_else(|| {
                        scenario.error_at(
                            &format!("xfer.elements.{i}"),
                            format!("unknown Amanda element `{n}` in [xfer] elements"),
                        )
                    })?;
                    elements.push(e);
                }
                let names: Vec<&str> = elements.iter().map(AmandaElement::amanda_name).collect();
                let linked = link::link_amanda(&elements, version).map_err(|e| e.to_string());
                record_link(
                    linked.as_ref(),
                    &names,
                    version,
                    &spec.expect,
                    &mut trace,
                    &mut checks,
                    &mut figures,
                );
                if linked.is_ok() {
                    checks.that(spec.expect.result == Expected::Done, || {
                        format!("result: expected {:?}, but Amanda elements only link (use `chain` to run)", spec.expect.result)
                    });
                }
            }
            _ => {
                return Err(scenario.error_at(
                    "xfer",
                    "[xfer] needs exactly one of `chain` (run) or `elements` (link only)",
                ));
            }
        }
        Ok(Outcome {
            verdict: checks.verdict(),
            trace,
            figures,
        })
    }
}

fn model_case(
    chain: &str,
    section: &Section,
    config: &XferConfig,
    plan: FaultPlan,
) -> fuzz::xfer::XferCase {
    fuzz::xfer::XferCase {
        elements: chain.split("->").map(|e| e.trim().to_string()).collect(),
        tables: section.tables.clone(),
        buffer_size: config.buffer_size,
        faults: plan.xfer,
    }
}

fn version(scenario: &Scenario, spec: &Spec) -> Result<TableVersion, ScenarioError> {
    spec.xfer
        .tables
        .parse::<TableVersion>()
        .map_err(|e| scenario.error_at("xfer.tables", e.to_string()))
}

/// The transfer's config: its buffer size, and the hooks of the scenario's fault plan.
fn config(scenario: &Scenario, section: &Section) -> Result<XferConfig, ScenarioError> {
    let plan = scenario.plan_for(&[Component::Xfer])?;
    let faults = plan
        .xfer_faults()
        .map_err(|e| scenario.error_at("faults.xfer", e.to_string()))?;
    let mut config = XferConfig {
        faults,
        ..XferConfig::default()
    };
    if let Some(b) = section.buffer_size {
        config.buffer_size = b.0 as usize;
    }
    Ok(config)
}

fn record_link(
    linked: Result<&link::Linkage, &String>,
    names: &[&str],
    version: TableVersion,
    expect: &Expect,
    trace: &mut Trace,
    checks: &mut Checks,
    figures: &mut Vec<(String, String)>,
) {
    match linked {
        Ok(linkage) => {
            let rendered = linkage.render(names);
            trace.push(
                Duration::ZERO,
                "linker",
                format!("tables={version} cost={:#x} {rendered}", linkage.cost),
            );
            figures.push(("cost".into(), format!("{:#x}", linkage.cost)));
            figures.push(("glue".into(), linkage.glue_count().to_string()));
            if let Some(want) = &expect.linkage {
                checks.eq("linkage", rendered.as_str(), want.as_str());
            }
            if let Some(want) = expect.cost {
                checks.eq("cost", linkage.cost, want);
            }
            if let Some(want) = expect.glue {
                checks.eq("glue elements", linkage.glue_count(), want);
            }
        }
        Err(e) => {
            trace.push(
                Duration::ZERO,
                "linker",
                format!("tables={version} cannot link: {e}"),
            );
            checks.eq("result", Expected::Unlinkable, expect.result);
            if let Some(want) = &expect.error {
                checks.that(e.contains(want.as_str()), || {
                    format!("error: expected text {want:?} in {e}")
                });
            }
        }
    }
}

fn run_chain(
    chain: &str,
    version: TableVersion,
    config: XferConfig,
    expect: &Expect,
    trace: &mut Trace,
    checks: &mut Checks,
    figures: &mut Vec<(String, String)>,
) {
    let parsed = match spec::parse(chain) {
        Ok(p) => p,
        Err(e) => {
            trace.push(Duration::ZERO, "spec", format!("rejected: {e}"));
            checks.eq("result", Expected::BadSpec, expect.result);
            if let Some(want) = &expect.error {
                checks.that(e.to_string().contains(want.as_str()), || {
                    format!("error: expected text {want:?} in {e}")
                });
            }
            return;
        }
    };
    let built = parsed.build();
    let names: Vec<String> = built
        .elements
        .iter()
        .map(|e| e.name().to_string())
        .collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let linked = link_chain(&built.elements, version).map_err(|e| e.to_string());
    record_link(
        linked.as_ref(),
        &names,
        version,
        expect,
        trace,
        checks,
        figures,
    );
    let Ok(linkage) = linked else { return };
    let mut x = match Xfer::new(built.elements, &linkage, config) {
        Ok(x) => x,
        Err(e) => {
            trace.push(Duration::ZERO, "xfer", format!("cannot build: {e}"));
            checks.that(false, || format!("transfer could not be built: {e}"));
            return;
        }
    };
    if let Err(e) = x.start() {
        trace.push(Duration::ZERO, "xfer", format!("cannot start: {e}"));
        checks.eq("result", Expected::Failed, expect.result);
        if let Some(want) = &expect.error {
            checks.that(e.to_string().contains(want.as_str()), || {
                format!("error: expected text {want:?} in {e}")
            });
        }
        return;
    }
    let summary = match x.wait_timeout(WATCHDOG) {
        Ok(s) => s,
        Err(e) => {
            checks.that(false, || format!("transfer hung for {WATCHDOG:?}: {e}"));
            return;
        }
    };
    record_summary(&summary, expect, trace, checks, figures);
    let arrived = match (&built.buffer, &built.null) {
        (Some(buffer), _) => {
            figures.push(("buffered".into(), buffer.len().to_string()));
            Some(Arrived::Bytes(buffer.contents()))
        }
        (None, Some(null)) => Some(Arrived::Counted(null.get())),
        (None, None) => None,
    };
    data::verdict(chain, arrived, &summary, trace, checks);
}

fn record_summary(
    summary: &Summary,
    expect: &Expect,
    trace: &mut Trace,
    checks: &mut Checks,
    figures: &mut Vec<(String, String)>,
) {
    let mut msgs: Vec<&Msg> = summary.messages.iter().collect();
    msgs.sort_by_key(|m| (matches!(m.kind, MsgKind::Done), m.elt.index));
    for m in msgs {
        trace.push(Duration::ZERO, "xfer", m);
    }
    // A cancelled or failed run stops at a byte count the threads decide; only a finished run's count is stable.
    let bytes = if summary.status == Status::Done {
        summary.bytes.to_string()
    } else {
        "(varies)".into()
    };
    trace.push(
        Duration::ZERO,
        "xfer",
        format!(
            "status={} bytes={bytes} leaks={}",
            summary.status, summary.leaks
        ),
    );
    figures.push(("status".into(), summary.status.to_string()));
    figures.push(("bytes".into(), summary.bytes.to_string()));
    let got = match summary.status {
        Status::Done => Expected::Done,
        Status::Cancelled => Expected::Cancelled,
        Status::Failed => Expected::Failed,
    };
    checks.eq("result", got, expect.result);
    if let Some(want) = expect.bytes {
        checks.eq("bytes", summary.bytes, want.0);
    }
    if let Some(want) = &expect.error {
        let found = summary
            .errors
            .iter()
            .any(|e| e.message.contains(want.as_str()));
        checks.that(found, || {
            format!(
                "error: no element error contains {want:?} (errors: {:?})",
                summary.errors
            )
        });
    }
    let dones = summary
        .messages
        .iter()
        .filter(|m| m.kind == MsgKind::Done)
        .count();
    checks.eq("DONE messages", dones, 1);
    checks.that(
        summary
            .messages
            .last()
            .is_some_and(|m| m.kind == MsgKind::Done),
        || "DONE is not the last message".into(),
    );
    checks.that(summary.leaks.is_clean(), || {
        format!("leaked resources: {}", summary.leaks)
    });
    if expect.crc_equal {
        let crcs: Vec<(u32, u64)> = summary
            .messages
            .iter()
            .filter_map(|m| {
                if let MsgKind::Crc { crc, size } = m.kind {
                    Some((crc, size))
                } else {
                    None
                }
            })
            .collect();
        checks.that(
            crcs.len() >= 2 && crcs.windows(2).all(|w| w[0] == w[1]),
            || format!("crc_equal: expected at least two equal CRC messages, got {crcs:x?}"),
        );
    }
}
