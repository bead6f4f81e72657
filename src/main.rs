//! The `gen` binary: a thin wrapper over the library's CLI.

// Rendering allocates many small strings on every thread; glibc's allocator spent a
// quarter of a 10,000-incident build in its locks and free lists.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(gen::cli::run());
}
