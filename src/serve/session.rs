//! The incremental build behind `gen serve`: the site kept in memory, one changed file
//! re-read and re-decoded, and only the pages whose data changed re-rendered.
//!
//! Correctness rests on one rule: whatever [`Session::rebuild`] leaves in
//! [`Session::files`] is byte-identical to a full build of the same sources (the tests
//! compare the two after every kind of edit). When a change is structural (an incident
//! added, removed or renamed, a new year or operator, the config or the theme), it
//! renders everything. A new tag, or a tag whose shown spelling changed, is structural too.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::config::Config;
use crate::diag::Diagnostic;
use crate::error::Error;
use crate::load::{self, Found};
use crate::model::{self, Decoded};
use crate::render::pages::{Dep, List};
use crate::render::theme::Theme;
use crate::render::views::Views;
use crate::render::{self, Output, Page};
use crate::site::Site;
use crate::BuildOptions;

/// A file the server can send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Served {
    /// Rendered bytes.
    Bytes(Arc<[u8]>),
    /// A file copied as it is (an incident's asset, a static file), read once by the build
    /// that copied it: what is served is what was built, whatever happens on disk later.
    Asset(Arc<[u8]>),
}

/// Every file of a build by output path, shared with the server.
pub type Files = Arc<HashMap<String, Served>>;

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Update {
    /// Files rendered or copied.
    pub files: usize,
    /// Whether every page was rendered.
    pub full: bool,
    /// Time to the edited documents' own pages, when they were published first.
    pub first: Option<Duration>,
    /// Time from the call to the files being in place.
    pub elapsed: Duration,
}

/// A decoded content file, kept until the file changes.
#[derive(Debug)]
struct Cached {
    decoded: Decoded,
    diags: Vec<Diagnostic>,
}

/// The content files found by the last walk.
struct Discovered {
    found: Vec<Found>,
    known: load::KnownIds,
    diags: Vec<Diagnostic>,
    paths: std::collections::HashSet<PathBuf>,
}

/// The in-memory site of `gen serve`.
pub struct Session {
    discovered: Option<Discovered>,
    opts: BuildOptions,
    config: Option<Config>,
    theme: Option<Theme>,
    cache: HashMap<PathBuf, Cached>,
    good: Option<Site>,
    files: Files,
}

/// Which parts of the site a set of changed paths touches.
#[derive(Debug, Default)]
struct Touched {
    config: bool,
    theme: bool,
    /// Incidents whose folder (assets) changed.
    incident_dirs: BTreeSet<String>,
    /// Changed paths under `content/`, absolute.
    content: Vec<PathBuf>,
}

impl Session {
    /// A session with nothing built yet; call [`Session::rebuild`] with no paths.
    pub fn new(mut opts: BuildOptions) -> Session {
        // Watchers report absolute paths; compare like with like.
        if let Ok(abs) = std::path::absolute(&opts.root) {
            opts.root = abs;
        }
        Session {
            discovered: None,
            opts,
            config: None,
            theme: None,
            cache: HashMap::new(),
            good: None,
            files: Arc::default(),
        }
    }

    /// Forgets everything the session cached, keeping `files` as the last good build: after
    /// a rebuild that stopped half-way (it panicked) nothing cached can be trusted, so the
    /// next rebuild is a full one.
    pub fn forget(&mut self, files: Files) {
        *self = Session::new(self.opts.clone());
        self.files = files;
    }

    /// The files of the last good build, by output path.
    pub fn files(&self) -> Files {
        Arc::clone(&self.files)
    }

    /// The site root.
    pub fn root(&self) -> &Path {
        &self.opts.root
    }

