//! The compiled watchlist (docs/matching.md §5) and the [`Scanner`] built from it.
//!
//! [`CompiledWatchlist`] is the plain data produced by the Python compiler
//! (`CompiledWatchlist.to_plain()`), with every string as generalized UTF-8 bytes.
//! [`Scanner::new`] validates it (never panicking on malformed data) and builds the one
//! Aho-Corasick automaton over all literals. A [`Scanner`] is immutable, `Send` and
//! `Sync`: one scanner serves any number of threads.

use std::fmt;

use super::scanner::LiteralScanner;
pub use super::scanner::DFA_MAX_LITERALS;
use super::tables::tables;
use super::text::{decode_all, encoded_len};

/// Target kinds (docs §5).
pub const KIND_COMPANY: u8 = 0;
/// Exclusion phrases of a company (its veto).
pub const KIND_COMPANY_VETO: u8 = 1;
/// A keyword rule.
pub const KIND_KEYWORD: u8 = 2;
/// An exclusion rule.
pub const KIND_EXCLUSION: u8 = 3;
/// A crypto-context term.
pub const KIND_CONTEXT: u8 = 4;
/// A cashtag claimed by several companies (docs §8.3).
pub const KIND_SHARED_TAG: u8 = 5;

/// Largest `launch_threshold` (and every other integer of a watchlist, docs §4).
pub const MAX_INT: i64 = 1_000_000_000;

/// Part counts up to this are accepted even when there are fewer units.
const MIN_PART_LIMIT: usize = 256;

/// Unit flag: whole-word check at the start.
pub const FLAG_START: i64 = 1;
/// Unit flag: whole-word check at the end.
pub const FLAG_END: i64 = 2;
/// Unit flag: the matched text must be written as the unit's cased literal (docs §8.1).
pub const FLAG_EXACT_CASE: i64 = 4;
/// Unit flag: the end check also fails inside a contraction (docs §8.2).
pub const FLAG_CONTRACTION: i64 = 8;
/// Every flag bit.
const FLAG_ALL: i64 = FLAG_START | FLAG_END | FLAG_EXACT_CASE | FLAG_CONTRACTION;

/// The compiled watchlist as plain data, field for field as in docs §5. Strings are
/// generalized UTF-8 bytes. Fields the core does not need for matching (names, patterns,
/// labels, terms, the seed keyword order) are kept to validate their lengths.
#[derive(Clone, Debug, Default)]
pub struct CompiledWatchlist {
    /// Distinct literals over the normalised alphabet.
    pub literals: Vec<Vec<u8>>,
    /// `(literal, target, part, flags, nfb, cased)`.
    pub units: Vec<(i64, i64, i64, i64, i64, i64)>,
    /// The written forms exact-case units compare with.
    pub cased_literals: Vec<Vec<u8>>,
    /// Not-followed-by alternative sets.
    pub nfb_sets: Vec<Vec<Vec<u8>>>,
    /// `(kind, ref, nparts, max_gap)`.
    pub targets: Vec<(i64, i64, i64, i64)>,
    /// Company names (one per company).
    pub company_names: Vec<Vec<u8>>,
    /// Score of each company when matched.
    pub company_scores: Vec<i64>,
    /// Target of each company's name, aliases and cashtags.
    pub company_target: Vec<i64>,
    /// Target of each company's exclusion phrases, or -1.
    pub veto_target: Vec<i64>,
    /// Keyword pattern strings.
    pub keyword_patterns: Vec<Vec<u8>>,
    /// Keyword weights.
    pub keyword_weights: Vec<i64>,
    /// Target of each keyword rule.
    pub keyword_target: Vec<i64>,
    /// Keyword indices by descending weight (seed order).
    pub seed_keyword_order: Vec<i64>,
    /// Exclusion rule labels.
    pub exclusion_labels: Vec<Vec<u8>>,
    /// Exclusion rule penalties.
    pub exclusion_penalties: Vec<i64>,
    /// Target of each exclusion rule.
    pub exclusion_target: Vec<i64>,
    /// Crypto-context terms.
    pub context_terms: Vec<Vec<u8>>,
    /// Target of each context term.
    pub context_target: Vec<i64>,
    /// Proximity distance (code points).
    pub proximity_distance: i64,
    /// Proximity boost.
    pub proximity_boost: i64,
    /// Relevance threshold (relevance mode 0).
    pub relevance_threshold: i64,
    /// Halve exclusion penalties when crypto context is present.
    pub halve_penalty_with_context: bool,
    /// Cashtags claimed by several companies, as reported (`"$wif"`).
    pub shared_tags: Vec<Vec<u8>>,
    /// The claimants of each shared cashtag, ascending.
    pub shared_tag_companies: Vec<Vec<i64>>,
    /// Target of each shared cashtag.
    pub shared_tag_target: Vec<i64>,
    /// Resolve overlapping keyword occurrences before scoring (docs §8.4).
    pub span_once: bool,
    /// 0: relevant when `confidence >= relevance_threshold`; 1: a company and launch news.
    pub relevance_mode: i64,
    /// `is_launch` is `launch_score >= launch_threshold`.
    pub launch_threshold: i64,
}

