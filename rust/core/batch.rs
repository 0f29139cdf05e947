//! The Python-free half of a parallel batch (`Engine.analyze_many` and
//! `Engine.finished_many` in the binding): scheduling `n` documents over threads, handing
//! each finished scan back in batches, and stopping everyone when the host fails.
//!
//! Three kinds of work: reading a document's text (for the binding, it needs the GIL:
//! type checks, encoding, joining a title), scanning it (no lock), and delivering its
//! result (GIL again: building the `Analysis`). Workers only scan. The calling thread
//! does all the host's work, in chunks, through [`Host::step`], and scans whenever it has
//! nothing else to do, so reading and delivering overlap with scanning instead of coming
//! before and after it; the host's lock is held only for those steps.
//!
//! [`run`] is generic over the scan and its result so that `cargo test` can check the
//! scheduling, the result order and the error paths without Python (see the tests at
//! the end of this file).

use std::ops::Range;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, OnceLock, PoisonError};

/// Upper bound on the OS threads one batch starts.
pub const MAX_THREADS: usize = 256;

/// How many finished scans the calling thread lets pile up before it takes a step to
/// deliver them (a GIL hand-off costs about as much as converting a few results).
pub const DELIVER_CHUNK: usize = 32;

/// Documents read ahead of the scanners, per thread: enough that a scanner never runs
/// dry while the calling thread reads or delivers a chunk.
pub const READ_AHEAD: usize = 128;

/// Documents read per step (the `read` range of [`Host::step`] is this long, but for
/// the last chunk of a batch).
pub const READ_CHUNK: usize = 64;

/// Documents a worker claims at a time (and hands over together).
const WORKER_CLAIM: usize = 8;

/// Documents the calling thread claims at a time when it scans (fewer than a worker: it
/// must come back soon to read and deliver).
const MAIN_CLAIM: usize = 4;

/// Threads worth starting for `n` documents when `threads` are asked for (`threads >= 1`
/// is the caller's check): at most one per document and at most [`MAX_THREADS`].
pub fn thread_count(threads: i64, n: usize) -> usize {
    usize::try_from(threads)
        .unwrap_or(MAX_THREADS)
        .min(MAX_THREADS)
        .min(n)
}

/// What the calling thread of a batch does under the host's lock (the GIL).
pub trait Host<R> {
    /// What a failed read or delivery reports; the batch stops and returns it.
    type Error;

    /// One step: the texts of documents `read` (an empty range, or up to
    /// [`READ_CHUNK`] documents from a multiple of it), in order, as one [`Chunk`] (an
    /// empty `Chunk::default()` when `read` is empty); then the delivery of the finished
    /// scans `done`, `(document index, result)` in no particular order. An error stops
    /// the batch: [`run`] returns it and calls the host no more.
    fn step(&mut self, read: Range<usize>, done: Vec<(usize, R)>) -> Result<Chunk, Self::Error>;
}

/// The texts of up to `READ_CHUNK` consecutive documents in one buffer: one allocation
/// per chunk instead of one per document (allocating and freeing a vector per tweet was a
/// tenth of a parallel batch).
#[derive(Default)]
pub struct Chunk {
    bytes: Vec<u8>,
    /// `bytes[ends[j - 1]..ends[j]]` is the text of the chunk's document `j`.
    ends: Vec<usize>,
}

impl Chunk {
    /// An empty chunk with room for `bytes` bytes of text and `docs` documents.
    pub fn with_capacity(bytes: usize, docs: usize) -> Chunk {
        Chunk {
            bytes: Vec::with_capacity(bytes),
            ends: Vec::with_capacity(docs),
        }
    }

    /// Appends the next document's text: `write` appends its bytes to the buffer.
    pub fn push<E>(&mut self, write: impl FnOnce(&mut Vec<u8>) -> Result<(), E>) -> Result<(), E> {
        write(&mut self.bytes)?;
        self.ends.push(self.bytes.len());
        Ok(())
    }

    /// The number of documents in the chunk.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether the chunk holds no document.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of the chunk's document `j`.
    pub fn text(&self, j: usize) -> Option<&[u8]> {
        let start = if j == 0 { 0 } else { *self.ends.get(j - 1)? };
        self.bytes.get(start..*self.ends.get(j)?)
    }
}

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

/// What the threads of a batch share.
struct Shared<R> {
    /// The texts of each run of `READ_CHUNK` documents, set once by the calling thread.
    chunks: Vec<OnceLock<Chunk>>,
    /// How many documents (a prefix) have their text.
    read: Padded<AtomicUsize>,
    /// The next document to scan (may run past `n`).
    next: Padded<AtomicUsize>,
    /// Set when the host failed: everyone stops.
    abort: AtomicBool,
    /// Finished scans waiting to be delivered.
    ready: Padded<Mutex<Vec<(usize, R)>>>,
    /// `ready.len()`, readable without the lock.
    ready_count: Padded<AtomicUsize>,
    /// Scanners wait here for texts.
    wait: (Mutex<()>, Condvar),
}

