//! Transfer benches, each against a baseline measured in the same run:
//! - every runnable glue pair vs the best raw copy of the same bytes (fd pairs:
//!   a read/write loop through a pipe, best of 64 KiB and 1 MiB pipe buffers;
//!   buffer pairs: memcpy, best of a hot 32 KiB and a full-size destination,
//!   and also a bare two-thread handoff of 32 KiB buffers through std channels,
//!   one or 16 buffers per message, for the two pairs whose neighbours run in
//!   different threads);
//! - the linker on chains of 2 to 8 elements;
//! - three chains run by reelcheck and by real Amanda 3.5 side by side.
//!
//! Ratios are printed as `ratio ...` lines (see `reelcheck_benches::report`).

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use reelcheck_benches::amanda::{AmandaRunner, CHAINS};
use reelcheck_benches::elements::{glue_run, is_fd_pair, run_spec, runnable_glue_pairs};
use reelcheck_benches::pipe::{
    RAW_PIPE_SIZES, memcpy_copy, raw_handoff_copy, raw_pipe_copy, test_data,
};
use reelcheck_benches::report::{Tally, Unit, emit, ratio};
use reelcheck_xfer::XferConfig;
use reelcheck_xfer::link::link_amanda;
use reelcheck_xfer::mech::Mech;
use reelcheck_xfer::tables::{AmandaElement, TableVersion};

/// Bytes each glue-pair iteration moves.
const GLUE_BYTES: usize = 32 << 20;
/// Bytes each Amanda-comparison iteration moves.
const CHAIN_BYTES: u64 = 128 << 20;

fn mech_id(m: Mech) -> String {
    m.amanda_name()
        .trim_start_matches("XFER_MECH_")
        .to_lowercase()
}

fn glue_pairs(c: &mut Criterion) {
    let data: Arc<[u8]> = test_data(GLUE_BYTES, 7).into();
    let tally = Tally::new();
    let mut g = c.benchmark_group("xfer-glue");
    g.throughput(Throughput::Bytes(GLUE_BYTES as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));

    for size in RAW_PIPE_SIZES {
        let id = format!("raw-pipe-{}KiB", size / 1024);
        g.bench_function(&id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let e = raw_pipe_copy(&data, GLUE_BYTES as u64, size).expect("raw pipe copy");
                    tally.record(&id, GLUE_BYTES as f64, e);
                    total += e;
                }
                total
            });
        });
    }
    for (id, dst_len) in [("memcpy-hot-32KiB", 32 * 1024), ("memcpy-full", GLUE_BYTES)] {
        let mut dst = vec![0u8; dst_len];
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let e = memcpy_copy(&data, &mut dst, 32 * 1024);
                    tally.record(id, GLUE_BYTES as f64, e);
                    total += e;
                }
                total
            });
        });
    }

    for (id, batch) in [
        ("raw-handoff-32x32KiB", 1),
        ("raw-handoff-32x32KiB-by-16", 16),
    ] {
        g.bench_function(id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let e = raw_handoff_copy(&data, 32 * 1024, 32, batch).expect("raw handoff");
                    tally.record(id, GLUE_BYTES as f64, e);
                    total += e;
                }
                total
            });
        });
    }

    let pairs = runnable_glue_pairs();
    for &(input, output) in &pairs {
        let id = format!("glue-{}-{}", mech_id(input), mech_id(output));
        g.bench_function(&id, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    let run = glue_run(input, output, &data, XferConfig::default())
                        .expect("glue chain builds");
                    let moved = run.run().expect("glue chain runs");
                    let e = start.elapsed();
                    black_box(moved);
                    tally.record(&id, GLUE_BYTES as f64, e);
                    total += e;
                }
                total
            });
        });
    }
    g.finish();

    let raw_ids: Vec<String> = RAW_PIPE_SIZES
        .iter()
        .map(|s| format!("raw-pipe-{}KiB", s / 1024))
        .collect();
    let raw_refs: Vec<&str> = raw_ids.iter().map(String::as_str).collect();
    let best_pipe = tally.best_of(&raw_refs);
    let best_memcpy = tally.best_of(&["memcpy-hot-32KiB", "memcpy-full"]);
    let (handoff_name, handoff) = tally
        .best_of(&["raw-handoff-32x32KiB", "raw-handoff-32x32KiB-by-16"])
        .map_or(("raw-handoff".to_string(), None), |(n, v)| (n, Some(v)));
    for &(input, output) in &pairs {
        let id = format!("glue-{}-{}", mech_id(input), mech_id(output));
        let (name, base) = if is_fd_pair(input, output) {
            &best_pipe
        } else {
            &best_memcpy
        }
        .clone()
        .map_or(("baseline".to_string(), None), |(n, v)| (n, Some(v)));
        ratio(
            &format!(
                "xfer glue {}->{}",
                input.amanda_name(),
                output.amanda_name()
            ),
            tally.median(&id),
            &name,
            base,
            Unit::Bytes,
        );
        // PUSH→PULL pairs join two threads (pusher and puller): also against the bare handoff.
        if matches!(input, Mech::PushBuffer | Mech::PushBufferStatic)
            && matches!(output, Mech::PullBuffer | Mech::PullBufferStatic)
        {
            ratio(
                &format!(
                    "xfer glue {}->{} vs two-thread handoff",
                    input.amanda_name(),
                    output.amanda_name()
                ),
                tally.median(&id),
                &handoff_name,
                handoff,
                Unit::Bytes,
            );
        }
    }
}

