//! The lifecycle around a run: message rendering, the linkage and names a
//! linked transfer shows, running with the 3.3 tables, and which types may
//! move between threads.

use reelcheck_xfer::element::Element;
use reelcheck_xfer::elements::{NullDest, RandomSource, XorFilter};
use reelcheck_xfer::mech::Mech;
use reelcheck_xfer::msg::{Msg, MsgKind};
use reelcheck_xfer::tables::TableVersion;
use reelcheck_xfer::{Summary, Xfer, XferConfig};

use super::support::{V35, buffer, check_protocol, model_random, wait_done, xored};

#[test]
fn it_runs_with_the_3_3_tables_too() {
    let (b, h) = buffer();
    let chain: Vec<Box<dyn Element>> = vec![
        Box::new(RandomSource::new(99_999, 2)),
        Box::new(XorFilter::new(7)),
        b,
    ];
    let mut x = Xfer::linked(chain, TableVersion::V3_3, XferConfig::default()).expect("links");
    assert!(
        x.mechs()
            .iter()
            .all(|(i, o)| !matches!(i, Mech::PullBufferStatic)
                && !matches!(o, Mech::PushBufferStatic))
    );
    x.start().expect("start");
    let s = wait_done(x, "the transfer linked with the 3.3 tables");
    check_protocol(&s);
    assert_eq!(h.contents(), xored(&model_random(2, 99_999), 7));
}

// ---------------------------------------------------------------- messages

#[test]
fn it_messages_render_on_one_stable_line() {
    use reelcheck_xfer::msg::EltRef;
    let m = |name: &str, index, kind| Msg {
        elt: EltRef {
            index,
            name: name.into(),
        },
        kind,
    };
    assert_eq!(
        m(
            "crc",
            1,
            MsgKind::Crc {
                crc: 0x1c29_1ca3,
                size: 9
            }
        )
        .to_string(),
        "crc[1] CRC crc=0x1c291ca3 size=9"
    );
    assert_eq!(
        m("process", 2, MsgKind::Error("a\nb".into())).to_string(),
        "process[2] ERROR a / b"
    );
    assert_eq!(
        m("random", 0, MsgKind::Cancel).to_string(),
        "random[0] CANCEL"
    );
    assert_eq!(m("null", 3, MsgKind::Done).to_string(), "null[3] DONE");
    assert_eq!(
        m("null", 3, MsgKind::Info("hi".into())).to_string(),
        "null[3] INFO hi"
    );
}

#[test]
fn it_renders_amandas_linkage_for_random_to_null() {
    let chain: Vec<Box<dyn Element>> =
        vec![Box::new(RandomSource::new(1, 1)), Box::new(NullDest::new())];
    let x = Xfer::linked(chain, V35, XferConfig::default()).expect("links");
    assert_eq!(x.names(), ["random", "glue", "null"]);
    assert_eq!(
        x.mechs(),
        [
            (Mech::None, Mech::PullBufferStatic),
            (Mech::PullBufferStatic, Mech::PushBufferStatic),
            (Mech::PushBufferStatic, Mech::None)
        ]
    );
}

#[test]
fn it_transfers_and_summaries_can_move_between_threads() {
    fn send<T: Send>() {}
    send::<Xfer>();
    send::<Summary>();
    send::<reelcheck_xfer::Canceller>();
}
