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
    pub rules: Rules,
}

impl<E: Extractor> Extractor for Consistent<E> {
    fn extract(&self, text: &str) -> Vec<Entity> {
        make_consistent(text, self.inner.extract(text), self.rules)
    }
}

/// The pass's rules. Each can be left out to measure what it earns (`dossier eval-ner --ablate`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules(u16);

impl Rules {
    /// No mention across a line break that ends a sentence or a headline.
    pub const LINE_BREAKS: Rules = Rules(1);
    /// No mention made of punctuation alone (the model reads Markdown's "##" as an amount), and
    /// no name ending in a comma or colon.
    pub const PUNCTUATION: Rules = Rules(1 << 1);
    /// No mention that is a lone article, pronoun or title ("The", "He", "Mr").
    pub const FUNCTION_WORDS: Rules = Rules(1 << 2);
    /// A name gets the type most of its mentions got.
    pub const ONE_TYPE: Rules = Rules(1 << 3);
    /// A first name or surname standing alone is the person whose full name it is part of.
    pub const NAME_PARTS: Rules = Rules(1 << 4);
    /// In title-case headlines, a mention is cut to a name the body knows, or dropped.
    pub const HEADLINES: Rules = Rules(1 << 5);
    /// Mentions of established names that the model missed are added.
    pub const MISSED: Rules = Rules(1 << 6);
    /// Lines of a table or list (three or more short lines in a row, none ending a sentence)
    /// are not headlines, however capitalised.
    pub const TABLES: Rules = Rules(1 << 7);
    /// A one-word name is not added wherever it occurs if it may be an ordinary word: if the
    /// text also has it in lower case, or it is a function word (see [`spreads`]).
    pub const ORDINARY_WORDS: Rules = Rules(1 << 8);
    /// A name does not run past a bracket it does not close ("Ro Adam ( Grantham" → "Ro Adam"),
    /// nor past the closing quote of a name in single quotes.
    pub const BRACKETS: Rules = Rules(1 << 9);
    /// A name does not run into the next line of a mail header block ("From: Avram Siegel"
    /// then "Sent: Tue …"), and a header's label ("Sent:", "Cc:") is not a name.
    pub const MAIL_HEADERS: Rules = Rules(1 << 10);
    pub const ALL: Rules = Rules((1 << 11) - 1);
    pub const NONE: Rules = Rules(0);

