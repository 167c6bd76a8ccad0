//! Writing one file through the device (header, then blocks until done or
//! refused) and reading one back, comparing it with what was reported written.

use std::num::NonZeroU32;

use reelcheck_tape::device::{Device, ReadResult, SeekResult, WriteResult};
use reelcheck_tape::header::{DumpHeader, Header};

use super::dut::Dut;
use super::observed::{Observed, ReadOutcome, WriteOutcome, WrittenFile};
use super::schema::{ReadEnd, TIMESTAMP, WriteEnd};

/// The most blocks one `write-file` step writes (a bound on every loop).
pub const MAX_BLOCKS: u64 = 1 << 16;

/// Writes one file: its header, then `data` in blocks, until done, refused, or (with
/// `stop_at_leom`) at the early warning.
#[allow(clippy::too_many_arguments)]
pub(super) fn write_file(
    dut: &mut Dut,
    data: &[u8],
    host: &str,
    disk: &str,
    level: u32,
    part: Option<u32>,
    stop_at_leom: bool,
    obs: &mut Observed,
) -> WriteOutcome {
    let mut out = WriteOutcome {
        file: None,
        blocks: 0,
        bytes: 0,
        leom_block: None,
        leom_at_header: false,
        end: WriteEnd::Complete,
        at_block: None,
    };
    let header = match part.and_then(NonZeroU32::new) {
        Some(p) => DumpHeader::split(TIMESTAMP, host, disk, level, "/bin/tar", p, None),
        None => DumpHeader::file(TIMESTAMP, host, disk, level, "/bin/tar"),
    };
    let text = match Header::Dump(Box::new(header)).to_text() {
        Ok(t) => t,
        Err(e) => {
            obs.errors.push(format!("header: {e}"));
            out.end = WriteEnd::NoFile;
            return out;
        }
    };
    let volume = dut.volume_id().unwrap_or_default();
    let file = match dut.dev().start_file(text.as_bytes()) {
        Ok(f) => f,
        Err(e) => {
            obs.errors.push(e.to_string());
            out.end = WriteEnd::NoFile;
            return out;
        }
    };
    out.file = Some(file);
    // Writing file N on a tape erases it and everything after it.
    obs.written
        .retain(|w| !(w.volume == volume && w.file >= file));
    let eom_before = dut.dev_ref().state().is_eom;
    out.leom_at_header = eom_before;
    let mut written = WrittenFile {
        volume,
        file,
        blocks: Vec::new(),
        failed: false,
    };
    let bs = dut.dev_ref().properties().block_size.max(1);
    let mut leom_seen = eom_before;
    for (i, chunk) in data.chunks(bs).enumerate().take(MAX_BLOCKS as usize) {
        let block = i as u64;
        let result = dut.dev().write_block(chunk);
        let leom_now = dut.dev_ref().state().is_eom;
        match result {
            Ok(WriteResult::Success) => {
                written.blocks.push(chunk.to_vec());
                out.blocks += 1;
                out.bytes += chunk.len() as u64;
                if leom_now && !leom_seen {
                    out.leom_block = Some(block);
                }
                leom_seen = leom_now;
                if stop_at_leom && leom_now {
                    break;
                }
            }
            Ok(r) => {
                out.end = match r {
                    WriteResult::Failed => WriteEnd::Failed,
                    WriteResult::Space => WriteEnd::Space,
                    WriteResult::Full => WriteEnd::Full,
                    WriteResult::Success => WriteEnd::Complete,
                };
                written.failed = r == WriteResult::Failed;
                out.at_block = Some(block);
                if let Some(e) = dut.dev_ref().last_error() {
                    obs.errors.push(e.to_string());
                }
                break;
            }
            Err(e) => {
                obs.errors.push(e.to_string());
                out.end = WriteEnd::Failed;
                out.at_block = Some(block);
                written.failed = true;
                break;
            }
        }
    }
    if let Err(e) = dut.dev().finish_file() {
        obs.errors.push(e.to_string());
    }
    obs.written.push(written);
    out
}

