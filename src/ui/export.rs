//! File → Export…: which table, in which format; the app asks where to save it.

use eframe::egui::{self, RichText};

use crate::export::TableFormat;
use crate::view::{Command, ExportDraft, ExportWhat, State};
use crate::words;

/// The File menu's entry: opens the window with the likeliest table chosen.
pub fn menu_item_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let enabled = state.folder.is_some() && !state.exporting;
    if ui
        .add_enabled(enabled, egui::Button::new("Export…"))
        .on_hover_text("Entities, companions or results as CSV or JSON")
        .clicked()
    {
        let what = if state.results.is_some() { ExportWhat::Results } else { ExportWhat::Entities };
        out.push(Command::Export(Some(ExportDraft { what, format: TableFormat::Csv })));
    }
}

/// The export window.
pub fn window_ui(state: &State, draft: ExportDraft, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut open = true;
    egui::Window::new("Export").open(&mut open).collapsible(false).resizable(false).show(ui.ctx(), |ui| {
        let choose = |what| Command::Export(Some(ExportDraft { what, ..draft }));
        let entities = state.corpus_entities.len() as u64;
        let searching = !state.p.query().is_empty();
        let label = if searching {
            format!("Entities of the matching documents ({})", words::plural(entities, "entity"))
        } else {
            format!("The folder's entities ({})", words::plural(entities, "entity"))
        };
        if ui.radio(draft.what == ExportWhat::Entities, label).clicked() {
            out.push(choose(ExportWhat::Entities));
        }
        let companions = match &state.cooccur {
            Some((key, _)) => format!("Who appears with {}", key.text),
            None => "Who appears with… (select an entity first)".to_owned(),
        };
        let radio = egui::RadioButton::new(draft.what == ExportWhat::Companions, companions);
        if ui.add_enabled(state.cooccur.is_some(), radio).clicked() {
            out.push(choose(ExportWhat::Companions));
        }
        let results = match &state.results {
            Some(r) => format!("Every matching document ({})", words::plural(r.total as u64, "document")),
            None => "Every matching document (search first)".to_owned(),
        };
        let radio = egui::RadioButton::new(draft.what == ExportWhat::Results, results);
        if ui.add_enabled(state.results.is_some(), radio).clicked() {
            out.push(choose(ExportWhat::Results));
        }
        ui.separator();
        ui.horizontal(|ui| {
            for (format, name) in [(TableFormat::Csv, "CSV"), (TableFormat::Json, "JSON")] {
                if ui.radio(draft.format == format, name).clicked() {
                    out.push(Command::Export(Some(ExportDraft { format, ..draft })));
                }
            }
        });
        ui.label(RichText::new("Every row, not only those shown.").weak());
        ui.horizontal(|ui| {
            if ui.add_enabled(!state.exporting, egui::Button::new("Save…")).clicked() {
                out.push(Command::ExportNow(draft));
            }
            if ui.button("Cancel").clicked() {
                out.push(Command::Export(None));
            }
        });
    });
    if !open {
        out.push(Command::Export(None));
    }
}
