//! One client connection: the IO shell around [`crate::session::ServerSession`].
//!
//! The shell sends the init packet (IV from the operating system's CSPRNG, the
//! server's clock), feeds every chunk read to the session, and turns the session's
//! events into writer jobs and [`ServerEvent`]s.
//!
//! Timing: a packet's read starts with its first byte and must complete within the
//! read timeout (10 s, as nsca); when it does not, the session gets
//! [`ReadEnd::Timeout`] (which accepts a lone 720-byte legacy packet and keeps the
//! connection open, or closes it).
//! An idle connection (no byte of a next packet) is closed after the same timeout,
//! as nsca does in `--daemon` and `--inetd` modes; its `--single` mode would keep it
//! open forever (a deliberate difference).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;
use tokio::time::Instant;

use super::events::{CloseReason, EventFn, RejectReason, ServerEvent};
use super::settings::Settings;
use super::writer::{self, Job, WriterHandle};
use crate::authz::{Action, Credential, Query};
use crate::cipher::Method;
use crate::clock::unix_now;
use crate::cmdfile;
use crate::codec::{CheckResult, DecodedPacket, IV_LEN};
use crate::error::DecodeError;
use crate::session::{ReadEnd, ServerSession, SessionEnd, SessionEvent};

/// Size of one socket read.
const READ_CHUNK: usize = 64 * 1024;

/// What a connection needs from the server.
#[derive(Clone)]
pub(crate) struct ConnContext {
    /// The configuration in force when the connection was accepted.
    pub settings: Arc<Settings>,
    /// The command-file writer.
    pub writer: WriterHandle,
    /// Event sink (logger and observer).
    pub events: EventFn,
    /// Read timeout per packet, and idle timeout.
    pub read_timeout: Duration,
    /// Becomes `true` when the server shuts down.
    pub shutdown: watch::Receiver<bool>,
}

/// Handles one connection to the end.
pub(crate) async fn handle<R, W>(
    reader: R,
    mut writer_half: W,
    peer: Option<SocketAddr>,
    ctx: ConnContext,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    (ctx.events)(ServerEvent::ConnectionOpened { peer });
    let Some(mut conn) = Conn::open(&ctx, peer) else {
        return;
    };
    if conn.send_init(&mut writer_half).await {
        conn.serve(reader, writer_half).await;
    }
}

/// Whether a connection goes on after an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flow {
    /// Keep reading.
    Go,
    /// The connection is over (its close event is emitted).
    Stop,
}

/// One connection's state around its sans-IO session.
struct Conn<'a> {
    ctx: &'a ConnContext,
    peer: Option<SocketAddr>,
    session: ServerSession,
    /// With an authz file, the credential is found by trial decryption.
    trial: bool,
    /// The trial candidates whose method can be used, aligned with the session's list.
    usable: Vec<Credential>,
    /// The credential that decrypted the connection (the configured one without authz).
    identified: Option<Credential>,
    shutdown: watch::Receiver<bool>,
    /// Results accepted so far.
    results: u64,
    /// Whether the last read failed (reported as an IO error, not an EOF).
    io_error: bool,
}

impl<'a> Conn<'a> {
    /// Draws the IV and builds the session (with the authz candidates for `peer`).
    fn open(ctx: &'a ConnContext, peer: Option<SocketAddr>) -> Option<Self> {
        let mut iv = [0u8; IV_LEN];
        if let Err(e) = getrandom::fill(&mut iv) {
            // Never fall back to a predictable IV.
            (ctx.events)(ServerEvent::InitFailed {
                peer,
                error: format!("no random IV: {e}"),
            });
            return None;
        }
        let now32 = unix_now() as u32;
        let settings = &ctx.settings;
        let default = Credential::new(settings.method.number(), settings.password.clone());
        let candidates = settings
            .authz
            .as_ref()
            .map(|a| a.candidates(peer.map(|p| p.ip()), &default));
        let (session, usable) = match &candidates {
            None => (
                ServerSession::new(settings.method, &settings.password, iv, now32),
                Vec::new(),
            ),
            Some(list) => {
                // Candidates whose method cannot be used are left out; indices stay aligned.
                let usable: Vec<Credential> = list
                    .iter()
                    .filter(|c| Method::from_number(i64::from(c.method)).is_ok())
                    .cloned()
                    .collect();
                let ciphers = usable
                    .iter()
                    .filter_map(|c| {
                        Method::from_number(i64::from(c.method))
                            .ok()
                            .map(|m| (m, c.password.clone()))
                    })
                    .collect();
                (ServerSession::with_candidates(ciphers, iv, now32), usable)
            }
        };
        Some(Self {
            ctx,
            peer,
            session,
            trial: candidates.is_some(),
            usable,
            identified: candidates.is_none().then_some(default),
            shutdown: ctx.shutdown.clone(),
            results: 0,
            io_error: false,
        })
    }

    fn emit(&self, event: ServerEvent) {
        (self.ctx.events)(event);
    }

