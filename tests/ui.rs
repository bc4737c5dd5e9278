//! The real app driven through its accessibility tree, as a user would: open folders, type a
//! query, click a hit, read the document, toggle entity highlights, restart.

mod common;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use common::Fixture;
use dossier::app::{DossierApp, FolderPicker, Persisted, Picked, Setup};
use dossier::entities::default_extractor;
use dossier::model::EntityKind;
use dossier::pipeline::Options;
use eframe::egui::{self, Key};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// A folder dialog that answers at once with a fixed folder.
struct FixedPicker(PathBuf);

impl FolderPicker for FixedPicker {
    fn pick(&self) -> Picked {
        Picked::Chosen(self.0.clone())
    }

    /// Saves beside the folder, under the name offered.
    fn save(&self, suggested: &str) -> Picked {
        Picked::Chosen(self.0.with_file_name(suggested))
    }
}

/// A desktop without a folder dialog (or a user who cancels it).
struct NoDialog(Picked);

impl FolderPicker for NoDialog {
    fn pick(&self) -> Picked {
        self.0.clone()
    }
}

fn harness(fx: &Fixture, initial: Option<PathBuf>, state: Option<Persisted>) -> Harness<'static, DossierApp> {
    build(setup(fx, initial, state), [1280.0, 800.0])
}

/// The app's setup for the fixture: its dialog answers with the fixture folder.
fn setup(fx: &Fixture, initial: Option<PathBuf>, state: Option<Persisted>) -> Setup {
    Setup {
        store: fx.store(),
        picker: Arc::new(FixedPicker(fx.folder.clone())),
        extractor: default_extractor(),
        initial_folder: initial,
        options: Options::default(),
        state,
    }
}

/// The app with `setup` in a window of `size`.
fn build(setup: Setup, size: [f32; 2]) -> Harness<'static, DossierApp> {
    Harness::builder().with_size(size).allow_missing_glyphs().build_eframe(move |cc| DossierApp::new(cc, setup))
}

/// Steps the app until `done` holds, giving the background threads time to answer. The limit
/// only turns a hang into a failure; it is generous because CI machines are shared and slow.
fn run_until(h: &mut Harness<'static, DossierApp>, what: &str, done: impl Fn(&Harness<'static, DossierApp>) -> bool) {
    run_until_within(h, Duration::from_secs(60), what, done);
}

/// [`run_until`] with a longer limit, for what takes long in a debug build (20 MB of text).
fn run_until_within(
    h: &mut Harness<'static, DossierApp>,
    limit: Duration,
    what: &str,
    done: impl Fn(&Harness<'static, DossierApp>) -> bool,
) {
    let started = std::time::Instant::now();
    while started.elapsed() < limit {
        h.step();
        if done(h) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

/// Clicks into the field labelled `label` until it has keyboard focus (a frame that is busy
/// with something else, a closing menu say, may not give it), then types `text`.
fn type_into(h: &mut Harness<'static, DossierApp>, label: &str, text: &str) {
    let started = std::time::Instant::now();
    while !h.get_by_label(label).is_focused() {
        assert!(started.elapsed() < Duration::from_secs(60), "{label} never got the focus");
        h.get_by_label(label).click();
        h.step();
    }
    h.get_by_label(label).type_text(text);
    h.step();
}

/// Types `text` into the search box and waits until the app has it.
fn search_for(h: &mut Harness<'static, DossierApp>, text: &str) {
    type_into(h, "Search", text);
    run_until(h, "the typed query", |h| h.state().persisted().query == text);
}

/// The document list shows `n` documents and the type and folder filters above it are drawn:
/// rows are where they stay (the filters arrive with the folder's statistics and push the list
/// down), and indexing is over (its progress bar goes, and the entities found in its second
/// stage fill the entity panel), so a click lands on the row it aims at.
fn listed(h: &Harness<'static, DossierApp>, n: usize) -> bool {
    shows(h, &format!("All documents ({n})")) && shows(h, "Folder:") && !h.state().indexing()
}

/// Scrolls the widget labelled `label` into view, moves the pointer onto it as a person would
/// before clicking, and steps until it stays where it is (the scroll is animated, and the
/// pointer over a panel may change its layout), so a click lands on it.
fn scroll_to(h: &mut Harness<'static, DossierApp>, label: &str) {
    h.get_by_label(label).scroll_to_me();
    h.run_steps(2);
    h.get_by_label(label).hover();
    let at = std::cell::Cell::new(None);
    run_until(h, label, |h| {
        let now = Some(h.get_by_label(label).rect());
        at.replace(now) == now
    });
}

fn shows(h: &Harness<'static, DossierApp>, label: &str) -> bool {
    h.query_by_label(label).is_some()
}

fn shows_part(h: &Harness<'static, DossierApp>, part: &str) -> bool {
    h.query_all_by_label_contains(part).next().is_some()
}

/// The app on the fixture folder, its seven documents listed.
fn folder_open(fx: &Fixture) -> Harness<'static, DossierApp> {
    let mut h = harness(fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the documents", |h| listed(h, 7));
    h
}

/// The app on the fixture folder with the meeting minutes open.
fn minutes_open(fx: &Fixture) -> Harness<'static, DossierApp> {
    let mut h = folder_open(fx);
    h.get_by_label_contains("notes/meeting-minutes.md").click();
    run_until(&mut h, "the minutes", |h| shows(h, "Minutes of the budget meeting"));
    h
}

const SEED_TITLE: &str = "US Secretary Blinken Holds 'Frank And Direct' Conversation With Russian FM Over Phone Call";

/// The number in the "N highlighted mentions" line under the legend.
fn highlighted(h: &Harness<'static, DossierApp>) -> usize {
    let node = h.get_by_label_contains("highlighted mentions");
    let ak = node.accesskit_node();
    let label = ak.label().filter(|l| !l.is_empty()).or_else(|| ak.value()).unwrap_or_default();
    label.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| panic!("a count in {label:?}"))
}

#[test]
fn first_start_shows_the_samples_then_a_folder_from_the_dialog_is_searched() {
    let fx = Fixture::new();
    let mut h = harness(&fx, None, None);

    // First start: the bundled sample opens with its entities highlighted, and a hint says
    // where to begin until it is put away.
    run_until(&mut h, "the sample document", |h| shows(h, SEED_TITLE) && !h.state().indexing());
    assert!(shows_part(&h, "New here? Ctrl+O opens a folder"));
    h.get_by_label("Got it").click();
    h.run_steps(2);
    assert!(!shows_part(&h, "New here?") && h.state().persisted().hint_dismissed);
    assert!(highlighted(&h) > 20);
    // One name per entity: surnames count with the full name, "US" with "the United States".
    for name in
        ["Antony Blinken ×11", "Sergey Lavrov ×9", "Brittney Griner ×4", "United States ×10", "Moscow ×4", "CNN ×5"]
    {
        assert!(shows(&h, name), "entity panel lists {name}");
    }
    for split in ["Blinken ×10", "Lavrov ×6", "Griner ×1", "US ×7"] {
        assert!(!shows(&h, split), "{split} is not listed apart");
    }

    // File → Open folder… goes through the (injected) folder dialog.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label_contains("Open folder…").click();
    run_until(&mut h, "the fixture folder's documents", |h| listed(h, 7));

    // Search as you type.
    search_for(&mut h, "Griner");
    run_until(&mut h, "the hit count", |h| shows(h, "1 document matches"));
    let hit = h.get_by_label_contains("news-blinken-lavrov.txt · Text · 4 matches");
    hit.click();
    run_until(&mut h, "the document", |h| shows(h, SEED_TITLE) && shows(h, "1 of 4 matches"));
    assert!(shows_part(&h, "arrested on drug-related charges at a Moscow airport"));

    // Next match with F3 and with Enter in the search box.
    h.key_press(Key::F3);
    run_until(&mut h, "the second match", |h| shows(h, "2 of 4 matches"));
    type_into(&mut h, "Search", "");
    h.key_press(Key::Enter);
    run_until(&mut h, "the third match", |h| shows(h, "3 of 4 matches"));

    // Toggling a type off removes exactly its highlights; on again brings them back.
    let before = highlighted(&h);
    let people = h.state().document().unwrap().mentions.iter().filter(|m| m.kind == EntityKind::Person).count();
    assert!(people >= 20);
    h.get_by_label("Person").click();
    h.run_steps(2);
    assert_eq!(highlighted(&h), before - people);
    h.get_by_label("Person").click();
    h.run_steps(2);
    assert_eq!(highlighted(&h), before);

    // The highlighted layout is cached, not rebuilt every frame.
    let builds = h.state().layout_builds();
    h.run_steps(10);
    assert_eq!(h.state().layout_builds(), builds);

    // Escape in the search box clears the query and brings back the document list.
    type_into(&mut h, "Search", "");
    h.key_press(Key::Escape);
    run_until(&mut h, "the document list", |h| shows(h, "All documents (7)") && !h.state().indexing());
    assert_eq!(h.state().persisted().query, "");
}

#[test]
fn clicking_an_entity_selects_it_and_filtering_narrows_the_list() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    // A document in another language says why it shows no entities.
    h.get_by_label_contains("notes/communique-fr.txt").click();
    run_until(&mut h, "the French notice", |h| shows_part(h, "looks like French"));
    assert!(shows(&h, "0 highlighted mentions"));

    h.get_by_label_contains("notes/meeting-minutes.md").click();
    run_until(&mut h, "the minutes", |h| shows(h, "Minutes of the budget meeting"));

    h.get_by_label("Calder Shipping Company ×1").click();
    h.run_steps(2);
    assert_eq!(h.state().persisted().selected.as_deref(), Some("notes/meeting-minutes.md"));
    let selected = h.state().document().map(|d| {
        d.first_mention_of(&dossier::model::EntityKey { kind: EntityKind::Org, text: "Calder Shipping Company".into() })
    });
    assert!(selected.flatten().is_some());

    // The folder-wide list filters the documents by an entity. The selected entity's
    // co-occurrences above it push it to the panel's bottom edge, so it is clicked the way a
    // screen reader does, not with the pointer.
    h.get_by_label("Calder Shipping Company · 2 docs").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("Calder Shipping Company · 2 docs").click_accesskit();
    run_until(&mut h, "the filtered hits", |h| shows(h, "2 documents match"));
    assert!(shows(&h, "Remove Calder Shipping Company"));
    let clicked: Vec<String> = h.state().results().map(|r| r.hits.iter().map(|x| x.id.clone()).collect()).unwrap();

    // The same filter typed in the search box, by a spelling in lower case.
    h.get_by_label("Remove Calder Shipping Company").click();
    run_until(&mut h, "the filter removed", |h| !shows(h, "Remove Calder Shipping Company"));
    search_for(&mut h, "org:\"calder shipping company\"");
    run_until(&mut h, "the typed filter's hits", |h| shows(h, "2 documents match"));
    let typed: Vec<String> = h.state().results().map(|r| r.hits.iter().map(|x| x.id.clone()).collect()).unwrap();
    assert_eq!(typed, clicked);
}

