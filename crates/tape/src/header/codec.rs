//! The [`Header`] type and its whole-block codec: the text dispatched by file type, NUL
//! padding to the block, and the `\n\f\n` terminator. Each field group's encoding and
//! parsing sit together in their own module (`label`, `first_line`, `lines`, `restore`).

use super::dump::DumpHeader;
use super::error::HeaderError;
use super::file_type::FileType;
use super::label::{self, TapeStart};
use super::rules::HEADER_SIZE;
use super::words::next_word;
use super::{first_line, lines, restore};

const MAGIC: &str = "AMANDA:";

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
            Header::TapeStart(ts) => label::encode_tape_start(ts),
            Header::TapeEnd { datestamp } => label::encode_tape_end(datestamp),
            Header::Noop => Ok(label::NOOP_TEXT.to_owned()),
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

/// The text of a dump header for a block of `max_size` bytes.
fn encode_dump(d: &DumpHeader, max_size: usize) -> Result<String, HeaderError> {
    let mut out = first_line::encode(d)?;
    lines::encode(d, max_size, &mut out)?;
    restore::encode(d, &mut out)?;
    Ok(out)
}

/// Parses a whole header text (up to the first NUL).
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
    let header = match ftype {
        FileType::TapeStart => Header::TapeStart(label::parse_tape_start(rest)?),
        FileType::TapeEnd => Header::TapeEnd {
            datestamp: label::parse_tape_end(rest)?,
        },
        FileType::Noop => {
            label::parse_noop(rest)?;
            Header::Noop
        }
        FileType::File | FileType::ContFile | FileType::SplitFile => {
            let mut d = first_line::parse(ftype, rest)?;
            let middle = restore::parse(&mut d, rest_lines)?;
            lines::parse(&mut d, &middle)?;
            return Ok(Header::Dump(Box::new(d)));
        }
    };
    if !rest_lines.is_empty() {
        return Err(HeaderError::Field {
            field: "line 2",
            expected: "the form feed that ends the header",
            found: rest_lines.lines().next().unwrap_or("").to_owned(),
        });
    }
    Ok(header)
}
