//! Property-based fuzzing of the core (issue 3, item 5).
//!
//! * [`find_and_analyze_agree_with_the_reference`]: arbitrary texts (surrogates, emoji,
//!   combining marks, every space character of the shipped table, NUL, any code point,
//!   and watchlist literals spliced in with random case and whitespace) against
//!   arbitrary small compiled watchlists built directly from literals, units, flags,
//!   not-followed-by sets and gap targets that respect the invariants of
//!   docs/matching.md §5. `Scanner::find` and `Scanner::analyze` must equal a brute-force
//!   reference written from the docs: every unit's literal tried at every code point of
//!   the original text, with folding and flexible whitespace, then the whole-word checks,
//!   not-followed-by, the gap combination (reachable sets, as §4 defines them) and
//!   scoring (§7).
//! * [`the_nfa_path_agrees_with_the_reference`]: the same, with the automaton padded past
//!   `DFA_MAX_LITERALS` literals so the engine scans free literals with its contiguous
//!   NFA too.
//! * [`malformed_input_never_panics`]: arbitrary (mostly invalid) compiled watchlists
//!   and arbitrary bytes as text: `Scanner::new` returns `Ok` or `Err`, and a built
//!   engine scans any bytes, without panicking.
//!
//! The number of cases is small by default (CI); set `TGEMATCH_FUZZ_CASES` for a long
//! run, e.g. (about 5 minutes on 2 cores; the overrides only shorten the build)::
//!
//!   TGEMATCH_FUZZ_CASES=2000000 CARGO_PROFILE_RELEASE_LTO=false \
//!   CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 cargo test --release --lib fuzz

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::Config;

use super::compiled::{
    CompiledWatchlist, Scanner, DFA_MAX_LITERALS, FLAG_CONTRACTION, FLAG_END, FLAG_EXACT_CASE,
    FLAG_START, KIND_COMPANY, KIND_COMPANY_VETO, KIND_CONTEXT, KIND_EXCLUSION, KIND_KEYWORD,
    KIND_SHARED_TAG,
};
use super::scan::Occurrence;
use super::score::Analysis;
use super::tables::tables;
use super::text::push_cp;

/// Cases per property when `TGEMATCH_FUZZ_CASES` is not set.
const DEFAULT_CASES: u32 = 400;

fn config() -> Config {
    let cases = std::env::var("TGEMATCH_FUZZ_CASES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(DEFAULT_CASES);
    Config {
        cases,
        // No regression files written into the source tree.
        failure_persistence: None,
        ..Config::default()
    }
}

// ------------------------------------------------------------------ the alphabet

/// Folded, non-space characters literals are made of: ASCII letters with other case
/// forms (`k` is also the fold of the Kelvin sign U+212A), digits, `_`, the punctuation of
/// cashtags and names, NUL, Latin-1 and Greek letters with several case forms (`é`, `ß`,
/// `σ`/`ς`), dotless `ı`, `İ` (which folds to itself), `ⱥ` (the fold of `Ⱥ`, one byte
/// longer in UTF-8), scripts written without spaces (Katakana, Han, Thai), lone
/// surrogates, an emoji, combining marks, Deseret (outside the BMP, with case), U+FFFD.
const LITERAL_CHARS: &[u32] = &[
    0x61, 0x62, 0x6B, 0x69, 0x73, 0x31, 0x5F, 0x24, 0x2D, 0x2E, 0x00, 0xE9, 0x3C3, 0x3C2, 0xDF,
    0x131, 0x130, 0x2C65, 0x30B3, 0x4E2D, 0x0E01, 0xD83D, 0xDE00, 0xDFFF, 0x1F600, 0x301, 0x308,
    0x10428, 0xFFFD,
];

/// Other characters for texts: word characters and punctuation not in any literal.
const TEXT_EXTRAS: &[u32] = &[
    0x7A, 0x30, 0x21, 0x2C, 0x27, 0x2019, 0x53, 0x40, 0x23, 0x3002, 0xAC00, 0xD800,
];

struct Alphabet {
    /// Literal characters (all folded, none a space).
    literal: Vec<u32>,
    /// Every character whose fold is a literal character (and differs from it).
    preimages: BTreeMap<u32, Vec<u32>>,
    /// All preimages, flattened (for random text).
    upper: Vec<u32>,
    /// Every space character of the shipped table.
    spaces: Vec<u32>,
}

fn alphabet() -> &'static Alphabet {
    static A: OnceLock<Alphabet> = OnceLock::new();
    A.get_or_init(|| {
        let t = tables();
        let literal: Vec<u32> = LITERAL_CHARS.iter().map(|&c| folded(c)).collect();
        let mut preimages: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        let mut spaces = Vec::new();
        for cp in 0..=0x10_FFFFu32 {
            if t.is_space(cp) {
                spaces.push(cp);
            }
            let f = t.fold(cp);
            if f != cp && literal.contains(&f) {
                preimages.entry(f).or_default().push(cp);
            }
        }
        let upper = preimages.values().flatten().copied().collect();
        Alphabet {
            literal,
            preimages,
            upper,
            spaces,
        }
    })
}

