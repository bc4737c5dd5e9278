#![no_main]
//! CsvLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{CsvLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = CsvLoader.extract(data);
});
