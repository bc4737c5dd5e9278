//! Turning a file into text. One [`Loader`] per format; [`load_file`] picks it by extension.
//!
//! Loaders work on bytes already read, so they are pure and easy to test; [`load_file`] does the
//! reading and turns every failure into a [`LoadError`] with a one-line reason for the user.

use std::io::Read;
use std::ops::ControlFlow;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::model::{DocFormat, DocMeta, FileProblem, LoadedDoc};

mod data;
mod dates;
mod html;
mod mail;
mod msg;
mod office;
mod pdf;
mod rtf;
mod table;

pub use data::{JsonLoader, XmlLoader};
pub use dates::{iso8601_ns, pdf_date_ns};
pub use html::HtmlLoader;
pub(crate) use html::html_text;
pub use mail::{EmailLoader, MboxLoader};
pub use msg::MsgLoader;
pub use office::{DocxLoader, EpubLoader, OdtLoader, PptxLoader, XlsxLoader};
pub use pdf::PdfLoader;
pub use rtf::RtfLoader;
pub use table::CsvLoader;

/// Files larger than this are indexed up to this many bytes.
pub const DEFAULT_MAX_BYTES: u64 = 64 * 1024 * 1024;

thread_local! {
    static OUTPUT_LIMIT: std::cell::Cell<usize> = const { std::cell::Cell::new(DEFAULT_MAX_BYTES as usize) };
}

/// The most text a loader may produce for the file being read (the size limit), whatever the
/// file expands to: a small spreadsheet whose one long shared string fills every cell must
/// be cut, not grow to gigabytes. A loader that stops there sets `meta.truncated`.
pub(crate) fn output_limit() -> usize {
    OUTPUT_LIMIT.with(std::cell::Cell::get)
}

/// Runs `f` with [`output_limit`] set to `limit` on this thread.
fn with_output_limit<T>(limit: u64, f: impl FnOnce() -> T) -> T {
    let before = OUTPUT_LIMIT.with(|l| l.replace(usize::try_from(limit).unwrap_or(usize::MAX)));
    let out = f();
    OUTPUT_LIMIT.with(|l| l.set(before));
    out
}

/// How deep attachments of attachments are followed (a message forwarded inside a message…).
const MAX_ATTACHMENT_DEPTH: usize = 3;

/// Why a file could not be loaded; `Display` is the reason shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{}", io_reason(.0))]
    Io(#[from] std::io::Error),
    #[error("binary data, not text")]
    Binary,
    /// The extension (empty when there is none).
    #[error("file type not supported{}", if .0.is_empty() { " (no extension)".to_owned() } else { format!(" (.{})", .0) })]
    Unsupported(String),
    #[error("no text; OCR not available")]
    NoText,
    /// Nothing but white space, whatever the format.
    #[error("empty file")]
    Empty,
    #[error("{0}")]
    Malformed(&'static str),
    #[error("larger than the {limit} limit for {} files, which cannot be read in part", format.label())]
    TooLarge { format: DocFormat, limit: String },
}

/// An I/O error as a reason: the common ones in words, the rest as the system says them.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "the file disappeared before it could be read".to_owned(),
        std::io::ErrorKind::PermissionDenied => "cannot read: permission denied".to_owned(),
        _ => format!("cannot read: {e}"),
    }
}

impl LoadError {
    /// The report entry for this error about document `id`: most are failures; a file with
    /// nothing to read was skipped on purpose.
    pub fn problem(&self, id: impl Into<String>) -> FileProblem {
        match self {
            LoadError::NoText | LoadError::Unsupported(_) | LoadError::Empty => {
                FileProblem::skipped(id, self.to_string())
            }
            _ => FileProblem::failed(id, self.to_string()),
        }
    }
}

/// Text, title and metadata extracted from one file's bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Extracted {
    pub title: Option<String>,
    pub text: String,
    /// What the format says: author, dates, pages, header fields. `format` and `size_bytes` are
    /// filled in by [`load_file`].
    pub meta: DocMeta,
    /// Files attached to the document (e-mail attachments), in order.
    pub attachments: Vec<Attachment>,
}

