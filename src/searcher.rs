//! The searcher thread: answers queries against an open index without ever blocking the caller.
//!
//! Every request gets a generation number. When requests pile up, only the newest of each kind
//! is answered; replies carry their generation so a front end can drop stale ones.

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, TryRecvError, TrySendError, sync_channel};
use std::thread::JoinHandle;

use crate::entities::curation::Curation;
use crate::export::{Table, TableFormat};
use crate::index::DocIndex;
use crate::model::{
    Cooccurrence, DocSummary, EntityCounts, EntityKey, IndexStats, Query, SearchHit, SearchResults, SentencePairs,
    Timeline,
};
use crate::pipeline::Notify;
use crate::view::document::DocState;

/// How many hits a search returns with its count; the list asks for the rest as they are
/// scrolled to ([`Request::Hits`]), so snippets are made for the rows shown.
pub const FIRST_HITS: usize = 40;
/// How many hits a [`Request::Hits`] returns at most.
pub const MAX_WINDOW: usize = 500;
/// How long counting an entity's companions by sentence may read documents.
pub const SENTENCE_BUDGET: std::time::Duration = std::time::Duration::from_millis(250);

/// What the searcher can be asked.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    /// The count of hits and the first [`FIRST_HITS`].
    Search(Query),
    /// The hits of a search from `offset`, at most `count` (up to [`MAX_WINDOW`]).
    Hits {
        query: Query,
        offset: usize,
        count: usize,
    },
    /// Every document, for the list shown when there is no query.
    Docs,
    /// One document, with `query`'s matches located in it.
    Doc {
        id: String,
        query: Query,
    },
    /// Entity counts over the documents a query matches (the whole folder for an empty one).
    Entities(Query),
    Stats,
    /// The entities that share documents with one entity, its documents and its graph.
    Cooccur(EntityKey),
    /// The entities named in the same sentence as one entity (slower: reads stored text).
    Sentences(EntityKey),
    /// When the documents a query matches were written, and the dates they mention.
    Timeline(Query),
    /// Write a table to a file, on a thread of its own (an export of every hit can take a while).
    Export {
        table: Box<Table>,
        format: TableFormat,
        file: PathBuf,
    },
    /// The next hit of `query` that mentions `key`'s entity, from place `from` on (back if not
    /// `forward`, round from the end), looking at `left` places at most.
    NextMention {
        query: Query,
        key: EntityKey,
        from: usize,
        left: usize,
        forward: bool,
    },
    /// Save the user's entity corrections to `file` and apply them from now on.
    Curate {
        curation: Curation,
        file: std::path::PathBuf,
    },
}

/// How many kinds of request there are (see [`Request::kind`]).
pub const REQUEST_KINDS: usize = 12;

impl Request {
    /// Which kind of request this is (below [`REQUEST_KINDS`]), the same number as its
    /// [`Answer::kind`]: a front end keeps the newest generation per kind.
    pub fn kind(&self) -> usize {
        match self {
            Request::Search(_) => 0,
            Request::Docs => 1,
            Request::Doc { .. } => 2,
            Request::Entities(_) => 3,
            Request::Stats => 4,
            Request::Cooccur(_) => 5,
            Request::Curate { .. } => 6,
            Request::Sentences(_) => 7,
            Request::Timeline(_) => 8,
            Request::Export { .. } => 9,
            Request::Hits { .. } => 10,
            Request::NextMention { .. } => 11,
        }
    }
}

/// An answer; errors are the index's message, for display.
#[derive(Clone, Debug)]
pub enum Answer {
    Search(Query, Result<SearchResults, String>),
    /// The hits of `query` from an offset.
    Hits(Query, usize, Result<SearchResults, String>),
    Docs(Result<Vec<DocSummary>, String>),
    /// The document as the view shows it, prepared here (locating a long document's mentions
    /// and blocks takes tens of milliseconds, which the UI thread must not spend); its
    /// `generation` is the front end's to set.
    Doc(Result<Option<Box<DocState>>, String>),
    Entities(Result<EntityCounts, String>),
    Stats(Result<IndexStats, String>),
    Cooccur(EntityKey, Result<Cooccurrence, String>),
    Sentences(EntityKey, Result<SentencePairs, String>),
    Timeline(Query, Result<Timeline, String>),
    /// The corrections are saved and applied (everything that counts entities is out of date).
    Curated(Result<(), String>),
    /// The file written and its rows.
    Exported(Result<(PathBuf, usize), String>),
    /// The place of the next hit of `query` that mentions the entity, and the hit; none if no
    /// other does.
    NextMention(Query, Result<Option<(usize, SearchHit)>, String>),
}

