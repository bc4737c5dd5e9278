//! A small backtracking regular-expression engine covering the subset of
//! Python `re` syntax used by spaCy's English tokenizer rules: literals,
//! escapes, character classes (ranges, `\uXXXX`, `\UXXXXXXXX`, `\w\d\s\S`),
//! `(?:...)` groups, alternation, greedy quantifiers (`* + ? {m} {m,} {m,n}`),
//! anchors `^` / `$` (Python semantics: `$` also matches before a final
//! newline), look-ahead `(?=` `(?!` and look-behind `(?<=` `(?<!`.
//!
//! Matching works on `&[char]` and follows Python's leftmost-first
//! (backtracking) alternation semantics, so results equal `re.search`,
//! `re.match` and `re.finditer` for these patterns.

use super::unicode::PyUnicode;

#[derive(Debug, Clone)]
enum ClassItem {
    Range(char, char),
    Word(bool),
    Digit(bool),
    Space(bool),
}

#[derive(Debug, Clone)]
enum Node {
    Char(char),
    Class(CharClass),
    Any,
    Start,
    End,
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat { node: Box<Node>, min: usize, max: usize, greedy: bool },
    Look { node: Box<Node>, ahead: bool, negate: bool, min_w: usize, max_w: Option<usize> },
}

/// A compiled character class: ASCII bitmap plus sorted non-ASCII ranges
/// and Unicode predicates.
#[derive(Debug, Clone)]
pub struct CharClass {
    ascii: u128,
    ranges: Vec<(u32, u32)>,
    preds: Vec<ClassItem>,
    negated: bool,
}

impl CharClass {
    fn new(items: &[ClassItem], negated: bool) -> CharClass {
        let mut ascii: u128 = 0;
        let mut ranges = Vec::new();
        let mut preds = Vec::new();
        for it in items {
            match *it {
                ClassItem::Range(lo, hi) => {
                    let (lo, hi) = (lo as u32, hi as u32);
                    for cp in lo..=hi.min(127) {
                        ascii |= 1u128 << cp;
                    }
                    if hi >= 128 {
                        ranges.push((lo.max(128), hi));
                    }
                }
                ref p => {
                    for cp in 0u32..128 {
                        let c = cp as u8 as char;
                        let m = match *p {
                            ClassItem::Word(neg) => (c.is_ascii_alphanumeric() || c == '_') != neg,
                            ClassItem::Digit(neg) => c.is_ascii_digit() != neg,
                            ClassItem::Space(neg) => {
                                matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f') != neg
                            }
                            ClassItem::Range(..) => false,
                        };
                        if m {
                            ascii |= 1u128 << cp;
                        }
                    }
                    preds.push(p.clone());
                }
            }
        }
        let merged = merge_ranges(ranges);
        if negated {
            ascii = !ascii;
        }
        CharClass { ascii, ranges: merged, preds, negated }
    }

    #[inline]
    fn matches(&self, c: char, u: &PyUnicode) -> bool {
        let cp = c as u32;
        if cp < 128 {
            return (self.ascii >> cp) & 1 == 1;
        }
        let idx = self.ranges.partition_point(|&(lo, _)| lo <= cp);
        let mut hit = idx > 0 && self.ranges[idx - 1].1 >= cp;
        if !hit {
            for p in &self.preds {
                let m = match *p {
                    ClassItem::Word(neg) => u.is_word(c) != neg,
                    ClassItem::Digit(neg) => u.is_decimal(c) != neg,
                    ClassItem::Space(neg) => u.is_space(c) != neg,
                    ClassItem::Range(..) => false,
                };
                if m {
                    hit = true;
                    break;
                }
            }
        }
        hit != self.negated
    }

    fn can_match_non_ascii(&self) -> bool {
        self.negated || !self.ranges.is_empty() || !self.preds.is_empty()
    }
}

/// Sort and merge overlapping/adjacent ranges.
fn merge_ranges(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::new();
    for (lo, hi) in ranges {
        if let Some(last) = merged.last_mut()
            && lo <= last.1.saturating_add(1)
        {
            last.1 = last.1.max(hi);
            continue;
        }
        merged.push((lo, hi));
    }
    merged
}

