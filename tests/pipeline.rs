//! The core end to end on a fixture folder: index, search, entities, re-index after edits and
//! deletions, reopen without re-indexing.

mod common;

use std::sync::Arc;

use common::Fixture;
use dossier::entities::default_extractor;
use dossier::index::DocIndex;
use dossier::model::{EntityKey, EntityKind, Outcome, Query, SortBy};
use dossier::pipeline::{self, Event, Options};
use dossier::store::RunRecord;

struct Run {
    record: RunRecord,
    planned: (usize, usize, usize),
    committed: usize,
}

fn index_folder(fx: &Fixture) -> (DocIndex, Run) {
    let mut planned = (0, 0, 0);
    let mut committed = 0;
    let (index, record) = run_fixture(fx, default_extractor(), Options::default(), |e| match e {
        Event::Planned { to_index, unchanged, removed } => planned = (*to_index, *unchanged, *removed),
        Event::Committed => committed += 1,
        _ => {}
    });
    (index, Run { record, planned, committed })
}

/// Indexes the fixture folder with `extractor` and `options`, handing each event to `on_event`;
/// the index (reloaded) and the run's record. The run must not fail.
fn run_fixture(
    fx: &Fixture,
    extractor: Arc<dyn dossier::entities::Extractor>,
    options: Options,
    on_event: impl FnMut(&Event),
) -> (DocIndex, RunRecord) {
    let folder = fx.folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).unwrap();
    let (record, error) = pipeline::run_blocking(folder, index.clone(), dir, extractor, options, on_event).unwrap();
    assert_eq!(error, None);
    index.reload().unwrap();
    (index, record)
}

fn q(text: &str) -> Query {
    Query { text: text.into(), ..Query::default() }
}

fn ids(index: &DocIndex) -> Vec<String> {
    index.list_docs().unwrap().into_iter().map(|d| d.id).collect()
}

#[test]
fn indexes_supported_files_and_reports_the_rest() {
    let fx = Fixture::new();
    let (index, run) = index_folder(&fx);
    assert_eq!(
        ids(&index),
        [
            "harbour-fire.txt",
            "news-blinken-lavrov.txt",
            "notes/communique-fr.txt",
            "notes/duplicate-a.txt",
            "notes/duplicate-b.txt",
            "notes/latin1-note.txt",
            "notes/meeting-minutes.md"
        ]
    );
    assert_eq!(run.record.indexed, 7);
    // Hidden folders are not even looked at; the spreadsheet is reported as skipped.
    assert_eq!(run.record.problems.len(), 1, "{:?}", run.record.problems);
    assert_eq!(run.record.problems[0].path, "table.xls");
    assert_eq!(run.record.problems[0].outcome, dossier::model::Outcome::Skipped);
    assert!(index.search(&q("Zebulon"), 10).unwrap().hits.is_empty());
    let docs = index.list_docs().unwrap();
    let minutes = docs.iter().find(|d| d.id == "notes/meeting-minutes.md").unwrap();
    assert_eq!(minutes.title, "Minutes of the budget meeting");
    assert!(minutes.entity_count > 0);
}

#[test]
fn other_languages_are_indexed_without_english_entities() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let docs = index.list_docs().unwrap();
    let fr = docs.iter().find(|d| d.id == "notes/communique-fr.txt").unwrap();
    assert_eq!((fr.language.as_str(), fr.entity_count), ("fra", 0));
    let news = docs.iter().find(|d| d.id == "news-blinken-lavrov.txt").unwrap();
    assert_eq!(news.language, "eng");
    assert_eq!(index.search(&q("pompiers"), 10).unwrap().total, 1, "still searchable");
}

#[test]
fn search_ranks_snippets_and_counts_matches() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let results = index.search(&q("Griner"), 10).unwrap();
    assert_eq!(results.total, 1);
    let hit = &results.hits[0];
    assert_eq!(hit.id, "news-blinken-lavrov.txt");
    assert_eq!(hit.match_count, Some(4));
    assert!(!hit.snippet_ranges.is_empty());
    for r in &hit.snippet_ranges {
        assert_eq!(hit.snippet[r.clone()].to_lowercase(), "griner");
    }

    // A phrase matches only where the words are adjacent, and counts as one match.
    let phrase = index.search(&q("\"frank and direct\""), 10).unwrap();
    assert_eq!(phrase.total, 1);
    assert_eq!(phrase.hits[0].match_count, Some(2), "the title and the quote");
    assert_eq!(index.search(&q("\"direct frank\""), 10).unwrap().total, 0);
    // All words must match by default.
    assert_eq!(index.search(&q("harbour fire"), 10).unwrap().total, 2);
    assert_eq!(index.search(&q("harbour Griner"), 10).unwrap().total, 0);
}

#[test]
fn exact_copies_are_one_hit_that_lists_the_others() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    for _ in 0..5 {
        let results = index.search(&q("inspection"), 10).unwrap();
        let got: Vec<(&str, &[String])> = results.hits.iter().map(|h| (h.id.as_str(), h.copies.as_slice())).collect();
        assert_eq!(got, [("notes/duplicate-a.txt", &["notes/duplicate-b.txt".to_owned()][..])]);
        assert_eq!((results.total, results.copies), (1, 1));
    }
    // Each copy stays reachable, and names the other.
    let view = index.doc_view("notes/duplicate-b.txt", &Query::default()).unwrap().unwrap();
    assert_eq!(view.copies, ["notes/duplicate-a.txt"]);
    let view = index.doc_view("notes/latin1-note.txt", &Query::default()).unwrap().unwrap();
    assert!(view.copies.is_empty());
}

