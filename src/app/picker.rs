//! Choosing a folder. The app calls a [`FolderPicker`] on a background thread (a native dialog
//! blocks the thread it runs on); tests inject one that answers at once.

use std::path::PathBuf;

/// Asks the user for a folder; `None` when they cancel.
pub trait FolderPicker: Send + Sync {
    fn pick(&self) -> Option<PathBuf>;
}

/// The system's folder dialog, through rfd (the XDG desktop portal on Linux).
pub struct NativePicker;

impl FolderPicker for NativePicker {
    fn pick(&self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Open a folder of documents").pick_folder()
    }
}
