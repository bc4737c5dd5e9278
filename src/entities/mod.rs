//! Finding entity mentions in text.
//!
//! Every recogniser implements [`Extractor`]: text in, mentions (kind + byte span) out. The app
//! and the CLI hold an `Arc<dyn Extractor>` from [`default_extractor`], so a better recogniser
//! replaces the current one in a single place.

mod consistency;
mod contact;
pub mod curation;
pub mod eval;
pub mod identity;
pub mod normalize;
pub mod sentences;
mod spacy;

use std::sync::Arc;

use crate::model::Entity;

pub use consistency::{Consistent, Rules};
pub use contact::{ContactExtractor, WithContacts};
pub use spacy::ModelExtractor;

/// Finds entity mentions. Implementations must be cheap to share across threads and must return
/// spans that lie on `char` boundaries of `text`, sorted by start and not overlapping.
pub trait Extractor: Send + Sync {
    fn extract(&self, text: &str) -> Vec<Entity>;
}

/// The recogniser the app and the CLI use: the statistical model with the document-level
/// consistency pass, contact details by pattern, over chunks of bounded size.
pub fn default_extractor() -> Arc<dyn Extractor> {
    recogniser(Recogniser::Full)
}

/// The recognisers `dossier eval-ner` can compare.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Recogniser {
    /// The model, the consistency pass and contact details: what the app uses.
    Full,
    /// The model alone: exactly spaCy's output, the baseline the rest is measured against.
    Model,
}

/// A recogniser of the given kind, chunked for long texts.
pub fn recogniser(kind: Recogniser) -> Arc<dyn Extractor> {
    recogniser_with(kind, Rules::ALL)
}

/// A recogniser of the given kind whose consistency pass applies only `rules` (to measure each).
pub fn recogniser_with(kind: Recogniser, rules: Rules) -> Arc<dyn Extractor> {
    // The outer pieces are shared out to the cores; the model's, inside each, are not.
    let chunked =
        |inner| -> Arc<dyn Extractor> { Arc::new(Chunked { inner, max_bytes: DEFAULT_CHUNK_BYTES, parallel: true }) };
    let model = || Chunked { inner: ModelExtractor::new(), max_bytes: MODEL_CHUNK_BYTES, parallel: false };
    match kind {
        Recogniser::Full => {
            let model = model();
            let inner: Box<dyn Extractor> =
                Box::new(WithContacts { contacts: ContactExtractor::new(), inner: Consistent { inner: model, rules } });
            chunked(inner)
        }
        Recogniser::Model => chunked(Box::new(model())),
    }
}

impl<E: Extractor + ?Sized> Extractor for Box<E> {
    fn extract(&self, text: &str) -> Vec<Entity> {
        (**self).extract(text)
    }
}

/// Chunk size for [`Chunked`] in the app: large enough that a chunk is many paragraphs, so the
/// consistency pass sees a name's mentions together.
pub const DEFAULT_CHUNK_BYTES: usize = 256 * 1024;

/// The model keeps ~4 KB of activations per token of the text it is given, so it gets smaller
/// pieces (about 6,000 tokens, ~25 MB per loader thread).
pub const MODEL_CHUNK_BYTES: usize = 32 * 1024;

/// Runs an extractor over a long text in pieces of at most `max_bytes`, cut at a paragraph
/// break, else a line break, else a sentence end, else a space, so memory stays bounded and no
/// entity is cut in two (entities never span a paragraph break).
pub struct Chunked<E> {
    pub inner: E,
    pub max_bytes: usize,
    /// Share the pieces of a long text out to the cores (see [`PARALLEL_PIECES`]).
    pub parallel: bool,
}

/// A text of at least this many pieces has them shared out to every core: one long document
/// (a 20 MB book) is then not extracted on one core while the others wait.
const PARALLEL_PIECES: usize = 4;

