//! The folder's entities under the user's corrections, and the lookups made from them once per
//! reader generation and set of corrections: each document's entities as places in the list,
//! each key's entity, the list in key order.
//!
//! A table is built from the merged entities of a reader generation ([`Base`]) with every rule
//! applied, or, when the user adds one correction, derived from the table before it
//! ([`EntityTable::derive`]): a merge changes two entities of 100,000, so the entities and
//! documents it does not touch are carried over by a change of place rather than worked out
//! again (names folded, lists sorted, documents' entities looked up).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use tantivy::Searcher;

use super::{BySegment, Result, name_key_into};
use crate::entities::curation::{self, Curation, Rule};
use crate::model::{EntityCount, EntityKey, EntityKind, EntityList, insert_sorted};

/// No place: a key whose entity is hidden, or an entity that is new or changed.
const NONE: u32 = u32::MAX;

/// A reader generation's merged entities before the user's corrections, with its per-document
/// keys numbered and each document's keys read once (a correction maps them again without
/// reading the index).
pub(super) struct Base {
    pub merged: Vec<EntityCount>,
    /// Every per-document key of `merged`, numbered in the list's order.
    key_ids: HashMap<EntityKey, u32>,
    /// Per segment, each document's keys (their numbers).
    doc_keys: Vec<Flat>,
}

/// Per document of a segment, a run of numbers: document `d`'s are
/// `items[starts[d]..starts[d + 1]]`.
#[derive(Debug, PartialEq)]
struct Flat {
    starts: Vec<u32>,
    items: Vec<u32>,
}

impl Flat {
    fn with_docs(docs: usize) -> Flat {
        let mut starts = Vec::with_capacity(docs + 1);
        starts.push(0);
        Flat { starts, items: Vec::new() }
    }

    fn docs(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn of(&self, doc: u32) -> &[u32] {
        let (Some(&a), Some(&b)) = (self.starts.get(doc as usize), self.starts.get(doc as usize + 1)) else {
            return &[];
        };
        &self.items[a as usize..b as usize]
    }

    fn end_doc(&mut self) {
        self.starts.push(self.items.len() as u32);
    }
}

impl Base {
    /// `merged`, with each segment's documents' `entity` terms read from the index; `terms` are
    /// each segment's terms by ordinal, decoded.
    pub fn new(searcher: &Searcher, merged: Vec<EntityCount>, terms: &[Vec<Option<EntityKey>>]) -> Result<Base> {
        let mut key_ids = HashMap::new();
        for key in merged.iter().flat_map(|e| e.members.iter()) {
            let next = key_ids.len() as u32;
            key_ids.entry(key.clone()).or_insert(next);
        }
        let mut doc_keys = Vec::with_capacity(terms.len());
        for (seg, terms) in searcher.segment_readers().iter().zip(terms) {
            let ord_key: Vec<u32> =
                terms.iter().map(|k| k.as_ref().and_then(|k| key_ids.get(k)).copied().unwrap_or(NONE)).collect();
            let column = seg.fast_fields().str("entity")?;
            let mut flat = Flat::with_docs(seg.max_doc() as usize);
            for doc in 0..seg.max_doc() {
                if let Some(col) = &column {
                    let keys = col.term_ords(doc).filter_map(|ord| ord_key.get(ord as usize)).copied();
                    flat.items.extend(keys.filter(|&k| k != NONE));
                }
                flat.end_doc();
            }
            doc_keys.push(flat);
        }
        Ok(Base { merged, key_ids, doc_keys })
    }
}

/// The folder's merged entities under one set of corrections, and the lookups made from them,
/// so that counting, filtering and opening a document never scan the list.
pub(super) struct EntityTable {
    /// The reader's view the table was made from (its segments are what `doc_groups` indexes).
    pub searcher: Searcher,
    base: Arc<Base>,
    pub list: Arc<EntityList>,
    /// Each key's entity (by the key's number in `base`): its place in `list`, or [`NONE`]
    /// if the user hid it as junk.
    key_group: Vec<u32>,
    /// Per segment, each document's entities (places in `list`, each once): counting under a
    /// query is then a walk through arrays, not a read of every document's terms.
    doc_groups: Vec<Flat>,
    /// Each entity's place in `list` sorted by key (counts under a query are ordered by it).
    pub key_rank: Vec<u32>,
    /// The entities in key order (places in `list`): `key_rank`'s inverse.
    pub by_key: Vec<u32>,
    /// What [`EntityTable::names`] gives, made the first time a filter is typed rather than
    /// with every correction.
    named: OnceLock<HashMap<(EntityKind, String), Vec<u32>>>,
}

impl EntityTable {
    /// `base` with every rule of `curation` applied; `count` gives the documents mentioning
    /// any of some keys (an entity a rule changed is counted again).
    pub fn build(
        searcher: Searcher,
        base: Arc<Base>,
        curation: &Curation,
        count: impl Fn(&[EntityKey]) -> u64,
    ) -> EntityTable {
        let list = Arc::new(EntityList::new(curation.apply(base.merged.clone(), count), name_key_into));
        let mut key_group = vec![NONE; base.key_ids.len()];
        for (g, e) in list.iter().enumerate() {
            for key in e.members.iter() {
                // A key is its first entity's.
                if let Some(&k) = base.key_ids.get(key)
                    && key_group[k as usize] == NONE
                {
                    key_group[k as usize] = g as u32;
                }
            }
        }
        let sizes: Vec<usize> = base.doc_keys.iter().map(|keys| keys.items.len()).collect();
        let doc_groups =
            per_segment(&sizes, list.len(), |seg, stamp| groups_of(&base.doc_keys[seg], &key_group, stamp, None));
        let mut by_key: Vec<u32> = (0..list.len() as u32).collect();
        by_key.sort_unstable_by(|&a, &b| list[a as usize].key.cmp(&list[b as usize].key).then(a.cmp(&b)));
        let key_rank = inverse(&by_key);
        EntityTable { searcher, base, list, key_group, doc_groups, key_rank, by_key, named: OnceLock::new() }
    }

