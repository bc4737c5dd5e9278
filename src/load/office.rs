//! Office documents: DOCX (Word), ODT (OpenDocument text), PPTX (PowerPoint) and XLSX (Excel).
//! All are zip archives of XML; paragraphs, tables, headers and footers, slides and sheet rows
//! become lines of text, and the document properties give title, author and dates.
//! Decompression is bounded, so a zip bomb is reported, not unpacked.

use std::io::Read;

use quick_xml::events::Event;

use super::{Extracted, LoadError, Loader, dates, tidy_lines};
use crate::model::{DocFormat, DocMeta};

/// The most bytes one archive member may unpack to.
const MAX_MEMBER_BYTES: u64 = 64 * 1024 * 1024;
/// The most bytes all members together may unpack to.
const MAX_TOTAL_BYTES: u64 = 256 * 1024 * 1024;

/// Word documents (`.docx`).
pub struct DocxLoader;

/// OpenDocument text (`.odt`).
pub struct OdtLoader;

/// PowerPoint presentations (`.pptx`): each slide is a page.
pub struct PptxLoader;

/// Excel workbooks (`.xlsx`): each sheet's rows as lines, cells separated by tabs.
pub struct XlsxLoader;

/// E-books (`.epub`): the visible text of each XHTML file, in reading (spine) order.
pub struct EpubLoader;

impl Loader for DocxLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["docx", "docm"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Docx
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut zip = Archive::open(bytes, &DOCX)?;
        let body =
            zip.member("word/document.xml")?.ok_or(LoadError::Malformed("damaged DOCX: no word/document.xml"))?;
        let mut names: Vec<String> = zip
            .names()
            .filter(|n| (n.starts_with("word/header") || n.starts_with("word/footer")) && n.ends_with(".xml"))
            .collect();
        names.sort();
        let mut text = String::new();
        let mut whole = true;
        for name in names.iter().filter(|n| n.starts_with("word/header")) {
            if let Some(xml) = zip.member(name)? {
                whole = whole && push_xml_text(&mut text, &xml, Dialect::Word);
            }
        }
        whole = whole && push_xml_text(&mut text, &body, Dialect::Word);
        for name in names.iter().filter(|n| n.starts_with("word/footer")) {
            if let Some(xml) = zip.member(name)? {
                whole = whole && push_xml_text(&mut text, &xml, Dialect::Word);
            }
        }
        let (title, mut meta) = core_properties(&mut zip)?;
        meta.truncated = !whole;
        Ok(Extracted { title, text: tidy_lines(&text), meta, attachments: Vec::new() })
    }
}

impl Loader for OdtLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["odt"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Odt
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut zip = Archive::open(bytes, &ODT)?;
        let body = zip.member("content.xml")?.ok_or(LoadError::Malformed("damaged ODT: no content.xml"))?;
        let props = zip.member("meta.xml")?.unwrap_or_default();
        let mut text = String::new();
        let whole = push_xml_text(&mut text, &body, Dialect::Odf);
        let meta = DocMeta {
            truncated: !whole,
            author: element_text(&props, "meta:initial-creator")
                .or_else(|| element_text(&props, "dc:creator"))
                .unwrap_or_default(),
            created_ns: element_text(&props, "meta:creation-date").and_then(|d| dates::iso8601_ns(&d)),
            modified_ns: element_text(&props, "dc:date").and_then(|d| dates::iso8601_ns(&d)),
            ..DocMeta::default()
        };
        let text = tidy_lines(&text);
        Ok(Extracted { title: element_text(&props, "dc:title"), text, meta, attachments: Vec::new() })
    }
}

impl Loader for PptxLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["pptx", "pptm"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Pptx
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut zip = Archive::open(bytes, &PPTX)?;
        let slides = numbered(zip.names(), "ppt/slides/slide");
        if slides.is_empty() {
            return Err(LoadError::Malformed("damaged PPTX: no slides"));
        }
        let mut text = String::new();
        let mut pages = Vec::with_capacity(slides.len());
        let mut whole = true;
        for name in &slides {
            if !whole {
                break;
            }
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            pages.push(u32::try_from(text.len()).unwrap_or(u32::MAX));
            if let Some(xml) = zip.member(name)? {
                let mut slide = String::new();
                whole = push_xml_text(&mut slide, &xml, Dialect::Word);
                text.push_str(&tidy_lines(&slide));
            }
        }
        let (title, mut meta) = core_properties(&mut zip)?;
        meta.pages = pages;
        meta.truncated = !whole;
        Ok(Extracted { title, text, meta, attachments: Vec::new() })
    }
}

