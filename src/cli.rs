//! The command-line front end: `dossier index|search|list|entities|report PATH`, `dossier indexes`
//! and `dossier eval-ner FILE`, on the same core as the app.
//!
//! Exit codes: 0 success, 1 nothing found where that matters, 2 bad usage or unreadable folder.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::entities::default_extractor;
use crate::export::TableFormat;
use crate::index::{DocIndex, IndexError};
use crate::load;
use crate::model::{DocFormat, EntityKey, EntityKind, FileProblem, Outcome, Query};
use crate::pipeline::{self, Event, Options, Stage};
use crate::session::check_folder;
use crate::store::{RunRecord, Store};
use crate::words;

/// Explore a folder of documents: search them and see the people, places and organisations
/// they mention. Without a command, opens the desktop app.
#[derive(Debug, Parser)]
#[command(name = "dossier", version = crate::about::VERSION, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// Folder to open in the app (default: the last one, or the bundled samples).
    pub folder: Option<PathBuf>,
    /// Print the licences of Dossier, its entity model and every crate built into it.
    #[arg(long)]
    pub licenses: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a folder (only files that changed since the last run) and report unreadable files.
    Index {
        folder: PathBuf,
        /// Also print every file that could not be indexed.
        #[arg(long)]
        verbose: bool,
        /// Read at most this many megabytes of a file (of a message, in a mailbox); larger
        /// text files are indexed in part and reported as truncated.
        #[arg(long, value_name = "MB", default_value_t = load::DEFAULT_MAX_BYTES / (1024 * 1024))]
        max_file_mb: u64,
        /// Give up on a file after this many seconds (plus 3 s per megabyte read) and report it
        /// as timed out.
        #[arg(long, value_name = "SECONDS", default_value_t = 60.0, value_parser = seconds)]
        file_timeout: f64,
        /// Index even when the folder now looks empty or every indexed file is gone (an
        /// unmounted drive looks like that): without it, the index is kept as it is.
        #[arg(long)]
        allow_empty: bool,
        /// Read again the files that an earlier run stopped on (they are skipped otherwise, so a
        /// file that crashes Dossier cannot do it at every run).
        #[arg(long)]
        retry: bool,
        /// Keep running: index what changes in the folder, a batch at a time, printing a line
        /// per batch (stop with Ctrl+C).
        #[arg(long)]
        watch: bool,
    },
    /// Search a folder (indexing it first if needed). Words must all match; "quotes" match a phrase.
    Search {
        folder: PathBuf,
        /// The query, e.g. griner or "frank and direct"; `-word` leaves out documents with it
        /// (`Merkel -Putin`; `-Putin` alone: every document without it).
        #[arg(required = true, num_args = 1..)]
        query: Vec<String>,
        /// Only documents mentioning this entity, as KIND:TEXT (e.g. PERSON:Sergey Lavrov). Repeatable.
        #[arg(long = "entity", value_name = "KIND:TEXT", value_parser = entity_arg)]
        entities: Vec<EntityKey>,
        /// Only documents of this format (text, html, email, pdf, docx, odt, pptx, xlsx, epub,
        /// rtf, csv, json, xml; or the name the app shows). Repeatable.
        #[arg(long = "type", value_name = "FORMAT", value_parser = format_arg)]
        formats: Vec<DocFormat>,
        /// Only documents under this folder (relative to FOLDER).
        #[arg(long = "in", value_name = "SUBFOLDER", default_value = "")]
        subfolder: String,
        /// How many hits to print (0: every one).
        #[arg(long, default_value_t = 20)]
        limit: usize,
        /// The order of the hits: relevance, path, newest or oldest (by the document's date).
        #[arg(long, value_enum, default_value = "relevance")]
        sort: SortArg,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Print CSV (id, title, format, matches, page, score) instead of text.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
    /// List the documents of a folder (indexing it first if needed): id, format, size,
    /// entities, and whether it was truncated. A mailbox lists each message, an e-mail its
    /// attachments.
    List {
        folder: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Print the files the last indexing run could not read or skipped, grouped by reason
    /// (from the saved report; run `index` first).
    Report {
        folder: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Score the entity recogniser on annotated text (CoNLL columns, IOB1 or IOB2 tags):
    /// precision, recall and F1 per type; the last line is `micro F1 X`.
    EvalNer {
        /// CoNLL columns: one token per line, its tag last; blank lines between sentences.
        file: PathBuf,
        /// How labels are compared: `conll` folds both sides into PER/ORG/LOC/MISC; `ontonotes` compares as is.
        #[arg(long, value_enum, default_value_t = LabelMapArg::Conll)]
        map: LabelMapArg,
        /// Which recogniser: `full` (the app's: model + consistency pass + contacts), `model`
        /// (the model alone, identical to spaCy's en_core_web_sm).
        #[arg(long, value_enum, default_value_t = RecogniserArg::Full)]
        recogniser: RecogniserArg,
        /// Leave a rule of the consistency pass out (repeatable): line-breaks, punctuation,
        /// function-words, one-type, name-parts, headlines, missed, tables, ordinary-words, brackets.
        #[arg(long, value_name = "RULE", value_parser = rule_arg)]
        without: Vec<crate::entities::Rules>,
        /// Instead of one table, compare the model alone, the full recogniser and the full
        /// recogniser without each rule in turn (micro F1 and F1 per type).
        #[arg(long)]
        ablate: bool,
        /// After the table, list every mistake: `+` a mention that is not in the annotation,
        /// `-` an annotated one not found, with its label and line.
        #[arg(long)]
        errors: bool,
    },
    /// List the indexes in Dossier's data folder, with the folder each indexes and whether it
    /// is still there; with --prune, remove those of folders that are gone, of older versions,
    /// and damaged ones.
    Indexes {
        /// Remove the indexes that serve no folder now (a folder on a drive that is not
        /// mounted counts as gone: its index would have to be rebuilt).
        #[arg(long)]
        prune: bool,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
    },
    /// Write the man page and the bash, zsh and fish completions into DIR (for packaging).
    #[command(hide = true)]
    PackagingFiles { dir: PathBuf },
    /// List the entities of a folder (indexing it first if needed) with how many documents mention each.
    Entities {
        folder: PathBuf,
        /// Only this kind: a label (PERSON, ORG, GPE, DATE…) or the name the app shows (Place).
        #[arg(long, value_parser = kind_arg)]
        kind: Option<EntityKind>,
        #[command(flatten)]
        list: EntityList,
    },
    /// Print the folder's entity corrections (made in the app: merge, split, rename, type, hide)
    /// as JSON, or share them: --export writes them to a file, --import replaces them with a
    /// file's (checked first).
    Curation {
        folder: PathBuf,
        #[arg(long, value_name = "FILE", conflicts_with = "import")]
        export: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        import: Option<PathBuf>,
    },
    /// Export the folder's people, organisations and places, its documents and which document
    /// mentions which entity as FollowTheMoney JSON lines (Aleph's and OpenSanctions' model),
    /// on stdout.
    Export { folder: PathBuf },
    /// The entities that appear in the same documents as one entity, with how many they share.
    Cooccur {
        folder: PathBuf,
        /// The entity as KIND:NAME, by any of its spellings (e.g. PERSON:Lavrov).
        #[arg(value_name = "KIND:NAME", value_parser = entity_arg)]
        entity: EntityKey,
        /// Count shared sentences instead of shared documents.
        #[arg(long)]
        sentences: bool,
        #[command(flatten)]
        list: EntityList,
    },
    /// When the documents a query matches were written and which dates they mention, by month.
    Timeline {
        folder: PathBuf,
        /// The query (every document when left out), e.g. griner or person:Lavrov date:2022.
        query: Vec<String>,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Print CSV (month, mentioned, written) instead of text.
        #[arg(long, conflicts_with = "json")]
        csv: bool,
    },
}

/// `search --sort`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum SortArg {
    Relevance,
    Path,
    Newest,
    Oldest,
}

impl From<SortArg> for crate::model::SortBy {
    fn from(sort: SortArg) -> Self {
        match sort {
            SortArg::Relevance => crate::model::SortBy::Relevance,
            SortArg::Path => crate::model::SortBy::Path,
            SortArg::Newest => crate::model::SortBy::Newest,
            SortArg::Oldest => crate::model::SortBy::Oldest,
        }
    }
}

/// How a list of entities is printed (`entities`, `cooccur`).
#[derive(Debug, clap::Args)]
pub struct EntityList {
    /// How many to print (0: all).
    #[arg(long, default_value_t = 0)]
    limit: usize,
    /// Include numbers, ordinals, quantities and percentages (left out by default).
    #[arg(long)]
    numbers: bool,
    /// Print JSON instead of text (for entities: each with its spellings, their counts and why).
    #[arg(long)]
    json: bool,
    /// Print CSV instead of text.
    #[arg(long, conflicts_with = "json")]
    csv: bool,
}

/// `eval-ner --map`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum LabelMapArg {
    Conll,
    Ontonotes,
}