/// Dispatch table for a top-level alternation.
#[derive(Debug, Clone)]
struct Dispatch {
    /// Per ASCII char: branch indices that may match starting with it.
    ascii: Vec<Vec<u16>>,
    /// Branches that may match starting with a non-ASCII char (with filter).
    non_ascii: Vec<(u16, Option<CharClass>)>,
    /// Branches that may match at end of input (first char unknown).
    at_end: Vec<u16>,
}

/// A compiled pattern.
#[derive(Debug, Clone)]
pub struct Regex {
    root: Node,
    dispatch: Option<Dispatch>,
    /// Every match starts at position 0 (each branch begins with `^`).
    at_start: bool,
    /// For a pattern whose every branch ends with `$`: how far before the end each branch can
    /// start, so a search tries only those positions. Without it, stripping one suffix at a time
    /// off a 32,000-character chunk (`)))…`) tries every position each time: quadratic.
    end_reach: Option<Vec<Reach>>,
}

#[cfg(test)]
thread_local! {
    /// Match attempts made on this thread (tests count work instead of timing it).
    pub(crate) static ATTEMPTS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How far before the end of the text a match of one end-anchored branch can start.
#[derive(Debug, Clone)]
enum Reach {
    /// At most this many characters.
    Chars(usize),
    /// Over a run of characters that these nodes (single characters or classes) can consume.
    Run(Vec<Node>),
    /// Anywhere.
    Anywhere,
}

impl Reach {
    fn of(branch: &Node) -> Reach {
        if let Some(max) = width(branch).1 {
            return Reach::Chars(max);
        }
        let mut consumers = Vec::new();
        if collect_consumers(branch, &mut consumers) { Reach::Run(consumers) } else { Reach::Anywhere }
    }

    /// The first position a match could start at in `s`.
    fn earliest(&self, s: &[char], u: &PyUnicode) -> usize {
        match self {
            // `$` also matches before a final newline, hence one more position.
            Reach::Chars(max) => s.len().saturating_sub(max + 1),
            Reach::Run(consumers) => {
                let mut i = s.len();
                if s.last() == Some(&'\n') {
                    i -= 1;
                }
                let m = Matcher::new(s, u);
                while i > 0 && consumers.iter().any(|c| m.single(c, s[i - 1]) == Some(true)) {
                    i -= 1;
                }
                i
            }
            Reach::Anywhere => 0,
        }
    }
}

/// The single-character nodes `node` can consume with (lookarounds consume nothing); `false`
/// when it can consume any character.
fn collect_consumers(node: &Node, out: &mut Vec<Node>) -> bool {
    match node {
        Node::Char(_) | Node::Class(_) => {
            out.push(node.clone());
            true
        }
        Node::Any => false,
        Node::Start | Node::End | Node::Look { .. } => true,
        Node::Concat(items) | Node::Alt(items) => items.iter().all(|n| collect_consumers(n, out)),
        Node::Repeat { node, .. } => collect_consumers(node, out),
    }
}

/// (min, max) number of chars a node can consume (max None = unbounded).
fn width(node: &Node) -> (usize, Option<usize>) {
    match node {
        Node::Char(_) | Node::Class(_) | Node::Any => (1, Some(1)),
        Node::Start | Node::End | Node::Look { .. } => (0, Some(0)),
        Node::Concat(items) => items.iter().fold((0, Some(0)), |(a, b), it| {
            let (c, d) = width(it);
            (
                a + c,
                match (b, d) {
                    (Some(x), Some(y)) => Some(x + y),
                    _ => None,
                },
            )
        }),
        Node::Alt(branches) => {
            let mut lo = usize::MAX;
            let mut hi = Some(0);
            for b in branches {
                let (c, d) = width(b);
                lo = lo.min(c);
                hi = match (hi, d) {
                    (Some(x), Some(y)) => Some(x.max(y)),
                    _ => None,
                };
            }
            (if branches.is_empty() { 0 } else { lo }, hi)
        }
        Node::Repeat { node, min, max, .. } => {
            let (c, d) = width(node);
            let hi = if *max == usize::MAX {
                if d == Some(0) { Some(0) } else { None }
            } else {
                d.map(|x| x.saturating_mul(*max))
            };
            (c.saturating_mul(*min), hi)
        }
    }
}

/// Whether every match of `node` must start at position 0.
fn begins_at_start(node: &Node) -> bool {
    match node {
        Node::Start => true,
        Node::Concat(items) => items.first().is_some_and(begins_at_start),
        Node::Alt(branches) => !branches.is_empty() && branches.iter().all(begins_at_start),
        _ => false,
    }
}

/// Whether every match of `node` must end at `$`.
fn ends_at_end(node: &Node) -> bool {
    match node {
        Node::End => true,
        Node::Concat(items) => items.last().is_some_and(ends_at_end),
        Node::Alt(branches) => !branches.is_empty() && branches.iter().all(ends_at_end),
        _ => false,
    }
}

fn look(node: Node, ahead: bool, negate: bool) -> Node {
    let (min_w, max_w) = width(&node);
    Node::Look { node: Box::new(node), ahead, negate, min_w, max_w }
}

struct Parser<'a> {
    s: &'a [char],
    i: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn parse_alt(&mut self) -> Result<Node, String> {
        let mut branches = vec![self.parse_concat()?];
        while self.eat('|') {
            branches.push(self.parse_concat()?);
        }
        Ok(if branches.len() == 1 { branches.pop().unwrap_or(Node::Concat(vec![])) } else { Node::Alt(branches) })
    }
    fn parse_concat(&mut self) -> Result<Node, String> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.parse_atom()?;
            let atom = self.parse_quant(atom)?;
            items.push(atom);
        }
        Ok(Node::Concat(items))
    }
    fn parse_number(&mut self) -> Option<usize> {
        let start = self.i;
        while let Some(c) = self.peek() {
            if c.is_ascii_digit() { self.i += 1 } else { break }
        }
        if self.i == start {
            return None;
        }
        self.s[start..self.i].iter().collect::<String>().parse().ok()
    }
    fn parse_quant(&mut self, atom: Node) -> Result<Node, String> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.i += 1;
                (0, usize::MAX)
            }
            Some('+') => {
                self.i += 1;
                (1, usize::MAX)
            }
            Some('?') => {
                self.i += 1;
                (0, 1)
            }
            Some('{') => {
                let save = self.i;
                self.i += 1;
                let lo = self.parse_number();
                let res = if self.eat('}') {
                    lo.map(|n| (n, n))
                } else if self.eat(',') {
                    let hi = self.parse_number();
                    if self.eat('}') { Some((lo.unwrap_or(0), hi.unwrap_or(usize::MAX))) } else { None }
                } else {
                    None
                };
                match res {
                    Some(r) => r,
                    None => {
                        self.i = save;
                        return Ok(atom);
                    }
                }
            }
            _ => return Ok(atom),
        };
        let greedy = !self.eat('?');
        Ok(Node::Repeat { node: Box::new(atom), min, max, greedy })
    }
    fn parse_hex(&mut self, n: usize) -> Result<char, String> {
        if self.i + n > self.s.len() {
            return Err("short hex escape".into());
        }
        let h: String = self.s[self.i..self.i + n].iter().collect();
        self.i += n;
        let v = u32::from_str_radix(&h, 16).map_err(|e| e.to_string())?;
        char::from_u32(v).ok_or_else(|| "bad code point".to_string())
    }
    /// Parse an escape after the backslash; returns a class item or a literal.
    fn parse_escape(&mut self) -> Result<Result<char, ClassItem>, String> {
        let c = self.peek().ok_or("dangling backslash")?;
        self.i += 1;
        Ok(match c {
            'u' => Ok(self.parse_hex(4)?),
            'U' => Ok(self.parse_hex(8)?),
            'x' => Ok(self.parse_hex(2)?),
            'n' => Ok('\n'),
            't' => Ok('\t'),
            'r' => Ok('\r'),
            'f' => Ok('\x0c'),
            'v' => Ok('\x0b'),
            'w' => Err(ClassItem::Word(false)),
            'W' => Err(ClassItem::Word(true)),
            'd' => Err(ClassItem::Digit(false)),
            'D' => Err(ClassItem::Digit(true)),
            's' => Err(ClassItem::Space(false)),
            'S' => Err(ClassItem::Space(true)),
            other if other.is_ascii_alphanumeric() => return Err(format!("unsupported escape \\{}", other)),
            other => Ok(other),
        })
    }
    fn parse_class(&mut self) -> Result<Node, String> {
        let negated = self.eat('^');
        let mut items = Vec::new();
        let mut first = true;
        loop {
            let c = self.peek().ok_or("unterminated class")?;
            if c == ']' && !first {
                self.i += 1;
                break;
            }
            first = false;
            self.i += 1;
            let lo = if c == '\\' {
                match self.parse_escape()? {
                    Ok(ch) => ch,
                    Err(item) => {
                        items.push(item);
                        continue;
                    }
                }
            } else {
                c
            };
            // range?
            if self.peek() == Some('-') && self.s.get(self.i + 1).is_some_and(|&n| n != ']') {
                self.i += 1;
                let c2 = self.peek().ok_or("unterminated range")?;
                self.i += 1;
                let hi = if c2 == '\\' {
                    match self.parse_escape()? {
                        Ok(ch) => ch,
                        Err(_) => return Err("class in range".into()),
                    }
                } else {
                    c2
                };
                items.push(ClassItem::Range(lo, hi));
            } else {
                items.push(ClassItem::Range(lo, lo));
            }
        }
        Ok(Node::Class(CharClass::new(&items, negated)))
    }
    fn parse_atom(&mut self) -> Result<Node, String> {
        let c = self.peek().ok_or("unexpected end")?;
        self.i += 1;
        match c {
            '(' => {
                let node = if self.eat('?') {
                    if self.eat(':') {
                        self.parse_alt()?
                    } else if self.eat('=') {
                        look(self.parse_alt()?, true, false)
                    } else if self.eat('!') {
                        look(self.parse_alt()?, true, true)
                    } else if self.eat('<') {
                        let neg = if self.eat('=') {
                            false
                        } else if self.eat('!') {
                            true
                        } else {
                            return Err("bad lookbehind".into());
                        };
                        look(self.parse_alt()?, false, neg)
                    } else {
                        // inline flags such as (?u): skip letters, expect ')'
                        while let Some(f) = self.peek() {
                            if f.is_ascii_alphabetic() { self.i += 1 } else { break }
                        }
                        if !self.eat(')') {
                            return Err("unsupported group".into());
                        }
                        return Ok(Node::Concat(vec![]));
                    }
                } else {
                    self.parse_alt()?
                };
                if !self.eat(')') {
                    return Err("missing )".into());
                }
                Ok(node)
            }
            '[' => self.parse_class(),
            '.' => Ok(Node::Any),
            '^' => Ok(Node::Start),
            '$' => Ok(Node::End),
            '\\' => match self.parse_escape()? {
                Ok(ch) => Ok(Node::Char(ch)),
                Err(item) => Ok(Node::Class(CharClass::new(&[item], false))),
            },
            other => Ok(Node::Char(other)),
        }
    }
}

