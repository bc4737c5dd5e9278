//! Plain data shared by every layer: documents, entities, search hits.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The kind of a named entity. The set follows OntoNotes, the labels spaCy's English models use
/// (and so the embedded model), plus contact details found by patterns (e-mail addresses, web
/// addresses, phone numbers).
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

    /// Kinds that name someone or something (as opposed to dates, amounts, numbers and
    /// contact details).
    pub fn is_name(self) -> bool {
        matches!(
            self,
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

    /// Kinds that count rather than name (numbers, ordinals, quantities, percentages): shown in
    /// documents, but left out of the folder's entity lists unless asked for, where "first" and
    /// "two" would otherwise lead every list.
    pub fn is_counting(self) -> bool {
        matches!(self, EntityKind::Cardinal | EntityKind::Ordinal | EntityKind::Quantity | EntityKind::Percent)
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

    /// The kind a person means by `name`: its label (`GPE`) or the name the app shows
    /// (`Place`), in any case.
    pub fn named(name: &str) -> Option<EntityKind> {
        let name = name.trim();
        EntityKind::ALL
            .into_iter()
            .find(|k| k.label().eq_ignore_ascii_case(name) || k.display_name().eq_ignore_ascii_case(name))
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

    /// The filter for it as typed in the search box, e.g. `person:"Sergey Lavrov"` (names only:
    /// other kinds have no such filter).
    pub fn query_text(&self) -> Option<String> {
        let name = self.text.replace('"', "");
        self.kind.is_name().then(|| format!("{}:\"{name}\"", self.kind.display_name().to_lowercase()))
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

/// A document as read from disk, before indexing. Most files are one document; a mailbox holds
/// one per message, and a message's readable attachments are documents of their own.
#[derive(Clone, Debug, Default)]
pub struct LoadedDoc {
    /// Path relative to the opened folder, `/`-separated; the document's identity in the index.
    /// A message in a mailbox is `box.mbox#3`; an attachment is its message's id, `/`, its name.
    pub id: String,
    /// The file the document came from (its id when it is a whole file).
    pub file: String,
    /// The message an attachment belongs to; empty for everything else.
    pub parent: String,
    pub title: String,
    pub text: String,
    pub meta: DocMeta,
    /// Size and modification time of `file`, to tell later whether it changed.
    pub file_size: u64,
    pub file_mtime_ns: i64,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
}

/// How far the search for a document's entities got. Text is indexed first, so that it is
/// searchable at once; its entities are found in a second stage that replaces the document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum EntityStage {
    /// Text only, entities still to find.
    #[default]
    Pending,
    /// Entities found (or none to look for: a document in a language the recogniser does not
    /// know).
    Found,
    /// Finding them failed (timed out, an internal error, or it stopped a run); the text stays
    /// searchable and the ingest report says why. Retried only when the user asks.
    GivenUp,
    /// Entities found by an earlier version of the recogniser (before [`RECOGNISER_VERSION`]
    /// was counted): shown until a run finds them again.
    FoundBefore,
}

/// The version of what the recogniser finds: bumped whenever a change to the model, the
/// consistency pass or the contact patterns changes the entities of some text, so that
/// documents indexed before have them found again by the next run, in the background (their
/// old entities are shown meanwhile, their text stays searchable).
pub const RECOGNISER_VERSION: u64 = 1;

/// Stage codes from this one on are "found by recogniser version code − this".
const FOUND_BY: u64 = 2;

impl EntityStage {
    /// The number the index stores.
    pub fn code(self) -> u64 {
        match self {
            EntityStage::Pending => 0,
            EntityStage::FoundBefore => 1,
            EntityStage::GivenUp => 2,
            EntityStage::Found => FOUND_BY + RECOGNISER_VERSION,
        }
    }

    /// The codes of documents whose entities an earlier recogniser found.
    pub fn outdated_codes() -> impl Iterator<Item = u64> {
        std::iter::once(EntityStage::FoundBefore.code()).chain(FOUND_BY + 1..FOUND_BY + RECOGNISER_VERSION)
    }
}

/// What a format says about a document besides its text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DocMeta {
    pub format: DocFormat,
    /// The author (PDF, DOCX, ODT, RTF) or sender (e-mail); empty when unknown.
    pub author: String,
    /// When the document was created (or a message sent), nanoseconds since the Unix epoch.
    pub created_ns: Option<i64>,
    /// When it was last modified: from the format when it says, else the file's time.
    pub modified_ns: Option<i64>,
    /// The document's own size in bytes (a message's or attachment's, not the whole file's).
    pub size_bytes: u64,
    /// Byte offsets in the text where each page starts; empty for formats without pages.
    pub pages: Vec<u32>,
    /// Only the first part of the file was read (it was larger than the configured limit).
    pub truncated: bool,
    /// Header fields shown above the text (From, To, Cc, Date, Subject of a message).
    pub fields: Vec<(String, String)>,
}

impl DocMeta {
    /// The 1-based page holding byte `offset` of the text, for paged formats.
    pub fn page_at(&self, offset: usize) -> Option<u32> {
        if self.pages.is_empty() {
            return None;
        }
        Some(self.pages.partition_point(|&start| start as usize <= offset).max(1) as u32)
    }
}

/// A document's format: which loader read it, how the app names it and what `type:` accepts.
/// Stored (in the index, in JSON) by its lower-case name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DocFormat {
    #[default]
    Text,
    Html,
    Email,
    Pdf,
    Docx,
    Odt,
    Pptx,
    Xlsx,
    Epub,
    Rtf,
    Csv,
    Json,
    Xml,
}

impl DocFormat {
    pub const ALL: [DocFormat; 13] = [
        DocFormat::Text,
        DocFormat::Html,
        DocFormat::Email,
        DocFormat::Pdf,
        DocFormat::Docx,
        DocFormat::Odt,
        DocFormat::Pptx,
        DocFormat::Xlsx,
        DocFormat::Epub,
        DocFormat::Rtf,
        DocFormat::Csv,
        DocFormat::Json,
        DocFormat::Xml,
    ];

    /// The stored name: `pdf`, `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocFormat::Text => "text",
            DocFormat::Html => "html",
            DocFormat::Email => "email",
            DocFormat::Pdf => "pdf",
            DocFormat::Docx => "docx",
            DocFormat::Odt => "odt",
            DocFormat::Pptx => "pptx",
            DocFormat::Xlsx => "xlsx",
            DocFormat::Epub => "epub",
            DocFormat::Rtf => "rtf",
            DocFormat::Csv => "csv",
            DocFormat::Json => "json",
            DocFormat::Xml => "xml",
        }
    }

    /// The name people see: `Web page`, `E-mail`.
    pub fn label(self) -> &'static str {
        match self {
            DocFormat::Text => "Text",
            DocFormat::Html => "Web page",
            DocFormat::Email => "E-mail",
            DocFormat::Pdf => "PDF",
            DocFormat::Docx => "Word",
            DocFormat::Odt => "OpenDocument",
            DocFormat::Pptx => "PowerPoint",
            DocFormat::Xlsx => "Excel",
            DocFormat::Epub => "E-book",
            DocFormat::Rtf => "RTF",
            DocFormat::Csv => "Table",
            DocFormat::Json => "JSON",
            DocFormat::Xml => "XML",
        }
    }

    /// What its pages are called: a presentation has slides.
    pub fn page_word(self) -> &'static str {
        if self == DocFormat::Pptx { "slide" } else { "page" }
    }

    /// The format stored as `name` (see [`DocFormat::as_str`]).
    pub fn from_stored(name: &str) -> Option<DocFormat> {
        DocFormat::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The format a person means by `name`: a stored name (`pdf`), an extension or common word
    /// (`txt`, `mail`, `excel`) or the name the app shows (`Web page`), in any case.
    pub fn named(name: &str) -> Option<DocFormat> {
        let name = name.trim().trim_start_matches('.').to_lowercase();
        let alias = match name.as_str() {
            "txt" | "md" | "markdown" | "plain" => "text",
            "htm" | "xhtml" | "web" => "html",
            "eml" | "mail" | "e-mail" | "mbox" | "msg" | "message" => "email",
            "doc" | "word" | "docm" => "docx",
            "ppt" | "powerpoint" | "slides" | "pptm" => "pptx",
            "xls" | "excel" | "spreadsheet" | "xlsm" => "xlsx",
            "tsv" | "table" => "csv",
            other => other,
        };
        DocFormat::ALL.into_iter().find(|f| f.as_str() == alias || f.label().eq_ignore_ascii_case(&name))
    }
}

