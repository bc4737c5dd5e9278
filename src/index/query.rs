//! The search box's language, parsed leniently into tantivy queries.
//!
//! Words (all must match), `"a phrase"`, `"a b"~5` (within five words), `word*` (any word
//! starting so), `word~` or `word~2` (one or two letters off), `OR`, `AND`, `NOT`/`-word`,
//! `+word`, parentheses, `title:word`, `=François` (that exact spelling, accents included, in any
//! case) and `/regex/` (matched over the whole text, not word by word). Case and accents are
//! folded for matching, so "francois" finds "François".
//!
//! Nothing typed makes the search fail: what cannot be understood is searched as words or left
//! out, and said in a warning. An exact spelling or a pattern cannot be looked up in the index
//! (which holds folded words), so they become [`Check`]s: the documents the rest of the query
//! finds are read and kept if the check holds, within a time budget.

use std::collections::HashSet;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, RegexQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

/// The most letters a fuzzy word may be off by (tantivy's automata stop at two).
const MAX_FUZZY: u8 = 2;
/// The shortest start of a word `word*` expands (shorter ones match most of the dictionary).
const MIN_PREFIX: usize = 2;

/// A condition on a document's text that the index cannot answer.
#[derive(Clone, Debug)]
pub(super) struct Check {
    pub regex: regex::Regex,
    /// The document must not match (`-/x/`, `-=Word`).
    pub negated: bool,
    /// As typed, for messages.
    pub written: String,
}

/// What to mark in a document for a query: folded words and phrases, word starts, fuzzy
/// words, and patterns over the text (exact spellings, regexes).
#[derive(Clone, Debug, Default)]
pub(super) struct Marks {
    pub words: HashSet<String>,
    pub phrases: Vec<Vec<String>>,
    pub prefixes: Vec<String>,
    pub fuzzy: Vec<(String, u8)>,
    pub patterns: Vec<regex::Regex>,
}

impl Marks {
    /// Whether a folded token is marked on its own.
    pub fn marks_token(&self, token: &str) -> bool {
        self.words.contains(token)
            || self.prefixes.iter().any(|p| token.starts_with(p.as_str()))
            || self.fuzzy.iter().any(|(w, d)| within(w, token, *d))
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
            && self.phrases.is_empty()
            && self.prefixes.is_empty()
            && self.fuzzy.is_empty()
            && self.patterns.is_empty()
    }
}

/// A query parsed: what to ask the index, what to check in the text, what to mark, and what
/// was not understood.
pub(super) struct Parsed {
    pub query: Box<dyn Query>,
    pub checks: Vec<Check>,
    pub marks: Marks,
    pub warnings: Vec<String>,
}

/// The fields a word is looked for in, and the analyser that folds it.
pub(super) struct Fields<'a> {
    pub title: Field,
    pub body: Field,
    pub analyse: &'a dyn Fn(&str) -> Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Or,
    And,
    Not,
    Plus,
    /// `name:` before a word or phrase.
    Field(String),
    Phrase(String, u32),
    Regex(String),
    Word {
        text: String,
        star: bool,
        fuzzy: Option<u8>,
        exact: bool,
    },
}

