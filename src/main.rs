//! The `dossier` binary: the desktop app, or a CLI subcommand.

use std::process::ExitCode;

fn main() -> ExitCode {
    dossier::process_uptime_ms();
    let cli = match dossier::cli::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(code) => return code,
    };
    if cli.licenses {
        // `dossier --licenses | head` closes the pipe early: that is not an error.
        let _ = std::io::Write::write_all(&mut std::io::stdout().lock(), dossier::about::licenses().as_bytes());
        return ExitCode::SUCCESS;
    }
    match cli.command {
        Some(command) => dossier::cli::run(command),
        None => dossier::app::run(cli.folder),
    }
}
