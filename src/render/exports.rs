//! The data exports: `incidents.json` (every structured field and the derived figures,
//! each with its kind), its JSON Schema, `incidents.csv` and `countermeasures.csv`.
//!
//! They carry exactly what the site publishes (drafts are not in the [`Site`] unless the
//! build asked for them), and a figure keeps what the pages say about it: unknown is
//! `null`, never 0; 約 is `"approximate": true`; a figure gen computed is `"derived"`.

use serde::Serialize;

use super::i18n::Fmt;
use crate::model::{Choice, Count, Duration, Figure, Incident, PartialDate, Timestamp};
use crate::routes;
use crate::site::ledger::{self, Standing};
use crate::site::Site;

/// The version of the JSON layout; raised on any change a consumer could notice.
pub const SCHEMA_VERSION: u32 = 2;

/// The JSON Schema of `incidents.json`, published beside it.
pub const SCHEMA: &str = include_str!("incidents.schema.json");

/// Where a figure comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FigureKind {
    /// Stated by the source as an exact figure.
    Exact,
    /// Stated by the source as approximate (約).
    Approximate,
    /// Not stated: the value is `null`.
    Unknown,
    /// Computed by gen from other fields (a sum over phases, `resolved - started`).
    Derived,
}

impl FigureKind {
    /// The name the exports write (`exact`, `approximate`, `unknown`, `derived`).
    pub fn as_str(self) -> &'static str {
        match self {
            FigureKind::Exact => "exact",
            FigureKind::Approximate => "approximate",
            FigureKind::Unknown => "unknown",
            FigureKind::Derived => "derived",
        }
    }
}

/// A figure as the exports carry it.
#[derive(Debug, Serialize)]
struct FigureOut {
    /// The value; `null` when unknown.
    value: Option<u64>,
    kind: FigureKind,
    /// Whether the value, or any part of it, is approximate (約).
    approximate: bool,
    /// As the site's pages write it (`約48,000`, `不明`).
    text: String,
}

impl FigureOut {
    /// A stated count; `things` writes it with its unit (`約539件`), as the pages write
    /// counts of inquiries.
    fn count(c: Option<Count>, things: bool, f: Fmt) -> Self {
        let fig = c.map(|count| Figure {
            count,
            derived: false,
        });
        let mut out = Self::figure(fig, 0, f);
        if let (Some(c), true) = (c, things) {
            out.text = f.figure_count(c);
        }
        out
    }

    fn figure(fig: Option<Figure>, phases: usize, f: Fmt) -> Self {
        let text = f.incident_figure(fig, phases);
        match fig {
            None => Self {
                value: None,
                kind: FigureKind::Unknown,
                approximate: false,
                text,
            },
            Some(fig) => Self {
                value: Some(fig.count.value),
                kind: if fig.derived {
                    FigureKind::Derived
                } else if fig.count.approx {
                    FigureKind::Approximate
                } else {
                    FigureKind::Exact
                },
                approximate: fig.count.approx,
                text,
            },
        }
    }

    /// 継続時間 in minutes: stated (`duration`), derived from `resolved - started`, or
    /// unknown while ongoing.
    fn duration(official: Option<Duration>, derived: Option<Duration>, f: Fmt) -> Self {
        let (d, kind) = match (official, derived) {
            (Some(d), _) => (Some(d), FigureKind::Exact),
            (None, Some(d)) => (Some(d), FigureKind::Derived),
            (None, None) => (None, FigureKind::Unknown),
        };
        Self {
            value: d.map(|d| d.minutes().max(0).unsigned_abs()),
            kind,
            approximate: false,
            text: d.map_or_else(|| f.unknown().to_string(), |d| f.duration(d)),
        }
    }
}

/// `incidents.json`.
#[derive(Debug, Serialize)]
struct Export<'a> {
    schema_version: u32,
    schema: &'static str,
    site: SiteOut<'a>,
    incidents: Incidents<'a>,
}

/// Every incident of the export, each made as it is written: the whole list at once took
/// 620 MB at 100,000 incidents (BENCHMARKS.md "Scaling").
#[derive(Debug)]
struct Incidents<'a> {
    site: &'a Site,
    f: Fmt,
}

