//! Measuring a recogniser against annotated text: precision, recall and F1 per type.
//!
//! Input is CoNLL-style: one token a line with its tag in the last column (spaces or tabs),
//! blank lines between sentences, `-DOCSTART-` between documents; tags in IOB1 or IOB2. Each
//! document's sentences are joined (tokens by spaces, sentences by newlines) and given to the
//! extractor in one piece, so document-level passes take part. A predicted entity counts when
//! its tokens and its mapped type are exactly a gold entity's.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use super::{Consistent, ContactExtractor, Extractor, Rules, WithContacts};
use crate::model::{Entity, EntityKind};

/// How labels are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LabelMap {
    /// Both sides mapped to PER, ORG, LOC, MISC (CoNLL 2003; WNUT-17's types folded in).
    Conll,
    /// Gold tags are OntoNotes labels, compared as they are.
    OntoNotes,
}

impl LabelMap {
    /// The label a predicted kind counts as, if any (CoNLL has no dates or numbers).
    pub fn predicted(self, kind: EntityKind) -> Option<&'static str> {
        match self {
            LabelMap::OntoNotes => Some(kind.label()),
            LabelMap::Conll => match kind {
                EntityKind::Person => Some("PER"),
                EntityKind::Org => Some("ORG"),
                EntityKind::Gpe | EntityKind::Loc | EntityKind::Fac => Some("LOC"),
                EntityKind::Norp
                | EntityKind::Event
                | EntityKind::WorkOfArt
                | EntityKind::Product
                | EntityKind::Law
                | EntityKind::Language => Some("MISC"),
                _ => None,
            },
        }
    }

    /// The label a gold tag's type counts as.
    pub fn gold(self, tag_type: &str) -> Option<String> {
        match self {
            LabelMap::OntoNotes => Some(tag_type.to_owned()),
            LabelMap::Conll => Some(
                match tag_type.to_ascii_lowercase().as_str() {
                    "per" | "person" => "PER",
                    "org" | "corporation" | "group" => "ORG",
                    "loc" | "location" | "gpe" | "fac" => "LOC",
                    "misc" | "product" | "creative-work" | "norp" | "event" | "work_of_art" | "law" | "language" => {
                        "MISC"
                    }
                    _ => return None,
                }
                .to_owned(),
            ),
        }
    }
}

/// One annotated document: tokens with byte ranges into `text`, and gold entities as token ranges.
#[derive(Debug, Default)]
pub struct Annotated {
    pub text: String,
    pub tokens: Vec<Range<usize>>,
    pub gold: Vec<(Range<usize>, String)>,
}

/// A line of CoNLL text that is not a token and a tag.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum ConllError {
    #[error("line {line}: expected a token and a tag, got {text:?}")]
    NoTag { line: usize, text: String },
    #[error("line {line}: unknown tag {tag:?}")]
    UnknownTag { line: usize, tag: String },
}

