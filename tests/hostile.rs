//! Broken and hostile files, generated here: indexing always finishes, every file is either
//! indexed or reported with a reason, and nothing indexed before is lost.

mod common;

use std::path::Path;

use common::Fixture;
use dossier::entities::default_extractor;
use dossier::index::DocIndex;
use dossier::pipeline::Options;
use dossier::store::RunRecord;

fn run(fx: &Fixture, folder: &Path) -> (DocIndex, RunRecord) {
    fx.index(folder, default_extractor(), Options::default())
}

fn reason<'a>(record: &'a RunRecord, path: &str) -> Option<&'a str> {
    record.problems.iter().find(|p| p.path == path).map(|p| p.reason.as_str())
}

#[test]
fn hostile_files_are_indexed_or_reported_never_fatal() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("hostile");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write("good.txt", b"A perfectly normal note about the harbour.");
    write("empty.txt", b"");
    write("empty.eml", b"");
    write("blank.eml", b" \r\n\t\n");
    write("random.txt", &(0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect::<Vec<_>>());
    write("nul-inside.txt", b"text before\x00\x00 and after");
    write("invalid-utf8.txt", b"caf\xc3 and \xff\xfe more about the harbour");
    write("not-really.eml", b"just words, no headers");
    write("deep.html", format!("{}deep harbour text{}", "<div>".repeat(3000), "</div>".repeat(3000)).as_bytes());
    write("one-long-line.txt", "harbour ".repeat(300_000).as_bytes());
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        std::os::unix::fs::symlink(dir.join("loop-b"), dir.join("loop-a")).unwrap();
        std::os::unix::fs::symlink(dir.join("loop-a"), dir.join("loop-b")).unwrap();
        std::os::unix::fs::symlink(dir.join("missing.txt"), dir.join("dangling.txt")).unwrap();
        std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"latin1-name-\xe9t\xe9.txt")), b"summer notes").unwrap();
    }

    let (index, record) = run(&fx, &dir);
    let ids: Vec<String> = index.list_docs().unwrap().into_iter().map(|d| d.id).collect();
    for indexed in ["good.txt", "invalid-utf8.txt", "deep.html", "one-long-line.txt", "nul-inside.txt"] {
        assert!(ids.contains(&indexed.to_owned()), "{indexed} indexed: {ids:?} / {:?}", record.problems);
    }
    assert_eq!(reason(&record, "random.txt"), Some("binary data, not text"));
    // A few NULs in text (a torn save) are dropped, not a reason to lose the words.
    assert_eq!(reason(&record, "nul-inside.txt"), None);
    let torn = index.doc_view("nul-inside.txt", &dossier::model::Query::default()).unwrap().unwrap();
    assert_eq!(torn.text, "text before and after");
    // Empty is empty in any format: skipped alike, not a red failure for one and a blank
    // document for another.
    for empty in ["empty.txt", "empty.eml", "blank.eml"] {
        let problem = record.problems.iter().find(|p| p.path == empty).unwrap_or_else(|| panic!("{empty}"));
        assert_eq!((problem.reason.as_str(), problem.outcome), ("empty file", dossier::model::Outcome::Skipped));
    }
    assert!(reason(&record, "not-really.eml").is_some_and(|r| r.starts_with("not an e-mail message")));
    #[cfg(unix)]
    {
        for link in ["loop-a", "loop-b", "dangling.txt"] {
            assert_eq!(reason(&record, link), Some("symbolic link, not followed"), "{link}");
        }
        assert!(ids.iter().any(|id| id.starts_with("latin1-name-") && id.ends_with(".txt")), "{ids:?}");
    }
    // Every file is accounted for: indexed, or reported.
    let files = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(ids.len() + record.problems.len(), files, "{ids:?} {:?}", record.problems);
    assert_eq!(
        index.search(&dossier::model::Query { text: "harbour".into(), ..Default::default() }, 10).unwrap().total,
        4
    );

    // A second run after more damage keeps what was indexed.
    write("good.txt", b"\x00\x01 now binary");
    let (index, record) = run(&fx, &dir);
    assert_eq!(reason(&record, "good.txt"), Some("binary data, not text"));
    assert!(index.num_docs() >= 4);
}