impl Serialize for Incidents<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = s.serialize_seq(Some(self.site.incidents.len()))?;
        for n in 0..self.site.incidents.len() {
            seq.serialize_element(&incident(self.site, n, self.f))?;
        }
        seq.end()
    }
}

#[derive(Debug, Serialize)]
struct SiteOut<'a> {
    title: &'a str,
    language: &'static str,
    base_url: Option<&'a str>,
    timezone: String,
    as_of: String,
    /// `public` or `internal` (docs/format.md, "Editions").
    edition: &'static str,
}

#[derive(Debug, Serialize)]
struct CauseOut<'a> {
    key: &'a str,
    label: &'a str,
    primary: bool,
}

#[derive(Debug, Serialize)]
struct ChannelOut<'a> {
    channel: &'a str,
    value: u64,
    approximate: bool,
}

#[derive(Debug, Serialize)]
struct InquiriesOut<'a> {
    #[serde(flatten)]
    total: FigureOut,
    by_channel: Vec<ChannelOut<'a>>,
    as_of: Option<String>,
}

#[derive(Debug, Serialize)]
struct MeetingRef<'a> {
    id: &'a str,
    path: String,
    url: Option<String>,
}

#[derive(Debug, Serialize)]
struct PhaseOut<'a> {
    internal: bool,
    label: &'a str,
    started: Option<String>,
    resolved: Option<String>,
    duration: FigureOut,
    affected_users: FigureOut,
}

#[derive(Debug, Serialize)]
struct MeasureOut<'a> {
    internal: bool,
    action: &'a str,
    status: &'static str,
    standing: &'static str,
    days_overdue: Option<i64>,
    due: Option<String>,
    completed: Option<String>,
    scope: Option<&'static str>,
    term: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct NoticeOut<'a> {
    internal: bool,
    at: String,
    channel: Option<&'a str>,
    title: Option<&'a str>,
    kind: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct TimelineOut<'a> {
    internal: bool,
    at: String,
    event: &'a str,
}

#[derive(Debug, Serialize)]
struct ReportingOut {
    serious: Option<bool>,
    reported_at: Option<String>,
    detailed_report_at: Option<String>,
}

#[derive(Debug, Serialize)]
struct IncidentOut<'a> {
    id: &'a str,
    path: String,
    url: Option<String>,
    visibility: &'static str,
    title: &'a str,
    status: &'static str,
    operators: &'a [String],
    started: String,
    resolved: Option<String>,
    duration: FigureOut,
    affected_users: FigureOut,
    inquiries: InquiriesOut<'a>,
    regions: &'a [String],
    services: &'a [String],
    service_category: Option<&'a str>,
    causes: Vec<CauseOut<'a>>,
    summary: Option<&'a str>,
    meeting: Option<MeetingRef<'a>>,
    related: Vec<&'a str>,
    tags: Vec<&'a str>,
    phases: Vec<PhaseOut<'a>>,
    countermeasures: Vec<MeasureOut<'a>>,
    notices: Vec<NoticeOut<'a>>,
    timeline: Vec<TimelineOut<'a>>,
    reporting: ReportingOut,
    /// The `[internal]` table, in its order (empty in the public edition).
    internal_details: Vec<DetailOut<'a>>,
}

#[derive(Debug, Serialize)]
struct DetailOut<'a> {
    key: &'a str,
    value: &'a str,
}

/// The absolute URL of a page, when the site's address is known.
fn absolute(site: &Site, path: &str) -> Option<String> {
    let base = &site.config.base_url;
    base.contains("://")
        .then(|| format!("{base}{}", routes::href(routes::pretty(path))))
}

/// The folder URL of a page relative to the site's root (`incidents/<id>/`).
fn relative(path: &str) -> String {
    routes::href(routes::pretty(path))
}

