//! Who appears with whom: an entity's companions by document and the graph of its closest
//! companions (both from the `entity` fast field), and its companions by sentence (read from
//! the stored text, within a time budget).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use tantivy::{DocAddress, TantivyDocument};

use super::{
    BySegment, Compiled, DocIndex, EntityTable, Result, SegmentDocs, any_term, decode_spans, ids_of, rank, text_of,
};
use crate::entities::{identity, sentences};
use crate::model::{Cooccurrence, EntityGraph, EntityKey, Query, SearchHit, SentencePairs};

/// An entity's per-document keys, its documents by segment, and its companions (positions in
/// the folder's list) with the documents they share, most first.
type Companions = (Vec<EntityKey>, BySegment, Vec<(usize, u64)>);

/// Companions drawn around an entity in the graph.
pub const GRAPH_NEIGHBOURS: usize = 12;

impl DocIndex {
    /// `key`'s companions by document, the documents that mention it, and its graph: it and its
    /// [`GRAPH_NEIGHBOURS`] most frequent companions that are names, each linked to it by the
    /// documents they share, and to each other by the documents all three share. One pass over
    /// its documents' entity ordinals; no document is read.
    pub fn cooccurrence(&self, key: &EntityKey) -> Result<Cooccurrence> {
        let table = self.merged_entities()?;
        // Each document's entities, kept flat for the second pass (no fast field read twice).
        let mut kept = (Vec::<u32>::new(), Vec::<usize>::new());
        let (members, docs, documents) = self.companions(&table, key, Some(&mut kept))?;
        let (flat, ends) = kept;
        // The graph: node 0 is the entity, then its closest named companions.
        let companions: Vec<(usize, u64)> = documents
            .iter()
            .filter(|(g, _)| table.list[*g].key.kind.is_name())
            .take(GRAPH_NEIGHBOURS)
            .copied()
            .collect();
        let mut slot = vec![u8::MAX; table.list.len()];
        for (i, (g, _)) in companions.iter().enumerate() {
            slot[*g] = (i + 1) as u8;
        }
        let n = companions.len() + 1;
        let mut pairs = vec![0u64; n * n];
        let mut present: Vec<usize> = Vec::with_capacity(n);
        let mut start = 0;
        for &end in &ends {
            present.clear();
            present
                .extend(flat[start..end].iter().map(|&g| slot[g as usize]).filter(|&s| s != u8::MAX).map(usize::from));
            start = end;
            for (i, &a) in present.iter().enumerate() {
                for &b in &present[i + 1..] {
                    pairs[a.min(b) * n + a.max(b)] += 1;
                }
            }
        }
        let shown = table.find(key).map_or_else(|| key.clone(), |e| EntityKey::clone(&e.key));
        let total: u64 = docs.iter().map(|d| d.len() as u64).sum();
        let mut nodes = vec![(shown, total)];
        let mut edges = Vec::new();
        for (i, (g, with)) in companions.iter().enumerate() {
            nodes.push((EntityKey::clone(&table.list[*g].key), table.list[*g].documents));
            edges.push((0, i + 1, *with));
        }
        for a in 1..n {
            for b in a + 1..n {
                if pairs[a * n + b] > 0 {
                    edges.push((a, b, pairs[a * n + b]));
                }
            }
        }
        let doc_ids = ids_of(&table.searcher, &docs)?;
        let documents = documents.into_iter().map(|(g, n)| (EntityKey::clone(&table.list[g].key), n)).collect();
        Ok(Cooccurrence { documents, doc_ids, members, graph: EntityGraph { nodes, edges } })
    }

    /// Stepping through `query`'s hits to the next one that mentions `key`'s entity (any of its
    /// spellings, or in a copy folded into the hit): from place `from` on (back, if not
    /// `forward`, and round from the end), looking at `left` places at most. The place and its
    /// hit; the hits on the way are ranked but not read, so a list of 100,000 is gone through
    /// in one request.
    pub fn next_mentioning(
        &self,
        query: &Query,
        key: &EntityKey,
        from: usize,
        left: usize,
        forward: bool,
    ) -> Result<Option<(usize, SearchHit)>> {
        let searcher = self.searcher();
        let members = self.entity_members(key);
        let any = any_term(self.fields.entity, members.iter().map(EntityKey::encode));
        // Every document that mentions it, copies too (each segment's in order).
        let mentioning: BySegment = searcher.search(any.as_ref(), &SegmentDocs)?;
        let mentions = |addr: &tantivy::DocAddress| {
            mentioning.get(addr.segment_ord as usize).is_some_and(|docs| docs.binary_search(&addr.doc_id).is_ok())
        };
        let Compiled { query: parsed, checks, marks, has_text, .. } = self.parse(query);
        let order = self.doc_order(&searcher)?;
        let (all, checked);
        let ranked: &[rank::Ranked] = if checks.is_empty() {
            all = searcher.search(parsed.as_ref(), &rank::Ranking::new(query.sort, 0, usize::MAX, order))?.hits;
            &all
        } else {
            checked = self.checked(&searcher, query, parsed.as_ref(), &checks, order)?;
            &checked.kept
        };
        let n = ranked.len();
        let mut place = from;
        for _ in 0..left.min(n) {
            let Some(hit) = ranked.get(place) else { return Ok(None) };
            if mentions(&hit.addr) || hit.copies.iter().any(mentions) {
                // The hit as ranked here (asking for the list's window again could rank anew).
                let found = self.hits_of(&searcher, parsed.as_ref(), &marks, has_text, vec![hit.clone()])?;
                return Ok(found.into_iter().next().map(|hit| (place, hit)));
            }
            place = if forward { (place + 1) % n } else { (place + n - 1) % n };
        }
        Ok(None)
    }

