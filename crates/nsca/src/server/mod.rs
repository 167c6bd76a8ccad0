//! The NSCA server: a drop-in replacement for the nsca 2.10 daemon (the tokio shell).
//!
//! `reelcheck nsca serve -c nsca.cfg [--authz FILE] [--inetd]` runs [`serve_main`].
//! It reads `nsca.cfg` with the same parser and the same fatal errors as 2.10, binds
//! `server_address`/`server_port` (dual-stack when no address is given), writes the
//! `pid_file`, drops privileges to `nsca_user`/`nsca_group`, and serves in the
//! foreground like `nsca -f` until SIGTERM, SIGINT or SIGQUIT; SIGHUP reloads the
//! configuration (and the authz file).
//! `--inetd` handles exactly one connection on standard input/output and exits.
//!
//! Structure: each connection is a task running [`crate::session::ServerSession`]
//! (the private `conn` module); accepted results go through a bounded channel to the single
//! [`writer`] task, the only code that touches the command file; everything that
//! happens is a typed [`events::ServerEvent`], logged by [`log`] with 2.10's texts
//! and optionally sent to an observer channel.
//!
//! Deliberate differences from nsca 2.10 (all in the direction of not losing data
//! and not trusting the network):
//! * the IV comes from the operating system's CSPRNG (2.10 has 256 possible IVs);
//! * connections are served concurrently: a slow client never stalls the others
//!   (2.10 `--single` stalls the whole daemon for ~11 s on a partial packet);
//! * an idle connection is closed after the read timeout (10 s), as 2.10 does in
//!   `--daemon`/`--inetd` mode but not in `--single` mode;
//! * results are never dropped because the command file is unavailable: see
//!   [`writer`] for the spool and retry rules;
//! * rejected packets are logged with the client's address;
//! * `max_packet_age` is only enforced with `--enforce-max-packet-age` (2.10 never
//!   enforces it, see the protocol reference §3.5);
//! * a `decryption_method` that cannot be used is a start-up error, not a silent
//!   close of every connection;
//! * a configuration with errors on SIGHUP keeps the previous configuration running
//!   (2.10 exits);
//! * an optional authz file ([`crate::authz`]) restricts which clients may submit
//!   which results.

pub mod events;
pub mod log;
pub mod pidfile;
pub mod privs;
pub mod writer;

mod conn;
mod listen;
mod settings;

use std::ffi::OsString;
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

pub use settings::Settings;

use events::ServerEvent;
use log::{LogTarget, Logger};
use pidfile::{PidFile, PidFileError};
use privs::PrivilegeError;
use writer::{EventFn, SpoolConfig, WriterHandle};

/// nsca's socket timeout: 10 seconds per packet read.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Capacity of the channel between connections and the writer (results).
pub const WRITER_QUEUE: usize = 8192;

/// Exit code for configuration and start-up errors (nsca's STATE_CRITICAL).
pub const EXIT_CRITICAL: i32 = 2;

/// Exit code for usage errors, `-h`, `-V` and `-l` (as nsca).
pub const EXIT_USAGE: i32 = 3;

/// How `reelcheck nsca serve` was asked to run.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// `-c FILE`: the nsca.cfg to read (made absolute, as nsca does).
    pub config: PathBuf,
    /// `--authz FILE`: authorization rules (see [`crate::authz`]).
    pub authz: Option<PathBuf>,
    /// `--inetd`: handle one connection on standard input/output, then exit.
    pub inetd: bool,
    /// `--spool FILE`: where undelivered results wait (default
    /// `/var/tmp/reelcheck-nsca-<port>.spool`).
    pub spool: Option<PathBuf>,
    /// `--enforce-max-packet-age`: drop packets older than `max_packet_age`.
    pub enforce_max_packet_age: bool,
    /// Where log messages go.
    pub log: LogTarget,
    /// Addresses to bind instead of `server_address`/`server_port` (tests: port 0).
    pub listen: Option<Vec<SocketAddr>>,
    /// Per-packet read timeout and idle timeout.
    pub read_timeout: Duration,
    /// Time zone offset used for the `# Time:` line of checkresult files.
    pub utc_offset_secs: i64,
}

