//! How a fuzz case draws its steps and its faults from the model's state.

use reelcheck_tape::device::AccessMode;
use reelcheck_tape::sim::TapeFault;

use super::config::BARCODE;
use super::model::Model;
use super::step::Step;

/// Any step at all, misuse included.
fn any_step(bs: usize, rand: &mut dyn FnMut(u32) -> u32) -> Step {
    let modes = [
        AccessMode::Write,
        AccessMode::Append,
        AccessMode::Read,
        AccessMode::Null,
    ];
    match rand(16) {
        0 => Step::ReadLabel,
        1..=4 => Step::Start {
            mode: modes[rand(4) as usize % 4],
        },
        5 => Step::StartFile,
        6 => Step::FinishFile,
        7 => Step::Finish,
        8 => Step::SeekFile { file: rand(6) },
        9 => Step::SeekBlock {
            block: u64::from(rand(6)),
        },
        10 => Step::Read,
        11 => Step::Eject,
        12 => Step::Reload,
        13 => Step::Reset,
        14 => Step::SetLeom { on: rand(2) == 1 },
        _ => Step::Write {
            len: rand(bs as u32 + 2) as usize,
            fill: rand(256) as u8,
        },
    }
}

/// A random next step for `model`, weighted by its state so that runs write files and read
/// them back, with a steady share of misuse; `rand(n)` returns a number in `0..n`.
pub fn choose_step(model: &Model, rand: &mut dyn FnMut(u32) -> u32) -> Step {
    let bs = model.bs;
    let roll = rand(100);
    let write = |rand: &mut dyn FnMut(u32) -> u32, len: usize| Step::Write {
        len,
        fill: rand(256) as u8,
    };
    match (model.mode, model.in_file) {
        (AccessMode::Null, _) => match roll {
            0..=18 => Step::Start {
                mode: AccessMode::Write,
            },
            19..=36 => Step::Start {
                mode: AccessMode::Append,
            },
            37..=72 => Step::Start {
                mode: AccessMode::Read,
            },
            _ => any_step(bs, rand),
        },
        (AccessMode::Read, _) => match roll {
            0..=21 => Step::SeekFile {
                file: rand(model.medium.files.len() as u32 + 2),
            },
            22..=87 => Step::Read,
            88..=92 => Step::SeekBlock {
                block: u64::from(rand(6)),
            },
            93..=96 => Step::Finish,
            _ => any_step(bs, rand),
        },
        (_, false) => match roll {
            0..=65 => Step::StartFile,
            66..=87 => Step::Finish,
            _ => any_step(bs, rand),
        },
        (_, true) => match roll {
            0..=62 => write(rand, bs),
            63..=79 => {
                let len = rand(bs as u32 + 2) as usize;
                write(rand, len)
            }
            80..=88 => Step::FinishFile,
            89..=93 => Step::Finish,
            _ => any_step(bs, rand),
        },
    }
}

/// Up to four random faults placed where a case's files are likely to be (files 1–3,
/// data blocks 0–7), now and then limited to the volume or to another one.
pub fn choose_faults(rand: &mut dyn FnMut(u32) -> u32) -> Vec<TapeFault> {
    let count = match rand(10) {
        0..=2 => 0,
        3..=6 => 1,
        7..=8 => 2,
        _ => 2 + rand(3),
    };
    (0..count).map(|_| choose_fault(rand)).collect()
}

fn choose_fault(rand: &mut dyn FnMut(u32) -> u32) -> TapeFault {
    let volume = match rand(8) {
        0 => Some(BARCODE.to_string()),
        1 => Some("VOL-2".to_string()),
        _ => None,
    };
    let file = 1 + rand(3);
    let block = u64::from(rand(8));
    match rand(9) {
        0 => TapeFault::WriteError {
            volume,
            file,
            block,
        },
        1 => TapeFault::ReadError {
            volume,
            file,
            block,
        },
        2 => TapeFault::ShortWrite {
            volume,
            file,
            block,
            written: rand(64) as usize,
        },
        3 => TapeFault::Offline {
            volume,
            file,
            block,
        },
        4 => TapeFault::Ejected {
            volume,
            file,
            block,
        },
        5 => TapeFault::LabelUnreadable { volume },
        6 => TapeFault::CorruptRead {
            volume,
            file,
            block,
            offset: rand(256) as usize,
            mask: rand(256) as u8,
        },
        7 => TapeFault::EarlyWarning {
            volume,
            file,
            block,
        },
        _ => TapeFault::EndOfMedium {
            volume,
            file,
            block,
        },
    }
}
