//! Fake NSCA servers: every fault behaves as its documentation says, and faults
//! round-trip through serde and their `--fault` text form.

use std::net::SocketAddr;
use std::str::FromStr;

use reelcheck_nsca::cipher::Method;
use reelcheck_nsca::codec::{INIT_PACKET_LEN, PacketSize, V3_PACKET_LEN};
use reelcheck_nsca::fake::{FakeServer, FakeServerThread, Fault, RecordingEnd};
use rstest::rstest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::support::server::*;

fn loopback() -> SocketAddr {
    "127.0.0.1:0".parse().expect("addr")
}

/// Reads what the fake sends until it closes (or `WAIT` passes).
async fn read_all(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut got)).await;
    got
}

#[rstest]
#[case::case_fault_no_init(Fault::NoInit, "no-init")]
#[case::case_fault_delay_init(Fault::DelayInit { millis: 11000 }, "delay-init:11000")]
#[case::case_fault_short_init(Fault::ShortInit { bytes: 50 }, "short-init:50")]
#[case::case_fault_close_immediately(Fault::CloseImmediately, "close-immediately")]
#[case::case_fault_zero_iv(Fault::ZeroIv, "zero-iv")]
#[case::case_fault_fixed_iv(Fault::FixedIv { byte: 7 }, "fixed-iv:7")]
#[case::case_fault_fixed_timestamp(Fault::FixedTimestamp { timestamp: 305_419_896 }, "fixed-timestamp:305419896")]
#[case::case_fault_close_after_bytes(Fault::CloseAfterBytes { bytes: 100 }, "close-after-bytes:100")]
#[case::case_fault_close_between_packets(Fault::CloseBetweenPackets { packets: 1 }, "close-between-packets:1")]
#[case::case_fault_reset(Fault::ResetAfterBytes { bytes: 10 }, "reset-after-bytes:10")]
#[case::case_fault_slow_reads(Fault::SlowReads { chunk: 16, interval_millis: 100 }, "slow-reads:16:100")]
fn case_fault_text_and_serde_round_trip(#[case] fault: Fault, #[case] text: &str) {
    assert_eq!(fault.to_string(), text);
    assert_eq!(Fault::from_str(text).expect("parse"), fault);
    let json = serde_json::to_string(&fault).expect("json");
    assert_eq!(serde_json::from_str::<Fault>(&json).expect("back"), fault);
}

#[test]
fn it_rejects_unknown_fault_text() {
    for bad in [
        "",
        "no-init:3",
        "short-init",
        "short-init:x",
        "slow-reads:1",
        "bogus",
    ] {
        assert!(Fault::from_str(bad).is_err(), "{bad}");
    }
}

#[tokio::test(start_paused = true)]
async fn it_records_the_stream_and_decodes_it() {
    let mut fake = FakeServer::bind(
        loopback(),
        vec![Fault::FixedTimestamp {
            timestamp: 0x1234_5678,
        }],
    )
    .await
    .expect("bind");
    let mut client = Client::connect(fake.local_addr(), 14, "secretpw", PacketSize::V3).await;
    assert_eq!(&client.init[128..], &[0x12, 0x34, 0x56, 0x78]);
    client.send(&svc("h1", "svc1", 0, "one")).await;
    client.send(&host("h1", 1, "two")).await;
    client.finish().await;
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.end, RecordingEnd::ClientClosed);
    assert_eq!(rec.init_sent.len(), INIT_PACKET_LEN);
    assert_eq!(rec.received.len(), 2 * V3_PACKET_LEN);
    let decoded: Vec<_> = rec
        .decode(Method::Rijndael128, b"secretpw", PacketSize::V3)
        .into_iter()
        .map(|d| d.expect("valid packet"))
        .collect();
    assert_eq!(decoded[0].result, svc("h1", "svc1", 0, "one"));
    assert_eq!(decoded[1].result, host("h1", 1, "two"));
    assert!(
        decoded.iter().all(|d| d.timestamp == 0x1234_5678),
        "timestamp echoed"
    );
    // A wrong password does not decode.
    assert!(rec.decode(Method::Rijndael128, b"other", PacketSize::V3)[0].is_err());
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_sends_no_init_packet_and_holds_the_connection() {
    let mut fake = FakeServer::bind(loopback(), vec![Fault::NoInit])
        .await
        .expect("bind");
    let mut stream = TcpStream::connect(fake.local_addr())
        .await
        .expect("connect");
    let mut byte = [0u8; 1];
    let waited =
        tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut byte)).await;
    assert!(
        waited.is_err(),
        "nothing arrives, the connection stays open"
    );
    drop(stream);
    let rec = fake.next_recording().await.expect("recording");
    assert!(rec.init_sent.is_empty());
    assert_eq!(rec.end, RecordingEnd::ClientClosed);
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_delays_the_init_packet() {
    let fake = FakeServer::bind(loopback(), vec![Fault::DelayInit { millis: 11_000 }])
        .await
        .expect("bind");
    let mut stream = TcpStream::connect(fake.local_addr())
        .await
        .expect("connect");
    let t0 = tokio::time::Instant::now();
    let mut init = [0u8; INIT_PACKET_LEN];
    within("init packet", stream.read_exact(&mut init))
        .await
        .expect("init");
    assert!(t0.elapsed() >= std::time::Duration::from_secs(11));
    fake.shutdown().await;
}