fn linker(c: &mut Criterion) {
    let mut g = c.benchmark_group("xfer-link");
    g.sample_size(20)
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1));
    for len in 2..=8usize {
        let mut chain = vec![AmandaElement::SourceRandom];
        for i in 0..len - 2 {
            chain.push(if i % 2 == 0 {
                AmandaElement::FilterXor
            } else {
                AmandaElement::FilterProcess
            });
        }
        chain.push(AmandaElement::DestNull);
        g.bench_with_input(BenchmarkId::new("link-3.5", len), &chain, |b, chain| {
            b.iter(|| link_amanda(black_box(chain), TableVersion::V3_5).expect("links"));
        });
    }
    g.finish();
}

fn versus_amanda(c: &mut Criterion) {
    let tally = Tally::new();
    let amanda = match AmandaRunner::new() {
        Ok(a) => Some(a),
        Err(e) => {
            emit(&format!("ratio xfer vs amanda: not measured: {e}"));
            None
        }
    };
    let mut g = c.benchmark_group("xfer-chain");
    g.throughput(Throughput::Bytes(CHAIN_BYTES));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(3));
    for (name, rest) in CHAINS {
        let spec = format!("random:{CHAIN_BYTES},seed=7 -> {rest}");
        let ours = format!("ours-{name}");
        g.bench_function(&ours, |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let start = Instant::now();
                    run_spec(&spec).expect("chain runs");
                    let e = start.elapsed();
                    tally.record(&ours, CHAIN_BYTES as f64, e);
                    total += e;
                }
                total
            });
        });
        if let Some(a) = &amanda {
            let theirs = format!("amanda-{name}");
            g.bench_function(&theirs, |b| {
                b.iter_custom(|iters| {
                    let mut total = Duration::ZERO;
                    for _ in 0..iters {
                        let e = a.run(name, CHAIN_BYTES, 7).expect("amanda chain runs");
                        tally.record(&theirs, CHAIN_BYTES as f64, e);
                        total += e;
                    }
                    total
                });
            });
        }
    }
    g.finish();
    for (name, rest) in CHAINS {
        ratio(
            &format!("xfer chain random -> {rest}"),
            tally.median(&format!("ours-{name}")),
            "amanda-3.5",
            tally.median(&format!("amanda-{name}")),
            Unit::Bytes,
        );
    }
}

criterion_group!(benches, glue_pairs, linker, versus_amanda);
criterion_main!(benches);