/// What reading one file back found, compared with what was written.
pub(super) fn compare_file(
    dev: &mut dyn Device,
    file: u32,
    from_block: u64,
    expected: Option<&WrittenFile>,
    pad_to: Option<usize>,
) -> (ReadEnd, Option<u64>, u64) {
    match dev.seek_file(file) {
        Ok(SeekResult::File { file: got, .. }) if got == file => {}
        _ => return (ReadEnd::NoFile, None, 0),
    }
    if from_block > 0 && dev.seek_block(from_block).is_err() {
        return (ReadEnd::Error, Some(from_block), from_block);
    }
    let bs = dev.properties().block_size.max(1);
    let mut buf = vec![0u8; bs];
    let want: Vec<u8> = match expected {
        Some(w) => w
            .blocks
            .iter()
            .flat_map(|b| {
                let mut b = b.clone();
                if let Some(p) = pad_to {
                    b.resize(p.max(b.len()), 0);
                }
                b
            })
            .collect(),
        None => Vec::new(),
    };
    // Reading starts at block `from_block`: every block before it is `bs` bytes (padded
    // on tape, full on vfs, since only the last block of a file may be short).
    let skip = usize::try_from(from_block)
        .unwrap_or(usize::MAX)
        .saturating_mul(bs)
        .min(want.len());
    let want = &want[skip..];
    let failed = expected.is_some_and(|w| w.failed);
    let mut got: Vec<u8> = Vec::new();
    let mut block = from_block;
    for _ in 0..MAX_BLOCKS {
        match dev.read_block(&mut buf) {
            Ok(ReadResult::Block(n)) => {
                let start = got.len();
                got.extend_from_slice(&buf[..n]);
                let end = got.len().min(want.len());
                if start < want.len() && got[start..end] != want[start..end] {
                    return (ReadEnd::Corrupt, Some(block), block);
                }
                if got.len() > want.len() && !failed {
                    return (ReadEnd::Long, Some(block), block + 1);
                }
                block += 1;
            }
            Ok(ReadResult::Eof) => {
                if got.len() < want.len() {
                    return (ReadEnd::Short, Some(block), block);
                }
                return (ReadEnd::Identical, None, block);
            }
            Err(_) => return (ReadEnd::Error, Some(block), block),
        }
    }
    (ReadEnd::Long, Some(block), block)
}

/// `read-file`: reads one file back through the device under test and compares it
/// with what the script wrote there.
pub(super) fn read_file(
    dut: &mut Dut,
    file: u32,
    from_block: u64,
    obs: &mut Observed,
) -> ReadOutcome {
    let volume = dut.volume_id().unwrap_or_default();
    let pad = match dut {
        Dut::Vfs { .. } => None,
        _ => Some(dut.dev_ref().properties().block_size),
    };
    let expected = obs
        .written
        .iter()
        .find(|w| w.volume == volume && w.file == file);
    let (result, block, _) = compare_file(dut.dev(), file, from_block, expected, pad);
    if result == ReadEnd::Error
        && let Some(e) = dut.dev_ref().last_error()
    {
        obs.errors.push(e.to_string());
    }
    ReadOutcome {
        file,
        result,
        block,
    }
}

#[cfg(test)]
mod tests {
    use reelcheck_tape::device::{AccessMode, Device};
    use reelcheck_tape::sim::{SimConfig, SimDrive, Volume, VolumeSpec};

    use super::{ReadEnd, TIMESTAMP, WrittenFile, compare_file};

    /// A drive holding file 1 with blocks of 0x01, 0x02, 0x03, started for reading.
    fn drive_with_three_blocks() -> SimDrive {
        let mut d = SimDrive::new("tape0", SimConfig::default(), Vec::new());
        d.load(Volume::blank("VOL-1", VolumeSpec::new(64 << 20)))
            .unwrap();
        d.start(AccessMode::Write, Some("L-1"), Some(TIMESTAMP))
            .unwrap();
        d.start_file(b"AMANDA: FILE 20240101000000 h /d lev 0 comp N program /bin/tar\n\x0c\n")
            .unwrap();
        for fill in 1..=3u8 {
            d.write_block(&[fill; 32768]).unwrap();
        }
        d.finish().unwrap();
        d.start(AccessMode::Read, None, None).unwrap();
        d
    }

    fn written(blocks: &[u8], failed: bool) -> WrittenFile {
        WrittenFile {
            volume: "VOL-1".into(),
            file: 1,
            blocks: blocks.iter().map(|&b| vec![b; 32768]).collect(),
            failed,
        }
    }

    #[test]
    fn read_back_finds_lost_changed_and_unreported_blocks() {
        let check = |w: WrittenFile| {
            let mut d = drive_with_three_blocks();
            let (end, block, _) = compare_file(&mut d, 1, 0, Some(&w), Some(32768));
            (end, block)
        };
        assert_eq!(
            check(written(&[1, 2, 3], false)),
            (ReadEnd::Identical, None)
        );
        // A block reported written but missing from the medium.
        assert_eq!(
            check(written(&[1, 2, 3, 4], false)),
            (ReadEnd::Short, Some(3))
        );
        // A block that changed.
        assert_eq!(
            check(written(&[1, 9, 3], false)),
            (ReadEnd::Corrupt, Some(1))
        );
        // A block on the medium that no write reported: only allowed after a FAILED write.
        assert_eq!(check(written(&[1, 2], false)), (ReadEnd::Long, Some(2)));
        assert_eq!(check(written(&[1, 2], true)), (ReadEnd::Identical, None));
        let mut d = drive_with_three_blocks();
        assert_eq!(compare_file(&mut d, 2, 0, None, None).0, ReadEnd::NoFile);
    }
}
