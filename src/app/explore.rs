//! The explorer's plumbing: who appears with the selected entity (asked by document, then by
//! sentence), stepping to the next document that mentions it, the timeline and its date
//! filter, the graph window, and a filter chip written out as query text.

use super::DossierApp;

/// Where stepping to the next document that mentions an entity goes.
enum Step {
    Open(String),
    /// A hit on the way has not come: the searcher looks from there, through the ranking.
    Ask(Resume),
    None,
}

/// Where a look for the next document that mentions an entity stopped: the place it had not
/// received, and how many places it had still to look at.
#[derive(Clone, Copy, Debug)]
struct Resume {
    next: usize,
    left: usize,
}

/// A look for the next document that mentions an entity, asked of the searcher: its answer is
/// used only if the entity, the query and the open document are still those it started from.
#[derive(Clone, Debug)]
pub(super) struct Stepping {
    entity: Option<EntityKey>,
    query: Query,
    from: Option<String>,
}
use crate::model::{EntityKey, MonthCount, Query, SearchHit};
use crate::searcher::Request;
use crate::view::document::DocState;

impl DossierApp {
    /// Asks who appears with `key`, by document and then by sentence.
    pub(super) fn ask_cooccur(&mut self, key: EntityKey) {
        self.send(Request::Cooccur(key.clone()));
        self.send(Request::Sentences(key));
    }

    pub(super) fn ask_timeline(&mut self) {
        if self.state.p.show_timeline {
            self.send(Request::Timeline(self.query()));
        }
    }

    /// Keeps the selected entity when `doc` mentions it or another of its spellings (after
    /// stepping to the next document that mentions it), and scrolls to it when asked to.
    pub(super) fn keep_selection_in(&mut self, doc: &DocState) {
        let stepped_here = self.to_mention.take().is_some_and(|id| id == doc.id);
        let Some(selected) = self.state.selected_entity.clone() else { return };
        let members = match &self.state.cooccur {
            Some((key, found)) if *key == selected => found.members.clone(),
            _ => Vec::new(),
        };
        let held = std::iter::once(&selected).chain(&members).find(|k| doc.first_mention_of(k).is_some()).cloned();
        self.state.selected_entity = held.clone();
        if let Some(key) = held.filter(|_| stepped_here) {
            self.state.scroll_to_char = doc.first_mention_of(&key);
            self.state.current_mention = Some(0);
            // The answers about it stay: it is the same entity under this document's spelling.
            if let Some((k, _)) = self.state.cooccur.as_mut() {
                *k = key.clone();
            }
            if let Some((k, _)) = self.state.sentences.as_mut() {
                *k = key.clone();
            }
            self.state.selected_entity = Some(key);
        }
    }

    /// The next (or previous) document in the list shown that mentions the selected entity, in
    /// list order and round from the end to the start; or, when a hit on the way has not come
    /// yet, where the searcher is to look on from.
    fn document_mentioning(&self, forward: bool) -> Step {
        let Some(selected) = self.state.selected_entity.as_ref() else { return Step::None };
        let Some((_, found)) = self.state.cooccur.as_ref().filter(|(k, _)| k == selected) else { return Step::None };
        let mentions = |id: &str| found.doc_ids.binary_search_by(|d| d.as_str().cmp(id)).is_ok();
        // A hit's id, and the copies folded into it (the counts keep the first copy by path,
        // which a sort by date may not show first).
        let at = |place: usize| -> Option<(&str, &[String])> {
            match &self.state.results {
                Some(_) => self.state.hit(place).map(|h| (h.id.as_str(), h.copies.as_slice())),
                None => self.state.docs.get(place).map(|d| (d.id.as_str(), &[][..])),
            }
        };
        let n = self.state.results.as_ref().map_or(self.state.docs.len(), |r| r.total);
        // Where to start and how many places to look at: every other place once.
        let Resume { next, left } = {
            let here = self.state.p.selected.as_deref().and_then(|id| match &self.state.results {
                Some(r) => r
                    .hits
                    .iter()
                    .position(|h| h.id == id)
                    .or_else(|| self.state.more_hits.iter().find(|(_, h)| h.id == id).map(|(&place, _)| place)),
                None => self.state.docs.iter().position(|d| d.id == id),
            });
            match (here, forward) {
                (Some(i), true) => Resume { next: (i + 1) % n.max(1), left: n.saturating_sub(1) },
                (Some(i), false) => Resume { next: (i + n - 1) % n.max(1), left: n.saturating_sub(1) },
                (None, true) => Resume { next: 0, left: n },
                (None, false) => Resume { next: n.saturating_sub(1), left: n },
            }
        };
        let mut place = next;
        for left in (1..=left).rev() {
            if place >= n {
                // The list got shorter since.
                return Step::None;
            }
            match at(place) {
                Some((id, copies)) if mentions(id) || copies.iter().any(|c| mentions(c)) => {
                    return Step::Open(id.to_owned());
                }
                Some(_) => {}
                None => return Step::Ask(Resume { next: place, left }),
            }
            place = if forward { (place + 1) % n } else { (place + n - 1) % n };
        }
        Step::None
    }

