//! Data exports: JSON (`key: value` lines, so a record reads as text and its words are found
//! with their field names) and XML (the text of every element, one element per line).

use quick_xml::events::Event;

use super::{Extracted, LoadError, Loader, decode_text, reject_binary, tidy_lines};
use crate::model::DocFormat;

/// JSON documents and JSON Lines (`.json`, `.jsonl`, `.ndjson`).
pub struct JsonLoader;

/// Nesting deeper than this is flattened to its text without walking further (serde_json's own
/// recursion limit is 128).
const MAX_JSON_DEPTH: usize = 100;

impl Loader for JsonLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["json", "jsonl", "ndjson"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Json
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let source = decode_text(bytes);
        let mut out = Flat { text: String::new(), room: super::output_limit(), cut: false };
        let mut values = 0usize;
        for value in serde_json::Deserializer::from_str(&source).into_iter::<serde_json::Value>() {
            let value = value.map_err(|_| LoadError::Malformed("damaged JSON: cannot be parsed"))?;
            values += 1;
            if values > 1 {
                out.text.push('\n');
            }
            out.flatten(&value, "", 0);
            if out.cut {
                break;
            }
        }
        if values == 0 {
            return Err(LoadError::Malformed("empty file"));
        }
        let meta = crate::model::DocMeta { truncated: out.cut, ..Default::default() };
        Ok(Extracted { text: tidy_lines(&out.text), meta, ..Extracted::default() })
    }
}

/// JSON flattened to text, up to `room` bytes: every value repeats its key path, so a long key
/// over a long array would otherwise expand far beyond the file.
struct Flat {
    text: String,
    room: usize,
    cut: bool,
}

impl Flat {
    /// Scalars become `path: value` lines; objects and arrays are walked.
    fn flatten(&mut self, value: &serde_json::Value, path: &str, depth: usize) {
        use serde_json::Value;
        if self.text.len() > self.room {
            self.cut = true;
        }
        if self.cut {
            return;
        }
        match value {
            Value::Null => {}
            Value::Bool(b) => self.line(path, &b.to_string()),
            Value::Number(n) => self.line(path, &n.to_string()),
            Value::String(s) => self.line(path, s),
            _ if depth >= MAX_JSON_DEPTH => self.line(path, &value.to_string()),
            Value::Array(items) => {
                for item in items {
                    self.flatten(item, path, depth + 1);
                    if item.is_object() {
                        self.text.push('\n');
                    }
                }
            }
            Value::Object(map) => {
                for (key, item) in map {
                    let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                    self.flatten(item, &path, depth + 1);
                }
            }
        }
    }

    fn line(&mut self, path: &str, value: &str) {
        if !path.is_empty() {
            self.text.push_str(path);
            self.text.push_str(": ");
        }
        self.text.push_str(value);
        self.text.push('\n');
    }
}

/// XML documents (`.xml`): the text of every element; elements that hold text end a line.
pub struct XmlLoader;

impl Loader for XmlLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["xml"]
    }

    fn format(&self) -> DocFormat {
        DocFormat::Xml
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let source = decode_text(bytes);
        let mut reader = quick_xml::Reader::from_str(&source);
        let mut text = String::new();
        let mut title: Option<String> = None;
        let mut in_title = false;
        // The text of the element being read, up to its next tag.
        let mut current = String::new();
        let flush = |current: &mut String, text: &mut String, in_title: bool, title: &mut Option<String>| {
            let piece = current.split_whitespace().collect::<Vec<_>>().join(" ");
            current.clear();
            if !piece.is_empty() {
                if in_title && title.is_none() {
                    *title = Some(piece.clone());
                }
                text.push_str(&piece);
                text.push('\n');
            }
        };
        loop {
            match reader.read_event() {
                Ok(Event::Start(e)) => {
                    flush(&mut current, &mut text, in_title, &mut title);
                    in_title = e.local_name().as_ref() == "title";
                }
                Ok(Event::End(_)) => {
                    flush(&mut current, &mut text, in_title, &mut title);
                    in_title = false;
                }
                Ok(Event::Text(t)) => current.push_str(&t.xml10_content()),
                Ok(Event::CData(c)) => current.push_str(&c.into_inner()),
                Ok(Event::GeneralRef(r)) => super::office::push_ref(&mut current, &r),
                Ok(Event::Eof) => break,
                Ok(_) => {}
                Err(_) => return Err(LoadError::Malformed("damaged XML: cannot be parsed")),
            }
        }
        flush(&mut current, &mut text, in_title, &mut title);
        Ok(Extracted { title, text: tidy_lines(&text), ..Extracted::default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_key_over_a_long_array_is_cut_at_the_output_limit() {
        // 100 KB of key and 100,000 numbers: 1.3 MB that would expand to 10 GB.
        let json = format!("{{\"{}\": [{}1]}}", "k".repeat(100_000), "1,".repeat(100_000));
        let got = super::super::with_output_limit(4 << 20, || JsonLoader.extract(json.as_bytes())).unwrap();
        assert!(got.meta.truncated);
        assert!(got.text.len() <= (4 << 20) + 200_000, "{}", got.text.len());
        assert!(!JsonLoader.extract(br#"{"a": [1, 2]}"#).unwrap().meta.truncated);
    }

    #[test]
    fn json_records_read_as_field_value_lines() {
        let got = JsonLoader
            .extract(br#"[{"name": "Helen Ward", "role": {"title": "harbour master"}, "tags": ["port", "cranes"], "n": 3, "x": null}]"#)
            .unwrap();
        assert_eq!(got.text, "name: Helen Ward\nrole.title: harbour master\ntags: port\ntags: cranes\nn: 3");
        let lines = JsonLoader.extract(b"{\"a\": 1}\n{\"a\": 2}\n").unwrap();
        assert_eq!(lines.text, "a: 1\n\na: 2");
        assert!(matches!(JsonLoader.extract(b"{\"a\": "), Err(LoadError::Malformed(_))));
        assert!(matches!(JsonLoader.extract(b"  "), Err(LoadError::Malformed("empty file"))));
        let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
        assert!(JsonLoader.extract(deep.as_bytes()).is_err(), "too deep for the parser: an error, not a crash");
    }

    #[test]
    fn xml_text_one_element_per_line() {
        let got = XmlLoader
            .extract(b"<?xml version=\"1.0\"?><doc><title>Fact book</title><country><name>Trinidad &amp; Tobago</name><capital>Port of Spain</capital></country><![CDATA[raw <b>]]></doc>")
            .unwrap();
        assert_eq!(got.title.as_deref(), Some("Fact book"));
        assert_eq!(got.text, "Fact book\nTrinidad & Tobago\nPort of Spain\nraw <b>");
        assert!(matches!(XmlLoader.extract(b"<a><b></a>"), Err(LoadError::Malformed(_))));
    }
}