/// Splits query text into tokens, and notes what it could not read.
fn lex(text: &str, warnings: &mut Vec<String>) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Token::Open);
                i += 1;
            }
            ')' => {
                out.push(Token::Close);
                i += 1;
            }
            '-' | '!' if out.last() != Some(&Token::Not) => {
                out.push(Token::Not);
                i += 1;
            }
            '+' => {
                out.push(Token::Plus);
                i += 1;
            }
            '"' => {
                let end = chars[i + 1..].iter().position(|&c| c == '"').map(|p| i + 1 + p);
                let phrase: String = chars[i + 1..end.unwrap_or(chars.len())].iter().collect();
                i = end.map_or(chars.len(), |e| e + 1);
                let mut slop = 0;
                if chars.get(i) == Some(&'~') {
                    let digits: String = chars[i + 1..].iter().take_while(|c| c.is_ascii_digit()).collect();
                    i += 1 + digits.len();
                    slop = digits.parse::<u32>().unwrap_or(2).min(100);
                }
                if end.is_none() {
                    warnings.push("a phrase was not closed with \"; searched up to the end".to_owned());
                }
                out.push(Token::Phrase(phrase, slop));
            }
            '/' => {
                let end = chars[i + 1..].iter().position(|&c| c == '/').map(|p| i + 1 + p);
                match end {
                    Some(end) if end > i + 1 => {
                        out.push(Token::Regex(chars[i + 1..end].iter().collect()));
                        i = end + 1;
                    }
                    _ => {
                        warnings.push("a /pattern/ was not closed with /; the / was ignored".to_owned());
                        i += 1;
                    }
                }
            }
            _ => {
                let start = i;
                while i < chars.len() && !chars[i].is_whitespace() && !"()\"".contains(chars[i]) {
                    if chars[i] == ':' && i > start && i + 1 < chars.len() && !chars[i + 1].is_whitespace() {
                        break;
                    }
                    i += 1;
                }
                let raw: String = chars[start..i].iter().collect();
                if chars.get(i) == Some(&':') {
                    i += 1;
                    out.push(Token::Field(raw));
                    continue;
                }
                out.push(word_token(&raw, warnings));
            }
        }
    }
    out
}

/// A word with its marks: `=exact`, `prefix*`, `fuzzy~N`; `OR`, `AND`, `NOT` as operators.
fn word_token(raw: &str, warnings: &mut Vec<String>) -> Token {
    match raw {
        "OR" | "||" => return Token::Or,
        "AND" | "&&" => return Token::And,
        "NOT" => return Token::Not,
        _ => {}
    }
    let (exact, rest) = match raw.strip_prefix('=') {
        Some(rest) => (true, rest),
        None => (false, raw),
    };
    let (rest, fuzzy) = match rest.rsplit_once('~') {
        Some((word, n)) if !word.is_empty() && (n.is_empty() || n.chars().all(|c| c.is_ascii_digit())) => {
            let n: u8 = n.parse().unwrap_or(1);
            if n > MAX_FUZZY {
                warnings.push(format!("{raw}: at most {MAX_FUZZY} letters off; searched with {MAX_FUZZY}"));
            }
            (word, Some(n.clamp(1, MAX_FUZZY)))
        }
        _ => (rest, None),
    };
    let (text, star) = match rest.strip_suffix('*') {
        Some(word) => (word.trim_end_matches('*'), true),
        None => (rest, false),
    };
    if text.contains(['*', '?']) {
        warnings.push(format!("{raw}: * works at the end of a word only; searched as written"));
    }
    Token::Word { text: text.replace(['*', '?'], " "), star, fuzzy, exact }
}

/// A parsed expression before it becomes a tantivy query.
#[derive(Debug)]
enum Node {
    /// Clauses that must (or must not) all hold.
    All(Vec<(Occur, Node)>),
    Any(Vec<Node>),
    Leaf {
        token: Token,
        title_only: bool,
    },
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    /// `a OR b OR c`, each side an implicit AND of clauses.
    fn any(&mut self, warnings: &mut Vec<String>) -> Option<Node> {
        let mut sides = Vec::new();
        loop {
            if let Some(side) = self.all(warnings) {
                sides.push(side);
            }
            if self.peek() == Some(&Token::Or) {
                self.at += 1;
                continue;
            }
            break;
        }
        match sides.len() {
            0 => None,
            1 => sides.pop(),
            _ => Some(Node::Any(sides)),
        }
    }

