//! Pages a rebuild need not render again.
//!
//! Every page gets a key: a BLAKE3 hash of everything it is rendered from. The write stage
//! keeps each page's key, with the files the page produced, in the previous generation's
//! manifest ([`crate::write`]); the next build keeps a page whose key is unchanged and whose
//! files are still as gen left them, without rendering it, and renders every other page.
//!
//! The key is coarse on purpose, so that no input can be forgotten: the site's part covers
//! gen itself (its version and executable), `config.toml` and the options (`--base-url`,
//! `--today`, `--edition`), the theme, every incident's and meeting's front matter, which incidents are
//! unpublished and why, and the list of files copied (assets, static files). A page adds
//! the bodies it shows: those of the incidents ([`Dep::Body`], with the state of the files
//! beside them, which printed documents embed) and meetings ([`Dep::Meeting`]) it depends
//! on. A front-matter edit thus renders every page again; a body edit only the pages that
//! show that body. Pages whose bodies gave warnings are not recorded, so their warnings
//! are reported by every build.

use std::sync::OnceLock;

use rayon::prelude::*;

use super::pages::{Dep, Page};
use super::theme::Theme;
use super::Output;
use crate::site::Site;

/// A page's key.
pub type Key = [u8; 32];

/// What the previous generation holds, as the build sees it.
pub trait Previous: Sync {
    /// When the previous generation holds page `page` rendered from `key`, with every file
    /// as gen left it: keeps those files in this build and returns their paths.
    fn keep(&self, page: &str, key: &Key) -> Option<Vec<String>>;

    /// Says that page `page` was rendered and produced `outputs` (all written): recorded
    /// as rendered from `key`, or not recorded (it is then rendered by the next build too).
    fn rendered(&self, page: &str, key: Option<Key>, outputs: Vec<String>);
}

/// No previous generation: every page is rendered and nothing is recorded.
pub struct Nothing;

impl Previous for Nothing {
    fn keep(&self, _page: &str, _key: &Key) -> Option<Vec<String>> {
        None
    }

    fn rendered(&self, _page: &str, _key: Option<Key>, _outputs: Vec<String>) {}
}

/// The keys of one build's pages.
pub(crate) struct Keys {
    site: blake3::Hash,
    /// Per incident, its body and the state of its assets' files (printed documents embed
    /// its images).
    bodies: Vec<blake3::Hash>,
}

/// Adds a length-prefixed field, so that no two lists of fields hash alike.
fn field(h: &mut blake3::Hasher, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// gen itself: its version and the executable running (path, size, modification time), so
/// that a new gen renders everything once. When the executable cannot be read, a value
/// new for every run, so that nothing is ever kept.
fn executable() -> &'static [u8] {
    static ID: OnceLock<Vec<u8>> = OnceLock::new();
    ID.get_or_init(|| {
        let mut id = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
        let stamp = std::env::current_exe()
            .and_then(|exe| std::fs::metadata(&exe).map(|m| (exe, m)))
            .and_then(|(exe, m)| Ok((exe, m.len(), m.modified()?)));
        match stamp {
            Ok((exe, len, modified)) => {
                id.extend_from_slice(exe.to_string_lossy().as_bytes());
                id.extend_from_slice(&len.to_le_bytes());
                let since = modified
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                id.extend_from_slice(&since.as_nanos().to_le_bytes());
            }
            Err(_) => id.extend_from_slice(&random()),
        }
        id
    })
}

impl Keys {
    /// The keys of `site` rendered with `theme`, which also copies the `extras` files.
    pub(crate) fn new(site: &Site, theme: &Theme, extras: &[Output]) -> Keys {
        let mut h = blake3::Hasher::new();
        field(&mut h, b"gen page key 2");
        field(&mut h, executable());
        field(&mut h, site.config.source_hash.as_bytes());
        field(&mut h, site.config.base_url.as_bytes());
        // `--edition` overrides config.toml: the edition is part of every page.
        field(
            &mut h,
            crate::model::Choice::as_str(site.config.edition).as_bytes(),
        );
        field(&mut h, site.today.to_string().as_bytes());
        field(&mut h, theme.fingerprint().as_bytes());
        // Each document's fields are hashed on its own, on every thread (megabytes of front
        // matter were one thread's work while the others waited), and the site's key
        // covers those hashes in order.
        let document = |id: &str, path: &std::path::Path, text: &str| {
            let mut h = blake3::Hasher::new();
            field(&mut h, id.as_bytes());
            field(&mut h, path.to_string_lossy().as_bytes());
            field(&mut h, text.as_bytes());
            h.finalize()
        };
        let incidents: Vec<blake3::Hash> = site
            .incidents
            .par_iter()
            .map(|i| document(&i.id, &i.file.path, &i.file.text))
            .collect();
        let meetings: Vec<blake3::Hash> = site
            .meetings
            .par_iter()
            .map(|m| document(&m.id, &m.file.path, &m.file.text))
            .collect();
        for d in &incidents {
            h.update(d.as_bytes());
        }
        field(&mut h, b"meetings");
        for d in &meetings {
            h.update(d.as_bytes());
        }
        field(&mut h, b"unpublished");
        for (id, why) in site.unpublished_incidents() {
            field(&mut h, id.as_bytes());
            field(&mut h, format!("{why:?}").as_bytes());
        }
        field(&mut h, b"copied");
        for o in extras {
            field(&mut h, o.path().as_bytes());
        }
        Keys {
            site: h.finalize(),
            bodies: site.incidents.par_iter().map(|i| body(i)).collect(),
        }
    }