impl std::fmt::Display for DocFormat {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
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
    pub format: DocFormat,
    pub truncated: bool,
    /// Its entities are still to be found.
    pub entities_pending: bool,
}

/// A document ready to be displayed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct DocView {
    pub id: String,
    pub title: String,
    pub text: String,
    /// ISO 639-3 code of the detected language; empty when undecided.
    pub language: String,
    pub entities: Vec<Entity>,
    /// How many indexed documents mention each of this document's entities.
    pub entity_doc_counts: Vec<(EntityKey, u64)>,
    /// Each of `entities`' entity, as a place in `entity_doc_counts` (what
    /// `identity::resolve` made of it); empty when not worked out, and the view resolves them.
    pub mention_keys: Vec<u32>,
    /// Byte ranges of the current query's terms in `text`.
    pub query_ranges: Vec<Range<usize>>,
    /// The file it came from, its parent message (empty if none) and what the format says.
    pub file: String,
    pub parent: String,
    pub meta: DocMeta,
    /// Documents attached to this one (id, title), in order.
    pub attachments: Vec<(String, String)>,
    /// Other documents with exactly the same title and text, by path.
    pub copies: Vec<String>,
    /// Its text is indexed but its entities are still to be found.
    pub entities_pending: bool,
}

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    pub id: String,
    pub title: String,
    pub score: f32,
    /// How many times the query's terms occur in the document; none for a query of filters
    /// alone (an entity, a date, a folder), which has no words to find.
    pub match_count: Option<usize>,
    pub snippet: String,
    /// Byte ranges of matched words inside `snippet`.
    pub snippet_ranges: Vec<Range<usize>>,
    pub format: DocFormat,
    /// For paged formats, the page of the first match.
    pub page: Option<u32>,
    /// Other matching documents with exactly the same title and text, by path.
    pub copies: Vec<String>,
}

