//! Setup shared by the integration tests: fixture sites (`site`), running the `gen`
//! binary (`run`, `serve`), snapshots of a folder (`tree`) and the search index read back
//! (`search_index`).
//!
//! Each test file declares `mod common;` and uses what it needs.

// Each test binary uses only part of this module and of its re-exports.
#![allow(dead_code, unused_imports)]

pub(crate) mod run;
pub(crate) mod search_index;
pub(crate) mod serve;
pub(crate) mod site;
pub(crate) mod tree;

pub(crate) use run::{gen_cmd, Ran, GEN};
pub(crate) use search_index::index_keys;
pub(crate) use site::{
    read, repo, shipped, site, site_with_config, text, write, CONFIG, HEAD, INCIDENT,
};
pub(crate) use tree::{names, tree, Tree};
