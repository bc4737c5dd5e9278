//! Exploring the folder through its entities: who appears with the selected entity (a list
//! and a graph window) and when the matching documents were written or what dates they mention
//! (the timeline).

use eframe::egui::{self, Align, Layout, RichText};

use super::theme;
use crate::entities::normalize::day_range;
use crate::model::{Cooccurrence, EntityGraph, EntityKey, MonthCount, SentencePairs, Timeline};
use crate::view::{Command, State};
use crate::words;

/// Companions listed under "With …".
const LISTED: usize = 12;

/// The entities that share the most documents (and sentences) with the selected one; a click
/// keeps the documents that mention both.
pub fn cooccur_ui(state: &State, key: &EntityKey, found: &Cooccurrence, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.heading(format!("With {}", key.text));
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.small_button("Graph").on_hover_text("Draw who appears with it").clicked() {
                out.push(Command::ShowGraph(true));
            }
        });
    });
    ui.horizontal(|ui| {
        let n = found.doc_ids.len() as u64;
        ui.label(RichText::new(words::plural(n, "document")).weak());
        let tip = "Open the previous / next document in the list that mentions it (Ctrl+↑ / Ctrl+↓)";
        if ui.small_button("◀ doc").on_hover_text(tip).clicked() {
            out.push(Command::StepDocument(false));
        }
        if ui.small_button("doc ▶").on_hover_text(tip).clicked() {
            out.push(Command::StepDocument(true));
        }
    });
    let shown = |pairs: &[(EntityKey, u64)]| -> Vec<(EntityKey, u64)> {
        pairs.iter().filter(|(k, _)| state.p.show_counting || !k.kind.is_counting()).take(LISTED).cloned().collect()
    };
    ui.label(RichText::new("In the same documents").strong());
    companions_ui(key, &shown(&found.documents), "shared doc", ui, out);
    ui.label(RichText::new("In the same sentence").strong());
    match state.sentences.as_ref().filter(|(k, _)| k == key) {
        None => {
            ui.label(RichText::new("Reading its sentences…").weak().italics());
        }
        Some((_, pairs)) => sentences_ui(key, pairs, &shown(&pairs.pairs), ui, out),
    }
}

fn sentences_ui(
    key: &EntityKey,
    pairs: &SentencePairs,
    shown: &[(EntityKey, u64)],
    ui: &mut egui::Ui,
    out: &mut Vec<Command>,
) {
    companions_ui(key, shown, "sentence", ui, out);
    if pairs.read < pairs.of {
        ui.label(RichText::new(format!("Counted in the first {} of its {} documents.", pairs.read, pairs.of)).weak())
            .on_hover_text("Sentences are read from the documents' text, for a quarter of a second at most.");
    }
}

fn companions_ui(key: &EntityKey, shown: &[(EntityKey, u64)], unit: &str, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    if shown.is_empty() {
        ui.label(RichText::new("None.").weak());
    }
    for (other, n) in shown {
        let text = RichText::new(format!("{} · {}", other.text, words::plural(*n, unit)))
            .color(theme::entity_color(other.kind, dark));
        let r = ui.add(egui::Button::selectable(false, text).truncate());
        if r.on_hover_text(format!("{}: only the documents that mention both", other.kind.display_name())).clicked() {
            out.push(Command::AddFilter(key.clone()));
            out.push(Command::AddFilter(other.clone()));
        }
    }
}

/// The graph window's view: pan offset and zoom, kept by egui between frames.
#[derive(Clone, Copy)]
struct GraphView {
    pan: egui::Vec2,
    zoom: f32,
}

impl Default for GraphView {
    fn default() -> GraphView {
        GraphView { pan: egui::Vec2::ZERO, zoom: 1.0 }
    }
}

