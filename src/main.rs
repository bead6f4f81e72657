//! The `gen` binary: a thin wrapper over the library's CLI.

// Rendering allocates many small strings on every thread, where glibc's allocator
// contends on its locks (BENCHMARKS.md, "Allocator").
#[global_allocator]
static ALLOC: Allocator = Allocator;

/// mimalloc, and one line instead of an abort's report when memory runs out.
struct Allocator;

// SAFETY: every call is mimalloc's; `out_of_memory` only runs when it returned null.
unsafe impl std::alloc::GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: std::alloc::Layout) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) };
        if p.is_null() {
            out_of_memory(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: std::alloc::Layout) {
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: std::alloc::Layout, new: usize) -> *mut u8 {
        let p = unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new) };
        if p.is_null() {
            out_of_memory(new);
        }
        p
    }
}

/// Memory set aside at start and given back when memory runs out, so that gen can still
/// say so and remove its staging folder.
static RESERVE: std::sync::atomic::AtomicPtr<u8> =
    std::sync::atomic::AtomicPtr::new(std::ptr::null_mut());
const RESERVE_BYTES: usize = 16 << 20;

/// Exit code when memory runs out (documented with the others: an I/O-like failure).
const OUT_OF_MEMORY: i32 = 2;

/// Ends the process when an allocation of `size` bytes failed: one line, the staging folder
/// removed, the previous output untouched.
#[cold]
fn out_of_memory(size: usize) {
    static ONCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if ONCE.swap(true, std::sync::atomic::Ordering::SeqCst) {
        // Another thread is already reporting (or the report itself ran out): stop now.
        // SAFETY: _exit ends the process without running anything else.
        unsafe { libc_exit(OUT_OF_MEMORY) };
    }
    let reserve = RESERVE.swap(std::ptr::null_mut(), std::sync::atomic::Ordering::SeqCst);
    if !reserve.is_null() {
        // SAFETY: allocated in `main` with this layout and never used.
        unsafe {
            std::alloc::GlobalAlloc::dealloc(
                &mimalloc::MiMalloc,
                reserve,
                std::alloc::Layout::from_size_align_unchecked(RESERVE_BYTES, 1),
            )
        };
    }
    gen::write::out_of_memory_cleanup();
    let what = if gen::write::output_swapped() {
        "the new output is in place"
    } else {
        "the previous output was not touched"
    };
    gen::term::say(&format!(
        "error: gen ran out of memory (an allocation of {size} bytes failed); {what}\n  help: close other programs or build on a machine with more memory; docs/guarantees.md lists the memory large inputs need"
    ));
    // SAFETY: as above; exit without unwinding out of the allocator.
    unsafe { libc_exit(OUT_OF_MEMORY) };
}

unsafe extern "C" {
    #[link_name = "_exit"]
    fn libc_exit(code: i32) -> !;
}

/// mimalloc 2's `mi_option_purge_delay` (its position in `mi_option_e`, `mimalloc.h`).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory stays with gen before mimalloc returns it to the OS, in ms.
///
/// mimalloc's default, 10 ms, hands back pages that rendering frees and asks for again
/// moments later, and fresh pages are slow to get; with 1 s a build reuses its own pages
/// (BENCHMARKS.md, "Purge delay"). `gen serve` still returns them, only later.
const PURGE_DELAY_MS: std::ffi::c_long = 1000;

/// Exit code for a crash: a bug in gen, never a problem with the user's input.
const CRASH: i32 = 101;

fn main() {
    gen::memory::use_small_pages();
    // SAFETY: a plain allocation, released only by `out_of_memory`.
    let reserve = unsafe {
        std::alloc::GlobalAlloc::alloc(
            &mimalloc::MiMalloc,
            std::alloc::Layout::from_size_align_unchecked(RESERVE_BYTES, 1),
        )
    };
    RESERVE.store(reserve, std::sync::atomic::Ordering::SeqCst);
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
        let output = if gen::write::output_swapped() {
            "The new output was already in place."
        } else {
            "Your previous output was not touched."
        };
        gen::term::say(&format!(
            "gen crashed: {what}{at}\n  This is a bug in gen, not in your content. Please report it with the command you ran\n  and, if you can, the file it was reading. {output}"
        ));
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
