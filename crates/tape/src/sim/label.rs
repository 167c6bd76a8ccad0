//! The TAPESTART label block a drive writes in `start(Write)` and reads in `read_label`.
//!
//! Amanda's format (reference §6): `"AMANDA: TAPESTART DATE %s TAPE %s\n\014\n"`, NUL
//! padded to the block. Only this one header type is handled here; file headers are
//! opaque to the drive and belong to [`crate::header`].

/// The TAPESTART block for `label` written at `timestamp`, padded with NULs to `size`.
/// `None` when it does not fit.
pub fn build_tapestart(label: &str, timestamp: &str, size: usize) -> Option<Vec<u8>> {
    let text = format!("AMANDA: TAPESTART DATE {timestamp} TAPE {label}\n\x0c\n");
    if text.len() > size {
        return None;
    }
    let mut block = text.into_bytes();
    block.resize(size, 0);
    Some(block)
}

/// Parses a TAPESTART block into `(label, timestamp)`; the error says what is wrong.
pub fn parse_tapestart(block: &[u8]) -> Result<(String, String), String> {
    let end = block
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("no header line")?;
    let line = std::str::from_utf8(&block[..end]).map_err(|_| "header line is not UTF-8")?;
    let mut words = line.split(' ');
    let fields = [
        words.next(),
        words.next(),
        words.next(),
        words.next(),
        words.next(),
        words.next(),
    ];
    match fields {
        [
            Some("AMANDA:"),
            Some("TAPESTART"),
            Some("DATE"),
            Some(ts),
            Some("TAPE"),
            Some(label),
        ] if words.next().is_none() && !label.is_empty() => Ok((label.to_string(), ts.to_string())),
        [Some("AMANDA:"), Some(kind), ..] => Err(format!("not a TAPESTART header: {kind}")),
        _ => Err("not an Amanda header".to_string()),
    }
}