#[test]
fn a_selected_entity_lists_who_appears_with_it_and_a_click_keeps_both() {
    let fx = Fixture::new();
    let mut h = minutes_open(&fx);
    h.get_by_label("Calder Shipping Company ×1").click();
    run_until(&mut h, "its co-occurrences", |h| shows(h, "With Calder Shipping Company"));
    scroll_to(&mut h, "Maria Lopez · 1 shared doc");
    h.get_by_label("Maria Lopez · 1 shared doc").click();
    run_until(&mut h, "the documents with both", |h| shows(h, "1 document matches"));
    assert!(shows(&h, "Remove Calder Shipping Company") && shows(&h, "Remove Maria Lopez"));
}

#[test]
fn the_folder_list_finds_entities_by_any_spelling_and_sorts_by_name() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| shows(h, "Helen Ward · 1 doc") && !h.state().indexing());
    // "blinken" is a spelling of Antony Blinken; nothing else matches it. The field is focused
    // the way a screen reader does it: the panel's rows move while the folder loads.
    let started = std::time::Instant::now();
    while !h.get_by_label("Find entity").is_focused() {
        assert!(started.elapsed() < Duration::from_secs(60), "the field never got the focus");
        h.get_by_label("Find entity").focus();
        h.step();
    }
    h.get_by_label("Find entity").type_text("blinken");
    h.step();
    run_until(&mut h, "the narrowed list", |h| !shows(h, "Helen Ward · 1 doc") && shows(h, "Antony Blinken · 1 doc"));
    assert!(shows_part(&h, "Person · 1"));
    assert!(!shows_part(&h, "Organisation · "));
    // By name: the people in alphabetical order.
    h.get_by_label("Show all").click_accesskit();
    run_until(&mut h, "the whole list", |h| shows(h, "Helen Ward · 1 doc"));
    h.get_by_label("by name").click_accesskit();
    run_until(&mut h, "the list sorted by name", |h| h.state().persisted().entities_by_name);
    let people: Vec<String> = h
        .query_all_by_label_contains(" · 1 doc")
        .filter_map(|n| n.accesskit_node().label())
        .filter(|l| ["Antony Blinken", "Biden", "Brittney Griner", "Helen Ward"].iter().any(|p| l.starts_with(p)))
        .collect();
    assert_eq!(people, ["Antony Blinken · 1 doc", "Biden · 1 doc", "Brittney Griner · 1 doc", "Helen Ward · 1 doc"]);
}

#[test]
fn the_folder_list_counts_the_documents_a_search_matches() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| {
        shows(h, "Calder Shipping Company · 2 docs") && !h.state().indexing()
    });
    assert!(shows(&h, "In this folder") && shows(&h, "Helen Ward · 1 doc"));
    search_for(&mut h, "budget");
    run_until(&mut h, "the counts under the query", |h| shows(h, "Calder Shipping Company · 1 doc"));
    assert!(shows(&h, "In the matching documents"));
    assert!(!shows(&h, "Helen Ward · 1 doc"), "she is not in the minutes");
    h.key_press(Key::Escape);
    run_until(&mut h, "the whole folder again", |h| shows(h, "Calder Shipping Company · 2 docs"));
}

#[test]
fn the_selected_entitys_mentions_are_stepped_through() {
    let fx = Fixture::new();
    let mut h = harness(&fx, None, None);
    run_until(&mut h, "the sample document", |h| {
        shows(h, SEED_TITLE) && shows(h, "Sergey Lavrov ×9") && !h.state().indexing()
    });
    h.get_by_label("Sergey Lavrov ×9").click();
    run_until(&mut h, "the mention bar", |h| shows(h, "mention 1 of 9"));
    h.get_by_label("▶").click();
    h.run_steps(2);
    h.get_by_label("▶").click();
    run_until(&mut h, "the third mention", |h| shows(h, "mention 3 of 9"));
    h.key_press_modifiers(egui::Modifiers::ALT, Key::ArrowUp);
    run_until(&mut h, "the second mention", |h| shows(h, "mention 2 of 9"));
    h.get_by_label("◀").click();
    h.run_steps(2);
    h.get_by_label("◀").click();
    run_until(&mut h, "round to the last", |h| shows(h, "mention 9 of 9"));
}

