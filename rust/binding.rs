//! The PyO3 binding `tgematch._native`: converts Python data to the core's plain types
//! and back, and releases the GIL while scanning. No matching logic lives here.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString, PyTuple, PyType};

use crate::core::reuse::with_reused;
use crate::core::text::{push_utf8, utf8_room};
use crate::core::{Analysis, CompiledWatchlist, Scanner, UNICODE_VERSION};

/// Upper bound on the OS threads one `analyze_many` call starts.
const MAX_THREADS: usize = 256;

/// Texts shorter than this (in UTF-8 bytes) are scanned without releasing the GIL: for a
/// tweet the scan takes about as long as handing the GIL to another thread and back, so
/// releasing it would halve single-threaded throughput for no gain. Longer texts, and
/// every `analyze_many` batch, are scanned with the GIL released.
const DETACH_MIN_BYTES: usize = 4096;

/// `scan(text)`, with the GIL released when the text is long enough for that to pay.
fn scan_text<R: Send>(py: Python<'_>, text: &[u8], scan: impl FnOnce(&[u8]) -> R + Send) -> R {
    if text.len() < DETACH_MIN_BYTES {
        scan(text)
    } else {
        py.detach(|| scan(text))
    }
}

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
fn analysis_py<'py>(
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

fn empty_analysis(py: Python<'_>) -> PyResult<Py<PyTuple>> {
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

/// How many finished analyses the converting thread of a parallel batch lets pile up
/// before it takes the GIL to turn them into Python objects (a GIL hand-off costs about
/// as much as converting a few results).
const CONVERT_CHUNK: usize = 32;

/// What the engine needs to build `tgematch.results.Analysis` objects itself: the result
/// classes and, per company, keyword and exclusion rule, the Python values those objects
/// carry. Building them here, rather than from a raw tuple in Python, is most of what
/// a parallel batch can overlap with scanning.
struct ResultTypes {
    analysis: Py<PyType>,
    company_hit: Py<PyType>,
    keyword_hit: Py<PyType>,
    exclusion_hit: Py<PyType>,
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

fn results_error(key: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("malformed results spec: {key}: {msg}"))
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
    fn new(spec: &Bound<'_, PyAny>, core: &Scanner) -> PyResult<ResultTypes> {
        let py = spec.py();
        let spec = spec.cast::<PyDict>().map_err(|_| {
            PyTypeError::new_err(format!("results must be a dict, not {}", type_name(spec)))
        })?;
        let get = |key: &str| -> PyResult<Bound<'_, PyAny>> {
            spec.get_item(key)?
                .ok_or_else(|| results_error(key, "missing key"))
        };
        let results = py.import(intern!(py, "tgematch.results"))?;
        let class = |key: &str, expected: &str| -> PyResult<Py<PyType>> {
            let obj = get(key)?;
            let cls = obj.cast::<PyType>().map_err(|_| {
                results_error(key, format!("expected a class, got {}", type_name(&obj)))
            })?;
            // `new_tuple` allocates instances itself (`PyType_GenericAlloc`, `n` item
            // slots) and may untrack them. That is sound only for a tuple subclass defined
            // in Python without a `__dict__`, and "a heap type" is not enough: a C-defined
            // struct sequence such as `os.stat_result` is a heap tuple type with hidden
            // fields its deallocator reads. So the class must be exactly the one
            // `tgematch.results` defines; the checks after that only guard that module's
            // definitions.
            if !cls.is(&results.getattr(expected)?) {
                return Err(results_error(
                    key,
                    format!(
                        "expected tgematch.results.{expected}, got {}",
                        cls.name()
                            .map_or_else(|_| "?".to_owned(), |n| n.to_string())
                    ),
                ));
            }
            if !cls.is_subclass_of::<PyTuple>()? {
                return Err(results_error(key, "expected a subclass of tuple"));
            }
            // SAFETY: `cls` is a live type object and the GIL is held.
            let flags = unsafe { pyo3::ffi::PyType_GetFlags(cls.as_ptr().cast()) };
            if flags & pyo3::ffi::Py_TPFLAGS_HEAPTYPE == 0 {
                return Err(results_error(key, "expected a class defined in Python"));
            }
            if cls
                .getattr(intern!(py, "__dictoffset__"))?
                .extract::<i64>()?
                != 0
            {
                return Err(results_error(key, "instances must not have a __dict__"));
            }
            Ok(cls.clone().unbind())
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
    fn build<'py>(&self, py: Python<'py>, a: &Analysis) -> PyResult<Bound<'py, PyAny>> {
        if is_empty(a) {
            return Ok(self.empty.bind(py).clone());
        }
        // One hit: the rule's own values from the spec, then (for an exclusion) the
        // penalty applied, then positions and spans.
        let hit = |cls: &Py<PyType>,
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
            new_tuple(py, Some(cls.bind(py)), items)
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
        new_tuple(py, Some(self.analysis.bind(py)), items)
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
///
/// `cls` must be one of the `tgematch.results` classes: tuple subclasses defined in Python
/// without a `__dict__` (checked by `ResultTypes::new`).
fn new_tuple<'py>(
    py: Python<'py>,
    cls: Option<&Bound<'py, PyType>>,
    items: impl IntoIterator<Item = Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    use pyo3::ffi;
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
    // the former and turns the latter into an error. For a Python-defined tuple subclass
    // `cls`, `PyType_GenericAlloc(cls, n)` is exactly its `tp_alloc` (the allocation
    // `tuple.__new__(cls, ...)` makes): zeroed, with `n` item slots, size set, tracked.
    let tuple = unsafe {
        let raw = match cls {
            None => ffi::PyTuple_New(n),
            Some(cls) => ffi::PyType_GenericAlloc(cls.as_ptr().cast(), n),
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

/// The generalized UTF-8 bytes of a text for the duration of a call.
///
/// An ASCII `str` is read in place. Any other `str` is copied out as code points
/// (`PyUnicode_AsUCS4`) and encoded here, lone surrogates included (as
/// `surrogatepass` would), rather than through `PyUnicode_AsUTF8AndSize`, which would
/// keep a UTF-8 copy inside the caller's string for its whole lifetime (and make a second
/// scan of the same object look cheaper than the first, which is not what a scraper
/// sees), or `str.encode`, whose per-character encoder is slower than widening plus this.
enum TextHolder<'py> {
    /// An ASCII string: its own bytes are UTF-8.
    Ascii(ExactStr<'py>),
    /// A non-ASCII string encoded, or `title + "\n" + content` joined here.
    Owned(Vec<u8>),
}

/// A text as the reader sees it: an exact `str`, never an instance of a subclass.
///
/// A `str` subclass can override every protocol (`__len__`, `isascii`, `__iter__`,
/// `__str__`, ...), and the reader uses a length as the bound of raw memory
/// (`read_code_points`). So every text is first turned into an exact `str` holding the
/// subclass instance's real characters (`PyUnicode_FromObject`, which copies them at the
/// C level and calls no Python code); only this type reaches the reader, so no value a
/// subclass computes can ever bound a buffer or decide what is read.
struct ExactStr<'py>(Bound<'py, PyString>);

impl<'py> ExactStr<'py> {
    fn of(s: &Bound<'py, PyString>) -> PyResult<ExactStr<'py>> {
        if s.is_exact_instance_of::<PyString>() {
            return Ok(ExactStr(s.clone()));
        }
        // SAFETY: `s` is a live `str` (subclass) object and the GIL is held (the `Bound`
        // proves both). `PyUnicode_FromObject` returns a new reference to an exact `str`
        // copy of its real characters, or NULL with an exception set, which
        // `from_owned_ptr_or_err` turns into an error.
        let copy = unsafe {
            Bound::from_owned_ptr_or_err(s.py(), pyo3::ffi::PyUnicode_FromObject(s.as_ptr()))?
        };
        let copy = copy
            .cast_into::<PyString>()
            .map_err(|_| PyTypeError::new_err("internal error: str copy is not a str"))?;
        if !copy.is_exact_instance_of::<PyString>() {
            return Err(PyTypeError::new_err(
                "internal error: str copy is not exact",
            ));
        }
        Ok(ExactStr(copy))
    }

    /// The number of code points, from the string object itself (`PyUnicode_GetLength`,
    /// not `len()`, which a subclass could override; here the type is exact anyway).
    fn char_count(&self) -> PyResult<usize> {
        // SAFETY: `self.0` is a live `str` and the GIL is held (the `Bound`).
        let n = unsafe { pyo3::ffi::PyUnicode_GetLength(self.0.as_ptr()) };
        usize::try_from(n).map_err(|_| {
            PyErr::take(self.0.py())
                .unwrap_or_else(|| PyValueError::new_err("cannot read the text's length"))
        })
    }

    /// Whether the text is ASCII (`str.isascii`, which reads a flag CPython keeps; an
    /// exact `str` cannot override it).
    fn is_ascii(&self) -> PyResult<bool> {
        self.0
            .call_method0(intern!(self.0.py(), "isascii"))?
            .is_truthy()
    }
}

/// Appends the generalized UTF-8 of `s` to `out`.
fn append_str(s: &ExactStr<'_>, out: &mut Vec<u8>) -> PyResult<()> {
    if s.is_ascii()? {
        out.extend_from_slice(s.0.to_str()?.as_bytes());
        return Ok(());
    }
    append_code_points(s, out)
}

/// A thread keeps its code point buffer while it holds at most this many (1 MB).
const CODE_POINTS_KEEP: usize = 1 << 18;

thread_local! {
    /// The code points of the text being read, reused from one text to the next.
    static CODE_POINTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Appends the generalized UTF-8 of `s`, read as code points, to `out`.
fn append_code_points(s: &ExactStr<'_>, out: &mut Vec<u8>) -> PyResult<()> {
    with_reused(
        &CODE_POINTS,
        |cps| cps.capacity() > CODE_POINTS_KEEP,
        |cps| read_code_points(s, cps).map(|cps| push_utf8(cps, out)),
    )
}

/// The code points of `s`, in `buf`.
fn read_code_points<'a>(s: &ExactStr<'_>, buf: &'a mut Vec<u32>) -> PyResult<&'a [u32]> {
    let py = s.0.py();
    // The real length: the number of code points `PyUnicode_AsUCS4` copies below.
    let n = s.char_count()?;
    let buflen =
        pyo3::ffi::Py_ssize_t::try_from(n).map_err(|_| PyValueError::new_err("text too long"))?;
    buf.clear();
    buf.reserve(n);
    // SAFETY: `s` is a live exact `str` and the GIL is held (the `Bound` proves both), as
    // the C API requires. `buf` has room for `n` code points, `n` being the string's own
    // length (`PyUnicode_GetLength`, no Python code involved), and we pass `buflen = n`
    // with `copy_null = 0`, so `PyUnicode_AsUCS4` writes at most `n` values, all inside
    // the allocation; a `str` is immutable, so its length cannot change in between. On
    // failure it returns NULL, sets an exception and `buf` stays empty.
    let written = unsafe { pyo3::ffi::PyUnicode_AsUCS4(s.0.as_ptr(), buf.as_mut_ptr(), buflen, 0) };
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

/// One element of a batch, as text.
enum Doc<'py> {
    Text(ExactStr<'py>),
    /// `(content, title)`, scanned as `title + "\n" + content`.
    Titled(ExactStr<'py>, ExactStr<'py>),
}

impl<'py> Doc<'py> {
    /// A `str`, or a `(content, title)` pair of `str` and `str | None`; anything else
    /// goes through `convert(doc, index)`, which returns the text or raises the error
    /// that names the element.
    fn of(
        doc: &Bound<'py, PyAny>,
        index: usize,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Doc<'py>> {
        if let Ok(s) = doc.cast::<PyString>() {
            return Ok(Doc::Text(ExactStr::of(s)?));
        }
        if let Ok(pair) = doc.cast::<PyTuple>() {
            if pair.len() == 2 {
                let (content, title) = (pair.get_item(0)?, pair.get_item(1)?);
                if let Ok(content) = content.cast_into::<PyString>() {
                    if title.is_none() {
                        return Ok(Doc::Text(ExactStr::of(&content)?));
                    }
                    if let Ok(title) = title.cast_into::<PyString>() {
                        return Ok(Doc::Titled(ExactStr::of(&content)?, ExactStr::of(&title)?));
                    }
                }
            }
        }
        let (obj, what) = match convert {
            Some(f) => (f.call1((doc, index))?, "docs"),
            None => (doc.clone(), "texts"),
        };
        let s = obj.cast_into::<PyString>().map_err(|e| {
            let obj = e.into_inner();
            PyTypeError::new_err(format!(
                "{what}[{index}] must be str, not {}",
                type_name(&obj)
            ))
        })?;
        Ok(Doc::Text(ExactStr::of(&s)?))
    }

    /// Room for the text: at least what [`Doc::append_to`] asks to reserve for it (so a
    /// buffer with this much room never grows while the text is appended).
    fn size_hint(&self) -> PyResult<usize> {
        let room = |s: &ExactStr<'_>| s.char_count().map(utf8_room);
        Ok(match self {
            Doc::Text(s) => room(s)?,
            Doc::Titled(content, title) => room(title)? + 1 + room(content)?,
        })
    }

    /// Appends the document's generalized UTF-8 text to `out`.
    fn append_to(&self, out: &mut Vec<u8>) -> PyResult<()> {
        match self {
            Doc::Text(s) => append_str(s, out),
            Doc::Titled(content, title) => {
                append_str(title, out)?;
                out.push(b'\n');
                append_str(content, out)
            }
        }
    }
}

impl<'py> TextHolder<'py> {
    /// The text of argument `what`, which must be a `str`.
    fn new(obj: &Bound<'py, PyAny>, what: &str) -> PyResult<TextHolder<'py>> {
        let s = obj.cast::<PyString>().map_err(|_| {
            PyTypeError::new_err(format!("{what} must be str, not {}", type_name(obj)))
        })?;
        Self::of_str(ExactStr::of(s)?)
    }

    fn of_str(s: ExactStr<'py>) -> PyResult<TextHolder<'py>> {
        if s.is_ascii()? {
            return Ok(TextHolder::Ascii(s));
        }
        let mut out = Vec::new();
        append_code_points(&s, &mut out)?;
        Ok(TextHolder::Owned(out))
    }

    /// `title + "\n" + content`.
    fn joined(content: &Bound<'py, PyString>, title: &Bound<'py, PyString>) -> PyResult<Self> {
        let mut out = Vec::new();
        Doc::Titled(ExactStr::of(content)?, ExactStr::of(title)?).append_to(&mut out)?;
        Ok(TextHolder::Owned(out))
    }

    /// The text of one element of a batch (see [`Doc::of`]).
    fn document(
        doc: &Bound<'py, PyAny>,
        index: usize,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<TextHolder<'py>> {
        match Doc::of(doc, index, convert)? {
            Doc::Text(s) => Self::of_str(s),
            titled @ Doc::Titled(..) => {
                let mut out = Vec::new();
                titled.append_to(&mut out)?;
                Ok(TextHolder::Owned(out))
            }
        }
    }

    fn bytes(&self) -> PyResult<&[u8]> {
        match self {
            TextHolder::Ascii(s) => Ok(s.0.to_str()?.as_bytes()),
            TextHolder::Owned(v) => Ok(v),
        }
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |n| n.to_string())
}

fn bad(key: &str, msg: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(format!("malformed compiled watchlist: {key}: {msg}"))
}

fn field<'py>(plain: &Bound<'py, PyDict>, key: &str) -> PyResult<Bound<'py, PyAny>> {
    plain.get_item(key)?.ok_or_else(|| bad(key, "missing key"))
}

/// The items of a list or tuple.
fn items<'py>(obj: &Bound<'py, PyAny>, key: &str) -> PyResult<Vec<Bound<'py, PyAny>>> {
    sequence(obj, key, bad)
}

/// The items of `obj`, which must be a list or tuple; `err(entry, message)` otherwise.
fn sequence<'py>(
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
fn fixed_rows<'py, const N: usize>(
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

fn compiled_from_plain(plain: &Bound<'_, PyDict>) -> PyResult<CompiledWatchlist> {
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

/// The native matching engine of one compiled watchlist (immutable, thread-safe).
#[pyclass(module = "tgematch._native", frozen)]
pub struct Engine {
    core: Scanner,
    /// The shared raw result of a document in which nothing occurred.
    empty: Py<PyTuple>,
    /// Given at construction: lets `analysis`/`analysis_many` build result objects.
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
            empty: empty_analysis(py)?,
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

    /// Scan and score one text (docs/matching.md §7): the raw analysis tuple.
    fn analyze<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let holder = TextHolder::new(text, "text")?;
        let a = scan_text(py, holder.bytes()?, |t| self.core.analyze(t));
        analysis_py(py, &a, &self.empty)
    }

    /// Analyse many texts on `threads` OS threads with the GIL released; results in
    /// input order. The same pipeline as `analysis_many`, with raw tuples as results.
    #[pyo3(signature = (texts, threads = 1))]
    fn analyze_many<'py>(
        &self,
        texts: &Bound<'py, PyAny>,
        threads: i64,
    ) -> PyResult<Bound<'py, PyList>> {
        self.many(texts, "texts", threads, None, Build::Raw(&self.empty))
    }

    #[pyo3(signature = (text, title = None))]
    fn analysis<'py>(
        &self,
        py: Python<'py>,
        text: &Bound<'py, PyAny>,
        title: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let types = self.result_types()?;
        let holder = match title {
            None => TextHolder::new(text, "text")?,
            Some(title) => {
                let content = text.cast::<PyString>().map_err(|_| {
                    PyTypeError::new_err(format!("text must be str, not {}", type_name(text)))
                })?;
                let title = title.cast::<PyString>().map_err(|_| {
                    PyTypeError::new_err(format!("title must be str, not {}", type_name(title)))
                })?;
                TextHolder::joined(content, title)?
            }
        };
        let a = scan_text(py, holder.bytes()?, |t| self.core.analyze(t));
        types.build(py, &a)
    }

    #[pyo3(signature = (docs, threads = 1, convert = None))]
    fn analysis_many<'py>(
        &self,
        docs: &Bound<'py, PyAny>,
        threads: i64,
        convert: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let types = self.result_types()?;
        self.many(docs, "docs", threads, convert, Build::Typed(types))
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
    /// `analyze_many` and `analysis_many`: one result per document of `docs`, built by
    /// `build`, in input order.
    fn many<'py>(
        &self,
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
            let results = py.detach(|| {
                slices
                    .iter()
                    .map(|t| self.core.analyze(t))
                    .collect::<Vec<_>>()
            });
            let out = results
                .iter()
                .map(|a| build.build(py, a))
                .collect::<PyResult<Vec<_>>>()?;
            return PyList::new(py, out);
        }
        let out = PyList::new(py, (0..n).map(|_| py.None()))?;
        let batch = Batch {
            core: &self.core,
            build,
            docs: docs.clone().unbind(),
            convert: convert.map(|c| c.clone().unbind()),
            out: out.clone().unbind(),
            n,
        };
        py.detach(|| batch.run(threads))?;
        Ok(out)
    }

    fn result_types(&self) -> PyResult<&ResultTypes> {
        self.results.as_ref().ok_or_else(|| {
            PyValueError::new_err("this Engine was built without results=; use analyze()")
        })
    }
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

