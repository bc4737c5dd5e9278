//! Contact details found by patterns: e-mail addresses, web addresses and phone numbers
//! (international `+CC …` forms and the common North American ones). [`WithContacts`] puts them
//! in front of another recogniser, whose mentions overlapping them are dropped (a model may
//! tag the host name inside a URL as an organisation).

use std::ops::Range;

use regex::Regex;

use super::Extractor;
use crate::model::{Entity, EntityKind};

/// See the module documentation.
pub struct ContactExtractor {
    patterns: Vec<(EntityKind, Regex)>,
}

impl ContactExtractor {
    pub fn new() -> ContactExtractor {
        let compile = |p: &str| Regex::new(p).unwrap_or_else(|e| panic!("bad built-in pattern {p}: {e}"));
        ContactExtractor {
            patterns: vec![
                (EntityKind::Url, compile(r#"(?i)\b(?:https?://|ftp://|www\.)[^\s<>"'`{}|\\^\[\]]+"#)),
                (
                    EntityKind::Email,
                    compile(
                        r"(?i)\b[a-z0-9][a-z0-9._%+-]*@[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*\.[a-z]{2,24}\b",
                    ),
                ),
                (
                    EntityKind::Phone,
                    compile(
                        r"(?:\+\d{1,3}[\s.-]?(?:\(0?\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{2,4}){1,4}|\(\d{3}\)\s?\d{3}[\s.-]\d{4}|\b\d{3}[.-]\d{3}[.-]\d{4})\b",
                    ),
                ),
            ],
        }
    }
}

impl Default for ContactExtractor {
    fn default() -> Self {
        ContactExtractor::new()
    }
}

impl Extractor for ContactExtractor {
    fn extract(&self, text: &str) -> Vec<Entity> {
        let mut out: Vec<Entity> = Vec::new();
        for (kind, re) in &self.patterns {
            for m in re.find_iter(text) {
                let span = if *kind == EntityKind::Url { trim_url(text, m.range()) } else { m.range() };
                if *kind == EntityKind::Phone && !plausible_phone(&text[span.clone()]) {
                    continue;
                }
                if !out.iter().any(|e| overlaps(&e.span, &span)) {
                    out.push(Entity { kind: *kind, span });
                }
            }
        }
        out.sort_by_key(|e| e.span.start);
        out
    }
}

/// A phone number has 7 to 15 digits (E.164 allows at most 15).
fn plausible_phone(s: &str) -> bool {
    let digits = s.chars().filter(char::is_ascii_digit).count();
    (7..=15).contains(&digits)
}

/// Drops punctuation that ends a sentence rather than the address, and a closing bracket
/// that has no opening one inside the URL.
fn trim_url(text: &str, mut span: Range<usize>) -> Range<usize> {
    loop {
        let s = &text[span.clone()];
        let Some(last) = s.chars().last() else { break };
        let unbalanced =
            (last == ')' && s.matches('(').count() < s.matches(')').count()) || (last == ']' && !s.contains('['));
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '>') || unbalanced {
            span.end -= last.len_utf8();
        } else {
            break;
        }
    }
    span
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start < b.end && b.start < a.end
}

/// Contact details first, then `inner`'s mentions that do not overlap them.
pub struct WithContacts<E> {
    pub contacts: ContactExtractor,
    pub inner: E,
}

impl<E: Extractor> Extractor for WithContacts<E> {
    fn extract(&self, text: &str) -> Vec<Entity> {
        let contacts = self.contacts.extract(text);
        let mut out: Vec<Entity> = self
            .inner
            .extract(text)
            .into_iter()
            .filter(|e| {
                let i = contacts.partition_point(|c| c.span.end <= e.span.start);
                contacts.get(i).is_none_or(|c| !overlaps(&c.span, &e.span))
            })
            .collect();
        out.extend(contacts);
        out.sort_by_key(|e| (e.span.start, e.span.end));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&'static str, String)> {
        ContactExtractor::new().extract(text).into_iter().map(|e| (e.kind.label(), text[e.span].to_owned())).collect()
    }

    #[test]
    fn email_headers_and_signatures() {
        let text = "From: jane.doe@northport-shipping.co.uk\nTo: ops@example.org\nCall me at (713) 853-5984 or 713.345.7896, \
                    mobile +44 20 7946 0958, Paris office +33 (0)1 42 68 53 00.\nDetails: https://example.org/report?id=7&x=(1).\n\
                    See www.northport.gov/harbour, then reply.";
        let got = found(text);
        let want = [
            ("EMAIL", "jane.doe@northport-shipping.co.uk"),
            ("EMAIL", "ops@example.org"),
            ("PHONE", "(713) 853-5984"),
            ("PHONE", "713.345.7896"),
            ("PHONE", "+44 20 7946 0958"),
            ("PHONE", "+33 (0)1 42 68 53 00"),
            ("URL", "https://example.org/report?id=7&x=(1)"),
            ("URL", "www.northport.gov/harbour"),
        ];
        for (kind, text) in want {
            assert!(got.iter().any(|(k, t)| *k == kind && t == text), "missing {kind} {text}: {got:?}");
        }
        assert_eq!(got.len(), want.len(), "{got:?}");
    }

    #[test]
    fn numbers_that_are_not_phones() {
        let got = found("In 2021 the firm paid 1,250,000 to 12 staff; order 2020-10-12; ref 12345.");
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn contacts_win_over_overlapping_mentions() {
        struct HostIsOrg;
        impl Extractor for HostIsOrg {
            fn extract(&self, text: &str) -> Vec<Entity> {
                let i = text.find("example").unwrap_or(0);
                vec![Entity { kind: EntityKind::Org, span: i..i + 7 }, Entity { kind: EntityKind::Person, span: 0..4 }]
            }
        }
        let text = "Jane wrote to info@example.org";
        let got = WithContacts { contacts: ContactExtractor::new(), inner: HostIsOrg }.extract(text);
        let labels: Vec<_> = got.iter().map(|e| (e.kind.label(), &text[e.span.clone()])).collect();
        assert_eq!(labels, [("PERSON", "Jane"), ("EMAIL", "info@example.org")]);
    }
}
