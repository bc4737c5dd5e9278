#![no_main]
//! decode_text must never panic, and must keep the promises its code makes:
//! - valid UTF-8 without a BOM and without NUL bytes comes back unchanged (none of the BOM
//!   checks can match it: FF FE / FE FF are invalid UTF-8, 00 00 FE FF has NULs, and UTF-16
//!   without a BOM needs at least 60% NULs in one byte lane);
//! - valid UTF-8 after a UTF-8 BOM comes back without the BOM (encoding_rs decodes the rest,
//!   which is valid, unchanged) and without NUL characters (decode_text drops them);
//! - TextLoader's text is decode_text's output whenever the bytes hold no NUL (reject_binary
//!   lets such bytes through, and TextLoader decodes them with decode_text).

use dossier::load::{Loader, TextLoader, decode_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let decoded = decode_text(data);
    if let Ok(s) = std::str::from_utf8(data) {
        if let Some(rest) = s.strip_prefix('\u{feff}') {
            assert_eq!(decoded, rest.replace('\0', ""), "UTF-8 after a BOM must come back without the BOM or NULs");
        } else if !data.contains(&0) {
            assert_eq!(decoded, s, "valid UTF-8 without BOM or NUL must come back unchanged");
        }
    }
    if !data.contains(&0) {
        let extracted = TextLoader.extract(data).expect("text without NUL bytes is not binary");
        assert_eq!(extracted.text, decoded);
    }
});
