//! Every format on files generated here: PDF pages and metadata, RTF, mailboxes whose messages
//! and attachments become linked documents, images and scans without text, encrypted and
//! damaged files, type and folder filters, and truncation of files over the size limit.

mod common;

use std::path::Path;

use common::{Fixture, message, pdf};
use dossier::entities::default_extractor;
use dossier::index::DocIndex;
use dossier::model::{DocFormat, FileProblem, Outcome, Query};
use dossier::pipeline::{self, Options};
use dossier::store::RunRecord;

fn run(fx: &Fixture, folder: &Path, options: Options) -> (DocIndex, RunRecord) {
    fx.index(folder, default_extractor(), options)
}

fn problem<'a>(record: &'a RunRecord, path: &str) -> Option<&'a FileProblem> {
    record.problems.iter().find(|p| p.path == path)
}

fn ids(index: &DocIndex, query: Query) -> Vec<String> {
    let mut ids: Vec<String> = index.search(&query, 100).unwrap().hits.into_iter().map(|h| h.id).collect();
    ids.sort();
    ids
}

fn text(s: &str) -> Query {
    Query { text: s.into(), ..Query::default() }
}

const RTF: &str = r"{\rtf1\ansi\ansicpg1252{\fonttbl{\f0 Times;}}{\info{\title Dock workers' letter}{\author Tom Becker}}
\pard Dear editor,\par The dock workers of Calder were not paid in M\'e4rz.\par}";

/// A folder with every format, good and bad: PDFs (one with pages and metadata, a scan, an
/// encrypted one, a damaged one, a web page named .pdf), RTF, a picture, a text file deep in
/// subfolders, and a mailbox whose second message has attachments (one of them damaged).
/// Returns the folder and the mailbox's text.
fn mixed_dump(fx: &Fixture) -> (std::path::PathBuf, String) {
    let dir = fx.dir.path().join("dump");
    std::fs::create_dir_all(dir.join("archive")).unwrap();
    std::fs::create_dir_all(dir.join("sub/deep")).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    let report = pdf(
        &[&["Harbour inspection report", "The cranes were inspected in March."], &["The old lighthouse is unsafe."]],
        &[("Title", "Harbour inspection"), ("Author", "Helen Ward"), ("CreationDate", "D:20240312093000Z")],
        false,
    );
    write("report.pdf", &report);
    write("scan.pdf", &pdf(&[&[], &[]], &[], false));
    write("locked.pdf", &pdf(&[&["secret harbour plans"]], &[], true));
    write("broken.pdf", &report[..report.len() / 2]);
    write("not-a-pdf.pdf", b"<html>this is a web page saved with the wrong name</html>");
    write("letter.rtf", RTF.as_bytes());
    write("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR");
    write("sub/deep/note.txt", b"A note about the harbour master.");
    let summary = pdf(&[&["Summary of the harbour accounts"]], &[], false);
    let mbox = [
        message(
            "Helen Ward <h.ward@port.example>",
            "Cranes",
            "Tue, 12 Mar 2024 09:30:00 +0000",
            "The cranes are fine.",
            &[],
        ),
        message(
            "Tom Becker <tb@calder.example>",
            "Accounts",
            "Wed, 13 Mar 2024 10:00:00 +0000",
            "Accounts attached.\nFrom the harbour office: see the attached files.",
            &[
                ("notes.txt", b"Notes: the harbour fees rose twice."),
                ("summary.pdf", &summary),
                ("photo.jpg", b"\xff\xd8\xff\xe0 not really a photo"),
                ("bad.docx", b"PK\x03\x04 this zip archive is cut short"),
            ],
        ),
        message(
            "Ann Lee <ann@paper.example>",
            "Lighthouse",
            "Thu, 14 Mar 2024 08:00:00 +0000",
            "Is the lighthouse open?",
            &[],
        ),
    ]
    .iter()
    // A body line starting with "From " is quoted as ">From " in a mailbox.
    .map(|m| {
        let m = m.replace("\r\n", "\n").replace("\nFrom the", "\n>From the");
        format!("From someone@example.org Thu Mar 14 08:00:00 2024\n{m}\n")
    })
    .collect::<String>();
    write("archive/box.mbox", mbox.as_bytes());
    (dir, mbox)
}

