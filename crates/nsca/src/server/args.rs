//! nsca's command line for `reelcheck nsca serve`: [`parse_args`] and [`USAGE`].

use std::ffi::OsString;
use std::path::PathBuf;

use super::error::ServerError;
use super::options::ServeOptions;

/// What the command line asks for.
#[derive(Clone, Debug)]
pub enum ServeCommand {
    /// Serve with these options.
    Serve(ServeOptions),
    /// Print this text on standard output and exit with
    /// [`EXIT_USAGE`](super::error::EXIT_USAGE) (help, version, license).
    Print(String),
}

/// The usage text of `reelcheck nsca serve`.
pub const USAGE: &str = "\
Usage: reelcheck nsca serve -c <config_file> [--authz <file>] [--spool <file>]
                            [--enforce-max-packet-age] [-f] [--single | --daemon | --inetd]

Options:
 -c <config_file>          nsca.cfg (same format and keys as nsca 2.10)
 --authz <file>            authorization rules (client ranges, passwords, host/service globs)
 --spool <file>            where results wait while the command file cannot be written
 --enforce-max-packet-age  drop packets older than max_packet_age (nsca 2.10 never does)
 -f, --foreground          accepted for compatibility; the server always runs in the foreground
 -s, --single, -d, --daemon accepted for compatibility; connections are always served concurrently
 -i, --inetd               handle one connection on standard input/output, then exit
 -h, -V, -l                help, version, license
";

/// The `-l` text.
const LICENSE: &str =
    "This program is released under the GNU General Public License, version 2 or later.\n";

/// Parses nsca's command line (`-c`, `-f`, `-s`, `-d`, `-i`, `-h`, `-V`, `-l`) plus
/// `--authz`, `--spool` and `--enforce-max-packet-age`.
///
/// `args` excludes the program name. Errors are usage errors
/// (exit [`EXIT_USAGE`](super::error::EXIT_USAGE)).
pub fn parse_args(args: &[OsString]) -> Result<ServeCommand, ServerError> {
    let mut config: Option<PathBuf> = None;
    let mut options = ServeOptions::new(PathBuf::new());
    let mut iter = args.iter();
    let usage = |msg: String| ServerError::Usage(msg);
    if args.is_empty() {
        return Ok(ServeCommand::Print(USAGE.to_owned()));
    }
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        let mut value = |name: &str| {
            iter.next()
                .cloned()
                .ok_or_else(|| usage(format!("option {name} needs a value")))
        };
        match text.as_ref() {
            "-h" | "--help" => return Ok(ServeCommand::Print(USAGE.to_owned())),
            "-V" | "--version" => return Ok(ServeCommand::Print(version())),
            "-l" | "--license" => return Ok(ServeCommand::Print(LICENSE.to_owned())),
            "-f" | "--foreground" | "-s" | "--single" | "-d" | "--daemon" => {}
            "-i" | "--inetd" => options.inetd = true,
            "-c" => config = Some(PathBuf::from(value("-c")?)),
            "--authz" => options.authz = Some(PathBuf::from(value("--authz")?)),
            "--spool" => options.spool = Some(PathBuf::from(value("--spool")?)),
            "--enforce-max-packet-age" => options.enforce_max_packet_age = true,
            other => return Err(usage(format!("unexpected argument '{other}'"))),
        }
    }
    let config = config.ok_or_else(|| usage("no config file given (-c)".to_owned()))?;
    options.config = absolute(config);
    Ok(ServeCommand::Serve(options))
}

/// The `-V` text.
fn version() -> String {
    format!(
        "reelcheck nsca serve {} (compatible with NSCA 2.10.2)\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// nsca makes the config path absolute relative to the current directory.
fn absolute(config: PathBuf) -> PathBuf {
    if config.is_absolute() {
        config
    } else {
        std::env::current_dir()
            .map(|d| d.join(&config))
            .unwrap_or(config)
    }
}
