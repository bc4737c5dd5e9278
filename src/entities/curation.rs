//! The user's corrections to a folder's entities: merge two, split a spelling back out, rename,
//! change a type, hide junk.
//!
//! Corrections are rules, kept per folder as readable JSON in Dossier's data folder (never in the
//! folder itself) and applied, in order, to the merged entities every time they are counted, so
//! they hold for documents indexed later, across re-indexing and schema changes, and need no
//! extraction to run again. A rule names entities by the per-document keys the index stores
//! (see [`super::identity`]), which do not change when a rule renames what the user sees.

use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::model::{EntityCount, EntityKey, EntityKind, MergeReason};

/// One correction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case")]
pub enum Rule {
    /// The entity holding `from` joins the entity holding `into`.
    Merge { into: EntityKey, from: EntityKey },
    /// The spelling key `key` leaves the entity it was merged into and stands alone.
    Split { key: EntityKey },
    /// The entity holding `key` is shown as `name`.
    Rename { key: EntityKey, name: String },
    /// The entity holding `key` is of `kind`.
    Retype { key: EntityKey, kind: EntityKind },
    /// The entity holding `key` is junk: left out of every list.
    Hide { key: EntityKey },
}

impl Rule {
    /// What the rule does, in words (for the Edit menu's Undo and Redo).
    pub fn describe(&self) -> String {
        match self {
            Rule::Merge { into, from } => format!("merge {} into {}", from.text, into.text),
            Rule::Split { key } => format!("split {} out", key.text),
            Rule::Rename { key, name } => format!("rename {} to {name}", key.text),
            Rule::Retype { key, kind } => format!("make {} a {}", key.text, kind.display_name().to_lowercase()),
            Rule::Hide { key } => format!("hide {}", key.text),
        }
    }
}

/// A folder's corrections, in the order they were made.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Curation {
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// Why a curation file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CurationError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: std::path::PathBuf, source: std::io::Error },
    #[error("{} is not a list of entity corrections: {source}", path.display())]
    Parse { path: std::path::PathBuf, source: serde_json::Error },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: std::path::PathBuf, source: std::io::Error },
}

impl Curation {
    /// The corrections in `path`; none if the file does not exist.
    pub fn load(path: &Path) -> Result<Curation, CurationError> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Curation::default()),
            Err(source) => return Err(CurationError::Read { path: path.to_path_buf(), source }),
        };
        serde_json::from_slice(&bytes).map_err(|source| CurationError::Parse { path: path.to_path_buf(), source })
    }

    /// The corrections in `path`, or none and what went wrong: a file that is not a list of
    /// corrections is set aside (renamed, never deleted) so the next edit does not overwrite it.
    pub fn load_or_set_aside(path: &Path) -> (Curation, Option<String>) {
        match Curation::load(path) {
            Ok(c) => (c, None),
            Err(e @ CurationError::Parse { .. }) => {
                let secs =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                let aside = path.with_extension(format!("json.damaged-{secs}"));
                let kept = match std::fs::rename(path, &aside) {
                    Ok(()) => format!("it was kept as {}", aside.display()),
                    Err(r) => format!("and it could not be set aside: {r}"),
                };
                (Curation::default(), Some(format!("Your entity corrections were not applied: {e}; {kept}.")))
            }
            Err(e) => (Curation::default(), Some(format!("Your entity corrections were not applied: {e}."))),
        }
    }

    /// Writes the corrections to a file of the user's choosing (to share them), as indented JSON.
    pub fn export(&self, path: &Path) -> Result<(), CurationError> {
        let json = serde_json::to_vec_pretty(self).map_err(std::io::Error::other);
        json.and_then(|json| std::fs::write(path, json))
            .map_err(|source| CurationError::Write { path: path.to_path_buf(), source })
    }

    /// Writes the corrections to `path` in Dossier's data folder as indented JSON (readable,
    /// and diffable when shared), readable by the user only.
    pub fn save(&self, path: &Path) -> Result<(), CurationError> {
        let write = |source| CurationError::Write { path: path.to_path_buf(), source };
        if let Some(dir) = path.parent() {
            crate::store::create_private_dir(dir).map_err(write)?;
        }
        let json = serde_json::to_vec_pretty(self).map_err(|e| write(std::io::Error::other(e)))?;
        crate::store::write_private(path, &json).map_err(write)
    }

    /// `entities` with the rules applied in order, most mentioned first; `count` gives the
    /// documents mentioning any of some per-document keys (an entity the rules changed is
    /// counted again: two merged entities may share documents).
    pub fn apply(&self, mut entities: Vec<EntityCount>, count: impl Fn(&[EntityKey]) -> u64) -> Vec<EntityCount> {
        if self.rules.is_empty() {
            return entities;
        }
        let mut recount: Vec<EntityKey> = Vec::new();
        for rule in &self.rules {
            recount.extend(rule.apply(&mut entities).recount);
        }
        for key in recount {
            if let Some(g) = holding(&entities, &key) {
                entities[g].documents = count(&entities[g].members);
            }
        }
        sort(&mut entities);
        entities
    }
}

