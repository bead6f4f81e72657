//! Write stage: put the rendered files into a fresh folder beside the output and swap it in
//! only when every file was written, so a failed build leaves the previous output intact.
//!
//! The destination is resolved once against the file system ([`Destination::resolve`]),
//! checked, locked against other builds, and checked again right before the swap. Nothing
//! here follows a symbolic link when it removes files.

mod generation;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use generation::{FileEntry, Manifest, Names, PageEntry, Stamp};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::Output;

/// Marker file that says a folder was made by gen (and may be replaced by it).
pub const MARKER: &str = ".gen-output";

/// The staging folder of the build in progress, removed by [`out_of_memory_cleanup`] when
/// the process cannot go on.
static STAGING: Mutex<Option<PathBuf>> = Mutex::new(None);

/// Whether a build of this process has swapped its new output in (for the crash message).
static SWAPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether this process has already swapped a new output in; a crash after that point must
/// not claim the previous output is untouched.
pub fn output_swapped() -> bool {
    SWAPPED.load(std::sync::atomic::Ordering::SeqCst)
}

/// Removes the staging folder of a build that cannot go on (out of memory). Best effort:
/// the next build removes whatever is left.
pub fn out_of_memory_cleanup() {
    let dir = match STAGING.try_lock() {
        Ok(mut slot) => slot.take(),
        Err(_) => None,
    };
    if let Some(dir) = dir {
        let _ = remove_path(&dir);
    }
}

/// An output folder resolved against the file system: absolute, without `.` or `..`, with
/// every symbolic link among its existing components followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The path as the user gave it, for messages.
    given: PathBuf,
    /// The resolved path.
    path: PathBuf,
}

impl Destination {
    /// Resolves `given`: components that exist are resolved by the file system (so a link
    /// is followed and `..` means the parent of what the link points at); the rest, which do
    /// not exist yet, are resolved lexically.
    pub fn resolve(given: &Path) -> Result<Destination, Error> {
        let path = resolve_path(given).map_err(|e| Error::io(given, e))?;
        Ok(Destination {
            given: given.to_path_buf(),
            path,
        })
    }

    /// The resolved path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The folder that holds the destination (and its staging folder).
    fn parent(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }

    /// The destination's own name (`output`).
    fn name(&self) -> String {
        self.path
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned())
    }

    fn refuse(&self, why: &str, help: &str) -> Error {
        let shown = if self.given == self.path {
            self.given.display().to_string()
        } else {
            format!(
                "{} (resolved: {})",
                self.given.display(),
                self.path.display()
            )
        };
        Error::usage_help(format!("refusing to replace {shown}: {why}"), help)
    }

    /// Refuses destinations whose replacement would destroy files gen did not write: the
    /// site or a folder holding it, the site's sources, another site, `/`, the home folder
    /// or a folder holding it, a file, a mount point, or (unless `force`) a non-empty
    /// folder without gen's marker.
    pub fn check(&self, root: &Path, force: bool) -> Result<(), Error> {
        let out = &self.path;
        let root = resolve_path(root).map_err(|e| Error::io(root, e))?;
        if root.starts_with(out) {
            return Err(self.refuse(
                "it is the site or a folder that holds the site",
                "pass --output with a separate folder, e.g. --output output",
            ));
        }
        for source in ["content", "static", "themes"] {
            if out.starts_with(root.join(source)) {
                return Err(self.refuse(
                    &format!("it is inside the site's {source}/ folder, which gen reads"),
                    "pass --output with a folder outside content/, static/ and themes/, e.g. --output output",
                ));
            }
        }
        let home = std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .and_then(|h| resolve_path(Path::new(&h)).ok());
        if out.parent().is_none() || home.as_ref().is_some_and(|h| h.starts_with(out)) {
            return Err(self.refuse(
                "it is the root folder, the home folder or a folder that holds it",
                "choose a dedicated folder such as --output output",
            ));
        }
        let meta = match fs::metadata(out) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(Error::io(out, e)),
        };
        if !meta.is_dir() {
            return Err(self.refuse(
                "it is a file, not a folder",
                "pass --output with the folder the site should be written to, e.g. --output output",
            ));
        }
        if out.join("config.toml").exists() || out.join("content").is_dir() {
            return Err(self.refuse(
                "it is a site (it holds config.toml or content/), not build output",
                "pass --output with a separate folder, e.g. --output output",
            ));
        }
        if is_mount_point(out, &meta) {
            return Err(self.refuse(
                "it is a mount point, and gen replaces its output folder by renaming, which a mount point does not allow",
                &format!(
                    "build into a folder inside it, e.g. --output {}",
                    self.given.join("site").display()
                ),
            ));
        }
        if force {
            return Ok(());
        }
        let empty = fs::read_dir(out)
            .map(|mut d| d.next().is_none())
            .map_err(|e| Error::io(out, e))?;
        if !empty && !is_marked(out) {
            return Err(self.refuse(
                "the folder has files that gen did not write (no .gen-output marker)",
                "choose another --output folder, empty this one, or pass --force to replace it anyway",
            ));
        }
        Ok(())
    }
}

/// Whether `dir` carries gen's marker as a plain file.
fn is_marked(dir: &Path) -> bool {
    fs::symlink_metadata(dir.join(MARKER)).is_ok_and(|m| m.is_file())
}

#[cfg(unix)]
fn is_mount_point(dir: &Path, meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    dir.parent()
        .and_then(|p| fs::metadata(p).ok())
        .is_some_and(|p| p.dev() != meta.dev())
}

#[cfg(not(unix))]
fn is_mount_point(_dir: &Path, _meta: &fs::Metadata) -> bool {
    false
}

