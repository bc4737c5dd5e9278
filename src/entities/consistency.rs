//! A document-level pass over another recogniser's mentions, so that a document tells one
//! story about each name:
//!
//! - a name gets one type in the whole document: a surname or first name standing alone takes
//!   the type of the full name it abbreviates ("Lavrov" after "Sergey Lavrov" is a person),
//!   otherwise the type most of its mentions got;
//! - mentions of an established name that the recogniser missed are added;
//! - in title-case headlines, where capitals say nothing, a mention is cut down to a name the
//!   body established ("Blinken Holds" → "Blinken") or dropped if it is an unknown phrase;
//! - no mention runs across a line break that ends a sentence or a headline, and none is made of
//!   punctuation alone.

use std::collections::HashMap;
use std::ops::Range;

use super::Extractor;
use crate::model::{Entity, EntityKind};

/// See the module documentation.
pub struct Consistent<E> {
    pub inner: E,
}

impl<E: Extractor> Extractor for Consistent<E> {
    fn extract(&self, text: &str) -> Vec<Entity> {
        make_consistent(text, self.inner.extract(text))
    }
}

/// Kinds that are names (as opposed to dates, amounts and contact details).
fn is_name(kind: EntityKind) -> bool {
    matches!(
        kind,
        EntityKind::Person
            | EntityKind::Org
            | EntityKind::Gpe
            | EntityKind::Loc
            | EntityKind::Fac
            | EntityKind::Norp
            | EntityKind::Product
            | EntityKind::Event
            | EntityKind::WorkOfArt
            | EntityKind::Law
            | EntityKind::Language
    )
}

/// Applies the pass to `mentions` found in `text`.
pub fn make_consistent(text: &str, mentions: Vec<Entity>) -> Vec<Entity> {
    let headlines = headline_lines(text);
    let in_headline = |span: &Range<usize>| headlines.iter().any(|h| h.start <= span.start && span.end <= h.end);

    // 1. No mention across a sentence-ending line break, and none made of punctuation alone
    // (the model reads Markdown's "##" as an amount).
    let mut mentions: Vec<Entity> = mentions
        .into_iter()
        .filter_map(|e| cut_at_line_end(text, e, &headlines))
        .filter(|e| text[e.span.clone()].chars().any(char::is_alphanumeric))
        .collect();

    // 2. What the body (outside headlines) establishes about each name.
    let mut votes: HashMap<&str, HashMap<EntityKind, usize>> = HashMap::new();
    let mut person_parts: HashMap<&str, usize> = HashMap::new();
    for e in mentions.iter().filter(|e| is_name(e.kind) && !in_headline(&e.span)) {
        let name = &text[e.span.clone()];
        *votes.entry(name).or_default().entry(e.kind).or_default() += 1;
        let words: Vec<&str> = name.split_whitespace().collect();
        if e.kind == EntityKind::Person && words.len() > 1 {
            for w in [words[0], words[words.len() - 1]] {
                *person_parts.entry(w).or_default() += 1;
            }
        }
    }
    let settled: HashMap<&str, EntityKind> = votes
        .iter()
        .map(|(name, kinds)| {
            let kind = if person_parts.contains_key(name) {
                EntityKind::Person
            } else {
                // Most votes; ties go to the kind ordered first (stable across runs).
                kinds
                    .iter()
                    .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                    .map_or(EntityKind::Person, |(k, _)| *k)
            };
            (*name, kind)
        })
        .collect();
    let known = |name: &str| settled.get(name).copied().or_else(|| person_parts.get(name).map(|_| EntityKind::Person));

    // 3. Headlines: keep what the body knows, cut to it, or drop unknown phrases.
    let mut out: Vec<Entity> = Vec::with_capacity(mentions.len());
    for e in mentions.drain(..) {
        if !is_name(e.kind) {
            out.push(e);
            continue;
        }
        let name = &text[e.span.clone()];
        if !in_headline(&e.span) {
            out.push(Entity { kind: known(name).unwrap_or(e.kind), span: e.span });
            continue;
        }
        if let Some(kind) = known(name) {
            out.push(Entity { kind, span: e.span });
        } else if let Some((span, kind)) = known_part(text, &e.span, &known) {
            out.push(Entity { kind, span });
        } else if !name.contains(char::is_whitespace) {
            out.push(e);
        }
    }

    // 4. Mentions of established names that the recogniser missed.
    let mut names: Vec<(&str, EntityKind)> = settled.iter().map(|(n, k)| (*n, *k)).collect();
    names.extend(person_parts.keys().filter(|p| !settled.contains_key(*p)).map(|p| (*p, EntityKind::Person)));
    names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
    out.sort_by_key(|e| (e.span.start, e.span.end));
    let mut added = Vec::new();
    for (name, kind) in names {
        if name.chars().count() < 3 || !name.starts_with(char::is_uppercase) {
            continue;
        }
        for (i, _) in text.match_indices(name) {
            let span = i..i + name.len();
            if whole_word(text, &span) && !covered(&out, &span) && !covered(&added, &span) {
                added.push(Entity { kind, span });
                added.sort_by_key(|e| e.span.start);
            }
        }
    }
    out.extend(added);
    out.sort_by_key(|e| (e.span.start, e.span.end));
    out
}