#[test]
fn each_highlight_names_its_entity_and_a_hidden_entity_loses_only_its_own() {
    use dossier::entities::curation::{Curation, Rule};
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let id = "news-blinken-lavrov.txt";
    let view = index.doc_view(id, &Query::default()).unwrap().unwrap();
    // The view's key for each mention is the one the document's resolution gives it.
    let named = |view: &dossier::model::DocView| -> Vec<(std::ops::Range<usize>, EntityKey)> {
        view.entities
            .iter()
            .zip(&view.mention_keys)
            .map(|(e, &k)| (e.span.clone(), view.entity_doc_counts[k as usize].0.clone()))
            .collect()
    };
    let resolved = dossier::entities::identity::resolve(&view.text, &view.entities);
    let all = named(&view);
    assert_eq!(all.len(), resolved.len());
    for ((span, key), identity) in all.iter().zip(&resolved) {
        assert_eq!(key, &identity.key, "{}", &view.text[span.clone()]);
    }
    // The view keeps those keys (it reads the searcher's places, not resolving again).
    let state = dossier::view::document::DocState::new(view.clone(), 1);
    assert_eq!(state.mentions.len(), all.len());
    for m in &state.mentions {
        let want = all.iter().find(|(span, _)| *span == m.bytes).map(|(_, k)| k);
        assert_eq!(Some(&state.keys[m.key]), want, "{}", &view.text[m.bytes.clone()]);
    }
    let lavrov = EntityKey { kind: EntityKind::Person, text: "Sergey Lavrov".into() };
    let of_lavrov = all.iter().filter(|(_, k)| *k == lavrov).count();
    assert!(of_lavrov >= 6, "'Lavrov' is a mention of Sergey Lavrov: {all:?}");
    // Hidden: its mentions go, every other mention keeps its entity.
    index.set_curation(Curation { rules: vec![Rule::Hide { key: lavrov.clone() }] });
    let hidden = index.doc_view(id, &Query::default()).unwrap().unwrap();
    let rest: Vec<_> = all.iter().filter(|(_, k)| *k != lavrov).cloned().collect();
    assert_eq!(named(&hidden), rest);
    assert!(hidden.entity_doc_counts.iter().all(|(k, _)| *k != lavrov));
}

#[test]
fn windows_of_hits_fit_together_in_one_order() {
    let fx = Fixture::new();
    // Equal scores (the same length, one match each), written in no particular order.
    for i in [7, 3, 11, 0, 5, 9, 1, 12, 4, 8, 2, 10, 6] {
        std::fs::write(fx.folder.join(format!("tide-{i:02}.txt")), format!("Tide {i:02} rose.")).unwrap();
    }
    let (index, _) = index_folder(&fx);
    let all: Vec<String> = index.search(&q("tide"), usize::MAX).unwrap().hits.into_iter().map(|h| h.id).collect();
    let expected: Vec<String> = (0..13).map(|i| format!("tide-{i:02}.txt")).collect();
    assert_eq!(all, expected, "ties by path");
    for sort in [SortBy::Relevance, SortBy::Path, SortBy::Newest, SortBy::Oldest] {
        let query = Query { text: "tide".into(), sort, ..Query::default() };
        let whole: Vec<String> = index.search(&query, 100).unwrap().hits.into_iter().map(|h| h.id).collect();
        let mut pieced = Vec::new();
        for offset in (0..13).step_by(4) {
            let window = index.search_page(&query, offset, 4).unwrap();
            assert_eq!(window.total, 13);
            pieced.extend(window.hits.into_iter().map(|h| h.id));
        }
        assert_eq!(pieced, whole, "{sort:?}");
    }
}

#[test]
fn half_typed_queries_still_search() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let results = index.search(&q("lighthouse AND ("), 10).unwrap();
    assert!(results.total >= 2, "{results:?}");
}

#[test]
fn documents_carry_entity_spans_and_corpus_counts() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let view = index.doc_view("news-blinken-lavrov.txt", &q("Griner")).unwrap().unwrap();
    let mentions = |kind: EntityKind, text: &str| {
        view.entities.iter().filter(|e| e.kind == kind && &view.text[e.span.clone()] == text).count()
    };
    assert!(mentions(EntityKind::Person, "Sergey Lavrov") >= 1);
    assert!(mentions(EntityKind::Person, "Lavrov") >= 5);
    assert!(mentions(EntityKind::Person, "Blinken") >= 5);
    assert!(mentions(EntityKind::Gpe, "Moscow") >= 3);
    assert!(mentions(EntityKind::Org, "CNN") >= 4);
    assert!(mentions(EntityKind::Date, "Friday") >= 1);
    assert_eq!(view.query_ranges.len(), 4);
    for r in &view.query_ranges {
        assert_eq!(&view.text[r.clone()], "Griner");
    }

    // "Calder Shipping Company" is in two documents.
    let calder = EntityKey { kind: EntityKind::Org, text: "Calder Shipping Company".into() };
    let counts = index.entity_counts().unwrap();
    let n = counts.iter().find(|c| *c.key == calder).map(|c| c.documents);
    assert_eq!(n, Some(2), "{counts:?}");

    // Filtering by entity.
    let filtered = index.search(&Query { entities: vec![calder.clone()], ..Query::default() }, 10).unwrap();
    assert_eq!(filtered.total, 2);
    let both = index.search(&Query { text: "council".into(), entities: vec![calder], ..Query::default() }, 10).unwrap();
    assert_eq!(both.hits.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(), ["notes/meeting-minutes.md"]);
}

