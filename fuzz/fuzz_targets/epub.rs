#![no_main]
//! EpubLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{EpubLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = EpubLoader.extract(data);
});
