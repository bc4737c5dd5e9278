//! Reimplementation of spaCy's rule-based `Tokenizer` (spacy/tokenizer.pyx)
//! with the English rules exported by `tools/convert_ner.py`:
//! whitespace chunking, special cases, prefix/suffix splitting, URL match,
//! infix splitting, and the second "special cases with affixes" pass
//! (the PhraseMatcher-based `_apply_special_cases`).
//!
//! Positions are in `char`s (Python code points) internally; tokens carry
//! their char offset and byte offset into the input text.

use std::collections::HashMap;
use std::sync::Arc;

use super::ModelError;
use super::pyregex::Regex;
use super::unicode::PyUnicode;

/// Maximum number of cached chunk tokenizations before the cache is cleared.
pub const CHUNK_CACHE_MAX: usize = 50_000;

/// Chunks longer than this are not cached: they rarely repeat, and with them in it the cache
/// would hold up to [`CHUNK_CACHE_MAX`] times the longest chunk. Capped so, the cache takes at
/// most about 50,000 x (64 + 64 x 24) bytes, 80 MB.
pub const CACHED_CHUNK_MAX_BYTES: usize = 64;

/// A token produced by the tokenizer: byte span into the input text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the token start.
    pub start: usize,
    /// Byte offset of the token end (exclusive).
    pub end: usize,
    /// NORM override from a special case, if any.
    pub norm: Option<Arc<str>>,
}

/// Cached tokenization of a chunk: (byte length, NORM override) per token.
pub type CachedPieces = Vec<(u32, Option<Arc<str>>)>;

/// One special case (tokenizer exception).
#[derive(Debug, Clone)]
pub struct Special {
    /// (orth, optional norm) per sub-token.
    pub tokens: Vec<(String, Option<Arc<str>>)>,
}

/// Tokenizer rules.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    prefix: Regex,
    suffix: Regex,
    infix: Regex,
    url: Regex,
    specials: HashMap<String, Special>,
    /// The longest special case, in chars: a longer string is not looked up (building it to
    /// look it up would make stripping a long chunk quadratic).
    longest_special: usize,
    /// Second-pass patterns: first token orth -> list of (pattern orths, key).
    matcher: HashMap<String, Vec<(Vec<String>, String)>>,
}

/// Internal piece: (text, norm) with length in chars.
pub type Piece = (String, Option<Arc<str>>);

impl Tokenizer {
    /// Build the tokenizer from regex sources and special cases.
    /// `specials`: (key, tokens, optional affix-tokenized pattern).
    pub fn new(
        prefix: &str,
        suffix: &str,
        infix: &str,
        url: &str,
        specials: Vec<(String, Special, Option<Vec<String>>)>,
    ) -> Result<Tokenizer, ModelError> {
        let mut map = HashMap::new();
        let mut matcher: HashMap<String, Vec<(Vec<String>, String)>> = HashMap::new();
        for (key, sp, pattern) in specials {
            if let Some(p) = pattern
                && let Some(first) = p.first()
            {
                matcher.entry(first.clone()).or_default().push((p.clone(), key.clone()));
            }
            map.insert(key, sp);
        }
        Ok(Tokenizer {
            prefix: Regex::new(prefix).map_err(|source| ModelError::Pattern { which: "prefix", source })?,
            suffix: Regex::new(suffix).map_err(|source| ModelError::Pattern { which: "suffix", source })?,
            infix: Regex::new(infix).map_err(|source| ModelError::Pattern { which: "infix", source })?,
            url: Regex::new(url).map_err(|source| ModelError::Pattern { which: "url", source })?,
            longest_special: map.keys().map(|k| k.chars().count()).max().unwrap_or(0),
            specials: map,
            matcher,
        })
    }

    fn find_prefix(&self, s: &[char], u: &PyUnicode) -> usize {
        self.prefix.search(s, u).map_or(0, |(a, b)| b - a)
    }
    fn find_suffix(&self, s: &[char], u: &PyUnicode) -> usize {
        self.suffix.search(s, u).map_or(0, |(a, b)| b - a)
    }

