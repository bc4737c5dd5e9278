//! An opened folder: its index, its searcher thread and its indexing run, set up off the
//! caller's thread (opening an index reads files, which a UI thread must not do).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, sync_channel};

use crate::entities::Extractor;
use crate::entities::curation::Curation;
use crate::index::DocIndex;
use crate::pipeline::{self, Indexing, Notify, Options};
use crate::searcher::Searcher;
use crate::store::{RunRecord, Store};
use crate::watch::FolderWatcher;

/// Everything that lives while a folder is open.
pub struct Session {
    /// The folder, canonical.
    pub folder: PathBuf,
    pub index_dir: PathBuf,
    pub searcher: Searcher,
    /// The indexing run started on open; it stays here after finishing until replaced.
    pub indexing: Option<Indexing>,
    /// That run retries what earlier runs gave up on (see [`Session::reindex`]).
    retrying: bool,
    /// What the previous run recorded, if this folder was indexed before.
    pub previous_run: Option<RunRecord>,
    /// Something the user should know about opening it (a damaged index was rebuilt).
    pub notice: Option<String>,
    /// The user's entity corrections, and the file they are kept in.
    pub curation: Curation,
    pub curation_file: PathBuf,
    /// Changes to the folder while it is open, or why they cannot be watched.
    pub watcher: Result<FolderWatcher, String>,
    index: DocIndex,
    extractor: Arc<dyn Extractor>,
    options: Options,
    notify: Notify,
}

impl Session {
    /// Starts a new indexing run (after the current one has finished or been cancelled) that the
    /// user asked for, so files an earlier run died reading are tried again. With
    /// `allow_empty`, the run drops every document even if all the files look gone (the user
    /// confirmed that the folder was emptied on purpose).
    pub fn reindex(&mut self, allow_empty: bool) -> std::io::Result<()> {
        self.start_run(Options { allow_empty, retry_skipped: true, ..self.options.clone() })
    }

    /// Starts an indexing run for changes noticed while the folder is open (files an earlier
    /// run died reading stay skipped, as on open).
    pub fn refresh(&mut self) -> std::io::Result<()> {
        self.start_run(self.options.clone())
    }

    /// The current run was started by the user to retry what earlier runs gave up on.
    pub fn retrying(&self) -> bool {
        self.retrying
    }

    fn start_run(&mut self, options: Options) -> std::io::Result<()> {
        self.indexing = None;
        self.retrying = options.retry_skipped;
        let run = pipeline::start(
            self.folder.clone(),
            self.index.clone(),
            self.index_dir.clone(),
            self.extractor.clone(),
            options,
            self.notify.clone(),
        )?;
        self.indexing = Some(run);
        Ok(())
    }
}

/// Which folder to open.
#[derive(Clone, Debug, PartialEq)]
pub enum FolderSource {
    Path(PathBuf),
    /// The bundled sample documents ([`Store::seeds_folder`]).
    Samples,
}

/// Why a folder cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open {}: {source}", path.display())]
    Missing { path: PathBuf, source: std::io::Error },
    #[error("{} is not a folder", .0.display())]
    NotAFolder(PathBuf),
    #[error("cannot read {}: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("cannot write the sample documents: {0}")]
    Samples(std::io::Error),
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error("cannot start the searcher: {0}")]
    Searcher(std::io::Error),
    #[error("cannot start indexing: {0}")]
    Indexing(std::io::Error),
    #[error("cannot start a thread: {0}")]
    Thread(std::io::Error),
}

/// Opens a folder on a `dossier-open` thread: checks it, opens (or creates) its index, starts
/// the searcher and an indexing run. The result arrives on the returned channel.
pub fn open(
    source: FolderSource,
    store: Store,
    extractor: Arc<dyn Extractor>,
    options: Options,
    notify: Notify,
) -> Receiver<Result<Session, OpenError>> {
    let (tx, rx) = sync_channel(1);
    let n = notify.clone();
    let spawned = std::thread::Builder::new().name("dossier-open".into()).spawn(move || {
        let folder = match source {
            // A dropped file stands for the folder it is in.
            FolderSource::Path(p) if p.is_file() => Ok(p.parent().map(Path::to_path_buf).unwrap_or(p)),
            FolderSource::Path(p) => Ok(p),
            FolderSource::Samples => store.seeds_folder().map_err(OpenError::Samples),
        };
        let result = folder.and_then(|folder| open_now(&folder, &store, extractor, options, notify));
        let _ = tx.send(result);
        n();
    });
    if let Err(e) = spawned {
        let (tx, rx) = sync_channel(1);
        let _ = tx.send(Err(OpenError::Thread(e)));
        return rx;
    }
    rx
}

/// A typed path with `~` (alone or followed by `/`) at its start meaning the home folder.
pub fn expand_home(text: &str) -> PathBuf {
    let home = || std::env::var_os("HOME").map(PathBuf::from);
    match text.strip_prefix('~') {
        Some("") => home().unwrap_or_else(|| PathBuf::from(text)),
        Some(rest) if rest.starts_with('/') => {
            home().map_or_else(|| PathBuf::from(text), |h| h.join(rest.trim_start_matches('/')))
        }
        _ => PathBuf::from(text),
    }
}

