//! Load stage: walk `content/`, read each document, split its TOML front matter from the body.
//!
//! Owns file discovery and byte-level concerns (UTF-8, BOM, CRLF). It knows nothing of
//! fields; it hands the model stage a [`Document`] whose front matter keeps its byte
//! offset so diagnostics can point into the original file.

pub(crate) mod active;
pub mod assets;
mod frontmatter;
pub(crate) mod names;

pub use assets::Asset;
pub use frontmatter::split;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::diag::{Diagnostic, SourceFile};
use crate::error::Error;

/// Which collection a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `content/incidents/`
    Incident,
    /// `content/meetings/`
    Meeting,
}

/// One content file with its front matter split from its body.
#[derive(Debug)]
pub struct Document {
    /// The id: the file stem, or the folder name for `<id>/index.md`.
    pub id: String,
    /// Incident or meeting.
    pub kind: Kind,
    /// The file up to the end of its front matter, for diagnostics.
    pub file: Arc<SourceFile>,
    /// Byte range of the TOML front matter inside `file.text`.
    pub front_matter: std::ops::Range<usize>,
    /// Where the markdown body is.
    pub body: BodySource,
    /// BLAKE3 of the body's bytes as read, so a rebuild can tell an unchanged body without
    /// reading it again ([`crate::render::reuse`]).
    pub body_hash: blake3::Hash,
    /// The folder holding the document's assets, for `<id>/index.md` documents.
    pub asset_dir: Option<PathBuf>,
    /// The incident's assets, published beside its page (listed and checked here, once).
    pub assets: Vec<assets::Asset>,
}

impl Document {
    /// The TOML front matter text.
    pub fn front_matter_text(&self) -> &str {
        &self.file.text[self.front_matter.clone()]
    }
}

/// Where a document's markdown body is.
///
/// Files read from disk keep only their front matter in memory: the body is read again
/// when its page is rendered, so a large site never holds every body at once.
#[derive(Debug, Clone)]
pub enum BodySource {
    /// In the file on disk, after the front matter.
    File(PathBuf),
    /// In memory, for documents that were never on disk.
    Text(Arc<str>),
}

/// A document's markdown body, with the front matter before it.
#[derive(Debug)]
pub struct Body {
    /// The whole document: front matter, then body.
    text: String,
    /// Where the body starts in `text`.
    start: usize,
}

impl Body {
    /// The markdown text.
    pub fn as_str(&self) -> &str {
        &self.text[self.start..]
    }

    /// Where the body starts in the file.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The whole file, for diagnostics that point into the body.
    pub fn source(&self, head: &SourceFile) -> Arc<SourceFile> {
        SourceFile::new(head.path.clone(), self.text.clone())
    }

