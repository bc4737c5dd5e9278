#![no_main]
//! DocxLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{DocxLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = DocxLoader.extract(data);
});
