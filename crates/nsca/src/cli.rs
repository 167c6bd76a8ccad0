//! The send_nsca 2.10 command line, hand-parsed (`-to` and `-ds` are not clap-shaped), and
//! [`send_nsca_main`], a drop-in send_nsca: same flags, stdin format, messages and exit codes.
//!
//! Exit codes: 0 when at least one packet was sent; 2 for zero packets, connection, init,
//! timeout, cipher and config errors; 3 for usage, help, license, version and send errors;
//! 255 for an input set longer than 5120 bytes.
//!
//! Differences from 2.10 (deliberate): `-d`/`-ds` as the last argument is a usage error
//! (2.10 crashes). In-process, [`send_nsca_main`] checks the `-to` deadline between reads of
//! standard input (a stdin that blocks forever is not interrupted); the `send_nsca` process
//! ([`send_nsca_process`]) adds 2.10's alarm and so also ends a run blocked on stdin.
#![allow(
    clippy::disallowed_methods,
    clippy::disallowed_types,
    reason = "the send_nsca shell: standard streams, the alarm thread and OS-seeded filler"
)]

use std::ffi::OsString;
use std::io::{ErrorKind, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use crate::client::{Client, DEFAULT_PORT, DEFAULT_TIMEOUT_SECS};
use crate::codec::{Filler, PacketSize};
use crate::config::SendNscaConfig;
use crate::cstr::{atoi, strtol};
use crate::error::{ClientError, ConfigError, UsageError};
use crate::input::{DEFAULT_SET_DELIMITER, InputFormat, SetSplitter, parse_set};

/// The config file Debian's send_nsca reads when `-c` is not given.
pub const DEFAULT_CONFIG: &str = "/etc/send_nsca.cfg";
/// The version send_nsca reports.
pub const PROGRAM_VERSION: &str = "2.10.2";
const MODIFICATION_DATE: &str = "2022-06-06";
/// send_nsca's `MAX_HOST_ADDRESS_LENGTH` − 1.
const MAX_HOST: usize = 255;

/// A parsed send_nsca command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendNscaArgs {
    /// Server (`-H`, or the first argument in the old syntax).
    pub host: String,
    /// Port (`-p`, C `atoi`; outside 0..=65535 fails name resolution as in 2.10).
    pub port: i32,
    /// Whole-run timeout in seconds (`-to`, > 0).
    pub timeout_secs: u32,
    /// Field delimiter (`-d`); `None` for an empty delimiter.
    pub delimiter: Option<u8>,
    /// Set delimiter (`-ds`, default ETB 0x17).
    pub set_delimiter: u8,
    /// Config file (`-c`, default `/etc/send_nsca.cfg`).
    pub config_file: PathBuf,
    /// `--legacy-2-7-mode` (send_nsca.cfg `legacy_2_7_mode` takes precedence).
    pub legacy_2_7_mode: bool,
    /// `--quiet`.
    pub quiet: bool,
    /// `-h`/`--help`, or no argument at all.
    pub help: bool,
    /// `-l`/`--license`.
    pub license: bool,
    /// `-V`/`--version`.
    pub version: bool,
}

impl Default for SendNscaArgs {
    fn default() -> Self {
        Self {
            host: String::new(),
            port: i32::from(DEFAULT_PORT),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
            delimiter: Some(b'\t'),
            set_delimiter: DEFAULT_SET_DELIMITER,
            config_file: PathBuf::from(DEFAULT_CONFIG),
            legacy_2_7_mode: false,
            quiet: false,
            help: false,
            license: false,
            version: false,
        }
    }
}

/// send_nsca's `parse_delimiter`: one literal byte, or a number (`0x2c`, `44`, `054`) when the
/// argument is longer than one byte and starts with a digit, `+` or `-`. Returns the byte
/// (0 = empty delimiter).
fn parse_delimiter(arg: &[u8]) -> Result<u8, UsageError> {
    if arg.len() > 1 && (arg[0].is_ascii_digit() || arg[0] == b'+' || arg[0] == b'-') {
        let (v, overflow) = strtol(arg, 0);
        if overflow {
            return Err(UsageError::BadDelimiter {
                value: String::from_utf8_lossy(arg).into(),
            });
        }
        Ok(v as u8)
    } else {
        Ok(arg.first().copied().unwrap_or(0))
    }
}