/// An extractor that, the first time it runs, does something to the folder (as another program
/// might while indexing is under way), then finds nothing.
struct Meddler(std::sync::Mutex<Option<Box<dyn FnOnce() + Send>>>);

impl dossier::entities::Extractor for Meddler {
    fn extract(&self, _text: &str) -> Vec<dossier::model::Entity> {
        if let Some(f) = self.0.lock().unwrap().take() {
            f();
        }
        Vec::new()
    }
}

#[test]
fn files_deleted_or_changed_while_their_entities_are_found() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("moving");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a-first.txt"), b"first file").unwrap();
    std::fs::write(dir.join("b-deleted.txt"), b"this file will vanish").unwrap();
    std::fs::write(dir.join("c-changed.txt"), b"old words").unwrap();
    let folder = dir.canonicalize().unwrap();
    let (b, c) = (folder.join("b-deleted.txt"), folder.join("c-changed.txt"));
    // Their text is indexed; finding the first document's entities deletes the second file and
    // rewrites the third.
    let meddle: Box<dyn FnOnce() + Send> = Box::new(move || {
        std::fs::remove_file(&b).unwrap();
        std::fs::write(&c, b"new words, longer than before").unwrap();
    });
    let extractor = std::sync::Arc::new(Meddler(std::sync::Mutex::new(Some(meddle))));
    let (index, record) = fx.index(&folder, extractor, Options { workers: 1, ..Options::default() });
    // The run finds the entities of what it indexed, from the index: nothing to report.
    assert_eq!((record.indexed, record.entities_found, record.problems.len()), (3, 3, 0), "{:?}", record.problems);
    let indexed = index.doc_view("c-changed.txt", &dossier::model::Query::default()).unwrap().unwrap();
    assert_eq!(indexed.text, "old words");
    // The next run sees the folder as it now is.
    let (index, record) = run(&fx, &folder);
    assert_eq!((record.indexed, record.removed, record.problems.len()), (1, 1, 0), "{:?}", record.problems);
    let changed = index.doc_view("c-changed.txt", &dossier::model::Query::default()).unwrap().unwrap();
    assert_eq!(changed.text, "new words, longer than before");
    assert!(!changed.entities_pending);
    let (_, record) = run(&fx, &folder);
    assert_eq!((record.indexed, record.entities_found), (0, 0), "nothing left to do");
}

#[cfg(unix)]
#[test]
fn unreadable_special_and_oddly_named_files() {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    let dir = fx.dir.path().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    let locked = dir.join("locked.txt");
    std::fs::write(&locked, b"words nobody may read").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root (as in CI containers) reads it anyway; then it must simply be indexed.
    let readable = std::fs::read(&locked).is_ok();
    // A named pipe with a text name would block a reader forever.
    let fifo = dir.join("pipe.txt");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    // Two names that differ only in bytes that are not UTF-8 (Latin-1 é and è).
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"caf\xe9.txt")), b"first cafe").unwrap();
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"caf\xe8.txt")), b"second cafe").unwrap();
    // A name that spells the escape of another: both must keep their own id, run after run.
    std::fs::write(dir.join("a%FF.txt"), b"literal percent").unwrap();
    std::fs::write(dir.join(std::ffi::OsStr::from_bytes(b"a\xff.txt")), b"raw byte").unwrap();

    let (index, record) = run(&fx, &dir);
    let ids: Vec<String> = index.list_docs().unwrap().into_iter().map(|d| d.id).collect();
    assert!(ids.contains(&"caf%E9.txt".to_owned()) && ids.contains(&"caf%E8.txt".to_owned()), "{ids:?}");
    assert!(ids.contains(&"a%25FF.txt".to_owned()) && ids.contains(&"a%FF.txt".to_owned()), "{ids:?}");
    let (again, second) = run(&fx, &dir);
    assert_eq!(second.indexed, 0, "nothing changed, nothing re-indexed");
    assert_eq!(again.num_docs(), index.num_docs());
    assert_eq!(reason(&record, "pipe.txt"), Some("not a regular file (a pipe, socket or device)"));
    if readable {
        assert!(ids.contains(&"locked.txt".to_owned()));
    } else {
        assert_eq!(reason(&record, "locked.txt"), Some("cannot read: permission denied"));
    }
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// Panics on documents that mention "detonate", as a buggy recogniser might.
struct Fragile;

