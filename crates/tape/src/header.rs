//! Amanda file headers (32 KiB): parse and write.
//!
//! Every file on an Amanda volume starts with a text header, NUL-padded to
//! [`HEADER_SIZE`] bytes (`common-src/fileheader.c` `build_header` and
//! `parse_file_header`).
//! The volume label is a `TAPESTART` header; each dump part is a `FILE`,
//! `CONT_FILE` or `SPLIT_FILE` header whose first line names the dump and
//! whose last lines are the restore hint (`dd if=<tape> bs=32k skip=1 | ...`).
//!
//! [`Header::to_block`] writes exactly the bytes Amanda 3.5 writes, and
//! [`Header::parse`] reads them back into the same value.
//! The codec refuses to write a header that Amanda would read differently
//! (a space in a host name, a field longer than Amanda's 256-byte buffers,
//! two custom compressors at once), and the parser is strict: an unknown
//! token, a missing field or a missing restore hint is a [`HeaderError`]
//! naming the field and quoting the offending text.
//! The parser never panics, whatever the bytes.

use std::fmt;
use std::num::{NonZeroU32, NonZeroU64};

/// Size of an Amanda header block on vfs and tape volumes (`DISK_BLOCK_BYTES`).
pub const HEADER_SIZE: usize = 32 * 1024;

/// Longest string Amanda keeps in a header field (`STRMAX` 256, NUL included).
pub const FIELD_MAX: usize = 255;

/// Space `build_header` leaves for the rest of a header when a DLE is added
/// (the DLE is written only if it is shorter than `max_size - 2048`).
const DLE_RESERVE: usize = 2048;

const MAGIC: &str = "AMANDA:";
const RESTORE_HINT: &str = "To restore, position tape at start of file and run:";
const DD_PREFIX: &str = "\tdd if=<tape> ";
const SKIP: &str = "skip=1 | ";

/// Why a header could not be parsed or written.
///
/// Every variant names the field (as Amanda's `dumpfile_t` calls it, or the
/// header line) and quotes the offending text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// The block holds no header text at all (it starts with a NUL byte).
    #[error("empty header: the block starts with a NUL byte")]
    Empty,
    /// The first word is not `AMANDA:`.
    #[error("not an Amanda header: first word is {found:?}, expected \"AMANDA:\"")]
    Magic {
        /// The first word found.
        found: String,
    },
    /// The file type word is not one Amanda writes.
    #[error("unknown header type {found:?}")]
    UnknownType {
        /// The type word found.
        found: String,
    },
    /// A field is missing from the header.
    #[error("header field '{field}' is missing")]
    Missing {
        /// The missing field.
        field: &'static str,
    },
    /// A field holds text the parser cannot accept.
    #[error("header field '{field}': expected {expected}, found {found:?}")]
    Field {
        /// The field being parsed.
        field: &'static str,
        /// What the field should hold.
        expected: &'static str,
        /// The offending text.
        found: String,
    },
    /// The header text is not valid UTF-8.
    #[error("header text is not UTF-8 at byte {offset}")]
    NotUtf8 {
        /// Offset of the first invalid byte.
        offset: usize,
    },
    /// The header text does not end with Amanda's `\n\f\n` terminator.
    #[error(
        "header text is truncated or unterminated: it ends with {tail:?}, expected \"\\n\\u{{c}}\\n\""
    )]
    Unterminated {
        /// The last few characters of the text.
        tail: String,
    },
    /// A value cannot be written because Amanda could not read it back.
    #[error("cannot write header field '{field}' = {value:?}: {reason}")]
    Invalid {
        /// The field holding the value.
        field: &'static str,
        /// The value.
        value: String,
        /// Why it cannot be written.
        reason: &'static str,
    },
    /// The encoded header does not fit in the block
    /// (Amanda: "Amanda file header won't fit in a single block!").
    #[error("header of {len} bytes does not fit in a {max}-byte block")]
    TooLarge {
        /// Length of the header text.
        len: usize,
        /// Size of the block.
        max: usize,
    },
}

/// The file types Amanda writes (`filetype_t`, `filetypetab`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    /// `TAPESTART` (`F_TAPESTART` = 1): the volume label.
    TapeStart,
    /// `TAPEEND` (`F_TAPEEND` = 2).
    TapeEnd,
    /// `FILE` (`F_DUMPFILE` = 3): a whole dump in one file.
    File,
    /// `CONT_FILE` (`F_CONT_DUMPFILE` = 4): a continuation file (pre-3.x chunking).
    ContFile,
    /// `SPLIT_FILE` (`F_SPLIT_DUMPFILE` = 5): one part of a split dump.
    SplitFile,
    /// `NOOP` (`F_NOOP` = 6).
    Noop,
}

