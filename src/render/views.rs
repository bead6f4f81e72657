//! Plain, serializable page data for templates, with every figure already formatted for
//! the site's language. Templates only lay it out.

use serde::Serialize;

use super::i18n::Fmt;
use super::markdown::{Heading, Rendered};
use crate::model::{Incident, Inquiries};
use crate::site::{Group, Site, Stats};
use std::sync::Arc;

use crate::routes;
pub use crate::routes::href;

/// A link: text and relative href (prefix it with the page's `root`).
#[derive(Debug, Serialize)]
pub struct Link {
    /// The text shown.
    pub text: String,
    /// The href relative to the site root.
    pub href: String,
}

/// Summary figures, formatted.
#[derive(Debug, Serialize)]
pub struct StatsView {
    /// Incident count.
    pub count: usize,
    /// Count, formatted.
    pub count_text: String,
    /// Total users, formatted: `約646,745以上（1件は不明）`, or `不明`.
    pub total_users: String,
    /// `total_users` without its note: `約646,745`.
    pub total_users_main: String,
    /// The note of `total_users`: `以上（1件は不明）`, or empty.
    pub total_users_note: String,
    /// Median duration with the incidents it covers, `4時間26分（6件）`, or `不明`.
    pub median_duration: String,
    /// `median_duration` without its note: `4時間26分`.
    pub median_duration_main: String,
    /// The note of `median_duration`: `（6件）`.
    pub median_duration_note: String,
    /// 重大な事故, counted: `6件`.
    pub serious: String,
    /// Quarterly-report cases, counted: `6件以上（1件は不明）`.
    pub quarterly: String,
}

impl StatsView {
    /// Formats stats.
    pub fn new(s: &Stats, f: Fmt) -> Self {
        let (total_users_main, total_users_note) = f.total_parts(s.users, false);
        let (median_duration_main, median_duration_note) =
            f.median_duration_parts(s.median_duration, s.count);
        Self {
            count: s.count,
            count_text: f.count(s.count as u64),
            total_users: format!("{total_users_main}{total_users_note}"),
            total_users_main,
            total_users_note,
            median_duration: format!("{median_duration_main}{median_duration_note}"),
            median_duration_main,
            median_duration_note,
            serious: f.count(s.serious as u64),
            quarterly: f.total(s.quarterly, true),
        }
    }
}

/// A cause as listed with an incident.
#[derive(Debug, PartialEq, Serialize)]
pub struct CauseTag {
    /// The key (CSS hook).
    pub key: String,
    /// The label.
    pub label: String,
    /// The cause page.
    pub href: String,
    /// Primary or contributing.
    pub primary: bool,
}

/// An incident as a row of a list.
#[derive(Debug, PartialEq, Serialize)]
pub struct Row {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// The incident page.
    pub href: String,
    /// Start, formatted.
    pub date: String,
    /// Start, RFC 3339.
    pub date_iso: String,
    /// Operators joined.
    pub operators: String,
    /// Duration, formatted.
    pub duration: String,
    /// Users, formatted: `約48,000`, `190,633（①②の計）`, `不明`.
    pub users: String,
    /// Whether `users` is gen's sum of the phases' figures.
    pub users_derived: bool,
    /// Whether the content states it is a 重大な事故.
    pub serious: bool,
    /// Under the quarterly report: 対象 / 対象外 / 不明.
    pub quarterly: &'static str,
    /// The primary cause; `None` only in rows that are given a value shared by every row
    /// with the same cause (see `Views::prepare_rows`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub primary_cause: Option<CauseTag>,
    /// Whether this list's cause is the primary one (cause pages only).
    pub primary_here: Option<bool>,
    /// Status label.
    pub status: &'static str,
    /// Status key.
    pub status_key: &'static str,
    /// The badge of an internal incident (社内限定), in the internal edition.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub internal: Option<&'static str>,
}

/// The template value `value` (a struct's map) with one more field set: the map is
/// copied first only if it is shared, and its other fields stay shared. Anything but a
/// map is returned as it is.
pub(crate) fn with_field(value: tera::Value, key: &'static str, field: tera::Value) -> tera::Value {
    if !value.is_map() {
        return value;
    }
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), field);
    tera::Value::from(map)
}

