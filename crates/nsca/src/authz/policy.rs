//! [`Authz`]: the rules of one file, which credentials to try and which results pass.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use super::rule::{Action, Credential, CredentialMatch, Decision, Query, Rule};

/// A parsed authz file: the rules, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authz {
    pub(super) path: PathBuf,
    pub(super) rules: Vec<Rule>,
}

impl Authz {
    /// The file the rules came from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The rules in file order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Credentials to try on the first packet of a client at `peer`, in order:
    /// `default` first, then those named by rules covering `peer`, without duplicates.
    pub fn candidates(&self, peer: Option<IpAddr>, default: &Credential) -> Vec<Credential> {
        let mut out = vec![default.clone()];
        for rule in &self.rules {
            if let CredentialMatch::Exactly(c) = &rule.credential
                && rule.covers_peer(peer)
                && !out.contains(c)
            {
                out.push(c.clone());
            }
        }
        out
    }

    /// The first matching rule decides; no match denies.
    pub fn decide(&self, query: &Query<'_>) -> Decision {
        self.rules.iter().find(|r| r.matches(query)).map_or(
            Decision {
                action: Action::Deny,
                line: None,
            },
            |r| Decision {
                action: r.action,
                line: Some(r.line),
            },
        )
    }
}