/// Parses CoNLL text into documents. Malformed lines are reported with their line number. A file
/// without `-DOCSTART-` lines (tweets, say) has no document context: each sentence is a document.
pub fn parse_conll(input: &str) -> Result<Vec<Annotated>, ConllError> {
    let per_sentence = !input.lines().any(|l| l.starts_with("-DOCSTART-"));
    let mut docs = Vec::new();
    let mut doc = Annotated::default();
    let mut open: Option<(usize, String)> = None;
    let mut prev_tag_type: Option<String> = None;
    let close = |doc: &mut Annotated, open: &mut Option<(usize, String)>| {
        if let Some((start, t)) = open.take() {
            doc.gold.push((start..doc.tokens.len(), t));
        }
    };
    for (n, line) in input.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() {
            close(&mut doc, &mut open);
            prev_tag_type = None;
            if per_sentence && !doc.tokens.is_empty() {
                docs.push(std::mem::take(&mut doc));
            } else if !doc.text.is_empty() && !doc.text.ends_with('\n') {
                doc.text.push('\n');
            }
            continue;
        }
        let mut cols = line.split(['\t', ' ']).filter(|c| !c.is_empty());
        let token = cols.next().unwrap_or_default();
        let tag = line.rsplit(['\t', ' ']).next().unwrap_or_default();
        if token == "-DOCSTART-" {
            close(&mut doc, &mut open);
            prev_tag_type = None;
            if !doc.tokens.is_empty() {
                docs.push(std::mem::take(&mut doc));
            }
            continue;
        }
        if token == tag && line.split(['\t', ' ']).filter(|c| !c.is_empty()).count() < 2 {
            return Err(ConllError::NoTag { line: n + 1, text: line.to_owned() });
        }
        let (prefix, ty) = match tag.split_once('-') {
            Some((p, t)) if matches!(p, "B" | "I" | "E" | "S" | "L" | "U") => (p, Some(t.to_owned())),
            _ if tag == "O" => ("O", None),
            _ => return Err(ConllError::UnknownTag { line: n + 1, tag: tag.to_owned() }),
        };
        // A new entity starts at B-, at O→I, or at I- of another type (IOB1 and IOB2 alike).
        let starts = match (&prefix, &ty) {
            (_, None) => false,
            (&"B" | &"S" | &"U", _) => true,
            (_, Some(t)) => prev_tag_type.as_ref() != Some(t),
        };
        if ty.is_none() || starts {
            close(&mut doc, &mut open);
        }
        if !doc.text.is_empty() && !doc.text.ends_with('\n') {
            doc.text.push(' ');
        }
        let start = doc.text.len();
        doc.text.push_str(token);
        if starts && let Some(t) = &ty {
            open = Some((doc.tokens.len(), t.clone()));
        }
        doc.tokens.push(start..doc.text.len());
        prev_tag_type = ty;
    }
    close(&mut doc, &mut open);
    if !doc.tokens.is_empty() {
        docs.push(doc);
    }
    Ok(docs)
}

/// Counts for one label.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub true_pos: usize,
    pub false_pos: usize,
    pub false_neg: usize,
}

impl Counts {
    pub fn precision(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    fn add(&mut self, o: Counts) {
        self.true_pos += o.true_pos;
        self.false_pos += o.false_pos;
        self.false_neg += o.false_neg;
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 { 0.0 } else { a as f64 / b as f64 }
}

/// Per-label counts and their micro-average.
#[derive(Debug, Default)]
pub struct Report {
    pub by_label: BTreeMap<String, Counts>,
    /// Every false positive (`+`) and false negative (`-`): sign, label, the mention, its line.
    pub mistakes: Vec<(char, String, String, String)>,
}

impl Report {
    pub fn micro(&self) -> Counts {
        let mut total = Counts::default();
        for c in self.by_label.values() {
            total.add(*c);
        }
        total
    }

    /// The table `dossier eval-ner` prints; the last line is `micro F1 X`.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{:<12} {:>6} {:>6} {:>6} {:>9} {:>9} {:>9}\n",
            "type", "tp", "fp", "fn", "precision", "recall", "F1"
        );
        let line = |name: &str, c: &Counts| {
            format!(
                "{:<12} {:>6} {:>6} {:>6} {:>9.3} {:>9.3} {:>9.3}\n",
                name,
                c.true_pos,
                c.false_pos,
                c.false_neg,
                c.precision(),
                c.recall(),
                c.f1()
            )
        };
        for (label, c) in &self.by_label {
            out.push_str(&line(label, c));
        }
        let micro = self.micro();
        out.push_str(&line("micro", &micro));
        out.push_str(&format!("micro F1 {:.4}\n", micro.f1()));
        out
    }
}

/// Runs `extractor` over every document and compares with the gold entities.
pub fn evaluate(docs: &[Annotated], extractor: &dyn Extractor, map: LabelMap) -> Report {
    let mut report = Report::default();
    for doc in docs {
        report.score(doc, extractor.extract(&doc.text), map);
    }
    report
}

