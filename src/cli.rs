//! The command line: argument parsing and the one place where errors are printed.

use std::path::PathBuf;
use std::time::Instant;

use clap::{Parser, Subcommand};

use crate::diag::{Diagnostic, Severity};
use crate::{BuildOptions, Error};

/// gen: a static-site generator for incident postmortems.
#[derive(Debug, Parser)]
#[command(
    name = "gen",
    version,
    about,
    after_help = "Exit codes: 0 success, 1 errors in the site's content, 2 usage or I/O errors."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, clap::Args)]
struct SiteArgs {
    /// The site root, holding config.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Include incidents with status = "draft".
    #[arg(long)]
    drafts: bool,
}

/// What `gen build` and `gen check` share beyond the site: the as-of date and how strict
/// to be about warnings.
#[derive(Debug, clap::Args)]
struct JudgeArgs {
    /// The date overdue countermeasures are judged against [default: SOURCE_DATE_EPOCH,
    /// else today, in the site's timezone].
    #[arg(long, value_name = "YYYY-MM-DD")]
    today: Option<chrono::NaiveDate>,
    /// Fail with exit code 1 when there are warnings (for CI); a build then writes nothing.
    #[arg(long)]
    deny_warnings: bool,
}

/// Which edition to build, over `edition` in config.toml.
#[derive(Debug, clap::Args)]
struct EditionArgs {
    /// The edition: `public` leaves out everything marked internal, `internal` shows it,
    /// marked [default: `edition` in config.toml, else public].
    #[arg(long, value_enum)]
    edition: Option<EditionArg>,
}

/// The editions, as the command line spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum EditionArg {
    Public,
    Internal,
}

impl EditionArgs {
    /// The edition asked for, if any.
    fn edition(&self) -> Option<crate::config::Edition> {
        self.edition.map(|e| match e {
            EditionArg::Public => crate::config::Edition::Public,
            EditionArg::Internal => crate::config::Edition::Internal,
        })
    }
}

/// How `gen check` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
enum NewCommand {
    /// content/incidents/<date>-<slug>.md with every field (optional ones commented out).
    Incident {
        /// The incident's title.
        title: String,
        /// The operator (事業者名).
        #[arg(long)]
        operator: Option<String>,
        /// When it started, e.g. 2024-01-15T11:50:00+09:00 [default: now].
        #[arg(long)]
        started: Option<String>,
    },
    /// content/meetings/<date>-<slug>.md.
    Meeting {
        /// The meeting's title.
        title: String,
        /// When it is held, e.g. 2024-02-20T15:00:00+09:00.
        #[arg(long)]
        date: String,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into output/ (replaced only if the whole build succeeds).
    Build(BuildArgs),
    /// Build the site into memory and serve it with live reload; rebuilds what each saved
    /// change affects. Never touches output/.
    Serve(ServeArgs),
    /// Validate the whole site and report every error; writes nothing.
    Check(CheckArgs),
    /// Create a new incident or meeting file from the template (refuses to overwrite).
    New {
        #[command(subcommand)]
        what: NewCommand,
        /// The site root.
        #[arg(long, default_value = ".", global = true)]
        root: PathBuf,
    },
    /// Print meeting packets, incident reports or annual reports to PDF with headless
    /// Chromium (A4, page numbers, bookmarks, fonts embedded), from a build in a temporary
    /// folder: the site's output folder is never touched.
    Pdf(PdfArgs),
    /// List every page and printable document the site builds: one `KIND<TAB>PATH` line
    /// each (paths inside the output folder), or JSON with --format json.
    Routes(RoutesArgs),
    /// Create a new site that builds as it is.
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The site's language: its interface, and the example incident and config
        /// comments it starts with.
        #[arg(long, value_enum, default_value = "en")]
        language: InitLanguage,
    },
}

/// The languages `gen init` writes a site in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum InitLanguage {
    Ja,
    En,
}

