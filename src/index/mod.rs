//! The document index: the only module that imports tantivy.
//!
//! One [`DocIndex`] per opened folder. Each document is keyed by its folder-relative path (`id`);
//! updating a document deletes the old version by that key and adds the new one. Everything the
//! document list needs (title, size, entity count) lives in fast fields, so listing 100k
//! documents never decompresses a body. Entities are stored twice: as a compact text list of
//! spans for highlighting, and as one raw term per distinct entity for filtering and counting.
//! Titles, authors and bodies are split into words by [`WordTokenizer`].

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, Count, DocSetCollector, SegmentCollector, TopDocs};
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query as TantivyQuery, RangeQuery, RegexQuery, TermQuery};
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer,
};
use tantivy::{
    DocAddress, DocId, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentOrdinal, TantivyDocument, Term,
};

mod cooccur;
mod query;
mod rank;
mod table;
mod timeline;

use table::{Base, EntityTable};

use crate::entities::curation::Curation;
use crate::model::{
    DocFormat, DocMeta, DocSummary, DocView, Entity, EntityCounts, EntityKey, EntityKind, EntityList, EntityStage,
    IndexStats, LoadedDoc, MergeReason, Query, SearchHit, SearchResults, TextFilters, Variant,
};
pub use cooccur::GRAPH_NEIGHBOURS;

/// The analyser of the indexed text: words, lower case, accents folded.
fn words_analyser() -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        // "François" is indexed as "francois": accents match either way (`=` asks for them).
        .filter(AsciiFoldingFilter)
        // And "Σωκράτης" as "σωκρατησ", which ASCII folding leaves as it is.
        .filter(MarksFolder)
        .build()
}

/// Folds what [`AsciiFoldingFilter`] does not, in words of other scripts: accents and other
/// combining marks go (Greek "ά" is "α", Cyrillic "ё" is "е"), and a Greek final sigma is a
/// sigma, since upper-case text lowers to one and lower-case text keeps the other.
#[derive(Clone)]
struct MarksFolder;

impl tantivy::tokenizer::TokenFilter for MarksFolder {
    type Tokenizer<T: Tokenizer> = MarksFolded<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> MarksFolded<T> {
        MarksFolded(tokenizer)
    }
}

#[derive(Clone)]
struct MarksFolded<T>(T);

impl<T: Tokenizer> Tokenizer for MarksFolded<T> {
    type TokenStream<'a> = MarksFoldedStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        MarksFoldedStream(self.0.token_stream(text))
    }
}

struct MarksFoldedStream<S>(S);

impl<S: TokenStream> TokenStream for MarksFoldedStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        let token = self.0.token_mut();
        if !token.text.is_ascii() {
            use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
            let folded: String = token
                .text
                .nfd()
                .filter(|&c| !is_combining_mark(c))
                .map(|c| if c == 'ς' { 'σ' } else { c })
                .nfc()
                .collect();
            token.text = folded;
        }
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

/// How an entity's name is looked up when typed (`person:Natasha`, the entity panel's find
/// box), written at the end of `out`: its spelling folded as spellings are compared
/// ([`crate::entities::identity::fold`]: no dots, one space), then its words as the search box
/// reads them (case and accents folded), so "natasha" finds "Natásha" there as it does in the
/// text.
pub fn name_key_into(name: &str, out: &mut String) {
    thread_local! {
        static FOLDED: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    FOLDED.with_borrow_mut(|folded| {
        folded.clear();
        crate::entities::identity::fold_into(name, folded);
        key_of_folded(folded, out);
    });
}

/// [`name_key_into`] of a spelling already folded.
fn key_of_folded(folded: &str, out: &mut String) {
    thread_local! {
        static ANALYSER: std::cell::RefCell<TextAnalyzer> = std::cell::RefCell::new(words_analyser());
    }
    if folded.is_ascii() {
        // What the analyser gives for ASCII, without its allocations (a folder's 150,000 names
        // are keyed with each correction): runs of letters and digits, already lower case,
        // those of 40 bytes or more left out as `RemoveLongFilter` does.
        let words = folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty() && w.len() < 40);
        for (i, word) in words.enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(word);
        }
        return;
    }
    ANALYSER.with_borrow_mut(|analyser| {
        let mut stream = analyser.token_stream(folded);
        let mut first = true;
        while stream.advance() {
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(&stream.token().text);
        }
    });
}

/// [`name_key_into`], as a string of its own.
pub fn name_key(name: &str) -> String {
    let mut out = String::new();
    name_key_into(name, &mut out);
    out
}

/// Errors from the index, with tantivy's own message.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("this folder is being indexed by another Dossier window or command")]
    Locked,
    #[error("index data is damaged: {0}")]
    Corrupt(String),
    #[error("cannot read or write the index files: {0}")]
    Io(#[from] std::io::Error),
    #[error("no loader thread could be started: {0}")]
    Threads(std::io::Error),
}

pub type Result<T> = std::result::Result<T, IndexError>;

#[derive(Clone, Copy, Debug)]
struct Fields {
    id: Field,
    file: Field,
    parent: Field,
    folder: Field,
    format: Field,
    title: Field,
    title_sort: Field,
    author: Field,
    body: Field,
    size: Field,
    file_size: Field,
    file_mtime: Field,
    created: Field,
    modified: Field,
    page_count: Field,
    truncated: Field,
    meta_json: Field,
    entity: Field,
    entity_variant: Field,
    entity_count: Field,
    entity_spans: Field,
    language: Field,
    days: Field,
    undated: Field,
    digest: Field,
    entity_stage: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_text_field("id", STRING | STORED | FAST),
        // The file a document came from: several documents share one for a mailbox or a
        // message with attachments. Re-indexing or removing a file goes by this key.
        file: b.add_text_field("file", STRING | STORED | FAST),
        parent: b.add_text_field("parent", STRING | STORED),
        // Every folder above the file (`a`, `a/b`), so one term finds a whole subtree.
        folder: b.add_text_field("folder", STRING),
        format: b.add_text_field("format", STRING | STORED | FAST),
        title: b.add_text_field("title", words() | STORED),
        title_sort: b.add_text_field("title_sort", TextOptions::default().set_fast("raw")),
        author: b.add_text_field("author", words() | STORED),
        body: b.add_text_field("body", words() | STORED),
        size: b.add_u64_field("size", FAST | STORED),
        file_size: b.add_u64_field("file_size", FAST),
        file_mtime: b.add_i64_field("file_mtime", FAST),
        created: b.add_i64_field("created", FAST | STORED),
        modified: b.add_i64_field("modified", FAST | STORED),
        page_count: b.add_u64_field("page_count", FAST | STORED),
        truncated: b.add_u64_field("truncated", FAST),
        meta_json: b.add_text_field("meta_json", STORED),
        // One term per distinct entity of the document: its key after `identity::resolve`.
        entity: b.add_text_field("entity", STRING | FAST),
        // One term per distinct spelling of each: key, why, spelling (see `variant_term`).
        entity_variant: b.add_text_field("entity_variant", STRING | FAST),
        entity_count: b.add_u64_field("entity_count", FAST | STORED | INDEXED),
        entity_spans: b.add_text_field("entity_spans", STORED),
        language: b.add_text_field("language", STRING | STORED | FAST),
        // The distinct days its DATE mentions fall on (`normalize::calendar_day`), for the
        // timeline and `date:` filters, and how many mentions had no such day.
        days: b.add_i64_field("days", FAST),
        undated: b.add_u64_field("undated", FAST),
        // The same title and text have the same digest (`rank::digest`): exact copies are one
        // hit and count once.
        digest: b.add_u64_field(rank::DIGEST, FAST | INDEXED),
        // Whether its entities were looked for yet ([`EntityStage`]): text is indexed first, and
        // entities are found later by replacing the document (see `crate::pipeline`).
        entity_stage: b.add_u64_field("entity_stage", FAST | INDEXED),
    };
    (b.build(), fields)
}

/// The analyser of titles, authors and bodies ([`WordTokenizer`], lower-cased, accents folded).
const WORDS: &str = "words";

/// Text indexed with positions by the [`WORDS`] analyser.
fn words() -> TextOptions {
    let indexing =
        TextFieldIndexing::default().set_tokenizer(WORDS).set_index_option(IndexRecordOption::WithFreqsAndPositions);
    TextOptions::default().set_indexing_options(indexing)
}

/// Splits text into words: runs of letters and digits (with the combining marks inside them),
/// except that each Chinese character, kana and CJK symbol is a word of its own. Those scripts
/// do not separate words with spaces, so one token per character lets a query such as `東京`
/// match as a phrase of its characters inside `東京都`, where a whole-run token never would.
#[derive(Clone, Default)]
pub(crate) struct WordTokenizer {
    token: Token,
}