/// Parses `args` (with `args[0]` the program name) exactly as send_nsca 2.10 does.
pub fn parse_args(args: &[OsString]) -> Result<SendNscaArgs, UsageError> {
    let mut out = SendNscaArgs::default();
    if args.len() < 2 {
        out.help = true;
        return Ok(out);
    }
    let arg = |i: usize| args[i].as_bytes();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    // Old syntax: the first argument is always taken as the server name first.
    out.host = text(&arg(1)[..arg(1).len().min(MAX_HOST)]);
    let mut i = 1;
    while i < args.len() {
        let a = arg(i);
        let value = |opt: &[u8]| -> Result<&[u8], UsageError> {
            args.get(i + 1)
                .map(|v| v.as_bytes())
                .ok_or_else(|| UsageError::MissingValue { option: text(opt) })
        };
        match a {
            b"-h" | b"--help" => out.help = true,
            b"-l" | b"--license" => out.license = true,
            b"-V" | b"--version" => out.version = true,
            b"--quiet" => out.quiet = true,
            b"--legacy-2-7-mode" => out.legacy_2_7_mode = true,
            b"-H" => {
                let v = value(a)?;
                out.host = text(&v[..v.len().min(MAX_HOST)]);
                i += 1;
            }
            b"-p" => {
                out.port = atoi(value(a)?);
                i += 1;
            }
            b"-to" => {
                let v = value(a)?;
                let t = atoi(v);
                if t <= 0 {
                    return Err(UsageError::BadTimeout { value: text(v) });
                }
                out.timeout_secs = t as u32;
                i += 1;
            }
            b"-c" => {
                let v = value(a)?;
                out.config_file = PathBuf::from(std::ffi::OsStr::from_bytes(v));
                i += 1;
            }
            b"-d" => {
                let d = parse_delimiter(value(a)?)?;
                out.delimiter = (d != 0).then_some(d);
                i += 1;
            }
            b"-ds" => {
                out.set_delimiter = parse_delimiter(value(a)?)?;
                i += 1;
            }
            _ if i > 1 => return Err(UsageError::Unexpected { arg: text(a) }),
            _ => {}
        }
        i += 1;
    }
    Ok(out)
}

fn print_header_and_usage(
    program: &str,
    args: &SendNscaArgs,
    usage: bool,
    stdout: &mut dyn Write,
) -> std::io::Result<()> {
    write!(
        stdout,
        "\nNSCA Client {PROGRAM_VERSION}\n\
         Copyright (c) 2000-2007 Ethan Galstad (www.nagios.org)\n\
         Last Modified: {MODIFICATION_DATE}\n\
         License: GPL v2\n\
         Encryption Routines: AVAILABLE\n\n"
    )?;
    if usage {
        write!(
            stdout,
            "Usage: {program} [--quiet] -H <host_address> [-p port] [-to to_sec] [-d delim] [-ds set_delim] [-c config_file] [--legacy-2-7-mode]\n\
             \n\
             Options:\n \
             --quiet            = Be quiet unless there are errors\n \
             <host_address>     = The IP address of the host running the NSCA daemon\n \
             [port]             = The port on which the daemon is running - default is {DEFAULT_PORT}\n \
             [to_sec]           = Number of seconds before connection attempt times out.\n                      \
             (default timeout is {DEFAULT_TIMEOUT_SECS} seconds)\n \
             [delim]            = Delimiter to use when parsing input (defaults to a tab).\n                      \
             Honors hex formatted values, e.g. 0x09.\n \
             [set_delim]        = Delimiter to use when parsing different sets \n                      \
             (defaults to an ETB character).\n                      \
             Honors hex formatted values, e.g. 0x17.\n \
             [config_file]      = Name of config file to use\n \
             --legacy-2-7-mode  = Allow sending to NSCA 2.7 daemon. This can also be specified in send_nsca.cfg, which takes precedence.\n\
             \n\
             Note:\n\
             This utility is used to send passive check results to the NSCA daemon.  Host and\n\
             Service check data that is to be sent to the NSCA daemon is read from standard\n\
             input. Input should be provided in the following format (tab-delimited unless\n\
             overridden with -d command line argument, one entry per line):\n\
             \n\
             Service Checks:\n\
             <host_name>[tab]<svc_description>[tab]<return_code>[tab]<plugin_output>[newline]\n\n\
             Host Checks:\n\
             <host_name>[tab]<return_code>[tab]<plugin_output>[newline]\n\n"
        )?;
        if !args.legacy_2_7_mode {
            write!(
                stdout,
                "When submitting multiple simultaneous results, separate each set with the ETB\n\
                 character (^W or 0x17)\n"
            )?;
        }
    }
    Ok(())
}