impl Loader for XlsxLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["xlsx", "xlsm"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Xlsx
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut zip = Archive::open(bytes, &XLSX)?;
        let shared = zip.member("xl/sharedStrings.xml")?.map(|xml| shared_strings(&xml)).unwrap_or_default();
        let names =
            zip.member("xl/workbook.xml")?.map(|xml| attribute_values(&xml, "sheet", "name")).unwrap_or_default();
        let sheets = numbered(zip.names(), "xl/worksheets/sheet");
        if sheets.is_empty() {
            return Err(LoadError::Malformed("damaged XLSX: no worksheets"));
        }
        let mut text = String::new();
        let mut cut = false;
        for (i, name) in sheets.iter().enumerate() {
            if cut {
                break;
            }
            let Some(xml) = zip.member(name)? else { continue };
            let room = super::output_limit().saturating_sub(text.len());
            let rows;
            (rows, cut) = sheet_rows(&xml, &shared, room);
            if rows.trim().is_empty() {
                continue;
            }
            // Sheets are listed in the workbook in the order of their files' numbers.
            let sheet = names.get(i).cloned().unwrap_or_else(|| format!("Sheet {}", i + 1));
            text.push_str(&format!("{sheet}\n{rows}\n"));
        }
        let (title, mut meta) = core_properties(&mut zip)?;
        meta.truncated = cut;
        Ok(Extracted { title, text: tidy_lines(&text), meta, attachments: Vec::new() })
    }
}

impl Loader for EpubLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["epub"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Epub
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut zip = Archive::open(bytes, &EPUB)?;
        let container = zip.member("META-INF/container.xml")?.unwrap_or_default();
        let opf_path = attribute_values(&container, "rootfile", "full-path")
            .into_iter()
            .next()
            .or_else(|| zip.names().find(|n| n.ends_with(".opf")))
            .ok_or(LoadError::Malformed("damaged EPUB: no package (.opf) file"))?;
        let opf = zip.member(&opf_path)?.ok_or(LoadError::Malformed("damaged EPUB: no package (.opf) file"))?;
        let base = opf_path.rfind('/').map_or("", |i| &opf_path[..=i]);
        let mut text = String::new();
        for href in spine(&opf) {
            let Some(page) = zip.member(&format!("{base}{}", percent_decode(&href)))? else { continue };
            let chapter = super::html_text(&page).text;
            if !chapter.is_empty() {
                text.push_str(&chapter);
                text.push_str("\n\n");
            }
        }
        if text.trim().is_empty() {
            return Err(LoadError::NoText);
        }
        let meta = DocMeta {
            author: element_text(&opf, "dc:creator").unwrap_or_default(),
            created_ns: element_text(&opf, "dc:date").and_then(|d| dates::iso8601_ns(&d)),
            ..DocMeta::default()
        };
        Ok(Extracted { title: element_text(&opf, "dc:title"), text: tidy_lines(&text), meta, attachments: Vec::new() })
    }
}

/// The content files of an EPUB package in reading order: the spine's `itemref`s looked up in
/// the manifest's `item`s.
fn spine(opf: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(opf);
    let mut items: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut order = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                "item" => {
                    if let (Some(id), Some(href)) = (attribute(&e, "id"), attribute(&e, "href")) {
                        items.insert(id, href);
                    }
                }
                "itemref" => order.extend(attribute(&e, "idref")),
                _ => {}
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    order.into_iter().filter_map(|id| items.get(&id).cloned()).collect()
}

