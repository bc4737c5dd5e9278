//! Turning a file into text. One [`Loader`] per format; [`load_file`] picks it by extension.
//!
//! Loaders work on bytes already read, so they are pure and easy to test; [`load_file`] does the
//! reading and turns every failure into a [`LoadError`] with a one-line reason for the user.

use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::model::LoadedDoc;

/// Files larger than this are indexed up to this many bytes.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

/// Why a file could not be loaded; `Display` is the reason shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("binary data, not text")]
    Binary,
    #[error("unsupported file type")]
    Unsupported,
}

/// Text and title extracted from one file's bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
}

/// A format: which file extensions it takes and how to get text out of their bytes.
pub trait Loader: Send + Sync {
    /// Lower-case extensions without the dot.
    fn extensions(&self) -> &'static [&'static str];
    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError>;
}

/// Plain text and Markdown, UTF-8 with a lossy fallback for invalid sequences.
pub struct TextLoader;

impl Loader for TextLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["txt", "md", "markdown", "text"]
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let head = &bytes[..bytes.len().min(8192)];
        if head.contains(&0) && !looks_like_utf16(head) {
            return Err(LoadError::Binary);
        }
        let text = decode_text(bytes);
        Ok(Extracted { title: title_from_text(&text), text })
    }
}

/// UTF-8 (BOM stripped, invalid sequences replaced) or UTF-16 where a byte-order mark says so.
fn decode_text(bytes: &[u8]) -> String {
    let utf16 = |rest: &[u8], from: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| from([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    };
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        utf16(rest, u16::from_be_bytes)
    } else {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        String::from_utf8_lossy(bytes).into_owned()
    }
}

fn looks_like_utf16(head: &[u8]) -> bool {
    head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")
}

/// The first non-empty line, without Markdown heading marks, if it is short enough to be a title.
fn title_from_text(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let line = line.trim_start_matches('#').trim();
    if line.is_empty() || line.chars().count() > 200 {
        return None;
    }
    Some(line.to_owned())
}

static LOADERS: &[&dyn Loader] = &[&TextLoader];

/// The loader for `path`'s extension, if Dossier reads that format.
pub fn loader_for(path: &Path) -> Option<&'static dyn Loader> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    LOADERS.iter().copied().find(|l| l.extensions().contains(&ext.as_str()))
}

/// Whether the folder walk should consider `path` at all.
pub fn is_supported(path: &Path) -> bool {
    loader_for(path).is_some()
}

/// Reads and extracts one file. `id` is its path relative to the opened folder.
pub fn load_file(path: &Path, id: String, max_bytes: u64) -> Result<LoadedDoc, LoadError> {
    let loader = loader_for(path).ok_or(LoadError::Unsupported)?;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let mut bytes = Vec::with_capacity(meta.len().min(max_bytes) as usize);
    file.take(max_bytes).read_to_end(&mut bytes)?;
    let extracted = loader.extract(&bytes)?;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(LoadedDoc {
        id,
        title: extracted.title.unwrap_or(file_name),
        text: extracted.text,
        size_bytes: meta.len(),
        mtime_ns: mtime_ns(&meta),
        language: String::new(),
    })
}

/// Modification time in nanoseconds since the epoch, 0 where the platform does not say.
pub fn mtime_ns(meta: &std::fs::Metadata) -> i64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos().min(i64::MAX as u128) as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_title_is_first_line() {
        let got = TextLoader.extract(b"\n\n# Heading here\nbody").unwrap();
        assert_eq!(got.title.as_deref(), Some("Heading here"));
    }

    #[test]
    fn invalid_utf8_is_replaced_not_rejected() {
        let got = TextLoader.extract(b"caf\xe9 ok").unwrap();
        assert_eq!(got.text, "caf\u{FFFD} ok");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(matches!(TextLoader.extract(b"\x00\x01\x02abc"), Err(LoadError::Binary)));
    }

    #[test]
    fn bom_is_stripped() {
        let got = TextLoader.extract(b"\xEF\xBB\xBFHello").unwrap();
        assert_eq!(got.text, "Hello");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend("Zoë".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(TextLoader.extract(&bytes).unwrap().text, "Zoë");
    }

    #[test]
    fn unknown_extensions_have_no_loader() {
        assert!(loader_for(Path::new("a.exe")).is_none());
        assert!(loader_for(Path::new("A.TXT")).is_some());
    }
}
