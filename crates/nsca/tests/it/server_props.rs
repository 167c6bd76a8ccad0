//! The server survives any byte sequence: random chunks over a real loopback
//! connection never crash it, never corrupt what was accepted before, and never stop
//! it from serving the next client.

use proptest::prelude::*;
use reelcheck_nsca::codec::PacketSize;

use crate::support::server::*;

/// What the fuzzed client does.
#[derive(Clone, Debug)]
struct Plan {
    /// Send one valid packet before the garbage.
    valid_first: bool,
    /// Byte chunks written one after another.
    chunks: Vec<Vec<u8>>,
    /// Close the connection (true) or hold it until the server gives up.
    close: bool,
    /// Method of server and clients.
    method: u8,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        any::<bool>(),
        prop::collection::vec(prop::collection::vec(any::<u8>(), 0..5000), 0..4),
        any::<bool>(),
        prop::sample::select(vec![0u8, 1, 3, 14]),
    )
        .prop_map(|(valid_first, chunks, close, method)| Plan {
            valid_first,
            chunks,
            close,
            method,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn prop_arbitrary_bytes_never_break_the_server(plan in plan()) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .start_paused(true)
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let mut s = start(Setup::new(plan.method)).await;
            let mut fuzz = Client::connect(s.addr, plan.method, "secretpw", PacketSize::V3).await;
            if plan.valid_first {
                fuzz.send(&svc("before", "garbage", 0, "kept")).await;
            }
            for chunk in &plan.chunks {
                // The server may already have closed: later writes may fail.
                if tokio::io::AsyncWriteExt::write_all(&mut fuzz.stream, chunk).await.is_err() {
                    break;
                }
            }
            if plan.close {
                fuzz.finish().await;
            } else {
                // Held open: the server's read timeout ends it.
                let mut rest = Vec::new();
                let _ = tokio::time::timeout(WAIT, tokio::io::AsyncReadExt::read_to_end(&mut fuzz.stream, &mut rest)).await;
            }
            s.wait_closed(1).await;
            // The server still serves a well-behaved client.
            send_all(s.addr, plan.method, "secretpw", &[host("after", 0, "alive")]).await;
            s.wait_closed(2).await;
            s.stop().await;
            let lines = s.lines();
            let expected_first = usize::from(plan.valid_first);
            assert!(lines.len() > expected_first, "{lines:?}");
            if plan.valid_first {
                assert_eq!(lines[0], "[T] PROCESS_SERVICE_CHECK_RESULT;before;garbage;0;kept");
            }
            assert_eq!(lines.last().map(String::as_str), Some("[T] PROCESS_HOST_CHECK_RESULT;after;0;alive"));
            // Whatever the garbage decoded to, every line is one well-formed command.
            for l in &lines {
                assert!(l.starts_with("[T] PROCESS_SERVICE_CHECK_RESULT;") || l.starts_with("[T] PROCESS_HOST_CHECK_RESULT;"), "{l}");
            }
            let task = s.task;
            assert!(joined(task, "server task").await.is_ok());
        });
    }
}
