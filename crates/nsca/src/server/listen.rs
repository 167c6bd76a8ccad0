//! Listening sockets, bound like nsca 2.10 binds them.
//!
//! No `server_address`: one IPv6 socket on `[::]` with `IPV6_V6ONLY` off (IPv4
//! clients arrive as `::ffff:a.b.c.d`), or `0.0.0.0` when the host has no IPv6.
//! With an address (or host name): the first address it resolves to.
//! `SO_REUSEADDR` is set, as nsca sets it.

use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::os::fd::{AsFd, AsRawFd, OwnedFd};

use nix::sys::socket::{
    AddressFamily, Backlog, SockFlag, SockType, SockaddrLike, SockaddrStorage, bind, getpeername,
    getsockname, listen, setsockopt, socket, sockopt,
};

use super::error::ServerError;

fn bind_error(addr: &str, e: impl Into<std::io::Error>) -> ServerError {
    ServerError::Bind {
        addr: addr.to_owned(),
        source: e.into(),
    }
}

/// Binds one listening TCP socket on `addr` (dual-stack when it is `[::]`).
pub(crate) fn bind_one(addr: SocketAddr) -> Result<TcpListener, ServerError> {
    let text = addr.to_string();
    let family = match addr {
        SocketAddr::V4(_) => AddressFamily::Inet,
        SocketAddr::V6(_) => AddressFamily::Inet6,
    };
    let fd: OwnedFd = socket(family, SockType::Stream, SockFlag::SOCK_CLOEXEC, None)
        .map_err(|e| bind_error(&text, e))?;
    if let SocketAddr::V6(v6) = addr
        && v6.ip().is_unspecified()
    {
        setsockopt(&fd, sockopt::Ipv6V6Only, &false).map_err(|e| bind_error(&text, e))?;
    }
    setsockopt(&fd, sockopt::ReuseAddr, &true).map_err(|e| bind_error(&text, e))?;
    let storage = SockaddrStorage::from(addr);
    bind(fd.as_raw_fd(), &storage).map_err(|e| bind_error(&text, e))?;
    listen(&fd, Backlog::new(128).unwrap_or(Backlog::MAXCONN)).map_err(|e| bind_error(&text, e))?;
    Ok(TcpListener::from(fd))
}

/// Binds every address of `addrs` (tests use port 0 on 127.0.0.1 and [::1]).
pub(crate) fn bind_addrs(addrs: &[SocketAddr]) -> Result<Vec<TcpListener>, ServerError> {
    addrs.iter().map(|a| bind_one(*a)).collect()
}

/// Binds `server_address`/`server_port` from nsca.cfg.
pub(crate) fn bind_config(address: &str, port: u16) -> Result<Vec<TcpListener>, ServerError> {
    if address.is_empty() {
        let any6 = SocketAddr::from(([0u16; 8], port));
        return match bind_one(any6) {
            Ok(l) => Ok(vec![l]),
            Err(_) => Ok(vec![bind_one(SocketAddr::from(([0u8; 4], port)))?]),
        };
    }
    let text = format!("{address} port {port}");
    let resolved: Vec<SocketAddr> = (address, port)
        .to_socket_addrs()
        .map_err(|e| bind_error(&text, e))?
        .collect();
    let mut last = None;
    for addr in resolved {
        match bind_one(addr) {
            Ok(l) => return Ok(vec![l]),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        bind_error(
            &text,
            std::io::Error::new(std::io::ErrorKind::NotFound, "no address"),
        )
    }))
}

/// What inetd handed over on standard input.
pub(crate) enum FdKind {
    /// A TCP socket; the peer when `getpeername` knows it.
    Inet(Option<SocketAddr>),
    /// A Unix-domain socket (a socketpair).
    Unix,
    /// A pipe, file or terminal.
    Other,
}

/// Classifies `fd` with `getsockname`/`getpeername`.
pub(crate) fn classify_fd(fd: &OwnedFd) -> FdKind {
    let raw = fd.as_fd().as_raw_fd();
    let Ok(local) = getsockname::<SockaddrStorage>(raw) else {
        return FdKind::Other;
    };
    match local.family() {
        Some(AddressFamily::Inet) | Some(AddressFamily::Inet6) => {
            let peer = getpeername::<SockaddrStorage>(raw).ok().and_then(|p| {
                if let Some(v4) = p.as_sockaddr_in() {
                    Some(SocketAddr::from(*v4))
                } else {
                    p.as_sockaddr_in6().map(|v6| SocketAddr::from(*v6))
                }
            });
            FdKind::Inet(peer)
        }
        Some(AddressFamily::Unix) => FdKind::Unix,
        _ => FdKind::Other,
    }
}