/// What a query returned.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SearchResults {
    /// Number of matching documents (may exceed `hits.len()`).
    pub total: usize,
    pub hits: Vec<SearchHit>,
    /// Parts of the query that could not be understood; the rest was still searched.
    pub warnings: Vec<String>,
    /// Matching documents left out of `total` as copies of a hit (see [`SearchHit::copies`]).
    pub copies: usize,
}

/// When the documents a query matches were written and which dates they mention, by month.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Timeline {
    /// Months with at least one document, in order.
    pub months: Vec<MonthCount>,
    /// DATE mentions in the matching documents with no day or month to plot: a year or decade
    /// alone, or relative words in a document without a date of its own.
    pub unplotted: u64,
    /// How many documents matched.
    pub documents: u64,
}

/// One month of a [`Timeline`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonthCount {
    /// Months since January of year 0: `year * 12 + month - 1`.
    pub month: i32,
    /// Documents mentioning a date in the month.
    pub mentioned: u64,
    /// Documents written (or sent) in the month.
    pub written: u64,
    /// The documents with the most dates in the month, as (id, title), at most three.
    pub top: Vec<(String, String)>,
}

impl MonthCount {
    /// "July 2022".
    pub fn name(month: i32) -> String {
        const NAMES: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        format!("{} {}", NAMES[month.rem_euclid(12) as usize], month.div_euclid(12))
    }

    /// The month of a day number (see [`crate::entities::normalize::day_number`]).
    pub fn of_day(day: i64) -> Option<i32> {
        let date = crate::entities::normalize::day_date(day)?;
        Some(date.year() * 12 + i32::from(u8::from(date.month())) - 1)
    }

    /// "2022-07", as a `date:` filter takes it.
    pub fn iso(month: i32) -> String {
        format!("{:04}-{:02}", month.div_euclid(12), month.rem_euclid(12) + 1)
    }
}

/// A query as the user composed it: free text plus entity, format and folder filters.
///
/// The text may hold filters too: `type:pdf`, `folder:mail/2001` (or `folder:"Board minutes"`)
/// `author:ward` and `date:2022-07` (or `date:[2022-01 TO 2022-06]`); [`Query::parse_text`]
/// takes them out.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Query {
    pub text: String,
    pub entities: Vec<EntityKey>,
    /// Formats to keep (any of them); empty keeps all.
    #[serde(default)]
    pub formats: Vec<DocFormat>,
    /// Keep documents under this folder (relative, `/`-separated); empty keeps all.
    #[serde(default)]
    pub folder: String,
    /// The order of the hits.
    #[serde(default)]
    pub sort: SortBy,
}

/// How hits are ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortBy {
    /// Best first (ties by path).
    #[default]
    Relevance,
    /// By path, A to Z.
    Path,
    /// By the document's own date (a message's Date, a PDF's modification date, else the
    /// file's), newest first.
    Newest,
    Oldest,
}

impl SortBy {
    pub const ALL: [SortBy; 4] = [SortBy::Relevance, SortBy::Path, SortBy::Newest, SortBy::Oldest];

    pub fn label(self) -> &'static str {
        match self {
            SortBy::Relevance => "Relevance",
            SortBy::Path => "Path",
            SortBy::Newest => "Newest",
            SortBy::Oldest => "Oldest",
        }
    }
}

/// The filters written into a query's text, and the words left to search for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextFilters {
    pub words: String,
    /// Formats as typed after `type:` (see [`DocFormat::named`]).
    pub formats: Vec<String>,
    pub folders: Vec<String>,
    /// Text that a document's path must contain (`path:minutes`).
    pub paths: Vec<String>,
    pub authors: Vec<String>,
    /// Entities as typed after a kind: `person:"Sergey Lavrov"`, `org:CNN`, `place:Moscow`.
    pub entities: Vec<(EntityKind, String)>,
    /// Dates and date ranges as typed after `date:` (see [`crate::entities::normalize::day_range`]).
    pub dates: Vec<String>,
}

/// What a `name:` at the start of a query word filters by.
#[derive(Clone, Copy, PartialEq)]
enum Prefix {
    Type,
    Folder,
    Path,
    Author,
    Date,
    Entity(EntityKind),
}

