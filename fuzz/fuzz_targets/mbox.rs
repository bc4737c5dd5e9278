#![no_main]
//! MboxLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{MboxLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = MboxLoader.extract(data);
});
