//! The desktop app's state as the panels see it, and the commands they return.
//!
//! Data flows one way: [`crate::app`] owns a [`State`], updates it from the background threads'
//! answers and applies [`Command`]s; [`crate::ui`] reads a `&State` and returns commands. Neither
//! this module nor its data know egui, so the state can be built and checked without a window.

pub mod document;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::entities::curation::{Curation, Rule};
use crate::export::TableFormat;
use crate::model::{
    Cooccurrence, DocFormat, DocSummary, EntityCounts, EntityKey, EntityKind, FileProblem, IndexStats, KindSet, Query,
    SearchHit, SearchResults, SentencePairs, SortBy, Timeline,
};
use crate::pipeline::Progress;
use crate::session::FolderSource;
use crate::store::{IndexEntry, RunRecord};
use document::DocState;

/// What File → Export… writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportWhat {
    /// The folder's entity list as shown (under the current query).
    Entities,
    /// Who appears with the selected entity.
    Companions,
    /// Every document the current query matches.
    Results,
}

/// The export window's choices.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExportDraft {
    pub what: ExportWhat,
    pub format: TableFormat,
}

/// Light, dark, or the system's choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThemeChoice {
    System,
    Light,
    Dark,
}

/// What survives a restart (eframe persistence). Every field has a default because decoding an
/// older or damaged state gives defaults, not an error.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub folder: Option<PathBuf>,
    pub recent: Vec<PathBuf>,
    pub query: String,
    pub filters: Vec<EntityKey>,
    /// Formats the results are limited to (empty: all).
    pub formats: Vec<DocFormat>,
    /// Subfolder the results are limited to (empty: the whole folder).
    pub in_folder: String,
    pub selected: Option<String>,
    pub kinds: KindSet,
    pub hide_entity_panel: bool,
    /// The first-start hint (Ctrl+O, Ctrl+F, the legend chips) was dismissed.
    pub hint_dismissed: bool,
    /// The folder's entity lists include numbers, ordinals, quantities and percentages.
    pub show_counting: bool,
    /// The folder's entity lists are sorted by name rather than by documents.
    pub entities_by_name: bool,
    /// The timeline of the matching documents is shown below the document.
    pub show_timeline: bool,
    /// Queries searched (Enter, or a hit opened), oldest first; ↑ and ↓ in the box step
    /// through them.
    pub history: Vec<String>,
    /// Searches saved with ☆, per folder.
    pub saved: Vec<SavedSearch>,
    /// The order of the hits.
    pub sort: SortBy,
}

/// A search kept for a folder.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct SavedSearch {
    pub folder: PathBuf,
    pub query: String,
}

impl Persisted {
    /// The search as typed and filtered: text, entity filters, formats, subfolder.
    pub fn query(&self) -> Query {
        Query {
            text: self.query.clone(),
            entities: self.filters.clone(),
            formats: self.formats.clone(),
            folder: self.in_folder.clone(),
            sort: self.sort,
        }
    }
}

