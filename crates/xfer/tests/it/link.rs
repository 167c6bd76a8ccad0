//! Linker tests: the linkages real Amanda chose (reference amanda.md §2 and
//! §3.1), typed errors for chains that cannot be linked, and an independent
//! brute-force enumerator that the linker must agree with on random chains.

use proptest::prelude::*;
use proptest::sample::select;
use reelcheck_xfer::link::{LinkError, Linkage, MAX_CHAIN, link, link_amanda, link_with};
use reelcheck_xfer::mech::{CostModel, Mech, MechPair};
use reelcheck_xfer::tables::{AmandaElement, TableVersion, element_pairs, glue_pairs};
use rstest::rstest;

use AmandaElement as E;
use TableVersion::{V3_3, V3_5};

fn names(chain: &[AmandaElement]) -> Vec<&'static str> {
    chain.iter().map(|e| e.amanda_name()).collect()
}

fn tables(chain: &[AmandaElement], v: TableVersion) -> Vec<&'static [MechPair]> {
    chain
        .iter()
        .map(|e| element_pairs(*e, v).unwrap_or_else(|| panic!("{e} exists in {v}")))
        .collect()
}

// Linkages recorded from real Amanda. Costs are worked out by hand from the
// reference tables: 3.5 cost = (ops << 16) + (nalloc << 8) + threads summed
// over element and glue pairs; 3.3 cost = (ops << 8) + threads.
#[rstest]
// §2, stated: 0x10000 + 0x1.
#[case::amanda351_random_null(
    V3_5,
    &[E::SourceRandom, E::DestNull],
    "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull",
    0x10001
)]
// §2: Random PULL_STATIC 0x10000 + glue PULL_STATIC->SHM_RING 0x10001 + splitter SHM_RING 0x10001.
#[case::amanda351_random_taper_splitter(
    V3_5,
    &[E::SourceRandom, E::DestTaperSplitter],
    "Random -(PULL_BUFFER_STATIC)-> Glue -(SHM_RING)-> DestTaperSplitter",
    0x30002
)]
// §2: 0x10000 + glue PULL_STATIC->PUSH_STATIC 0x1 + cacher PUSH_STATIC 0x10001.
#[case::amanda351_random_taper_cacher(
    V3_5,
    &[E::SourceRandom, E::DestTaperCacher],
    "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestTaperCacher",
    0x20002
)]
// §2: Random PULL 0x10100 + glue PULL->PUSH 0x1 + DestDevice 0.
#[case::amanda351_random_dest_device(
    V3_5,
    &[E::SourceRandom, E::DestDevice],
    "Random -(PULL_BUFFER)-> Glue -(PUSH_BUFFER)-> DestDevice",
    0x10101
)]
// §2 (amrestore): SourceDevice 0x1 + glue PULL->WRITEFD 0x10001 + DestFd 0.
#[case::amanda351_amrestore_device_fd(
    V3_5,
    &[E::SourceDevice, E::DestFd],
    "SourceDevice -(PULL_BUFFER)-> Glue -(WRITEFD)-> DestFd",
    0x10002
)]
// The 3.3 "blog" example: holding -> xor -> fd becomes pull -> pull -> glue -> writefd,
// 0x100 + 0x100 + (0x100 + 0x1). It ties with
// holding -> glue(PULL->PUSH) -> xor(PUSH) -> glue(PUSH->WRITEFD) -> fd
// (0x100 + 0x1 + 0x100 + 0x100); Amanda keeps the first found.
#[case::amanda33_blog_holding_xor_fd(
    V3_3,
    &[E::SourceHolding, E::FilterXor, E::DestFd],
    "SourceHolding -(PULL_BUFFER)-> FilterXor -(PULL_BUFFER)-> Glue -(WRITEFD)-> DestFd",
    0x301
)]
fn case_recorded_linkage(
    #[case] v: TableVersion,
    #[case] chain: &[AmandaElement],
    #[case] expected: &str,
    #[case] cost: u32,
) {
    let linkage = link_amanda(chain, v).expect("links");
    assert_eq!(linkage.render(&names(chain)), expected);
    assert_eq!(linkage.cost, cost, "cost {:#x}", linkage.cost);
    // The plain entry point picks the same cost model from the glue table.
    let plain = link(&tables(chain, v), glue_pairs(v)).expect("links");
    assert_eq!(plain, linkage);
}

