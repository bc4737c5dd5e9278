//! Outlook messages (`.msg`): a compound file (OLE2) of MAPI properties, read with the cfb
//! crate. The message reads like an `.eml`: From, To, Cc, Date and Subject lead the text and
//! are kept as fields, then the plain-text body (else the HTML body as text); attachments are
//! handed back raw, so readable ones become documents of their own.

use std::io::{Cursor, Read};

use super::{Attachment, Extracted, LoadError, Loader, decode_text};
use crate::model::{DocFormat, DocMeta};

/// Outlook messages.
pub struct MsgLoader;

/// Nothing read from one message may exceed this (streams are read whole).
const MAX_STREAM_BYTES: u64 = 64 * 1024 * 1024;

// MAPI property ids.
const SUBJECT: u16 = 0x0037;
const MESSAGE_CLASS: u16 = 0x001A;
const SENDER_NAME: u16 = 0x0C1A;
const SENDER_EMAIL: u16 = 0x0C1F;
const SENDER_SMTP: u16 = 0x5D01;
const DISPLAY_TO: u16 = 0x0E04;
const DISPLAY_CC: u16 = 0x0E03;
const BODY: u16 = 0x1000;
const HTML_BODY: u16 = 0x1013;
const SUBMIT_TIME: u16 = 0x0039;
const DELIVERY_TIME: u16 = 0x0E06;
const ATTACH_LONG_NAME: u16 = 0x3707;
const ATTACH_NAME: u16 = 0x3704;
const ATTACH_DATA: u16 = 0x3701;

type Compound<'a> = cfb::CompoundFile<Cursor<&'a [u8]>>;

impl Loader for MsgLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["msg"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Email
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        if !bytes.starts_with(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1") {
            return Err(LoadError::Malformed("not an Outlook message (no compound-file header)"));
        }
        let mut cf = cfb::CompoundFile::open(Cursor::new(bytes))
            .map_err(|_| LoadError::Malformed("damaged Outlook message: not a readable compound file"))?;
        let class = string(&mut cf, "", MESSAGE_CLASS).unwrap_or_default();
        if class.to_ascii_uppercase().contains("SMIME") && string(&mut cf, "", BODY).is_none() {
            return Err(LoadError::Malformed("encrypted e-mail (S/MIME): cannot be read"));
        }
        let subject = string(&mut cf, "", SUBJECT).unwrap_or_default().trim().to_owned();
        let sender_name = string(&mut cf, "", SENDER_NAME).unwrap_or_default();
        let sender_address = string(&mut cf, "", SENDER_SMTP)
            .or_else(|| string(&mut cf, "", SENDER_EMAIL))
            .filter(|a| a.contains('@'))
            .unwrap_or_default();
        let from = match (sender_name.trim(), sender_address.trim()) {
            ("", a) => a.to_owned(),
            (n, "") => n.to_owned(),
            (n, a) if n == a => a.to_owned(),
            (n, a) => format!("{n} <{a}>"),
        };
        let to = string(&mut cf, "", DISPLAY_TO).unwrap_or_default();
        let cc = string(&mut cf, "", DISPLAY_CC).unwrap_or_default();
        let sent = systime(&mut cf, SUBMIT_TIME).or_else(|| systime(&mut cf, DELIVERY_TIME));
        let date = sent.map(rfc2822).unwrap_or_default();
        let mut text = String::new();
        let mut fields = Vec::new();
        for (name, value) in
            [("From", from.clone()), ("To", to), ("Cc", cc), ("Date", date), ("Subject", subject.clone())]
        {
            let value = value.trim().to_owned();
            if !value.is_empty() {
                text.push_str(&format!("{name}: {value}\n"));
                fields.push((name.to_owned(), value));
            }
        }
        text.push('\n');
        let body = string(&mut cf, "", BODY).or_else(|| {
            let html = binary(&mut cf, "", HTML_BODY)?;
            Some(super::html_text(&decode_text(&html)).text)
        });
        if let Some(body) = body {
            text.push_str(body.trim_end());
            text.push_str("\n\n");
        }
        let (attachments, left_out) = attachments(&mut cf);
        if !attachments.is_empty() {
            let names: Vec<&str> = attachments.iter().map(|a| a.name.as_str()).collect();
            text.push_str(&format!("Attachments: {}\n", names.join(", ")));
        }
        if subject.is_empty() && from.is_empty() && text.trim().is_empty() {
            return Err(LoadError::Malformed("damaged Outlook message: no subject, sender or body"));
        }
        let author = if sender_name.trim().is_empty() { sender_address } else { sender_name };
        let meta = DocMeta {
            author: author.trim().to_owned(),
            created_ns: sent,
            modified_ns: sent,
            fields,
            truncated: left_out,
            ..DocMeta::default()
        };
        Ok(Extracted { title: (!subject.is_empty()).then_some(subject), text, meta, attachments })
    }
}