impl Prefix {
    /// The prefix `rest` starts with (a name, then `:` and something), and what follows it.
    fn of(rest: &str) -> Option<(Prefix, &str)> {
        let colon = rest.find(':')?;
        let name = &rest[..colon];
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphabetic() || c == '_') {
            return None;
        }
        let tail = rest.get(colon + 1..).filter(|tail| !tail.is_empty())?;
        let prefix = match name.to_ascii_lowercase().as_str() {
            "type" => Prefix::Type,
            "folder" => Prefix::Folder,
            "path" => Prefix::Path,
            "author" => Prefix::Author,
            "date" | "when" => Prefix::Date,
            "organization" => Prefix::Entity(EntityKind::Org),
            other => Prefix::Entity(EntityKind::named(other).filter(|k| k.is_name())?),
        };
        Some((prefix, tail))
    }
}

impl Query {
    pub fn is_empty(&self) -> bool {
        self.text.trim().is_empty() && self.entities.is_empty() && self.formats.is_empty() && self.folder.is_empty()
    }

    /// Splits `type:`, `folder:` and `author:` filters out of the text; a value may be quoted.
    /// Everything else is left, in order, for the full-text parser.
    pub fn parse_text(&self) -> TextFilters {
        let mut out = TextFilters::default();
        let mut words: Vec<&str> = Vec::new();
        let text = self.text.as_str();
        let mut rest = text;
        while let Some(start) = rest.find(|c: char| !c.is_whitespace()) {
            rest = &rest[start..];
            let filter = Prefix::of(rest);
            let (token, value, after) = match filter {
                Some((prefix, tail)) => {
                    if let Some(quoted) = tail.strip_prefix('"') {
                        let end = quoted.find('"').unwrap_or(quoted.len());
                        let after = (end + 1).min(quoted.len());
                        (Some(prefix), &quoted[..end], &quoted[after..])
                    } else if tail.starts_with('[') {
                        // A range, `[2022-01 TO 2022-06]`, brackets and all.
                        let end = tail.find(']').map_or(tail.len(), |e| e + 1);
                        (Some(prefix), &tail[..end], &tail[end..])
                    } else {
                        let end = tail.find(char::is_whitespace).unwrap_or(tail.len());
                        (Some(prefix), &tail[..end], &tail[end..])
                    }
                }
                None => {
                    // A quoted phrase stays whole, so a filter-like word inside it is not taken.
                    let end = if let Some(q) = rest.strip_prefix('"') {
                        // With what follows the closing quote: `"a b"~5`.
                        q.find('"').map_or(rest.len(), |e| {
                            let after = e + 2;
                            after + rest[after..].find(char::is_whitespace).unwrap_or(rest.len() - after)
                        })
                    } else {
                        rest.find(char::is_whitespace).unwrap_or(rest.len())
                    };
                    (None, &rest[..end], &rest[end..])
                }
            };
            let value = value.trim();
            match token {
                Some(_) if value.is_empty() => {}
                Some(Prefix::Type) => out.formats.push(value.to_ascii_lowercase()),
                Some(Prefix::Folder) => out.folders.push(value.trim_matches('/').to_owned()),
                Some(Prefix::Path) => out.paths.push(value.to_owned()),
                Some(Prefix::Author) => out.authors.push(value.to_owned()),
                Some(Prefix::Date) => out.dates.push(value.to_owned()),
                Some(Prefix::Entity(kind)) => out.entities.push((kind, value.to_owned())),
                None => words.push(value),
            }
            rest = after;
        }
        out.words = words.join(" ");
        out
    }
}

/// The longest query text searched, in characters; the rest is ignored with a warning.
pub const MAX_QUERY_CHARS: usize = 2000;
/// The deepest nesting of parentheses searched; deeper pairs are ignored with a warning (the
/// full-text parser recurses per level, and a pasted wall of `(` must not exhaust its stack).
pub const MAX_QUERY_DEPTH: usize = 16;

/// `words` cut to [`MAX_QUERY_CHARS`] and with parentheses nested deeper than
/// [`MAX_QUERY_DEPTH`] dropped (with their closing partners), and what was ignored, in words.
pub fn bound_query(words: &str) -> (String, Vec<String>) {
    let mut warnings = Vec::new();
    let mut out = String::with_capacity(words.len().min(MAX_QUERY_CHARS * 4));
    // For each open parenthesis: was it kept?
    let mut open: Vec<bool> = Vec::new();
    let (mut in_quote, mut dropped, mut chars, mut depth) = (false, 0usize, 0usize, 0usize);
    for c in words.chars() {
        let keep = match c {
            '"' => {
                in_quote = !in_quote;
                true
            }
            '(' if !in_quote => {
                let keep = depth < MAX_QUERY_DEPTH;
                depth += usize::from(keep);
                open.push(keep);
                keep
            }
            ')' if !in_quote => match open.pop() {
                Some(true) => {
                    depth -= 1;
                    true
                }
                Some(false) => false,
                None => true,
            },
            _ => true,
        };
        if !keep {
            dropped += 1;
        } else if chars == MAX_QUERY_CHARS {
            warnings.push(format!("only the first {MAX_QUERY_CHARS} characters of the query were searched"));
            break;
        } else {
            chars += 1;
            out.push(c);
        }
    }
    if dropped > 0 {
        warnings.push(format!("parentheses nested deeper than {MAX_QUERY_DEPTH} levels were ignored"));
    }
    (out, warnings)
}

