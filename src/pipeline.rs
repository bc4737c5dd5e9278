//! Indexing a folder on background threads: walk → compare with the index → load and extract in
//! parallel → write and commit in batches.
//!
//! [`start`] returns at once with a [`Indexing`] handle. The work happens on named threads:
//! `dossier-indexer` owns the one [`DocWriter`] and commits; `dossier-load-N` workers read files
//! and run entity extraction. Progress and results come back as [`Event`]s over a bounded
//! channel, and `notify` is called after each one (the GUI passes `ctx.request_repaint`).
//! A file that cannot be read becomes a [`FileProblem`]; it never stops the run, and a run that
//! is cancelled or fails still commits what it indexed.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::ControlFlow;
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
use crate::load::{self, Piece};
use crate::model::{Entity, FileProblem, LoadedDoc};
use crate::store::{Journal, JournalState, RunRecord};

/// Why a file that an earlier run died reading is left out.
pub const STOPPED_A_RUN: &str = "stopped the previous run while being read; skipped (Retry to try again)";

/// Called after every event so a front end can wake up (the GUI's `request_repaint`).
pub type Notify = Arc<dyn Fn() + Send + Sync>;

/// Settings of one indexing run.
#[derive(Clone)]
pub struct Options {
    /// Skip files and folders whose name starts with a dot.
    pub skip_hidden: bool,
    /// Read at most this many bytes of a file (of each message, in a mailbox); a larger file is
    /// indexed in part and reported as truncated.
    pub max_file_bytes: u64,
    /// Loader threads; 0 means one per core.
    pub workers: usize,
    /// Commit at least this often while indexing, so documents show up as they are indexed.
    pub commit_every: Duration,
    /// Report progress at most this often.
    pub progress_every: Duration,
    /// Run entity extraction (off only to measure raw indexing speed).
    pub extract_entities: bool,
    /// A file that takes longer than this, plus [`Options::time_per_mb`] for each megabyte it
    /// has to read, to load and extract is reported as timed out (for a mailbox, the budget is
    /// per message).
    pub file_time_budget: Duration,
    /// Extra time a file gets per megabyte read (of at most `max_file_bytes`): entity
    /// extraction runs at 1–2 MB/s a core, so a 64 MB text needs minutes, not seconds.
    pub time_per_mb: Duration,
    /// Drop every document even when the folder now looks empty or all its indexed files are
    /// gone at once. Off by default: an unmounted drive looks exactly like that, and emptying
    /// its index would cost a full re-index once it is back.
    pub allow_empty: bool,
    /// Read again the files that an earlier run died reading (see [`crate::store::Journal`]);
    /// without it they stay skipped, so one hostile file cannot kill every start.
    pub retry_skipped: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            skip_hidden: true,
            max_file_bytes: load::DEFAULT_MAX_BYTES,
            workers: 0,
            commit_every: Duration::from_millis(1500),
            progress_every: Duration::from_millis(50),
            extract_entities: true,
            file_time_budget: Duration::from_secs(60),
            time_per_mb: Duration::from_secs(3),
            allow_empty: false,
            retry_skipped: false,
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
    /// Bytes of the files to (re)index, and how many of them are read so far (a mailbox counts
    /// as it is read, message by message, so a large one does not sit at 0%).
    pub total_bytes: u64,
    pub bytes_done: u64,
    /// Documents indexed so far (a mailbox holds many; attachments count too).
    pub documents: usize,
    pub elapsed: Duration,
}

impl Progress {
    /// Files per second so far.
    pub fn files_per_sec(&self) -> f64 {
        self.done as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }

    /// How far along the run is, 0 to 1, by bytes (files vary in size far more than in count).
    pub fn fraction(&self) -> f32 {
        if self.total_bytes > 0 {
            (self.bytes_done as f64 / self.total_bytes as f64).min(1.0) as f32
        } else if self.total > 0 {
            self.done as f32 / self.total as f32
        } else {
            0.0
        }
    }

    /// Estimated time left, once there is a rate to go by.
    pub fn eta(&self) -> Option<Duration> {
        let fraction = f64::from(self.fraction());
        (self.done > 0 && fraction > 0.0 && fraction < 1.0)
            .then(|| Duration::from_secs_f64(self.elapsed.as_secs_f64() * (1.0 - fraction) / fraction))
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
            let stopper = std::thread::Builder::new().name("dossier-indexer-stop".into()).spawn(move || {
                while events.recv().is_ok() {}
                let _ = thread.join();
            });
            if let Ok(stopper) = stopper {
                stopping().push(stopper);
            }
        }
    }
}

