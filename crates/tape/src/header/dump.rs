//! The dump file header's typed fields: kind and part, the programs recorded on either
//! side, CRCs, and [`DumpHeader`] itself with Amanda's defaults.

use std::num::{NonZeroU32, NonZeroU64};

use super::file_type::FileType;

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
}
