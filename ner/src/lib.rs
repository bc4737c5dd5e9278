//! Pure-Rust port of the named-entity recogniser of spaCy's `en_core_web_sm`
//! 3.8.0 (tokenizer + NER component), producing the same entities as
//! `spacy.load("en_core_web_sm", exclude=[all but "ner"])`.
//!
//! ```no_run
//! let bytes = std::fs::read("assets/ner/ner_model.bin").unwrap();
//! let model = dossier_ner::NerModel::from_bytes(&bytes).unwrap();
//! for e in model.extract("Apple is looking at buying U.K. startup for $1 billion") {
//!     println!("{} {}..{}", e.label, e.start, e.end);
//! }
//! ```
//!
//! Modules: [`asset`] (the weights file's layout), [`hash`] (string ids,
//! HashEmbed keys), [`unicode`] (Python str semantics), [`pyregex`] (tokenizer
//! regex subset), [`tokenizer`], [`lexattr`] (NORM/PREFIX/SUFFIX/SHAPE),
//! [`gemm`] (the matrix kernels, AVX2/AVX-512 with a portable fallback),
//! `network` (the network, crate-private), [`parser`] (BILUO transition
//! decoding).

/// Why the model cannot be loaded from its weights file.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("not a Dossier NER asset (bad magic)")]
    BadMagic,
    #[error("damaged NER asset: {0}")]
    Damaged(&'static str),
    #[error("NER asset header: {0}")]
    Header(#[from] serde_json::Error),
    #[error("unsupported NER asset format {0}")]
    Format(String),
    #[error("the NER asset has no tensor {0}")]
    MissingTensor(String),
    #[error("NER tensor {name}: shape {got:?}, expected {expected:?}")]
    Shape { name: String, got: Vec<usize>, expected: Vec<usize> },
    #[error("NER tensor {0} lies outside the data")]
    OutOfBounds(String),
    #[error("unknown transition {0}")]
    Move(String),
    #[error("tokenizer {which} pattern: {source}")]
    Pattern { which: &'static str, source: pyregex::PatternError },
    #[error("cannot read {}: {source}", path.display())]
    Io { path: std::path::PathBuf, source: std::io::Error },
}

pub mod asset;
pub mod gemm;
pub mod hash;
pub mod lexattr;
pub(crate) mod network;
pub mod parser;
pub mod pyregex;
pub mod tokenizer;
pub mod unicode;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use asset::Asset;
use lexattr::LexAttrs;
use network::Network;
use tokenizer::{Special, Tokenizer};
use unicode::{PyUnicode, RangeSet};

/// An entity: OntoNotes label and byte offsets into the input text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NerEntity {
    pub label: String,
    pub start: usize,
    pub end: usize,
}

/// Cache of per-word network rows keyed by (token text, NORM override).
type WordCache = HashMap<(String, Option<String>), Arc<[f32]>>;

/// The loaded model (immutable; `extract` can be called from many threads).
pub struct NerModel {
    net: Network,
    lex: LexAttrs,
    tokenizer: Tokenizer,
    moves: parser::Moves,
    /// Tokenizer cache: whitespace-delimited chunk -> pieces.
    chunk_cache: Mutex<HashMap<String, tokenizer::CachedPieces>>,
    /// Per-word-form network rows (mixing output + first-layer projections).
    word_cache: Mutex<WordCache>,
    word_cache_cap: usize,
}

/// Default number of word forms whose per-word network rows are cached
/// (each entry holds 960 f32 = 3.75 KiB; 16384 entries ~ 62 MiB at most).
pub const DEFAULT_WORD_CACHE: usize = 16384;

/// Word forms longer than this (bytes) are not cached, so an entry is at most a row of
/// [`network::Network::WORD_ROW`] floats (3.8 KB) and a short key: with the default capacity the
/// cache stays under about 70 MB whatever the text.
const CACHED_FORM_MAX_BYTES: usize = 64;

impl NerModel {
    /// Load from the bytes of `assets/ner/ner_model.bin`.
    pub fn from_bytes(bytes: &[u8]) -> Result<NerModel, ModelError> {
        let a = Asset::parse(bytes)?;
        let net = Network::load(&a)?;
        let h = &a.header;
        let u = &h.unicode;
        let mut lower = HashMap::new();
        for (k, v) in &u.lower {
            let cp: u32 = k.parse().map_err(|_| ModelError::Damaged("bad lower-case table key"))?;
            if let Some(c) = char::from_u32(cp) {
                lower.insert(c, v.clone());
            }
        }
        let uni = PyUnicode::new(
            RangeSet::new(u.isspace.clone()),
            RangeSet::new(u.isalpha.clone()),
            RangeSet::new(u.isupper.clone()),
            RangeSet::new(u.isdigit.clone()),
            RangeSet::new(u.isdecimal.clone()),
            RangeSet::new(u.isalnum.clone()),
            lower,
        );
        let mut norm_table = HashMap::new();
        for (k, v) in &h.norm_table {
            let key: u64 = k.parse().map_err(|_| ModelError::Damaged("bad norm table key"))?;
            norm_table.insert(key, v.clone());
        }
        let t = &h.tokenizer;
        let specials = t
            .specials
            .iter()
            .map(|s| {
                let tokens = s.tokens.iter().map(|(t, n)| (t.clone(), n.as_deref().map(Arc::from))).collect();
                (s.key.clone(), Special { tokens }, s.pattern.clone())
            })
            .collect();
        let tokenizer = Tokenizer::new(&t.prefix_search, &t.suffix_search, &t.infix_finditer, &t.url_match, specials)?;
        let moves = parser::Moves::new(&h.moves, &h.unseen_classes)?;
        if moves.len() != net.n_classes {
            return Err(ModelError::Damaged("the moves do not match the output layer"));
        }
        let lex = LexAttrs { norm_table, base_norms: h.base_norms.clone(), symbols: h.symbols.clone(), uni };
        Ok(NerModel {
            net,
            lex,
            tokenizer,
            moves,
            chunk_cache: Mutex::new(HashMap::new()),
            word_cache: Mutex::new(HashMap::new()),
            word_cache_cap: DEFAULT_WORD_CACHE,
        })
    }

    /// Load from a file (e.g. `assets/ner/ner_model.bin`).
    pub fn from_file(path: &std::path::Path) -> Result<NerModel, ModelError> {
        let bytes = std::fs::read(path).map_err(|source| ModelError::Io { path: path.to_path_buf(), source })?;
        NerModel::from_bytes(&bytes)
    }

    /// The 18 entity labels the model can produce.
    pub fn labels(&self) -> Vec<String> {
        self.moves.labels().to_vec()
    }

    /// Set the word-form cache capacity (0 disables it). Results do not
    /// depend on the cache; it only saves work on repeated words.
    pub fn with_word_cache(mut self, capacity: usize) -> NerModel {
        self.word_cache_cap = capacity;
        self
    }

    /// Use the portable (non-SIMD) matrix code even if AVX2/FMA is available
    /// (for testing the fallback path).
    #[doc(hidden)]
    pub fn without_simd(mut self) -> NerModel {
        self.net.simd = gemm::Simd::Portable;
        self
    }

    /// Experimental, off by default: run the encoder layers 2-4 products in
    /// bf16 (AVX512-BF16; a slow reference loop on other CPUs). Faster on
    /// CPUs with AVX512-BF16 but NOT bit-identical to spaCy's f32 network:
    /// a few entities can change.
    #[doc(hidden)]
    pub fn with_bf16(mut self, on: bool) -> NerModel {
        self.net.enc_cat_bf16 = if on {
            Some(self.net.enc_cat.iter().map(|w| gemm::pack_bf16(w.rows(), w.k(), w.o())).collect())
        } else {
            None
        };
        self
    }

    /// Use at most the AVX2/FMA kernels (no AVX-512), for testing that path.
    #[doc(hidden)]
    pub fn without_avx512(mut self) -> NerModel {
        self.net.simd = self.net.simd.min(gemm::Simd::Avx2);
        self
    }

    /// Drop all cached data (tokenizer chunks and word rows).
    pub fn clear_caches(&self) {
        if let Ok(mut c) = self.chunk_cache.lock() {
            c.clear();
        }
        if let Ok(mut c) = self.word_cache.lock() {
            c.clear();
        }
    }

    fn tokenize_internal(&self, text: &str) -> Vec<tokenizer::Token> {
        match self.chunk_cache.try_lock() {
            Ok(mut cache) => self.tokenizer.tokenize_cached(text, &self.lex.uni, &mut cache),
            Err(_) => self.tokenizer.tokenize(text, &self.lex.uni),
        }
    }

    /// Tokenize `text` like spaCy: (token text, byte start, byte end).
    pub fn tokenize(&self, text: &str) -> Vec<(String, usize, usize)> {
        self.tokenize_internal(text).into_iter().map(|t| (text[t.start..t.end].to_string(), t.start, t.end)).collect()
    }

    /// Find entities in `text`.
    pub fn extract(&self, text: &str) -> Vec<NerEntity> {
        let toks = self.tokenize_internal(text);
        if toks.is_empty() {
            return Vec::new();
        }
        let pairs: Vec<(&str, Option<&str>)> =
            toks.iter().map(|t| (&text[t.start..t.end], t.norm.as_deref())).collect();
        let spans = self.predict_tokens(&pairs);
        spans.into_iter().map(|(s, e, label)| NerEntity { label, start: toks[s].start, end: toks[e - 1].end }).collect()
    }

    /// Run the NER on pre-tokenized input (text, optional NORM override);
    /// returns (start token, end token exclusive, label).
    pub fn predict_tokens(&self, toks: &[(&str, Option<&str>)]) -> Vec<(usize, usize, String)> {
        let n = toks.len();
        if n == 0 {
            return Vec::new();
        }
        let tv = self.token_vectors_cached(toks);
        let pre = self.net.precompute(&tv, n);
        let is_space: Vec<bool> = toks.iter().map(|(t, _)| self.lex.uni.str_is_space(t)).collect();
        parser::decode(&self.net, &self.moves, &pre, &is_space)
    }

    /// Profiling helper: seconds spent in (tokenize, features, tok2vec,
    /// precompute, decode) over `texts`.
    #[doc(hidden)]
    pub fn profile(&self, texts: &[&str]) -> [f64; 5] {
        use std::time::Instant;
        let mut t = [0f64; 5];
        for text in texts {
            let t0 = Instant::now();
            let toks = self.tokenize_internal(text);
            t[0] += t0.elapsed().as_secs_f64();
            if toks.is_empty() {
                continue;
            }
            let pairs: Vec<(&str, Option<&str>)> =
                toks.iter().map(|t| (&text[t.start..t.end], t.norm.as_deref())).collect();
            let t0 = Instant::now();
            t[1] += t0.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let tv = self.token_vectors_cached(&pairs);
            t[2] += t0.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let pre = self.net.precompute(&tv, pairs.len());
            t[3] += t0.elapsed().as_secs_f64();
            let t0 = Instant::now();
            let is_space: Vec<bool> = pairs.iter().map(|(t, _)| self.lex.uni.str_is_space(t)).collect();
            std::hint::black_box(parser::decode(&self.net, &self.moves, &pre, &is_space));
            t[4] += t0.elapsed().as_secs_f64();
        }
        t
    }

    /// Debug helper: the feature ids of a token.
    pub fn feature_ids(&self, text: &str, norm: Option<&str>) -> [u64; 4] {
        self.lex.feature_ids(text, norm)
    }

    /// Debug helper: token vectors (n x 64) after the tok2vec + linear layer.
    pub fn token_vectors(&self, toks: &[(&str, Option<&str>)]) -> Vec<f32> {
        let (word_ids, tok_word) = self.word_table(toks);
        self.net.tok2vec(&word_ids, &tok_word)
    }

    /// Token vectors using the word-form cache.
    fn token_vectors_cached(&self, toks: &[(&str, Option<&str>)]) -> Vec<f32> {
        const ROW: usize = Network::WORD_ROW;
        // distinct forms
        let mut map: HashMap<(&str, Option<&str>), usize> = HashMap::new();
        let mut forms: Vec<(&str, Option<&str>)> = Vec::new();
        let mut tok_word = Vec::with_capacity(toks.len());
        for &key in toks {
            let idx = *map.entry(key).or_insert_with(|| {
                forms.push(key);
                forms.len() - 1
            });
            tok_word.push(idx);
        }
        let mut cached: Vec<Option<Arc<[f32]>>> = vec![None; forms.len()];
        if self.word_cache_cap > 0 {
            let cache = self.word_cache.lock().unwrap_or_else(|e| e.into_inner());
            let mut key = (String::new(), None);
            for (i, &(t, n)) in forms.iter().enumerate() {
                if t.len() + n.map_or(0, str::len) > CACHED_FORM_MAX_BYTES {
                    continue;
                }
                key.0.clear();
                key.0.push_str(t);
                key.1 = n.map(|s| s.to_string());
                cached[i] = cache.get(&key).cloned();
            }
        }
        let missing: Vec<usize> = (0..forms.len()).filter(|&i| cached[i].is_none()).collect();
        let ids: Vec<[u64; 4]> = missing.iter().map(|&i| self.lex.feature_ids(forms[i].0, forms[i].1)).collect();
        let mut fresh = vec![0f32; missing.len() * ROW];
        self.net.word_rows(&ids, &mut fresh);
        if self.word_cache_cap > 0 && !missing.is_empty() {
            let mut cache = self.word_cache.lock().unwrap_or_else(|e| e.into_inner());
            if cache.len() + missing.len() > self.word_cache_cap {
                // evict about half of the entries (arbitrary hash order)
                let mut k = 0usize;
                cache.retain(|_, _| {
                    k += 1;
                    k & 1 == 0
                });
            }
            for (j, &i) in missing.iter().enumerate() {
                if cache.len() >= self.word_cache_cap {
                    break;
                }
                if forms[i].0.len() + forms[i].1.map_or(0, str::len) > CACHED_FORM_MAX_BYTES {
                    continue;
                }
                let row: Arc<[f32]> = Arc::from(&fresh[j * ROW..(j + 1) * ROW]);
                cache.insert((forms[i].0.to_string(), forms[i].1.map(|s| s.to_string())), row);
            }
        }
        let mut slot = vec![usize::MAX; forms.len()];
        for (j, &i) in missing.iter().enumerate() {
            slot[i] = j;
        }
        let rows: Vec<&[f32]> = tok_word
            .iter()
            .map(|&u| match &cached[u] {
                Some(a) => &a[..],
                None => &fresh[slot[u] * ROW..(slot[u] + 1) * ROW],
            })
            .collect();
        self.net.tok2vec_rows(&rows)
    }

    /// Distinct (text, norm) forms with their feature ids, and the per-token index.
    fn word_table(&self, toks: &[(&str, Option<&str>)]) -> (Vec<[u64; 4]>, Vec<usize>) {
        let mut map: HashMap<(&str, Option<&str>), usize> = HashMap::new();
        let mut ids = Vec::new();
        let mut tok_word = Vec::with_capacity(toks.len());
        for &(t, norm) in toks {
            let idx = *map.entry((t, norm)).or_insert_with(|| {
                ids.push(self.lex.feature_ids(t, norm));
                ids.len() - 1
            });
            tok_word.push(idx);
        }
        (ids, tok_word)
    }
}

#[cfg(test)]
mod tests {
    use super::NerModel;

    /// Regex match attempts made while tokenizing `text`.
    fn attempts(model: &NerModel, text: &str) -> usize {
        crate::pyregex::ATTEMPTS.with(|a| a.set(0));
        let _ = model.tokenize(text);
        crate::pyregex::ATTEMPTS.with(|a| a.get())
    }

    #[test]
    fn tokenizing_a_long_run_of_affixes_is_linear() {
        let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/ner/ner_model.bin")).unwrap();
        let model = NerModel::from_bytes(&bytes).unwrap();
        // Each character is a prefix or suffix to strip off one at a time.
        for unit in [")", "(", "'", "\"", "$", "!?", "’"] {
            let small = attempts(&model, &unit.repeat(4_000));
            let large = attempts(&model, &unit.repeat(16_000));
            // Four times the text, about four times the work (quadratic would be sixteen).
            assert!(large <= small * 5, "{unit:?}: {small} then {large} attempts");
            let covered: usize = model.tokenize(&unit.repeat(16_000)).iter().map(|(_, a, b)| b - a).sum();
            assert_eq!(covered, 16_000 * unit.len(), "{unit:?}");
        }
    }
}