/// Threads worth starting for `n` texts.
fn thread_count(threads: i64, n: usize) -> usize {
    usize::try_from(threads)
        .unwrap_or(MAX_THREADS)
        .min(MAX_THREADS)
        .min(n)
}

/// What a batch turns each finished scan into.
#[derive(Clone, Copy)]
enum Build<'a> {
    /// The raw analysis tuple (`Engine.analyze_many`), sharing the empty one.
    Raw(&'a Py<PyTuple>),
    /// The finished `Analysis` (`Engine.analysis_many`).
    Typed(&'a ResultTypes),
}

impl Build<'_> {
    fn build<'py>(&self, py: Python<'py>, a: &Analysis) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Build::Raw(empty) => analysis_py(py, a, empty),
            Build::Typed(types) => types.build(py, a),
        }
    }
}

/// A parallel batch (`analyze_many`, `analysis_many`): `n` documents of `docs` in, one
/// result per document (built by `build`) stored at its index of `out`.
///
/// Three kinds of work: reading a document's text (needs the GIL: type checks, encoding,
/// joining a title), scanning it (no GIL), and building its `Analysis` (GIL). Workers
/// only scan. This thread does all the GIL work, in chunks, and scans whenever it has
/// nothing else to do, so reading and building overlap with scanning instead of coming
/// before and after it; the GIL is held only for those chunks.
struct Batch<'a> {
    core: &'a Scanner,
    build: Build<'a>,
    docs: Py<PyAny>,
    convert: Option<Py<PyAny>>,
    out: Py<PyList>,
    n: usize,
}