#[test]
fn reindex_after_edit_and_delete_and_reopen_without_work() {
    let fx = Fixture::new();
    let (_, first) = index_folder(&fx);
    assert_eq!(first.planned, (7, 0, 0));

    // Reopening an unchanged folder indexes nothing.
    let (_, again) = index_folder(&fx);
    assert_eq!(again.planned, (0, 7, 0));
    assert_eq!(again.record.indexed, 0);

    // An edit re-indexes that file only; its new words are found and its old ones are gone.
    std::fs::write(
        fx.folder.join("harbour-fire.txt"),
        "Flood warning issued for Northport by mayor Jonas Whitfield.\n",
    )
    .unwrap();
    let (index, edited) = index_folder(&fx);
    assert_eq!(edited.planned, (1, 6, 0));
    assert_eq!(index.search(&q("flood"), 10).unwrap().total, 1);
    assert_eq!(index.search(&q("warehouse"), 10).unwrap().total, 1, "only the minutes still mention it");

    // A deleted file disappears from the list, the search and the entity counts.
    std::fs::remove_file(fx.folder.join("notes/meeting-minutes.md")).unwrap();
    let (index, deleted) = index_folder(&fx);
    assert_eq!(deleted.planned, (0, 6, 1));
    assert_eq!(deleted.record.removed, 1);
    assert!(!ids(&index).contains(&"notes/meeting-minutes.md".to_owned()));
    assert_eq!(index.search(&q("budget"), 10).unwrap().total, 0);
    let counts = index.entity_counts().unwrap();
    assert!(!counts.iter().any(|c| c.key.text == "Maria Lopez"), "{counts:?}");
    assert!(!counts.iter().any(|c| c.key.text == "Calder Shipping Company"), "{counts:?}");
}

#[test]
fn unreadable_files_are_reported_and_do_not_stop_indexing() {
    let fx = Fixture::new();
    std::fs::write(fx.folder.join("binary.txt"), b"\x00\x01\x02\x03garbage").unwrap();
    let (index, run) = index_folder(&fx);
    assert_eq!(run.record.indexed, 7);
    let failed: Vec<_> = run.record.problems.iter().filter(|p| p.outcome != dossier::model::Outcome::Skipped).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].path, "binary.txt");
    assert_eq!(failed[0].reason, "binary data, not text");
    assert_eq!(index.num_docs(), 7);
    assert!(run.committed >= 1);
}

/// The fixture corpus plus `n` short notes (enough that a run takes a while), its canonical
/// folder, index folder and freshly opened index.
fn with_bulk_notes(n: usize) -> (Fixture, std::path::PathBuf, std::path::PathBuf, DocIndex) {
    let fx = Fixture::new();
    for i in 0..n {
        std::fs::write(fx.folder.join(format!("bulk-{i:03}.txt")), format!("Bulk note number {i} about the harbour."))
            .unwrap();
    }
    let folder = fx.folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).unwrap();
    (fx, folder, dir, index)
}

#[test]
fn cancelled_runs_keep_what_was_indexed_and_the_next_run_finishes() {
    let (fx, folder, dir, index) = with_bulk_notes(300);
    // Commit often and one file at a time, and cancel once the first commit with documents lands.
    let options = Options { commit_every: std::time::Duration::ZERO, workers: 1, ..Options::default() };
    let run = pipeline::start(folder, index.clone(), dir, default_extractor(), options, Arc::new(|| {})).unwrap();
    let mut record = None;
    let mut documents = 0;
    while let Some(event) = run.wait_event() {
        match event {
            Event::Progress(p) => documents = p.documents,
            Event::Committed if documents > 0 => run.cancel(),
            Event::Finished { record: r, error } => {
                assert_eq!(error, None);
                record = Some(r);
            }
            _ => {}
        }
    }
    let record = record.unwrap();
    index.reload().unwrap();
    assert!(record.cancelled);
    assert!(record.indexed > 0 && record.indexed < 307, "{}", record.indexed);
    assert_eq!(index.num_docs(), record.indexed, "what was indexed before the cancel is committed");

    // The next run reads only what the cancelled one did not.
    let (index, rest) = index_folder(&fx);
    assert_eq!(rest.planned.1 as u64, record.indexed, "unchanged: the files committed before the cancel");
    assert_eq!(rest.planned.0 + rest.planned.1, 307);
    assert_eq!(index.num_docs(), 307);
}

#[test]
fn a_run_dropped_mid_way_commits_and_leaves_nothing_to_suspect() {
    let (_fx, folder, dir, index) = with_bulk_notes(300);
    let options = Options { commit_every: std::time::Duration::ZERO, ..Options::default() };
    let run =
        pipeline::start(folder, index.clone(), dir.clone(), default_extractor(), options, Arc::new(|| {})).unwrap();
    while let Some(event) = run.wait_event() {
        if let Event::Progress(p) = event
            && p.documents > 0
        {
            break;
        }
    }
    // As when the window closes mid-run: the handle goes, and the app waits for the run to stop.
    drop(run);
    assert!(pipeline::finish_stopped_runs(std::time::Duration::from_secs(60)));
    let record = RunRecord::load(&dir).expect("the record is saved");
    assert!(record.cancelled);
    let journal = dossier::store::Journal::read(&dir);
    assert!(journal.suspects.is_empty() && journal.unfinished.is_empty(), "{journal:?}");
    index.reload().unwrap();
    assert_eq!(index.num_docs(), record.indexed, "{record:?}");
}

