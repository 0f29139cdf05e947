//! Building results: the raw analysis tuple (`Engine.analyze`) and the finished
//! `tgematch.results` objects (`Analysis` and its hits, `Engine.finished`) from the
//! core's [`Analysis`].

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString, PyTuple, PyType};

use super::errors::{malformed_results as results_error, type_name};
use super::ffi::{new_tuple, ResultClass};
use super::plain::{fixed_rows, sequence};
use crate::core::{Analysis, Scanner};

fn clamp_i64(x: i128) -> i64 {
    i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX })
}

/// Whether nothing at all occurred (the raw result is then the shared empty tuple).
fn is_empty(a: &Analysis) -> bool {
    a.companies.is_empty()
        && a.vetoed.is_empty()
        && a.keywords.is_empty()
        && a.exclusions.is_empty()
        && a.ambiguous.is_empty()
        && !a.crypto_context
}

/// The raw analysis tuple of `_native.pyi`, built from tuples only (immutable, so the
/// empty result can be one shared object) by [`new_tuple`], like the finished results.
pub(super) fn raw_tuple<'py>(
    py: Python<'py>,
    a: &Analysis,
    empty: &Py<PyTuple>,
) -> PyResult<Bound<'py, PyAny>> {
    if is_empty(a) {
        return Ok(empty.bind(py).clone().into_any());
    }
    let int = |x: i64| {
        let Ok(x) = x.into_pyobject(py);
        x.into_any()
    };
    let index = |i: usize| {
        let Ok(i) = i.into_pyobject(py);
        i.into_any()
    };
    let spans = |sp: &[(usize, usize)]| -> PyResult<Bound<'py, PyAny>> {
        let pairs = sp
            .iter()
            .map(|&(s, e)| new_tuple(py, None, [index(s), index(e)]))
            .collect::<PyResult<Vec<_>>>()?;
        new_tuple(py, None, pairs)
    };
    let hits = |hits: &[(usize, Vec<(usize, usize)>)]| -> PyResult<Bound<'py, PyAny>> {
        let items = hits
            .iter()
            .map(|(i, sp)| new_tuple(py, None, [index(*i), spans(sp)?]))
            .collect::<PyResult<Vec<_>>>()?;
        new_tuple(py, None, items)
    };
    let exclusions = a
        .exclusions
        .iter()
        .map(|(i, sp, p)| new_tuple(py, None, [index(*i), spans(sp)?, int(*p)]))
        .collect::<PyResult<Vec<_>>>()?;
    let items = [
        hits(&a.companies)?,
        new_tuple(py, None, a.vetoed.iter().map(|&i| index(i)))?,
        hits(&a.keywords)?,
        new_tuple(py, None, exclusions)?,
        a.crypto_context.into_pyobject(py)?.to_owned().into_any(),
        int(clamp_i64(a.company_score)),
        int(clamp_i64(a.keyword_score)),
        int(clamp_i64(a.proximity_boost)),
        int(clamp_i64(a.penalty)),
        int(clamp_i64(a.confidence)),
        new_tuple(py, None, a.ambiguous.iter().map(|&i| index(i)))?,
        a.near.into_pyobject(py)?.to_owned().into_any(),
    ];
    new_tuple(py, None, items)
}

pub(super) fn empty_raw_tuple(py: Python<'_>) -> PyResult<Py<PyTuple>> {
    let e = PyTuple::empty(py);
    let t = (
        e.clone(),
        e.clone(),
        e.clone(),
        e.clone(),
        false,
        0i64,
        0i64,
        0i64,
        0i64,
        0i64,
        e,
        false,
    );
    Ok(t.into_pyobject(py)?.unbind())
}

/// What the engine needs to build `tgematch.results.Analysis` objects itself: the result
/// classes and, per company, keyword and exclusion rule, the Python values those objects
/// carry. Building them here, rather than from a raw tuple in Python, is most of what
/// a parallel batch can overlap with scanning.
pub(super) struct ResultTypes {
    analysis: ResultClass,
    company_hit: ResultClass,
    keyword_hit: ResultClass,
    exclusion_hit: ResultClass,
    /// `[name, priority, score]` per company.
    companies: Vec<[Py<PyAny>; 3]>,
    /// `[pattern, weight]` per keyword rule.
    keywords: Vec<[Py<PyAny>; 2]>,
    /// `[label, pattern]` per exclusion rule.
    exclusions: Vec<[Py<PyAny>; 2]>,
    /// The reported string of each shared cashtag (`"$wif"`).
    shared_tags: Vec<Py<PyAny>>,
    relevance_threshold: i64,
    /// 0: relevant by confidence; 1: a company and launch news (docs §8.5).
    relevance_mode: i64,
    launch_threshold: i64,
    /// The one `Analysis` shared by every document in which nothing occurred.
    empty: Py<PyAny>,
}