#[test]
fn numbers_stay_out_of_the_folder_list_until_asked_for() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| shows_part(h, "Person · ") && !h.state().indexing());
    assert!(!shows_part(&h, "Number · ") && !shows_part(&h, "Ordinal · "));
    h.get_by_label("Numbers too").scroll_to_me();
    h.run_steps(2);
    h.get_by_label("Numbers too").click();
    h.run_steps(2);
    assert!(h.state().persisted().show_counting, "kept across restarts");
    // The last sections of the panel: scroll down to them.
    h.get_by_label_contains("Time · ").scroll_to_me();
    run_until(&mut h, "the numbers", |h| shows_part(h, "Number · "));
    assert!(shows_part(&h, "Ordinal · "));
}

#[test]
fn a_restart_restores_folder_query_and_selection() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    search_for(&mut h, "lighthouse");
    run_until(&mut h, "the hits", |h| shows(h, "2 documents match"));
    h.get_by_label_contains("notes/latin1-note.txt").click();
    run_until(&mut h, "the note", |h| shows_part(h, "still about the lighthouse"));
    let saved = h.state().persisted().clone();
    drop(h);

    let mut h = harness(&fx, None, Some(saved));
    run_until(&mut h, "the restored query's hits", |h| shows(h, "2 documents match"));
    run_until(&mut h, "the restored document", |h| {
        h.state().document().is_some_and(|d| d.id == "notes/latin1-note.txt")
    });
    assert_eq!(h.state().persisted().query, "lighthouse");
    assert_eq!(h.state().folder(), Some(fx.folder.canonicalize().unwrap().as_path()));
}

#[test]
fn an_unreadable_folder_is_reported_without_losing_the_open_one() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, dossier::app::Command::OpenFolder(fx.folder.join("does-not-exist")));
    run_until(&mut h, "the error", |h| shows_part(h, "cannot open"));
    assert!(shows(&h, "All documents (7)"));

    // Typing a path works where no folder dialog is available.
    h.get_by_label("Dismiss").click();
    h.run_steps(2);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open folder by path…").click();
    // One frame to apply the click, one for the new window's sizing pass, one to show it.
    h.run_steps(3);
    let notes = fx.folder.join("notes");
    type_into(&mut h, "Folder path", "");
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::A);
    h.get_by_label("Folder path").type_text(notes.to_str().unwrap());
    // The window lists the typed folder's parent's subfolders; wait until it has (the buttons
    // below move down when the list arrives).
    run_until(&mut h, "the listing", |h| shows(h, "📁 notes"));
    h.get_by_label("Open").click();
    run_until(&mut h, "the notes folder", |h| shows(h, "All documents (5)"));
    assert!(!shows_part(&h, "cannot open"));
}

#[test]
fn a_mailbox_and_pdfs_are_filtered_by_type_and_folder_linked_and_reported() {
    let fx = Fixture::new();
    let dump = fx.dir.path().join("dump");
    std::fs::create_dir_all(dump.join("mail")).unwrap();
    std::fs::create_dir_all(dump.join("reports")).unwrap();
    let first = common::message(
        "Helen Ward <hw@port.example>",
        "Cranes",
        "Tue, 12 Mar 2024 09:30:00 +0000",
        "Cranes fine.",
        &[],
    );
    let second = common::message(
        "Tom Becker <tb@calder.example>",
        "Accounts",
        "Wed, 13 Mar 2024 10:00:00 +0000",
        "See the attached notes.",
        &[("notes.txt", b"Notes: the harbour fees rose twice.")],
    );
    let mbox: String =
        [first, second].iter().map(|m| format!("From x Tue Mar 12 2024\n{}\n", m.replace("\r\n", "\n"))).collect();
    std::fs::write(dump.join("mail/box.mbox"), mbox).unwrap();
    let report =
        common::pdf(&[&["Harbour inspection"], &["The old lighthouse is unsafe."]], &[("Title", "Inspection")], false);
    std::fs::write(dump.join("reports/report.pdf"), report).unwrap();
    std::fs::write(dump.join("reports/scan.pdf"), common::pdf(&[&[]], &[], false)).unwrap();
    std::fs::write(dump.join("reports/big.txt"), "A long log of harbour traffic.\n".repeat(400)).unwrap();

    let setup = Setup {
        picker: Arc::new(FixedPicker(dump.clone())),
        options: Options { max_file_bytes: 4096, ..Options::default() },
        ..setup(&fx, Some(dump.clone()), None)
    };
    let mut h = build(setup, [1280.0, 800.0]);
    run_until(&mut h, "the documents", |h| listed(h, 5));

    // Type chips, with counts; one click limits the list, another lifts the limit.
    run_until(&mut h, "the type chips", |h| ["E-mail 2", "PDF 1", "Text 2"].iter().all(|chip| shows(h, chip)));
    h.get_by_label("PDF 1").click();
    run_until(&mut h, "the PDF only", |h| shows(h, "1 document matches"));
    h.get_by_label("PDF 1").click();
    run_until(&mut h, "every document", |h| shows(h, "All documents (5)"));

    // The folder picker.
    h.get_by_label("Folder:").click();
    h.run_steps(2);
    h.get_by_label("mail  (3)").click();
    run_until(&mut h, "the mail folder", |h| shows(h, "3 documents match"));

    // A message lists its attachment; the attachment links back to its message.
    h.get_by_label_contains("mail/box.mbox#2 · E-mail").click();
    run_until(&mut h, "the message", |h| shows(h, "Attachments (1):"));
    h.get_by_label("notes.txt").click();
    run_until(&mut h, "the attachment", |h| shows(h, "Attached to"));
    assert_eq!(h.state().document().map(|d| d.id.as_str()), Some("mail/box.mbox#2/notes.txt"));
    h.get_by_label("mail/box.mbox#2").click();
    run_until(&mut h, "the message again", |h| shows(h, "Attachments (1):"));

    // A hit in a PDF says its page.
    h.get_by_label("Folder:").click();
    h.run_steps(2);
    h.get_by_label("All folders").click();
    h.run_steps(2);
    search_for(&mut h, "lighthouse");
    run_until(&mut h, "the PDF hit", |h| shows_part(h, "reports/report.pdf · PDF · 1 match · page 2"));

    // The ingest report: the truncated log and the scan without text.
    h.get_by_label_contains("1 truncated").click();
    h.run_steps(3);
    run_until(&mut h, "the report", |h| shows(h, "Ingest report"));
    assert!(shows(&h, "Truncated: 1") && shows(&h, "Skipped: 1"));
    assert!(shows(&h, "1 × no text; OCR not available"));
}

/// Clears the search box with Escape, as a user would, and waits for the document list.
fn clear_search(h: &mut Harness<'static, DossierApp>) {
    type_into(h, "Search", "");
    h.key_press(Key::Escape);
    run_until(h, "the cleared query", |h| h.state().persisted().query.is_empty());
}

