//! PDF: the text layer, page by page, with the offsets where pages start so a hit can name its
//! page. The document information dictionary gives title, author and dates.
//!
//! pdf-extract (on lopdf) does the work. It is known to panic on some malformed fonts and
//! streams; a panic is caught here and reported as this file's failure, and a page that cannot
//! be read is left empty rather than losing the rest.

use std::panic::AssertUnwindSafe;

use pdf_extract::{Document, Object, PlainTextOutput};

use super::{Extracted, LoadError, Loader, dates, tidy_lines};
use crate::model::{DocFormat, DocMeta};

/// PDF files.
pub struct PdfLoader;

impl Loader for PdfLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["pdf"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Pdf
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        if !bytes.windows(5).take(1024).any(|w| w == b"%PDF-") {
            return Err(LoadError::Malformed("not a PDF file (no %PDF header)"));
        }
        match std::panic::catch_unwind(AssertUnwindSafe(|| extract(bytes))) {
            Ok(result) => result,
            Err(_) => Err(LoadError::Malformed("damaged PDF: its text could not be extracted")),
        }
    }
}

/// The most a single compressed stream may unpack to before the PDF is refused as a bomb.
/// pdf-extract (through lopdf) unpacks page contents whole and without a limit, and then parses
/// them into a list of operations several times larger, so one small stream of a gigabyte of
/// spaces would exhaust memory; real page contents stay far below this.
const MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

/// Refuses a PDF with a FlateDecode stream (or a chain of them) that unpacks to more than
/// [`MAX_STREAM_BYTES`], measured by unpacking into a counter, before anything unpacks it whole.
/// Images are left out: their data is never unpacked for text.
fn check_streams(doc: &Document) -> Result<(), LoadError> {
    for object in doc.objects.values() {
        let Object::Stream(stream) = object else { continue };
        let image = stream.dict.get(b"Subtype").and_then(Object::as_name).is_ok_and(|n| n == b"Image");
        let Ok(filters) = stream.filters() else { continue };
        let flate_layers = filters.iter().take_while(|f| *f == b"FlateDecode" || *f == b"Fl").count();
        if image || flate_layers == 0 {
            continue;
        }
        if !unpacks_within(&stream.content, flate_layers, MAX_STREAM_BYTES) {
            return Err(LoadError::Malformed("damaged PDF: a stream unpacks to too much data (a decompression bomb?)"));
        }
    }
    Ok(())
}

/// Whether every object stream (`/Type /ObjStm`) in the raw bytes of a PDF that is FlateDecoded
/// unpacks to at most `limit` bytes. The scan is lexical: the dictionary before each `stream`
/// keyword that follows `/ObjStm` gives the filters and a direct `/Length` (else the data runs to
/// `endstream`).
fn object_streams_within(bytes: &[u8], limit: u64) -> bool {
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..).and_then(|h| h.windows(needle.len()).position(|w| w == needle)).map(|p| from + p)
    };
    let mut at = 0;
    while let Some(tag) = find(bytes, b"/ObjStm", at) {
        at = tag + 7;
        let Some(keyword) = find(bytes, b"stream", at) else { break };
        // The dictionary: from the object's start (its last `obj` before the tag) to `stream`.
        let dict_start = bytes[..tag].windows(3).rposition(|w| w == b"obj").unwrap_or(0);
        let dict = &bytes[dict_start..keyword];
        let layers = dict.windows(12).filter(|w| *w == b"/FlateDecode").count();
        if layers == 0 {
            continue;
        }
        let mut data_start = keyword + 6;
        if bytes.get(data_start) == Some(&b'\r') {
            data_start += 1;
        }
        if bytes.get(data_start) == Some(&b'\n') {
            data_start += 1;
        }
        let end = find(bytes, b"endstream", data_start).unwrap_or(bytes.len());
        let length = find(dict, b"/Length", 0).map(|i| &dict[i + 7..]).and_then(|rest| {
            let digits: Vec<u8> = rest
                .iter()
                .skip_while(|b| b.is_ascii_whitespace())
                .take_while(|b| b.is_ascii_digit())
                .copied()
                .collect();
            let after =
                rest.iter().skip_while(|b| b.is_ascii_whitespace()).skip(digits.len()).copied().collect::<Vec<u8>>();
            // `/Length 12 0 R` refers to another object: not a direct length.
            let indirect = after.trim_ascii_start().first().is_some_and(u8::is_ascii_digit);
            (!indirect).then(|| std::str::from_utf8(&digits).ok()?.parse::<usize>().ok()).flatten()
        });
        let data_end = length.map_or(end, |n| (data_start + n).min(bytes.len()));
        if !unpacks_within(&bytes[data_start..data_end.max(data_start)], layers, limit) {
            return false;
        }
        at = data_end.max(at);
    }
    true
}