/// Everything a user can ask for; panels return these and [`DossierApp::apply`] carries them out.
#[derive(Clone, Debug, PartialEq)]
#[must_use]
pub enum Command {
    PickFolder,
    OpenFolder(PathBuf),
    CancelIndexing,
    /// Index again; with `true`, drop every document even if all the files look gone.
    Reindex(bool),
    SelectDoc(String),
    AddFilter(EntityKey),
    RemoveFilter(usize),
    /// Limit the results to a format, or stop limiting them to it.
    ToggleFormat(DocFormat),
    /// Limit the results to a subfolder (empty: the whole folder).
    SetFolderFilter(String),
    ToggleKind(EntityKind),
    /// Highlight every mention of an entity and scroll to the first (or clear with `None`).
    SelectEntity(Option<EntityKey>),
    /// Open the next (`true`) or previous document in the list that mentions the selected
    /// entity, at its first mention.
    StepDocument(bool),
    /// Take an entity filter out of the chips and write it into the search box as text
    /// (`person:"Sergey Lavrov"`), so the view can be copied and shared.
    FilterToText(usize),
    /// Keep the documents dated within these months (`year * 12 + month - 1`, inclusive), by
    /// writing `date:` into the search box, or drop the date filter.
    DateRange(Option<(i32, i32)>),
    /// Show or hide the timeline.
    ToggleTimeline,
    /// Show or hide the window with the graph of who appears with the selected entity.
    ShowGraph(bool),
    /// Order the hits.
    Sort(SortBy),
    /// Fetch the hits at these places of the list (scrolled to).
    LoadHits(std::ops::Range<usize>),
    /// Put an older (`true`) or newer query of the history in the search box.
    History(bool),
    /// Add the query in the box to the history (Enter).
    RememberQuery,
    /// Keep the query in the box for this folder (☆), or forget a kept one (by its place in
    /// [`Persisted::saved`]).
    SaveSearch,
    ForgetSearch(usize),
    /// Search for a saved query.
    RunSearch(String),
    /// Open (or change the choices of) the export window, or close it.
    Export(Option<ExportDraft>),
    /// Ask where to save, then write the table chosen.
    ExportNow(ExportDraft),
    NextMatch,
    PrevMatch,
    /// Bring the next (`true`) or previous mention of the selected entity into view.
    StepMention(bool),
    ShowProblems(bool),
    ToggleEntityPanel,
    FocusSearch,
    ClearQuery,
    DismissBanner,
    /// Show (with this text) or hide the window for typing a folder's path.
    PathEntry(Option<String>),
    /// Complete the typed path (Tab), off the UI thread.
    CompletePath(String),
    /// List the subfolders of a folder for the folder window, off the UI thread.
    ListFolder(PathBuf),
    /// Show the data folder's indexes (looked up off the UI thread), or close the list.
    ShowIndexes(bool),
    /// Remove the indexes that serve no folder now, then list again.
    PruneIndexes,
    /// Show or hide Help → About (version, model, licences).
    ShowAbout(bool),
    /// Show or hide the keyboard shortcuts (F1).
    ShowShortcuts(bool),
    /// Put away the first-start hint for good.
    DismissHint,
    /// Show or hide numbers, ordinals, quantities and percentages in the folder's entity lists.
    ToggleCounting,
    /// Add a correction to the folder's entities (merge, split, rename, retype, hide).
    Curate(Rule),
    /// Add several corrections at once, undone together (merging the entities picked).
    CurateAll(Vec<Rule>),
    /// Pick a folder entity (Ctrl+click) to merge several at once, or put it back; `None` puts
    /// every one back.
    PickEntity(Option<Picked>),
    /// Take the last correction back, or make it again.
    Undo,
    Redo,
    /// Open the rename window for an entity (by one of its keys) with its name, or close it.
    Rename(Option<(EntityKey, String)>),
    /// The rename window's text, as typed.
    EditRename(String),
    /// The text the folder's entity lists are narrowed to, as typed.
    FindEntity(String),
    /// Sort the folder's entity lists by name (`true`) or by documents.
    SortEntitiesByName(bool),
    /// Open (or update, with the text typed to find the other) the window that merges an
    /// entity into another, or close it.
    MergeInto(Option<(EntityKey, EntityKey, String)>),
    /// Text size: bigger (`Some(true)`), smaller (`Some(false)`) or back to normal (`None`).
    /// egui keeps the factor and saves it with the window's state (Ctrl + / − / 0 work too).
    Zoom(Option<bool>),
    /// Light, dark, or follow the system (the default); kept across restarts by egui.
    Theme(ThemeChoice),
    /// Close the window (File → Quit).
    Quit,
    /// The search box's new text, as typed.
    EditQuery(String),
    /// The folder window's path field, as typed.
    EditPath(String),
}

