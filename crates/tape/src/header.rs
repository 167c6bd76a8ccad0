//! Amanda file headers (32 KiB): parse and write.

/// Why a header could not be parsed or written.
#[derive(Debug, thiserror::Error)]
pub enum HeaderError {
    /// The header block is damaged; the message names the field.
    #[error("damaged header: {0}")]
    Damaged(String),
}