impl dossier::entities::Extractor for Fragile {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        assert!(!text.contains("detonate"), "a bug in a recogniser");
        Vec::new()
    }
}

#[test]
fn a_panic_while_finding_entities_keeps_the_text_and_says_why() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("fragile");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("a.txt"), b"calm words").unwrap();
    std::fs::write(dir.join("b.txt"), b"these words detonate the reader").unwrap();
    std::fs::write(dir.join("c.txt"), b"more calm words").unwrap();
    let (index, record) = fx.index(&dir, std::sync::Arc::new(Fragile), Options::default());
    assert_eq!(
        reason(&record, "b.txt"),
        Some("internal error while finding its entities (reported as a bug); its text is searchable")
    );
    let ids: Vec<String> = index.list_docs().unwrap().into_iter().map(|d| d.id).collect();
    assert_eq!(ids, ["a.txt", "b.txt", "c.txt"]);
    let found = index.search(&dossier::model::Query { text: "detonate".into(), ..Default::default() }, 10);
    assert_eq!(found.unwrap().total, 1);
}

/// A mailbox of `n` short messages.
fn mailbox(n: usize) -> String {
    (0..n)
        .map(|i| {
            format!(
                "From sender{i} Tue Mar 12 09:30:00 2024\nFrom: Helen Ward <hw@port.example>\nSubject: Cranes {i}\n\
                 Date: Tue, 12 Mar 2024 09:30:00 +0000\n\nCrane number {i} at Northport was inspected by Tom Becker \
                 of the Calder Shipping Company in Rotterdam on Friday.\n\n"
            )
        })
        .collect()
}

/// `dossier ARGS` with the fixture's data folder.
fn run_dossier(fx: &Fixture, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(args)
        .env("DOSSIER_DATA_DIR", &fx.data)
        .output()
        .unwrap()
}