/// The window with the graph of the entity last asked about and its closest companions.
pub fn graph_window_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let mut open = true;
    let title = match &state.cooccur {
        Some((key, _)) => format!("Who appears with {}", key.text),
        None => "Who appears with…".to_owned(),
    };
    egui::Window::new(title)
        .id(egui::Id::unique("graph-window"))
        .open(&mut open)
        .default_size([560.0, 440.0])
        .resizable(true)
        .show(ui.ctx(), |ui| match &state.cooccur {
            None => {
                ui.label("Select an entity (click one in a document or in the entity panel) to see who appears with it.");
            }
            Some((_, found)) if found.graph.nodes.len() < 2 => {
                ui.label("No other named entity shares a document with it.");
            }
            Some((_, found)) => {
                ui.label(
                    RichText::new(
                        "Lines from the centre: the documents it shares with each; between two others: the documents all three share. Drag to move, scroll to zoom, click a name to centre on it.",
                    )
                    .weak(),
                );
                graph_ui(&found.graph, ui, out);
            }
        });
    if !open {
        out.push(Command::ShowGraph(false));
    }
}

/// Where each node sits, in graph units: the centre at the origin, the others on a circle in
/// order of shared documents, closer the more they share. The same graph always lands the same.
fn layout(graph: &EntityGraph) -> Vec<egui::Vec2> {
    let shared_with_centre = |i: usize| graph.edges.iter().find(|e| e.0 == 0 && e.1 == i).map_or(0, |e| e.2) as f32;
    let shared: Vec<f32> = (1..graph.nodes.len()).map(shared_with_centre).collect();
    let most = shared.iter().copied().fold(0.0, f32::max);
    let least = shared.iter().copied().fold(most, f32::min);
    let others = shared.len().max(1) as f32;
    let mut places = vec![egui::Vec2::ZERO];
    for (i, n) in shared.iter().enumerate() {
        let closeness = if most > least { (n - least) / (most - least) } else { 0.0 };
        let radius = 1.0 - 0.4 * closeness;
        let angle = std::f32::consts::TAU * i as f32 / others - std::f32::consts::FRAC_PI_2;
        places.push(egui::vec2(angle.cos(), angle.sin()) * radius);
    }
    places
}

/// Where a node's name goes: outside the circle, away from the centre.
fn label_anchor(direction: egui::Vec2) -> egui::Align2 {
    if direction.x > 0.3 {
        egui::Align2::LEFT_CENTER
    } else if direction.x < -0.3 {
        egui::Align2::RIGHT_CENTER
    } else if direction.y < 0.0 {
        egui::Align2::CENTER_BOTTOM
    } else {
        egui::Align2::CENTER_TOP
    }
}

