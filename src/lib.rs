//! Dossier: explore a folder of documents.
//!
//! The crate is split in two layers. The *core* (everything but [`view`], [`app`] and [`ui`])
//! walks a folder, loads documents, extracts named entities, indexes them with tantivy and
//! answers searches; it never imports egui and is shared by the GUI and the CLI. The *front end*
//! ([`view`], [`app`], [`ui`]) is an eframe application that talks to the core's background
//! threads over bounded channels.
//!
//! Modules in reading order:
//! - [`model`]: the plain data types every layer shares.
//! - [`load`]: turning a file into text (one loader per format).
//! - [`entities`]: finding entity mentions in text.
//! - [`lang`]: which language a document is in.
//! - [`index`]: the only module that imports tantivy.
//! - [`store`]: where indexes live on disk.
//! - [`pipeline`]: walk, load, extract and index on named background threads.
//! - [`searcher`]: the thread that answers queries.
//! - [`session`]: an opened folder (index + searcher + indexing run).
//! - [`watch`]: noticing changes in an open folder, and batching them.
//! - [`about`]: version, the embedded model's licence and every bundled crate's.
//! - [`words`]: how sizes, counts, durations and the ingest report read, everywhere.
//! - [`export`]: tables (CSV, JSON) and FollowTheMoney JSON lines.
//! - [`cli`]: the command-line front end.
//! - [`view`]: the desktop app's state as its panels see it, and the commands they return.
//! - [`app`]: owns that state, talks to the core's threads and applies commands.
//! - [`ui`]: draws the state and returns commands; it never imports [`app`].

pub mod about;
pub mod app;
pub mod cli;
pub mod entities;
pub mod export;
pub mod index;
pub mod lang;
pub mod load;
pub mod model;
pub mod pipeline;
pub mod searcher;
pub mod session;
pub mod store;
pub mod ui;
pub mod view;
pub mod watch;
pub mod words;

/// Milliseconds since the process started (for start-up profiling).
pub fn process_uptime_ms() -> f64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed().as_secs_f64() * 1000.0
}
