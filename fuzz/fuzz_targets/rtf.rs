#![no_main]
//! RtfLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{RtfLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = RtfLoader.extract(data);
});
