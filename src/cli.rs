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
pub struct Cli {
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

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the site into output/ (replaced only if the whole build succeeds).
    Build {
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
    },
    /// Validate the whole site and report every error; writes nothing.
    Check {
        #[command(flatten)]
        site: SiteArgs,
    },
    /// Build the site and print meeting packets, incident reports or annual reports to PDF
    /// with headless Chromium (A4, page numbers, fonts embedded).
    Pdf {
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
        /// Folder for the PDFs [default: OUTPUT/pdf].
        #[arg(long)]
        output: Option<PathBuf>,
        /// The browser to print with [default: $GEN_BROWSER, then chromium, chromium-browser, google-chrome on PATH].
        #[arg(long)]
        browser: Option<PathBuf>,
    },
    /// Create a new site that builds as it is.
    Init {
        /// Folder to create the site in.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
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
            eprintln!(
                "error: {n} error{} found; nothing was written",
                if n == 1 { "" } else { "s" }
            );
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            2
        }
    }
}

fn execute(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Build {
            site,
            output,
            base_url,
            force,
            verbose,
        } => {
            let start = Instant::now();
            let opts = BuildOptions {
                root: site.root,
                output,
                base_url,
                drafts: site.drafts,
                force,
            };
            let report = crate::build(&opts)?;
            if verbose {
                for f in &report.files {
                    println!("wrote {f}");
                }
            }
            println!(
                "built {} pages ({} incidents) into {} in {} ms",
                report.pages,
                report.incidents,
                report.output.display(),
                start.elapsed().as_millis()
            );
            Ok(())
        }
        Command::Check { site } => {
            let opts = BuildOptions {
                root: site.root,
                output: None,
                base_url: None,
                drafts: site.drafts,
                force: false,
            };
            let site = crate::check(&opts)?;
            println!(
                "ok: {} incidents, {} meetings, no errors",
                site.incidents.len(),
                site.meetings.len()
            );
            Ok(())
        }
        Command::Pdf {
            site,
            meetings,
            incidents,
            years,
            all,
            output,
            browser,
        } => {
            let opts = crate::pdf::PdfOptions {
                build: BuildOptions {
                    root: site.root,
                    output: None,
                    base_url: None,
                    drafts: site.drafts,
                    force: false,
                },
                selection: crate::pdf::Selection {
                    meetings,
                    incidents,
                    years,
                    all,
                },
                out_dir: output,
                browser,
            };
            let written = crate::pdf::run(&opts)?;
            for p in &written {
                println!("{}", p.display());
            }
            Ok(())
        }
        Command::Init { dir } => {
            crate::init::init(&dir)?;
            println!(
                "created a new site in {}; build it with: gen build --root {}",
                dir.display(),
                dir.display()
            );
            Ok(())
        }
    }
}

/// Prints diagnostics with their source lines to standard error.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    for d in diags {
        eprintln!("{}", crate::diag::render(d));
    }
}
