//! E-mail: single messages (`.eml`) and mailboxes (`.mbox`, one document per message).
//!
//! A message's From, To, Cc, Date and Subject lead its text, so they are shown and searchable,
//! and are kept as fields; the sender is the author and the Date header the creation date.
//! Attachments are handed back raw: [`super::load_file`] turns those in a readable format into
//! documents of their own, linked to their message.

use std::io::{BufRead, BufReader, Read};
use std::ops::ControlFlow;

use mail_parser::MimeHeaders;

use super::{
    Attachment, Extracted, LoadError, Loader, Piece, Stamp, decode_text, emit_doc, is_binary, utf16_without_bom,
};
use crate::model::{DocFormat, FileProblem};

/// The most attachments of one message that are kept (a message with thousands of inline parts
/// is almost always generated junk).
const MAX_ATTACHMENTS: usize = 200;

/// E-mail messages (`.eml`): the From, To, Cc, Date and Subject headers lead the text so they
/// are shown and searchable, then every text body (HTML bodies converted to text), then the
/// names of the attachments. The subject is the title.
pub struct EmailLoader;

impl Loader for EmailLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["eml"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Email
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
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
        // mail-parser 0.11 trips a debug assertion on some damaged MIME trees (found by fuzzing,
        // see fuzz/README.md); such a message is reported, not a crash.
        let parsed = std::panic::catch_unwind(|| mail_parser::MessageParser::default().parse(bytes))
            .map_err(|_| LoadError::Malformed("damaged e-mail: its MIME structure cannot be read"))?;
        let msg = parsed.ok_or(LoadError::Malformed("not an e-mail message"))?;
        let mut text = String::new();
        let mut fields = Vec::new();
        for (name, value) in [
            ("From", addresses(msg.from())),
            ("To", addresses(msg.to())),
            ("Cc", addresses(msg.cc())),
            ("Date", msg.date().map(|d| d.to_rfc822()).unwrap_or_default()),
            ("Subject", msg.subject().unwrap_or_default().trim().to_owned()),
        ] {
            if !value.is_empty() {
                text.push_str(&format!("{name}: {value}\n"));
                fields.push((name.to_owned(), value));
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
        let names: Vec<&str> = msg.attachments().filter_map(|a| a.attachment_name()).collect();
        if !names.is_empty() {
            text.push_str(&format!("Attachments: {}\n", names.join(", ")));
        }
        let attachments = attachments(&msg);
        let title = msg.subject().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
        let author = msg
            .from()
            .and_then(|a| a.first())
            .and_then(|a| a.name().or(a.address()))
            .map(str::to_owned)
            .unwrap_or_default();
        let created_ns = msg.date().filter(|d| d.is_valid()).map(|d| d.to_timestamp().saturating_mul(1_000_000_000));
        let meta = crate::model::DocMeta { author, created_ns, modified_ns: created_ns, fields, ..Default::default() };
        Ok(Extracted { title, text, meta, attachments })
    }
}

/// A header's addresses as people write them: `Name <address>`, comma-separated.
fn addresses(a: Option<&mail_parser::Address<'_>>) -> String {
    let Some(a) = a else { return String::new() };
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
}

/// A message's named attachments (and forwarded messages), at most [`MAX_ATTACHMENTS`].
fn attachments(msg: &mail_parser::Message<'_>) -> Vec<Attachment> {
    msg.attachments()
        .filter_map(|a| {
            let name = match a.attachment_name() {
                Some(n) => n.trim().to_owned(),
                None if a.is_message() => "forwarded message.eml".to_owned(),
                None => return None,
            };
            Some(Attachment { name, bytes: a.contents().to_vec() })
        })
        .take(MAX_ATTACHMENTS)
        .collect()
}

/// Mailboxes (`.mbox`): messages one after another, each starting with a `From ` line. The file
/// is read as a stream, one message at a time, so a mailbox of any size needs the memory of
/// its largest message only (and messages are cut at the size limit).
pub struct MboxLoader;

impl Loader for MboxLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["mbox", "mbx"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Email
    }

    fn streams(&self) -> bool {
        true
    }

    /// The first message only; [`read_mbox`] reads them all. (For fuzzing and attachments.)
    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let mut first = None;
        split_mbox(bytes, u64::MAX, &mut |raw, _| {
            first = Some(raw);
            ControlFlow::Break(())
        })?;
        EmailLoader.extract(&first.ok_or(LoadError::Malformed("not a mailbox: no message starts with \"From \""))?)
    }
}