    /// Whether a look asked of the searcher still has what it started from.
    pub(super) fn still_stepping(&self, step: &Stepping) -> bool {
        step.entity == self.state.selected_entity && step.query == self.query() && step.from == self.state.p.selected
    }

    /// Opens the next (or previous) document in the list that mentions the selected entity,
    /// asking the searcher to look on when a hit on the way has not come yet.
    pub(super) fn step_document(&mut self, forward: bool) {
        self.stepping = None;
        match self.document_mentioning(forward) {
            Step::Open(id) => self.open_mentioning(id),
            Step::Ask(Resume { next, left }) => {
                let Some(key) = self.state.selected_entity.clone() else { return };
                self.stepping = Some(Stepping {
                    entity: Some(key.clone()),
                    query: self.query(),
                    from: self.state.p.selected.clone(),
                });
                self.state.info = Some("Looking further through the list…".to_owned());
                self.send(Request::NextMention { query: self.query(), key, from: next, left, forward });
            }
            Step::None => self.none_mentioning(),
        }
    }

    /// What the searcher found looking on through the list for the selected entity: the place
    /// and hit of the next document that mentions it, or none.
    pub(super) fn stepped(&mut self, query: Query, found: Option<(usize, SearchHit)>) {
        let Some(step) = self.stepping.take() else { return };
        if query != self.query() || !self.still_stepping(&step) {
            // The user went elsewhere meanwhile: another document, entity or query.
            self.state.info = None;
            return;
        }
        match found {
            Some((place, hit)) => {
                let id = hit.id.clone();
                // The list shows it when scrolled to.
                if place >= self.state.results.as_ref().map_or(0, |r| r.hits.len()) {
                    self.state.more_hits.insert(place, hit);
                }
                self.open_mentioning(id);
            }
            None => self.none_mentioning(),
        }
    }

    fn open_mentioning(&mut self, id: String) {
        self.state.info = None;
        self.to_mention = Some(id.clone());
        self.state.p.selected = Some(id.clone());
        self.request_doc(id);
    }

    fn none_mentioning(&mut self) {
        let name = self.state.selected_entity.as_ref().map_or(String::new(), |k| k.text.clone());
        self.state.info = Some(format!("No other document in the list mentions {name}."));
    }

    /// Takes filter `i` out of the chips and writes it into the search box.
    pub(super) fn filter_to_text(&mut self, i: usize) {
        let Some(typed) = self.state.p.filters.get(i).and_then(EntityKey::query_text) else { return };
        self.state.p.filters.remove(i);
        let query = self.state.p.query.trim_end();
        self.state.p.query = if query.is_empty() { typed } else { format!("{query} {typed}") };
        self.search_now();
    }

    /// Writes the months picked on the timeline into the search box as a `date:` filter (or
    /// drops it).
    pub(super) fn date_range(&mut self, months: Option<(i32, i32)>) {
        let mut query = without_dates(&self.state.p.query);
        if let Some((from, to)) = months {
            let (from, to) = (from.min(to), from.max(to));
            let range = if from == to {
                format!("date:{}", MonthCount::iso(from))
            } else {
                format!("date:[{} TO {}]", MonthCount::iso(from), MonthCount::iso(to))
            };
            query = if query.is_empty() { range } else { format!("{query} {range}") };
        }
        self.state.p.query = query;
        self.search_now();
    }

    /// Opens or closes the graph window; opened, it shows the selected entity or the first filter.
    pub(super) fn show_graph(&mut self, show: bool) {
        self.state.show_graph = show;
        if show
            && self.state.cooccur.is_none()
            && let Some(key) = self.state.selected_entity.clone().or_else(|| self.state.p.filters.first().cloned())
        {
            self.ask_cooccur(key);
        }
    }
}

/// `query` without its `date:` filters (the timeline writes its own).
fn without_dates(query: &str) -> String {
    let filters = Query { text: query.to_owned(), ..Query::default() }.parse_text();
    let mut out = query.to_owned();
    for spec in &filters.dates {
        for prefix in ["date:", "when:"] {
            for written in [format!("{prefix}{spec}"), format!("{prefix}\"{spec}\"")] {
                if let Some(at) = out.find(&written) {
                    out.replace_range(at..at + written.len(), "");
                }
            }
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}