/// The subfolders of a folder, or why they could not be listed.
pub type Listing = Result<Vec<String>, String>;

/// Where the current folder's indexing stands.
#[derive(Clone, Debug, Default)]
pub struct IndexingState {
    pub running: bool,
    pub cancelling: bool,
    pub planned: Option<(usize, usize, usize)>,
    pub progress: Progress,
    pub error: Option<String>,
    /// The run has sent at least one event.
    pub reported: bool,
}

/// Everything the panels draw. The app writes it; panels only read it.
#[derive(Default)]
pub struct State {
    pub p: Persisted,
    /// The folder open now (canonical), if any.
    pub folder: Option<PathBuf>,
    /// A folder being opened.
    pub opening: Option<FolderSource>,
    /// The system folder dialog is open.
    pub picking: bool,
    /// The searcher thread of the open folder is gone (it should not be; the user can reopen).
    pub searcher_stopped: bool,
    /// Where indexes are kept.
    pub data_folder: PathBuf,
    /// Something that went wrong, shown above the search box until dismissed.
    pub banner: Option<String>,
    /// Something the user asked about that is not an error ("exported to …"), shown the same way
    /// but not in the error colour.
    pub info: Option<String>,

    pub docs: Vec<DocSummary>,
    /// The current search: its count and first hits.
    pub results: Option<SearchResults>,
    /// Hits after the first ones, by place in the list, as they were scrolled to.
    pub more_hits: std::collections::BTreeMap<usize, SearchHit>,
    /// The places of hits asked for and not yet received.
    pub hits_asked: Option<std::ops::Range<usize>>,
    /// The query `results` answer, and the last places of its hits asked for (kept once
    /// answered): when the same search is answered again, as the folder changes, the rows
    /// scrolled to stay until their new versions come.
    pub results_for: Option<Query>,
    pub hits_window: Option<std::ops::Range<usize>>,
    pub doc: Option<DocState>,
    pub doc_loading: bool,
    pub stats: IndexStats,
    pub corpus_entities: EntityCounts,
    pub indexing: IndexingState,
    pub problems: Vec<FileProblem>,
    pub last_run: Option<RunRecord>,
    pub show_problems: bool,
    pub show_about: bool,
    pub show_shortcuts: bool,
    /// The "Open folder by path" window's text, while it is open.
    pub path_entry: Option<String>,
    /// The folder window was opened because no system folder dialog could be shown.
    pub no_dialog: bool,
    /// The subfolders of a folder, for the folder window (listed off the UI thread).
    pub listing: Option<(PathBuf, Listing)>,
    /// The "Indexes" window's list (`None` while it is closed).
    pub indexes: Option<Vec<IndexEntry>>,
    pub selected_entity: Option<EntityKey>,
    /// Which mention of the selected entity was last brought into view (0-based).
    pub current_mention: Option<usize>,
    /// Who appears with an entity (the selected one, or the graph's centre): by document, its
    /// documents, and its graph.
    pub cooccur: Option<(EntityKey, Cooccurrence)>,
    /// Who is named in the same sentence as an entity (asked for with `cooccur`, answered later).
    pub sentences: Option<(EntityKey, SentencePairs)>,
    /// The graph window is open.
    pub show_graph: bool,
    /// The timeline of the documents the current query matches.
    pub timeline: Option<Timeline>,
    /// Whether the open folder is watched for changes (or why not).
    pub watching: Option<Result<(), String>>,
    /// Where ↑ and ↓ in the search box are in the history (`None`: the query being typed).
    pub history_at: Option<usize>,
    /// The export window's choices, while it is open.
    pub export: Option<ExportDraft>,
    /// An export is being written (or its file chosen).
    pub exporting: bool,
    /// The folder's entity corrections, and the earlier and undone ones (Edit → Undo, Redo).
    pub curation: Curation,
    pub undo: Vec<Curation>,
    pub redo: Vec<Curation>,
    /// What the folder's entity lists are narrowed to (any spelling containing it).
    pub entity_find: String,
    /// The folder's entity lists as shown: per kind, positions in `corpus_entities`, narrowed
    /// and sorted. Made when the entities, the find text, the sort or "Numbers too" change,
    /// not every frame (a folder may have 100,000 entities).
    pub entity_rows: Vec<(EntityKind, Vec<usize>)>,
    /// The folder entities picked (Ctrl+click) to be merged together, in the order picked.
    pub picked: Vec<Picked>,
    /// The entity being renamed (by one of its keys) and the name typed so far.
    pub renaming: Option<(EntityKey, String)>,
    /// The entity being merged into another (by one of its keys), as shown, and the text typed
    /// to find the other.
    pub merging: Option<(EntityKey, EntityKey, String)>,
    pub current_match: Option<usize>,