pub(crate) struct WordStream<'a> {
    text: &'a str,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    token: &'a mut Token,
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordStream<'a>;
    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordStream<'a> {
        self.token.reset();
        WordStream { text, chars: text.char_indices().peekable(), token: &mut self.token }
    }
}

/// Chinese characters, kana and the CJK symbol blocks: one token each.
fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF // hiragana, katakana
        | 0x3400..=0x4DBF // CJK extension A
        | 0x4E00..=0x9FFF // CJK unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0x20000..=0x3134F) // extensions B–G
}

/// A combining mark that `char::is_alphanumeric` does not count (accents written as separate
/// code points, as in decomposed text): it belongs to the word before it.
fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F)
}

impl TokenStream for WordStream<'_> {
    fn advance(&mut self) -> bool {
        self.token.text.clear();
        self.token.position = self.token.position.wrapping_add(1);
        while let Some((start, c)) = self.chars.next() {
            if !c.is_alphanumeric() {
                continue;
            }
            let mut end = start + c.len_utf8();
            if !is_cjk(c) {
                while let Some(&(i, next)) = self.chars.peek() {
                    if !(next.is_alphanumeric() || is_combining(next)) || is_cjk(next) {
                        break;
                    }
                    end = i + next.len_utf8();
                    self.chars.next();
                }
            }
            self.token.offset_from = start;
            self.token.offset_to = end;
            // Combining accents are left out of the word, as the folding filter drops the
            // accents of precomposed letters: "e\u{301}te" and "été" are both "ete".
            self.token.text.extend(self.text[start..end].chars().filter(|c| !is_combining(*c)));
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Snippet length in characters.
const SNIPPET_CHARS: usize = 180;

/// A query as the index runs it: what to ask tantivy, what to check in the text of what it
/// finds, what to mark, and what was not understood.
struct Compiled {
    query: Box<dyn TantivyQuery>,
    checks: Vec<query::Check>,
    marks: query::Marks,
    warnings: Vec<String>,
    has_text: bool,
}

/// Nanoseconds in a day (the `created` and `modified` fields count nanoseconds).
const DAY_NS: i64 = 86_400_000_000_000;

/// How long the documents a query finds may be read to check an exact spelling or a pattern.
const CHECK_BUDGET: std::time::Duration = std::time::Duration::from_millis(1500);

/// An open index and its reader. Cheap to clone; clones share the same files and caches.
#[derive(Clone)]
pub struct DocIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    rebuilt: Option<String>,
    /// The folder's merged entities for one reader generation: counting them reads every
    /// document's terms, and filters need them on every search.
    entities: EntityCache,
    /// The merged entities before the user's corrections, per reader generation: a correction
    /// re-applies the corrections to these instead of reading every term again.
    merged: MergedCache,
    /// The user's corrections, applied to the merged entities, with a version that changes
    /// with them (it is part of the cache's key).
    curation: Arc<Mutex<(u64, Curation)>>,
    /// Each document's place in the order of hits, and its copies, per reader generation.
    order: Cached<u64, rank::DocOrder>,
    /// The last search that read documents to check a spelling or pattern, with what it kept,
    /// so that its later windows of hits do not read them again.
    checked: Cached<((u64, u64), Query), Checked>,
    /// The documents the last search matched (one of each set of copies), for its counts and
    /// timeline: they need not run the query again.
    matched: Cached<((u64, u64), Query), BySegment>,
}

/// The hits a search kept after checking their text, in order, and how many it read of how many.
struct Checked {
    kept: Vec<rank::Ranked>,
    read: usize,
    candidates: usize,
    folded: usize,
}

/// A value shared by clones of the index, with the key it was made for.
type Cached<K, T> = Arc<Mutex<Option<(K, Arc<T>)>>>;

/// The merged entities of one reader generation, before corrections, and each segment's
/// decoded entity terms they were counted from.
type MergedCache = Cached<u64, Base>;

/// The merged entities of one reader generation under the last sets of corrections (newest
/// first, at most [`TABLES_KEPT`]): undoing a correction finds its table made.
type EntityCache = Arc<Mutex<Vec<((u64, Curation), Arc<EntityTable>)>>>;

/// Entity tables kept per reader generation: the current corrections' and the one before.
const TABLES_KEPT: usize = 2;

/// The most corrections a table is derived through (each costs a fraction of a whole build).
const DERIVED_AT_MOST: usize = 4;

/// A document whose entities are to be found: [`DocIndex::entities_to_find`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToFind {
    pub id: String,
    pub file: String,
    pub size_bytes: u64,
}

/// What a folder's index knew about one file when it was last indexed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileStamp {
    pub size_bytes: u64,
    pub mtime_ns: i64,
}

impl DocIndex {
    /// Opens the index in `dir`, creating it (and the folder, private to the user) if there is
    /// none yet. An index that cannot be opened (damaged files, another schema) is moved aside
    /// to `dir.damaged-TIME` and a new one is made; [`DocIndex::rebuilt`] then says so.
    pub fn open_or_create(dir: &Path) -> Result<DocIndex> {
        match Self::open_in(dir) {
            Err(e) if dir.join("meta.json").exists() => {
                let secs =
                    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
                let aside = (0..)
                    .map(|n| {
                        let mut name = dir.as_os_str().to_owned();
                        name.push(format!(".damaged-{secs}-{n}"));
                        std::path::PathBuf::from(name)
                    })
                    .find(|p| !p.exists())
                    .unwrap_or_default();
                std::fs::rename(dir, &aside).map_err(IndexError::Io)?;
                log::warn!("the index in {} could not be opened ({e}); moved to {}", dir.display(), aside.display());
                let mut index = Self::open_in(dir)?;
                index.rebuilt =
                    Some(format!("the index could not be opened ({e}); it was moved aside and is being rebuilt"));
                Ok(index)
            }
            other => other,
        }
    }

    /// Why the index was rebuilt from scratch when it was opened, if it was.
    pub fn rebuilt(&self) -> Option<&str> {
        self.rebuilt.as_deref()
    }

    fn open_in(dir: &Path) -> Result<DocIndex> {
        crate::store::create_private_dir(dir)?;
        let (schema, fields) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        let index = Index::open_or_create(directory, schema)?;
        index.tokenizers().register(WORDS, words_analyser());
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        Ok(DocIndex {
            index,
            reader,
            fields,
            rebuilt: None,
            entities: Arc::default(),
            merged: Arc::default(),
            curation: Arc::default(),
            order: Arc::default(),
            checked: Arc::default(),
            matched: Arc::default(),
        })
    }

    /// Takes the index's single writer. Fails with [`IndexError::Locked`] while another process
    /// (or a not yet finished earlier session) holds it.
    pub fn writer(&self) -> Result<DocWriter> {
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
        match self.index.writer_with_num_threads(threads, threads * 48_000_000) {
            Ok(writer) => {
                // Finding entities replaces every document once, so every segment written by the
                // text stage ends up deleted: segments more than a third deleted are merged, which
                // keeps the index near the size of one copy (tantivy's default never merges for
                // deletes alone).
                let mut policy = tantivy::indexer::LogMergePolicy::default();
                policy.set_del_docs_ratio_before_merge(0.33);
                writer.set_merge_policy(Box::new(policy));
                Ok(DocWriter { writer, fields: self.fields })
            }
            Err(tantivy::TantivyError::LockFailure(..)) => Err(IndexError::Locked),
            Err(e) => Err(e.into()),
        }
    }

    /// Picks up the latest commit. Cheap when nothing changed.
    pub fn reload(&self) -> Result<()> {
        Ok(self.reader.reload()?)
    }

    fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Size and mtime of every indexed file, by its relative path.
    pub fn manifest(&self) -> Result<HashMap<String, FileStamp>> {
        let mut out = HashMap::new();
        for seg in self.searcher().segment_readers() {
            let ff = seg.fast_fields();
            let ids = all_strs(ff.str("file")?)?;
            let (sizes, mtimes) = (ff.u64("file_size")?, ff.i64("file_mtime")?);
            for doc in alive_docs(seg) {
                if let Some(id) = ids.first_of(doc) {
                    let stamp = FileStamp {
                        size_bytes: sizes.first(doc).unwrap_or(0),
                        mtime_ns: mtimes.first(doc).unwrap_or(0),
                    };
                    out.insert(id.to_owned(), stamp);
                }
            }
        }
        Ok(out)
    }

