//! `cargo bench --bench pipeline`: indexing throughput, re-open, search latency and document
//! layout on 10,000 real e-mails, printed as a table. Compare ratios within one run; the
//! machines are shared and noisy.
//!
//! Corpus: the first 10,000 messages of `../shared/corpora/enron` (or `$DOSSIER_CORPORA/enron`),
//! copied as `.txt` files into a temporary folder; `DOSSIER_BENCH_COPIES=10` copies them ten
//! times (100,000 documents of real text, each name ten times as frequent).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use dossier::entities::default_extractor;
use dossier::index::DocIndex;
use dossier::model::Query;
use dossier::pipeline::{self, Options};

fn corpora() -> PathBuf {
    std::env::var_os("DOSSIER_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"))
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    out.sort();
    out
}

/// Copies up to `n` files into `dest` as .txt, `copies` times over; returns the total bytes.
fn make_folder(sources: &[PathBuf], n: usize, copies: usize, dest: &Path) -> u64 {
    std::fs::create_dir_all(dest).expect("mkdir");
    let mut bytes = 0;
    for (i, src) in sources.iter().take(n).enumerate() {
        let mut data = std::fs::read(src).expect("read corpus file");
        let len = data.len();
        for copy in 0..copies {
            let sub = dest.join(format!("{copy:02}/{:03}", i / 100));
            std::fs::create_dir_all(&sub).expect("mkdir");
            // Each copy a text of its own: exact copies would be one hit and count once.
            if copy > 0 {
                data.truncate(len);
                data.extend_from_slice(format!("\n(copy {copy})\n").as_bytes());
            }
            bytes += data.len() as u64;
            std::fs::write(sub.join(format!("{i:05}.txt")), &data).expect("write");
        }
    }
    bytes
}

fn index_once(folder: &Path, data: &Path, extract: bool) -> (Duration, u64, DocIndex) {
    let (elapsed, record, index) = index_with(folder, data, extract, default_extractor());
    (elapsed, record.indexed, index)
}

fn index_with(
    folder: &Path,
    data: &Path,
    extract: bool,
    extractor: std::sync::Arc<dyn dossier::entities::Extractor>,
) -> (Duration, dossier::store::RunRecord, DocIndex) {
    let folder = folder.canonicalize().expect("folder");
    let store = dossier::store::Store::at(data.to_path_buf());
    let dir = store.index_dir(&folder);
    let index = DocIndex::open_or_create(&dir).expect("index");
    let options = Options { extract_entities: extract, ..Options::default() };
    let started = Instant::now();
    let (record, error) = pipeline::run_blocking(folder, index.clone(), dir, extractor, options, |_| {}).expect("run");
    assert!(error.is_none(), "{error:?}");
    index.reload().expect("reload");
    (started.elapsed(), record, index)
}

/// Finds nothing: the second stage's own cost (reading documents back and indexing them again).
struct Nothing;

