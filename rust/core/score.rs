//! Scoring of one document (docs/matching.md §7).

use super::compiled::{Engine, Role};

/// A sorted list of distinct `(start, end)` spans.
pub type Spans = Vec<(usize, usize)>;

/// The analysis of one document: everything `Matcher.analyze` needs, by index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Matched (non-vetoed) companies: `(company index, spans)`, by index.
    pub companies: Vec<(usize, Spans)>,
    /// Companies that occurred but whose veto target also occurred, by index.
    pub vetoed: Vec<usize>,
    /// Keyword rules with occurrences: `(keyword index, spans)`, by index.
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

impl Engine {
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
                    Role::Keyword(k) => {
                        a.keywords.push((k, to_spans(group)));
                        keyword_positions.extend(group.iter().map(|&(_, s, _)| s));
                    }
                    Role::Exclusion(x) => a.exclusions.push((x, to_spans(group), 0)),
                    Role::Context(_) => a.crypto_context = true,
                    Role::Veto(_) => {}
                }
            }
            i = j;
        }
        a.companies.sort_unstable();
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
        a
    }
}
