//! Finding entity mentions in text.
//!
//! Every recogniser implements [`Extractor`]: text in, mentions (kind + byte span) out. The app
//! and the CLI hold an `Arc<dyn Extractor>` from [`default_extractor`], so a better recogniser
//! replaces the current one in a single place.

pub mod eval;
mod gazetteer;
mod rules;

use std::sync::Arc;

use crate::model::Entity;

pub use rules::RuleExtractor;

/// Finds entity mentions. Implementations must be cheap to share across threads and must return
/// spans that lie on `char` boundaries of `text`, sorted by start and not overlapping.
pub trait Extractor: Send + Sync {
    fn extract(&self, text: &str) -> Vec<Entity>;
}

/// The recogniser the app and the CLI use.
pub fn default_extractor() -> Arc<dyn Extractor> {
    Arc::new(RuleExtractor::new())
}
