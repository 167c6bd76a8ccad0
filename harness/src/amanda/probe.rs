//! Runs a [`Case`] through Amanda 3.5.1's own elements with the Perl probe
//! (`harness/amanda/xfer-probe.pl`, built in) and parses what it printed.
//!
//! The probe runs under `timeout -s KILL`: a chain Amanda cannot link kills
//! its process with `error()`, and a chain may never finish; both come back
//! as [`Ended`] values, never as harness errors.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::case::{Case, Elem, fd_content};
use super::observed::{Ended, Linked, Message, Observed};

/// The probe's source.
pub const PROBE: &str = include_str!("../../amanda/xfer-probe.pl");

/// Where Debian installs Amanda's Perl modules.
pub const AMANDA_PERL: &str = "/usr/lib/x86_64-linux-gnu/amanda/perl";

/// The harness cannot run the probe at all (no perl, no timeout, no temp files).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// Writing the case's files or starting perl failed.
    #[error("running Amanda's probe: {0}")]
    Io(#[from] std::io::Error),
}

/// Writes the fd-source file of `case` (if any) into `dir`.
pub fn write_inputs(case: &Case, dir: &Path) -> std::io::Result<()> {
    if let Some(Elem::FdSrc { size, seed }) = case.elems.first() {
        std::fs::write(dir.join("input.bin"), fd_content(*size, *seed))?;
    }
    Ok(())
}

/// The probe's stdin for `case`, with files in `dir`.
pub fn probe_input(case: &Case, dir: &Path) -> String {
    let mut s = String::new();
    for e in &case.elems {
        let _ = match e {
            Elem::FdSrc { .. } => writeln!(s, "fdsrc {}", dir.join("input.bin").display()),
            Elem::Buffer => writeln!(s, "buffer {}", dir.join("amanda.out").display()),
            Elem::FdDest => writeln!(s, "fddest {}", dir.join("amanda.out").display()),
            Elem::Pattern { size, pattern } => {
                let h: String = pattern.iter().map(|b| format!("{b:02x}")).collect();
                writeln!(s, "pattern {size} {h}")
            }
            other => {
                // The remaining elements have the same text as in the case form.
                let one = Case {
                    elems: vec![other.clone()],
                    buffer_size: 0,
                };
                let text = one.to_string();
                writeln!(s, "{}", text.lines().nth(1).unwrap_or_default())
            }
        };
    }
    s
}