/// A stream's bytes, if it exists and is not larger than the limit.
fn stream(cf: &mut Compound<'_>, path: &str) -> Option<Vec<u8>> {
    let entry = cf.entry(path).ok()?;
    if !entry.is_stream() || entry.len() > MAX_STREAM_BYTES {
        return None;
    }
    let mut out = Vec::with_capacity(entry.len() as usize);
    cf.open_stream(path).ok()?.take(MAX_STREAM_BYTES).read_to_end(&mut out).ok()?;
    Some(out)
}

/// A string property of the storage at `dir` (`""` for the message itself): Unicode (type
/// 001F, UTF-16LE) or 8-bit (001E, in an encoding guessed from its bytes).
fn string(cf: &mut Compound<'_>, dir: &str, id: u16) -> Option<String> {
    if let Some(raw) = stream(cf, &format!("{dir}/__substg1.0_{id:04X}001F")) {
        let units: Vec<u16> = raw.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        return Some(String::from_utf16_lossy(&units).trim_end_matches('\0').to_owned());
    }
    let raw = stream(cf, &format!("{dir}/__substg1.0_{id:04X}001E"))?;
    Some(decode_text(&raw).trim_end_matches('\0').to_owned())
}

/// A binary property (type 0102).
fn binary(cf: &mut Compound<'_>, dir: &str, id: u16) -> Option<Vec<u8>> {
    stream(cf, &format!("{dir}/__substg1.0_{id:04X}0102"))
}

/// A time property of the message (type 0040, a FILETIME in the fixed-size property stream),
/// as nanoseconds since the Unix epoch.
fn systime(cf: &mut Compound<'_>, id: u16) -> Option<i64> {
    let props = stream(cf, "/__properties_version1.0")?;
    // The top-level message's stream has a 32-byte header, then 16-byte entries: tag (type in
    // the low half, id in the high half), flags, 8 bytes of value.
    let tag = (u32::from(id) << 16) | 0x0040;
    props.get(32..)?.chunks_exact(16).find_map(|e| {
        if u32::from_le_bytes([e[0], e[1], e[2], e[3]]) != tag {
            return None;
        }
        let filetime = u64::from_le_bytes([e[8], e[9], e[10], e[11], e[12], e[13], e[14], e[15]]);
        // 100 ns intervals since 1601-01-01.
        let unix_100ns = i64::try_from(filetime).ok()?.checked_sub(116_444_736_000_000_000)?;
        unix_100ns.checked_mul(100).filter(|ns| *ns > 0)
    })
}

/// `Tue, 12 Mar 2024 09:30:00 +0000`.
fn rfc2822(ns: i64) -> String {
    let Ok(t) = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ns)) else { return String::new() };
    let weekday = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][t.weekday().number_days_from_monday() as usize];
    let month =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][t.month() as usize - 1];
    format!("{weekday}, {} {month} {} {:02}:{:02}:{:02} +0000", t.day(), t.year(), t.hour(), t.minute(), t.second())
}

/// At most this many attachments of one message are read.
const MAX_ATTACHMENTS: usize = 1000;

