//! [`Server::run`]: serving until shutdown, reloading on request, and the clean stop.

use std::sync::Arc;

use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use super::accept::{Acceptor, spawn_acceptors};
use super::daemon::Server;
use super::error::ServerError;
use super::events::{EventFn, ServerEvent};
use super::handle::Control;
use super::listen;
use super::log::{Level, Logger};
use super::options::ServeOptions;
use super::pidfile::PidFile;
use super::settings::Settings;
use super::signals::spawn_signal_watcher;
use super::startup::spawn_writer;
use super::writer::{Job, WriterHandle};

/// A running server's state between control requests.
struct Running {
    options: ServeOptions,
    settings: Arc<Settings>,
    settings_tx: watch::Sender<Arc<Settings>>,
    logger: Arc<Logger>,
    events: EventFn,
    writer: WriterHandle,
    acceptor: Acceptor,
    acceptors: Vec<JoinHandle<()>>,
    /// `server_address`/`server_port` the acceptors are bound to.
    current_bind: (String, u16),
}

/// What the clean stop waits for.
struct Stop {
    shutdown_tx: watch::Sender<bool>,
    alive_rx: mpsc::Receiver<()>,
    writer_task: JoinHandle<()>,
    pid_file: Option<PidFile>,
}

impl Server {
    /// Serves until [`ServerHandle::shutdown`](super::handle::ServerHandle::shutdown) (or
    /// a signal with [`Server::run_with_signals`]), then writes every accepted result,
    /// removes the pid file and returns.
    pub async fn run(self) -> Result<(), ServerError> {
        let Server {
            options,
            settings,
            listeners,
            logger,
            events,
            control_tx: _,
            mut control_rx,
            pid_file,
        } = self;
        let (writer, writer_task) = spawn_writer(&options, &settings, &events);
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (settings_tx, settings_rx) = watch::channel(Arc::clone(&settings));
        // Every connection task holds a clone; `recv` returns `None` once all are gone.
        let (alive_tx, alive_rx) = mpsc::channel::<()>(1);
        let acceptor = Acceptor {
            settings: settings_rx,
            writer: writer.clone(),
            events: Arc::clone(&events),
            read_timeout: options.read_timeout,
            shutdown: shutdown_rx,
            alive: alive_tx,
        };
        let acceptors = spawn_acceptors(listeners, &acceptor)?;
        let current_bind = (settings.server_address.clone(), settings.server_port);
        let mut running = Running {
            options,
            settings,
            settings_tx,
            logger,
            events,
            writer,
            acceptor,
            acceptors,
            current_bind,
        };
        loop {
            match control_rx.recv().await {
                Some(Control::Reload) => running.reload().await?,
                Some(Control::Shutdown(signal)) => {
                    (running.events)(ServerEvent::ShutdownRequested { signal });
                    break;
                }
                None => break,
            }
        }
        running
            .stop(Stop {
                shutdown_tx,
                alive_rx,
                writer_task,
                pid_file,
            })
            .await;
        Ok(())
    }

    /// Like [`Server::run`], with SIGHUP → reload and SIGTERM/SIGINT/SIGQUIT → shutdown.
    pub async fn run_with_signals(self) -> Result<(), ServerError> {
        let watcher = spawn_signal_watcher(self.handle())?;
        let result = self.run().await;
        watcher.abort();
        result
    }
}

impl Running {
    /// Re-reads the configuration; with errors, the previous one stays in force.
    async fn reload(&mut self) -> Result<(), ServerError> {
        (self.events)(ServerEvent::ReloadRequested);
        let new = match Settings::load(&self.options) {
            Ok(new) => new,
            Err(e) => {
                (self.events)(ServerEvent::ReloadFailed {
                    error: e.to_string(),
                });
                return Ok(());
            }
        };
        new.apply_to_logger(&self.logger);
        if new.writer != self.settings.writer {
            let _ = self
                .writer
                .submit(Job::Reconfigure(new.writer.clone()))
                .await;
        }
        let bind = (new.server_address.clone(), new.server_port);
        if self.options.listen.is_none() && bind != self.current_bind {
            self.rebind(bind)?;
        }
        self.settings = Arc::new(new);
        let _ = self.settings_tx.send(Arc::clone(&self.settings));
        (self.events)(ServerEvent::Reloaded);
        Ok(())
    }

    /// Moves the acceptors to a new `server_address`/`server_port`; when it cannot be
    /// bound, the old sockets stay.
    fn rebind(&mut self, bind: (String, u16)) -> Result<(), ServerError> {
        match listen::bind_config(&bind.0, bind.1) {
            Ok(listeners) => {
                for a in self.acceptors.drain(..) {
                    a.abort();
                }
                for listener in &listeners {
                    if let Ok(addr) = listener.local_addr() {
                        (self.events)(ServerEvent::Listening { addr });
                    }
                }
                self.acceptors = spawn_acceptors(listeners, &self.acceptor)?;
                self.current_bind = bind;
            }
            Err(e) => (self.events)(ServerEvent::ReloadFailed {
                error: e.to_string(),
            }),
        }
        Ok(())
    }

    /// Stops accepting, ends every connection, waits for the writer to deliver or spool
    /// everything and removes the pid file.
    async fn stop(self, stop: Stop) {
        let Stop {
            shutdown_tx,
            mut alive_rx,
            writer_task,
            pid_file,
        } = stop;
        for a in self.acceptors {
            a.abort();
        }
        let _ = shutdown_tx.send(true);
        drop(self.acceptor);
        // Wait for every connection task (each holds an `alive` sender).
        let _ = alive_rx.recv().await;
        drop(self.writer);
        let _ = writer_task.await;
        if let Some(pid) = pid_file
            && let Err(msg) = pid.remove()
        {
            self.logger.log(Level::Err, &msg);
        }
        (self.events)(ServerEvent::Shutdown);
    }
}