#[test]
fn every_format_is_indexed_or_reported_with_a_reason() {
    let fx = Fixture::new();
    let (dir, _) = mixed_dump(&fx);
    let (index, record) = run(&fx, &dir, Options::default());
    let docs = index.list_docs().unwrap();
    let listed: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
    assert_eq!(
        listed,
        [
            "archive/box.mbox#1",
            "archive/box.mbox#2",
            "archive/box.mbox#2/notes.txt",
            "archive/box.mbox#2/summary.pdf",
            "archive/box.mbox#3",
            "letter.rtf",
            "report.pdf",
            "sub/deep/note.txt"
        ],
        "{:?}",
        record.problems
    );
    let kind = |id: &str| docs.iter().find(|d| d.id == id).unwrap().format.as_str();
    assert_eq!(
        [kind("report.pdf"), kind("letter.rtf"), kind("archive/box.mbox#1"), kind("archive/box.mbox#2/notes.txt")],
        ["pdf", "rtf", "email", "text"]
    );

    // The ingest report: a reason for every file that is not indexed, and for the attachment.
    let reason = |path: &str| problem(&record, path).map(|p| (p.outcome, p.reason.as_str()));
    assert_eq!(reason("scan.pdf"), Some((Outcome::Skipped, "no text; OCR not available")));
    assert_eq!(reason("photo.png"), Some((Outcome::Skipped, "no text; OCR not available")));
    assert_eq!(reason("locked.pdf"), Some((Outcome::Failed, "encrypted PDF: needs a password")));
    assert!(reason("broken.pdf").is_some_and(|(o, r)| o == Outcome::Failed && r.starts_with("damaged PDF")));
    assert_eq!(reason("not-a-pdf.pdf"), Some((Outcome::Failed, "not a PDF file (no %PDF header)")));
    let bad = problem(&record, "archive/box.mbox#2/bad.docx").expect("the damaged attachment is reported");
    assert_eq!((bad.outcome, bad.file()), (Outcome::Failed, "archive/box.mbox"));
    assert!(bad.reason.starts_with("damaged DOCX"), "{}", bad.reason);
    assert_eq!(record.problems.len(), 6, "{:?}", record.problems);
}

#[test]
fn pdf_pages_and_metadata_are_kept_and_hits_say_their_page() {
    let fx = Fixture::new();
    let (dir, _) = mixed_dump(&fx);
    let (index, _) = run(&fx, &dir, Options::default());
    // PDF: pages, metadata, and the page of a hit.
    let view = index.doc_view("report.pdf", &text("lighthouse")).unwrap().unwrap();
    assert_eq!(view.title, "Harbour inspection");
    assert_eq!((view.meta.format.as_str(), view.meta.author.as_str(), view.meta.pages.len()), ("pdf", "Helen Ward", 2));
    assert_eq!(view.meta.created_ns, Some(1_710_235_800_000_000_000));
    assert!(view.text.contains("The cranes were inspected in March."), "{}", view.text);
    let hits = index.search(&text("lighthouse"), 10).unwrap().hits;
    let hit = hits.iter().find(|h| h.id == "report.pdf").unwrap();
    assert_eq!((hit.page, hit.format.as_str()), (Some(2), "pdf"));
    assert_eq!(index.search(&text("cranes inspected"), 10).unwrap().hits[0].page, Some(1));
}

#[test]
fn rtf_text_is_read_in_its_code_page_with_its_info() {
    let fx = Fixture::new();
    let (dir, _) = mixed_dump(&fx);
    let (index, _) = run(&fx, &dir, Options::default());
    // RTF: text in its code page, and its info group.
    let letter = index.doc_view("letter.rtf", &Query::default()).unwrap().unwrap();
    assert_eq!((letter.title.as_str(), letter.meta.author.as_str()), ("Dock workers' letter", "Tom Becker"));
    assert!(letter.text.contains("Dear editor,\nThe dock workers of Calder were not paid in März."), "{}", letter.text);
}