/// An entity of a folder: its canonical key, how many documents mention it, and the spellings
/// merged into it (see [`crate::entities::identity`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityCount {
    /// Shared, as the spellings are: counts under a query copy every row.
    pub key: std::sync::Arc<EntityKey>,
    pub documents: u64,
    /// Each spelling with the documents that use it and why it is this entity, most used first.
    /// Shared: counts under a query copy every entity of a folder (tens of thousands), with
    /// new document counts but the same spellings.
    pub variants: std::sync::Arc<Vec<Variant>>,
    /// The per-document keys merged into this entity (what a filter on it matches), shared too.
    #[serde(skip)]
    pub members: std::sync::Arc<Vec<EntityKey>>,
}

/// Why a spelling counts as another entity's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MergeReason {
    /// Written the same way.
    AsWritten,
    /// A possessive, a title or a leading "the" left out ("Ms Boynton's" → "Boynton").
    Spelling,
    /// In the alias table ("U.S." → "United States").
    Alias,
    /// A surname or first name in a document that names the person in full.
    FullNameInDocument,
    /// The same letters in another case or with dots ("LAVROV", "U.N.").
    Case,
    /// A surname seen with only this full name in the folder.
    FullNameInFolder,
    /// The user merged it (see [`crate::entities::curation`]).
    ByYou,
}

impl MergeReason {
    /// Every reason; a spelling's reason is stored in the index as its position here, so new
    /// reasons go at the end.
    pub const ALL: [MergeReason; 7] = [
        MergeReason::AsWritten,
        MergeReason::Spelling,
        MergeReason::Alias,
        MergeReason::FullNameInDocument,
        MergeReason::Case,
        MergeReason::FullNameInFolder,
        MergeReason::ByYou,
    ];

    /// Why, in words, for a tooltip.
    pub fn describe(self) -> &'static str {
        match self {
            MergeReason::AsWritten => "as written",
            MergeReason::Spelling => "the same name without a possessive, title or \"the\"",
            MergeReason::Alias => "another name for it (alias table)",
            MergeReason::FullNameInDocument => "short for the full name in the same document",
            MergeReason::Case => "the same name in other capitals or with dots",
            MergeReason::FullNameInFolder => "the surname of the only full name like it in the folder",
            MergeReason::ByYou => "merged by you (Edit → Undo takes it back)",
        }
    }
}

/// A spelling of an entity and how many documents use it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Variant {
    pub text: String,
    pub documents: u64,
    pub reason: MergeReason,
    /// The per-document key it was indexed under (what a split takes out).
    #[serde(skip)]
    pub of: EntityKey,
}

/// What happened to a file that is in the ingest report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Outcome {
    /// Should have been read but could not be.
    #[default]
    Failed,
    /// Left out on purpose: a format Dossier does not read, a link, a file with no text.
    Skipped,
    /// Indexed, but only its first part.
    Truncated,
    /// Indexed and searchable, but its entities could not be found.
    NoEntities,
}

impl Outcome {
    pub fn label(self) -> &'static str {
        match self {
            Outcome::Failed => "could not be read",
            Outcome::Skipped => "skipped",
            Outcome::Truncated => "truncated",
            Outcome::NoEntities => "without entities",
        }
    }

    /// Every outcome, in the order reports list them.
    pub const ALL: [Outcome; 4] = [Outcome::Failed, Outcome::Truncated, Outcome::NoEntities, Outcome::Skipped];
}

/// A file (or a message or attachment inside one) that was not indexed, or not whole, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileProblem {
    /// The document's id: the file's relative path, or an id inside it (`box.mbox#3/a.pdf`).
    pub path: String,
    pub reason: String,
    #[serde(default)]
    pub outcome: Outcome,
    /// The file holding `path` when that is a message or an attachment; empty otherwise.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
}

impl FileProblem {
    /// A file that should have been read but could not be.
    pub fn failed(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), outcome: Outcome::Failed, file: String::new() }
    }

    /// A file left out on purpose.
    pub fn skipped(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), outcome: Outcome::Skipped, file: String::new() }
    }

    /// A file indexed only in part.
    pub fn truncated(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), outcome: Outcome::Truncated, file: String::new() }
    }

    /// A document indexed without entities, because finding them failed.
    pub fn no_entities(path: impl Into<String>, reason: impl Into<String>) -> FileProblem {
        FileProblem { path: path.into(), reason: reason.into(), outcome: Outcome::NoEntities, file: String::new() }
    }

    /// The same problem about a part of `file` (a message in a mailbox, an attachment).
    pub fn inside(mut self, file: impl Into<String>) -> FileProblem {
        self.file = file.into();
        self
    }

    /// The file this problem is about (for a message or attachment, the file holding it).
    pub fn file(&self) -> &str {
        if self.file.is_empty() { &self.path } else { &self.file }
    }
}