/// Builds view data for one site.
pub struct Views<'s> {
    /// The site.
    pub site: &'s Site,
    /// The formatter.
    pub f: Fmt,
    bodies: Bodies,
    /// Every incident's row as a template value, when [`Views::prepare_rows`] made them.
    rows: std::sync::OnceLock<Vec<tera::Value>>,
    /// What body links may lead to; without it only links to documents are checked.
    targets: Option<super::links::Targets<'s>>,
    /// The warnings of the bodies rendered so far.
    warnings: std::sync::Mutex<Vec<crate::diag::Diagnostic>>,
}

/// Incident bodies a meeting packet rendered before the incident's own page: the page
/// takes its body from here instead of rendering the Markdown (and highlighting its
/// code) a second time. `None` marks a page already rendered, whose body is not kept.
#[derive(Default)]
struct Bodies(std::sync::Mutex<std::collections::HashMap<usize, Option<Arc<Rendered>>>>);

impl<'s> Views<'s> {
    /// Views over a site.
    pub fn new(site: &'s Site) -> Self {
        Self {
            site,
            f: Fmt::new(&site.config),
            bodies: Bodies::default(),
            rows: std::sync::OnceLock::new(),
            targets: None,
            warnings: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Views for rendering pages with `theme`: body links to files are checked against
    /// every file the build writes.
    pub(crate) fn rendering(site: &'s Site, theme: &'s super::theme::Theme) -> Self {
        Self {
            targets: Some(super::links::Targets::new(site, theme)),
            ..Self::new(site)
        }
    }

    /// Checks a rendered body's links (see [`super::check_links`]) and keeps its warnings.
    pub(crate) fn check_body(
        &self,
        body: &Rendered,
        source: &crate::load::Body,
        head: &crate::diag::SourceFile,
        page: &super::links::Page<'_>,
    ) -> Result<(), crate::Error> {
        let warnings =
            super::check_links(body, source, head, self.site, self.targets.as_ref(), page)?;
        if !warnings.is_empty() {
            if let Ok(mut all) = self.warnings.lock() {
                all.extend(warnings);
            }
        }
        Ok(())
    }

    /// The warnings of every body rendered, each once, sorted.
    pub(crate) fn take_warnings(&self) -> Vec<crate::diag::Diagnostic> {
        let mut all = match self.warnings.lock() {
            Ok(mut w) => std::mem::take(&mut *w),
            Err(_) => Vec::new(),
        };
        crate::diag::sort(&mut all);
        // A body rendered for a packet and again for its page says the same twice.
        all.dedup_by(|a, b| {
            a.file.path == b.file.path && a.span == b.span && a.message == b.message
        });
        all
    }

    /// Builds every incident's row once, in parallel: the lists, cause, year and operator
    /// pages then share them (template values are reference-counted) instead of each
    /// formatting and converting the same rows again (about six times per incident).
    pub fn prepare_rows(&self) {
        use rayon::prelude::*;
        self.rows.get_or_init(|| {
            // Rows with the same primary cause share its tag's value: a nested map per
            // row was 74 of the rows' 197 MiB at 100,000 incidents.
            let tags: std::collections::HashMap<&str, tera::Value> = self
                .site
                .causes
                .iter()
                .map(|c| {
                    let tag = self.cause_tag(&c.key, true);
                    (c.key.as_str(), tera::Value::from_serializable(&tag))
                })
                .collect();
            self.site
                .incidents
                .par_iter()
                .map(|i| match tags.get(i.primary_cause().as_str()) {
                    Some(tag) => {
                        let row = tera::Value::from_serializable(&self.row_with(i, None));
                        with_field(row, "primary_cause", tag.clone())
                    }
                    None => tera::Value::from_serializable(&self.row(i)),
                })
                .collect()
        });
    }

    /// Incident `n`'s row as a template value: the shared one when rows were prepared.
    fn row_value(&self, n: usize) -> tera::Value {
        match self.rows.get() {
            Some(rows) => rows[n].clone(),
            None => tera::Value::from_serializable(&self.row(&self.site.incidents[n])),
        }
    }

    /// The rows of the incidents at `list` as one template value.
    pub fn row_values(&self, list: impl Iterator<Item = usize>) -> tera::Value {
        tera::Value::from(list.map(|n| self.row_value(n)).collect::<Vec<_>>())
    }

    /// Rows of a cause page: each also says whether the cause is the incident's primary one.
    pub fn cause_rows(&self, entries: &[crate::site::CauseEntry]) -> tera::Value {
        let rows: Vec<tera::Value> = entries
            .iter()
            .map(|e| with_field(self.row_value(e.incident), "primary_here", e.primary.into()))
            .collect();
        tera::Value::from(rows)
    }

    /// Reads and renders incident `n`'s Markdown, refusing links that leave the site;
    /// links to other documents keep the root token.
    fn render_body(&self, n: usize) -> Result<Rendered, crate::Error> {
        let site = self.site;
        let i = &site.incidents[n];
        let source = i.read_body()?;
        let body = super::markdown::render_body(
            source.as_str(),
            &super::link_rewriter(site, super::root_token()),
            site.config.unsafe_html,
            site.config.language,
        );
        // The sources of `<id>/index.md` incidents sit one folder deeper.
        let depth = if i.asset_dir.is_some() { 3 } else { 2 };
        let page = super::links::Page {
            path: routes::incident(&i.id),
            incident: Some(&i.id),
            asset_dir: i
                .asset_dir
                .as_ref()
                .map(|_| format!("content/incidents/{}/", i.id)),
            depth,
        };
        self.check_body(&body, &source, &i.file, &page)?;
        Ok(body)
    }

    /// Incident `n`'s body for its page: the one a packet rendered first, or a new one.
    pub fn page_body(&self, n: usize) -> Result<Rendered, crate::Error> {
        let kept = match self.bodies.0.lock() {
            Ok(mut bodies) => bodies.insert(n, None).flatten(),
            Err(_) => None,
        };
        match kept {
            Some(body) => Ok(Arc::try_unwrap(body).unwrap_or_else(|b| (*b).clone())),
            None => self.render_body(n),
        }
    }

    /// Incident `n`'s body for a printed document, kept for its page if that is still to
    /// be rendered.
    pub fn document_body(&self, n: usize) -> Result<Arc<Rendered>, crate::Error> {
        let kept = match self.bodies.0.lock() {
            Ok(bodies) => bodies.get(&n).cloned(),
            Err(_) => Some(None),
        };
        Ok(match kept {
            Some(Some(body)) => body,
            Some(None) => Arc::new(self.render_body(n)?),
            None => {
                let body = Arc::new(self.render_body(n)?);
                if let Ok(mut bodies) = self.bodies.0.lock() {
                    // Unless the page was rendered meanwhile.
                    bodies.entry(n).or_insert_with(|| Some(body.clone()));
                }
                body
            }
        })
    }

    /// Between the items of a list, in the site's language.
    fn sep(&self) -> &'static str {
        self.f.punctuation().list_sep
    }

    /// A cause tag.
    pub fn cause_tag(&self, key: &crate::config::CauseKey, primary: bool) -> CauseTag {
        let label = self.site.config.causes.get(key.as_str()).map_or_else(
            || key.as_str().to_string(),
            |c| c.label(self.f.lang).to_string(),
        );
        CauseTag {
            key: key.as_str().to_string(),
            label,
            href: href(&routes::cause(key.as_str())),
            primary,
        }
    }

    /// An incident as a list row.
    pub fn row(&self, i: &Incident) -> Row {
        self.row_with(i, Some(self.cause_tag(i.primary_cause(), true)))
    }

    /// An incident as a list row with the given primary cause tag.
    fn row_with(&self, i: &Incident, primary_cause: Option<CauseTag>) -> Row {
        let f = self.f;
        let users = i.users();
        Row {
            id: i.id.clone(),
            title: i.title.clone(),
            href: href(&routes::incident(&i.id)),
            date: f.datetime(i.started),
            date_iso: i.started.rfc3339(),
            operators: i.operators.join(self.sep()),
            duration: i
                .duration()
                .map_or_else(|| label(f, "継続中", "ongoing"), |d| f.duration(d)),
            users: f.incident_figure(users, i.phases.len()),
            users_derived: users.is_some_and(|u| u.derived),
            serious: i.reporting.serious == Some(true),
            quarterly: quarterly_label(f, crate::site::reporting::quarterly(i)),
            primary_cause,
            primary_here: None,
            status: f.choice(i.status),
            status_key: crate::model::Choice::as_str(i.status),
            internal: self.internal_badge(i.visibility == crate::model::Visibility::Internal),
        }
    }

    /// The badge of something internal (社内限定 / Internal), when `internal`.
    pub fn internal_badge(&self, internal: bool) -> Option<&'static str> {
        internal.then(|| self.f.pick("社内限定", "Internal"))
    }

