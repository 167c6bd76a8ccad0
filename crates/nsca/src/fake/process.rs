//! `reelcheck nsca fake-server`: a fake server as a process, until SIGINT or SIGTERM.

use std::net::SocketAddr;

use super::fault::Fault;
use super::server::FakeServer;

/// `reelcheck nsca fake-server --fault ...`: serves on `addr` with `faults` (IVs and
/// timestamps drawn from `seed`) until SIGINT
/// or SIGTERM, printing `listening on ADDR` and then one line per finished connection
/// on standard output; returns the exit code (0, or 2 when it cannot start).
pub fn fake_server_main(addr: SocketAddr, seed: u64, faults: Vec<Fault>) -> i32 {
    use std::io::Write;
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("fake-server: cannot start the runtime: {e}");
            return 2;
        }
    };
    runtime.block_on(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            eprintln!("fake-server: cannot install signal handlers");
            return 2;
        };
        let mut server = match FakeServer::bind_seeded(addr, seed, faults).await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("fake-server: cannot bind {addr}: {e}");
                return 2;
            }
        };
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on {}", server.local_addr());
        let _ = out.flush();
        loop {
            tokio::select! {
                rec = server.next_recording() => match rec {
                    Some(rec) => {
                        let _ = writeln!(out, "{rec}");
                        let _ = out.flush();
                    }
                    None => break,
                },
                _ = term.recv() => break,
                _ = int.recv() => break,
            }
        }
        server.shutdown().await;
        0
    })
}