impl FileType {
    /// The word Amanda writes for this type (`filetype2str`).
    pub fn as_str(self) -> &'static str {
        match self {
            FileType::TapeStart => "TAPESTART",
            FileType::TapeEnd => "TAPEEND",
            FileType::File => "FILE",
            FileType::ContFile => "CONT_FILE",
            FileType::SplitFile => "SPLIT_FILE",
            FileType::Noop => "NOOP",
        }
    }

    /// Amanda's numeric `filetype_t` value (as `Amanda::Header` reports it).
    pub fn amanda_code(self) -> i32 {
        match self {
            FileType::TapeStart => 1,
            FileType::TapeEnd => 2,
            FileType::File => 3,
            FileType::ContFile => 4,
            FileType::SplitFile => 5,
            FileType::Noop => 6,
        }
    }

    fn from_word(word: &str) -> Option<FileType> {
        Some(match word {
            "TAPESTART" => FileType::TapeStart,
            "TAPEEND" => FileType::TapeEnd,
            "FILE" => FileType::File,
            "CONT_FILE" => FileType::ContFile,
            "SPLIT_FILE" => FileType::SplitFile,
            "NOOP" => FileType::Noop,
            _ => return None,
        })
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A parsed or to-be-written Amanda header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Header {
    /// The volume label (`AMANDA: TAPESTART DATE <ds> TAPE <label>`).
    TapeStart(TapeStart),
    /// End of tape (`AMANDA: TAPEEND DATE <ds>`).
    TapeEnd {
        /// The datestamp.
        datestamp: String,
    },
    /// A no-op file (`AMANDA: NOOP`).
    Noop,
    /// A dump file or dump part.
    Dump(Box<DumpHeader>),
}

/// The volume label header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TapeStart {
    /// The datestamp the volume was labelled with (`X`, 8 or 14 digits).
    pub datestamp: String,
    /// The volume label.
    pub label: String,
}

/// Which kind of dump file a [`DumpHeader`] describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DumpKind {
    /// `FILE`: the whole dump (Amanda reports it as part 1/1).
    File,
    /// `CONT_FILE`: a continuation file (Amanda reports part 0/0).
    ContFile,
    /// `SPLIT_FILE`: part `part` of `total` (`part N/M`, `M` = -1 when unknown).
    SplitFile {
        /// This part's number, from 1.
        part: NonZeroU32,
        /// How many parts the dump has; `None` is written as `-1` ("UNKNOWN").
        total: Option<u32>,
    },
}

/// A program recorded as running on the server or on the client
/// (`server_custom_compress` / `client_custom_compress` and friends).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OnSide {
    /// Ran on the Amanda server (`server_...`).
    Server(String),
    /// Ran on the client (`client_...`).
    Client(String),
}

impl OnSide {
    /// The program or option text.
    pub fn value(&self) -> &str {
        match self {
            OnSide::Server(v) | OnSide::Client(v) => v,
        }
    }
}

/// A CRC line (`NATIVE-CRC=%08x:%lld`); Amanda omits it when the CRC is 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Crc {
    /// The CRC32 value.
    pub crc: NonZeroU32,
    /// The number of bytes it covers.
    pub size: u64,
}

/// The header of a dump file (`FILE`, `CONT_FILE` or `SPLIT_FILE`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DumpHeader {
    /// Whole file, continuation or split part.
    pub kind: DumpKind,
    /// The dump's datestamp (`X`, 8 or 14 digits).
    pub datestamp: String,
    /// The client host (`dumpfile_t.name`).
    pub host: String,
    /// The disk (DLE) name; quoted in the header when it needs it.
    pub disk: String,
    /// The dump level.
    pub level: u32,
    /// Compression suffix (`comp .gz`); `None` is written as `comp N`.
    pub compression: Option<String>,
    /// The backup program (`program /bin/tar`); a trailing `.exe` is dropped
    /// when written, as Amanda does.
    pub program: String,
    /// Encryption suffix (`crypt enc`); `None` means not encrypted (as does any
    /// suffix starting with `N`, which Amanda reads as "not encrypted").
    pub encryption: Option<String>,
    /// Custom compression program (`server_custom_compress` / `client_custom_compress`).
    pub custom_compress: Option<OnSide>,
    /// Encryption program (`server_encrypt` / `client_encrypt`).
    pub encrypt: Option<OnSide>,
    /// Decryption option (`server_decrypt_option` / `client_decrypt_option`).
    pub decrypt_option: Option<OnSide>,
    /// `CONT_FILENAME=` line.
    pub cont_filename: Option<String>,
    /// `APPLICATION=` line.
    pub application: Option<String>,
    /// `PARTIAL=YES` line: the dump is incomplete.
    pub partial: bool,
    /// `ORIGSIZE=` line (in KiB, as Amanda records it).
    pub orig_size: Option<NonZeroU64>,
    /// `NATIVE-CRC=` line.
    pub native_crc: Option<Crc>,
    /// `CLIENT-CRC=` line.
    pub client_crc: Option<Crc>,
    /// `SERVER-CRC=` line.
    pub server_crc: Option<Crc>,
    /// `DLE=<<ENDDLE` here-document (the disk list entry as XML).
    pub dle: Option<String>,
    /// The `bs=Nk` of the restore hint, in KiB (the vfs device always writes 32).
    pub block_kib: Option<NonZeroU32>,
    /// Everything after `skip=1 | ` on the restore hint line, verbatim: the
    /// decrypt, uncompress and recover commands, each followed by a space.
    /// Build it with [`DumpHeader::set_restore_commands`].
    pub restore_pipeline: String,
}

