//! The `dossier` binary: the desktop app, or a CLI subcommand.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    dossier::process_uptime_ms();
    let cli = dossier::cli::Cli::parse_from(dossier::cli::excluded_words(std::env::args_os()));
    match cli.command {
        Some(command) => dossier::cli::run(command),
        None => dossier::app::run(cli.folder),
    }
}