/// See [`Destination::resolve`].
fn resolve_path(given: &Path) -> std::io::Result<PathBuf> {
    let absolute = if given.is_absolute() {
        given.to_path_buf()
    } else {
        std::env::current_dir()?.join(given)
    };
    // `cur` exists and is canonical; `pending` are the names below it that do not exist
    // (so none of them can be a link, and `..` simply drops the last one).
    let mut cur = PathBuf::new();
    let mut pending: Vec<std::ffi::OsString> = Vec::new();
    for part in absolute.components() {
        match part {
            Component::Prefix(_) | Component::RootDir => {
                cur.push(part.as_os_str());
                pending.clear();
            }
            Component::CurDir => {}
            Component::ParentDir => {
                if pending.pop().is_none() {
                    cur.pop();
                }
            }
            Component::Normal(name) => {
                if !pending.is_empty() {
                    pending.push(name.to_os_string());
                    continue;
                }
                let next = cur.join(name);
                match fs::symlink_metadata(&next) {
                    Ok(_) => cur = fs::canonicalize(&next)?,
                    Err(e) if e.kind() == ErrorKind::NotFound => pending.push(name.to_os_string()),
                    Err(e) => return Err(e),
                }
            }
        }
    }
    cur.extend(pending);
    Ok(cur)
}

/// Holds other builds into the same folder off until this one has swapped and cleaned up.
#[derive(Debug)]
struct Lock {
    _file: Option<fs::File>,
}

impl Lock {
    /// Locks the folder that holds the destination (an advisory lock released when the
    /// process ends, however it ends); waits, saying so, while another build holds it.
    fn take(parent: &Path) -> Result<Lock, Error> {
        // A folder that cannot be opened for locking (another OS) is not locked.
        let Ok(file) = fs::File::open(parent) else {
            return Ok(Lock { _file: None });
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                crate::term::say(&format!(
                    "waiting for another gen build writing into {} to finish…",
                    parent.display()
                ));
                file.lock().map_err(|e| Error::io(parent, e))?;
            }
            Err(fs::TryLockError::Error(e)) if e.kind() == ErrorKind::Unsupported => {
                return Ok(Lock { _file: None })
            }
            Err(fs::TryLockError::Error(e)) => return Err(Error::io(parent, e)),
        }
        Ok(Lock { _file: Some(file) })
    }
}

/// The folder a build writes into: the previous generation brought up to date in place
/// when gen can trust it (see [`generation`]), else a new empty folder. Files go in as they
/// are rendered; `commit` swaps it in. Dropped without commit, a new folder removes itself
/// and a previous generation keeps a manifest of what it now holds.
#[derive(Debug)]
pub struct Staging {
    dest: Destination,
    root: PathBuf,
    force: bool,
    names: Names,
    dir: PathBuf,
    old: PathBuf,
    committed: bool,
    /// Folders (relative to `dir`) known to exist.
    made: Mutex<HashSet<String>>,
    /// What `dir` held before this build, when it is the previous generation.
    base: Option<Manifest>,
    /// The live output and its manifest, when there is no previous generation to update
    /// (the first rebuild after a build into an empty folder): files this build would write
    /// with the bytes the output already holds are hard-linked from it instead.
    seed: Option<Seed>,
    /// What this build has put into `dir` (written or kept), by path.
    done: Mutex<HashMap<String, FileEntry>>,
    /// Set once before the first change to a previous generation: its manifest is emptied
    /// first, so a build killed midway leaves no manifest that the folder contradicts.
    invalidated: OnceLock<Result<(), String>>,
    /// Files this build wrote (the others were kept from the previous generation).
    written: Mutex<Vec<String>>,
    /// The pages this build put into `dir` (rendered or kept), with their keys.
    pages: Mutex<HashMap<String, PageEntry>>,
    /// How many pages were kept without rendering them.
    kept: std::sync::atomic::AtomicUsize,
    /// The pages rendered, by path.
    rendered: Mutex<Vec<String>>,
    /// Whether writing into the previous generation failed.
    update_failed: AtomicBool,
    /// Whether [`Staging::settle`] ran.
    settled: bool,
    _lock: Option<Lock>,
}

impl Staging {
    /// Prepares the folder to build into for `dest` after checking it (see
    /// [`Destination::check`]) and waiting for any other build into the same folder.
    pub fn new(root: &Path, dest: &Destination, force: bool) -> Result<Staging, Error> {
        dest.check(root, force)?;
        let parent = dest.parent().to_path_buf();
        fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let lock = Lock::take(&parent)?;
        let name = dest.name();
        let old = parent.join(format!(".{name}.gen-old"));
        recover_resolved(&dest.path, &old)?;
        remove_stale(&parent, &name);
        let names = Names { parent, name };
        let (dir, base) = match previous(&names)? {
            Some((dir, base)) => (dir, Some(base)),
            None => (new_folder(&names)?, None),
        };
        let mut staging = Staging::with(root, dest, force, names, dir, base, lock);
        if staging.base.is_none() {
            staging.seed = Seed::of(&staging.names, &staging.dest.path);
        }
        Ok(staging)
    }

    fn with(
        root: &Path,
        dest: &Destination,
        force: bool,
        names: Names,
        dir: PathBuf,
        base: Option<Manifest>,
        lock: Lock,
    ) -> Staging {
        let made = base
            .as_ref()
            .map(|b| b.dirs.keys().cloned().collect())
            .unwrap_or_default();
        Staging {
            dest: dest.clone(),
            root: root.to_path_buf(),
            force,
            old: names.parent.join(format!(".{}.gen-old", names.name)),
            names,
            dir,
            committed: false,
            made: Mutex::new(made),
            base,
            seed: None,
            done: Default::default(),
            invalidated: OnceLock::new(),
            written: Mutex::default(),
            pages: Mutex::default(),
            kept: Default::default(),
            rendered: Mutex::default(),
            update_failed: AtomicBool::new(false),
            settled: false,
            _lock: Some(lock),
        }
    }