impl<R> Shared<R> {
    fn new(n: usize) -> Shared<R> {
        Shared {
            chunks: (0..n.div_ceil(READ_CHUNK))
                .map(|_| OnceLock::new())
                .collect(),
            read: Padded(AtomicUsize::new(0)),
            next: Padded(AtomicUsize::new(0)),
            abort: AtomicBool::new(false),
            ready: Padded(Mutex::new(Vec::new())),
            ready_count: Padded(AtomicUsize::new(0)),
            wait: (Mutex::new(()), Condvar::new()),
        }
    }

    /// The queue of finished scans (a panic elsewhere cannot leave it half-written: it
    /// only ever sees `append` and `take`, so a poisoned lock is still usable).
    fn ready(&self) -> MutexGuard<'_, Vec<(usize, R)>> {
        self.ready.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn push_ready(&self, done: &mut Vec<(usize, R)>) {
        if done.is_empty() {
            return;
        }
        let mut v = self.ready();
        v.append(done);
        self.ready_count.store(v.len(), Ordering::Release);
    }

    fn take_ready(&self) -> Vec<(usize, R)> {
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

/// The calling thread's side of a batch: the host, and which documents it has been
/// given a result for.
struct Lead<'h, H> {
    host: &'h mut H,
    /// Whether document `i`'s result went to the host (read only after every step
    /// succeeded: an error ends the batch).
    delivered: Vec<bool>,
}

impl<H> Lead<'_, H> {
    /// One [`Host::step`]: reads documents `from..upto` (none, or the chunk that starts
    /// at `from`) into `shared.chunks` and delivers `done`. Nothing to do, no step.
    fn step<R>(
        &mut self,
        shared: &Shared<R>,
        from: usize,
        upto: usize,
        done: Vec<(usize, R)>,
    ) -> Result<(), H::Error>
    where
        H: Host<R>,
    {
        if from >= upto && done.is_empty() {
            return Ok(());
        }
        for (i, _) in &done {
            if let Some(d) = self.delivered.get_mut(*i) {
                *d = true;
            }
        }
        let chunk = self.host.step(from..upto, done)?;
        if from < upto {
            debug_assert!(from % READ_CHUNK == 0 && upto - from <= READ_CHUNK);
            debug_assert_eq!(chunk.len(), upto - from);
            if let Some(slot) = shared.chunks.get(from / READ_CHUNK) {
                let _ = slot.set(chunk);
            }
        }
        Ok(())
    }
}

/// Scans documents `0..n` with `scan` on `threads` threads (this one included; at least
/// one) and hands every result to `host`, each document's exactly once, in steps (see
/// [`Host::step`]). Returns the host's first error, after which no step is taken.
///
/// A worker that cannot be started is done without; a document a worker took but never
/// returned (a panicking scan) is scanned again on this thread: no result is lost.
pub fn run<R, H>(
    n: usize,
    threads: usize,
    scan: &(impl Fn(&[u8]) -> R + Sync),
    host: &mut H,
) -> Result<(), H::Error>
where
    R: Send,
    H: Host<R>,
{
    let shared = Shared::<R>::new(n);
    let mut lead = Lead {
        host,
        delivered: vec![false; n],
    };
    let mut failure: Option<H::Error> = None;
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
                    done.push((i, scan(text)));
                }
                shared.push_ready(&mut done);
            }
            shared.push_ready(&mut done);
        };
        let handles: Vec<_> = (1..threads)
            .filter_map(|_| std::thread::Builder::new().spawn_scoped(scope, worker).ok())
            .collect();
        let lead_docs = READ_AHEAD * threads;
        let mut mine = Vec::new();
        'lead: loop {
            let read = shared.read.load(Ordering::Acquire);
            let claimed = shared.next.load(Ordering::Relaxed);
            if read < n && read < claimed + lead_docs {
                // Read the next chunk (and deliver what is waiting in the same step).
                let upto = n.min(read + READ_CHUNK);
                let mut batch = shared.take_ready();
                batch.append(&mut mine);
                match lead.step(&shared, read, upto, batch) {
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
            if mine.len() + shared.ready_len() >= DELIVER_CHUNK {
                let mut batch = shared.take_ready();
                batch.append(&mut mine);
                if let Err(e) = lead.step(&shared, read, read, batch) {
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
                    Some(text) => mine.push((i, scan(text))),
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
            if let Err(e) = lead.step(&shared, n, n, batch) {
                failure = Some(e);
            }
        }
    });
    if let Some(e) = failure {
        return Err(e);
    }
    let missing: Vec<(usize, R)> = (0..n)
        .filter(|&i| !lead.delivered[i])
        .filter_map(|i| Some((i, scan(shared.read_text(i)?))))
        .collect();
    lead.step(&shared, n, n, missing)
}

#[cfg(test)]
#[path = "batch_tests.rs"]
mod tests;
