//! The previous generation: the output folder that the last build swapped out, kept beside
//! the output as `.<name>.gen/previous/` with a manifest of what gen wrote into it. The next build
//! brings that folder up to date in place (writing a file only when its bytes differ from
//! what the manifest says it holds, deleting what vanished) and swaps it in, so an unchanged
//! rebuild writes no page and deletes nothing (BENCHMARKS.md).
//!
//! The manifest is trusted only as far as the file system confirms it. A folder whose
//! inode or modification time changed is listed again, and whatever gen did not write is
//! removed from it. A file is reused only when its inode, size, and modification and change
//! times are the ones gen read back right after writing it. A missing, truncated or
//! corrupt manifest, or a folder edited by hand, costs a rewrite, never a stale page.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{ErrorKind, Read};
use std::path::{Path, PathBuf};

/// The manifest's first line; a manifest of another version is not read.
const HEADER: &str = "gen output manifest 2";

/// A manifest larger than this is not read (it is not gen's).
const MAX_MANIFEST: u64 = 1 << 30;

/// The file-system facts that change whenever a file's contents could have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    /// The stamp of `meta` (from `lstat`, or `fstat` right after a write).
    pub(crate) fn of(meta: &fs::Metadata) -> Stamp {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            Stamp {
                ino: meta.ino(),
                size: meta.len(),
                mtime: (meta.mtime(), meta.mtime_nsec()),
                ctime: (meta.ctime(), meta.ctime_nsec()),
            }
        }
        #[cfg(not(unix))]
        {
            let nanos = |t: std::io::Result<std::time::SystemTime>| {
                t.ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or((0, 0), |d| (d.as_secs() as i64, d.subsec_nanos() as i64))
            };
            Stamp {
                ino: 0,
                size: meta.len(),
                mtime: nanos(meta.modified()),
                ctime: nanos(meta.created()),
            }
        }
    }

    /// The stamp of a folder: its change time is left out, since it moves whenever the
    /// folder is renamed (every swap), which says nothing about its entries.
    pub(crate) fn of_folder(meta: &fs::Metadata) -> Stamp {
        Stamp {
            ctime: (0, 0),
            ..Stamp::of(meta)
        }
    }

    /// The inode.
    pub(crate) fn ino(&self) -> u64 {
        self.ino
    }

    /// Whether this is the recorded file with the same bytes as far as a stamp can tell
    /// after a hard link was made to it: same inode, size and modification time (a link
    /// moves the change time).
    pub(crate) fn same_contents(&self, recorded: &Stamp) -> bool {
        self.ino == recorded.ino && self.size == recorded.size && self.mtime == recorded.mtime
    }

    /// Whether a folder is still as recorded: same inode, no entry added, removed or
    /// renamed since (its change time moves when the folder itself is renamed, so it is not
    /// compared).
    fn same_folder(&self, recorded: &Stamp) -> bool {
        self.ino == recorded.ino && self.mtime == recorded.mtime
    }

    fn push(&self, out: &mut String) {
        use std::fmt::Write as _;
        let _ = write!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            self.ino, self.size, self.mtime.0, self.mtime.1, self.ctime.0, self.ctime.1
        );
    }

    fn parse<'a>(fields: &mut impl Iterator<Item = &'a str>) -> Option<Stamp> {
        let mut n = || fields.next()?.parse::<i64>().ok();
        let ino = u64::try_from(n()?).ok()?;
        let size = u64::try_from(n()?).ok()?;
        Some(Stamp {
            ino,
            size,
            mtime: (n()?, n()?),
            ctime: (n()?, n()?),
        })
    }
}

/// What gen knows about one file it wrote: a BLAKE3 hash of its bytes and its stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileEntry {
    /// BLAKE3 of the file's bytes.
    pub(crate) hash: [u8; 32],
    /// The file as gen left it.
    pub(crate) stamp: Stamp,
}

/// What a generation folder holds, as gen wrote it.
#[derive(Debug, Default)]
pub(crate) struct Manifest {
    /// Files by path relative to the folder, `/`-separated.
    pub(crate) files: HashMap<String, FileEntry>,
    /// Folders by path relative to the folder (`""` is the folder itself).
    pub(crate) dirs: HashMap<String, Stamp>,
    /// The pages gen rendered into the folder, by page path, with what they were rendered
    /// from (see [`crate::render::reuse`]).
    pub(crate) pages: HashMap<String, PageEntry>,
}