/// First-character class of a node, if it can be determined (None = unknown).
fn first_class(node: &Node) -> Option<CharClass> {
    match node {
        Node::Char(c) => Some(CharClass::new(&[ClassItem::Range(*c, *c)], false)),
        Node::Class(cc) => Some(cc.clone()),
        Node::Concat(items) => {
            for it in items {
                match it {
                    Node::Start | Node::Look { .. } => continue,
                    Node::Concat(v) if v.is_empty() => continue,
                    other => return first_class(other),
                }
            }
            None
        }
        Node::Repeat { node, min, .. } if *min >= 1 => first_class(node),
        Node::Alt(branches) => {
            let mut acc: Option<CharClass> = None;
            for b in branches {
                let c = first_class(b)?;
                if c.negated {
                    return None;
                }
                acc = Some(match acc {
                    None => c,
                    Some(mut a) => {
                        a.ascii |= c.ascii;
                        a.ranges.extend(c.ranges);
                        a.ranges = merge_ranges(std::mem::take(&mut a.ranges));
                        a.preds.extend(c.preds);
                        a
                    }
                });
            }
            acc
        }
        _ => None,
    }
}

/// Maximum nesting of the backtracking matcher. Repetitions of single
/// characters are iterative, so only pathological inputs (thousands of
/// repeated multi-character groups in one token) can reach it; the match
/// attempt is then abandoned instead of overflowing the stack.
const MAX_DEPTH: usize = 2500;

