//! Where Dossier keeps its data: one index per opened folder under the user's data directory
//! (XDG on Linux), in a folder named for the schema version, never inside the user's folder.
//! Also the record of the last indexing run and the bundled sample documents.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::model::FileProblem;

/// Bumped whenever the index schema changes; older indexes are then simply not opened.
pub const SCHEMA_VERSION: u32 = 9;

/// The root of Dossier's data.
/// Why the data folder or an index in it cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot find a home directory for Dossier's data")]
    NoHome,
    #[error(
        "Dossier's data folder {} is inside {}, and Dossier never writes inside the folder it opens: \
         set DOSSIER_DATA_DIR to a folder elsewhere",
        data.display(),
        folder.display()
    )]
    InsideFolder { data: PathBuf, folder: PathBuf },
    #[error("cannot open the index in {}: {source}", dir.display())]
    Index { dir: PathBuf, source: crate::index::IndexError },
}

#[derive(Clone, Debug)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The user's data directory, or `$DOSSIER_DATA_DIR` when set (tests and portable installs).
    pub fn from_env() -> Result<Store, StoreError> {
        if let Some(dir) = std::env::var_os("DOSSIER_DATA_DIR") {
            return Ok(Store::at(PathBuf::from(dir)));
        }
        let dirs = directories::ProjectDirs::from("", "", "dossier").ok_or(StoreError::NoHome)?;
        Ok(Store::at(dirs.data_dir().to_path_buf()))
    }

    pub fn at(root: PathBuf) -> Store {
        Store { root }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Refuses a data folder inside `folder` (canonical), the folder being opened: Dossier
    /// never writes there (it may be evidence, or read-only), and indexing its own index
    /// would never end.
    pub fn check_outside(&self, folder: &Path) -> Result<(), StoreError> {
        // The data folder may not exist yet: resolve its nearest existing ancestor.
        let mut existing = self.root.as_path();
        let mut rest = Vec::new();
        while !existing.exists() {
            let Some(parent) = existing.parent() else { break };
            rest.push(existing.file_name().unwrap_or_default().to_owned());
            existing = parent;
        }
        let mut root = existing.canonicalize().unwrap_or_else(|_| existing.to_path_buf());
        root.extend(rest.iter().rev());
        if root.starts_with(folder) {
            return Err(StoreError::InsideFolder { data: root, folder: folder.to_path_buf() });
        }
        Ok(())
    }

    /// Opens (or creates) the index of `folder` (canonical), after checking that the data
    /// folder is outside it, and notes which folder the index is for.
    pub fn open_index(&self, folder: &Path) -> Result<(PathBuf, crate::index::DocIndex), StoreError> {
        self.check_outside(folder)?;
        let dir = self.index_dir(folder);
        let index = match crate::index::DocIndex::open_or_create(&dir) {
            Ok(index) => index,
            Err(source) => return Err(StoreError::Index { dir, source }),
        };
        let source = serde_json::json!({ "folder": folder });
        if let Err(e) = write_private(&dir.join(Self::SOURCE), source.to_string().as_bytes()) {
            log::warn!("cannot note which folder {} indexes: {e}", dir.display());
        }
        Ok((dir, index))
    }

    /// Beside each index: the folder it indexes.
    const SOURCE: &'static str = "folder.json";

    /// Every index under the data folder (of this schema version or an older one, and indexes
    /// moved aside as damaged), by folder.
    pub fn indexes(&self) -> Vec<IndexEntry> {
        let base = self.root.join("indexes");
        let mut out = Vec::new();
        let Ok(versions) = std::fs::read_dir(&base) else { return out };
        for version in versions.flatten() {
            let current = version.file_name() == format!("v{SCHEMA_VERSION}").as_str();
            let Ok(dirs) = std::fs::read_dir(version.path()) else { continue };
            for dir in dirs.flatten().map(|d| d.path()).filter(|d| d.is_dir()) {
                let folder = std::fs::read_to_string(dir.join(Self::SOURCE))
                    .ok()
                    .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
                    .and_then(|v| v["folder"].as_str().map(PathBuf::from));
                let damaged = dir.file_name().is_some_and(|n| n.to_string_lossy().contains(".damaged-"));
                let state = if !current {
                    IndexState::OldVersion
                } else if damaged {
                    IndexState::Damaged
                } else {
                    match &folder {
                        Some(f) if f.is_dir() => IndexState::InUse,
                        Some(_) => IndexState::FolderMissing,
                        None => IndexState::Unknown,
                    }
                };
                let bytes = crate::index::dir_size(&dir);
                let finished_at_unix = RunRecord::load(&dir).map(|r| r.finished_at_unix);
                out.push(IndexEntry { dir, folder, bytes, finished_at_unix, state });
            }
        }
        out.sort_by(|a, b| (&a.folder, &a.dir).cmp(&(&b.folder, &b.dir)));
        out
    }

    /// Removes the indexes that serve no folder any more: of folders that are gone, of older
    /// versions of Dossier, and damaged ones moved aside. Returns what it removed.
    pub fn prune(&self) -> std::io::Result<Vec<IndexEntry>> {
        let mut removed = Vec::new();
        for entry in self.indexes() {
            if matches!(entry.state, IndexState::FolderMissing | IndexState::OldVersion | IndexState::Damaged) {
                std::fs::remove_dir_all(&entry.dir)?;
                removed.push(entry);
            }
        }
        Ok(removed)
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

    /// Where the user's entity corrections for `folder` (canonical) are kept: beside the indexes
    /// but outside their versioned folders, so a schema change that rebuilds the index keeps
    /// them.
    pub fn curation_file(&self, folder: &Path) -> PathBuf {
        let index_dir = self.index_dir(folder);
        let name = index_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        self.root.join("curation").join(format!("{name}.json"))
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

/// One index in the data folder.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndexEntry {
    pub dir: PathBuf,
    /// The folder it indexes, when it says (indexes made before Dossier noted it do not).
    pub folder: Option<PathBuf>,
    pub bytes: u64,
    /// When it was last indexed, seconds since the Unix epoch.
    pub finished_at_unix: Option<u64>,
    pub state: IndexState,
}

/// Whether an index still serves a folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum IndexState {
    InUse,
    /// Its folder is gone (deleted, or on a drive that is not mounted now).
    FolderMissing,
    /// Made by an older version of Dossier, which this one does not open.
    OldVersion,
    /// Moved aside because it could not be opened.
    Damaged,
    /// It does not say which folder it indexes.
    Unknown,
}

impl IndexState {
    pub fn label(self) -> &'static str {
        match self {
            IndexState::InUse => "in use",
            IndexState::FolderMissing => "folder missing (deleted, or a drive not mounted now)",
            IndexState::OldVersion => "made by an older version",
            IndexState::Damaged => "damaged, moved aside",
            IndexState::Unknown => "folder unknown",
        }
    }
}