impl DumpHeader {
    /// A `SPLIT_FILE` header with Amanda's defaults: no compression,
    /// no encryption, `bs=32k`, empty restore pipeline.
    pub fn split(
        datestamp: &str,
        host: &str,
        disk: &str,
        level: u32,
        program: &str,
        part: NonZeroU32,
        total: Option<u32>,
    ) -> DumpHeader {
        DumpHeader {
            kind: DumpKind::SplitFile { part, total },
            ..DumpHeader::file(datestamp, host, disk, level, program)
        }
    }

    /// A `FILE` header with Amanda's defaults: no compression, no encryption,
    /// `bs=32k`, empty restore pipeline.
    pub fn file(datestamp: &str, host: &str, disk: &str, level: u32, program: &str) -> DumpHeader {
        DumpHeader {
            kind: DumpKind::File,
            datestamp: datestamp.to_owned(),
            host: host.to_owned(),
            disk: disk.to_owned(),
            level,
            compression: None,
            program: program.to_owned(),
            encryption: None,
            custom_compress: None,
            encrypt: None,
            decrypt_option: None,
            cont_filename: None,
            application: None,
            partial: false,
            orig_size: None,
            native_crc: None,
            client_crc: None,
            server_crc: None,
            dle: None,
            block_kib: NonZeroU32::new(32),
            restore_pipeline: String::new(),
        }
    }

    /// The file type word of this header.
    pub fn file_type(&self) -> FileType {
        match self.kind {
            DumpKind::File => FileType::File,
            DumpKind::ContFile => FileType::ContFile,
            DumpKind::SplitFile { .. } => FileType::SplitFile,
        }
    }

    /// Amanda's `(partnum, totalparts)`: 1/1 for `FILE`, 0/0 for
    /// `CONT_FILE`, N/M for `SPLIT_FILE` with -1 for an unknown total.
    pub fn parts(&self) -> (i64, i64) {
        match self.kind {
            DumpKind::File => (1, 1),
            DumpKind::ContFile => (0, 0),
            DumpKind::SplitFile { part, total } => {
                (i64::from(part.get()), total.map_or(-1, i64::from))
            }
        }
    }

    /// Sets the restore pipeline as `build_header` writes it: each command
    /// followed by a space; decrypt and uncompress commands must end in `|`
    /// and are written only together with a recover command.
    pub fn set_restore_commands(
        &mut self,
        decrypt: Option<&str>,
        uncompress: Option<&str>,
        recover: Option<&str>,
    ) -> Result<(), HeaderError> {
        let mut out = String::new();
        match recover {
            Some(rec) if !rec.is_empty() => {
                for (field, cmd) in [("decrypt_cmd", decrypt), ("uncompress_cmd", uncompress)] {
                    if let Some(cmd) = cmd.filter(|c| !c.is_empty()) {
                        if !cmd.ends_with('|') {
                            return Err(invalid(field, cmd, "must end with '|'"));
                        }
                        out.push_str(cmd);
                        out.push(' ');
                    }
                }
                out.push_str(rec);
                out.push(' ');
            }
            _ => {
                if decrypt.is_some_and(|c| !c.is_empty())
                    || uncompress.is_some_and(|c| !c.is_empty())
                {
                    return Err(invalid(
                        "recover_cmd",
                        "",
                        "uncompress_cmd or decrypt_cmd needs a recover_cmd",
                    ));
                }
            }
        }
        check_line("restore_pipeline", &out)?;
        self.restore_pipeline = out;
        Ok(())
    }

    /// The commands of the restore pipeline split as Amanda's parser does:
    /// `(decrypt_cmd, uncompress_cmd, recover_cmd)`; with two commands the
    /// first is reported as the uncompress command.
    pub fn restore_commands(&self) -> (Option<String>, Option<String>, Option<String>) {
        let cmds: Vec<&str> = self
            .restore_pipeline
            .splitn(3, '|')
            .map(str::trim)
            .collect();
        let piped = |s: &str| Some(format!("{s} |"));
        let rec = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        match cmds.as_slice() {
            [one] => (None, None, rec(one)),
            [a, b] => (None, piped(a), rec(b)),
            [a, b, c] => (piped(a), piped(b), rec(c)),
            _ => (None, None, None),
        }
    }
}

impl Header {
    /// A volume label header.
    pub fn tape_start(datestamp: &str, label: &str) -> Header {
        Header::TapeStart(TapeStart {
            datestamp: datestamp.to_owned(),
            label: label.to_owned(),
        })
    }

    /// The file type of this header.
    pub fn file_type(&self) -> FileType {
        match self {
            Header::TapeStart(_) => FileType::TapeStart,
            Header::TapeEnd { .. } => FileType::TapeEnd,
            Header::Noop => FileType::Noop,
            Header::Dump(d) => d.file_type(),
        }
    }

    /// The dump header, if this is a dump file.
    pub fn as_dump(&self) -> Option<&DumpHeader> {
        match self {
            Header::Dump(d) => Some(d),
            _ => None,
        }
    }

    /// The header text as `build_header` writes it, without NUL padding.
    pub fn to_text(&self) -> Result<String, HeaderError> {
        self.to_text_for(HEADER_SIZE)
    }

