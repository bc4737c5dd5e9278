//! Which language a document is written in, so English-only entity recognition is not shown
//! as if it were reliable on other languages.

/// The first bytes of a document that detection looks at: enough to decide, cheap on huge files.
const SAMPLE_BYTES: usize = 4 * 1024;

/// A detected language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Language {
    /// ISO 639-3 code, e.g. `eng`, `fra`.
    pub code: &'static str,
    /// English name, e.g. `French`.
    pub name: &'static str,
}

impl Language {
    pub fn is_english(self) -> bool {
        self.code == "eng"
    }
}

/// The language of `text` when the detector is confident, else `None` (too short or mixed).
/// English needs less confidence than other languages: mistaking English for another language
/// would hide its entities, the costlier error.
pub fn detect(text: &str) -> Option<Language> {
    let mut end = text.len().min(SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let info = whatlang::detect(&text[..end])?;
    let english = info.lang() == whatlang::Lang::Eng && info.confidence() >= 0.5;
    (info.is_reliable() || english).then(|| Language { code: info.lang().code(), name: info.lang().eng_name() })
}

/// The English name of a document's language code when it is not English (for labels that
/// only mention other languages).
pub fn foreign_name(code: &str) -> Option<&'static str> {
    name_of(code).filter(|_| code != "eng")
}

/// The English name of an ISO 639-3 code produced by [`detect`].
pub fn name_of(code: &str) -> Option<&'static str> {
    whatlang::Lang::from_code(code).map(|l| l.eng_name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_english_and_french() {
        let en = detect(
            "The minister said on Friday that the talks with the delegation would continue next week in Geneva.",
        );
        assert_eq!(en.map(|l| l.code), Some("eng"));
        let fr = detect(
            "Le ministre a déclaré vendredi que les discussions avec la délégation se poursuivraient la semaine prochaine à Genève.",
        );
        assert_eq!(fr.map(|l| l.name), Some("French"));
        assert_eq!(name_of("fra"), Some("French"));
        assert_eq!(foreign_name("fra"), Some("French"));
        assert_eq!(foreign_name("eng"), None);
        assert_eq!(foreign_name(""), None);
    }

    #[test]
    fn too_little_text_is_undecided() {
        assert_eq!(detect("ok"), None);
        assert_eq!(detect(""), None);
    }
}
