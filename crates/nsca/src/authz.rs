//! Granular authorization of check results (`--authz FILE`).
//!
//! NSCA carries no client identity: a packet only proves that its sender knew the
//! password and decryption method.
//! The server therefore identifies a connection's credential by *trial decryption*
//! of its first packet: the credentials the server knows are tried in order (the
//! `password` and `decryption_method` of `nsca.cfg`, then each credential named by a
//! rule that covers the client's address, in file order), each with a fresh cipher,
//! and the first one for which both the packet version (3) and the CRC-32 check out
//! is the connection's credential; it decrypts the rest of the connection.
//! When none does, the packet is rejected and the connection closed, as 2.10 does
//! with a wrong password.
//! Every result of the connection is then checked against the rules below, and a
//! denied result is logged and never written to the command file.
//!
//! The rules live in their own file so that `nsca.cfg` stays readable by the C
//! daemon (which rejects unknown keys).
//!
//! # File format
//!
//! One rule per line; empty lines and lines starting with `#` are ignored.
//! A rule is an action followed by `key=value` fields separated by blanks:
//!
//! ```text
//! # action  fields...
//! allow from=10.0.0.0/8,2001:db8::/32 method=14 password="s3cret pw" host=web* service=HTTP*
//! allow from=192.0.2.7 host=db01 service=""
//! deny  from=*
//! ```
//!
//! * `allow` or `deny` — what happens to a result the rule matches.
//! * `from=NETS` — comma-separated IPv4/IPv6 addresses or CIDR ranges (`10.0.0.0/8`,
//!   `::1`, `fe80::/10`), or `*` for any client (the default).
//!   IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are normalised to IPv4, both in
//!   the rules and for the connecting client, so `10.0.0.0/8` also matches a client
//!   reaching a dual-stack socket as `::ffff:10.1.2.3`.
//! * `method=N` — decryption method number (as in `nsca.cfg`).
//! * `password=VALUE` — the shared password.
//!   When a rule names `method` or `password`, the other one defaults to the value
//!   in `nsca.cfg`, and the rule only matches connections whose first packet
//!   decrypted with exactly that credential.
//!   When a rule names neither, it matches any credential the server accepts.
//! * `host=GLOB` — glob on the host name (default `*`).
//! * `service=GLOB` — glob on the service description (default `*`).
//!   Host checks have an empty service description: `service=""` matches only host
//!   checks, `service=?*` only service checks.
//!
//! Values may be double-quoted; inside quotes `\"`, `\\` and `\xNN` (one byte in
//! hex) are escapes, so a password may contain blanks or non-UTF-8 bytes.
//! Globs work on bytes: `*` matches any run of bytes (including none), `?` exactly
//! one byte, `[abc]`, `[a-z]` and `[!a-z]` a byte class, and `\c` the byte `c`.
//!
//! The first rule whose `from`, credential, `host` and `service` all match decides.
//! A result that no rule matches is **denied**, so an authz file without rules
//! denies everything.
//! Errors name the file and the line.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

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

/// An IPv4 or IPv6 network (address and prefix length), IPv4-mapped normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    /// Parses `ADDR` or `ADDR/PREFIX`; IPv4-mapped IPv6 becomes IPv4 (prefix − 96).
    pub fn parse(text: &str) -> Result<Self, AuthzErrorKind> {
        let bad = || AuthzErrorKind::BadAddress(text.to_owned());
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: IpAddr = addr_text.parse().map_err(|_| bad())?;
        let max = match addr {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        let prefix = match prefix_text {
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => {
                p.parse::<u8>().ok().filter(|&n| n <= max).ok_or_else(bad)?
            }
            Some(_) => return Err(bad()),
            None => max,
        };
        Ok(Self::new(addr, prefix))
    }

    /// Builds a network, normalising IPv4-mapped IPv6 addresses to IPv4.
    pub fn new(addr: IpAddr, prefix: u8) -> Self {
        match addr {
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) if prefix >= 96 => Self {
                    addr: IpAddr::V4(v4),
                    prefix: prefix - 96,
                },
                _ => Self {
                    addr,
                    prefix: prefix.min(128),
                },
            },
            IpAddr::V4(_) => Self {
                addr,
                prefix: prefix.min(32),
            },
        }
    }

    /// Whether `ip` (normalised the same way) lies inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                prefix_eq(&net.octets(), &ip.octets(), self.prefix)
            }
            _ => false,
        }
    }
}