    fn all(&mut self, warnings: &mut Vec<String>) -> Option<Node> {
        let mut clauses = Vec::new();
        while let Some(token) = self.peek() {
            match token {
                Token::Or => break,
                Token::Close if self.depth > 0 => break,
                Token::Close => {
                    self.at += 1;
                    warnings.push("a ) without its ( was ignored".to_owned());
                }
                Token::And => self.at += 1,
                _ => {
                    if let Some(clause) = self.unary(warnings) {
                        clauses.push(clause);
                    }
                }
            }
        }
        match clauses.len() {
            0 => None,
            1 if clauses[0].0 == Occur::Must => clauses.pop().map(|(_, n)| n),
            _ => Some(Node::All(clauses)),
        }
    }

    /// A clause with its signs: `-`, `NOT` and `+` in any number (read in a loop, not by
    /// recursion: a pasted wall of them must not exhaust the stack).
    fn unary(&mut self, warnings: &mut Vec<String>) -> Option<(Occur, Node)> {
        let mut negated = false;
        while let Some(sign @ (Token::Not | Token::Plus)) = self.peek() {
            negated ^= *sign == Token::Not;
            self.at += 1;
        }
        if matches!(self.peek(), None | Some(Token::Close | Token::Or | Token::And)) {
            return None;
        }
        let (occur, node) = self.primary(warnings)?;
        let flipped = if occur == Occur::MustNot { Occur::Must } else { Occur::MustNot };
        Some((if negated { flipped } else { occur }, node))
    }

    fn primary(&mut self, warnings: &mut Vec<String>) -> Option<(Occur, Node)> {
        match self.next()? {
            // The parser's own bound, whatever the text's quoting looked like to `bound_query`:
            // a deeper group is read as if its ( were not there.
            Token::Open if self.depth >= crate::model::MAX_QUERY_DEPTH => {
                warnings.push(format!(
                    "parentheses nested deeper than {} levels were ignored",
                    crate::model::MAX_QUERY_DEPTH
                ));
                while self.peek() == Some(&Token::Open) {
                    self.at += 1;
                }
                self.primary(warnings)
            }
            Token::Open => {
                self.depth += 1;
                let inner = self.any(warnings);
                self.depth -= 1;
                if self.peek() == Some(&Token::Close) {
                    self.at += 1;
                } else {
                    warnings.push("a ( was not closed; closed at the end".to_owned());
                }
                inner.map(|n| (Occur::Must, n))
            }
            Token::Field(name) => {
                let title_only = name.eq_ignore_ascii_case("title");
                if !title_only {
                    warnings.push(format!("{name}: is not a field; searched as words"));
                }
                match self.peek() {
                    Some(Token::Word { .. } | Token::Phrase(..)) => {
                        let token = self.next()?;
                        let mut leaf = Node::Leaf { token, title_only };
                        if !title_only {
                            let name = Token::Word { text: name, star: false, fuzzy: None, exact: false };
                            let named = Node::Leaf { token: name, title_only: false };
                            leaf = Node::All(vec![(Occur::Must, named), (Occur::Must, leaf)]);
                        }
                        Some((Occur::Must, leaf))
                    }
                    _ => Some((
                        Occur::Must,
                        Node::Leaf {
                            token: Token::Word { text: name, star: false, fuzzy: None, exact: false },
                            title_only: false,
                        },
                    )),
                }
            }
            Token::Close | Token::Or | Token::And => None,
            token => Some((Occur::Must, Node::Leaf { token, title_only: false })),
        }
    }
}

