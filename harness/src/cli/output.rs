//! What every command shares for its output: stdout lines that survive a
//! closed pipe, and the exit code of a verdict.

use std::process::ExitCode;

/// Writes one line to stdout; a closed pipe ends the process with status 0.
pub(crate) fn write_stdout(line: &str) {
    use std::io::Write as _;
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("reelcheck: cannot write to stdout: {e}");
        std::process::exit(2);
    }
}

/// Exit code 0 for a pass, 1 for a failed scenario, case or check.
pub(crate) fn verdict_code(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
