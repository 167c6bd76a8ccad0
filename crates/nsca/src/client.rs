//! The blocking NSCA client (IO shell around [`ClientSession`]), with send_nsca's timing.
//!
//! One deadline bounds the whole run, like send_nsca's single `alarm(-to)`: resolving and
//! connecting, reading the init packet, and sending every packet.
//! [`Client::connect`] opens the connection and reads the init packet;
//! [`Client::start`] picks the cipher; [`Sender::send`] writes one packet per result on the
//! same connection.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the client shell: a blocking TCP socket and a deadline on the monotonic clock"
)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::cipher::Method;
use crate::codec::{CheckResult, Filler, INIT_PACKET_LEN, InitPacket, PacketSize};
use crate::error::ClientError;
use crate::session::ClientSession;

/// Default NSCA port.
pub const DEFAULT_PORT: u16 = 5667;
/// send_nsca's default `-to`, in seconds.
pub const DEFAULT_TIMEOUT_SECS: u32 = 10;

/// An open connection whose init packet has arrived.
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    init: InitPacket,
    deadline: Instant,
    timeout_secs: u32,
}

fn remaining(deadline: Instant, timeout_secs: u32) -> Result<Duration, ClientError> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(ClientError::Timeout {
            seconds: timeout_secs,
        })
    } else {
        Ok(left)
    }
}

fn is_timeout(e: &std::io::Error) -> bool {
    matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

impl Client {
    /// Connects to `host`:`port` (names, IPv4 or IPv6 literals; the first address found is
    /// used, as send_nsca does) and reads the 132-byte init packet, all within `timeout_secs`.
    pub fn connect(host: &str, port: u16, timeout_secs: u32) -> Result<Self, ClientError> {
        let deadline = Instant::now() + Duration::from_secs(u64::from(timeout_secs.max(1)));
        let addr: SocketAddr = (host, port)
            .to_socket_addrs()
            .ok()
            .and_then(|mut a| a.next())
            .ok_or_else(|| ClientError::Lookup {
                host: host.to_string(),
                port,
            })?;
        let left = remaining(deadline, timeout_secs)?;
        let stream = TcpStream::connect_timeout(&addr, left).map_err(|e| {
            if is_timeout(&e) && Instant::now() >= deadline {
                return ClientError::Timeout {
                    seconds: timeout_secs,
                };
            }
            let reason = match e.kind() {
                ErrorKind::ConnectionRefused => "Connection refused by host",
                ErrorKind::TimedOut => "Timeout while attempting connection",
                ErrorKind::NetworkUnreachable => "Network is unreachable",
                _ => "Connection refused or timed out",
            };
            ClientError::Connect {
                host: host.to_string(),
                port,
                reason,
            }
        })?;
        let mut client = Self {
            stream,
            init: InitPacket {
                iv: [0; 128],
                timestamp: 0,
            },
            deadline,
            timeout_secs,
        };
        client.init = client.read_init()?;
        Ok(client)
    }

    fn read_init(&mut self) -> Result<InitPacket, ClientError> {
        let mut buf = [0u8; INIT_PACKET_LEN];
        let mut got = 0;
        while got < INIT_PACKET_LEN {
            let left = remaining(self.deadline, self.timeout_secs)?;
            // set_read_timeout rejects zero; `left` is never zero here.
            let _ = self.stream.set_read_timeout(Some(left));
            match self.stream.read(&mut buf[got..]) {
                Ok(0) => return Err(ClientError::ClosedBeforeInit { received: got }),
                Ok(n) => got += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => {
                    return Err(ClientError::Timeout {
                        seconds: self.timeout_secs,
                    });
                }
                Err(_) => return Err(ClientError::ClosedBeforeInit { received: got }),
            }
        }
        InitPacket::decode(&buf).map_err(|_| ClientError::ClosedBeforeInit { received: got })
    }

    /// The init packet the server sent.
    pub fn init_packet(&self) -> &InitPacket {
        &self.init
    }

    /// True once the run's deadline has passed.
    pub fn timed_out(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// The timeout error of this run (what send_nsca's alarm prints).
    pub fn timeout_error(&self) -> ClientError {
        ClientError::Timeout {
            seconds: self.timeout_secs,
        }
    }

    /// Starts sending with the cipher method `method` (a number, as in send_nsca.cfg) and
    /// `password`; fails like send_nsca's `encrypt_init` for a method that cannot be used.
    pub fn start(
        self,
        method: i64,
        password: &[u8],
        size: PacketSize,
    ) -> Result<Sender, ClientError> {
        let method = Method::from_number(method).map_err(ClientError::Method)?;
        let mut session = ClientSession::new(method, password, size);
        let init = self.init.encode();
        session.handle_init_bytes(&init);
        debug_assert!(session.is_ready());
        Ok(Sender {
            client: self,
            session,
            sent: 0,
        })
    }
}

/// A connection ready to send packets.
#[derive(Debug)]
pub struct Sender {
    client: Client,
    session: ClientSession,
    sent: usize,
}

impl Sender {
    /// Encodes, encrypts and writes one packet carrying `result`.
    pub fn send(
        &mut self,
        result: &CheckResult,
        filler: &mut Filler<'_>,
    ) -> Result<(), ClientError> {
        let bytes = match self.session.encode(result, filler) {
            Ok(b) => b,
            Err(_) => unreachable!("session is ready once started"),
        };
        let mut written = 0;
        while written < bytes.len() {
            let left = remaining(self.client.deadline, self.client.timeout_secs)?;
            let _ = self.client.stream.set_write_timeout(Some(left));
            match self.client.stream.write(&bytes[written..]) {
                Ok(0) => {
                    return Err(ClientError::Send {
                        packet: self.sent + 1,
                        source: ErrorKind::WriteZero.into(),
                    });
                }
                Ok(n) => written += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) if is_timeout(&e) => return Err(self.client.timeout_error()),
                Err(source) => {
                    return Err(ClientError::Send {
                        packet: self.sent + 1,
                        source,
                    });
                }
            }
        }
        self.sent += 1;
        Ok(())
    }

    /// Packets written so far.
    pub fn sent(&self) -> usize {
        self.sent
    }

    /// The underlying connection (deadline, init packet).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Closes the connection; returns the number of packets sent.
    pub fn finish(self) -> usize {
        let _ = self.client.stream.shutdown(std::net::Shutdown::Both);
        self.sent
    }
}

/// Where and how to send: the settings of one send_nsca run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    /// Server host name or address.
    pub host: String,
    /// Server port.
    pub port: u16,
    /// Whole-run timeout in seconds (`-to`).
    pub timeout_secs: u32,
    /// Encryption method number (send_nsca.cfg `encryption_method`).
    pub method: i64,
    /// Password (send_nsca.cfg `password`).
    pub password: Vec<u8>,
    /// Packet format (legacy with `--legacy-2-7-mode`).
    pub packet_size: PacketSize,
}

/// Connects, sends every result on one connection and closes: the library form of send_nsca.
pub fn send_results(
    options: &ClientOptions,
    results: &[CheckResult],
    filler: &mut Filler<'_>,
) -> Result<usize, ClientError> {
    let client = Client::connect(&options.host, options.port, options.timeout_secs)?;
    let mut sender = client.start(options.method, &options.password, options.packet_size)?;
    for r in results {
        sender.send(r, filler)?;
    }
    Ok(sender.finish())
}
