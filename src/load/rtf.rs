//! Rich Text Format: the text of the document body, paragraphs and table rows as lines, cells
//! separated by tabs; the `\info` group's title, author and dates.
//!
//! A small reader of its own rather than the rtf-parser crate: that crate drops paragraph and
//! cell breaks (`\par`, `\cell`), gluing the last word of one paragraph to the first of the next
//! ("HeadingMy first paragraph"), which breaks search. Reading RTF text needs only its lexical
//! rules: groups, control words, `\'hh` bytes in the document's code page, and `\uN` characters.

use super::{Extracted, LoadError, Loader, tidy_lines};
use crate::model::{DocFormat, DocMeta};

/// RTF documents (`.rtf`).
pub struct RtfLoader;

/// How deeply groups may nest before the document is called damaged (no real document comes
/// close; the state stack grows with it).
const MAX_DEPTH: usize = 10_000;

impl Loader for RtfLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["rtf"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Rtf
    }

    fn reads_partial(&self) -> bool {
        true
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        let start = bytes.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(bytes.len());
        if !bytes[start..].starts_with(b"{\\rtf") {
            return Err(LoadError::Malformed("not an RTF document (no {\\rtf header)"));
        }
        let doc = parse(&bytes[start..])?;
        let meta = DocMeta {
            author: doc.info("author").unwrap_or_default(),
            created_ns: doc.info_date("creatim"),
            modified_ns: doc.info_date("revtim"),
            ..DocMeta::default()
        };
        Ok(Extracted { title: doc.info("title"), text: tidy_lines(&doc.text), meta, attachments: Vec::new() })
    }
}

/// What is being read inside a group.
#[derive(Clone, Copy, PartialEq)]
enum Dest {
    Body,
    /// Font tables, pictures, style sheets, `\*` groups: not text.
    Skip,
    /// A text field of `\info` (title, author…), by index into `Parsed::info`.
    Info(usize),
    /// A date field of `\info` (`\creatim`, `\revtim`), by index into `Parsed::dates`.
    Date(usize),
}

#[derive(Clone, Copy)]
struct State {
    dest: Dest,
    /// How many characters to skip after a `\uN` (the `\ucN` setting).
    uc: usize,
}

struct Parsed {
    text: String,
    info: Vec<(String, String)>,
    dates: Vec<(String, [i32; 5])>,
}

impl Parsed {
    fn info(&self, key: &str) -> Option<String> {
        let v = self.info.iter().find(|(k, _)| k == key)?.1.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn info_date(&self, key: &str) -> Option<i64> {
        let [y, mo, dy, hr, min] = self.dates.iter().find(|(k, _)| k == key)?.1;
        super::dates::iso8601_ns(&format!("{y:04}-{mo:02}-{dy:02}T{hr:02}:{min:02}:00"))
    }
}

fn parse(src: &[u8]) -> Result<Parsed, LoadError> {
    let mut p = Parser {
        src,
        i: 0,
        out: Parsed { text: String::new(), info: Vec::new(), dates: Vec::new() },
        encoding: encoding_rs::WINDOWS_1252,
        stack: Vec::new(),
        state: State { dest: Dest::Body, uc: 1 },
        pending: Vec::new(),
        skip_chars: 0,
        group_start: false,
    };
    while p.i < src.len() {
        match src[p.i] {
            b'{' => {
                p.flush();
                if p.stack.len() >= MAX_DEPTH {
                    return Err(LoadError::Malformed("damaged RTF: groups nested too deeply"));
                }
                p.stack.push(p.state);
                p.group_start = true;
                p.i += 1;
                continue;
            }
            b'}' => {
                p.flush();
                p.state = p.stack.pop().unwrap_or(p.state);
                p.i += 1;
            }
            b'\\' => {
                let (word, param, next) = control(src, p.i + 1);
                p.i = next;
                if word != "'" {
                    p.flush();
                }
                if p.skip_chars > 0 && word != "u" {
                    p.skip_chars -= 1;
                    p.group_start = false;
                    continue;
                }
                p.control_word(&word, param);
            }
            b'\r' | b'\n' => p.i += 1,
            _ => {
                p.flush();
                if p.skip_chars > 0 {
                    p.skip_chars -= 1;
                    p.i += 1;
                } else {
                    p.plain_text();
                    continue;
                }
            }
        }
        p.group_start = false;
    }
    Ok(p.out)
}

/// The RTF reader's state between tokens.
struct Parser<'a> {
    src: &'a [u8],
    /// The next byte to read.
    i: usize,
    out: Parsed,
    encoding: &'static encoding_rs::Encoding,
    /// The enclosing groups' states.
    stack: Vec<State>,
    state: State,
    /// Bytes from `\'hh` escapes, decoded together so multi-byte code pages work.
    pending: Vec<u8>,
    /// Characters still to skip after a `\uN` (its ANSI stand-in).
    skip_chars: usize,
    /// The last token opened a group (so `\*` and destinations apply to it).
    group_start: bool,
}

