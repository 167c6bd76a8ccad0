//! Parsers for `nsca.cfg` and `send_nsca.cfg`, byte-compatible with nsca 2.10.
//!
//! Both files are read the way 2.10 reads them: `fgets` chunks of at most 5118 bytes (a longer
//! line counts as several lines); lines starting with `#`, NUL or LF are skipped; the name is
//! the `strtok(line, "=")` token and the value is the rest of the line up to the LF, **not
//! trimmed** (a trailing space or CR becomes part of a password); a missing value is an error.
//! Some names match exactly, others by substring, in 2.10's order; an unknown name is fatal.
//! Errors carry the file and line and print as 2.10's messages.
//!
//! [`NscaConfig::parse`] and [`SendNscaConfig::parse`] are pure; the `load` functions read the
//! file (and, for nsca.cfg, probe the process's euid and the check result directory); they
//! live in `load`, the module's IO shell.

mod load;

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use crate::cipher::{self, Method};
use crate::cstr::{Strtok, atoi, fgets_chunks, strtoul, until_nul};
use crate::error::{ConfigError, MethodError};

/// nsca's `MAX_INPUT_BUFFER`: fgets reads at most 5118 bytes per call.
const MAX_INPUT_BUFFER: usize = 5120;

/// One logical config line: `(line number, name-for-substring, exact name, value)`.
struct Line<'a> {
    number: usize,
    /// The bytes from the line start to the end of the name token (leading `=` included, as
    /// `strstr(input_buffer, ..)` sees them).
    prefix: &'a [u8],
    name: &'a [u8],
    value: &'a [u8],
}

enum LineError {
    NoName(usize),
    NoValue(usize),
}

impl LineError {
    /// The fatal config error for this line of `path`.
    fn in_file(self, path: &Path) -> ConfigError {
        match self {
            LineError::NoName(line) => ConfigError::NoName {
                path: path.to_path_buf(),
                line,
            },
            LineError::NoValue(line) => ConfigError::NoValue {
                path: path.to_path_buf(),
                line,
            },
        }
    }
}

fn lines(bytes: &[u8]) -> impl Iterator<Item = Result<Line<'_>, LineError>> {
    fgets_chunks(bytes, MAX_INPUT_BUFFER - 1)
        .enumerate()
        .filter_map(|(i, chunk)| {
            let number = i + 1;
            let s = until_nul(chunk);
            if s.is_empty() || s[0] == b'#' || s[0] == b'\n' {
                return None;
            }
            let mut tok = Strtok::new(s);
            let Some(name) = tok.next_token(b"=") else {
                return Some(Err(LineError::NoName(number)));
            };
            let Some(value) = tok.next_token(b"\n") else {
                return Some(Err(LineError::NoValue(number)));
            };
            let name_end = name.as_ptr() as usize - s.as_ptr() as usize + name.len();
            Some(Ok(Line {
                number,
                prefix: &s[..name_end],
                name,
                value,
            }))
        })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

fn path_of(b: &[u8]) -> PathBuf {
    PathBuf::from(OsStr::from_bytes(b))
}

fn string_of(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A syslog facility as `log_facility` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFacility {
    /// kern
    Kern,
    /// user
    User,
    /// mail
    Mail,
    /// daemon (the default)
    Daemon,
    /// auth
    Auth,
    /// syslog
    Syslog,
    /// lpr — spelled `lrp` in nsca.cfg, as 2.10 spells it
    Lpr,
    /// news
    News,
    /// uucp
    Uucp,
    /// cron
    Cron,
    /// authpriv
    Authpriv,
    /// ftp
    Ftp,
    /// local0 … local7 (the number)
    Local(u8),
}

impl LogFacility {
    /// The facility `value` names in nsca.cfg, if any (exact, case-sensitive match).
    pub fn from_config(value: &[u8]) -> Option<Self> {
        Some(match value {
            b"kern" => Self::Kern,
            b"user" => Self::User,
            b"mail" => Self::Mail,
            b"daemon" => Self::Daemon,
            b"auth" => Self::Auth,
            b"syslog" => Self::Syslog,
            b"lrp" => Self::Lpr,
            b"news" => Self::News,
            b"uucp" => Self::Uucp,
            b"cron" => Self::Cron,
            b"authpriv" => Self::Authpriv,
            b"ftp" => Self::Ftp,
            [b'l', b'o', b'c', b'a', b'l', d @ b'0'..=b'7'] => Self::Local(d - b'0'),
            _ => return None,
        })
    }

    /// The syslog facility number (the priority value is this times 8 plus the severity).
    pub fn code(self) -> u8 {
        match self {
            Self::Kern => 0,
            Self::User => 1,
            Self::Mail => 2,
            Self::Daemon => 3,
            Self::Auth => 4,
            Self::Syslog => 5,
            Self::Lpr => 6,
            Self::News => 7,
            Self::Uucp => 8,
            Self::Cron => 9,
            Self::Authpriv => 10,
            Self::Ftp => 11,
            Self::Local(n) => 16 + n.min(7),
        }
    }
}

/// A non-fatal config problem (2.10 logs it at LOG_WARNING and goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file.
    pub path: PathBuf,
    /// 1-based line.
    pub line: usize,
}

