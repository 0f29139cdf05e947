//! The pyclass `tgematch._native.Engine`: one compiled watchlist's [`Scanner`], the
//! result classes to build finished results with, and the methods Python calls.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple};

use super::batch::{many, Build};
use super::errors::{not_str, type_name};
use super::plain::compiled_from_plain;
use super::results::{empty_raw_tuple, raw_tuple, ResultTypes};
use super::text::TextHolder;
use crate::core::Scanner;

/// Texts shorter than this (in UTF-8 bytes) are scanned without releasing the GIL: for a
/// tweet the scan takes about as long as handing the GIL to another thread and back, so
/// releasing it would halve single-threaded throughput for no gain. Longer texts, and
/// every batch, are scanned with the GIL released.
const DETACH_MIN_BYTES: usize = 4096;

/// `scan(text)`, with the GIL released when the text is long enough for that to pay.
fn scan_text<R: Send>(py: Python<'_>, text: &[u8], scan: impl FnOnce(&[u8]) -> R + Send) -> R {
    if text.len() < DETACH_MIN_BYTES {
        scan(text)
    } else {
        py.detach(|| scan(text))
    }
}

/// The native matching engine of one compiled watchlist (immutable, thread-safe).
#[pyclass(module = "tgematch._native", frozen)]
pub struct Engine {
    core: Scanner,
    /// The shared raw result of a document in which nothing occurred.
    empty: Py<PyTuple>,
    /// Given at construction: lets `finished`/`finished_many` build result objects.
    results: Option<ResultTypes>,
}

#[pymethods]
impl Engine {
    /// Build the engine from `CompiledWatchlist.to_plain()`.
    #[new]
    #[pyo3(signature = (plain, results = None))]
    fn new(plain: &Bound<'_, PyAny>, results: Option<&Bound<'_, PyAny>>) -> PyResult<Self> {
        let plain = plain.cast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(format!(
                "plain must be a dict (CompiledWatchlist.to_plain()), not {}",
                type_name(plain)
            ))
        })?;
        let compiled = compiled_from_plain(plain)?;
        let py = plain.py();
        let core = py
            .detach(|| Scanner::new(&compiled))
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let results = results.map(|r| ResultTypes::new(r, &core)).transpose()?;
        Ok(Engine {
            core,
            empty: empty_raw_tuple(py)?,
            results,
        })
    }

    /// Every occurrence as `(kind, ref, start, end)`, sorted by (start, end, kind, ref).
    fn find(
        &self,
        py: Python<'_>,
        text: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<(u8, usize, usize, usize)>> {
        let holder = TextHolder::new(text, "text")?;
        let occ = scan_text(py, holder.bytes()?, |t| self.core.find(t));
        Ok(occ
            .into_iter()
            .map(|o| (o.kind, o.reference, o.start, o.end))
            .collect())
    }

    /// Scan and score one text (docs/matching.md §7): the raw analysis tuple (the raw
    /// API `find`/`analyze`/`analyze_many` is the same as `PythonEngine`'s).
    fn analyze<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let holder = TextHolder::new(text, "text")?;
        let a = scan_text(py, holder.bytes()?, |t| self.core.analyze(t));
        raw_tuple(py, &a, &self.empty)
    }

    /// Analyse many texts on `threads` OS threads with the GIL released; results in
    /// input order. The same pipeline as `finished_many`, with raw tuples as results.
    #[pyo3(signature = (texts, threads = 1))]
    fn analyze_many<'py>(
        &self,
        texts: &Bound<'py, PyAny>,
        threads: i64,
    ) -> PyResult<Bound<'py, PyList>> {
        many(
            &self.core,
            texts,
            "texts",
            threads,
            None,
            Build::Raw(&self.empty),
        )
    }

    /// The finished `tgematch.Analysis` of `title + "\n" + text` (`text` alone without a
    /// title), built here from the `results` spec.
    #[pyo3(signature = (text, title = None))]
    fn finished<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        title: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let types = self.result_types()?;
        let holder = match title {
            None => TextHolder::new(text, "text")?,
            Some(title) => {
                let content = text.cast::<PyString>().map_err(|_| not_str("text", text))?;
                let title = title
                    .cast::<PyString>()
                    .map_err(|_| not_str("title", title))?;
                TextHolder::joined(content, title)?
            }
        };
        let a = scan_text(py, holder.bytes()?, |t| self.core.analyze(t));
        types.build(py, &a)
    }

    /// `finished` of many documents, in input order, on `threads` OS threads.
    #[pyo3(signature = (docs, threads = 1, convert = None))]
    fn finished_many<'py>(
        &self,
        docs: &Bound<'py, PyAny>,
        threads: i64,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let types = self.result_types()?;
        many(
            &self.core,
            docs,
            "docs",
            threads,
            convert,
            Build::Typed(types),
        )
    }

    fn __repr__(&self) -> String {
        format!(
            "Engine(literals={}, targets={})",
            self.core.literal_count(),
            self.core.target_count()
        )
    }
}

impl Engine {
    fn result_types(&self) -> PyResult<&ResultTypes> {
        self.results.as_ref().ok_or_else(|| {
            PyValueError::new_err("this Engine was built without results=; use analyze()")
        })
    }
}