#[rstest]
#[case::case_fault_short_init_50(Fault::ShortInit { bytes: 50 }, 50)]
#[case::case_fault_close_immediately_0(Fault::CloseImmediately, 0)]
#[tokio::test(start_paused = true)]
async fn case_fault_init_cut_short(#[case] fault: Fault, #[case] expect: usize) {
    let mut fake = FakeServer::bind(loopback(), vec![fault])
        .await
        .expect("bind");
    let mut stream = TcpStream::connect(fake.local_addr())
        .await
        .expect("connect");
    assert_eq!(read_all(&mut stream).await.len(), expect);
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.end, RecordingEnd::ServerClosed);
    assert_eq!(rec.init_sent.len(), expect);
    fake.shutdown().await;
}

#[rstest]
#[case::case_fault_zero_iv_bytes(Fault::ZeroIv, 0)]
#[case::case_fault_fixed_iv_bytes(Fault::FixedIv { byte: 0xab }, 0xab)]
#[tokio::test(start_paused = true)]
async fn case_fault_iv_content(#[case] fault: Fault, #[case] byte: u8) {
    let fake = FakeServer::bind(loopback(), vec![fault])
        .await
        .expect("bind");
    let client = Client::connect(fake.local_addr(), 1, "secretpw", PacketSize::V3).await;
    assert!(client.init[..128].iter().all(|&b| b == byte));
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_closes_after_k_bytes_of_a_packet() {
    let mut fake = FakeServer::bind(loopback(), vec![Fault::CloseAfterBytes { bytes: 100 }])
        .await
        .expect("bind");
    let mut client = Client::connect(fake.local_addr(), 1, "secretpw", PacketSize::V3).await;
    let bytes = client.packet(&svc("h", "s", 0, "x"));
    let _ = client.stream.write_all(&bytes).await;
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.end, RecordingEnd::ServerClosed);
    assert_eq!(rec.received.len(), 100);
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_closes_between_packets() {
    let mut fake = FakeServer::bind(loopback(), vec![Fault::CloseBetweenPackets { packets: 1 }])
        .await
        .expect("bind");
    let mut client = Client::connect(fake.local_addr(), 1, "secretpw", PacketSize::V3).await;
    client.send(&svc("h", "s", 0, "first")).await;
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.end, RecordingEnd::ServerClosed);
    assert_eq!(rec.received.len(), V3_PACKET_LEN);
    assert!(rec.decode(Method::Xor, b"secretpw", PacketSize::V3)[0].is_ok());
    // The client notices on a later write or read: the server closed.
    assert!(read_all(&mut client.stream).await.is_empty());
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_resets_the_connection() {
    let mut fake = FakeServer::bind(loopback(), vec![Fault::ResetAfterBytes { bytes: 10 }])
        .await
        .expect("bind");
    let mut client = Client::connect(fake.local_addr(), 1, "secretpw", PacketSize::V3).await;
    let bytes = client.packet(&svc("h", "s", 0, "x"));
    let _ = client.stream.write_all(&bytes[..10]).await;
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.end, RecordingEnd::ServerReset);
    let mut buf = [0u8; 16];
    // A reset shows up as ECONNRESET on the client's next read or write.
    let outcome = match client.stream.write_all(&bytes[10..]).await {
        Err(e) => Err(e),
        Ok(()) => client.stream.read(&mut buf).await.map(|_| ()),
    };
    assert_eq!(
        outcome.expect_err("reset").kind(),
        std::io::ErrorKind::ConnectionReset
    );
    fake.shutdown().await;
}