const LICENSE: &str = "This program is free software; you can redistribute it and/or modify\n\
it under the terms of the GNU General Public License as published by\n\
the Free Software Foundation; either version 2 of the License, or\n\
(at your option) any later version.\n\n\
This program is distributed in the hope that it will be useful,\n\
but WITHOUT ANY WARRANTY; without even the implied warranty of\n\
MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the\n\
GNU General Public License for more details.\n\n\
You should have received a copy of the GNU General Public License\n\
along with this program; if not, write to the Free Software\n\
Foundation, Inc., 675 Mass Ave, Cambridge, MA 02139, USA.\n\n";

/// SplitMix64, seeded from the OS: the source of send_nsca-like printable filler.
struct FillerRng(u64);

impl FillerRng {
    fn from_os() -> Self {
        let mut seed = [0u8; 8];
        if getrandom::fill(&mut seed).is_err() {
            let t = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0);
            seed = t.to_le_bytes();
        }
        Self(u64::from_le_bytes(seed))
    }
}

impl rand_core::TryRng for FillerRng {
    type Error = std::convert::Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok((self.try_next_u64()? >> 32) as u32)
    }

    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Ok(z ^ (z >> 31))
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for chunk in dst.chunks_mut(8) {
            let v = self.try_next_u64()?.to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
        Ok(())
    }
}

