//! `reelcheck tape`: inspect and label vfs volume directories.

use std::path::PathBuf;
use std::process::ExitCode;

use reelcheck_tape::inspect;

/// Tape volume commands.
#[derive(Debug, clap::Subcommand)]
pub enum TapeCmd {
    /// Print a vfs volume's label and every file with its parsed header.
    /// Exits 0 when the volume is readable (what real Amanda leaves behind is a note),
    /// 1 when it has errors, 2 when the directory cannot be read.
    Inspect {
        /// The volume directory (its `data/` subdirectory is used when it exists).
        dir: PathBuf,
    },
    /// Label an empty vfs volume (refuses a labelled or non-empty one without --force).
    Label {
        /// The volume directory.
        dir: PathBuf,
        /// The new label.
        label: String,
        /// Erase and relabel a volume that already holds a label or files.
        #[arg(long)]
        force: bool,
    },
}

/// Runs a `reelcheck tape` command.
pub fn run(cmd: TapeCmd) -> anyhow::Result<ExitCode> {
    match cmd {
        TapeCmd::Inspect { dir } => match inspect::inspect(&dir) {
            Ok(report) => {
                outln!("{report}");
                Ok(super::output::verdict_code(report.is_ok()))
            }
            Err(e) => {
                eprintln!("reelcheck tape inspect: {e}");
                Ok(ExitCode::from(2))
            }
        },
        TapeCmd::Label { dir, label, force } => match inspect::label(&dir, &label, force) {
            Ok(outcome) => {
                outln!("{outcome}");
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                eprintln!("reelcheck tape label: {e}");
                Ok(ExitCode::from(1))
            }
        },
    }
}
