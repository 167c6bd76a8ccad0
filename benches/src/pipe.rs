//! Raw copies used as baselines: a read/write loop through a pipe (with a
//! chosen pipe buffer size), a memcpy, a bare two-thread buffer handoff, and
//! the feeder/drainer threads that put bytes into and take them out of a
//! transfer's fds.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, fcntl};

/// Pipe buffer sizes the raw pipe baseline tries (the best one counts).
pub const RAW_PIPE_SIZES: [usize; 2] = [64 * 1024, 1024 * 1024];

/// Creates a pipe `(read, write)` and asks for a `size`-byte buffer (a refusal keeps the default).
pub fn pipe_with_size(size: usize) -> io::Result<(OwnedFd, OwnedFd)> {
    let (r, w) = nix::unistd::pipe().map_err(io::Error::from)?;
    if let Ok(sz) = i32::try_from(size) {
        let _ = fcntl(w.as_fd(), FcntlArg::F_SETPIPE_SZ(sz));
    }
    Ok((r, w))
}

/// Writes `total` bytes (cycling through `data`) to `fd` in `chunk`-byte writes, then closes it.
pub fn write_cycled(fd: OwnedFd, data: &[u8], total: u64, chunk: usize) -> io::Result<u64> {
    let mut f = File::from(fd);
    let chunk = chunk.clamp(1, data.len().max(1));
    let mut left = total;
    let mut at = 0usize;
    while left > 0 {
        let n = usize::try_from(left)
            .map_or(chunk, |l| l.min(chunk))
            .min(data.len() - at);
        f.write_all(&data[at..at + n])?;
        at = (at + n) % data.len();
        left -= n as u64;
    }
    Ok(total)
}

/// Reads `fd` to its end in `chunk`-byte reads, discarding the bytes; returns how many.
pub fn read_discard(fd: OwnedFd, chunk: usize) -> io::Result<u64> {
    let mut f = File::from(fd);
    let mut buf = vec![0u8; chunk.max(1)];
    let mut total = 0u64;
    loop {
        match f.read(&mut buf) {
            Ok(0) => return Ok(total),
            Ok(n) => total += n as u64,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A thread running [`write_cycled`].
pub fn feed(fd: OwnedFd, data: Arc<[u8]>, total: u64, chunk: usize) -> JoinHandle<io::Result<u64>> {
    std::thread::spawn(move || write_cycled(fd, &data, total, chunk))
}

/// A thread running [`read_discard`].
pub fn drain(fd: OwnedFd, chunk: usize) -> JoinHandle<io::Result<u64>> {
    std::thread::spawn(move || read_discard(fd, chunk))
}

/// Joins a feeder or drainer and flattens its result.
pub fn join(h: JoinHandle<io::Result<u64>>) -> io::Result<u64> {
    h.join()
        .map_err(|_| io::Error::other("pipe thread panicked"))?
}

/// The raw baseline: one thread writes `total` bytes of `data` into a pipe
/// with a `pipe_size` buffer (in `pipe_size` chunks), another reads them;
/// returns the wall time from the first write to the last read.
pub fn raw_pipe_copy(data: &Arc<[u8]>, total: u64, pipe_size: usize) -> io::Result<Duration> {
    let (r, w) = pipe_with_size(pipe_size)?;
    let start = Instant::now();
    let reader = drain(r, pipe_size);
    let writer = feed(w, Arc::clone(data), total, pipe_size);
    join(writer)?;
    let got = join(reader)?;
    let elapsed = start.elapsed();
    if got != total {
        return Err(io::Error::other(format!(
            "raw pipe copy moved {got} of {total} bytes"
        )));
    }
    Ok(elapsed)
}

/// The buffer baseline: copies `src` into `dst` (same length) in `chunk`-byte
/// memcpys; `dst` shorter than `src` is reused cyclically (a hot buffer).
pub fn memcpy_copy(src: &[u8], dst: &mut [u8], chunk: usize) -> Duration {
    let start = Instant::now();
    let chunk = chunk.clamp(1, dst.len().max(1));
    let mut at = 0usize;
    for piece in src.chunks(chunk) {
        if at + piece.len() > dst.len() {
            at = 0;
        }
        dst[at..at + piece.len()].copy_from_slice(piece);
        at += piece.len();
    }
    std::hint::black_box(&mut *dst);
    start.elapsed()
}

/// Two threads handing `chunk`-byte buffers through std `sync_channel`s, `batch` buffers per
/// message and at most `slots` buffers in flight: the producer copies each piece of `src` into
/// a buffer (recycled through a second channel), the consumer copies it into one hot buffer.
/// This is the work of a PUSH_BUFFER_STATIC→PULL_BUFFER_STATIC pair without any transfer
/// machinery: what moving bytes from one thread to another costs on this machine. With
/// `batch` 1 every buffer costs a wake-up; larger batches share one.
pub fn raw_handoff_copy(
    src: &Arc<[u8]>,
    chunk: usize,
    slots: usize,
    batch: usize,
) -> io::Result<Duration> {
    let chunk = chunk.max(1);
    let batch = batch.max(1);
    let messages = (slots / batch).max(1);
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(messages);
    let (spare_tx, spare_rx) = std::sync::mpsc::sync_channel::<Vec<Vec<u8>>>(messages + 1);
    let data = Arc::clone(src);
    let start = Instant::now();
    let producer = std::thread::spawn(move || {
        let mut spares: Vec<Vec<u8>> = Vec::new();
        let mut out: Vec<Vec<u8>> = Vec::with_capacity(batch);
        for piece in data.chunks(chunk) {
            if spares.is_empty()
                && let Ok(back) = spare_rx.try_recv()
            {
                spares = back;
            }
            let mut b = spares.pop().unwrap_or_default();
            b.clear();
            b.extend_from_slice(piece);
            out.push(b);
            if out.len() == batch && full_tx.send(std::mem::take(&mut out)).is_err() {
                return;
            }
        }
        if !out.is_empty() {
            let _ = full_tx.send(out);
        }
    });
    let mut dst = vec![0u8; chunk];
    let mut moved = 0usize;
    while let Ok(bufs) = full_rx.recv() {
        for b in &bufs {
            dst[..b.len()].copy_from_slice(b);
            moved += b.len();
        }
        let _ = spare_tx.try_send(bufs);
    }
    std::hint::black_box(&mut dst);
    let elapsed = start.elapsed();
    producer
        .join()
        .map_err(|_| io::Error::other("handoff producer panicked"))?;
    if moved != src.len() {
        return Err(io::Error::other(format!(
            "handoff moved {moved} of {} bytes",
            src.len()
        )));
    }
    Ok(elapsed)
}

/// `len` bytes from a cheap xorshift generator (fast, reproducible test data).
pub fn test_data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(&x.to_le_bytes());
    }
    out.truncate(len);
    out
}
