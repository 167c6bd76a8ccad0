//! `reelcheck tape`: inspect and label vfs volume directories.

use std::path::PathBuf;
use std::process::ExitCode;

use reelcheck_tape::inspect;

/// Tape volume commands.
#[derive(Debug, clap::Subcommand)]
pub enum TapeCmd {
    /// Print a vfs volume's label and every file with its parsed header.
    /// Exits 1 when the volume has errors; what real Amanda leaves behind is a note.
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
        TapeCmd::Inspect { dir } => {
            let report = inspect::inspect(&dir)?;
            outln!("{report}");
            Ok(super::verdict_code(report.is_ok()))
        }
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