/// A malformed compiled watchlist: the message names the field and the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError(pub String);

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BuildError {}

fn err<T>(msg: String) -> Result<T, BuildError> {
    Err(BuildError(format!("malformed compiled watchlist: {msg}")))
}

/// A validated unit.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Unit {
    pub target: usize,
    pub part: usize,
    pub start_check: bool,
    pub end_check: bool,
    /// The end check also fails inside a contraction (only set with `end_check`).
    pub contraction: bool,
    /// Index into `Scanner::cased` of the written form the match must have.
    pub cased: Option<usize>,
    pub nfb: Option<usize>,
}

/// A validated target.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Target {
    pub kind: u8,
    pub reference: usize,
    pub nparts: usize,
    pub max_gap: i64,
}

/// What a target is used for in scoring.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Company(usize),
    Veto(usize),
    Keyword(usize),
    Exclusion(usize),
    Context(usize),
    SharedTag(usize),
}

/// How relevance is decided (docs §7, §8.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RelevanceMode {
    /// `confidence >= relevance_threshold`.
    Confidence,
    /// Some company is matched and `is_launch`.
    CompanyAndLaunch,
}

/// The matching core of one compiled watchlist: validated, with its literal automaton
/// built; [`Scanner::find`] and [`Scanner::analyze`] scan a text (named `Scanner` so
/// that "engine" is left to the Python classes, `tgematch._native.Engine` and
/// `PythonEngine`).
pub struct Scanner {
    pub(crate) automaton: LiteralScanner,
    /// Units of each literal.
    pub(crate) literal_units: Vec<Vec<Unit>>,
    /// Whether some unit of the literal checks its case or contractions: the scan looks
    /// at the original text beyond the match's two ends only for these literals.
    pub(crate) literal_extra_checks: Vec<bool>,
    /// The non-space code points of each cased literal, in order.
    pub(crate) cased: Vec<Vec<u32>>,
    /// Byte length of the last character of each literal.
    pub(crate) last_char_len: Vec<usize>,
    pub(crate) nfb_sets: Vec<Vec<Vec<u8>>>,
    pub(crate) targets: Vec<Target>,
    pub(crate) target_roles: Vec<Vec<Role>>,
    pub(crate) has_gaps: bool,
    pub(crate) company_scores: Vec<i64>,
    pub(crate) veto_target: Vec<Option<usize>>,
    pub(crate) keyword_weights: Vec<i64>,
    pub(crate) exclusion_penalties: Vec<i64>,
    pub(crate) proximity_distance: i64,
    pub(crate) proximity_boost: i64,
    pub(crate) halve_penalty_with_context: bool,
    pub(crate) n_literals: usize,
    /// The claimants of each shared cashtag (ascending, distinct).
    pub(crate) shared_tag_companies: Vec<Vec<usize>>,
    pub(crate) span_once: bool,
    pub(crate) relevance_mode: RelevanceMode,
    pub(crate) relevance_threshold: i64,
    pub(crate) launch_threshold: i64,
}

fn index(value: i64, len: usize, what: &str) -> Result<usize, BuildError> {
    match usize::try_from(value) {
        Ok(i) if i < len => Ok(i),
        _ => err(format!("{what} = {value} is out of range 0..{len}")),
    }
}

fn check_len(field: &str, got: usize, expected: usize, of: &str) -> Result<(), BuildError> {
    if got == expected {
        Ok(())
    } else {
        err(format!("{field} has {got} entries but {of} has {expected}"))
    }
}

fn check_text(field: &str, i: usize, s: &[u8]) -> Result<Vec<u32>, BuildError> {
    match decode_all(s) {
        Some(cps) => Ok(cps),
        None => err(format!("{field}[{i}] is not valid (generalized) UTF-8")),
    }
}

