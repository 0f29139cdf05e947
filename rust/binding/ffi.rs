//! Every `unsafe` block of the binding, each with the proof that it is sound. The rest
//! of the binding calls only the safe functions and types here (`#![deny(unsafe_code)]`
//! in `mod.rs` keeps it that way):
//!
//! * [`ResultClass`] and [`new_tuple`]: allocating result tuples (and instances of the
//!   `tgematch.results` tuple subclasses) directly, and untracking them from the cyclic
//!   garbage collector;
//! * [`exact_str_copy`], [`str_length`] and [`code_points`]: reading a `str`'s real
//!   characters at the C level, with no Python code (and no subclass override) involved.

#![allow(unsafe_code)]

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::ffi;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyString, PyTuple, PyType};

/// One of the `tgematch.results` classes, checked to be a tuple subclass defined in
/// Python without a `__dict__`: the classes [`new_tuple`] may allocate instances of.
/// Only [`ResultClass::check`] makes one.
pub(super) struct ResultClass(Py<PyType>);

impl ResultClass {
    /// `cls`, if it is exactly `expected` (the class `tgematch.results.{name}`) and that
    /// class is fit for [`new_tuple`]; otherwise `err(key, why)`.
    ///
    /// `new_tuple` allocates instances itself (`PyType_GenericAlloc`, `n` item slots) and
    /// may untrack them. That is sound only for a tuple subclass defined in Python without
    /// a `__dict__`, and "a heap type" is not enough: a C-defined struct sequence such as
    /// `os.stat_result` is a heap tuple type with hidden fields its deallocator reads. So
    /// the class must be exactly the one `tgematch.results` defines; the checks after
    /// that only guard that module's definitions.
    pub(super) fn check(
        cls: &Bound<'_, PyType>,
        expected: &Bound<'_, PyAny>,
        name: &str,
        key: &str,
        err: fn(&str, String) -> PyErr,
    ) -> PyResult<ResultClass> {
        let py = cls.py();
        if !cls.is(expected) {
            return Err(err(
                key,
                format!(
                    "expected tgematch.results.{name}, got {}",
                    cls.name()
                        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
                ),
            ));
        }
        if !cls.is_subclass_of::<PyTuple>()? {
            return Err(err(key, "expected a subclass of tuple".to_owned()));
        }
        // SAFETY: `cls` is a live type object and the GIL is held (the `Bound` proves
        // both), all that `PyType_GetFlags` requires.
        let flags = unsafe { ffi::PyType_GetFlags(cls.as_ptr().cast()) };
        if flags & ffi::Py_TPFLAGS_HEAPTYPE == 0 {
            return Err(err(key, "expected a class defined in Python".to_owned()));
        }
        if cls
            .getattr(intern!(py, "__dictoffset__"))?
            .extract::<i64>()?
            != 0
        {
            return Err(err(key, "instances must not have a __dict__".to_owned()));
        }
        Ok(ResultClass(cls.clone().unbind()))
    }

    pub(super) fn bind<'py>(&self, py: Python<'py>) -> &Bound<'py, PyType> {
        self.0.bind(py)
    }
}

/// A new tuple of `items`: an exact `tuple`, or an instance of the tuple subclass `cls`
/// built as `tuple.__new__(cls, items)` builds it (no Python `__new__` runs, no argument
/// tuple is made).
///
/// A result holds dozens of tuples. When none of a new tuple's items is tracked by the
/// cyclic garbage collector (ints, strs, bools, tuples untracked here), the tuple cannot
/// be part of a reference cycle and is taken off the collector's lists at once; left
/// tracked, every young-generation collection would traverse it (and, for a tuple
/// subclass, every later collection too: CPython only ever untracks exact tuples), which
/// cost a tenth of a long document's analysis.
pub(super) fn new_tuple<'py>(
    py: Python<'py>,
    cls: Option<&ResultClass>,
    items: impl IntoIterator<Item = Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let miscounted = || PyValueError::new_err("internal error: tuple items miscounted");
    let items = items.into_iter();
    // An exact size hint (arrays, vectors, chains and maps of them) sizes the tuple; the
    // loop below still refuses an iterator whose hint was wrong.
    let len = match items.size_hint() {
        (lo, Some(hi)) if lo == hi => lo,
        _ => return Err(miscounted()),
    };
    let n = ffi::Py_ssize_t::try_from(len)
        .map_err(|_| PyValueError::new_err("too many items for a tuple"))?;
    // SAFETY: the GIL is held (`py`). `PyTuple_New` and `PyType_GenericAlloc` return a new
    // reference or NULL with an exception set; `from_owned_ptr_or_err` takes ownership of
    // the former and turns the latter into an error. `cls` is a `ResultClass`, so a tuple
    // subclass defined in Python without a `__dict__` (see `ResultClass::check`), for
    // which `PyType_GenericAlloc(cls, n)` is exactly its `tp_alloc` (the allocation
    // `tuple.__new__(cls, ...)` makes): zeroed, with `n` item slots, size set, tracked.
    let tuple = unsafe {
        let raw = match cls {
            None => ffi::PyTuple_New(n),
            Some(cls) => ffi::PyType_GenericAlloc(cls.bind(py).as_ptr().cast(), n),
        };
        Bound::from_owned_ptr_or_err(py, raw)?
    };
    let mut leaf = true;
    let mut filled = 0;
    for item in items {
        if filled == len {
            return Err(miscounted());
        }
        // SAFETY: `item` is a live object (a `Bound`, GIL held).
        leaf &= unsafe { ffi::PyObject_GC_IsTracked(item.as_ptr()) } == 0;
        // SAFETY: `tuple` is a tuple (or tuple subclass) of `n` slots that no other code
        // has seen, so its reference count is 1 as `PyTuple_SetItem` requires;
        // `filled < len == n`; the slot steals the item's reference (`into_ptr`). Slots
        // not yet filled are NULL, which a collection or deallocation in between skips.
        if unsafe {
            ffi::PyTuple_SetItem(tuple.as_ptr(), filled as ffi::Py_ssize_t, item.into_ptr())
        } != 0
        {
            return Err(PyErr::fetch(py));
        }
        filled += 1;
    }
    if filled != len {
        // An iterator shorter than it said: the tuple (with NULL slots) never escapes.
        return Err(miscounted());
    }
    if leaf {
        // SAFETY: `tuple` is live and the GIL is held, all that `PyObject_GC_UnTrack`
        // requires. Untracking is sound here: the tuple is immutable, has no `__dict__`
        // that could gain a reference later (the result classes declare `__slots__ = ()`,
        // and an exact tuple has none), and refers only to objects the collector does not
        // track, so no reference cycle can pass through it. CPython applies the same rule
        // to exact tuples itself (`_PyTuple_MaybeUntrack`), only at a later collection.
        unsafe { ffi::PyObject_GC_UnTrack(tuple.as_ptr().cast()) };
    }
    Ok(tuple)
}