// Chains the reference names without recording their linkage (§10.2 benchmark
// chains, the blog chain under 3.5, fd pairs): derived by hand from the tables.
#[rstest]
// PULL_STATIC 0x10000, xor PULL_STATIC 0x10000 twice, glue PULL_STATIC->PUSH_STATIC 0x1.
// Ties with the glue right after Random; the glue at the end is found first.
#[case::derived35_random_xor_xor_null(
    V3_5,
    &[E::SourceRandom, E::FilterXor, E::FilterXor, E::DestNull],
    "Random -(PULL_BUFFER_STATIC)-> FilterXor -(PULL_BUFFER_STATIC)-> FilterXor \
     -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull",
    0x30001
)]
// 0x10000 + glue PULL_STATIC->READFD 0x10001 + process 0x10000 + glue WRITEFD->PUSH_STATIC 0x10001.
#[case::derived35_random_process_null(
    V3_5,
    &[E::SourceRandom, E::FilterProcess, E::DestNull],
    "Random -(PULL_BUFFER_STATIC)-> Glue -(READFD)-> FilterProcess -(WRITEFD)-> Glue \
     -(PUSH_BUFFER_STATIC)-> DestNull",
    0x40002
)]
// 0x10000 + 0x10000 + glue PULL_STATIC->WRITEFD 0x10001.
#[case::derived35_blog_holding_xor_fd(
    V3_5,
    &[E::SourceHolding, E::FilterXor, E::DestFd],
    "SourceHolding -(PULL_BUFFER_STATIC)-> FilterXor -(PULL_BUFFER_STATIC)-> Glue -(WRITEFD)-> DestFd",
    0x30001
)]
// 3.3: 0x100 + glue PULL->PUSH 0x1.
#[case::derived33_random_null(
    V3_3,
    &[E::SourceRandom, E::DestNull],
    "Random -(PULL_BUFFER)-> Glue -(PUSH_BUFFER)-> DestNull",
    0x101
)]
// Glue READFD->WRITEFD (2 ops, 1 thread).
#[case::derived35_fd_fd(V3_5, &[E::SourceFd, E::DestFd], "SourceFd -(READFD)-> Glue -(WRITEFD)-> DestFd", 0x20001)]
// No glue at all.
#[case::derived35_fd_process_fd(
    V3_5,
    &[E::SourceFd, E::FilterProcess, E::DestFd],
    "SourceFd -(READFD)-> FilterProcess -(WRITEFD)-> DestFd",
    0x10000
)]
// Glue PULL->DTCP_CONNECT (1 op, 1 thread): 0x100 + 0x101.
#[case::derived33_random_directtcp(
    V3_3,
    &[E::SourceRandom, E::DestDirectTcpListen],
    "Random -(PULL_BUFFER)-> Glue -(DIRECTTCP_CONNECT)-> DestDirectTcpListen",
    0x201
)]
// Holding's MEM_RING (1 op, 1 thread) straight into DestHolding's MEM_RING (1 op, 1 thread)
// beats PULL_STATIC + glue PULL_STATIC->SHM_RING + SHM_RING (0x30002).
#[case::derived35_holding_to_holding(
    V3_5,
    &[E::SourceHolding, E::DestHolding],
    "SourceHolding -(MEM_RING)-> DestHolding",
    0x20002
)]
// MEM_RING 0x10001 + splitter MEM_RING (1 op, 2 threads, 1 alloc) 0x10102.
#[case::derived35_holding_to_taper_splitter(
    V3_5,
    &[E::SourceHolding, E::DestTaperSplitter],
    "SourceHolding -(MEM_RING)-> DestTaperSplitter",
    0x20103
)]
// A DirectTCP-capable device offers DIRECTTCP_CONNECT for 1 thread, no glue.
#[case::derived35_recovery_directtcp(
    V3_5,
    &[E::SourceRecovery { directtcp: true }, E::DestDirectTcpListen],
    "SourceRecovery -(DIRECTTCP_CONNECT)-> DestDirectTcpListen",
    0x1
)]
fn case_derived_linkage(
    #[case] v: TableVersion,
    #[case] chain: &[AmandaElement],
    #[case] expected: &str,
    #[case] cost: u32,
) {
    let linkage = link_amanda(chain, v).expect("links");
    assert_eq!(linkage.render(&names(chain)), expected);
    assert_eq!(linkage.cost, cost, "cost {:#x}", linkage.cost);
}