impl Answer {
    /// The [`Request::kind`] of the request this answers.
    pub fn kind(&self) -> usize {
        match self {
            Answer::Search(..) => 0,
            Answer::Docs(_) => 1,
            Answer::Doc(_) => 2,
            Answer::Entities(_) => 3,
            Answer::Stats(_) => 4,
            Answer::Cooccur(..) => 5,
            Answer::Curated(_) => 6,
            Answer::Sentences(..) => 7,
            Answer::Timeline(..) => 8,
            Answer::Exported(_) => 9,
            Answer::Hits(..) => 10,
            Answer::NextMention(..) => 11,
        }
    }
}

/// An answer and the generation of the request it answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub generation: u64,
    pub answer: Answer,
}

/// Handle to the searcher thread; dropping it stops the thread.
pub struct Searcher {
    requests: Option<SyncSender<(u64, Request)>>,
    replies: Receiver<Reply>,
    next_generation: u64,
    thread: Option<JoinHandle<()>>,
}

impl Searcher {
    /// Starts the `dossier-searcher` thread on `index` (whose files are in `index_dir`).
    pub fn start(index: DocIndex, index_dir: PathBuf, notify: Notify) -> std::io::Result<Searcher> {
        let (req_tx, req_rx) = sync_channel::<(u64, Request)>(64);
        let (reply_tx, reply_rx) = sync_channel::<Reply>(64);
        let thread = std::thread::Builder::new()
            .name("dossier-searcher".into())
            .spawn(move || serve(index, index_dir, req_rx, reply_tx, notify))?;
        Ok(Searcher { requests: Some(req_tx), replies: reply_rx, next_generation: 1, thread: Some(thread) })
    }

    /// Queues `request` without waiting and returns its generation, or gives the request back
    /// when the queue is full (try again next frame).
    pub fn send(&mut self, request: Request) -> Result<u64, Box<Request>> {
        let generation = self.next_generation;
        let Some(tx) = &self.requests else { return Err(Box::new(request)) };
        match tx.try_send((generation, request)) {
            Ok(()) => {
                self.next_generation += 1;
                Ok(generation)
            }
            Err(TrySendError::Full((_, r)) | TrySendError::Disconnected((_, r))) => Err(Box::new(r)),
        }
    }