/// Parses `text` (filters already taken out) into a query over titles and bodies.
pub(super) fn parse(text: &str, fields: &Fields<'_>) -> Parsed {
    let mut warnings = Vec::new();
    let tokens = lex(text, &mut warnings);
    let mut parser = Parser { tokens, at: 0, depth: 0 };
    let node = parser.any(&mut warnings);
    let mut out = Parsed { query: Box::new(AllQuery), checks: Vec::new(), marks: Marks::default(), warnings };
    let Some(node) = node else { return out };
    // Checks hold only as conditions on the whole query: its top-level clauses.
    let clauses = match node {
        Node::All(clauses) => clauses,
        other => vec![(Occur::Must, other)],
    };
    let mut kept: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for (occur, node) in clauses {
        let negated = occur == Occur::MustNot;
        if let Node::Leaf { token: Token::Regex(_) | Token::Word { exact: true, .. }, .. } = &node {
            // A pattern that does not compile is left out (check_of says so).
            let Some(check) = check_of(&node, negated, &mut out) else { continue };
            let exact = matches!(&node, Node::Leaf { token: Token::Word { exact: true, .. }, .. });
            out.checks.push(check);
            // An exact spelling is also looked up folded, so only documents with the word are read.
            if !exact || negated {
                continue;
            }
        }
        if let Some(query) = build(&node, fields, negated, &mut out) {
            kept.push((occur, query));
        }
    }
    if kept.is_empty() && out.checks.is_empty() {
        // Nothing searchable was typed (the warnings say why): nothing matches, rather than
        // everything.
        out.query = Box::new(EmptyQuery);
        return out;
    }
    if !kept.iter().any(|(o, _)| *o == Occur::Must) {
        kept.push((Occur::Must, Box::new(AllQuery)));
    }
    out.query = Box::new(BooleanQuery::new(kept));
    out
}

/// The check a top-level clause is, if it is a regex or an exact spelling.
fn check_of(node: &Node, negated: bool, out: &mut Parsed) -> Option<Check> {
    let Node::Leaf { token, .. } = node else { return None };
    let (pattern, written) = match token {
        Token::Regex(p) => (p.clone(), format!("/{p}/")),
        Token::Word { text, exact: true, .. } if text.trim().is_empty() => return None,
        Token::Word { text, exact: true, .. } => (format!(r"(?i)\b{}\b", regex::escape(text)), format!("={text}")),
        _ => return None,
    };
    match regex::RegexBuilder::new(&pattern).size_limit(1 << 20).build() {
        Ok(regex) => {
            if !negated {
                out.marks.patterns.push(regex.clone());
            }
            Some(Check { regex, negated, written })
        }
        Err(e) => {
            let first = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
            out.warnings.push(format!("{written} is not a pattern ({first}); ignored"));
            None
        }
    }
}

/// The tantivy query for `node`; `negated` nodes mark nothing.
fn build(node: &Node, fields: &Fields<'_>, negated: bool, out: &mut Parsed) -> Option<Box<dyn Query>> {
    match node {
        Node::All(clauses) => {
            let mut built: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (occur, n) in clauses {
                if let Some(q) = build(n, fields, negated ^ (*occur == Occur::MustNot), out) {
                    built.push((*occur, q));
                }
            }
            if built.is_empty() {
                return None;
            }
            if !built.iter().any(|(o, _)| *o == Occur::Must) {
                built.push((Occur::Must, Box::new(AllQuery)));
            }
            Some(Box::new(BooleanQuery::new(built)))
        }
        Node::Any(sides) => {
            let built: Vec<(Occur, Box<dyn Query>)> =
                sides.iter().filter_map(|n| build(n, fields, negated, out)).map(|q| (Occur::Should, q)).collect();
            (!built.is_empty()).then(|| Box::new(BooleanQuery::new(built)) as Box<dyn Query>)
        }
        Node::Leaf { token, title_only } => leaf(token, *title_only, fields, negated, out),
    }
}