    /// The header NUL-padded to exactly [`HEADER_SIZE`] bytes, as the vfs and
    /// tape devices write it.
    pub fn to_block(&self) -> Result<Vec<u8>, HeaderError> {
        self.to_block_of(HEADER_SIZE)
    }

    /// The header NUL-padded to `size` bytes; [`HeaderError::TooLarge`] if it
    /// does not fit (Amanda's `build_header` returns NULL then).
    pub fn to_block_of(&self, size: usize) -> Result<Vec<u8>, HeaderError> {
        let text = self.to_text_for(size)?;
        if text.len() > size {
            return Err(HeaderError::TooLarge {
                len: text.len(),
                max: size,
            });
        }
        let mut block = text.into_bytes();
        block.resize(size, 0);
        debug_assert_eq!(block.len(), size);
        Ok(block)
    }

    fn to_text_for(&self, max_size: usize) -> Result<String, HeaderError> {
        match self {
            Header::TapeStart(ts) => {
                check_datestamp(&ts.datestamp)?;
                check_token("label", &ts.label)?;
                Ok(format!(
                    "AMANDA: TAPESTART DATE {} TAPE {}\n\u{c}\n",
                    ts.datestamp, ts.label
                ))
            }
            Header::TapeEnd { datestamp } => {
                check_datestamp(datestamp)?;
                Ok(format!("AMANDA: TAPEEND DATE {datestamp}\n\u{c}\n"))
            }
            Header::Noop => Ok("AMANDA: NOOP\n\u{c}\n".to_owned()),
            Header::Dump(d) => encode_dump(d, max_size),
        }
    }

    /// Parses a header block (any length; the text ends at the first NUL).
    pub fn parse(block: &[u8]) -> Result<Header, HeaderError> {
        let end = block.iter().position(|&b| b == 0).unwrap_or(block.len());
        if end == 0 {
            return Err(HeaderError::Empty);
        }
        let text = std::str::from_utf8(&block[..end]).map_err(|e| HeaderError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        parse_text(text)
    }

    /// Amanda's one-line summary (`summarize_header`), as `amrestore` prints
    /// it: `split dumpfile: date D host H disk D part 1/UNKNOWN lev 0 comp N program P`.
    pub fn summary(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Header::TapeStart(ts) => {
                write!(f, "start of tape: date {} label {}", ts.datestamp, ts.label)
            }
            Header::TapeEnd { datestamp } => write!(f, "end of tape: date {datestamp}"),
            Header::Noop => f.write_str("NOOP file"),
            Header::Dump(d) => {
                let comp = d.compression.as_deref().unwrap_or("N");
                let disk = quote_string(&d.disk);
                match d.kind {
                    DumpKind::File | DumpKind::ContFile => write!(
                        f,
                        "{}: date {} host {} disk {} lev {} comp {}",
                        d.file_type(),
                        d.datestamp,
                        d.host,
                        disk,
                        d.level,
                        comp
                    )?,
                    DumpKind::SplitFile { part, total } => {
                        let total = match total {
                            Some(t) if t > 0 => t.to_string(),
                            _ => "UNKNOWN".to_owned(),
                        };
                        write!(
                            f,
                            "split dumpfile: date {} host {} disk {} part {}/{} lev {} comp {}",
                            d.datestamp, d.host, disk, part, total, d.level, comp
                        )?
                    }
                }
                if !d.program.is_empty() {
                    write!(f, " program {}", d.program)?;
                }
                if d.encryption.as_deref() == Some("enc") {
                    f.write_str(" crypt enc")?;
                }
                for (name, side) in [
                    ("custom_compress", &d.custom_compress),
                    ("encrypt", &d.encrypt),
                    ("decrypt_option", &d.decrypt_option),
                ] {
                    match side {
                        Some(OnSide::Server(v)) => write!(f, " server_{name} {v}")?,
                        Some(OnSide::Client(v)) => write!(f, " client_{name} {v}")?,
                        None => {}
                    }
                }
                Ok(())
            }
        }
    }
}

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

fn invalid(field: &'static str, value: &str, reason: &'static str) -> HeaderError {
    HeaderError::Invalid {
        field,
        value: value.to_owned(),
        reason,
    }
}

fn check_datestamp(ds: &str) -> Result<(), HeaderError> {
    let digits = ds.bytes().all(|b| b.is_ascii_digit());
    if ds == "X" || (digits && (ds.len() == 8 || ds.len() == 14)) {
        Ok(())
    } else {
        Err(invalid("datestamp", ds, "must be X, 8 digits or 14 digits"))
    }
}

/// A single word of the first line: non-empty, no whitespace or control
/// characters, no longer than Amanda's field buffer.
fn check_token(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.is_empty() {
        return Err(invalid(field, v, "must not be empty"));
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid(
            field,
            v,
            "must not contain whitespace or control characters",
        ));
    }
    if v.contains('"') {
        // parse_file_header toggles "in quotes" on every '"' of the first line.
        return Err(invalid(
            field,
            v,
            "must not contain '\"' (Amanda reads it as a quote)",
        ));
    }
    check_len(field, v)
}

fn check_len(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.len() > FIELD_MAX {
        return Err(invalid(field, v, "longer than Amanda's 255-byte field"));
    }
    Ok(())
}