    /// This table with one more rule applied: what [`EntityTable::build`] gives for the
    /// corrections so far and `rule`, made from this one.
    pub fn derive(&self, rule: &Rule, count: impl Fn(&[EntityKey]) -> u64) -> EntityTable {
        let before = self.list.len();
        let mut entities = self.list.entities.clone();
        let edit = rule.apply(&mut entities);
        // Each entity's place before the rule, [`NONE`] if it is new.
        let mut origin: Vec<u32> = (0..before as u32).collect();
        if let Some(gone) = edit.removed {
            origin.remove(gone);
        }
        origin.resize(entities.len(), NONE);
        // Entities the rule changed (their names are folded again), by their place now.
        let mut changed: Vec<u32> = Vec::new();
        for key in &edit.touched {
            let Some(at) = curation::holding(&entities, key) else { continue };
            changed.push(at as u32);
            if edit.recount.contains(key) {
                entities[at].documents = count(&entities[at].members);
            }
        }
        // In the list's order again: the unchanged are in it already, the changed go between
        // them (by place now among equals, as a stable sort would).
        let rank = |&i: &u32| {
            let e = &entities[i as usize];
            (std::cmp::Reverse(e.documents), &e.key, i)
        };
        let mut sorted_changed = changed.clone();
        sorted_changed.sort_unstable_by(|a, b| rank(a).cmp(&rank(b)));
        let unchanged = (0..entities.len() as u32).filter(|i| !changed.contains(i)).collect();
        let order = insert_sorted(unchanged, &sorted_changed, |a, b| rank(a) <= rank(b));
        let new_at = inverse(&order);
        let from: Vec<u32> =
            order.iter().map(|&i| if changed.contains(&i) { NONE } else { origin[i as usize] }).collect();
        let mut to_new = vec![NONE; before];
        for (i, &old) in from.iter().enumerate() {
            if old != NONE {
                to_new[old as usize] = i as u32;
            }
        }
        // Where each entity's documents now count: its new place, the new place of the entity
        // it was merged into, or none (hidden). A split entity's documents are looked up again.
        let mut moved = to_new.clone();
        let mut joined = NONE;
        let mut relook = Vec::new();
        for &at in &changed {
            if let Some(old) = moved.get_mut(origin[at as usize] as usize) {
                *old = new_at[at as usize];
            }
        }
        match (rule, edit.removed, changed.first()) {
            (Rule::Merge { .. }, Some(gone), Some(&into)) => {
                joined = new_at[into as usize];
                moved[gone] = joined;
            }
            (Rule::Split { .. }, _, Some(&kept)) => {
                relook = vec![false; before];
                relook[origin[kept as usize] as usize] = true;
            }
            _ => {}
        }
        let mut slots: Vec<Option<EntityCount>> = entities.into_iter().map(Some).collect();
        let entities: Vec<EntityCount> = order.iter().filter_map(|&i| slots[i as usize].take()).collect();
        let list = Arc::new(EntityList::derive(&self.list, entities, &from, name_key_into));

        // Each key's entity: its entity's new place, and the changed entities' keys anew.
        let mut key_group: Vec<u32> =
            self.key_group.iter().map(|&g| if g == NONE { NONE } else { to_new[g as usize] }).collect();
        for (i, e) in list.iter().enumerate().filter(|(i, _)| from[*i] == NONE) {
            for key in e.members.iter() {
                if let Some(&k) = self.base.key_ids.get(key) {
                    key_group[k as usize] = i as u32;
                }
            }
        }
        let sizes: Vec<usize> = self.doc_groups.iter().map(|groups| groups.items.len()).collect();
        let doc_groups = per_segment(&sizes, list.len(), |seg, stamp| {
            let before = Before { groups: &self.doc_groups[seg], moved: &moved, joined, relook: &relook };
            groups_of(&self.base.doc_keys[seg], &key_group, stamp, Some(before))
        });
        // The unchanged in their key order, the changed sorted, the two merged.
        let key_of = |i: &u32| (&list[*i as usize].key, *i);
        let kept = self.by_key.iter().map(|&old| to_new[old as usize]).filter(|&i| i != NONE).collect();
        let mut fresh: Vec<u32> = (0..list.len() as u32).filter(|&i| from[i as usize] == NONE).collect();
        fresh.sort_unstable_by(|a, b| key_of(a).cmp(&key_of(b)));
        let by_key = insert_sorted(kept, &fresh, |a, b| key_of(a) <= key_of(b));
        let key_rank = inverse(&by_key);
        EntityTable {
            searcher: self.searcher.clone(),
            base: self.base.clone(),
            list,
            key_group,
            doc_groups,
            key_rank,
            by_key,
            named: OnceLock::new(),
        }
    }

