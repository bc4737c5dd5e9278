//! The search box's memory: the history ↑ and ↓ step through, and the searches kept per
//! folder with ☆.

use super::DossierApp;
use crate::view::SavedSearch;

/// Queries kept in the history.
const MAX_HISTORY: usize = 50;

impl DossierApp {
    /// Adds the query in the box to the history (the newest last, each once).
    pub(super) fn remember_query(&mut self) {
        let query = self.state.p.query.trim().to_owned();
        self.state.history_at = None;
        if query.is_empty() {
            return;
        }
        let history = &mut self.state.p.history;
        history.retain(|h| *h != query);
        history.push(query);
        if history.len() > MAX_HISTORY {
            history.remove(0);
        }
    }

    /// Puts an older (`true`) or newer query in the box; past the newest, the box empties.
    pub(super) fn step_history(&mut self, older: bool) {
        let n = self.state.p.history.len();
        if n == 0 {
            return;
        }
        let at = match (self.state.history_at, older) {
            (None, true) => Some(n - 1),
            (None, false) => None,
            (Some(i), true) => Some(i.saturating_sub(1)),
            (Some(i), false) => (i + 1 < n).then_some(i + 1),
        };
        self.state.history_at = at;
        self.state.p.query = at.map(|i| self.state.p.history[i].clone()).unwrap_or_default();
        self.search_now();
    }

    /// Keeps the query in the box for the open folder.
    pub(super) fn save_search(&mut self) {
        let (Some(folder), query) = (self.state.folder.clone(), self.state.p.query.trim().to_owned()) else { return };
        if query.is_empty() || self.state.p.saved.iter().any(|s| s.folder == folder && s.query == query) {
            return;
        }
        self.state.p.saved.push(SavedSearch { folder, query });
    }

    pub(super) fn forget_search(&mut self, i: usize) {
        if i < self.state.p.saved.len() {
            self.state.p.saved.remove(i);
        }
    }

    pub(super) fn run_search(&mut self, query: String) {
        self.state.p.query = query;
        self.remember_query();
        self.search_now();
    }
}
