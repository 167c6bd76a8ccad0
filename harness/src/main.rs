//! `reelcheck`: replay scenarios, run fuzz campaigns, and drive NSCA,
//! transfers and tapes by hand. Exit codes: 0 success, 1 a scenario, case or
//! check failed, 2 bad command line or unreadable input.

use std::process::ExitCode;

use clap::Parser;

mod cli;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    match cli::dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("reelcheck: error: {e:#}");
            ExitCode::from(2)
        }
    }
}
