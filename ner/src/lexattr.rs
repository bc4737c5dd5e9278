//! Lexical attributes used as NER features (spaCy `NORM`, `PREFIX`, `SUFFIX`,
//! `SHAPE`) and their string ids (spaCy symbol id if the string is a
//! built-in symbol, else MurmurHash64A of the UTF-8 bytes).

use std::collections::HashMap;

use super::hash::hash_string;
use super::unicode::PyUnicode;

/// Tables needed to compute lexical attributes.
pub struct LexAttrs {
    /// `lexeme_norm` lookup table, keyed by hash of the word.
    pub norm_table: HashMap<u64, String>,
    /// spaCy's `BASE_NORMS`.
    pub base_norms: HashMap<String, String>,
    /// spaCy `SYMBOLS_BY_STR`.
    pub symbols: HashMap<String, u64>,
    pub uni: PyUnicode,
}

impl LexAttrs {
    /// String id as returned by `StringStore.add`.
    pub fn string_id(&self, s: &str) -> u64 {
        if s.is_empty() {
            return 0;
        }
        if let Some(&id) = self.symbols.get(s) {
            return id;
        }
        hash_string(s)
    }

    /// Lexeme norm: `lexeme_norm` table, then `BASE_NORMS`, then `lower()`.
    pub fn lex_norm(&self, word: &str) -> String {
        if let Some(n) = self.norm_table.get(&hash_string(word)) {
            return n.clone();
        }
        if let Some(n) = self.base_norms.get(word) {
            return n.clone();
        }
        self.uni.lower(word)
    }

    /// spaCy `word_shape`.
    pub fn shape(&self, word: &str) -> String {
        if word.chars().count() >= 100 {
            return "LONG".to_string();
        }
        let mut out = String::new();
        let mut last: Option<char> = None;
        let mut seq = 0;
        for c in word.chars() {
            let sc = if self.uni.is_alpha(c) {
                if self.uni.is_upper(c) { 'X' } else { 'x' }
            } else if self.uni.is_digit(c) {
                'd'
            } else {
                c
            };
            if Some(sc) == last {
                seq += 1;
            } else {
                seq = 0;
                last = Some(sc);
            }
            if seq < 4 {
                out.push(sc);
            }
        }
        out
    }

    /// The four feature ids [NORM, PREFIX, SUFFIX, SHAPE] of a token.
    pub fn feature_ids(&self, text: &str, norm_override: Option<&str>) -> [u64; 4] {
        let norm = match norm_override {
            Some(n) => n.to_string(),
            None => self.lex_norm(text),
        };
        let prefix: String = text.chars().take(1).collect();
        let n = text.chars().count();
        let suffix: String = text.chars().skip(n.saturating_sub(3)).collect();
        [self.string_id(&norm), self.string_id(&prefix), self.string_id(&suffix), self.string_id(&self.shape(text))]
    }
}