/// Byte ranges of title-case headline lines: short, nearly every longer word capitalised, and
/// not ending like a sentence.
fn headline_lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let range = start..start + line.trim_end().len();
        start += line.len();
        let trimmed = line.trim();
        if trimmed.len() > 200 || trimmed.ends_with('.') {
            continue;
        }
        let long: Vec<&str> = trimmed.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 4).collect();
        let caps = long.iter().filter(|w| w.starts_with(char::is_uppercase)).count();
        if long.len() >= 3 && caps * 10 >= long.len() * 8 {
            out.push(range);
        }
    }
    out
}

/// `e` cut before a line break that ends a sentence or a headline (or before a blank line).
fn cut_at_line_end(text: &str, mut e: Entity, headlines: &[Range<usize>]) -> Option<Entity> {
    let s = &text[e.span.clone()];
    if let Some(nl) = s.find('\n') {
        let before = s[..nl].trim_end();
        let after = s[nl + 1..].trim_start();
        let blank = after.starts_with('\n') || s[nl + 1..].starts_with('\n');
        let headline = headlines.iter().any(|h| h.start <= e.span.start && e.span.start + nl <= h.end);
        let sentence_end = before.ends_with(['.', '!', '?', ':', '"', '”']);
        if blank || headline || sentence_end {
            e.span.end = e.span.start + before.len();
        }
    }
    (!e.span.is_empty() && !text[e.span.clone()].trim().is_empty()).then_some(e)
}

/// The longest run of words inside `span` that is an established name.
fn known_part(
    text: &str,
    span: &Range<usize>,
    known: &impl Fn(&str) -> Option<EntityKind>,
) -> Option<(Range<usize>, EntityKind)> {
    let words: Vec<Range<usize>> = text[span.clone()]
        .split_whitespace()
        .map(|w| {
            let at = w.as_ptr() as usize - text.as_ptr() as usize;
            at..at + w.len()
        })
        .collect();
    let mut best: Option<(Range<usize>, EntityKind)> = None;
    for i in 0..words.len() {
        for j in (i..words.len()).rev() {
            let r = words[i].start..words[j].end;
            if let Some(kind) = known(&text[r.clone()])
                && best.as_ref().is_none_or(|(b, _)| r.len() > b.len())
            {
                best = Some((r, kind));
            }
        }
    }
    best
}