fn date(d: Option<PartialDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn time(t: Option<Timestamp>) -> Option<String> {
    t.map(Timestamp::rfc3339)
}

/// Where each countermeasure of incident `n` stands on the build's as-of date.
fn standings(site: &Site, n: usize) -> Vec<(Standing, Option<i64>)> {
    site.incidents[n]
        .countermeasures
        .iter()
        .map(|m| ledger::standing(m, site.today))
        .collect()
}

fn incident<'a>(site: &'a Site, n: usize, f: Fmt) -> IncidentOut<'a> {
    let i: &'a Incident = &site.incidents[n];
    let lang = site.config.language;
    let page = routes::incident(&i.id);
    let derived = i.resolved.map(|r| i.started.until(r));
    let inquiries = InquiriesOut {
        total: FigureOut::count(i.inquiry_total(), true, f),
        by_channel: match &i.inquiries {
            Some(crate::model::Inquiries::ByChannel(v, _)) => v
                .iter()
                .map(|(channel, c)| ChannelOut {
                    channel,
                    value: c.value,
                    approximate: c.approx,
                })
                .collect(),
            _ => Vec::new(),
        },
        as_of: date(i.inquiries_as_of),
    };
    let standing = standings(site, n);
    IncidentOut {
        id: &i.id,
        url: absolute(site, &page),
        path: relative(&page),
        visibility: crate::model::Choice::as_str(i.visibility),
        title: &i.title,
        status: i.status.as_str(),
        operators: &i.operators,
        started: i.started.rfc3339(),
        resolved: time(i.resolved),
        duration: FigureOut::duration(i.official_duration, derived, f),
        affected_users: FigureOut::figure(i.users(), i.phases.len(), f),
        inquiries,
        regions: &i.regions,
        services: &i.services,
        service_category: i.service_category.as_deref(),
        causes: i
            .causes
            .iter()
            .enumerate()
            .map(|(k, key)| CauseOut {
                key: key.as_str(),
                label: site
                    .config
                    .causes
                    .get(key.as_str())
                    .map_or(key.as_str(), |c| c.label(lang)),
                primary: k == 0,
            })
            .collect(),
        summary: i.summary.as_deref(),
        meeting: i.meeting.as_ref().map(|m| {
            let page = routes::meeting(&m.value);
            MeetingRef {
                id: &m.value,
                url: absolute(site, &page),
                path: relative(&page),
            }
        }),
        related: i.related.iter().map(|r| r.value.as_str()).collect(),
        tags: i.tags.iter().map(|t| t.value.as_str()).collect(),
        phases: i
            .phases
            .iter()
            .map(|p| PhaseOut {
                internal: p.internal,
                label: &p.label,
                started: time(p.started),
                resolved: time(p.resolved),
                duration: FigureOut::duration(
                    p.official_duration,
                    p.started.zip(p.resolved).map(|(s, r)| s.until(r)),
                    f,
                ),
                affected_users: FigureOut::count(p.affected_users, false, f),
            })
            .collect(),
        countermeasures: i
            .countermeasures
            .iter()
            .zip(standing)
            .map(|(m, (standing, days_overdue))| MeasureOut {
                internal: m.internal,
                action: &m.action,
                status: m.status.as_str(),
                standing: standing.key(),
                days_overdue,
                due: date(m.due),
                completed: date(m.completed),
                scope: m.scope.map(|s| s.as_str()),
                term: m.term.map(|t| t.as_str()),
            })
            .collect(),
        notices: i
            .notices
            .iter()
            .map(|x| NoticeOut {
                internal: x.internal,
                at: x.at.rfc3339(),
                channel: x.channel.as_deref(),
                title: x.title.as_deref(),
                kind: x.kind.map(|k| k.as_str()),
            })
            .collect(),
        timeline: i
            .timeline
            .iter()
            .map(|e| TimelineOut {
                internal: e.internal,
                at: e.at.rfc3339(),
                event: &e.event,
            })
            .collect(),
        reporting: ReportingOut {
            serious: i.reporting.serious,
            reported_at: date(i.reporting.reported_at),
            detailed_report_at: date(i.reporting.detailed_report_at),
        },
        internal_details: i
            .internal
            .iter()
            .map(|(key, value)| DetailOut {
                key,
                value: &value.value,
            })
            .collect(),
    }
}