/// Completes a typed folder path as a shell does on Tab: the last part is extended to the one
/// subfolder it starts (with a `/` after it) or to what all such subfolders share. Hidden
/// folders are offered only when the part starts with a dot. `None` when nothing matches or
/// there is nothing to add. Reads the file system: never call it on a UI thread.
pub fn complete_folder(text: &str) -> Option<String> {
    let (dir, part) = match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None if text == "~" => return Some("~/".to_owned()),
        None => return None,
    };
    let names: Vec<String> = subfolders(&expand_home(dir))
        .ok()?
        .into_iter()
        .filter(|n| n.starts_with(part) && (part.starts_with('.') || !n.starts_with('.')))
        .collect();
    let first = names.first()?;
    let common = names.iter().fold(first.as_str(), |common, n| {
        let shared = common.char_indices().zip(n.chars()).take_while(|((_, a), b)| a == b).count();
        &common[..common.char_indices().nth(shared).map_or(common.len(), |(i, _)| i)]
    });
    let completed = if names.len() == 1 { format!("{dir}{common}/") } else { format!("{dir}{common}") };
    (completed != text).then_some(completed)
}

/// The names of the folders in `dir` (links to folders too), sorted, hidden ones included;
/// names that are not UTF-8 are left out (they cannot be typed back). Reads the file system:
/// never call it on a UI thread.
pub fn subfolders(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()) || e.path().is_dir())
        .filter_map(|e| e.file_name().into_string().ok())
        .collect();
    names.sort_by_key(|n| n.to_lowercase());
    Ok(names)
}

/// Checks that `folder` is a readable directory and returns its canonical path.
pub fn check_folder(folder: &Path) -> Result<PathBuf, OpenError> {
    let path = || folder.to_path_buf();
    let canonical = folder.canonicalize().map_err(|source| OpenError::Missing { path: path(), source })?;
    if !canonical.is_dir() {
        return Err(OpenError::NotAFolder(path()));
    }
    std::fs::read_dir(&canonical).map_err(|source| OpenError::Unreadable { path: path(), source })?;
    Ok(canonical)
}

/// [`open`], on the calling thread.
pub fn open_now(
    folder: &Path,
    store: &Store,
    extractor: Arc<dyn Extractor>,
    options: Options,
    notify: Notify,
) -> Result<Session, OpenError> {
    let folder = check_folder(folder)?;
    let (index_dir, index) = store.open_index(&folder)?;
    let curation_file = store.curation_file(&folder);
    let (curation, damaged) = Curation::load_or_set_aside(&curation_file);
    index.set_curation(curation.clone());
    let previous_run = RunRecord::load(&index_dir);
    let searcher = Searcher::start(index.clone(), index_dir.clone(), notify.clone()).map_err(OpenError::Searcher)?;
    // Watching registers every subfolder, so it starts here, off the UI thread.
    let wake = notify.clone();
    let watcher = FolderWatcher::start(&folder, move || wake()).map_err(|e| e.to_string());
    if let Err(e) = &watcher {
        log::warn!("cannot watch {} for changes: {e}", folder.display());
    }
    let mut session = Session {
        watcher,
        notice: index.rebuilt().map(str::to_owned).or(damaged),
        curation,
        curation_file,
        folder,
        index_dir,
        searcher,
        indexing: None,
        retrying: false,
        previous_run,
        index,
        extractor,
        options,
        notify,
    };
    let options = session.options.clone();
    session.start_run(options).map_err(OpenError::Indexing)?;
    Ok(session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_paths_expand_home_and_complete_like_a_shell() {
        let home = std::env::var_os("HOME").map(PathBuf::from).expect("HOME");
        assert_eq!(expand_home("~"), home);
        assert_eq!(expand_home("~/docs"), home.join("docs"));
        assert_eq!(expand_home("/tmp/~x"), PathBuf::from("/tmp/~x"));
        assert_eq!(expand_home("~other/x"), PathBuf::from("~other/x"));

        let dir = tempfile::tempdir().unwrap();
        for sub in ["Board minutes", "Board papers", "mail", ".hidden", "Ünïcode"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("mailbox.txt"), "a file, not a folder").unwrap();
        let base = format!("{}/", dir.path().display());
        let complete = |typed: &str| complete_folder(&format!("{base}{typed}")).map(|c| c[base.len()..].to_owned());
        assert_eq!(complete("ma").as_deref(), Some("mail/"));
        assert_eq!(complete("Bo").as_deref(), Some("Board "));
        assert_eq!(complete("Board ").as_deref(), None, "two folders go on from here");
        assert_eq!(complete("Ün").as_deref(), Some("Ünïcode/"));
        assert_eq!(complete("").as_deref(), None, "several folders share nothing");
        assert_eq!(complete(".h").as_deref(), Some(".hidden/"));
        assert_eq!(complete("zz"), None);
        assert_eq!(complete_folder("~").as_deref(), Some("~/"));
        assert_eq!(complete_folder("no-slash"), None);
    }
}
