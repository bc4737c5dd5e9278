//! Drawing. One function per panel (`*_ui`); none has side effects beyond returning
//! [`Command`]s, which the app applies after the frame.

mod explore;
mod export;
pub mod layout;
pub mod theme;

use eframe::egui::{self, Align, Color32, Layout, RichText, Sense};
use egui::text::LayoutJob;

use crate::entities::curation::{Curation, Rule};
use crate::model::{
    Counted, DocFormat, EntityCount, EntityKey, EntityKind, FileProblem, Outcome, SearchHit, SearchResults, SortBy,
};
use crate::pipeline::Stage;
use crate::store::IndexState;
use crate::view::document::{DocState, EntityRow};
use crate::view::{Command, Picked, State, ThemeChoice};
use crate::words;
use layout::{LayoutCache, LayoutKey};

/// Draws the whole window.
/// The most of the window's width the sidebar and the entities panel may take.
const SIDEBAR_SHARE: f32 = 0.35;
const ENTITIES_SHARE: f32 = 0.25;

pub fn draw(state: &State, layout: &mut LayoutCache, ui: &mut egui::Ui) -> Vec<Command> {
    let mut commands = Vec::new();
    let out = &mut commands;
    egui::Panel::top("menu").show(ui, |ui| menu_ui(state, ui, out));
    egui::Panel::bottom("status").show(ui, |ui| status_ui(state, ui, out));
    if state.indexing.running {
        egui::Panel::bottom("progress").show(ui, |ui| progress_ui(state, ui, out));
    }
    // The side panels give way as the window narrows, so the document keeps at least 40% of it.
    let width = ui.ctx().content_rect().width();
    let (side_max, entities_max) = (width * SIDEBAR_SHARE, width * ENTITIES_SHARE);
    egui::Panel::left("sidebar")
        .resizable(true)
        .default_size(360.0_f32.min(side_max))
        .size_range(220.0_f32.min(side_max)..=side_max)
        .show(ui, |ui| sidebar_ui(state, ui, out));
    if !state.p.hide_entity_panel {
        egui::Panel::right("entities")
            .resizable(true)
            .default_size(270.0_f32.min(entities_max))
            .size_range(180.0_f32.min(entities_max)..=entities_max)
            .show(ui, |ui| entity_panel_ui(state, ui, out));
    }
    if state.p.show_timeline && state.folder.is_some() {
        egui::Panel::bottom("timeline")
            .resizable(true)
            .default_size(170.0)
            .size_range(110.0..=400.0)
            .show(ui, |ui| explore::timeline_ui(state, ui, out));
    }
    egui::CentralPanel::default().show(ui, |ui| document_ui(state, layout, ui, out));
    if state.show_graph {
        explore::graph_window_ui(state, ui, out);
    }
    if let Some(draft) = state.export {
        export::window_ui(state, draft, ui, out);
    }
    if state.show_problems {
        problems_window_ui(state, ui, out);
    }
    if state.path_entry.is_some() {
        path_entry_ui(state, ui, out);
    }
    if state.indexes.is_some() {
        indexes_window_ui(state, ui, out);
    }
    if state.show_about {
        about_window_ui(ui, out);
    }
    if state.show_shortcuts {
        shortcuts_window_ui(ui, out);
    }
    if state.renaming.is_some() {
        rename_window_ui(state, ui, out);
    }
    if state.merging.is_some() {
        merge_window_ui(state, ui, out);
    }
    commands
}

/// Every keyboard shortcut, with what it does.
const SHORTCUTS: &[(&str, &str)] = &[
    ("Ctrl+O", "Open a folder"),
    ("Ctrl+F", "Go to the search box"),
    ("Escape", "Clear the search; in an empty box, clear the filters"),
    ("Enter / Shift+Enter", "Next / previous match (in the search box)"),
    ("F3 / Shift+F3", "Next / previous match"),
    ("Alt+↓ / Alt+↑", "Next / previous mention of the selected entity"),
    ("Ctrl+↓ / Ctrl+↑", "Next / previous document in the list that mentions the selected entity"),
    ("Tab", "Complete a folder name (in the folder window)"),
    ("↑ / ↓ (in the search box)", "Earlier / later searches"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo an entity correction (right-click a folder entity)"),
    ("Ctrl + / Ctrl − / Ctrl 0", "Bigger, smaller, normal text size"),
    ("F1", "This list"),
];

fn shortcuts_window_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut open = true;
    egui::Window::new("Keyboard shortcuts").open(&mut open).collapsible(false).show(ui.ctx(), |ui| {
        egui::Grid::new("shortcuts").num_columns(2).striped(true).show(ui, |ui| {
            for (keys, what) in SHORTCUTS {
                ui.label(RichText::new(*keys).strong());
                ui.label(*what);
                ui.end_row();
            }
        });
    });
    if !open {
        out.push(Command::ShowShortcuts(false));
    }
}

/// The version, the entity model and its licence notice, and every bundled crate's licence.
fn about_window_ui(ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut open = true;
    egui::Window::new("About Dossier").open(&mut open).default_size([560.0, 480.0]).show(ui.ctx(), |ui| {
        ui.heading("Dossier");
        ui.label(format!("Version {}", env!("CARGO_PKG_VERSION")));
        ui.label("Explore a folder of documents: search, and see the people, places and organisations in them.");
        ui.label("Dossier itself: MIT OR Apache-2.0.");
        ui.separator();
        ui.label(RichText::new("Entity model: spaCy en_core_web_sm 3.8.0 by Explosion AI (MIT licence)").strong());
        egui::ScrollArea::vertical().id_salt("model-licence").max_height(140.0).show(ui, |ui| {
            ui.label(RichText::new(crate::about::MODEL_LICENSE).small());
        });
        ui.separator();
        let crates: Vec<&str> = crate::about::crate_lines().collect();
        ui.label(RichText::new(format!("Built with {} crates, each under its licence:", crates.len())).strong());
        let row = ui.text_style_height(&egui::TextStyle::Small);
        egui::ScrollArea::vertical().id_salt("crate-licences").max_height(200.0).show_rows(
            ui,
            row,
            crates.len(),
            |ui, rows| {
                for line in &crates[rows] {
                    ui.label(RichText::new(*line).small());
                }
            },
        );
        ui.label(RichText::new("The full licence texts: dossier --licenses").weak());
    });
    if !open {
        out.push(Command::ShowAbout(false));
    }
}

/// The indexes in the data folder, each with its folder, size and state, and a way to remove
/// those that serve no folder now.
fn indexes_window_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let Some(entries) = &state.indexes else { return };
    let mut open = true;
    egui::Window::new("Indexes").open(&mut open).default_size([640.0, 300.0]).show(ui.ctx(), |ui| {
        ui.label(format!("Kept in {}", state.data_folder.display()));
        let prunable = |e: &&crate::store::IndexEntry| !matches!(e.state, IndexState::InUse | IndexState::Unknown);
        let unused: u64 = entries.iter().filter(prunable).map(|e| e.bytes).sum();
        egui::ScrollArea::vertical().max_height(220.0).show(ui, |ui| {
            for e in entries {
                let folder = e.folder.as_ref().map_or_else(|| "folder unknown".to_owned(), |f| f.display().to_string());
                ui.label(format!("{folder} · {} · {}", words::bytes(e.bytes), e.state.label()));
            }
        });
        ui.horizontal(|ui| {
            let prunable = entries.iter().any(|e| prunable(&e));
            let remove = egui::Button::new(format!("Remove unused indexes ({})", words::bytes(unused)));
            if ui
                .add_enabled(prunable, remove)
                .on_hover_text("Indexes of folders that are gone (or on a drive not mounted now), of older versions, and damaged ones")
                .clicked()
            {
                out.push(Command::PruneIndexes);
            }
        });
    });
    if !open {
        out.push(Command::ShowIndexes(false));
    }
}

fn menu_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| file_menu_ui(state, ui, out));
        ui.menu_button("Edit", |ui| edit_menu_ui(state, ui, out));
        ui.menu_button("View", |ui| view_menu_ui(state, ui, out));
        ui.menu_button("Help", |ui| {
            if ui.add(egui::Button::new("Keyboard shortcuts").shortcut_text("F1")).clicked() {
                out.push(Command::ShowShortcuts(true));
            }
            if ui.button("About Dossier").clicked() {
                out.push(Command::ShowAbout(true));
            }
        });
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if let Some(folder) = state.folder.as_deref() {
                ui.label(RichText::new(folder.display().to_string()).weak());
            } else if let Some(source) = &state.opening {
                ui.spinner();
                ui.label(match source {
                    crate::session::FolderSource::Path(p) => format!("Opening {}…", p.display()),
                    crate::session::FolderSource::Samples => "Opening the sample documents…".to_owned(),
                });
            }
            if state.picking {
                ui.label(RichText::new("Waiting for the folder dialog…").italics());
            }
        });
    });
}

