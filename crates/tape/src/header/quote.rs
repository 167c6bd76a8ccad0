//! Amanda's string quoting: `quote_string`, `unquote_string` and `quote_heredoc`.

/// Quotes a string as Amanda's `quote_string` does: unchanged unless it is
/// empty or holds a `:`, `'`, `\`, `"`, a space, a control character, DEL or
/// a non-ASCII byte; then wrapped in `"` with `\t \n \r \f \\ \"` escaped.
pub fn quote_string(s: &str) -> String {
    let needs = s.is_empty()
        || s.bytes()
            .any(|b| matches!(b, b':' | b'\'' | b'\\' | b'"' | 0x7f) || b <= b' ' || b >= 0x80);
    if !needs {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{c}' => out.push_str("\\f"),
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Undoes [`quote_string`] as Amanda's `unquote_string` does (quotes are
/// dropped, `\t \n \r \f`, octal `\NNN` and `\x` escapes are decoded).
pub fn unquote_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {}
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('f') => out.push('\u{c}'),
                Some(d @ '0'..='7') => {
                    let mut v = d as u32 - '0' as u32;
                    for _ in 0..2 {
                        match chars.peek() {
                            Some(&n @ '0'..='7') => {
                                v = (v << 3) + (n as u32 - '0' as u32);
                                chars.next();
                            }
                            _ => break,
                        }
                    }
                    // Amanda keeps the low byte and drops a zero byte.
                    let v = (v & 0xff) as u8;
                    if v != 0 {
                        out.push(char::from(v));
                    }
                }
                Some(other) => out.push(other),
                None => break,
            },
            c => out.push(c),
        }
    }
    out
}

/// `quote_heredoc`: `<<DELIM\ntext\nDELIM`, with DELIM = prefix, prefix1,
/// prefix2, ... until it is not a line of the text.
pub(super) fn quote_heredoc(text: &str, prefix: &str) -> String {
    let mut delim = prefix.to_owned();
    let mut n = 0u32;
    while text.split('\n').any(|l| l == delim) {
        n += 1;
        delim = format!("{prefix}{n}");
    }
    format!("<<{delim}\n{text}\n{delim}")
}