/// The rows of `spec[key]`, each of exactly `N` values.
fn rows<const N: usize>(spec: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<[Py<PyAny>; N]>> {
    let obj = spec
        .get_item(key)?
        .ok_or_else(|| results_error(key, "missing key"))?;
    Ok(fixed_rows::<N>(&obj, key, results_error)?
        .into_iter()
        .map(|cells| cells.map(Bound::unbind))
        .collect())
}

impl ResultTypes {
    pub(super) fn new(spec: &Bound<'_, PyAny>, core: &Scanner) -> PyResult<ResultTypes> {
        let py = spec.py();
        let spec = spec.cast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(format!("results must be a dict, not {}", type_name(spec)))
        })?;
        let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
            spec.get_item(key)?
                .ok_or_else(|| results_error(key, "missing key"))
        };
        let results = py.import(intern!(py, "tgematch.results"))?;
        let class = |key: &str, expected: &str| -> PyResult<ResultClass> {
            let obj = get(key)?;
            let cls = obj.cast::<PyType>().map_err(|_| {
                results_error(key, format!("expected a class, got {}", type_name(&obj)))
            })?;
            ResultClass::check(
                cls,
                &results.getattr(expected)?,
                expected,
                key,
                results_error,
            )
        };
        let count = |key: &str, got: usize, expected: usize| -> PyResult<()> {
            if got == expected {
                Ok(())
            } else {
                Err(results_error(
                    key,
                    format!("expected {expected} rows, got {got}"),
                ))
            }
        };
        let companies = rows::<3>(spec, "companies")?;
        count("companies", companies.len(), core.company_count())?;
        let keywords = rows::<2>(spec, "keywords")?;
        count("keywords", keywords.len(), core.keyword_count())?;
        let exclusions = rows::<2>(spec, "exclusions")?;
        count("exclusions", exclusions.len(), core.exclusion_count())?;
        let spec_int = |key: &str| -> PyResult<i64> {
            get(key)?
                .extract::<i64>()
                .map_err(|e| results_error(key, format!("expected an int: {e}")))
        };
        let relevance_threshold = spec_int("relevance_threshold")?;
        let relevance_mode = spec_int("relevance_mode")?;
        if !(0..=1).contains(&relevance_mode) {
            return Err(results_error(
                "relevance_mode",
                format!("expected 0 or 1, got {relevance_mode}"),
            ));
        }
        let launch_threshold = spec_int("launch_threshold")?;
        let tags = get("shared_tags")?;
        let shared_tags = sequence(&tags, "shared_tags", results_error)?
            .into_iter()
            .enumerate()
            .map(|(i, tag)| {
                if tag.is_instance_of::<PyString>() {
                    Ok(tag.unbind())
                } else {
                    Err(results_error(
                        &format!("shared_tags[{i}]"),
                        format!("expected a str, got {}", type_name(&tag)),
                    ))
                }
            })
            .collect::<PyResult<Vec<_>>>()?;
        count("shared_tags", shared_tags.len(), core.shared_tag_count())?;
        Ok(ResultTypes {
            analysis: class("analysis", "Analysis")?,
            company_hit: class("company_hit", "CompanyHit")?,
            keyword_hit: class("keyword_hit", "KeywordHit")?,
            exclusion_hit: class("exclusion_hit", "ExclusionHit")?,
            companies,
            keywords,
            exclusions,
            shared_tags,
            relevance_threshold,
            relevance_mode,
            launch_threshold,
            empty: get("empty")?.unbind(),
        })
    }

    /// The `Analysis` of one document.
    pub(super) fn build<'py>(&self, py: Python<'py>, a: &Analysis) -> PyResult<Bound<'py, PyAny>> {
        if is_empty(a) {
            return Ok(self.empty.bind(py).clone());
        }
        // One hit: the rule's own values from the spec, then (for an exclusion) the
        // penalty applied, then positions and spans.
        let hit = |cls: &ResultClass,
                   values: &[Py<PyAny>],
                   applied: Option<i64>,
                   sp: &[(usize, usize)]|
         -> PyResult<Bound<'py, PyAny>> {
            let (spans, positions) = spans_positions(py, sp)?;
            let applied = applied.map(|p| {
                let Ok(p) = p.into_pyobject(py);
                p.into_any()
            });
            let values = values.iter().map(|v| v.bind(py).clone());
            let items = values.chain(applied).chain([positions, spans]);
            new_tuple(py, Some(cls), items)
        };
        let companies = a
            .companies
            .iter()
            .map(|(i, sp)| {
                let values = spec_row(&self.companies, "company", *i)?;
                hit(&self.company_hit, values, None, sp)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let keywords = a
            .keywords
            .iter()
            .map(|(i, sp)| {
                let values = spec_row(&self.keywords, "keyword", *i)?;
                hit(&self.keyword_hit, values, None, sp)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let exclusions = a
            .exclusions
            .iter()
            .map(|(i, sp, applied)| {
                let values = spec_row(&self.exclusions, "exclusion rule", *i)?;
                hit(&self.exclusion_hit, values, Some(*applied), sp)
            })
            .collect::<PyResult<Vec<_>>>()?;
        let vetoed = a
            .vetoed
            .iter()
            .map(|&i| Ok(spec_row(&self.companies, "company", i)?[0].bind(py).clone()))
            .collect::<PyResult<Vec<_>>>()?;
        let ambiguous = a
            .ambiguous
            .iter()
            .map(|&i| {
                self.shared_tags
                    .get(i)
                    .map(|tag| tag.bind(py).clone())
                    .ok_or_else(|| {
                        PyValueError::new_err(format!("internal error: no shared tag number {i}"))
                    })
            })
            .collect::<PyResult<Vec<_>>>()?;
        let confidence = clamp_i64(a.confidence);
        let launch_score = clamp_i64(a.launch_score);
        // Relevance as the spec's values decide it (they are the compiled watchlist's:
        // the core's own `is_relevant` and `is_launch` agree with these).
        let is_launch = launch_score >= self.launch_threshold;
        let is_relevant = if self.relevance_mode == 0 {
            confidence >= self.relevance_threshold
        } else {
            a.near && is_launch
        };
        let int = |x: i128| clamp_i64(x).into_pyobject(py).map(Bound::into_any);
        let flag = |b: bool| b.into_pyobject(py).map(|b| b.to_owned().into_any());
        let items = [
            new_tuple(py, None, companies)?,
            new_tuple(py, None, keywords)?,
            new_tuple(py, None, exclusions)?,
            new_tuple(py, None, vetoed)?,
            flag(a.crypto_context)?,
            int(a.company_score)?,
            int(a.keyword_score)?,
            int(a.proximity_boost)?,
            int(a.penalty)?,
            confidence.into_pyobject(py)?.into_any(),
            flag(is_relevant)?,
            launch_score.into_pyobject(py)?.into_any(),
            flag(is_launch)?,
            new_tuple(py, None, ambiguous)?,
        ];
        new_tuple(py, Some(&self.analysis), items)
    }
}

/// Row `i` of a results-spec table (`what` names it in the internal error for an index
/// the spec does not have).
fn spec_row<'r, const N: usize>(
    rows: &'r [[Py<PyAny>; N]],
    what: &str,
    i: usize,
) -> PyResult<&'r [Py<PyAny>; N]> {
    rows.get(i)
        .ok_or_else(|| PyValueError::new_err(format!("internal error: no {what} number {i}")))
}

/// The spans as a tuple of `(start, end)` tuples, and their distinct starts in order
/// (sorted spans: equal starts are adjacent), sharing the start int objects.
fn spans_positions<'py>(
    py: Python<'py>,
    spans: &[(usize, usize)],
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyAny>)> {
    let int = |x: usize| x.into_pyobject(py).map(Bound::into_any);
    if let [(s, e)] = *spans {
        // Most hits have one span: no vectors.
        let start = int(s)?;
        let pair = new_tuple(py, None, [start.clone(), int(e)?])?;
        return Ok((new_tuple(py, None, [pair])?, new_tuple(py, None, [start])?));
    }
    let mut pairs = Vec::with_capacity(spans.len());
    let mut starts: Vec<Bound<'py, PyAny>> = Vec::with_capacity(spans.len());
    let mut last = None;
    for &(s, e) in spans {
        let start = match starts.last() {
            Some(obj) if last == Some(s) => obj.clone(),
            _ => {
                let obj = int(s)?;
                starts.push(obj.clone());
                last = Some(s);
                obj
            }
        };
        pairs.push(new_tuple(py, None, [start, int(e)?])?);
    }
    Ok((new_tuple(py, None, pairs)?, new_tuple(py, None, starts)?))
}
