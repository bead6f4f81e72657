//! Editions: what the public edition leaves out, decided once.
//!
//! [`select`] runs at the start of the site stage, before anything is counted or indexed:
//! in the public edition it drops internal incidents and meetings, internal items and the
//! `[internal]` table, so that every figure, list, feed, export and search entry is made
//! from public data only. It lives in the model stage because it turns validated
//! documents into validated documents and needs nothing of the site; the references it
//! checks (`related`, agendas naming internal incidents) need every document, so the site
//! stage calls it, once, for both `gen build` and `gen serve`.
//!
//! Bodies are read after the site stage (when their page renders), so their internal
//! blocks are blanked where every reader reads them: [`read_body`], behind
//! `Incident::read_body` and `Meeting::read_body`.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use super::types::Visibility;
use super::{Incident, Meeting};
use crate::config::Edition;
use crate::diag::{Code, Diagnostic, SourceFile};
use crate::load::{Body, BodySource};

/// The line that opens an internal block of a body.
pub const OPEN: &str = "<!-- internal -->";
/// The line that closes it.
pub const CLOSE: &str = "<!-- /internal -->";

/// The documents of one edition, and what it left out.
#[derive(Debug, Default)]
pub struct Selected {
    /// The incidents of the edition, internal items and details dropped in the public one.
    pub incidents: Vec<Arc<Incident>>,
    /// The meetings of the edition.
    pub meetings: Vec<Meeting>,
    /// Ids of the internal incidents the public edition left out.
    pub internal_incidents: HashSet<String>,
    /// Ids of the internal meetings the public edition left out.
    pub internal_meetings: HashSet<String>,
    /// Public documents that name internal ones (`internal-reference`).
    pub diags: Vec<Diagnostic>,
    /// Public fields that quote an `[internal]` value (`quotes-internal`).
    pub warnings: Vec<Diagnostic>,
}

/// The documents of `edition`: everything for the internal edition; for the public one,
/// the public documents without their internal items, and an error for each public
/// `related` or agenda entry that names an internal incident.
pub fn select(edition: Edition, incidents: Vec<Arc<Incident>>, meetings: Vec<Meeting>) -> Selected {
    let warnings = incidents
        .iter()
        .filter(|i| i.visibility == Visibility::Public)
        .flat_map(|i| quoting(i))
        .collect();
    if edition == Edition::Internal {
        return Selected {
            incidents,
            meetings,
            warnings,
            ..Selected::default()
        };
    }
    let internal_incidents: HashSet<String> = incidents
        .iter()
        .filter(|i| i.visibility == Visibility::Internal)
        .map(|i| i.id.clone())
        .collect();
    let internal_meetings: HashSet<String> = meetings
        .iter()
        .filter(|m| m.visibility == Visibility::Internal)
        .map(|m| m.id.clone())
        .collect();
    let mut diags = Vec::new();
    let incidents: Vec<Arc<Incident>> = incidents
        .into_iter()
        .filter(|i| i.visibility == Visibility::Public)
        .map(|i| {
            for r in i.related.iter().filter(|r| internal_incidents.contains(&r.value)) {
                diags.push(
                    Diagnostic::error(
                        Code::InternalReference,
                        &i.file,
                        Some(r.span.clone()),
                        format!(
                            "`related` names \"{}\", an internal incident, which the public edition leaves out",
                            r.value
                        ),
                    )
                    .with_help("remove it from `related`, or make this incident internal too (visibility = \"internal\")"),
                );
            }
            public_part(i, &internal_meetings)
        })
        .collect();
    let meetings: Vec<Meeting> = meetings
        .into_iter()
        .filter(|m| m.visibility == Visibility::Public)
        .inspect(|m| {
            for r in m.incidents.iter().filter(|r| internal_incidents.contains(&r.value)) {
                diags.push(
                    Diagnostic::error(
                        Code::InternalReference,
                        &m.file,
                        Some(r.span.clone()),
                        format!(
                            "the agenda lists \"{}\", an internal incident, which the public edition leaves out",
                            r.value
                        ),
                    )
                    .with_help("make this meeting internal (visibility = \"internal\"), or remove the incident from `incidents`"),
                );
            }
        })
        .collect();
    Selected {
        incidents,
        meetings,
        internal_incidents,
        internal_meetings,
        diags,
        warnings,
    }
}

