//! The desktop app: state, commands and the plumbing between the UI thread and the core's
//! background threads. Drawing lives in [`crate::ui`].
//!
//! Each frame: drain events from the indexer and replies from the searcher, draw the panels
//! (which only return [`Command`]s), then apply the commands. The UI thread never touches a
//! file or the index: opening a folder, the folder dialog, indexing and every query run on
//! named background threads that wake the UI with `request_repaint`.

mod explore;
mod picker;
mod saving;
mod searches;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::Instant;

use eframe::egui;

pub use picker::{FolderPicker, NativePicker, Picked};

use crate::entities::{Extractor, default_extractor};
use crate::model::{IndexStats, Query};
use crate::pipeline::{Event, Options, Stage};
use crate::searcher::{Answer, Request};
use crate::session::{self, FolderSource, Session};
use crate::store::Store;
use crate::ui::layout::LayoutCache;
use crate::view::Listing;
use crate::view::document::DocState;
pub use crate::view::{Command, IndexingState, Persisted, State, ThemeChoice};

/// How long typing must pause before a search is sent.
const DEBOUNCE_SECS: f64 = 0.15;
/// How many recent folders the File menu keeps.
const MAX_RECENT: usize = 8;

/// What the app needs from outside; tests pass their own.
pub struct Setup {
    pub store: Store,
    pub picker: Arc<dyn FolderPicker>,
    pub extractor: Arc<dyn Extractor>,
    /// Open this folder instead of the last one.
    pub initial_folder: Option<PathBuf>,
    pub options: Options,
    /// State to start from when the platform has none saved (tests; eframe storage wins).
    pub state: Option<Persisted>,
}

/// The app: the state the panels draw, and the plumbing to the core's threads.
pub struct DossierApp {
    state: State,
    store: Store,
    picker: Arc<dyn FolderPicker>,
    extractor: Arc<dyn Extractor>,
    options: Options,

    session: Option<Session>,
    opening_rx: Option<Receiver<Result<Session, session::OpenError>>>,
    picking_rx: Option<Receiver<Picked>>,
    listing_rx: Option<(PathBuf, Receiver<Listing>)>,
    /// A completion being looked up: the text it completes, and where the answer comes.
    completing: Option<(String, Receiver<Option<String>>)>,
    indexes_rx: Option<Receiver<Result<Vec<crate::store::IndexEntry>, String>>>,

    /// Newest generation sent for each kind of request; older replies are dropped.
    latest: [u64; crate::searcher::REQUEST_KINDS],
    /// Newest generation answered for each kind of request.
    answered: [u64; crate::searcher::REQUEST_KINDS],
    /// Requests that found the searcher's queue full; sent again next frame.
    unsent: Vec<Request>,
    query_edited_at: Option<f64>,
    /// Changes noticed in the open folder, waiting to be indexed together.
    changes: crate::watch::Batcher,
    /// A table waiting for the save dialog's answer.
    saving: Option<saving::Saving>,
    /// The document stepped to for the selected entity (by id): show its first mention when it
    /// arrives; any other document forgets it.
    to_mention: Option<String>,
    /// Stepping to the next (`true`) or previous document that mentions the selected entity,
    /// while the hits on the way are asked for.
    stepping: Option<explore::Stepping>,
    /// The open document, asked for again only because its entities changed (found, or
    /// corrected): it stays where the user was when it arrives. Any other request forgets it.
    keep_place: Option<String>,
    /// The document's laid-out text (the UI's own memory between frames).
    layout: LayoutCache,
    profile: Option<FrameProfile>,
}

impl DossierApp {
    pub fn new(cc: &eframe::CreationContext<'_>, setup: Setup) -> DossierApp {
        let p: Persisted =
            cc.storage.and_then(|s| eframe::get_value(s, eframe::APP_KEY)).or(setup.state).unwrap_or_default();
        let data_folder = setup.store.root().to_path_buf();
        let mut app = DossierApp {
            state: State { p, data_folder, ..State::default() },
            store: setup.store,
            picker: setup.picker,
            extractor: setup.extractor,
            options: setup.options,
            session: None,
            opening_rx: None,
            picking_rx: None,
            listing_rx: None,
            completing: None,
            indexes_rx: None,
            latest: [0; crate::searcher::REQUEST_KINDS],
            answered: [0; crate::searcher::REQUEST_KINDS],
            unsent: Vec::new(),
            query_edited_at: None,
            to_mention: None,
            stepping: None,
            keep_place: None,
            saving: None,
            changes: crate::watch::Batcher::default(),
            layout: LayoutCache::default(),
            profile: std::env::var_os("DOSSIER_PROFILE").map(|_| FrameProfile::default()),
        };
        let source = match setup.initial_folder.or_else(|| app.state.p.folder.clone()) {
            Some(folder) => FolderSource::Path(folder),
            None => FolderSource::Samples,
        };
        app.start_open(&cc.egui_ctx, source);
        app
    }

    /// The folder currently open (canonical), if any.
    pub fn folder(&self) -> Option<&std::path::Path> {
        self.session.as_ref().map(|s| s.folder.as_path())
    }

