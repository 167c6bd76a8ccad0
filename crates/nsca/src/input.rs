//! send_nsca's standard input format, parsed exactly as send_nsca 2.10 parses it.
//!
//! The input is split into *sets* on the set delimiter only (default ETB 0x17; a newline is
//! not a separator since 2.9).
//! A set longer than 5120 bytes stops the run ([`InputError::SetTooLong`]).
//! Each set is cut at its first NUL, stripped of trailing space, TAB, CR and LF, and skipped
//! when empty.
//! Fields are `strtok` tokens on the field delimiter (default TAB): runs of delimiters
//! collapse and leading delimiters are skipped.
//! Three tokens make a host check `host, rc, output`; four or more a service check
//! `host, service, rc, output` whose output is the whole rest of the set; fewer are skipped.
//! The return code is C `atoi` (non-numeric ⇒ 0) truncated to 16 bits; host, service and
//! output are cut to 63, 127 and 4095 (511 legacy) bytes.

use crate::codec::{CheckResult, MAX_HOST_LEN, MAX_SERVICE_LEN, PacketSize, c_field};
use crate::cstr::{Strtok, atoi, until_nul};
use crate::error::InputError;

/// send_nsca's input buffer (`MAX_INPUT_BUFFER`).
pub const MAX_SET_LEN: usize = 5120;
/// The default set delimiter, ETB (^W).
pub const DEFAULT_SET_DELIMITER: u8 = 0x17;

/// How standard input is split and parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputFormat {
    /// Field delimiter (`-d`); `None` when `-d` gave an empty string or NUL, which makes every
    /// set a single token (and so skipped).
    pub field_delimiter: Option<u8>,
    /// Set delimiter (`-ds`); 0 when `-ds` gave an empty string (then NUL bytes separate sets).
    pub set_delimiter: u8,
    /// Packet format, which bounds the output length.
    pub packet_size: PacketSize,
}

impl Default for InputFormat {
    fn default() -> Self {
        Self {
            field_delimiter: Some(b'\t'),
            set_delimiter: DEFAULT_SET_DELIMITER,
            packet_size: PacketSize::V3,
        }
    }
}

/// Splits a byte stream into sets as send_nsca's `getc` loop does (feed chunks, then finish).
#[derive(Debug, Clone)]
pub struct SetSplitter {
    set_delimiter: u8,
    current: Vec<u8>,
    sets: usize,
}

impl SetSplitter {
    /// A splitter on `set_delimiter`.
    pub fn new(set_delimiter: u8) -> Self {
        Self {
            set_delimiter,
            current: Vec::new(),
            sets: 0,
        }
    }

    /// Feeds `bytes`, calling `on_set` with every complete set (delimiter removed).
    ///
    /// Stops with [`InputError::SetTooLong`] when a byte arrives while 5120 bytes are held.
    pub fn feed(&mut self, bytes: &[u8], mut on_set: impl FnMut(&[u8])) -> Result<(), InputError> {
        for &b in bytes {
            if self.current.len() > MAX_SET_LEN - 1 {
                return Err(InputError::SetTooLong {
                    record: self.sets + 1,
                });
            }
            if b == self.set_delimiter {
                self.sets += 1;
                on_set(&self.current);
                self.current.clear();
            } else {
                self.current.push(b);
            }
        }
        Ok(())
    }

    /// End of input: the last set (possibly empty).
    pub fn finish(&mut self) -> Vec<u8> {
        self.sets += 1;
        std::mem::take(&mut self.current)
    }
}

/// Parses one set into a result, or `None` when send_nsca skips it.
pub fn parse_set(set: &[u8], format: &InputFormat) -> Option<CheckResult> {
    let mut s = until_nul(set);
    while let [rest @ .., b' ' | b'\r' | b'\n' | b'\t'] = s {
        s = rest;
    }
    if s.is_empty() {
        return None;
    }
    let delim_storage = [format.field_delimiter.unwrap_or(0)];
    let delims: &[u8] = if format.field_delimiter.is_some() {
        &delim_storage
    } else {
        &[]
    };
    let mut tok = Strtok::new(s);
    let p1 = tok.next_token(delims)?;
    let p2 = tok.next_token(delims)?;
    let p3 = tok.next_token(delims)?;
    let p4 = tok.next_token(&[]);
    let max_output = format.packet_size.max_output();
    let host = c_field(p1, MAX_HOST_LEN).to_vec();
    Some(match p4 {
        None => CheckResult {
            host,
            service: Vec::new(),
            return_code: atoi(p2) as i16,
            output: c_field(p3, max_output).to_vec(),
        },
        Some(rest) => CheckResult {
            host,
            service: c_field(p2, MAX_SERVICE_LEN).to_vec(),
            return_code: atoi(p3) as i16,
            output: c_field(rest, max_output).to_vec(),
        },
    })
}

/// Parses a whole input: every result send_nsca would send, in order, or the error that
/// stops it together with the results sent before it.
pub fn parse_all(input: &[u8], format: &InputFormat) -> (Vec<CheckResult>, Option<InputError>) {
    let mut out = Vec::new();
    let mut splitter = SetSplitter::new(format.set_delimiter);
    let fed = splitter.feed(input, |set| out.extend(parse_set(set, format)));
    if let Err(e) = fed {
        return (out, Some(e));
    }
    let last = splitter.finish();
    out.extend(parse_set(&last, format));
    (out, None)
}
