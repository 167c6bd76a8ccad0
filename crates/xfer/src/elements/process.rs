//! `process`: pipes data through a child process (Amanda's filter-process).
//!
//! READFD→WRITEFD: the child's stdin is the upstream's output fd and its
//! stdout the downstream's input fd, so the parent copies nothing. The child
//! runs in its own process group; a reaper thread waits for it, reports a
//! failed exit as an error and sends the element's DONE. On cancel the group
//! is killed (SIGKILL): unlike Amanda, which leaves a child alone when it
//! expects an EOF, a child program cannot be trusted to reach one. Its
//! stdout then closes, which is the EOF downstream sees. Children are always
//! reaped. A child killed by SIGPIPE is not an error: its reader stopped
//! early on purpose (shells treat `cat | head` the same way).
//!
//! Shell: spawns the child (its reaper thread comes from the chain runtime).
#![allow(clippy::disallowed_methods)] // Shell: spawns the filter's child process.

use std::io::Read as _;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};

use nix::sys::signal::{Signal, killpg};
use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;

use crate::cancel::TrackedFd;
use crate::element::{Cx, Element};
use crate::error::Error;
use crate::mech::MechPair;
use crate::sync::lock;
use crate::tables::{AmandaElement, TableVersion, element_pairs};

/// Most stderr bytes kept for an error message.
const STDERR_KEEP: usize = 4096;

/// Runs `argv` with the data on stdin, passing its stdout downstream.
#[derive(Debug)]
pub struct ProcessFilter {
    argv: Vec<String>,
    /// The child's pid while it is alive or a zombie (never after reaping).
    pid: Arc<Mutex<Option<Pid>>>,
}

impl ProcessFilter {
    /// A filter running `argv[0]` with arguments `argv[1..]` (looked up in `PATH`).
    pub fn new<S: Into<String>>(argv: impl IntoIterator<Item = S>) -> ProcessFilter {
        ProcessFilter {
            argv: argv.into_iter().map(Into::into).collect(),
            pid: Arc::new(Mutex::new(None)),
        }
    }

    /// The command line.
    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    fn command_line(&self) -> String {
        self.argv.join(" ")
    }
}

/// Child fds must block: the child knows nothing of `O_NONBLOCK`.
fn for_child(fd: TrackedFd) -> Result<Stdio, Error> {
    if fd.is_runtime_pipe() {
        fd.set_nonblocking(false)
            .map_err(|e| Error::errno("clearing O_NONBLOCK", e))?;
    }
    fd.into_owned()
        .map(Stdio::from)
        .ok_or_else(|| Error::Misuse("fd already handed over".into()))
}

fn describe(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(sig)) => match Signal::try_from(sig) {
            Ok(s) => format!("killed by {}", s.as_str()),
            Err(_) => format!("killed by signal {sig}"),
        },
        (None, None) => "ended abnormally".to_string(),
    }
}

impl Element for ProcessFilter {
    fn name(&self) -> &str {
        "process"
    }

    fn mech_pairs(&self, version: TableVersion) -> Option<&'static [MechPair]> {
        element_pairs(AmandaElement::FilterProcess, version)
    }

    fn can_generate_eof(&self) -> bool {
        true
    }

    fn ignore_broken_pipe(&self) -> bool {
        true
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        // Take both fds first: whatever happens next, they close with this
        // frame or the child, so neighbours see EOF / EPIPE, never a hang.
        let stdin = cx.take_upstream_output_fd();
        let stdout = cx.take_downstream_input_fd();
        let (Some(stdin), Some(stdout)) = (stdin, stdout) else {
            return Err(Error::Misuse(
                "process needs an input and an output fd".into(),
            ));
        };
        let Some((program, args)) = self.argv.split_first() else {
            return Err(Error::Misuse("process has an empty command".into()));
        };
        if cx.cancel_requested() {
            return Ok(());
        }
        let mut child = Command::new(program)
            .args(args)
            .stdin(for_child(stdin)?)
            .stdout(for_child(stdout)?)
            .stderr(Stdio::piped())
            .process_group(0)
            .spawn()
            .map_err(|e| Error::Io {
                context: format!("spawning `{}`", self.command_line()),
                source: e,
            })?;
        cx.registry().child_spawned();
        let raw = i32::try_from(child.id()).unwrap_or(i32::MAX);
        let pid = Pid::from_raw(raw);
        *lock(&self.pid) = Some(pid);
        let command = self.command_line();
        let mut stderr = child.stderr.take();
        let slot = Arc::clone(&self.pid);
        let holder = Arc::new(Mutex::new(Some(child)));
        let held = Arc::clone(&holder);
        let spawned = cx.spawn("reaper", move |cx| {
            let Some(mut child) = lock(&held).take() else {
                return;
            };
            let mut kept = Vec::new();
            if let Some(err) = stderr.as_mut() {
                let mut chunk = [0u8; 4096];
                while let Ok(n) = err.read(&mut chunk) {
                    if n == 0 {
                        break;
                    }
                    let room = STDERR_KEEP.saturating_sub(kept.len());
                    kept.extend_from_slice(&chunk[..n.min(room)]);
                }
            }
            drop(stderr);
            // Wait without reaping, so a concurrent kill never hits a reused pid.
            while let Err(nix::errno::Errno::EINTR) =
                waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT)
            {}
            *lock(&slot) = None;
            let status = child.wait();
            cx.registry().child_reaped();
            match status {
                // Killed by SIGPIPE: its reader stopped early on purpose (as
                // with `cat | head`); the reader reports any real failure.
                Ok(s) if s.success() || s.signal() == Some(Signal::SIGPIPE as i32) => {}
                Ok(_) | Err(_) if cx.cancel_requested() => {}
                Ok(s) => {
                    let text = String::from_utf8_lossy(&kept);
                    let first = text.lines().next().unwrap_or("").trim();
                    let mut status = describe(s);
                    if !first.is_empty() {
                        status = format!("{status}: {first}");
                    }
                    cx.fail(Error::Child { command, status });
                }
                Err(e) => cx.fail(Error::Io {
                    context: format!("waiting for `{command}`"),
                    source: e,
                }),
            }
        });
        if let Err(e) = spawned {
            // No reaper: kill and reap here rather than leave a child behind.
            if let Some(mut child) = lock(&holder).take() {
                self.kill();
                let _ = child.wait();
                *lock(&self.pid) = None;
                cx.registry().child_reaped();
            }
            return Err(e);
        }
        Ok(())
    }

    fn cancel(&self, _expect_eof: bool) -> bool {
        self.kill();
        true
    }
}

impl ProcessFilter {
    fn kill(&self) {
        if let Some(pid) = *lock(&self.pid) {
            // ESRCH (already gone) is fine: it is a zombie awaiting its reaper.
            let _ = killpg(pid, Signal::SIGKILL);
        }
    }
}
