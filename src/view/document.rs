//! The document view's data: a loaded document with its mentions and matches located both as
//! byte ranges (for layout) and char indices (for the galley's cursor). Plain data, no egui
//! types; [`crate::ui::layout`] turns it into a highlighted layout.

use std::collections::HashMap;
use std::ops::Range;

use crate::entities::normalize;
use crate::model::{DocMeta, DocView, Entity, EntityKey, EntityKind};

/// The longest text the view shows; the rest is searchable but not shown. As large as the
/// indexing's size limit: a document is laid out a block at a time, where it is scrolled to.
pub const MAX_VIEW_BYTES: usize = 64 * 1024 * 1024;

/// How long a block of the text is at most (see [`DocState::blocks`]). Laying out a block takes
/// about a millisecond, so a frame lays out the few in view and a 20 MB text never at once.
const BLOCK_BYTES: usize = 16 * 1024;

/// A piece of the shown text, laid out on its own: whole lines where there are any.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub bytes: Range<usize>,
    pub chars: Range<usize>,
}

/// One entity mention in the shown text.
#[derive(Clone, Debug)]
pub struct Mention {
    pub bytes: Range<usize>,
    pub chars: Range<usize>,
    pub kind: EntityKind,
    /// Index into [`DocState::keys`].
    pub key: usize,
}

/// One row of the entity panel.
#[derive(Clone, Debug)]
pub struct EntityRow {
    pub key: EntityKey,
    /// The normalised value (amounts, dates), if there is one.
    pub value: Option<String>,
    pub mentions: usize,
    /// How many indexed documents mention it.
    pub documents: u64,
}

/// A document as the view shows it.
#[derive(Clone, Debug)]
pub struct DocState {
    pub id: String,
    /// Which answer of the searcher this is: the same document asked for again (the query
    /// changed, or a re-index changed it) is a new generation, so its layout is rebuilt.
    pub generation: u64,
    pub title: String,
    pub text: String,
    /// The text cut in pieces of at most [`BLOCK_BYTES`], in order, covering all of it.
    pub blocks: Vec<Block>,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
    /// The stored text was longer than [`MAX_VIEW_BYTES`].
    pub truncated: bool,
    pub mentions: Vec<Mention>,
    pub keys: Vec<EntityKey>,
    /// Search matches as (bytes, chars).
    pub matches: Vec<(Range<usize>, Range<usize>)>,
    /// Entity rows grouped by kind, kinds in legend order, rows by mentions then text.
    pub groups: Vec<(EntityKind, Vec<EntityRow>)>,
    /// The file it came from, the message it is attached to (empty if none), its metadata and
    /// its attachments (id, title).
    pub file: String,
    pub parent: String,
    pub meta: DocMeta,
    pub attachments: Vec<(String, String)>,
    /// Other documents with exactly the same title and text, by path.
    pub copies: Vec<String>,
    /// Its entities are still to be found (it is shown again once they are).
    pub entities_pending: bool,
    /// For paged formats, (page number, char index where it starts) of every page after the
    /// first that is within the shown text.
    pub page_starts: Vec<(u32, usize)>,
}

impl DocState {
    pub fn new(view: DocView, generation: u64) -> DocState {
        let mut text = view.text;
        let truncated = text.len() > MAX_VIEW_BYTES;
        if truncated {
            text.truncate(text.floor_char_boundary(MAX_VIEW_BYTES));
        }
        let (keys, mentions) = locate_mentions(&text, view.entities, &view.entity_doc_counts, &view.mention_keys);
        let matches = locate_matches(&text, view.query_ranges);
        let groups = entity_groups(&text, &keys, &mentions, &view.entity_doc_counts);
        let page_starts = locate_pages(&text, &view.meta.pages);
        let blocks = split_blocks(&text);
        DocState {
            page_starts,
            blocks,
            generation,
            id: view.id,
            title: view.title,
            language: view.language,
            text,
            truncated,
            mentions,
            keys,
            matches,
            groups,
            file: view.file,
            parent: view.parent,
            meta: view.meta,
            attachments: view.attachments,
            copies: view.copies,
            entities_pending: view.entities_pending,
        }
    }

    /// The block holding char index `c` (the last one for the text's end).
    pub fn block_of_char(&self, c: usize) -> usize {
        self.blocks.partition_point(|b| b.chars.end <= c).min(self.blocks.len().saturating_sub(1))
    }