#[rstest]
#[case::unlinkable_two_sources(
    V3_5,
    &[E::SourceRandom, E::SourceRandom, E::DestNull],
    LinkError::Unlinkable {
        upstream: 0,
        downstream: 1,
        offered: vec![Mech::PullBuffer, Mech::PullBufferStatic],
        accepted: vec![Mech::None],
    }
)]
#[case::unlinkable_destination_then_destination(
    V3_5,
    &[E::SourceRandom, E::DestNull, E::DestNull],
    LinkError::Unlinkable {
        upstream: 1,
        downstream: 2,
        offered: vec![Mech::None],
        accepted: vec![Mech::PushBuffer, Mech::PushBufferStatic],
    }
)]
#[case::unlinkable_source_after_filter_3_3(
    V3_3,
    &[E::SourceFd, E::FilterProcess, E::SourceFd, E::DestFd],
    LinkError::Unlinkable {
        upstream: 1,
        downstream: 2,
        offered: vec![Mech::WriteFd],
        accepted: vec![Mech::None],
    }
)]
#[case::not_a_source(V3_5, &[E::FilterXor, E::DestNull], LinkError::NotASource { element: 0 })]
#[case::not_a_destination(V3_5, &[E::SourceRandom, E::FilterXor], LinkError::NotADestination { element: 1 })]
#[case::too_short(V3_5, &[E::SourceRandom], LinkError::TooShort)]
#[case::too_short_empty(V3_3, &[], LinkError::TooShort)]
#[case::absent_in_3_3(
    V3_3,
    &[E::SourceRandom, E::FilterCrc, E::DestNull],
    LinkError::AbsentElement { element: 1, name: "FilterCrc", version: V3_3 }
)]
fn case_link_error(
    #[case] v: TableVersion,
    #[case] chain: &[AmandaElement],
    #[case] expected: LinkError,
) {
    assert_eq!(link_amanda(chain, v), Err(expected));
}

#[test]
fn it_names_the_unjoinable_neighbours_in_the_rendered_error() {
    let chain = [E::SourceRandom, E::SourceFd, E::DestFd];
    let err = link_amanda(&chain, V3_5).expect_err("two sources");
    assert_eq!(
        err.render(&names(&chain)),
        "Random (#0) and SourceFd (#1) cannot be linked: Random (#0) offers \
         [PULL_BUFFER, PULL_BUFFER_STATIC], SourceFd (#1) accepts [NONE], and neither a common \
         mechanism nor a glue pair joins them"
    );
    assert!(
        err.to_string()
            .starts_with("elements 0 and 1 cannot be linked"),
        "{err}"
    );
}

#[test]
fn it_links_a_destination_followed_by_a_source_as_amanda_does() {
    // Amanda checks only the first and last element; NONE meets NONE inside.
    let chain = [E::SourceRandom, E::DestNull, E::SourceRandom, E::DestNull];
    let linkage = link_amanda(&chain, V3_5).expect("links");
    assert_eq!(
        linkage.render(&names(&chain)),
        "Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull -(NONE)-> \
         Random -(PULL_BUFFER_STATIC)-> Glue -(PUSH_BUFFER_STATIC)-> DestNull"
    );
    assert_eq!(linkage.inner_none_boundaries(), vec![1]);
    assert_eq!(linkage.cost, 2 * 0x10001);
}

