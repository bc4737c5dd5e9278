//! Turning a file into text. One [`Loader`] per format; [`load_file`] picks it by extension.
//!
//! Loaders work on bytes already read, so they are pure and easy to test; [`load_file`] does the
//! reading and turns every failure into a [`LoadError`] with a one-line reason for the user.

use std::io::Read;
use std::path::Path;
use std::time::UNIX_EPOCH;

use crate::model::LoadedDoc;

mod office;
mod table;

pub use office::{DocxLoader, OdtLoader};
pub use table::CsvLoader;

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
    #[error("{0}")]
    Malformed(&'static str),
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
        reject_binary(bytes)?;
        let text = decode_text(bytes);
        Ok(Extracted { title: title_from_text(&text), text })
    }
}

/// Decodes text whatever its encoding: a byte-order mark decides (UTF-8, UTF-16, UTF-32); else
/// UTF-16 without a mark is recognised by its NUL bytes; else valid UTF-8 is taken as is; else
/// chardetng guesses a legacy encoding (Windows-1252, ISO-8859-x, Shift_JIS, …) and encoding_rs
/// decodes it, replacing what cannot be decoded.
pub fn decode_text(bytes: &[u8]) -> String {
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
    if let Ok(text) = std::str::from_utf8(bytes) {
        return text.to_owned();
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
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
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

/// Rejects `bytes` as [`LoadError::Binary`] when their start holds NUL bytes that are not
/// UTF-16/32 text.
pub(crate) fn reject_binary(bytes: &[u8]) -> Result<(), LoadError> {
    if is_binary(&bytes[..bytes.len().min(8192)]) { Err(LoadError::Binary) } else { Ok(()) }
}

/// Whether NUL bytes mean binary data rather than UTF-16/32 text.
fn is_binary(head: &[u8]) -> bool {
    head.contains(&0)
        && !head.starts_with(b"\xFF\xFE")
        && !head.starts_with(b"\xFE\xFF")
        && !head.starts_with(b"\x00\x00\xFE\xFF")
        && utf16_without_bom(head).is_none()
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

/// E-mail messages (`.eml`): the From, To, Cc, Date and Subject headers lead the text so they
/// are shown and searchable, then every text body (HTML bodies converted to text), then the
/// names of the attachments. The subject is the title.
pub struct EmailLoader;

impl Loader for EmailLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["eml"]
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        use mail_parser::MimeHeaders;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(LoadError::Malformed("empty file"));
        }
        let head = &bytes[..bytes.len().min(8192)];
        if is_binary(head) {
            return Err(LoadError::Binary);
        }
        // A message saved as UTF-16 is re-encoded so the MIME parser can read it.
        let utf16 = head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF") || utf16_without_bom(head).is_some();
        let reencoded;
        let bytes = if utf16 {
            reencoded = decode_text(bytes);
            reencoded.as_bytes()
        } else {
            bytes
        };
        let msg =
            mail_parser::MessageParser::default().parse(bytes).ok_or(LoadError::Malformed("not an e-mail message"))?;
        let addresses = |a: Option<&mail_parser::Address<'_>>| {
            a.map(|a| {
                a.iter()
                    .map(|x| match (x.name(), x.address()) {
                        (Some(n), Some(e)) => format!("{n} <{e}>"),
                        (Some(n), None) => n.to_owned(),
                        (None, Some(e)) => e.to_owned(),
                        (None, None) => String::new(),
                    })
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
        };
        let mut text = String::new();
        for (name, value) in [
            ("From", addresses(msg.from())),
            ("To", addresses(msg.to())),
            ("Cc", addresses(msg.cc())),
            ("Date", msg.date().map(|d| d.to_rfc822()).unwrap_or_default()),
            ("Subject", msg.subject().unwrap_or_default().to_owned()),
        ] {
            if !value.is_empty() {
                text.push_str(&format!("{name}: {value}\n"));
            }
        }
        if msg.from().is_none() && msg.subject().is_none() && msg.date().is_none() {
            return Err(LoadError::Malformed("not an e-mail message (no From, Subject or Date header)"));
        }
        text.push('\n');
        for i in 0..msg.text_body_count() {
            if let Some(body) = msg.body_text(i) {
                text.push_str(body.trim_end());
                text.push_str("\n\n");
            }
        }
        let attachments: Vec<&str> = msg.attachments().filter_map(|a| a.attachment_name()).collect();
        if !attachments.is_empty() {
            text.push_str(&format!("Attachments: {}\n", attachments.join(", ")));
        }
        let title = msg.subject().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        Ok(Extracted { title, text })
    }
}

/// Web pages: the visible text only (no scripts, styles, templates or hidden elements), with
/// line breaks where blocks end; the `<title>` (else the first `<h1>`) is the title.
pub struct HtmlLoader;

impl Loader for HtmlLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["html", "htm", "xhtml"]
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let source = decode_text(bytes);
        let html = scraper::Html::parse_document(&source);
        Ok(html_text(&html))
    }
}

