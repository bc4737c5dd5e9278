//! Choosing a folder. The app calls a [`FolderPicker`] on a background thread (a native dialog
//! blocks the thread it runs on); tests inject one that answers at once.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What came of asking for a folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    Folder(PathBuf),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown (no desktop portal, no zenity): the app offers its own browser.
    Unavailable,
}

/// Asks the user for a folder.
pub trait FolderPicker: Send + Sync {
    fn pick(&self) -> Picked;
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
            Some(folder) => Picked::Folder(folder),
            None => outcome_of_no_answer(asked.elapsed()),
        }
    }
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
