//! Broken and hostile files, generated here: indexing always finishes, every file is either
//! indexed or reported with a reason, and nothing indexed before is lost.

mod common;

use std::path::Path;

use common::Fixture;
use dossier::entities::default_extractor;
use dossier::index::DocIndex;
use dossier::pipeline::{self, Options};
use dossier::store::RunRecord;

fn run(fx: &Fixture, folder: &Path) -> (DocIndex, RunRecord) {
    let folder = folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).unwrap();
    let (record, error) =
        pipeline::run_blocking(folder, index.clone(), dir, default_extractor(), Options::default(), |_| {}).unwrap();
    assert_eq!(error, None);
    index.reload().unwrap();
    (index, record)
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
    for indexed in ["good.txt", "empty.txt", "invalid-utf8.txt", "deep.html", "one-long-line.txt"] {
        assert!(ids.contains(&indexed.to_owned()), "{indexed} indexed: {ids:?} / {:?}", record.problems);
    }
    assert_eq!(reason(&record, "random.txt"), Some("binary data, not text"));
    assert_eq!(reason(&record, "nul-inside.txt"), Some("binary data, not text"));
    assert_eq!(reason(&record, "empty.eml"), Some("empty file"));
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