fn file_menu_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let open =
        ui.add(egui::Button::new("Open folder…").shortcut_text(
            ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, egui::Key::O)),
        ));
    if open.clicked() {
        out.push(Command::PickFolder);
    }
    if ui.button("Open folder by path…").clicked() {
        let current = state.folder.as_deref().map(|f| f.display().to_string()).unwrap_or_default();
        out.push(Command::PathEntry(Some(current)));
    }
    ui.separator();
    ui.label(RichText::new("Recent folders").weak());
    if state.p.recent.is_empty() {
        ui.label(RichText::new("none yet").weak().italics());
    }
    for folder in &state.p.recent {
        if ui.button(folder.display().to_string()).clicked() {
            out.push(Command::OpenFolder(folder.clone()));
        }
    }
    ui.separator();
    export::menu_item_ui(state, ui, out);
    if ui.add_enabled(state.folder.is_some() && !state.indexing.running, egui::Button::new("Re-index folder")).clicked()
    {
        out.push(Command::Reindex(false));
    }
    if ui.button("Quit").clicked() {
        out.push(Command::Quit);
    }
}

fn view_menu_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut shown = !state.p.hide_entity_panel;
    if ui.checkbox(&mut shown, "Entities panel").changed() {
        out.push(Command::ToggleEntityPanel);
    }
    let mut timeline = state.p.show_timeline;
    if ui.checkbox(&mut timeline, "Timeline").changed() {
        out.push(Command::ToggleTimeline);
    }
    if ui.button("Who appears with…").on_hover_text("The graph of the selected entity's companions").clicked() {
        out.push(Command::ShowGraph(true));
    }
    if ui.button("Files not indexed…").clicked() {
        out.push(Command::ShowProblems(true));
    }
    if ui.button("Indexes…").clicked() {
        out.push(Command::ShowIndexes(true));
    }
    ui.separator();
    let key = |k| ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, k));
    let (plus, minus, zero) = (key(egui::Key::Plus), key(egui::Key::Minus), key(egui::Key::Num0));
    if ui.add(egui::Button::new("Zoom in").shortcut_text(plus)).clicked() {
        out.push(Command::Zoom(Some(true)));
    }
    if ui.add(egui::Button::new("Zoom out").shortcut_text(minus)).clicked() {
        out.push(Command::Zoom(Some(false)));
    }
    if ui.add(egui::Button::new("Normal size").shortcut_text(zero)).clicked() {
        out.push(Command::Zoom(None));
    }
    ui.separator();
    let current = ui.ctx().options(|o| o.theme_preference);
    for (preference, choice, name) in [
        (egui::ThemePreference::System, ThemeChoice::System, "Theme: as the system"),
        (egui::ThemePreference::Light, ThemeChoice::Light, "Theme: light"),
        (egui::ThemePreference::Dark, ThemeChoice::Dark, "Theme: dark"),
    ] {
        if ui.radio(current == preference, name).clicked() {
            out.push(Command::Theme(choice));
        }
    }
}

fn progress_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let p = &state.indexing.progress;
    ui.horizontal(|ui| {
        let fraction = p.fraction();
        let mut text = match (state.indexing.planned, p.stage) {
            (None, Stage::Text) => "Looking for files…".to_owned(),
            (Some(_), Stage::Text) => format!(
                "Indexing text: {} / {} files · {} of {} · {}",
                p.done,
                p.total,
                words::bytes(p.bytes_done),
                words::bytes(p.total_bytes),
                words::plural(p.documents as u64, "document")
            ),
            // The text is searchable: this stage only adds entities.
            (_, Stage::Entities) => format!(
                "Finding entities: {} / {} documents · {} of {} · every document is searchable",
                p.done,
                p.total,
                words::bytes(p.bytes_done),
                words::bytes(p.total_bytes),
            ),
        };
        if p.done > 0 {
            let unit = if p.stage == Stage::Text { "files" } else { "documents" };
            text.push_str(&format!(" · {:.0} {unit}/s", p.files_per_sec()));
            if let Some(eta) = p.eta() {
                text.push_str(&format!(" · {} left", words::duration(eta.as_secs_f64())));
            }
        }
        if state.indexing.cancelling {
            let unit = if p.stage == Stage::Text { "files" } else { "documents" };
            text = format!("Stopping after {} {unit}…", p.done);
        }
        let bar_width = (ui.available_width() - 90.0).max(100.0);
        ui.add(
            egui::ProgressBar::new(fraction)
                .text(text)
                .desired_width(bar_width)
                .animate(state.indexing.planned.is_none()),
        );
        if ui.add_enabled(!state.indexing.cancelling, egui::Button::new("Cancel")).clicked() {
            out.push(Command::CancelIndexing);
        }
    });
}

fn status_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal(|ui| {
        if state.stats.copies == 0 {
            ui.label(words::plural(state.stats.documents, "document"));
        } else {
            let copies = words::plural(state.stats.copies, "exact copy");
            ui.label(format!("{} ({copies})", words::plural(state.stats.documents, "document"))).on_hover_text(
                "Documents with the same title and text as another (a message filed in several folders) \
                 are one hit in searches, which lists the copies, and count once in entity counts",
            );
        }
        ui.separator();
        ui.label(words::plural(state.stats.distinct_entities, "entity"));
        ui.separator();
        ui.label(format!("index {}", words::bytes(state.stats.index_bytes)));
        if let Some(run) = &state.last_run {
            ui.separator();
            let ago = now_unix().saturating_sub(run.finished_at_unix);
            let what = if run.cancelled { "indexing cancelled" } else { "indexed" };
            let when = if ago < 2 { "just now".to_owned() } else { format!("{} ago", words::duration(ago as f64)) };
            ui.label(format!("{what} {when} in {}", words::duration(run.duration_secs)));
        }
        match &state.watching {
            Some(Ok(())) => {
                ui.separator();
                ui.label(RichText::new("live").color(theme::weak_color(dark))).on_hover_text(
                    "Files added, changed, renamed or removed while Dossier runs are indexed a moment later",
                );
            }
            Some(Err(e)) => {
                ui.separator();
                ui.label(RichText::new("not watched").color(theme::weak_color(dark)))
                    .on_hover_text(format!("Changes are seen when the folder is opened again ({e})"));
            }
            None => {}
        }
        let count = |o: Outcome| state.problems.iter().filter(|p| p.outcome == o).count();
        let (failed, skipped) = (count(Outcome::Failed), count(Outcome::Skipped));
        let (truncated, no_entities) = (count(Outcome::Truncated), count(Outcome::NoEntities));
        if failed + skipped + truncated + no_entities > 0 {
            ui.separator();
            let mut text = format!("{failed} could not be read · {skipped} skipped");
            if truncated > 0 {
                text.push_str(&format!(" · {truncated} truncated"));
            }
            if no_entities > 0 {
                text.push_str(&format!(" · {no_entities} without entities"));
            }
            let color = if failed > 0 { theme::error_color(dark) } else { theme::weak_color(dark) };
            if ui
                .add(egui::Button::new(RichText::new(text).color(color)).frame(false))
                .on_hover_text("Show the ingest report: files not indexed, or not whole")
                .clicked()
            {
                out.push(Command::ShowProblems(true));
            }
        }
        if let Some(folder) = state.folder.as_ref().filter(|_| state.searcher_stopped) {
            ui.separator();
            ui.label(RichText::new("The search thread stopped").color(theme::error_color(dark)));
            if ui.button("Reopen folder").clicked() {
                out.push(Command::OpenFolder(folder.clone()));
            }
        }
        if let Some(e) = &state.indexing.error {
            ui.separator();
            ui.label(RichText::new(format!("Indexing stopped: {e}")).color(theme::error_color(dark)));
        }
    });
}

fn sidebar_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    notices_ui(state, ui, out);
    search_box_ui(state, ui, out);
    saved_searches_ui(state, ui, out);
    entity_filters_ui(state, ui, out);
    facet_filters_ui(state, ui, out);
    ui.separator();
    match &state.results {
        Some(results) => results_ui(state, results, ui, out),
        None => all_docs_ui(state, ui, out),
    }
}

/// The banner (an error), the first-start hint, and the "folder looks unmounted" notice.
fn notices_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    let message = match (&state.banner, &state.info) {
        (Some(error), _) => Some(RichText::new(error).color(theme::error_color(dark))),
        (None, Some(info)) => Some(RichText::new(info)),
        (None, None) => None,
    };
    if let Some(message) = message {
        ui.horizontal_wrapped(|ui| {
            ui.label(message);
            if ui.small_button("Dismiss").clicked() {
                out.push(Command::DismissBanner);
            }
        });
        ui.separator();
    }
    if !state.p.hint_dismissed {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(
                    "New here? Ctrl+O opens a folder of your own, Ctrl+F searches, F1 lists every shortcut. \
                     The coloured chips above a document show or hide each kind of entity.",
                )
                .color(theme::weak_color(dark)),
            );
            if ui.small_button("Got it").clicked() {
                out.push(Command::DismissHint);
            }
        });
        ui.separator();
    }
    if let Some(run) = state.last_run.as_ref().filter(|r| r.kept_missing > 0 && !state.indexing.running) {
        ui.horizontal_wrapped(|ui| {
            let text = format!(
                "The folder looks empty or unmounted: all {} of its indexed files are missing. The index was kept; \
                 search still works.",
                run.kept_missing
            );
            ui.label(RichText::new(text).color(theme::error_color(dark)));
            if ui.small_button("Check again").clicked() {
                out.push(Command::Reindex(false));
            }
            if ui.small_button("Remove them from the index").clicked() {
                out.push(Command::Reindex(true));
            }
        });
        ui.separator();
    }
}