impl dossier::entities::Extractor for Nothing {
    fn extract(&self, _text: &str) -> Vec<dossier::model::Entity> {
        Vec::new()
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn row(what: &str, value: String) {
    println!("| {what:<52} | {value:>28} |");
}

fn main() {
    // `cargo test --benches` runs this with --test: nothing to measure then.
    if std::env::args().any(|a| a == "--test") {
        return;
    }
    let enron = corpora().join("enron");
    if !enron.is_dir() {
        eprintln!("bench: {} not found; set DOSSIER_CORPORA", enron.display());
        return;
    }
    let tmp = tempfile::tempdir().expect("tmp");
    let folder = tmp.path().join("enron-10k");
    let sources = files_under(&enron);
    let copies: usize = std::env::var("DOSSIER_BENCH_COPIES").ok().and_then(|c| c.parse().ok()).unwrap_or(1).max(1);
    let bytes = make_folder(&sources, 10_000, copies, &folder);
    let mb = bytes as f64 / 1e6;
    println!("| {:<52} | {:>28} |", "measure", "value");
    println!("|{}|{}|", "-".repeat(54), "-".repeat(30));
    row("corpus", format!("{} e-mails, {mb:.1} MB", 10_000 * copies));

    let (t_plain, n, _) = index_once(&folder, &tmp.path().join("data-plain"), false);
    row(
        "index, no entity extraction",
        format!(
            "{:.2} s, {:.1} MB/s, {:.0} files/s",
            t_plain.as_secs_f64(),
            mb / t_plain.as_secs_f64(),
            n as f64 / t_plain.as_secs_f64()
        ),
    );
    // The second stage alone, over the text-only index, with a recogniser that finds nothing.
    let (t_again, again, _) = index_with(&folder, &tmp.path().join("data-plain"), true, std::sync::Arc::new(Nothing));
    row(
        "second stage's own cost (read back, index again)",
        format!(
            "{:.2} s for {} documents, {:.2}× the text",
            t_again.as_secs_f64(),
            again.entities_found,
            t_again.as_secs_f64() / t_plain.as_secs_f64()
        ),
    );
    let (t_full, record, index) = index_with(&folder, &tmp.path().join("data-full"), true, default_extractor());
    let n = record.indexed;
    row(
        "index with entity extraction",
        format!(
            "{:.2} s, {:.1} MB/s, {:.0} files/s",
            t_full.as_secs_f64(),
            mb / t_full.as_secs_f64(),
            n as f64 / t_full.as_secs_f64()
        ),
    );
    row("  of which: first documents searchable", format!("{:.2} s", record.first_searchable_secs.unwrap_or_default()));
    row("  of which: all text searchable", format!("{:.2} s", record.text_secs.unwrap_or_default()));
    // The .eml files as they are (once: the copies are the .txt folder's).
    if copies == 1 {
        let (t_eml, n_eml, _) = index_once(&enron, &tmp.path().join("data-eml"), true);
        let eml_mb = files_under(&enron).iter().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum::<u64>()
            as f64
            / 1e6;
        row(
            &format!("index the {n_eml} .eml files as e-mail, with entities"),
            format!(
                "{:.2} s, {:.1} MB/s, {:.0} files/s",
                t_eml.as_secs_f64(),
                eml_mb / t_eml.as_secs_f64(),
                n_eml as f64 / t_eml.as_secs_f64()
            ),
        );
    }
    let (t_reopen, n_again, _) = index_once(&folder, &tmp.path().join("data-full"), true);
    row(
        "re-open unchanged folder (walk + compare)",
        format!("{:.0} ms, {n_again} re-indexed", t_reopen.as_secs_f64() * 1000.0),
    );

    let started = Instant::now();
    let docs = index.list_docs().expect("list");
    row(
        "list all documents (fast fields)",
        format!("{:.1} ms for {}", started.elapsed().as_secs_f64() * 1000.0, docs.len()),
    );
    let started = Instant::now();
    let counts = index.entity_counts().expect("counts");
    row(
        "corpus entity counts, merged (first time)",
        format!("{:.1} ms for {} entities", started.elapsed().as_secs_f64() * 1000.0, counts.len()),
    );
    let started = Instant::now();
    std::hint::black_box(index.entity_counts().expect("counts"));
    row("corpus entity counts, again (cached)", format!("{:.2} ms", started.elapsed().as_secs_f64() * 1000.0));
    // Who appears with the most frequent names, and the documents of one (a filter covers every
    // spelling merged into it).
    let people: Vec<_> = counts.iter().filter(|c| c.key.kind.is_name()).take(10).collect();
    let mut lat = Vec::new();
    let mut filtered = Vec::new();
    for c in &people {
        let started = Instant::now();
        std::hint::black_box(index.cooccurrences(&c.key, 20).expect("cooccur"));
        lat.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let q = Query { entities: vec![(*c.key).clone()], ..Query::default() };
        std::hint::black_box(index.search(&q, 200).expect("filter"));
        filtered.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    lat.sort_by(f64::total_cmp);
    filtered.sort_by(f64::total_cmp);
    let top = people.first().map_or(0, |c| c.documents);
    row(
        &format!("co-occurrence of the 10 most frequent names (top: {top} docs)"),
        format!("p50 {:.1} ms, max {:.1} ms", percentile(&lat, 0.5), lat.last().copied().unwrap_or(0.0)),
    );
    let mut facets = Vec::new();
    for w in ["energy", "meeting", "california", "price", "bankruptcy"] {
        let started = Instant::now();
        std::hint::black_box(index.entity_counts_for(&Query { text: w.into(), ..Query::default() }).expect("facets"));
        facets.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    facets.sort_by(f64::total_cmp);
    row(
        "entity counts under a one-word query (5 words)",
        format!("p50 {:.1} ms, max {:.1} ms", percentile(&facets, 0.5), facets.last().copied().unwrap_or(0.0)),
    );
    // The explorer's views: the graph (co-occurrence with its companions' links and the
    // entity's documents), who shares a sentence (a time budget), the timeline, one correction.
    let mut graph = Vec::new();
    let mut sentences = Vec::new();
    let mut read = Vec::new();
    for c in &people {
        let started = Instant::now();
        std::hint::black_box(index.cooccurrence(&c.key).expect("graph"));
        graph.push(started.elapsed().as_secs_f64() * 1000.0);
        let started = Instant::now();
        let s = index.sentence_cooccurrences(&c.key, dossier::searcher::SENTENCE_BUDGET).expect("sentences");
        sentences.push(started.elapsed().as_secs_f64() * 1000.0);
        read.push(format!("{}/{}", s.read, s.of));
    }
    graph.sort_by(f64::total_cmp);
    sentences.sort_by(f64::total_cmp);
    row(
        "graph of each (companions, their links, documents)",
        format!("p50 {:.1} ms, max {:.1} ms", percentile(&graph, 0.5), graph.last().copied().unwrap_or(0.0)),
    );
    row(
        "same-sentence companions (250 ms budget)",
        format!(
            "p50 {:.0} ms; read {}",
            percentile(&sentences, 0.5),
            read.iter().take(3).cloned().collect::<Vec<_>>().join(", ")
        ),
    );
    let mut timeline = Vec::new();
    for w in ["", "energy", "meeting", "california", "price", "bankruptcy"] {
        let started = Instant::now();
        std::hint::black_box(index.timeline(&Query { text: w.into(), ..Query::default() }).expect("timeline"));
        timeline.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let whole = timeline[0];
    timeline.sort_by(f64::total_cmp);
    row(
        "timeline: whole folder / under a one-word query",
        format!("{whole:.1} ms / max {:.1} ms", timeline.last().copied().unwrap_or(0.0)),
    );
    if let [a, b, ..] = people.as_slice() {
        let mut curation = index.curation();
        curation
            .rules
            .push(dossier::entities::curation::Rule::Merge { from: (*a.key).clone(), into: (*b.key).clone() });
        let started = Instant::now();
        index.set_curation(curation);
        std::hint::black_box(index.entity_counts().expect("counts"));
        let applied = started.elapsed().as_secs_f64() * 1000.0;
        let started = Instant::now();
        std::hint::black_box(
            index.entity_counts_for(&Query { text: "energy".into(), ..Query::default() }).expect("facets"),
        );
        row(
            "one correction (merge): folder list / facets after it",
            format!("{applied:.1} ms / {:.1} ms", started.elapsed().as_secs_f64() * 1000.0),
        );
    }
    row(
        "filter by one of them, top 200 with snippets",
        format!("p50 {:.1} ms, max {:.1} ms", percentile(&filtered, 0.5), filtered.last().copied().unwrap_or(0.0)),
    );

    // Search latency over a mix of common words, rare words, two-word queries and phrases.
    let words = ["energy", "meeting", "california", "enron", "price", "gas", "power", "contract", "report", "deal"];
    let rare = ["bankruptcy", "arbitration", "subpoena", "wiretap", "derivative"];
    let mut queries: Vec<String> = Vec::new();
    for w in words.iter().chain(&rare) {
        queries.push((*w).to_owned());
    }
    for pair in words.windows(2) {
        queries.push(format!("{} {}", pair[0], pair[1]));
    }
    for p in ["\"natural gas\"", "\"conference call\"", "\"please let me know\"", "\"power plant\""] {
        queries.push(p.to_owned());
    }
    // What the app asks first (the count and the first rows), a later window as the list is
    // scrolled, and the 200 the app used to ask for, in one run.
    let first = dossier::searcher::FIRST_HITS;
    for (label, offset, limit) in [
        (format!("search: count + first {first} hits with snippets"), 0, first),
        (format!("search: {first} hits from the 2,000th (scrolled to)"), 2_000, first),
        ("search: count + first 200 hits with snippets".to_owned(), 0, 200),
    ] {
        let mut lat = Vec::new();
        for _ in 0..5 {
            for q in &queries {
                let started = Instant::now();
                let query = Query { text: q.clone(), ..Query::default() };
                let r = index.search_page(&query, offset, limit).expect("search");
                lat.push(started.elapsed().as_secs_f64() * 1000.0);
                std::hint::black_box(r);
            }
        }
        lat.sort_by(f64::total_cmp);
        row(
            &format!("{label} ({} queries)", lat.len()),
            format!("p50 {:.1} ms, p99 {:.1} ms", percentile(&lat, 0.5), percentile(&lat, 0.99)),
        );
    }
    let mut lat = Vec::new();
    for _ in 0..5 {
        for d in docs.iter().step_by(100) {
            let started = Instant::now();
            let v = index.doc_view(&d.id, &Query { text: "energy".into(), ..Query::default() }).expect("doc");
            assert!(v.is_some(), "document {} is in the index", d.id);
            lat.push(started.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box(v);
        }
    }
    lat.sort_by(f64::total_cmp);
    row(
        "open a document (text, entities, counts, matches)",
        format!("p50 {:.2} ms, p99 {:.2} ms", percentile(&lat, 0.5), percentile(&lat, 0.99)),
    );

    // Extraction alone, single thread.
    let extractor = default_extractor();
    let texts: Vec<String> = sources.iter().take(2000).filter_map(|p| std::fs::read_to_string(p).ok()).collect();
    let total: usize = texts.iter().map(String::len).sum();
    let started = Instant::now();
    let mut mentions = 0;
    for t in &texts {
        mentions += extractor.extract(t).len();
    }
    let t = started.elapsed().as_secs_f64();
    row("entity extraction, one thread", format!("{:.1} MB/s, {} mentions", total as f64 / 1e6 / t, mentions));
    println!();
    println!("Reference (measured on this machine class): tantivy-cli indexes ≈19 MB/s of e-mail with 2 threads.");
}