/// `eval-ner --recogniser`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum RecogniserArg {
    Full,
    Model,
}

/// A failure with its exit code and one-line message.
struct Failure {
    code: u8,
    message: String,
}

fn usage(message: impl Into<String>) -> Failure {
    Failure { code: 2, message: message.into() }
}

/// Put before a query word that starts with `-`, so clap takes it for a word, not an option.
const WORD_MARK: char = '\u{E000}';

/// The command line with `search`'s `-word` query words marked as words. `search` has no
/// short options, so a single dash there always starts an excluded word; clap would otherwise
/// refuse it as an unknown option (and letting the query take hyphen values would swallow
/// every `--option` after it). [`Command::Search`] drops the mark again.
pub fn excluded_words(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    // The subcommand is the first argument after the program's name that is not an option.
    let mut subcommand: Option<bool> = None;
    let mut out = Vec::new();
    for (i, arg) in args.into_iter().enumerate() {
        let text = arg.to_str().unwrap_or_default();
        let dashed = text.starts_with('-');
        if i > 0 && subcommand.is_none() && !dashed {
            subcommand = Some(text == "search");
        } else if subcommand == Some(true) && dashed && text.len() > 1 && !text.starts_with("--") && text != "-h" {
            out.push(format!("{WORD_MARK}{text}").into());
            continue;
        }
        out.push(arg);
    }
    out
}