    /// The documents whose entities are still to be found (with `given_up`, also those where
    /// finding them failed; with `outdated`, also those an earlier recogniser found them in),
    /// sorted by id, with their size in bytes.
    pub fn entities_to_find(&self, given_up: bool, outdated: bool) -> Result<Vec<ToFind>> {
        let mut codes = vec![EntityStage::Pending.code()];
        if given_up {
            codes.push(EntityStage::GivenUp.code());
        }
        if outdated {
            codes.extend(EntityStage::outdated_codes());
        }
        let query =
            BooleanQuery::new(codes.iter().map(|&code| (Occur::Should, stage_code_query(self.fields, code))).collect());
        let searcher = self.searcher();
        let docs = searcher.search(&query, &SegmentDocs)?;
        let mut out = Vec::new();
        for (seg, docs) in docs.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
            let ff = searcher.segment_readers()[seg].fast_fields();
            let (ids, files, sizes) = (all_strs(ff.str("id")?)?, all_strs(ff.str("file")?)?, ff.u64("size")?);
            for &doc in docs {
                if let (Some(id), Some(file)) = (ids.first_of(doc), files.first_of(doc)) {
                    let size_bytes = sizes.first(doc).unwrap_or(0);
                    out.push(ToFind { id: id.to_owned(), file: file.to_owned(), size_bytes });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Document `id` of `file` as it was indexed (its text, title and metadata), to find its
    /// entities; `None` if it is gone.
    pub fn stored_doc(&self, id: &str, file: &str) -> Result<Option<LoadedDoc>> {
        let searcher = self.searcher();
        let found = searcher.search(&*this_doc(self.fields, id, file), &TopDocs::with_limit(1).order_by_score())?;
        let Some(&(_, addr)) = found.first() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(addr)?;
        let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
        Ok(Some(LoadedDoc {
            id: id.to_owned(),
            file: file.to_owned(),
            parent: text_of(&doc, self.fields.parent).to_owned(),
            title: text_of(&doc, self.fields.title).to_owned(),
            text: text_of(&doc, self.fields.body).to_owned(),
            meta: self.meta_of(&doc, id)?,
            file_size: ff.u64("file_size")?.first(addr.doc_id).unwrap_or(0),
            file_mtime_ns: ff.i64("file_mtime")?.first(addr.doc_id).unwrap_or(0),
            language: text_of(&doc, self.fields.language).to_owned(),
        }))
    }

    /// Every indexed document, sorted by id.
    pub fn list_docs(&self) -> Result<Vec<DocSummary>> {
        let mut out = Vec::new();
        for seg in self.searcher().segment_readers() {
            let ff = seg.fast_fields();
            let ids = all_strs(ff.str("id")?)?;
            let titles = all_strs(ff.str("title_sort")?)?;
            let languages = all_strs(ff.str("language")?)?;
            let formats = all_strs(ff.str("format")?)?;
            let (sizes, counts, truncated) = (ff.u64("size")?, ff.u64("entity_count")?, ff.u64("truncated")?);
            let stages = ff.u64("entity_stage")?;
            for doc in alive_docs(seg) {
                if let Some(id) = ids.first_of(doc) {
                    out.push(DocSummary {
                        entities_pending: stages.first(doc) == Some(EntityStage::Pending.code()),
                        title: titles.first_of(doc).unwrap_or(id).to_owned(),
                        id: id.to_owned(),
                        size_bytes: sizes.first(doc).unwrap_or(0),
                        entity_count: counts.first(doc).unwrap_or(0),
                        language: languages.first_of(doc).unwrap_or_default().to_owned(),
                        format: formats.first_of(doc).and_then(DocFormat::from_stored).unwrap_or_default(),
                        truncated: truncated.first(doc).unwrap_or(0) != 0,
                    });
                }
            }
        }
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Number of live documents.
    pub fn num_docs(&self) -> u64 {
        self.searcher().num_docs()
    }

    /// Folders holding indexed files and how many documents each holds (with subfolders),
    /// and the formats with their document counts; both sorted by name.
    pub fn facets(&self) -> Result<Facets> {
        let mut formats: HashMap<DocFormat, u64> = HashMap::new();
        let mut folders: HashMap<String, u64> = HashMap::new();
        for seg in self.searcher().segment_readers() {
            let ff = seg.fast_fields();
            let files = all_strs(ff.str("file")?)?;
            let format_terms = all_strs(ff.str("format")?)?;
            for doc in alive_docs(seg) {
                if let Some(format) = format_terms.first_of(doc).and_then(DocFormat::from_stored) {
                    *formats.entry(format).or_default() += 1;
                }
                if let Some(file) = files.first_of(doc) {
                    for folder in ancestors(file) {
                        *folders.entry(folder.to_owned()).or_default() += 1;
                    }
                }
            }
        }
        let mut formats: Vec<(DocFormat, u64)> = formats.into_iter().collect();
        formats.sort();
        let mut folders: Vec<(String, u64)> = folders.into_iter().collect();
        folders.sort();
        Ok(Facets { formats, folders })
    }

    fn parse(&self, query: &Query) -> Compiled {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut warnings = Vec::new();
        let filters = query.parse_text();
        let has_text = !filters.words.trim().is_empty();
        let (mut checks, mut marks) = (Vec::new(), query::Marks::default());
        if has_text {
            let (words, cut) = crate::model::bound_query(&filters.words);
            warnings.extend(cut);
            let analyse = |text: &str| self.analyse(text).into_iter().map(|(t, _)| t).collect::<Vec<String>>();
            let fields = query::Fields { title: self.fields.title, body: self.fields.body, analyse: &analyse };
            let parsed = query::parse(&words, &fields);
            warnings.extend(parsed.warnings);
            (checks, marks) = (parsed.checks, parsed.marks);
            clauses.push((Occur::Must, parsed.query));
        }
        for members in self.entity_filters(query, &filters, &mut warnings) {
            // Any of the keys merged into the entity.
            clauses.push((Occur::Must, any_term(self.fields.entity, members.iter().map(EntityKey::encode))));
        }
        // Formats: the picked ones and those typed (`type:pdf`) must all allow a document.
        let mut typed = Vec::new();
        for name in &filters.formats {
            match DocFormat::named(name) {
                Some(format) => typed.push(format),
                None => {
                    let known: Vec<&str> = DocFormat::ALL.iter().map(|f| f.as_str()).collect();
                    warnings.push(format!("unknown type {name:?} (known: {})", known.join(", ")));
                }
            }
        }
        for known in [&query.formats, &typed].into_iter().filter(|k| !k.is_empty()) {
            clauses.push((Occur::Must, any_term(self.fields.format, known.iter().map(|f| f.as_str().to_owned()))));
        }
        for folder in std::iter::once(query.folder.trim_matches('/')).chain(filters.folders.iter().map(String::as_str))
        {
            if !folder.is_empty() {
                let term = Term::from_field_text(self.fields.folder, folder);
                clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
            }
        }
        for author in &filters.authors {
            let words: Vec<String> = self.analyse(author).into_iter().map(|(t, _)| t).collect();
            for word in words {
                let term = Term::from_field_text(self.fields.author, &word);
                clauses.push((Occur::Must, Box::new(TermQuery::new(term, IndexRecordOption::Basic))));
            }
        }
        for spec in &filters.dates {
            match crate::entities::normalize::day_range(spec) {
                Some(range) => clauses.push((Occur::Must, self.dated_between(range))),
                None => warnings.push(format!(
                    "date:{spec} is not a date; write date:2022, date:2022-07, date:2022-07-15 or date:[2022-01 TO 2022-06]"
                )),
            }
        }
        for path in &filters.paths {
            // Any document whose path holds the text (ids are paths).
            let pattern = format!(".*{}.*", regex::escape(path));
            match RegexQuery::from_pattern(&pattern, self.fields.id) {
                Ok(q) => clauses.push((Occur::Must, Box::new(q))),
                Err(e) => warnings.push(format!("path:{path} cannot be searched ({e})")),
            }
        }
        if clauses.is_empty() || !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
            clauses.push((Occur::Must, Box::new(AllQuery)));
        }
        Compiled { query: Box::new(BooleanQuery::new(clauses)), checks, marks, warnings, has_text }
    }

    /// Documents written within the inclusive range of days `(from, to)` or mentioning a day in it.
    fn dated_between(&self, (from, to): (i64, i64)) -> Box<dyn TantivyQuery> {
        use std::ops::Bound::Included;
        let mentioned = RangeQuery::new(
            Included(Term::from_field_i64(self.fields.days, from)),
            Included(Term::from_field_i64(self.fields.days, to)),
        );
        let written = RangeQuery::new(
            Included(Term::from_field_i64(self.fields.created, from.saturating_mul(DAY_NS))),
            Included(Term::from_field_i64(self.fields.created, to.saturating_add(1).saturating_mul(DAY_NS) - 1)),
        );
        Box::new(BooleanQuery::new(vec![(Occur::Should, Box::new(mentioned)), (Occur::Should, Box::new(written))]))
    }

    /// For each entity filter, picked or typed (`person:Lavrov`: every entity of that kind with
    /// that name or spelling, in any case), the per-document keys a document may hold.
    fn entity_filters(&self, query: &Query, filters: &TextFilters, warnings: &mut Vec<String>) -> Vec<Vec<EntityKey>> {
        let mut out: Vec<Vec<EntityKey>> = query.entities.iter().map(|key| self.entity_members(key)).collect();
        for (kind, name) in &filters.entities {
            let members = self.entities_named(*kind, name);
            if members.is_empty() {
                warnings.push(format!("no {} named {name:?} in this folder", kind.display_name().to_lowercase()));
            }
            out.push(members);
        }
        out
    }

    /// The best hits for `query`, at most `limit`, with snippets (see [`DocIndex::search_page`]).
    pub fn search(&self, query: &Query, limit: usize) -> Result<SearchResults> {
        self.search_page(query, 0, limit)
    }

    /// The hits for `query` from `offset` in its sort order, at most `limit`, with snippets,
    /// and how many there are. The order is total (ties by path), so windows asked for apart
    /// fit together; exact copies are one hit that lists the others.
    pub fn search_page(&self, query: &Query, offset: usize, limit: usize) -> Result<SearchResults> {
        let searcher = self.searcher();
        // Taken before parsing: an entity filter follows the corrections of that moment.
        let matched_key = self.matched_key(&searcher, query, false);
        let Compiled { query: parsed, checks, marks, mut warnings, has_text } = self.parse(query);
        let order = self.doc_order(&searcher)?;
        let (window, total, copies) = if checks.is_empty() {
            let ranking = rank::Ranking::new(query.sort, offset, limit, order.clone());
            let ranks = if offset == 0 {
                // The documents matched are kept from the same pass, for the counts asked next
                // (the later windows of the same search have them already).
                let (ranks, mut docs) = searcher.search(parsed.as_ref(), &(ranking, SegmentDocs))?;
                order.keep_distinct(&mut docs);
                *self.matched.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some((matched_key, Arc::new(docs)));
                ranks
            } else {
                searcher.search(parsed.as_ref(), &ranking)?
            };
            (ranks.hits, ranks.total, ranks.folded)
        } else {
            let checked = self.checked(&searcher, query, parsed.as_ref(), &checks, order)?;
            if checked.read < checked.candidates {
                let written: Vec<&str> = checks.iter().map(|c| c.written.as_str()).collect();
                warnings.push(format!(
                    "{} was checked in the first {} of {} documents before time ran out; \
                     add words to narrow the search",
                    written.join(" and "),
                    checked.read,
                    checked.candidates
                ));
            }
            let window = checked.kept.iter().skip(offset).take(limit).cloned().collect();
            (window, checked.kept.len(), checked.folded)
        };

        let hits = self.hits_of(&searcher, parsed.as_ref(), &marks, has_text, window)?;
        Ok(SearchResults { total, hits, warnings, copies })
    }

    /// The hits of `window` (ranked by `searcher`'s view of `parsed`) as the list shows them:
    /// title, snippet around their matches of `marks`, copies.
    fn hits_of(
        &self,
        searcher: &Searcher,
        parsed: &dyn TantivyQuery,
        marks: &query::Marks,
        has_text: bool,
        window: Vec<rank::Ranked>,
    ) -> Result<Vec<SearchHit>> {
        let mut snippets = SnippetGenerator::create(searcher, parsed, self.fields.body)?;
        snippets.set_max_num_chars(SNIPPET_CHARS);
        // tantivy's snippets know plain terms only: a query of patterns, prefixes or fuzzy words
        // alone gets its snippet around its first match, without the text tokenized twice.
        let mut plain_terms = false;
        parsed.query_terms(&mut |term, _| plain_terms |= term.field() == self.fields.body);
        let mut hits = Vec::with_capacity(window.len());
        for ranked in window {
            let doc: TantivyDocument = searcher.doc(ranked.addr)?;
            let id = text_of(&doc, self.fields.id).to_owned();
            let body = text_of(&doc, self.fields.body);
            let meta = self.meta_of(&doc, &id)?;
            let ranges = self.match_ranges(marks, body);
            let page = ranges.first().and_then(|r| meta.page_at(r.start));
            let tantivy_snippet = if has_text && plain_terms {
                let s = snippets.snippet(body);
                // One line: breaks become spaces (same byte length, so the ranges still fit).
                let fragment = s.fragment().replace(['\n', '\r', '\t'], " ");
                (!fragment.is_empty()).then(|| (fragment, s.highlighted().to_vec()))
            } else {
                None
            };
            let (snippet, snippet_ranges) = match (tantivy_snippet, ranges.first()) {
                (Some(found), _) => found,
                // What tantivy cannot list (a word's start, a fuzzy word, a pattern): around the
                // first match.
                (None, Some(first)) if has_text => snippet_around(body, first.start, &ranges),
                (None, _) => (lead(body), Vec::new()),
            };
            hits.push(SearchHit {
                title: text_of(&doc, self.fields.title).to_owned(),
                match_count: has_text.then_some(ranges.len()),
                id,
                score: ranked.score,
                snippet,
                snippet_ranges,
                format: meta.format,
                page,
                copies: ids_of(searcher, &by_segment(&ranked.copies))?,
            });
        }
        Ok(hits)
    }

    /// Where each document of `searcher`'s generation stands in the order of hits, and which
    /// are copies of another, read once per generation.
    fn doc_order(&self, searcher: &Searcher) -> Result<Arc<rank::DocOrder>> {
        let generation = view_of(searcher);
        let mut cache = self.order.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, order)) = cache.as_ref()
            && *g == generation
        {
            return Ok(order.clone());
        }
        let order = Arc::new(rank::DocOrder::of(searcher)?);
        *cache = Some((generation, order.clone()));
        Ok(order)
    }

    /// Every hit of `parsed` whose title or text passes `checks`, in `query`'s order, read until
    /// [`CHECK_BUDGET`] runs out (at least one is read); the last such search is kept, so its
    /// later windows are not read again.
    fn checked(
        &self,
        searcher: &Searcher,
        query: &Query,
        parsed: &dyn TantivyQuery,
        checks: &[query::Check],
        order: Arc<rank::DocOrder>,
    ) -> Result<Arc<Checked>> {
        let generation = self.view_and_corrections(searcher);
        if let Some(((g, q), checked)) = self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref()
            && *g == generation
            && q == query
        {
            return Ok(checked.clone());
        }
        let all = searcher.search(parsed, &rank::Ranking::new(query.sort, 0, usize::MAX, order))?;
        let candidates = all.hits.len();
        let started = std::time::Instant::now();
        let mut kept = Vec::new();
        let mut read = 0;
        let mut folded = 0;
        for hit in all.hits {
            if read > 0 && started.elapsed() > CHECK_BUDGET {
                break;
            }
            read += 1;
            let doc: TantivyDocument = searcher.doc(hit.addr)?;
            let (body, title) = (text_of(&doc, self.fields.body), text_of(&doc, self.fields.title));
            if checks.iter().all(|c| (c.regex.is_match(body) || c.regex.is_match(title)) != c.negated) {
                folded += hit.copies.len();
                kept.push(hit);
            }
        }
        let checked = Arc::new(Checked { kept, read, candidates, folded });
        *self.checked.lock().unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(((generation, query.clone()), checked.clone()));
        Ok(checked)
    }

    fn analyse(&self, text: &str) -> Vec<(String, Range<usize>)> {
        let Ok(mut analyzer) = self.index.tokenizer_for_field(self.fields.body) else { return Vec::new() };
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let token = stream.token();
            out.push((token.text.clone(), token.offset_from..token.offset_to));
        }
        out
    }