    /// The mention under char index `c`, if any.
    pub fn mention_at(&self, c: usize) -> Option<&Mention> {
        let i = self.mentions.partition_point(|m| m.chars.end <= c);
        self.mentions.get(i).filter(|m| m.chars.start <= c)
    }

    /// Char ranges of every mention of `key`, in text order.
    pub fn mentions_of(&self, key: &EntityKey) -> Vec<Range<usize>> {
        let Some(k) = self.keys.iter().position(|x| x == key) else { return Vec::new() };
        self.mentions.iter().filter(|m| m.key == k).map(|m| m.chars.clone()).collect()
    }

    /// Where the first mention of `key` starts (char index).
    pub fn first_mention_of(&self, key: &EntityKey) -> Option<usize> {
        let k = self.keys.iter().position(|x| x == key)?;
        self.mentions.iter().find(|m| m.key == k).map(|m| m.chars.start)
    }

    /// The entity panel's row for `key`.
    pub fn row(&self, key: &EntityKey) -> Option<&EntityRow> {
        self.groups.iter().flat_map(|(_, rows)| rows).find(|r| &r.key == key)
    }

    /// Entity kinds present in this document, in legend order.
    pub fn kinds(&self) -> impl Iterator<Item = EntityKind> + '_ {
        self.groups.iter().map(|(k, _)| *k)
    }
}

/// Whether `r` is a range of whole characters of `text`.
fn fits(text: &str, r: &Range<usize>) -> bool {
    r.start <= r.end && r.end <= text.len() && text.is_char_boundary(r.start) && text.is_char_boundary(r.end)
}

/// The mentions within `text`, in text order, and the distinct entities they name: those the
/// searcher worked out (`mention_keys`, places in `known`), else resolved here.
fn locate_mentions(
    text: &str,
    entities: Vec<Entity>,
    known: &[(EntityKey, u64)],
    mention_keys: &[u32],
) -> (Vec<EntityKey>, Vec<Mention>) {
    let resolved;
    // Each mention under its entity's name ("Lavrov" is counted with "Sergey Lavrov"), as a
    // place in `names`: a 20 MB book has 180,000 mentions of a few thousand names.
    let (names, of_mention): (Vec<&EntityKey>, Vec<u32>) =
        if mention_keys.len() == entities.len() && mention_keys.iter().all(|&i| (i as usize) < known.len()) {
            (known.iter().map(|(k, _)| k).collect(), mention_keys.to_vec())
        } else {
            resolved = crate::entities::identity::resolve_each(text, &entities);
            (resolved.identities.iter().map(|i| &i.key).collect(), resolved.of_mention.clone())
        };
    let mut pairs: Vec<(Entity, u32)> =
        entities.into_iter().zip(of_mention).filter(|(e, _)| fits(text, &e.span)).collect();
    pairs.sort_by_key(|(e, _)| (e.span.start, e.span.end));
    let mut chars = CharIndex::new(text);
    // Keys in order of first mention; several names may be one key (two forms of one person).
    let mut keys: Vec<EntityKey> = Vec::new();
    let mut key_index: HashMap<&EntityKey, usize> = HashMap::new();
    let mut local: Vec<Option<usize>> = vec![None; names.len()];
    let mut mentions = Vec::with_capacity(pairs.len());
    for (e, n) in pairs {
        let k = *local[n as usize].get_or_insert_with(|| {
            let name = names[n as usize];
            *key_index.entry(name).or_insert_with(|| {
                keys.push(name.clone());
                keys.len() - 1
            })
        });
        let c = chars.range(&e.span);
        mentions.push(Mention { bytes: e.span, chars: c, kind: e.kind, key: k });
    }
    (keys, mentions)
}

/// The search matches within `text` as (bytes, chars), in text order.
fn locate_matches(text: &str, mut ranges: Vec<Range<usize>>) -> Vec<(Range<usize>, Range<usize>)> {
    let mut chars = CharIndex::new(text);
    ranges.sort_by_key(|r| r.start);
    ranges.into_iter().filter(|r| fits(text, r)).map(|r| (r.clone(), chars.range(&r))).collect()
}