    /// The entities that appear in the same documents as `key`'s entity (and all its
    /// spellings), with how many documents they share, most shared first, at most `limit`
    /// (0: all).
    pub fn cooccurrences(&self, key: &EntityKey, limit: usize) -> Result<Vec<(EntityKey, u64)>> {
        let table = self.merged_entities()?;
        let (_, _, mut documents) = self.companions(&table, key, None)?;
        if limit > 0 {
            documents.truncate(limit);
        }
        Ok(documents.into_iter().map(|(g, n)| (EntityKey::clone(&table.list[g].key), n)).collect())
    }

    /// `key`'s per-document keys, its documents by segment, and the entities sharing them
    /// (positions in `table.list`) with how many, most first; with `keep`, each document's
    /// entities too, flat, with where each document's end.
    fn companions(
        &self,
        table: &EntityTable,
        key: &EntityKey,
        mut keep: Option<&mut (Vec<u32>, Vec<usize>)>,
    ) -> Result<Companions> {
        let members = table.members_of(key);
        let own = table.group_of(&members[0]);
        let any = any_term(self.fields.entity, members.iter().map(EntityKey::encode));
        let docs = self.docs_by_segment(&table.searcher, any.as_ref())?;
        let mut shared = vec![0u64; table.list.len()];
        table.for_each_doc(&docs, |groups| {
            for &g in groups {
                shared[g as usize] += 1;
            }
            if let Some((flat, ends)) = keep.as_deref_mut() {
                flat.extend_from_slice(groups);
                ends.push(flat.len());
            }
        });
        // Most shared first, then by key (its place in key order, worked out with the table).
        let mut documents: Vec<(usize, u64)> =
            shared.iter().enumerate().filter(|(g, n)| **n > 0 && Some(*g) != own).map(|(g, n)| (g, *n)).collect();
        documents.sort_unstable_by_key(|&(g, n)| (std::cmp::Reverse(n), table.key_rank[g]));
        Ok((members, docs, documents))
    }

    /// The entities named in the same sentence as `key`'s entity (any of its spellings), with
    /// in how many sentences, most first. Sentences are found in the stored text, so this reads
    /// the entity's documents in index order until `budget` runs out (at least one is read);
    /// the answer says how many it read.
    pub fn sentence_cooccurrences(&self, key: &EntityKey, budget: Duration) -> Result<SentencePairs> {
        let started = Instant::now();
        let table = self.merged_entities()?;
        let searcher = &table.searcher;
        let members = table.members_of(key);
        let any = any_term(self.fields.entity, members.iter().map(EntityKey::encode));
        // One copy of each text that is filed more than once.
        let docs: Vec<DocAddress> = self
            .docs_by_segment(searcher, any.as_ref())?
            .into_iter()
            .enumerate()
            .flat_map(|(seg, docs)| docs.into_iter().map(move |d| DocAddress::new(seg as u32, d)))
            .collect();
        let own: HashSet<&EntityKey> = members.iter().collect();
        // The entity a mention's key belongs to: its place in the folder's list.
        let entity_of = |k: &EntityKey| table.group_of(k);
        let mut counts: HashMap<usize, u64> = HashMap::new();
        let mut read = 0u64;
        for addr in &docs {
            if read > 0 && started.elapsed() > budget {
                break;
            }
            read += 1;
            let doc: TantivyDocument = searcher.doc(*addr)?;
            let text = text_of(&doc, self.fields.body);
            let Some(mentions) = decode_spans(text_of(&doc, self.fields.entity_spans)) else { continue };
            let starts = sentences::starts(text);
            // Per sentence: whether it names the entity, and the other entities it names.
            let mut by_sentence: BTreeMap<usize, (bool, Vec<usize>)> = BTreeMap::new();
            // Each written form's entity is looked up once (a book names a few thousand, often).
            let resolved = identity::resolve_each(text, &mentions);
            let of_form: Vec<(bool, Option<usize>)> = resolved
                .identities
                .iter()
                .map(|i| if own.contains(&i.key) { (true, None) } else { (false, entity_of(&i.key)) })
                .collect();
            for (mention, &form) in mentions.iter().zip(&resolved.of_mention) {
                let sentence = by_sentence.entry(sentences::index_of(&starts, mention.span.start)).or_default();
                match of_form[form as usize] {
                    (true, _) => sentence.0 = true,
                    (false, Some(entity)) => sentence.1.push(entity),
                    (false, None) => {}
                }
            }
            for (_, (named, mut others)) in by_sentence {
                if named {
                    others.sort_unstable();
                    others.dedup();
                    for entity in others {
                        *counts.entry(entity).or_default() += 1;
                    }
                }
            }
        }
        let mut pairs: Vec<(EntityKey, u64)> =
            counts.into_iter().map(|(g, n)| (EntityKey::clone(&table.list[g].key), n)).collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(SentencePairs { pairs, read, of: docs.len() as u64 })
    }
}