#[test]
fn an_accented_prefix_does_not_break_search() {
    let fx = Fixture::new();
    let folder = fx.dir.path().join("fr");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("hollande.txt"), "François Hollande met officials in München.").unwrap();
    let mut h = harness(&fx, Some(folder), None);
    run_until(&mut h, "the document", |h| shows(h, "All documents (1)") && !h.state().indexing());

    // Half-typed, the accented word is not a whole word yet: no hit, and no failure.
    search_for(&mut h, "Franç");
    run_until(&mut h, "the empty result", |h| shows(h, "No documents match"));
    assert!(!shows_part(&h, "search failed"));
    clear_search(&mut h);
    search_for(&mut h, "Hollande");
    run_until(&mut h, "the hit", |h| shows(h, "1 document matches"));
    clear_search(&mut h);
    search_for(&mut h, "München");
    run_until(&mut h, "the hit", |h| shows(h, "1 document matches"));
    assert!(!shows(&h, "The search thread stopped"));
}

#[test]
fn editing_the_query_with_a_document_open_repaints_its_matches() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    search_for(&mut h, "Griner");
    run_until(&mut h, "the hit", |h| shows(h, "1 document matches"));
    h.get_by_label_contains("news-blinken-lavrov.txt · Text · 4 matches").click();
    run_until(&mut h, "the matches", |h| shows(h, "1 of 4 matches"));
    h.run_steps(2);
    assert_eq!(h.state().painted_matches(), ["Griner"; 4]);

    // Replace the query: the same document comes back with other matches, and the view paints
    // those, not the old ones.
    type_into(&mut h, "Search", "");
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::A);
    h.get_by_label("Search").type_text("Lavrov");
    run_until(&mut h, "the new query", |h| h.state().persisted().query == "Lavrov");
    run_until(&mut h, "the new matches", |h| shows(h, "1 of 9 matches"));
    h.run_steps(2);
    assert_eq!(h.state().painted_matches(), ["Lavrov"; 9]);
}

#[test]
fn a_filter_whose_documents_are_gone_stays_visible_and_escape_clears_it() {
    let fx = Fixture::new();
    let folder = fx.dir.path().join("trap");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.txt"), "A memo about the harbour.").unwrap();
    // Restarted with the PDF filter on, after the only PDF was deleted.
    let state = Persisted {
        folder: Some(folder.canonicalize().unwrap()),
        formats: vec![dossier::model::DocFormat::Pdf],
        ..Persisted::default()
    };
    let mut h = harness(&fx, None, Some(state));
    run_until(&mut h, "the empty result", |h| shows(h, "No documents match"));
    run_until(&mut h, "the active filter's chip", |h| shows(h, "PDF 0") && shows(h, "Text 1") && !h.state().indexing());
    // Escape in the empty search box lifts every filter.
    type_into(&mut h, "Search", "");
    h.key_press(Key::Escape);
    run_until(&mut h, "every document", |h| shows(h, "All documents (1)"));
    assert!(h.state().persisted().formats.is_empty());
}

#[test]
fn at_the_smallest_window_the_document_keeps_a_readable_width() {
    let fx = Fixture::new();
    let mut h = build(setup(&fx, Some(fx.folder.clone()), None), [640.0, 400.0]);
    run_until(&mut h, "the documents", |h| shows_part(h, "All documents (7)") && !h.state().indexing());
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, dossier::app::Command::SelectDoc("news-blinken-lavrov.txt".into()));
    run_until(&mut h, "the long title", |h| shows(h, SEED_TITLE));
    h.run_steps(3);
    // The title wraps to the document column's width.
    let title = h.get_by_label(SEED_TITLE).rect();
    assert!(title.width() >= 0.3 * 640.0, "the document column is {} px wide", title.width());
    assert!(shows_part(&h, "highlighted mentions"));
}

#[test]
fn a_typed_path_is_focused_completed_with_tab_and_opened() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Open folder by path…").click();
    h.run_steps(3);
    // The field has the keyboard at once: no click needed before typing.
    assert!(h.get_by_label("Folder path").is_focused());
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::A);
    let parent = fx.dir.path().display().to_string();
    h.get_by_label("Folder path").type_text(&format!("{parent}/cor"));
    h.step();
    h.key_press(Key::Tab);
    let want = format!("{parent}/corpus/");
    run_until(&mut h, "the completed folder", |h| h.state().typed_path() == Some(want.as_str()));
    assert!(h.get_by_label("Folder path").is_focused(), "Tab completes, it does not move the focus");
    h.get_by_label("Folder path").type_text("no");
    h.step();
    h.key_press(Key::Tab);
    let want = format!("{parent}/corpus/notes/");
    run_until(&mut h, "the completed subfolder", |h| h.state().typed_path() == Some(want.as_str()));
    h.key_press(Key::Enter);
    run_until(&mut h, "the notes folder", |h| shows(h, "All documents (5)"));
}

#[test]
fn the_indexes_window_lists_folders_and_removes_unused_indexes() {
    let fx = Fixture::new();
    // An index of a folder that is gone since.
    let gone = fx.dir.path().join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    std::fs::write(gone.join("a.txt"), "A note.").unwrap();
    fx.index(&gone, default_extractor(), Options::default());
    std::fs::remove_dir_all(&gone).unwrap();

    let mut h = folder_open(&fx);
    h.get_by_label("View").click();
    h.run_steps(2);
    h.get_by_label("Indexes…").click();
    run_until(&mut h, "the list", |h| shows_part(h, "folder missing"));
    assert!(shows_part(&h, &format!("{} ·", fx.folder.canonicalize().unwrap().display())));
    h.get_by_label_contains("Remove unused indexes").click();
    run_until(&mut h, "the pruned list", |h| !shows_part(h, "folder missing"));
    assert!(shows_part(&h, "in use"));
}

#[test]
fn a_document_whose_file_is_gone_closes_after_reindexing() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    let ctx = h.ctx.clone();
    h.state_mut().apply(&ctx, dossier::app::Command::SelectDoc("harbour-fire.txt".into()));
    run_until(&mut h, "the document", |h| h.state().document().is_some_and(|d| d.id == "harbour-fire.txt"));
    std::fs::remove_file(fx.folder.join("harbour-fire.txt")).unwrap();
    h.state_mut().apply(&ctx, dossier::app::Command::Reindex(false));
    run_until(&mut h, "the shorter list", |h| shows(h, "All documents (6)") && !h.state().indexing());
    run_until(&mut h, "the view to close", |h| h.state().document().is_none());
    assert_eq!(h.state().persisted().selected, None);
}

#[test]
fn without_a_folder_dialog_ctrl_o_opens_the_apps_own_folder_browser() {
    let fx = Fixture::new();
    let build = |picked: Picked| {
        let setup = Setup { picker: Arc::new(NoDialog(picked)), ..setup(&fx, Some(fx.folder.clone()), None) };
        build(setup, [1280.0, 800.0])
    };
    // A cancelled dialog: nothing else opens.
    let mut h = build(Picked::Cancelled);
    run_until(&mut h, "the documents", |h| listed(h, 7));
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::O);
    h.run_steps(5);
    assert!(h.state().typed_path().is_none());
    assert!(!shows(&h, "Folder path"));
    drop(h);

    // No dialog at all: the app's folder window, saying why, at the open folder.
    let mut h = build(Picked::Unavailable);
    run_until(&mut h, "the documents", |h| listed(h, 7));
    h.key_press_modifiers(eframe::egui::Modifiers::COMMAND, Key::O);
    run_until(&mut h, "the folder window", |h| shows(h, "Folder path"));
    assert!(shows_part(&h, "No system folder dialog is available"));
    // Its subfolders are listed; a click goes into one, Open opens it.
    run_until(&mut h, "the subfolders", |h| shows(h, "📁 notes"));
    h.get_by_label("📁 notes").click();
    let want = format!("{}/notes/", fx.folder.canonicalize().unwrap().display());
    run_until(&mut h, "the notes folder typed", |h| h.state().typed_path() == Some(want.as_str()));
    run_until(&mut h, "its listing", |h| shows(h, "no subfolders"));
    h.get_by_label("Open").click();
    run_until(&mut h, "the notes folder", |h| shows(h, "All documents (5)"));
}