#[test]
fn it_reports_boundaries_glue_and_default_names() {
    let linkage = link_amanda(&[E::SourceRandom, E::FilterXor, E::DestNull], V3_3).expect("links");
    // 3.3: Random PULL, xor PULL->PULL, glue PULL->PUSH (the only way into DestNull).
    assert_eq!(
        linkage.mechs(),
        vec![Mech::PullBuffer, Mech::PullBuffer, Mech::PushBuffer]
    );
    assert_eq!(linkage.glue_count(), 1);
    assert!(linkage.inner_none_boundaries().is_empty());
    assert_eq!(
        linkage.to_string(),
        "#0 -(PULL_BUFFER)-> #1 -(PULL_BUFFER)-> Glue -(PUSH_BUFFER)-> #2 (cost 0x201)"
    );
}

#[test]
fn it_stops_reading_a_pair_list_at_the_none_none_terminator() {
    let n = Mech::None;
    let src = [
        MechPair::new(n, Mech::PullBuffer, 1, 0, 0),
        MechPair::new(n, n, 0, 0, 0),
    ];
    // The cheap pair after the terminator is not part of the table.
    let dst = [
        MechPair::new(Mech::PushBuffer, n, 0, 0, 0),
        MechPair::new(n, n, 0, 0, 0),
        MechPair::new(Mech::PullBuffer, n, 0, 0, 0),
    ];
    let linkage = link(&[&src, &dst], glue_pairs(V3_5)).expect("links via glue");
    assert_eq!(linkage.glue_count(), 1);
    assert_eq!(
        link(&[&src, &dst[1..]], glue_pairs(V3_5)),
        Err(LinkError::NoPairs { element: 1 })
    );
}

#[test]
fn it_refuses_linkages_at_or_over_amandas_max_cost() {
    let n = Mech::None;
    let src = [MechPair::new(n, Mech::PushBuffer, 128, 0, 0)];
    let dst = [MechPair::new(Mech::PushBuffer, n, 128, 0, 0)];
    // 2 * (128 << 16) = 0x1000000 > MAX_COST 0xffffff: Amanda finds nothing.
    assert_eq!(
        link(&[&src, &dst], &[]),
        Err(LinkError::CostLimit {
            cheapest: 0x0100_0000,
            limit: CostModel::MAX_COST
        })
    );
    // Under the 3.3 model the same tables are cheap.
    assert_eq!(
        link_with(&[&src, &dst], &[], CostModel::V3_3).map(|l| l.cost),
        Ok(0x10000)
    );
}

#[test]
fn it_refuses_chains_longer_than_the_limit() {
    let mut chain = vec![E::SourceRandom];
    chain.extend(std::iter::repeat_n(E::FilterXor, MAX_CHAIN - 1));
    chain.push(E::DestNull);
    assert_eq!(
        link_amanda(&chain, V3_5),
        Err(LinkError::TooLong {
            len: MAX_CHAIN + 1,
            max: MAX_CHAIN
        })
    );
    chain.remove(1);
    let linkage = link_amanda(&chain, V3_5).expect("MAX_CHAIN elements link");
    assert_eq!(linkage.steps.len(), MAX_CHAIN);
}

// ---------------------------------------------------------------------------
// Independent brute force: enumerate every combination of (element pair,
// glue choice) per element in lexicographic order (pairs in table order;
// for each, no glue first, then glue pairs in table order), keep the valid
// ones, and take the first of minimum cost.

/// One choice per element: pair index and optional glue index.
type Choice = (usize, Option<usize>);

/// Options for one element in enumeration order.
fn options(pairs: &[MechPair], glue: &[MechPair]) -> Vec<Choice> {
    let mut out = Vec::new();
    for p in 0..pairs.len() {
        out.push((p, None));
        for g in 0..glue.len() {
            out.push((p, Some(g)));
        }
    }
    out
}