/// A page in a generation folder: its key and the files it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PageEntry {
    /// The key it was rendered from.
    pub(crate) key: [u8; 32],
    /// Every file it produced, relative to the folder.
    pub(crate) outputs: Vec<String>,
}

impl Manifest {
    /// The manifest as text, sorted by path, with a checksum line that makes a truncated or
    /// edited manifest unreadable rather than wrong.
    pub(crate) fn to_text(&self) -> String {
        let mut lines: Vec<(&str, String)> = Vec::with_capacity(self.files.len() + self.dirs.len());
        for (path, stamp) in &self.dirs {
            let mut line = String::from("d\t");
            stamp.push(&mut line);
            lines.push((path, line));
        }
        for (path, entry) in &self.files {
            let mut line = String::from("f\t");
            line.push_str(&hex(&entry.hash));
            line.push('\t');
            entry.stamp.push(&mut line);
            lines.push((path, line));
        }
        for (page, entry) in &self.pages {
            let mut line = String::from("p\t");
            line.push_str(&hex(&entry.key));
            for out in &entry.outputs {
                line.push('\t');
                escape_into(out, &mut line);
            }
            lines.push((page, line));
        }
        lines.sort_unstable_by(|a, b| a.0.cmp(b.0).then_with(|| a.1.cmp(&b.1)));
        let mut text = String::with_capacity(lines.len() * 120);
        text.push_str(HEADER);
        text.push('\n');
        for (path, line) in lines {
            text.push_str(&line);
            text.push('\t');
            escape_into(path, &mut text);
            text.push('\n');
        }
        let sum = blake3::hash(text.as_bytes());
        text.push_str("end\t");
        text.push_str(&hex(sum.as_bytes()));
        text.push('\n');
        text
    }

    /// Reads a manifest written by [`Manifest::to_text`]; `None` for anything else.
    pub(crate) fn parse(text: &str) -> Option<Manifest> {
        let body_end = text.strip_suffix('\n')?.rfind('\n')? + 1;
        let (body, last) = text.split_at(body_end);
        let sum = last.strip_prefix("end\t")?.strip_suffix('\n')?;
        if sum != hex(blake3::hash(body.as_bytes()).as_bytes()) {
            return None;
        }
        let mut lines = body.lines();
        if lines.next()? != HEADER {
            return None;
        }
        let mut m = Manifest::default();
        for line in lines {
            let mut fields = line.split('\t');
            match fields.next()? {
                "d" => {
                    let stamp = Stamp::parse(&mut fields)?;
                    m.dirs.insert(unescape(fields.next()?)?, stamp);
                }
                "f" => {
                    let hash = unhex(fields.next()?)?;
                    let stamp = Stamp::parse(&mut fields)?;
                    m.files
                        .insert(unescape(fields.next()?)?, FileEntry { hash, stamp });
                }
                "p" => {
                    // Key, outputs, then the page's own path last.
                    let key = unhex(fields.next()?)?;
                    let mut rest: Vec<String> =
                        fields.by_ref().map(unescape).collect::<Option<_>>()?;
                    let page = rest.pop()?;
                    m.pages.insert(page, PageEntry { key, outputs: rest });
                }
                _ => return None,
            }
            if fields.next().is_some() {
                return None;
            }
        }
        m.dirs.contains_key("").then_some(m)
    }
}

