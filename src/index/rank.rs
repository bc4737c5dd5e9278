//! Ranking every matching document in one total order: the sort's key, then the path. Any
//! window of hits can then be asked for on its own (the list shows the rows scrolled to), and
//! windows never overlap or skip a document, whatever segments the writer's threads made.
//!
//! Exact copies (the same title and text, as the same e-mail filed in several folders) are one
//! hit: the first of them in that order, which lists the others.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

use super::{Result, alive_docs, all_strs};
use crate::model::SortBy;

/// The fast field holding a document's [`digest`].
pub(super) const DIGEST: &str = "digest";

/// The 64-bit FNV-1a hash of a document's title and text, the same on every machine and build;
/// `None` for a document with neither (two images without text are not copies).
pub(super) fn digest(title: &str, text: &str) -> Option<u64> {
    if title.is_empty() && text.is_empty() {
        return None;
    }
    use crate::store::{fnv1a, fnv1a_more};
    // 0xff is never in UTF-8: "ab" + "c" and "a" + "bc" differ.
    let hash = fnv1a_more(fnv1a_more(fnv1a(title.as_bytes()), &[0xff]), text.as_bytes());
    Some(hash)
}

/// Where the documents of one reader generation stand: each path's place among all paths, and
/// which documents share their text with another.
pub(super) struct DocOrder {
    /// Per segment, each `id` term ordinal's place among every segment's ids.
    path_rank: Vec<Vec<u32>>,
    /// Per segment, each document's slot among the documents that share their text with another
    /// ([`NO_COPY`] for the others); empty when no two documents share a text. Slots run by
    /// digest, then path: a set of copies is a run of slots, its first copy by path first.
    copy_slot: Vec<Vec<u32>>,
    /// Each slot's set of copies, numbered from 0.
    slot_set: Vec<u32>,
    /// How many sets of copies there are.
    sets: usize,
}

/// The slot of a document that shares its text with no other.
const NO_COPY: u32 = u32::MAX;

impl DocOrder {
    /// Reads the paths and digests of every segment of `searcher`.
    pub(super) fn of(searcher: &Searcher) -> Result<DocOrder> {
        let segments = searcher.segment_readers();
        let ids = segments.iter().map(|s| all_strs(s.fast_fields().str("id")?)).collect::<Result<Vec<_>>>()?;
        let mut names: Vec<(&str, usize, usize)> = Vec::new();
        for (seg, terms) in ids.iter().enumerate() {
            names.extend(terms.terms.iter().enumerate().map(|(ord, name)| (name.as_str(), seg, ord)));
        }
        names.sort_unstable();
        let mut path_rank: Vec<Vec<u32>> = ids.iter().map(|t| vec![u32::MAX; t.terms.len()]).collect();
        let mut rank = 0u32;
        let mut previous = None;
        for (name, seg, ord) in names {
            // A deleted document's id may still be in its segment's dictionary beside the live one.
            if previous != Some(name) {
                rank += 1;
                previous = Some(name);
            }
            path_rank[seg][ord] = rank;
        }

        let digests = segments.iter().map(digest_column).collect::<Vec<_>>();
        let mut seen: HashMap<u64, u32> = HashMap::new();
        for (seg, column) in segments.iter().zip(&digests) {
            let Some(column) = column else { continue };
            for doc in alive_docs(seg) {
                if let Some(d) = column.first(doc) {
                    *seen.entry(d).or_default() += 1;
                }
            }
        }
        let shared: HashSet<u64> = seen.into_iter().filter(|&(_, n)| n > 1).map(|(d, _)| d).collect();
        let mut copies: Vec<(u64, u32, usize, DocId)> = Vec::new();
        for (seg_ord, (seg, column)) in segments.iter().zip(&digests).enumerate() {
            let Some(column) = column.as_ref().filter(|_| !shared.is_empty()) else { continue };
            for doc in alive_docs(seg) {
                if let Some(d) = column.first(doc).filter(|d| shared.contains(d)) {
                    let rank = path_of(&path_rank, seg_ord, ids[seg_ord].column.as_ref(), doc);
                    copies.push((d, rank, seg_ord, doc));
                }
            }
        }
        copies.sort_unstable();
        let mut copy_slot = Vec::new();
        let mut slot_set = Vec::with_capacity(copies.len());
        let mut sets = 0;
        if !copies.is_empty() {
            copy_slot = segments.iter().map(|s| vec![NO_COPY; s.max_doc() as usize]).collect();
            for (slot, &(digest, _, seg, doc)) in copies.iter().enumerate() {
                if slot == 0 || copies[slot - 1].0 != digest {
                    sets += 1;
                }
                copy_slot[seg][doc as usize] = slot as u32;
                slot_set.push(sets as u32 - 1);
            }
        }
        Ok(DocOrder { path_rank, copy_slot, slot_set, sets })
    }

