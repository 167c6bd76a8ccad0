//! [`Server`]: the configured, bound daemon before it runs (binding, pid file, privileges).

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::sync::mpsc;

use super::error::ServerError;
use super::events::{EventFn, ServerEvent};
use super::handle::{Control, ServerHandle};
use super::listen;
use super::log::{Level, Logger};
use super::options::ServeOptions;
use super::pidfile::PidFile;
use super::privs;
use super::settings::Settings;
use super::startup::{Startup, logged};

/// A configured and bound server, ready to [`Server::run`].
pub struct Server {
    pub(crate) options: ServeOptions,
    pub(crate) settings: Arc<Settings>,
    pub(crate) listeners: Vec<std::net::TcpListener>,
    pub(crate) logger: Arc<Logger>,
    pub(crate) events: EventFn,
    pub(crate) control_tx: mpsc::UnboundedSender<Control>,
    pub(crate) control_rx: mpsc::UnboundedReceiver<Control>,
    pub(crate) pid_file: Option<PidFile>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addrs", &self.local_addrs())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Loads the configuration, binds the listening sockets and writes the pid file.
    ///
    /// Every event is logged and, with `observer`, also sent there.
    /// No runtime is needed yet; privileges are not dropped (see
    /// [`Server::drop_privileges`]).
    pub fn new(
        options: ServeOptions,
        observer: Option<mpsc::UnboundedSender<ServerEvent>>,
    ) -> Result<Self, ServerError> {
        let Startup {
            logger,
            settings,
            events,
        } = Startup::load(&options, observer)?;
        let listeners = match &options.listen {
            Some(addrs) => listen::bind_addrs(addrs),
            None => listen::bind_config(&settings.server_address, settings.server_port),
        };
        let listeners = logged(&logger, listeners)?;
        logger.log(Level::Notice, "Starting up daemon");
        for l in &listeners {
            if let Ok(addr) = l.local_addr() {
                events(ServerEvent::Listening { addr });
            }
        }
        let pid_file = create_pid_file(&settings, &logger)?;
        let (control_tx, control_rx) = mpsc::unbounded_channel();
        Ok(Self {
            options,
            settings: Arc::new(settings),
            listeners,
            logger,
            events,
            control_tx,
            control_rx,
            pid_file,
        })
    }

    /// The addresses the server listens on.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.listeners
            .iter()
            .filter_map(|l| l.local_addr().ok())
            .collect()
    }

    /// A handle to reload or stop the server once it runs.
    pub fn handle(&self) -> ServerHandle {
        ServerHandle::new(self.control_tx.clone())
    }

    /// The configuration in force.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Enters `nsca_chroot` (if set), then drops root privileges to
    /// `nsca_user`/`nsca_group` (only when running as root), as 2.10 does.
    ///
    /// This changes the whole process: call it once, after binding, before starting
    /// the runtime's worker threads.
    pub fn drop_privileges(&self) -> Result<(), ServerError> {
        // Names are resolved before chroot, while /etc/passwd is reachable.
        let id = privs::resolve(
            self.settings.nsca_user.as_deref(),
            self.settings.nsca_group.as_deref(),
        );
        for w in &id.warnings {
            self.logger.log(Level::Err, w);
        }
        if let Some(dir) = &self.settings.nsca_chroot {
            logged(&self.logger, privs::chroot(dir))?;
        }
        let warnings = logged(&self.logger, privs::drop_privileges(&id))?;
        for w in warnings {
            self.logger.log(Level::Err, &w);
        }
        Ok(())
    }
}

/// Writes `pid_file` (owned by `nsca_user`/`nsca_group`) when one is configured; a pid
/// file that cannot be written is only logged, one naming a running server is fatal.
fn create_pid_file(settings: &Settings, logger: &Logger) -> Result<Option<PidFile>, ServerError> {
    let Some(path) = &settings.pid_file else {
        return Ok(None);
    };
    let id = privs::resolve(
        settings.nsca_user.as_deref(),
        settings.nsca_group.as_deref(),
    );
    let (pid, warning) = logged(logger, PidFile::create(path, Some((id.uid, id.gid))))?;
    if let Some(w) = warning {
        logger.log(Level::Err, &w);
    }
    Ok(Some(pid))
}
