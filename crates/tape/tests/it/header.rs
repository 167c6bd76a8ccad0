//! Header codec: byte-exact against the strings verified on Debian Amanda 3.5.1
//! (reference §6), strict errors naming the field, round trips, no panics.

use std::num::{NonZeroU32, NonZeroU64};

use proptest::prelude::*;
use reelcheck_tape::header::{
    Crc, DumpHeader, DumpKind, FileType, HEADER_SIZE, Header, HeaderError, OnSide, quote_string,
    unquote_string,
};

/// Reference §6: the label file of a vfs volume written by Amanda 3.5.1.
const VERIFIED_TAPESTART: &str = "AMANDA: TAPESTART DATE 20240101000000 TAPE TESTCONF-001\n\x0c\n";

/// Reference §6: the first part file written by Amanda 3.5.1's taper on vfs.
const VERIFIED_SPLIT: &str = "AMANDA: SPLIT_FILE 20240101000000 myhost /my/disk  part 1/-1  lev 0 comp N program /bin/tar\nTo restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | \n\x0c\n";

fn padded(text: &str) -> Vec<u8> {
    let mut v = text.as_bytes().to_vec();
    v.resize(HEADER_SIZE, 0);
    v
}

fn part(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n).expect("test part numbers start at 1")
}

#[test]
fn it_writes_the_verified_tapestart_block_byte_for_byte() {
    let block = Header::tape_start("20240101000000", "TESTCONF-001")
        .to_block()
        .expect("a valid label encodes");
    assert_eq!(block.len(), 32768);
    assert_eq!(block, padded(VERIFIED_TAPESTART));
}

#[test]
fn it_writes_the_verified_split_file_block_byte_for_byte() {
    let h = DumpHeader::split(
        "20240101000000",
        "myhost",
        "/my/disk",
        0,
        "/bin/tar",
        part(1),
        None,
    );
    let block = Header::Dump(Box::new(h))
        .to_block()
        .expect("valid header encodes");
    assert_eq!(block, padded(VERIFIED_SPLIT));
}

#[test]
fn it_parses_the_verified_split_file_block() {
    let h = Header::parse(&padded(VERIFIED_SPLIT)).expect("verified header parses");
    let d = h.as_dump().expect("a dump header");
    assert_eq!(h.file_type(), FileType::SplitFile);
    assert_eq!(h.file_type().amanda_code(), 5);
    assert_eq!(d.datestamp, "20240101000000");
    assert_eq!(d.host, "myhost");
    assert_eq!(d.disk, "/my/disk");
    assert_eq!(d.level, 0);
    assert_eq!(d.program, "/bin/tar");
    assert_eq!(d.compression, None);
    assert_eq!(
        d.kind,
        DumpKind::SplitFile {
            part: part(1),
            total: None
        }
    );
    assert_eq!(d.parts(), (1, -1));
    assert_eq!(d.block_kib, NonZeroU32::new(32));
    assert_eq!(d.restore_pipeline, "");
}

#[test]
fn it_parses_the_verified_tapestart_block() {
    let h = Header::parse(&padded(VERIFIED_TAPESTART)).expect("verified label parses");
    match h {
        Header::TapeStart(ts) => {
            assert_eq!(ts.datestamp, "20240101000000");
            assert_eq!(ts.label, "TESTCONF-001");
        }
        other => panic!("expected TAPESTART, got {other:?}"),
    }
}

#[test]
fn it_summarises_a_split_part_as_amrestore_prints_it() {
    // Reference §10.4: "amrestore: 1: restoring split dumpfile: date 20240101000000 host myhost
    // disk /my/disk part 3/UNKNOWN lev 0 comp N program /bin/tar".
    let h = DumpHeader::split(
        "20240101000000",
        "myhost",
        "/my/disk",
        0,
        "/bin/tar",
        part(3),
        None,
    );
    assert_eq!(
        Header::Dump(Box::new(h)).summary(),
        "split dumpfile: date 20240101000000 host myhost disk /my/disk part 3/UNKNOWN lev 0 comp N program /bin/tar"
    );
}

#[test]
fn it_writes_a_whole_file_header_with_the_empty_split_field() {
    // `"AMANDA: %s %s %s %s %s lev %d ..."` with split_data "" leaves two spaces before `lev`.
    let mut h = DumpHeader::file("20240101", "h", "/d", 1, "/bin/tar");
    h.compression = Some(".gz".into());
    h.set_restore_commands(None, Some(" /bin/gzip -dc |"), Some("/bin/tar -xpGf - ..."))
        .expect("valid commands");
    let text = Header::Dump(Box::new(h)).to_text().expect("encodes");
    assert_eq!(
        text,
        "AMANDA: FILE 20240101 h /d  lev 1 comp .gz program /bin/tar\n\
         To restore, position tape at start of file and run:\n\
         \tdd if=<tape> bs=32k skip=1 |  /bin/gzip -dc | /bin/tar -xpGf - ... \n\x0c\n"
    );
}