impl ServeOptions {
    /// Options for `-c config` with every other setting at its default.
    pub fn new(config: impl Into<PathBuf>) -> Self {
        Self {
            config: config.into(),
            authz: None,
            inetd: false,
            spool: None,
            enforce_max_packet_age: false,
            log: LogTarget::Auto,
            listen: None,
            read_timeout: DEFAULT_READ_TIMEOUT,
            utc_offset_secs: 0,
        }
    }
}

/// What the command line asks for.
#[derive(Clone, Debug)]
pub enum ServeCommand {
    /// Serve with these options.
    Serve(ServeOptions),
    /// Print this text on standard output and exit with [`EXIT_USAGE`] (help, version, license).
    Print(String),
}

/// The usage text of `reelcheck nsca serve`.
pub const USAGE: &str = "\
Usage: reelcheck nsca serve -c <config_file> [--authz <file>] [--spool <file>]
                            [--enforce-max-packet-age] [-f] [--single | --daemon | --inetd]

Options:
 -c <config_file>          nsca.cfg (same format and keys as nsca 2.10)
 --authz <file>            authorization rules (client ranges, passwords, host/service globs)
 --spool <file>            where results wait while the command file cannot be written
 --enforce-max-packet-age  drop packets older than max_packet_age (nsca 2.10 never does)
 -f, --foreground          accepted for compatibility; the server always runs in the foreground
 -s, --single, -d, --daemon accepted for compatibility; connections are always served concurrently
 -i, --inetd               handle one connection on standard input/output, then exit
 -h, -V, -l                help, version, license
";

/// Parses nsca's command line (`-c`, `-f`, `-s`, `-d`, `-i`, `-h`, `-V`, `-l`) plus
/// `--authz`, `--spool` and `--enforce-max-packet-age`.
///
/// `args` excludes the program name. Errors are usage errors (exit [`EXIT_USAGE`]).
pub fn parse_args(args: &[OsString]) -> Result<ServeCommand, ServerError> {
    let mut config: Option<PathBuf> = None;
    let mut options = ServeOptions::new(PathBuf::new());
    let mut iter = args.iter();
    let usage = |msg: String| ServerError::Usage(msg);
    if args.is_empty() {
        return Ok(ServeCommand::Print(USAGE.to_owned()));
    }
    while let Some(arg) = iter.next() {
        let text = arg.to_string_lossy();
        let mut value = |name: &str| {
            iter.next()
                .cloned()
                .ok_or_else(|| usage(format!("option {name} needs a value")))
        };
        match text.as_ref() {
            "-h" | "--help" => return Ok(ServeCommand::Print(USAGE.to_owned())),
            "-V" | "--version" => {
                return Ok(ServeCommand::Print(format!(
                    "reelcheck nsca serve {} (compatible with NSCA 2.10.2)\n",
                    env!("CARGO_PKG_VERSION")
                )));
            }
            "-l" | "--license" => {
                return Ok(ServeCommand::Print(
                    "This program is released under the GNU General Public License, version 2 or later.\n"
                        .to_owned(),
                ));
            }
            "-f" | "--foreground" | "-s" | "--single" | "-d" | "--daemon" => {}
            "-i" | "--inetd" => options.inetd = true,
            "-c" => config = Some(PathBuf::from(value("-c")?)),
            "--authz" => options.authz = Some(PathBuf::from(value("--authz")?)),
            "--spool" => options.spool = Some(PathBuf::from(value("--spool")?)),
            "--enforce-max-packet-age" => options.enforce_max_packet_age = true,
            other => return Err(usage(format!("unexpected argument '{other}'"))),
        }
    }
    let config = config.ok_or_else(|| usage("no config file given (-c)".to_owned()))?;
    // nsca makes the config path absolute relative to the current directory.
    options.config = if config.is_absolute() {
        config
    } else {
        std::env::current_dir()
            .map(|d| d.join(&config))
            .unwrap_or(config)
    };
    Ok(ServeCommand::Serve(options))
}