/// `%20` and other percent escapes in a package path, decoded (invalid ones kept as written).
fn percent_decode(href: &str) -> String {
    let bytes = href.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Title, author and dates from `docProps/core.xml` (DOCX, PPTX, XLSX).
fn core_properties(zip: &mut Archive<'_>) -> Result<(Option<String>, DocMeta), LoadError> {
    let props = zip.member("docProps/core.xml")?.unwrap_or_default();
    let meta = DocMeta {
        author: element_text(&props, "dc:creator").unwrap_or_default(),
        created_ns: element_text(&props, "dcterms:created").and_then(|d| dates::iso8601_ns(&d)),
        modified_ns: element_text(&props, "dcterms:modified").and_then(|d| dates::iso8601_ns(&d)),
        ..DocMeta::default()
    };
    Ok((element_text(&props, "dc:title"), meta))
}

/// Members named `{prefix}N.xml`, in the order of N (`slide2` before `slide10`).
fn numbered(names: impl Iterator<Item = String>, prefix: &str) -> Vec<String> {
    let mut found: Vec<(u32, String)> = names
        .filter_map(|n| {
            let number = n.strip_prefix(prefix)?.strip_suffix(".xml")?.parse().ok()?;
            Some((number, n))
        })
        .collect();
    found.sort();
    found.into_iter().map(|(_, n)| n).collect()
}

/// The strings of `xl/sharedStrings.xml`, in order: each `<si>` is the text of its `<t>`s.
fn shared_strings(xml: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    let mut current = String::new();
    let mut in_t = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == "t" => in_t = true,
            Ok(Event::End(e)) => match e.name().as_ref() {
                "t" => in_t = false,
                "si" => out.push(std::mem::take(&mut current)),
                _ => {}
            },
            Ok(Event::Empty(e)) if e.name().as_ref() == "si" => out.push(String::new()),
            Ok(Event::Text(t)) if in_t => current.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_t => push_ref(&mut current, &r),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Every `attr` of the elements named `element` (the sheet names of `xl/workbook.xml`).
fn attribute_values(xml: &str, element: &str, attr: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if e.name().as_ref() == element => {
                if let Some(value) = attribute(&e, attr) {
                    out.push(value);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// The value of attribute `name`, its entities resolved.
fn attribute(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    let a = e.try_get_attribute(name).ok()??;
    a.normalized_value(quick_xml::XmlVersion::default()).ok().map(|v| v.into_owned())
}

/// A worksheet's rows, one line each, cells separated by tabs: shared strings looked up,
/// inline strings and values as written. Stops before `room` bytes (one shared string may be
/// referenced by every cell) and then says it was cut.
fn sheet_rows(xml: &str, shared: &[String], room: usize) -> (String, bool) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut row_bytes = 0usize;
    let mut cell_type = String::new();
    let mut value = String::new();
    let mut in_value = false;
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "c" => {
                    cell_type = attribute(&e, "t").unwrap_or_default();
                    value.clear();
                }
                "v" | "t" => in_value = true,
                _ => {}
            },
            Ok(Event::End(e)) => match e.name().as_ref() {
                "v" | "t" => in_value = false,
                "c" => {
                    let shown = match cell_type.as_str() {
                        "s" => {
                            value.trim().parse::<usize>().ok().and_then(|i| shared.get(i)).cloned().unwrap_or_default()
                        }
                        "b" => if value.trim() == "1" { "TRUE" } else { "FALSE" }.to_owned(),
                        _ => value.trim().to_owned(),
                    };
                    row_bytes += shown.len() + 1;
                    if out.len() + row_bytes > room {
                        // The cells of this row that fit.
                        out.push_str(&row.join("\t"));
                        return (out, true);
                    }
                    row.push(shown);
                }
                "row" => {
                    row_bytes = 0;
                    while row.last().is_some_and(String::is_empty) {
                        row.pop();
                    }
                    if !row.is_empty() {
                        out.push_str(&row.join("\t"));
                        out.push('\n');
                    }
                    row.clear();
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_value => value.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) if in_value => push_ref(&mut value, &r),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    (out, false)
}

/// How a zip-based format's damage is reported.
struct ZipFormat {
    not_zip: &'static str,
    bad_member: &'static str,
}

const DOCX: ZipFormat = ZipFormat {
    not_zip: "damaged DOCX: not a valid zip archive",
    bad_member: "damaged DOCX: a member cannot be unpacked",
};
const ODT: ZipFormat = ZipFormat {
    not_zip: "damaged ODT: not a valid zip archive",
    bad_member: "damaged ODT: a member cannot be unpacked",
};
const PPTX: ZipFormat = ZipFormat {
    not_zip: "damaged PPTX: not a valid zip archive",
    bad_member: "damaged PPTX: a member cannot be unpacked",
};
const XLSX: ZipFormat = ZipFormat {
    not_zip: "damaged XLSX: not a valid zip archive",
    bad_member: "damaged XLSX: a member cannot be unpacked",
};
const EPUB: ZipFormat = ZipFormat {
    not_zip: "damaged EPUB: not a valid zip archive",
    bad_member: "damaged EPUB: a member cannot be unpacked",
};

/// A zip archive read with limits.
struct Archive<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    unpacked: u64,
    format: &'static ZipFormat,
}

impl<'a> Archive<'a> {
    fn open(bytes: &'a [u8], format: &'static ZipFormat) -> Result<Archive<'a>, LoadError> {
        if bytes.starts_with(b"\xD0\xCF\x11\xE0") {
            return Err(LoadError::Malformed("encrypted or old-format (OLE) document: not supported"));
        }
        let zip =
            zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|_| LoadError::Malformed(format.not_zip))?;
        Ok(Archive { zip, unpacked: 0, format })
    }

    fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.zip.file_names().filter_map(|n| n.ok().map(|n| n.into_owned()))
    }

    /// The member `name` as text, `None` if absent.
    fn member(&mut self, name: &str) -> Result<Option<String>, LoadError> {
        let damaged = || LoadError::Malformed(self.format.bad_member);
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(zip::result::ZipError::UnsupportedArchive(_)) => {
                return Err(LoadError::Malformed("encrypted or unsupported archive"));
            }
            Err(_) => return Err(damaged()),
        };
        let budget = MAX_MEMBER_BYTES.min(MAX_TOTAL_BYTES.saturating_sub(self.unpacked));
        let mut out = Vec::new();
        (&mut file).take(budget + 1).read_to_end(&mut out).map_err(|_| damaged())?;
        if out.len() as u64 > budget {
            return Err(LoadError::Malformed("unpacks to too much data (a zip bomb?)"));
        }
        self.unpacked += out.len() as u64;
        Ok(Some(String::from_utf8_lossy(&out).into_owned()))
    }
}