/// Runs that were dropped and are still committing what they did.
fn stopping() -> std::sync::MutexGuard<'static, Vec<JoinHandle<()>>> {
    static STOPPING: Mutex<Vec<JoinHandle<()>>> = Mutex::new(Vec::new());
    STOPPING.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits, at most `limit`, for dropped runs to commit, reset their journal and save their record
/// (the app calls it after its window closed, so quitting mid-run loses nothing). Returns
/// whether they all finished.
pub fn finish_stopped_runs(limit: Duration) -> bool {
    let started = Instant::now();
    loop {
        let mut runs = stopping();
        runs.retain(|h| !h.is_finished());
        if runs.is_empty() {
            return true;
        }
        drop(runs);
        if started.elapsed() >= limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
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
    /// Records a problem in the run's report and tells the front end.
    fn report(&self, record: &mut RunRecord, problem: FileProblem) {
        record.problems.push(problem.clone());
        self.send(Event::Problem(problem));
    }

    fn send(&self, event: Event) {
        // The receiver is gone only when nobody cares any more; indexing still completes.
        let _ = self.events.send(event);
        (self.notify)();
    }

    fn run(self) {
        let started = Instant::now();
        let mut record = RunRecord::default();
        // A panic here (a bug) ends the run like an error: what was committed stays, the record
        // is saved and the front end hears why.
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.index_all(&mut record, started)));
        // Another process holds the writer: the folder and its report are that process's; this
        // run did nothing and must not overwrite what that one records.
        let elsewhere = matches!(outcome, Ok(Err(IndexError::Locked)));
        let error = match outcome {
            Ok(result) => result.err().map(|e| e.to_string()),
            Err(panic) => Some(format!("internal error: {}", crate::searcher::panic_message(panic.as_ref()))),
        };
        record.duration_secs = started.elapsed().as_secs_f64();
        record.finished_at_unix = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        record.cancelled = self.cancel.load(Ordering::Relaxed);
        // A run that changed nothing (every `search` from the CLI starts one) leaves the saved
        // report of the last real run, with its counts and time, in place.
        let unchanged = RunRecord::load(&self.index_dir).is_some_and(|p| record.changes_nothing_since(&p));
        if !elsewhere
            && (error.is_some() || !unchanged)
            && let Err(e) = record.save(&self.index_dir)
        {
            log::warn!("cannot save the run record in {}: {e}", self.index_dir.display());
        }
        self.send(Event::Finished { record, error });
    }

    fn index_all(&self, record: &mut RunRecord, started: Instant) -> Result<(), IndexError> {
        let mut writer = self.writer_with_retry()?;
        self.index.reload()?;
        let known = self.index.manifest()?;
        let (candidates, problems) = walk(&self.folder, &self.options);
        for p in problems {
            self.report(record, p);
        }
        // What the last process to hold the writer left unfinished (it may have died).
        let last = Journal::read(&self.index_dir);
        let mut skipped = last.skipped.clone();
        skipped.extend(last.suspects.iter().cloned());
        if self.options.retry_skipped {
            skipped.clear();
        }
        let journal = match Journal::create(&self.index_dir, &skipped) {
            Ok(j) => Some(Arc::new(j)),
            Err(e) => {
                log::warn!("cannot write the indexing journal in {}: {e}", self.index_dir.display());
                None
            }
        };
        let (todo, unchanged, removed) = self.plan(record, candidates, known, &last, &skipped);
        self.send(Event::Planned { to_index: todo.len(), unchanged, removed: removed.len() });
        for id in &removed {
            writer.delete_file(id);
        }
        record.removed = removed.len() as u64;
        if !removed.is_empty() {
            writer.commit()?;
            self.send(Event::Committed);
        }
        let result = self.index_files(&mut writer, todo, journal, record, started);
        // Commit what was indexed even if the run was cancelled or a write failed.
        let committed = writer.commit();
        self.send(Event::Committed);
        if committed.is_ok() {
            // Every file read is committed whole (or dropped whole): only the skipped remain.
            if let Err(e) = Journal::create(&self.index_dir, &skipped) {
                log::warn!("cannot reset the indexing journal: {e}");
            }
        }
        let closed = writer.close();
        result.and(committed).and(closed)
    }

    /// Splits the folder's files into those to read, the number unchanged, and the indexed files
    /// now gone (none if all are gone at once, unless allowed: see [`Options::allow_empty`]).
    fn plan(
        &self,
        record: &mut RunRecord,
        candidates: Vec<Candidate>,
        mut known: HashMap<String, FileStamp>,
        last: &JournalState,
        skipped: &BTreeSet<String>,
    ) -> (Vec<Candidate>, usize, Vec<String>) {
        let known_files = known.len();
        let mut todo = Vec::new();
        let mut unchanged = HashSet::new();
        for c in candidates {
            if skipped.contains(&c.id) {
                // Its documents, if some were committed, stay searchable; it is not re-read.
                known.remove(&c.id);
                let problem = FileProblem::failed(c.id, STOPPED_A_RUN);
                self.report(record, problem);
                continue;
            }
            // Not known whole: read again even if its size and time are those indexed.
            let reread = [&last.unfinished, &last.suspects, &last.skipped].iter().any(|set| set.contains(&c.id));
            match known.remove(&c.id) {
                Some(stamp) if stamp == c.stamp && !reread => {
                    unchanged.insert(c.id);
                }
                _ => todo.push(c),
            }
        }
        // What the last run said about files that have not changed still holds (a truncated
        // file, a mailbox's damaged message, an unreadable attachment): the report keeps it.
        if let Some(previous) = RunRecord::load(&self.index_dir) {
            for p in previous.problems.into_iter().filter(|p| unchanged.contains(p.file())) {
                self.report(record, p);
            }
        }
        let unchanged = unchanged.len();
        // Whatever is left in `known` is no longer in the folder.
        let mut removed: Vec<String> = known.into_keys().collect();
        removed.sort();
        if !self.options.allow_empty && !removed.is_empty() && removed.len() == known_files {
            // Every indexed file gone at once: an unmounted drive or a folder emptied by
            // mistake far more often than a deliberate wipe. Keep them until the user says so.
            record.kept_missing = removed.len() as u64;
            removed.clear();
        }
        (todo, unchanged, removed)
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
        journal: Option<Arc<Journal>>,
        record: &mut RunRecord,
        started: Instant,
    ) -> Result<(), IndexError> {
        let total = todo.len();
        // A mailbox's messages are shared out to every core, however few files there are.
        let mailboxes = todo.iter().filter(|c| load::streams(&c.path)).count();
        let workers = match self.options.workers {
            0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
            n => n,
        }
        .min(if mailboxes > 0 { usize::MAX } else { total.max(1) });
        let shared = Arc::new(Shared {
            journal,
            todo,
            next: AtomicUsize::new(0),
            busy: Mutex::new(HashMap::new()),
            large_turn: Mutex::new(None),
            turn_freed: std::sync::Condvar::new(),
            cancel: self.cancel.clone(),
            extractor: self.extractor.clone(),
            options: self.options.clone(),
            spare: Mutex::default(),
            spare_changed: std::sync::Condvar::new(),
            streaming: AtomicUsize::new(mailboxes),
            helpers: workers > 1,
            over: AtomicBool::new(false),
        });
        let (tx, rx) = sync_channel::<Loaded>(64);
        let total_bytes = shared.todo.iter().map(|c| c.stamp.size_bytes).sum();
        let mut intake = Intake {
            run: self,
            writer,
            record,
            shared,
            tx,
            handles: Vec::new(),
            ledger: FileLedger::default(),
            progress: Progress { total, total_bytes, ..Progress::default() },
        };
        for _ in 0..workers {
            intake.start_loader();
        }
        if intake.handles.is_empty() && total > 0 {
            return Err(IndexError::Threads(std::io::Error::other("the system refused every thread")));
        }
        let mut last_commit = Instant::now();
        let mut last_progress = Instant::now();
        let mut result = Ok(());
        while intake.progress.done < total && !self.cancel.load(Ordering::Relaxed) {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(loaded) if intake.ledger.is_timed_out(loaded.file()) => continue, // Reported already; too late.
                Ok(loaded) => {
                    if let Err(e) = intake.take(loaded) {
                        result = Err(e);
                        self.cancel.store(true, Ordering::Relaxed);
                        break;
                    }
                }
                Err(RecvTimeoutError::Timeout) => intake.time_out_overdue(),
                Err(RecvTimeoutError::Disconnected) => break,
            }
            if last_commit.elapsed() >= self.options.commit_every {
                intake.commit()?;
                last_commit = Instant::now();
            }
            if last_progress.elapsed() >= self.options.progress_every || intake.progress.done == total {
                intake.progress.elapsed = started.elapsed();
                last_progress = Instant::now();
                self.send(Event::Progress(intake.progress.clone()));
            }
        }
        drop(rx);
        let mut progress = intake.finish();
        progress.elapsed = started.elapsed();
        self.send(Event::Progress(progress));
        result
    }
}