    /// The open document, if any.
    pub fn document(&self) -> Option<&DocState> {
        self.state.doc.as_ref()
    }

    /// How many times the document layout was built (it must not be every frame).
    pub fn layout_builds(&self) -> u64 {
        self.layout.builds
    }

    /// The text of the "Open folder by path" field, while it is open.
    pub fn typed_path(&self) -> Option<&str> {
        self.state.path_entry.as_deref()
    }

    /// The text of each search match painted in the document view's current layout.
    pub fn painted_matches(&self) -> Vec<String> {
        self.layout.painted_matches()
    }

    /// How many of the current search's hits have been received (the first ones, and those
    /// asked for as the list was scrolled).
    pub fn hits_loaded(&self) -> usize {
        self.state.loaded_hits().count()
    }

    /// The current search's results, if a search is shown.
    pub fn results(&self) -> Option<&crate::model::SearchResults> {
        self.state.results.as_ref()
    }

    /// Something asked of the index is not answered yet (tests wait for a still view).
    pub fn waiting(&self) -> bool {
        self.latest != self.answered || !self.unsent.is_empty()
    }

    /// An indexing run is going (its text or its entities).
    pub fn indexing(&self) -> bool {
        self.state.indexing.running
    }

    /// What would be saved now.
    pub fn persisted(&self) -> &Persisted {
        &self.state.p
    }

    pub fn query(&self) -> Query {
        self.state.p.query()
    }

    fn start_open(&mut self, ctx: &egui::Context, source: FolderSource) {
        let ctx2 = ctx.clone();
        let notify: crate::pipeline::Notify = Arc::new(move || ctx2.request_repaint());
        let rx =
            session::open(source.clone(), self.store.clone(), self.extractor.clone(), self.options.clone(), notify);
        self.state.opening = Some(source);
        self.opening_rx = Some(rx);
    }

    fn send(&mut self, request: Request) {
        let slot = request.kind();
        let Some(session) = self.session.as_mut() else { return };
        match session.searcher.send(request) {
            Ok(generation) => self.latest[slot] = generation,
            Err(request) => {
                self.unsent.retain(|r| r.kind() != slot);
                self.unsent.push(*request);
            }
        }
    }

    /// Asks again for everything the index answers. The searcher answers in the order asked,
    /// so the hits and the list come before the counts, the timeline and who appears with whom.
    fn refresh_lists(&mut self) {
        if !self.query().is_empty() {
            self.send(Request::Search(self.query()));
        }
        self.send(Request::Docs);
        self.send(Request::Stats);
        self.send(Request::Entities(self.query()));
        self.ask_timeline();
        if let Some(key) = self.state.cooccur.as_ref().map(|(k, _)| k.clone()) {
            self.ask_cooccur(key);
        }
    }

    fn request_doc(&mut self, id: String) {
        self.keep_place = None;
        self.state.doc_loading = true;
        let query = self.query();
        self.send(Request::Doc { id, query });
    }

    /// Takes in whatever the background threads have sent since the last frame, one channel
    /// at a time.
    fn drain(&mut self, ctx: &egui::Context) {
        self.drain_picker(ctx);
        self.drain_listing();
        self.drain_indexes();
        self.drain_completion();
        self.drain_opening(ctx);
        self.drain_indexing();
        self.drain_replies();
        self.drain_saving();
        self.index_changes(ctx);
        let unsent = std::mem::take(&mut self.unsent);
        for r in unsent {
            self.send(r);
        }
        if !self.unsent.is_empty() {
            ctx.request_repaint_after(std::time::Duration::from_millis(30));
        }
    }

    /// The folder dialog's answer.
    fn drain_picker(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.picking_rx
            && let Ok(choice) = rx.try_recv()
        {
            self.picking_rx = None;
            match choice {
                Picked::Chosen(folder) => self.apply(ctx, Command::OpenFolder(folder)),
                Picked::Cancelled => {}
                // No system dialog here: the app's own folder browser instead, saying why.
                Picked::Unavailable => {
                    let start = self.folder().map(|f| format!("{}/", f.display())).unwrap_or_else(|| "~/".to_owned());
                    self.apply(ctx, Command::PathEntry(Some(start)));
                    self.state.no_dialog = true;
                }
            }
        }
    }

    /// The subfolders listed for the folder window.
    fn drain_listing(&mut self) {
        if let Some((dir, rx)) = &self.listing_rx
            && let Ok(names) = rx.try_recv()
        {
            self.state.listing = Some((dir.clone(), names));
            self.listing_rx = None;
        }
    }

    /// The data folder's indexes, listed (and perhaps pruned) for the Indexes window.
    fn drain_indexes(&mut self) {
        if let Some(rx) = &self.indexes_rx
            && let Ok(listed) = rx.try_recv()
        {
            self.indexes_rx = None;
            match listed {
                Ok(entries) => {
                    if self.state.indexes.is_some() {
                        self.state.indexes = Some(entries);
                    }
                }
                Err(e) => self.state.banner = Some(format!("cannot remove an index: {e}")),
            }
        }
    }

