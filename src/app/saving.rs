//! File → Export…: asking where to save (a dialog, on a thread of its own) and handing the
//! table to the searcher, which writes it off the UI thread too.

use std::path::PathBuf;
use std::sync::mpsc::Receiver;

use eframe::egui;

use super::picker::fallback_save_path;
use super::{DossierApp, Picked, off_ui_thread};
use crate::export::{Table, TableFormat};
use crate::searcher::Request;
use crate::view::{ExportDraft, ExportWhat};

/// A table waiting for the user to say where it goes: the file the save dialog chose (or, with
/// no dialog, the downloads folder's), and whether no dialog could be shown.
pub(super) struct Saving {
    table: Table,
    format: TableFormat,
    answer: Receiver<(Picked, Option<PathBuf>)>,
}

impl DossierApp {
    /// Asks where to save the table `draft` names, as things are now (query, selection).
    pub(super) fn start_export(&mut self, ctx: &egui::Context, draft: ExportDraft) {
        let numbers = self.state.p.show_counting;
        let table = match draft.what {
            ExportWhat::Entities => Table::Entities(self.query(), numbers),
            ExportWhat::Results => Table::Results(self.query()),
            ExportWhat::Companions => match self.state.cooccur.as_ref() {
                Some((key, _)) => Table::Companions(key.clone(), numbers),
                None => {
                    self.state.banner = Some("Select an entity first: its companions are what is exported.".into());
                    return;
                }
            },
        };
        let name = table.file_name(draft.format);
        let picker = self.picker.clone();
        let ask = move || {
            let picked = picker.save(&name);
            let fallback = matches!(picked, Picked::Unavailable).then(|| fallback_save_path(&name)).flatten();
            (picked, fallback)
        };
        match off_ui_thread(ctx, "dossier-save-dialog", ask) {
            Ok(answer) => {
                self.saving = Some(Saving { table, format: draft.format, answer });
                self.state.export = None;
                self.state.exporting = true;
            }
            Err(e) => self.state.banner = Some(format!("cannot open the save dialog: {e}")),
        }
    }

    /// The save dialog's answer: the export goes to the searcher, or is dropped.
    pub(super) fn drain_saving(&mut self) {
        let Some(saving) = &self.saving else { return };
        let (picked, fallback) = match saving.answer.try_recv() {
            Ok(answer) => answer,
            Err(std::sync::mpsc::TryRecvError::Empty) => return,
            // The dialog's thread died: as if cancelled.
            Err(std::sync::mpsc::TryRecvError::Disconnected) => (Picked::Cancelled, None),
        };
        let Some(Saving { table, format, .. }) = self.saving.take() else { return };
        let file = match (picked, fallback) {
            (Picked::Chosen(file), _) => file,
            (Picked::Unavailable, Some(file)) => file,
            (Picked::Unavailable, None) => {
                self.state.exporting = false;
                self.state.banner = Some("No save dialog here and no downloads folder to save to.".into());
                return;
            }
            (Picked::Cancelled, _) => {
                self.state.exporting = false;
                return;
            }
        };
        self.send(Request::Export { table: Box::new(table), format, file });
    }

    /// The searcher wrote the export (or could not).
    pub(super) fn exported(&mut self, written: Result<(PathBuf, usize), String>) {
        self.state.exporting = false;
        match written {
            Ok((file, rows)) => {
                let rows = crate::words::plural(rows as u64, "row");
                self.state.info = Some(format!("Exported {rows} to {}.", file.display()));
            }
            Err(e) => self.state.banner = Some(e),
        }
    }
}