    /// A year or operator group as a link with figures.
    pub fn group<K>(&self, g: &Group<K>, text: String, path: String) -> GroupView {
        GroupView {
            text,
            href: href(&path),
            stats: StatsView::new(&g.stats, self.f),
        }
    }
}

fn label(f: Fmt, ja: &'static str, en: &'static str) -> String {
    f.pick(ja, en).to_string()
}

/// A group in an index page.
#[derive(Debug, Serialize)]
pub struct GroupView {
    /// Name.
    pub text: String,
    /// Its page.
    pub href: String,
    /// Its figures.
    pub stats: StatsView,
}

/// One countermeasure, formatted.
#[derive(Debug, Serialize)]
pub struct MeasureView {
    /// Action.
    pub action: String,
    /// `期限超過（123日）` when not done past its due date on the site's as-of date.
    pub overdue: Option<String>,
    /// Status key (CSS hook).
    pub status_key: &'static str,
    /// Status label.
    pub status: &'static str,
    /// Due date, formatted.
    pub due: Option<String>,
    /// Completion date, formatted.
    pub completed: Option<String>,
    /// Scope label.
    pub scope: Option<&'static str>,
    /// Term label.
    pub term: Option<&'static str>,
    /// The badge of an internal item, in the internal edition.
    pub internal: Option<&'static str>,
}

