//! gen: a static-site generator for incident postmortems.
//!
//! The pipeline, one module per stage, each using only the stages before it:
//! [`load`] (walk `content/`, split front matter) → [`model`] (typed, validated incidents
//! and meetings, with [`diag`]nostics) → [`site`] (cross-references, indexes, derived
//! figures) → [`render`] (markdown, highlighting, templates) → [`write`] (staged output,
//! swapped in only on success). [`cli`] is a thin layer over [`build`] and [`check`].

pub mod calendar;
pub mod cli;
pub mod config;
pub mod diag;
pub mod error;
pub(crate) mod init;
pub mod load;
pub mod memory;
pub mod model;
pub mod pdf;
pub mod render;
pub mod routes;
pub mod serve;
pub mod site;
pub mod term;
mod toml_read;
pub mod write;

use std::path::PathBuf;

pub use config::Config;
pub use diag::Diagnostic;
pub use error::Error;
pub use site::Site;

/// What to build and where.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// The site root (holding `config.toml` and `content/`).
    pub root: PathBuf,
    /// The output folder (default `ROOT/output`).
    pub output: Option<PathBuf>,
    /// Overrides `base_url` from the config.
    pub base_url: Option<String>,
    /// Include `status = "draft"` incidents.
    pub drafts: bool,
    /// Replace an output folder gen did not write.
    pub force: bool,
}

impl BuildOptions {
    /// Options for the site at `root` with every default.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            force: false,
        }
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("output"))
    }
}

/// Loads, validates and indexes the site; every content problem is reported together.
pub fn load_site(opts: &BuildOptions) -> Result<Site, Error> {
    let config = load_config(&opts.root, opts.base_url.as_deref())?;
    let (docs, known, mut diags) = load::load_content(&opts.root, config.unsafe_html)?;
    let (incidents, meetings, mut more) = model::decode_all(&docs, &config);
    diags.append(&mut more);
    assemble(config, incidents, meetings, &known, opts.drafts, diags)
}

/// Reads `config.toml`, with `base_url` overridden (and given its final slash) when asked.
pub(crate) fn load_config(root: &std::path::Path, base_url: Option<&str>) -> Result<Config, Error> {
    let mut config = Config::load(root)?;
    if let Some(url) = base_url {
        config.base_url = if url.ends_with('/') {
            url.to_string()
        } else {
            format!("{url}/")
        };
    }
    Ok(config)
}

/// Builds the site from what decoded, or reports `diags` (the load and decode problems)
/// together with the site's own cross-checks, which still run so that everything is
/// reported at once.
pub(crate) fn assemble(
    config: Config,
    incidents: Vec<std::sync::Arc<model::Incident>>,
    meetings: Vec<model::Meeting>,
    known: &load::KnownIds,
    drafts: bool,
    mut diags: Vec<Diagnostic>,
) -> Result<Site, Error> {
    match site::Site::build(config, incidents, meetings, known, drafts) {
        Ok(s) if diags.is_empty() => Ok(s),
        Ok(_) => {
            diag::sort(&mut diags);
            Err(Error::Content(diags))
        }
        Err(mut more) => {
            diags.append(&mut more);
            diag::sort(&mut diags);
            Err(Error::Content(diags))
        }
    }
}

/// Validates the site without writing anything.
pub fn check(opts: &BuildOptions) -> Result<Site, Error> {
    let site = load_site(opts)?;
    // Templates are part of the check: a theme that does not render is an error.
    let theme = render::theme::Theme::load(&opts.root, &site.config.theme)?;
    render::render_site(&site, &theme, &|_| Ok(()))?;
    Ok(site)
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// Every file written, relative to the output folder, in order.
    pub files: Vec<String>,
    /// Incidents published.
    pub incidents: usize,
    /// The output folder.
    pub output: PathBuf,
}

/// Builds the site into the output folder. On any error the previous output is untouched.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, Error> {
    build_site(opts).map(|(report, _, _)| report)
}

/// Builds like [`build`] and also returns the site and theme, for output formats made
/// from the built site (PDF).
pub fn build_site(opts: &BuildOptions) -> Result<(BuildReport, Site, render::theme::Theme), Error> {
    build_observed(opts, &|| {})
}

/// Builds like [`build_site`], calling `written` after each file is written (from any
/// thread), for progress display.
pub fn build_observed(
    opts: &BuildOptions,
    written: &(dyn Fn() + Sync),
) -> Result<(BuildReport, Site, render::theme::Theme), Error> {
    let output = opts.output_dir();
    // Resolved once, so that `nothere/../site` is the site; refused before any work.
    let dest = write::Destination::resolve(&output)?;
    dest.check(&opts.root, opts.force)?;
    write::recover(dest.path())?;
    let site = load_site(opts)?;
    let theme = render::theme::Theme::load(&opts.root, &site.config.theme)?;
    let staging = write::Staging::new(&opts.root, &dest, opts.force)?;
    let files = render::render_site(&site, &theme, &|f| {
        staging.write(&f)?;
        written();
        Ok(())
    })?;
    staging.commit()?;
    let report = BuildReport {
        pages: files.iter().filter(|f| f.ends_with(".html")).count(),
        files,
        incidents: site.incidents.len(),
        output,
    };
    Ok((report, site, theme))
}