/// A file inside another (an e-mail attachment).
#[derive(Clone, Debug, PartialEq)]
pub struct Attachment {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// A format: which file extensions it takes and how to get text out of their bytes.
pub trait Loader: Send + Sync {
    /// Lower-case extensions without the dot.
    fn extensions(&self) -> &'static [&'static str];
    /// The format of the documents it reads.
    fn format(&self) -> DocFormat;
    /// Whether the first part of a file too large to read whole is still worth reading (text
    /// is; a PDF or a zip archive cut short is not).
    fn reads_partial(&self) -> bool {
        true
    }
    /// Whether files of this format are read as a stream, a part at a time, by [`load_file`]
    /// (a mailbox) rather than whole through [`Loader::extract`].
    fn streams(&self) -> bool {
        false
    }
    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError>;
}

/// Plain text and Markdown, UTF-8 with a lossy fallback for invalid sequences.
pub struct TextLoader;

impl Loader for TextLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["txt", "md", "markdown", "text", "rst", "org", "adoc", "asciidoc", "log"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Text
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let text = decode_text(bytes);
        Ok(Extracted { title: title_from_text(&text), text, ..Extracted::default() })
    }
}

/// Decodes text whatever its encoding: a byte-order mark decides (UTF-8, UTF-16, UTF-32); else
/// UTF-16 without a mark is recognised by its NUL bytes; else valid UTF-8 is taken as is; else
/// chardetng guesses a legacy encoding (Windows-1252, ISO-8859-x, Shift_JIS, …) and encoding_rs
/// decodes it, replacing what cannot be decoded.
pub fn decode_text(bytes: &[u8]) -> String {
    let mut text = decode(bytes);
    // NUL is never text: a log padded with NULs after a crash keeps its words without them.
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    text
}

fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE\x00\x00") {
        return utf32(rest, u32::from_le_bytes);
    }
    if let Some(rest) = bytes.strip_prefix(b"\x00\x00\xFE\xFF") {
        return utf32(rest, u32::from_be_bytes);
    }
    if let Some((encoding, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding.decode_without_bom_handling(&bytes[bom_len..]).0.into_owned();
    }
    // Before the UTF-8 check: ASCII in UTF-16 is valid UTF-8 full of NULs.
    if let Some(encoding) = utf16_without_bom(bytes) {
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => return text.to_owned(),
        // Valid UTF-8 cut inside its last character (a file read in part): drop that character.
        Err(e) if e.error_len().is_none() && e.valid_up_to() > 0 => {
            return String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned();
        }
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    encoding.decode_without_bom_handling(bytes).0.into_owned()
}

fn utf32(bytes: &[u8], from: fn([u8; 4]) -> u32) -> String {
    bytes
        .chunks_exact(4)
        .map(|c| char::from_u32(from([c[0], c[1], c[2], c[3]])).unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// UTF-16 text without a byte-order mark has a NUL in most high bytes (for Latin text).
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 8 {
        return None;
    }
    let pairs = head.len() / 2;
    let even_nuls = head.iter().step_by(2).filter(|b| **b == 0).count();
    let odd_nuls = head.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    if odd_nuls * 10 >= pairs * 6 && even_nuls * 10 <= pairs {
        Some(encoding_rs::UTF_16LE)
    } else if even_nuls * 10 >= pairs * 6 && odd_nuls * 10 <= pairs {
        Some(encoding_rs::UTF_16BE)
    } else {
        None
    }
}

/// Rejects `bytes` as [`LoadError::Binary`] when their start is binary data (see [`is_binary`]).
pub(crate) fn reject_binary(bytes: &[u8]) -> Result<(), LoadError> {
    if is_binary(&bytes[..bytes.len().min(8192)]) { Err(LoadError::Binary) } else { Ok(()) }
}

/// Whether `head` (a file's first bytes) is binary data rather than text. Text has no NUL
/// bytes unless it is UTF-16/32 or damaged (a log padded with NULs after a crash, a torn
/// save); so a head with NULs is binary only if, NULs aside, more than 1 byte in 20 is another
/// control character (random and compressed data: about 1 in 9).
pub(crate) fn is_binary(head: &[u8]) -> bool {
    if !head.contains(&0)
        || head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
        || head.starts_with(b"\x00\x00\xFE\xFF")
        || utf16_without_bom(head).is_some()
    {
        return false;
    }
    let rest = head.iter().filter(|b| **b != 0).count();
    let controls = head.iter().filter(|b| matches!(b, 1..=8 | 0x0E..=0x1F | 0x7F)).count();
    rest == 0 || controls * 20 > rest
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

/// Lines trimmed, at most one blank line in a row, no blank lines at either end.
pub(crate) fn tidy_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank = true;
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !blank {
                out.push('\n');
            }
            blank = true;
        } else {
            out.push_str(line);
            out.push('\n');
            blank = false;
        }
    }
    out.trim_end().to_owned()
}

