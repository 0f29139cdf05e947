//! Tests of [`super::run`]: every document scanned and delivered exactly once, reads in
//! order and in whole chunks, work spread over the threads, and the error paths (a host
//! that fails while reading, while delivering or at the last step; a scan that panics on
//! a worker).

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Mutex;
use std::thread::ThreadId;

use super::{run, thread_count, Chunk, Host, DELIVER_CHUNK, MAX_THREADS, READ_AHEAD, READ_CHUNK};

/// A host whose document `i` has the text `i` (decimal) and that records every step.
#[derive(Default)]
struct Recorder {
    /// The `read` range of every step that read.
    reads: Vec<Range<usize>>,
    /// The result delivered for each document.
    got: Vec<Option<usize>>,
    /// A document delivered twice.
    duplicate: Option<usize>,
    steps: usize,
    /// Fail at this step (counted from 1).
    fail_at: Option<usize>,
    /// Fail at the first step that reads from this document.
    fail_reading: Option<usize>,
    /// Fail at the first step that delivers without reading.
    fail_delivering: bool,
    /// A step came after an error.
    step_after_error: bool,
    failed: bool,
}

impl Recorder {
    fn new(n: usize) -> Recorder {
        Recorder {
            got: vec![None; n],
            ..Recorder::default()
        }
    }
}

impl Host<usize> for Recorder {
    type Error = String;

    fn step(&mut self, read: Range<usize>, done: Vec<(usize, usize)>) -> Result<Chunk, String> {
        if self.failed {
            self.step_after_error = true;
        }
        self.steps += 1;
        let fail = self.fail_at == Some(self.steps)
            || (!read.is_empty() && self.fail_reading == Some(read.start))
            || (read.is_empty() && !done.is_empty() && self.fail_delivering);
        if fail {
            self.failed = true;
            return Err(format!("step {} failed", self.steps));
        }
        let mut chunk = Chunk::with_capacity(4 * read.len(), read.len());
        for i in read.clone() {
            chunk.push(|out| {
                out.extend_from_slice(i.to_string().as_bytes());
                Ok::<(), String>(())
            })?;
        }
        if !read.is_empty() {
            self.reads.push(read);
        }
        for (i, r) in done {
            if self.got[i].replace(r).is_some() {
                self.duplicate = Some(i);
            }
        }
        Ok(chunk)
    }
}

fn parse(text: &[u8]) -> usize {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(usize::MAX)
}

/// Runs a batch of `n` documents on `threads` threads; the host and the result.
fn batch(n: usize, threads: usize, host: Recorder) -> (Recorder, Result<(), String>) {
    let mut host = host;
    let result = run(n, threads, &parse, &mut host);
    (host, result)
}

#[test]
fn every_document_is_delivered_once_with_its_own_result() {
    for n in [0, 1, 2, 31, 63, 64, 65, 200, 1000, 4099] {
        for threads in [1, 2, 3, 4, 8] {
            let (host, result) = batch(n, threads.min(n.max(1)), Recorder::new(n));
            assert_eq!(result, Ok(()), "n={n} threads={threads}");
            assert_eq!(host.duplicate, None, "n={n} threads={threads}");
            let expected: Vec<Option<usize>> = (0..n).map(Some).collect();
            assert_eq!(host.got, expected, "n={n} threads={threads}");
        }
    }
}

#[test]
fn documents_are_read_in_order_in_whole_chunks() {
    for n in [1, 64, 65, 1000] {
        for threads in [1, 4] {
            let (host, result) = batch(n, threads, Recorder::new(n));
            assert_eq!(result, Ok(()));
            let expected: Vec<Range<usize>> = (0..n.div_ceil(READ_CHUNK))
                .map(|k| k * READ_CHUNK..n.min((k + 1) * READ_CHUNK))
                .collect();
            assert_eq!(host.reads, expected, "n={n} threads={threads}");
        }
    }
}

#[test]
fn one_thread_reads_ahead_then_delivers_in_chunks() {
    // With no worker, the calling thread reads `READ_AHEAD` documents, then scans and
    // delivers `DELIVER_CHUNK` at a time, reading the next chunk as the scans catch up.
    let n = 1000;
    let (host, result) = batch(n, 1, Recorder::new(n));
    assert_eq!(result, Ok(()));
    // Every step reads a chunk or delivers at least `DELIVER_CHUNK` results, but for the
    // last one: far fewer steps than documents.
    assert!(host.steps <= n.div_ceil(READ_CHUNK) + n.div_ceil(DELIVER_CHUNK) + 1);
    const { assert!(READ_AHEAD >= READ_CHUNK) };
}