impl Scanner {
    /// Validates `cw` and builds the scanner.
    pub fn new(cw: &CompiledWatchlist) -> Result<Scanner, BuildError> {
        let n_lit = cw.literals.len();
        let mut last_char_len = Vec::with_capacity(n_lit);
        let mut literal_cps = Vec::with_capacity(n_lit);
        for (i, lit) in cw.literals.iter().enumerate() {
            let cps = check_text("literals", i, lit)?;
            match (cps.first(), cps.last()) {
                (Some(&first), Some(&last)) => {
                    if first == 0x20 || last == 0x20 {
                        return err(format!("literals[{i}] begins or ends with a space"));
                    }
                    last_char_len.push(encoded_len(last));
                }
                _ => return err(format!("literals[{i}] is empty")),
            }
            literal_cps.push(cps);
        }
        let mut cased_cps = Vec::with_capacity(cw.cased_literals.len());
        for (i, cased) in cw.cased_literals.iter().enumerate() {
            cased_cps.push(check_text("cased_literals", i, cased)?);
        }
        for (i, set) in cw.nfb_sets.iter().enumerate() {
            for (j, alt) in set.iter().enumerate() {
                check_text("nfb_sets", i, alt)?;
                if alt.is_empty() {
                    return err(format!("nfb_sets[{i}][{j}] is empty"));
                }
            }
        }

        let mut targets = Vec::with_capacity(cw.targets.len());
        for (i, &(kind, reference, nparts, max_gap)) in cw.targets.iter().enumerate() {
            let kind = match u8::try_from(kind) {
                Ok(k) if k <= KIND_SHARED_TAG => k,
                _ => return err(format!("targets[{i}] has kind {kind}, expected 0..5")),
            };
            // A target with more parts than there are units can never occur (every part
            // needs a unit of its own); the bound keeps a scan's per-target part vectors
            // small whatever a hand-made plain dict says.
            let nparts = match usize::try_from(nparts) {
                Ok(n) if n >= 1 && n <= cw.units.len().max(MIN_PART_LIMIT) => n,
                _ => {
                    return err(format!(
                        "targets[{i}] has nparts {nparts}, expected 1..={}",
                        cw.units.len().max(MIN_PART_LIMIT)
                    ))
                }
            };
            let limit = match kind {
                KIND_COMPANY | KIND_COMPANY_VETO => cw.company_names.len(),
                KIND_KEYWORD => cw.keyword_patterns.len(),
                KIND_EXCLUSION => cw.exclusion_labels.len(),
                KIND_CONTEXT => cw.context_terms.len(),
                _ => cw.shared_tags.len(),
            };
            let reference = index(reference, limit, &format!("targets[{i}].ref"))?;
            targets.push(Target {
                kind,
                reference,
                nparts,
                max_gap,
            });
        }
        let n_targets = targets.len();

        let mut literal_units: Vec<Vec<Unit>> = vec![Vec::new(); n_lit];
        for (i, &(lit, target, part, flags, nfb, cased)) in cw.units.iter().enumerate() {
            let lit = index(lit, n_lit, &format!("units[{i}].literal"))?;
            let target = index(target, n_targets, &format!("units[{i}].target"))?;
            let part = index(part, targets[target].nparts, &format!("units[{i}].part"))?;
            if !(0..=FLAG_ALL).contains(&flags) {
                return err(format!(
                    "units[{i}].flags = {flags}, expected 0..{FLAG_ALL}"
                ));
            }
            let nfb = if nfb == -1 {
                None
            } else {
                Some(index(nfb, cw.nfb_sets.len(), &format!("units[{i}].nfb"))?)
            };
            let cased = if flags & FLAG_EXACT_CASE == 0 {
                if cased != -1 {
                    return err(format!(
                        "units[{i}].cased = {cased} without the exact-case flag, expected -1"
                    ));
                }
                None
            } else {
                let k = index(cased, cased_cps.len(), &format!("units[{i}].cased"))?;
                check_cased(&literal_cps[lit], &cased_cps[k], i, k)?;
                Some(k)
            };
            let end_check = flags & FLAG_END != 0;
            literal_units[lit].push(Unit {
                target,
                part,
                start_check: flags & FLAG_START != 0,
                end_check,
                contraction: end_check && flags & FLAG_CONTRACTION != 0,
                cased,
                nfb,
            });
        }
        let literal_extra_checks = literal_units
            .iter()
            .map(|units| units.iter().any(|u| u.contraction || u.cased.is_some()))
            .collect();
        let cased: Vec<Vec<u32>> = cased_cps
            .into_iter()
            .map(|cps| cps.into_iter().filter(|&c| c != 0x20).collect())
            .collect();

        let n_comp = cw.company_names.len();
        check_len(
            "company_scores",
            cw.company_scores.len(),
            n_comp,
            "company_names",
        )?;
        check_len(
            "company_target",
            cw.company_target.len(),
            n_comp,
            "company_names",
        )?;
        check_len("veto_target", cw.veto_target.len(), n_comp, "company_names")?;
        let n_kw = cw.keyword_patterns.len();
        check_len(
            "keyword_weights",
            cw.keyword_weights.len(),
            n_kw,
            "keyword_patterns",
        )?;
        check_len(
            "keyword_target",
            cw.keyword_target.len(),
            n_kw,
            "keyword_patterns",
        )?;
        check_len(
            "seed_keyword_order",
            cw.seed_keyword_order.len(),
            n_kw,
            "keyword_patterns",
        )?;
        let n_ex = cw.exclusion_labels.len();
        check_len(
            "exclusion_penalties",
            cw.exclusion_penalties.len(),
            n_ex,
            "exclusion_labels",
        )?;
        check_len(
            "exclusion_target",
            cw.exclusion_target.len(),
            n_ex,
            "exclusion_labels",
        )?;
        let n_ctx = cw.context_terms.len();
        check_len(
            "context_target",
            cw.context_target.len(),
            n_ctx,
            "context_terms",
        )?;
        for (field, items) in [
            ("company_names", &cw.company_names),
            ("keyword_patterns", &cw.keyword_patterns),
            ("exclusion_labels", &cw.exclusion_labels),
            ("context_terms", &cw.context_terms),
        ] {
            for (i, s) in items.iter().enumerate() {
                check_text(field, i, s)?;
            }
        }
        let mut seen = vec![false; n_kw];
        for (i, &k) in cw.seed_keyword_order.iter().enumerate() {
            let k = index(k, n_kw, &format!("seed_keyword_order[{i}]"))?;
            if std::mem::replace(&mut seen[k], true) {
                return err(format!("seed_keyword_order repeats keyword {k}"));
            }
        }

        let mut target_roles: Vec<Vec<Role>> = vec![Vec::new(); n_targets];
        let mut veto_target = Vec::with_capacity(n_comp);
        for i in 0..n_comp {
            let t = index(
                cw.company_target[i],
                n_targets,
                &format!("company_target[{i}]"),
            )?;
            target_roles[t].push(Role::Company(i));
            let v = cw.veto_target[i];
            if v == -1 {
                veto_target.push(None);
            } else {
                let v = index(v, n_targets, &format!("veto_target[{i}]"))?;
                target_roles[v].push(Role::Veto(i));
                veto_target.push(Some(v));
            }
        }
        for (i, &t) in cw.keyword_target.iter().enumerate() {
            let t = index(t, n_targets, &format!("keyword_target[{i}]"))?;
            target_roles[t].push(Role::Keyword(i));
        }
        for (i, &t) in cw.exclusion_target.iter().enumerate() {
            let t = index(t, n_targets, &format!("exclusion_target[{i}]"))?;
            target_roles[t].push(Role::Exclusion(i));
        }
        for (i, &t) in cw.context_target.iter().enumerate() {
            let t = index(t, n_targets, &format!("context_target[{i}]"))?;
            target_roles[t].push(Role::Context(i));
        }
        let shared_tag_companies = shared_tags(cw, n_comp)?;
        for (i, &t) in cw.shared_tag_target.iter().enumerate() {
            let t = index(t, n_targets, &format!("shared_tag_target[{i}]"))?;
            target_roles[t].push(Role::SharedTag(i));
        }
        let relevance_mode = match cw.relevance_mode {
            0 => RelevanceMode::Confidence,
            1 => RelevanceMode::CompanyAndLaunch,
            m => return err(format!("relevance_mode = {m}, expected 0 or 1")),
        };
        if !(0..=MAX_INT).contains(&cw.launch_threshold) {
            return err(format!(
                "launch_threshold = {}, expected 0..={MAX_INT}",
                cw.launch_threshold
            ));
        }

        // A literal goes to the anchored walks when every unit checks its start.
        let anchored: Vec<bool> = literal_units
            .iter()
            .map(|units| units.iter().all(|u| u.start_check))
            .collect();
        let automaton = match LiteralScanner::new(&cw.literals, &anchored, tables()) {
            Ok(a) => a,
            Err(e) => return err(format!("cannot build the automaton: {e}")),
        };
        let has_gaps = targets.iter().any(|t| t.nparts > 1);
        Ok(Scanner {
            automaton,
            literal_units,
            literal_extra_checks,
            cased,
            last_char_len,
            nfb_sets: cw.nfb_sets.clone(),
            targets,
            target_roles,
            has_gaps,
            company_scores: cw.company_scores.clone(),
            veto_target,
            keyword_weights: cw.keyword_weights.clone(),
            exclusion_penalties: cw.exclusion_penalties.clone(),
            proximity_distance: cw.proximity_distance,
            proximity_boost: cw.proximity_boost,
            halve_penalty_with_context: cw.halve_penalty_with_context,
            n_literals: n_lit,
            shared_tag_companies,
            span_once: cw.span_once,
            relevance_mode,
            relevance_threshold: cw.relevance_threshold,
            launch_threshold: cw.launch_threshold,
        })
    }

