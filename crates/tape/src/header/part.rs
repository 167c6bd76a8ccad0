//! The split part on a dump header's first line, encoded and parsed side by side:
//! ` part N/M ` for `SPLIT_FILE` (`M` = -1 when the total is unknown), nothing otherwise.

use std::num::NonZeroU32;

use super::dump::DumpKind;
use super::error::{HeaderError, invalid};
use super::file_type::FileType;
use super::words::{expect_word, parse_int, word};

/// The part text of the first line, with its surrounding spaces (empty for whole files).
pub(super) fn encode(kind: DumpKind) -> Result<String, HeaderError> {
    let DumpKind::SplitFile { part, total } = kind else {
        return Ok(String::new());
    };
    if let Some(t) = total {
        if part.get() > t {
            return Err(invalid(
                "partnum",
                &format!("{part}/{t}"),
                "part number above total parts",
            ));
        }
        if t > i32::MAX as u32 {
            return Err(invalid(
                "totalparts",
                &t.to_string(),
                "above Amanda's int range",
            ));
        }
    }
    if part.get() > i32::MAX as u32 {
        return Err(invalid(
            "partnum",
            &part.to_string(),
            "above Amanda's int range",
        ));
    }
    Ok(format!(" part {}/{} ", part, total.map_or(-1, i64::from)))
}

/// The dump kind of a `ftype` header, reading `part N/M` from `rest` for `SPLIT_FILE`.
pub(super) fn parse(ftype: FileType, rest: &mut &str) -> Result<DumpKind, HeaderError> {
    match ftype {
        FileType::SplitFile => {}
        FileType::ContFile => return Ok(DumpKind::ContFile),
        _ => return Ok(DumpKind::File),
    }
    expect_word(rest, "part", "part")?;
    let pm = word(rest, "partnum")?;
    let (p, m) = pm.split_once('/').ok_or_else(|| HeaderError::Field {
        field: "partnum",
        expected: "N/M",
        found: pm.clone(),
    })?;
    let part: u32 = parse_int(p, "partnum", "a part number from 1")?;
    let part = NonZeroU32::new(part).ok_or_else(|| HeaderError::Field {
        field: "partnum",
        expected: "a part number from 1",
        found: p.to_owned(),
    })?;
    let total = if m == "-1" {
        None
    } else {
        let t: u32 = parse_int(m, "totalparts", "a part count or -1")?;
        if part.get() > t {
            return Err(HeaderError::Field {
                field: "totalparts",
                expected: "a count not below the part number",
                found: pm.clone(),
            });
        }
        Some(t)
    };
    Ok(DumpKind::SplitFile { part, total })
}
