//! Watching the site's sources with notify's debouncer, which merges the bursts of
//! events editors produce on save (temporary file, rename, attribute change) and tracks
//! renames by file id.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;
use std::time::Duration;

use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use crate::error::Error;

/// Quiet time after the last event before a change is reported. An editor's save is a
/// burst well under this; a longer wait would be felt on every save.
pub(crate) const DEBOUNCE: Duration = Duration::from_millis(40);

/// The folders under the root that hold sources.
const FOLDERS: [&str; 3] = ["content", "themes", "static"];

/// Watches `config.toml`, `content/`, `themes/` and `static/` of a site.
pub(crate) struct Watcher {
    root: PathBuf,
    inner: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
}

impl Watcher {
    /// Starts watching; each debounced batch of changed source paths is sent to `tx`.
    pub(crate) fn new(root: &Path, tx: Sender<Vec<PathBuf>>) -> Result<Watcher, Error> {
        let root = std::path::absolute(root).map_err(|e| Error::io(root, e))?;
        let filter_root = root.clone();
        let handler = move |result: DebounceEventResult| {
            let events = match result {
                Ok(events) => events,
                Err(errors) => {
                    // E.g. the system's limit on watched folders: say so, keep serving.
                    for e in errors {
                        eprintln!("warning: watching the site failed: {e}; changes may be missed (restart gen serve)");
                    }
                    return;
                }
            };
            let mut paths: Vec<PathBuf> = events
                .iter()
                // Reading a file (as the rebuild does) is not a change.
                .filter(|e| !matches!(e.kind, EventKind::Access(_)))
                .flat_map(|e| e.paths.iter())
                .filter(|p| is_source(&filter_root, p))
                .cloned()
                .collect();
            paths.sort();
            paths.dedup();
            if !paths.is_empty() {
                let _ = tx.send(paths);
            }
        };
        let inner = new_debouncer(DEBOUNCE, Some(Duration::from_millis(10)), handler)
            .map_err(|e| Error::usage(format!("cannot watch {}: {e}", root.display())))?;
        let mut w = Watcher { root, inner };
        // The root itself, not recursively: config.toml (replaced by atomic saves, so
        // watched through its folder) and source folders created later.
        let root = w.root.clone();
        w.inner
            .watch(&root, RecursiveMode::NonRecursive)
            .map_err(|e| Error::usage(format!("cannot watch {}: {e}", root.display())))?;
        for f in FOLDERS {
            let dir = root.join(f);
            if dir.is_dir() {
                w.inner
                    .watch(&dir, RecursiveMode::Recursive)
                    .map_err(|e| Error::usage(format!("cannot watch {}: {e}", dir.display())))?;
            }
        }
        Ok(w)
    }

    /// Starts watching source folders that appeared among `paths` (e.g. a new `themes/`).
    pub(crate) fn follow_new_folders(&mut self, paths: &[PathBuf]) {
        for f in FOLDERS {
            let dir = self.root.join(f);
            if paths.contains(&dir) && dir.is_dir() {
                let _ = self.inner.watch(&dir, RecursiveMode::Recursive);
            }
        }
    }
}

/// Whether a changed path is one of the site's sources, and not an editor's scratch file.
fn is_source(root: &Path, p: &Path) -> bool {
    let Ok(rel) = p.strip_prefix(root) else {
        return false;
    };
    let mut parts = rel.components();
    let first = parts.next().map(|c| c.as_os_str().to_string_lossy());
    let in_sources = match first.as_deref() {
        Some("config.toml") => true,
        Some(f) => FOLDERS.contains(&f),
        None => false,
    };
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let scratch = name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.starts_with(".#")
        || name == "4913";
    in_sources && !scratch
}