/// Documents read ahead of the scanners, per thread: enough that a scanner never runs
/// dry while this thread reads or builds a chunk.
const READ_AHEAD: usize = 128;

/// Documents read per GIL hold.
const READ_CHUNK: usize = 64;

/// Documents a worker claims at a time (and hands over together).
const WORKER_CLAIM: usize = 8;

/// Documents the reading thread claims at a time when it scans (fewer than a worker: it
/// must come back soon to read and build).
const MAIN_CLAIM: usize = 4;

/// A value alone on its cache line: the counters below are written by different threads
/// for every document, and sharing a line would make each write stall the other thread.
#[repr(align(128))]
struct Padded<T>(T);

impl<T> std::ops::Deref for Padded<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

/// What the threads of a [`Batch`] share.
struct Shared {
    /// The texts of each run of `READ_CHUNK` documents, set once by the reading thread.
    chunks: Vec<OnceLock<Chunk>>,
    /// How many documents (a prefix) have their text.
    read: Padded<AtomicUsize>,
    /// The next document to scan (may run past `n`).
    next: Padded<AtomicUsize>,
    /// Set when reading failed: everyone stops.
    abort: AtomicBool,
    /// Finished scans waiting to be built.
    ready: Padded<Mutex<Vec<(usize, Analysis)>>>,
    /// `ready.len()`, readable without the lock.
    ready_count: Padded<AtomicUsize>,
    /// Scanners wait here for texts.
    wait: (Mutex<()>, Condvar),
}