    /// Replaces every byte of `ranges` (of the body, whole lines) but `\n` with a space,
    /// so that what they held is gone while every offset after them stays right.
    pub(crate) fn blank(&mut self, ranges: &[std::ops::Range<usize>]) {
        let mut bytes = std::mem::take(&mut self.text).into_bytes();
        for r in ranges {
            for b in &mut bytes[self.start + r.start..self.start + r.end] {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
        }
        // Whole lines of UTF-8 became ASCII spaces: still UTF-8.
        self.text = String::from_utf8(bytes).expect("blanking whole lines keeps UTF-8");
    }
}

impl BodySource {
    /// Reads the body of the document whose front matter is `head` and whose body had the
    /// BLAKE3 `hash` when it was loaded.
    ///
    /// A file is read again: if its front matter is no longer the one validated, or its
    /// body not the one loaded (it was edited during the build), that is an error, so a
    /// page never mixes two versions, and a page is never recorded as rendered from a body
    /// it does not show ([`crate::render::reuse`]).
    pub fn read(&self, head: &Arc<SourceFile>, hash: &blake3::Hash) -> Result<Body, Error> {
        let start = head.text.len();
        match self {
            BodySource::Text(body) => Ok(Body {
                text: format!("{}{body}", head.text),
                start,
            }),
            BodySource::File(path) => {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                if !bytes.starts_with(head.text.as_bytes())
                    || blake3::hash(&bytes[start..]) != *hash
                    || simdutf8::basic::from_utf8(&bytes[start..]).is_err()
                {
                    return Err(Error::Content(vec![Diagnostic::error(
                        crate::diag::Code::ChangedDuringBuild,
                        head,
                        None,
                        "the file changed while the site was being built",
                    )
                    .with_help("run the command again once the file is saved")]));
                }
                // SAFETY: the front matter came from a `String` and ends with a line
                // break, and the rest was just checked: the whole is UTF-8.
                let text = unsafe { String::from_utf8_unchecked(bytes) };
                Ok(Body { text, start })
            }
        }
    }
}

/// The ids of every document found, valid or not.
#[derive(Debug, Default, Clone)]
pub struct KnownIds {
    /// Incident ids, sorted.
    pub incidents: Vec<String>,
    /// Meeting ids, sorted.
    pub meetings: Vec<String>,
}

/// A content file found on disk, before it is read.
#[derive(Debug, Clone)]
pub struct Found {
    /// The id it will have.
    pub id: String,
    /// Incident or meeting.
    pub kind: Kind,
    /// The file.
    pub path: PathBuf,
    /// The asset folder, for `<id>/index.md`.
    pub asset_dir: Option<PathBuf>,
}

/// Finds and reads every incident and meeting under `root/content`, in parallel.
///
/// Problems with a file's bytes or front matter delimiters become diagnostics; only I/O
/// failures abort.
/// Two documents of one kind with the same id (`a.md` and `a/index.md`) are an error,
/// reported on the later path; only the first is kept.
///
/// `trust_html` is the site's `unsafe_html`: when set, HTML, SVG and XML assets are
/// published without the check for script.
pub fn load_content(
    root: &Path,
    trust_html: bool,
) -> Result<(Vec<Document>, KnownIds, Vec<Diagnostic>), Error> {
    let (found, known, mut diags) = discover(root)?;
    // The site's `static/` is published with the theme's: its problems are content errors.
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        diags.extend(assets::static_files(&static_dir, Path::new("static"), trust_html).1);
    }
    prefetch(&found);
    let results: Vec<Read> = found
        .into_par_iter()
        .map(|f| read_with_assets(root, f, trust_html))
        .collect();
    let mut docs = Vec::new();
    for (r, mut asset_problems) in results {
        match r? {
            Ok(doc) => docs.push(doc),
            Err(d) => diags.push(d),
        }
        diags.append(&mut asset_problems);
    }
    Ok((docs, known, diags))
}

/// A document read with [`read`], and the problems of its assets.
pub type Read = (Result<Result<Document, Diagnostic>, Error>, Vec<Diagnostic>);

/// Reads a document and, for an incident's `<id>/index.md`, lists and checks the assets
/// beside it: with their document, so that `check` reports a symbolic link or a pipe
/// among them as a build would, and render only copies what this listed.
pub fn read_with_assets(root: &Path, f: Found, trust_html: bool) -> Read {
    let listed = match &f.asset_dir {
        Some(dir) if f.kind == Kind::Incident => {
            let shown = dir.strip_prefix(root).unwrap_or(dir);
            assets::incident(dir, shown, &f.id, trust_html)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let (list, problems) = listed;
    let doc = read(root, f).map(|r| {
        r.map(|mut d| {
            d.assets = list;
            d
        })
    });
    (doc, problems)
}

/// Files opened at once by [`prefetch`], whatever the number of CPUs.
///
/// Reading is bound by the disk's latency, not by CPU, when the files are not in the page
/// cache (the first build after a checkout or a reboot, or after other work pushed them
/// out), and rayon's pool has one thread per CPU (BENCHMARKS.md, "Cold sources").
#[cfg(target_os = "linux")]
const READ_AT_ONCE: usize = 32;

/// Stack size of a [`prefetch`] thread.
#[cfg(target_os = "linux")]
const PREFETCH_STACK: usize = 64 * 1024;

/// Below this many files [`prefetch`] does nothing.
#[cfg(target_os = "linux")]
const PREFETCH_FROM: usize = 1024;

/// Asks the kernel to read every found file into the page cache, [`READ_AT_ONCE`] files at
/// a time, before the CPU-bound pool reads and splits them; only for large sites whose
/// files look cold (see [`mostly_cached`]), and not when `RAYON_NUM_THREADS` sets a thread
/// count.
#[cfg(target_os = "linux")]
fn prefetch(found: &[Found]) {
    if found.len() >= PREFETCH_FROM
        && std::env::var_os("RAYON_NUM_THREADS").is_none()
        && !mostly_cached(found)
    {
        prefetch_all(found);
    }
}

/// Opens every file on [`READ_AT_ONCE`] threads and advises `POSIX_FADV_WILLNEED`: opening
/// a cold file waits for its inode, and the advice queues its pages without waiting, so the
/// disk gets many requests at once. Plain threads with small stacks that allocate nothing of
/// their own, since a rayon pool of that size costs an allocator heap per thread.
#[cfg(target_os = "linux")]
fn prefetch_all(found: &[Found]) {
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..READ_AT_ONCE {
            // The loop needs a few hundred bytes of stack, not Rust's default 2 MiB.
            let builder = std::thread::Builder::new().stack_size(PREFETCH_STACK);
            let spawned = builder.spawn_scoped(s, || loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(f) = found.get(n) else {
                    break;
                };
                // Only advice: a file that cannot be opened is reported by `read`.
                if let Ok(file) = std::fs::File::open(&f.path) {
                    let _ = rustix::fs::fadvise(&file, 0, None, rustix::fs::Advice::WillNeed);
                }
            });
            // Fewer threads only means a slower prefetch.
            if spawned.is_err() {
                break;
            }
        }
    });
}