fn leaf(
    token: &Token,
    title_only: bool,
    fields: &Fields<'_>,
    negated: bool,
    out: &mut Parsed,
) -> Option<Box<dyn Query>> {
    let (text, star, fuzzy) = match token {
        Token::Word { text, star, fuzzy, .. } => (text.as_str(), *star, *fuzzy),
        Token::Phrase(text, slop) => return words(&(fields.analyse)(text), *slop, title_only, fields, negated, out),
        Token::Regex(p) => {
            out.warnings.push(format!("/{p}/ works as a condition on the whole query, not inside OR or ( ); ignored"));
            return None;
        }
        _ => return None,
    };
    let tokens = (fields.analyse)(text);
    let targets: Vec<(Field, f32)> =
        if title_only { vec![(fields.title, 1.0)] } else { vec![(fields.title, 2.0), (fields.body, 1.0)] };
    let per_field = |make: &dyn Fn(Field) -> Option<Box<dyn Query>>| -> Option<Box<dyn Query>> {
        let any: Vec<(Occur, Box<dyn Query>)> = targets
            .iter()
            .filter_map(|(f, boost)| {
                let q = make(*f)?;
                Some((
                    Occur::Should,
                    if *boost == 1.0 { q } else { Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query> },
                ))
            })
            .collect();
        (!any.is_empty()).then(|| Box::new(BooleanQuery::new(any)) as Box<dyn Query>)
    };
    match (tokens.as_slice(), star, fuzzy) {
        ([stem], true, _) => {
            if stem.chars().count() < MIN_PREFIX {
                out.warnings.push(format!("{text}*: give at least {MIN_PREFIX} letters before *; searched as a word"));
                return words(&tokens, 0, title_only, fields, negated, out);
            }
            if !negated {
                out.marks.prefixes.push(stem.clone());
            }
            let pattern = format!("{}.*", regex::escape(stem));
            per_field(&|f| RegexQuery::from_pattern(&pattern, f).ok().map(|q| Box::new(q) as Box<dyn Query>))
        }
        ([word], false, Some(distance)) => {
            if !negated {
                out.marks.fuzzy.push((word.clone(), distance));
            }
            per_field(&|f| {
                let term = Term::from_field_text(f, word);
                Some(Box::new(FuzzyTermQuery::new(term, distance, true)) as Box<dyn Query>)
            })
        }
        _ => {
            if star || fuzzy.is_some() {
                out.warnings.push(format!("{text}: * and ~ work on single words; searched as a phrase"));
            }
            words(&tokens, 0, title_only, fields, negated, out)
        }
    }
}

/// A word (one token) or a phrase (several, within `slop` positions).
fn words(
    tokens: &[String],
    slop: u32,
    title_only: bool,
    fields: &Fields<'_>,
    negated: bool,
    out: &mut Parsed,
) -> Option<Box<dyn Query>> {
    if tokens.is_empty() {
        return None;
    }
    if !negated {
        match tokens {
            [one] => {
                out.marks.words.insert(one.clone());
            }
            _ if slop == 0 => out.marks.phrases.push(tokens.to_vec()),
            // Words of a loose phrase are marked one by one.
            _ => out.marks.words.extend(tokens.iter().cloned()),
        }
    }
    let targets: Vec<(Field, f32)> =
        if title_only { vec![(fields.title, 1.0)] } else { vec![(fields.title, 2.0), (fields.body, 1.0)] };
    let any: Vec<(Occur, Box<dyn Query>)> = targets
        .iter()
        .map(|(f, boost)| {
            let q: Box<dyn Query> = match tokens {
                [one] => Box::new(TermQuery::new(Term::from_field_text(*f, one), IndexRecordOption::WithFreqs)),
                _ => {
                    let mut phrase = PhraseQuery::new(tokens.iter().map(|t| Term::from_field_text(*f, t)).collect());
                    phrase.set_slop(slop);
                    Box::new(phrase)
                }
            };
            (Occur::Should, if *boost == 1.0 { q } else { Box::new(BoostQuery::new(q, *boost)) as Box<dyn Query> })
        })
        .collect();
    Some(Box::new(BooleanQuery::new(any)))
}