/// Who appears with an entity: what [`crate::searcher::Request::Cooccur`] answers.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Cooccurrence {
    /// The entities sharing documents with it, with how many, most shared first.
    pub documents: Vec<(EntityKey, u64)>,
    /// The ids of the documents that mention it, sorted (to step through a result list).
    pub doc_ids: Vec<String>,
    /// Its per-document keys: how each document that mentions it names it.
    pub members: Vec<EntityKey>,
    /// It and its most frequent companions that are names, and how many documents each pair
    /// of them shares (the graph view).
    pub graph: EntityGraph,
}

/// An entity (node 0) and its neighbours, with edges weighted by shared documents.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct EntityGraph {
    /// Each node's entity and how many documents mention it.
    pub nodes: Vec<(EntityKey, u64)>,
    /// (node, node, shared documents), the first node the lower.
    pub edges: Vec<(usize, usize, u64)>,
}

/// The entities named in the same sentence as an entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SentencePairs {
    /// Each entity and in how many sentences it appears with this one, most first.
    pub pairs: Vec<(EntityKey, u64)>,
    /// Documents read, and how many mention the entity: fewer were read when time ran out.
    pub read: u64,
    pub of: u64,
}

/// Figures about an index for the status bar.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct IndexStats {
    pub documents: u64,
    /// Documents whose title and text are exactly those of another (counted once elsewhere).
    #[serde(default)]
    pub copies: u64,
    pub distinct_entities: u64,
    /// Documents whose entities are still to be found (text indexed, entities not yet).
    #[serde(default)]
    pub entities_pending: u64,
    pub index_bytes: u64,
    /// Formats with their document counts, in [`DocFormat`] order.
    pub formats: Vec<(DocFormat, u64)>,
    /// Folders holding documents (relative, `/`-separated) with their document counts,
    /// subfolders included, by name.
    pub folders: Vec<(String, u64)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Queries in many scripts, with filters whose values are not ASCII.
    const QUERIES: [&str; 12] = [
        "Franç",
        "François Hollande",
        "Лавров встретился в Москве",
        "東京 布林肯",
        "type:é",
        "folder:\"Ü",
        "author:Ωmega title:Σ",
        "\u{301}",
        "e\u{301}\u{302} type:",
        "🙂 type:pdf 👍🏽",
        "مرحبا بالعالم author:ward",
        "TYPE:Ä FOLDER:\"Ø Ø\" x",
    ];

    #[test]
    fn every_prefix_of_a_query_in_any_script_parses() {
        for query in QUERIES {
            for (end, _) in query.char_indices().chain([(query.len(), ' ')]) {
                let q = Query { text: query[..end].to_owned(), ..Query::default() };
                let _ = q.parse_text();
            }
        }
        let parse = |text: &str| Query { text: text.into(), ..Query::default() }.parse_text();
        assert_eq!(parse("Franç").words, "Franç");
        assert_eq!(parse("type:é").formats, ["é"]);
        let typed = parse("person:\"Sergey Lavrov\" org:CNN Place:Moscow talks title:x law: lawyer:y");
        assert_eq!(
            typed.entities,
            [
                (EntityKind::Person, "Sergey Lavrov".to_owned()),
                (EntityKind::Org, "CNN".to_owned()),
                (EntityKind::Gpe, "Moscow".to_owned())
            ]
        );
        assert_eq!(typed.words, "talks title:x lawyer:y", "other fields are the full-text parser's");
        assert_eq!(parse("folder:\"Ü").folders, ["Ü"]);
        assert_eq!(parse("TYPE:Ä FOLDER:\"Ø Ø\" x").folders, ["Ø Ø"]);
        assert_eq!(parse("TYPE:Ä FOLDER:\"Ø Ø\" x").words, "x");
        assert_eq!(parse("مرحبا بالعالم author:ward").authors, ["ward"]);
        assert_eq!(parse("мир type:").words, "мир type:");
        let dated = parse("Blair date:[2005-01 TO 2005-06] when:2005 date:[2005");
        assert_eq!(dated.dates, ["[2005-01 TO 2005-06]", "2005", "[2005"]);
        assert_eq!(dated.words, "Blair");
        assert_eq!(parse("\"a b\"~5 c").words, "\"a b\"~5 c", "a phrase keeps its slop");
    }

    #[test]
    fn random_unicode_never_panics_the_parser() {
        // Characters from every width of UTF-8 and the query syntax, so cuts land everywhere.
        let alphabet: Vec<char> = "aZ09 \t\"():-+*~^[]{}/\\éçÜØЛавровΣ東京布林肯مرحبا\u{301}\u{200f}🙂👍🏽"
            .chars()
            .chain("type:folder:author:title:".chars())
            .collect();
        let mut rng = fastrand::Rng::with_seed(7);
        for _ in 0..5_000 {
            let len = rng.usize(0..40);
            let text: String = (0..len).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
            let filters = Query { text: text.clone(), ..Query::default() }.parse_text();
            let (bounded, _) = bound_query(&filters.words);
            assert!(bounded.chars().count() <= MAX_QUERY_CHARS, "{text:?}");
        }
    }

    #[test]
    fn deep_or_long_queries_are_bounded_with_a_warning() {
        let deep = format!("{}word{}", "(".repeat(800), ")".repeat(800));
        let (bounded, warnings) = bound_query(&deep);
        assert_eq!(bounded, format!("{}word{}", "(".repeat(MAX_QUERY_DEPTH), ")".repeat(MAX_QUERY_DEPTH)));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("nested deeper"));
        // Parentheses inside a phrase are words, not nesting.
        let quoted = format!("\"{}\"", "(".repeat(40));
        assert_eq!(bound_query(&quoted), (quoted.clone(), Vec::new()));
        // An unbalanced close is left for the parser to shrug off.
        assert_eq!(bound_query("a) (b").0, "a) (b");
        let long = "ж".repeat(MAX_QUERY_CHARS + 10);
        let (bounded, warnings) = bound_query(&long);
        assert_eq!(bounded.chars().count(), MAX_QUERY_CHARS);
        assert!(warnings[0].contains("first 2000 characters"), "{warnings:?}");
        assert_eq!(bound_query("plain words"), ("plain words".to_owned(), Vec::new()));
    }

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

