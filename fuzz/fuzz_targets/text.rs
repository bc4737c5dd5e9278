#![no_main]
//! TextLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{TextLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = TextLoader.extract(data);
});