/// Sleeps on documents that mention "lighthouse", as a pathological file would, and counts the
/// sleeps that ran to the end.
struct SlowOnLighthouses(Arc<std::sync::atomic::AtomicUsize>);

impl dossier::entities::Extractor for SlowOnLighthouses {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        if text.contains("lighthouse") {
            std::thread::sleep(std::time::Duration::from_secs(10));
            self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
        Vec::new()
    }
}

#[test]
fn a_file_over_its_time_budget_is_reported_and_the_rest_indexed() {
    let fx = Fixture::new();
    let folder = fx.folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).unwrap();
    let options = Options {
        file_time_budget: std::time::Duration::from_secs(1),
        time_per_mb: std::time::Duration::ZERO,
        workers: 1,
        ..Options::default()
    };
    let slept = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let extractor = Arc::new(SlowOnLighthouses(slept.clone()));
    let (record, error) = pipeline::run_blocking(folder, index.clone(), dir, extractor, options, |_| {}).unwrap();
    assert_eq!(error, None);
    let mut timed_out: Vec<(&str, Outcome)> = record
        .problems
        .iter()
        .filter(|p| p.reason.starts_with("timed out after 1 s while finding its entities"))
        .map(|p| (p.path.as_str(), p.outcome))
        .collect();
    timed_out.sort();
    let given_up = Outcome::NoEntities;
    assert_eq!(
        timed_out,
        [("notes/duplicate-a.txt", given_up), ("notes/duplicate-b.txt", given_up), ("notes/latin1-note.txt", given_up)]
    );
    // Their text is searchable all the same.
    assert_eq!(record.indexed, 7);
    index.reload().unwrap();
    assert_eq!(index.num_docs(), 7);
    assert_eq!(index.search(&q("lighthouse"), 10).unwrap().total, 2, "two, one of them with an exact copy");
    assert_eq!(index.stats(&fx.data).unwrap().entities_pending, 0, "given up on, not pending");
    assert_eq!(slept.load(std::sync::atomic::Ordering::SeqCst), 0, "the run did not wait for the stuck documents");
}

/// A folder of short texts in several scripts, indexed without entities (this is about words).
fn multilingual(fx: &Fixture) -> DocIndex {
    let folder = fx.dir.path().join("scripts");
    std::fs::create_dir_all(&folder).unwrap();
    let files = [
        ("fr.txt", "François Hollande met officials in München."),
        ("ru.txt", "Сергей Лавров встретился с коллегами в Москве."),
        ("el.txt", "Ο υπουργός Εξωτερικών Νίκος Δένδιας μίλησε στην Αθήνα."),
        ("ar.txt", "التقى وزير الخارجية في القاهرة أمس."),
        ("ja.txt", "東京都で会議が開かれた。"),
        ("zh.txt", "美国国务卿布林肯与拉夫罗夫通话。"),
        ("de.txt", "Angela Merkel sprach in Berlin."),
    ];
    for (name, text) in files {
        std::fs::write(folder.join(name), text).unwrap();
    }
    fx.index(&folder, default_extractor(), Options { extract_entities: false, ..Options::default() }).0
}

fn hit_ids(index: &DocIndex, text: &str) -> Vec<String> {
    let mut ids: Vec<String> = index.search(&q(text), 100).unwrap().hits.into_iter().map(|h| h.id).collect();
    ids.sort();
    ids
}

#[test]
fn words_in_any_script_are_found_whole_and_cjk_inside_runs() {
    let fx = Fixture::new();
    let index = multilingual(&fx);
    for (query, file) in [
        ("François", "fr.txt"),
        ("Hollande", "fr.txt"),
        ("münchen", "fr.txt"),
        ("Лавров", "ru.txt"),
        ("лавров", "ru.txt"),
        ("Москве", "ru.txt"),
        ("Αθήνα", "el.txt"),
        ("ΑΘΉΝΑ", "el.txt"),
        ("القاهرة", "ar.txt"),
        // No spaces between CJK words: each character is a token and a word is their phrase.
        ("東京", "ja.txt"),
        ("会議", "ja.txt"),
        ("布林肯", "zh.txt"),
    ] {
        assert_eq!(hit_ids(&index, query), [file], "{query}");
    }
    assert!(hit_ids(&index, "東西").is_empty(), "characters apart are not the word");
    assert!(hit_ids(&index, "Лавро").is_empty(), "whole words only");
    // The open document's highlights follow the same words.
    let view = index.doc_view("ja.txt", &q("東京")).unwrap().unwrap();
    let marked: Vec<&str> = view.query_ranges.iter().map(|r| &view.text[r.clone()]).collect();
    assert_eq!(marked, ["東京"]);
}

#[test]
fn every_prefix_of_queries_in_any_script_searches_without_panicking() {
    let fx = Fixture::new();
    let index = multilingual(&fx);
    let queries = [
        "Franç",
        "Лавров",
        "東京",
        "type:é",
        "folder:\"Ü",
        "\u{301}",
        "🙂 👍🏽",
        "القاهرة author:وزير",
        "title:Σ -Merkel \"Αθή",
    ];
    for query in queries {
        for (end, _) in query.char_indices().chain([(query.len(), ' ')]) {
            let prefix = &query[..end];
            index.search(&q(prefix), 10).unwrap_or_else(|e| panic!("{prefix:?}: {e}"));
        }
    }
    assert_eq!(hit_ids(&index, "Franç"), Vec::<String>::new());
    assert_eq!(hit_ids(&index, "Franç Hollande"), Vec::<String>::new());
}