impl std::fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Invalid log_facility specified in config file '{}' - Line {}",
            self.path.display(),
            self.line
        )
    }
}

/// What the nsca.cfg parser needs to know about the process (2.10 asks the OS).
pub struct ParseEnv<'a> {
    /// Effective uid is 0 (ports below 1024 are allowed only then).
    pub euid_is_root: bool,
    /// Whether a file can be created in this directory (the `check_result_path` test).
    pub dir_writable: &'a dyn Fn(&Path) -> bool,
}

impl std::fmt::Debug for ParseEnv<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParseEnv")
            .field("euid_is_root", &self.euid_is_root)
            .finish_non_exhaustive()
    }
}

/// The settings of `nsca.cfg` (2.10.3 keys), with 2.10's defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NscaConfig {
    /// `server_port` (default 5667); atoi, then truncated to 16 bits as `htons` does.
    pub server_port: u16,
    /// `server_address` (default empty = all addresses), at most 63 bytes.
    pub server_address: String,
    /// `command_file` (default empty).
    pub command_file: PathBuf,
    /// `alternate_dump_file` (default `/dev/null`).
    pub alternate_dump_file: PathBuf,
    /// `password`, bytes exactly as in the file (not trimmed).
    pub password: Vec<u8>,
    /// `decryption_method` number as accepted by 2.10's parser (default 1); see
    /// [`NscaConfig::method`].
    pub decryption_method: i32,
    /// `debug` > 0.
    pub debug: bool,
    /// `strict_mode_spoofing` > 0.
    pub strict_mode_spoofing: bool,
    /// `aggregate_writes` > 0.
    pub aggregate_writes: bool,
    /// `check_result_path`, when set (results then go to checkresult files).
    pub check_result_path: Option<PathBuf>,
    /// `append_to_file` > 0.
    pub append_to_file: bool,
    /// `max_packet_age` (default 30, at most 900; 2.10 never enforces it).
    pub max_packet_age: u64,
    /// `nsca_user`.
    pub nsca_user: Option<String>,
    /// `nsca_group`.
    pub nsca_group: Option<String>,
    /// `nsca_chroot`.
    pub nsca_chroot: Option<PathBuf>,
    /// `pid_file`.
    pub pid_file: Option<PathBuf>,
    /// `log_facility` (default daemon; an invalid name falls back to daemon with a warning).
    pub log_facility: LogFacility,
    /// Non-fatal problems, in file order.
    pub warnings: Vec<ConfigWarning>,
}

impl Default for NscaConfig {
    fn default() -> Self {
        Self {
            server_port: 5667,
            server_address: String::new(),
            command_file: PathBuf::new(),
            alternate_dump_file: PathBuf::from("/dev/null"),
            password: Vec::new(),
            decryption_method: 1,
            debug: false,
            strict_mode_spoofing: false,
            aggregate_writes: false,
            check_result_path: None,
            append_to_file: false,
            max_packet_age: 30,
            nsca_user: None,
            nsca_group: None,
            nsca_chroot: None,
            pid_file: None,
            log_facility: LogFacility::Daemon,
            warnings: Vec::new(),
        }
    }
}