#[test]
fn the_work_is_spread_over_the_threads() {
    let seen = Mutex::new(HashSet::<ThreadId>::new());
    let slow = |text: &[u8]| {
        std::thread::sleep(std::time::Duration::from_micros(200));
        if let Ok(mut s) = seen.lock() {
            s.insert(std::thread::current().id());
        }
        parse(text)
    };
    let n = 400;
    let mut host = Recorder::new(n);
    assert_eq!(run(n, 4, &slow, &mut host), Ok(()));
    assert_eq!(host.got, (0..n).map(Some).collect::<Vec<_>>());
    let threads = seen.lock().map(|s| s.len()).unwrap_or(0);
    assert!(threads > 1, "all scans ran on {threads} thread");

    // One thread: every scan on the calling thread.
    let seen = Mutex::new(HashSet::<ThreadId>::new());
    let record = |text: &[u8]| {
        if let Ok(mut s) = seen.lock() {
            s.insert(std::thread::current().id());
        }
        parse(text)
    };
    let mut host = Recorder::new(n);
    assert_eq!(run(n, 1, &record, &mut host), Ok(()));
    let ids = seen.lock().map(|s| s.clone()).unwrap_or_default();
    assert_eq!(ids, HashSet::from([std::thread::current().id()]));
}

#[test]
fn a_failed_read_stops_the_batch() {
    for threads in [1, 2, 4, 8] {
        for chunk in [0, 1, 5] {
            let mut host = Recorder::new(1000);
            host.fail_reading = Some(chunk * READ_CHUNK);
            let (host, result) = batch(1000, threads, host);
            assert!(result.is_err(), "threads={threads} chunk={chunk}");
            assert!(!host.step_after_error, "threads={threads} chunk={chunk}");
            // Nothing was read from the failed chunk on.
            assert!(host.reads.iter().all(|r| r.end <= chunk * READ_CHUNK));
        }
    }
}

#[test]
fn a_failed_delivery_stops_the_batch() {
    for threads in [1, 4] {
        let mut host = Recorder::new(1000);
        host.fail_delivering = true;
        let (host, result) = batch(1000, threads, host);
        if threads == 1 {
            // One thread always delivers between reads (see above): the failure happens.
            assert!(result.is_err());
        }
        assert!(!host.step_after_error);
        if result.is_ok() {
            assert_eq!(host.got, (0..1000).map(Some).collect::<Vec<_>>());
        }
    }
}

#[test]
fn a_failed_last_step_is_returned() {
    // One thread schedules deterministically: count its steps, then fail the last.
    let (counted, result) = batch(300, 1, Recorder::new(300));
    assert_eq!(result, Ok(()));
    let mut host = Recorder::new(300);
    host.fail_at = Some(counted.steps);
    let (host, result) = batch(300, 1, host);
    assert_eq!(result, Err(format!("step {} failed", counted.steps)));
    assert_eq!(host.steps, counted.steps);
}

#[test]
fn a_scan_that_panics_on_a_worker_loses_no_result() {
    let main = std::thread::current().id();
    let scan = |text: &[u8]| {
        assert!(
            std::thread::current().id() == main,
            "a worker's scan panics"
        );
        parse(text)
    };
    let n = 500;
    let mut host = Recorder::new(n);
    assert_eq!(run(n, 4, &scan, &mut host), Ok(()));
    assert_eq!(host.duplicate, None);
    assert_eq!(host.got, (0..n).map(Some).collect::<Vec<_>>());
}

#[test]
fn thread_count_is_bounded_by_documents_and_the_maximum() {
    assert_eq!(thread_count(1, 0), 0);
    assert_eq!(thread_count(1, 10), 1);
    assert_eq!(thread_count(4, 2), 2);
    assert_eq!(thread_count(8, 1000), 8);
    assert_eq!(thread_count(i64::MAX, 1000), MAX_THREADS);
    assert_eq!(thread_count(i64::MAX, 3), 3);
}

#[test]
fn chunk_texts() {
    let mut chunk = Chunk::default();
    assert!(chunk.is_empty());
    for text in ["ab", "", "cde"] {
        chunk
            .push(|out| {
                out.extend_from_slice(text.as_bytes());
                Ok::<(), ()>(())
            })
            .unwrap_or(());
    }
    assert_eq!(chunk.len(), 3);
    assert_eq!(chunk.text(0), Some(&b"ab"[..]));
    assert_eq!(chunk.text(1), Some(&b""[..]));
    assert_eq!(chunk.text(2), Some(&b"cde"[..]));
    assert_eq!(chunk.text(3), None);
    // A failed write records no document.
    assert_eq!(chunk.push(|_| Err("no")), Err("no"));
    assert_eq!(chunk.len(), 3);
}
