//! PDF: the text layer, page by page, with the offsets where pages start so a hit can name its
//! page. The document information dictionary gives title, author and dates.
//!
//! pdf-extract (on lopdf) does the work. It is known to panic on some malformed fonts and
//! streams; a panic is caught here and reported as this file's failure, and a page that cannot
//! be read is left empty rather than losing the rest.

use std::panic::AssertUnwindSafe;

use pdf_extract::{Document, Object, PlainTextOutput};

use super::{Extracted, LoadError, Loader, dates, tidy_lines};
use crate::model::DocMeta;

/// PDF files.
pub struct PdfLoader;

impl Loader for PdfLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["pdf"]
    }

    fn kind(&self) -> &'static str {
        "pdf"
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

fn extract(bytes: &[u8]) -> Result<Extracted, LoadError> {
    let mut doc = Document::load_mem(bytes).map_err(|_| LoadError::Malformed("damaged PDF: cannot be parsed"))?;
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