/// `--type`: a format by any name [`DocFormat::named`] knows.
fn format_arg(text: &str) -> Result<DocFormat, String> {
    DocFormat::named(text).ok_or_else(|| {
        let known: Vec<&str> = DocFormat::ALL.iter().map(|f| f.as_str()).collect();
        format!("unknown type {text:?}; known types: {}", known.join(", "))
    })
}

/// `eval-ner --without`: a rule of the consistency pass by name.
fn rule_arg(name: &str) -> Result<crate::entities::Rules, String> {
    crate::entities::Rules::named(name).ok_or_else(|| {
        let known: Vec<&str> = crate::entities::Rules::NAMED.iter().map(|(n, _)| *n).collect();
        format!("unknown rule {name:?}; rules: {}", known.join(", "))
    })
}

/// `--file-timeout`: a positive number of seconds, at most a day.
fn seconds(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Ok(s),
        _ => Err(format!("{text:?} is not a number of seconds between 0 and 86400")),
    }
}

impl Command {
    /// Whether the output was asked for as JSON (errors are then printed as JSON too).
    fn json(&self) -> bool {
        match self {
            Command::Search { json, .. }
            | Command::List { json, .. }
            | Command::Report { json, .. }
            | Command::Indexes { json, .. }
            | Command::Timeline { json, .. } => *json,
            Command::Entities { list, .. } | Command::Cooccur { list, .. } => list.json,
            Command::Index { .. }
            | Command::EvalNer { .. }
            | Command::PackagingFiles { .. }
            | Command::Curation { .. }
            | Command::Export { .. } => false,
        }
    }
}

/// Parses the command line (see [`excluded_words`]). A usage error exits with status 2, and is
/// also printed as JSON on stdout when `--json` was given, as other errors are.
pub fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, ExitCode> {
    let args = excluded_words(args);
    let wants_json = args.iter().any(|a| a == "--json");
    Cli::try_parse_from(args).map_err(|e| {
        if wants_json && e.use_stderr() {
            let rendered = e.render().to_string();
            let first = rendered.lines().next().unwrap_or_default();
            println!("{}", serde_json::json!({ "error": first.trim_start_matches("error: ") }));
        }
        let _ = e.print();
        ExitCode::from(if e.use_stderr() { 2 } else { 0 })
    })
}