/// `incidents.json`: every published incident, newest first, as one JSON document.
pub fn incidents_json(site: &Site) -> Vec<u8> {
    let f = Fmt::new(&site.config);
    let base = &site.config.base_url;
    let export = Export {
        schema_version: SCHEMA_VERSION,
        schema: routes::EXPORT_SCHEMA,
        site: SiteOut {
            title: &site.config.title,
            language: site.config.language.as_str(),
            base_url: base.contains("://").then_some(base.as_str()),
            timezone: site.config.timezone.to_string(),
            as_of: site.today.to_string(),
            edition: crate::model::Choice::as_str(site.config.edition),
        },
        incidents: Incidents { site, f },
    };
    let mut out = HtmlSafe(Vec::with_capacity(ROOM.json * site.incidents.len()));
    // Serializing plain structs of strings and numbers into memory cannot fail.
    serde_json::to_writer(&mut out, &export).expect("the export serializes");
    out.0.push(b'\n');
    out.0
}

/// Bytes set aside per incident (per countermeasure for its CSV) before an export is
/// written, about 1.4 times what the bench corpus takes: a buffer grown by doubling
/// instead held the old and the new copy at once, hundreds of MB at 100,000 incidents
/// (BENCHMARKS.md "Scaling"). Pages set aside and never written cost no memory.
struct Room {
    json: usize,
    csv: usize,
    measure_csv: usize,
}

const ROOM: Room = Room {
    json: 4096,
    csv: 640,
    measure_csv: 768,
};

/// Writes JSON with `<`, `>` and `&` as `\u003c`, `\u003e`, `\u0026`, as it is made: the
/// same data, and no `</script>` or `<!--` if someone embeds the file in a page. Outside
/// strings JSON has none of these bytes, so each one is in a string.
struct HtmlSafe(Vec<u8>);

impl std::io::Write for HtmlSafe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(at) = rest.iter().position(|b| matches!(b, b'<' | b'>' | b'&')) {
            self.0.extend_from_slice(&rest[..at]);
            self.0.extend_from_slice(match rest[at] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            });
            rest = &rest[at + 1..];
        }
        self.0.extend_from_slice(rest);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The byte order mark that makes Excel read a CSV file as UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// How list values are joined in one CSV cell.
const LIST_SEP: &str = "; ";

/// A text cell that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+`, `-`,
/// `@`, or a leading tab or carriage return) gets a leading `'`, which spreadsheets show
/// as text. Content is written by anyone; opening an export must not run it.
fn cell(s: &str) -> std::borrow::Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '＝' | '＋' | '－' | '＠') => {
            format!("'{s}").into()
        }
        _ => s.into(),
    }
}

