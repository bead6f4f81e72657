//! Write stage: put the rendered files into a fresh folder beside the output and swap it in
//! only when every file was written, so a failed build leaves the previous output intact.

use std::fs;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::Output;

/// Marker file that says a folder was made by gen (and may be replaced by it).
pub const MARKER: &str = ".gen-output";

/// A staging folder beside the destination. Files go in as they are rendered; `commit`
/// swaps it in. Dropped without commit, it removes itself.
#[derive(Debug)]
pub struct Staging {
    dest: PathBuf,
    dir: PathBuf,
    old: PathBuf,
    committed: bool,
    /// Folders (relative to `dir`) made so far.
    made: std::sync::Mutex<std::collections::HashSet<String>>,
}

impl Staging {
    /// Creates an empty staging folder for `dest`.
    pub fn new(dest: &Path) -> Result<Staging, Error> {
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        let name = dest
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let dir = parent.join(format!(".{name}.gen-new"));
        let old = parent.join(format!(".{name}.gen-old"));
        recover(dest)?;
        for stale in [&dir, &old] {
            if stale.exists() {
                remove_tree(stale)?;
            }
        }
        fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        fs::write(
            dir.join(MARKER),
            b"This folder is written by gen build and replaced on every build.\n",
        )
        .map_err(|e| Error::io(dir.join(MARKER), e))?;
        Ok(Staging {
            dest: dest.to_path_buf(),
            dir,
            old,
            committed: false,
            made: Default::default(),
        })
    }

    /// Writes one file into the staging folder (callable from many threads).
    pub fn write(&self, file: &Output) -> Result<(), Error> {
        let path = self.dir.join(file.path());
        // Make each folder once, before its first file: trying the write first would cost
        // a failing lookup per new folder, which on ext4 waits for the other threads'
        // mkdirs in the same parent (`incidents/` gets one per incident).
        if let Some((folder, _)) = file.path().rsplit_once('/') {
            let new = self
                .made
                .lock()
                .map(|mut made| made.insert(folder.to_string()))
                .unwrap_or(true);
            if new {
                let dir = self.dir.join(folder);
                fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
            }
        }
        let put = || match file {
            Output::Bytes { bytes, .. } => fs::write(&path, bytes),
            Output::Copy { from, .. } => fs::copy(from, &path).map(|_| ()),
        };
        match put() {
            // Another thread may have claimed the folder and not made it yet.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
                }
                put()
            }
            other => other,
        }
        .map_err(|e| match file {
            Output::Copy { from, .. } => Error::io(from, e),
            Output::Bytes { .. } => Error::io(&path, e),
        })
    }

    /// Swaps the staging folder in place of the destination and removes the old output.
    ///
    /// On Linux the swap is one `renameat2(RENAME_EXCHANGE)`: at every instant the
    /// destination holds either the complete old output or the complete new one.
    pub fn commit(mut self) -> Result<(), Error> {
        if self.dest.exists() {
            if exchange(&self.dir, &self.dest).is_ok() {
                self.committed = true;
                // The staging path now holds the previous output.
                return remove_tree(&self.dir);
            }
            fs::rename(&self.dest, &self.old).map_err(|e| Error::io(&self.dest, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &self.dest) {
            // Put the previous output back.
            let _ = fs::rename(&self.old, &self.dest);
            return Err(Error::io(&self.dest, e));
        }
        self.committed = true;
        if self.old.exists() {
            remove_tree(&self.old)?;
        }
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Refuses output folders whose replacement would destroy files gen did not write:
/// the site root, a folder holding a site, `/`, the home folder, or a non-empty folder
/// without gen's marker. `force` allows the last three.
pub fn check_destination(root: &Path, output: &Path, force: bool) -> Result<(), Error> {
    let abs = |p: &Path| fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if !output.exists() {
        return Ok(());
    }
    let out = abs(output);
    let refuse = |why: &str, help: &str| {
        Err(Error::Usage(format!(
            "refusing to replace {}: {why}\n  help: {help}",
            output.display()
        )))
    };
    if out == abs(root) || output.join("config.toml").exists() || output.join("content").is_dir() {
        return refuse(
            "it is a site (it holds config.toml or content/), not build output",
            "pass --output with a separate folder, e.g. --output output",
        );
    }
    if force {
        return Ok(());
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).map(|h| abs(&h));
    if out.parent().is_none() || Some(&out) == home.as_ref() {
        return refuse(
            "it is the root or the home folder",
            "choose a dedicated folder such as --output output",
        );
    }
    let empty = fs::read_dir(output)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty && !output.join(MARKER).exists() {
        return refuse(
            "the folder has files that gen did not write (no .gen-output marker)",
            "choose another --output folder, empty this one, or pass --force to replace it anyway",
        );
    }
    Ok(())
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Puts back a previous output that a build killed between the two renames of the
/// fallback swap left under its temporary name. Run before anything can fail.
pub fn recover(dest: &Path) -> Result<(), Error> {
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = dest
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let old = parent.join(format!(".{name}.gen-old"));
    if !dest.exists() && old.is_dir() {
        fs::rename(&old, dest).map_err(|e| Error::io(&old, e))?;
    }
    Ok(())
}

/// Removes a folder tree, its top-level entries in parallel (large outputs have
/// thousands of page folders).
fn remove_tree(dir: &Path) -> Result<(), Error> {
    let entries: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|p| {
        if p.is_dir() && !p.is_symlink() {
            let children: Vec<PathBuf> = fs::read_dir(p)
                .map_err(|e| Error::io(p, e))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            children.par_iter().try_for_each(|c| {
                if c.is_dir() && !c.is_symlink() {
                    fs::remove_dir_all(c).map_err(|e| Error::io(c, e))
                } else {
                    fs::remove_file(c).map_err(|e| Error::io(c, e))
                }
            })?;
            fs::remove_dir(p).map_err(|e| Error::io(p, e))
        } else {
            fs::remove_file(p).map_err(|e| Error::io(p, e))
        }
    })?;
    fs::remove_dir(dir).map_err(|e| Error::io(dir, e))
}