/// The indexer's side of a run's loaders: what they send goes into the writer, the ledger, the
/// progress and the run's record.
struct Intake<'a> {
    run: &'a Run,
    writer: &'a mut DocWriter,
    record: &'a mut RunRecord,
    shared: Arc<Shared>,
    tx: SyncSender<Loaded>,
    handles: Vec<JoinHandle<()>>,
    ledger: FileLedger,
    progress: Progress,
}

impl Intake<'_> {
    fn start_loader(&mut self) {
        match spawn_loader(&self.shared, &self.tx, self.handles.len()) {
            Ok(h) => self.handles.push(h),
            Err(e) => log::warn!("cannot start a loader thread: {e}"),
        }
    }

    fn note(&self, step: &str, k: usize) {
        if let Some(j) = &self.shared.journal {
            j.note(step, &self.shared.todo[k].id);
        }
    }

    /// File `k` is dropped whole (cut off, failed): its `added` documents do not count.
    fn drop_file(&mut self, k: usize, added: u64) {
        self.writer.delete_file(&self.shared.todo[k].id);
        self.record.indexed -= added;
    }

    /// One piece from a loader.
    fn take(&mut self, loaded: Loaded) -> Result<(), IndexError> {
        match loaded {
            Loaded::Doc(k, doc, entities) => {
                if self.ledger.document(k) {
                    self.writer.delete_file(&self.shared.todo[k].id);
                }
                self.writer.add(&doc, &entities)?;
                self.record.indexed += 1;
                self.progress.documents += 1;
                if doc.parent.is_empty() && doc.id != doc.file {
                    // A message of a mailbox: its bytes are read.
                    let file_size = self.shared.todo[k].stamp.size_bytes;
                    self.progress.bytes_done += self.ledger.streamed(k, doc.meta.size_bytes, file_size);
                }
            }
            Loaded::Problem(_, problem) => self.run.report(self.record, problem),
            Loaded::Done(k, outcome) => {
                self.note("read", k);
                self.progress.done += 1;
                let (rest, dropped) = self.ledger.done(k, self.shared.todo[k].stamp.size_bytes, outcome.is_ok());
                self.progress.bytes_done += rest;
                if let Some(added) = dropped {
                    self.drop_file(k, added);
                }
                if let Err(problem) = outcome {
                    self.progress.failed += 1;
                    self.run.report(self.record, problem);
                }
            }
        }
        Ok(())
    }

    /// A file over its time budget is reported and a fresh loader takes over; the stuck one
    /// finishes (or not) on its own and its result is ignored.
    fn time_out_overdue(&mut self) {
        for (k, budget) in self.shared.overdue() {
            let Some(added) = self.ledger.time_out(k) else { continue };
            // Its turn goes to the next large file; the stuck loader's memory stays taken until
            // it finishes, if ever.
            self.shared.give_turn(k);
            self.progress.done += 1;
            self.progress.failed += 1;
            if let Some(added) = added {
                // Half a file would pass for all of it on the next run.
                self.drop_file(k, added);
            }
            let reason = format!("timed out after {:.0} s", budget.as_secs_f64());
            self.run.report(self.record, FileProblem::failed(self.shared.todo[k].id.clone(), reason));
            self.start_loader();
        }
    }

    fn commit(&mut self) -> Result<(), IndexError> {
        self.writer.commit()?;
        for k in self.ledger.committed() {
            self.note("done", k);
        }
        self.run.send(Event::Committed);
        Ok(())
    }

    /// The run stops: files cut off by cancelling are dropped whole, so the next run reads them
    /// again, and the loaders are let go.
    fn finish(mut self) -> Progress {
        for (k, added) in std::mem::take(&mut self.ledger).cut_off() {
            self.drop_file(k, added);
        }
        // Loaders stop at the next file once the queue is empty or the run is cancelled; one
        // stuck on a file past its budget is left to finish by itself. Those helping with
        // mailboxes stop now: nothing they could send would be taken.
        self.shared.over.store(true, Ordering::SeqCst);
        drop(self.tx);
        for h in self.handles {
            if (h.is_finished() || self.shared.busy_count() == 0) && h.join().is_err() {
                log::warn!("a loader thread panicked");
            }
        }
        self.progress
    }
}

