#![no_main]
//! HtmlLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{HtmlLoader, Loader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = HtmlLoader.extract(data);
});
