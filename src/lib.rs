//! gen: a static-site generator for incident postmortems.
//!
//! The pipeline, one module per stage, each using only the stages before it:
//! [`load`] (walk `content/`, split front matter) → [`model`] (typed, validated incidents
//! and meetings, with [`diag`]nostics) → [`site`] (cross-references, indexes, derived
//! figures) → [`render`] (markdown, highlighting, templates) → [`write`] (the previous
//! generation brought up to date in place, swapped in only on success). [`cli`] is a thin layer over [`build`] and [`check`].

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
    /// The day due dates are judged against (overdue countermeasures); see [`today`].
    pub today: chrono::NaiveDate,
    /// Fail, writing nothing, when there are warnings.
    pub deny_warnings: bool,
    /// Overrides `edition` from the config (`--edition`).
    pub edition: Option<config::Edition>,
}

impl BuildOptions {
    /// Options for the site at `root` with every default; `today` is the build day in
    /// the default timezone (+09:00): the command line resolves it with [`today`] in the
    /// site's own.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self {
            root: root.into(),
            output: None,
            base_url: None,
            drafts: false,
            force: false,
            today: chrono::Utc::now()
                .with_timezone(&config::default_timezone())
                .date_naive(),
            deny_warnings: false,
            edition: None,
        }
    }

    /// The output folder.
    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("output"))
    }
}

/// The as-of date of a build or check, in the site's timezone `tz`: `given` (`--today`),
/// else `SOURCE_DATE_EPOCH` (seconds since 1970-01-01 UTC, for reproducible builds),
/// else the day it is now. A `SOURCE_DATE_EPOCH` that is not a whole number of seconds
/// is a usage error rather than silently the build day.
pub fn today(
    given: Option<chrono::NaiveDate>,
    tz: chrono::FixedOffset,
) -> Result<chrono::NaiveDate, Error> {
    let epoch = std::env::var("SOURCE_DATE_EPOCH").ok();
    today_from(given, epoch.as_deref(), chrono::Utc::now(), tz)
}

/// [`today`] with the environment and the clock given.
fn today_from(
    given: Option<chrono::NaiveDate>,
    epoch: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
    tz: chrono::FixedOffset,
) -> Result<chrono::NaiveDate, Error> {
    if let Some(d) = given {
        return Ok(d);
    }
    let at = match epoch.map(str::trim).filter(|e| !e.is_empty()) {
        None => now,
        Some(e) => e
            .parse::<i64>()
            .ok()
            .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .ok_or_else(|| {
                Error::usage_help(
                    format!("SOURCE_DATE_EPOCH is not a number of seconds since 1970-01-01: \"{}\"", diag::visible(e)),
                    "set it to a whole number such as 1704067200, unset it, or pass --today YYYY-MM-DD",
                )
            })?,
    };
    Ok(at.with_timezone(&tz).date_naive())
}

/// Loads, validates and indexes the site; every content problem is reported together.
pub fn load_site(opts: &BuildOptions) -> Result<Site, Error> {
    let (site, diags) = load_partial(opts)?;
    if diags.is_empty() {
        Ok(site)
    } else {
        Err(Error::Content(diags))
    }
}

/// Loads the site from every document that decoded, with the errors of the others and of
/// the cross-references beside it (sorted). `Err` only when nothing can be loaded: the
/// config, or a folder that cannot be read.
pub fn load_partial(opts: &BuildOptions) -> Result<(Site, Vec<Diagnostic>), Error> {
    let config = load_config(&opts.root, opts.base_url.as_deref(), opts.edition)?;
    let (docs, known, mut diags) = load::load_content(&opts.root, config.unsafe_html)?;
    let (incidents, meetings, mut more) = model::decode_all(&docs, &config);
    diags.append(&mut more);
    let (site, mut refs) =
        Site::build_partial(config, incidents, meetings, &known, opts.drafts, opts.today);
    diags.append(&mut refs);
    diag::sort(&mut diags);
    Ok((site, diags))
}

