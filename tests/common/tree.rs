//! Snapshots of a folder, to assert that a build left it untouched or wrote the same bytes.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// One entry under a snapshotted folder. Links are recorded, never followed.
#[derive(Clone, PartialEq, Eq)]
pub(crate) enum Node {
    /// A folder.
    Dir,
    /// A file and its bytes.
    File(Vec<u8>),
    /// A symbolic link and where it points.
    Link(PathBuf),
}

/// Every folder, file and link under a folder, by path relative to it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Tree(BTreeMap<PathBuf, Node>);

/// Snapshots everything under `dir` (not `dir` itself).
pub(crate) fn tree(dir: &Path) -> Tree {
    let mut nodes = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.unwrap();
        let kind = entry.file_type();
        let node = if kind.is_dir() {
            Node::Dir
        } else if kind.is_symlink() {
            Node::Link(fs::read_link(entry.path()).unwrap())
        } else {
            Node::File(fs::read(entry.path()).unwrap())
        };
        let rel = entry.path().strip_prefix(dir).unwrap().to_path_buf();
        nodes.insert(rel, node);
    }
    Tree(nodes)
}

impl Tree {
    /// The files, by relative path, with their bytes.
    pub(crate) fn files(&self) -> impl Iterator<Item = (&Path, &[u8])> {
        self.0.iter().filter_map(|(path, node)| match node {
            Node::File(bytes) => Some((path.as_path(), bytes.as_slice())),
            _ => None,
        })
    }

    /// How many entries it holds.
    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }
}

/// Paths with sizes and a short checksum: a failed comparison shows what differs without
/// printing every byte.
impl fmt::Debug for Tree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut list = f.debug_map();
        for (path, node) in &self.0 {
            match node {
                Node::Dir => list.entry(path, &format_args!("folder")),
                Node::Link(to) => list.entry(path, &format_args!("link to {}", to.display())),
                Node::File(bytes) => list.entry(
                    path,
                    &format_args!("{} bytes, fnv {:016x}", bytes.len(), fnv(bytes)),
                ),
            };
        }
        list.finish()
    }
}

/// FNV-1a: enough to tell two contents apart in a failure message.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The names in a folder (not below it), sorted.
pub(crate) fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}