/// The indexer's bookkeeping of a run's files as their pieces arrive, apart from the threads and
/// the writer so that it can be tested alone.
#[derive(Debug, Default)]
struct FileLedger {
    /// Files whose earlier documents were deleted and new ones are being added, with how many.
    open: HashMap<usize, u64>,
    /// Bytes of a streamed file counted so far, so that its end adds only the rest.
    counted: HashMap<usize, u64>,
    /// Files reported as over their time budget; whatever they still send is ignored.
    timed_out: HashSet<usize>,
    /// Files read whole since the last commit.
    read: Vec<usize>,
}

impl FileLedger {
    /// A document of file `k` arrived; `true` if it is the file's first, so that its earlier
    /// documents must be deleted before it is added.
    fn document(&mut self, k: usize) -> bool {
        let added = self.open.entry(k).or_default();
        *added += 1;
        *added == 1
    }

    /// A message of `size` bytes of the streamed file `k` (`file_size` bytes) was read: the
    /// bytes to count now, never past the file's size.
    fn streamed(&mut self, k: usize, size: u64, file_size: u64) -> u64 {
        let counted = self.counted.entry(k).or_default();
        let add = size.min(file_size.saturating_sub(*counted));
        *counted += add;
        add
    }

    /// File `k` (`file_size` bytes) ended, read whole (`ok`) or failed: the bytes left to count,
    /// and whether its documents must go, with how many of them this run added. A failed file
    /// drops what it added (its older documents stay); a file read whole that yielded nothing
    /// drops its older ones (every message of a mailbox now damaged).
    fn done(&mut self, k: usize, file_size: u64, ok: bool) -> (u64, Option<u64>) {
        self.read.push(k);
        let rest = file_size.saturating_sub(self.counted.remove(&k).unwrap_or(0));
        let added = self.open.remove(&k);
        let dropped = match (ok, added) {
            (true, Some(_)) => None,
            (true, None) => Some(0),
            (false, added) => added,
        };
        (rest, dropped)
    }

