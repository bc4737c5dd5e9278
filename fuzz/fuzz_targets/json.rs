#![no_main]
//! JsonLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{JsonLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = JsonLoader.extract(data);
});
