//! Plain data shared by every layer: documents, entities, search hits.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// The kind of a named entity. The set follows OntoNotes, the labels spaCy's English models use,
/// so a statistical recogniser can replace the rule-based one without changing any caller, plus
/// contact details found by patterns (e-mail addresses, web addresses, phone numbers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum EntityKind {
    Person,
    Norp,
    Fac,
    Org,
    Gpe,
    Loc,
    Product,
    Event,
    WorkOfArt,
    Law,
    Language,
    Date,
    Time,
    Percent,
    Money,
    Quantity,
    Ordinal,
    Cardinal,
    Email,
    Url,
    Phone,
}

impl EntityKind {
    /// Every kind, in the order the legend shows them.
    pub const ALL: [EntityKind; 21] = [
        EntityKind::Person,
        EntityKind::Org,
        EntityKind::Gpe,
        EntityKind::Loc,
        EntityKind::Fac,
        EntityKind::Norp,
        EntityKind::Date,
        EntityKind::Time,
        EntityKind::Money,
        EntityKind::Percent,
        EntityKind::Quantity,
        EntityKind::Ordinal,
        EntityKind::Cardinal,
        EntityKind::Product,
        EntityKind::Event,
        EntityKind::WorkOfArt,
        EntityKind::Law,
        EntityKind::Language,
        EntityKind::Email,
        EntityKind::Url,
        EntityKind::Phone,
    ];

    /// The OntoNotes label, e.g. `PERSON`; also the form stored in the index.
    pub fn label(self) -> &'static str {
        match self {
            EntityKind::Person => "PERSON",
            EntityKind::Norp => "NORP",
            EntityKind::Fac => "FAC",
            EntityKind::Org => "ORG",
            EntityKind::Gpe => "GPE",
            EntityKind::Loc => "LOC",
            EntityKind::Product => "PRODUCT",
            EntityKind::Event => "EVENT",
            EntityKind::WorkOfArt => "WORK_OF_ART",
            EntityKind::Law => "LAW",
            EntityKind::Language => "LANGUAGE",
            EntityKind::Date => "DATE",
            EntityKind::Time => "TIME",
            EntityKind::Percent => "PERCENT",
            EntityKind::Money => "MONEY",
            EntityKind::Quantity => "QUANTITY",
            EntityKind::Ordinal => "ORDINAL",
            EntityKind::Cardinal => "CARDINAL",
            EntityKind::Email => "EMAIL",
            EntityKind::Url => "URL",
            EntityKind::Phone => "PHONE",
        }
    }

    /// A short human name for the legend, e.g. "Person", "Place".
    pub fn display_name(self) -> &'static str {
        match self {
            EntityKind::Person => "Person",
            EntityKind::Norp => "Group",
            EntityKind::Fac => "Facility",
            EntityKind::Org => "Organisation",
            EntityKind::Gpe => "Place",
            EntityKind::Loc => "Location",
            EntityKind::Product => "Product",
            EntityKind::Event => "Event",
            EntityKind::WorkOfArt => "Work",
            EntityKind::Law => "Law",
            EntityKind::Language => "Language",
            EntityKind::Date => "Date",
            EntityKind::Time => "Time",
            EntityKind::Percent => "Percent",
            EntityKind::Money => "Money",
            EntityKind::Quantity => "Quantity",
            EntityKind::Ordinal => "Ordinal",
            EntityKind::Cardinal => "Number",
            EntityKind::Email => "E-mail",
            EntityKind::Url => "Web address",
            EntityKind::Phone => "Phone",
        }
    }

    /// Parses an OntoNotes label as produced by [`EntityKind::label`].
    pub fn from_label(label: &str) -> Option<EntityKind> {
        EntityKind::ALL.into_iter().find(|k| k.label() == label)
    }

    /// A bit for [`KindSet`].
    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of entity kinds, e.g. the kinds the legend currently shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KindSet(u32);

impl KindSet {
    pub fn all() -> KindSet {
        KindSet(EntityKind::ALL.iter().fold(0, |acc, k| acc | k.bit()))
    }
    pub fn contains(self, kind: EntityKind) -> bool {
        self.0 & kind.bit() != 0
    }
    pub fn toggle(&mut self, kind: EntityKind) {
        self.0 ^= kind.bit();
    }
}