static LOADERS: &[&dyn Loader] = &[
    &TextLoader,
    &EmailLoader,
    &MsgLoader,
    &MboxLoader,
    &HtmlLoader,
    &PdfLoader,
    &DocxLoader,
    &OdtLoader,
    &PptxLoader,
    &XlsxLoader,
    &EpubLoader,
    &RtfLoader,
    &CsvLoader,
    &JsonLoader,
    &XmlLoader,
];

/// Image formats: listed as having no text rather than as unsupported.
const IMAGE_EXTENSIONS: &[&str] =
    &["png", "jpg", "jpeg", "tif", "tiff", "gif", "bmp", "webp", "heic", "heif", "jp2", "jfif"];

fn extension(path: &Path) -> Option<String> {
    Some(path.extension()?.to_str()?.to_ascii_lowercase())
}

/// The loader for `path`'s extension, if Dossier reads that format.
pub fn loader_for(path: &Path) -> Option<&'static dyn Loader> {
    let ext = extension(path)?;
    LOADERS.iter().copied().find(|l| l.extensions().contains(&ext.as_str()))
}

/// Why the folder walk leaves `path` out, or `None` if Dossier reads it.
pub fn skip_reason(path: &Path) -> Option<LoadError> {
    if loader_for(path).is_some() {
        return None;
    }
    match extension(path) {
        Some(ext) if IMAGE_EXTENSIONS.contains(&ext.as_str()) => Some(LoadError::NoText),
        ext => Some(LoadError::Unsupported(ext.unwrap_or_default())),
    }
}

/// Whether `path` is read as a stream, a part at a time (a mailbox), rather than whole.
pub fn streams(path: &Path) -> bool {
    loader_for(path).is_some_and(|l| l.streams())
}

/// Whether the folder walk should consider `path` at all.
pub fn is_supported(path: &Path) -> bool {
    loader_for(path).is_some()
}

/// What reading a file yields, one piece at a time: documents, and report entries for parts
/// that could not be read (a damaged message in a mailbox, an attachment) or were cut short.
#[derive(Debug)]
pub enum Piece {
    Doc(Box<LoadedDoc>),
    Problem(FileProblem),
}

/// Reads one file and hands its documents to `emit` as they are ready; `emit` may stop the
/// reading by returning [`ControlFlow::Break`]. `id` is the file's path relative to the opened
/// folder. Fails only when the file itself cannot be read; a mailbox's damaged messages and
/// unreadable attachments become [`Piece::Problem`]s and the rest is still read.
pub fn load_file(
    path: &Path,
    id: &str,
    max_bytes: u64,
    emit: &mut dyn FnMut(Piece) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    with_output_limit(max_bytes, || read_file(path, id, max_bytes, emit))
}

fn read_file(
    path: &Path,
    id: &str,
    max_bytes: u64,
    emit: &mut dyn FnMut(Piece) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    let loader = loader_for(path).ok_or_else(|| LoadError::Unsupported(extension(path).unwrap_or_default()))?;
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    let stamp = Stamp { file: id, size: meta.len(), mtime_ns: mtime_ns(&meta) };
    if loader.streams() {
        if meta.len() == 0 {
            return Err(LoadError::Empty);
        }
        return mail::read_mbox(file, &stamp, max_bytes, emit);
    }
    let truncated = meta.len() > max_bytes;
    if truncated && !loader.reads_partial() {
        return Err(LoadError::TooLarge { format: loader.format(), limit: crate::words::bytes(max_bytes) });
    }
    let mut bytes = Vec::with_capacity(meta.len().min(max_bytes) as usize);
    file.take(max_bytes).read_to_end(&mut bytes)?;
    // An empty file is the same nothing in any format: skipped, not a document or a failure.
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(LoadError::Empty);
    }
    let mut extracted = loader.extract(&bytes)?;
    drop(bytes);
    let expanded = extracted.meta.truncated;
    extracted.meta.truncated |= truncated;
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let limit = crate::words::bytes(max_bytes);
    let reason = if truncated {
        Some(format!("larger than {limit}: only the first {limit} was indexed"))
    } else {
        expanded.then(|| format!("its text is larger than {limit}: only the first {limit} was indexed"))
    };
    if let Some(reason) = reason
        && emit(Piece::Problem(FileProblem::truncated(id, reason))).is_break()
    {
        return Ok(());
    }
    let _ = emit_doc(loader, extracted, id.to_owned(), String::new(), &file_name, meta.len(), &stamp, 0, emit);
    Ok(())
}

