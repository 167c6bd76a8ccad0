//! Amanda's one-line header summary (`summarize_header`), as `amrestore` prints it.

use std::fmt;

use super::codec::Header;
use super::dump::{DumpKind, OnSide};
use super::quote::quote_string;

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Header::TapeStart(ts) => {
                write!(f, "start of tape: date {} label {}", ts.datestamp, ts.label)
            }
            Header::TapeEnd { datestamp } => write!(f, "end of tape: date {datestamp}"),
            Header::Noop => f.write_str("NOOP file"),
            Header::Dump(d) => {
                let comp = d.compression.as_deref().unwrap_or("N");
                let disk = quote_string(&d.disk);
                match d.kind {
                    DumpKind::File | DumpKind::ContFile => write!(
                        f,
                        "{}: date {} host {} disk {} lev {} comp {}",
                        d.file_type(),
                        d.datestamp,
                        d.host,
                        disk,
                        d.level,
                        comp
                    )?,
                    DumpKind::SplitFile { part, total } => {
                        let total = match total {
                            Some(t) if t > 0 => t.to_string(),
                            _ => "UNKNOWN".to_owned(),
                        };
                        write!(
                            f,
                            "split dumpfile: date {} host {} disk {} part {}/{} lev {} comp {}",
                            d.datestamp, d.host, disk, part, total, d.level, comp
                        )?
                    }
                }
                if !d.program.is_empty() {
                    write!(f, " program {}", d.program)?;
                }
                if d.encryption.as_deref() == Some("enc") {
                    f.write_str(" crypt enc")?;
                }
                for (name, side) in [
                    ("custom_compress", &d.custom_compress),
                    ("encrypt", &d.encrypt),
                    ("decrypt_option", &d.decrypt_option),
                ] {
                    match side {
                        Some(OnSide::Server(v)) => write!(f, " server_{name} {v}")?,
                        Some(OnSide::Client(v)) => write!(f, " client_{name} {v}")?,
                        None => {}
                    }
                }
                Ok(())
            }
        }
    }
}