/// A `quotes-internal` warning for each `[internal]` value of public incident `i` that
/// one of its public fields holds verbatim, at the value.
fn quoting(i: &Incident) -> Vec<Diagnostic> {
    if i.internal.is_empty() {
        return Vec::new();
    }
    let mut fields: Vec<(&str, &str)> = vec![("title", &i.title)];
    fields.extend(i.summary.as_deref().map(|s| ("summary", s)));
    fields.extend(
        i.service_category
            .as_deref()
            .map(|s| ("service_category", s)),
    );
    fields.extend(i.operators.iter().map(|o| ("operators", o.as_str())));
    fields.extend(i.regions.iter().map(|o| ("regions", o.as_str())));
    fields.extend(i.services.iter().map(|o| ("services", o.as_str())));
    fields.extend(i.tags.iter().map(|o| ("tags", o.value.as_str())));
    let public = |internal: bool| !internal;
    fields.extend(
        i.phases
            .iter()
            .filter(|p| public(p.internal))
            .map(|p| ("phases.label", p.label.as_str())),
    );
    fields.extend(
        i.countermeasures
            .iter()
            .filter(|c| public(c.internal))
            .map(|c| ("countermeasures.action", c.action.as_str())),
    );
    fields.extend(
        i.notices
            .iter()
            .filter(|n| public(n.internal))
            .filter_map(|n| n.title.as_deref().map(|t| ("notices.title", t))),
    );
    fields.extend(
        i.timeline
            .iter()
            .filter(|e| public(e.internal))
            .map(|e| ("timeline.event", e.event.as_str())),
    );
    let mut out = Vec::new();
    for (key, value) in &i.internal {
        if let Some((field, _)) = fields.iter().find(|(_, text)| quotes(text, &value.value)) {
            out.push(
                Diagnostic::warning(
                    Code::QuotesInternal,
                    &i.file,
                    Some(value.span.clone()),
                    format!(
                        "`internal.{key}` (\"{}\") is quoted in the public field `{field}`: the public edition shows it",
                        value.value.trim()
                    ),
                )
                .with_help(format!("reword `{field}`, or mark its item internal = true")),
            );
        }
    }
    out
}

/// A public incident without its internal items and details, nor its `meeting` when that
/// is an internal meeting (whose id is its file name, which may say what the meeting was);
/// shared as it is when it has none (most incidents), so that the public edition copies
/// nothing it need not.
fn public_part(i: Arc<Incident>, internal_meetings: &HashSet<String>) -> Arc<Incident> {
    let internal_meeting = i
        .meeting
        .as_ref()
        .is_some_and(|m| internal_meetings.contains(&m.value));
    let marked = internal_meeting
        || !i.internal.is_empty()
        || i.phases.iter().any(|p| p.internal)
        || i.countermeasures.iter().any(|c| c.internal)
        || i.notices.iter().any(|n| n.internal)
        || i.timeline.iter().any(|e| e.internal)
        || i.assets.iter().any(|a| is_internal_asset(&a.path));
    if !marked {
        return i;
    }
    let mut p = Arc::unwrap_or_clone(i);
    if internal_meeting {
        p.meeting = None;
    }
    p.internal.clear();
    p.phases.retain(|x| !x.internal);
    p.countermeasures.retain(|x| !x.internal);
    p.notices.retain(|x| !x.internal);
    p.timeline.retain(|x| !x.internal);
    p.assets.retain(|a| !is_internal_asset(&a.path));
    Arc::new(p)
}

/// Whether `path` (inside the output, `/`-separated) is an internal asset: a file under
/// an incident folder's `internal/` subfolder (`incidents/<id>/internal/…`).
pub fn is_internal_asset(path: &str) -> bool {
    let mut parts = path.split('/');
    parts.next() == Some("incidents")
        && parts.next().is_some()
        && parts.next() == Some("internal")
        && parts.next().is_some()
}

/// A problem with a body's internal markers, at a range of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkerProblem {
    /// Byte range in the body.
    pub range: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
}

