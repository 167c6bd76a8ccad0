//! The authz file format, parsed without IO: [`Authz::parse`].

use std::path::Path;

use super::error::{AuthzError, AuthzErrorKind};
use super::glob::Glob;
use super::net::IpNet;
use super::policy::Authz;
use super::rule::{Action, Credential, CredentialMatch, Rule};

impl Authz {
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
}

/// One rule: the action, then its `key=value` fields.
fn parse_rule(
    line: usize,
    action: &[u8],
    fields: &[Vec<u8>],
    default: &Credential,
) -> Result<Rule, AuthzErrorKind> {
    let action = match action {
        b"allow" => Action::Allow,
        b"deny" => Action::Deny,
        other => return Err(AuthzErrorKind::BadAction(lossy(other))),
    };
    let mut given = Fields::default();
    for field in fields {
        given.set(field)?;
    }
    let credential = match (given.method, given.password) {
        (None, None) => CredentialMatch::Any,
        (m, p) => CredentialMatch::Exactly(Credential {
            method: m.unwrap_or(default.method),
            password: p.unwrap_or_else(|| default.password.clone()),
        }),
    };
    Ok(Rule {
        line,
        action,
        from: given.from.unwrap_or_default(),
        credential,
        host: given.host.unwrap_or_else(Glob::any),
        service: given.service.unwrap_or_else(Glob::any),
    })
}

/// The fields of one rule as given, each key at most once.
#[derive(Default)]
struct Fields {
    /// `from=`: the networks; empty for `*`.
    from: Option<Vec<IpNet>>,
    method: Option<u8>,
    password: Option<Vec<u8>>,
    host: Option<Glob>,
    service: Option<Glob>,
}

impl Fields {
    /// Takes one `key=value` field (a key given twice is an error before its value is read).
    fn set(&mut self, field: &[u8]) -> Result<(), AuthzErrorKind> {
        let Some(eq) = field.iter().position(|&b| b == b'=') else {
            return Err(AuthzErrorKind::BadField(lossy(field)));
        };
        let (key, value) = (&field[..eq], &field[eq + 1..]);
        let key_text = lossy(key);
        match key {
            b"from" => once(&mut self.from, &key_text, || parse_from(value)),
            b"method" => once(&mut self.method, &key_text, || parse_method(value)),
            b"password" => once(&mut self.password, &key_text, || Ok(value.to_vec())),
            b"host" => once(&mut self.host, &key_text, || Glob::new(value)),
            b"service" => once(&mut self.service, &key_text, || Glob::new(value)),
            _ => Err(AuthzErrorKind::UnknownKey(key_text)),
        }
    }
}

/// Fills `slot` with the parsed value, or fails when `key` was already given.
fn once<T>(
    slot: &mut Option<T>,
    key: &str,
    parse: impl FnOnce() -> Result<T, AuthzErrorKind>,
) -> Result<(), AuthzErrorKind> {
    if slot.is_some() {
        return Err(AuthzErrorKind::DuplicateKey(key.to_owned()));
    }
    *slot = Some(parse()?);
    Ok(())
}

/// `from=NETS`: comma-separated networks, or `*` (empty: any client, including one whose
/// address is unknown, inetd on a pipe).
fn parse_from(value: &[u8]) -> Result<Vec<IpNet>, AuthzErrorKind> {
    let text = std::str::from_utf8(value).map_err(|_| AuthzErrorKind::BadAddress(lossy(value)))?;
    if text == "*" {
        return Ok(Vec::new());
    }
    text.split(',').map(IpNet::parse).collect()
}

/// `method=N`: a method number `nsca.cfg` knows.
fn parse_method(value: &[u8]) -> Result<u8, AuthzErrorKind> {
    std::str::from_utf8(value)
        .unwrap_or("")
        .parse::<u8>()
        .ok()
        .filter(|n| *n <= MAX_METHOD)
        .ok_or_else(|| AuthzErrorKind::BadMethod(lossy(value)))
}

/// Bytes as text for error messages.
fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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
