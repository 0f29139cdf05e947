//! Scoring of one document (docs/matching.md §7, §8.3-§8.5).

use std::cmp::Reverse;
use std::collections::BTreeMap;

use super::compiled::{RelevanceMode, Role, Scanner};

/// A sorted list of distinct `(start, end)` spans.
pub type Spans = Vec<(usize, usize)>;

/// `(target, start, end)` occurrences of one target, as the scan returns them.
type Group<'a> = &'a [(usize, usize, usize)];

/// The analysis of one document: everything `Matcher.analyze` needs, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Matched (non-vetoed) companies: `(company index, spans)`, by index. The spans
    /// include those of the shared cashtags the company claims (docs §8.3).
    pub companies: Vec<(usize, Spans)>,
    /// Companies that occurred but whose veto target also occurred, by index.
    pub vetoed: Vec<usize>,
    /// Keyword rules with occurrences: `(keyword index, spans)`, by index. With
    /// `span_once`, only the rules with a kept occurrence, with their kept spans.
    pub keywords: Vec<(usize, Spans)>,
    /// Exclusion rules with occurrences: `(rule index, spans, applied penalty)`, by index.
    pub exclusions: Vec<(usize, Spans, i64)>,
    /// Any crypto-context term occurred.
    pub crypto_context: bool,
    /// Sum of the scores of matched companies.
    pub company_score: i128,
    /// Sum of the weights of keyword rules with an occurrence.
    pub keyword_score: i128,
    /// The proximity boost applied (0 or the configured boost).
    pub proximity_boost: i128,
    /// Sum of the applied exclusion penalties.
    pub penalty: i128,
    /// `clamp(0, 100, company + keyword + proximity - penalty)`.
    pub confidence: i128,
    /// Shared cashtags that occurred while none of their claimants was matched, by index.
    pub ambiguous: Vec<usize>,
    /// `clamp(0, 100, keyword - penalty)`.
    pub launch_score: i128,
    /// `launch_score >= launch_threshold`.
    pub is_launch: bool,
    /// As the watchlist's relevance mode decides (docs §7, §8.5).
    pub is_relevant: bool,
    /// A matched company position and a counted keyword position differ by less than
    /// the proximity distance (docs §7; what modern relevance requires, §8.5).
    pub near: bool,
}

/// The spans of one target inside the sorted occurrence list.
fn spans_of(occ: &[(usize, usize, usize)], target: usize) -> &[(usize, usize, usize)] {
    let lo = occ.partition_point(|&(t, _, _)| t < target);
    let hi = occ.partition_point(|&(t, _, _)| t <= target);
    &occ[lo..hi]
}

fn to_spans(group: &[(usize, usize, usize)]) -> Spans {
    group.iter().map(|&(_, s, e)| (s, e)).collect()
}

/// Smallest `|a - b|` over `a` in `xs`, `b` in `ys` (both sorted), if both are non-empty.
fn min_distance(xs: &[usize], ys: &[usize]) -> Option<usize> {
    let (mut i, mut j) = (0, 0);
    let mut best: Option<usize> = None;
    while i < xs.len() && j < ys.len() {
        let d = xs[i].abs_diff(ys[j]);
        best = Some(best.map_or(d, |b| b.min(d)));
        if xs[i] < ys[j] {
            i += 1;
        } else {
            j += 1;
        }
    }
    best
}

impl Scanner {
    /// Analyses one document (generalized UTF-8) as docs §7 specifies.
    pub fn analyze(&self, text: &[u8]) -> Analysis {
        self.with_target_occurrences(text, |occ| self.score(occ))
    }

