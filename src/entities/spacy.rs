//! The statistical recogniser: the NER component of spaCy's `en_core_web_sm` 3.8.0, ported to
//! Rust in the `dossier-ner` crate (`ner/`), with its weights compiled into the binary
//! (`assets/ner/`, MIT licence, provenance beside it). Output is identical to spaCy's.
//!
//! The model is loaded on first use (10–20 ms), on whichever background thread extracts first,
//! and then shared by every thread.

use std::sync::OnceLock;

use dossier_ner::{ModelError, NerModel};

use super::Extractor;
use crate::model::{Entity, EntityKind};

static WEIGHTS: &[u8] = include_bytes!("../../assets/ner/ner_model.bin");

/// See the module documentation.
#[derive(Default)]
pub struct ModelExtractor {
    model: OnceLock<Result<NerModel, ModelError>>,
}

impl ModelExtractor {
    pub fn new() -> ModelExtractor {
        ModelExtractor::default()
    }

    /// The loaded model, or why it could not be loaded.
    pub fn model(&self) -> Result<&NerModel, &ModelError> {
        self.model.get_or_init(|| NerModel::from_bytes(WEIGHTS)).as_ref()
    }
}

impl Extractor for ModelExtractor {
    fn extract(&self, text: &str) -> Vec<Entity> {
        let model = match self.model() {
            Ok(m) => m,
            Err(e) => {
                // The weights are compiled in and tested, so this means a damaged build.
                log::error!("the entity model cannot be loaded: {e}");
                return Vec::new();
            }
        };
        let mut out: Vec<Entity> = model
            .extract(text)
            .into_iter()
            .filter_map(|e| Some(Entity { kind: EntityKind::from_label(&e.label)?, span: e.start..e.end }))
            .collect();
        out.sort_by_key(|e| (e.span.start, e.span.end));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_in_model_loads_and_finds_entities() {
        let text = "Sergey Lavrov met Antony Blinken in Geneva on Friday.";
        let got: Vec<(&str, &str)> =
            ModelExtractor::new().extract(text).into_iter().map(|e| (&text[e.span], e.kind.label())).collect();
        assert!(got.contains(&("Sergey Lavrov", "PERSON")), "{got:?}");
        assert!(got.contains(&("Antony Blinken", "PERSON")), "{got:?}");
        assert!(got.contains(&("Geneva", "GPE")), "{got:?}");
        assert!(got.contains(&("Friday", "DATE")), "{got:?}");
    }

    #[test]
    fn every_model_label_is_a_known_kind() {
        let ex = ModelExtractor::new();
        let labels = ex.model().expect("model").labels();
        assert_eq!(labels.len(), 18, "{labels:?}");
        for l in labels {
            assert!(EntityKind::from_label(&l).is_some(), "{l}");
        }
    }
}