#[test]
fn f1_lists_the_shortcuts_and_about_shows_the_model_licence() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    h.key_press(Key::F1);
    run_until(&mut h, "the shortcuts", |h| shows(h, "Keyboard shortcuts"));
    assert!(shows(&h, "Ctrl+O") && shows(&h, "Open a folder"));
    h.get_by_label("Help").click();
    h.run_steps(2);
    h.get_by_label("About Dossier").click();
    run_until(&mut h, "the about window", |h| shows_part(h, "en_core_web_sm 3.8.0 by Explosion AI (MIT licence)"));
    assert!(shows_part(&h, "Copyright 2021 ExplosionAI GmbH"));
    assert!(shows_part(&h, "crates, each under its licence"));
}

#[test]
fn the_view_menu_zooms_and_picks_the_theme() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    let open_view = |h: &mut Harness<'static, DossierApp>| {
        h.get_by_label("View").click();
        h.run_steps(2);
    };
    open_view(&mut h);
    h.get_by_label_contains("Zoom in").click();
    h.run_steps(2);
    assert!(h.ctx.zoom_factor() > 1.0, "{}", h.ctx.zoom_factor());
    open_view(&mut h);
    h.get_by_label_contains("Normal size").click();
    h.run_steps(2);
    assert_eq!(h.ctx.zoom_factor(), 1.0);
    open_view(&mut h);
    h.get_by_label("Theme: light").click();
    h.run_steps(2);
    assert_eq!(h.ctx.options(|o| o.theme_preference), eframe::egui::ThemePreference::Light);
    assert_eq!(h.ctx.theme(), eframe::egui::Theme::Light);
}

#[test]
fn entity_corrections_merge_undo_redo_and_survive_a_restart() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| shows(h, "Maria Lopez · 1 doc") && !h.state().indexing());
    assert!(shows(&h, "Helen Ward · 1 doc"));

    // Right-click → Merge into… → find another person: one row, the documents of both.
    // Scroll it into view and move the pointer there first, as a hand would.
    h.get_by_label("Maria Lopez · 1 doc").scroll_to_me();
    h.run_steps(3);
    let target = h.get_by_label("Maria Lopez · 1 doc").rect().center();
    h.hover_at(target);
    h.run_steps(3);
    h.get_by_label("Maria Lopez · 1 doc").click_secondary();
    h.run_steps(5);
    assert!(shows(&h, "Rename…"));
    h.get_by_label("Merge into…").click();
    run_until(&mut h, "the merge window", |h| shows(h, "Find"));
    type_into(&mut h, "Find", "ward");
    run_until(&mut h, "the candidates", |h| shows(h, "Helen Ward (1 doc)"));
    h.get_by_label("Helen Ward (1 doc)").click();
    run_until(&mut h, "the merged row", |h| shows(h, "Helen Ward · 2 docs"));
    assert!(!shows(&h, "Maria Lopez · 1 doc"));

    // Edit → Undo takes it back; Redo makes it again.
    h.get_by_label("Edit").click();
    h.run_steps(2);
    h.get_by_label_contains("Undo merge Maria Lopez into Helen Ward").click();
    run_until(&mut h, "the rows apart again", |h| shows(h, "Maria Lopez · 1 doc"));
    assert!(shows(&h, "Helen Ward · 1 doc"));
    h.key_press_modifiers(egui::Modifiers::COMMAND | egui::Modifiers::SHIFT, Key::Z);
    run_until(&mut h, "the merge redone", |h| shows(h, "Helen Ward · 2 docs"));
    drop(h);

    // Kept beside the index, as readable rules: a restart shows the merged row.
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the merged row after a restart", |h| shows(h, "Helen Ward · 2 docs") && !h.state().indexing());
    let saved = std::fs::read_dir(fx.data.join("curation")).unwrap().next().unwrap().unwrap().path();
    let text = std::fs::read_to_string(saved).unwrap();
    assert!(text.contains("\"do\": \"merge\"") && text.contains("Maria Lopez"), "{text}");
}

#[test]
fn the_graph_of_an_entity_recentres_on_a_clicked_node() {
    let fx = Fixture::new();
    let mut h = minutes_open(&fx);
    h.get_by_label("Calder Shipping Company ×1").click();
    run_until(&mut h, "its companions", |h| shows(h, "With Calder Shipping Company"));
    // By sentence as well as by document: Maria Lopez chairs the meeting in another sentence.
    run_until(&mut h, "its companions by sentence", |h| shows(h, "Tom Becker · 1 sentence"));
    assert!(!shows(&h, "Maria Lopez · 1 sentence"));
    h.get_by_label("Graph").click();
    run_until(&mut h, "the graph", |h| shows(h, "Calder Shipping Company (centre)"));
    h.get_by_label("Maria Lopez (1 shared doc)").click();
    run_until(&mut h, "the graph around her", |h| shows(h, "Maria Lopez (centre)"));
    assert!(shows(&h, "Calder Shipping Company (1 shared doc)"));
}

#[test]
fn ctrl_down_opens_the_next_document_that_mentions_the_selected_entity() {
    let fx = Fixture::new();
    let mut h = minutes_open(&fx);
    h.get_by_label("Calder Shipping Company ×1").click();
    run_until(&mut h, "its documents", |h| shows(h, "With Calder Shipping Company") && shows(h, "2 documents"));
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowDown);
    run_until(&mut h, "the other document that mentions it", |h| {
        h.state().document().is_some_and(|d| d.id == "harbour-fire.txt") && shows(h, "mention 1 of 2")
    });
    assert_eq!(h.state().persisted().selected.as_deref(), Some("harbour-fire.txt"));
    h.get_by_label("◀ doc").click();
    run_until(&mut h, "back to the minutes", |h| {
        h.state().document().is_some_and(|d| d.id == "notes/meeting-minutes.md")
    });
}

#[test]
fn ctrl_down_goes_past_the_hits_received_so_far() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.folder.join("tides")).unwrap();
    for i in 0..300 {
        // Equal scores (the same words but three), so the hits come by path.
        let who = if i == 0 || i == 250 { "Calder Shipping Company" } else { "the night crew" };
        let text = format!("Tide table {i:03}. The tide rose at Northport as {who} unloaded.");
        std::fs::write(fx.folder.join(format!("tides/tide-{i:03}.txt")), text).unwrap();
    }
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the documents", |h| listed(h, 307) && !h.state().indexing());
    search_for(&mut h, "tide");
    run_until(&mut h, "the first hits", |h| shows(h, "300 documents match") && h.state().hits_loaded() < 250);
    h.get_by_label_contains("tides/tide-000.txt · Text").click();
    run_until(&mut h, "the first document", |h| h.state().document().is_some_and(|d| d.id == "tides/tide-000.txt"));
    run_until(&mut h, "its entity", |h| h.query_by_label("Calder Shipping Company ×1").is_some());
    h.get_by_label("Calder Shipping Company ×1").click();
    // Two of the fixture's own notes mention it too; they are not in this list.
    run_until(&mut h, "its documents", |h| shows(h, "With Calder Shipping Company") && shows(h, "4 documents"));
    // The other document in the list is the 251st hit: far past those received, which are asked for on the way.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowDown);
    run_until(&mut h, "the document far down the list", |h| {
        h.state().document().is_some_and(|d| d.id == "tides/tide-250.txt")
    });
    // And round from the end to the start.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowDown);
    run_until(&mut h, "the first again", |h| h.state().document().is_some_and(|d| d.id == "tides/tide-000.txt"));
    // Back round from the start to the end, and back again.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowUp);
    run_until(&mut h, "the far one, going back", |h| {
        h.state().document().is_some_and(|d| d.id == "tides/tide-250.txt")
    });
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::ArrowUp);
    run_until(&mut h, "the first, going back", |h| h.state().document().is_some_and(|d| d.id == "tides/tide-000.txt"));
}

