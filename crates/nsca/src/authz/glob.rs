//! Byte globs of `host=` and `service=` (fnmatch-like).

use std::fmt;

use super::error::AuthzErrorKind;

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
}
