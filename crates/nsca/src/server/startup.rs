//! What every way of serving starts with: the logger, the loaded settings, the event
//! sink and the writer task.

use std::fmt::Display;
use std::sync::Arc;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::error::ServerError;
use super::events::{EventFn, ServerEvent};
use super::log::{self, Level, Logger};
use super::options::ServeOptions;
use super::settings::Settings;
use super::writer::{self, SpoolConfig, WriterHandle};

/// Capacity of the channel between connections and the writer (results).
pub const WRITER_QUEUE: usize = 8192;

/// The logger, configured from the loaded settings, and the event sink that logs.
pub(crate) struct Startup {
    /// The logger, with `debug` and `log_facility` applied.
    pub logger: Arc<Logger>,
    /// nsca.cfg and the authz file, resolved.
    pub settings: Settings,
    /// Logs every event and, with an observer, sends it there.
    pub events: EventFn,
}

impl Startup {
    /// Opens the log, loads the settings (logging why they cannot be loaded) and builds
    /// the event sink.
    pub(crate) fn load(
        options: &ServeOptions,
        observer: Option<mpsc::UnboundedSender<ServerEvent>>,
    ) -> Result<Self, ServerError> {
        let logger = Arc::new(Logger::new(&options.log));
        let settings = logged(&logger, Settings::load(options))?;
        settings.apply_to_logger(&logger);
        let events = log::event_sink(Arc::clone(&logger), observer);
        Ok(Self {
            logger,
            settings,
            events,
        })
    }
}

/// Logs the error of `result` at `err` level and passes the result on.
pub(crate) fn logged<T, E: Display>(logger: &Logger, result: Result<T, E>) -> Result<T, E> {
    if let Err(e) = &result {
        logger.log(Level::Err, &e.to_string());
    }
    result
}

/// Starts the writer task for `settings`, spooling to `--spool` or the default spool of
/// its port.
pub(crate) fn spawn_writer(
    options: &ServeOptions,
    settings: &Settings,
    events: &EventFn,
) -> (WriterHandle, JoinHandle<()>) {
    writer::spawn(
        settings.writer.clone(),
        SpoolConfig::new(options.spool_path(settings.server_port)),
        WRITER_QUEUE,
        Arc::clone(events),
    )
}
