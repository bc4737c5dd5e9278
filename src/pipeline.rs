//! Indexing a folder on background threads: walk → compare with the index → load and extract in
//! parallel → write and commit in batches.
//!
//! [`start`] returns at once with a [`Indexing`] handle. The work happens on named threads:
//! `dossier-indexer` owns the one [`DocWriter`] and commits; `dossier-load-N` workers read files
//! and run entity extraction. Progress and results come back as [`Event`]s over a bounded
//! channel, and `notify` is called after each one (the GUI passes `ctx.request_repaint`).
//! A file that cannot be read becomes a [`FileProblem`]; it never stops the run, and a run that
//! is cancelled or fails still commits what it indexed.

use std::collections::{HashMap, HashSet};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use crate::entities::Extractor;
use crate::index::{DocIndex, DocWriter, FileStamp, IndexError};
use crate::load::{self, LoadError};
use crate::model::{Entity, FileProblem, LoadedDoc};
use crate::store::RunRecord;

/// Called after every event so a front end can wake up (the GUI's `request_repaint`).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// Settings of one indexing run.
#[derive(Clone)]
pub struct Options {
    /// Skip files and folders whose name starts with a dot.
    pub skip_hidden: bool,
    /// Read at most this many bytes of a file.
    pub max_file_bytes: u64,
    /// Loader threads; 0 means one per core.
    pub workers: usize,
    /// Commit at least this often while indexing, so documents show up as they are indexed.
    pub commit_every: Duration,
    /// Run entity extraction (off only to measure raw indexing speed).
    pub extract_entities: bool,
    /// A file that takes longer than this to load and extract is reported as timed out.
    pub file_time_budget: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            skip_hidden: true,
            max_file_bytes: load::DEFAULT_MAX_BYTES,
            workers: 0,
            commit_every: Duration::from_millis(1500),
            extract_entities: true,
            file_time_budget: Duration::from_secs(60),
        }
    }
}

/// Where a run is.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    /// Files to (re)index in this run; unchanged files are not counted.
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub bytes_done: u64,
    pub elapsed: Duration,
}

impl Progress {
    /// Files per second so far.
    pub fn files_per_sec(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }

    /// Estimated time left, once there is a rate to go by.
    pub fn eta(&self) -> Option<Duration> {
        let rate = self.files_per_sec();
        (self.done > 0 && rate > 0.0)
            .then(|| Duration::from_secs_f64((self.total - self.done.min(self.total)) as f64 / rate))
    }
}

/// What the background threads report.
#[derive(Clone, Debug)]
pub enum Event {
    /// The walk is done: this many files need indexing, this many were unchanged, this many
    /// indexed files are gone from the folder.
    Planned {
        to_index: usize,
        unchanged: usize,
        removed: usize,
    },
    Progress(Progress),
    /// A batch was committed: searches now see it.
    Committed,
    /// One file could not be indexed.
    Problem(FileProblem),
    /// The run is over (completed, cancelled or failed); the record was saved beside the index.
    Finished {
        record: RunRecord,
        error: Option<String>,
    },
}

