#![no_main]
//! EmailLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{EmailLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = EmailLoader.extract(data);
});