#[test]
fn mailbox_messages_are_documents_with_fields_and_attachments() {
    let fx = Fixture::new();
    let (dir, mbox) = mixed_dump(&fx);
    let (index, _) = run(&fx, &dir, Options::default());
    // Mailbox: one document per message, headers as fields, attachments linked both ways.
    let second = index.doc_view("archive/box.mbox#2", &Query::default()).unwrap().unwrap();
    assert_eq!(second.title, "Accounts");
    assert_eq!(second.file, "archive/box.mbox");
    assert!(second.meta.fields.contains(&("Subject".into(), "Accounts".into())), "{:?}", second.meta.fields);
    assert_eq!(second.meta.author, "Tom Becker");
    assert!(second.text.contains("\nFrom the harbour office"), "unquoted: {}", second.text);
    assert!(second.meta.created_ns.is_some());
    let attached: Vec<&str> = second.attachments.iter().map(|(id, _)| id.as_str()).collect();
    assert_eq!(attached, ["archive/box.mbox#2/notes.txt", "archive/box.mbox#2/summary.pdf"]);
    let notes = index.doc_view("archive/box.mbox#2/notes.txt", &Query::default()).unwrap().unwrap();
    assert_eq!((notes.parent.as_str(), notes.file.as_str()), ("archive/box.mbox#2", "archive/box.mbox"));
    assert!(ids(&index, text("fees")).contains(&"archive/box.mbox#2/notes.txt".to_owned()));

    // Nothing changed: nothing is read again, and the report still lists the bad attachment.
    let (_, again) = run(&fx, &dir, Options::default());
    assert_eq!(again.indexed, 0);
    assert!(problem(&again, "archive/box.mbox#2/bad.docx").is_some(), "{:?}", again.problems);

    // A message added to the mailbox: the file is read again, without duplicates.
    let extra = message(
        "Ann Lee <ann@paper.example>",
        "Cranes again",
        "Fri, 15 Mar 2024 08:00:00 +0000",
        "More on cranes.",
        &[],
    );
    let grown = format!("{mbox}From x Fri Mar 15 2024\n{}\n", extra.replace("\r\n", "\n"));
    std::fs::write(dir.join("archive/box.mbox"), grown).unwrap();
    let (index, again) = run(&fx, &dir, Options::default());
    assert_eq!(again.indexed, 6);
    let in_box = index.list_docs().unwrap().into_iter().filter(|d| d.id.starts_with("archive/box.mbox#")).count();
    assert_eq!(in_box, 6);
    assert_eq!(ids(&index, text("cranes")), ["archive/box.mbox#1", "archive/box.mbox#4", "report.pdf"]);

    // The mailbox removed: its messages and attachments go with it.
    std::fs::remove_file(dir.join("archive/box.mbox")).unwrap();
    let (index, _) = run(&fx, &dir, Options::default());
    assert!(index.list_docs().unwrap().iter().all(|d| !d.id.starts_with("archive/")));
}

#[test]
fn results_filter_by_type_folder_and_author() {
    let fx = Fixture::new();
    let (dir, _) = mixed_dump(&fx);
    let (index, _) = run(&fx, &dir, Options::default());
    // Filters: by type, by folder, by author, in the query text or as fields.
    let pdfs = Query { formats: vec![DocFormat::Pdf], ..Query::default() };
    assert_eq!(ids(&index, pdfs), ["archive/box.mbox#2/summary.pdf", "report.pdf"]);
    assert_eq!(ids(&index, text("harbour type:pdf")), ["archive/box.mbox#2/summary.pdf", "report.pdf"]);
    assert_eq!(ids(&index, text("harbour type:email")), ["archive/box.mbox#2"]);
    let in_archive = Query { folder: "archive".into(), ..text("harbour") };
    assert_eq!(
        ids(&index, in_archive),
        ["archive/box.mbox#2", "archive/box.mbox#2/notes.txt", "archive/box.mbox#2/summary.pdf"]
    );
    assert_eq!(ids(&index, text("harbour folder:sub")), ["sub/deep/note.txt"]);
    assert_eq!(ids(&index, text("harbour folder:\"sub/deep\"")), ["sub/deep/note.txt"]);
    assert_eq!(ids(&index, text("author:ward")), ["archive/box.mbox#1", "report.pdf"]);
    let stats = index.stats(&fx.data).unwrap();
    assert_eq!(
        stats.formats,
        [(DocFormat::Text, 2), (DocFormat::Email, 3), (DocFormat::Pdf, 2), (DocFormat::Rtf, 1)],
        "{:?}",
        stats.formats
    );
    assert!(stats.folders.contains(&("sub/deep".into(), 1)) && stats.folders.contains(&("archive".into(), 5)));
}

