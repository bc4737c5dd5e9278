//! Indexing a folder on background threads, in two stages. First its text: walk → compare with
//! the index → load in parallel → write and commit in batches, so every document is searchable as
//! fast as its text can be indexed. Then its entities ([`entities`]): each document indexed
//! without them is read back from the index, its entities are found in parallel, and it is
//! replaced.
//!
//! [`start`] returns at once with a [`Indexing`] handle. The work happens on named threads:
//! `dossier-indexer` owns the one [`DocWriter`] and commits; `dossier-load-N` workers read files,
//! and `dossier-entities-N` workers find entities. Progress and results come back as [`Event`]s
//! over a bounded channel, and `notify` is called after each one (the GUI passes
//! `ctx.request_repaint`). A file that cannot be read becomes a [`FileProblem`]; it never stops
//! the run, and a run that is cancelled or fails still commits what it indexed. A run stopped
//! between the stages keeps the text; the next run finds the entities that are left.

mod entities;

pub use entities::STOPPED_A_RUN as ENTITIES_STOPPED_A_RUN;

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
use crate::model::{EntityStage, FileProblem, LoadedDoc, Outcome};
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
    /// Loader threads, and threads finding entities; 0 means one per core.
    pub workers: usize,
    /// Commit at least this often while indexing text, so documents show up as they are indexed
    /// (the first commit comes sooner: [`FIRST_COMMIT`]).
    pub commit_every: Duration,
    /// Commit at least this often while finding entities. Less often than text: every commit
    /// makes the app count the folder's entities again.
    pub entities_commit_every: Duration,
    /// Report progress at most this often.
    pub progress_every: Duration,
    /// Find entities once the text is indexed (the second stage). Off, documents stay
    /// text-only until a run with it on (to measure the text alone).
    pub extract_entities: bool,
    /// A file that takes longer than this, plus [`Options::time_per_mb`] for each megabyte it
    /// has to read, to load is reported as timed out (for a mailbox, the budget is per
    /// message); so is finding a document's entities, by the megabytes of its text.
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
    /// Find again the entities of documents an earlier version of the recogniser found them in
    /// (see [`crate::model::RECOGNISER_VERSION`]). Off for the CLI's queries, which should not
    /// wait for a whole folder's entities to be found again.
    pub refresh_outdated: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            skip_hidden: true,
            max_file_bytes: load::DEFAULT_MAX_BYTES,
            workers: 0,
            commit_every: Duration::from_millis(1500),
            entities_commit_every: Duration::from_secs(5),
            progress_every: Duration::from_millis(50),
            extract_entities: true,
            file_time_budget: Duration::from_secs(60),
            time_per_mb: Duration::from_secs(3),
            allow_empty: false,
            retry_skipped: false,
            refresh_outdated: true,
        }
    }
}

/// The first commit of a run comes this soon after the text stage starts (or at its first
/// document, if later), so the first documents are searchable at once; later ones come every
/// [`Options::commit_every`].
pub const FIRST_COMMIT: Duration = Duration::from_millis(250);

/// Which stage of a run is going.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Stage {
    /// Reading files and indexing their text: `total` and `done` count files.
    #[default]
    Text,
    /// Finding the entities of documents already searchable: `total` and `done` count documents.
    Entities,
}

/// Where a run is, in its current stage.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Progress {
    pub stage: Stage,
    /// Files to (re)index in this run (unchanged files are not counted), or documents whose
    /// entities are to be found.
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    /// Bytes of the files to (re)index, and how many of them are read so far (a mailbox counts
    /// as it is read, message by message, so a large one does not sit at 0%); or bytes of the
    /// documents whose entities are to be found.
    pub total_bytes: u64,
    pub bytes_done: u64,
    /// Documents indexed so far (a mailbox holds many; attachments count too), or whose
    /// entities were found.
    pub documents: usize,
    /// Time since the stage started.
    pub elapsed: Duration,
}