    /// A completed folder path (Tab in the folder window).
    fn drain_completion(&mut self) {
        if let Some((typed, rx)) = &self.completing
            && let Ok(completed) = rx.try_recv()
        {
            // Only if the field still says what was completed (the user may have typed on).
            if let Some(completed) = completed
                && self.state.path_entry.as_ref() == Some(typed)
            {
                self.state.path_entry = Some(completed);
                self.state.focus_path = true;
            }
            self.completing = None;
        }
    }

    /// A folder that finished opening, or why it could not be.
    fn drain_opening(&mut self, ctx: &egui::Context) {
        if let Some(rx) = &self.opening_rx
            && let Ok(result) = rx.try_recv()
        {
            self.opening_rx = None;
            self.state.opening = None;
            match result {
                Ok(session) => self.opened(ctx, session),
                // Whatever is open stays open; the banner says why the new folder failed.
                Err(e) => self.state.banner = Some(e.to_string()),
            }
        }
    }

    /// The indexing run's events: progress, problems, commits (which refresh the lists).
    fn drain_indexing(&mut self) {
        let mut events = Vec::new();
        if let Some(run) = self.session.as_ref().and_then(|s| s.indexing.as_ref()) {
            while let Some(e) = run.try_event() {
                events.push(e);
            }
        }
        if !events.is_empty() && !self.state.indexing.reported {
            // A run re-reports every file it cannot read; the previous run's list goes.
            self.state.indexing.reported = true;
            self.state.problems.clear();
        }
        let mut committed = false;
        for e in events {
            match e {
                Event::Planned { to_index, unchanged, removed } => {
                    self.state.indexing.planned = Some((to_index, unchanged, removed));
                    self.state.indexing.progress.total = to_index;
                }
                Event::Progress(p) => self.state.indexing.progress = p,
                Event::Committed => committed = true,
                Event::Problem(p) => self.state.problems.push(p),
                Event::Finished { record, error } => {
                    self.state.indexing.running = false;
                    self.state.indexing.cancelling = false;
                    self.state.indexing.error = error;
                    self.state.problems = record.problems.clone();
                    self.state.last_run = Some(record);
                    committed = true;
                }
            }
        }
        if committed {
            self.refresh_lists();
            // The open document was shown without entities: show it again as entities are found
            // (unless the user asked for another one meanwhile; an earlier refresh is superseded,
            // so the last commit's answer is the one shown).
            let finding = self.state.indexing.progress.stage == Stage::Entities || !self.state.indexing.running;
            let pending = self.state.doc.as_ref().is_some_and(|d| d.entities_pending);
            if finding && pending && (!self.state.doc_loading || self.keep_place.is_some()) {
                self.refresh_doc();
            }
        }
    }

    /// The searcher's replies; those older than the newest request of their kind are dropped.
    fn drain_replies(&mut self) {
        let mut replies = Vec::new();
        if let Some(session) = &self.session {
            while let Some(r) = session.searcher.try_reply() {
                replies.push(r);
            }
        }
        for reply in replies {
            let slot = reply.answer.kind();
            if reply.generation < self.latest[slot] {
                continue;
            }
            self.answered[slot] = reply.generation;
            match reply.answer {
                Answer::Search(query, Ok(results)) => {
                    if query != self.query() {
                        continue;
                    }
                    if self.state.results_for.as_ref() == Some(&query) {
                        // The same search again, as the folder changed: the rows scrolled to
                        // stay shown, and are asked for again.
                        self.state.refresh_results(results);
                        if let Some(window) = self.state.hits_window.clone() {
                            self.send(Request::Hits {
                                query: query.clone(),
                                offset: window.start,
                                count: window.len(),
                            });
                            self.state.hits_asked = Some(window);
                        }
                    } else {
                        self.state.set_results(Some(results));
                        self.stepping = None;
                    }
                    self.state.results_for = Some(query);
                }
                Answer::Hits(query, offset, Ok(results)) => {
                    if query == self.query() {
                        // Fewer hits than asked for, before the end: the folder changed since the
                        // count (its new count is on its way). The list ends where they do, so
                        // the rows past them are not asked for again and again.
                        let asked = self.state.hits_asked.take().map_or(0, |r| r.len());
                        let end = offset + results.hits.len();
                        if let Some(current) = self.state.results.as_mut()
                            && results.hits.len() < asked
                            && end < current.total
                        {
                            current.total = end.max(current.hits.len());
                        }
                        // Far-away hits are dropped (and asked again if scrolled back to), so
                        // scrolling through 100,000 keeps a few thousand; not those of the
                        // list's own window (hits asked while stepping through it are elsewhere).
                        let shown = self.state.hits_window.clone().unwrap_or_default();
                        self.state.more_hits.retain(|&i, _| i.abs_diff(offset) < 2_000 || shown.contains(&i));
                        let first = self.state.results.as_ref().map_or(0, |r| r.hits.len());
                        for (i, hit) in results.hits.into_iter().enumerate() {
                            if offset + i >= first {
                                self.state.more_hits.insert(offset + i, hit);
                            }
                        }
                    }
                }
                Answer::NextMention(query, Ok(found)) => self.stepped(query, found),
                Answer::Docs(Ok(docs)) => self.listed(docs),
                Answer::Doc(Ok(Some(mut doc))) => {
                    doc.generation = reply.generation;
                    self.loaded(*doc);
                }
                Answer::Doc(Ok(None)) => {
                    self.state.doc_loading = false;
                    self.state.doc = None;
                }
                Answer::Stats(Ok(stats)) => self.state.stats = stats,
                Answer::Entities(Ok(counts)) => {
                    self.state.corpus_entities = counts;
                    self.state.list_entities();
                }
                Answer::Cooccur(key, Ok(found)) => self.state.cooccur = Some((key, found)),
                Answer::Sentences(key, Ok(pairs)) => self.state.sentences = Some((key, pairs)),
                Answer::Timeline(query, Ok(timeline)) => {
                    // The hits' order does not change the timeline.
                    if query == (Query { sort: query.sort, ..self.query() }) {
                        self.state.timeline = Some(timeline);
                    }
                }
                Answer::Exported(written) => self.exported(written),
                Answer::Curated(Ok(())) => {
                    // Counts, filters and the open document's entity counts all change.
                    self.refresh_lists();
                    self.refresh_doc();
                }
                Answer::Search(_, Err(e))
                | Answer::Hits(_, _, Err(e))
                | Answer::Docs(Err(e))
                | Answer::Doc(Err(e))
                | Answer::Stats(Err(e))
                | Answer::Entities(Err(e))
                | Answer::Cooccur(_, Err(e))
                | Answer::Sentences(_, Err(e))
                | Answer::Timeline(_, Err(e))
                | Answer::NextMention(_, Err(e))
                | Answer::Curated(Err(e)) => {
                    if self.stepping.take().is_some() {
                        self.state.info = None;
                    }
                    self.state.doc_loading = false;
                    self.state.banner = Some(e);
                }
            }
        }
    }