    /// File `k` ran over its time budget: `None` if that was already said, else whether it had
    /// documents in flight (to drop, with how many).
    fn time_out(&mut self, k: usize) -> Option<Option<u64>> {
        self.timed_out.insert(k).then(|| self.open.remove(&k))
    }

    fn is_timed_out(&self, k: usize) -> bool {
        self.timed_out.contains(&k)
    }

    /// A commit landed: the files read whole since the previous one are now in the index whole.
    fn committed(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.read)
    }

    /// The run stops: the files cut off mid-way, with the documents each had added.
    fn cut_off(self) -> impl Iterator<Item = (usize, u64)> {
        self.open.into_iter()
    }
}

/// What a loader thread sends: a document with its entities, a report entry about part of a
/// file, and, last for each file, whether the file as a whole could be read.
enum Loaded {
    Doc(usize, Box<LoadedDoc>, Vec<Entity>),
    Problem(usize, FileProblem),
    Done(usize, Result<(), FileProblem>),
}

impl Loaded {
    fn file(&self) -> usize {
        match self {
            Loaded::Doc(k, ..) | Loaded::Problem(k, _) | Loaded::Done(k, _) => *k,
        }
    }
}

/// Files larger than this are read one at a time.
const LARGE_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Text of mailbox messages waiting for a free loader at most (see [`Spare`]); past it, the
/// loader reading the mailbox finds a message's entities itself.
const SPARE_BYTES: usize = 8 * 1024 * 1024;

/// A message of a mailbox (file `k`) handed by the loader reading it to any free loader, so a
/// mailbox's messages are extracted on every core like separate files.
struct Spare {
    k: usize,
    doc: Box<LoadedDoc>,
    owner: Arc<Handoff>,
}

/// What the loader reading a mailbox keeps of the messages it handed off: how many are not sent
/// yet (it sends the file's `Done` after them), and whether finding entities in one panicked.
#[derive(Default)]
struct Handoff {
    pending: AtomicUsize,
    failed: AtomicBool,
}

/// Handed-off messages, oldest first, and the bytes of text they hold.
#[derive(Default)]
struct SpareQueue {
    items: std::collections::VecDeque<Spare>,
    bytes: usize,
}