impl NscaConfig {
    /// Parses the content of `path` as nsca 2.10 does; the first fatal error stops it.
    pub fn parse(path: &Path, bytes: &[u8], env: &ParseEnv<'_>) -> Result<Self, ConfigError> {
        let p = || path.to_path_buf();
        let mut cfg = Self::default();
        for line in lines(bytes) {
            let l = line.map_err(|e| e.in_file(path))?;
            let line = l.number;
            let has = |key: &str| contains(l.prefix, key.as_bytes());
            if l.name == b"server_port" {
                let port = atoi(l.value);
                if (port < 1024 && !env.euid_is_root) || port < 0 {
                    return Err(ConfigError::InvalidPort { path: p(), line });
                }
                cfg.server_port = port as u16;
            } else if l.name == b"server_address" {
                cfg.server_address = string_of(&l.value[..l.value.len().min(63)]);
            } else if has("command_file") {
                cfg.command_file = path_of(bounded(l.value, "Command file name", path, line)?);
            } else if has("alternate_dump_file") {
                cfg.alternate_dump_file =
                    path_of(bounded(l.value, "Alternate dump file name", path, line)?);
            } else if has("password") {
                cfg.password = bounded(l.value, "Password", path, line)?.to_vec();
            } else if has("decryption_method") {
                cfg.decryption_method =
                    method(l.value, |method| ConfigError::InvalidDecryptionMethod {
                        method,
                        path: p(),
                        line,
                    })?;
            } else if has("debug") {
                cfg.debug = atoi(l.value) > 0;
            } else if has("strict_mode_spoofing") {
                cfg.strict_mode_spoofing = atoi(l.value) > 0;
            } else if has("aggregate_writes") {
                cfg.aggregate_writes = atoi(l.value) > 0;
            } else if has("check_result_path") {
                let dir = path_of(bounded(l.value, "Check result path", path, line)?);
                if !(env.dir_writable)(&dir) {
                    return Err(ConfigError::CheckResultPathNotWritable { path: p(), line });
                }
                cfg.check_result_path = Some(dir);
            } else if has("append_to_file") {
                cfg.append_to_file = atoi(l.value) > 0;
            } else if l.name == b"max_packet_age" {
                let age = strtoul(l.value);
                if age > 900 {
                    return Err(ConfigError::MaxPacketAge { path: p(), line });
                }
                cfg.max_packet_age = age;
            } else if l.name == b"nsca_user" {
                cfg.nsca_user = Some(string_of(l.value));
            } else if l.name == b"nsca_group" {
                cfg.nsca_group = Some(string_of(l.value));
            } else if l.name == b"nsca_chroot" {
                cfg.nsca_chroot = Some(path_of(l.value));
            } else if l.name == b"pid_file" {
                cfg.pid_file = Some(path_of(l.value));
            } else if l.name == b"log_facility" {
                match LogFacility::from_config(l.value) {
                    Some(f) => cfg.log_facility = f,
                    None => {
                        cfg.log_facility = LogFacility::Daemon;
                        cfg.warnings.push(ConfigWarning { path: p(), line });
                    }
                }
            } else {
                return Err(ConfigError::UnknownOption { path: p(), line });
            }
        }
        Ok(cfg)
    }

    /// The cipher method, or why it cannot be used (the parser accepts numbers such as 5 or 7
    /// that 2.10 only rejects per connection).
    pub fn method(&self) -> Result<Method, MethodError> {
        Method::from_number(i64::from(self.decryption_method))
    }
}

/// The settings of `send_nsca.cfg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendNscaConfig {
    /// `password`, bytes exactly as in the file (not trimmed).
    pub password: Vec<u8>,
    /// `encryption_method` as accepted by 2.10's parser (default 1).
    pub encryption_method: i32,
    /// `legacy_2_7_mode`: `Some(true)` for a value containing "true"/"yes", `Some(false)` for
    /// "false"/"no", `None` when absent or neither (then the command line decides).
    pub legacy_2_7_mode: Option<bool>,
}

impl Default for SendNscaConfig {
    fn default() -> Self {
        Self {
            password: Vec::new(),
            encryption_method: 1,
            legacy_2_7_mode: None,
        }
    }
}

/// `value` if it fits 2.10's input buffer, else the `TooLong` error naming `what`.
fn bounded<'v>(
    value: &'v [u8],
    what: &'static str,
    path: &Path,
    line: usize,
) -> Result<&'v [u8], ConfigError> {
    if value.len() > MAX_INPUT_BUFFER - 1 {
        return Err(ConfigError::TooLong {
            what,
            path: path.to_path_buf(),
            line,
        });
    }
    Ok(value)
}

/// An `encryption_method` / `decryption_method` value as 2.10's parser reads it
/// (`atoi`), or `invalid(method)` for a number that parser refuses.
fn method(value: &[u8], invalid: impl FnOnce(i32) -> ConfigError) -> Result<i32, ConfigError> {
    let method = atoi(value);
    if !cipher::config_parser_accepts(i64::from(method)) {
        return Err(invalid(method));
    }
    Ok(method)
}

impl SendNscaConfig {
    /// Parses the content of `path` as send_nsca 2.10 does.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Self, ConfigError> {
        let p = || path.to_path_buf();
        let mut cfg = Self::default();
        for line in lines(bytes) {
            let l = line.map_err(|e| e.in_file(path))?;
            let line = l.number;
            let has = |key: &str| contains(l.prefix, key.as_bytes());
            if has("password") {
                cfg.password = bounded(l.value, "Password", path, line)?.to_vec();
            } else if has("encryption_method") {
                cfg.encryption_method =
                    method(l.value, |method| ConfigError::InvalidEncryptionMethod {
                        method,
                        path: p(),
                        line,
                    })?;
            } else if has("legacy_2_7_mode") {
                if contains(l.value, b"true") || contains(l.value, b"yes") {
                    cfg.legacy_2_7_mode = Some(true);
                } else if contains(l.value, b"false") || contains(l.value, b"no") {
                    cfg.legacy_2_7_mode = Some(false);
                }
            } else {
                return Err(ConfigError::UnknownOption { path: p(), line });
            }
        }
        Ok(cfg)
    }

    /// The cipher method, or why it cannot be used.
    pub fn method(&self) -> Result<Method, MethodError> {
        Method::from_number(i64::from(self.encryption_method))
    }
}