fn number(v: Option<u64>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// Writes CSV records to bytes, BOM first.
/// The CSV file of `rows`, in a buffer of `capacity` bytes first (see [`ROOM`]).
fn csv_bytes(header: &[&str], rows: impl Iterator<Item = Vec<String>>, capacity: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(capacity);
    buf.extend_from_slice(BOM);
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(buf);
    // Writing to a Vec cannot fail; a row is always as long as the header.
    w.write_record(header).expect("CSV to memory");
    for row in rows {
        debug_assert_eq!(row.len(), header.len());
        w.write_record(row.iter().map(|c| cell(c).into_owned()))
            .expect("CSV to memory");
    }
    w.into_inner().expect("CSV to memory")
}

/// The columns of `incidents.csv` (docs/format.md, "Data exports").
pub const INCIDENT_COLUMNS: &[&str] = &[
    "id",
    "url",
    "title",
    "status",
    "operators",
    "started",
    "resolved",
    "duration_minutes",
    "duration_kind",
    "duration_text",
    "affected_users",
    "affected_users_kind",
    "affected_users_text",
    "inquiries",
    "inquiries_kind",
    "inquiries_text",
    "primary_cause",
    "causes",
    "regions",
    "services",
    "service_category",
    "summary",
    "meeting",
    "tags",
    "countermeasures",
    "countermeasures_done",
    "visibility",
];

/// `incidents.csv`: one row per incident, newest first.
pub fn incidents_csv(site: &Site) -> Vec<u8> {
    let f = Fmt::new(&site.config);
    let kind = |k: FigureKind| k.as_str().to_string();
    let rows = (0..site.incidents.len()).map(|n| {
        let x = incident(site, n, f);
        let i = &site.incidents[n];
        let done = i
            .countermeasures
            .iter()
            .filter(|m| m.status == crate::model::MeasureStatus::Done)
            .count();
        vec![
            x.id.to_string(),
            x.url.unwrap_or_default(),
            x.title.to_string(),
            x.status.to_string(),
            x.operators.join(LIST_SEP),
            x.started,
            x.resolved.unwrap_or_default(),
            number(x.duration.value),
            kind(x.duration.kind),
            x.duration.text,
            number(x.affected_users.value),
            kind(x.affected_users.kind),
            x.affected_users.text,
            number(x.inquiries.total.value),
            kind(x.inquiries.total.kind),
            x.inquiries.total.text,
            i.primary_cause().as_str().to_string(),
            i.causes
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(LIST_SEP),
            x.regions.join(LIST_SEP),
            x.services.join(LIST_SEP),
            x.service_category.unwrap_or_default().to_string(),
            x.summary.unwrap_or_default().to_string(),
            x.meeting.map(|m| m.id.to_string()).unwrap_or_default(),
            x.tags.join(LIST_SEP),
            i.countermeasures.len().to_string(),
            done.to_string(),
            x.visibility.to_string(),
        ]
    });
    csv_bytes(INCIDENT_COLUMNS, rows, ROOM.csv * site.incidents.len())
}

/// The columns of `countermeasures.csv`.
pub const MEASURE_COLUMNS: &[&str] = &[
    "incident_id",
    "incident_title",
    "incident_url",
    "operators",
    "primary_cause",
    "number",
    "action",
    "status",
    "standing",
    "days_overdue",
    "due",
    "completed",
    "scope",
    "term",
    "visibility",
];

/// `countermeasures.csv`: one row per countermeasure, in incident order (newest first),
/// then as the incident lists them.
pub fn countermeasures_csv(site: &Site) -> Vec<u8> {
    let rows = (0..site.incidents.len()).flat_map(|n| {
        let i = &site.incidents[n];
        let url = absolute(site, &routes::incident(&i.id)).unwrap_or_default();
        i.countermeasures
            .iter()
            .zip(standings(site, n))
            .enumerate()
            .map(move |(k, (m, (standing, overdue)))| {
                vec![
                    i.id.clone(),
                    i.title.clone(),
                    url.clone(),
                    i.operators.join(LIST_SEP),
                    i.primary_cause().as_str().to_string(),
                    (k + 1).to_string(),
                    m.action.clone(),
                    m.status.as_str().to_string(),
                    standing.key().to_string(),
                    overdue.map(|d| d.to_string()).unwrap_or_default(),
                    date(m.due).unwrap_or_default(),
                    date(m.completed).unwrap_or_default(),
                    m.scope.map(|s| s.as_str().to_string()).unwrap_or_default(),
                    m.term.map(|t| t.as_str().to_string()).unwrap_or_default(),
                    // Internal when the item is, or its whole incident.
                    if m.internal || i.visibility == crate::model::Visibility::Internal {
                        "internal"
                    } else {
                        "public"
                    }
                    .to_string(),
                ]
            })
    });
    let measures: usize = site.incidents.iter().map(|i| i.countermeasures.len()).sum();
    csv_bytes(MEASURE_COLUMNS, rows, ROOM.measure_csv * measures)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_and_others_kept() {
        for bad in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "＝1"] {
            assert_eq!(cell(bad), format!("'{bad}"));
        }
        for good in ["", "楽天モバイル", "1,573", "2017-07-03T11:50+09:00", "a=b"] {
            assert_eq!(cell(good), good);
        }
    }

    #[test]
    fn json_text_cannot_close_a_script() {
        let mut out = HtmlSafe(Vec::new());
        serde_json::to_writer(&mut out, &serde_json::json!({"t": "</script><!-- & >"})).unwrap();
        let safe = out.0;
        assert_eq!(
            String::from_utf8(safe.clone()).unwrap(),
            "{\"t\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 \\u003e\"}"
        );
        let back: serde_json::Value = serde_json::from_slice(&safe).unwrap();
        assert_eq!(back["t"], "</script><!-- & >");
    }

    #[test]
    fn the_schema_is_json_and_names_its_version() {
        let schema: serde_json::Value = serde_json::from_str(SCHEMA).expect("schema is JSON");
        assert_eq!(
            schema["properties"]["schema_version"]["const"],
            serde_json::json!(SCHEMA_VERSION)
        );
    }
}