/// A timed entry (notice or timeline), formatted.
#[derive(Debug, Serialize)]
pub struct TimedView {
    /// When, formatted.
    pub at: String,
    /// When, RFC 3339.
    pub at_iso: String,
    /// Time since the incident started.
    pub elapsed: String,
    /// Channel label (notices).
    pub channel: Option<String>,
    /// Title or event text.
    pub text: String,
    /// Kind label (notices).
    pub kind: Option<&'static str>,
    /// The badge of an internal item, in the internal edition.
    pub internal: Option<&'static str>,
}

/// A phase, formatted.
#[derive(Debug, Serialize)]
pub struct PhaseView {
    /// Label.
    pub label: String,
    /// Start.
    pub started: Option<String>,
    /// End.
    pub resolved: Option<String>,
    /// Duration.
    pub duration: Option<String>,
    /// Users.
    pub users: Option<String>,
    /// The badge of an internal item, in the internal edition.
    pub internal: Option<&'static str>,
}

/// One entry of an incident's `[internal]` table.
#[derive(Debug, Serialize)]
pub struct Detail {
    /// The key, as written.
    pub key: String,
    /// The value.
    pub value: String,
}

/// 対象 / 対象外 / 不明 (quarterly report).
fn quarterly_label(f: Fmt, q: Option<bool>) -> &'static str {
    match q {
        Some(true) => f.pick("対象", "Required"),
        Some(false) => f.pick("対象外", "Not required"),
        None => f.pick("不明", "Unknown"),
    }
}