#[test]
fn random_unicode_queries_never_panic_the_search() {
    let fx = Fixture::new();
    let index = multilingual(&fx);
    let alphabet: Vec<char> = "aZ09 \"():-+*~^[]{}/\\éçÜЛавровΣ東京布肯مرحبا\u{301}\u{200f}🙂".chars().collect();
    let mut rng = fastrand::Rng::with_seed(11);
    for _ in 0..1_000 {
        let len = rng.usize(0..24);
        let text: String = (0..len).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
        index.search(&q(&text), 5).unwrap_or_else(|e| panic!("{text:?}: {e}"));
    }
}

#[test]
fn deep_parentheses_and_exclusions_only_are_searched_sensibly() {
    let fx = Fixture::new();
    let index = multilingual(&fx);
    for open in ["(", "(a OR ", "-(", "+(", "\"("] {
        let query = open.repeat(3_000);
        let results = index.search(&q(&query), 5).unwrap();
        assert!(!results.warnings.is_empty() || results.total == 0, "{open}");
    }
    let deep = format!("{}Merkel{}", "(".repeat(800), ")".repeat(800));
    let results = index.search(&q(&deep), 5).unwrap();
    assert_eq!(results.total, 1);
    assert!(results.warnings.iter().any(|w| w.contains("nested deeper")), "{:?}", results.warnings);
    // Only exclusions: every document except those.
    let all_but = index.search(&q("-Merkel"), 100).unwrap();
    assert_eq!(all_but.total, 6, "{:?}", all_but.warnings);
    assert!(all_but.warnings.is_empty(), "{:?}", all_but.warnings);
    assert!(all_but.hits.iter().all(|h| h.id != "de.txt"));
}

/// Never returns on a text that says STUCK (a recogniser caught in a loop).
struct StuckOnMarker;

impl dossier::entities::Extractor for StuckOnMarker {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        while text.contains("STUCK") {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        }
        Vec::new()
    }
}

#[test]
fn a_stuck_large_file_does_not_hold_up_the_next_large_file() {
    let fx = Fixture::new();
    let folder = fx.dir.path().join("large");
    std::fs::create_dir_all(&folder).unwrap();
    // Both over the 8 MB at which files are read one at a time.
    let line = "A long log line about the harbour and its cranes.\n";
    std::fs::write(folder.join("a-stuck.txt"), format!("STUCK\n{}", line.repeat(180_000))).unwrap();
    std::fs::write(folder.join("b-fine.txt"), line.repeat(180_000)).unwrap();
    std::fs::write(folder.join("c-small.txt"), "A small note.").unwrap();
    let options = Options {
        file_time_budget: std::time::Duration::from_secs(2),
        time_per_mb: std::time::Duration::ZERO,
        extract_entities: true,
        ..Options::default()
    };
    let (index, record) = fx.index(&folder, Arc::new(StuckOnMarker), options);
    let timed_out: Vec<&str> =
        record.problems.iter().filter(|p| p.reason.starts_with("timed out")).map(|p| p.path.as_str()).collect();
    assert_eq!(timed_out, ["a-stuck.txt"]);
    assert_eq!(record.entities_found, 2, "the next large document had its turn");
    let mut ids = ids(&index);
    ids.sort();
    assert_eq!(ids, ["a-stuck.txt", "b-fine.txt", "c-small.txt"], "the stuck one's text is kept");
}

/// Finds fixed names as people or places, wherever they occur as whole words: a model with
/// known output, so the test is about merging, not recognition.
struct Names(&'static [(&'static str, EntityKind)]);

impl dossier::entities::Extractor for Names {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        let mut out: Vec<dossier::model::Entity> = Vec::new();
        for (name, kind) in self.0 {
            for (i, _) in text.match_indices(name) {
                let span = i..i + name.len();
                let free = |c: Option<char>| !c.is_some_and(char::is_alphanumeric);
                let covered = out.iter().any(|e| e.span.start < span.end && span.start < e.span.end);
                if free(text[..i].chars().next_back()) && free(text[span.end..].chars().next()) && !covered {
                    out.push(dossier::model::Entity { kind: *kind, span });
                }
            }
        }
        out.sort_by_key(|e| e.span.start);
        out
    }
}

