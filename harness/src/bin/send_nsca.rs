//! `send_nsca`: the reelcheck NSCA client under the name scripts call (send_nsca 2.10 command line).

fn main() {
    reelcheck_nsca::cli::send_nsca_process()
}