    /// Byte ranges in `text` of what `marks` marks, in order and not overlapping.
    fn match_ranges(&self, marks: &query::Marks, text: &str) -> Vec<Range<usize>> {
        if marks.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let by_token = !(marks.words.is_empty()
            && marks.phrases.is_empty()
            && marks.prefixes.is_empty()
            && marks.fuzzy.is_empty());
        let tokens = if by_token { self.analyse(text) } else { Vec::new() };
        let mut i = 0;
        while i < tokens.len() {
            let phrase = marks
                .phrases
                .iter()
                .find(|p| tokens.len() - i >= p.len() && p.iter().zip(&tokens[i..]).all(|(w, (t, _))| w == t));
            if let Some(p) = phrase {
                out.push(tokens[i].1.start..tokens[i + p.len() - 1].1.end);
                i += p.len();
                continue;
            }
            if marks.marks_token(&tokens[i].0) {
                out.push(tokens[i].1.clone());
            }
            i += 1;
        }
        for pattern in &marks.patterns {
            out.extend(pattern.find_iter(text).filter(|m| !m.is_empty()).take(MAX_PATTERN_MATCHES).map(|m| m.range()));
        }
        out.sort_by_key(|r| (r.start, std::cmp::Reverse(r.end)));
        let mut end = 0;
        out.retain(|r| {
            let keep = r.start >= end;
            end = end.max(r.end);
            keep
        });
        out
    }

