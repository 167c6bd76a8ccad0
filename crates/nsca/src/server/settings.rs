//! The server's resolved configuration: nsca.cfg, the authz file and the options.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::error::ServerError;
use super::log::Logger;
use super::options::ServeOptions;
use super::writer::WriterConfig;
use crate::authz::{Authz, Credential};
use crate::cipher::Method;
use crate::config::LogFacility;

/// Everything a connection and the writer need, resolved from nsca.cfg and options.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `decryption_method`.
    pub method: Method,
    /// `password` (untrimmed bytes).
    pub password: Vec<u8>,
    /// Authorization rules from `--authz`.
    pub authz: Option<Arc<Authz>>,
    /// Command file, dump file, append/aggregate flags, checkresult directory.
    pub writer: WriterConfig,
    /// `debug`.
    pub debug: bool,
    /// `log_facility`.
    pub log_facility: LogFacility,
    /// Non-fatal config problems to log (2.10's warnings).
    pub warnings: Vec<String>,
    /// `strict_mode_spoofing`: the host name must resolve to the client's address.
    pub strict_mode_spoofing: bool,
    /// `nsca_chroot`.
    pub nsca_chroot: Option<PathBuf>,
    /// `max_packet_age` when `--enforce-max-packet-age` is given and it is non-zero.
    pub max_packet_age: Option<u32>,
    /// `server_address` (empty: all addresses).
    pub server_address: String,
    /// `server_port`.
    pub server_port: u16,
    /// `pid_file`.
    pub pid_file: Option<PathBuf>,
    /// `nsca_user`.
    pub nsca_user: Option<String>,
    /// `nsca_group`.
    pub nsca_group: Option<String>,
    /// Offset of local time from UTC for checkresult files.
    pub utc_offset_secs: i64,
}

impl Settings {
    /// Reads nsca.cfg (and the authz file) named in `options`.
    pub fn load(options: &ServeOptions) -> Result<Self, ServerError> {
        let cfg = crate::config::NscaConfig::load(&options.config)?;
        Self::from_config(options, &cfg)
    }

    /// Resolves a parsed nsca.cfg with the options (authz file, opt-in checks).
    pub fn from_config(
        options: &ServeOptions,
        cfg: &crate::config::NscaConfig,
    ) -> Result<Self, ServerError> {
        let method = cfg.method().map_err(|error| ServerError::Method {
            path: options.config.clone(),
            error,
        })?;
        let authz = match &options.authz {
            Some(path) => {
                let default = Credential::new(method.number(), cfg.password.clone());
                let authz = Authz::load(path, &default)?;
                check_authz_methods(path, &authz)?;
                Some(Arc::new(authz))
            }
            None => None,
        };
        let alternate = Some(cfg.alternate_dump_file.clone())
            .filter(|p| !p.as_os_str().is_empty() && p.as_path() != Path::new("/dev/null"));
        Ok(Self {
            method,
            password: cfg.password.clone(),
            authz,
            writer: WriterConfig {
                command_file: cfg.command_file.clone(),
                alternate_dump_file: alternate,
                append: cfg.append_to_file,
                aggregate: cfg.aggregate_writes,
                check_result_path: cfg.check_result_path.clone(),
            },
            debug: cfg.debug,
            log_facility: cfg.log_facility,
            warnings: cfg.warnings.iter().map(ToString::to_string).collect(),
            strict_mode_spoofing: cfg.strict_mode_spoofing,
            nsca_chroot: cfg.nsca_chroot.clone(),
            max_packet_age: if options.enforce_max_packet_age && cfg.max_packet_age > 0 {
                Some(u32::try_from(cfg.max_packet_age).unwrap_or(u32::MAX))
            } else {
                None
            },
            server_address: cfg.server_address.clone(),
            server_port: cfg.server_port,
            pid_file: cfg.pid_file.clone(),
            nsca_user: cfg.nsca_user.clone(),
            nsca_group: cfg.nsca_group.clone(),
            utc_offset_secs: options.utc_offset_secs,
        })
    }

    /// Applies `debug` and `log_facility` to the logger and logs the config warnings.
    pub fn apply_to_logger(&self, logger: &Logger) {
        logger.set_debug(self.debug);
        logger.set_facility_code(self.log_facility.code());
        for w in &self.warnings {
            logger.log(super::log::Level::Warning, w);
        }
    }
}

/// Every method named in the authz file must be usable.
fn check_authz_methods(path: &Path, authz: &Authz) -> Result<(), ServerError> {
    for rule in authz.rules() {
        if let crate::authz::CredentialMatch::Exactly(c) = &rule.credential
            && let Err(e) = Method::from_number(i64::from(c.method))
        {
            return Err(crate::authz::AuthzError {
                path: path.to_owned(),
                line: rule.line,
                kind: crate::authz::AuthzErrorKind::BadMethod(e.to_string()),
            }
            .into());
        }
    }
    Ok(())
}