    /// Re-indexes the open folder once changes to it have settled (see [`crate::watch`]), and
    /// not while a run is going.
    fn index_changes(&mut self, ctx: &egui::Context) {
        let Some(session) = self.session.as_mut() else { return };
        let now = Instant::now();
        if let Ok(watcher) = &session.watcher {
            while watcher.changed() {
                self.changes.changed(now);
            }
        }
        let Some(wait) = self.changes.until_due(now) else { return };
        if !wait.is_zero() {
            ctx.request_repaint_after(wait);
            return;
        }
        if self.state.indexing.running {
            // Finding entities can take long, and changed files should not wait for it: the run
            // stops (keeping what it found), and the next one indexes the changes, then finds
            // the entities left.
            // A run the user started to retry failed files and documents is let finish.
            if self.state.indexing.progress.stage == Stage::Entities
                && !self.state.indexing.cancelling
                && !session.retrying()
                && let Some(run) = &session.indexing
            {
                run.cancel();
                self.state.indexing.cancelling = true;
            }
            return;
        }
        self.changes.take();
        match session.refresh() {
            Ok(()) => self.state.indexing = IndexingState { running: true, ..IndexingState::default() },
            Err(e) => self.state.banner = Some(format!("cannot index the changes: {e}")),
        }
    }

    /// The folder's document list arrived.
    fn listed(&mut self, docs: Vec<crate::model::DocSummary>) {
        let first = self.state.docs.is_empty();
        self.state.docs = docs;
        // The open document is gone (its file was removed, or a cancelled run dropped it):
        // close it rather than show what the list no longer has.
        if let Some(open) = &self.state.doc
            && self.state.docs.binary_search_by(|d| d.id.as_str().cmp(&open.id)).is_err()
        {
            self.state.doc = None;
            self.state.p.selected = None;
        }
        // Show the remembered document, or the first one, as soon as there is one.
        if first && self.state.doc.is_none() && !self.state.doc_loading {
            let pick = self.state.p.selected.clone().filter(|s| self.state.docs.iter().any(|d| &d.id == s));
            if let Some(id) = pick.or_else(|| self.state.docs.first().map(|d| d.id.clone())) {
                self.state.p.selected = Some(id.clone());
                self.request_doc(id);
            }
        }
    }

    /// Asks for the open document again because its entities changed, keeping the user's place.
    fn refresh_doc(&mut self) {
        if let Some(id) = self.state.doc.as_ref().map(|d| d.id.clone()) {
            self.request_doc(id.clone());
            self.keep_place = Some(id);
        }
    }

    /// A document asked for arrived: show it at its first match (or the selected entity's
    /// first mention, after stepping to it).
    fn loaded(&mut self, doc: DocState) {
        self.state.doc_loading = false;
        // The same document again (its entities arrived, or were corrected) stays where it was.
        let again = self.keep_place.take().is_some_and(|id| id == doc.id)
            && self.state.doc.as_ref().is_some_and(|d| d.id == doc.id && d.text == doc.text);
        if !again || self.state.current_match.is_none_or(|m| m >= doc.matches.len()) {
            self.state.current_match = (!doc.matches.is_empty()).then_some(0);
            self.state.scroll_to_char = doc.matches.first().map(|(_, c)| c.start);
        }
        self.state.current_mention = None;
        self.keep_selection_in(&doc);
        self.state.doc = Some(doc);
    }

