//! How gen's heap takes memory from the OS: in small pages, with the setting given back
//! to the programs gen starts.

use std::sync::atomic::{AtomicBool, Ordering};

/// Whether [`use_small_pages`] turned transparent huge pages off.
static TURNED_OFF: AtomicBool = AtomicBool::new(false);

/// Turns transparent huge pages off for this process, unless `MIMALLOC_ALLOW_THP` (the
/// allocator's own knob) is set.
///
/// mimalloc advises huge pages for its 2 MiB segments, and a hypervisor that takes free
/// guest memory back in 2 MiB blocks hands exactly those blocks out cold, so small pages
/// build faster (BENCHMARKS.md, "Small pages").
pub fn use_small_pages() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("MIMALLOC_ALLOW_THP").is_none()
        && rustix::thread::transparent_huge_pages_are_disabled() == Ok(false)
        && rustix::thread::disable_transparent_huge_pages(true).is_ok()
    {
        TURNED_OFF.store(true, Ordering::SeqCst);
    }
}

/// Makes `cmd` start its program (a browser) with the setting gen was started with: the
/// flag is inherited, and small pages are gen's choice, not the program's.
pub(crate) fn as_started(cmd: &mut std::process::Command) -> &mut std::process::Command {
    #[cfg(target_os = "linux")]
    if TURNED_OFF.load(Ordering::SeqCst) {
        use std::os::unix::process::CommandExt;
        // SAFETY: runs in the child between fork and exec, where only async-signal-safe
        // work is allowed: one prctl system call, no allocation, no lock.
        unsafe {
            cmd.pre_exec(|| {
                rustix::thread::disable_transparent_huge_pages(false).map_err(Into::into)
            });
        }
    }
    cmd
}

/// Turns transparent huge pages back on for gen itself, before it starts a program it does
/// not spawn itself (the desktop's opener), so that the program inherits them.
pub(crate) fn give_back() {
    #[cfg(target_os = "linux")]
    if TURNED_OFF.swap(false, Ordering::SeqCst) {
        let _ = rustix::thread::disable_transparent_huge_pages(false);
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// Off, then given back; never touched when it was off already.
    #[test]
    fn small_pages_are_given_back() {
        use rustix::thread::{disable_transparent_huge_pages, transparent_huge_pages_are_disabled};
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some() {
            return;
        }
        let before = transparent_huge_pages_are_disabled().unwrap();
        use_small_pages();
        assert!(transparent_huge_pages_are_disabled().unwrap());
        assert_eq!(TURNED_OFF.load(Ordering::SeqCst), !before);
        give_back();
        assert_eq!(transparent_huge_pages_are_disabled().unwrap(), before);
        // Off already (by whoever started gen): stays off for the children too.
        disable_transparent_huge_pages(true).unwrap();
        use_small_pages();
        give_back();
        assert!(transparent_huge_pages_are_disabled().unwrap());
        disable_transparent_huge_pages(before).unwrap();
    }
}
