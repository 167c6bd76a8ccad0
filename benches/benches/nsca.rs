//! NSCA benches, each against a baseline measured in the same run:
//! - encode+encrypt and decrypt+decode per cipher method (packets/s), with
//!   method 0 (no cipher) as the codec-only baseline;
//! - the server core in-process (session: decrypt + decode, then the
//!   command-file line), for AES (method 14, target >= 60 000 packets/s per
//!   core) and XOR, and AES against the `cfb8` crate's one-byte-at-a-time
//!   decryption of the same stream (decryption alone, the serial baseline);
//! - end to end (after the criterion groups, one run per case because the C
//!   daemon with AES manages ~1 700 packets/s): our server vs `/usr/sbin/nsca
//!   --single`, both fed by the same load generator, whose own ceiling against
//!   a discard sink is measured in the same run; command-file lines must equal
//!   results sent. Set `REELCHECK_BENCH_E2E=0` to skip it.
//!
//! Ratios are printed as `ratio ...` lines (see `reelcheck_benches::report`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use reelcheck_benches::load::{E2e, Load, SHAPES, Target, end_to_end, result};
use reelcheck_benches::report::{Tally, Unit, emit, ratio};
use reelcheck_nsca::cipher::{CipherState, Method};
use reelcheck_nsca::cmdfile::write_command_line;
use reelcheck_nsca::codec::{Filler, IV_LEN, PacketSize, decode_packet, encode_packet_into};
use reelcheck_nsca::session::{ServerSession, SessionEvent};

/// Packets per iteration.
const PACKETS: usize = 64;
const PASSWORD: &[u8] = b"benchpw";
const NOW: u32 = 1_795_549_696;

fn iv() -> [u8; IV_LEN] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
}

/// The wire bytes of `PACKETS` packets encrypted on one connection with `method`.
fn wire(method: Method) -> Vec<u8> {
    let mut cipher = CipherState::new(method, PASSWORD, &iv());
    let mut out = Vec::with_capacity(PACKETS * PacketSize::V3.len());
    let mut buf = Vec::new();
    for i in 0..PACKETS {
        encode_packet_into(&result(i), PacketSize::V3, NOW, &mut Filler::Zero, &mut buf);
        cipher.encrypt(&mut buf, 0);
        out.extend_from_slice(&buf);
    }
    out
}

fn id(m: Method) -> String {
    format!("{}-{}", m.number(), m.name())
}

fn codec(c: &mut Criterion) {
    let results: Vec<_> = (0..PACKETS).map(result).collect();
    let mut g = c.benchmark_group("nsca-codec");
    g.throughput(Throughput::Elements(PACKETS as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_millis(700));
    let tally = Tally::new();
    for method in Method::ALL {
        g.bench_with_input(
            BenchmarkId::new("encode-encrypt", id(method)),
            &method,
            |b, &m| {
                let mut buf = Vec::new();
                b.iter_custom(|iters| {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        let mut cipher = CipherState::new(m, PASSWORD, &iv());
                        for r in &results {
                            encode_packet_into(r, PacketSize::V3, NOW, &mut Filler::Zero, &mut buf);
                            cipher.encrypt(&mut buf, 0);
                            black_box(&buf);
                        }
                    }
                    let e = start.elapsed();
                    tally.record(
                        &format!("encode-{}", id(m)),
                        (iters as usize * PACKETS) as f64,
                        e,
                    );
                    e
                });
            },
        );
        let stream = wire(method);
        g.bench_with_input(
            BenchmarkId::new("decrypt-decode", id(method)),
            &method,
            |b, &m| {
                let mut plain = stream.clone();
                b.iter_custom(|iters| {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        plain.copy_from_slice(&stream);
                        let mut cipher = CipherState::new(m, PASSWORD, &iv());
                        for p in plain.chunks_mut(PacketSize::V3.len()) {
                            cipher.decrypt(p, 0);
                            black_box(decode_packet(p).expect("valid packet"));
                        }
                    }
                    let e = start.elapsed();
                    tally.record(
                        &format!("decode-{}", id(m)),
                        (iters as usize * PACKETS) as f64,
                        e,
                    );
                    e
                });
            },
        );
    }
    g.finish();
    for method in Method::ALL {
        let n = id(method);
        for side in ["encode", "decode"] {
            ratio(
                &format!("nsca {side} method {n}"),
                tally.median(&format!("{side}-{n}")),
                "method-0-none",
                tally.median(&format!("{side}-{}", id(Method::None))),
                Unit::Packets,
            );
        }
    }
}

/// Feeds one connection's bytes to a server session in 64 KiB reads and
/// formats every accepted result as its command-file line.
fn server_core(method: Method, stream: &[u8], out: &mut Vec<u8>) -> usize {
    let mut session = ServerSession::new(method, PASSWORD, iv(), NOW);
    black_box(session.poll_transmit());
    let mut accepted = 0;
    for read in stream.chunks(64 * 1024) {
        session.handle_data(read);
        while let Some(ev) = session.poll_event() {
            if let SessionEvent::Accepted { decoded, .. } = ev {
                out.clear();
                write_command_line(out, &decoded.result, u64::from(NOW));
                accepted += 1;
            }
        }
    }
    accepted
}