/// The search box: typing edits the query, Escape clears it, Enter goes to the next match.
fn search_box_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Search");
        let mut query = state.p.query.clone();
        // The "?" at the right edge, the field filling the rest (laid out from the right, so the
        // two never ask for more than the panel has).
        let (edit, help) = ui
            .with_layout(Layout::right_to_left(Align::Center), |ui| {
                let help = ui.small_button("?").on_hover_text("What the search box understands");
                let saveable = !state.p.query.trim().is_empty() && state.folder.is_some();
                let save = ui.add_enabled(saveable, egui::Button::new("☆").small());
                save.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, saveable, "Save this search"));
                if save.on_hover_text("Keep this search for this folder").clicked() {
                    out.push(Command::SaveSearch);
                }
                let edit = ui.add(
                    egui::TextEdit::singleline(&mut query)
                        // A fixed id: the panel's widgets change as indexing starts and ends, and
                        // an id counted from them would take the focus away mid-typing.
                        .id(egui::Id::unique("search box"))
                        .hint_text("words, \"a phrase\", Blai*, person:Lavrov")
                        .desired_width(ui.available_width()),
                );
                (edit.labelled_by(label.id), help)
            })
            .inner;
        egui::Popup::from_toggle_button_response(&help).show(search_help_ui);
        if state.focus_search {
            edit.request_focus();
        }
        if edit.changed() {
            out.push(Command::EditQuery(query));
        }
        if (edit.has_focus() || edit.lost_focus()) && ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            out.push(Command::ClearQuery);
        }
        if edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            out.push(Command::RememberQuery);
            out.push(if ui.input(|i| i.modifiers.shift) { Command::PrevMatch } else { Command::NextMatch });
            edit.request_focus();
        }
        // ↑ and ↓ step through the queries searched before.
        if edit.has_focus() {
            if ui.input(|i| i.key_pressed(egui::Key::ArrowUp)) {
                out.push(Command::History(true));
            } else if ui.input(|i| i.key_pressed(egui::Key::ArrowDown)) {
                out.push(Command::History(false));
            }
        }
    });
}

/// The open folder's saved searches: a click runs one, ✕ forgets it.
fn saved_searches_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let Some(folder) = &state.folder else { return };
    let saved: Vec<(usize, &str)> = state
        .p
        .saved
        .iter()
        .enumerate()
        .filter(|(_, s)| &s.folder == folder)
        .map(|(i, s)| (i, s.query.as_str()))
        .collect();
    if saved.is_empty() {
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new("Saved:").weak());
        for (i, query) in saved {
            let current = state.p.query.trim() == query;
            if ui.add(egui::Button::selectable(current, query)).on_hover_text("Search for it").clicked() {
                out.push(Command::RunSearch(query.to_owned()));
            }
            let forget = ui.small_button("✕");
            forget.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Forget {query}")));
            if forget.on_hover_text("Forget this search").clicked() {
                out.push(Command::ForgetSearch(i));
            }
        }
    });
}

/// What the search box understands, one line each (the "?" beside it).
const SEARCH_SYNTAX: &[(&str, &str)] = &[
    ("Francois", "in any case, with or without accents"),
    ("=François", "this spelling, accents included"),
    ("\"a phrase\"", "these words in a row"),
    ("\"talks Moscow\"~5", "within five words of each other"),
    ("Blai*", "any word starting so"),
    ("Blare~  Blare~2", "one or two letters off"),
    ("/Bl[a-z]ir/", "a regular expression over the text"),
    ("a OR b  -c  (a b)", "either, without, grouped"),
    ("title:word  path:minutes", "in titles; in the path"),
    ("person:Lavrov  org:CNN", "an entity, any spelling"),
    ("date:2022-07  date:[2022-01 TO 2022-06]", "written or mentioned then"),
    ("type:pdf  folder:mail  author:ward", "format, folder, author"),
];

fn search_help_ui(ui: &mut egui::Ui) {
    ui.strong("Search syntax");
    egui::Grid::new("search-syntax").num_columns(2).striped(true).show(ui, |ui| {
        for (example, meaning) in SEARCH_SYNTAX {
            ui.monospace(*example);
            ui.label(*meaning);
            ui.end_row();
        }
    });
}

/// The entity filters as removable chips.
fn entity_filters_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    if !state.p.filters.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("Only documents with:");
            for (i, key) in state.p.filters.iter().enumerate() {
                let fill = theme::entity_color(key.kind, dark);
                let chip = egui::Button::new(RichText::new(&key.text).color(theme::CHIP_TEXT)).fill(fill);
                let tip = match key.query_text() {
                    Some(typed) => {
                        format!("{}: click to write it in the search box as {typed}", key.kind.display_name())
                    }
                    None => key.kind.display_name().to_owned(),
                };
                if ui.add(chip).on_hover_text(tip).clicked() {
                    out.push(Command::FilterToText(i));
                }
                let remove = ui.add(egui::Button::new(RichText::new("✕").color(theme::CHIP_TEXT)).fill(fill));
                remove.widget_info(|| {
                    egui::WidgetInfo::labeled(egui::Role::Button, true, format!("Remove {}", key.text))
                });
                if remove.on_hover_text("Remove this filter").clicked() {
                    out.push(Command::RemoveFilter(i));
                }
            }
        });
    }
}

/// The hit count, what the query ignored, and every hit, in a list laid out only where it is
/// scrolled to; the hits of rows not received yet are asked for.
fn results_ui(state: &State, results: &SearchResults, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    let total = results.total;
    let head = match total {
        0 => "No documents match".to_owned(),
        1 => "1 document matches".to_owned(),
        _ => format!("{total} documents match"),
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(RichText::new(head).strong());
        if results.copies > 0 {
            let copies = words::plural(results.copies as u64, "exact copy");
            ui.label(RichText::new(format!("(and {copies})")).weak())
                .on_hover_text("Documents with the same title and text as a hit are listed under it, not again");
        }
    });
    // On a row of its own: the heading can be long.
    ui.horizontal(|ui| {
        let label = ui.label("Sort:");
        egui::ComboBox::from_id_salt("sort")
            .selected_text(state.p.sort.label())
            .show_ui(ui, |ui| {
                for sort in SortBy::ALL {
                    if ui.selectable_label(state.p.sort == sort, sort.label()).clicked() {
                        out.push(Command::Sort(sort));
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    for w in &results.warnings {
        ui.label(RichText::new(format!("Ignored part of the query: {w}")).small().color(theme::error_color(dark)));
    }
    let row_height = hit_row_height(ui);
    // Each search's list has its own scroll position: new hits start at the top, and the same
    // search again (a refresh after indexing, or going back to it) keeps its place.
    let p = &state.p;
    let list = ("hits", &p.query, &p.filters, &p.formats, &p.in_folder, p.sort);
    egui::ScrollArea::vertical().id_salt(list).auto_shrink([false, false]).show_rows(
        ui,
        row_height,
        total,
        |ui, rows| {
            let mut missing: Option<std::ops::Range<usize>> = None;
            for i in rows.clone() {
                match state.hit(i) {
                    Some(hit) => {
                        let selected = state.p.selected.as_deref() == Some(hit.id.as_str());
                        if hit_ui(ui, hit, selected, row_height).clicked() {
                            out.push(Command::SelectDoc(hit.id.clone()));
                        }
                    }
                    None => {
                        ui.add_sized([ui.available_width(), row_height], egui::Label::new(RichText::new("…").weak()));
                        let m = missing.get_or_insert(i..i + 1);
                        m.end = i + 1;
                    }
                }
            }
            if let Some(m) = missing {
                // A screen's worth around what is missing, so a little scrolling has its rows.
                let pad = rows.len().max(10);
                out.push(Command::LoadHits(m.start.saturating_sub(pad)..(m.end + pad).min(total)));
            }
        },
    );
}

/// Every document, a virtualised list.
fn all_docs_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.label(RichText::new(format!("All documents ({})", state.docs.len())).strong());
    let row_height = ui.text_style_height(&egui::TextStyle::Body) * 2.0 + 10.0;
    egui::ScrollArea::vertical().id_salt("docs").auto_shrink([false, false]).show_rows(
        ui,
        row_height,
        state.docs.len(),
        |ui, rows| {
            for doc in &state.docs[rows] {
                let selected = state.p.selected.as_deref() == Some(doc.id.as_str());
                let details = format!(
                    "{} · {} · {} · {}{}{}",
                    doc.id,
                    doc.format.label(),
                    words::bytes(doc.size_bytes),
                    if doc.entities_pending {
                        "entities to come".to_owned()
                    } else {
                        words::plural(doc.entity_count, "entity")
                    },
                    crate::lang::foreign_name(&doc.language).map(|n| format!(" · {n}")).unwrap_or_default(),
                    if doc.truncated { " · truncated" } else { "" }
                );
                let r = list_row_ui(ui, selected, &doc.title, &details, row_height - 2.0);
                if r.clicked() {
                    out.push(Command::SelectDoc(doc.id.clone()));
                }
            }
        },
    );
}

/// Format chips with document counts, and the folder picker, when the folder has a choice.
fn facet_filters_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut formats: Vec<(DocFormat, u64)> = state.stats.formats.clone();
    // An active filter always has its chip, with 0 if no document of that type is left, so it
    // can be seen and switched off.
    for format in &state.p.formats {
        if !formats.iter().any(|(f, _)| f == format) {
            formats.push((*format, 0));
        }
    }
    formats.sort_by_key(|(f, _)| f.label());
    if formats.len() > 1 || !state.p.formats.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("Type:");
            for &(format, n) in &formats {
                let on = state.p.formats.contains(&format);
                let chip = ui.selectable_label(on, format!("{} {n}", format.label())).on_hover_text(if on {
                    "Click to stop limiting to this type"
                } else {
                    "Only this type (type:…)"
                });
                if chip.clicked() {
                    out.push(Command::ToggleFormat(format));
                }
            }
        });
    }
    let folders = &state.stats.folders;
    if !folders.is_empty() || !state.p.in_folder.is_empty() {
        ui.horizontal(|ui| {
            let label = ui.label("Folder:");
            let shown = if state.p.in_folder.is_empty() { "All folders".to_owned() } else { state.p.in_folder.clone() };
            egui::ComboBox::from_id_salt("folder-filter")
                .selected_text(shown)
                .width(ui.available_width() - 8.0)
                .show_ui(ui, |ui| {
                    if ui.selectable_label(state.p.in_folder.is_empty(), "All folders").clicked() {
                        out.push(Command::SetFolderFilter(String::new()));
                    }
                    for (folder, n) in folders {
                        let depth = folder.matches('/').count();
                        let name = folder.rsplit('/').next().unwrap_or(folder);
                        let text = format!("{}{name}  ({n})", "    ".repeat(depth));
                        if ui.selectable_label(state.p.in_folder == *folder, text).clicked() {
                            out.push(Command::SetFolderFilter(folder.clone()));
                        }
                    }
                })
                .response
                .labelled_by(label.id);
        });
    }
}

