//! The glue modes that own a thread: the body each one runs, from the
//! upstream side to the downstream side until EOF, cancel or an error.

use crate::cancel::TrackedFd;
use crate::element::Cx;
use crate::error::Error;
use crate::glue::fdio::{self, Read, Spliced, Wrote};
use crate::glue::io::broken_pipe;
use crate::glue::mode::GlueMode;

/// The body of a glue thread.
pub(super) fn worker(
    cx: &Cx<'_>,
    mode: GlueMode,
    read_fd: Option<TrackedFd>,
    write_fd: Option<TrackedFd>,
) {
    match mode {
        GlueMode::FdToFd => fd_to_fd(cx, read_fd, write_fd),
        GlueMode::FdToPush | GlueMode::FdToPushStatic => {
            fd_to_push(cx, read_fd, mode == GlueMode::FdToPushStatic)
        }
        GlueMode::PullToFd | GlueMode::PullStaticToFd => {
            pull_to_fd(cx, write_fd, mode == GlueMode::PullStaticToFd);
        }
        GlueMode::PullToPush => pull_to_push(cx),
        GlueMode::PullStaticToPushStatic => pull_static_to_push_static(cx),
        _ => {}
    }
}

fn fd_to_fd(cx: &Cx<'_>, read_fd: Option<TrackedFd>, write_fd: Option<TrackedFd>) {
    let (Some(r), Some(w)) = (read_fd, write_fd) else {
        return;
    };
    let down = cx.downstream();
    let token = Some(cx.token());
    let faulty = cx.faults().max_read.is_some() || cx.faults().max_write.is_some();
    let chunk = cx.write_cap(cx.read_cap(cx.pipe_size().max(cx.buffer_size())));
    let mut outcome = if faulty {
        Ok(Spliced::Unsupported)
    } else {
        fdio::splice_copy(&r, &w, chunk, token, |n| cx.account(down, n))
    };
    if let Ok(Spliced::Unsupported) = outcome {
        let buf = cx.read_cap(cx.io_chunk());
        outcome = fdio::copy_loop(&r, &w, buf, cx.write_cap(buf), token, |n| {
            cx.account(down, n)
        })
        .map(Spliced::Done);
    }
    match outcome {
        Ok(Spliced::Done(Wrote::All)) | Ok(Spliced::Unsupported) => {}
        Ok(Spliced::Done(Wrote::Cancelled)) => {
            if cx.cancelled() && cx.expect_eof() {
                fdio::drain(&r, None);
            }
        }
        Ok(Spliced::Done(Wrote::BrokenPipe)) => {
            broken_pipe(cx);
            drop(w);
            // Let upstream finish normally instead of dying of SIGPIPE.
            fdio::drain(&r, Some(cx.token()));
        }
        Err(e) => cx.fail(Error::errno("copying between fds", e)),
    }
}

fn fd_to_push(cx: &Cx<'_>, read_fd: Option<TrackedFd>, stat: bool) {
    let me = cx.index();
    let size = cx.read_cap(cx.io_chunk());
    let mut reused = if stat { vec![0u8; size] } else { Vec::new() };
    let mut at_eof = read_fd.is_none();
    if let Some(r) = &read_fd {
        loop {
            if cx.cancelled() {
                break;
            }
            let mut fresh;
            let buf: &mut Vec<u8> = if stat {
                &mut reused
            } else {
                fresh = vec![0u8; size];
                &mut fresh
            };
            match fdio::read_some(r, buf, Some(cx.token())) {
                Ok(Read::Data(n)) => {
                    cx.account(me, n);
                    if stat {
                        push_static_chunks(cx, &buf[..n]);
                    } else {
                        buf.truncate(n);
                        push_chunks(cx, std::mem::take(buf));
                    }
                }
                Ok(Read::Eof) => {
                    at_eof = true;
                    break;
                }
                Ok(Read::Cancelled) => break,
                Err(e) => {
                    cx.fail(Error::errno("reading upstream fd", e));
                    break;
                }
            }
        }
        if !at_eof && cx.cancelled() && cx.expect_eof() {
            fdio::drain(r, None);
        }
    }
    drop(read_fd);
    if stat {
        cx.push_static(None);
    } else {
        cx.push(None);
    }
}

/// Pushes an owned buffer, split into `max_write` chunks if the fault hook asks.
fn push_chunks(cx: &Cx<'_>, buf: Vec<u8>) {
    let cap = cx.write_cap(buf.len());
    if cap >= buf.len() {
        cx.push(Some(buf));
    } else {
        for c in buf.chunks(cap) {
            cx.push(Some(c.to_vec()));
        }
    }
}

/// Pushes a borrowed buffer, split into `max_write` chunks if the fault hook asks.
fn push_static_chunks(cx: &Cx<'_>, buf: &[u8]) {
    let cap = cx.write_cap(buf.len()).max(1);
    for c in buf.chunks(cap) {
        cx.push_static(Some(c));
    }
}

/// Pulls until upstream's EOF, discarding (Amanda's `xfer_element_drain_buffers`).
fn drain_upstream(cx: &Cx<'_>, stat: bool) {
    let mut buf = vec![0u8; if stat { cx.buffer_size() } else { 0 }];
    loop {
        let more = if stat {
            cx.pull_static(&mut buf).is_some()
        } else {
            cx.pull().is_some()
        };
        if !more {
            break;
        }
    }
}

fn pull_to_fd(cx: &Cx<'_>, write_fd: Option<TrackedFd>, stat: bool) {
    let down = cx.downstream();
    let mut buf = vec![0u8; if stat { cx.read_cap(cx.io_chunk()) } else { 0 }];
    let mut at_eof = false;
    let mut w = write_fd;
    loop {
        if cx.cancelled() {
            break;
        }
        let data: Option<Vec<u8>>;
        let slice: &[u8] = if stat {
            match cx.pull_static(&mut buf) {
                Some(n) => &buf[..n],
                None => {
                    at_eof = true;
                    break;
                }
            }
        } else {
            data = cx.pull();
            match &data {
                Some(d) => d,
                None => {
                    at_eof = true;
                    break;
                }
            }
        };
        let Some(fd) = w.as_ref() else { continue };
        match fdio::write_all(
            fd,
            slice,
            cx.write_cap(slice.len()),
            Some(cx.token()),
            |n| cx.account(down, n),
        ) {
            Ok(Wrote::All) => {}
            Ok(Wrote::Cancelled) => break,
            Ok(Wrote::BrokenPipe) => {
                // Keep pulling (and discarding) so upstream ends normally.
                w = None;
                broken_pipe(cx);
            }
            Err(e) => {
                cx.fail(Error::errno("writing downstream fd", e));
                break;
            }
        }
    }
    drop(w);
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, stat);
    }
}

fn pull_to_push(cx: &Cx<'_>) {
    let mut at_eof = false;
    while !cx.cancelled() {
        match cx.pull() {
            Some(b) => push_chunks(cx, b),
            None => {
                at_eof = true;
                break;
            }
        }
    }
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, false);
    }
    cx.push(None);
}

fn pull_static_to_push_static(cx: &Cx<'_>) {
    let mut buf = vec![0u8; cx.read_cap(cx.buffer_size())];
    let mut at_eof = false;
    while !cx.cancelled() {
        match cx.pull_static(&mut buf) {
            Some(n) => push_static_chunks(cx, &buf[..n]),
            None => {
                at_eof = true;
                break;
            }
        }
    }
    if !at_eof && cx.cancelled() && cx.expect_eof() {
        drain_upstream(cx, true);
    }
    cx.push_static(None);
}