/// An exact `str` holding the real characters of `s`, an instance of a `str` subclass
/// (`PyUnicode_FromObject`, which copies them at the C level and calls no Python code).
pub(super) fn exact_str_copy<'py>(s: &Bound<'py, PyString>) -> PyResult<Bound<'py, PyString>> {
    // SAFETY: `s` is a live `str` (subclass) object and the GIL is held (the `Bound`
    // proves both). `PyUnicode_FromObject` returns a new reference to an exact `str`
    // copy of its real characters, or NULL with an exception set, which
    // `from_owned_ptr_or_err` turns into an error.
    let copy =
        unsafe { Bound::from_owned_ptr_or_err(s.py(), ffi::PyUnicode_FromObject(s.as_ptr()))? };
    copy.cast_into::<PyString>()
        .map_err(|_| PyTypeError::new_err("internal error: str copy is not a str"))
}

/// The number of code points of `s`, from the string object itself
/// (`PyUnicode_GetLength`, not `len()`, which a subclass could override).
pub(super) fn str_length(s: &Bound<'_, PyString>) -> PyResult<usize> {
    // SAFETY: `s` is a live `str` and the GIL is held (the `Bound` proves both).
    let n = unsafe { ffi::PyUnicode_GetLength(s.as_ptr()) };
    usize::try_from(n).map_err(|_| {
        PyErr::take(s.py())
            .unwrap_or_else(|| PyValueError::new_err("cannot read the text's length"))
    })
}

/// The code points of `s`, in `buf` (its real characters: `PyUnicode_AsUCS4`, bounded
/// by [`str_length`], neither of which runs Python code).
pub(super) fn code_points<'a>(
    s: &Bound<'_, PyString>,
    buf: &'a mut Vec<u32>,
) -> PyResult<&'a [u32]> {
    let py = s.py();
    // The real length: the number of code points `PyUnicode_AsUCS4` copies below.
    let n = str_length(s)?;
    let buflen =
        ffi::Py_ssize_t::try_from(n).map_err(|_| PyValueError::new_err("text too long"))?;
    buf.clear();
    buf.reserve(n);
    // SAFETY: `s` is a live `str` and the GIL is held (the `Bound` proves both), as the C
    // API requires. `buf` has room for `n` code points, `n` being the string's own length
    // (`PyUnicode_GetLength` on the same object just above, no Python code involved), and
    // we pass `buflen = n` with `copy_null = 0`, so `PyUnicode_AsUCS4` writes at most `n`
    // values, all inside the allocation; a `str` is immutable, so its length cannot
    // change in between. On failure it returns NULL, sets an exception and `buf` stays
    // empty.
    let written = unsafe { ffi::PyUnicode_AsUCS4(s.as_ptr(), buf.as_mut_ptr(), buflen, 0) };
    if written.is_null() {
        return Err(PyErr::take(py)
            .unwrap_or_else(|| PyValueError::new_err("cannot read the text's code points")));
    }
    // SAFETY: on success `PyUnicode_AsUCS4` has written the string's `n` code points (all
    // of them: `buflen` is its exact length) to the start of `buf`, so its first `n`
    // elements are initialised.
    unsafe { buf.set_len(n) };
    Ok(buf)
}
