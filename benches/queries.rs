//! Query latency on a folder already indexed by `dossier index`, for `scripts/bench-search.sh`
//! (which makes the folders, times the indexing and runs tantivy-cli and ripgrep beside it).
//!
//! `DOSSIER_BENCH_FOLDER` is the folder, `DOSSIER_DATA_DIR` where its index is. Prints one
//! tab-separated line per query of the mix: its kind, the query, how many documents match, the
//! first run's ms (a pattern's checks are kept for the same query after it), then p50 and p99
//! in ms of the search as the app asks it (the count and the first `searcher::FIRST_HITS` hits
//! with snippets), and of the same with the entity counts under it.
//! The first line is the time to open the index and answer a first query.

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
}
