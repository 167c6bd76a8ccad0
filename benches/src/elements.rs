//! Bench-only transfer elements and chains that put exactly one glue pair
//! between a producer and a consumer, so the bench measures that glue.
//!
//! The product's element library has sources only for PULL/READFD and
//! destinations only for PUSH/WRITEFD; [`Pusher`], [`Puller`], [`Feeder`] and
//! [`Drainer`] supply the other sides (NONE→PUSH, PULL→NONE, NONE→WRITEFD,
//! READFD→NONE), each a plain loop in a thread of its own.

use std::io;
use std::os::fd::OwnedFd;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use reelcheck_xfer::element::{Cx, Element};
use reelcheck_xfer::elements::{FdDest, FdSource, MemorySource, NullDest};
use reelcheck_xfer::glue::fdio::{self, Read};
use reelcheck_xfer::link::{LinkStep, Linkage};
use reelcheck_xfer::mech::{Mech, MechPair};
use reelcheck_xfer::tables::{self, TableVersion};
use reelcheck_xfer::transfer::DEFAULT_PIPE_SIZE;
use reelcheck_xfer::{Error, Xfer, XferConfig};

use crate::pipe;

const PUSHER_PAIRS: [MechPair; 2] = [
    MechPair::new(Mech::None, Mech::PushBuffer, 1, 1, 1),
    MechPair::new(Mech::None, Mech::PushBufferStatic, 0, 1, 0),
];
const PULLER_PAIRS: [MechPair; 2] = [
    MechPair::new(Mech::PullBuffer, Mech::None, 0, 1, 0),
    MechPair::new(Mech::PullBufferStatic, Mech::None, 0, 1, 0),
];
const FEEDER_PAIRS: [MechPair; 1] = [MechPair::new(Mech::None, Mech::WriteFd, 0, 1, 0)];
const DRAINER_PAIRS: [MechPair; 1] = [MechPair::new(Mech::ReadFd, Mech::None, 0, 1, 0)];

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A source that pushes `data` downstream (owned copies for PUSH_BUFFER,
/// borrowed slices for PUSH_BUFFER_STATIC) in buffer-size chunks.
#[derive(Debug)]
pub struct Pusher {
    data: Arc<[u8]>,
    output: Mutex<Mech>,
}

impl Pusher {
    /// Pushes all of `data`.
    pub fn new(data: Arc<[u8]>) -> Pusher {
        Pusher {
            data,
            output: Mutex::new(Mech::None),
        }
    }
}

impl Element for Pusher {
    fn name(&self) -> &str {
        "pusher"
    }

    fn mech_pairs(&self, _version: TableVersion) -> Option<&'static [MechPair]> {
        Some(&PUSHER_PAIRS)
    }

    fn setup(&self, _cx: &Cx<'_>, _input: Mech, output: Mech) -> Result<(), Error> {
        *lock(&self.output) = output;
        Ok(())
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let data = Arc::clone(&self.data);
        let owned = *lock(&self.output) == Mech::PushBuffer;
        cx.spawn("push", move |cx| {
            for piece in data.chunks(cx.buffer_size()) {
                if cx.cancelled() {
                    break;
                }
                if owned {
                    cx.push(Some(piece.to_vec()));
                } else {
                    cx.push_static(Some(piece));
                }
            }
            if owned {
                cx.push(None);
            } else {
                cx.push_static(None);
            }
        })
    }
}

/// A destination that pulls until EOF and discards (a fresh buffer per
/// PULL_BUFFER call, one reused buffer for PULL_BUFFER_STATIC).
#[derive(Debug)]
pub struct Puller {
    input: Mutex<Mech>,
}

impl Puller {
    /// A fresh puller.
    pub fn new() -> Puller {
        Puller {
            input: Mutex::new(Mech::None),
        }
    }
}

impl Default for Puller {
    fn default() -> Self {
        Puller::new()
    }
}

impl Element for Puller {
    fn name(&self) -> &str {
        "puller"
    }