/// What an internal marker in a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// `<!-- internal -->`
    Open,
    /// `<!-- /internal -->`
    Close,
}

/// The marker `line` is, when it holds one alone (surrounding white space allowed).
pub fn marker_line(line: &str) -> Option<Marker> {
    let line = line.trim();
    let (m, range) = marker_in(line)?;
    (range == (0..line.len())).then_some(m)
}

/// The marker an HTML comment's text (between `<!--` and `-->`) is, if any: `internal`
/// or `/internal`, whatever the spaces and case, so that a near miss is never taken for
/// an ordinary comment and published.
fn marker_of(inner: &str) -> Option<Marker> {
    let inner = inner.trim();
    if inner.eq_ignore_ascii_case("internal") {
        Some(Marker::Open)
    } else if inner.eq_ignore_ascii_case("/internal") {
        Some(Marker::Close)
    } else {
        None
    }
}

/// The first marker comment in `line`, with its range in the line.
fn marker_in(line: &str) -> Option<(Marker, Range<usize>)> {
    let mut from = 0;
    while let Some(at) = line[from..].find("<!--") {
        let start = from + at;
        let inner_start = start + 4;
        let len = line[inner_start..].find("-->")?;
        let end = inner_start + len + 3;
        if let Some(m) = marker_of(&line[inner_start..inner_start + len]) {
            return Some((m, start..end));
        }
        from = end;
    }
    None
}

/// The internal blocks of a body, each from the start of its opening marker's line to
/// the end of its closing marker's line (its `\n` included), or every problem with its
/// markers. Lines are read as lines, also inside code: a marker in a fenced block still
/// opens or closes a block, so that nothing is published by a reading the author did not
/// mean.
///
/// `first_line` is the line number of the body's first line in its file, for messages.
pub fn blocks(text: &str, first_line: usize) -> Result<Vec<Range<usize>>, Vec<MarkerProblem>> {
    // Most bodies have no comment at all.
    if memchr::memmem::find(text.as_bytes(), b"<!--").is_none() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut problems = Vec::new();
    // The open block: where its line starts, and its marker's range and line number.
    let mut open: Option<(usize, Range<usize>, usize)> = None;
    let mut start = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let end = start + line.len();
        let Some((marker, range)) = marker_in(line) else {
            start = end;
            continue;
        };
        let at = start + range.start..start + range.end;
        if line.trim() != &line[range.clone()] {
            problems.push(MarkerProblem {
                range: at,
                message: format!(
                    "`{}` shares its line with other text: an internal marker must be alone on its line",
                    &line[range]
                ),
                help: "put <!-- internal --> on a line of its own before the internal text, and <!-- /internal --> on a line of its own after it",
            });
            start = end;
            continue;
        }
        match (marker, &open) {
            (Marker::Open, None) => open = Some((start, at, first_line + n)),
            (Marker::Open, Some((_, _, line_no))) => problems.push(MarkerProblem {
                range: at,
                message: format!(
                    "<!-- internal --> inside the internal block opened on line {line_no}: internal blocks do not nest"
                ),
                help: "close the first block with <!-- /internal --> before opening another, or remove this line",
            }),
            (Marker::Close, Some((from, _, _))) => {
                out.push(*from..end);
                open = None;
            }
            (Marker::Close, None) => problems.push(MarkerProblem {
                range: at,
                message: "<!-- /internal --> closes no block: there is no <!-- internal --> before it".to_string(),
                help: "add a line <!-- internal --> where the internal text starts, or remove this line",
            }),
        }
        start = end;
    }
    if let Some((_, at, _)) = open {
        problems.push(MarkerProblem {
            range: at,
            message: "<!-- internal --> is not closed: there is no <!-- /internal --> after it"
                .to_string(),
            help: "add a line <!-- /internal --> where the internal text ends",
        });
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}