/// The folder's entities with how many documents mention each (all of the folder's, or those a
/// query matches), most first: rows of the folder's merged list, which they share, so that
/// counting under a query copies two numbers per entity and not the entity.
#[derive(Clone, Debug, Default)]
pub struct EntityCounts {
    list: Arc<EntityList>,
    /// Each row: its entity's place in the list and its documents; `None`: every entity of the
    /// list with its own count.
    rows: Option<Arc<Vec<(u32, u32)>>>,
}

/// A folder's merged entities, with what finding and sorting them by name need, made once
/// per list (folding 100,000 names on every keystroke would hold up the UI).
#[derive(Debug, Default, PartialEq)]
pub struct EntityList {
    pub entities: Vec<EntityCount>,
    /// Every entity's name, then its spellings, as a typed name is looked up (see
    /// [`crate::index::name_key`]: case, dots and accents folded), one per line; entity `i`'s are `folded[folded_at[i]..folded_at[i + 1]]`. One string, and
    /// kinds beside it, so that a pass over 100,000 entities reads memory in order.
    folded: String,
    folded_at: Vec<u32>,
    kinds: Vec<EntityKind>,
    /// Per entity: its place in the list sorted by folded name (ties: by place in the list).
    name_rank: Vec<u32>,
}

impl EntityList {
    /// The list with its names written by `fold_into` (the index passes
    /// [`crate::index::name_key_into`]).
    pub fn new(entities: Vec<EntityCount>, fold_into: impl Fn(&str, &mut String)) -> EntityList {
        let mut folded = String::new();
        let mut folded_at = Vec::with_capacity(entities.len() + 1);
        // Where each name ends (its spellings follow it).
        let mut name_end = Vec::with_capacity(entities.len());
        for e in &entities {
            folded_at.push(folded.len() as u32);
            fold_into(&e.key.text, &mut folded);
            name_end.push(folded.len());
            for v in e.variants.iter() {
                folded.push('\n');
                fold_into(&v.text, &mut folded);
            }
        }
        folded_at.push(folded.len() as u32);
        let name = |i: usize| &folded[folded_at[i] as usize..name_end[i]];
        let mut by_name: Vec<u32> = (0..entities.len() as u32).collect();
        by_name.sort_unstable_by(|&a, &b| name(a as usize).cmp(name(b as usize)).then(a.cmp(&b)));
        let mut name_rank = vec![0u32; entities.len()];
        for (rank, &i) in by_name.iter().enumerate() {
            name_rank[i as usize] = rank as u32;
        }
        let kinds = entities.iter().map(|e| e.key.kind).collect();
        EntityList { entities, folded, folded_at, kinds, name_rank }
    }