fn graph_ui(graph: &EntityGraph, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let dark = ui.visuals().dark_mode;
    let size = egui::vec2(ui.available_width().max(480.0), ui.available_height().max(340.0));
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::drag());
    let id = ui.scope_id().with("graph-view");
    let mut view: GraphView = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    view.pan += response.drag_delta();
    if response.hovered() {
        let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        view.zoom = (view.zoom * zoom * (scroll / 400.0).exp()).clamp(0.3, 4.0);
    }
    ui.data_mut(|d| d.insert_temp(id, view));
    let scale = rect.width().min(rect.height()) * 0.36 * view.zoom;
    let directions = layout(graph);
    let places: Vec<egui::Pos2> = directions.iter().map(|p| rect.center() + view.pan + *p * scale).collect();
    let painter = ui.painter_at(rect);
    let most = graph.edges.iter().map(|e| e.2).max().unwrap_or(1).max(1) as f32;
    let line = ui.visuals().widgets.noninteractive.fg_stroke.color;
    // Companions' links to each other first and faint, the centre's on top with their counts.
    for &(a, b, shared) in graph.edges.iter().filter(|e| e.0 != 0) {
        let width = 0.5 + 2.0 * shared as f32 / most;
        painter.line_segment([places[a], places[b]], egui::Stroke::new(width, line.gamma_multiply(0.25)));
    }
    for &(a, b, shared) in graph.edges.iter().filter(|e| e.0 == 0) {
        let width = 1.0 + 4.0 * shared as f32 / most;
        painter.line_segment([places[a], places[b]], egui::Stroke::new(width, line.gamma_multiply(0.7)));
        let middle = places[a] + (places[b] - places[a]) * 0.5;
        let font = egui::FontId::proportional(11.0);
        painter.text(middle, egui::Align2::CENTER_CENTER, shared.to_string(), font, ui.visuals().strong_text_color());
    }
    let most_docs = graph.nodes.iter().map(|n| n.1).max().unwrap_or(1).max(1) as f32;
    for (i, (key, docs)) in graph.nodes.iter().enumerate() {
        let (place, direction) = (places[i], directions[i]);
        let radius = 5.0 + 9.0 * (*docs as f32 / most_docs).sqrt();
        let colour = theme::entity_color(key.kind, dark);
        painter.circle(place, radius, colour, egui::Stroke::new(if i == 0 { 3.0 } else { 1.0 }, line));
        let anchor = if i == 0 { egui::Align2::CENTER_TOP } else { label_anchor(direction) };
        let offset = if i == 0 { egui::vec2(0.0, 1.0) } else { direction.normalized() };
        let name = painter.text(
            place + offset * (radius + 4.0),
            anchor,
            &key.text,
            egui::FontId::proportional(13.0),
            ui.visuals().text_color(),
        );
        let hit = egui::Rect::from_center_size(place, egui::Vec2::splat(radius * 2.0)).union(name);
        let node = ui.interact(hit, id.with(("node", i)), egui::Sense::click());
        let shared = graph.edges.iter().find(|e| e.0 == 0 && e.1 == i).map_or(0, |e| e.2);
        let label = if i == 0 {
            format!("{} (centre)", key.text)
        } else {
            format!("{} ({})", key.text, words::plural(shared, "shared doc"))
        };
        node.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
        let node = node.on_hover_text(format!(
            "{}: in {}{}",
            key.kind.display_name(),
            words::plural(*docs, "document"),
            if i == 0 { String::new() } else { format!(", {shared} with the centre · click to centre on it") }
        ));
        if node.clicked() && i > 0 {
            out.push(Command::SelectEntity(Some(key.clone())));
        }
    }
}

/// The timeline of the documents the query matches: a bar per month for the documents that
/// mention a date in it and for those written in it. Click a bar or drag across bars to keep
/// those months (a `date:` filter in the search box).
pub fn timeline_ui(state: &State, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    let selected = selected_months(state);
    ui.horizontal(|ui| {
        ui.strong("Timeline");
        match &state.timeline {
            None => {
                ui.label(RichText::new("counting…").weak().italics());
            }
            Some(t) => {
                let dark = ui.visuals().dark_mode;
                let date = theme::entity_color(crate::model::EntityKind::Date, dark);
                ui.label(RichText::new("▮ mention a date").color(date));
                ui.label(RichText::new("▮ written").color(theme::weak_color(dark)));
                let mentioned: u64 = t.months.iter().map(|m| m.mentioned).sum();
                ui.label(RichText::new(format!("{} · by month", words::plural(t.documents, "document"))).weak());
                if t.unplotted > 0 {
                    ui.label(RichText::new(format!("{} not plotted", words::plural(t.unplotted, "date"))).weak())
                        .on_hover_text(
                            "A year or decade alone, or words like \"Friday\" in a document with no date of its own, \
                             have no month to plot.",
                        );
                }
                if t.months.is_empty() || mentioned == 0 && t.months.iter().all(|m| m.written == 0) {
                    ui.label(RichText::new("No dated documents.").weak());
                }
            }
        }
        ui.with_layout(Layout::right_to_left(Align::Center), |ui| {
            if ui.small_button("✕").on_hover_text("Hide the timeline (View → Timeline)").clicked() {
                out.push(Command::ToggleTimeline);
            }
            if selected.is_some() && ui.small_button("All dates").on_hover_text("Drop the date filter").clicked() {
                out.push(Command::DateRange(None));
            }
        });
    });
    let Some(timeline) = state.timeline.as_ref().filter(|t| !t.months.is_empty()) else { return };
    plot_ui(timeline, selected, ui, out);
}