    /// Number of distinct literals in the automaton.
    pub fn literal_count(&self) -> usize {
        self.n_literals
    }

    /// Number of companies.
    pub fn company_count(&self) -> usize {
        self.company_scores.len()
    }

    /// Number of keyword rules.
    pub fn keyword_count(&self) -> usize {
        self.keyword_weights.len()
    }

    /// Number of exclusion rules.
    pub fn exclusion_count(&self) -> usize {
        self.exclusion_penalties.len()
    }

    /// Heap memory of the literal automata, in bytes.
    pub fn automaton_bytes(&self) -> usize {
        self.automaton.memory_usage()
    }

    /// Number of targets.
    pub fn target_count(&self) -> usize {
        self.targets.len()
    }

    /// Number of shared cashtags.
    pub fn shared_tag_count(&self) -> usize {
        self.shared_tag_companies.len()
    }
}

/// Checks that `cased` (cased literal `k`, used by unit `unit`) is a written form of
/// `literal`: as long, with its spaces at the same places, folding to it character by
/// character (docs §5). The scan relies on this to compare the original text's non-space
/// characters with the cased ones in order.
fn check_cased(literal: &[u32], cased: &[u32], unit: usize, k: usize) -> Result<(), BuildError> {
    if literal.len() != cased.len() {
        return err(format!(
            "units[{unit}].cased: cased_literals[{k}] has {} characters, its literal {}",
            cased.len(),
            literal.len()
        ));
    }
    let t = tables();
    for (j, (&l, &c)) in literal.iter().zip(cased).enumerate() {
        if (l == 0x20) != (c == 0x20) {
            return err(format!(
                "units[{unit}].cased: cased_literals[{k}] and its literal differ in spaces at {j}"
            ));
        }
        if t.fold(c) != l {
            return err(format!(
                "units[{unit}].cased: cased_literals[{k}][{j}] does not fold to its literal's character"
            ));
        }
    }
    Ok(())
}