    /// Reports the end of the connection.
    fn closed(&self, reason: CloseReason, discarded: usize) {
        self.emit(ServerEvent::ConnectionClosed {
            peer: self.peer,
            reason,
            results: self.results,
            discarded,
        });
    }

    /// Sends the init packet within the read timeout; `false` (reported) when it fails.
    async fn send_init<W: AsyncWrite + Unpin>(&mut self, writer_half: &mut W) -> bool {
        let Some(init) = self.session.poll_transmit() else {
            return true;
        };
        let sent = tokio::time::timeout(self.ctx.read_timeout, async {
            writer_half.write_all(&init).await?;
            writer_half.flush().await
        })
        .await;
        let error = match sent {
            Ok(Ok(())) => return true,
            Ok(Err(e)) => e.to_string(),
            Err(_) => "timed out".to_owned(),
        };
        self.emit(ServerEvent::InitFailed {
            peer: self.peer,
            error,
        });
        false
    }

    /// Reads, feeds the session and acts on its events until the connection ends.
    async fn serve<R, W>(mut self, mut reader: R, mut writer_half: W)
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let mut buf = vec![0u8; READ_CHUNK];
        let mut deadline = Instant::now() + self.ctx.read_timeout;
        // Bounded by the peer: every iteration reads bytes, or ends the connection
        // (EOF, error, timeout that closes), or accepts one legacy packet after a timeout
        // (which needs 720 new bytes before it can happen again).
        loop {
            let before = (self.session.buffered(), self.session.accepted());
            tokio::select! {
                read = reader.read(&mut buf) => match read {
                    Ok(0) => self.session.handle_read_end(ReadEnd::Eof),
                    Ok(n) => self.session.handle_data(buf.get(..n).unwrap_or_default()),
                    Err(_) => {
                        self.io_error = true;
                        self.session.handle_read_end(ReadEnd::Eof);
                    }
                },
                () = tokio::time::sleep_until(deadline) => {
                    self.session.handle_read_end(ReadEnd::Timeout);
                    deadline = Instant::now() + self.ctx.read_timeout;
                }
                changed = self.shutdown.changed() => {
                    if changed.is_err() || *self.shutdown.borrow() {
                        self.closed(CloseReason::Shutdown, self.session.buffered());
                        return;
                    }
                }
            }
            // A new packet starts its own read timer: when the previous one completed, or
            // when the first byte of a packet arrived on an idle connection.
            let after = (self.session.buffered(), self.session.accepted());
            if after.1 != before.1 || (before.0 == 0 && after.0 > 0) {
                deadline = Instant::now() + self.ctx.read_timeout;
            }
            // Lines of this read's results go to the writer as one job.
            let mut lines = LineBatch::default();
            while let Some(event) = self.session.poll_event() {
                if self.on_event(event, &mut lines, &mut writer_half).await == Flow::Stop {
                    return;
                }
            }
            if !lines.submit(self.ctx, &mut self.shutdown).await {
                self.closed(CloseReason::Shutdown, 0);
                return;
            }
        }
    }

    /// Acts on one session event.
    async fn on_event<W: AsyncWrite + Unpin>(
        &mut self,
        event: SessionEvent,
        lines: &mut LineBatch,
        writer_half: &mut W,
    ) -> Flow {
        match event {
            SessionEvent::Identified { candidate } => {
                self.identified = self.usable.get(candidate).cloned();
                Flow::Go
            }
            SessionEvent::Accepted { decoded, .. } => self.on_accepted(decoded, lines).await,
            SessionEvent::Rejected { error, .. } => {
                let reason = match &error {
                    _ if self.trial && self.identified.is_none() => RejectReason::NoCredential,
                    DecodeError::BadCrc { .. } => RejectReason::BadCrc,
                    _ => RejectReason::BadVersion,
                };
                self.emit(ServerEvent::PacketRejected {
                    peer: self.peer,
                    reason,
                    host: None,
                });
                Flow::Go
            }
            SessionEvent::Closed { reason, .. } => {
                lines.submit(self.ctx, &mut self.shutdown).await;
                let (reason, discarded) = match reason {
                    SessionEnd::Eof { leftover } if self.io_error => {
                        (CloseReason::IoError, leftover)
                    }
                    SessionEnd::Eof { leftover } => (CloseReason::Eof, leftover),
                    SessionEnd::Timeout { leftover } => (CloseReason::Timeout, leftover),
                    SessionEnd::BadPacket => (CloseReason::Rejected, 0),
                };
                self.closed(reason, discarded);
                let _ = writer_half.shutdown().await;
                Flow::Stop
            }
        }
    }

    /// An accepted packet: the opt-in age check, authz, spoofing check, then the writer.
    async fn on_accepted(&mut self, decoded: DecodedPacket, lines: &mut LineBatch) -> Flow {
        let result = decoded.result;
        if let Some(age) = self.stale_age(decoded.timestamp) {
            self.emit(ServerEvent::PacketRejected {
                peer: self.peer,
                reason: RejectReason::StaleTimestamp { age },
                host: Some(result.host.clone()),
            });
            lines.submit(self.ctx, &mut self.shutdown).await;
            self.closed(CloseReason::Rejected, 0);
            return Flow::Stop;
        }
        if !self.allowed(&result) || !self.spoofing_ok(&result).await {
            return Flow::Go;
        }
        let submitted = self.queue(&result, lines).await;
        self.emit(ServerEvent::ResultAccepted {
            peer: self.peer,
            host: result.host,
            service: result.service,
            return_code: result.return_code,
            output: result.output,
        });
        self.results += 1;
        if !submitted {
            // The writer only stops after shutdown; nothing more can be kept.
            self.closed(CloseReason::Shutdown, 0);
            return Flow::Stop;
        }
        Flow::Go
    }

    /// With `--enforce-max-packet-age`: the packet's age when it is too old (or too new).
    fn stale_age(&self, timestamp: u32) -> Option<i64> {
        let max = self.ctx.settings.max_packet_age?;
        let age = i64::from(unix_now() as u32) - i64::from(timestamp);
        (max > 0 && age.unsigned_abs() > u64::from(max)).then_some(age)
    }

    /// Whether the authz rules (if any) let `result` through; a denial is reported.
    fn allowed(&self, result: &CheckResult) -> bool {
        let Some(authz) = &self.ctx.settings.authz else {
            return true;
        };
        let creds: Vec<Credential> = self.identified.iter().cloned().collect();
        let decision = authz.decide(&Query {
            peer: self.peer.map(|p| p.ip()),
            credentials: &creds,
            host: cmdfile::cut_at_newline(&result.host),
            service: cmdfile::cut_at_newline(&result.service),
        });
        if decision.action == Action::Deny {
            self.emit(ServerEvent::ResultDenied {
                peer: self.peer,
                host: result.host.clone(),
                service: result.service.clone(),
                decision,
            });
            return false;
        }
        true
    }

    /// `strict_mode_spoofing`: whether the host name resolves to the client; a drop is
    /// reported. (`&mut self`: the future stays `Send`, the session is not `Sync`.)
    async fn spoofing_ok(&mut self, result: &CheckResult) -> bool {
        if self.ctx.settings.strict_mode_spoofing
            && !host_matches_peer(cmdfile::cut_at_newline(&result.host), self.peer).await
        {
            self.emit(ServerEvent::StrictModeDropped {
                peer: self.peer,
                host: result.host.clone(),
            });
            return false;
        }
        true
    }

    /// Adds the result's command-file line to `lines`, or hands its checkresult file to
    /// the writer (after the earlier lines, to keep the order). `false` once the writer
    /// has stopped.
    async fn queue(&mut self, result: &CheckResult, lines: &mut LineBatch) -> bool {
        let now = unix_now();
        if self.ctx.settings.writer.check_result_path.is_some() {
            let job = checkresult_job(&self.ctx.settings, result, now);
            lines.submit(self.ctx, &mut self.shutdown).await
                && hand_over(self.ctx, &mut self.shutdown, job).await
        } else {
            cmdfile::write_command_line(&mut lines.bytes, result, now);
            lines.count += 1;
            true
        }
    }
}

