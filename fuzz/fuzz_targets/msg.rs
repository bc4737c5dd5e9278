#![no_main]
//! MsgLoader::extract must never panic, hang or exhaust memory, whatever the bytes.

use dossier::load::{Loader, MsgLoader};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = MsgLoader.extract(data);
});
