//! `send_nsca`: the reelcheck NSCA client under the name scripts call (send_nsca 2.10 command line).

fn main() {
    let code = reelcheck_nsca::cli::send_nsca_main(
        std::env::args_os().collect(),
        &mut std::io::stdin().lock(),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::exit(code);
}
