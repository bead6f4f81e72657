//! Fixture sites in temporary folders: a minimal config with the files a test gives, or a
//! copy of the shipped site.

use std::fs;
use std::path::Path;

use tempfile::TempDir;

/// The test config: a Japanese site in JST.
pub(crate) const CONFIG: &str = "title = \"T\"\nlanguage = \"ja\"\ntimezone = \"+09:00\"\n";

/// The front matter of a minimal valid incident, as a literal for `concat!`.
macro_rules! head {
    () => {
        "+++
title = \"A\"
operators = [\"Op\"]
started = 2024-01-15T11:50:00+09:00
causes = [\"human-error\"]
+++
"
    };
}

/// Front matter of a minimal valid incident. Line 1 is the opening `+++`, lines 2-5 the
/// four required fields, line 6 the closing `+++`; a body appended starts on line 7.
pub(crate) const HEAD: &str = head!();

/// A minimal valid incident: `HEAD`, a blank line and `Body.`.
pub(crate) const INCIDENT: &str = concat!(head!(), "\nBody.\n");

/// The repository: the shipped site and the test corpora live here.
pub(crate) fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A site with the test config and the given files (paths relative to the root).
pub(crate) fn site(files: &[(&str, &str)]) -> TempDir {
    site_with_config(CONFIG, files)
}

/// A site with `config` as its config.toml and the given files.
pub(crate) fn site_with_config(config: &str, files: &[(&str, &str)]) -> TempDir {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "config.toml", config);
    for (path, text) in files {
        write(dir.path(), path, text);
    }
    dir
}

/// Writes `root/path`, creating the folders on the way.
pub(crate) fn write(root: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let p = root.join(path);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, contents).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
}

/// The text of a page without tags (each tag read as a space), `&amp;` decoded and
/// whitespace collapsed: what a reader sees, for assertions on exact phrases.
pub(crate) fn text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&amp;", "&")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of a file; the panic names the file.
pub(crate) fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A copy of the shipped site: the repository's config.toml, content/ and themes/, except
/// themes/default: the binary embeds it, and a copy on disk would override every built-in
/// template, so the tests would no longer build with the embedded theme, nor see a
/// template the test itself adds as a new override.
pub(crate) fn shipped() -> TempDir {
    let dir = TempDir::new().unwrap();
    fs::copy(repo().join("config.toml"), dir.path().join("config.toml")).unwrap();
    copy_dir(&repo().join("content"), &dir.path().join("content"));
    if let Ok(themes) = fs::read_dir(repo().join("themes")) {
        for theme in themes {
            let theme = theme.unwrap();
            if theme.file_name() != "default" {
                let to = dir.path().join("themes").join(theme.file_name());
                copy_dir(&theme.path(), &to);
            }
        }
    }
    dir
}

/// Copies the folder `from` to `to`, file by file.
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let dest = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
}
