//! Errors and refusals: injected element errors, chains that do not link
//! or do not exist in a table version, glue and elements this runtime cannot
//! run, setup failures, and linkages that do not fit their chain.

use rstest::rstest;

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{
    CostOnly, CrcFilter, FdSource, NullDest, ProcessFilter, RandomSource, XorFilter,
};
use reelcheck_xfer::link::{LinkStep, Linkage};
use reelcheck_xfer::mech::Mech;
use reelcheck_xfer::tables::{AmandaElement, TableVersion};
use reelcheck_xfer::{Error, ErrorAt, Faults, Status, Xfer, XferConfig, run_chain};

use super::support::{V35, buffer, finish, pair, render, run_linked};

#[rstest]
#[case::in_xor("xor", 0)]
#[case::in_xor_late("xor", 100_000)]
#[case::in_glue("glue", 40_000)]
#[case::in_process("process", 1)]
#[case::in_dest("buffer[5]", 65_536)]
fn case_injected_error_cancels_the_transfer(#[case] element: &str, #[case] byte: u64) {
    let (b, _h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1 << 20, 3)),
        Box::new(XorFilter::new(1)),
        Box::new(ProcessFilter::new(["cat"])),
        b,
    ];
    let faults = Faults {
        error_at: Some(ErrorAt {
            element: element.into(),
            byte,
        }),
        ..Faults::default()
    };
    let s = run_linked(
        chain,
        XferConfig {
            faults,
            ..XferConfig::default()
        },
    );
    assert_eq!(s.status, Status::Failed, "{}", render(&s.messages));
    assert_eq!(s.errors.len(), 1, "{}", render(&s.messages));
    assert_eq!(
        s.errors[0].message,
        format!("injected error at byte {byte}")
    );
    let name = element.split('[').next().unwrap_or(element);
    assert_eq!(s.errors[0].elt.name, name);
}

#[test]
fn it_unlinkable_chain_is_a_typed_link_error() {
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(NullDest::new()), Box::new(RandomSource::new(1, 1))];
    assert!(matches!(run_chain(chain, V35), Err(Error::Link(_))));
}

#[test]
fn it_crc_filter_does_not_exist_in_the_3_3_tables() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1, 1)),
        Box::new(CrcFilter::new()),
        Box::new(NullDest::new()),
    ];
    assert!(matches!(
        run_chain(chain, TableVersion::V3_3),
        Err(Error::NoPairs { index: 1, .. })
    ));
}

#[test]
fn it_directtcp_glue_is_not_supported_at_start() {
    let linkage = Linkage {
        steps: vec![
            LinkStep {
                element: 0,
                pair: pair(Mech::None, Mech::PullBuffer),
                glue: Some(pair(Mech::PullBuffer, Mech::DirectTcpConnect)),
            },
            LinkStep {
                element: 1,
                pair: pair(Mech::DirectTcpConnect, Mech::None),
                glue: None,
            },
        ],
        cost: 0,
    };
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let mut x = Xfer::new(chain, &linkage, XferConfig::default()).expect("builds");
    assert!(matches!(x.start(), Err(Error::NotSupported { .. })));
}

#[test]
fn it_cost_only_elements_link_but_do_not_start() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(1, 1)),
        Box::new(CostOnly::new(AmandaElement::DestTaperSplitter)),
    ];
    let mut x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    assert!(
        x.render_linkage().contains("SHM_RING"),
        "{}",
        x.render_linkage()
    );
    assert!(matches!(x.start(), Err(Error::NotSupported { .. })));
}

#[test]
fn it_setup_failure_reports_error_cancel_done() {
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(FdSource::open("/nonexistent/reelcheck/input")),
        Box::new(NullDest::new()),
    ];
    let s = finish(Xfer::linked(chain, V35, XferConfig::default()).expect("links"));
    let kinds: Vec<&str> = s.messages.iter().map(|m| m.kind.type_name()).collect();
    assert_eq!(
        kinds,
        ["ERROR", "CANCEL", "DONE"],
        "{}",
        render(&s.messages)
    );
    assert!(s.errors[0].message.contains("/nonexistent/reelcheck/input"));
}
#[test]
fn it_rejects_a_linkage_that_does_not_fit_the_chain() {
    let steps = vec![
        LinkStep {
            element: 0,
            pair: pair(Mech::None, Mech::PullBuffer),
            glue: None,
        },
        LinkStep {
            element: 1,
            pair: pair(Mech::PushBuffer, Mech::None),
            glue: None,
        },
    ];
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let err =
        Xfer::new(chain, &Linkage { steps, cost: 0 }, XferConfig::default()).expect_err("mismatch");
    assert!(matches!(err, Error::BadLinkage(_)), "{err}");
}
