#![no_main]
//! OdtLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{OdtLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = OdtLoader.extract(data);
});
