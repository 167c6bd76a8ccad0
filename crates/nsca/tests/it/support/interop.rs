//! Running the real Debian programs (`/usr/sbin/nsca`, `/usr/sbin/send_nsca`) next to ours.
//!
//! A missing binary fails the test with the command that installs it: these tests
//! must really run, in CI and by hand.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use nix::sys::socket::{AddressFamily, SockFlag, SockType, socketpair};
use reelcheck_nsca::cipher::{CipherState, Method};
use reelcheck_nsca::codec::{self, CheckResult, Filler, INIT_PACKET_LEN, InitPacket, PacketSize};

use super::server::fix_crc;

/// The C daemon.
pub const NSCA: &str = "/usr/sbin/nsca";
/// The C client.
pub const SEND_NSCA: &str = "/usr/sbin/send_nsca";

/// The release of nsca and send_nsca these differentials were verified against.
pub const NSCA_VERSION: &str = "2.10.2";

/// The path of a Debian binary, or a test failure saying how to install it; also
/// fails when the installed program is not [`NSCA_VERSION`] (its `-h` banner says),
/// since a comparison with another release would not say what it claims.
pub fn require(bin: &str) -> PathBuf {
    let path = PathBuf::from(bin);
    assert!(
        path.exists(),
        "{bin} is missing: run `apt-get install nsca nsca-client` (Debian packages nsca and nsca-client {NSCA_VERSION})"
    );
    let out = Command::new(&path).arg("-h").output().expect("run -h");
    let banner = String::from_utf8_lossy(&out.stdout);
    let version = banner
        .lines()
        .find_map(|l| {
            l.strip_prefix("Version: ")
                .or_else(|| l.strip_prefix("NSCA Client "))
        })
        .unwrap_or("(no version in its -h banner)")
        .trim();
    assert_eq!(
        version, NSCA_VERSION,
        "{bin} is version {version:?}; these tests compare with {NSCA_VERSION}"
    );
    path
}

/// One thing the test client does on a connection, independent of the server's IV.
#[derive(Clone, Debug)]
pub enum Step {
    /// A packet carrying `result`, encrypted with the continuing cipher state.
    Packet {
        /// The result.
        result: CheckResult,
        /// 4304 or 720 bytes.
        size: PacketSize,
        /// Timestamp relative to the init packet's (seconds).
        ts_offset: i64,
        /// Edit the plaintext after encoding (before encryption).
        edit: Edit,
    },
    /// The next packets use a fresh cipher state (a broken client).
    ResetCipher,
    /// The first `n` bytes of a packet carrying `result`.
    Truncated {
        /// The result.
        result: CheckResult,
        /// Bytes sent.
        n: usize,
    },
}

/// A change to a plaintext packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// None.
    None,
    /// Flip a bit of the output field without fixing the CRC.
    BreakCrc,
    /// Set the version to this value and fix the CRC.
    Version(i16),
    /// Fill host, service and output to the end without NULs, then fix the CRC.
    FillFields,
    /// Use send_nsca's printable filler instead of zeros.
    PrintableFiller,
    /// Set the timestamp to an absolute value.
    AbsoluteTimestamp(u32),
}

/// A packet step with no edit.
pub fn packet(result: CheckResult) -> Step {
    Step::Packet {
        result,
        size: PacketSize::V3,
        ts_offset: 0,
        edit: Edit::None,
    }
}

/// The client's bytes for `steps` after receiving `init`.
pub fn client_bytes(
    init: &[u8; INIT_PACKET_LEN],
    method: Method,
    password: &[u8],
    steps: &[Step],
) -> Vec<u8> {
    let init = InitPacket::decode(init).expect("init packet");
    let mut cipher = CipherState::new(method, password, &init.iv);
    let mut out = Vec::new();
    let mut rng_state = 0x2545_f491_4f6c_dd1du64;
    for step in steps {
        match step {
            Step::ResetCipher => cipher = CipherState::new(method, password, &init.iv),
            Step::Truncated { result, n } => {
                let mut p =
                    codec::encode_packet(result, PacketSize::V3, init.timestamp, &mut Filler::Zero);
                p.truncate(*n);
                cipher.encrypt(&mut p, 0);
                out.extend_from_slice(&p);
            }
            Step::Packet {
                result,
                size,
                ts_offset,
                edit,
            } => {
                let ts = (i64::from(init.timestamp) + ts_offset) as u32;
                let mut rng = SplitMix(&mut rng_state);
                let mut filler = match edit {
                    Edit::PrintableFiller => Filler::Printable(&mut rng),
                    _ => Filler::Zero,
                };
                let mut p = codec::encode_packet(result, *size, ts, &mut filler);
                match edit {
                    Edit::BreakCrc => p[300] ^= 1,
                    Edit::Version(v) => {
                        p[0..2].copy_from_slice(&v.to_be_bytes());
                        fix_crc(&mut p);
                    }
                    Edit::FillFields => {
                        let end = p.len() - 2;
                        p[14..78].fill(b'H');
                        p[78..206].fill(b'S');
                        p[206..end].fill(b'O');
                        fix_crc(&mut p);
                    }
                    Edit::AbsoluteTimestamp(t) => {
                        p[8..12].copy_from_slice(&t.to_be_bytes());
                        fix_crc(&mut p);
                    }
                    Edit::None | Edit::PrintableFiller => {}
                }
                cipher.encrypt(&mut p, 0);
                out.extend_from_slice(&p);
            }
        }
    }
    out
}