/// A selectable two-line row (title, then details in small weak text), left-aligned and cut
/// with "…" to the row's width. Its accessible label is both lines.
fn list_row_ui(ui: &mut egui::Ui, selected: bool, title: &str, details: &str, height: f32) -> egui::Response {
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, height), Sense::click());
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, format!("{title}\n{details}")));
    if ui.is_rect_visible(rect) {
        let visuals = ui.style().interact_selectable(&response, selected);
        if selected || response.hovered() {
            ui.painter().rect_filled(rect, visuals.corner_radius, visuals.weak_bg_fill);
        }
        let one_line = |text: &str, style: egui::TextStyle, color: Color32| {
            let mut job =
                LayoutJob::single_section(text.to_owned(), egui::TextFormat::simple(style.resolve(ui.style()), color));
            job.wrap = egui::text::TextWrapping::truncate_at_width(rect.width() - 12.0);
            ui.painter().layout_job(job)
        };
        let title_galley = one_line(title, egui::TextStyle::Body, visuals.text_color());
        let details_galley = one_line(details, egui::TextStyle::Small, theme::weak_color(ui.visuals().dark_mode));
        let top = rect.min + egui::vec2(6.0, 3.0);
        let title_height = title_galley.size().y;
        ui.painter().galley(top, title_galley, visuals.text_color());
        ui.painter().galley(top + egui::vec2(0.0, title_height + 1.0), details_galley, visuals.text_color());
    }
    response
}

/// The height of a hit's row: its title, its details, and two lines of snippet.
fn hit_row_height(ui: &egui::Ui) -> f32 {
    let body = ui.text_style_height(&egui::TextStyle::Body);
    let small = ui.text_style_height(&egui::TextStyle::Small);
    body + 3.0 * small + 12.0
}

/// One search hit, `height` high: title, path, match count and copies, then two lines of the
/// snippet with its matches marked. Its accessible label is all of it.
fn hit_ui(ui: &mut egui::Ui, hit: &SearchHit, selected: bool, height: f32) -> egui::Response {
    let dark = ui.visuals().dark_mode;
    let width = ui.available_width();
    let (rect, response) = ui.allocate_exact_size(egui::vec2(width, height), Sense::click());
    let matches = match hit.match_count {
        Some(1) => " · 1 match".to_owned(),
        Some(n) => format!(" · {n} matches"),
        None => String::new(),
    };
    let page = hit.page.map(|p| format!(" · {} {p}", hit.format.page_word())).unwrap_or_default();
    let copies = match hit.copies.len() {
        0 => String::new(),
        n => format!(" · +{}", words::plural(n as u64, "copy")),
    };
    let details = format!("{} · {}{matches}{page}{copies}", hit.id, hit.format.label());
    let label = format!("{}\n{details}\n{}", hit.title, hit.snippet);
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, &label));
    let response = if hit.copies.is_empty() {
        response
    } else {
        response.on_hover_text(format!("The same title and text:\n{}", hit.copies.join("\n")))
    };
    if !ui.is_rect_visible(rect) {
        return response;
    }
    let visuals = ui.style().interact_selectable(&response, selected);
    if selected || response.hovered() {
        ui.painter().rect_filled(rect.shrink(1.0), visuals.corner_radius, visuals.weak_bg_fill);
    }
    let text = visuals.text_color();
    let small = egui::TextStyle::Small.resolve(ui.style());
    let inner = rect.width() - 12.0;
    let line = |s: &str, font: egui::FontId, color: Color32| {
        let mut job = LayoutJob::single_section(s.to_owned(), egui::TextFormat::simple(font, color));
        job.wrap = egui::text::TextWrapping::truncate_at_width(inner);
        ui.painter().layout_job(job)
    };
    let title = line(&hit.title, egui::TextStyle::Body.resolve(ui.style()), text);
    let details = line(&details, small.clone(), theme::weak_color(dark));
    let mut job = LayoutJob::default();
    let plain = egui::TextFormat::simple(small.clone(), text);
    let mut marked = egui::TextFormat::simple(small, theme::MATCH_TEXT);
    marked.background = theme::MATCH_BACKGROUND;
    let mut at = 0;
    for r in &hit.snippet_ranges {
        let (Some(before), Some(matched)) = (hit.snippet.get(at..r.start), hit.snippet.get(r.clone())) else {
            continue;
        };
        job.append(before, 0.0, plain.clone());
        job.append(matched, 0.0, marked.clone());
        at = r.end;
    }
    job.append(hit.snippet.get(at..).unwrap_or_default(), 0.0, plain);
    job.wrap = egui::text::TextWrapping { max_width: inner, max_rows: 2, ..Default::default() };
    let snippet = ui.painter().layout_job(job);
    let mut top = rect.min + egui::vec2(6.0, 4.0);
    for galley in [title, details, snippet] {
        let h = galley.size().y;
        ui.painter().galley(top, galley, text);
        top.y += h + 1.0;
    }
    response
}

fn entity_panel_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    egui::ScrollArea::vertical().id_salt("entity-panel").auto_shrink([false, false]).show(ui, |ui| {
        ui.heading("In this document");
        match &state.doc {
            None => {
                ui.label(RichText::new("Select a document.").weak());
            }
            Some(doc) if doc.entities_pending => {
                ui.label(RichText::new("Not found yet.").weak());
            }
            Some(doc) if doc.groups.is_empty() => {
                ui.label(RichText::new("No entities found.").weak());
            }
            Some(doc) => {
                for (kind, rows) in &doc.groups {
                    let title = format!("{} ({})", kind.display_name(), rows.len());
                    egui::CollapsingHeader::new(RichText::new(title).color(theme::entity_color(*kind, dark)))
                        .id_salt(("doc-kind", kind.label()))
                        .default_open(true)
                        .show(ui, |ui| {
                            // The name is cut to leave room for the right-aligned filter button, so
                            // a long name never widens the panel.
                            rows_in_view(ui, rows, |ui, row| doc_entity_row_ui(state, *kind, row, ui, out));
                        });
                }
            }
        }
        ui.separator();
        if let Some((key, pairs)) = state.cooccur.as_ref().filter(|(k, _)| state.selected_entity.as_ref() == Some(k)) {
            explore::cooccur_ui(state, key, pairs, ui, out);
            ui.separator();
        }
        folder_entities_ui(state, ui, out);
    });
}