    /// Brings the files up to date after `changed` paths changed (absolute or relative
    /// to the root); an empty list rebuilds everything. On error the files of the last
    /// good build stay as they were.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Result<Update, Error> {
        self.rebuild_staged(changed, &mut |_, _| {})
    }

    /// Like [`Session::rebuild`], handing the files to `publish` as soon as the edited
    /// documents' own pages are rendered (with the paths that changed), and again when
    /// every affected page is. A full build publishes once, with no paths.
    pub fn rebuild_staged(
        &mut self,
        changed: &[PathBuf],
        publish: &mut dyn FnMut(Files, &[String]),
    ) -> Result<Update, Error> {
        let start = Instant::now();
        let touched = self.invalidate(changed);
        let config = match &self.config {
            Some(c) => c.clone(),
            None => {
                let c = crate::load_config(
                    &self.opts.root,
                    self.opts.base_url.as_deref(),
                    self.opts.edition,
                )?;
                self.config = Some(c.clone());
                c
            }
        };
        if self.theme.is_none() {
            self.theme = Some(Theme::load(&self.opts.root, &config.theme)?);
        }
        let site = self.load(&config, &touched)?;
        let theme = self.theme.as_ref().expect("the theme is loaded above");

        let plan = match (&self.good, touched.config || touched.theme) {
            (Some(old), false) => affected(old, &site, &touched.incident_dirs),
            _ => None,
        };
        let Some(plan) = plan else {
            self.files = Arc::new(render_all(&self.opts.root, &site, theme)?);
            self.good = Some(site);
            publish(self.files(), &[]);
            return Ok(Update {
                files: self.files.len(),
                full: true,
                first: None,
                elapsed: start.elapsed(),
            });
        };

        let before = Arc::clone(&self.files);
        let mut count = 0;
        let mut first = None;
        let mut stages = [plan.first, plan.rest];
        for (n, kinds) in stages.iter_mut().enumerate() {
            if kinds.is_empty() {
                continue;
            }
            let out = Mutex::new(Vec::new());
            let rendered = render::render_pages(&site, theme, kinds, &|o| {
                out.lock()
                    .expect("no rendering thread panics while holding the output list")
                    .push(o);
                Ok(())
            });
            if let Err(e) = rendered {
                // Never leave half an update behind.
                self.files = before;
                return Err(e);
            }
            let mut outputs = out
                .into_inner()
                .expect("no rendering thread panics while holding the output list");
            let mut files = (*self.files).clone();
            if n == 0 {
                for id in &touched.incident_dirs {
                    if let Some(i) = site.incident_index(id) {
                        let prefix = crate::routes::incident_dir(id);
                        files.retain(|p, s| {
                            !(p.starts_with(&prefix) && matches!(s, Served::Asset(_)))
                        });
                        outputs.extend(render::incident_assets(&site, i)?);
                    }
                }
            }
            count += outputs.len();
            let paths: Vec<String> = outputs.iter().map(|o| o.path().to_string()).collect();
            for o in outputs {
                match served(&self.opts.root, o) {
                    Ok((path, served)) => files.insert(path, served),
                    Err(e) => {
                        self.files = before;
                        return Err(e);
                    }
                };
            }
            self.files = Arc::new(files);
            if n == 0 {
                first = Some(start.elapsed());
            }
            publish(self.files(), &paths);
        }
        // The search index covers every incident, so any edit can change it; it is made
        // again last, after the pages an edit changed are already served.
        match render::search::index(&site) {
            Ok(index) => {
                let mut files = (*self.files).clone();
                files.retain(|p, _| !p.starts_with(crate::routes::SEARCH_DATA));
                let mut paths = Vec::with_capacity(index.len());
                for o in index {
                    paths.push(o.path().to_string());
                    match served(&self.opts.root, o) {
                        Ok((path, served)) => files.insert(path, served),
                        Err(e) => {
                            self.files = before;
                            return Err(e);
                        }
                    };
                }
                count += paths.len();
                self.files = Arc::new(files);
                publish(self.files(), &paths);
            }
            Err(e) => {
                self.files = before;
                return Err(e);
            }
        }
        self.good = Some(site);
        Ok(Update {
            files: count,
            full: false,
            first,
            elapsed: start.elapsed(),
        })
    }

    /// Forgets what the changed paths invalidate and says what kind of change it was.
    fn invalidate(&mut self, changed: &[PathBuf]) -> Touched {
        let root = &self.opts.root;
        let mut t = Touched::default();
        if changed.is_empty() {
            t.config = true;
        }
        for p in changed {
            let rel = p.strip_prefix(root).unwrap_or(p);
            let mut parts = rel.components().map(|c| c.as_os_str().to_string_lossy());
            match parts.next().as_deref() {
                Some("config.toml") => t.config = true,
                Some("themes") | Some("static") => t.theme = true,
                Some("content") => {
                    let abs = root.join(rel);
                    if could_be_document(rel) {
                        t.content.push(abs.clone());
                    }
                    // A file, or a folder that was removed or renamed with its files.
                    self.cache.retain(|k, _| !k.starts_with(&abs));
                    let collection = parts.next();
                    let id = parts.next();
                    let deeper = parts.next();
                    if let (Some("incidents"), Some(id), Some(_)) =
                        (collection.as_deref(), id, deeper)
                    {
                        // The incident's assets are listed with its document: read it again.
                        let folder = root.join("content/incidents").join(id.as_ref());
                        self.cache
                            .retain(|k, _| k.parent() != Some(folder.as_path()));
                        t.incident_dirs.insert(id.into_owned());
                    }
                }
                _ => {}
            }
        }
        if t.config {
            // Decoding depends on the config (cause taxonomy, time zone).
            self.config = None;
            self.theme = None;
            self.cache.clear();
        }
        if t.theme {
            self.theme = None;
        }
        t
    }

    /// Discovers the content, decoding only files not in the cache, and builds the site.
    fn load(&mut self, config: &Config, touched: &Touched) -> Result<Site, Error> {
        let root = self.opts.root.clone();
        // Saving an existing document changes no file names: skip the walk.
        let same_files = match &self.discovered {
            Some(d) => touched
                .content
                .iter()
                .all(|p| d.paths.contains(p) && p.is_file()),
            None => false,
        };
        if !same_files || touched.config {
            let (found, known, diags) = load::discover(&root)?;
            let paths: std::collections::HashSet<PathBuf> =
                found.iter().map(|f| f.path.clone()).collect();
            // Files that disappeared are no longer worth keeping.
            self.cache.retain(|k, _| paths.contains(k));
            self.discovered = Some(Discovered {
                found,
                known,
                diags,
                paths,
            });
        }
        let d = self
            .discovered
            .as_ref()
            .expect("the content is discovered above when it was not yet");
        let missing: Vec<&Found> = d
            .found
            .iter()
            .filter(|f| !self.cache.contains_key(&f.path))
            .collect();
        let fresh: Vec<Result<(PathBuf, Cached), Error>> = missing
            .into_par_iter()
            .map(|f| {
                let (doc, mut diags) = load::read_with_assets(&root, f.clone(), config.unsafe_html);
                let decoded = match doc? {
                    Ok(doc) => model::decode(&doc, config, &mut diags),
                    Err(d) => {
                        diags.push(d);
                        Decoded::Invalid
                    }
                };
                Ok((f.path.clone(), Cached { decoded, diags }))
            })
            .collect();
        for r in fresh {
            let (path, cached) = r?;
            self.cache.insert(path, cached);
        }
        let mut diags = d.diags.clone();
        let mut incidents = Vec::new();
        let mut meetings = Vec::new();
        for f in &d.found {
            let Some(c) = self.cache.get(&f.path) else {
                continue;
            };
            diags.extend(c.diags.iter().cloned());
            match &c.decoded {
                Decoded::Incident(i) => incidents.push(Arc::clone(i)),
                Decoded::Meeting(m) => meetings.push(m.as_ref().clone()),
                Decoded::Invalid => {}
            }
        }
        crate::assemble(
            config.clone(),
            incidents,
            meetings,
            &d.known,
            (self.opts.drafts, self.opts.today),
            diags,
        )
    }
}

