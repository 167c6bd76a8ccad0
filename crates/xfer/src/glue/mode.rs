//! [`GlueMode`]: what a glue pair does at run time, and whether it owns a thread.

use crate::mech::Mech;

/// What a glue pair does at run time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GlueMode {
    /// WRITEFD→READFD: a pipe, no thread, no copy.
    Pipe,
    /// fd→fd: one thread, `splice(2)` or read/write.
    FdToFd,
    /// fd→PUSH_BUFFER: one thread, a fresh buffer per read.
    FdToPush,
    /// fd→PUSH_BUFFER_STATIC: one thread, one reused buffer.
    FdToPushStatic,
    /// fd→PULL_BUFFER: read on demand.
    FdToPull,
    /// fd→PULL_BUFFER_STATIC: read on demand into the caller's buffer.
    FdToPullStatic,
    /// PUSH_BUFFER→fd: write on demand.
    PushToFd,
    /// PUSH_BUFFER_STATIC→fd: write on demand.
    PushStaticToFd,
    /// PUSH_BUFFER→PULL_BUFFER: bounded queue.
    Queue,
    /// PUSH_BUFFER_STATIC→PULL_BUFFER_STATIC: bounded queue of copies (buffers recycled).
    QueueStatic,
    /// PULL_BUFFER→fd: one thread.
    PullToFd,
    /// PULL_BUFFER_STATIC→fd: one thread.
    PullStaticToFd,
    /// PULL_BUFFER→PUSH_BUFFER: one thread ("call and call").
    PullToPush,
    /// PULL_BUFFER_STATIC→PUSH_BUFFER_STATIC: one thread.
    PullStaticToPushStatic,
}

impl GlueMode {
    /// The runtime mode of a glue pair, or `None` if it cannot run here.
    pub fn of(input: Mech, output: Mech) -> Option<GlueMode> {
        use Mech::{PullBuffer, PullBufferStatic, PushBuffer, PushBufferStatic, ReadFd, WriteFd};
        let fd = |m: Mech| matches!(m, ReadFd | WriteFd);
        Some(match (input, output) {
            (WriteFd, ReadFd) => GlueMode::Pipe,
            (i, o) if fd(i) && fd(o) => GlueMode::FdToFd,
            (i, PushBuffer) if fd(i) => GlueMode::FdToPush,
            (i, PushBufferStatic) if fd(i) => GlueMode::FdToPushStatic,
            (i, PullBuffer) if fd(i) => GlueMode::FdToPull,
            (i, PullBufferStatic) if fd(i) => GlueMode::FdToPullStatic,
            (PushBuffer, o) if fd(o) => GlueMode::PushToFd,
            (PushBufferStatic, o) if fd(o) => GlueMode::PushStaticToFd,
            (PushBuffer, PullBuffer) => GlueMode::Queue,
            (PushBufferStatic, PullBufferStatic) => GlueMode::QueueStatic,
            (PullBuffer, o) if fd(o) => GlueMode::PullToFd,
            (PullBufferStatic, o) if fd(o) => GlueMode::PullStaticToFd,
            (PullBuffer, PushBuffer) => GlueMode::PullToPush,
            (PullBufferStatic, PushBufferStatic) => GlueMode::PullStaticToPushStatic,
            _ => return None,
        })
    }

    /// Whether the mode runs a thread of its own.
    pub fn has_thread(self) -> bool {
        matches!(
            self,
            GlueMode::FdToFd
                | GlueMode::FdToPush
                | GlueMode::FdToPushStatic
                | GlueMode::PullToFd
                | GlueMode::PullStaticToFd
                | GlueMode::PullToPush
                | GlueMode::PullStaticToPushStatic
        )
    }
}