    /// Document `doc` of segment `seg`'s slot among the copies, if it shares its text.
    fn slot(&self, seg: usize, doc: DocId) -> Option<u32> {
        self.copy_slot.get(seg)?.get(doc as usize).copied().filter(|&s| s != NO_COPY)
    }

    /// The set of copies document `doc` of segment `seg` belongs to, if it shares its text.
    fn set_of(&self, seg: usize, doc: DocId) -> Option<u32> {
        self.slot(seg, doc).map(|s| self.slot_set[s as usize])
    }

    /// Whether document `doc` of segment `seg` is a later copy (by path) of another: counted
    /// once, such documents are left out of the folder's counts.
    pub(super) fn is_later_copy(&self, seg: usize, doc: DocId) -> bool {
        self.slot(seg, doc).is_some_and(|s| s > 0 && self.slot_set[s as usize - 1] == self.slot_set[s as usize])
    }

    /// How many live documents are a later copy of another.
    pub(super) fn copies(&self) -> usize {
        self.slot_set.len() - self.sets
    }

    /// Keeps one document of each set of copies in `docs` (by segment ordinal, each segment's
    /// documents as `super::docs_by_segment` gives them), the first by path, so that counts
    /// count a text once and name the copy a search shows first.
    pub(super) fn keep_distinct(&self, docs: &mut [Vec<DocId>]) {
        if self.sets == 0 {
            return;
        }
        // Each set's first matching slot (slots run by path within a set).
        let mut first = vec![NO_COPY; self.sets];
        for (seg, list) in docs.iter().enumerate() {
            for &doc in list {
                if let Some(slot) = self.slot(seg, doc) {
                    let set = &mut first[self.slot_set[slot as usize] as usize];
                    *set = (*set).min(slot);
                }
            }
        }
        for (seg, list) in docs.iter_mut().enumerate() {
            list.retain(|&doc| match self.slot(seg, doc) {
                Some(slot) => first[self.slot_set[slot as usize] as usize] == slot,
                None => true,
            });
        }
    }
}

/// Document `doc`'s place among all paths (`path_rank` of its segment `seg`, by its `ids`
/// ordinal); last when it has none.
fn path_of(path_rank: &[Vec<u32>], seg: usize, ids: Option<&StrColumn>, doc: DocId) -> u32 {
    ids.and_then(|c| c.term_ords(doc).next())
        .and_then(|ord| path_rank.get(seg)?.get(ord as usize).copied())
        .unwrap_or(u32::MAX)
}

fn digest_column(seg: &SegmentReader) -> Option<Column<u64>> {
    seg.fast_fields().u64(DIGEST).ok()
}

/// A document's place in the order: the sort's key first (larger is earlier), then its path.
#[derive(Clone, Copy, Debug)]
pub(super) struct Key {
    primary: f64,
    path: u32,
}

