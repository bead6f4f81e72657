//! `gen init`: a new site with an example incident showing every field.

use std::fs;
use std::path::Path;

use crate::error::Error;

const CONFIG: &str = include_str!("init/config.toml");
const EXAMPLE: &str = include_str!("init/example.md");

/// Creates a site in `dir`; refuses to overwrite an existing `config.toml` or content.
pub fn init(dir: &Path) -> Result<(), Error> {
    if dir.join("config.toml").exists() || dir.join("content").exists() {
        return Err(Error::Usage(format!(
            "{} already holds a site (config.toml or content/ exists); nothing was changed\n  help: run gen init with a new folder name, e.g. gen init my-postmortems",
            dir.display()
        )));
    }
    let incidents = dir.join("content").join("incidents");
    let meetings = dir.join("content").join("meetings");
    for d in [&incidents, &meetings] {
        fs::create_dir_all(d).map_err(|e| Error::io(d, e))?;
    }
    let files = [
        (dir.join("config.toml"), CONFIG),
        (incidents.join("2024-01-15-example.md"), EXAMPLE),
        (meetings.join(".gitkeep"), ""),
        (dir.join(".gitignore"), "output/\n"),
    ];
    for (path, text) in files {
        fs::write(&path, text).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}
