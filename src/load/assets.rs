//! Files published as they are: the assets beside an `<id>/index.md` and the site's
//! `static/` folder.
//!
//! Only regular files are published. Dotfiles and dot-folders (`.env`, `.git/`,
//! `.DS_Store`) are skipped; a symbolic link, a named pipe or device, an unreadable
//! folder, a non-UTF-8 name, two names differing only in case, a file where gen writes
//! a page, or (unless `unsafe_html`) an HTML, SVG or XML file that could run script
//! ([`super::active`]) is an error naming the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Diagnostic, SourceFile};

/// A file copied into the output byte for byte.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Path inside the output folder, `/`-separated.
    pub path: String,
    /// The file on disk.
    pub from: PathBuf,
}

/// The top-level folders of the output that gen fills with pages.
pub const SECTIONS: &[&str] = &[
    "incidents",
    "causes",
    "years",
    "operators",
    "meetings",
    "reports",
];

/// The assets of the incident whose folder is `dir` (`shown` is that folder relative to
/// the site root), published under `incidents/<id>/`. `index.md` is the document itself.
pub fn incident(
    dir: &Path,
    shown: &Path,
    id: &str,
    trust_html: bool,
) -> (Vec<Asset>, Vec<Diagnostic>) {
    // The page and the printable report are written beside the assets.
    let reserved = |rel: &str| matches!(rel, "index.html" | "report.html");
    list(
        dir,
        shown,
        &crate::routes::incident_dir(id),
        Some("index.md"),
        &reserved,
        trust_html,
    )
}

/// The files of a `static/` folder (`shown` relative to the site root), published at the
/// root of the output.
pub fn static_files(dir: &Path, shown: &Path, trust_html: bool) -> (Vec<Asset>, Vec<Diagnostic>) {
    list(dir, shown, "", None, &static_reserved, trust_html)
}

/// Whether a file of `static/` at `rel` would be published where gen writes a page or a
/// file for machines: `index.html`, `404.html`, the feed, the sitemap and its parts
/// (`sitemap-<n>.xml`, written past 50,000 URLs) (a `robots.txt` is
/// not: it replaces the one gen writes), or an `index.html` or `report.html` inside
/// one of the [`SECTIONS`] (`atom.xml` inside `causes/` and `operators/`).
pub fn static_reserved(rel: &str) -> bool {
    if matches!(rel, "index.html" | "404.html" | "atom.xml" | "sitemap.xml")
        || crate::routes::is_sitemap_part(rel)
    {
        return true;
    }
    let (top, _) = rel.split_once('/').unwrap_or((rel, ""));
    let last = rel.rsplit('/').next().unwrap_or(rel);
    (SECTIONS.contains(&top) && matches!(last, "index.html" | "report.html"))
        || (matches!(top, "causes" | "operators") && last == "atom.xml")
}

/// The `/`-separated name of a walked entry below `dir`: `None` for a folder, an error for
/// a link, a device or a name that is not UTF-8.
fn file_name(
    entry: &walkdir::DirEntry,
    dir: &Path,
    file: &dyn Fn() -> std::sync::Arc<crate::diag::SourceFile>,
) -> Result<Option<String>, Diagnostic> {
    let path = entry.path();
    let rel = path.strip_prefix(dir).unwrap_or(path);
    if entry.path_is_symlink() {
        return Err(Diagnostic::error(
            crate::diag::Code::Symlink,
            &file(),
            None,
            "this asset is a symbolic link; gen does not follow links out of the site",
        )
        .with_help("copy the file into the incident's folder instead of linking it"));
    }
    let kind = entry.file_type();
    if kind.is_dir() {
        return Ok(None);
    }
    if !kind.is_file() {
        return Err(Diagnostic::error(
            crate::diag::Code::NotAFile,
            &file(),
            None,
            "this is not a regular file (a named pipe, socket or device); gen publishes only files",
        )
        .with_help("remove it from the site"));
    }
    let Some(parts) = rel
        .components()
        .map(|c| c.as_os_str().to_str())
        .collect::<Option<Vec<&str>>>()
    else {
        return Err(Diagnostic::error(
            crate::diag::Code::InvalidName,
            &file(),
            None,
            "this file name is not valid UTF-8, so it cannot be part of a URL",
        )
        .with_help("rename the file"));
    };
    Ok(Some(parts.join("/")))
}

