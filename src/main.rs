//! The `gen` binary: a thin wrapper over the library's CLI.

fn main() {
    std::process::exit(gen::cli::run());
}
