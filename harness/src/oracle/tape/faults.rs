//! The model's own bookkeeping of `TapeFault`s: where each fires, and that it fires once.
//!
//! From the fault model documented on `TapeFault` (sim/fault.rs): a fault names a data
//! block of a file (blocks from 0, the header block not counted; files from 1) or the next
//! label read, optionally limited to one barcode; it fires the first time the drive reaches
//! its place with an operation it applies to, and is then spent.

use reelcheck_tape::sim::TapeFault;

/// Which data operation reaches a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// `write_block`.
    Write,
    /// `read_block`.
    Read,
}

/// Pending and fired faults.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Faults {
    pending: Vec<TapeFault>,
    fired: Vec<TapeFault>,
}

/// True when `fault` applies to volume `barcode`.
fn on_volume(fault: &TapeFault, barcode: &str) -> bool {
    fault.volume().is_none_or(|v| v == barcode)
}

/// The place of a block fault, if `fault` is one that fires on `reach`.
fn place(fault: &TapeFault, reach: Reach) -> Option<(u32, u64)> {
    use TapeFault as F;
    match (fault, reach) {
        (
            F::WriteError { file, block, .. }
            | F::ShortWrite { file, block, .. }
            | F::EarlyWarning { file, block, .. }
            | F::EndOfMedium { file, block, .. },
            Reach::Write,
        )
        | (F::ReadError { file, block, .. } | F::CorruptRead { file, block, .. }, Reach::Read)
        | (F::Offline { file, block, .. } | F::Ejected { file, block, .. }, _) => {
            Some((*file, *block))
        }
        _ => None,
    }
}

impl Faults {
    /// All of `faults` pending.
    pub fn new(faults: Vec<TapeFault>) -> Faults {
        Faults {
            pending: faults,
            fired: Vec::new(),
        }
    }

    /// Faults that fired, oldest first.
    pub fn fired(&self) -> &[TapeFault] {
        &self.fired
    }

    /// The first pending fault placed at `(file, block)` for `reach`, now spent.
    pub fn take_block(
        &mut self,
        reach: Reach,
        barcode: &str,
        file: u32,
        block: u64,
    ) -> Option<TapeFault> {
        let i = self
            .pending
            .iter()
            .position(|f| on_volume(f, barcode) && place(f, reach) == Some((file, block)))?;
        Some(self.spend(i))
    }

    /// The first pending label fault for `barcode`, now spent.
    pub fn take_label(&mut self, barcode: &str) -> Option<TapeFault> {
        let i = self.pending.iter().position(|f| {
            matches!(f, TapeFault::LabelUnreadable { .. }) && on_volume(f, barcode)
        })?;
        Some(self.spend(i))
    }

    fn spend(&mut self, i: usize) -> TapeFault {
        let fault = self.pending.remove(i);
        self.fired.push(fault.clone());
        fault
    }
}