/// Every file of the site, rendered and read into memory.
fn render_all(root: &Path, site: &Site, theme: &Theme) -> Result<HashMap<String, Served>, Error> {
    let out = Mutex::new(HashMap::new());
    render::render_site(site, theme, &|o| {
        // Read outside the lock: assets are read on every rendering thread at once.
        let (path, served) = served(root, o)?;
        out.lock()
            .expect("no rendering thread panics while holding the output list")
            .insert(path, served);
        Ok(())
    })?;
    Ok(out
        .into_inner()
        .expect("no rendering thread panics while holding the output list"))
}

/// Whether a changed path under `content/` can add, remove or be a document or asset;
/// an editor's temporary file beside the documents cannot.
fn could_be_document(rel: &Path) -> bool {
    let depth = rel.components().count();
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    let hidden = name.starts_with('.') || name.starts_with('_');
    let ext = rel.extension().map(|e| e.to_string_lossy());
    // content/incidents/<name>: a document, or a folder holding one.
    depth != 3 || (!hidden && ext.as_deref().is_none_or(|e| e == "md"))
}

/// An output as the server holds it; a copied file is read now, without following a
/// symbolic link (see [`read_asset`]).
fn served(root: &Path, o: Output) -> Result<(String, Served), Error> {
    Ok(match o {
        Output::Bytes { path, bytes } => (path, Served::Bytes(bytes.into())),
        Output::Copy { path, from } => {
            let bytes = read_asset(root, &from, &path)?;
            (path, Served::Asset(bytes.into()))
        }
    })
}