    /// The stored document `id`, with the ranges that `query`'s words match in it.
    pub fn doc_view(&self, id: &str, query: &Query) -> Result<Option<DocView>> {
        let searcher = self.searcher();
        let term = Term::from_field_text(self.fields.id, id);
        let found = searcher
            .search(&TermQuery::new(term, IndexRecordOption::Basic), &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = found.first() else { return Ok(None) };
        let doc: TantivyDocument = searcher.doc(*addr)?;
        let text = text_of(&doc, self.fields.body).to_owned();
        let mut entities = decode_spans(text_of(&doc, self.fields.entity_spans))
            .ok_or_else(|| IndexError::Corrupt(format!("entities of {id}")))?;
        let table = self.merged_entities()?;
        // Each written form is resolved once and each distinct key looked up once: a 20 MB book
        // has 180,000 mentions of a few thousand entities.
        let resolved = crate::entities::identity::resolve_each(&text, &entities);
        // What the user hid as junk is not highlighted either.
        let shown = |key: &EntityKey| !table.is_hidden(key);
        let mut keys: Vec<EntityKey> =
            resolved.identities.iter().map(|i| &i.key).filter(|k| shown(k)).cloned().collect();
        keys.sort();
        keys.dedup();
        // Each mention's entity as a place in the list, so the view need not resolve them again.
        let place: Vec<Option<u32>> = resolved
            .identities
            .iter()
            .map(|i| shown(&i.key).then(|| keys.binary_search(&i.key).map_or(u32::MAX, |k| k as u32)))
            .collect();
        let mut mention_keys = Vec::with_capacity(entities.len());
        let mut kept = resolved.of_mention.iter().map(|&i| place[i as usize]);
        entities.retain(|_| match kept.next().flatten() {
            Some(k) => {
                mention_keys.push(k);
                true
            }
            None => false,
        });
        let mut entity_doc_counts = Vec::with_capacity(keys.len());
        for key in keys {
            // The folder's count of the entity it was merged into.
            let n = match table.group_of(&key).and_then(|g| table.list.get(g)) {
                Some(group) => group.documents,
                None => {
                    let term = Term::from_field_text(self.fields.entity, &key.encode());
                    searcher.search(&TermQuery::new(term, IndexRecordOption::Basic), &Count)? as u64
                }
            };
            entity_doc_counts.push((key, n));
        }
        let query_ranges = self.match_ranges(&self.parse(query).marks, &text);
        let meta = self.meta_of(&doc, id)?;
        let mut attachments = Vec::new();
        let children = TermQuery::new(Term::from_field_text(self.fields.parent, id), IndexRecordOption::Basic);
        for (_, addr) in searcher.search(&children, &TopDocs::with_limit(10_000).order_by_score())? {
            let child: TantivyDocument = searcher.doc(addr)?;
            let child_id = text_of(&child, self.fields.id).to_owned();
            attachments.push((child_id, text_of(&child, self.fields.title).to_owned()));
        }
        attachments.sort();
        let mut copies = Vec::new();
        if let Some(digest) =
            searcher.segment_reader(addr.segment_ord).fast_fields().u64(rank::DIGEST)?.first(addr.doc_id)
        {
            let same = TermQuery::new(Term::from_field_u64(self.fields.digest, digest), IndexRecordOption::Basic);
            let others: Vec<DocAddress> = searcher.search(&same, &DocSetCollector)?.into_iter().collect();
            copies = ids_of(&searcher, &by_segment(&others))?;
            copies.retain(|other| other != id);
        }
        Ok(Some(DocView {
            id: id.to_owned(),
            title: text_of(&doc, self.fields.title).to_owned(),
            language: text_of(&doc, self.fields.language).to_owned(),
            text,
            entities,
            entity_doc_counts,
            mention_keys,
            query_ranges,
            file: text_of(&doc, self.fields.file).to_owned(),
            parent: text_of(&doc, self.fields.parent).to_owned(),
            meta,
            attachments,
            copies,
            entities_pending: searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("entity_stage")?
                .first(addr.doc_id)
                .is_some_and(|stage| stage == EntityStage::Pending.code()),
        }))
    }

    fn meta_of(&self, doc: &TantivyDocument, id: &str) -> Result<DocMeta> {
        serde_json::from_str(text_of(doc, self.fields.meta_json))
            .map_err(|e| IndexError::Corrupt(format!("metadata of {id}: {e}")))
    }

    /// How many live documents mention each entity, most mentioned first (shared, not copied:
    /// a folder may have 100,000 entities).
    pub fn entity_counts(&self) -> Result<Arc<EntityList>> {
        Ok(self.merged_entities()?.list.clone())
    }

    /// The folder's entities after merging (see [`crate::entities::identity::merge`]), computed
    /// once per reader generation.
    fn merged_entities(&self) -> Result<Arc<EntityTable>> {
        let searcher = self.searcher();
        let curation = self.curation.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone();
        let view = view_of(&searcher);
        let mut cache = self.entities.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.retain(|((v, _), _)| *v == view);
        if let Some(i) = cache.iter().position(|((_, c), _)| *c == curation.1) {
            let hit = cache.remove(i);
            let table = hit.1.clone();
            cache.insert(0, hit);
            return Ok(table);
        }
        let base = self.merged_before_corrections(&searcher)?;
        let count = |keys: &[EntityKey]| self.documents_holding(&searcher, keys);
        // A few corrections more than a table made (the user's latest, or the few made while
        // it was being made): derived from it, one at a time.
        let rules = &curation.1.rules;
        let made = (cache.iter())
            .filter(|((_, c), t)| t.made_from(&base) && rules.starts_with(&c.rules))
            .max_by_key(|((_, c), _)| c.rules.len())
            .filter(|((_, c), _)| (1..=DERIVED_AT_MOST).contains(&(rules.len() - c.rules.len())));
        let table = Arc::new(match made {
            Some(((_, c), made)) => {
                let mut table = made.derive(&rules[c.rules.len()], count);
                for rule in &rules[c.rules.len() + 1..] {
                    table = table.derive(rule, count);
                }
                table
            }
            None => EntityTable::build(searcher.clone(), base, &curation.1, count),
        });
        cache.insert(0, ((view, curation.1), table.clone()));
        cache.truncate(TABLES_KEPT);
        Ok(table)
    }

    /// How many live documents (one of each set of copies) hold any of `keys`.
    fn documents_holding(&self, searcher: &Searcher, keys: &[EntityKey]) -> u64 {
        let any = any_term(self.fields.entity, keys.iter().map(EntityKey::encode));
        self.docs_by_segment(searcher, any.as_ref()).map_or(0, |d| d.iter().map(Vec::len).sum::<usize>() as u64)
    }

    /// The merged entities before the user's corrections, with each document's keys, once per
    /// reader generation.
    fn merged_before_corrections(&self, searcher: &Searcher) -> Result<Arc<Base>> {
        let generation = view_of(searcher);
        let mut cache = self.merged.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, base)) = cache.as_ref()
            && *g == generation
        {
            return Ok(base.clone());
        }
        // A text filed twice counts once: later copies are left out of every count.
        let order = self.doc_order(searcher)?;
        let segments = segment_entity_terms(searcher, &order)?;
        let mut counts: HashMap<EntityKey, u64> = HashMap::new();
        for (key, n) in segments.iter().flatten() {
            if let Some(key) = key
                && *n > 0
            {
                *counts.entry(key.clone()).or_default() += n;
            }
        }
        let mut spellings: HashMap<EntityKey, Vec<Variant>> = HashMap::new();
        for (term, documents) in self.term_doc_counts(searcher, "entity_variant", &order)? {
            if let Some((key, reason, text)) = parse_variant_term(&term) {
                spellings.entry(key.clone()).or_default().push(Variant { text, documents, reason, of: key });
            }
        }
        let merged = crate::entities::identity::merge(&counts, &spellings);
        let terms: Vec<Vec<Option<EntityKey>>> =
            segments.into_iter().map(|seg| seg.into_iter().map(|(key, _)| key).collect()).collect();
        let base = Arc::new(Base::new(searcher, merged, &terms)?);
        *cache = Some((generation, base.clone()));
        Ok(base)
    }

    /// How many live documents (one of each set of copies) hold each term of the fast string
    /// field `field`.
    fn term_doc_counts(
        &self,
        searcher: &Searcher,
        field: &str,
        order: &rank::DocOrder,
    ) -> Result<HashMap<String, u64>> {
        let mut counts: HashMap<String, u64> = HashMap::new();
        for (i, seg) in searcher.segment_readers().iter().enumerate() {
            let (terms, per_ord) = terms_with_doc_counts(seg, field, |d| order.is_later_copy(i, d))?;
            for (term, n) in terms.into_iter().zip(per_ord) {
                if n > 0 {
                    *counts.entry(term).or_default() += n;
                }
            }
        }
        Ok(counts)
    }

    /// Every document with the per-document entity keys it holds (for exports), by id.
    pub fn document_entities(&self) -> Result<Vec<(DocSummary, Vec<EntityKey>)>> {
        let mut keys: HashMap<String, Vec<EntityKey>> = HashMap::new();
        for seg in self.searcher().segment_readers() {
            let ff = seg.fast_fields();
            let ids = all_strs(ff.str("id")?)?;
            let terms = all_strs(ff.str("entity")?)?;
            let Some(col) = &terms.column else { continue };
            for doc in alive_docs(seg) {
                let Some(id) = ids.first_of(doc) else { continue };
                let held: Vec<EntityKey> = col
                    .term_ords(doc)
                    .filter_map(|ord| terms.terms.get(ord as usize))
                    .filter_map(|t| EntityKey::decode(t))
                    .collect();
                keys.insert(id.to_owned(), held);
            }
        }
        Ok(self
            .list_docs()?
            .into_iter()
            .map(|d| {
                let held = keys.remove(&d.id).unwrap_or_default();
                (d, held)
            })
            .collect())
    }

    /// Applies the user's corrections from now on (see [`crate::entities::curation`]).
    pub fn set_curation(&self, curation: Curation) {
        let mut current = self.curation.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        *current = (current.0 + 1, curation);
    }

    /// The corrections applied now.
    pub fn curation(&self) -> Curation {
        self.curation.lock().unwrap_or_else(std::sync::PoisonError::into_inner).1.clone()
    }

    /// The folder's entities counted over the documents `query` matches (all of them for an
    /// empty query): the folder's list follows what is searched.
    pub fn entity_counts_for(&self, query: &Query) -> Result<EntityCounts> {
        if query.is_empty() {
            return Ok(EntityCounts::all(self.entity_counts()?));
        }
        let table = self.merged_entities()?;
        let docs = self.matching(&table.searcher, query)?;
        let counts = table.counts(&docs);
        // Most documents first, then by key (its place in key order, worked out with the table),
        // as one number to sort by.
        let mut order: Vec<u64> = counts
            .iter()
            .zip(&table.key_rank)
            .filter(|(n, _)| **n > 0)
            .map(|(&n, &rank)| (u64::from(u32::MAX - n) << 32) | u64::from(rank))
            .collect();
        order.sort_unstable();
        let rows = order
            .into_iter()
            .map(|packed| {
                let g = table.by_key[(packed & u64::from(u32::MAX)) as usize];
                (g, counts[g as usize])
            })
            .collect();
        Ok(EntityCounts::rows_of(table.list.clone(), rows))
    }

    /// The per-document keys of every `kind` entity whose name or a spelling is `name`, in any
    /// case, with or without dots and accents (see [`name_key`]).
    pub fn entities_named(&self, kind: EntityKind, name: &str) -> Vec<EntityKey> {
        let Ok(table) = self.merged_entities() else { return Vec::new() };
        let Some(groups) = table.names().get(&(kind, name_key(name))) else { return Vec::new() };
        groups.iter().flat_map(|&g| table.list[g as usize].members.iter().cloned()).collect()
    }

    /// The per-document keys a filter on `key` matches: every key merged with it.
    fn entity_members(&self, key: &EntityKey) -> Vec<EntityKey> {
        match self.merged_entities() {
            Ok(table) => table.members_of(key),
            Err(_) => vec![key.clone()],
        }
    }

    /// Document and entity counts and the size of the index on disk (`dir` is where it lives).
    pub fn stats(&self, dir: &Path) -> Result<IndexStats> {
        let Facets { formats, folders } = self.facets()?;
        Ok(IndexStats {
            documents: self.num_docs(),
            copies: self.doc_order(&self.searcher())?.copies() as u64,
            distinct_entities: self.merged_entities()?.list.len() as u64,
            entities_pending: self.searcher().search(&*stage_query(self.fields, EntityStage::Pending), &Count)? as u64,
            index_bytes: dir_size(dir),
            formats,
            folders,
        })
    }
}

