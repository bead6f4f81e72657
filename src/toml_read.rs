//! A small typed reader over spanned TOML that collects every problem instead of stopping,
//! shared by `config.toml` and front matter.
//!
//! serde stops at the first error and cannot suggest field names, so gen reads the
//! spanned [`DeTable`] tree itself: each accessor checks type and range, records a
//! [`Diagnostic`] with the value's position on failure, and returns `None`. Every table is
//! read against a [`Field`] list, the one place a section's keys are declared: the
//! unknown-field check suggests from it and the accessors may only read keys it lists.

use std::ops::Range;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::diag::{suggest, Diagnostic, SourceFile};

/// One key of a TOML section, declared once for the unknown-field check, the decoder and
/// the tests that generate input.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The key as written.
    pub name: &'static str,
    /// The shape of its value.
    pub kind: Kind,
    /// Whether a section without it is refused.
    pub required: bool,
    /// What it holds, in one line.
    pub doc: &'static str,
}

impl Field {
    /// A field that may be left out.
    pub(crate) const fn optional(name: &'static str, kind: Kind, doc: &'static str) -> Self {
        Self {
            name,
            kind,
            required: false,
            doc,
        }
    }

    /// A field a section must have.
    pub(crate) const fn required(name: &'static str, kind: Kind, doc: &'static str) -> Self {
        Self {
            name,
            kind,
            required: true,
            doc,
        }
    }
}

impl std::fmt::Display for Field {
    /// The key as written.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name)
    }
}

/// The largest value of a [`Kind::Positive`] field.
pub(crate) const MAX_POSITIVE: i64 = 100_000;

/// The shape of a field's value.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// A string.
    String,
    /// An array of strings.
    Strings,
    /// An array of keys of the site's cause taxonomy.
    CauseKeys,
    /// A UTC offset string (`"+09:00"`).
    Offset,
    /// A date and time (`2017-07-03T11:50:00+09:00`).
    Datetime,
    /// A date known to the year, month or day (`2024-03-31`, `"2024-03"`).
    Date,
    /// A duration string (`"23h08m"`).
    Duration,
    /// A whole number from 0 to 10^12.
    Count,
    /// A count, or a table of `channel = count`.
    CountOrChannels,
    /// `true` or `false`.
    Bool,
    /// A month number, 1 to 12.
    Month,
    /// A whole number from 1 to [`MAX_POSITIVE`] (a page size).
    Positive,
    /// One of a closed set of strings.
    Choice(&'static [&'static str]),
    /// An array of tables (`[[name]]`), each with these fields.
    Tables(&'static [Field]),
    /// One table (`[name]`) with these fields.
    Table(&'static [Field]),
    /// A table of named sub-tables (`[name.key]`), each with these fields.
    NamedTables(&'static [Field]),
    /// A table of free-form keys with string values (`[internal]`).
    StringMap,
}

/// A closed set of string values in the front matter.
pub trait Choice: Sized + Copy + 'static {
    /// Every value with its spelling in the front matter.
    const ALL: &'static [(&'static str, Self)];

    /// The spellings alone, in the order of [`Choice::ALL`] (for field tables).
    const NAMES: &'static [&'static str];

    /// The front-matter spelling.
    fn as_str(self) -> &'static str;
}

/// Declares an enum whose values are spelled in TOML (`status = "final"`), with its
/// [`Choice`] impl: one list gives the variants, their spellings and the names a field
/// table shows.
macro_rules! choice {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($(#[$vdoc])* $variant),+ }
        impl $crate::toml_read::Choice for $name {
            const ALL: &'static [(&'static str, Self)] = &[$(($text, $name::$variant)),+];
            const NAMES: &'static [&'static str] = &[$($text),+];
            fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
    };
}
pub(crate) use choice;

/// The largest count accepted (users, inquiries): 10^12, far above any real figure, so
/// that sums over a whole site can never overflow.
pub(crate) const MAX_COUNT: i64 = 1_000_000_000_000;

/// A spanned TOML value.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// A value with its byte range in the source file, kept where a later stage may need to
/// point at it (cross-references).
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range in the file.
    pub span: Range<usize>,
}

