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