    /// Whether writing into the previous generation failed (a folder someone made
    /// read-only, say): the build is then redone into a new folder, see [`Staging::abandon`].
    pub fn update_failed(&self) -> bool {
        self.update_failed.load(Ordering::SeqCst)
    }

    /// Gives up updating the previous generation in place: forgets its manifest (so later
    /// builds do not try again until it can be removed) and returns a new, empty staging
    /// folder for the same destination, keeping the lock.
    pub fn abandon(mut self) -> Result<Staging, Error> {
        self.committed = true;
        if let Ok(meta) = fs::symlink_metadata(&self.dir) {
            let _ = fs::remove_file(self.names.manifest(generation::inode(&meta)));
        }
        crate::term::say(&format!(
            "warning: the previous generation {} could not be updated; building into a new folder (remove it to stop this warning)",
            self.dir.display()
        ));
        let dir = new_folder(&self.names)?;
        let lock = self._lock.take().unwrap_or(Lock { _file: None });
        Ok(Staging::with(
            &self.root,
            &self.dest,
            self.force,
            self.names.clone(),
            dir,
            None,
            lock,
        ))
    }

    /// Writes one file into the staging folder (callable from many threads), or keeps the
    /// previous generation's copy when it holds these very bytes.
    pub fn write(&self, file: &Output) -> Result<(), Error> {
        let rel = file.path();
        let path = self.dir.join(rel);
        // Hashed here only when the previous generation has the file: a new file's hash
        // comes from writing it (an asset is then read once).
        if let Some(old) = self.base.as_ref().and_then(|b| b.files.get(rel)) {
            let hash = match file {
                Output::Bytes { bytes, .. } => *blake3::hash(bytes).as_bytes(),
                Output::Copy { from, .. } => hash_regular(from).map_err(|e| Error::io(from, e))?,
            };
            if let Some(kept) = reusable(&path, old, &hash, &self.dest.path.join(rel)) {
                self.record(rel, kept);
                return Ok(());
            }
        } else if let Some(seed) = self
            .seed
            .as_ref()
            .filter(|s| s.manifest.files.contains_key(rel))
        {
            let hash = match file {
                Output::Bytes { bytes, .. } => *blake3::hash(bytes).as_bytes(),
                Output::Copy { from, .. } => hash_regular(from).map_err(|e| Error::io(from, e))?,
            };
            if let Some(linked) = self.link_from(seed, rel, Some(&hash))? {
                self.record(rel, linked);
                return Ok(());
            }
        }
        let entry = self.put(file, &path).inspect_err(|_| {
            if self.base.is_some() {
                self.update_failed.store(true, Ordering::SeqCst);
            }
        })?;
        if let Ok(mut written) = self.written.lock() {
            written.push(rel.to_string());
        }
        self.record(rel, entry);
        Ok(())
    }

    /// Writes `file` at `path` in the staging folder.
    fn put(&self, file: &Output, path: &Path) -> Result<FileEntry, Error> {
        let rel = file.path();
        if self.base.is_some() {
            self.invalidate()?;
        }
        // Make each folder once, before its first file: trying the write first would cost
        // a failing lookup per new folder, which on ext4 waits for the other threads'
        // mkdirs in the same parent (`incidents/` gets one per incident).
        self.folder_for(rel)?;
        let put = || -> std::io::Result<FileEntry> {
            // In a previous generation, or beside files linked from the live output, a
            // file is never written through another name.
            let mut target = if self.base.is_some() || self.seed.is_some() {
                generation::create_nofollow(path)?
            } else {
                fs::File::create(path)?
            };
            let hash = match file {
                Output::Bytes { bytes, .. } => {
                    target.write_all(bytes)?;
                    *blake3::hash(bytes).as_bytes()
                }
                Output::Copy { from, .. } => copy_regular(from, &mut target)?,
            };
            let stamp = Stamp::of(&target.metadata()?);
            Ok(FileEntry { hash, stamp })
        };
        match put() {
            // Another thread may have claimed the folder and not made it yet.
            Err(e) if e.kind() == ErrorKind::NotFound => {
                if let Some((folder, _)) = rel.rsplit_once('/') {
                    self.make_folder(folder)?;
                }
                put()
            }
            other => other,
        }
        .map_err(|e| match file {
            Output::Copy { from, .. } if e.kind() != ErrorKind::NotFound => Error::io(from, e),
            _ => Error::io(path, e),
        })
    }

    /// Makes the folder of `rel` (relative) once, before its first file.
    fn folder_for(&self, rel: &str) -> Result<(), Error> {
        if let Some((folder, _)) = rel.rsplit_once('/') {
            let new = self
                .made
                .lock()
                .map(|mut made| made.insert(folder.to_string()))
                .unwrap_or(true);
            if new {
                self.make_folder(folder)?;
            }
        }
        Ok(())
    }