/// The entity panel's rows: grouped by kind in legend order, each by mentions then text.
fn entity_groups(
    text: &str,
    keys: &[EntityKey],
    mentions: &[Mention],
    doc_counts: &[(EntityKey, u64)],
) -> Vec<(EntityKind, Vec<EntityRow>)> {
    let counts: HashMap<&EntityKey, u64> = doc_counts.iter().map(|(k, n)| (k, *n)).collect();
    let doc_date = normalize::document_date(text);
    let mut per_key = vec![0usize; keys.len()];
    for m in mentions {
        per_key[m.key] += 1;
    }
    EntityKind::ALL
        .into_iter()
        .filter_map(|kind| {
            let mut rows: Vec<EntityRow> = keys
                .iter()
                .enumerate()
                .filter(|(_, k)| k.kind == kind)
                .map(|(i, k)| EntityRow {
                    value: normalize::normalize(k.kind, &k.text, doc_date),
                    key: k.clone(),
                    mentions: per_key[i],
                    documents: counts.get(k).copied().unwrap_or(0),
                })
                .collect();
            rows.sort_by(|a, b| b.mentions.cmp(&a.mentions).then_with(|| a.key.text.cmp(&b.key.text)));
            (!rows.is_empty()).then_some((kind, rows))
        })
        .collect()
}

/// (page number, char index where it starts) of every page after the first within `text`.
fn locate_pages(text: &str, pages: &[u32]) -> Vec<(u32, usize)> {
    let mut chars = CharIndex::new(text);
    pages
        .iter()
        .enumerate()
        .skip(1)
        .map(|(i, &start)| (i as u32 + 1, start as usize))
        .filter(|(_, start)| *start <= text.len() && text.is_char_boundary(*start))
        .map(|(page, start)| (page, chars.at(start)))
        .collect()
}

/// `text` cut into blocks of at most [`BLOCK_BYTES`]: after the last line break of each, else
/// after its last space, else at a character boundary (a single line of megabytes). Always at
/// least one block, empty for an empty text.
fn split_blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut chars = CharIndex::new(text);
    let mut start = 0;
    while start < text.len() || out.is_empty() {
        let mut end = text.floor_char_boundary((start + BLOCK_BYTES).min(text.len()));
        if end < text.len() {
            let window = &text.as_bytes()[start..end];
            let cut = window.iter().rposition(|&b| b == b'\n').or_else(|| window.iter().rposition(|&b| b == b' '));
            match cut {
                Some(i) if i > 0 => end = start + i + 1,
                _ if end == start => end = text.ceil_char_boundary(start + 1),
                _ => {}
            }
        }
        out.push(Block { bytes: start..end, chars: chars.range(&(start..end)) });
        start = end;
    }
    out
}

/// Converts increasing byte offsets to char indices in one pass.
struct CharIndex<'a> {
    text: &'a str,
    byte: usize,
    chars: usize,
}

impl<'a> CharIndex<'a> {
    fn new(text: &'a str) -> Self {
        CharIndex { text, byte: 0, chars: 0 }
    }

    fn at(&mut self, byte: usize) -> usize {
        if byte < self.byte {
            self.byte = 0;
            self.chars = 0;
        }
        self.chars += self.text[self.byte..byte].chars().count();
        self.byte = byte;
        self.chars
    }

    fn range(&mut self, r: &Range<usize>) -> Range<usize> {
        let start = self.at(r.start);
        start..self.at(r.end)
    }
}

