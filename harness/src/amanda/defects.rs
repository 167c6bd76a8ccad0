//! Known disagreements the differential found, so CI fails only on new ones.
//!
//! [`Side::Amanda`]: real Amanda 3.5.1 is the one wrong; each entry cites the
//! source lines and has a reproducer script under `harness/amanda/defects/`.
//! [`Side::Ours`]: reelcheck-xfer does not yet do what Amanda does; the
//! entry names the gap and a case that shows it, and stays until it is fixed.

use std::fmt;

use super::case::{Case, Elem};
use super::observed::{Disagreement, Ended, Message, Observed};

/// Which side is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// A defect of Amanda 3.5.1.
    Amanda,
    /// An open gap of reelcheck-xfer.
    Ours,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Amanda => "Amanda defect",
            Side::Ours => "reelcheck gap",
        })
    }
}

/// What a matcher sees: the case, both observations and their disagreements.
pub struct Seen<'a> {
    /// The case.
    pub case: &'a Case,
    /// What Amanda did.
    pub amanda: &'a Observed,
    /// What we did.
    pub ours: &'a Observed,
    /// Where they disagree.
    pub disagreements: &'a [Disagreement],
}

/// One known disagreement.
#[derive(Debug)]
pub struct KnownDefect {
    /// Short stable id.
    pub id: &'static str,
    /// Which side is wrong.
    pub side: Side,
    /// What goes wrong.
    pub title: &'static str,
    /// The reproducer script (or replayable case), relative to the repository root.
    pub reproducer: &'static str,
    /// Whether this entry explains every disagreement of a case.
    pub matches: fn(&Seen<'_>) -> bool,
}

/// Every known disagreement.
pub static KNOWN: &[KnownDefect] = &[
    KnownDefect {
        id: "amanda-filter-pull-static-eof",
        side: Side::Amanda,
        title: "Filter::Xor and Filter::Crc linked by PULL_BUFFER_STATIC never pass EOF on: \
                pull_buffer_static_impl returns the caller's buffer with size 0 instead of NULL \
                (filter-xor.c:132-135, filter-crc.c:125-127, which also tests `if (size)` for \
                `if (*size)`), so the puller spins on empty buffers and the transfer never ends",
        reproducer: "harness/amanda/defects/filter-pull-static-eof.sh",
        matches: filter_pull_static_hang,
    },
    KnownDefect {
        id: "amanda-filter-crc-static-silent",
        side: Side::Amanda,
        title: "Filter::Crc linked by PULL_BUFFER_STATIC never sends its XMSG_CRC: \
                pull_buffer_static_impl tests the pointer `if (size)` where it means \
                `if (*size)` (filter-crc.c:126), so the EOF branch that queues the message \
                is dead",
        reproducer: "harness/amanda/defects/filter-crc-static-silent.sh",
        matches: crc_filter_static_silent,
    },
    KnownDefect {
        id: "ours-glue-sends-no-crc",
        side: Side::Ours,
        title: "our glue and null send no XMSG_CRC: Amanda 3.5's glue sends one per \
                neighbour it serves (element-glue.c, amanda.md section 3.2) and Dest::Null one \
                at EOF (dest-null.c push_buffer_impl); Filter::Process sends XMSG_INFO \
                \"SUCCESS\" when its child exits 0; ours sends none of these. Also our null \
                says \"Is this thing on?\" on an empty stream, Amanda's only on a first buffer",
        reproducer: "harness/amanda/defects/ours-glue-crc.case",
        matches: missing_glue_crc_and_process_info,
    },
];

/// Amanda hung, and its linkage feeds an xor or crc filter by PULL_BUFFER_STATIC.
fn filter_pull_static_hang(s: &Seen<'_>) -> bool {
    let feeds = |name: &str| {
        s.amanda
            .linkage_line
            .contains(&format!("-(PULL_BUFFER_STATIC)-> <{name}@"))
    };
    matches!(s.amanda.ended, Ended::Hung { .. })
        && s.ours.ended == Ended::Finished
        && (feeds("XferFilterXor") || feeds("XferFilterCrc"))
        && s.disagreements.iter().all(|d| d.aspect == "amanda-ended")
}

/// Messages one side delivered that the other did not: a message matches
/// one of the same kind and CRC at the same position (CRC messages at any
/// position: glue attributes them to its neighbours).
fn residual(s: &Seen<'_>) -> (Vec<Message>, Vec<Message>) {
    let mut amanda = s.amanda.messages.clone();
    let mut ours = Vec::new();
    for m in &s.ours.messages {
        let same = amanda.iter().position(|a| {
            a.kind == m.kind
                && (m.kind == "DONE" || a.at == m.at || a.crc.is_some())
                && a.crc == m.crc
        });
        match same {
            Some(i) => {
                amanda.remove(i);
            }
            None => ours.push(m.clone()),
        }
    }
    (amanda, ours)
}

/// Linked positions of crc filters fed by PULL_BUFFER_STATIC (in our linkage,
/// which agrees with Amanda's whenever these matchers run).
fn static_crc_positions(s: &Seen<'_>) -> Vec<usize> {
    let Some(linked) = &s.ours.linkage else {
        return Vec::new();
    };
    let mut user = 0;
    let mut out = Vec::new();
    for (at, l) in linked.iter().enumerate() {
        if l.glue {
            continue;
        }
        if l.input == "PULL_BUFFER_STATIC" && s.case.elems.get(user) == Some(&Elem::Crc) {
            out.push(at);
        }
        user += 1;
    }
    out
}

fn only_aspects(s: &Seen<'_>, allowed: &[&str]) -> bool {
    s.disagreements.iter().all(|d| allowed.contains(&d.aspect))
}

/// Only CRC differences: Amanda lacks exactly the CRC messages of crc filters
/// fed by PULL_BUFFER_STATIC.
fn crc_filter_static_silent(s: &Seen<'_>) -> bool {
    let (amanda_extra, ours_extra) = residual(s);
    let statics = static_crc_positions(s);
    only_aspects(s, &["crc"])
        && amanda_extra.is_empty()
        && !ours_extra.is_empty()
        && ours_extra
            .iter()
            .all(|m| m.crc.is_some() && statics.contains(&m.at))
}

/// Only CRC and message differences; Amanda's extras are CRC messages or the
/// process filters' INFO "SUCCESS"; ours are at most the CRC messages of crc
/// filters Amanda silences (the defect above).
fn missing_glue_crc_and_process_info(s: &Seen<'_>) -> bool {
    let (amanda_extra, ours_extra) = residual(s);
    let statics = static_crc_positions(s);
    let has_process = s
        .case
        .elems
        .iter()
        .any(|e| matches!(e, Elem::Process { .. }));
    let empty = s.amanda.messages.iter().any(|m| m.crc == Some((0, 0)));
    only_aspects(s, &["crc", "messages"])
        && ours_extra.iter().all(|m| {
            (m.crc.is_some() && statics.contains(&m.at))
                || (empty && m.kind == "INFO" && m.text == "Is this thing on?")
        })
        && amanda_extra
            .iter()
            .all(|m| m.kind == "CRC" || (has_process && m.kind == "INFO" && m.text == "SUCCESS"))
}

/// The known entry that explains `disagreements`, if one does.
pub fn known_defect(
    case: &Case,
    amanda: &Observed,
    ours: &Observed,
    disagreements: &[Disagreement],
) -> Option<&'static KnownDefect> {
    let seen = Seen {
        case,
        amanda,
        ours,
        disagreements,
    };
    KNOWN.iter().find(|k| (k.matches)(&seen))
}
