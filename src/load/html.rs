//! Web pages (and e-book chapters and HTML mail bodies): the visible text only, with line breaks
//! where blocks end, and the `<title>` (else the first `<h1>`) as the title.
//!
//! html5ever (through scraper) builds the tree; [`Walker`] visits it without recursion, so a
//! deeply nested page cannot overflow the stack, and [`cap_nesting`] bounds the depth first.

use ego_tree::iter::Edge;
use scraper::Node;
use scraper::node::Element;

use super::{Extracted, LoadError, Loader, decode_text, reject_binary, tidy_lines};
use crate::model::DocFormat;

/// Web pages: the visible text only (no scripts, styles, templates or hidden elements), with
/// line breaks where blocks end; the `<title>` (else the first `<h1>`) is the title.
pub struct HtmlLoader;

impl Loader for HtmlLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["html", "htm", "xhtml"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Html
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        Ok(html_text(&decode_text(bytes)))
    }
}

/// The visible text and title of an HTML page.
pub(crate) fn html_text(source: &str) -> Extracted {
    let html = scraper::Html::parse_document(&cap_nesting(source, MAX_HTML_DEPTH));
    let mut walker = Walker::default();
    // An explicit traversal: deeply nested pages cannot overflow the stack.
    for edge in html.tree.root().traverse() {
        match edge {
            Edge::Open(node) => match node.value() {
                Node::Element(e) => walker.open(node.id(), e),
                Node::Text(t) => walker.text(t),
                _ => {}
            },
            Edge::Close(node) => {
                if let Node::Element(e) = node.value() {
                    walker.close(node.id(), e);
                }
            }
        }
    }
    walker.finish()
}

/// Elements whose content is never shown.
const SKIP: &[&str] = &["script", "style", "noscript", "template", "svg", "object", "iframe", "select"];
/// Elements that end a line.
const LINE: &[&str] = &["br", "li", "dt", "dd", "tr", "div", "figcaption", "caption", "address", "hr"];
/// Elements that also leave a blank line (paragraphs and other blocks).
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

/// Whether an element is hidden by its attributes.
fn hidden(e: &Element) -> bool {
    e.attr("hidden").is_some()
        || e.attr("aria-hidden").is_some_and(|v| v.eq_ignore_ascii_case("true"))
        || e.attr("style").is_some_and(|s| {
            let s: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
            s.contains("display:none") || s.contains("visibility:hidden")
        })
        || (e.name() == "input" && e.attr("type").is_some_and(|t| t.eq_ignore_ascii_case("hidden")))
}

/// What a walk over the tree has collected so far.
#[derive(Default)]
struct Walker {
    text: String,
    title: Option<String>,
    h1: Option<String>,
    /// The hidden or never-shown element being skipped, with everything inside it.
    skipping: Option<ego_tree::NodeId>,
    /// How many `<pre>` elements we are in (white space is kept there).
    pre_depth: usize,
    in_title: bool,
    title_buf: String,
    in_h1: bool,
}

impl Walker {
    fn open(&mut self, id: ego_tree::NodeId, e: &Element) {
        if self.skipping.is_some() {
            return;
        }
        let name = e.name();
        if name == "title" {
            self.in_title = true;
        } else if SKIP.contains(&name) || hidden(e) {
            self.skipping = Some(id);
        } else {
            if name == "pre" {
                self.pre_depth += 1;
            }
            if name == "h1" && self.h1.is_none() {
                self.in_h1 = true;
            }
            if LINE.contains(&name) || PARAGRAPH.contains(&name) {
                self.break_line(PARAGRAPH.contains(&name));
            } else if matches!(name, "td" | "th") && !self.text.ends_with('\n') {
                self.text.push('\t');
            }
        }
    }

    fn close(&mut self, id: ego_tree::NodeId, e: &Element) {
        if self.skipping == Some(id) {
            self.skipping = None;
            return;
        }
        if self.skipping.is_some() {
            return;
        }
        let name = e.name();
        if name == "pre" {
            self.pre_depth = self.pre_depth.saturating_sub(1);
        }
        if name == "h1" {
            self.in_h1 = false;
        }
        if name == "title" && self.in_title {
            self.in_title = false;
            let t = collapse(&self.title_buf);
            if !t.is_empty() && self.title.is_none() {
                self.title = Some(t);
            }
        }
        if LINE.contains(&name) || PARAGRAPH.contains(&name) {
            self.break_line(PARAGRAPH.contains(&name));
        }
    }

