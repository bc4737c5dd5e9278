//! Which entity each mention names: one name per entity.
//!
//! Within a document ([`resolve`]), a mention's key is its text cleaned of what does not change
//! whom it names (a possessive, a courtesy title, a leading "the"), then an alias from a small
//! hand-checked table ("U.S." → "United States"), then, for a person named by one word, the one
//! full name in the document that the word is the surname (or first name) of ("Lavrov" after
//! "Sergey Lavrov"). Across a folder ([`merge`]), keys that differ only in case or dots are one
//! entity under their most frequent spelling, and a one-word person is merged into the only full
//! name in the folder that ends with it, if no other full name starts with it. Two full names
//! are never merged: "Paul Whelan" and "Paul Manafort", or "George Bush" and "George W. Bush",
//! stay apart. A false merge hides a person; a missed one only splits a count, so every rule errs
//! on the side of apart.

use std::collections::HashMap;
use std::sync::Arc;

use crate::model::{Entity, EntityCount, EntityKey, EntityKind, MergeReason, Variant};

/// Titles that may stand before a person's name without being part of it.
const TITLES: [&str; 32] = [
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "sir",
    "dame",
    "prof",
    "professor",
    "president",
    "senator",
    "sen",
    "rep",
    "gov",
    "governor",
    "secretary",
    "minister",
    "judge",
    "justice",
    "rev",
    "reverend",
    "gen",
    "general",
    // Offices that news and company mail put before a name ("CFO Andy Fastow").
    "ceo",
    "cfo",
    "coo",
    "cto",
    "chairman",
    "chairwoman",
    "mayor",
    "ambassador",
];

/// Other names of places and bodies, checked by hand; keys are lower case without dots.
const ALIASES: [(&str, EntityKind, &str); 16] = [
    ("us", EntityKind::Gpe, "United States"),
    ("usa", EntityKind::Gpe, "United States"),
    ("united states", EntityKind::Gpe, "United States"),
    ("united states of america", EntityKind::Gpe, "United States"),
    ("uk", EntityKind::Gpe, "United Kingdom"),
    ("united kingdom", EntityKind::Gpe, "United Kingdom"),
    ("britain", EntityKind::Gpe, "United Kingdom"),
    ("great britain", EntityKind::Gpe, "United Kingdom"),
    ("ussr", EntityKind::Gpe, "Soviet Union"),
    ("soviet union", EntityKind::Gpe, "Soviet Union"),
    ("uae", EntityKind::Gpe, "United Arab Emirates"),
    ("united arab emirates", EntityKind::Gpe, "United Arab Emirates"),
    ("eu", EntityKind::Org, "European Union"),
    ("european union", EntityKind::Org, "European Union"),
    ("un", EntityKind::Org, "United Nations"),
    ("united nations", EntityKind::Org, "United Nations"),
];

/// One mention's entity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The entity: its kind and canonical name.
    pub key: EntityKey,
    /// The mention as written (whitespace collapsed, a leading "the" dropped).
    pub surface: String,
    pub reason: MergeReason,
}

/// Lower case without dots and with single spaces: how spellings are compared.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    fold_into(text, &mut out);
    out
}

/// [`fold`], written at the end of `out` (a folder's 100,000 names are folded into one string).
pub fn fold_into(text: &str, out: &mut String) {
    if !text.is_ascii() {
        // Lower case over the whole text (a final sigma is lowered by its place in a word).
        out.push_str(&text.split_whitespace().collect::<Vec<_>>().join(" ").replace('.', "").to_lowercase());
        return;
    }
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.extend(word.bytes().filter(|&b| b != b'.').map(|b| char::from(b.to_ascii_lowercase())));
    }
}

