//! Decoding the compiled watchlist (`CompiledWatchlist.to_plain()`, docs/matching.md §5)
//! from plain Python values into the core's [`CompiledWatchlist`], and the list-reading
//! helpers the results spec shares. Every bad value is a `ValueError` naming its entry.

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::errors::{malformed_plain as bad, type_name};
use super::text::TextHolder;
use crate::core::CompiledWatchlist;

fn field<'py>(plain: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    plain.get_item(key)?.ok_or_else(|| bad(key, "missing key"))
}

/// The items of a list or tuple.
fn items<'py>(obj: &Bound<'py, PyAny>, key: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    sequence(obj, key, bad)
}

/// The items of `obj`, which must be a list or tuple; `err(entry, message)` otherwise.
pub(super) fn sequence<'py>(
    obj: &Bound<'py, PyAny>,
    key: &str,
    err: fn(&str, String) -> PyErr,
) -> PyResult<Vec<Bound<'py, PyAny>>> {
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        obj.try_iter()?.collect()
    } else {
        Err(err(
            key,
            format!("expected a list or tuple, got {}", type_name(obj)),
        ))
    }
}

/// `obj` as rows of exactly `width` items (a list or tuple of lists or tuples), each
/// named `key[i]` in the error `err(entry, message)` that a bad one gets.
pub(super) fn fixed_rows<'py, const N: usize>(
    obj: &Bound<'py, PyAny>,
    key: &str,
    err: fn(&str, String) -> PyErr,
) -> PyResult<Vec<[Bound<'py, PyAny>; N]>> {
    let mut out = Vec::new();
    for (i, row) in sequence(obj, key, err)?.iter().enumerate() {
        let name = format!("{key}[{i}]");
        let cells: [Bound<'py, PyAny>; N] =
            sequence(row, &name, err)?
                .try_into()
                .map_err(|cells: Vec<_>| {
                    err(&name, format!("expected {N} items, got {}", cells.len()))
                })?;
        out.push(cells);
    }
    Ok(out)
}

fn int_of(obj: &Bound<'_, PyAny>, key: &str) -> PyResult<i64> {
    obj.extract::<i64>()
        .map_err(|e| bad(key, format!("expected an int: {e}")))
}

fn str_of(obj: &Bound<'_, PyAny>, key: &str) -> PyResult<Vec<u8>> {
    if !obj.is_instance_of::<PyString>() {
        return Err(bad(key, format!("expected a str, got {}", type_name(obj))));
    }
    Ok(TextHolder::new(obj, key)?.bytes()?.to_vec())
}

fn ints(plain: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<i64>> {
    items(&field(plain, key)?, key)?
        .iter()
        .enumerate()
        .map(|(i, x)| int_of(x, &format!("{key}[{i}]")))
        .collect()
}

fn strs(plain: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<Vec<u8>>> {
    items(&field(plain, key)?, key)?
        .iter()
        .enumerate()
        .map(|(i, x)| str_of(x, &format!("{key}[{i}]")))
        .collect()
}

fn int_tuples<const N: usize>(plain: &Bound<'_, PyDict>, key: &str) -> PyResult<Vec<[i64; N]>> {
    let mut out = Vec::new();
    for (i, parts) in fixed_rows::<N>(&field(plain, key)?, key, bad)?
        .iter()
        .enumerate()
    {
        let mut row = [0i64; N];
        for (j, p) in parts.iter().enumerate() {
            row[j] = int_of(p, &format!("{key}[{i}][{j}]"))?;
        }
        out.push(row);
    }
    Ok(out)
}

pub(super) fn compiled_from_plain(plain: &Bound<'_, PyDict>) -> PyResult<CompiledWatchlist> {
    let nfb_sets = items(&field(plain, "nfb_sets")?, "nfb_sets")?
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let name = format!("nfb_sets[{i}]");
            items(set, &name)?
                .iter()
                .enumerate()
                .map(|(j, a)| str_of(a, &format!("{name}[{j}]")))
                .collect::<PyResult<Vec<Vec<u8>>>>()
        })
        .collect::<PyResult<Vec<_>>>()?;
    let scalar = |key: &str| -> PyResult<i64> { int_of(&field(plain, key)?, key) };
    let halve = field(plain, "halve_penalty_with_context")?;
    let halve_penalty_with_context = halve.extract::<bool>().map_err(|e| {
        bad(
            "halve_penalty_with_context",
            format!("expected a bool: {e}"),
        )
    })?;
    let shared_tag_companies = items(
        &field(plain, "shared_tag_companies")?,
        "shared_tag_companies",
    )?
    .iter()
    .enumerate()
    .map(|(i, row)| {
        let name = format!("shared_tag_companies[{i}]");
        items(row, &name)?
            .iter()
            .enumerate()
            .map(|(j, c)| int_of(c, &format!("{name}[{j}]")))
            .collect::<PyResult<Vec<i64>>>()
    })
    .collect::<PyResult<Vec<_>>>()?;
    let span_once = field(plain, "span_once")?
        .extract::<bool>()
        .map_err(|e| bad("span_once", format!("expected a bool: {e}")))?;
    Ok(CompiledWatchlist {
        literals: strs(plain, "literals")?,
        units: int_tuples::<6>(plain, "units")?
            .into_iter()
            .map(|[a, b, c, d, e, f]| (a, b, c, d, e, f))
            .collect(),
        cased_literals: strs(plain, "cased_literals")?,
        shared_tags: strs(plain, "shared_tags")?,
        shared_tag_companies,
        shared_tag_target: ints(plain, "shared_tag_target")?,
        span_once,
        relevance_mode: scalar("relevance_mode")?,
        launch_threshold: scalar("launch_threshold")?,
        nfb_sets,
        targets: int_tuples::<4>(plain, "targets")?
            .into_iter()
            .map(|[a, b, c, d]| (a, b, c, d))
            .collect(),
        company_names: strs(plain, "company_names")?,
        company_scores: ints(plain, "company_scores")?,
        company_target: ints(plain, "company_target")?,
        veto_target: ints(plain, "veto_target")?,
        keyword_patterns: strs(plain, "keyword_patterns")?,
        keyword_weights: ints(plain, "keyword_weights")?,
        keyword_target: ints(plain, "keyword_target")?,
        seed_keyword_order: ints(plain, "seed_keyword_order")?,
        exclusion_labels: strs(plain, "exclusion_labels")?,
        exclusion_penalties: ints(plain, "exclusion_penalties")?,
        exclusion_target: ints(plain, "exclusion_target")?,
        context_terms: strs(plain, "context_terms")?,
        context_target: ints(plain, "context_target")?,
        proximity_distance: scalar("proximity_distance")?,
        proximity_boost: scalar("proximity_boost")?,
        relevance_threshold: scalar("relevance_threshold")?,
        halve_penalty_with_context,
    })
}