/// The months of the query's `date:` filter, if it has one.
fn selected_months(state: &State) -> Option<(i32, i32)> {
    let spec = state.p.query().parse_text().dates.into_iter().next()?;
    let (from, to) = day_range(&spec)?;
    Some((MonthCount::of_day(from)?, MonthCount::of_day(to)?))
}

fn plot_ui(timeline: &Timeline, selected: Option<(i32, i32)>, ui: &mut egui::Ui, out: &mut Vec<Command>) {
    use egui_plot::{BarChart, Plot, Polygon};
    let dark = ui.visuals().dark_mode;
    let bars = |written: bool| bars_of(timeline, written);
    let drag_id = ui.scope_id().with("timeline-drag");
    let dragging: Option<i32> = ui.data(|d| d.get_temp(drag_id));
    let (low, high) = dense_range(timeline);
    // About one axis label per 70 points.
    let labels = f64::from(ui.available_width() / 70.0).max(2.0);
    // The plot's id follows the range shown first, so new counts start from their own range
    // rather than where the last ones were zoomed to.
    let response = Plot::new(("timeline-plot", low, high))
        .height(ui.available_height().max(80.0))
        .default_x_bounds(f64::from(low) - 1.0, f64::from(high) + 1.0)
        .auto_bounds([false, true])
        .allow_drag(false)
        .allow_zoom([true, false])
        .allow_scroll([true, false])
        .allow_boxed_zoom(false)
        .show_grid([false, true])
        .include_y(0.0)
        .x_grid_spacer(move |input| month_marks(input, labels))
        .x_axis_formatter(|mark, _| month_label(mark.value))
        .y_axis_min_width(24.0)
        .label_formatter(|_| None)
        .show_crosshair(false)
        .show(ui, |plot| {
            let pointer = plot.pointer_coordinate().map(|p| p.x.round() as i32);
            let shade = |plot: &mut egui_plot::PlotUi<'_>, (a, b): (i32, i32)| {
                let (a, b) = (f64::from(a.min(b)) - 0.5, f64::from(a.max(b)) + 0.5);
                let bounds = plot.plot_bounds();
                let (low, high) = (bounds.min()[1], bounds.max()[1]);
                plot.polygon(
                    Polygon::new("selected", vec![[a, low], [b, low], [b, high], [a, high]])
                        .fill_color(theme::timeline_selection(dark))
                        .stroke(egui::Stroke::NONE),
                );
            };
            match (dragging, pointer) {
                (Some(start), Some(now)) => shade(plot, (start, now)),
                _ => {
                    if let Some(range) = selected {
                        shade(plot, range);
                    }
                }
            }
            plot.bar_chart(
                BarChart::new("mention a date in the month", bars(false))
                    .color(theme::entity_color(crate::model::EntityKind::Date, dark))
                    .allow_hover(false),
            );
            plot.bar_chart(
                BarChart::new("written in the month", bars(true)).color(theme::weak_color(dark)).allow_hover(false),
            );
            pointer
        });
    after_plot_ui(&response.response, response.inner, timeline, (drag_id, dragging), ui, out);
}