#[tokio::test(start_paused = true)]
async fn it_reads_slowly() {
    let mut fake = FakeServer::bind(
        loopback(),
        vec![Fault::SlowReads {
            chunk: 1000,
            interval_millis: 1000,
        }],
    )
    .await
    .expect("bind");
    let mut client = Client::connect(fake.local_addr(), 1, "secretpw", PacketSize::V3).await;
    let t0 = tokio::time::Instant::now();
    client.send(&svc("h", "s", 0, "slow")).await;
    client.finish().await;
    let rec = fake.next_recording().await.expect("recording");
    assert_eq!(rec.received.len(), V3_PACKET_LEN);
    // 4304 bytes at 1000 bytes per second: at least 4 s of (virtual) time.
    assert!(
        t0.elapsed() >= std::time::Duration::from_secs(4),
        "{:?}",
        t0.elapsed()
    );
    fake.shutdown().await;
}

#[test]
fn it_runs_a_fake_on_its_own_thread_for_blocking_clients() {
    let fake = FakeServerThread::start(loopback(), vec![Fault::ZeroIv]).expect("start");
    let mut stream = std::net::TcpStream::connect(fake.local_addr()).expect("connect");
    let mut init = [0u8; INIT_PACKET_LEN];
    std::io::Read::read_exact(&mut stream, &mut init).expect("init");
    assert!(init[..128].iter().all(|&b| b == 0));
    std::io::Write::write_all(&mut stream, b"abc").expect("write");
    drop(stream);
    let rec = fake
        .next_recording(std::time::Duration::from_secs(30))
        .expect("recording");
    assert_eq!(rec.received, b"abc");
    assert_eq!(fake.recordings().len(), 1);
    fake.stop();
}

/// splitmix64 from its published description (Vigna, `splitmix64.c`): the model of
/// the fake's documented init-packet derivation.
fn model_init(seed: u64, connection: u64) -> (Vec<u8>, u32) {
    const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut state = seed.wrapping_add(connection.wrapping_mul(GOLDEN));
    let mut next = || {
        state = state.wrapping_add(GOLDEN);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let iv: Vec<u8> = (0..16).flat_map(|_| next().to_le_bytes()).collect();
    (iv, next() as u32)
}

/// The init packets of the first two connections to a fake seeded with `seed`.
async fn first_two_inits(seed: u64) -> Vec<Vec<u8>> {
    let fake = FakeServer::bind_seeded(loopback(), seed, vec![])
        .await
        .expect("bind");
    let mut inits = Vec::new();
    for _ in 0..2 {
        let mut s = TcpStream::connect(fake.local_addr())
            .await
            .expect("connect");
        let mut init = vec![0u8; INIT_PACKET_LEN];
        tokio::time::timeout(WAIT, s.read_exact(&mut init))
            .await
            .expect("the init packet within WAIT")
            .expect("read the init packet");
        // Connections are numbered in accept order, and this one was accepted
        // before the next connects.
        inits.push(init);
    }
    fake.shutdown().await;
    inits
}

#[tokio::test]
async fn it_draws_each_connections_iv_and_timestamp_from_its_seed() {
    let inits = first_two_inits(0x5eed).await;
    for (i, init) in inits.iter().enumerate() {
        let (iv, timestamp) = model_init(0x5eed, i as u64);
        assert_eq!(init[..128], iv[..], "connection {i}: IV");
        assert_eq!(
            init[128..132],
            timestamp.to_be_bytes(),
            "connection {i}: timestamp"
        );
    }
    assert_ne!(inits[0], inits[1], "each connection has its own IV");
    assert_eq!(
        first_two_inits(0x5eed).await,
        inits,
        "the same seed replays"
    );
    assert_ne!(first_two_inits(0x5eee).await[0], inits[0]);
}