#[test]
fn files_over_the_size_limit_are_indexed_in_part_and_flagged() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("big");
    std::fs::create_dir_all(&dir).unwrap();
    // 200 MB of text: the beginning and the end say different things.
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(dir.join("huge.txt")).unwrap());
        f.write_all("Opening words about the harbour.\n".as_bytes()).unwrap();
        let line = "filler text line with nothing special in it at all, again and again.\n".repeat(1000);
        while f.get_ref().metadata().unwrap().len() < 200 * 1024 * 1024 {
            f.write_all(line.as_bytes()).unwrap();
        }
        f.write_all("Closing words about the lighthouse.\n".as_bytes()).unwrap();
    }
    // A PDF over the limit cannot be read in part.
    let mut big_pdf = pdf(&[&["a large PDF"]], &[], false);
    big_pdf.extend(std::iter::repeat_n(b'%', 2 * 1024 * 1024));
    std::fs::write(dir.join("large.pdf"), &big_pdf).unwrap();
    // A single 50 MB line.
    std::fs::write(dir.join("one-line.txt"), "harbour ".repeat(50 * 1024 * 1024 / 8)).unwrap();
    // UTF-8 cut in the middle of a character at the limit is not mistaken for another encoding.
    let mut accents = "é".repeat(600_000).into_bytes();
    accents.extend(b" end");
    std::fs::write(dir.join("accents.txt"), &accents).unwrap();

    let options = Options { max_file_bytes: 1024 * 1024 + 1, ..Options::default() };
    let (index, record) = run(&fx, &dir, options.clone());
    let huge = problem(&record, "huge.txt").expect("huge.txt is in the report");
    assert_eq!(huge.outcome, Outcome::Truncated);
    assert!(huge.reason.contains("only the first 1.0 MB was indexed"), "{}", huge.reason);
    assert!(index.list_docs().unwrap().iter().find(|d| d.id == "huge.txt").unwrap().truncated);
    assert!(index.doc_view("huge.txt", &Query::default()).unwrap().unwrap().meta.truncated);
    assert_eq!(ids(&index, text("harbour")), ["huge.txt", "one-line.txt"]);
    assert_eq!(problem(&record, "one-line.txt").map(|p| p.outcome), Some(Outcome::Truncated));
    assert!(ids(&index, text("lighthouse")).is_empty());
    let large = problem(&record, "large.pdf").unwrap();
    assert_eq!(large.outcome, Outcome::Failed);
    assert!(large.reason.starts_with("larger than the 1.0 MB limit for PDF files"), "{}", large.reason);
    let view = index.doc_view("accents.txt", &Query::default()).unwrap().unwrap();
    assert!(view.text.chars().all(|c| c == 'é'), "decoded as UTF-8, the cut character dropped");

    // The next run reads nothing again, and the report still says what was truncated.
    let (_, again) = run(&fx, &dir, options);
    assert_eq!(again.indexed, 0);
    assert_eq!(problem(&again, "huge.txt").map(|p| p.outcome), Some(Outcome::Truncated));
}

#[test]
fn progress_counts_a_mailbox_as_it_is_read() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("progress");
    std::fs::create_dir_all(&dir).unwrap();
    let mbox: String = (1..=40)
        .map(|i| {
            let m = message("a@b.example", &format!("Message {i}"), "Tue, 12 Mar 2024 09:30:00 +0000", "Body.", &[]);
            format!("From a@b.example Tue Mar 12 09:30:00 2024\n{}\n", m.replace("\r\n", "\n"))
        })
        .collect();
    std::fs::write(dir.join("box.mbox"), &mbox).unwrap();
    std::fs::write(dir.join("note.txt"), b"a note").unwrap();
    let folder = dir.canonicalize().unwrap();
    let index_dir = fx.store().index_dir(&folder);
    let index = DocIndex::open_or_create(&index_dir).unwrap();
    let (mut seen, mut finding) = (Vec::new(), Vec::new());
    let options = Options { workers: 1, progress_every: std::time::Duration::ZERO, ..Options::default() };
    pipeline::run_blocking(folder, index, index_dir, default_extractor(), options, |e| match e {
        pipeline::Event::Progress(p) if p.stage == pipeline::Stage::Text => seen.push(p.clone()),
        pipeline::Event::Progress(p) => finding.push(p.clone()),
        _ => {}
    })
    .unwrap();
    // Then the entities of the 41 documents, counted by document.
    let found = finding.last().unwrap();
    assert_eq!((found.done, found.total, found.bytes_done), (41, 41, found.total_bytes));
    assert!(seen.iter().all(|p| p.done <= 2), "the text stage counts files");
    let last = seen.last().unwrap();
    assert_eq!((last.done, last.total, last.documents), (2, 2, 41));
    assert_eq!(last.bytes_done, last.total_bytes);
    assert_eq!(last.total_bytes, mbox.len() as u64 + 6);
    assert_eq!(last.fraction(), 1.0);
    // While the mailbox (read first) was being read, bytes moved though no file was done yet.
    assert!(seen.iter().any(|p| p.done == 0 && p.bytes_done > 0 && p.fraction() < 1.0), "{seen:?}");
}