/// Decrypts one connection's AES stream with the `cfb8` crate (one block-cipher call per
/// byte; key = password zero-padded to 32 bytes, IV = the first 16 bytes of the init IV).
fn serial_decrypt(stream: &[u8]) -> u8 {
    use cfb8::cipher::KeyIvInit;
    let mut key = [0u8; 32];
    key[..PASSWORD.len()].copy_from_slice(PASSWORD);
    let mut dec =
        cfb8::Decryptor::<aes::Aes256>::new_from_slices(&key, &iv()[..16]).expect("key and iv");
    let mut buf = stream.to_vec();
    let mut acc = 0u8;
    for packet in buf.chunks_mut(PacketSize::V3.len()) {
        dec.decrypt(packet);
        acc ^= packet[0];
    }
    acc
}

fn server(c: &mut Criterion) {
    let mut g = c.benchmark_group("nsca-server-core");
    g.throughput(Throughput::Elements(PACKETS as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    let tally = Tally::new();
    for method in [Method::Rijndael128, Method::Xor, Method::None] {
        let stream = wire(method);
        g.bench_with_input(
            BenchmarkId::new("session-format", id(method)),
            &method,
            |b, &m| {
                let mut line = Vec::with_capacity(256);
                b.iter_custom(|iters| {
                    let start = std::time::Instant::now();
                    for _ in 0..iters {
                        assert_eq!(server_core(m, &stream, &mut line), PACKETS);
                    }
                    let e = start.elapsed();
                    tally.record(&id(m), (iters as usize * PACKETS) as f64, e);
                    e
                });
            },
        );
    }
    let aes_stream = wire(Method::Rijndael128);
    g.bench_function("cfb8-crate-serial-decrypt/14-rijndael-128", |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            for _ in 0..iters {
                black_box(serial_decrypt(&aes_stream));
            }
            let e = start.elapsed();
            tally.record("cfb8-serial", (iters as usize * PACKETS) as f64, e);
            e
        });
    });
    g.finish();
    ratio(
        "nsca server core method 14-rijndael-128 vs serial CFB-8 decryption alone",
        tally.median(&id(Method::Rijndael128)),
        "cfb8-crate-serial",
        tally.median("cfb8-serial"),
        Unit::Packets,
    );
    for method in [Method::Rijndael128, Method::Xor] {
        ratio(
            &format!("nsca server core method {}", id(method)),
            tally.median(&id(method)),
            "no-cipher-core",
            tally.median(&id(Method::None)),
            Unit::Packets,
        );
    }
    if let Some(aes) = tally.median(&id(Method::Rijndael128)) {
        let verdict = if aes >= 60_000.0 { "meets" } else { "misses" };
        emit(&format!(
            "target nsca server core AES: {aes:.0} packets/s {verdict} the 60000 packets/s/core target"
        ));
    }
}

/// Prints one end-to-end run; its (end-to-end rate, served rate) if it ran.
fn e2e_line(what: &str, r: &Result<E2e, String>) -> Option<(f64, f64)> {
    match r {
        Ok(e) => {
            let lost = e.sent.saturating_sub(e.written);
            emit(&format!(
                "e2e {what}: sent={} written={} lost={lost} stalled-connections={} elapsed={:.3}s rate={:.0} packets/s served-in={:.3}s served-rate={:.0} packets/s",
                e.sent,
                e.written,
                e.stalled,
                e.elapsed.as_secs_f64(),
                e.rate(),
                e.served.as_secs_f64(),
                e.served_rate()
            ));
            Some((e.rate(), e.served_rate()))
        }
        Err(err) => {
            emit(&format!("e2e {what}: failed: {err}"));
            None
        }
    }
}

fn end_to_end_all() {
    for method in [Method::Xor, Method::Rijndael128] {
        for (connections, packets, in_flight) in SHAPES {
            let load = Load {
                connections,
                packets,
                method,
                in_flight,
            };
            let shape = format!(
                "{} {connections}x{packets} in-flight={in_flight}",
                id(method)
            );
            let sink = e2e_line(
                &format!("{shape} generator->discard-sink"),
                &end_to_end(Target::Sink, load),
            );
            let c = e2e_line(
                &format!("{shape} nsca-2.10-single"),
                &end_to_end(Target::CDaemon, load),
            );
            let ours = e2e_line(&format!("{shape} ours"), &end_to_end(Target::Ours, load));
            let rate = |r: Option<(f64, f64)>| r.map(|(rate, _)| rate);
            let served = |r: Option<(f64, f64)>| r.map(|(_, served)| served);
            ratio(
                &format!("nsca e2e {shape} vs C daemon"),
                rate(ours),
                "nsca-2.10-single",
                rate(c),
                Unit::Packets,
            );
            // The C daemon's rate over the time it was writing lines only: its stalled
            // connections (if any) do not count against it here.
            ratio(
                &format!("nsca e2e {shape} vs C daemon served time"),
                rate(ours),
                "nsca-2.10-single-served",
                served(c),
                Unit::Packets,
            );
            ratio(
                &format!("nsca e2e {shape} vs generator ceiling"),
                rate(ours),
                "discard-sink",
                rate(sink),
                Unit::Packets,
            );
        }
    }
}

criterion_group!(benches, codec, server);

fn main() {
    benches();
    criterion::Criterion::default()
        .configure_from_args()
        .final_summary();
    let args: Vec<String> = std::env::args().collect();
    let timing =
        args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list" || a == "--test");
    if timing && std::env::var("REELCHECK_BENCH_E2E").as_deref() != Ok("0") {
        end_to_end_all();
    }
}