/// A segment's terms of the fast string field `field`, by ordinal, and how many of its live
/// documents hold each, `skip`ped ones left out.
fn terms_with_doc_counts(
    seg: &tantivy::SegmentReader,
    field: &str,
    skip: impl Fn(DocId) -> bool,
) -> Result<(Vec<String>, Vec<u64>)> {
    let terms = all_strs(seg.fast_fields().str(field)?)?;
    let mut per_ord = vec![0u64; terms.terms.len()];
    if let Some(col) = &terms.column {
        for doc in alive_docs(seg).filter(|&d| !skip(d)) {
            for ord in col.term_ords(doc) {
                if let Some(n) = per_ord.get_mut(ord as usize) {
                    *n += 1;
                }
            }
        }
    }
    Ok((terms.terms, per_ord))
}

/// One segment's `entity` terms by ordinal, decoded, with how many live documents hold each.
type SegmentEntities = Vec<(Option<EntityKey>, u64)>;

impl DocIndex {
    /// The documents `query` matches, grouped by segment, one of each set of exact copies (a
    /// text counts once).
    fn docs_by_segment(&self, searcher: &Searcher, query: &dyn TantivyQuery) -> Result<BySegment> {
        let mut by_segment = searcher.search(query, &SegmentDocs)?;
        self.doc_order(searcher)?.keep_distinct(&mut by_segment);
        Ok(by_segment)
    }

    /// The documents `query` matches, as the search counts them: one of each set of copies, and
    /// only those that pass its patterns and exact forms (as far as the search checked them
    /// within its budget, which it says; see [`DocIndex::checked`]).
    fn matching(&self, searcher: &Searcher, query: &Query) -> Result<Arc<BySegment>> {
        let Compiled { query: parsed, checks, .. } = self.parse(query);
        // What a pattern keeps within its time budget depends on the order it reads in.
        let key = self.matched_key(searcher, query, !checks.is_empty());
        if let Some((k, docs)) = self.matched.lock().unwrap_or_else(std::sync::PoisonError::into_inner).as_ref()
            && *k == key
        {
            return Ok(docs.clone());
        }
        let docs = if checks.is_empty() {
            self.docs_by_segment(searcher, parsed.as_ref())?
        } else {
            let checked = self.checked(searcher, query, parsed.as_ref(), &checks, self.doc_order(searcher)?)?;
            by_segment(&checked.kept.iter().map(|hit| hit.addr).collect::<Vec<_>>())
        };
        let docs = Arc::new(docs);
        *self.matched.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = Some((key, docs.clone()));
        Ok(docs)
    }

    /// What the documents a query matches depend on: the reader's view, the corrections (an
    /// entity filter covers the keys merged into it) and the query, its order only if `sorted`.
    fn matched_key(&self, searcher: &Searcher, query: &Query, sorted: bool) -> ((u64, u64), Query) {
        let query = if sorted { query.clone() } else { Query { sort: Default::default(), ..query.clone() } };
        (self.view_and_corrections(searcher), query)
    }

    /// What a query's documents depend on besides the query: the reader's view of `searcher`
    /// and the version of the corrections (entity filters in a query follow them).
    fn view_and_corrections(&self, searcher: &Searcher) -> (u64, u64) {
        let corrections = self.curation.lock().unwrap_or_else(std::sync::PoisonError::into_inner).0;
        (view_of(searcher), corrections)
    }
}

/// Per segment, each `entity` term (by ordinal) decoded, with how many live documents hold it.
fn segment_entity_terms(searcher: &Searcher, order: &rank::DocOrder) -> Result<Vec<SegmentEntities>> {
    let mut out = Vec::new();
    for (i, seg) in searcher.segment_readers().iter().enumerate() {
        let (terms, per_ord) = terms_with_doc_counts(seg, "entity", |d| order.is_later_copy(i, d))?;
        out.push(terms.iter().map(|t| EntityKey::decode(t)).zip(per_ord).collect());
    }
    Ok(out)
}

/// Document `id` of `file` (an id is unique within its file).
fn this_doc(fields: Fields, id: &str, file: &str) -> Box<dyn TantivyQuery> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, term_query(fields.id, id)),
        (Occur::Must, term_query(fields.file, file)),
    ]))
}