/// Scores the model alone, the app's recogniser, and the app's recogniser without each rule of
/// its consistency pass in turn; the model runs once per document. Rows are named `model`,
/// `full` and `-RULE`.
pub fn ablate(docs: &[Annotated], model: &dyn Extractor, map: LabelMap) -> Vec<(String, Report)> {
    let mut variants: Vec<(String, Option<Rules>)> = vec![("model".into(), None), ("full".into(), Some(Rules::ALL))];
    variants.extend(Rules::NAMED.iter().map(|(name, rule)| (format!("-{name}"), Some(Rules::ALL.without(*rule)))));
    let mut reports: Vec<Report> = variants.iter().map(|_| Report::default()).collect();
    // Every variant reads the model's mentions of the current document from one slot.
    let slot = Replay(Arc::new(Mutex::new(Vec::new())));
    let extractors: Vec<Option<Box<dyn Extractor>>> = variants
        .iter()
        .map(|(_, rules)| {
            rules.map(|rules| -> Box<dyn Extractor> {
                Box::new(WithContacts {
                    contacts: ContactExtractor::new(),
                    inner: Consistent { inner: slot.clone(), rules },
                })
            })
        })
        .collect();
    for doc in docs {
        let base = model.extract(&doc.text);
        *slot.0.lock().unwrap_or_else(PoisonError::into_inner) = base.clone();
        for (extractor, report) in extractors.iter().zip(&mut reports) {
            let mentions = extractor.as_ref().map_or_else(|| base.clone(), |x| x.extract(&doc.text));
            report.score(doc, mentions, map);
        }
    }
    variants.into_iter().map(|(name, _)| name).zip(reports).collect()
}

/// The table `dossier eval-ner --ablate` prints: micro F1 and F1 per label for each variant,
/// and how much the app's recogniser loses without each rule.
pub fn ablation_table(rows: &[(String, Report)]) -> String {
    let labels: Vec<String> =
        rows.iter().flat_map(|(_, r)| r.by_label.keys().cloned()).collect::<BTreeSet<_>>().into_iter().collect();
    let full = rows.iter().find(|(n, _)| n == "full").map(|(_, r)| r.micro().f1()).unwrap_or(0.0);
    let mut out = format!("{:<16} {:>8} {:>8}", "variant", "micro F1", "vs full");
    for l in &labels {
        out.push_str(&format!(" {:>8}", format!("{l} F1")));
    }
    out.push('\n');
    for (name, report) in rows {
        let f1 = report.micro().f1();
        out.push_str(&format!("{:<16} {:>8.4} {:>+8.4}", name, f1, f1 - full));
        for l in &labels {
            out.push_str(&format!(" {:>8.3}", report.by_label.get(l).map_or(0.0, Counts::f1)));
        }
        out.push('\n');
    }
    out
}

/// Returns the mentions in its slot whatever the text: a model's output, computed once.
#[derive(Clone)]
struct Replay(Arc<Mutex<Vec<Entity>>>);

impl Extractor for Replay {
    fn extract(&self, _: &str) -> Vec<Entity> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
}