/// The active content of an HTML, SVG or XML asset, or why it cannot be read.
fn active_content(
    path: &Path,
    rel: &str,
    file: &dyn Fn() -> std::sync::Arc<crate::diag::SourceFile>,
) -> Option<Diagnostic> {
    if super::active::kind(rel) == super::active::Kind::Inert {
        return None;
    }
    match std::fs::read(path) {
        Ok(bytes) => super::active::check(&file().path, rel, &bytes),
        Err(e) => Some(
            Diagnostic::error(
                crate::diag::Code::Unreadable,
                &file(),
                None,
                format!("cannot read this file: {e}"),
            )
            .with_help("check its permissions, or move it out of the site"),
        ),
    }
}

/// Every regular file under `dir`, sorted by path, to be published at `to` + its path
/// relative to `dir`, except `document` (the `index.md` beside its assets), which is not
/// copied; a file at a relative path `reserved` says a page is written to is an error, and
/// so is a document that would run script, unless `trust_html`.
/// Problems are diagnostics, each naming its file; the files without problems are still
/// listed.
pub fn list(
    dir: &Path,
    shown: &Path,
    to: &str,
    document: Option<&str>,
    reserved: &dyn Fn(&str) -> bool,
    trust_html: bool,
) -> (Vec<Asset>, Vec<Diagnostic>) {
    let mut out: Vec<Asset> = Vec::new();
    let mut diags = Vec::new();
    // Lower-cased output path → index in `out`, for collisions on case-insensitive disks.
    let mut lower: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let walk = walkdir::WalkDir::new(dir)
        .min_depth(1)
        .sort_by_file_name()
        .into_iter()
        // Dotfiles and dot-folders are private (`.env`, `.git/`, `.DS_Store`): never
        // published, and a dot-folder is not even entered.
        .filter_entry(|e| !e.file_name().as_encoded_bytes().starts_with(b"."));
    for entry in walk {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().unwrap_or(dir);
                let file = whole(shown, dir, at);
                diags.push(
                    Diagnostic::error(
                        crate::diag::Code::Unreadable,
                        &file,
                        None,
                        format!("cannot read this folder: {}", io_reason(&e)),
                    )
                    .with_help("check its permissions, or move it out of the site"),
                );
                continue;
            }
        };
        let path = entry.path();
        let file = || whole(shown, dir, path);
        let rel = match file_name(&entry, dir, &file) {
            Ok(Some(rel)) => rel,
            Ok(None) => continue,
            Err(d) => {
                diags.push(d);
                continue;
            }
        };
        if document == Some(rel.as_str()) {
            continue;
        }
        let published = format!("{to}{rel}");
        // Lower-cased: `Index.html` takes the page's place on a case-insensitive disk.
        if reserved(&rel.to_lowercase()) {
            diags.push(
                Diagnostic::error(
                    crate::diag::Code::PageCollision,
                    &file(),
                    None,
                    format!("this file would be published as {published}, where gen writes a page"),
                )
                .with_help("rename the file or move it into another folder"),
            );
            continue;
        }
        match lower.entry(published.to_lowercase()) {
            std::collections::hash_map::Entry::Occupied(e) => {
                diags.push(
                    Diagnostic::error(
                        crate::diag::Code::CaseCollision,
                        &file(),
                        None,
                        format!(
                            "this asset and {} differ only in case: they would collide on case-insensitive file systems",
                            out[*e.get()].path
                        ),
                    )
                    .with_help("rename one of them"),
                );
            }
            std::collections::hash_map::Entry::Vacant(e) => {
                if !trust_html {
                    if let Some(d) = active_content(path, &rel, &file) {
                        diags.push(d);
                        continue;
                    }
                }
                e.insert(out.len());
                out.push(Asset {
                    path: published,
                    from: path.to_path_buf(),
                });
            }
        }
    }
    (out, diags)
}

/// A whole-file diagnostic target: `at` (under `dir`) as the user knows it.
fn whole(shown: &Path, dir: &Path, at: &Path) -> Arc<SourceFile> {
    SourceFile::new(
        shown.join(at.strip_prefix(dir).unwrap_or(at)),
        String::new(),
    )
}

/// The operating system's reason for a walk error, without walkdir's path prefix.
fn io_reason(e: &walkdir::Error) -> String {
    e.io_error()
        .map_or_else(|| e.to_string(), std::string::ToString::to_string)
}