/// Reads a file the build copies (`from`, served at the output path `path`), refusing a
/// symbolic link in place of the file or of any folder the build walked to find it.
///
/// Those folders are the components `from` shares with `path` from the end (`img/a.png`
/// of `static/img/a.png`; `incidents/<id>/a.png` of `content/incidents/<id>/a.png`): the
/// walks that find copied files do not follow links there, so a link there appeared after
/// the walk. Folders above (a linked `themes/<name>`) are followed, as `gen build` does.
fn read_asset(root: &Path, from: &Path, path: &str) -> Result<Vec<u8>, Error> {
    let walked = path.split('/').filter(|s| !s.is_empty()).count();
    let comps: Vec<&std::ffi::OsStr> = from.components().map(|c| c.as_os_str()).collect();
    let shared = comps
        .iter()
        .rev()
        .zip(path.rsplit('/'))
        .take_while(|(c, p)| **c == std::ffi::OsStr::new(p))
        .count()
        .clamp(1, walked.max(1));
    let (base, below) = comps.split_at(comps.len() - shared.min(comps.len()));
    let base: PathBuf = base.iter().collect();
    let shown = from.strip_prefix(root).unwrap_or(from);
    open_no_follow(&base, below).map_err(|e| match e {
        NoFollow::Link(at) => {
            let at = at.strip_prefix(root).unwrap_or(&at).to_path_buf();
            let file = crate::diag::SourceFile::new(at, String::new());
            Error::Content(vec![Diagnostic::error(
                crate::diag::Code::Symlink,
                &file,
                None,
                "this is a symbolic link; gen does not follow links out of the site",
            )
            .with_help("copy the file into the site instead of linking it")])
        }
        NoFollow::NotAFile => Error::io(
            shown,
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a regular file"),
        ),
        NoFollow::Io(e) => Error::io(shown, e),
    })
}

/// Why [`open_no_follow`] refused or failed.
enum NoFollow {
    /// This path (the file or a folder on the way) is a symbolic link.
    Link(PathBuf),
    /// The file is a FIFO, a device, a folder…
    NotAFile,
    /// Any other failure (the file was deleted, say).
    Io(std::io::Error),
}

