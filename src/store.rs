//! Where Dossier keeps its data: one index per opened folder under the user's data directory
//! (XDG on Linux), in a folder named for the schema version, never inside the user's folder.
//! Also the record of the last indexing run and the bundled sample documents.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::FileProblem;

/// Bumped whenever the index schema changes; older indexes are then simply not opened.
pub const SCHEMA_VERSION: u32 = 4;

/// The root of Dossier's data.
#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The user's data directory, or `$DOSSIER_DATA_DIR` when set (tests and portable installs).
    pub fn from_env() -> anyhow::Result<Store> {
        if let Some(dir) = std::env::var_os("DOSSIER_DATA_DIR") {
            return Ok(Store::at(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("", "", "dossier")
            .ok_or_else(|| anyhow::anyhow!("cannot find a home directory for Dossier's data"))?;
        Ok(Store::at(dirs.data_dir().to_path_buf()))
    }

    pub fn at(root: PathBuf) -> Store {
        Store { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The index folder for `folder` (which should be canonical).
    pub fn index_dir(&self, folder: &Path) -> PathBuf {
        let name: String = folder
            .file_name()
            .map(|n| {
                n.to_string_lossy().chars().filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_').take(40).collect()
            })
            .unwrap_or_default();
        let hash = fnv1a(folder.as_os_str().as_encoded_bytes());
        self.root.join("indexes").join(format!("v{SCHEMA_VERSION}")).join(format!("{name}-{hash:016x}"))
    }

    /// The bundled sample documents, written out under the data directory when the source
    /// tree's `seeds/` is not there (an installed binary).
    pub fn seeds_folder(&self) -> std::io::Result<PathBuf> {
        let in_tree = Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
        if in_tree.is_dir() {
            return Ok(in_tree);
        }
        let dir = self.root.join("seeds");
        std::fs::create_dir_all(&dir)?;
        for (name, text) in SEEDS {
            let path = dir.join(name);
            if !path.exists() {
                std::fs::write(path, text)?;
            }
        }
        Ok(dir)
    }
}

/// The sample documents compiled into the binary.
const SEEDS: &[(&str, &str)] = &[("000_5ade84b4f6cc8005.txt", include_str!("../seeds/000_5ade84b4f6cc8005.txt"))];

/// FNV-1a: a stable hash, so an index folder keeps its name across Rust versions.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// What the last indexing run of a folder did; kept beside its index.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunRecord {
    /// When it finished, seconds since the Unix epoch.
    pub finished_at_unix: u64,
    pub duration_secs: f64,
    pub indexed: u64,
    pub removed: u64,
    pub cancelled: bool,
    /// Files that could not be read, with the reason.
    pub problems: Vec<FileProblem>,
    /// Indexed files that were all missing at once (the folder looked empty or unmounted), kept
    /// in the index instead of removed.
    #[serde(default)]
    pub kept_missing: u64,
}

impl RunRecord {
    const FILE: &'static str = "last_run.json";

    /// This run indexed and removed nothing, was not cancelled, and found the same problems as
    /// `previous`: it has nothing new to report.
    pub fn changes_nothing_since(&self, previous: &RunRecord) -> bool {
        let sorted = |r: &RunRecord| {
            let mut p: Vec<(String, String)> = r.problems.iter().map(|p| (p.path.clone(), p.reason.clone())).collect();
            p.sort();
            p
        };
        self.indexed == 0
            && self.removed == 0
            && !self.cancelled
            && !previous.cancelled
            && self.kept_missing == previous.kept_missing
            && sorted(self) == sorted(previous)
    }

    /// The record in `index_dir`, if there is a readable one.
    pub fn load(index_dir: &Path) -> Option<RunRecord> {
        let text = std::fs::read_to_string(index_dir.join(Self::FILE)).ok()?;
        serde_json::from_str(&text).ok()
    }

    /// Writes the record atomically (a synced temporary file, then rename), private to the user.
    pub fn save(&self, index_dir: &Path) -> std::io::Result<()> {
        let tmp = index_dir.join(format!("{}.tmp", Self::FILE));
        write_private(&tmp, &serde_json::to_vec_pretty(self).map_err(std::io::Error::other)?)?;
        std::fs::rename(tmp, index_dir.join(Self::FILE))
    }
}

/// The indexing journal beside an index: one line per step of each file, appended as it
/// happens, so that after the process dies (a crash, an out-of-memory kill, kill -9) the next
/// run knows which files were being read and which were read but not yet committed.
///
/// Lines are JSON `[step, id]` (an id may hold any character): `start` when a loader begins a
/// file, `read` when its last document was handed to the writer, `done` once the commit
/// holding all of them is made, and `skip` for a file left out until the user retries it.
/// Nothing is synced: the lines only have to survive the process, not the machine.
pub struct Journal {
    file: std::sync::Mutex<std::fs::File>,
}

/// What a journal says about the run that wrote it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JournalState {
    /// Files being read when the process died: the likeliest cause of its death.
    pub suspects: std::collections::BTreeSet<String>,
    /// Files read whole whose documents were not all committed (some may be): read them again.
    pub unfinished: std::collections::BTreeSet<String>,
    /// Files skipped since an earlier run died reading them.
    pub skipped: std::collections::BTreeSet<String>,
}

impl Journal {
    const FILE: &'static str = "journal.jsonl";

    /// What the journal in `index_dir` says (nothing if there is none or it cannot be read).
    pub fn read(index_dir: &Path) -> JournalState {
        let mut state = JournalState::default();
        let text = std::fs::read_to_string(index_dir.join(Self::FILE)).unwrap_or_default();
        for (step, id) in text.lines().filter_map(|l| serde_json::from_str::<(String, String)>(l).ok()) {
            match step.as_str() {
                "start" => {
                    state.suspects.insert(id);
                }
                "read" => {
                    state.suspects.remove(&id);
                    state.unfinished.insert(id);
                }
                "done" => {
                    state.suspects.remove(&id);
                    state.unfinished.remove(&id);
                }
                "skip" => {
                    state.skipped.insert(id);
                }
                _ => {}
            }
        }
        state
    }

    /// Starts a fresh journal in `index_dir` that remembers `skipped`.
    pub fn create(index_dir: &Path, skipped: &std::collections::BTreeSet<String>) -> std::io::Result<Journal> {
        let tmp = index_dir.join(format!("{}.tmp", Self::FILE));
        let mut text = String::new();
        for id in skipped {
            text.push_str(&Self::line("skip", id));
        }
        write_private(&tmp, text.as_bytes())?;
        std::fs::rename(&tmp, index_dir.join(Self::FILE))?;
        let file = std::fs::OpenOptions::new().append(true).open(index_dir.join(Self::FILE))?;
        Ok(Journal { file: std::sync::Mutex::new(file) })
    }

    fn line(step: &str, id: &str) -> String {
        let mut line = serde_json::to_string(&(step, id)).unwrap_or_default();
        line.push('\n');
        line
    }

    /// Appends `step` for file `id`. A journal that cannot be written only weakens recovery
    /// after a crash; indexing goes on.
    pub fn note(&self, step: &str, id: &str) {
        use std::io::Write;
        let line = Self::line(step, id);
        let mut file = self.file.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Err(e) = file.write_all(line.as_bytes()) {
            log::warn!("cannot write the indexing journal: {e}");
        }
    }
}

/// Creates folders private to the user (0700 on Unix): they hold the text of people's mail.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // Folders made by an earlier version were readable by everyone.
    #[cfg(unix)]
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o700))?;
    Ok(())
}

