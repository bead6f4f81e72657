//! Diagnostics: what went wrong in the user's input, where, and how to fix it.
//!
//! A [`Diagnostic`] is plain data (code, severity, file, byte span, message, help). It is
//! rendered in exactly one place, at the CLI edge, so the same value can later feed
//! JSON output or the serve overlay.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

mod code;
pub use code::Code;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The build cannot go on.
    Error,
    /// Worth fixing; the build goes on.
    Warning,
}

impl Severity {
    /// `error` or `warning`, as printed and in JSON.
    pub const fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A source file as read from disk, shared by every diagnostic that points into it.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the site root, as shown to the user.
    pub path: PathBuf,
    /// The whole text of the file (lossily decoded if it was not UTF-8).
    pub text: String,
    /// Where lines start, built on the first diagnostic that needs a position, so that
    /// a file with thousands of diagnostics is scanned once, not once per diagnostic.
    lines: OnceLock<LineIndex>,
}

/// Byte offsets of line starts and character counts, for positions in O(log n).
#[derive(Debug)]
struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    /// Characters before each block of [`BLOCK`] bytes, so that a column on a very long
    /// line is counted from the nearest block, not from the start of the line.
    chars_before: Vec<usize>,
}

/// Bytes per block of [`LineIndex::chars_before`].
const BLOCK: usize = 256;

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| i + 1));
        let mut chars_before = Vec::with_capacity(bytes.len() / BLOCK + 1);
        let mut count = 0;
        for block in bytes.chunks(BLOCK) {
            chars_before.push(count);
            count += block.iter().filter(|&&b| starts_char(b)).count();
        }
        chars_before.push(count);
        Self {
            starts,
            chars_before,
        }
    }

    /// Characters in `text[..offset]` (`offset` clamped to the text).
    fn chars_to(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        let block = offset / BLOCK;
        self.chars_before[block]
            + text.as_bytes()[block * BLOCK..offset]
                .iter()
                .filter(|&&b| starts_char(b))
                .count()
    }
}

impl SourceFile {
    /// A file with its display path and text.
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Arc<Self> {
        Arc::new(Self {
            path: path.into(),
            text: text.into(),
            lines: OnceLock::new(),
        })
    }

    fn index(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The byte range of the line holding `offset` (clamped to the text), without its
    /// line ending (`\n` or `\r\n`).
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let starts = &self.index().starts;
        let line = starts.partition_point(|&s| s <= offset) - 1;
        let start = starts[line];
        let mut end = starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        start..end
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let index = self.index();
        // `starts[0]` is 0, so at least one start is at or before `offset`.
        let line = index.starts.partition_point(|&s| s <= offset);
        let line_start = index.starts[line - 1];
        let mut col =
            index.chars_to(&self.text, offset) - index.chars_to(&self.text, line_start) + 1;
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
    pub code: crate::diag::Code,
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
        code: Code,
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
        code: Code,
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
        let sev = self.severity.as_str();
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

/// The error for a file that is not UTF-8 (Shift_JIS, EUC-JP), at its first bad byte,
/// `valid` bytes in; the text shown is the lossy decoding, the same up to that byte.
pub fn not_utf8(path: impl Into<PathBuf>, bytes: &[u8], valid: usize) -> Diagnostic {
    let file = SourceFile::new(path, String::from_utf8_lossy(bytes).into_owned());
    Diagnostic::error(
        Code::NotUtf8,
        &file,
        Some(valid..valid + 1),
        "the file is not valid UTF-8",
    )
    .with_help("save the file as UTF-8 (without Shift_JIS or EUC-JP encoding)")
}

/// Sorts diagnostics by file, then position, so output is stable whatever the load order.
/// The line standing for a file's diagnostics not shown ([`cap_per_file`]) comes last.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (
            a.file.path.as_path(),
            a.code == TOO_MANY,
            a.span.as_ref().map(|s| s.start),
            a.code,
        )
            .cmp(&(
                b.file.path.as_path(),
                b.code == TOO_MANY,
                b.span.as_ref().map(|s| s.start),
                b.code,
            ))
    });
}

/// Diagnostics reported per file at most: past this, one more line counts the rest.
pub const MAX_PER_FILE: usize = 50;

/// The code of the line that counts a file's diagnostics past [`MAX_PER_FILE`].
pub const TOO_MANY: Code = Code::TooManyErrors;

