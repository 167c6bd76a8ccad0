//! The restore hint that ends every dump header, encoded and parsed side by side:
//! `To restore, ...` and `\tdd if=<tape> bs=Nk skip=1 | <pipeline>`, and the pipeline's
//! commands.

use std::fmt::Write as _;
use std::num::NonZeroU32;

use super::dump::DumpHeader;
use super::error::{HeaderError, invalid};
use super::rules::check_line;
use super::words::parse_int;

const RESTORE_HINT: &str = "To restore, position tape at start of file and run:";
const DD_PREFIX: &str = "\tdd if=<tape> ";
const SKIP: &str = "skip=1 | ";

/// Writes the two restore lines and the header terminator.
pub(super) fn encode(d: &DumpHeader, out: &mut String) -> Result<(), HeaderError> {
    out.push_str(RESTORE_HINT);
    out.push('\n');
    out.push_str(DD_PREFIX);
    if let Some(bs) = d.block_kib {
        let _ = write!(out, "bs={bs}k ");
    }
    out.push_str(SKIP);
    check_line("restore_pipeline", &d.restore_pipeline)?;
    out.push_str(&d.restore_pipeline);
    out.push_str("\n\u{c}\n");
    Ok(())
}

/// Reads the restore lines at the end of `lines` (everything after the first line,
/// ending with the `\n` before the form feed) into `d`; returns the lines between.
pub(super) fn parse<'a>(d: &mut DumpHeader, lines: &'a str) -> Result<Vec<&'a str>, HeaderError> {
    let lines = lines.strip_suffix('\n').ok_or(HeaderError::Missing {
        field: "restore hint",
    })?;
    let mut all: Vec<&str> = lines.split('\n').collect();
    let n = all.len();
    if n < 2 || all[n - 2] != RESTORE_HINT {
        return Err(HeaderError::Field {
            field: "restore hint",
            expected: RESTORE_HINT,
            found: all.get(n.wrapping_sub(2)).copied().unwrap_or("").to_owned(),
        });
    }
    parse_dd_line(d, all[n - 1])?;
    all.truncate(n - 2);
    Ok(all)
}

/// The `dd` line: optional `bs=Nk`, then `skip=1 | ` and the pipeline.
fn parse_dd_line(d: &mut DumpHeader, line: &str) -> Result<(), HeaderError> {
    let bad = |expected: &'static str| HeaderError::Field {
        field: "restore command",
        expected,
        found: line.to_owned(),
    };
    let mut rest = line
        .strip_prefix(DD_PREFIX)
        .ok_or_else(|| bad("\\tdd if=<tape> [bs=Nk ]skip=1 | ..."))?;
    if let Some(r) = rest.strip_prefix("bs=") {
        let end = r.find('k').ok_or_else(|| bad("bs=Nk"))?;
        let kib: u32 = parse_int(&r[..end], "restore command", "bs=Nk")?;
        d.block_kib = Some(NonZeroU32::new(kib).ok_or_else(|| bad("bs=Nk with N > 0"))?);
        rest = r[end + 1..]
            .strip_prefix(' ')
            .ok_or_else(|| bad("a space after bs=Nk"))?;
    }
    d.restore_pipeline = rest
        .strip_prefix(SKIP)
        .ok_or_else(|| bad("skip=1 | "))?
        .to_owned();
    Ok(())
}

impl DumpHeader {
    /// Sets the restore pipeline as `build_header` writes it: each command
    /// followed by a space; decrypt and uncompress commands must end in `|`
    /// and are written only together with a recover command.
    pub fn set_restore_commands(
        &mut self,
        decrypt: Option<&str>,
        uncompress: Option<&str>,
        recover: Option<&str>,
    ) -> Result<(), HeaderError> {
        let mut out = String::new();
        match recover {
            Some(rec) if !rec.is_empty() => {
                for (field, cmd) in [("decrypt_cmd", decrypt), ("uncompress_cmd", uncompress)] {
                    if let Some(cmd) = cmd.filter(|c| !c.is_empty()) {
                        if !cmd.ends_with('|') {
                            return Err(invalid(field, cmd, "must end with '|'"));
                        }
                        out.push_str(cmd);
                        out.push(' ');
                    }
                }
                out.push_str(rec);
                out.push(' ');
            }
            _ => {
                if decrypt.is_some_and(|c| !c.is_empty())
                    || uncompress.is_some_and(|c| !c.is_empty())
                {
                    return Err(invalid(
                        "recover_cmd",
                        "",
                        "uncompress_cmd or decrypt_cmd needs a recover_cmd",
                    ));
                }
            }
        }
        check_line("restore_pipeline", &out)?;
        self.restore_pipeline = out;
        Ok(())
    }

    /// The commands of the restore pipeline split as Amanda's parser does:
    /// `(decrypt_cmd, uncompress_cmd, recover_cmd)`; with two commands the
    /// first is reported as the uncompress command.
    pub fn restore_commands(&self) -> (Option<String>, Option<String>, Option<String>) {
        let cmds: Vec<&str> = self
            .restore_pipeline
            .splitn(3, '|')
            .map(str::trim)
            .collect();
        let piped = |s: &str| Some(format!("{s} |"));
        let rec = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        match cmds.as_slice() {
            [one] => (None, None, rec(one)),
            [a, b] => (None, piped(a), rec(b)),
            [a, b, c] => (piped(a), piped(b), rec(c)),
            _ => (None, None, None),
        }
    }
}
