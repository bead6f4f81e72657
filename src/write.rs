//! Write stage: put the rendered files into a fresh folder beside the output and swap it in
//! only when every file was written, so a failed build leaves the previous output intact.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::render::Output;

/// Marker file that says a folder was made by gen (and may be replaced by it).
pub const MARKER: &str = ".gen-output";

/// Writes `files` to `dest`, replacing its previous contents atomically (as far as the
/// file system allows: two renames).
pub fn write_site(dest: &Path, files: &[Output]) -> Result<(), Error> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
    let name = dest
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let staging = parent.join(format!(".{name}.gen-new"));
    let old = parent.join(format!(".{name}.gen-old"));
    for stale in [&staging, &old] {
        if stale.exists() {
            fs::remove_dir_all(stale).map_err(|e| Error::io(stale, e))?;
        }
    }
    let result = fill(&staging, files);
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&staging);
        return Err(e);
    }
    if dest.exists() {
        fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
    }
    if let Err(e) = fs::rename(&staging, dest) {
        // Put the previous output back.
        let _ = fs::rename(&old, dest);
        return Err(Error::io(dest, e));
    }
    if old.exists() {
        fs::remove_dir_all(&old).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

fn fill(staging: &Path, files: &[Output]) -> Result<(), Error> {
    fs::create_dir_all(staging).map_err(|e| Error::io(staging, e))?;
    fs::write(
        staging.join(MARKER),
        b"This folder is written by gen build and replaced on every build.\n",
    )
    .map_err(|e| Error::io(staging.join(MARKER), e))?;
    let mut made: std::collections::HashSet<PathBuf> = std::collections::HashSet::new();
    for f in files {
        let path = staging.join(f.path());
        if let Some(dir) = path.parent() {
            if made.insert(dir.to_path_buf()) {
                fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
        }
        match f {
            Output::Bytes { bytes, .. } => {
                fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?
            }
            Output::Copy { from, .. } => {
                fs::copy(from, &path).map_err(|e| Error::io(from, e))?;
            }
        }
    }
    Ok(())
}