/// The `send_nsca` process: [`send_nsca_main`] on the real standard streams, plus the whole-run
/// alarm of send_nsca 2.10 — a watchdog thread that prints `Error: Timeout after N seconds` and
/// exits with 2 when `-to` expires, even while standard input blocks. Never returns.
pub fn send_nsca_process() -> ! {
    let args: Vec<OsString> = std::env::args_os().collect();
    if let Ok(parsed) = parse_args(&args)
        && !(parsed.help || parsed.license || parsed.version)
    {
        let seconds = parsed.timeout_secs;
        std::thread::spawn(move || {
            // The alarm: nothing to wait for but time itself.
            std::thread::sleep(std::time::Duration::from_secs(u64::from(seconds)));
            let _ = writeln!(std::io::stderr(), "Error: Timeout after {seconds} seconds");
            std::process::exit(2);
        });
    }
    // Unlocked handles: the watchdog must be able to write to stderr while the run is blocked.
    let code = send_nsca_main(
        args,
        &mut std::io::stdin().lock(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
    );
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}

/// Runs send_nsca: `args[0]` is the program name; results are read from `stdin`; messages go
/// to `stdout`/`stderr` exactly as send_nsca 2.10 prints them. Returns the exit code.
pub fn send_nsca_main(
    args: Vec<OsString>,
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> i32 {
    // Err: writing to stdout/stderr failed; nothing more can be reported.
    run(&args, stdin, stdout, stderr).unwrap_or(3)
}

fn run(
    argv: &[OsString],
    stdin: &mut dyn Read,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> std::io::Result<i32> {
    let program = argv
        .first()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let parsed = parse_args(argv);
    let args = match &parsed {
        Ok(a) => a.clone(),
        Err(_) => SendNscaArgs::default(),
    };
    if parsed.is_err() || args.help || args.license || args.version {
        if parsed.is_err() {
            writeln!(stderr, "Incorrect command line arguments supplied")?;
        }
        print_header_and_usage(&program, &args, parsed.is_err() || args.help, stdout)?;
        if args.license {
            stdout.write_all(LICENSE.as_bytes())?;
        }
        return Ok(3);
    }
    let Some(cfg) = load_config(&args, stdout)? else {
        return Ok(2);
    };
    let Ok(port) = u16::try_from(args.port) else {
        let e = ClientError::Lookup {
            host: args.host.clone(),
            port: 0,
        };
        writeln!(stderr, "Host name lookup failed: '{}'", args.host)?;
        writeln!(
            stderr,
            "Error: Could not connect to host {} on port {}",
            args.host, args.port
        )?;
        return Ok(e.exit_code());
    };
    let total = match send_stdin(&args, &cfg, port, stdin) {
        Ok(total) => total,
        Err(e) => return report(&e, stdout, stderr),
    };
    if total == 0 || !args.quiet {
        writeln!(stdout, "{total} data packet(s) sent to host successfully.")?;
    }
    Ok(if total == 0 { 2 } else { 0 })
}

/// Reads send_nsca.cfg; `None` after printing 2.10's messages when it has errors.
fn load_config(
    args: &SendNscaArgs,
    stdout: &mut dyn Write,
) -> std::io::Result<Option<SendNscaConfig>> {
    match SendNscaConfig::load(&args.config_file) {
        Ok(c) => Ok(Some(c)),
        Err(e) => {
            match &e {
                ConfigError::Open { .. } => writeln!(stdout, "{e}.")?,
                _ => writeln!(stdout, "{e}")?,
            }
            writeln!(
                stdout,
                "Error: Config file '{}' contained errors...",
                args.config_file.display()
            )?;
            Ok(None)
        }
    }
}

/// Prints a client error where send_nsca prints it (input errors on stdout, the rest on
/// stderr) and returns its exit code.
fn report(e: &ClientError, stdout: &mut dyn Write, stderr: &mut dyn Write) -> std::io::Result<i32> {
    let out: &mut dyn Write = if matches!(e, ClientError::Input(_)) {
        stdout
    } else {
        stderr
    };
    for line in e.messages() {
        writeln!(out, "{line}")?;
    }
    Ok(e.exit_code())
}

/// Connects and sends every result read from `stdin` until its end (or the `-to`
/// deadline); returns how many packets were sent.
fn send_stdin(
    args: &SendNscaArgs,
    cfg: &SendNscaConfig,
    port: u16,
    stdin: &mut dyn Read,
) -> Result<usize, ClientError> {
    let legacy = cfg.legacy_2_7_mode.unwrap_or(args.legacy_2_7_mode);
    let size = if legacy {
        PacketSize::Legacy
    } else {
        PacketSize::V3
    };
    let client = Client::connect(&args.host, port, args.timeout_secs)?;
    let mut sender = client.start(i64::from(cfg.encryption_method), &cfg.password, size)?;
    let format = InputFormat {
        field_delimiter: args.delimiter,
        set_delimiter: args.set_delimiter,
        packet_size: size,
    };
    let mut rng = FillerRng::from_os();
    let mut filler = Filler::Printable(&mut rng);
    let mut splitter = SetSplitter::new(format.set_delimiter);
    let mut buf = vec![0u8; 8192];
    loop {
        if sender.client().timed_out() {
            return Err(sender.client().timeout_error());
        }
        let n = match stdin.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(source) => return Err(ClientError::Stdin { source }),
        };
        let mut results = Vec::new();
        let fed = splitter.feed(&buf[..n], |set| results.extend(parse_set(set, &format)));
        for r in &results {
            sender.send(r, &mut filler)?;
        }
        fed.map_err(ClientError::Input)?;
    }
    if let Some(r) = parse_set(&splitter.finish(), &format) {
        sender.send(&r, &mut filler)?;
    }
    Ok(sender.finish())
}