    /// Whether the table was made from `base`.
    pub fn made_from(&self, base: &Arc<Base>) -> bool {
        Arc::ptr_eq(&self.base, base)
    }

    /// The entity holding the per-document key `key`: its place in `list`.
    pub fn group_of(&self, key: &EntityKey) -> Option<usize> {
        let k = *self.base.key_ids.get(key)?;
        let g = self.key_group[k as usize];
        (g != NONE).then_some(g as usize)
    }

    /// Whether the user hid the entity holding `key` as junk (its mentions are not highlighted).
    pub fn is_hidden(&self, key: &EntityKey) -> bool {
        self.base.key_ids.get(key).is_some_and(|&k| self.key_group[k as usize] == NONE)
    }

    /// Calls `visit` with the entities (places in `list`, each once) of every document in
    /// `docs`, segments of the table's own view.
    pub fn for_each_doc(&self, docs: &BySegment, mut visit: impl FnMut(&[u32])) {
        for (segment, doc_ids) in docs.iter().enumerate() {
            let Some(groups) = self.doc_groups.get(segment) else { continue };
            for &doc in doc_ids {
                visit(groups.of(doc));
            }
        }
    }

    /// For each entity, how many of `docs` mention it (once per document, however many of its
    /// spellings the document has).
    pub fn counts(&self, docs: &BySegment) -> Vec<u32> {
        let mut counts = vec![0u32; self.list.len()];
        self.for_each_doc(docs, |groups| {
            for &g in groups {
                counts[g as usize] += 1;
            }
        });
        counts
    }