/// Appends what an entity or character reference stands for (`&amp;`, `&#233;`); unknown
/// entities are dropped.
pub(super) fn push_ref(out: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if let Ok(Some(c)) = r.resolve_char_ref() {
        out.push(c);
    } else {
        out.push_str(match r.xml10_content().as_ref() {
            "amp" => "&",
            "lt" => "<",
            "gt" => ">",
            "quot" => "\"",
            "apos" => "'",
            _ => "",
        });
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Dialect {
    /// WordprocessingML and DrawingML (slides): text lives in `w:t` / `a:t` only.
    Word,
    /// OpenDocument: all character data inside the body is text.
    Odf,
}

/// Appends the text of an office XML part to `text` as long as `text` stays within the output
/// limit; `false` when the part was cut there.
fn push_xml_text(text: &mut String, xml: &str, dialect: Dialect) -> bool {
    let room = super::output_limit().saturating_sub(text.len());
    let (part, cut) = xml_text(xml, dialect, room);
    text.push_str(&part);
    !cut
}

/// The text of an office XML part: paragraphs and table rows end lines, cells are separated by
/// tabs. Stops once past `room` bytes (`<text:s text:c="1000"/>` repeated expands 40 times),
/// saying it was cut.
fn xml_text(xml: &str, dialect: Dialect, room: usize) -> (String, bool) {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = String::new();
    let mut in_text = 0usize;
    loop {
        if out.len() > room {
            return (out, true);
        }
        match reader.read_event() {
            Ok(Event::Start(e)) => match e.name().as_ref() {
                "w:t" | "a:t" => in_text += 1,
                "w:tab" | "text:tab" => out.push('\t'),
                _ => {}
            },
            Ok(Event::Empty(e)) => match e.name().as_ref() {
                "w:tab" | "text:tab" => out.push('\t'),
                "w:br" | "w:cr" | "text:line-break" | "a:br" => out.push('\n'),
                "text:s" => {
                    let n = e
                        .try_get_attribute("text:c")
                        .ok()
                        .flatten()
                        .and_then(|a| a.value.parse::<usize>().ok())
                        .unwrap_or(1);
                    out.extend(std::iter::repeat_n(' ', n.min(1000)));
                }
                "w:p" | "text:p" | "text:h" => out.push('\n'),
                _ => {}
            },
            Ok(Event::End(e)) => match e.name().as_ref() {
                "w:t" | "a:t" => in_text = in_text.saturating_sub(1),
                "w:p" | "text:p" | "text:h" | "w:tr" | "table:table-row" | "a:p" | "a:tr" => out.push('\n'),
                "w:tc" | "table:table-cell" | "a:tc" => out.push('\t'),
                _ => {}
            },
            Ok(Event::Text(t)) if dialect == Dialect::Odf || in_text > 0 => out.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) if dialect == Dialect::Odf || in_text > 0 => {
                out.push_str(&t.into_inner());
            }
            Ok(Event::GeneralRef(r)) if dialect == Dialect::Odf || in_text > 0 => push_ref(&mut out, &r),
            Ok(Event::Eof) => break,
            // Damaged XML: keep what was read so far.
            Err(_) => break,
            _ => {}
        }
    }
    (out, false)
}

/// The text of the first element named `name` (e.g. `dc:title`), if non-empty.
fn element_text(xml: &str, name: &str) -> Option<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut inside = false;
    let mut out = String::new();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) if e.name().as_ref() == name => inside = true,
            Ok(Event::End(e)) if e.name().as_ref() == name => break,
            Ok(Event::Text(t)) if inside => out.push_str(&t.xml10_content()),
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    let out = out.split_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
            for (name, data) in members {
                w.start_file(*name, opts).unwrap();
                w.write_all(data).unwrap();
            }
            w.finish().unwrap();
        }
        buf.into_inner()
    }

    const DOCUMENT: &str = r#"<?xml version="1.0"?><w:document xmlns:w="x"><w:body>
