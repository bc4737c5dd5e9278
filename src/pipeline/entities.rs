//! A run's second stage: finding the entities of documents whose text is already indexed and
//! searchable.
//!
//! The documents still to do are those the index marks [`EntityStage::Pending`], so a run stopped
//! at any point (cancelled, closed, killed) leaves the rest for the next one. Each is read back from
//! the index (its stored text, title and metadata), its entities are found on a
//! `dossier-entities-N` worker, and the indexer replaces it with the same document plus its
//! entities. Re-indexing the text a second time is the price of keeping one index: it is a few
//! per cent of the time finding entities takes (see ARCHITECTURE.md).
//!
//! A document whose entities cannot be found (the recogniser panics, runs past its time budget,
//! or was busy with it when the process died) keeps its text, is marked
//! [`EntityStage::GivenUp`] and gets a line in the ingest report; it is tried again only when the
//! user asks (Retry).

use std::collections::{BTreeSet, HashSet};
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{RecvTimeoutError, SyncSender, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{Busy, Event, LARGE_FILE_BYTES, Progress, Run, Stage, Turn, budget_for, join_finished, workers};
use crate::index::{DocIndex, DocWriter, IndexError, ToFind};
use crate::model::{Entity, EntityStage, FileProblem, LoadedDoc};
use crate::store::{Journal, RunRecord};

/// Why a document has no entities after the process died while they were being found.
pub const STOPPED_A_RUN: &str =
    "stopped the previous run while its entities were being found; its text is searchable (Retry to try again)";

/// What an entity worker sends for document `k` of the list.
enum Found {
    /// The document, with its entities, or `None` if finding them panicked.
    Doc(usize, Box<LoadedDoc>, Option<Vec<Entity>>),
    /// The document is no longer in the index.
    Gone(usize),
    /// Its stored text could not be read.
    Unreadable(usize, String),
}

/// What entity workers share.
struct Shared {
    todo: Vec<ToFind>,
    next: AtomicUsize,
    busy: Busy,
    large_turn: Turn,
    cancel: Arc<AtomicBool>,
    index: DocIndex,
    extractor: Arc<dyn crate::entities::Extractor>,
    options: super::Options,
    journal: Option<Arc<Journal>>,
}

/// Finds the entities of every document that needs them, replacing each as it is done, and
/// commits as it goes. `suspects` (file, id) were in the recogniser when the last process died:
/// they are given up on (or, on Retry, tried like the rest), and the set is emptied once that is
/// committed.
pub(super) fn find(
    run: &Run,
    writer: &mut DocWriter,
    journal: Option<Arc<Journal>>,
    record: &mut RunRecord,
    suspects: &mut BTreeSet<(String, String)>,
) -> Result<(), IndexError> {
    let started = Instant::now();
    run.index.reload()?;
    let retry = run.options.retry_skipped;
    if retry {
        suspects.clear();
    }
    if !suspects.is_empty() {
        // One document that kills the recogniser must not kill every start.
        for (file, id) in suspects.iter() {
            let d = ToFind { id: id.clone(), file: file.clone(), size_bytes: 0 };
            give_up(run, writer, &d, record, STOPPED_A_RUN)?;
        }
        commit_given_up(run, writer, journal.as_deref(), suspects.iter().map(|(f, id)| (f.as_str(), id.as_str())))?;
        suspects.clear();
    }
    let todo = run.index.entities_to_find(retry, run.options.refresh_outdated)?;
    if todo.is_empty() {
        return Ok(());
    }
    let total = todo.len();
    let total_bytes = todo.iter().map(|d| d.size_bytes).sum();
    let mut progress = Progress { stage: Stage::Entities, total, total_bytes, ..Progress::default() };
    run.send(Event::Progress(progress.clone()));
    let shared = Arc::new(Shared {
        todo,
        next: AtomicUsize::new(0),
        busy: Busy::default(),
        large_turn: Turn::default(),
        cancel: run.cancel.clone(),
        index: run.index.clone(),
        extractor: run.extractor.clone(),
        options: run.options.clone(),
        journal: journal.clone(),
    });
    let (tx, rx) = sync_channel::<Found>(64);
    let mut handles = Vec::new();
    let start_worker = |handles: &mut Vec<JoinHandle<()>>| match spawn_worker(&shared, &tx, handles.len()) {
        Ok(h) => handles.push(h),
        Err(e) => log::warn!("cannot start an entity worker: {e}"),
    };
    for _ in 0..workers(&run.options).min(total) {
        start_worker(&mut handles);
    }
    if handles.is_empty() {
        return Err(IndexError::Threads(std::io::Error::other("the system refused every thread")));
    }
    let mut timed_out = HashSet::new();
    let (mut last_commit, mut last_progress) = (Instant::now(), Instant::now());
    let mut result = Ok(());
    while progress.done < total && !run.cancel.load(Ordering::Relaxed) {
        let step = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(found) => take(run, writer, &shared, record, &mut progress, &timed_out, found),
            Err(RecvTimeoutError::Timeout) => {
                let mut given_up = Vec::new();
                let step = shared.busy.overdue().into_iter().try_for_each(|(k, budget)| {
                    if !timed_out.insert(k) {
                        return Ok(());
                    }
                    // Its turn goes to the next large document, and a fresh worker takes its place.
                    shared.large_turn.give(k);
                    start_worker(&mut handles);
                    progress.done += 1;
                    progress.failed += 1;
                    progress.bytes_done += shared.todo[k].size_bytes;
                    let why = format!("timed out after {:.0} s while finding its entities", budget.as_secs_f64());
                    give_up(run, writer, &shared.todo[k], record, &why)?;
                    given_up.push(k);
                    Ok(())
                });
                // Committed at once, then no longer a suspect: should the stuck recogniser kill
                // the process later, the next run neither retries it nor gives up on it twice.
                if step.is_ok() && !given_up.is_empty() {
                    let docs = given_up.iter().map(|&k| (shared.todo[k].file.as_str(), shared.todo[k].id.as_str()));
                    commit_given_up(run, writer, shared.journal.as_deref(), docs)?;
                    last_commit = Instant::now();
                }
                step
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Err(e) = step {
            result = Err(e);
            run.cancel.store(true, Ordering::Relaxed);
            break;
        }
        if last_commit.elapsed() >= run.options.entities_commit_every {
            commit(run, writer)?;
            last_commit = Instant::now();
        }
        if last_progress.elapsed() >= run.options.progress_every || progress.done == total {
            progress.elapsed = started.elapsed();
            last_progress = Instant::now();
            run.send(Event::Progress(progress.clone()));
        }
    }
    // Workers stop at their next document; one stuck past its budget finishes by itself.
    shared.cancel_workers();
    drop(rx);
    drop(tx);
    join_finished(handles, &shared.busy);
    let committed = commit(run, writer);
    progress.elapsed = started.elapsed();
    run.send(Event::Progress(progress));
    result.and(committed)
}

/// Commits what was found so far.
fn commit(run: &Run, writer: &mut DocWriter) -> Result<(), IndexError> {
    writer.commit()?;
    run.send(Event::Committed);
    // Let go of the segments the replaced documents were in.
    run.index.reload()
}

/// Commits the documents just given up on, then notes them done in the journal: committed as
/// given up, they are no longer suspects, and a later crash neither retries them nor gives up on
/// them twice.
fn commit_given_up<'a>(
    run: &Run,
    writer: &mut DocWriter,
    journal: Option<&Journal>,
    docs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), IndexError> {
    commit(run, writer)?;
    if let Some(j) = journal {
        for (file, id) in docs {
            j.note_doc("found", file, id);
        }
    }
    Ok(())
}

/// One worker's answer for a document.
fn take(
    run: &Run,
    writer: &mut DocWriter,
    shared: &Shared,
    record: &mut RunRecord,
    progress: &mut Progress,
    timed_out: &HashSet<usize>,
    found: Found,
) -> Result<(), IndexError> {
    let k = match &found {
        Found::Doc(k, ..) | Found::Gone(k) | Found::Unreadable(k, _) => *k,
    };
    if timed_out.contains(&k) {
        // Given up on already; too late.
        return Ok(());
    }
    progress.done += 1;
    progress.bytes_done += shared.todo[k].size_bytes;
    match found {
        Found::Doc(_, doc, Some(entities)) => {
            writer.replace(&doc, &entities, EntityStage::Found)?;
            record.entities_found += 1;
            progress.documents += 1;
        }
        Found::Doc(_, doc, None) => {
            progress.failed += 1;
            writer.replace(&doc, &[], EntityStage::GivenUp)?;
            let why = "internal error while finding its entities (reported as a bug)";
            report_once(run, record, problem(&shared.todo[k], why));
        }
        Found::Gone(_) => {}
        Found::Unreadable(_, e) => {
            // Left as it is: the next run tries again.
            progress.failed += 1;
            report_once(run, record, problem(&shared.todo[k], &format!("cannot read its indexed text: {e}")));
        }
    }
    Ok(())
}

/// The ingest report's line for a document without entities.
fn problem(d: &ToFind, why: &str) -> FileProblem {
    let reason =
        if why.contains("its text is searchable") { why.to_owned() } else { format!("{why}; its text is searchable") };
    let problem = FileProblem::no_entities(d.id.clone(), reason);
    if d.id == d.file { problem } else { problem.inside(d.file.clone()) }
}

/// Marks document `d` as given up (its text stays, its language is told) and reports why,
/// unless it is gone.
fn give_up(run: &Run, writer: &mut DocWriter, d: &ToFind, record: &mut RunRecord, why: &str) -> Result<(), IndexError> {
    match run.index.stored_doc(&d.id, &d.file) {
        Ok(Some(mut doc)) => {
            doc.language = crate::lang::detect(&doc.text).map(|l| l.code.to_owned()).unwrap_or_default();
            writer.replace(&doc, &[], EntityStage::GivenUp)?;
            report_once(run, record, problem(d, why));
        }
        Ok(None) => {}
        // Left as it is; said once.
        Err(e) => report_once(run, record, problem(d, &format!("cannot read its indexed text: {e}"))),
    }
    Ok(())
}

/// Reports `problem` unless the report has it already (carried over from the last run).
fn report_once(run: &Run, record: &mut RunRecord, problem: FileProblem) {
    if !record.problems.contains(&problem) {
        run.report(record, problem);
    }
}

impl Shared {
    fn cancel_workers(&self) {
        // Past the end of the list: every worker stops at its next document.
        self.next.store(usize::MAX / 2, Ordering::SeqCst);
    }
}

fn spawn_worker(shared: &Arc<Shared>, tx: &SyncSender<Found>, n: usize) -> std::io::Result<JoinHandle<()>> {
    let (shared, tx) = (shared.clone(), tx.clone());
    std::thread::Builder::new().name(format!("dossier-entities-{n}")).spawn(move || {
        loop {
            let k = shared.next.fetch_add(1, Ordering::SeqCst);
            if k >= shared.todo.len() || shared.cancel.load(Ordering::Relaxed) {
                break;
            }
            let d = &shared.todo[k];
            let large = d.size_bytes > LARGE_FILE_BYTES;
            if large && !shared.large_turn.take(k, &shared.cancel) {
                break;
            }
            if let Some(j) = &shared.journal {
                j.note_doc("find", &d.file, &d.id);
            }
            let options = &shared.options;
            shared.busy.step(k, budget_for(options, d.size_bytes));
            let found = match shared.index.stored_doc(&d.id, &d.file) {
                Ok(Some(mut doc)) => {
                    // Finding entities takes time by the text, which may be far larger than the
                    // document's bytes (a spreadsheet's repeated strings).
                    shared.busy.step(k, budget_for(options, doc.text.len() as u64));
                    let extractor = &shared.extractor;
                    let entities = std::panic::catch_unwind(AssertUnwindSafe(|| {
                        let language = crate::lang::detect(&doc.text);
                        doc.language = language.map(|l| l.code.to_owned()).unwrap_or_default();
                        // The recogniser knows English; on text that is clearly another language
                        // its guesses would look authoritative and be wrong, so the view says why
                        // there are none.
                        if language.is_none_or(|l| l.is_english()) { extractor.extract(&doc.text) } else { Vec::new() }
                    }))
                    .ok();
                    Found::Doc(k, Box::new(doc), entities)
                }
                Ok(None) => Found::Gone(k),
                Err(e) => Found::Unreadable(k, e.to_string()),
            };
            // Out of the recogniser: if the process dies now, this document did not kill it (it
            // stays pending in the index until its replacement is committed).
            if let Some(j) = &shared.journal {
                j.note_doc("found", &d.file, &d.id);
            }
            shared.busy.finish(k);
            shared.large_turn.give(k);
            if tx.send(found).is_err() {
                break;
            }
        }
    })
}