/// Whether `found` looks cached: reading the first byte of 32 files spread over it takes
/// under 2 ms (a few µs a file from the page cache, far more from a disk). When the
/// content is cached, as in repeated builds, the prefetch threads would only cost time and
/// memory. `preadv2` with `RWF_NOWAIT`, which should tell without reading, reports cold
/// files as cached (BENCHMARKS.md, "Cold sources").
#[cfg(target_os = "linux")]
fn mostly_cached(found: &[Found]) -> bool {
    use std::io::Read;
    const SAMPLES: usize = 32;
    const COLD: std::time::Duration = std::time::Duration::from_millis(2);
    let start = std::time::Instant::now();
    for k in 0..SAMPLES {
        if let Some(f) = found.get(k * found.len() / SAMPLES) {
            if let Ok(mut file) = std::fs::File::open(&f.path) {
                let _ = file.read(&mut [0u8; 1]);
            }
        }
    }
    start.elapsed() < COLD
}

/// Without `posix_fadvise`, files are read when they are needed.
#[cfg(not(target_os = "linux"))]
fn prefetch(_found: &[Found]) {}

/// Finds every incident and meeting file without reading them, sorted by path, with the
/// ids of all of them and a diagnostic for each duplicate id (duplicates are dropped).
pub fn discover(root: &Path) -> Result<(Vec<Found>, KnownIds, Vec<Diagnostic>), Error> {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (dir, kind) in [("incidents", Kind::Incident), ("meetings", Kind::Meeting)] {
        let dir = root.join("content").join(dir);
        if dir.is_dir() {
            find(root, &dir, kind, &mut found, &mut problems)?;
        }
    }
    // Stable order whatever the file system returns: `Path`'s order, which compares
    // component by component. Each path becomes its components joined by a zero byte (a
    // byte no component holds, below all others), so the sort compares plain bytes; walkdir's
    // per-folder sort parsed both paths in every comparison (BENCHMARKS.md, "Discovery order").
    found.sort_by_cached_key(|f| order_key(&f.path));

    let mut diags = problems;
    let mut known = KnownIds::default();
    // Keyed case-insensitively: `A.md` and `a.md` would collide on macOS and Windows.
    let mut first: ahash::AHashMap<(bool, String), usize> =
        ahash::AHashMap::with_capacity(found.len());
    let mut keep = vec![true; found.len()];
    for (n, f) in found.iter().enumerate() {
        let problem = names::id_problem(&f.id).or_else(|| {
            (f.kind == Kind::Incident && f.id.eq_ignore_ascii_case(crate::routes::PAGES_FOLDER))
                .then(|| {
                    "`page` is the folder of the incident list's later pages (incidents/page/2/)"
                        .to_string()
                })
        });
        if let Some(problem) = problem {
            keep[n] = false;
            // Still known: a reference to it is not a second error.
            match f.kind {
                Kind::Incident => known.incidents.push(f.id.clone()),
                Kind::Meeting => known.meetings.push(f.id.clone()),
            }
            diags.push(invalid_id(root, f, &problem));
            continue;
        }
        let key = (f.kind == Kind::Incident, f.id.to_lowercase());
        let other = match first.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => &found[*e.get()],
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(n);
                match f.kind {
                    Kind::Incident => known.incidents.push(f.id.clone()),
                    Kind::Meeting => known.meetings.push(f.id.clone()),
                }
                continue;
            }
        };
        keep[n] = false;
        let display = f.path.strip_prefix(root).unwrap_or(&f.path);
        let file = SourceFile::new(display, String::new());
        let what = if f.kind == Kind::Incident {
            "incident"
        } else {
            "meeting"
        };
        let other_path = other.path.strip_prefix(root).unwrap_or(&other.path);
        let message = if other.id == f.id {
            format!(
                "two {what}s have the id \"{}\": this file and {}",
                f.id,
                other_path.display()
            )
        } else {
            format!(
                "{what} ids \"{}\" and \"{}\" ({}) differ only in case: their pages would collide on case-insensitive file systems",
                f.id,
                other.id,
                other_path.display()
            )
        };
        diags.push(
            Diagnostic::error(crate::diag::Code::DuplicateId, &file, None, message)
                .with_help("ids come from file or folder names; rename one of them"),
        );
    }
    let mut keep = keep.into_iter();
    found.retain(|_| keep.next().unwrap_or(true));
    known.incidents.sort();
    known.meetings.sort();
    Ok((found, known, diags))
}

