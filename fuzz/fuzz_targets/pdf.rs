#![no_main]
//! PdfLoader::extract must never panic out, hang or exhaust memory, whatever the bytes.
//! pdf-extract panics on some damaged files and PdfLoader catches them (see caught_panics.rs).

#[path = "caught_panics.rs"]
mod caught_panics;

use dossier::load::{Loader, PdfLoader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: caught_panics::install("pdf"),
    |data: &[u8]| {
        let _ = PdfLoader.extract(data);
    }
);