/// Every valid assignment of the first `k` elements (as a complete chain if
/// `complete`, else as a prefix that need not end on NONE), in lexicographic
/// order of option indexes.
fn enumerate(
    chain: &[&[MechPair]],
    glue: &[MechPair],
    k: usize,
    complete: bool,
) -> Vec<Vec<Choice>> {
    let opts: Vec<Vec<Choice>> = chain[..k].iter().map(|p| options(p, glue)).collect();
    let mut found = Vec::new();
    // Odometer over option indexes; a prefix that is already invalid skips
    // its whole subtree (no completion of an invalid prefix is valid).
    let mut idx = vec![0usize; k];
    let mut depth = 0usize;
    let mut incoming = vec![Mech::None; k + 1];
    loop {
        if idx[depth] == opts[depth].len() {
            if depth == 0 {
                break;
            }
            idx[depth] = 0;
            depth -= 1;
            idx[depth] += 1;
            continue;
        }
        let (p, g) = opts[depth][idx[depth]];
        let pair = chain[depth][p];
        let valid = pair.input == incoming[depth] && g.is_none_or(|g| glue[g].input == pair.output);
        if !valid {
            idx[depth] += 1;
            continue;
        }
        let out = g.map_or(pair.output, |g| glue[g].output);
        if depth + 1 == k {
            if !complete || out == Mech::None {
                found.push((0..k).map(|i| opts[i][idx[i]]).collect());
            }
            idx[depth] += 1;
        } else {
            incoming[depth + 1] = out;
            depth += 1;
        }
    }
    found
}

fn total_cost(chain: &[&[MechPair]], glue: &[MechPair], choice: &[Choice], m: CostModel) -> u32 {
    choice
        .iter()
        .enumerate()
        .map(|(i, (p, g))| chain[i][*p].cost(m) + g.map_or(0, |g| glue[g].cost(m)))
        .sum()
}

/// A linkage as (element pair, glue pair) per element.
type Steps = Vec<(MechPair, Option<MechPair>)>;

/// The brute-force answer: Amanda's prechecks, then the first valid
/// combination of minimum cost (below MAX_COST).
fn brute_force(chain: &[&[MechPair]], glue: &[MechPair], m: CostModel) -> Option<(u32, Steps)> {
    if chain.len() < 2
        || chain[0][0].input != Mech::None
        || chain[chain.len() - 1][0].output != Mech::None
    {
        return None;
    }
    enumerate(chain, glue, chain.len(), true)
        .into_iter()
        .map(|c| (total_cost(chain, glue, &c, m), c))
        .filter(|(cost, _)| *cost < CostModel::MAX_COST)
        .min_by_key(|(cost, _)| *cost) // the first of equal minima
        .map(|(cost, c)| {
            let steps = c
                .iter()
                .enumerate()
                .map(|(i, (p, g))| (chain[i][*p], g.map(|g| glue[g])))
                .collect();
            (cost, steps)
        })
}

fn as_pairs(linkage: &Linkage) -> Steps {
    linkage.steps.iter().map(|s| (s.pair, s.glue)).collect()
}

/// Checks the linker against the brute force, and that an `Unlinkable` error
/// names the first neighbours at which every prefix assignment dies.
fn check_against_brute_force(
    chain: &[&[MechPair]],
    glue: &[MechPair],
    m: CostModel,
) -> Result<(), TestCaseError> {
    let got = link_with(chain, glue, m);
    let want = brute_force(chain, glue, m);
    match (&got, &want) {
        (Ok(linkage), Some((cost, steps))) => {
            prop_assert_eq!(linkage.cost, *cost);
            prop_assert_eq!(&as_pairs(linkage), steps);
            for (i, s) in linkage.steps.iter().enumerate() {
                prop_assert_eq!(s.element, i);
            }
        }
        (Err(err), None) => {
            let n = chain.len();
            match err {
                LinkError::Unlinkable {
                    upstream,
                    downstream,
                    ..
                } => {
                    prop_assert_eq!(*downstream, upstream + 1);
                    prop_assert!(!enumerate(chain, glue, *upstream + 1, false).is_empty());
                    prop_assert!(enumerate(chain, glue, *downstream + 1, false).is_empty());
                }
                LinkError::Unterminated { element, .. } => {
                    prop_assert_eq!(*element, n - 1);
                    prop_assert!(!enumerate(chain, glue, n, false).is_empty());
                }
                LinkError::NotASource { element } => {
                    prop_assert_eq!(*element, 0);
                    prop_assert_ne!(chain[0][0].input, Mech::None);
                }
                LinkError::NotADestination { element } => {
                    prop_assert_eq!(*element, n - 1);
                    prop_assert_ne!(chain[n - 1][0].output, Mech::None);
                }
                other => return Err(TestCaseError::fail(format!("unexpected error {other}"))),
            }
        }
        _ => {
            return Err(TestCaseError::fail(format!(
                "linker {got:?} but brute force {want:?}"
            )));
        }
    }
    Ok(())
}