    /// The entities (places in `list`, in its order) of each kind and name or spelling,
    /// folded: what a typed filter (`org:Enron`) looks up.
    pub fn names(&self) -> &HashMap<(EntityKind, String), Vec<u32>> {
        self.named.get_or_init(|| {
            // The names come folded with the list.
            let mut named: HashMap<(EntityKind, String), Vec<u32>> = HashMap::new();
            for (g, e) in self.list.iter().enumerate() {
                for name in self.list.folded_names(g) {
                    let groups = named.entry((e.key.kind, name.to_owned())).or_default();
                    if groups.last() != Some(&(g as u32)) {
                        groups.push(g as u32);
                    }
                }
            }
            named
        })
    }

    /// The per-document keys of the entity `key` belongs to (just `key` when it is unknown).
    pub fn members_of(&self, key: &EntityKey) -> Vec<EntityKey> {
        self.find(key).map_or_else(|| vec![key.clone()], |e| e.members.to_vec())
    }

    /// The entity `key` belongs to, as a member or by its shown name.
    pub fn find(&self, key: &EntityKey) -> Option<&EntityCount> {
        match self.group_of(key) {
            Some(g) => self.list.get(g),
            None => self.list.iter().find(|e| *e.key == *key),
        }
    }
}

/// Each document's entities from its keys (`key_group`: each key's entity, [`NONE`] if
/// hidden), each once however many of its spellings the document holds, or, with `before`,
/// from its entities before one correction. `stamp` (one slot per entity) marks the entities
/// seen in a document.
fn groups_of(keys: &Flat, key_group: &[u32], stamp: &mut [u32], before: Option<Before<'_>>) -> Flat {
    let mut out = Flat::with_docs(keys.docs());
    out.items.reserve(before.as_ref().map_or(keys.items.len(), |b| b.groups.items.len()));
    for doc in 0..keys.docs() as u32 {
        let held = before.as_ref().map(|b| (b.groups.of(doc), b));
        match held {
            Some((held, b)) if b.relook.is_empty() || !held.iter().any(|&g| b.relook[g as usize]) => {
                // Two entities merged into one: a document that held both holds it once, where
                // the first was.
                let mut joined_seen = false;
                for &g in held {
                    let now = b.moved[g as usize];
                    if now == NONE || (now == b.joined && std::mem::replace(&mut joined_seen, true)) {
                        continue;
                    }
                    out.items.push(now);
                }
            }
            _ => {
                for &k in keys.of(doc) {
                    let g = key_group[k as usize];
                    if g != NONE && stamp[g as usize] != doc {
                        stamp[g as usize] = doc;
                        out.items.push(g);
                    }
                }
            }
        }
        out.end_doc();
    }
    // The stamps name documents of this segment only.
    stamp.fill(NONE);
    out
}

/// A segment's documents' entities in the table before one correction, and what the correction
/// did to them.
struct Before<'a> {
    groups: &'a Flat,
    /// Each entity's new place, the place of the one it was merged into, or [`NONE`] if hidden.
    moved: &'a [u32],
    /// The new place of the entity another was merged into ([`NONE`]: no merge).
    joined: u32,
    /// The entities whose documents are looked up again by key (one split; empty: none).
    relook: &'a [bool],
}