#[test]
fn one_name_per_entity_across_the_folder_and_filters_cover_every_spelling() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("merge");
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("a.txt", "Brittney Griner was detained. Griner's lawyers spoke to the U.S. embassy.");
    write("b.txt", "GRINER appealed. The United States protested.");
    write("c.txt", "Griner waited in the US.");
    write("d.txt", "Paul Whelan met Paul Manafort. Paul left early.");
    write("e.txt", "George Bush and George W. Bush are two people. Bush spoke.");
    let names: &'static [(&'static str, EntityKind)] = &[
        ("Brittney Griner", EntityKind::Person),
        ("Griner's", EntityKind::Person),
        ("GRINER", EntityKind::Person),
        ("Griner", EntityKind::Person),
        ("Paul Whelan", EntityKind::Person),
        ("Paul Manafort", EntityKind::Person),
        ("Paul", EntityKind::Person),
        ("George W. Bush", EntityKind::Person),
        ("George Bush", EntityKind::Person),
        ("Bush", EntityKind::Person),
        ("U.S.", EntityKind::Gpe),
        ("United States", EntityKind::Gpe),
        ("US", EntityKind::Gpe),
    ];
    let (index, _) = fx.index(&dir, Arc::new(Names(names)), Options::default());
    let counts = index.entity_counts().unwrap();
    let entity = |text: &str| counts.iter().find(|c| c.key.text == text);

    // Griner, GRINER and Griner's are Brittney Griner, in every document.
    let griner = entity("Brittney Griner").expect("merged");
    assert_eq!(griner.documents, 3);
    let spellings: Vec<&str> = griner.variants.iter().map(|v| v.text.as_str()).collect();
    assert!(spellings.contains(&"GRINER") && spellings.contains(&"Griner's"), "{spellings:?}");
    assert!(entity("Griner").is_none() && entity("GRINER").is_none());
    assert_eq!(entity("United States").map(|c| c.documents), Some(3));

    // Two full names are never merged, and a word they share stays its own entity.
    for apart in ["Paul Whelan", "Paul Manafort", "George Bush", "George W. Bush", "Paul", "Bush"] {
        assert_eq!(entity(apart).map(|c| c.documents), Some(1), "{apart}");
    }

    // A filter on the merged entity finds every document, whatever its spelling there.
    let key = EntityKey { kind: EntityKind::Person, text: "Brittney Griner".into() };
    let query = Query { entities: vec![key], ..Query::default() };
    let hits: Vec<String> = index.search(&query, 10).unwrap().hits.into_iter().map(|h| h.id).collect();
    assert_eq!(hits.len(), 3, "{hits:?}");

    // The same typed in the search box, by any spelling, in any case; a name not in the folder
    // finds nothing and says so.
    let typed = |text: &str| {
        let results = index.search(&Query { text: text.into(), ..Query::default() }, 10).unwrap();
        let mut ids: Vec<String> = results.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        (ids, results.warnings)
    };
    assert_eq!(typed("person:griner").0, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(typed("person:\"Brittney Griner\" place:U.S.").0, ["a.txt", "b.txt", "c.txt"]);
    assert_eq!(typed("person:Griner appealed").0, ["b.txt"]);
    assert_eq!(typed("person:Paul").0, ["d.txt"]);
    let (none, warnings) = typed("person:Nobody");
    assert!(none.is_empty() && warnings.iter().any(|w| w.contains("no person named \"Nobody\"")), "{warnings:?}");
}

#[test]
fn a_text_filed_twice_counts_once_in_entity_counts() {
    let fx = Fixture::new();
    let text = "Greta Lindqvist met the board of Calder Shipping Company in Northport on Monday.";
    std::fs::write(fx.folder.join("copy-1.txt"), text).unwrap();
    std::fs::create_dir(fx.folder.join("again")).unwrap();
    std::fs::write(fx.folder.join("again/copy-1.txt"), text).unwrap();
    let (index, _) = index_folder(&fx);
    let documents = |counts: &[dossier::model::EntityCount], name: &str| {
        counts.iter().find(|c| c.key.text == name).map(|c| c.documents)
    };
    let all = index.entity_counts().unwrap();
    assert_eq!(documents(&all, "Greta Lindqvist"), Some(1), "two files, one text");
    // Calder Shipping Company is also in two of the fixture's documents.
    assert_eq!(documents(&all, "Calder Shipping Company"), Some(3));
    let under_query = index.entity_counts_for(&q("board")).unwrap().to_vec();
    assert_eq!(documents(&under_query, "Greta Lindqvist"), Some(1));
    // These and the fixture's own two notes with one text.
    assert_eq!(index.stats(&fx.data).unwrap().copies, 2);
}

/// Records which threads found entities, and panics on text containing "Kaboom".
struct Watching {
    threads: std::sync::Mutex<std::collections::HashSet<String>>,
    inner: Arc<dyn dossier::entities::Extractor>,
}

impl dossier::entities::Extractor for Watching {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        let name = std::thread::current().name().unwrap_or_default().to_owned();
        self.threads.lock().unwrap().insert(name);
        assert!(!text.contains("Kaboom"), "a recogniser bug");
        // Slow enough that both workers get messages.
        std::thread::sleep(std::time::Duration::from_millis(2));
        self.inner.extract(text)
    }
}

fn mailbox(n: usize, odd_one: Option<usize>) -> String {
    (0..n)
        .map(|i| {
            let word = if odd_one == Some(i) { "Kaboom" } else { "inspected" };
            format!(
                "From sender{i} Tue Mar 12 09:30:00 2024\nFrom: Helen Ward <hw@port.example>\nSubject: Cranes {i}\n\
                 Date: Tue, 12 Mar 2024 09:30:00 +0000\n\nCrane number {i} at Northport was {word} by Tom Becker \
                 of the Calder Shipping Company on Friday.\n\n"
            )
        })
        .collect()
}

/// Indexes `folder` with the `Watching` extractor on two workers; the run's record and the
/// names of the threads that found entities.
fn index_watched(fx: &Fixture, retry_skipped: bool) -> (DocIndex, RunRecord, std::collections::HashSet<String>) {
    let extractor = Arc::new(Watching { threads: Default::default(), inner: default_extractor() });
    let options = Options { workers: 2, retry_skipped, ..Options::default() };
    let (index, record) = run_fixture(fx, extractor.clone(), options, |_| {});
    let threads = extractor.threads.lock().unwrap().clone();
    (index, record, threads)
}