/// A TOML table being read, with the name used for it in messages.
pub(crate) struct Table<'t, 'i> {
    entries: &'t DeTable<'i>,
    /// Absolute span used when a required field is missing.
    span: Range<usize>,
    /// Prefix for field names in messages, e.g. `countermeasures[2].`.
    path: String,
    /// The keys this table may hold.
    fields: &'static [Field],
}

/// Reads TOML from one file, collecting diagnostics.
pub(crate) struct Decoder<'f> {
    file: &'f Arc<SourceFile>,
    base: usize,
    /// Every problem found so far.
    pub diags: Vec<Diagnostic>,
}

/// A count and whether the source gives it as approximate (約).
pub(crate) type CountText = (u64, bool);

/// Reads a quoted count: optional leading `約` (approximate), then digits, with `,`
/// separators only between groups of three (`"約48,000"`, `"137"`). Saturates instead of
/// wrapping, so a huge figure is "too large", never a small one.
pub(crate) fn parse_count_text(s: &str) -> Option<(u128, bool)> {
    let s = s.trim();
    let (rest, approx) = match s.strip_prefix('約') {
        Some(rest) => (rest.trim_start(), true),
        None => (s, false),
    };
    let groups: Vec<&str> = rest.split(',').collect();
    let digits_only = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    let well_formed = groups.iter().all(|g| digits_only(g))
        && (groups.len() == 1
            || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3)));
    if !well_formed {
        return None;
    }
    let value = groups.concat().bytes().fold(0u128, |n, b| {
        n.saturating_mul(10).saturating_add(u128::from(b - b'0'))
    });
    Some((value, approx))
}

