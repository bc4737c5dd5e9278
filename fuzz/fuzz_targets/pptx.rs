#![no_main]
//! PptxLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{PptxLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = PptxLoader.extract(data);
});
