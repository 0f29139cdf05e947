//! The Python-facing half of a batch (`Engine.analyze_many`, `Engine.finished_many`):
//! checking and reading the batch, and building each result. One thread scans the batch
//! itself with the GIL released; more go through [`crate::core::batch::run`], whose
//! [`Host`] steps (reading a chunk of documents, building finished results) are the only
//! places the GIL is taken again.

use std::ops::Range;

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};

use super::errors::type_name;
use super::results::{raw_tuple, ResultTypes};
use super::text::{Doc, TextHolder};
use crate::core::batch::{run, thread_count, Chunk, Host};
use crate::core::{Analysis, Scanner};

/// What a batch turns each finished scan into.
#[derive(Clone, Copy)]
pub(super) enum Build<'a> {
    /// The raw analysis tuple (`Engine.analyze_many`), sharing the empty one.
    Raw(&'a Py<PyTuple>),
    /// The finished `Analysis` (`Engine.finished_many`).
    Typed(&'a ResultTypes),
}

impl Build<'_> {
    fn build<'py>(&self, py: Python<'py>, a: &Analysis) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Build::Raw(empty) => raw_tuple(py, a, empty),
            Build::Typed(types) => types.build(py, a),
        }
    }
}

/// One result per document of `docs` (argument `name`), built by `build`, in input
/// order, scanned by `core` on `threads` threads.
pub(super) fn many<'py>(
    core: &Scanner,
    docs: &Bound<'py, PyAny>,
    name: &str,
    threads: i64,
    convert: Option<&Bound<'py, PyAny>>,
    build: Build<'_>,
) -> PyResult<Bound<'py, PyList>> {
    let py = docs.py();
    check_batch(docs, threads, name)?;
    let n = batch_len(docs)?;
    let threads = thread_count(threads, n);
    if threads <= 1 {
        let holders = (0..n)
            .map(|i| TextHolder::document(&batch_item(docs, i)?, i, convert))
            .collect::<PyResult<Vec<_>>>()?;
        let slices = holders
            .iter()
            .map(TextHolder::bytes)
            .collect::<PyResult<Vec<&[u8]>>>()?;
        let results = py.detach(|| slices.iter().map(|t| core.analyze(t)).collect::<Vec<_>>());
        let out = results
            .iter()
            .map(|a| build.build(py, a))
            .collect::<PyResult<Vec<_>>>()?;
        return PyList::new(py, out);
    }
    let out = PyList::new(py, (0..n).map(|_| py.None()))?;
    let mut host = PyHost {
        build,
        docs: docs.clone().unbind(),
        convert: convert.map(|c| c.clone().unbind()),
        out: out.clone().unbind(),
    };
    py.detach(|| run(n, threads, &|t: &[u8]| core.analyze(t), &mut host))?;
    Ok(out)
}

/// `threads >= 1`, and the batch is a list or tuple.
fn check_batch(batch: &Bound<'_, PyAny>, threads: i64, name: &str) -> PyResult<()> {
    if threads < 1 {
        return Err(PyValueError::new_err(format!(
            "threads must be at least 1, not {threads}"
        )));
    }
    if !(batch.is_instance_of::<PyList>() || batch.is_instance_of::<PyTuple>()) {
        return Err(PyTypeError::new_err(format!(
            "{name} must be a list or tuple, not {}",
            type_name(batch)
        )));
    }
    Ok(())
}

/// The number of elements of a batch (a list or tuple, see [`check_batch`]): the
/// object's own size, never `len()`, which a subclass could override (the threaded and the
/// serial paths then read different elements, or a wrong count of them).
fn batch_len(batch: &Bound<'_, PyAny>) -> PyResult<usize> {
    if let Ok(list) = batch.cast::<PyList>() {
        return Ok(list.len());
    }
    match batch.cast::<PyTuple>() {
        Ok(tuple) => Ok(tuple.len()),
        Err(_) => Err(PyTypeError::new_err(
            "internal error: a batch is a list or tuple",
        )),
    }
}

/// Element `i` of a batch: the list or tuple's own item (no `__getitem__` or `__iter__`
/// of a subclass; and `PyObject_GetItem` would box `i`).
fn batch_item<'py>(batch: &Bound<'py, PyAny>, i: usize) -> PyResult<Bound<'py, PyAny>> {
    if let Ok(list) = batch.cast::<PyList>() {
        return list.get_item(i);
    }
    match batch.cast::<PyTuple>() {
        Ok(tuple) => tuple.get_item(i),
        Err(_) => Err(PyTypeError::new_err(
            "internal error: a batch is a list or tuple",
        )),
    }
}

/// The GIL side of a parallel batch: the documents in, one result per document stored
/// at its index of `out`.
struct PyHost<'a> {
    build: Build<'a>,
    docs: Py<PyAny>,
    convert: Option<Py<PyAny>>,
    out: Py<PyList>,
}

impl Host<Analysis> for PyHost<'_> {
    type Error = PyErr;

    /// With the GIL: reads documents `read` into a chunk, then builds the result of each
    /// finished scan in `done` into `out`.
    fn step(&mut self, read: Range<usize>, done: Vec<(usize, Analysis)>) -> PyResult<Chunk> {
        Python::attach(|py| {
            let docs = self.docs.bind(py);
            let convert = self.convert.as_ref().map(|c| c.bind(py));
            let mut chunk = Chunk::default();
            if !read.is_empty() {
                let mut parsed = Vec::with_capacity(read.len());
                for i in read.clone() {
                    parsed.push(Doc::of(&batch_item(docs, i)?, i, convert)?);
                }
                // One allocation of the right size: growing the buffer while appending
                // 64 articles copied it over and over (twice the chunk's size in all).
                let mut size = 0;
                for doc in &parsed {
                    size += doc.size_hint()?;
                }
                chunk = Chunk::with_capacity(size, read.len());
                for doc in &parsed {
                    chunk.push(|out| doc.append_to(out))?;
                }
            }
            let out = self.out.bind(py);
            for (i, a) in &done {
                out.set_item(*i, self.build.build(py, a)?)?;
            }
            Ok(chunk)
        })
    }
}