    /// Hard-links the live output's `rel` into the staging folder when it is still the file
    /// gen wrote there (its manifest entry and stamp) and, when `hash` is given, holds those
    /// bytes. `None` when it cannot be used (the caller renders or writes instead).
    fn link_from(
        &self,
        seed: &Seed,
        rel: &str,
        hash: Option<&[u8; 32]>,
    ) -> Result<Option<FileEntry>, Error> {
        let Some(old) = seed.manifest.files.get(rel) else {
            return Ok(None);
        };
        let from = seed.dir.join(rel);
        if reusable(&from, old, hash.unwrap_or(&old.hash), &from).is_none() {
            return Ok(None);
        }
        self.folder_for(rel)?;
        let to = self.dir.join(rel);
        if fs::hard_link(&from, &to).is_err() {
            // No hard links here (or the file just went away): written as usual.
            return Ok(None);
        }
        // `link` does not follow a link at `from`: what now stands at `to` must be the very
        // file gen recorded, with two names, the output's and this one.
        let linked = fs::symlink_metadata(&to).ok().filter(|m| {
            let now = Stamp::of(m);
            m.is_file() && generation::links(m) == 2 && now.same_contents(&old.stamp)
        });
        let Some(meta) = linked else {
            fs::remove_file(&to).map_err(|e| Error::io(&to, e))?;
            return Ok(None);
        };
        let entry = FileEntry {
            hash: old.hash,
            stamp: Stamp::of(&meta),
        };
        if let Ok(mut relinked) = seed.relinked.lock() {
            relinked.push((rel.to_string(), entry.stamp));
        }
        Ok(Some(entry))
    }

    /// [`crate::render::reuse::Previous::keep`] without a previous generation: a page the
    /// live output holds from the same key is linked from it, file by file. When one of its
    /// files cannot be linked, the ones linked are removed again and the page is rendered.
    fn keep_linked(&self, page: &str, key: &crate::render::reuse::Key) -> Option<Vec<String>> {
        let seed = self.seed.as_ref()?;
        let entry = seed.manifest.pages.get(page).filter(|e| &e.key == key)?;
        let mut linked = Vec::with_capacity(entry.outputs.len());
        for rel in &entry.outputs {
            match self.link_from(seed, rel, None) {
                Ok(Some(file)) => linked.push((rel, file)),
                _ => {
                    for (rel, _) in linked {
                        let _ = fs::remove_file(self.dir.join(rel));
                    }
                    return None;
                }
            }
        }
        Some(self.kept_page(page, entry, linked))
    }

    /// Records a page kept without rendering and its files; returns its outputs.
    fn kept_page(
        &self,
        page: &str,
        entry: &PageEntry,
        files: Vec<(&String, FileEntry)>,
    ) -> Vec<String> {
        for (rel, file) in files {
            self.record(rel, file);
        }
        if let Ok(mut pages) = self.pages.lock() {
            pages.insert(page.to_string(), entry.clone());
        }
        self.kept.fetch_add(1, Ordering::Relaxed);
        entry.outputs.clone()
    }

    fn record(&self, rel: &str, entry: FileEntry) {
        if let Ok(mut done) = self.done.lock() {
            done.insert(rel.to_string(), entry);
        }
    }

    /// Empties the previous generation's manifest before its first change.
    fn invalidate(&self) -> Result<(), Error> {
        let result = self.invalidated.get_or_init(|| {
            let Ok(meta) = fs::symlink_metadata(&self.dir) else {
                return Ok(());
            };
            let manifest = self.names.manifest(generation::inode(&meta));
            match generation::create_nofollow(&manifest) {
                Ok(_) => Ok(()),
                Err(e) => Err(format!("{}: {e}", manifest.display())),
            }
        });
        result.clone().map_err(|e| {
            Error::usage_help(
                format!("cannot update the previous generation: {e}"),
                "remove the folder named in the message and build again",
            )
        })
    }

