//! The command line: argument parsing and the one place where errors are printed.

use std::io::IsTerminal;
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
        /// Print every file written.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Validate the whole site and report every error; writes nothing.
    Check {
        #[command(flatten)]
        site: SiteArgs,
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
            verbose,
        } => {
            let start = Instant::now();
            let opts = BuildOptions {
                root: site.root,
                output,
                base_url,
                drafts: site.drafts,
            };
            let report = crate::build(&opts)?;
            if verbose {
                eprintln!(
                    "wrote {} files to {}",
                    report.files,
                    report.output.display()
                );
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
            };
            let site = crate::check(&opts)?;
            println!(
                "ok: {} incidents, {} meetings, no errors",
                site.incidents.len(),
                site.meetings.len()
            );
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

/// Prints diagnostics with source snippets (miette), plainly when not on a terminal.
pub fn print_diagnostics(diags: &[Diagnostic]) {
    use miette::{GraphicalReportHandler, GraphicalTheme};
    let theme = if std::io::stderr().is_terminal() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
    for d in diags {
        let report = Report::from(d);
        let mut out = String::new();
        // One plain line first, the form editors and CI logs jump to.
        out.push_str(&format!("{}\n", plain_head(d)));
        if handler.render_report(&mut out, &report).is_err() {
            out.push_str(&d.to_string());
        }
        eprintln!("{out}");
    }
}

fn plain_head(d: &Diagnostic) -> String {
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{sev}[{}]: {}: {}", d.code, d.location(), d.message)
}

/// A diagnostic in miette's shape.
#[derive(Debug)]
struct Report {
    message: String,
    code: String,
    help: Option<String>,
    severity: miette::Severity,
    source: miette::NamedSource<String>,
    span: Option<miette::SourceSpan>,
}

impl From<&Diagnostic> for Report {
    fn from(d: &Diagnostic) -> Self {
        Report {
            message: d.message.clone(),
            code: d.code.to_string(),
            help: d.help.clone(),
            severity: match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
            },
            source: miette::NamedSource::new(d.path().display().to_string(), d.file.text.clone()),
            span: d
                .span
                .as_ref()
                .map(|s| (s.start, s.end.saturating_sub(s.start)).into()),
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span.map(|_| &self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(Some("here".to_string()), span),
        )))
    }
}