impl Parser<'_> {
    fn push(&mut self, s: &str) {
        push(&mut self.out, self.state.dest, s);
    }

    fn flush(&mut self) {
        if !self.pending.is_empty() {
            let s = self.encoding.decode_without_bom_handling(&self.pending).0.into_owned();
            self.push(&s);
            self.pending.clear();
        }
    }

    /// Plain bytes up to the next token: ASCII in practice; anything else through the code page.
    fn plain_text(&mut self) {
        let (src, i) = (self.src, self.i);
        let end =
            src[i..].iter().position(|b| matches!(b, b'{' | b'}' | b'\\' | b'\r' | b'\n')).map_or(src.len(), |p| i + p);
        let s = self.encoding.decode_without_bom_handling(&src[i..end]).0.into_owned();
        self.push(&s);
        self.i = end;
        self.group_start = false;
    }

    fn control_word(&mut self, word: &str, param: Option<i32>) {
        let text = match word {
            "par" | "line" | "row" | "sect" | "page" => "\n",
            "tab" | "cell" => "\t",
            "emdash" => "—",
            "endash" => "–",
            "lquote" => "‘",
            "rquote" => "’",
            "ldblquote" => "“",
            "rdblquote" => "”",
            "bullet" => "•",
            "~" => "\u{a0}",
            "\\" | "{" | "}" => word,
            _ => "",
        };
        if !text.is_empty() {
            self.push(text);
            return;
        }
        match word {
            "*" if self.group_start => self.state.dest = Dest::Skip,
            "'" => self.hex_byte(),
            "u" => {
                if let Some(n) = param {
                    let code = if n < 0 { n + 65_536 } else { n } as u32;
                    self.push(&char::from_u32(code).unwrap_or('\u{FFFD}').to_string());
                    self.skip_chars = self.state.uc;
                }
            }
            "uc" => self.state.uc = param.unwrap_or(1).clamp(0, 10) as usize,
            "ansicpg" => {
                if let Some(enc) = param.and_then(codepage) {
                    self.encoding = enc;
                }
            }
            "mac" => self.encoding = encoding_rs::MACINTOSH,
            "fonttbl" | "colortbl" | "stylesheet" | "pict" | "object" | "listtable" | "listoverridetable"
            | "rsidtbl" | "generator" | "themedata" | "colorschememapping" | "datastore" | "latentstyles"
            | "header" | "footer" | "headerl" | "headerr" | "footerl" | "footerr" | "fldinst" | "xmlnstbl"
            | "bkmkstart" | "bkmkend" | "pgdsctbl" | "revtbl" | "filetbl" | "info" => self.state.dest = Dest::Skip,
            "title" | "subject" | "author" | "operator" | "keywords" | "company" if self.group_start => {
                self.out.info.push((word.to_owned(), String::new()));
                self.state.dest = Dest::Info(self.out.info.len() - 1);
            }
            "creatim" | "revtim" if self.group_start => {
                self.out.dates.push((word.to_owned(), [0, 1, 1, 0, 0]));
                self.state.dest = Dest::Date(self.out.dates.len() - 1);
            }
            "yr" | "mo" | "dy" | "hr" | "min" => {
                if let (Dest::Date(k), Some(v)) = (self.state.dest, param) {
                    let slot = ["yr", "mo", "dy", "hr", "min"].iter().position(|w| *w == word).unwrap_or(0);
                    self.out.dates[k].1[slot] = v;
                }
            }
            // Raw binary data of the given length follows.
            "bin" => self.i = self.i.saturating_add(param.unwrap_or(0).max(0) as usize).min(self.src.len()),
            _ => {}
        }
    }

    /// `\'hh`: a byte in the document's code page, decoded with its neighbours.
    fn hex_byte(&mut self) {
        if let Some(byte) = self
            .src
            .get(self.i..self.i + 2)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            self.pending.push(byte);
            self.i += 2;
        }
    }
}