    /// Makes `folder` (relative) and its parents. In a previous generation a file may stand
    /// where a folder is now needed (a page that vanished): it is removed.
    fn make_folder(&self, folder: &str) -> Result<(), Error> {
        let dir = self.dir.join(folder);
        if self.base.is_none() {
            return fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e));
        }
        let mut at = self.dir.clone();
        for part in folder.split('/') {
            at.push(part);
            match fs::symlink_metadata(&at) {
                Ok(meta) if meta.is_dir() => continue,
                Ok(_) => fs::remove_file(&at).map_err(|e| Error::io(&at, e))?,
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(&at, e)),
            }
            match fs::create_dir(&at) {
                Err(e) if e.kind() == ErrorKind::AlreadyExists && at.is_dir() => {}
                other => other.map_err(|e| Error::io(&at, e))?,
            }
        }
        Ok(())
    }

    /// How many pages (and the search index) this build kept from the previous generation
    /// without rendering them ([`crate::render::reuse`]).
    pub fn kept_pages(&self) -> usize {
        self.kept.load(Ordering::Relaxed)
    }

    /// The pages (and the search index, as `search/data/`) this build rendered, sorted.
    pub fn rendered_pages(&self) -> Vec<String> {
        let mut rendered = self.rendered.lock().map(|r| r.clone()).unwrap_or_default();
        rendered.sort_unstable();
        rendered
    }

    /// The files this build wrote, sorted; the others were kept from the previous
    /// generation, byte for byte what this build produced.
    pub fn written(&self) -> Vec<String> {
        let mut written = self.written.lock().map(|w| w.clone()).unwrap_or_default();
        written.sort_unstable();
        written
    }

    /// Removes what the previous generation held and this build did not produce, and
    /// records what the folder holds now in its manifest. Run by [`Staging::commit`] when
    /// not before; on failure in a previous generation, [`Staging::update_failed`] is set.
    pub fn settle(&mut self) -> Result<(), Error> {
        if self.settled {
            return Ok(());
        }
        let result = self.settle_once();
        if result.is_err() && self.base.is_some() {
            self.update_failed.store(true, Ordering::SeqCst);
        }
        self.settled = result.is_ok();
        result
    }

    fn settle_once(&mut self) -> Result<(), Error> {
        let done = std::mem::take(&mut *self.done.lock().map_err(|_| poisoned())?);
        let folders = folders_of(done.keys());
        if let Some(base) = &self.base {
            let vanished: Vec<&String> = base
                .files
                .keys()
                .filter(|p| !done.contains_key(*p))
                .collect();
            let mut empty: Vec<&String> = base
                .dirs
                .keys()
                .filter(|d| !folders.contains(d.as_str()))
                .collect();
            if !vanished.is_empty() || !empty.is_empty() {
                self.invalidate()?;
            }
            vanished.par_iter().try_for_each(|rel| {
                let path = self.dir.join(rel);
                match fs::symlink_metadata(&path) {
                    // A file that became a folder: the folder is this build's.
                    Ok(m) if m.is_dir() && folders.contains(rel.as_str()) => Ok(()),
                    Ok(m) if m.is_dir() => remove_path(&path),
                    Ok(_) => fs::remove_file(&path).map_err(|e| Error::io(&path, e)),
                    Err(_) => Ok(()),
                }
            })?;
            // Deepest first, so each folder is empty when its turn comes.
            empty.sort_unstable_by(|a, b| b.cmp(a));
            for rel in empty {
                // A folder that became a file: the file is this build's.
                if done.contains_key(rel.as_str()) {
                    continue;
                }
                let path = self.dir.join(rel);
                if fs::remove_dir(&path).is_err() && fs::symlink_metadata(&path).is_ok() {
                    remove_path(&path)?;
                }
            }
        }
        let folders: Vec<String> = folders.into_iter().map(str::to_string).collect();
        let pages = std::mem::take(&mut *self.pages.lock().map_err(|_| poisoned())?);
        self.write_manifest(done, folders, pages)?;
        if let Some(seed) = self.seed.take() {
            seed.restamp(&self.names);
        }
        Ok(())
    }

    /// After a failed build into the previous generation: records what it holds now (the
    /// files kept and those written, each complete), so the next build starts from it.
    fn settle_failed(&mut self) -> Result<(), Error> {
        if self.invalidated.get().is_none() || self.settled {
            // Nothing was changed: the manifest on disk still holds.
            return Ok(());
        }
        let done = std::mem::take(&mut *self.done.lock().map_err(|_| poisoned())?);
        let Some(base) = self.base.take() else {
            return Ok(());
        };
        let mut files = base.files;
        files.extend(done);
        let mut folders: HashSet<String> = folders_of(files.keys())
            .into_iter()
            .map(str::to_string)
            .collect();
        folders.extend(base.dirs.into_keys());
        // Which pages the files now hold is not known: each is rendered again next time.
        self.write_manifest(files, folders.into_iter().collect(), HashMap::new())
    }

    /// Writes the manifest of `files` in `folders` (relative paths; `""` is the staging
    /// folder), reading each folder's stamp. An unchanged rebuild leaves it as it was.
    fn write_manifest(
        &self,
        files: HashMap<String, FileEntry>,
        folders: Vec<String>,
        mut pages: HashMap<String, PageEntry>,
    ) -> Result<(), Error> {
        pages.retain(|_, p| p.outputs.iter().all(|o| files.contains_key(o)));
        let dirs = folders
            .into_par_iter()
            .map(|rel| {
                let path = generation::join(&self.dir, &rel);
                match fs::symlink_metadata(&path) {
                    Ok(m) => Ok((rel, Stamp::of_folder(&m))),
                    Err(e) => Err(Error::io(&path, e)),
                }
            })
            .collect::<Result<HashMap<_, _>, _>>()?;
        let ino = dirs.get("").map_or(0, Stamp::ino);
        let text = Manifest { files, dirs, pages }.to_text();
        let path = self.names.manifest(ino);
        if self.invalidated.get().is_none() && self.base.is_some() {
            let current = generation::open_nofollow(&path).and_then(|mut f| {
                let mut bytes = Vec::new();
                f.read_to_end(&mut bytes).map(|_| bytes)
            });
            if current.is_ok_and(|c| c == text.as_bytes()) {
                return Ok(());
            }
        }
        let mut file = generation::create_nofollow(&path).map_err(|e| Error::io(&path, e))?;
        file.write_all(text.as_bytes())
            .map_err(|e| Error::io(&path, e))
    }

    /// Swaps the staging folder in place of the destination; the previous output becomes
    /// the previous generation (or is removed when gen has no manifest of it).
    ///
    /// On Linux the swap is one `renameat2(RENAME_EXCHANGE)`: at every instant the
    /// destination holds either the complete old output or the complete new one. The
    /// destination is resolved and checked again first, in case it changed during the
    /// build. Problems removing an old output after the swap are warnings: the new output
    /// is in place, and the next build removes what is left.
    pub fn commit(mut self) -> Result<(), Error> {
        let again = Destination::resolve(&self.dest.given)?;
        if again.path != self.dest.path {
            return Err(self.dest.refuse(
                "it changed during the build (a link or folder on its path was replaced)",
                "build again",
            ));
        }
        again.check(&self.root, self.force)?;
        self.settle()?;
        let dest = self.dest.path.clone();
        let exists = fs::symlink_metadata(&dest).is_ok();
        if exists {
            if exchange(&self.dir, &dest).is_ok() {
                self.swapped();
                // The staging path now holds the previous output.
                self.keep_or_remove(self.dir.clone());
                return Ok(());
            }
            fs::rename(&dest, &self.old).map_err(|e| rename_error(&self.dest, e))?;
        }
        if let Err(e) = fs::rename(&self.dir, &dest) {
            // Put the previous output back.
            let _ = fs::rename(&self.old, &dest);
            return Err(rename_error(&self.dest, e));
        }
        self.swapped();
        if fs::symlink_metadata(&self.old).is_ok() {
            let previous = self.names.previous();
            let kept = self.dir == previous && fs::rename(&self.old, &previous).is_ok();
            self.keep_or_remove(if kept { previous } else { self.old.clone() });
        } else {
            self.keep_or_remove(PathBuf::new());
        }
        Ok(())
    }

    /// After the swap: keeps the swapped-out output at `at` as the previous generation when
    /// gen has its manifest and it sits under the previous generation's name; removes it
    /// otherwise (a folder gen has no record of, e.g. one replaced with `--force`).
    fn keep_or_remove(&self, at: PathBuf) {
        let mut keep = Vec::new();
        if let Ok(meta) = fs::symlink_metadata(&self.dest.path) {
            keep.push(generation::inode(&meta));
        }
        if !at.as_os_str().is_empty() && fs::symlink_metadata(&at).is_ok() {
            let ours = at == self.names.previous()
                && fs::symlink_metadata(&at).is_ok_and(|m| {
                    m.is_dir() && self.names.manifest(generation::inode(&m)).is_file()
                });
            if ours {
                if let Ok(meta) = fs::symlink_metadata(&at) {
                    keep.push(generation::inode(&meta));
                }
            } else {
                warn_leftover(remove_path(&at), &at);
            }
        }
        self.names.remove_other_manifests(&keep);
    }

    fn swapped(&mut self) {
        self.committed = true;
        SWAPPED.store(true, std::sync::atomic::Ordering::SeqCst);
        if let Ok(mut slot) = STAGING.lock() {
            *slot = None;
        }
    }
}

