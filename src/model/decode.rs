//! A small typed reader over spanned TOML that collects every problem instead of stopping.
//!
//! serde stops at the first error and cannot suggest field names, so the model reads the
//! spanned [`DeTable`] tree itself: each accessor checks type and range, records a
//! [`Diagnostic`] with the value's position on failure, and returns `None`.

use std::ops::Range;
use std::sync::Arc;

use chrono::{FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::types::{Choice, Duration, DurationError, PartialDate, Timestamp};
use crate::diag::{suggest, Diagnostic, SourceFile};

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
}

/// Reads TOML from one file, collecting diagnostics.
pub(crate) struct Decoder<'f> {
    file: &'f Arc<SourceFile>,
    base: usize,
    /// Every problem found so far.
    pub diags: Vec<Diagnostic>,
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

    fn abs(&self, span: Range<usize>) -> Range<usize> {
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

    /// The document's root table; a missing field is reported at `missing_span` (absolute).
    pub(crate) fn root<'t, 'i>(
        &self,
        t: &'t DeTable<'i>,
        missing_span: Range<usize>,
    ) -> Table<'t, 'i> {
        Table {
            entries: t,
            span: missing_span,
            path: String::new(),
        }
    }

    /// Reports every key of `t` not in `known`, suggesting the nearest known name.
    pub(crate) fn check_keys(&mut self, t: &Table<'_, '_>, known: &[&str]) {
        for (key, _) in t.entries.iter() {
            let name: &str = key.get_ref();
            if known.contains(&name) {
                continue;
            }
            let help = match suggest(name, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("known fields here: {}", known.join(", ")),
            };
            self.error_at(
                crate::diag::Code::UnknownField,
                key.span(),
                format!("unknown field `{}{name}`", t.path),
                Some(help),
            );
        }
    }

    fn wrong_type(
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
                Some(format!("write it like: {key} = [\"…\"]")),
            );
        }
        out
    }

    /// A value for a count; reports negatives and out-of-range integers.
    fn count_value(&mut self, name: &str, v: &Val<'_>) -> Option<u64> {
        let DeValue::Integer(i) = v.get_ref() else {
            self.error_at(
                crate::diag::Code::WrongType,
                v.span(),
                format!(
                    "`{name}` must be a whole number, found {}",
                    kind_of(v.get_ref())
                ),
                Some(format!(
                    "write digits without quotes or commas, e.g. {name} = 52792"
                )),
            );
            return None;
        };
        match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) if n < 0 => {
                self.error_at(
                    crate::diag::Code::NegativeCount,
                    v.span(),
                    format!("`{name}` must not be negative, found {n}"),
                    Some("a count of users or inquiries is 0 or more".to_string()),
                );
                None
            }
            Ok(n) if n <= MAX_COUNT => Some(n as u64),
            // Out of i64 or above the bound: either way too large, never wrapped.
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

    /// An optional count (integer ≥ 0).
    pub(crate) fn count(&mut self, t: &Table<'_, '_>, key: &str) -> Option<u64> {
        let v = t.get(key)?;
        let name = format!("{}{key}", t.path);
        self.count_value(&name, v)
    }

    /// An optional count, or a table of `channel = count`.
    pub(crate) fn counts_by_channel(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
    ) -> Option<Result<u64, Vec<(String, u64)>>> {
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

    /// An optional date and time. A local datetime takes `tz`.
    pub(crate) fn datetime(
        &mut self,
        t: &Table<'_, '_>,
        key: &str,
        tz: FixedOffset,
    ) -> Option<Located<Timestamp>> {
        let v = t.get(key)?;
        let example = "2017-07-03T11:50:00+09:00";
        // Only for messages: built when one is needed.
        let help = || format!("write an unquoted date and time: {key} = {example}");
        let name = || format!("{}{key}", t.path);
        let dt = match v.get_ref() {
            DeValue::Datetime(dt) => *dt,
            DeValue::String(s) => match s.parse::<toml::value::Datetime>() {
                Ok(dt) => dt,
                Err(_) => {
                    self.error_at(
                        crate::diag::Code::InvalidDate,
                        v.span(),
                        format!("`{}` is not a date and time: \"{s}\"", name()),
                        Some(help()),
                    );
                    return None;
                }
            },
            _ => {
                self.wrong_type(t, key, v, "a date and time", example);
                return None;
            }
        };
        let (Some(date), Some(time)) = (dt.date, dt.time) else {
            self.error_at(
                crate::diag::Code::InvalidDate,
                v.span(),
                format!(
                    "`{}` needs both a date and a time of day, found `{dt}`",
                    name()
                ),
                Some(help()),
            );
            return None;
        };
        let naive = NaiveDate::from_ymd_opt(date.year.into(), date.month.into(), date.day.into())
            .zip(NaiveTime::from_hms_opt(
                time.hour.into(),
                time.minute.into(),
                time.second.unwrap_or(0).into(),
            ))
            .map(|(d, t)| NaiveDateTime::new(d, t));
        let offset = match dt.offset {
            None => Some(tz),
            Some(toml::value::Offset::Z) => FixedOffset::east_opt(0),
            Some(toml::value::Offset::Custom { minutes }) => {
                FixedOffset::east_opt(i32::from(minutes) * 60)
            }
        };
        match (naive, offset) {
            (Some(n), Some(o)) if o.from_local_datetime(&n).single().is_some() => {
                o.from_local_datetime(&n).single().map(|d| Located {
                    value: Timestamp(d),
                    span: self.abs(v.span()),
                })
            }
            _ => {
                self.error_at(
                    crate::diag::Code::InvalidDate,
                    v.span(),
                    format!("`{}` is not a valid date and time: `{dt}`", name()),
                    Some(help()),
                );
                None
            }
        }
    }

    /// An optional date at year, month or day precision: a TOML date or `"YYYY-MM"`.
    pub(crate) fn partial_date(&mut self, t: &Table<'_, '_>, key: &str) -> Option<PartialDate> {
        let v = t.get(key)?;
        let parsed = match v.get_ref() {
            DeValue::Datetime(dt) if dt.time.is_none() => dt.date.and_then(|d| {
                PartialDate::new(d.year.into(), Some(d.month.into()), Some(d.day.into()))
            }),
            DeValue::String(s) => PartialDate::parse(s),
            DeValue::Datetime(_) => None,
            _ => {
                self.wrong_type(t, key, v, "a date", "2024-03-31");
                return None;
            }
        };
        if parsed.is_none() {
            let name = format!("{}{key}", t.path);
            let help = format!(
                "write {key} = 2024-03-31, or {key} = \"2024-03\" when only the month is known"
            );
            let shown = match v.get_ref() {
                DeValue::String(s) => format!("\"{s}\""),
                DeValue::Datetime(dt) => dt.to_string(),
                _ => String::new(),
            };
            self.error_at(
                crate::diag::Code::InvalidDate,
                v.span(),
                format!("`{name}` is not a date: {shown}"),
                Some(help),
            );
        }
        parsed
    }

    /// An optional duration such as `"23h08m"`.
    pub(crate) fn duration(&mut self, t: &Table<'_, '_>, key: &str) -> Option<Located<Duration>> {
        let s = self.string(t, key)?;
        match Duration::parse_checked(&s.value) {
            Ok(d) => Some(Located {
                value: d,
                span: s.span,
            }),
            Err(DurationError::TooLarge) => {
                self.error_abs(
                    crate::diag::Code::DurationTooLarge,
                    s.span,
                    format!("`{}{key}` is too large: \"{}\"", t.path, s.value),
                    Some(format!(
                        "durations go up to {} days (100 years); check the figure",
                        Duration::MAX_MINUTES / (24 * 60)
                    )),
                );
                None
            }
            Err(DurationError::Invalid) => {
                self.error_abs(
                    crate::diag::Code::InvalidDuration,
                    s.span,
                    format!("`{}{key}` is not a duration: \"{}\"", t.path, s.value),
                    Some(format!(
                        "write hours and minutes like {key} = \"23h08m\" (or \"45m\", \"2d3h\")"
                    )),
                );
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
        let names: Vec<&str> = C::ALL.iter().map(|(n, _)| *n).collect();
        let help = match suggest(&s.value, names.iter().copied()) {
            Some(n) => format!("did you mean \"{n}\"? expected one of: {}", quoted(&names)),
            None => format!("expected one of: {}", quoted(&names)),
        };
        self.error_abs(
            crate::diag::Code::InvalidValue,
            s.span,
            format!("`{}{key}` has an unknown value \"{}\"", t.path, s.value),
            Some(help),
        );
        None
    }

    /// An optional array of tables (`[[key]]`), each checked against `known` fields.
    pub(crate) fn tables<'t, 'i>(
        &mut self,
        t: &Table<'t, 'i>,
        key: &str,
        known: &[&str],
    ) -> Vec<Table<'t, 'i>> {
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
                    };
                    self.check_keys(&sub, known);
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

    /// An optional table of sub-tables (`[key.name]`), returned with their names.
    pub(crate) fn named_tables<'t, 'i>(
        &mut self,
        t: &Table<'t, 'i>,
        key: &str,
        known: &[&str],
    ) -> Vec<(Located<String>, Table<'t, 'i>)> {
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
                    };
                    self.check_keys(&sub, known);
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

    /// The value at `key`. Front matter tables hold a few dozen keys at most: comparing
    /// them in order costs less than the map's SipHash of the key (1.5 % of a build).
    fn get(&self, key: &str) -> Option<&'t Val<'i>> {
        self.entries
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }
}
