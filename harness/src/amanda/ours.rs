//! Runs a [`Case`] through reelcheck-xfer and observes it the way the probe
//! observes Amanda.

use std::path::Path;
use std::time::Duration;

use reelcheck_xfer::msg::MsgKind;
use reelcheck_xfer::spec::{ChainSpec, ElementSpec};
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Xfer, XferConfig};

use super::case::{Case, Elem};
use super::observed::{Ended, Linked, Message, Observed};

/// Our chain spec for `case`, with files in `dir`.
pub fn chain_spec(case: &Case, dir: &Path) -> ChainSpec {
    let elements = case
        .elems
        .iter()
        .map(|e| match e {
            Elem::Random { size, seed } => ElementSpec::RandomSimplePrng {
                size: *size,
                seed: *seed,
            },
            Elem::Pattern { size, pattern } => ElementSpec::Pattern {
                size: *size,
                pattern: pattern.clone(),
            },
            Elem::FdSrc { .. } => ElementSpec::FdSource {
                path: Some(dir.join("input.bin").display().to_string()),
            },
            Elem::Xor { key } => ElementSpec::Xor { key: *key },
            Elem::Crc => ElementSpec::Crc,
            Elem::Process { argv } => ElementSpec::Process { argv: argv.clone() },
            Elem::Null { .. } => ElementSpec::Null,
            Elem::Buffer => ElementSpec::Buffer,
            Elem::FdDest => ElementSpec::FdDest {
                path: Some(dir.join("ours.out").display().to_string()),
            },
        })
        .collect();
    ChainSpec { elements }
}

/// Runs `case` through our runtime (inputs already in `dir`), giving up after `secs`.
pub fn run(case: &Case, dir: &Path, secs: u64) -> Observed {
    let built = chain_spec(case, dir).build();
    let config = XferConfig {
        buffer_size: case.buffer_size,
        ..XferConfig::default()
    };
    let mut x = match Xfer::linked(built.elements, TableVersion::V3_5, config) {
        Ok(x) => x,
        Err(e) => {
            return Observed::ended(Ended::Crashed {
                detail: format!("link: {e}"),
            });
        }
    };
    let names = x.names();
    let linkage: Vec<Linked> = x
        .mechs()
        .iter()
        .zip(&names)
        .map(|((input, _), name)| Linked {
            glue: name == "glue",
            input: input.amanda_name().to_string(),
        })
        .collect();
    let mut obs = Observed::ended(Ended::Finished);
    obs.linkage_line = format!("Final linkage: {}", x.render_linkage());
    obs.linkage = Some(linkage);
    if let Err(e) = x.start() {
        obs.ended = Ended::Crashed {
            detail: format!("start: {e}"),
        };
        return obs;
    }
    let summary = match x.wait_timeout(Duration::from_secs(secs)) {
        Ok(s) => s,
        Err(_) => {
            obs.ended = Ended::Hung { secs };
            return obs;
        }
    };
    obs.status = summary.status.to_string();
    obs.messages = summary
        .messages
        .iter()
        .map(|m| Message {
            at: m.elt.index,
            kind: m.kind.type_name().to_string(),
            crc: match m.kind {
                MsgKind::Crc { crc, size } => Some((crc, size)),
                _ => None,
            },
            text: match &m.kind {
                MsgKind::Info(t) | MsgKind::Error(t) => t.clone(),
                _ => String::new(),
            },
        })
        .collect();
    obs.output = match case.elems.last() {
        Some(Elem::Buffer) => built.buffer.map(|b| b.contents()),
        Some(Elem::FdDest) => Some(std::fs::read(dir.join("ours.out")).unwrap_or_default()),
        _ => None,
    };
    obs
}