    /// The list `entities`, made from `prev` after one correction: `from[i]` is entity `i`'s
    /// place in `prev` if it is unchanged there, or `u32::MAX` if it is new or changed (its
    /// names are folded again by `fold_into`). Unchanged entities keep their order relative to
    /// each other, so their folded names are copied and their order by name is kept: the same
    /// list as [`EntityList::new`] makes, without folding and sorting 100,000 names again.
    pub fn derive(
        prev: &EntityList,
        entities: Vec<EntityCount>,
        from: &[u32],
        fold_into: impl Fn(&str, &mut String),
    ) -> EntityList {
        const CHANGED: u32 = u32::MAX;
        let mut folded = String::with_capacity(prev.folded.len());
        let mut folded_at = Vec::with_capacity(entities.len() + 1);
        let mut name_end = Vec::with_capacity(entities.len());
        let mut to_new = vec![CHANGED; prev.entities.len()];
        for (i, (e, &old)) in entities.iter().zip(from).enumerate() {
            folded_at.push(folded.len() as u32);
            if old == CHANGED {
                fold_into(&e.key.text, &mut folded);
                name_end.push(folded.len());
                for v in e.variants.iter() {
                    folded.push('\n');
                    fold_into(&v.text, &mut folded);
                }
            } else {
                to_new[old as usize] = i as u32;
                let names =
                    &prev.folded[prev.folded_at[old as usize] as usize..prev.folded_at[old as usize + 1] as usize];
                // A folded name is words and spaces: its spellings follow the first line break.
                name_end.push(folded.len() + names.find('\n').unwrap_or(names.len()));
                folded.push_str(names);
            }
        }
        folded_at.push(folded.len() as u32);
        let name = |i: u32| (&folded[folded_at[i as usize] as usize..name_end[i as usize]], i);
        // The unchanged in their order by name, the changed sorted, the two merged.
        let mut by_name_before = vec![0u32; prev.entities.len()];
        for (old, &rank) in prev.name_rank.iter().enumerate() {
            by_name_before[rank as usize] = old as u32;
        }
        let kept = by_name_before.into_iter().map(|old| to_new[old as usize]).filter(|&i| i != CHANGED).collect();
        let mut changed: Vec<u32> = (0..entities.len() as u32).filter(|&i| from[i as usize] == CHANGED).collect();
        changed.sort_unstable_by(|&a, &b| name(a).cmp(&name(b)));
        let mut name_rank = vec![0u32; entities.len()];
        for (rank, i) in insert_sorted(kept, &changed, |&a, &b| name(a) <= name(b)).into_iter().enumerate() {
            name_rank[i as usize] = rank as u32;
        }
        let kinds = entities.iter().map(|e| e.key.kind).collect();
        EntityList { entities, folded, folded_at, kinds, name_rank }
    }
}

/// A sorted list with a few more items put in their places (`few` sorted too; `le(a, b)`: `a`
/// goes first, and `list`'s items go first among equals), found by halving rather than by
/// comparing every item.
pub fn insert_sorted<T: Copy>(list: Vec<T>, few: &[T], le: impl Fn(&T, &T) -> bool) -> Vec<T> {
    let mut out = Vec::with_capacity(list.len() + few.len());
    let mut from = 0;
    for item in few {
        let at = from + list[from..].partition_point(|x| le(x, item));
        out.extend_from_slice(&list[from..at]);
        out.push(*item);
        from = at;
    }
    out.extend_from_slice(&list[from..]);
    out
}

impl EntityList {
    /// Entity `i`'s name, then its spellings, folded.
    pub fn folded_names(&self, i: usize) -> impl Iterator<Item = &str> {
        let (from, to) = (self.folded_at[i] as usize, self.folded_at[i + 1] as usize);
        self.folded[from..to].split('\n')
    }
}

impl std::ops::Deref for EntityList {
    type Target = [EntityCount];

    fn deref(&self) -> &[EntityCount] {
        &self.entities
    }
}

/// One row of [`EntityCounts`]: an entity and how many of the counted documents mention it
/// (its `documents` field is the folder's count).
#[derive(Clone, Copy, Debug)]
pub struct Counted<'a> {
    pub entity: &'a EntityCount,
    pub documents: u64,
    pub kind: EntityKind,
    /// Its name and spellings, folded, one per line.
    pub folded: &'a str,
    /// Its place among the folder's entities sorted by name.
    pub name_rank: u32,
}

impl Counted<'_> {
    /// Whether its name or a spelling contains `wanted` (folded).
    pub fn is_named_like(&self, wanted: &str) -> bool {
        wanted.is_empty() || self.folded.contains(wanted)
    }

    /// Whether its name contains `wanted` (folded).
    pub fn name_contains(&self, wanted: &str) -> bool {
        self.folded.split('\n').next().unwrap_or_default().contains(wanted)
    }
}

impl EntityCounts {
    /// Every entity of `list` with its own count, in its order.
    pub fn all(list: Arc<EntityList>) -> EntityCounts {
        EntityCounts { list, rows: None }
    }

    /// The entities of `list` at the places `rows` names, with the counts beside them.
    pub fn rows_of(list: Arc<EntityList>, rows: Vec<(u32, u32)>) -> EntityCounts {
        EntityCounts { list, rows: Some(Arc::new(rows)) }
    }

    pub fn len(&self) -> usize {
        self.rows.as_ref().map_or(self.list.entities.len(), |r| r.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<Counted<'_>> {
        let (at, documents) = match &self.rows {
            None => (i, None),
            Some(rows) => rows.get(i).map(|&(at, n)| (at as usize, Some(u64::from(n))))?,
        };
        let list = &*self.list;
        let entity = list.entities.get(at)?;
        Some(Counted {
            entity,
            documents: documents.unwrap_or(entity.documents),
            kind: list.kinds[at],
            folded: &list.folded[list.folded_at[at] as usize..list.folded_at[at + 1] as usize],
            name_rank: list.name_rank[at],
        })
    }

    pub fn iter(&self) -> impl Iterator<Item = Counted<'_>> {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The rows as entities of their own, each with its row's count (for exports).
    pub fn to_vec(&self) -> Vec<EntityCount> {
        self.iter().map(|c| EntityCount { documents: c.documents, ..c.entity.clone() }).collect()
    }
}