    fn opened(&mut self, ctx: &egui::Context, session: Session) {
        let folder = session.folder.clone();
        let name =
            folder.file_name().map_or_else(|| folder.display().to_string(), |n| n.to_string_lossy().into_owned());
        ctx.send_viewport_cmd(egui::ViewportCommand::Title(format!("{name} — Dossier")));
        // Stored folders are canonical (they come from a session), so no file-system call here.
        let same_folder = self.state.p.folder.as_ref() == Some(&folder);
        self.state.last_run = session.previous_run.clone();
        self.state.problems = session.previous_run.as_ref().map(|r| r.problems.clone()).unwrap_or_default();
        self.state.banner = session.notice.clone();
        self.session = Some(session);
        self.state.indexing = IndexingState { running: true, ..IndexingState::default() };
        self.state.docs.clear();
        self.state.set_results(None);
        self.state.doc = None;
        self.state.doc_loading = false;
        self.layout.clear();
        self.state.stats = IndexStats::default();
        self.state.corpus_entities = Default::default();
        self.state.entity_rows.clear();
        self.latest = [0; crate::searcher::REQUEST_KINDS];
        self.answered = [0; crate::searcher::REQUEST_KINDS];
        self.unsent.clear();
        if !same_folder {
            self.state.p.query.clear();
            self.state.p.filters.clear();
            self.state.p.formats.clear();
            self.state.p.in_folder.clear();
            self.state.p.selected = None;
        }
        self.state.selected_entity = None;
        self.state.cooccur = None;
        self.state.sentences = None;
        self.state.timeline = None;
        self.changes = crate::watch::Batcher::default();
        // An export asked of the last folder's searcher will never be answered by this one.
        self.saving = None;
        self.state.exporting = false;
        self.state.export = None;
        self.state.watching = self.session.as_ref().map(|s| s.watcher.as_ref().map(|_| ()).map_err(Clone::clone));
        self.state.curation = self.session.as_ref().map(|s| s.curation.clone()).unwrap_or_default();
        self.state.undo.clear();
        self.state.picked.clear();
        self.stepping = None;
        self.state.redo.clear();
        self.state.renaming = None;
        self.state.merging = None;
        self.state.p.folder = Some(folder.clone());
        self.state.p.recent.retain(|f| f != &folder);
        self.state.p.recent.insert(0, folder);
        self.state.p.recent.truncate(MAX_RECENT);
        self.refresh_lists();
    }

    /// Copies into the state what the panels show of the plumbing.
    fn sync_state(&mut self) {
        self.state.folder = self.session.as_ref().map(|s| s.folder.clone());
        self.state.picking = self.picking_rx.is_some();
        self.state.searcher_stopped = self.session.as_ref().is_some_and(|s| !s.searcher.is_alive());
    }