<w:p><w:r><w:t>Fire at the </w:t></w:r><w:r><w:t xml:space="preserve">Calder &amp; Sons warehouse</w:t></w:r></w:p>
<w:p><w:r><w:instrText>PAGE \* MERGEFORMAT</w:instrText><w:t>Second</w:t><w:tab/><w:t>paragraph</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Cell A</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Cell B</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#;

    #[test]
    fn docx_paragraphs_tables_headers_and_title() {
        let docx = zip_of(&[
            ("word/document.xml", DOCUMENT.as_bytes()),
            ("word/header1.xml", br#"<w:hdr xmlns:w="x"><w:p><w:r><w:t>CONFIDENTIAL</w:t></w:r></w:p></w:hdr>"#),
            (
                "docProps/core.xml",
                br#"<cp:coreProperties xmlns:dc="d" xmlns:cp="c" xmlns:dcterms="t"><dc:title>Harbour report</dc:title>
<dc:creator>Helen Ward</dc:creator><dcterms:created>2024-03-12T09:30:00Z</dcterms:created>
<dcterms:modified>2024-03-13T10:00:00Z</dcterms:modified></cp:coreProperties>"#,
            ),
        ]);
        let got = DocxLoader.extract(&docx).unwrap();
        assert_eq!(got.title.as_deref(), Some("Harbour report"));
        assert_eq!(got.meta.author, "Helen Ward");
        assert_eq!(got.meta.created_ns, Some(1_710_235_800_000_000_000));
        assert_eq!(got.meta.modified_ns, Some(1_710_235_800_000_000_000 + 88_200_000_000_000));
        assert!(got.text.starts_with("CONFIDENTIAL\n"), "{:?}", got.text);
        assert!(got.text.contains("Fire at the Calder & Sons warehouse\n"), "{:?}", got.text);
        assert!(got.text.contains("Second\tparagraph"), "{:?}", got.text);
        assert!(got.text.contains("Cell A"), "{:?}", got.text);
        assert!(!got.text.contains("MERGEFORMAT"), "field codes are not text: {:?}", got.text);
    }

    #[test]
    fn pptx_slides_in_order_are_pages() {
        let slide = |text: &str| {
            format!(
                r#"<p:sld xmlns:a="a" xmlns:p="p"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p>
<a:p><a:r><a:t>second line</a:t></a:r><a:br/><a:r><a:t>after break</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
            )
        };
        let (one, two, ten) = (slide("Harbour plan"), slide("Budget &amp; costs"), slide("Questions"));
        let pptx = zip_of(&[
            ("ppt/slides/slide10.xml", ten.as_bytes()),
            ("ppt/slides/slide2.xml", two.as_bytes()),
            ("ppt/slides/slide1.xml", one.as_bytes()),
            (
                "docProps/core.xml",
                br#"<c xmlns:dc="d"><dc:title>Board deck</dc:title><dc:creator>Ann Lee</dc:creator></c>"#,
            ),
        ]);
        let got = PptxLoader.extract(&pptx).unwrap();
        assert_eq!((got.title.as_deref(), got.meta.author.as_str()), (Some("Board deck"), "Ann Lee"));
        assert!(got.text.starts_with("Harbour plan\nsecond line\nafter break\n\nBudget & costs"), "{:?}", got.text);
        assert_eq!(got.meta.pages.len(), 3);
        let third = got.meta.pages[2] as usize;
        assert!(got.text[third..].starts_with("Questions"), "{:?}", &got.text[third..]);
        assert!(matches!(PptxLoader.extract(&zip_of(&[("x.xml", b"<x/>")])), Err(LoadError::Malformed(_))));
    }

    #[test]
    fn xlsx_sheets_rows_and_shared_strings() {
        let workbook = br#"<workbook><sheets><sheet name="Payments" sheetId="1"/><sheet name="Notes &amp; more" sheetId="2"/></sheets></workbook>"#;
        let strings = br#"<sst><si><t>Payee</t></si><si><t>Amount</t></si><si><r><t>Calder </t></r><r><t>Shipping</t></r></si></sst>"#;
        let sheet1 = br#"<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>
<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>2400000</v></c><c r="C2" t="b"><v>1</v></c></row></sheetData></worksheet>"#;
        let sheet2 = br#"<worksheet><sheetData><row><c t="inlineStr"><is><t>Paid late</t></is></c></row></sheetData></worksheet>"#;
        let xlsx = zip_of(&[
            ("xl/workbook.xml", workbook),
            ("xl/sharedStrings.xml", strings),
            ("xl/worksheets/sheet1.xml", sheet1),
            ("xl/worksheets/sheet2.xml", sheet2),
        ]);
        let got = XlsxLoader.extract(&xlsx).unwrap();
        assert_eq!(got.text, "Payments\nPayee\tAmount\nCalder Shipping\t2400000\tTRUE\n\nNotes & more\nPaid late");
    }

    #[test]
    fn repeated_space_runs_are_cut_at_the_output_limit() {
        // Each 25-byte element stands for 1,000 spaces.
        let body = format!(
            "<office:document-content><text:p>a{}b</text:p></office:document-content>",
            r#"<text:s text:c="1000"/>"#.repeat(100_000)
        );
        let odt = zip_of(&[("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", body.as_bytes())]);
        let got = super::super::with_output_limit(4 << 20, || OdtLoader.extract(&odt)).unwrap();
        assert!(got.meta.truncated);
        let docx = zip_of(&[("word/document.xml", b"<w:document><w:p><w:t>short</w:t></w:p></w:document>")]);
        assert!(!DocxLoader.extract(&docx).unwrap().meta.truncated);
    }

    #[test]
    fn one_shared_string_in_every_cell_is_cut_at_the_output_limit() {
        // 17 KB compressed: one 1 MB string referenced by 3,000 cells would be 3 GB of text.
        let strings = format!("<sst><si><t>{}</t></si></sst>", "lighthouse ".repeat(100_000));
        let cells = r#"<c t="s"><v>0</v></c>"#.repeat(100);
        let sheet =
            format!("<worksheet><sheetData>{}</sheetData></worksheet>", format!("<row>{cells}</row>").repeat(30));
        let xlsx =
            zip_of(&[("xl/sharedStrings.xml", strings.as_bytes()), ("xl/worksheets/sheet1.xml", sheet.as_bytes())]);
        assert!(xlsx.len() < 64 * 1024, "{}", xlsx.len());
        let got = super::super::with_output_limit(4 << 20, || XlsxLoader.extract(&xlsx)).unwrap();
        assert!(got.meta.truncated);
        assert!(got.text.len() <= 4 << 20 && got.text.len() > 2 << 20, "{}", got.text.len());
    }

    #[test]
    fn epub_text_in_spine_order() {
        let opf = br#"<package xmlns:dc="d"><metadata><dc:title>Winter Sports</dc:title><dc:creator>E. F. Benson</dc:creator>
<dc:date>2019-08-23</dc:date></metadata><manifest><item id="b" href="text/two%20b.html"/><item id="a" href="text/one.html"/>
<item id="css" href="style.css"/></manifest><spine><itemref idref="a"/><itemref idref="b"/></spine></package>"#;
        let epub = zip_of(&[
            (
                "META-INF/container.xml",
                br#"<container><rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>"#,
            ),
            ("OEBPS/content.opf", opf),
            ("OEBPS/text/two b.html", b"<html><body><p>Second chapter: the ski run.</p></body></html>"),
            (
                "OEBPS/text/one.html",
                b"<html><head><style>p{}</style></head><body><h1>Davos</h1><p>First chapter.</p></body></html>",
            ),
        ]);
        let got = EpubLoader.extract(&epub).unwrap();
        assert_eq!((got.title.as_deref(), got.meta.author.as_str()), (Some("Winter Sports"), "E. F. Benson"));
        assert_eq!(got.text, "Davos\n\nFirst chapter.\n\nSecond chapter: the ski run.");
        assert!(got.meta.created_ns.is_some());
        assert!(matches!(EpubLoader.extract(&zip_of(&[("x", b"y")])), Err(LoadError::Malformed(_))));
    }

    #[test]
    fn odt_text_and_spaces() {
        let content = br#"<office:document-content xmlns:office="o" xmlns:text="t"><office:body><office:text>
<text:h>Minutes</text:h><text:p>Present:<text:s text:c="2"/>Maria<text:tab/>Lopez</text:p></office:text></office:body></office:document-content>"#;
        let odt = zip_of(&[
            ("content.xml", content),
            (
                "meta.xml",
                br#"<m xmlns:dc="d" xmlns:meta="m"><dc:title>Budget</dc:title>
<meta:initial-creator>Maria Lopez</meta:initial-creator><dc:creator>Tom Becker</dc:creator>
<meta:creation-date>2024-03-12T09:30:00</meta:creation-date></m>"#,
            ),
        ]);
        let got = OdtLoader.extract(&odt).unwrap();
        assert_eq!(got.title.as_deref(), Some("Budget"));
        assert_eq!((got.meta.author.as_str(), got.meta.created_ns), ("Maria Lopez", Some(1_710_235_800_000_000_000)));
        assert_eq!(got.text, "Minutes\nPresent:  Maria\tLopez");
    }

    #[test]
    fn broken_encrypted_and_bomb_archives_are_reported() {
        assert!(
            matches!(DocxLoader.extract(b"PK\x03\x04 truncated"), Err(LoadError::Malformed(m)) if m.contains("damaged"))
        );
        assert!(
            matches!(DocxLoader.extract(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest"), Err(LoadError::Malformed(m)) if m.contains("encrypted"))
        );
        let no_body = zip_of(&[("docProps/core.xml", b"<x/>")]);
        assert!(
            matches!(DocxLoader.extract(&no_body), Err(LoadError::Malformed(m)) if m.contains("no word/document.xml"))
        );
        // 65 MB of zeros packs into ~64 KB; unpacking stops at the member limit.
        let zeros = vec![b'0'; (MAX_MEMBER_BYTES + 1024 * 1024) as usize];
        let bomb = zip_of(&[("word/document.xml", &zeros)]);
        assert!(bomb.len() < 1024 * 1024);
        assert!(matches!(DocxLoader.extract(&bomb), Err(LoadError::Malformed(m)) if m.contains("zip bomb")));
    }
}
