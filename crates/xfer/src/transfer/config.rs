//! How a transfer runs: buffer sizes and the fault hooks, as plain
//! serialisable data (a fault plan embeds [`Faults`]).

use serde::{Deserialize, Serialize};

/// Glue's default buffer size (Amanda's `GLUE_BUFFER_SIZE`).
pub const DEFAULT_BUFFER_SIZE: usize = 32 * 1024;
/// Default bytes per syscall for glue threads' fd IO.
pub const DEFAULT_IO_CHUNK: usize = 128 * 1024;
/// Pipe buffer size glue asks for with `F_SETPIPE_SZ`.
pub const DEFAULT_PIPE_SIZE: usize = 1024 * 1024;

/// Fault hooks of one transfer; plain data so a fault plan can embed them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Faults {
    /// Largest chunk any fd read or static pull asks for (short reads).
    pub max_read: Option<usize>,
    /// Largest chunk any fd write or push delivers at once (short writes).
    pub max_write: Option<usize>,
    /// Fail the named element when byte `byte` (0-based) reaches it.
    pub error_at: Option<ErrorAt>,
    /// Cancel the transfer (as from outside) once any element has received this many bytes.
    pub cancel_after: Option<u64>,
}

/// Where [`Faults::error_at`] strikes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorAt {
    /// Element name (`xor`, every element so named) or `name[index]` (one element).
    pub element: String,
    /// 0-based offset of the byte whose arrival triggers the error.
    pub byte: u64,
}

/// How a transfer runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct XferConfig {
    /// Buffer size for glue and sources (default 32 KiB).
    pub buffer_size: usize,
    /// Bytes a glue thread moves per syscall on its fd side, and so the size of
    /// the buffers it reads from an fd and pushes (default 128 KiB; at least `buffer_size`).
    pub io_chunk: usize,
    /// Pipe buffer size for pipes glue creates (default 1 MiB; refused sizes fall back silently).
    pub pipe_size: usize,
    /// Fault hooks.
    pub faults: Faults,
}

impl Default for XferConfig {
    fn default() -> Self {
        XferConfig {
            buffer_size: DEFAULT_BUFFER_SIZE,
            io_chunk: DEFAULT_IO_CHUNK,
            pipe_size: DEFAULT_PIPE_SIZE,
            faults: Faults::default(),
        }
    }
}