#[test]
fn a_chip_click_writes_its_filter_into_the_search_box() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the documents", |h| listed(h, 7) && shows(h, "Calder Shipping Company · 2 docs"));
    h.get_by_label("Calder Shipping Company · 2 docs").scroll_to_me();
    h.run_steps(3);
    h.get_by_label("Calder Shipping Company · 2 docs").click_accesskit();
    run_until(&mut h, "the filtered hits", |h| shows(h, "2 documents match"));
    h.get_by_label("Calder Shipping Company").click();
    run_until(&mut h, "the filter as text", |h| h.state().persisted().filters.is_empty());
    assert_eq!(h.state().persisted().query, "organisation:\"Calder Shipping Company\"");
    run_until(&mut h, "the same hits", |h| shows(h, "2 documents match"));
}

#[test]
fn dragging_across_the_timeline_keeps_those_months() {
    let fx = Fixture::new();
    let mail = |subject: &str, date: &str| common::message("a@example.org", subject, date, "Talks went on.", &[]);
    std::fs::write(fx.folder.join("old.eml"), mail("Autumn talks", "Mon, 1 Oct 2001 13:53:24 -0700")).unwrap();
    std::fs::write(fx.folder.join("new.eml"), mail("Summer talks", "Fri, 15 Jul 2022 09:00:00 +0000")).unwrap();
    let state = Persisted { show_timeline: true, ..Persisted::default() };
    let mut h = harness(&fx, Some(fx.folder.clone()), Some(state));
    run_until(&mut h, "the timeline", |h| {
        // Nine listed, two of them the same text: counted once.
        listed(h, 9) && shows(h, "Timeline") && shows_part(h, "8 documents · by month")
    });
    h.run_steps(3);
    // From the left edge to a third of the way: October 2001 is in, July 2022 is not.
    let plot = h.get_by_label("Timeline chart").rect();
    let (from, to) = (plot.left_center() + egui::vec2(1.0, 0.0), plot.lerp_inside(egui::vec2(0.3, 0.5)));
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    h.hover_at(from.lerp(to, 0.5));
    h.step();
    h.hover_at(to);
    h.step();
    h.drop_at(to);
    run_until(&mut h, "the months' documents", |h| h.state().persisted().query.starts_with("date:["));
    run_until(&mut h, "the hits", |h| shows(h, "1 document matches"));
    assert_eq!(h.state().results().map(|r| r.hits[0].id.clone()).as_deref(), Some("old.eml"));
    h.get_by_label("All dates").click();
    run_until(&mut h, "every date again", |h| h.state().persisted().query.is_empty());
}

#[test]
fn file_export_writes_every_matching_document_and_the_entities() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    search_for(&mut h, "lighthouse");
    run_until(&mut h, "the hits", |h| shows(h, "2 documents match"));
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export…").click();
    run_until(&mut h, "the export window", |h| shows(h, "Every matching document (2 documents)"));
    h.get_by_label("Save…").click();
    run_until(&mut h, "the export", |h| shows_part(h, "Exported 2 rows to"));
    let written = std::fs::read_to_string(fx.folder.with_file_name("results.csv")).unwrap();
    let mut lines = written.lines();
    assert_eq!(lines.next(), Some("id,title,format,matches,page,score,copies"));
    let mut ids: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    ids.sort();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"notes/latin1-note.txt"), "{ids:?}");

    // The entities, as JSON.
    h.get_by_label("File").click();
    h.run_steps(2);
    h.get_by_label("Export…").click();
    run_until(&mut h, "the export window", |h| shows(h, "JSON"));
    h.get_by_label_contains("Entities of the matching documents").click();
    h.get_by_label("JSON").click();
    h.run_steps(2);
    h.get_by_label("Save…").click();
    run_until(&mut h, "the entities' export", |h| shows_part(h, "entities.json"));
    let written = std::fs::read_to_string(fx.folder.with_file_name("entities.json")).unwrap();
    let rows: serde_json::Value = serde_json::from_str(&written).unwrap();
    assert!(rows.as_array().is_some_and(|r| !r.is_empty()), "{written}");
}

#[test]
fn entities_picked_with_ctrl_click_merge_into_one_and_undo_together() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| listed(h, 7) && shows(h, "Maria Lopez · 1 doc"));
    run_until(&mut h, "indexed", |h| !h.state().indexing());
    for (i, name) in ["Maria Lopez · 1 doc", "Tom Becker · 1 doc", "Helen Ward · 1 doc"].into_iter().enumerate() {
        // Scrolled to and pointed at first, as a hand would (the list scrolls smoothly).
        h.get_by_label(name).scroll_to_me();
        h.run_steps(10);
        h.get_by_label(name).hover();
        h.run_steps(2);
        h.get_by_label(name).click_modifiers(egui::Modifiers::COMMAND);
        run_until(&mut h, "the entity picked", |h| shows(h, &format!("{} picked", i + 1)));
    }
    assert!(shows(&h, "3 picked"));
    assert!(h.state().persisted().filters.is_empty(), "a Ctrl+click picks; it does not filter");
    h.get_by_label("Merge into…").click();
    h.run_steps(2);
    h.get_by_label("Helen Ward").click();
    // Maria Lopez and Tom Becker share the minutes; Helen Ward is in the harbour fire report.
    run_until(&mut h, "one row", |h| shows(h, "Helen Ward · 2 docs"));
    assert!(!shows(&h, "Maria Lopez · 1 doc") && !shows(&h, "Tom Becker · 1 doc") && !shows_part(&h, "picked"));
    // One undo takes the whole merge back.
    h.key_press_modifiers(egui::Modifiers::COMMAND, Key::Z);
    run_until(&mut h, "three rows again", |h| {
        shows(h, "Maria Lopez · 1 doc") && shows(h, "Tom Becker · 1 doc") && shows(h, "Helen Ward · 1 doc")
    });
}

#[test]
fn dragging_an_entity_onto_another_merges_them() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| listed(h, 7) && shows(h, "Maria Lopez · 1 doc"));
    h.get_by_label("Tom Becker · 1 doc").scroll_to_me();
    h.run_steps(3);
    let (from, to) =
        (h.get_by_label("Maria Lopez · 1 doc").rect().center(), h.get_by_label("Tom Becker · 1 doc").rect().center());
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for t in [0.2, 0.5, 0.8, 1.0] {
        h.hover_at(from.lerp(to, t));
        h.step();
    }
    h.drop_at(to);
    run_until(&mut h, "the merged row", |h| !shows(h, "Maria Lopez · 1 doc") && shows(h, "Tom Becker · 1 doc"));
    h.get_by_label("Edit").click();
    h.run_steps(2);
    assert!(shows_part(&h, "Undo merge Maria Lopez into Tom Becker"));
    h.get_by_label("Edit").click();
    run_until(&mut h, "the menu closed", |h| !shows_part(h, "Undo merge"));
}