impl<E: Extractor> Extractor for Chunked<E> {
    fn extract(&self, text: &str) -> Vec<Entity> {
        let pieces = chunks(text, self.max_bytes);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if !self.parallel || pieces.len() < PARALLEL_PIECES || cores < 2 {
            return self.extract_pieces(text, &pieces);
        }
        // Contiguous runs of pieces, one per core, their entities put back in text order. A
        // thread that cannot be started leaves its run to this one.
        let per_thread = pieces.len().div_ceil(cores);
        let runs: Vec<&[std::ops::Range<usize>]> = pieces.chunks(per_thread).collect();
        std::thread::scope(|scope| {
            let started: Vec<_> = runs[1..]
                .iter()
                .copied()
                .enumerate()
                .map(|(i, run)| {
                    let spawned = std::thread::Builder::new()
                        .name(format!("dossier-extract-{}", i + 1))
                        .spawn_scoped(scope, move || self.extract_pieces(text, run));
                    (run, spawned.ok())
                })
                .collect();
            let mut out = self.extract_pieces(text, runs[0]);
            for (run, handle) in started {
                match handle.map(|h| h.join()) {
                    Some(Ok(found)) => out.extend(found),
                    // A panic is this text's, as it would have been on one thread.
                    Some(Err(panic)) => std::panic::resume_unwind(panic),
                    None => out.extend(self.extract_pieces(text, run)),
                }
            }
            out
        })
    }
}

impl<E: Extractor> Chunked<E> {
    /// The entities of `pieces` of `text`, with spans in `text`.
    fn extract_pieces(&self, text: &str, pieces: &[std::ops::Range<usize>]) -> Vec<Entity> {
        let mut out = Vec::new();
        for piece in pieces {
            out.extend(self.inner.extract(&text[piece.clone()]).into_iter().map(|mut e| {
                e.span = e.span.start + piece.start..e.span.end + piece.start;
                e
            }));
        }
        out
    }
}

/// Byte ranges covering `text`, each at most `max` long (longer only when a single char is).
pub fn chunks(text: &str, max: usize) -> Vec<std::ops::Range<usize>> {
    let max = max.max(16);
    let mut out = Vec::new();
    let mut start = 0;
    while text.len() - start > max {
        let mut limit = start + max;
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let mut low = start + max / 2;
        while !text.is_char_boundary(low) {
            low += 1;
        }
        let window = &text[low..limit.max(low)];
        let cut = ["\n\n", "\n", ". ", "? ", "! ", " "]
            .iter()
            .find_map(|sep| window.rfind(sep).map(|i| low + i + sep.len()))
            .unwrap_or(limit)
            .max(start + 1);
        let mut cut = cut;
        while !text.is_char_boundary(cut) {
            cut += 1;
        }
        out.push(start..cut);
        start = cut;
    }
    if start < text.len() || out.is_empty() {
        out.push(start..text.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_text_and_cut_at_paragraphs() {
        let para = "Olga Petrova met Jean Dupont in Oslo.\n\n";
        let text = para.repeat(100);
        let pieces = chunks(&text, 200);
        assert_eq!(pieces.first().map(|r| r.start), Some(0));
        assert_eq!(pieces.last().map(|r| r.end), Some(text.len()));
        for w in pieces.windows(2) {
            assert_eq!(w[0].end, w[1].start);
        }
        for p in &pieces {
            assert!(p.len() <= 200);
            assert!(text[..p.end].ends_with("\n\n") || p.end == text.len());
        }
    }

    #[test]
    fn chunked_extraction_equals_whole_extraction_on_paragraphs() {
        let text = "Write to olga@example.org or see https://example.org/a today.\n\n".repeat(50);
        let whole = ContactExtractor::new().extract(&text);
        let pieces = Chunked { inner: ContactExtractor::new(), max_bytes: 300, parallel: false }.extract(&text);
        // Shared out to the cores, the same entities in the same order.
        let parallel = Chunked { inner: ContactExtractor::new(), max_bytes: 300, parallel: true }.extract(&text);
        assert_eq!(parallel, pieces);
        assert_eq!(whole.len(), 100);
        assert_eq!(whole, pieces);
    }

    #[test]
    fn text_without_breaks_and_multibyte_chars_is_still_cut_safely() {
        for (unit, max) in [("é", 100), ("€", 100), ("€ ", 101), ("\u{11134}", 103), ("a\u{11134}", 16 * 1024)] {
            let text = unit.repeat(20_000);
            let pieces = chunks(&text, max);
            assert!(pieces.len() >= text.len() / max, "{unit:?} {max}");
            for p in pieces {
                assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end), "{unit:?} {max}");
            }
        }
    }
}