/// Draws `rows`, one line each, only those in view: a long document names thousands of
/// entities, and laying out every row would take a frame's time. The others take their space.
fn rows_in_view<T>(ui: &mut egui::Ui, rows: &[T], mut draw: impl FnMut(&mut egui::Ui, &T)) {
    // A row is exactly this high, whatever it holds, so the space of the rows not drawn is theirs.
    let body = ui.text_style_height(&egui::TextStyle::Body);
    let height = ui.spacing().interact_size.y.max(body + 2.0 * ui.spacing().button_padding.y);
    let step = height + ui.spacing().item_spacing.y;
    let (top, clip) = (ui.cursor().top(), ui.clip_rect());
    let first = (((clip.top() - top) / step).floor().max(0.0) as usize).min(rows.len());
    let end = ((((clip.bottom() - top) / step).ceil().max(0.0) as usize) + 1).clamp(first, rows.len());
    ui.add_space(first as f32 * step);
    let width = ui.available_width();
    for (i, row) in rows.iter().enumerate().take(end).skip(first) {
        let (rect, _) = ui.allocate_exact_size(egui::vec2(width, height), Sense::hover());
        // An id by the row's place, not by how many rows were drawn before it.
        let child =
            egui::UiBuilder::new().id_salt(("row", i)).max_rect(rect).layout(Layout::left_to_right(Align::Center));
        draw(&mut ui.new_child(child), row);
    }
    ui.add_space((rows.len() - end) as f32 * step);
}

/// One entity of the open document: click to highlight its mentions, or filter by it.
fn doc_entity_row_ui(state: &State, kind: EntityKind, row: &EntityRow, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let selected = state.selected_entity.as_ref() == Some(&row.key);
    let text = format!("{} ×{}", row.key.text, row.mentions);
    let name_width = (ui.available_width() - 52.0).max(40.0);
    let r = ui
        .scope(|ui| {
            ui.set_max_width(name_width);
            ui.add(egui::Button::selectable(selected, text).truncate())
        })
        .inner
        .on_hover_text(format!(
            "{}{} · in {} · click to highlight, right-click to correct",
            kind.display_name(),
            row.value.as_deref().map(|v| format!(" ({v})")).unwrap_or_default(),
            words::plural(row.documents, "document")
        ));
    // The same corrections as in the folder's list, for the entity this mention belongs to.
    r.context_menu(|ui| match state.corpus_entities.iter().find(|c| c.entity.members.contains(&row.key)) {
        Some(c) => entity_menu_ui(c.entity, ui, out),
        None => {
            ui.label("Not counted in the folder yet.");
        }
    });
    if r.clicked() {
        out.push(Command::SelectEntity((!selected).then(|| row.key.clone())));
    }
    ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
        if ui.small_button("filter").on_hover_text("Only show documents that mention it").clicked() {
            out.push(Command::AddFilter(row.key.clone()));
        }
    });
}

/// While entities are still being found, how far that is: the counts below cover only part of
/// the folder.
fn entities_pending_ui(state: &State, ui: &mut egui::Ui) {
    let (pending, documents) = (state.stats.entities_pending, state.stats.documents);
    if pending == 0 || documents == 0 {
        return;
    }
    // Rounded down: "100%" only once every document is done.
    let percent = documents.saturating_sub(pending) * 100 / documents;
    let mut text = format!("Entities: {percent}% of documents");
    if !state.indexing.running {
        text.push_str(" (the rest at the next indexing)");
    }
    ui.label(RichText::new(text).color(theme::weak_color(ui.visuals().dark_mode))).on_hover_text(format!(
        "Every document is searchable; the entities of {} are still to be found, so these counts \
         will grow",
        words::plural(pending, "document")
    ));
}

/// The folder's most mentioned entities per kind; a click filters by one.
fn folder_entities_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    // The counts are asked for under the current query (their reply may come before the hits').
    let searching = !state.p.query().is_empty();
    ui.heading(if searching { "In the matching documents" } else { "In this folder" });
    entities_pending_ui(state, ui);
    if state.corpus_entities.is_empty() {
        let none = if searching { "None in the matching documents." } else { "No entities yet." };
        ui.label(RichText::new(none).weak());
    }
    let mut show_counting = state.p.show_counting;
    let counting = ui
        .checkbox(&mut show_counting, "Numbers too")
        .on_hover_text("Numbers, ordinals, quantities and percentages (\"two\", \"first\", \"10 km\", \"5%\")");
    if counting.changed() {
        out.push(Command::ToggleCounting);
    }
    ui.horizontal(|ui| {
        let label = ui.label("Find entity");
        // "Show all" at the right edge, the field filling the rest: the panel never grows wider
        // than it is.
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if !state.entity_find.is_empty() && ui.small_button("Show all").on_hover_text("Show every entity").clicked()
            {
                out.push(Command::FindEntity(String::new()));
            }
            let mut find = state.entity_find.clone();
            let edit = egui::TextEdit::singleline(&mut find)
                .id(egui::Id::unique("entity find box"))
                .desired_width(ui.available_width());
            if ui.add(edit).labelled_by(label.id).changed() {
                out.push(Command::FindEntity(find));
            }
        });
    });
    ui.horizontal(|ui| {
        ui.label("Sort");
        let by_name = state.p.entities_by_name;
        if ui.selectable_label(!by_name, "by documents").clicked() && by_name {
            out.push(Command::SortEntitiesByName(false));
        }
        if ui.selectable_label(by_name, "by name").clicked() && !by_name {
            out.push(Command::SortEntitiesByName(true));
        }
    });
    let searching_names = !state.entity_find.is_empty();
    picked_ui(state, ui, out);
    for (kind, rows) in &state.entity_rows {
        let kind = *kind;
        let entity = |i: &usize| state.corpus_entities.get(*i);
        let title = format!("{} · {}", kind.display_name(), rows.len());
        let open = searching_names.then_some(true);
        egui::CollapsingHeader::new(RichText::new(title).color(theme::entity_color(kind, dark)))
            .id_salt(("folder-kind", kind.label()))
            .default_open(matches!(kind, EntityKind::Person | EntityKind::Org | EntityKind::Gpe))
            .open(open)
            .show(ui, |ui| {
                if rows.len() <= ROWS_UNSCROLLED {
                    for c in rows.iter().filter_map(entity) {
                        folder_entity_row_ui(c, &state.picked, ui, out);
                    }
                    return;
                }
                // A long list scrolls on its own, laid out only where it is scrolled to.
                let row = ui.spacing().interact_size.y + ui.spacing().item_spacing.y;
                egui::ScrollArea::vertical()
                    .id_salt(("folder-kind-rows", kind.label()))
                    .max_height(row * ROWS_UNSCROLLED as f32)
                    .min_scrolled_height(row * ROWS_UNSCROLLED as f32)
                    .auto_shrink([false, true])
                    .show_rows(ui, row, rows.len(), |ui, shown| {
                        for c in rows[shown].iter().filter_map(entity) {
                            folder_entity_row_ui(c, &state.picked, ui, out);
                        }
                    });
            });
    }
}

/// How many entities of a kind the folder's list shows before it scrolls on its own.
const ROWS_UNSCROLLED: usize = 15;

/// The folder entities picked with Ctrl+click, and merging them into one of them. Always one
/// line, so that picking the first does not move the rows under the pointer.
fn picked_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let Some(first) = state.picked.first() else {
            ui.label(RichText::new("Ctrl+click: pick several to merge").weak());
            return;
        };
        ui.label(format!("{} picked", state.picked.len()));
        let one_kind = state.picked.iter().all(|p| p.shown.kind == first.shown.kind);
        if state.picked.len() < 2 {
            ui.label(RichText::new("Ctrl+click more").weak());
        } else if !one_kind {
            ui.label(RichText::new("not all one kind").weak()).on_hover_text("Only entities of one kind can be merged");
        } else {
            ui.menu_button("Merge into…", |ui| {
                for into in &state.picked {
                    if ui.button(&into.shown.text).clicked() {
                        let rules = state
                            .picked
                            .iter()
                            .filter(|p| p.key != into.key)
                            .map(|p| Rule::Merge { into: into.key.clone(), from: p.key.clone() })
                            .collect();
                        out.push(Command::CurateAll(rules));
                        ui.close();
                    }
                }
            });
        }
        if ui.small_button("Clear").on_hover_text("Put the picked entities back").clicked() {
            out.push(Command::PickEntity(None));
        }
    });
}