/// Runs a subcommand and returns the process exit code.
pub fn run(command: Command) -> ExitCode {
    let json = command.json();
    let result = match command {
        Command::Index { folder, verbose, max_file_mb, file_timeout, allow_empty, retry, watch } => {
            let options = Options {
                max_file_bytes: max_file_mb.max(1).saturating_mul(1024 * 1024),
                file_time_budget: Duration::from_secs_f64(file_timeout),
                allow_empty,
                retry_skipped: retry,
                ..Options::default()
            };
            match index_cmd(&folder, verbose, options.clone()) {
                Ok(0) if watch => watch_cmd(&folder, Options { retry_skipped: false, ..options }),
                other => other,
            }
        }
        Command::Search { folder, query, entities, formats, subfolder: sub, limit, sort, json, csv } => {
            let words: Vec<&str> = query.iter().map(|w| w.trim_start_matches(WORD_MARK)).collect();
            search_cmd(
                &folder,
                Query { text: words.join(" "), entities, formats, folder: subfolder(&sub), sort: sort.into() },
                limit,
                Output::of(json, csv),
            )
        }
        Command::Entities { folder, kind, list } => {
            entities_cmd(&folder, kind, list.limit, list.numbers, Output::of(list.json, list.csv))
        }
        Command::Export { folder } => export_cmd(&folder),
        Command::Curation { folder, export, import } => curation_cmd(&folder, export.as_deref(), import.as_deref()),
        Command::Cooccur { folder, entity, sentences, list } => {
            cooccur_cmd(&folder, &entity, sentences, list.limit, list.numbers, Output::of(list.json, list.csv))
        }
        Command::Timeline { folder, query, json, csv } => {
            timeline_cmd(&folder, &query.join(" "), Output::of(json, csv))
        }
        Command::EvalNer { file, map, recogniser, without, ablate, errors } => {
            eval_cmd(&file, map, recogniser, &without, ablate, errors)
        }
        Command::Report { folder, json } => report_cmd(&folder, json),
        Command::List { folder, json } => list_cmd(&folder, json),
        Command::Indexes { prune, json } => indexes_cmd(prune, json),
        Command::PackagingFiles { dir } => packaging_files(&dir),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            if json {
                println!("{}", serde_json::json!({ "error": f.message }));
            }
            eprintln!("dossier: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

/// Brings the folder's index up to date, with a progress bar on a terminal.
/// With `searching`, an index that another process is writing is used as it is (what it has
/// committed so far) instead of failing.
fn update_index(folder: &Path, searching: bool, options: Options) -> Result<(DocIndex, RunRecord), Failure> {
    let folder = check_folder(folder).map_err(|e| usage(e.to_string()))?;
    let store = Store::from_env().map_err(|e| usage(e.to_string()))?;
    let (dir, index) = store.open_index(&folder).map_err(|e| usage(e.to_string()))?;
    if let Some(notice) = index.rebuilt() {
        eprintln!("note: {notice}");
    }
    let (curation, damaged) = crate::entities::curation::Curation::load_or_set_aside(&store.curation_file(&folder));
    if let Some(notice) = damaged {
        eprintln!("warning: {notice}");
    }
    index.set_curation(curation);
    let bar = indicatif::ProgressBar::hidden();
    if std::io::stderr().is_terminal() {
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
    }
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} {prefix} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta} · {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    // A query answers with the entities the index has; `dossier index` or the app finds those
    // of an earlier recogniser again.
    let options = Options { refresh_outdated: !searching && options.refresh_outdated, ..options };
    let stop = interrupted();
    // (Watching keeps it graceful between runs.)
    let watching = GRACEFUL.swap(true, Ordering::Relaxed);
    let run = pipeline::run_blocking_until(folder, index.clone(), dir, default_extractor(), options, stop, |e| {
        if let Event::Progress(p) = e {
            let (stage, message) = match p.stage {
                Stage::Text => ("text", format!("{}/{} files, {} documents", p.done, p.total, p.documents)),
                Stage::Entities => ("entities", format!("{}/{} documents", p.done, p.total)),
            };
            if bar.prefix() != stage {
                // A new stage: its own bar, rate and time left.
                bar.reset();
                bar.set_prefix(stage);
            }
            bar.set_length(p.total_bytes);
            bar.set_position(p.bytes_done);
            bar.set_message(message);
        }
    });
    GRACEFUL.store(watching, Ordering::Relaxed);
    let (record, error) = run.map_err(|e| usage(format!("cannot index: {e}")))?;
    bar.finish_and_clear();
    if record.cancelled && stop.load(Ordering::Relaxed) {
        index.reload().map_err(|e| usage(e.to_string()))?;
        let kept = match index.num_docs() {
            0 => "nothing was indexed yet".to_owned(),
            n => format!("the {} indexed so far are kept", words::plural(n, "document")),
        };
        return Err(Failure {
            code: INTERRUPTED,
            message: format!("interrupted: {kept}; run `dossier index` again to go on"),
        });
    }
    match error {
        Some(error) if searching && error == IndexError::Locked.to_string() => {
            eprintln!("warning: {error}; searching what it has committed so far");
        }
        Some(error) => return Err(usage(format!("indexing stopped: {error}"))),
        None => {}
    }
    index.reload().map_err(|e| usage(e.to_string()))?;
    Ok((index, record))
}

/// Says on stderr when the index was kept although its files look gone (searching still works).
fn warn_if_kept(record: &RunRecord) {
    if record.kept_missing > 0 {
        eprintln!("warning: {}", looks_empty(record.kept_missing));
    }
}

/// What a run says when every indexed file was missing and kept.
fn looks_empty(kept: u64) -> String {
    format!(
        "the folder looks empty or unmounted: all {} of its indexed files are missing, so the index was kept \
         (to drop them, run `dossier index` with --allow-empty)",
        kept
    )
}

fn index_cmd(folder: &Path, verbose: bool, options: Options) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, false, options)?;
    if record.kept_missing > 0 {
        return Err(usage(looks_empty(record.kept_missing)));
    }
    println!(
        "{} in the index; {} indexed, {} removed in {:.2} s; {}",
        if index.num_docs() == 1 { "1 document".to_owned() } else { format!("{} documents", index.num_docs()) },
        record.indexed,
        record.removed,
        record.duration_secs,
        words::outcome_summary(&record.problems),
    );
    if let Some(line) = stages_line(&record) {
        println!("{line}");
    }
    for (reason, n) in words::problems_by_reason(&record.problems) {
        println!("  {n:>6}  {reason}");
    }
    if verbose {
        for p in &record.problems {
            println!("{}\t{}\t{}", p.outcome.label(), p.path, p.reason);
        }
    }
    Ok(0)
}