/// A value on its own header line: no newline, NUL or form feed.
fn check_line(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.contains(['\n', '\0', '\u{c}']) {
        return Err(invalid(
            field,
            v,
            "must not contain a newline, NUL or form feed",
        ));
    }
    Ok(())
}

fn encode_dump(d: &DumpHeader, max_size: usize) -> Result<String, HeaderError> {
    use std::fmt::Write as _;
    let split = match d.kind {
        DumpKind::SplitFile { part, total } => {
            if let Some(t) = total {
                if part.get() > t {
                    return Err(invalid(
                        "partnum",
                        &format!("{part}/{t}"),
                        "part number above total parts",
                    ));
                }
                if t > i32::MAX as u32 {
                    return Err(invalid(
                        "totalparts",
                        &t.to_string(),
                        "above Amanda's int range",
                    ));
                }
            }
            if part.get() > i32::MAX as u32 {
                return Err(invalid(
                    "partnum",
                    &part.to_string(),
                    "above Amanda's int range",
                ));
            }
            format!(" part {}/{} ", part, total.map_or(-1, i64::from))
        }
        DumpKind::File | DumpKind::ContFile => String::new(),
    };
    check_token("name", &d.host)?;
    check_datestamp(&d.datestamp)?;
    check_len("disk", &d.disk)?;
    if d.disk.contains('\0') {
        return Err(invalid("disk", &d.disk, "must not contain NUL"));
    }
    if d.disk.ends_with('\\') {
        // The quoted disk would end in `\\"`, which parse_file_header's first-line
        // scanner takes for an escaped quote: the rest of the header would be misread.
        return Err(invalid("disk", &d.disk, "must not end with a backslash"));
    }
    if d.level > i32::MAX as u32 {
        return Err(invalid(
            "dumplevel",
            &d.level.to_string(),
            "above Amanda's int range",
        ));
    }
    let program = match d.program.len().checked_sub(4) {
        Some(cut)
            if d.program.is_char_boundary(cut) && d.program[cut..].eq_ignore_ascii_case(".exe") =>
        {
            &d.program[..cut]
        }
        _ => &d.program[..],
    };
    check_token("program", program)?;
    if let Some(c) = &d.compression {
        check_token("comp_suffix", c)?;
        if c == "N" {
            return Err(invalid(
                "comp_suffix",
                c,
                "\"N\" means uncompressed; use None",
            ));
        }
    }
    let mut out = String::with_capacity(512);
    let _ = write!(
        out,
        "AMANDA: {} {} {} {} {} lev {} comp {} program {}",
        d.file_type(),
        d.datestamp,
        d.host,
        quote_string(&d.disk),
        split,
        d.level,
        d.compression.as_deref().unwrap_or("N"),
        program
    );
    if let Some(e) = &d.encryption {
        check_token("encrypt_suffix", e)?;
        if e.starts_with('N') {
            // parse_file_header compares with strncmp(suffix, "N", 1).
            return Err(invalid(
                "encrypt_suffix",
                e,
                "Amanda reads a crypt suffix starting with N as not encrypted; use None",
            ));
        }
        let _ = write!(out, " crypt {e}");
    }
    for (name, field, side) in [
        ("custom_compress", "custom_compress", &d.custom_compress),
        ("encrypt", "encrypt", &d.encrypt),
        ("decrypt_option", "decrypt_option", &d.decrypt_option),
    ] {
        if let Some(side) = side {
            check_token(field, side.value())?;
            let where_ = if matches!(side, OnSide::Server(_)) {
                "server"
            } else {
                "client"
            };
            let _ = write!(out, " {where_}_{name} {}", side.value());
        }
    }
    out.push('\n');
    if let Some(v) = &d.cont_filename {
        check_nonempty_line("cont_filename", v)?;
        let _ = writeln!(out, "CONT_FILENAME={v}");
    }
    if let Some(v) = &d.application {
        check_nonempty_line("application", v)?;
        let _ = writeln!(out, "APPLICATION={v}");
    }
    if d.partial {
        out.push_str("PARTIAL=YES\n");
    }
    if let Some(v) = d.orig_size {
        if v.get() > i64::MAX as u64 {
            return Err(invalid(
                "orig_size",
                &v.to_string(),
                "above Amanda's off_t range",
            ));
        }
        let _ = writeln!(out, "ORIGSIZE={v}");
    }
    for (key, crc) in [
        ("NATIVE-CRC", d.native_crc),
        ("CLIENT-CRC", d.client_crc),
        ("SERVER-CRC", d.server_crc),
    ] {
        if let Some(c) = crc {
            if c.size > i64::MAX as u64 {
                return Err(invalid(
                    "crc size",
                    &c.size.to_string(),
                    "above Amanda's long long range",
                ));
            }
            let _ = writeln!(out, "{key}={:08x}:{}", c.crc, c.size);
        }
    }
    if let Some(dle) = &d.dle {
        if dle.contains(['\0', '\u{c}']) {
            return Err(invalid("dle_str", dle, "must not contain NUL or form feed"));
        }
        if dle.split('\n').any(str::is_empty) {
            return Err(invalid(
                "dle_str",
                dle,
                "empty lines are lost by Amanda's parser",
            ));
        }
        if dle.len() >= max_size.saturating_sub(DLE_RESERVE) {
            return Err(invalid(
                "dle_str",
                "<long DLE>",
                "too long: Amanda would drop it",
            ));
        }
        let _ = writeln!(out, "DLE={}", quote_heredoc(dle, "ENDDLE"));
    }
    out.push_str(RESTORE_HINT);
    out.push('\n');
    out.push_str(DD_PREFIX);
    if let Some(bs) = d.block_kib {
        let _ = write!(out, "bs={bs}k ");
    }
    out.push_str(SKIP);
    check_line("restore_pipeline", &d.restore_pipeline)?;
    out.push_str(&d.restore_pipeline);
    out.push_str("\n\u{c}\n");
    Ok(out)
}

