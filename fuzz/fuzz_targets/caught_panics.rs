//! Shared by targets whose loader catches panics from a dependency (pdf-extract, mail-parser).
//!
//! libfuzzer-sys installs a panic hook that aborts the process on *any* panic, caught or not.
//! [`install`] replaces it with one that only logs each distinct panic site once: a panic the
//! loader catches is then harmless (as in the app), while one that escapes `extract` still
//! aborts through libfuzzer-sys's own `catch_unwind` around the target and counts as a crash.

use std::collections::HashSet;
use std::sync::Mutex;

static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

pub fn install(target: &'static str) {
    std::panic::set_hook(Box::new(move |info| {
        let site = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
        if seen.get_or_insert_with(HashSet::new).insert(site.clone()) {
            eprintln!("{target} fuzz: caught-or-not panic at {site}: {info}");
        }
    }));
}