    /// Every rule with its name for the command line.
    pub const NAMED: [(&'static str, Rules); 11] = [
        ("line-breaks", Rules::LINE_BREAKS),
        ("punctuation", Rules::PUNCTUATION),
        ("function-words", Rules::FUNCTION_WORDS),
        ("one-type", Rules::ONE_TYPE),
        ("name-parts", Rules::NAME_PARTS),
        ("headlines", Rules::HEADLINES),
        ("missed", Rules::MISSED),
        ("tables", Rules::TABLES),
        ("ordinary-words", Rules::ORDINARY_WORDS),
        ("brackets", Rules::BRACKETS),
        ("mail-headers", Rules::MAIL_HEADERS),
    ];

    pub fn named(name: &str) -> Option<Rules> {
        Rules::NAMED.iter().find(|(n, _)| *n == name).map(|(_, r)| *r)
    }

    pub fn has(self, rule: Rules) -> bool {
        self.0 & rule.0 == rule.0
    }

    pub fn without(self, rule: Rules) -> Rules {
        Rules(self.0 & !rule.0)
    }
}

/// Applies the pass's `rules` to `mentions` found in `text`.
pub fn make_consistent(text: &str, mentions: Vec<Entity>, rules: Rules) -> Vec<Entity> {
    let layout = Layout::of(text, rules.has(Rules::TABLES));
    let in_headline = |span: &Range<usize>| {
        rules.has(Rules::HEADLINES) && layout.headlines.iter().any(|h| h.start <= span.start && span.end <= h.end)
    };
    let mut mentions = clean(text, mentions, &layout, rules);
    if rules.has(Rules::MAIL_HEADERS) {
        mentions = header_names(text, mentions);
    }
    let known = Established::of(text, &mentions, &in_headline, rules);
    let mut out = settle(text, mentions, &known, &in_headline);
    if rules.has(Rules::MISSED) {
        add_missed(text, &mut out, &known, rules.has(Rules::ORDINARY_WORDS));
        // Nor is a header's label added as a mention of a name spelled the same.
        if rules.has(Rules::MAIL_HEADERS) {
            out.retain(|e| !is_header_label(text, e));
        }
    }
    out.sort_by_key(|e| (e.span.start, e.span.end));
    out
}

/// Step 1: mentions cut at line ends, and those of punctuation or a lone function word dropped.
fn clean(text: &str, mentions: Vec<Entity>, layout: &Layout, rules: Rules) -> Vec<Entity> {
    mentions
        .into_iter()
        .filter_map(|e| if rules.has(Rules::LINE_BREAKS) { cut_at_line_end(text, e, layout) } else { Some(e) })
        .filter_map(|e| if rules.has(Rules::BRACKETS) { cut_at_lone_bracket(text, e) } else { Some(e) })
        .filter_map(|e| if rules.has(Rules::MAIL_HEADERS) { outside_header_labels(text, e) } else { Some(e) })
        .filter(|e| !rules.has(Rules::PUNCTUATION) || text[e.span.clone()].chars().any(char::is_alphanumeric))
        .map(|mut e| {
            // No name ends in a comma or a colon ("Dasovich," of "Dasovich, Jeff").
            if rules.has(Rules::PUNCTUATION) && e.kind.is_name() {
                let s = &text[e.span.clone()];
                e.span.end = e.span.start + s.trim_end_matches([',', ';', ':']).trim_end().len();
            }
            e
        })
        .filter(|e| !rules.has(Rules::FUNCTION_WORDS) || !e.kind.is_name() || !is_function_word(&text[e.span.clone()]))
        .collect()
}

/// Written as a name: a capital first and some lower case ("Lavrov", "McDonald"; not "XII").
fn is_title_case(word: &str) -> bool {
    word.starts_with(char::is_uppercase) && word.chars().any(char::is_lowercase)
}

/// Words that are never a name on their own, whatever their case.
fn is_function_word(s: &str) -> bool {
    const WORDS: [&str; 40] = [
        "a", "an", "the", "he", "she", "it", "they", "we", "i", "you", "him", "her", "his", "hers", "its", "them",
        "their", "our", "my", "your", "this", "that", "these", "those", "mr", "mrs", "ms", "dr", "sir", "madam", "and",
        "or", "but", "of", "in", "on", "at", "to", "for", "with",
    ];
    let w = s.trim().trim_end_matches('.').to_lowercase();
    WORDS.contains(&w.as_str())
}

/// Step 2: what the body (outside headlines) establishes about each name.
struct Established<'t> {
    /// Each name's type.
    settled: HashMap<&'t str, EntityKind>,
    /// First names and surnames of people named in full, with how often.
    person_parts: HashMap<&'t str, usize>,
}

impl<'t> Established<'t> {
    fn of(
        text: &'t str,
        mentions: &[Entity],
        in_headline: &impl Fn(&Range<usize>) -> bool,
        rules: Rules,
    ) -> Established<'t> {
        let mut votes: HashMap<&str, HashMap<EntityKind, usize>> = HashMap::new();
        let mut person_parts: HashMap<&str, usize> = HashMap::new();
        for e in mentions.iter().filter(|e| e.kind.is_name() && !in_headline(&e.span)) {
            let name = &text[e.span.clone()];
            *votes.entry(name).or_default().entry(e.kind).or_default() += 1;
            let words: Vec<&str> = name.split_whitespace().collect();
            if rules.has(Rules::NAME_PARTS) && e.kind == EntityKind::Person && words.len() > 1 {
                // Only parts written as names: "Lavrov", not "XII" or a heading's "CHAPTER".
                for w in [words[0], words[words.len() - 1]].into_iter().filter(|w| is_title_case(w)) {
                    *person_parts.entry(w).or_default() += 1;
                }
            }
        }
        let one_type = rules.has(Rules::ONE_TYPE);
        let settled = votes
            .iter()
            .filter(|(_, kinds)| one_type || kinds.len() == 1)
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
        Established { settled, person_parts }
    }

    /// The type the body gave `name`, if it did.
    fn kind(&self, name: &str) -> Option<EntityKind> {
        self.settled.get(name).copied().or_else(|| self.person_parts.get(name).map(|_| EntityKind::Person))
    }

    /// Every established name with its type, longest first.
    fn names(&self) -> Vec<(&'t str, EntityKind)> {
        let mut names: Vec<(&str, EntityKind)> = self.settled.iter().map(|(n, k)| (*n, *k)).collect();
        names.extend(
            self.person_parts.keys().filter(|p| !self.settled.contains_key(*p)).map(|p| (*p, EntityKind::Person)),
        );
        names.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(b.0)));
        names
    }
}

