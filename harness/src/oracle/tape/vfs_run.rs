//! Runs a [`VfsScript`] on the real vfs device in a temporary directory and on the
//! [`VfsModel`], comparing every answer, `is_eom`, the status and `volume_bytes` after
//! each call, and the files on disk at the end; also how a fuzz case draws a script.

use std::path::Path;

use reelcheck_tape::device::{Device, Property, WriteResult};
use reelcheck_tape::vfs::{VfsDevice, VfsFault};

use super::flags::TIMESTAMP;
use super::model::LABEL;
use super::outcome::ErrorKind;
use super::vfs::{HEADER, VfsModel, VfsOutcome, VfsScript};

/// The dump header every file gets (host `h`, disk `/d`, level 0; amanda.md §6).
const DUMP_HEADER: &[u8] = b"AMANDA: FILE 20240101000000 h /d lev 0 comp N program /bin/tar\n\
To restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | \n\x0c\n";

/// Compares one call's answer and the device fields after it.
fn agree(
    call: &str,
    want: &VfsOutcome,
    got: &VfsOutcome,
    m: &VfsModel,
    d: &VfsDevice,
) -> Result<(), String> {
    if want != got {
        return Err(format!("{call}: want {want:?}, got {got:?}"));
    }
    let s = d.state();
    let fields = [
        ("is_eom", m.is_eom.to_string(), s.is_eom.to_string()),
        ("status", m.status.to_string(), s.status.bits().to_string()),
        (
            "volume_bytes",
            m.volume_bytes.to_string(),
            d.volume_bytes().to_string(),
        ),
    ];
    for (name, want, got) in fields {
        if want != got {
            return Err(format!("{call}: {name}: model {want}, device {got}"));
        }
    }
    Ok(())
}

fn outcome<T>(
    r: Result<T, reelcheck_tape::device::DeviceError>,
    ok: impl FnOnce(T) -> VfsOutcome,
) -> VfsOutcome {
    match r {
        Ok(v) => ok(v),
        Err(e) => VfsOutcome::Error(ErrorKind::of(&e)),
    }
}

/// Runs `script` with `faults` on a vfs device and on the model.
///
/// # Errors
/// The first difference, or a temporary directory that could not be made.
pub fn run_vfs(script: &VfsScript, faults: &[VfsFault]) -> Result<u64, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
    let mut d = VfsDevice::new("vfs0", dir.path(), faults.to_vec());
    let setup = [
        Property::BlockSize(script.block_size),
        Property::Leom(script.leom),
        Property::MaxVolumeUsage(script.max_volume_usage),
    ];
    for p in setup {
        d.set_property(p).map_err(|e| format!("set {p:?}: {e}"))?;
    }
    let mut m = VfsModel::new(script, faults);
    let mut calls = 1;
    let want = m.start();
    let got = outcome(
        d.start(
            reelcheck_tape::device::AccessMode::Write,
            Some(LABEL),
            Some(TIMESTAMP),
        ),
        |()| VfsOutcome::Ok,
    );
    agree("start", &want, &got, &m, &d)?;
    if want == VfsOutcome::Ok {
        'files: for (i, blocks) in script.files.iter().enumerate() {
            calls += 1;
            let want = m.start_file();
            let got = outcome(d.start_file(DUMP_HEADER), VfsOutcome::File);
            agree(&format!("start_file {}", i + 1), &want, &got, &m, &d)?;
            if !matches!(want, VfsOutcome::File(_)) {
                break;
            }
            for (b, &len) in blocks.iter().enumerate() {
                calls += 1;
                let want = m.write_block(len);
                let got = outcome(d.write_block(&vec![b as u8; len]), VfsOutcome::Write);
                agree(
                    &format!("file {} write {b} of {len}", i + 1),
                    &want,
                    &got,
                    &m,
                    &d,
                )?;
                if want != VfsOutcome::Write(WriteResult::Success) {
                    let _ = d.finish_file();
                    continue 'files;
                }
            }
            calls += 1;
            let got = outcome(d.finish_file(), |()| VfsOutcome::Ok);
            agree(
                &format!("finish_file {}", i + 1),
                &VfsOutcome::Ok,
                &got,
                &m,
                &d,
            )?;
        }
    }
    let _ = d.finish();
    check_files(d.dir(), &m)?;
    Ok(calls)
}

/// The data files on disk have the model's sizes (header included).
fn check_files(dir: &Path, m: &VfsModel) -> Result<(), String> {
    let mut sizes: Vec<(String, u64)> = std::fs::read_dir(dir)
        .map_err(|e| format!("listing {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let data = name.as_bytes().first().is_some_and(u8::is_ascii_digit)
                && !name.starts_with("00000")
                && !name.contains("-lock");
            let len = e.metadata().ok()?.len();
            data.then_some((name, len))
        })
        .collect();
    sizes.sort();
    let got: Vec<u64> = sizes.iter().map(|(_, len)| *len).collect();
    if got != m.files {
        return Err(format!(
            "files on disk: model {:?}, device {sizes:?}",
            m.files
        ));
    }
    Ok(())
}

/// A random script: 512 B–4 KiB blocks, one to four files of up to twelve blocks (the
/// last may be short), LEOM on or off, MAX_VOLUME_USAGE now and then.
pub fn choose_vfs_script(rand: &mut dyn FnMut(u32) -> u32) -> VfsScript {
    let bs = [512usize, 1024, 4096][rand(3) as usize % 3];
    let files = (0..1 + rand(4))
        .map(|_| {
            let n = rand(13) as usize;
            let mut blocks = vec![bs; n];
            if n > 0 && rand(3) == 0 {
                blocks[n - 1] = 1 + rand(bs as u32 - 1) as usize;
            }
            blocks
        })
        .collect();
    let max_volume_usage = (rand(2) == 0).then(|| {
        HEADER * u64::from(1 + rand(4))
            + u64::from(rand(30)) * bs as u64
            + u64::from(rand(bs as u32))
    });
    VfsScript {
        block_size: bs,
        leom: rand(3) != 0,
        max_volume_usage,
        files,
    }
}

/// Random filesystem faults: the room left, one write failing with EIO, both or none.
pub fn choose_vfs_faults(bs: usize, rand: &mut dyn FnMut(u32) -> u32) -> Vec<VfsFault> {
    let mut faults = Vec::new();
    if rand(2) == 0 {
        let bytes = HEADER * u64::from(rand(4))
            + u64::from(rand(30)) * bs as u64
            + u64::from(rand(bs as u32));
        faults.push(VfsFault::EnospcAfter { bytes });
    }
    if rand(3) == 0 {
        faults.push(VfsFault::EioOnWrite {
            nth: u64::from(rand(30)),
        });
    }
    faults
}