#[test]
fn it_writes_optional_suffixes_and_lines_in_build_header_order() {
    let mut h = DumpHeader::split("X", "h", "/d", 2, "APPLICATION", part(2), Some(3));
    h.encryption = Some("enc".into());
    h.custom_compress = Some(OnSide::Client("/usr/bin/zstd".into()));
    h.encrypt = Some(OnSide::Server("/usr/sbin/amcrypt".into()));
    h.decrypt_option = Some(OnSide::Server("-d".into()));
    h.cont_filename = Some("/hold/x.1".into());
    h.application = Some("amgtar".into());
    h.partial = true;
    h.orig_size = NonZeroU64::new(1234);
    h.native_crc = NonZeroU32::new(0xabc).map(|crc| Crc { crc, size: 10 });
    h.server_crc = NonZeroU32::new(0xdeadbeef).map(|crc| Crc { crc, size: 99 });
    h.dle = Some("<dle>\n  <disk>/d</disk>\n</dle>".into());
    let text = Header::Dump(Box::new(h.clone()))
        .to_text()
        .expect("encodes");
    assert_eq!(
        text,
        "AMANDA: SPLIT_FILE X h /d  part 2/3  lev 2 comp N program APPLICATION crypt enc \
         client_custom_compress /usr/bin/zstd server_encrypt /usr/sbin/amcrypt server_decrypt_option -d\n\
         CONT_FILENAME=/hold/x.1\nAPPLICATION=amgtar\nPARTIAL=YES\nORIGSIZE=1234\n\
         NATIVE-CRC=00000abc:10\nSERVER-CRC=deadbeef:99\n\
         DLE=<<ENDDLE\n<dle>\n  <disk>/d</disk>\n</dle>\nENDDLE\n\
         To restore, position tape at start of file and run:\n\tdd if=<tape> bs=32k skip=1 | \n\x0c\n"
    );
    let back = Header::parse(text.as_bytes()).expect("parses back");
    assert_eq!(back, Header::Dump(Box::new(h)));
}

#[test]
fn it_quotes_disk_names_as_amanda_quote_string_does() {
    assert_eq!(quote_string("/my/disk"), "/my/disk");
    assert_eq!(quote_string(""), "\"\"");
    assert_eq!(quote_string("C:/x"), "\"C:/x\"");
    assert_eq!(quote_string("a b"), "\"a b\"");
    assert_eq!(quote_string("a\"b\\c\td"), "\"a\\\"b\\\\c\\td\"");
    assert_eq!(quote_string("é"), "\"é\"");
    assert_eq!(unquote_string("\"a b\\n\\101\""), "a b\nA");
    let h = DumpHeader::file("X", "h", "/with space/and \"quote\"", 0, "p");
    let text = Header::Dump(Box::new(h.clone()))
        .to_text()
        .expect("encodes");
    assert!(
        text.starts_with("AMANDA: FILE X h \"/with space/and \\\"quote\\\"\"  lev 0"),
        "{text}"
    );
    assert_eq!(
        Header::parse(text.as_bytes()).expect("parses"),
        Header::Dump(Box::new(h))
    );
}

#[test]
fn it_strips_a_trailing_exe_from_the_program_as_amanda_does() {
    let h = DumpHeader::file("X", "h", "/d", 0, "GNUTAR.EXE");
    let text = Header::Dump(Box::new(h)).to_text().expect("encodes");
    assert!(text.contains(" program GNUTAR\n"), "{text}");
}

fn parse_err(text: &str) -> HeaderError {
    Header::parse(text.as_bytes()).expect_err("must not parse")
}