/// A path's components joined by a zero byte: sorting these bytes sorts the paths as `Path`
/// does.
fn order_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
    for c in path.components() {
        key.extend_from_slice(c.as_os_str().as_encoded_bytes());
        key.push(0);
    }
    key
}

/// The diagnostic for a document whose id (file or folder name) is not a safe id.
fn invalid_id(root: &Path, f: &Found, problem: &str) -> Diagnostic {
    let display = f.path.strip_prefix(root).unwrap_or(&f.path);
    let file = SourceFile::new(display, String::new());
    let (what, name) = match (f.kind, f.asset_dir.is_some()) {
        (Kind::Incident, false) => ("an incident", "file"),
        (Kind::Incident, true) => ("an incident", "folder"),
        (Kind::Meeting, false) => ("a meeting", "file"),
        (Kind::Meeting, true) => ("a meeting", "folder"),
    };
    Diagnostic::error(
        crate::diag::Code::InvalidId,
        &file,
        None,
        format!(
            "the {name} name \"{}\" cannot be {what} id: {problem}",
            f.id.escape_debug()
        ),
    )
    .with_help(format!(
        "the id becomes the page's URL; rename the {name} using letters and digits (any script), `-`, `_`, `.` and single spaces, e.g. 2024-03-01-example"
    ))
}