fn check_nonempty_line(field: &'static str, v: &str) -> Result<(), HeaderError> {
    if v.is_empty() {
        return Err(invalid(
            field,
            v,
            "must not be empty (Amanda omits empty lines)",
        ));
    }
    check_line(field, v)?;
    check_len(field, v)
}

/// `quote_heredoc`: `<<DELIM\ntext\nDELIM`, with DELIM = prefix, prefix1,
/// prefix2, ... until it is not a line of the text.
fn quote_heredoc(text: &str, prefix: &str) -> String {
    let mut delim = prefix.to_owned();
    let mut n = 0u32;
    while text.split('\n').any(|l| l == delim) {
        n += 1;
        delim = format!("{prefix}{n}");
    }
    format!("<<{delim}\n{text}\n{delim}")
}

/// Splits off the next space-delimited word (runs of spaces collapse, as
/// with `strtok_r(..., " ")`).
fn next_word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let s = rest.trim_start_matches(' ');
    if s.is_empty() {
        *rest = s;
        return None;
    }
    let end = s.find(' ').unwrap_or(s.len());
    let (w, r) = s.split_at(end);
    *rest = r;
    Some(w)
}

/// Splits off a possibly quoted word (`strquotedstr`): spaces inside double
/// quotes or after a backslash do not end it.
fn next_quoted_word<'a>(rest: &mut &'a str) -> Option<&'a str> {
    let s = rest.trim_start_matches(' ');
    if s.is_empty() {
        *rest = s;
        return None;
    }
    let mut in_quote = false;
    let mut escaped = false;
    let mut end = s.len();
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if c == ' ' && !in_quote {
            end = i;
            break;
        }
    }
    if in_quote || escaped {
        // strquotedstr returns NULL when the quote never closes.
        *rest = "";
        return None;
    }
    let (w, r) = s.split_at(end);
    *rest = r;
    Some(w)
}

fn expect_word(
    rest: &mut &str,
    field: &'static str,
    word: &'static str,
) -> Result<(), HeaderError> {
    match next_word(rest) {
        Some(w) if w == word => Ok(()),
        Some(w) => Err(HeaderError::Field {
            field,
            expected: word,
            found: w.to_owned(),
        }),
        None => Err(HeaderError::Missing { field }),
    }
}

fn word(rest: &mut &str, field: &'static str) -> Result<String, HeaderError> {
    next_word(rest)
        .map(str::to_owned)
        .ok_or(HeaderError::Missing { field })
}

fn parse_datestamp(rest: &mut &str) -> Result<String, HeaderError> {
    let ds = word(rest, "datestamp")?;
    check_datestamp(&ds).map_err(|_| HeaderError::Field {
        field: "datestamp",
        expected: "X, 8 digits or 14 digits",
        found: ds.clone(),
    })?;
    Ok(ds)
}

fn parse_int<T: std::str::FromStr>(
    text: &str,
    field: &'static str,
    expected: &'static str,
) -> Result<T, HeaderError> {
    // Amanda writes plain decimal (`%d`): no sign, no leading '+'.
    let ok = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| text.parse::<T>().ok())
        .flatten()
        .ok_or_else(|| HeaderError::Field {
            field,
            expected,
            found: text.to_owned(),
        })
}

fn no_more_words(rest: &str, field: &'static str) -> Result<(), HeaderError> {
    let r = rest.trim_start_matches(' ');
    if r.is_empty() {
        Ok(())
    } else {
        Err(HeaderError::Field {
            field,
            expected: "end of line",
            found: r.to_owned(),
        })
    }
}