/// Documents whose entity search is at `stage`.
fn stage_query(fields: Fields, stage: EntityStage) -> Box<dyn TantivyQuery> {
    stage_code_query(fields, stage.code())
}

/// Documents whose entity search is at the stage stored as `code` (see [`EntityStage::code`]).
fn stage_code_query(fields: Fields, code: u64) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(Term::from_field_u64(fields.entity_stage, code), IndexRecordOption::Basic))
}

/// Documents holding `value` in the string field `field`.
fn term_query(field: Field, value: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
}

/// Documents holding any of `values` in the string field `field`.
fn any_term(field: Field, values: impl Iterator<Item = String>) -> Box<dyn TantivyQuery> {
    let any: Vec<(Occur, Box<dyn TantivyQuery>)> = values
        .map(|v| {
            let term = Term::from_field_text(field, &v);
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn TantivyQuery>)
        })
        .collect();
    Box::new(BooleanQuery::new(any))
}

/// A spelling's term: the entity's key, why the spelling is that entity, and the spelling,
/// separated by U+001F (which no name contains).
fn variant_term(key: &EntityKey, reason: MergeReason, spelling: &str) -> String {
    let why = MergeReason::ALL.iter().position(|r| *r == reason).unwrap_or(0);
    format!("{}\u{1f}{why}\u{1f}{spelling}", key.encode())
}

/// The inverse of [`variant_term`].
fn parse_variant_term(term: &str) -> Option<(EntityKey, MergeReason, String)> {
    let mut parts = term.splitn(3, '\u{1f}');
    let key = EntityKey::decode(parts.next()?)?;
    let reason = *MergeReason::ALL.get(parts.next()?.parse::<usize>().ok()?)?;
    Some((key, reason, parts.next()?.to_owned()))
}

/// Entity spans in a compact text form, about a third of their JSON: per entity, its kind's
/// index in [`EntityKind::ALL`], its start as the distance from the previous start, and its
/// length, each in base 36, `,`-separated, entities `;`-separated. Spans are sorted first.
fn encode_spans(entities: &[Entity]) -> String {
    let mut sorted: Vec<&Entity> = entities.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(entities.len() * 8);
    let mut previous = 0usize;
    for e in sorted {
        let kind = EntityKind::ALL.iter().position(|k| *k == e.kind).unwrap_or(0);
        if !out.is_empty() {
            out.push(';');
        }
        push_base36(&mut out, kind);
        out.push(',');
        push_base36(&mut out, e.span.start - previous);
        out.push(',');
        push_base36(&mut out, e.span.end.saturating_sub(e.span.start));
        previous = e.span.start;
    }
    out
}

fn push_base36(out: &mut String, mut n: usize) {
    let mut digits = [0u8; 16];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b"0123456789abcdefghijklmnopqrstuvwxyz"[n % 36];
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[i..]).unwrap_or("0"));
}

/// The inverse of [`encode_spans`]; `None` if the text is damaged.
fn decode_spans(text: &str) -> Option<Vec<Entity>> {
    let mut out = Vec::new();
    let mut start = 0usize;
    for item in text.split(';').filter(|s| !s.is_empty()) {
        let mut parts = item.split(',').map(|p| usize::from_str_radix(p, 36).ok());
        let kind = *EntityKind::ALL.get(parts.next()??)?;
        start = start.checked_add(parts.next()??)?;
        let len = parts.next()??;
        out.push(Entity { kind, span: start..start.checked_add(len)? });
    }
    Some(out)
}

/// Formats and folders of the indexed documents, with document counts.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facets {
    pub formats: Vec<(DocFormat, u64)>,
    pub folders: Vec<(String, u64)>,
}

/// The folders above a relative file path: `a/b/c.txt` → `a`, `a/b`.
fn ancestors(file: &str) -> impl Iterator<Item = &str> {
    file.match_indices('/').map(move |(i, _)| &file[..i])
}

/// The live documents of a segment.
fn alive_docs(seg: &tantivy::SegmentReader) -> impl Iterator<Item = u32> + '_ {
    let alive = seg.alive_bitset();
    (0..seg.max_doc()).filter(move |d| alive.is_none_or(|a| a.is_alive(*d)))
}

/// A string fast field's dictionary read once, in ordinal order, with the column to map
/// documents to ordinals: one pass over the dictionary instead of a lookup per document.
struct StrTerms {
    column: Option<tantivy::columnar::StrColumn>,
    terms: Vec<String>,
}

impl StrTerms {
    fn first_of(&self, doc: u32) -> Option<&str> {
        let ord = self.column.as_ref()?.term_ords(doc).next()?;
        self.terms.get(ord as usize).map(String::as_str)
    }
}

fn all_strs(column: Option<tantivy::columnar::StrColumn>) -> Result<StrTerms> {
    let mut terms = Vec::new();
    if let Some(col) = &column {
        terms.reserve(col.num_terms());
        let mut stream = col.dictionary().stream().map_err(|e| IndexError::Corrupt(e.to_string()))?;
        while stream.advance() {
            terms.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
    }
    Ok(StrTerms { column, terms })
}

/// What a searcher sees: its segments and their deletes, as a number. The caches that hold per
/// "reader generation" are keyed by it: a reload with nothing committed since (the searcher
/// reloads before every batch of requests) gives a new generation id but the same view.
fn view_of(searcher: &Searcher) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    searcher.generation().segments().hash(&mut hasher);
    hasher.finish()
}

/// The ids of `docs` (by segment), sorted. Each segment's ordinals are looked up in order, in
/// one walk through its dictionary (one lookup per id costs ~3 µs: 30 ms for 10,000).
fn ids_of(searcher: &Searcher, docs: &BySegment) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(docs.iter().map(Vec::len).sum());
    for (segment, doc_ids) in docs.iter().enumerate().filter(|(_, d)| !d.is_empty()) {
        let Some(column) = searcher.segment_readers()[segment].fast_fields().str("id")? else { continue };
        let mut ords: Vec<u64> = doc_ids.iter().filter_map(|&doc| column.term_ords(doc).next()).collect();
        ords.sort_unstable();
        ords.dedup();
        out.extend(terms_of_ords(&column, &ords)?);
    }
    out.sort_unstable();
    Ok(out)
}

/// The terms of `column`'s ordinals `ords` (sorted, each once), in their order, read in one
/// walk through its dictionary.
fn terms_of_ords(column: &tantivy::columnar::StrColumn, ords: &[u64]) -> Result<Vec<String>> {
    let mut out = Vec::with_capacity(ords.len());
    column.dictionary().sorted_ords_to_term_cb(ords, |term| {
        out.push(String::from_utf8_lossy(term).into_owned());
    })?;
    Ok(out)
}

/// `addrs` grouped by segment, as [`ids_of`] takes them.
fn by_segment(addrs: &[DocAddress]) -> BySegment {
    let mut out: BySegment = Vec::new();
    for a in addrs {
        let seg = a.segment_ord as usize;
        if out.len() <= seg {
            out.resize_with(seg + 1, Vec::new);
        }
        out[seg].push(a.doc_id);
    }
    for docs in &mut out {
        docs.sort_unstable();
    }
    out
}

/// Documents by segment ordinal, each segment's in increasing order.
type BySegment = Vec<Vec<DocId>>;

/// Collects every matching document, by segment ([`BySegment`]): no set of addresses to hash.
struct SegmentDocs;

impl Collector for SegmentDocs {
    type Fruit = BySegment;
    type Child = SegmentDocList;

    fn for_segment(&self, segment: SegmentOrdinal, _: &tantivy::SegmentReader) -> tantivy::Result<SegmentDocList> {
        Ok(SegmentDocList(segment, Vec::new()))
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<(SegmentOrdinal, Vec<DocId>)>) -> tantivy::Result<BySegment> {
        let mut out: BySegment = Vec::new();
        for (seg, docs) in fruits {
            let seg = seg as usize;
            if out.len() <= seg {
                out.resize_with(seg + 1, Vec::new);
            }
            out[seg] = docs;
        }
        Ok(out)
    }
}

struct SegmentDocList(SegmentOrdinal, Vec<DocId>);

impl SegmentCollector for SegmentDocList {
    type Fruit = (SegmentOrdinal, Vec<DocId>);

    fn collect(&mut self, doc: DocId, _: tantivy::Score) {
        self.1.push(doc);
    }

    fn harvest(self) -> Self::Fruit {
        (self.0, self.1)
    }
}

fn text_of(doc: &TantivyDocument, field: Field) -> &str {
    doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("")
}

/// Marks of one pattern shown in a document at most (a pattern like `/e/` matches everywhere).
const MAX_PATTERN_MATCHES: usize = 10_000;