/// Report obligations, formatted (see [`crate::site::reporting`]).
#[derive(Debug, Serialize)]
pub struct ReportingView {
    /// `yes`, `no` or `unknown` (CSS hook).
    pub serious_key: &'static str,
    /// 該当 / 該当しない / 記載なし.
    pub serious: &'static str,
    /// `yes`, `no` or `unknown`.
    pub quarterly_key: &'static str,
    /// 対象 / 対象外 / 不明.
    pub quarterly: &'static str,
    /// The first report's date.
    pub reported_at: Option<String>,
    /// The detailed report's deadline, for a 重大な事故.
    pub deadline: Option<String>,
    /// The detailed report's date.
    pub detailed_report_at: Option<String>,
    /// 期限内 / 期限超過, when the dates settle it.
    pub deadline_met: Option<&'static str>,
    /// `met` or `late` (CSS hook).
    pub deadline_key: Option<&'static str>,
}

impl ReportingView {
    /// The obligations of `i`.
    pub fn new(i: &Incident, f: Fmt) -> Self {
        let o = crate::site::reporting::Obligations::of(i, f.tz);
        let key = |b: Option<bool>| match b {
            Some(true) => "yes",
            Some(false) => "no",
            None => "unknown",
        };
        Self {
            serious_key: key(o.serious),
            serious: match o.serious {
                Some(true) => f.pick("該当", "Yes"),
                Some(false) => f.pick("該当しない", "No"),
                None => f.pick("記載なし", "Not stated"),
            },
            quarterly_key: key(o.quarterly),
            quarterly: quarterly_label(f, o.quarterly),
            reported_at: i.reporting.reported_at.map(|d| f.partial_date(d)),
            deadline: o.deadline.map(|d| f.naive_date(d)),
            detailed_report_at: i.reporting.detailed_report_at.map(|d| f.partial_date(d)),
            deadline_met: o.deadline_met.map(|met| {
                if met {
                    f.pick("期限内", "On time")
                } else {
                    f.pick("期限超過", "Late")
                }
            }),
            deadline_key: o.deadline_met.map(|met| if met { "met" } else { "late" }),
        }
    }
}

/// Everything an incident page shows.
#[derive(Debug, Serialize)]
pub struct IncidentView {
    /// The row data (title, date, operators …).
    pub row: Row,
    /// Operators with links.
    pub operators: Vec<Link>,
    /// Start, formatted.
    pub started: String,
    /// End, formatted.
    pub resolved: Option<String>,
    /// Duration note: the official figure differs from the computed one.
    pub official_duration: bool,
    /// Regions joined.
    pub regions: String,
    /// Services joined.
    pub services: String,
    /// Service category.
    pub service_category: Option<String>,
    /// Inquiries total, formatted.
    pub inquiries: Option<String>,
    /// Inquiries by channel, formatted.
    pub inquiries_by_channel: Vec<(String, String)>,
    /// `inquiries_by_channel` as one line: `電話 370件、メール 137件`.
    pub inquiries_by_channel_text: Option<String>,
    /// The date the inquiry count was taken.
    pub inquiries_as_of: Option<String>,
    /// That date as a phrase: `2017年7月4日時点` / `as of 4 Jul 2017`.
    pub inquiries_as_of_text: Option<String>,
    /// Summary.
    pub summary: Option<String>,
    /// Causes, primary first.
    pub causes: Vec<CauseTag>,
    /// Phases.
    pub phases: Vec<PhaseView>,
    /// Whether any phase has its own user count.
    pub phases_have_users: bool,
    /// Countermeasures.
    pub countermeasures: Vec<MeasureView>,
    /// Notices.
    pub notices: Vec<TimedView>,
    /// Timeline.
    pub timeline: Vec<TimedView>,
    /// Report obligations.
    pub reporting: ReportingView,
    /// Related incidents (published ones).
    pub related: Vec<Link>,
    /// The reviewing meeting.
    pub meeting: Option<Link>,
    /// Year page.
    pub year: Link,
    /// Tags, as written, each linking to its tag's page.
    pub tags: Vec<Link>,
    /// Body HTML.
    pub body: String,
    /// Body headings.
    pub headings: Vec<Heading>,
    /// The `[internal]` table (only ever filled in the internal edition).
    pub internal_details: Vec<Detail>,
}