#[test]
fn a_mailbox_alone_is_extracted_on_every_core() {
    let fx = Fixture::new();
    std::fs::remove_dir_all(&fx.folder).unwrap();
    std::fs::create_dir(&fx.folder).unwrap();
    std::fs::write(fx.folder.join("box.mbox"), mailbox(200, None)).unwrap();
    let (index, record, threads) = index_watched(&fx, false);
    assert_eq!(record.indexed, 200);
    assert!(threads.contains("dossier-entities-0") && threads.contains("dossier-entities-1"), "{threads:?}");
    // Every message has its entities, whichever loader found them.
    let becker = EntityKey { kind: EntityKind::Person, text: "Tom Becker".into() };
    let counts = index.entity_counts().unwrap();
    assert_eq!(counts.iter().find(|c| *c.key == becker).map(|c| c.documents), Some(200));
    assert_eq!(index.search(&q("crane"), 0).unwrap().total, 200);
}

#[test]
fn a_message_whose_entities_panic_keeps_its_text_and_the_rest_their_entities() {
    let fx = Fixture::new();
    std::fs::write(fx.folder.join("box.mbox"), mailbox(120, Some(77))).unwrap();
    let (index, record, _) = index_watched(&fx, false);
    let problems: Vec<_> = record.problems.iter().filter(|p| p.file() == "box.mbox").collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].outcome, Outcome::NoEntities);
    assert!(problems[0].reason.starts_with("internal error while finding its entities"), "{problems:?}");
    assert!(problems[0].reason.ends_with("its text is searchable"), "{problems:?}");
    assert_eq!(index.search(&q("Kaboom"), 10).unwrap().total, 1, "its text is searchable");
    let becker = EntityKey { kind: EntityKind::Person, text: "Tom Becker".into() };
    let counts = index.entity_counts().unwrap();
    // The other 119 messages and the fixture's harbour story.
    assert_eq!(counts.iter().find(|c| *c.key == becker).map(|c| c.documents), Some(120));
    // Given up on, not tried again at every start (the report still says why); Retry tries again.
    let in_box = |r: &RunRecord| r.problems.iter().filter(|p| p.file() == "box.mbox").count();
    let (_, again, threads) = index_watched(&fx, false);
    assert_eq!((again.entities_found, in_box(&again), threads.len()), (0, 1, 0));
    let (_, retried, threads) = index_watched(&fx, true);
    assert_eq!((retried.entities_found, in_box(&retried), threads.len()), (0, 1, 1));
}

#[test]
fn a_reload_with_nothing_committed_keeps_what_was_counted() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let counted = index.entity_counts().unwrap();
    // The searcher reloads before every batch of requests: with no commit between, the same view.
    index.reload().unwrap();
    assert!(Arc::ptr_eq(&counted, &index.entity_counts().unwrap()), "counted again");
}

#[test]
fn text_is_searchable_before_entities_and_a_later_run_finds_the_rest() {
    let fx = Fixture::new();
    let folder = fx.folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).unwrap();
    let run = |options: Options| {
        let mut stages = Vec::new();
        let (_, record) = run_fixture(&fx, default_extractor(), options, |e| {
            if let Event::Progress(p) = e
                && stages.last() != Some(&p.stage)
            {
                stages.push(p.stage);
            }
        });
        index.reload().unwrap();
        (record, stages)
    };
    // Text only (a run stopped between the stages leaves the same): every document searchable,
    // none with entities or a language yet.
    let (record, stages) = run(Options { extract_entities: false, ..Options::default() });
    assert_eq!((record.indexed, record.entities_found, stages), (7, 0, vec![pipeline::Stage::Text]));
    assert!(record.text_secs.is_some() && record.first_searchable_secs <= record.text_secs);
    assert_eq!(index.search(&q("harbour"), 10).unwrap().total, 2);
    assert!(index.entity_counts().unwrap().is_empty());
    assert_eq!(index.stats(&fx.data).unwrap().entities_pending, 7);
    assert!(index.list_docs().unwrap().iter().all(|d| d.language.is_empty()));
    let pending = index.doc_view("harbour-fire.txt", &Query::default()).unwrap().unwrap();
    assert!(pending.entities_pending && pending.entities.is_empty());
    // The next run reads no file again and finds the entities that are left.
    let (record, stages) = run(Options::default());
    let both = vec![pipeline::Stage::Text, pipeline::Stage::Entities];
    assert_eq!((record.indexed, record.entities_found, stages), (0, 7, both), "no file to read, 7 to find");
    assert_eq!(index.stats(&fx.data).unwrap().entities_pending, 0);
    let found = index.doc_view("harbour-fire.txt", &Query::default()).unwrap().unwrap();
    assert!(!found.entities_pending && !found.entities.is_empty());
    let french = index.doc_view("notes/communique-fr.txt", &Query::default()).unwrap().unwrap();
    assert_eq!((french.language.as_str(), french.entities.len()), ("fra", 0), "none in French");
    // The same entities as indexing in one go.
    let fresh = Fixture::new();
    let (whole, _) = index_folder(&fresh);
    assert_eq!(index.entity_counts().unwrap(), whole.entity_counts().unwrap());
    // And nothing is left to do.
    let (record, _) = run(Options::default());
    assert_eq!((record.indexed, record.entities_found), (0, 0));
}