/// A snippet of `body` around byte `at`, on one line, with the `ranges` that fall in it.
fn snippet_around(body: &str, at: usize, ranges: &[Range<usize>]) -> (String, Vec<Range<usize>>) {
    let mut start = at.saturating_sub(SNIPPET_CHARS / 3).min(body.len());
    while !body.is_char_boundary(start) {
        start -= 1;
    }
    // From the start of a word.
    if start > 0
        && let Some(space) = body[start..at].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let end = body[start..].char_indices().nth(SNIPPET_CHARS).map_or(body.len(), |(i, _)| start + i);
    let text = body[start..end].replace(['\n', '\r', '\t'], " ");
    let inside =
        ranges.iter().filter(|r| r.start >= start && r.end <= end).map(|r| r.start - start..r.end - start).collect();
    (text, inside)
}

/// The start of a text, as a snippet when there is nothing to highlight; "…" only when there
/// is more.
fn lead(text: &str) -> String {
    let mut out = String::new();
    let mut chars = 0;
    for word in text.split_whitespace() {
        let len = word.chars().count();
        if chars + len + 1 > SNIPPET_CHARS {
            if out.is_empty() {
                out.extend(word.chars().take(SNIPPET_CHARS));
            }
            out.push('…');
            return out;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
        chars += len + 1;
    }
    out
}

/// The size of the files in `dir`, not recursing (an index keeps its files flat).
pub(crate) fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum()
        })
        .unwrap_or(0)
}

/// The index's single writer. Changes become visible to searches after [`DocWriter::commit`].
pub struct DocWriter {
    writer: IndexWriter,
    fields: Fields,
}

impl DocWriter {
    /// Adds `doc`, whose entities are `entities` if `stage` says they were looked for. Earlier
    /// versions of its file's documents are removed with [`DocWriter::delete_file`] first.
    pub fn add(&mut self, doc: &LoadedDoc, entities: &[Entity], stage: EntityStage) -> Result<()> {
        let f = self.fields;
        let mut d = TantivyDocument::default();
        d.add_text(f.id, &doc.id);
        d.add_text(f.file, &doc.file);
        if !doc.parent.is_empty() {
            d.add_text(f.parent, &doc.parent);
        }
        for folder in ancestors(&doc.file) {
            d.add_text(f.folder, folder);
        }
        d.add_text(f.format, doc.meta.format.as_str());
        d.add_text(f.title, &doc.title);
        d.add_text(f.title_sort, &doc.title);
        d.add_text(f.author, &doc.meta.author);
        d.add_text(f.body, &doc.text);
        d.add_u64(f.size, doc.meta.size_bytes);
        d.add_u64(f.file_size, doc.file_size);
        d.add_i64(f.file_mtime, doc.file_mtime_ns);
        if let Some(t) = doc.meta.created_ns {
            d.add_i64(f.created, t);
        }
        if let Some(t) = doc.meta.modified_ns {
            d.add_i64(f.modified, t);
        }
        d.add_u64(f.page_count, doc.meta.pages.len() as u64);
        d.add_u64(f.truncated, u64::from(doc.meta.truncated));
        let meta = serde_json::to_string(&doc.meta).map_err(|e| IndexError::Corrupt(e.to_string()))?;
        d.add_text(f.meta_json, &meta);
        // Distinct keys and spellings only: a long document repeats the same few entities
        // millions of times.
        let identities = crate::entities::identity::resolve_each(&doc.text, entities).identities;
        let keys: std::collections::BTreeSet<String> = identities.iter().map(|i| i.key.encode()).collect();
        for key in &keys {
            d.add_text(f.entity, key);
        }
        let spellings: std::collections::BTreeSet<String> =
            identities.iter().map(|i| variant_term(&i.key, i.reason, &i.surface)).collect();
        for spelling in &spellings {
            d.add_text(f.entity_variant, spelling);
        }
        d.add_u64(f.entity_count, entities.len() as u64);
        d.add_text(f.language, &doc.language);
        d.add_text(f.entity_spans, encode_spans(entities));
        if !entities.is_empty() {
            let (days, undated) = calendar_days(&doc.text, entities);
            for day in days {
                d.add_i64(f.days, day);
            }
            d.add_u64(f.undated, undated);
        }
        d.add_u64(f.entity_stage, stage.code());
        if let Some(digest) = rank::digest(&doc.title, &doc.text) {
            d.add_u64(f.digest, digest);
        }
        self.writer.add_document(d)?;
        Ok(())
    }

    /// Replaces the document `doc.id` of `doc.file` (and no other: an id is unique within its
    /// file) with `doc` and its entities: how a document's entities are added once its text is
    /// indexed.
    pub fn replace(&mut self, doc: &LoadedDoc, entities: &[Entity], stage: EntityStage) -> Result<()> {
        self.writer.delete_query(this_doc(self.fields, &doc.id, &doc.file))?;
        self.add(doc, entities, stage)
    }

    /// Removes every document that came from `file` (its relative path).
    pub fn delete_file(&mut self, file: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields.file, file));
    }

    /// Makes every change so far durable and visible to newly reloaded readers.
    pub fn commit(&mut self) -> Result<()> {
        self.writer.commit()?;
        Ok(())
    }

    /// Waits for merges to finish and releases the lock.
    pub fn close(self) -> Result<()> {
        self.writer.wait_merging_threads()?;
        Ok(())
    }
}

/// The distinct days the DATE mentions of `text` fall on, and how many mentions fall on none.
fn calendar_days(text: &str, entities: &[Entity]) -> (std::collections::BTreeSet<i64>, u64) {
    use crate::entities::normalize;
    let doc_date = normalize::document_date(text);
    let mut days = std::collections::BTreeSet::new();
    let mut undated = 0;
    for e in entities.iter().filter(|e| e.kind == EntityKind::Date) {
        match text.get(e.span.clone()).and_then(|t| normalize::calendar_day(t, doc_date)) {
            Some(day) => {
                days.insert(day);
            }
            None => undated += 1,
        }
    }
    (days, undated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lead_says_there_is_more_only_when_there_is() {
        assert_eq!(lead("  A short\n\nnote.  "), "A short note.");
        let long = "word ".repeat(100);
        let got = lead(&long);
        assert!(got.ends_with('…') && got.chars().count() <= SNIPPET_CHARS + 1, "{got}");
        assert_eq!(lead(&"x".repeat(500)).chars().count(), SNIPPET_CHARS + 1);
    }

    #[test]
    fn a_name_key_is_the_analysers_words_of_the_folded_spelling() {
        let index = DocIndex::open_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        let long = "x".repeat(40);
        for name in ["U.S.", "AT&T Corp.", "Project Gutenberg-tm", "O'Brien  Jr", "a1 b22", &long, "François", "東京都"]
        {
            let analysed: Vec<String> =
                index.analyse(&crate::entities::identity::fold(name)).into_iter().map(|(w, _)| w).collect();
            assert_eq!(name_key(name), analysed.join(" "), "{name:?}");
        }
        assert_eq!(name_key("NATÁSHA"), "natasha");
    }

    #[test]
    fn words_are_runs_of_letters_and_each_cjk_character_with_accents_folded() {
        let index = DocIndex::open_or_create(tempfile::tempdir().unwrap().path()).unwrap();
        let words: Vec<String> = index
            .analyse("Zoë's e\u{301}té, 東京都 Лавров 42 ΣΩΚΡΆΤΗΣ Σωκράτης ёлка")
            .into_iter()
            .map(|(w, _)| w)
            .collect();
        assert_eq!(
            words,
            ["zoe", "s", "ete", "東", "京", "都", "лавров", "42", "σωκρατησ", "σωκρατησ", "елка"],
            "Greek and Cyrillic accents and the final sigma folded too"
        );
    }

    #[test]
    fn entity_spans_survive_their_compact_form() {
        let entities = vec![
            Entity { kind: EntityKind::Phone, span: 1_000_000..1_000_012 },
            Entity { kind: EntityKind::Person, span: 0..10 },
            Entity { kind: EntityKind::Money, span: 40..52 },
            Entity { kind: EntityKind::Gpe, span: 40..46 },
        ];
        let text = encode_spans(&entities);
        let mut sorted = entities.clone();
        sorted.sort_by_key(|e| (e.span.start, e.span.end));
        assert_eq!(decode_spans(&text), Some(sorted));
        assert_eq!(decode_spans(""), Some(Vec::new()));
        for damaged in ["x", "0,1", "99,1,1", "0,zzzzzzzzzzzzzzz,1;0,zzzzzzzzzzzzzzz,1"] {
            assert_eq!(decode_spans(damaged), None, "{damaged}");
        }
    }
}