    /// Whether `s` is a special case.
    fn is_special(&self, s: &[char]) -> bool {
        s.len() <= self.longest_special && self.specials.contains_key(&s.iter().collect::<String>())
    }

    /// Tokenize one non-' ' chunk (the `_tokenize` path, with special cases).
    fn tokenize_chunk(&self, chunk: &str, u: &PyUnicode, out: &mut Vec<Piece>) {
        if let Some(sp) = self.specials.get(chunk) {
            out.extend(sp.tokens.iter().cloned());
            return;
        }
        let chars: Vec<char> = chunk.chars().collect();
        let mut s: &[char] = &chars;
        let mut prefixes: Vec<String> = Vec::new();
        let mut suffixes: Vec<String> = Vec::new();
        let mut last_size = usize::MAX;
        let to_s = |c: &[char]| c.iter().collect::<String>();
        while !s.is_empty() && s.len() != last_size {
            if self.is_special(s) {
                break;
            }
            last_size = s.len();
            let pre_len = self.find_prefix(s, u);
            if pre_len != 0 {
                let minus_pre = &s[pre_len..];
                if !minus_pre.is_empty() && self.is_special(minus_pre) {
                    prefixes.push(to_s(&s[..pre_len]));
                    s = minus_pre;
                    break;
                }
            }
            let suf_len = self.find_suffix(&s[pre_len..], u);
            if suf_len != 0 {
                let minus_suf = &s[..s.len() - suf_len];
                if !minus_suf.is_empty() && self.is_special(minus_suf) {
                    suffixes.push(to_s(&s[s.len() - suf_len..]));
                    s = minus_suf;
                    break;
                }
            }
            if pre_len != 0 && suf_len != 0 && pre_len + suf_len <= s.len() {
                prefixes.push(to_s(&s[..pre_len]));
                suffixes.push(to_s(&s[s.len() - suf_len..]));
                s = &s[pre_len..s.len() - suf_len];
            } else if pre_len != 0 {
                prefixes.push(to_s(&s[..pre_len]));
                s = &s[pre_len..];
            } else if suf_len != 0 {
                suffixes.push(to_s(&s[s.len() - suf_len..]));
                s = &s[..s.len() - suf_len];
            }
        }
        // _attach_tokens
        for p in prefixes {
            out.push((p, None));
        }
        if !s.is_empty() {
            let st = to_s(s);
            if let Some(sp) = self.specials.get(&st) {
                out.extend(sp.tokens.iter().cloned());
            } else if self.url.match_start(s, u).is_some() {
                out.push((st, None));
            } else {
                let matches = self.infix.find_iter(s, u);
                if matches.is_empty() {
                    out.push((st, None));
                } else {
                    let mut start = 0usize;
                    let start_before = start;
                    for (a, b) in matches {
                        if a == start_before {
                            continue;
                        }
                        if a != start {
                            out.push((to_s(&s[start..a]), None));
                        }
                        if a != b {
                            out.push((to_s(&s[a..b]), None));
                        }
                        start = b;
                    }
                    if start < s.len() {
                        out.push((to_s(&s[start..]), None));
                    }
                }
            }
        }
        for sfx in suffixes.into_iter().rev() {
            out.push((sfx, None));
        }
    }