    /// Carries out one command.
    pub fn apply(&mut self, ctx: &egui::Context, command: Command) {
        match command {
            Command::PickFolder => {
                if self.picking_rx.is_some() {
                    return;
                }
                let picker = self.picker.clone();
                match off_ui_thread(ctx, "dossier-folder-dialog", move || picker.pick()) {
                    Ok(rx) => self.picking_rx = Some(rx),
                    Err(e) => self.state.banner = Some(format!("cannot open the folder dialog: {e}")),
                }
            }
            Command::OpenFolder(folder) => {
                self.state.path_entry = None;
                self.start_open(ctx, FolderSource::Path(folder));
            }
            Command::CancelIndexing => {
                if let Some(run) = self.session.as_ref().and_then(|s| s.indexing.as_ref()) {
                    run.cancel();
                    self.state.indexing.cancelling = true;
                }
            }
            Command::Reindex(allow_empty) => {
                if let Some(session) = self.session.as_mut() {
                    match session.reindex(allow_empty) {
                        Ok(()) => self.state.indexing = IndexingState { running: true, ..IndexingState::default() },
                        Err(e) => self.state.banner = Some(format!("cannot start indexing: {e}")),
                    }
                }
            }
            Command::SelectDoc(id) => {
                // A hit opened: the query found something worth coming back to.
                if self.state.results.is_some() {
                    self.remember_query();
                }
                self.state.p.selected = Some(id.clone());
                self.request_doc(id);
            }
            Command::AddFilter(key) => {
                if !self.state.p.filters.contains(&key) {
                    self.state.p.filters.push(key);
                    self.search_now();
                }
            }
            Command::RemoveFilter(i) => {
                if i < self.state.p.filters.len() {
                    self.state.p.filters.remove(i);
                    self.search_now();
                }
            }
            Command::ToggleFormat(format) => {
                if let Some(i) = self.state.p.formats.iter().position(|f| *f == format) {
                    self.state.p.formats.remove(i);
                } else {
                    self.state.p.formats.push(format);
                }
                self.search_now();
            }
            Command::SetFolderFilter(folder) => {
                if self.state.p.in_folder != folder {
                    self.state.p.in_folder = folder;
                    self.search_now();
                }
            }
            Command::ToggleKind(kind) => self.state.p.kinds.toggle(kind),
            Command::SelectEntity(key) => {
                self.state.scroll_to_char = key.as_ref().and_then(|k| self.state.doc.as_ref()?.first_mention_of(k));
                self.state.current_mention = self.state.scroll_to_char.map(|_| 0);
                if let Some(k) = &key
                    && !self.state.p.kinds.contains(k.kind)
                {
                    self.state.p.kinds.toggle(k.kind);
                }
                match &key {
                    Some(k) => self.ask_cooccur(k.clone()),
                    // The graph keeps its centre while it is open.
                    None if !self.state.show_graph => self.state.cooccur = None,
                    None => {}
                }
                self.state.selected_entity = key;
            }
            Command::NextMatch | Command::PrevMatch => {
                let Some(doc) = &self.state.doc else { return };
                let n = doc.matches.len();
                if n == 0 {
                    return;
                }
                let next = match (self.state.current_match, command == Command::NextMatch) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(i), true) => (i + 1) % n,
                    (Some(i), false) => (i + n - 1) % n,
                };
                self.state.current_match = Some(next);
                self.state.scroll_to_char = Some(doc.matches[next].1.start);
            }
            Command::StepDocument(forward) => self.step_document(forward),
            Command::FilterToText(i) => self.filter_to_text(i),
            Command::DateRange(months) => self.date_range(months),
            Command::ToggleTimeline => {
                self.state.p.show_timeline = !self.state.p.show_timeline;
                self.ask_timeline();
            }
            Command::Export(draft) => self.state.export = draft,
            Command::History(older) => self.step_history(older),
            Command::Sort(sort) => {
                // Only the hits' order changes: no counts, timeline or document to ask again.
                self.state.p.sort = sort;
                if !self.query().is_empty() {
                    self.send(Request::Search(self.query()));
                }
            }
            Command::LoadHits(places) => {
                let asked = self.state.hits_asked.as_ref();
                if !asked.is_some_and(|a| a.start <= places.start && places.end <= a.end) && !self.query().is_empty() {
                    self.send(Request::Hits { query: self.query(), offset: places.start, count: places.len() });
                    self.state.hits_asked = Some(places.clone());
                    self.state.hits_window = Some(places);
                }
            }
            Command::RememberQuery => self.remember_query(),
            Command::SaveSearch => self.save_search(),
            Command::ForgetSearch(i) => self.forget_search(i),
            Command::RunSearch(query) => self.run_search(query),
            Command::ExportNow(draft) => self.start_export(ctx, draft),
            Command::ShowGraph(show) => self.show_graph(show),
            Command::StepMention(forward) => {
                let (Some(doc), Some(key)) = (&self.state.doc, &self.state.selected_entity) else { return };
                let mentions = doc.mentions_of(key);
                let n = mentions.len();
                if n == 0 {
                    return;
                }
                let next = match (self.state.current_mention, forward) {
                    (None, true) => 0,
                    (None, false) => n - 1,
                    (Some(i), true) => (i + 1) % n,
                    (Some(i), false) => (i + n - 1) % n,
                };
                self.state.current_mention = Some(next);
                self.state.scroll_to_char = Some(mentions[next].start);
            }
            Command::ShowProblems(show) => self.state.show_problems = show,
            Command::ShowAbout(show) => self.state.show_about = show,
            Command::ShowShortcuts(show) => self.state.show_shortcuts = show,
            Command::DismissHint => self.state.p.hint_dismissed = true,
            Command::ToggleCounting => {
                self.state.p.show_counting = !self.state.p.show_counting;
                self.state.list_entities();
            }
            Command::Curate(_) | Command::CurateAll(_) | Command::Undo | Command::Redo => self.curate(command),
            Command::PickEntity(Some(picked)) => match self.state.picked.iter().position(|p| p.key == picked.key) {
                Some(i) => {
                    self.state.picked.remove(i);
                }
                None => self.state.picked.push(picked),
            },
            Command::PickEntity(None) => self.state.picked.clear(),
            Command::Rename(renaming) => self.state.renaming = renaming,
            Command::MergeInto(merging) => self.state.merging = merging,
            Command::FindEntity(text) => {
                self.state.entity_find = text;
                self.state.list_entities();
            }
            Command::SortEntitiesByName(by_name) => {
                self.state.p.entities_by_name = by_name;
                self.state.list_entities();
            }
            Command::EditRename(text) => {
                if let Some((_, name)) = &mut self.state.renaming {
                    *name = text;
                }
            }
            Command::Zoom(Some(true)) => egui::gui_zoom::zoom_in(ctx),
            Command::Zoom(Some(false)) => egui::gui_zoom::zoom_out(ctx),
            Command::Zoom(None) => ctx.set_zoom_factor(1.0),
            Command::Theme(choice) => ctx.set_theme(match choice {
                ThemeChoice::System => egui::ThemePreference::System,
                ThemeChoice::Light => egui::ThemePreference::Light,
                ThemeChoice::Dark => egui::ThemePreference::Dark,
            }),
            Command::Quit => ctx.send_viewport_cmd(egui::ViewportCommand::Close),
            Command::EditQuery(text) => {
                if text != self.state.p.query {
                    self.state.p.query = text;
                    self.query_edited_at = Some(ctx.input(|i| i.time));
                }
            }
            Command::EditPath(text) => {
                if self.state.path_entry.is_some() {
                    self.state.path_entry = Some(text);
                }
            }
            Command::ToggleEntityPanel => self.state.p.hide_entity_panel = !self.state.p.hide_entity_panel,
            Command::FocusSearch => self.state.focus_search = true,
            Command::ClearQuery => {
                if !self.state.p.query.is_empty() {
                    self.state.p.query.clear();
                    self.search_now();
                } else if !(self.state.p.filters.is_empty()
                    && self.state.p.formats.is_empty()
                    && self.state.p.in_folder.is_empty())
                {
                    // Escape in an empty box clears the filters too: nothing may stay active unseen.
                    self.state.p.filters.clear();
                    self.state.p.formats.clear();
                    self.state.p.in_folder.clear();
                    self.search_now();
                }
            }
            Command::DismissBanner => {
                self.state.banner = None;
                self.state.info = None;
            }
            Command::PathEntry(text) => {
                self.state.focus_path = text.is_some();
                self.state.no_dialog = false;
                self.state.path_entry = text;
            }
            Command::ListFolder(dir) => {
                if self.listing_rx.as_ref().is_some_and(|(d, _)| *d == dir) {
                    return;
                }
                let target = dir.clone();
                let listed = move || session::subfolders(&target).map_err(|e| e.to_string());
                if let Ok(rx) = off_ui_thread(ctx, "dossier-list-folder", listed) {
                    self.listing_rx = Some((dir, rx));
                }
            }
            Command::ShowIndexes(false) => self.state.indexes = None,
            Command::ShowIndexes(true) | Command::PruneIndexes => {
                let prune = command == Command::PruneIndexes;
                self.state.indexes.get_or_insert_with(Vec::new);
                let store = self.store.clone();
                let listed = move || {
                    let removed = if prune { store.prune().map(|_| ()).map_err(|e| e.to_string()) } else { Ok(()) };
                    removed.map(|()| store.indexes())
                };
                if let Ok(rx) = off_ui_thread(ctx, "dossier-indexes", listed) {
                    self.indexes_rx = Some(rx);
                }
            }
            Command::CompletePath(text) => {
                let typed = text.clone();
                if let Ok(rx) = off_ui_thread(ctx, "dossier-complete-path", move || session::complete_folder(&typed)) {
                    self.completing = Some((text, rx));
                }
            }
        }
    }

    /// A new entity correction, or one undone or redone; the searcher saves and applies them.
    fn curate(&mut self, change: Command) {
        let s = &mut self.state;
        match change {
            Command::Curate(rule) => {
                s.undo.push(s.curation.clone());
                s.curation.rules.push(rule);
                s.redo.clear();
                // What was picked may be merged, retyped or gone now.
                s.picked.clear();
            }
            Command::CurateAll(rules) => {
                s.undo.push(s.curation.clone());
                s.curation.rules.extend(rules);
                s.redo.clear();
                s.picked.clear();
            }
            Command::Undo => match s.undo.pop() {
                Some(before) => {
                    s.redo.push(std::mem::replace(&mut s.curation, before));
                    s.picked.clear();
                }
                None => return,
            },
            Command::Redo => match s.redo.pop() {
                Some(after) => {
                    s.undo.push(std::mem::replace(&mut s.curation, after));
                    s.picked.clear();
                }
                None => return,
            },
            _ => return,
        }
        self.save_curation();
    }

    /// Sends the current corrections to the searcher, which saves and applies them.
    fn save_curation(&mut self) {
        let Some(file) = self.session.as_ref().map(|s| s.curation_file.clone()) else { return };
        self.send(Request::Curate { curation: self.state.curation.clone(), file });
    }

    fn search_now(&mut self) {
        self.query_edited_at = None;
        // The hits first (the searcher answers in the order asked), then the open document's
        // matches, then the entity list and the timeline, which count what is searched.
        if self.query().is_empty() {
            self.state.set_results(None);
        } else {
            self.send(Request::Search(self.query()));
        }
        if let Some(id) = self.state.doc.as_ref().map(|d| d.id.clone()) {
            self.request_doc(id);
        }
        self.send(Request::Entities(self.query()));
        self.ask_timeline();
    }

    /// Sends the search once typing has paused for [`DEBOUNCE_SECS`].
    fn debounce(&mut self, ctx: &egui::Context) {
        let Some(at) = self.query_edited_at else { return };
        let waited = ctx.input(|i| i.time) - at;
        if waited >= DEBOUNCE_SECS {
            self.search_now();
        } else {
            ctx.request_repaint_after(std::time::Duration::from_secs_f64(DEBOUNCE_SECS - waited));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) -> Vec<Command> {
        use egui::{Key, KeyboardShortcut, Modifiers};
        let mut out = Vec::new();
        let typing = ctx.egui_wants_keyboard_input();
        ctx.input_mut(|i| {
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::O)) {
                out.push(Command::PickFolder);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::F)) {
                out.push(Command::FocusSearch);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::SHIFT, Key::F3)) {
                out.push(Command::PrevMatch);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F3)) {
                out.push(Command::NextMatch);
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::ALT, Key::ArrowDown)) {
                out.push(Command::StepMention(true));
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::ALT, Key::ArrowUp)) {
                out.push(Command::StepMention(false));
            }
            if !typing {
                if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::ArrowDown)) {
                    out.push(Command::StepDocument(true));
                }
                if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::ArrowUp)) {
                    out.push(Command::StepDocument(false));
                }
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F1)) {
                out.push(Command::ShowShortcuts(true));
            }
            // In a text field, Ctrl+Z is the field's own undo.
            if !typing {
                if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND | Modifiers::SHIFT, Key::Z)) {
                    out.push(Command::Redo);
                }
                if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::COMMAND, Key::Z)) {
                    out.push(Command::Undo);
                }
            }
        });
        for file in ctx.input(|i| i.raw.dropped_files.clone()) {
            let path = file.path();
            if !path.as_os_str().is_empty() {
                out.push(Command::OpenFolder(path.to_path_buf()));
            }
        }
        out
    }
}

