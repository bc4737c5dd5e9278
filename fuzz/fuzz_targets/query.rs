#![no_main]
//! A query typed into the search box must never panic or overflow the stack, whatever its text:
//! the filter parser, the bounds and the full-text parser run on a small index.

use std::sync::OnceLock;

use dossier::index::DocIndex;
use dossier::model::Query;
use libfuzzer_sys::fuzz_target;

fn index() -> &'static DocIndex {
    static INDEX: OnceLock<DocIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("dossier-fuzz-query-{}", std::process::id()));
        DocIndex::open_or_create(&dir).expect("index")
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let query = Query { text: text.to_owned(), ..Query::default() };
    let _ = query.parse_text();
    let _ = index().search(&query, 10);
});