/// The file a document comes from, to tell later whether it changed.
pub(crate) struct Stamp<'a> {
    pub file: &'a str,
    pub size: u64,
    pub mtime_ns: i64,
}

/// Emits one extracted document, then its readable attachments as documents of their own.
#[allow(clippy::too_many_arguments)]
pub(crate) fn emit_doc(
    loader: &dyn Loader,
    extracted: Extracted,
    id: String,
    parent: String,
    fallback_title: &str,
    size: u64,
    stamp: &Stamp<'_>,
    depth: usize,
    emit: &mut dyn FnMut(Piece) -> ControlFlow<()>,
) -> ControlFlow<()> {
    let Extracted { title, text, mut meta, attachments } = extracted;
    meta.format = loader.format();
    meta.size_bytes = size;
    // A whole file falls back on its modification time; a message or attachment keeps its own
    // dates, or none.
    if meta.modified_ns.is_none() && id == stamp.file {
        meta.modified_ns = Some(stamp.mtime_ns);
    }
    // An attached text file is known by its name; its first line is only a guess at a title.
    let title =
        if !parent.is_empty() && matches!(loader.format(), DocFormat::Text | DocFormat::Csv) { None } else { title };
    let doc = LoadedDoc {
        id: id.clone(),
        file: stamp.file.to_owned(),
        parent,
        title: title.unwrap_or_else(|| fallback_title.to_owned()),
        text,
        meta,
        file_size: stamp.size,
        file_mtime_ns: stamp.mtime_ns,
        language: String::new(),
    };
    emit(Piece::Doc(Box::new(doc)))?;
    let mut seen = std::collections::HashSet::new();
    for (k, attachment) in attachments.into_iter().enumerate() {
        let Some(loader) = loader_for(Path::new(&attachment.name)) else { continue };
        let name = attachment_name(&attachment.name, k, &mut seen);
        let child = format!("{id}/{name}");
        if depth >= MAX_ATTACHMENT_DEPTH {
            let problem = FileProblem::skipped(&child, "attachment nested too deeply").inside(stamp.file);
            emit(Piece::Problem(problem))?;
            continue;
        }
        let size = attachment.bytes.len() as u64;
        let result = if loader.streams() {
            Err(LoadError::Malformed("a mailbox attached to a message is not read"))
        } else {
            extract_caught(loader, &attachment.bytes)
        };
        drop(attachment);
        match result {
            Ok(extracted) => {
                emit_doc(loader, extracted, child, id.clone(), &name, size, stamp, depth + 1, emit)?;
            }
            Err(e) => emit(Piece::Problem(e.problem(child).inside(stamp.file)))?,
        }
    }
    ControlFlow::Continue(())
}

/// The name an attachment is known by in its id: without `/`, at most [`MAX_NAME_CHARS`]
/// characters (a message may name a file anything, and an id must fit in one index term), and
/// different from every name before it in the same message (`name (k)` for the k-th).
fn attachment_name(raw: &str, k: usize, seen: &mut std::collections::HashSet<String>) -> String {
    const MAX_NAME_CHARS: usize = 200;
    let mut name: String = raw.replace('/', "_");
    if name.chars().count() > MAX_NAME_CHARS {
        // Keep the extension, which chose the loader.
        let ext = Path::new(&name).extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default();
        let keep = MAX_NAME_CHARS.saturating_sub(ext.chars().count() + 2);
        name = format!("{}….{ext}", name.chars().take(keep).collect::<String>());
    }
    let mut candidate = name.clone();
    let mut n = k + 1;
    while !seen.insert(candidate.clone()) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    candidate
}

