//! Instruction-count benches (gungraun, under valgrind's callgrind) for the
//! hot paths: batched CFB-8 decryption of one AES packet, packet decoding,
//! and the glue's PUSH→PULL queue handing 32 KiB buffers across.
//! Instruction counts do not move with machine load, so these are the
//! benches to gate on; run them with `cargo bench -p reelcheck-benches
//! --bench instructions` (needs `gungraun-runner` of the same version as the
//! `gungraun` crate, see `ci/bench`).

#![allow(
    missing_docs,
    reason = "gungraun's macros generate undocumented public items"
)]

use std::hint::black_box;

use gungraun::prelude::*;
use reelcheck_nsca::cipher::{CipherState, Method};
use reelcheck_nsca::codec::{
    CheckResult, DecodedPacket, Filler, IV_LEN, PacketSize, decode_packet, encode_packet,
};
use reelcheck_xfer::glue::ring::Ring;

const PASSWORD: &[u8] = b"benchpw";

fn iv() -> [u8; IV_LEN] {
    std::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
}

fn plain_packet() -> Vec<u8> {
    let r = CheckResult::service("host1", "svc1", 0, "OK instruction count|n=1");
    encode_packet(&r, PacketSize::V3, 0x1234_5678, &mut Filler::Zero)
}

/// A fresh AES (method 14) decryption state and one encrypted packet.
fn aes_packet() -> (CipherState, Vec<u8>) {
    let mut packet = plain_packet();
    CipherState::new(Method::Rijndael128, PASSWORD, &iv()).encrypt(&mut packet, 0);
    (
        CipherState::new(Method::Rijndael128, PASSWORD, &iv()),
        packet,
    )
}

#[library_benchmark]
#[bench::aes_one_packet(setup = aes_packet)]
fn cfb8_batched_decrypt(input: (CipherState, Vec<u8>)) -> Vec<u8> {
    let (mut cipher, mut packet) = input;
    cipher.decrypt(black_box(&mut packet), 0);
    black_box(packet)
}

#[library_benchmark]
#[bench::v3(setup = plain_packet)]
fn packet_decode(packet: Vec<u8>) -> DecodedPacket {
    black_box(decode_packet(black_box(&packet)).expect("valid packet"))
}

/// 64 buffers of 32 KiB, ready to be queued.
fn buffers() -> Vec<Vec<u8>> {
    (0..64).map(|i| vec![i as u8; 32 * 1024]).collect()
}

#[library_benchmark]
#[bench::queue_64x32k(setup = buffers)]
fn glue_queue_handover(bufs: Vec<Vec<u8>>) -> usize {
    let ring: Ring = Ring::new(8);
    let mut moved = 0;
    for b in bufs {
        ring.push(Some(b));
        if let Some(got) = ring.pull() {
            moved += got.len();
        }
    }
    ring.push(None);
    black_box(moved)
}

library_benchmark_group!(
    name = hot_paths,
    benchmarks = [cfb8_batched_decrypt, packet_decode, glue_queue_handover]
);

main!(library_benchmark_groups = hot_paths);
