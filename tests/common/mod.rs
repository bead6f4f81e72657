//! Setup shared by the integration tests: fixture sites (`site`), running the `gen`
//! binary (`run`, `serve`) and snapshots of a folder (`tree`).
//!
//! Each test file declares `mod common;` and uses what it needs.

// Each test binary uses only part of this module and of its re-exports.
#![allow(dead_code, unused_imports)]

pub(crate) mod run;
pub(crate) mod serve;
pub(crate) mod site;
pub(crate) mod tree;

pub(crate) use run::{gen_cmd, Ran, GEN};
pub(crate) use site::{
    read, repo, shipped, site, site_with_config, text, write, CONFIG, HEAD, INCIDENT,
};
pub(crate) use tree::{names, tree, Tree};