/// Reads `config.toml`, with `base_url` overridden (and given its final slash) and the
/// edition overridden when asked.
pub(crate) fn load_config(
    root: &std::path::Path,
    base_url: Option<&str>,
    edition: Option<config::Edition>,
) -> Result<Config, Error> {
    let mut config = Config::load(root)?;
    if let Some(edition) = edition {
        config.edition = edition;
    }
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
    (drafts, today): (bool, chrono::NaiveDate),
    mut diags: Vec<Diagnostic>,
) -> Result<Site, Error> {
    match site::Site::build(config, incidents, meetings, known, drafts, today) {
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

/// Everything a check of the site found.
#[derive(Debug)]
pub struct Findings {
    /// The site from every document that decoded (all of them when there are no errors).
    pub site: Site,
    /// Every error, sorted by file and place.
    pub errors: Vec<Diagnostic>,
    /// Every warning, sorted by file and place.
    pub warnings: Vec<Diagnostic>,
}

/// Validates the site without writing anything and reports every error and warning at
/// once: the cross-references, bodies (links, images) and templates of every document
/// that decoded are checked even when other documents have errors. `Err` only for what
/// stops before the content can be read (the config, an unreadable folder).
///
/// Both editions are checked (docs/format.md, "Editions"): the site's own, whose site is
/// returned, and the other; a problem both find is reported once.
pub fn inspect(opts: &BuildOptions) -> Result<Findings, Error> {
    let (site, errors) = load_partial(opts)?;
    let mut found = findings(site, errors, opts)?;
    let other = BuildOptions {
        edition: Some(match found.site.config.edition {
            config::Edition::Public => config::Edition::Internal,
            config::Edition::Internal => config::Edition::Public,
        }),
        ..opts.clone()
    };
    let (site, errors) = load_partial(&other)?;
    let more = findings(site, errors, &other)?;
    found.errors.extend(more.errors);
    found.warnings.extend(more.warnings);
    sort_once(&mut found.errors);
    sort_once(&mut found.warnings);
    Ok(found)
}

/// Sorts diagnostics and drops repeats (the same problem found twice: by two checks, or
/// in both editions).
fn sort_once(list: &mut Vec<Diagnostic>) {
    diag::sort(list);
    list.dedup_by(|a, b| {
        a.code == b.code && a.file.path == b.file.path && a.span == b.span && a.message == b.message
    });
}

/// Renders `site` without writing and adds what that finds, and the site's warnings, to
/// the `errors` of loading it.
fn findings(
    site: Site,
    mut errors: Vec<Diagnostic>,
    opts: &BuildOptions,
) -> Result<Findings, Error> {
    let mut warnings = site.warnings(opts.today);
    // Templates are part of the check: a theme that does not render is an error.
    match render::theme::Theme::load(&opts.root, &site.config.theme) {
        Ok(theme) => match render::check_site(&site, &theme) {
            Ok((_, mut w)) => warnings.append(&mut w),
            Err(Error::Content(found)) => {
                for d in found {
                    match d.severity {
                        diag::Severity::Error => errors.push(d),
                        diag::Severity::Warning => warnings.push(d),
                    }
                }
            }
            Err(e) => return Err(e),
        },
        Err(Error::Content(mut d)) => errors.append(&mut d),
        Err(e) => return Err(e),
    }
    // The site's static/ is checked when it loads and again when it is listed.
    sort_once(&mut errors);
    sort_once(&mut warnings);
    Ok(Findings {
        site,
        errors,
        warnings,
    })
}

/// Validates the site without writing anything: the site, or every error (see
/// [`inspect`], which also gives the warnings).
pub fn check(opts: &BuildOptions) -> Result<Site, Error> {
    let found = inspect(opts)?;
    if found.errors.is_empty() {
        Ok(found.site)
    } else {
        Err(Error::Content(found.errors))
    }
}

/// What a build produced.
#[derive(Debug)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// Every file of the output, relative to the output folder, in order.
    pub files: Vec<String>,
    /// The files this build wrote, sorted; the others were kept byte for byte from the
    /// previous generation (docs/guarantees.md).
    pub written: Vec<String>,
    /// Pages (and the search index) kept from the previous generation without rendering
    /// them: nothing they show changed ([`render::reuse`]).
    pub kept_pages: usize,
    /// The pages this build rendered, by path (the search index as `search/data/`), sorted.
    pub rendered_pages: Vec<String>,
    /// Incidents published.
    pub incidents: usize,
    /// The output folder.
    pub output: PathBuf,
    /// The site's warnings and its bodies', sorted (the build went on).
    pub warnings: Vec<Diagnostic>,
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
    let (site, errors) = load_partial(opts)?;
    if !errors.is_empty() {
        // Every error at once, as `gen check` reports them; warnings wait for a build
        // that can go on.
        return Err(Error::Content(findings(site, errors, opts)?.errors));
    }
    let theme = render::theme::Theme::load(&opts.root, &site.config.theme)?;
    let staging = write::Staging::new(&opts.root, &dest, opts.force)?;
    // The site's own warnings (tens of thousands of overdue countermeasures on a large
    // site) are worked out while the pages render, not on one CPU after them.
    let ((staging, rendered), mut warnings) = std::thread::scope(|s| {
        let lint = s.spawn(|| site.warnings(opts.today));
        let rendered = render_into(&site, &theme, staging, written);
        let warnings = lint
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        rendered.map(|r| (r, warnings))
    })?;
    let (files, mut body_warnings) = match rendered {
        Ok(r) => r,
        // Errors only: the warnings are for a build that succeeds.
        Err(Error::Content(d)) => {
            return Err(Error::Content(
                d.into_iter()
                    .filter(|d| d.severity == diag::Severity::Error)
                    .collect(),
            ))
        }
        Err(e) => return Err(e),
    };
    warnings.append(&mut body_warnings);
    diag::sort(&mut warnings);
    if opts.deny_warnings && !warnings.is_empty() {
        // Dropping the staging folder leaves the previous output as it was.
        return Err(Error::Content(warnings));
    }
    let written = staging.written();
    let kept_pages = staging.kept_pages();
    let rendered_pages = staging.rendered_pages();
    staging.commit()?;
    let report = BuildReport {
        written,
        kept_pages,
        rendered_pages,
        pages: files.iter().filter(|f| f.ends_with(".html")).count(),
        files,
        incidents: site.incidents.len(),
        output,
        warnings,
    };
    Ok((report, site, theme))
}

/// What [`render_into`] gives: the files and body warnings, or the content errors, of
/// rendering.
type Rendered = Result<(Vec<String>, Vec<Diagnostic>), Error>;

/// Renders `site` into `staging` and settles it; when the previous generation cannot be
/// updated in place (say, it was made read-only), that is not a failed build: it is built
/// again into a new folder, once. `Err` for what stops the build at once.
fn render_into(
    site: &Site,
    theme: &render::theme::Theme,
    mut staging: write::Staging,
    written: &(dyn Fn() + Sync),
) -> Result<(write::Staging, Rendered), Error> {
    loop {
        let rendered = render::render_site_warned(
            site,
            theme,
            &|f| {
                staging.write(&f)?;
                written();
                Ok(())
            },
            Some(&staging),
        )
        .and_then(|r| staging.settle().map(|()| r));
        if !staging.update_failed() {
            return Ok((staging, rendered));
        }
        staging = staging.abandon()?;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_given_else_source_date_epoch_else_now() {
        let jst = config::default_timezone();
        let utc = chrono::FixedOffset::east_opt(0).unwrap();
        let now = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let day = |y, m, d| chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let given = Some(day(2026, 12, 2));
        assert_eq!(
            today_from(given, Some("0"), now, jst).unwrap(),
            day(2026, 12, 2)
        );
        // 2023-12-31T15:00:00Z is already 2024-01-01 in Japan.
        assert_eq!(
            today_from(None, Some("1704034800"), now, jst).unwrap(),
            day(2024, 1, 1)
        );
        assert_eq!(
            today_from(None, Some("1704034800"), now, utc).unwrap(),
            day(2023, 12, 31)
        );
        assert_eq!(today_from(None, None, now, jst).unwrap(), day(2023, 11, 15));
        assert_eq!(
            today_from(None, Some(""), now, jst).unwrap(),
            day(2023, 11, 15)
        );
        let err = today_from(None, Some("yesterday"), now, jst).unwrap_err();
        assert_eq!(
            err.to_string(),
            "SOURCE_DATE_EPOCH is not a number of seconds since 1970-01-01: \"yesterday\"\n  help: set it to a whole number such as 1704067200, unset it, or pass --today YYYY-MM-DD"
        );
    }
}