/// Step 3: each mention takes its name's type; in headlines, a mention is kept if the body
/// knows it, cut to the part the body knows, or dropped if it is an unknown phrase.
fn settle(
    text: &str,
    mentions: Vec<Entity>,
    known: &Established<'_>,
    in_headline: &impl Fn(&Range<usize>) -> bool,
) -> Vec<Entity> {
    let mut out: Vec<Entity> = Vec::with_capacity(mentions.len());
    for e in mentions {
        if !e.kind.is_name() {
            out.push(e);
            continue;
        }
        let name = &text[e.span.clone()];
        if !in_headline(&e.span) {
            out.push(Entity { kind: known.kind(name).unwrap_or(e.kind), span: e.span });
            continue;
        }
        if let Some(kind) = known.kind(name) {
            out.push(Entity { kind, span: e.span });
        } else if let Some((span, kind)) = known_part(text, &e.span, &|n| known.kind(n)) {
            out.push(Entity { kind, span });
        } else if !name.contains(char::is_whitespace) {
            out.push(e);
        }
    }
    out
}

/// Step 4: mentions of established names that the model missed.
fn add_missed(text: &str, out: &mut Vec<Entity>, known: &Established<'_>, guard: bool) {
    out.sort_by_key(|e| (e.span.start, e.span.end));
    let mut added = Vec::new();
    for (name, kind) in known.names() {
        if name.chars().count() < 3 || !name.starts_with(char::is_uppercase) || (guard && !spreads(text, name)) {
            continue;
        }
        for (i, _) in text.match_indices(name) {
            let span = i..i + name.len();
            if whole_word(text, &span) && !covered(out, &span) && !covered(&added, &span) {
                added.push(Entity { kind, span });
                added.sort_by_key(|e| e.span.start);
            }
        }
    }
    out.extend(added);
}

/// Whether the name `name` may be added wherever it occurs: a name of several words may; a
/// one-word name may not if the text also has it as an ordinary word (in lower case), or if it
/// is a function word ("The" taken for a person once must not make every "The" one).
fn spreads(text: &str, name: &str) -> bool {
    if name.contains(char::is_whitespace) {
        return true;
    }
    let lower = name.to_lowercase();
    if is_function_word(name) || lower == name {
        return false;
    }
    !text.match_indices(lower.as_str()).any(|(i, _)| whole_word(text, &(i..i + lower.len())))
}

/// Where the text's headlines and table rows are.
struct Layout {
    /// Title-case headline lines: short, nearly every longer word capitalised, and not ending
    /// like a sentence.
    headlines: Vec<Range<usize>>,
    /// Lines of tables and lists: three or more short lines in a row, none ending a sentence
    /// (found only with [`Rules::TABLES`]). They are never headlines, however capitalised.
    rows: Vec<Range<usize>>,
}

impl Layout {
    fn of(text: &str, tables: bool) -> Layout {
        let mut lines: Vec<(Range<usize>, bool, bool)> = Vec::new();
        let mut start = 0;
        for line in text.split_inclusive('\n') {
            let range = start..start + line.trim_end().len();
            start += line.len();
            let trimmed = line.trim();
            let short = !trimmed.is_empty() && trimmed.len() <= 200 && !trimmed.ends_with(['.', '!', '?']);
            let long: Vec<&str> =
                trimmed.split(|c: char| !c.is_alphabetic()).filter(|w| w.chars().count() >= 4).collect();
            let caps = long.iter().filter(|w| w.starts_with(char::is_uppercase)).count();
            let shaped =
                trimmed.len() <= 200 && !trimmed.ends_with('.') && long.len() >= 3 && caps * 10 >= long.len() * 8;
            lines.push((range, short, shaped));
        }
        let mut layout = Layout { headlines: Vec::new(), rows: Vec::new() };
        let mut i = 0;
        while i < lines.len() {
            // A run of short lines: a table or list when it has three or more.
            let mut j = i;
            while j < lines.len() && lines[j].1 {
                j += 1;
            }
            let run = (j - i).max(1);
            let in_table = tables && run >= 3;
            for (range, _, shaped) in &lines[i..i + run] {
                if in_table {
                    layout.rows.push(range.clone());
                } else if *shaped {
                    layout.headlines.push(range.clone());
                }
            }
            i += run;
        }
        layout
    }
}