/// Reads every message of a mailbox; each becomes a document with the id `FILE#N` (N from 1).
pub(crate) fn read_mbox(
    file: std::fs::File,
    stamp: &Stamp<'_>,
    max_message_bytes: u64,
    emit: &mut dyn FnMut(Piece) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    let mut count = 0usize;
    let mut result = Ok(());
    split_mbox(BufReader::with_capacity(256 * 1024, file), max_message_bytes, &mut |raw, truncated| {
        count += 1;
        let id = format!("{}#{count}", stamp.file);
        if truncated {
            let reason =
                format!("message larger than {}: only its start was indexed", crate::words::bytes(max_message_bytes));
            emit(Piece::Problem(FileProblem::truncated(&id, reason).inside(stamp.file)))?;
        }
        let size = raw.len() as u64;
        match super::extract_caught(&EmailLoader, &raw) {
            Ok(mut extracted) => {
                drop(raw);
                extracted.meta.truncated = truncated;
                let fallback = format!("message {count}");
                emit_doc(&EmailLoader, extracted, id, String::new(), &fallback, size, stamp, 0, emit)
            }
            Err(e) => emit(Piece::Problem(e.problem(id).inside(stamp.file))),
        }
    })
    .unwrap_or_else(|e| result = Err(e));
    result?;
    if count == 0 {
        return Err(LoadError::Malformed("not a mailbox: no message starts with \"From \""));
    }
    Ok(())
}

/// Splits a mailbox into raw messages: a line starting with `From ` at the start of the file or
/// after a blank line begins a message, and `>From ` quoting is undone. A message longer than
/// `max_bytes` is cut there (`true` is passed along with it) and the rest skipped.
/// (mail-parser's own mbox iterator keeps a message whole however large it is.)
fn split_mbox(
    mut reader: impl BufRead,
    max_bytes: u64,
    each: &mut dyn FnMut(Vec<u8>, bool) -> ControlFlow<()>,
) -> Result<(), LoadError> {
    let mut line = Vec::with_capacity(256);
    let mut message: Option<(Vec<u8>, bool)> = None;
    let mut previous_blank = true;
    let mut head = true;
    loop {
        line.clear();
        // A line is read in bounded steps, so a 1 GB line costs no more than the size limit.
        let n = read_line_bounded(&mut reader, &mut line, max_bytes.saturating_add(1))?;
        if n == 0 {
            break;
        }
        if head {
            head = false;
            if is_binary(&line[..line.len().min(8192)]) {
                return Err(LoadError::Binary);
            }
        }
        let complete_line = line.ends_with(b"\n");
        if line.starts_with(b"From ") && previous_blank {
            if let Some((raw, cut)) = message.take()
                && each(raw, cut).is_break()
            {
                return Ok(());
            }
            message = Some((Vec::new(), false));
            previous_blank = false;
            continue;
        }
        previous_blank = complete_line && line.iter().all(|b| b.is_ascii_whitespace());
        let Some((raw, cut)) = message.as_mut() else { continue };
        if *cut {
            continue;
        }
        let body: &[u8] = match line.iter().position(|&b| b != b'>') {
            Some(i) if i > 0 && line[i..].starts_with(b"From ") => &line[1..],
            _ => &line,
        };
        let room = (max_bytes as usize).saturating_sub(raw.len());
        if body.len() > room {
            raw.extend_from_slice(&body[..room]);
            *cut = true;
        } else {
            raw.extend_from_slice(body);
        }
    }
    if let Some((raw, cut)) = message {
        let _ = each(raw, cut);
    }
    Ok(())
}

/// Reads up to and including the next `\n`, but at most `limit` bytes; the rest of a longer
/// line comes with the next calls.
fn read_line_bounded(reader: &mut impl BufRead, out: &mut Vec<u8>, limit: u64) -> std::io::Result<usize> {
    reader.by_ref().take(limit).read_until(b'\n', out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn a_mime_tree_that_trips_the_parser_is_an_error_not_a_panic() {
        // Fuzzing finding E1 (fuzz/README.md).
        let raw = b"Content-Type:multipart/digest;boundary=b\n\n--b\n\nContent-Type:message/rfc822\n\n\n--b--";
        let got = std::panic::catch_unwind(|| EmailLoader.extract(raw).map(|e| e.text));
        let reason = match got {
            Ok(Err(e @ LoadError::Malformed(_))) => e.to_string(),
            other => panic!("a reported damaged message, not {other:?}"),
        };
        assert!(reason.contains("damaged"), "{reason}");
    }
}
