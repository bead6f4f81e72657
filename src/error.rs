//! Errors that stop a command: I/O, content diagnostics, templates.

use std::path::PathBuf;

use crate::diag::Diagnostic;

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The site's content has errors; every one found is listed.
    #[error("{} error(s) in the site's content", .0.len())]
    Content(Vec<Diagnostic>),
    /// A file could not be read or written.
    #[error("cannot access {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A folder could not be walked.
    #[error("cannot read folder {path}: {source}")]
    Walk {
        /// The folder being walked.
        path: PathBuf,
        /// The walk error.
        #[source]
        source: walkdir::Error,
    },
    /// A theme template failed to parse or render.
    #[error("template error{}: {message}", if .template.is_empty() { String::new() } else { format!(" in {}", .template) })]
    Template {
        /// The template's name.
        template: String,
        /// Tera's message chain.
        message: String,
    },
    /// Already reported to the user (e.g. as JSON); exit with this code.
    #[error("exit {0}")]
    Reported(i32),
    /// A command-line argument or setting was not usable.
    #[error("{message}{}", .help.as_ref().map(|h| format!("\n  help: {h}")).unwrap_or_default())]
    Usage {
        /// What was wrong.
        message: String,
        /// What to do about it, if gen can say.
        help: Option<String>,
    },
}

impl Error {
    /// A usage error without advice.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: None,
        }
    }

    /// A usage error with a line of advice, shown under it as `help:`.
    pub fn usage_help(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage {
            message: message.into(),
            help: Some(help.into()),
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}