fn parse_text(text: &str) -> Result<Header, HeaderError> {
    // The whole header ends with "\n\f\n"; anything else is truncated.
    if !text.ends_with("\n\u{c}\n") {
        let tail: String = {
            let chars: Vec<char> = text.chars().rev().take(24).collect();
            chars.into_iter().rev().collect()
        };
        return Err(HeaderError::Unterminated { tail });
    }
    let body = &text[..text.len() - 2]; // keep the "\n" before the form feed
    let (first, rest_lines) = body.split_once('\n').unwrap_or((body, ""));
    let mut rest = first;
    let magic = next_word(&mut rest).unwrap_or("");
    if magic != MAGIC {
        return Err(HeaderError::Magic {
            found: first.chars().take(40).collect(),
        });
    }
    let type_word = next_word(&mut rest).ok_or(HeaderError::Missing { field: "type" })?;
    let ftype = FileType::from_word(type_word).ok_or_else(|| HeaderError::UnknownType {
        found: type_word.to_owned(),
    })?;
    let simple = |h: Header, rest_lines: &str| -> Result<Header, HeaderError> {
        if rest_lines.is_empty() {
            Ok(h)
        } else {
            Err(HeaderError::Field {
                field: "line 2",
                expected: "the form feed that ends the header",
                found: rest_lines.lines().next().unwrap_or("").to_owned(),
            })
        }
    };
    match ftype {
        FileType::TapeStart => {
            expect_word(&mut rest, "DATE", "DATE")?;
            let datestamp = parse_datestamp(&mut rest)?;
            expect_word(&mut rest, "TAPE", "TAPE")?;
            let label = word(&mut rest, "label")?;
            no_more_words(rest, "label")?;
            simple(
                Header::TapeStart(TapeStart { datestamp, label }),
                rest_lines,
            )
        }
        FileType::TapeEnd => {
            expect_word(&mut rest, "DATE", "DATE")?;
            let datestamp = parse_datestamp(&mut rest)?;
            no_more_words(rest, "datestamp")?;
            simple(Header::TapeEnd { datestamp }, rest_lines)
        }
        FileType::Noop => {
            no_more_words(rest, "type")?;
            simple(Header::Noop, rest_lines)
        }
        FileType::File | FileType::ContFile | FileType::SplitFile => {
            let d = parse_dump(ftype, rest, rest_lines)?;
            Ok(Header::Dump(Box::new(d)))
        }
    }
}

fn parse_dump(ftype: FileType, mut rest: &str, lines: &str) -> Result<DumpHeader, HeaderError> {
    let datestamp = parse_datestamp(&mut rest)?;
    let host = word(&mut rest, "name")?;
    let qdisk = next_quoted_word(&mut rest).ok_or(HeaderError::Missing { field: "disk" })?;
    let disk = unquote_string(qdisk);
    let kind = match ftype {
        FileType::SplitFile => {
            expect_word(&mut rest, "part", "part")?;
            let pm = word(&mut rest, "partnum")?;
            let (p, m) = pm.split_once('/').ok_or_else(|| HeaderError::Field {
                field: "partnum",
                expected: "N/M",
                found: pm.clone(),
            })?;
            let part: u32 = parse_int(p, "partnum", "a part number from 1")?;
            let part = NonZeroU32::new(part).ok_or_else(|| HeaderError::Field {
                field: "partnum",
                expected: "a part number from 1",
                found: p.to_owned(),
            })?;
            let total = if m == "-1" {
                None
            } else {
                let t: u32 = parse_int(m, "totalparts", "a part count or -1")?;
                if part.get() > t {
                    return Err(HeaderError::Field {
                        field: "totalparts",
                        expected: "a count not below the part number",
                        found: pm.clone(),
                    });
                }
                Some(t)
            };
            DumpKind::SplitFile { part, total }
        }
        FileType::ContFile => DumpKind::ContFile,
        _ => DumpKind::File,
    };
    expect_word(&mut rest, "lev", "lev")?;
    let lev = word(&mut rest, "dumplevel")?;
    let level: u32 = parse_int(&lev, "dumplevel", "a dump level")?;
    expect_word(&mut rest, "comp", "comp")?;
    let comp = word(&mut rest, "comp_suffix")?;
    let compression = (comp != "N").then_some(comp);
    let mut d = DumpHeader {
        kind,
        datestamp,
        host,
        disk,
        level,
        compression,
        program: String::new(),
        encryption: None,
        custom_compress: None,
        encrypt: None,
        decrypt_option: None,
        cont_filename: None,
        application: None,
        partial: false,
        orig_size: None,
        native_crc: None,
        client_crc: None,
        server_crc: None,
        dle: None,
        block_kib: None,
        restore_pipeline: String::new(),
    };
    // "program" is optional in old headers.
    if let Some(w) = next_word(&mut rest) {
        if w != "program" {
            return Err(HeaderError::Field {
                field: "program",
                expected: "program",
                found: w.to_owned(),
            });
        }
        d.program = word(&mut rest, "program")?;
    }
    let mut tok = next_word(&mut rest);
    if tok == Some("crypt") {
        let e = word(&mut rest, "encrypt_suffix")?;
        // "crypt N" means not encrypted; Amanda compares only the first byte.
        d.encryption = (!e.starts_with('N')).then_some(e);
        tok = next_word(&mut rest);
    }
    for (server, client, field, slot) in [
        (
            "server_custom_compress",
            "client_custom_compress",
            "custom_compress",
            &mut d.custom_compress,
        ),
        (
            "server_encrypt",
            "client_encrypt",
            "encrypt",
            &mut d.encrypt,
        ),
        (
            "server_decrypt_option",
            "client_decrypt_option",
            "decrypt_option",
            &mut d.decrypt_option,
        ),
    ] {
        if tok == Some(server) {
            *slot = Some(OnSide::Server(word(&mut rest, field)?));
            tok = next_word(&mut rest);
        } else if tok == Some(client) {
            *slot = Some(OnSide::Client(word(&mut rest, field)?));
            tok = next_word(&mut rest);
        }
    }
    if let Some(t) = tok {
        return Err(HeaderError::Field {
            field: "first line",
            expected: "crypt, *_custom_compress, *_encrypt or *_decrypt_option",
            found: t.to_owned(),
        });
    }
    parse_dump_lines(&mut d, lines)?;
    Ok(d)
}