#[test]
fn an_entity_hidden_from_the_document_view_is_no_longer_highlighted() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the folder's entities", |h| listed(h, 7) && shows(h, "Maria Lopez · 1 doc"));
    h.get_by_label_contains("notes/meeting-minutes.md").click();
    run_until(&mut h, "the minutes", |h| shows(h, "Northport Council ×1"));
    let before = highlighted(&h);
    // Right-clicked where the row is now (rows may still move while the folder's counts arrive).
    let started = std::time::Instant::now();
    while !shows(&h, "Hide: not an entity") {
        assert!(started.elapsed() < Duration::from_secs(60), "the corrections menu never opened");
        let row = h.get_by_label("Northport Council ×1").rect().center();
        h.hover_at(row);
        h.run_steps(3);
        h.get_by_label("Northport Council ×1").click_secondary();
        h.run_steps(3);
    }
    h.get_by_label("Hide: not an entity").click();
    run_until(&mut h, "the entity hidden", |h| !shows(h, "Northport Council ×1"));
    run_until(&mut h, "one highlight fewer", |h| highlighted(h) == before - 1);
}

#[test]
fn the_search_box_reads_accents_word_starts_fuzzy_words_proximity_and_patterns() {
    let fx = Fixture::new();
    let folder = fx.dir.path().join("fr");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("hollande.txt"), "François Hollande met officials in München. Лавров agreed.").unwrap();
    std::fs::write(folder.join("other.txt"), "Francis met nobody in Hamburg.").unwrap();
    let mut h = harness(&fx, Some(folder), None);
    // The first document opens by itself.
    run_until(&mut h, "the document", |h| {
        h.state().document().is_some_and(|d| d.id == "hollande.txt") && !h.state().indexing()
    });
    for (query, marked) in [
        ("Francois", "1 of 1 matches"),
        ("=François", "1 of 1 matches"),
        ("Holl*", "1 of 1 matches"),
        ("Holande~", "1 of 1 matches"),
        ("\"Hollande officials\"~2", "1 of 2 matches"),
        ("/M.nchen/", "1 of 1 matches"),
        // Another script, typed in lower case.
        ("лавров", "1 of 1 matches"),
    ] {
        clear_search(&mut h);
        search_for(&mut h, query);
        run_until(&mut h, query, |h| shows(h, "1 document matches") && shows(h, marked));
    }
    // The exact form keeps its accent: "=Francois" is not in the text as written.
    clear_search(&mut h);
    search_for(&mut h, "=Francois");
    run_until(&mut h, "no hit", |h| shows(h, "No documents match"));
    // The entity panel says why it is empty.
    run_until(&mut h, "no entities", |h| shows(h, "None in the matching documents."));
}

#[test]
fn searches_are_remembered_stepped_through_with_arrows_and_saved_per_folder() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    for (query, hits) in [("lighthouse", "2 documents match"), ("harbour", "2 documents match")] {
        clear_search(&mut h);
        search_for(&mut h, query);
        run_until(&mut h, "the hits", |h| shows(h, hits));
        h.key_press(Key::Enter);
        h.run_steps(2);
    }
    assert_eq!(h.state().persisted().history, ["lighthouse", "harbour"]);
    clear_search(&mut h);
    type_into(&mut h, "Search", "");
    for (key, expected) in [(Key::ArrowUp, "harbour"), (Key::ArrowUp, "lighthouse"), (Key::ArrowDown, "harbour")] {
        h.key_press(key);
        run_until(&mut h, expected, |h| h.state().persisted().query == expected);
    }
    run_until(&mut h, "its hits", |h| shows(h, "2 documents match"));

    // Saved for this folder: one click runs it again, and it survives a restart.
    h.get_by_label("Save this search").click();
    run_until(&mut h, "the saved search", |h| shows(h, "Forget harbour"));
    clear_search(&mut h);
    h.get_by_label("harbour").click();
    run_until(&mut h, "the saved search's hits", |h| shows(h, "2 documents match"));
    let saved = h.state().persisted().clone();
    drop(h);
    let mut h = harness(&fx, Some(fx.folder.clone()), Some(saved));
    run_until(&mut h, "the saved search after a restart", |h| shows(h, "Forget harbour") && !h.state().indexing());
    h.get_by_label("Forget harbour").click();
    run_until(&mut h, "it forgotten", |h| !shows(h, "Forget harbour"));
}

#[test]
fn a_file_created_while_the_app_runs_appears_in_the_list() {
    let fx = Fixture::new();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the documents, watched", |h| listed(h, 7) && shows(h, "live"));
    std::fs::write(fx.folder.join("keeper.txt"), "A new note about the lighthouse keeper.").unwrap();
    run_until(&mut h, "the new file", |h| listed(h, 8));
    search_for(&mut h, "keeper");
    run_until(&mut h, "its hit", |h| shows(h, "1 document matches"));
    std::fs::remove_file(fx.folder.join("keeper.txt")).unwrap();
    run_until(&mut h, "the file gone", |h| h.state().results().is_some_and(|r| r.total == 0));
}

#[test]
fn hits_are_sorted_by_path_when_asked() {
    let fx = Fixture::new();
    let mut h = folder_open(&fx);
    search_for(&mut h, "lighthouse");
    run_until(&mut h, "the hits", |h| shows(h, "2 documents match"));
    h.get_by_label("Sort:").click();
    h.run_steps(2);
    h.get_by_label("Path").click();
    run_until(&mut h, "the hits by path", |h| {
        h.state().results().is_some_and(|r| {
            let ids: Vec<&str> = r.hits.iter().map(|x| x.id.as_str()).collect();
            ids == ["notes/duplicate-a.txt", "notes/latin1-note.txt"]
        })
    });
    assert_eq!(h.state().persisted().sort, dossier::model::SortBy::Path, "kept across restarts");
}

#[test]
fn every_hit_is_listed_as_it_is_scrolled_to_and_copies_are_one_hit() {
    let fx = Fixture::new();
    std::fs::create_dir(fx.folder.join("tides")).unwrap();
    for i in 0..300 {
        std::fs::write(fx.folder.join(format!("tides/tide-{i:03}.txt")), format!("Tide table {i:03}. The tide rose."))
            .unwrap();
    }
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    run_until(&mut h, "the documents", |h| listed(h, 307));
    search_for(&mut h, "tide");
    // Equal scores: by path. The first hits come with the count, the rest as scrolled to.
    run_until(&mut h, "the count", |h| shows(h, "300 documents match") && shows_part(h, "tides/tide-000.txt · Text"));
    assert!(!shows_part(&h, "tides/tide-299.txt"));
    h.get_by_label_contains("tides/tide-000.txt · Text").hover();
    let wheel = egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Page,
        delta: egui::vec2(0.0, -5.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: egui::Modifiers::NONE,
    };
    run_until(&mut h, "the last hit, scrolled to", |h| {
        h.event(wheel.clone());
        shows_part(h, "tides/tide-299.txt · Text · 2 matches")
    });
    let loaded = h.state().hits_loaded();
    assert!((60..300).contains(&loaded), "only the hits around what was shown were asked for: {loaded}");

    // A file added while the list is scrolled: the same search is answered again, and the rows
    // shown stay shown (not blank while asked for again) until the new one is listed among them.
    std::fs::write(fx.folder.join("tides/tide-300.txt"), "Tide table 300. The tide rose.").unwrap();
    run_until(&mut h, "the new hit", |h| {
        assert!(shows_part(h, "tides/tide-299.txt · Text"), "the rows scrolled to stay shown");
        shows(h, "301 documents match") && shows_part(h, "tides/tide-300.txt · Text")
    });

    // Two files with the same text are one hit, which names the other; so does the document.
    clear_search(&mut h);
    search_for(&mut h, "inspection");
    run_until(&mut h, "one hit", |h| shows(h, "1 document matches") && shows(h, "(and 1 exact copy)"));
    h.get_by_label_contains("notes/duplicate-a.txt · Text · 1 match · +1 copy").click();
    run_until(&mut h, "the document", |h| h.state().document().is_some_and(|d| d.id == "notes/duplicate-a.txt"));
    run_until(&mut h, "its copy", |h| shows(h, "Same text also in:"));
    h.get_by_label("notes/duplicate-b.txt").click();
    run_until(&mut h, "the copy", |h| h.state().document().is_some_and(|d| d.id == "notes/duplicate-b.txt"));
}