/// One entity of the folder: a click filters by it, Ctrl+click picks it to merge several, a
/// right-click corrects it.
fn folder_entity_row_ui(row: Counted, picked: &[Picked], ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let c = row.entity;
    let text = format!("{} · {}", c.key.text, words::plural(row.documents, "doc"));
    let is_picked = c.members.first().is_some_and(|k| picked.iter().any(|p| p.key == *k));
    let r = ui.add(egui::Button::selectable(is_picked, text).truncate().sense(egui::Sense::click_and_drag()));
    r.context_menu(|ui| entity_menu_ui(c, ui, out));
    // Dragged onto another entity of the same kind, it is merged into it.
    if let Some(key) = c.members.first() {
        r.dnd_set_drag_payload(key.clone());
    }
    if let Some(dropped) = r.dnd_release_payload::<EntityKey>()
        && dropped.kind == c.key.kind
        && !c.members.contains(&dropped)
        && let Some(into) = c.members.first()
    {
        out.push(Command::Curate(Rule::Merge { into: into.clone(), from: (*dropped).clone() }));
    }
    // The tooltip is written only while it is shown, not every frame for every row.
    let r = r.on_hover_ui(|ui| {
        ui.label(variants_text(c));
    });
    if r.clicked() {
        // Ctrl held now, or when the button was let go (the click's own event says so).
        let pick = ui.input(|i| {
            // Ctrl on every system (⌘ too on a Mac).
            let held = |m: &egui::Modifiers| m.ctrl || m.command;
            held(&i.modifiers)
                || i.events.iter().any(
                    |e| matches!(e, egui::Event::PointerButton { pressed: false, modifiers, .. } if held(modifiers)),
                )
        });
        match c.members.first() {
            Some(key) if pick => {
                let shown = EntityKey::clone(&c.key);
                out.push(Command::PickEntity(Some(Picked { key: key.clone(), shown })));
            }
            _ => out.push(Command::AddFilter(EntityKey::clone(&c.key))),
        }
    }
}

/// A folder entity's corrections (right-click): rename, change type, merge into another, split a
/// spelling out, hide. Each is a rule the app keeps per folder; Edit → Undo takes it back.
fn entity_menu_ui(c: &EntityCount, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    // The entity is named by one of its per-document keys, which corrections do not change.
    let Some(key) = c.members.first().cloned() else { return };
    if ui.button("Rename…").clicked() {
        out.push(Command::Rename(Some((key.clone(), c.key.text.clone()))));
        ui.close();
    }
    ui.menu_button("Change type", |ui| {
        for kind in EntityKind::ALL.into_iter().filter(|k| k.is_name() && *k != c.key.kind) {
            if ui.button(kind.display_name()).clicked() {
                out.push(Command::Curate(Rule::Retype { key: key.clone(), kind }));
                ui.close();
            }
        }
    });
    if ui.button("Merge into…").clicked() {
        out.push(Command::MergeInto(Some((key.clone(), EntityKey::clone(&c.key), String::new()))));
        ui.close();
    }
    if c.members.len() > 1 {
        ui.menu_button("Split out", |ui| {
            for member in c.members.iter() {
                if ui.button(&member.text).clicked() {
                    out.push(Command::Curate(Rule::Split { key: member.clone() }));
                    ui.close();
                }
            }
        });
    }
    if ui.button("Hide: not an entity").clicked() {
        out.push(Command::Curate(Rule::Hide { key }));
        ui.close();
    }
}

/// The window for choosing the entity another one is merged into, found by typing.
fn merge_window_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let Some((from, shown, typed)) = &state.merging else { return };
    let mut open = true;
    egui::Window::new(format!("Merge {} into…", shown.text)).open(&mut open).collapsible(false).show(ui.ctx(), |ui| {
        let label = ui.label("Find");
        let mut text = typed.clone();
        if ui.add(egui::TextEdit::singleline(&mut text).desired_width(320.0)).labelled_by(label.id).changed() {
            out.push(Command::MergeInto(Some((from.clone(), shown.clone(), text.clone()))));
        }
        let wanted = crate::index::name_key(&text);
        let others = state
            .corpus_entities
            .iter()
            .filter(|o| o.entity.key.kind == shown.kind && *o.entity.key != *shown)
            .filter(|o| o.name_contains(&wanted))
            .take(30);
        egui::ScrollArea::vertical().max_height(300.0).show(ui, |ui| {
            for other in others {
                let Some(into) = other.entity.members.first() else { continue };
                if ui.button(format!("{} ({})", other.entity.key.text, words::plural(other.documents, "doc"))).clicked()
                {
                    out.push(Command::Curate(Rule::Merge { into: into.clone(), from: from.clone() }));
                    out.push(Command::MergeInto(None));
                }
            }
        });
    });
    if !open {
        out.push(Command::MergeInto(None));
    }
}

/// The window for a new name of an entity.
fn rename_window_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let Some((key, name)) = &state.renaming else { return };
    let mut open = true;
    egui::Window::new("Rename entity").open(&mut open).collapsible(false).show(ui.ctx(), |ui| {
        let label = ui.label("New name");
        let mut text = name.clone();
        let edit = ui.add(egui::TextEdit::singleline(&mut text).desired_width(320.0)).labelled_by(label.id);
        if edit.changed() {
            out.push(Command::EditRename(text.clone()));
        }
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        ui.horizontal(|ui| {
            if (ui.button("Rename").clicked() || enter) && !text.trim().is_empty() {
                out.push(Command::Curate(Rule::Rename { key: key.clone(), name: text.trim().to_owned() }));
                out.push(Command::Rename(None));
            }
            if ui.button("Cancel").clicked() {
                out.push(Command::Rename(None));
            }
        });
    });
    if !open {
        out.push(Command::Rename(None));
    }
}

/// The Edit menu: undo and redo the entity corrections.
fn edit_menu_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let key = |k| ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND, k));
    let shift = |k| {
        ui.ctx().format_shortcut(&egui::KeyboardShortcut::new(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, k))
    };
    let (undo_keys, redo_keys) = (key(egui::Key::Z), shift(egui::Key::Z));
    let last = |c: &Curation| c.rules.last().map(Rule::describe).unwrap_or_default();
    let undo = if state.undo.is_empty() { "Undo".to_owned() } else { format!("Undo {}", last(&state.curation)) };
    let redo = state.redo.last().map_or_else(|| "Redo".to_owned(), |c| format!("Redo {}", last(c)));
    if ui.add_enabled(!state.undo.is_empty(), egui::Button::new(undo).shortcut_text(undo_keys)).clicked() {
        out.push(Command::Undo);
    }
    if ui.add_enabled(!state.redo.is_empty(), egui::Button::new(redo).shortcut_text(redo_keys)).clicked() {
        out.push(Command::Redo);
    }
    ui.label(RichText::new("Right-click an entity of the folder to correct it.").weak().small());
}

/// A folder entity's tooltip: its spellings, each with its documents and why it is this entity.
fn variants_text(c: &EntityCount) -> String {
    let mut out = String::from("Click: only documents that mention it\nCtrl+click: pick it to merge several");
    if c.variants.len() > 1 || c.variants.first().is_some_and(|v| v.text != c.key.text) {
        out.push_str("\n\nWritten as:");
        for v in c.variants.iter() {
            out.push_str(&format!("\n• {} · {} · {}", v.text, words::plural(v.documents, "doc"), v.reason.describe()));
        }
    }
    out
}

fn document_ui(state: &State, layout: &mut LayoutCache, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    let Some(doc) = &state.doc else {
        ui.centered_and_justified(|ui| {
            let text = if state.opening.is_some() || state.doc_loading {
                "Loading…"
            } else if state.docs.is_empty() && !state.indexing.running {
                "No documents in this folder. Use File → Open folder… (Ctrl+O) or drop a folder here."
            } else {
                "Select a document on the left."
            };
            ui.label(RichText::new(text).weak());
        });
        return;
    };
    ui.heading(&doc.title);
    metadata_ui(doc, ui, out);
    if let Some(name) = crate::lang::foreign_name(&doc.language) {
        ui.label(
            RichText::new(format!(
                "This document looks like {name}. Entities are recognised in English text only, so none are shown here."
            ))
            .color(theme::error_color(dark)),
        );
    }
    if doc.entities_pending {
        let text = if state.indexing.running {
            "Finding entities… the text is searchable; highlights appear when they are found."
        } else {
            "Its entities are not found yet: the next indexing finds them (File → Re-index folder)."
        };
        ui.label(RichText::new(text).weak());
    }
    legend_ui(doc, state.p.kinds, ui, out);
    let wrap_width = ui.available_width().max(100.0);
    let key = LayoutKey {
        doc_id: doc.id.clone(),
        generation: doc.generation,
        kinds: state.p.kinds,
        selected: state.selected_entity.clone(),
        current_match: state.current_match,
        wrap_width: wrap_width.round() as u32,
        dark,
    };
    let highlighted = layout.prepare(ui, doc, key);
    match_bar_ui(doc, highlighted, state.current_match, ui, out);
    if let Some(key) = &state.selected_entity {
        mention_bar_ui(doc, key, state.current_mention, ui, out);
    }
    if doc.truncated {
        ui.label(
            RichText::new(format!(
                "Showing the first {} of this document; search covers all of it.",
                words::bytes(crate::view::document::MAX_VIEW_BYTES as u64)
            ))
            .color(theme::error_color(dark)),
        );
    }
    ui.separator();
    document_text_ui(state, doc, layout, ui, out);
}

