//! Data exports: JSON (`key: value` lines, so a record reads as text and its words are found
//! with their field names) and XML (the text of every element, one element per line).

use quick_xml::events::Event;

use super::{Extracted, LoadError, Loader, decode_text, reject_binary, tidy_lines};

/// JSON documents and JSON Lines (`.json`, `.jsonl`, `.ndjson`).
pub struct JsonLoader;

/// Nesting deeper than this is flattened to its text without walking further (serde_json's own
/// recursion limit is 128).
const MAX_JSON_DEPTH: usize = 100;

impl Loader for JsonLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["json", "jsonl", "ndjson"]
    }

    fn kind(&self) -> &'static str {
        "json"
    }

    fn reads_partial(&self) -> bool {
        false
    }

    fn extract(&self, bytes: &[u8]) -> Result<Extracted, LoadError> {
        reject_binary(bytes)?;
        let source = decode_text(bytes);
        let mut text = String::new();
        let mut values = 0usize;
        for value in serde_json::Deserializer::from_str(&source).into_iter::<serde_json::Value>() {
            let value = value.map_err(|_| LoadError::Malformed("damaged JSON: cannot be parsed"))?;
            values += 1;
            if values > 1 {
                text.push('\n');
            }
            flatten(&value, "", 0, &mut text);
        }
        if values == 0 {
            return Err(LoadError::Malformed("empty file"));
        }
        Ok(Extracted { text: tidy_lines(&text), ..Extracted::default() })
    }
}

/// Scalars become `path: value` lines; objects and arrays are walked.
fn flatten(value: &serde_json::Value, path: &str, depth: usize, out: &mut String) {
    use serde_json::Value;
    let line = |out: &mut String, v: &str| {
        if path.is_empty() {
            out.push_str(v);
        } else {
            out.push_str(&format!("{path}: {v}"));
        }
        out.push('\n');
    };
    match value {
        Value::Null => {}
        Value::Bool(b) => line(out, &b.to_string()),
        Value::Number(n) => line(out, &n.to_string()),
        Value::String(s) => line(out, s),
        _ if depth >= MAX_JSON_DEPTH => line(out, &value.to_string()),
        Value::Array(items) => {
            for item in items {
                flatten(item, path, depth + 1, out);
                if item.is_object() {
                    out.push('\n');
                }
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                flatten(item, &path, depth + 1, out);
            }
        }
    }
}

/// XML documents (`.xml`): the text of every element; elements that hold text end a line.
pub struct XmlLoader;

impl Loader for XmlLoader {
    fn extensions(&self) -> &'static [&'static str] {
        &["xml"]
    }

    fn kind(&self) -> &'static str {
        "xml"
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