    fn text(&mut self, t: &str) {
        if self.skipping.is_some() {
            return;
        }
        if self.in_title {
            self.title_buf.push_str(t);
        } else if self.pre_depth > 0 {
            self.text.push_str(t);
        } else {
            let collapsed = collapse(t);
            if !collapsed.is_empty() {
                if t.starts_with(char::is_whitespace) && !self.text.ends_with(char::is_whitespace) {
                    self.text.push(' ');
                }
                self.text.push_str(&collapsed);
                if t.ends_with(char::is_whitespace) {
                    self.text.push(' ');
                }
            }
        }
        if self.in_h1 {
            self.h1.get_or_insert_with(String::new).push_str(t);
        }
    }

    /// Ends the line (and with `paragraph`, leaves a blank one), unless the text already does.
    fn break_line(&mut self, paragraph: bool) {
        if self.text.is_empty() {
            return;
        }
        if !self.text.ends_with('\n') {
            self.text.push('\n');
        }
        if paragraph && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
    }

    fn finish(self) -> Extracted {
        let h1 = self.h1.map(|h| collapse(&h)).filter(|h| !h.is_empty());
        Extracted { title: self.title.or(h1), text: tidy_lines(&self.text), ..Extracted::default() }
    }
}

/// `t` with every run of white space one space, and none at either end.
fn collapse(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Tags nested deeper than this are dropped before parsing (their text stays): html5ever scans
/// the stack of open elements at each tag, so parsing is quadratic in nesting depth (100,000
/// nested `<div>`s took 42 s), and no real page nests this deep.
const MAX_HTML_DEPTH: usize = 512;

/// `html` with the start tags that would open elements deeper than `max` removed, together
/// with their end tags. Depth is counted roughly, as a tokenizer would see tags (void elements
/// and `<…/>` do not nest; comments, doctypes and processing instructions are left alone), in
/// one pass; most pages come back unchanged and borrowed.
fn cap_nesting(html: &str, max: usize) -> std::borrow::Cow<'_, str> {
    const VOID: &[&str] = &[
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    // For each open element: was its start tag kept?
    let mut open: Vec<bool> = Vec::new();
    let mut depth = 0usize;
    let mut dropped: Vec<std::ops::Range<usize>> = Vec::new();
    let mut i = 0;
    while let Some(at) = bytes[i..].iter().position(|b| *b == b'<').map(|p| i + p) {
        let end = bytes[at..].iter().position(|b| *b == b'>').map_or(bytes.len(), |p| at + p + 1);
        let tag = &html[at..end];
        let closing = tag.starts_with("</");
        let name: String = tag[if closing { 2 } else { 1 }..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        if closing && !name.is_empty() {
            match open.pop() {
                Some(true) => depth -= 1,
                Some(false) => dropped.push(at..end),
                None => {}
            }
        } else if !name.is_empty() && !tag.ends_with("/>") && !VOID.contains(&name.as_str()) {
            let keep = depth < max;
            depth += usize::from(keep);
            open.push(keep);
            if !keep {
                dropped.push(at..end);
            }
        }
        i = end.max(at + 1);
        if i >= bytes.len() {
            break;
        }
    }
    if dropped.is_empty() {
        return std::borrow::Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len());
    let mut from = 0;
    for r in dropped {
        out.push_str(&html[from..r.start]);
        from = r.end;
    }
    out.push_str(&html[from..]);
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn nesting_is_capped_and_the_text_kept() {
        let page = format!("<p>{}deep <b>text</b>{}</p><p>after</p>", "<div>".repeat(10), "</div>".repeat(10));
        let capped = cap_nesting(&page, 4);
        // <p> and three <div>s make depth 4: deeper tags go, and their end tags with them.
        assert_eq!(capped, format!("<p>{}deep text{}</p><p>after</p>", "<div>".repeat(3), "</div>".repeat(3)));
        // Void elements, self-closing tags, comments and doctypes do not nest.
        let flat = "<!DOCTYPE html><html><body><br><img src=x><hr/><!-- <div> --><p>a</p></body></html>";
        assert!(matches!(cap_nesting(flat, 3), std::borrow::Cow::Borrowed(_)));
        // Work in proportion to the size: 100,000 levels would be ten thousand million scope steps.
        let deep = format!("{}deep text{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
        assert!(HtmlLoader.extract(deep.as_bytes()).unwrap().text.contains("deep text"));
        assert!(HtmlLoader.extract(b"<p>x<").unwrap().text.contains('x'));
    }

    #[test]
    fn deeply_nested_html_does_not_overflow_the_stack() {
        // 10,000 levels, capped at MAX_HTML_DEPTH before html5ever sees them.
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
}