#[test]
fn a_long_document_is_shown_whole_and_scrolls_to_its_last_match() {
    let fx = Fixture::new();
    // 20 MB of French (no entities to find, so it indexes quickly), the word only at the start
    // and on the last line.
    let mut text = String::from("Le phare de Northport.\n");
    let line = "La marée monte sur le quai et les grues attendent le prochain navire.\n";
    while text.len() < 20_000_000 {
        text.push_str(line);
    }
    text.push_str("Dernière ligne : le phare est rallumé.\n");
    std::fs::write(fx.folder.join("long.txt"), &text).unwrap();
    let mut h = harness(&fx, Some(fx.folder.clone()), None);
    // (Reading and indexing 20 MB takes a debug build half a minute beside other tests.)
    let long = Duration::from_secs(300);
    run_until_within(&mut h, long, "the documents", |h| listed(h, 8) && !h.state().indexing());
    search_for(&mut h, "phare");
    run_until_within(&mut h, long, "the hit", |h| shows_part(h, "long.txt · Text · 2 matches"));
    h.get_by_label_contains("long.txt · Text · 2 matches").click();
    run_until_within(&mut h, long, "the first match", |h| shows(h, "1 of 2 matches"));
    assert!(!shows(&h, "Showing the first"), "nothing is cut off");
    h.key_press(Key::F3);
    run_until_within(&mut h, long, "the last match, scrolled to", |h| {
        shows(h, "2 of 2 matches") && shows_part(h, "Dernière ligne : le phare est rallumé.")
    });
    assert!(h.state().painted_matches().contains(&"phare".to_owned()));
    // Only the blocks in view were laid out, not the text's 1,200.
    assert!(h.state().layout_builds() < 40, "{} blocks laid out", h.state().layout_builds());
}

#[test]
fn a_selection_across_two_blocks_of_a_long_text_is_copied_whole() {
    let fx = Fixture::new();
    let folder = fx.dir.path().join("blocks");
    std::fs::create_dir_all(&folder).unwrap();
    // One line of 15,600 bytes, then one of 1,231: the text's first block ends after the first
    // (blocks are at most 16 KB, cut after a line break), and the second holds the last line.
    let text = format!("{}\nBravo starts the second block. {}\n", "alpha ".repeat(2_600), "bravo ".repeat(200));
    std::fs::write(folder.join("blocks.txt"), &text).unwrap();
    // Tall enough to show both blocks whole.
    let mut h = build(setup(&fx, Some(folder), None), [1280.0, 5000.0]);
    run_until(&mut h, "the document", |h| {
        h.state().document().is_some_and(|d| d.id == "blocks.txt" && d.blocks.len() == 2) && !h.state().indexing()
    });
    // Nothing left to arrive that would lay the view out again while the mouse drags.
    run_until(&mut h, "both blocks shown", |h| {
        h.query_by_label_contains("Bravo starts").is_some() && !h.state().waiting()
    });
    let first = h.get_by_label_contains("alpha alpha").rect();
    let second = h.get_by_label_contains("Bravo starts").rect();
    assert!(first.max.y <= second.min.y + 1.0, "two blocks, one above the other");
    // From inside the first block's last row to the middle of the second block's line.
    let from = egui::pos2(first.min.x + 40.0, first.max.y - 5.0);
    let to = egui::pos2(second.min.x + 60.0, second.center().y);
    h.hover_at(from);
    h.step();
    h.drag_at(from);
    h.step();
    for i in 1..=10 {
        h.hover_at(from + (to - from) * (i as f32 / 10.0));
        h.step();
    }
    h.drop_at(to);
    h.step();
    h.event(egui::Event::Copy);
    h.step();
    let copied: Vec<String> = h
        .output()
        .platform_output
        .commands
        .iter()
        .filter_map(|c| match c {
            egui::OutputCommand::CopyText(t) => Some(t.clone()),
            _ => None,
        })
        .collect();
    let [copied] = copied.as_slice() else { panic!("one copy: {copied:?}") };
    assert!(copied.contains("alpha \nBravo starts"), "the selection spans the two blocks: {copied:?}");
    assert!(text.contains(copied.as_str()), "and is the text as written: {copied:?}");
}

/// Finds no entity until let go, then those of the real recogniser: a folder whose entities
/// take a long time.
struct Gate {
    open: Arc<std::sync::atomic::AtomicBool>,
    inner: Arc<dyn dossier::entities::Extractor>,
}

impl dossier::entities::Extractor for Gate {
    fn extract(&self, text: &str) -> Vec<dossier::model::Entity> {
        while !self.open.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.inner.extract(text)
    }
}

#[test]
fn a_folder_is_searchable_while_its_entities_are_found_and_says_so() {
    let fx = Fixture::new();
    let open = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let extractor = Arc::new(Gate { open: open.clone(), inner: default_extractor() });
    let mut h = build(Setup { extractor, ..setup(&fx, Some(fx.folder.clone()), None) }, [1280.0, 800.0]);
    // Every document is listed and searchable; the progress bar, the entity panel and the open
    // document say that entities are still to come.
    run_until(&mut h, "the text stage", |h| {
        shows(h, "All documents (7)")
            && shows_part(h, "Finding entities: 0 / 7 documents")
            && shows(h, "Entities: 0% of documents")
            && shows_part(h, "Finding entities… the text is searchable")
            && shows_part(h, "entities to come")
            && shows(h, "Not found yet.")
    });
    search_for(&mut h, "harbour");
    run_until(&mut h, "the hits", |h| shows(h, "2 documents match"));
    assert!(!shows_part(&h, "Calder Shipping Company · "), "no entities yet");
    // Once they are found, they fill the panel and the open document, and the notes go.
    open.store(true, std::sync::atomic::Ordering::SeqCst);
    run_until(&mut h, "the entities", |h| shows(h, "Calder Shipping Company · 2 docs") && !h.state().indexing());
    assert!(!shows_part(&h, "Entities: ") && !shows_part(&h, "Finding entities") && !shows_part(&h, "to come"));
    assert!(h.state().document().is_some_and(|d| !d.entities_pending && !d.mentions.is_empty()));
    // The search box kept the keyboard while the panel changed around it.
    assert!(h.get_by_label("Search").is_focused(), "typing goes on where it was");
    h.get_by_label("Search").type_text(" fire");
    run_until(&mut h, "the query typed on", |h| h.state().persisted().query == "harbour fire");
}