/// The validated claimants of each shared cashtag: `shared_tags`, `shared_tag_companies`
/// and `shared_tag_target` are parallel, and each claimant list holds at least one
/// company index (one: a copy's cashtag, docs §8.3), in strictly ascending order.
fn shared_tags(cw: &CompiledWatchlist, n_comp: usize) -> Result<Vec<Vec<usize>>, BuildError> {
    let n = cw.shared_tags.len();
    check_len(
        "shared_tag_companies",
        cw.shared_tag_companies.len(),
        n,
        "shared_tags",
    )?;
    check_len(
        "shared_tag_target",
        cw.shared_tag_target.len(),
        n,
        "shared_tags",
    )?;
    for (i, s) in cw.shared_tags.iter().enumerate() {
        check_text("shared_tags", i, s)?;
    }
    let mut out = Vec::with_capacity(n);
    for (i, claimants) in cw.shared_tag_companies.iter().enumerate() {
        if claimants.is_empty() {
            return err(format!("shared_tag_companies[{i}] is empty"));
        }
        let mut list: Vec<usize> = Vec::with_capacity(claimants.len());
        for (j, &c) in claimants.iter().enumerate() {
            let c = index(c, n_comp, &format!("shared_tag_companies[{i}][{j}]"))?;
            if list.last().is_some_and(|&prev| prev >= c) {
                return err(format!(
                    "shared_tag_companies[{i}] is not strictly ascending at {j}"
                ));
            }
            list.push(c);
        }
        out.push(list);
    }
    Ok(out)
}