struct Matcher<'a> {
    s: &'a [char],
    u: &'a PyUnicode,
    depth: std::cell::Cell<usize>,
}

impl<'a> Matcher<'a> {
    fn new(s: &'a [char], u: &'a PyUnicode) -> Self {
        Matcher { s, u, depth: std::cell::Cell::new(0) }
    }

    #[inline]
    fn single(&self, node: &Node, c: char) -> Option<bool> {
        match node {
            Node::Char(x) => Some(*x == c),
            Node::Class(cc) => Some(cc.matches(c, self.u)),
            Node::Any => Some(c != '\n'),
            _ => None,
        }
    }

    fn m(&self, node: &Node, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        let d = self.depth.get();
        if d >= MAX_DEPTH {
            return false;
        }
        self.depth.set(d + 1);
        let r = self.m_inner(node, pos, k);
        self.depth.set(d);
        r
    }

    fn m_inner(&self, node: &Node, pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match node {
            Node::Char(c) => pos < self.s.len() && self.s[pos] == *c && k(pos + 1),
            Node::Class(cc) => pos < self.s.len() && cc.matches(self.s[pos], self.u) && k(pos + 1),
            Node::Any => pos < self.s.len() && self.s[pos] != '\n' && k(pos + 1),
            Node::Start => pos == 0 && k(pos),
            Node::End => (pos == self.s.len() || (pos + 1 == self.s.len() && self.s[pos] == '\n')) && k(pos),
            Node::Concat(items) => self.seq(items, pos, k),
            Node::Alt(branches) => {
                for b in branches {
                    if self.m(b, pos, k) {
                        return true;
                    }
                }
                false
            }
            Node::Repeat { node, min, max, greedy } => {
                if matches!(**node, Node::Char(_) | Node::Class(_) | Node::Any) {
                    // iterative repetition of a single-character matcher
                    let limit = (*max).min(self.s.len() - pos);
                    let mut cnt = 0;
                    while cnt < limit && self.single(node, self.s[pos + cnt]) == Some(true) {
                        cnt += 1;
                    }
                    if cnt < *min {
                        return false;
                    }
                    if *greedy {
                        for c in (*min..=cnt).rev() {
                            if k(pos + c) {
                                return true;
                            }
                        }
                    } else {
                        for c in *min..=cnt {
                            if k(pos + c) {
                                return true;
                            }
                        }
                    }
                    false
                } else {
                    self.rep(node, *min, *max, *greedy, 0, pos, k)
                }
            }
            Node::Look { node, ahead, negate, min_w, max_w } => {
                let found = if *ahead {
                    self.m(node, pos, &mut |_| true)
                } else {
                    let mut f = false;
                    let lo = match max_w {
                        Some(w) => pos.saturating_sub(*w),
                        None => 0,
                    };
                    let hi = if *min_w > pos { None } else { Some(pos - *min_w) };
                    for start in (lo..=hi.unwrap_or(0)).rev() {
                        if hi.is_none() {
                            break;
                        }
                        if self.m(node, start, &mut |e| e == pos) {
                            f = true;
                            break;
                        }
                    }
                    f
                };
                found != *negate && k(pos)
            }
        }
    }
    fn seq(&self, items: &[Node], pos: usize, k: &mut dyn FnMut(usize) -> bool) -> bool {
        match items.split_first() {
            None => k(pos),
            Some((first, rest)) => self.m(first, pos, &mut |p| self.seq(rest, p, k)),
        }
    }
    #[allow(clippy::too_many_arguments)]
    fn rep(
        &self,
        node: &Node,
        min: usize,
        max: usize,
        greedy: bool,
        count: usize,
        pos: usize,
        k: &mut dyn FnMut(usize) -> bool,
    ) -> bool {
        if !greedy && count >= min && k(pos) {
            return true;
        }
        if count < max {
            let more = self.m(node, pos, &mut |p| {
                if p == pos && count >= min {
                    return false;
                }
                self.rep(node, min, max, greedy, count + 1, p, k)
            });
            if more {
                return true;
            }
        }
        greedy && count >= min && k(pos)
    }
}