impl Progress {
    /// Files (or documents, finding entities) per second so far.
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
        let (todo, unchanged, removed) = self.plan(record, candidates, known, &last, &skipped);
        // Documents whose entities were being found when the last process died stay suspects
        // until this run gives up on them (in its entity stage), unless their file is read again.
        let read_again: HashSet<&str> = todo.iter().map(|c| c.id.as_str()).collect();
        let mut suspects: BTreeSet<(String, String)> =
            last.finding.iter().filter(|(file, _)| !read_again.contains(file.as_str())).cloned().collect();
        let journal = match Journal::create(&self.index_dir, &skipped, &suspects) {
            Ok(j) => Some(Arc::new(j)),
            Err(e) => {
                log::warn!("cannot write the indexing journal in {}: {e}", self.index_dir.display());
                None
            }
        };
        self.send(Event::Planned { to_index: todo.len(), unchanged, removed: removed.len() });
        for id in &removed {
            writer.delete_file(id);
        }
        record.removed = removed.len() as u64;
        if !removed.is_empty() {
            writer.commit()?;
            self.send(Event::Committed);
        }
        let result = self.index_files(&mut writer, todo, journal.clone(), record, started);
        // Commit what was indexed even if the run was cancelled or a write failed.
        let mut committed = writer.commit();
        self.send(Event::Committed);
        if record.indexed > 0 {
            let now = started.elapsed().as_secs_f64();
            record.text_secs = Some(now);
            record.first_searchable_secs.get_or_insert(now);
        }
        let result = match (result, &committed) {
            (Ok(()), Ok(())) if self.options.extract_entities && !self.cancel.load(Ordering::Relaxed) => {
                let found = entities::find(self, &mut writer, journal, record, &mut suspects);
                // Whatever entities were found are kept, even if a write failed or it was cancelled.
                committed = writer.commit();
                self.send(Event::Committed);
                found
            }
            (result, _) => result,
        };
        if committed.is_ok() {
            // Every file read is committed whole (or dropped whole): only the skipped remain, and
            // the suspects of the entity stage if it did not get to them.
            if let Err(e) = Journal::create(&self.index_dir, &skipped, &suspects) {
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
            // Documents left without entities are tried again on Retry: what happens then is news.
            let retried = |p: &FileProblem| self.options.retry_skipped && p.outcome == Outcome::NoEntities;
            for p in previous.problems.into_iter().filter(|p| unchanged.contains(p.file()) && !retried(p)) {
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
        let workers = workers(&self.options).min(total.max(1));
        let shared = Arc::new(Shared {
            journal,
            todo,
            next: AtomicUsize::new(0),
            busy: Busy::default(),
            large_turn: Turn::default(),
            cancel: self.cancel.clone(),
            options: self.options.clone(),
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
            // The first documents are committed at once, so they can be searched while the rest
            // are read.
            let first = intake.record.first_searchable_secs.is_none() && intake.progress.documents > 0;
            if last_commit.elapsed() >= self.options.commit_every || (first && last_commit.elapsed() >= FIRST_COMMIT) {
                intake.commit()?;
                if first {
                    intake.record.first_searchable_secs = Some(started.elapsed().as_secs_f64());
                }
                last_commit = Instant::now();
            }
            if last_progress.elapsed() >= self.options.progress_every || intake.progress.done == total {
                intake.progress.elapsed = started.elapsed();
                last_progress = Instant::now();
                self.send(Event::Progress(intake.progress.clone()));
            }
        }
        drop(rx);
        let mut progress = intake.finish()?;
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
            Loaded::Doc(k, doc, stage) => {
                if self.ledger.document(k) {
                    self.writer.delete_file(&self.shared.todo[k].id);
                }
                self.writer.add(&doc, &[], stage)?;
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
        for (k, budget) in self.shared.busy.overdue() {
            let Some(added) = self.ledger.time_out(k) else { continue };
            // Its turn goes to the next large file; the stuck loader's memory stays taken until
            // it finishes, if ever.
            self.shared.large_turn.give(k);
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

    /// The stage stops: files cut off by cancelling are dropped whole, so the next run reads
    /// them again, the rest is committed, and the loaders are let go.
    fn finish(mut self) -> Result<Progress, IndexError> {
        for (k, added) in self.ledger.cut_off() {
            self.drop_file(k, added);
        }
        self.commit()?;
        // Loaders stop at the next file once the queue is empty or the run is cancelled; one
        // stuck on a file past its budget is left to finish by itself.
        drop(self.tx);
        join_finished(self.handles, &self.shared.busy);
        Ok(self.progress)
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
    fn cut_off(&mut self) -> impl Iterator<Item = (usize, u64)> + use<> {
        std::mem::take(&mut self.open).into_iter()
    }
}

/// What a loader thread sends: a document (and whether its entities are to be found), a report
/// entry about part of a file, and, last for each file, whether the file as a whole could be read.
enum Loaded {
    Doc(usize, Box<LoadedDoc>, EntityStage),
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

/// Files larger than this are read one at a time (and documents larger than this have their
/// entities found one at a time).
const LARGE_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Loader threads for `options`: one per core unless set.
fn workers(options: &Options) -> usize {
    match options.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get()),
        n => n,
    }
}

/// What loader threads share: the files to do, who is busy with which since when.
struct Shared {
    todo: Vec<Candidate>,
    /// Where a loader notes that it starts a file, before reading a byte of it.
    journal: Option<Arc<Journal>>,
    next: AtomicUsize,
    busy: Busy,
    /// The large file being read (see [`LARGE_FILE_BYTES`]).
    large_turn: Turn,
    cancel: Arc<AtomicBool>,
    options: Options,
}

impl Shared {
    /// The time reading file `k` may take, by the bytes it has to read.
    fn budget(&self, k: usize) -> Duration {
        budget_for(&self.options, self.todo[k].stamp.size_bytes.min(self.options.max_file_bytes))
    }
}

/// The time it may take to handle `bytes`: the base budget plus an allowance per megabyte.
fn budget_for(options: &Options, bytes: u64) -> Duration {
    options.file_time_budget + options.time_per_mb.mul_f64(bytes as f64 / (1024.0 * 1024.0))
}

/// Which work item (a file, or a document whose entities are found) each worker is on, since
/// when, and the time that step may take; the indexer times out the overdue ones.
#[derive(Default)]
struct Busy(Mutex<HashMap<usize, (Instant, Duration)>>);

impl Busy {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<usize, (Instant, Duration)>> {
        // A worker never panics while holding the lock (panics are caught around the work).
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Starts the clock on a step of item `k` that may take `budget`.
    fn step(&self, k: usize, budget: Duration) {
        self.lock().insert(k, (Instant::now(), budget));
    }

    fn finish(&self, k: usize) {
        self.lock().remove(&k);
    }

    /// Items whose worker has been at its current step longer than its budget, with that budget.
    fn overdue(&self) -> Vec<(usize, Duration)> {
        let mut out: Vec<(usize, Duration)> = self
            .lock()
            .iter()
            .filter(|(_, (t, budget))| t.elapsed() > *budget)
            .map(|(k, (_, budget))| (*k, *budget))
            .collect();
        out.sort_unstable();
        out
    }

    fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }
}

/// A turn that one large item holds at a time, so peak memory stays bounded by one large item
/// (plus small ones) however many cores work in parallel. The indexer takes the turn back from
/// an item that times out, so a stuck one cannot hold up the next.
#[derive(Default)]
struct Turn {
    holder: Mutex<Option<usize>>,
    freed: std::sync::Condvar,
}

impl Turn {
    /// Waits for the turn and takes it for item `k`; `false` if `cancel` was set meanwhile.
    fn take(&self, k: usize, cancel: &AtomicBool) -> bool {
        let mut holder = self.holder.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        while holder.is_some() {
            if cancel.load(Ordering::Relaxed) {
                return false;
            }
            holder = self
                .freed
                .wait_timeout(holder, Duration::from_millis(100))
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        }
        *holder = Some(k);
        true
    }

    /// Gives the turn back if item `k` has it.
    fn give(&self, k: usize) {
        let mut holder = self.holder.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if *holder == Some(k) {
            *holder = None;
            self.freed.notify_all();
        }
    }
}

/// Joins the workers that are done; one stuck past its budget is left to finish by itself.
fn join_finished(handles: Vec<JoinHandle<()>>, busy: &Busy) {
    for h in handles {
        if (h.is_finished() || busy.is_empty()) && h.join().is_err() {
            log::warn!("a worker thread panicked");
        }
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
            // One large file at a time: its text and its index entry each take memory in
            // proportion to its size.
            let c = &shared.todo[k];
            let large = c.stamp.size_bytes > LARGE_FILE_BYTES && !load::streams(&c.path);
            if large && !shared.large_turn.take(k, &shared.cancel) {
                break;
            }
            if let Some(j) = &shared.journal {
                j.note("start", &c.id);
            }
            shared.busy.step(k, shared.budget(k));
            let alive = load(k, &shared, &tx);
            shared.busy.finish(k);
            shared.large_turn.give(k);
            if !alive {
                break;
            }
        }
    })
}

/// Loads file `k` and sends its documents on; a panic is that file's failure. Returns `false`
/// once the receiver is gone.
fn load(k: usize, shared: &Shared, tx: &SyncSender<Loaded>) -> bool {
    let c = &shared.todo[k];
    let options = &shared.options;
    let mut receiver_gone = false;
    let work = AssertUnwindSafe(|| {
        load::load_file(&c.path, &c.id, options.max_file_bytes, &mut |piece| {
            if shared.cancel.load(Ordering::Relaxed) {
                return ControlFlow::Break(());
            }
            let sent = match piece {
                Piece::Doc(doc) => {
                    // Its language is told with its entities: detecting it took a third of the
                    // time of indexing text.
                    let stage = if doc.text.trim().is_empty() { EntityStage::Found } else { EntityStage::Pending };
                    // Reading each next message of a mailbox gets the time budget afresh.
                    shared.busy.step(k, shared.budget(k));
                    tx.send(Loaded::Doc(k, doc, stage))
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
    let outcome = match std::panic::catch_unwind(work) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(e.problem(c.id.clone())),
        Err(_) => Err(FileProblem::failed(c.id.clone(), "internal error while reading this file (reported as a bug)")),
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
    on_event: impl FnMut(&Event),
) -> std::io::Result<(RunRecord, Option<String>)> {
    run_blocking_until(folder, index, index_dir, extractor, options, &AtomicBool::new(false), on_event)
}

/// [`run_blocking`], cancelled (what was indexed is committed) once `stop` is set: how the
/// CLI stops on Ctrl+C.
pub fn run_blocking_until(
    folder: PathBuf,
    index: DocIndex,
    index_dir: PathBuf,
    extractor: Arc<dyn Extractor>,
    options: Options,
    stop: &AtomicBool,
    mut on_event: impl FnMut(&Event),
) -> std::io::Result<(RunRecord, Option<String>)> {
    let indexing = start(folder, index, index_dir, extractor, options, Arc::new(|| {}))?;
    loop {
        // Looked at between events too: progress comes more often than the wait.
        if stop.load(Ordering::Relaxed) {
            indexing.cancel();
        }
        match indexing.events.recv_timeout(Duration::from_millis(100)) {
            Ok(event) => {
                on_event(&event);
                if let Event::Finished { record, error } = event {
                    return Ok((record, error));
                }
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
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