/// Writes `path` with `\\`, tab, line feed and carriage return escaped, so that every path
/// fits on its line of the manifest.
fn escape_into(path: &str, out: &mut String) {
    for c in path.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// The path that [`escape_into`] wrote; `None` for an escape it does not write.
fn unescape(field: &str) -> Option<String> {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        out.push(match chars.next()? {
            '\\' => '\\',
            't' => '\t',
            'n' => '\n',
            'r' => '\r',
            _ => return None,
        });
    }
    Some(out)
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

fn unhex(s: &str) -> Option<[u8; 32]> {
    let bytes = s.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// Where a destination's previous generation and manifests live: one hidden folder beside
/// it, `.<name>.gen/`, which gen owns (on the same file system, so the swap can rename).
#[derive(Debug, Clone)]
pub(crate) struct Names {
    /// The folder holding the destination.
    pub(crate) parent: PathBuf,
    /// The destination's own name.
    pub(crate) name: String,
}

impl Names {
    /// `.<name>.gen/`.
    pub(crate) fn state(&self) -> PathBuf {
        self.parent.join(format!(".{}.gen", self.name))
    }

    /// `.<name>.gen/previous/`.
    pub(crate) fn previous(&self) -> PathBuf {
        self.state().join("previous")
    }

    /// The manifest of the generation folder with inode `ino`. Keyed by inode because the
    /// folders trade names at every swap, and a rename keeps the inode.
    pub(crate) fn manifest(&self, ino: u64) -> PathBuf {
        self.state().join(format!("manifest-{ino}"))
    }

    /// Makes `.<name>.gen/` when it is missing: a file or link standing under its name is
    /// unlinked (never followed) first.
    pub(crate) fn make_state(&self) -> std::io::Result<()> {
        let state = self.state();
        match fs::symlink_metadata(&state) {
            Ok(meta) if meta.is_dir() => return Ok(()),
            Ok(_) => fs::remove_file(&state)?,
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        match fs::create_dir(&state) {
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
            other => other,
        }
    }

    /// Removes manifests of folders other than `keep` (inodes). Best effort.
    pub(crate) fn remove_other_manifests(&self, keep: &[u64]) {
        let Ok(entries) = fs::read_dir(self.state()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(ino) = name
                .to_str()
                .and_then(|n| n.strip_prefix("manifest-"))
                .and_then(|n| n.parse::<u64>().ok())
            else {
                continue;
            };
            if !keep.contains(&ino) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

/// The inode of a folder (0 where there are none).
pub(crate) fn inode(meta: &fs::Metadata) -> u64 {
    Stamp::of(meta).ino
}

/// Reads the manifest of the generation folder `dir`; `None` when there is none that gen
/// can trust.
pub(crate) fn load(names: &Names, dir: &Path) -> Option<Manifest> {
    let meta = fs::symlink_metadata(dir).ok()?;
    // Without inodes (not Unix) the two generations cannot be told apart: no reuse.
    if !meta.is_dir() || inode(&meta) == 0 {
        return None;
    }
    let path = names.manifest(inode(&meta));
    let file = open_nofollow(&path).ok()?;
    let fmeta = file.metadata().ok()?;
    if !fmeta.is_file() || fmeta.len() > MAX_MANIFEST {
        return None;
    }
    let mut text = String::with_capacity(fmeta.len() as usize);
    (&file).take(MAX_MANIFEST).read_to_string(&mut text).ok()?;
    let m = Manifest::parse(&text)?;
    m.dirs
        .get("")
        .is_some_and(|root| root.ino == inode(&meta))
        .then_some(m)
}

/// Makes the previous generation `dir` match its manifest's folders: a folder that changed
/// since gen recorded it loses every entry gen did not write; a folder replaced by a file or
/// a link is removed with everything recorded below it. Files are checked when they are
/// written. An error means the folder cannot be trusted (the caller starts afresh).
pub(crate) fn tidy(dir: &Path, m: &mut Manifest) -> std::io::Result<()> {
    let mut folders: Vec<(String, Stamp)> = m.dirs.drain().collect();
    // Parents before children: a prefix sorts first.
    folders.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut gone: Vec<&str> = Vec::new();
    let mut kept = HashMap::with_capacity(folders.len());
    // Every path gen recorded, built the first time a folder has to be listed.
    let mut known: Option<HashSet<&str>> = None;
    for (rel, stamp) in &folders {
        if gone.iter().any(|g| is_under(rel, g)) {
            continue;
        }
        let path = join(dir, rel);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                gone.push(rel);
                continue;
            }
            Err(e) => return Err(e),
        };
        if !meta.is_dir() {
            fs::remove_file(&path)?;
            gone.push(rel);
            continue;
        }
        if !Stamp::of_folder(&meta).same_folder(stamp) {
            let known = known.get_or_insert_with(|| {
                m.files
                    .keys()
                    .map(String::as_str)
                    .chain(folders.iter().map(|(f, _)| f.as_str()))
                    .collect()
            });
            for entry in fs::read_dir(&path)? {
                let entry = entry?;
                let name = entry.file_name();
                let ours = name.to_str().is_some_and(|name| {
                    if rel.is_empty() {
                        name == super::MARKER || known.contains(name)
                    } else {
                        known.contains(format!("{rel}/{name}").as_str())
                    }
                });
                if !ours {
                    super::remove_path(&entry.path()).map_err(std::io::Error::other)?;
                }
            }
        }
        kept.insert(rel.clone(), *stamp);
    }
    if !gone.is_empty() {
        m.files
            .retain(|path, _| !gone.iter().any(|g| is_under(path, g)));
    }
    m.dirs = kept;
    Ok(())
}

/// Whether `path` is `folder` or lies below it (`""` holds everything).
fn is_under(path: &str, folder: &str) -> bool {
    folder.is_empty()
        || path
            .strip_prefix(folder)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// `dir/rel` (`rel` may be empty).
pub(crate) fn join(dir: &Path, rel: &str) -> PathBuf {
    if rel.is_empty() {
        dir.to_path_buf()
    } else {
        dir.join(rel)
    }
}

/// Opens a file for reading without following a link at its last component.
pub(crate) fn open_nofollow(path: &Path) -> std::io::Result<fs::File> {
    let mut open = fs::OpenOptions::new();
    open.read(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let flags = rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK;
        open.custom_flags(flags.bits() as i32);
    }
    open.open(path)
}

/// Opens `path` for writing from the start, creating it: never through a link at its last
/// component, and never into a file that has other names (a hard link made by a backup or
/// deploy tool must keep its bytes), which is removed first.
pub(crate) fn create_nofollow(path: &Path) -> std::io::Result<fs::File> {
    match fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => super::remove_path(path).map_err(std::io::Error::other)?,
        Ok(meta) if !meta.is_file() || links(&meta) > 1 => fs::remove_file(path)?,
        _ => {}
    }
    let mut open = fs::OpenOptions::new();
    open.write(true).create(true).truncate(true);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        open.custom_flags(rustix::fs::OFlags::NOFOLLOW.bits() as i32);
    }
    open.open(path)
}

/// How many names a file has.
pub(crate) fn links(meta: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        meta.nlink()
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Manifest {
        let stamp = Stamp {
            ino: 7,
            size: 3,
            mtime: (1, 2),
            ctime: (3, 4),
        };
        let mut m = Manifest::default();
        m.dirs.insert(String::new(), stamp);
        m.dirs.insert("incidents".into(), stamp);
        m.files.insert(
            "incidents/a\tb\\c\nd\re/index.html".into(),
            FileEntry {
                hash: *blake3::hash(b"y").as_bytes(),
                stamp,
            },
        );
        m.files.insert(
            "incidents/a b/index.html".into(),
            FileEntry {
                hash: *blake3::hash(b"x").as_bytes(),
                stamp,
            },
        );
        m.pages.insert(
            "incidents/a\tb\\c\nd\re/index.html".into(),
            PageEntry {
                key: *blake3::hash(b"k").as_bytes(),
                outputs: vec![
                    "incidents/a\tb\\c\nd\re/index.html".into(),
                    "incidents/a b/index.html".into(),
                ],
            },
        );
        m
    }

    #[test]
    fn a_manifest_reads_back_and_any_damage_makes_it_unreadable() {
        let text = sample().to_text();
        let back = Manifest::parse(&text).unwrap();
        assert_eq!(back.files, sample().files);
        assert_eq!(back.dirs, sample().dirs);
        assert_eq!(back.pages, sample().pages);
        assert_eq!(back.to_text(), text);
        // Truncated anywhere, or one byte changed: not read.
        for cut in 0..text.len() {
            assert!(Manifest::parse(&text[..cut]).is_none(), "cut at {cut}");
        }
        let flipped = text.replacen("index.html", "index.htmm", 1);
        assert!(Manifest::parse(&flipped).is_none());
        assert!(Manifest::parse("").is_none());
    }

    #[test]
    fn folders_hold_what_lies_below_them() {
        assert!(is_under("a/b", "a"));
        assert!(is_under("a", "a"));
        assert!(!is_under("ab", "a"));
        assert!(is_under("anything", ""));
    }
}
