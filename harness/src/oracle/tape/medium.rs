//! The medium: a tape of files of whole blocks, with mhvtl's capacity and
//! early-warning zone, and the OS driver's way of signalling the early warning.

/// One tape file: its data blocks (as stored) and whether a filemark closed it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelFile {
    /// Data blocks, the header block not included.
    pub blocks: Vec<Vec<u8>>,
    /// A filemark follows the file.
    pub closed: bool,
}

/// What one `write()` of a block did at the medium level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Physical {
    /// The block is on the tape.
    Written,
    /// `-1/ENOSPC` (Linux `st`) or a 0-byte write (BSD, Solaris): nothing written.
    NoSpace,
}

/// The medium of the volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Medium {
    /// Block size: every block takes this much medium (amanda.md §5.6: "tape devices
    /// only write whole blocks"; short blocks are zero-padded).
    pub bs: u64,
    /// Bytes the medium holds; an end-of-medium fault shrinks it.
    pub capacity: u64,
    /// Size of the early-warning zone: the last bytes before the capacity (testbed.md
    /// mhvtl `EARLY_WARNING_SZ`), so it moves with the capacity.
    pub early_warning: u64,
    /// BSD/Solaris signalling instead of Linux `st`.
    pub bsd: bool,
    /// The TAPESTART label block, when the volume is labelled.
    pub label: bool,
    /// Files 1.. in order (index 0 is file 1).
    pub files: Vec<ModelFile>,
    /// Linux `st`: the next write returns ENOSPC (set by a block written into the zone).
    enospc_next: bool,
    /// BSD: the one empty write on entering the zone was given.
    zone_signalled: bool,
}

impl Medium {
    /// A blank medium.
    pub fn blank(bs: usize, capacity: u64, early_warning: u64, bsd: bool) -> Medium {
        Medium {
            bs: bs as u64,
            capacity,
            early_warning,
            bsd,
            label: false,
            files: Vec::new(),
            enospc_next: false,
            zone_signalled: false,
        }
    }

    /// Bytes of medium used: the label block, each file's header block and data blocks
    /// (filemarks take no space, testbed.md mhvtl; a block takes the bytes written,
    /// which is the block size except after a short write).
    pub fn used(&self) -> u64 {
        let headers = u64::from(self.label) + self.files.len() as u64;
        let data: u64 = self
            .files
            .iter()
            .flat_map(|f| &f.blocks)
            .map(|b| b.len() as u64)
            .sum();
        headers * self.bs + data
    }

    /// Erases the medium (`start(WRITE)` rewrites from the beginning of tape).
    pub fn erase(&mut self) {
        self.label = false;
        self.files.clear();
        self.rewind();
    }

    /// A rewind (every `start`): the OS driver forgets the early warning it gave, so the
    /// first write in the zone after it is signalled again.
    pub fn rewind(&mut self) {
        self.enospc_next = false;
        self.zone_signalled = false;
    }

    /// One `write()` of a block at the end of the data.
    ///
    /// - testbed.md mhvtl: a block that would end past the capacity is refused ("No space
    ///   left on media, hit EOM"), nothing written.
    /// - Linux `st` (amanda.md §5.6 "Linux/HP-UX -1/ENOSPC", "next write will succeed"):
    ///   the block ending inside the zone is written and signalled by ENOSPC on the next
    ///   write, which writes nothing; the one after succeeds, and so on.
    /// - FreeBSD/Solaris (§5.6 "0-length write"): the first write into the zone returns 0,
    ///   nothing written; later writes succeed until the physical end.
    pub fn write(&mut self) -> Physical {
        let end = self.used() + self.bs;
        if end > self.capacity {
            return Physical::NoSpace;
        }
        let in_zone = end > self.capacity.saturating_sub(self.early_warning);
        if self.bsd {
            if in_zone && !self.zone_signalled {
                self.zone_signalled = true;
                return Physical::NoSpace;
            }
        } else if self.enospc_next {
            self.enospc_next = false;
            return Physical::NoSpace;
        } else if in_zone {
            self.enospc_next = true;
        }
        Physical::Written
    }

    /// The physical end of medium is here (an `end-of-medium` fault).
    pub fn end_here(&mut self) {
        self.capacity = self.used();
    }
}