/// The document's text, a block at a time: only the blocks in view are laid out and drawn, so a
/// text of any length scrolls at once. A jump to a match or mention lays out its block and
/// scrolls to its line.
fn document_text_ui(
    state: &State,
    doc: &DocState,
    layout: &mut LayoutCache,
    ui: &mut egui::Ui,
    out: &mut Vec<Command>,
) {
    let mut scroll = egui::ScrollArea::vertical().id_salt(("doc", &doc.id)).auto_shrink([false, false]);
    if let Some(c) = state.scroll_to_char {
        let b = doc.block_of_char(c);
        // The blocks around the target laid out first, so none of those drawn with it changes
        // height after the offset is worked out.
        for near in b.saturating_sub(1)..(b + 2).min(doc.blocks.len()) {
            layout.block(ui, doc, near);
        }
        let galley = layout.block(ui, doc, b);
        let within = c.saturating_sub(doc.blocks[b].chars.start);
        let line = galley.pos_from_cursor(egui::text::CCursor::new(within));
        let top: f32 = layout.heights()[..b].iter().sum();
        scroll = scroll.vertical_scroll_offset((top + line.center().y - ui.available_height() / 2.0).max(0.0));
    }
    scroll.show_viewport(ui, |ui, viewport| {
        let origin = ui.max_rect().min;
        let width = ui.available_width();
        let mut y = 0.0;
        // How much the blocks above the view grew or shrank as they were laid out this frame:
        // the view moves with them, so the text in it stays where it was.
        let mut shift = 0.0;
        for b in 0..doc.blocks.len() {
            let estimated = layout.heights()[b];
            if y + estimated >= viewport.min.y && y <= viewport.max.y {
                let fresh = !layout.is_laid_out(b);
                let galley = layout.block(ui, doc, b);
                if fresh && y < viewport.min.y {
                    shift += galley.size().y - estimated;
                }
                let rect = egui::Rect::from_min_size(origin + egui::vec2(0.0, y), galley.size());
                let label = egui::Label::new(galley.clone()).selectable(true).sense(Sense::click());
                // An id of its own, so a selection stays with its block as others come and go.
                let block = egui::UiBuilder::new().id_salt(("block", b)).max_rect(rect);
                let response = ui.scope_builder(block, |ui| ui.add(label)).inner;
                let chars = doc.blocks[b].chars.clone();
                page_rules_ui(doc, chars.clone(), &galley, &response, width, ui);
                mention_tooltip_ui(doc, state.p.kinds, chars.start, &galley, &response, out);
            }
            y += layout.heights()[b];
        }
        ui.set_min_size(egui::vec2(width, y));
        if shift != 0.0 {
            ui.scroll_with_delta(egui::vec2(0.0, -shift));
        }
    });
}

/// The legend: one chip per kind in this document; clicking toggles its highlights.
fn legend_ui(doc: &DocState, shown: crate::model::KindSet, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    ui.horizontal_wrapped(|ui| {
        for kind in doc.kinds() {
            let on = shown.contains(kind);
            let color = theme::entity_color(kind, dark);
            let chip = if on {
                egui::Button::new(RichText::new(kind.display_name()).color(theme::CHIP_TEXT)).fill(color)
            } else {
                egui::Button::new(RichText::new(kind.display_name()).strikethrough().color(color))
                    .fill(Color32::TRANSPARENT)
            };
            let hint = if on { "Click to hide these highlights" } else { "Click to show these highlights" };
            if ui.add(chip).on_hover_text(hint).clicked() {
                out.push(Command::ToggleKind(kind));
            }
        }
    });
}

/// How many mentions are highlighted, and "N of M matches" (with the page) with ▲▼.
fn match_bar_ui(doc: &DocState, highlighted: usize, current: Option<usize>, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(format!("{highlighted} highlighted mentions")).weak());
        if doc.matches.is_empty() {
            return;
        }
        ui.separator();
        let n = current.map_or(0, |i| i + 1);
        let page = current
            .and_then(|i| doc.meta.page_at(doc.matches.get(i)?.0.start))
            .map(|p| format!(" · {} {p}", doc.meta.format.page_word()))
            .unwrap_or_default();
        ui.label(format!("{n} of {} matches{page}", doc.matches.len()));
        if ui.small_button("▲").on_hover_text("Previous match (Shift+Enter, Shift+F3)").clicked() {
            out.push(Command::PrevMatch);
        }
        if ui.small_button("▼").on_hover_text("Next match (Enter, F3)").clicked() {
            out.push(Command::NextMatch);
        }
    });
}

/// The selected entity's mentions in the document: which one is in view, previous and next.
fn mention_bar_ui(doc: &DocState, key: &EntityKey, current: Option<usize>, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    // Counted when the document arrived: no scan of its mentions every frame.
    let n = doc.row(key).map_or(0, |r| r.mentions);
    if n == 0 {
        return;
    }
    ui.horizontal(|ui| {
        let dark = ui.visuals().dark_mode;
        let at = current.map_or(0, |i| i + 1);
        ui.label(RichText::new(&key.text).color(theme::entity_color(key.kind, dark)));
        ui.label(format!("mention {at} of {n}"));
        if ui.small_button("◀").on_hover_text("Previous mention (Alt+↑)").clicked() {
            out.push(Command::StepMention(false));
        }
        if ui.small_button("▶").on_hover_text("Next mention (Alt+↓)").clicked() {
            out.push(Command::StepMention(true));
        }
        if ui.small_button("✕").on_hover_text("Stop highlighting it").clicked() {
            out.push(Command::SelectEntity(None));
        }
    });
}

/// Page breaks of a PDF (slides of a presentation) within the block of `chars`: a rule across
/// the blank line before each page, and its number.
fn page_rules_ui(
    doc: &DocState,
    chars: std::ops::Range<usize>,
    galley: &egui::Galley,
    response: &egui::Response,
    width: f32,
    ui: &mut egui::Ui,
) {
    let weak = theme::weak_color(ui.visuals().dark_mode);
    let small = egui::TextStyle::Small.resolve(ui.style());
    let origin = response.rect.min;
    for &(page, c) in doc.page_starts.iter().filter(|(_, c)| chars.contains(c)) {
        let at = galley.pos_from_cursor(egui::text::CCursor::new(c - chars.start)).translate(origin.to_vec2());
        let y = at.top() - at.height() * 0.5;
        // Clear of the scroll bar.
        let right = response.rect.left() + width.max(response.rect.width()) - 16.0;
        ui.painter().hline(response.rect.left()..=right - 56.0, y, egui::Stroke::new(1.0, weak));
        ui.painter().text(
            egui::pos2(right, y),
            egui::Align2::RIGHT_CENTER,
            format!("{} {page}", doc.meta.format.page_word()),
            small.clone(),
            weak,
        );
    }
}

/// The mention under the pointer: its text, kind, value and how many documents mention it; a
/// click selects it.
fn mention_tooltip_ui(
    doc: &DocState,
    shown: crate::model::KindSet,
    first_char: usize,
    galley: &egui::Galley,
    response: &egui::Response,
    out: &mut Vec<Command>,
) {
    let Some(pos) = response.hover_pos() else { return };
    let cursor = galley.cursor_from_pos(pos - response.rect.min);
    let Some(m) = doc.mention_at(first_char + cursor.index.0).filter(|m| shown.contains(m.kind)) else { return };
    let key = &doc.keys[m.key];
    let row = doc.row(key);
    let documents = row.map_or(0, |r| r.documents);
    let value = row.and_then(|r| r.value.as_deref()).map(|v| format!(" · {v}")).unwrap_or_default();
    response.clone().on_hover_text_at_pointer(format!(
        "{} — {}{value}\nmentioned in {}",
        key.text,
        key.kind.display_name(),
        words::plural(documents, "document")
    ));
    if response.clicked() {
        out.push(Command::SelectEntity(Some(key.clone())));
    }
}