/// A pattern outside the supported subset of Python's `re`, and where.
#[derive(Debug, thiserror::Error)]
#[error("{message} at character {at}")]
pub struct PatternError {
    pub at: usize,
    pub message: String,
}

impl Regex {
    /// Compile a Python-style pattern.
    pub fn new(pattern: &str) -> Result<Regex, PatternError> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = Parser { s: &chars, i: 0 };
        let root = p.parse_alt().map_err(|message| PatternError { at: p.i, message })?;
        if p.i != chars.len() {
            return Err(PatternError { at: p.i, message: "unexpected ')'".into() });
        }
        let dispatch = match &root {
            Node::Alt(branches) if branches.len() < u16::MAX as usize => {
                let firsts: Vec<Option<CharClass>> = branches.iter().map(first_class).collect();
                let dummy = PyUnicode::default();
                let mut ascii = vec![Vec::new(); 128];
                let mut non_ascii = Vec::new();
                let mut at_end = Vec::new();
                for (bi, f) in firsts.into_iter().enumerate() {
                    let bi = bi as u16;
                    match f {
                        None => {
                            for v in ascii.iter_mut() {
                                v.push(bi);
                            }
                            non_ascii.push((bi, None));
                            at_end.push(bi);
                        }
                        Some(cc) => {
                            for cp in 0u8..128 {
                                if cc.matches(cp as char, &dummy) {
                                    ascii[cp as usize].push(bi);
                                }
                            }
                            if cc.can_match_non_ascii() {
                                non_ascii.push((bi, Some(cc)));
                            }
                        }
                    }
                }
                Some(Dispatch { ascii, non_ascii, at_end })
            }
            _ => None,
        };
        let at_start = begins_at_start(&root);
        let end_reach = ends_at_end(&root).then(|| match &root {
            Node::Alt(branches) => branches.iter().map(Reach::of).collect(),
            other => vec![Reach::of(other)],
        });
        Ok(Regex { root, dispatch, at_start, end_reach })
    }

    fn match_at(&self, s: &[char], pos: usize, u: &PyUnicode) -> Option<usize> {
        #[cfg(test)]
        ATTEMPTS.with(|a| a.set(a.get() + 1));
        let m = Matcher::new(s, u);
        let mut end = None;
        let ok = match (&self.root, &self.dispatch) {
            (Node::Alt(branches), Some(d)) => {
                let mut hit = false;
                match s.get(pos) {
                    Some(&c) if (c as u32) < 128 => {
                        for &bi in &d.ascii[c as usize] {
                            if m.m(&branches[bi as usize], pos, &mut |e| {
                                end = Some(e);
                                true
                            }) {
                                hit = true;
                                break;
                            }
                        }
                    }
                    Some(&c) => {
                        for (bi, f) in &d.non_ascii {
                            if let Some(cc) = f
                                && !cc.matches(c, u)
                            {
                                continue;
                            }
                            if m.m(&branches[*bi as usize], pos, &mut |e| {
                                end = Some(e);
                                true
                            }) {
                                hit = true;
                                break;
                            }
                        }
                    }
                    None => {
                        for &bi in &d.at_end {
                            if m.m(&branches[bi as usize], pos, &mut |e| {
                                end = Some(e);
                                true
                            }) {
                                hit = true;
                                break;
                            }
                        }
                    }
                }
                hit
            }
            _ => m.m(&self.root, pos, &mut |e| {
                end = Some(e);
                true
            }),
        };
        if ok { end } else { None }
    }

    /// `re.match`: anchored at 0; returns end of match.
    pub fn match_start(&self, s: &[char], u: &PyUnicode) -> Option<usize> {
        self.match_at(s, 0, u)
    }

    /// `re.search`: leftmost match, as (start, end).
    pub fn search(&self, s: &[char], u: &PyUnicode) -> Option<(usize, usize)> {
        self.search_from(s, 0, u)
    }

    fn search_from(&self, s: &[char], from: usize, u: &PyUnicode) -> Option<(usize, usize)> {
        if self.at_start {
            return if from == 0 { self.match_at(s, 0, u).map(|e| (0, e)) } else { None };
        }
        let from = match &self.end_reach {
            Some(reaches) => from.max(reaches.iter().map(|r| r.earliest(s, u)).min().unwrap_or(0)),
            None => from,
        };
        for start in from..=s.len() {
            if let Some(e) = self.match_at(s, start, u) {
                return Some((start, e));
            }
        }
        None
    }

    /// `re.finditer`: successive non-overlapping matches.
    pub fn find_iter(&self, s: &[char], u: &PyUnicode) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos <= s.len() {
            match self.search_from(s, pos, u) {
                None => break,
                Some((a, b)) => {
                    out.push((a, b));
                    pos = if b == a { b + 1 } else { b };
                }
            }
        }
        out
    }
}