/// `e` cut before a bracket it does not close, or after one it did not open.
fn cut_at_lone_bracket(text: &str, mut e: Entity) -> Option<Entity> {
    let s = &text[e.span.clone()];
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' if depth == 0 => {
                // Closes nothing in the mention: the name starts after it.
                e.span.start += i + c.len_utf8();
                return cut_at_lone_bracket(text, e);
            }
            ')' | ']' => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        let open = s.rfind(['(', '[']).unwrap_or(s.len());
        e.span.end = e.span.start + s[..open].trim_end().len();
    }
    let s = &text[e.span.clone()];
    let lead = s.len() - s.trim_start().len();
    e.span.start += lead;
    // A name in single quotes ('Avram Siegel') ends before the closing one.
    let quote = |c: char| matches!(c, '\'' | '‘' | '’');
    if text[..e.span.start].ends_with(quote) && text[e.span.clone()].ends_with(quote) {
        let s = &text[e.span.clone()];
        e.span.end = e.span.start + s.trim_end_matches(quote).len();
    }
    (!e.span.is_empty() && text[e.span.clone()].chars().any(char::is_alphanumeric)).then_some(e)
}

/// `e` cut before a line break that ends a sentence or a headline (or before a blank line).
fn cut_at_line_end(text: &str, mut e: Entity, layout: &Layout) -> Option<Entity> {
    let s = &text[e.span.clone()];
    if let Some(nl) = s.find('\n') {
        let before = s[..nl].trim_end();
        let after = s[nl + 1..].trim_start();
        let blank = after.starts_with('\n') || s[nl + 1..].starts_with('\n');
        // (A line's range leaves out the spaces it ends with.)
        let on = |lines: &[Range<usize>]| {
            lines.iter().any(|h| h.start <= e.span.start && e.span.start + before.len() <= h.end)
        };
        let sentence_end = before.ends_with(['.', '!', '?', ':', '"', '”']);
        // In a table or list every line ends a row.
        if blank || on(&layout.headlines) || on(&layout.rows) || sentence_end {
            e.span.end = e.span.start + before.len();
        }
    }
    (!e.span.is_empty() && !text[e.span.clone()].trim().is_empty()).then_some(e)
}

/// The labels of a mail header's lines, as quoted in forwarded and replied-to messages.
const HEADER_LABELS: [&str; 11] =
    ["from", "sent", "to", "cc", "bcc", "subject", "date", "reply-to", "importance", "attachments", "sender"];

/// The labels of header lines whose values are people (their addresses and names).
const ADDRESS_LABELS: [&str; 6] = ["from", "to", "cc", "bcc", "reply-to", "sender"];

/// Whether `name` is a person's name written surname first, as mail programs list people in a
/// header ("Nemec, Gerald", "Kean, Steven J.", "Bowen Jr., Raymond"): one capitalised word (and
/// a "Jr."), a comma, then one to three capitalised words or initials. Not two names written
/// first name first ("Jeff Dasovich, Susan Mara").
pub(crate) fn is_surname_first(name: &str) -> bool {
    let Some((surname, given)) = name.split_once(',') else { return false };
    let (surname, given) = (surname.trim_end(), given.trim_start());
    let word = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase)
            && w.chars().any(char::is_lowercase)
            && w.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-'))
    };
    let initial = |w: &str| {
        let letters = w.trim_end_matches('.');
        letters.chars().count() == 1 && letters.starts_with(char::is_uppercase)
    };
    let mut surname: Vec<&str> = surname.split(' ').collect();
    if surname.len() > 1 && matches!(surname[surname.len() - 1], "Jr." | "Jr" | "Sr." | "Sr" | "II" | "III" | "IV") {
        surname.pop();
    }
    let given: Vec<&str> = given.split(' ').collect();
    surname.len() == 1
        && surname.iter().all(|w| word(w))
        && (1..=3).contains(&given.len())
        && word(given[0])
        && given[1..].iter().all(|w| word(w) || initial(w))
        && !given
            .iter()
            .chain(&surname)
            .any(|w| is_function_word(w) || HEADER_LABELS.contains(&w.to_lowercase().as_str()))
}

/// Whether the line holding byte `at` of `text` is a mail header's line listing people
/// ("To: Nemec, Gerald; Kean, Steven J.").
pub(crate) fn in_address_line(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    header_label(&text[start..]).is_some_and(|l| ADDRESS_LABELS.iter().any(|a| l.eq_ignore_ascii_case(a)))
}