impl crate::render::reuse::Previous for Staging {
    fn keep(&self, page: &str, key: &crate::render::reuse::Key) -> Option<Vec<String>> {
        let Some(base) = self.base.as_ref() else {
            return self.keep_linked(page, key);
        };
        let entry = base.pages.get(page).filter(|e| &e.key == key)?;
        let files = entry
            .outputs
            .iter()
            .map(|rel| {
                let old = base.files.get(rel)?;
                reusable(
                    &self.dir.join(rel),
                    old,
                    &old.hash,
                    &self.dest.path.join(rel),
                )
                .map(|kept| (rel, kept))
            })
            .collect::<Option<Vec<_>>>()?;
        Some(self.kept_page(page, entry, files))
    }

    fn rendered(&self, page: &str, key: Option<crate::render::reuse::Key>, outputs: Vec<String>) {
        if let Ok(mut rendered) = self.rendered.lock() {
            rendered.push(page.to_string());
        }
        if let (Some(key), Ok(mut pages)) = (key, self.pages.lock()) {
            pages.insert(page.to_string(), PageEntry { key, outputs });
        }
    }
}

/// The live output as the source of hard links for a build that has no previous
/// generation to update (see [`Staging::link_from`]).
#[derive(Debug)]
struct Seed {
    /// The output folder.
    dir: PathBuf,
    /// Its inode, which names its manifest.
    ino: u64,
    /// Its manifest, as the build that wrote it left it.
    manifest: Manifest,
    /// The files linked from it, with their stamps after the link (a link moves the change
    /// time, which the manifest records).
    relinked: Mutex<Vec<(String, Stamp)>>,
}

impl Seed {
    /// The output at `dest` when gen wrote it and has its manifest.
    fn of(names: &Names, dest: &Path) -> Option<Seed> {
        let meta = fs::symlink_metadata(dest).ok()?;
        let manifest = generation::load(names, dest)?;
        Some(Seed {
            dir: dest.to_path_buf(),
            ino: generation::inode(&meta),
            manifest,
            relinked: Mutex::default(),
        })
    }

    /// Records the new change times of the files linked from the output in its manifest,
    /// so that the build after the swap, which updates this folder in place, keeps them.
    /// Best effort: a manifest left as it was only costs that build a rewrite of them.
    fn restamp(mut self, names: &Names) {
        let relinked =
            std::mem::take(&mut *self.relinked.lock().unwrap_or_else(|e| e.into_inner()));
        if relinked.is_empty() {
            return;
        }
        for (rel, stamp) in relinked {
            if let Some(entry) = self.manifest.files.get_mut(&rel) {
                entry.stamp = stamp;
            }
        }
        let path = names.manifest(self.ino);
        if let Ok(mut file) = generation::create_nofollow(&path) {
            let _ = file.write_all(self.manifest.to_text().as_bytes());
        }
    }
}

/// The previous generation to update in place, with its manifest checked against the
/// folder; `None` when there is none gen can trust (what stands under its name is then
/// removed, or left alone with a warning when it is not gen's).
fn previous(names: &Names) -> Result<Option<(PathBuf, Manifest)>, Error> {
    let state = names.state();
    names.make_state().map_err(|e| Error::io(&state, e))?;
    let dir = names.previous();
    let meta = match fs::symlink_metadata(&dir) {
        Ok(meta) => meta,
        Err(_) => return Ok(None),
    };
    if !meta.is_dir() {
        // A file or a link planted under the name: unlinked, never followed.
        let _ = fs::remove_file(&dir);
        return Ok(None);
    }
    if !is_marked(&dir) {
        crate::term::say(&format!(
            "warning: leaving {} alone: it has gen's name but not gen's marker",
            dir.display()
        ));
        return Ok(None);
    }
    if let Some(mut manifest) = generation::load(names, &dir) {
        if generation::tidy(&dir, &mut manifest).is_ok() {
            return Ok(Some((dir, manifest)));
        }
    }
    // No manifest gen can trust: the folder is rebuilt from nothing.
    if let Err(e) = remove_path(&dir) {
        crate::term::say(&format!(
            "warning: the previous generation {} could not be removed ({e}); building into a new folder",
            dir.display()
        ));
    }
    Ok(None)
}