/// Writes a file readable by the user only (0600 on Unix), synced to disk.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_dirs_are_per_folder_and_versioned() {
        let store = Store::at(PathBuf::from("/data"));
        let a = store.index_dir(Path::new("/home/me/leaks"));
        let b = store.index_dir(Path::new("/home/you/leaks"));
        assert_ne!(a, b);
        assert!(a.starts_with(format!("/data/indexes/v{SCHEMA_VERSION}")));
        assert!(a.file_name().unwrap().to_string_lossy().starts_with("leaks-"));
        assert_eq!(a, store.index_dir(Path::new("/home/me/leaks")));
    }

    #[test]
    fn the_journal_tells_suspects_from_unfinished_files() {
        let dir = tempfile::tempdir().unwrap();
        let skipped = ["old\ncrash.pdf".to_owned()].into_iter().collect();
        let journal = Journal::create(dir.path(), &skipped).unwrap();
        for (step, id) in [
            ("start", "a.txt"),
            ("start", "box.mbox"),
            ("read", "a.txt"),
            ("start", "b.txt"),
            ("read", "b.txt"),
            ("done", "a.txt"),
            ("done", "b.txt"),
            ("start", "c.eml"),
            ("read", "c.eml"),
        ] {
            journal.note(step, id);
        }
        drop(journal);
        let state = Journal::read(dir.path());
        assert_eq!(state.suspects.into_iter().collect::<Vec<_>>(), ["box.mbox"]);
        assert_eq!(state.unfinished.into_iter().collect::<Vec<_>>(), ["c.eml"]);
        assert_eq!(state.skipped, skipped);
        // A fresh journal keeps only what is skipped.
        Journal::create(dir.path(), &skipped).unwrap();
        assert_eq!(Journal::read(dir.path()), JournalState { skipped, ..JournalState::default() });
    }

    #[test]
    fn run_record_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let rec =
            RunRecord { indexed: 3, problems: vec![FileProblem::failed("a.txt", "binary")], ..RunRecord::default() };
        rec.save(dir.path()).unwrap();
        assert_eq!(RunRecord::load(dir.path()), Some(rec));
    }
}
