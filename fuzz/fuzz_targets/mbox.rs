#![no_main]
//! MboxLoader::extract must never panic out, hang or exhaust memory, whatever the bytes.
//! Its messages go through EmailLoader, which catches mail-parser's panics (see caught_panics.rs).

#[path = "caught_panics.rs"]
mod caught_panics;

use dossier::load::{Loader, MboxLoader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: caught_panics::install("mbox"),
    |data: &[u8]| {
        let _ = MboxLoader.extract(data);
    }
);
