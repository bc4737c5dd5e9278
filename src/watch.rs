//! Watching an open folder: files added, changed, renamed or deleted while Dossier runs are
//! noticed (inotify on Linux, through the notify crate), and the caller re-runs the incremental
//! indexing run, which walks the folder and re-reads only what changed. Events are not handled
//! one by one: they only say "something changed", and [`Batcher`] waits for a quiet moment, so
//! an unzip of 10,000 files is one run, not 10,000.

use std::path::{Component, Path};
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher as _};

/// How long the folder must be quiet before a batch of changes is indexed.
pub const QUIET: Duration = Duration::from_millis(1500);
/// The longest a batch waits while changes keep coming (a long copy is indexed as it goes).
pub const MAX_WAIT: Duration = Duration::from_secs(10);

/// A folder being watched; dropping it stops watching.
pub struct FolderWatcher {
    _watcher: notify::RecommendedWatcher,
    changes: Receiver<()>,
}

impl FolderWatcher {
    /// Watches `folder` and everything under it; `on_change` is called (on notify's thread)
    /// whenever something in it changed, so a window can wake up.
    pub fn start(folder: &Path, on_change: impl Fn() + Send + 'static) -> notify::Result<FolderWatcher> {
        // One pending signal is enough: it means "look again".
        let (tx, changes) = sync_channel::<()>(1);
        let root = folder.to_path_buf();
        let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
            if let Ok(event) = event
                && matters(&event, &root)
            {
                signal(&tx);
                on_change();
            }
        })?;
        watcher.watch(folder, RecursiveMode::Recursive)?;
        Ok(FolderWatcher { _watcher: watcher, changes })
    }

    /// Whether something changed since the last call (never waits).
    pub fn changed(&self) -> bool {
        self.changes.try_recv().is_ok()
    }

    /// Waits up to `timeout` for a change (the CLI's `--watch`).
    pub fn wait(&self, timeout: Duration) -> bool {
        self.changes.recv_timeout(timeout).is_ok()
    }
}

fn signal(tx: &SyncSender<()>) {
    match tx.try_send(()) {
        Ok(()) | Err(TrySendError::Full(())) | Err(TrySendError::Disconnected(())) => {}
    }
}

/// Whether `event` can change what is indexed: a file created, written, renamed or removed
/// outside hidden folders (the walk skips those). Reads and metadata-only changes (atime) do not.
fn matters(event: &notify::Event, root: &Path) -> bool {
    let kind =
        matches!(event.kind, EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any);
    let metadata_only = matches!(event.kind, EventKind::Modify(notify::event::ModifyKind::Metadata(_)));
    kind && !metadata_only && event.paths.iter().any(|p| !hidden(p, root))
}

/// Whether `path` is under a hidden entry of `root` (`.git`, `.cache`): the walk skips those.
fn hidden(path: &Path, root: &Path) -> bool {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative.components().any(|c| matches!(c, Component::Normal(name) if name.to_string_lossy().starts_with('.')))
}

/// Decides when a burst of changes is indexed: after [`QUIET`] without another change, or
/// [`MAX_WAIT`] after the first one, whichever comes first.
#[derive(Default, Debug)]
pub struct Batcher {
    first: Option<Instant>,
    last: Option<Instant>,
}

impl Batcher {
    /// Notes a change at `now`.
    pub fn changed(&mut self, now: Instant) {
        self.first.get_or_insert(now);
        self.last = Some(now);
    }

    /// Whether changes are waiting.
    pub fn pending(&self) -> bool {
        self.first.is_some()
    }

    /// At `now`: `Ok(())` when the batch is due (and forgets it), else how long until it is.
    pub fn due(&mut self, now: Instant) -> Result<(), Option<Duration>> {
        match self.until_due(now) {
            Some(Duration::ZERO) => {
                self.take();
                Ok(())
            }
            wait => Err(wait),
        }
    }

    /// At `now`: how long until the batch is due (zero once it is); `None` with no changes.
    pub fn until_due(&self, now: Instant) -> Option<Duration> {
        let (first, last) = (self.first?, self.last?);
        Some((last + QUIET).min(first + MAX_WAIT).saturating_duration_since(now))
    }

    /// Forgets the batch: it is being indexed.
    pub fn take(&mut self) {
        *self = Batcher::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_is_one_batch_after_a_quiet_moment_or_the_longest_wait() {
        let t0 = Instant::now();
        let mut b = Batcher::default();
        assert_eq!(b.due(t0), Err(None));
        b.changed(t0);
        assert_eq!(b.due(t0 + Duration::from_millis(500)), Err(Some(QUIET - Duration::from_millis(500))));
        // Changes keep coming: the batch waits for quiet, but never longer than MAX_WAIT.
        for ms in (0..9_000).step_by(500) {
            b.changed(t0 + Duration::from_millis(ms));
        }
        assert!(b.due(t0 + Duration::from_millis(9_500)).is_err());
        assert_eq!(b.due(t0 + MAX_WAIT), Ok(()));
        assert!(!b.pending());
        b.changed(t0);
        assert_eq!(b.due(t0 + QUIET), Ok(()));
    }

    #[test]
    fn hidden_folders_and_reads_do_not_count() {
        let root = Path::new("/data/leak");
        assert!(hidden(Path::new("/data/leak/.git/index"), root));
        assert!(!hidden(Path::new("/data/leak/mail/a.eml"), root));
        assert!(!hidden(Path::new("/data/.hidden-parent/leak/a.txt"), Path::new("/data/.hidden-parent/leak")));
        let event = |kind| notify::Event { kind, paths: vec![root.join("a.txt")], attrs: Default::default() };
        assert!(matters(&event(EventKind::Create(notify::event::CreateKind::File)), root));
        assert!(!matters(&event(EventKind::Access(notify::event::AccessKind::Read)), root));
        let atime = notify::event::ModifyKind::Metadata(notify::event::MetadataKind::AccessTime);
        assert!(!matters(&event(EventKind::Modify(atime)), root));
    }

    #[test]
    fn a_file_written_in_a_watched_folder_is_noticed() {
        let dir = tempfile::tempdir().unwrap();
        let watcher = FolderWatcher::start(dir.path(), || {}).unwrap();
        std::fs::write(dir.path().join("new.txt"), "hello").unwrap();
        assert!(watcher.wait(Duration::from_secs(10)), "no change seen");
        // A hidden folder's files do not count.
        while watcher.changed() {}
        std::fs::create_dir(dir.path().join(".cache")).unwrap();
        while watcher.wait(Duration::from_millis(300)) {}
        std::fs::write(dir.path().join(".cache/x"), "y").unwrap();
        assert!(!watcher.wait(Duration::from_millis(500)));
    }
}