/// `work` done for each segment (`sizes`: how much work each is), the segments shared out to
/// the cores, each with its stamps (one per entity, [`NONE`] between segments): a correction
/// remaps millions of documents' entities.
fn per_segment<T: Send>(sizes: &[usize], entities: usize, work: impl Fn(usize, &mut [u32]) -> T + Sync) -> Vec<T> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()).min(sizes.len());
    // The largest segments first, each to the least loaded core.
    let mut by_size: Vec<usize> = (0..sizes.len()).collect();
    by_size.sort_by_key(|&seg| std::cmp::Reverse(sizes[seg]));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); cores.max(1)];
    for seg in by_size {
        if let Some(least) = shares.iter_mut().min_by_key(|(load, _)| *load) {
            least.0 += sizes[seg];
            least.1.push(seg);
        }
    }
    let run = |segs: &[usize]| {
        let mut stamp = vec![NONE; entities];
        segs.iter().map(|&seg| (seg, work(seg, &mut stamp))).collect::<Vec<_>>()
    };
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let started: Vec<_> = shares[1..]
            .iter()
            .enumerate()
            .map(|(i, (_, segs))| {
                let spawned = std::thread::Builder::new()
                    .name(format!("dossier-entities-remap-{}", i + 1))
                    .spawn_scoped(scope, || run(segs));
                (segs, spawned.ok())
            })
            .collect();
        let mut done = run(&shares[0].1);
        for (segs, handle) in started {
            match handle.map(|h| h.join()) {
                Some(Ok(part)) => done.extend(part),
                Some(Err(panic)) => std::panic::resume_unwind(panic),
                // A thread that could not be started leaves its share to this one.
                None => done.extend(run(segs)),
            }
        }
        done
    });
    done.sort_by_key(|(seg, _)| *seg);
    done.into_iter().map(|(_, t)| t).collect()
}