#[test]
fn a_document_that_was_in_the_recogniser_when_the_process_died_is_given_up_on_even_a_run_later() {
    use std::io::Write;
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let folder = fx.folder.canonicalize().unwrap();
    let dir = fx.store().index_dir(&folder);
    // As a process killed while finding the entities of harbour-fire.txt leaves its journal.
    let mut journal = std::fs::OpenOptions::new().append(true).open(dir.join("journal.jsonl")).unwrap();
    writeln!(journal, "{}", serde_json::json!(["find", "harbour-fire.txt\u{1f}harbour-fire.txt"])).unwrap();
    drop(journal);
    let suspect = ("harbour-fire.txt".to_owned(), "harbour-fire.txt".to_owned());
    let run = |options: Options| run_fixture(&fx, default_extractor(), options, |_| {}).1;
    // A run that never gets to entities keeps it a suspect.
    run(Options { extract_entities: false, ..Options::default() });
    assert!(dossier::store::Journal::read(&dir).finding.contains(&suspect));
    // The next gives up on it: its text stays, the report says why, and it is a suspect no more.
    let record = run(Options::default());
    let problem = record.problems.iter().find(|p| p.path == "harbour-fire.txt").expect("reported");
    assert_eq!((problem.outcome, problem.reason.as_str()), (Outcome::NoEntities, pipeline::ENTITIES_STOPPED_A_RUN));
    assert!(dossier::store::Journal::read(&dir).finding.is_empty());
    index.reload().unwrap();
    let kept = index.doc_view("harbour-fire.txt", &Query::default()).unwrap().expect("its text stays");
    assert!(kept.entities.is_empty() && !kept.entities_pending && kept.language == "eng");
    // Said once, however many runs follow; Retry finds its entities.
    let again = run(Options::default());
    assert_eq!(again.problems.iter().filter(|p| p.path == "harbour-fire.txt").count(), 1, "{:?}", again.problems);
    let retried = run(Options { retry_skipped: true, ..Options::default() });
    assert_eq!(
        (retried.entities_found, retried.problems.iter().filter(|p| p.path == "harbour-fire.txt").count()),
        (1, 0)
    );
}

#[test]
fn counts_under_a_pattern_count_only_the_documents_it_matches() {
    let fx = Fixture::new();
    std::fs::write(fx.folder.join("met.txt"), "Greta Lindqvist met the board in Northport on Monday.").unwrap();
    std::fs::write(fx.folder.join("left.txt"), "Greta Lindqvist left Northport on Friday.").unwrap();
    let (index, _) = index_folder(&fx);
    let greta = |query: &str| {
        let counts = index.entity_counts_for(&q(query)).unwrap();
        counts.iter().find(|c| c.entity.key.text == "Greta Lindqvist").map(|c| c.documents)
    };
    assert_eq!(greta("Lindqvist"), Some(2));
    // The search finds both words; the pattern keeps one document, and so do the counts.
    assert_eq!(index.search(&q("/Lindqvist met/"), 10).unwrap().total, 1);
    assert_eq!(greta("/Lindqvist met/"), Some(1));
    assert_eq!(greta("=Lindqvist met"), Some(1));
    assert_eq!(index.timeline(&q("/Lindqvist met/")).unwrap().documents, 1);
    assert_eq!(index.timeline(&q("Lindqvist")).unwrap().documents, 2);
}

#[test]
fn a_typed_entity_name_is_found_without_its_accents() {
    let fx = Fixture::new();
    std::fs::write(fx.folder.join("paris.txt"), "François Hollande met Angela Merkel in München on Monday.").unwrap();
    let (index, _) = index_folder(&fx);
    for typed in ["person:\"François Hollande\"", "person:\"francois hollande\"", "person:\"FRANCOIS HOLLANDE\""] {
        let ids: Vec<String> = index.search(&q(typed), 10).unwrap().hits.into_iter().map(|h| h.id).collect();
        assert_eq!(ids, ["paris.txt"], "{typed}");
    }
    // The entity panel's find box reads typed names the same way.
    let all = dossier::model::EntityCounts::all(index.entity_counts().unwrap());
    let wanted = dossier::index::name_key("francois");
    let found: Vec<&str> =
        all.iter().filter(|c| c.is_named_like(&wanted)).map(|c| c.entity.key.text.as_str()).collect();
    assert_eq!(found, ["François Hollande"]);
}

#[test]
fn entities_an_earlier_recogniser_found_are_found_again_by_the_next_run() {
    let fx = Fixture::new();
    let (index, _) = index_folder(&fx);
    let id = "news-blinken-lavrov.txt";
    let griner = EntityKey { kind: EntityKind::Person, text: "Brittney Griner".into() };
    let holds = |index: &DocIndex| {
        let view = index.doc_view(id, &Query::default()).unwrap().unwrap();
        view.entity_doc_counts.iter().any(|(k, _)| *k == griner)
    };
    assert!(holds(&index));
    // As an index made before recogniser versions were counted holds it: no entities here.
    let doc = index.stored_doc(id, id).unwrap().unwrap();
    let mut writer = index.writer().unwrap();
    writer.replace(&doc, &[], dossier::model::EntityStage::FoundBefore).unwrap();
    writer.commit().unwrap();
    writer.close().unwrap();
    index.reload().unwrap();
    assert!(!holds(&index));
    // A query's run leaves it as it is; a full run finds its entities again.
    let quiet = Options { refresh_outdated: false, ..Options::default() };
    let (index, record) = run_fixture(&fx, default_extractor(), quiet, |_| {});
    assert_eq!((record.indexed, record.entities_found), (0, 0));
    assert!(!holds(&index));
    let (index, record) = run_fixture(&fx, default_extractor(), Options::default(), |_| {});
    assert_eq!((record.indexed, record.entities_found), (0, 1), "that document only");
    assert!(holds(&index));
    let (_, record) = run_fixture(&fx, default_extractor(), Options::default(), |_| {});
    assert_eq!(record.entities_found, 0, "found by this recogniser: not again");
}
