//! `cargo bench --bench document`: a 20 MB document in the app, driven headless by egui_kittest
//! as the tests drive it. Prints, as a table: the time from the click to the document shown,
//! the UI thread's time per frame (the app's `ui` and egui's layout, no GPU) while scrolling
//! through it line by line and a page at a time, and the jump to its last match.
//!
//! The document is `../shared/corpora/gutenberg/2600-0.txt` (War and Peace, English, so it has
//! entities to highlight; or `$DOSSIER_CORPORA/gutenberg`) repeated to 20 MB, with a word only
//! on its first and last lines. Indexing it (entities included) takes a minute first.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use dossier::app::{DossierApp, FolderPicker, Picked, Setup};
use dossier::entities::default_extractor;
use dossier::pipeline::Options;
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

struct NoDialog;

impl FolderPicker for NoDialog {
    fn pick(&self) -> Picked {
        Picked::Cancelled
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn row(what: &str, value: String) {
    println!("| {what:<52} | {value:>34} |");
}

/// Steps the app until `done`, up to `limit`; the time it took.
fn until(
    h: &mut Harness<'static, DossierApp>,
    limit: Duration,
    done: impl Fn(&Harness<'static, DossierApp>) -> bool,
) -> Duration {
    let started = Instant::now();
    while !done(h) {
        assert!(started.elapsed() < limit, "timed out");
        h.step();
        std::thread::sleep(Duration::from_millis(1));
    }
    started.elapsed()
}

/// Steps one frame per event, timing each step; p50, p99 and max in ms.
fn frames(h: &mut Harness<'static, DossierApp>, n: usize, event: impl Fn() -> egui::Event) -> (f64, f64, f64) {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        h.event(event());
        let started = Instant::now();
        h.step();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    (percentile(&times, 0.5), percentile(&times, 0.99), *times.last().unwrap_or(&0.0))
}

fn wheel(unit: egui::MouseWheelUnit, rows: f32) -> egui::Event {
    egui::Event::MouseWheel {
        unit,
        delta: egui::vec2(0.0, -rows),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    }
}

fn main() {
    let corpora = std::env::var_os("DOSSIER_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    let Ok(book) = std::fs::read_to_string(corpora.join("gutenberg/2600-0.txt")) else {
        eprintln!("bench: {} not found; set DOSSIER_CORPORA", corpora.join("gutenberg/2600-0.txt").display());
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let folder = tmp.path().join("big");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let mut text = String::from("Zanzibar is where it starts.\n");
    while text.len() < 20_000_000 {
        text.push_str(&book);
    }
    text.push_str("\nZanzibar is where it ends.\n");
    std::fs::write(folder.join("big.txt"), &text).expect("write");
    let store = dossier::store::Store::at(tmp.path().join("data"));
    let folder = folder.canonicalize().expect("folder");
    let dir = store.index_dir(&folder);
    let index = dossier::index::DocIndex::open_or_create(&dir).expect("index");
    let started = Instant::now();
    let (_, error) = dossier::pipeline::run_blocking(
        folder.clone(),
        index.clone(),
        dir,
        default_extractor(),
        Options::default(),
        |_| {},
    )
    .expect("index");
    assert!(error.is_none(), "{error:?}");
    let indexed = started.elapsed();
    index.reload().expect("reload");
    // The two halves of opening it: the searcher's answer, and the view's preparation of it.
    let started = Instant::now();
    let view = index.doc_view("big.txt", &dossier::model::Query::default()).expect("view").expect("the document");
    let answered = started.elapsed();
    let mentions = view.entities.len();
    let started = Instant::now();
    let state = dossier::view::document::DocState::new(view, 1);
    let prepared = started.elapsed();
    drop(state);

    let setup = Setup {
        store,
        picker: Arc::new(NoDialog),
        extractor: default_extractor(),
        initial_folder: Some(folder),
        options: Options::default(),
        state: None,
    };
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .allow_missing_glyphs()
        .build_eframe(move |cc| DossierApp::new(cc, setup));
    until(&mut h, Duration::from_secs(60), |h| h.query_by_label_contains("big.txt").is_some());

    println!("| {:<52} | {:>34} |", "measure", "value");
    println!("|{}|{}|", "-".repeat(54), "-".repeat(36));
    row("document", format!("{:.1} MB, indexed in {:.0} s", text.len() as f64 / 1e6, indexed.as_secs_f64()));
    row(
        &format!("searcher: the document and its {mentions} mentions"),
        format!("{:.0} ms", answered.as_secs_f64() * 1000.0),
    );
    row("view: mentions, matches, blocks located", format!("{:.0} ms", prepared.as_secs_f64() * 1000.0));
    h.get_by_label_contains("big.txt").click();
    // Timed frame by frame: the UI thread must not spend the view's preparation.
    let (started, mut longest) = (Instant::now(), Duration::ZERO);
    while !(h.state().document().is_some_and(|d| d.id == "big.txt")
        && h.query_by_label_contains("highlighted mentions").is_some())
    {
        assert!(started.elapsed() < Duration::from_secs(60), "timed out");
        let frame = Instant::now();
        h.step();
        longest = longest.max(frame.elapsed());
        std::thread::sleep(Duration::from_millis(1));
    }
    let opened = started.elapsed();
    row("click to document shown (searcher + UI)", format!("{:.0} ms", opened.as_secs_f64() * 1000.0));
    row("longest UI frame while it opens", format!("{:.0} ms", longest.as_secs_f64() * 1000.0));
    let blocks = h.state().document().map_or(0, |d| d.blocks.len());
    row("blocks of the text / laid out so far", format!("{blocks} / {}", h.state().layout_builds()));

    // The pointer over the text.
    h.hover_at(egui::pos2(700.0, 500.0));
    let (p50, p99, max) = frames(&mut h, 300, || wheel(egui::MouseWheelUnit::Line, 3.0));
    row("scrolling 3 lines a frame: UI ms per frame", format!("p50 {p50:.2}, p99 {p99:.2}, max {max:.2}"));
    let (p50, p99, max) = frames(&mut h, 200, || wheel(egui::MouseWheelUnit::Page, 1.0));
    row("scrolling a page a frame: UI ms per frame", format!("p50 {p50:.2}, p99 {p99:.2}, max {max:.2}"));
    row("blocks laid out after 500 frames", format!("{}", h.state().layout_builds()));

    // The last match, far down: search, then F3 from the first.
    while !h.get_by_label("Search").is_focused() {
        h.get_by_label("Search").click();
        h.step();
    }
    h.get_by_label("Search").type_text("Zanzibar");
    until(&mut h, Duration::from_secs(60), |h| h.query_by_label("1 of 2 matches").is_some());
    let started = Instant::now();
    h.key_press(egui::Key::F3);
    until(&mut h, Duration::from_secs(60), |h| h.query_by_label_contains("Zanzibar is where it ends").is_some());
    row("F3 to the last match (20 MB further)", format!("{:.0} ms", started.elapsed().as_secs_f64() * 1000.0));
}
