//! [`Authz::load`]: reads an authz file from disk (the one IO of the authz module).
#![allow(
    clippy::disallowed_methods,
    reason = "the shell that reads the authz file; parsing is Authz::parse"
)]

use std::path::Path;

use super::error::{AuthzError, AuthzErrorKind};
use super::policy::Authz;
use super::rule::Credential;

impl Authz {
    /// Reads and parses an authz file; `default` is the `nsca.cfg` credential.
    pub fn load(path: &Path, default: &Credential) -> Result<Self, AuthzError> {
        let bytes = std::fs::read(path).map_err(|e| AuthzError {
            path: path.to_owned(),
            line: 0,
            kind: AuthzErrorKind::Read(e.to_string()),
        })?;
        Self::parse(path, &bytes, default)
    }
}
