//! Device benches, each against a baseline measured in the same run:
//! - the simulated tape drive writing and reading 32 KiB blocks vs a memcpy of
//!   the same bytes into a buffer of the same size;
//! - the vfs device writing a dump file vs a raw file write of the same bytes
//!   (same temp dir, same 32 KiB header, same block size).
//!
//! Ratios are printed as `ratio ...` lines (see `reelcheck_benches::report`).

use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use reelcheck_benches::pipe::{memcpy_copy, test_data};
use reelcheck_benches::report::{Tally, Unit, ratio};
use reelcheck_tape::device::{AccessMode, Device, ReadResult, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};
use reelcheck_tape::sim::{SimConfig, SimDrive, Volume, VolumeSpec};
use reelcheck_tape::vfs::VfsDevice;

/// Bytes written or read per iteration.
const BYTES: usize = 64 << 20;
/// Amanda's block size.
const BLOCK: usize = 32 * 1024;
const STAMP: &str = "20240101000000";

fn header_block() -> Vec<u8> {
    Header::Dump(Box::new(DumpHeader::file(
        STAMP,
        "benchhost",
        "/bench/disk",
        0,
        "/bin/tar",
    )))
    .to_block()
    .expect("header encodes")
}

/// A drive with a blank 1 GiB volume, started for writing.
fn fresh_drive() -> SimDrive {
    let mut d = SimDrive::new("tape0", SimConfig::default(), Vec::new());
    d.load(Volume::blank(
        "VOL-1",
        VolumeSpec::with_early_warning(1 << 30, 0),
    ))
    .expect("load");
    d.start(AccessMode::Write, Some("VOL-1"), Some(STAMP))
        .expect("start");
    d
}

/// Writes `data` as one file in 32 KiB blocks; every write must succeed.
fn write_file(d: &mut dyn Device, header: &[u8], data: &[u8]) {
    d.start_file(header).expect("start_file");
    for block in data.chunks(BLOCK) {
        assert_eq!(
            d.write_block(block).expect("write_block"),
            WriteResult::Success
        );
    }
    d.finish_file().expect("finish_file");
    let _ = d.take_events();
}

fn sim_drive(c: &mut Criterion) {
    let data = test_data(BYTES, 3);
    let header = header_block();
    let tally = Tally::new();
    let mut g = c.benchmark_group("tape-sim");
    g.throughput(Throughput::Bytes(BYTES as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));

    let mut dst = vec![0u8; BYTES];
    g.bench_function("memcpy", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let e = memcpy_copy(&data, &mut dst, BLOCK);
                tally.record("memcpy", BYTES as f64, e);
                total += e;
            }
            total
        });
    });
    g.bench_function("sim-write", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut d = fresh_drive();
                let start = Instant::now();
                write_file(&mut d, &header, &data);
                let e = start.elapsed();
                tally.record("sim-write", BYTES as f64, e);
                total += e;
            }
            total
        });
    });

    // One written volume, read back from the start of file 1 on a fresh drive each time.
    let mut writer = fresh_drive();
    write_file(&mut writer, &header, &data);
    writer.finish().expect("finish");
    let volume = writer.take_volume().expect("volume");
    g.bench_function("sim-read", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut buf = vec![0u8; BLOCK];
            for _ in 0..iters {
                let mut d = SimDrive::new("tape0", SimConfig::default(), Vec::new());
                d.load(volume.clone()).expect("load");
                d.start(AccessMode::Read, None, None).expect("start read");
                let start = Instant::now();
                d.seek_file(1).expect("seek");
                let mut got = 0usize;
                while let ReadResult::Block(n) = d.read_block(&mut buf).expect("read_block") {
                    got += n;
                }
                let e = start.elapsed();
                assert_eq!(got, BYTES, "read back every byte");
                tally.record("sim-read", BYTES as f64, e);
                total += e;
            }
            total
        });
    });
    g.finish();
    ratio(
        "tape sim write",
        tally.median("sim-write"),
        "memcpy",
        tally.median("memcpy"),
        Unit::Bytes,
    );
    ratio(
        "tape sim read",
        tally.median("sim-read"),
        "memcpy",
        tally.median("memcpy"),
        Unit::Bytes,
    );
}

fn raw_file_write(path: &Path, header: &[u8], data: &[u8]) {
    let mut f = File::create(path).expect("create raw file");
    f.write_all(header).expect("write header");
    for block in data.chunks(BLOCK) {
        f.write_all(block).expect("write block");
    }
}

fn vfs(c: &mut Criterion) {
    let data = test_data(BYTES, 5);
    let header = header_block();
    let tally = Tally::new();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut g = c.benchmark_group("tape-vfs");
    g.throughput(Throughput::Bytes(BYTES as u64));
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(3));

    let raw = dir.path().join("raw.dump");
    g.bench_function("raw-file-write", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let _ = std::fs::remove_file(&raw);
                let start = Instant::now();
                raw_file_write(&raw, &header, &data);
                let e = start.elapsed();
                tally.record("raw-file-write", BYTES as f64, e);
                total += e;
            }
            total
        });
    });
    let mut n = 0u32;
    g.bench_function("vfs-write", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                n += 1;
                let vol = dir.path().join(format!("vol{n}"));
                std::fs::create_dir(&vol).expect("volume dir");
                let mut d = VfsDevice::new("vtape0", &vol, vec![]);
                d.start(AccessMode::Write, Some("VOL-1"), Some(STAMP))
                    .expect("label");
                let start = Instant::now();
                write_file(&mut d, &header, &data);
                let e = start.elapsed();
                d.finish().expect("finish");
                std::fs::remove_dir_all(&vol).expect("remove volume");
                tally.record("vfs-write", BYTES as f64, e);
                total += e;
            }
            total
        });
    });
    g.finish();
    ratio(
        "tape vfs write",
        tally.median("vfs-write"),
        "raw-file-write",
        tally.median("raw-file-write"),
        Unit::Bytes,
    );
}

criterion_group!(benches, sim_drive, vfs);
criterion_main!(benches);
