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
//!
//! Module map: [`Header`] and the block codec in `codec`; each header part's encoding
//! and parsing side by side in `label` (TAPESTART, TAPEEND, NOOP), `first_line`
//! (with `part` and `programs`), `lines` (with `dle`) and `restore`; the typed dump
//! fields in `dump`; the shared pieces in `rules` (sizes and value checks), `words` (the
//! first-line scanner), `quote` and `error`; `summary` is `amrestore`'s one-line form.

mod codec;
mod dle;
mod dump;
mod error;
mod file_type;
mod first_line;
mod label;
mod lines;
mod part;
mod programs;
mod quote;
mod restore;
mod rules;
mod summary;
mod words;

pub use codec::Header;
pub use dump::{Crc, DumpHeader, DumpKind, OnSide};
pub use error::HeaderError;
pub use file_type::FileType;
pub use label::TapeStart;
pub use quote::{quote_string, unquote_string};
pub use rules::{FIELD_MAX, HEADER_SIZE};