impl eframe::App for DossierApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let started = Instant::now();
        let ctx = ui.ctx().clone();
        self.drain(&ctx);
        self.debounce(&ctx);
        let mut commands = self.shortcuts(&ctx);
        self.sync_state();
        commands.extend(crate::ui::draw(&self.state, &mut self.layout, ui));
        self.state.drawn();
        for c in commands {
            self.apply(&ctx, c);
        }
        if self.state.indexing.running {
            // Keep the progress bar, rate and time left moving at a steady frame rate.
            ctx.request_repaint_after(std::time::Duration::from_millis(16));
        }
        if let Some(profile) = &mut self.profile {
            profile.frame(started.elapsed(), self.state.indexing.running);
        }
        if ctx.input(|i| i.viewport().close_requested()) {
            // Closing: a running indexing run is cancelled and, off this thread, commits what it
            // did ([`crate::pipeline::finish_stopped_runs`] waits for it once the window is gone).
            self.session = None;
        }
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, eframe::APP_KEY, &self.state.p);
    }
}

/// Runs `job` on a thread named `name` (it may read files or wait on a dialog, which the UI
/// thread must not) and wakes the UI when its answer is on the returned channel.
fn off_ui_thread<T: Send + 'static>(
    ctx: &egui::Context,
    name: &str,
    job: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<Receiver<T>> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    let ctx = ctx.clone();
    std::thread::Builder::new().name(name.into()).spawn(move || {
        let _ = tx.send(job());
        ctx.request_repaint();
    })?;
    Ok(rx)
}

