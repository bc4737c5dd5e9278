//! The document view's highlighted layout, and the cache that keeps it until something it
//! depends on changes.

use std::sync::Arc;

use eframe::egui::text::{ByteIndex, LayoutJob, LayoutSection};
use eframe::egui::{Color32, FontId, Galley, Stroke, TextFormat, Ui};

use super::theme;
use crate::model::{EntityKey, KindSet};
use crate::view::document::{DocState, Mention};

/// Everything the highlighted layout depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutKey {
    pub doc_id: String,
    /// [`DocState::generation`]: text, mentions and matches may change under the same id.
    pub generation: u64,
    pub kinds: KindSet,
    pub selected: Option<EntityKey>,
    pub current_match: Option<usize>,
    pub wrap_width: u32,
    pub dark: bool,
}

/// The last laid-out document.
#[derive(Default)]
pub struct LayoutCache {
    key: Option<LayoutKey>,
    galley: Option<Arc<Galley>>,
    highlighted: usize,
    /// How many times a layout was built (tests check it is not every frame).
    pub builds: u64,
}

impl LayoutCache {
    /// The galley for `doc` under `key`, built only when `key` changed.
    pub fn galley(&mut self, ui: &Ui, doc: &DocState, key: LayoutKey) -> (Arc<Galley>, usize) {
        if let (Some(k), Some(g)) = (&self.key, &self.galley)
            && *k == key
        {
            return (g.clone(), self.highlighted);
        }
        let font = eframe::egui::TextStyle::Body.resolve(ui.style());
        let color = ui.visuals().text_color();
        let (job, highlighted) = build_job(doc, &key, font, color);
        let galley = ui.ctx().fonts_mut(|f| f.layout_job(job));
        self.key = Some(key);
        self.galley = Some(galley.clone());
        self.highlighted = highlighted;
        self.builds += 1;
        (galley, highlighted)
    }

    pub fn clear(&mut self) {
        self.key = None;
        self.galley = None;
    }

    /// The text of every run painted as a search match in the last layout, in order (tests
    /// check what is on screen, not only what the document state says).
    pub fn painted_matches(&self) -> Vec<String> {
        let Some(galley) = &self.galley else { return Vec::new() };
        let job = &galley.job;
        let is_match = |c: Color32| c == theme::MATCH_BACKGROUND || c == theme::CURRENT_MATCH_BACKGROUND;
        job.sections
            .iter()
            .filter(|s| is_match(s.format.background))
            .filter_map(|s| job.text.get(s.byte_range.start.0..s.byte_range.end.0).map(str::to_owned))
            .collect()
    }
}

/// Lays out `doc` with visible mentions on their kind's background and search matches in
/// yellow (underlined in the entity's colour where both apply). Returns the job and how many
/// mentions are highlighted.
fn build_job(doc: &DocState, key: &LayoutKey, font: FontId, color: Color32) -> (LayoutJob, usize) {
    let selected = key.selected.as_ref().and_then(|s| doc.keys.iter().position(|k| k == s));
    let visible: Vec<&Mention> = doc.mentions.iter().filter(|m| key.kinds.contains(m.kind)).collect();
    let mut cuts: Vec<usize> = vec![0, doc.text.len()];
    for m in &visible {
        cuts.extend([m.bytes.start, m.bytes.end]);
    }
    for (b, _) in &doc.matches {
        cuts.extend([b.start, b.end]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut job = LayoutJob { text: doc.text.clone(), wrap: Default::default(), ..Default::default() };
    job.wrap.max_width = key.wrap_width as f32;
    let (mut mi, mut qi) = (0, 0);
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        while mi < visible.len() && visible[mi].bytes.end <= start {
            mi += 1;
        }
        while qi < doc.matches.len() && doc.matches[qi].0.end <= start {
            qi += 1;
        }
        let mention = visible.get(mi).filter(|m| m.bytes.start <= start);
        let in_match = doc.matches.get(qi).is_some_and(|(b, _)| b.start <= start);
        let mut format = TextFormat { font_id: font.clone(), color, ..Default::default() };
        if let Some(m) = mention {
            let is_selected = Some(m.key) == selected;
            format.background = theme::entity_background(m.kind, key.dark, is_selected);
            if is_selected {
                format.underline = Stroke::new(2.0, theme::entity_color(m.kind, key.dark));
            }
        }
        if in_match {
            format.background =
                if key.current_match == Some(qi) { theme::CURRENT_MATCH_BACKGROUND } else { theme::MATCH_BACKGROUND };
            format.color = theme::MATCH_TEXT;
            if let Some(m) = mention {
                format.underline = Stroke::new(2.0, theme::entity_color(m.kind, key.dark));
            }
        }
        job.sections.push(LayoutSection { leading_space: 0.0, byte_range: ByteIndex(start)..ByteIndex(end), format });
    }
    (job, visible.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntityKind;

    fn doc() -> DocState {
        DocState::sample()
    }

    #[test]
    fn hidden_kinds_are_not_highlighted() {
        let d = doc();
        let mut key = LayoutKey {
            doc_id: "a".into(),
            generation: 1,
            kinds: KindSet::all(),
            selected: None,
            current_match: None,
            wrap_width: 400,
            dark: false,
        };
        let font = FontId::default();
        let (job, n) = build_job(&d, &key, font.clone(), theme::weak_color(false));
        assert_eq!(n, 4);
        let shaded = job.sections.iter().filter(|s| s.format.background != Color32::TRANSPARENT).count();
        assert_eq!(shaded, 4, "three names and Oslo (a match over a mention)");
        key.kinds.toggle(EntityKind::Person);
        let (job, n) = build_job(&d, &key, font, theme::weak_color(false));
        assert_eq!(n, 1);
        let shaded: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.background != Color32::TRANSPARENT)
            .map(|s| &d.text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(shaded, ["Oslo"]);
    }
}