    /// Tokenize `text`, using `cache` (chunk -> pieces) to skip repeated work.
    pub fn tokenize_cached(&self, text: &str, u: &PyUnicode, cache: &mut HashMap<String, CachedPieces>) -> Vec<Token> {
        let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 4 + 1);
        let mut emit = |start: usize, end: usize, tokens: &mut Vec<Token>| {
            if start >= end {
                return;
            }
            let chunk = &text[start..end];
            if chunk.len() > CACHED_CHUNK_MAX_BYTES {
                let mut v = Vec::new();
                self.tokenize_chunk(chunk, u, &mut v);
                let mut b = start;
                for (t, n) in v {
                    tokens.push(Token { start: b, end: b + t.len(), norm: n });
                    b += t.len();
                }
                return;
            }
            if !cache.contains_key(chunk) {
                let mut v = Vec::new();
                self.tokenize_chunk(chunk, u, &mut v);
                if cache.len() >= CHUNK_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(chunk.to_string(), v.into_iter().map(|(t, n)| (t.len() as u32, n)).collect());
            }
            let mut b = start;
            if let Some(pieces) = cache.get(chunk) {
                for (len, n) in pieces {
                    let e = b + *len as usize;
                    tokens.push(Token { start: b, end: e, norm: n.clone() });
                    b = e;
                }
            }
        };
        let mut chunk_start = 0usize;
        let mut in_ws: Option<bool> = None;
        for (byte_i, ch) in text.char_indices() {
            let sp = u.is_space(ch);
            let cur = *in_ws.get_or_insert(sp);
            if sp != cur {
                emit(chunk_start, byte_i, &mut tokens);
                chunk_start = if ch == ' ' { byte_i + 1 } else { byte_i };
                in_ws = Some(!cur);
            }
        }
        emit(chunk_start, text.len(), &mut tokens);
        self.apply_special_matcher(&mut tokens, text);
        tokens
    }

    /// Tokenize `text` (no cache shared across calls).
    pub fn tokenize(&self, text: &str, u: &PyUnicode) -> Vec<Token> {
        let mut cache = HashMap::new();
        self.tokenize_cached(text, u, &mut cache)
    }

    /// The `_apply_special_cases` pass: token sequences equal to the affix
    /// tokenization of a special case whose exact text matches are replaced.
    fn apply_special_matcher(&self, tokens: &mut Vec<Token>, text: &str) {
        if self.matcher.is_empty() || tokens.is_empty() {
            return;
        }
        // candidate spans (start, end)
        let mut cands: Vec<(usize, usize)> = Vec::new();
        for i in 0..tokens.len() {
            if let Some(pats) = self.matcher.get(&text[tokens[i].start..tokens[i].end]) {
                for (pat, _key) in pats {
                    let n = pat.len();
                    if i + n > tokens.len() {
                        continue;
                    }
                    if (0..n).all(|j| &text[tokens[i + j].start..tokens[i + j].end] == pat[j].as_str()) {
                        cands.push((i, i + n));
                    }
                }
            }
        }
        if cands.is_empty() {
            return;
        }
        cands.sort();
        cands.dedup();
        // sort by (len asc, start desc) then iterate from the end
        cands.sort_by(|a, b| {
            let la = a.1 - a.0;
            let lb = b.1 - b.0;
            la.cmp(&lb).then(b.0.cmp(&a.0))
        });
        let mut seen = std::collections::HashSet::new();
        let mut filtered = Vec::new();
        for &(s, e) in cands.iter().rev() {
            if !seen.contains(&s) && !seen.contains(&(e - 1)) {
                filtered.push((s, e));
            }
            for k in s..e {
                seen.insert(k);
            }
        }
        filtered.sort();
        let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
        let mut i = 0;
        let mut fi = 0;
        while i < tokens.len() {
            if fi < filtered.len() && filtered[fi].0 == i {
                let (s, e) = filtered[fi];
                fi += 1;
                let span_text = &text[tokens[s].start..tokens[e - 1].end];
                if let Some(sp) = self.specials.get(span_text) {
                    let mut b = tokens[s].start;
                    for (t, n) in &sp.tokens {
                        out.push(Token { start: b, end: b + t.len(), norm: n.clone() });
                        b += t.len();
                    }
                } else {
                    out.extend(tokens[s..e].iter().cloned());
                }
                i = e;
            } else {
                out.push(tokens[i].clone());
                i += 1;
            }
        }
        *tokens = out;
    }
}