/// Everything that can stop the server from starting (or reloading).
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    /// The command line is wrong.
    #[error("{0}")]
    Usage(String),
    /// nsca.cfg has an error (2.10's message).
    #[error(transparent)]
    Config(#[from] crate::error::ConfigError),
    /// The configured decryption method cannot be used.
    #[error("{path}: {error}", path = path.display())]
    Method {
        /// The config file.
        path: PathBuf,
        /// Why the method cannot be used.
        error: crate::error::MethodError,
    },
    /// The authz file has an error.
    #[error(transparent)]
    Authz(#[from] crate::authz::AuthzError),
    /// A listening socket could not be set up (2.10's message).
    #[error("Network server bind failure ({}: {source}) on {addr}", source.raw_os_error().unwrap_or(0))]
    Bind {
        /// The address.
        addr: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// The pid file names a running server.
    #[error(transparent)]
    PidFile(#[from] PidFileError),
    /// Privileges could not be dropped.
    #[error(transparent)]
    Privileges(#[from] PrivilegeError),
    /// Another IO failure (runtime, standard input).
    #[error("{what}: {source}")]
    Io {
        /// What was being done.
        what: String,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ServerError {
    /// The process exit code for this error (usage 3, everything else 2).
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            _ => EXIT_CRITICAL,
        }
    }
}

/// A request to a running server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Control {
    Reload,
    Shutdown(&'static str),
}

/// Controls a running [`Server`] from another task (or a signal handler).
#[derive(Clone, Debug)]
pub struct ServerHandle {
    tx: mpsc::UnboundedSender<Control>,
}

impl ServerHandle {
    /// Re-reads nsca.cfg and the authz file (like SIGHUP).
    pub fn reload(&self) {
        let _ = self.tx.send(Control::Reload);
    }

    /// Stops accepting, ends connections and writes every accepted result (like SIGTERM).
    pub fn shutdown(&self) {
        let _ = self.tx.send(Control::Shutdown("request"));
    }

    fn shutdown_by(&self, signal: &'static str) {
        let _ = self.tx.send(Control::Shutdown(signal));
    }
}

/// A configured and bound server, ready to [`Server::run`].
pub struct Server {
    options: ServeOptions,
    settings: Arc<Settings>,
    listeners: Vec<std::net::TcpListener>,
    logger: Arc<Logger>,
    events: EventFn,
    control_tx: mpsc::UnboundedSender<Control>,
    control_rx: mpsc::UnboundedReceiver<Control>,
    pid_file: Option<PidFile>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addrs", &self.local_addrs())
            .finish_non_exhaustive()
    }
}

fn event_fn(logger: Arc<Logger>, observer: Option<mpsc::UnboundedSender<ServerEvent>>) -> EventFn {
    Arc::new(move |event: ServerEvent| {
        logger.event(&event);
        if let Some(tx) = &observer {
            let _ = tx.send(event);
        }
    })
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
        let logger = Arc::new(Logger::new(&options.log));
        let settings = match Settings::load(&options) {
            Ok(s) => s,
            Err(e) => {
                logger.log(log::Level::Err, &e.to_string());
                return Err(e);
            }
        };
        settings.apply_to_logger(&logger);
        let events = event_fn(Arc::clone(&logger), observer);
        let listeners = match &options.listen {
            Some(addrs) => listen::bind_addrs(addrs),
            None => listen::bind_config(&settings.server_address, settings.server_port),
        };
        let listeners = match listeners {
            Ok(l) => l,
            Err(e) => {
                logger.log(log::Level::Err, &e.to_string());
                return Err(e);
            }
        };
        logger.log(log::Level::Notice, "Starting up daemon");
        for l in &listeners {
            if let Ok(addr) = l.local_addr() {
                events(ServerEvent::Listening { addr });
            }
        }
        let pid_file = match &settings.pid_file {
            Some(path) => {
                let id = privs::resolve(
                    settings.nsca_user.as_deref(),
                    settings.nsca_group.as_deref(),
                );
                let owner = Some((id.uid, id.gid));
                match PidFile::create(path, owner) {
                    Ok((pid, warning)) => {
                        if let Some(w) = warning {
                            logger.log(log::Level::Err, &w);
                        }
                        Some(pid)
                    }
                    Err(e) => {
                        logger.log(log::Level::Err, &e.to_string());
                        return Err(e.into());
                    }
                }
            }
            None => None,
        };
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
        ServerHandle {
            tx: self.control_tx.clone(),
        }
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
            self.logger.log(log::Level::Err, w);
        }
        if let Some(dir) = &self.settings.nsca_chroot
            && let Err(e) = privs::chroot(dir)
        {
            self.logger.log(log::Level::Err, &e.to_string());
            return Err(e.into());
        }
        match privs::drop_privileges(&id) {
            Ok(warnings) => {
                for w in warnings {
                    self.logger.log(log::Level::Err, &w);
                }
                Ok(())
            }
            Err(e) => {
                self.logger.log(log::Level::Err, &e.to_string());
                Err(e.into())
            }
        }
    }

    /// Serves until [`ServerHandle::shutdown`] (or a signal with [`Server::run_with_signals`]),
    /// then writes every accepted result, removes the pid file and returns.
    pub async fn run(self) -> Result<(), ServerError> {
        let Server {
            options,
            mut settings,
            listeners,
            logger,
            events,
            control_tx: _,
            mut control_rx,
            pid_file,
        } = self;
        let spool = SpoolConfig::new(options.spool.clone().unwrap_or_else(|| {
            PathBuf::from(format!(
                "/var/tmp/reelcheck-nsca-{}.spool",
                settings.server_port
            ))
        }));
        let (writer, writer_task) = writer::spawn(
            settings.writer.clone(),
            spool,
            WRITER_QUEUE,
            Arc::clone(&events),
        );
        let (shutdown_tx, shutdown_rx) = watch::channel(false);
        let (settings_tx, settings_rx) = watch::channel(Arc::clone(&settings));
        // Every connection task holds a clone; `recv` returns `None` once all are gone.
        let (alive_tx, mut alive_rx) = mpsc::channel::<()>(1);
        let acceptor = Acceptor {
            settings: settings_rx,
            writer: writer.clone(),
            events: Arc::clone(&events),
            read_timeout: options.read_timeout,
            shutdown: shutdown_rx,
            alive: alive_tx,
        };
        let mut acceptors = spawn_acceptors(listeners, &acceptor)?;
        let mut current_bind = (settings.server_address.clone(), settings.server_port);
        loop {
            tokio::select! {
                control = control_rx.recv() => match control {
                    Some(Control::Reload) => {
                        events(ServerEvent::ReloadRequested);
                        match Settings::load(&options) {
                            Ok(new) => {
                                new.apply_to_logger(&logger);
                                if new.writer != settings.writer {
                                    let _ = writer.submit(writer::Job::Reconfigure(new.writer.clone())).await;
                                }
                                let bind = (new.server_address.clone(), new.server_port);
                                if options.listen.is_none() && bind != current_bind {
                                    match listen::bind_config(&bind.0, bind.1) {
                                        Ok(l) => {
                                            for a in acceptors.drain(..) {
                                                a.abort();
                                            }
                                            for listener in &l {
                                                if let Ok(addr) = listener.local_addr() {
                                                    events(ServerEvent::Listening { addr });
                                                }
                                            }
                                            acceptors = spawn_acceptors(l, &acceptor)?;
                                            current_bind = bind;
                                        }
                                        Err(e) => events(ServerEvent::ReloadFailed { error: e.to_string() }),
                                    }
                                }
                                settings = Arc::new(new);
                                let _ = settings_tx.send(Arc::clone(&settings));
                                events(ServerEvent::Reloaded);
                            }
                            Err(e) => events(ServerEvent::ReloadFailed { error: e.to_string() }),
                        }
                    }
                    Some(Control::Shutdown(signal)) => {
                        events(ServerEvent::ShutdownRequested { signal });
                        break;
                    }
                    None => break,
                },
            }
        }
        for a in acceptors {
            a.abort();
        }
        let _ = shutdown_tx.send(true);
        drop(acceptor);
        // Wait for every connection task (each holds an `alive` sender).
        let _ = alive_rx.recv().await;
        drop(writer);
        let _ = writer_task.await;
        if let Some(pid) = pid_file
            && let Err(msg) = pid.remove()
        {
            logger.log(log::Level::Err, &msg);
        }
        events(ServerEvent::Shutdown);
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

/// Installs the signal handlers now (SIGHUP → [`ServerHandle::reload`], SIGTERM, SIGINT,
/// SIGQUIT → shutdown) and forwards signals to `handle` from a task.
///
/// The handlers are installed before this returns, so a signal raised afterwards is
/// never lost. Must be called within a tokio runtime.
pub fn spawn_signal_watcher(
    handle: ServerHandle,
) -> Result<tokio::task::JoinHandle<()>, ServerError> {
    use tokio::signal::unix::{SignalKind, signal};
    let io = |source| ServerError::Io {
        what: "installing signal handlers".to_owned(),
        source,
    };
    let mut hup = signal(SignalKind::hangup()).map_err(io)?;
    let mut term = signal(SignalKind::terminate()).map_err(io)?;
    let mut int = signal(SignalKind::interrupt()).map_err(io)?;
    let mut quit = signal(SignalKind::quit()).map_err(io)?;
    Ok(tokio::spawn(async move {
        loop {
            tokio::select! {
                Some(()) = hup.recv() => handle.reload(),
                Some(()) = term.recv() => { handle.shutdown_by("TERM"); break; }
                Some(()) = int.recv() => { handle.shutdown_by("INT"); break; }
                Some(()) = quit.recv() => { handle.shutdown_by("QUIT"); break; }
                else => break,
            }
        }
    }))
}

/// What an accept loop needs to start connection tasks itself.
#[derive(Clone)]
struct Acceptor {
    settings: watch::Receiver<Arc<Settings>>,
    writer: WriterHandle,
    events: EventFn,
    read_timeout: Duration,
    shutdown: watch::Receiver<bool>,
    alive: mpsc::Sender<()>,
}

/// One accept loop per listener; each accepted connection gets its own task right
/// away, with the configuration in force at that moment.
fn spawn_acceptors(
    listeners: Vec<std::net::TcpListener>,
    acceptor: &Acceptor,
) -> Result<Vec<tokio::task::JoinHandle<()>>, ServerError> {
    let mut tasks = Vec::new();
    for std_listener in listeners {
        let addr = std_listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let listener = std_listener
            .set_nonblocking(true)
            .and_then(|()| tokio::net::TcpListener::from_std(std_listener))
            .map_err(|source| ServerError::Bind {
                addr: addr.clone(),
                source,
            })?;
        let acceptor = acceptor.clone();
        tasks.push(tokio::spawn(async move {
            // Ends when the server aborts it.
            loop {
                match listener.accept().await {
                    Ok((stream, peer)) => {
                        let ctx = conn::ConnContext {
                            settings: Arc::clone(&acceptor.settings.borrow()),
                            writer: acceptor.writer.clone(),
                            events: Arc::clone(&acceptor.events),
                            read_timeout: acceptor.read_timeout,
                            shutdown: acceptor.shutdown.clone(),
                        };
                        let alive = acceptor.alive.clone();
                        let _ = stream.set_nodelay(true);
                        tokio::spawn(async move {
                            let (r, w) = stream.into_split();
                            conn::handle(r, w, Some(peer), ctx).await;
                            drop(alive);
                        });
                    }
                    Err(_) => {
                        // EMFILE and friends: back off briefly instead of spinning.
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            }
        }));
    }
    Ok(tasks)
}

/// Handles one connection on `fd` (a socket or pipe given by inetd) and returns once
/// every accepted result is written.
///
/// For a socket, the peer address comes from `getpeername`; for a pipe the init
/// packet goes to `out` (standard output under inetd) and the peer is unknown.
pub async fn run_inetd(
    options: &ServeOptions,
    fd: OwnedFd,
    out: Option<OwnedFd>,
    observer: Option<mpsc::UnboundedSender<ServerEvent>>,
) -> Result<(), ServerError> {
    let logger = Arc::new(Logger::new(&options.log));
    let settings = match Settings::load(options) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            logger.log(log::Level::Err, &e.to_string());
            return Err(e);
        }
    };
    settings.apply_to_logger(&logger);
    let events = event_fn(Arc::clone(&logger), observer);
    let spool = SpoolConfig::new(options.spool.clone().unwrap_or_else(|| {
        PathBuf::from(format!(
            "/var/tmp/reelcheck-nsca-{}.spool",
            settings.server_port
        ))
    }));
    let (writer, writer_task) = writer::spawn(
        settings.writer.clone(),
        spool,
        WRITER_QUEUE,
        Arc::clone(&events),
    );
    let (_shutdown_tx, shutdown_rx) = watch::channel(false);
    let ctx = conn::ConnContext {
        settings: Arc::clone(&settings),
        writer: writer.clone(),
        events: Arc::clone(&events),
        read_timeout: options.read_timeout,
        shutdown: shutdown_rx,
    };
    let io = |what: &str| {
        let what = what.to_owned();
        move |source| ServerError::Io { what, source }
    };
    match listen::classify_fd(&fd) {
        listen::FdKind::Inet(peer) => {
            let std = std::net::TcpStream::from(fd);
            std.set_nonblocking(true).map_err(io("inetd socket"))?;
            let stream = tokio::net::TcpStream::from_std(std).map_err(io("inetd socket"))?;
            let (r, w) = stream.into_split();
            conn::handle(r, w, peer, ctx).await;
        }
        listen::FdKind::Unix => {
            let std = std::os::unix::net::UnixStream::from(fd);
            std.set_nonblocking(true).map_err(io("inetd socket"))?;
            let stream = tokio::net::UnixStream::from_std(std).map_err(io("inetd socket"))?;
            let (r, w) = stream.into_split();
            conn::handle(r, w, None, ctx).await;
        }
        listen::FdKind::Other => {
            let reader = tokio::fs::File::from_std(std::fs::File::from(fd));
            let out = match out {
                Some(o) => o,
                None => std::io::stdout()
                    .lock()
                    .as_fd_owned()
                    .map_err(io("standard output"))?,
            };
            let writer_half = tokio::fs::File::from_std(std::fs::File::from(out));
            conn::handle(reader, writer_half, None, ctx).await;
        }
    }
    drop(writer);
    let _ = writer_task.await;
    Ok(())
}

trait AsFdOwned {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> AsFdOwned for T {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}

/// `reelcheck nsca serve ARGS...`: parses nsca's command line and runs; returns the exit code.
pub fn serve_main(args: &[OsString]) -> i32 {
    match parse_args(args) {
        Ok(ServeCommand::Print(text)) => {
            print!("{text}");
            EXIT_USAGE
        }
        Ok(ServeCommand::Serve(options)) => serve(options),
        Err(e) => {
            eprintln!("{e}");
            eprint!("{USAGE}");
            e.exit_code()
        }
    }
}

/// Runs the server with `options` until a signal stops it; returns the exit code
/// (0 after a clean shutdown, 2 when it cannot start).
pub fn serve(options: ServeOptions) -> i32 {
    if options.inetd {
        let runtime = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("nsca: cannot start the runtime: {e}");
                return EXIT_CRITICAL;
            }
        };
        let fd = match std::io::stdin().as_fd_owned() {
            Ok(fd) => fd,
            Err(e) => {
                eprintln!("nsca: standard input: {e}");
                return EXIT_CRITICAL;
            }
        };
        return match runtime.block_on(run_inetd(&options, fd, None, None)) {
            Ok(()) => 0,
            Err(e) => {
                eprintln!("{e}");
                e.exit_code()
            }
        };
    }
    let server = match Server::new(options, None) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return e.exit_code();
        }
    };
    // Privileges go before any worker thread exists.
    if let Err(e) = server.drop_privileges() {
        eprintln!("{e}");
        return e.exit_code();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("nsca: cannot start the runtime: {e}");
            return EXIT_CRITICAL;
        }
    };
    match runtime.block_on(server.run_with_signals()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