/// The message's file attachments (name and bytes), in storage order, and whether some were
/// left out: past [`MAX_ATTACHMENTS`], or once they add up to [`MAX_STREAM_BYTES`] (a crafted
/// file can point thousands of entries at one large sector chain).
fn attachments(cf: &mut Compound<'_>) -> (Vec<Attachment>, bool) {
    let mut dirs: Vec<String> = cf
        .read_root_storage()
        .filter(|e| e.is_storage() && e.name().starts_with("__attach_version1.0_"))
        .map(|e| format!("/{}", e.name()))
        .collect();
    dirs.sort();
    let mut left_out = dirs.len() > MAX_ATTACHMENTS;
    let mut out = Vec::new();
    let mut total = 0u64;
    for dir in dirs.into_iter().take(MAX_ATTACHMENTS) {
        let Some(name) = string(cf, &dir, ATTACH_LONG_NAME).or_else(|| string(cf, &dir, ATTACH_NAME)) else { continue };
        let size = cf.entry(format!("{dir}/__substg1.0_{ATTACH_DATA:04X}0102")).map_or(0, |e| e.len());
        if total + size > MAX_STREAM_BYTES {
            left_out = true;
            break;
        }
        let Some(bytes) = binary(cf, &dir, ATTACH_DATA) else { continue };
        total += bytes.len() as u64;
        if !name.trim().is_empty() {
            out.push(Attachment { name: name.trim().to_owned(), bytes });
        }
    }
    (out, left_out)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// A minimal Outlook message with the given streams.
    fn msg(streams: &[(&str, Vec<u8>)]) -> Vec<u8> {
        let mut cf = cfb::CompoundFile::create(Cursor::new(Vec::new())).unwrap();
        for (path, data) in streams {
            if let Some((dir, _)) = path.rsplit_once('/').filter(|(d, _)| !d.is_empty()) {
                cf.create_storage_all(dir).unwrap();
            }
            cf.create_stream(path).unwrap().write_all(data).unwrap();
        }
        cf.flush().unwrap();
        cf.into_inner().into_inner()
    }

    #[test]
    fn headers_body_date_and_attachments() {
        // 2024-03-12 09:30:00 UTC as a FILETIME.
        let filetime: u64 = (1_710_235_800 + 11_644_473_600) * 10_000_000;
        let mut props = vec![0u8; 32];
        props.extend(((u32::from(SUBMIT_TIME) << 16) | 0x0040).to_le_bytes());
        props.extend(6u32.to_le_bytes());
        props.extend(filetime.to_le_bytes());
        let bytes = msg(&[
            ("/__substg1.0_0037001F", utf16("Crane inspection")),
            ("/__substg1.0_0C1A001F", utf16("Helen Ward")),
            ("/__substg1.0_5D01001F", utf16("h.ward@northport.example")),
            ("/__substg1.0_0E04001F", utf16("Tom Becker")),
            ("/__substg1.0_1000001F", utf16("The cranes at Northport Harbour need repairs.")),
            ("/__properties_version1.0", props),
            ("/__attach_version1.0_#00000000/__substg1.0_3707001F", utf16("notes.txt")),
            ("/__attach_version1.0_#00000000/__substg1.0_37010102", b"Crane 2: cracked boom.".to_vec()),
        ]);
        let got = MsgLoader.extract(&bytes).unwrap();
        assert_eq!(got.title.as_deref(), Some("Crane inspection"));
        assert_eq!(
            got.text,
            "From: Helen Ward <h.ward@northport.example>\nTo: Tom Becker\nDate: Tue, 12 Mar 2024 09:30:00 +0000\n\
Subject: Crane inspection\n\nThe cranes at Northport Harbour need repairs.\n\nAttachments: notes.txt\n"
        );
        assert_eq!(got.meta.author, "Helen Ward");
        assert_eq!(got.meta.created_ns, Some(1_710_235_800_000_000_000));
        assert_eq!(
            got.attachments,
            vec![Attachment { name: "notes.txt".into(), bytes: b"Crane 2: cracked boom.".to_vec() }]
        );
    }

    #[test]
    fn attachments_stop_at_their_count_and_size_limits() {
        let mut streams = vec![("/__substg1.0_0037001E".to_owned(), b"Many".to_vec())];
        for i in 0..MAX_ATTACHMENTS + 5 {
            let dir = format!("/__attach_version1.0_#{i:08X}");
            streams.push((format!("{dir}/__substg1.0_3707001F"), utf16("n.txt")));
            streams.push((format!("{dir}/__substg1.0_37010102"), b"x".to_vec()));
        }
        let refs: Vec<(&str, Vec<u8>)> = streams.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let got = MsgLoader.extract(&msg(&refs)).unwrap();
        assert_eq!(got.attachments.len(), MAX_ATTACHMENTS);
        assert!(got.meta.truncated);

        let big = vec![b'a'; (MAX_STREAM_BYTES / 2 + 1) as usize];
        let mut streams = vec![("/__substg1.0_0037001E".to_owned(), b"Big".to_vec())];
        for dir in ["/__attach_version1.0_#00000000", "/__attach_version1.0_#00000001"] {
            streams.push((format!("{dir}/__substg1.0_3707001F"), utf16("a.txt")));
            streams.push((format!("{dir}/__substg1.0_37010102"), big.clone()));
        }
        let refs: Vec<(&str, Vec<u8>)> = streams.iter().map(|(p, d)| (p.as_str(), d.clone())).collect();
        let got = MsgLoader.extract(&msg(&refs)).unwrap();
        assert_eq!(got.attachments.len(), 1, "the second would pass the size limit");
        assert!(got.meta.truncated);
    }

    #[test]
    fn html_only_encrypted_and_broken_messages() {
        let html = msg(&[
            ("/__substg1.0_0037001E", b"Caf\xe9 report".to_vec()),
            ("/__substg1.0_10130102", b"<html><body><p>Visible</p><script>hidden()</script></body></html>".to_vec()),
        ]);
        let got = MsgLoader.extract(&html).unwrap();
        assert_eq!(got.title.as_deref(), Some("Café report"));
        assert!(got.text.ends_with("\n\nVisible\n\n"), "{:?}", got.text);
        let smime = msg(&[("/__substg1.0_001A001F", utf16("IPM.Note.SMIME"))]);
        assert!(matches!(MsgLoader.extract(&smime), Err(LoadError::Malformed(m)) if m.starts_with("encrypted")));
        assert!(matches!(MsgLoader.extract(b"From: not an outlook file"), Err(LoadError::Malformed(_))));
        let mut cut = html.clone();
        cut.truncate(600);
        assert!(matches!(MsgLoader.extract(&cut), Err(LoadError::Malformed(_))));
    }
}