    /// The key of `page`: the site's, the page's place, and the bodies it shows.
    pub(crate) fn page(&self, site: &Site, page: Page, path: &str) -> Key {
        // Gathered, then hashed at once: thousands of small updates cost more.
        let mut bytes = Vec::with_capacity(256);
        bytes.extend_from_slice(self.site.as_bytes());
        bytes.extend_from_slice(&(path.len() as u64).to_le_bytes());
        bytes.extend_from_slice(path.as_bytes());
        bytes.extend_from_slice(format!("{page:?}").as_bytes());
        page.depends(site, &mut |dep| match dep {
            Dep::Body(n) => {
                bytes.push(b'b');
                bytes.extend_from_slice(self.bodies[n].as_bytes());
            }
            Dep::Meeting(m) => {
                bytes.push(b'm');
                bytes.extend_from_slice(site.meetings[m].body_hash.as_bytes());
            }
            // Front matter only, which the site's part covers.
            Dep::Incident(_) | Dep::Row(_) | Dep::List(_) | Dep::Records(_) => {}
        });
        *blake3::hash(&bytes).as_bytes()
    }

    /// The key of the search index: the site's and every incident's body.
    pub(crate) fn search(&self, site: &Site) -> Key {
        let mut h = blake3::Hasher::new();
        field(&mut h, self.site.as_bytes());
        field(&mut h, b"search index");
        for i in &site.incidents {
            h.update(i.body_hash.as_bytes());
        }
        *h.finalize().as_bytes()
    }
}

/// An incident's body, and the state of its asset files as the file system tells it
/// (size, inode, modification and change times): the printed documents embed its images,
/// read when they render. A file that cannot be read gives a value new for every build.
fn body(i: &crate::model::Incident) -> blake3::Hash {
    if i.assets.is_empty() {
        return i.body_hash;
    }
    let mut h = blake3::Hasher::new();
    h.update(i.body_hash.as_bytes());
    for a in &i.assets {
        field(&mut h, a.path.as_bytes());
        match std::fs::symlink_metadata(&a.from) {
            Ok(meta) => field(&mut h, &stamp(&meta)),
            Err(_) => field(&mut h, &random()),
        }
    }
    h.finalize()
}

/// What changes whenever a file's contents could have: size, inode, modification and
/// change times (on Unix; size and modification time elsewhere).
fn stamp(meta: &std::fs::Metadata) -> Vec<u8> {
    let mut out = meta.len().to_le_bytes().to_vec();
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        for n in [
            meta.ino() as i64,
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    #[cfg(not(unix))]
    if let Ok(t) = meta.modified() {
        let since = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        out.extend_from_slice(&since.as_nanos().to_le_bytes());
    }
    out
}

/// A value new for every call.
fn random() -> [u8; 16] {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish()
            .to_le_bytes()
    };
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&half());
    out[8..].copy_from_slice(&half());
    out
}

/// Whether a page that shows `deps` shows a body with warnings (files in `warned`).
pub(crate) fn shows_warned(
    site: &Site,
    page: Page,
    warned: &std::collections::HashSet<&std::path::Path>,
) -> bool {
    if warned.is_empty() {
        return false;
    }
    let mut found = false;
    page.depends(site, &mut |dep| {
        let path = match dep {
            Dep::Body(n) => &site.incidents[n].file.path,
            Dep::Meeting(m) => &site.meetings[m].file.path,
            Dep::Incident(_) | Dep::Row(_) | Dep::List(_) | Dep::Records(_) => return,
        };
        found |= warned.contains(path.as_path());
    });
    found
}
