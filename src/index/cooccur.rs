//! Who appears with whom: an entity's companions by document (from the `entity` fast field,
//! see [`DocIndex::cooccurrences`]), the graph of its closest companions, and its companions
//! by sentence (read from the stored text, within a time budget).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use tantivy::collector::DocSetCollector;
use tantivy::{DocAddress, Searcher, TantivyDocument};

use super::{DocIndex, Result, any_term, decode_spans, text_of};
use crate::entities::{identity, sentences};
use crate::model::{Cooccurrence, EntityGraph, EntityKey, SentencePairs};

/// Companions drawn around an entity in the graph.
pub const GRAPH_NEIGHBOURS: usize = 12;

impl DocIndex {
    /// `key`'s companions by document, the documents that mention it, and its graph: it and its
    /// [`GRAPH_NEIGHBOURS`] most frequent companions that are names, with the documents each
    /// pair of them shares.
    pub fn cooccurrence(&self, key: &EntityKey) -> Result<Cooccurrence> {
        let documents = self.cooccurrences(key, 0)?;
        let table = self.merged_entities()?;
        let searcher = &table.searcher;
        let docs_of = |k: &EntityKey| -> Result<HashSet<DocAddress>> {
            let members = table.find(k).map_or_else(|| vec![k.clone()], |e| e.members.clone());
            let any = any_term(self.fields.entity, members.iter().map(EntityKey::encode));
            Ok(searcher.search(any.as_ref(), &DocSetCollector)?)
        };
        let members = table.find(key).map_or_else(|| vec![key.clone()], |e| e.members.clone());
        let own = docs_of(key)?;
        let doc_ids = ids_of(searcher, &own)?;
        let shown = table.find(key).map_or_else(|| key.clone(), |e| e.key.clone());
        let bits = DocBits::new(searcher);
        let mut nodes = vec![(shown, own.len() as u64)];
        let mut sets = vec![bits.of(&own)];
        let mut edges = Vec::new();
        for (other, shared) in documents.iter().filter(|(k, _)| k.kind.is_name()).take(GRAPH_NEIGHBOURS) {
            let set = docs_of(other)?;
            edges.push((0, nodes.len(), *shared));
            nodes.push((other.clone(), set.len() as u64));
            sets.push(bits.of(&set));
        }
        for i in 1..sets.len() {
            for j in i + 1..sets.len() {
                let shared: u64 = sets[i].iter().zip(&sets[j]).map(|(a, b)| u64::from((a & b).count_ones())).sum();
                if shared > 0 {
                    edges.push((i, j, shared));
                }
            }
        }
        Ok(Cooccurrence { documents, doc_ids, members, graph: EntityGraph { nodes, edges } })
    }

    /// The entities named in the same sentence as `key`'s entity (any of its spellings), with
    /// in how many sentences, most first. Sentences are found in the stored text, so this reads
    /// the entity's documents in index order until `budget` runs out (at least one is read);
    /// the answer says how many it read.
    pub fn sentence_cooccurrences(&self, key: &EntityKey, budget: Duration) -> Result<SentencePairs> {
        let started = Instant::now();
        let table = self.merged_entities()?;
        let searcher = &table.searcher;
        let members = table.find(key).map_or_else(|| vec![key.clone()], |e| e.members.clone());
        let any = any_term(self.fields.entity, members.iter().map(EntityKey::encode));
        let mut docs: Vec<DocAddress> = searcher.search(any.as_ref(), &DocSetCollector)?.into_iter().collect();
        docs.sort();
        let own: HashSet<&EntityKey> = members.iter().collect();
        // The entity a mention's key belongs to: its place in the folder's list.
        let entity_of = |k: &EntityKey| table.group_of.get(k).copied();
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
            for (mention, identity) in mentions.iter().zip(identity::resolve(text, &mentions)) {
                let sentence = by_sentence.entry(sentences::index_of(&starts, mention.span.start)).or_default();
                if own.contains(&identity.key) {
                    sentence.0 = true;
                } else if let Some(entity) = entity_of(&identity.key) {
                    sentence.1.push(entity);
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
            counts.into_iter().map(|(g, n)| (table.list[g].key.clone(), n)).collect();
        pairs.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(SentencePairs { pairs, read, of: docs.len() as u64 })
    }
}

/// Sets of documents as bits, one per document of a searcher's segments: pairs of sets are
/// intersected many times for a graph.
struct DocBits {
    /// Where each segment's documents start.
    starts: Vec<usize>,
    len: usize,
}

impl DocBits {
    fn new(searcher: &Searcher) -> DocBits {
        let mut starts = Vec::new();
        let mut len = 0;
        for seg in searcher.segment_readers() {
            starts.push(len);
            len += seg.max_doc() as usize;
        }
        DocBits { starts, len }
    }

    fn of(&self, docs: &HashSet<DocAddress>) -> Vec<u64> {
        let mut bits = vec![0u64; self.len.div_ceil(64)];
        for d in docs {
            let i = self.starts[d.segment_ord as usize] + d.doc_id as usize;
            bits[i / 64] |= 1 << (i % 64);
        }
        bits
    }
}

/// The ids of `docs`, sorted.
fn ids_of(searcher: &Searcher, docs: &HashSet<DocAddress>) -> Result<Vec<String>> {
    let mut columns = HashMap::new();
    let mut out = Vec::with_capacity(docs.len());
    for addr in docs {
        let column = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(searcher.segment_reader(addr.segment_ord).fast_fields().str("id")?)
            }
        };
        let Some(column) = column.as_ref() else { continue };
        if let Some(ord) = column.term_ords(addr.doc_id).next() {
            let mut id = String::new();
            column.ord_to_str(ord, &mut id)?;
            out.push(id);
        }
    }
    out.sort();
    Ok(out)
}
