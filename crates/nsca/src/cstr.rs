//! Byte-exact models of the C library calls nsca's parsers rely on (glibc semantics).

/// C `isspace` in the C locale.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The start of a C number: leading white space is skipped and one `+` or `-` read.
/// Returns the index of the first digit and whether the sign was `-`.
fn space_and_sign(s: &[u8]) -> (usize, bool) {
    let mut i = 0;
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    let mut neg = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        neg = s[i] == b'-';
        i += 1;
    }
    (i, neg)
}

/// Parses an integer like glibc `strtol(s, NULL, base)`; `base` 0 means auto (0x.., 0..).
///
/// Returns the value clamped to `i64` and whether it overflowed (glibc sets ERANGE).
pub(crate) fn strtol(s: &[u8], base: u32) -> (i64, bool) {
    let (mut i, neg) = space_and_sign(s);
    let mut base = base;
    let hex_prefix = s.get(i) == Some(&b'0')
        && matches!(s.get(i + 1), Some(b'x' | b'X'))
        && s.get(i + 2).is_some_and(|c| c.is_ascii_hexdigit());
    if (base == 0 || base == 16) && hex_prefix {
        base = 16;
        i += 2;
    } else if base == 0 {
        base = if s.get(i) == Some(&b'0') { 8 } else { 10 };
    }
    let mut value: u128 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).and_then(|&c| (c as char).to_digit(base)) {
        value = value * u128::from(base) + u128::from(d);
        if value > u128::from(u64::MAX) {
            overflow = true;
            value = u128::from(u64::MAX);
        }
        i += 1;
    }
    let limit = if neg { 1u128 << 63 } else { (1u128 << 63) - 1 };
    if value > limit {
        return (if neg { i64::MIN } else { i64::MAX }, true);
    }
    let v = value as i64;
    (if neg { v.wrapping_neg() } else { v }, overflow)
}

/// C `atoi`: `(int) strtol(s, NULL, 10)`.
pub(crate) fn atoi(s: &[u8]) -> i32 {
    strtol(s, 10).0 as i32
}

/// C `strtoul(s, NULL, 10)` on a 64-bit system (a leading `-` negates modulo 2^64).
pub(crate) fn strtoul(s: &[u8]) -> u64 {
    let (mut i, neg) = space_and_sign(s);
    let mut value: u64 = 0;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
        {
            Some(v) => value = v,
            None => return u64::MAX,
        }
        i += 1;
    }
    if neg { value.wrapping_neg() } else { value }
}

/// The bytes before the first NUL (what C string functions see).
pub(crate) fn until_nul(s: &[u8]) -> &[u8] {
    let end = s.iter().position(|&b| b == 0).unwrap_or(s.len());
    &s[..end]
}

/// A model of glibc `strtok` over one string.
pub(crate) struct Strtok<'a> {
    s: &'a [u8],
    pos: usize,
}

impl<'a> Strtok<'a> {
    /// Starts tokenising `s` (which must already be cut at its first NUL).
    pub(crate) fn new(s: &'a [u8]) -> Self {
        Self { s, pos: 0 }
    }

    /// `strtok(NULL, delims)`: skips leading delimiters, returns the token up to the next one.
    pub(crate) fn next_token(&mut self, delims: &[u8]) -> Option<&'a [u8]> {
        let s = self.s;
        let mut i = self.pos;
        while i < s.len() && delims.contains(&s[i]) {
            i += 1;
        }
        if i >= s.len() {
            self.pos = s.len();
            return None;
        }
        let start = i;
        while i < s.len() && !delims.contains(&s[i]) {
            i += 1;
        }
        self.pos = if i < s.len() { i + 1 } else { s.len() };
        Some(&s[start..i])
    }
}

/// Splits a file as repeated `fgets(buf, cap, fp)` calls do: chunks of at most `cap - 1`
/// bytes, each ending after a LF when there is one.
pub(crate) fn fgets_chunks(bytes: &[u8], cap: usize) -> impl Iterator<Item = &[u8]> {
    let max = cap.saturating_sub(1).max(1);
    let mut rest = bytes;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let limit = rest.len().min(max);
        let end = rest[..limit]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(limit, |p| p + 1);
        let (chunk, tail) = rest.split_at(end);
        rest = tail;
        Some(chunk)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_like_glibc() {
        assert_eq!(strtol(b"0x2c", 0), (44, false));
        assert_eq!(strtol(b"054", 0), (44, false));
        assert_eq!(strtol(b"44", 0), (44, false));
        assert_eq!(strtol(b"1abc", 0), (1, false));
        assert_eq!(strtol(b"0x", 0), (0, false));
        assert_eq!(strtol(b"-1", 0), (-1, false));
        assert_eq!(strtol(b"99999999999999999999", 10), (i64::MAX, true));
        assert_eq!(atoi(b"abc"), 0);
        assert_eq!(atoi(b" 12x"), 12);
        assert_eq!(atoi(b"4294967297"), 1);
        assert_eq!(strtoul(b"-1"), u64::MAX);
    }

    #[test]
    fn strtok_collapses_delimiters() {
        let mut t = Strtok::new(b"\t\ta\t\tb\tc d");
        assert_eq!(t.next_token(b"\t"), Some(&b"a"[..]));
        assert_eq!(t.next_token(b"\t"), Some(&b"b"[..]));
        assert_eq!(t.next_token(b""), Some(&b"c d"[..]));
        assert_eq!(t.next_token(b""), None);
    }
}
