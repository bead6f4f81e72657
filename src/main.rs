//! The `gen` binary: a thin wrapper over the library's CLI.

// Rendering allocates many small strings on every thread; glibc's allocator spent a
// quarter of a 10,000-incident build in its locks and free lists.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc 2's `mi_option_purge_delay` (its position in `mi_option_e`, `mimalloc.h`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with gen before mimalloc returns it to the OS, in ms.
///
/// mimalloc's default, 10 ms, hands back pages that rendering frees and asks for them again
/// moments later: a 100,000-incident build faulted in 2.2 GiB of fresh pages for a 1.5 GiB
/// peak, and on a VM that returns freed memory to its host each fresh page costs a host
/// fault (BENCHMARKS.md). With 1 s, a build reuses its own pages; `gen serve` still
/// returns them, only later.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// Exit code for a crash: a bug in gen, never a problem with the user's input.
const CRASH: i32 = 101;

fn main() {
    gen::memory::use_small_pages();
    // The environment variable, mimalloc's own knob, still wins.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: one call before any other thread exists (mi_option_set is not thread
        // safe); the option only tunes when mimalloc purges.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
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

#[cfg(test)]
mod tests {
    /// Guards the option's position: only `purge_delay` defaults to 10 among its neighbours.
    #[test]
    fn purge_delay_option_is_the_one_set() {
        // SAFETY: reads an option.
        let (before, it, after) = unsafe {
            (
                libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY - 1),
                libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY),
                libmimalloc_sys::mi_option_get(super::MI_OPTION_PURGE_DELAY + 1),
            )
        };
        // eager_commit_delay = 1, purge_delay = 10, use_numa_nodes = 0 (mimalloc.h), unless
        // the environment sets the delay (tests don't run `main`).
        let delay = std::env::var("MIMALLOC_PURGE_DELAY")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(10);
        assert_eq!((before, it, after), (1, delay, 0));
    }
}