/// Runs `case` through Amanda in `dir` (which must hold its inputs), killing it after `secs`.
pub fn run(case: &Case, dir: &Path, secs: u64) -> Result<Observed, ProbeError> {
    write_inputs(case, dir)?;
    let input = probe_input(case, dir);
    let script = dir.join("xfer-probe.pl");
    std::fs::write(&script, PROBE)?;
    let started = Instant::now();
    let mut child = Command::new("timeout")
        .env("PERL5LIB", AMANDA_PERL)
        .arg("-s")
        .arg("KILL")
        .arg(secs.to_string())
        .arg("perl")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .current_dir(dir)
        .spawn()?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(input.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut obs = parse(&text);
    // `timeout -s KILL` kills its whole group, itself included: a run that
    // lasted the whole timeout hung, whatever status came back.
    let hung = started.elapsed() >= Duration::from_secs(secs);
    obs.ended = match out.status.code() {
        Some(0) => Ended::Finished,
        _ if hung => Ended::Hung { secs },
        other => {
            let err = String::from_utf8_lossy(&out.stderr);
            let tail: Vec<&str> = err.lines().rev().take(3).collect();
            let how = match other {
                Some(c) => format!("exit {c}"),
                None => "killed by a signal".into(),
            };
            Ended::Crashed {
                detail: format!(
                    "{how}; stderr: {}",
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                ),
            }
        }
    };
    if matches!(obs.ended, Ended::Finished)
        && matches!(case.elems.last(), Some(Elem::Buffer | Elem::FdDest))
    {
        obs.output = Some(std::fs::read(dir.join("amanda.out")).unwrap_or_default());
    }
    Ok(obs)
}

/// Parses the probe's output (see the probe's header for the records).
pub fn parse(text: &str) -> Observed {
    let mut obs = Observed::ended(Ended::Finished);
    let mut addrs: Vec<String> = Vec::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("LINKAGE ") {
            obs.linkage_line = rest.to_string();
            if let Some(chain) = rest.strip_prefix("Final linkage: ") {
                let (linked, a) = parse_linkage(chain);
                obs.linkage = Some(linked);
                addrs = a;
            }
        } else if let Some(rest) = line.strip_prefix("MSG ") {
            let mut words = rest.splitn(3, ' ');
            let kind = words.next().unwrap_or_default().to_string();
            let elt = words.next().unwrap_or_default();
            let tail = words.next().unwrap_or_default();
            let at = addrs.iter().position(|a| a == elt).unwrap_or(usize::MAX);
            let mut crc = None;
            let mut msg_text = String::new();
            if kind == "CRC" {
                let field = |k: &str| {
                    tail.split_whitespace()
                        .find_map(|w| w.strip_prefix(k))
                        .unwrap_or_default()
                        .to_string()
                };
                let c = u32::from_str_radix(&field("crc="), 16).unwrap_or(0);
                let s = field("size=").parse().unwrap_or(0);
                crc = Some((c, s));
            } else if let Some(t) = tail.strip_prefix("text=") {
                msg_text = t.to_string();
            }
            obs.messages.push(Message {
                at,
                kind,
                crc,
                text: msg_text,
            });
        } else if let Some(rest) = line.strip_prefix("STATUS ") {
            let errors = obs.messages.iter().any(|m| m.kind == "ERROR");
            let cancels = obs.messages.iter().any(|m| m.kind == "CANCEL");
            obs.status = match (rest.trim(), errors, cancels) {
                ("6", true, _) => "failed".into(),
                ("6", false, true) => "cancelled".into(),
                ("6", false, false) => "done".into(),
                (s, _, _) => format!("status {s}"),
            };
        }
    }
    obs
}

/// Splits `<XferSourceRandom@0x..> -(MECH)-> <XferElementGlue@0x..> ...`
/// into linked elements and their reprs.
fn parse_linkage(chain: &str) -> (Vec<Linked>, Vec<String>) {
    let mut linked = Vec::new();
    let mut addrs = Vec::new();
    let mut input = "NONE".to_string();
    for part in chain.split(" -(") {
        let (mech, repr) = match part.split_once(")-> ") {
            Some((m, r)) => (m.to_string(), r),
            None => (input.clone(), part),
        };
        input = mech;
        linked.push(Linked {
            glue: repr.starts_with("<XferElementGlue@"),
            input: input.clone(),
        });
        addrs.push(repr.trim().to_string());
    }
    (linked, addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn it_parses_a_probe_transcript() {
        let text = "LINKAGE Final linkage: <XferSourceRandom@0x1> -(PULL_BUFFER_STATIC)-> <XferElementGlue@0x2> -(PUSH_BUFFER_STATIC)-> <XferDestNull@0x3>\n\
            MSG INFO <XferDestNull@0x3> text=Is this thing on?\n\
            MSG CRC <XferDestNull@0x3> crc=e3069283 size=9\n\
            MSG DONE <XferElementGlue@0x2>\nSTATUS 6\n";
        let o = parse(text);
        let l = o.linkage.expect("linkage");
        assert_eq!(l.len(), 3);
        assert!(l[1].glue && !l[2].glue);
        assert_eq!(l[2].input, "PUSH_BUFFER_STATIC");
        assert_eq!(l[0].input, "NONE");
        assert_eq!(o.messages[1].crc, Some((0xe306_9283, 9)));
        assert_eq!(o.messages[1].at, 2);
        assert_eq!(o.messages[2].at, 1);
        assert_eq!(o.status, "done");
    }
}