/// What loader threads share: the files to do, who is busy with which since when.
struct Shared {
    todo: Vec<Candidate>,
    /// Where a loader notes that it starts a file, before reading a byte of it.
    journal: Option<Arc<Journal>>,
    next: AtomicUsize,
    /// File index → when a loader started its current step on it, and the time that step may take.
    busy: Mutex<HashMap<usize, (Instant, Duration)>>,
    /// The large file being read (see [`LARGE_FILE_BYTES`]); the indexer takes the turn back
    /// from one that times out, so a stuck file cannot hold up the next.
    large_turn: Mutex<Option<usize>>,
    turn_freed: std::sync::Condvar,
    cancel: Arc<AtomicBool>,
    extractor: Arc<dyn Extractor>,
    options: Options,
    /// Mailbox messages waiting for a loader to find their entities.
    spare: Mutex<SpareQueue>,
    spare_changed: std::sync::Condvar,
    /// Mailboxes not read to their end yet (counted from the start, so a loader with no file
    /// left never misses one that is about to start): such a loader helps while there are any.
    streaming: AtomicUsize,
    /// More than one loader runs, so handing off messages can help.
    helpers: bool,
    /// The indexer took its last document: loaders waiting for mailbox messages stop.
    over: AtomicBool,
}

impl Shared {
    fn spare(&self) -> std::sync::MutexGuard<'_, SpareQueue> {
        self.spare.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Hands message `doc` of file `k` to whichever loader is free, or gives it back when the
    /// queue holds enough already.
    fn hand_off(&self, k: usize, doc: Box<LoadedDoc>, owner: &Arc<Handoff>) -> Result<(), Box<LoadedDoc>> {
        let mut queue = self.spare();
        if !self.helpers || queue.bytes + doc.text.len() > SPARE_BYTES {
            return Err(doc);
        }
        queue.bytes += doc.text.len();
        owner.pending.fetch_add(1, Ordering::SeqCst);
        queue.items.push_back(Spare { k, doc, owner: owner.clone() });
        self.spare_changed.notify_all();
        Ok(())
    }

    /// The oldest handed-off message, if any.
    fn take_spare(&self) -> Option<Spare> {
        let mut queue = self.spare();
        let spare = queue.items.pop_front()?;
        queue.bytes -= spare.doc.text.len();
        Some(spare)
    }

    /// Waits a moment for a message to be handed off or sent.
    fn wait_spare(&self) {
        let queue = self.spare();
        if queue.items.is_empty() {
            let _ = self.spare_changed.wait_timeout(queue, Duration::from_millis(20));
        }
    }

    fn busy(&self) -> std::sync::MutexGuard<'_, HashMap<usize, (Instant, Duration)>> {
        // A loader never panics while holding the lock (panics are caught around the work).
        self.busy.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts the clock on a step of file `k` that may take `budget`.
    fn step(&self, k: usize, budget: Duration) {
        self.busy().insert(k, (Instant::now(), budget));
    }

    /// The time it may take to handle `bytes`: the base budget plus an allowance per megabyte.
    fn budget_for(&self, bytes: u64) -> Duration {
        self.options.file_time_budget + self.options.time_per_mb.mul_f64(bytes as f64 / (1024.0 * 1024.0))
    }

    /// The time reading file `k` may take, by the bytes it has to read.
    fn budget(&self, k: usize) -> Duration {
        self.budget_for(self.todo[k].stamp.size_bytes.min(self.options.max_file_bytes))
    }

    /// Files whose loader has been at its current step longer than its budget, with that budget.
    fn overdue(&self) -> Vec<(usize, Duration)> {
        let mut out: Vec<(usize, Duration)> = self
            .busy()
            .iter()
            .filter(|(_, (t, budget))| t.elapsed() > *budget)
            .map(|(k, (_, budget))| (*k, *budget))
            .collect();
        out.sort_unstable();
        out
    }