    /// Whether the searcher thread is still serving (it only stops when dropped, unless
    /// something it cannot survive happened).
    pub fn is_alive(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// The next reply, if one is ready.
    pub fn try_reply(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Sends `request` and waits for its answer (the CLI and tests).
    pub fn ask(&mut self, request: Request) -> Option<Answer> {
        let generation = self.send(request).ok()?;
        loop {
            let reply = self.replies.recv().ok()?;
            if reply.generation == generation {
                return Some(reply.answer);
            }
        }
    }
}

impl Drop for Searcher {
    fn drop(&mut self) {
        // Closing the request channel ends the thread after its current query; it is not
        // joined here, where a UI thread would wait on a slow query. Its replies are drained
        // on a thread of their own so it never blocks handing one over.
        self.requests = None;
        if let Some(thread) = self.thread.take() {
            let replies = std::mem::replace(&mut self.replies, sync_channel(1).1);
            let _ = std::thread::Builder::new().name("dossier-searcher-stop".into()).spawn(move || {
                while replies.recv().is_ok() {}
                let _ = thread.join();
            });
        }
    }
}

fn serve(
    index: DocIndex,
    index_dir: PathBuf,
    requests: Receiver<(u64, Request)>,
    replies: SyncSender<Reply>,
    notify: Notify,
) {
    while let Ok(first) = requests.recv() {
        // Keep only the newest request of each kind.
        let mut batch = vec![first];
        loop {
            match requests.try_recv() {
                Ok(r) => {
                    batch.retain(|(_, old)| old.kind() != r.1.kind());
                    batch.push(r);
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if let Err(e) = index.reload() {
            log::warn!("cannot reload the index: {e}");
        }
        for (generation, request) in batch {
            if let Request::Export { table, format, file } = request {
                export(&index, generation, table, format, file, &replies, &notify);
                continue;
            }
            let answer = answer_or_error(&index, &index_dir, request);
            if replies.send(Reply { generation, answer }).is_err() {
                return;
            }
            notify();
        }
    }
}

/// Writes a table on a `dossier-export` thread, which replies when it is done.
fn export(
    index: &DocIndex,
    generation: u64,
    table: Box<Table>,
    format: TableFormat,
    file: PathBuf,
    replies: &SyncSender<Reply>,
    notify: &Notify,
) {
    let (index, thread_replies, thread_notify) = (index.clone(), replies.clone(), notify.clone());
    let job = move || {
        // A panic while writing is the export's error, as it is for any other request.
        let answer = answer_or_error(&index, std::path::Path::new(""), Request::Export { table, format, file });
        let _ = thread_replies.send(Reply { generation, answer });
        thread_notify();
    };
    if let Err(e) = std::thread::Builder::new().name("dossier-export".into()).spawn(job) {
        let answer = Answer::Exported(Err(format!("cannot start the export: {e}")));
        let _ = replies.send(Reply { generation, answer });
        notify();
    }
}

/// [`answer`], with a panic while answering turned into that request's error: one bad query
/// must not take the searcher down with it.
fn answer_or_error(index: &DocIndex, index_dir: &std::path::Path, request: Request) -> Answer {
    let copy = request.clone();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| answer(index, index_dir, request))).unwrap_or_else(
        |panic| {
            let error = format!("search failed: {}; the search still works", panic_message(panic.as_ref()));
            log::error!("{error}");
            failed(copy, error)
        },
    )
}

/// The answer to `request` that reports `error`.
fn failed(request: Request, error: String) -> Answer {
    match request {
        Request::Search(query) => Answer::Search(query, Err(error)),
        Request::Hits { query, offset, .. } => Answer::Hits(query, offset, Err(error)),
        Request::Docs => Answer::Docs(Err(error)),
        Request::Doc { .. } => Answer::Doc(Err(error)),
        Request::Entities(_) => Answer::Entities(Err(error)),
        Request::Stats => Answer::Stats(Err(error)),
        Request::Cooccur(key) => Answer::Cooccur(key, Err(error)),
        Request::Curate { .. } => Answer::Curated(Err(error)),
        Request::Sentences(key) => Answer::Sentences(key, Err(error)),
        Request::Timeline(query) => Answer::Timeline(query, Err(error)),
        Request::Export { .. } => Answer::Exported(Err(error)),
        Request::NextMention { query, .. } => Answer::NextMention(query, Err(error)),
    }
}

/// The message a panic was raised with.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "internal error".to_owned())
}

fn answer(index: &DocIndex, index_dir: &std::path::Path, request: Request) -> Answer {
    let msg = |e: crate::index::IndexError| e.to_string();
    match request {
        Request::Search(query) => {
            let results = index.search(&query, FIRST_HITS).map_err(msg);
            Answer::Search(query, results)
        }
        Request::Hits { query, offset, count } => {
            let results = index.search_page(&query, offset, count.min(MAX_WINDOW)).map_err(msg);
            Answer::Hits(query, offset, results)
        }
        Request::NextMention { query, key, from, left, forward } => {
            let found = index.next_mentioning(&query, &key, from, left, forward).map_err(msg);
            Answer::NextMention(query, found)
        }
        Request::Docs => Answer::Docs(index.list_docs().map_err(msg)),
        Request::Doc { id, query } => {
            let view = index.doc_view(&id, &query).map_err(msg);
            Answer::Doc(view.map(|v| v.map(|v| Box::new(DocState::new(v, 0)))))
        }
        Request::Entities(query) => Answer::Entities(index.entity_counts_for(&query).map_err(msg)),
        Request::Stats => Answer::Stats(index.stats(index_dir).map_err(msg)),
        Request::Cooccur(key) => {
            let found = index.cooccurrence(&key).map_err(msg);
            Answer::Cooccur(key, found)
        }
        Request::Sentences(key) => {
            let pairs = index.sentence_cooccurrences(&key, SENTENCE_BUDGET).map_err(msg);
            Answer::Sentences(key, pairs)
        }
        Request::Timeline(query) => {
            let timeline = index.timeline(&query).map_err(msg);
            Answer::Timeline(query, timeline)
        }
        Request::Export { table, format, file } => {
            Answer::Exported(crate::export::write_table(index, &table, format, &file).map(|rows| (file, rows)))
        }
        Request::Curate { curation, file } => {
            // Saved first: a correction that is shown must also survive a restart.
            let saved = curation.save(&file).map_err(|e| e.to_string());
            if saved.is_ok() {
                index.set_curation(curation);
            }
            Answer::Curated(saved)
        }
    }
}
