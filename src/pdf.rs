//! `gen pdf`: prints the printable documents of a built site to PDF with headless Chromium.
//!
//! Meeting packets are printed twice: once part by part to learn on which page each
//! section starts (Chromium has no `target-counter()`), then whole with those page
//! numbers in the contents.
//!
//! The site it prints is built into a private temporary folder: `gen pdf` never writes
//! or removes anything in the site's output folder. Each PDF is printed to a temporary
//! file beside its final name and renamed into place, so a failed print leaves the PDF
//! of an earlier run as it was, and other PDFs in the folder are never touched.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::error::Error;
use crate::render::documents;
use crate::render::theme::Theme;
use crate::{BuildOptions, Site};

mod metadata;

/// Which documents to print.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Meeting ids (packets).
    pub meetings: Vec<String>,
    /// Incident ids (reports).
    pub incidents: Vec<String>,
    /// Years (annual reports).
    pub years: Vec<i32>,
    /// Every packet, report and annual report.
    pub all: bool,
    /// Which packet of a meeting: before it (agenda) or after it (minutes).
    pub stage: documents::Stage,
}

/// Where PDFs go and which browser prints them.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// The build.
    pub build: BuildOptions,
    /// The documents.
    pub selection: Selection,
    /// Output folder for PDFs [default: ROOT/pdf, see [`default_dir`]].
    pub out_dir: Option<PathBuf>,
    /// The browser [default: GEN_BROWSER, then chromium, chromium-browser, google-chrome on PATH].
    pub browser: Option<PathBuf>,
}

const CANDIDATES: &[&str] = &[
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

/// Finds the browser: `--browser`, then `GEN_BROWSER`, then the usual names on PATH.
pub fn find_browser(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    let given = explicit.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("GEN_BROWSER")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    if let Some(path) = given {
        return if path.is_file() {
            Ok(path)
        } else {
            Err(Error::usage_help(
                format!("the browser {} does not exist", path.display()),
                "pass --browser with the path of Chromium or Chrome, or unset GEN_BROWSER",
            ))
        };
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in CANDIDATES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Ok(candidate);
            }
        }
    }
    Err(Error::usage_help(
        "no browser found to print PDFs: gen looked for chromium, chromium-browser, google-chrome and google-chrome-stable on PATH",
        "install one (on Debian or Ubuntu: sudo apt-get install chromium), or pass --browser PATH or set GEN_BROWSER",
    ))
}

/// One document to print.
#[derive(Debug, Clone)]
struct Job {
    /// `meeting`, `incident` or `year`.
    kind: &'static str,
    /// Its id.
    id: String,
    /// The built HTML file.
    html: PathBuf,
    /// For packets: the meeting's index in the site.
    meeting: Option<usize>,
}

/// What `gen pdf` prints, from the page registry's printable documents: the command's
/// name for each (`--meeting`, `--incident`, `--year`, and the PDF's name), the registry
/// kind, and how an unknown id is described.
/// Incidents are found by their pages: the build writes their reports only with
/// `incident_reports = true`, and [`run`] renders the ones it prints otherwise.
const PRINTABLE: [(&str, &str, &str); 3] = [
    ("meeting", "meeting-packet", "meeting"),
    ("incident", "incident", "incident"),
    ("year", "annual-report", "year with incidents"),
];

fn jobs(site: &Site, output: &Path, sel: &Selection) -> Result<Vec<Job>, Error> {
    let listing = crate::render::pages::listing(site);
    let years: Vec<String> = sel.years.iter().map(i32::to_string).collect();
    let mut out = Vec::new();
    for (name, kind, what) in PRINTABLE {
        let docs: Vec<&crate::render::Route> = listing.iter().filter(|r| r.kind == kind).collect();
        let wanted: &[String] = match name {
            "meeting" => &sel.meetings,
            "incident" => &sel.incidents,
            _ => &years,
        };
        let chosen: Vec<&crate::render::Route> = if sel.all {
            docs
        } else {
            wanted
                .iter()
                .map(|id| {
                    docs.iter().find(|r| &r.id == id).copied().ok_or_else(|| {
                        unknown(what, id, docs.iter().map(|r| r.id.clone()).collect())
                    })
                })
                .collect::<Result<_, _>>()?
        };
        out.extend(chosen.into_iter().map(|r| {
            let path = match name {
                "incident" => crate::routes::incident_report(&r.id),
                _ => r.path.clone(),
            };
            Job {
                kind: name,
                id: r.id.clone(),
                html: output.join(path),
                meeting: (name == "meeting")
                    .then(|| site.meeting_index(&r.id))
                    .flatten(),
            }
        }));
    }
    if out.is_empty() {
        return Err(Error::usage_help(
            "nothing to print",
            "choose --meeting ID, --incident ID, --year YYYY or --all",
        ));
    }
    Ok(out)
}