#[test]
fn it_names_the_field_and_text_of_a_damaged_header() {
    let bad_level = VERIFIED_SPLIT.replace("lev 0", "lev zero");
    assert_eq!(
        parse_err(&bad_level),
        HeaderError::Field {
            field: "dumplevel",
            expected: "a dump level",
            found: "zero".into()
        }
    );
    assert!(parse_err(&bad_level).to_string().contains("'dumplevel'"));
    let bad_part = VERIFIED_SPLIT.replace("part 1/-1", "part 0/-1");
    assert!(matches!(
        parse_err(&bad_part),
        HeaderError::Field {
            field: "partnum",
            ..
        }
    ));
    let bad_total = VERIFIED_SPLIT.replace("part 1/-1", "part 3/2");
    assert!(matches!(
        parse_err(&bad_total),
        HeaderError::Field {
            field: "totalparts",
            ..
        }
    ));
    let bad_date = VERIFIED_TAPESTART.replace("20240101000000", "2024-01-01");
    assert_eq!(
        parse_err(&bad_date),
        HeaderError::Field {
            field: "datestamp",
            expected: "X, 8 digits or 14 digits",
            found: "2024-01-01".into()
        }
    );
    let extra = VERIFIED_SPLIT.replace("program /bin/tar", "program /bin/tar frobnicate 1");
    assert!(
        matches!(parse_err(&extra), HeaderError::Field { field: "first line", found, .. } if found == "frobnicate")
    );
    let no_hint =
        VERIFIED_SPLIT.replace("To restore, position tape at start of file and run:\n", "");
    assert!(matches!(
        parse_err(&no_hint),
        HeaderError::Field {
            field: "restore hint",
            ..
        }
    ));
    let bad_dd = VERIFIED_SPLIT.replace("skip=1", "skip=2");
    assert!(matches!(
        parse_err(&bad_dd),
        HeaderError::Field {
            field: "restore command",
            ..
        }
    ));
    let weird_line = VERIFIED_SPLIT.replace("To restore", "HELLO=1\nTo restore");
    assert!(
        matches!(parse_err(&weird_line), HeaderError::Field { field: "header line", found, .. } if found == "HELLO=1")
    );
}

#[test]
fn it_rejects_unknown_types_magic_empty_and_truncated_headers() {
    assert_eq!(
        parse_err("AMANDA: WEIRD\n\x0c\n"),
        HeaderError::UnknownType {
            found: "WEIRD".into()
        }
    );
    assert!(matches!(
        parse_err("NOT-AMANDA: FILE\n\x0c\n"),
        HeaderError::Magic { .. }
    ));
    assert_eq!(Header::parse(&[0u8; 64]), Err(HeaderError::Empty));
    let cut = &VERIFIED_SPLIT[..60];
    assert!(matches!(parse_err(cut), HeaderError::Unterminated { .. }));
    assert!(matches!(
        Header::parse(b"AMANDA: \xff\n\x0c\n"),
        Err(HeaderError::NotUtf8 { offset: 8 })
    ));
    assert_eq!(Header::parse(b"AMANDA: NOOP\n\x0c\n"), Ok(Header::Noop));
    assert_eq!(
        Header::parse(b"AMANDA: TAPEEND DATE 20240101\n\x0c\n"),
        Ok(Header::TapeEnd {
            datestamp: "20240101".into()
        })
    );
}

#[test]
fn it_refuses_to_write_what_amanda_would_read_differently() {
    let enc = |h: DumpHeader| Header::Dump(Box::new(h)).to_text();
    let h = DumpHeader::file("X", "my host", "/d", 0, "p");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid { field: "name", .. })
    ));
    let h = DumpHeader::file("2024", "h", "/d", 0, "p");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid {
            field: "datestamp",
            ..
        })
    ));
    let h = DumpHeader::file("X", "h", "/d", 0, "");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid {
            field: "program",
            ..
        })
    ));
    let h = DumpHeader::file("X", &"h".repeat(256), "/d", 0, "p");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid { field: "name", .. })
    ));
    let mut h = DumpHeader::file("X", "h", "/d", 0, "p");
    assert!(
        h.set_restore_commands(None, Some("gzip -dc"), Some("tar"))
            .is_err()
    );
    assert!(
        h.set_restore_commands(None, Some("gzip -dc |"), None)
            .is_err()
    );
    assert!(Header::tape_start("X", "A B").to_block().is_err());
    let h = DumpHeader::file("X", "h\"", "/d", 0, "p");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid { field: "name", .. })
    ));
    let h = DumpHeader::file("X", "h", "C:\\", 0, "p");
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid { field: "disk", .. })
    ));
    let mut h = DumpHeader::file("X", "h", "/d", 0, "p");
    h.dle = Some("x".repeat(40_000));
    assert!(matches!(
        enc(h),
        Err(HeaderError::Invalid {
            field: "dle_str",
            ..
        })
    ));
}

#[test]
fn it_splits_restore_commands_as_amanda_parse_file_header_does() {
    let mut h = DumpHeader::file("X", "h", "/d", 0, "p");
    h.set_restore_commands(
        Some(" amcrypt -d |"),
        Some(" gzip -dc |"),
        Some("tar -xf -"),
    )
    .expect("valid");
    assert_eq!(h.restore_pipeline, " amcrypt -d |  gzip -dc | tar -xf - ");
    assert_eq!(
        h.restore_commands(),
        (
            Some("amcrypt -d |".into()),
            Some("gzip -dc |".into()),
            Some("tar -xf -".into())
        )
    );
}

// ---- property tests -------------------------------------------------------------------

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_./+-]{1,24}"
}

fn datestamp() -> impl Strategy<Value = String> {
    prop_oneof![Just("X".to_owned()), "[0-9]{8}", "[0-9]{14}"]
}