/// The sample documents compiled into the binary.
const SEEDS: &[(&str, &str)] = &[("000_5ade84b4f6cc8005.txt", include_str!("../seeds/000_5ade84b4f6cc8005.txt"))];

/// FNV-1a: a stable hash, so an index folder keeps its name across Rust versions.
pub(crate) fn fnv1a(bytes: &[u8]) -> u64 {
    fnv1a_more(0xcbf2_9ce4_8422_2325, bytes)
}

/// [`fnv1a`] of what `hash` was made from followed by `bytes`.
pub(crate) fn fnv1a_more(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
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
    /// Documents whose entities were found (their text was indexed before, by this run or an
    /// earlier one).
    #[serde(default)]
    pub entities_found: u64,
    /// Seconds from the start until the first documents were searchable, and until all text
    /// was (before entities are found); `None` when the run indexed no text.
    #[serde(default)]
    pub first_searchable_secs: Option<f64>,
    #[serde(default)]
    pub text_secs: Option<f64>,
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
            && self.entities_found == 0
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
/// holding all of them is made, and `skip` for a file left out until the user retries it. The
/// second stage, finding entities in documents already indexed, notes `find` and `found` per
/// document ([`Journal::note_doc`]).
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
    /// Documents whose entities were being found when the process died (`file`, `id`): the
    /// likeliest cause of its death, so their entities are not looked for again.
    pub finding: std::collections::BTreeSet<(String, String)>,
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
                "find" | "found" => {
                    // A document's entities: the id is its file and its own id, split by U+001F.
                    if let Some((file, doc)) = id.split_once('\u{1f}') {
                        let key = (file.to_owned(), doc.to_owned());
                        if step == "find" {
                            state.finding.insert(key);
                        } else {
                            state.finding.remove(&key);
                        }
                    }
                }
                _ => {}
            }
        }
        state
    }

    /// Starts a fresh journal in `index_dir` that remembers `skipped`, and `suspects` (file, document)
    /// as documents still being found, so that they stay suspects if this process dies too.
    pub fn create(
        index_dir: &Path,
        skipped: &std::collections::BTreeSet<String>,
        suspects: &std::collections::BTreeSet<(String, String)>,
    ) -> std::io::Result<Journal> {
        let tmp = index_dir.join(format!("{}.tmp", Self::FILE));
        let mut text = String::new();
        for id in skipped {
            text.push_str(&Self::line("skip", id));
        }
        for (file, id) in suspects {
            text.push_str(&Self::line("find", &Self::doc(file, id)));
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

    /// Appends `step` for document `id` of `file`: `find` when its entities start to be looked
    /// for, `found` once the recogniser is done with it (or it was given up on and that is
    /// committed). A `find` without `found` names a document the recogniser was busy with.
    pub fn note_doc(&self, step: &str, file: &str, id: &str) {
        self.note(step, &Self::doc(file, id));
    }

    /// How document `id` of `file` is named in the journal.
    fn doc(file: &str, id: &str) -> String {
        format!("{file}\u{1f}{id}")
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
        let journal = Journal::create(dir.path(), &skipped, &Default::default()).unwrap();
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
        journal.note_doc("find", "box.mbox", "box.mbox#1");
        journal.note_doc("find", "box.mbox", "box.mbox#2");
        journal.note_doc("found", "box.mbox", "box.mbox#1");
        drop(journal);
        let state = Journal::read(dir.path());
        let finding = [("box.mbox".to_owned(), "box.mbox#2".to_owned())].into_iter().collect();
        assert_eq!(state.finding, finding, "found, or still being found when the process died");
        assert_eq!(state.suspects.into_iter().collect::<Vec<_>>(), ["box.mbox"]);
        assert_eq!(state.unfinished.into_iter().collect::<Vec<_>>(), ["c.eml"]);
        assert_eq!(state.skipped, skipped);
        // A fresh journal keeps only what is skipped.
        Journal::create(dir.path(), &skipped, &Default::default()).unwrap();
        assert_eq!(Journal::read(dir.path()), JournalState { skipped, ..JournalState::default() });
    }

    #[test]
    fn a_data_folder_inside_the_opened_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().canonicalize().unwrap();
        assert!(Store::at(folder.join("not/yet/made")).check_outside(&folder).is_err());
        assert!(Store::at(folder.join(".")).check_outside(&folder).is_err());
        std::fs::create_dir(folder.join("sub")).unwrap();
        assert!(Store::at(folder.join("sub/../x")).check_outside(&folder.join("sub")).is_ok());
        assert!(Store::at(PathBuf::from("/elsewhere/data")).check_outside(&folder).is_ok());
        assert!(!folder.join("not").exists() && !folder.join("x").exists(), "nothing was written");
    }

    #[test]
    fn indexes_are_listed_by_folder_and_pruned_when_they_serve_none() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::at(dir.path().join("data"));
        let kept = dir.path().join("kept");
        let gone = dir.path().join("gone");
        std::fs::create_dir_all(&kept).unwrap();
        std::fs::create_dir_all(&gone).unwrap();
        let (kept_dir, _) = store.open_index(&kept.canonicalize().unwrap()).unwrap();
        let (gone_dir, _) = store.open_index(&gone.canonicalize().unwrap()).unwrap();
        std::fs::remove_dir(&gone).unwrap();
        let old = dir.path().join("data/indexes/v1/old-0000");
        std::fs::create_dir_all(&old).unwrap();
        let states: Vec<(PathBuf, IndexState)> = store.indexes().into_iter().map(|e| (e.dir, e.state)).collect();
        assert!(states.contains(&(kept_dir.clone(), IndexState::InUse)), "{states:?}");
        assert!(states.contains(&(gone_dir.clone(), IndexState::FolderMissing)), "{states:?}");
        assert!(states.contains(&(old.clone(), IndexState::OldVersion)), "{states:?}");
        let removed: Vec<PathBuf> = store.prune().unwrap().into_iter().map(|e| e.dir).collect();
        assert_eq!(removed.len(), 2, "{removed:?}");
        assert!(kept_dir.exists() && !gone_dir.exists() && !old.exists());
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