/// When a run's text and entities were done: `text searchable after 2.1 s (the first documents
/// after 0.3 s); entities found in 9,800 documents`.
fn stages_line(record: &RunRecord) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(text) = record.text_secs {
        let mut part = format!("text searchable after {:.2} s", text);
        if let Some(first) = record.first_searchable_secs.filter(|&first| first < text) {
            part.push_str(&format!(" (the first documents after {first:.2} s)"));
        }
        parts.push(part);
    }
    if record.entities_found > 0 {
        parts.push(format!("entities found in {}", words::plural(record.entities_found, "document")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The exit code after Ctrl+C (128 + SIGINT, as shells report it).
const INTERRUPTED: u8 = 130;

/// Whether Ctrl+C now stops gracefully (while indexing or watching); otherwise it quits.
static GRACEFUL: AtomicBool = AtomicBool::new(false);

/// Set once the user pressed Ctrl+C (or the process got SIGTERM) while indexing or watching: a
/// running indexing run is cancelled, committing what it read, and a second Ctrl+C quits at
/// once (the next run picks up from the journal). At any other time (a search, an export) it
/// quits at once. The handler is installed the first time this is asked.
fn interrupted() -> &'static AtomicBool {
    static STOP: AtomicBool = AtomicBool::new(false);
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        let handled = ctrlc::set_handler(|| {
            if !GRACEFUL.load(Ordering::Relaxed) || STOP.swap(true, Ordering::Relaxed) {
                std::process::exit(i32::from(INTERRUPTED));
            }
            eprintln!("\nstopping: committing what was read (Ctrl+C again quits at once)");
        });
        if let Err(e) = handled {
            log::warn!("Ctrl+C will stop Dossier without committing: {e}");
        }
    });
    &STOP
}

/// `index --watch`: indexes each batch of changes to `folder` as it settles, forever.
fn watch_cmd(folder: &Path, options: Options) -> Result<u8, Failure> {
    use crate::watch::{Batcher, FolderWatcher};
    use std::time::Instant;
    let watcher =
        FolderWatcher::start(folder, || {}).map_err(|e| usage(format!("cannot watch {}: {e}", folder.display())))?;
    println!("watching {} for changes (Ctrl+C stops)", folder.display());
    let stop = interrupted();
    GRACEFUL.store(true, Ordering::Relaxed);
    loop {
        if stop.load(Ordering::Relaxed) {
            println!("stopped watching {}", folder.display());
            return Ok(0);
        }
        if !watcher.wait(Duration::from_millis(250)) {
            continue;
        }
        let mut batch = Batcher::default();
        batch.changed(Instant::now());
        while let Err(Some(wait)) = batch.due(Instant::now()) {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            if watcher.wait(wait.min(Duration::from_millis(250))) {
                batch.changed(Instant::now());
            }
        }
        if stop.load(Ordering::Relaxed) {
            continue;
        }
        // A batch that cannot be indexed now (the app holds the index) is said, not fatal:
        // the next change tries again.
        let (index, record) = match update_index(folder, false, options.clone()) {
            Ok(done) => done,
            Err(failure) if failure.code == INTERRUPTED => return Err(failure),
            Err(failure) => {
                eprintln!("dossier: {}; waiting for the next change", failure.message);
                continue;
            }
        };
        let what = if record.kept_missing > 0 { looks_empty(record.kept_missing) } else { String::new() };
        println!(
            "{} indexed, {} removed; {} in the index{}{what}",
            record.indexed,
            record.removed,
            words::plural(index.num_docs(), "document"),
            if what.is_empty() { "" } else { "; " },
        );
        // Flushed now: a script reading the output sees each batch as it is done.
        let _ = std::io::stdout().flush();
    }
}

/// `--kind`: the entity kind `name` means (see [`EntityKind::named`]).
fn kind_arg(name: &str) -> Result<EntityKind, String> {
    EntityKind::named(name).ok_or_else(|| {
        let known: Vec<String> =
            EntityKind::ALL.iter().map(|k| format!("{} ({})", k.label(), k.display_name())).collect();
        format!("unknown entity kind {name:?}; known kinds: {}", known.join(", "))
    })
}