/// Found by fuzzing (`fuzz/README.md`, E1): mail-parser 0.11 trips a debug assertion on a digest
/// holding an empty message. The message is reported (or, where assertions are off, read); the
/// rest of its mailbox is indexed either way.
#[test]
fn a_message_that_breaks_the_mime_parser_loses_nothing_else() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("fuzzed");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = "Content-Type:multipart/digest;boundary=b\n\n--b\n\nContent-Type:message/rfc822\n\n\n--b--\n";
    let good = message("a@b.example", "Still here", "Tue, 12 Mar 2024 09:30:00 +0000", "Harbour news.", &[]);
    let mbox = format!("From x Tue Mar 12 2024\n{bad}\nFrom x Tue Mar 12 2024\n{}\n", good.replace("\r\n", "\n"));
    std::fs::write(dir.join("box.mbox"), mbox).unwrap();
    std::fs::write(dir.join("digest.eml"), bad).unwrap();
    let (index, record) = run(&fx, &dir, Options::default());
    let ids: Vec<String> = index.list_docs().unwrap().into_iter().map(|d| d.id).collect();
    assert!(ids.contains(&"box.mbox#2".to_owned()), "{ids:?} {:?}", record.problems);
    for id in ["box.mbox#1", "digest.eml"] {
        assert!(ids.contains(&id.to_owned()) || problem(&record, id).is_some(), "{id}: {ids:?} {:?}", record.problems);
    }
}

#[test]
fn data_exports_are_indexed_and_filtered_by_type() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("exports");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("people.json"), br#"[{"name": "Helen Ward", "role": "harbour master"}]"#).unwrap();
    std::fs::write(dir.join("feed.xml"), b"<feed><title>Port news</title><item>The harbour reopens.</item></feed>")
        .unwrap();
    std::fs::write(dir.join("notes.org"), b"* Harbour\nOrg-mode notes about the harbour.").unwrap();
    let (index, record) = run(&fx, &dir, Options::default());
    assert!(record.problems.is_empty(), "{:?}", record.problems);
    assert_eq!(ids(&index, text("harbour")), ["feed.xml", "notes.org", "people.json"]);
    assert_eq!(ids(&index, text("harbour type:json")), ["people.json"]);
    assert_eq!(index.doc_view("feed.xml", &Query::default()).unwrap().unwrap().title, "Port news");
    let people = index.doc_view("people.json", &Query::default()).unwrap().unwrap();
    assert_eq!(people.text, "name: Helen Ward\nrole: harbour master");
}

#[test]
fn a_mailbox_whose_messages_all_went_bad_keeps_no_stale_documents() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("spoiled");
    std::fs::create_dir_all(&dir).unwrap();
    let good = message("a@b.example", "Harbour", "Tue, 12 Mar 2024 09:30:00 +0000", "Harbour news.", &[]);
    std::fs::write(dir.join("box.mbox"), format!("From x Tue Mar 12 2024\n{}\n", good.replace("\r\n", "\n"))).unwrap();
    let (index, _) = run(&fx, &dir, Options::default());
    assert_eq!(ids(&index, text("harbour")), ["box.mbox#1"]);
    std::fs::write(dir.join("box.mbox"), "From x Tue Mar 12 2024\njust words, no headers at all\n").unwrap();
    let (index, record) = run(&fx, &dir, Options::default());
    assert!(problem(&record, "box.mbox#1").is_some(), "{:?}", record.problems);
    assert!(index.list_docs().unwrap().is_empty());
}