/// `loader.extract(bytes)`, with a panic turned into this part's failure: a bug in reading one
/// attachment or one message of a mailbox must not lose the rest of the file.
pub(crate) fn extract_caught(loader: &dyn Loader, bytes: &[u8]) -> Result<Extracted, LoadError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| loader.extract(bytes)))
        .unwrap_or(Err(LoadError::Malformed("internal error while reading this part (reported as a bug)")))
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
    fn attachment_names_are_unique_short_and_keep_their_extension() {
        let mut seen = std::collections::HashSet::new();
        let names: Vec<String> = ["a.txt", "a.txt", "a.txt (2)", "a.txt", "sub/b.pdf"]
            .iter()
            .enumerate()
            .map(|(k, n)| attachment_name(n, k, &mut seen))
            .collect();
        assert_eq!(names, ["a.txt", "a.txt (2)", "a.txt (2) (3)", "a.txt (4)", "sub_b.pdf"]);
        let long = attachment_name(&format!("{}.pdf", "é".repeat(70_000)), 0, &mut seen);
        assert!(long.chars().count() <= 200 && long.ends_with(".pdf"), "{long}");
    }

    #[test]
    fn nul_bytes_mean_binary() {
        assert!(matches!(TextLoader.extract(b"\x00\x01\x02abc"), Err(LoadError::Binary)));
        let mut rng = fastrand::Rng::with_seed(3);
        let random: Vec<u8> = (0..8192).map(|_| rng.u8(..)).collect();
        assert!(matches!(TextLoader.extract(&random), Err(LoadError::Binary)));
    }

    #[test]
    fn text_with_a_few_nul_bytes_is_text_without_them() {
        // A log padded with NULs after a crash, then written on.
        let mut log = b"09:14 harbour crane 4 stopped\n".repeat(100);
        log.extend([0u8; 3000]);
        log.extend(b"09:20 restarted after the crash\n");
        let got = TextLoader.extract(&log).unwrap();
        assert!(got.text.trim_end().ends_with("harbour crane 4 stopped\n09:20 restarted after the crash"));
        assert!(!got.text.contains('\0'));
        // A torn save: a NUL here and there.
        let got = TextLoader.extract(b"Minutes of the\0 budget meeting\0\0").unwrap();
        assert_eq!(got.text, "Minutes of the budget meeting");
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
    fn utf16_without_bom_and_utf32_are_decoded() {
        let le: Vec<u8> = "Plain report text, no mark.".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(TextLoader.extract(&le).unwrap().text, "Plain report text, no mark.");
        let be: Vec<u8> = "Plain report text, no mark.".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(TextLoader.extract(&be).unwrap().text, "Plain report text, no mark.");
        let mut utf32 = vec![0xFF, 0xFE, 0, 0];
        utf32.extend("Zoë €".chars().flat_map(|c| (c as u32).to_le_bytes()));
        assert_eq!(TextLoader.extract(&utf32).unwrap().text, "Zoë €");
    }

    #[test]
    fn legacy_encodings_are_detected_not_mangled() {
        // Windows-1252: curly quotes, e acute, the euro sign.
        let cp1252 = b"The caf\xe9 \x93Le Vieux Port\x94 charged \x80 12 for the r\xe9sum\xe9 of the d\xe9l\xe9gation.";
        assert_eq!(
            TextLoader.extract(cp1252).unwrap().text,
            "The café \u{201c}Le Vieux Port\u{201d} charged € 12 for the résumé of the délégation."
        );
        // KOI8-R Russian.
        let (koi8, _, _) = encoding_rs::KOI8_R.encode("Министр иностранных дел России Сергей Лавров заявил в пятницу");
        assert_eq!(
            TextLoader.extract(&koi8).unwrap().text,
            "Министр иностранных дел России Сергей Лавров заявил в пятницу"
        );
    }

    #[test]
    fn every_format_is_found_by_its_extensions() {
        // One row per format, so a loader left out of `LOADERS` fails here.
        let expected = [
            ("txt", "text"),
            ("org", "text"),
            ("eml", "email"),
            ("msg", "email"),
            ("mbox", "email"),
            ("xhtml", "html"),
            ("pdf", "pdf"),
            ("docx", "docx"),
            ("odt", "odt"),
            ("pptx", "pptx"),
            ("xlsx", "xlsx"),
            ("epub", "epub"),
            ("rtf", "rtf"),
            ("tsv", "csv"),
            ("jsonl", "json"),
            ("xml", "xml"),
        ];
        for (ext, name) in expected {
            let format = loader_for(Path::new(&format!("x.{ext}"))).map(|l| l.format().as_str());
            assert_eq!(format, Some(name), ".{ext}");
        }
        // And every extension a loader claims leads back to it.
        for loader in LOADERS {
            for ext in loader.extensions() {
                let found = loader_for(Path::new(&format!("x.{ext}"))).map(|l| l.extensions());
                assert_eq!(found, Some(loader.extensions()), ".{ext}");
            }
        }
    }

    #[test]
    fn unknown_extensions_have_no_loader() {
        assert!(loader_for(Path::new("a.exe")).is_none());
        assert!(loader_for(Path::new("A.TXT")).is_some());
    }
}
