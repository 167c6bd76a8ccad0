//! Chain spec parsing: every element, sizes, and errors that point at the
//! offending element.

use reelcheck_xfer::spec::{ElementSpec, parse, parse_size};

use super::support::within;

#[test]
fn it_parses_the_seed_example() {
    let c = parse("random:1GiB,seed=7 -> xor:0x5a -> process:cat -> null").expect("parses");
    assert_eq!(
        c.elements,
        [
            ElementSpec::Random {
                size: 1 << 30,
                seed: 7
            },
            ElementSpec::Xor { key: 0x5a },
            ElementSpec::Process {
                argv: vec!["cat".into()]
            },
            ElementSpec::Null,
        ]
    );
    assert_eq!(
        c.to_string(),
        "random:1073741824,seed=7 -> xor:0x5a -> process:cat -> null"
    );
}

#[test]
fn it_parses_every_element() {
    let c = parse("pattern:10KB,text=ab -> crc -> process:sh -c 'tr a-z A-Z' -> crc-check:crc=0xdeadbeef,size=3.5 MiB")
        .expect("parses");
    assert_eq!(
        c.elements[0],
        ElementSpec::Pattern {
            size: 10_000,
            pattern: b"ab".to_vec()
        }
    );
    assert_eq!(c.elements[1], ElementSpec::Crc);
    assert_eq!(
        c.elements[2],
        ElementSpec::Process {
            argv: vec!["sh".into(), "-c".into(), "tr a-z A-Z".into()]
        }
    );
    assert_eq!(
        c.elements[3],
        ElementSpec::CrcCheck {
            crc: 0xdead_beef,
            size: 3_670_016
        }
    );
    let c = parse("memory:hex=00ff -> buffer").expect("parses");
    assert_eq!(c.elements[0], ElementSpec::Memory { data: vec![0, 255] });
    assert_eq!(c.elements[1], ElementSpec::Buffer);
    let c = parse("- -> xor:90 -> -").expect("parses");
    assert_eq!(
        c.elements,
        [
            ElementSpec::FdSource { path: None },
            ElementSpec::Xor { key: 90 },
            ElementSpec::FdDest { path: None }
        ]
    );
    let c = parse("fd:/tmp/in -> fd:/tmp/out").expect("parses");
    assert_eq!(
        c.elements,
        [
            ElementSpec::FdSource {
                path: Some("/tmp/in".into())
            },
            ElementSpec::FdDest {
                path: Some("/tmp/out".into())
            }
        ]
    );
}

#[test]
fn it_parses_sizes_with_iec_and_si_units() {
    assert_eq!(parse_size("64KiB"), Ok(65_536));
    assert_eq!(parse_size("3.5 MiB"), Ok(3_670_016));
    assert_eq!(parse_size("10MB"), Ok(10_000_000));
    assert_eq!(parse_size("1k"), Ok(1024));
    assert_eq!(parse_size("0"), Ok(0));
    assert_eq!(parse_size("2 GB"), Ok(2_000_000_000));
    assert_eq!(parse_size("1TiB"), Ok(1 << 40));
    assert!(parse_size("1.1 B").is_err(), "not whole bytes");
    assert!(parse_size("12 parsecs").is_err());
    assert!(parse_size("").is_err());
    assert!(parse_size("99999999999 TiB").is_err(), "overflow");
}

#[test]
fn it_points_at_the_offending_element() {
    let e = parse("random:1MiB -> xro:0x5a -> null").expect_err("unknown element");
    assert_eq!(e.index, 1);
    assert_eq!(e.text, "xro:0x5a");
    assert!(e.expected.contains("a filter"), "{e}");
    assert_eq!(e.to_string().lines().count(), 1);

    let e = parse("random:lots -> null").expect_err("bad size");
    assert_eq!((e.index, e.text.as_str()), (0, "random:lots"));
    assert!(e.expected.contains("size"), "{e}");

    let e = parse("random:1MiB -> xor:300 -> null").expect_err("key too big");
    assert_eq!(e.index, 1);

    let e = parse("null -> random:1").expect_err("order");
    assert_eq!(e.index, 0);
    assert!(e.expected.contains("a source"), "{e}");

    let e = parse("random:1,sed=3 -> null").expect_err("unknown key");
    assert!(e.expected.contains("sed"), "{e}");

    let e = parse("random:1 -> process: -> null").expect_err("empty command");
    assert_eq!(e.index, 1);

    let e = parse("random:1").expect_err("one element");
    assert_eq!(e.index, 0);

    let e = parse("random:1 -> process:sh -c 'oops -> null").expect_err("unbalanced quote");
    assert_eq!(e.index, 1);
}

#[test]
fn it_built_chain_runs_and_exposes_the_buffer() {
    let c = parse("pattern:100000,text=xyz -> xor:0x20 -> buffer").expect("parses");
    let built = c.build();
    let handle = built.buffer.clone().expect("a buffer destination");
    let elements = built.elements;
    let s = within("the chain built from the spec", move || {
        reelcheck_xfer::run_chain(elements, reelcheck_xfer::tables::TableVersion::V3_5)
    })
    .expect("runs");
    assert!(s.leaks.is_clean());
    let expected: Vec<u8> = b"XYZ".iter().copied().cycle().take(100_000).collect();
    assert_eq!(handle.contents(), expected);
}
