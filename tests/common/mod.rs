//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A writable copy of `tests/fixtures/corpus` and an empty data directory, both deleted on drop.
pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub folder: PathBuf,
    pub data: PathBuf,
}

impl Fixture {
    pub fn new() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let folder = dir.path().join("corpus");
        copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/corpus"), &folder);
        let data = dir.path().join("data");
        Fixture { dir, folder, data }
    }

    pub fn store(&self) -> dossier::store::Store {
        dossier::store::Store::at(self.data.clone())
    }

    /// Indexes `folder` to the end with `extractor` and `options` into this fixture's store; the
    /// run itself must not fail. Returns the reloaded index and the run's record.
    pub fn index(
        &self,
        folder: &Path,
        extractor: std::sync::Arc<dyn dossier::entities::Extractor>,
        options: dossier::pipeline::Options,
    ) -> (dossier::index::DocIndex, dossier::store::RunRecord) {
        let folder = folder.canonicalize().expect("folder");
        let (dir, index) = self.store().open_index(&folder).expect("index");
        let (record, error) =
            dossier::pipeline::run_blocking(folder, index.clone(), dir, extractor, options, |_| {}).expect("run");
        assert_eq!(error, None);
        index.reload().expect("reload");
        (index, record)
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read fixture dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
            let mut perms = std::fs::metadata(&target).expect("meta").permissions();
            #[allow(clippy::permissions_set_readonly_false)]
            perms.set_readonly(false);
            std::fs::set_permissions(&target, perms).expect("chmod");
        }
    }
}

/// A small but valid PDF: one page per entry of `pages` (lines of text in Helvetica; an empty
/// page has no text at all, like a scan), the `info` entries as its document information, and,
/// with `encrypted`, an encryption dictionary whose user password is not empty.
pub fn pdf(pages: &[&[&str]], info: &[(&str, &str)], encrypted: bool) -> Vec<u8> {
    let mut objects: Vec<String> = Vec::new();
    let n = pages.len();
    // 1 catalog, 2 page tree, 3 font, then page + content per page, then info, then encryption.
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 4 + 2 * i)).collect();
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".into());
    for (i, lines) in pages.iter().enumerate() {
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            5 + 2 * i
        ));
        let mut content = String::from("q 0.9 g 10 10 100 100 re f Q\n");
        if !lines.is_empty() {
            content.push_str("BT /F1 12 Tf 14 TL 72 720 Td\n");
            for line in lines.iter() {
                let escaped = line.replace('\\', "\\\\").replace('(', "\\(").replace(')', "\\)");
                content.push_str(&format!("({escaped}) Tj T*\n"));
            }
            content.push_str("ET\n");
        }
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let info_id = objects.len() + 1;
    let entries: Vec<String> = info.iter().map(|(k, v)| format!("/{k} ({v})")).collect();
    objects.push(format!("<< {} >>", entries.join(" ")));
    let mut trailer_extra = String::new();
    if encrypted {
        let hex32 =
            |seed: u8| (0..32u8).map(|b| format!("{:02x}", b.wrapping_mul(37).wrapping_add(seed))).collect::<String>();
        objects.push(format!("<< /Filter /Standard /V 1 /R 2 /O <{}> /U <{}> /P -44 >>", hex32(7), hex32(99)));
        trailer_extra = format!(" /Encrypt {} 0 R /ID [<{}> <{}>]", objects.len(), &hex32(1)[..32], &hex32(1)[..32]);
    }
    let mut out = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info {info_id} 0 R{trailer_extra} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// An e-mail message with `attachments` (name, bytes), base64-encoded.
pub fn message(from: &str, subject: &str, date: &str, body: &str, attachments: &[(&str, &[u8])]) -> String {
    let mut m = format!(
        "From: {from}\r\nTo: desk@paper.example\r\nDate: {date}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n"
    );
    if attachments.is_empty() {
        m.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"));
        return m;
    }
    m.push_str("Content-Type: multipart/mixed; boundary=\"BOUNDARY\"\r\n\r\n--BOUNDARY\r\n");
    m.push_str(&format!("Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"));
    for (name, bytes) in attachments {
        m.push_str(&format!(
            "--BOUNDARY\r\nContent-Type: application/octet-stream; name=\"{name}\"\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        ));
        let encoded = base64(bytes);
        for line in encoded.as_bytes().chunks(76) {
            m.push_str(std::str::from_utf8(line).unwrap());
            m.push_str("\r\n");
        }
    }
    m.push_str("--BOUNDARY--\r\n");
    m
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A zip archive of `members` (name, bytes): the container of DOCX, ODT, PPTX, XLSX and EPUB.
pub fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (name, data) in members {
            w.start_file(*name, opts).expect("zip member");
            w.write_all(data).expect("zip write");
        }
        w.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// An Outlook message (a compound file) holding the given MAPI property streams.
pub fn msg_file(streams: &[(String, Vec<u8>)]) -> Vec<u8> {
    use std::io::Write;
    let mut cf = cfb::CompoundFile::create(std::io::Cursor::new(Vec::new())).expect("compound file");
    for (path, data) in streams {
        if let Some((dir, _)) = path.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
            cf.create_storage_all(dir).expect("storage");
        }
        cf.create_stream(path).expect("stream").write_all(data).expect("write");
    }
    cf.flush().expect("flush");
    cf.into_inner().into_inner()
}

/// UTF-16LE, as MAPI string properties are stored.
pub fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}