/// `--entity KIND:TEXT`.
fn entity_arg(s: &str) -> Result<EntityKey, String> {
    let (kind, text) = s.split_once(':').ok_or_else(|| format!("wants KIND:TEXT, got {s:?}"))?;
    Ok(EntityKey { kind: kind_arg(kind)?, text: text.trim().to_owned() })
}

/// A subfolder as the user may type it (`./sub`, `sub/`), relative to the opened folder.
fn subfolder(text: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split(['/', '\\']) {
        match part {
            "" | "." => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

fn search_cmd(folder: &Path, query: Query, limit: usize, output: Output) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    let text = &query.text;
    let limit = if limit == 0 { usize::MAX } else { limit };
    let results = index.search(&query, limit).map_err(|e| usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if output == Output::Json {
        table(crate::export::hits(&results, TableFormat::Json, &mut out))?;
    } else if output == Output::Csv {
        for w in &results.warnings {
            eprintln!("note: part of the query was ignored: {w}");
        }
        table(crate::export::hits(&results, TableFormat::Csv, &mut out))?;
    } else {
        for w in &results.warnings {
            eprintln!("note: part of the query was ignored: {w}");
        }
        let what = if results.total == 1 {
            "1 document matches".to_owned()
        } else {
            format!("{} documents match", results.total)
        };
        let copies = match results.copies {
            0 => String::new(),
            1 => " (and 1 exact copy of one)".to_owned(),
            n => format!(" (and {n} exact copies of them)"),
        };
        let _ = writeln!(out, "{what} {text:?}{copies}");
        for (i, hit) in results.hits.iter().enumerate() {
            let matches = match hit.match_count {
                Some(1) => "1 match".to_owned(),
                Some(n) => format!("{n} matches"),
                None => hit.format.label().to_lowercase(),
            };
            let page = hit.page.map(|p| format!(", {} {p}", hit.format.page_word())).unwrap_or_default();
            let _ = writeln!(out, "{:>3}. {}  ({matches}{page})  {}", i + 1, hit.id, hit.title);
            let _ = writeln!(out, "     {}", mark(&hit.snippet, &hit.snippet_ranges));
            if !hit.copies.is_empty() {
                let _ = writeln!(out, "     same text: {}", hit.copies.join(", "));
            }
        }
    }
    Ok(if results.total == 0 { 1 } else { 0 })
}

/// The snippet with its matches in [brackets], on one line.
/// Ranges that overlap an earlier one or do not fall on characters are left unmarked.
fn mark(snippet: &str, ranges: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in ranges {
        let (Some(before), Some(hit)) = (snippet.get(at..r.start), snippet.get(r.clone())) else { continue };
        out.push_str(before);
        out.push('[');
        out.push_str(hit);
        out.push(']');
        at = r.end;
    }
    out.push_str(snippet.get(at..).unwrap_or_default());
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn entities_cmd(
    folder: &Path,
    kind: Option<EntityKind>,
    limit: usize,
    numbers: bool,
    output: Output,
) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    let mut counts = index.entity_counts().map_err(|e| usage(e.to_string()))?.to_vec();
    counts.retain(|c| kind.map_or(numbers || !c.key.kind.is_counting(), |k| c.key.kind == k));
    if limit > 0 {
        counts.truncate(limit);
    }
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json | Output::Csv => {
            table(crate::export::entities(&counts, output.table(), &mut out))?;
        }
        Output::Text => {
            for c in &counts {
                let _ = writeln!(out, "{:>6}  {:<12} {}", c.documents, c.key.kind.label(), c.key.text);
            }
        }
    }
    Ok(if counts.is_empty() { 1 } else { 0 })
}

/// How a listing is printed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Output {
    Text,
    Json,
    Csv,
}

impl Output {
    /// The table format of `--json` or `--csv` (text is written by each command).
    fn table(self) -> TableFormat {
        if self == Output::Json { TableFormat::Json } else { TableFormat::Csv }
    }

    fn of(json: bool, csv: bool) -> Output {
        if json {
            Output::Json
        } else if csv {
            Output::Csv
        } else {
            Output::Text
        }
    }
}

/// A table written, or why it could not be.
fn table(written: std::io::Result<usize>) -> Result<usize, Failure> {
    written.map_err(|e| Failure { code: 1, message: format!("cannot write the table: {e}") })
}

fn export_cmd(folder: &Path) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    let failed = |e: crate::index::IndexError| usage(e.to_string());
    let entities = index.entity_counts().map_err(failed)?;
    let documents = index.document_entities().map_err(failed)?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in crate::export::followthemoney(&entities, &documents) {
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    let _ = out.flush();
    Ok(0)
}

fn curation_cmd(folder: &Path, export: Option<&Path>, import: Option<&Path>) -> Result<u8, Failure> {
    use crate::entities::curation::Curation;
    let folder = check_folder(folder).map_err(|e| usage(e.to_string()))?;
    let store = Store::from_env().map_err(|e| usage(e.to_string()))?;
    let file = store.curation_file(&folder);
    let failed = |e: crate::entities::curation::CurationError| Failure { code: 1, message: e.to_string() };
    if let Some(from) = import {
        let curation = Curation::load(from).map_err(failed)?;
        curation.save(&file).map_err(failed)?;
        eprintln!("{} imported", crate::words::plural(curation.rules.len() as u64, "correction"));
        return Ok(0);
    }
    let curation = Curation::load(&file).map_err(failed)?;
    match export {
        Some(to) => {
            curation.export(to).map_err(failed)?;
            eprintln!(
                "{} exported to {}",
                crate::words::plural(curation.rules.len() as u64, "correction"),
                to.display()
            );
        }
        None => println!("{}", serde_json::to_string_pretty(&curation).unwrap_or_default()),
    }
    Ok(0)
}

fn cooccur_cmd(
    folder: &Path,
    entity: &EntityKey,
    sentences: bool,
    limit: usize,
    numbers: bool,
    output: Output,
) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    // The entity by any of its spellings, as `person:…` finds it in a search.
    let Some(key) = index.entities_named(entity.kind, &entity.text).into_iter().next() else {
        return Err(Failure {
            code: 1,
            message: format!("no {} named {:?} in this folder", entity.kind.display_name().to_lowercase(), entity.text),
        });
    };
    let mut pairs = if sentences {
        let every = std::time::Duration::MAX;
        index.sentence_cooccurrences(&key, every).map(|s| s.pairs)
    } else {
        index.cooccurrences(&key, 0)
    }
    .map_err(|e| usage(e.to_string()))?;
    let unit = if sentences { "sentences" } else { "documents" };
    pairs.retain(|(k, _)| numbers || !k.kind.is_counting());
    if limit > 0 {
        pairs.truncate(limit);
    }
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json | Output::Csv => {
            table(crate::export::companions(&pairs, unit, output.table(), &mut out))?;
        }
        Output::Text => {
            for (k, n) in &pairs {
                let _ = writeln!(out, "{n:>6}  {:<12} {}", k.kind.label(), k.text);
            }
        }
    }
    Ok(if pairs.is_empty() { 1 } else { 0 })
}

