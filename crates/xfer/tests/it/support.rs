//! What the runtime tests share: independent models of the expected bytes,
//! the protocol check every transfer must pass, chain runners, and bounded
//! waits: every wait on a transfer, a channel or a helper thread gives up
//! after [`WATCHDOG`] and fails naming what it waited for and what it saw.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{BufferDest, BufferHandle};
use reelcheck_xfer::mech::{Mech, MechPair};
use reelcheck_xfer::msg::{Msg, MsgKind};
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Status, Summary, Xfer, XferConfig};

/// Generous watchdog: only turns a hang into a failure.
pub const WATCHDOG: Duration = Duration::from_secs(60);
/// The tables most tests link with.
pub const V35: TableVersion = TableVersion::V3_5;

// ---------------------------------------------------------------- models

/// splitmix64 stream, little-endian words (independent of the crate's code).
pub fn model_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Bitwise CRC32 (IEEE 802.3, reflected, as zlib).
pub fn model_crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0xedb8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// `data` with every byte xored with `key`.
pub fn xored(data: &[u8], key: u8) -> Vec<u8> {
    data.iter().map(|b| b ^ key).collect()
}

// ---------------------------------------------------------------- bounded waits

/// Waits for `x`'s DONE (it must be started) and returns its summary.
/// Collects the live message stream meanwhile; if no DONE comes within the
/// watchdog, abandons the transfer's threads and fails naming `what` and the
/// messages seen so far.
pub fn wait_done(x: Xfer, what: &str) -> Summary {
    let deadline = Instant::now() + WATCHDOG;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match x.messages().recv_timeout(left) {
            Ok(m) => {
                let done = m.kind == MsgKind::Done;
                seen.push(m);
                if done {
                    break;
                }
            }
            // The dispatcher ended without a DONE on the live stream: the
            // summary (and check_protocol) tell what happened.
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => {
                // Leave the stuck threads behind rather than hang in Drop.
                let _ = x.wait_timeout(Duration::ZERO);
                panic!(
                    "gave up after {} s waiting for {what} to finish; messages seen: {}",
                    WATCHDOG.as_secs(),
                    render(&seen)
                );
            }
        }
    }
    let left = deadline.saturating_duration_since(Instant::now());
    match x.wait_timeout(left.max(Duration::from_secs(1))) {
        Ok(s) => s,
        Err(e) => panic!(
            "{what}: DONE arrived but its threads were not joined in time ({e}); messages seen: {}",
            render(&seen)
        ),
    }
}

/// Receives one message from `rx` within the watchdog, or fails naming `what`.
pub fn recv_within<T>(rx: &Receiver<T>, what: &str) -> T {
    match rx.recv_timeout(WATCHDOG) {
        Ok(v) => v,
        Err(e) => panic!("gave up waiting {} s for {what}: {e}", WATCHDOG.as_secs()),
    }
}

/// A helper thread whose result is awaited with the watchdog.
pub struct Helper<T> {
    what: String,
    result: Receiver<T>,
    handle: JoinHandle<()>,
}

impl<T: Send + 'static> Helper<T> {
    /// Runs `work` on a thread of its own, named by `what` in failures.
    pub fn spawn(what: &str, work: impl FnOnce() -> T + Send + 'static) -> Helper<T> {
        let (tx, result) = mpsc::channel();
        let handle = std::thread::spawn(move || {
            let _ = tx.send(work());
        });
        Helper {
            what: what.to_string(),
            result,
            handle,
        }
    }

    /// The thread's result, within the watchdog; fails naming the helper if
    /// it hangs or panics.
    pub fn wait(self) -> T {
        match self.result.recv_timeout(WATCHDOG) {
            Ok(v) => {
                // It has sent its result: joining returns at once.
                self.handle
                    .join()
                    .expect("helper thread ends after its result");
                v
            }
            Err(RecvTimeoutError::Disconnected) => {
                panic!("{} panicked before giving its result", self.what)
            }
            Err(RecvTimeoutError::Timeout) => panic!(
                "gave up after {} s waiting for {}",
                WATCHDOG.as_secs(),
                self.what
            ),
        }
    }
}