/// Reads `base/below…`, following links in `base` but not in any of `below`: each folder
/// is opened relative to the previous one with `O_NOFOLLOW`, so a link swapped in at any
/// moment is never followed.
#[cfg(target_os = "linux")]
fn open_no_follow(base: &Path, below: &[&std::ffi::OsStr]) -> Result<Vec<u8>, NoFollow> {
    use rustix::fs::{fstat, openat, statat, AtFlags, FileType, Mode, OFlags, CWD};
    use std::io::Read;
    let flags = OFlags::RDONLY | OFlags::CLOEXEC;
    let mut dir = openat(CWD, base, flags | OFlags::DIRECTORY, Mode::empty())
        .map_err(|e| NoFollow::Io(e.into()))?;
    let mut at = base.to_path_buf();
    for (n, name) in below.iter().enumerate() {
        at.push(name);
        let last = n + 1 == below.len();
        // NONBLOCK: opening a FIFO planted as the file must not hang the rebuild.
        let kind = if last {
            OFlags::NONBLOCK
        } else {
            OFlags::DIRECTORY
        };
        match openat(&dir, *name, flags | OFlags::NOFOLLOW | kind, Mode::empty()) {
            Ok(fd) => dir = fd,
            Err(e) => {
                let link = statat(&dir, *name, AtFlags::SYMLINK_NOFOLLOW)
                    .is_ok_and(|s| FileType::from_raw_mode(s.st_mode) == FileType::Symlink);
                return Err(if link {
                    NoFollow::Link(at)
                } else {
                    NoFollow::Io(e.into())
                });
            }
        }
    }
    let stat = fstat(&dir).map_err(|e| NoFollow::Io(e.into()))?;
    if below.is_empty() || FileType::from_raw_mode(stat.st_mode) != FileType::RegularFile {
        return Err(NoFollow::NotAFile);
    }
    let mut file = std::fs::File::from(dir);
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).map_err(NoFollow::Io)?;
    Ok(bytes)
}

/// Reads `base/below…`, refusing a link among `below`. Without `openat` and
/// `O_NOFOLLOW` at hand, a link swapped in between the check and the read is possible.
#[cfg(not(target_os = "linux"))]
fn open_no_follow(base: &Path, below: &[&std::ffi::OsStr]) -> Result<Vec<u8>, NoFollow> {
    let mut at = base.to_path_buf();
    for name in below {
        at.push(name);
        let meta = std::fs::symlink_metadata(&at).map_err(NoFollow::Io)?;
        if meta.file_type().is_symlink() {
            return Err(NoFollow::Link(at));
        }
    }
    let meta = std::fs::symlink_metadata(&at).map_err(NoFollow::Io)?;
    if below.is_empty() || !meta.is_file() {
        return Err(NoFollow::NotAFile);
    }
    std::fs::read(&at).map_err(NoFollow::Io)
}

/// Pages to re-render, in the order they are published.
#[derive(Debug)]
struct Plan {
    /// The edited documents' own pages.
    first: Vec<Page>,
    /// Every other page whose data changed.
    rest: Vec<Page>,
}

/// What an edit changed in one site, by index into its lists.
struct Changed {
    incident: Vec<bool>,
    row: Vec<bool>,
    meeting: Vec<bool>,
    /// The lists with a changed row, worked out by [`Changed::mark_lists`].
    lists: HashSet<List>,
    /// The lists with a changed incident.
    records: HashSet<List>,
}

impl Changed {
    fn new(site: &Site) -> Self {
        Changed {
            incident: vec![false; site.incidents.len()],
            row: vec![false; site.incidents.len()],
            meeting: vec![false; site.meetings.len()],
            lists: HashSet::new(),
            records: HashSet::new(),
        }
    }

    /// Marks every list of `site` that holds a changed row or incident: once per edit, so that
    /// asking each page of a list costs one lookup, not a walk of the list.
    fn mark_lists(&mut self, site: &Site) {
        let (row, incident) = (&self.row, &self.incident);
        self.lists = List::every(site)
            .filter(|l| l.members(site).any(|n| row[n]))
            .collect();
        self.records = List::every(site)
            .filter(|l| l.members(site).any(|n| incident[n]))
            .collect();
    }

    fn has(&self, d: Dep) -> bool {
        match d {
            // Any edit of an incident's file marks both.
            Dep::Incident(n) | Dep::Body(n) => self.incident[n],
            Dep::Row(n) => self.row[n],
            Dep::Meeting(n) => self.meeting[n],
            Dep::List(l) => self.lists.contains(&l),
            Dep::Records(l) => self.records.contains(&l),
        }
    }
}