/// Starts `dossier index DIR` and kills it (SIGKILL) `ms` after its journal first holds `mark`;
/// returns the journal's path.
fn kill_indexing_after(fx: &Fixture, dir: &Path, mark: &str, ms: u64, never: &str) -> std::path::PathBuf {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_dossier"))
        .args(["index", dir.to_str().unwrap()])
        .env("DOSSIER_DATA_DIR", &fx.data)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let journal = fx.store().index_dir(&dir.canonicalize().unwrap()).join("journal.jsonl");
    let started = std::time::Instant::now();
    while !std::fs::read_to_string(&journal).unwrap_or_default().contains(mark) {
        assert!(started.elapsed().as_secs() < 120, "{never}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    std::thread::sleep(std::time::Duration::from_millis(ms));
    child.kill().unwrap();
    child.wait().unwrap();
    journal
}

#[test]
fn a_run_killed_mid_mailbox_loses_nothing_and_its_file_cannot_kill_the_next() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("killed");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("box.mbox"), mailbox(8_000)).unwrap();
    std::fs::write(dir.join("note.txt"), "A note about the harbour.").unwrap();
    let dossier = |args: &[&str]| run_dossier(&fx, args);
    let folder = dir.to_str().unwrap();
    // Kill it once the mailbox is being read and a commit or two has landed.
    let journal = kill_indexing_after(&fx, &dir, "\"box.mbox\"", 400, "the mailbox was never started");
    assert!(
        !std::fs::read_to_string(&journal).unwrap().contains("[\"read\",\"box.mbox\"]"),
        "the test must kill the run while the mailbox is being read"
    );

    // The next run skips the mailbox that was being read (it may be what killed the process),
    // says so, keeps the messages already committed, and indexes the rest.
    let out = dossier(&["index", folder, "--verbose"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("box.mbox\t{}", dossier::pipeline::STOPPED_A_RUN)), "{text}");
    let kept = dossier(&["list", folder]);
    let kept = String::from_utf8_lossy(&kept.stdout).lines().filter(|l| l.starts_with("box.mbox#")).count();
    assert!(kept < 8_000, "{kept}");
    // It stays skipped until the user retries; then it is read whole.
    let again = dossier(&["index", folder, "--verbose"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains(dossier::pipeline::STOPPED_A_RUN));
    let retried = dossier(&["index", folder, "--retry"]);
    assert_eq!(retried.status.code(), Some(0), "{retried:?}");
    let listed = dossier(&["list", folder]);
    let messages = String::from_utf8_lossy(&listed.stdout).lines().filter(|l| l.starts_with("box.mbox#")).count();
    assert_eq!(messages, 8_000);
    let report = String::from_utf8_lossy(&dossier(&["report", folder]).stdout).into_owned();
    assert!(!report.contains(dossier::pipeline::STOPPED_A_RUN), "{report}");
}

#[test]
fn a_run_killed_while_finding_entities_keeps_the_text_and_the_next_one_resumes() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("killed-later");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("box.mbox"), mailbox(1_500)).unwrap();
    let dossier = |args: &[&str]| run_dossier(&fx, args);
    let folder = dir.to_str().unwrap();
    // Kill it while it finds entities.
    let journal = kill_indexing_after(&fx, &dir, "[\"find\",", 200, "no entities were ever looked for");
    let text = std::fs::read_to_string(&journal).unwrap();
    let in_flight = text.lines().filter(|l| l.starts_with("[\"find\",")).count()
        - text.lines().filter(|l| l.starts_with("[\"found\",")).count();
    assert!(in_flight > 0, "the test must kill the run while it finds entities");

    // Every message is searchable; the next run gives up on the messages whose entities were
    // being found (they may be what killed it), says so, and finds the rest.
    let out = dossier(&["index", folder, "--verbose"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let given_up = said
        .lines()
        .filter(|l| {
            l.starts_with("without entities\tbox.mbox#") && l.ends_with(dossier::pipeline::ENTITIES_STOPPED_A_RUN)
        })
        .count();
    assert!((1..=in_flight).contains(&given_up), "{said}");
    assert!(said.contains("0 indexed") && said.contains("entities found in"), "{said}");
    let listed = dossier(&["list", folder]);
    assert_eq!(String::from_utf8_lossy(&listed.stdout).lines().count(), 1_500);
    let becker = dossier(&["entities", folder, "--kind", "PERSON"]);
    let people = String::from_utf8_lossy(&becker.stdout).into_owned();
    let expected = format!("{:>6}  PERSON       Tom Becker", 1_500 - given_up);
    assert!(people.lines().any(|l| l == expected), "{people}");
    // Retry finds their entities too.
    let retried = dossier(&["index", folder, "--retry"]);
    assert_eq!(retried.status.code(), Some(0), "{retried:?}");
    let people = String::from_utf8_lossy(&dossier(&["entities", folder, "--kind", "PERSON"]).stdout).into_owned();
    assert!(people.lines().any(|l| l == format!("{:>6}  PERSON       Tom Becker", 1_500)), "{people}");
    let report = String::from_utf8_lossy(&dossier(&["report", folder]).stdout).into_owned();
    assert!(!report.contains(dossier::pipeline::ENTITIES_STOPPED_A_RUN), "{report}");
}

#[test]
fn a_damaged_index_is_moved_aside_and_rebuilt() {
    use std::os::unix::fs::PermissionsExt;
    let fx = Fixture::new();
    let (index, _) = run(&fx, &fx.folder);
    let docs = index.num_docs();
    drop(index);
    let dir = fx.store().index_dir(&fx.folder.canonicalize().unwrap());
    // Private to the user: the index holds the text of people's documents.
    assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(dir.join("last_run.json")).unwrap().permissions().mode() & 0o777, 0o600);

    std::fs::write(dir.join("meta.json"), "garbage\n").unwrap();
    let reopened = DocIndex::open_or_create(&dir).unwrap();
    assert!(reopened.rebuilt().unwrap().contains("moved aside"), "{:?}", reopened.rebuilt());
    drop(reopened);
    let (index, record) = run(&fx, &fx.folder);
    assert_eq!(index.num_docs(), docs);
    assert_eq!(record.indexed, docs);

    // Truncated segment files.
    drop(index);
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "idx" || e == "store" || e == "term") {
            std::fs::write(&path, b"cut").unwrap();
        }
    }
    let (index, _) = run(&fx, &fx.folder);
    assert_eq!(index.num_docs(), docs);
    assert!(
        index.search(&dossier::model::Query { text: "harbour".into(), ..Default::default() }, 5).unwrap().total > 0
    );
    let aside = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".damaged-"));
    assert!(aside.count() >= 1);
}