/// A literal character: `c` folded to a fixed point, never a space.
fn folded(c: u32) -> u32 {
    let t = tables();
    let mut c = c;
    for _ in 0..4 {
        let f = t.fold(c);
        if f == c {
            return if t.is_space(c) { 0x61 } else { c };
        }
        c = f;
    }
    0x61
}

fn literal_char() -> impl Strategy<Value = u32> {
    prop_oneof![
        8 => select(alphabet().literal.clone()),
        1 => (0u32..=0x10_FFFF).prop_map(folded),
    ]
}

fn text_char() -> impl Strategy<Value = u32> {
    let a = alphabet();
    prop_oneof![
        4 => select(a.literal.clone()),
        3 => select(a.upper.clone()),
        3 => select(a.spaces.clone()),
        1 => Just(0x0A),
        1 => select(TEXT_EXTRAS.to_vec()),
        1 => 0u32..=0x10_FFFF,
    ]
}

/// A literal: one to three words of one to three characters, single spaces between.
fn literal() -> impl Strategy<Value = Vec<u32>> {
    vec(vec(literal_char(), 1..4), 1..4).prop_map(|words| words.join(&0x20))
}

/// A not-followed-by alternative: literal characters and single spaces, leading and
/// trailing spaces allowed, never empty.
fn nfb_alternative() -> impl Strategy<Value = Vec<u32>> {
    vec(prop_oneof![3 => literal_char(), 1 => Just(0x20u32)], 1..5).prop_map(|mut cps| {
        cps.dedup_by(|a, b| *a == 0x20 && *b == 0x20);
        cps
    })
}

// ------------------------------------------------------------------ watchlists

#[derive(Clone, Debug)]
struct UnitSpec {
    literal: usize,
    flags: i64,
    nfb: Option<usize>,
    /// With the exact-case flag: which case form of each literal character is written.
    case_choices: Vec<u8>,
}

#[derive(Clone, Debug)]
struct TargetSpec {
    parts: Vec<Vec<UnitSpec>>,
    max_gap: i64,
}

#[derive(Clone, Debug)]
struct WatchlistSpec {
    literals: Vec<Vec<u32>>,
    nfb_sets: Vec<Vec<Vec<u32>>>,
    companies: Vec<(TargetSpec, Option<TargetSpec>, i64)>,
    keywords: Vec<(TargetSpec, i64)>,
    exclusions: Vec<(TargetSpec, i64)>,
    contexts: Vec<TargetSpec>,
    /// Shared cashtags: the target and a bit set of claimant companies (used when it
    /// names at least two of them).
    shared: Vec<(TargetSpec, u8)>,
    proximity_distance: i64,
    proximity_boost: i64,
    halve: bool,
    span_once: bool,
    relevance_mode: i64,
    relevance_threshold: i64,
    launch_threshold: i64,
}

fn unit_spec() -> impl Strategy<Value = UnitSpec> {
    (
        0usize..64,
        0i64..16,
        prop::option::weighted(0.3, 0usize..8),
        vec(any::<u8>(), 1..4),
    )
        .prop_map(|(literal, flags, nfb, case_choices)| UnitSpec {
            literal,
            flags,
            nfb,
            case_choices,
        })
}

fn target_spec() -> impl Strategy<Value = TargetSpec> {
    let max_gap = prop_oneof![
        6 => 0i64..12,
        1 => Just(200i64),
        1 => Just(-1i64),
        1 => Just(i64::MAX),
        1 => Just(i64::MIN),
    ];
    let parts = prop_oneof![
        4 => vec(vec(unit_spec(), 1..3), 1..2),
        2 => vec(vec(unit_spec(), 1..3), 2..4),
        1 => vec(vec(unit_spec(), 0..3), 1..3),
    ];
    (parts, max_gap).prop_map(|(parts, max_gap)| TargetSpec { parts, max_gap })
}

fn watchlist_spec() -> impl Strategy<Value = WatchlistSpec> {
    (
        vec(literal(), 1..7),
        vec(vec(nfb_alternative(), 1..3), 0..3),
        vec(
            (
                target_spec(),
                prop::option::weighted(0.3, target_spec()),
                0i64..40,
            ),
            0..4,
        ),
        vec((target_spec(), 0i64..50), 0..3),
        vec((target_spec(), 0i64..61), 0..3),
        vec(target_spec(), 0..3),
        vec((target_spec(), any::<u8>()), 0..3),
        (0i64..60, 0i64..30, any::<bool>()),
        (any::<bool>(), 0i64..2, 0i64..101, 0i64..101),
    )
        .prop_map(
            |(
                literals,
                nfb_sets,
                companies,
                keywords,
                exclusions,
                contexts,
                shared,
                scoring,
                modern,
            )| {
                WatchlistSpec {
                    literals,
                    nfb_sets,
                    companies,
                    keywords,
                    exclusions,
                    contexts,
                    shared,
                    proximity_distance: scoring.0,
                    proximity_boost: scoring.1,
                    halve: scoring.2,
                    span_once: modern.0,
                    relevance_mode: modern.1,
                    relevance_threshold: modern.2,
                    launch_threshold: modern.3,
                }
            },
        )
}