impl Ord for Key {
    /// `Less` comes first in the list.
    fn cmp(&self, other: &Key) -> Ordering {
        other.primary.total_cmp(&self.primary).then(self.path.cmp(&other.path))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Key) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Key {}

/// One hit: its place, its address, and the addresses of the copies folded into it.
#[derive(Clone, Debug)]
pub(super) struct Ranked {
    pub key: Key,
    pub addr: DocAddress,
    pub copies: Vec<DocAddress>,
    /// The relevance score (0 when sorting by something else).
    pub score: f32,
}

/// What [`Ranking`] collects: a window of the hits, and how many there are in all.
pub(super) struct Ranks {
    pub hits: Vec<Ranked>,
    /// Matching documents, a set of copies counting once.
    pub total: usize,
    /// Matching documents folded into a copy of theirs.
    pub folded: usize,
}

/// Collects the hits from `offset` (at most `limit`) in `sort` order, copies folded.
pub(super) struct Ranking {
    sort: SortBy,
    offset: usize,
    limit: usize,
    order: Arc<DocOrder>,
}

impl Ranking {
    pub(super) fn new(sort: SortBy, offset: usize, limit: usize, order: Arc<DocOrder>) -> Ranking {
        Ranking { sort, offset, limit, order }
    }
}

/// One matching document as a segment collects it.
type Seen = (Key, DocId, f32);

/// What one segment found: its best documents without copies, how many there were, and every
/// document with copies by their set of copies.
type SegmentRanks = (SegmentOrdinal, Vec<Seen>, usize, HashMap<u32, Vec<Seen>>);

pub(super) struct SegmentRanking {
    segment: SegmentOrdinal,
    sort: SortBy,
    keep: usize,
    order: Arc<DocOrder>,
    ids: Option<StrColumn>,
    dates: Option<Column<i64>>,
    /// The `keep` best so far, worst on top.
    best: BinaryHeap<(Key, DocId, OrderedScore)>,
    single: usize,
    copies: HashMap<u32, Vec<Seen>>,
}

/// A score carried through the heap, compared by its bits (the key has ordered it already).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct OrderedScore(u32);

impl Collector for Ranking {
    type Fruit = Ranks;
    type Child = SegmentRanking;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentRanking> {
        let fast = reader.fast_fields();
        let dates = match self.sort {
            SortBy::Newest | SortBy::Oldest => fast.i64("modified").ok(),
            SortBy::Relevance | SortBy::Path => None,
        };
        Ok(SegmentRanking {
            segment,
            sort: self.sort,
            keep: self.offset.saturating_add(self.limit),
            order: self.order.clone(),
            ids: fast.str("id")?,
            dates,
            best: BinaryHeap::new(),
            single: 0,
            copies: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == SortBy::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<SegmentRanks>) -> tantivy::Result<Ranks> {
        let mut hits: Vec<Ranked> = Vec::new();
        let mut total = 0;
        let mut groups: HashMap<u32, Vec<(Key, DocAddress, f32)>> = HashMap::new();
        for (segment, best, single, copies) in fruits {
            total += single;
            let at = |doc| DocAddress::new(segment, doc);
            hits.extend(best.into_iter().map(|(key, doc, score)| Ranked { key, addr: at(doc), copies: vec![], score }));
            for (set, seen) in copies {
                groups.entry(set).or_default().extend(seen.into_iter().map(|(k, d, s)| (k, at(d), s)));
            }
        }
        let mut folded = 0;
        total += groups.len();
        for mut members in groups.into_values() {
            members.sort_by_key(|m| m.0);
            folded += members.len() - 1;
            let (key, addr, score) = members[0];
            // The others by path, whatever the sort.
            let mut others = members[1..].to_vec();
            others.sort_by_key(|m| m.0.path);
            let copies = others.iter().map(|m| m.1).collect();
            hits.push(Ranked { key, addr, copies, score });
        }
        hits.sort_by_key(|h| h.key);
        let hits = hits.into_iter().skip(self.offset).take(self.limit).collect();
        Ok(Ranks { hits, total, folded })
    }
}

impl SegmentRanking {
    fn key(&self, doc: DocId, score: Score) -> Key {
        let path = path_of(&self.order.path_rank, self.segment as usize, self.ids.as_ref(), doc);
        let date = || self.dates.as_ref().and_then(|c| c.first(doc));
        // Undated documents come last in either date order.
        let primary = match self.sort {
            SortBy::Relevance => f64::from(score),
            SortBy::Path => 0.0,
            SortBy::Newest => date().map_or(f64::NEG_INFINITY, |d| d as f64),
            SortBy::Oldest => date().map_or(f64::NEG_INFINITY, |d| -(d as f64)),
        };
        Key { primary, path }
    }
}

impl SegmentCollector for SegmentRanking {
    type Fruit = SegmentRanks;

    fn collect(&mut self, doc: DocId, score: Score) {
        // Without scoring tantivy passes 1.0: a hit sorted by path or date has no score.
        let score = if self.sort == SortBy::Relevance { score } else { 0.0 };
        let key = self.key(doc, score);
        if let Some(set) = self.order.set_of(self.segment as usize, doc) {
            self.copies.entry(set).or_default().push((key, doc, score));
            return;
        }
        self.single += 1;
        if self.keep == 0 {
            return;
        }
        let entry = (key, doc, OrderedScore(score.to_bits()));
        if self.best.len() < self.keep {
            self.best.push(entry);
        } else if self.best.peek().is_some_and(|worst| entry < *worst) {
            self.best.pop();
            self.best.push(entry);
        }
    }

    fn harvest(self) -> SegmentRanks {
        let best = self.best.into_iter().map(|(k, d, s)| (k, d, f32::from_bits(s.0))).collect();
        (self.segment, best, self.single, self.copies)
    }
}