    /// Requests for this frame only, cleared once a frame has been drawn with them: give the
    /// search box or the path field the keyboard, bring a char index of the document into view.
    pub focus_search: bool,
    pub focus_path: bool,
    pub scroll_to_char: Option<usize>,
}

impl State {
    /// The hit at place `i` of the current search's list, if it has arrived.
    pub fn hit(&self, i: usize) -> Option<&SearchHit> {
        let first = &self.results.as_ref()?.hits;
        first.get(i).or_else(|| self.more_hits.get(&i))
    }

    /// The hits received so far, in list order.
    pub fn loaded_hits(&self) -> impl Iterator<Item = &SearchHit> {
        self.results.iter().flat_map(|r| &r.hits).chain(self.more_hits.values())
    }

    /// A new search's results (or none): the hits of the last one are forgotten.
    pub fn set_results(&mut self, results: Option<SearchResults>) {
        self.results = results;
        self.more_hits.clear();
        self.hits_asked = None;
        self.hits_window = None;
        self.results_for = None;
    }

    /// The current search's results again (the folder changed): the hits it had at the places
    /// last asked for are kept until those places are answered again; the others are forgotten.
    pub fn refresh_results(&mut self, results: SearchResults) {
        self.results = Some(results);
        let window = self.hits_window.clone().unwrap_or_default();
        self.more_hits.retain(|i, _| window.contains(i));
        self.hits_asked = None;
    }

    /// Makes [`State::entity_rows`] again from the entities, the find text and the sort.
    pub fn list_entities(&mut self) {
        // Names come folded with the list (folding them here would cost ~40 ms a call at
        // 40,000 entities, on the UI thread).
        let wanted = crate::index::name_key(&self.entity_find);
        let mut by_kind: Vec<(EntityKind, Vec<usize>)> = EntityKind::ALL.iter().map(|k| (*k, Vec::new())).collect();
        let mut name_rank = Vec::new();
        for (i, c) in self.corpus_entities.iter().enumerate() {
            let kind = c.kind;
            if (self.p.show_counting || !kind.is_counting()) && c.is_named_like(&wanted) {
                by_kind[EntityKind::ALL.iter().position(|k| *k == kind).unwrap_or(0)].1.push(i);
            }
            if self.p.entities_by_name {
                name_rank.push(c.name_rank);
            }
        }
        if self.p.entities_by_name {
            for (_, rows) in &mut by_kind {
                rows.sort_unstable_by_key(|&i| name_rank[i]);
            }
        }
        by_kind.retain(|(_, rows)| !rows.is_empty());
        self.entity_rows = by_kind;
    }

    /// Forgets this frame's one-shot requests (they were drawn).
    pub fn drawn(&mut self) {
        self.focus_search = false;
        self.focus_path = false;
        self.scroll_to_char = None;
    }
}

/// A folder entity picked to be merged with others: one of its per-document keys (which
/// corrections do not change) and how it is shown.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Picked {
    pub key: EntityKey,
    pub shown: EntityKey,
}
