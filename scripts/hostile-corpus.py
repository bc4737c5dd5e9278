#!/usr/bin/env python3
"""Writes a folder of hostile files: bombs that expand far beyond their size, pathological text,
damaged and misleading files. Each is small on disk; together they exercise every bound Dossier
keeps (output size, time budget, memory, tokenizer linearity).

    scripts/hostile-corpus.py DIR      # then: scripts/hostile-table.sh DIR

Needs only Python's standard library.
"""
import io
import os
import random
import sys
import zipfile
import zlib


def write(path, data):
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode("utf-8"))


def zipped(path, members):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)


def pdf_with_content(stream, filters):
    """A one-page PDF whose page content is `stream`, to be decoded with `filters`."""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d /Filter %s >>\nstream\n" % (len(stream), filters) + stream + b"\nendstream",
    ]
    pdf = io.BytesIO()
    pdf.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(pdf.tell())
        pdf.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = pdf.tell()
    pdf.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    for off in offsets:
        pdf.write(b"%010d 00000 n \n" % off)
    pdf.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref))
    return pdf.getvalue()


def main(out):
    os.makedirs(out, exist_ok=True)
    j = lambda name: os.path.join(out, name)

    # XLSX: one 1 MB shared string referenced by 3,000 cells (3 GB of text if copied out).
    cells = '<c t="s"><v>0</v></c>' * 100
    zipped(j("shared-string.xlsx"), [
        ("[Content_Types].xml", "<Types/>"),
        ("xl/workbook.xml", '<workbook><sheets><sheet name="S" sheetId="1"/></sheets></workbook>'),
        ("xl/sharedStrings.xml", "<sst><si><t>" + "lighthouse " * 100_000 + "</t></si></sst>"),
        ("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + ("<row>" + cells + "</row>") * 30 + "</sheetData></worksheet>"),
    ])
    # CSV: five 200 KB column names repeated in each of 20,000 rows (20 GB of text).
    header = ",".join(str(i) + "x" * 200_000 for i in range(5))
    write(j("long-columns.csv"), header + "\n" + "1,2,3,4,5\n" * 20_000)
    # JSON: a 100 KB key over 100,000 array items (10 GB of `key: value` lines).
    write(j("long-key.json"), '{"' + "k" * 100_000 + '": [' + "1," * 100_000 + "1]}")
    # ODT: 100,000 runs of 1,000 spaces (100 MB of text from 2.5 MB of XML).
    zipped(j("spaces.odt"), [
        ("mimetype", "application/vnd.oasis.opendocument.text"),
        ("content.xml", "<office:document-content><text:p>a" + '<text:s text:c="1000"/>' * 100_000 + "b</text:p></office:document-content>"),
    ])
    # DOCX whose document part inflates to 2 GB (a zip bomb).
    with zipfile.ZipFile(j("zip-bomb.docx"), "w", zipfile.ZIP_DEFLATED) as z:
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            block = b"<w:p><w:r><w:t>a</w:t></w:r></w:p>" * 30_000
            for _ in range(2_000):
                f.write(block)
    # PDFs whose page content unpacks to 1 GB of spaces: one FlateDecode layer (1 MB), and two
    # layers (1 KB: deflated data of repeated bytes deflates again).
    comp = zlib.compressobj(9)
    once = b"".join(comp.compress(b" " * (1 << 20)) for _ in range(1024)) + comp.flush()
    write(j("flate-bomb.pdf"), pdf_with_content(once, b"/FlateDecode"))
    write(j("flate-chain.pdf"), pdf_with_content(zlib.compress(once, 9), b"[/FlateDecode /FlateDecode]"))
    # An object stream (unpacked by the PDF parser itself while it loads) of the same 1 GB.
    objstm = b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(once)
    write(j("objstm-bomb.pdf"), pdf_with_content(b"BT ET", b"[]").replace(
        b"xref", b"9 0 obj\n" + objstm + once + b"\nendstream\nendobj\nxref", 1))
    # HTML that makes a parser rebuild 200 open formatting elements in each of 10,000 paragraphs.
    write(j("formatting.html"), "<html><body>" + "<b><i><u><s><em>" * 40 + "<p>x" * 10_000 + "</body></html>")
    # HTML nested 100,000 deep.
    write(j("deep.html"), "<div>" * 100_000 + "deep text" + "</div>" * 100_000)
    # Text: a log padded with NULs after a crash, then written on.
    write(j("nul-padded.log"), b"09:14 harbour crane 4 stopped\n" * 1000 + b"\0" * 65536 + b"09:20 restarted\n")
    # Text: 1 MB of closing parentheses (one token per character, one 'word').
    write(j("parentheses.txt"), ")" * (1 << 20))
    # Random bytes with a text extension.
    rng = random.Random(7)
    write(j("random.txt"), bytes(rng.getrandbits(8) for _ in range(1 << 16)))
    # A mailbox of 4,000 messages.
    write(j("many.mbox"), "".join(
        f"From s{i} Tue Mar 12 09:30:00 2024\nFrom: Helen Ward <hw@port.example>\nSubject: Crane {i}\n\n"
        f"Crane {i} at Northport was inspected by Tom Becker on Friday.\n\n" for i in range(4_000)))
    # A message with 2,000 attachments of the same name.
    parts = "".join(
        f"--b\nContent-Type: text/plain\nContent-Disposition: attachment; filename=notes.txt\n\nnote {i}\n"
        for i in range(2_000))
    write(j("attachments.eml"), "From: a@b.example\nSubject: many\nMIME-Version: 1.0\n"
          "Content-Type: multipart/mixed; boundary=b\n\n" + parts + "--b--\n")
    # Misleading: a PDF that is text, an empty and a blank file.
    write(j("fake.pdf"), "this is not a PDF")
    write(j("empty.txt"), "")
    write(j("blank.eml"), " \n\t\n")
    print(out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