/// The people of mail header lines that list them surname first ("From: Nemec, Gerald
/// [mailto:…]", "To: Kean, Steven J.; Buy, Rick"), one mention each, in place of the pieces
/// the model found of them ("Gerald" alone, or nothing).
fn header_names(text: &str, mut mentions: Vec<Entity>) -> Vec<Entity> {
    let mut found = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let at = line_start;
        line_start += line.len();
        if !in_address_line(line, 0) {
            continue;
        }
        let Some(colon) = line.find(':') else { continue };
        let mut part_start = at + colon + 1;
        for part in line[colon + 1..].split(';') {
            let from = part_start;
            part_start += part.len() + 1;
            // The name before an address in brackets.
            let name = part.split(['[', '<', '(']).next().unwrap_or_default();
            let lead = name.len() - name.trim_start().len();
            let name = name.trim();
            if is_surname_first(name) {
                found.push(Entity { kind: EntityKind::Person, span: from + lead..from + lead + name.len() });
            }
        }
    }
    if !found.is_empty() {
        let overlaps = |a: &Range<usize>, b: &Range<usize>| a.start < b.end && b.start < a.end;
        mentions.retain(|m| !found.iter().any(|f| overlaps(&f.span, &m.span)));
        mentions.extend(found);
        mentions.sort_by_key(|e| (e.span.start, e.span.end));
    }
    mentions
}

/// The header label `line` starts with ("Sent: Tue …", "> Cc: …"), after indentation and
/// quote marks.
fn header_label(line: &str) -> Option<&str> {
    let line = line.split('\n').next().unwrap_or_default();
    let line = line.trim_start_matches(|c: char| c.is_whitespace() || c == '>');
    let (label, _) = line.split_once(':')?;
    let label = label.trim_end();
    HEADER_LABELS.iter().any(|l| label.eq_ignore_ascii_case(l)).then_some(label)
}

/// Whether `e` is a name's mention that is a mail header's label (before its colon).
fn is_header_label(text: &str, e: &Entity) -> bool {
    let after = text[e.span.end..].trim_start_matches([' ', '\t']);
    e.kind.is_name() && after.starts_with(':') && {
        // The line up to the colon is the label alone.
        let line_start = text[..e.span.start].rfind('\n').map_or(0, |i| i + 1);
        let colon = text.len() - after.len() + 1;
        header_label(&text[line_start..colon]) == Some(text[e.span.clone()].trim_start_matches(['>', ' ', '\t']))
    }
}

