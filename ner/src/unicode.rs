//! Python `str` character predicates (`isspace`, `isalpha`, `isupper`,
//! `isdigit`, `isdecimal`, `isalnum`) and `str.lower()`, reproduced from range
//! tables exported by the converter from the Python that ran spaCy, so that
//! word shapes, norms and tokenizer regex classes agree with spaCy exactly.

use std::collections::HashMap;

/// A sorted list of inclusive code point ranges.
#[derive(Debug, Clone, Default)]
pub struct RangeSet {
    ranges: Vec<(u32, u32)>,
}

impl RangeSet {
    /// Build from `[lo, hi]` pairs (must be sorted and disjoint).
    pub fn new(mut ranges: Vec<(u32, u32)>) -> Self {
        ranges.sort_unstable();
        RangeSet { ranges }
    }
    /// Whether `c` is in the set.
    #[inline]
    pub fn contains(&self, c: char) -> bool {
        let cp = c as u32;
        // binary search for the last range with lo <= cp
        let idx = self.ranges.partition_point(|&(lo, _)| lo <= cp);
        idx > 0 && self.ranges[idx - 1].1 >= cp
    }
}

/// Python string semantics for single characters.
#[derive(Debug, Clone, Default)]
pub struct PyUnicode {
    space: RangeSet,
    alpha: RangeSet,
    upper: RangeSet,
    digit: RangeSet,
    decimal: RangeSet,
    alnum: RangeSet,
    lower: HashMap<char, String>,
}

impl PyUnicode {
    /// Build from the converter's tables.
    pub fn new(
        space: RangeSet,
        alpha: RangeSet,
        upper: RangeSet,
        digit: RangeSet,
        decimal: RangeSet,
        alnum: RangeSet,
        lower: HashMap<char, String>,
    ) -> Self {
        PyUnicode { space, alpha, upper, digit, decimal, alnum, lower }
    }
    #[inline]
    pub fn is_space(&self, c: char) -> bool {
        if c.is_ascii() {
            matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f')
        } else {
            self.space.contains(c)
        }
    }
    #[inline]
    pub fn is_alpha(&self, c: char) -> bool {
        if c.is_ascii() { c.is_ascii_alphabetic() } else { self.alpha.contains(c) }
    }
    #[inline]
    pub fn is_upper(&self, c: char) -> bool {
        if c.is_ascii() { c.is_ascii_uppercase() } else { self.upper.contains(c) }
    }
    #[inline]
    pub fn is_digit(&self, c: char) -> bool {
        if c.is_ascii() { c.is_ascii_digit() } else { self.digit.contains(c) }
    }
    #[inline]
    pub fn is_decimal(&self, c: char) -> bool {
        if c.is_ascii() { c.is_ascii_digit() } else { self.decimal.contains(c) }
    }
    /// Python `re` `\w` for str patterns: `isalnum()` or `_`.
    #[inline]
    pub fn is_word(&self, c: char) -> bool {
        if c.is_ascii() { c.is_ascii_alphanumeric() || c == '_' } else { self.alnum.contains(c) }
    }
    /// `str.isspace()` for a whole string (false for empty strings).
    pub fn str_is_space(&self, s: &str) -> bool {
        !s.is_empty() && s.chars().all(|c| self.is_space(c))
    }
    /// Python `str.lower()` (final-sigma rule included).
    pub fn lower(&self, s: &str) -> String {
        if s.is_ascii() {
            return s.to_ascii_lowercase();
        }
        let chars: Vec<char> = s.chars().collect();
        let mut out = String::with_capacity(s.len());
        for (i, &c) in chars.iter().enumerate() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else if c == '\u{03A3}' {
                out.push(if self.final_sigma(&chars, i) { '\u{03C2}' } else { '\u{03C3}' });
            } else if let Some(l) = self.lower.get(&c) {
                out.push_str(l);
            } else {
                out.push(c);
            }
        }
        out
    }
    fn final_sigma(&self, chars: &[char], i: usize) -> bool {
        // Python: preceded by a cased letter (skipping case-ignorable) and not
        // followed by one. Approximation: cased = alpha with a case mapping.
        let cased = |c: char| c.is_lowercase() || c.is_uppercase();
        let ignorable = |c: char| matches!(c, '\'' | '.' | ':' | '^' | '`' | '\u{00AD}' | '\u{2019}');
        let mut j = i;
        let mut before = false;
        while j > 0 {
            j -= 1;
            if ignorable(chars[j]) {
                continue;
            }
            before = cased(chars[j]);
            break;
        }
        if !before {
            return false;
        }
        let mut after = false;
        for &c in &chars[i + 1..] {
            if ignorable(c) {
                continue;
            }
            after = cased(c);
            break;
        }
        !after
    }
}