impl fmt::Display for IpNet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = usize::from(prefix / 8);
    let rest = prefix % 8;
    if a.get(..full) != b.get(..full) {
        return false;
    }
    if rest == 0 {
        return true;
    }
    let mask = 0xffu8 << (8 - rest);
    match (a.get(full), b.get(full)) {
        (Some(x), Some(y)) => x & mask == y & mask,
        _ => false,
    }
}

/// A byte glob (`*`, `?`, `[...]`, `\c`), matched against host and service names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Glob {
    text: Vec<u8>,
    tokens: Vec<GlobToken>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum GlobToken {
    Byte(u8),
    Any,
    Star,
    Class {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
}

impl Glob {
    /// Compiles a glob; an unterminated class or a trailing `\` is an error.
    pub fn new(pattern: &[u8]) -> Result<Self, AuthzErrorKind> {
        let bad = |why: &str| {
            AuthzErrorKind::BadGlob(
                String::from_utf8_lossy(pattern).into_owned(),
                why.to_owned(),
            )
        };
        let mut tokens = Vec::new();
        let mut i = 0;
        while let Some(&b) = pattern.get(i) {
            i += 1;
            match b {
                b'*' => {
                    if tokens.last() != Some(&GlobToken::Star) {
                        tokens.push(GlobToken::Star);
                    }
                }
                b'?' => tokens.push(GlobToken::Any),
                b'\\' => {
                    let c = *pattern.get(i).ok_or_else(|| bad("trailing backslash"))?;
                    i += 1;
                    tokens.push(GlobToken::Byte(c));
                }
                b'[' => {
                    let mut negated = false;
                    if matches!(pattern.get(i), Some(b'!') | Some(b'^')) {
                        negated = true;
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    let mut first = true;
                    loop {
                        let c = *pattern.get(i).ok_or_else(|| bad("unterminated [ class"))?;
                        i += 1;
                        if c == b']' && !first {
                            break;
                        }
                        first = false;
                        let lo = if c == b'\\' {
                            let e = *pattern.get(i).ok_or_else(|| bad("trailing backslash"))?;
                            i += 1;
                            e
                        } else {
                            c
                        };
                        let hi = if pattern.get(i) == Some(&b'-')
                            && pattern.get(i + 1).is_some_and(|&n| n != b']')
                        {
                            let h = *pattern.get(i + 1).ok_or_else(|| bad("bad range"))?;
                            i += 2;
                            h
                        } else {
                            lo
                        };
                        if hi < lo {
                            return Err(bad("range out of order"));
                        }
                        ranges.push((lo, hi));
                    }
                    tokens.push(GlobToken::Class { negated, ranges });
                }
                other => tokens.push(GlobToken::Byte(other)),
            }
        }
        Ok(Self {
            text: pattern.to_vec(),
            tokens,
        })
    }

    /// The glob matching everything (`*`).
    pub fn any() -> Self {
        Self {
            text: b"*".to_vec(),
            tokens: vec![GlobToken::Star],
        }
    }

    /// Whether the whole of `subject` matches (linear backtracking on the last `*`).
    pub fn matches(&self, subject: &[u8]) -> bool {
        let (mut p, mut s) = (0usize, 0usize);
        let mut backtrack: Option<(usize, usize)> = None;
        // Each iteration advances `s` or `p`, or restarts from a later `s`:
        // bounded by (tokens + 1) * (subject + 1) steps.
        let bound = (self.tokens.len() + 2) * (subject.len() + 2) * 2;
        for _ in 0..bound {
            if s == subject.len() && p == self.tokens.len() {
                return true;
            }
            let step = match (self.tokens.get(p), subject.get(s)) {
                (Some(GlobToken::Star), _) => {
                    backtrack = Some((p, s));
                    p += 1;
                    continue;
                }
                (Some(GlobToken::Byte(c)), Some(b)) => c == b,
                (Some(GlobToken::Any), Some(_)) => true,
                (Some(GlobToken::Class { negated, ranges }), Some(b)) => {
                    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(b)) != *negated
                }
                _ => false,
            };
            if step {
                p += 1;
                s += 1;
            } else if let Some((bp, bs)) = backtrack {
                if bs >= subject.len() {
                    return false;
                }
                backtrack = Some((bp, bs + 1));
                p = bp + 1;
                s = bs + 1;
            } else {
                return false;
            }
        }
        false
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&String::from_utf8_lossy(&self.text))
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

    fn matches(&self, query: &Query<'_>) -> bool {
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

/// The outcome of [`Authz::decide`].
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

/// A parsed authz file: the rules, in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authz {
    path: PathBuf,
    rules: Vec<Rule>,
}

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

    /// Parses authz text; `path` is only used in error messages.
    pub fn parse(path: &Path, text: &[u8], default: &Credential) -> Result<Self, AuthzError> {
        let mut rules = Vec::new();
        for (index, raw) in text.split(|&b| b == b'\n').enumerate() {
            let line = index + 1;
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let at = |kind| AuthzError {
                path: path.to_owned(),
                line,
                kind,
            };
            let tokens = tokenize(raw).map_err(at)?;
            let Some((first, fields)) = tokens.split_first() else {
                continue;
            };
            if first.starts_with(b"#") {
                continue;
            }
            let rule = parse_rule(line, first, fields, default).map_err(at)?;
            rules.push(rule);
        }
        Ok(Self {
            path: path.to_owned(),
            rules,
        })
    }

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

fn parse_rule(
    line: usize,
    action: &[u8],
    fields: &[Vec<u8>],
    default: &Credential,
) -> Result<Rule, AuthzErrorKind> {
    let action = match action {
        b"allow" => Action::Allow,
        b"deny" => Action::Deny,
        other => {
            return Err(AuthzErrorKind::BadAction(
                String::from_utf8_lossy(other).into_owned(),
            ));
        }
    };
    let mut from = Vec::new();
    let mut from_given = false;
    let mut method = None;
    let mut password = None;
    let mut host = None;
    let mut service = None;
    for field in fields {
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Err(AuthzErrorKind::BadField(
                String::from_utf8_lossy(field).into_owned(),
            ));
        };
        let (key, value) = (&field[..eq], &field[eq + 1..]);
        let key_text = String::from_utf8_lossy(key).into_owned();
        let dup = || AuthzErrorKind::DuplicateKey(key_text.clone());
        match key {
            b"from" => {
                if from_given || !from.is_empty() {
                    return Err(dup());
                }
                let text = std::str::from_utf8(value).map_err(|_| {
                    AuthzErrorKind::BadAddress(String::from_utf8_lossy(value).into_owned())
                })?;
                if text == "*" {
                    // Any client, including one whose address is unknown (inetd on a pipe).
                    from_given = true;
                } else {
                    for part in text.split(',') {
                        from.push(IpNet::parse(part)?);
                    }
                }
            }
            b"method" => {
                if method.is_some() {
                    return Err(dup());
                }
                let text = std::str::from_utf8(value).unwrap_or("");
                let n = text
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= MAX_METHOD)
                    .ok_or_else(|| {
                        AuthzErrorKind::BadMethod(String::from_utf8_lossy(value).into_owned())
                    })?;
                method = Some(n);
            }
            b"password" => {
                if password.is_some() {
                    return Err(dup());
                }
                password = Some(value.to_vec());
            }
            b"host" => {
                if host.is_some() {
                    return Err(dup());
                }
                host = Some(Glob::new(value)?);
            }
            b"service" => {
                if service.is_some() {
                    return Err(dup());
                }
                service = Some(Glob::new(value)?);
            }
            _ => return Err(AuthzErrorKind::UnknownKey(key_text)),
        }
    }
    let credential = match (method, password) {
        (None, None) => CredentialMatch::Any,
        (m, p) => CredentialMatch::Exactly(Credential {
            method: m.unwrap_or(default.method),
            password: p.unwrap_or_else(|| default.password.clone()),
        }),
    };
    Ok(Rule {
        line,
        action,
        from,
        credential,
        host: host.unwrap_or_else(Glob::any),
        service: service.unwrap_or_else(Glob::any),
    })
}