impl Shared {
    /// The queue of finished scans (a panic elsewhere cannot leave it half-written: it
    /// only ever sees `append` and `take`, so a poisoned lock is still usable).
    fn ready(&self) -> std::sync::MutexGuard<'_, Vec<(usize, Analysis)>> {
        self.ready
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn push_ready(&self, done: &mut Vec<(usize, Analysis)>) {
        if done.is_empty() {
            return;
        }
        let mut v = self.ready();
        v.append(done);
        self.ready_count.store(v.len(), Ordering::Release);
    }

    fn take_ready(&self) -> Vec<(usize, Analysis)> {
        let mut v = self.ready();
        self.ready_count.store(0, Ordering::Release);
        std::mem::take(&mut *v)
    }

    fn ready_len(&self) -> usize {
        self.ready_count.load(Ordering::Acquire)
    }

    fn wake_all(&self) {
        // Taking the lock orders this wake-up after a waiter's check of `read`.
        drop(self.wait.0.lock());
        self.wait.1.notify_all();
    }

    /// Blocks until document `i` has its text (`Some`) or the batch is aborted (`None`).
    fn text(&self, i: usize) -> Option<&[u8]> {
        if self.read.load(Ordering::Acquire) > i {
            return self.read_text(i);
        }
        let mut guard = self.wait.0.lock().ok()?;
        while self.read.load(Ordering::Acquire) <= i && !self.abort.load(Ordering::Acquire) {
            guard = self.wait.1.wait(guard).ok()?;
        }
        drop(guard);
        if self.abort.load(Ordering::Acquire) {
            return None;
        }
        self.read_text(i)
    }

