#![no_main]
//! EmailLoader::extract must never panic out, hang or exhaust memory, whatever the bytes.
//! mail-parser trips a debug assertion on some damaged MIME trees (finding E1 in README.md) and
//! EmailLoader catches it (see caught_panics.rs).

#[path = "caught_panics.rs"]
mod caught_panics;

use dossier::load::{EmailLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: caught_panics::install("email"),
    |data: &[u8]| {
        let _ = EmailLoader.extract(data);
    }
);