fn push(out: &mut Parsed, dest: Dest, s: &str) {
    match dest {
        Dest::Body => out.text.push_str(s),
        Dest::Info(k) => out.info[k].1.push_str(s),
        Dest::Skip | Dest::Date(_) => {}
    }
}

/// A control word or symbol starting at `at` (just after the backslash): its name, its numeric
/// parameter, and where reading goes on (after the one space that ends a control word).
fn control(src: &[u8], at: usize) -> (String, Option<i32>, usize) {
    let Some(&first) = src.get(at) else { return (String::new(), None, at) };
    if !first.is_ascii_alphabetic() {
        // A control symbol: `\'`, `\*`, `\~`, `\\`, `\{`…; a backslash before a line break is `\par`.
        let name = if first == b'\n' || first == b'\r' { "par".to_owned() } else { (first as char).to_string() };
        return (name, None, at + 1);
    }
    let mut i = at;
    while i < src.len() && src[i].is_ascii_alphabetic() && i - at < 32 {
        i += 1;
    }
    let name = String::from_utf8_lossy(&src[at..i]).into_owned();
    let num_start = i;
    if i < src.len() && src[i] == b'-' {
        i += 1;
    }
    while i < src.len() && src[i].is_ascii_digit() && i - num_start < 10 {
        i += 1;
    }
    let param = std::str::from_utf8(&src[num_start..i]).ok().and_then(|s| s.parse::<i32>().ok());
    if i < src.len() && src[i] == b' ' {
        i += 1;
    }
    (name, param, i)
}

/// The encoding for a Windows code page number.
fn codepage(n: i32) -> Option<&'static encoding_rs::Encoding> {
    let label = match n {
        437 | 850 | 1252 => "windows-1252",
        874 => "windows-874",
        932 => "shift_jis",
        936 => "gbk",
        949 => "euc-kr",
        950 => "big5",
        1250..=1258 => return encoding_rs::Encoding::for_label(format!("windows-{n}").as_bytes()),
        10000 => "macintosh",
        65001 => "utf-8",
        _ => return None,
    };
    encoding_rs::Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_cells_and_escapes() {
        let rtf = br"{\rtf1\ansi\ansicpg1252\deff0{\fonttbl{\f0\fswiss Helvetica;}}{\colortbl;\red255\green0\blue0;}
{\info{\title Harbour minutes}{\author Helen Ward}{\creatim\yr2024\mo3\dy12\hr9\min30}}
{\pard\b My First Heading\par}
{\pard Caf\'e9 \ldblquote cr\'e8me\rdblquote  costs \'80 5.\par}
{\*\generator Riched20;}\pard Na\u239?ve \u8364? sign\par
\trowd\cellx3000\cellx6000 \intbl Column 1\cell Column 2\cell\row
}";
        let got = RtfLoader.extract(rtf).unwrap();
        assert_eq!(got.title.as_deref(), Some("Harbour minutes"));
        assert_eq!(got.meta.author, "Helen Ward");
        assert_eq!(got.meta.created_ns, super::super::dates::iso8601_ns("2024-03-12T09:30:00Z"));
        assert_eq!(got.text, "My First Heading\nCafé “crème” costs € 5.\nNaïve € sign\nColumn 1\tColumn 2");
        for hidden in ["Helvetica", "Riched20", "255", "Harbour"] {
            assert!(!got.text.contains(hidden), "{hidden} in {:?}", got.text);
        }
    }

    #[test]
    fn broken_rtf_is_read_or_rejected_never_fatal() {
        assert!(matches!(RtfLoader.extract(b"plain words"), Err(LoadError::Malformed(_))));
        // Unbalanced braces and a cut-off escape still give the text that is there.
        assert_eq!(RtfLoader.extract(br"{\rtf1 Hello {\b world\'").unwrap().text, "Hello world");
        let deep = format!("{{\\rtf1 {}x", "{".repeat(20_000));
        assert!(matches!(RtfLoader.extract(deep.as_bytes()), Err(LoadError::Malformed(_))));
        // A \bin length past the end.
        assert!(RtfLoader.extract(br"{\rtf1 a\bin999999999 b}").is_ok());
    }
}
