//! Choosing a folder. The app calls a [`FolderPicker`] on a background thread (a native dialog
//! blocks the thread it runs on); tests inject one that answers at once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What came of asking for a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// The folder (or, saving, the file) the user chose.
    Chosen(PathBuf),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown (no desktop portal, no zenity): the app offers its own browser.
    Unavailable,
}

/// Asks the user for a folder, or where to save a file.
pub trait FolderPicker: Send + Sync {
    fn pick(&self) -> Picked;

    /// Where to save a file, offering `suggested` as its name. Without a dialog, the app saves
    /// to the user's downloads folder and says so.
    fn save(&self, suggested: &str) -> Picked {
        let _ = suggested;
        Picked::Unavailable
    }
}

/// The system's folder dialog, through rfd (the XDG desktop portal on Linux).
pub struct NativePicker;

/// A dialog answered faster than this was never shown: no one cancels a dialog in a quarter of
/// a second, but rfd returns "no folder" at once when there is no portal to ask.
const FASTEST_HUMAN: Duration = Duration::from_millis(250);

impl FolderPicker for NativePicker {
    fn pick(&self) -> Picked {
        let asked = Instant::now();
        match rfd::FileDialog::new().set_title("Open a folder of documents").pick_folder() {
            Some(folder) => Picked::Chosen(folder),
            None => outcome_of_no_answer(asked.elapsed()),
        }
    }

    fn save(&self, suggested: &str) -> Picked {
        let asked = Instant::now();
        match rfd::FileDialog::new().set_title("Export").set_file_name(suggested).save_file() {
            Some(file) => Picked::Chosen(file),
            None => outcome_of_no_answer(asked.elapsed()),
        }
    }
}

/// Where to save `name` when no dialog can ask: the user's downloads folder (else documents,
/// else home), under a name no file there has yet.
pub fn fallback_save_path(name: &str) -> Option<PathBuf> {
    let dirs = directories::UserDirs::new()?;
    let dir = dirs.download_dir().or_else(|| dirs.document_dir()).unwrap_or_else(|| dirs.home_dir()).to_path_buf();
    let (stem, extension) = name.rsplit_once('.').unwrap_or((name, ""));
    (1..1000)
        .map(|n| if n == 1 { name.to_owned() } else { format!("{stem}-{n}.{extension}") })
        .map(|candidate| dir.join(candidate))
        .find(|path| !path.exists())
}

/// "No folder" after `waited`: a cancel if a dialog can have been shown, else no dialog.
fn outcome_of_no_answer(waited: Duration) -> Picked {
    if waited < FASTEST_HUMAN { Picked::Unavailable } else { Picked::Cancelled }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instant_no_means_no_dialog_and_a_slow_one_a_cancel() {
        assert_eq!(outcome_of_no_answer(Duration::from_millis(3)), Picked::Unavailable);
        assert_eq!(outcome_of_no_answer(Duration::from_secs(4)), Picked::Cancelled);
    }
}