/// The hovered month's tooltip, and the months a click or a drag picks.
fn after_plot_ui(
    plot: &egui::Response,
    pointer: Option<i32>,
    timeline: &Timeline,
    (drag_id, dragging): (egui::Id, Option<i32>),
    ui: &mut egui::Ui,
    out: &mut Vec<Command>,
) {
    // The month under the pointer, as a tooltip (the plot's own label would be cut off by its
    // frame in a panel this low).
    // Only the hovered month is described, not every month every frame.
    let hovered = pointer.and_then(|m| timeline.months.binary_search_by_key(&m, |c| c.month).ok());
    if let Some(i) = hovered {
        plot.clone().on_hover_text_at_pointer(describe_month(&timeline.months[i]));
    }
    plot.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Figure, true, "Timeline chart"));
    if plot.drag_started() {
        ui.data_mut(|d| match pointer {
            Some(month) => {
                d.insert_temp(drag_id, month);
            }
            None => d.remove::<i32>(drag_id),
        });
    }
    if plot.drag_stopped() {
        ui.data_mut(|d| d.remove::<i32>(drag_id));
        if let (Some(start), Some(end)) = (dragging, pointer) {
            out.push(Command::DateRange(Some((start, end))));
        }
    } else if plot.clicked()
        && let Some(month) = pointer
    {
        out.push(Command::DateRange(Some((month, month))));
    }
}

/// The months the timeline opens on: all of them but the first and last 2% of dated documents,
/// so one mention of 1066 does not squeeze the rest into a single bar (scrolling and Ctrl +
/// scroll move and zoom out to the rest).
fn dense_range(timeline: &Timeline) -> (i32, i32) {
    let weight = |m: &MonthCount| m.mentioned + m.written;
    let total: u64 = timeline.months.iter().map(weight).sum();
    let tail = total / 50;
    let mut seen = 0;
    let mut low = timeline.months.first().map_or(0, |m| m.month);
    for m in &timeline.months {
        seen += weight(m);
        if seen > tail {
            low = m.month;
            break;
        }
    }
    seen = 0;
    let mut high = timeline.months.last().map_or(0, |m| m.month);
    for m in timeline.months.iter().rev() {
        seen += weight(m);
        if seen > tail {
            high = m.month;
            break;
        }
    }
    (low, high.max(low))
}

/// A bar per month: documents mentioning a date in it (left) or written in it (right).
fn bars_of(timeline: &Timeline, written: bool) -> Vec<egui_plot::Bar> {
    timeline
        .months
        .iter()
        .map(|m| {
            let (n, offset) = if written { (m.written, 0.2) } else { (m.mentioned, -0.2) };
            egui_plot::Bar::new(f64::from(m.month) + offset, n as f64).width(0.4)
        })
        .collect()
}

/// A bar's hover text: the month, its counts and its top documents.
fn describe_month(m: &MonthCount) -> String {
    let mut text = format!(
        "{}\n{} mention a date in it · {} written in it",
        MonthCount::name(m.month),
        words::plural(m.mentioned, "document"),
        m.written
    );
    for (_, title) in &m.top {
        text.push_str(&format!("\n• {}", if title.is_empty() { "(untitled)" } else { title }));
    }
    text
}

/// The months marked on the axis: every month, quarter, year or more, as the range shown
/// allows `labels` of them.
fn month_marks(input: egui_plot::GridInput, labels: f64) -> Vec<egui_plot::GridMark> {
    let (low, high) = input.bounds;
    let step = [1, 3, 6, 12, 24, 60, 120, 240, 600, 1200]
        .into_iter()
        .find(|s| (high - low) / f64::from(*s) <= labels)
        .unwrap_or(1200);
    let first = (low / f64::from(step)).ceil() as i64 * i64::from(step);
    (0..)
        .map(|i| first + i * i64::from(step))
        .take_while(|m| (*m as f64) <= high)
        .take(200)
        .map(|m| egui_plot::GridMark { value: m as f64, step_size: f64::from(step) })
        .collect()
}

/// An axis mark: a month as "Jul 2022", or the year alone for January.
fn month_label(value: f64) -> String {
    let rounded = value.round();
    if (value - rounded).abs() > 0.01 {
        return String::new();
    }
    let month = rounded as i32;
    if month.rem_euclid(12) == 0 {
        return month.div_euclid(12).to_string();
    }
    let name = MonthCount::name(month);
    let (word, year) = name.split_once(' ').unwrap_or((&name, ""));
    format!("{} {year}", &word[..3])
}
