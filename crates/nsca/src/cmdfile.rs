//! What nsca 2.10.2 writes for an accepted result: the external command line and the
//! checkresult file.
//!
//! Sanitising (2.10.1+): host and service are cut at their first LF; in the output every `\`
//! becomes `\\` and every LF becomes `\n` (two characters). CR, TAB, `;` and `|` pass through.
//! The timestamp is the server's clock when writing, never the packet's.

use crate::codec::CheckResult;

/// The bytes up to the first LF (nsca's `truncate_newlines`).
pub fn cut_at_newline(s: &[u8]) -> &[u8] {
    let end = s.iter().position(|&b| b == b'\n').unwrap_or(s.len());
    &s[..end]
}

/// nsca's `escape_newlines`: `\` → `\\`, LF → `\n`.
pub fn escape_output(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() + 8);
    for &b in s {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\n' => out.extend_from_slice(b"\\n"),
            _ => out.push(b),
        }
    }
    out
}

/// One command-file line, LF included:
/// `[now] PROCESS_SERVICE_CHECK_RESULT;host;svc;rc;output` or
/// `[now] PROCESS_HOST_CHECK_RESULT;host;rc;output` (empty service after sanitising).
pub fn command_line(result: &CheckResult, now: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + result.output.len());
    write_command_line(&mut out, result, now);
    out
}

/// Appends [`command_line`] to `out` (no allocation when `out` has room).
pub fn write_command_line(out: &mut Vec<u8>, result: &CheckResult, now: u64) {
    let host = cut_at_newline(&result.host);
    let service = cut_at_newline(&result.service);
    out.push(b'[');
    out.extend_from_slice(now.to_string().as_bytes());
    if service.is_empty() {
        out.extend_from_slice(b"] PROCESS_HOST_CHECK_RESULT;");
        out.extend_from_slice(host);
    } else {
        out.extend_from_slice(b"] PROCESS_SERVICE_CHECK_RESULT;");
        out.extend_from_slice(host);
        out.push(b';');
        out.extend_from_slice(service);
    }
    out.push(b';');
    out.extend_from_slice(result.return_code.to_string().as_bytes());
    out.push(b';');
    out.extend_from_slice(&escape_output(&result.output));
    out.push(b'\n');
}

/// The content of a checkresult file (`<check_result_path>/cXXXXXX`, umask 077, followed by an
/// empty `<file>.ok`), as nsca 2.10.2 writes it.
///
/// `now` is used for `file_time`, `start_time` and `finish_time`; the `# Time:` comment is
/// `ctime(now)` rendered with `utc_offset_secs` (the server's local time zone offset).
pub fn checkresult_file(result: &CheckResult, now: i64, utc_offset_secs: i64) -> Vec<u8> {
    let host = cut_at_newline(&result.host);
    let service = cut_at_newline(&result.service);
    let mut out = Vec::with_capacity(300 + result.output.len());
    out.extend_from_slice(b"### NSCA Passive Check Result ###\n");
    out.extend_from_slice(format!("# Time: {}", ctime(now + utc_offset_secs)).as_bytes());
    out.extend_from_slice(format!("file_time={now}\n\n").as_bytes());
    let kind = if service.is_empty() {
        "Host"
    } else {
        "Service"
    };
    out.extend_from_slice(format!("### {kind} Check Result ###\n").as_bytes());
    out.extend_from_slice(b"host_name=");
    out.extend_from_slice(host);
    out.push(b'\n');
    if !service.is_empty() {
        out.extend_from_slice(b"service_description=");
        out.extend_from_slice(service);
        out.push(b'\n');
    }
    out.extend_from_slice(b"check_type=1\nscheduled_check=0\nreschedule_check=0\nlatency=0\n");
    out.extend_from_slice(format!("start_time={now}.0\nfinish_time={now}.0\n").as_bytes());
    out.extend_from_slice(format!("return_code={}\n", result.return_code).as_bytes());
    out.extend_from_slice(b"output=");
    out.extend_from_slice(&escape_output(&result.output));
    out.extend_from_slice(b"\n\n");
    out
}

/// C `ctime` of a (local) epoch time: `"Tue Nov 24 19:55:55 2026\n"`.
pub fn ctime(t: i64) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let wday = DAYS[days.rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!(
        "{wday} {month}{d:>3} {:02}:{:02}:{:02} {y}\n",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

/// Days since 1970-01-01 → (year, month 1..=12, day 1..=31) (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ctime_matches_c_format() {
        // 1795550155 is the file_time of the reference checkresult file ("Tue Nov 24 19:55:55 2026" local).
        assert_eq!(ctime(0), "Thu Jan  1 00:00:00 1970\n");
        assert_eq!(ctime(1_795_550_155), "Tue Nov 24 19:55:55 2026\n");
    }
}