/// Frame timings printed to stderr when `DOSSIER_PROFILE` is set (see the README's benchmarks).
#[derive(Default)]
struct FrameProfile {
    first_frame_reported: bool,
    times_ms: Vec<f64>,
    window_start: Option<Instant>,
}

impl FrameProfile {
    fn frame(&mut self, took: std::time::Duration, indexing: bool) {
        if !self.first_frame_reported {
            self.first_frame_reported = true;
            eprintln!("profile: first frame drawn {:.1} ms after start", crate::process_uptime_ms());
        }
        self.times_ms.push(took.as_secs_f64() * 1000.0);
        let start = *self.window_start.get_or_insert_with(Instant::now);
        if start.elapsed().as_secs_f64() >= 2.0 {
            let mut t = std::mem::take(&mut self.times_ms);
            t.sort_by(f64::total_cmp);
            let pct = |p: f64| t[((t.len() - 1) as f64 * p) as usize];
            eprintln!(
                "profile: {} frames in 2 s (indexing: {indexing}); ui time p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
                t.len(),
                pct(0.5),
                pct(0.99),
                t[t.len() - 1]
            );
            self.window_start = Some(Instant::now());
        }
    }
}

/// Opens the desktop app; returns when the window is closed.
pub fn run(folder: Option<PathBuf>) -> ExitCode {
    if let Some(folder) = &folder
        && let Err(e) = session::check_folder(folder)
    {
        eprintln!("dossier: {e}");
        return ExitCode::from(2);
    }
    let store = match Store::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("dossier: {e}");
            return ExitCode::from(2);
        }
    };
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Dossier")
        .with_app_id("dossier")
        .with_inner_size([1280.0, 800.0])
        .with_min_inner_size([640.0, 400.0])
        .with_drag_and_drop(true);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions { viewport, ..Default::default() };
    let setup = Setup {
        store,
        picker: Arc::new(NativePicker),
        extractor: default_extractor(),
        initial_folder: folder,
        options: Options::default(),
        state: None,
    };
    let result = eframe::run_native("Dossier", options, Box::new(|cc| Ok(Box::new(DossierApp::new(cc, setup)))));
    // The window is closed: let a cancelled run commit what it did and save its report.
    if !crate::pipeline::finish_stopped_runs(std::time::Duration::from_secs(10)) {
        eprintln!("dossier: indexing was still stopping; the next start resumes where it stopped");
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("dossier: cannot open a window: {e}");
            ExitCode::from(1)
        }
    }
}
