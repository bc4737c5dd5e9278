#![no_main]
//! XmlLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{XmlLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = XmlLoader.extract(data);
});