    fn mech_pairs(&self, _version: TableVersion) -> Option<&'static [MechPair]> {
        Some(&PULLER_PAIRS)
    }

    fn setup(&self, _cx: &Cx<'_>, input: Mech, _output: Mech) -> Result<(), Error> {
        *lock(&self.input) = input;
        Ok(())
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let owned = *lock(&self.input) == Mech::PullBuffer;
        cx.spawn("pull", move |cx| {
            if owned {
                while let Some(buf) = cx.pull() {
                    std::hint::black_box(buf);
                }
            } else {
                let mut buf = vec![0u8; cx.buffer_size()];
                while cx.pull_static(&mut buf).is_some() {}
            }
        })
    }
}

/// A source that writes `data` into the fd its downstream neighbour hands over (WRITEFD).
#[derive(Debug)]
pub struct Feeder {
    data: Arc<[u8]>,
}

impl Feeder {
    /// Writes all of `data`.
    pub fn new(data: Arc<[u8]>) -> Feeder {
        Feeder { data }
    }
}

impl Element for Feeder {
    fn name(&self) -> &str {
        "feeder"
    }

    fn mech_pairs(&self, _version: TableVersion) -> Option<&'static [MechPair]> {
        Some(&FEEDER_PAIRS)
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let fd = cx
            .take_downstream_input_fd()
            .ok_or_else(|| Error::Misuse("feeder: downstream has no input fd".into()))?;
        let data = Arc::clone(&self.data);
        cx.spawn("feed", move |cx| {
            let cap = cx.pipe_size();
            if let Err(e) = fdio::write_all(&fd, &data, cap, Some(cx.token()), |_| {}) {
                cx.fail(format!("feeder write: {e}"));
            }
            drop(fd);
        })
    }
}

/// A destination that reads the fd its upstream neighbour hands over (READFD) and discards.
#[derive(Debug, Default)]
pub struct Drainer;

impl Element for Drainer {
    fn name(&self) -> &str {
        "drainer"
    }

    fn mech_pairs(&self, _version: TableVersion) -> Option<&'static [MechPair]> {
        Some(&DRAINER_PAIRS)
    }

    fn start(&self, cx: &Cx<'_>) -> Result<(), Error> {
        let fd = cx
            .take_upstream_output_fd()
            .ok_or_else(|| Error::Misuse("drainer: upstream has no output fd".into()))?;
        cx.spawn("drain", move |cx| {
            let mut buf = vec![0u8; cx.pipe_size().max(64 * 1024)];
            loop {
                match fdio::read_some(&fd, &mut buf, Some(cx.token())) {
                    Ok(Read::Data(_)) => {}
                    Ok(Read::Eof | Read::Cancelled) => break,
                    Err(e) => {
                        cx.fail(format!("drainer read: {e}"));
                        break;
                    }
                }
            }
        })
    }
}

/// A transfer ready to start with exactly one glue pair, plus the outside
/// threads that feed or drain its adopted fds.
pub struct GlueRun {
    /// The transfer (not yet started).
    pub xfer: Xfer,
    /// Feeder/drainer threads outside the transfer (joined by [`GlueRun::run`]).
    pub helpers: Vec<JoinHandle<io::Result<u64>>>,
}

impl GlueRun {
    /// Starts the transfer, waits for it and joins the helpers; an error if
    /// the transfer did not finish cleanly.
    pub fn run(mut self) -> Result<u64, String> {
        self.xfer.start().map_err(|e| e.to_string())?;
        let summary = self.xfer.wait();
        for h in self.helpers {
            pipe::join(h).map_err(|e| e.to_string())?;
        }
        if !summary.errors.is_empty() {
            return Err(format!("transfer failed: {:?}", summary.errors));
        }
        Ok(summary.bytes)
    }
}

/// The glue pair `input -> output` as the 3.5 table has it.
pub fn table_pair(input: Mech, output: Mech) -> MechPair {
    tables::glue_pairs(TableVersion::V3_5)
        .iter()
        .copied()
        .find(|p| p.input == input && p.output == output)
        .unwrap_or(MechPair::new(input, output, 0, 0, 0))
}