fn timeline_cmd(folder: &Path, query: &str, output: Output) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    let timeline =
        index.timeline(&Query { text: query.to_owned(), ..Query::default() }).map_err(|e| usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    match output {
        Output::Json => {
            let _ = writeln!(out, "{}", serde_json::to_string_pretty(&timeline).unwrap_or_default());
        }
        Output::Csv => {
            let rows = timeline
                .months
                .iter()
                .map(|m| [crate::model::MonthCount::iso(m.month), m.mentioned.to_string(), m.written.to_string()]);
            table(crate::export::csv_rows(&mut out, ["month", "mentioned", "written"], rows))?;
        }
        Output::Text => {
            let widest = timeline.months.iter().map(|m| m.mentioned.max(m.written)).max().unwrap_or(1).max(1);
            let _ = writeln!(out, "month    mention  written");
            for m in &timeline.months {
                let bar = "█".repeat((m.mentioned * 40).div_ceil(widest) as usize);
                let iso = crate::model::MonthCount::iso(m.month);
                let _ = writeln!(out, "{iso}  {:>7}  {:>7}  {bar}", m.mentioned, m.written);
            }
            let _ = writeln!(
                out,
                "{} documents; {} date mentions have no month to plot (a year alone, or no calendar date)",
                timeline.documents, timeline.unplotted
            );
        }
    }
    Ok(if timeline.months.is_empty() { 1 } else { 0 })
}

fn eval_cmd(
    file: &Path,
    map: LabelMapArg,
    recogniser: RecogniserArg,
    without: &[crate::entities::Rules],
    ablate: bool,
    errors: bool,
) -> Result<u8, Failure> {
    use crate::entities::{Recogniser, Rules, eval};
    let text = std::fs::read_to_string(file).map_err(|e| usage(format!("cannot read {}: {e}", file.display())))?;
    let docs = eval::parse_conll(&text).map_err(|e| usage(format!("{}: {e}", file.display())))?;
    let map = match map {
        LabelMapArg::Conll => eval::LabelMap::Conll,
        LabelMapArg::Ontonotes => eval::LabelMap::OntoNotes,
    };
    let kind = match recogniser {
        RecogniserArg::Full => Recogniser::Full,
        RecogniserArg::Model => Recogniser::Model,
    };
    if ablate {
        let model = crate::entities::recogniser(Recogniser::Model);
        print!("{}", eval::ablation_table(&eval::ablate(&docs, model.as_ref(), map)));
        return Ok(0);
    }
    let rules = without.iter().fold(Rules::ALL, |rules, rule| rules.without(*rule));
    let report = eval::evaluate(&docs, crate::entities::recogniser_with(kind, rules).as_ref(), map);
    print!("{}", report.table());
    if errors {
        let mut out = std::io::stdout().lock();
        for (sign, label, text, line) in &report.mistakes {
            let (text, line) = (text.replace('\n', "⏎"), line.replace('\n', "⏎"));
            if writeln!(out, "{sign} {label:<6} {text:<30} | {line}").is_err() {
                break;
            }
        }
    }
    Ok(0)
}