impl Views<'_> {
    /// The view of the incident at index `n`, with its rendered body.
    pub fn incident(&self, n: usize, body: super::markdown::Rendered) -> IncidentView {
        let i = &self.site.incidents[n];
        let f = self.f;
        let elapsed = |t| f.elapsed(i.started.until(t));
        let computed = i.resolved.map(|r| i.started.until(r));
        let (inquiries, by_channel) = match &i.inquiries {
            None => (None, Vec::new()),
            Some(q @ Inquiries::Total(_)) => (Some(f.figure_count(q.total())), Vec::new()),
            Some(q @ Inquiries::ByChannel(v, _)) => (
                Some(f.figure_count(q.total())),
                v.iter()
                    .map(|(c, n)| (f.channel(c), f.figure_count(*n)))
                    .collect(),
            ),
        };
        let by_channel_text = (!by_channel.is_empty()).then(|| {
            by_channel
                .iter()
                .map(|(channel, count)| format!("{channel} {count}"))
                .collect::<Vec<_>>()
                .join(self.sep())
        });
        let year = i.started.fiscal_year_in(f.tz, f.year_start);
        IncidentView {
            row: self.row(i),
            operators: i
                .operators
                .iter()
                .map(|o| Link {
                    text: o.clone(),
                    href: href(&routes::operator(self.site.operator_slug(o).unwrap_or("-"))),
                })
                .collect(),
            started: f.datetime(i.started),
            resolved: i.resolved.map(|r| f.datetime(r)),
            official_duration: i.official_duration.is_some() && i.official_duration != computed,
            regions: i.regions.join(self.sep()),
            services: i.services.join(self.sep()),
            service_category: i.service_category.clone(),
            inquiries,
            inquiries_by_channel: by_channel,
            inquiries_by_channel_text: by_channel_text,
            inquiries_as_of: i.inquiries_as_of.map(|d| f.partial_date(d)),
            inquiries_as_of_text: i.inquiries_as_of.map(|d| f.as_of(d)),
            summary: i.summary.clone(),
            reporting: ReportingView::new(i, f),
            causes: i
                .causes
                .iter()
                .enumerate()
                .map(|(k, c)| self.cause_tag(c, k == 0))
                .collect(),
            phases: i
                .phases
                .iter()
                .map(|p| PhaseView {
                    label: p.label.clone(),
                    started: p.started.map(|t| f.datetime(t)),
                    resolved: p.resolved.map(|t| f.datetime(t)),
                    duration: p.duration().map(|d| f.duration(d)),
                    users: Some(
                        p.affected_users
                            .map_or_else(|| f.unknown().to_string(), |u| f.figure(u)),
                    ),
                    internal: self.internal_badge(p.internal),
                })
                .collect(),
            phases_have_users: i.phases.iter().any(|p| p.affected_users.is_some()),
            countermeasures: i
                .countermeasures
                .iter()
                .map(|m| MeasureView {
                    action: m.action.clone(),
                    overdue: m.days_overdue(self.site.today).map(|d| f.overdue(d)),
                    status_key: crate::model::Choice::as_str(m.status),
                    status: f.choice(m.status),
                    due: m.due.map(|d| f.partial_date(d)),
                    completed: m.completed.map(|d| f.partial_date(d)),
                    scope: m.scope.map(|s| f.choice(s)),
                    term: m.term.map(|t| f.choice(t)),
                    internal: self.internal_badge(m.internal),
                })
                .collect(),
            notices: i
                .notices
                .iter()
                .map(|n| TimedView {
                    at: f.datetime(n.at),
                    at_iso: n.at.rfc3339(),
                    elapsed: elapsed(n.at),
                    channel: n.channel.as_deref().map(|c| f.channel(c)),
                    text: n.title.clone().unwrap_or_default(),
                    kind: n.kind.map(|k| f.choice(k)),
                    internal: self.internal_badge(n.internal),
                })
                .collect(),
            timeline: i
                .timeline
                .iter()
                .map(|e| TimedView {
                    at: f.datetime(e.at),
                    at_iso: e.at.rfc3339(),
                    elapsed: elapsed(e.at),
                    channel: None,
                    text: e.event.clone(),
                    kind: None,
                    internal: self.internal_badge(e.internal),
                })
                .collect(),
            related: i
                .related
                .iter()
                .filter_map(|r| self.site.incident(&r.value))
                .map(|r| Link {
                    text: r.title.clone(),
                    href: href(&routes::incident(&r.id)),
                })
                .collect(),
            meeting: self.site.meeting_of(n).map(|m| Link {
                text: m.title.clone(),
                href: href(&routes::meeting(&m.id)),
            }),
            year: Link {
                text: f.year_crumb(year),
                href: href(&routes::year(year)),
            },
            tags: i
                .tags
                .iter()
                .filter(|t| !t.value.trim().is_empty())
                .map(|t| Link {
                    text: t.value.clone(),
                    href: href(&routes::tag(&crate::site::tag_slug(&t.value))),
                })
                .collect(),
            body: body.html,
            headings: body.headings,
            internal_details: i
                .internal
                .iter()
                .map(|(key, value)| Detail {
                    key: key.clone(),
                    value: value.value.clone(),
                })
                .collect(),
        }
    }

    /// Meeting `n` as a list entry or page header.
    pub fn meeting(&self, n: usize) -> MeetingView {
        let f = self.f;
        let marks = f.punctuation();
        let m = &self.site.meetings[n];
        let agenda: Vec<Row> = self
            .site
            .agenda(n)
            .iter()
            .map(|&i| self.row(&self.site.incidents[i]))
            .collect();
        MeetingView {
            id: m.id.clone(),
            title: m.title.clone(),
            href: href(&routes::meeting(&m.id)),
            date: match m.ended {
                Some(e)
                    if e.in_offset(f.tz).date_naive() == m.date.in_offset(f.tz).date_naive() =>
                {
                    format!("{}{}{}", f.datetime(m.date), marks.range_sep, f.time(e))
                }
                Some(e) => format!(
                    "{}{}{}",
                    f.datetime(m.date),
                    marks.wide_range_sep,
                    f.datetime(e)
                ),
                None => f.datetime(m.date),
            },
            date_iso: m.date.rfc3339(),
            day: f.day(m.date),
            time: match m.ended {
                Some(e) => format!("{}{}{}", f.time(m.date), marks.range_sep, f.time(e)),
                None => f.time(m.date),
            },
            year_title: self.meeting_year_title(n),
            issuer: self.site.config.issuer.clone(),
            place: m.place.clone(),
            attendees: m.attendees.clone(),
            members: m.members.clone(),
            secretariat: m.secretariat.clone(),
            order: self.meeting_order(n),
            handouts: agenda
                .iter()
                .enumerate()
                .map(|(k, r)| Handout {
                    number: format!("{}{}", m.handout_prefix, k + 1),
                    title: r.title.clone(),
                    anchor: format!("incident-{}", r.id),
                })
                .collect(),
            incident_count: agenda.len(),
            internal: self.internal_badge(m.visibility == crate::model::Visibility::Internal),
            agenda,
        }
    }

    /// The meeting's title with its 年度 in front (`2017年度 電気通信事故検証会議（第4回）`,
    /// `平成29年度 …` with wareki dates), unless the title states its 年度 already.
    fn meeting_year_title(&self, n: usize) -> String {
        let f = self.f;
        let m = &self.site.meetings[n];
        if m.title.contains("年度") || m.title.contains("FY") {
            return m.title.clone();
        }
        // The ministry numbers its meetings within the 年度 (April to March: 平成29年度
        // 第2回), however the site groups its own year pages.
        let fiscal = Fmt { year_start: 4, ..f };
        let d = m.date.in_offset(f.tz);
        let year = crate::calendar::fiscal_year(
            chrono::Datelike::year(&d),
            chrono::Datelike::month(&d),
            fiscal.year_start,
        );
        format!("{} {}", fiscal.year_label(year), m.title)
    }

    /// The 議事次第: the meeting's `[[order]]` when it has one, else 開会 (at the start
    /// time), one item per agenda incident with its handout number, その他, 閉会 (at the
    /// end time when recorded).
    fn meeting_order(&self, n: usize) -> Vec<OrderItem> {
        let f = self.f;
        let m = &self.site.meetings[n];
        let ja = f.lang == crate::model::Lang::Ja;
        let pick = |j: &str, e: &str| if ja { j.to_string() } else { e.to_string() };
        let agenda = self.site.agenda(n);
        let incident_item = |i: &crate::model::Incident| {
            let d = i.started.in_offset(f.tz);
            let month = f.partial_date(crate::model::PartialDate {
                year: chrono::Datelike::year(&d),
                month: Some(chrono::Datelike::month(&d)),
                day: None,
            });
            match (ja, i.operators.as_slice()) {
                (true, []) => format!("{}について", i.title),
                (true, ops) => format!(
                    "{}から{month}に発生した重大な事故について",
                    join_and(ops, "、", "及び")
                ),
                (false, []) => i.title.clone(),
                (false, ops) => format!(
                    "The serious incident at {} in {month}",
                    join_and(ops, ", ", " and ")
                ),
            }
        };
        let handout = |k: usize| Some(format!("{}{}", m.handout_prefix, k + 1));
        if !m.order.is_empty() {
            // As written; an item's incident, when published, brings its handout number.
            return m
                .order
                .iter()
                .map(|o| OrderItem {
                    time: o.time.map(|t| f.time(t)),
                    text: o.item.clone(),
                    handout: o
                        .incident
                        .as_deref()
                        .and_then(|id| agenda.iter().position(|&i| self.site.incidents[i].id == id))
                        .and_then(handout),
                })
                .collect();
        }
        let mut order = vec![OrderItem {
            time: Some(f.time(m.date)),
            text: pick("開会", "Opening"),
            handout: None,
        }];
        for (k, &i) in agenda.iter().enumerate() {
            order.push(OrderItem {
                time: None,
                text: incident_item(&self.site.incidents[i]),
                handout: handout(k),
            });
        }
        order.push(OrderItem {
            time: None,
            text: pick("その他", "Other business"),
            handout: None,
        });
        order.push(OrderItem {
            time: m.ended.map(|e| f.time(e)),
            text: pick("閉会", "Closing"),
            handout: None,
        });
        order
    }
}