/// Whether `data`, deflated `layers` times over, unpacks to at most `limit` bytes. Inner layers
/// are unpacked into memory (at most `limit` each); the last is only counted. Damaged data
/// counts as what it unpacked to before the damage, as lopdf would read it.
fn unpacks_within(data: &[u8], layers: usize, limit: u64) -> bool {
    use std::io::Read;
    let mut current = std::borrow::Cow::Borrowed(data);
    for layer in 1..=layers {
        let mut inflater = flate2::read::ZlibDecoder::new(&current[..]).take(limit + 1);
        let size = if layer == layers {
            std::io::copy(&mut inflater, &mut std::io::sink()).unwrap_or(0)
        } else {
            let mut next = Vec::new();
            let _ = inflater.read_to_end(&mut next);
            let size = next.len() as u64;
            current = std::borrow::Cow::Owned(next);
            size
        };
        if size > limit {
            return false;
        }
    }
    true
}

fn extract(bytes: &[u8]) -> Result<Extracted, LoadError> {
    // Object streams are unpacked by lopdf's parser while it loads, so they are measured in the
    // raw bytes first; every other stream is measured once the document is parsed.
    if !object_streams_within(bytes, MAX_STREAM_BYTES) {
        return Err(LoadError::Malformed("damaged PDF: a stream unpacks to too much data (a decompression bomb?)"));
    }
    let mut doc = Document::load_mem(bytes).map_err(|_| LoadError::Malformed("damaged PDF: cannot be parsed"))?;
    check_streams(&doc)?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(LoadError::Malformed("encrypted PDF: needs a password"));
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err(LoadError::Malformed("damaged PDF: no pages"));
    }
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut unreadable = 0usize;
    for &number in pages.keys() {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        starts.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
        let mut page = String::new();
        let ok = pdf_extract::output_doc_page(&doc, &mut PlainTextOutput::new(&mut page), number).is_ok();
        if !ok {
            unreadable += 1;
        }
        text.push_str(&tidy_lines(&page));
    }
    if text.trim().is_empty() {
        return Err(if unreadable == pages.len() {
            LoadError::Malformed("damaged PDF: no page could be read")
        } else {
            LoadError::NoText
        });
    }
    let info = info_strings(&doc);
    let get = |key: &str| info.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).filter(|v| !v.is_empty());
    let meta = DocMeta {
        author: get("Author").unwrap_or_default(),
        created_ns: get("CreationDate").and_then(|d| dates::pdf_date_ns(&d)),
        modified_ns: get("ModDate").and_then(|d| dates::pdf_date_ns(&d)),
        pages: starts,
        ..DocMeta::default()
    };
    Ok(Extracted { title: get("Title"), text, meta, attachments: Vec::new() })
}

/// The text entries of the document information dictionary, decoded.
fn info_strings(doc: &Document) -> Vec<(String, String)> {
    let Ok(info) = doc.trailer.get(b"Info") else { return Vec::new() };
    let Ok((_, info)) = doc.dereference(info) else { return Vec::new() };
    let Ok(dict) = info.as_dict() else { return Vec::new() };
    dict.iter()
        .filter_map(|(key, value)| {
            let value = match doc.dereference(value) {
                Ok((_, v @ Object::String(..))) => pdf_extract::decode_text_string(v).ok()?,
                _ => return None,
            };
            Some((String::from_utf8_lossy(key).into_owned(), value.trim().to_owned()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn deflate(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn streams_are_measured_through_every_flate_layer() {
        let spaces = vec![b' '; 3 << 20];
        let once = deflate(&spaces);
        let twice = deflate(&once);
        assert!(unpacks_within(&once, 1, 4 << 20));
        assert!(!unpacks_within(&once, 1, 2 << 20));
        assert!(unpacks_within(&twice, 2, 4 << 20));
        assert!(!unpacks_within(&twice, 2, 2 << 20));
        // Damaged data counts what it gave before the damage.
        assert!(unpacks_within(&once[..once.len() / 2], 1, 4 << 20));
        assert!(unpacks_within(b"not zlib", 1, 10));
    }

    #[test]
    fn object_streams_are_measured_in_the_raw_bytes() {
        let bomb = deflate(&vec![b' '; 3 << 20]);
        let pdf = |dict: &str, data: &[u8]| {
            let mut out = format!("%PDF-1.5\n5 0 obj\n<< {dict} >>\nstream\r\n").into_bytes();
            out.extend_from_slice(data);
            out.extend_from_slice(b"\nendstream\nendobj\n");
            out
        };
        let direct = pdf(&format!("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length {}", bomb.len()), &bomb);
        assert!(!object_streams_within(&direct, 2 << 20));
        assert!(object_streams_within(&direct, 4 << 20));
        // A length held in another object: the data runs to `endstream`.
        let indirect = pdf("/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length 9 0 R", &bomb);
        assert!(!object_streams_within(&indirect, 2 << 20));
        // Not flate-encoded, or not an object stream: not measured.
        assert!(object_streams_within(&pdf("/Type /ObjStm /N 1 /First 4 /Length 3", b"abc"), 1));
        assert!(object_streams_within(&pdf("/Type /XObject /Filter /FlateDecode", &bomb), 1));
    }
}