/// The usage error for an id that names nothing printable.
fn unknown(what: &str, id: &str, known: Vec<String>) -> Error {
    Error::usage_help(
        format!("there is no {what} \"{id}\""),
        format!(
            "known: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ),
    )
}

/// Where PDFs go without `--output`: `ROOT/pdf`, beside the site's output folder and not
/// inside it, because `gen build` replaces the output folder whole.
pub fn default_dir(root: &Path) -> PathBuf {
    root.join("pdf")
}

/// The prefix of every scratch folder in the system's temporary folder.
const SCRATCH_PREFIX: &str = "gen-pdf-";

/// A scratch folder removed when dropped (also while a panic unwinds).
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Result<Scratch, Error> {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "{SCRATCH_PREFIX}{}-{}-{tag}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        // A fresh name only: never write into a folder someone else made.
        std::fs::create_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        Ok(Scratch(dir))
    }
}

/// Removes scratch folders left by a `gen pdf` that was killed (Ctrl+C, out of memory):
/// those whose process no longer runs and that were last changed over an hour ago (a
/// process of another container sharing the temporary folder is not in our `/proc`).
/// Best effort, Linux only.
fn sweep_stale_scratch() {
    if !Path::new("/proc/self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.strip_prefix(SCRATCH_PREFIX))
            .and_then(|rest| rest.split('-').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age.as_secs() > 3600);
        if is_dir && old && !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// A file removed when dropped unless it was renamed away: the temporary PDF of a print.
struct PartFile(PathBuf);

impl Drop for PartFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Prints one HTML file to one PDF; `what` names the document in an error (the HTML file
/// is in a temporary folder that is gone by the time the user reads it).
fn print(browser: &Path, html: &Path, pdf: &Path, what: &str) -> Result<(), Error> {
    let profile = Scratch::new("profile")?;
    let url = format!(
        "file://{}",
        std::fs::canonicalize(html)
            .map_err(|e| Error::io(html, e))?
            .display()
    );
    let _ = std::fs::remove_file(pdf);
    let out = crate::memory::as_started(&mut Command::new(browser))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--no-pdf-header-footer",
            // Bookmarks from the headings, and a tagged (structured, accessible) PDF;
            // a browser that does not know them ignores them.
            "--generate-pdf-document-outline",
            "--export-tagged-pdf",
        ])
        .arg(format!("--user-data-dir={}", profile.0.display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(url)
        .output()
        .map_err(|e| {
            Error::usage(format!(
                "could not start the browser {}: {e}",
                browser.display()
            ))
        })?;
    if !pdf.is_file() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
        return Err(Error::usage(format!(
            "the browser did not print {what}: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join("\n")
        )));
    }
    Ok(())
}

/// The number of pages of a PDF written by Chromium: the `/Count` of its page tree
/// (`/Type /Pages`; the bookmarks' `/Count`s are not pages).
pub fn page_count(pdf: &Path) -> Result<usize, Error> {
    let bytes = std::fs::read(pdf).map_err(|e| Error::io(pdf, e))?;
    let text = String::from_utf8_lossy(&bytes);
    Ok(text
        .match_indices("/Type /Pages")
        .filter_map(|(i, _)| {
            let rest = &text[i..];
            let object = &rest[..rest.find("endobj").unwrap_or(rest.len())];
            let at = object.find("/Count ")?;
            object[at + 7..]
                .split(|c: char| !c.is_ascii_digit())
                .next()?
                .parse()
                .ok()
        })
        .max()
        .unwrap_or(0))
}

/// Prints a packet with the page numbers of its contents filled in; `name` is the PDF's.
fn print_packet(
    site: &Site,
    theme: &Theme,
    browser: &Path,
    n: usize,
    stage: documents::Stage,
    pdf: &Path,
    name: &str,
) -> Result<(), Error> {
    let m = &site.meetings[n];
    let sections = m
        .incidents
        .iter()
        .filter(|r| site.incident(&r.value).is_some())
        .count();
    let scratch = Scratch::new("packet")?;
    let mut parts = vec!["front".to_string()];
    parts.extend((1..=sections).map(|k| format!("section-{k}")));
    if documents::binds_minutes(site, n, stage)? {
        parts.push("minutes".to_string());
    }
    let mut counts = Vec::new();
    for part in &parts {
        let html = documents::packet_html(site, theme, n, stage, None, Some(part))?;
        let file = scratch.0.join(format!("{part}.html"));
        std::fs::write(&file, html).map_err(|e| Error::io(&file, e))?;
        let out = scratch.0.join(format!("{part}.pdf"));
        print(browser, &file, &out, &format!("{name} (part {part})"))?;
        counts.push(page_count(&out)?);
    }
    // Each part starts on a new page: section k starts after the front matter and the
    // sections before it.
    let mut starts = Vec::new();
    let mut next = counts[0] + 1;
    for c in &counts[1..] {
        starts.push(next);
        next += c;
    }
    let html = documents::packet_html(site, theme, n, stage, Some(&starts), None)?;
    let file = scratch.0.join("packet.html");
    std::fs::write(&file, html).map_err(|e| Error::io(&file, e))?;
    print(browser, &file, pdf, name)
}

/// Writes the report of every incident job into the built site (in the private
/// temporary folder), where the build did not: its links and images resolve from there.
fn write_reports(site: &Site, theme: &Theme, jobs: &[Job]) -> Result<(), Error> {
    jobs.par_iter()
        .filter(|job| job.kind == "incident" && !job.html.is_file())
        .try_for_each(|job| {
            let n = site
                .incident_index(&job.id)
                .ok_or_else(|| Error::usage(format!("there is no incident \"{}\"", job.id)))?;
            let html = documents::incident_report_html(site, theme, n)?;
            std::fs::write(&job.html, html).map_err(|e| Error::io(&job.html, e))
        })
}

/// Builds the site in a private temporary folder and prints the chosen documents;
/// returns the PDFs written.
pub fn run(opts: &PdfOptions) -> Result<Vec<PathBuf>, Error> {
    let browser = find_browser(opts.browser.as_deref())?;
    sweep_stale_scratch();
    let work = Scratch::new("site")?;
    let build = BuildOptions {
        output: Some(work.0.join("site")),
        force: false,
        ..opts.build.clone()
    };
    let (report, site, theme) = crate::build_site(&build)?;
    let out_dir = opts
        .out_dir
        .clone()
        .unwrap_or_else(|| default_dir(&opts.build.root));
    let jobs = jobs(&site, &report.output, &opts.selection)?;
    write_reports(&site, &theme, &jobs)?;
    std::fs::create_dir_all(&out_dir).map_err(|e| Error::io(&out_dir, e))?;
    let author = metadata::author(&site);
    let total = jobs.len();
    let done = AtomicUsize::new(0);
    let progress = std::io::stderr().is_terminal();
    // Each Chromium uses several threads of its own: two at a time keep two cores busy.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .map_err(|e| Error::usage(format!("cannot start printing threads: {e}")))?;
    let results: Vec<Result<PathBuf, Error>> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let name = format!("{}-{}.pdf", job.kind, job.id);
                let pdf = out_dir.join(&name);
                // Printed beside its final name (same folder, so the rename is atomic) under
                // a name no other run uses; removed if anything fails.
                let part = PartFile(out_dir.join(format!(".{name}.{}.part", std::process::id())));
                match job.meeting {
                    Some(n) => print_packet(
                        &site,
                        &theme,
                        &browser,
                        n,
                        opts.selection.stage,
                        &part.0,
                        &name,
                    )?,
                    None => print(&browser, &job.html, &part.0, &name)?,
                }
                // The document's own title: the site is the author.
                let title = metadata::html_title(&job.html)?;
                let title = title
                    .strip_suffix(&format!(" | {}", site.config.title))
                    .unwrap_or(&title);
                metadata::set_info(&part.0, title, author)?;
                std::fs::rename(&part.0, &pdf).map_err(|e| Error::io(&pdf, e))?;
                let k = done.fetch_add(1, Ordering::SeqCst) + 1;
                if progress {
                    crate::term::say(&format!("[{k}/{total}] {}", pdf.display()));
                }
                Ok(pdf)
            })
            .collect()
    });
    drop(work);
    let mut written = Vec::new();
    for r in results {
        written.push(r?);
    }
    written.sort();
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_counted_in_the_page_tree_not_the_bookmarks() {
        let dir = Scratch::new("test").unwrap();
        let pdf = dir.0.join("a.pdf");
        std::fs::write(
            &pdf,
            "%PDF-1.4\n3 0 obj\n<</Type /Outlines\n/First 4 0 R\n/Count 12>>\nendobj\n5 0 obj\n<</Type /Pages\n/Count 8\n/Kids [2 0 R]>>\nendobj\n",
        )
        .unwrap();
        assert_eq!(page_count(&pdf).unwrap(), 8);
    }
}
