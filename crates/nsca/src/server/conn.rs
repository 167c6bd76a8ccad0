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
use crate::codec::{CheckResult, IV_LEN};
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
    mut reader: R,
    mut writer_half: W,
    peer: Option<SocketAddr>,
    ctx: ConnContext,
) where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let emit = |e: ServerEvent| (ctx.events)(e);
    emit(ServerEvent::ConnectionOpened { peer });
    let settings = &ctx.settings;

    let mut iv = [0u8; IV_LEN];
    if let Err(e) = getrandom::fill(&mut iv) {
        // Never fall back to a predictable IV.
        emit(ServerEvent::InitFailed {
            peer,
            error: format!("no random IV: {e}"),
        });
        return;
    }
    let now32 = unix_now() as u32;
    let default = Credential::new(settings.method.number(), settings.password.clone());
    let peer_ip = peer.map(|p| p.ip());
    // With an authz file the credential is found by trial decryption.
    let candidates: Option<Vec<Credential>> = settings
        .authz
        .as_ref()
        .map(|a| a.candidates(peer_ip, &default));
    let mut session = match &candidates {
        None => ServerSession::new(settings.method, &settings.password, iv, now32),
        Some(list) => ServerSession::with_candidates(
            list.iter()
                .filter_map(|c| {
                    Method::from_number(i64::from(c.method))
                        .ok()
                        .map(|m| (m, c.password.clone()))
                })
                .collect(),
            iv,
            now32,
        ),
    };
    // Candidates whose method cannot be used were left out above; keep indices aligned.
    let usable: Vec<Credential> = candidates
        .as_ref()
        .map(|list| {
            list.iter()
                .filter(|c| Method::from_number(i64::from(c.method)).is_ok())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut identified: Option<Credential> = if candidates.is_none() {
        Some(default.clone())
    } else {
        None
    };

    if let Some(init) = session.poll_transmit() {
        let sent = tokio::time::timeout(ctx.read_timeout, async {
            writer_half.write_all(&init).await?;
            writer_half.flush().await
        })
        .await;
        let error = match sent {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("timed out".to_owned()),
        };
        if let Some(error) = error {
            emit(ServerEvent::InitFailed { peer, error });
            return;
        }
    }

    let mut shutdown = ctx.shutdown.clone();
    let mut buf = vec![0u8; READ_CHUNK];
    let mut results = 0u64;
    let mut deadline = Instant::now() + ctx.read_timeout;
    let mut io_error = false;
    // Bounded by the peer: every iteration reads bytes, or ends the connection
    // (EOF, error, timeout that closes), or accepts one legacy packet after a timeout
    // (which needs 720 new bytes before it can happen again).
    loop {
        let before = (session.buffered(), session.accepted());
        tokio::select! {
            read = reader.read(&mut buf) => match read {
                Ok(0) => session.handle_read_end(ReadEnd::Eof),
                Ok(n) => session.handle_data(buf.get(..n).unwrap_or_default()),
                Err(_) => {
                    io_error = true;
                    session.handle_read_end(ReadEnd::Eof);
                }
            },
            () = tokio::time::sleep_until(deadline) => {
                session.handle_read_end(ReadEnd::Timeout);
                deadline = Instant::now() + ctx.read_timeout;
            }
            changed = shutdown.changed() => {
                if changed.is_err() || *shutdown.borrow() {
                    emit(ServerEvent::ConnectionClosed {
                        peer,
                        reason: CloseReason::Shutdown,
                        results,
                        discarded: session.buffered(),
                    });
                    return;
                }
            }
        }
        // A new packet starts its own read timer: when the previous one completed, or
        // when the first byte of a packet arrived on an idle connection.
        let after = (session.buffered(), session.accepted());
        if after.1 != before.1 || (before.0 == 0 && after.0 > 0) {
            deadline = Instant::now() + ctx.read_timeout;
        }
        // Lines of this read's results go to the writer as one job.
        let mut lines = LineBatch::default();
        while let Some(event) = session.poll_event() {
            match event {
                SessionEvent::Identified { candidate } => {
                    identified = usable.get(candidate).cloned();
                }
                SessionEvent::Accepted { decoded, .. } => {
                    let result = decoded.result;
                    if let Some(max) = settings.max_packet_age {
                        let age = i64::from(unix_now() as u32) - i64::from(decoded.timestamp);
                        if max > 0 && age.unsigned_abs() > u64::from(max) {
                            emit(ServerEvent::PacketRejected {
                                peer,
                                reason: RejectReason::StaleTimestamp { age },
                                host: Some(result.host.clone()),
                            });
                            lines.submit(&ctx, &mut shutdown).await;
                            emit(ServerEvent::ConnectionClosed {
                                peer,
                                reason: CloseReason::Rejected,
                                results,
                                discarded: 0,
                            });
                            return;
                        }
                    }
                    if let Some(authz) = &settings.authz {
                        let creds: Vec<Credential> = identified.iter().cloned().collect();
                        let decision = authz.decide(&Query {
                            peer: peer_ip,
                            credentials: &creds,
                            host: cmdfile::cut_at_newline(&result.host),
                            service: cmdfile::cut_at_newline(&result.service),
                        });
                        if decision.action == Action::Deny {
                            emit(ServerEvent::ResultDenied {
                                peer,
                                host: result.host.clone(),
                                service: result.service.clone(),
                                decision,
                            });
                            continue;
                        }
                    }
                    if settings.strict_mode_spoofing
                        && !host_matches_peer(cmdfile::cut_at_newline(&result.host), peer).await
                    {
                        emit(ServerEvent::StrictModeDropped {
                            peer,
                            host: result.host.clone(),
                        });
                        continue;
                    }
                    let now = unix_now();
                    let submitted = if settings.writer.check_result_path.is_some() {
                        // Keep the order: earlier lines first, then this file.
                        lines.submit(&ctx, &mut shutdown).await
                            && hand_over(
                                &ctx,
                                &mut shutdown,
                                checkresult_job(settings, &result, now),
                            )
                            .await
                    } else {
                        cmdfile::write_command_line(&mut lines.bytes, &result, now);
                        lines.count += 1;
                        true
                    };
                    emit(ServerEvent::ResultAccepted {
                        peer,
                        host: result.host,
                        service: result.service,
                        return_code: result.return_code,
                        output: result.output,
                    });
                    results += 1;
                    if !submitted {
                        // The writer only stops after shutdown; nothing more can be kept.
                        emit(ServerEvent::ConnectionClosed {
                            peer,
                            reason: CloseReason::Shutdown,
                            results,
                            discarded: 0,
                        });
                        return;
                    }
                }
                SessionEvent::Rejected { error, .. } => {
                    let reason = match (&error, &candidates) {
                        (_, Some(_)) if identified.is_none() => RejectReason::NoCredential,
                        (DecodeError::BadCrc { .. }, _) => RejectReason::BadCrc,
                        _ => RejectReason::BadVersion,
                    };
                    emit(ServerEvent::PacketRejected {
                        peer,
                        reason,
                        host: None,
                    });
                }
                SessionEvent::Closed { reason, .. } => {
                    lines.submit(&ctx, &mut shutdown).await;
                    let (reason, discarded) = match reason {
                        SessionEnd::Eof { leftover } if io_error => {
                            (CloseReason::IoError, leftover)
                        }
                        SessionEnd::Eof { leftover } => (CloseReason::Eof, leftover),
                        SessionEnd::Timeout { leftover } => (CloseReason::Timeout, leftover),
                        SessionEnd::BadPacket => (CloseReason::Rejected, 0),
                    };
                    emit(ServerEvent::ConnectionClosed {
                        peer,
                        reason,
                        results,
                        discarded,
                    });
                    let _ = writer_half.shutdown().await;
                    return;
                }
            }
        }
        if !lines.submit(&ctx, &mut shutdown).await {
            emit(ServerEvent::ConnectionClosed {
                peer,
                reason: CloseReason::Shutdown,
                results,
                discarded: 0,
            });
            return;
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
