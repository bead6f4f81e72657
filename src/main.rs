//! The `gen` binary: a thin wrapper over the library's CLI.

// Rendering allocates many small strings on every thread; glibc's allocator spent a
// quarter of a 10,000-incident build in its locks and free lists.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code for a crash: a bug in gen, never a problem with the user's input.
const CRASH: i32 = 101;

fn main() {
    // A panic is gen's bug: say so briefly instead of printing a backtrace at the user.
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    std::panic::set_hook(Box::new(|info| {
        // Worker threads may all fail the same way: one report is enough.
        if REPORTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
            return;
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!(
            "gen crashed: {what}{at}\n  This is a bug in gen, not in your content. Please report it with the command you ran\n  and, if you can, the file it was reading. Your previous output was not touched."
        );
    }));
    let code = std::panic::catch_unwind(gen::cli::run).unwrap_or(CRASH);
    std::process::exit(code);
}