fn parse_dump_lines(d: &mut DumpHeader, lines: &str) -> Result<(), HeaderError> {
    // `lines` holds everything after the first line, ending with the "\n"
    // that precedes the form feed.
    let lines = lines.strip_suffix('\n').ok_or(HeaderError::Missing {
        field: "restore hint",
    })?;
    let all: Vec<&str> = lines.split('\n').collect();
    let n = all.len();
    if n < 2 || all[n - 2] != RESTORE_HINT {
        return Err(HeaderError::Field {
            field: "restore hint",
            expected: RESTORE_HINT,
            found: all.get(n.wrapping_sub(2)).copied().unwrap_or("").to_owned(),
        });
    }
    parse_dd_line(d, all[n - 1])?;
    let mut i = 0;
    let middle = &all[..n - 2];
    let dup = |field: &'static str, line: &str| HeaderError::Field {
        field,
        expected: "one line of this kind",
        found: line.to_owned(),
    };
    while i < middle.len() {
        let line = middle[i];
        i += 1;
        if let Some(v) = line.strip_prefix("CONT_FILENAME=") {
            if d.cont_filename.replace(v.to_owned()).is_some() {
                return Err(dup("cont_filename", line));
            }
        } else if let Some(v) = line.strip_prefix("APPLICATION=") {
            if d.application.replace(v.to_owned()).is_some() {
                return Err(dup("application", line));
            }
        } else if let Some(v) = line.strip_prefix("PARTIAL=") {
            d.partial = v.eq_ignore_ascii_case("yes");
        } else if let Some(v) = line.strip_prefix("ORIGSIZE=") {
            let size: u64 = parse_int(v, "orig_size", "a size")?;
            d.orig_size = NonZeroU64::new(size);
        } else if let Some(v) = line.strip_prefix("NATIVE-CRC=") {
            d.native_crc = parse_crc(v, "native_crc")?;
        } else if let Some(v) = line.strip_prefix("CLIENT-CRC=") {
            d.client_crc = parse_crc(v, "client_crc")?;
        } else if let Some(v) = line.strip_prefix("SERVER-CRC=") {
            d.server_crc = parse_crc(v, "server_crc")?;
        } else if let Some(v) = line.strip_prefix("DLE=") {
            let text = if let Some(key) = v.strip_prefix("<<") {
                let start = i;
                let end = middle[start..]
                    .iter()
                    .position(|l| *l == key)
                    .map(|p| start + p)
                    .ok_or_else(|| HeaderError::Field {
                        field: "dle_str",
                        expected: "a here-document ended by its delimiter",
                        found: key.to_owned(),
                    })?;
                i = end + 1;
                middle[start..end].join("\n")
            } else {
                v.to_owned()
            };
            d.dle = Some(text);
        } else {
            return Err(HeaderError::Field {
                field: "header line",
                expected: "CONT_FILENAME=, APPLICATION=, PARTIAL=, ORIGSIZE=, *-CRC=, DLE= or the restore hint",
                found: line.to_owned(),
            });
        }
    }
    Ok(())
}

fn parse_crc(v: &str, field: &'static str) -> Result<Option<Crc>, HeaderError> {
    let bad = || HeaderError::Field {
        field,
        expected: "CRC:SIZE (hex:decimal)",
        found: v.to_owned(),
    };
    let (c, s) = v.split_once(':').ok_or_else(bad)?;
    if c.is_empty() || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let crc = u32::from_str_radix(c, 16).map_err(|_| bad())?;
    let size: u64 = parse_int(s, field, "CRC:SIZE (hex:decimal)")?;
    Ok(NonZeroU32::new(crc).map(|crc| Crc { crc, size }))
}

fn parse_dd_line(d: &mut DumpHeader, line: &str) -> Result<(), HeaderError> {
    let bad = |expected: &'static str| HeaderError::Field {
        field: "restore command",
        expected,
        found: line.to_owned(),
    };
    let mut rest = line
        .strip_prefix(DD_PREFIX)
        .ok_or_else(|| bad("\\tdd if=<tape> [bs=Nk ]skip=1 | ..."))?;
    if let Some(r) = rest.strip_prefix("bs=") {
        let end = r.find('k').ok_or_else(|| bad("bs=Nk"))?;
        let kib: u32 = parse_int(&r[..end], "restore command", "bs=Nk")?;
        d.block_kib = Some(NonZeroU32::new(kib).ok_or_else(|| bad("bs=Nk with N > 0"))?);
        rest = r[end + 1..]
            .strip_prefix(' ')
            .ok_or_else(|| bad("a space after bs=Nk"))?;
    }
    d.restore_pipeline = rest
        .strip_prefix(SKIP)
        .ok_or_else(|| bad("skip=1 | "))?
        .to_owned();
    Ok(())
}