/// The pages whose data differ between `old` and `new`, or `None` when the change is
/// structural and everything must be rendered.
///
/// Each page says what it shows ([`Page::depends`]); a page is rendered again when any
/// of it changed, asked of the old site as well as the new, since an edit can also take
/// something off a page (an incident moved to another meeting or year).
fn affected(old: &Site, new: &Site, dirs: &BTreeSet<String>) -> Option<Plan> {
    let same_ids = old.incidents.len() == new.incidents.len()
        && new
            .incidents
            .iter()
            .all(|i| old.incident_index(&i.id).is_some());
    let same_meetings = old.meetings.len() == new.meetings.len()
        && new
            .meetings
            .iter()
            .all(|m| old.meeting_index(&m.id).is_some());
    let same_years = old
        .years
        .iter()
        .map(|g| g.key)
        .eq(new.years.iter().map(|g| g.key));
    let same_operators = old
        .operators
        .iter()
        .map(|g| (&g.key, &g.slug))
        .eq(new.operators.iter().map(|g| (&g.key, &g.slug)));
    // A tag's page and name (its most used spelling) are part of the structure too.
    let same_tags = old.tags.groups.iter().map(|g| (&g.key, &g.slug)).eq(new
        .tags
        .groups
        .iter()
        .map(|g| (&g.key, &g.slug)));
    if !(same_ids && same_meetings && same_years && same_operators && same_tags) {
        return None;
    }
    let (mut in_old, mut in_new) = (Changed::new(old), Changed::new(new));
    let old_views = Views::new(old);
    let new_views = Views::new(new);
    for (nn, i) in new.incidents.iter().enumerate() {
        let on = old.incident_index(&i.id)?;
        let o = &old.incidents[on];
        let edited = !Arc::ptr_eq(&o.file, &i.file) || dirs.contains(&i.id);
        let moved = old.meeting_of(on).map(|m| &m.id) != new.meeting_of(nn).map(|m| &m.id);
        if edited || moved {
            in_old.incident[on] = true;
            in_new.incident[nn] = true;
        }
        // Tags and start decide which list pages show the row, and where.
        let listed_differently = o.causes != i.causes
            || o.started != i.started
            || !o
                .tags
                .iter()
                .map(|t| &t.value)
                .eq(i.tags.iter().map(|t| &t.value));
        if edited && (listed_differently || old_views.row(o) != new_views.row(i)) {
            in_old.row[on] = true;
            in_new.row[nn] = true;
        }
    }
    for (mn, m) in new.meetings.iter().enumerate() {
        let om = old.meeting_index(&m.id)?;
        if !Arc::ptr_eq(&old.meetings[om].file, &m.file) {
            in_old.meeting[om] = true;
            in_new.meeting[mn] = true;
        }
    }
    in_old.mark_lists(old);
    in_new.mark_lists(new);
    let mut pages: BTreeSet<Page> = render::pages::all(new)
        .into_iter()
        .filter(|p| shows(new, *p, &in_new))
        .collect();
    let mut by_path: Option<HashMap<String, Page>> = None;
    for p in render::pages::all(old) {
        if !shows(old, p, &in_old) {
            continue;
        }
        // The same page of the new site: at the same index unless the edit reordered.
        let path = p.path(old);
        if p.exists_in(new) && p.path(new) == path {
            pages.insert(p);
            continue;
        }
        let index = by_path.get_or_insert_with(|| {
            render::pages::all(new)
                .into_iter()
                .map(|q| (q.path(new), q))
                .collect()
        });
        // Same ids, years and operators: every page of the old site is in the new one.
        pages.insert(*index.get(&path)?);
    }
    let (first, rest) = pages
        .into_iter()
        .partition(|p| p.owner().is_some_and(|d| in_new.has(d)));
    Some(Plan { first, rest })
}

/// Whether page `p` of `site` shows anything that changed.
fn shows(site: &Site, p: Page, changed: &Changed) -> bool {
    let mut hit = false;
    p.depends(site, &mut |d| hit |= changed.has(d));
    hit
}