fn on_side() -> impl Strategy<Value = Option<OnSide>> {
    prop::option::of(prop_oneof![
        token().prop_map(OnSide::Server),
        token().prop_map(OnSide::Client)
    ])
}

fn crc() -> impl Strategy<Value = Option<Crc>> {
    prop::option::of((1u32.., any::<u64>()).prop_map(|(c, size)| Crc {
        crc: NonZeroU32::new(c).expect("from 1"),
        size: size >> 1,
    }))
}

fn line_value() -> impl Strategy<Value = String> {
    "[ -~]{1,40}"
}

fn dle() -> impl Strategy<Value = String> {
    prop::collection::vec("[ -~]{1,30}", 1..5).prop_map(|lines| lines.join("\n"))
}

fn kind() -> impl Strategy<Value = DumpKind> {
    prop_oneof![
        Just(DumpKind::File),
        Just(DumpKind::ContFile),
        (1u32..1000, prop::option::of(0u32..1000)).prop_map(|(p, extra)| DumpKind::SplitFile {
            part: NonZeroU32::new(p).expect("from 1"),
            total: extra.map(|e| p + e),
        }),
    ]
}

prop_compose! {
    fn dump_header()(
        kind in kind(),
        datestamp in datestamp(),
        host in token(),
        disk in "[ -~\t\n\u{e9}]{0,30}".prop_filter("Amanda misreads a trailing backslash", |d| !d.ends_with('\\')),
        level in 0u32..400,
        compression in prop::option::of(token().prop_filter("N means none", |s| s != "N")),
        program in token().prop_filter("no .exe", |p| !p.to_ascii_lowercase().ends_with(".exe")),
        encryption in prop::option::of(token().prop_filter("N... means none", |s| !s.starts_with('N'))),
        custom_compress in on_side(),
        encrypt in on_side(),
        decrypt_option in on_side(),
        cont_filename in prop::option::of(line_value()),
        application in prop::option::of(line_value()),
        partial in any::<bool>(),
        orig_size in prop::option::of(1u64..u64::MAX >> 1),
        native_crc in crc(),
        client_crc in crc(),
        server_crc in crc(),
        dle in prop::option::of(dle()),
        block_kib in prop::option::of(1u32..4096),
        // Commands as Amanda's dumper writes them ("cmd |", trimmed): its parser trims them.
        pipeline in prop::option::of((prop::option::of("[a-z]([a-z -]{0,8}[a-z])? \\|"), prop::option::of("[a-z]([a-z -]{0,8}[a-z])? \\|"), "[a-z]([a-z -]{0,18}[a-z])?")),
    ) -> DumpHeader {
        let mut h = DumpHeader::file(&datestamp, &host, &disk, level, &program);
        h.kind = kind;
        h.compression = compression;
        h.encryption = encryption;
        h.custom_compress = custom_compress;
        h.encrypt = encrypt;
        h.decrypt_option = decrypt_option;
        h.cont_filename = cont_filename;
        h.application = application;
        h.partial = partial;
        h.orig_size = orig_size.and_then(NonZeroU64::new);
        h.native_crc = native_crc;
        h.client_crc = client_crc;
        h.server_crc = server_crc;
        h.dle = dle;
        h.block_kib = block_kib.and_then(NonZeroU32::new);
        if let Some((dec, unc, rec)) = pipeline {
            h.set_restore_commands(dec.as_deref(), unc.as_deref(), Some(&rec)).expect("generated commands are valid");
        }
        h
    }
}

pub(crate) fn header() -> impl Strategy<Value = Header> {
    prop_oneof![
        (datestamp(), token()).prop_map(|(d, l)| Header::tape_start(&d, &l)),
        datestamp().prop_map(|datestamp| Header::TapeEnd { datestamp }),
        Just(Header::Noop),
        dump_header().prop_map(|d| Header::Dump(Box::new(d))),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn prop_header_roundtrip(h in header()) {
        let block = h.to_block().expect("generated headers are valid");
        prop_assert_eq!(block.len(), HEADER_SIZE);
        let text_len = block.iter().position(|&b| b == 0).expect("NUL padding");
        prop_assert!(block[text_len..].iter().all(|&b| b == 0), "padding is all NUL");
        let back = Header::parse(&block).expect("what we write parses");
        prop_assert_eq!(&back, &h);
        // Encoding is a function of the value: the re-encoded block is identical.
        prop_assert_eq!(back.to_block().expect("re-encodes"), block);
    }

    #[test]
    fn prop_header_parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = Header::parse(&bytes);
    }

    #[test]
    fn prop_header_parse_never_panics_on_damaged_headers(
        h in header(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut text = h.to_text().expect("valid").into_bytes();
        for (at, byte) in edits {
            let i = at.index(text.len());
            text[i] = byte;
        }
        let _ = Header::parse(&text);
        let n = cut.index(text.len() + 1);
        let _ = Header::parse(&text[..n]);
    }
}