#[cfg(test)]
impl DocState {
    /// Zoë, Ann (twice) and Oslo in one sentence pair; Oslo is also a search match.
    pub(crate) fn sample() -> DocState {
        let text = "Zoë met Ann in Oslo. Ann left.".to_owned();
        let ent = |kind, s: &str, nth: usize| {
            let start = text.match_indices(s).nth(nth).unwrap().0;
            Entity { kind, span: start..start + s.len() }
        };
        let entities = vec![
            ent(EntityKind::Person, "Ann", 1),
            ent(EntityKind::Person, "Zoë", 0),
            ent(EntityKind::Gpe, "Oslo", 0),
            ent(EntityKind::Person, "Ann", 0),
        ];
        let oslo = text.find("Oslo").unwrap();
        DocState::new(
            DocView {
                id: "a".into(),
                title: "t".into(),
                text: text.clone(),
                language: "eng".into(),
                entities,
                entity_doc_counts: vec![(EntityKey { kind: EntityKind::Person, text: "Ann".into() }, 3)],
                query_ranges: std::iter::once(oslo..oslo + 4).collect(),
                ..DocView::default()
            },
            1,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc() -> DocState {
        DocState::sample()
    }

    #[test]
    fn page_breaks_are_located_in_chars() {
        let text = "Première page.\n\nDeuxième page.\n\nTroisième".to_owned();
        let second = text.find("Deuxième").unwrap() as u32;
        let third = text.find("Troisième").unwrap() as u32;
        let meta = DocMeta { pages: vec![0, second, third, 10_000], ..DocMeta::default() };
        let d = DocState::new(DocView { text: text.clone(), meta, ..DocView::default() }, 1);
        // Char indices (the accents take two bytes); a page past the text is left out.
        assert_eq!(d.page_starts, vec![(2, 16), (3, 32)]);
    }

    #[test]
    fn long_texts_are_cut_into_blocks_of_whole_lines() {
        let line = "Le phare de Northport a été inspecté.\n";
        let text = line.repeat(2_000);
        let d = DocState::new(DocView { text: text.clone(), ..DocView::default() }, 1);
        assert!(d.blocks.len() > 4);
        assert_eq!(d.blocks[0].bytes.start, 0);
        assert_eq!(d.blocks.last().unwrap().bytes.end, text.len());
        assert_eq!(d.blocks.last().unwrap().chars.end, text.chars().count());
        for pair in d.blocks.windows(2) {
            assert_eq!(pair[0].bytes.end, pair[1].bytes.start);
            assert_eq!(pair[0].chars.end, pair[1].chars.start);
            assert!(text[..pair[0].bytes.end].ends_with('\n'), "whole lines");
            assert!(pair[0].bytes.len() <= BLOCK_BYTES);
        }
        let c = text.chars().count() - 3;
        assert_eq!(d.block_of_char(c), d.blocks.len() - 1);
        assert_eq!(d.block_of_char(0), 0);
        // One line of megabytes, in any script: cut at characters; an empty text is one block.
        let one_line = "é".repeat(3 * BLOCK_BYTES);
        let blocks = split_blocks(&one_line);
        assert_eq!(blocks.iter().map(|b| b.chars.len()).sum::<usize>(), 3 * BLOCK_BYTES);
        assert!(blocks.iter().all(|b| one_line.is_char_boundary(b.bytes.start)));
        assert_eq!(split_blocks(""), [Block { bytes: 0..0, chars: 0..0 }]);
    }

    #[test]
    fn char_indices_account_for_multibyte_text() {
        let d = doc();
        assert_eq!(d.mentions[0].chars, 0..3);
        assert_eq!(d.mentions[0].bytes, 0..4);
        assert_eq!(d.mentions[1].chars, 8..11);
        assert_eq!(d.matches[0].1, 15..19);
        assert_eq!(d.mention_at(16).map(|m| m.kind), Some(EntityKind::Gpe));
        assert!(d.mention_at(5).is_none());
    }

    #[test]
    fn entity_rows_group_by_kind_with_counts() {
        let d = doc();
        let people = &d.groups.iter().find(|(k, _)| *k == EntityKind::Person).unwrap().1;
        assert_eq!(people[0].key.text, "Ann");
        assert_eq!(people[0].mentions, 2);
        assert_eq!(people[0].documents, 3);
        assert_eq!(d.first_mention_of(&people[0].key), Some(8));
    }

    #[test]
    fn amounts_and_dates_carry_normalised_values() {
        let text = "Date: Wed, 24 Oct 2001 17:50:58 -0700\n\nWe paid $2.4 million on Friday.".to_owned();
        let span = |s: &str| text.find(s).map(|i| i..i + s.len()).unwrap();
        let d = DocState::new(
            DocView {
                id: "m".into(),
                title: "t".into(),
                language: "eng".into(),
                entities: vec![
                    Entity { kind: EntityKind::Money, span: span("$2.4 million") },
                    Entity { kind: EntityKind::Date, span: span("Friday") },
                ],
                entity_doc_counts: vec![],
                query_ranges: vec![],
                text: text.clone(),
                ..DocView::default()
            },
            1,
        );
        let value = |kind, s: &str| d.row(&EntityKey { kind, text: s.into() }).and_then(|r| r.value.clone());
        assert_eq!(value(EntityKind::Money, "$2.4 million").as_deref(), Some("2400000 USD"));
        assert_eq!(value(EntityKind::Date, "Friday").as_deref(), Some("2001-10-19"));
    }
}