/// A tiny deterministic RNG for filler bytes.
struct SplitMix<'a>(&'a mut u64);

impl rand_chacha::rand_core::TryRng for SplitMix<'_> {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        *self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = *self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Ok(z ^ (z >> 31))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            *b = self.try_next_u64()? as u8;
        }
        Ok(())
    }
}

/// Writes an nsca.cfg usable by both daemons into `dir` (command file created empty).
pub fn server_config(dir: &Path, method: u8, password: &str) -> (PathBuf, PathBuf) {
    let cmd = dir.join("nagios.cmd");
    std::fs::write(&cmd, b"").expect("command file");
    let cfg = dir.join("nsca.cfg");
    std::fs::write(
        &cfg,
        format!(
            "server_port=5667\ncommand_file={}\nalternate_dump_file={}\naggregate_writes=0\nappend_to_file=1\nmax_packet_age=30\ndebug=0\npassword={password}\ndecryption_method={method}\n",
            cmd.display(),
            dir.join("dump.txt").display()
        ),
    )
    .expect("nsca.cfg");
    (cfg, cmd)
}

/// Plays the client on `stream`: read the init packet, send what `make` returns, close
/// the write side, wait until the server closes.
fn play(mut stream: UnixStream, make: &dyn Fn(&[u8; INIT_PACKET_LEN]) -> Vec<u8>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .expect("timeout");
    let mut init = [0u8; INIT_PACKET_LEN];
    stream
        .read_exact(&mut init)
        .expect("init packet from server");
    let bytes = make(&init);
    // The server may close early (bad packet): later bytes may fail to send.
    let _ = stream.write_all(&bytes);
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let mut rest = Vec::new();
    let _ = stream.read_to_end(&mut rest);
    assert!(
        rest.is_empty(),
        "a server never sends anything after the init packet"
    );
}

/// A connected pair of Unix stream sockets: the test's end and the server's.
fn connected_pair() -> (OwnedFd, OwnedFd) {
    socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )
    .expect("socketpair")
}

/// Runs the C daemon with `--inetd` on a socketpair; returns its command-file bytes.
pub fn run_c_daemon(
    dir: &Path,
    method: u8,
    password: &str,
    make: &dyn Fn(&[u8; INIT_PACKET_LEN]) -> Vec<u8>,
) -> Vec<u8> {
    let nsca = require(NSCA);
    let (cfg, cmd) = server_config(dir, method, password);
    let (ours, theirs) = connected_pair();
    let theirs_out = theirs.try_clone().expect("dup");
    let mut child = Command::new(nsca)
        .arg("-c")
        .arg(&cfg)
        .arg("--inetd")
        .stdin(Stdio::from(theirs))
        .stdout(Stdio::from(theirs_out))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn nsca");
    play(UnixStream::from(ours), make);
    let status = child.wait().expect("reap nsca");
    // nsca 2.10 in inetd mode handles one connection and exits 0 (nsca.c `main`:
    // `handle_connection(0)` then `do_exit(STATE_OK)`), whatever the client sent.
    assert_eq!(
        status.code(),
        Some(0),
        "nsca --inetd exited with {status:?}"
    );
    std::fs::read(&cmd).expect("command file")
}

/// Runs our server's inetd mode on a socketpair; returns its command-file bytes.
pub fn run_ours(
    dir: &Path,
    method: u8,
    password: &str,
    make: &dyn Fn(&[u8; INIT_PACKET_LEN]) -> Vec<u8>,
) -> Vec<u8> {
    let (cfg, cmd) = server_config(dir, method, password);
    let (ours, theirs) = connected_pair();
    let mut options = reelcheck_nsca::server::ServeOptions::new(cfg);
    options.spool = Some(dir.join("spool"));
    options.log = reelcheck_nsca::server::log::LogTarget::Silent;
    let server = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(reelcheck_nsca::server::run_inetd(
            &options, theirs, None, None,
        ))
    });
    play(UnixStream::from(ours), make);
    server.join().expect("server thread").expect("inetd run");
    std::fs::read(&cmd).expect("command file")
}