/// Whether `b` is within `distance` edits (insert, delete, substitute, swap two neighbours) of `a`.
pub(super) fn within(a: &str, b: &str, distance: u8) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let d = usize::from(distance);
    if a.len().abs_diff(b.len()) > d {
        return false;
    }
    // Damerau–Levenshtein (optimal string alignment), rows of the full table.
    let mut before: Vec<usize> = Vec::new();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut current = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            current[j] = (previous[j] + 1).min(current[j - 1] + 1).min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                current[j] = current[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut previous, current);
    }
    previous[b.len()] <= d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexed(text: &str) -> (Vec<Token>, Vec<String>) {
        let mut warnings = Vec::new();
        (lex(text, &mut warnings), warnings)
    }

    fn word(text: &str) -> Token {
        Token::Word { text: text.into(), star: false, fuzzy: None, exact: false }
    }

    #[test]
    fn words_phrases_and_operators_are_tokens() {
        let (tokens, warnings) = lexed(r#"Blai* Blare~ Blar~2 "a b"~5 -x OR (y) =François /Bl[a-z]ir/ title:z"#);
        assert_eq!(
            tokens,
            [
                Token::Word { text: "Blai".into(), star: true, fuzzy: None, exact: false },
                Token::Word { text: "Blare".into(), star: false, fuzzy: Some(1), exact: false },
                Token::Word { text: "Blar".into(), star: false, fuzzy: Some(2), exact: false },
                Token::Phrase("a b".into(), 5),
                Token::Not,
                word("x"),
                Token::Or,
                Token::Open,
                word("y"),
                Token::Close,
                Token::Word { text: "François".into(), star: false, fuzzy: None, exact: true },
                Token::Regex("Bl[a-z]ir".into()),
                Token::Field("title".into()),
                word("z"),
            ]
        );
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn half_typed_syntax_is_read_with_a_warning() {
        for (text, said) in [
            ("\"unclosed phrase", "not closed"),
            ("/unclosed", "not closed with /"),
            ("a~9", "at most 2"),
            ("a*b", "end of a word"),
        ] {
            let (_, warnings) = lexed(text);
            assert!(warnings.iter().any(|w| w.contains(said)), "{text}: {warnings:?}");
        }
        // Operators at odd places and lone symbols read as nothing, not as errors.
        for text in ["OR", "AND AND", "-", "( )", ")", "((", "~", "*", "=", "\"\"~", "title:", ":", "a:"] {
            let _ = lexed(text);
        }
    }

    #[test]
    fn random_queries_always_parse() {
        let mut schema = tantivy::schema::Schema::builder();
        let (title, body) = (
            schema.add_text_field("title", tantivy::schema::TEXT),
            schema.add_text_field("body", tantivy::schema::TEXT),
        );
        let analyse = |text: &str| -> Vec<String> {
            text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
        };
        let fields = Fields { title, body, analyse: &analyse };
        let alphabet: Vec<char> = "aZé9 \"()*~=/+-:![]^.?\\ORANDNOTtitle".chars().collect();
        let mut rng = fastrand::Rng::with_seed(11);
        for _ in 0..5_000 {
            let len = rng.usize(0..30);
            let text: String = (0..len).map(|_| alphabet[rng.usize(..alphabet.len())]).collect();
            let (bounded, _) = crate::model::bound_query(&text);
            let _ = parse(&bounded, &fields);
        }
        // Walls of signs and operators are read without deep recursion.
        // A pattern holding a quote once fooled the text's bound into keeping every (.
        let quoted = format!("/\"/ {}x", "(".repeat(2000));
        for wall in
            ["-".repeat(3000), "+".repeat(3000), "NOT ".repeat(1000), "OR ".repeat(1000), "(".repeat(3000), quoted]
        {
            let _ = parse(&wall, &fields);
        }
    }

    #[test]
    fn fuzzy_words_allow_edits_and_swaps() {
        assert!(within("blair", "blare", 2));
        assert!(!within("blair", "blare", 1), "two substitutions");
        assert!(within("blair", "balir", 1), "one swap");
        assert!(within("lavrov", "lavrow", 1));
        assert!(!within("lavrov", "la", 2));
        assert!(within("", "ab", 2) && !within("", "abc", 2));
    }
}