    /// Waits for the large-file turn and takes it for file `k`; `false` if the run was
    /// cancelled meanwhile.
    fn take_turn(&self, k: usize) -> bool {
        let mut holder = self.large_turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while holder.is_some() {
            if self.cancel.load(Ordering::Relaxed) {
                return false;
            }
            holder = self
                .turn_freed
                .wait_timeout(holder, Duration::from_millis(100))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        *holder = Some(k);
        true
    }

    /// Gives the large-file turn back if file `k` has it.
    fn give_turn(&self, k: usize) {
        let mut holder = self.large_turn.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *holder == Some(k) {
            *holder = None;
            self.turn_freed.notify_all();
        }
    }

    fn busy_count(&self) -> usize {
        self.busy().len()
    }
}

fn spawn_loader(shared: &Arc<Shared>, tx: &SyncSender<Loaded>, n: usize) -> std::io::Result<JoinHandle<()>> {
    let (shared, tx) = (shared.clone(), tx.clone());
    std::thread::Builder::new().name(format!("dossier-load-{n}")).spawn(move || {
        loop {
            // Messages handed off by a loader reading a mailbox first: it waits for them.
            while let Some(spare) = shared.take_spare() {
                if !extract_spare(&shared, spare, &tx) {
                    return;
                }
            }
            let k = shared.next.fetch_add(1, Ordering::Relaxed);
            if k >= shared.todo.len() || shared.cancel.load(Ordering::Relaxed) {
                help_with_mailboxes(&shared, &tx);
                break;
            }
            // One large file at a time: its text, its entities and its index entry each take
            // memory in proportion to its size, so peak memory stays bounded by one large file
            // (plus small ones) however many cores read in parallel.
            let c = &shared.todo[k];
            let large = c.stamp.size_bytes > LARGE_FILE_BYTES && !load::streams(&c.path);
            if large && !shared.take_turn(k) {
                break;
            }
            if let Some(j) = &shared.journal {
                j.note("start", &c.id);
            }
            shared.step(k, shared.budget(k));
            let alive = load_and_extract(k, &shared, &tx);
            shared.busy().remove(&k);
            shared.give_turn(k);
            if !alive {
                break;
            }
        }
    })
}

/// With no file left, finds the entities of messages that loaders still reading a mailbox hand
/// off, until none is reading one.
fn help_with_mailboxes(shared: &Shared, tx: &SyncSender<Loaded>) {
    while !shared.cancel.load(Ordering::Relaxed) && !shared.over.load(Ordering::SeqCst) {
        match shared.take_spare() {
            Some(spare) => {
                if !extract_spare(shared, spare, tx) {
                    return;
                }
            }
            None if shared.streaming.load(Ordering::SeqCst) == 0 => return,
            None => shared.wait_spare(),
        }
    }
}

/// Finds the entities of a handed-off message and sends it on. A panic fails the message's
/// file, as it would have on the loader reading it. Returns `false` once the receiver is gone.
fn extract_spare(shared: &Shared, spare: Spare, tx: &SyncSender<Loaded>) -> bool {
    let Spare { k, doc, owner } = spare;
    let found = std::panic::catch_unwind(AssertUnwindSafe(|| shared.extractor.extract(&doc.text)));
    let sent = match found {
        Ok(entities) => tx.send(Loaded::Doc(k, doc, entities)).is_ok(),
        Err(_) => {
            owner.failed.store(true, Ordering::SeqCst);
            true
        }
    };
    owner.pending.fetch_sub(1, Ordering::SeqCst);
    shared.spare_changed.notify_all();
    sent
}

/// Counts a mailbox as done when dropped (see [`Shared::streaming`]).
struct Streaming<'a>(&'a AtomicUsize);