/// Command-file lines accumulated from one read.
#[derive(Default)]
struct LineBatch {
    bytes: Vec<u8>,
    count: usize,
}

impl LineBatch {
    /// Hands the lines to the writer; `false` once the writer has stopped.
    async fn submit(&mut self, ctx: &ConnContext, shutdown: &mut watch::Receiver<bool>) -> bool {
        if self.count == 0 {
            return true;
        }
        let job = Job::Lines {
            bytes: std::mem::take(&mut self.bytes),
            count: std::mem::take(&mut self.count),
        };
        hand_over(ctx, shutdown, job).await
    }
}

/// Queues `job`; when the writer cannot take it (stopped, or stuck through the
/// shutdown grace time), its lines are logged instead of lost. `false` then.
async fn hand_over(ctx: &ConnContext, shutdown: &mut watch::Receiver<bool>, job: Job) -> bool {
    match ctx.writer.submit_unless_stuck(job, shutdown).await {
        Ok(()) => true,
        Err(job) => {
            for line in writer::job_lines(&job) {
                (ctx.events)(ServerEvent::Undelivered { line });
            }
            false
        }
    }
}

/// `strict_mode_spoofing`: whether `host` resolves to the client's address (same family).
async fn host_matches_peer(host: &[u8], peer: Option<SocketAddr>) -> bool {
    let (Some(peer), Ok(name)) = (peer, std::str::from_utf8(host)) else {
        return false;
    };
    let peer_ip = peer.ip().to_canonical();
    match tokio::net::lookup_host((name, 0)).await {
        Ok(addrs) => addrs.into_iter().any(|a| a.ip().to_canonical() == peer_ip),
        Err(_) => false,
    }
}

/// The checkresult job for an accepted result, formatted at acceptance time.
fn checkresult_job(settings: &Settings, result: &CheckResult, now: u64) -> Job {
    let line = cmdfile::command_line(result, now);
    let file = cmdfile::checkresult_file(
        result,
        i64::try_from(now).unwrap_or(i64::MAX),
        settings.utc_offset_secs,
    );
    Job::CheckResult { file, line }
}