fn html_text(html: &scraper::Html) -> Extracted {
    use ego_tree::iter::Edge;
    use scraper::Node;
    const SKIP: &[&str] = &["script", "style", "noscript", "template", "svg", "object", "iframe", "select"];
    // Elements that end a line, and those that also leave a blank line (paragraphs).
    const LINE: &[&str] = &["br", "li", "dt", "dd", "tr", "div", "figcaption", "caption", "address", "hr"];
    const PARAGRAPH: &[&str] = &[
        "p",
        "ul",
        "ol",
        "dl",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "table",
        "section",
        "article",
        "header",
        "footer",
        "nav",
        "aside",
        "main",
        "blockquote",
        "pre",
        "figure",
        "form",
        "body",
    ];
    let break_line = |text: &mut String, paragraph: bool| {
        if text.is_empty() {
            return;
        }
        if !text.ends_with('\n') {
            text.push('\n');
        }
        if paragraph && !text.ends_with("\n\n") {
            text.push('\n');
        }
    };
    let hidden = |e: &scraper::node::Element| {
        e.attr("hidden").is_some()
            || e.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true"))
            || e.attr("style").is_some_and(|s| {
                let s: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
                s.contains("display:none") || s.contains("visibility:hidden")
            })
            || (e.name() == "input" && e.attr("type").is_some_and(|t| t.eq_ignore_ascii_case("hidden")))
    };
    let mut text = String::new();
    let mut title: Option<String> = None;
    let mut h1: Option<String> = None;
    let mut skipping: Option<ego_tree::NodeId> = None;
    let mut pre_depth = 0usize;
    let mut in_title = false;
    let mut title_buf = String::new();
    let mut in_h1 = false;
    // An explicit traversal: deeply nested pages cannot overflow the stack.
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => {
                if skipping.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Element(e) => {
                        let name = e.name();
                        if name == "title" {
                            in_title = true;
                        } else if SKIP.contains(&name) || hidden(e) {
                            skipping = Some(node.id());
                        } else {
                            if name == "pre" {
                                pre_depth += 1;
                            }
                            if name == "h1" && h1.is_none() {
                                in_h1 = true;
                            }
                            if LINE.contains(&name) || PARAGRAPH.contains(&name) {
                                break_line(&mut text, PARAGRAPH.contains(&name));
                            } else if matches!(name, "td" | "th") && !text.ends_with('\n') {
                                text.push('\t');
                            }
                        }
                    }
                    Node::Text(t) => {
                        let t: &str = t;
                        if in_title {
                            title_buf.push_str(t);
                        } else if pre_depth > 0 {
                            text.push_str(t);
                        } else {
                            let collapsed = t.split_whitespace().collect::<Vec<_>>().join(" ");
                            if !collapsed.is_empty() {
                                if t.starts_with(char::is_whitespace) && !text.ends_with(char::is_whitespace) {
                                    text.push(' ');
                                }
                                text.push_str(&collapsed);
                                if t.ends_with(char::is_whitespace) {
                                    text.push(' ');
                                }
                            }
                        }
                        if in_h1 {
                            h1.get_or_insert_with(String::new).push_str(t);
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skipping == Some(node.id()) {
                    skipping = None;
                    continue;
                }
                if skipping.is_some() {
                    continue;
                }
                if let Node::Element(e) = node.value() {
                    let name = e.name();
                    if name == "pre" {
                        pre_depth = pre_depth.saturating_sub(1);
                    }
                    if name == "h1" {
                        in_h1 = false;
                    }
                    if name == "title" && in_title {
                        in_title = false;
                        let t = title_buf.split_whitespace().collect::<Vec<_>>().join(" ");
                        if !t.is_empty() && title.is_none() {
                            title = Some(t);
                        }
                    }
                    if LINE.contains(&name) || PARAGRAPH.contains(&name) {
                        break_line(&mut text, PARAGRAPH.contains(&name));
                    }
                }
            }
        }
    }
    let h1 = h1.map(|h| h.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|h| !h.is_empty());
    Extracted { title: title.or(h1), text: tidy_lines(&text) }
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

static LOADERS: &[&dyn Loader] = &[&TextLoader, &EmailLoader, &HtmlLoader, &DocxLoader, &OdtLoader, &CsvLoader];

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
    fn email_headers_lead_the_text() {
        let raw = b"From: Helen Ward <h.ward@northport.example>\r\nTo: ops@calder.example, Tom Becker <tb@calder.example>\r\n\
Date: Tue, 12 Mar 2024 09:30:00 +0000\r\nSubject: =?UTF-8?Q?Fire_report_=E2=80=93_draft?=\r\n\
Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\r\nThe d=E9g=E2ts are limited.\r\n--XX\r\n\
Content-Type: application/pdf; name=report.pdf\r\nContent-Disposition: attachment; filename=report.pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nJVBERi0=\r\n--XX--\r\n";
        let got = EmailLoader.extract(raw).unwrap();
        assert_eq!(got.title.as_deref(), Some("Fire report – draft"));
        assert!(got.text.starts_with("From: Helen Ward <h.ward@northport.example>\nTo: ops@calder.example, Tom Becker <tb@calder.example>\nDate: "), "{}", got.text);
        assert!(got.text.contains("Subject: Fire report – draft\n"), "{}", got.text);
        assert!(got.text.contains("The dégâts are limited."), "{}", got.text);
        assert!(got.text.contains("Attachments: report.pdf"), "{}", got.text);
    }

    #[test]
    fn utf16_messages_are_read() {
        let raw = "From: a@example.org\nSubject: Hello\n\nBody text.\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(raw.encode_utf16().flat_map(u16::to_le_bytes));
        let got = EmailLoader.extract(&bytes).unwrap();
        assert_eq!(got.title.as_deref(), Some("Hello"));
        assert!(got.text.contains("Body text."), "{}", got.text);
    }

    #[test]
    fn text_that_is_not_an_email_is_rejected() {
        assert!(matches!(EmailLoader.extract(b""), Err(LoadError::Malformed("empty file"))));
        assert!(matches!(EmailLoader.extract(b"just some words, no headers at all"), Err(LoadError::Malformed(_))));
        assert!(matches!(EmailLoader.extract(b"\x00\x01\x02\x03"), Err(LoadError::Binary)));
    }

    #[test]
    fn html_keeps_visible_text_only() {
        let page = br#"<!DOCTYPE html><html><head><title> Harbour   fire </title><style>p{color:red}</style>
<script>var secret = "tracking";</script></head><body><h1>Fire at the warehouse</h1>
<p>Investigators from the <b>Fire Department</b> arrived.</p><div hidden>hidden draft</div>
<p style="display: none">also hidden</p><span aria-hidden="true">icon</span><noscript>enable js</noscript>
<ul><li>First</li><li>Second</li></ul><table><tr><td>Cell A</td><td>Cell B</td></tr></table><pre>  keep   spacing</pre>
</body></html>"#;
        let got = HtmlLoader.extract(page).unwrap();
        assert_eq!(got.title.as_deref(), Some("Harbour fire"));
        for visible in [
            "Fire at the warehouse",
            "Investigators from the Fire Department arrived.",
            "First\nSecond",
            "Cell A",
            "Cell B",
            "keep   spacing",
        ] {
            assert!(got.text.contains(visible), "{visible:?} in {:?}", got.text);
        }
        for invisible in ["tracking", "color", "hidden draft", "also hidden", "icon", "enable js", "Harbour"] {
            assert!(!got.text.contains(invisible), "{invisible:?} in {:?}", got.text);
        }
    }

    #[test]
    fn deeply_nested_html_does_not_overflow_the_stack() {
        // 10,000 levels. (html5ever's scope checks make parsing quadratic in depth, so a far deeper
        // page is slow rather than dangerous; the per-file time budget is what bounds it.)
        let page = format!("{}deep text{}", "<div><span>".repeat(5_000), "</span></div>".repeat(5_000));
        let got = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || HtmlLoader.extract(page.as_bytes()).map(|e| e.text.contains("deep text")))
            .unwrap()
            .join()
            .unwrap();
        assert!(matches!(got, Ok(true)));
    }

    #[test]
    fn html_in_a_legacy_encoding() {
        let got = HtmlLoader.extract(b"<html><body><p>Caf\xe9 \x93cr\xe8me\x94 \x80 5</p></body></html>").unwrap();
        assert_eq!(got.text, "Caf\u{e9} \u{201c}cr\u{e8}me\u{201d} \u{20ac} 5");
    }

    #[test]
    fn unknown_extensions_have_no_loader() {
        assert!(loader_for(Path::new("a.exe")).is_none());
        assert!(loader_for(Path::new("A.TXT")).is_some());
    }
}