/// Runs `work` on a helper thread and waits for it within the watchdog
/// (for calls that block, such as dropping a running transfer).
pub fn within<T: Send + 'static>(what: &str, work: impl FnOnce() -> T + Send + 'static) -> T {
    Helper::spawn(what, work).wait()
}

// ---------------------------------------------------------------- runners and checks

/// Checks the protocol every transfer must obey and that nothing leaked.
pub fn check_protocol(s: &Summary) {
    assert!(s.leaks.is_clean(), "leaked: {}", s.leaks);
    let dones = s
        .messages
        .iter()
        .filter(|m| m.kind == MsgKind::Done)
        .count();
    assert_eq!(dones, 1, "exactly one DONE: {}", render(&s.messages));
    assert_eq!(
        s.messages.last().map(|m| &m.kind),
        Some(&MsgKind::Done),
        "DONE is last"
    );
    let cancels = s
        .messages
        .iter()
        .filter(|m| m.kind == MsgKind::Cancel)
        .count();
    assert!(cancels <= 1, "at most one CANCEL: {}", render(&s.messages));
    if !s.errors.is_empty() {
        let first_err = s
            .messages
            .iter()
            .position(|m| matches!(m.kind, MsgKind::Error(_)));
        let cancel = s.messages.iter().position(|m| m.kind == MsgKind::Cancel);
        assert!(
            cancel.is_some() && first_err < cancel,
            "ERROR then CANCEL: {}",
            render(&s.messages)
        );
        assert_eq!(s.status, Status::Failed);
    }
}

/// The messages as one line each, joined by ` | ` (`none` if there are none).
pub fn render(msgs: &[Msg]) -> String {
    if msgs.is_empty() {
        return "none".to_string();
    }
    msgs.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Starts `x`, waits for it within the watchdog and checks the protocol.
pub fn finish(mut x: Xfer) -> Summary {
    x.start().expect("starts");
    let s = wait_done(x, "the transfer");
    check_protocol(&s);
    s
}

/// Links `chain` with the 3.5 tables and runs it with `config`.
pub fn run_linked(chain: Vec<Box<dyn Element>>, config: XferConfig) -> Summary {
    finish(Xfer::linked(chain, V35, config).expect("links"))
}

/// Links and runs `chain` with the default configuration.
pub fn run_default(chain: Vec<Box<dyn Element>>) -> Summary {
    run_linked(chain, XferConfig::default())
}

/// Asserts the transfer ended [`Status::Done`], printing its messages if not.
pub fn assert_done(s: &Summary) {
    assert_eq!(s.status, Status::Done, "{}", render(&s.messages));
}

/// Writes `data` to `dir/name` and returns the path.
pub fn write_file(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write input file");
    p
}

/// Fails with an install hint if `program` is not on `PATH`.
pub fn require(program: &str, package: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()));
    assert!(found, "`{program}` not found: apt-get install {package}");
}

/// A `buffer` destination and its handle.
pub fn buffer() -> (Box<dyn Element>, BufferHandle) {
    let (b, h) = BufferDest::new();
    (Box::new(b), h)
}

/// A mechanism pair with zero costs (for hand-made linkages).
pub fn pair(input: Mech, output: Mech) -> MechPair {
    MechPair::new(input, output, 0, 0, 0)
}

// ---------------------------------------------------------------- pipes

/// A pipe whose write end a helper thread fills with `data`, then closes.
pub fn feeding_pipe(data: Vec<u8>) -> (std::os::fd::OwnedFd, Helper<()>) {
    use std::io::Write;
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let t = Helper::spawn("the thread feeding the input pipe", move || {
        let mut f = std::fs::File::from(w);
        // The reader may stop early when a test cancels; that is not an error here.
        let _ = f.write_all(&data);
    });
    (r, t)
}

/// A pipe whose read end a helper thread drains into a vector.
pub fn draining_pipe() -> (std::os::fd::OwnedFd, Helper<Vec<u8>>) {
    use std::io::Read;
    let (r, w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).expect("pipe");
    let t = Helper::spawn("the thread draining the output pipe", move || {
        let mut out = Vec::new();
        std::fs::File::from(r)
            .read_to_end(&mut out)
            .expect("read pipe");
        out
    });
    (w, t)
}