/// A new, empty folder to build into, with gen's marker: the previous generation's name
/// when it is free, else a unique staging name made with `create_dir` (never through an
/// existing link), so a stale folder that could not be removed does not stop the build.
fn new_folder(names: &Names) -> Result<PathBuf, Error> {
    let state = names.state();
    names.make_state().map_err(|e| Error::io(&state, e))?;
    let mut n = 0u32;
    let dir = loop {
        let dir = match n {
            0 => names.previous(),
            1 => names.parent.join(format!(".{}.gen-new", names.name)),
            _ => names
                .parent
                .join(format!(".{}.gen-new-{}", names.name, n - 1)),
        };
        match fs::create_dir(&dir) {
            Ok(()) => break dir,
            Err(e) if e.kind() == ErrorKind::AlreadyExists && n < 100 => n += 1,
            Err(e) => return Err(Error::io(&dir, e)),
        }
    };
    if let Ok(mut slot) = STAGING.lock() {
        *slot = Some(dir.clone());
    }
    fs::write(
        dir.join(MARKER),
        b"This folder is written by gen build and replaced on every build.\n",
    )
    .map_err(|e| Error::io(dir.join(MARKER), e))?;
    Ok(dir)
}

/// Every folder that holds one of `files` (relative paths), and `""`.
fn folders_of<'a>(files: impl Iterator<Item = &'a String>) -> HashSet<&'a str> {
    let mut folders: HashSet<&str> = HashSet::from([""]);
    for path in files {
        let mut p = path.as_str();
        while let Some((parent, _)) = p.rsplit_once('/') {
            if !folders.insert(parent) {
                break;
            }
            p = parent;
        }
    }
    folders
}

fn poisoned() -> Error {
    Error::Io {
        path: PathBuf::new(),
        source: std::io::Error::other("a build thread panicked"),
    }
}

/// `old` (the previous generation's entry for the file at `path`) when the file there is
/// still the one gen wrote (same inode, size and times) and holds `hash`. Its only other
/// name may be `live`, the same file in the output (gen linked it there, see
/// [`Staging::link_from`]); a file with any other name (a backup's hard link) is not kept.
fn reusable(path: &Path, old: &FileEntry, hash: &[u8; 32], live: &Path) -> Option<FileEntry> {
    if &old.hash != hash {
        return None;
    }
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || Stamp::of(&meta) != old.stamp {
        return None;
    }
    let sole = match generation::links(&meta) {
        1 => true,
        2 => {
            live != path
                && fs::symlink_metadata(live)
                    .is_ok_and(|l| l.is_file() && Stamp::of(&l).ino() == old.stamp.ino())
        }
        _ => false,
    };
    sole.then_some(*old)
}

/// BLAKE3 of a regular file's bytes, read without following a link.
fn hash_regular(from: &Path) -> std::io::Result<[u8; 32]> {
    let source = open_regular(from)?;
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(source)?;
    Ok(*hasher.finalize().as_bytes())
}

/// Opens a regular file for reading, never through a link and never a FIFO or device: an
/// asset replaced by a link after it was checked is refused, not followed.
fn open_regular(from: &Path) -> std::io::Result<fs::File> {
    let source = generation::open_nofollow(from).map_err(|e| {
        if e.raw_os_error() == Some(40) {
            std::io::Error::other("it is a symbolic link, and gen does not follow links")
        } else {
            e
        }
    })?;
    if !source.metadata()?.is_file() {
        return Err(std::io::Error::other(
            "it is not a regular file (a FIFO, socket or device), and gen copies only files",
        ));
    }
    Ok(source)
}

/// Copies a regular file (see [`open_regular`]) into `to`, returning the BLAKE3 hash of the
/// bytes copied.
fn copy_regular(from: &Path, to: &mut fs::File) -> std::io::Result<[u8; 32]> {
    let mut source = open_regular(from)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match source.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
    }
    Ok(*hasher.finalize().as_bytes())
}

/// Explains the renames that some file systems refuse.
fn rename_error(dest: &Destination, e: std::io::Error) -> Error {
    match e.raw_os_error() {
        Some(18) => dest.refuse(
            "the file system refuses to rename it (Invalid cross-device link), as overlayfs does for folders from a lower layer",
            "remove the folder once (e.g. rm -r it) so that gen can create its own, or build into another folder",
        ),
        Some(16) => dest.refuse(
            "it is busy (Device or resource busy): it may be a mount point or in use",
            "build into a folder inside it, or into another folder",
        ),
        _ => Error::io(&dest.path, e),
    }
}

fn warn_leftover(result: Result<(), Error>, path: &Path) {
    if let Err(e) = result {
        crate::term::say(&format!(
            "warning: the new output is in place, but the previous one could not be removed completely ({e}); the next build removes {}",
            path.display()
        ));
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE).map_err(std::io::Error::from)
}

#[cfg(not(target_os = "linux"))]
fn exchange(_a: &Path, _b: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(ErrorKind::Unsupported))
}

/// Refuses output folders whose replacement would destroy files gen did not write; see
/// [`Destination::check`].
pub fn check_destination(root: &Path, output: &Path, force: bool) -> Result<(), Error> {
    Destination::resolve(output)?.check(root, force)
}

