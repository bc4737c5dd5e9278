//! Where sentences start, for counting which entities are named in the same sentence.
//!
//! A sentence ends at `.`, `!` or `?` (and any closing quotes or brackets) followed by white
//! space and then something that can open a sentence, or at a blank line. A full stop after a
//! title, an initial or a common abbreviation ("Mr. Smith", "J. Smith", "Acme Inc. said") does
//! not end one. Lines of headers, tables and lists are sentences of their own when a blank line
//! separates them; a single line break does not end a sentence (prose is often wrapped).

/// Words that a full stop follows without ending the sentence (compared in lower case).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt", "rev",
    "hon", "inc", "corp", "co", "ltd", "vs", "etc", "approx", "dept", "est", "fig", "jan", "feb", "mar", "apr", "jun",
    "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "u.s", "u.k", "e.g", "i.e",
];

/// Byte offsets where each sentence after the first starts, in order.
pub fn starts(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\n' {
            // A blank line (only spaces between two line breaks) ends a sentence.
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j] == b' ' || bytes[j] == b'\t' || bytes[j] == b'\r') {
                j += 1;
            }
            if j < bytes.len() && bytes[j] == b'\n' {
                let next = skip_space(bytes, j);
                if next < bytes.len() && out.last() != Some(&next) {
                    out.push(next);
                }
                i = next;
                continue;
            }
        } else if matches!(b, b'.' | b'!' | b'?') && !(b == b'.' && after_abbreviation(text, i)) {
            let mut end = i + 1;
            while end < bytes.len() && matches!(bytes[end], b'.' | b'!' | b'?' | b'"' | b'\'' | b')' | b']') {
                end += 1;
            }
            // Closing curly quotes (’ ”) are three bytes each.
            while text[end..].starts_with(['’', '”']) {
                end += 3;
            }
            let next = skip_space(bytes, end);
            if next > end && next < bytes.len() && opens_sentence(&text[next..]) {
                out.push(next);
                i = next;
                continue;
            }
            i = end;
            continue;
        }
        i += 1;
    }
    out
}

/// The sentence (0 for the first) that byte `offset` is in, given [`starts`].
pub fn index_of(starts: &[usize], offset: usize) -> usize {
    starts.partition_point(|&s| s <= offset)
}

fn skip_space(bytes: &[u8], mut i: usize) -> usize {
    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Whether a sentence can start with `rest`: an upper-case letter, a digit, a quote or bracket,
/// or a letter of a script without case.
fn opens_sentence(rest: &str) -> bool {
    rest.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || "\"'“‘([".contains(c) || (c.is_alphabetic() && !c.is_lowercase())
    })
}

/// Whether the full stop at byte `dot` ends an initial ("J.") or a known abbreviation.
fn after_abbreviation(text: &str, dot: usize) -> bool {
    let before = &text[..dot];
    let word_start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '.'))
        .map_or(0, |i| i + before[i..].chars().next().map_or(1, char::len_utf8));
    let word = &before[word_start..];
    let mut chars = word.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        return c.is_uppercase();
    }
    let word = word.to_lowercase();
    // "No. 5", but "She said no. Then…".
    let numbered = word == "no" && text[dot + 1..].trim_start().starts_with(|c: char| c.is_ascii_digit());
    numbered || ABBREVIATIONS.contains(&word.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<&str> {
        let mut bounds = vec![0];
        bounds.extend(starts(text));
        bounds.push(text.len());
        bounds.windows(2).map(|w| text[w[0]..w[1]].trim()).collect()
    }

    #[test]
    fn sentences_end_at_stops_before_a_capital_and_at_blank_lines() {
        assert_eq!(
            split("Mr. Lavrov met J. Blinken in Geneva. They talked! \"Why?\" she asked.\n\nNew paragraph here"),
            ["Mr. Lavrov met J. Blinken in Geneva.", "They talked!", "\"Why?\" she asked.", "New paragraph here"]
        );
        assert_eq!(
            split("Acme Inc. said 3.5 per cent. 2022 was good."),
            ["Acme Inc. said 3.5 per cent.", "2022 was good."]
        );
        assert_eq!(split("a wrapped\nline stays one. see lower case"), ["a wrapped\nline stays one. see lower case"]);
        assert_eq!(split("He said “No.” Then left."), ["He said “No.”", "Then left."]);
        assert_eq!(split("Berth No. 5 burned."), ["Berth No. 5 burned."]);
        assert_eq!(split("Zoë's café. Ünal came.\n \nÉté"), ["Zoë's café.", "Ünal came.", "Été"]);
        assert_eq!(split(""), [""]);
    }

    #[test]
    fn offsets_find_their_sentence() {
        let text = "One here. Two there. Three.";
        let s = starts(text);
        assert_eq!(index_of(&s, 0), 0);
        assert_eq!(index_of(&s, text.find("Two").unwrap()), 1);
        assert_eq!(index_of(&s, text.find("there").unwrap()), 1);
        assert_eq!(index_of(&s, text.len() - 1), 2);
    }
}