impl Drop for Streaming<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Loads file `k`, finds the entities of each of its documents and sends them on; a panic in
/// either is that file's failure. A mailbox's messages are handed to free loaders (see
/// [`Spare`]) and the file is done once they are all sent. Returns `false` once the receiver is
/// gone.
fn load_and_extract(k: usize, shared: &Shared, tx: &SyncSender<Loaded>) -> bool {
    let c = &shared.todo[k];
    let options = &shared.options;
    let mut receiver_gone = false;
    let mailbox = load::streams(&c.path);
    // Only a mailbox counts (`then_some` would make and drop one for every other file).
    let _streaming = if mailbox { Some(Streaming(&shared.streaming)) } else { None };
    let owner = Arc::new(Handoff::default());
    let work = AssertUnwindSafe(|| {
        load::load_file(&c.path, &c.id, options.max_file_bytes, &mut |piece| {
            if shared.cancel.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            let sent = match piece {
                Piece::Doc(mut doc) => {
                    let language = crate::lang::detect(&doc.text);
                    doc.language = language.map(|l| l.code.to_owned()).unwrap_or_default();
                    // The recogniser knows English; on text that is clearly another language its
                    // guesses would look authoritative and be wrong, so the view says why there
                    // are none.
                    let english = language.is_none_or(|l| l.is_english());
                    let extract = options.extract_entities && english;
                    let doc = if extract && mailbox {
                        match shared.hand_off(k, doc, &owner) {
                            Ok(()) => {
                                // Reading each next message gets the time budget afresh.
                                shared.step(k, shared.budget(k));
                                return ControlFlow::Continue(());
                            }
                            Err(doc) => doc,
                        }
                    } else {
                        doc
                    };
                    // Finding entities takes time by the text, which may be far larger than the
                    // file (a spreadsheet's repeated strings): its own budget, by its size.
                    shared.step(k, shared.budget_for(doc.text.len() as u64));
                    let entities = if extract { shared.extractor.extract(&doc.text) } else { Vec::new() };
                    // Reading each next message of a mailbox gets the time budget afresh.
                    shared.step(k, shared.budget(k));
                    tx.send(Loaded::Doc(k, doc, entities))
                }
                Piece::Problem(problem) => tx.send(Loaded::Problem(k, problem)),
            };
            if sent.is_err() {
                receiver_gone = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        })
    });
    let outcome = std::panic::catch_unwind(work);
    // The messages handed off are sent before the file is done; this loader helps meanwhile.
    // Its clock runs on from the last message read: the file's budget covers the few megabytes
    // queued, and a message stuck on another loader times the file out.
    while owner.pending.load(Ordering::SeqCst) > 0 && !receiver_gone && !shared.cancel.load(Ordering::Relaxed) {
        match shared.take_spare() {
            Some(spare) => receiver_gone = !extract_spare(shared, spare, tx),
            None => shared.wait_spare(),
        }
    }
    let failed = |why: &str| FileProblem::failed(c.id.clone(), why);
    let outcome = match outcome {
        Ok(Ok(())) if owner.failed.load(Ordering::SeqCst) => {
            Err(failed("internal error while finding the entities of a message (reported as a bug)"))
        }
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.problem(c.id.clone())),
        Err(_) => Err(failed("internal error while reading this file (reported as a bug)")),
    };
    !receiver_gone && tx.send(Loaded::Done(k, outcome)).is_ok()
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
        if entry.file_type().is_dir() {
            continue;
        }
        if !entry.file_type().is_file() {
            let id = relative_id(folder, entry.path());
            problems.push(FileProblem::skipped(id, "not a regular file (a pipe, socket or device)"));
            continue;
        }
        let path = entry.path();
        let id = relative_id(folder, path);
        if let Some(reason) = load::skip_reason(path) {
            problems.push(reason.problem(id));
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

/// `path` relative to `folder`, with `/` separators: a document's id. Bytes of a name that are
/// not UTF-8 are written `%XX`, and `%` itself `%25`, so different names never share an id
/// (`a%FF.txt` and a name with the byte 0xFF are `a%25FF.txt` and `a%FF.txt`).
fn relative_id(folder: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(folder).unwrap_or(path);
    rel.components().map(|c| name_of(c.as_os_str())).collect::<Vec<_>>().join("/")
}

fn name_of(name: &std::ffi::OsStr) -> String {
    if let Some(s) = name.to_str() {
        return s.replace('%', "%25");
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let mut out = String::new();
        for chunk in name.as_bytes().utf8_chunks() {
            out.push_str(&chunk.valid().replace('%', "%25"));
            for b in chunk.invalid() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }
    #[cfg(not(unix))]
    name.to_string_lossy().into_owned()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ledger_keeps_whole_files_and_drops_cut_ones() {
        let mut ledger = FileLedger::default();
        // File 0, a mailbox of 100 bytes: two messages, then its end.
        assert!(ledger.document(0), "the first document replaces the file's old ones");
        assert_eq!(ledger.streamed(0, 30, 100), 30);
        assert!(!ledger.document(0));
        assert_eq!(ledger.streamed(0, 90, 100), 70, "never counts past the file");
        assert_eq!(ledger.done(0, 100, true), (0, None), "read whole: kept");
        // File 1 failed after one document: that document goes (older ones stay).
        ledger.document(1);
        assert_eq!(ledger.done(1, 10, false), (10, Some(1)));
        // File 2 read whole but yielded nothing: its older documents go.
        assert_eq!(ledger.done(2, 5, true), (5, Some(0)));
        assert_eq!(ledger.committed(), [0, 1, 2]);
        assert!(ledger.committed().is_empty());
        // File 3 times out with a document in flight, once; what it sends later is ignored.
        ledger.document(3);
        assert_eq!(ledger.time_out(3), Some(Some(1)));
        assert_eq!(ledger.time_out(3), None);
        assert!(ledger.is_timed_out(3) && !ledger.is_timed_out(4));
        // File 4 is cut off by a cancel.
        ledger.document(4);
        ledger.document(4);
        assert_eq!(ledger.cut_off().collect::<Vec<_>>(), [(4, 2)]);
    }
}
