#![no_main]
//! XlsxLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{XlsxLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = XlsxLoader.extract(data);
});