/// Keeps the first [`MAX_PER_FILE`] diagnostics of each file (in the order given) and
/// replaces the rest by one `too-many-errors` line per file: a file with 40,000 unknown
/// fields is one mistake repeated, and printing every one would take minutes.
pub fn cap_per_file(diags: &mut Vec<Diagnostic>) {
    if diags.len() <= MAX_PER_FILE {
        return;
    }
    let mut seen: std::collections::HashMap<PathBuf, (usize, usize, usize)> =
        std::collections::HashMap::new();
    let mut summaries: Vec<(PathBuf, Arc<SourceFile>)> = Vec::new();
    diags.retain(|d| {
        if d.code == TOO_MANY {
            return true;
        }
        let entry = seen.entry(d.file.path.clone()).or_insert_with(|| (0, 0, 0));
        if entry.0 < MAX_PER_FILE {
            entry.0 += 1;
            return true;
        }
        if entry.1 + entry.2 == 0 {
            summaries.push((d.file.path.clone(), Arc::clone(&d.file)));
        }
        match d.severity {
            Severity::Error => entry.1 += 1,
            Severity::Warning => entry.2 += 1,
        }
        false
    });
    for (path, file) in summaries {
        let (_, errors, warnings) = seen[&path];
        let what = match (errors, warnings) {
            (e, 0) => format!("{e} more error{}", plural(e)),
            (0, w) => format!("{w} more warning{}", plural(w)),
            (e, w) => format!("{e} more error{} and {w} warning{}", plural(e), plural(w)),
        };
        let severity = if errors > 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        diags.push(Diagnostic {
            severity,
            ..Diagnostic::error(
                TOO_MANY,
                &file,
                None,
                format!("… and {what} in {}", path.display()),
            )
            .with_help(format!(
                "only the first {MAX_PER_FILE} problems of a file are shown; fix them and check again"
            ))
        });
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
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

/// Lines longer than this many bytes are shown cut around the span.
const LONG_LINE: usize = 240;

/// Bytes shown before the span on a long line (twice as many after it).
const CONTEXT: usize = 60;

/// Renders a diagnostic for a terminal: the `error[code]: path:line:col: message` line, the
/// source line with the span underlined (CJK-aware widths), and the help.
pub fn render(d: &Diagnostic) -> String {
    use unicode_width::UnicodeWidthStr;
    let sev = d.severity.as_str();
    let mut out = format!(
        "{sev}[{}]: {}: {}\n",
        d.code,
        visible(&d.location()),
        visible(&d.message)
    );
    if let Some(span) = &d.span {
        let text = &d.file.text;
        // Every bound is clamped to the text, to the span's line and to character
        // boundaries, so no span (past the end, inverted, on a `\r`, inside a character)
        // can make the slicing below panic.
        let line_range = d.file.line_range(span.start);
        let start = floor_char_boundary(text, span.start.min(text.len()))
            .clamp(line_range.start, line_range.end);
        // A very long line (minified data, a 50,000-part key) is shown around the span.
        let (shown_start, shown_end) = if line_range.len() > LONG_LINE {
            (
                floor_char_boundary(text, start.saturating_sub(CONTEXT).max(line_range.start)),
                floor_char_boundary(text, (start + 2 * CONTEXT).min(line_range.end)),
            )
        } else {
            (line_range.start, line_range.end)
        };
        let (lead, trail) = (
            if shown_start > line_range.start {
                "…"
            } else {
                ""
            },
            if shown_end < line_range.end {
                "…"
            } else {
                ""
            },
        );
        let line = &text[shown_start..shown_end];
        let (line_no, _) = d.line_col();
        let gutter = line_no.to_string().len();
        let before = visible(text[shown_start..start].trim_start_matches('\u{feff}'));
        let end = floor_char_boundary(text, span.end.clamp(start, shown_end));
        let width = visible(&text[start..end]).width().max(1);
        let pad = " ".repeat(gutter);
        out.push_str(&format!(
            "{pad} |\n{line_no} | {lead}{}{trail}\n",
            visible(line.trim_start_matches('\u{feff}'))
        ));
        out.push_str(&format!(
            "{pad} | {}{}\n",
            " ".repeat(lead.len().min(1) + before.width()),
            "^".repeat(width)
        ));
    }
    if let Some(help) = &d.help {
        out.push_str(&format!("  = help: {}\n", visible(help)));
    }
    out
}

/// `text` safe to print on a terminal: control characters (an escape sequence in a title
/// could recolour or rewrite the terminal) become their visible symbols (`␛`, one column
/// wide, so the underline stays aligned); C1 controls and the characters that reorder
/// text (bidirectional overrides) become `�`. Tabs and line breaks stay.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        (c.is_control() && c != '\t' && c != '\n')
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    text.chars()
        .map(|c| match c {
            '\t' | '\n' => c,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}'),
            '\u{7f}' => '\u{2421}',
            c if hidden(c) => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// One diagnostic as a JSON object (file, line, column, severity, code, message, help),
/// for editors and CI annotations.
pub fn to_json(d: &Diagnostic) -> serde_json::Value {
    let (line, column) = d.line_col();
    serde_json::json!({
        "file": d.file.path.to_string_lossy(),
        "line": line,
        "column": column,
        "severity": d.severity.as_str(),
        "code": d.code,
        "message": d.message,
        "help": d.help,
    })
}