/// Every glue pair of the 3.5 table that this runtime runs (no DirectTCP, no rings).
pub fn runnable_glue_pairs() -> Vec<(Mech, Mech)> {
    let runnable = |m: Mech| {
        matches!(
            m,
            Mech::ReadFd
                | Mech::WriteFd
                | Mech::PullBuffer
                | Mech::PullBufferStatic
                | Mech::PushBuffer
                | Mech::PushBufferStatic
        )
    };
    tables::glue_pairs(TableVersion::V3_5)
        .iter()
        .filter(|p| runnable(p.input) && runnable(p.output))
        .map(|p| (p.input, p.output))
        .collect()
}

/// Whether either side of the pair is an fd (baseline: raw pipe), else buffers (baseline: memcpy).
pub fn is_fd_pair(input: Mech, output: Mech) -> bool {
    matches!(input, Mech::ReadFd | Mech::WriteFd) || matches!(output, Mech::ReadFd | Mech::WriteFd)
}

/// Builds `producer -(input)-> glue -(output)-> consumer` moving all of `data`.
pub fn glue_run(
    input: Mech,
    output: Mech,
    data: &Arc<[u8]>,
    config: XferConfig,
) -> io::Result<GlueRun> {
    let mut helpers = Vec::new();
    let total = data.len() as u64;
    let source: Box<dyn Element> = match input {
        Mech::PullBuffer | Mech::PullBufferStatic => Box::new(MemorySource::new(Arc::clone(data))),
        Mech::PushBuffer | Mech::PushBufferStatic => Box::new(Pusher::new(Arc::clone(data))),
        Mech::ReadFd => {
            let (r, w) = pipe::pipe_with_size(DEFAULT_PIPE_SIZE)?;
            helpers.push(pipe::feed(w, Arc::clone(data), total, DEFAULT_PIPE_SIZE));
            Box::new(FdSource::from_fd(r))
        }
        Mech::WriteFd => Box::new(Feeder::new(Arc::clone(data))),
        other => return Err(io::Error::other(format!("no bench producer for {other}"))),
    };
    let dest: Box<dyn Element> = match output {
        Mech::PushBuffer | Mech::PushBufferStatic => Box::new(NullDest::new()),
        Mech::PullBuffer | Mech::PullBufferStatic => Box::new(Puller::new()),
        Mech::WriteFd => {
            let (r, w): (OwnedFd, OwnedFd) = pipe::pipe_with_size(DEFAULT_PIPE_SIZE)?;
            helpers.push(pipe::drain(r, DEFAULT_PIPE_SIZE));
            Box::new(FdDest::from_fd(w))
        }
        Mech::ReadFd => Box::new(Drainer),
        other => return Err(io::Error::other(format!("no bench consumer for {other}"))),
    };
    let linkage = Linkage {
        steps: vec![
            LinkStep {
                element: 0,
                pair: MechPair::new(Mech::None, input, 0, 0, 0),
                glue: Some(table_pair(input, output)),
            },
            LinkStep {
                element: 1,
                pair: MechPair::new(output, Mech::None, 0, 0, 0),
                glue: None,
            },
        ],
        cost: 0,
    };
    let xfer = Xfer::new(vec![source, dest], &linkage, config)
        .map_err(|e| io::Error::other(e.to_string()))?;
    Ok(GlueRun { xfer, helpers })
}

/// Builds and runs a one-line chain spec with the 3.5 tables; returns bytes delivered.
pub fn run_spec(spec: &str) -> Result<u64, String> {
    let chain = reelcheck_xfer::spec::parse(spec)
        .map_err(|e| e.to_string())?
        .build();
    let mut x = Xfer::linked(chain.elements, TableVersion::V3_5, XferConfig::default())
        .map_err(|e| e.to_string())?;
    x.start().map_err(|e| e.to_string())?;
    let s = x.wait();
    if !s.errors.is_empty() {
        return Err(format!("{spec}: {:?}", s.errors));
    }
    Ok(s.bytes)
}