#[test]
fn slides_sheets_chapters_and_outlook_messages_are_indexed_end_to_end() {
    let fx = Fixture::new();
    let dir = fx.dir.path().join("office");
    std::fs::create_dir_all(&dir).unwrap();
    let slide = |text: &str| {
        format!(
            r#"<p:sld xmlns:a="a" xmlns:p="p"><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>"#
        )
    };
    let (one, two) = (slide("Harbour plan"), slide("The lighthouse budget"));
    let core = br#"<c xmlns:dc="d"><dc:title>Board deck</dc:title><dc:creator>Ann Lee</dc:creator></c>"#;
    std::fs::write(
        dir.join("deck.pptx"),
        common::zip_of(&[
            ("ppt/slides/slide1.xml", one.as_bytes()),
            ("ppt/slides/slide2.xml", two.as_bytes()),
            ("docProps/core.xml", core),
        ]),
    )
    .unwrap();
    std::fs::write(
        dir.join("payments.xlsx"),
        common::zip_of(&[
            ("xl/workbook.xml", br#"<workbook><sheets><sheet name="Payments" sheetId="1"/></sheets></workbook>"#),
            ("xl/sharedStrings.xml", br#"<sst><si><t>Calder Shipping</t></si></sst>"#),
            (
                "xl/worksheets/sheet1.xml",
                br#"<worksheet><sheetData><row><c t="s"><v>0</v></c><c><v>2400000</v></c></row></sheetData></worksheet>"#,
            ),
        ]),
    )
    .unwrap();
    let opf = br#"<package xmlns:dc="d"><metadata><dc:title>Winter Sports</dc:title><dc:creator>E. F. Benson</dc:creator></metadata>
<manifest><item id="a" href="one.html"/><item id="b" href="two.html"/></manifest><spine><itemref idref="a"/><itemref idref="b"/></spine></package>"#;
    std::fs::write(
        dir.join("book.epub"),
        common::zip_of(&[
            (
                "META-INF/container.xml",
                br#"<container><rootfiles><rootfile full-path="content.opf"/></rootfiles></container>"#,
            ),
            ("content.opf", opf),
            ("one.html", b"<html><body><p>The first chapter, in Davos.</p></body></html>"),
            ("two.html", b"<html><body><p>The second chapter: a toboggan run.</p></body></html>"),
        ]),
    )
    .unwrap();
    let streams = vec![
        ("/__substg1.0_0037001F".to_owned(), common::utf16("Crane inspection")),
        ("/__substg1.0_0C1A001F".to_owned(), common::utf16("Helen Ward")),
        ("/__substg1.0_1000001F".to_owned(), common::utf16("The cranes at Northport need repairs.")),
        ("/__attach_version1.0_#00000000/__substg1.0_3707001F".to_owned(), common::utf16("notes.txt")),
        ("/__attach_version1.0_#00000000/__substg1.0_37010102".to_owned(), b"Crane 2: a cracked boom.".to_vec()),
    ];
    std::fs::write(dir.join("inspection.msg"), common::msg_file(&streams)).unwrap();

    let (index, record) = run(&fx, &dir, Options::default());
    assert!(record.problems.is_empty(), "{:?}", record.problems);
    let docs = index.list_docs().unwrap();
    let kinds: Vec<(&str, &str)> = docs.iter().map(|d| (d.id.as_str(), d.format.as_str())).collect();
    assert_eq!(
        kinds,
        [
            ("book.epub", "epub"),
            ("deck.pptx", "pptx"),
            ("inspection.msg", "email"),
            ("inspection.msg/notes.txt", "text"),
            ("payments.xlsx", "xlsx"),
        ]
    );
    // A hit in a presentation names its slide; the deck's title and author come from its properties.
    let hits = index.search(&text("lighthouse"), 10).unwrap().hits;
    assert_eq!((hits.len(), hits[0].id.as_str(), hits[0].page), (1, "deck.pptx", Some(2)));
    let deck = index.doc_view("deck.pptx", &Query::default()).unwrap().unwrap();
    assert_eq!((deck.title.as_str(), deck.meta.author.as_str()), ("Board deck", "Ann Lee"));
    // A sheet by name, its cells; chapters in reading order; a message with its attachment.
    assert_eq!(ids(&index, text("\"Calder Shipping\" type:excel")), ["payments.xlsx"]);
    let sheet = index.doc_view("payments.xlsx", &Query::default()).unwrap().unwrap();
    assert_eq!(sheet.text, "Payments\nCalder Shipping\t2400000");
    let book = index.doc_view("book.epub", &Query::default()).unwrap().unwrap();
    assert!(book.text.find("Davos").unwrap() < book.text.find("toboggan").unwrap());
    assert_eq!(book.title, "Winter Sports");
    let message = index.doc_view("inspection.msg", &Query::default()).unwrap().unwrap();
    assert_eq!((message.title.as_str(), message.meta.author.as_str()), ("Crane inspection", "Helen Ward"));
    assert_eq!(message.attachments, [("inspection.msg/notes.txt".to_owned(), "notes.txt".to_owned())]);
    assert_eq!(ids(&index, text("cracked boom")), ["inspection.msg/notes.txt"]);
}