fn list_cmd(folder: &Path, json: bool) -> Result<u8, Failure> {
    let (index, record) = update_index(folder, true, Options::default())?;
    warn_if_kept(&record);
    let docs = index.list_docs().map_err(|e| usage(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&docs).unwrap_or_default());
    } else {
        for d in &docs {
            let truncated = if d.truncated { "\ttruncated" } else { "" };
            let _ = writeln!(out, "{}\t{}\t{}\t{} entities{truncated}", d.id, d.format, d.size_bytes, d.entity_count);
        }
    }
    Ok(if docs.is_empty() { 1 } else { 0 })
}

/// The man page (`dossier.1`) and shell completions, generated from the clap definitions so
/// they never disagree with `--help`.
fn packaging_files(dir: &Path) -> Result<u8, Failure> {
    use clap::CommandFactory;
    let fail = |e: std::io::Error| usage(format!("cannot write into {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(fail)?;
    let command = Cli::command();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone()).render(&mut page).map_err(fail)?;
    std::fs::write(dir.join("dossier.1"), page).map_err(fail)?;
    for shell in [clap_complete::Shell::Bash, clap_complete::Shell::Zsh, clap_complete::Shell::Fish] {
        clap_complete::generate_to(shell, &mut command.clone(), "dossier", dir).map_err(fail)?;
    }
    Ok(0)
}

fn indexes_cmd(prune: bool, json: bool) -> Result<u8, Failure> {
    let store = Store::from_env().map_err(|e| usage(e.to_string()))?;
    let entries =
        if prune { store.prune().map_err(|e| usage(format!("cannot remove an index: {e}")))? } else { store.indexes() };
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&entries).unwrap_or_default());
        return Ok(0);
    }
    for e in &entries {
        let folder = e.folder.as_ref().map_or_else(|| "?".to_owned(), |f| f.display().to_string());
        let what = if prune { "removed" } else { e.state.label() };
        let _ = writeln!(out, "{folder}\t{}\t{what}\t{}", words::bytes(e.bytes), e.dir.display());
    }
    if prune {
        let _ = writeln!(out, "{} removed", entries.len());
    }
    Ok(0)
}

fn report_cmd(folder: &Path, json: bool) -> Result<u8, Failure> {
    let folder = check_folder(folder).map_err(|e| usage(e.to_string()))?;
    let store = Store::from_env().map_err(|e| usage(e.to_string()))?;
    let Some(record) = RunRecord::load(&store.index_dir(&folder)) else {
        return Err(Failure {
            code: 1,
            message: format!("{} has not been indexed yet; run `dossier index` first", folder.display()),
        });
    };
    let mut out = std::io::stdout().lock();
    if json {
        let _ = writeln!(out, "{}", serde_json::to_string_pretty(&record).unwrap_or_default());
        return Ok(0);
    }
    let _ = writeln!(
        out,
        "{} indexed, {} removed; {}",
        record.indexed,
        record.removed,
        words::outcome_summary(&record.problems)
    );
    for outcome in Outcome::ALL {
        let problems: Vec<FileProblem> = record.problems.iter().filter(|p| p.outcome == outcome).cloned().collect();
        if problems.is_empty() {
            continue;
        }
        let mut heading = outcome.label().to_owned();
        heading[..1].make_ascii_uppercase();
        let _ = writeln!(out, "\n{heading} ({})", problems.len());
        for (reason, n) in words::problems_by_reason(&problems) {
            let _ = writeln!(out, "  {n} × {reason}");
            for p in problems.iter().filter(|p| p.reason == reason) {
                let _ = writeln!(out, "    {}", p.path);
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_fall_on_characters_or_are_left_out() {
        let s = "Сергей Лавров, Москва";
        let lavrov = s.find("Лавров").unwrap();
        let whole = lavrov..lavrov + "Лавров".len();
        assert_eq!(mark(s, std::slice::from_ref(&whole)), "Сергей [Лавров], Москва");
        // Inside a character, overlapping, past the end: no panic, no mark.
        assert_eq!(mark(s, &[1..3, lavrov..lavrov + 2, 0..4, 90..95]), "Сергей [Л]авров, Москва");
    }
}