/// Highest method number `nsca.cfg` knows (26 = SAFER+).
const MAX_METHOD: u8 = 26;

/// Splits a line into blank-separated tokens, honouring double quotes and escapes.
fn tokenize(line: &[u8]) -> Result<Vec<Vec<u8>>, AuthzErrorKind> {
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < line.len() {
        while line.get(i).is_some_and(|b| b.is_ascii_whitespace()) {
            i += 1;
        }
        if i >= line.len() {
            break;
        }
        if line[i] == b'#' && tokens.is_empty() {
            tokens.push(line[i..].to_vec());
            break;
        }
        let mut token = Vec::new();
        let mut quoted = false;
        while let Some(&b) = line.get(i) {
            if !quoted && b.is_ascii_whitespace() {
                break;
            }
            i += 1;
            match b {
                b'"' => quoted = !quoted,
                b'\\' if quoted => {
                    let e = *line.get(i).ok_or(AuthzErrorKind::UnterminatedQuote)?;
                    i += 1;
                    match e {
                        b'x' => {
                            let hex = line
                                .get(i..i + 2)
                                .and_then(|h| std::str::from_utf8(h).ok())
                                .and_then(|h| u8::from_str_radix(h, 16).ok())
                                .ok_or(AuthzErrorKind::BadEscape)?;
                            i += 2;
                            token.push(hex);
                        }
                        b'"' | b'\\' => token.push(e),
                        _ => return Err(AuthzErrorKind::BadEscape),
                    }
                }
                other => token.push(other),
            }
        }
        if quoted {
            return Err(AuthzErrorKind::UnterminatedQuote);
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// An authz file could not be read or parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("authz file '{}' line {line}: {kind}", path.display())]
pub struct AuthzError {
    /// The file.
    pub path: PathBuf,
    /// 1-based line number (0 when the file could not be read).
    pub line: usize,
    /// What is wrong.
    pub kind: AuthzErrorKind,
}

/// What is wrong with an authz line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthzErrorKind {
    /// The file could not be read.
    #[error("cannot read: {0}")]
    Read(String),
    /// The first word is neither `allow` nor `deny`.
    #[error("unknown action '{0}' (expected allow or deny)")]
    BadAction(String),
    /// A field is not `key=value`.
    #[error("field '{0}' is not key=value")]
    BadField(String),
    /// A key other than from, method, password, host, service.
    #[error("unknown key '{0}' (expected from, method, password, host or service)")]
    UnknownKey(String),
    /// A key given twice on one line.
    #[error("key '{0}' given twice")]
    DuplicateKey(String),
    /// An address or CIDR range that does not parse.
    #[error("bad address or network '{0}'")]
    BadAddress(String),
    /// A method that is not a number 0..=26.
    #[error("bad method '{0}' (expected a number 0..=26)")]
    BadMethod(String),
    /// A glob that does not compile.
    #[error("bad glob '{0}': {1}")]
    BadGlob(String, String),
    /// A quote opened and never closed.
    #[error("unterminated double quote")]
    UnterminatedQuote,
    /// A backslash escape other than `\"`, `\\` or `\xNN` inside quotes.
    #[error("bad escape (expected \\\", \\\\ or \\xNN)")]
    BadEscape,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob(p: &str) -> Glob {
        Glob::new(p.as_bytes()).expect("glob")
    }

    #[test]
    fn glob_matches_like_fnmatch() {
        assert!(glob("*").matches(b""));
        assert!(glob("web*").matches(b"web01"));
        assert!(!glob("web*").matches(b"db01"));
        assert!(glob("w?b[0-9]1").matches(b"web01"));
        assert!(!glob("w?b[!0-9]1").matches(b"web01"));
        assert!(glob("*a*b*").matches(b"xxaxxbxx"));
        assert!(!glob("*a*b").matches(b"xxaxxbxxc"));
        assert!(glob("\\*").matches(b"*"));
        assert!(!glob("\\*").matches(b"x"));
        assert!(glob("").matches(b""));
        assert!(!glob("").matches(b"a"));
        assert!(glob("?*").matches(b"a"));
        assert!(!glob("?*").matches(b""));
        assert!(glob("[]]").matches(b"]"));
    }

    #[test]
    fn net_normalises_v4_mapped() {
        let net = IpNet::parse("::ffff:10.0.0.0/104").expect("net");
        assert_eq!(net, IpNet::parse("10.0.0.0/8").expect("net"));
        assert!(net.contains("10.9.8.7".parse().expect("ip")));
        assert!(net.contains("::ffff:10.9.8.7".parse().expect("ip")));
        assert!(!net.contains("11.0.0.1".parse().expect("ip")));
        let v6 = IpNet::parse("2001:db8::/32").expect("net");
        assert!(v6.contains("2001:db8:1::5".parse().expect("ip")));
        assert!(!v6.contains("10.0.0.1".parse().expect("ip")));
        assert!(IpNet::parse("10.0.0.0/33").is_err());
        assert!(IpNet::parse("10.0.0.0/").is_err());
    }
}