/// The inverse of a permutation.
fn inverse(order: &[u32]) -> Vec<u32> {
    let mut rank = vec![0u32; order.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{DocIndex, EntityStage};
    use crate::model::{Entity, LoadedDoc};

    /// A document of `text` with each of `names` found in it as an entity of its kind.
    fn doc(id: &str, text: &str, names: &[(EntityKind, &str)]) -> (LoadedDoc, Vec<Entity>) {
        let mut entities = Vec::new();
        for &(kind, name) in names {
            for (start, _) in text.match_indices(name) {
                entities.push(Entity { kind, span: start..start + name.len() });
            }
        }
        entities.sort_by_key(|e| (e.span.start, e.span.end));
        let loaded =
            LoadedDoc { id: id.into(), file: id.into(), title: id.into(), text: text.into(), ..Default::default() };
        (loaded, entities)
    }

    fn key(kind: EntityKind, text: &str) -> EntityKey {
        EntityKey { kind, text: text.into() }
    }

    #[test]
    fn a_table_derived_after_each_correction_is_the_table_built_with_them_all() {
        use EntityKind::{Gpe, Org, Person};
        let dir = tempfile::tempdir().unwrap();
        let index = DocIndex::open_or_create(dir.path()).unwrap();
        let names = [
            (Person, "Ken Lay"),
            (Person, "Kenneth Lay"),
            (Person, "Jeff Skilling"),
            (Person, "Andy Fastow"),
            (Person, "Andrew Fastow"),
            (Person, "Sherron Watkins"),
            (Org, "Enron"),
            (Gpe, "Houston"),
        ];
        let texts = [
            "Ken Lay and Jeff Skilling met in Houston. Enron paid Andy Fastow.",
            "Kenneth Lay flew to Houston with Andy Fastow.",
            "Jeff Skilling said Enron would grow. Ken Lay agreed with Kenneth Lay.",
            "Andrew Fastow and Sherron Watkins met at Enron in Houston.",
            // A copy: counted once.
            "Ken Lay and Jeff Skilling met in Houston. Enron paid Andy Fastow.",
            "Sherron Watkins wrote to Ken Lay about Enron.",
            "Andrew Fastow and Andy Fastow.",
        ];
        // Two commits: two segments.
        for part in [&texts[..4], &texts[4..]] {
            let mut writer = index.writer().unwrap();
            for text in part {
                let (d, entities) =
                    doc(&format!("{}.txt", texts.iter().position(|t| t == text).unwrap()), text, &names);
                let d = LoadedDoc { id: format!("{}-{}", d.id, part.len()), ..d };
                writer.add(&d, &entities, EntityStage::Found).unwrap();
            }
            writer.commit().unwrap();
            writer.close().unwrap();
        }
        index.reload().unwrap();
        let rules = vec![
            Rule::Merge { into: key(Person, "Ken Lay"), from: key(Person, "Kenneth Lay") },
            Rule::Merge { into: key(Person, "Andy Fastow"), from: key(Person, "Andrew Fastow") },
            Rule::Rename { key: key(Person, "Kenneth Lay"), name: "Kenneth L. Lay".into() },
            Rule::Retype { key: key(Org, "Enron"), kind: Gpe },
            Rule::Split { key: key(Person, "Ken Lay") },
            Rule::Hide { key: key(Gpe, "Houston") },
            Rule::Merge { into: key(Person, "Jeff Skilling"), from: key(Person, "Sherron Watkins") },
            // Into a hidden entity: nothing happens.
            Rule::Merge { into: key(Gpe, "Houston"), from: key(Person, "Jeff Skilling") },
            Rule::Hide { key: key(Person, "Kenneth Lay") },
            Rule::Rename { key: key(Person, "No One"), name: "Nobody".into() },
        ];
        let searcher = index.searcher();
        let base = index.merged_before_corrections(&searcher).unwrap();
        assert!(base.merged.len() >= 7, "{:?}", base.merged);
        let count = |keys: &[EntityKey]| index.documents_holding(&searcher, keys);
        let mut table = EntityTable::build(searcher.clone(), base.clone(), &Curation::default(), count);
        for n in 1..=rules.len() {
            let curation = Curation { rules: rules[..n].to_vec() };
            let derived = table.derive(&rules[n - 1], count);
            let built = EntityTable::build(searcher.clone(), base.clone(), &curation, count);
            let what = &rules[n - 1];
            assert_eq!(derived.list, built.list, "after {what:?}");
            assert_eq!(derived.key_group, built.key_group, "after {what:?}");
            assert_eq!(derived.doc_groups, built.doc_groups, "after {what:?}");
            assert_eq!((&derived.key_rank, &derived.by_key), (&built.key_rank, &built.by_key), "after {what:?}");
            table = derived;
        }
        // What the rules came to.
        let shown: Vec<(&str, EntityKind, u64)> =
            table.list.iter().map(|e| (e.key.text.as_str(), e.key.kind, e.documents)).collect();
        assert_eq!(
            shown,
            [("Andy Fastow", Person, 4), ("Jeff Skilling", Person, 4), ("Enron", Gpe, 4), ("Ken Lay", Person, 3)],
            "Fastow's two spellings one, Watkins merged into Skilling (one document has both), Kenneth Lay and \
             Houston hidden, the copy counted once"
        );
        assert!(table.is_hidden(&key(Gpe, "Houston")) && !table.is_hidden(&key(Person, "Ken Lay")));
        assert_eq!(table.group_of(&key(Person, "Sherron Watkins")), table.group_of(&key(Person, "Jeff Skilling")));

        // Three corrections made at once after a table (as while one was being made): derived
        // through them, the same as another window of the folder builds.
        index.set_curation(Curation { rules: rules[..2].to_vec() });
        index.merged_entities().unwrap();
        let five = Curation { rules: rules[..5].to_vec() };
        index.set_curation(five.clone());
        let derived = index.merged_entities().unwrap();
        let other = DocIndex::open_or_create(dir.path()).unwrap();
        other.set_curation(five);
        let built = other.merged_entities().unwrap();
        assert_eq!(derived.list, built.list);
        assert_eq!(derived.doc_groups, built.doc_groups);
    }
}