/// `name` without a possessive ending and, for a person, without leading titles; `None` when
/// nothing was left out.
fn clean(kind: EntityKind, name: &str) -> Option<String> {
    let mut s = name.trim();
    for end in ["'s", "’s", "'", "’"] {
        if let Some(rest) = s.strip_suffix(end)
            && (end.len() > 1 || rest.ends_with('s'))
            && !rest.is_empty()
        {
            s = rest.trim_end();
            break;
        }
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if kind == EntityKind::Person {
        while words.len() > 1 && TITLES.contains(&words[0].trim_end_matches('.').to_lowercase().as_str()) {
            words.remove(0);
        }
    }
    let cleaned = words.join(" ");
    (cleaned != name && !cleaned.is_empty()).then_some(cleaned)
}

/// The table's name for `name`. An abbreviation counts only in capitals: "US" and "U.S." are the
/// United States, "us" and "Us" are the pronoun the model sometimes takes for a place.
fn alias(kind: EntityKind, name: &str) -> Option<&'static str> {
    let letters = || name.chars().filter(|c| c.is_alphabetic());
    if !name.contains(' ') && letters().count() <= 3 && !letters().all(char::is_uppercase) {
        return None;
    }
    let folded = fold(name);
    ALIASES.iter().find(|(a, k, _)| *k == kind && *a == folded).map(|(_, _, to)| *to)
}

/// Each mention's entity within one document (see the module documentation), in mention order.
pub fn resolve(text: &str, mentions: &[Entity]) -> Vec<Identity> {
    let Resolved { identities, of_mention } = resolve_each(text, mentions);
    of_mention.iter().map(|&i| identities[i as usize].clone()).collect()
}

/// A document's mentions resolved as [`resolve`] does, each written form once: a 20 MB book
/// has 180,000 mentions of a few thousand forms.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolved {
    /// One identity per distinct written form (and kind), in order of first mention.
    pub identities: Vec<Identity>,
    /// Each mention's place in `identities`, in mention order.
    pub of_mention: Vec<u32>,
}

/// [`resolve`], without an identity per mention.
pub fn resolve_each(text: &str, mentions: &[Entity]) -> Resolved {
    let mut by_form: HashMap<(EntityKind, &str), u32> = HashMap::new();
    let mut identities: Vec<Identity> = Vec::new();
    let mut uses_of: Vec<usize> = Vec::new();
    let of_mention: Vec<u32> = mentions
        .iter()
        .map(|e| {
            let raw = text.get(e.span.clone()).unwrap_or_default();
            let i = *by_form.entry((e.kind, raw)).or_insert_with(|| {
                identities.push(as_written(e, text));
                uses_of.push(0);
                identities.len() as u32 - 1
            });
            uses_of[i as usize] += 1;
            i
        })
        .collect();
    // One key per spelling in another case or with dots ("KEN" and "Ken"), the document's most
    // used: then no document holds two keys that the folder merges by case, and adding up
    // their document counts in [`merge`] counts each document once.
    let mut uses: HashMap<&EntityKey, usize> = HashMap::new();
    for (i, n) in identities.iter().zip(&uses_of) {
        *uses.entry(&i.key).or_default() += n;
    }
    let mut spellings: HashMap<(EntityKind, String), Vec<(&str, usize)>> = HashMap::new();
    for (key, n) in uses {
        spellings.entry((key.kind, fold(&key.text))).or_default().push((key.text.as_str(), n));
    }
    let mut chosen: HashMap<EntityKey, String> = HashMap::new();
    for ((kind, _), forms) in spellings.into_iter().filter(|(_, forms)| forms.len() > 1) {
        let best = forms.iter().max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(a.0))).map(|(s, _)| (*s).to_owned());
        let best = best.unwrap_or_default();
        for (form, _) in forms.iter().filter(|(f, _)| **f != best) {
            chosen.insert(EntityKey { kind, text: (*form).to_owned() }, best.clone());
        }
    }
    if !chosen.is_empty() {
        for i in &mut identities {
            if let Some(best) = chosen.get(&i.key) {
                i.key.text = best.clone();
                i.reason = MergeReason::Case;
            }
        }
    }
    // A one-word person: the document's only full name that ends (else starts) with it.
    let full =
        FullNames::of(identities.iter().filter(|i| i.key.kind == EntityKind::Person).map(|i| i.key.text.as_str()));
    let mut found: HashMap<String, Option<String>> = HashMap::new();
    for i in identities.iter_mut().filter(|i| i.key.kind == EntityKind::Person && !i.key.text.contains(' ')) {
        let name = found.entry(i.key.text.clone()).or_insert_with(|| full.only(&i.key.text).map(str::to_owned));
        if let Some(name) = name {
            i.key.text = name.clone();
            i.reason = MergeReason::FullNameInDocument;
        }
    }
    Resolved { identities, of_mention }
}