impl Default for KindSet {
    fn default() -> Self {
        KindSet::all()
    }
}

/// One entity mention: its kind and where it is, as a byte range into the document text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    pub kind: EntityKind,
    pub span: Range<usize>,
}

/// An entity independent of where it is mentioned: its kind and its canonical text.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EntityKey {
    pub kind: EntityKind,
    /// The mention text with whitespace collapsed, as written in the document.
    pub text: String,
}

impl EntityKey {
    /// The key of a mention in `text`: whitespace collapsed and, for names, a leading "the"
    /// dropped, so "the State Department" and "State Department" are one entity.
    pub fn of(entity: &Entity, text: &str) -> EntityKey {
        let raw = text.get(entity.span.clone()).unwrap_or_default();
        let mut words: Vec<&str> = raw.split_whitespace().collect();
        let dated = matches!(
            entity.kind,
            EntityKind::Date | EntityKind::Time | EntityKind::Money | EntityKind::Percent | EntityKind::Quantity
        );
        if words.len() > 1 && !dated && words[0].eq_ignore_ascii_case("the") {
            words.remove(0);
        }
        EntityKey { kind: entity.kind, text: words.join(" ") }
    }

    /// The single string form the index stores, e.g. `PERSON:Sergey Lavrov`.
    pub fn encode(&self) -> String {
        format!("{}:{}", self.kind.label(), self.text)
    }

    /// The inverse of [`EntityKey::encode`].
    pub fn decode(s: &str) -> Option<EntityKey> {
        let (label, text) = s.split_once(':')?;
        Some(EntityKey { kind: EntityKind::from_label(label)?, text: text.to_owned() })
    }
}

/// A document as read from disk, before indexing.
#[derive(Clone, Debug)]
pub struct LoadedDoc {
    /// Path relative to the opened folder, `/`-separated; the document's identity in the index.
    pub id: String,
    pub title: String,
    pub text: String,
    pub size_bytes: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
}

/// What the document list shows for one indexed document.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocSummary {
    pub id: String,
    pub title: String,
    pub size_bytes: u64,
    pub entity_count: u64,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
}

/// A document ready to be displayed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DocView {
    pub id: String,
    pub title: String,
    pub text: String,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
    pub entities: Vec<Entity>,
    /// How many indexed documents mention each of this document's entities.
    pub entity_doc_counts: Vec<(EntityKey, u64)>,
    /// Byte ranges of the current query's terms in `text`.
    pub query_ranges: Vec<Range<usize>>,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub score: f32,
    /// How many times the query's terms occur in the document.
    pub match_count: usize,
    pub snippet: String,
    /// Byte ranges of matched words inside `snippet`.
    pub snippet_ranges: Vec<Range<usize>>,
}

/// What a query returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of matching documents (may exceed `hits.len()`).
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Parts of the query that could not be understood; the rest was still searched.
    pub warnings: Vec<String>,
}

/// A query as the user composed it: free text plus entity filters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    pub text: String,
    pub entities: Vec<EntityKey>,
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.entities.is_empty()
    }
}

/// Corpus-wide count for one entity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityCount {
    pub key: EntityKey,
    pub documents: u64,
}

/// A file that was not indexed, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProblem {
    pub path: String,
    pub reason: String,
    /// Left out on purpose (a format Dossier does not read) rather than failed.
    #[serde(default)]
    pub skipped: bool,
}

impl FileProblem {
    /// A file that should have been read but could not be.
    pub fn failed(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), skipped: false }
    }

    /// A file left out on purpose.
    pub fn skipped(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), skipped: true }
    }
}

/// Figures about an index for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndexStats {
    pub documents: u64,
    pub distinct_entities: u64,
    pub index_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_a_leading_the_from_names_only() {
        let text = "the  State Department, The Hague, the 1990s";
        let key = |kind, s: &str| {
            let i = text.find(s).unwrap();
            EntityKey::of(&Entity { kind, span: i..i + s.len() }, text).text
        };
        assert_eq!(key(EntityKind::Org, "the  State Department"), "State Department");
        assert_eq!(key(EntityKind::Date, "the 1990s"), "the 1990s");
        assert_eq!(
            EntityKey::decode(&EntityKey { kind: EntityKind::Gpe, text: "Hague".into() }.encode()).unwrap().text,
            "Hague"
        );
    }
}
