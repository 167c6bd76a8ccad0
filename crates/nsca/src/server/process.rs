//! The `reelcheck nsca serve` process: command line in, exit code out.

use std::ffi::OsString;

use tokio::runtime::{Builder, Runtime};

use super::args::{ServeCommand, USAGE, parse_args};
use super::daemon::Server;
use super::error::{EXIT_CRITICAL, EXIT_USAGE, ServerError};
use super::inetd::{AsFdOwned, run_inetd};
use super::options::ServeOptions;

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
        serve_inetd(&options)
    } else {
        serve_daemon(options)
    }
}

/// `--inetd`: one connection on standard input, on a current-thread runtime.
fn serve_inetd(options: &ServeOptions) -> i32 {
    let Some(runtime) = runtime(Builder::new_current_thread()) else {
        return EXIT_CRITICAL;
    };
    let fd = match std::io::stdin().as_fd_owned() {
        Ok(fd) => fd,
        Err(e) => {
            eprintln!("nsca: standard input: {e}");
            return EXIT_CRITICAL;
        }
    };
    exit_code(runtime.block_on(run_inetd(options, fd, None, None)))
}

/// The daemon: bind, drop privileges, then serve on a multi-thread runtime.
fn serve_daemon(options: ServeOptions) -> i32 {
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
    let Some(runtime) = runtime(Builder::new_multi_thread()) else {
        return EXIT_CRITICAL;
    };
    exit_code(runtime.block_on(server.run_with_signals()))
}

/// Builds a runtime with IO and time enabled, or says why it cannot.
fn runtime(mut builder: Builder) -> Option<Runtime> {
    match builder.enable_all().build() {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("nsca: cannot start the runtime: {e}");
            None
        }
    }
}

/// 0 for a clean end; otherwise prints the error and returns its exit code.
fn exit_code(result: Result<(), ServerError>) -> i32 {
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("{e}");
            e.exit_code()
        }
    }
}