fn kind(e: AmandaElement) -> &'static str {
    let name = format!("{e:?}");
    if name.starts_with("Source") {
        "source"
    } else if name.starts_with("Dest") {
        "dest"
    } else {
        "filter"
    }
}

/// A release and a chain of 2..=6 of its elements: mostly source, filters,
/// destination; sometimes anything in any order.
fn amanda_chain() -> impl Strategy<Value = (TableVersion, Vec<AmandaElement>)> {
    prop_oneof![Just(V3_3), Just(V3_5)].prop_flat_map(|v| {
        let all: Vec<AmandaElement> = AmandaElement::ALL
            .into_iter()
            .filter(|e| e.exists_in(v))
            .collect();
        let of = |k: &str| -> Vec<AmandaElement> {
            all.iter().copied().filter(|e| kind(*e) == k).collect()
        };
        let shaped = (
            select(of("source")),
            prop::collection::vec(select(of("filter")), 0..=4),
            select(of("dest")),
        )
            .prop_map(|(s, mut f, d)| {
                f.insert(0, s);
                f.push(d);
                f
            });
        let any = prop::collection::vec(select(all), 2..=6);
        (Just(v), prop_oneof![3 => shaped, 1 => any])
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn prop_linker_matches_brute_force((v, chain) in amanda_chain()) {
        let pairs = tables(&chain, v);
        check_against_brute_force(&pairs, glue_pairs(v), v.cost_model())?;
        // The convenience entry points agree.
        prop_assert_eq!(link_amanda(&chain, v), link(&pairs, glue_pairs(v)));
    }

    #[test]
    fn prop_linker_errs_exactly_when_brute_force_finds_nothing((v, chain) in amanda_chain()) {
        let pairs = tables(&chain, v);
        let m = v.cost_model();
        prop_assert_eq!(
            link_with(&pairs, glue_pairs(v), m).is_err(),
            brute_force(&pairs, glue_pairs(v), m).is_none()
        );
    }

    #[test]
    fn prop_linker_matches_brute_force_on_random_tables(
        chain in prop::collection::vec(random_pairs(), 2..=5),
        glue in prop::collection::vec(random_pair(), 0..=8),
        model in prop_oneof![Just(CostModel::V3_3), Just(CostModel::V3_5)],
    ) {
        let chain: Vec<&[MechPair]> = chain.iter().map(Vec::as_slice).collect();
        check_against_brute_force(&chain, &glue, model)?;
    }
}

/// A pair over a few mechanisms with small costs, so that ties are common.
/// `NONE -> NONE` (the table terminator) is never generated.
fn random_pair() -> impl Strategy<Value = MechPair> {
    let mech = select(vec![
        Mech::None,
        Mech::ReadFd,
        Mech::PullBuffer,
        Mech::PushBuffer,
    ]);
    (mech.clone(), mech, 0u8..3, 0u8..3, 0u8..2).prop_map(|(i, o, ops, threads, nalloc)| {
        let o = if i == Mech::None && o == Mech::None {
            Mech::PushBuffer
        } else {
            o
        };
        MechPair::new(i, o, ops, threads, nalloc)
    })
}

fn random_pairs() -> impl Strategy<Value = Vec<MechPair>> {
    prop::collection::vec(random_pair(), 1..=4)
}