/// Reads a body, the one way every reader does: its internal markers are checked
/// (`internal-marker` errors, located in the file) and, when `redacted` (the public
/// edition), every byte of its internal blocks but `\n` becomes a space, so that
/// Markdown sees blank lines and every offset (a diagnostic's span) stays right.
pub fn read_body(
    source: &BodySource,
    head: &Arc<SourceFile>,
    hash: &blake3::Hash,
    redacted: bool,
) -> Result<Body, crate::Error> {
    let mut body = source.read(head, hash)?;
    let first_line = memchr::memchr_iter(b'\n', head.text.as_bytes()).count() + 1;
    match blocks(body.as_str(), first_line) {
        Ok(blocks) if redacted && !blocks.is_empty() => body.blank(&blocks),
        Ok(_) => {}
        Err(problems) => {
            let file = body.source(head);
            let offset = body.start();
            return Err(crate::Error::Content(
                problems
                    .into_iter()
                    .map(|p| {
                        let span = p.range.start + offset..p.range.end + offset;
                        Diagnostic::error(Code::InternalMarker, &file, Some(span), p.message)
                            .with_help(p.help)
                    })
                    .collect(),
            ));
        }
    }
    Ok(body)
}

/// A body with everything but its internal blocks blanked (the reverse of the public
/// edition's reading), for what only internal text links to; `None` when it has no
/// internal block, or when its markers are wrong ([`read_body`] reports those).
pub fn internal_text(
    source: &BodySource,
    head: &Arc<SourceFile>,
    hash: &blake3::Hash,
) -> Result<Option<Body>, crate::Error> {
    let mut body = source.read(head, hash)?;
    let Ok(blocks) = blocks(body.as_str(), 1) else {
        return Ok(None);
    };
    if blocks.is_empty() {
        return Ok(None);
    }
    let mut outside = Vec::with_capacity(blocks.len() + 1);
    let mut at = 0;
    for b in &blocks {
        outside.push(at..b.start);
        at = b.end;
    }
    outside.push(at..body.as_str().len());
    body.blank(&outside);
    Ok(Some(body))
}

/// Whether `text` (a public field) holds `value` (an `[internal]` value) verbatim; values
/// shorter than 4 characters are too common to tell.
pub fn quotes(text: &str, value: &str) -> bool {
    value.trim().chars().count() >= 4 && text.contains(value.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks_of(text: &str) -> Result<Vec<Range<usize>>, Vec<MarkerProblem>> {
        blocks(text, 1)
    }

    #[test]
    fn blocks_run_from_marker_line_to_marker_line() {
        let text = "a\n<!-- internal -->\nsecret\n  <!-- /internal -->  \nb\n";
        let b = blocks(text, 1).unwrap();
        assert_eq!(b, vec![2..text.len() - 2]);
        assert_eq!(
            blocks_of("no comment\n").unwrap(),
            Vec::<Range<usize>>::new()
        );
        assert_eq!(
            blocks_of("<!-- note -->\n").unwrap(),
            Vec::<Range<usize>>::new()
        );
        // Near misses are markers too.
        assert_eq!(
            blocks_of("<!--INTERNAL-->\nx\n<!--  /internal-->").unwrap(),
            vec![0..36]
        );
    }

    #[test]
    fn marker_problems_are_found() {
        let p = blocks_of("<!-- internal -->\nx\n").unwrap_err();
        assert_eq!(p[0].range, 0..17);
        assert!(p[0].message.contains("is not closed"));
        let p = blocks_of("x\n<!-- /internal -->\n").unwrap_err();
        assert_eq!(p[0].range, 2..20);
        assert!(p[0].message.contains("closes no block"));
        let p =
            blocks_of("<!-- internal -->\n<!-- internal -->\n<!-- /internal -->\n").unwrap_err();
        assert_eq!(p[0].range, 18..35);
        assert!(p[0].message.contains("opened on line 1"));
        let p = blocks_of("text <!-- internal -->\n").unwrap_err();
        assert_eq!(p[0].range, 5..22);
        assert!(p[0].message.contains("alone on its line"));
    }

    #[test]
    fn internal_assets_are_under_an_incident_folders_internal() {
        assert!(is_internal_asset("incidents/a/internal/x.png"));
        assert!(is_internal_asset("incidents/a/internal/sub/x.png"));
        assert!(!is_internal_asset("incidents/a/internal"));
        assert!(!is_internal_asset("incidents/a/x.png"));
        assert!(!is_internal_asset("static/internal/x.png"));
    }
}