/// The most mentioned first, then by key: the order of a folder's entity list.
pub fn sort(entities: &mut [EntityCount]) {
    entities.sort_by(|a, b| b.documents.cmp(&a.documents).then_with(|| a.key.cmp(&b.key)));
}

/// The place of the entity holding `key` as a member (a key is one entity's), or else showing it
/// as its name: whatever the list's order, the same entity.
pub fn holding(entities: &[EntityCount], key: &EntityKey) -> Option<usize> {
    entities.iter().position(|e| e.members.contains(key)).or_else(|| entities.iter().position(|e| *e.key == *key))
}

/// What applying one rule changed in a list of entities.
#[derive(Debug, Default)]
pub struct Edit {
    /// The entity taken out of the list, by its place before the rule.
    pub removed: Option<usize>,
    /// Entities whose members, spellings or name changed (a split-out one is added at the end),
    /// each by one of its members, since places shift.
    pub touched: Vec<EntityKey>,
    /// Of those, the ones whose documents are to be counted again.
    pub recount: Vec<EntityKey>,
}

impl Rule {
    /// Applies the rule to `entities` (not sorted again, documents not counted again: see
    /// [`Edit`]); a rule naming an entity that is not there does nothing.
    pub fn apply(&self, entities: &mut Vec<EntityCount>) -> Edit {
        let mut edit = Edit::default();
        match self {
            Rule::Merge { into, from } => {
                let (Some(a), Some(b)) = (holding(entities, into), holding(entities, from)) else { return edit };
                if a == b {
                    return edit;
                }
                let gone = entities.remove(b);
                edit.removed = Some(b);
                let a = if b < a { a - 1 } else { a };
                let target = &mut entities[a];
                Arc::make_mut(&mut target.members).extend(gone.members.iter().cloned());
                Arc::make_mut(&mut target.variants).extend(gone.variants.iter().cloned().map(|mut v| {
                    v.reason = MergeReason::ByYou;
                    v
                }));
                edit.touched.push(target.members[0].clone());
            }
            Rule::Split { key } => {
                let Some(g) = holding(entities, key) else { return edit };
                if entities[g].members.len() < 2 || !entities[g].members.contains(key) {
                    return edit;
                }
                let group = &mut entities[g];
                Arc::make_mut(&mut group.members).retain(|k| k != key);
                let (moved, kept) = group.variants.iter().cloned().partition(|v| v.of == *key);
                group.variants = Arc::new(kept);
                if *group.key == *key {
                    group.key = Arc::new(group.members[0].clone());
                }
                edit.touched.push(group.members[0].clone());
                entities.push(EntityCount {
                    key: Arc::new(key.clone()),
                    documents: 0,
                    variants: Arc::new(moved),
                    members: Arc::new(vec![key.clone()]),
                });
                edit.touched.push(key.clone());
            }
            Rule::Rename { key, name } => {
                if let Some(g) = holding(entities, key) {
                    Arc::make_mut(&mut entities[g].key).text = name.clone();
                    edit.touched.push(entities[g].members[0].clone());
                }
                return edit;
            }
            Rule::Retype { key, kind } => {
                if let Some(g) = holding(entities, key) {
                    Arc::make_mut(&mut entities[g].key).kind = *kind;
                    edit.touched.push(entities[g].members[0].clone());
                }
                return edit;
            }
            Rule::Hide { key } => {
                if let Some(g) = holding(entities, key) {
                    entities.remove(g);
                    edit.removed = Some(g);
                }
            }
        }
        edit.recount = edit.touched.clone();
        edit
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Variant;

    fn key(kind: EntityKind, text: &str) -> EntityKey {
        EntityKey { kind, text: text.to_owned() }
    }

    fn entity(k: EntityKey, documents: u64, also: &[EntityKey]) -> EntityCount {
        let mut members = vec![k.clone()];
        members.extend(also.iter().cloned());
        let variants: Vec<Variant> = members
            .iter()
            .map(|m| Variant { text: m.text.clone(), documents, reason: MergeReason::AsWritten, of: m.clone() })
            .collect();
        EntityCount { key: Arc::new(k), documents, variants: Arc::new(variants), members: Arc::new(members) }
    }

    #[test]
    fn rules_merge_split_rename_retype_and_hide_in_order() {
        use EntityKind::*;
        let (ken, kenneth, lay) = (key(Person, "Ken Lay"), key(Person, "Kenneth Lay"), key(Person, "Lay"));
        let entities = vec![
            entity(ken.clone(), 5, std::slice::from_ref(&lay)),
            entity(kenneth.clone(), 3, &[]),
            entity(key(Org, "Enron"), 9, &[]),
            entity(key(Person, "Thanks"), 4, &[]),
        ];
        // Documents of a set of keys: as if Ken Lay and Kenneth Lay shared one document.
        let count = |keys: &[EntityKey]| -> u64 {
            let mut n = 0;
            if keys.contains(&ken) || keys.contains(&lay) {
                n += 5;
            }
            if keys.contains(&kenneth) {
                n += if n > 0 { 2 } else { 3 };
            }
            n
        };
        let curation = Curation {
            rules: vec![
                Rule::Merge { into: ken.clone(), from: kenneth.clone() },
                Rule::Split { key: lay.clone() },
                Rule::Rename { key: kenneth.clone(), name: "Kenneth L. Lay".into() },
                Rule::Retype { key: key(Org, "Enron"), kind: Gpe },
                Rule::Hide { key: key(Person, "Thanks") },
            ],
        };
        let got = curation.apply(entities, count);
        let names: Vec<(&str, EntityKind, u64)> =
            got.iter().map(|e| (e.key.text.as_str(), e.key.kind, e.documents)).collect();
        assert_eq!(names, [("Enron", Gpe, 9), ("Kenneth L. Lay", Person, 7), ("Lay", Person, 5)], "7: one shared");
        let merged = &got[1];
        assert_eq!(*merged.members, [ken.clone(), kenneth.clone()]);
        assert!(merged.variants.iter().any(|v| v.text == "Kenneth Lay" && v.reason == MergeReason::ByYou));
        assert!(!merged.variants.iter().any(|v| v.text == "Lay"), "the split spelling went with its key");
    }

    #[test]
    fn a_rule_names_the_entity_holding_its_key_whatever_the_order() {
        use EntityKind::*;
        // Retyped, one entity shows the key another holds: the holder is meant.
        let mut shows = entity(key(Org, "Enron Inc"), 6, &[]);
        Arc::make_mut(&mut shows.key).kind = Gpe;
        Arc::make_mut(&mut shows.key).text = "Enron".into();
        let holds = entity(key(Gpe, "Enron"), 5, &[]);
        for list in [vec![shows.clone(), holds.clone()], vec![holds.clone(), shows.clone()]] {
            let at = holding(&list, &key(Gpe, "Enron")).unwrap();
            assert_eq!(*list[at].members, [key(Gpe, "Enron")]);
        }
        assert_eq!(holding(&[shows], &key(Gpe, "Enron")), Some(0), "a shown name when no entity holds it");
    }

    #[test]
    fn curation_round_trips_as_readable_json_and_a_missing_file_is_none() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/curation.json");
        assert_eq!(Curation::load(&path).unwrap(), Curation::default());
        let c = Curation { rules: vec![Rule::Hide { key: key(EntityKind::Person, "Thanks") }] };
        c.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"do\": \"hide\""), "{text}");
        assert_eq!(Curation::load(&path).unwrap(), c);
        std::fs::write(&path, "not json").unwrap();
        assert!(matches!(Curation::load(&path), Err(CurationError::Parse { .. })));
    }
}