/// One mention's entity by its own words: cleaned of titles and possessives, then the alias
/// table (see the module documentation).
fn as_written(e: &Entity, text: &str) -> Identity {
    let surface = EntityKey::of(e, text).text;
    if !e.kind.is_name() {
        return Identity {
            key: EntityKey { kind: e.kind, text: surface.clone() },
            surface,
            reason: MergeReason::AsWritten,
        };
    }
    let (name, reason) = match clean(e.kind, &surface) {
        Some(cleaned) => (cleaned, MergeReason::Spelling),
        None => (surface.clone(), MergeReason::AsWritten),
    };
    // A person a mail header lists surname first is the same person named in prose.
    let (name, reason) = match name.split_once(',') {
        Some((surname, given))
            if e.kind == EntityKind::Person
                && super::consistency::is_surname_first(&name)
                && super::consistency::in_address_line(text, e.span.start) =>
        {
            (format!("{} {}", given.trim(), surname.trim()), MergeReason::Spelling)
        }
        _ => (name, reason),
    };
    let mut reason = reason;
    let name = match alias(e.kind, &name) {
        Some(to) if to != name => {
            reason = MergeReason::Alias;
            to.to_owned()
        }
        _ => name,
    };
    Identity { key: EntityKey { kind: e.kind, text: name }, surface, reason }
}

/// A document's full names of people, by the folded first and last word of each. A long
/// document names thousands of people and mentions them by one name a hundred thousand times:
/// each one-word mention is one lookup, not a scan of every full name.
struct FullNames {
    by_last: HashMap<String, Vec<String>>,
    by_first: HashMap<String, Vec<String>>,
}

impl FullNames {
    fn of<'a>(names: impl Iterator<Item = &'a str>) -> FullNames {
        let mut full: Vec<&str> = names.filter(|n| is_full_name(n)).collect();
        full.sort_unstable();
        full.dedup();
        let (mut by_last, mut by_first) =
            (HashMap::<String, Vec<String>>::new(), HashMap::<String, Vec<String>>::new());
        for name in full {
            if let Some(last) = name.rsplit(' ').next() {
                by_last.entry(fold(last)).or_default().push(name.to_owned());
            }
            if let Some(first) = name.split(' ').next() {
                by_first.entry(fold(first)).or_default().push(name.to_owned());
            }
        }
        FullNames { by_last, by_first }
    }

    /// The only full name that `word` can stand for: the one whose last word it is, or else
    /// whose first word it is. `None` if there is none, or several, or the word is the surname
    /// of one and the first name of another ("Richard" for Jennifer Richard and Richard Causey).
    fn only(&self, word: &str) -> Option<&str> {
        let word = fold(word);
        let ending = self.by_last.get(&word).map_or(&[][..], Vec::as_slice);
        let starting = self.by_first.get(&word).map_or(&[][..], Vec::as_slice);
        match (ending, starting) {
            ([one], []) | ([], [one]) => Some(one),
            _ => None,
        }
    }
}