/// The line under a document's title: path, format, size, pages, author, dates; the message an
/// attachment belongs to and a message's attachments, as links; the "truncated" flag.
fn metadata_ui(doc: &DocState, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    let meta = &doc.meta;
    let mut parts = vec![doc.id.clone(), meta.format.label().to_owned(), words::bytes(meta.size_bytes)];
    if !meta.pages.is_empty() {
        parts.push(words::plural(meta.pages.len() as u64, meta.format.page_word()));
    }
    if !meta.author.is_empty() && meta.format != DocFormat::Email {
        parts.push(format!("by {}", meta.author));
    }
    if let Some(t) = meta.created_ns {
        parts.push(format!("created {}", format_date(t)));
    }
    if let Some(t) = meta.modified_ns.filter(|t| Some(*t) != meta.created_ns) {
        parts.push(format!("modified {}", format_date(t)));
    }
    ui.label(RichText::new(parts.join(" · ")).weak());
    if meta.truncated {
        ui.label(
            RichText::new("Truncated: the file is larger than the size limit, so only its first part was indexed.")
                .color(theme::error_color(dark)),
        );
    }
    if !doc.parent.is_empty() {
        ui.horizontal(|ui| {
            ui.label("Attached to");
            if ui.link(&doc.parent).on_hover_text("Open the message").clicked() {
                out.push(Command::SelectDoc(doc.parent.clone()));
            }
        });
    }
    if !doc.attachments.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("Attachments ({}):", doc.attachments.len()));
            for (id, title) in &doc.attachments {
                let name = id.rsplit('/').next().unwrap_or(id);
                if ui.link(name).on_hover_text(title).clicked() {
                    out.push(Command::SelectDoc(id.clone()));
                }
            }
        });
    }
    if !doc.copies.is_empty() {
        ui.horizontal_wrapped(|ui| {
            ui.label("Same text also in:");
            for id in &doc.copies {
                if ui.link(id).on_hover_text("Open this copy").clicked() {
                    out.push(Command::SelectDoc(id.clone()));
                }
            }
        });
    }
}

/// A date as `2024-03-12` (UTC), from nanoseconds since the epoch.
fn format_date(ns: i64) -> String {
    let days = ns.div_euclid(86_400 * 1_000_000_000);
    let date = time::Date::from_julian_day(2_440_588 + days as i32);
    date.map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())).unwrap_or_default()
}

/// A window to type a folder's path, for desktops without a folder dialog.
/// The app's own folder window: a typed path (`~` is home, Tab completes), the subfolders of
/// the folder typed so far to click through, home, up, and recent folders. It stands in for the
/// system dialog where there is none, and takes a path where typing is quicker.
fn path_entry_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let Some(typed) = &state.path_entry else { return };
    let mut text = typed.clone();
    let text = &mut text;
    let mut open = true;
    let focus = state.focus_path;
    // The folder whose subfolders are shown: what is typed, up to its last `/`.
    let dir = crate::session::expand_home(text.rfind('/').map_or("", |i| &text[..=i]));
    if !dir.as_os_str().is_empty() && state.listing.as_ref().is_none_or(|(d, _)| *d != dir) {
        out.push(Command::ListFolder(dir.clone()));
    }
    let dark = ui.visuals().dark_mode;
    egui::Window::new("Open a folder").open(&mut open).collapsible(false).show(ui.ctx(), |ui| {
        if state.no_dialog {
            ui.label(
                RichText::new("No system folder dialog is available on this desktop; choose the folder here.")
                    .color(theme::weak_color(dark)),
            );
        }
        let enter = path_field_ui(text, focus, ui, out);
        ui.label(RichText::new("Tab completes folder names; ~ is your home folder.").weak().small());
        ui.horizontal(|ui| {
            if ui.button("Home").clicked() {
                out.push(Command::PathEntry(Some("~/".to_owned())));
            }
            let parent = text.trim_end_matches('/').rfind('/').map(|i| text[..=i].to_owned());
            if ui.add_enabled(parent.is_some(), egui::Button::new("Up")).clicked()
                && let Some(parent) = parent
            {
                out.push(Command::PathEntry(Some(parent)));
            }
        });
        egui::ScrollArea::vertical()
            .max_height(220.0)
            .id_salt("subfolders")
            .show(ui, |ui| subfolders_ui(state, text, &dir, ui, out));
        if !state.p.recent.is_empty() {
            ui.separator();
            ui.label(RichText::new("Recent folders").weak());
            for folder in &state.p.recent {
                if ui.button(folder.display().to_string()).clicked() {
                    out.push(Command::OpenFolder(folder.clone()));
                }
            }
        }
        ui.separator();
        ui.horizontal(|ui| {
            if (ui.button("Open").clicked() || enter) && !text.trim().is_empty() {
                out.push(Command::OpenFolder(crate::session::expand_home(text.trim())));
            }
            if ui.button("Cancel").clicked() {
                out.push(Command::PathEntry(None));
            }
        });
    });
    if !open {
        out.push(Command::PathEntry(None));
    }
}

/// The folder path field: Tab completes, `focus` puts the cursor at the end. Returns whether
/// Enter was pressed in it.
fn path_field_ui(text: &mut String, focus: bool, ui: &mut egui::Ui, out: &mut Vec<Command>) -> bool {
    let label = ui.label("Folder path");
    let id = ui.make_persistent_id("folder-path");
    // Tab completes the path (as in a shell) instead of moving the focus away.
    let tab = ui.memory(|m| m.has_focus(id)) && ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, egui::Key::Tab));
    let edit = ui
        .add(egui::TextEdit::singleline(text).id(id).hint_text("~/leaks/2024").desired_width(460.0))
        .labelled_by(label.id);
    if focus {
        edit.request_focus();
        if let Some(mut edit_state) = egui::TextEdit::load_state(ui.ctx(), id) {
            let end = egui::text::CCursor::new(text.chars().count());
            edit_state.cursor.set_char_range(Some(egui::text::CCursorRange::one(end)));
            edit_state.store(ui.ctx(), id);
        }
    }
    if edit.changed() {
        out.push(Command::EditPath(text.clone()));
    }
    if tab {
        out.push(Command::CompletePath(text.clone()));
    }
    edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
}

/// The subfolders of the folder typed so far, listed off the UI thread; a click goes into one.
fn subfolders_ui(state: &State, text: &str, dir: &std::path::Path, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    match state.listing.as_ref().filter(|(d, _)| *d == dir).map(|(_, names)| names) {
        Some(Ok(names)) => {
            let shown: Vec<&String> = names.iter().filter(|n| !n.starts_with('.')).collect();
            if shown.is_empty() {
                ui.label(RichText::new("no subfolders").weak().italics());
            }
            for name in shown {
                if ui.button(format!("📁 {name}")).clicked() {
                    let base = text.rfind('/').map_or("", |i| &text[..=i]);
                    out.push(Command::PathEntry(Some(format!("{base}{name}/"))));
                }
            }
        }
        Some(Err(e)) => {
            ui.label(RichText::new(format!("cannot list {}: {e}", dir.display())).color(theme::error_color(dark)));
        }
        None => {
            ui.spinner();
        }
    }
}

fn problems_window_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut open = true;
    let dark = ui.visuals().dark_mode;
    egui::Window::new("Ingest report").open(&mut open).default_size([680.0, 400.0]).show(ui.ctx(), |ui| {
        if state.problems.is_empty() {
            ui.label("Every file was indexed whole.");
            return;
        }
        ui.horizontal(|ui| {
            ui.label("Files that could not be read are tried again at every indexing run.");
            let retry = egui::Button::new("Retry now");
            if ui.add_enabled(state.folder.is_some() && !state.indexing.running, retry).clicked() {
                out.push(Command::Reindex(false));
            }
        });
        // Grouped: failures, then truncated files, then skipped ones; each with its reasons.
        let order = Outcome::ALL;
        let mut rows: Vec<&FileProblem> = Vec::with_capacity(state.problems.len());
        for outcome in order {
            let group: Vec<&FileProblem> = state.problems.iter().filter(|p| p.outcome == outcome).collect();
            if group.is_empty() {
                continue;
            }
            let mut heading = outcome.label().to_owned();
            heading[..1].make_ascii_uppercase();
            let owned: Vec<FileProblem> = group.iter().map(|p| (*p).clone()).collect();
            let reasons = words::problems_by_reason(&owned)
                .into_iter()
                .map(|(reason, n)| format!("{n} × {reason}"))
                .collect::<Vec<_>>()
                .join(" · ");
            ui.label(RichText::new(format!("{heading}: {}", group.len())).strong());
            ui.label(RichText::new(reasons).small());
            rows.extend(group);
        }
        ui.separator();
        // Rows are virtualised so 100k entries stay cheap.
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 4.0;
        egui::ScrollArea::vertical().id_salt("problem-rows").auto_shrink([false, false]).show_rows(
            ui,
            row_height,
            rows.len(),
            |ui, range| {
                for p in &rows[range] {
                    ui.horizontal(|ui| {
                        let color = match p.outcome {
                            Outcome::Failed => theme::error_color(dark),
                            Outcome::Truncated | Outcome::NoEntities => ui.visuals().text_color(),
                            Outcome::Skipped => theme::weak_color(dark),
                        };
                        ui.add_sized([ui.available_width() * 0.55, row_height], egui::Label::new(&p.path).truncate());
                        ui.label(RichText::new(&p.reason).color(color));
                    });
                }
            },
        );
    });
    if !open {
        out.push(Command::ShowProblems(false));
    }
}

/// "1 document", "2 documents", "3 entities".
fn now_unix() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