fn whole_word(text: &str, span: &Range<usize>) -> bool {
    let before = text[..span.start].chars().next_back();
    let after = text[span.end..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

fn covered(sorted: &[Entity], span: &Range<usize>) -> bool {
    let i = sorted.partition_point(|e| e.span.end <= span.start);
    sorted.get(i).is_some_and(|e| e.span.start < span.end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Replays fixed mentions, as a model with known mistakes would produce them.
    struct Scripted(Vec<(&'static str, usize, EntityKind)>);

    impl Extractor for Scripted {
        fn extract(&self, text: &str) -> Vec<Entity> {
            self.0
                .iter()
                .map(|(s, nth, k)| {
                    let i = text.match_indices(s).nth(*nth).map(|(i, _)| i).expect("scripted mention");
                    Entity { kind: *k, span: i..i + s.len() }
                })
                .collect()
        }
    }

    fn run(text: &str, script: Vec<(&'static str, usize, EntityKind)>) -> Vec<(String, &'static str)> {
        Consistent { inner: Scripted(script) }
            .extract(text)
            .into_iter()
            .map(|e| (text[e.span].to_owned(), e.kind.label()))
            .collect()
    }

    use EntityKind::*;

    #[test]
    fn surnames_follow_the_full_name_and_types_do_not_flip() {
        let text = "Talks Stall As Envoy Lavrov Holds Firm\nSergey Lavrov met reporters. Lavrov said no. Later Lavrov left, and Blinken spoke. Blinken agreed.";
        let got = run(
            text,
            vec![
                ("Lavrov Holds", 0, Person),
                ("Sergey Lavrov", 0, Person),
                ("Lavrov", 2, Org),
                ("Lavrov", 3, Org),
                ("Blinken", 0, Gpe),
                ("Blinken", 1, Person),
            ],
        );
        assert_eq!(
            got,
            [
                ("Lavrov".to_owned(), "PERSON"),
                ("Sergey Lavrov".to_owned(), "PERSON"),
                ("Lavrov".to_owned(), "PERSON"),
                ("Lavrov".to_owned(), "PERSON"),
                ("Blinken".to_owned(), "PERSON"),
                ("Blinken".to_owned(), "PERSON"),
            ],
            "a tie goes to the kind declared first: one type either way"
        );
    }

    #[test]
    fn missed_mentions_of_known_names_are_added() {
        let text = "Maria Lopez chaired. Lopez thanked the Northport Council; the Northport Council agreed. Lopezville is elsewhere.";
        let got = run(text, vec![("Maria Lopez", 0, Person), ("Northport Council", 0, Org)]);
        assert!(got.contains(&("Lopez".to_owned(), "PERSON")), "{got:?}");
        assert_eq!(got.iter().filter(|(t, _)| t == "Northport Council").count(), 2, "{got:?}");
        assert!(!got.iter().any(|(t, _)| t.starts_with("Lopezville")), "{got:?}");
    }

    #[test]
    fn headline_phrases_and_line_breaks() {
        let text = "Minister Holds 'Frank And Direct' Conversation Over Phone Call\nThe minister spoke.\n\nThe Report\n\nwas published.";
        let got = run(
            text,
            vec![
                ("'Frank And Direct' Conversation Over Phone Call\nThe", 0, WorkOfArt),
                ("Report\n\nwas", 0, WorkOfArt),
            ],
        );
        assert_eq!(
            got,
            [("Report".to_owned(), "WORK_OF_ART")],
            "an unknown headline phrase is dropped; a blank line cuts"
        );
        let text = "He read The Old Man and the Sea:\nit moved him.";
        let got = run(text, vec![("The Old Man and the Sea:\nit", 0, WorkOfArt)]);
        assert_eq!(got, [("The Old Man and the Sea:".to_owned(), "WORK_OF_ART")]);
    }

    #[test]
    fn punctuation_is_never_an_entity() {
        let text = "## Notes\n#### Costs: $5";
        let got = run(text, vec![("##", 0, Money), ("####", 0, Money), ("$5", 0, Money)]);
        assert_eq!(got, [("$5".to_owned(), "MONEY")]);
    }

    #[test]
    fn dates_and_amounts_pass_through() {
        let text = "On Friday he paid $5 to Acme.";
        let got = run(text, vec![("Friday", 0, Date), ("$5", 0, Money), ("Acme", 0, Org)]);
        assert_eq!(got.len(), 3);
    }
}