/// Whether `name` reads as a person's full name: two to four words, each capitalised or an
/// initial, no digits, and not a greeting or a header word the model took for a name ("Dear
/// Ken", "John Subject").
fn is_full_name(name: &str) -> bool {
    const NOT_NAMES: [&str; 16] = [
        "dear", "hi", "hello", "hey", "thanks", "regards", "subject", "re", "fw", "fwd", "cc", "from", "to", "sent",
        "office", "suite",
    ];
    let words: Vec<&str> = name.split(' ').collect();
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let initial = w.trim_end_matches('.').chars().count() == 1 && w.starts_with(char::is_uppercase);
            let capitalised = w.starts_with(char::is_uppercase)
                && w.chars().any(char::is_lowercase)
                && w.chars().all(|c| c.is_alphabetic() || matches!(c, '\'' | '’' | '-' | '.'));
            (initial || capitalised) && !NOT_NAMES.contains(&w.to_lowercase().as_str())
        })
}

/// A key merged into an entity: the key, its documents, and why.
type Member<'a> = (&'a EntityKey, u64, MergeReason);

/// Merges a folder's per-document keys (`counts`: key → documents mentioning it under that key)
/// and their spellings (`spellings`: key → (spelling, reason, documents)) into entities, most
/// mentioned first. Document counts of merged keys are added up: [`resolve`] gives a document
/// one key per spelling whatever its case, and a surname the key of the document's full name,
/// so no document holds two keys merged here.
pub fn merge(counts: &HashMap<EntityKey, u64>, spellings: &HashMap<EntityKey, Vec<Variant>>) -> Vec<EntityCount> {
    // 1. Case and dots: one entity per folded spelling, under its most used form.
    let mut by_fold: HashMap<(EntityKind, String), Vec<(&EntityKey, u64)>> = HashMap::new();
    for (key, n) in counts {
        by_fold.entry((key.kind, fold(&key.text))).or_default().push((key, *n));
    }
    let mut groups: Vec<(EntityKey, Vec<Member<'_>>)> = by_fold
        .into_values()
        .map(|mut keys| {
            keys.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            let head = keys[0].0.clone();
            let members = keys
                .into_iter()
                .map(|(k, n)| (k, n, if *k == head { MergeReason::AsWritten } else { MergeReason::Case }))
                .collect();
            (head, members)
        })
        .collect();
    groups.sort_by(|a, b| a.0.cmp(&b.0));
    // 2. A one-word person into the folder's only full name like it: full names indexed by
    // their folded last and first words, so each lookup is one hash probe.
    let mut ending: HashMap<String, Vec<usize>> = HashMap::new();
    let mut starting: HashMap<String, Vec<usize>> = HashMap::new();
    for (j, (k, _)) in groups.iter().enumerate() {
        if k.kind == EntityKind::Person && is_full_name(&k.text) {
            let words: Vec<&str> = k.text.split(' ').collect();
            ending.entry(fold(words[words.len() - 1])).or_default().push(j);
            starting.entry(fold(words[0])).or_default().push(j);
        }
    }
    let mut into: HashMap<usize, usize> = HashMap::new();
    for (i, (key, _)) in groups.iter().enumerate() {
        if key.kind != EntityKind::Person || key.text.contains(' ') {
            continue;
        }
        // The surname of exactly one full name, and the first name of none.
        let word = fold(&key.text);
        if let (Some([j]), None) = (ending.get(&word).map(Vec::as_slice), starting.get(&word)) {
            into.insert(i, *j);
        }
    }
    let mut moved: Vec<Vec<Member<'_>>> = vec![Vec::new(); groups.len()];
    for (&i, &j) in &into {
        let members = std::mem::take(&mut groups[i].1);
        moved[j].extend(members.into_iter().map(|(k, n, _)| (k, n, MergeReason::FullNameInFolder)));
    }
    let mut out: Vec<EntityCount> = groups
        .into_iter()
        .zip(moved)
        .filter_map(|((key, mut members), extra)| {
            members.extend(extra);
            if members.is_empty() {
                return None;
            }
            let documents = members.iter().map(|(_, n, _)| n).sum();
            let keys: Vec<EntityKey> = members.iter().map(|(k, _, _)| (*k).clone()).collect();
            let mut variants: Vec<Variant> = Vec::new();
            for (k, n, reason) in members {
                match spellings.get(k) {
                    Some(spelled) => variants.extend(spelled.iter().map(|v| Variant {
                        text: v.text.clone(),
                        documents: v.documents,
                        reason: if reason == MergeReason::AsWritten { v.reason } else { reason },
                        of: (*k).clone(),
                    })),
                    None => variants.push(Variant { text: k.text.clone(), documents: n, reason, of: (*k).clone() }),
                }
            }
            variants.sort_by(|a, b| b.documents.cmp(&a.documents).then_with(|| a.text.cmp(&b.text)));
            variants.dedup_by(|a, b| a.text == b.text);
            Some(EntityCount { key: Arc::new(key), documents, variants: Arc::new(variants), members: Arc::new(keys) })
        })
        .collect();
    out.sort_by(|a, b| b.documents.cmp(&a.documents).then_with(|| a.key.cmp(&b.key)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mentions of the `nth` occurrence of each string.
    fn keys(text: &str, names: &[(&str, usize, EntityKind)]) -> Vec<(String, String)> {
        let mut m: Vec<Entity> = names
            .iter()
            .map(|(s, nth, kind)| {
                let i = text.match_indices(s).nth(*nth).expect("in the text").0;
                Entity { kind: *kind, span: i..i + s.len() }
            })
            .collect();
        m.sort_by_key(|e| e.span.start);
        resolve(text, &m).into_iter().map(|i| (i.surface, i.key.text)).collect()
    }

    use EntityKind::*;

    #[test]
    fn folding_ascii_and_other_text_agree_with_the_plain_definition() {
        let plain = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ").replace('.', "").to_lowercase();
        for text in
            ["U.S.", "  Sergey\tLAVROV  ", "a . b", "Ms. Boynton's", "\u{b}x\u{c}y", "ΟΔΟΣ Σ.", "Émile  Zola", ""]
        {
            assert_eq!(fold(text), plain(text), "{text:?}");
        }
    }

    #[test]
    fn a_person_a_mail_header_lists_surname_first_is_named_first_name_first() {
        let text = "From: Nemec, Gerald\nCc: Kean, Steven J.\n\nGerald and Nemec, Gerald spoke. Lay, Kenneth";
        let got = keys(
            text,
            &[
                ("Nemec, Gerald", 0, Person),
                ("Kean, Steven J.", 0, Person),
                ("Gerald", 2, Person),
                ("Nemec, Gerald", 1, Person),
                ("Lay, Kenneth", 0, Person),
            ],
        );
        let named: Vec<&str> = got.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            named,
            ["Gerald Nemec", "Steven J. Kean", "Gerald Nemec", "Gerald Nemec", "Lay, Kenneth"],
            "turned round in a header's line of people (and the same spelling in that document) only; \
             elsewhere a comma may separate two names"
        );
    }

    #[test]
    fn a_surname_after_the_full_name_is_that_person() {
        let text = "Sergey Lavrov spoke. Lavrov said no. Mr Blair's office and Tony Blair agreed.";
        let got = keys(
            text,
            &[
                ("Sergey Lavrov", 0, Person),
                ("Lavrov", 1, Person),
                ("Mr Blair's", 0, Person),
                ("Tony Blair", 0, Person),
            ],
        );
        assert_eq!(got[1].1, "Sergey Lavrov");
        assert_eq!(
            got[2],
            ("Mr Blair's".to_owned(), "Tony Blair".to_owned()),
            "title and possessive go, then the surname"
        );
        let text = "CFO Andy Fastow wrote. Mayor Ann Kerr replied.";
        let got = keys(text, &[("CFO Andy Fastow", 0, Person), ("Mayor Ann Kerr", 0, Person)]);
        assert_eq!(got[0].1, "Andy Fastow", "an office before the name goes too");
        assert_eq!(got[1].1, "Ann Kerr");
    }

    #[test]
    fn two_full_names_sharing_a_word_stay_apart_and_make_the_word_ambiguous() {
        let text = "Paul Whelan and Paul Manafort. Paul left. George Bush met George W. Bush. Bush spoke.";
        let got = keys(
            text,
            &[
                ("Paul Whelan", 0, Person),
                ("Paul Manafort", 0, Person),
                ("Paul", 2, Person),
                ("George Bush", 0, Person),
                ("George W. Bush", 0, Person),
                ("Bush", 2, Person),
            ],
        );
        let texts: Vec<&str> = got.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(texts, ["Paul Whelan", "Paul Manafort", "Paul", "George Bush", "George W. Bush", "Bush"]);
    }

    #[test]
    fn one_document_has_one_key_per_spelling_in_any_case() {
        let text = "KEN LAY WRITES. Ken Lay said so, and Ken Lay left.";
        let got = keys(text, &[("KEN LAY", 0, Person), ("Ken Lay", 0, Person), ("Ken Lay", 1, Person)]);
        let texts: Vec<&str> = got.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(texts, ["Ken Lay", "Ken Lay", "Ken Lay"], "the most used spelling");
    }

    #[test]
    fn aliases_are_only_those_in_the_table() {
        let text = "The U.S. and the United States; US troops; the UK and Britain; America.";
        let got = keys(
            text,
            &[
                ("U.S.", 0, Gpe),
                ("United States", 0, Gpe),
                ("US", 0, Gpe),
                ("UK", 0, Gpe),
                ("Britain", 0, Gpe),
                ("America", 0, Gpe),
            ],
        );
        let texts: Vec<&str> = got.iter().map(|(_, k)| k.as_str()).collect();
        assert_eq!(
            texts,
            ["United States", "United States", "United States", "United Kingdom", "United Kingdom", "America"]
        );
    }

    #[test]
    fn an_abbreviation_in_lower_case_is_not_an_alias() {
        let text = "They told us so. The US agreed. Us too.";
        let got = keys(text, &[("us", 0, Gpe), ("US", 0, Gpe), ("Us", 0, Gpe)]);
        assert_eq!(got[1].1, "United States");
        assert!(got[0].1 == got[2].1 && got[0].1.eq_ignore_ascii_case("us"), "the pronoun stays apart: {got:?}");
    }

    #[test]
    fn the_folder_merges_case_and_unique_surnames_but_never_two_full_names() {
        let key = |kind, t: &str| EntityKey { kind, text: t.to_owned() };
        let counts: HashMap<EntityKey, u64> = [
            (key(Person, "Brittney Griner"), 3),
            (key(Person, "Griner"), 1),
            (key(Person, "GRINER"), 1),
            (key(Person, "Paul Whelan"), 3),
            (key(Person, "Paul Manafort"), 2),
            (key(Person, "Paul"), 1),
            (key(Person, "George Bush"), 2),
            (key(Person, "George W. Bush"), 2),
            (key(Org, "CNN"), 5),
            (key(Org, "Cnn"), 1),
        ]
        .into_iter()
        .collect();
        let merged = merge(&counts, &HashMap::new());
        let find = |t: &str| merged.iter().find(|m| m.key.text == t);
        let griner = find("Brittney Griner").expect("Griner");
        assert_eq!(griner.documents, 5);
        assert!(griner.variants.iter().any(|v| v.text == "Griner" && v.reason == MergeReason::FullNameInFolder));
        assert!(find("Griner").is_none() && find("GRINER").is_none());
        assert_eq!(find("Paul Whelan").map(|m| m.documents), Some(3));
        assert_eq!(find("Paul").map(|m| m.documents), Some(1), "two Pauls: the first name stays alone");
        assert_eq!(find("George Bush").map(|m| m.documents), Some(2));
        assert_eq!(find("George W. Bush").map(|m| m.documents), Some(2));
        assert_eq!(find("CNN").map(|m| m.documents), Some(6));
        assert_eq!(merged[0].key.text, "CNN", "most documents first");
    }
}
