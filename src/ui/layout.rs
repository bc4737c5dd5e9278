//! The document view's highlighted layout, and the cache that keeps it until something it
//! depends on changes.

use std::collections::HashMap;
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

/// The shown document's blocks laid out so far under one [`LayoutKey`], and every block's
/// height: exact once laid out, estimated from its text before.
#[derive(Default)]
pub struct LayoutCache {
    key: Option<LayoutKey>,
    galleys: HashMap<usize, Arc<Galley>>,
    /// What `heights` were estimated for: the document, its generation and the wrap width.
    measured: Option<(String, u64, u32)>,
    heights: Vec<f32>,
    highlighted: usize,
    /// How many blocks were laid out (tests check it is not every frame).
    pub builds: u64,
}

impl LayoutCache {
    /// Makes the cache hold `doc`'s layout under `key` (its laid-out blocks go when the key
    /// changes); returns how many mentions are highlighted.
    pub fn prepare(&mut self, ui: &Ui, doc: &DocState, key: LayoutKey) -> usize {
        if self.key.as_ref() == Some(&key) {
            return self.highlighted;
        }
        let measured = (key.doc_id.clone(), key.generation, key.wrap_width);
        if self.measured.as_ref() != Some(&measured) {
            self.heights = estimate_heights(ui, doc, key.wrap_width as f32);
            self.measured = Some(measured);
        }
        self.highlighted = doc.mentions.iter().filter(|m| key.kinds.contains(m.kind)).count();
        self.galleys.clear();
        self.key = Some(key);
        self.highlighted
    }

    /// Every block's height, laid out or estimated.
    pub fn heights(&self) -> &[f32] {
        &self.heights
    }

    /// Whether block `b` is laid out under the current key.
    pub fn is_laid_out(&self, b: usize) -> bool {
        self.galleys.contains_key(&b)
    }

    /// Block `b`'s galley, laid out now if it was not (its height is then exact).
    pub fn block(&mut self, ui: &Ui, doc: &DocState, b: usize) -> Arc<Galley> {
        if let Some(g) = self.galleys.get(&b) {
            return g.clone();
        }
        let Some(key) = &self.key else { return ui.ctx().fonts_mut(|f| f.layout_job(LayoutJob::default())) };
        let font = eframe::egui::TextStyle::Body.resolve(ui.style());
        let job = build_job(doc, b, key, font, ui.visuals().text_color());
        let galley = ui.ctx().fonts_mut(|f| f.layout_job(job));
        if let Some(h) = self.heights.get_mut(b) {
            *h = galley.size().y;
        }
        self.galleys.insert(b, galley.clone());
        self.builds += 1;
        galley
    }

    pub fn clear(&mut self) {
        self.key = None;
        self.galleys.clear();
        self.measured = None;
        self.heights.clear();
    }

    /// The text of every run painted as a search match in the blocks laid out, in order (tests
    /// check what is on screen, not only what the document state says).
    pub fn painted_matches(&self) -> Vec<String> {
        let mut blocks: Vec<(&usize, &Arc<Galley>)> = self.galleys.iter().collect();
        blocks.sort_by_key(|(b, _)| **b);
        let is_match = |c: Color32| c == theme::MATCH_BACKGROUND || c == theme::CURRENT_MATCH_BACKGROUND;
        let mut out = Vec::new();
        for (_, galley) in blocks {
            let job = &galley.job;
            out.extend(
                job.sections
                    .iter()
                    .filter(|s| is_match(s.format.background))
                    .filter_map(|s| job.text.get(s.byte_range.start.0..s.byte_range.end.0).map(str::to_owned)),
            );
        }
        out
    }
}

/// Each block's height at `wrap_width` before it is laid out: its lines, each as many rows as
/// its characters take at the font's average width. Laying a block out corrects it.
fn estimate_heights(ui: &Ui, doc: &DocState, wrap_width: f32) -> Vec<f32> {
    let font = eframe::egui::TextStyle::Body.resolve(ui.style());
    let sample = "The quick brown fox jumps over the lazy dog, 0123456789 times.";
    let (row, sample_width) = ui.ctx().fonts_mut(|f| {
        let g = f.layout_no_wrap(sample.to_owned(), font.clone(), ui.visuals().text_color());
        (f.row_height(&font), g.size().x)
    });
    let per_row = (wrap_width / (sample_width / sample.len() as f32)).max(1.0);
    doc.blocks
        .iter()
        .map(|b| {
            let rows: f32 = doc.text[b.bytes.clone()]
                .split('\n')
                .map(|line| (line.chars().count() as f32 / per_row).ceil().max(1.0))
                .sum();
            // A block's last line break is not laid out (see `build_job`).
            let rows = if doc.text[b.bytes.clone()].ends_with('\n') { rows - 1.0 } else { rows };
            rows.max(1.0) * row
        })
        .collect()
}

/// Lays out block `b` of `doc` with visible mentions on their kind's background and search
/// matches in yellow (underlined in the entity's colour where both apply). A mention or match
/// that runs over the block's edge is cut there.
fn build_job(doc: &DocState, b: usize, key: &LayoutKey, font: FontId, color: Color32) -> LayoutJob {
    let mut block = doc.blocks.get(b).map_or(0..0, |x| x.bytes.clone());
    // The line break a block ends with is the step to the next block: laid out, it would be an
    // empty row of its own (`estimate_heights` leaves it out too).
    if doc.text[block.clone()].ends_with('\n') {
        block.end -= 1;
    }
    let selected = key.selected.as_ref().and_then(|s| doc.keys.iter().position(|k| k == s));
    // Those that end in the block or after it, from the first that does.
    let first_mention = doc.mentions.partition_point(|m| m.bytes.end <= block.start);
    let visible: Vec<&Mention> = doc.mentions[first_mention..]
        .iter()
        .take_while(|m| m.bytes.start < block.end)
        .filter(|m| key.kinds.contains(m.kind))
        .collect();
    let first_match = doc.matches.partition_point(|(r, _)| r.end <= block.start);
    let matches = doc.matches[first_match..].iter().take_while(|(r, _)| r.start < block.end);
    let clip = |x: usize| x.clamp(block.start, block.end);
    let mut cuts: Vec<usize> = vec![block.start, block.end];
    for m in &visible {
        cuts.extend([clip(m.bytes.start), clip(m.bytes.end)]);
    }
    for (r, _) in matches {
        cuts.extend([clip(r.start), clip(r.end)]);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut job =
        LayoutJob { text: doc.text[block.clone()].to_owned(), wrap: Default::default(), ..Default::default() };
    job.wrap.max_width = key.wrap_width as f32;
    let (mut mi, mut qi) = (0, first_match);
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
        let (start, end) = (start - block.start, end - block.start);
        job.sections.push(LayoutSection { leading_space: 0.0, byte_range: ByteIndex(start)..ByteIndex(end), format });
    }
    job
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
        let job = build_job(&d, 0, &key, font.clone(), theme::weak_color(false));
        let shaded = job.sections.iter().filter(|s| s.format.background != Color32::TRANSPARENT).count();
        assert_eq!(shaded, 4, "three names and Oslo (a match over a mention)");
        key.kinds.toggle(EntityKind::Person);
        let job = build_job(&d, 0, &key, font, theme::weak_color(false));
        let shaded: Vec<&str> = job
            .sections
            .iter()
            .filter(|s| s.format.background != Color32::TRANSPARENT)
            .map(|s| &d.text[s.byte_range.start.0..s.byte_range.end.0])
            .collect();
        assert_eq!(shaded, ["Oslo"]);
    }
}