    /// The text of document `i`, if its chunk has been read.
    fn read_text(&self, i: usize) -> Option<&[u8]> {
        self.chunks.get(i / READ_CHUNK)?.get()?.text(i % READ_CHUNK)
    }
}

/// The texts of up to `READ_CHUNK` consecutive documents in one buffer: one allocation
/// per chunk instead of one per document (allocating and freeing a vector per tweet was a
/// tenth of a parallel batch).
#[derive(Default)]
struct Chunk {
    bytes: Vec<u8>,
    /// `bytes[ends[j - 1]..ends[j]]` is the text of the chunk's document `j`.
    ends: Vec<usize>,
}

impl Chunk {
    fn text(&self, j: usize) -> Option<&[u8]> {
        let start = if j == 0 { 0 } else { *self.ends.get(j - 1)? };
        self.bytes.get(start..*self.ends.get(j)?)
    }
}

impl Batch<'_> {
    fn run(&self, threads: usize) -> PyResult<()> {
        let n = self.n;
        let shared = Shared {
            chunks: (0..n.div_ceil(READ_CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            read: Padded(AtomicUsize::new(0)),
            next: Padded(AtomicUsize::new(0)),
            abort: AtomicBool::new(false),
            ready: Padded(Mutex::new(Vec::new())),
            ready_count: Padded(AtomicUsize::new(0)),
            wait: (Mutex::new(()), Condvar::new()),
        };
        let mut filled = vec![false; n];
        let mut failure: Option<PyErr> = None;
        std::thread::scope(|scope| {
            let worker = || {
                let mut done = Vec::with_capacity(WORKER_CLAIM);
                'claims: loop {
                    // A few documents per claim: the counter's cache line moves between
                    // cores on every claim, which costs about as much as a short scan.
                    let first = shared.next.fetch_add(WORKER_CLAIM, Ordering::Relaxed);
                    if first >= n {
                        break;
                    }
                    for i in first..n.min(first + WORKER_CLAIM) {
                        let Some(text) = shared.text(i) else {
                            break 'claims;
                        };
                        done.push((i, self.core.analyze(text)));
                    }
                    shared.push_ready(&mut done);
                }
                shared.push_ready(&mut done);
            };
            let handles: Vec<_> = (1..threads)
                .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
                .collect();
            let lead = READ_AHEAD * threads;
            let mut mine = Vec::new();
            'lead: loop {
                let read = shared.read.load(Ordering::Acquire);
                let claimed = shared.next.load(Ordering::Relaxed);
                if read < n && read < claimed + lead {
                    // Read the next chunk (and build what is waiting while holding the GIL).
                    let upto = n.min(read + READ_CHUNK);
                    let mut batch = shared.take_ready();
                    batch.append(&mut mine);
                    match self.read_and_build(&shared, read, upto, batch, &mut filled) {
                        Ok(()) => shared.read.store(upto, Ordering::Release),
                        Err(e) => {
                            failure = Some(e);
                            shared.abort.store(true, Ordering::Release);
                        }
                    }
                    shared.wake_all();
                    if failure.is_some() {
                        break;
                    }
                    continue;
                }
                if mine.len() + shared.ready_len() >= CONVERT_CHUNK {
                    let mut batch = shared.take_ready();
                    batch.append(&mut mine);
                    if let Err(e) = self.read_and_build(&shared, read, read, batch, &mut filled) {
                        failure = Some(e);
                        shared.abort.store(true, Ordering::Release);
                        shared.wake_all();
                        break;
                    }
                    continue;
                }
                // Scan a document ourselves, if one is read and unclaimed. Only a read one:
                // this thread is the only reader, so it must never wait for a text.
                if claimed >= n {
                    break;
                }
                if claimed >= read {
                    continue;
                }
                let upto = read.min(claimed + MAIN_CLAIM);
                if shared
                    .next
                    .compare_exchange(claimed, upto, Ordering::Relaxed, Ordering::Relaxed)
                    .is_err()
                {
                    continue;
                }
                for i in claimed..upto {
                    match shared.text(i) {
                        Some(text) => mine.push((i, self.core.analyze(text))),
                        None => break 'lead,
                    }
                }
            }
            for h in handles {
                let _ = h.join();
            }
            if failure.is_none() {
                let mut batch = shared.take_ready();
                batch.append(&mut mine);
                if let Err(e) = self.read_and_build(&shared, n, n, batch, &mut filled) {
                    failure = Some(e);
                }
            }
        });
        if let Some(e) = failure {
            return Err(e);
        }
        // A document a worker took but never returned (a worker cannot panic, but if one
        // did) is scanned again here: no result is lost.
        let missing: Vec<(usize, Analysis)> = (0..n)
            .filter(|&i| !filled[i])
            .filter_map(|i| Some((i, self.core.analyze(shared.read_text(i)?))))
            .collect();
        self.read_and_build(&shared, n, n, missing, &mut filled)
    }

    /// With the GIL: reads documents `from..upto` (none, or the chunk that starts at
    /// `from`) into `shared.chunks`, then builds the `Analysis` of each finished scan in
    /// `done` into `out`.
    fn read_and_build(
        &self,
        shared: &Shared,
        from: usize,
        upto: usize,
        done: Vec<(usize, Analysis)>,
        filled: &mut [bool],
    ) -> PyResult<()> {
        if from >= upto && done.is_empty() {
            return Ok(());
        }
        Python::attach(|py| {
            let docs = self.docs.bind(py);
            let convert = self.convert.as_ref().map(|c| c.bind(py));
            if from < upto {
                debug_assert!(from % READ_CHUNK == 0 && upto - from <= READ_CHUNK);
                let mut parsed = Vec::with_capacity(upto - from);
                for i in from..upto {
                    parsed.push(Doc::of(&batch_item(docs, i)?, i, convert)?);
                }
                // One allocation of the right size: growing the buffer while appending
                // 64 articles copied it over and over (twice the chunk's size in all).
                let mut size = 0;
                for doc in &parsed {
                    size += doc.size_hint()?;
                }
                let mut chunk = Chunk {
                    bytes: Vec::with_capacity(size),
                    ends: Vec::with_capacity(upto - from),
                };
                for doc in &parsed {
                    doc.append_to(&mut chunk.bytes)?;
                    chunk.ends.push(chunk.bytes.len());
                }
                if let Some(slot) = shared.chunks.get(from / READ_CHUNK) {
                    let _ = slot.set(chunk);
                }
            }
            let out = self.out.bind(py);
            for (i, a) in &done {
                out.set_item(*i, self.build.build(py, a)?)?;
                filled[*i] = true;
            }
            Ok(())
        })
    }
}

/// The native engine of tgematch.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Engine>()?;
    m.add("UNICODE_VERSION", UNICODE_VERSION)?;
    Ok(())
}