    /// The analysis of a document whose target occurrences are `occ`.
    fn score(&self, occ: &[(usize, usize, usize)]) -> Analysis {
        let mut a = Analysis::default();
        let occurs = |t: usize| !spans_of(occ, t).is_empty();

        let mut company_positions: Vec<usize> = Vec::new();
        let mut keyword_positions: Vec<usize> = Vec::new();
        // Occurred shared cashtags, `(tag, its occurrences)`; credited once every
        // company's own target has been seen.
        let mut shared: Vec<(usize, Group<'_>)> = Vec::new();
        // With `span_once`: every keyword occurrence as `(weight desc, rule, start, end)`.
        let mut keyword_occ: Vec<(Reverse<i64>, usize, usize, usize)> = Vec::new();
        let mut i = 0;
        while i < occ.len() {
            let target = occ[i].0;
            let mut j = i;
            while j < occ.len() && occ[j].0 == target {
                j += 1;
            }
            let group = &occ[i..j];
            for &role in &self.target_roles[target] {
                match role {
                    Role::Company(c) => {
                        if self.veto_target[c].is_some_and(occurs) {
                            a.vetoed.push(c);
                        } else {
                            a.companies.push((c, to_spans(group)));
                            company_positions.extend(group.iter().map(|&(_, s, _)| s));
                        }
                    }
                    Role::Keyword(k) if self.span_once => {
                        let w = Reverse(self.keyword_weights[k]);
                        keyword_occ.extend(group.iter().map(|&(_, s, e)| (w, k, s, e)));
                    }
                    Role::Keyword(k) => {
                        a.keywords.push((k, to_spans(group)));
                        keyword_positions.extend(group.iter().map(|&(_, s, _)| s));
                    }
                    Role::Exclusion(x) => a.exclusions.push((x, to_spans(group), 0)),
                    Role::Context(_) => a.crypto_context = true,
                    Role::SharedTag(t) => shared.push((t, group)),
                    Role::Veto(_) => {}
                }
            }
            i = j;
        }
        a.companies.sort_unstable();
        if !shared.is_empty() {
            self.credit_shared_tags(&mut a, &shared, &mut company_positions);
        }
        if !keyword_occ.is_empty() {
            resolve_keywords(&mut a, keyword_occ, &mut keyword_positions);
        }
        a.vetoed.sort_unstable();
        a.vetoed.dedup();
        a.keywords.sort_unstable();
        a.exclusions.sort_unstable();

        a.company_score = a
            .companies
            .iter()
            .map(|&(c, _)| i128::from(self.company_scores[c]))
            .sum();
        a.keyword_score = a
            .keywords
            .iter()
            .map(|&(k, _)| i128::from(self.keyword_weights[k]))
            .sum();

        company_positions.sort_unstable();
        company_positions.dedup();
        keyword_positions.sort_unstable();
        keyword_positions.dedup();
        if let Some(d) = min_distance(&company_positions, &keyword_positions) {
            if i128::try_from(d).unwrap_or(i128::MAX) < i128::from(self.proximity_distance) {
                a.near = true;
                a.proximity_boost = i128::from(self.proximity_boost);
            }
        }

        let halve = a.crypto_context && self.halve_penalty_with_context;
        for (x, _, applied) in &mut a.exclusions {
            let p = self.exclusion_penalties[*x];
            *applied = if halve { p.div_euclid(2) } else { p };
            a.penalty += i128::from(*applied);
        }
        let total = a.company_score + a.keyword_score + a.proximity_boost - a.penalty;
        a.confidence = total.clamp(0, 100);
        a.launch_score = (a.keyword_score - a.penalty).clamp(0, 100);
        a.is_launch = a.launch_score >= i128::from(self.launch_threshold);
        a.is_relevant = match self.relevance_mode {
            RelevanceMode::Confidence => a.confidence >= i128::from(self.relevance_threshold),
            RelevanceMode::CompanyAndLaunch => a.near && a.is_launch,
        };
        a
    }

    /// Docs §8.3: the occurrences of each shared cashtag in `shared` join every claimant
    /// in `a.companies` (matched through its own target, sorted by index); a tag with no
    /// such claimant goes to `a.ambiguous` and credits no one.
    fn credit_shared_tags(
        &self,
        a: &mut Analysis,
        shared: &[(usize, Group<'_>)],
        company_positions: &mut Vec<usize>,
    ) {
        let mut joined = vec![false; a.companies.len()];
        for &(tag, group) in shared {
            let mut credited = false;
            for &c in &self.shared_tag_companies[tag] {
                if let Ok(pos) = a.companies.binary_search_by_key(&c, |(i, _)| *i) {
                    a.companies[pos]
                        .1
                        .extend(group.iter().map(|&(_, s, e)| (s, e)));
                    joined[pos] = true;
                    credited = true;
                }
            }
            if credited {
                company_positions.extend(group.iter().map(|&(_, s, _)| s));
            } else {
                a.ambiguous.push(tag);
            }
        }
        for ((_, spans), joined) in a.companies.iter_mut().zip(joined) {
            if joined {
                spans.sort_unstable();
                spans.dedup();
            }
        }
        a.ambiguous.sort_unstable();
        a.ambiguous.dedup();
    }
}

/// Docs §8.4: keeps the keyword occurrences `occ` (`(weight desc, rule, start, end)`)
/// that overlap no occurrence kept before them, visited in sorted order, and reports each
/// rule with a kept occurrence (its kept spans) in `a.keywords` and their starts in
/// `positions`.
///
/// Kept occurrences are pairwise disjoint and non-empty (every occurrence ends after it
/// starts: literals are non-empty), so sorted by start they are sorted by end too, and a
/// new `(s, e)` overlaps some kept one exactly when the kept one with the greatest start
/// below `e` ends after `s`: one ordered-map lookup per occurrence.
fn resolve_keywords(
    a: &mut Analysis,
    mut occ: Vec<(Reverse<i64>, usize, usize, usize)>,
    positions: &mut Vec<usize>,
) {
    occ.sort_unstable();
    let mut kept_by_start: BTreeMap<usize, usize> = BTreeMap::new();
    let mut kept: Vec<(usize, usize, usize)> = Vec::new();
    for (_, k, s, e) in occ {
        let overlaps = kept_by_start
            .range(..e)
            .next_back()
            .is_some_and(|(_, &kept_end)| kept_end > s);
        if !overlaps {
            kept_by_start.insert(s, e);
            kept.push((k, s, e));
        }
    }
    kept.sort_unstable();
    let mut i = 0;
    while i < kept.len() {
        let k = kept[i].0;
        let mut j = i;
        while j < kept.len() && kept[j].0 == k {
            j += 1;
        }
        let spans: Spans = kept[i..j].iter().map(|&(_, s, e)| (s, e)).collect();
        positions.extend(spans.iter().map(|&(s, _)| s));
        a.keywords.push((k, spans));
        i = j;
    }
}