#[derive(Debug, clap::Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder [default: ROOT/output].
    #[arg(long)]
    output: Option<PathBuf>,
    /// The URL the site is published at; overrides base_url in config.toml.
    #[arg(long)]
    base_url: Option<String>,
    /// Replace the output folder even if gen did not write it (never the site itself).
    #[arg(long)]
    force: bool,
    /// Also list every file written.
    #[arg(long, short)]
    verbose: bool,
    #[command(flatten)]
    edition: EditionArgs,
    #[command(flatten)]
    judge: JudgeArgs,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// The site root, holding config.toml and content/.
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Leave out status = "draft" incidents, as `gen build` does (they are shown
    /// by default: a preview is where drafts are written).
    #[arg(long)]
    no_drafts: bool,
    /// The port [0 picks a free one].
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; anything but loopback lets other machines in.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Open the site in the default browser.
    #[arg(long)]
    open: bool,
    #[command(flatten)]
    edition: EditionArgs,
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output format: text for people, json for editors and CI annotations.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    judge: JudgeArgs,
}

#[derive(Debug, clap::Args)]
struct RoutesArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    edition: EditionArgs,
}

#[derive(Debug, clap::Args)]
struct PdfArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// A meeting's packet (repeatable).
    #[arg(long = "meeting", value_name = "ID")]
    meetings: Vec<String>,
    /// An incident's report (repeatable).
    #[arg(long = "incident", value_name = "ID")]
    incidents: Vec<String>,
    /// A year's annual report (repeatable).
    #[arg(long = "year", value_name = "YYYY")]
    years: Vec<i32>,
    /// Every packet, report and annual report.
    #[arg(long)]
    all: bool,
    /// Which meeting packet: `agenda` (before the meeting, without minutes) or `minutes`
    /// (after it, with them).
    #[arg(long, value_enum, default_value_t = crate::render::documents::Stage::Minutes)]
    stage: crate::render::documents::Stage,
    /// Folder for the PDFs [default: ROOT/pdf]; other files in it are left alone.
    #[arg(long)]
    output: Option<PathBuf>,
    /// The browser to print with [default: $GEN_BROWSER, then chromium, chromium-browser, google-chrome on PATH].
    #[arg(long)]
    browser: Option<PathBuf>,
    #[command(flatten)]
    edition: EditionArgs,
}

impl SiteArgs {
    /// Options for reading the site, writing to the default output.
    fn options(self) -> BuildOptions {
        BuildOptions {
            drafts: self.drafts,
            ..BuildOptions::new(self.root)
        }
    }
}

impl JudgeArgs {
    /// Sets the as-of date (resolved in the site's timezone) and the strictness of `opts`.
    fn apply(&self, opts: &mut BuildOptions) -> Result<(), Error> {
        let tz = match self.today {
            Some(_) => crate::config::default_timezone(),
            // A config that does not load is reported by the build itself.
            None => crate::Config::load(&opts.root)
                .map_or_else(|_| crate::config::default_timezone(), |c| c.timezone),
        };
        opts.today = crate::today(self.today, tz)?;
        opts.deny_warnings = self.deny_warnings;
        Ok(())
    }
}

/// Runs the command line and returns the process exit code.
pub fn run() -> i32 {
    let cli = Cli::parse();
    // Lets the tests prove that a crash is reported briefly with exit code 101.
    if std::env::var_os("GEN_DEBUG_PANIC").is_some() {
        panic!("GEN_DEBUG_PANIC is set");
    }
    match execute(cli) {
        Ok(()) => 0,
        Err(Error::Content(diags)) => {
            print_diagnostics(&diags);
            let n = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            let w = diags.len() - n;
            crate::term::say(&if n == 0 {
                // Only warnings fail a command: --deny-warnings.
                format!(
                    "error: {} and --deny-warnings is set; nothing was written",
                    plural(w, "warning")
                )
            } else if w == 0 {
                format!("error: {} found; nothing was written", plural(n, "error"))
            } else {
                format!(
                    "error: {} and {} found; nothing was written",
                    plural(n, "error"),
                    plural(w, "warning")
                )
            });
            1
        }
        Err(Error::Reported(code)) => code,
        Err(e) => {
            crate::term::say(&format!("error: {}", crate::diag::visible(&e.to_string())));
            2
        }
    }
}

fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build(args) => build(args),
        Command::Serve(args) => serve(args),
        Command::Check(args) => check(args),
        Command::New { what, root } => new(what, &root),
        Command::Pdf(args) => pdf(args),
        Command::Routes(args) => routes(args),
        Command::Init { dir, language } => init(
            &dir,
            match language {
                InitLanguage::Ja => crate::model::Lang::Ja,
                InitLanguage::En => crate::model::Lang::En,
            },
        ),
    }
}

/// `3 errors`, `1 warning`.
fn plural(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// How many warnings `gen build` shows; `gen check` lists them all.
const BUILD_WARNINGS_SHOWN: usize = 5;

/// `gen build`.
fn build(args: BuildArgs) -> Result<(), Error> {
    let start = Instant::now();
    let mut opts = BuildOptions {
        output: args.output,
        base_url: args.base_url,
        force: args.force,
        edition: args.edition.edition(),
        ..args.site.options()
    };
    args.judge.apply(&mut opts)?;
    let progress = Progress::start();
    let result = crate::build_observed(&opts, &|| progress.tick());
    progress.finish();
    let (report, site, theme) = result?;
    // Feeds and the sitemap need the site's address (docs/format.md, "Feeds and sitemap").
    let machine_files_note = (!crate::render::feeds::enabled(&site)).then(|| {
        format!(
            "note: no atom.xml, sitemap.xml or robots.txt: base_url (\"{}\") is not an absolute URL such as \"https://example.org/\"",
            site.config.base_url
        )
    });
    // The process ends right after this: freeing the site one allocation at a time
    // (100,000 incidents, most allocated on other threads) would cost 0.5–0.8 s of
    // serial time at the end of a large build, for nothing.
    std::mem::forget((site, theme));
    if args.verbose {
        for f in &report.written {
            crate::term::out(&format!("wrote {f}"));
        }
        crate::term::out(&format!(
            "kept {} from the previous build without rendering them: nothing they show changed",
            plural(report.kept_pages, "page")
        ));
    }
    let w = &report.warnings;
    if !w.is_empty() {
        crate::term::say(&format!("warning: {}", plural(w.len(), "warning")));
        print_diagnostics(&w[..w.len().min(BUILD_WARNINGS_SHOWN)]);
        if w.len() > BUILD_WARNINGS_SHOWN {
            crate::term::say(&format!(
                "… and {} more; run `gen check` for all",
                w.len() - BUILD_WARNINGS_SHOWN
            ));
        }
    }
    crate::term::out(&format!(
        "built {} ({}) into {} in {} ms; {} of {} files changed",
        plural(report.pages, "page"),
        plural(report.incidents, "incident"),
        report.output.display(),
        start.elapsed().as_millis(),
        report.written.len(),
        report.files.len()
    ));
    // On standard output with the summary: it is information, not a problem.
    if let Some(note) = machine_files_note {
        crate::term::out(&note);
    }
    Ok(())
}

/// `gen routes`: the page registry's listing of the site, for scripts (the qa checks read
/// it instead of knowing the URL scheme).
fn routes(args: RoutesArgs) -> Result<(), Error> {
    let site = crate::load_site(&BuildOptions {
        edition: args.edition.edition(),
        ..args.site.options()
    })?;
    let routes = crate::render::routes(&site);
    let text = match args.format {
        Format::Text => routes
            .iter()
            .map(|r| format!("{}\t{}", r.kind, r.path))
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Json => serde_json::to_string_pretty(&routes).unwrap_or_default(),
    };
    crate::term::out(&text);
    Ok(())
}

/// `gen serve`.
fn serve(args: ServeArgs) -> Result<(), Error> {
    crate::serve::run(&crate::serve::ServeOptions {
        root: args.root,
        drafts: !args.no_drafts,
        bind: args.bind,
        port: args.port,
        open: args.open,
        edition: args.edition.edition(),
    })
}

/// `gen check`: every error and warning at once; errors (and, with --deny-warnings,
/// warnings) fail the command. JSON lists both.
fn check(args: CheckArgs) -> Result<(), Error> {
    let format = args.format;
    let mut opts = args.site.options();
    args.judge.apply(&mut opts)?;
    let found = crate::inspect(&opts)?;
    let failed = !found.errors.is_empty() || (opts.deny_warnings && !found.warnings.is_empty());
    let mut all = found.errors;
    all.extend(found.warnings.iter().cloned());
    crate::diag::sort(&mut all);
    match format {
        Format::Json => {
            let all: Vec<serde_json::Value> = all.iter().map(crate::diag::to_json).collect();
            crate::term::out(&format!("{}", serde_json::Value::Array(all)));
            if failed {
                return Err(Error::Reported(1));
            }
        }
        Format::Text if failed => return Err(Error::Content(all)),
        Format::Text => {
            print_diagnostics(&all);
            let n = found.warnings.len();
            crate::term::out(&format!(
                "ok: {}, {}, no errors, {}",
                plural(found.site.incidents.len(), "incident"),
                plural(found.site.meetings.len(), "meeting"),
                plural(n, "warning")
            ));
        }
    }
    Ok(())
}

/// `gen new incident` and `gen new meeting`.
fn new(what: NewCommand, root: &std::path::Path) -> Result<(), Error> {
    let path = match what {
        NewCommand::Incident {
            title,
            operator,
            started,
        } => crate::init::new_incident(root, &title, operator.as_deref(), started.as_deref())?,
        NewCommand::Meeting { title, date } => crate::init::new_meeting(root, &title, &date)?,
    };
    crate::term::out(&format!("created {}", path.display()));
    Ok(())
}

/// `gen pdf`.
fn pdf(args: PdfArgs) -> Result<(), Error> {
    let opts = crate::pdf::PdfOptions {
        build: BuildOptions {
            edition: args.edition.edition(),
            ..args.site.options()
        },
        selection: crate::pdf::Selection {
            meetings: args.meetings,
            incidents: args.incidents,
            years: args.years,
            all: args.all,
            stage: args.stage,
        },
        out_dir: args.output,
        browser: args.browser,
    };
    let written = crate::pdf::run(&opts)?;
    for p in &written {
        crate::term::out(&format!("{}", p.display()));
    }
    Ok(())
}

/// `gen init`.
fn init(dir: &std::path::Path, lang: crate::model::Lang) -> Result<(), Error> {
    crate::init::init(dir, lang)?;
    crate::term::out(&format!(
        "created a new site in {}; build it with: gen build --root {}",
        dir.display(),
        dir.display()
    ));
    Ok(())
}

/// A spinner with the count of files written, on a terminal only and only once a build
/// has run for a second: short builds and logs stay one line.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Progress {
    fn start() -> Progress {
        use std::io::IsTerminal;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        if !std::io::stderr().is_terminal() {
            return Progress { bar: None, done };
        }
        let bar =
            indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::hidden());
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} building: {human_pos} files written ({elapsed})",
        ) {
            bar.set_style(style);
        }
        let shown = bar.clone();
        let finished = std::sync::Arc::clone(&done);
        // GEN_PROGRESS_AFTER_MS lets the tests see the spinner on a short build.
        let after = std::env::var("GEN_PROGRESS_AFTER_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(1000);
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(after));
            if !finished.load(std::sync::atomic::Ordering::Relaxed) {
                shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                shown.tick();
                shown.enable_steady_tick(std::time::Duration::from_millis(100));
            }
        });
        Progress {
            bar: Some(bar),
            done,
        }
    }

    fn tick(&self) {
        if let Some(b) = &self.bar {
            b.inc(1);
        }
    }

    fn finish(&self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

/// Prints diagnostics with their source lines to standard error.
///
/// Each file shows at most [`crate::diag::MAX_PER_FILE`] of them and a line counting the
/// rest: a file with 40,000 unknown fields is one mistake repeated.
fn print_diagnostics(diags: &[Diagnostic]) {
    let mut shown = diags.to_vec();
    crate::diag::cap_per_file(&mut shown);
    for d in &shown {
        crate::term::say(&crate::diag::render(d).to_string());
    }
}