/// Collects the documents of one collection folder. A document that is a symbolic link,
/// a named pipe or a device, or whose name is not UTF-8, is an error (in `problems`), not
/// silently skipped; names starting with `.` or `_` are private and skipped.
fn find(
    root: &Path,
    dir: &Path,
    kind: Kind,
    out: &mut Vec<Found>,
    problems: &mut Vec<Diagnostic>,
) -> Result<(), Error> {
    let shown = |p: &Path| -> Arc<SourceFile> {
        SourceFile::new(p.strip_prefix(root).unwrap_or(p), String::new())
    };
    // Unsorted: `discover` sorts what it finds.
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .max_depth(2)
        .into_iter()
        .filter_entry(|e| !e.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walk {
        let entry = entry.map_err(|e| Error::Walk {
            path: dir.to_path_buf(),
            source: e,
        })?;
        let path = entry.path();
        let depth = entry.depth();
        let is_md = path.extension().is_some_and(|e| e == "md");
        // A document is `<id>.md` at the top, or `index.md` in a folder.
        let document = if depth == 1 {
            is_md
        } else {
            entry.file_name() == "index.md"
        };
        let link = entry.path_is_symlink();
        // A linked folder at the top would hold an incident's `index.md`.
        let linked_folder = depth == 1 && link && path.is_dir();
        if !document && !linked_folder {
            continue;
        }
        let stem = path.file_stem().map(|s| s.as_encoded_bytes());
        if depth == 1 && stem.is_some_and(|s| s.starts_with(b"_")) {
            continue;
        }
        if link {
            problems.push(
                Diagnostic::error(
                    crate::diag::Code::Symlink,
                    &shown(path),
                    None,
                    "this document is a symbolic link; gen reads only files inside the site",
                )
                .with_help("move or copy the file here instead of linking it"),
            );
            continue;
        }
        if !entry.file_type().is_file() {
            if !entry.file_type().is_dir() {
                problems.push(
                    Diagnostic::error(
                        crate::diag::Code::NotAFile,
                        &shown(path),
                        None,
                        "this document is not a regular file (a named pipe, socket or device)",
                    )
                    .with_help("replace it with a regular file, or remove it"),
                );
            }
            continue;
        }
        // `<id>.md` names the id; `<id>/index.md` its folder.
        let (named, asset_dir) = if depth == 1 {
            (path.file_stem(), None)
        } else {
            let folder = path.parent().unwrap_or(dir);
            (folder.file_name(), Some(folder.to_path_buf()))
        };
        let Some(id) = named.and_then(|n| n.to_str()) else {
            problems.push(
                Diagnostic::error(
                    crate::diag::Code::InvalidId,
                    &shown(path),
                    None,
                    "this name is not valid UTF-8, so it cannot be an id",
                )
                .with_help("rename it using letters and digits (any script), `-`, `_`, `.` and single spaces"),
            );
            continue;
        };
        out.push(Found {
            id: id.to_string(),
            kind,
            path: path.to_path_buf(),
            asset_dir,
        });
    }
    Ok(())
}

/// Reads one found file and splits its front matter; byte and delimiter problems are
/// diagnostics, I/O failures errors.
pub fn read(root: &Path, f: Found) -> Result<Result<Document, Diagnostic>, Error> {
    let bytes = std::fs::read(&f.path).map_err(|e| Error::Io {
        path: f.path.clone(),
        source: e,
    })?;
    let display = f.path.strip_prefix(root).unwrap_or(&f.path).to_path_buf();
    let text = match simdutf8::compat::from_utf8(&bytes) {
        // SAFETY: `bytes` was just checked to be UTF-8, and is not changed in between.
        // (std's `String::from_utf8` checks again, without SIMD: BENCHMARKS.md,
        // "Instruction savings".)
        Ok(_) => unsafe { String::from_utf8_unchecked(bytes) },
        Err(e) => {
            return Ok(Err(crate::diag::not_utf8(display, &bytes, e.valid_up_to())));
        }
    };
    let file = SourceFile::new(display, text);
    let (front_matter, body) = match split(&file) {
        Ok(ranges) => ranges,
        Err(d) => return Ok(Err(d)),
    };
    // Only the front matter stays in memory; see `BodySource`.
    let head = SourceFile::new(file.path.clone(), &file.text[..body.start]);
    let body_hash = blake3::hash(&file.text.as_bytes()[body.start..]);

    Ok(Ok(Document {
        id: f.id,
        kind: f.kind,
        file: head,
        front_matter,
        body: BodySource::File(f.path),
        body_hash,
        asset_dir: f.asset_dir,
        assets: Vec::new(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A large site (prefetched when its files are cold): documents come back in path
    /// order, each with its own file's text; prefetching survives a vanished file.
    #[test]
    fn large_sites_load_in_path_order() {
        let n = 1100;
        let dir = tempfile::tempdir().expect("temp dir");
        let incidents = dir.path().join("content").join("incidents");
        std::fs::create_dir_all(&incidents).expect("mkdir");
        // Written in an order unrelated to the path order.
        for i in (0..n).rev() {
            let id = format!("i{:05}", (i * 7919) % n);
            std::fs::write(
                incidents.join(format!("{id}.md")),
                format!("+++\ntitle = \"{id}\"\n+++\nbody {id}\n"),
            )
            .expect("write");
        }
        #[cfg(target_os = "linux")]
        {
            assert!(n >= PREFETCH_FROM);
            // Just written, so cached: `load_content` would skip the prefetch.
            let (mut found, _, _) = discover(dir.path()).expect("discover");
            found.push(Found {
                id: "gone".into(),
                kind: Kind::Incident,
                path: incidents.join("gone.md"),
                asset_dir: None,
            });
            prefetch_all(&found);
        }
        let (docs, known, diags) = load_content(dir.path(), false).expect("load");
        assert!(diags.is_empty(), "{diags:?}");
        let ids: Vec<&str> = docs.iter().map(|d| d.id.as_str()).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids.len(), n);
        assert_eq!(known.incidents.len(), n);
        for d in &docs {
            let fm = &d.file.text[d.front_matter.clone()];
            assert_eq!(fm, format!("title = \"{}\"\n", d.id), "{}", d.id);
        }
    }

    #[test]
    fn order_keys_sort_paths_as_path_does() {
        let names = [
            "c/incidents/b.md",
            "c/incidents/a.md",
            "c/incidents/a/index.md",
            "c/incidents/a-b.md",
            "c/incidents/A.md",
            "c/incidents/a b/index.md",
            "c/incidents/ab/index.md",
            "c/incidents/障害.md",
            "c/meetings/a.md",
        ];
        let mut by_path: Vec<PathBuf> = names.iter().map(PathBuf::from).collect();
        let mut by_key = by_path.clone();
        by_path.sort();
        by_key.sort_by_cached_key(|p| order_key(p));
        assert_eq!(by_key, by_path);
        // A byte sort of the plain strings would put `a b/` and `a-b.md` (space and `-` sort
        // below `/`) before `a/index.md`.
        let expected = [
            "c/incidents/A.md",
            "c/incidents/a/index.md",
            "c/incidents/a b/index.md",
            "c/incidents/a-b.md",
            "c/incidents/a.md",
            "c/incidents/ab/index.md",
            "c/incidents/b.md",
            "c/incidents/障害.md",
            "c/meetings/a.md",
        ];
        assert_eq!(by_key, expected.map(PathBuf::from));
    }
}
