//! What a rule is made of and what it is asked: credentials, actions, rules, queries and
//! decisions.

use std::fmt;
use std::net::IpAddr;

use super::glob::Glob;
use super::net::IpNet;

/// A shared secret and decryption method, as configured in `nsca.cfg`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Credential {
    /// Decryption method number (0 = none, 1 = XOR, 2.. = mcrypt ciphers).
    pub method: u8,
    /// Password bytes (never trimmed, may be empty).
    pub password: Vec<u8>,
}

impl Credential {
    /// Builds a credential from a method number and password bytes.
    pub fn new(method: u8, password: impl Into<Vec<u8>>) -> Self {
        Self {
            method,
            password: password.into(),
        }
    }
}

/// Whether a rule lets a result through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The result is written.
    Allow,
    /// The result is logged and dropped.
    Deny,
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Action::Allow => "allow",
            Action::Deny => "deny",
        })
    }
}

/// Which credentials a rule accepts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CredentialMatch {
    /// Any credential the server accepted for the connection.
    Any,
    /// Only this credential.
    Exactly(Credential),
}

/// One line of the authz file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rule {
    /// Line number in the file (1-based), reported when the rule decides.
    pub line: usize,
    /// What happens to a matching result.
    pub action: Action,
    /// Client networks; empty means any client (no `from`, or `from=*`).
    pub from: Vec<IpNet>,
    /// Credential the connection must have been identified with.
    pub credential: CredentialMatch,
    /// Glob on the host name.
    pub host: Glob,
    /// Glob on the service description (empty for host checks).
    pub service: Glob,
}

impl Rule {
    /// Whether the rule applies to a client address (ignoring credential and names).
    ///
    /// A client whose address is unknown (`None`, inetd on a pipe) is only covered
    /// by rules without `from` or with `from=*`.
    pub fn covers_peer(&self, peer: Option<IpAddr>) -> bool {
        self.from.is_empty() || peer.is_some_and(|p| self.from.iter().any(|n| n.contains(p)))
    }

    /// Whether the rule applies to `query` (client, credential, host and service).
    pub(super) fn matches(&self, query: &Query<'_>) -> bool {
        self.covers_peer(query.peer)
            && match &self.credential {
                CredentialMatch::Any => !query.credentials.is_empty(),
                CredentialMatch::Exactly(c) => query.credentials.contains(c),
            }
            && self.host.matches(query.host)
            && self.service.matches(query.service)
    }
}

/// A result to be checked against the rules.
#[derive(Clone, Copy, Debug)]
pub struct Query<'a> {
    /// The client's address (`None` when unknown, e.g. inetd on a pipe).
    pub peer: Option<IpAddr>,
    /// The credentials that decrypted the connection's first packet.
    pub credentials: &'a [Credential],
    /// Host name of the result.
    pub host: &'a [u8],
    /// Service description of the result (empty for a host check).
    pub service: &'a [u8],
}

/// The outcome of `Authz::decide`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    /// Allow or deny.
    pub action: Action,
    /// The deciding rule's line, or `None` when no rule matched (default deny).
    pub line: Option<usize>,
}

impl fmt::Display for Decision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{} by rule at line {line}", self.action),
            None => write!(f, "{} (no rule matched)", self.action),
        }
    }
}