fn kind_of(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a number with a fraction",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date or time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl<'f> Decoder<'f> {
    /// A decoder for TOML that starts at byte `base` of `file`.
    pub(crate) fn new(file: &'f Arc<SourceFile>, base: usize) -> Self {
        Self {
            file,
            base,
            diags: Vec::new(),
        }
    }

    pub(crate) fn abs(&self, span: Range<usize>) -> Range<usize> {
        span.start + self.base..span.end + self.base
    }

    /// Records an error at a span relative to the TOML text.
    pub(crate) fn error_at(
        &mut self,
        code: crate::diag::Code,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, self.file, Some(self.abs(span)), message);
        d.help = help;
        self.diags.push(d);
    }

    /// Records an error at an absolute span of the file.
    pub(crate) fn error_abs(
        &mut self,
        code: crate::diag::Code,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let mut d = Diagnostic::error(code, self.file, Some(span), message);
        d.help = help;
        self.diags.push(d);
    }

    /// Parses a TOML document; syntax errors become diagnostics and yield `None`.
    pub(crate) fn parse<'i>(&mut self, text: &'i str) -> Option<DeTable<'i>> {
        let (table, errors) = DeTable::parse_recoverable(text);
        if errors.is_empty() {
            return Some(table.into_inner());
        }
        // An array left open swallows the next lines; the parser's first complaint is a
        // missing comma at the start of the following line. Point at the `[` instead.
        if let Some(first) = errors.first() {
            let at = floor_char_boundary(text, first.span().map_or(0, |s| s.start));
            let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
            if first
                .message()
                .starts_with("missing comma between array elements")
                && at == line_start
            {
                if let Some(open) = text[..at].rfind('[') {
                    let hidden = errors.len() - 1;
                    let mut help = "add the closing `]` at the end of the value".to_string();
                    if hidden > 0 {
                        help.push_str(&format!(
                            "\n({hidden} more syntax errors follow from this one)"
                        ));
                    }
                    self.error_at(
                        crate::diag::Code::TomlSyntax,
                        open..open + 1,
                        "this array is never closed",
                        Some(help),
                    );
                    return None;
                }
            }
        }
        // A recovering parser reports a cascade after one mistake (an unclosed array
        // swallows the rest of the file): one error per line, and only the first few.
        const SHOWN: usize = 3;
        // A set and the file's line index: a file can hold tens of thousands of errors.
        let mut lines_seen = std::collections::HashSet::new();
        let mut errors: Vec<_> = errors
            .into_iter()
            .filter(|e| {
                let at = e.span().map_or(0, |s| s.start).min(text.len());
                lines_seen.insert(self.file.line_col(self.base + at).0)
            })
            .collect();
        let hidden = errors.len().saturating_sub(SHOWN);
        errors.truncate(SHOWN);
        let last = errors.len().saturating_sub(1);
        for (n, e) in errors.into_iter().enumerate() {
            let message = e.message().trim_end().to_string();
            let span = match e.span() {
                Some(span) => span,
                // The parser gives no position when it gives up on nesting: point at the
                // line that nests deepest (`a.a.a.…`, `[[[…`), not at the first line.
                None if message.contains("recursion limit") => deepest_line(text),
                None => 0..0,
            };
            let (message, help) = if message.contains("recursion limit") {
                (
                    "keys, tables or arrays are nested too deeply".to_string(),
                    "write fewer dotted parts or nested brackets; front matter needs only a few levels".to_string(),
                )
            } else if message.starts_with("duplicate key") {
                let key = text.get(span.clone()).unwrap_or("").trim();
                (
                    format!("the field `{key}` is given twice"),
                    "keep one of them".to_string(),
                )
            } else if message.starts_with("invalid basic string") {
                (
                    "this string is never closed".to_string(),
                    "add the closing `\"` at the end of the value".to_string(),
                )
            } else {
                (
                    format!("invalid TOML: {message}"),
                    "each field is `name = value`; strings need double quotes, arrays square brackets"
                        .to_string(),
                )
            };
            let help = if n == last && hidden > 0 {
                format!("{help}\n({hidden} more syntax errors follow, most likely caused by this one; fix it and check again)")
            } else {
                help
            };
            self.error_at(crate::diag::Code::TomlSyntax, span, message, Some(help));
        }
        None
    }

    /// The document's root table with its `fields`; a missing field is reported at
    /// `missing_span` (absolute). Unknown keys are reported here.
    pub(crate) fn root<'t, 'i>(
        &mut self,
        t: &'t DeTable<'i>,
        missing_span: Range<usize>,
        fields: &'static [Field],
    ) -> Table<'t, 'i> {
        let root = Table {
            entries: t,
            span: missing_span,
            path: String::new(),
            fields,
        };
        self.check_keys(&root);
        root
    }

    /// Reports every key of `t` not among its fields, suggesting the nearest known name.
    fn check_keys(&mut self, t: &Table<'_, '_>) {
        let known = || t.fields.iter().map(|f| f.name);
        for (key, _) in t.entries.iter() {
            let name: &str = key.get_ref();
            if known().any(|k| k == name) {
                continue;
            }
            let help = match suggest(name, known()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "known fields here: {}",
                    known().collect::<Vec<_>>().join(", ")
                ),
            };
            self.error_at(
                crate::diag::Code::UnknownField,
                key.span(),
                format!("unknown field `{}{name}`", t.path),
                Some(help),
            );
        }
    }

    pub(crate) fn wrong_type(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        v: &Val<'_>,
        expected: &str,
        example: &str,
    ) {
        self.error_at(
            crate::diag::Code::WrongType,
            v.span(),
            format!(
                "`{}{key}` must be {expected}, found {}",
                t.path,
                kind_of(v.get_ref())
            ),
            Some(format!("write it like: {key} = {example}")),
        );
    }

    /// Reports a required field that is absent.
    pub(crate) fn missing(&mut self, t: &Table<'_, '_>, key: &str, example: &str) {
        let where_ = if t.path.is_empty() {
            "the front matter".to_string()
        } else {
            format!("`{}`", t.path.trim_end_matches('.'))
        };
        self.error_abs(
            crate::diag::Code::MissingField,
            t.span.clone(),
            format!("missing required field `{}{key}` in {where_}", t.path),
            Some(format!("add a line: {key} = {example}")),
        );
    }

    /// An optional string.
    pub(crate) fn string(&mut self, t: &Table<'_, '_>, key: &str) -> Option<Located<String>> {
        let v = t.get(key)?;
        self.string_value(t, key, v)
    }

    /// The string `v` found at `key`.
    fn string_value(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        v: &Val<'_>,
    ) -> Option<Located<String>> {
        match v.get_ref() {
            DeValue::String(s) => {
                let span = self.abs(v.span());
                self.check_text(&format!("{}{key}", t.path), s, span.clone())
                    .then(|| Located {
                        value: s.to_string(),
                        span,
                    })
            }
            _ => {
                self.wrong_type(t, key, v, "a string", "\"…\"");
                None
            }
        }
    }

    /// Whether `value` (the string at `name`, at absolute `span`) is free of control
    /// characters; records an error if not. A NUL or an escape sequence in a title is
    /// invisible in an editor and would be written into every page as it is. Tabs and
    /// line breaks (multi-line strings) are text.
    pub(crate) fn check_text(&mut self, name: &str, value: &str, span: Range<usize>) -> bool {
        let Some(c) = value
            .chars()
            .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        else {
            return true;
        };
        self.error_abs(
            crate::diag::Code::ControlCharacter,
            span,
            format!(
                "`{name}` contains the control character U+{:04X}",
                u32::from(c)
            ),
            Some(
                "remove it: control characters are invisible in editors and break pages"
                    .to_string(),
            ),
        );
        false
    }

    /// A required, non-empty string.
    pub(crate) fn req_string(&mut self, t: &Table<'_, '_>, key: &str) -> Option<Located<String>> {
        let Some(v) = t.get(key) else {
            self.missing(t, key, "\"…\"");
            return None;
        };
        let s = self.string_value(t, key, v)?;
        if s.value.trim().is_empty() {
            self.error_abs(
                crate::diag::Code::EmptyField,
                s.span.clone(),
                format!("`{}{key}` must not be empty", t.path),
                Some(format!("write the {key} between the quotes")),
            );
            return None;
        }
        Some(s)
    }

    /// An optional array of strings (absent = empty).
    pub(crate) fn strings(&mut self, t: &Table<'_, '_>, key: &str) -> Vec<Located<String>> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(t, key, v, "an array of strings", "[\"…\", \"…\"]");
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::String(s) => {
                    let span = self.abs(item.span());
                    if self.check_text(&format!("{}{key}[{i}]", t.path), s, span.clone()) {
                        out.push(Located {
                            value: s.to_string(),
                            span,
                        });
                    }
                }
                other => self.error_at(
                    crate::diag::Code::WrongType,
                    item.span(),
                    format!(
                        "`{}{key}[{i}]` must be a string, found {}",
                        t.path,
                        kind_of(other)
                    ),
                    Some(format!("put each entry in quotes: {key} = [\"…\", \"…\"]")),
                ),
            }
        }
        out
    }

    /// A required, non-empty array of strings.
    pub(crate) fn req_strings(&mut self, t: &Table<'_, '_>, key: &str) -> Vec<Located<String>> {
        self.req_strings_help(t, key, None)
    }

    /// [`Decoder::req_strings`], with `help` for an empty array instead of the general
    /// one (the valid values, when there is a fixed set).
    pub(crate) fn req_strings_help(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        help: Option<String>,
    ) -> Vec<Located<String>> {
        let Some(v) = t.get(key) else {
            self.missing(t, key, "[\"…\"]");
            return Vec::new();
        };
        let out = self.strings(t, key);
        if out.is_empty() && matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) {
            self.error_at(
                crate::diag::Code::EmptyField,
                v.span(),
                format!("`{}{key}` must list at least one entry", t.path),
                Some(help.unwrap_or_else(|| format!("write it like: {key} = [\"…\"]"))),
            );
        }
        out
    }

    /// A value for a count; reports negatives and out-of-range integers.
    /// A count: digits without quotes, or a quoted figure with separators and an optional
    /// leading 約 (`"約48,000"`). Returns the value and whether it is approximate.
    pub(crate) fn count_value(&mut self, name: &str, v: &Val<'_>) -> Option<(u64, bool)> {
        let (digits, approx) = match v.get_ref() {
            DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
                Ok(n) if n < 0 => {
                    self.error_at(
                        crate::diag::Code::NegativeCount,
                        v.span(),
                        format!("`{name}` must not be negative, found {n}"),
                        Some("a count of users or inquiries is 0 or more".to_string()),
                    );
                    return None;
                }
                Ok(n) => (u128::from(n.unsigned_abs()), false),
                // Out of i64: too large, never wrapped.
                Err(_) => (u128::MAX, false),
            },
            DeValue::String(s) => match parse_count_text(s) {
                Some(parsed) => parsed,
                None => {
                    self.error_at(
                        crate::diag::Code::WrongType,
                        v.span(),
                        format!("`{name}` is not a count: \"{s}\""),
                        Some(format!(
                            "write digits, e.g. {name} = 52792, or \"約48,000\" for a figure the source gives as approximate"
                        )),
                    );
                    return None;
                }
            },
            other => {
                self.error_at(
                    crate::diag::Code::WrongType,
                    v.span(),
                    format!("`{name}` must be a whole number, found {}", kind_of(other)),
                    Some(format!(
                        "write digits without quotes or commas, e.g. {name} = 52792 (or \"約48,000\" when approximate)"
                    )),
                );
                return None;
            }
        };
        match u64::try_from(digits) {
            Ok(n) if n <= MAX_COUNT as u64 => Some((n, approx)),
            _ => {
                self.error_at(
                    crate::diag::Code::CountTooLarge,
                    v.span(),
                    format!("`{name}` is too large"),
                    Some("counts go up to 1,000,000,000,000 (10^12); check the figure".to_string()),
                );
                None
            }
        }
    }

    /// An optional count (integer ≥ 0, or quoted with 約).
    pub(crate) fn count(&mut self, t: &Table<'_, '_>, key: &str) -> Option<(u64, bool)> {
        let v = t.get(key)?;
        let name = format!("{}{key}", t.path);
        self.count_value(&name, v)
    }

    /// An optional count, or a table of `channel = count`.
    pub(crate) fn counts_by_channel(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
    ) -> Option<Result<CountText, Vec<(String, CountText)>>> {
        let v = t.get(key)?;
        if let DeValue::Table(channels) = v.get_ref() {
            let mut out = Vec::new();
            for (k, cv) in channels.iter() {
                let name = format!("{}{key}.{}", t.path, k.get_ref());
                if !self.check_text(&name, k.get_ref(), self.abs(k.span())) {
                    continue;
                }
                if let Some(n) = self.count_value(&name, cv) {
                    out.push((k.get_ref().to_string(), n));
                }
            }
            // `preserve_order` keeps the order the writer chose.
            return Some(Err(out));
        }
        let name = format!("{}{key}", t.path);
        self.count_value(&name, v).map(Ok)
    }

    /// An optional table of free-form keys with string values, in the order written.
    pub(crate) fn string_map(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
    ) -> Vec<(Located<String>, Located<String>)> {
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Table(entries) = v.get_ref() else {
            self.wrong_type(t, key, v, "a table", &format!("… (use a [{key}] section)"));
            return Vec::new();
        };
        let mut out = Vec::new();
        for (k, sv) in entries.iter() {
            let name = format!("{}{key}.{}", t.path, k.get_ref());
            let key_span = self.abs(k.span());
            if !self.check_text(&name, k.get_ref(), key_span.clone()) {
                continue;
            }
            let DeValue::String(s) = sv.get_ref() else {
                self.error_at(
                    crate::diag::Code::WrongType,
                    sv.span(),
                    format!("`{name}` must be a string, found {}", kind_of(sv.get_ref())),
                    Some(format!("write it in quotes: {} = \"…\"", k.get_ref())),
                );
                continue;
            };
            let span = self.abs(sv.span());
            if self.check_text(&name, s, span.clone()) {
                out.push((
                    Located {
                        value: k.get_ref().to_string(),
                        span: key_span,
                    },
                    Located {
                        value: s.to_string(),
                        span,
                    },
                ));
            }
        }
        out
    }

    /// An optional month number (an integer from 1 to 12).
    pub(crate) fn month(&mut self, t: &Table<'_, '_>, key: &str) -> Option<u32> {
        let v = t.get(key)?;
        let name = format!("{}{key}", t.path);
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(t, key, v, "a month number from 1 to 12", "4");
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n @ 1..=12) => u32::try_from(n).ok(),
            // Out of i64 is out of range too, never wrapped.
            found => {
                let found = found.map_or_else(|_| i.as_str().to_string(), |n| n.to_string());
                self.error_at(
                    crate::diag::Code::InvalidValue,
                    v.span(),
                    format!("`{name}` must be a month from 1 to 12, found {found}"),
                    Some(format!(
                        "write the month the year starts in, e.g. {key} = 4 for April (年度)"
                    )),
                );
                None
            }
        }
    }

    /// An optional whole number from 1 to [`MAX_POSITIVE`].
    pub(crate) fn positive(&mut self, t: &Table<'_, '_>, key: &str) -> Option<usize> {
        let v = t.get(key)?;
        let name = format!("{}{key}", t.path);
        let DeValue::Integer(i) = v.get_ref() else {
            self.wrong_type(t, key, v, "a whole number from 1 to 100000", "100");
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n @ 1..=MAX_POSITIVE) => usize::try_from(n).ok(),
            // Out of i64 is out of range too, never wrapped.
            found => {
                let found = found.map_or_else(|_| i.as_str().to_string(), |n| n.to_string());
                self.error_at(
                    crate::diag::Code::InvalidValue,
                    v.span(),
                    format!(
                        "`{name}` must be a whole number from 1 to {MAX_POSITIVE}, found {found}"
                    ),
                    Some(format!("write a positive number, e.g. {key} = 100")),
                );
                None
            }
        }
    }

    /// An optional boolean.
    pub(crate) fn bool(&mut self, t: &Table<'_, '_>, key: &str) -> Option<bool> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(t, key, v, "true or false", "true");
                None
            }
        }
    }

    /// An optional value from a closed set.
    pub(crate) fn choice<C: Choice>(&mut self, t: &Table<'_, '_>, key: &str) -> Option<C> {
        let s = self.string(t, key)?;
        if let Some((_, c)) = C::ALL.iter().find(|(name, _)| *name == s.value) {
            return Some(*c);
        }
        let names = C::NAMES;
        let help = match suggest(&s.value, names.iter().copied()) {
            Some(n) => format!("did you mean \"{n}\"? expected one of: {}", quoted(names)),
            None => format!("expected one of: {}", quoted(names)),
        };
        self.error_abs(
            crate::diag::Code::InvalidValue,
            s.span,
            format!("`{}{key}` has an unknown value \"{}\"", t.path, s.value),
            Some(help),
        );
        None
    }

    /// An optional array of tables (`[[key]]`), each checked against the fields that
    /// `t`'s field table gives `key` ([`Kind::Tables`]).
    pub(crate) fn tables<'t, 'i>(&mut self, t: &Table<'t, 'i>, key: &str) -> Vec<Table<'t, 'i>> {
        let known = match t.field(key).map(|f| f.kind) {
            Some(Kind::Tables(fields)) => fields,
            _ => unreachable!("`{key}` is not declared as an array of tables"),
        };
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.wrong_type(
                t,
                key,
                v,
                "a list of tables",
                &format!("… (use [[{key}]] sections)"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match item.get_ref() {
                DeValue::Table(entries) => {
                    let sub = Table {
                        entries,
                        span: self.abs(item.span()),
                        path: format!("{}{key}[{i}].", t.path),
                        fields: known,
                    };
                    self.check_keys(&sub);
                    out.push(sub);
                }
                other => self.error_at(
                    crate::diag::Code::WrongType,
                    item.span(),
                    format!(
                        "`{}{key}[{i}]` must be a table, found {}",
                        t.path,
                        kind_of(other)
                    ),
                    Some(format!("write each entry as a [[{key}]] section")),
                ),
            }
        }
        out
    }

    /// An optional table (`[key]`), checked against the fields that `t`'s field table
    /// gives `key` ([`Kind::Table`]).
    pub(crate) fn table<'t, 'i>(&mut self, t: &Table<'t, 'i>, key: &str) -> Option<Table<'t, 'i>> {
        let known = match t.field(key).map(|f| f.kind) {
            Some(Kind::Table(fields)) => fields,
            _ => unreachable!("`{key}` is not declared as a table"),
        };
        let v = t.get(key)?;
        let DeValue::Table(entries) = v.get_ref() else {
            self.wrong_type(t, key, v, "a table", &format!("… (use a [{key}] section)"));
            return None;
        };
        let sub = Table {
            entries,
            span: self.abs(v.span()),
            path: format!("{}{key}.", t.path),
            fields: known,
        };
        self.check_keys(&sub);
        Some(sub)
    }

    /// An optional table of sub-tables (`[key.name]`), returned with their names, each
    /// checked against the fields that `t`'s field table gives `key` ([`Kind::NamedTables`]).
    pub(crate) fn named_tables<'t, 'i>(
        &mut self,
        t: &Table<'t, 'i>,
        key: &str,
    ) -> Vec<(Located<String>, Table<'t, 'i>)> {
        let known = match t.field(key).map(|f| f.kind) {
            Some(Kind::NamedTables(fields)) => fields,
            _ => unreachable!("`{key}` is not declared as a table of named tables"),
        };
        let Some(v) = t.get(key) else {
            return Vec::new();
        };
        let DeValue::Table(entries) = v.get_ref() else {
            self.wrong_type(
                t,
                key,
                v,
                "a table",
                &format!("… (use [{key}.<name>] sections)"),
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (name, item) in entries.iter() {
            match item.get_ref() {
                DeValue::Table(sub_entries) => {
                    let sub = Table {
                        entries: sub_entries,
                        span: self.abs(name.span()),
                        path: format!("{}{key}.{}.", t.path, name.get_ref()),
                        fields: known,
                    };
                    self.check_keys(&sub);
                    let name = Located {
                        value: name.get_ref().to_string(),
                        span: self.abs(name.span()),
                    };
                    out.push((name, sub));
                }
                other => self.error_at(
                    crate::diag::Code::WrongType,
                    item.span(),
                    format!(
                        "`{}{key}.{}` must be a table, found {}",
                        t.path,
                        name.get_ref(),
                        kind_of(other)
                    ),
                    Some(format!("write it as a [{key}.{}] section", name.get_ref())),
                ),
            }
        }
        out
    }
}

/// The span of the start of the line of `text` with the most nesting characters (`.`,
/// `[`, `{`), for an error the parser reports without a position.
fn deepest_line(text: &str) -> Range<usize> {
    let mut best = (0, 0);
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let depth = line
            .bytes()
            .filter(|b| matches!(b, b'.' | b'[' | b'{'))
            .count();
        if depth > best.1 {
            best = (start, depth);
        }
        start += line.len();
    }
    best.0..best.0
}

/// The largest char boundary of `s` at or below `i` (clamped to `s`).
fn floor_char_boundary(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("\"{n}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'t, 'i> Table<'t, 'i> {
    /// The prefix of this table's fields in messages, e.g. `phases[1].`.
    pub(crate) fn path(&self) -> &str {
        &self.path
    }

    /// The table's span in the file (its header, or the opening `+++` for the root).
    pub(crate) fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// Whether the key is present, whatever its type.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// The declared field `key`.
    fn field(&self, key: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == key)
    }

    /// The value at `key`. Front matter tables hold a few dozen keys at most: comparing
    /// them in order costs less than the map's SipHash of the key (1.5 % of a build).
    pub(crate) fn get(&self, key: &str) -> Option<&'t Val<'i>> {
        // A key read but not declared would be refused as unknown before it is read.
        debug_assert!(
            self.field(key).is_some(),
            "`{}{key}` is read but not in its field table",
            self.path
        );
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod count_text_tests {
    use super::parse_count_text;

    #[test]
    fn quoted_counts_keep_their_about() {
        assert_eq!(parse_count_text("約48,000"), Some((48_000, true)));
        assert_eq!(parse_count_text("約 370"), Some((370, true)));
        assert_eq!(parse_count_text("137"), Some((137, false)));
        assert_eq!(parse_count_text("1,234,567"), Some((1_234_567, false)));
        for bad in [
            "", "約", "48,00", "4,8000", ",480", "48000,", "-5", "約-5", "about 5", "五", "1.5",
        ] {
            assert_eq!(parse_count_text(bad), None, "{bad}");
        }
        assert_eq!(
            parse_count_text("9".repeat(60).as_str()).map(|p| p.0),
            Some(u128::MAX)
        );
    }
}