impl Report {
    /// Adds `doc`'s counts for the `predicted` mentions.
    fn score(&mut self, doc: &Annotated, predicted: Vec<Entity>, map: LabelMap) {
        let report = self;
        let gold: HashSet<(Range<usize>, String)> =
            doc.gold.iter().filter_map(|(r, t)| Some((r.clone(), map.gold(t)?))).collect();
        let mut predicted_set = HashSet::new();
        for mut e in predicted {
            let Some(label) = map.predicted(e.kind) else { continue };
            // CoNLL annotation leaves articles out of names; OntoNotes-style output has them.
            if map == LabelMap::Conll {
                let s = &doc.text[e.span.clone()];
                if let Some(rest) = s.strip_prefix("the ").or_else(|| s.strip_prefix("The ")) {
                    e.span.start = e.span.end - rest.len();
                }
            }
            // The tokens the mention covers; it matches only if it starts and ends on their edges.
            let first = doc.tokens.partition_point(|t| t.end <= e.span.start);
            let last = doc.tokens.partition_point(|t| t.start < e.span.end);
            let aligned =
                first < last && doc.tokens[first].start == e.span.start && doc.tokens[last - 1].end == e.span.end;
            // A mention off the token edges matches nothing; each counts once.
            let range = if aligned { first..last } else { usize::MAX - 1 - e.span.start..usize::MAX - e.span.start };
            predicted_set.insert((range, label.to_owned(), e.span));
        }
        let line_of = |span: &Range<usize>| {
            let start = doc.text[..span.start].rfind('\n').map_or(0, |i| i + 1);
            let end = doc.text[span.end..].find('\n').map_or(doc.text.len(), |i| span.end + i);
            doc.text[start..end].to_owned()
        };
        let predicted: HashSet<(Range<usize>, String)> =
            predicted_set.iter().map(|(r, l, _)| (r.clone(), l.clone())).collect();
        for (r, l, span) in &predicted_set {
            let c = report.by_label.entry(l.clone()).or_default();
            if gold.contains(&(r.clone(), l.clone())) {
                c.true_pos += 1;
            } else {
                c.false_pos += 1;
                report.mistakes.push(('+', l.clone(), doc.text[span.clone()].to_owned(), line_of(span)));
            }
        }
        for (r, l) in &gold {
            if !predicted.contains(&(r.clone(), l.clone())) {
                report.by_label.entry(l.clone()).or_default().false_neg += 1;
                let span = doc.tokens[r.start].start..doc.tokens[r.end - 1].end;
                report.mistakes.push(('-', l.clone(), doc.text[span.clone()].to_owned(), line_of(&span)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Finds fixed strings: enough to check the scoring.
    struct Fixed(Vec<(&'static str, EntityKind)>);

    impl Extractor for Fixed {
        fn extract(&self, text: &str) -> Vec<Entity> {
            let mut out: Vec<Entity> = self
                .0
                .iter()
                .flat_map(|(s, k)| text.match_indices(s).map(move |(i, _)| Entity { kind: *k, span: i..i + s.len() }))
                .collect();
            out.sort_by_key(|e| e.span.start);
            out
        }
    }

    const IOB1: &str = "-DOCSTART- O\n\nJohn I-PER\nSmith I-PER\nvisited O\nNew I-LOC\nYork I-LOC\n.\tO\n\nAcme I-ORG\nhired O\nhim O\n";

    #[test]
    fn iob1_spans_and_text() {
        let docs = parse_conll(IOB1).unwrap();
        assert_eq!(docs.len(), 1);
        let d = &docs[0];
        assert_eq!(d.text, "John Smith visited New York .\nAcme hired him");
        let spans: Vec<(&str, &str)> = d
            .gold
            .iter()
            .map(|(r, t)| (&d.text[d.tokens[r.start].start..d.tokens[r.end - 1].end], t.as_str()))
            .collect();
        assert_eq!(spans, [("John Smith", "PER"), ("New York", "LOC"), ("Acme", "ORG")]);
    }

    #[test]
    fn iob2_b_tags_split_adjacent_entities() {
        let docs = parse_conll("Paris\tB-location\nLondon\tB-location\nand\tO\nMay\tB-person\n").unwrap();
        assert_eq!(docs[0].gold.len(), 3);
    }

    #[test]
    fn without_docstart_each_sentence_is_a_document() {
        let docs = parse_conll("Hi\tO\nBob\tB-person\n\nBye\tO\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].text, "Bye");
    }

    #[test]
    fn a_leading_article_is_not_held_against_a_conll_match() {
        let docs = parse_conll("-DOCSTART- O\n\nthe O\nRed I-ORG\nCross I-ORG\nhelped O\n").unwrap();
        let r = evaluate(&docs, &Fixed(vec![("the Red Cross", EntityKind::Org)]), LabelMap::Conll);
        assert_eq!(r.micro().true_pos, 1);
    }

    #[test]
    fn scores_exact_matches_only() {
        let docs = parse_conll(IOB1).unwrap();
        let ex =
            Fixed(vec![("John Smith", EntityKind::Person), ("York", EntityKind::Gpe), ("Acme", EntityKind::Person)]);
        let r = evaluate(&docs, &ex, LabelMap::Conll);
        assert_eq!(r.by_label["PER"], Counts { true_pos: 1, false_pos: 1, false_neg: 0 });
        assert_eq!(r.by_label["LOC"], Counts { true_pos: 0, false_pos: 1, false_neg: 1 });
        assert_eq!(r.by_label["ORG"], Counts { true_pos: 0, false_pos: 0, false_neg: 1 });
        let m = r.micro();
        assert_eq!((m.true_pos, m.false_pos, m.false_neg), (1, 2, 2));
        assert!(r.table().trim_end().ends_with(&format!("micro F1 {:.4}", m.f1())));
    }

    #[test]
    fn bad_tags_are_reported_with_their_line() {
        let err = parse_conll("ok O\nword X-FOO\n").unwrap_err();
        assert_eq!(err, ConllError::UnknownTag { line: 2, tag: "X-FOO".into() });
        assert_eq!(err.to_string(), "line 2: unknown tag \"X-FOO\"");
        assert_eq!(parse_conll("lonely\n").unwrap_err(), ConllError::NoTag { line: 1, text: "lonely".into() });
    }
}
