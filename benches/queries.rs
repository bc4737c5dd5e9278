//! Query latency on a folder already indexed by `dossier index`, for `scripts/bench-search.sh`
//! (which makes the folders, times the indexing and runs tantivy-cli and ripgrep beside it).
//!
//! `DOSSIER_BENCH_FOLDER` is the folder, `DOSSIER_DATA_DIR` where its index is. Prints one
//! tab-separated line per query of the mix: its kind, the query, how many documents match, the
//! first run's ms (a pattern's checks are kept for the same query after it), then p50 and p99
//! in ms of the search as the app asks it (the count and the first `searcher::FIRST_HITS` hits
//! with snippets), and of the same with the entity counts under it.
//! The first line is the time to open the index and answer a first query. Then the explorer's
//! views, one line each with p50 and p99 in ms: each query's timeline, the co-occurrence
//! (graph, and by document) of the 10 most frequent names, and a new correction (a merge of two
//! of them) and its undo, each applied until the folder's list and a query's counts are answered;
//! and stepping (Ctrl+Down) through each query's whole list of hits to the next mention of a
//! rare name.

use std::path::PathBuf;
use std::time::Instant;

use dossier::index::DocIndex;
use dossier::model::Query;

/// The mix: one query of each kind the search box knows, on English e-mail.
const MIX: [(&str, &str); 9] = [
    ("word", "energy"),
    ("phrase", "\"natural gas\""),
    ("boolean", "(power OR gas) -california"),
    ("prefix", "bankrupt*"),
    ("fuzzy", "contrct~"),
    ("accent-folded", "resume"),
    ("entity filter", "org:Enron"),
    ("date range", "date:[2001-08 TO 2001-11]"),
    ("regex", "/Skil+ing/"),
];

const RUNS: usize = 20;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn ms(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

fn main() {
    let (Some(folder), Some(data)) = (std::env::var_os("DOSSIER_BENCH_FOLDER"), std::env::var_os("DOSSIER_DATA_DIR"))
    else {
        eprintln!("queries: set DOSSIER_BENCH_FOLDER and DOSSIER_DATA_DIR (see scripts/bench-search.sh)");
        return;
    };
    let folder = PathBuf::from(folder).canonicalize().expect("folder");
    let dir = dossier::store::Store::at(PathBuf::from(data)).index_dir(&folder);
    let started = Instant::now();
    let index = DocIndex::open_or_create(&dir).expect("index");
    let first = index.search(&Query { text: "energy".into(), ..Query::default() }, 40).expect("search");
    println!("open\t\t{}\t{:.1}", first.total, ms(started));
    for (kind, text) in MIX {
        let query = Query { text: text.into(), ..Query::default() };
        let (mut hits, mut counted) = (Vec::new(), Vec::new());
        let (mut total, mut cold) = (0, 0.0);
        for run in 0..=RUNS {
            let started = Instant::now();
            let results = index.search(&query, dossier::searcher::FIRST_HITS).expect("search");
            let alone = ms(started);
            std::hint::black_box(index.entity_counts_for(&query).expect("counts"));
            // The first run warms the caches a new reader generation fills once.
            if run > 0 {
                hits.push(alone);
                counted.push(ms(started));
            } else {
                cold = alone;
            }
            total = results.total;
        }
        hits.sort_by(f64::total_cmp);
        counted.sort_by(f64::total_cmp);
        println!(
            "{kind}\t{text}\t{total}\t{cold:.1}\t{:.1}\t{:.1}\t{:.1}\t{:.1}",
            percentile(&hits, 0.5),
            percentile(&hits, 0.99),
            percentile(&counted, 0.5),
            percentile(&counted, 0.99)
        );
    }
    explore(&index);
}

/// p50 and p99 of `runs` calls of `f`, in ms (after one call that fills the caches).
fn timed(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    f();
    let mut ms_each: Vec<f64> = (0..runs)
        .map(|_| {
            let started = Instant::now();
            f();
            ms(started)
        })
        .collect();
    ms_each.sort_by(f64::total_cmp);
    (percentile(&ms_each, 0.5), percentile(&ms_each, 0.99))
}

fn explore(index: &DocIndex) {
    for (kind, text) in MIX {
        let query = Query { text: text.into(), ..Query::default() };
        let (p50, p99) = timed(RUNS, || {
            std::hint::black_box(index.timeline(&query).expect("timeline"));
        });
        println!("timeline\t{kind}\t{p50:.1}\t{p99:.1}");
    }
    let list = index.entity_counts().expect("counts");
    let names: Vec<_> = list.iter().filter(|c| c.key.kind.is_name()).take(10).map(|c| (*c.key).clone()).collect();
    let mut graph = Vec::new();
    let mut by_document = Vec::new();
    for key in &names {
        for _ in 0..3 {
            let started = Instant::now();
            std::hint::black_box(index.cooccurrence(key).expect("graph"));
            graph.push(ms(started));
            let started = Instant::now();
            std::hint::black_box(index.cooccurrences(key, 0).expect("companions"));
            by_document.push(ms(started));
        }
    }
    for (what, mut each) in [("co-occurrence graph", graph), ("co-occurrence by document", by_document)] {
        each.sort_by(f64::total_cmp);
        println!("{what}\t10 most frequent names\t{:.1}\t{:.1}", percentile(&each, 0.5), percentile(&each, 0.99));
    }
    // Ctrl+Down through a whole list of hits: a name in one document, stepped to from the top
    // of each query's hits (the worst case: every place is looked at when no hit mentions it).
    if let Some(rare) = list.iter().rev().find(|c| c.key.kind.is_name()).map(|c| (*c.key).clone()) {
        for (kind, text) in MIX {
            let query = Query { text: text.into(), ..Query::default() };
            let total = index.search_page(&query, 0, 1).expect("search").total;
            let (p50, p99) = timed(RUNS, || {
                std::hint::black_box(index.next_mentioning(&query, &rare, 0, total, true).expect("step"));
            });
            println!("step to the next mention through every hit\t{kind}\t{p50:.1}\t{p99:.1}");
        }
    }
    if let [into, others @ ..] = names.as_slice() {
        // A merge not made before (its entity table is new), then its undo (the table before
        // it is kept), each until the folder's list and a query's counts are answered.
        let before = index.curation();
        let energy = Query { text: "energy".into(), ..Query::default() };
        let answered = |curation: &dossier::entities::curation::Curation| {
            let started = Instant::now();
            index.set_curation(curation.clone());
            std::hint::black_box(index.entity_counts().expect("counts"));
            std::hint::black_box(index.entity_counts_for(&energy).expect("counts"));
            ms(started)
        };
        let (mut new, mut undo) = (Vec::new(), Vec::new());
        for from in others {
            let mut merged = before.clone();
            merged.rules.push(dossier::entities::curation::Rule::Merge { into: into.clone(), from: from.clone() });
            new.push(answered(&merged));
            undo.push(answered(&before));
        }
        for (what, mut each) in [("a new correction (merge)", new), ("its undo", undo)] {
            each.sort_by(f64::total_cmp);
            println!(
                "{what}\tthen the folder's and a query's counts\t{:.1}\t{:.1}",
                percentile(&each, 0.5),
                percentile(&each, 0.99)
            );
        }
    }
}