/// `A`, `A及びB`, `A、B及びC` (`A, B and C`).
fn join_and(items: &[String], sep: &str, last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{}{last}{tail}", init.join(sep)),
    }
}

/// One item of a meeting's 議事次第.
#[derive(Debug, Serialize)]
pub struct OrderItem {
    /// When it is taken up, if known (`16:55`).
    pub time: Option<String>,
    /// What is taken up.
    pub text: String,
    /// The number of its handout (`資料4-1`).
    pub handout: Option<String>,
}

/// One handout (配布資料) of a meeting: an agenda incident's report.
#[derive(Debug, Serialize)]
pub struct Handout {
    /// Its number, `資料4-1`.
    pub number: String,
    /// The incident's title.
    pub title: String,
    /// Where it starts in the packet.
    pub anchor: String,
}

/// A meeting, formatted.
#[derive(Debug, Serialize)]
pub struct MeetingView {
    /// Id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its page.
    pub href: String,
    /// Date and time span, formatted.
    pub date: String,
    /// Start, RFC 3339.
    pub date_iso: String,
    /// The day, formatted.
    pub day: String,
    /// Start–end times (`16:55–19:16`).
    pub time: String,
    /// The title with its year in front (`2017年度 電気通信事故検証会議（第4回）`).
    pub year_title: String,
    /// Who issues the packet (config `issuer`).
    pub issuer: Option<String>,
    /// Place.
    pub place: Option<String>,
    /// Attendees the content does not divide.
    pub attendees: Vec<String>,
    /// Members (構成員).
    pub members: Vec<String>,
    /// Secretariat (事務局).
    pub secretariat: Vec<String>,
    /// The 議事次第.
    pub order: Vec<OrderItem>,
    /// The handouts (配布資料), one per published agenda incident.
    pub handouts: Vec<Handout>,
    /// Agenda incidents that are published.
    pub agenda: Vec<Row>,
    /// Their number.
    pub incident_count: usize,
    /// The badge of an internal meeting, in the internal edition.
    pub internal: Option<&'static str>,
}