/// `e` cut before a line break that a mail header's line follows, or none if it is that
/// header's label (a name's mention before the label's colon).
fn outside_header_labels(text: &str, mut e: Entity) -> Option<Entity> {
    if is_header_label(text, &e) {
        return None;
    }
    let s = &text[e.span.clone()];
    let mut at = 0;
    while let Some(nl) = s[at..].find('\n') {
        let next_line = at + nl + 1;
        if header_label(&text[e.span.start + next_line..]).is_some() {
            e.span.end = e.span.start + s[..at + nl].trim_end().len();
            break;
        }
        at = next_line;
    }
    (!text[e.span.clone()].trim().is_empty()).then_some(e)
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
        Consistent { inner: Scripted(script), rules: Rules::ALL }
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
        assert_eq!(got, [("The Old Man and the Sea".to_owned(), "WORK_OF_ART")], "cut at the line end, then its colon");
    }

    #[test]
    fn punctuation_is_never_an_entity() {
        let text = "## Notes\n#### Costs: $5";
        let got = run(text, vec![("##", 0, Money), ("####", 0, Money), ("$5", 0, Money)]);
        assert_eq!(got, [("$5".to_owned(), "MONEY")]);
    }

    #[test]
    fn a_one_word_name_that_is_also_an_ordinary_word_does_not_spread() {
        // The model's one-off mistakes ("The" as a person, a chapter heading) stay one-off.
        let text = "CHAPTER I\n\nThe Prince came. The prince spoke to the chapter. Prince Andrew left. \
                    Natasha smiled. Later Natasha sang.";
        let got =
            run(text, vec![("The", 0, Person), ("CHAPTER", 0, Person), ("Prince", 0, Person), ("Natasha", 0, Person)]);
        assert_eq!(
            got,
            [
                ("CHAPTER".to_owned(), "PERSON"),
                ("Prince".to_owned(), "PERSON"),
                ("Natasha".to_owned(), "PERSON"),
                ("Natasha".to_owned(), "PERSON")
            ],
            "a lone 'The' is dropped; 'chapter' and 'prince' occur in lower case, so neither spreads; Natasha does"
        );
    }

    #[test]
    fn table_rows_are_not_headlines_and_mentions_end_with_their_row() {
        let text = "Leading scores :\n1. Ivan Lendl ( Czech Republic ) 68 70\n2. Pete Sampras ( United States ) 69\n\
                    3. Boris Becker ( Germany ) 71\nName , Team\nAnna Berg , Calder Rowing Club\nJoan Marsh , Leith";
        let got = run(
            text,
            vec![
                ("Ivan Lendl", 0, Person),
                ("Pete Sampras ( United", 0, Person),
                ("Boris Becker", 0, Person),
                ("Germany", 0, Gpe),
                ("Team\nAnna Berg", 0, Org),
            ],
        );
        assert_eq!(
            got,
            [
                ("Ivan Lendl".to_owned(), "PERSON"),
                ("Pete Sampras".to_owned(), "PERSON"),
                ("Boris Becker".to_owned(), "PERSON"),
                ("Germany".to_owned(), "GPE"),
                ("Team".to_owned(), "ORG"),
            ],
            "capitalised rows are kept whole, cut at their line end and at a bracket they do not close"
        );
        // The same rows as headlines (the tables rule off) lose the unknown names.
        let off =
            Consistent { inner: Scripted(vec![("Ivan Lendl", 0, Person)]), rules: Rules::ALL.without(Rules::TABLES) };
        assert!(off.extract(text).is_empty());
    }

    #[test]
    fn every_rule_has_a_name_and_can_be_left_out() {
        for (name, rule) in Rules::NAMED {
            assert_eq!(Rules::named(name), Some(rule));
            assert!(Rules::ALL.has(rule) && !Rules::ALL.without(rule).has(rule));
        }
        let all = Rules::NAMED.iter().fold(Rules::NONE, |acc, (_, r)| Rules(acc.0 | r.0));
        assert_eq!(all, Rules::ALL, "every rule is named");
    }

    #[test]
    fn a_name_stops_at_a_mail_header_line_and_a_header_label_is_no_name() {
        let text = "-----Original Message-----\n\tFrom: Avram Siegel \n\tSent: Tue 11/13/2001 7:30 PM\n\
                    > Cc: Jeff\nSent: Monday\nSent home early, Rory said: fine.";
        let got = run(
            text,
            vec![
                ("Avram Siegel \n\tSent", 0, Person),
                ("> Cc", 0, Person),
                ("Sent", 1, Person),
                ("Sent", 2, Person),
                ("Rory", 0, Person),
            ],
        );
        assert_eq!(
            got,
            [("Avram Siegel".to_owned(), "PERSON"), ("Sent".to_owned(), "PERSON"), ("Rory".to_owned(), "PERSON")],
            "a label before its colon goes; the same word elsewhere stays (the model's call)"
        );
    }

    #[test]
    fn people_a_mail_header_lists_surname_first_are_one_mention_each() {
        let text = "From: \tNemec, Gerald [mailto:g@x.com]\nTo: Kean, Steven J.; 'Avram Siegel'; Bowen Jr., Raymond\n\
                    Cc: Jeff Dasovich, Susan Mara\nSubject: Lay, Kenneth\n\nGerald wrote to Lay, Kenneth and Smith, Inc.";
        let got = run(
            text,
            vec![
                ("Gerald", 0, Person),
                ("Steven J.", 0, Person),
                ("Avram Siegel'", 0, Person),
                ("Bowen Jr.,", 0, Person),
                ("Jeff Dasovich", 0, Person),
                ("Susan Mara", 0, Person),
            ],
        );
        let names: Vec<&str> = got.iter().filter(|(_, k)| *k == "PERSON").map(|(s, _)| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "Nemec, Gerald",
                "Kean, Steven J.",
                "Avram Siegel",
                "Bowen Jr., Raymond",
                "Jeff Dasovich",
                "Susan Mara",
                "Gerald"
            ],
            "only lines that list people, not two names in a row; the quoted name without its quote"
        );
    }

    #[test]
    fn dates_and_amounts_pass_through() {
        let text = "On Friday he paid $5 to Acme.";
        let got = run(text, vec![("Friday", 0, Date), ("$5", 0, Money), ("Acme", 0, Org)]);
        assert_eq!(got.len(), 3);
    }
}