impl Drop for Staging {
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if self.base.is_some() {
            // A previous generation stays: what it holds now (the files kept and those
            // written, every one complete) is recorded, so the next build starts from it.
            let _ = self.settle_failed();
        } else {
            let _ = remove_path(&self.dir);
        }
        if let Ok(mut slot) = STAGING.lock() {
            *slot = None;
        }
    }
}

/// Puts back a previous output that a build killed between the two renames of the
/// fallback swap left under its temporary name. Run before anything can fail.
pub fn recover(dest: &Path) -> Result<(), Error> {
    let dest = Destination::resolve(dest)?;
    let old = dest.parent().join(format!(".{}.gen-old", dest.name()));
    recover_resolved(&dest.path, &old)
}

fn recover_resolved(dest: &Path, old: &Path) -> Result<(), Error> {
    let old_is_dir = fs::symlink_metadata(old).is_ok_and(|m| m.is_dir());
    if fs::symlink_metadata(dest).is_err() && old_is_dir {
        fs::rename(old, dest).map_err(|e| Error::io(old, e))?;
    }
    Ok(())
}

/// Removes staging folders that a killed build, or a removal that failed after a swap, left
/// beside the destination. Only folders with gen's marker are removed (a link planted under
/// a staging name is only unlinked); failures are left for a later build.
fn remove_stale(parent: &Path, name: &str) {
    let prefix = format!(".{name}.gen-new");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let Some(file) = file.to_str() else { continue };
        let ours = file == prefix
            || file
                .strip_prefix(&prefix)
                .and_then(|rest| rest.strip_prefix('-'))
                .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()));
        if !ours {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() {
            let _ = fs::remove_file(&path);
        } else if is_marked(&path) {
            warn_leftover(remove_path(&path), &path);
        } else {
            crate::term::say(&format!(
                "warning: leaving {} alone: it has gen's staging name but not gen's marker",
                path.display()
            ));
        }
    }
}

/// Removes a file, a link (never what it points at) or a folder tree, the tree's top-level
/// entries in parallel (large outputs have thousands of page folders).
fn remove_path(path: &Path) -> Result<(), Error> {
    let meta = fs::symlink_metadata(path).map_err(|e| Error::io(path, e))?;
    if !meta.is_dir() {
        return fs::remove_file(path).map_err(|e| Error::io(path, e));
    }
    let entries: Vec<PathBuf> = fs::read_dir(path)
        .map_err(|e| Error::io(path, e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.par_iter().try_for_each(|p| {
        let is_dir = fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        if !is_dir {
            return fs::remove_file(p).map_err(|e| Error::io(p, e));
        }
        let children: Vec<PathBuf> = fs::read_dir(p)
            .map_err(|e| Error::io(p, e))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        children.par_iter().try_for_each(|c| {
            // std's remove_dir_all removes links, never what they point at.
            let is_dir = fs::symlink_metadata(c).is_ok_and(|m| m.is_dir());
            if is_dir {
                fs::remove_dir_all(c).map_err(|e| Error::io(c, e))
            } else {
                fs::remove_file(c).map_err(|e| Error::io(c, e))
            }
        })?;
        fs::remove_dir(p).map_err(|e| Error::io(p, e))
    })?;
    fs::remove_dir(path).map_err(|e| Error::io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn copies_refuse_links_and_fifos() {
        let dir = tempfile::TempDir::new().unwrap();
        let secret = dir.path().join("secret");
        fs::write(&secret, "secret").unwrap();
        let link = dir.path().join("asset.png");
        std::os::unix::fs::symlink(&secret, &link).unwrap();
        let to = dir.path().join("copy");
        let mut target = fs::File::create(&to).unwrap();
        let e = copy_regular(&link, &mut target).unwrap_err();
        assert_eq!(
            e.to_string(),
            "it is a symbolic link, and gen does not follow links"
        );
        assert_eq!(fs::read(&to).unwrap(), b"");
        let fifo = dir.path().join("fifo.png");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o644),
            0,
        )
        .unwrap();
        // Without O_NONBLOCK this open would wait for a writer forever.
        let e = copy_regular(&fifo, &mut target).unwrap_err();
        assert!(e.to_string().starts_with("it is not a regular file"), "{e}");
        assert!(hash_regular(&fifo).is_err());
        fs::write(dir.path().join("ok.png"), "png").unwrap();
        let hash = copy_regular(&dir.path().join("ok.png"), &mut target).unwrap();
        assert_eq!(fs::read_to_string(&to).unwrap(), "png");
        assert_eq!(hash, *blake3::hash(b"png").as_bytes());
        assert_eq!(hash_regular(&dir.path().join("ok.png")).unwrap(), hash);
    }

    #[test]
    fn paths_resolve_lexically_below_what_exists() {
        let dir = tempfile::TempDir::new().unwrap();
        let base = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir(base.join("site")).unwrap();
        assert_eq!(
            resolve_path(&base.join("nothere/../site")).unwrap(),
            base.join("site")
        );
        assert_eq!(
            resolve_path(&base.join("a/b/../c/./d/..")).unwrap(),
            base.join("a/c")
        );
        #[cfg(unix)]
        {
            // `..` after a link is the parent of where it points, as the kernel reads it.
            fs::create_dir_all(base.join("deep/inner")).unwrap();
            std::os::unix::fs::symlink(base.join("deep/inner"), base.join("link")).unwrap();
            assert_eq!(
                resolve_path(&base.join("link/../x")).unwrap(),
                base.join("deep/x")
            );
        }
    }
}
