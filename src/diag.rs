//! Diagnostics: what went wrong in the user's input, where, and how to fix it.
//!
//! A [`Diagnostic`] is plain data (code, severity, file, byte span, message, help). It is
//! rendered in exactly one place, at the CLI edge, so the same value can later feed
//! JSON output or the serve overlay.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build cannot go on.
    Error,
    /// Worth fixing; the build goes on.
    Warning,
}

/// A source file as read from disk, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the site root, as shown to the user.
    pub path: PathBuf,
    /// The whole text of the file (lossily decoded if it was not UTF-8).
    pub text: String,
}

impl SourceFile {
    /// A file with its display path and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut col = before[line_start..].chars().count() + 1;
        // A byte-order mark is invisible in editors; don't count it as a column.
        if line_start == 0 && self.text.starts_with('\u{feff}') && col > 1 {
            col -= 1;
        }
        (line, col)
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// One problem found in the site's input.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Stable kebab-case code, e.g. `unknown-field`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// The file the problem is in.
    pub file: Arc<SourceFile>,
    /// Byte range in the file; `None` when the problem is the file as a whole.
    pub span: Option<Range<usize>>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `span` of `file`.
    pub fn error(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            code,
            severity: Severity::Error,
            file: Arc::clone(file),
            span,
            message: message.into(),
            help: None,
        }
    }

    /// A warning at `span` of `file`: worth fixing, but the build goes on.
    pub fn warning(
        code: &'static str,
        file: &Arc<SourceFile>,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            severity: Severity::Warning,
            ..Self::error(code, file, span, message)
        }
    }

    /// The same diagnostic with a hint on how to fix it.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The file's path as shown to the user.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// 1-based line and column where the problem starts (1:1 for whole-file problems).
    pub fn line_col(&self) -> (usize, usize) {
        self.span
            .as_ref()
            .map_or((1, 1), |s| self.file.line_col(s.start))
    }

    /// `path:line:col`, the form editors jump to.
    pub fn location(&self) -> String {
        let (line, col) = self.line_col();
        format!("{}:{line}:{col}", self.file.path.display())
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `error[code]: path:line:col: message`, then the help if any.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{sev}[{}]: {}: {}",
            self.code,
            self.location(),
            self.message
        )?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Sorts diagnostics by file, then position, so output is stable whatever the load order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            a.file.path.as_path(),
            a.span.as_ref().map(|s| s.start),
            a.code,
        )
            .cmp(&(
                b.file.path.as_path(),
                b.span.as_ref().map(|s| s.start),
                b.code,
            ))
    });
}

/// The closest of `candidates` to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Renders a diagnostic for a terminal: the `error[code]: path:line:col: message` line, the
/// source line with the span underlined (CJK-aware widths), and the help.
pub fn render(d: &Diagnostic) -> String {
    use unicode_width::UnicodeWidthStr;
    let sev = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut out = format!("{sev}[{}]: {}: {}\n", d.code, d.location(), d.message);
    if let Some(span) = &d.span {
        let text = &d.file.text;
        let start = floor_char_boundary(text, span.start.min(text.len()));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[line_start..line_end].trim_end_matches('\r');
        let (line_no, _) = d.line_col();
        let gutter = line_no.to_string().len();
        let before = text[line_start..start].trim_start_matches('\u{feff}');
        let end = floor_char_boundary(text, span.end.clamp(start, line_start + line.len()));
        let width = text[start..end].width().max(1);
        let pad = " ".repeat(gutter);
        out.push_str(&format!(
            "{pad} |\n{line_no} | {}\n",
            line.trim_start_matches('\u{feff}')
        ));
        out.push_str(&format!(
            "{pad} | {}{}\n",
            " ".repeat(before.width()),
            "^".repeat(width)
        ));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("  = help: {help}\n"));
    }
    out
}

/// One diagnostic as a JSON object (file, line, column, severity, code, message, help),
/// for editors and CI annotations.
pub fn to_json(d: &Diagnostic) -> serde_json::Value {
    let (line, column) = d.line_col();
    serde_json::json!({
        "file": d.file.path.to_string_lossy(),
        "line": line,
        "column": column,
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "code": d.code,
        "message": d.message,
        "help": d.help,
    })
}