/// A unit of the reference: literal code points, target, part, checks, nfb alternatives.
#[derive(Clone, Debug)]
struct RefUnit {
    literal: Vec<u32>,
    target: usize,
    part: usize,
    start_check: bool,
    end_check: bool,
    contraction: bool,
    /// The written form of an exact-case unit.
    cased: Option<Vec<u32>>,
    nfb: Option<Vec<Vec<u32>>>,
}

/// What the reference needs besides the compiled watchlist.
struct Built {
    cw: CompiledWatchlist,
    units: Vec<RefUnit>,
}

fn encode(cps: &[u32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(cps.len() * 3);
    for &c in cps {
        push_cp(&mut out, c);
    }
    out
}

fn as_i64(i: usize) -> i64 {
    i64::try_from(i).unwrap_or(i64::MAX)
}

impl WatchlistSpec {
    /// The distinct literals, in first-seen order.
    fn distinct_literals(&self) -> Vec<Vec<u32>> {
        let mut out: Vec<Vec<u32>> = Vec::new();
        for l in &self.literals {
            if !out.contains(l) {
                out.push(l.clone());
            }
        }
        out
    }

    /// Builds the compiled watchlist the way the Python compiler lays it out (§5).
    fn build(&self) -> Built {
        let literals = self.distinct_literals();
        let mut cw = CompiledWatchlist {
            literals: literals.iter().map(|l| encode(l)).collect(),
            nfb_sets: self
                .nfb_sets
                .iter()
                .map(|s| s.iter().map(|a| encode(a)).collect())
                .collect(),
            proximity_distance: self.proximity_distance,
            proximity_boost: self.proximity_boost,
            relevance_threshold: self.relevance_threshold,
            halve_penalty_with_context: self.halve,
            span_once: self.span_once,
            relevance_mode: self.relevance_mode,
            launch_threshold: self.launch_threshold,
            ..CompiledWatchlist::default()
        };
        let mut seen = BTreeSet::new();
        let mut units = Vec::new();
        let mut add = |cw: &mut CompiledWatchlist, kind: u8, reference: usize, t: &TargetSpec| {
            let target = cw.targets.len();
            let nparts = t.parts.len();
            cw.targets.push((
                i64::from(kind),
                as_i64(reference),
                as_i64(nparts),
                t.max_gap,
            ));
            for (part, specs) in t.parts.iter().enumerate() {
                for u in specs {
                    let lit = u.literal % literals.len();
                    // The compiler puts not-followed-by on the last part only.
                    let nfb = match u.nfb {
                        Some(n) if part + 1 == nparts && !self.nfb_sets.is_empty() => {
                            Some(n % self.nfb_sets.len())
                        }
                        _ => None,
                    };
                    let cased = (u.flags & FLAG_EXACT_CASE != 0)
                        .then(|| case_form(&literals[lit], &u.case_choices));
                    let cased_index = match &cased {
                        Some(form) => {
                            cw.cased_literals.push(encode(form));
                            as_i64(cw.cased_literals.len() - 1)
                        }
                        None => -1,
                    };
                    let row = (
                        as_i64(lit),
                        as_i64(target),
                        as_i64(part),
                        u.flags,
                        nfb.map_or(-1, as_i64),
                        cased_index,
                    );
                    if seen.insert(row) {
                        cw.units.push(row);
                        units.push(RefUnit {
                            literal: literals[lit].clone(),
                            target,
                            part,
                            start_check: u.flags & FLAG_START != 0,
                            end_check: u.flags & FLAG_END != 0,
                            contraction: u.flags & (FLAG_END | FLAG_CONTRACTION)
                                == FLAG_END | FLAG_CONTRACTION,
                            cased,
                            nfb: nfb.map(|n| self.nfb_sets[n].clone()),
                        });
                    }
                }
            }
            as_i64(target)
        };
        for (i, (t, veto, score)) in self.companies.iter().enumerate() {
            cw.company_names.push(format!("company {i}").into_bytes());
            cw.company_scores.push(*score);
            let ct = add(&mut cw, KIND_COMPANY, i, t);
            cw.company_target.push(ct);
            let vt = match veto {
                Some(v) => add(&mut cw, KIND_COMPANY_VETO, i, v),
                None => -1,
            };
            cw.veto_target.push(vt);
        }
        for (i, (t, weight)) in self.keywords.iter().enumerate() {
            cw.keyword_patterns
                .push(format!("keyword {i}").into_bytes());
            cw.keyword_weights.push(*weight);
            let kt = add(&mut cw, KIND_KEYWORD, i, t);
            cw.keyword_target.push(kt);
        }
        let mut order: Vec<usize> = (0..self.keywords.len()).collect();
        order.sort_by_key(|&i| -self.keywords[i].1);
        cw.seed_keyword_order = order.into_iter().map(as_i64).collect();
        for (i, (t, penalty)) in self.exclusions.iter().enumerate() {
            cw.exclusion_labels
                .push(format!("exclusion {i}").into_bytes());
            cw.exclusion_penalties.push(*penalty);
            let xt = add(&mut cw, KIND_EXCLUSION, i, t);
            cw.exclusion_target.push(xt);
        }
        for (i, t) in self.contexts.iter().enumerate() {
            cw.context_terms.push(format!("term {i}").into_bytes());
            let tt = add(&mut cw, KIND_CONTEXT, i, t);
            cw.context_target.push(tt);
        }
        for (t, claimants) in &self.shared {
            let claimants: Vec<i64> = (0..self.companies.len().min(8))
                .filter(|&c| claimants & (1 << c) != 0)
                .map(as_i64)
                .collect();
            if claimants.is_empty() {
                continue;
            }
            let i = cw.shared_tags.len();
            cw.shared_tags.push(format!("$tag{i}").into_bytes());
            cw.shared_tag_companies.push(claimants);
            let st = add(&mut cw, KIND_SHARED_TAG, i, t);
            cw.shared_tag_target.push(st);
        }
        Built { cw, units }
    }
}

/// A written form of `literal`: each character, or one of the characters folding to it,
/// as `choices` pick.
fn case_form(literal: &[u32], choices: &[u8]) -> Vec<u32> {
    let a = alphabet();
    literal
        .iter()
        .enumerate()
        .map(|(k, &c)| {
            let forms = a.preimages.get(&c).map_or(&[][..], Vec::as_slice);
            let pick = usize::from(choices[k % choices.len().max(1)]) % (forms.len() + 1);
            if pick == 0 {
                c
            } else {
                forms[pick - 1]
            }
        })
        .collect()
}

// ------------------------------------------------------------------ texts

#[derive(Clone, Debug)]
enum Segment {
    /// Characters as they are.
    Chars(Vec<u32>),
    /// Literal `index % n`, written with a case form and space run chosen by `choices`.
    Literal(usize, Vec<u8>),
}

fn segments() -> impl Strategy<Value = Vec<Segment>> {
    vec(
        prop_oneof![
            vec(text_char(), 0..8).prop_map(Segment::Chars),
            (any::<usize>(), vec(any::<u8>(), 0..8))
                .prop_map(|(i, choices)| Segment::Literal(i, choices)),
        ],
        0..8,
    )
}

/// The text of `segments`: literals spliced in with random case forms and space runs.
fn render(segments: &[Segment], literals: &[Vec<u32>]) -> Vec<u32> {
    let a = alphabet();
    let mut out = Vec::new();
    for seg in segments {
        match seg {
            Segment::Chars(cps) => out.extend_from_slice(cps),
            Segment::Literal(i, choices) => {
                let lit = &literals[i % literals.len()];
                let mut k = 0usize;
                let mut next = || {
                    let c = choices.get(k % choices.len().max(1)).copied().unwrap_or(0);
                    k += 1;
                    usize::from(c)
                };
                for &c in lit {
                    if c == 0x20 {
                        let run = 1 + next() % 3;
                        for _ in 0..run {
                            out.push(a.spaces[next() % a.spaces.len()]);
                        }
                    } else {
                        let forms = a.preimages.get(&c).map_or(&[][..], Vec::as_slice);
                        let pick = next() % (forms.len() + 1);
                        out.push(if pick == 0 { c } else { forms[pick - 1] });
                    }
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------------ the reference

/// Docs §2-§3 read directly on the original text: the end of `lit` matched from `i`, if
/// it matches (folded characters; a literal space consumes a whole run of spaces).
fn match_at(text: &[u32], i: usize, lit: &[u32]) -> Option<usize> {
    let t = tables();
    let mut j = i;
    for &c in lit {
        if c == 0x20 {
            if !text.get(j).is_some_and(|&x| t.is_space(x)) {
                return None;
            }
            while text.get(j).is_some_and(|&x| t.is_space(x)) {
                j += 1;
            }
        } else {
            match text.get(j) {
                Some(&x) if !t.is_space(x) && t.fold(x) == c => j += 1,
                _ => return None,
            }
        }
    }
    Some(j)
}

/// `C[q:]` for the `C` index `q` produced by `text[j]` (a character after a non-space),
/// cut after `limit` characters: `F` of `text[j..]` with space runs collapsed.
fn collapsed_from(text: &[u32], j: usize, limit: usize) -> Vec<u32> {
    let t = tables();
    let mut out = Vec::new();
    for &x in text.get(j..).unwrap_or_default() {
        if out.len() >= limit {
            break;
        }
        if t.is_space(x) {
            if out.last() != Some(&0x20) {
                out.push(0x20);
            }
        } else {
            out.push(t.fold(x));
        }
    }
    out
}

/// Occurrences of every target, by target: the reachable-set definition of §4.
fn reference_occurrences(
    text: &[u32],
    units: &[RefUnit],
    targets: &[(i64, i64, i64, i64)],
) -> Vec<BTreeSet<(usize, usize)>> {
    let t = tables();
    let n = text.len();
    let mut parts: Vec<Vec<BTreeSet<(usize, usize)>>> = targets
        .iter()
        .map(|&(_, _, nparts, _)| vec![BTreeSet::new(); usize::try_from(nparts).unwrap_or(0)])
        .collect();
    for u in units {
        for i in 0..n {
            let Some(e) = match_at(text, i, &u.literal) else {
                continue;
            };
            if u.start_check && i > 0 && t.glued(text[i - 1], text[i]) {
                continue;
            }
            if u.end_check && e < n && t.glued(text[e - 1], text[e]) {
                continue;
            }
            // Docs §8.2, by the letter.
            let word = |k: usize| text.get(k).is_some_and(|&c| t.is_word(c));
            if u.contraction
                && matches!(text.get(e), Some(0x27 | 0x2019))
                && e + 1 < n
                && word(e + 1)
                && !(matches!(text[e + 1], 0x73 | 0x53) && (e + 2 == n || !word(e + 2)))
            {
                continue;
            }
            // Docs §8.1: the non-space characters as written.
            if let Some(cased) = &u.cased {
                let written: Vec<u32> = text[i..e]
                    .iter()
                    .copied()
                    .filter(|&c| !t.is_space(c))
                    .collect();
                let want: Vec<u32> = cased.iter().copied().filter(|&c| c != 0x20).collect();
                if written != want {
                    continue;
                }
            }
            if let Some(alts) = &u.nfb {
                let longest = alts.iter().map(Vec::len).max().unwrap_or(0);
                let rest = collapsed_from(text, e, longest);
                if alts.iter().any(|a| rest.starts_with(a)) {
                    continue;
                }
            }
            parts[u.target][u.part].insert((i, e));
        }
    }
    targets
        .iter()
        .zip(parts)
        .map(|(&(_, _, _, max_gap), parts)| {
            let mut occ = BTreeSet::new();
            let Some(first) = parts.first() else {
                return occ;
            };
            for &(s0, e0) in first {
                let mut reach: BTreeSet<(usize, usize)> = [(s0, e0)].into();
                for part in &parts[1..] {
                    reach = part
                        .iter()
                        .copied()
                        .filter(|&(s, _)| {
                            reach.iter().any(|&(_, e)| {
                                e <= s
                                    && i128::try_from(s - e).unwrap_or(i128::MAX)
                                        <= i128::from(max_gap)
                                    && !text[e..s].contains(&0x0A)
                            })
                        })
                        .collect();
                }
                if let Some(end) = reach.iter().map(|&(_, e)| e).min() {
                    occ.insert((s0, end));
                }
            }
            occ
        })
        .collect()
}

fn reference_find(
    occ: &[BTreeSet<(usize, usize)>],
    targets: &[(i64, i64, i64, i64)],
) -> Vec<Occurrence> {
    let mut out: Vec<Occurrence> = Vec::new();
    for (set, &(kind, reference, _, _)) in occ.iter().zip(targets) {
        for &(start, end) in set {
            out.push(Occurrence {
                kind: u8::try_from(kind).unwrap_or(u8::MAX),
                reference: usize::try_from(reference).unwrap_or(usize::MAX),
                start,
                end,
            });
        }
    }
    out.sort_by_key(|o| (o.start, o.end, o.kind, o.reference));
    out.dedup();
    out
}

fn target_of(t: i64) -> usize {
    usize::try_from(t).unwrap_or(usize::MAX)
}

/// Docs §7 by the letter.
fn reference_analysis(occ: &[BTreeSet<(usize, usize)>], cw: &CompiledWatchlist) -> Analysis {
    let spans = |t: i64| -> Vec<(usize, usize)> { occ[target_of(t)].iter().copied().collect() };
    let mut a = Analysis::default();
    let mut company_positions = BTreeSet::new();
    let mut matched = BTreeMap::new();
    for (i, &t) in cw.company_target.iter().enumerate() {
        let s = spans(t);
        if s.is_empty() {
            continue;
        }
        let vetoed = cw.veto_target[i] != -1 && !spans(cw.veto_target[i]).is_empty();
        if vetoed {
            a.vetoed.push(i);
        } else {
            matched.insert(i, s.into_iter().collect::<BTreeSet<_>>());
        }
    }
    // Docs §8.3: shared cashtags join the matched claimants, or are ambiguous.
    for (tag, &t) in cw.shared_tag_target.iter().enumerate() {
        let s = spans(t);
        if s.is_empty() {
            continue;
        }
        let mut credited = false;
        for &c in &cw.shared_tag_companies[tag] {
            if let Some(own) = matched.get_mut(&target_of(c)) {
                own.extend(s.iter().copied());
                credited = true;
            }
        }
        if !credited {
            a.ambiguous.push(tag);
        }
    }
    for (i, s) in matched {
        company_positions.extend(s.iter().map(|&(start, _)| start));
        a.company_score += i128::from(cw.company_scores[i]);
        a.companies.push((i, s.into_iter().collect()));
    }
    let mut keyword_positions = BTreeSet::new();
    // Docs §8.4 by the letter: visit every occurrence, keep it when it overlaps no kept one.
    let mut kept: Vec<BTreeSet<(usize, usize)>> = cw
        .keyword_target
        .iter()
        .map(|&t| occ[target_of(t)].clone())
        .collect();
    if cw.span_once {
        let mut all: Vec<(i64, usize, usize, usize)> = Vec::new();
        for (k, set) in kept.iter().enumerate() {
            all.extend(set.iter().map(|&(s, e)| (-cw.keyword_weights[k], k, s, e)));
        }
        all.sort_unstable();
        let mut chosen: Vec<(usize, usize, usize)> = Vec::new();
        for (_, k, s, e) in all {
            if !chosen.iter().any(|&(_, s2, e2)| s < e2 && s2 < e) {
                chosen.push((k, s, e));
            }
        }
        for set in &mut kept {
            set.clear();
        }
        for (k, s, e) in chosen {
            kept[k].insert((s, e));
        }
    }
    for (i, s) in kept.into_iter().enumerate() {
        if !s.is_empty() {
            keyword_positions.extend(s.iter().map(|&(start, _)| start));
            a.keyword_score += i128::from(cw.keyword_weights[i]);
            a.keywords.push((i, s.into_iter().collect()));
        }
    }
    let near = company_positions.iter().any(|&c: &usize| {
        keyword_positions
            .iter()
            .any(|&k: &usize| (c.abs_diff(k) as i128) < i128::from(cw.proximity_distance))
    });
    if near {
        a.near = true;
        a.proximity_boost = i128::from(cw.proximity_boost);
    }
    a.crypto_context = cw.context_target.iter().any(|&t| !spans(t).is_empty());
    for (i, &t) in cw.exclusion_target.iter().enumerate() {
        let s = spans(t);
        if !s.is_empty() {
            let p = cw.exclusion_penalties[i];
            // Python's floor division.
            let applied = if a.crypto_context && cw.halve_penalty_with_context {
                p.div_euclid(2)
            } else {
                p
            };
            a.penalty += i128::from(applied);
            a.exclusions.push((i, s, applied));
        }
    }
    a.confidence =
        (a.company_score + a.keyword_score + a.proximity_boost - a.penalty).clamp(0, 100);
    a.launch_score = (a.keyword_score - a.penalty).clamp(0, 100);
    a.is_launch = a.launch_score >= i128::from(cw.launch_threshold);
    a.is_relevant = if cw.relevance_mode == 0 {
        a.confidence >= i128::from(cw.relevance_threshold)
    } else {
        a.near && a.is_launch
    };
    a
}

/// One corruption of a compiled watchlist, for [`malformed_input_never_panics`].
#[derive(Clone, Debug)]
enum Mutation {
    /// Replace literal `i % n` with arbitrary bytes (maybe empty, invalid or spaced).
    Literal(usize, Vec<u8>),
    /// Append an arbitrary not-followed-by alternative to set `i % n`.
    NfbAlternative(usize, Vec<u8>),
    /// Set field `f % 6` of unit `i % n` to `v`.
    Unit(usize, usize, i64),
    /// Replace cased literal `i % n` with arbitrary bytes.
    Cased(usize, Vec<u8>),
    /// Set claimant `j` of shared tag `i % n` to `v` (or drop the last when `v < -1`).
    Claimant(usize, usize, i64),
    /// Set the relevance mode (`l % 2 == 0`) or the launch threshold to `v`.
    Modern(usize, i64),
    /// Set field `f % 4` of target `i % n` to `v`.
    Target(usize, usize, i64),
    /// Set entry `i % n` of index list `l % 6` (company, veto, keyword, exclusion,
    /// context targets, seed keyword order) to `v`.
    Index(usize, usize, i64),
    /// Drop the last entry of list `l % 8`.
    Truncate(usize),
    /// Set a score, weight, penalty or scoring parameter (`l % 5`, entry `i`) to `v`.
    Number(usize, usize, i64),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let value = prop_oneof![4 => -2i64..8, 1 => any::<i64>()];
    let bytes = prop_oneof![
        vec(any::<u8>(), 0..5),
        vec(prop_oneof![literal_char(), Just(0x20u32)], 0..4).prop_map(|c| encode(&c)),
    ];
    prop_oneof![
        (any::<usize>(), bytes.clone()).prop_map(|(i, b)| Mutation::Cased(i, b)),
        (any::<usize>(), any::<usize>(), value.clone())
            .prop_map(|(i, j, v)| Mutation::Claimant(i, j, v)),
        (any::<usize>(), value.clone()).prop_map(|(l, v)| Mutation::Modern(l, v)),
        (any::<usize>(), bytes.clone()).prop_map(|(i, b)| Mutation::Literal(i, b)),
        (any::<usize>(), bytes).prop_map(|(i, b)| Mutation::NfbAlternative(i, b)),
        (any::<usize>(), any::<usize>(), value.clone())
            .prop_map(|(i, f, v)| Mutation::Unit(i, f, v)),
        (any::<usize>(), any::<usize>(), value.clone())
            .prop_map(|(i, f, v)| Mutation::Target(i, f, v)),
        (any::<usize>(), any::<usize>(), value.clone())
            .prop_map(|(l, i, v)| Mutation::Index(l, i, v)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<usize>(), value).prop_map(|(l, i, v)| Mutation::Number(l, i, v)),
    ]
}

/// Largest part count a mutation sets (see [`Mutation::Target`]).
const MAX_FUZZ_NPARTS: i64 = 1 << 12;

fn set_at<T>(items: &mut [T], i: usize, value: T) {
    let n = items.len();
    if let Some(slot) = items.get_mut(i % n.max(1)) {
        *slot = value;
    }
}

impl Mutation {
    fn apply(&self, cw: &mut CompiledWatchlist) {
        match self {
            Mutation::Literal(i, b) => set_at(&mut cw.literals, *i, b.clone()),
            Mutation::NfbAlternative(i, b) => {
                let n = cw.nfb_sets.len();
                if let Some(set) = cw.nfb_sets.get_mut(i % n.max(1)) {
                    set.push(b.clone());
                }
            }
            Mutation::Unit(i, f, v) => {
                let n = cw.units.len();
                if let Some(u) = cw.units.get_mut(i % n.max(1)) {
                    match f % 6 {
                        0 => u.0 = *v,
                        1 => u.1 = *v,
                        2 => u.2 = *v,
                        3 => u.3 = *v,
                        4 => u.4 = *v,
                        _ => u.5 = *v,
                    }
                }
            }
            Mutation::Cased(i, b) => set_at(&mut cw.cased_literals, *i, b.clone()),
            Mutation::Claimant(i, j, v) => {
                let n = cw.shared_tag_companies.len();
                if let Some(list) = cw.shared_tag_companies.get_mut(i % n.max(1)) {
                    if *v < -1 {
                        list.pop();
                    } else {
                        set_at(list, *j, *v);
                    }
                }
            }
            Mutation::Modern(l, v) => {
                if l % 2 == 0 {
                    cw.relevance_mode = *v;
                } else {
                    cw.launch_threshold = *v;
                }
            }
            Mutation::Target(i, f, v) => {
                let n = cw.targets.len();
                if let Some(t) = cw.targets.get_mut(i % n.max(1)) {
                    match f % 4 {
                        0 => t.0 = *v,
                        1 => t.1 = *v,
                        // Capped so that valid builds stay cheap; huge part counts are
                        // rejected by `Scanner::new`, pinned by
                        // `a_huge_part_count_is_rejected_or_harmless`.
                        2 => t.2 = (*v).min(MAX_FUZZ_NPARTS),
                        _ => t.3 = *v,
                    }
                }
            }
            Mutation::Index(l, i, v) => {
                let list = match l % 6 {
                    0 => &mut cw.company_target,
                    1 => &mut cw.veto_target,
                    2 => &mut cw.keyword_target,
                    3 => &mut cw.exclusion_target,
                    4 => &mut cw.context_target,
                    _ => &mut cw.seed_keyword_order,
                };
                set_at(list, *i, *v);
            }
            Mutation::Truncate(l) => {
                match l % 8 {
                    0 => drop(cw.literals.pop()),
                    1 => drop(cw.targets.pop()),
                    2 => drop(cw.nfb_sets.pop()),
                    3 => drop(cw.company_scores.pop()),
                    4 => drop(cw.veto_target.pop()),
                    5 => drop(cw.keyword_weights.pop()),
                    6 => drop(cw.seed_keyword_order.pop()),
                    _ => drop(cw.exclusion_target.pop()),
                };
            }
            Mutation::Number(l, i, v) => match l % 5 {
                0 => set_at(&mut cw.company_scores, *i, *v),
                1 => set_at(&mut cw.keyword_weights, *i, *v),
                2 => set_at(&mut cw.exclusion_penalties, *i, *v),
                3 => cw.proximity_distance = *v,
                _ => cw.proximity_boost = *v,
            },
        }
    }
}

/// Checks one case: `find` and `analyze` of the engine built from `built.cw` (plus
/// `padding` literals without units, which only change the automaton) on the text of
/// `segs` equal the reference.
fn check_case(spec: &WatchlistSpec, segs: &[Segment], padding: usize) -> Result<(), TestCaseError> {
    let mut built = spec.build();
    let reference_cw = built.cw.clone();
    for i in 0..padding {
        built.cw.literals.push(format!("\u{E000}{i}").into_bytes());
    }
    let engine = match Scanner::new(&built.cw) {
        Ok(e) => e,
        Err(e) => {
            return Err(TestCaseError::fail(format!(
                "valid watchlist rejected: {e}"
            )))
        }
    };
    let text = render(segs, &spec.distinct_literals());
    let bytes = encode(&text);
    let occ = reference_occurrences(&text, &built.units, &reference_cw.targets);
    let expected = reference_find(&occ, &reference_cw.targets);
    let found = engine.find(&bytes);
    prop_assert_eq!(&found, &expected, "find on {:X?}", text);
    for o in &found {
        prop_assert!(o.start < o.end && o.end <= text.len());
    }
    let analysis = engine.analyze(&bytes);
    prop_assert_eq!(
        analysis,
        reference_analysis(&occ, &reference_cw),
        "analyze on {:X?}",
        text
    );
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn find_and_analyze_agree_with_the_reference(
        spec in watchlist_spec(),
        segs in segments(),
    ) {
        check_case(&spec, &segs, 0)?;
    }

    #[test]
    fn malformed_input_never_panics(
        spec in watchlist_spec(),
        mutations in vec(mutation(), 0..4),
        segs in segments(),
        raw in vec(any::<u8>(), 0..40),
        how in 0u8..3,
    ) {
        // Arbitrary bytes, or a text with the watchlist's literals spliced in, possibly
        // with arbitrary bytes (malformed UTF-8) in its middle.
        let mut text = encode(&render(&segs, &spec.distinct_literals()));
        match how {
            0 => text = raw,
            1 => {}
            _ => {
                let mid = text.len() / 2;
                text.splice(mid..mid, raw);
            }
        }
        let mut cw = spec.build().cw;
        for m in &mutations {
            m.apply(&mut cw);
        }
        match Scanner::new(&cw) {
            Ok(engine) => {
                for o in engine.find(&text) {
                    prop_assert!(o.start < o.end && o.end <= text.len());
                }
                let a = engine.analyze(&text);
                prop_assert!((0..=100).contains(&a.confidence));
            }
            Err(e) => {
                prop_assert!(!mutations.is_empty(), "valid watchlist rejected: {}", e);
                prop_assert!(e.0.starts_with("malformed compiled watchlist: "));
            }
        }
    }
}

proptest! {
    // Building a large automaton per case is slower: a fiftieth of the cases.
    #![proptest_config(Config { cases: (config().cases / 50).max(8), ..config() })]

    /// Past `DFA_MAX_LITERALS` the engine scans free literals (no start check) with a
    /// contiguous NFA instead of a DFA (anchored walks always use the NFA): the same
    /// cases, padded with literals that never occur, must agree too.
    #[test]
    fn the_nfa_path_agrees_with_the_reference(
        spec in watchlist_spec(),
        segs in segments(),
    ) {
        check_case(&spec, &segs, DFA_MAX_LITERALS + 1)?;
    }
}

/// Found by [`malformed_input_never_panics`]: `Scanner::new` used to accept any part count,
/// and a scan then allocated `nparts` vectors (`i64::MAX` panicked, `1 << 57` aborted the
/// process). A target may not have more parts than there are units.
#[test]
fn a_huge_part_count_is_rejected_or_harmless() {
    for nparts in [i64::MAX, 1 << 57] {
        let cw = CompiledWatchlist {
            literals: vec![b"a".to_vec()],
            units: vec![(0, 0, 0, 0, -1, -1)],
            targets: vec![(i64::from(KIND_CONTEXT), 0, nparts, 0)],
            context_terms: vec![b"a".to_vec()],
            context_target: vec![0],
            ..CompiledWatchlist::default()
        };
        if let Ok(engine) = Scanner::new(&cw) {
            // One part of `nparts` occurs: the target cannot.
            assert!(engine.find(b"a").is_empty(), "nparts {nparts}");
        }
    }
}
