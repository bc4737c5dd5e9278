#![no_main]
//! PdfLoader::extract must never panic out, hang or exhaust memory, whatever the bytes.
//!
//! pdf-extract is known to panic on damaged files, and PdfLoader catches those panics with
//! `catch_unwind`. libfuzzer-sys installs a panic hook that aborts the process on *any* panic,
//! caught or not, so `init` replaces it with one that only logs each distinct panic site once:
//! a panic that PdfLoader catches is then harmless (as in the app), while one that escapes
//! `extract` still aborts through libfuzzer-sys's own `catch_unwind` around the target and is
//! reported as a crash.

use std::collections::HashSet;
use std::sync::Mutex;

use dossier::load::{Loader, PdfLoader};
use libfuzzer_sys::fuzz_target;

static SEEN: Mutex<Option<HashSet<String>>> = Mutex::new(None);

fuzz_target!(
    init: {
        std::panic::set_hook(Box::new(|info| {
            let site = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
            let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
            if seen.get_or_insert_with(HashSet::new).insert(site.clone()) {
                eprintln!("pdf fuzz: caught-or-not panic at {site}: {info}");
            }
        }));
    },
    |data: &[u8]| {
        let _ = PdfLoader.extract(data);
    }
);