/// A running (or finished) indexing run.
pub struct Indexing {
    events: Receiver<Event>,
    cancel: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Indexing {
    /// Asks the run to stop; it commits what it has and then sends [`Event::Finished`].
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// The next event if there is one, without waiting.
    pub fn try_event(&self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// The next event, waiting for it; `None` once the run is over and every event was read.
    pub fn wait_event(&self) -> Option<Event> {
        self.events.recv().ok()
    }
}

impl Drop for Indexing {
    fn drop(&mut self) {
        self.cancel();
        // Joining here could block a UI; a separate thread waits so the writer lock is released
        // in order, and events are drained so the indexer never blocks on a full channel.
        if let Some(thread) = self.thread.take() {
            let events = std::mem::replace(&mut self.events, sync_channel(1).1);
            let _ = std::thread::Builder::new().name("dossier-indexer-stop".into()).spawn(move || {
                while events.recv().is_ok() {}
                let _ = thread.join();
            });
        }
    }
}

/// Starts indexing `folder` into `index` (whose files live in `index_dir`).
pub fn start(
    folder: PathBuf,
    index: DocIndex,
    index_dir: PathBuf,
    extractor: Arc<dyn Extractor>,
    options: Options,
    notify: Notify,
) -> std::io::Result<Indexing> {
    let (tx, rx) = sync_channel(256);
    let cancel = Arc::new(AtomicBool::new(false));
    let run = Run { folder, index, index_dir, extractor, options, events: tx, notify, cancel: cancel.clone() };
    let thread = std::thread::Builder::new().name("dossier-indexer".into()).spawn(move || run.run())?;
    Ok(Indexing { events: rx, cancel, thread: Some(thread) })
}

struct Run {
    folder: PathBuf,
    index: DocIndex,
    index_dir: PathBuf,
    extractor: Arc<dyn Extractor>,
    options: Options,
    events: SyncSender<Event>,
    notify: Notify,
    cancel: Arc<AtomicBool>,
}

/// A file found by the walk.
struct Candidate {
    path: PathBuf,
    id: String,
    stamp: FileStamp,
}

impl Run {
    fn send(&self, event: Event) {
        // The receiver is gone only when nobody cares any more; indexing still completes.
        let _ = self.events.send(event);
        (self.notify)();
    }

    fn run(self) {
        let started = Instant::now();
        let mut record = RunRecord::default();
        let error = self.index_all(&mut record, started).err().map(|e| e.to_string());
        record.duration_secs = started.elapsed().as_secs_f64();
        record.finished_at_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        record.cancelled = self.cancel.load(Ordering::Relaxed);
        if let Err(e) = record.save(&self.index_dir) {
            log::warn!("cannot save the run record in {}: {e}", self.index_dir.display());
        }
        self.send(Event::Finished { record, error });
    }

    fn index_all(&self, record: &mut RunRecord, started: Instant) -> Result<(), IndexError> {
        let mut writer = self.writer_with_retry()?;
        self.index.reload()?;
        let mut known = self.index.manifest()?;
        let (candidates, problems) = walk(&self.folder, &self.options);
        for p in problems {
            record.problems.push(p.clone());
            self.send(Event::Problem(p));
        }
        let mut todo = Vec::new();
        let mut unchanged = 0;
        for c in candidates {
            match known.remove(&c.id) {
                Some(stamp) if stamp == c.stamp => unchanged += 1,
                _ => todo.push(c),
            }
        }
        // Whatever is left in `known` is no longer in the folder.
        let mut removed: Vec<String> = known.into_keys().collect();
        removed.sort();
        self.send(Event::Planned { to_index: todo.len(), unchanged, removed: removed.len() });
        for id in &removed {
            writer.delete(id);
        }
        record.removed = removed.len() as u64;
        if !removed.is_empty() {
            writer.commit()?;
            self.send(Event::Committed);
        }
        let result = self.index_files(&mut writer, todo, record, started);
        // Commit what was indexed even if the run was cancelled or a write failed.
        let committed = writer.commit();
        self.send(Event::Committed);
        let closed = writer.close();
        result.and(committed).and(closed)
    }

    fn writer_with_retry(&self) -> Result<DocWriter, IndexError> {
        // An earlier session of the same folder may still be releasing the lock.
        let mut waited = Duration::ZERO;
        loop {
            match self.index.writer() {
                Err(IndexError::Locked) if waited < Duration::from_secs(10) && !self.cancel.load(Ordering::Relaxed) => {
                    std::thread::sleep(Duration::from_millis(100));
                    waited += Duration::from_millis(100);
                }
                other => return other,
            }
        }
    }

    fn index_files(
        &self,
        writer: &mut DocWriter,
        todo: Vec<Candidate>,
        record: &mut RunRecord,
        started: Instant,
    ) -> Result<(), IndexError> {
        let total = todo.len();
        let shared = Arc::new(Shared {
            todo,
            next: AtomicUsize::new(0),
            busy: Mutex::new(HashMap::new()),
            cancel: self.cancel.clone(),
            extractor: self.extractor.clone(),
            options: self.options.clone(),
        });
        let (tx, rx) = sync_channel::<Loaded>(64);
        let workers = match self.options.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
        .min(total.max(1));
        let mut handles = Vec::new();
        for _ in 0..workers {
            match spawn_loader(&shared, &tx, handles.len()) {
                Ok(h) => handles.push(h),
                Err(e) => log::warn!("cannot start a loader thread: {e}"),
            }
        }
        if handles.is_empty() && total > 0 {
            return Err(IndexError::Io(std::io::Error::other("no loader thread could be started")));
        }

        let mut progress = Progress { total, ..Progress::default() };
        let mut last_commit = Instant::now();
        let mut last_progress = Instant::now();
        let mut timed_out: HashSet<usize> = HashSet::new();
        let mut result = Ok(());
        while progress.done < total && !self.cancel.load(Ordering::Relaxed) {
            let (k, loaded) = match rx.recv_timeout(Duration::from_millis(100)) {
                Ok((k, _)) if timed_out.contains(&k) => continue, // Reported already; too late.
                Ok(got) => got,
                Err(RecvTimeoutError::Timeout) => {
                    // A file over its time budget is reported and a fresh loader takes over; the
                    // stuck one finishes (or not) on its own and its result is ignored.
                    for k in shared.overdue(self.options.file_time_budget) {
                        if timed_out.insert(k) {
                            progress.done += 1;
                            progress.failed += 1;
                            let reason = format!("timed out after {} s", self.options.file_time_budget.as_secs_f64());
                            let problem = FileProblem::failed(shared.todo[k].id.clone(), reason);
                            record.problems.push(problem.clone());
                            self.send(Event::Problem(problem));
                            match spawn_loader(&shared, &tx, handles.len()) {
                                Ok(h) => handles.push(h),
                                Err(e) => log::warn!("cannot start a loader thread: {e}"),
                            }
                        }
                    }
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            };
            progress.done += 1;
            match loaded {
                Ok((doc, entities)) => {
                    progress.bytes_done += doc.size_bytes;
                    if let Err(e) = writer.upsert(&doc, &entities) {
                        result = Err(e);
                        self.cancel.store(true, Ordering::Relaxed);
                        break;
                    }
                    record.indexed += 1;
                }
                Err(reason) => {
                    progress.failed += 1;
                    let problem = FileProblem::failed(shared.todo[k].id.clone(), reason);
                    record.problems.push(problem.clone());
                    self.send(Event::Problem(problem));
                }
            }
            if last_commit.elapsed() >= self.options.commit_every {
                writer.commit()?;
                last_commit = Instant::now();
                self.send(Event::Committed);
            }
            if last_progress.elapsed() >= Duration::from_millis(50) || progress.done == total {
                progress.elapsed = started.elapsed();
                last_progress = Instant::now();
                self.send(Event::Progress(progress.clone()));
            }
        }
        // Loaders stop at the next file once the queue is empty or the run is cancelled; one
        // stuck on a file past its budget is left to finish by itself.
        drop(rx);
        drop(tx);
        for h in handles {
            if (h.is_finished() || shared.busy_count() == 0) && h.join().is_err() {
                log::warn!("a loader thread panicked");
            }
        }
        progress.elapsed = started.elapsed();
        self.send(Event::Progress(progress));
        result
    }
}

/// A loaded document and its entities, or why the file could not be read.
type Loaded = (usize, Result<(LoadedDoc, Vec<Entity>), String>);

/// What loader threads share: the files to do, who is busy with which since when.
struct Shared {
    todo: Vec<Candidate>,
    next: AtomicUsize,
    /// File index → when a loader started on it.
    busy: Mutex<HashMap<usize, Instant>>,
    cancel: Arc<AtomicBool>,
    extractor: Arc<dyn Extractor>,
    options: Options,
}

impl Shared {
    fn busy(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Instant>> {
        // A loader never panics while holding the lock (panics are caught around the work).
        self.busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn overdue(&self, budget: Duration) -> Vec<usize> {
        let mut out: Vec<usize> = self.busy().iter().filter(|(_, t)| t.elapsed() > budget).map(|(k, _)| *k).collect();
        out.sort_unstable();
        out
    }

    fn busy_count(&self) -> usize {
        self.busy().len()
    }
}

fn spawn_loader(shared: &Arc<Shared>, tx: &SyncSender<Loaded>, n: usize) -> std::io::Result<JoinHandle<()>> {
    let (shared, tx) = (shared.clone(), tx.clone());
    std::thread::Builder::new().name(format!("dossier-load-{n}")).spawn(move || {
        loop {
            let k = shared.next.fetch_add(1, Ordering::Relaxed);
            if k >= shared.todo.len() || shared.cancel.load(Ordering::Relaxed) {
                break;
            }
            shared.busy().insert(k, Instant::now());
            let result = load_and_extract(&shared.todo[k], shared.extractor.as_ref(), &shared.options);
            shared.busy().remove(&k);
            if tx.send((k, result)).is_err() {
                break;
            }
        }
    })
}

/// Loads one file and finds its entities; a panic in either is that file's failure.
fn load_and_extract(
    c: &Candidate,
    extractor: &dyn Extractor,
    options: &Options,
) -> Result<(LoadedDoc, Vec<Entity>), String> {
    let work = AssertUnwindSafe(|| -> Result<(LoadedDoc, Vec<Entity>), LoadError> {
        let mut doc = load::load_file(&c.path, c.id.clone(), options.max_file_bytes)?;
        let language = crate::lang::detect(&doc.text);
        doc.language = language.map(|l| l.code.to_owned()).unwrap_or_default();
        // The recogniser knows English; on text that is clearly another language its guesses
        // would look authoritative and be wrong, so the view says why there are none.
        let english = language.is_none_or(|l| l.is_english());
        let entities = if options.extract_entities && english { extractor.extract(&doc.text) } else { Vec::new() };
        Ok((doc, entities))
    });
    match std::panic::catch_unwind(work) {
        Ok(Ok(done)) => Ok(done),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("internal error while reading this file (reported as a bug)".to_owned()),
    }
}

/// Every supported file under `folder`, and the entries that could not be looked at.
fn walk(folder: &Path, options: &Options) -> (Vec<Candidate>, Vec<FileProblem>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let skip_hidden = options.skip_hidden;
    let walker = walkdir::WalkDir::new(folder)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(move |e| !(skip_hidden && e.depth() > 0 && e.file_name().to_string_lossy().starts_with('.')));
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| relative_id(folder, p)).unwrap_or_default();
                let reason = e.io_error().map_or_else(|| e.to_string(), |io| format!("cannot read: {io}"));
                problems.push(FileProblem::failed(path, reason));
                continue;
            }
        };
        if entry.file_type().is_symlink() {
            // Links are not followed: they can loop, dangle, or lead outside the folder.
            let id = relative_id(folder, entry.path());
            problems.push(FileProblem::skipped(id, "symbolic link, not followed"));
            continue;
        }
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let id = relative_id(folder, path);
        if !load::is_supported(path) {
            problems.push(FileProblem::skipped(id, "file type not supported yet"));
            continue;
        }
        match entry.metadata() {
            Ok(meta) => found.push(Candidate {
                path: path.to_path_buf(),
                id,
                stamp: FileStamp { size_bytes: meta.len(), mtime_ns: load::mtime_ns(&meta) },
            }),
            Err(e) => problems.push(FileProblem::failed(id, format!("cannot read: {e}"))),
        }
    }
    (found, problems)
}

/// `path` relative to `folder`, with `/` separators: a document's id.
fn relative_id(folder: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(folder).unwrap_or(path);
    rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/")
}

/// Indexes `folder` to completion on the calling thread's behalf, calling `on_event` for each
/// event (the CLI and tests use this).
pub fn run_blocking(
    folder: PathBuf,
    index: DocIndex,
    index_dir: PathBuf,
    extractor: Arc<dyn Extractor>,
    options: Options,
    mut on_event: impl FnMut(&Event),
) -> std::io::Result<(RunRecord, Option<String>)> {
    let indexing = start(folder, index, index_dir, extractor, options, Arc::new(|| {}))?;
    while let Some(event) = indexing.wait_event() {
        on_event(&event);
        if let Event::Finished { record, error } = event {
            return Ok((record, error));
        }
    }
    Err(std::io::Error::other("the indexer stopped without finishing"))
}

/// Counts problems by reason, most frequent first (for summaries).
pub fn problems_by_reason(problems: &[FileProblem]) -> Vec<(String, usize)> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in problems {
        *counts.entry(p.reason.as_str()).or_default() += 1;
    }
    let mut out: Vec<(String, usize)> = counts.into_iter().map(|(r, n)| (r.to_owned(), n)).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}
